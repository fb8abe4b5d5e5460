//! A restart changes nothing: the ladder rebuilt from what its effects wrote
//! to a real SQLite store equals the ladder that was in memory (a
//! model-based proptest), and a restart after downtime is fair (deadlines
//! extended, the outbox re-issued by policy, nothing owed forgotten).

use proptest::prelude::*;

use super::*;
use crate::config::Synchronous;
use crate::store::Store;
use crate::store::rows::{OutboxAudience, OutboxRow};

/// 2026-01-01T00:00:00Z, a multiple of every wave interval.
const T0: UnixMillis = 1_767_225_600_000;
const S: i64 = 1_000;

/// A real store in a temporary directory; effects are committed as the
/// ladder loop commits them (one request per command or tick).
struct Disk {
    _dir: tempfile::TempDir,
    store: Store,
}

impl Disk {
    fn new() -> Disk {
        let dir = tempfile::tempdir().unwrap();
        let mut config = crate::config::StoreConfig::at(dir.path().join("ladder.db"));
        // Durability against power loss is not what these tests are about.
        config.synchronous = Synchronous::Normal;
        let store = Store::open(&config).unwrap();
        Disk { _dir: dir, store }
    }

    fn commit(&self, fx: &Effects) {
        if !fx.writes.is_empty() {
            self.store
                .writer()
                .submit_blocking(fx.writes.clone())
                .unwrap();
        }
    }

    fn rows(&self) -> Rows {
        self.store.load().unwrap().into()
    }

    fn pending_outbox(&self) -> Vec<OutboxRow> {
        self.store.load().unwrap().outbox
    }
}

fn config() -> LadderConfig {
    LadderConfig::default()
}

fn setup(l: &mut Ladder, disk: &Disk, id: PlayerId, now: UnixMillis) {
    let a = Actor::player(id);
    let fx = l.handle(
        now,
        a,
        Command::AcceptTos {
            discord_name: format!("p{id}"),
        },
    );
    disk.commit(&fx);
    let name = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"][(id as usize - 1) % 6];
    let fx = l.handle(
        now,
        a,
        Command::Setup(SetupForm {
            ingame_name: name.into(),
            battletag: format!("{name}#1234"),
            alt_names: vec![],
            country: "DE".into(),
            region: "EU".into(),
        }),
    );
    assert!(
        !fx.messages
            .iter()
            .any(|m| matches!(m.body, Notice::Error(_))),
        "{fx:?}"
    );
    disk.commit(&fx);
}

fn step(l: &mut Ladder, disk: &Disk, now: UnixMillis, actor: Actor, command: Command) -> Effects {
    let fx = l.handle(now, actor, command);
    disk.commit(&fx);
    fx
}

fn tick(l: &mut Ladder, disk: &Disk, now: UnixMillis) -> Effects {
    let fx = l.tick(now);
    disk.commit(&fx);
    fx
}

fn join(p: PlayerId) -> (Actor, Command) {
    (
        Actor::player(p),
        Command::JoinQueue {
            races: vec!["T".into()],
            vetoes: Some(vec![]),
        },
    )
}

/// Two players matched at T0 + 45 s, everything committed.
fn matched(disk: &Disk) -> (Ladder, MatchId) {
    let (mut l, fx) = Ladder::new(config(), 7, T0);
    disk.commit(&fx);
    for p in [1, 2] {
        setup(&mut l, disk, p, T0);
        let (a, c) = join(p);
        let fx = step(&mut l, disk, T0, a, c);
        assert!(
            !fx.messages
                .iter()
                .any(|m| matches!(m.body, Notice::Error(_))),
            "{fx:?}"
        );
    }
    let fx = tick(&mut l, disk, T0 + 45 * S);
    let id = l
        .current_match(1)
        .unwrap_or_else(|| panic!("paired: {fx:?}"));
    (l, id)
}

/// Every outbox id of `fx`'s messages, by audience.
fn sealed(fx: &Effects) -> Vec<(Audience, u64)> {
    fx.messages
        .iter()
        .filter_map(|m| Some((m.to, m.outbox?)))
        .collect()
}

