//! `ladderd bench web`: the web site under load with a big ladder
//! (issue #16), and whether that load moves the supervisor's handling of
//! Discord interactions.
//!
//! A history ([`super::dataset`]) is loaded by a supervisor in this process
//! with `[web] listen` on loopback, against the simulator. Then, in order:
//! 1. **handling, site idle**: `--users` members take turns at `/queue
//!    race:T` + `/leave` (`--rounds` each), one interaction at a time: the
//!    baseline of ladderd's handling time (`Running::handling`);
//! 2. **site loads**, `--clients` keep-alive HTTP clients each, for
//!    `--seconds` or one pass over distinct URLs: the leaderboard page and
//!    the JSON API answered from the site's cache (nothing changed), then
//!    every leaderboard page, every API page and player pages each computed
//!    once (distinct URLs, nothing cached): requests/s, p50, p99;
//! 3. **handling, site under load**: phase 1 again while the clients cycle
//!    through leaderboard, API and player pages — each commit of a `/queue`
//!    changes the ladder, so the site recomputes what it serves — with the
//!    ratio of its handling time to phase 1's.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use serde::Serialize;

use super::BenchError;
use super::dataset::{self, Size};
use super::handling::{Answer, ask, steps};
use crate::sim::{SimConfig, Simulator};
use crate::supervisor::{self, Environment, Running};

#[derive(Debug, Clone)]
pub struct WebOptions {
    pub size: Size,
    pub seed: u64,
    pub clients: usize,
    pub seconds: u64,
    pub users: usize,
    pub rounds: usize,
    pub synchronous: &'static str,
}

/// One load on the site.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Load {
    pub name: String,
    pub requests: usize,
    /// Answers other than 200.
    pub errors: usize,
    pub wall_seconds: f64,
    pub per_second: f64,
    pub p50_us: u32,
    pub p99_us: u32,
    pub max_us: u32,
}

/// ladderd's handling time over one handling phase.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Handling {
    pub name: &'static str,
    pub interactions: usize,
    pub unanswered: usize,
    pub refused: usize,
    pub p50_us: u32,
    pub p99_us: u32,
    pub max_us: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct WebReport {
    pub loaded_players: usize,
    pub loaded_matches: usize,
    pub clients: usize,
    pub leaderboard_pages: usize,
    pub loads: Vec<Load>,
    pub handling: Vec<Handling>,
    /// The site's load while the second handling phase ran.
    pub during: Load,
    /// Handling p50 and p99 under load over idle.
    pub p50_ratio: f64,
    pub p99_ratio: f64,
}

type Client = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Empty<Bytes>,
>;

