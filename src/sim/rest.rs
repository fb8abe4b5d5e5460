//! REST under `/api/v10` and the CDN under `/attachments/`, over hyper 1.
//!
//! Every request passes, in Discord's order: route match (404), body size
//! cap (413), Authorization (401, except interaction callbacks and webhook
//! routes, which Discord authenticates by token in the path), the global
//! limit (callbacks exempt), the route bucket, the configured latency, then
//! the handler. Each answer carries the route's bucket headers. An injected
//! fault (`faults.rs`) answers instead of the limits and the handler, right
//! after Authorization (a 5xx without bucket headers).
//!
//! Routes (route key = method + template; a new one goes in `route()` and
//! here): `GET /gateway`, `GET /gateway/bot`, `GET /users/@me`,
//! `POST /users/@me/channels` (one DM channel per recipient),
//! `PUT|GET /applications/{id}[/guilds/{id}]/commands` (bulk overwrite,
//! shaped through twilight's `Command`; read back),
//! `POST /interactions/{id}/{token}/callback` (types 1, 4–10; 4 creates the
//! original, ephemeral with flag 64; 6 and 7 make @original the message whose
//! component was used; a second callback 40060; after `callback_deadline`
//! 10062), `POST /webhooks/{app}/{token}` (followups; 10015 before the
//! callback, 50027 after `token_lifetime`),
//! `GET|PATCH|DELETE /webhooks/{app}/{token}/messages/{id|@original}` (a
//! deferred reply's `@original` appears with its first PATCH),
//! `POST /channels/{id}/messages`, `GET|PATCH|DELETE
//! /channels/{id}/messages/{id}` (the bot's own messages only),
//! `POST /channels/{id}/threads` and `/channels/{id}/messages/{id}/threads`,
//! `GET|PATCH|DELETE /channels/{id}` (rename, archive, lock; the lobby cannot
//! be deleted), `PUT|DELETE /channels/{id}/thread-members/{user}` (50083 on an
//! archived thread), `PUT|DELETE /guilds/{id}/members/{user}/roles/{role}`
//! (204; 10004 for another guild, 10013 for an unknown user), `GET
//! /guilds/{id}/roles` and `GET /guilds/{id}/members/{user}` (the permission
//! model, `permissions.rs`, which also answers 50001/50013 on the bot's
//! channel routes), and the CDN's
//! `GET /attachments/…`. Message routes take
//! JSON or Discord's multipart form (`payload_json` + `files[n]`, ≤ 10 files,
//! stored for the CDN); the body cap is 10 MiB. The bot's channel messages are
//! also dispatched as MESSAGE_CREATE / MESSAGE_UPDATE / MESSAGE_DELETE, new
//! threads as THREAD_CREATE.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited as LimitedBody};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use twilight_model::application::command::Command;
use twilight_model::http::interaction::InteractionResponse;

use super::faults::FaultKind;
use super::ratelimit::{BucketHeaders, Limited, RouteLimit, bucket_id};
use super::validate::{self, ApiError, FormErrors};
use super::world::{ChannelKind, ChannelRec, IDS, World, now_iso, shaped};
use super::{LoggedRequest, REQUEST_LOG_CAP, RouteCounters, Shared, gateway, lock};

/// Request bodies above this get 413 (Discord's default upload limit).
const MAX_BODY: usize = 10 * 1024 * 1024;

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    let conn_cancel = cancel.clone();
    super::accept_loop(listener, "http", cancel, tracker, move |stream| {
        let shared = shared.clone();
        let cancel = conn_cancel.clone();
        async move {
            let service = service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(handle(&shared, req).await) }
            });
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = cancel.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    // In-flight requests may finish; a client stalling
                    // mid-request must not hold up shutdown.
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
                }
            }
        }
    })
    .await;
}

/// A matched route: its key (method + template), major parameter and the
/// path parameters in order.
struct Route {
    key: String,
    major: String,
    params: Vec<String>,
    /// Interaction callbacks and webhook routes carry no Authorization.
    token_in_path: bool,
    exempt_global: bool,
}

fn route(method: &Method, path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let m = method.as_str();
    let p = |i: usize| segs[i].to_owned();
    let r = |tpl: &str, major: String, params: Vec<String>| Route {
        key: format!("{m} /{tpl}"),
        major,
        params,
        token_in_path: tpl.starts_with("interactions") || tpl.starts_with("webhooks"),
        // Discord's docs (Interactions, "Receiving and Responding",
        // Endpoints): the callback and the followup/original-message
        // endpoints "are not bound to the application's Global Rate Limit"
        // (also cited in discordgo issue #1333). Per-route limits still apply.
        exempt_global: tpl.starts_with("interactions") || tpl.starts_with("webhooks"),
    };
    Some(match (m, segs.as_slice()) {
        ("GET", ["gateway"]) => r("gateway", String::new(), vec![]),
        ("GET", ["gateway", "bot"]) => r("gateway/bot", String::new(), vec![]),
        ("GET", ["users", "@me"]) => r("users/@me", String::new(), vec![]),
        ("POST", ["users", "@me", "channels"]) => r("users/@me/channels", String::new(), vec![]),
        ("GET" | "PUT", ["applications", _, "guilds", _, "commands"]) => r(
            "applications/{application_id}/guilds/{guild_id}/commands",
            p(3),
            vec![p(1), p(3)],
        ),
        ("GET" | "PUT", ["applications", _, "commands"]) => {
            r("applications/{application_id}/commands", p(1), vec![p(1)])
        }
        ("POST", ["interactions", _, _, "callback"]) => r(
            "interactions/{interaction_id}/{interaction_token}/callback",
            p(1),
            vec![p(1), p(2)],
        ),
        ("POST", ["webhooks", _, _]) => r(
            "webhooks/{application_id}/{interaction_token}",
            format!("{}/{}", p(1), p(2)),
            vec![p(1), p(2)],
        ),
        ("GET" | "PATCH" | "DELETE", ["webhooks", _, _, "messages", _]) => r(
            "webhooks/{application_id}/{interaction_token}/messages/{message_id}",
            format!("{}/{}", p(1), p(2)),
            vec![p(1), p(2), p(4)],
        ),
        ("POST", ["channels", _, "messages"]) => {
            r("channels/{channel_id}/messages", p(1), vec![p(1)])
        }
        ("GET" | "PATCH" | "DELETE", ["channels", _, "messages", _]) => r(
            "channels/{channel_id}/messages/{message_id}",
            p(1),
            vec![p(1), p(3)],
        ),
        ("POST", ["channels", _, "threads"]) => {
            r("channels/{channel_id}/threads", p(1), vec![p(1)])
        }
        ("POST", ["channels", _, "messages", _, "threads"]) => r(
            "channels/{channel_id}/messages/{message_id}/threads",
            p(1),
            vec![p(1), p(3)],
        ),
        ("GET" | "PATCH" | "DELETE", ["channels", _]) => {
            r("channels/{channel_id}", p(1), vec![p(1)])
        }
        ("PUT" | "DELETE", ["guilds", _, "members", _, "roles", _]) => r(
            "guilds/{guild_id}/members/{user_id}/roles/{role_id}",
            p(1),
            vec![p(1), p(3), p(5)],
        ),
        ("GET", ["guilds", _, "roles"]) => r("guilds/{guild_id}/roles", p(1), vec![p(1)]),
        ("GET", ["guilds", _, "members", _]) => r(
            "guilds/{guild_id}/members/{user_id}",
            p(1),
            vec![p(1), p(3)],
        ),
        ("PUT" | "DELETE", ["channels", _, "thread-members", _]) => r(
            "channels/{channel_id}/thread-members/{user_id}",
            p(1),
            vec![p(1), p(3)],
        ),
        _ => return None,
    })
}

