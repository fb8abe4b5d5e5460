//! The HTML pages (maud: compile-time templates, every value escaped unless
//! wrapped in `PreEscaped`, which only our own charts' SVG is).

use hyper::StatusCode;
use hyper::body::Bytes;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::chart::{ActivityChart, RatingChart};
use super::{Page, Params, Site, State, WebError, text};
use crate::ladder::PlayerId;
use crate::ladder::site::MatchSummary;
use crate::store::rows::{MatchResult, UnixMillis};

const CSS: &str = "body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}\
nav a{margin-right:1rem}table{border-collapse:collapse;width:100%}\
th,td{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:left}\
td.n,th.n{text-align:right}.muted{color:#777}form{margin:.5rem 0}\
input:not([type=checkbox]){width:6rem}svg{max-width:100%;height:auto}.err{color:#a00}";

fn layout(site: &Site, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (text::SITE_TITLE) }
                style { (PreEscaped(CSS)) }
            }
            body {
                nav {
                    a href=(site.url("/leaderboard")) { (text::NAV_LEADERBOARD) }
                    a href=(site.url("/seasons")) { (text::NAV_SEASONS) }
                    a href=(site.url("/activity")) { (text::NAV_ACTIVITY) }
                }
                main { (body) }
                footer class="muted" { p { (text::NO_JS) } }
            }
        }
    }
}

fn ok(markup: Markup) -> Result<Page, WebError> {
    Ok(Page {
        status: StatusCode::OK,
        content_type: "text/html; charset=utf-8",
        body: Bytes::from(markup.into_string()),
        disposition: None,
    })
}

pub fn error(site: &Site, e: &WebError) -> Page {
    let (status, title, detail) = match e {
        WebError::NotFound => (StatusCode::NOT_FOUND, text::NOT_FOUND, String::new()),
        WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, text::BAD_REQUEST, m.clone()),
    };
    let markup = layout(
        site,
        title,
        html! { h1 { (title) } p class="err" { (detail) } },
    );
    Page {
        status,
        content_type: "text/html; charset=utf-8",
        body: Bytes::from(markup.into_string()),
        disposition: None,
    }
}

pub fn date(ms: UnixMillis) -> String {
    let (y, m, d) = crate::ladder::time::civil(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

fn player_link(site: &Site, state: &State, id: PlayerId, name: &str) -> Markup {
    match state.ladder.shown_player(id) {
        Some(_) => html! {
            a href=(site.url(&format!("/players/{}", state.number_of(id)))) { (name) }
        },
        None => html! { span { (name) } },
    }
}

/// A leaderboard URL with `page` and the other filters of `q`.
fn leaderboard_url(site: &Site, q: &crate::ladder::LeaderboardQuery, page: usize) -> String {
    let mut parts = Vec::new();
    let list = |v: &[String]| v.join(",");
    if !q.races.is_empty() {
        parts.push(format!("race={}", enc(&list(&q.races))));
    }
    if !q.countries.is_empty() {
        parts.push(format!("country={}", enc(&list(&q.countries))));
    }
    if !q.regions.is_empty() {
        parts.push(format!("region={}", enc(&list(&q.regions))));
    }
    if !q.ranks.is_empty() {
        let r: Vec<String> = q.ranks.iter().map(|k| format!("{k:?}")).collect();
        parts.push(format!("rank={}", r.join(",")));
    }
    if let Some(s) = q.season {
        parts.push(format!("season={s}"));
    }
    if q.best_race_only {
        parts.push("best=1".into());
    }
    parts.push(format!("page={page}"));
    site.url(&format!("/leaderboard?{}", parts.join("&")))
}

/// Percent-encodes everything but unreserved characters.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn leaderboard(
    site: &Site,
    state: &State,
    now: UnixMillis,
    p: &Params,
) -> Result<Page, WebError> {
    let q = super::leaderboard_query(p)?;
    let page = state
        .ladder
        .leaderboard_page(now, &q)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let q = &page.query;
    let value = |k: &str| p.get(k).unwrap_or("").to_owned();
    ok(layout(
        site,
        text::LEADERBOARD,
        html! {
            h1 {
                (text::LEADERBOARD) " — " (page.season)
                @if page.season_ended { " (" (text::ENDED) ")" }
            }
            form method="get" action=(site.url("/leaderboard")) {
                strong { (text::FILTERS) ": " }
                label { (text::COL_RACE) " " input name="race" value=(value("race")); } " "
                label { (text::COL_COUNTRY) " " input name="country" value=(value("country")); } " "
                label { (text::COL_REGION) " " input name="region" value=(value("region")); } " "
                label { (text::COL_RANK) " " input name="rank" value=(value("rank")); } " "
                label { (text::COL_SEASON) " " input name="season" value=(value("season")); } " "
                label { input type="checkbox" name="best" value="1" checked[q.best_race_only]; " " (text::BEST_RACE_ONLY) } " "
                button type="submit" { (text::APPLY) }
            }
            p class="muted" {
                (text::PAGE) " " (page.page) " " (text::OF) " " (page.pages)
                " (" (page.total) " " (text::ENTRIES) ")"
            }
            table id="leaderboard" {
                thead { tr {
                    th class="n" { (text::COL_POS) } th { (text::COL_PLAYER) }
                    th { (text::COL_COUNTRY) } th { (text::COL_RACE) }
                    th class="n" { (text::COL_RATING) } th { (text::COL_RANK) }
                    th class="n" { (text::COL_RECORD) }
                } }
                tbody {
                    @for r in &page.rows {
                        tr {
                            td class="n" { (r.position) }
                            td { (player_link(site, state, r.player_id, &r.ingame_name)) }
                            td { (r.country) }
                            td { (r.race) }
                            td class="n" {
                                (format!("{:.0}", r.rating))
                                @if r.provisional { " " span class="muted" title=(text::PROVISIONAL) { "?" } }
                            }
                            td { @if let Some(k) = r.rank { (format!("{k:?}")) } }
                            td class="n" { (r.wins) "-" (r.losses) "-" (r.draws) }
                        }
                    }
                }
            }
            p {
                @if page.page > 1 {
                    a rel="prev" href=(leaderboard_url(site, q, page.page - 1)) { (text::PREVIOUS) } " "
                }
                @if page.page < page.pages {
                    a rel="next" href=(leaderboard_url(site, q, page.page + 1)) { (text::NEXT) }
                }
            }
            p class="muted" { (text::API_NOTE) " " a href=(site.url("/api/leaderboard")) { "/api/leaderboard" } }
        },
    ))
}

/// The rating chart of player `id`.
pub fn rating_chart(state: &State, id: PlayerId) -> RatingChart {
    RatingChart {
        points: state.ladder.rating_history(id),
        seasons: state.ladder.seasons(),
    }
}

fn outcome(m: &MatchSummary, side: usize) -> Option<&'static str> {
    m.result.map(|r| match (r, side) {
        (MatchResult::Draw, _) => text::DRAW,
        (MatchResult::Player1, 0) | (MatchResult::Player2, 1) => text::WIN,
        _ => text::LOSS,
    })
}

