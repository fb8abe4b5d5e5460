//! Signals: SIGTERM/SIGINT ask for a clean shutdown (one cancellation token
//! flowing down to every task); a second one exits at once; SIGHUP asks for a
//! configuration reload. The decision is a pure function ([`react`]) so it is
//! tested without sending signals to the test process.

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Exit code when a second stop signal cuts the graceful shutdown short
/// (128 + SIGINT, the shell convention for "interrupted").
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming {
    Terminate,
    Interrupt,
    Hangup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Cancel the shutdown token: stop taking work, finish, flush, exit 0.
    BeginShutdown,
    /// Already shutting down and asked again: exit now. Committed data is safe
    /// in SQLite; only unacknowledged work is dropped.
    ExitNow,
    /// Re-read and validate the config; keep the old one on error.
    Reload,
}

/// What to do about `signal`, given whether a shutdown already began.
pub fn react(signal: Incoming, shutting_down: bool) -> Action {
    match (signal, shutting_down) {
        (Incoming::Hangup, _) => Action::Reload,
        (_, false) => Action::BeginShutdown,
        (_, true) => Action::ExitNow,
    }
}

/// Installs the handlers and spawns the task that acts on them. SIGHUP
/// requests are sent on `reload` (dropped if a reload is already pending).
pub fn spawn(
    shutdown: CancellationToken,
    reload: mpsc::Sender<()>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        loop {
            let incoming = tokio::select! {
                Some(()) = term.recv() => Incoming::Terminate,
                Some(()) = int.recv() => Incoming::Interrupt,
                Some(()) = hup.recv() => Incoming::Hangup,
                else => break,
            };
            match react(incoming, shutdown.is_cancelled()) {
                Action::BeginShutdown => {
                    tracing::info!(signal = ?incoming, "shutting down; a second signal exits at once");
                    shutdown.cancel();
                }
                Action::ExitNow => {
                    tracing::warn!(signal = ?incoming, "second stop signal: exiting now");
                    std::process::exit(EXIT_INTERRUPTED);
                }
                Action::Reload => {
                    tracing::info!("SIGHUP: reloading configuration");
                    let _ = reload.try_send(());
                }
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_stop_signal_begins_shutdown_second_exits() {
        for s in [Incoming::Terminate, Incoming::Interrupt] {
            assert_eq!(react(s, false), Action::BeginShutdown);
            assert_eq!(react(s, true), Action::ExitNow);
        }
    }

    #[test]
    fn hangup_reloads_even_while_stopping() {
        assert_eq!(react(Incoming::Hangup, false), Action::Reload);
        assert_eq!(react(Incoming::Hangup, true), Action::Reload);
    }
}
