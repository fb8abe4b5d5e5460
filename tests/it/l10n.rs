//! Localisation end to end: the language a user's Discord client reports
//! (`locale` on the interaction) is the language ladderd answers in, and
//! the one their later cards arrive in; an unknown locale gets English.

use ladderd::clock::ManualClock;
use ladderd::sim::{Interact, Simulator};

use crate::support::e2e::{
    T0, ask, boot, button_ending, click, personal, sign_up, stop, wait_seen_in,
};

/// Discord's codes of the locales ladderd ships.
const SHIPPED: [&str; 7] = ["en-US", "ko", "zh-CN", "es-ES", "ru", "de", "fr"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_leaderboard_and_cards_come_in_the_users_language() {
    let sim = Simulator::start(crate::e2e::flows()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot(&sim, dir.path(), &clock).await;

    // Registered (and accepted by the simulator's Discord rules) with every
    // shipped locale on every command and option.
    let commands = sim.commands();
    assert!(commands.len() >= 10, "{commands:?}");
    fn check(v: &serde_json::Value, path: &str) {
        for field in ["name_localizations", "description_localizations"] {
            for code in SHIPPED {
                assert!(
                    v[field][code].as_str().is_some_and(|s| !s.is_empty()),
                    "{path}: {field}.{code} in {v}"
                );
            }
        }
        for o in v["options"].as_array().into_iter().flatten() {
            check(o, &format!("{path} {}", o["name"]));
        }
    }
    for c in &commands {
        check(c, c["name"].as_str().unwrap_or("?"));
    }
    let profile = commands.iter().find(|c| c["name"] == "profile").unwrap();
    assert_eq!(profile["name_localizations"]["ko"], "프로필");

    // Two players queue (the sign-up reads English replies), then their
    // clients report Korean and a locale ladderd does not know.
    let korean = sign_up(&sim, "Hangul").await;
    let unknown = sign_up(&sim, "Nowhere").await;
    sim.set_locale(korean, "ko");
    sim.set_locale(unknown, "xx-XX");
    let lobby = sim.ids().lobby;

    let profile = Interact::Slash {
        name: "profile".into(),
        options: vec![],
    };
    let ko = ask(&sim, korean, lobby, &profile).await.message.content;
    assert!(ko.starts_with("**Hangul** Hangul#1234 DE — "), "{ko}");
    assert!(
        ko.contains("0승 0패 0무, 최근 14/30/90일 경기: 0/0/0"),
        "{ko}"
    );
    let en = ask(&sim, unknown, lobby, &profile).await.message.content;
    assert!(en.starts_with("**Nowhere** Nowhere#1234 DE — "), "{en}");
    assert!(
        en.contains("0-0-0 (W-L-D), games 14/30/90 days: 0/0/0"),
        "{en}"
    );

    let leaderboard = Interact::Slash {
        name: "leaderboard".into(),
        options: vec![],
    };
    let ko = ask(&sim, korean, lobby, &leaderboard).await.message.content;
    assert!(ko.starts_with("**순위표 — "), "{ko}");
    assert!(ko.contains(" 페이지 ("), "{ko}");
    let en = ask(&sim, unknown, lobby, &leaderboard)
        .await
        .message
        .content;
    assert!(en.starts_with("**Leaderboard — "), "{en}");
    assert!(en.contains(" — page 1/1 ("), "{en}");

    // A card answers no interaction: it goes out in each player's last
    // seen language.
    clock.advance(45_000);
    running.ladder.tick().await.unwrap();
    let card = wait_seen_in(&sim, korean, "매치 성사", personal).await;
    let buttons: Vec<Option<String>> = card
        .message
        .components
        .iter()
        .flat_map(|row| match row {
            twilight_model::channel::message::Component::ActionRow(r) => r.components.clone(),
            _ => vec![],
        })
        .map(|c| match c {
            twilight_model::channel::message::Component::Button(b) => b.label,
            _ => None,
        })
        .collect();
    assert_eq!(buttons, [Some("수락".to_owned()), Some("취소".to_owned())]);
    wait_seen_in(&sim, unknown, "Match found", personal).await;

    // What the core once phrased in English itself (a lapse, here) is data
    // now, worded in each reader's language: the Korean player confirms,
    // the other lets the window close.
    click(&sim, korean, &card, &button_ending(&card, ":confirm"));
    wait_seen_in(&sim, korean, "수락했습니다", personal).await;
    clock.advance(60_000);
    running.ladder.tick().await.unwrap();
    let back = wait_seen_in(&sim, korean, "다시 큐에 들어갔습니다", personal).await;
    assert!(
        back.message.content.starts_with("상대가 #")
            && back.message.content.contains(" 경기를 수락하지 않았습니다"),
        "{}",
        back.message.content
    );
    let lapsed = wait_seen_in(&sim, unknown, "you did not confirm match #", personal).await;
    assert!(
        lapsed.message.content.is_ascii(),
        "{}",
        lapsed.message.content
    );

    stop(shutdown, task, sim).await;
}
