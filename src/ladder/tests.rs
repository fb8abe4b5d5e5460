//! Rules of the ladder, one test (or a few) per rule, driven through
//! `handle` and `tick` only.

use std::path::Path;

use super::*;
use crate::config::{Config, RatingSystem};
use crate::store::rows::{MatchState, ReplayVerdict, ResultSource};

/// 2026-01-01T00:00:00Z, a multiple of every wave interval.
pub(super) const T0: UnixMillis = 1_767_225_600_000;
pub(super) const S: i64 = 1_000;

pub(super) fn ladder_with(config: LadderConfig) -> Ladder {
    Ladder::new(config, 7, T0).0
}

pub(super) fn ladder() -> Ladder {
    ladder_with(LadderConfig::default())
}

pub(super) fn config_from(section: &str) -> LadderConfig {
    Config::from_toml(Path::new("t.toml"), &format!("[ladder]\n{section}"))
        .expect("test config is valid")
        .ladder
}

pub(super) fn errors(fx: &Effects) -> Vec<&LadderError> {
    fx.messages
        .iter()
        .filter_map(|m| match &m.body {
            Notice::Error(e) => Some(e),
            _ => None,
        })
        .collect()
}

pub(super) fn ok(fx: Effects) -> Effects {
    assert!(
        errors(&fx).is_empty(),
        "unexpected error: {:?}",
        errors(&fx)
    );
    fx
}

pub(super) fn form(name: &str, region: &str) -> SetupForm {
    SetupForm {
        ingame_name: name.into(),
        battletag: format!("{name}#1234"),
        alt_names: vec![],
        country: "DE".into(),
        region: region.into(),
    }
}

pub(super) fn register(l: &mut Ladder, id: PlayerId, name: &str, region: &str, now: UnixMillis) {
    let a = Actor::player(id);
    ok(l.handle(
        now,
        a,
        Command::AcceptTos {
            discord_name: name.into(),
        },
    ));
    ok(l.handle(now, a, Command::Setup(form(name, region))));
}

pub(super) fn join(l: &mut Ladder, id: PlayerId, race: &str, now: UnixMillis) -> Effects {
    l.handle(
        now,
        Actor::player(id),
        Command::JoinQueue {
            races: vec![race.into()],
            vetoes: Some(vec![]),
        },
    )
}

/// Reports every match card in `fx` delivered at `at`, as the Discord
/// layer does once Discord accepted it.
pub(super) fn deliver_cards(l: &mut Ladder, fx: &Effects, at: UnixMillis) -> usize {
    let cards: Vec<u64> = fx
        .messages
        .iter()
        .filter(|m| matches!(m.body, Notice::MatchFound(_)))
        .filter_map(|m| m.outbox)
        .collect();
    for &id in &cards {
        l.delivered(id, at, None);
    }
    cards.len()
}

/// Two registered players, both queued as Terran, matched by the wave at
/// T0 + 45 s; both cards delivered at once.
pub(super) fn matched_pair(l: &mut Ladder) -> MatchId {
    register(l, 1, "Alpha", "EU", T0);
    register(l, 2, "Bravo", "EU", T0);
    ok(join(l, 1, "T", T0));
    ok(join(l, 2, "T", T0));
    let fx = l.tick(T0 + 45 * S);
    assert_eq!(deliver_cards(l, &fx, T0 + 45 * S), 2);
    l.current_match(1).expect("the wave paired them")
}

pub(super) fn in_progress(l: &mut Ladder) -> MatchId {
    let id = matched_pair(l);
    ok(l.handle(
        T0 + 46 * S,
        Actor::player(1),
        Command::Confirm { match_id: id },
    ));
    ok(l.handle(
        T0 + 47 * S,
        Actor::player(2),
        Command::Confirm { match_id: id },
    ));
    id
}

fn report(l: &mut Ladder, p: PlayerId, id: MatchId, r: Report, now: UnixMillis) -> Effects {
    l.handle(
        now,
        Actor::player(p),
        Command::Report {
            match_id: id,
            report: r,
        },
    )
}

pub(super) fn admin() -> Actor {
    Actor {
        id: 99,
        is_owner: false,
        is_admin: true,
    }
}

fn owner() -> Actor {
    Actor {
        id: 98,
        is_owner: true,
        is_admin: false,
    }
}

fn resolve(l: &mut Ladder, id: MatchId, resolution: Resolution, now: UnixMillis) -> Effects {
    l.handle(
        now,
        admin(),
        Command::Admin {
            reason: "checked the VOD".into(),
            op: AdminOp::Resolve {
                match_id: id,
                resolution,
            },
        },
    )
}

fn rating_of(l: &Ladder, p: PlayerId, race: &str) -> f64 {
    l.rating(p, race).map_or(1500.0, |r| r.rating)
}

// ---- players ----

#[test]
fn terms_gate_everything_else() {
    let mut l = ladder();
    let fx = l.handle(T0, Actor::player(1), Command::Setup(form("Alpha", "EU")));
    assert_eq!(errors(&fx), [&LadderError::NoTos]);
    assert!(fx.writes.is_empty());
    let fx = join(&mut l, 1, "T", T0);
    assert_eq!(errors(&fx), [&LadderError::NoTos]);
    ok(l.handle(
        T0,
        Actor::player(1),
        Command::AcceptTos {
            discord_name: "a".into(),
        },
    ));
    assert_eq!(l.player(1).and_then(|p| p.tos_accepted_at), Some(T0));
    // Accepted but not set up: still no queue.
    assert_eq!(errors(&join(&mut l, 1, "T", T0)), [&LadderError::NotSetUp]);
}

#[test]
fn invalid_setup_changes_nothing_and_names_each_field() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    let before = l.player(1).cloned();
    let mut bad = form("Al", "Mars");
    bad.country = "ZZ".into();
    let fx = l.handle(T0 + S, Actor::player(1), Command::Setup(bad));
    assert!(fx.writes.is_empty());
    match errors(&fx).as_slice() {
        [LadderError::InvalidSetup(fields)] => {
            let names: Vec<Field> = fields.iter().map(|f| f.field).collect();
            assert_eq!(names, [Field::IngameName, Field::Country, Field::Region]);
        }
        other => panic!("expected one InvalidSetup, got {other:?}"),
    }
    assert_eq!(l.player(1).cloned(), before);
}

#[test]
fn setup_changes_keep_history_in_audit_rows() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    let fx = ok(l.handle(
        T0 + S,
        Actor::player(1),
        Command::Setup(form("Omega", "NA")),
    ));
    let audit = fx
        .writes
        .iter()
        .find_map(|w| match w {
            Write::Audit(a) if a.command == "setup" => Some(a),
            _ => None,
        })
        .expect("setup writes an audit row");
    let details = audit.details_json.as_deref().unwrap_or_default();
    assert!(
        details.contains("Alpha") && details.contains("Omega"),
        "{details}"
    );
    assert_eq!(
        l.player(1).and_then(|p| p.region.clone()).as_deref(),
        Some("NA")
    );
}

#[test]
fn banned_player_can_only_read() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    ok(join(&mut l, 1, "T", T0));
    ok(l.handle(
        T0,
        admin(),
        Command::Admin {
            reason: "smurfing".into(),
            op: AdminOp::Ban(1),
        },
    ));
    assert_eq!(l.queue_len(), 0, "a ban takes the player out of the queue");
    assert!(
        matches!(errors(&join(&mut l, 1, "T", T0)).as_slice(), [LadderError::Banned(r)] if r == "smurfing")
    );
    ok(l.handle(
        T0,
        Actor::player(1),
        Command::Profile {
            player: None,
            season: None,
            vs: None,
        },
    ));
    ok(l.handle(
        T0,
        Actor::player(1),
        Command::Leaderboard(LeaderboardQuery::default()),
    ));
    ok(l.handle(
        T0,
        admin(),
        Command::Admin {
            reason: "appeal".into(),
            op: AdminOp::Unban(1),
        },
    ));
    ok(join(&mut l, 1, "T", T0));
}

// ---- queue ----

