//! A ladder's history at scale, written through the real store: the
//! migrations create the schema, and every row goes through the
//! [`StoreWriter`](crate::store::writer) the supervisor itself uses, so the
//! database is one `ladderd run` can start from.
//!
//! What it holds, for `players` P and `matches` M (seeded, deterministic):
//! - one season (the configured name and map pool), P players who accepted
//!   the terms and finished setup, each with a queue preference and one
//!   rating row per race they played;
//! - M finished matches spread over the 180 days before `now`, between
//!   random pairs: 93 % completed with both reports and rating changes, 4 %
//!   abandoned, 3 % aborted; no open match (a restart's resume work is the
//!   `faults` scenario's, not start-up's);
//! - a verified replay (with a summary JSON of the size the worker makes)
//!   for one completed match in five;
//! - two delivered outbox rows per match (its cards and result), as the
//!   delivery work leaves them: on disk, never loaded at start-up;
//! - a match thread id only on matches of the last 30 days (the sweep has
//!   deleted older threads, at `delete_threads_after_days`' default).

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use crate::config::{LadderConfig, StoreConfig};
use crate::store::rows::{
    Delivery, MatchResult, MatchRow, MatchState, OutboxAudience, OutboxRow, PlayerRow, PlayerState,
    QueuePrefsRow, RatingBefore, RatingRow, ReplayRow, ReplayVerdict, ResultSource, SeasonRow,
    Write,
};
use crate::store::{Store, StoreError};

/// How big a history to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub players: usize,
    pub matches: usize,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub players: u64,
    pub ratings: u64,
    pub matches: u64,
    pub replays: u64,
    pub outbox_rows: u64,
    /// The database file's size after a checkpoint, bytes.
    pub db_bytes: u64,
}

/// First Discord id of a generated player; ids are consecutive from here.
pub const FIRST_PLAYER_ID: u64 = 700_000_000_000_000_000;
const DAY_MS: i64 = 86_400_000;
/// Rows per writer request: large enough that the history is written in
/// seconds, small enough that one request is not a huge transaction.
const BATCH: usize = 2_000;

/// [`generate`] for the database `config` names, ending now, off the async
/// runtime: what every scenario that boots on a big history starts with.
pub async fn generate_for(
    config: &crate::config::Config,
    size: Size,
    seed: u64,
) -> Result<Written, super::BenchError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let (store, ladder) = (config.store.clone(), config.ladder.clone());
    tokio::task::spawn_blocking(move || generate(&store, &ladder, size, seed, now))
        .await
        .map_err(|e| super::BenchError::Failed(format!("the generator panicked: {e}")))?
        .map_err(Into::into)
}

