//! Operations: the metrics endpoint serves Prometheus text that parses and
//! carries the store's figures.

use std::collections::HashMap;

use ladderd::config::StoreConfig;
use ladderd::store::Store;
use ladderd::store::rows::{AuditRow, Write};
use tokio_util::sync::CancellationToken;

use crate::support::wait::within;

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let response = crate::support::http_get(addr, path).await;
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
    within("the metrics server to stop", server).await.unwrap();
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
}

#[cfg(feature = "sim")]
/// A series: metric name and labels, sorted (the exposition's label order
/// is the exporter's business).
type Series = (String, Vec<(String, String)>);

#[cfg(feature = "sim")]
fn series(samples: &HashMap<String, f64>) -> HashMap<Series, f64> {
    samples
        .iter()
        .map(|(s, v)| {
            let (name, labels) = match s.split_once('{') {
                Some((n, rest)) => (n, rest.trim_end_matches('}')),
                None => (s.as_str(), ""),
            };
            let mut labels: Vec<(String, String)> = labels
                .split(',')
                .filter(|l| !l.is_empty())
                .map(|l| {
                    let (k, v) = l
                        .split_once('=')
                        .unwrap_or_else(|| panic!("bad label {l:?}"));
                    (k.to_owned(), v.trim_matches('"').to_owned())
                })
                .collect();
            labels.sort();
            ((name.to_owned(), labels), *v)
        })
        .collect()
}

#[cfg(feature = "sim")]
fn value(all: &HashMap<Series, f64>, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut want: Vec<(String, String)> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    want.sort();
    all.get(&(name.to_owned(), want)).copied()
}

#[cfg(feature = "sim")]
/// Every `ladderd_…` metric name an expression in the dashboard uses.
fn dashboard_metric_names(json: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match json {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == "expr"
                    && let Some(expr) = v.as_str()
                {
                    let mut rest = expr;
                    while let Some(at) = rest.find("ladderd_") {
                        let tail = &rest[at..];
                        let end = tail
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .unwrap_or(tail.len());
                        out.insert(tail[..end].to_owned());
                        rest = &tail[end..];
                    }
                }
                dashboard_metric_names(v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                dashboard_metric_names(v, out);
            }
        }
        _ => {}
    }
}

/// The supervisor connected to the simulator serves the gateway and
/// per-class HTTP figures; the example Grafana dashboard uses only metrics
/// that a scrape carries.
#[cfg(feature = "sim")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connected_supervisor_serves_gateway_and_http_figures() {
    use crate::support::e2e::{BootOptions, T0, boot_opts, stop};
    use crate::support::wait::{bounded, sim_until};
    use ladderd::clock::ManualClock;
    use ladderd::sim::{Interact, SimConfig, Simulator};
    use std::time::Duration;

    assert!(ladderd::ops::metrics::handle().is_some());
    let sim = Simulator::start(SimConfig {
        // Heartbeats every 200 ms, so latency figures appear within the test.
        heartbeat_interval: Duration::from_millis(200),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ids = sim.ids();
    let opts = BootOptions {
        ops: "metrics_listen = \"127.0.0.1:0\"",
        workers: true,
        ..BootOptions::default()
    };
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &ManualClock::at(T0), &opts).await;
    let addr = running.metrics_addr.expect("metrics_listen was set");

    // Two interactions: the terms, then accepting them.
    let user = sim.add_user("Metric");
    for what in [
        Interact::Slash {
            name: "termsofservice".into(),
            options: vec![],
        },
        Interact::Button {
            custom_id: "tos:accept".into(),
            message: None,
        },
    ] {
        let seen = sim.seen_by(user).len();
        sim.interact(user, ids.lobby, &what).unwrap();
        sim_until(&sim, "the interaction's answer", |s| {
            s.seen_by(user).len() > seen
        })
        .await;
    }

    // Heartbeat latency needs a heartbeat; the rate needs a complete second:
    // scrape until both are there (bounded; the asserts below say what is not).
    let mut all = HashMap::new();
    let mut body = String::new();
    bounded(async {
        loop {
            let (status, b) = get(addr, "/metrics").await;
            assert_eq!(status, 200, "{b}");
            body = b;
            all = series(&parse_exposition(&body));
            let latency = value(
                &all,
                "ladderd_gateway_heartbeat_latency_seconds",
                &[("shard", "0")],
            );
            let rate = value(&all, "ladderd_gateway_events_per_second", &[]);
            if latency.is_some_and(f64::is_finite) && rate.is_some_and(|r| r > 0.0) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let get_value = |name: &str, labels: &[(&str, &str)]| {
        value(&all, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in\n{body}"))
    };
    assert_eq!(
        get_value(
            "ladderd_gateway_shard_state",
            &[("shard", "0"), ("state", "connected")]
        ),
        1.0
    );
    for state in ["identifying", "resuming", "disconnected", "closed"] {
        assert_eq!(
            get_value(
                "ladderd_gateway_shard_state",
                &[("shard", "0"), ("state", state)]
            ),
            0.0,
            "{state}"
        );
    }
    let latency = get_value(
        "ladderd_gateway_heartbeat_latency_seconds",
        &[("shard", "0")],
    );
    assert!((0.0..5.0).contains(&latency), "{latency}");
    let average = get_value(
        "ladderd_gateway_heartbeat_latency_average_seconds",
        &[("shard", "0")],
    );
    assert!((0.0..5.0).contains(&average), "{average}");
    // ladderd counted every dispatch the simulator sent: READY and
    // GUILD_CREATE per session (RESUMED per resume), then our interactions.
    let events = get_value("ladderd_gateway_events_total", &[]);
    let g = sim.gateway().stats();
    assert_eq!(g.dispatches, 2, "{g:?}");
    assert_eq!(
        events,
        (g.dispatches + 2 * g.identifies + g.resumes) as f64,
        "{g:?}"
    );
    assert!(get_value("ladderd_gateway_events_per_second", &[]) > 0.0);
    // Requests by class: two interaction callbacks, command registration.
    assert!(
        get_value(
            "ladderd_discord_requests_total",
            &[("class", "interaction")]
        ) >= 2.0
    );
    assert!(get_value("ladderd_discord_requests_total", &[("class", "commands")]) >= 1.0);
    for class in [
        "interaction",
        "dm",
        "channel_message",
        "thread",
        "thread_member",
        "commands",
        "other",
    ] {
        for name in [
            "ladderd_discord_requests_total",
            "ladderd_discord_rate_limited_total",
            "ladderd_discord_retries_total",
            "ladderd_discord_failed_total",
        ] {
            get_value(name, &[("class", class)]);
        }
        assert_eq!(
            get_value("ladderd_discord_rate_limited_total", &[("class", class)]),
            0.0
        );
    }
    get_value("ladderd_discord_queued_requests", &[]);
    assert!(
        body.contains("# TYPE ladderd_gateway_events_total counter"),
        "{body}"
    );

    // Every metric the example dashboard plots is in the scrape.
    let dashboard =
        std::fs::read_to_string(crate::support::repo_root().join("systemd/grafana-ladderd.json"))
            .expect("systemd/grafana-ladderd.json exists");
    let dashboard: serde_json::Value =
        serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    let mut names = std::collections::BTreeSet::new();
    dashboard_metric_names(&dashboard, &mut names);
    assert!(names.len() >= 10, "{names:?}");
    let scraped: std::collections::BTreeSet<&str> = all.keys().map(|(n, _)| n.as_str()).collect();
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !scraped.contains(n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "the dashboard uses {missing:?}, not in\n{body}"
    );

    drop(running);
    stop(shutdown, task, sim).await;
}
