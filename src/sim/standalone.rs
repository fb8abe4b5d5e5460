//! `ladderd sim`: the simulator alone, on loopback, for trying the real
//! `ladderd run` (or the systemd unit) before pointing it at Discord. It
//! prints the `[discord]` settings and the token that make `ladderd run`
//! connect to it, then serves until SIGINT/SIGTERM. With `--players N`,
//! N virtual players sign up, queue, confirm each match card they get,
//! report (the lower-numbered player of a match wins) and queue again, in
//! wall time, so a ladder visibly plays; it logs one line per step.

use std::net::SocketAddr;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Interact, ModalField, Place, SimConfig, Simulator};

/// What `ladderd sim` was asked for.
#[derive(Debug, Clone)]
pub struct StandaloneOptions {
    /// The gateway's address (loopback; port 0 picks one).
    pub gateway: SocketAddr,
    /// REST and CDN (loopback; port 0 picks one).
    pub http: SocketAddr,
    /// The bot token the simulator accepts.
    pub token: String,
    /// Virtual players (0: none; a person clicks through a Discord client
    /// stand-in is not provided, so 0 only serves ladderd).
    pub players: usize,
    /// Stop each player after this many reported matches (0: never).
    pub matches_per_player: u32,
    /// A replay file each match's winner uploads (by DM) once the match is
    /// confirmed; ladderd's answer is logged ("replay answer: …"). A real
    /// game recorded earlier fails the start-time check, so this shows the
    /// upload → sandboxed worker → verdict path, not an accepted replay.
    pub replay: Option<(String, bytes::Bytes)>,
}

/// The `[discord]` lines for `sim` (what `ladderd sim` prints).
pub fn discord_settings(sim: &Simulator) -> String {
    let ids = sim.ids();
    format!(
        "[discord]\n\
         application_id = {}\n\
         guild_id = {}\n\
         lobby_channel_id = {}\n\
         # The simulator's endpoints (testing only: loopback is required).\n\
         api_proxy = \"{}\"\n\
         gateway_url = \"{}\"\n",
        ids.application,
        ids.guild,
        ids.lobby,
        sim.http_addr(),
        sim.gateway_url()
    )
}

/// Runs the simulator until `stop`; prints the settings first (stdout,
/// flushed, so a script can read them).
pub async fn run(opts: StandaloneOptions, stop: CancellationToken) -> Result<(), super::SimError> {
    for addr in [opts.gateway, opts.http] {
        if !addr.ip().is_loopback() {
            return Err(super::SimError::Unknown(
                "address: ladderd sim listens on loopback only",
            ));
        }
    }
    let config = SimConfig {
        token: opts.token.clone(),
        ..SimConfig::default()
    };
    let sim = std::sync::Arc::new(Simulator::start_on(config, opts.gateway, opts.http).await?);
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "# ladderd sim: a local Discord on loopback. Put this in ladderd's config:\n{}\
             # and start ladderd with the simulator's token:\n\
             #   DISCORD_TOKEN={} ladderd --config PATH run\n\
             # (under systemd: the token in /etc/ladderd/discord-token)\n\
             # ready",
            discord_settings(&sim),
            opts.token
        );
        let _ = out.flush();
    }
    let mut players = tokio::task::JoinSet::new();
    for i in 0..opts.players {
        players.spawn(player(
            sim.clone(),
            i,
            opts.matches_per_player,
            opts.replay.clone(),
            stop.clone(),
        ));
    }
    stop.cancelled().await;
    players.shutdown().await;
    match std::sync::Arc::try_unwrap(sim) {
        Ok(sim) => sim.shutdown().await,
        Err(_) => eprintln!("ladderd sim: a player task outlived the stop"),
    }
    Ok(())
}

/// Letters-only names (ladderd's in-game names are letters): "Simaa", …
fn name(i: usize) -> String {
    let (a, b) = (i / 26 % 26, i % 26);
    format!(
        "Sim{}{}",
        (b'a' + a as u8) as char,
        (b'a' + b as u8) as char
    )
}

/// How long a player waits for ladderd's next message before looking again
/// (ladderd may be stopped, restarting or not started yet).
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// The first message `user` was shown, beyond the first `skip`, that
/// contains `needle` (not in the lobby); waits until `stop`.
async fn next_seen(
    sim: &Simulator,
    user: u64,
    skip: usize,
    needle: &str,
    stop: &CancellationToken,
) -> Option<(usize, super::Seen)> {
    let find = |sim: &Simulator| {
        sim.seen_by(user)
            .into_iter()
            .enumerate()
            .skip(skip)
            .find(|(_, s)| s.place != Place::Lobby && s.message.content.contains(needle))
            .map(|(i, s)| (i + 1, s))
    };
    loop {
        if let Some(found) = find(sim) {
            return Some(found);
        }
        // Woken by the simulator's next change (bounded, so a stop is seen).
        tokio::select! {
            _ = stop.cancelled() => return None,
            _ = tokio::time::timeout(LOOK_EVERY, sim.wait_until(|s| find(s).is_some())) => {}
        }
    }
}