#[test]
fn join_remembers_preferences_for_next_time() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    let a = Actor::player(1);
    ok(l.handle(
        T0,
        a,
        Command::JoinQueue {
            races: vec!["zerg".into()],
            vetoes: Some(vec!["dynasty le".into()]),
        },
    ));
    ok(l.handle(T0, a, Command::LeaveQueue));
    assert_eq!(l.player(1).map(|p| p.state), Some(PlayerState::Idle));
    let fx = ok(l.handle(
        T0,
        a,
        Command::JoinQueue {
            races: vec![],
            vetoes: None,
        },
    ));
    let prefs = fx
        .writes
        .iter()
        .find_map(|w| match w {
            Write::QueuePrefs(p) => Some(p.clone()),
            _ => None,
        })
        .expect("join writes preferences");
    assert_eq!(prefs.races, ["Z"]);
    assert_eq!(prefs.vetoes, ["Dynasty LE"]);
}

#[test]
fn join_refuses_bad_choices_without_changing_state() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    let a = Actor::player(1);
    type Case = (Vec<String>, Option<Vec<String>>, fn(&LadderError) -> bool);
    let cases: [Case; 4] = [
        (vec!["Orc".into()], None, |e| {
            matches!(e, LadderError::UnknownRace(..))
        }),
        (vec!["T".into(), "Z".into()], None, |e| {
            matches!(e, LadderError::SameGroup(..))
        }),
        (vec!["T".into()], Some(vec!["Nowhere".into()]), |e| {
            matches!(e, LadderError::UnknownMap(_))
        }),
        (
            vec!["T".into()],
            Some(
                [
                    "Alcyone LE",
                    "Amphion LE",
                    "Dynasty LE",
                    "Ghost River LE",
                    "Oceanborn LE",
                ]
                .map(String::from)
                .to_vec(),
            ),
            |e| matches!(e, LadderError::TooManyVetoes(4)),
        ),
    ];
    for (races, vetoes, expected) in cases {
        let fx = l.handle(T0, a, Command::JoinQueue { races, vetoes });
        assert!(fx.writes.is_empty());
        assert!(
            errors(&fx).iter().all(|e| expected(e)) && errors(&fx).len() == 1,
            "{:?}",
            errors(&fx)
        );
    }
    assert_eq!(l.queue_len(), 0);
    ok(join(&mut l, 1, "T", T0));
    assert_eq!(
        errors(&join(&mut l, 1, "T", T0)),
        [&LadderError::AlreadyQueueing]
    );
}

#[test]
fn waves_are_aligned_to_wall_clock_multiples() {
    assert_eq!(next_wave_after(T0 + 1, 45_000), T0 + 45_000);
    assert_eq!(next_wave_after(T0 + 45_000, 45_000), T0 + 90_000);
    let (l, _) = Ladder::new(LadderConfig::default(), 1, T0 + 12_345);
    assert_eq!(l.next_wave_at() % 45_000, 0);
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    ok(join(&mut l, 1, "T", T0 + S));
    ok(join(&mut l, 2, "P", T0 + S));
    l.tick(T0 + 44 * S);
    assert_eq!(l.queue_len(), 2, "no wave before the aligned time");
    let fx = l.tick(T0 + 45 * S);
    assert_eq!(l.queue_len(), 0);
    let lobby: Vec<_> = fx
        .messages
        .iter()
        .filter(|m| m.to == Audience::Lobby)
        .collect();
    assert_eq!(lobby.len(), 1, "one coalesced lobby message per wave");
    let cards = fx
        .messages
        .iter()
        .filter(|m| matches!(m.body, Notice::MatchFound(_)))
        .count();
    assert_eq!(cards, 2);
}

#[test]
fn blocked_regions_are_never_matched() {
    let mut l = ladder_with(config_from("blocked_region_pairs = [[\"EU\", \"KR\"]]"));
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "KR", T0);
    ok(join(&mut l, 1, "T", T0));
    ok(join(&mut l, 2, "T", T0));
    for wave in 1..=20 {
        l.tick(T0 + wave * 45 * S);
    }
    assert_eq!(l.queue_len(), 2, "even past the maximum wait");
    register(&mut l, 3, "Charlie", "NA", T0);
    ok(join(&mut l, 3, "T", T0 + 20 * 45 * S));
    l.tick(T0 + 21 * 45 * S);
    let m = l
        .current_match(3)
        .and_then(|id| l.match_row(id))
        .expect("NA plays EU or KR");
    assert_eq!(m.server, "Americas");
}

#[test]
fn all_maps_vetoed_picks_the_least_vetoed_and_says_so() {
    let mut l = ladder_with(config_from(
        "max_vetoes = 2\n[[ladder.maps]]\nname = \"One\"\n[[ladder.maps]]\nname = \"Two\"\n",
    ));
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    let both = Some(vec!["One".to_owned(), "Two".to_owned()]);
    ok(l.handle(
        T0,
        Actor::player(1),
        Command::JoinQueue {
            races: vec!["T".into()],
            vetoes: both,
        },
    ));
    ok(l.handle(
        T0,
        Actor::player(2),
        Command::JoinQueue {
            races: vec!["T".into()],
            vetoes: Some(vec!["One".into()]),
        },
    ));
    let fx = l.tick(T0 + 45 * S);
    let card = fx
        .messages
        .iter()
        .find_map(|m| match &m.body {
            Notice::MatchFound(c) => Some(c.clone()),
            _ => None,
        })
        .expect("a match was found");
    assert!(card.all_maps_vetoed);
    assert_eq!(card.map.name, "Two");
}

#[test]
fn a_map_either_player_vetoed_is_never_picked() {
    for seed in 0..20 {
        let mut l = Ladder::new(LadderConfig::default(), seed, T0).0;
        register(&mut l, 1, "Alpha", "EU", T0);
        register(&mut l, 2, "Bravo", "EU", T0);
        let v1: Vec<String> = ["Alcyone LE", "Amphion LE", "Crimson Court LE"]
            .map(String::from)
            .to_vec();
        let v2: Vec<String> = ["Dynasty LE", "Ghost River LE", "Goldenaura LE"]
            .map(String::from)
            .to_vec();
        ok(l.handle(
            T0,
            Actor::player(1),
            Command::JoinQueue {
                races: vec!["T".into()],
                vetoes: Some(v1),
            },
        ));
        ok(l.handle(
            T0,
            Actor::player(2),
            Command::JoinQueue {
                races: vec!["T".into()],
                vetoes: Some(v2),
            },
        ));
        l.tick(T0 + 45 * S);
        let m = l
            .current_match(1)
            .and_then(|id| l.match_row(id))
            .expect("matched");
        assert_eq!(m.map, "Oceanborn LE");
    }
}

#[test]
fn cross_play_profile_pairs_across_groups() {
    let mut l = ladder_with(config_from(
        "[[ladder.race_groups]]\nname = \"BW\"\nraces = [{ id = \"BT\", name = \"BW Terran\" }, { id = \"BZ\", name = \"BW Zerg\" }]\n\
         [[ladder.race_groups]]\nname = \"SC2\"\nraces = [{ id = \"T\", name = \"Terran\" }, { id = \"Z\", name = \"Zerg\" }]\n",
    ));
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    let two = |r1: &str, r2: &str| Command::JoinQueue {
        races: vec![r1.into(), r2.into()],
        vetoes: None,
    };
    ok(l.handle(T0, Actor::player(1), two("BT", "Z")));
    ok(l.handle(T0, Actor::player(2), two("BZ", "T")));
    l.tick(T0 + 45 * S);
    let m = l
        .current_match(1)
        .and_then(|id| l.match_row(id))
        .expect("matched");
    let groups = [&m.race1, &m.race2].map(|r| l.config().race(r).map(|x| x.group));
    assert_ne!(groups[0], groups[1], "{} v {}", m.race1, m.race2);
    let fx = l.handle(
        T0,
        Actor::player(3),
        Command::AcceptTos {
            discord_name: "c".into(),
        },
    );
    ok(fx);
    ok(l.handle(T0, Actor::player(3), Command::Setup(form("Charlie", "EU"))));
    let fx = l.handle(T0, Actor::player(3), two("BT", "BZ"));
    assert!(matches!(
        errors(&fx).as_slice(),
        [LadderError::SameGroup(..)]
    ));
}