type Resp = Response<Full<Bytes>>;

const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Files uploaded with a multipart body, in order: (filename, bytes).
type Files = Vec<(String, Bytes)>;

/// Discord's multipart form: a `payload_json` part and `files[n]` parts
/// (what twilight-http sends when a message carries attachments).
fn multipart(content_type: &str, body: &[u8]) -> Result<(Value, Files), ApiError> {
    let bad = || ApiError::coded(400, 50035, "Invalid Form Body");
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| format!("--{}", b.trim_matches('"')))
        .ok_or_else(bad)?;
    let (mut payload, mut files) = (Value::Null, Vec::new());
    let mut rest = body;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = find(rest, boundary.as_bytes()).ok_or_else(bad)?;
    rest = &rest[start + boundary.len()..];
    while !rest.starts_with(b"--") {
        rest = rest.strip_prefix(b"\r\n").ok_or_else(bad)?;
        let end = find(rest, boundary.as_bytes()).ok_or_else(bad)?;
        let part = &rest[..end];
        rest = &rest[end + boundary.len()..];
        let split = find(part, b"\r\n\r\n").ok_or_else(bad)?;
        let headers = String::from_utf8_lossy(&part[..split]);
        let head = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .unwrap_or("");
        let data = &part[split + 4..];
        let data = data.strip_suffix(b"\r\n").unwrap_or(data);
        let field = |key: &str| {
            head.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix(key)
                    .and_then(|v| v.strip_prefix('='))
                    .map(|v| v.trim().trim_matches('"').to_owned())
            })
        };
        match (field("name"), field("filename")) {
            (Some(n), _) if n == "payload_json" => {
                payload = serde_json::from_slice(data).map_err(|_| ApiError::invalid_json())?;
            }
            (Some(_), Some(filename)) if !filename.is_empty() && !filename.contains('/') => {
                files.push((filename, Bytes::copy_from_slice(data)));
            }
            _ => return Err(bad()),
        }
    }
    if files.len() > 10 {
        let mut e = FormErrors::default();
        e.push(
            "files",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 10 or fewer in length.".into(),
        );
        return Err(e.into_error().unwrap_or_else(bad));
    }
    Ok((payload, files))
}

/// A JSON error body's Discord code, kept on the response for the counts.
#[derive(Clone, Copy)]
struct ErrorCode(u64);

