//! All integration tests, in one binary (one link, shared helpers).

mod cli;
mod store_crash;
mod support;
mod systemd;
