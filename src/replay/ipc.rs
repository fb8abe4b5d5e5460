//! The supervisor ↔ worker protocol: frames of a `u32` little-endian length
//! and a bincode 2 payload, and the wire types they carry. Wire types live
//! only here and are converted by hand from the domain types, so changing a
//! domain type never silently changes the protocol: bump [`PROTOCOL_VERSION`]
//! when a wire type changes.
//!
//! The first frame each way is a [`Hello`]; a version mismatch ends the
//! connection.

use bincode::{Decode, Encode};

use super::error::{ReplayError, Section};
use super::summary::{
    EventCounts, GameResult, MAX_DEPENDENCIES, ObserverSummary, PlayerSummary, Race, ReplaySummary,
    Winner,
};

pub const PROTOCOL_VERSION: u32 = 2;

/// Frames longer than this are refused unless configured otherwise (`replay.max_frame_bytes`).
pub const DEFAULT_MAX_FRAME_BYTES: u32 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the peer closed the connection")]
    Eof,
    #[error("a frame of {len} bytes is over the limit of {max}")]
    TooLarge { len: u32, max: u32 },
    #[error("i/o error on the worker socket: {0}")]
    Io(#[from] std::io::Error),
    #[error("undecodable frame: {0}")]
    Decode(#[from] bincode::error::DecodeError),
    #[error("unencodable message: {0}")]
    Encode(#[from] bincode::error::EncodeError),
}

/// The most a decoded message may claim; bincode checks every length against
/// it before allocating, so a hostile length inside a frame cannot allocate
/// more. `replay.max_frame_bytes` is capped to it.
pub const MAX_DECODE_BYTES: usize = 64 * 1024 * 1024;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_DECODE_BYTES>()
}

pub fn encode<T: Encode>(msg: &T) -> Result<Vec<u8>, FrameError> {
    Ok(bincode::encode_to_vec(msg, config())?)
}

pub fn decode<T: Decode<()>>(payload: &[u8]) -> Result<T, FrameError> {
    let (msg, used) = bincode::decode_from_slice(payload, config())?;
    if used != payload.len() {
        return Err(FrameError::Decode(
            bincode::error::DecodeError::OtherString(format!(
                "{} trailing bytes",
                payload.len() - used
            )),
        ));
    }
    Ok(msg)
}

fn check_len(len: u32, max: u32) -> Result<usize, FrameError> {
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    Ok(len as usize)
}

/// Blocking frame I/O, for the worker.
pub mod sync {
    use std::io::{ErrorKind, Read, Write};

    use super::{FrameError, check_len};

    pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> Result<(), FrameError> {
        let len = u32::try_from(payload.len()).map_err(|_| FrameError::TooLarge {
            len: u32::MAX,
            max: u32::MAX,
        })?;
        w.write_all(&len.to_le_bytes())?;
        w.write_all(payload)?;
        w.flush()?;
        Ok(())
    }

    /// Reads one frame; the length is checked against `max` before anything is allocated.
    pub fn read_frame(r: &mut impl Read, max: u32) -> Result<Vec<u8>, FrameError> {
        let mut len = [0u8; 4];
        match r.read_exact(&mut len) {
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Err(FrameError::Eof),
            other => other?,
        }
        let len = check_len(u32::from_le_bytes(len), max)?;
        let mut buf = vec![0u8; len];
        r.read_exact(&mut buf)?;
        Ok(buf)
    }
}

/// Async frame I/O, for the supervisor.
pub mod tokio_io {
    use std::io::ErrorKind;

    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

    use super::{FrameError, check_len};

    pub async fn write_frame(
        w: &mut (impl AsyncWrite + Unpin),
        payload: &[u8],
    ) -> Result<(), FrameError> {
        let len = u32::try_from(payload.len()).map_err(|_| FrameError::TooLarge {
            len: u32::MAX,
            max: u32::MAX,
        })?;
        w.write_all(&len.to_le_bytes()).await?;
        w.write_all(payload).await?;
        w.flush().await?;
        Ok(())
    }

    pub async fn read_frame(
        r: &mut (impl AsyncRead + Unpin),
        max: u32,
    ) -> Result<Vec<u8>, FrameError> {
        let mut len = [0u8; 4];
        match r.read_exact(&mut len).await {
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Err(FrameError::Eof),
            other => {
                other?;
            }
        }
        let len = check_len(u32::from_le_bytes(len), max)?;
        let mut buf = vec![0u8; len];
        r.read_exact(&mut buf).await?;
        Ok(buf)
    }
}

/// The supervisor's first frame: protocol version and the limits the worker
/// applies to itself before its first job.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct SupervisorHello {
    pub protocol: u32,
    pub max_frame_bytes: u32,
    /// `RLIMIT_AS` in bytes; 0 = leave unchanged.
    pub rlimit_as_bytes: u64,
    /// `RLIMIT_CPU` in seconds; 0 = leave unchanged.
    pub rlimit_cpu_s: u64,
    /// Whether the worker honours [`Request::TestHang`] and [`Request::TestAbort`].
    pub allow_test_requests: bool,
}