// ---- matches ----

#[test]
fn both_confirm_starts_the_match_with_the_full_card() {
    let mut l = ladder();
    let id = matched_pair(&mut l);
    ok(l.handle(
        T0 + 46 * S,
        Actor::player(1),
        Command::Confirm { match_id: id },
    ));
    let fx = ok(l.handle(
        T0 + 47 * S,
        Actor::player(2),
        Command::Confirm { match_id: id },
    ));
    let m = l.match_row(id).expect("exists");
    assert_eq!(m.state, MatchState::InProgress);
    assert_eq!(m.started_at, Some(T0 + 47 * S));
    let card = fx
        .messages
        .iter()
        .find_map(|m| match &m.body {
            Notice::MatchStarted(c) => Some(c.clone()),
            _ => None,
        })
        .expect("match card");
    assert_eq!(card.sides[1].battletag, "Bravo#1234");
    assert_eq!(card.sides[0].country, "DE");
    assert_eq!(card.server, "Europe");
    assert!(card.sides[0].provisional);
    assert!((card.win_probability - 0.5).abs() < 1e-9);
}

#[test]
fn reminder_then_timeout_abandons_with_cooldown_and_requeues_the_confirmer() {
    let mut l = ladder();
    let id = matched_pair(&mut l);
    let found_at = T0 + 45 * S;
    ok(l.handle(
        found_at + S,
        Actor::player(1),
        Command::Confirm { match_id: id },
    ));
    let fx = l.tick(found_at + 39 * S);
    assert!(
        !fx.messages
            .iter()
            .any(|m| matches!(m.body, Notice::ConfirmReminder { .. }))
    );
    let fx = l.tick(found_at + 40 * S);
    let reminded: Vec<Audience> = fx
        .messages
        .iter()
        .filter(|m| matches!(m.body, Notice::ConfirmReminder { .. }))
        .map(|m| m.to)
        .collect();
    assert_eq!(
        reminded,
        [Audience::Player(2)],
        "only the player who has not confirmed"
    );
    assert!(
        l.tick(found_at + 41 * S)
            .messages
            .iter()
            .all(|m| !matches!(m.body, Notice::ConfirmReminder { .. }))
    );
    l.tick(found_at + 60 * S);
    let m = l.match_row(id).expect("exists");
    assert_eq!(m.state, MatchState::Abandoned);
    assert_eq!(m.ended_by, Some(2));
    assert_eq!(m.rating1_change, None);
    assert_eq!(l.player(1).map(|p| p.state), Some(PlayerState::Queueing));
    assert_eq!(l.player(2).map(|p| p.state), Some(PlayerState::Idle));
    let fx = join(&mut l, 2, "T", found_at + 61 * S);
    assert!(matches!(errors(&fx).as_slice(), [LadderError::Cooldown(_)]));
    ok(join(&mut l, 2, "T", found_at + 60 * S + 300 * S));
}

#[test]
fn confirm_after_timeout_is_refused_even_before_the_tick() {
    let mut l = ladder();
    let id = matched_pair(&mut l);
    let fx = l.handle(
        T0 + 45 * S + 61 * S,
        Actor::player(1),
        Command::Confirm { match_id: id },
    );
    assert_eq!(errors(&fx), [&LadderError::ConfirmWindowClosed(id)]);
    assert_eq!(
        l.match_row(id).map(|m| m.state),
        Some(MatchState::Abandoned)
    );
    assert!(l.player(1).and_then(|p| p.queue_cooldown_until).is_some());
}

#[test]
fn abort_uses_the_monthly_allowance_which_resets_on_the_first() {
    // No cooldown here: this is about the allowance (`fairness_tests` has
    // the escalating cooldowns).
    let mut l = ladder_with(config_from("strike_cooldown_minutes = [0]"));
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    // 2026-01-31T23:00:00Z: three waves, three aborts by player 1, all in January.
    let jan31 = T0 + 30 * 86_400 * S + 23 * 3_600 * S;
    let mut now = jan31;
    for k in 0..4 {
        ok(join(&mut l, 1, "T", now));
        ok(join(&mut l, 2, "T", now));
        // Rematches wait until their windows have grown past the penalty.
        while l.current_match(1).is_none() {
            now = next_wave_after(now, 45 * S);
            l.tick(now);
        }
        let id = l.current_match(1).expect("paired");
        let fx = l.handle(now + S, Actor::player(1), Command::Abort { match_id: id });
        if k < 3 {
            ok(fx);
            assert_eq!(l.match_row(id).map(|m| m.state), Some(MatchState::Aborted));
        } else {
            assert_eq!(errors(&fx), [&LadderError::NoAbortsLeft]);
            ok(l.handle(now + S, Actor::player(2), Command::Abort { match_id: id }));
        }
        now += 2 * S;
    }
    assert_eq!(l.player(1).map(|p| p.aborts_left), Some(0));
    // One hour later it is February: the allowance is back.
    let feb1 = jan31 + 3_600 * S;
    assert_eq!(time::month_of(feb1), "2026-02");
    ok(join(&mut l, 1, "T", feb1));
    ok(join(&mut l, 2, "T", feb1));
    assert!(now < feb1, "the January aborts all happened in January");
    let mut wave = feb1;
    while l.current_match(1).is_none() {
        wave = next_wave_after(wave, 45 * S);
        l.tick(wave);
    }
    let id = l.current_match(1).expect("paired");
    ok(l.handle(wave + S, Actor::player(1), Command::Abort { match_id: id }));
    assert_eq!(l.player(1).map(|p| p.aborts_left), Some(2));
    assert_eq!(
        l.player(1).and_then(|p| p.aborts_month.clone()).as_deref(),
        Some("2026-02")
    );
}

#[test]
fn agreeing_reports_complete_the_match_and_move_ratings() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    let fx = ok(report(&mut l, 1, id, Report::Win, T0 + 600 * S));
    assert!(
        fx.messages
            .iter()
            .any(|m| matches!(&m.body, Notice::Ack(Ack::ReportSavedWaiting)))
    );
    ok(report(&mut l, 2, id, Report::Loss, T0 + 601 * S));
    let m = l.match_row(id).expect("exists");
    assert_eq!(m.state, MatchState::Completed);
    assert_eq!(m.result, Some(MatchResult::Player1));
    assert_eq!(m.result_source, Some(ResultSource::Reports));
    assert!(rating_of(&l, 1, "T") > 1500.0 && rating_of(&l, 2, "T") < 1500.0);
    assert_eq!(l.rating(1, "T").map(|r| (r.games, r.wins)), Some((1, 1)));
    assert_eq!(l.player(1).map(|p| p.state), Some(PlayerState::Idle));
    assert!(matches!(
        errors(&report(&mut l, 1, id, Report::Win, T0 + 700 * S)).as_slice(),
        [LadderError::AlreadyCompleted(_)]
    ));
}

#[test]
fn simultaneous_reports_give_the_same_result_in_either_order() {
    let finish = |first: PlayerId| {
        let mut l = ladder();
        let id = in_progress(&mut l);
        let (a, b) = if first == 1 { (1, 2) } else { (2, 1) };
        let ra = if a == 1 { Report::Loss } else { Report::Win };
        let rb = if b == 1 { Report::Loss } else { Report::Win };
        ok(report(&mut l, a, id, ra, T0 + 600 * S));
        ok(report(&mut l, b, id, rb, T0 + 600 * S));
        let m = l.match_row(id).expect("exists");
        (
            m.result,
            m.rating1_change,
            m.rating2_change,
            rating_of(&l, 1, "T"),
            rating_of(&l, 2, "T"),
        )
    };
    let one = finish(1);
    assert_eq!(one.0, Some(MatchResult::Player2));
    assert_eq!(one, finish(2));
}

