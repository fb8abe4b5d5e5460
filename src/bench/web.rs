//! `ladderd bench web`: the web site under load with a big ladder
//! (issue #16), and whether that load moves the supervisor's handling of
//! Discord interactions.
//!
//! A history ([`super::dataset`]) is loaded by a supervisor in this process
//! with `[web] listen` on loopback, against the simulator. The HTTP load
//! comes from **another process** (`ladderd bench web-load`, [`generate`]),
//! standing in for readers on other machines: in this process its client
//! work would share the runtime with the supervisor and count against the
//! site. It runs at idle CPU priority by default (`--generator idle`; on a
//! real host the readers take no CPU from ladderd at all), `normal` to see
//! what a generator competing on equal terms costs. Then, in order:
//! 1. **site loads**, `--clients` keep-alive HTTP clients each, for
//!    `--seconds` or one pass over distinct URLs: the leaderboard page and
//!    the JSON API answered from the site's cache (nothing changed), then
//!    every leaderboard page, every API page and player pages each computed
//!    once (distinct URLs, nothing cached): requests/s, p50, p99;
//! 2. `--repeats` pairs of **handling, site idle** and **handling, site
//!    under load**: `--users` members take turns at `/queue race:T` +
//!    `/leave` (`--rounds` each), one interaction at a time, measured by
//!    ladderd's own handling time (`Running::handling`); under load the
//!    clients cycle through leaderboard, API and player pages — each commit
//!    of a `/queue` changes the ladder, so the site recomputes what it
//!    serves. Reported: each pair's p99 ratio and the ratio of the medians.

use std::io::{BufRead as _, Read as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};

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
    pub repeats: usize,
    pub synchronous: &'static str,
    /// This binary: the load generator runs as `EXE bench web-load`.
    pub exe: PathBuf,
    pub generator: Priority,
}

/// The load generator's CPU priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// `SCHED_IDLE`, as the site's own threads: readers elsewhere.
    #[default]
    Idle,
    /// Competing with the supervisor on equal terms.
    Normal,
}

/// One load on the site.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    pub name: String,
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
    pub generator: Priority,
    pub leaderboard_pages: usize,
    pub loads: Vec<Load>,
    /// Idle and loaded phases, alternating.
    pub handling: Vec<Handling>,
    /// The site's load during each loaded phase.
    pub during: Vec<Load>,
    /// Each pair's loaded p99 over its idle p99.
    pub p99_pair_ratios: Vec<f64>,
    /// Median handling p50 and p99 under load over the idle medians.
    pub p50_ratio: f64,
    pub p99_ratio: f64,
}

type Client = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Empty<Bytes>,
>;

/// Which URLs a load requests, by request number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Urls {
    /// The same path every time (answered from the cache).
    Fixed { path: String },
    /// `{prefix}?page=1` … `?page=count`, once each.
    Pages { prefix: String, count: usize },
    /// `/players/1` … `/players/count`, once each.
    Players { count: usize },
    /// Leaderboard, API and player pages in turn, without end.
    Mixed { pages: usize, players: usize },
}

impl Urls {
    fn at(&self, i: usize) -> Option<String> {
        match self {
            Urls::Fixed { path } => Some(path.clone()),
            Urls::Pages { prefix, count } => {
                (i < *count).then(|| format!("{prefix}?page={}", i + 1))
            }
            Urls::Players { count } => (i < *count).then(|| format!("/players/{}", i + 1)),
            Urls::Mixed { pages, players } => {
                let (pages, players) = ((*pages).max(1), (*players).max(1));
                Some(match i % 3 {
                    0 => format!("/leaderboard?page={}", i / 3 % pages + 1),
                    1 => format!("/api/leaderboard?page={}", i / 3 % pages + 1),
                    _ => format!("/players/{}", i / 3 % players + 1),
                })
            }
        }
    }
}

/// What a load generator process is asked: one JSON line on its stdin. It
/// stops when `seconds` have passed, the URLs run out, or its stdin closes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadSpec {
    pub base: String,
    pub name: String,
    pub clients: usize,
    pub seconds: Option<u64>,
    pub urls: Urls,
    pub priority: Priority,
}

