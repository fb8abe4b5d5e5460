//! `ladderd invite-url`: the invite link for the configured application,
//! with exactly the permissions `discord::permissions` says ladderd uses;
//! without `[discord] application_id` it says where to find the id.

use std::process::Command;

use crate::support::ladderd_bin;
use crate::support::wait::BoundedOutput as _;

fn invite_url(config: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ladderd.toml");
    std::fs::write(&path, config).unwrap();
    Command::new(ladderd_bin())
        .arg("--config")
        .arg(&path)
        .arg("invite-url")
        .bounded_output()
}

#[test]
fn invite_url_carries_the_application_and_the_computed_permissions() {
    let out = invite_url("[discord]\napplication_id = 123456789012345678\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout.trim(),
        format!(
            "https://discord.com/oauth2/authorize?client_id=123456789012345678\
             &scope=bot+applications.commands&permissions={}",
            ladderd::discord::permissions::invite_permissions()
        )
    );
}

#[test]
fn invite_url_without_an_application_id_says_where_to_find_it() {
    let out = invite_url("[discord]\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("application_id"), "{stderr}");
    assert!(stderr.contains("General Information"), "{stderr}");
}

/// The simulator's permission model with one permission taken away in the
/// lobby: `check-config --online` names it and the channel (exit 1), and
/// `ladderd run` logs the same as an ERROR once connected; with everything
/// granted, `--online` says so.
#[cfg(feature = "sim")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_permission_is_named_with_its_channel() {
    use ladderd::discord::permissions::bits;
    use ladderd::sim::{SimConfig, Simulator};

    use crate::support::e2e::{BootOptions, config_text};
    use crate::support::process::Ladderd;

    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ladderd.toml");
    std::fs::write(
        &path,
        config_text(&sim, dir.path(), &BootOptions::default(), true),
    )
    .unwrap();
    let token = sim.config().token.clone();
    let online = |path: std::path::PathBuf, token: String| {
        tokio::task::spawn_blocking(move || {
            Command::new(ladderd_bin())
                .arg("--config")
                .arg(&path)
                .args(["check-config", "--online"])
                .env("DISCORD_TOKEN", token)
                .env_remove("CREDENTIALS_DIRECTORY")
                .bounded_output()
        })
    };

    let out = online(path.clone(), token.clone()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("permissions: the bot can do"), "{stdout}");

    let lobby = sim.ids().lobby;
    sim.deny_bot(lobby, bits::SEND_MESSAGES);
    let out = online(path.clone(), token.clone()).await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "in the lobby channel ({lobby}) the bot lacks: Send Messages"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains("View Channel"),
        "only the one taken away: {stderr}"
    );

    let mut ladderd = Ladderd::run(&path, &token, Some(&dir.path().join("notify")));
    ladderd.notified("READY=1").await;
    ladderd
        .logged(&format!(
            "permissions: in the lobby channel ({lobby}) the bot lacks: Send Messages"
        ))
        .await;
    ladderd.signal(nix::sys::signal::Signal::SIGTERM);
    assert!(ladderd.exit_status().await.success());
}