fn json_response(status: u16, body: Option<&Value>) -> Resp {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = body.and_then(|b| b.get("code")).and_then(Value::as_u64);
    let mut resp = Response::new(Full::new(match body {
        Some(b) => Bytes::from(b.to_string()),
        None => Bytes::new(),
    }));
    if let Some(code) = code {
        resp.extensions_mut().insert(ErrorCode(code));
    }
    *resp.status_mut() = status;
    if body.is_some() {
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    resp
}

fn set(resp: &mut Resp, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

fn set_h(resp: &mut Resp, name: hyper::header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

fn count(shared: &Shared, key: &str, f: impl FnOnce(&mut RouteCounters)) {
    f(lock(&shared.counters).entry(key.to_owned()).or_default());
}

async fn handle(shared: &Arc<Shared>, req: Request<Incoming>) -> Resp {
    let resp = handle_inner(shared, req).await;
    shared.bump();
    resp
}

async fn handle_inner(shared: &Arc<Shared>, req: Request<Incoming>) -> Resp {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    if let Some(rest) = path.strip_prefix("/attachments/") {
        return cdn(shared, &method, rest, req.uri().query().unwrap_or(""));
    }
    let Some(route) = path
        .strip_prefix("/api/v10/")
        .and_then(|p| route(&method, p))
    else {
        count(shared, "unknown route", |c| {
            c.requests += 1;
            c.client_errors += 1;
        });
        let e = ApiError::not_found();
        return json_response(e.status, Some(&e.body));
    };
    let at = Instant::now();
    count(shared, &route.key, |c| {
        c.requests += 1;
        c.in_flight += 1;
        c.max_in_flight = c.max_in_flight.max(c.in_flight);
    });
    let resp = routed(shared, &route, req).await;
    count(shared, &route.key, |c| c.in_flight -= 1);
    let answer = super::Answer {
        status: resp.status().as_u16(),
        code: resp.extensions().get::<ErrorCode>().map_or(0, |c| c.0),
        scope: resp
            .headers()
            .get("x-ratelimit-scope")
            .and_then(|v| match v.as_bytes() {
                b"user" => Some("user"),
                b"global" => Some("global"),
                b"shared" => Some("shared"),
                _ => None,
            })
            .or_else(|| {
                (resp.status() == StatusCode::TOO_MANY_REQUESTS
                    && resp.headers().get("x-ratelimit-scope").is_none())
                .then_some("ban")
            }),
    };
    *lock(&shared.answers).entry(answer).or_default() += 1;
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    let mut log = lock(&shared.requests);
    if log.len() >= REQUEST_LOG_CAP {
        log.pop_front();
    }
    log.push_back(LoggedRequest {
        at,
        route_key: route.key.clone(),
        path,
        status: resp.status().as_u16(),
        retry_after,
    });
    drop(log);
    resp
}

async fn routed(shared: &Arc<Shared>, route: &Route, req: Request<Incoming>) -> Resp {
    let authorized = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.strip_prefix("Bot ") == Some(shared.config.token.as_str()))
        && !shared.token_reset.load(std::sync::atomic::Ordering::SeqCst);
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = match LimitedBody::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            count(shared, &route.key, |c| c.client_errors += 1);
            let e = ApiError::coded(413, 40005, "Request entity too large");
            return json_response(e.status, Some(&e.body));
        }
    };
    // Cloudflare stands in front of everything: a banned IP reaches nothing.
    if let Some(left) = lock(&shared.realism).banned(Instant::now()) {
        return banned(shared, route, left);
    }
    if !route.token_in_path && !authorized {
        return finish(shared, route, None, Err(ApiError::unauthorized()));
    }
    let now = Instant::now();
    let limit = shared
        .config
        .route_limits
        .get(&route.key)
        .copied()
        .unwrap_or(shared.config.default_route_limit);
    let fault = lock(&shared.faults).take(&route.key);
    if let Some(fault) = fault {
        return faulted(shared, route, limit, fault);
    }
    let (headers, refused) =
        lock(&shared.limiter).check(&route.key, &route.major, limit, route.exempt_global, now);
    if let Some(refused) = refused {
        return too_many(shared, route, &headers, refused);
    }
    if route.key.ends_with("/threads") {
        let refused =
            lock(&shared.realism).thread_create(&shared.config.realism, &route.major, now);
        if let Err(shared_limit) = refused {
            let why = Limited::Shared {
                retry_after: shared_limit.retry_after,
            };
            return too_many(shared, route, &headers, why);
        }
    }
    // Limits are decided as the request arrives (a paced client's spacing
    // is what they see); the handling takes Discord's time.
    let delay = lock(&shared.realism).latency(&shared.config.realism, &route.key, now);
    let delay = delay
        + shared
            .config
            .route_latency
            .get(&route.key)
            .copied()
            .unwrap_or_default();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let parsed = if content_type.starts_with("multipart/form-data") {
        multipart(&content_type, &body)
    } else if body.is_empty() {
        Ok((Value::Null, Vec::new()))
    } else {
        serde_json::from_slice::<Value>(&body)
            .map(|v| (v, Vec::new()))
            .map_err(|_| ApiError::invalid_json())
    };
    let result = parsed.and_then(|(b, files)| dispatch_route(shared, route, b, files, now));
    finish(shared, route, Some(&headers), result)
}

fn finish(
    shared: &Shared,
    route: &Route,
    headers: Option<&BucketHeaders>,
    result: Result<(u16, Option<Value>), ApiError>,
) -> Resp {
    let (status, body) = match result {
        Ok((s, b)) => (s, b),
        Err(e) => (e.status, Some(e.body)),
    };
    if matches!(status, 401 | 403) {
        record_invalid(shared);
    }
    count(shared, &route.key, |c| {
        if (200..300).contains(&status) {
            c.ok += 1;
        } else if (400..500).contains(&status) {
            c.client_errors += 1;
        }
    });
    let mut resp = json_response(status, body.as_ref());
    if let Some(h) = headers {
        for (k, v) in h.pairs() {
            set(&mut resp, k, &v);
        }
        if shared.config.scope_on_success {
            set(&mut resp, "x-ratelimit-scope", "user");
        }
    }
    resp
}

/// An injected fault's answer (see `faults.rs`); the request is not handled.
fn faulted(shared: &Shared, route: &Route, limit: RouteLimit, fault: FaultKind) -> Resp {
    match fault {
        FaultKind::RateLimited {
            retry_after,
            global,
        } => {
            let headers = BucketHeaders {
                bucket: bucket_id(&route.key),
                limit: limit.limit,
                remaining: 0,
                reset_after: retry_after,
            };
            let why = if global {
                Limited::Global { retry_after }
            } else {
                Limited::Route { retry_after }
            };
            too_many(shared, route, &headers, why)
        }
        FaultKind::ServerError { status } => {
            count(shared, &route.key, |c| c.server_errors += 1);
            let body = json!({ "message": format!("{status}: injected server error"), "code": 0 });
            json_response(status, Some(&body))
        }
    }
}

/// Counts a 401, 403 or 429 against the invalid-request limit, and bans
/// the "IP" once it is reached.
fn record_invalid(shared: &Shared) {
    let now = Instant::now();
    let mut limiter = lock(&shared.limiter);
    limiter.record_invalid(now);
    let (in_window, _) = limiter.invalid(now);
    drop(limiter);
    if let Some(ban) = shared.config.realism.invalid_request_ban
        && in_window >= u64::from(ban.limit)
    {
        let mut r = lock(&shared.realism);
        if r.banned(now).is_none() {
            tracing::warn!(in_window, "sim: invalid-request limit reached, banning");
            r.banned_until = Some(now + ban.ban);
        }
    }
}

/// The answer of a banned IP: Cloudflare's, not the API's (no bucket
/// headers, no JSON; status 429 and "error code: 1015" as reported). Not
/// counted again as invalid (a guess: the ban does not extend itself).
fn banned(shared: &Shared, route: &Route, left: std::time::Duration) -> Resp {
    count(shared, &route.key, |c| {
        c.rate_limited += 1;
        c.banned += 1;
    });
    let mut resp = Response::new(Full::new(Bytes::from_static(b"error code: 1015")));
    *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    set_h(&mut resp, RETRY_AFTER, &left.as_secs().max(1).to_string());
    resp
}

