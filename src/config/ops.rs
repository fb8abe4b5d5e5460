//! `[ops]`: health reports, the metrics endpoint, shutdown timing.

use std::fmt::Write as _;
use std::net::SocketAddr;

use serde::Deserialize;

use super::{ConfigError, Validator, span_of};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOps {
    #[serde(default = "default_health_interval")]
    pub health_log_interval_s: toml::Spanned<u64>,
    pub metrics_listen: Option<toml::Spanned<SocketAddr>>,
    #[serde(default = "default_grace")]
    pub shutdown_grace_s: toml::Spanned<u64>,
}

fn default_health_interval() -> toml::Spanned<u64> {
    toml::Spanned::new(0..0, 300)
}
fn default_grace() -> toml::Spanned<u64> {
    toml::Spanned::new(0..0, 20)
}

impl Default for RawOps {
    fn default() -> Self {
        RawOps {
            health_log_interval_s: default_health_interval(),
            metrics_listen: None,
            shutdown_grace_s: default_grace(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OpsConfig {
    /// 0: never log health reports.
    pub health_log_interval_s: u64,
    /// Off when `None`; always a loopback address.
    pub metrics_listen: Option<SocketAddr>,
    /// How long a graceful shutdown may take before work in flight is dropped.
    pub shutdown_grace_s: u64,
}

pub(super) fn validate(raw: RawOps, v: &Validator<'_>) -> Result<OpsConfig, ConfigError> {
    let interval = *raw.health_log_interval_s.get_ref();
    if interval > 86_400 {
        return Err(v.invalid(
            "ops.health_log_interval_s",
            span_of(&raw.health_log_interval_s),
            format!("{interval} is out of range 0..=86400"),
        ));
    }
    let metrics_listen = match raw.metrics_listen {
        Some(addr) if !addr.get_ref().ip().is_loopback() => {
            return Err(v.invalid(
                "ops.metrics_listen",
                span_of(&addr),
                format!(
                    "{} is not a loopback address; the metrics endpoint has no authentication, \
                     so it only listens on 127.0.0.0/8 or [::1] (put a reverse proxy in front to expose it)",
                    addr.get_ref()
                ),
            ));
        }
        other => other.map(|a| *a.get_ref()),
    };
    let grace = *raw.shutdown_grace_s.get_ref();
    if !(1..=25).contains(&grace) {
        return Err(v.invalid(
            "ops.shutdown_grace_s",
            span_of(&raw.shutdown_grace_s),
            format!("{grace} is out of range 1..=25 (systemd's TimeoutStopSec is 30 s)"),
        ));
    }
    Ok(OpsConfig {
        health_log_interval_s: interval,
        metrics_listen,
        shutdown_grace_s: grace,
    })
}

impl OpsConfig {
    pub(super) fn describe(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "[ops] health_log_interval_s = {}, metrics_listen = {}, shutdown_grace_s = {}",
            self.health_log_interval_s,
            self.metrics_listen
                .map_or("(off)".to_owned(), |a| a.to_string()),
            self.shutdown_grace_s
        );
    }
}
