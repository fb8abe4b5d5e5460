//! `[ladder]`: races, maps, regions, waves and ratings. Owned by the ladder-core issue.

use serde::Deserialize;

use super::{ConfigError, Validator};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLadder {}

#[derive(Debug, Clone, Default)]
pub struct LadderConfig {}

pub(super) fn validate(_raw: RawLadder, _v: &Validator<'_>) -> Result<LadderConfig, ConfigError> {
    Ok(LadderConfig {})
}

impl LadderConfig {
    pub(super) fn describe(&self, _out: &mut String) {}
}
