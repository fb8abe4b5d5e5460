//! The read-only web site and JSON API (`[web] listen`, off by default).
//!
//! **Where the data comes from.** The site keeps its own copy of the ladder
//! ([`Site`]), rebuilt from the same rows as the loop's at start-up and then
//! fed each commit's rows by the loop's acker (`ladder_loop::Feed`,
//! `Ladder::apply_committed`). A page never goes through the ladder loop, so
//! it never waits behind a command or a write, shows only committed state, and
//! site load cannot delay an interaction except through the CPU it uses —
//! which is bounded: pages are computed one at a time on a blocking thread
//! ([`COMPUTE_SLOTS`]) using at most half a core over time
//! ([`COMPUTE_SHARE_PERCENT`]), answered from a cache while nothing changed, and
//! `304 Not Modified` costs no computation. If the feed overflows (the site
//! fell behind), the copy is rebuilt from the database.
//!
//! **Bounds.** GET and HEAD only (405 otherwise); URI at most
//! [`MAX_URI`] bytes (414); every query parameter known to its route,
//! bounded and parsed (400 naming it); at most `[web] max_connections`
//! connections at once (the next waits for a slot); headers within 5 s and
//! 16 KiB; a page within [`REQUEST_TIMEOUT`] (503); a connection lives at
//! most [`CONNECTION_LIFETIME`].
//!
//! **Languages.** Pages and charts are in the reader's language: `?lang=`
//! (each page's switch), else `Accept-Language`, else English ([`lang`]).
//! Such a response carries `Content-Language` and `Vary: Accept-Language`,
//! and its ETag and cache entry name the language, so a page cached in one
//! language is never served in another. The JSON API is data only: one
//! response for everyone, and `lang` is an unknown parameter there.
//!
//! **Nothing private.** Players are named by a site number (their order of
//! sign-up) and their in-game name, as `/leaderboard` shows them; no Discord
//! id, BattleTag, Discord name, report, ban reason, abort count or admin row
//! is ever rendered. Banned players have no page and are left out of the
//! leaderboard, as in Discord.
//!
//! Routes: see [`route`] and README, "Web site".

mod api;
pub mod chart;
pub mod lang;
mod pages;
mod run;

pub use run::{lower_priority, start};

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::{LadderConfig, StoreConfig};
use crate::l10n::Locale;
use crate::ladder::{Ladder, MatchId, PlayerId, Rows};
use crate::replay::archive::Archive;
use crate::store::rows::{ReplayVerdict, UnixMillis, Write};

/// Longest request target accepted.
pub const MAX_URI: usize = 1024;
/// Longest value of one query parameter.
const MAX_PARAM: usize = 200;
/// A page not computed within this is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// A kept-alive connection is closed after this.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// Pages computed at once (each on a blocking thread): one core at most.
pub const COMPUTE_SLOTS: usize = 1;
/// Percent of one core page computation may use over time when the site's
/// threads could not be given `SCHED_IDLE` ([`start`]; with it, 100). One
/// busy compute thread at normal priority took a whole core of the 2-core VM
/// and raised the supervisor's handling p99 ×2.2 (BENCHMARKS.md, "The web
/// site under load"), so without the kernel's help the site rests after each
/// computation instead ([`DutyCycle`]).
pub const COMPUTE_SHARE_PERCENT: u32 = 50;
/// Rows batches waiting for the copy; beyond it the copy is rebuilt.
const FEED_BOUND: usize = 8192;
/// Responses kept; beyond it the cache starts over.
const RESPONSE_CACHE: usize = 1024;
/// Pages, including ranks that depend on time (inactivity), are taken to
/// change at least this often.
const FRESH_MS: i64 = 60_000;
const MAX_AGE_S: u32 = 15;
const RECENT_MATCHES: usize = 20;
const HEAD_TO_HEAD_OPPONENTS: usize = 5;

/// What the site knows of a verified replay, beyond its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayFacts {
    pub sha256: String,
    pub game_length_s: Option<u32>,
    pub build: Option<u32>,
    pub map_name: Option<String>,
    pub game_started_at: Option<UnixMillis>,
}

