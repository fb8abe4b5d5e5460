//! Schema migrations by `PRAGMA user_version`, hand-rolled.
//!
//! Why not `rusqlite_migration`: the whole scheme is this file (~60 lines),
//! it must refuse a database from a newer ladderd (a downgrade would silently
//! drop columns' meaning), check the file really is a ladderd database
//! (`application_id`), and run inside an IMMEDIATE transaction so two
//! processes migrating at once cannot interleave — all easier to see and test
//! here than through a crate's options.
//!
//! Rule: a migration, once landed, is never edited. Add a new file and a new
//! entry at the end of [`MIGRATIONS`].

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// `PRAGMA application_id` of a ladderd database: "LADD" in ASCII.
pub const APPLICATION_ID: i32 = 0x4C41_4444;

/// Migration `i` (0-based) takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_outbox.sql"),
    include_str!("migrations/0003_player_reach.sql"),
    include_str!("migrations/0004_player_locale.sql"),
    include_str!("migrations/0005_fairness_presence.sql"),
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationReport {
    pub from: i64,
    pub to: i64,
}

impl std::fmt::Display for MigrationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "schema is up to date (version {})", self.to)
        } else {
            write!(
                f,
                "schema migrated from version {} to {}",
                self.from, self.to
            )
        }
    }
}

/// Brings the schema of `conn` to [`latest_version`]. Pragmas that cannot run
/// inside a transaction (journal mode …) must already be set by the caller.
pub fn migrate(
    conn: &mut Connection,
    path: &std::path::Path,
) -> Result<MigrationReport, StoreError> {
    let err = |op: &'static str| {
        move |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            op,
            source,
        }
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err("begin migration"))?;
    // Read inside the IMMEDIATE transaction: another process may have just migrated.
    let app_id: i32 = tx
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(err("read application_id"))?;
    let from: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err("read user_version"))?;
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(StoreError::NotLadderd {
            path: path.to_path_buf(),
            application_id: app_id,
        });
    }
    if from > latest_version() {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: from,
            supported: latest_version(),
        });
    }
    if from == 0 {
        let has_tables: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table')",
                [],
                |r| r.get(0),
            )
            .map_err(err("inspect schema"))?;
        if has_tables && app_id != APPLICATION_ID {
            return Err(StoreError::NotLadderd {
                path: path.to_path_buf(),
                application_id: app_id,
            });
        }
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration {
                path: path.to_path_buf(),
                version: i as i64 + 1,
                source,
            })?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(err("write application_id"))?;
    tx.pragma_update(None, "user_version", latest_version())
        .map_err(err("write user_version"))?;
    tx.commit().map_err(err("commit migration"))?;
    Ok(MigrationReport {
        from,
        to: latest_version(),
    })
}
