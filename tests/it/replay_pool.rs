//! The worker pool with real `ladderd worker` processes: same answers as
//! in-process parsing, and it survives hangs, aborts and garbage.

use std::time::{Duration, Instant};

use ladderd::replay::{self, ParseLevel, Pool, PoolOptions, ReplayError};

use crate::replay::corpus;
use crate::support::ladderd_bin;
use crate::support::wait::{WAIT, eventually, eventually_blocking, try_eventually, within};
use crate::support::worker::{RawWorker, hello};

fn options(workers: usize, dir: &std::path::Path) -> PoolOptions {
    let mut o = PoolOptions::new(workers, dir);
    o.worker_exe = ladderd_bin();
    o.job_deadline = Duration::from_millis(1500);
    o.allow_test_requests = true;
    o
}

fn corpus_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "SC2Replay"))
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_through_the_pool_equals_in_process() {
    let Some(dir) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let pool = Pool::start(options(2, tmp.path())).unwrap();
    assert!(pool.wait_healthy(2, WAIT).await);
    let files = corpus_files(&dir);
    let pool = std::sync::Arc::new(pool);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, path) in files.iter().enumerate() {
        let bytes = std::fs::read(path).unwrap();
        let pool = pool.clone();
        tasks.spawn(async move { (i, pool.parse(bytes, ParseLevel::Verification).await) });
    }
    let mut results = vec![None; files.len()];
    while let Some(done) = tasks.join_next().await {
        let (i, res) = done.unwrap();
        results[i] = Some(res);
    }
    for (path, got) in files.iter().zip(results) {
        let want = replay::parse_file(path, ParseLevel::Verification, replay::DEFAULT_MAX_BYTES);
        assert_eq!(got, Some(want), "{}", path.display());
    }
    let stats = pool.stats();
    assert_eq!(stats.jobs_ok + stats.jobs_failed, files.len() as u64);
    assert_eq!(stats.restarts, 0, "{stats:?}");
    let Ok(pool) = std::sync::Arc::try_unwrap(pool) else {
        panic!("every task has finished")
    };
    pool.shutdown().await;
}

