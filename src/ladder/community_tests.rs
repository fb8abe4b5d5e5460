//! Rules of #15's community features (profiles, seasons and leaderboards),
//! driven through `handle` and `tick` only, each at an explicit `now`.

use std::collections::BTreeMap;

use super::reads::{MAX_SAVED_QUERIES, SAVED_QUERY_TTL_MS};
use super::*;
use crate::store::rows::ResultSource;

/// 2026-01-01T00:00:00Z, a multiple of every wave interval.
const T0: UnixMillis = 1_767_225_600_000;
const S: i64 = 1_000;

fn ladder() -> Ladder {
    Ladder::new(LadderConfig::default(), 7, T0).0
}

fn errors(fx: &Effects) -> Vec<&LadderError> {
    fx.messages
        .iter()
        .filter_map(|m| match &m.body {
            Notice::Error(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn ok(fx: Effects) -> Effects {
    assert!(errors(&fx).is_empty(), "unexpected: {:?}", errors(&fx));
    fx
}

fn register(l: &mut Ladder, id: PlayerId, name: &str, region: &str, now: UnixMillis) {
    let a = Actor::player(id);
    ok(l.handle(
        now,
        a,
        Command::AcceptTos {
            discord_name: name.into(),
        },
    ));
    ok(l.handle(
        now,
        a,
        Command::Setup(SetupForm {
            ingame_name: name.into(),
            battletag: format!("{name}#1234"),
            alt_names: vec![],
            country: "DE".into(),
            region: region.into(),
        }),
    ));
}

/// Players `a` and `b` queue, are matched, confirm and report `a` as the
/// winner; returns the match and the time after it.
fn play(
    l: &mut Ladder,
    a: PlayerId,
    b: PlayerId,
    winner_a: bool,
    now: UnixMillis,
) -> (MatchId, UnixMillis) {
    let (id, t, _) = play_fx(l, a, b, winner_a, now);
    (id, t)
}

/// [`play`], returning also the effects of the report that settled it.
fn play_fx(
    l: &mut Ladder,
    a: PlayerId,
    b: PlayerId,
    winner_a: bool,
    now: UnixMillis,
) -> (MatchId, UnixMillis, Effects) {
    for p in [a, b] {
        ok(l.handle(
            now,
            Actor::player(p),
            Command::JoinQueue {
                races: vec!["T".into()],
                vetoes: Some(vec![]),
            },
        ));
    }
    let mut t = now;
    let id = loop {
        t += 5 * S;
        l.tick(t);
        if let Some(id) = l.current_match(a) {
            break id;
        }
        assert!(t < now + 600 * S, "no wave paired {a} and {b}");
    };
    for p in [a, b] {
        t += S;
        ok(l.handle(t, Actor::player(p), Command::Confirm { match_id: id }));
    }
    t += 600 * S;
    let (ra, rb) = if winner_a {
        (Report::Win, Report::Loss)
    } else {
        (Report::Loss, Report::Win)
    };
    let mut fx = Effects::default();
    for (p, r) in [(a, ra), (b, rb)] {
        fx = ok(l.handle(
            t,
            Actor::player(p),
            Command::Report {
                match_id: id,
                report: r,
            },
        ));
    }
    assert_eq!(l.current_match(a), None, "match #{id} settled");
    (id, t + S, fx)
}

fn profile(
    l: &mut Ladder,
    now: UnixMillis,
    who: PlayerId,
    season: Option<u32>,
    vs: Option<PlayerId>,
) -> Result<ProfileView, LadderError> {
    let fx = l.handle(
        now,
        Actor::player(who),
        Command::Profile {
            player: None,
            season,
            vs,
        },
    );
    match fx.messages.first().map(|m| &m.body) {
        Some(Notice::Profile(p)) => Ok((**p).clone()),
        Some(Notice::Error(e)) => Err(e.clone()),
        other => panic!("{other:?}"),
    }
}

fn board(
    l: &mut Ladder,
    now: UnixMillis,
    q: LeaderboardQuery,
) -> Result<LeaderboardPage, LadderError> {
    let fx = l.handle(now, Actor::player(1), Command::Leaderboard(q));
    match fx.messages.first().map(|m| &m.body) {
        Some(Notice::Leaderboard(p)) => Ok((**p).clone()),
        Some(Notice::Error(e)) => Err(e.clone()),
        other => panic!("{other:?}"),
    }
}

// ---- item 8: profiles ----

#[test]
fn setcountry_changes_only_the_country_and_accepts_no_country() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    let before = l.player(1).cloned().unwrap();
    let fx = ok(l.handle(
        T0 + S,
        Actor::player(1),
        Command::SetCountry {
            country: "xx".into(),
        },
    ));
    let after = l.player(1).cloned().unwrap();
    assert_eq!(after.country.as_deref(), Some("XX"));
    assert_eq!(
        PlayerRow {
            country: before.country.clone(),
            updated_at: before.updated_at,
            ..after.clone()
        },
        before,
        "nothing else changed"
    );
    assert!(
        fx.writes
            .iter()
            .any(|w| matches!(w, Write::Audit(a) if a.command == "setcountry"))
    );
    // A bad code changes nothing and says which field.
    let fx = l.handle(
        T0 + 2 * S,
        Actor::player(1),
        Command::SetCountry {
            country: "ZZ".into(),
        },
    );
    assert!(fx.writes.is_empty());
    assert!(
        matches!(errors(&fx)[..], [LadderError::InvalidSetup(f)] if f[0].field == Field::Country),
        "{fx:?}"
    );
    // Without the terms accepted, nothing.
    let fx = l.handle(
        T0,
        Actor::player(5),
        Command::SetCountry {
            country: "DE".into(),
        },
    );
    assert_eq!(errors(&fx), [&LadderError::NoTos]);
    // A non-representing player can set up and queue.
    ok(l.handle(
        T0 + 3 * S,
        Actor::player(1),
        Command::JoinQueue {
            races: vec!["T".into()],
            vetoes: Some(vec![]),
        },
    ));
}

#[test]
fn the_setup_form_is_prefilled_with_the_profile() {
    let mut l = ladder();
    let fx = ok(l.handle(T0, Actor::player(4), Command::EditSetup));
    assert!(
        matches!(&fx.messages[0].body, Notice::SetupForm(f) if f.ingame_name.is_empty() && f.country.is_empty())
    );
    register(&mut l, 4, "Delta", "NA", T0);
    let fx = ok(l.handle(T0 + S, Actor::player(4), Command::EditSetup));
    assert!(fx.writes.is_empty(), "a read");
    let Notice::SetupForm(f) = &fx.messages[0].body else {
        panic!("{fx:?}")
    };
    assert_eq!(
        (
            f.ingame_name.as_str(),
            f.battletag.as_str(),
            f.country.as_str(),
            f.region.as_str()
        ),
        ("Delta", "Delta#1234", "DE", "NA")
    );
}

// ---- item 7: seasons and leaderboards ----

fn end_season(l: &mut Ladder, now: UnixMillis) {
    ok(l.handle(
        now,
        Actor {
            id: 99,
            is_owner: true,
            is_admin: true,
        },
        Command::Admin {
            reason: "new season".into(),
            op: AdminOp::EndSeason {
                next_name: "Season Two".into(),
                map_pool: vec![],
            },
        },
    ));
}

#[test]
fn past_seasons_stay_browsable_after_the_season_ends_and_a_restart() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    let (_, t) = play(&mut l, 1, 2, true, T0);
    let (_, t) = play(&mut l, 1, 2, true, t);
    let season1 = l.season().id;
    let old_rating = l.rating(1, "T").unwrap().rating;
    end_season(&mut l, t);
    let (_, t) = play(&mut l, 1, 2, false, t + S);

    // The current season: one game each.
    let now = profile(&mut l, t, 1, None, None).unwrap();
    assert_eq!((now.wins, now.losses), (0, 1));
    assert!(!now.season_ended);
    // Season 1 as it ended: two wins, the old rating, a rank.
    let past = profile(&mut l, t, 1, Some(season1), None).unwrap();
    assert_eq!((past.wins, past.losses), (2, 0));
    assert!(past.season_ended);
    assert_eq!(past.races[0].rating, old_rating);
    let board1 = board(
        &mut l,
        t,
        LeaderboardQuery {
            season: Some(season1),
            page: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(board1.season_ended);
    assert_eq!(board1.rows[0].player_id, 1, "Alpha led season 1");
    assert!(board1.rows.iter().all(|r| r.rank.is_some()));
    let board2 = board(&mut l, t, LeaderboardQuery::default()).unwrap();
    assert_eq!(board2.rows[0].player_id, 2, "Bravo leads season 2");
    // An unknown season is refused with the known ones listed.
    let e = profile(&mut l, t, 1, Some(77), None).unwrap_err();
    assert!(e.to_string().contains("Season Two"), "{e}");

    // Rebuilt from its rows, the ladder still knows season 1.
    let mut rebuilt = Ladder::from_rows(LadderConfig::default(), 7, rows_of(&l), t).0;
    assert_eq!(
        profile(&mut rebuilt, t, 1, Some(season1), None).unwrap(),
        past
    );
}

/// The rows the store would hold for `l`: what `from_rows` reads.
fn rows_of(l: &Ladder) -> Rows {
    let mut seasons: BTreeMap<u32, SeasonRow> = l.past_seasons.clone();
    seasons.insert(l.season.id, l.season.clone());
    let mut players: Vec<PlayerRow> = l.players.values().cloned().collect();
    players.sort_by_key(|p| p.discord_id);
    let mut ratings: Vec<RatingRow> = l.past_ratings.values().cloned().collect();
    ratings.extend(l.ratings.values().cloned());
    Rows {
        seasons: seasons.into_values().collect(),
        players,
        ratings,
        matches: l
            .matches
            .values()
            .map(std::borrow::Cow::into_owned)
            .collect(),
        ..Rows::default()
    }
}

#[test]
fn leaderboard_filters_by_region_and_rank() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    register(&mut l, 3, "Charlie", "NA", T0);
    register(&mut l, 4, "Delta", "NA", T0);
    let (_, t) = play(&mut l, 1, 2, true, T0);
    let (_, t) = play(&mut l, 3, 4, true, t);
    let na = board(
        &mut l,
        t,
        LeaderboardQuery {
            regions: vec!["na".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let ids: Vec<PlayerId> = na.rows.iter().map(|r| r.player_id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&3) && ids.contains(&4));
    let top = board(&mut l, t, LeaderboardQuery::default()).unwrap();
    let best_rank = top.rows[0].rank.unwrap();
    let only = board(
        &mut l,
        t,
        LeaderboardQuery {
            ranks: vec![best_rank],
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!only.rows.is_empty() && only.rows.iter().all(|r| r.rank == Some(best_rank)));
    assert!(only.total < top.total);
    let e = board(
        &mut l,
        t,
        LeaderboardQuery {
            regions: vec!["Mars".into()],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("Mars"), "{e}");
}

#[test]
fn kept_filters_page_until_they_expire_and_stay_bounded() {
    let mut l = ladder();
    let countries: Vec<String> = super::validate::COUNTRIES
        .split(' ')
        .take(80)
        .map(str::to_owned)
        .collect();
    let q = LeaderboardQuery {
        countries: countries.clone(),
        regions: vec!["EU".into()],
        keep: true,
        page: 1,
        ..Default::default()
    };
    let first = board(&mut l, T0, q.clone()).unwrap();
    let id = first.saved.expect("kept");
    assert_eq!(first.query.countries, countries);
    let resume = |page| LeaderboardQuery {
        saved: Some(id),
        page,
        ..Default::default()
    };
    // Paging within the hour keeps every filter, and each use extends it.
    let later = T0 + SAVED_QUERY_TTL_MS - S;
    let second = board(&mut l, later, resume(2)).unwrap();
    assert_eq!(
        (second.saved, &second.query.countries, &second.query.regions),
        (Some(id), &countries, &vec!["EU".to_owned()])
    );
    let still = board(&mut l, later + SAVED_QUERY_TTL_MS - S, resume(1)).unwrap();
    assert_eq!(still.saved, Some(id));
    // Unused for an hour: gone, with a sentence that says what to do.
    let e = board(&mut l, later + 3 * SAVED_QUERY_TTL_MS, resume(1)).unwrap_err();
    assert!(e.to_string().contains("run /leaderboard again"), "{e}");
    // Bounded: the store never holds more than its cap.
    for i in 0..(MAX_SAVED_QUERIES + 20) {
        board(&mut l, T0 + 10 * SAVED_QUERY_TTL_MS + i as i64, q.clone()).unwrap();
    }
    assert_eq!(l.saved_queries.len(), MAX_SAVED_QUERIES);
    // A short query is not kept.
    let short = board(&mut l, T0, LeaderboardQuery::default()).unwrap();
    assert_eq!(short.saved, None);
    // After a restart a kept button is refused, never read as other filters.
    let last = board(&mut l, T0 + 11 * SAVED_QUERY_TTL_MS, q.clone())
        .unwrap()
        .saved
        .unwrap();
    let later = T0 + 11 * SAVED_QUERY_TTL_MS + S;
    let mut rebuilt = Ladder::from_rows(LadderConfig::default(), 7, rows_of(&l), later).0;
    let fresh = board(
        &mut rebuilt,
        later,
        LeaderboardQuery {
            regions: vec!["NA".into()],
            keep: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_ne!(fresh.saved, Some(last));
    let stale = LeaderboardQuery {
        saved: Some(last),
        page: 1,
        ..Default::default()
    };
    assert!(board(&mut rebuilt, later, stale).is_err());
}

#[test]
fn head_to_head_counts_every_completed_match_between_two_players() {
    let mut l = ladder();
    register(&mut l, 1, "Alpha", "EU", T0);
    register(&mut l, 2, "Bravo", "EU", T0);
    register(&mut l, 3, "Charlie", "EU", T0);
    let (m1, t) = play(&mut l, 1, 2, true, T0);
    let (_, t) = play(&mut l, 1, 3, true, t);
    let (m3, t) = play(&mut l, 1, 2, false, t);
    let season1 = l.season().id;
    end_season(&mut l, t);
    let (m4, t) = play(&mut l, 1, 2, true, t + S);
    let h = profile(&mut l, t, 1, None, Some(2))
        .unwrap()
        .head_to_head
        .unwrap();
    assert_eq!((h.wins, h.losses, h.draws), (2, 1, 0));
    assert_eq!(h.opponent_name, "Bravo");
    assert_eq!(h.recent, vec![(m4, "win"), (m3, "loss"), (m1, "win")]);
    // From the other side, and within one season.
    let h = profile(&mut l, t, 2, Some(season1), Some(1))
        .unwrap()
        .head_to_head
        .unwrap();
    assert_eq!((h.wins, h.losses), (1, 1));
    assert!(
        profile(&mut l, t, 1, None, Some(1)).is_err(),
        "not against oneself"
    );
    assert_eq!(
        profile(&mut l, t, 1, None, Some(404)).unwrap_err(),
        LadderError::UnknownPlayer(404)
    );
}

// ---- item 4: evidence ----

fn ladder_with_policy(policy: crate::config::ResultPolicy) -> Ladder {
    let config = LadderConfig {
        result_policy: policy,
        ..LadderConfig::default()
    };
    Ladder::new(config, 7, T0).0
}

/// Alpha (1) and Bravo (2) matched and confirmed; returns the match and now.
fn started(l: &mut Ladder) -> (MatchId, UnixMillis) {
    register(l, 1, "Alpha", "EU", T0);
    register(l, 2, "Bravo", "EU", T0);
    for p in [1, 2] {
        ok(l.handle(
            T0,
            Actor::player(p),
            Command::JoinQueue {
                races: vec!["T".into()],
                vetoes: Some(vec![]),
            },
        ));
    }
    l.tick(T0 + 45 * S);
    let id = l.current_match(1).expect("paired");
    for p in [1, 2] {
        ok(l.handle(
            T0 + 46 * S,
            Actor::player(p),
            Command::Confirm { match_id: id },
        ));
    }
    (id, T0 + 600 * S)
}

fn verified_replay(match_id: MatchId, alpha_won: bool, sha: char) -> Command {
    let row = crate::store::rows::ReplayRow {
        sha256: sha.to_string().repeat(64),
        match_id: Some(match_id),
        uploader_id: 1,
        uploaded_at: T0,
        bytes: 1000,
        build: Some(95_299),
        map_name: None,
        game_started_at: None,
        game_length_s: Some(600),
        summary_json: None,
        winner_slot: None,
        verdict: crate::store::rows::ReplayVerdict::Verified,
        verdict_detail: "ok".into(),
    };
    Command::Replay(ReplayEvidence {
        row,
        players: [("Alpha", alpha_won), ("Bravo", !alpha_won)]
            .iter()
            .map(|(name, winner)| ReplayPlayer {
                name: (*name).into(),
                toon: None,
                race: "Terran".into(),
                winner: *winner,
            })
            .collect(),
    })
}

fn both_report_alpha_won(l: &mut Ladder, id: MatchId, now: UnixMillis) -> Effects {
    let mut fx = Effects::default();
    for (p, r) in [(1, Report::Win), (2, Report::Loss)] {
        fx.extend(ok(l.handle(
            now,
            Actor::player(p),
            Command::Report {
                match_id: id,
                report: r,
            },
        )));
    }
    fx
}

fn state(l: &Ladder, id: MatchId) -> MatchState {
    l.matches.get(&id).expect("known match").state
}

#[test]
fn replay_required_reports_propose_and_only_a_verified_replay_settles() {
    use crate::config::ResultPolicy;
    let mut l = ladder_with_policy(ResultPolicy::ReplayRequired);
    let (id, t) = started(&mut l);
    let fx = both_report_alpha_won(&mut l, id, t);
    assert_eq!(
        state(&l, id),
        MatchState::InProgress,
        "two reports do not settle"
    );
    assert!(l.rating(1, "T").is_none_or(|r| r.games == 0));
    assert!(
        fx.messages
            .iter()
            .any(|m| matches!(&m.body, Notice::Ack(Ack::ReportSavedUploadReplay(x)) if *x == id))
    );
    // Unsettled past the deadline: admins are told.
    let fx = l.tick(t + l.config().unreported_flag_after_ms);
    assert!(fx.messages.iter().any(|m| m.to == Audience::AdminLog
        && matches!(m.body, Notice::Flagged { match_id } if match_id == id)));
    // The verified replay decides.
    ok(l.handle(t + S, Actor::player(1), verified_replay(id, true, 'a')));
    assert_eq!(state(&l, id), MatchState::Completed);
    assert_eq!(
        l.matches.get(&id).expect("known match").result_source,
        Some(ResultSource::Replay)
    );
    assert_eq!(l.rating(1, "T").unwrap().wins, 1);
    assert_eq!(l.current_match(1), None);
}

#[test]
fn replay_required_disagreeing_reports_still_go_to_admins() {
    use crate::config::ResultPolicy;
    let mut l = ladder_with_policy(ResultPolicy::ReplayRequired);
    let (id, t) = started(&mut l);
    for p in [1, 2] {
        ok(l.handle(
            t,
            Actor::player(p),
            Command::Report {
                match_id: id,
                report: Report::Win,
            },
        ));
    }
    assert_eq!(state(&l, id), MatchState::Conflict);
}

#[test]
fn reports_policy_keeps_the_replay_as_evidence_and_lets_the_reports_settle() {
    use crate::config::ResultPolicy;
    let mut l = ladder_with_policy(ResultPolicy::Reports);
    let (id, t) = started(&mut l);
    ok(l.handle(t, Actor::player(1), verified_replay(id, true, 'b')));
    assert_eq!(
        state(&l, id),
        MatchState::InProgress,
        "a replay alone does not settle"
    );
    both_report_alpha_won(&mut l, id, t + S);
    assert_eq!(state(&l, id), MatchState::Completed);
    assert_eq!(
        l.matches.get(&id).expect("known match").result_source,
        Some(ResultSource::Reports)
    );
    // A replay contradicting agreed reports sends the match to admins.
    let mut l = ladder_with_policy(ResultPolicy::Reports);
    let (id, t) = started(&mut l);
    both_report_alpha_won(&mut l, id, t);
    assert_eq!(state(&l, id), MatchState::Completed);
    ok(l.handle(t + S, Actor::player(2), verified_replay(id, false, 'c')));
    assert_eq!(state(&l, id), MatchState::Conflict);
}

#[test]
fn either_policy_settles_on_whichever_comes_first() {
    use crate::config::ResultPolicy;
    assert_eq!(LadderConfig::default().result_policy, ResultPolicy::Either);
    let mut l = ladder_with_policy(ResultPolicy::Either);
    let (id, t) = started(&mut l);
    ok(l.handle(t, Actor::player(1), verified_replay(id, true, 'd')));
    assert_eq!(
        l.matches.get(&id).expect("known match").result_source,
        Some(ResultSource::Replay)
    );
    let mut l = ladder_with_policy(ResultPolicy::Either);
    let (id, t) = started(&mut l);
    both_report_alpha_won(&mut l, id, t);
    assert_eq!(
        l.matches.get(&id).expect("known match").result_source,
        Some(ResultSource::Reports)
    );
}

#[test]
fn admin_replay_names_the_matchs_verified_file_for_the_admin_log() {
    let mut l = ladder();
    let (id, t) = started(&mut l);
    let admin = Actor {
        id: 99,
        is_owner: false,
        is_admin: true,
    };
    let ask = |l: &mut Ladder, match_id| {
        l.handle(
            t,
            admin,
            Command::Admin {
                reason: String::new(),
                op: AdminOp::ReplayFile(match_id),
            },
        )
    };
    let fx = ask(&mut l, id);
    assert!(
        matches!(
            errors(&fx)[..],
            [LadderError::Invalid(Invalid::NoReplay(_))]
        ),
        "{fx:?}"
    );
    assert!(matches!(
        errors(&ask(&mut l, 404))[..],
        [LadderError::UnknownMatch(404)]
    ));
    ok(l.handle(t, Actor::player(1), verified_replay(id, true, 'e')));
    let fx = ok(ask(&mut l, id));
    let sha = "e".repeat(64);
    assert!(fx.messages.iter().any(|m| m.to == Audience::AdminLog
        && m.body
            == Notice::ReplayFile {
                match_id: id,
                sha256: sha.clone()
            }));
    // A player may not ask.
    let fx = l.handle(
        t,
        Actor::player(2),
        Command::Admin {
            reason: String::new(),
            op: AdminOp::ReplayFile(id),
        },
    );
    assert_eq!(errors(&fx), [&LadderError::NotAdmin]);
    // After a restart the ladder still knows the file of the match.
    let mut rows = rows_of(&l);
    rows.replays.push(crate::store::rows::ReplayRow {
        sha256: sha.clone(),
        match_id: Some(id),
        uploader_id: 1,
        uploaded_at: t,
        bytes: 1000,
        build: None,
        map_name: None,
        game_started_at: None,
        game_length_s: None,
        summary_json: None,
        winner_slot: Some(1),
        verdict: crate::store::rows::ReplayVerdict::Verified,
        verdict_detail: "ok".into(),
    });
    let mut rebuilt = Ladder::from_rows(LadderConfig::default(), 7, rows, t).0;
    let fx = ok(ask(&mut rebuilt, id));
    assert!(fx.messages.iter().any(|m| m.body
        == Notice::ReplayFile {
            match_id: id,
            sha256: sha.clone()
        }));
}

// ---- item 6: recognition ----

fn rank_changes(fx: &Effects) -> Vec<(PlayerId, Option<Rank>, Option<Rank>)> {
    fx.messages
        .iter()
        .filter_map(|m| match m.body {
            Notice::RankChanged { player, from, to } => Some((player, from, to)),
            _ => None,
        })
        .collect()
}

#[test]
fn rank_changes_are_told_after_rating_changes_only_and_a_restart_tells_nothing() {
    let mut l = ladder();
    let (id, t) = started(&mut l);
    let fx = both_report_alpha_won(&mut l, id, t);
    let told = rank_changes(&fx);
    let ranks = l.best_ranks(t);
    assert_eq!(told.len(), 2, "{fx:?}");
    for (player, from, to) in &told {
        assert_eq!(*from, None, "first rank of {player}");
        assert_eq!(*to, ranks.get(player).copied());
    }
    assert!(ranks[&1] <= ranks[&2], "the winner ranks at least as high");
    // A read changes no rating: nothing told.
    let fx = ok(l.handle(
        t,
        Actor::player(2),
        Command::Profile {
            player: None,
            season: None,
            vs: None,
        },
    ));
    assert!(rank_changes(&fx).is_empty());
    // Rebuilt from its rows, the ladder takes the stored ranks as told.
    let mut rebuilt = Ladder::from_rows(LadderConfig::default(), 7, rows_of(&l), t).0;
    assert_eq!(rebuilt.shown_ranks, l.shown_ranks);
    let fx = rebuilt.tick(t + S);
    assert!(rank_changes(&fx).is_empty());
    // An admin's rating change moves ranks again: only what differs is told.
    let fx = ok(rebuilt.handle(
        t + 2 * S,
        Actor {
            id: 99,
            is_owner: false,
            is_admin: true,
        },
        Command::Admin {
            reason: "test".into(),
            op: AdminOp::AdjustRating {
                player: 2,
                race: "T".into(),
                adjustment: RatingAdjustment::Add(500.0),
            },
        },
    ));
    let told = rank_changes(&fx);
    let after = rebuilt.best_ranks(t + 2 * S);
    assert!(after[&2] <= after[&1], "{after:?}");
    for (player, from, to) in &told {
        assert_ne!(from, to);
        assert_eq!(*to, after.get(player).copied());
    }
    if ranks != after {
        assert!(!told.is_empty());
    }
}

// ---- the kept rank table (issue #18) ----

/// The current season's rank table is kept between reads; after each kind
/// of change it must equal one computed from scratch, and while nothing
/// changes it must be the kept one (else this test checks nothing).
#[test]
fn the_kept_rank_table_equals_a_fresh_one_after_every_kind_of_change() {
    const DAY: i64 = 86_400 * S;
    let admin = Actor {
        id: 99,
        is_owner: true,
        is_admin: true,
    };
    let mut l = ladder();
    for (id, name) in [(1, "Alpha"), (2, "Bravo"), (3, "Charlie"), (4, "Delta")] {
        register(&mut l, id, name, "EU", T0);
    }
    // Checks the table at `now` against a fresh one, then that an
    // unchanged ladder reuses it, and returns it.
    let check = |l: &Ladder, now: UnixMillis, after: &str| {
        let kept = l.rank_table(now);
        assert_eq!(*kept, l.rank_table_fresh(now), "after {after}");
        assert!(
            std::sync::Arc::ptr_eq(&kept, &l.rank_table(now)),
            "after {after}: an unchanged ladder computed its ranks again"
        );
        kept
    };
    let empty = check(&l, T0, "sign-up");
    assert!(empty.order.is_empty());

    // A settlement (ratings inserted by `settle`).
    let (_, t) = play(&mut l, 1, 2, true, T0);
    let first = check(&l, t, "a settlement");
    assert_eq!(first.ranks.len(), 2);
    let (_, t) = play(&mut l, 3, 4, false, t + 5 * DAY);
    assert_eq!(check(&l, t, "a second settlement").ranks.len(), 4);

    // Time: ten days on, 1 and 2 (who played five days earlier than 3 and
    // 4) fall out of the active set; reading at an earlier `now` again
    // brings them back.
    let later = t + 10 * DAY;
    let kept = check(&l, later, "time passing");
    assert_eq!(kept.ranks.len(), 2, "{kept:?}");
    assert_eq!(
        kept.order.len(),
        4,
        "inactive entries stay listed, unranked"
    );
    assert_eq!(check(&l, t, "time running backwards").ranks.len(), 4);
    assert_eq!(
        check(&l, later + 30 * DAY, "everyone inactive").ranks.len(),
        0
    );

    // An admin's adjustment.
    ok(l.handle(
        t + S,
        admin,
        Command::Admin {
            reason: "test".into(),
            op: AdminOp::AdjustRating {
                player: 4,
                race: "T".into(),
                adjustment: RatingAdjustment::Add(900.0),
            },
        },
    ));
    let kept = check(&l, t + S, "an adjustment");
    assert_eq!(kept.order[0].player_id, 4, "{kept:?}");

    // A ban takes the player out, an unban puts them back.
    for (name, op, listed) in [
        ("a ban", AdminOp::Ban(4), 3),
        ("an unban", AdminOp::Unban(4), 4),
    ] {
        ok(l.handle(
            t + 2 * S,
            admin,
            Command::Admin {
                reason: "test".into(),
                op,
            },
        ));
        assert_eq!(check(&l, t + 2 * S, name).order.len(), listed);
    }

    // A reload of rank_shares or inactive_after_days.
    let mut config = l.config().clone();
    config.rating.rank_shares = [50.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    l.reconfigure(t + 3 * S, config.clone()).expect("live key");
    let kept = check(&l, t + 3 * S, "a reload of rank_shares");
    assert!(kept.ranks.values().all(|r| *r <= Rank::A), "{kept:?}");
    config.rating.inactive_after_ms = 2 * DAY;
    l.reconfigure(t + 3 * S, config).expect("live key");
    let kept = check(&l, t + 3 * DAY, "a reload of inactive_after_days");
    assert_eq!(kept.ranks.len(), 0, "{kept:?}");

    // A new season resets every rating's games: nobody is ranked.
    end_season(&mut l, t + 4 * S);
    let kept = check(&l, t + 4 * S, "a new season");
    assert!(kept.order.is_empty(), "{kept:?}");
    let (_, t) = play(&mut l, 1, 3, true, t + 5 * S);
    assert_eq!(
        check(&l, t, "the new season's first settlement")
            .ranks
            .len(),
        2
    );

    // A restart: the rebuilt ladder ranks the same.
    let rebuilt = Ladder::from_rows(l.config().clone(), 7, rows_of(&l), t).0;
    assert_eq!(*check(&rebuilt, t, "a restart"), *l.rank_table(t));
}

/// Each player's best rank in a table computed from scratch.
fn best_from_scratch(l: &Ladder, now: UnixMillis) -> BTreeMap<PlayerId, Rank> {
    let mut best: BTreeMap<PlayerId, Rank> = BTreeMap::new();
    for (&(player, _), &rank) in &l.rank_table_fresh(now).ranks {
        let r = best.entry(player).or_insert(rank);
        *r = (*r).min(rank);
    }
    best
}

/// What changed between two best-rank maps, as `RankChanged` tells it.
fn diff(
    before: &BTreeMap<PlayerId, Rank>,
    after: &BTreeMap<PlayerId, Rank>,
) -> Vec<(PlayerId, Option<Rank>, Option<Rank>)> {
    let players: std::collections::BTreeSet<PlayerId> =
        before.keys().chain(after.keys()).copied().collect();
    players
        .into_iter()
        .map(|p| (p, before.get(&p).copied(), after.get(&p).copied()))
        .filter(|(_, from, to)| from != to)
        .collect()
}

/// Settlements and adjustments move ratings across rank boundaries and
/// bring new players into the ranking, and time takes players out of it and
/// (set back) in again: the kept table is brought up to date in place
/// (never rebuilt), and exactly the best ranks that differ from a table
/// computed from scratch are told. Debug builds also compare the
/// whole table with a fresh one on every read.
#[test]
fn rating_changes_update_the_kept_rank_table_in_place_and_tell_exactly_what_changed() {
    const PLAYERS: u64 = 16;
    let admin = Actor {
        id: 99,
        is_owner: true,
        is_admin: true,
    };
    let mut l = ladder();
    for id in 1..=PLAYERS {
        let name: String = ["Al", "Bo", "Cy", "Di"][(id % 4) as usize].to_owned()
            + ["pha", "ris", "ton", "vek"][(id / 4 % 4) as usize];
        register(&mut l, id, &name, "EU", T0);
    }
    let mut t = T0;
    let mut settled = Vec::new();
    // Pairs that a wave matches at once: neighbours in id, two at a time,
    // while everyone is near the starting rating.
    for a in (1..=PLAYERS).step_by(2) {
        let before = best_from_scratch(&l, t);
        let (_, next, fx) = play_fx(&mut l, a, a + 1, a % 3 == 0, t);
        settled.push(next);
        assert_eq!(
            rank_changes(&fx),
            diff(&before, &best_from_scratch(&l, t + 600 * S + 2 * S))
        );
        t = next;
    }
    let rebuilds = l.ratings.rebuilds();
    // What was told so far: the ranks at the last settlement.
    let mut shown = best_from_scratch(&l, settled[7] - S);
    let mut told = 0;
    let mut lapsed = 0;
    // Then admins move ratings up and down, a deterministic walk; halfway,
    // two weeks pass for the first four pairs (their last games fall out
    // of `inactive_after_days`), and later the clock is set back.
    let two_weeks = l.config().rating.inactive_after_ms;
    let mut x: u64 = 2026;
    for round in 0..80 {
        match round {
            40 => t = settled[3] + two_weeks + 60 * S,
            60 => t = settled[7],
            _ => {}
        }
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let player = 1 + (x >> 33) % PLAYERS;
        let by = ((x >> 40) % 601) as f64 - 300.0;
        let fx = ok(l.handle(
            t,
            admin,
            Command::Admin {
                reason: "test".into(),
                op: AdminOp::AdjustRating {
                    player,
                    race: "T".into(),
                    adjustment: RatingAdjustment::Add(by),
                },
            },
        ));
        let now_ranks = best_from_scratch(&l, t);
        let expected = diff(&shown, &now_ranks);
        shown = now_ranks;
        assert_eq!(
            rank_changes(&fx),
            expected,
            "round {round}: {player} by {by}"
        );
        told += expected.len();
        lapsed += expected.iter().filter(|(_, _, to)| to.is_none()).count();
        t += S;
    }
    assert_eq!(
        l.ratings.rebuilds(),
        rebuilds,
        "a rating change rebuilt the table"
    );
    assert!(
        told > 20,
        "the walk moved few ranks ({told}): it tests little"
    );
    assert!(
        lapsed >= 8,
        "only {lapsed} players lapsed: the time jump tests little"
    );
}
