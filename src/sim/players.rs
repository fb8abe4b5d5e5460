//! Virtual players: a seeded population acting out a [`Script`] with think
//! times. Behaviour is data (command names, custom_ids, select options,
//! modal fields, files), so the Discord layer can script ladderd's real
//! commands without changing the simulator.
//!
//! A run is planned before it is played: [`Population::plan`] turns the seed
//! into a time-ordered list of actions, so a test knows exactly what was
//! done and can check the counters against it. [`play`] performs the plan
//! against a simulator, compressing simulated time by a factor.

use std::time::Duration;

use bytes::Bytes;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use tokio::time::Instant;
use twilight_model::channel::message::Component;

use super::{Interact, ModalField, SimError, Simulator};

/// One thing a player can do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `/name` with string options.
    Slash {
        name: String,
        options: Vec<(String, String)>,
    },
    /// Click the button `custom_id`.
    Button { custom_id: String },
    /// Pick `pick` values from `options` of the select `custom_id`.
    Select {
        custom_id: String,
        options: Vec<String>,
        pick: usize,
    },
    /// Submit the modal `custom_id` with these field values.
    Modal {
        custom_id: String,
        fields: Vec<(String, String)>,
    },
    /// Post a message in the lobby with one file drawn from `files`.
    Upload { files: Vec<(String, Bytes)> },
    /// Post a plain message in the lobby.
    Say { content: String },
    /// Click the newest button this player was shown (in any place they
    /// see) whose custom_id starts with `prefix`, e.g. a match's confirm
    /// button carrying the match id. Decided when played, since it depends
    /// on what the bot sent; skipped if there is none.
    ClickShown { prefix: String },
}

/// A weighted action.
#[derive(Clone, Debug)]
pub struct Step {
    pub action: Action,
    pub weight: u32,
}

/// How players choose their next action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Draw each action by weight.
    Random,
    /// Go through the steps in order, then start again.
    Sequence,
}

/// A behaviour: steps, how to choose among them, and think times.
#[derive(Clone, Debug)]
pub struct Script {
    pub steps: Vec<Step>,
    pub order: Order,
    /// Uniform think time before each action, inclusive bounds.
    pub think: (Duration, Duration),
}

/// A seeded population running one script.
#[derive(Clone, Debug)]
pub struct Population {
    pub seed: u64,
    pub players: usize,
    pub script: Script,
}

/// One planned action: at simulated time `at`, player `player` does `what`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub at: Duration,
    pub player: usize,
    pub what: Concrete,
}

/// An action with its random choices made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Concrete {
    Interact(Interact),
    Post {
        content: String,
        file: Option<(String, Bytes)>,
    },
    ClickShown {
        prefix: String,
    },
}

fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    // Modulo bias is irrelevant at these ranges; determinism is the point.
    if n == 0 { 0 } else { rng.next_u64() % n }
}

