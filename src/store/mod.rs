//! The store: SQLite in WAL mode, written by one thread with group commit.
//!
//! * [`Store::open`] opens (and migrates) the database and starts the writer
//!   thread; [`StoreWriter`] is its cloneable async handle. A caller submits a
//!   batch of [`Write`]s and awaits its commit; the writer takes every batch
//!   waiting into one transaction, commits, and only then acknowledges each.
//! * Reads never go through the writer: [`Store::load`] reads the whole state
//!   once at start-up on a separate read-only connection.
//! * [`migrate`] and [`backup`] serve the `migrate` and `backup` subcommands.

pub mod migrations;
pub mod rows;
pub mod sql;
mod writer;

use std::path::{Path, PathBuf};
#[cfg(test)]
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::config::{StoreConfig, Synchronous};

pub use migrations::{MigrationReport, latest_version};
pub use rows::Write;
pub use sql::Snapshot;
pub use writer::{CommitInfo, PendingCommit, StoreWriter, WriterStats};

/// Why the store refused or failed. Each variant names the database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database {path} has schema version {found}, newer than this ladderd supports \
         ({supported}); run the newer ladderd or restore a backup"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error(
        "{path} is an SQLite database of another application (application_id {application_id:#x}), not ladderd's"
    )]
    NotLadderd { path: PathBuf, application_id: i32 },
    #[error("database {path}: {op}: {source}")]
    Sqlite {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database {path}: migration to version {version} failed: {source}")]
    Migration {
        path: PathBuf,
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database {path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "database {path}: journal mode is {mode:?}, not WAL (is the file on a filesystem without shared memory?)"
    )]
    NotWal { path: PathBuf, mode: String },
    #[error("database {path}: a row was refused: {source}")]
    Row {
        path: PathBuf,
        #[source]
        source: sql::RowError,
    },
    #[error("backup destination {0} already exists; refusing to overwrite it")]
    BackupExists(PathBuf),
    #[error("database {path}: commit failed, nothing in this batch was saved: {message}")]
    CommitFailed { path: PathBuf, message: String },
    #[error(
        "database {path}: refused, nothing of this request was saved: an earlier request failed ({cause}); ladderd must restart from the database"
    )]
    Poisoned { path: PathBuf, cause: String },
    #[error("the store writer has stopped; the write was not committed")]
    WriterGone,
}

impl StoreError {
    /// The database (or its directory) cannot be created or opened for
    /// writing: a deployment problem (permissions, read-only or missing
    /// state directory), not a data problem.
    pub fn is_cannot_open(&self) -> bool {
        match self {
            StoreError::Io { op, .. } => *op == "create the database directory",
            StoreError::Sqlite { op, source, .. } => {
                *op == "open"
                    || matches!(
                        source.sqlite_error_code(),
                        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                    )
            }
            _ => false,
        }
    }
}

fn sqlite_err<'a>(
    path: &'a Path,
    op: &'static str,
) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        op,
        source,
    }
}

/// Opens a read-write connection with the pragmas every connection needs.
/// Pragmas go outside any transaction: `journal_mode` cannot change inside one.
fn open_rw(config: &StoreConfig) -> Result<Connection, StoreError> {
    let path = &config.path;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: path.clone(),
            op: "create the database directory",
            source,
        })?;
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_err(path, "open"))?;
    conn.busy_timeout(Duration::from_millis(config.busy_timeout_ms))
        .map_err(sqlite_err(path, "set busy_timeout"))?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(sqlite_err(path, "set journal_mode=WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::NotWal {
            path: path.clone(),
            mode,
        });
    }
    set_synchronous(&conn, path, config.synchronous)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sqlite_err(path, "set foreign_keys"))?;
    Ok(conn)
}

fn set_synchronous(conn: &Connection, path: &Path, sync: Synchronous) -> Result<(), StoreError> {
    conn.pragma_update(None, "synchronous", sync.as_pragma())
        .map_err(sqlite_err(path, "set synchronous"))
}

/// Opens a read-only connection (for loading state and for backups).
fn open_ro(path: &Path, busy_timeout_ms: u64) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_err(path, "open read-only"))?;
    conn.busy_timeout(Duration::from_millis(busy_timeout_ms))
        .map_err(sqlite_err(path, "set busy_timeout"))?;
    Ok(conn)
}

/// `ladderd migrate`: create the database or bring its schema up to date.
pub fn migrate(config: &StoreConfig) -> Result<MigrationReport, StoreError> {
    let mut conn = open_rw(config)?;
    migrations::migrate(&mut conn, &config.path)
}

/// An open store: the writer thread and what is needed to read.
pub struct Store {
    config: StoreConfig,
    writer: StoreWriter,
    thread: Option<std::thread::JoinHandle<()>>,
    pub migration: MigrationReport,
}

