use std::path::Path;

use super::*;

fn load(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml(Path::new("/etc/ladderd/test.toml"), text)
}

fn invalid_at(text: &str) -> (String, Location) {
    match load(text) {
        Err(ConfigError::Invalid { key, at, .. }) => (key, at),
        other => panic!("expected an invalid value, got {other:?}"),
    }
}

#[test]
fn empty_file_means_all_defaults() {
    let c = load("").unwrap();
    assert_eq!(c.store.path, Path::new("/var/lib/ladderd/ladderd.db"));
    assert_eq!(c.store.synchronous, Synchronous::Full);
    assert_eq!(c.discord.shards, ShardCount::Fixed(1));
    assert_eq!(c.ops.metrics_listen, None);
}

#[test]
fn shards_are_a_number_or_auto() {
    assert_eq!(
        load("[discord]\nshards = 3\n").unwrap().discord.shards,
        ShardCount::Fixed(3)
    );
    assert_eq!(
        load("[discord]\nshards = \"auto\"\n")
            .unwrap()
            .discord
            .shards,
        ShardCount::Auto
    );
}

#[test]
fn relative_store_path_is_relative_to_the_config_file() {
    let c = load("[store]\npath = \"db/ladder.db\"\n").unwrap();
    assert_eq!(c.store.path, Path::new("/etc/ladderd/db/ladder.db"));
}

#[test]
fn bad_values_name_key_line_and_column() {
    assert_eq!(
        invalid_at("[discord]\napi_proxy = \"http://x:1\"\n"),
        ("discord.api_proxy".into(), Location(Some((2, 13))))
    );
    assert_eq!(
        invalid_at("[discord]\nshards = 0\n"),
        ("discord.shards".into(), Location(Some((2, 10))))
    );
    assert_eq!(invalid_at("[discord]\nshards = 65\n").0, "discord.shards");
    assert_eq!(invalid_at("[discord]\nshards = -1\n").0, "discord.shards");
    assert_eq!(
        invalid_at("[discord]\nshards = \"many\"\n"),
        ("discord.shards".into(), Location(Some((2, 10))))
    );
    assert_eq!(
        invalid_at("[discord]\ngateway_url = \"ws://127.0.0.1:9/\"\n").0,
        "discord.gateway_url"
    );
    assert_eq!(
        invalid_at("[ops]\nmetrics_listen = \"0.0.0.0:9464\"\n").0,
        "ops.metrics_listen"
    );
    assert_eq!(
        invalid_at("[store]\n\ncommit_window_us = 1000000\n"),
        ("store.commit_window_us".into(), Location(Some((3, 20))))
    );
}

#[test]
fn parse_errors_carry_the_position_and_the_key() {
    let err = load("[discord]\nguild_id = 0\n").unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("never 0"), "{err}");
    let err = load("[stor]\n").unwrap_err().to_string();
    assert!(err.contains("stor"), "{err}");
}

#[test]
fn oversized_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(MAX_CONFIG_BYTES + 1).unwrap();
    assert!(matches!(
        Config::load(&path),
        Err(ConfigError::TooLarge { .. })
    ));
}

/// The Discord endpoints are for the simulator (or a local proxy): loopback
/// only, except Discord's own gateway.
#[test]
fn discord_endpoints_are_loopback_or_discord() {
    for bad in [
        "api_proxy = \"example.com:80\"",
        "api_proxy = \"10.0.0.1:8080\"",
        "gateway_url = \"ws://10.0.0.1:1\"",
        "gateway_url = \"wss://evil.example:443\"",
        "gateway_url = \"wss://gateway.discord.gg.evil.example\"",
    ] {
        let key = invalid_at(&format!("[discord]\n{bad}\n")).0;
        assert!(bad.starts_with(key.trim_start_matches("discord.")), "{bad}");
    }
    for good in [
        "api_proxy = \"127.0.0.1:47801\"",
        "api_proxy = \"localhost:47801\"",
        "api_proxy = \"[::1]:47801\"",
        "gateway_url = \"ws://127.0.0.1:47802\"",
        "gateway_url = \"wss://gateway.discord.gg\"",
    ] {
        assert!(load(&format!("[discord]\n{good}\n")).is_ok(), "{good}");
    }
}
