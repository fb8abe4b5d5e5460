//! The site over a generated history: routes, bounds, caching headers and
//! what it must not show. Over HTTP with the supervisor: `tests/it/web.rs`.

use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::{Request, StatusCode};

use super::*;
use crate::bench::dataset::{self, FIRST_PLAYER_ID, Size};
use crate::clock::ManualClock;
use crate::config::{LadderConfig, StoreConfig};
use crate::store::rows::PlayerRow;

const NOW: i64 = 1_767_571_200_000;

struct Fixture {
    dir: tempfile::TempDir,
    site: Arc<Site>,
    rows: crate::ladder::Rows,
    feed: crate::ladder_loop::Feed,
    rx: Option<mpsc::Receiver<Vec<Write>>>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = StoreConfig::at(dir.path().join("ladder.db"));
    let ladder = LadderConfig::default();
    let size = Size {
        players: 60,
        matches: 400,
    };
    dataset::generate(&store, &ladder, size, 7, NOW).unwrap();
    let rows: crate::ladder::Rows = crate::store::load_snapshot(&store).unwrap().into();
    let clock = Arc::new(ManualClock::at(NOW));
    let (site, feed, rx) = Site::new(rows.clone(), &ladder, Some(&store), 1, clock, "", None);
    Fixture {
        dir,
        site,
        rows,
        feed,
        rx: Some(rx),
    }
}

fn get(site: &Site, target: &str) -> (StatusCode, String) {
    let p = route(site, target, NOW);
    (p.status, String::from_utf8_lossy(&p.body).into_owned())
}

async fn http(site: &Arc<Site>, req: Request<()>) -> hyper::Response<Full<Bytes>> {
    handle(site.clone(), req).await
}

#[test]
fn the_leaderboard_is_the_cores_with_names_and_site_numbers() {
    let f = fixture();
    let state = f.site.read();
    let core = state
        .ladder
        .leaderboard_page(NOW, &crate::ladder::LeaderboardQuery::default())
        .unwrap();
    let top = &core.rows[0];
    let (status, body) = get(&f.site, "/leaderboard");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&top.ingame_name), "top player missing");
    let link = format!("/players/{}", state.number_of(top.player_id));
    assert!(body.contains(&link), "{link} missing");
    let (status, json) = get(&f.site, "/api/leaderboard");
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["rows"][0]["player"]["name"], top.ingame_name.as_str());
    assert_eq!(v["total"], core.total);
    assert_eq!(v["rows"].as_array().unwrap().len(), core.rows.len());
}

#[test]
fn filters_and_pages_come_from_the_query_string() {
    let f = fixture();
    let (_, json) = get(&f.site, "/api/leaderboard?page=2");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["page"], 2, "{json}");
    let size = LadderConfig::default().leaderboard_page_size;
    assert_eq!(v["rows"][0]["position"], size + 1, "{json}");
    let (_, json) = get(&f.site, "/api/leaderboard?race=Z");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["race"] == "Z"), "{json}");
    // Form submissions leave empty fields: they are no filter.
    let (status, _) = get(&f.site, "/leaderboard?race=&country=&best=1");
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn bad_parameters_are_400s_that_say_why() {
    let f = fixture();
    for (target, says) in [
        ("/leaderboard?nope=1", "unknown parameter"),
        ("/leaderboard?page=0", "page must be"),
        ("/leaderboard?page=abc", "page must be"),
        ("/leaderboard?rank=Q", "rank takes"),
        ("/leaderboard?country=France", "two-letter"),
        ("/leaderboard?race=Q", "not a race"),
        ("/leaderboard?season=99", "no season 99"),
        ("/leaderboard?page=1&page=2", "given twice"),
        ("/leaderboard?race=%ZZ", "%-escape"),
        ("/api/leaderboard?best=maybe", "best takes"),
    ] {
        let (status, body) = get(&f.site, target);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target}: {body}");
        assert!(body.contains(says), "{target}: {body}");
    }
    let (status, _) = get(&f.site, "/players/999999");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = get(&f.site, "/api/matches/nope");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("\"error\""));
}

#[test]
fn a_player_page_has_ratings_chart_matches_and_head_to_head() {
    let f = fixture();
    let state = f.site.read();
    let id = FIRST_PLAYER_ID + 3;
    let n = state.number_of(id);
    let name = state.ladder.shown_player(id).unwrap().to_owned();
    drop(state);
    let (status, body) = get(&f.site, &format!("/players/{n}"));
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&name));
    assert!(body.contains("<svg"), "no inline chart");
    assert!(body.contains("id=\"head-to-head\""));
    assert!(body.contains("/matches/"));
    let (_, json) = get(&f.site, &format!("/api/players/{n}"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["name"], name.as_str());
    assert!(!v["rating_history"].as_array().unwrap().is_empty());
    let png = route(&f.site, &format!("/players/{n}/rating.png"), NOW);
    assert_eq!(png.content_type, "image/png");
    assert!(png.body.starts_with(b"\x89PNG"));
}