/// Writes the history into a new database at `store.path` (migrated first).
/// `now` is the ladder's time at the end of the history.
pub fn generate(
    store: &StoreConfig,
    ladder: &LadderConfig,
    size: Size,
    seed: u64,
    now: i64,
) -> Result<Written, StoreError> {
    crate::store::migrate(store)?;
    let db = Store::open(store)?;
    let writer = db.writer();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Written::default();
    let mut batch: Vec<Write> = Vec::with_capacity(BATCH);
    let flush = |batch: &mut Vec<Write>, force: bool| -> Result<(), StoreError> {
        if batch.len() >= BATCH || (force && !batch.is_empty()) {
            writer.submit_blocking(std::mem::take(batch))?;
        }
        Ok(())
    };

    let maps: Vec<String> = ladder.maps.iter().map(|m| m.name.clone()).collect();
    let begin = now - 180 * DAY_MS;
    batch.push(Write::Season(SeasonRow {
        id: 1,
        name: ladder.season_name.clone(),
        started_at: begin,
        ended_at: None,
        map_pool: maps.clone(),
    }));
    // Playable races only (not a group's "random"): the first three of the
    // default configuration, or every race of a custom one.
    let races: Vec<String> = ladder
        .races
        .iter()
        .map(|r| r.id.clone())
        .take(3.max(ladder.races.len().saturating_sub(1)))
        .collect();
    let server = ladder
        .regions
        .first()
        .map_or_else(|| "EU".to_owned(), |r| r.server.clone());

    // Players: a main race each; ratings are filled in as matches are made.
    let mut main_race = Vec::with_capacity(size.players);
    let mut ratings: std::collections::BTreeMap<(u64, String), RatingRow> = Default::default();
    for i in 0..size.players {
        let id = FIRST_PLAYER_ID + i as u64;
        let joined = begin + (rng.next_u64() % (90 * DAY_MS as u64)) as i64;
        let name = format!("player{i:05}");
        let race = races[(rng.next_u32() as usize) % races.len()].clone();
        batch.push(Write::Player(PlayerRow {
            discord_id: id,
            discord_name: name.clone(),
            ingame_name: Some(format!("Gamer{i:05}")),
            battletag: Some(format!("Gamer{i:05}#{}", 1000 + rng.next_u32() % 9000)),
            alt_names: Vec::new(),
            country: Some("DE".to_owned()),
            region: ladder.regions.first().map(|r| r.id.clone()),
            tos_accepted_at: Some(joined),
            setup_at: Some(joined + 60_000),
            state: PlayerState::Idle,
            aborts_left: ladder.aborts_per_month,
            aborts_month: None,
            banned: false,
            ban_reason: None,
            is_admin: false,
            queue_cooldown_until: None,
            created_at: joined,
            updated_at: joined + 60_000,
            aborts_total: 0,
            lapses_total: 0,
            strikes: Vec::new(),
        }));
        batch.push(Write::QueuePrefs(QueuePrefsRow {
            player_id: id,
            races: vec![race.clone()],
            vetoes: maps
                .iter()
                .take(ladder.max_vetoes.min(2))
                .cloned()
                .collect(),
            updated_at: joined + 60_000,
        }));
        main_race.push(race);
        out.players += 1;
        flush(&mut batch, false)?;
    }

    // Matches, oldest first, each with its two delivered outbox rows.
    let rating = &ladder.rating;
    let mut outbox_id = 1u64;
    let span = (now - begin - DAY_MS).max(1) as u64;
    let mut at: Vec<i64> = (0..size.matches)
        .map(|_| begin + (rng.next_u64() % span) as i64)
        .collect();
    at.sort_unstable();
    for (k, created) in at.into_iter().enumerate() {
        let id = k as u64 + 1;
        let n = size.players.max(2) as u64;
        let a = rng.next_u64() % n;
        let b = (a + 1 + rng.next_u64() % (n - 1)) % n;
        let (p1, p2) = (FIRST_PLAYER_ID + a, FIRST_PLAYER_ID + b);
        let (r1, r2) = (main_race[a as usize].clone(), main_race[b as usize].clone());
        let mut before = |p: u64, race: &String| {
            let r = ratings
                .entry((p, race.clone()))
                .or_insert_with(|| RatingRow {
                    season_id: 1,
                    player_id: p,
                    race: race.clone(),
                    rating: rating.initial_rating,
                    deviation: rating.initial_deviation,
                    volatility: rating.initial_volatility,
                    games: 0,
                    wins: 0,
                    losses: 0,
                    draws: 0,
                    last_played_at: None,
                });
            RatingBefore {
                rating: r.rating,
                deviation: r.deviation,
                volatility: r.volatility,
            }
        };
        let (before1, before2) = (before(p1, &r1), before(p2, &r2));
        let roll = rng.next_u32() % 100;
        let state = match roll {
            0..=92 => MatchState::Completed,
            93..=96 => MatchState::Abandoned,
            _ => MatchState::Aborted,
        };
        let confirmed = created + 20_000;
        let finished = created + 60_000 * (8 + i64::from(rng.next_u32() % 15));
        let p1_wins = rng.next_u32() % 2 == 0;
        let mut m = MatchRow {
            id,
            season_id: 1,
            player1_id: p1,
            player2_id: p2,
            race1: r1.clone(),
            race2: r2.clone(),
            before1,
            before2,
            map: maps[(rng.next_u32() as usize) % maps.len()].clone(),
            server: server.clone(),
            state,
            created_at: created,
            confirmed1_at: None,
            confirmed2_at: None,
            started_at: None,
            report1: None,
            report2: None,
            reported1_at: None,
            reported2_at: None,
            result: None,
            result_source: None,
            finished_at: Some(finished),
            rating1_change: None,
            rating2_change: None,
            ended_by: None,
            flagged_at: None,
            // The thread sweep deletes a finished match's thread after 30
            // days (the default) and clears the id: only recent ones remain.
            thread_id: (finished > now - 30 * DAY_MS).then_some(900_000_000_000_000_000 + id),
            confirm_by: Some(created + ladder.confirm_window_ms),
        };
        let mut replay = None;
        match state {
            MatchState::Completed => {
                use crate::store::rows::Report::{Loss, Win};
                let delta = 8.0 + f64::from(rng.next_u32() % 2_000) / 100.0;
                m.confirmed1_at = Some(confirmed);
                m.confirmed2_at = Some(confirmed + 3_000);
                m.started_at = Some(confirmed + 3_000);
                m.report1 = Some(if p1_wins { Win } else { Loss });
                m.report2 = Some(if p1_wins { Loss } else { Win });
                m.reported1_at = Some(finished - 30_000);
                m.reported2_at = Some(finished);
                m.result = Some(if p1_wins {
                    MatchResult::Player1
                } else {
                    MatchResult::Player2
                });
                m.result_source = Some(ResultSource::Reports);
                m.rating1_change = Some(if p1_wins { delta } else { -delta });
                m.rating2_change = Some(if p1_wins { -delta } else { delta });
                for (p, race, won, change) in [
                    (p1, &r1, p1_wins, m.rating1_change),
                    (p2, &r2, !p1_wins, m.rating2_change),
                ] {
                    if let Some(r) = ratings.get_mut(&(p, race.clone())) {
                        r.rating += change.unwrap_or(0.0);
                        r.deviation = (r.deviation * 0.97).max(45.0);
                        r.games += 1;
                        r.wins += u32::from(won);
                        r.losses += u32::from(!won);
                        r.last_played_at = Some(finished);
                    }
                }
                if rng.next_u32() % 5 == 0 {
                    replay = Some(replay_row(&mut rng, &m, finished));
                }
            }
            MatchState::Abandoned => {
                m.confirmed1_at = Some(confirmed);
                m.ended_by = Some(p2);
            }
            _ => {
                m.confirmed1_at = Some(confirmed);
                m.confirmed2_at = Some(confirmed + 3_000);
                m.started_at = Some(confirmed + 3_000);
                m.ended_by = Some(p1);
            }
        }
        for (to, body) in [
            (
                OutboxAudience::Match(id),
                format!(r#"{{"kind":"card","match":{id},"players":[{p1},{p2}]}}"#),
            ),
            (
                OutboxAudience::Player(p1),
                format!(
                    r#"{{"kind":"result","match":{id},"state":"{}"}}"#,
                    state.as_str()
                ),
            ),
        ] {
            batch.push(Write::Outbox(OutboxRow {
                id: outbox_id,
                created_at: created,
                to,
                body_json: body,
            }));
            batch.push(Write::OutboxSettled {
                id: outbox_id,
                at: created + 500,
                delivery: Delivery::Sent,
                message_id: Some(800_000_000_000_000_000 + outbox_id),
            });
            outbox_id += 1;
            out.outbox_rows += 1;
        }
        batch.push(Write::Match(m));
        out.matches += 1;
        // After its match: the replay row refers to it.
        if let Some(r) = replay {
            batch.push(Write::Replay(r));
            out.replays += 1;
        }
        flush(&mut batch, false)?;
    }
    for r in ratings.into_values() {
        batch.push(Write::Rating(r));
        out.ratings += 1;
        flush(&mut batch, false)?;
    }
    batch.push(Write::AliveAt(now));
    flush(&mut batch, true)?;
    db.close();
    // Fold the WAL into the file so the size is the database's.
    if let Ok(conn) = rusqlite::Connection::open(&store.path) {
        let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
    }
    out.db_bytes = std::fs::metadata(&store.path).map_or(0, |m| m.len());
    Ok(out)
}

/// A verified replay of `m` with a summary the size of a real one (~1.3 KB).
fn replay_row(rng: &mut ChaCha8Rng, m: &MatchRow, finished: i64) -> ReplayRow {
    let mut sha = String::with_capacity(64);
    for _ in 0..4 {
        sha.push_str(&format!("{:016x}", rng.next_u64()));
    }
    let winner_slot = match m.result {
        Some(MatchResult::Player2) => 2,
        _ => 1,
    };
    let summary = format!(
        concat!(
            r#"{{"sha256":"{sha}","release":"5.0.15.95299","build":95299,"base_build":95299,"#,
            r#""map_name":"{map}","game_loops":22400,"game_length_s":1000,"real_length_s":1000,"#,
            r#""start_time_utc":{start},"end_time_utc":{end},"speed":"Faster","expansion":"LotV","#,
            r#""region":"eu","category":"Private","game_type":"1v1","players":["#,
            r#"{{"name":"Gamer1","clan_tag":null,"play_race":"Terran","pick_race":"Terran","result":"Win","team":1,"is_human":true,"toon_handle":"2-S2-1-1234567"}},"#,
            r#"{{"name":"Gamer2","clan_tag":"TAG","play_race":"Zerg","pick_race":"Zerg","result":"Loss","team":2,"is_human":true,"toon_handle":"2-S2-1-7654321"}}],"#,
            r#""observers":[],"winner":{{"team":1,"players":["Gamer1"]}},"events":null,"#,
            r#""checks":["map","players","races","result","date","length","speed","version","observers"]}}"#
        ),
        sha = sha,
        map = m.map,
        start = finished / 1000 - 1000,
        end = finished / 1000,
    );
    ReplayRow {
        sha256: sha,
        match_id: Some(m.id),
        uploader_id: m.player1_id,
        uploaded_at: finished + 120_000,
        bytes: 60_000 + u64::from(rng.next_u32() % 80_000),
        build: Some(95_299),
        map_name: Some(m.map.clone()),
        game_started_at: Some(finished - 1_000_000),
        game_length_s: Some(1_000),
        summary_json: Some(summary),
        winner_slot: Some(winner_slot),
        verdict: ReplayVerdict::Verified,
        verdict_detail: "verified: every check passed".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny history loads back whole and rebuilds a ladder with every
    /// player and match in it.
    #[test]
    fn a_generated_history_loads_and_rebuilds() {
        let dir = tempfile::tempdir().unwrap();
        let store = StoreConfig::at(dir.path().join("ladder.db"));
        let ladder = LadderConfig::default();
        let size = Size {
            players: 40,
            matches: 300,
        };
        let now = 1_767_571_200_000;
        let w = generate(&store, &ladder, size, 7, now).unwrap();
        assert_eq!((w.players, w.matches, w.outbox_rows), (40, 300, 600));
        assert!(w.replays > 0 && w.ratings >= 20, "{w:?}");
        let snap = crate::store::load_snapshot(&store).unwrap();
        assert_eq!(snap.players.len(), 40);
        assert_eq!(snap.matches.len(), 300);
        assert_eq!(snap.replays.len() as u64, w.replays);
        assert!(snap.outbox.is_empty(), "every outbox row is delivered");
        assert!(snap.matches.iter().all(|m| !m.state.is_open()));
        let (ladder, _) = crate::ladder::Ladder::from_rows(ladder, 1, snap.into(), now);
        assert!((0..40).all(|i| ladder.player(FIRST_PLAYER_ID + i).is_some()));
        assert!(ladder.player(FIRST_PLAYER_ID + 40).is_none());
        assert!(ladder.open_cards().is_empty());
    }
}
