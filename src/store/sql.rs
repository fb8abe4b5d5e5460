//! How rows map to SQL: the one place that knows both [`super::rows`] and the
//! schema. Writes run on the writer thread; loads run on a read connection.

use rusqlite::{Connection, Row, params};

use super::rows::*;

/// Why a row could not be turned into SQL values (or back).
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    #[error("{what} {value} does not fit in SQLite's signed 64-bit integer")]
    IdTooLarge { what: &'static str, value: u64 },
    #[error("stored {column} holds unknown value {value:?}")]
    BadEnum { column: &'static str, value: String },
    #[error("stored {column} is not a JSON list of strings: {message}")]
    BadList {
        column: &'static str,
        message: String,
    },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

fn id(what: &'static str, value: u64) -> Result<i64, RowError> {
    i64::try_from(value).map_err(|_| RowError::IdTooLarge { what, value })
}

fn opt_id(what: &'static str, value: Option<u64>) -> Result<Option<i64>, RowError> {
    value.map(|v| id(what, v)).transpose()
}

fn list_json(list: &[String]) -> String {
    let mut out = String::from("[");
    for (i, s) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

/// Reads what [`list_json`] wrote, using SQLite's own JSON parser so that a
/// hand-edited row is read by a real parser, not by ours.
fn list_from_json(
    conn: &Connection,
    column: &'static str,
    json: &str,
) -> Result<Vec<String>, RowError> {
    let mut stmt = conn.prepare_cached("SELECT value, type FROM json_each(?1)")?;
    let mut out = Vec::new();
    let mut rows = stmt.query([json]).map_err(|e| RowError::BadList {
        column,
        message: e.to_string(),
    })?;
    while let Some(row) = rows.next().map_err(|e| RowError::BadList {
        column,
        message: e.to_string(),
    })? {
        let kind: String = row.get(1)?;
        if kind != "text" {
            return Err(RowError::BadList {
                column,
                message: format!("element of type {kind}"),
            });
        }
        out.push(row.get(0)?);
    }
    Ok(out)
}

fn enum_col<T>(
    column: &'static str,
    value: String,
    parse: fn(&str) -> Option<T>,
) -> Result<T, RowError> {
    parse(&value).ok_or(RowError::BadEnum { column, value })
}

/// A nullable enumeration column.
fn opt_enum_col<T>(
    row: &Row<'_>,
    idx: usize,
    column: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, RowError> {
    row.get::<_, Option<String>>(idx)?
        .map(|v| enum_col(column, v, parse))
        .transpose()
}

/// Applies one write inside the writer's transaction.
pub fn apply(tx: &Connection, write: &Write) -> Result<(), RowError> {
    match write {
        Write::Player(p) => {
            let pid = id("player id", p.discord_id)?;
            tx.prepare_cached(
                "INSERT INTO players (discord_id, discord_name, ingame_name, battletag, country, region,
                    tos_accepted_at, setup_at, state, aborts_left, aborts_month, banned, ban_reason,
                    is_admin, queue_cooldown_until, created_at, updated_at, aborts_total,
                    lapses_total, strikes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                    ?18, ?19, ?20)
                 ON CONFLICT (discord_id) DO UPDATE SET
                    discord_name = excluded.discord_name, ingame_name = excluded.ingame_name,
                    battletag = excluded.battletag, country = excluded.country, region = excluded.region,
                    tos_accepted_at = excluded.tos_accepted_at, setup_at = excluded.setup_at,
                    state = excluded.state, aborts_left = excluded.aborts_left,
                    aborts_month = excluded.aborts_month, banned = excluded.banned,
                    ban_reason = excluded.ban_reason, is_admin = excluded.is_admin,
                    queue_cooldown_until = excluded.queue_cooldown_until,
                    updated_at = excluded.updated_at, aborts_total = excluded.aborts_total,
                    lapses_total = excluded.lapses_total, strikes = excluded.strikes",
            )?
            .execute(params![
                pid,
                p.discord_name,
                p.ingame_name,
                p.battletag,
                p.country,
                p.region,
                p.tos_accepted_at,
                p.setup_at,
                p.state.as_str(),
                p.aborts_left,
                p.aborts_month,
                p.banned,
                p.ban_reason,
                p.is_admin,
                p.queue_cooldown_until,
                p.created_at,
                p.updated_at,
                p.aborts_total,
                p.lapses_total,
                serde_json::to_string(&p.strikes).unwrap_or_else(|_| "[]".into()),
            ])?;
            tx.prepare_cached("DELETE FROM player_alt_names WHERE player_id = ?1")?
                .execute([pid])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO player_alt_names (player_id, position, name) VALUES (?1, ?2, ?3)",
            )?;
            for (i, name) in p.alt_names.iter().enumerate() {
                insert.execute(params![pid, i as i64 + 1, name])?;
            }
        }
        Write::QueuePrefs(q) => {
            tx.prepare_cached(
                "INSERT INTO queue_preferences (player_id, races, vetoes, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (player_id) DO UPDATE SET races = excluded.races,
                    vetoes = excluded.vetoes, updated_at = excluded.updated_at",
            )?
            .execute(params![
                id("player id", q.player_id)?,
                list_json(&q.races),
                list_json(&q.vetoes),
                q.updated_at
            ])?;
        }
        Write::Season(s) => {
            tx.prepare_cached(
                "INSERT INTO seasons (id, name, started_at, ended_at, map_pool) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, started_at = excluded.started_at,
                    ended_at = excluded.ended_at, map_pool = excluded.map_pool",
            )?
            .execute(params![s.id, s.name, s.started_at, s.ended_at, list_json(&s.map_pool)])?;
        }
        Write::Rating(r) => {
            tx.prepare_cached(
                "INSERT INTO ratings (season_id, player_id, race, rating, deviation, volatility,
                    games, wins, losses, draws, last_played_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (season_id, player_id, race) DO UPDATE SET
                    rating = excluded.rating, deviation = excluded.deviation,
                    volatility = excluded.volatility, games = excluded.games, wins = excluded.wins,
                    losses = excluded.losses, draws = excluded.draws,
                    last_played_at = excluded.last_played_at",
            )?
            .execute(params![
                r.season_id,
                id("player id", r.player_id)?,
                r.race,
                r.rating,
                r.deviation,
                r.volatility,
                r.games,
                r.wins,
                r.losses,
                r.draws,
                r.last_played_at
            ])?;
        }
        Write::Match(m) => {
            tx.prepare_cached(
                "INSERT INTO matches (id, season_id, player1_id, player2_id, race1, race2,
                    rating1_before, deviation1_before, volatility1_before,
                    rating2_before, deviation2_before, volatility2_before,
                    map, server, state, created_at, confirmed1_at, confirmed2_at, started_at,
                    report1, report2, reported1_at, reported2_at, result, result_source,
                    finished_at, rating1_change, rating2_change, ended_by, flagged_at, thread_id,
                    confirm_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)
                 ON CONFLICT (id) DO UPDATE SET
                    state = excluded.state, confirmed1_at = excluded.confirmed1_at,
                    confirmed2_at = excluded.confirmed2_at, started_at = excluded.started_at,
                    report1 = excluded.report1, report2 = excluded.report2,
                    reported1_at = excluded.reported1_at, reported2_at = excluded.reported2_at,
                    result = excluded.result, result_source = excluded.result_source,
                    finished_at = excluded.finished_at, rating1_change = excluded.rating1_change,
                    rating2_change = excluded.rating2_change, ended_by = excluded.ended_by,
                    flagged_at = excluded.flagged_at, thread_id = excluded.thread_id,
                    confirm_by = excluded.confirm_by",
            )?
            .execute(params![
                id("match id", m.id)?,
                m.season_id,
                id("player id", m.player1_id)?,
                id("player id", m.player2_id)?,
                m.race1,
                m.race2,
                m.before1.rating,
                m.before1.deviation,
                m.before1.volatility,
                m.before2.rating,
                m.before2.deviation,
                m.before2.volatility,
                m.map,
                m.server,
                m.state.as_str(),
                m.created_at,
                m.confirmed1_at,
                m.confirmed2_at,
                m.started_at,
                m.report1.map(Report::as_str),
                m.report2.map(Report::as_str),
                m.reported1_at,
                m.reported2_at,
                m.result.map(MatchResult::as_str),
                m.result_source.map(ResultSource::as_str),
                m.finished_at,
                m.rating1_change,
                m.rating2_change,
                opt_id("ended_by", m.ended_by)?,
                m.flagged_at,
                opt_id("thread id", m.thread_id)?,
                m.confirm_by,
            ])?;
        }
        Write::Replay(r) => {
            tx.prepare_cached(
                "INSERT INTO replays (sha256, match_id, uploader_id, uploaded_at, bytes, build, map_name,
                    game_started_at, game_length_s, summary, winner_slot, verdict, verdict_detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                r.sha256,
                opt_id("match id", r.match_id)?,
                id("uploader id", r.uploader_id)?,
                r.uploaded_at,
                id("replay size", r.bytes)?,
                r.build,
                r.map_name,
                r.game_started_at,
                r.game_length_s,
                r.summary_json,
                r.winner_slot,
                r.verdict.as_str(),
                r.verdict_detail
            ])?;
        }
        Write::AdminAction(a) => {
            tx.prepare_cached(
                "INSERT INTO admin_actions (admin_id, action, target_player_id, target_match_id,
                    reason, details, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id("admin id", a.admin_id)?,
                a.action,
                opt_id("player id", a.target_player_id)?,
                opt_id("match id", a.target_match_id)?,
                a.reason,
                a.details_json,
                a.at
            ])?;
        }
        Write::Audit(a) => {
            tx.prepare_cached(
                "INSERT INTO audit (at, actor_id, command, target, outcome, details)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                a.at,
                id("actor id", a.actor_id)?,
                a.command,
                a.target,
                a.outcome,
                a.details_json
            ])?;
        }
        Write::Outbox(o) => {
            let (audience, target) = match o.to {
                OutboxAudience::Player(p) => ("player", Some(id("player id", p)?)),
                OutboxAudience::Lobby => ("lobby", None),
                OutboxAudience::Match(m) => ("match", Some(id("match id", m)?)),
                OutboxAudience::AdminLog => ("admin_log", None),
            };
            tx.prepare_cached(
                "INSERT INTO outbox (id, created_at, audience, target, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                id("outbox id", o.id)?,
                o.created_at,
                audience,
                target,
                o.body_json
            ])?;
        }
        Write::OutboxSettled {
            id: row,
            at,
            delivery,
            message_id,
        } => {
            // Only a pending row is settled: a late duplicate mark changes nothing.
            tx.prepare_cached(
                "UPDATE outbox SET delivered_at = ?2, delivery = ?3, message_id = ?4
                 WHERE id = ?1 AND delivered_at IS NULL",
            )?
            .execute(params![
                id("outbox id", *row)?,
                at,
                delivery.as_str(),
                opt_id("message id", *message_id)?
            ])?;
        }
        Write::AliveAt(at) => {
            tx.prepare_cached(
                "INSERT INTO ladder_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![META_ALIVE_AT, at])?;
        }
        Write::RetiredMap { name, info_json } => match info_json {
            Some(info) => {
                tx.prepare_cached(
                    "INSERT INTO retired_maps (name, info) VALUES (?1, ?2)
                     ON CONFLICT (name) DO UPDATE SET info = excluded.info",
                )?
                .execute(params![name, info])?;
            }
            None => {
                tx.prepare_cached("DELETE FROM retired_maps WHERE name = ?1")?
                    .execute(params![name])?;
            }
        },
        Write::Reach(r) => {
            tx.prepare_cached(
                "INSERT INTO player_reach (player_id, dm_channel_id, dms_closed, hinted_at, updated_at, locale)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (player_id) DO UPDATE SET dm_channel_id = excluded.dm_channel_id,
                    dms_closed = excluded.dms_closed, hinted_at = excluded.hinted_at,
                    updated_at = excluded.updated_at, locale = excluded.locale",
            )?
            .execute(params![
                id("player id", r.player_id)?,
                opt_id("DM channel id", r.dm_channel_id)?,
                r.dms_closed,
                r.hinted_at,
                r.updated_at,
                r.locale
            ])?;
        }
        Write::CardDelivered {
            match_id,
            player_id,
            at,
        } => {
            tx.prepare_cached(
                "INSERT INTO card_deliveries (match_id, player_id, delivered_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (match_id, player_id) DO NOTHING",
            )?
            .execute(params![
                id("match id", *match_id)?,
                id("player id", *player_id)?,
                at
            ])?;
        }
        Write::NotifyPrefs(n) => {
            tx.prepare_cached(
                "INSERT INTO notify_prefs (player_id, enabled, min_gap_ms, quiet_from_min,
                    quiet_to_min, time_zone, near_rating, last_ping_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (player_id) DO UPDATE SET enabled = excluded.enabled,
                    min_gap_ms = excluded.min_gap_ms, quiet_from_min = excluded.quiet_from_min,
                    quiet_to_min = excluded.quiet_to_min, time_zone = excluded.time_zone,
                    near_rating = excluded.near_rating, last_ping_at = excluded.last_ping_at,
                    updated_at = excluded.updated_at",
            )?
            .execute(params![
                id("player id", n.player_id)?,
                n.enabled,
                n.min_gap_ms,
                n.quiet.map(|q| q.0),
                n.quiet.map(|q| q.1),
                n.time_zone,
                n.near_rating,
                n.last_ping_at,
                n.updated_at
            ])?;
        }
        Write::Meta { key, value } => {
            tx.prepare_cached(
                "INSERT INTO ladder_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        }
    }
    Ok(())
}

/// Everything the ladder keeps in memory, as stored. Read once at start-up.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Snapshot {
    pub players: Vec<PlayerRow>,
    pub queue_prefs: Vec<QueuePrefsRow>,
    pub seasons: Vec<SeasonRow>,
    pub ratings: Vec<RatingRow>,
    pub matches: Vec<MatchRow>,
    /// Every uploaded replay and its verdict (a verified one proves its
    /// match), without its summary (`summary_json` is `None`: see `load`).
    pub replays: Vec<ReplayRow>,
    /// Outbox rows not yet settled, oldest first.
    pub outbox: Vec<OutboxRow>,
    /// The id the next outbox row gets (one past the largest ever written).
    pub next_outbox_id: u64,
    /// When the ladder last said it was alive (`None`: never, or a database
    /// from before migration 2).
    pub alive_at: Option<UnixMillis>,
    /// (name, JSON of the map's configuration) of maps a reload removed.
    pub retired_maps: Vec<(String, String)>,
    /// How Discord lets ladderd reach each player (the Discord layer's).
    pub reach: Vec<ReachRow>,
    /// The lobby's live status message, if one was posted.
    pub lobby_status_message: Option<u64>,
    /// (match, player, delivered at) of the cards of matches still waiting
    /// for confirms.
    pub card_deliveries: Vec<(u64, u64, UnixMillis)>,
    pub notify_prefs: Vec<NotifyPrefsRow>,
}

