//! Replay uploads: a player posts a `.SC2Replay` in their DM or match thread;
//! ladderd downloads it from the CDN (refused by its announced size first,
//! then capped while reading), has a worker parse it, verifies it against the
//! player's match, and hands the evidence to the ladder, which records it and
//! — when verified — completes the match by itself.
//!
//! The supervisor never parses: `Pool::parse` ships the bytes to a worker.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::clock::Clock;
use crate::ladder::{MatchCard, ReplayEvidence, ReplayPlayer};
use crate::replay::ParseLevel;
use crate::replay::pool::Pool;
use crate::replay::summary::{GameResult, Race, ReplaySummary};
use crate::replay::verify::{ExpectedPlayer, MatchExpectation, verify};
use crate::store::rows::{ReplayRow, ReplayVerdict};

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

pub struct ReplayIntake {
    pool: Arc<Pool>,
    http: HttpClient<Https, Empty<Bytes>>,
    pub max_upload_bytes: u64,
    start_window_s: i64,
    allow_observers: bool,
    /// Ladder race ids and names ("T", "Terran").
    races: Vec<(String, String)>,
    clock: Arc<dyn Clock>,
    /// sha256 of verified replays, so the check names a reuse before the ladder does.
    used: Mutex<HashSet<String>>,
}

impl ReplayIntake {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: Arc<Pool>,
        max_upload_bytes: u64,
        start_window_s: u64,
        allow_observers: bool,
        races: Vec<(String, String)>,
        clock: Arc<dyn Clock>,
        used: HashSet<String>,
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
            allow_observers,
            races,
            clock,
            used: Mutex::new(used),
        }
    }

    /// Downloads at most `max_upload_bytes` from `url`.
    async fn download(&self, url: &str) -> Result<Vec<u8>, String> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|_| "the attachment URL is not valid".to_owned())?;
        let response = tokio::time::timeout(std::time::Duration::from_secs(30), self.http.get(uri))
            .await
            .map_err(|_| "downloading the replay timed out".to_owned())?
            .map_err(|e| format!("downloading the replay failed: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "downloading the replay failed: HTTP {}",
                response.status()
            ));
        }
        let limit = usize::try_from(self.max_upload_bytes).unwrap_or(usize::MAX);
        let body = Limited::new(response.into_body(), limit)
            .collect()
            .await
            .map_err(|_| format!("the replay is larger than {} bytes", self.max_upload_bytes))?;
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
    ) -> Result<ReplayEvidence, String> {
        if announced_size > self.max_upload_bytes {
            return Err(format!(
                "this file is {announced_size} bytes; replays over {} bytes are refused",
                self.max_upload_bytes
            ));
        }
        let bytes = self.download(url).await?;
        let size = bytes.len() as u64;
        let summary = self
            .pool
            .parse(bytes, ParseLevel::Verification)
            .await
            .map_err(|e| format!("this replay could not be read: {e}"))?;
        let now_ms = self.clock.now();
        let used = self.used.lock().unwrap_or_else(|p| p.into_inner()).clone();
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
            allow_observers: self.allow_observers,
            used_replays: &used,
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
        if passed {
            self.used
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(summary.sha256.clone());
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
