//! The command line as a user meets it.

use std::process::Command;

use crate::support::process::Ladderd;
use crate::support::wait::BoundedOutput as _;
use crate::support::{ladderd_bin, repo_root};

#[test]
fn example_config_is_accepted() {
    let out = Command::new(ladderd_bin())
        .arg("check-config")
        .arg(repo_root().join("ladderd.example.toml"))
        .env_remove("DISCORD_TOKEN")
        .env_remove("CREDENTIALS_DIRECTORY")
        .bounded_output();
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
        .bounded_output();
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
        .bounded_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(stderr.contains("replay.workers"), "{stderr}");
    assert!(stderr.contains("line 2, column 11"), "{stderr}");
}

#[test]
fn check_config_reports_the_token_source_never_the_token() {
    let out = Command::new(ladderd_bin())
        .arg("check-config")
        .arg(repo_root().join("ladderd.example.toml"))
        .env("DISCORD_TOKEN", "MTIzNDU2.secret-token-value")
        .bounded_output();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert!(all.contains("found in $DISCORD_TOKEN"), "{all}");
    assert!(!all.contains("secret-token-value"), "{all}");
}

#[test]
fn migrate_then_backup_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ladderd.toml");
    // A relative store path is relative to the config file.
    std::fs::write(
        &config,
        "[store]\npath = \"data/ladder.db\"\nsynchronous = \"normal\"\n",
    )
    .unwrap();
    let ladderd = |args: &[&str]| {
        let out = Command::new(ladderd_bin())
            .arg("--config")
            .arg(&config)
            .args(args)
            .bounded_output();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = ladderd(&["migrate"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("migrated from version 0"), "{stdout}");
    assert!(dir.path().join("data/ladder.db").exists());
    let (code, stdout, _) = ladderd(&["migrate"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("up to date"), "{stdout}");

    let dest = dir.path().join("copy.db");
    let dest_arg = dest.to_str().unwrap();
    let (code, stdout, stderr) = ladderd(&["backup", dest_arg]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("backed up"), "{stdout}");
    let version: i64 = rusqlite::Connection::open(&dest)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, ladderd::store::latest_version());
    let (code, _, stderr) = ladderd(&["backup", dest_arg]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
}

#[test]
fn a_newer_schema_is_refused_with_the_config_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ladder.db");
    let config = dir.path().join("ladderd.toml");
    std::fs::write(&config, format!("[store]\npath = {:?}\n", db)).unwrap();
    let status = Command::new(ladderd_bin())
        .arg("--config")
        .arg(&config)
        .arg("migrate")
        .bounded_output()
        .status;
    assert!(status.success());
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 1000)
        .unwrap();
    let out = Command::new(ladderd_bin())
        .arg("--config")
        .arg(&config)
        .arg("migrate")
        .bounded_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains("newer than this ladderd supports"),
        "{stderr}"
    );
}

#[test]
fn run_refuses_clearly_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |config: &str, token: Option<&str>| {
        let path = dir.path().join("run.toml");
        std::fs::write(&path, config).unwrap();
        let mut cmd = Command::new(ladderd_bin());
        cmd.arg("--config")
            .arg(&path)
            .arg("run")
            .env_remove("CREDENTIALS_DIRECTORY");
        match token {
            Some(t) => cmd.env("DISCORD_TOKEN", t),
            None => cmd.env_remove("DISCORD_TOKEN"),
        };
        let out = cmd.bounded_output();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let db = dir.path().join("state/ladder.db");
    let good = format!("[store]\npath = {:?}\n", db);

    let (code, stderr) = run(&good, None);
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("no bot token"), "{stderr}");

    // A state directory that cannot be created (its parent is a file).
    std::fs::write(dir.path().join("file"), "").unwrap();
    let unwritable = format!(
        "[store]\npath = {:?}\n",
        dir.path().join("file/sub/ladder.db")
    );
    let (code, stderr) = run(&unwritable, Some("tok"));
    assert_eq!(code, Some(73), "{stderr}");

    // Past the checks, `run` migrates the database and runs until told to stop:
    // here against a gateway that refuses connections (loopback, closed port),
    // so it never becomes READY; SIGTERM still stops it cleanly with exit 0.
    let offline = format!(
        "{good}[discord]\napi_proxy = \"127.0.0.1:9\"\ngateway_url = \"ws://127.0.0.1:9\"\n\
         [replay]\nworkers = 1\nruntime_dir = {:?}\n",
        dir.path().join("run")
    );
    let path = dir.path().join("run.toml");
    std::fs::write(&path, offline).unwrap();
    // The runtime only serves the bounded waits of the watched child.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut ladderd = Ladderd::run(&path, "tok", None);
        // `run` migrates, installs the signal handlers, then the supervisor
        // opens the (now current) schema and says so: from here SIGTERM is handled.
        ladderd.logged("schema is up to date").await;
        assert!(
            db.exists(),
            "the database is created and migrated at start-up"
        );
        ladderd.signal(nix::sys::signal::Signal::SIGTERM);
        let status = ladderd.exit_status().await;
        let stderr = ladderd.stderr();
        assert_eq!(status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("stopped"), "{stderr}");
    });
}
