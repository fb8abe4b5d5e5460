//! `ladderd bench memory`: the supervisor's own start-up time and memory
//! with a big history in its database.
//!
//! The history is written through the real store ([`super::dataset`]); the
//! simulator runs in *this* process; the supervisor is a `ladderd run`
//! child (this very binary) pointed at the simulator, so its memory is its
//! own: RSS is read from `/proc/PID/status` of that PID alone, and its
//! replay workers (its children) are reported apart.
//!
//! Start-up is timed from the exec to the `READY=1` systemd notification
//! (which `ladderd run` sends once the gateway is READY and the commands
//! are registered), with each `STATUS=` phase timestamped on the way.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::BenchError;
use super::dataset::{self, Size};
use crate::sim::{SimConfig, Simulator};

#[derive(Debug, Clone)]
pub struct StartupOptions {
    pub size: Size,
    pub seed: u64,
    /// Replay workers the supervisor starts.
    pub workers: usize,
    /// How long after READY the resident set is read again (idle).
    pub settle: Duration,
    /// The `ladderd` binary to run as the supervisor.
    pub exe: PathBuf,
    /// `[store] synchronous`.
    pub synchronous: &'static str,
    /// Run the supervisor under this command (e.g. `heaptrack -o FILE`) for
    /// a heap profile; the memory figures are then the wrapper's, not to be
    /// recorded.
    pub wrapper: Option<String>,
}

/// Figures of one start; sizes in KiB as `/proc` gives them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StartupReport {
    pub players: usize,
    pub matches: usize,
    pub written: dataset::Written,
    pub generate_seconds: f64,
    /// exec → READY=1.
    pub ready_seconds: f64,
    /// Each STATUS= the supervisor sent, with seconds since the exec.
    pub phases: Vec<(f64, String)>,
    /// The supervisor's VmRSS right after READY, and `settle` later.
    pub rss_ready_kib: u64,
    pub rss_settled_kib: u64,
    /// Its peak resident set (VmHWM) so far: start-up's load included.
    pub peak_rss_kib: u64,
    /// RssAnon (heap and stacks) at the settled reading.
    pub anon_settled_kib: u64,
    /// Each replay worker's VmRSS at the settled reading.
    pub worker_rss_kib: Vec<u64>,
    pub threads: u64,
}