/// The site's copy of the ladder and what it numbers players by.
pub struct State {
    pub ladder: Ladder,
    /// Bumped by every applied batch: the ETag's first half.
    pub generation: u64,
    numbers: Vec<PlayerId>,
    number_of: HashMap<PlayerId, u32>,
    replays: HashMap<MatchId, ReplayFacts>,
}

impl State {
    fn new(ladder: Ladder, replays: HashMap<MatchId, ReplayFacts>) -> State {
        let mut s = State {
            ladder,
            generation: 1,
            numbers: Vec::new(),
            number_of: HashMap::new(),
            replays,
        };
        for (_, id) in s.ladder.players_by_creation() {
            s.number(id);
        }
        s
    }

    fn number(&mut self, id: PlayerId) {
        if !self.number_of.contains_key(&id) {
            self.numbers.push(id);
            self.number_of.insert(id, self.numbers.len() as u32);
        }
    }

    /// The site number of a player (from 1).
    pub fn number_of(&self, id: PlayerId) -> u32 {
        self.number_of.get(&id).copied().unwrap_or(0)
    }

    /// The player a site number names.
    pub fn player(&self, number: u32) -> Option<PlayerId> {
        let i = usize::try_from(number).ok()?.checked_sub(1)?;
        self.numbers.get(i).copied()
    }

    fn apply(&mut self, rows: &[Write]) {
        self.ladder.apply_committed(rows);
        for w in rows {
            match w {
                Write::Player(p) => self.number(p.discord_id),
                Write::Replay(r) => {
                    if let Some(f) = facts(r) {
                        self.replays.insert(f.0, f.1);
                    }
                }
                _ => {}
            }
        }
        self.generation += 1;
    }
}

fn facts(r: &crate::store::rows::ReplayRow) -> Option<(MatchId, ReplayFacts)> {
    (r.verdict == ReplayVerdict::Verified).then_some(())?;
    Some((
        r.match_id?,
        ReplayFacts {
            sha256: r.sha256.clone(),
            game_length_s: r.game_length_s,
            build: r.build,
            map_name: r.map_name.clone(),
            game_started_at: r.game_started_at,
        },
    ))
}

/// A response, as cached.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
    /// Extra header (a download's `content-disposition`).
    pub disposition: Option<String>,
}

/// Counters for the load check and tests.
#[derive(Debug, Default)]
pub struct SiteStats {
    pub computed: AtomicU64,
    pub cached: AtomicU64,
    pub not_modified: AtomicU64,
    pub refused: AtomicU64,
    pub reloads: AtomicU64,
}

/// Cached responses by (language, request target): (generation, minute,
/// page). API responses are cached under English (they have no language).
type Responses = HashMap<(Locale, String), (u64, i64, Arc<Page>)>;

/// The web site: its copy of the ladder, its caches and settings.
pub struct Site {
    state: RwLock<State>,
    clock: Arc<dyn Clock>,
    base_url: String,
    archive: Option<Arc<Archive>>,
    pub charts: chart::ChartCache,
    responses: Mutex<Responses>,
    compute: Arc<Semaphore>,
    duty: Mutex<DutyCycle>,
    lagged: Arc<AtomicBool>,
    /// For a rebuild from the database after the feed overflowed.
    reload: Mutex<Option<(StoreConfig, LadderConfig, u64)>>,
    pub stats: SiteStats,
}

