//! `[replay]`: the replay worker pool and its limits. Owned by the replay issue.

use std::fmt::Write as _;

use serde::Deserialize;

use super::{ConfigError, Validator, span_of};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplay {
    /// Number of worker processes; default: available CPUs.
    pub workers: Option<toml::Spanned<u64>>,
}

#[derive(Debug, Clone)]
pub struct ReplayConfig {
    pub workers: usize,
}

pub(super) fn validate(raw: RawReplay, v: &Validator<'_>) -> Result<ReplayConfig, ConfigError> {
    let workers = match raw.workers {
        Some(w) => {
            let n = *w.get_ref();
            if !(1..=64).contains(&n) {
                return Err(v.invalid(
                    "replay.workers",
                    span_of(&w),
                    format!("{n} is out of range 1..=64"),
                ));
            }
            n as usize
        }
        None => std::thread::available_parallelism().map_or(1, |n| n.get().min(64)),
    };
    Ok(ReplayConfig { workers })
}

impl ReplayConfig {
    pub(super) fn describe(&self, out: &mut String) {
        let _ = writeln!(out, "[replay] workers = {}", self.workers);
    }
}
