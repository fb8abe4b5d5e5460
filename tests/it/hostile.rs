//! Hostile uploads (issue #12): decompression bombs in the sections
//! verification reads, a block table that claims 4 GiB, a stream of bombs
//! from one player. Each is refused by `ladderd parse` and by a worker as
//! "corrupt", with a short error, within the limits below, and costs the pool
//! no worker.
//!
//! The limits are enforced, not timed: `ladderd parse` runs under
//! `prlimit --as=100MiB --cpu=1` (an address-space limit bounds RSS too; past
//! the CPU limit the kernel kills it, so exit 1 with a JSON error proves it
//! stayed within both), and the pool's workers get the same two limits (the
//! worker's CPU budget per job is 1 s plus the part-second already used), so
//! a bomb that got through would kill the worker and be answered "could not
//! be read safely", not "corrupt". Wall times are in BENCHMARKS.md.

use std::path::Path;
use std::time::Duration;

use ladderd::replay::{ParseLevel, Pool, PoolOptions, ReplayError, mpq};
use serde_json::Value;

use crate::replay::corpus;
use crate::support::mpq::{
    FILE_COMPRESS, FILE_EXISTS, FILE_SINGLE_UNIT, bzip2_bomb, replace_section, write, zlib_bomb,
};
use crate::support::{ladderd_bin, require_tool};

const BASE: &str = "5.0.15.95299-1v1-Terran-vs-Protoss-5daea193.SC2Replay";
const LIMIT_BYTES: u64 = 100 * 1024 * 1024;
const MAX_ERROR_CHARS: usize = 300;
const SECTIONS: [&str; 3] = [
    "replay.details",
    "replay.initData",
    "replay.attributes.events",
];

fn base_replay() -> Vec<u8> {
    std::fs::read(corpus().unwrap().join(BASE)).unwrap()
}

/// Every bomb: {bzip2 4 GiB, zlib 4 GiB} in each of the three sections,
/// declaring either a plausible size (the stream expands past it) or 4 GiB
/// (the block table lies).
fn bombs() -> Vec<(String, Vec<u8>)> {
    let base = base_replay();
    let streams = [("bzip2", bzip2_bomb()), ("zlib", zlib_bomb(4096))];
    let mut out = Vec::new();
    for (kind, stream) in &streams {
        for section in SECTIONS {
            for (declared_name, declared) in [("small", 20_000u32), ("4gib", u32::MAX)] {
                let bytes = replace_section(
                    &base,
                    section,
                    stream,
                    declared,
                    FILE_EXISTS | FILE_COMPRESS | FILE_SINGLE_UNIT,
                );
                assert!(bytes.len() as u64 <= ladderd::replay::DEFAULT_MAX_BYTES);
                out.push((format!("{kind}-{section}-{declared_name}"), bytes));
            }
        }
    }
    out
}

fn assert_refused_as_corrupt(name: &str, err: &ReplayError) {
    assert!(
        matches!(err, ReplayError::Corrupt { .. }),
        "{name}: {err:?}"
    );
    let text = err.to_string();
    assert!(text.chars().count() < MAX_ERROR_CHARS, "{name}: {text}");
}

/// The bombs really are bombs: the streams expand far past any cap.
#[test]
fn the_bomb_streams_expand_past_every_cap() {
    use std::io::Read as _;
    let want = mpq::INIT_DATA_CAP * 8;
    let zlib = zlib_bomb(4096);
    let n = std::io::copy(
        &mut flate2::bufread::ZlibDecoder::new(&zlib[1..]).take(want),
        &mut std::io::sink(),
    )
    .unwrap();
    assert_eq!(n, want);
    let bz = bzip2_bomb();
    let n = std::io::copy(
        &mut bzip2_rs::DecoderReader::new(&bz[1..]).take(want),
        &mut std::io::sink(),
    )
    .unwrap();
    assert_eq!(n, want);
}