pub(super) fn status_field(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// The child processes of `pid` (its replay workers), from every thread's
/// `children` list: the pool spawns from tokio worker threads.
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for t in tasks.flatten() {
        if let Ok(s) = std::fs::read_to_string(t.path().join("children")) {
            out.extend(s.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The config of a `ladderd run` child against `sim`, state under `dir`.
pub fn child_config(sim: &Simulator, dir: &Path, workers: usize, synchronous: &str) -> String {
    let ids = sim.ids();
    format!(
        "[log]\nlevel = \"warn\"\n\
         [store]\npath = {:?}\nsynchronous = {synchronous:?}\n\
         [discord]\nguild_id = {}\nlobby_channel_id = {}\napi_proxy = \"{}\"\ngateway_url = \"{}\"\n\
         [ops]\nhealth_log_interval_s = 0\n\
         [replay]\nworkers = {workers}\nruntime_dir = {:?}\n",
        dir.join("ladder.db"),
        ids.guild,
        ids.lobby,
        sim.http_addr(),
        sim.gateway_url(),
        dir.join("run"),
    )
}

/// Writes the history, starts the supervisor on it and measures.
pub async fn run(opts: &StartupOptions) -> Result<StartupReport, BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::io("creating a temporary directory"))?;
    let sim = Simulator::start(SimConfig::default()).await?;
    let text = child_config(&sim, dir.path(), opts.workers, opts.synchronous);
    let config_path = dir.path().join("ladderd.toml");
    std::fs::write(&config_path, &text).map_err(BenchError::io("writing the config"))?;
    let config = crate::config::Config::from_toml(&config_path, &text)
        .map_err(|e| BenchError::Config(e.to_string()))?;

    let began = Instant::now();
    let written = dataset::generate_for(&config, opts.size, opts.seed).await?;
    let generate_seconds = began.elapsed().as_secs_f64();

    let Started {
        process: child,
        notify,
        exec,
        stderr: stderr_path,
    } = start(
        &opts.exe,
        opts.wrapper.as_deref(),
        dir.path(),
        &config_path,
        &sim.config().token,
        "",
    )?;
    let pid = child.id();
    let mut report = StartupReport {
        players: opts.size.players,
        matches: opts.size.matches,
        written,
        generate_seconds,
        ..StartupReport::default()
    };
    let outcome = wait_ready(&notify, exec, &mut report.phases, READY_BOUND).await;
    let result = match outcome {
        Ok(at) => {
            report.ready_seconds = at;
            report.rss_ready_kib = status_field(pid, "VmRSS").unwrap_or(0);
            tokio::time::sleep(opts.settle).await;
            report.rss_settled_kib = status_field(pid, "VmRSS").unwrap_or(0);
            report.anon_settled_kib = status_field(pid, "RssAnon").unwrap_or(0);
            report.peak_rss_kib = status_field(pid, "VmHWM").unwrap_or(0);
            report.threads = status_field(pid, "Threads").unwrap_or(0);
            report.worker_rss_kib = children(pid)
                .into_iter()
                .filter_map(|c| status_field(c, "VmRSS"))
                .collect();
            Ok(())
        }
        Err(why) => Err(BenchError::Failed(format!(
            "`ladderd run` {why}; its stderr: {}",
            tail(&stderr_path)
        ))),
    };
    let stopped = terminate(child, READY_BOUND).await;
    sim.shutdown().await;
    result?;
    match stopped {
        Some(status) if status.success() => Ok(report),
        other => Err(BenchError::Failed(format!(
            "`ladderd run` did not stop cleanly ({other:?}); its stderr: {}",
            tail(&stderr_path)
        ))),
    }
}

/// How long a `ladderd run` child may take to report READY.
pub(super) const READY_BOUND: Duration = Duration::from_secs(120);

/// A started `ladderd run` child: the process, the notify socket it
/// reports READY on, when it was started and where its stderr goes.
pub(super) struct Started {
    pub process: std::process::Child,
    pub notify: tokio::net::UnixDatagram,
    pub exec: Instant,
    pub stderr: PathBuf,
}

/// Binds a notify socket in `dir` and starts `ladderd run` on `config` (see
/// [`spawn_run`]); `tag` tells apart the files of several starts in `dir`.
pub(super) fn start(
    exe: &Path,
    wrapper: Option<&str>,
    dir: &Path,
    config: &Path,
    token: &str,
    tag: &str,
) -> Result<Started, BenchError> {
    let notify_path = dir.join(format!("notify{tag}.sock"));
    let notify = tokio::net::UnixDatagram::bind(&notify_path)
        .map_err(BenchError::io("binding the notify socket"))?;
    let stderr = dir.join(format!("stderr{tag}.log"));
    let exec = Instant::now();
    let process = spawn_run(exe, wrapper, config, &notify_path, token, &stderr)?;
    Ok(Started {
        process,
        notify,
        exec,
        stderr,
    })
}

/// Starts `ladderd run` (`exe`, under `wrapper` if set) on `config`, with
/// systemd's notify socket at `notify` and stderr to the file `stderr`.
fn spawn_run(
    exe: &Path,
    wrapper: Option<&str>,
    config: &Path,
    notify: &Path,
    token: &str,
    stderr: &Path,
) -> Result<std::process::Child, BenchError> {
    let stderr = std::fs::File::create(stderr).map_err(BenchError::io("stderr log"))?;
    let mut command = match wrapper.map(str::split_whitespace) {
        Some(mut words) => {
            let mut c = Command::new(words.next().unwrap_or("env"));
            c.args(words).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    crate::cli::run_child(&mut command, config, token, Some(notify))
        .stderr(stderr)
        .spawn()
        .map_err(BenchError::io("starting `ladderd run`"))
}

/// Seconds from `exec` to READY=1 on `notify` (at most `bound`), each
/// STATUS= on the way pushed to `phases`; else why not.
pub(super) async fn wait_ready(
    notify: &tokio::net::UnixDatagram,
    exec: Instant,
    phases: &mut Vec<(f64, String)>,
    bound: Duration,
) -> Result<f64, String> {
    let ready = async {
        let mut buf = vec![0u8; 4096];
        loop {
            let n = notify.recv(&mut buf).await?;
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            let at = exec.elapsed().as_secs_f64();
            for line in text.lines() {
                if let Some(s) = line.strip_prefix("STATUS=") {
                    phases.push((at, s.to_owned()));
                }
            }
            if text.contains("READY=1") {
                return Ok::<f64, std::io::Error>(at);
            }
        }
    };
    match tokio::time::timeout(bound, ready).await {
        Ok(Ok(at)) => Ok(at),
        Ok(Err(e)) => Err(format!("the notify socket failed: {e}")),
        Err(_) => Err(format!("did not report READY within {bound:?}")),
    }
}

/// SIGTERM to a `ladderd run` child, and its exit status; `None` if it
/// had not exited within `bound` (it is then SIGKILLed).
pub(super) async fn terminate(
    mut child: std::process::Child,
    bound: Duration,
) -> Option<std::process::ExitStatus> {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let until = Instant::now() + bound;
    while Instant::now() < until {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;
    None
}

/// The last lines of a log, for an error message.
pub(super) fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}