impl Site {
    /// The site over `rows` (the start-up snapshot, the same the loop's ladder
    /// is built from) and the feed the loop hands committed rows to.
    pub fn new(
        rows: Rows,
        ladder: &LadderConfig,
        store: Option<&StoreConfig>,
        seed: u64,
        clock: Arc<dyn Clock>,
        base_url: &str,
        archive: Option<Arc<Archive>>,
    ) -> (
        Arc<Site>,
        crate::ladder_loop::Feed,
        mpsc::Receiver<Vec<Write>>,
    ) {
        let replays = rows.replays.iter().filter_map(facts).collect();
        let (copy, _) = Ladder::from_rows(ladder.clone(), seed, rows, clock.now());
        let lagged = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel(FEED_BOUND);
        let site = Arc::new(Site {
            state: RwLock::new(State::new(copy, replays)),
            clock,
            base_url: base_url.trim_end_matches('/').to_owned(),
            archive,
            charts: chart::ChartCache::default(),
            responses: Mutex::new(HashMap::new()),
            compute: Arc::new(Semaphore::new(COMPUTE_SLOTS)),
            duty: Mutex::new(DutyCycle::new(COMPUTE_SHARE_PERCENT)),
            lagged: lagged.clone(),
            reload: Mutex::new(store.map(|s| (s.clone(), ladder.clone(), seed))),
            stats: SiteStats::default(),
        });
        (site, crate::ladder_loop::Feed { rows: tx, lagged }, rx)
    }

    /// Page computation's share of one core from now on ([`DutyCycle`]).
    pub fn set_compute_share(&self, percent: u32) {
        *self.duty.lock().unwrap_or_else(|p| p.into_inner()) = DutyCycle::new(percent);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The copy's generation (changes with every committed batch it applied).
    pub fn generation(&self) -> u64 {
        self.read().generation
    }

    /// (generation, minute, ETag) of a response in `locale` (`None`: the
    /// API, the same in every language).
    fn etag(&self, now: UnixMillis, locale: Option<Locale>) -> (u64, i64, String) {
        let g = self.generation();
        let m = now.div_euclid(FRESH_MS);
        let tag = match locale {
            Some(l) => format!("\"{g:x}-{m:x}-{}\"", l.code()),
            None => format!("\"{g:x}-{m:x}\""),
        };
        (g, m, tag)
    }

    async fn rebuild(&self) {
        let reload = self
            .reload
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let Some((store, ladder, seed)) = reload else {
            return;
        };
        let loaded = tokio::task::spawn_blocking(move || crate::store::load_snapshot(&store)).await;
        match loaded {
            Ok(Ok(snapshot)) => {
                let rows = Rows::from(snapshot);
                let replays = rows.replays.iter().filter_map(facts).collect();
                let (copy, _) = Ladder::from_rows(ladder, seed, rows, self.clock.now());
                let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
                let generation = state.generation + 1;
                *state = State::new(copy, replays);
                state.generation = generation;
                self.stats.reloads.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    "the web site fell behind the ladder and reloaded it from the database"
                );
            }
            Ok(Err(e)) => tracing::error!(error = %e, "the web site could not reload the ladder"),
            Err(e) => tracing::error!(error = %e, "the web site's reload failed"),
        }
    }

    /// Takes a reloaded `[ladder]` the core has accepted (page size, rank
    /// shares …); the rows its change wrote arrive through the feed.
    pub fn reconfigure(&self, config: LadderConfig) {
        let now = self.clock.now();
        if let Some((_, kept, _)) = self
            .reload
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            *kept = config.clone();
        }
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = state.ladder.reconfigure(now, config) {
            // The core accepted the same config against the same rows.
            tracing::warn!(error = %e, "the web site's copy refused a reload the ladder took");
        }
        state.generation += 1;
    }

    /// Applies committed rows (what [`follow`] does with each batch).
    pub fn apply(&self, rows: &[Write]) {
        self.state
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .apply(rows);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// Applies the loop's committed rows to the site's copy until `shutdown`.
pub async fn follow(
    site: Arc<Site>,
    mut rx: mpsc::Receiver<Vec<Write>>,
    shutdown: CancellationToken,
) {
    let mut check = tokio::time::interval(Duration::from_secs(1));
    loop {
        let rows = tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = check.tick() => None,
            rows = rx.recv() => match rows {
                Some(rows) => Some(rows),
                None => break,
            },
        };
        if site.lagged.swap(false, Ordering::AcqRel) {
            // Everything queued is in the database already.
            while rx.try_recv().is_ok() {}
            site.rebuild().await;
            continue;
        }
        if let Some(rows) = rows {
            site.apply(&rows);
        }
    }
}

