//! A bzip2 decoder for the small sections of a replay, bounded by the size
//! the caller expects.
//!
//! Why not bzip2-rs (which nom-mpq uses, and which ladderd used here before):
//! it reserves a whole 900 kB block (3.6 MB) for every stream, however short,
//! and sorts to build each Huffman table; on a replay's three small sections
//! (a few KB each) that was about a third of a verification-level parse
//! (`perf`, BENCHMARKS.md "Replay parsing at 20×"). This follows libbzip2's
//! `decompress.c` step by step (the same checks, the same error cases) and
//! allocates only what the data decodes to: the block grows with its symbols
//! and is refused once it could only expand past `limit`.
//!
//! Checked: the stream and block magics, every length and count against
//! libbzip2's bounds, each block's CRC and the stream's combined CRC.
//! Randomised blocks (a bzip2 0.9 feature no MPQ writer uses) are refused.
//! Tested against bzip2-rs on every compressed sector of the corpus, and on
//! cut and garbled streams.

/// Why a stream could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Bzip2Error {
    #[error("not a bzip2 stream")]
    NotBzip2,
    #[error("the stream is cut short")]
    Truncated,
    #[error("the stream is damaged: {0}")]
    Corrupt(&'static str),
    #[error("a block's checksum does not match")]
    Checksum,
    #[error("it expands past {limit} bytes")]
    TooLarge { limit: usize },
}

type Result<T> = std::result::Result<T, Bzip2Error>;

const BLOCK_MAGIC: u64 = 0x3141_5926_5359;
const END_MAGIC: u64 = 0x1772_4538_5090;
const MAX_GROUPS: usize = 6;
const MAX_ALPHA: usize = 258;
const MAX_CODE_LEN: usize = 23;
const MAX_SELECTORS: usize = 18_002;
const GROUP_SIZE: u32 = 50;
const RUNA: u16 = 0;
const RUNB: u16 = 1;

/// bzip2's CRC-32: polynomial 0x04c11db7, most significant bit first.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u32) << 24;
        let mut k = 0;
        while k < 8 {
            c = if c & 0x8000_0000 != 0 {
                (c << 1) ^ 0x04c1_1db7
            } else {
                c << 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// Most significant bit first, as bzip2 writes.
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
    buf: u64,
    held: u32,
}

impl Bits<'_> {
    /// `n` (at most 32) bits.
    #[inline]
    fn get(&mut self, n: u32) -> Result<u32> {
        while self.held < n {
            let b = *self.data.get(self.at).ok_or(Bzip2Error::Truncated)?;
            self.at += 1;
            self.buf = (self.buf << 8) | u64::from(b);
            self.held += 8;
        }
        self.held -= n;
        Ok(((self.buf >> self.held) & ((1u64 << n) - 1)) as u32)
    }

    #[inline]
    fn bit(&mut self) -> Result<bool> {
        Ok(self.get(1)? == 1)
    }

    fn get48(&mut self) -> Result<u64> {
        Ok((u64::from(self.get(24)?) << 24) | u64::from(self.get(24)?))
    }
}

/// One Huffman table in libbzip2's form: codes of each length are
/// consecutive, `limit` is the largest code of a length, `base` turns a code
/// into an index into `perm` (the symbols sorted by code length).
struct Table {
    min_len: u32,
    limit: [i32; MAX_CODE_LEN],
    base: [i32; MAX_CODE_LEN],
    perm: [u16; MAX_ALPHA],
}

impl Table {
    fn new(lengths: &[u8]) -> Table {
        let min_len = lengths.iter().copied().min().unwrap_or(1);
        let max_len = lengths.iter().copied().max().unwrap_or(1);
        let mut t = Table {
            min_len: u32::from(min_len),
            limit: [0; MAX_CODE_LEN],
            base: [0; MAX_CODE_LEN],
            perm: [0; MAX_ALPHA],
        };
        let mut pp = 0;
        for len in min_len..=max_len {
            for (sym, _) in lengths.iter().enumerate().filter(|(_, l)| **l == len) {
                t.perm[pp] = sym as u16;
                pp += 1;
            }
        }
        for &len in lengths {
            t.base[usize::from(len) + 1] += 1;
        }
        for i in 1..MAX_CODE_LEN {
            t.base[i] += t.base[i - 1];
        }
        let mut vec = 0i32;
        for len in usize::from(min_len)..=usize::from(max_len) {
            vec += t.base[len + 1] - t.base[len];
            t.limit[len] = vec - 1;
            vec <<= 1;
        }
        for len in usize::from(min_len) + 1..=usize::from(max_len) {
            t.base[len] = ((t.limit[len - 1] + 1) << 1) - t.base[len];
        }
        t
    }

