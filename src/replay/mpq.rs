//! Bounded reading of the MPQ archive inside an `.SC2Replay`, before
//! s2protocol sees a byte of it.
//!
//! s2protocol (through nom-mpq) decompresses a section with no limit: a legal
//! 80 KB upload whose `replay.details` is a bzip2 stream of 4 GiB of zeros
//! grows the process to 4 GB. So ladderd reads the block table itself, and for
//! each section it needs:
//! - refuses a section whose declared size exceeds its cap ([`cap`]; real
//!   5.0.x replays' details, init data and attributes are under 6 KB, see
//!   the figures at the constants), naming the section;
//! - refuses a block that points past the end of the file, an encrypted block,
//!   an unknown compression;
//! - decompresses each sector through a reader that stops one byte past the
//!   sector's expected size, and refuses a stream that would expand past it.
//!
//! The checked, decompressed sections are then laid out uncompressed in a new
//! in-memory archive ([`Checked`]) that is all s2protocol is given: its own
//! decompression never runs on uploaded bytes.
//!
//! Event streams at full level: the same rule, with a larger cap
//! ([`EVENTS_CAP`]); `ParseLevel::Verification` (what uploads use) never
//! decompresses them at all.
//!
//! Why not a fork of nom-mpq with limits: the checks are ~150 lines here,
//! and s2protocol takes an `MPQ` value whose fields are public, so the
//! checked archive needs no change to either crate.
//!
//! The header and the hash and block tables are read here too
//! ([`read_archive`]); [`super::parse`]'s framing check has already bounded
//! the tables by the file's size, so that step allocates at most the file's
//! size. bzip2 sectors go through ladderd's own decoder ([`super::bzip2`]),
//! bounded by the sector's expected size.

use std::io::Read;

use s2protocol::MPQ;
use s2protocol::parser::{MPQBlockTableEntry, MPQFileHeader, MPQHashTableEntry, MPQUserData};

use super::error::{ReplayError, Section};

// Caps, against the largest section in the shared corpus's 17 5.0.x replays
// (`cargo test --test it -- hostile::corpus_sections --nocapture`; figures in
// BENCHMARKS.md "Replay section sizes"). The margin is for what the corpus
// lacks: 8-slot lobbies, long names, maps with many dependencies.

/// `replay.details`: largest in the corpus 762 bytes.
pub const DETAILS_CAP: u64 = 256 * 1024;
/// `replay.initData`: largest in the corpus 5,097 bytes (it grows with slots).
pub const INIT_DATA_CAP: u64 = 1024 * 1024;
/// `replay.attributes.events`: largest in the corpus 4,247 bytes.
pub const ATTRIBUTES_CAP: u64 = 256 * 1024;
/// Each event stream, at full level only: largest in the corpus 3.2 MB
/// (tracker events of a long game); they grow with game length. At this
/// size s2protocol's decoded events may exceed a worker's address-space
/// limit; the worker then dies and the file is answered "could not be read
/// safely". Uploads are checked at verification level and never read them.
pub const EVENTS_CAP: u64 = 64 * 1024 * 1024;

/// Every section that is an archive file: first the three verification
/// reads, then the event streams. The IPC wire numbers sections in this
/// order (see `ipc::SECTIONS`): append, never reorder.
pub const FILES: [Section; 6] = [
    Section::Details,
    Section::InitData,
    Section::Attributes,
    Section::GameEvents,
    Section::TrackerEvents,
    Section::MessageEvents,
];

/// The archive file name and size cap of a section.
pub fn cap(section: Section) -> Option<(&'static str, u64)> {
    Some(match section {
        Section::Details => ("replay.details", DETAILS_CAP),
        Section::InitData => ("replay.initData", INIT_DATA_CAP),
        Section::Attributes => ("replay.attributes.events", ATTRIBUTES_CAP),
        Section::GameEvents => ("replay.game.events", EVENTS_CAP),
        Section::TrackerEvents => ("replay.tracker.events", EVENTS_CAP),
        Section::MessageEvents => ("replay.message.events", EVENTS_CAP),
        Section::Archive | Section::Header => return None,
    })
}

