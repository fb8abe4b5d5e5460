//! The supervisor's side of replay parsing: N `ladderd worker` processes, one
//! Unix socket each, a bounded job queue, deadlines, respawns.
//!
//! One tokio task per worker slot owns that slot's listener, process and
//! connection, and takes jobs from the shared queue when its worker is
//! healthy. A job past its deadline, or whose worker dies, costs that worker a
//! SIGKILL and a respawn; the job is retried once on whichever slot is free
//! next, then answered [`ReplayError::Unsafe`]. The supervisor itself never parses.
//!
//! A bad file costs the pool nothing beyond its own attempts: the sha256 of
//! bytes that killed a worker is remembered ([`HOSTILE_MEMORY`] most recent),
//! so the same bytes are answered `Unsafe` at once, without a retry or a
//! worker — unless the retry was answered, which clears the file (its first
//! worker died of something else); and a respawn after a job killed its worker is immediate, so the
//! restart backoff (for workers that do not start, or die while idle) never
//! delays other players' uploads.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use interprocess::local_socket::{
    GenericFilePath, ListenerOptions, tokio::Listener, tokio::Stream, tokio::prelude::*,
};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::ipc::{
    self, FrameError, PROTOCOL_VERSION, Reply, Request, SupervisorHello, WorkerHello,
    tokio_io::{read_frame, write_frame},
};
use super::{ParseLevel, ReplayError, ReplaySummary, Sha256};

/// How many hashes of worker-killing files the pool remembers.
pub const HOSTILE_MEMORY: usize = 256;

/// The most recent files that killed a worker, oldest first.
#[derive(Default)]
struct Hostile(std::sync::Mutex<std::collections::VecDeque<Sha256>>);

impl Hostile {
    fn contains(&self, hash: &Sha256) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(hash)
    }

    /// Remembers `hash`; returns whether it was already known.
    fn remember(&self, hash: Sha256) -> bool {
        let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if q.contains(&hash) {
            return true;
        }
        if q.len() >= HOSTILE_MEMORY {
            q.pop_front();
        }
        q.push_back(hash);
        false
    }

    /// Forgets `hash`: a retry of it was answered, so its first worker died
    /// of something else (an operator, the OOM killer).
    fn forget(&self, hash: &Sha256) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|h| h != hash);
    }
}

/// How the pool runs; `config::ReplayConfig::pool_options` builds one from the config.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub workers: usize,
    /// Where the per-worker sockets live (systemd's `RuntimeDirectory`).
    pub runtime_dir: PathBuf,
    /// The binary run as `EXE worker --socket PATH`; in production ladderd's
    /// own path as `/proc/self/exe` resolves it (`cli::worker_exe`).
    pub worker_exe: PathBuf,
    pub job_deadline: Duration,
    /// Jobs waiting beyond the ones being parsed; more are refused as busy.
    pub queue_bound: usize,
    pub max_frame_bytes: u32,
    /// Replays larger than this are refused before they reach a worker.
    pub max_upload_bytes: u64,
    pub rlimit_as_bytes: u64,
    pub rlimit_cpu_s: u64,
    pub handshake_timeout: Duration,
    /// An idle worker is pinged this often.
    pub ping_interval: Duration,
    /// A caller waits at most this long for an answer, queue time included
    /// (so jobs do not wait forever when no worker can start).
    pub max_wait: Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// Lets [`Pool::test_hang`] and [`Pool::test_abort`] reach the workers. Tests only.
    pub allow_test_requests: bool,
}