/// Serves the site on `listener` until `shutdown`.
pub async fn serve(
    site: Arc<Site>,
    listener: TcpListener,
    max_connections: usize,
    shutdown: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
    loop {
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (stream, _) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "web site: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let io = hyper_util::rt::TokioIo::new(stream);
        let shutdown = shutdown.clone();
        let site = site.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(handle(site, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .max_buf_size(16 * 1024)
                .header_read_timeout(Duration::from_secs(5))
                .timer(hyper_util::rt::TokioTimer::new())
                .serve_connection(io, service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = tokio::time::sleep(CONNECTION_LIFETIME) => {}
                _ = shutdown.cancelled() => {}
            }
            // The request in flight is answered, then the connection closes
            // (`Connection: close`); bounded all the same.
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(REQUEST_TIMEOUT * 2, conn).await;
        });
    }
}

/// One request to its response.
pub async fn handle<B>(site: Arc<Site>, req: Request<B>) -> Response<Full<Bytes>> {
    let head = req.method() == Method::HEAD;
    let response = if req.method() != Method::GET && !head {
        site.stats.refused.fetch_add(1, Ordering::Relaxed);
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD: this site is read-only\n",
        );
        r.headers_mut().insert(
            "allow",
            hyper::header::HeaderValue::from_static("GET, HEAD"),
        );
        r
    } else if req.uri().to_string().len() > MAX_URI {
        site.stats.refused.fetch_add(1, Ordering::Relaxed);
        plain(StatusCode::URI_TOO_LONG, "request target too long\n")
    } else {
        answer(&site, &req).await
    };
    if head {
        let (parts, _) = response.into_parts();
        Response::from_parts(parts, Full::new(Bytes::new()))
    } else {
        response
    }
}

async fn answer<B>(site: &Arc<Site>, req: &Request<B>) -> Response<Full<Bytes>> {
    let now = site.clock.now();
    let target = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    // Pages have a language; the API has none.
    let locale = (!req.uri().path().starts_with("/api/")).then(|| {
        let header = req.headers().get("accept-language");
        lang::of_request(&target, header.and_then(|h| h.to_str().ok()))
    });
    let (generation, minute, etag) = site.etag(now, locale);
    if let Some(inm) = req.headers().get("if-none-match")
        && inm.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        })
    {
        site.stats.not_modified.fetch_add(1, Ordering::Relaxed);
        let b = with_language(Response::builder().status(StatusCode::NOT_MODIFIED), locale);
        return with_cache_headers(b, &etag)
            .body(Full::new(Bytes::new()))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    }
    let key = (locale.unwrap_or_default(), target);
    let cached = {
        let cache = site.responses.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(&key)
            .filter(|(g, m, _)| *g == generation && *m == minute)
            .map(|(_, _, p)| p.clone())
    };
    let page = match cached {
        Some(p) => {
            site.stats.cached.fetch_add(1, Ordering::Relaxed);
            p
        }
        None => {
            // Waiting for the slot and the slot's rest count against the
            // deadline too: under a flood of uncached pages a request is
            // answered 503 rather than the site taking more CPU.
            let s = site.clone();
            let (l, t) = key.clone();
            let work = async move {
                let permit = s.compute.clone().acquire_owned().await.ok()?;
                let ready = s
                    .duty
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .ready_at(std::time::Instant::now());
                tokio::time::sleep_until(ready.into()).await;
                let s2 = s.clone();
                let done = tokio::task::spawn_blocking(move || {
                    let start = std::time::Instant::now();
                    let page = route(&s2, &t, now, l);
                    // Recorded before the slot is released, even if the
                    // request already timed out: the CPU was spent.
                    let end = std::time::Instant::now();
                    s2.duty
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .computed(start, end);
                    drop(permit);
                    page
                });
                Some(done.await)
            };
            let page = match tokio::time::timeout(REQUEST_TIMEOUT, work).await {
                Ok(Some(Ok(p))) => Arc::new(p),
                Ok(Some(Err(_))) => {
                    return plain(StatusCode::INTERNAL_SERVER_ERROR, "failed\n");
                }
                Ok(None) => return plain(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n"),
                Err(_) => return plain(StatusCode::SERVICE_UNAVAILABLE, "busy; try again\n"),
            };
            site.stats.computed.fetch_add(1, Ordering::Relaxed);
            if page.status == StatusCode::OK && page.disposition.is_none() {
                let mut cache = site.responses.lock().unwrap_or_else(|p| p.into_inner());
                if cache.len() >= RESPONSE_CACHE {
                    cache.clear();
                }
                cache.insert(key, (generation, minute, page.clone()));
            }
            page
        }
    };
    let mut b = Response::builder()
        .status(page.status)
        .header("content-type", page.content_type)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
        );
    if let Some(d) = &page.disposition {
        b = b.header("content-disposition", d.as_str());
    }
    b = with_language(b, locale);
    b = if page.status == StatusCode::OK {
        with_cache_headers(b, &etag)
    } else {
        b.header("cache-control", "no-store")
    };
    b.body(Full::new(page.body.clone()))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn with_cache_headers(
    b: hyper::http::response::Builder,
    etag: &str,
) -> hyper::http::response::Builder {
    b.header("etag", etag)
        .header("cache-control", format!("public, max-age={MAX_AGE_S}"))
}

