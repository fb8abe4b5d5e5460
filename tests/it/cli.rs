//! The command line as a user meets it.

use std::process::Command;

use crate::support::{ladderd_bin, repo_root};

#[test]
fn example_config_is_accepted() {
    let out = Command::new(ladderd_bin())
        .arg("check-config")
        .arg(repo_root().join("ladderd.example.toml"))
        .env_remove("DISCORD_TOKEN")
        .env_remove("CREDENTIALS_DIRECTORY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("is valid"), "{stdout}");
}

#[test]
fn typo_in_a_key_names_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[log]\nlevel = \"info\"\n\n[store]\nsynchronus = \"full\"\n",
    )
    .unwrap();
    let out = Command::new(ladderd_bin())
        .arg("check-config")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(stderr.contains("synchronus"), "{stderr}");
    assert!(stderr.contains("line 5"), "{stderr}");
}

#[test]
fn bad_value_names_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[replay]\nworkers = 0\n").unwrap();
    let out = Command::new(ladderd_bin())
        .arg("check-config")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(stderr.contains("replay.workers"), "{stderr}");
    assert!(stderr.contains("line 2, column 11"), "{stderr}");
}

#[test]
fn unbuilt_subcommands_say_so_and_fail() {
    for args in [&["demo"][..], &["parse", "x.SC2Replay"][..]] {
        let out = Command::new(ladderd_bin()).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(69), "{args:?}: {stderr}");
        assert!(stderr.contains("not built yet"), "{stderr}");
    }
}