pub fn player(
    site: &Site,
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
    let name = view.ingame_name.clone().unwrap_or_default();
    let svg = site
        .charts
        .rating_svg(&rating_chart(state, id))
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let svg = String::from_utf8_lossy(&svg).into_owned();
    let mut h2h = Vec::new();
    if let Some(h) = &view.head_to_head {
        h2h.push(h.clone());
    }
    for (o, _) in state.ladder.frequent_opponents(id, HEAD_TO_HEAD) {
        if Some(o) == vs || state.ladder.shown_player(o).is_none() {
            continue;
        }
        // The head-to-head alone: a whole profile would rank everyone again.
        if let Ok(h) = state.ladder.site_head_to_head(id, o, season) {
            h2h.push(h);
        }
    }
    let recent = state.ladder.recent_matches(id, super::RECENT_MATCHES);
    let number = state.number_of(id);
    ok(layout(
        site,
        &name,
        html! {
            h1 id="player-name" { (name) }
            p class="muted" {
                @if let Some(c) = &view.country { (c) " · " }
                @if let Some(r) = &view.region { (r) " · " }
                (view.season) @if view.season_ended { " (" (text::ENDED) ")" }
                " · " (view.wins) "-" (view.losses) "-" (view.draws)
            }
            h2 { (text::RATINGS) }
            @if view.races.is_empty() { p { (text::NO_RATINGS) } } @else {
                table id="ratings" {
                    thead { tr { th { (text::COL_RACE) } th class="n" { (text::COL_RATING) } th { (text::COL_RANK) } th class="n" { (text::COL_RECORD) } } }
                    tbody { @for r in &view.races { tr {
                        td { (r.race) }
                        td class="n" { (format!("{:.0}", r.rating)) @if r.provisional { " " span class="muted" { "(" (text::PROVISIONAL) ")" } } }
                        td { @if let Some(k) = r.rank { (format!("{k:?}")) } }
                        td class="n" { (r.wins) "-" (r.losses) "-" (r.draws) }
                    } } }
                }
            }
            h2 { (text::RATING_HISTORY) }
            div id="rating-chart" { (PreEscaped(svg)) }
            @if !h2h.is_empty() {
                h2 { (text::HEAD_TO_HEAD) }
                table id="head-to-head" { tbody { @for h in &h2h { tr {
                    td { (player_link(site, state, h.opponent_id, &h.opponent_name)) }
                    td class="n" { (h.wins) "-" (h.losses) "-" (h.draws) }
                } } } }
            }
            h2 { (text::RECENT_MATCHES) }
            @if recent.is_empty() { p { (text::NO_MATCHES) } } @else {
                table id="matches" {
                    thead { tr { th { (text::COL_MATCH) } th { (text::COL_DATE) } th { (text::COL_OPPONENT) } th { (text::COL_MAP) } th { (text::COL_RESULT) } th class="n" { (text::COL_CHANGE) } } }
                    tbody { @for m in &recent {
                        @let side = usize::from(m.players[1] == id);
                        tr {
                            td { a href=(site.url(&format!("/matches/{}", m.id))) { "#" (m.id) } }
                            td { (date(m.created_at)) }
                            td { (player_link(site, state, m.players[1 - side], &m.names[1 - side])) " (" (m.races[1 - side]) ")" }
                            td { (m.map) }
                            td { (outcome(m, side).unwrap_or(m.state.as_str())) }
                            td class="n" { @if let Some(c) = m.rating_changes[side] { (format!("{c:+.0}")) } }
                        }
                    } }
                }
            }
            p class="muted" { (text::API_NOTE) " " a href=(site.url(&format!("/api/players/{number}"))) { "/api/players/" (number) } }
        },
    ))
}