/// `Content-Language` and `Vary: Accept-Language` of a page in `locale`
/// (none for the API): a shared cache keeps one copy per language.
fn with_language(
    b: hyper::http::response::Builder,
    locale: Option<Locale>,
) -> hyper::http::response::Builder {
    match locale {
        Some(l) => b
            .header("content-language", l.code())
            .header("vary", "Accept-Language"),
        None => b,
    }
}

fn plain(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .header("cache-control", "no-store")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// Why a request has no page.
#[derive(Debug, Clone, PartialEq)]
pub enum WebError {
    BadRequest(String),
    NotFound,
}

/// The query string, parsed: each parameter once, known to the route,
/// percent-decoded, bounded; empty values are absent (an empty form field).
pub struct Params(HashMap<&'static str, String>);

impl Params {
    fn parse(query: Option<&str>, known: &[&'static str]) -> Result<Params, WebError> {
        let mut out = HashMap::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = decode(k)?;
            let Some(key) = known.iter().find(|x| **x == k) else {
                return Err(WebError::BadRequest(format!(
                    "unknown parameter {k:?}; this page takes {}",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            };
            let v = decode(v)?;
            if v.len() > MAX_PARAM {
                return Err(WebError::BadRequest(format!(
                    "{key} is longer than {MAX_PARAM} characters"
                )));
            }
            if v.is_empty() {
                continue;
            }
            if out.insert(*key, v).is_some() {
                return Err(WebError::BadRequest(format!(
                    "{key} is given twice; give a comma-separated list once"
                )));
            }
        }
        Ok(Params(out))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<Option<T>, WebError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match v.parse::<T>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(WebError::BadRequest(format!(
                "{key} must be a whole number from {} to {}, not {v:?}",
                range.start(),
                range.end()
            ))),
        }
    }
}

fn decode(s: &str) -> Result<String, WebError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| WebError::BadRequest("a malformed %-escape".into()))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| WebError::BadRequest("a parameter is not UTF-8".into()))
}

/// The leaderboard filters of a query string.
fn leaderboard_query(p: &Params) -> Result<crate::ladder::LeaderboardQuery, WebError> {
    let countries = p.list("country");
    for c in &countries {
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(WebError::BadRequest(format!(
                "country takes two-letter codes (ISO 3166), not {c:?}"
            )));
        }
    }
    let mut ranks = Vec::new();
    for r in p.list("rank") {
        ranks.push(crate::ladder::Rank::parse(&r).ok_or_else(|| {
            WebError::BadRequest(format!("rank takes S, A, B, C, D, E or F, not {r:?}"))
        })?);
    }
    let best = match p.get("best") {
        None | Some("0" | "false" | "no") => false,
        Some("1" | "true" | "yes" | "on") => true,
        Some(v) => {
            return Err(WebError::BadRequest(format!(
                "best takes 1 or 0, not {v:?}"
            )));
        }
    };
    Ok(crate::ladder::LeaderboardQuery {
        countries: countries.iter().map(|c| c.to_ascii_uppercase()).collect(),
        races: p.list("race"),
        ranks,
        regions: p.list("region"),
        season: p.number("season", 1u32..=1_000_000)?,
        best_race_only: best,
        page: p.number("page", 1usize..=1_000_000)?.unwrap_or(1),
        keep: false,
        saved: None,
    })
}

