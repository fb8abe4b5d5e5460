//! The worker pool with real `ladderd worker` processes: same answers as
//! in-process parsing, and it survives hangs, aborts and garbage.

use std::time::{Duration, Instant};

use ladderd::replay::{self, ParseLevel, Pool, PoolOptions, ReplayError};

use crate::replay::corpus;
use crate::support::ladderd_bin;

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
    assert!(pool.wait_healthy(2, Duration::from_secs(10)).await);
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
    let t = Instant::now();
    assert!(
        pool.wait_healthy(n, Duration::from_secs(3)).await,
        "{:?}",
        pool.stats()
    );
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
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
    assert!(pool.wait_healthy(2, Duration::from_secs(10)).await);

    let t = Instant::now();
    let err = pool.test_hang().await.unwrap_err();
    assert!(
        matches!(err, ReplayError::Unsafe(ref m) if m.contains("longer than")),
        "{err}"
    );
    // Deadline, kill, retry on another worker, deadline again.
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
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
    assert!(pool.wait_healthy(1, Duration::from_secs(10)).await);
    // One hang occupies the worker, one waits in the queue, the third is refused.
    let wait_for = |what: fn(&ladderd::replay::PoolStats) -> bool| {
        let pool = &pool;
        async move {
            let until = Instant::now() + Duration::from_secs(5);
            while !what(&pool.stats()) && Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            assert!(what(&pool.stats()), "{:?}", pool.stats());
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

    use interprocess::local_socket::{GenericFilePath, ListenerOptions, prelude::*};
    use ladderd::replay::ipc::{self, Reply, Request, SupervisorHello, WorkerHello, sync};

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("w.sock");
    let listener = ListenerOptions::new()
        .name(path.clone().to_fs_name::<GenericFilePath>().unwrap())
        .create_sync()
        .unwrap();
    let mut child = std::process::Command::new(ladderd_bin())
        .arg("worker")
        .arg("--socket")
        .arg(&path)
        .spawn()
        .unwrap();
    let mut conn = listener.accept().unwrap();
    let hello = SupervisorHello {
        protocol: ipc::PROTOCOL_VERSION,
        max_frame_bytes: 1024,
        rlimit_as_bytes: 512 * 1024 * 1024,
        rlimit_cpu_s: 10,
        allow_test_requests: false,
    };
    sync::write_frame(&mut conn, &ipc::encode(&hello).unwrap()).unwrap();
    let theirs: WorkerHello = ipc::decode(&sync::read_frame(&mut conn, 4096).unwrap()).unwrap();
    assert_eq!(theirs.protocol, ipc::PROTOCOL_VERSION);

    // The limits are in force once the worker answers (a ping after the hello).
    sync::write_frame(
        &mut conn,
        &ipc::encode(&Request::Ping { nonce: 1 }).unwrap(),
    )
    .unwrap();
    let _: Reply = ipc::decode(&sync::read_frame(&mut conn, 4096).unwrap()).unwrap();
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

    sync::write_frame(&mut conn, &[0xde, 0xad, 0xbe, 0xef]).unwrap();
    let reply: Reply = ipc::decode(&sync::read_frame(&mut conn, 4096).unwrap()).unwrap();
    assert!(matches!(reply, Reply::Malformed { .. }), "{reply:?}");

    sync::write_frame(
        &mut conn,
        &ipc::encode(&Request::Ping { nonce: 9 }).unwrap(),
    )
    .unwrap();
    let reply: Reply = ipc::decode(&sync::read_frame(&mut conn, 4096).unwrap()).unwrap();
    assert_eq!(reply, Reply::Pong { nonce: 9 });

    // Test requests are refused unless the hello allowed them.
    sync::write_frame(
        &mut conn,
        &ipc::encode(&Request::TestAbort { job: 1 }).unwrap(),
    )
    .unwrap();
    let reply: Reply = ipc::decode(&sync::read_frame(&mut conn, 4096).unwrap()).unwrap();
    assert!(matches!(reply, Reply::Failed { job: 1, .. }), "{reply:?}");

    // Over max_frame_bytes: the worker refuses it before allocating and exits.
    conn.write_all(&(1u32 << 30).to_le_bytes()).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{status:?}");
}

#[test]
fn worker_exits_when_the_supervisor_closes_the_socket() {
    use interprocess::local_socket::{GenericFilePath, ListenerOptions, prelude::*};
    use ladderd::replay::ipc::{self, SupervisorHello, WorkerHello, sync};

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("w.sock");
    let listener = ListenerOptions::new()
        .name(path.clone().to_fs_name::<GenericFilePath>().unwrap())
        .create_sync()
        .unwrap();
    let mut child = std::process::Command::new(ladderd_bin())
        .arg("worker")
        .arg("--socket")
        .arg(&path)
        .spawn()
        .unwrap();
    let mut conn = listener.accept().unwrap();
    let hello = SupervisorHello {
        protocol: ipc::PROTOCOL_VERSION,
        max_frame_bytes: 1024,
        rlimit_as_bytes: 0,
        rlimit_cpu_s: 0,
        allow_test_requests: false,
    };
    sync::write_frame(&mut conn, &ipc::encode(&hello).unwrap()).unwrap();
    let _: WorkerHello = ipc::decode(&sync::read_frame(&mut conn, 4096).unwrap()).unwrap();
    drop(conn);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn worker_refuses_another_protocol_version() {
    use interprocess::local_socket::{GenericFilePath, ListenerOptions, prelude::*};
    use ladderd::replay::ipc::{self, SupervisorHello, WorkerHello, sync};

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("w.sock");
    let listener = ListenerOptions::new()
        .name(path.clone().to_fs_name::<GenericFilePath>().unwrap())
        .create_sync()
        .unwrap();
    let child = std::process::Command::new(ladderd_bin())
        .arg("worker")
        .arg("--socket")
        .arg(&path)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut conn = listener.accept().unwrap();
    let hello = SupervisorHello {
        protocol: ipc::PROTOCOL_VERSION + 1,
        max_frame_bytes: 1024,
        rlimit_as_bytes: 0,
        rlimit_cpu_s: 0,
        allow_test_requests: false,
    };
    sync::write_frame(&mut conn, &ipc::encode(&hello).unwrap()).unwrap();
    let theirs: WorkerHello = ipc::decode(&sync::read_frame(&mut conn, 4096).unwrap()).unwrap();
    assert_eq!(theirs.protocol, ipc::PROTOCOL_VERSION);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("protocol"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_worker_killed_from_outside_is_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let pool = Pool::start(options(2, tmp.path())).unwrap();
    assert!(pool.wait_healthy(2, Duration::from_secs(10)).await);
    let victim = pool.worker_pids()[0];
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(victim as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let until = Instant::now() + Duration::from_secs(2);
    while pool.stats().restarts == 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(pool.stats().restarts, 1, "{:?}", pool.stats());
    assert_recovers(&pool, 2).await;
    assert!(!pool.worker_pids().contains(&victim));
    pool.shutdown().await;
}

/// PR_SET_PDEATHSIG: a worker whose parent dies is killed, even while its
/// socket is still open (here the test holds the other end).
#[test]
fn a_worker_dies_with_its_parent() {
    use interprocess::local_socket::{GenericFilePath, ListenerOptions, prelude::*};
    use ladderd::replay::ipc::{self, SupervisorHello, WorkerHello, sync};

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("w.sock");
    let listener = ListenerOptions::new()
        .name(path.clone().to_fs_name::<GenericFilePath>().unwrap())
        .create_sync()
        .unwrap();
    // The shell is the worker's parent; it waits for it, then is killed.
    let mut parent = std::process::Command::new("sh")
        .arg("-c")
        .arg("\"$0\" worker --socket \"$1\" & wait")
        .arg(ladderd_bin())
        .arg(&path)
        .spawn()
        .unwrap();
    let mut conn = listener.accept().unwrap();
    let hello = SupervisorHello {
        protocol: ipc::PROTOCOL_VERSION,
        max_frame_bytes: 1024,
        rlimit_as_bytes: 0,
        rlimit_cpu_s: 0,
        allow_test_requests: false,
    };
    sync::write_frame(&mut conn, &ipc::encode(&hello).unwrap()).unwrap();
    let worker: WorkerHello = ipc::decode(&sync::read_frame(&mut conn, 4096).unwrap()).unwrap();
    parent.kill().unwrap();
    parent.wait().unwrap();
    // The worker is reaped by init once it is killed; its /proc entry goes away.
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", worker.pid));
    let until = Instant::now() + Duration::from_secs(5);
    let alive = || {
        std::fs::read_to_string(proc_dir.join("stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    };
    while alive() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!alive(), "worker {} outlived its parent", worker.pid);
    drop(conn);
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
    assert!(pool.wait_healthy(2, Duration::from_secs(10)).await);
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
    assert!(
        pool.wait_healthy(2, Duration::from_secs(3)).await,
        "{:?}",
        pool.stats()
    );
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
    let t = Instant::now();
    let res = pool.parse(vec![0; 64], ParseLevel::Verification).await;
    assert!(
        matches!(res, Err(ReplayError::Unavailable(ref m)) if m.contains("not answering")),
        "{res:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(2));
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
    let pool = Pool::start(o).unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // Delays 0, 0, 50, 100, 200, 400 ms fit ~6 attempts into 1.2 s (fewer if
    // the machine is slow); without backoff it would be hundreds.
    let failures = pool.stats().spawn_failures;
    assert!((2..=8).contains(&failures), "{:?}", pool.stats());
    assert_eq!(pool.stats().healthy, 0);
    pool.shutdown().await;
}
