//! The try-out a sysadmin does before pointing ladderd at Discord, as two
//! processes: `ladderd sim --players 2 --matches 1` prints the `[discord]`
//! settings and token; `ladderd run` with them plays the simulator's two
//! virtual players' match through; SIGHUP applies a config change; SIGTERM
//! stops it cleanly; the database holds the completed, rated match.

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use nix::sys::signal::Signal;

use crate::support::e2e::query;
use crate::support::ladderd_bin;
use crate::support::process::Ladderd;
use crate::support::wait::{eventually, exit_of};

/// `ladderd sim` with its stdout collected line by line.
struct Sim {
    child: Child,
    out: Arc<Mutex<String>>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Sim {
    fn start() -> Sim {
        let mut child = Command::new(ladderd_bin())
            .args(["sim", "--http-listen", "127.0.0.1:0"])
            .args(["--gateway-listen", "127.0.0.1:0"])
            .args(["--players", "2", "--matches", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn ladderd sim");
        let pipe = child.stdout.take().unwrap();
        let out = Arc::new(Mutex::new(String::new()));
        let sink = out.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Sim { child, out }
    }

    fn said(&self, needle: &str) -> bool {
        self.out.lock().unwrap().contains(needle)
    }

    fn count(&self, needle: &str) -> usize {
        self.out.lock().unwrap().matches(needle).count()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ladderd_run_plays_a_match_on_ladderd_sim_then_reloads_and_stops() {
    let mut sim = Sim::start();
    eventually("ladderd sim to print its settings", || sim.said("# ready")).await;
    let printed = sim.out.lock().unwrap().clone();
    let discord: String = printed
        .lines()
        .skip_while(|l| *l != "[discord]")
        .take_while(|l| !l.starts_with("# and start"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(discord.contains("api_proxy = \"127.0.0.1:"), "{printed}");
    let token = printed
        .lines()
        .find_map(|l| l.trim_start_matches("#   ").strip_prefix("DISCORD_TOKEN="))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the token is printed")
        .to_owned();

    let dir = tempfile::tempdir().unwrap();
    let config = |wave: u32| {
        format!(
            "[store]\npath = \"ladder.db\"\nsynchronous = \"normal\"\n{discord}\n\
             [ops]\nhealth_log_interval_s = 0\n\
             [replay]\nworkers = 1\nruntime_dir = {:?}\n\
             [ladder]\nwave_interval_s = {wave}\n",
            dir.path().join("run")
        )
    };
    let path = dir.path().join("ladderd.toml");
    std::fs::write(&path, config(5)).unwrap();
    let mut ladderd = Ladderd::run(&path, &token, Some(&dir.path().join("notify")));
    ladderd.notified("READY=1").await;

    // The two virtual players sign up, queue, are matched at the next
    // wave (5 s), confirm and report.
    eventually("both players' match to end", || sim.count("is over") == 2).await;
    let completed: i64 = query(
        dir.path(),
        "SELECT count(*) FROM matches WHERE state = 'completed'",
    );
    assert_eq!(completed, 1, "sim said:\n{}", sim.out.lock().unwrap());

    std::fs::write(&path, config(6)).unwrap();
    ladderd.signal(Signal::SIGHUP);
    let status = ladderd.notified("STATUS=reloaded").await;
    assert!(status.contains("wave_interval_s"), "{status}");

    ladderd.signal(Signal::SIGTERM);
    let exit = ladderd.exit_status().await;
    assert!(exit.success(), "{exit:?}\n{}", ladderd.stderr());
    // Stopped cleanly: the store was closed (no WAL left to replay) and
    // the match and both ratings are there.
    let games: i64 = query(dir.path(), "SELECT sum(games) FROM ratings");
    assert_eq!(games, 2);
    assert!(
        !dir.path().join("ladder.db-wal").exists() || {
            std::fs::metadata(dir.path().join("ladder.db-wal"))
                .unwrap()
                .len()
                == 0
        }
    );

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(sim.child.id() as i32),
        Signal::SIGTERM,
    )
    .unwrap();
    let status = exit_of("ladderd sim", &mut sim.child);
    assert!(status.success(), "ladderd sim exited {status:?}");
}
