//! The site on threads of its own, at the CPU priority Linux gives work that
//! may run only when nothing else wants the CPU (`SCHED_IDLE`).
//!
//! Why: on the 2-core VM a site computing pages flat out on the supervisor's
//! runtime raised ladderd's interaction handling p99 ×2.2, and capping the
//! page computation at half a core (`DutyCycle`) only brought that to ×1.96
//! (BENCHMARKS.md, "The web site under load"): serving, cached pages
//! included, still shared the runtime and the cores on equal terms. Here the
//! site — accepting, serving, computing, following the commit feed — runs on
//! a current-thread runtime on its own OS thread, its blocking pool included,
//! and every one of those threads asks the kernel for `SCHED_IDLE`: a ladder
//! thread that wakes preempts it at once. The site then needs no duty cycle
//! of its own, so its share is raised to a whole core when the kernel
//! agreed.
//!
//! Lowering one's own priority needs no privilege, but the systemd unit's
//! `SystemCallFilter=~@resources` forbids the two calls; the unit allows
//! exactly those two back (it cannot raise anything: no `CAP_SYS_NICE`,
//! `LimitNICE` 0, `RestrictRealtime=yes`). Where they are refused anyway the
//! site runs at normal priority with the half-core cap, and says so once in
//! the log.
//!
//! **Architecture Invariant:** the ladder's path (commands, commits,
//! deliveries) takes no lock a site thread holds. It hands the site committed
//! rows through a bounded `try_send` and never waits for it, so a starved
//! site thread cannot hold the ladder up (priority inversion). The one
//! exception is a config reload, which takes the site's write lock once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{COMPUTE_SLOTS, Site};
use crate::store::rows::Write;

/// Whether a site thread was refused the idle priority (logged once).
static REFUSED_LOGGED: AtomicBool = AtomicBool::new(false);

/// Asks the kernel to run the calling thread only when no other thread wants
/// its core (`SCHED_IDLE`). `Err` carries the OS's reason.
pub fn lower_priority() -> Result<(), String> {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Min,
        ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
    )
    .map_err(|e| format!("{e:?}"))
}

/// `lower_priority` for a thread that cannot report: the first refusal is
/// logged, and `lowered` is cleared.
fn lower_or_log(lowered: &AtomicBool) {
    if let Err(e) = lower_priority() {
        lowered.store(false, Ordering::Relaxed);
        if !REFUSED_LOGGED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                error = %e,
                "web site: the kernel refused SCHED_IDLE for the site's threads (a system call \
                 filter?); pages are computed at normal priority, capped at half a core"
            );
        }
    }
}

/// Starts the site on `listener` on its own thread; the receiver resolves
/// when it has stopped (after `shutdown`).
pub fn start(
    site: Arc<Site>,
    listener: std::net::TcpListener,
    rows: mpsc::Receiver<Vec<Write>>,
    max_connections: usize,
    shutdown: CancellationToken,
) -> std::io::Result<oneshot::Receiver<()>> {
    listener.set_nonblocking(true)?;
    let lowered = Arc::new(AtomicBool::new(true));
    let on_start = lowered.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name("ladderd-web")
        // Page computations and a rebuild from the database; the rest waits.
        .max_blocking_threads(COMPUTE_SLOTS + 1)
        .on_thread_start(move || lower_or_log(&on_start))
        .build()?;
    let (stopped, done) = oneshot::channel();
    std::thread::Builder::new()
        .name("ladderd-web".into())
        .spawn(move || {
            lower_or_log(&lowered);
            if lowered.load(Ordering::Relaxed) {
                site.set_compute_share(100);
                tracing::info!("web site: its threads run at SCHED_IDLE");
            }
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!(error = %e, "web site: cannot use its listener");
                        return;
                    }
                };
                tokio::join!(
                    super::follow(site.clone(), rows, shutdown.clone()),
                    super::serve(site, listener, max_connections, shutdown),
                );
            });
            // Connections still open are bounded by their own timeouts;
            // don't wait on them past this.
            runtime.shutdown_timeout(super::REQUEST_TIMEOUT);
            let _ = stopped.send(());
        })?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::clock::ManualClock;
    use crate::config::LadderConfig;

    /// The scheduling policy of each of this process's threads named `name`
    /// (field 41 of `/proc/self/task/TID/stat`; 5 is `SCHED_IDLE`).
    fn policies_of(name: &str) -> Vec<u32> {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return Vec::new();
        };
        tasks
            .flatten()
            .filter(|t| {
                std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == name)
            })
            .filter_map(|t| {
                let stat = std::fs::read_to_string(t.path().join("stat")).ok()?;
                let after_name = &stat[stat.rfind(')')? + 1..];
                after_name.split_whitespace().nth(38)?.parse().ok()
            })
            .collect()
    }

    #[tokio::test]
    async fn the_site_serves_from_its_own_threads_at_idle_priority() {
        const SCHED_IDLE: u32 = 5;
        let probe = std::thread::spawn(lower_priority)
            .join()
            .expect("probe thread");
        assert_eq!(
            probe,
            Ok(()),
            "this kernel (or a system call filter) refuses SCHED_IDLE to an unprivileged thread"
        );
        let clock = Arc::new(ManualClock::at(1_767_571_200_000));
        let (site, _feed, rx) = Site::new(
            crate::ladder::Rows::default(),
            &LadderConfig::default(),
            None,
            1,
            clock,
            "",
            None,
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let stopped = start(site, listener, rx, 4, shutdown.clone()).unwrap();

        // A page computed (a blocking-pool thread) and served.
        let answer = tokio::time::timeout(Duration::from_secs(30), async {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(b"GET /seasons HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).await.unwrap();
            answer
        })
        .await
        .expect("the site answered within 30 s");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

        let policies = policies_of("ladderd-web");
        assert!(
            policies.len() >= 2,
            "the serving thread and a compute thread: {policies:?}"
        );
        assert!(
            policies.iter().all(|&p| p == SCHED_IDLE),
            "every site thread at SCHED_IDLE: {policies:?}"
        );
        let mine = policies_of(
            &std::thread::current()
                .name()
                .unwrap_or_default()
                .chars()
                .take(15)
                .collect::<String>(),
        );
        assert!(
            !mine.contains(&SCHED_IDLE),
            "the test's own thread untouched"
        );

        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(30), stopped)
            .await
            .expect("the site stopped within 30 s")
            .expect("the site's thread reported its stop");
    }
}