/// The caps stand well above the real sections: at least 16 times the
/// largest of each in the corpus (printed for BENCHMARKS.md).
#[test]
fn corpus_sections_are_far_below_their_caps() {
    let dir = corpus().unwrap();
    let mut largest = [0u64; 6];
    let sections = mpq::FILES;
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("5.0.") || !name.ends_with(".SC2Replay") {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).unwrap();
        let (_, archive) = s2protocol::parser::parse(&bytes).unwrap();
        for (i, s) in sections.iter().enumerate() {
            let data = mpq::read_section(&archive, &bytes, *s).unwrap();
            largest[i] = largest[i].max(data.len() as u64);
        }
    }
    assert!(files > 0);
    for (s, max) in sections.iter().zip(largest) {
        let (name, cap) = mpq::cap(*s).unwrap();
        println!("{name}: largest {max} bytes in {files} 5.0.x replays, cap {cap}");
        assert!(max * 16 <= cap, "{name}: {max} vs cap {cap}");
    }
}

fn parse_under_limits(file: &Path) -> std::process::Output {
    std::process::Command::new("prlimit")
        .arg(format!("--as={LIMIT_BYTES}"))
        .arg("--cpu=1")
        .arg(ladderd_bin())
        .arg("parse")
        .arg("--json")
        .arg(file)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn ladderd_parse_refuses_every_bomb_within_100_mb_and_1_s_of_cpu() {
    if !require_tool("prlimit") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // The limits themselves leave room for a real replay.
    let good = parse_under_limits(&corpus().unwrap().join(BASE));
    assert_eq!(
        good.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    for (name, bytes) in bombs() {
        let path = write(tmp.path(), &format!("{name}.SC2Replay"), &bytes);
        let started = std::time::Instant::now();
        let out = parse_under_limits(&path);
        // For BENCHMARKS.md (`--nocapture`); the limits above are the check.
        println!("ladderd parse {name}: {:?}", started.elapsed());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let line: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(line["error"]["kind"], "Corrupt", "{name}: {line}");
        let message = line["error"]["message"].as_str().unwrap();
        assert!(
            message.chars().count() < MAX_ERROR_CHARS,
            "{name}: {message}"
        );
    }
}

#[test]
fn ladderd_parse_refuses_a_fifo_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("upload.SC2Replay");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mut child = std::process::Command::new(ladderd_bin())
        .arg("parse")
        .arg("--json")
        .arg(&fifo)
        .arg(tmp.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded wait: a `parse` that blocked in open() is killed and the test fails.
    let status = wait_bounded(&mut child, Duration::from_secs(10));
    assert_eq!(status.and_then(|s| s.code()), Some(1));
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    for l in &lines {
        assert_eq!(l["error"]["kind"], "Io", "{l}");
        assert!(
            l["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not a regular file")
        );
    }
}

fn wait_bounded(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let until = std::time::Instant::now() + limit;
    while std::time::Instant::now() < until {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    None
}

fn limited_pool(workers: usize, dir: &Path) -> Pool {
    let mut o = PoolOptions::new(workers, dir);
    o.worker_exe = ladderd_bin();
    // The CPU limit, not the wall clock, is the bound (a loaded test machine
    // stretches wall time; a debug build hashes and copies 4 MB slowly).
    o.job_deadline = Duration::from_secs(5);
    o.rlimit_as_bytes = LIMIT_BYTES;
    o.rlimit_cpu_s = 1;
    Pool::start(o).unwrap()
}

/// Peak resident memory of a process (VmHWM), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_refuses_every_bomb_and_is_not_killed() {
    let tmp = tempfile::tempdir().unwrap();
    let pool = limited_pool(1, tmp.path());
    assert!(pool.wait_healthy(1, Duration::from_secs(10)).await);
    let pid = pool.worker_pids()[0];
    for (name, bytes) in bombs() {
        let started = std::time::Instant::now();
        let err = pool
            .parse(bytes, ParseLevel::Verification)
            .await
            .unwrap_err();
        println!("worker {name}: {:?}", started.elapsed());
        assert_refused_as_corrupt(&name, &err);
    }
    // An 8 MiB file whose attributes block claims 4 GiB.
    let base = base_replay();
    let filler = vec![0x10u8; ladderd::replay::DEFAULT_MAX_BYTES as usize - base.len()];
    let claim = replace_section(
        &base,
        "replay.attributes.events",
        &filler,
        u32::MAX,
        FILE_EXISTS | FILE_COMPRESS | FILE_SINGLE_UNIT,
    );
    assert_eq!(claim.len() as u64, ladderd::replay::DEFAULT_MAX_BYTES);
    let err = pool
        .parse(claim, ParseLevel::Verification)
        .await
        .unwrap_err();
    assert_refused_as_corrupt("8 MiB claiming 4 GiB", &err);

    assert_eq!(pool.worker_pids(), vec![pid], "the same worker throughout");
    let rss = peak_rss(pid);
    println!("worker peak RSS after every bomb: {rss} bytes");
    assert!(rss < LIMIT_BYTES, "peak RSS {rss}");
    let s = pool.stats();
    assert_eq!((s.restarts, s.retries), (0, 0), "{s:?}");
    // And it still reads a real replay.
    assert!(pool.parse(base, ParseLevel::Verification).await.is_ok());
    pool.shutdown().await;
}

/// One player's ten bombs in a row, then another player's real replay: it
/// is verified, and nothing waited on a restart backoff. Then the same with
/// ten uploads that each kill their worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_bombs_in_a_row_leave_another_upload_verified() {
    let tmp = tempfile::tempdir().unwrap();
    let mut o = PoolOptions::new(2, tmp.path());
    o.worker_exe = ladderd_bin();
    o.allow_test_requests = true;
    // A backoff that would outlast the test's bound if it applied.
    o.backoff_initial = Duration::from_secs(30);
    o.backoff_max = Duration::from_secs(60);
    o.max_wait = Duration::from_secs(20);
    let pool = Pool::start(o).unwrap();
    assert!(pool.wait_healthy(2, Duration::from_secs(10)).await);
    let bomb = bombs().swap_remove(0).1;
    for _ in 0..10 {
        let err = pool
            .parse(bomb.clone(), ParseLevel::Verification)
            .await
            .unwrap_err();
        assert_refused_as_corrupt("bomb", &err);
    }
    let good = base_replay();
    let summary = pool
        .parse(good.clone(), ParseLevel::Verification)
        .await
        .unwrap();
    assert_eq!(summary.map_name, "Pylon LE");
    assert_eq!(pool.stats().restarts, 0);

    for _ in 0..10 {
        let err = pool.test_abort().await.unwrap_err();
        assert!(matches!(err, ReplayError::Unsafe(_)), "{err:?}");
    }
    assert!(pool.wait_healthy(2, Duration::from_secs(10)).await);
    let summary = pool.parse(good, ParseLevel::Verification).await.unwrap();
    assert_eq!(summary.map_name, "Pylon LE");
    assert_eq!(pool.stats().restarts, 20, "{:?}", pool.stats());
    pool.shutdown().await;
}

/// Bytes that killed a worker are answered at once the next time, without a worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_that_killed_a_worker_are_not_tried_again() {
    let tmp = tempfile::tempdir().unwrap();
    let mut o = PoolOptions::new(1, tmp.path());
    o.worker_exe = ladderd_bin();
    // No full parse fits in 1 ms: the deadline kills the worker on this file.
    o.job_deadline = Duration::from_millis(1);
    let pool = Pool::start(o).unwrap();
    assert!(pool.wait_healthy(1, Duration::from_secs(10)).await);
    let good = base_replay();
    let first = pool
        .parse(good.clone(), ParseLevel::Full)
        .await
        .unwrap_err();
    assert!(
        matches!(first, ReplayError::Unsafe(ref m) if m.contains("twice")),
        "{first}"
    );
    let restarts = pool.stats().restarts;
    assert_eq!(restarts, 2, "tried twice: {:?}", pool.stats());
    let again = pool.parse(good, ParseLevel::Full).await.unwrap_err();
    assert!(
        matches!(again, ReplayError::Unsafe(ref m) if m.contains("before")),
        "{again}"
    );
    assert_eq!(pool.stats().restarts, restarts, "no worker was used");
    pool.shutdown().await;
}
