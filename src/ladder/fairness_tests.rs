//! Fair confirms (#15 item 3): what a lapse and an abort cost, driven
//! through `handle`, `tick` and `delivered` only, each at an explicit `now`.

use super::tests::{S, T0, deliver_cards, errors, join, ladder, ok, register};
use super::*;

const MIN: i64 = 60 * S;

/// How player 1 gets out of a match in the sequences below.
#[derive(Clone, Copy, PartialEq)]
enum Dodge {
    Lapse,
    Abort,
}

/// Players 1 and 2 (re)join from `now` and are paired by a wave; the cards
/// are delivered `card_delay` after the wave (`None`: never). Returns the
/// match and the wave's time.
fn pair(l: &mut Ladder, now: UnixMillis, card_delay: Option<i64>) -> (MatchId, UnixMillis) {
    for p in [1, 2] {
        if l.player(p).map(|r| r.state) == Some(PlayerState::Idle) {
            ok(join(l, p, "T", now));
        } else {
            // Requeued after the other's dodge, maybe long ago: still here.
            ok(l.handle(now, Actor::player(p), Command::StayInQueue));
        }
    }
    let mut t = now;
    loop {
        t = next_wave_after(t, l.config().matchmaker.wave_interval_ms);
        let fx = l.tick(t);
        if let Some(id) = l.current_match(1) {
            if let Some(delay) = card_delay {
                assert_eq!(deliver_cards(l, &fx, t + delay), 2, "both cards");
            }
            return (id, t);
        }
        assert!(t < now + 60 * MIN, "no wave paired 1 and 2");
    }
}

/// Player 1 dodges: lapses (player 2 confirms, the window runs out) or
/// aborts. Returns the time after it and the texts player 1 was told.
fn dodge(l: &mut Ladder, id: MatchId, found: UnixMillis, how: Dodge) -> (UnixMillis, Vec<Effects>) {
    let mut told = Vec::new();
    ok(l.handle(
        found + S,
        Actor::player(2),
        Command::Confirm { match_id: id },
    ));
    let end = match how {
        Dodge::Lapse => {
            let end = found + l.config().confirm_window_ms;
            told.push(l.tick(end));
            end
        }
        Dodge::Abort => {
            told.push(ok(l.handle(
                found + 2 * S,
                Actor::player(1),
                Command::Abort { match_id: id },
            )));
            found + 2 * S
        }
    };
    assert!(l.current_match(1).is_none(), "match #{id} ended");
    (end, told)
}

fn cooldown_left(l: &Ladder, p: PlayerId, now: UnixMillis) -> i64 {
    l.player(p)
        .and_then(|r| r.queue_cooldown_until)
        .map_or(0, |u| (u - now).max(0))
}

/// The dodge sequence of the issue: player 1 gets out of match after match,
/// each time as soon as the cooldown allows a new one.
fn dodge_sequence(how: Dodge) -> (Ladder, Vec<i64>, Vec<u32>) {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    let (mut cooldowns, mut allowances) = (Vec::new(), Vec::new());
    let mut now = T0;
    for _ in 0..4 {
        let (id, found) = pair(&mut l, now, Some(S));
        let (end, _) = dodge(&mut l, id, found, how);
        cooldowns.push(cooldown_left(&l, 1, end));
        allowances.push(l.player(1).map_or(99, |p| p.aborts_left));
        // The cooldown holds: joining before it ends is refused.
        let fx = join(&mut l, 1, "T", end + S);
        assert!(
            matches!(errors(&fx).as_slice(), [LadderError::Cooldown(_)]),
            "{:?}",
            errors(&fx)
        );
        now = end + cooldowns.last().copied().unwrap_or(0);
        if how == Dodge::Abort && l.player(1).map(|p| p.aborts_left) == Some(0) {
            break;
        }
    }
    (l, cooldowns, allowances)
}

#[test]
fn lapsing_match_after_match_escalates_the_cooldown_and_empties_the_allowance() {
    let (l, cooldowns, allowances) = dodge_sequence(Dodge::Lapse);
    assert_eq!(cooldowns, [5 * MIN, 15 * MIN, 60 * MIN, 60 * MIN]);
    // Three aborts a month: the fourth lapse finds none left and takes the
    // longest step at once.
    assert_eq!(allowances, [2, 1, 0, 0]);
    let p = l.player(1).expect("registered");
    assert_eq!((p.lapses_total, p.aborts_total), (4, 0));
    // The opponent, who confirmed every time, paid nothing.
    let o = l.player(2).expect("registered");
    assert_eq!((o.lapses_total, o.aborts_left), (0, 3));
}

