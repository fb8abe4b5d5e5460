//! A replay file's sha256 as 32 bytes: the form kept in memory (the set of
//! used replays, each match's verified file), where the 64-character hex
//! `String` took ~100 bytes a hash. Rows, the worker's frames, file names and
//! JSON keep the hex text; this type converts at those edges.

use std::fmt;
use std::str::FromStr;

/// A sha256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256([u8; 32]);

/// Why a text is not a sha256 as ladderd writes them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadSha256 {
    #[error("a sha256 is 64 hex digits, not {0} bytes")]
    Length(usize),
    /// Uppercase is refused too: the text is shown again (file names, JSON),
    /// so what comes back out must be what went in.
    #[error("a sha256 is lowercase hex; byte {0} is not")]
    Digit(usize),
}

impl Sha256 {
    pub const fn from_bytes(bytes: [u8; 32]) -> Sha256 {
        Sha256(bytes)
    }

    /// The digest of `data`.
    pub fn digest(data: &[u8]) -> Sha256 {
        use sha2::Digest as _;
        Sha256(sha2::Sha256::digest(data).into())
    }

    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl FromStr for Sha256 {
    type Err = BadSha256;

    /// Exactly 64 lowercase hex digits.
    fn from_str(s: &str) -> Result<Sha256, BadSha256> {
        let text = s.as_bytes();
        if text.len() != 64 {
            return Err(BadSha256::Length(text.len()));
        }
        let digit = |i: usize| match text[i] {
            c @ b'0'..=b'9' => Ok(c - b'0'),
            c @ b'a'..=b'f' => Ok(c - b'a' + 10),
            _ => Err(BadSha256::Digit(i)),
        };
        let mut out = [0u8; 32];
        for (k, byte) in out.iter_mut().enumerate() {
            *byte = (digit(2 * k)? << 4) | digit(2 * k + 1)?;
        }
        Ok(Sha256(out))
    }
}

impl fmt::Display for Sha256 {
    /// 64 lowercase hex digits, as `from_str` reads them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_reads_back_as_written() {
        let text = "0123456789abcdef".repeat(4);
        let sha: Sha256 = text.parse().unwrap();
        assert_eq!(
            sha.as_bytes()[..8],
            [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]
        );
        assert_eq!(sha.to_string(), text);
        let d = Sha256::digest(b"abc");
        assert_eq!(
            d.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.to_string().parse::<Sha256>(), Ok(d));
    }

    #[test]
    fn anything_but_64_lowercase_hex_digits_is_refused() {
        let good = "ab".repeat(32);
        assert_eq!("".parse::<Sha256>(), Err(BadSha256::Length(0)));
        assert_eq!(good[..63].parse::<Sha256>(), Err(BadSha256::Length(63)));
        assert_eq!(
            format!("{good}0").parse::<Sha256>(),
            Err(BadSha256::Length(65))
        );
        assert_eq!(
            format!("{}g{}", &good[..10], &good[11..]).parse::<Sha256>(),
            Err(BadSha256::Digit(10))
        );
        assert_eq!(
            good.to_uppercase().parse::<Sha256>(),
            Err(BadSha256::Digit(0))
        );
        assert_eq!(
            format!("{}B", &good[..63]).parse::<Sha256>(),
            Err(BadSha256::Digit(63))
        );
        // 64 bytes but not 64 characters: a multi-byte character is no digit.
        let wide = format!("é{}", &good[..62]);
        assert_eq!(wide.len(), 64);
        assert_eq!(wide.parse::<Sha256>(), Err(BadSha256::Digit(0)));
        assert!(good.parse::<Sha256>().is_ok());
    }
}