    #[inline]
    fn decode(&self, bits: &mut Bits<'_>, alpha: usize) -> Result<u16> {
        let mut len = self.min_len as usize;
        let mut code = bits.get(self.min_len)? as i32;
        loop {
            if len > 20 {
                return Err(Bzip2Error::Corrupt("a Huffman code is too long"));
            }
            if code <= self.limit[len] {
                break;
            }
            len += 1;
            code = (code << 1) | i32::from(bits.bit()?);
        }
        usize::try_from(code - self.base[len])
            .ok()
            .filter(|&i| i < alpha)
            .map(|i| self.perm[i])
            .ok_or(Bzip2Error::Corrupt("a Huffman code is out of range"))
    }
}

/// Decompresses `data` (one or more bzip2 streams) into at most `limit`
/// bytes; a stream that would produce more is refused as
/// [`Bzip2Error::TooLarge`] as soon as it could only do so.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut bits = Bits {
        data,
        at: 0,
        buf: 0,
        held: 0,
    };
    let mut out = Vec::new();
    let mut first = true;
    loop {
        // A stream header; after the first stream, trailing bytes that are
        // not one end the data (the bzip2 tool ignores them too).
        let header = data.get(bits.at..bits.at + 4);
        let level = match header {
            Some([b'B', b'Z', b'h', l @ b'1'..=b'9']) => u32::from(l - b'0'),
            _ if first => return Err(Bzip2Error::NotBzip2),
            _ => return Ok(out),
        };
        first = false;
        bits.at += 4;
        let block_max = level as usize * 100_000;
        let mut combined = 0u32;
        loop {
            match bits.get48()? {
                BLOCK_MAGIC => {
                    let want = bits.get(32)?;
                    let got = block(&mut bits, block_max, limit, &mut out)?;
                    if got != want {
                        return Err(Bzip2Error::Checksum);
                    }
                    combined = combined.rotate_left(1) ^ got;
                }
                END_MAGIC => {
                    if bits.get(32)? != combined {
                        return Err(Bzip2Error::Checksum);
                    }
                    // The next stream starts on a byte boundary.
                    bits.held -= bits.held % 8;
                    bits.at -= (bits.held / 8) as usize;
                    bits.held = 0;
                    break;
                }
                _ => return Err(Bzip2Error::Corrupt("no block or end-of-stream magic")),
            }
        }
    }
}