/// `clients` tasks GET `urls(i)` for i = 0, 1, … until `until` says stop or
/// `urls` returns `None`.
async fn load(
    client: &Client,
    base: &str,
    name: &str,
    clients: usize,
    until: impl Fn() -> bool + Send + Sync + 'static,
    urls: impl Fn(usize) -> Option<String> + Send + Sync + 'static,
) -> Load {
    let next = Arc::new(AtomicUsize::new(0));
    let (until, urls) = (Arc::new(until), Arc::new(urls));
    let began = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..clients.max(1) {
        let (client, base, next, until, urls) = (
            client.clone(),
            base.to_owned(),
            next.clone(),
            until.clone(),
            urls.clone(),
        );
        set.spawn(async move {
            let (mut times, mut errors) = (Vec::new(), 0usize);
            while !until() {
                let Some(path) = urls(next.fetch_add(1, Ordering::Relaxed)) else {
                    break;
                };
                let Ok(uri) = format!("{base}{path}").parse::<hyper::Uri>() else {
                    errors += 1;
                    continue;
                };
                let t = Instant::now();
                let ok = match tokio::time::timeout(Duration::from_secs(30), client.get(uri)).await
                {
                    Ok(Ok(r)) => {
                        let status = r.status();
                        r.into_body().collect().await.is_ok() && status == 200
                    }
                    _ => false,
                };
                times.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                if !ok {
                    errors += 1;
                }
            }
            (times, errors)
        });
    }
    let (mut times, mut errors) = (Vec::new(), 0);
    while let Some(Ok((t, e))) = set.join_next().await {
        times.extend(t);
        errors += e;
    }
    let wall = began.elapsed().as_secs_f64();
    times.sort_unstable();
    let at = |q: f64| {
        times
            .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Load {
        name: name.to_owned(),
        requests: times.len(),
        errors,
        wall_seconds: wall,
        per_second: times.len() as f64 / wall.max(1e-9),
        p50_us: at(0.5),
        p99_us: at(0.99),
        max_us: times.last().copied().unwrap_or(0),
    }
}

/// The members take turns at `/queue` + `/leave`, one interaction at a time.
async fn handling(
    sim: &Arc<Simulator>,
    running: &Running,
    users: &[u64],
    rounds: usize,
    name: &'static str,
) -> Handling {
    running.handling.clear();
    let mut h = Handling {
        name,
        ..Handling::default()
    };
    for (i, &user) in users.iter().enumerate() {
        for step in steps("queue, one at a time", i, rounds) {
            h.interactions += 1;
            match ask(sim, user, &step).await {
                Answer::Ok => {}
                Answer::Refused(_) => h.refused += 1,
                Answer::Unanswered => h.unanswered += 1,
            }
        }
    }
    let p = running.handling.percentiles(Instant::now());
    (h.p50_us, h.p99_us, h.max_us) = (p.p50_us, p.p99_us, p.max_us);
    h
}

pub async fn run(opts: &WebOptions) -> Result<WebReport, BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::io("creating a temporary directory"))?;
    let sim = Arc::new(Simulator::start(SimConfig::default()).await?);
    let text = format!(
        "{}\n[web]\nlisten = \"127.0.0.1:0\"\n",
        super::startup::child_config(&sim, dir.path(), 1, opts.synchronous)
    );
    let config = crate::config::Config::from_toml(&dir.path().join("ladderd.toml"), &text)
        .map_err(|e| BenchError::Config(e.to_string()))?;
    dataset::generate_for(&config, opts.size, opts.seed).await?;
    let env = Environment {
        seed: Some(opts.seed),
        tick_every: Duration::from_secs(3600),
        discord: Some(sim.discord_runtime()),
        ..Environment::default()
    };
    let shutdown = tokio_util::sync::CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(supervisor::run(config, env, shutdown.clone(), move |r| {
        let _ = tx.send(r);
    }));
    let running = match tokio::time::timeout(Duration::from_secs(180), rx).await {
        Ok(Ok(r)) => r,
        _ => {
            shutdown.cancel();
            return Err(BenchError::Failed("the supervisor did not start".into()));
        }
    };
    let addr = running
        .web_addr
        .ok_or_else(|| BenchError::Failed("the web site did not start".into()))?;
    let base = format!("http://{addr}");
    let client: Client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_max_idle_per_host(opts.clients.max(1))
            .build_http();

    // The members sign up (not measured).
    let users: Vec<u64> = (0..opts.users.max(1))
        .map(|i| sim.add_user(&format!("web{i:04}")))
        .collect();
    let mut set = tokio::task::JoinSet::new();
    for (i, &user) in users.iter().enumerate() {
        let sim = sim.clone();
        set.spawn(async move {
            for step in steps("sign-up", i, 0) {
                let _ = ask(&sim, user, &step).await;
            }
        });
    }
    while set.join_next().await.is_some() {}

    let mut report = WebReport {
        loaded_players: running.loaded_players,
        loaded_matches: running.loaded_matches,
        clients: opts.clients,
        ..WebReport::default()
    };
    report
        .handling
        .push(handling(&sim, &running, &users, opts.rounds, "site idle").await);

    let first = load(
        &client,
        &base,
        "probe",
        1,
        || false,
        |i| (i == 0).then(|| "/api/leaderboard".to_owned()),
    )
    .await;
    if first.errors > 0 {
        return Err(BenchError::Failed("the site does not answer".into()));
    }
    let pages = {
        let uri: hyper::Uri = format!("{base}/api/leaderboard")
            .parse()
            .map_err(|e| BenchError::Failed(format!("{e}")))?;
        let body = client
            .get(uri)
            .await
            .map_err(|e| BenchError::Failed(e.to_string()))?
            .into_body()
            .collect()
            .await
            .map_err(|e| BenchError::Failed(e.to_string()))?
            .to_bytes();
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["pages"].as_u64())
            .unwrap_or(1) as usize
    };
    report.leaderboard_pages = pages;
    let players = running.loaded_players.max(1);
    let secs = Duration::from_secs(opts.seconds.max(1));
    let timed = move || {
        let end = Instant::now() + secs;
        move || Instant::now() >= end
    };
    let c = opts.clients;
    report.loads.push(
        load(
            &client,
            &base,
            "leaderboard page, cached",
            c,
            timed(),
            |_| Some("/leaderboard".to_owned()),
        )
        .await,
    );
    report.loads.push(
        load(&client, &base, "JSON API, cached", c, timed(), |_| {
            Some("/api/leaderboard".to_owned())
        })
        .await,
    );
    report.loads.push(
        load(
            &client,
            &base,
            "every leaderboard page, computed",
            c,
            timed(),
            move |i| (i < pages).then(|| format!("/leaderboard?page={}", i + 1)),
        )
        .await,
    );
    report.loads.push(
        load(
            &client,
            &base,
            "every JSON API page, computed",
            c,
            timed(),
            move |i| (i < pages).then(|| format!("/api/leaderboard?page={}", i + 1)),
        )
        .await,
    );
    report.loads.push(
        load(
            &client,
            &base,
            "player pages with chart, computed",
            c,
            timed(),
            move |i| (i < players.min(2_000)).then(|| format!("/players/{}", i + 1)),
        )
        .await,
    );

    // Phase 3: the same handling while the site is hammered.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let background = {
        let (client, base, stop) = (client.clone(), base.clone(), stop.clone());
        tokio::spawn(async move {
            load(
                &client,
                &base,
                "mixed pages during handling",
                c,
                move || stop.load(Ordering::Relaxed),
                move |i| {
                    Some(match i % 3 {
                        0 => format!("/leaderboard?page={}", i / 3 % pages + 1),
                        1 => format!("/api/leaderboard?page={}", i / 3 % pages + 1),
                        _ => format!("/players/{}", i / 3 % players + 1),
                    })
                },
            )
            .await
        })
    };
    let loaded = handling(&sim, &running, &users, opts.rounds, "site under load").await;
    stop.store(true, Ordering::Relaxed);
    report.during = background
        .await
        .map_err(|e| BenchError::Failed(format!("the load task failed: {e}")))?;
    let idle = &report.handling[0];
    report.p50_ratio = f64::from(loaded.p50_us) / f64::from(idle.p50_us.max(1));
    report.p99_ratio = f64::from(loaded.p99_us) / f64::from(idle.p99_us.max(1));
    report.handling.push(loaded);

    drop(running);
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(60), task).await;
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
    match stopped {
        Ok(Ok(Ok(()))) => Ok(report),
        other => Err(BenchError::Failed(format!(
            "the supervisor did not stop cleanly: {other:?}"
        ))),
    }
}

