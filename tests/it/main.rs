//! All integration tests, in one binary (one link, shared helpers).

mod cli;
mod ops;
mod replay;
mod replay_pool;
mod sandbox;
mod store_crash;
mod supervisor;
mod support;
mod systemd;
