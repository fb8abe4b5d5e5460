//! Metrics: the `metrics` facade with the Prometheus recorder from
//! `metrics-exporter-prometheus`, served as text on a loopback address
//! (`[ops] metrics_listen`, off by default) by a small hyper server.
//!
//! The recorder is process-global (the facade's design), installed once on
//! first use; any number of endpoints (e.g. several supervisors in one test
//! process) render the same registry. Histograms render as summaries with
//! p50/p90/p99 over a rolling window.

use std::convert::Infallible;
use std::sync::OnceLock;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request, Response, StatusCode};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The global registry's handle, installing the recorder on first call.
/// `None` if another recorder was installed first (then ladderd's metrics go
/// to that one and the endpoint serves nothing of its own).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_quantiles(&[0.5, 0.9, 0.99])
                .ok()?
                // Summaries cover about the last minute (3 buckets of 20 s).
                .set_bucket_duration(Duration::from_secs(20))
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "ladderd_store_commits_total",
        "Transactions committed by the store writer"
    );
    describe_counter!(
        "ladderd_store_requests_total",
        "Write requests acknowledged after commit"
    );
    describe_counter!(
        "ladderd_store_refused_requests_total",
        "Write requests whose rows were refused"
    );
    describe_counter!(
        "ladderd_store_failed_commits_total",
        "Commits that failed (nothing in the batch saved)"
    );
    describe_gauge!(
        "ladderd_store_pending_requests",
        "Write requests submitted and not yet acknowledged"
    );
    describe_histogram!(
        "ladderd_store_commit_duration_seconds",
        Unit::Seconds,
        "Time from BEGIN to COMMIT returning"
    );
    describe_histogram!(
        "ladderd_store_batch_requests",
        "Requests sharing one commit (group commit)"
    );
    describe_gauge!(
        "ladderd_uptime_seconds",
        Unit::Seconds,
        "Seconds since the supervisor started"
    );
    describe_gauge!(
        "ladderd_resident_memory_bytes",
        Unit::Bytes,
        "Resident memory of the supervisor"
    );
    describe_gauge!(
        "ladderd_database_size_bytes",
        Unit::Bytes,
        "Database file plus its WAL"
    );
    describe_counter!(
        "ladderd_discord_requests_total",
        "Requests sent to Discord (attempts), by route class"
    );
    describe_counter!(
        "ladderd_discord_rate_limited_total",
        "Requests Discord answered 429, by route class"
    );
    describe_counter!(
        "ladderd_discord_retries_total",
        "Requests retried after a 5xx or transport error, by route class"
    );
    describe_counter!(
        "ladderd_discord_failed_total",
        "Requests given up or refused, by route class"
    );
    describe_gauge!(
        "ladderd_discord_queued_requests",
        "Requests waiting in the outbound scheduler (queued or in flight)"
    );
    describe_gauge!(
        "ladderd_gateway_shard_state",
        "1 for the state each gateway shard is in, 0 for the others"
    );
    describe_gauge!(
        "ladderd_gateway_heartbeat_latency_seconds",
        Unit::Seconds,
        "Latest gateway heartbeat round trip per shard (NaN before the first)"
    );
    describe_gauge!(
        "ladderd_gateway_heartbeat_latency_average_seconds",
        Unit::Seconds,
        "Average gateway heartbeat round trip per shard, this connection"
    );
    describe_gauge!(
        "ladderd_interaction_handling_last_5m_seconds",
        Unit::Seconds,
        "ladderd's own handling time per interaction over the last five minutes, by quantile (1 = max)"
    );
    describe_gauge!(
        "ladderd_interaction_handling_last_5m_count",
        "Interactions handled in the last five minutes"
    );
    describe_gauge!(
        "ladderd_store_commit_last_5m_seconds",
        Unit::Seconds,
        "Commit latency over the last five minutes, by quantile (1 = max)"
    );
    describe_gauge!(
        "ladderd_store_commit_last_5m_count",
        "Commits in the last five minutes"
    );
    describe_counter!(
        "ladderd_gateway_events_total",
        "Gateway dispatches received"
    );
    describe_gauge!(
        "ladderd_gateway_events_per_second",
        "Gateway dispatches per second over the last minute"
    );
}

/// Run before each scrape is rendered (the supervisor publishes a fresh
/// health report with it).
pub type Refresh = std::sync::Arc<dyn Fn() + Send + Sync>;

/// Serves `GET /metrics` on `listener` until `shutdown`.
pub async fn serve(listener: TcpListener, shutdown: CancellationToken) {
    serve_with(listener, None, shutdown).await
}

/// [`serve`], calling `refresh` before rendering each scrape.
pub async fn serve_with(
    listener: TcpListener,
    refresh: Option<Refresh>,
    shutdown: CancellationToken,
) {
    let Some(handle) = handle() else {
        tracing::warn!("another metrics recorder is installed; the metrics endpoint is off");
        return;
    };
    loop {
        let (stream, _) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics endpoint: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let io = hyper_util::rt::TokioIo::new(stream);
        let shutdown = shutdown.clone();
        let refresh = refresh.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req| respond(handle, refresh.clone(), req));
            let conn = hyper::server::conn::http1::Builder::new()
                .max_buf_size(16 * 1024)
                .header_read_timeout(Duration::from_secs(5))
                .timer(hyper_util::rt::TokioTimer::new())
                .serve_connection(io, service);
            tokio::select! {
                _ = conn => {}
                _ = shutdown.cancelled() => {}
            }
        });
    }
}

async fn respond(
    handle: &'static PrometheusHandle,
    refresh: Option<Refresh>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = if req.method() == Method::GET && req.uri().path() == "/metrics" {
        if let Some(refresh) = refresh {
            refresh();
        }
        handle.run_upkeep();
        Response::builder()
            .header("content-type", "text/plain; version=0.0.4")
            .body(Full::new(Bytes::from(handle.render())))
    } else {
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::from_static(b"try GET /metrics\n")))
    };
    Ok(response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}