#[test]
fn durable_messages_are_written_with_their_change_and_chatter_is_not() {
    let disk = Disk::new();
    let (mut l, id) = matched(&disk);
    let pending = disk.pending_outbox();
    // Both cards are owed; the wave's lobby summary is not durable.
    let cards: Vec<_> = pending
        .iter()
        .filter(|r| r.body_json.contains("match_found"))
        .map(|r| r.to)
        .collect();
    assert_eq!(
        cards,
        vec![OutboxAudience::Player(1), OutboxAudience::Player(2)]
    );
    assert!(!pending.iter().any(|r| r.body_json.contains("wave")));
    // Delivering settles the row; it is no longer pending.
    let first = pending[0].id;
    disk.commit(&l.delivered(first, T0 + 46 * S, Some(123)));
    assert!(!disk.pending_outbox().iter().any(|r| r.id == first));
    // A command's notices to others are sealed in the same effects.
    let fx = step(
        &mut l,
        &disk,
        T0 + 50 * S,
        Actor::player(1),
        Command::Abort { match_id: id },
    );
    let ids = sealed(&fx);
    assert!(!ids.is_empty(), "{fx:?}");
    for (_, outbox) in ids {
        assert!(
            fx.writes
                .iter()
                .any(|w| matches!(w, Write::Outbox(r) if r.id == outbox))
        );
    }
}

#[test]
fn a_restart_credits_the_downtime_and_reissues_the_card_under_its_id() {
    let disk = Disk::new();
    let (mut l, id) = matched(&disk);
    let deadline = l.match_row(id).unwrap().confirm_by.unwrap();
    // Player 1 confirms; a heartbeat is written; then ladderd dies (the
    // cards were never delivered: nothing was settled).
    step(
        &mut l,
        &disk,
        T0 + 50 * S,
        Actor::player(1),
        Command::Confirm { match_id: id },
    );
    let alive = T0 + 52 * S;
    tick(&mut l, &disk, alive);
    let card_rows: Vec<u64> = disk
        .pending_outbox()
        .iter()
        .filter(|r| r.body_json.contains("match_found"))
        .map(|r| r.id)
        .collect();
    drop(l);
    // Down for ten minutes: every deadline passed meanwhile.
    let back = T0 + 652 * S;
    let (mut l, fx) = Ladder::from_rows(config(), 8, disk.rows(), back);
    disk.commit(&fx);
    let fx = tick(&mut l, &disk, back);
    let m = l.match_row(id).unwrap();
    assert_eq!(
        m.state,
        MatchState::Found,
        "nobody is penalised for the downtime"
    );
    assert_eq!(m.confirm_by, Some(deadline + (back - alive)));
    let reissued: Vec<(Audience, u64, UnixMillis)> = fx
        .messages
        .iter()
        .filter_map(|msg| match &msg.body {
            Notice::MatchFound(card) => Some((msg.to, msg.outbox?, card.confirm_by)),
            _ => None,
        })
        .collect();
    assert_eq!(
        reissued.iter().map(|r| r.1).collect::<Vec<_>>(),
        card_rows,
        "the same outbox rows, so Discord's nonce drops a copy already shown"
    );
    assert!(reissued.iter().all(|r| r.2 == deadline + (back - alive)));
    // The second player confirms within the credited time.
    let fx = step(
        &mut l,
        &disk,
        back + 30 * S,
        Actor::player(2),
        Command::Confirm { match_id: id },
    );
    assert!(
        !fx.messages
            .iter()
            .any(|m| matches!(m.body, Notice::Error(_))),
        "{fx:?}"
    );
    assert_eq!(l.match_row(id).unwrap().state, MatchState::InProgress);
}

#[test]
fn a_restart_supersedes_stale_cards_and_always_delivers_results() {
    let disk = Disk::new();
    let (mut l, id) = matched(&disk);
    step(
        &mut l,
        &disk,
        T0 + 50 * S,
        Actor::player(1),
        Command::Abort { match_id: id },
    );
    let pending_before = disk.pending_outbox();
    drop(l);
    let back = T0 + 100 * S;
    let (mut l, fx) = Ladder::from_rows(config(), 8, disk.rows(), back);
    disk.commit(&fx);
    let fx = tick(&mut l, &disk, back);
    // The cards of the aborted match are not re-sent; its end is.
    assert!(
        !fx.messages
            .iter()
            .any(|m| matches!(m.body, Notice::MatchFound(_)))
    );
    let ended: Vec<_> = fx
        .messages
        .iter()
        .filter(|m| matches!(m.body, Notice::MatchEnded { .. }))
        .collect();
    assert!(!ended.is_empty(), "{fx:?}");
    let pending_after = disk.pending_outbox();
    // Superseded rows are settled; the re-issued ones wait for delivery.
    assert!(pending_after.len() < pending_before.len());
    assert!(
        pending_after
            .iter()
            .all(|r| fx.messages.iter().any(|m| m.outbox == Some(r.id)))
    );
    // A second start re-issues only what is still pending.
    for m in &fx.messages {
        if let Some(o) = m.outbox {
            disk.commit(&l.delivered(o, back + S, None));
        }
    }
    drop(l);
    let (mut l, fx) = Ladder::from_rows(config(), 9, disk.rows(), back + 10 * S);
    disk.commit(&fx);
    let fx = tick(&mut l, &disk, back + 10 * S);
    assert!(
        fx.messages.iter().all(|m| m.outbox.is_none()),
        "nothing delivered twice: {fx:?}"
    );
}

