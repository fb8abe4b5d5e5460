//! Where the replay corpus is: the shared one beside the repository when
//! there is one, else the few replays committed under
//! `tests/fixtures/replays/`, so a fresh clone still verifies replays in its
//! tests and in `ladderd demo`.

use std::path::{Path, PathBuf};

/// The environment variable that points at a corpus folder.
pub const ENV: &str = "LADDERD_REPLAY_CORPUS";
/// The shared corpus, relative to the repository root.
pub const SHARED: &str = "../shared/replays";
/// The committed fixtures, relative to the repository root.
pub const FIXTURES: &str = "tests/fixtures/replays";

/// Which corpus [`locate`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorpusKind {
    /// `$LADDERD_REPLAY_CORPUS` or the shared corpus: every file the oracle knows.
    Full,
    /// The handful of replays in the repository.
    Fixtures,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    pub dir: PathBuf,
    pub kind: CorpusKind,
}

/// `$LADDERD_REPLAY_CORPUS` if set (full, unless it names the fixtures), then `root/../shared/replays`, then
/// `root/tests/fixtures/replays`; the first that is a folder. `root` is the
/// repository (the working directory for `ladderd demo`).
pub fn locate(root: &Path) -> Option<Corpus> {
    if let Some(dir) = std::env::var_os(ENV) {
        let dir = PathBuf::from(dir);
        // Pointing the variable at the fixtures still means the fixtures.
        let same = |a: &Path, b: &Path| {
            a.canonicalize()
                .ok()
                .is_some_and(|a| b.canonicalize().ok() == Some(a))
        };
        let kind = if same(&dir, &root.join(FIXTURES)) {
            CorpusKind::Fixtures
        } else {
            CorpusKind::Full
        };
        return Some(Corpus { dir, kind });
    }
    [(SHARED, CorpusKind::Full), (FIXTURES, CorpusKind::Fixtures)]
        .into_iter()
        .map(|(rel, kind)| Corpus {
            dir: root.join(rel),
            kind,
        })
        .find(|c| c.dir.is_dir())
}

/// Every 5.0.x replay of the corpus `locate` finds from the repository, by
/// file name, with its bytes: what ladderd parses, for the decoders' tests
/// against s2protocol and bzip2-rs.
#[cfg(test)]
pub(crate) fn five_oh_replays() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = locate(root).expect("a replay corpus").dir;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the corpus folder reads") {
        let path = entry.expect("a folder entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name.starts_with("5.0.") && name.ends_with(".SC2Replay") {
            let bytes = std::fs::read(&path).expect("a corpus replay reads");
            out.push((name, bytes));
        }
    }
    assert!(!out.is_empty(), "no 5.0.x replays in {}", dir.display());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_first_then_fixtures_then_nothing() {
        // The environment variable is not set under `cargo test` unless a
        // developer sets it; then the rule is its own and this test says nothing.
        if std::env::var_os(ENV).is_some() {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        assert_eq!(locate(&root), None);
        std::fs::create_dir_all(root.join(FIXTURES)).unwrap();
        assert_eq!(locate(&root).map(|c| c.kind), Some(CorpusKind::Fixtures));
        std::fs::create_dir_all(tmp.path().join("shared/replays")).unwrap();
        let found = locate(&root).unwrap();
        assert_eq!(found.kind, CorpusKind::Full);
        assert_eq!(found.dir, root.join(SHARED));
    }
}
