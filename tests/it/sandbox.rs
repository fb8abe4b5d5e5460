//! The worker sandbox, tried in a child process: a seccomp filter cannot be
//! removed, so the test re-runs this test binary filtered to itself with
//! `LADDERD_SANDBOX_CHILD` set, and that child (the same test function, in
//! its child role) installs the filter and prints what was denied. Run alone,
//! the test is the parent and asserts on what its child printed.

use std::process::Command;

use crate::support::wait::BoundedOutput as _;

const CHILD_ENV: &str = "LADDERD_SANDBOX_CHILD";

/// The child role: filter this process, try what a worker must not do.
fn restricted_child() {
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
    if std::env::var_os(CHILD_ENV).is_some() {
        return restricted_child();
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "sandbox::restricted_worker_cannot_reach_out",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .bounded_output();
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