const FILE_COMPRESS: u32 = 0x0000_0200;
const FILE_ENCRYPTED: u32 = 0x0001_0000;
const FILE_SINGLE_UNIT: u32 = 0x0100_0000;
const FILE_SECTOR_CRC: u32 = 0x0400_0000;
const FILE_EXISTS: u32 = 0x8000_0000;

const COMPRESSION_PLAIN: u8 = 0;
const COMPRESSION_ZLIB: u8 = 2;
const COMPRESSION_BZIP2: u8 = 16;
const COMPRESSION_PLAIN_OTHER: u8 = 47;

/// Sector sizes are `512 << shift`; SC2 uses 3 (4 KiB). Anything past 1 MiB
/// sectors is not an SC2 archive.
const MAX_SECTOR_SHIFT: u16 = 11;

fn corrupt(section: Section, detail: &str) -> ReplayError {
    ReplayError::Corrupt {
        section,
        detail: detail.to_owned(),
    }
}

/// Reads one section of `mpq` (parsed from `bytes`), bounded as the module
/// docs say. A section missing from the archive is `Corrupt`.
pub fn read_section(mpq: &MPQ, bytes: &[u8], section: Section) -> Result<Vec<u8>, ReplayError> {
    let (name, limit) = cap(section).ok_or_else(|| corrupt(section, "not an archive file"))?;
    let (_, block) = block_of(mpq, name, section)?;
    read_block(mpq, bytes, &block, section, limit)
}

fn block_of(
    mpq: &MPQ,
    name: &str,
    section: Section,
) -> Result<(MPQHashTableEntry, MPQBlockTableEntry), ReplayError> {
    let hash = mpq
        .get_hash_table_entry(name)
        .map_err(|_| corrupt(section, "the archive does not contain it"))?;
    let block = usize::try_from(hash.block_table_index)
        .ok()
        .and_then(|i| mpq.block_table_entries.get(i))
        .ok_or_else(|| {
            corrupt(
                section,
                "the archive's hash table points past its block table",
            )
        })?
        .clone();
    Ok((hash, block))
}

fn read_block(
    mpq: &MPQ,
    bytes: &[u8],
    block: &MPQBlockTableEntry,
    section: Section,
    limit: u64,
) -> Result<Vec<u8>, ReplayError> {
    if block.flags & FILE_EXISTS == 0 {
        return Err(corrupt(section, "the archive marks it deleted"));
    }
    if u64::from(block.size) > limit {
        return Err(ReplayError::Corrupt {
            section,
            detail: format!(
                "it declares {} bytes, more than any real replay's (limit {limit})",
                block.size
            ),
        });
    }
    if block.flags & FILE_ENCRYPTED != 0 {
        return Err(corrupt(section, "it is encrypted, which replays never are"));
    }
    let size = block.size as usize;
    let start = mpq.archive_header.offset as u64 + u64::from(block.offset);
    let end = start + u64::from(block.archived_size);
    let data = usize::try_from(start)
        .ok()
        .zip(usize::try_from(end).ok())
        .and_then(|(s, e)| bytes.get(s..e))
        .ok_or_else(|| {
            corrupt(
                section,
                "the archive's block table points past the end of the file",
            )
        })?;
    if data.is_empty() || size == 0 {
        return Ok(Vec::new());
    }
    let compressed = block.flags & FILE_COMPRESS != 0;
    if block.flags & FILE_SINGLE_UNIT != 0 {
        // Stored data is compressed only when that saves a byte; data longer
        // than the declared size is neither a compressed nor a plain section.
        return match data.len().cmp(&size) {
            std::cmp::Ordering::Less if compressed => decompress(data, size, section),
            std::cmp::Ordering::Equal => Ok(data.to_vec()),
            _ => Err(corrupt(
                section,
                "its stored size does not match its declared size",
            )),
        };
    }
    let shift = mpq.archive_header.sector_size_shift;
    if shift > MAX_SECTOR_SHIFT {
        return Err(corrupt(section, "the archive's sector size is not SC2's"));
    }
    let sector_size = 512usize << shift;
    let sectors = size.div_ceil(sector_size);
    let entries = sectors + 1 + usize::from(block.flags & FILE_SECTOR_CRC != 0);
    let table = data
        .get(..entries * 4)
        .ok_or_else(|| corrupt(section, "its sector table is cut short"))?;
    let position = |i: usize| {
        u32::from_le_bytes([
            table[i * 4],
            table[i * 4 + 1],
            table[i * 4 + 2],
            table[i * 4 + 3],
        ]) as usize
    };
    let mut out = Vec::with_capacity(size);
    for i in 0..sectors {
        let expected = sector_size.min(size - i * sector_size);
        let sector = data
            .get(position(i)..position(i + 1))
            .ok_or_else(|| corrupt(section, "its sector table points outside the section"))?;
        if compressed && sector.len() < expected {
            out.extend(decompress(sector, expected, section)?);
        } else {
            out.extend_from_slice(&sector[..sector.len().min(expected)]);
        }
    }
    Ok(out)
}