#[test]
fn disagreeing_reports_are_a_conflict_without_rating_change() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    ok(report(&mut l, 1, id, Report::Win, T0 + 600 * S));
    let fx = ok(report(&mut l, 2, id, Report::Win, T0 + 601 * S));
    assert!(
        fx.messages
            .iter()
            .any(|m| m.to == Audience::AdminLog && matches!(m.body, Notice::Conflict { .. }))
    );
    assert_eq!(l.match_row(id).map(|m| m.state), Some(MatchState::Conflict));
    assert_eq!(l.rating(1, "T"), None);
    assert_eq!(l.player(2).map(|p| p.state), Some(PlayerState::Idle));
    // A player may correct their report; agreement completes the match.
    ok(report(&mut l, 2, id, Report::Loss, T0 + 700 * S));
    assert_eq!(
        l.match_row(id).map(|m| m.result),
        Some(Some(MatchResult::Player1))
    );
}

#[test]
fn admin_resolve_is_idempotent_and_recomputes_from_stored_ratings() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    ok(report(&mut l, 1, id, Report::Win, T0 + 600 * S));
    ok(report(&mut l, 2, id, Report::Win, T0 + 601 * S));
    ok(resolve(&mut l, id, Resolution::Player1, T0 + 700 * S));
    let once = (
        rating_of(&l, 1, "T"),
        rating_of(&l, 2, "T"),
        l.rating(1, "T").map(|r| r.games),
    );
    ok(resolve(&mut l, id, Resolution::Player1, T0 + 800 * S));
    let twice = (
        rating_of(&l, 1, "T"),
        rating_of(&l, 2, "T"),
        l.rating(1, "T").map(|r| r.games),
    );
    assert_eq!(once, twice);
    assert_eq!(once.2, Some(1));
    // Changing the verdict replaces the change, it does not stack.
    ok(resolve(&mut l, id, Resolution::Player2, T0 + 900 * S));
    assert!((rating_of(&l, 1, "T") + rating_of(&l, 2, "T") - 3000.0).abs() < 1e-6);
    assert!(rating_of(&l, 2, "T") > 1500.0);
    assert_eq!(
        l.rating(2, "T").map(|r| (r.wins, r.losses, r.games)),
        Some((1, 0, 1))
    );
    assert_eq!(
        l.rating(1, "T").map(|r| (r.wins, r.losses, r.games)),
        Some((0, 1, 1))
    );
    ok(resolve(&mut l, id, Resolution::Invalidate, T0 + 950 * S));
    assert!((rating_of(&l, 1, "T") - 1500.0).abs() < 1e-9);
    assert_eq!(l.rating(1, "T").map(|r| r.games), Some(0));
    assert_eq!(
        l.match_row(id).map(|m| m.state),
        Some(MatchState::Invalidated)
    );
}

#[test]
fn report_after_admin_resolve_is_refused() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    ok(resolve(&mut l, id, Resolution::Draw, T0 + 600 * S));
    let fx = report(&mut l, 1, id, Report::Win, T0 + 601 * S);
    assert_eq!(errors(&fx), [&LadderError::ResolvedByAdmin(id)]);
    assert!(fx.writes.is_empty());
}

fn replay(match_id: MatchId, players: [(&str, &str, bool); 2], uploader: PlayerId) -> Command {
    Command::Replay(ReplayEvidence {
        row: ReplayRow {
            sha256: "a".repeat(64),
            match_id: Some(match_id),
            uploader_id: uploader,
            uploaded_at: T0,
            bytes: 1000,
            build: Some(90_000),
            map_name: None,
            game_started_at: None,
            game_length_s: Some(600),
            summary_json: None,
            winner_slot: None,
            verdict: ReplayVerdict::Verified,
            verdict_detail: "ok".into(),
        },
        players: players
            .iter()
            .map(|(name, race, winner)| ReplayPlayer {
                name: (*name).into(),
                toon: None,
                race: (*race).into(),
                winner: *winner,
            })
            .collect(),
    })
}

#[test]
fn verified_replay_completes_a_mirror_match_by_name_not_race() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    // Both Terran; the replay lists the second player first.
    let fx = ok(l.handle(
        T0 + 600 * S,
        Actor::player(2),
        replay(id, [("bravo", "Terr", true), ("Alpha", "Terr", false)], 2),
    ));
    assert!(
        fx.writes
            .iter()
            .any(|w| matches!(w, Write::Replay(r) if r.winner_slot == Some(2)))
    );
    let m = l.match_row(id).expect("exists");
    assert_eq!(
        (m.state, m.result, m.result_source),
        (
            MatchState::Completed,
            Some(MatchResult::Player2),
            Some(ResultSource::Replay)
        )
    );
    // A report contradicting the verified replay is a conflict with the replay as evidence.
    let fx = ok(report(&mut l, 1, id, Report::Win, T0 + 700 * S));
    assert!(fx.messages.iter().any(|m| matches!(
        m.body,
        Notice::Conflict {
            replay_result: Some(MatchResult::Player2),
            ..
        }
    )));
    assert_eq!(l.match_row(id).map(|m| m.state), Some(MatchState::Conflict));
    let ratings = (rating_of(&l, 1, "T"), rating_of(&l, 2, "T"));
    // Corrected, the report agrees with the replay again: completed, and the
    // replay's rating change was applied once only.
    ok(report(&mut l, 1, id, Report::Loss, T0 + 800 * S));
    let m = l.match_row(id).expect("exists");
    assert_eq!(
        (m.state, m.result),
        (MatchState::Completed, Some(MatchResult::Player2))
    );
    assert_eq!((rating_of(&l, 1, "T"), rating_of(&l, 2, "T")), ratings);
    assert_eq!(l.rating(2, "T").map(|r| r.games), Some(1));
}

#[test]
fn replay_with_unknown_players_is_rejected_and_changes_no_result() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    let fx = l.handle(
        T0 + 600 * S,
        Actor::player(1),
        replay(
            id,
            [("Stranger", "Terr", true), ("Alpha", "Terr", false)],
            1,
        ),
    );
    assert_eq!(errors(&fx), [&LadderError::ReplayPlayersMismatch(id)]);
    assert!(
        fx.writes
            .iter()
            .any(|w| matches!(w, Write::Replay(r) if r.verdict == ReplayVerdict::Rejected))
    );
    assert_eq!(
        l.match_row(id).map(|m| m.state),
        Some(MatchState::InProgress)
    );
}

#[test]
fn only_players_of_the_match_or_admins_attach_replays() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    register(&mut l, 3, "Charlie", "EU", T0);
    let evidence = || replay(id, [("Alpha", "Terr", true), ("Bravo", "Terr", false)], 3);
    let fx = l.handle(T0 + 600 * S, Actor::player(3), evidence());
    assert_eq!(errors(&fx), [&LadderError::NotYourMatch(id)]);
    assert!(fx.writes.is_empty());
    ok(l.handle(T0 + 600 * S, admin(), evidence()));
    assert_eq!(
        l.match_row(id).and_then(|m| m.result),
        Some(MatchResult::Player1)
    );
}

#[test]
fn replay_does_not_override_an_admin_decision() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    ok(resolve(&mut l, id, Resolution::Player1, T0 + 600 * S));
    let r1 = rating_of(&l, 1, "T");
    ok(l.handle(
        T0 + 700 * S,
        Actor::player(2),
        replay(id, [("Bravo", "Terr", true), ("Alpha", "Terr", false)], 2),
    ));
    let m = l.match_row(id).expect("exists");
    assert_eq!(
        (m.result, m.result_source),
        (Some(MatchResult::Player1), Some(ResultSource::Admin))
    );
    assert_eq!(rating_of(&l, 1, "T"), r1);
}

#[test]
fn unreported_matches_are_flagged_once() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    let started = T0 + 47 * S;
    assert!(
        l.tick(started + 119 * 60 * S)
            .messages
            .iter()
            .all(|m| !matches!(m.body, Notice::Flagged { .. }))
    );
    let fx = l.tick(started + 120 * 60 * S);
    assert!(
        fx.messages
            .iter()
            .any(|m| m.to == Audience::AdminLog && m.body == Notice::Flagged { match_id: id })
    );
    assert!(
        l.tick(started + 121 * 60 * S)
            .messages
            .iter()
            .all(|m| !matches!(m.body, Notice::Flagged { .. }))
    );
}