impl Population {
    /// Every action of every player within `duration` of simulated time,
    /// ordered by time then player. The same seed gives the same plan.
    pub fn plan(&self, duration: Duration) -> Vec<Planned> {
        let s = &self.script;
        let total_weight: u64 = s.steps.iter().map(|st| u64::from(st.weight)).sum();
        let (lo, hi) = (s.think.0.as_millis() as u64, s.think.1.as_millis() as u64);
        let mut out = Vec::new();
        if s.steps.is_empty() || (s.order == Order::Random && total_weight == 0) {
            return out;
        }
        for player in 0..self.players {
            // One stream per player, so adding players does not change
            // what the others do.
            let mut rng = ChaCha8Rng::seed_from_u64(
                self.seed ^ (player as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            let mut at = Duration::ZERO;
            let mut next = 0usize;
            loop {
                at += Duration::from_millis(lo + below(&mut rng, hi.saturating_sub(lo) + 1));
                if at >= duration {
                    break;
                }
                let step = match s.order {
                    Order::Sequence => {
                        let st = &s.steps[next % s.steps.len()];
                        next += 1;
                        st
                    }
                    Order::Random => {
                        let mut r = below(&mut rng, total_weight);
                        s.steps
                            .iter()
                            .find(|st| {
                                let w = u64::from(st.weight);
                                if r < w {
                                    true
                                } else {
                                    r -= w;
                                    false
                                }
                            })
                            .unwrap_or(&s.steps[0])
                    }
                };
                let what = concrete(&step.action, &mut rng, player);
                out.push(Planned { at, player, what });
            }
        }
        out.sort_by(|a, b| a.at.cmp(&b.at).then(a.player.cmp(&b.player)));
        out
    }
}

fn concrete(action: &Action, rng: &mut ChaCha8Rng, player: usize) -> Concrete {
    match action {
        Action::Slash { name, options } => Concrete::Interact(Interact::Slash {
            name: name.clone(),
            options: options.clone(),
        }),
        Action::Button { custom_id } => Concrete::Interact(Interact::Button {
            custom_id: custom_id.clone(),
            message: None,
        }),
        Action::Select {
            custom_id,
            options,
            pick,
        } => {
            let mut pool = options.clone();
            let mut values = Vec::new();
            while values.len() < *pick && !pool.is_empty() {
                let i = below(rng, pool.len() as u64) as usize;
                values.push(pool.swap_remove(i));
            }
            Concrete::Interact(Interact::Select {
                custom_id: custom_id.clone(),
                values,
                message: None,
            })
        }
        Action::Modal { custom_id, fields } => Concrete::Interact(Interact::Modal {
            custom_id: custom_id.clone(),
            fields: fields
                .iter()
                .map(|(k, v)| ModalField {
                    custom_id: k.clone(),
                    value: v.clone(),
                })
                .collect(),
        }),
        Action::Upload { files } => {
            let file =
                (!files.is_empty()).then(|| files[below(rng, files.len() as u64) as usize].clone());
            Concrete::Post {
                content: format!("replay from player {player}"),
                file,
            }
        }
        Action::Say { content } => Concrete::Post {
            content: content.clone(),
            file: None,
        },
        Action::ClickShown { prefix } => Concrete::ClickShown {
            prefix: prefix.clone(),
        },
    }
}

/// What a [`play`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlayReport {
    pub interactions: u64,
    pub posts: u64,
    pub uploads: u64,
    /// `ClickShown` actions with no matching button to click.
    pub skipped: u64,
}

/// Perform `plan` with `users[player]` as each player's user, in the lobby,
/// running simulated time `compression` times faster than real time.
pub async fn play(
    sim: &Simulator,
    plan: &[Planned],
    users: &[u64],
    compression: u32,
) -> Result<PlayReport, SimError> {
    let start = Instant::now();
    let lobby = sim.ids().lobby;
    let mut report = PlayReport::default();
    for p in plan {
        let user = *users.get(p.player).ok_or(SimError::Unknown("player"))?;
        tokio::time::sleep_until(start + p.at / compression.max(1)).await;
        match &p.what {
            Concrete::Interact(i) => {
                sim.interact(user, lobby, i)?;
                report.interactions += 1;
            }
            Concrete::Post { content, file } => {
                sim.post(user, lobby, content, file.iter().cloned().collect())?;
                report.posts += 1;
                report.uploads += u64::from(file.is_some());
            }
            Concrete::ClickShown { prefix } => match newest_button(sim, user, prefix) {
                Some((channel, message, custom_id)) => {
                    let click = Interact::Button {
                        custom_id,
                        message: Some(message),
                    };
                    sim.interact(user, channel, &click)?;
                    report.interactions += 1;
                }
                None => report.skipped += 1,
            },
        }
    }
    Ok(report)
}

/// The newest enabled button `user` has seen whose custom_id starts with
/// `prefix`: (channel, message, custom_id).
pub fn newest_button(sim: &Simulator, user: u64, prefix: &str) -> Option<(u64, u64, String)> {
    sim.seen_by(user).into_iter().rev().find_map(|seen| {
        let m = &seen.message;
        button_ids(m)
            .into_iter()
            .find(|id| id.starts_with(prefix))
            .map(|id| (m.channel_id.get(), m.id.get(), id))
    })
}

/// The custom_ids of a message's enabled buttons, in order.
pub fn button_ids(message: &twilight_model::channel::Message) -> Vec<String> {
    message
        .components
        .iter()
        .filter_map(|row| match row {
            Component::ActionRow(row) => Some(&row.components),
            _ => None,
        })
        .flatten()
        .filter_map(|c| match c {
            Component::Button(b) if !b.disabled => b.custom_id.clone(),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population(seed: u64, players: usize) -> Population {
        Population {
            seed,
            players,
            script: Script {
                steps: vec![
                    Step {
                        action: Action::Button {
                            custom_id: "queue:join".into(),
                        },
                        weight: 3,
                    },
                    Step {
                        action: Action::Select {
                            custom_id: "veto".into(),
                            options: vec!["a".into(), "b".into(), "c".into()],
                            pick: 2,
                        },
                        weight: 1,
                    },
                ],
                order: Order::Random,
                think: (Duration::from_secs(10), Duration::from_secs(60)),
            },
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_plan_and_players_are_independent() {
        let hour = Duration::from_secs(3600);
        let a = population(7, 5).plan(hour);
        assert_eq!(a, population(7, 5).plan(hour));
        assert_ne!(a, population(8, 5).plan(hour));
        let more = population(7, 6).plan(hour);
        let first5: Vec<_> = more.iter().filter(|p| p.player < 5).cloned().collect();
        assert_eq!(first5, a);
        assert!(a.windows(2).all(|w| w[0].at <= w[1].at));
        // Think times of 10–60 s give 60–360 actions per player per hour.
        let n = a.iter().filter(|p| p.player == 0).count();
        assert!((60..=360).contains(&n), "{n}");
        for p in &a {
            if let Concrete::Interact(Interact::Select { values, .. }) = &p.what {
                assert_eq!(values.len(), 2);
                assert_ne!(values[0], values[1]);
            }
        }
    }

    #[test]
    fn a_sequence_script_repeats_in_order() {
        let mut pop = population(1, 1);
        pop.script.order = Order::Sequence;
        let plan = pop.plan(Duration::from_secs(600));
        for (i, p) in plan.iter().enumerate() {
            let is_button = matches!(p.what, Concrete::Interact(Interact::Button { .. }));
            assert_eq!(is_button, i % 2 == 0);
        }
    }
}