fn u64_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = row.get(idx)?;
    Ok(v as u64)
}

fn opt_u64_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<u64>> {
    let v: Option<i64> = row.get(idx)?;
    Ok(v.map(|v| v as u64))
}

/// Reads the whole ladder state.
pub fn load(conn: &Connection) -> Result<Snapshot, RowError> {
    let mut matches = Vec::new();
    let mut snap = load_with(conn, &mut |m| matches.push(m))?;
    snap.matches = matches;
    Ok(snap)
}

/// How many matches `load_with` will hand over.
pub fn count_matches(conn: &Connection) -> Result<usize, RowError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM matches", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// [`load`], but each match goes to `on_match` as it is read (by id) and
/// `Snapshot::matches` stays empty: the caller keeps one row at a time, not
/// 100,000 rows and their strings (BENCHMARKS.md, "Memory").
pub fn load_with(
    conn: &Connection,
    on_match: &mut dyn FnMut(MatchRow),
) -> Result<Snapshot, RowError> {
    let mut snap = Snapshot::default();

    let mut alt_names: std::collections::HashMap<u64, Vec<String>> = Default::default();
    let mut stmt =
        conn.prepare("SELECT player_id, name FROM player_alt_names ORDER BY player_id, position")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        alt_names
            .entry(u64_col(row, 0)?)
            .or_default()
            .push(row.get(1)?);
    }

    let mut stmt = conn.prepare(
        "SELECT discord_id, discord_name, ingame_name, battletag, country, region, tos_accepted_at,
            setup_at, state, aborts_left, aborts_month, banned, ban_reason, is_admin,
            queue_cooldown_until, created_at, updated_at, aborts_total, lapses_total, strikes
         FROM players ORDER BY discord_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let discord_id = u64_col(row, 0)?;
        snap.players.push(PlayerRow {
            discord_id,
            discord_name: row.get(1)?,
            ingame_name: row.get(2)?,
            battletag: row.get(3)?,
            alt_names: alt_names.remove(&discord_id).unwrap_or_default(),
            country: row.get(4)?,
            region: row.get(5)?,
            tos_accepted_at: row.get(6)?,
            setup_at: row.get(7)?,
            state: enum_col("players.state", row.get(8)?, PlayerState::parse)?,
            aborts_left: row.get(9)?,
            aborts_month: row.get(10)?,
            banned: row.get(11)?,
            ban_reason: row.get(12)?,
            is_admin: row.get(13)?,
            queue_cooldown_until: row.get(14)?,
            created_at: row.get(15)?,
            updated_at: row.get(16)?,
            aborts_total: row.get(17)?,
            lapses_total: row.get(18)?,
            strikes: {
                let text: String = row.get(19)?;
                serde_json::from_str(&text).map_err(|e| RowError::BadList {
                    column: "players.strikes",
                    message: e.to_string(),
                })?
            },
        });
    }

    let mut stmt = conn.prepare(
        "SELECT player_id, races, vetoes, updated_at FROM queue_preferences ORDER BY player_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let races: String = row.get(1)?;
        let vetoes: String = row.get(2)?;
        snap.queue_prefs.push(QueuePrefsRow {
            player_id: u64_col(row, 0)?,
            races: list_from_json(conn, "queue_preferences.races", &races)?,
            vetoes: list_from_json(conn, "queue_preferences.vetoes", &vetoes)?,
            updated_at: row.get(3)?,
        });
    }

    let mut stmt =
        conn.prepare("SELECT id, name, started_at, ended_at, map_pool FROM seasons ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let pool: String = row.get(4)?;
        snap.seasons.push(SeasonRow {
            id: row.get(0)?,
            name: row.get(1)?,
            started_at: row.get(2)?,
            ended_at: row.get(3)?,
            map_pool: list_from_json(conn, "seasons.map_pool", &pool)?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT season_id, player_id, race, rating, deviation, volatility, games, wins, losses, draws,
            last_played_at FROM ratings ORDER BY season_id, player_id, race",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        snap.ratings.push(RatingRow {
            season_id: row.get(0)?,
            player_id: u64_col(row, 1)?,
            race: row.get(2)?,
            rating: row.get(3)?,
            deviation: row.get(4)?,
            volatility: row.get(5)?,
            games: row.get(6)?,
            wins: row.get(7)?,
            losses: row.get(8)?,
            draws: row.get(9)?,
            last_played_at: row.get(10)?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT id, season_id, player1_id, player2_id, race1, race2,
            rating1_before, deviation1_before, volatility1_before,
            rating2_before, deviation2_before, volatility2_before,
            map, server, state, created_at, confirmed1_at, confirmed2_at, started_at,
            report1, report2, reported1_at, reported2_at, result, result_source,
            finished_at, rating1_change, rating2_change, ended_by, flagged_at, thread_id, confirm_by
         FROM matches ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        on_match(MatchRow {
            id: u64_col(row, 0)?,
            season_id: row.get(1)?,
            player1_id: u64_col(row, 2)?,
            player2_id: u64_col(row, 3)?,
            race1: row.get(4)?,
            race2: row.get(5)?,
            before1: RatingBefore {
                rating: row.get(6)?,
                deviation: row.get(7)?,
                volatility: row.get(8)?,
            },
            before2: RatingBefore {
                rating: row.get(9)?,
                deviation: row.get(10)?,
                volatility: row.get(11)?,
            },
            map: row.get(12)?,
            server: row.get(13)?,
            state: enum_col("matches.state", row.get(14)?, MatchState::parse)?,
            created_at: row.get(15)?,
            confirmed1_at: row.get(16)?,
            confirmed2_at: row.get(17)?,
            started_at: row.get(18)?,
            report1: opt_enum_col(row, 19, "matches.report1", Report::parse)?,
            report2: opt_enum_col(row, 20, "matches.report2", Report::parse)?,
            reported1_at: row.get(21)?,
            reported2_at: row.get(22)?,
            result: opt_enum_col(row, 23, "matches.result", MatchResult::parse)?,
            result_source: opt_enum_col(row, 24, "matches.result_source", ResultSource::parse)?,
            finished_at: row.get(25)?,
            rating1_change: row.get(26)?,
            rating2_change: row.get(27)?,
            ended_by: opt_u64_col(row, 28)?,
            flagged_at: row.get(29)?,
            thread_id: opt_u64_col(row, 30)?,
            confirm_by: row.get(31)?,
        });
    }

    // Not the summary: nothing in memory reads it, and at 20,000 replays it
    // was 15 MB of the start-up peak (BENCHMARKS.md, "Memory"). It stays on
    // disk for operators; `summary_json` is `None` here.
    let mut stmt = conn.prepare(
        "SELECT sha256, match_id, uploader_id, uploaded_at, bytes, build, map_name,
            game_started_at, game_length_s, NULL, winner_slot, verdict, verdict_detail
         FROM replays ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        snap.replays.push(ReplayRow {
            sha256: row.get(0)?,
            match_id: opt_u64_col(row, 1)?,
            uploader_id: u64_col(row, 2)?,
            uploaded_at: row.get(3)?,
            bytes: u64_col(row, 4)?,
            build: row.get(5)?,
            map_name: row.get(6)?,
            game_started_at: row.get(7)?,
            game_length_s: row.get(8)?,
            summary_json: row.get(9)?,
            winner_slot: row.get(10)?,
            verdict: enum_col("replays.verdict", row.get(11)?, ReplayVerdict::parse)?,
            verdict_detail: row.get(12)?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT id, created_at, audience, target, body FROM outbox
         WHERE delivered_at IS NULL ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let audience: String = row.get(2)?;
        let target = opt_u64_col(row, 3)?;
        let to = match (audience.as_str(), target) {
            ("player", Some(p)) => OutboxAudience::Player(p),
            ("match", Some(m)) => OutboxAudience::Match(m),
            ("lobby", _) => OutboxAudience::Lobby,
            ("admin_log", _) => OutboxAudience::AdminLog,
            _ => {
                return Err(RowError::BadEnum {
                    column: "outbox.audience",
                    value: format!("{audience} {target:?}"),
                });
            }
        };
        snap.outbox.push(OutboxRow {
            id: u64_col(row, 0)?,
            created_at: row.get(1)?,
            to,
            body_json: row.get(4)?,
        });
    }
    let max_id: Option<i64> = conn.query_row("SELECT max(id) FROM outbox", [], |r| r.get(0))?;
    snap.next_outbox_id = max_id.map_or(1, |m| m as u64 + 1);
    snap.alive_at = conn
        .query_row(
            "SELECT value FROM ladder_meta WHERE key = ?1",
            [META_ALIVE_AT],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    let mut stmt = conn.prepare("SELECT name, info FROM retired_maps ORDER BY name")?;
    snap.retired_maps = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT d.match_id, d.player_id, d.delivered_at FROM card_deliveries d
         JOIN matches m ON m.id = d.match_id WHERE m.state = 'found'
         ORDER BY d.match_id, d.player_id",
    )?;
    snap.card_deliveries = stmt
        .query_map([], |r| Ok((u64_col(r, 0)?, u64_col(r, 1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT player_id, enabled, min_gap_ms, quiet_from_min, quiet_to_min, time_zone,
            near_rating, last_ping_at, updated_at FROM notify_prefs ORDER BY player_id",
    )?;
    snap.notify_prefs = stmt
        .query_map([], |r| {
            let from: Option<u16> = r.get(3)?;
            let to: Option<u16> = r.get(4)?;
            Ok(NotifyPrefsRow {
                player_id: u64_col(r, 0)?,
                enabled: r.get(1)?,
                min_gap_ms: r.get(2)?,
                quiet: from.zip(to),
                time_zone: r.get(5)?,
                near_rating: r.get(6)?,
                last_ping_at: r.get(7)?,
                updated_at: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT player_id, dm_channel_id, dms_closed, hinted_at, updated_at, locale
         FROM player_reach ORDER BY player_id",
    )?;
    snap.reach = stmt
        .query_map([], |r| {
            Ok(ReachRow {
                player_id: u64_col(r, 0)?,
                dm_channel_id: opt_u64_col(r, 1)?,
                dms_closed: r.get(2)?,
                hinted_at: r.get(3)?,
                updated_at: r.get(4)?,
                locale: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    snap.lobby_status_message = conn
        .query_row(
            "SELECT value FROM ladder_meta WHERE key = ?1",
            [META_LOBBY_STATUS],
            |r| r.get::<_, i64>(0),
        )
        .map(|v| Some(v as u64))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    Ok(snap)
}
