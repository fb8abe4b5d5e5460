//! The shipped translations: complete, consistent and within Discord's limits.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;
use twilight_model::application::command::CommandOptionChoiceValue;
use twilight_model::channel::message::component::Component;

use super::render::{MAX_CONTENT, RenderContext, error_text, render, setup_modal_components};
use crate::l10n::{Locale, Sources, format_number, sources};
use crate::l10n_args;
use crate::ladder::validate::{Field, FieldError, FieldProblem as P};
use crate::ladder::{
    CardSide, EndReason, HeadToHead, HistoryEntry, HistoryPage, Invalid, LadderError,
    LeaderboardPage, LeaderboardQuery, LeaderboardRow, MatchCard, Note, Notice, ProfileRace,
    ProfileView, QueueView, Rank,
};
use crate::store::rows::{MatchResult, MatchState, Report};

/// Message id → the variables it uses (in its value, attributes and every
/// variant of every select).
fn variables(ftl: &'static str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(ftl).unwrap_or_else(|(_, errors)| {
        panic!("the message file does not parse: {errors:?}");
    });
    let mut out = BTreeMap::new();
    for entry in resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                }
                for a in &m.attributes {
                    pattern_vars(&a.value, &mut vars);
                }
                assert!(
                    out.insert(m.id.name.to_owned(), vars).is_none(),
                    "{} twice",
                    m.id.name
                );
            }
            ast::Entry::Junk { content } => panic!("unparsable entry: {content}"),
            _ => {}
        }
    }
    out
}

fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for e in &p.elements {
        if let ast::PatternElement::Placeable { expression } = e {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        ast::Expression::Inline(i) => inline_vars(i, vars),
    }
}