#[test]
fn aborting_match_after_match_behaves_the_same() {
    let (mut l, cooldowns, allowances) = dodge_sequence(Dodge::Abort);
    assert_eq!(cooldowns, [5 * MIN, 15 * MIN, 60 * MIN]);
    assert_eq!(allowances, [2, 1, 0]);
    assert_eq!(l.player(1).map(|p| p.aborts_total), Some(3));
    // No abort left: the next match can only be played or lapsed, and the
    // lapse costs the longest step.
    let now = T0 + 24 * 60 * MIN;
    let (id, found) = pair(&mut l, now, Some(S));
    let fx = l.handle(found + S, Actor::player(1), Command::Abort { match_id: id });
    assert_eq!(errors(&fx), [&LadderError::NoAbortsLeft]);
    let (end, _) = dodge(&mut l, id, found, Dodge::Lapse);
    assert_eq!(cooldown_left(&l, 1, end), 60 * MIN);
}

#[test]
fn a_lapse_after_a_late_or_failed_delivery_costs_nothing() {
    for delay in [None, Some(31 * S), Some(59 * S)] {
        let mut l = ladder();
        register(&mut l, 1, "Alpha", "EU", T0);
        register(&mut l, 2, "Bravo", "EU", T0);
        let (id, found) = pair(&mut l, T0, delay);
        let (end, told) = dodge(&mut l, id, found, Dodge::Lapse);
        let p = l.player(1).expect("registered");
        assert_eq!(
            (p.aborts_left, p.lapses_total, cooldown_left(&l, 1, end)),
            (3, 0, 0),
            "card delivered {delay:?} after the wave"
        );
        ok(join(&mut l, 1, "T", end + S));
        let says_free = told.iter().flat_map(|fx| &fx.messages).any(|m| {
            m.to == Audience::Player(1)
                && matches!(&m.body, Notice::Note(Note::LapsedForgiven { match_id }) if *match_id == id)
        });
        assert!(says_free, "the player is told it cost nothing");
    }
    // Delivered with exactly half the window left: it counts.
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    let (id, found) = pair(&mut l, T0, Some(30 * S));
    let (end, _) = dodge(&mut l, id, found, Dodge::Lapse);
    assert_eq!(cooldown_left(&l, 1, end), 5 * MIN);
    assert_eq!(l.player(1).map(|p| p.lapses_total), Some(1));
}

#[test]
fn strikes_older_than_a_day_no_longer_escalate() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    let (id, found) = pair(&mut l, T0, Some(S));
    dodge(&mut l, id, found, Dodge::Abort);
    let next_day = found + fairness::STRIKE_MEMORY_MS + S;
    let (id, found) = pair(&mut l, next_day, Some(S));
    let (end, _) = dodge(&mut l, id, found, Dodge::Abort);
    assert_eq!(cooldown_left(&l, 1, end), 5 * MIN, "the first step again");
    assert_eq!(l.player(1).map(|p| p.strikes.len()), Some(1));
}

#[test]
fn notices_name_players_never_their_discord_ids() {
    let mut l = ladder();
    register(&mut l, 4_000_000_001, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    // Player ids of the helpers are 1 and 2; this test uses its own pair.
    for p in [4_000_000_001, 2] {
        ok(join(&mut l, p, "T", T0));
    }
    let wave = next_wave_after(T0, l.config().matchmaker.wave_interval_ms);
    l.tick(wave);
    let id = l.current_match(2).expect("paired");
    let fx = ok(l.handle(
        wave + S,
        Actor::player(4_000_000_001),
        Command::Abort { match_id: id },
    ));
    let (names, why) = fx
        .messages
        .iter()
        .find_map(|m| match &m.body {
            Notice::MatchEnded { names, why, .. } => Some((names.clone(), why.clone())),
            _ => None,
        })
        .expect("the match's end is told");
    // Slots follow the matchmaker, not the ids: either order.
    let (a, b) = names.expect("names are told");
    let mut names = [a, b];
    names.sort();
    assert_eq!(names, ["Alpha".to_owned(), "Bravo".to_owned()]);
    let EndReason::AbortedBy { name, .. } = why else {
        panic!("{why:?}")
    };
    assert_eq!(name, "Alpha");
}

#[test]
fn card_deliveries_survive_a_restart() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    let (id, found) = pair(&mut l, T0, Some(S));
    // What the store reads back for open matches.
    let rows = Rows {
        players: [1, 2]
            .iter()
            .filter_map(|p| l.player(*p).cloned())
            .collect(),
        matches: l.match_row(id).into_iter().collect(),
        seasons: vec![l.season().clone()],
        card_deliveries: vec![(id, 1, found + S), (id, 2, found + S)],
        ..Rows::default()
    };
    let (mut again, _) = Ladder::from_rows(l.config().clone(), 7, rows, found + 2 * S);
    again.resume(found + 2 * S);
    ok(again.handle(
        found + 3 * S,
        Actor::player(2),
        Command::Confirm { match_id: id },
    ));
    again.tick(found + 2 * S + again.config().confirm_window_ms);
    assert_eq!(again.player(1).map(|p| p.lapses_total), Some(1));
}
