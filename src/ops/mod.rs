//! Operations: what the sysadmin sees of a running ladderd — systemd
//! notifications and watchdog, signals, health reports, Prometheus metrics.
//! The supervisor wires these together; each is usable and tested alone.

pub mod health;
pub mod latency;
pub mod metrics;
pub mod notify;
pub mod rate;
pub mod sandbox;
pub mod signals;
