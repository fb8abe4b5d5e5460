//! `ladderd run` as a child process, watched: its stderr collected as it is
//! written, its systemd notify datagrams received, every wait on it bounded
//! by [`WAIT`], and the process killed if a failed assertion drops it.

// The notify side is used by the simulator tests only.
#![cfg_attr(not(feature = "sim"), allow(dead_code))]

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::wait::{WAIT, bounded, try_eventually};

pub struct Ladderd {
    child: Child,
    stderr: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
    notify: Option<tokio::net::UnixDatagram>,
    /// Every notify datagram received so far.
    pub statuses: Vec<String>,
}

/// A failed assertion must not leave the process behind.
impl Drop for Ladderd {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Ladderd {
    /// `ladderd --config <config> run` with `DISCORD_TOKEN=token`, no
    /// credentials directory, no watchdog, no `RUST_LOG`; with
    /// `notify_socket`, systemd's notify socket is bound at that path.
    /// Call from inside a Tokio runtime.
    pub fn run(config: &Path, token: &str, notify_socket: Option<&Path>) -> Ladderd {
        Ladderd::run_with(config, token, notify_socket, false)
    }

    /// [`Ladderd::run`]; with `leak_fd`, started through a shell that leaves
    /// descriptor 9 (/dev/null) open across exec, as a careless parent does.
    pub fn run_with(
        config: &Path,
        token: &str,
        notify_socket: Option<&Path>,
        leak_fd: bool,
    ) -> Ladderd {
        let notify = notify_socket
            .map(|path| tokio::net::UnixDatagram::bind(path).expect("bind the notify socket"));
        let mut command = if leak_fd {
            let mut sh = Command::new("/bin/sh");
            sh.arg("-c")
                .arg("exec 9</dev/null; exec \"$0\" \"$@\"")
                .arg(super::ladderd_bin());
            sh
        } else {
            Command::new(super::ladderd_bin())
        };
        ladderd::cli::run_child(&mut command, config, token, notify_socket).stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn ladderd run");
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().expect("stderr is piped");
        let reader = {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    let mut s = stderr.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            })
        };
        Ladderd {
            child,
            stderr,
            reader: Some(reader),
            notify,
            statuses: Vec::new(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), signal).unwrap();
    }

    /// Everything ladderd has written to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The next notify datagram containing `needle` (earlier ones are kept
    /// in [`Ladderd::statuses`]).
    pub async fn notified(&mut self, needle: &str) -> String {
        let notify = self.notify.as_ref().expect("started with a notify socket");
        let statuses = &mut self.statuses;
        let wait = async {
            let mut buf = vec![0u8; 4096];
            loop {
                let n = notify.recv(&mut buf).await.unwrap();
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                statuses.push(text.clone());
                if text.contains(needle) {
                    return text;
                }
            }
        };
        match bounded(wait).await {
            Some(text) => text,
            None => panic!(
                "no notify message with {needle:?} within {WAIT:?}; got {:?}\nstderr:\n{}",
                self.statuses,
                self.stderr()
            ),
        }
    }

    /// Waits until stderr contains `needle`.
    pub async fn logged(&self, needle: &str) {
        let found = try_eventually(|| self.stderr.lock().unwrap().contains(needle)).await;
        assert!(
            found,
            "stderr never said {needle:?} within {WAIT:?}:\n{}",
            self.stderr()
        );
    }

    /// Waits for the exit (polling, so the runtime keeps serving a simulator
    /// in the same process), then for the end of stderr.
    pub async fn exit_status(&mut self) -> ExitStatus {
        let mut status = None;
        let exited = try_eventually(|| {
            status = self.child.try_wait().unwrap();
            status.is_some()
        })
        .await;
        assert!(
            exited,
            "ladderd did not exit within {WAIT:?}:\n{}",
            self.stderr()
        );
        // The pipe closes once ladderd and its workers are gone.
        if let Some(reader) = self.reader.take() {
            let closed = try_eventually(|| reader.is_finished()).await;
            assert!(closed, "ladderd's stderr stayed open after it exited");
        }
        status.expect("exited")
    }

    pub fn assert_running(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "ladderd exited:\n{}",
            self.stderr()
        );
    }
}
