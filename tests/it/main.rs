//! All integration tests, in one binary (one link, shared helpers).

mod cli;
mod ops;
mod sim_gateway;
mod sim_outbound;
mod sim_players;
mod sim_rest;
mod store_crash;
mod supervisor;
mod support;
mod systemd;
