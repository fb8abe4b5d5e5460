//! Shared helpers for the integration tests.

use std::path::PathBuf;

/// The `ladderd` binary built for this test run.
pub fn ladderd_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ladderd"))
}

/// The repository root (where `Cargo.toml` and `ladderd.example.toml` live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `tool` is on PATH. Under `CI=true` a missing tool fails the test
/// (CI must install what it needs); elsewhere the test reports it skipped.
pub fn require_tool(tool: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is not installed, and CI=true requires it"
        );
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}
#[cfg(feature = "sim")]
pub mod e2e;
pub mod mpq;
#[cfg(feature = "sim")]
pub mod sim;
