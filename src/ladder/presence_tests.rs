//! Presence (#15 items 1 and 2): queue expiry and `/notifications`, driven
//! through `handle` and `tick` only, each at an explicit `now`.

use super::presence::{ANSWER_WITHIN_MS, MAX_PINGS_PER_JOIN};
use super::tests::{S, T0, admin, errors, join, ladder, ok, register};
use super::*;

const MIN: i64 = 60 * S;

fn told(fx: &Effects, to: PlayerId) -> Vec<&Notice> {
    fx.messages
        .iter()
        .filter(|m| m.to == Audience::Player(to))
        .map(|m| &m.body)
        .collect()
}

fn pinged(fx: &Effects) -> Vec<PlayerId> {
    fx.messages
        .iter()
        .filter(|m| matches!(m.body, Notice::SomeoneSearching { .. }))
        .filter_map(|m| match m.to {
            Audience::Player(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn subscribe(l: &mut Ladder, p: PlayerId, now: UnixMillis, s: NotifySettings) -> Effects {
    l.handle(now, Actor::player(p), Command::Notifications(s))
}

fn on() -> NotifySettings {
    NotifySettings {
        enabled: Some(true),
        ..NotifySettings::default()
    }
}

// ---- queue expiry ----

#[test]
fn a_searcher_is_asked_after_the_expiry_and_removed_without_an_answer() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    ok(join(&mut l, 1, "T", T0));
    assert!(told(&l.tick(T0 + 30 * MIN - S), 1).is_empty());
    let fx = l.tick(T0 + 30 * MIN);
    assert!(matches!(
        told(&fx, 1).as_slice(),
        [Notice::StillSearching {
            searching_minutes: 30,
            ..
        }]
    ));
    // Asked once, not every tick.
    assert!(told(&l.tick(T0 + 30 * MIN + S), 1).is_empty());
    let fx = l.tick(T0 + 30 * MIN + ANSWER_WITHIN_MS);
    assert_eq!(told(&fx, 1), [&Notice::QueueExpired]);
    assert!(
        fx.messages
            .iter()
            .any(|m| m.body == Notice::QueueExpired && m.outbox.is_some()),
        "the removal is durable: the player is told even across a restart"
    );
    assert_eq!(l.player(1).map(|p| p.state), Some(PlayerState::Idle));
    assert_eq!(l.queue_len(), 0);
    l.check_consistency().expect("consistent");
}

#[test]
fn answering_keeps_the_searcher_for_another_period() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    ok(join(&mut l, 1, "T", T0));
    l.tick(T0 + 30 * MIN);
    ok(l.handle(
        T0 + 30 * MIN + 10 * S,
        Actor::player(1),
        Command::StayInQueue,
    ));
    l.tick(T0 + 32 * MIN);
    assert_eq!(l.player(1).map(|p| p.state), Some(PlayerState::Queueing));
    // The next question comes a whole period after the answer.
    assert!(told(&l.tick(T0 + 60 * MIN), 1).is_empty());
    let fx = l.tick(T0 + 60 * MIN + 10 * S);
    assert!(matches!(
        told(&fx, 1).as_slice(),
        [Notice::StillSearching { .. }]
    ));
    // Answering while not in the queue is an error that changes nothing.
    let fx = l.handle(T0, Actor::player(2), Command::StayInQueue);
    assert_eq!(errors(&fx), [&LadderError::NotQueueing]);
}

#[test]
fn an_asked_searcher_is_left_out_of_waves_until_they_answer() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    ok(join(&mut l, 1, "T", T0));
    // Player 1 is asked at the wave's own instant, before it runs.
    let asked_at = T0 + 30 * MIN;
    l.tick(asked_at);
    ok(join(&mut l, 2, "T", asked_at));
    let wave = next_wave_after(asked_at, l.config().matchmaker.wave_interval_ms);
    assert!(wave - asked_at < ANSWER_WITHIN_MS);
    l.tick(wave);
    assert_eq!(l.current_match(1), None, "not matched while asked");
    ok(l.handle(wave + S, Actor::player(1), Command::StayInQueue));
    let next = next_wave_after(wave, l.config().matchmaker.wave_interval_ms);
    l.tick(next);
    assert!(l.current_match(1).is_some(), "matched once they answered");
}

#[test]
fn expiry_zero_never_asks() {
    let mut l = Ladder::new(super::tests::config_from("queue_expiry_minutes = 0"), 7, T0).0;
    register(&mut l, 1, "Alpha", "EU", T0);
    ok(join(&mut l, 1, "T", T0));
    assert!(told(&l.tick(T0 + 600 * MIN), 1).is_empty());
    assert_eq!(l.player(1).map(|p| p.state), Some(PlayerState::Queueing));
}

// ---- notifications ----

#[test]
fn a_subscriber_is_pinged_at_most_once_per_gap() {
    let mut l = ladder();
    for (id, name) in [(1, "Sub"), (2, "Pia"), (3, "Quinn"), (4, "Rosa")] {
        register(&mut l, id, name, "EU", T0);
    }
    ok(subscribe(&mut l, 1, T0, on()));
    let fx = ok(join(&mut l, 2, "T", T0));
    assert_eq!(pinged(&fx), [1]);
    assert!(matches!(
        told(&fx, 1).as_slice(),
        [Notice::SomeoneSearching {
            rating: 1500,
            searching: 1,
            ..
        }]
    ));
    // Within the default gap of 60 min: no second ping.
    assert!(pinged(&ok(join(&mut l, 3, "T", T0 + 59 * MIN))).is_empty());
    assert_eq!(pinged(&ok(join(&mut l, 4, "T", T0 + 60 * MIN))), [1]);
}

#[test]
fn nobody_is_pinged_about_themselves_or_while_busy_or_when_off() {
    let mut l = ladder();
    for (id, name) in [(1, "Sub"), (2, "Pia"), (3, "Quinn")] {
        register(&mut l, id, name, "EU", T0);
    }
    ok(subscribe(&mut l, 1, T0, on()));
    ok(subscribe(&mut l, 2, T0, on()));
    // 1 joins: 2 is pinged, 1 is not pinged about themselves.
    assert_eq!(pinged(&ok(join(&mut l, 1, "T", T0))), [2]);
    // 3 joins: 1 is queueing, 2 was just pinged.
    assert!(pinged(&ok(join(&mut l, 3, "T", T0 + MIN))).is_empty());
    let off = NotifySettings {
        enabled: Some(false),
        ..NotifySettings::default()
    };
    ok(subscribe(&mut l, 2, T0 + MIN, off));
    ok(l.handle(T0 + 2 * MIN, Actor::player(3), Command::LeaveQueue));
    assert!(pinged(&ok(join(&mut l, 3, "T", T0 + 120 * MIN))).is_empty());
}

#[test]
fn quiet_hours_follow_the_subscribers_time_zone() {
    let mut l = ladder();
    register(&mut l, 1, "Sub", "EU", T0);
    register(&mut l, 2, "Pia", "EU", T0);
    ok(subscribe(
        &mut l,
        1,
        T0,
        NotifySettings {
            enabled: Some(true),
            quiet_hours: Some("22-08".into()),
            time_zone: Some("Asia/Seoul".into()),
            ..NotifySettings::default()
        },
    ));
    // T0 is 00:00 UTC, 09:00 in Seoul: awake.
    assert_eq!(pinged(&ok(join(&mut l, 2, "T", T0))), [1]);
    ok(l.handle(T0 + MIN, Actor::player(2), Command::LeaveQueue));
    // 14:00 UTC is 23:00 in Seoul: quiet, although 23:00 UTC would not be
    // (and 14:00 UTC is not in 22–08 UTC).
    assert!(pinged(&ok(join(&mut l, 2, "T", T0 + 14 * 60 * MIN))).is_empty());
    ok(l.handle(
        T0 + 14 * 60 * MIN + MIN,
        Actor::player(2),
        Command::LeaveQueue,
    ));
    // 23:30 UTC is 08:30 in Seoul: awake again.
    assert_eq!(
        pinged(&ok(join(&mut l, 2, "T", T0 + 23 * 60 * MIN + 30 * MIN))),
        [1]
    );
}

#[test]
fn near_rating_pings_only_for_opponents_near_the_subscribers_rating() {
    let mut l = ladder();
    for (id, name) in [(1, "Sub"), (2, "Pia"), (3, "Quinn")] {
        register(&mut l, id, name, "EU", T0);
    }
    ok(l.handle(
        T0,
        admin(),
        Command::Admin {
            reason: "test".into(),
            op: AdminOp::AdjustRating {
                player: 3,
                race: "T".into(),
                adjustment: RatingAdjustment::Set(2_100.0),
            },
        },
    ));
    ok(subscribe(
        &mut l,
        1,
        T0,
        NotifySettings {
            enabled: Some(true),
            near_rating: Some(200),
            ..NotifySettings::default()
        },
    ));
    assert!(
        pinged(&ok(join(&mut l, 3, "T", T0))).is_empty(),
        "600 points away"
    );
    assert_eq!(pinged(&ok(join(&mut l, 2, "T", T0 + MIN))), [1]);
}

#[test]
fn one_join_pings_a_bounded_number_longest_unpinged_first() {
    let mut l = ladder();
    let subscribers: Vec<PlayerId> = (100..100 + MAX_PINGS_PER_JOIN as u64 + 5).collect();
    for &p in &subscribers {
        // In-game names are letters only.
        let name: String = format!("{p}")
            .bytes()
            .map(|d| char::from(b'a' + (d - b'0')))
            .collect();
        register(&mut l, p, &format!("S{name}"), "EU", T0);
        ok(subscribe(&mut l, p, T0, on()));
    }
    register(&mut l, 1, "Pia", "EU", T0);
    register(&mut l, 2, "Quinn", "EU", T0);
    let first = pinged(&ok(join(&mut l, 1, "T", T0)));
    assert_eq!(first.len(), MAX_PINGS_PER_JOIN);
    // An hour later, the five left out last time come first.
    let second = pinged(&ok(join(&mut l, 2, "T", T0 + 60 * MIN)));
    let left_out: Vec<PlayerId> = subscribers
        .iter()
        .copied()
        .filter(|p| !first.contains(p))
        .collect();
    assert_eq!(left_out.len(), 5);
    assert!(left_out.iter().all(|p| second.contains(p)), "{second:?}");
}

#[test]
fn bad_settings_are_refused_and_change_nothing() {
    let mut l = ladder();
    register(&mut l, 1, "Sub", "EU", T0);
    let bad = [
        NotifySettings {
            time_zone: Some("Mars/Olympus".into()),
            ..on()
        },
        NotifySettings {
            quiet_hours: Some("25-08".into()),
            ..on()
        },
        NotifySettings {
            quiet_hours: Some("8-8".into()),
            ..on()
        },
        NotifySettings {
            min_gap_minutes: Some(1),
            ..on()
        },
        NotifySettings {
            near_rating: Some(100_000),
            ..on()
        },
    ];
    for s in bad {
        let before = l.clone();
        let fx = subscribe(&mut l, 1, T0, s.clone());
        assert!(
            matches!(errors(&fx).as_slice(), [LadderError::Invalid(_)]),
            "{s:?}"
        );
        assert!(fx.writes.is_empty());
        assert!(l == before, "{s:?} changed the ladder");
    }
}

#[test]
fn settings_are_written_and_survive_a_restart() {
    let mut l = ladder();
    register(&mut l, 1, "Sub", "EU", T0);
    register(&mut l, 2, "Pia", "EU", T0);
    let fx = ok(subscribe(
        &mut l,
        1,
        T0,
        NotifySettings {
            enabled: Some(true),
            min_gap_minutes: Some(15),
            quiet_hours: Some("23:30-07:00".into()),
            time_zone: Some("europe/berlin".into()),
            near_rating: Some(300),
        },
    ));
    let row = fx
        .writes
        .iter()
        .find_map(|w| match w {
            Write::NotifyPrefs(n) => Some(n.clone()),
            _ => None,
        })
        .expect("written");
    assert_eq!(row.quiet, Some((23 * 60 + 30, 7 * 60)));
    assert_eq!(row.time_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(row.min_gap_ms, 15 * MIN);
    let rows = Rows {
        players: [1, 2]
            .iter()
            .filter_map(|p| l.player(*p).cloned())
            .collect(),
        seasons: vec![l.season().clone()],
        notify_prefs: vec![row],
        ..Rows::default()
    };
    // 10:00 UTC is 11:00 in Berlin, outside the quiet hours.
    let later = T0 + 10 * 60 * MIN;
    let (mut again, _) = Ladder::from_rows(l.config().clone(), 7, rows, later);
    assert_eq!(pinged(&ok(join(&mut again, 2, "T", later))), [1]);
}
