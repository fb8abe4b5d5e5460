//! Does this replay prove the result of this match? A pure function: the
//! expectation and the clock come in as arguments, no I/O, so every check is
//! tested alone.

use super::summary::{GameResult, Race, ReplaySummary};

/// One side of the match as the ladder assigned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedPlayer {
    /// The Battle.net toon handle (`1-S2-1-12345`) from the player's profile, if known.
    pub toon_handle: Option<String>,
    /// The in-game name (without clan tag), used when no toon handle is known.
    pub name: String,
    pub race: Race,
}

/// What the ladder knows about the match the replay claims to be.
#[derive(Debug, Clone)]
pub struct MatchExpectation<'a> {
    /// Slot 0 and slot 1.
    pub slots: [ExpectedPlayer; 2],
    pub map_name: String,
    /// When the match was created, Unix seconds.
    pub created_at: i64,
    /// The game must start within this many seconds after `created_at` (default 600).
    pub start_window_s: i64,
    /// The ladder's rules for the game itself: mods, speed, observers, lobby.
    pub rules: &'a GameRules,
    /// This file (its sha256) already proves another match: the caller asks
    /// the ladder, which keeps the one set of used replays.
    pub already_used: bool,
}

/// How a ladder's games must be played (`[replay]` in the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameRules {
    /// Each must be among the replay's dependencies: a cache handle's sha256
    /// (hex, any case) or a mod's name (`VoidMulti`, `SCEvo.SC2Mod`; a
    /// trailing `.SC2Mod` and case do not matter).
    pub required_mods: Vec<String>,
    /// The game speed the details must name (`Faster`); `None`: any.
    pub game_speed: Option<String>,
    pub allow_observers: bool,
    pub privacy: Privacy,
}

impl Default for GameRules {
    /// What a ladder game always was: Faster, no observers, any lobby, no mods.
    fn default() -> GameRules {
        GameRules {
            required_mods: Vec::new(),
            game_speed: Some("Faster".into()),
            allow_observers: false,
            privacy: Privacy::Any,
        }
    }
}

/// The lobby the game must have been created as (the replay's game-mode attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    Any,
    Private,
    Public,
}

impl Privacy {
    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Any => "any",
            Privacy::Private => "private",
            Privacy::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Privacy> {
        Some(match s {
            "any" => Privacy::Any,
            "private" => Privacy::Private,
            "public" => Privacy::Public,
            _ => return None,
        })
    }
}

/// Whether `required` names one of the replay's dependencies.
fn has_mod(summary: &ReplaySummary, required: &str) -> bool {
    let strip = |s: &str| {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        match lower.strip_suffix(".sc2mod") {
            Some(base) => base.to_owned(),
            None => lower,
        }
    };
    let want = strip(required);
    summary
        .dependencies
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&want))
        || summary.mod_names.iter().any(|n| strip(n) == want)
}

