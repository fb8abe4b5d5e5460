//! The replay's game version, read from the MPQ user data without s2protocol.
//! s2protocol 5 decodes only the newest header layout (older headers lack
//! fields it requires, and its error path dumps bytes to stderr), but the
//! signature and version are the first two fields of every layout since 1.0,
//! in Blizzard's versioned encoding. Reading them here lets old builds be
//! refused by number as `UnsupportedVersion { build }`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameVersion {
    pub signature: Vec<u8>,
    pub major: i64,
    pub minor: i64,
    pub revision: i64,
    pub build: i64,
    pub base_build: i64,
}

/// Nesting deeper than this is refused: the header is three levels deep.
const MAX_DEPTH: u32 = 8;

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    /// Blizzard's variable-length integer: bit 0 of the first byte is the sign.
    fn vint(&mut self) -> Option<i64> {
        let first = self.byte()?;
        let mut value = i64::from((first >> 1) & 0x3f);
        let mut more = first & 0x80 != 0;
        let mut shift = 6;
        while more {
            if shift > 62 {
                return None;
            }
            let b = self.byte()?;
            value |= i64::from(b & 0x7f) << shift;
            shift += 7;
            more = b & 0x80 != 0;
        }
        Some(if first & 1 != 0 { -value } else { value })
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.data.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.vint()?).ok()
    }

    fn skip(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.byte()? {
            0x00 => {
                for _ in 0..self.len()? {
                    self.skip(depth + 1)?;
                }
            }
            0x01 => {
                let bits = self.len()?;
                self.take(bits.div_ceil(8))?;
            }
            0x02 => {
                let n = self.len()?;
                self.take(n)?;
            }
            0x03 => {
                self.vint()?;
                self.skip(depth + 1)?;
            }
            0x04 => {
                if self.byte()? != 0 {
                    self.skip(depth + 1)?;
                }
            }
            0x05 => {
                for _ in 0..self.len()? {
                    self.vint()?;
                    self.skip(depth + 1)?;
                }
            }
            0x06 => {
                self.take(1)?;
            }
            0x07 => {
                self.take(4)?;
            }
            0x08 => {
                self.take(8)?;
            }
            0x09 => {
                self.vint()?;
            }
            _ => return None,
        }
        Some(())
    }
}

/// Reads signature and version from the replay header (the MPQ user-data content).
pub fn read(header: &[u8]) -> Option<GameVersion> {
    let mut r = Reader {
        data: header,
        at: 0,
    };
    if r.byte()? != 0x05 {
        return None;
    }
    let mut signature = None;
    let mut version = None;
    for _ in 0..r.len()? {
        match r.vint()? {
            0 if r.data.get(r.at) == Some(&0x02) => {
                r.byte()?;
                let n = r.len()?;
                signature = Some(r.take(n)?.to_vec());
            }
            1 if r.data.get(r.at) == Some(&0x05) => {
                r.byte()?;
                let mut fields = [0i64; 6];
                for _ in 0..r.len()? {
                    let tag = r.vint()?;
                    match usize::try_from(tag).ok().filter(|&t| t < 6) {
                        Some(t) if r.data.get(r.at) == Some(&0x09) => {
                            r.byte()?;
                            fields[t] = r.vint()?;
                        }
                        _ => r.skip(1)?,
                    }
                }
                version = Some(fields);
            }
            _ => r.skip(1)?,
        }
        if signature.is_some() && version.is_some() {
            break;
        }
    }
    let [_flags, major, minor, revision, build, base_build] = version?;
    Some(GameVersion {
        signature: signature?,
        major,
        minor,
        revision,
        build,
        base_build,
    })
}

/// The user-data content of an MPQ file that starts with `MPQ\x1b`.
pub fn user_data(bytes: &[u8]) -> Option<&[u8]> {
    let size = u32::from_le_bytes(bytes.get(12..16)?.try_into().ok()?) as usize;
    bytes.get(16..16usize.checked_add(size)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_1_0_header_and_refuses_garbage() {
        let mut h = vec![0x05, 0x08, 0x00, 0x02, 0x2c];
        h.extend(b"StarCraft II replay\x1b11");
        h.extend([
            0x02, 0x05, 0x0c, 0x00, 0x09, 0x02, 0x02, 0x09, 0x02, 0x04, 0x09, 0x00, 0x06, 0x09,
            0x00, 0x08, 0x09, 0xea, 0xfb, 0x01, 0x0a, 0x09, 0xda, 0xf0, 0x01,
        ]);
        let v = read(&h).unwrap();
        assert_eq!(
            (v.major, v.minor, v.build, v.base_build),
            (1, 0, 16117, 15405)
        );
        assert!(read(&h[..20]).is_none());
        assert!(read(&[0x05, 0xff, 0xff, 0xff]).is_none());
    }
}
