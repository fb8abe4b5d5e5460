//! `[replay]`: the replay worker pool, its limits, and the verification
//! policy. Owned by the replay issue.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Validator, span_of};
use crate::replay::PoolOptions;
use crate::replay::ipc::MAX_DECODE_BYTES;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplay {
    /// Number of worker processes; default: available CPUs.
    pub workers: Option<toml::Spanned<u64>>,
    /// Where the worker sockets live; systemd's `RuntimeDirectory=ladderd`.
    pub runtime_dir: Option<PathBuf>,
    pub max_upload_bytes: Option<toml::Spanned<u64>>,
    pub job_deadline_ms: Option<toml::Spanned<u64>>,
    pub queue_bound: Option<toml::Spanned<u64>>,
    pub max_frame_bytes: Option<toml::Spanned<u64>>,
    pub rlimit_as_mib: Option<toml::Spanned<u64>>,
    pub rlimit_cpu_s: Option<toml::Spanned<u64>>,
    pub start_window_s: Option<toml::Spanned<u64>>,
    pub allow_observers: Option<bool>,
    pub uploads_per_minute: Option<toml::Spanned<u64>>,
}

#[derive(Debug, Clone)]
pub struct ReplayConfig {
    pub workers: usize,
    pub runtime_dir: PathBuf,
    pub max_upload_bytes: u64,
    pub job_deadline: Duration,
    pub queue_bound: usize,
    pub max_frame_bytes: u32,
    /// At least 256 (0 is refused: it would remove the limit).
    pub rlimit_as_mib: u64,
    /// At least 1 (0 is refused: it would remove the limit).
    pub rlimit_cpu_s: u64,
    pub start_window_s: u64,
    pub allow_observers: bool,
    /// Replay checks one player may ask for per minute.
    pub uploads_per_minute: u64,
}

pub const DEFAULT_RUNTIME_DIR: &str = "/run/ladderd";
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = crate::replay::DEFAULT_MAX_BYTES;
pub const DEFAULT_JOB_DEADLINE_MS: u64 = 5_000;
pub const DEFAULT_QUEUE_BOUND: u64 = 64;
pub const DEFAULT_MAX_FRAME_BYTES: u64 = crate::replay::ipc::DEFAULT_MAX_FRAME_BYTES as u64;
pub const DEFAULT_RLIMIT_AS_MIB: u64 = 1024;
pub const DEFAULT_RLIMIT_CPU_S: u64 = 60;
pub const DEFAULT_START_WINDOW_S: u64 = 600;
pub const DEFAULT_UPLOADS_PER_MINUTE: u64 = 5;

/// A frame carries the replay plus a little framing.
const FRAME_OVERHEAD: u64 = 4096;

/// The value of `key` if set and within `range`, else its default.
fn ranged(
    v: &Validator<'_>,
    key: &str,
    value: Option<toml::Spanned<u64>>,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, ConfigError> {
    match value {
        Some(s) => {
            let n = *s.get_ref();
            if range.contains(&n) {
                Ok(n)
            } else {
                Err(v.invalid(
                    key,
                    span_of(&s),
                    format!("{n} is out of range {}..={}", range.start(), range.end()),
                ))
            }
        }
        None => Ok(default),
    }
}

pub(super) fn validate(raw: RawReplay, v: &Validator<'_>) -> Result<ReplayConfig, ConfigError> {
    let workers = match raw.workers {
        Some(_) => ranged(v, "replay.workers", raw.workers, 1..=64, 1)? as usize,
        None => std::thread::available_parallelism().map_or(1, |n| n.get().min(64)),
    };
    let max_upload_bytes = ranged(
        v,
        "replay.max_upload_bytes",
        raw.max_upload_bytes,
        1024..=(MAX_DECODE_BYTES as u64 - FRAME_OVERHEAD),
        DEFAULT_MAX_UPLOAD_BYTES,
    )?;
    let frame_span = raw.max_frame_bytes.as_ref().and_then(span_of);
    let max_frame_bytes = ranged(
        v,
        "replay.max_frame_bytes",
        raw.max_frame_bytes,
        4096..=MAX_DECODE_BYTES as u64,
        DEFAULT_MAX_FRAME_BYTES.max(max_upload_bytes + FRAME_OVERHEAD),
    )?;
    if max_frame_bytes < max_upload_bytes + FRAME_OVERHEAD {
        return Err(v.invalid(
            "replay.max_frame_bytes",
            frame_span,
            format!(
                "{max_frame_bytes} cannot carry a replay of max_upload_bytes = {max_upload_bytes}; \
                 it must be at least {}",
                max_upload_bytes + FRAME_OVERHEAD
            ),
        ));
    }
    let as_span = raw.rlimit_as_mib.as_ref().and_then(span_of);
    let rlimit_as_mib = ranged(
        v,
        "replay.rlimit_as_mib",
        raw.rlimit_as_mib,
        0..=1 << 20,
        DEFAULT_RLIMIT_AS_MIB,
    )?;
    // 0 used to mean "off": it removed the only guard against a replay that
    // exhausts memory, so it is refused like any other value that cannot work.
    if rlimit_as_mib < 256 {
        return Err(v.invalid(
            "replay.rlimit_as_mib",
            as_span,
            format!("{rlimit_as_mib} MiB is too small for a worker to start; use 256 or more"),
        ));
    }
    Ok(ReplayConfig {
        workers,
        runtime_dir: raw
            .runtime_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_RUNTIME_DIR)),
        max_upload_bytes,
        job_deadline: Duration::from_millis(ranged(
            v,
            "replay.job_deadline_ms",
            raw.job_deadline_ms,
            100..=600_000,
            DEFAULT_JOB_DEADLINE_MS,
        )?),
        queue_bound: ranged(
            v,
            "replay.queue_bound",
            raw.queue_bound,
            1..=10_000,
            DEFAULT_QUEUE_BOUND,
        )? as usize,
        // The range above keeps it within MAX_DECODE_BYTES, which fits in u32.
        max_frame_bytes: u32::try_from(max_frame_bytes).unwrap_or(u32::MAX),
        rlimit_as_mib,
        rlimit_cpu_s: ranged(
            v,
            "replay.rlimit_cpu_s",
            raw.rlimit_cpu_s,
            // 0 would remove the worker's CPU limit: refused.
            1..=86_400,
            DEFAULT_RLIMIT_CPU_S,
        )?,
        start_window_s: ranged(
            v,
            "replay.start_window_s",
            raw.start_window_s,
            60..=86_400,
            DEFAULT_START_WINDOW_S,
        )?,
        allow_observers: raw.allow_observers.unwrap_or(false),
        uploads_per_minute: ranged(
            v,
            "replay.uploads_per_minute",
            raw.uploads_per_minute,
            1..=1000,
            DEFAULT_UPLOADS_PER_MINUTE,
        )?,
    })
}