/// Decompresses one MPQ sector (its first byte names the compression) into at
/// most `limit` bytes; a stream that would produce more is refused.
pub fn decompress(sector: &[u8], limit: usize, section: Section) -> Result<Vec<u8>, ReplayError> {
    let (&kind, stream) = sector
        .split_first()
        .ok_or_else(|| corrupt(section, "a compressed sector is empty"))?;
    let expands_past = || ReplayError::Corrupt {
        section,
        detail: format!("its compressed data expands past its declared size ({limit} bytes)"),
    };
    let mut out = Vec::new();
    let read = match kind {
        COMPRESSION_PLAIN | COMPRESSION_PLAIN_OTHER => {
            out.extend_from_slice(stream);
            Ok(stream.len())
        }
        COMPRESSION_ZLIB => flate2::bufread::ZlibDecoder::new(stream)
            .take(limit as u64 + 1)
            .read_to_end(&mut out),
        // ladderd's own decoder (see `bzip2`): bounded by `limit` itself.
        COMPRESSION_BZIP2 => {
            return match super::bzip2::decompress(stream, limit) {
                Ok(out) => Ok(out),
                Err(super::bzip2::Bzip2Error::TooLarge { .. }) => Err(expands_past()),
                Err(_) => Err(corrupt(section, "its compressed data is damaged")),
            };
        }
        _ => return Err(corrupt(section, "it uses a compression replays never use")),
    };
    if out.len() > limit {
        return Err(expands_past());
    }
    read.map_err(|_| corrupt(section, "its compressed data is damaged"))?;
    Ok(out)
}

/// The sections s2protocol may read, decompressed and checked, in an archive
/// of their own (`mpq` over `bytes`) where every block is stored uncompressed.
pub struct Checked {
    pub mpq: MPQ,
    pub bytes: Vec<u8>,
    /// Where each section lies in `bytes`, so ladderd's own decoders read
    /// them without a second lookup through the archive's hash table.
    ranges: Vec<(Section, std::ops::Range<usize>)>,
}

impl Checked {
    /// The decompressed bytes of `section`, if it was one of those checked.
    pub fn section(&self, section: Section) -> Result<&[u8], ReplayError> {
        self.ranges
            .iter()
            .find(|(s, _)| *s == section)
            .and_then(|(_, r)| self.bytes.get(r.clone()))
            .ok_or_else(|| corrupt(section, "not read from the archive"))
    }
}

