//! The HTML pages (maud: compile-time templates, every value escaped unless
//! wrapped in `PreEscaped`, which only our own charts' SVG is), in the
//! reader's language ([`View`]; text from `locales/*/web.ftl`).

use hyper::StatusCode;
use hyper::body::Bytes;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::chart::{ActivityChart, RatingChart};
use super::{Page, Params, Site, State, WebError};
use crate::l10n::{Arg, Locale, format_number};
use crate::l10n_args;
use crate::ladder::PlayerId;
use crate::ladder::site::MatchSummary;
use crate::store::rows::{MatchResult, MatchState, UnixMillis};

const CSS: &str = "body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}\
nav a{margin-right:1rem}table{border-collapse:collapse;width:100%}\
th,td{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:left}\
td.n,th.n{text-align:right}.muted{color:#777}form{margin:.5rem 0}\
input:not([type=checkbox]){width:6rem}svg{max-width:100%;height:auto}.err{color:#a00}\
nav.lang{float:right}nav.lang a,nav.lang strong{margin:0 0 0 .6rem}";

/// What a page is rendered for: the site, the reader's language and the
/// request (its path and query without `lang`, for the language switch).
pub struct View<'a> {
    pub site: &'a Site,
    pub locale: Locale,
    /// `lang` was in the URL: links keep it (the site sets no cookie, so a
    /// chosen language lives in the links).
    pub explicit: bool,
    pub path: &'a str,
    pub query: &'a str,
}

impl View<'_> {
    /// Message `id` in the reader's language.
    fn t(&self, id: &str) -> String {
        self.locale.text(id, &[])
    }

    fn ta(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.locale.text(id, args)
    }

    /// A number the reader's way (`format_number`, as in Discord).
    fn num(&self, n: f64) -> String {
        format_number(n, self.locale)
    }

    /// A rating change with its sign.
    fn signed(&self, n: f64) -> String {
        let n = n.round();
        if n > 0.0 {
            format!("+{}", self.num(n))
        } else {
            self.num(n)
        }
    }

    /// The URL of the site's page `target` (path and query), keeping a
    /// chosen language.
    fn href(&self, target: &str) -> String {
        let url = self.site.url(target);
        if !self.explicit {
            return url;
        }
        let sep = if target.contains('?') { '&' } else { '?' };
        format!("{url}{sep}lang={}", self.locale.code())
    }

    /// This page in `locale`: the same path and query, `lang` set.
    fn switch_to(&self, locale: Locale) -> String {
        let sep = if self.query.is_empty() { "" } else { "&" };
        self.site.url(&format!(
            "{}?{}{sep}lang={}",
            self.path,
            self.query,
            locale.code()
        ))
    }
}

