//! The replay archive: every verified replay's file, kept under the state
//! directory (`<database dir>/replays/<sha256>.SC2Replay`), content-addressed
//! so a file is stored once however often it is uploaded, and checked
//! against its name when read. Pruned after each store: files older than the
//! retention period go first, then the oldest until the archive fits its
//! size cap. A file's age is its modification time, set to the time it was
//! archived (the caller's clock, so tests control it).
//!
//! `ladderd backup` copies the archive beside the database copy
//! ([`copy_dir`]).

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

const SUFFIX: &str = ".SC2Replay";

#[derive(Debug, Clone)]
pub struct Archive {
    dir: PathBuf,
    retention: Duration,
    max_bytes: u64,
}

/// What one prune removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub files: usize,
    pub bytes: u64,
}

/// The archive directory that belongs to the database at `db`.
pub fn dir_for(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("replays")
}

/// Where `ladderd backup DEST` puts the archive: `DEST.replays`. To restore,
/// copy DEST back to the database path and `DEST.replays` to [`dir_for`] it.
pub fn backup_dir_for(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(".replays");
    PathBuf::from(name)
}

/// A sha256 as the archive names files: 64 lowercase hex digits.
fn valid_hash(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn at(unix_ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(unix_ms).unwrap_or(0))
}

impl Archive {
    /// Opens (creating) the archive in `dir`.
    pub fn open(dir: PathBuf, retention: Duration, max_bytes: u64) -> io::Result<Archive> {
        std::fs::create_dir_all(&dir)?;
        Ok(Archive {
            dir,
            retention,
            max_bytes,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        valid_hash(sha256).then(|| self.dir.join(format!("{sha256}{SUFFIX}")))
    }

    /// Stores `bytes` (whose sha256 must be `sha256`) as archived at
    /// `now_ms`, then prunes. Written to a temporary name and renamed, so a
    /// crash never leaves a partial file under a hash.
    pub fn put(&self, sha256: &str, bytes: &[u8], now_ms: i64) -> io::Result<Pruned> {
        let path = self.path_of(sha256).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "not a sha256 in lowercase hex")
        })?;
        if hex(&Sha256::digest(bytes)) != sha256 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the bytes do not have this sha256",
            ));
        }
        let tmp = self.dir.join(format!(".{sha256}.partial"));
        {
            let f = std::fs::File::create(&tmp)?;
            io::Write::write_all(&mut &f, bytes)?;
            f.set_modified(at(now_ms))?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        self.prune(now_ms)
    }

    /// The archived file of `sha256`, if present and intact.
    pub fn get(&self, sha256: &str) -> io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(bytes) if hex(&Sha256::digest(&bytes)) == sha256 => Ok(Some(bytes)),
            Ok(_) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} does not match its hash", path.display()),
            )),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes files archived before `now - retention`, then the oldest
    /// until the rest fit in the size cap.
    pub fn prune(&self, now_ms: i64) -> io::Result<Pruned> {
        let mut files: Vec<(SystemTime, String, PathBuf, u64)> = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_archived = name.strip_suffix(SUFFIX).is_some_and(valid_hash);
            if !is_archived {
                continue;
            }
            let meta = entry.metadata()?;
            files.push((meta.modified()?, name, entry.path(), meta.len()));
        }
        // Oldest first; the name breaks ties so the order is total.
        files.sort();
        let cutoff = at(now_ms).checked_sub(self.retention).unwrap_or(UNIX_EPOCH);
        let mut total: u64 = files.iter().map(|f| f.3).sum();
        let mut pruned = Pruned::default();
        for (modified, _, path, len) in &files {
            if *modified >= cutoff && total <= self.max_bytes {
                break;
            }
            std::fs::remove_file(path)?;
            total -= len;
            pruned.files += 1;
            pruned.bytes += len;
        }
        Ok(pruned)
    }
}