/// Clocks of players and server disagree a little; this much is forgiven.
pub const CLOCK_SKEW_S: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckName {
    TwoHumans,
    Players,
    AssignedRaces,
    Map,
    StartWindow,
    NoObservers,
    GameSpeed,
    RequiredMods,
    LobbyPrivacy,
    DecidedWinner,
    FreshReplay,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: CheckName,
    pub passed: bool,
    /// A sentence for the players.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub checks: Vec<Check>,
    /// The winning slot (0 or 1) when the replay identifies both players and names a winner.
    pub winner_slot: Option<usize>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    pub fn check(&self, name: CheckName) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

/// Lowercase letters and digits only, without a trailing "LE" (ladder edition).
pub fn normalise_map(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    match s.strip_suffix("le") {
        Some(base) if name.trim_end().to_lowercase().ends_with(" le") => base.to_owned(),
        _ => s,
    }
}

pub fn verify(expected: &MatchExpectation<'_>, summary: &ReplaySummary, now: i64) -> Verdict {
    let mut checks = Vec::new();
    let mut add = |name, passed, message: String| {
        checks.push(Check {
            name,
            passed,
            message,
        })
    };

    let humans: Vec<_> = summary.players.iter().filter(|p| p.is_human).collect();
    let computers = summary.players.len() - humans.len();
    add(
        CheckName::TwoHumans,
        humans.len() == 2 && computers == 0,
        format!(
            "the replay has {} human and {computers} computer players; a ladder game has exactly two humans",
            humans.len()
        ),
    );

    // Map each slot to a replay player by toon handle, else by name; never by
    // race, so mirror matches map correctly.
    let find = |slot: &ExpectedPlayer| {
        humans.iter().position(|p| match &slot.toon_handle {
            Some(t) => p.toon_handle.as_deref() == Some(t.as_str()),
            None => p.name.eq_ignore_ascii_case(&slot.name),
        })
    };
    let mapped = [find(&expected.slots[0]), find(&expected.slots[1])];
    let both = match mapped {
        [Some(a), Some(b)] if a != b => Some([humans[a], humans[b]]),
        _ => None,
    };
    add(
        CheckName::Players,
        both.is_some(),
        match both {
            Some(_) => "both players of the match are in the replay".into(),
            None => format!(
                "the replay is not a game between {} and {}",
                expected.slots[0].name, expected.slots[1].name
            ),
        },
    );

    let wrong_races: Vec<String> = both
        .iter()
        .flat_map(|ps| ps.iter().zip(&expected.slots))
        .filter(|(p, slot)| p.play_race != Some(slot.race))
        .map(|(p, slot)| {
            format!(
                "{} played {} instead of {}",
                p.name,
                p.play_race.map_or("an unknown race", |r| r.as_str()),
                slot.race.as_str()
            )
        })
        .collect();
    add(
        CheckName::AssignedRaces,
        both.is_some() && wrong_races.is_empty(),
        if both.is_none() {
            "races cannot be checked without both players".into()
        } else if wrong_races.is_empty() {
            "both players played their assigned races".into()
        } else {
            wrong_races.join("; ")
        },
    );

    let map_ok = normalise_map(&summary.map_name) == normalise_map(&expected.map_name);
    add(
        CheckName::Map,
        map_ok,
        format!(
            "the game was played on {}; the match is on {}",
            summary.map_name, expected.map_name
        ),
    );

    let start = summary.start_time_utc;
    let start_ok = start >= expected.created_at - CLOCK_SKEW_S
        && start <= expected.created_at + expected.start_window_s
        && summary.end_time_utc <= now + CLOCK_SKEW_S;
    add(
        CheckName::StartWindow,
        start_ok,
        format!(
            "the game started {} s after the match was created (allowed: 0 to {} s) and ended {} s before the upload",
            start - expected.created_at,
            expected.start_window_s,
            now - summary.end_time_utc
        ),
    );

    let rules = expected.rules;
    let observers_ok = rules.allow_observers || summary.observers.is_empty();
    add(
        CheckName::NoObservers,
        observers_ok,
        format!(
            "{} observer(s) in the game; this ladder {} observers",
            summary.observers.len(),
            if rules.allow_observers {
                "allows"
            } else {
                "does not allow"
            }
        ),
    );

    add(
        CheckName::GameSpeed,
        rules
            .game_speed
            .as_deref()
            .is_none_or(|s| summary.speed.eq_ignore_ascii_case(s)),
        match &rules.game_speed {
            Some(s) => format!("game speed {} (this ladder plays {s})", summary.speed),
            None => format!("game speed {} (any speed counts)", summary.speed),
        },
    );

    let missing: Vec<&str> = rules
        .required_mods
        .iter()
        .filter(|m| !has_mod(summary, m))
        .map(String::as_str)
        .collect();
    add(
        CheckName::RequiredMods,
        missing.is_empty(),
        if missing.is_empty() {
            "the game loaded every mod this ladder requires".into()
        } else {
            format!(
                "the game was played without {} (it loaded {})",
                missing.join(", "),
                if summary.mod_names.is_empty() {
                    "no mod ladderd knows by name".to_owned()
                } else {
                    summary.mod_names.join(", ")
                }
            )
        },
    );

    let lobby = summary.category.as_deref().unwrap_or("unknown");
    let privacy_ok = match rules.privacy {
        Privacy::Any => true,
        Privacy::Private => lobby == "Private",
        Privacy::Public => lobby == "Public",
    };
    add(
        CheckName::LobbyPrivacy,
        privacy_ok,
        format!(
            "the lobby was {lobby}; this ladder accepts {} lobbies",
            rules.privacy.as_str()
        ),
    );

    let winner_slot = both.and_then(|ps| {
        let wins: Vec<usize> = (0..2)
            .filter(|&i| ps[i].result == Some(GameResult::Win))
            .collect();
        let loss = |i: usize| ps[i].result == Some(GameResult::Loss);
        match wins.as_slice() {
            [w] if loss(1 - *w) => Some(*w),
            _ => None,
        }
    });
    add(
        CheckName::DecidedWinner,
        winner_slot.is_some(),
        match winner_slot {
            Some(w) => format!("{} won", expected.slots[w].name),
            None => "the replay does not show one winner and one loser".into(),
        },
    );

    let fresh = !expected.already_used;
    add(
        CheckName::FreshReplay,
        fresh,
        if fresh {
            "this replay has not been used before".into()
        } else {
            "this replay was already used for another match".into()
        },
    );

    Verdict {
        checks,
        winner_slot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::summary::{ObserverSummary, PlayerSummary};

    const CREATED: i64 = 1_700_000_000;

    fn player(name: &str, toon: &str, race: Race, result: GameResult, team: u8) -> PlayerSummary {
        PlayerSummary {
            name: name.into(),
            clan_tag: None,
            play_race: Some(race),
            pick_race: Some(race),
            result: Some(result),
            team,
            is_human: true,
            toon_handle: Some(toon.into()),
        }
    }

    fn summary() -> ReplaySummary {
        ReplaySummary {
            sha256: "ab".repeat(32),
            release: "5.0.15.95299".into(),
            build: 95299,
            base_build: 95299,
            map_name: "Pylon LE".into(),
            game_loops: 13324,
            game_length_s: 594,
            real_length_s: 594,
            start_time_utc: CREATED + 120,
            end_time_utc: CREATED + 714,
            speed: "Faster".into(),
            expansion: "LotV".into(),
            region: "us".into(),
            category: Some("Private".into()),
            game_type: Some("1v1".into()),
            dependencies: vec!["ab".repeat(32)],
            mod_names: vec!["VoidMulti".into(), "SCEvo.SC2Mod".into()],
            players: vec![
                player("Alice", "1-S2-1-1", Race::Terran, GameResult::Loss, 1),
                player("Bob", "1-S2-1-2", Race::Protoss, GameResult::Win, 2),
            ],
            observers: vec![],
            winner: None,
            events: None,
        }
    }

    static RULES: std::sync::LazyLock<GameRules> = std::sync::LazyLock::new(GameRules::default);

    fn expect(used: bool) -> MatchExpectation<'static> {
        MatchExpectation {
            slots: [
                ExpectedPlayer {
                    toon_handle: Some("1-S2-1-2".into()),
                    name: "Bob".into(),
                    race: Race::Protoss,
                },
                ExpectedPlayer {
                    toon_handle: Some("1-S2-1-1".into()),
                    name: "Alice".into(),
                    race: Race::Terran,
                },
            ],
            map_name: "Pylon".into(),
            created_at: CREATED,
            start_window_s: 600,
            rules: &RULES,
            already_used: used,
        }
    }

    /// Exactly `name` fails, everything else passes.
    fn only_fails(v: &Verdict, name: CheckName) {
        for c in &v.checks {
            assert_eq!(c.passed, c.name != name, "{c:?}");
        }
    }

    #[test]
    fn a_good_replay_passes_every_check_and_names_the_winner_slot() {
        let used = false;
        let v = verify(&expect(used), &summary(), CREATED + 800);
        assert!(v.passed(), "{v:#?}");
        assert_eq!(v.checks.len(), 11);
        assert_eq!(v.winner_slot, Some(0), "Bob is slot 0 and won");
    }

    #[test]
    fn two_humans_fails_with_a_computer() {
        let used = false;
        let mut s = summary();
        s.players.push(PlayerSummary {
            is_human: false,
            toon_handle: None,
            ..player("A.I.", "", Race::Zerg, GameResult::Loss, 2)
        });
        only_fails(
            &verify(&expect(used), &s, CREATED + 800),
            CheckName::TwoHumans,
        );
    }

    #[test]
    fn players_fail_when_someone_else_played() {
        let used = false;
        let mut s = summary();
        s.players[1].toon_handle = Some("1-S2-1-99".into());
        let v = verify(&expect(used), &s, CREATED + 800);
        assert!(!v.check(CheckName::Players).unwrap().passed);
        assert!(!v.check(CheckName::AssignedRaces).unwrap().passed);
        assert!(!v.check(CheckName::DecidedWinner).unwrap().passed);
        assert!(v.check(CheckName::Map).unwrap().passed);
    }

    #[test]
    fn races_fail_when_a_player_switched() {
        let used = false;
        let mut s = summary();
        s.players[0].play_race = Some(Race::Zerg);
        let v = verify(&expect(used), &s, CREATED + 800);
        only_fails(&v, CheckName::AssignedRaces);
        assert!(
            v.check(CheckName::AssignedRaces)
                .unwrap()
                .message
                .contains("Alice played Zerg")
        );
    }

    #[test]
    fn mirror_match_maps_by_identity_not_race() {
        let used = false;
        let mut s = summary();
        s.players[1].play_race = Some(Race::Terran);
        let mut e = expect(used);
        e.slots[0].race = Race::Terran;
        let v = verify(&e, &s, CREATED + 800);
        assert!(v.passed(), "{v:#?}");
        assert_eq!(v.winner_slot, Some(0));
        // Without toon handles, names decide.
        e.slots[0].toon_handle = None;
        e.slots[1].toon_handle = None;
        assert_eq!(verify(&e, &s, CREATED + 800).winner_slot, Some(0));
    }

    #[test]
    fn map_fails_on_another_map_and_normalises_names() {
        let used = false;
        let mut s = summary();
        assert_eq!(normalise_map("Pylon LE"), normalise_map("pylon"));
        assert_ne!(normalise_map("Simple"), normalise_map("Simp"));
        s.map_name = "Persephone LE".into();
        only_fails(&verify(&expect(used), &s, CREATED + 800), CheckName::Map);
    }

    #[test]
    fn start_window_fails_for_old_late_or_future_games() {
        let used = false;
        for (start, now) in [
            (CREATED - 3600, CREATED + 800), // played before the match existed
            (CREATED + 601, CREATED + 2000), // started after the window
            (CREATED + 120, CREATED + 300),  // "ended" after the upload
        ] {
            let mut s = summary();
            s.start_time_utc = start;
            s.end_time_utc = start + 594;
            only_fails(&verify(&expect(used), &s, now), CheckName::StartWindow);
        }
    }

    #[test]
    fn observers_fail_unless_allowed() {
        let used = false;
        let mut s = summary();
        s.observers.push(ObserverSummary {
            name: "COSMOS".into(),
            toon_handle: None,
        });
        only_fails(
            &verify(&expect(used), &s, CREATED + 800),
            CheckName::NoObservers,
        );
        let rules = GameRules {
            allow_observers: true,
            ..GameRules::default()
        };
        let e = MatchExpectation {
            rules: &rules,
            ..expect(used)
        };
        assert!(verify(&e, &s, CREATED + 800).passed());
    }

    #[test]
    fn speed_fails_unless_the_configured_one() {
        let used = false;
        let mut s = summary();
        s.speed = "Normal".into();
        only_fails(
            &verify(&expect(used), &s, CREATED + 800),
            CheckName::GameSpeed,
        );
        let any = GameRules {
            game_speed: None,
            ..GameRules::default()
        };
        let e = MatchExpectation {
            rules: &any,
            ..expect(used)
        };
        assert!(verify(&e, &s, CREATED + 800).passed());
    }

    #[test]
    fn required_mods_match_by_hash_or_name_and_name_what_is_missing() {
        let used = false;
        let s = summary();
        let with = |mods: &[&str]| GameRules {
            required_mods: mods.iter().map(|m| (*m).to_owned()).collect(),
            ..GameRules::default()
        };
        for ok in [
            with(&["voidmulti"]),
            with(&["SCEvo"]),
            with(&["scevo.sc2mod", &"AB".repeat(32)]),
        ] {
            let e = MatchExpectation {
                rules: &ok,
                ..expect(used)
            };
            assert!(verify(&e, &s, CREATED + 800).passed(), "{ok:?}");
        }
        let missing = with(&["VoidMulti", "Starbow"]);
        let e = MatchExpectation {
            rules: &missing,
            ..expect(used)
        };
        let v = verify(&e, &s, CREATED + 800);
        only_fails(&v, CheckName::RequiredMods);
        let message = &v.check(CheckName::RequiredMods).unwrap().message;
        assert!(
            message.contains("without Starbow") && !message.contains("without VoidMulti"),
            "{message}"
        );
    }

    #[test]
    fn lobby_privacy_is_checked_when_configured() {
        let used = false;
        let mut s = summary();
        let public = GameRules {
            privacy: Privacy::Public,
            ..GameRules::default()
        };
        let e = MatchExpectation {
            rules: &public,
            ..expect(used)
        };
        only_fails(&verify(&e, &s, CREATED + 800), CheckName::LobbyPrivacy);
        s.category = Some("Public".into());
        assert!(verify(&e, &s, CREATED + 800).passed());
        // No game-mode attribute: not provably public.
        s.category = None;
        only_fails(&verify(&e, &s, CREATED + 800), CheckName::LobbyPrivacy);
    }

    #[test]
    fn undecided_games_have_no_winner() {
        let used = false;
        let mut s = summary();
        s.players[1].result = None;
        let v = verify(&expect(used), &s, CREATED + 800);
        only_fails(&v, CheckName::DecidedWinner);
        assert_eq!(v.winner_slot, None);
    }

    #[test]
    fn a_reused_replay_fails() {
        let used = true;
        only_fails(
            &verify(&expect(used), &summary(), CREATED + 800),
            CheckName::FreshReplay,
        );
    }
}
