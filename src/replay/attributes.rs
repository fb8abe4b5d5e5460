//! `replay.attributes.events`, decoded here because s2protocol does not: the
//! lobby attributes (game mode, teams, picked race). The format has not changed
//! since 1.2: `[source u8 (base build >= 17326)] [namespace u32] [count u32]`
//! then `count` entries of `namespace u32, id u32, scope u8, value [u8; 4]`
//! (little endian; the value is a reversed, NUL-padded 4-character string).

/// The global scope (lobby-wide attributes); player scopes are lobby slot + 1.
pub const SCOPE_GLOBAL: u8 = 16;
/// "Teams": `1v1`, `2v2`, `FFA` …
pub const ATTR_TEAMS: u32 = 2001;
/// "Race": `Terr`, `Zerg`, `Prot`, `RAND`.
pub const ATTR_RACE: u32 = 3001;
/// "Game Mode": `Amm` (ladder), `Priv`, `Pub`.
pub const ATTR_GAME_MODE: u32 = 3009;

/// At most this many entries are read; real replays have a few hundred.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub id: u32,
    pub scope: u8,
    pub value: String,
}

/// Decodes the whole member, or says why not. Never panics: every read is bounds-checked.
pub fn decode(data: &[u8], base_build: u32) -> Result<Vec<Attribute>, String> {
    let mut at = if base_build >= 17_326 { 1 } else { 0 };
    let u32_at = |at: usize| -> Result<u32, String> {
        data.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| format!("cut short at byte {at}"))
    };
    at += 4; // the map namespace
    let count = u32_at(at)? as usize;
    at += 4;
    if count > MAX_ENTRIES || count.saturating_mul(13) > data.len().saturating_sub(at) {
        return Err(format!(
            "{count} entries do not fit in {} bytes",
            data.len()
        ));
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let id = u32_at(at + 4)?;
        let scope = *data.get(at + 8).ok_or("cut short")?;
        let raw = data.get(at + 9..at + 13).ok_or("cut short")?;
        let value: String = raw
            .iter()
            .rev()
            .filter(|&&b| b != 0)
            .map(|&b| b as char)
            .collect::<String>()
            .trim()
            .to_owned();
        out.push(Attribute { id, scope, value });
        at += 13;
    }
    Ok(out)
}

/// The value of attribute `id` in `scope`, if present.
pub fn get(attrs: &[Attribute], id: u32, scope: u8) -> Option<&str> {
    attrs
        .iter()
        .find(|a| a.id == id && a.scope == scope)
        .map(|a| a.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_entries_and_refuses_short_input() {
        let mut data = vec![0u8; 1];
        data.extend(999u32.to_le_bytes());
        data.extend(1u32.to_le_bytes());
        data.extend(999u32.to_le_bytes());
        data.extend(ATTR_RACE.to_le_bytes());
        data.push(1);
        data.extend(b"torP");
        let attrs = decode(&data, 90_000).unwrap();
        assert_eq!(get(&attrs, ATTR_RACE, 1), Some("Prot"));
        assert_eq!(get(&attrs, ATTR_RACE, 2), None);
        assert!(decode(&data[..data.len() - 1], 90_000).is_err());
        assert!(decode(&[], 90_000).is_err());
    }
}
