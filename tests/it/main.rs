//! All integration tests, in one binary (one link, shared helpers).

mod cli;
mod ops;
#[cfg(feature = "sim")]
mod sim_gateway;
#[cfg(feature = "sim")]
mod sim_outbound;
#[cfg(feature = "sim")]
mod sim_players;
#[cfg(feature = "sim")]
mod sim_rest;
mod store_crash;
mod supervisor;
mod support;
mod systemd;
