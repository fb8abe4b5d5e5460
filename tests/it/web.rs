//! The web site over HTTP, served by the real supervisor against the
//! simulator, over a seeded ladder (300 players, 3,000 matches): pages and
//! API agree with the ladder, a sign-up in Discord reaches the site, and a
//! real browser (headless Chromium, `--dump-dom` and `--screenshot`) renders
//! the leaderboard, a player page with its chart, a filtered leaderboard and
//! the Korean leaderboard; pages follow `Accept-Language` and `?lang=`.
//!
//! Chromium: Debian's `chromium` package (`.ci/run` installs it). Without it
//! the browser part says so loudly and is skipped — except under `CI=true`,
//! where a missing browser fails. `LADDERD_SCREENSHOTS=DIR` keeps the
//! screenshots in DIR (`.ci/web-screenshots.sh` remakes `docs/` with it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use ladderd::bench::dataset::{self, Size};
use ladderd::clock::ManualClock;
use ladderd::config::{LadderConfig, StoreConfig};
use ladderd::sim::{SimConfig, Simulator};
use serde_json::Value;

use crate::support::e2e::{BootOptions, T0, boot_opts, sign_up, stop};
use crate::support::wait::{bounded, within};

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let response = crate::support::http_get(addr, path).await;
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// GET with an `Accept-Language` header: (status, head, body).
async fn get_in(addr: std::net::SocketAddr, path: &str, accept: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let response = within(&format!("GET {path} in {accept}"), async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: test\r\nAccept-Language: {accept}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    })
    .await;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head[9..12].parse().unwrap(),
        head.to_ascii_lowercase(),
        body.to_owned(),
    )
}

