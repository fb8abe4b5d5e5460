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
