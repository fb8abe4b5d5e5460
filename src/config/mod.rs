//! Configuration: one TOML file, read in two steps (the ripgrep way).
//!
//! 1. [`RawConfig`] mirrors the file: serde structs with `deny_unknown_fields`,
//!    so a typo'd key is an error naming the key, its line and its column.
//!    Field values that can be checked alone are checked while deserializing
//!    (newtypes with `try_from`), so their errors carry the position too.
//! 2. [`Config`] is the validated result that the rest of the program uses;
//!    checks that span several fields happen in `validate`, and report the
//!    position through [`toml::Spanned`] where the raw type keeps one.
//!
//! The bot token never lives in the file: see [`DiscordToken`].

mod discord;
pub mod keys;
mod ladder;
mod ops;
pub mod reload;
mod replay;
pub mod token;
mod web;

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use discord::{DiscordConfig, MAX_SHARDS, ShardCount};
pub use ladder::{
    LadderConfig, MapInfo, MatcherStrategy, MatchmakerConfig, Race, RatingConfig, RatingSystem,
    Region, ResultPolicy,
};
pub use ops::OpsConfig;
pub use replay::ReplayConfig;
pub use token::{DiscordToken, TokenSource};
pub use web::WebConfig;

/// Files larger than this are refused before parsing: a config is a few KiB.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Why a configuration was refused. Every variant names the file; value
/// errors name the key and, where the file has one, its line and column.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path} is {size} bytes; the limit is {MAX_CONFIG_BYTES}")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid config file {path}: `{key}`{at}: {message}")]
    Invalid {
        path: PathBuf,
        key: String,
        at: Location,
        message: String,
    },
    #[error("{0}")]
    Token(#[from] token::TokenError),
}

/// A line and column (both from 1) in the config file, or nowhere (a default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location(pub Option<(usize, usize)>);

impl Location {
    pub fn of_span(source: &str, span: std::ops::Range<usize>) -> Location {
        let upto = &source[..span.start.min(source.len())];
        let line = upto.matches('\n').count() + 1;
        let column = upto.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
        Location(Some((line, column)))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((line, column)) => write!(f, " at line {line}, column {column}"),
            None => Ok(()),
        }
    }
}

/// Context for cross-field validation: knows the file and its text so an
/// error can point at the offending key.
pub struct Validator<'a> {
    pub path: &'a Path,
    pub source: &'a str,
}

impl Validator<'_> {
    pub fn invalid(
        &self,
        key: &str,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            at: span.map_or(Location::default(), |s| Location::of_span(self.source, s)),
            message: message.into(),
        }
    }
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub log: RawLog,
    #[serde(default)]
    pub store: RawStore,
    #[serde(default)]
    pub discord: discord::RawDiscord,
    #[serde(default)]
    pub replay: replay::RawReplay,
    #[serde(default)]
    pub ladder: ladder::RawLadder,
    #[serde(default)]
    pub ops: ops::RawOps,
    #[serde(default)]
    pub web: web::RawWeb,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub log: LogConfig,
    pub store: StoreConfig,
    pub discord: DiscordConfig,
    pub replay: ReplayConfig,
    pub ladder: LadderConfig,
    pub ops: OpsConfig,
    pub web: WebConfig,
}