/// The first virtual player's name in `text` that is not `me`.
fn opponent_in(text: &str, me: &str) -> Option<String> {
    text.match_indices("Sim").find_map(|(at, _)| {
        let candidate: String = text[at..].chars().take(5).collect();
        let letters = candidate.chars().skip(3).all(|c| c.is_ascii_lowercase());
        (candidate.len() == 5 && letters && candidate != me).then_some(candidate)
    })
}

fn confirm_button(message: &twilight_model::channel::Message) -> Option<String> {
    use twilight_model::channel::message::component::Component;
    message.components.iter().find_map(|c| match c {
        Component::ActionRow(row) => row.components.iter().find_map(|inner| match inner {
            Component::Button(b) => b.custom_id.clone().filter(|id| id.ends_with(":confirm")),
            _ => None,
        }),
        _ => None,
    })
}

/// One virtual player's life: sign up, then queue → confirm → report, again.
async fn player(
    sim: std::sync::Arc<Simulator>,
    i: usize,
    matches: u32,
    replay: Option<(String, bytes::Bytes)>,
    stop: CancellationToken,
) {
    let lobby = sim.ids().lobby;
    let me = name(i);
    let user = sim.add_user_with_dms(&me, true);
    let say = |what: &str| println!("sim: {me}: {what}");
    let act = |what: Interact| {
        if let Err(e) = sim.interact(user, lobby, &what) {
            eprintln!("sim: {me}: {e}");
        }
    };
    // Terms, then the setup modal (retried until ladderd answers: it may
    // start after the simulator).
    let mut cursor = 0;
    loop {
        act(Interact::Slash {
            name: "termsofservice".into(),
            options: vec![],
        });
        let wait = next_seen(&sim, user, cursor, "Ladder rules", &stop);
        match tokio::time::timeout(Duration::from_secs(10), wait).await {
            Ok(Some((c, _))) => {
                cursor = c;
                break;
            }
            Ok(None) => return,
            Err(_) => continue,
        }
    }
    act(Interact::Button {
        custom_id: "tos:accept".into(),
        message: None,
    });
    let field = |id: &str, v: &str| ModalField {
        custom_id: id.into(),
        value: v.into(),
    };
    act(Interact::Modal {
        custom_id: "setup".into(),
        fields: vec![
            field("ingame_name", &me),
            field("battletag", &format!("{me}#1234")),
            field("alt_names", ""),
            field("country", "DE"),
            field("region", "EU"),
        ],
    });
    say("signed up");
    let mut played = 0;
    while matches == 0 || played < matches {
        act(Interact::Slash {
            name: "queue".into(),
            options: vec![("race".into(), "T".into())],
        });
        let Some((c, card)) = next_seen(&sim, user, cursor, "Match found", &stop).await else {
            return;
        };
        cursor = c;
        if card.place != Place::Dm {
            continue;
        }
        let Some(confirm) = confirm_button(&card.message) else {
            continue;
        };
        let Some(id) = confirm.split(':').nth(1).map(str::to_owned) else {
            continue;
        };
        say(&format!("confirms match {id}"));
        if let Err(e) = sim.interact(
            user,
            card.message.channel_id.get(),
            &Interact::Button {
                custom_id: confirm,
                message: Some(card.message.id.get()),
            },
        ) {
            eprintln!("sim: {me}: {e}");
        }
        let Some((c, _)) = next_seen(&sim, user, cursor, "Match confirmed", &stop).await else {
            return;
        };
        cursor = c;
        // Who wins: the player whose name sorts first. Both players decide
        // alike whether the card names both or only the opponent.
        let opponent = opponent_in(&card.message.content, &me);
        let won = opponent.as_deref().is_none_or(|o| me.as_str() < o);
        if let (true, Some((file, bytes))) = (won, &replay) {
            let dm = card.message.channel_id.get();
            let before = sim.seen_by(user).len();
            match sim.post(user, dm, "", vec![(file.clone(), bytes.clone())]) {
                Ok(_) => {
                    say(&format!("uploads {file} for match {id}"));
                    // ladderd answers in the DM; bounded, since an answer
                    // may never come if ladderd stops.
                    let in_dm = |s: &Simulator| {
                        s.seen_by(user)
                            .into_iter()
                            .skip(before)
                            .find(|m| m.place == Place::Dm && m.message.author.id.get() != user)
                    };
                    let answered = tokio::time::timeout(
                        Duration::from_secs(60),
                        sim.wait_until(|s| in_dm(s).is_some()),
                    )
                    .await;
                    if let (Ok(()), Some(answer)) = (answered, in_dm(&sim)) {
                        say(&format!(
                            "replay answer: {}",
                            answer.message.content.replace('\n', " / ")
                        ));
                    }
                }
                Err(e) => eprintln!("sim: {me}: {e}"),
            }
        }
        let report = if won { "win" } else { "loss" };
        act(Interact::Button {
            custom_id: format!("match:{id}:report:{report}"),
            message: None,
        });
        say(&format!("reports a {report} in match {id}"));
        let Some((c, _)) = next_seen(&sim, user, cursor, "won", &stop).await else {
            return;
        };
        cursor = c;
        played += 1;
        say(&format!("match {id} is over"));
    }
}
