//! The supervisor frame booted in-process (mini-redis style): it tells
//! systemd READY only when it is up, serves metrics, and on shutdown flushes
//! the store, says STOPPING and returns; a second boot sees what the first
//! committed.

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use ladderd::config::Config;
use ladderd::ops::notify::Notifier;
use ladderd::store::rows::{PlayerRow, PlayerState, Write};
use ladderd::supervisor::{self, Environment};
use tokio_util::sync::CancellationToken;

fn player(id: u64) -> PlayerRow {
    PlayerRow {
        discord_id: id,
        discord_name: format!("p{id}"),
        ingame_name: None,
        battletag: None,
        alt_names: vec![],
        country: None,
        region: None,
        tos_accepted_at: Some(1),
        setup_at: None,
        state: PlayerState::Idle,
        aborts_left: 3,
        aborts_month: None,
        banned: false,
        ban_reason: None,
        is_admin: false,
        queue_cooldown_until: None,
        created_at: 1,
        updated_at: 1,
    }
}

fn recv_all(sock: &UnixDatagram) -> Vec<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n) = sock.recv(&mut buf) {
        out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boots_serves_and_stops_cleanly_twice() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("ladderd.toml");
    let text = "[store]\npath = \"ladder.db\"\n[ops]\nmetrics_listen = \"127.0.0.1:0\"\nhealth_log_interval_s = 1\n";
    let config = Config::from_toml(&config_path, text).unwrap();
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();

    for boot in 0..2u64 {
        let shutdown = CancellationToken::new();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let env = Environment {
            notifier: Notifier::to_socket(&notify_path, Some(Duration::from_secs(2))),
        };
        let sup = tokio::spawn(supervisor::run(
            config.clone(),
            env,
            shutdown.clone(),
            move |running| {
                let _ = tx.send(running);
            },
        ));
        let running = tokio::time::timeout(Duration::from_secs(10), rx)
            .await
            .unwrap()
            .unwrap();
        // The second boot sees the first boot's committed player.
        let seen: Vec<u64> = running
            .snapshot
            .players
            .iter()
            .map(|p| p.discord_id)
            .collect();
        assert_eq!(
            seen,
            (0..boot).map(|b| 100 + b).collect::<Vec<_>>(),
            "boot {boot}"
        );
        running
            .writer
            .submit(vec![Write::Player(player(100 + boot))])
            .await
            .unwrap();

        let addr = running.metrics_addr.expect("metrics_listen was set");
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut body = String::new();
        s.read_to_string(&mut body).await.unwrap();
        assert!(body.starts_with("HTTP/1.1 200"), "{body}");

        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(10), sup)
            .await
            .expect("supervisor stops within 10 s")
            .unwrap()
            .unwrap();
        let messages = tokio::task::spawn_blocking({
            let notify = notify.try_clone().unwrap();
            move || recv_all(&notify)
        })
        .await
        .unwrap();
        let ready = messages.iter().position(|m| m.starts_with("READY=1"));
        let stopping = messages.iter().position(|m| m.starts_with("STOPPING=1"));
        assert!(
            ready.is_some() && stopping.is_some() && ready < stopping,
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m == "WATCHDOG=1"), "{messages:?}");
    }
}
