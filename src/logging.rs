//! Logging: human-readable records on a terminal, compact one-line records
//! otherwise (journald reads stderr). The level comes from `RUST_LOG` when set,
//! else from the configuration.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogConfig;

/// Installs the global subscriber. Calling it twice is harmless: the second
/// call keeps the first subscriber (tests call it from many places).
pub fn init(config: &LogConfig) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(config.level.as_directive()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if std::io::stderr().is_terminal() {
        builder.try_init()
    } else {
        // journald adds its own timestamps and colours nothing.
        builder.compact().without_time().with_ansi(false).try_init()
    };
    drop(result);
}