#[test]
fn restart_empties_the_queue_and_open_matches_continue() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    register(&mut l, 3, "Charlie", "EU", T0);
    ok(join(&mut l, 3, "T", T0 + 50 * S));
    // Replay the rows a store would hold (last write wins per key).
    let mut rows = Rows::default();
    for p in [1, 2, 3] {
        rows.players.push(l.player(p).cloned().expect("registered"));
    }
    rows.matches.push(l.match_row(id).expect("exists"));
    rows.seasons.push(l.season().clone());
    let (mut back, fx) = Ladder::from_rows(LadderConfig::default(), 7, rows, T0 + 60 * S);
    assert_eq!(back.queue_len(), 0);
    assert_eq!(back.player(3).map(|p| p.state), Some(PlayerState::Idle));
    assert!(fx.messages.iter().any(|m| m.to == Audience::Player(3)));
    assert_eq!(back.current_match(1), Some(id));
    // The Discord layer gets the open match's card back, with its thread.
    ok(back.handle(
        T0 + 61 * S,
        Actor::player(1),
        Command::SetMatchThread {
            match_id: id,
            thread_id: 777,
        },
    ));
    let cards = back.open_cards();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].0.match_id, id);
    assert_eq!(cards[0].1, Some(777));
    assert_eq!(
        [cards[0].0.sides[0].player_id, cards[0].0.sides[1].player_id],
        [1, 2]
    );
    ok(report(&mut back, 1, id, Report::Win, T0 + 600 * S));
    ok(report(&mut back, 2, id, Report::Loss, T0 + 601 * S));
    assert_eq!(
        back.match_row(id).map(|m| m.state),
        Some(MatchState::Completed)
    );
    assert!(back.open_cards().is_empty());
    // Its thread is now a finished match's thread, until it is deleted.
    assert_eq!(back.finished_threads(), vec![(id, 777, T0 + 601 * S)]);
    ok(back.handle(
        T0 + 602 * S,
        Actor::player(1),
        Command::ClearMatchThread { match_id: id },
    ));
    assert!(back.finished_threads().is_empty());
    assert_eq!(back.match_row(id).and_then(|m| m.thread_id), None);
    // New match ids continue after the stored ones.
    ok(join(&mut back, 1, "T", T0 + 602 * S));
    ok(join(&mut back, 2, "T", T0 + 602 * S));
    // Their ratings are now far apart: they meet once the maximum wait is past.
    for wave in 0..10 {
        back.tick(T0 + 630 * S + wave * 45 * S);
        if back.current_match(1).is_some() {
            break;
        }
    }
    assert!(back.current_match(1).is_some_and(|m| m > id));
}

// ---- ratings and reads ----

fn rated_ladder(n: u64, now: UnixMillis) -> Ladder {
    let mut rows = Rows::default();
    let base = ladder();
    rows.seasons.push(base.season().clone());
    for id in 1..=n {
        let mut l = ladder();
        register(&mut l, id, "Player", "EU", T0);
        let mut p = l.player(id).cloned().expect("registered");
        p.country = Some(if id % 2 == 0 {
            "KR".into()
        } else {
            "DE".into()
        });
        rows.players.push(p);
        for (k, race) in ["T", "Z"].iter().enumerate() {
            rows.ratings.push(RatingRow {
                season_id: 1,
                player_id: id,
                race: (*race).into(),
                rating: 1000.0 + id as f64 * 10.0 + k as f64,
                deviation: 80.0,
                volatility: 0.06,
                games: 10,
                wins: 5,
                losses: 5,
                draws: 0,
                last_played_at: Some(now - 86_400 * S),
            });
        }
    }
    Ladder::from_rows(LadderConfig::default(), 1, rows, now).0
}

fn board(l: &Ladder, q: LeaderboardQuery) -> LeaderboardPage {
    l.leaderboard_page(T0, &q).expect("valid query")
}

#[test]
fn leaderboard_filters_sorts_and_pages_by_40() {
    let l = rated_ladder(50, T0);
    let all = board(
        &l,
        LeaderboardQuery {
            page: 1,
            ..Default::default()
        },
    );
    assert_eq!((all.total, all.pages, all.rows.len()), (100, 3, 40));
    assert!(all.rows.windows(2).all(|w| w[0].rating >= w[1].rating));
    assert_eq!(all.rows[0].rank, Some(Rank::S));
    let last = board(
        &l,
        LeaderboardQuery {
            page: 9,
            ..Default::default()
        },
    );
    assert_eq!((last.page, last.rows.len()), (3, 20));
    assert_eq!(last.rows.last().and_then(|r| r.rank), Some(Rank::F));
    let best = board(
        &l,
        LeaderboardQuery {
            best_race_only: true,
            ..Default::default()
        },
    );
    assert_eq!(best.total, 50);
    assert!(best.rows.iter().all(|r| r.race == "Z"));
    let kr_t = board(
        &l,
        LeaderboardQuery {
            countries: vec!["kr".into()],
            races: vec!["T".into()],
            ..Default::default()
        },
    );
    assert_eq!(kr_t.total, 25);
    assert!(kr_t.rows.iter().all(|r| r.country == "KR" && r.race == "T"));
    let s_only = board(
        &l,
        LeaderboardQuery {
            ranks: vec![Rank::S],
            ..Default::default()
        },
    );
    assert_eq!(s_only.total, 1);
    assert!(
        l.leaderboard_page(
            T0,
            &LeaderboardQuery {
                races: vec!["Orc".into()],
                ..Default::default()
            }
        )
        .is_err()
    );
}

#[test]
fn inactive_player_races_are_unranked() {
    let l = rated_ladder(10, T0);
    let later = T0 + 20 * 86_400 * S;
    let page = l
        .leaderboard_page(later, &LeaderboardQuery::default())
        .expect("valid");
    assert!(page.rows.iter().all(|r| r.rank.is_none()));
}

#[test]
fn profile_shows_races_totals_and_aborts_left() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    ok(report(&mut l, 1, id, Report::Win, T0 + 600 * S));
    ok(report(&mut l, 2, id, Report::Loss, T0 + 601 * S));
    let fx = ok(l.handle(
        T0 + 700 * S,
        Actor::player(3),
        Command::Profile {
            player: Some(1),
            season: None,
            vs: None,
        },
    ));
    let Some(Notice::Profile(p)) = fx.messages.first().map(|m| &m.body) else {
        panic!("expected a profile");
    };
    assert_eq!((p.wins, p.losses, p.draws), (1, 0, 0));
    assert_eq!(p.games_last, [1, 1, 1]);
    assert_eq!(p.aborts_left, 3);
    let t = &p.races[0];
    assert!(t.provisional && t.interval.0 < t.rating && t.rating < t.interval.1);
    assert_eq!(t.win_rate, Some(1.0));
    let fx = ok(l.handle(
        T0 + 700 * S,
        Actor::player(2),
        Command::History {
            player: None,
            page: 1,
        },
    ));
    let Some(Notice::History(h)) = fx.messages.first().map(|m| &m.body) else {
        panic!("expected history");
    };
    assert_eq!(h.entries[0].outcome, Some("loss"));
    assert_eq!(h.entries[0].opponent_name, "Alpha");
    assert!(h.entries[0].rating_change.is_some_and(|c| c < 0.0));
}

#[test]
fn elo_option_uses_the_original_constants() {
    let mut l = ladder_with(config_from("rating_system = \"elo\""));
    assert_eq!(l.config().rating.system, RatingSystem::Elo);
    let id = in_progress(&mut l);
    ok(report(&mut l, 1, id, Report::Win, T0 + 600 * S));
    ok(report(&mut l, 2, id, Report::Loss, T0 + 601 * S));
    assert!((rating_of(&l, 1, "T") - 1520.0).abs() < 1e-9);
    assert_eq!(l.rating(1, "T").map(|r| r.deviation), Some(0.0));
}

// ---- admin ----

