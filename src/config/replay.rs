//! `[replay]`: the replay worker pool, its limits, and the verification
//! policy. Owned by the replay issue.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Validator, span_of};
use crate::replay::PoolOptions;
use crate::replay::ipc::MAX_DECODE_BYTES;
use crate::replay::verify::{GameRules, Privacy};

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
    pub required_mods: Option<toml::Spanned<Vec<String>>>,
    pub game_speed: Option<toml::Spanned<String>>,
    pub lobby_privacy: Option<toml::Spanned<String>>,
    pub archive_retention_days: Option<toml::Spanned<u64>>,
    pub archive_max_mib: Option<toml::Spanned<u64>>,
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
    /// Cache-handle hashes or mod names every game must have loaded.
    pub required_mods: Vec<String>,
    /// `None`: any speed.
    pub game_speed: Option<String>,
    pub lobby_privacy: Privacy,
    /// Verified replays' files are kept this long, and the archive at most
    /// this large (oldest removed first).
    pub archive_retention_days: u64,
    pub archive_max_mib: u64,
}

/// The game speeds `replay.details` names.
pub const GAME_SPEEDS: [&str; 5] = ["Slower", "Slow", "Normal", "Fast", "Faster"];
/// At most this many required mods, each at most this long.
const MAX_REQUIRED_MODS: usize = 16;
const MAX_MOD_LEN: usize = 100;

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
    let required_mods = match &raw.required_mods {
        Some(s) => {
            let mods = s.get_ref();
            let bad = mods
                .iter()
                .find(|m| m.trim().is_empty() || m.len() > MAX_MOD_LEN);
            if mods.len() > MAX_REQUIRED_MODS || bad.is_some() {
                return Err(v.invalid(
                    "replay.required_mods",
                    span_of(s),
                    format!(
                        "at most {MAX_REQUIRED_MODS} mods, each a cache-handle hash or a mod name of 1 to {MAX_MOD_LEN} characters{}",
                        bad.map_or(String::new(), |b| format!(" (not {b:?})"))
                    ),
                ));
            }
            mods.iter().map(|m| m.trim().to_owned()).collect()
        }
        None => Vec::new(),
    };
    let game_speed = match &raw.game_speed {
        None => Some("Faster".to_owned()),
        Some(s) if s.get_ref() == "any" => None,
        Some(s) => match GAME_SPEEDS
            .iter()
            .find(|g| g.eq_ignore_ascii_case(s.get_ref()))
        {
            Some(g) => Some((*g).to_owned()),
            None => {
                return Err(v.invalid(
                    "replay.game_speed",
                    span_of(s),
                    format!(
                        "{:?} is not a game speed; use one of {} or \"any\"",
                        s.get_ref(),
                        GAME_SPEEDS.join(", ")
                    ),
                ));
            }
        },
    };
    let lobby_privacy = match &raw.lobby_privacy {
        None => Privacy::Any,
        Some(s) => Privacy::parse(s.get_ref()).ok_or_else(|| {
            v.invalid(
                "replay.lobby_privacy",
                span_of(s),
                format!(
                    "{:?} is not a lobby privacy; use \"any\", \"private\" or \"public\"",
                    s.get_ref()
                ),
            )
        })?,
    };
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
        required_mods,
        game_speed,
        lobby_privacy,
        archive_retention_days: ranged(
            v,
            "replay.archive_retention_days",
            raw.archive_retention_days,
            1..=36_500,
            365,
        )?,
        archive_max_mib: ranged(
            v,
            "replay.archive_max_mib",
            raw.archive_max_mib,
            1..=1 << 20,
            2048,
        )?,
    })
}

impl ReplayConfig {
    /// The rules `verify` checks each replay against.
    /// The replay archive for the database at `db`.
    pub fn open_archive(
        &self,
        db: &std::path::Path,
    ) -> std::io::Result<crate::replay::archive::Archive> {
        crate::replay::archive::Archive::open(
            crate::replay::archive::dir_for(db),
            Duration::from_secs(self.archive_retention_days * 86_400),
            self.archive_max_mib * 1024 * 1024,
        )
    }

    pub fn game_rules(&self) -> GameRules {
        GameRules {
            required_mods: self.required_mods.clone(),
            game_speed: self.game_speed.clone(),
            allow_observers: self.allow_observers,
            privacy: self.lobby_privacy,
        }
    }

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
        let _ = writeln!(
            out,
            "[replay] required_mods = {:?}, game_speed = {}, lobby_privacy = {}",
            self.required_mods,
            self.game_speed.as_deref().unwrap_or("any"),
            self.lobby_privacy.as_str()
        );
        let _ = writeln!(
            out,
            "[replay] archive_retention_days = {}, archive_max_mib = {}",
            self.archive_retention_days, self.archive_max_mib
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

    #[test]
    fn game_rules_are_read_and_bad_ones_refused_naming_the_key() {
        let c = Config::from_toml(Path::new("t.toml"), "").unwrap();
        assert_eq!(
            c.replay.game_rules(),
            crate::replay::verify::GameRules::default()
        );
        let c = Config::from_toml(
            Path::new("t.toml"),
            "[replay]\nrequired_mods = [\" SCEvo \"]\ngame_speed = \"fast\"\nlobby_privacy = \"private\"\n",
        )
        .unwrap();
        let r = c.replay.game_rules();
        assert_eq!(r.required_mods, ["SCEvo"]);
        assert_eq!(r.game_speed.as_deref(), Some("Fast"));
        assert_eq!(r.privacy, crate::replay::verify::Privacy::Private);
        let any =
            Config::from_toml(Path::new("t.toml"), "[replay]\ngame_speed = \"any\"\n").unwrap();
        assert_eq!(any.replay.game_speed, None);
        for (text, key) in [
            (
                "[replay]\ngame_speed = \"Ludicrous\"\n",
                "replay.game_speed",
            ),
            (
                "[replay]\nlobby_privacy = \"secret\"\n",
                "replay.lobby_privacy",
            ),
            ("[replay]\nrequired_mods = [\"\"]\n", "replay.required_mods"),
        ] {
            let e = err(text);
            assert!(e.contains(key) && e.contains("line 2"), "{e}");
        }
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
