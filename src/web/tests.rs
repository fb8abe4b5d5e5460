//! The site over a generated history: routes, bounds, caching headers and
//! what it must not show. Over HTTP with the supervisor: `tests/it/web.rs`.

use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::{Request, StatusCode};

use super::*;
use crate::bench::dataset::{self, FIRST_PLAYER_ID, Size};
use crate::clock::ManualClock;
use crate::config::{LadderConfig, StoreConfig};
use crate::l10n::Locale;
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
    let p = route(site, target, NOW, Locale::ENGLISH);
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
    let png = route(
        &f.site,
        &format!("/players/{n}/rating.png"),
        NOW,
        Locale::ENGLISH,
    );
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
        route(
            &f.site,
            &format!("/matches/{id}/replay"),
            NOW,
            Locale::ENGLISH
        )
        .status,
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

fn locale(tag: &str) -> Locale {
    Locale::from_tag(tag).unwrap()
}

/// Every page in every shipped language: each message is there (a missing
/// one panics under test), the page says its language, and the switch
/// offers every other language.
#[test]
fn every_page_renders_in_every_language() {
    let f = fixture();
    let n = f.site.read().number_of(FIRST_PLAYER_ID + 3);
    let replay = f.rows.replays.iter().find_map(|r| r.match_id).unwrap();
    for l in Locale::all() {
        for (target, status) in [
            ("/leaderboard".to_owned(), StatusCode::OK),
            (format!("/players/{n}"), StatusCode::OK),
            (format!("/matches/{replay}"), StatusCode::OK),
            ("/matches/1".to_owned(), StatusCode::OK),
            ("/seasons".to_owned(), StatusCode::OK),
            ("/activity".to_owned(), StatusCode::OK),
            ("/nowhere".to_owned(), StatusCode::NOT_FOUND),
            ("/leaderboard?page=0".to_owned(), StatusCode::BAD_REQUEST),
        ] {
            let p = route(&f.site, &target, NOW, l);
            let body = String::from_utf8_lossy(&p.body);
            assert_eq!(p.status, status, "{} {target}", l.code());
            assert!(
                body.contains(&format!("<html lang=\"{}\">", l.code())),
                "{} {target}",
                l.code()
            );
            for other in Locale::all().filter(|o| *o != l) {
                assert!(
                    body.contains(&format!(
                        "lang={}\" lang=\"{}\"",
                        other.code(),
                        other.code()
                    )),
                    "{} {target}: no switch to {}",
                    l.code(),
                    other.code()
                );
            }
        }
    }
}

#[test]
fn pages_are_translated_and_numbers_local() {
    let f = fixture();
    let (_, en) = get(&f.site, "/leaderboard");
    assert!(
        en.contains("<th>Player</th>") && en.contains("entries)"),
        "{en}"
    );
    let ko = route(&f.site, "/leaderboard", NOW, locale("ko"));
    let ko = String::from_utf8_lossy(&ko.body);
    assert!(
        ko.contains("<th>선수</th>") && ko.contains("순위표"),
        "{ko}"
    );
    assert!(!ko.contains("<th>Player</th>"));
    // Russian plurals for the entry count, from Fluent's CLDR rules.
    let ru = route(&f.site, "/leaderboard", NOW, locale("ru"));
    let ru = String::from_utf8_lossy(&ru.body);
    assert!(ru.contains("Страница 1 из"), "{ru}");
    assert!(
        ["запись)", "записи)", "записей)"]
            .iter()
            .any(|w| ru.contains(w)),
        "{ru}"
    );
    // Match states and results come in the reader's words too.
    let m =
        String::from_utf8_lossy(&route(&f.site, "/matches/1", NOW, locale("de")).body).into_owned();
    assert!(m.contains("Match #1") && m.contains("Zustand: "), "{m}");
    assert!(
        !m.contains("completed") && !m.contains("in_progress"),
        "{m}"
    );
    // The rating chart inside the page speaks the page's language.
    let n = f.site.read().number_of(FIRST_PLAYER_ID + 3);
    let p = route(&f.site, &format!("/players/{n}"), NOW, locale("fr"));
    let p = String::from_utf8_lossy(&p.body);
    assert!(p.contains("Cote par race") && !p.contains("Rating by race"));
}