const LEADERBOARD_PARAMS: &[&str] = &[
    "race", "country", "region", "rank", "season", "best", "page",
];
const PLAYER_PARAMS: &[&str] = &["season", "vs"];

/// The page at `target` (path and query) as of `now`, in `lang` of the query
/// if it has one, else in `locale` (the browser's; API routes have no
/// language and take no `lang`).
pub fn route(site: &Site, target: &str, now: UnixMillis, locale: Locale) -> Page {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let api = path.starts_with("/api/");
    let (chosen, rest) = lang::take_lang(query);
    let view = pages::View {
        site,
        locale: chosen.as_ref().ok().copied().flatten().unwrap_or(locale),
        explicit: matches!(chosen, Ok(Some(_))),
        path,
        query: &rest,
    };
    let v = &view;
    let query = if api { query } else { Some(rest.as_str()) };
    if let (false, Err(e)) = (api, &chosen) {
        return pages::error(v, e);
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let state = site.read();
    let result = match segments.as_slice() {
        [""] | ["leaderboard"] => Params::parse(query, LEADERBOARD_PARAMS)
            .and_then(|p| pages::leaderboard(v, &state, now, &p)),
        ["players", n] => Params::parse(query, PLAYER_PARAMS)
            .and_then(|p| pages::player(v, &state, now, player_of(&state, n)?, &p)),
        ["matches", n] => {
            Params::parse(query, &[]).and_then(|_| pages::matches(v, &state, match_of(n)?))
        }
        ["matches", n, "replay"] => {
            Params::parse(query, &[]).and_then(|_| replay_file(site, &state, match_of(n)?))
        }
        ["seasons"] => Params::parse(query, &[]).and_then(|_| pages::seasons(v, &state)),
        ["activity"] => Params::parse(query, &[]).and_then(|_| pages::activity(v, &state, now)),
        ["players", n, "rating.png"] => Params::parse(query, &[]).and_then(|_| {
            let id = player_of(&state, n)?;
            let png = site
                .charts
                .rating_png(&pages::rating_chart(&state, id, v.locale))
                .map_err(|e| WebError::BadRequest(e.to_string()))?;
            Ok(Page {
                status: StatusCode::OK,
                content_type: "image/png",
                body: Bytes::from(png.to_vec()),
                disposition: None,
            })
        }),
        ["api", "leaderboard"] => Params::parse(query, LEADERBOARD_PARAMS)
            .and_then(|p| api::leaderboard(site, &state, now, &p)),
        ["api", "players", n] => Params::parse(query, PLAYER_PARAMS)
            .and_then(|p| api::player(site, &state, now, player_of(&state, n)?, &p)),
        ["api", "matches", n] => {
            Params::parse(query, &[]).and_then(|_| api::matches(site, &state, match_of(n)?))
        }
        ["api", "seasons"] => Params::parse(query, &[]).and_then(|_| api::seasons(&state)),
        ["api", "activity"] => Params::parse(query, &[]).and_then(|_| api::activity(&state, now)),
        _ => Err(WebError::NotFound),
    };
    match result {
        Ok(page) => page,
        Err(e) if api => api::error(&e),
        Err(e) => pages::error(v, &e),
    }
}

fn player_of(state: &State, n: &str) -> Result<PlayerId, WebError> {
    let number: u32 = n.parse().map_err(|_| WebError::NotFound)?;
    let id = state.player(number).ok_or(WebError::NotFound)?;
    state
        .ladder
        .shown_player(id)
        .map(|_| id)
        .ok_or(WebError::NotFound)
}

fn match_of(n: &str) -> Result<MatchId, WebError> {
    n.parse().map_err(|_| WebError::NotFound)
}

/// Whether the archive holds match `id`'s verified replay.
fn replay_kept(site: &Site, sha256: &str) -> bool {
    site.archive
        .as_ref()
        .is_some_and(|a| a.dir().join(format!("{sha256}.SC2Replay")).is_file())
}

fn replay_file(site: &Site, state: &State, id: MatchId) -> Result<Page, WebError> {
    let m = state.ladder.match_summary(id).ok_or(WebError::NotFound)?;
    let sha = m.replay_sha256.ok_or(WebError::NotFound)?;
    let bytes = site
        .archive
        .as_ref()
        .and_then(|a| a.get(&sha).ok().flatten())
        .ok_or(WebError::NotFound)?;
    Ok(Page {
        status: StatusCode::OK,
        content_type: "application/octet-stream",
        body: Bytes::from(bytes),
        disposition: Some(format!("attachment; filename=\"match-{id}.SC2Replay\"")),
    })
}

/// Caps page computation's share of one core: after a computation that took
/// `t`, the compute slot rests `t · (100 − share) / share` before the next
/// one starts, so over any busy stretch computing takes at most `share` % of
/// one core and the rest is left to the ladder. Times are explicit (tested
/// without a clock).
#[derive(Debug)]
pub struct DutyCycle {
    share_percent: u32,
    ready: Option<std::time::Instant>,
}

impl DutyCycle {
    /// `share_percent` is clamped to 1..=100 (100: no rest).
    pub fn new(share_percent: u32) -> DutyCycle {
        DutyCycle {
            share_percent: share_percent.clamp(1, 100),
            ready: None,
        }
    }

    /// When the next computation may start: `now` unless still resting.
    pub fn ready_at(&self, now: std::time::Instant) -> std::time::Instant {
        self.ready.map_or(now, |r| r.max(now))
    }

    /// A computation ran from `start` to `end`.
    pub fn computed(&mut self, start: std::time::Instant, end: std::time::Instant) {
        let took = end.saturating_duration_since(start);
        let rest = took * (100 - self.share_percent) / self.share_percent;
        self.ready = Some(end + rest);
    }
}

#[cfg(test)]
mod duty_tests {
    use super::DutyCycle;
    use std::time::{Duration, Instant};

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn the_slot_rests_in_proportion_to_the_last_computation() {
        let t0 = Instant::now();
        let mut half = DutyCycle::new(50);
        assert_eq!(half.ready_at(t0), t0, "free before any computation");
        half.computed(t0, t0 + 10 * MS);
        assert_eq!(
            half.ready_at(t0 + 10 * MS),
            t0 + 20 * MS,
            "rests as long as it computed"
        );
        assert_eq!(
            half.ready_at(t0 + 25 * MS),
            t0 + 25 * MS,
            "rested: free now"
        );
        // A longer computation later sets a longer rest, measured from its end.
        half.computed(t0 + 30 * MS, t0 + 70 * MS);
        assert_eq!(half.ready_at(t0 + 70 * MS), t0 + 110 * MS);

        let mut quarter = DutyCycle::new(25);
        quarter.computed(t0, t0 + 10 * MS);
        assert_eq!(
            quarter.ready_at(t0 + 10 * MS),
            t0 + 40 * MS,
            "25 %: rests 3 t"
        );

        let mut full = DutyCycle::new(100);
        full.computed(t0, t0 + 10 * MS);
        assert_eq!(full.ready_at(t0 + 10 * MS), t0 + 10 * MS, "100 %: no rest");

        // Out-of-range shares are clamped, never a division by zero.
        let mut zero = DutyCycle::new(0);
        zero.computed(t0, t0 + MS);
        assert_eq!(zero.ready_at(t0 + MS), t0 + 100 * MS);
        assert_eq!(DutyCycle::new(500).share_percent, 100);
    }
}

#[cfg(all(test, feature = "sim"))]
mod tests;