/// The spec line's bound (it is a few hundred bytes).
const MAX_SPEC: u64 = 16 * 1024;
/// What the generator prints once its clients are running.
const STARTED: &str = "started";

/// `ladderd bench web-load`: reads a [`LoadSpec`] line from stdin, prints
/// [`STARTED`], runs the load and returns it (printed as JSON by the CLI).
pub fn generate() -> Result<Load, BenchError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_SPEC)
        .read_line(&mut line)
        .map_err(BenchError::io("reading the load spec from stdin"))?;
    let spec: LoadSpec = serde_json::from_str(&line)
        .map_err(|e| BenchError::Failed(format!("the load spec on stdin: {e}")))?;
    if !(1..=1024).contains(&spec.clients) || spec.seconds.is_some_and(|s| s > 3600) {
        return Err(BenchError::Failed(
            "the load spec: clients 1..=1024, seconds ≤ 3600".into(),
        ));
    }
    let idle = spec.priority == Priority::Idle;
    let lower = move || {
        if idle && let Err(e) = crate::web::lower_priority() {
            eprintln!("web-load: SCHED_IDLE refused: {e}");
        }
    };
    lower();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(lower)
        .build()
        .map_err(BenchError::io("starting the generator's runtime"))?;
    let closed = Arc::new(AtomicBool::new(false));
    {
        let closed = closed.clone();
        std::thread::spawn(move || {
            let mut sink = [0u8; 256];
            while let Ok(n) = std::io::Read::read(&mut std::io::stdin(), &mut sink) {
                if n == 0 {
                    break;
                }
            }
            closed.store(true, Ordering::Relaxed);
        });
    }
    runtime.block_on(async move {
        let client: Client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_max_idle_per_host(spec.clients)
                .build_http();
        let end = spec
            .seconds
            .map(|s| Instant::now() + Duration::from_secs(s));
        println!("{STARTED}");
        let urls = spec.urls.clone();
        Ok(load(
            &client,
            &spec.base,
            &spec.name,
            spec.clients,
            move || closed.load(Ordering::Relaxed) || end.is_some_and(|e| Instant::now() >= e),
            move |i| urls.at(i),
        )
        .await)
    })
}

/// A load generator process, running.
struct Generator {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::BufReader<tokio::process::ChildStdout>,
    spec: LoadSpec,
}