impl WebReport {
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let ms = |us: u32| f64::from(us) / 1e3;
        let mut t = format!(
            "ladderd bench web: {} players and {} matches loaded, {} leaderboard pages, {} HTTP clients\n\n",
            self.loaded_players, self.loaded_matches, self.leaderboard_pages, self.clients
        );
        let _ = writeln!(
            t,
            "| load | requests | errors | wall s | requests/s | p50 | p99 | max |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---:|---:|");
        for l in self.loads.iter().chain(std::iter::once(&self.during)) {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {:.1} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms |",
                l.name,
                l.requests,
                l.errors,
                l.wall_seconds,
                l.per_second,
                ms(l.p50_us),
                ms(l.p99_us),
                ms(l.max_us)
            );
        }
        let _ = writeln!(
            t,
            "\n| interaction handling (`/queue` + `/leave`, one at a time) | interactions | refused | unanswered | p50 | p99 | max |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---:|");
        for h in &self.handling {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {:.2} ms | {:.2} ms | {:.2} ms |",
                h.name,
                h.interactions,
                h.refused,
                h.unanswered,
                ms(h.p50_us),
                ms(h.p99_us),
                ms(h.max_us)
            );
        }
        let _ = writeln!(
            t,
            "\nunder load / idle: p50 × {:.2}, p99 × {:.2}",
            self.p50_ratio, self.p99_ratio
        );
        t
    }
}
