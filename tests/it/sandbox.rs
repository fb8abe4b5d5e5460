//! The worker sandbox, tried in a child process (a seccomp filter cannot be
//! removed, so the test binary re-runs itself filtered to `sandbox_child_entry`).

use std::process::Command;

const CHILD_ENV: &str = "LADDERD_SANDBOX_CHILD";

#[test]
fn sandbox_child_entry() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return; // Not the child: the real test is `restricted_worker_cannot_reach_out`.
    }
    // Before: a socket can be made.
    drop(std::net::UdpSocket::bind("127.0.0.1:0").expect("sockets work before the filter"));
    ladderd::ops::sandbox::restrict_worker().expect("the filter installs");
    let denied = |what: &str, r: std::io::Result<()>| match r {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => println!("denied {what}"),
        other => println!("ALLOWED {what}: {other:?}"),
    };
    denied("udp", std::net::UdpSocket::bind("127.0.0.1:0").map(drop));
    denied("tcp", std::net::TcpStream::connect("127.0.0.1:9").map(drop));
    denied(
        "unix",
        std::os::unix::net::UnixStream::connect("/nonexistent").map(drop),
    );
    denied("exec", Command::new("/bin/true").status().map(drop));
    // What parsing needs still works: files, memory, threads.
    let status = std::fs::read_to_string("/proc/self/status").map(|s| !s.is_empty());
    let thread = std::thread::spawn(|| vec![0u8; 1 << 20].len()).join();
    println!("file {:?} thread {:?}", status.ok(), thread.ok());
}

#[test]
fn restricted_worker_cannot_reach_out() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "sandbox::sandbox_child_entry",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for what in ["udp", "tcp", "unix", "exec"] {
        assert!(
            stdout.contains(&format!("denied {what}")),
            "{what} not denied:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("file Some(true) thread Some(1048576)"),
        "{stdout}"
    );
}
