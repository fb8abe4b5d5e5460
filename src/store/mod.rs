//! The store: SQLite in WAL mode behind one writer thread with group commit.

use std::path::{Path, PathBuf};

pub mod rows;

use crate::config::StoreConfig;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database {path} has schema version {found}, newer than this ladderd supports ({supported}); upgrade ladderd or restore a backup"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("not built yet")]
    NotBuilt,
}

pub fn migrate(_config: &StoreConfig) -> Result<String, StoreError> {
    Err(StoreError::NotBuilt)
}

pub fn backup(_src: &Path, _dest: &Path) -> Result<u64, StoreError> {
    Err(StoreError::NotBuilt)
}