#[test]
fn a_match_page_shows_players_result_and_replay() {
    let f = fixture();
    let replay = f
        .rows
        .replays
        .iter()
        .find(|r| r.match_id.is_some())
        .unwrap();
    let id = replay.match_id.unwrap();
    let (status, body) = get(&f.site, &format!("/matches/{id}"));
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("verified replay"), "{body}");
    let (_, json) = get(&f.site, &format!("/api/matches/{id}"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["replay"]["sha256"], replay.sha256.as_str());
    // No archive here: no download offered, and the route is a 404.
    assert!(v["replay"]["download"].is_null());
    assert_eq!(
        route(&f.site, &format!("/matches/{id}/replay"), NOW).status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn nothing_private_is_served() {
    let f = fixture();
    let state = f.site.read();
    let p: &PlayerRow = f
        .rows
        .players
        .iter()
        .find(|p| p.battletag.is_some())
        .unwrap();
    let n = state.number_of(p.discord_id);
    drop(state);
    let mut seen = String::new();
    for t in [
        "/leaderboard".to_owned(),
        "/api/leaderboard".to_owned(),
        format!("/players/{n}"),
        format!("/api/players/{n}"),
        "/api/matches/1".to_owned(),
        "/matches/1".to_owned(),
        "/seasons".to_owned(),
    ] {
        seen.push_str(&get(&f.site, &t).1);
    }
    let discord_id = p.discord_id.to_string();
    assert!(!seen.contains(&discord_id), "a Discord id is shown");
    assert!(
        !seen.contains(p.battletag.as_deref().unwrap()),
        "a BattleTag is shown"
    );
    assert!(!seen.contains(&p.discord_name), "a Discord name is shown");
}

#[test]
fn committed_rows_move_the_copy_and_its_etag() {
    let f = fixture();
    let before = f.site.generation();
    let mut p = f.rows.players[0].clone();
    p.ingame_name = Some("RenamedHero".into());
    f.site.apply(&[Write::Player(p)]);
    assert_eq!(f.site.generation(), before + 1);
    let n = f.site.read().number_of(f.rows.players[0].discord_id);
    assert!(
        get(&f.site, &format!("/players/{n}"))
            .1
            .contains("RenamedHero")
    );
}

#[test]
fn http_bounds_etag_and_304() {
    let f = fixture();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(http_checks(f));
}

async fn http_checks(f: Fixture) {
    let site = &f.site;
    let r = http(site, Request::get("/leaderboard").body(()).unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let again = http(
        site,
        Request::get("/leaderboard")
            .header("if-none-match", &etag)
            .body(())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(
        again
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );
    let post = http(site, Request::post("/leaderboard").body(()).unwrap()).await;
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.headers()["allow"], "GET, HEAD");
    let long = format!("/leaderboard?race={}", "P,".repeat(600));
    let r = http(site, Request::get(long.as_str()).body(()).unwrap()).await;
    assert_eq!(r.status(), StatusCode::URI_TOO_LONG);
    let head = http(site, Request::head("/api/seasons").body(()).unwrap()).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert!(
        head.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );
    // The second GET of an unchanged page came from the cache.
    let _ = http(site, Request::get("/leaderboard").body(()).unwrap()).await;
    assert!(site.stats.cached.load(Ordering::Relaxed) >= 1);
    // A committed change makes the old ETag stale.
    site.apply(&[Write::Player(f.rows.players[1].clone())]);
    let after = http(
        site,
        Request::get("/leaderboard")
            .header("if-none-match", &etag)
            .body(())
            .unwrap(),
    )
    .await;
    assert_eq!(after.status(), StatusCode::OK);
}

/// Rows dropped because the feed was full are in the database: the copy is
/// rebuilt from it.
#[test]
fn an_overflowed_feed_reloads_the_copy_from_the_database() {
    let mut f = fixture();
    let rx = f.rx.take().unwrap();
    let id = f.rows.players[0].discord_id;
    rusqlite::Connection::open(f.dir.path().join("ladder.db"))
        .unwrap()
        .execute(
            "UPDATE players SET ingame_name = 'FromTheDisk' WHERE discord_id = ?1",
            [id as i64],
        )
        .unwrap();
    f.feed.lagged.store(true, Ordering::Release);
    let site = f.site.clone();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let shutdown = CancellationToken::new();
            let task = tokio::spawn(follow(site.clone(), rx, shutdown.clone()));
            tokio::time::timeout(Duration::from_secs(30), async {
                while site.stats.reloads.load(Ordering::Relaxed) == 0 {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
            .await
            .expect("the copy reloads within 30 s");
            shutdown.cancel();
            task.await.unwrap();
        });
    let n = f.site.read().number_of(id);
    assert!(
        get(&f.site, &format!("/players/{n}"))
            .1
            .contains("FromTheDisk")
    );
}

/// A reload the core took reaches the site's copy: its page size here.
#[test]
fn a_reloaded_ladder_config_reaches_the_copy() {
    let f = fixture();
    let config = LadderConfig {
        leaderboard_page_size: 7,
        ..LadderConfig::default()
    };
    let before = f.site.generation();
    f.site.reconfigure(config);
    assert!(f.site.generation() > before, "cached pages go stale");
    let (_, json) = get(&f.site, "/api/leaderboard");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 7, "{json}");
}