async fn json(addr: std::net::SocketAddr, path: &str) -> Value {
    let (status, body) = get(addr, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_serves_a_seeded_ladder_and_follows_it() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = StoreConfig::at(dir.path().join("ladder.db"));
    let size = Size {
        players: 300,
        matches: 3_000,
    };
    within(
        "the seeded history",
        tokio::task::spawn_blocking(move || {
            dataset::generate(&store, &LadderConfig::default(), size, 11, T0)
        }),
    )
    .await
    .unwrap()
    .unwrap();
    let (replay_match, replay_bytes) = archive_one_replay(dir.path());
    let opts = BootOptions {
        extra: "[web]\nlisten = \"127.0.0.1:0\"\n",
        ..BootOptions::default()
    };
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &clock, &opts).await;
    let addr = running.web_addr.expect("[web] listen was set");

    // The leaderboard: the API's top row is on the page, with its link.
    let top = json(addr, "/api/leaderboard").await;
    assert_eq!(top["total"].as_u64().map(|t| t > 250), Some(true), "{top}");
    let name = top["rows"][0]["player"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let number = top["rows"][0]["player"]["id"].as_u64().unwrap();
    let (status, page) = get(addr, "/leaderboard").await;
    assert_eq!(status, 200);
    assert!(page.contains(&name) && page.contains(&format!("/players/{number}")));

    // In the browser's language (Accept-Language), unless the URL says
    // otherwise (`lang`, the page's switch).
    let (status, head, ko) = get_in(addr, "/leaderboard", "ko-KR,ko;q=0.9,en;q=0.5").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-language: ko\r\n"), "{head}");
    assert!(head.contains("vary: accept-language"), "{head}");
    assert!(ko.contains("<html lang=\"ko\">") && ko.contains("순위표"));
    assert!(ko.contains(&name), "the Korean page has the same players");
    let (_, head, de) = get_in(addr, "/leaderboard?lang=de", "ko").await;
    assert!(head.contains("content-language: de\r\n"), "{head}");
    assert!(de.contains("<html lang=\"de\">") && de.contains("Rangliste"));
    assert!(!page.contains("순위표"), "English readers get English");

    // The player page: ratings, the chart as inline SVG, matches; the API
    // has the same player and their history.
    let (status, player) = get(addr, &format!("/players/{number}")).await;
    assert_eq!(status, 200);
    assert!(player.contains(&name) && player.contains("<svg"));
    let p = json(addr, &format!("/api/players/{number}")).await;
    assert_eq!(p["name"], name.as_str());
    let recent = p["recent_matches"].as_array().unwrap();
    assert!(!recent.is_empty() && !p["rating_history"].as_array().unwrap().is_empty());

    // A match page and its API twin.
    let mid = recent[0]["id"].as_u64().unwrap();
    let (status, m) = get(addr, &format!("/matches/{mid}")).await;
    assert_eq!(status, 200);
    assert!(m.contains(&name), "the match page names its players");
    let mj = json(addr, &format!("/api/matches/{mid}")).await;
    assert_eq!(mj["id"], mid);

    // A match with its replay in the archive offers the file, byte for byte.
    let (status, m) = get(addr, &format!("/matches/{replay_match}")).await;
    assert_eq!(status, 200);
    assert!(
        m.contains(&format!("/matches/{replay_match}/replay")),
        "{m}"
    );
    let raw = crate::support::http_get(addr, &format!("/matches/{replay_match}/replay")).await;
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(raw.ends_with(std::str::from_utf8(&replay_bytes).unwrap()));
    let mj = json(addr, &format!("/api/matches/{replay_match}")).await;
    assert!(mj["replay"]["download"].as_str().is_some(), "{mj}");

    // A filter in the URL.
    let z = json(addr, "/api/leaderboard?race=Z").await;
    let rows = z["rows"].as_array().unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r["race"] == "Z"),
        "{z}"
    );
    assert_eq!(get(addr, "/leaderboard?race=Q").await.0, 400);
    assert_eq!(
        json(addr, "/api/seasons").await["seasons"][0]["current"],
        true
    );

    // A sign-up in Discord is committed, then on the site: the new player
    // has the next number.
    let next = 301;
    assert_eq!(get(addr, &format!("/api/players/{next}")).await.0, 404);
    sign_up(&sim, "WebNewcomer").await;
    let shown = bounded(async {
        loop {
            let (status, body) = get(addr, &format!("/api/players/{next}")).await;
            if status == 200 {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the new player reaches the site");
    assert!(shown.contains("WebNewcomer"), "{shown}");

    discord_charts(&sim).await;
    browser_checks(addr, &name, replay_match).await;
    stop(shutdown, task, sim).await;
}

/// `/stats` attaches the activity chart as a PNG, through the interaction
/// callback's multipart form (`/profile`'s rating chart takes the same way;
/// `discord::render` tests that it is attached).
async fn discord_charts(sim: &Simulator) {
    use ladderd::sim::Interact;
    let user = sign_up(sim, "ChartReader").await;
    let lobby = sim.ids().lobby;
    let seen = crate::support::e2e::ask(
        sim,
        user,
        lobby,
        &Interact::Slash {
            name: "stats".into(),
            options: vec![],
        },
    )
    .await;
    assert!(
        seen.message.content.contains("Activity"),
        "{}",
        seen.message.content
    );
    assert!(
        seen.message
            .attachments
            .iter()
            .any(|a| a.filename == "activity.png"),
        "{:?}",
        seen.message
    );
}

/// Where the browser is, or `None` (outside CI) after saying so loudly.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and no chromium: `.ci/run` installs Debian's chromium package"
        );
        eprintln!(
            "\n*** SKIPPED the browser check: no chromium on PATH (apt-get install chromium) ***\n"
        );
    }
    found
}