fn inline_vars(e: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
            for a in &arguments.named {
                inline_vars(&a.value, vars);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

#[test]
fn every_message_exists_in_every_locale_with_the_same_variables() {
    let all: Vec<_> = sources().collect();
    // Discord's messages and the web site's, each against English.
    type File = fn(&Sources) -> &'static str;
    let files: [(&str, File, usize); 2] = [
        ("ladderd.ftl", |s| s.ladderd, 100),
        ("web.ftl", |s| s.web, 60),
    ];
    for (file, of, at_least) in files {
        let reference = variables(of(&all[0]));
        assert!(reference.len() > at_least, "{file}: {}", reference.len());
        for s in &all[1..] {
            let code = format!("{} {file}", s.locale.code());
            let theirs = variables(of(s));
            let missing: Vec<_> = reference
                .keys()
                .filter(|k| !theirs.contains_key(*k))
                .collect();
            let extra: Vec<_> = theirs
                .keys()
                .filter(|k| !reference.contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{code}: missing {missing:?}");
            assert!(extra.is_empty(), "{code}: unknown {extra:?}");
            for (id, vars) in &reference {
                assert_eq!(&theirs[id], vars, "{code}: variables of {id}");
            }
        }
    }
    // One bundle holds a locale's three files: an id in two of them would
    // lose the second. The site's ids say so (`web-`), nobody else's do.
    for s in &all {
        let ladderd = variables(s.ladderd);
        let commands = variables(s.commands);
        let web = variables(s.web);
        for id in web.keys() {
            assert!(
                id.starts_with("web-"),
                "{}: {id} in web.ftl",
                s.locale.code()
            );
        }
        for id in ladderd.keys().chain(commands.keys()) {
            assert!(!id.starts_with("web-"), "{}: {id}", s.locale.code());
            assert!(
                !(ladderd.contains_key(id) && commands.contains_key(id)),
                "{}: {id} in two files",
                s.locale.code()
            );
        }
    }
}

/// Discord's rule for command and option names (its docs, "Application
/// Command Naming"), checked by hand: letters, numbers, `-` and `_`, in
/// lower case where the script has case, 1 to 32 characters.
fn valid_command_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=32).contains(&n)
        && name
            .chars()
            .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
        && name.to_lowercase() == name
}

#[test]
fn every_command_and_option_is_localised_within_discords_rules() {
    let codes: BTreeSet<&str> = Locale::all().map(Locale::code).collect();
    let commands = super::commands::all();
    // (path, localisations) of every command, subcommand and option.
    let mut entries = Vec::new();
    let mut choices = Vec::new();
    for c in &commands {
        entries.push((
            c.name.clone(),
            c.name_localizations.clone(),
            c.description_localizations.clone(),
            commands
                .iter()
                .map(|c| (c.name.clone(), c.name_localizations.clone()))
                .collect::<Vec<_>>(),
        ));
        let mut stack: Vec<(
            String,
            &twilight_model::application::command::CommandOption,
            Vec<_>,
        )> = Vec::new();
        let siblings = |os: &[twilight_model::application::command::CommandOption]| {
            os.iter()
                .map(|o| (o.name.clone(), o.name_localizations.clone()))
                .collect::<Vec<_>>()
        };
        for o in &c.options {
            stack.push((c.name.clone(), o, siblings(&c.options)));
        }
        while let Some((parent, o, sibs)) = stack.pop() {
            let path = format!("{parent} {}", o.name);
            entries.push((
                path.clone(),
                o.name_localizations.clone(),
                o.description_localizations.clone(),
                sibs,
            ));
            for choice in o.choices.iter().flatten() {
                if let CommandOptionChoiceValue::String(v) = &choice.value {
                    choices.push((format!("{path} {v}"), choice.name_localizations.clone()));
                }
            }
            for sub in o.options.iter().flatten() {
                stack.push((
                    path.clone(),
                    sub,
                    siblings(o.options.as_deref().unwrap_or(&[])),
                ));
            }
        }
    }
    assert!(entries.len() > 60, "{}", entries.len());
    for (path, names, descriptions, siblings) in &entries {
        let names = names.as_ref().unwrap_or_else(|| panic!("{path}: no names"));
        let descriptions = descriptions
            .as_ref()
            .unwrap_or_else(|| panic!("{path}: no descriptions"));
        let have: BTreeSet<&str> = names.keys().map(String::as_str).collect();
        assert_eq!(have, codes, "{path}: names");
        let have: BTreeSet<&str> = descriptions.keys().map(String::as_str).collect();
        assert_eq!(have, codes, "{path}: descriptions");
        for code in &codes {
            assert!(
                valid_command_name(&names[*code]),
                "{path} in {code}: {:?}",
                names[*code]
            );
            let d = descriptions[*code].chars().count();
            assert!((1..=100).contains(&d), "{path} in {code}: {d} characters");
            // Discord refuses two siblings with the same name in a locale.
            let same = siblings
                .iter()
                .filter(|(_, l)| l.as_ref().and_then(|l| l.get(*code)) == Some(&names[*code]))
                .count();
            assert_eq!(same, 1, "{path} in {code}: {:?} is taken", names[*code]);
        }
    }
    assert_eq!(choices.len(), 7, "{choices:?}");
    for (path, names) in &choices {
        let names = names.as_ref().unwrap_or_else(|| panic!("{path}: no names"));
        let have: BTreeSet<&str> = names.keys().map(String::as_str).collect();
        assert_eq!(have, codes, "{path}: choice names");
        assert!(
            names
                .values()
                .all(|n| (1..=100).contains(&n.chars().count()))
        );
    }
    // Translations differ from English (a copied file would pass the rest).
    let profile = commands.iter().find(|c| c.name == "profile").unwrap();
    let names = profile.name_localizations.as_ref().unwrap();
    assert_eq!(names["ko"], "프로필");
    assert_eq!(names["ru"], "профиль");
    assert_eq!(names["en-US"], "profile");
    // Every command file entry is used: nothing stale, nothing misspelt.
    for s in sources().skip(1) {
        let locale = s.locale;
        for id in variables(s.commands).keys() {
            let key = |path: &String| format!("cmd-{}", path.replace(' ', "-"));
            let used = id.starts_with("opt-")
                || entries.iter().any(|(path, ..)| key(path) == *id)
                || choices.iter().any(|(path, _)| key(path) == *id);
            assert!(used, "{}: {id} names no command or option", locale.code());
        }
    }
}

#[test]
fn locales_come_from_discords_codes_with_english_as_fallback() {
    assert_eq!(Locale::from_discord("ko").code(), "ko");
    assert_eq!(Locale::from_discord("zh-CN").code(), "zh-CN");
    assert_eq!(Locale::from_discord("es-419").code(), "es-ES");
    assert_eq!(Locale::from_discord("en-GB"), Locale::ENGLISH);
    // Traditional Chinese readers get English, not Simplified Chinese.
    assert_eq!(Locale::from_discord("zh-TW"), Locale::ENGLISH);
    assert_eq!(Locale::from_discord("xx-XX"), Locale::ENGLISH);
    assert_eq!(Locale::from_discord(""), Locale::ENGLISH);
    assert_eq!(Locale::from_discord(&"x".repeat(10_000)), Locale::ENGLISH);
}

#[test]
fn russian_plurals_and_numbers_are_russian() {
    let ru = Locale::from_discord("ru");
    let queue = |n: u64| {
        ru.text(
            "queue-view",
            l10n_args!["queueing" => n, "seconds" => 30u64, "in_progress" => 2u64, "active" => 7u64],
        )
    };
    assert!(queue(1).contains("1 игрок в очереди"), "{}", queue(1));
    assert!(queue(3).contains("3 игрока в очереди"), "{}", queue(3));
    assert!(queue(5).contains("5 игроков в очереди"), "{}", queue(5));
    assert!(queue(11).contains("11 игроков в очереди"), "{}", queue(11));
    assert!(queue(21).contains("21 игрок в очереди"), "{}", queue(21));
    assert!(queue(2).contains("2 матча идут"), "{}", queue(2));
    // English has no such forms: the same message reads as it always did.
    let en = Locale::ENGLISH.text(
        "queue-view",
        l10n_args!["queueing" => 3u64, "seconds" => 30u64, "in_progress" => 2u64, "active" => 7u64],
    );
    assert_eq!(
        en,
        "**Queue** — 3 queueing, next wave in 30 s, 2 matches in progress, 7 active in the last 15 min."
    );

    assert_eq!(format_number(12345.5, ru), "12\u{a0}345,5");
    assert_eq!(
        format_number(12345.5, Locale::from_discord("de")),
        "12.345,5"
    );
    assert_eq!(
        format_number(12345.5, Locale::from_discord("fr")),
        "12\u{202f}345,5"
    );
    assert_eq!(format_number(12345.5, Locale::ENGLISH), "12,345.5");
    assert_eq!(format_number(-1234567.0, Locale::ENGLISH), "-1,234,567");
    // Four digits stay together everywhere: ratings read as players write them.
    assert_eq!(format_number(1500.0, ru), "1500");
    assert_eq!(format_number(0.25, Locale::from_discord("es-ES")), "0,25");

    // Through a rendered leaderboard: plural and grouped total.
    let page = leaderboard(1);
    let mut page = page;
    page.total = 12_345;
    let text = render(
        &Notice::Leaderboard(Box::new(page)),
        &RenderContext {
            locale: ru,
            ..Default::default()
        },
    )
    .content;
    assert!(text.contains("(12\u{a0}345 записей)"), "{text}");
    assert!(text.contains("Таблица"), "{text}");
}

// ---- every notice, long arguments, every locale ----

const LONG_NAME: &str = "ЖЖЖЖЖЖЖЖЖЖЖЖ"; // the longest in-game name (12)

fn long(n: usize) -> String {
    "Щ".repeat(n)
}

fn side(id: u64) -> CardSide {
    CardSide {
        player_id: id,
        ingame_name: LONG_NAME.into(),
        battletag: format!("{}#12345678", long(21)),
        alt_names: vec![],
        country: "RU".into(),
        race: long(32),
        rating: 12_345.0,
        deviation: 350.0,
        provisional: true,
    }
}

fn card() -> Box<MatchCard> {
    Box::new(MatchCard {
        match_id: u64::from(u32::MAX),
        sides: [side(1), side(2)],
        map: crate::config::MapInfo {
            name: long(60),
            replay_name: long(60),
            link: None,
            author: None,
        },
        all_maps_vetoed: true,
        server: long(20),
        win_probability: 0.4999,
        lobby_settings: vec![long(100); 3],
        created_at: 0,
        confirm_by: 1_900_000_000_000,
    })
}

fn queue_view() -> QueueView {
    QueueView {
        per_race: (0..6)
            .map(|i| (format!("{}{i}", long(31)), 99_999))
            .collect(),
        per_region: (0..8)
            .map(|i| (format!("{}{i}", long(7)), 99_999))
            .collect(),
        queueing: 99_999,
        seconds_to_next_wave: 86_400,
        matches_in_progress: 99_999,
        active_last_15_min: 99_999,
    }
}

fn leaderboard(rows: usize) -> LeaderboardPage {
    LeaderboardPage {
        rows: (1..=rows)
            .map(|i| LeaderboardRow {
                position: i,
                player_id: i as u64,
                ingame_name: LONG_NAME.into(),
                country: "RU".into(),
                race: "Protoss".into(),
                rating: 1500.0,
                rank: Some(Rank::S),
                provisional: false,
                wins: 100,
                losses: 100,
                draws: 1,
            })
            .collect(),
        page: 2,
        pages: 3,
        total: 120,
        season: long(64),
        season_ended: true,
        query: LeaderboardQuery {
            countries: vec!["RU".into(); 5],
            races: vec!["P".into()],
            regions: vec!["EU".into()],
            ranks: vec![Rank::S, Rank::A],
            best_race_only: true,
            page: 2,
            ..Default::default()
        },
        saved: Some(7),
    }
}

/// Every kind of notice a player can be shown, with the longest arguments
/// the ladder lets through (names at their validated maxima, ids at their
/// largest, configured names long).
fn every_notice() -> Vec<Notice> {
    let m = u64::from(u32::MAX);
    let errors = vec![
        LadderError::NoTos,
        LadderError::NotSetUp,
        LadderError::Banned(long(200)),
        // Every field wrong at once, each as long as the form lets it be
        // (name 12, BattleTag 30, alternative names 60 in all, country 2,
        // region 8), the ladder's regions listed long.
        LadderError::InvalidSetup(
            [
                (
                    Field::IngameName,
                    P::NameLetters {
                        name: long(12),
                        found: 'Щ',
                    },
                ),
                (Field::BattleTag, P::TagNameChars { name: long(30) }),
                (Field::AltNames, P::AltNameTwice { name: long(20) }),
                (Field::AltNames, P::AltNameTwice { name: long(20) }),
                (Field::AltNames, P::AltNameTwice { name: long(20) }),
                (Field::Country, P::Country { given: long(2) }),
                (
                    Field::Region,
                    P::Region {
                        given: long(8),
                        choices: long(200),
                    },
                ),
            ]
            .into_iter()
            .map(|(field, problem)| FieldError { field, problem })
            .collect(),
        ),
        LadderError::UnknownRace(long(32), long(200)),
        LadderError::SameGroup(long(32), long(32)),
        LadderError::NoRace,
        LadderError::UnknownMap(long(100)),
        LadderError::TooManyVetoes(3),
        LadderError::AlreadyQueueing,
        LadderError::NotQueueing,
        LadderError::InMatch,
        LadderError::Cooldown(99_999),
        LadderError::UnknownPlayer(u64::MAX),
        LadderError::UnknownMatch(m),
        LadderError::NotYourMatch(m),
        LadderError::WrongState(m, "in_progress"),
        LadderError::ConfirmWindowClosed(m),
        LadderError::NotConfirmed(m),
        LadderError::NoAbortsLeft,
        LadderError::ResolvedByAdmin(m),
        LadderError::AlreadyCompleted(m),
        LadderError::ReplayPlayersMismatch(m),
        LadderError::NotAdmin,
        LadderError::NotOwner,
        LadderError::NoReason,
    ];
    let mut notices: Vec<Notice> = errors.into_iter().map(Notice::Error).collect();
    // Each problem of a setup field on its own, so each message renders.
    let problems = [
        P::NameLength {
            name: long(12),
            chars: 99,
        },
        P::NameLetters {
            name: long(12),
            found: '#',
        },
        P::TagNoHash { tag: long(30) },
        P::TagNameLength {
            name: long(29),
            chars: 29,
        },
        P::TagNameChars { name: long(30) },
        P::TagDigits { digits: long(29) },
        P::TooManyAltNames { given: 30, max: 3 },
        P::AltNameTwice { name: long(60) },
        P::Country { given: long(2) },
        P::Region {
            given: long(8),
            choices: long(200),
        },
    ];
    notices.extend(problems.into_iter().map(|problem| {
        Notice::Error(LadderError::InvalidSetup(vec![FieldError {
            field: Field::AltNames,
            problem,
        }]))
    }));
    // Every refused input, with the longest it echoes.
    let invalid = [
        Invalid::ReplayReused,
        Invalid::UnknownSeason {
            season: u32::MAX,
            known: vec![format!("{} ({})", u32::MAX, long(64)); 10].join(", "),
        },
        Invalid::SamePlayer,
        Invalid::UnknownRegion {
            region: long(100),
            choices: long(200),
        },
        Invalid::ExpiredButtons,
        Invalid::NotificationsOff,
        Invalid::PingGap {
            min: 15,
            max: 1_440,
        },
        Invalid::QuietHours { given: long(16) },
        Invalid::QuietHoursEmpty { given: long(16) },
        Invalid::TimeZone { given: long(64) },
        Invalid::NearRating { max: 5_000 },
        Invalid::NoReplay(m),
        Invalid::Rating(-f64::MAX),
        Invalid::NotInQueue(u64::MAX),
        Invalid::NoSeasonName,
    ];
    notices.extend(
        invalid
            .into_iter()
            .map(|i| Notice::Error(LadderError::Invalid(i))),
    );
    let race = |r: &str| ProfileRace {
        race: r.into(),
        rating: 12_345.4,
        interval: (11_000.0, 13_000.0),
        provisional: true,
        rank: Some(Rank::S),
        wins: 9_999,
        losses: 9_999,
        draws: 9_999,
        win_rate: None,
        last_played_at: None,
    };
    // A match's end between two players with the longest names.
    let ended = |state, result, rating_changes, why| Notice::MatchEnded {
        match_id: m,
        state,
        result,
        rating_changes,
        names: Some((LONG_NAME.into(), LONG_NAME.into())),
        why,
    };
    notices.extend([
        Notice::StillSearching {
            answer_by: i64::MAX / 2,
            searching_minutes: 1_000_000,
        },
        Notice::QueueExpired,
        Notice::SomeoneSearching {
            races: (0..20).map(|i| format!("Race{i}")).collect(),
            rating: -1_000_000,
            searching: usize::MAX,
        },
        Notice::MatchFound(card()),
        Notice::ConfirmReminder {
            match_id: m,
            seconds_left: 3_600,
        },
        Notice::MatchStarted(card()),
        ended(
            MatchState::Completed,
            Some(MatchResult::Player2),
            Some((-123.4, 123.4)),
            EndReason::Admin,
        ),
        // A row from before names were stored.
        Notice::MatchEnded {
            match_id: m,
            state: MatchState::Abandoned,
            result: None,
            rating_changes: None,
            names: None,
            why: EndReason::Legacy {
                text: String::new(),
            },
        },
        ended(
            MatchState::Aborted,
            None,
            None,
            EndReason::AbortedBy {
                name: LONG_NAME.into(),
                aborts_left: 99,
                cooldown_ms: i64::from(u32::MAX),
            },
        ),
        ended(
            MatchState::Aborted,
            None,
            None,
            EndReason::AdminReset { reason: long(200) },
        ),
        ended(
            MatchState::Completed,
            Some(MatchResult::Player1),
            Some((1.0, -1.0)),
            EndReason::Agreed,
        ),
        ended(
            MatchState::Completed,
            Some(MatchResult::Draw),
            Some((1.0, -1.0)),
            EndReason::Replay,
        ),
        Notice::Conflict {
            match_id: m,
            reports: (Some(Report::Win), None),
            replay_result: Some(MatchResult::Draw),
        },
        Notice::Flagged { match_id: m },
        Notice::ReplayFile {
            match_id: m,
            sha256: "f".repeat(64),
        },
        Notice::Wave {
            matches: 99_999,
            still_queueing: 99_999,
            status: Box::new(queue_view()),
        },
        Notice::Queue(queue_view()),
        Notice::Profile(Box::new(ProfileView {
            player_id: 1,
            ingame_name: Some(LONG_NAME.into()),
            battletag: Some(format!("{}#12345678", long(21))),
            country: Some(crate::ladder::validate::NON_REPRESENTING.into()),
            region: Some("EU".into()),
            races: (0..6).map(|i| race(&format!("{}{i}", long(31)))).collect(),
            wins: 99_999,
            losses: 99_999,
            draws: 99_999,
            games_last: [9_999, 9_999, 9_999],
            last_played_at: None,
            aborts_left: 3,
            banned: true,
            season: long(64),
            season_ended: true,
            rating_history: Vec::new(),
            seasons: Vec::new(),
            head_to_head: Some(HeadToHead {
                opponent_id: 2,
                opponent_name: String::new(),
                wins: 9_999,
                losses: 9_999,
                draws: 9_999,
                recent: vec![
                    (m, "win"),
                    (m, "loss"),
                    (m, "draw"),
                    (m, "win"),
                    (m, "loss"),
                ],
            }),
        })),
        Notice::SetupForm(Box::new(crate::ladder::SetupForm {
            ingame_name: LONG_NAME.into(),
            battletag: long(30),
            alt_names: vec![],
            country: "RU".into(),
            region: "EU".into(),
        })),
        Notice::Leaderboard(Box::new(leaderboard(25))),
        Notice::History(HistoryPage {
            player_id: 1,
            entries: (0..10)
                .map(|i| HistoryEntry {
                    match_id: m - i,
                    at: 0,
                    opponent_id: 2,
                    opponent_name: LONG_NAME.into(),
                    race: long(32),
                    opponent_race: long(32),
                    map: long(60),
                    state: MatchState::Completed,
                    outcome: Some("loss"),
                    rating_change: Some(-99.5),
                })
                .collect(),
            page: 99_999,
            pages: 99_999,
        }),
    ]);
    notices.extend(every_note().into_iter().map(Notice::Note));
    notices
}

/// Every note, with its longest arguments (reasons: the 200 characters
/// `/admin` takes; map and season names: configured, long).
fn every_note() -> Vec<Note> {
    let m = u64::from(u32::MAX);
    vec![
        Note::Lapsed {
            match_id: m,
            aborts_left: 99,
            cooldown_ms: i64::from(u32::MAX),
        },
        Note::Lapsed {
            match_id: m,
            aborts_left: 1,
            cooldown_ms: 60_000,
        },
        Note::LapsedForgiven { match_id: m },
        Note::OpponentLapsed { match_id: m },
        Note::QueueEmptiedByRestart,
        Note::StayingInQueue,
        Note::RemovedFromQueue { reason: long(200) },
        Note::QueueCleared { reason: long(200) },
        Note::Banned { reason: long(200) },
        Note::Unbanned,
        Note::MapPoolChanged {
            added: vec![long(100); 25],
            removed: vec![long(100); 25],
        },
        Note::MapPoolChanged {
            added: vec![],
            removed: vec![long(100)],
        },
        Note::SeasonStarted {
            ended: long(64),
            started: long(64),
            maps: 1,
        },
        Note::SeasonStarted {
            ended: long(64),
            started: long(64),
            maps: 99_999,
        },
        Note::Notifications {
            enabled: false,
            min_gap_minutes: 0,
            quiet: None,
            time_zone: None,
            near_rating: None,
        },
        Note::Notifications {
            enabled: true,
            min_gap_minutes: 99_999,
            quiet: Some((23 * 60 + 59, 0)),
            time_zone: Some(long(64)),
            near_rating: Some(5_000),
        },
        Note::ReplayUnattached,
        Note::ReplayRejected { detail: long(250) },
        Note::ReplayAfterAdmin,
        Note::ReplayAgrees,
        Note::ReplayKept { match_id: m },
        Note::ReplayStored {
            match_id: m,
            state: "invalidated".into(),
        },
    ]
}

fn components_fit(components: &[Component], what: &str) {
    assert!(components.len() <= 5, "{what}: {} rows", components.len());
    for c in components {
        let Component::ActionRow(row) = c else {
            panic!("{what}: {c:?}")
        };
        assert!(row.components.len() <= 5, "{what}");
        for c in &row.components {
            match c {
                Component::Button(b) => {
                    let label = b.label.as_deref().unwrap_or("");
                    let n = label.chars().count();
                    assert!((1..=80).contains(&n), "{what}: button {label:?}");
                }
                Component::SelectMenu(s) => {
                    let p = s.placeholder.as_deref().unwrap_or("");
                    assert!(p.chars().count() <= 150, "{what}: placeholder {p:?}");
                    for o in s.options.iter().flatten() {
                        assert!(
                            o.label.chars().count() <= 100,
                            "{what}: option {:?}",
                            o.label
                        );
                        assert!(o.value.chars().count() <= 100, "{what}");
                    }
                }
                other => panic!("{what}: unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn every_rendered_message_fits_discords_limits_in_every_locale() {
    let races: Vec<(String, String)> = (0..25).map(|i| (format!("r{i}"), long(100))).collect();
    let maps: Vec<String> = (0..25).map(|_| long(100)).collect();
    let notices = every_notice();
    for locale in Locale::all() {
        let ctx = RenderContext {
            races: &races,
            maps: &maps,
            locale,
        };
        for notice in &notices {
            let what = format!("{} {notice:?}", locale.code());
            let r = render(notice, &ctx);
            assert!(!r.content.is_empty(), "{what}");
            assert!(r.content.len() <= MAX_CONTENT, "{what}");
            // Single messages must fit whole; only a page of rows may be cut.
            if !matches!(
                notice,
                Notice::Leaderboard(_) | Notice::History(_) | Notice::Profile(_)
            ) {
                assert!(!r.content.ends_with('…'), "{what}: cut:\n{}", r.content);
            }
            components_fit(&r.components, &what);
        }
        // Replay upload refusals, with the longest details they carry.
        use super::upload::UploadError as U;
        let uploads = [
            U::Announced {
                announced: u64::MAX,
                limit: u64::MAX,
            },
            U::TooMany {
                per_minute: 99_999,
                wait_s: 99_999,
            },
            U::BadUrl("\u{0}".parse::<hyper::Uri>().unwrap_err()),
            U::DownloadTimeout,
            U::Status(hyper::StatusCode::BAD_GATEWAY),
            U::Body {
                limit: u64::MAX,
                source: long(500).into(),
            },
            U::Unreadable(crate::replay::error::ReplayError::NotAReplay { reason: long(500) }),
        ];
        for e in &uploads {
            let text = super::render::upload_error_text(e, locale);
            assert!(text.len() < 1_000, "{}: {text}", locale.code());
        }
        // Every refusal has its own words, never a message id.
        for notice in &notices {
            if let Notice::Error(e) = notice {
                let text = error_text(e, locale);
                assert!(!text.starts_with("error-"), "{}: {text}", locale.code());
            }
        }
        // The bot's own texts: whole messages, the modal within its limits.
        for id in ["terms", "help", "restarting", "done", "cancelled", "inbox"] {
            let text = locale.try_text(id, &[]).unwrap_or_else(|e| panic!("{e}"));
            assert!(text.len() <= MAX_CONTENT, "{id}");
        }
        let button = locale.text("button-accept", &[]);
        assert!((1..=80).contains(&button.chars().count()));
        let title = locale.text("setup-title", &[]);
        assert!((1..=45).contains(&title.chars().count()), "{title}");
        for c in setup_modal_components(None, locale) {
            let Component::Label(l) = c else {
                panic!("{c:?}")
            };
            assert!((1..=45).contains(&l.label.chars().count()), "{}", l.label);
            let Component::TextInput(t) = *l.component else {
                panic!()
            };
            assert!(t.placeholder.unwrap_or_default().chars().count() <= 100);
        }
    }
}

#[test]
fn english_renders_as_before_and_other_locales_translate() {
    let ctx = |code: &str| RenderContext {
        locale: Locale::from_discord(code),
        ..Default::default()
    };
    let card = Notice::MatchFound(card());
    let en = render(&card, &ctx("en-US")).content;
    assert!(
        en.starts_with("**Match found — match #4294967295**\n• ЖЖЖЖЖЖЖЖЖЖЖЖ ("),
        "{en}"
    );
    assert!(en.contains(" 12,345 (provisional)\n"), "{en}");
    assert!(
        en.contains("(every map was vetoed; the least-vetoed was picked)"),
        "{en}"
    );
    assert!(en.contains("predicted 50% / 50%"), "{en}");
    assert!(en.contains("(until <t:1900000000:R>)"), "{en}");
    let ko = render(&card, &ctx("ko"));
    assert!(
        ko.content.starts_with("**매치 성사 — 경기 #4294967295**"),
        "{}",
        ko.content
    );
    let Component::ActionRow(row) = &ko.components[0] else {
        panic!()
    };
    let Component::Button(b) = &row.components[0] else {
        panic!()
    };
    assert_eq!(b.label.as_deref(), Some("수락"));
    let de = render(
        &Notice::MatchEnded {
            match_id: 5,
            state: MatchState::Completed,
            result: Some(MatchResult::Player1),
            rating_changes: Some((12.4, -12.4)),
            names: None,
            why: EndReason::Legacy {
                text: String::new(),
            },
        },
        &ctx("de"),
    );
    // A row from before names were stored says "player 1".
    assert_eq!(
        de.content,
        "🏁 Match #5: Spieler 1 hat gewonnen. Wertungsänderung: +12 / -12."
    );
    let ended = |result, why| Notice::MatchEnded {
        match_id: 5,
        state: MatchState::Completed,
        result: Some(result),
        rating_changes: Some((-12.4, 12.4)),
        names: Some(("Alpha".into(), "Bravo".into())),
        why,
    };
    assert_eq!(
        render(
            &ended(MatchResult::Player2, EndReason::Agreed),
            &ctx("en-US")
        )
        .content,
        "🏁 Match #5: Bravo won against Alpha. Rating change: -12 / +12. both players agreed"
    );
    let ko = render(&ended(MatchResult::Player1, EndReason::Replay), &ctx("ko")).content;
    assert!(ko.contains("Alpha 승리 (Bravo 상대)"), "{ko}");
    assert!(ko.contains("검증된 리플레이"), "{ko}");
    // Notes: English as the core used to phrase it, others translated.
    let lapsed = Notice::Note(Note::Lapsed {
        match_id: 42,
        aborts_left: 2,
        cooldown_ms: 90 * 60_000,
    });
    assert_eq!(
        render(&lapsed, &ctx("en-US")).content,
        "you did not confirm match #42 in time; it was recorded as abandoned and counts as an abort \
         (2 left this month); you can queue again in 1 h 30 min"
    );
    let ru = render(&lapsed, &ctx("ru")).content;
    assert!(
        ru.contains("матч #42") && ru.ends_with("через 1 ч 30 мин"),
        "{ru}"
    );
    let abort = |left| Notice::MatchEnded {
        match_id: 5,
        state: MatchState::Aborted,
        result: None,
        rating_changes: None,
        names: Some(("Alpha".into(), "Bravo".into())),
        why: EndReason::AbortedBy {
            name: "Alpha".into(),
            aborts_left: left,
            cooldown_ms: 5 * 60_000,
        },
    };
    let ru = render(&abort(2), &ctx("ru")).content;
    assert!(ru.contains("осталось 2 отмены"), "{ru}");
    let ru = render(&abort(5), &ctx("ru")).content;
    assert!(ru.contains("осталось 5 отмен;"), "{ru}");
    assert!(
        render(&abort(1), &ctx("en-US"))
            .content
            .ends_with("aborted by Alpha (1 abort left this month; queueing again in 5 min)")
    );
    let zh = error_text(&LadderError::Cooldown(30), Locale::from_discord("zh-CN"));
    assert_eq!(zh, "你未确认就离开了一场比赛；30 秒后可重新排队");
    assert_eq!(
        error_text(
            &LadderError::UnknownRace("X".into(), "T, Z, P".into()),
            Locale::ENGLISH
        ),
        "\"X\" is not a race of this ladder; choose from T, Z, P"
    );
}

#[test]
fn refused_input_is_worded_per_locale_and_english_matches_the_logs() {
    let ko = Locale::from_discord("ko");
    let setup = LadderError::InvalidSetup(vec![FieldError {
        field: Field::IngameName,
        problem: P::NameLength {
            name: "ab".into(),
            chars: 2,
        },
    }]);
    // The field by the form's own label.
    assert_eq!(
        error_text(&setup, Locale::ENGLISH),
        "your setup has problems: In-game name: \"ab\" has 2 characters; an in-game name has 3 to 12"
    );
    let text = error_text(&setup, ko);
    assert!(
        text.starts_with("설정에 문제가 있습니다: 게임 내 이름: \"ab\""),
        "{text}"
    );
    let ru = error_text(&setup, Locale::from_discord("ru"));
    assert!(ru.contains("2 символа"), "{ru}");
    assert_eq!(
        error_text(&LadderError::Invalid(Invalid::NoReplay(7)), ko),
        "#7 경기에는 검증된 리플레이가 없습니다"
    );
    // In English, what a player reads is what the log says.
    for i in [
        Invalid::ReplayReused,
        Invalid::UnknownSeason {
            season: 9,
            known: "1 (S1), 2 (S2)".into(),
        },
        Invalid::SamePlayer,
        Invalid::UnknownRegion {
            region: "Mars".into(),
            choices: "EU, NA".into(),
        },
        Invalid::ExpiredButtons,
        Invalid::NotificationsOff,
        Invalid::PingGap { min: 15, max: 1440 },
        Invalid::QuietHours {
            given: "soon".into(),
        },
        Invalid::QuietHoursEmpty {
            given: "22-22".into(),
        },
        Invalid::TimeZone {
            given: "Mars/Olympus".into(),
        },
        Invalid::NearRating { max: 5000 },
        Invalid::NoReplay(7),
        Invalid::Rating(f64::INFINITY),
        Invalid::NotInQueue(42),
        Invalid::NoSeasonName,
    ] {
        assert_eq!(
            error_text(&LadderError::Invalid(i.clone()), Locale::ENGLISH),
            i.to_string()
        );
    }
}

#[test]
fn the_english_restart_answer_is_the_one_tests_compare_with() {
    assert_eq!(
        Locale::ENGLISH.text("restarting", &[]),
        super::bot::RESTARTING
    );
}