fn too_many(shared: &Shared, route: &Route, headers: &BucketHeaders, why: Limited) -> Resp {
    // Discord's docs: shared-scope 429s do not count as invalid requests.
    if !matches!(why, Limited::Shared { .. }) {
        record_invalid(shared);
    }
    count(shared, &route.key, |c| {
        c.rate_limited += 1;
        if matches!(why, Limited::Shared { .. }) {
            c.rate_limited_shared += 1;
        }
    });
    let (retry_after, global, scope) = match why {
        Limited::Route { retry_after } => (retry_after, false, "user"),
        Limited::Global { retry_after } => (retry_after, true, "global"),
        Limited::Shared { retry_after } => (retry_after, false, "shared"),
    };
    let secs = retry_after.as_secs_f64();
    let body = json!({
        "message": "You are being rate limited.",
        "retry_after": (secs * 1000.0).ceil() / 1000.0,
        "global": global,
    });
    let mut resp = json_response(429, Some(&body));
    set_h(
        &mut resp,
        RETRY_AFTER,
        &(secs.ceil() as u64).max(1).to_string(),
    );
    if global {
        set(&mut resp, "x-ratelimit-global", "true");
    } else {
        for (k, v) in headers.pairs() {
            set(&mut resp, k, &v);
        }
    }
    set(&mut resp, "x-ratelimit-scope", scope);
    resp
}

/// Whether a signed URL's query (`ex`, `is`, `hm`) is the one issued for
/// this attachment and has not expired.
fn signed_ok(a: &super::world::Attachment, id: u64, query: &str) -> bool {
    let Some(expires) = a.expires else {
        return true;
    };
    let field = |k: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(k)?.strip_prefix('='))
            .and_then(|v| u64::from_str_radix(v, 16).ok())
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let hm = query
        .split('&')
        .find_map(|p| p.strip_prefix("hm="))
        .unwrap_or("");
    match (field("ex"), field("is")) {
        (Some(ex), Some(is)) => {
            ex == expires
                && now < ex
                && hm == super::world::cdn_signature(id, ex, is)
                && hm == a.signature
        }
        _ => false,
    }
}

fn cdn(shared: &Shared, method: &Method, rest: &str, query: &str) -> Resp {
    count(shared, "GET /attachments (CDN)", |c| c.requests += 1);
    let parts: Vec<&str> = rest.split('/').collect();
    let found = match (method, parts.as_slice()) {
        (&Method::GET, [channel, id, filename]) => {
            let w = lock(&shared.world);
            id.parse::<u64>().ok().and_then(|id| {
                let a = w.attachments.get(&id)?;
                let in_channel = w.messages.values().any(|m| {
                    m.message.channel_id.get().to_string() == *channel
                        && m.message.attachments.iter().any(|x| x.id.get() == id)
                });
                (in_channel && a.filename == *filename && signed_ok(a, id, query))
                    .then(|| a.bytes.clone())
            })
        }
        _ => None,
    };
    match found {
        Some(bytes) => {
            count(shared, "GET /attachments (CDN)", |c| c.ok += 1);
            let mut resp = Response::new(Full::new(bytes));
            resp.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            resp
        }
        None => {
            count(shared, "GET /attachments (CDN)", |c| c.client_errors += 1);
            // Discord's CDN says this for expired or unsigned URLs too.
            let mut resp = Response::new(Full::new(Bytes::from_static(
                b"This content is no longer available.",
            )));
            *resp.status_mut() = StatusCode::NOT_FOUND;
            resp
        }
    }
}

fn parse_id(s: &str) -> Option<u64> {
    s.parse::<u64>().ok().filter(|n| *n != 0)
}

fn unknown(code: u64, what: &str) -> ApiError {
    ApiError::coded(404, code, &format!("Unknown {what}"))
}

type Answer = Result<(u16, Option<Value>), ApiError>;

fn dispatch_route(
    shared: &Shared,
    route: &Route,
    body: Value,
    files: Files,
    now: Instant,
) -> Answer {
    let tpl = route.key.split_once(' ').map_or("", |(_, t)| t);
    let method = route.key.split_once(' ').map_or("", |(m, _)| m);
    let ps = &route.params;
    match (method, tpl) {
        ("GET", "/gateway") => Ok((200, Some(json!({ "url": shared.gateway_url })))),
        ("GET", "/gateway/bot") => Ok((
            200,
            Some(json!({
                "url": shared.gateway_url, "shards": shared.config.recommended_shards,
                "session_start_limit": {
                    "total": 1000, "remaining": 999, "reset_after": 86_400_000,
                    "max_concurrency": shared.config.max_concurrency
                },
            })),
        )),
        ("GET", "/users/@me") => {
            let mut u = lock(&shared.world).user_json(IDS.bot_user);
            u["mfa_enabled"] = json!(false);
            Ok((200, Some(u)))
        }
        ("POST", "/users/@me/channels") => create_dm(shared, &body),
        ("PUT", t) if t.ends_with("/commands") => bulk_commands(shared, ps, &body),
        ("GET", t) if t.ends_with("/commands") => list_commands(shared, ps),
        ("POST", "/interactions/{interaction_id}/{interaction_token}/callback") => {
            callback(shared, ps, &body, files, now)
        }
        (m, t) if t.starts_with("/webhooks/") => webhook(shared, m, ps, &body, files, now),
        (m, "/channels/{channel_id}/messages")
        | (m, "/channels/{channel_id}/messages/{message_id}") => {
            channel_message(shared, m, ps, &body, files)
        }
        ("POST", "/channels/{channel_id}/threads")
        | ("POST", "/channels/{channel_id}/messages/{message_id}/threads") => {
            create_thread(shared, ps, &body)
        }
        (m, "/channels/{channel_id}") => channel(shared, m, ps, &body),
        (m, "/channels/{channel_id}/thread-members/{user_id}") => thread_member(shared, m, ps),
        (m, "/guilds/{guild_id}/members/{user_id}/roles/{role_id}") => member_role(shared, m, ps),
        ("GET", "/guilds/{guild_id}/roles") if ps[0] == IDS.guild.to_string() => {
            Ok((200, Some(super::permissions::roles_json())))
        }
        ("GET", "/guilds/{guild_id}/members/{user_id}") => guild_member(shared, ps),
        ("GET", _) if tpl.starts_with("/guilds/") => Err(unknown(10004, "Guild")),
        _ => Err(ApiError::not_found()),
    }
}

