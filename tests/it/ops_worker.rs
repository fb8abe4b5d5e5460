//! Replay workers parse hostile files, so they get nothing they do not
//! need: read from `/proc` of the real `ladderd run`'s workers (started
//! from a shell that leaks a descriptor, as some CI runners do), their
//! environment is empty (no bot token, no credentials directory, no notify
//! socket) and their only open files are stdin (/dev/null), stdout and
//! stderr, and the one socket to the supervisor. Their command line names
//! the binary, not `/proc/self/exe`.

use ladderd::sim::{SimConfig, Simulator};

use crate::support::e2e::{BootOptions, config_text};
use crate::support::process::Ladderd;
use crate::support::wait::eventually;

/// The children of `pid`, from every thread's `children` list (the pool
/// spawns from tokio worker threads).
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|s| s.parse::<u32>().ok()),
            );
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_get_an_empty_environment_and_only_their_socket() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ladderd.toml");
    let opts = BootOptions {
        replay: "",
        ..BootOptions::default()
    };
    let text = config_text(&sim, dir.path(), &opts, true).replace("workers = 1", "workers = 2");
    std::fs::write(&path, text).unwrap();
    let notify = dir.path().join("notify");
    let token = sim.config().token.clone();
    let mut ladderd = Ladderd::run_with(&path, &token, Some(&notify), true);
    ladderd.notified("READY=1").await;
    let leaked = std::fs::read_link(format!("/proc/{}/fd/9", ladderd.pid()));
    assert!(
        leaked.is_ok(),
        "the test's leaked descriptor reached ladderd"
    );

    let pid = ladderd.pid();
    let mut workers = Vec::new();
    eventually("two replay workers", || {
        workers = children(pid);
        workers.len() == 2
    })
    .await;

    for worker in workers {
        let environ = std::fs::read(format!("/proc/{worker}/environ")).unwrap();
        let environ = String::from_utf8_lossy(&environ);
        assert!(!environ.contains(&token), "a worker holds the bot token");
        let vars: Vec<&str> = environ.split('\0').filter(|v| !v.is_empty()).collect();
        assert!(vars.is_empty(), "worker {worker} inherited {vars:?}");

        let mut sockets = 0;
        for fd in std::fs::read_dir(format!("/proc/{worker}/fd")).unwrap() {
            let fd = fd.unwrap();
            let n: u32 = fd.file_name().to_string_lossy().parse().unwrap();
            let target = std::fs::read_link(fd.path())
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            match n {
                0 => assert_eq!(target, "/dev/null", "worker {worker} stdin"),
                1 | 2 => {}
                _ if target.starts_with("socket:") => sockets += 1,
                _ => panic!("worker {worker} has fd {n} open: {target}"),
            }
        }
        assert_eq!(sockets, 1, "worker {worker} should hold exactly its socket");

        let cmdline = std::fs::read(format!("/proc/{worker}/cmdline")).unwrap();
        let argv0 = String::from_utf8_lossy(cmdline.split(|b| *b == 0).next().unwrap());
        assert_eq!(
            std::path::Path::new(argv0.as_ref()),
            crate::support::ladderd_bin().canonicalize().unwrap(),
            "the worker's title names the binary"
        );
    }
    ladderd.signal(nix::sys::signal::Signal::SIGTERM);
    assert!(
        ladderd.exit_status().await.success(),
        "{}",
        ladderd.stderr()
    );
}

/// A host without CA certificates (a minimal image without
/// `ca-certificates`): `ladderd run` refuses with 78, naming the package,
/// instead of hyper-rustls' panic (101) that systemd would restart in a loop.
#[test]
fn no_ca_certificates_is_a_clear_error_naming_the_package() {
    use crate::support::wait::BoundedOutput as _;
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("certs");
    std::fs::create_dir(&empty).unwrap();
    let path = dir.path().join("ladderd.toml");
    std::fs::write(&path, "[store]\npath = \"ladder.db\"\n").unwrap();
    let out = std::process::Command::new(crate::support::ladderd_bin())
        .arg("--config")
        .arg(&path)
        .arg("run")
        .env("DISCORD_TOKEN", "x.y.z")
        .env_remove("CREDENTIALS_DIRECTORY")
        .env_remove("NOTIFY_SOCKET")
        // rustls-native-certs (what the platform verifier reads on Linux)
        // uses only these when they are set.
        .env("SSL_CERT_DIR", &empty)
        .env("SSL_CERT_FILE", empty.join("none.pem"))
        .bounded_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(stderr.contains("`ca-certificates`"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