impl PoolOptions {
    pub fn new(workers: usize, runtime_dir: impl Into<PathBuf>) -> PoolOptions {
        PoolOptions {
            workers,
            runtime_dir: runtime_dir.into(),
            worker_exe: PathBuf::from("/proc/self/exe"),
            job_deadline: Duration::from_secs(5),
            queue_bound: 64,
            max_frame_bytes: ipc::DEFAULT_MAX_FRAME_BYTES,
            max_upload_bytes: super::DEFAULT_MAX_BYTES,
            rlimit_as_bytes: 1024 * 1024 * 1024,
            rlimit_cpu_s: 60,
            handshake_timeout: Duration::from_secs(5),
            ping_interval: Duration::from_secs(30),
            max_wait: Duration::from_secs(60),
            backoff_initial: Duration::from_millis(100),
            backoff_max: Duration::from_secs(30),
            allow_test_requests: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("cannot create the worker socket {path}: {source}")]
    Socket {
        path: String,
        source: std::io::Error,
    },
}

/// Why a worker could not start, or stopped serving. Logged, and its
/// `Display` becomes the reason of an `Unsafe` answer.
#[derive(Debug, thiserror::Error)]
pub enum WorkerFailure {
    #[error("cannot start {exe}: {source}")]
    Start {
        exe: String,
        #[source]
        source: std::io::Error,
    },
    #[error("accept: {0}")]
    Accept(#[source] std::io::Error),
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error(
        "worker pid {pid} speaks protocol {theirs}, the supervisor {PROTOCOL_VERSION}: refused"
    )]
    Protocol { pid: u32, theirs: u32 },
    #[error("no handshake before the timeout")]
    HandshakeTimeout,
    #[error("the worker exited before its hello: {0}")]
    ExitedEarly(String),
    /// The worker exited with [`crate::replay::worker::EXIT_SANDBOX`].
    #[error(
        "the worker could not sandbox itself (seccomp filter or rlimits refused; under \
         systemd the unit's SystemCallFilter= must allow the `seccomp` syscall)"
    )]
    Sandbox,
    #[error("no pong before the timeout")]
    PingTimeout,
    #[error("unexpected answer to ping: {0}")]
    UnexpectedPong(String),
    #[error("the worker exited")]
    Exited,
    #[error("malformed reply: {0}")]
    Malformed(#[source] FrameError),
    #[error("malformed reply: {0}")]
    MalformedSummary(#[source] ipc::WireValueError),
    #[error("a reply for another request")]
    WrongReply,
}

/// A snapshot of the pool's state, for metrics and the health report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub jobs: u64,
    pub jobs_ok: u64,
    pub jobs_failed: u64,
    pub retries: u64,
    pub restarts: u64,
    /// Workers that did not get through the handshake (backoff applies).
    pub spawn_failures: u64,
    pub protocol_errors: u64,
    pub healthy: usize,
    pub busy: usize,
    pub idle: usize,
    pub queued: usize,
}

struct Counters {
    jobs: AtomicU64,
    jobs_ok: AtomicU64,
    jobs_failed: AtomicU64,
    retries: AtomicU64,
    restarts: AtomicU64,
    spawn_failures: AtomicU64,
    protocol_errors: AtomicU64,
    healthy: AtomicUsize,
    busy: AtomicUsize,
    /// Why the last worker did not start, for the start-up ERROR.
    last_spawn_failure: std::sync::Mutex<Option<String>>,
    /// The process id of each slot's worker; 0 while it has none.
    pids: Vec<AtomicU32>,
    hostile: Hostile,
}

#[derive(Debug, Clone)]
enum Work {
    Parse {
        bytes: Arc<Vec<u8>>,
        full: bool,
        sha256: Sha256,
    },
    TestHang,
    TestAbort,
    TestGarbage,
}

struct Job {
    id: u64,
    work: Work,
    attempts: u32,
    reply: oneshot::Sender<Result<ReplaySummary, ReplayError>>,
}

