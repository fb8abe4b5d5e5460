//! All integration tests, in one binary (one link, shared helpers).

#[cfg(feature = "sim")]
mod bench;
mod cli;
mod crash;
#[cfg(feature = "sim")]
mod crash_kill;
#[cfg(feature = "sim")]
mod demo;
#[cfg(feature = "sim")]
mod e2e;
#[cfg(feature = "sim")]
mod e2e_flows;
mod hostile;
mod ops;
#[cfg(feature = "sim")]
mod reload;
mod replay;
mod replay_pool;
mod sandbox;
#[cfg(feature = "sim")]
mod sigterm;
#[cfg(feature = "sim")]
mod sim_faults;
#[cfg(feature = "sim")]
mod sim_gateway;
#[cfg(feature = "sim")]
mod sim_outbound;
#[cfg(feature = "sim")]
mod sim_players;
#[cfg(feature = "sim")]
mod sim_realism;
#[cfg(feature = "sim")]
mod sim_rest;
mod store_crash;
mod supervisor;
mod support;
mod systemd;
