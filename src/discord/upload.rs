//! Replay uploads: a player posts a `.SC2Replay` in their DM or match thread;
//! ladderd downloads it from the CDN (refused by its announced size first,
//! then capped while reading), has a worker parse it, verifies it against the
//! player's match, and hands the evidence to the ladder, which records it and
//! — when verified — completes the match by itself.
//!
//! The supervisor never parses: `Pool::parse` ships the bytes to a worker.
//!
//! One player cannot tie up the pool: each uploader gets at most
//! `replay.uploads_per_minute` checks per [`UPLOAD_WINDOW_MS`]
//! ([`UploadLimiter`]), counted before the download.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::clock::Clock;
use crate::ladder::{MatchCard, ReplayEvidence, ReplayPlayer};
use crate::ladder_loop::LadderHandle;
use crate::replay::pool::Pool;
use crate::replay::summary::{GameResult, Race, ReplaySummary};
use crate::replay::verify::{ExpectedPlayer, GameRules, MatchExpectation, verify};
use crate::replay::{ParseLevel, ReplayError, Sha256};
use crate::store::rows::{ReplayRow, ReplayVerdict};

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// The window of `replay.uploads_per_minute`.
pub const UPLOAD_WINDOW_MS: i64 = 60_000;

/// Why an upload gave no evidence; its `Display` is a sentence for the uploader.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("this file is {announced} bytes; replays over {limit} bytes are refused")]
    Announced { announced: u64, limit: u64 },
    #[error("you have sent {per_minute} replays in the last minute; try again in {wait_s} s")]
    TooMany { per_minute: usize, wait_s: i64 },
    #[error("the attachment URL is not valid")]
    BadUrl(#[source] hyper::http::uri::InvalidUri),
    #[error("downloading the replay timed out")]
    DownloadTimeout,
    #[error("downloading the replay failed: {0}")]
    Download(#[source] hyper_util::client::legacy::Error),
    #[error("downloading the replay failed: HTTP {0}")]
    Status(hyper::StatusCode),
    #[error("the replay is larger than {limit} bytes")]
    Body {
        limit: u64,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("this replay could not be read: {0}")]
    Unreadable(#[source] ReplayError),
    /// The ladder loop stopped before it could say whether the file was
    /// used before: ladderd is shutting down.
    #[error("ladderd is restarting; nothing was done — try again in a minute")]
    Stopped,
}

/// At most `per_window` uploads per uploader in any [`UPLOAD_WINDOW_MS`].
/// Pure: the caller passes `now`.
#[derive(Debug)]
pub struct UploadLimiter {
    per_window: usize,
    recent: HashMap<u64, VecDeque<i64>>,
}

impl UploadLimiter {
    pub fn new(per_window: usize) -> UploadLimiter {
        UploadLimiter {
            per_window: per_window.max(1),
            recent: HashMap::new(),
        }
    }

    /// Counts an upload by `who` at `now_ms`, or says how many seconds until one is allowed.
    pub fn admit(&mut self, who: u64, now_ms: i64) -> Result<(), i64> {
        let since = now_ms - UPLOAD_WINDOW_MS;
        // Forget uploaders with nothing in the window, so the map stays as
        // small as the set of recent uploaders.
        if self.recent.len() > 1024 {
            self.recent
                .retain(|_, times| times.back().is_some_and(|&t| t > since));
        }
        let times = self.recent.entry(who).or_default();
        while times.front().is_some_and(|&t| t <= since) {
            times.pop_front();
        }
        if times.len() >= self.per_window {
            let oldest = times.front().copied().unwrap_or(now_ms);
            return Err((oldest - since + 999) / 1000);
        }
        times.push_back(now_ms);
        Ok(())
    }
}

pub struct ReplayIntake {
    pool: Arc<Pool>,
    http: HttpClient<Https, Empty<Bytes>>,
    pub max_upload_bytes: u64,
    start_window_s: i64,
    rules: GameRules,
    /// Ladder race ids and names ("T", "Terran").
    races: Vec<(String, String)>,
    clock: Arc<dyn Clock>,
    /// Asked whether a file already proves a match, so the verdict names a
    /// reuse: the ladder keeps the one set of used replays (32 bytes each).
    ladder: LadderHandle,
    limiter: Mutex<UploadLimiter>,
    /// Where verified replays' files are kept; `None`: not kept.
    archive: Option<Arc<crate::replay::archive::Archive>>,
}

impl ReplayIntake {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: Arc<Pool>,
        max_upload_bytes: u64,
        start_window_s: u64,
        rules: GameRules,
        uploads_per_minute: u64,
        races: Vec<(String, String)>,
        clock: Arc<dyn Clock>,
        ladder: LadderHandle,
    ) -> ReplayIntake {
        super::transport::install_crypto_provider();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_platform_verifier()
            .https_or_http()
            .enable_http1()
            .build();
        ReplayIntake {
            pool,
            http: HttpClient::builder(TokioExecutor::new()).build(https),
            max_upload_bytes,
            start_window_s: start_window_s as i64,
            rules,
            races,
            clock,
            ladder,
            limiter: Mutex::new(UploadLimiter::new(
                usize::try_from(uploads_per_minute).unwrap_or(usize::MAX),
            )),
            archive: None,
        }
    }

    /// Keeps the file of every replay that passes verification.
    pub fn with_archive(mut self, archive: Arc<crate::replay::archive::Archive>) -> Self {
        self.archive = Some(archive);
        self
    }

    /// The archived file of a verified replay, as (file name, bytes), for
    /// `/admin replay`; `None` if it is not (or no longer) archived.
    /// Read in place: one file of at most `max_upload_bytes`, on an admin's
    /// request.
    pub fn archived(&self, sha256: &str) -> Option<(String, Vec<u8>)> {
        match self.archive.as_ref()?.get(sha256) {
            Ok(Some(bytes)) => Some((format!("{sha256}.SC2Replay"), bytes)),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(sha256, error = %e, "could not read an archived replay");
                None
            }
        }
    }

    /// Downloads at most `max_upload_bytes` from `url`.
    async fn download(&self, url: &str) -> Result<Vec<u8>, UploadError> {
        let uri: hyper::Uri = url.parse().map_err(UploadError::BadUrl)?;
        let response = tokio::time::timeout(std::time::Duration::from_secs(30), self.http.get(uri))
            .await
            .map_err(|_| UploadError::DownloadTimeout)?
            .map_err(UploadError::Download)?;
        if !response.status().is_success() {
            return Err(UploadError::Status(response.status()));
        }
        let limit = usize::try_from(self.max_upload_bytes).unwrap_or(usize::MAX);
        let body = Limited::new(response.into_body(), limit)
            .collect()
            .await
            .map_err(|source| UploadError::Body {
                limit: self.max_upload_bytes,
                source,
            })?;
        Ok(body.to_bytes().to_vec())
    }

    /// Turns an uploaded attachment into evidence for the uploader's match.
    /// `Err` is a sentence for the uploader; nothing was stored.
    pub async fn evidence(
        &self,
        uploader: u64,
        url: &str,
        announced_size: u64,
        card: &MatchCard,
    ) -> Result<ReplayEvidence, UploadError> {
        if announced_size > self.max_upload_bytes {
            return Err(UploadError::Announced {
                announced: announced_size,
                limit: self.max_upload_bytes,
            });
        }
        {
            let mut limiter = self.limiter.lock().unwrap_or_else(|p| p.into_inner());
            limiter
                .admit(uploader, self.clock.now())
                .map_err(|wait_s| UploadError::TooMany {
                    per_minute: limiter.per_window,
                    wait_s,
                })?;
        }
        let bytes = self.download(url).await?;
        let size = bytes.len() as u64;
        // The worker takes the bytes; the archive needs them if they verify.
        let kept = self.archive.as_ref().map(|_| bytes.clone());
        let summary = self
            .pool
            .parse(bytes, ParseLevel::Verification)
            .await
            .map_err(UploadError::Unreadable)?;
        // The worker's hash, read before anything relies on it (a worker
        // that sends a malformed one is broken, not the file's fault).
        let sha: Sha256 = summary.sha256.parse().map_err(|e| {
            UploadError::Unreadable(ReplayError::Unavailable(format!(
                "the worker's answer had no usable sha256 ({e})"
            )))
        })?;
        let already_used = self
            .ladder
            .replay_used(sha)
            .await
            .map_err(|_| UploadError::Stopped)?;
        let now_ms = self.clock.now();
        let race = |id: &str| -> Race {
            let name = self
                .races
                .iter()
                .find(|(rid, _)| rid == id)
                .map_or(id, |(_, n)| n.as_str());
            match name {
                "Terran" => Race::Terran,
                "Zerg" => Race::Zerg,
                "Protoss" => Race::Protoss,
                _ => Race::Random,
            }
        };
        let slot = |i: usize| ExpectedPlayer {
            toon_handle: None,
            name: card.sides[i].ingame_name.clone(),
            race: race(&card.sides[i].race),
        };
        let expectation = MatchExpectation {
            slots: [slot(0), slot(1)],
            map_name: card.map.replay_name.clone(),
            created_at: card.created_at / 1000,
            start_window_s: self.start_window_s,
            rules: &self.rules,
            already_used,
        };
        let verdict = verify(&expectation, &summary, now_ms / 1000);
        let passed = verdict.passed();
        let detail = if passed {
            "all checks passed".to_owned()
        } else {
            verdict
                .checks
                .iter()
                .filter(|c| !c.passed)
                .map(|c| c.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        };
        if passed && let (Some(archive), Some(bytes)) = (self.archive.clone(), kept) {
            // Before the ladder settles on it, so a settled match's file
            // is there; `put` hashes the bytes itself (the worker's hash
            // is not trusted to name a file).
            let sha = summary.sha256.clone();
            let stored =
                tokio::task::spawn_blocking(move || archive.put(&sha, &bytes, now_ms)).await;
            match stored {
                Ok(Ok(pruned)) if pruned.files > 0 => tracing::info!(
                    files = pruned.files,
                    bytes = pruned.bytes,
                    "pruned the replay archive"
                ),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "could not archive a verified replay")
                }
                Err(e) => tracing::error!(error = %e, "the archive task failed"),
            }
        }
        Ok(evidence(
            uploader,
            card.match_id,
            now_ms,
            size,
            &summary,
            passed,
            detail,
            verdict.winner_slot,
        ))
    }
}

