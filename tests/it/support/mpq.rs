//! A small MPQ patcher for hostile-upload tests: it points one section of a
//! real replay at new bytes appended to the file, with whatever size and flags
//! the test wants to declare. Written from the MPQ format (hash function and
//! table encryption) rather than with ladderd's reader, so a bug in the
//! reader cannot hide in the writer.

use std::io::Write as _;

const HASH_NAME_A: u32 = 1;
const HASH_NAME_B: u32 = 2;
const HASH_TABLE_KEY: u32 = 3;

pub const FILE_COMPRESS: u32 = 0x0000_0200;
pub const FILE_SINGLE_UNIT: u32 = 0x0100_0000;
pub const FILE_EXISTS: u32 = 0x8000_0000;

fn crypt_table() -> Vec<u32> {
    let mut table = vec![0u32; 0x500];
    let mut seed: u32 = 0x0010_0001;
    for i in 0..0x100 {
        for j in 0..5 {
            seed = (seed * 125 + 3) % 0x2A_AAAB;
            let hi = (seed & 0xFFFF) << 16;
            seed = (seed * 125 + 3) % 0x2A_AAAB;
            table[i + j * 0x100] = hi | (seed & 0xFFFF);
        }
    }
    table
}

fn hash(table: &[u32], name: &str, kind: u32) -> u32 {
    let (mut seed1, mut seed2) = (0x7FED_7FEDu32, 0xEEEE_EEEEu32);
    for ch in name.to_ascii_uppercase().bytes() {
        let ch = u32::from(ch);
        seed1 = table[((kind << 8) + ch) as usize] ^ seed1.wrapping_add(seed2);
        seed2 = ch
            .wrapping_add(seed1)
            .wrapping_add(seed2)
            .wrapping_add(seed2 << 5)
            .wrapping_add(3);
    }
    seed1
}

/// Decrypts (`encrypt = false`) or encrypts `words` in place with `key`.
fn crypt(table: &[u32], words: &mut [u32], key: u32, encrypt: bool) {
    let (mut seed1, mut seed2) = (key, 0xEEEE_EEEEu32);
    for w in words {
        seed2 = seed2.wrapping_add(table[0x400 + (seed1 & 0xFF) as usize]);
        let plain = if encrypt {
            *w
        } else {
            *w ^ seed1.wrapping_add(seed2)
        };
        *w = if encrypt {
            plain ^ seed1.wrapping_add(seed2)
        } else {
            plain
        };
        seed1 = ((!seed1 << 0x15).wrapping_add(0x1111_1111)) | (seed1 >> 0x0B);
        seed2 = plain
            .wrapping_add(seed2)
            .wrapping_add(seed2 << 5)
            .wrapping_add(3);
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn read_table(b: &[u8], at: usize, entries: usize) -> Vec<u32> {
    (0..entries * 4).map(|i| u32_at(b, at + i * 4)).collect()
}

/// `replay` with section `name` replaced by `data` (stored at the end of the
/// file), declaring `declared_size` bytes and `flags`.
pub fn replace_section(
    replay: &[u8],
    name: &str,
    data: &[u8],
    declared_size: u32,
    flags: u32,
) -> Vec<u8> {
    let table = crypt_table();
    let mut out = replay.to_vec();
    let archive = u32_at(&out, 8) as usize;
    let hash_at = archive + u32_at(&out, archive + 16) as usize;
    let block_at = archive + u32_at(&out, archive + 20) as usize;
    let hash_n = u32_at(&out, archive + 24) as usize;
    let block_n = u32_at(&out, archive + 28) as usize;

    let mut hashes = read_table(&out, hash_at, hash_n);
    crypt(
        &table,
        &mut hashes,
        hash(&table, "(hash table)", HASH_TABLE_KEY),
        false,
    );
    let (a, b) = (
        hash(&table, name, HASH_NAME_A),
        hash(&table, name, HASH_NAME_B),
    );
    let index = hashes
        .chunks(4)
        .find(|e| e[0] == a && e[1] == b)
        .map(|e| e[3] as usize)
        .unwrap_or_else(|| panic!("{name} is not in the archive"));

    let block_key = hash(&table, "(block table)", HASH_TABLE_KEY);
    let mut blocks = read_table(&out, block_at, block_n);
    crypt(&table, &mut blocks, block_key, false);
    let offset = u32::try_from(out.len() - archive).unwrap();
    blocks[index * 4..index * 4 + 4].copy_from_slice(&[
        offset,
        u32::try_from(data.len()).unwrap(),
        declared_size,
        flags,
    ]);
    crypt(&table, &mut blocks, block_key, true);
    for (i, w) in blocks.iter().enumerate() {
        out[block_at + i * 4..block_at + i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(data);
    let archive_size = u32::try_from(out.len() - archive).unwrap();
    out[archive + 8..archive + 12].copy_from_slice(&archive_size.to_le_bytes());
    out
}

/// An MPQ sector: compression byte 0x10 and a bzip2 stream of 4 GiB of zeros
/// (`tests/fixtures/bombs/zeros-4gib.bz2`, made with
/// `head -c 4294967296 /dev/zero | bzip2 -9`, 3 KB).
pub fn bzip2_bomb() -> Vec<u8> {
    let stream = std::fs::read(super::repo_root().join("tests/fixtures/bombs/zeros-4gib.bz2"))
        .expect("the bzip2 bomb fixture");
    let mut sector = vec![0x10];
    sector.extend(stream);
    sector
}

/// An MPQ sector: compression byte 0x02 and a zlib stream that expands to
/// `mib` MiB of zeros (about 1 KB per MiB). Built by repeating one
/// sync-flushed deflate chunk of 1 MiB of zeros: after the first chunk every
/// back-reference lands on zeros, so the copies are valid deflate. The
/// trailing Adler-32 covers only what was compressed; a reader meets it only
/// after the whole expansion.
pub fn zlib_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), true);
    let mut chunk = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(1 << 16);
        let before = c.total_in();
        c.compress_vec(input, &mut out, flush).unwrap();
        assert_eq!(c.total_in() - before, input.len() as u64);
        out
    };
    let first = chunk(&zeros, FlushCompress::Sync);
    let repeat = chunk(&zeros, FlushCompress::Sync);
    let tail = chunk(&[], FlushCompress::Finish);
    let mut sector = vec![0x02];
    sector.extend(&first);
    for _ in 1..mib {
        sector.extend(&repeat);
    }
    sector.extend(&tail);
    sector
}

/// Writes `bytes` to a new file in `dir` and returns its path.
pub fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(bytes))
        .unwrap();
    path
}