impl Store {
    /// Opens the database, applies pending migrations and starts the writer.
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        let mut conn = open_rw(config)?;
        let migration = migrations::migrate(&mut conn, &config.path)?;
        let (writer, thread) = writer::spawn(conn, config)?;
        Ok(Store {
            config: config.clone(),
            writer,
            thread: Some(thread),
            migration,
        })
    }

    /// A handle for submitting writes; clone it freely.
    pub fn writer(&self) -> StoreWriter {
        self.writer.clone()
    }

    /// Reads the whole ladder state on a separate read-only connection.
    /// Blocking (disk): call it from `spawn_blocking` inside a runtime.
    pub fn load(&self) -> Result<Snapshot, StoreError> {
        load_snapshot(&self.config)
    }

    /// Stops accepting writes, commits everything already submitted (unless
    /// the writer is poisoned: then nothing more is written), and waits for the writer thread to finish. Blocking: call it from
    /// `spawn_blocking` inside a runtime.
    pub fn close(mut self) {
        self.writer.request_close();
        if let Some(thread) = self.thread.take() {
            // A panic in the writer thread was already reported by the panic hook.
            let _ = thread.join();
        }
    }
}

impl Drop for Store {
    /// A store dropped without `close` (an early error return) still commits
    /// what was submitted: the writer finishes its queue on its own thread.
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.writer.request_close();
        }
    }
}

/// [`load_snapshot`], each match handed to `add` as it is read instead of
/// collected; `start` gets the number of matches first, to size what it
/// builds. Blocking.
pub fn load_snapshot_with<L>(
    config: &StoreConfig,
    start: impl FnOnce(usize) -> L,
    mut add: impl FnMut(&mut L, crate::store::rows::MatchRow),
) -> Result<(Snapshot, L), StoreError> {
    let conn = open_ro(&config.path, config.busy_timeout_ms)?;
    let row_err = |source| StoreError::Row {
        path: config.path.clone(),
        source,
    };
    let mut loaded = start(sql::count_matches(&conn).map_err(row_err)?);
    let snap = sql::load_with(&conn, &mut |m| add(&mut loaded, m)).map_err(row_err)?;
    Ok((snap, loaded))
}

/// Reads the whole ladder state on a new read-only connection. Blocking.
pub fn load_snapshot(config: &StoreConfig) -> Result<Snapshot, StoreError> {
    let conn = open_ro(&config.path, config.busy_timeout_ms)?;
    sql::load(&conn).map_err(|source| StoreError::Row {
        path: config.path.clone(),
        source,
    })
}

/// `ladderd backup DEST`: a consistent copy of the live database, made with
/// SQLite's online backup API in one step (one read transaction, so the copy
/// is a snapshot even while the writer commits), written to a temporary file,
/// checked, fsynced and then renamed into place.
pub fn backup(src: &Path, dest: &Path) -> Result<u64, StoreError> {
    if dest.exists() {
        return Err(StoreError::BackupExists(dest.to_path_buf()));
    }
    let from = open_ro(src, 10_000)?;
    let mut tmp_name = dest.as_os_str().to_owned();
    tmp_name.push(".partial");
    let tmp = PathBuf::from(tmp_name);
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut to = Connection::open(&tmp).map_err(sqlite_err(&tmp, "create backup file"))?;
        let pages = {
            let step = rusqlite::backup::Backup::new(&from, &mut to)
                .map_err(sqlite_err(dest, "start backup"))?;
            loop {
                // -1: copy every page in one step, i.e. in one read transaction.
                match step.step(-1).map_err(sqlite_err(src, "copy pages"))? {
                    rusqlite::backup::StepResult::Done => break,
                    _ => std::thread::sleep(Duration::from_millis(50)),
                }
            }
            step.progress().pagecount
        };
        // The copy keeps the source's journal mode; make it a self-contained file.
        let _: String = to
            .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))
            .map_err(sqlite_err(&tmp, "set journal_mode on copy"))?;
        let check: String = to
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(sqlite_err(&tmp, "check copy"))?;
        if check != "ok" {
            return Err(StoreError::Io {
                path: tmp.clone(),
                op: "check the copy",
                source: std::io::Error::other(check),
            });
        }
        drop(to);
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|source| StoreError::Io {
                path: tmp.clone(),
                op: "fsync the copy",
                source,
            })?;
        Ok(pages.max(0) as u64)
    })();
    match result {
        Ok(pages) => {
            std::fs::rename(&tmp, dest).map_err(|source| StoreError::Io {
                path: dest.to_path_buf(),
                op: "move the copy into place",
                source,
            })?;
            Ok(pages)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests;