#[test]
fn admin_operations_need_rights_and_are_each_audited() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    ok(join(&mut l, 1, "T", T0));
    let fx = l.handle(
        T0,
        Actor::player(1),
        Command::Admin {
            reason: "x".into(),
            op: AdminOp::ClearQueue,
        },
    );
    assert_eq!(errors(&fx), [&LadderError::NotAdmin]);
    let fx = l.handle(
        T0,
        admin(),
        Command::Admin {
            reason: "x".into(),
            op: AdminOp::GrantAdmin(1),
        },
    );
    assert_eq!(errors(&fx), [&LadderError::NotOwner]);
    let fx = l.handle(
        T0,
        admin(),
        Command::Admin {
            reason: " ".into(),
            op: AdminOp::ClearQueue,
        },
    );
    assert_eq!(errors(&fx), [&LadderError::NoReason]);
    let ops = [
        (admin(), AdminOp::Snapshot),
        (admin(), AdminOp::InspectPlayer(1)),
        (
            admin(),
            AdminOp::AdjustRating {
                player: 1,
                race: "t".into(),
                adjustment: RatingAdjustment::Add(25.0),
            },
        ),
        (
            admin(),
            AdminOp::AdjustRating {
                player: 1,
                race: "T".into(),
                adjustment: RatingAdjustment::Subtract(5.0),
            },
        ),
        (admin(), AdminOp::RemoveFromQueue(1)),
        (admin(), AdminOp::ResetAborts(1)),
        (admin(), AdminOp::ResetToIdle(1)),
        (admin(), AdminOp::ClearQueue),
        (owner(), AdminOp::GrantAdmin(1)),
    ];
    for (who, op) in ops {
        let name = format!("{op:?}");
        let fx = ok(l.handle(
            T0 + S,
            who,
            Command::Admin {
                reason: "testing".into(),
                op,
            },
        ));
        let audited = fx.writes.iter().any(|w| {
            matches!(w, Write::AdminAction(a) if a.admin_id == who.id && a.reason == "testing" && a.at == T0 + S)
        });
        assert!(audited, "{name} was not audited");
    }
    assert_eq!(rating_of(&l, 1, "T"), 1520.0);
    assert!(
        l.is_admin(Actor::player(1)),
        "granted admin lives on the player row"
    );
    ok(l.handle(
        T0 + 2 * S,
        owner(),
        Command::Admin {
            reason: "done".into(),
            op: AdminOp::RevokeAdmin(1),
        },
    ));
    assert!(!l.is_admin(Actor::player(1)));
}