async fn assert_recovers(pool: &Pool, n: usize) {
    assert!(pool.wait_healthy(n, WAIT).await, "{:?}", pool.stats());
    // And it still parses.
    let Some(dir) = corpus() else { return };
    let bytes =
        std::fs::read(dir.join("5.0.15.95299-1v1-Terran-vs-Protoss-5daea193.SC2Replay")).unwrap();
    assert!(pool.parse(bytes, ParseLevel::Verification).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hang_abort_and_garbage_are_survived() {
    let tmp = tempfile::tempdir().unwrap();
    let pool = Pool::start(options(2, tmp.path())).unwrap();
    assert!(pool.wait_healthy(2, WAIT).await);

    // Deadline, kill, retry on another worker, deadline again: an answer, not a hang.
    let err = within("a hanging job to be given up", pool.test_hang())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReplayError::Unsafe(ref m) if m.contains("longer than")),
        "{err}"
    );
    assert_recovers(&pool, 2).await;

    let err = pool.test_abort().await.unwrap_err();
    assert!(
        matches!(err, ReplayError::Unsafe(ref m) if m.contains("twice")),
        "{err}"
    );
    assert_recovers(&pool, 2).await;

    let err = pool.test_garbage().await.unwrap_err();
    assert!(
        matches!(err, ReplayError::Unsafe(ref m) if m.contains("malformed")),
        "{err}"
    );
    assert_recovers(&pool, 2).await;

    let s = pool.stats();
    assert_eq!(s.restarts, 6, "each bad job costs two workers: {s:?}");
    assert_eq!(s.retries, 3, "{s:?}");
    assert!(s.protocol_errors >= 2, "{s:?}");
    assert_eq!((s.healthy, s.busy), (2, 0), "{s:?}");
    pool.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_says_busy() {
    let tmp = tempfile::tempdir().unwrap();
    let mut o = options(1, tmp.path());
    o.queue_bound = 1;
    let pool = Pool::start(o).unwrap();
    assert!(pool.wait_healthy(1, WAIT).await);
    // One hang occupies the worker, one waits in the queue, the third is refused.
    let wait_for = |what: fn(&ladderd::replay::PoolStats) -> bool| {
        let pool = &pool;
        async move {
            let ok = try_eventually(|| what(&pool.stats())).await;
            assert!(ok, "{:?}", pool.stats());
        }
    };
    let (a, b, c) = tokio::join!(
        pool.test_hang(),
        async {
            wait_for(|s| s.busy == 1).await;
            pool.test_hang().await
        },
        async {
            wait_for(|s| s.busy == 1 && s.queued == 1).await;
            pool.test_hang().await
        }
    );
    assert!(a.is_err() && b.is_err());
    assert!(
        matches!(c, Err(ReplayError::Unavailable(ref m)) if m.contains("busy")),
        "{c:?}"
    );
    pool.shutdown().await;
}

/// The worker alone: a malformed request frame gets a `Malformed` reply and
/// the worker keeps serving; an oversized one ends it cleanly.
#[test]
fn worker_survives_a_malformed_request() {
    use std::io::Write as _;

    use ladderd::replay::ipc::{self, Reply, Request, SupervisorHello};

    let mut worker = RawWorker::start();
    let theirs = worker.handshake(&SupervisorHello {
        rlimit_as_bytes: 512 * 1024 * 1024,
        rlimit_cpu_s: 10,
        ..hello()
    });
    assert_eq!(theirs.protocol, ipc::PROTOCOL_VERSION);

    // The limits are in force once the worker answers (a ping after the hello).
    let _: Reply = worker.ask(&Request::Ping { nonce: 1 });
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", theirs.pid)).unwrap();
    let line = |name: &str| {
        limits
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .split_whitespace()
            .skip(name.split_whitespace().count())
            .take(1)
            .collect::<String>()
    };
    assert_eq!(
        line("Max address space"),
        (512u64 << 20).to_string(),
        "{limits}"
    );
    let cpu: u64 = line("Max cpu time").parse().unwrap();
    assert!((10..=12).contains(&cpu), "{limits}");
    // And the seccomp filter (ops::sandbox): mode 2 is "filter".
    let status = std::fs::read_to_string(format!("/proc/{}/status", theirs.pid)).unwrap();
    assert!(status.lines().any(|l| l == "Seccomp:\t2"), "{status}");

    worker.send(&[0xde, 0xad, 0xbe, 0xef]);
    let reply: Reply = ipc::decode(&worker.receive()).unwrap();
    assert!(matches!(reply, Reply::Malformed { .. }), "{reply:?}");

    let reply = worker.ask(&Request::Ping { nonce: 9 });
    assert_eq!(reply, Reply::Pong { nonce: 9 });

    // Test requests are refused unless the hello allowed them.
    let reply = worker.ask(&Request::TestAbort { job: 1 });
    assert!(matches!(reply, Reply::Failed { job: 1, .. }), "{reply:?}");

    // Over max_frame_bytes: the worker refuses it before allocating and exits.
    worker.conn.write_all(&(1u32 << 30).to_le_bytes()).unwrap();
    let status = worker.exit();
    assert_eq!(status.code(), Some(1), "{status:?}");
}

#[test]
fn worker_exits_when_the_supervisor_closes_the_socket() {
    let mut worker = RawWorker::start();
    worker.handshake(&hello());
    worker.conn.shutdown(std::net::Shutdown::Both).unwrap();
    let status = worker.exit();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn worker_refuses_another_protocol_version() {
    use ladderd::replay::ipc::{self, SupervisorHello};

    let mut worker = RawWorker::start_with(|socket| {
        let mut c = std::process::Command::new(ladderd_bin());
        c.arg("worker")
            .arg("--socket")
            .arg(socket)
            .stderr(std::process::Stdio::piped());
        c
    });
    let theirs = worker.handshake(&SupervisorHello {
        protocol: ipc::PROTOCOL_VERSION + 1,
        ..hello()
    });
    assert_eq!(theirs.protocol, ipc::PROTOCOL_VERSION);
    let out = worker.output();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("protocol"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_worker_killed_from_outside_is_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let pool = Pool::start(options(2, tmp.path())).unwrap();
    assert!(pool.wait_healthy(2, WAIT).await);
    let victim = pool.worker_pids()[0];
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(victim as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    eventually("the killed worker to be replaced", || {
        pool.stats().restarts > 0
    })
    .await;
    assert_eq!(pool.stats().restarts, 1, "{:?}", pool.stats());
    assert_recovers(&pool, 2).await;
    assert!(!pool.worker_pids().contains(&victim));
    pool.shutdown().await;
}

/// A worker killed from outside while it parses (an operator, the OOM
/// killer) does not make the file hostile: the retry answers it, and the same
/// bytes uploaded again are parsed, not refused as "stopped a checker".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_whose_worker_was_killed_from_outside_is_not_refused_later() {
    let Some(dir) = corpus() else { return };
    let bytes =
        std::fs::read(dir.join("5.0.15.95299-1v1-Terran-vs-Protoss-5daea193.SC2Replay")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let pool = std::sync::Arc::new(Pool::start(options(1, tmp.path())).unwrap());
    // A kill lands on a parse only if it comes while the worker holds the
    // job; a kill that comes too early or late shows no retry: go again.
    let mut caught = false;
    for _ in 0..30 {
        assert!(pool.wait_healthy(1, WAIT).await, "{:?}", pool.stats());
        let (p, b) = (pool.clone(), bytes.clone());
        let job = tokio::spawn(async move { p.parse(b, ParseLevel::Full).await });
        let busy = try_eventually(|| pool.stats().busy > 0 || job.is_finished()).await;
        assert!(busy, "the job neither started nor finished");
        if let Some(&victim) = pool.worker_pids().first() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(victim as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let answer = within("the parse's answer", job).await.unwrap();
        assert!(
            answer.is_ok(),
            "answered by the retry or before the kill: {answer:?}"
        );
        if pool.stats().retries > 0 {
            caught = true;
            break;
        }
    }
    assert!(
        caught,
        "no kill landed on a parse in 30 tries: {:?}",
        pool.stats()
    );
    assert!(pool.wait_healthy(1, WAIT).await);
    let again = pool.parse(bytes, ParseLevel::Full).await;
    assert!(again.is_ok(), "the same file, uploaded again: {again:?}");
    let Ok(pool) = std::sync::Arc::try_unwrap(pool) else {
        panic!("every task has finished")
    };
    pool.shutdown().await;
}

/// PR_SET_PDEATHSIG: a worker whose parent dies is killed, even while its
/// socket is still open (here the test holds the other end).
#[test]
fn a_worker_dies_with_its_parent() {
    // The shell is the worker's parent; it waits for it, then is killed.
    let mut worker = RawWorker::start_with(|socket| {
        let mut c = std::process::Command::new("sh");
        c.arg("-c")
            .arg("\"$0\" worker --socket \"$1\" & wait")
            .arg(ladderd_bin())
            .arg(socket);
        c
    });
    let theirs = worker.handshake(&hello());
    let parent = worker.child.as_mut().expect("the shell");
    parent.kill().unwrap();
    worker.exit();
    // The worker is reaped by init once it is killed; its /proc entry goes away.
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", theirs.pid));
    let alive = || {
        std::fs::read_to_string(proc_dir.join("stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    };
    eventually_blocking("the worker to die with its parent", || !alive());
}

/// Damaged copies of a real replay (truncated, bytes flipped, blocks
/// overwritten) through the pool: every job gets an answer and the pool ends
/// with all its workers healthy. Deterministic (xorshift, fixed seed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_replays_never_take_the_pool_down() {
    let Some(dir) = corpus() else { return };
    let good =
        std::fs::read(dir.join("5.0.15.95299-1v1-Terran-vs-Protoss-5daea193.SC2Replay")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let pool = std::sync::Arc::new(Pool::start(options(2, tmp.path())).unwrap());
    assert!(pool.wait_healthy(2, WAIT).await);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut set = tokio::task::JoinSet::new();
    for i in 0..60 {
        let mut bytes = good.clone();
        let at = 1024 + (next() as usize % (bytes.len() - 1024));
        match i % 3 {
            0 => bytes.truncate(at),
            1 => bytes[at] ^= 1 << (next() % 8),
            _ => {
                let end = (at + 16).min(bytes.len());
                for b in &mut bytes[at..end] {
                    *b = next() as u8;
                }
            }
        }
        let pool = pool.clone();
        set.spawn(async move { pool.parse(bytes, ParseLevel::Full).await });
    }
    let (mut ok, mut rejected, mut unavailable) = (0, 0, 0);
    while let Some(res) = set.join_next().await {
        match res.unwrap() {
            Ok(_) => ok += 1,
            Err(ReplayError::Unavailable(_)) => unavailable += 1,
            Err(_) => rejected += 1,
        }
    }
    println!("damaged replays: {ok} parsed, {rejected} rejected, {unavailable} killed a worker");
    assert_eq!(ok + rejected + unavailable, 60);
    assert!(rejected > 0);
    assert!(pool.wait_healthy(2, WAIT).await, "{:?}", pool.stats());
    let Ok(pool) = std::sync::Arc::try_unwrap(pool) else {
        panic!("every task has finished")
    };
    pool.shutdown().await;
}

/// No worker can start (the executable is missing): callers get an answer
/// after `max_wait` instead of waiting forever.
#[tokio::test]
async fn callers_do_not_wait_forever_without_workers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut o = options(1, tmp.path());
    o.worker_exe = tmp.path().join("no-such-ladderd");
    o.max_wait = Duration::from_millis(300);
    let pool = Pool::start(o).unwrap();
    let res = within(
        "an answer without workers",
        pool.parse(vec![0; 64], ParseLevel::Verification),
    )
    .await;
    assert!(
        matches!(res, Err(ReplayError::Unavailable(ref m)) if m.contains("not answering")),
        "{res:?}"
    );
    assert_eq!(pool.stats().healthy, 0);
    assert!(pool.stats().spawn_failures >= 1);
    pool.shutdown().await;
}

/// A worker that keeps dying at start is respawned with exponential backoff,
/// not in a tight loop.
#[tokio::test]
async fn a_worker_that_keeps_dying_backs_off() {
    let tmp = tempfile::tempdir().unwrap();
    let mut o = options(1, tmp.path());
    o.worker_exe = "/bin/false".into();
    o.backoff_initial = Duration::from_millis(50);
    let started = Instant::now();
    let pool = Pool::start(o).unwrap();
    // Before the 2nd..6th attempts the pool waits 0, 50, 100, 200 and 400 ms:
    // six failures cannot come sooner than 750 ms (a lower bound: load only
    // adds to it). Without backoff they would take a few milliseconds.
    eventually("six failed spawns", || pool.stats().spawn_failures >= 6).await;
    assert!(
        started.elapsed() >= Duration::from_millis(750),
        "{:?} after {:?}",
        pool.stats(),
        started.elapsed()
    );
    assert_eq!(pool.stats().healthy, 0);
    pool.shutdown().await;
}