async fn browser(exe: &Path, profile: &Path, args: &[String]) -> String {
    let out = within(
        "chromium",
        tokio::process::Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--window-size=1100,1400",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn browser_checks(addr: std::net::SocketAddr, top: &str, mid: u64) {
    let Some(exe) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let shots = std::env::var_os("LADDERD_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_owned());
    let profile = tmp.path().join("profile");
    let base = format!("http://{addr}");

    let dom = browser(
        &exe,
        &profile,
        &["--dump-dom".into(), format!("{base}/leaderboard")],
    )
    .await;
    assert!(dom.contains("<table id=\"leaderboard\""), "{dom}");
    assert!(
        dom.contains(top),
        "the top player is not in the rendered page"
    );

    // A Korean browser (its Accept-Language) gets the Korean page; the
    // switch takes it to any other language.
    let dom = browser(
        &exe,
        &profile,
        &[
            "--accept-lang=ko".into(),
            "--dump-dom".into(),
            format!("{base}/leaderboard"),
        ],
    )
    .await;
    assert!(dom.contains("<html lang=\"ko\">") && dom.contains("순위표"));
    assert!(dom.contains("href=\"/leaderboard?lang=de\""), "no switch");

    // The language switch, as a browser follows it.
    let dom = browser(
        &exe,
        &profile,
        &["--dump-dom".into(), format!("{base}/leaderboard?lang=ko")],
    )
    .await;
    assert!(dom.contains("<html lang=\"ko\">") && dom.contains("순위표"));
    assert!(dom.contains(top), "the Korean page lacks the top player");
    assert!(
        dom.contains("href=\"/leaderboard?lang=en-US\""),
        "no switch back to English"
    );

    let api = json(addr, "/api/leaderboard").await;
    let number = api["rows"][0]["player"]["id"].as_u64().unwrap();
    let dom = browser(
        &exe,
        &profile,
        &["--dump-dom".into(), format!("{base}/players/{number}")],
    )
    .await;
    assert!(
        dom.contains("id=\"rating-chart\"") && dom.contains("<svg"),
        "no chart"
    );
    assert!(dom.contains(top));

    let dom = browser(
        &exe,
        &profile,
        &[
            "--dump-dom".into(),
            format!("{base}/leaderboard?race=Z&best=1"),
        ],
    )
    .await;
    let table = dom.split("<tbody>").nth(1).unwrap_or("");
    let races: Vec<&str> = table
        .split("<tr>")
        .skip(1)
        .filter_map(|row| row.split("<td>").nth(3)?.split('<').next())
        .collect();
    assert!(
        !races.is_empty() && races.iter().all(|r| *r == "Z"),
        "{races:?}"
    );
    assert!(
        dom.contains("name=\"race\" value=\"Z\""),
        "the form keeps the filter"
    );

    for (file, path) in [
        ("web-leaderboard.png", "/leaderboard".to_owned()),
        ("web-player.png", format!("/players/{number}")),
        ("web-match.png", format!("/matches/{mid}")),
    ] {
        let out = shots.join(file);
        browser(
            &exe,
            &profile,
            &[
                format!("--screenshot={}", out.display()),
                format!("{base}{path}"),
            ],
        )
        .await;
        let bytes = std::fs::read(&out).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes[..]));
        let info = decoder.read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), (1100, 1400), "{file}");
    }
}

/// Puts a file in the replay archive for one verified replay of the
/// history (its row's hash rewritten to the file's, as an upload leaves
/// them): (its match, the file).
fn archive_one_replay(dir: &Path) -> (u64, Vec<u8>) {
    use sha2::Digest;
    let bytes = b"MPQ\x1a a replay file as the archive keeps it".to_vec();
    let sha = format!("{:x}", sha2::Sha256::digest(&bytes));
    let db = rusqlite::Connection::open(dir.join("ladder.db")).unwrap();
    let mid: i64 = db
        .query_row(
            "SELECT match_id FROM replays WHERE verdict = 'verified' AND match_id IS NOT NULL \
             ORDER BY match_id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute(
        "UPDATE replays SET sha256 = ?1 WHERE match_id = ?2 AND verdict = 'verified'",
        (&sha, mid),
    )
    .unwrap();
    let archive = dir.join("replays");
    std::fs::create_dir_all(&archive).unwrap();
    let path = archive.join(format!("{sha}.SC2Replay"));
    std::fs::write(&path, &bytes).unwrap();
    // Archived at the ladder's time, so start-up's pruning by age keeps it.
    let at = std::time::UNIX_EPOCH + Duration::from_millis(T0 as u64);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(at)
        .unwrap();
    (mid as u64, bytes)
}