const HEAD_TO_HEAD: usize = super::HEAD_TO_HEAD_OPPONENTS;

pub fn matches(site: &Site, state: &State, id: u64) -> Result<Page, WebError> {
    let m = state.ladder.match_summary(id).ok_or(WebError::NotFound)?;
    let facts = state.replays.get(&id);
    let kept = m
        .replay_sha256
        .as_deref()
        .is_some_and(|s| super::replay_kept(site, s));
    ok(layout(
        site,
        &format!("{} #{id}", text::MATCH),
        html! {
            h1 { (text::MATCH) " #" (id) }
            p class="muted" { (date(m.created_at)) " · " (m.map) " · " (text::STATE) ": " (m.state.as_str()) }
            table id="match" {
                thead { tr { th { (text::COL_PLAYER) } th { (text::COL_RACE) } th class="n" { (text::COL_RATING) } th class="n" { (text::COL_CHANGE) } th { (text::COL_RESULT) } } }
                tbody { @for side in 0..2 { tr {
                    td { (player_link(site, state, m.players[side], &m.names[side])) }
                    td { (m.races[side]) }
                    td class="n" { (format!("{:.0}", m.ratings_before[side])) }
                    td class="n" { @if let Some(c) = m.rating_changes[side] { (format!("{c:+.0}")) } }
                    td { @if let Some(o) = outcome(&m, side) { (o) } }
                } } }
            }
            h2 { (text::REPLAY) }
            @match facts {
                Some(f) => {
                    p {
                        (text::REPLAY_VERIFIED)
                        @if let Some(map) = &f.map_name { " · " (map) }
                        @if let Some(s) = f.game_length_s { " · " (s / 60) ":" (format!("{:02}", s % 60)) }
                        @if let Some(b) = f.build { " · build " (b) }
                        @if let Some(t) = f.game_started_at { " · " (date(t)) }
                    }
                    @if kept {
                        p { a href=(site.url(&format!("/matches/{id}/replay"))) { (text::DOWNLOAD_REPLAY) } }
                    }
                }
                None => p { (text::NO_REPLAY) },
            }
            p class="muted" { (text::API_NOTE) " " a href=(site.url(&format!("/api/matches/{id}"))) { "/api/matches/" (id) } }
        },
    ))
}

pub fn seasons(site: &Site, state: &State) -> Result<Page, WebError> {
    let seasons = state.ladder.seasons();
    let current = state.ladder.current_season();
    ok(layout(
        site,
        text::NAV_SEASONS,
        html! {
            h1 { (text::NAV_SEASONS) }
            table id="seasons" {
                thead { tr { th { (text::COL_SEASON) } th { (text::COL_STARTED) } th { (text::COL_ENDED) } th class="n" { (text::COL_RATED) } } }
                tbody { @for s in &seasons { tr {
                    td {
                        @let q = crate::ladder::LeaderboardQuery { season: Some(s.id), ..Default::default() };
                        a href=(leaderboard_url(site, &q, 1)) { (s.name) }
                        @if s.id == current { " " span class="muted" { "(" (text::CURRENT) ")" } }
                    }
                    td { (date(s.started_at)) }
                    td { @if let Some(e) = s.ended_at { (date(e)) } }
                    td class="n" { (s.rated) }
                } } }
            }
            p class="muted" { (text::API_NOTE) " " a href=(site.url("/api/seasons")) { "/api/seasons" } }
        },
    ))
}

pub fn activity(site: &Site, state: &State, now: UnixMillis) -> Result<Page, WebError> {
    let chart = ActivityChart(state.ladder.activity(now));
    let svg = site
        .charts
        .activity_svg(&chart)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    ok(layout(
        site,
        text::ACTIVITY,
        html! {
            h1 { (text::ACTIVITY) }
            p class="muted" { (text::ACTIVITY_NOTE) }
            div id="activity-chart" { (PreEscaped(String::from_utf8_lossy(&svg).into_owned())) }
        },
    ))
}