fn layout(v: &View, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(v.locale.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (v.t("web-site-title")) }
                style { (PreEscaped(CSS)) }
            }
            body {
                nav class="lang" id="languages" aria-label=(v.t("web-language")) {
                    @for l in Locale::all() {
                        @if l == v.locale {
                            strong lang=(l.code()) { (l.name()) }
                        } @else {
                            a href=(v.switch_to(l)) lang=(l.code()) hreflang=(l.code()) { (l.name()) }
                        }
                    }
                }
                nav {
                    a href=(v.href("/leaderboard")) { (v.t("web-nav-leaderboard")) }
                    a href=(v.href("/seasons")) { (v.t("web-nav-seasons")) }
                    a href=(v.href("/activity")) { (v.t("web-nav-activity")) }
                }
                main { (body) }
                footer class="muted" { p { (v.t("web-no-js")) } }
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

pub fn error(v: &View, e: &WebError) -> Page {
    // The detail names the parameter and stays English, as in the API.
    let (status, title, detail) = match e {
        WebError::NotFound => (StatusCode::NOT_FOUND, v.t("web-not-found"), String::new()),
        WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, v.t("web-bad-request"), m.clone()),
    };
    let markup = layout(
        v,
        &title,
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

fn player_link(v: &View, state: &State, id: PlayerId, name: &str) -> Markup {
    match state.ladder.shown_player(id) {
        Some(_) => html! {
            a href=(v.href(&format!("/players/{}", state.number_of(id)))) { (name) }
        },
        None => html! { span { (name) } },
    }
}

/// A leaderboard URL with `page` and the other filters of `q`.
fn leaderboard_url(v: &View, q: &crate::ladder::LeaderboardQuery, page: usize) -> String {
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
    v.href(&format!("/leaderboard?{}", parts.join("&")))
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

pub fn leaderboard(v: &View, state: &State, now: UnixMillis, p: &Params) -> Result<Page, WebError> {
    let q = super::leaderboard_query(p)?;
    let page = state
        .ladder
        .leaderboard_page(now, &q)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let q = &page.query;
    let value = |k: &str| p.get(k).unwrap_or("").to_owned();
    ok(layout(
        v,
        &v.t("web-leaderboard"),
        html! {
            h1 {
                (v.t("web-leaderboard")) " — " (page.season)
                @if page.season_ended { " (" (v.t("web-ended")) ")" }
            }
            form method="get" action=(v.site.url("/leaderboard")) {
                @if v.explicit { input type="hidden" name="lang" value=(v.locale.code()); }
                strong { (v.t("web-filters")) ": " }
                label { (v.t("web-col-race")) " " input name="race" value=(value("race")); } " "
                label { (v.t("web-col-country")) " " input name="country" value=(value("country")); } " "
                label { (v.t("web-col-region")) " " input name="region" value=(value("region")); } " "
                label { (v.t("web-col-rank")) " " input name="rank" value=(value("rank")); } " "
                label { (v.t("web-col-season")) " " input name="season" value=(value("season")); } " "
                label { input type="checkbox" name="best" value="1" checked[q.best_race_only]; " " (v.t("web-best-race-only")) } " "
                button type="submit" { (v.t("web-apply")) }
            }
            p class="muted" {
                (v.ta("web-page-of", l10n_args!["page" => page.page, "pages" => page.pages.max(1), "total" => page.total]))
            }
            table id="leaderboard" {
                thead { tr {
                    th class="n" { (v.t("web-col-pos")) } th { (v.t("web-col-player")) }
                    th { (v.t("web-col-country")) } th { (v.t("web-col-race")) }
                    th class="n" { (v.t("web-col-rating")) } th { (v.t("web-col-rank")) }
                    th class="n" { (v.t("web-col-record")) }
                } }
                tbody {
                    @for r in &page.rows {
                        tr {
                            td class="n" { (r.position) }
                            td { (player_link(v, state, r.player_id, &r.ingame_name)) }
                            td { (r.country) }
                            td { (r.race) }
                            td class="n" {
                                (v.num(r.rating.round()))
                                @if r.provisional { " " span class="muted" title=(v.t("web-provisional")) { "?" } }
                            }
                            td { @if let Some(k) = r.rank { (format!("{k:?}")) } }
                            td class="n" { (v.num(r.wins as f64)) "-" (v.num(r.losses as f64)) "-" (v.num(r.draws as f64)) }
                        }
                    }
                }
            }
            p {
                @if page.page > 1 {
                    a rel="prev" href=(leaderboard_url(v, q, page.page - 1)) { (v.t("web-previous")) } " "
                }
                @if page.page < page.pages {
                    a rel="next" href=(leaderboard_url(v, q, page.page + 1)) { (v.t("web-next")) }
                }
            }
            p class="muted" { (v.t("web-api-note")) " " a href=(v.site.url("/api/leaderboard")) { "/api/leaderboard" } }
        },
    ))
}

/// The rating chart of player `id`.
pub fn rating_chart(state: &State, id: PlayerId, locale: Locale) -> RatingChart {
    RatingChart {
        points: state.ladder.rating_history(id),
        seasons: state.ladder.seasons(),
        locale,
    }
}

fn outcome(v: &View, m: &MatchSummary, side: usize) -> Option<String> {
    m.result.map(|r| match (r, side) {
        (MatchResult::Draw, _) => v.t("web-draw"),
        (MatchResult::Player1, 0) | (MatchResult::Player2, 1) => v.t("web-win"),
        _ => v.t("web-loss"),
    })
}

/// A match state in the reader's language (Discord's words, ladderd.ftl).
fn state_text(v: &View, s: MatchState) -> String {
    v.t(match s {
        MatchState::Found => "state-found",
        MatchState::InProgress => "state-in-progress",
        MatchState::Completed => "state-completed",
        MatchState::Conflict => "state-conflict",
        MatchState::Aborted => "state-aborted",
        MatchState::Abandoned => "state-abandoned",
        MatchState::Invalidated => "state-invalidated",
    })
}

pub fn player(
    v: &View,
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
    let svg = v
        .site
        .charts
        .rating_svg(&rating_chart(state, id, v.locale))
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
        v,
        &name,
        html! {
            h1 id="player-name" { (name) }
            p class="muted" {
                @if let Some(c) = &view.country { (c) " · " }
                @if let Some(r) = &view.region { (r) " · " }
                (view.season) @if view.season_ended { " (" (v.t("web-ended")) ")" }
                " · " (v.num(view.wins as f64)) "-" (v.num(view.losses as f64)) "-" (v.num(view.draws as f64))
            }
            h2 { (v.t("web-ratings")) }
            @if view.races.is_empty() { p { (v.t("web-no-ratings")) } } @else {
                table id="ratings" {
                    thead { tr { th { (v.t("web-col-race")) } th class="n" { (v.t("web-col-rating")) } th { (v.t("web-col-rank")) } th class="n" { (v.t("web-col-record")) } } }
                    tbody { @for r in &view.races { tr {
                        td { (r.race) }
                        td class="n" { (v.num(r.rating.round())) @if r.provisional { " " span class="muted" { "(" (v.t("web-provisional")) ")" } } }
                        td { @if let Some(k) = r.rank { (format!("{k:?}")) } }
                        td class="n" { (v.num(r.wins as f64)) "-" (v.num(r.losses as f64)) "-" (v.num(r.draws as f64)) }
                    } } }
                }
            }
            h2 { (v.t("web-rating-history")) }
            div id="rating-chart" { (PreEscaped(svg)) }
            @if !h2h.is_empty() {
                h2 { (v.t("web-head-to-head")) }
                table id="head-to-head" { tbody { @for h in &h2h { tr {
                    td { (player_link(v, state, h.opponent_id, &h.opponent_name)) }
                    td class="n" { (v.num(h.wins as f64)) "-" (v.num(h.losses as f64)) "-" (v.num(h.draws as f64)) }
                } } } }
            }
            h2 { (v.t("web-recent-matches")) }
            @if recent.is_empty() { p { (v.t("web-no-matches")) } } @else {
                table id="matches" {
                    thead { tr { th { (v.t("web-col-match")) } th { (v.t("web-col-date")) } th { (v.t("web-col-opponent")) } th { (v.t("web-col-map")) } th { (v.t("web-col-result")) } th class="n" { (v.t("web-col-change")) } } }
                    tbody { @for m in &recent {
                        @let side = usize::from(m.players[1] == id);
                        tr {
                            td { a href=(v.href(&format!("/matches/{}", m.id))) { "#" (m.id) } }
                            td { (date(m.created_at)) }
                            td { (player_link(v, state, m.players[1 - side], &m.names[1 - side])) " (" (m.races[1 - side]) ")" }
                            td { (m.map) }
                            td { (outcome(v, m, side).unwrap_or_else(|| state_text(v, m.state))) }
                            td class="n" { @if let Some(c) = m.rating_changes[side] { (v.signed(c)) } }
                        }
                    } }
                }
            }
            p class="muted" { (v.t("web-api-note")) " " a href=(v.site.url(&format!("/api/players/{number}"))) { "/api/players/" (number) } }
        },
    ))
}

const HEAD_TO_HEAD: usize = super::HEAD_TO_HEAD_OPPONENTS;

pub fn matches(v: &View, state: &State, id: u64) -> Result<Page, WebError> {
    let m = state.ladder.match_summary(id).ok_or(WebError::NotFound)?;
    let facts = state.replays.get(&id);
    let kept = m
        .replay_sha256
        .as_deref()
        .is_some_and(|s| super::replay_kept(v.site, s));
    let title = v.ta("web-match-title", l10n_args!["match" => id.to_string()]);
    ok(layout(
        v,
        &title,
        html! {
            h1 { (title) }
            p class="muted" { (date(m.created_at)) " · " (m.map) " · " (v.t("web-state")) ": " (state_text(v, m.state)) }
            table id="match" {
                thead { tr { th { (v.t("web-col-player")) } th { (v.t("web-col-race")) } th class="n" { (v.t("web-col-rating")) } th class="n" { (v.t("web-col-change")) } th { (v.t("web-col-result")) } } }
                tbody { @for side in 0..2 { tr {
                    td { (player_link(v, state, m.players[side], &m.names[side])) }
                    td { (m.races[side]) }
                    td class="n" { (v.num(m.ratings_before[side].round())) }
                    td class="n" { @if let Some(c) = m.rating_changes[side] { (v.signed(c)) } }
                    td { @if let Some(o) = outcome(v, &m, side) { (o) } }
                } } }
            }
            h2 { (v.t("web-replay")) }
            @match facts {
                Some(f) => {
                    p {
                        (v.t("web-replay-verified"))
                        @if let Some(map) = &f.map_name { " · " (map) }
                        @if let Some(s) = f.game_length_s { " · " (s / 60) ":" (format!("{:02}", s % 60)) }
                        @if let Some(b) = f.build { " · " (v.ta("web-build", l10n_args!["build" => b.to_string()])) }
                        @if let Some(t) = f.game_started_at { " · " (date(t)) }
                    }
                    @if kept {
                        p { a href=(v.site.url(&format!("/matches/{id}/replay"))) { (v.t("web-download-replay")) } }
                    }
                }
                None => p { (v.t("web-no-replay")) },
            }
            p class="muted" { (v.t("web-api-note")) " " a href=(v.site.url(&format!("/api/matches/{id}"))) { "/api/matches/" (id) } }
        },
    ))
}

pub fn seasons(v: &View, state: &State) -> Result<Page, WebError> {
    let seasons = state.ladder.seasons();
    let current = state.ladder.current_season();
    ok(layout(
        v,
        &v.t("web-nav-seasons"),
        html! {
            h1 { (v.t("web-nav-seasons")) }
            table id="seasons" {
                thead { tr { th { (v.t("web-col-season")) } th { (v.t("web-col-started")) } th { (v.t("web-col-ended")) } th class="n" { (v.t("web-col-rated")) } } }
                tbody { @for s in &seasons { tr {
                    td {
                        @let q = crate::ladder::LeaderboardQuery { season: Some(s.id), ..Default::default() };
                        a href=(leaderboard_url(v, &q, 1)) { (s.name) }
                        @if s.id == current { " " span class="muted" { "(" (v.t("web-current")) ")" } }
                    }
                    td { (date(s.started_at)) }
                    td { @if let Some(e) = s.ended_at { (date(e)) } }
                    td class="n" { (v.num(s.rated as f64)) }
                } } }
            }
            p class="muted" { (v.t("web-api-note")) " " a href=(v.site.url("/api/seasons")) { "/api/seasons" } }
        },
    ))
}

pub fn activity(v: &View, state: &State, now: UnixMillis) -> Result<Page, WebError> {
    let chart = ActivityChart {
        activity: state.ladder.activity(now),
        locale: v.locale,
    };
    let svg = v
        .site
        .charts
        .activity_svg(&chart)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    ok(layout(
        v,
        &v.t("web-activity"),
        html! {
            h1 { (v.t("web-activity")) }
            p class="muted" { (v.t("web-activity-note")) }
            div id="activity-chart" { (PreEscaped(String::from_utf8_lossy(&svg).into_owned())) }
        },
    ))
}
