//! The JSON API: the pages' data, for a community site to embed. Players
//! are named by their site number (`id`), as in the pages' URLs; times are
//! Unix milliseconds (UTC). README, "Web site", documents each route.

use hyper::StatusCode;
use hyper::body::Bytes;
use serde_json::{Value, json};

use super::{Page, Params, Site, State, WebError};
use crate::ladder::PlayerId;
use crate::ladder::site::MatchSummary;
use crate::store::rows::UnixMillis;

fn ok(v: Value) -> Result<Page, WebError> {
    Ok(Page {
        status: StatusCode::OK,
        content_type: "application/json",
        body: Bytes::from(v.to_string()),
        disposition: None,
    })
}

pub fn error(e: &WebError) -> Page {
    let (status, msg) = match e {
        WebError::NotFound => (StatusCode::NOT_FOUND, "not found".to_owned()),
        WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
    };
    Page {
        status,
        content_type: "application/json",
        body: Bytes::from(json!({ "error": msg }).to_string()),
        disposition: None,
    }
}

fn player_ref(state: &State, id: PlayerId, name: &str) -> Value {
    match state.ladder.shown_player(id) {
        Some(_) => json!({ "id": state.number_of(id), "name": name }),
        // Banned players keep their name in others' histories, not a page.
        None => json!({ "id": null, "name": name }),
    }
}

pub fn leaderboard(
    _site: &Site,
    state: &State,
    now: UnixMillis,
    p: &Params,
) -> Result<Page, WebError> {
    let q = super::leaderboard_query(p)?;
    let page = state
        .ladder
        .leaderboard_page(now, &q)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let rows: Vec<Value> = page
        .rows
        .iter()
        .map(|r| {
            json!({
                "position": r.position,
                "player": player_ref(state, r.player_id, &r.ingame_name),
                "country": r.country,
                "race": r.race,
                "rating": (r.rating * 10.0).round() / 10.0,
                "rank": r.rank.map(|k| format!("{k:?}")),
                "provisional": r.provisional,
                "wins": r.wins,
                "losses": r.losses,
                "draws": r.draws,
            })
        })
        .collect();
    ok(json!({
        "season": page.season,
        "season_ended": page.season_ended,
        "page": page.page,
        "pages": page.pages,
        "total": page.total,
        "rows": rows,
    }))
}

fn match_json(state: &State, m: &MatchSummary) -> Value {
    let sides: Vec<Value> = (0..2)
        .map(|i| {
            json!({
                "player": player_ref(state, m.players[i], &m.names[i]),
                "race": m.races[i],
                "rating_before": (m.ratings_before[i] * 10.0).round() / 10.0,
                "rating_change": m.rating_changes[i].map(|c| (c * 10.0).round() / 10.0),
            })
        })
        .collect();
    json!({
        "id": m.id,
        "season": m.season_id,
        "players": sides,
        "map": m.map,
        "state": m.state.as_str(),
        "result": m.result.map(|r| r.as_str()),
        "created_at": m.created_at,
        "finished_at": m.finished_at,
    })
}

pub fn player(
    _site: &Site,
    state: &State,
    now: UnixMillis,
    id: PlayerId,
    p: &Params,
) -> Result<Page, WebError> {
    let season = p.number("season", 1u32..=1_000_000)?;
    let vs = match p.number("vs", 1u32..=u32::MAX)? {
        Some(n) => Some(super::player_of(state, &n.to_string())?),
        None => None,
    };
    let view = state
        .ladder
        .site_profile(now, id, season, vs)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let races: Vec<Value> = view
        .races
        .iter()
        .map(|r| {
            json!({
                "race": r.race,
                "rating": (r.rating * 10.0).round() / 10.0,
                "provisional": r.provisional,
                "rank": r.rank.map(|k| format!("{k:?}")),
                "wins": r.wins, "losses": r.losses, "draws": r.draws,
                "last_played_at": r.last_played_at,
            })
        })
        .collect();
    let history: Vec<Value> = state
        .ladder
        .rating_history(id)
        .iter()
        .map(|p| json!({ "at": p.at, "season": p.season_id, "race": p.race, "rating": (p.rating * 10.0).round() / 10.0 }))
        .collect();
    let recent: Vec<Value> = state
        .ladder
        .recent_matches(id, super::RECENT_MATCHES)
        .iter()
        .map(|m| match_json(state, m))
        .collect();
    let h2h = view.head_to_head.as_ref().map(|h| {
        json!({
            "opponent": player_ref(state, h.opponent_id, &h.opponent_name),
            "wins": h.wins, "losses": h.losses, "draws": h.draws,
            "recent": h.recent.iter().map(|(m, o)| json!({ "match": m, "outcome": o })).collect::<Vec<_>>(),
        })
    });
    ok(json!({
        "id": state.number_of(id),
        "name": view.ingame_name,
        "country": view.country,
        "region": view.region,
        "season": view.season,
        "season_ended": view.season_ended,
        "wins": view.wins, "losses": view.losses, "draws": view.draws,
        "races": races,
        "rating_history": history,
        "recent_matches": recent,
        "head_to_head": h2h,
    }))
}

pub fn matches(site: &Site, state: &State, id: u64) -> Result<Page, WebError> {
    let m = state.ladder.match_summary(id).ok_or(WebError::NotFound)?;
    let mut v = match_json(state, &m);
    let replay = state.replays.get(&id).map(|f| {
        json!({
            "sha256": f.sha256,
            "map": f.map_name,
            "game_length_s": f.game_length_s,
            "build": f.build,
            "game_started_at": f.game_started_at,
            "download": super::replay_kept(site, &f.sha256)
                .then(|| site.url(&format!("/matches/{id}/replay"))),
        })
    });
    v["replay"] = replay.unwrap_or(Value::Null);
    ok(v)
}

pub fn seasons(state: &State) -> Result<Page, WebError> {
    let current = state.ladder.current_season();
    let v: Vec<Value> = state
        .ladder
        .seasons()
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "name": s.name, "started_at": s.started_at,
                "ended_at": s.ended_at, "current": s.id == current, "rated": s.rated,
            })
        })
        .collect();
    ok(json!({ "seasons": v }))
}

pub fn activity(state: &State, now: UnixMillis) -> Result<Page, WebError> {
    let a = state.ladder.activity(now);
    ok(json!({
        "matches_by_hour_of_week_utc": a.by_hour_of_week.to_vec(),
        "games_per_day": a.per_day.iter().map(|(d, n)| json!({ "day": d, "games": n })).collect::<Vec<_>>(),
    }))
}