impl Config {
    /// Reads, parses and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let read_err = |source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        };
        let size = std::fs::metadata(path).map_err(read_err)?.len();
        if size > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge {
                path: path.to_path_buf(),
                size,
            });
        }
        let text = std::fs::read_to_string(path).map_err(read_err)?;
        Config::from_toml(path, &text)
    }

    /// Parses and validates `text`; `path` is only used in messages and to
    /// resolve relative paths in the file.
    pub fn from_toml(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let v = Validator { path, source: text };
        Ok(Config {
            log: LogConfig {
                level: raw.log.level,
            },
            store: StoreConfig::validate(raw.store, &v)?,
            discord: discord::validate(raw.discord, &v)?,
            replay: replay::validate(raw.replay, &v)?,
            ladder: ladder::validate(raw.ladder, &v)?,
            ops: ops::validate(raw.ops, &v)?,
            web: web::validate(raw.web, &v)?,
        })
    }

    /// What `check-config` prints: every effective value, never the token.
    pub fn describe(&self, path: &Path) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "config {} is valid", path.display());
        let _ = writeln!(out, "[log] level = {}", self.log.level.as_directive());
        let s = &self.store;
        let _ = writeln!(
            out,
            "[store] path = {}, synchronous = {}, busy_timeout_ms = {}, \
             commit_max_batch = {}, commit_window_us = {}",
            s.path.display(),
            s.synchronous,
            s.busy_timeout_ms,
            s.commit_max_batch,
            s.commit_window_us
        );
        self.discord.describe(&mut out);
        self.replay.describe(&mut out);
        self.ladder.describe(&mut out);
        self.ops.describe(&mut out);
        self.web.describe(&mut out);
        match DiscordToken::from_env() {
            Ok(token) => {
                let _ = writeln!(out, "token: found in {} (not shown)", token.source());
            }
            Err(e) => {
                let _ = writeln!(out, "token: {e} — `ladderd run` would refuse to start");
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_directive(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    #[serde(default)]
    pub level: LogLevel,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    pub level: LogLevel,
}

/// How hard SQLite works to keep a commit (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// fsync the WAL on every commit: a commit survives power loss.
    #[default]
    Full,
    /// fsync only at checkpoints: a commit survives a crash of the process
    /// (even kill -9), but the last commits can be lost on power loss.
    Normal,
}

impl Synchronous {
    pub fn as_pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

impl fmt::Display for Synchronous {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Synchronous::Full => "full",
            Synchronous::Normal => "normal",
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    #[serde(default = "default_db_path")]
    pub path: toml::Spanned<PathBuf>,
    #[serde(default)]
    pub synchronous: Synchronous,
    #[serde(default = "default_busy_timeout_ms")]
    pub busy_timeout_ms: toml::Spanned<u64>,
    #[serde(default = "default_commit_max_batch")]
    pub commit_max_batch: toml::Spanned<u64>,
    #[serde(default = "default_commit_window_us")]
    pub commit_window_us: toml::Spanned<u64>,
}

fn default_db_path() -> toml::Spanned<PathBuf> {
    toml::Spanned::new(0..0, PathBuf::from("/var/lib/ladderd/ladderd.db"))
}
fn default_busy_timeout_ms() -> toml::Spanned<u64> {
    toml::Spanned::new(0..0, 5_000)
}
fn default_commit_window_us() -> toml::Spanned<u64> {
    toml::Spanned::new(0..0, 0)
}
fn default_commit_max_batch() -> toml::Spanned<u64> {
    toml::Spanned::new(0..0, 4_096)
}

impl Default for RawStore {
    fn default() -> Self {
        RawStore {
            path: default_db_path(),
            synchronous: Synchronous::default(),
            busy_timeout_ms: default_busy_timeout_ms(),
            commit_max_batch: default_commit_max_batch(),
            commit_window_us: default_commit_window_us(),
        }
    }
}

/// Where the database lives and how the writer commits.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// The SQLite file; `-wal` and `-shm` files sit beside it.
    pub path: PathBuf,
    pub synchronous: Synchronous,
    pub busy_timeout_ms: u64,
    /// At most this many queued batches go into one transaction.
    pub commit_max_batch: usize,
    /// After the first queued batch, wait at most this long for more before
    /// committing. 0 (the default) adds no latency: batches that arrive while a
    /// commit is in flight are taken together into the next one anyway.
    pub commit_window_us: u64,
}

/// Span of a spanned default: defaults carry `0..0`, which means "not in the file".
pub(crate) fn span_of<T>(s: &toml::Spanned<T>) -> Option<std::ops::Range<usize>> {
    let span = s.span();
    (span != (0..0)).then_some(span)
}

impl StoreConfig {
    /// A config for tests and tools: the database at `path`, defaults elsewhere.
    pub fn at(path: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            path: path.into(),
            synchronous: Synchronous::Full,
            busy_timeout_ms: 5_000,
            commit_max_batch: 4_096,
            commit_window_us: 0,
        }
    }

    fn validate(raw: RawStore, v: &Validator<'_>) -> Result<StoreConfig, ConfigError> {
        let path = raw.path.get_ref();
        if path.as_os_str().is_empty() {
            return Err(v.invalid("store.path", span_of(&raw.path), "must not be empty"));
        }
        if path.is_dir() {
            return Err(v.invalid(
                "store.path",
                span_of(&raw.path),
                format!("{} is a directory; name the database file", path.display()),
            ));
        }
        let path = if path.is_relative() {
            // Relative to the config file, so a config works wherever it is run from.
            v.path.parent().unwrap_or_else(|| Path::new(".")).join(path)
        } else {
            path.clone()
        };
        let busy = *raw.busy_timeout_ms.get_ref();
        if !(1..=600_000).contains(&busy) {
            return Err(v.invalid(
                "store.busy_timeout_ms",
                span_of(&raw.busy_timeout_ms),
                format!("{busy} is out of range 1..=600000"),
            ));
        }
        let max_batch = *raw.commit_max_batch.get_ref();
        if !(1..=1_000_000).contains(&max_batch) {
            return Err(v.invalid(
                "store.commit_max_batch",
                span_of(&raw.commit_max_batch),
                format!("{max_batch} is out of range 1..=1000000"),
            ));
        }
        let window = *raw.commit_window_us.get_ref();
        if window > 100_000 {
            return Err(v.invalid(
                "store.commit_window_us",
                span_of(&raw.commit_window_us),
                format!("{window} is out of range 0..=100000 (at most 100 ms)"),
            ));
        }
        Ok(StoreConfig {
            path,
            synchronous: raw.synchronous,
            busy_timeout_ms: busy,
            commit_max_batch: max_batch as usize,
            commit_window_us: window,
        })
    }
}

#[cfg(test)]
mod tests;
