//! The systemd notification protocol (`sd_notify`): READY=1, STATUS=,
//! STOPPING=1 and WATCHDOG=1 datagrams to `$NOTIFY_SOCKET`.
//!
//! Hand-rolled (about 100 lines with the watchdog) rather than the
//! `sd-notify` crate because that crate reads `$NOTIFY_SOCKET` on every call,
//! and tests would have to mutate the process environment (unsafe in
//! edition 2024, racy across test threads). Here the socket is read once into
//! a [`Notifier`], and tests hand one their own socket.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Where notifications go; `None` when not started by systemd (all calls are no-ops).
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    socket: Option<PathBuf>,
    /// From `$WATCHDOG_USEC` when `$WATCHDOG_PID` is absent or ours.
    watchdog: Option<Duration>,
}

impl Notifier {
    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID` once.
    pub fn from_env() -> Notifier {
        let socket = std::env::var_os("NOTIFY_SOCKET").map(PathBuf::from);
        let for_us = std::env::var("WATCHDOG_PID")
            .ok()
            .and_then(|p| p.parse::<u32>().ok())
            .is_none_or(|pid| pid == std::process::id());
        let watchdog = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|u| u.parse::<u64>().ok())
            .filter(|&u| u > 0 && for_us)
            .map(Duration::from_micros);
        Notifier { socket, watchdog }
    }

    /// A notifier writing to `socket` (tests).
    pub fn to_socket(socket: impl Into<PathBuf>, watchdog: Option<Duration>) -> Notifier {
        Notifier {
            socket: Some(socket.into()),
            watchdog,
        }
    }

    pub fn ready(&self, status: &str) {
        self.send(&format!("READY=1\nSTATUS={}", one_line(status)));
    }

    pub fn status(&self, status: &str) {
        self.send(&format!("STATUS={}", one_line(status)));
    }

    pub fn stopping(&self, status: &str) {
        self.send(&format!("STOPPING=1\nSTATUS={}", one_line(status)));
    }

    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog
    }

    /// Pings `WATCHDOG=1` at half the configured interval until `stop`, from a
    /// task on the runtime: if the runtime wedges, the pings stop and systemd
    /// restarts the service. Returns `None` when no watchdog is configured.
    pub fn spawn_watchdog(&self, stop: CancellationToken) -> Option<tokio::task::JoinHandle<()>> {
        let interval = self.watchdog? / 2;
        let this = self.clone();
        Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tick.tick() => this.send("WATCHDOG=1"),
                }
            }
        }))
    }

    fn send(&self, message: &str) {
        let Some(path) = &self.socket else { return };
        let result = UnixDatagram::unbound().and_then(|sock| {
            let bytes = message.as_bytes();
            match path.as_os_str().as_encoded_bytes().strip_prefix(b"@") {
                // Abstract socket: systemd's default NOTIFY_SOCKET form.
                Some(name) => {
                    use std::os::linux::net::SocketAddrExt;
                    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
                    sock.send_to_addr(bytes, &addr)
                }
                None => sock.send_to(bytes, path),
            }
        });
        if let Err(e) = result {
            // Never fatal: systemd will notice missing READY/WATCHDOG by itself.
            tracing::warn!(socket = %path.display(), error = %e, "sd_notify failed");
        }
    }
}

/// STATUS= is one line: newlines would start new assignments.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recv(sock: &UnixDatagram) -> String {
        let mut buf = [0u8; 512];
        let n = sock.recv(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[test]
    fn messages_reach_the_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let sock = UnixDatagram::bind(&path).unwrap();
        let n = Notifier::to_socket(&path, None);
        n.ready("serving 3 players\nsecond line");
        assert_eq!(recv(&sock), "READY=1\nSTATUS=serving 3 players second line");
        n.stopping("bye");
        assert_eq!(recv(&sock), "STOPPING=1\nSTATUS=bye");
    }

    #[test]
    fn without_a_socket_nothing_happens() {
        let n = Notifier::default();
        n.ready("x");
        assert!(n.watchdog_interval().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn watchdog_pings_at_half_the_interval_until_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let sock = UnixDatagram::bind(&path).unwrap();
        sock.set_nonblocking(true).unwrap();
        let n = Notifier::to_socket(&path, Some(Duration::from_secs(30)));
        let stop = CancellationToken::new();
        let task = n.spawn_watchdog(stop.clone()).unwrap();
        // Ticks at 0, 15, 30, 45, 60 s.
        tokio::time::sleep(Duration::from_secs(61)).await;
        stop.cancel();
        task.await.unwrap();
        let mut pings = 0;
        let mut buf = [0u8; 64];
        while let Ok(len) = sock.recv(&mut buf) {
            assert_eq!(&buf[..len], b"WATCHDOG=1");
            pings += 1;
        }
        assert_eq!(pings, 5);
    }
}