/// Copies the archive's files from `from` into `to` (created; must not
/// exist), keeping their archive times: what `ladderd backup` does.
/// Returns the number of files. A missing `from` copies nothing.
pub fn copy_dir(from: &Path, to: &Path) -> io::Result<usize> {
    if !from.is_dir() {
        return Ok(0);
    }
    std::fs::create_dir(to)?;
    let mut n = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if !name
            .to_string_lossy()
            .strip_suffix(SUFFIX)
            .is_some_and(valid_hash)
        {
            continue;
        }
        let target = to.join(&name);
        std::fs::copy(entry.path(), &target)?;
        let modified = entry.metadata()?.modified()?;
        std::fs::File::options()
            .write(true)
            .open(&target)?
            .set_modified(modified)?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: i64 = 86_400_000;
    const T0: i64 = 1_767_225_600_000;

    fn file(i: u8, len: usize) -> (String, Vec<u8>) {
        let bytes = vec![i; len];
        (hex(&Sha256::digest(&bytes)), bytes)
    }

    fn archive(dir: &Path, days: u64, max: u64) -> Archive {
        Archive::open(
            dir.join("replays"),
            Duration::from_millis(days * DAY_MS as u64),
            max,
        )
        .unwrap()
    }

    #[test]
    fn stores_by_hash_and_reads_back_the_same_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let a = archive(tmp.path(), 30, 1 << 20);
        let (sha, bytes) = file(1, 1000);
        a.put(&sha, &bytes, T0).unwrap();
        a.put(&sha, &bytes, T0 + 1).unwrap();
        assert_eq!(a.get(&sha).unwrap(), Some(bytes.clone()));
        assert_eq!(
            std::fs::read_dir(a.dir()).unwrap().count(),
            1,
            "stored once"
        );
        // Bytes that are not the hash's, or a name that is not a hash: refused.
        let (other, _) = file(2, 10);
        assert!(a.put(&other, &bytes, T0).is_err());
        assert!(a.put("../../etc/passwd", &bytes, T0).is_err());
        assert_eq!(a.get("../x").unwrap(), None);
        assert_eq!(a.get(&other).unwrap(), None);
        // A file changed on disk is not handed out.
        std::fs::write(a.dir().join(format!("{sha}{SUFFIX}")), b"tampered").unwrap();
        assert!(a.get(&sha).is_err());
    }

    #[test]
    fn old_files_go_after_the_retention_and_the_oldest_when_over_the_cap() {
        let tmp = tempfile::tempdir().unwrap();
        let a = archive(tmp.path(), 30, 2500);
        let files: Vec<_> = (1..=3).map(|i| file(i, 1000)).collect();
        a.put(&files[0].0, &files[0].1, T0).unwrap();
        a.put(&files[1].0, &files[1].1, T0 + DAY_MS).unwrap();
        // The third passes the cap: the oldest (the first) goes.
        let pruned = a.put(&files[2].0, &files[2].1, T0 + 2 * DAY_MS).unwrap();
        assert_eq!(
            pruned,
            Pruned {
                files: 1,
                bytes: 1000
            }
        );
        assert_eq!(a.get(&files[0].0).unwrap(), None);
        assert!(a.get(&files[1].0).unwrap().is_some());
        // 30 days after the second was archived, it expires; the third stays.
        let pruned = a.prune(T0 + 31 * DAY_MS + 1).unwrap();
        assert_eq!(pruned.files, 1);
        assert_eq!(a.get(&files[1].0).unwrap(), None);
        assert!(a.get(&files[2].0).unwrap().is_some());
    }

    #[test]
    fn a_copy_keeps_every_file_and_its_age() {
        let tmp = tempfile::tempdir().unwrap();
        let a = archive(tmp.path(), 30, 1 << 20);
        let (sha, bytes) = file(7, 500);
        a.put(&sha, &bytes, T0).unwrap();
        std::fs::write(a.dir().join("not-a-replay.txt"), b"x").unwrap();
        let to = tmp.path().join("backup-replays");
        assert_eq!(copy_dir(a.dir(), &to).unwrap(), 1);
        let restored =
            Archive::open(to, Duration::from_millis(30 * DAY_MS as u64), 1 << 20).unwrap();
        assert_eq!(restored.get(&sha).unwrap(), Some(bytes));
        assert_eq!(
            std::fs::metadata(restored.dir().join(format!("{sha}{SUFFIX}")))
                .unwrap()
                .modified()
                .unwrap(),
            at(T0)
        );
        assert_eq!(
            copy_dir(&tmp.path().join("none"), &tmp.path().join("n2")).unwrap(),
            0
        );
    }
}