impl ReplayConfig {
    /// The pool as configured, running `/proc/self/exe worker`.
    pub fn pool_options(&self) -> PoolOptions {
        let mut o = PoolOptions::new(self.workers, &self.runtime_dir);
        o.job_deadline = self.job_deadline;
        o.queue_bound = self.queue_bound;
        o.max_frame_bytes = self.max_frame_bytes;
        o.max_upload_bytes = self.max_upload_bytes;
        o.rlimit_as_bytes = self.rlimit_as_mib * 1024 * 1024;
        o.rlimit_cpu_s = self.rlimit_cpu_s;
        o
    }

    pub(super) fn describe(&self, out: &mut String) {
        let _ = writeln!(out, "[replay] workers = {}", self.workers);
        let _ = writeln!(out, "[replay] runtime_dir = {}", self.runtime_dir.display());
        let _ = writeln!(
            out,
            "[replay] max_upload_bytes = {}, max_frame_bytes = {}",
            self.max_upload_bytes, self.max_frame_bytes
        );
        let _ = writeln!(
            out,
            "[replay] job_deadline_ms = {}, queue_bound = {}",
            self.job_deadline.as_millis(),
            self.queue_bound
        );
        let _ = writeln!(
            out,
            "[replay] rlimit_as_mib = {}, rlimit_cpu_s = {}",
            self.rlimit_as_mib, self.rlimit_cpu_s
        );
        let _ = writeln!(
            out,
            "[replay] start_window_s = {}, allow_observers = {}, uploads_per_minute = {}",
            self.start_window_s, self.allow_observers, self.uploads_per_minute
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;

    fn err(text: &str) -> String {
        Config::from_toml(Path::new("t.toml"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn defaults_and_bad_values_name_key_and_line() {
        let c = Config::from_toml(Path::new("t.toml"), "").unwrap();
        assert_eq!(c.replay.job_deadline.as_millis(), 5000);
        assert_eq!(c.replay.queue_bound, 64);
        let e = err("[replay]\njob_deadline_ms = 5\n");
        assert!(
            e.contains("replay.job_deadline_ms") && e.contains("line 2"),
            "{e}"
        );
        let e = err("[replay]\nmax_upload_bytes = 20000000\nmax_frame_bytes = 10000\n");
        assert!(
            e.contains("replay.max_frame_bytes") && e.contains("line 3"),
            "{e}"
        );
        let e = err("[replay]\nrlimit_as_mib = 16\n");
        assert!(e.contains("replay.rlimit_as_mib"), "{e}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any text, and any `[replay]` key with any integer: a config or an
        /// error, never a panic; an accepted config keeps its limits on.
        #[test]
        fn config_loading_never_panics(
            text in ".{0,200}",
            key in proptest::sample::select(vec![
                "workers", "max_upload_bytes", "job_deadline_ms", "queue_bound",
                "max_frame_bytes", "rlimit_as_mib", "rlimit_cpu_s", "start_window_s",
                "uploads_per_minute",
            ]),
            value in proptest::prelude::any::<i64>(),
        ) {
            let _ = Config::from_toml(Path::new("t.toml"), &text);
            let toml = format!("[replay]\n{key} = {value}\n");
            if let Ok(c) = Config::from_toml(Path::new("t.toml"), &toml) {
                proptest::prop_assert!(c.replay.rlimit_as_mib >= 256 && c.replay.rlimit_cpu_s >= 1);
            }
        }
    }

    #[test]
    fn zero_rlimits_are_refused_naming_the_key() {
        let e = err("[replay]\nrlimit_as_mib = 0\n");
        assert!(
            e.contains("replay.rlimit_as_mib") && e.contains("line 2"),
            "{e}"
        );
        let e = err("[replay]\nrlimit_cpu_s = 0\n");
        assert!(
            e.contains("replay.rlimit_cpu_s") && e.contains("line 2"),
            "{e}"
        );
    }
}
