//! Replays: parse `.SC2Replay` files ([`parse`]), judge them against a match
//! ([`verify`]), and run the parsing in supervised worker processes ([`pool`],
//! [`worker`], over the frames of [`ipc`]). See ARCHITECTURE.md.

pub mod archive;
pub mod attributes;
pub mod bzip2;
pub mod cli;
pub mod corpus;
pub mod error;
pub mod init_data;
pub mod ipc;
pub mod mpq;
pub mod parse;
pub mod pool;
pub mod sha;
pub mod summary;
pub mod verify;
pub mod version;
pub mod worker;

pub use error::{ReplayError, Section};
pub use parse::{DEFAULT_MAX_BYTES, MIN_BASE_BUILD, ParseLevel, parse_bytes};
pub use pool::{Pool, PoolError, PoolOptions, PoolStats};
pub use sha::{BadSha256, Sha256};
pub use summary::{
    EventCounts, GameResult, ObserverSummary, PlayerSummary, Race, ReplaySummary, Winner,
    format_utc,
};

/// Reads `path` (refusing files over `max_bytes` before reading them whole) and parses it.
///
/// Only regular files are read: a FIFO, device or directory is refused
/// before it is opened (opening a FIFO for reading blocks until a writer
/// comes), and the file is opened non-blocking and checked again, so one
/// swapped in between cannot block either. The section caps of [`mpq`] apply
/// as in a worker.
pub fn parse_file(
    path: &std::path::Path,
    level: ParseLevel,
    max_bytes: u64,
) -> Result<ReplaySummary, ReplayError> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let io = |e: std::io::Error| ReplayError::Io(e.to_string());
    let not_regular = || ReplayError::Io("not a regular file".into());
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let size = meta.len();
    if size > max_bytes {
        return Err(ReplayError::TooLarge {
            bytes: size,
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::new();
    // The file may grow after the size check; never read more than one byte past the limit.
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    parse_bytes(&bytes, level, max_bytes)
}

/// Replaces the panic hook with one that logs at debug level: in `ladderd
/// parse` and in workers, s2protocol's panics are expected, caught per call
/// and reported as [`ReplayError::Corrupt`].
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        tracing::debug!("caught panic in a replay decoder: {info}");
    }));
}