/// An upgrade over an outbox the previous version left owing: its rows, as
/// it wrote them (English words), are still delivered, in those words, and
/// new ones carry no words at all.
#[test]
fn an_upgrade_delivers_what_the_previous_version_still_owed() {
    let disk = Disk::new();
    let (mut l, id) = matched(&disk);
    drop(l);
    let old = [
        (
            r#"{"kind":"info","text":"your opponent did not confirm match #7; you are back in the queue"}"#,
            OutboxAudience::Player(1),
        ),
        (
            r#"{"kind":"match_ended","match_id":7,"state":"completed","result":"player2","rating_changes":[-12.0,12.0],"detail":"both players agreed"}"#,
            OutboxAudience::Match(7),
        ),
    ];
    let writes: Vec<Write> = old
        .iter()
        .enumerate()
        .map(|(i, (json, to))| {
            Write::Outbox(OutboxRow {
                id: 1_000 + i as u64,
                created_at: T0,
                to: *to,
                body_json: (*json).to_owned(),
            })
        })
        .collect();
    disk.store.writer().submit_blocking(writes).unwrap();
    let back = T0 + 100 * S;
    let (rebuilt, fx) = Ladder::from_rows(config(), 8, disk.rows(), back);
    l = rebuilt;
    disk.commit(&fx);
    let fx = tick(&mut l, &disk, back);
    let ko = crate::discord::render::RenderContext {
        locale: crate::l10n::Locale::from_discord("ko"),
        ..Default::default()
    };
    let said = |outbox: u64| -> String {
        let m = fx
            .messages
            .iter()
            .find(|m| m.outbox == Some(outbox))
            .unwrap_or_else(|| panic!("row {outbox} re-issued: {fx:?}"));
        crate::discord::render::render(&m.body, &ko).content
    };
    assert_eq!(
        said(1_000),
        "your opponent did not confirm match #7; you are back in the queue"
    );
    // The frame is Korean; the stored words stay as stored.
    let ended = said(1_001);
    assert!(
        ended.starts_with("🏁 경기 #7: 2번 선수 승리.") && ended.ends_with(" both players agreed"),
        "{ended}"
    );
    // What this version seals has data, not sentences.
    step(
        &mut l,
        &disk,
        back + S,
        Actor::player(1),
        Command::Abort { match_id: id },
    );
    let sealed: Vec<String> = disk
        .pending_outbox()
        .into_iter()
        .filter(|r| r.id > 1_001 && r.body_json.contains("match_ended"))
        .map(|r| r.body_json)
        .collect();
    assert!(!sealed.is_empty());
    for json in sealed {
        assert!(
            json.contains(r#""why":{"why":"aborted_by""#) && !json.contains("detail"),
            "{json}"
        );
    }
}

#[test]
fn an_admin_reset_to_idle_closes_the_match_on_disk() {
    let disk = Disk::new();
    let (mut l, id) = matched(&disk);
    let admin = Actor {
        id: 99,
        is_owner: true,
        is_admin: true,
    };
    step(
        &mut l,
        &disk,
        T0 + 50 * S,
        admin,
        Command::Admin {
            reason: "stuck".into(),
            op: AdminOp::ResetToIdle(1),
        },
    );
    assert_eq!(l.current_match(1), None);
    assert_eq!(l.current_match(2), None, "the opponent is freed too");
    let (rebuilt, _) = Ladder::from_rows(config(), 8, disk.rows(), T0 + 60 * S);
    assert_eq!(rebuilt.current_match(1), None);
    assert_eq!(rebuilt.current_match(2), None);
    assert_eq!(rebuilt.match_row(id).unwrap().state, MatchState::Aborted);
}

#[test]
fn a_promised_deadline_and_a_retired_map_survive_a_reload_and_a_restart() {
    let disk = Disk::new();
    let (mut l, id) = matched(&disk);
    let promised = l.match_row(id).unwrap().confirm_by.unwrap();
    let map = l.match_row(id).unwrap().map.clone();
    let mut next = config();
    next.confirm_window_ms *= 3;
    next.maps.retain(|m| m.name != map);
    let done = l.reconfigure(T0 + 46 * S, next.clone()).unwrap();
    disk.commit(&done.effects);
    let (rebuilt, _) = Ladder::from_rows(next, 8, disk.rows(), T0 + 47 * S);
    assert_eq!(rebuilt.match_row(id).unwrap().confirm_by, Some(promised));
    let card = &rebuilt.open_cards()[0].0;
    assert_eq!(card.confirm_by, promised);
    assert_eq!(
        card.map,
        config().map(&map).unwrap().clone(),
        "the removed map's replay name is still known"
    );
}

// ---- rebuild equals memory ----

#[derive(Debug, Clone)]
enum Op {
    Join(PlayerId),
    Leave(PlayerId),
    Confirm(PlayerId),
    Abort(PlayerId),
    Report(PlayerId, Report),
    Tick(i64),
    ResetToIdle(PlayerId),
    Ban(PlayerId),
    Unban(PlayerId),
    Resolve(PlayerId, Resolution),
    Delivered(u64),
    /// Rebuild from disk in the middle of the run and go on with the copy.
    Restart(i64),
}

const PLAYERS: u64 = 6;

fn op() -> impl Strategy<Value = Op> {
    let p = 1..=PLAYERS;
    prop_oneof![
        4 => p.clone().prop_map(Op::Join),
        1 => p.clone().prop_map(Op::Leave),
        4 => p.clone().prop_map(Op::Confirm),
        1 => p.clone().prop_map(Op::Abort),
        3 => (p.clone(), prop_oneof![Just(Report::Win), Just(Report::Loss), Just(Report::Draw)])
            .prop_map(|(p, r)| Op::Report(p, r)),
        4 => (1i64..=70).prop_map(Op::Tick),
        1 => p.clone().prop_map(Op::ResetToIdle),
        1 => p.clone().prop_map(Op::Ban),
        1 => p.clone().prop_map(Op::Unban),
        1 => (p.clone(), prop_oneof![Just(Resolution::Player1), Just(Resolution::Draw), Just(Resolution::Invalidate)])
            .prop_map(|(p, r)| Op::Resolve(p, r)),
        2 => (1u64..40).prop_map(Op::Delivered),
        1 => (0i64..600).prop_map(Op::Restart),
    ]
}

/// What must survive a restart, with the allowed differences normalised:
/// * the queue is not persisted (its players are set idle and told), so a
///   queueing player compares as idle and queue entries are not compared;
/// * `updated_at` of a player changes when the restart sets them idle;
/// * the RNG is reseeded, `last_seen` and `reminded` are not persisted, the
///   wave clock restarts, and the restart bookkeeping (pending outbox,
///   downtime, heartbeat) is by definition different;
/// * confirm deadlines of waiting matches move by the downtime credited at
///   resume (compared before resume here, so they are equal);
/// * the rebuild's own start notices ("the queue was emptied") take the next
///   outbox ids: `own_notices` of them are subtracted.
fn durable(l: &Ladder, own_notices: u64) -> String {
    let mut players: Vec<PlayerRow> = l.players.values().cloned().collect();
    players.sort_by_key(|p| p.discord_id);
    for p in &mut players {
        if p.state == PlayerState::Queueing {
            p.state = PlayerState::Idle;
        }
        p.updated_at = 0;
    }
    let mut ratings: Vec<&RatingRow> = l.ratings.values().collect();
    ratings.sort_by(|a, b| (a.player_id, &a.race).cmp(&(b.player_id, &b.race)));
    let mut prefs: Vec<&QueuePrefsRow> = l.prefs.values().collect();
    prefs.sort_by_key(|p| p.player_id);
    let mut in_match: Vec<_> = l.in_match.iter().collect();
    in_match.sort();
    let mut player_matches: Vec<_> = l.player_matches.iter().collect();
    player_matches.sort();
    let mut replay_results: Vec<_> = l.replay_results.iter().collect();
    replay_results.sort_by_key(|r| r.0);
    let mut used: Vec<_> = l.used_replays.iter().collect();
    used.sort();
    let mut recent: Vec<_> = l.recent.iter().collect();
    recent.sort_by_key(|r| r.0);
    let mut replay_files: Vec<_> = l.replay_files.iter().collect();
    replay_files.sort();
    // Not durable on purpose: `saved_queries` (a restart makes kept
    // leaderboard buttons say "run it again").
    format!(
        "season {:?}\nplayers {players:?}\nratings {ratings:?}\nmatches {:?}\nopen {:?}\n\
         in_match {in_match:?}\nplayer_matches {player_matches:?}\nprefs {prefs:?}\n\
         replay_results {replay_results:?}\nused {used:?}\nrecent {recent:?}\n\
         replay_files {replay_files:?}\npast_seasons {:?}\npast_ratings {:?}\n\
         next_match_id {}\nnext_outbox_id {}\nretired {:?}",
        l.season,
        l.matches,
        l.open,
        l.past_seasons,
        l.past_ratings,
        l.next_match_id,
        l.next_outbox_id - own_notices,
        l.retired_maps,
    )
}

fn run_op(l: &mut Ladder, disk: &Disk, now: &mut UnixMillis, op: &Op) {
    let admin = Actor {
        id: 99,
        is_owner: true,
        is_admin: true,
    };
    let current = |l: &Ladder, p: PlayerId| l.current_match(p).unwrap_or(1);
    let t = *now;
    match op {
        Op::Join(p) => {
            let (a, c) = join(*p);
            step(l, disk, t, a, c);
        }
        Op::Leave(p) => {
            step(l, disk, t, Actor::player(*p), Command::LeaveQueue);
        }
        Op::Confirm(p) => {
            let match_id = current(l, *p);
            step(l, disk, t, Actor::player(*p), Command::Confirm { match_id });
        }
        Op::Abort(p) => {
            let match_id = current(l, *p);
            step(l, disk, t, Actor::player(*p), Command::Abort { match_id });
        }
        Op::Report(p, r) => {
            let match_id = current(l, *p);
            step(
                l,
                disk,
                t,
                Actor::player(*p),
                Command::Report {
                    match_id,
                    report: *r,
                },
            );
        }
        Op::Tick(s) => {
            *now += s * S;
            tick(l, disk, *now);
        }
        Op::ResetToIdle(p) | Op::Ban(p) | Op::Unban(p) => {
            let op = match op {
                Op::ResetToIdle(_) => AdminOp::ResetToIdle(*p),
                Op::Ban(_) => AdminOp::Ban(*p),
                _ => AdminOp::Unban(*p),
            };
            step(
                l,
                disk,
                t,
                admin,
                Command::Admin {
                    reason: "test".into(),
                    op,
                },
            );
        }
        Op::Resolve(p, resolution) => {
            let match_id = l
                .player_matches
                .get(p)
                .and_then(|m| m.last().copied())
                .unwrap_or(1);
            step(
                l,
                disk,
                t,
                admin,
                Command::Admin {
                    reason: "test".into(),
                    op: AdminOp::Resolve {
                        match_id,
                        resolution: *resolution,
                    },
                },
            );
        }
        Op::Delivered(id) => {
            if *id < l.next_outbox_id {
                disk.commit(&l.delivered(*id, t, Some(id + 1000)));
            }
        }
        Op::Restart(_) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_ladder_rebuilt_from_disk_equals_the_one_in_memory(
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let disk = Disk::new();
        let (mut l, fx) = Ladder::new(config(), 7, T0);
        disk.commit(&fx);
        for p in 1..=PLAYERS {
            setup(&mut l, &disk, p, T0);
        }
        let mut now = T0;
        for op in &ops {
            run_op(&mut l, &disk, &mut now, op);
            let (rebuilt, start) = Ladder::from_rows(config(), 7, disk.rows(), now);
            let own = start.messages.iter().filter(|m| m.outbox.is_some()).count() as u64;
            prop_assert_eq!(durable(&rebuilt, own), durable(&l, 0), "after {:?}", op);
            prop_assert!(rebuilt.check_consistency().is_ok(), "{:?}", rebuilt.check_consistency());
            if let Op::Restart(down) = op {
                // Go on with the rebuilt ladder, as a restarted process would.
                disk.commit(&start);
                now += down * S;
                l = rebuilt;
            }
        }
    }
}
