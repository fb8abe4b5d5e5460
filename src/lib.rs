//! ladderd: a StarCraft II 1v1 ladder that lives in a Discord server.
//!
//! See `ARCHITECTURE.md` for the code map. The binary (`bin/ladderd.rs`) only
//! parses the command line and calls [`cli::dispatch`].

#[cfg(feature = "sim")]
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
#[cfg(feature = "sim")]
pub mod demo;
pub mod discord;
pub mod l10n;
pub mod ladder;
pub mod ladder_loop;
pub mod logging;
pub mod ops;
pub mod replay;
#[cfg(feature = "sim")]
pub mod sim;
pub mod store;
pub mod supervisor;
pub mod web;