#[test]
fn lang_in_the_url_wins_and_links_keep_it() {
    let f = fixture();
    let (status, de) = get(&f.site, "/leaderboard?race=Z&lang=de");
    assert_eq!(status, StatusCode::OK);
    assert!(de.contains("<html lang=\"de\">") && de.contains("Rangliste"));
    // Links and the filter form keep the chosen language; the switch keeps
    // the path and the query, with only `lang` changed.
    assert!(de.contains("href=\"/seasons?lang=de\""), "{de}");
    assert!(de.contains("name=\"lang\" value=\"de\""));
    assert!(
        de.contains("href=\"/leaderboard?race=Z&amp;lang=ko\""),
        "{de}"
    );
    assert!(de.contains("href=\"/leaderboard?race=Z&amp;lang=en-US\""));
    // Without `lang`, links carry none.
    let (_, plain) = get(&f.site, "/leaderboard?race=Z");
    assert!(plain.contains("href=\"/seasons\""));
    // Tags are matched like Accept-Language's; anything else is a 400.
    assert!(
        get(&f.site, "/seasons?lang=zh-Hans")
            .1
            .contains("<html lang=\"zh-CN\">")
    );
    for (target, says) in [
        (
            "/seasons?lang=klingon",
            "lang takes one of en-US, ko, zh-CN",
        ),
        ("/seasons?lang=zh-TW", "lang takes"),
        ("/seasons?lang=ko&lang=de", "lang is given twice"),
        // The API has no language: `lang` is unknown there.
        ("/api/seasons?lang=ko", "unknown parameter \\\"lang\\\""),
    ] {
        let (status, body) = get(&f.site, target);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target}");
        assert!(body.contains(says), "{target}: {body}");
    }
}

#[test]
fn http_language_headers_and_etags() {
    let f = fixture();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(language_checks(f));
}

async fn language_checks(f: Fixture) {
    let site = &f.site;
    let req = |target: &str, accept: Option<&str>| {
        let mut r = Request::get(target);
        if let Some(a) = accept {
            r = r.header("accept-language", a);
        }
        r.body(()).unwrap()
    };
    let body = |r: hyper::Response<Full<Bytes>>| async move {
        String::from_utf8(r.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    };
    // Korean first, so a cache that ignored the language would hand the
    // Korean page to the English reader next.
    let ko = http(site, req("/leaderboard", Some("ko-KR,ko;q=0.9,en;q=0.5"))).await;
    assert_eq!(ko.status(), StatusCode::OK);
    assert_eq!(ko.headers()["content-language"], "ko");
    assert_eq!(ko.headers()["vary"], "Accept-Language");
    let ko_etag = ko.headers()["etag"].to_str().unwrap().to_owned();
    let ko_body = body(ko).await;
    assert!(ko_body.contains("<html lang=\"ko\">") && ko_body.contains("순위표"));

    let en = http(site, req("/leaderboard", None)).await;
    assert_eq!(en.headers()["content-language"], "en-US");
    let en_etag = en.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(en_etag, ko_etag, "one ETag for two languages");
    let en_body = body(en).await;
    assert!(en_body.contains("<html lang=\"en-US\">") && !en_body.contains("순위표"));
    // The Korean page again: from the cache, still Korean.
    let cached = site.stats.cached.load(Ordering::Relaxed);
    let again = http(site, req("/leaderboard", Some("ko"))).await;
    assert_eq!(site.stats.cached.load(Ordering::Relaxed), cached + 1);
    assert!(body(again).await.contains("순위표"));

    // A validator is good only for its language.
    let r = http(
        site,
        Request::get("/leaderboard")
            .header("accept-language", "ko")
            .header("if-none-match", &en_etag)
            .body(())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "an English ETag matched Korean");
    let r = http(
        site,
        Request::get("/leaderboard")
            .header("accept-language", "ko")
            .header("if-none-match", &ko_etag)
            .body(())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()["vary"], "Accept-Language");

    // `?lang=` beats the header.
    let de = http(site, req("/leaderboard?lang=de", Some("ko"))).await;
    assert_eq!(de.headers()["content-language"], "de");
    let de_etag = de.headers()["etag"].to_str().unwrap().to_owned();
    assert!(de_etag != ko_etag && de_etag != en_etag);
    assert!(body(de).await.contains("<html lang=\"de\">"));

    // Garbage or an over-long header is English, not an error.
    let long = format!("{},ko", "x;q=0.5".repeat(200));
    for junk in ["<script>", "ko;q=7", long.as_str()] {
        let r = http(site, req("/seasons", Some(junk))).await;
        assert_eq!(r.status(), StatusCode::OK, "{junk}");
        assert_eq!(r.headers()["content-language"], "en-US", "{junk}");
    }

    // The API is the same for everyone: no language, one ETag.
    let a = http(site, req("/api/leaderboard", Some("ko"))).await;
    let b = http(site, req("/api/leaderboard", Some("de"))).await;
    assert!(a.headers().get("content-language").is_none());
    assert!(a.headers().get("vary").is_none());
    assert_eq!(a.headers()["etag"], b.headers()["etag"]);
    assert_eq!(body(a).await, body(b).await);
}