pub struct Pool {
    queue: mpsc::Sender<Job>,
    queue_bound: usize,
    workers: usize,
    max_upload_bytes: u64,
    max_wait: Duration,
    counters: Arc<Counters>,
    next_job: AtomicU64,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

impl Pool {
    /// Creates the sockets and starts the slot tasks; workers come up in the
    /// background (see [`Pool::wait_healthy`]). Must run inside a tokio runtime.
    pub fn start(opts: PoolOptions) -> Result<Pool, PoolError> {
        let (queue, rx) = mpsc::channel(opts.queue_bound.max(1));
        let (retry_tx, retry_rx) = mpsc::unbounded_channel();
        let rx = Arc::new(Mutex::new((retry_rx, rx)));
        let counters = Arc::new(Counters {
            jobs: AtomicU64::new(0),
            jobs_ok: AtomicU64::new(0),
            jobs_failed: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            restarts: AtomicU64::new(0),
            spawn_failures: AtomicU64::new(0),
            protocol_errors: AtomicU64::new(0),
            healthy: AtomicUsize::new(0),
            busy: AtomicUsize::new(0),
            last_spawn_failure: std::sync::Mutex::new(None),
            pids: (0..opts.workers).map(|_| AtomicU32::new(0)).collect(),
            hostile: Hostile::default(),
        });
        let shutdown = CancellationToken::new();
        let opts = Arc::new(opts);
        let mut tasks = JoinSet::new();
        for slot in 0..opts.workers {
            let path = opts.runtime_dir.join(format!("worker-{slot}.sock"));
            let socket_err = |source| PoolError::Socket {
                path: path.display().to_string(),
                source,
            };
            let name = path
                .clone()
                .to_fs_name::<GenericFilePath>()
                .map_err(socket_err)?;
            let listener = ListenerOptions::new()
                .name(name)
                .try_overwrite(true)
                .create_tokio()
                .map_err(socket_err)?;
            let slot = Slot {
                index: slot,
                path,
                listener,
                opts: opts.clone(),
                counters: counters.clone(),
                rx: rx.clone(),
                retry: retry_tx.clone(),
                shutdown: shutdown.clone(),
            };
            tasks.spawn(slot.run());
        }
        Ok(Pool {
            queue,
            queue_bound: opts.queue_bound.max(1),
            workers: opts.workers,
            max_upload_bytes: opts.max_upload_bytes,
            max_wait: opts.max_wait,
            counters,
            next_job: AtomicU64::new(1),
            shutdown,
            tasks,
        })
    }

    /// Parses a replay in a worker. A full queue answers at once with a
    /// "busy" error rather than waiting.
    pub async fn parse(
        &self,
        bytes: Vec<u8>,
        level: ParseLevel,
    ) -> Result<ReplaySummary, ReplayError> {
        if bytes.len() as u64 > self.max_upload_bytes {
            return Err(ReplayError::TooLarge {
                bytes: bytes.len() as u64,
                limit: self.max_upload_bytes,
            });
        }
        let sha256 = Sha256::digest(&bytes);
        if self.counters.hostile.contains(&sha256) {
            self.counters.jobs.fetch_add(1, Ordering::Relaxed);
            self.counters.jobs_failed.fetch_add(1, Ordering::Relaxed);
            return Err(ReplayError::Unsafe(
                "the same file stopped a replay checker before".into(),
            ));
        }
        self.submit(Work::Parse {
            bytes: Arc::new(bytes),
            full: level == ParseLevel::Full,
            sha256,
        })
        .await
    }

    /// Test only: a request that makes a worker hang until its deadline kills it.
    pub async fn test_hang(&self) -> Result<ReplaySummary, ReplayError> {
        self.submit(Work::TestHang).await
    }

    /// Test only: a request that makes a worker abort mid-job.
    pub async fn test_abort(&self) -> Result<ReplaySummary, ReplayError> {
        self.submit(Work::TestAbort).await
    }

    /// Test only: a request whose answer is a malformed frame.
    pub async fn test_garbage(&self) -> Result<ReplaySummary, ReplayError> {
        self.submit(Work::TestGarbage).await
    }