#[test]
fn ending_a_season_archives_and_soft_resets_ratings() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    ok(report(&mut l, 1, id, Report::Win, T0 + 600 * S));
    ok(report(&mut l, 2, id, Report::Loss, T0 + 601 * S));
    let r1 = rating_of(&l, 1, "T");
    let fx = ok(l.handle(
        T0 + 700 * S,
        admin(),
        Command::Admin {
            reason: "end of season".into(),
            op: AdminOp::EndSeason {
                next_name: "Season 2".into(),
                map_pool: vec!["dynasty le".into(), "Oceanborn LE".into()],
            },
        },
    ));
    let seasons: Vec<&SeasonRow> = fx
        .writes
        .iter()
        .filter_map(|w| match w {
            Write::Season(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(seasons.len(), 2);
    assert_eq!(seasons[0].ended_at, Some(T0 + 700 * S));
    assert_eq!(seasons[1].map_pool, ["Dynasty LE", "Oceanborn LE"]);
    assert_eq!(l.season().id, 2);
    let now = l.rating(1, "T").expect("carried over");
    assert_eq!(now.season_id, 2);
    assert!((now.rating - (1500.0 + (r1 - 1500.0) * 0.5)).abs() < 1e-9);
    assert_eq!(now.games, 0);
    // Vetoes must now name maps of the new pool.
    register(&mut l, 5, "Echo", "EU", T0);
    let fx = l.handle(
        T0 + 800 * S,
        Actor::player(5),
        Command::JoinQueue {
            races: vec!["T".into()],
            vetoes: Some(vec!["Alcyone LE".into()]),
        },
    );
    assert!(matches!(
        errors(&fx).as_slice(),
        [LadderError::UnknownMap(_)]
    ));
}

#[test]
fn queue_view_counts_races_and_time_to_the_wave() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    ok(join(&mut l, 1, "T", T0 + 10 * S));
    ok(join(&mut l, 2, "Z", T0 + 10 * S));
    let fx = ok(l.handle(T0 + 15 * S, Actor::player(3), Command::QueueView));
    let Some(Notice::Queue(v)) = fx.messages.first().map(|m| &m.body) else {
        panic!("expected the queue view");
    };
    assert_eq!(v.per_race[..2], [("T".to_owned(), 1), ("Z".to_owned(), 1)]);
    assert_eq!(v.seconds_to_next_wave, 30);
    assert_eq!(v.active_last_15_min, 3);
}

#[test]
fn rematches_are_avoided_when_others_are_available() {
    let mut l = ladder();
    for (id, name) in [(1, "Alpha"), (2, "Bravo"), (3, "Charlie"), (4, "Delta")] {
        register(&mut l, id, name, "EU", T0);
    }
    // 1 v 2 and 3 v 4 play first...
    ok(join(&mut l, 1, "T", T0));
    ok(join(&mut l, 2, "T", T0));
    l.tick(T0 + 45 * S);
    ok(join(&mut l, 3, "T", T0 + 46 * S));
    ok(join(&mut l, 4, "T", T0 + 46 * S));
    l.tick(T0 + 90 * S);
    for p in [1, 3] {
        let id = l.current_match(p).expect("paired");
        ok(resolve(&mut l, id, Resolution::Draw, T0 + 100 * S));
    }
    // ...then all four queue: the new pairs are 1 v 3/4 and 2 v the other.
    for p in 1..=4 {
        ok(join(&mut l, p, "T", T0 + 101 * S));
    }
    l.tick(T0 + 135 * S);
    let m = l
        .current_match(1)
        .and_then(|id| l.match_row(id))
        .expect("paired");
    assert_ne!(m.player2_id, 2);
}

// ---- whole-machine properties ----

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn command(kind: u8, x: u8, y: u8, current: Option<MatchId>) -> Command {
        let race = ["T", "Z", "P", "R", "Orc", ""][usize::from(x % 6)];
        let maps = [
            "Alcyone LE",
            "Dynasty LE",
            "Nowhere",
            "Oceanborn LE",
            "Amphion LE",
        ];
        let report = [Report::Win, Report::Loss, Report::Draw][usize::from(y % 3)];
        let match_id = match current {
            Some(m) if !y.is_multiple_of(4) => m,
            _ => MatchId::from(y % 6),
        };
        let target = PlayerId::from(x % 6);
        match kind % 16 {
            0 => Command::AcceptTos {
                discord_name: format!("user{x}"),
            },
            1 => Command::Setup(form(
                ["Alpha", "Bravo", "Ch", "Delta"][usize::from(x % 4)],
                ["EU", "NA", "KR", "Mars"][usize::from(y % 4)],
            )),
            2 | 3 => Command::JoinQueue {
                races: if race.is_empty() {
                    vec![]
                } else {
                    vec![race.into()]
                },
                vetoes: (!y.is_multiple_of(3)).then(|| {
                    maps.iter()
                        .take(usize::from(y % 6))
                        .map(|m| (*m).to_owned())
                        .collect()
                }),
            },
            4 => Command::LeaveQueue,
            5 | 6 => Command::Confirm { match_id },
            7 => Command::Abort { match_id },
            8 | 9 => Command::Report { match_id, report },
            10 => Command::Profile {
                player: Some(target),
                season: None,
                vs: None,
            },
            11 => Command::Leaderboard(LeaderboardQuery {
                page: usize::from(y),
                ..Default::default()
            }),
            12 => Command::History {
                player: None,
                page: usize::from(y),
            },
            13 => Command::Confirm { match_id },
            14 => Command::Admin {
                reason: if y.is_multiple_of(5) {
                    String::new()
                } else {
                    "prop".into()
                },
                op: match y % 7 {
                    0 => AdminOp::Ban(target),
                    1 => AdminOp::Unban(target),
                    2 => AdminOp::Resolve {
                        match_id,
                        resolution: [
                            Resolution::Player1,
                            Resolution::Player2,
                            Resolution::Draw,
                            Resolution::Invalidate,
                        ][usize::from(x % 4)],
                    },
                    3 => AdminOp::ResetToIdle(target),
                    4 => AdminOp::ClearQueue,
                    5 => AdminOp::AdjustRating {
                        player: target,
                        race: race.into(),
                        adjustment: RatingAdjustment::Add(f64::from(x)),
                    },
                    _ => AdminOp::ResetAborts(target),
                },
            },
            _ => Command::Replay(
                match replay(
                    match_id,
                    [
                        ("Alpha", "T", x.is_multiple_of(2)),
                        ("Bravo", "T", !x.is_multiple_of(2)),
                    ],
                    target,
                ) {
                    Command::Replay(ev) => ev,
                    _ => unreachable!("replay() builds a Replay command"),
                },
            ),
        }
    }

    /// What a well-behaved player would do next, so that random runs reach
    /// matches, reports and conflicts instead of failing at the door.
    fn natural(l: &Ladder, id: PlayerId, y: u8) -> Command {
        let report = [Report::Win, Report::Loss, Report::Draw][usize::from(y / 3 % 3)];
        match l.current_match(id).and_then(|m| l.matches.get(&m)) {
            Some(m) if y.is_multiple_of(10) => Command::Abort { match_id: m.id },
            Some(m) if m.state == MatchState::Found => Command::Confirm { match_id: m.id },
            Some(m) => Command::Report {
                match_id: m.id,
                report,
            },
            None if l.queue.contains_key(&id) && y.is_multiple_of(8) => Command::LeaveQueue,
            None => Command::JoinQueue {
                races: vec!["T".into()],
                vetoes: None,
            },
        }
    }

    /// Player states agree with the queue and the open matches.
    fn consistent(l: &Ladder) -> Result<(), String> {
        for (id, p) in &l.players {
            let queued = l.queue.contains_key(id);
            let in_match = l.in_match.get(id);
            match p.state {
                PlayerState::Queueing if !queued => {
                    return Err(format!("{id} queueing but not queued"));
                }
                PlayerState::InMatch if in_match.is_none() => {
                    return Err(format!("{id} in_match without a match"));
                }
                PlayerState::Idle if queued || in_match.is_some() => {
                    return Err(format!("{id} idle but busy"));
                }
                _ => {}
            }
            if let Some(m) = in_match.and_then(|m| l.matches.get(m))
                && !matches!(m.state, MatchState::Found | MatchState::InProgress)
            {
                return Err(format!("{id} held by closed match {}", m.id));
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_commands_never_panic_and_refusals_change_nothing(
            steps in proptest::collection::vec((0u8..6, any::<u8>(), any::<u8>(), any::<u8>(), 0u32..25), 1..150),
        ) {
            let mut l = ladder();
            for (id, name) in [(1, "Alpha"), (2, "Bravo"), (3, "Charlie"), (4, "Delta")] {
                register(&mut l, id, name, if id == 4 { "KR" } else { "EU" }, T0);
            }
            let mut now = T0;
            for (who, kind, x, y, advance) in steps {
                now += i64::from(advance) * S;
                if kind % 8 == 0 {
                    l.tick(now);
                } else {
                    let actor = if who == 0 { admin() } else { Actor::player(PlayerId::from(who)) };
                    let mut before = l.clone();
                    before.last_seen.insert(actor.id, now);
                    let current = l.current_match(actor.id).or_else(|| l.matches.last_id());
                    let cmd = if y % 3 != 0 && who != 0 {
                        natural(&l, actor.id, y)
                    } else {
                        command(kind, x, y, current)
                    };
                    let fx = l.handle(now, actor, cmd);
                    if fx.writes.is_empty() && !errors(&fx).is_empty() {
                        prop_assert!(l == before, "a refused command changed state: {:?}", errors(&fx));
                    }
                }
                prop_assert_eq!(consistent(&l), Ok(()));
            }
        }
    }
}

#[test]
fn a_replay_proves_one_match_only() {
    let mut l = ladder();
    let first = in_progress(&mut l);
    ok(l.handle(
        T0 + 60 * S,
        Actor::player(1),
        replay(
            first,
            [("Alpha", "Terran", true), ("Bravo", "Terran", false)],
            1,
        ),
    ));
    assert_eq!(
        l.matches.get(&first).expect("known match").state,
        MatchState::Completed
    );
    // The same file (same sha256) offered for the next match is refused, and
    // stored as rejected — never a second verified row the database would refuse.
    register(&mut l, 3, "Charlie", "EU", T0);
    register(&mut l, 4, "Delta", "EU", T0);
    ok(join(&mut l, 3, "T", T0 + 61 * S));
    ok(join(&mut l, 4, "T", T0 + 61 * S));
    l.tick(T0 + 90 * S);
    let second = l.current_match(3).expect("paired");
    for p in [3, 4] {
        ok(l.handle(
            T0 + 91 * S,
            Actor::player(p),
            Command::Confirm { match_id: second },
        ));
    }
    let fx = l.handle(
        T0 + 92 * S,
        Actor::player(3),
        replay(
            second,
            [("Charlie", "Terran", true), ("Delta", "Terran", false)],
            3,
        ),
    );
    assert!(
        fx.messages
            .iter()
            .any(|m| matches!(m.body, Notice::Error(_))),
        "{fx:?}"
    );
    assert!(
        fx.writes
            .iter()
            .any(|w| matches!(w, Write::Replay(r) if r.verdict == ReplayVerdict::Rejected))
    );
    assert_eq!(
        l.matches.get(&second).expect("known match").state,
        MatchState::InProgress
    );
}

#[test]
fn a_verified_replay_without_a_usable_hash_proves_nothing() {
    let mut l = ladder();
    let id = in_progress(&mut l);
    let Command::Replay(mut ev) = replay(
        id,
        [("Alpha", "Terran", true), ("Bravo", "Terran", false)],
        1,
    ) else {
        unreachable!("`replay` builds a replay command")
    };
    // Uppercase: the same digest, but not as ladderd writes it (file names).
    ev.row.sha256 = "A".repeat(64);
    let fx = ok(l.handle(T0 + 60 * S, Actor::player(1), Command::Replay(ev)));
    assert!(
        fx.writes.iter().any(|w| matches!(
            w,
            Write::Replay(r) if r.verdict == ReplayVerdict::Rejected
                && r.verdict_detail.contains("hash")
        )),
        "{fx:?}"
    );
    assert_eq!(
        l.matches.get(&id).expect("known match").state,
        MatchState::InProgress
    );
    assert!(l.replay_files.is_empty() && l.used_replays.is_empty());
    // The same file with its hash as written proves the match.
    ok(l.handle(
        T0 + 61 * S,
        Actor::player(1),
        replay(
            id,
            [("Alpha", "Terran", true), ("Bravo", "Terran", false)],
            1,
        ),
    ));
    assert_eq!(
        l.matches.get(&id).expect("known match").state,
        MatchState::Completed
    );
    let sha: crate::replay::Sha256 = "a".repeat(64).parse().expect("a sha256");
    assert!(l.replay_used(&sha));
    assert_eq!(l.replay_files.get(&id), Some(&sha));
}

// ---- live reconfiguration ----

fn with_maps(mut c: LadderConfig, names: &[&str]) -> LadderConfig {
    c.maps = names
        .iter()
        .map(|n| MapInfo {
            name: (*n).into(),
            replay_name: format!("{n} (replay)"),
            link: None,
            author: None,
        })
        .collect();
    c
}

fn join_vetoing(l: &mut Ladder, id: PlayerId, vetoes: &[&str], now: UnixMillis) {
    ok(l.handle(
        now,
        Actor::player(id),
        Command::JoinQueue {
            races: vec!["T".into()],
            vetoes: Some(vetoes.iter().map(|v| (*v).to_string()).collect()),
        },
    ));
}

#[test]
fn reconfigure_with_the_same_config_changes_nothing() {
    let mut l = ladder();
    matched_pair(&mut l);
    let before = l.clone();
    let done = l
        .reconfigure(T0 + 50 * S, LadderConfig::default())
        .expect("the same config is accepted");
    assert!(done.changed.is_empty());
    assert_eq!(done.effects, Effects::default());
    assert!(l == before);
}

#[test]
fn refused_reconfigure_names_each_key_and_changes_nothing() {
    let mut l = ladder();
    matched_pair(&mut l);
    register(&mut l, 3, "Charlie", "EU", T0 + 46 * S);
    join_vetoing(&mut l, 3, &["Alcyone LE"], T0 + 46 * S);
    let before = l.clone();
    // Live changes (maps, wave) together with refused ones: all or nothing.
    let mut c = with_maps(
        config_from("wave_interval_s = 60\nseason_name = \"Other\"\nrating_system = \"elo\"\n"),
        &["Amphion LE"],
    );
    c.races.pop();
    let err = l.reconfigure(T0 + 47 * S, c).unwrap_err();
    let keys: Vec<&str> = err.refused.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys,
        [
            "ladder.season_name",
            "ladder.race_groups",
            "ladder.rating_system"
        ]
    );
    let text = err.to_string();
    assert!(
        text.contains("`ladder.race_groups` cannot change"),
        "{text}"
    );
    assert!(l == before, "a refused reconfigure changed the ladder");
    for section in [
        "initial_rating = 1200",
        "[[ladder.regions]]\nid = \"EU\"\nserver = \"Europe\"",
    ] {
        let err = l
            .reconfigure(T0 + 47 * S, config_from(section))
            .unwrap_err();
        assert_eq!(err.refused.len(), 1, "{err}");
        assert!(l == before);
    }
}

#[test]
fn removed_maps_leave_the_pool_and_the_vetoes_but_open_matches_keep_theirs() {
    let all = ["Alcyone LE", "Amphion LE", "Crimson Court LE", "Dynasty LE"];
    let mut l = ladder_with(with_maps(LadderConfig::default(), &all));
    let id = matched_pair(&mut l);
    let played = l.match_row(id).expect("made").map.clone();
    let vetoed: Vec<&str> = all.iter().copied().filter(|m| *m != played).collect();
    register(&mut l, 3, "Charlie", "EU", T0 + 46 * S);
    join_vetoing(&mut l, 3, &vetoed[..2], T0 + 46 * S);

    // Remove the open match's map and the first veto; add a new map.
    let kept: Vec<&str> = all
        .iter()
        .copied()
        .filter(|m| *m != played && *m != vetoed[0])
        .chain(["Ghost River LE"])
        .collect();
    let done = l
        .reconfigure(T0 + 50 * S, with_maps(LadderConfig::default(), &kept))
        .expect("the map pool is live");
    assert_eq!(done.changed, ["ladder.maps"]);
    let mut pool = l.season().map_pool.clone();
    pool.sort();
    let mut want: Vec<String> = kept.iter().map(|m| (*m).to_string()).collect();
    want.sort();
    assert_eq!(pool, want);
    assert!(
        done.effects
            .writes
            .iter()
            .any(|w| matches!(w, Write::Season(s) if s.map_pool == l.season().map_pool)),
        "the new pool is persisted"
    );
    // The queue entry and the remembered preference lost the removed veto.
    assert_eq!(l.queue[&3].vetoes, [vetoed[1]]);
    assert!(
        done.effects.writes.iter().any(
            |w| matches!(w, Write::QueuePrefs(p) if p.player_id == 3 && p.vetoes == [vetoed[1]])
        )
    );
    assert!(
        done.effects
            .messages
            .iter()
            .any(|m| m.to == Audience::Lobby)
    );
    // The open match still plays its map, with the replay name to verify it.
    let card = l.card(&l.match_row(id).expect("open"), false);
    assert_eq!(card.map.name, played);
    assert_eq!(card.map.replay_name, format!("{played} (replay)"));
    // New vetoes of a removed map are refused.
    register(&mut l, 4, "Delta", "EU", T0 + 51 * S);
    let fx = l.handle(
        T0 + 51 * S,
        Actor::player(4),
        Command::JoinQueue {
            races: vec!["T".into()],
            vetoes: Some(vec![played.clone()]),
        },
    );
    assert_eq!(errors(&fx), [&LadderError::UnknownMap(played)]);
}

#[test]
fn new_matches_use_only_the_reloaded_pool() {
    let mut l = ladder();
    l.reconfigure(T0, with_maps(LadderConfig::default(), &["Pylon LE"]))
        .expect("the map pool is live");
    let id = matched_pair(&mut l);
    assert_eq!(l.match_row(id).map(|m| m.map), Some("Pylon LE".to_owned()));
}

#[test]
fn lowering_max_vetoes_trims_queue_entries_and_preferences() {
    let mut l = ladder();
    register(&mut l, 3, "Charlie", "EU", T0);
    join_vetoing(&mut l, 3, &["Alcyone LE", "Amphion LE", "Dynasty LE"], T0);
    let done = l
        .reconfigure(T0 + S, config_from("max_vetoes = 1\n"))
        .expect("max_vetoes is live");
    assert_eq!(done.changed, ["ladder.max_vetoes"]);
    assert_eq!(l.queue[&3].vetoes, ["Alcyone LE"]);
    assert_eq!(l.prefs[&3].vetoes, ["Alcyone LE"]);
}

#[test]
fn a_new_wave_interval_keeps_the_announced_wave_unless_it_comes_sooner() {
    let mut l = ladder();
    assert_eq!(l.next_wave_at(), T0 + 45 * S);
    // Longer: the wave players were promised still comes, then the new rhythm.
    l.reconfigure(T0 + 10 * S, config_from("wave_interval_s = 3600\n"))
        .expect("the wave interval is live");
    assert_eq!(l.next_wave_at(), T0 + 45 * S);
    l.tick(T0 + 45 * S);
    assert_eq!(l.next_wave_at(), T0 + 3_600 * S);
    // Shorter: the next multiple of the new interval.
    l.reconfigure(T0 + 100 * S, config_from("wave_interval_s = 30\n"))
        .expect("the wave interval is live");
    assert_eq!(l.next_wave_at(), T0 + 120 * S);
}

#[test]
fn a_new_confirm_window_applies_to_new_matches_and_keeps_shown_deadlines() {
    let mut l = ladder();
    let id = matched_pair(&mut l);
    let found_at = T0 + 45 * S;
    l.reconfigure(found_at + S, config_from("confirm_window_s = 10\n"))
        .expect("the confirm window is live");
    // The match shown "confirm within 60 s" is not expired by the shorter window.
    l.tick(found_at + 30 * S);
    assert_eq!(l.match_row(id).map(|m| m.state), Some(MatchState::Found));
    let card = l.card(&l.match_row(id).expect("open"), false);
    assert_eq!(card.confirm_by, found_at + 60 * S);
    l.tick(found_at + 60 * S);
    assert_eq!(
        l.match_row(id).map(|m| m.state),
        Some(MatchState::Abandoned)
    );
    // A match made after the reload gets the new window.
    register(&mut l, 3, "Charlie", "EU", found_at + 61 * S);
    register(&mut l, 4, "Delta", "EU", found_at + 61 * S);
    ok(join(&mut l, 3, "T", found_at + 61 * S));
    ok(join(&mut l, 4, "T", found_at + 61 * S));
    let wave = l.next_wave_at();
    l.tick(wave);
    let next = l.current_match(3).expect("the wave paired them");
    assert_ne!(next, id);
    l.tick(wave + 10 * S);
    assert_eq!(
        l.match_row(next).map(|m| m.state),
        Some(MatchState::Abandoned)
    );
}

#[test]
fn admin_check_answers_without_changing_anything() {
    let mut l = ladder();
    register(&mut l, 5, "Echo", "EU", T0);
    let before = l.clone();
    let fx = l.handle(T0 + S, Actor::player(5), Command::AdminCheck);
    assert!(fx.writes.is_empty());
    assert!(
        fx.messages
            .iter()
            .any(|m| m.body == Notice::Error(LadderError::NotAdmin)),
        "{fx:?}"
    );
    let fx = l.handle(T0 + S, admin(), Command::AdminCheck);
    assert!(fx.messages.is_empty() && fx.writes.is_empty(), "{fx:?}");
    // Only `last_seen` moved.
    assert_eq!(l.player(5), before.player(5));
}
