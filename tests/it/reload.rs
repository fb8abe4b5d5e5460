//! `ladderd run` reloads its configuration on SIGHUP: the binary against the
//! local Discord simulator, its systemd notify socket and its stderr
//! watched. A good reload is applied (the lobby hears of the new map pool);
//! a bad one (unparsable, or a key that cannot change live) is refused with
//! the old configuration kept and the process running; SIGTERM still exits 0.

use ladderd::sim::{SimConfig, Simulator};
use nix::sys::signal::Signal;

use crate::support::e2e::{BootOptions, config_text};
use crate::support::process::Ladderd;
use crate::support::wait::sim_until;

fn config(sim: &Simulator, dir: &std::path::Path, ladder: &str) -> String {
    let opts = BootOptions {
        extra: ladder,
        ..BootOptions::default()
    };
    config_text(sim, dir, &opts, true)
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
    let mut w = Ladderd::run(&path, &sim.config().token, Some(&notify_path));
    w.notified("READY=1").await;
    let lobby = sim.ids().lobby;
    let lobby_says = |needle: &'static str| {
        let sim = &sim;
        async move {
            sim_until(sim, &format!("the lobby to read {needle:?}"), |s| {
                s.channel_messages(lobby)
                    .iter()
                    .any(|m| m.content.contains(needle))
            })
            .await;
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
    w.assert_running();

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
    w.assert_running();

    w.signal(Signal::SIGTERM);
    let exited = w.exit_status().await;
    let stderr = w.stderr();
    assert_eq!(exited.code(), Some(0), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
    sim.shutdown().await;
}