#[allow(clippy::too_many_arguments)]
fn evidence(
    uploader: u64,
    match_id: u64,
    now_ms: i64,
    size: u64,
    summary: &ReplaySummary,
    passed: bool,
    detail: String,
    winner_slot: Option<usize>,
) -> ReplayEvidence {
    let row = ReplayRow {
        sha256: summary.sha256.clone(),
        match_id: Some(match_id),
        uploader_id: uploader,
        uploaded_at: now_ms,
        bytes: size,
        build: Some(summary.build),
        map_name: Some(summary.map_name.clone()),
        game_started_at: Some(summary.start_time_utc * 1000),
        game_length_s: u32::try_from(summary.game_length_s).ok(),
        summary_json: Some(crate::replay::cli::summary_json("upload", summary).to_string()),
        winner_slot: winner_slot.and_then(|s| u8::try_from(s + 1).ok()),
        verdict: if passed {
            ReplayVerdict::Verified
        } else {
            ReplayVerdict::Rejected
        },
        verdict_detail: detail,
    };
    let players = summary
        .players
        .iter()
        .filter(|p| p.is_human)
        .map(|p| ReplayPlayer {
            name: p.name.clone(),
            toon: p.toon_handle.clone(),
            race: p.play_race.map_or("unknown", Race::as_str).to_owned(),
            winner: p.result == Some(GameResult::Win),
        })
        .collect();
    ReplayEvidence { row, players }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_uploader_is_limited_per_window_and_others_are_not() {
        let mut l = UploadLimiter::new(5);
        for i in 0..5 {
            assert_eq!(l.admit(1, 1_000 + i), Ok(()));
        }
        // The sixth within the minute waits until the first leaves the window.
        assert_eq!(l.admit(1, 2_000), Err(59));
        assert_eq!(l.admit(2, 2_000), Ok(()), "another player is not affected");
        assert_eq!(l.admit(1, 1_000 + UPLOAD_WINDOW_MS), Ok(()));
        assert!(l.admit(1, 1_000 + UPLOAD_WINDOW_MS).is_err());
    }
}