/// Reads `sections` out of `mpq` (parsed from `bytes`) with [`read_section`]
/// and lays them out as [`Checked`]. `mpq` is consumed: its user data (the
/// protocol header) and encryption table move to the new archive.
pub fn checked(mpq: MPQ, bytes: &[u8], sections: &[Section]) -> Result<Checked, ReplayError> {
    let mut out = Vec::new();
    let mut hashes = Vec::with_capacity(sections.len());
    let mut blocks = Vec::with_capacity(sections.len());
    let mut ranges = Vec::with_capacity(sections.len());
    for &section in sections {
        let (name, limit) = cap(section).ok_or_else(|| corrupt(section, "not an archive file"))?;
        let (hash, block) = block_of(&mpq, name, section)?;
        let data = read_block(&mpq, bytes, &block, section, limit)?;
        let too_big = || corrupt(section, "the sections together exceed 4 GiB");
        blocks.push(MPQBlockTableEntry {
            offset: u32::try_from(out.len()).map_err(|_| too_big())?,
            archived_size: u32::try_from(data.len()).map_err(|_| too_big())?,
            size: u32::try_from(data.len()).map_err(|_| too_big())?,
            flags: FILE_EXISTS | FILE_SINGLE_UNIT,
        });
        hashes.push(MPQHashTableEntry {
            block_table_index: u32::try_from(hashes.len()).map_err(|_| too_big())?,
            ..hash
        });
        ranges.push((section, out.len()..out.len() + data.len()));
        out.extend(data);
    }
    let mut archive_header = mpq.archive_header;
    archive_header.offset = 0;
    Ok(Checked {
        mpq: MPQ {
            archive_header,
            user_data: mpq.user_data,
            hash_table_entries: hashes,
            block_table_entries: blocks,
            encryption_table: mpq.encryption_table,
        },
        bytes: out,
        ranges,
    })
}

// The archive's header and tables, read here rather than by nom-mpq's
// `parser::parse`, which builds its 1,280-entry encryption table as a
// SipHash `HashMap` on every call and decrypts through it: a tenth of a
// verification-level parse (`perf`, BENCHMARKS.md "Replay parsing at 20×").
// Here the table is a constant, and the `HashMap` that nom-mpq's `MPQ` type
// carries (s2protocol hashes file names through it) is built once per
// process and cloned.

/// StormLib's encryption table: 5 × 256 values from one seed.
const CRYPT_TABLE: [u32; 0x500] = {
    let mut table = [0u32; 0x500];
    let mut seed: u32 = 0x0010_0001;
    let mut i = 0;
    while i < 256 {
        let mut idx = i;
        let mut k = 0;
        while k < 5 {
            seed = (seed * 125 + 3) % 0x2A_AAAB;
            let high = (seed & 0xFFFF) << 16;
            seed = (seed * 125 + 3) % 0x2A_AAAB;
            table[idx] = high | (seed & 0xFFFF);
            idx += 0x100;
            k += 1;
        }
        i += 1;
    }
    table
};

const HASH_TABLE_KEY: u32 = string_hash("(hash table)", 3);
const BLOCK_TABLE_KEY: u32 = string_hash("(block table)", 3);

/// MPQ's string hash of `name` (upper-cased ASCII) for hash type `kind`.
const fn string_hash(name: &str, kind: usize) -> u32 {
    let bytes = name.as_bytes();
    let mut seed1: u32 = 0x7FED_7FED;
    let mut seed2: u32 = 0xEEEE_EEEE;
    let mut i = 0;
    while i < bytes.len() {
        let ch = bytes[i].to_ascii_uppercase() as u32;
        seed1 = CRYPT_TABLE[(kind << 8) + ch as usize] ^ seed1.wrapping_add(seed2);
        seed2 = ch
            .wrapping_add(seed1)
            .wrapping_add(seed2)
            .wrapping_add(seed2 << 5)
            .wrapping_add(3);
        i += 1;
    }
    seed1
}

