//! `ladderd run` reloads its configuration on SIGHUP: the binary against the
//! local Discord simulator, its systemd notify socket and its stderr
//! watched. A good reload is applied (the lobby hears of the new map pool);
//! a bad one (unparsable, or a key that cannot change live) is refused with
//! the old configuration kept and the process running; SIGTERM still exits 0.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ladderd::sim::{SimConfig, Simulator};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::ladderd_bin;

/// Bounds on a hang, not performance assertions.
const WITHIN: Duration = Duration::from_secs(30);

struct Watched {
    child: Child,
    stderr: Arc<Mutex<String>>,
    notify: tokio::net::UnixDatagram,
    statuses: Vec<String>,
}

/// A failed assertion must not leave the process behind.
impl Drop for Watched {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Watched {
    fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), signal).unwrap();
    }

    /// The next notify datagram containing `needle` (earlier ones are kept).
    async fn notified(&mut self, needle: &str) -> String {
        let wait = async {
            let mut buf = vec![0u8; 4096];
            loop {
                let n = self.notify.recv(&mut buf).await.unwrap();
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                self.statuses.push(text.clone());
                if text.contains(needle) {
                    return text;
                }
            }
        };
        match tokio::time::timeout(WITHIN, wait).await {
            Ok(text) => text,
            Err(_) => panic!(
                "no notify message with {needle:?}; got {:?}\nstderr:\n{}",
                self.statuses,
                self.stderr.lock().unwrap()
            ),
        }
    }

    async fn logged(&self, needle: &str) {
        let stderr = self.stderr.clone();
        let found = tokio::time::timeout(WITHIN, async move {
            while !stderr.lock().unwrap().contains(needle) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            found.is_ok(),
            "stderr never said {needle:?}:\n{}",
            self.stderr.lock().unwrap()
        );
    }

    /// Waits for the exit (polling, so the runtime keeps serving the simulator).
    async fn exit_status(&mut self) -> std::process::ExitStatus {
        let exited = tokio::time::timeout(WITHIN, async {
            loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    return status;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        exited.unwrap_or_else(|_| panic!("ladderd did not exit:\n{}", self.stderr.lock().unwrap()))
    }

    fn still_running(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "ladderd exited:\n{}",
            self.stderr.lock().unwrap()
        );
    }
}

fn config(sim: &Simulator, dir: &std::path::Path, ladder: &str) -> String {
    let ids = sim.ids();
    format!(
        "[store]\npath = \"ladder.db\"\nsynchronous = \"normal\"\n\
         [discord]\nguild_id = {}\nlobby_channel_id = {}\napi_proxy = \"{}\"\ngateway_url = \"{}\"\n\
         [ops]\nhealth_log_interval_s = 0\n[replay]\nworkers = 1\nruntime_dir = {:?}\n{ladder}",
        ids.guild,
        ids.lobby,
        sim.http_addr(),
        sim.gateway_url(),
        dir.join("run"),
    )
}

const MAPS_AB: &str =
    "[ladder]\n[[ladder.maps]]\nname = \"Alcyone LE\"\n[[ladder.maps]]\nname = \"Amphion LE\"\n";
const MAPS_AC: &str = "[ladder]\n[[ladder.maps]]\nname = \"Alcyone LE\"\n[[ladder.maps]]\nname = \"Crimson Court LE\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_applies_a_good_config_and_keeps_the_running_one_on_a_bad_one() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ladderd.toml");
    std::fs::write(&path, config(&sim, dir.path(), MAPS_AB)).unwrap();
    let notify_path = dir.path().join("notify");
    let notify = tokio::net::UnixDatagram::bind(&notify_path).unwrap();
    let mut child = Command::new(ladderd_bin())
        .arg("--config")
        .arg(&path)
        .arg("run")
        .env_remove("CREDENTIALS_DIRECTORY")
        .env_remove("WATCHDOG_USEC")
        .env_remove("RUST_LOG")
        .env("DISCORD_TOKEN", &sim.config().token)
        .env("NOTIFY_SOCKET", &notify_path)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let reader = {
        let pipe = child.stderr.take().unwrap();
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
    let mut w = Watched {
        child,
        stderr,
        notify,
        statuses: Vec::new(),
    };
    w.notified("READY=1").await;
    let lobby = sim.ids().lobby;
    let lobby_says = |needle: &'static str| {
        let sim = &sim;
        async move {
            let seen = tokio::time::timeout(
                WITHIN,
                sim.wait_until(|s| {
                    s.channel_messages(lobby)
                        .iter()
                        .any(|m| m.content.contains(needle))
                }),
            )
            .await;
            assert!(seen.is_ok(), "the lobby never read {needle:?}");
        }
    };

    // A good reload: a map swapped and a restart-only key changed.
    let good = config(&sim, dir.path(), MAPS_AC)
        .replace("health_log_interval_s = 0", "health_log_interval_s = 600");
    std::fs::write(&path, &good).unwrap();
    w.signal(Signal::SIGHUP);
    let status = w.notified("STATUS=reloaded").await;
    assert!(status.contains("applied ladder.maps"), "{status}");
    assert!(
        status.contains("needs a restart, keeping the running value: ops.health_log_interval_s"),
        "{status}"
    );
    w.logged("configuration reloaded").await;
    lobby_says("added: Crimson Court LE; removed: Amphion LE").await;

    // Bad reloads: the file does not parse; a key that cannot change live.
    std::fs::write(&path, "[ladder\n").unwrap();
    w.signal(Signal::SIGHUP);
    let status = w.notified("STATUS=reload refused").await;
    assert!(status.contains("invalid config file"), "{status}");
    w.logged("configuration reload refused; the running configuration stays")
        .await;
    let not_live = good.replace("[ladder]\n", "[ladder]\nseason_name = \"Other\"\n");
    std::fs::write(&path, &not_live).unwrap();
    w.signal(Signal::SIGHUP);
    let status = w.notified("STATUS=reload refused").await;
    assert!(
        status.contains("`ladder.season_name` cannot change"),
        "{status}"
    );
    w.still_running();

    // The running config is still the good one: reloading it with one more
    // change applies just that change (the pool is not reported again).
    std::fs::write(
        &path,
        good.replace("[ladder]\n", "[ladder]\nwave_interval_s = 60\n"),
    )
    .unwrap();
    w.signal(Signal::SIGHUP);
    let status = w.notified("STATUS=reloaded").await;
    assert!(
        status.contains("applied ladder.wave_interval_s;"),
        "{status}"
    );
    assert!(!status.contains("ladder.maps"), "{status}");
    w.still_running();

    w.signal(Signal::SIGTERM);
    let exited = w.exit_status().await;
    reader.join().unwrap();
    let stderr = w.stderr.lock().unwrap().clone();
    assert_eq!(exited.code(), Some(0), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
    sim.shutdown().await;
}
