//! All integration tests, in one binary (one link, shared helpers).

#[cfg(feature = "sim")]
mod bench;
mod cli;
#[cfg(feature = "sim")]
mod community;
mod crash;
#[cfg(feature = "sim")]
mod crash_kill;
#[cfg(feature = "sim")]
mod delivery;
#[cfg(feature = "sim")]
mod demo;
#[cfg(feature = "sim")]
mod e2e;
#[cfg(feature = "sim")]
mod e2e_flows;
#[cfg(feature = "sim")]
mod evidence;
mod hostile;
#[cfg(feature = "sim")]
mod l10n;
mod ops;
mod ops_permissions;
mod ops_restore;
#[cfg(feature = "sim")]
mod ops_sim_run;
#[cfg(feature = "sim")]
mod ops_worker;
#[cfg(feature = "sim")]
mod presence;
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
#[cfg(feature = "sim")]
mod web;
