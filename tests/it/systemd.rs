//! The systemd units — `ladderd.service`, the template `ladderd@.service`
//! (as instance `ladderd@test`) and `ladderd-litestream.service`:
//! `systemd-analyze verify` accepts each and each one's security exposure
//! stays at or below 1.2. Needs systemd-analyze; under CI=true a missing one
//! fails, elsewhere the test says it was skipped. `.ci/systemd-test.sh`
//! boots them for real.

use std::process::Command;

use crate::support::wait::BoundedOutput as _;

use crate::support::{ladderd_bin, repo_root, require_tool};

/// (file in systemd/, name it is checked under, the binary its ExecStart names)
const UNITS: [(&str, &str, &str); 3] = [
    ("ladderd.service", "ladderd.service", "/usr/bin/ladderd "),
    (
        "ladderd@.service",
        "ladderd@test.service",
        "/usr/bin/ladderd ",
    ),
    (
        "ladderd-litestream.service",
        "ladderd-litestream.service",
        "/usr/bin/litestream ",
    ),
];

/// Each unit with ExecStart pointing at the binary under test, so `verify`
/// can check that the executable exists (Litestream need not be installed).
fn units_under_test(dir: &tempfile::TempDir) -> Vec<(String, std::path::PathBuf)> {
    UNITS
        .iter()
        .map(|(file, name, exe)| {
            let unit = std::fs::read_to_string(repo_root().join("systemd").join(file)).unwrap();
            assert!(
                unit.contains(&format!("ExecStart={exe}")),
                "{file}: ExecStart moved; update this test"
            );
            let unit = unit.replace(exe.trim_end(), ladderd_bin().to_str().unwrap());
            let path = dir.path().join(name);
            std::fs::write(&path, unit).unwrap();
            ((*name).to_owned(), path)
        })
        .collect()
}

#[test]
fn units_verify() {
    if !require_tool("systemd-analyze") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, path) in units_under_test(&dir) {
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&path)
            .bounded_output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "systemd-analyze verify {name} failed:\n{stderr}"
        );
        // verify exits 0 on some warnings; a warning about our unit is a failure too.
        let stem = name.trim_end_matches(".service");
        let ours: Vec<&str> = stderr.lines().filter(|l| l.contains(stem)).collect();
        assert!(
            ours.is_empty(),
            "systemd-analyze verify {name} warned:\n{}",
            ours.join("\n")
        );
    }
}

#[test]
fn units_exposure_is_at_most_1_2() {
    if !require_tool("systemd-analyze") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, path) in units_under_test(&dir) {
        let out = Command::new("systemd-analyze")
            .args(["security", "--offline=true", "--no-pager"])
            .arg(&path)
            .bounded_output();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find(|l| l.contains("Overall exposure level"))
            .unwrap_or_else(|| {
                panic!(
                    "{name}: no exposure line in:\n{stdout}\n{}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
        let score: f64 = line
            .split(':')
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{name}: cannot read the score in {line:?}"));
        eprintln!("systemd-analyze security {name}: {}", line.trim());
        assert!(score <= 1.2, "{name}: exposure {score} > 1.2:\n{stdout}");
    }
}