impl Generator {
    /// Starts `exe bench web-load` on `spec` and waits (bounded) until its
    /// clients run.
    async fn start(exe: &std::path::Path, spec: LoadSpec) -> Result<Generator, BenchError> {
        let mut child = tokio::process::Command::new(exe)
            .args(["bench", "web-load"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(BenchError::io("starting the load generator"))?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(BenchError::Failed("the load generator has no pipes".into()));
        };
        let line = serde_json::to_string(&spec)
            .map_err(|e| BenchError::Failed(format!("the load spec: {e}")))?;
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .map_err(BenchError::io("writing the load spec"))?;
        let mut stdout = tokio::io::BufReader::new(stdout);
        let mut first = String::new();
        match tokio::time::timeout(Duration::from_secs(30), stdout.read_line(&mut first)).await {
            Ok(Ok(_)) if first.trim() == STARTED => {}
            other => {
                return Err(BenchError::Failed(format!(
                    "the load generator did not start: {other:?} {first:?}"
                )));
            }
        }
        Ok(Generator {
            child,
            stdin,
            stdout,
            spec,
        })
    }

    /// Waits for the load's end (`stop`: closes its stdin first) and reads
    /// what it measured; bounded, the child is killed past the bound.
    async fn finish(mut self, stop: bool) -> Result<Load, BenchError> {
        let stdin = if stop {
            drop(self.stdin);
            None
        } else {
            Some(self.stdin)
        };
        let bound = Duration::from_secs(self.spec.seconds.unwrap_or(0) + 60);
        let mut out = String::new();
        let read = tokio::time::timeout(bound, async {
            self.stdout.read_to_string(&mut out).await?;
            self.child.wait().await
        })
        .await;
        drop(stdin);
        match read {
            Ok(Ok(status)) if status.success() => serde_json::from_str(out.trim()).map_err(|e| {
                BenchError::Failed(format!("the load generator's report: {e}: {out}"))
            }),
            other => {
                let _ = self.child.kill().await;
                Err(BenchError::Failed(format!(
                    "the load generator {:?} failed: {other:?}",
                    self.spec.name
                )))
            }
        }
    }
}

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
    name: String,
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
        generator: opts.generator,
        ..WebReport::default()
    };
    // How many leaderboard pages there are (and that the site answers).
    let pages = {
        let uri: hyper::Uri = format!("{base}/api/leaderboard")
            .parse()
            .map_err(|e| BenchError::Failed(format!("{e}")))?;
        let answer = client
            .get(uri)
            .await
            .map_err(|e| BenchError::Failed(format!("the site does not answer: {e}")))?;
        if answer.status() != 200 {
            return Err(BenchError::Failed(format!(
                "the site answers {}",
                answer.status()
            )));
        }
        let body = answer
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
    let spec = |name: &str, urls: Urls, seconds: Option<u64>| LoadSpec {
        base: base.clone(),
        name: name.to_owned(),
        clients: opts.clients.max(1),
        seconds,
        urls,
        priority: opts.generator,
    };
    let timed = Some(opts.seconds.max(1));
    for (name, urls) in [
        (
            "leaderboard page, cached",
            Urls::Fixed {
                path: "/leaderboard".into(),
            },
        ),
        (
            "JSON API, cached",
            Urls::Fixed {
                path: "/api/leaderboard".into(),
            },
        ),
        (
            "every leaderboard page, computed",
            Urls::Pages {
                prefix: "/leaderboard".into(),
                count: pages,
            },
        ),
        (
            "every JSON API page, computed",
            Urls::Pages {
                prefix: "/api/leaderboard".into(),
                count: pages,
            },
        ),
        (
            "player pages with chart, computed",
            Urls::Players {
                count: players.min(2_000),
            },
        ),
    ] {
        let generator = Generator::start(&opts.exe, spec(name, urls, timed)).await?;
        report.loads.push(generator.finish(false).await?);
    }

    // Pairs of handling phases: the site idle, then hammered.
    let (mut idle, mut loaded) = (Vec::new(), Vec::new());
    for r in 1..=opts.repeats.max(1) {
        let quiet = handling(
            &sim,
            &running,
            &users,
            opts.rounds,
            format!("site idle, {r}"),
        )
        .await;
        let generator = Generator::start(
            &opts.exe,
            spec(
                &format!("mixed pages during handling, {r}"),
                Urls::Mixed { pages, players },
                None,
            ),
        )
        .await?;
        let busy = handling(
            &sim,
            &running,
            &users,
            opts.rounds,
            format!("site under load, {r}"),
        )
        .await;
        report.during.push(generator.finish(true).await?);
        report
            .p99_pair_ratios
            .push(f64::from(busy.p99_us) / f64::from(quiet.p99_us.max(1)));
        idle.push((quiet.p50_us, quiet.p99_us));
        loaded.push((busy.p50_us, busy.p99_us));
        report.handling.extend([quiet, busy]);
    }
    let median = |v: &mut Vec<u32>| {
        v.sort_unstable();
        f64::from(v.get(v.len() / 2).copied().unwrap_or(0).max(1))
    };
    let (mut i50, mut i99): (Vec<u32>, Vec<u32>) = idle.into_iter().unzip();
    let (mut l50, mut l99): (Vec<u32>, Vec<u32>) = loaded.into_iter().unzip();
    report.p50_ratio = median(&mut l50) / median(&mut i50);
    report.p99_ratio = median(&mut l99) / median(&mut i99);

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
        for l in self.loads.iter().chain(&self.during) {
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
        let pairs: Vec<String> = self
            .p99_pair_ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect();
        let _ = writeln!(
            t,
            "\nunder load / idle, medians of {} pairs: p50 × {:.2}, p99 × {:.2} (each pair's p99: × {}); load generator at {:?} priority",
            self.p99_pair_ratios.len(),
            self.p50_ratio,
            self.p99_ratio,
            pairs.join(", "),
            self.generator
        );
        t
    }
}
