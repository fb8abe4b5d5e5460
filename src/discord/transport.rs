//! The production [`Transport`]: twilight-http, as two clients.
//!
//! twilight's rate limiter learns a bucket only from responses carrying
//! `X-RateLimit-Scope` (Discord sends that on 429s only) and serialises every
//! request whose bucket it does not know, interaction callbacks included. So
//! ladderd paces by the bucket headers of every response itself
//! ([`super::ratelimit`]), and sends through:
//! - the **paced** client, with twilight's one `RateLimiter` on: it adds
//!   nothing while ladderd's pacing holds (one request in flight per route
//!   already), and if a 429 happens anyway it makes twilight wait for the
//!   reset instead of retrying at once — without a limiter twilight retries
//!   a 429 immediately, in a loop;
//! - the **interaction** client, limiter off: callbacks and followups carry no
//!   bot token, are exempt from the global limit, and must never queue behind
//!   other requests (Discord gives 3 s).
//!
//! The transport picks the client by `use_authorization_token`, which is
//! false exactly for interaction and webhook requests.

use twilight_http::Client;
use twilight_http::error::ErrorType;
use twilight_http::request::Request;

use super::outbound::{Reply, Transport};
use super::ratelimit::{RateLimitHeaders, RouteKey};

/// Installs ring as rustls' process-wide crypto provider (twilight-http's TLS
/// needs one). Idempotent.
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

/// The process's two HTTP clients (see the module docs).
pub struct Clients {
    pub paced: std::sync::Arc<Client>,
    pub interactions: std::sync::Arc<Client>,
}

/// Builds both clients; the paced one holds the process's one `RateLimiter`.
pub fn clients(token: &str, endpoint: &ApiEndpoint) -> Clients {
    install_crypto_provider();
    let build = |limiter| {
        let mut builder = Client::builder()
            .token(token.to_owned())
            .ratelimiter(limiter)
            .timeout(std::time::Duration::from_secs(10));
        if let Some(proxy) = &endpoint.proxy {
            builder = builder.proxy(proxy.clone(), true);
        }
        std::sync::Arc::new(builder.build())
    };
    Clients {
        paced: build(Some(twilight_http_ratelimiting::RateLimiter::default())),
        interactions: build(None),
    }
}

pub struct TwilightTransport {
    clients: Clients,
}

impl TwilightTransport {
    pub fn new(clients: Clients) -> TwilightTransport {
        TwilightTransport { clients }
    }
}

/// The route key of a request: method and path, query removed. Interaction
/// tokens are secrets for 15 minutes and route keys reach log lines, so the
/// token segment of interaction and webhook paths is replaced.
pub fn route_key(request: &Request) -> RouteKey {
    let path = request.path();
    let path = path.split('?').next().unwrap_or(path);
    let mut segments: Vec<&str> = path.split('/').collect();
    if let Some(first) = segments.first().copied()
        && (first == "interactions" || first == "webhooks")
        && segments.len() > 2
    {
        segments[2] = "{token}";
    }
    RouteKey(format!(
        "{} {}",
        request.method().name(),
        segments.join("/")
    ))
}

impl Transport for TwilightTransport {
    type Request = Request;
    type Body = Vec<u8>;

    async fn send(&self, request: &Request) -> Result<Reply<Vec<u8>>, String> {
        let client = if request.use_authorization_token() {
            &self.clients.paced
        } else {
            &self.clients.interactions
        };
        match client.request::<()>(request.clone()).await {
            Ok(response) => {
                let status = response.status().get();
                let headers = RateLimitHeaders::parse(response.headers());
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| format!("reading the response body: {e}"))?;
                Ok(Reply {
                    status,
                    headers,
                    body,
                })
            }
            Err(e) => match e.kind() {
                // twilight keeps the status and body of a non-2xx answer, not its headers.
                ErrorType::Response { status, body, .. } => Ok(Reply {
                    status: status.get(),
                    headers: RateLimitHeaders::default(),
                    body: body.clone(),
                }),
                _ => Err(e.to_string()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http_body_util::Full;
    use hyper::body::Bytes;
    use twilight_http::request::TryIntoRequest;
    use twilight_model::id::Id;

    use super::*;

    /// A one-route stand-in for Discord: answers with bucket headers, or with
    /// Discord's error JSON for channel 400.
    async fn fake_api() -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        |req: hyper::Request<hyper::body::Incoming>| async move {
                            let path = req.uri().path().to_owned();
                            let response = if path.contains("/channels/400/") {
                                hyper::Response::builder()
                                .status(400)
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from_static(
                                    br#"{"code":50035,"message":"Invalid Form Body","errors":{}}"#,
                                )))
                            } else {
                                hyper::Response::builder()
                                    .header("content-type", "application/json")
                                    .header("x-ratelimit-bucket", "abc")
                                    .header("x-ratelimit-limit", "5")
                                    .header("x-ratelimit-remaining", "4")
                                    .header("x-ratelimit-reset-after", "4.5")
                                    .body(Full::new(Bytes::from(format!(
                                        "{{\"path\":\"{path}\"}}"
                                    ))))
                            };
                            Ok::<_, Infallible>(response.unwrap())
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn headers_status_and_errors_come_through() {
        let addr = fake_api().await;
        let clients = clients(
            "Bot test",
            &ApiEndpoint {
                proxy: Some(addr.to_string()),
            },
        );
        let client = clients.paced.clone();
        let transport = TwilightTransport::new(clients);

        let ok = Request::from_route(&twilight_http::routing::Route::GetChannel { channel_id: 7 });
        let reply = transport.send(&ok).await.unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.headers.bucket.as_deref(), Some("abc"));
        assert_eq!(reply.headers.remaining, Some(4));
        assert_eq!(
            reply.headers.reset_after,
            Some(std::time::Duration::from_millis(4500))
        );
        assert_eq!(
            String::from_utf8_lossy(&reply.body),
            r#"{"path":"/api/v10/channels/7"}"#
        );

        let bad = client
            .create_message(Id::new(400))
            .content("hi")
            .try_into_request()
            .unwrap();
        let reply = transport.send(&bad).await.unwrap();
        assert_eq!(reply.status, 400);
        assert!(String::from_utf8_lossy(&reply.body).contains("50035"));
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
        assert_eq!(key.0, "POST interactions/123/{token}/callback");
        let m =
            Request::from_route(&twilight_http::routing::Route::CreateMessage { channel_id: 55 });
        assert_eq!(route_key(&m).0, "POST channels/55/messages");
    }
}