/// The worker's answer to [`SupervisorHello`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct WorkerHello {
    pub protocol: u32,
    pub pid: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum Request {
    Parse {
        job: u64,
        /// `true`: decode every event too.
        full: bool,
        bytes: Vec<u8>,
    },
    Ping {
        nonce: u64,
    },
    /// Test only (refused unless the hello allowed it): never answer.
    TestHang {
        job: u64,
    },
    /// Test only: abort the process mid-job.
    TestAbort {
        job: u64,
    },
    /// Test only: answer with a frame that is not a valid reply.
    TestGarbage {
        job: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum Reply {
    Parsed {
        job: u64,
        summary: Box<WireSummary>,
    },
    Failed {
        job: u64,
        error: WireError,
    },
    Pong {
        nonce: u64,
    },
    /// The worker could not decode the request frame; it keeps serving.
    Malformed {
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum WireError {
    NotAReplay { reason: String },
    Truncated { bytes: u64 },
    TooLarge { bytes: u64, limit: u64 },
    UnsupportedVersion { build: u32, min: u32 },
    Corrupt { section: u8, detail: String },
    Io(String),
    Unavailable(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct WirePlayer {
    pub name: String,
    pub clan_tag: Option<String>,
    pub play_race: Option<u8>,
    pub pick_race: Option<u8>,
    pub result: Option<u8>,
    pub team: u8,
    pub is_human: bool,
    pub toon_handle: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct WireSummary {
    pub sha256: String,
    pub release: String,
    pub build: u32,
    pub base_build: u32,
    pub map_name: String,
    pub game_loops: u32,
    pub game_length_s: u64,
    pub real_length_s: u64,
    pub start_time_utc: i64,
    pub end_time_utc: i64,
    pub speed: String,
    pub expansion: String,
    pub region: String,
    pub category: Option<String>,
    pub game_type: Option<String>,
    /// Since protocol 2.
    pub dependencies: Vec<String>,
    pub mod_names: Vec<String>,
    pub players: Vec<WirePlayer>,
    /// (name, toon handle)
    pub observers: Vec<(String, Option<String>)>,
    /// (team, player names)
    pub winner: Option<(u8, Vec<String>)>,
    /// (game, tracker, message) event counts
    pub events: Option<(u64, u64, u64)>,
}

/// A wire value that no domain value maps to.
#[derive(Debug, thiserror::Error)]
#[error("invalid {what} on the wire: {value}")]
pub struct WireValueError {
    pub what: &'static str,
    pub value: u8,
}

fn race_to_wire(r: Race) -> u8 {
    match r {
        Race::Terran => 0,
        Race::Zerg => 1,
        Race::Protoss => 2,
        Race::Random => 3,
    }
}

fn race_from_wire(v: u8) -> Result<Race, WireValueError> {
    Ok(match v {
        0 => Race::Terran,
        1 => Race::Zerg,
        2 => Race::Protoss,
        3 => Race::Random,
        value => {
            return Err(WireValueError {
                what: "race",
                value,
            });
        }
    })
}

fn result_to_wire(r: GameResult) -> u8 {
    match r {
        GameResult::Win => 0,
        GameResult::Loss => 1,
        GameResult::Tie => 2,
    }
}

fn result_from_wire(v: u8) -> Result<GameResult, WireValueError> {
    Ok(match v {
        0 => GameResult::Win,
        1 => GameResult::Loss,
        2 => GameResult::Tie,
        value => {
            return Err(WireValueError {
                what: "result",
                value,
            });
        }
    })
}

/// The wire number of a section is its index here: never reorder (the
/// archive files follow in `mpq::FILES` order, which is the wire order).
const SECTIONS: [Section; 8] = [
    Section::Archive,
    Section::Header,
    super::mpq::FILES[0],
    super::mpq::FILES[1],
    super::mpq::FILES[2],
    super::mpq::FILES[3],
    super::mpq::FILES[4],
    super::mpq::FILES[5],
];

impl From<&ReplayError> for WireError {
    fn from(e: &ReplayError) -> Self {
        match e.clone() {
            ReplayError::NotAReplay { reason } => WireError::NotAReplay { reason },
            ReplayError::Truncated { bytes } => WireError::Truncated { bytes },
            ReplayError::TooLarge { bytes, limit } => WireError::TooLarge { bytes, limit },
            ReplayError::UnsupportedVersion { build, min } => {
                WireError::UnsupportedVersion { build, min }
            }
            ReplayError::Corrupt { section, detail } => WireError::Corrupt {
                // SECTIONS lists every Section, so the position is always found.
                section: SECTIONS.iter().position(|s| *s == section).unwrap_or(0) as u8,
                detail,
            },
            ReplayError::Io(s) => WireError::Io(s),
            ReplayError::Unavailable(s) => WireError::Unavailable(s),
            // Only the pool makes it; a worker that sent one would mean "unavailable".
            ReplayError::Unsafe(s) => WireError::Unavailable(s),
        }
    }
}

impl From<WireError> for ReplayError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::NotAReplay { reason } => ReplayError::NotAReplay { reason },
            WireError::Truncated { bytes } => ReplayError::Truncated { bytes },
            WireError::TooLarge { bytes, limit } => ReplayError::TooLarge { bytes, limit },
            WireError::UnsupportedVersion { build, min } => {
                ReplayError::UnsupportedVersion { build, min }
            }
            WireError::Corrupt { section, detail } => ReplayError::Corrupt {
                section: SECTIONS
                    .get(section as usize)
                    .copied()
                    .unwrap_or(Section::Archive),
                detail,
            },
            WireError::Io(s) => ReplayError::Io(s),
            WireError::Unavailable(s) => ReplayError::Unavailable(s),
        }
    }
}

impl From<&ReplaySummary> for WireSummary {
    fn from(s: &ReplaySummary) -> Self {
        WireSummary {
            sha256: s.sha256.clone(),
            release: s.release.clone(),
            build: s.build,
            base_build: s.base_build,
            map_name: s.map_name.clone(),
            game_loops: s.game_loops,
            game_length_s: s.game_length_s,
            real_length_s: s.real_length_s,
            start_time_utc: s.start_time_utc,
            end_time_utc: s.end_time_utc,
            speed: s.speed.clone(),
            expansion: s.expansion.clone(),
            region: s.region.clone(),
            category: s.category.clone(),
            game_type: s.game_type.clone(),
            dependencies: s.dependencies.clone(),
            mod_names: s.mod_names.clone(),
            players: s
                .players
                .iter()
                .map(|p| WirePlayer {
                    name: p.name.clone(),
                    clan_tag: p.clan_tag.clone(),
                    play_race: p.play_race.map(race_to_wire),
                    pick_race: p.pick_race.map(race_to_wire),
                    result: p.result.map(result_to_wire),
                    team: p.team,
                    is_human: p.is_human,
                    toon_handle: p.toon_handle.clone(),
                })
                .collect(),
            observers: s
                .observers
                .iter()
                .map(|o| (o.name.clone(), o.toon_handle.clone()))
                .collect(),
            winner: s.winner.as_ref().map(|w| (w.team, w.players.clone())),
            events: s
                .events
                .as_ref()
                .map(|e| (e.game_events, e.tracker_events, e.message_events)),
        }
    }
}

impl TryFrom<WireSummary> for ReplaySummary {
    type Error = WireValueError;

    fn try_from(s: WireSummary) -> Result<Self, Self::Error> {
        let players = s
            .players
            .into_iter()
            .map(|p| {
                Ok(PlayerSummary {
                    name: p.name,
                    clan_tag: p.clan_tag,
                    play_race: p.play_race.map(race_from_wire).transpose()?,
                    pick_race: p.pick_race.map(race_from_wire).transpose()?,
                    result: p.result.map(result_from_wire).transpose()?,
                    team: p.team,
                    is_human: p.is_human,
                    toon_handle: p.toon_handle,
                })
            })
            .collect::<Result<_, WireValueError>>()?;
        Ok(ReplaySummary {
            sha256: s.sha256,
            release: s.release,
            build: s.build,
            base_build: s.base_build,
            map_name: s.map_name,
            game_loops: s.game_loops,
            game_length_s: s.game_length_s,
            real_length_s: s.real_length_s,
            start_time_utc: s.start_time_utc,
            end_time_utc: s.end_time_utc,
            speed: s.speed,
            expansion: s.expansion,
            region: s.region,
            category: s.category,
            game_type: s.game_type,
            // Bounded as the worker bounds them; the frame limit already
            // bounded the allocation.
            dependencies: s.dependencies.into_iter().take(MAX_DEPENDENCIES).collect(),
            mod_names: s.mod_names.into_iter().take(MAX_DEPENDENCIES).collect(),
            players,
            observers: s
                .observers
                .into_iter()
                .map(|(name, toon_handle)| ObserverSummary { name, toon_handle })
                .collect(),
            winner: s.winner.map(|(team, players)| Winner { team, players }),
            events: s.events.map(|(g, t, m)| EventCounts {
                game_events: g,
                tracker_events: t,
                message_events: m,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_back_to_back_and_huge() {
        let mut buf = Vec::new();
        let huge = vec![7u8; 5 * 1024 * 1024];
        sync::write_frame(&mut buf, b"one").unwrap();
        sync::write_frame(&mut buf, &huge).unwrap();
        sync::write_frame(&mut buf, b"").unwrap();
        let mut r = buf.as_slice();
        assert_eq!(sync::read_frame(&mut r, u32::MAX).unwrap(), b"one");
        assert_eq!(sync::read_frame(&mut r, u32::MAX).unwrap(), huge);
        assert_eq!(sync::read_frame(&mut r, u32::MAX).unwrap(), b"");
        assert!(matches!(
            sync::read_frame(&mut r, u32::MAX),
            Err(FrameError::Eof)
        ));
    }

    #[test]
    fn oversized_frames_are_refused_before_allocating() {
        // A 4 GiB length with no payload: refused from the header alone.
        let frame = u32::MAX.to_le_bytes();
        let err = sync::read_frame(&mut frame.as_slice(), 1024).unwrap_err();
        assert!(matches!(
            err,
            FrameError::TooLarge {
                len: u32::MAX,
                max: 1024
            }
        ));
    }

    #[tokio::test]
    async fn async_frames_match_sync_frames() {
        let mut buf = Vec::new();
        tokio_io::write_frame(&mut buf, b"abc").await.unwrap();
        tokio_io::write_frame(&mut buf, b"de").await.unwrap();
        let mut r = buf.as_slice();
        assert_eq!(sync::read_frame(&mut r, 10).unwrap(), b"abc");
        let mut r = &buf[7..];
        assert_eq!(tokio_io::read_frame(&mut r, 10).await.unwrap(), b"de");
        let mut short = &buf[..5];
        assert!(tokio_io::read_frame(&mut short, 10).await.is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any bytes, as a frame stream or a payload: an error or a message,
        /// never a panic, and never a frame over the limit.
        #[test]
        fn any_bytes_decode_or_fail_cleanly(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            max in 0u32..1024,
        ) {
            let _ = decode::<Request>(&bytes);
            let _ = decode::<Reply>(&bytes);
            let _ = decode::<SupervisorHello>(&bytes);
            let mut r = std::io::Cursor::new(&bytes);
            while let Ok(frame) = sync::read_frame(&mut r, max) {
                proptest::prop_assert!(frame.len() <= max as usize);
            }
        }
    }

    #[test]
    fn garbage_payloads_do_not_decode() {
        assert!(decode::<Request>(&[0xff, 0xff, 0xff]).is_err());
        let ping = encode(&Request::Ping { nonce: 3 }).unwrap();
        let mut trailing = ping.clone();
        trailing.push(0);
        assert!(decode::<Request>(&trailing).is_err());
        assert_eq!(
            decode::<Request>(&ping).unwrap(),
            Request::Ping { nonce: 3 }
        );
    }

    #[test]
    fn errors_round_trip() {
        let e = ReplayError::Corrupt {
            section: Section::InitData,
            detail: "x".into(),
        };
        assert_eq!(ReplayError::from(WireError::from(&e)), e);
    }
}
