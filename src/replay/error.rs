//! Why a replay was not read. Every variant is something a player can be told.

use serde::{Deserialize, Serialize};

/// A part of the replay archive, named in [`ReplayError::Corrupt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Section {
    Archive,
    Header,
    Details,
    InitData,
    Attributes,
    GameEvents,
    TrackerEvents,
    MessageEvents,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Archive => "archive",
            Section::Header => "header",
            Section::Details => "details",
            Section::InitData => "init data",
            Section::Attributes => "attributes",
            Section::GameEvents => "game events",
            Section::TrackerEvents => "tracker events",
            Section::MessageEvents => "message events",
        }
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("this is not a StarCraft II replay ({reason})")]
    NotAReplay { reason: String },
    #[error("the replay file is cut short ({bytes} bytes): upload the whole file")]
    Truncated { bytes: u64 },
    #[error("the replay is {bytes} bytes, more than the {limit} bytes ladderd accepts")]
    TooLarge { bytes: u64, limit: u64 },
    #[error(
        "replays of game build {build} are not supported (ladderd reads 5.0.x replays, base build {min} and newer)"
    )]
    UnsupportedVersion { build: u32, min: u32 },
    #[error("the replay's {section} is damaged: {detail}")]
    Corrupt { section: Section, detail: String },
    #[error("could not read the replay file: {0}")]
    Io(String),
    /// The file killed a worker (twice, or once before with the same bytes):
    /// it is not tried again. Made by the pool, never sent by a worker.
    #[error("this file could not be read safely ({0})")]
    Unsafe(String),
    /// The worker pool could not answer (busy, worker died twice, deadline).
    #[error("{0}")]
    Unavailable(String),
}

impl ReplayError {
    /// The stable `kind` of `ladderd parse --json` errors.
    pub fn kind(&self) -> &'static str {
        match self {
            ReplayError::NotAReplay { .. } => "NotAReplay",
            ReplayError::Truncated { .. } => "Truncated",
            ReplayError::TooLarge { .. } => "TooLarge",
            ReplayError::UnsupportedVersion { .. } => "UnsupportedVersion",
            ReplayError::Corrupt { .. } => "Corrupt",
            ReplayError::Io(_) => "Io",
            ReplayError::Unsafe(_) => "Unsafe",
            ReplayError::Unavailable(_) => "Unavailable",
        }
    }
}
