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