/// Decodes one block (after its magic and CRC) onto `out`; returns its CRC.
fn block(bits: &mut Bits<'_>, block_max: usize, limit: usize, out: &mut Vec<u8>) -> Result<u32> {
    if bits.bit()? {
        return Err(Bzip2Error::Corrupt("randomised blocks are not supported"));
    }
    let orig_ptr = bits.get(24)? as usize;

    // The bytes in use, as 16 groups of 16.
    let mut seq_to_unseq = [0u8; 256];
    let mut in_use = 0usize;
    let groups = bits.get(16)?;
    for g in 0..16 {
        if groups & (0x8000 >> g) != 0 {
            let used = bits.get(16)?;
            for b in 0..16 {
                if used & (0x8000 >> b) != 0 {
                    seq_to_unseq[in_use] = (g * 16 + b) as u8;
                    in_use += 1;
                }
            }
        }
    }
    if in_use == 0 {
        return Err(Bzip2Error::Corrupt("a block uses no byte"));
    }
    let alpha = in_use + 2;

    let n_groups = bits.get(3)? as usize;
    if !(2..=MAX_GROUPS).contains(&n_groups) {
        return Err(Bzip2Error::Corrupt("a block's table count is out of range"));
    }
    let n_selectors = bits.get(15)? as usize;
    if n_selectors < 1 {
        return Err(Bzip2Error::Corrupt("a block has no selectors"));
    }
    let mut pos: [u8; MAX_GROUPS] = [0, 1, 2, 3, 4, 5];
    let mut selectors = Vec::with_capacity(n_selectors.min(MAX_SELECTORS));
    for i in 0..n_selectors {
        let mut j = 0usize;
        while bits.bit()? {
            j += 1;
            if j >= n_groups {
                return Err(Bzip2Error::Corrupt("a selector is out of range"));
            }
        }
        // libbzip2 reads selectors past its maximum but keeps only the first ones.
        if i < MAX_SELECTORS {
            let v = pos[j];
            pos.copy_within(0..j, 1);
            pos[0] = v;
            selectors.push(v);
        }
    }

    let mut tables = Vec::with_capacity(n_groups);
    let mut lengths = [0u8; MAX_ALPHA];
    for _ in 0..n_groups {
        let mut curr = bits.get(5)? as i32;
        for len in lengths.iter_mut().take(alpha) {
            loop {
                if !(1..=20).contains(&curr) {
                    return Err(Bzip2Error::Corrupt("a code length is out of range"));
                }
                if !bits.bit()? {
                    break;
                }
                curr += if bits.bit()? { -1 } else { 1 };
            }
            *len = curr as u8;
        }
        tables.push(Table::new(&lengths[..alpha]));
    }

    // The Huffman-coded, move-to-front, run-length symbols into the block.
    // The block never holds more than libbzip2 allows, nor more than could
    // still fit in `limit` once its runs of four are expanded (each 5
    // symbols give at least 4 bytes).
    let room = limit.saturating_sub(out.len());
    let cap = block_max.min(room.saturating_add(1).saturating_mul(5) / 4 + 5);
    let eob = (in_use + 1) as u16;
    let mut tt: Vec<u32> = Vec::new();
    let mut counts = [0u32; 256];
    let mut mtf: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut group = 0usize;
    let mut group_left = 0u32;
    let mut table = &tables[0];
    let mut next = |bits: &mut Bits<'_>| -> Result<u16> {
        if group_left == 0 {
            let sel = *selectors
                .get(group)
                .ok_or(Bzip2Error::Corrupt("a block runs past its selectors"))?;
            table = tables
                .get(usize::from(sel))
                .ok_or(Bzip2Error::Corrupt("a selector is out of range"))?;
            group += 1;
            group_left = GROUP_SIZE;
        }
        group_left -= 1;
        table.decode(bits, alpha)
    };
    let too_large = |cap: usize| {
        if cap < block_max {
            Bzip2Error::TooLarge { limit }
        } else {
            Bzip2Error::Corrupt("a block is longer than its level allows")
        }
    };
    let mut sym = next(bits)?;
    while sym != eob {
        if sym == RUNA || sym == RUNB {
            let mut run = 0usize;
            let mut n = 1usize;
            while sym == RUNA || sym == RUNB {
                if n >= 2 * 1024 * 1024 {
                    return Err(Bzip2Error::Corrupt("a run is too long"));
                }
                run += if sym == RUNA { n } else { 2 * n };
                n *= 2;
                sym = next(bits)?;
            }
            let byte = seq_to_unseq[usize::from(mtf[0])];
            if tt.len() + run > cap {
                return Err(too_large(cap));
            }
            counts[usize::from(byte)] += run as u32;
            tt.resize(tt.len() + run, u32::from(byte));
        } else {
            if tt.len() >= cap {
                return Err(too_large(cap));
            }
            let nn = usize::from(sym - 1);
            let v = mtf[nn];
            mtf.copy_within(0..nn, 1);
            mtf[0] = v;
            let byte = seq_to_unseq[usize::from(v)];
            counts[usize::from(byte)] += 1;
            tt.push(u32::from(byte));
            sym = next(bits)?;
        }
    }
    if orig_ptr >= tt.len() {
        return Err(Bzip2Error::Corrupt("a block's origin is past its end"));
    }

    // The inverse Burrows-Wheeler transform: each entry's high 24 bits link
    // to the next one.
    let mut start = [0u32; 256];
    let mut sum = 0u32;
    for (s, c) in start.iter_mut().zip(counts) {
        *s = sum;
        sum += c;
    }
    for i in 0..tt.len() {
        let byte = (tt[i] & 0xff) as usize;
        let at = start[byte] as usize;
        tt[at] |= (i as u32) << 8;
        start[byte] += 1;
    }

    // Walk it, undoing the first run-length stage (four equal bytes, then a
    // count of more) and checking the output against `limit`. The common
    // case, one byte, is inline: a call and a `resize` per byte were a fifth
    // of a full-level parse.
    let crc_of = |crc: u32, byte: u8| (crc << 8) ^ CRC_TABLE[((crc >> 24) as u8 ^ byte) as usize];
    let mut crc = !0u32;
    // Each symbol is at least 4/5 of a byte: reserve what the block decodes
    // to, within what is left of `limit`.
    out.reserve(tt.len().min(limit - out.len()));
    let mut at = (tt[orig_ptr] >> 8) as usize;
    let mut last = 0u8;
    let mut run = 0;
    for _ in 0..tt.len() {
        let entry = *tt
            .get(at)
            .ok_or(Bzip2Error::Corrupt("a block's links are broken"))?;
        let byte = (entry & 0xff) as u8;
        at = (entry >> 8) as usize;
        if run == 4 {
            let n = usize::from(byte);
            if n > limit - out.len() {
                return Err(Bzip2Error::TooLarge { limit });
            }
            for _ in 0..n {
                crc = crc_of(crc, last);
            }
            out.resize(out.len() + n, last);
            run = 0;
            continue;
        }
        if run > 0 && byte == last {
            run += 1;
        } else {
            last = byte;
            run = 1;
        }
        if out.len() >= limit {
            return Err(Bzip2Error::TooLarge { limit });
        }
        crc = crc_of(crc, byte);
        out.push(byte);
    }
    Ok(!crc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::corpus;
    use proptest::prelude::*;
    use std::io::Read as _;

    /// Every bzip2-compressed sector of every replay in the corpus (the
    /// shared one when present, else the fixtures), with its expected size.
    fn corpus_streams() -> Vec<(String, Vec<u8>, usize)> {
        let mut out = Vec::new();
        for (name, bytes) in corpus::five_oh_replays() {
            let (_, mpq) = s2protocol::parser::parse(&bytes).unwrap();
            let base = mpq.archive_header.offset;
            let shift = mpq.archive_header.sector_size_shift;
            for block in &mpq.block_table_entries {
                let start = base + block.offset as usize;
                let Some(data) = bytes.get(start..start + block.archived_size as usize) else {
                    continue;
                };
                let size = block.size as usize;
                if block.flags & 0x0100_0000 != 0 {
                    if data.len() < size && data.first() == Some(&16) {
                        out.push((name.clone(), data[1..].to_vec(), size));
                    }
                    continue;
                }
                let sector = 512usize << shift;
                let n = size.div_ceil(sector);
                let at = |i: usize| u32::from_le_bytes(data[i * 4..i * 4 + 4].try_into().unwrap());
                for i in 0..n {
                    let s = &data[at(i) as usize..at(i + 1) as usize];
                    let expected = sector.min(size - i * sector);
                    if s.len() < expected && s.first() == Some(&16) {
                        out.push((name.clone(), s[1..].to_vec(), expected));
                    }
                }
            }
        }
        assert!(out.len() > 17, "too few bzip2 sectors: {}", out.len());
        out
    }

    fn reference(data: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        bzip2_rs::DecoderReader::new(data).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn decodes_every_corpus_sector_as_bzip2_rs_does() {
        let streams = corpus_streams();
        let mut multi_block = 0;
        for (name, data, size) in &streams {
            let want = reference(data).unwrap();
            assert_eq!(want.len(), *size, "{name}");
            let got = decompress(data, *size).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(got == want, "{name}: differs from bzip2-rs");
            if *size > 900_000 {
                multi_block += 1;
            }
            // One byte less than the stream holds is refused as too large.
            assert_eq!(
                decompress(data, size - 1),
                Err(Bzip2Error::TooLarge { limit: size - 1 }),
                "{name}"
            );
        }
        println!("{} streams, {multi_block} of several blocks", streams.len());
    }

    #[test]
    fn cut_streams_are_refused() {
        let streams = corpus_streams();
        let (name, data, size) = streams.iter().min_by_key(|s| s.1.len()).unwrap();
        for len in 0..data.len() {
            assert!(
                decompress(&data[..len], *size).is_err(),
                "{name} cut to {len} bytes"
            );
        }
    }

    #[test]
    fn garbled_streams_are_refused_or_bounded() {
        let streams = corpus_streams();
        let (_, data, size) = streams.iter().min_by_key(|s| s.1.len()).unwrap().clone();
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::with_cases(512)
        });
        runner
            .run(
                &proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
                |edits| {
                    let mut d = data.clone();
                    for (at, b) in edits {
                        let i = at.index(d.len());
                        d[i] ^= b.max(1);
                    }
                    // A flipped bit almost always breaks a CRC; whatever
                    // comes back stays within the limit.
                    if let Ok(out) = decompress(&d, size) {
                        prop_assert!(out.len() <= size);
                    }
                    Ok(())
                },
            )
            .unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_bytes_after_a_header_are_refused_or_bounded(
            body in proptest::collection::vec(any::<u8>(), 0..2048),
            limit in 0usize..8192,
        ) {
            let mut data = b"BZh9".to_vec();
            data.extend(body);
            if let Ok(out) = decompress(&data, limit) {
                prop_assert!(out.len() <= limit);
            }
        }
    }

    #[test]
    fn headers_and_empty_streams() {
        assert_eq!(decompress(b"", 10), Err(Bzip2Error::NotBzip2));
        assert_eq!(decompress(b"BZh0", 10), Err(Bzip2Error::NotBzip2));
        assert_eq!(decompress(b"BZh9", 10), Err(Bzip2Error::Truncated));
        // An empty stream: header, end magic, combined CRC 0.
        let empty = [
            b'B', b'Z', b'h', b'9', 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0, 0, 0, 0,
        ];
        assert_eq!(decompress(&empty, 0), Ok(Vec::new()));
        assert_eq!(reference(&empty).unwrap(), Vec::<u8>::new());
        let mut bad_crc = empty;
        bad_crc[13] = 1;
        assert_eq!(decompress(&bad_crc, 0), Err(Bzip2Error::Checksum));
    }
}