    async fn submit(&self, work: Work) -> Result<ReplaySummary, ReplayError> {
        let (reply, rx) = oneshot::channel();
        let job = Job {
            id: self.next_job.fetch_add(1, Ordering::Relaxed),
            work,
            attempts: 0,
            reply,
        };
        self.counters.jobs.fetch_add(1, Ordering::Relaxed);
        if self.queue.try_send(job).is_err() {
            self.counters.jobs_failed.fetch_add(1, Ordering::Relaxed);
            return Err(ReplayError::Unavailable(
                "the replay checker is busy, try again in a minute".into(),
            ));
        }
        let res = match tokio::time::timeout(self.max_wait, rx).await {
            Ok(Ok(res)) => res,
            Ok(Err(_)) => Err(ReplayError::Unavailable(
                "the replay checker is shutting down".into(),
            )),
            Err(_) => Err(ReplayError::Unavailable(
                "the replay checker is not answering, try again in a minute".into(),
            )),
        };
        let counter = if res.is_ok() {
            &self.counters.jobs_ok
        } else {
            &self.counters.jobs_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
        res
    }

    pub fn stats(&self) -> PoolStats {
        let c = &self.counters;
        let healthy = c.healthy.load(Ordering::Relaxed);
        let busy = c.busy.load(Ordering::Relaxed);
        PoolStats {
            jobs: c.jobs.load(Ordering::Relaxed),
            jobs_ok: c.jobs_ok.load(Ordering::Relaxed),
            jobs_failed: c.jobs_failed.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            restarts: c.restarts.load(Ordering::Relaxed),
            spawn_failures: c.spawn_failures.load(Ordering::Relaxed),
            protocol_errors: c.protocol_errors.load(Ordering::Relaxed),
            healthy,
            busy,
            idle: healthy.saturating_sub(busy),
            queued: self.queue_bound - self.queue.capacity(),
        }
    }

    /// `PoolOptions::workers`: how many workers the pool keeps.
    pub fn configured(&self) -> usize {
        self.workers
    }

    /// Why the last worker that failed to start did not.
    pub fn last_spawn_failure(&self) -> Option<String> {
        self.counters
            .last_spawn_failure
            .lock()
            .ok()
            .and_then(|g| g.clone())
    }

    /// The process ids of the current workers (for operators and tests).
    pub fn worker_pids(&self) -> Vec<u32> {
        self.counters
            .pids
            .iter()
            .map(|p| p.load(Ordering::Relaxed))
            .filter(|&p| p != 0)
            .collect()
    }

    /// Waits until `n` workers are healthy, or `timeout` passes; returns whether they are.
    pub async fn wait_healthy(&self, n: usize, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if self.counters.healthy.load(Ordering::Relaxed) >= n {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.counters.healthy.load(Ordering::Relaxed) >= n
    }

    /// Stops every worker (closing its socket, then SIGKILL) and waits for the slots.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

type Queues = (mpsc::UnboundedReceiver<Job>, mpsc::Receiver<Job>);

struct Slot {
    index: usize,
    path: PathBuf,
    listener: Listener,
    opts: Arc<PoolOptions>,
    counters: Arc<Counters>,
    rx: Arc<Mutex<Queues>>,
    retry: mpsc::UnboundedSender<Job>,
    shutdown: CancellationToken,
}

struct Worker {
    child: Child,
    conn: Stream,
}

/// The wait before respawning a worker after `failures` consecutive failures.
/// The first respawn is immediate: one hostile replay should not slow the
/// pool down. A worker that keeps dying backs off exponentially, up to `max`.
pub fn backoff_delay(failures: u32, initial: Duration, max: Duration) -> Duration {
    if failures <= 1 {
        return Duration::ZERO;
    }
    initial
        .saturating_mul(1u32 << (failures - 2).min(16))
        .min(max)
}

enum Idle {
    Job(Option<Job>),
    Ping,
    Died(std::io::Result<std::process::ExitStatus>),
}

/// Why a job did not get an answer from its worker.
enum JobFailure {
    Deadline,
    Died(WorkerFailure),
}

impl Slot {
    async fn run(self) {
        let mut consecutive_failures: u32 = 0;
        let mut worker: Option<Worker> = None;
        loop {
            if self.shutdown.is_cancelled() {
                break;
            }
            let Some(w) = worker.as_mut() else {
                if consecutive_failures > 0 {
                    let delay = self.backoff(consecutive_failures);
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.shutdown.cancelled() => break,
                    }
                }
                match self.spawn().await {
                    Ok(w) => {
                        self.counters.healthy.fetch_add(1, Ordering::Relaxed);
                        self.counters.pids[self.index]
                            .store(w.child.id().unwrap_or(0), Ordering::Relaxed);
                        worker = Some(w);
                    }
                    Err(e) => {
                        consecutive_failures += 1;
                        tracing::warn!(slot = self.index, "replay worker did not start: {e}");
                        if let Ok(mut last) = self.counters.last_spawn_failure.lock() {
                            *last = Some(e.to_string());
                        }
                    }
                }
                continue;
            };
            // While idle, notice a worker that died (OOM killer, an operator)
            // at once, and ping it now and then so `healthy` stays true.
            let idle = tokio::select! {
                job = self.next_job() => Idle::Job(job),
                _ = self.shutdown.cancelled() => Idle::Job(None),
                status = w.child.wait() => Idle::Died(status),
                _ = tokio::time::sleep(self.opts.ping_interval) => Idle::Ping,
            };
            let job = match idle {
                Idle::Job(job) => job,
                Idle::Ping => {
                    if let Err(why) = self.ping(w).await {
                        tracing::warn!(
                            slot = self.index,
                            "idle replay worker failed a ping: {why}"
                        );
                        if let Some(w) = worker.take() {
                            self.kill(w).await;
                        }
                        self.counters.restarts.fetch_add(1, Ordering::Relaxed);
                        consecutive_failures += 1;
                    }
                    continue;
                }
                Idle::Died(status) => {
                    tracing::warn!(slot = self.index, "idle replay worker exited: {status:?}");
                    if let Some(w) = worker.take() {
                        self.kill(w).await;
                    }
                    self.counters.restarts.fetch_add(1, Ordering::Relaxed);
                    consecutive_failures += 1;
                    continue;
                }
            };
            let Some(job) = job else { break };
            self.counters.busy.fetch_add(1, Ordering::Relaxed);
            let outcome = self.run_job(w, &job).await;
            self.counters.busy.fetch_sub(1, Ordering::Relaxed);
            match outcome {
                Ok(res) => {
                    consecutive_failures = 0;
                    if let (1, Work::Parse { sha256, .. }) = (job.attempts, &job.work) {
                        self.counters.hostile.forget(sha256);
                    }
                    let _ = job.reply.send(res);
                }
                Err(failure) => {
                    let reason = match failure {
                        JobFailure::Deadline => format!(
                            "the replay took longer than {} s to check",
                            self.opts.job_deadline.as_secs_f64()
                        ),
                        JobFailure::Died(why) => format!("the replay checker failed: {why}"),
                    };
                    tracing::warn!(
                        slot = self.index,
                        job = job.id,
                        "{reason}; restarting worker"
                    );
                    if let Some(w) = worker.take() {
                        self.kill(w).await;
                    }
                    // No backoff: the file, not the worker, is to blame, and
                    // other players' uploads must not wait for it.
                    self.counters.restarts.fetch_add(1, Ordering::Relaxed);
                    let known = match &job.work {
                        Work::Parse { sha256, .. } => self.counters.hostile.remember(*sha256),
                        _ => false,
                    };
                    if job.attempts == 0 && !known {
                        self.counters.retries.fetch_add(1, Ordering::Relaxed);
                        let retry = Job { attempts: 1, ..job };
                        if let Err(mpsc::error::SendError(job)) = self.retry.send(retry) {
                            let _ = job.reply.send(Err(ReplayError::Unavailable(reason)));
                        }
                    } else {
                        let _ = job
                            .reply
                            .send(Err(ReplayError::Unsafe(format!("{reason}, twice"))));
                    }
                }
            }
        }
        if let Some(w) = worker.take() {
            self.kill(w).await;
        }
        let _ = std::fs::remove_file(&self.path);
    }

    fn backoff(&self, failures: u32) -> Duration {
        backoff_delay(failures, self.opts.backoff_initial, self.opts.backoff_max)
    }

    async fn next_job(&self) -> Option<Job> {
        let mut q = self.rx.lock().await;
        let (retries, queue) = &mut *q;
        tokio::select! {
            biased;
            Some(job) = retries.recv() => Some(job),
            job = queue.recv() => job,
        }
    }

    async fn spawn(&self) -> Result<Worker, WorkerFailure> {
        // A worker parses hostile files: it gets an empty environment (no
        // bot token, no credentials directory, no notify socket) and no file
        // descriptor but stdin (/dev/null) and the journal's stdout/stderr;
        // everything else ladderd opens is close-on-exec, and the worker
        // connects to its socket itself. `tests/it/ops_worker.rs` reads both
        // from /proc.
        let mut child = Command::new(&self.opts.worker_exe)
            .env_clear()
            .arg("worker")
            .arg("--socket")
            .arg(&self.path)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| {
                self.counters.spawn_failures.fetch_add(1, Ordering::Relaxed);
                WorkerFailure::Start {
                    exe: self.opts.worker_exe.display().to_string(),
                    source,
                }
            })?;
        let handshake = async {
            let mut conn = self
                .listener
                .accept()
                .await
                .map_err(WorkerFailure::Accept)?;
            let hello = SupervisorHello {
                protocol: PROTOCOL_VERSION,
                max_frame_bytes: self.opts.max_frame_bytes,
                rlimit_as_bytes: self.opts.rlimit_as_bytes,
                rlimit_cpu_s: self.opts.rlimit_cpu_s,
                allow_test_requests: self.opts.allow_test_requests,
            };
            let frame = ipc::encode(&hello)?;
            write_frame(&mut conn, &frame).await?;
            let theirs: WorkerHello = ipc::decode(&read_frame(&mut conn, 4096).await?)?;
            if theirs.protocol != PROTOCOL_VERSION {
                return Err(WorkerFailure::Protocol {
                    pid: theirs.pid,
                    theirs: theirs.protocol,
                });
            }
            // A ping proves the worker's loop is up and its limits are applied.
            let ping = ipc::encode(&Request::Ping { nonce: 1 })?;
            write_frame(&mut conn, &ping).await?;
            match ipc::decode::<Reply>(&read_frame(&mut conn, 4096).await?) {
                Ok(Reply::Pong { nonce: 1 }) => Ok(conn),
                other => Err(WorkerFailure::UnexpectedPong(format!("{other:?}"))),
            }
        };
        // A worker that exits before its hello is noticed at once, not after the timeout.
        let outcome = tokio::select! {
            res = tokio::time::timeout(self.opts.handshake_timeout, handshake) => match res {
                Ok(res) => res,
                Err(_) => Err(WorkerFailure::HandshakeTimeout),
            },
            status = child.wait() => Err(WorkerFailure::ExitedEarly(format!("{status:?}"))),
        };
        match outcome {
            Ok(conn) => Ok(Worker { child, conn }),
            Err(e) => {
                self.counters.spawn_failures.fetch_add(1, Ordering::Relaxed);
                // A worker that refused to sandbox itself has usually exited
                // by now; its exit code names the cause better than the
                // broken pipe the handshake saw.
                let exited = tokio::time::timeout(Duration::from_millis(200), child.wait()).await;
                let _ = child.kill().await;
                match exited {
                    Ok(Ok(status))
                        if status.code() == Some(i32::from(super::worker::EXIT_SANDBOX)) =>
                    {
                        Err(WorkerFailure::Sandbox)
                    }
                    _ => Err(e),
                }
            }
        }
    }

    async fn ping(&self, w: &mut Worker) -> Result<(), WorkerFailure> {
        let exchange = async {
            let ping = ipc::encode(&Request::Ping { nonce: 2 })?;
            write_frame(&mut w.conn, &ping).await?;
            let reply = read_frame(&mut w.conn, 4096).await?;
            match ipc::decode::<Reply>(&reply) {
                Ok(Reply::Pong { nonce: 2 }) => Ok(()),
                other => Err(WorkerFailure::UnexpectedPong(format!("{other:?}"))),
            }
        };
        tokio::time::timeout(self.opts.handshake_timeout, exchange)
            .await
            .map_err(|_| WorkerFailure::PingTimeout)?
    }

    async fn kill(&self, mut w: Worker) {
        if let Some(pid) = w.child.id().and_then(|p| i32::try_from(p).ok()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = w.child.wait().await;
        self.counters.pids[self.index].store(0, Ordering::Relaxed);
        self.counters.healthy.fetch_sub(1, Ordering::Relaxed);
    }

    async fn run_job(
        &self,
        w: &mut Worker,
        job: &Job,
    ) -> Result<Result<ReplaySummary, ReplayError>, JobFailure> {
        let request = match &job.work {
            Work::Parse { bytes, full, .. } => Request::Parse {
                job: job.id,
                full: *full,
                bytes: bytes.to_vec(),
            },
            Work::TestHang => Request::TestHang { job: job.id },
            Work::TestAbort => Request::TestAbort { job: job.id },
            Work::TestGarbage => Request::TestGarbage { job: job.id },
        };
        let exchange = async {
            let frame = ipc::encode(&request).map_err(|e| JobFailure::Died(e.into()))?;
            if frame.len() > self.opts.max_frame_bytes as usize {
                return Ok(Err(ReplayError::TooLarge {
                    bytes: frame.len() as u64,
                    limit: u64::from(self.opts.max_frame_bytes),
                }));
            }
            write_frame(&mut w.conn, &frame)
                .await
                .map_err(|e| JobFailure::Died(e.into()))?;
            let payload = read_frame(&mut w.conn, self.opts.max_frame_bytes)
                .await
                .map_err(|e| match e {
                    FrameError::Eof => JobFailure::Died(WorkerFailure::Exited),
                    other => JobFailure::Died(other.into()),
                })?;
            let reply = ipc::decode::<Reply>(&payload).map_err(|e| {
                self.counters
                    .protocol_errors
                    .fetch_add(1, Ordering::Relaxed);
                JobFailure::Died(WorkerFailure::Malformed(e))
            })?;
            match reply {
                Reply::Parsed { job: id, summary } if id == job.id => {
                    ReplaySummary::try_from(*summary)
                        .map(Ok)
                        .map_err(|e| JobFailure::Died(WorkerFailure::MalformedSummary(e)))
                }
                Reply::Failed { job: id, error } if id == job.id => Ok(Err(error.into())),
                _ => {
                    self.counters
                        .protocol_errors
                        .fetch_add(1, Ordering::Relaxed);
                    Err(JobFailure::Died(WorkerFailure::WrongReply))
                }
            }
        };
        match tokio::time::timeout(self.opts.job_deadline, exchange).await {
            Ok(res) => res,
            Err(_) => Err(JobFailure::Deadline),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn respawn_backoff_is_immediate_then_exponential_and_capped() {
        let (i, m) = (Duration::from_millis(100), Duration::from_secs(30));
        let d: Vec<u128> = (0..=12)
            .map(|f| backoff_delay(f, i, m).as_millis())
            .collect();
        assert_eq!(
            d,
            [
                0, 0, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000
            ]
        );
        assert_eq!(backoff_delay(u32::MAX, i, m), m);
    }
}
