//! The production [`Transport`]: twilight-http *builds* each request
//! (`twilight_http::request::Request`: method, path, headers, body, whether it
//! carries the bot token) and ladderd *sends* it itself, over the hyper client
//! stack (hyper-util's pooled client, hyper-rustls), so that every answer —
//! 2xx, 4xx, 429, 5xx — comes back to the scheduler with its status, headers
//! and body. twilight-http's own `Client::request` retries a 429 internally
//! (at once, in a loop, when it has no rate limiter), which hid every 429
//! from ladderd's figures and made callbacks hammer Discord; nothing below
//! [`super::outbound`] retries anything now.
//!
//! Pacing is [`super::ratelimit::Pacer`]'s alone, in the scheduler, before a
//! request reaches `send`: it is the process's one rate-limit state (why
//! twilight's `RateLimiter` is not a second one is in `ratelimit`'s doc).
//! Interaction callbacks and followups (no bot token: Discord exempts them
//! from the global limit, and gives a callback 3 s) go out as they come.
//! Requests go to `https://discord.com/api/v10/…`, or to
//! `http://{proxy}/api/v10/…` for a plain-HTTP stand-in (the simulator).
//!
//! Architecture Invariant: `send` makes exactly one HTTP attempt per call.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use twilight_http::request::{Method, Request};

use super::outbound::{Reply, Transport};
use super::ratelimit::{RateLimitHeaders, RouteKey};

/// Installs ring as rustls' process-wide crypto provider (the HTTPS clients
/// need one). Idempotent.
pub fn install_crypto_provider() {
    // An error means a provider is already installed: fine either way.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Where the Discord API is: Discord itself, or a simulator on loopback.
#[derive(Debug, Clone, Default)]
pub struct ApiEndpoint {
    /// `host:port` of a plain-HTTP stand-in (the simulator); `None` for discord.com.
    pub proxy: Option<String>,
}

impl ApiEndpoint {
    /// The URL prefix every API path is appended to (no trailing slash).
    pub fn base_url(&self) -> String {
        match &self.proxy {
            Some(proxy) => format!("http://{proxy}/api/v10"),
            None => "https://discord.com/api/v10".to_owned(),
        }
    }
}

/// Discord requires `DiscordBot ($url, $versionNumber)`.
pub const USER_AGENT_VALUE: &str = concat!(
    "DiscordBot (https://github.com/ladderd/ladderd, ",
    env!("CARGO_PKG_VERSION"),
    ")"
);

/// One HTTP exchange (connect, send, read the answer) is abandoned after this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Response bodies beyond this are refused (Discord's are a few KiB).
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// What the transport needs to reach Discord: the HTTP client, where to and
/// the bot token's `Authorization` value.
pub struct Clients {
    http: HttpClient<Https, Full<Bytes>>,
    base_url: String,
    /// `Bot <token>`; `None` if the token cannot be a header value.
    authorization: Option<HeaderValue>,
}

/// Builds the HTTP client for `endpoint` with the bot token.
pub fn clients(token: &str, endpoint: &ApiEndpoint) -> Clients {
    install_crypto_provider();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_platform_verifier()
        .https_or_http()
        .enable_http1()
        .build();
    let token = token.trim();
    let value = if token.starts_with("Bot ") || token.starts_with("Bearer ") {
        token.to_owned()
    } else {
        format!("Bot {token}")
    };
    let authorization = HeaderValue::from_str(&value).ok().map(|mut v| {
        v.set_sensitive(true);
        v
    });
    if authorization.is_none() {
        tracing::error!("the bot token is not a valid header value; requests will go without it");
    }
    Clients {
        http: HttpClient::builder(TokioExecutor::new()).build(https),
        base_url: endpoint.base_url(),
        authorization,
    }
}

pub struct TwilightTransport {
    clients: Arc<Clients>,
}

impl TwilightTransport {
    pub fn new(clients: Clients) -> TwilightTransport {
        TwilightTransport {
            clients: Arc::new(clients),
        }
    }
}

/// The route key of a request: method and path, query removed. Interaction
/// tokens are secrets for 15 minutes and route keys reach log lines, so the
/// token segment of interaction and webhook paths is replaced by a tag: 32
/// bits of a hash, which tell one token's route from another's (Discord
/// buckets a followup by its token, and the scheduler holds a 429'd one)
/// and give nothing of the token away.
pub fn route_key(request: &Request) -> RouteKey {
    use std::hash::{Hash, Hasher};
    let path = request.path();
    let path = path.split('?').next().unwrap_or(path);
    let mut segments: Vec<String> = path.split('/').map(str::to_owned).collect();
    if segments.len() > 2 && (segments[0] == "interactions" || segments[0] == "webhooks") {
        // SipHash with fixed keys: the same tag for a token every time.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        segments[2].hash(&mut hasher);
        segments[2] = format!("{{token:{:08x}}}", hasher.finish() as u32);
    }
    RouteKey(format!(
        "{} {}",
        request.method().name(),
        segments.join("/")
    ))
}

impl Clients {
    /// Builds the `hyper` request for a twilight-built one.
    fn http_request(&self, request: &Request) -> Result<hyper::Request<Full<Bytes>>, String> {
        let method = request.method();
        let url = format!("{}/{}", self.base_url, request.path());
        let mut builder = hyper::Request::builder().method(method.name()).uri(url);
        let headers = builder
            .headers_mut()
            .ok_or_else(|| "building the request failed".to_owned())?;
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        if request.use_authorization_token()
            && let Some(auth) = &self.authorization
        {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        let body = if let Some(form) = request.form() {
            if let Ok(v) = HeaderValue::from_bytes(&form.content_type()) {
                headers.insert(CONTENT_TYPE, v);
            }
            Bytes::from(form.clone().build())
        } else if let Some(body) = request.body() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Bytes::copy_from_slice(body)
        } else {
            Bytes::new()
        };
        if !body.is_empty() || matches!(method, Method::Post | Method::Put | Method::Patch) {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        if let Some(extra) = request.headers() {
            for (name, value) in extra {
                headers.insert(name, value.clone());
            }
        }
        builder
            .body(Full::new(body))
            .map_err(|e| format!("building the request failed: {e}"))
    }

    /// One HTTP exchange, bounded by [`REQUEST_TIMEOUT`].
    async fn exchange(&self, request: &Request) -> Result<Reply<Vec<u8>>, String> {
        let http_request = self.http_request(request)?;
        let exchange = async {
            let response = self
                .http
                .request(http_request)
                .await
                .map_err(|e| format!("sending the request failed: {e}"))?;
            let status = response.status().as_u16();
            let headers = RateLimitHeaders::parse(
                response
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_bytes())),
            );
            let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|e| format!("reading the response body failed: {e}"))?
                .to_bytes()
                .to_vec();
            Ok(Reply {
                status,
                headers,
                body,
            })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| format!("no answer within {REQUEST_TIMEOUT:?}"))?
    }
}