/// Decrypts `data` (whole 32-bit words) with `key`.
fn decrypt(data: &[u8], key: u32) -> Vec<u32> {
    let mut seed1 = key;
    let mut seed2: u32 = 0xEEEE_EEEE;
    data.chunks_exact(4)
        .map(|w| {
            seed2 = seed2.wrapping_add(CRYPT_TABLE[0x400 + (seed1 & 0xFF) as usize]);
            let word = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            let value = word ^ seed1.wrapping_add(seed2);
            seed1 = ((!seed1) << 0x15).wrapping_add(0x1111_1111) | (seed1 >> 0x0B);
            seed2 = value
                .wrapping_add(seed2)
                .wrapping_add(seed2 << 5)
                .wrapping_add(3);
            value
        })
        .collect()
}

/// The encryption table in the form nom-mpq's `MPQ` holds it.
fn crypt_map() -> std::collections::HashMap<u32, u32> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<u32, u32>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| (0u32..).zip(CRYPT_TABLE).collect())
        .clone()
}

/// Reads the user data, archive header, hash and block tables of `bytes`
/// (whose framing `parse::check_framing` has checked: the tables lie inside
/// the file). Fields as nom-mpq's `parser::parse` reads them; the extended
/// header of format 1 (high offset bits, zero below 4 GiB) is not kept.
pub fn read_archive(bytes: &[u8]) -> Result<MPQ, ReplayError> {
    let bad = |detail: &str| corrupt(Section::Archive, detail);
    let u32_at = |at: usize| {
        bytes
            .get(at..at.wrapping_add(4))
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| bad("the archive header is cut short"))
    };
    let u16_at = |at: usize| {
        bytes
            .get(at..at.wrapping_add(2))
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .ok_or_else(|| bad("the archive header is cut short"))
    };
    if bytes.get(..4) != Some(&b"MPQ\x1b"[..]) {
        return Err(bad("no MPQ user data"));
    }
    let user_data_size = u32_at(4)?;
    let archive_header_offset = u32_at(8)?;
    let user_data_header_size = u32_at(12)?;
    let content = bytes
        .get(16..16usize.saturating_add(user_data_header_size as usize))
        .ok_or_else(|| bad("the user data is cut short"))?
        .to_vec();
    if archive_header_offset < user_data_header_size.saturating_add(16) {
        return Err(bad("the archive header overlaps the user data"));
    }
    let at = archive_header_offset as usize;
    if bytes.get(at..at.saturating_add(4)) != Some(&b"MPQ\x1a"[..]) {
        return Err(bad("the archive header has no MPQ magic"));
    }
    let archive_header = MPQFileHeader {
        header_size: u32_at(at + 4)?,
        archive_size: u32_at(at + 8)?,
        format_version: u16_at(at + 12)?,
        sector_size_shift: u16_at(at + 14)?,
        hash_table_offset: u32_at(at + 16)?,
        block_table_offset: u32_at(at + 20)?,
        hash_table_entries: u32_at(at + 24)?,
        block_table_entries: u32_at(at + 28)?,
        extended_file_header: None,
        offset: at,
    };
    let table = |offset: u32, entries: u32, key: u32| {
        let start = at.saturating_add(offset as usize);
        let len = (entries as usize).saturating_mul(16);
        bytes
            .get(start..start.saturating_add(len))
            .map(|data| decrypt(data, key))
            .ok_or_else(|| bad("the archive's file tables point past the end of the file"))
    };
    let hashes = table(
        archive_header.hash_table_offset,
        archive_header.hash_table_entries,
        HASH_TABLE_KEY,
    )?;
    let blocks = table(
        archive_header.block_table_offset,
        archive_header.block_table_entries,
        BLOCK_TABLE_KEY,
    )?;
    Ok(MPQ {
        archive_header,
        user_data: Some(MPQUserData {
            user_data_size,
            archive_header_offset,
            user_data_header_size,
            content,
        }),
        hash_table_entries: hashes
            .chunks_exact(4)
            .map(|w| MPQHashTableEntry {
                hash_a: w[0],
                hash_b: w[1],
                locale: (w[2] & 0xFFFF) as u16,
                platform: (w[2] >> 16) as u16,
                block_table_index: w[3],
            })
            .collect(),
        block_table_entries: blocks
            .chunks_exact(4)
            .map(|w| MPQBlockTableEntry {
                offset: w[0],
                archived_size: w[1],
                size: w[2],
                flags: w[3],
            })
            .collect(),
        encryption_table: crypt_map(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write as _;
        let mut e = flate2::write::ZlibEncoder::new(vec![COMPRESSION_ZLIB], Default::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn a_stream_is_cut_one_byte_past_its_limit() {
        let sector = zlib(&[0u8; 10_000]);
        assert_eq!(
            decompress(&sector, 10_000, Section::Details).unwrap().len(),
            10_000
        );
        let err = decompress(&sector, 9_999, Section::Details).unwrap_err();
        assert!(err.to_string().contains("expands past"), "{err}");
    }

    /// The same header, user data and tables as nom-mpq's parser, on every
    /// replay of the corpus (the shared one when present, else the fixtures).
    #[test]
    fn reads_the_archive_as_nom_mpq_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let corpus = crate::replay::corpus::locate(root).expect("a corpus");
        let dir = corpus.dir;
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            // nom-mpq panics on some of the broken ones: they are for `parse`'s tests.
            let name = path.file_name().unwrap().to_string_lossy();
            if !name.ends_with(".SC2Replay") || name.starts_with("broken") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let Ok((_, theirs)) = s2protocol::parser::parse(&bytes) else {
                continue;
            };
            let ours = read_archive(&bytes).unwrap();
            let mut header = theirs.archive_header;
            header.extended_file_header = None;
            assert_eq!(ours.archive_header, header, "{name}");
            let (a, b) = (ours.user_data.as_ref().unwrap(), theirs.user_data.unwrap());
            assert_eq!(
                (
                    a.user_data_size,
                    a.archive_header_offset,
                    a.user_data_header_size,
                    a.content.clone()
                ),
                (
                    b.user_data_size,
                    b.archive_header_offset,
                    b.user_data_header_size,
                    b.content
                ),
                "{name}"
            );
            assert_eq!(ours.hash_table_entries, theirs.hash_table_entries, "{name}");
            assert_eq!(
                ours.block_table_entries, theirs.block_table_entries,
                "{name}"
            );
            assert_eq!(ours.encryption_table, theirs.encryption_table, "{name}");
            assert!(
                ours.get_hash_table_entry("replay.initData").is_ok(),
                "{name}"
            );
            n += 1;
        }
        // The shared corpus has 17 5.0.x replays and more; a fresh clone's
        // fixtures have seven.
        let least = match corpus.kind {
            crate::replay::corpus::CorpusKind::Full => 17,
            crate::replay::corpus::CorpusKind::Fixtures => 7,
        };
        assert!(n >= least, "only {n} archives read in {}", dir.display());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Cut or garbled headers and tables are read or refused, never a panic.
        #[test]
        fn any_bytes_are_read_or_refused(
            body in proptest::collection::vec(any::<u8>(), 0..512),
            at in 0u32..600,
        ) {
            let mut bytes = b"MPQ\x1b".to_vec();
            bytes.extend(0u32.to_le_bytes());
            bytes.extend(at.to_le_bytes());
            bytes.extend(body);
            let _ = read_archive(&bytes);
        }

        /// Whatever the bytes, decompression never panics and never returns
        /// more than its limit.
        #[test]
        fn decompress_is_bounded_on_any_input(
            kind in prop_oneof![Just(0u8), Just(2), Just(16), Just(47), any::<u8>()],
            body in proptest::collection::vec(any::<u8>(), 0..2048),
            limit in 0usize..4096,
        ) {
            let mut sector = vec![kind];
            sector.extend(body);
            if let Ok(out) = decompress(&sector, limit, Section::InitData) {
                prop_assert!(out.len() <= limit);
            }
        }

        /// A real stream round-trips through the bounded reader exactly.
        #[test]
        fn real_streams_round_trip(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let out = decompress(&zlib(&data), data.len(), Section::Attributes).unwrap();
            prop_assert_eq!(out, data);
        }
    }
}
