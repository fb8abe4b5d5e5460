//! Every wait in the integration tests is bounded by [`WAIT`], through one of
//! these helpers, so a broken simulator, a worker that never connects or a
//! child process that never exits fails the test instead of hanging the run.
//!
//! Waits are on state, never on time: [`eventually`] re-checks a condition
//! (a 10 ms poll: a check, not a sleep that hopes something has happened),
//! [`within`] bounds a future that resolves on the event itself (a simulator
//! `wait_until`, a channel, a socket read). The bound is a hang guard, not a
//! performance claim: it is generous so a loaded machine never trips it, and
//! short enough that a test run against a stopped simulator fails within a
//! minute. Speed figures belong in `BENCHMARKS.md`, not here.

use std::future::Future;
use std::process::{Child, ExitStatus, Output};
use std::time::{Duration, Instant};

/// The one bound on any single wait in the integration tests.
pub const WAIT: Duration = Duration::from_secs(45);

/// How often [`eventually`] re-checks its condition.
const POLL: Duration = Duration::from_millis(10);

/// `fut`'s output, or `None` if it has not finished within [`WAIT`].
pub async fn bounded<F: Future>(fut: F) -> Option<F::Output> {
    tokio::time::timeout(WAIT, fut).await.ok()
}

/// `fut`'s output; panics naming `what` if it takes longer than [`WAIT`].
pub async fn within<F: Future>(what: &str, fut: F) -> F::Output {
    bounded(fut)
        .await
        .unwrap_or_else(|| panic!("gave up after {WAIT:?} waiting for {what}"))
}

/// Waits until `cond` holds; `false` if it still does not after [`WAIT`].
pub async fn try_eventually(mut cond: impl FnMut() -> bool) -> bool {
    bounded(async {
        while !cond() {
            tokio::time::sleep(POLL).await;
        }
    })
    .await
    .is_some()
}

/// Waits until `cond` holds; panics naming `what` after [`WAIT`].
pub async fn eventually(what: &str, cond: impl FnMut() -> bool) {
    assert!(
        try_eventually(cond).await,
        "gave up after {WAIT:?} waiting for {what}"
    );
}

/// [`eventually`] for synchronous tests (blocks the calling thread).
pub fn eventually_blocking(what: &str, mut cond: impl FnMut() -> bool) {
    let until = Instant::now() + WAIT;
    while !cond() {
        assert!(
            Instant::now() < until,
            "gave up after {WAIT:?} waiting for {what}"
        );
        std::thread::sleep(POLL);
    }
}

/// `child`'s exit status; kills it and panics naming `what` if it has not
/// exited within [`WAIT`].
pub fn exit_of(what: &str, child: &mut Child) -> ExitStatus {
    exit_within(what, child, WAIT)
}

fn exit_within(what: &str, child: &mut Child, limit: Duration) -> ExitStatus {
    let mut status = None;
    let until = Instant::now() + limit;
    while status.is_none() && Instant::now() < until {
        status = child.try_wait().expect("try_wait on a child we spawned");
        if status.is_none() {
            std::thread::sleep(POLL);
        }
    }
    status.unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{what} did not exit within {limit:?}; killed")
    })
}

/// `child`'s exit status and whatever it wrote to its piped stdout/stderr:
/// [`Child::wait_with_output`] with a bound (the pipes are drained on their
/// own threads so a chatty child cannot block on a full pipe meanwhile).
pub fn output_of(what: &str, child: Child) -> Output {
    output_of_within(what, child, WAIT)
}

fn output_of_within(what: &str, mut child: Child, limit: Duration) -> Output {
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = exit_within(what, &mut child, limit);
    // The child has exited; a grandchild it left holding the pipes would keep
    // them open, so reading to the end is bounded too.
    let collect = |rx: std::sync::mpsc::Receiver<Vec<u8>>, pipe: &str| {
        rx.recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("{what}'s {pipe} stayed open after it exited"))
    };
    Output {
        status,
        stdout: collect(stdout, "stdout"),
        stderr: collect(stderr, "stderr"),
    }
}

/// [`std::process::Command::output`] with a bound: runs the command with
/// stdout and stderr piped (stdin closed) and collects both with [`output_of`].
pub trait BoundedOutput {
    /// Bounded by [`WAIT`]: a command that answers, not a workload.
    fn bounded_output(&mut self) -> Output {
        self.output_within(WAIT)
    }

    /// Bounded by `limit`, for a whole workload in a child (`ladderd demo`
    /// plays minutes of ladder): pass a multiple of [`WAIT`].
    fn output_within(&mut self, limit: Duration) -> Output;
}

impl BoundedOutput for std::process::Command {
    fn output_within(&mut self, limit: Duration) -> Output {
        let what = format!("{:?}", self.get_program());
        let child = self
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {what}: {e}"));
        output_of_within(&what, child, limit)
    }
}

/// Reads `pipe` to its end on its own thread; the bytes arrive on the channel.
fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        let _ = tx.send(buf);
    });
    rx
}

/// Waits until `cond` holds on the simulator (re-checked on every request it
/// answers and every gateway change); panics naming `what` after [`WAIT`].
#[cfg(feature = "sim")]
pub async fn sim_until(
    sim: &ladderd::sim::Simulator,
    what: &str,
    cond: impl FnMut(&ladderd::sim::Simulator) -> bool,
) {
    within(what, sim.wait_until(cond)).await;
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_never_ends_gives_up_after_the_bound() {
    let started = tokio::time::Instant::now();
    assert!(bounded(std::future::pending::<()>()).await.is_none());
    assert!(!try_eventually(|| false).await);
    // Virtual time: the bound itself, not a real 90 s.
    assert!(started.elapsed() >= 2 * WAIT, "{:?}", started.elapsed());
    assert!(
        WAIT < Duration::from_secs(60),
        "a stuck test fails within a minute"
    );
}

#[tokio::test(start_paused = true)]
async fn a_condition_that_comes_true_ends_the_wait() {
    let mut checks = 0;
    eventually("the third check", || {
        checks += 1;
        checks == 3
    })
    .await;
    assert_eq!(checks, 3);
    assert_eq!(within("a ready future", async { 7 }).await, 7);
}