impl Transport for TwilightTransport {
    type Request = Request;
    type Body = Vec<u8>;

    async fn send(&self, request: &Request) -> Result<Reply<Vec<u8>>, String> {
        self.clients.exchange(request).await
    }

    fn error_of(body: &Vec<u8>) -> (Option<u32>, String) {
        discord_error(body)
    }
}

/// Discord's JSON error body: `{"code": 50007, "message": "…"}` (bounded:
/// the message is cut at 200 characters).
pub fn discord_error(body: &[u8]) -> (Option<u32>, String) {
    #[derive(serde::Deserialize)]
    struct ApiError {
        code: Option<u32>,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_slice::<ApiError>(body) {
        Ok(e) => (e.code, e.message.chars().take(200).collect()),
        Err(_) => (None, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicU64, Ordering};

    use http_body_util::Full;
    use hyper::body::Bytes;
    use twilight_http::request::TryIntoRequest;
    use twilight_model::id::Id;

    use super::*;

    /// A stand-in for Discord that counts requests and answers by channel:
    /// 400 with Discord's error JSON, 429 with `Retry-After`, 503, or 200
    /// with bucket headers and the request's path, `Authorization` and
    /// `User-Agent` echoed in the body.
    async fn fake_api() -> (std::net::SocketAddr, Arc<AtomicU64>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let count = Arc::new(AtomicU64::new(0));
        let counter = count.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let counter = counter.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            counter.fetch_add(1, Ordering::SeqCst);
                            async move {
                                let path = req.uri().path().to_owned();
                                let header = |name: &str| {
                                    req.headers()
                                        .get(name)
                                        .and_then(|v| v.to_str().ok())
                                        .unwrap_or("-")
                                        .to_owned()
                                };
                                let json = |status: u16| {
                                    hyper::Response::builder()
                                        .status(status)
                                        .header("content-type", "application/json")
                                        .header("x-ratelimit-bucket", "abc")
                                        .header("x-ratelimit-limit", "5")
                                        .header("x-ratelimit-remaining", "4")
                                        .header("x-ratelimit-reset-after", "4.5")
                                };
                                let response = if path.contains("/channels/400/") {
                                    json(400).body(Full::new(Bytes::from_static(
                                        br#"{"code":50035,"message":"Invalid Form Body","errors":{}}"#,
                                    )))
                                } else if path.contains("/channels/429/") {
                                    json(429)
                                        .header("retry-after", "3")
                                        .header("x-ratelimit-scope", "user")
                                        .body(Full::new(Bytes::from_static(
                                            br#"{"message":"You are being rate limited.","retry_after":2.5,"global":false}"#,
                                        )))
                                } else if path.contains("/channels/503/") {
                                    json(503).body(Full::new(Bytes::from_static(b"upstream down")))
                                } else {
                                    let body = format!(
                                        "{{\"path\":\"{path}\",\"auth\":\"{}\",\"ua\":\"{}\"}}",
                                        header("authorization"),
                                        header("user-agent")
                                    );
                                    json(200).body(Full::new(Bytes::from(body)))
                                };
                                Ok::<_, Infallible>(response.unwrap())
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        (addr, count)
    }

    fn transport(addr: std::net::SocketAddr) -> TwilightTransport {
        TwilightTransport::new(clients(
            "test",
            &ApiEndpoint {
                proxy: Some(addr.to_string()),
            },
        ))
    }

    fn builder() -> twilight_http::Client {
        twilight_http::Client::new(String::new())
    }

    #[tokio::test]
    async fn headers_status_and_errors_come_through() {
        let (addr, _) = fake_api().await;
        let transport = transport(addr);

        let ok = Request::from_route(&twilight_http::routing::Route::GetChannel { channel_id: 7 });
        let reply = transport.send(&ok).await.unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.headers.bucket.as_deref(), Some("abc"));
        assert_eq!(reply.headers.remaining, Some(4));
        assert_eq!(
            reply.headers.reset_after,
            Some(std::time::Duration::from_millis(4500))
        );
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["path"], "/api/v10/channels/7");
        assert_eq!(body["auth"], "Bot test");
        assert_eq!(body["ua"], USER_AGENT_VALUE);
        assert!(USER_AGENT_VALUE.starts_with("DiscordBot ("));

        let bad = builder()
            .create_message(Id::new(400))
            .content("hi")
            .try_into_request()
            .unwrap();
        let reply = transport.send(&bad).await.unwrap();
        assert_eq!(reply.status, 400);
        assert!(String::from_utf8_lossy(&reply.body).contains("50035"));
    }

    /// twilight-http's `Client::request` would have retried this 429 itself;
    /// the transport hands it (and a 5xx) back after exactly one attempt.
    #[tokio::test]
    async fn a_429_and_a_5xx_come_back_after_one_attempt_each() {
        let (addr, count) = fake_api().await;
        let transport = transport(addr);
        let limited = builder()
            .create_message(Id::new(429))
            .content("hi")
            .try_into_request()
            .unwrap();
        let reply = transport.send(&limited).await.unwrap();
        assert_eq!(reply.status, 429);
        assert_eq!(reply.headers.retry_after, Some(Duration::from_secs(3)));
        assert_eq!(reply.headers.scope.as_deref(), Some("user"));
        assert!(String::from_utf8_lossy(&reply.body).contains("rate limited"));
        assert_eq!(count.load(Ordering::SeqCst), 1, "no hidden retry");

        let down = builder()
            .create_message(Id::new(503))
            .content("hi")
            .try_into_request()
            .unwrap();
        let reply = transport.send(&down).await.unwrap();
        assert_eq!(reply.status, 503);
        assert_eq!(reply.body, b"upstream down");
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    /// Interaction callbacks carry no bot token (their own token is in the path).
    #[tokio::test]
    async fn interaction_callbacks_go_without_the_bot_token() {
        let (addr, _) = fake_api().await;
        let transport = transport(addr);
        let response = twilight_model::http::interaction::InteractionResponse {
            kind: twilight_model::http::interaction::InteractionResponseType::DeferredUpdateMessage,
            data: None,
        };
        let callback = builder()
            .interaction(Id::new(1))
            .create_response(Id::new(123), "tok", &response)
            .try_into_request()
            .unwrap();
        assert!(!callback.use_authorization_token());
        let reply = transport.send(&callback).await.unwrap();
        assert_eq!(reply.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["path"], "/api/v10/interactions/123/tok/callback");
        assert_eq!(body["auth"], "-");
    }

    #[tokio::test]
    async fn no_server_is_a_transport_error() {
        // Bind and drop: nothing listens on that port any more.
        let addr = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let transport = transport(addr);
        let r = Request::from_route(&twilight_http::routing::Route::GetChannel { channel_id: 7 });
        let e = transport.send(&r).await.unwrap_err();
        assert!(e.contains("sending the request failed"), "{e}");
    }

    #[test]
    fn route_keys_hide_interaction_tokens() {
        let r = Request::from_route(&twilight_http::routing::Route::InteractionCallback {
            interaction_id: 123,
            interaction_token: "secret-token",
            with_response: false,
        });
        let key = route_key(&r);
        assert!(!key.0.contains("secret-token"), "{key:?}");
        assert!(
            key.0.starts_with("POST interactions/123/{token:") && key.0.ends_with("}/callback"),
            "{key:?}"
        );
        assert_eq!(key, route_key(&r), "one token, one route");
        let followup = |token| {
            route_key(&Request::from_route(
                &twilight_http::routing::Route::ExecuteWebhook {
                    token,
                    wait: None,
                    thread_id: None,
                    with_components: None,
                    webhook_id: 9,
                },
            ))
        };
        assert_ne!(followup("one"), followup("two"), "each token its own route");
        let m =
            Request::from_route(&twilight_http::routing::Route::CreateMessage { channel_id: 55 });
        assert_eq!(route_key(&m).0, "POST channels/55/messages");
    }
}
