//! All integration tests, in one binary (one link, shared helpers).

mod cli;
mod ops;
mod sandbox;
mod store_crash;
mod supervisor;
mod support;
mod systemd;