/// `GET /guilds/{id}/members/{user}`: the bot holds its managed role;
/// people hold none.
fn guild_member(shared: &Shared, ps: &[String]) -> Answer {
    let w = lock(&shared.world);
    if ps[0] != IDS.guild.to_string() {
        return Err(unknown(10004, "Guild"));
    }
    let user: u64 = ps[1].parse().map_err(|_| unknown(10013, "User"))?;
    if user != IDS.bot_user && !w.users.contains_key(&user) {
        return Err(unknown(10007, "Member"));
    }
    let roles: Vec<String> = if user == IDS.bot_user {
        vec![super::permissions::BOT_ROLE.to_string()]
    } else {
        vec![]
    };
    Ok((
        200,
        Some(json!({
            "user": w.user_json(user), "roles": roles, "joined_at": now_iso(),
            "deaf": false, "mute": false, "flags": 0, "pending": false,
        })),
    ))
}

/// The permission model's verdict for the bot doing `what` in `channel`:
/// 50001 without View Channel, 50013 without `need`.
fn permitted(w: &World, channel: u64, need: u64) -> Result<(), ApiError> {
    let Some(perms) = w.bot_permissions(channel) else {
        return Ok(());
    };
    if perms & crate::discord::permissions::bits::VIEW_CHANNEL == 0 {
        return Err(ApiError::coded(403, 50001, "Missing Access"));
    }
    if perms & need != need {
        return Err(ApiError::coded(403, 50013, "Missing Permissions"));
    }
    Ok(())
}

fn internal(e: super::SimError) -> ApiError {
    tracing::error!(error = %e, "simulator bug");
    ApiError::coded(500, 0, "500: Internal Server Error")
}

fn create_dm(shared: &Shared, body: &Value) -> Answer {
    let Some(user) = body["recipient_id"].as_str().and_then(parse_id) else {
        let mut e = FormErrors::default();
        e.push(
            "recipient_id",
            "BASE_TYPE_REQUIRED",
            "This field is required".into(),
        );
        return Err(e.into_error().unwrap_or_else(ApiError::invalid_json));
    };
    let mut w = lock(&shared.world);
    if !w.users.contains_key(&user) {
        return Err(unknown(10013, "User"));
    }
    if !w.has_dm_with(user)
        && lock(&shared.realism)
            .dm_open(&shared.config.realism, Instant::now())
            .is_err()
    {
        return Err(ApiError::coded(
            403,
            40003,
            "You are opening direct messages too fast.",
        ));
    }
    let id = w.dm_with(user);
    Ok((200, w.channel_json(id)))
}

/// The application and (for guild routes) guild in the path must be ours.
fn command_scope(ps: &[String]) -> Result<(), ApiError> {
    if ps.first().and_then(|a| parse_id(a)) != Some(IDS.application) {
        return Err(unknown(10002, "Application"));
    }
    if ps.len() > 1 && parse_id(&ps[1]) != Some(IDS.guild) {
        return Err(unknown(10004, "Guild"));
    }
    Ok(())
}

/// The registered commands of the guild (guild route) or the global ones.
fn list_commands(shared: &Shared, ps: &[String]) -> Answer {
    command_scope(ps)?;
    let guild = ps.len() > 1;
    let w = lock(&shared.world);
    let list: Vec<Value> = w
        .commands
        .iter()
        .filter(|c| c.get("guild_id").is_some_and(|g| !g.is_null()) == guild)
        .cloned()
        .collect();
    Ok((200, Some(Value::Array(list))))
}

