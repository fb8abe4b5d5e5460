//! Operations: the metrics endpoint serves Prometheus text that parses and
//! carries the store's figures.

use std::collections::HashMap;

use ladderd::config::StoreConfig;
use ladderd::store::Store;
use ladderd::store::rows::{AuditRow, Write};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Parses Prometheus text exposition: `name{labels} value` lines, `#` comments.
fn parse_exposition(text: &str) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("bad line {line:?}"));
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value in {line:?}"));
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name {name:?}"
        );
        samples.insert(series.to_owned(), value);
    }
    samples
}

#[tokio::test]
async fn metrics_endpoint_serves_parseable_store_figures() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::at(dir.path().join("m.db"))).unwrap();
    // Install the recorder before the writes so they are counted.
    assert!(ladderd::ops::metrics::handle().is_some());
    let w = store.writer();
    for i in 0..10 {
        w.submit(vec![Write::Audit(AuditRow {
            at: i,
            actor_id: 1,
            command: "metrics-test".into(),
            target: None,
            outcome: "ok".into(),
            details_json: None,
        })])
        .await
        .unwrap();
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(ladderd::ops::metrics::serve(listener, shutdown.clone()));

    let (status, body) = get(addr, "/metrics").await;
    assert_eq!(status, 200, "{body}");
    let samples = parse_exposition(&body);
    // Other tests in this process may commit too: at least ours are counted.
    let commits = samples
        .get("ladderd_store_commits_total")
        .copied()
        .unwrap_or(0.0);
    assert!(commits >= 10.0, "commits {commits} in\n{body}");
    assert!(
        samples.contains_key("ladderd_store_commit_duration_seconds{quantile=\"0.99\"}"),
        "{body}"
    );
    assert!(
        body.contains("# TYPE ladderd_store_commits_total counter"),
        "{body}"
    );

    let (status, _) = get(addr, "/other").await;
    assert_eq!(status, 404);

    shutdown.cancel();
    server.await.unwrap();
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
}