fn bulk_commands(shared: &Shared, ps: &[String], body: &Value) -> Answer {
    command_scope(ps)?;
    let Some(list) = body.as_array() else {
        return Err(ApiError::invalid_json());
    };
    let mut e = FormErrors::default();
    if list.len() > 100 {
        e.push(
            "_",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 100 or fewer in length.".into(),
        );
    }
    for (i, c) in list.iter().enumerate() {
        let name = c["name"].as_str().unwrap_or("");
        let ok_name = (1..=32).contains(&name.chars().count())
            && name
                .chars()
                .all(|ch| ch.is_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_');
        if !ok_name {
            e.push(
                format!("{i}.name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                "Command name is invalid".into(),
            );
        }
        localizations(&mut e, &i.to_string(), c);
        let kind = c["type"].as_u64().unwrap_or(1);
        let desc = c["description"].as_str().map_or(0, |d| d.chars().count());
        if kind == 1 && !(1..=100).contains(&desc) {
            e.push(
                format!("{i}.description"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.".into(),
            );
        }
    }
    if let Some(err) = e.into_error() {
        return Err(err);
    }
    let mut w = lock(&shared.world);
    let mut out = Vec::new();
    for c in list {
        let mut c = c.clone();
        let id = w.id();
        c["id"] = json!(id.to_string());
        c["application_id"] = json!(IDS.application.to_string());
        c["version"] = json!(id.to_string());
        if ps.len() > 1 {
            c["guild_id"] = json!(IDS.guild.to_string());
        }
        if c.get("type").is_none() {
            c["type"] = json!(1);
        }
        if c.get("description").is_none() {
            c["description"] = json!("");
        }
        let (_, shaped_c) = shaped::<Command>(c).map_err(|e| {
            let mut fe = FormErrors::default();
            fe.push("_", "BASE_TYPE_INVALID", e.to_string());
            fe.into_error().unwrap_or_else(ApiError::invalid_json)
        })?;
        out.push(shaped_c);
    }
    w.commands = out.clone();
    Ok((200, Some(Value::Array(out))))
}

/// Discord's locales (its "Locales" reference table): the only keys a
/// `name_localizations` or `description_localizations` may have.
const DISCORD_LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

/// A command's (or option's, recursively) localisations as Discord checks
/// them: known locales, names by its naming rule (letters of any script,
/// numbers, `-`, `_`; lower case where the script has case; 1–32), and
/// descriptions of 1–100 characters.
fn localizations(e: &mut FormErrors, at: &str, c: &Value) {
    for (field, is_name) in [
        ("name_localizations", true),
        ("description_localizations", false),
    ] {
        let Some(map) = c[field].as_object() else {
            continue;
        };
        for (locale, v) in map {
            let path = format!("{at}.{field}.{locale}");
            if !DISCORD_LOCALES.contains(&locale.as_str()) {
                e.push(path.clone(), "LOCALE_INVALID", "Invalid locale".into());
            }
            let text = v.as_str().unwrap_or("");
            let n = text.chars().count();
            let ok = if is_name {
                (1..=32).contains(&n)
                    && text
                        .chars()
                        .all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_')
                    && text.to_lowercase() == text
            } else {
                (1..=100).contains(&n)
            };
            if !ok {
                e.push(
                    path,
                    "APPLICATION_COMMAND_INVALID_NAME",
                    "Invalid localization".into(),
                );
            }
        }
    }
    if let Some(options) = c["options"].as_array() {
        for (j, o) in options.iter().enumerate() {
            localizations(e, &format!("{at}.options.{j}"), o);
        }
    }
}

/// Create a bot message in `channel` (or ephemeral to `only`), dispatching
/// MESSAGE_CREATE for channel messages as Discord does.
fn bot_message(
    shared: &Shared,
    w: &mut World,
    channel: u64,
    body: &Value,
    only: Option<u64>,
    files: Files,
) -> Result<Value, ApiError> {
    let id = w.id();
    let mut attachments = Vec::new();
    for (filename, bytes) in files {
        attachments.push(w.add_attachment(channel, filename, bytes));
    }
    let m = w.message_json(id, channel, IDS.bot_user, body, attachments);
    let json = w.store_message(m, only).map_err(internal)?;
    if only.is_none() {
        gateway::dispatch(shared, "MESSAGE_CREATE", &json);
    }
    Ok(json)
}

const EPHEMERAL: u64 = 1 << 6;
/// Message flag of a deferred response's "thinking…" placeholder.
const LOADING: u64 = 1 << 7;

fn callback(shared: &Shared, ps: &[String], body: &Value, files: Files, now: Instant) -> Answer {
    let response: InteractionResponse = serde_json::from_value(body.clone()).map_err(|e| {
        let mut fe = FormErrors::default();
        fe.push("type", "BASE_TYPE_CHOICES", e.to_string());
        fe.into_error().unwrap_or_else(ApiError::invalid_json)
    })?;
    let mut w = lock(&shared.world);
    let unknown_interaction = || unknown(10062, "interaction");
    let rec = w
        .interactions
        .get(&ps[1])
        .filter(|r| Some(r.id) == parse_id(&ps[0]))
        .cloned()
        .ok_or_else(unknown_interaction)?;
    if now.saturating_duration_since(rec.created) > shared.config.callback_deadline {
        return Err(unknown_interaction());
    }
    if rec.callbacks > 0 {
        return Err(ApiError::coded(
            400,
            40060,
            "Interaction has already been acknowledged.",
        ));
    }
    let data = body.get("data").cloned().unwrap_or(json!({}));
    let flags = data["flags"].as_u64().unwrap_or(0);
    let ephemeral = flags & EPHEMERAL != 0;
    let kind = response.kind as u8;
    let mut original = None;
    let mut deferred_pending = false;
    let deferred = kind == 5 && shared.config.realism.deferred_followup_edits;
    match kind {
        4 | 5 if kind == 4 || deferred => {
            // Type 5 shows "<bot> is thinking…": a message with the LOADING
            // flag, which the first followup or edit replaces.
            let body = if deferred {
                json!({ "content": "", "flags": (flags & EPHEMERAL) | LOADING })
            } else {
                validate::message(&data, true).map_err(prefix_data)?;
                data.clone()
            };
            let m = bot_message(
                shared,
                &mut w,
                rec.channel,
                &body,
                ephemeral.then_some(rec.user),
                // Type 4 may carry files, as a multipart form.
                if deferred { Vec::new() } else { files },
            )?;
            original = m["id"].as_str().and_then(parse_id);
            deferred_pending = deferred;
        }
        // Both update the message whose component was used; it becomes
        // the interaction's @original.
        6 => original = rec.message,
        7 => {
            validate::message(&data, false).map_err(prefix_data)?;
            if let Some(mid) = rec.message {
                let channel = w
                    .messages
                    .get(&mid)
                    .map(|m| m.message.channel_id.get())
                    .ok_or_else(|| unknown(10008, "Message"))?;
                message_op(shared, &mut w, "PATCH", channel, mid, &data).map_err(prefix_data)?;
                original = Some(mid);
            }
        }
        9 => {
            let mut e = FormErrors::default();
            let rows = data["components"].as_array().map_or(0, Vec::len);
            if !(1..=5).contains(&rows) {
                e.push(
                    "data.components",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.".into(),
                );
            }
            if data["custom_id"]
                .as_str()
                .is_none_or(|c| c.is_empty() || c.chars().count() > 100)
            {
                e.push(
                    "data.custom_id",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.".into(),
                );
            }
            if data["title"]
                .as_str()
                .is_none_or(|t| t.is_empty() || t.chars().count() > 45)
            {
                e.push(
                    "data.title",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 45 in length.".into(),
                );
            }
            if let Some(err) = e.into_error() {
                return Err(err);
            }
        }
        1 | 5 | 8 | 10 => {}
        _ => {
            return Err(ApiError::coded(400, 50035, "Invalid Form Body"));
        }
    }
    if let Some(r) = w.interactions.get_mut(&ps[1]) {
        r.callbacks += 1;
        r.ephemeral = ephemeral;
        r.original = original;
        r.deferred_pending = deferred_pending;
    }
    Ok((204, None))
}

fn prefix_data(mut e: ApiError) -> ApiError {
    if let Some(errors) = e.body.get_mut("errors") {
        *errors = json!({ "data": errors.take() });
    }
    e
}

fn webhook(
    shared: &Shared,
    method: &str,
    ps: &[String],
    body: &Value,
    files: Files,
    now: Instant,
) -> Answer {
    if parse_id(&ps[0]) != Some(IDS.application) {
        return Err(unknown(10015, "Webhook"));
    }
    let mut w = lock(&shared.world);
    let rec = w
        .interactions
        .get(&ps[1])
        .cloned()
        .ok_or_else(|| unknown(10015, "Webhook"))?;
    if now.saturating_duration_since(rec.created) > shared.config.token_lifetime {
        return Err(ApiError::coded(401, 50027, "Invalid Webhook Token"));
    }
    if rec.callbacks == 0 {
        // The webhook exists only once the interaction is acknowledged.
        return Err(unknown(10015, "Webhook"));
    }
    let only = |eph: bool| eph.then_some(rec.user);
    match (method, ps.get(2).map(String::as_str)) {
        ("POST", None) if rec.deferred_pending && rec.original.is_some() => {
            // Discord: the first followup after a deferred response edits
            // the "thinking…" message (keeping its ephemerality).
            validate::message(body, true)?;
            let mut edit = body.clone();
            edit["flags"] = json!(if rec.ephemeral { EPHEMERAL } else { 0 });
            let original = rec.original.unwrap_or_default();
            if let Some(r) = w.interactions.get_mut(&ps[1]) {
                r.deferred_pending = false;
            }
            message_op(shared, &mut w, "PATCH", rec.channel, original, &edit)
        }
        ("POST", None) => {
            validate::message(body, true)?;
            let eph = body["flags"].as_u64().unwrap_or(0) & EPHEMERAL != 0;
            let m = bot_message(shared, &mut w, rec.channel, body, only(eph), files)?;
            Ok((200, Some(m)))
        }
        (m, Some(target)) => {
            let id = if target == "@original" {
                match rec.original {
                    Some(id) => id,
                    // A deferred response's original appears on first edit.
                    None if m == "PATCH" => {
                        validate::message(body, true)?;
                        let msg = bot_message(
                            shared,
                            &mut w,
                            rec.channel,
                            body,
                            only(rec.ephemeral),
                            vec![],
                        )?;
                        let id = msg["id"].as_str().and_then(parse_id);
                        if let Some(r) = w.interactions.get_mut(&ps[1]) {
                            r.original = id;
                        }
                        return Ok((200, Some(msg)));
                    }
                    None => return Err(unknown(10008, "Message")),
                }
            } else {
                parse_id(target).ok_or_else(|| unknown(10008, "Message"))?
            };
            if m == "PATCH" && rec.deferred_pending && Some(id) == rec.original {
                let mut edit = body.clone();
                edit["flags"] = json!(if rec.ephemeral { EPHEMERAL } else { 0 });
                if let Some(r) = w.interactions.get_mut(&ps[1]) {
                    r.deferred_pending = false;
                }
                return message_op(shared, &mut w, m, rec.channel, id, &edit);
            }
            message_op(shared, &mut w, m, rec.channel, id, body)
        }
        _ => Err(ApiError::not_found()),
    }
}

fn message_op(
    shared: &Shared,
    w: &mut World,
    method: &str,
    channel: u64,
    id: u64,
    body: &Value,
) -> Answer {
    let stored = w
        .messages
        .get(&id)
        .filter(|m| m.message.channel_id.get() == channel)
        .ok_or_else(|| unknown(10008, "Message"))?;
    match method {
        "GET" => Ok((200, serde_json::to_value(&stored.message).ok())),
        "DELETE" => {
            if stored.message.author.id.get() != IDS.bot_user {
                // The sim's bot has no Manage Messages permission.
                return Err(ApiError::coded(403, 50013, "Missing Permissions"));
            }
            let only = stored.only;
            w.messages.remove(&id);
            if only.is_none() {
                let gid = w.channels.get(&channel).and_then(|c| {
                    (!matches!(c.kind, ChannelKind::Dm { .. })).then(|| IDS.guild.to_string())
                });
                let mut d = json!({ "id": id.to_string(), "channel_id": channel.to_string() });
                if let Some(g) = gid {
                    d["guild_id"] = json!(g);
                }
                gateway::dispatch(shared, "MESSAGE_DELETE", &d);
            }
            Ok((204, None))
        }
        "PATCH" => {
            if stored.message.author.id.get() != IDS.bot_user {
                return Err(ApiError::coded(
                    403,
                    50005,
                    "Cannot edit a message authored by another user",
                ));
            }
            validate::message(body, false)?;
            let only = stored.only;
            let mut v =
                serde_json::to_value(&stored.message).map_err(|_| ApiError::invalid_json())?;
            for k in ["content", "embeds", "components", "flags"] {
                if let Some(x) = body.get(k) {
                    v[k] = if x.is_null() && k != "content" {
                        json!([])
                    } else {
                        x.clone()
                    };
                }
            }
            v["edited_timestamp"] = json!(now_iso());
            let json = w.store_message(v, only).map_err(internal)?;
            if only.is_none() {
                gateway::dispatch(shared, "MESSAGE_UPDATE", &json);
            }
            Ok((200, Some(json)))
        }
        _ => Err(ApiError::not_found()),
    }
}

fn live_channel(w: &World, s: &str) -> Result<u64, ApiError> {
    parse_id(s)
        .filter(|id| w.channels.get(id).is_some_and(|c| !c.deleted))
        .ok_or_else(|| unknown(10003, "Channel"))
}

fn channel_message(
    shared: &Shared,
    method: &str,
    ps: &[String],
    body: &Value,
    files: Files,
) -> Answer {
    let mut w = lock(&shared.world);
    let channel = live_channel(&w, &ps[0])?;
    if method == "POST" {
        use crate::discord::permissions::bits;
        let need = match w.channels.get(&channel).map(|c| &c.kind) {
            Some(ChannelKind::Thread { .. }) => bits::SEND_MESSAGES_IN_THREADS,
            _ => bits::SEND_MESSAGES,
        };
        permitted(&w, channel, need)?;
    }
    if let Some(ChannelKind::Thread { locked: true, .. }) =
        w.channels.get(&channel).map(|c| &c.kind)
    {
        return Err(ApiError::coded(400, 50083, "Thread is archived"));
    }
    match ps.get(1) {
        None => {
            validate::message(body, true)?;
            if let Some(ChannelKind::Dm { recipient }) = w.channels.get(&channel).map(|c| &c.kind)
                && w.dms_closed.contains(recipient)
            {
                return Err(ApiError::coded(
                    403,
                    50007,
                    "Cannot send messages to this user",
                ));
            }
            if let Some(ChannelKind::Thread { archived, .. }) =
                w.channels.get_mut(&channel).map(|c| &mut c.kind)
            {
                // Posting in an archived, unlocked thread unarchives it.
                *archived = false;
            }
            let nonce = (body["enforce_nonce"] == Value::Bool(true))
                .then(|| body.get("nonce").map(|n| (channel, n.to_string())))
                .flatten();
            if let Some(seen) = nonce.as_ref().and_then(|k| w.nonces.get(k)) {
                return Ok((200, Some(seen.clone())));
            }
            let m = bot_message(shared, &mut w, channel, body, None, files)?;
            if let Some(key) = nonce {
                w.nonces.insert(key, m.clone());
            }
            Ok((200, Some(m)))
        }
        Some(mid) => {
            let id = parse_id(mid).ok_or_else(|| unknown(10008, "Message"))?;
            message_op(shared, &mut w, method, channel, id, body)
        }
    }
}

fn create_thread(shared: &Shared, ps: &[String], body: &Value) -> Answer {
    let mut w = lock(&shared.world);
    let parent = live_channel(&w, &ps[0])?;
    permitted(
        &w,
        parent,
        crate::discord::permissions::bits::CREATE_PRIVATE_THREADS,
    )?;
    if !matches!(
        w.channels.get(&parent).map(|c| &c.kind),
        Some(ChannelKind::Text)
    ) {
        return Err(ApiError::coded(
            400,
            50024,
            "Cannot execute action on this channel type",
        ));
    }
    let name = body["name"].as_str().unwrap_or("");
    if !(1..=100).contains(&name.chars().count()) {
        let mut e = FormErrors::default();
        e.push(
            "name",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.".into(),
        );
        return Err(e.into_error().unwrap_or_else(ApiError::invalid_json));
    }
    if let Some(cap) = shared.config.realism.active_thread_cap {
        let active = w
            .channels
            .values()
            .filter(|c| {
                !c.deleted
                    && matches!(
                        c.kind,
                        ChannelKind::Thread {
                            archived: false,
                            ..
                        }
                    )
            })
            .count();
        if active >= cap {
            return Err(ApiError::coded(
                400,
                160006,
                "Maximum number of active threads reached",
            ));
        }
    }
    let id = match ps.get(1) {
        Some(m) => {
            let mid = parse_id(m).ok_or_else(|| unknown(10008, "Message"))?;
            if !w.messages.contains_key(&mid) {
                return Err(unknown(10008, "Message"));
            }
            if w.channels.contains_key(&mid) {
                return Err(ApiError::coded(
                    400,
                    160004,
                    "A thread has already been created for this message",
                ));
            }
            mid
        }
        None => w.id(),
    };
    w.channels.insert(
        id,
        ChannelRec {
            kind: ChannelKind::Thread {
                parent,
                members: [IDS.bot_user].into_iter().collect(),
                archived: false,
                locked: false,
            },
            name: name.to_owned(),
            deleted: false,
        },
    );
    let json = w.channel_json(id);
    drop(w);
    if let Some(j) = &json {
        gateway::dispatch(shared, "THREAD_CREATE", j);
    }
    Ok((201, json))
}

fn channel(shared: &Shared, method: &str, ps: &[String], body: &Value) -> Answer {
    let mut w = lock(&shared.world);
    let id = live_channel(&w, &ps[0])?;
    match method {
        "GET" => Ok((200, w.channel_json(id))),
        "DELETE" => {
            let json = w.channel_json(id);
            if matches!(
                w.channels.get(&id).map(|c| &c.kind),
                Some(ChannelKind::Text)
            ) {
                return Err(ApiError::coded(403, 50013, "Missing Permissions"));
            }
            if let Some(ChannelKind::Thread { parent, .. }) = w.channels.get(&id).map(|c| &c.kind) {
                permitted(
                    &w,
                    *parent,
                    crate::discord::permissions::bits::MANAGE_THREADS,
                )?;
            }
            if let Some(c) = w.channels.get_mut(&id) {
                c.deleted = true;
            }
            Ok((200, json))
        }
        "PATCH" => {
            let Some(c) = w.channels.get_mut(&id) else {
                return Err(unknown(10003, "Channel"));
            };
            if let Some(name) = body["name"].as_str() {
                if !(1..=100).contains(&name.chars().count()) {
                    let mut e = FormErrors::default();
                    e.push(
                        "name",
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.".into(),
                    );
                    return Err(e.into_error().unwrap_or_else(ApiError::invalid_json));
                }
                c.name = name.to_owned();
            }
            if let ChannelKind::Thread {
                archived, locked, ..
            } = &mut c.kind
            {
                if let Some(a) = body["archived"].as_bool() {
                    *archived = a;
                }
                if let Some(l) = body["locked"].as_bool() {
                    *locked = l;
                }
            }
            Ok((200, w.channel_json(id)))
        }
        _ => Err(ApiError::not_found()),
    }
}

fn member_role(shared: &Shared, method: &str, ps: &[String]) -> Answer {
    if parse_id(&ps[0]) != Some(IDS.guild) {
        return Err(unknown(10004, "Guild"));
    }
    let mut w = lock(&shared.world);
    let user = parse_id(&ps[1])
        .filter(|u| w.users.contains_key(u))
        .ok_or_else(|| unknown(10013, "User"))?;
    let role = parse_id(&ps[2]).ok_or_else(|| unknown(10011, "Role"))?;
    let roles = w.member_roles.entry(user).or_default();
    if method == "PUT" {
        roles.insert(role);
    } else {
        roles.remove(&role);
    }
    Ok((204, None))
}

fn thread_member(shared: &Shared, method: &str, ps: &[String]) -> Answer {
    let mut w = lock(&shared.world);
    let id = live_channel(&w, &ps[0])?;
    let user = parse_id(&ps[1])
        .filter(|u| w.users.contains_key(u) || *u == IDS.bot_user)
        .ok_or_else(|| unknown(10013, "User"))?;
    let Some(ChannelKind::Thread {
        members, archived, ..
    }) = w.channels.get_mut(&id).map(|c| &mut c.kind)
    else {
        return Err(ApiError::coded(
            400,
            50024,
            "Cannot execute action on this channel type",
        ));
    };
    if *archived {
        return Err(ApiError::coded(400, 50083, "Thread is archived"));
    }
    if method == "PUT" {
        members.insert(user);
    } else {
        members.remove(&user);
    }
    Ok((204, None))
}
