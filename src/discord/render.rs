//! Rendering: the core's plain-data messages as Discord messages — text
//! within Discord's limits, and the buttons and selects that carry the flow
//! forward (Confirm/Abort on a match card, report buttons once it started,
//! Join/Leave and race/veto selects under the queue view, page buttons under
//! the leaderboard). Pure; `custom_id`s come from [`super::ids`].
//!
//! Words come from the reader's locale ([`RenderContext::locale`], see
//! [`crate::l10n`]): the core hands over data (`Notice::Note`, `EndReason`,
//! `Invalid`, `FieldProblem`), never sentences. Still English, by choice:
//! what only admins read — `Notice::Info` (the admin log, answers to
//! `/admin`), the admin views (snapshot, player and match detail, the
//! /admin confirm summary) and rank changes (logged, never shown); admins
//! are not players. Also English: the outbox rows an older ladderd stored
//! (`Notice::Info`, `EndReason::Legacy`, results without names: shown as
//! stored), the replay verifier's reasons inside `note-replay-rejected` and
//! a failed download's or parse's own detail, and the router's refusals of
//! input Discord's client does not send. Race, map, season and region names
//! and lobby settings are the configuration's own words.

use std::fmt::Write as _;

use twilight_model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Component, Label, SelectMenu, SelectMenuOption, SelectMenuType,
    TextInput, TextInputStyle,
};

use super::ids::ComponentId;
use crate::l10n::{Arg, Locale, format_number};
use crate::l10n_args;
use crate::ladder::{
    Ack, AdminOp, Command, EndReason, Field, FieldError, FieldProblem, Invalid, LadderError,
    LeaderboardQuery, MatchCard, MatchId, Note, Notice, RatingAdjustment, Resolution, SetupForm,
};
use crate::store::rows::{MatchResult, Report};

/// Discord's limit on message content.
pub const MAX_CONTENT: usize = 2000;
/// Discord's limits on components.
const MAX_ROWS: usize = 5;
const MAX_SELECT_OPTIONS: usize = 25;

/// A message ready for Discord.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    pub content: String,
    pub components: Vec<Component>,
    /// Only the user who asked sees it (errors, personal views).
    pub ephemeral: bool,
    /// Files to attach, as (file name, bytes): `/admin replay`'s replay.
    pub files: Vec<(String, Vec<u8>)>,
}

/// What rendering needs besides the notice.
#[derive(Debug, Clone, Default)]
pub struct RenderContext<'a> {
    /// Race ids and names, for the queue's race select.
    pub races: &'a [(String, String)],
    /// This season's map names, for the veto select.
    pub maps: &'a [String],
    /// The reader's language.
    pub locale: Locale,
}

pub fn render(notice: &Notice, ctx: &RenderContext<'_>) -> Rendered {
    let l = ctx.locale;
    let t = |id: &str, args: &[(&str, Arg)]| l.text(id, args);
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut out = Rendered::default();
    match notice {
        Notice::Error(e) => {
            out.content = format!("❌ {}", error_text(e, l));
            out.ephemeral = true;
        }
        // Free text the core phrased itself (English; see the module doc).
        Notice::Info(text) => out.content = text.clone(),
        Notice::Note(note) => out.content = note_text(note, l),
        Notice::Ack(ack) => out.content = ack_text(ack, l),
        Notice::MatchFound(card) => {
            out.content = card_text(&t("card-found-title", &[]), card, l);
            out.content.push('\n');
            out.content.push_str(&t(
                "card-confirm-by",
                // A timestamp, not a quantity: never grouped.
                l10n_args!["when" => (card.confirm_by / 1000).to_string()],
            ));
            out.components = vec![confirm_abort(card.match_id, l)];
        }
        Notice::StillSearching {
            answer_by,
            searching_minutes,
        } => {
            out.content = t(
                "still-searching",
                l10n_args![
                    "minutes" => *searching_minutes,
                    "deadline" => format!("<t:{}:R>", answer_by / 1000)
                ],
            );
            out.components = vec![row(vec![
                button(
                    ComponentId::StayInQueue,
                    &t("button-keep-searching", &[]),
                    ButtonStyle::Success,
                ),
                button(
                    ComponentId::LeaveQueue,
                    &t("button-leave", &[]),
                    ButtonStyle::Secondary,
                ),
            ])];
        }
        Notice::QueueExpired => {
            out.content = t("queue-expired", &[]);
            out.components = vec![row(vec![button(
                ComponentId::JoinQueue,
                &t("button-join", &[]),
                ButtonStyle::Success,
            )])];
        }
        Notice::SomeoneSearching {
            races,
            rating,
            searching,
        } => {
            out.content = t(
                "someone-searching",
                l10n_args![
                    "races" => races.join(" + "),
                    "rating" => *rating,
                    "searching" => *searching as i64
                ],
            );
            out.components = vec![row(vec![button(
                ComponentId::JoinQueue,
                &t("button-join", &[]),
                ButtonStyle::Success,
            )])];
        }
        Notice::ConfirmReminder {
            match_id,
            seconds_left,
        } => {
            out.content = t(
                "confirm-reminder",
                l10n_args!["match" => match_id.to_string(), "seconds" => *seconds_left],
            );
            out.components = vec![confirm_abort(*match_id, l)];
        }
        Notice::MatchStarted(card) => {
            out.content = card_text(&t("card-started-title", &[]), card, l);
            out.content.push('\n');
            out.content.push_str(&t("card-report-prompt", &[]));
            out.components = vec![row(vec![
                button(
                    ComponentId::Report(card.match_id, Report::Win),
                    &t("button-won", &[]),
                    ButtonStyle::Success,
                ),
                button(
                    ComponentId::Report(card.match_id, Report::Loss),
                    &t("button-lost", &[]),
                    ButtonStyle::Danger,
                ),
                button(
                    ComponentId::Report(card.match_id, Report::Draw),
                    &t("button-draw", &[]),
                    ButtonStyle::Secondary,
                ),
            ])];
        }
        Notice::MatchEnded {
            match_id,
            state,
            result,
            rating_changes,
            names,
            why,
        } => {
            let result = match (result, names) {
                (Some(MatchResult::Player1), Some((a, b))) => {
                    t("result-won", l10n_args!["winner" => a, "loser" => b])
                }
                (Some(MatchResult::Player2), Some((a, b))) => {
                    t("result-won", l10n_args!["winner" => b, "loser" => a])
                }
                // An older row has no names: "player 1 won".
                (Some(r), _) => result_text(*r, l),
                (None, _) => state_text(state.as_str(), l),
            };
            out.content = t(
                "match-ended",
                l10n_args!["match" => match_id.to_string(), "result" => result],
            );
            if let Some((a, b)) = rating_changes {
                out.content.push(' ');
                out.content.push_str(&t(
                    "match-ended-rating",
                    l10n_args!["a" => signed(*a, l), "b" => signed(*b, l)],
                ));
            }
            let why = end_reason_text(why, l);
            if !why.is_empty() {
                let _ = write!(out.content, " {why}");
            }
        }
        Notice::Conflict {
            match_id,
            reports,
            replay_result,
        } => {
            let r = |r: &Option<Report>| match r {
                Some(r) => report_text(r.as_str(), l),
                None => t("report-none", &[]),
            };
            out.content = t(
                "conflict",
                l10n_args![
                    "match" => match_id.to_string(),
                    "first" => r(&reports.0),
                    "second" => r(&reports.1),
                ],
            );
            if let Some(res) = replay_result {
                out.content.push(' ');
                out.content.push_str(&t(
                    "conflict-replay",
                    l10n_args!["result" => result_text(*res, l)],
                ));
            }
        }
        Notice::Flagged { match_id } => {
            out.content = t("flagged", l10n_args!["match" => match_id.to_string()]);
        }
        Notice::RankChanged { player, from, to } => {
            // Applied as roles, never posted; in words for logs (English).
            let letter = |r: &Option<crate::ladder::Rank>| r.map_or("unranked", |r| r.letter());
            out.content = format!("<@{player}>: rank {} → {}", letter(from), letter(to));
        }
        Notice::ReplayFile { match_id, sha256 } => {
            out.content = t(
                "replay-file",
                l10n_args!["match" => match_id.to_string(), "sha" => sha256],
            );
        }
        Notice::Wave {
            matches,
            still_queueing,
            status,
        } => {
            out.content = lobby_status(*matches, *still_queueing, status, l);
            out.components = queue_components(ctx);
        }
        Notice::Queue(q) => {
            out.content = t(
                "queue-view",
                l10n_args![
                    "queueing" => q.queueing,
                    "seconds" => q.seconds_to_next_wave,
                    "in_progress" => q.matches_in_progress,
                    "active" => q.active_last_15_min,
                ],
            );
            out.content.push('\n');
            for (race, n) in &q.per_race {
                let _ = writeln!(out.content, "• {race}: {}", format_number(*n as f64, l));
            }
            let regions = counts(&q.per_region, l);
            if !regions.is_empty() {
                out.content
                    .push_str(&t("queue-by-region", l10n_args!["regions" => regions]));
                out.content.push('\n');
            }
            out.components = queue_components(ctx);
            out.ephemeral = true;
        }
        Notice::Profile(p) => {
            let not_set_up = t("profile-not-set-up", &[]);
            let name = p.ingame_name.as_deref().unwrap_or(&not_set_up);
            out.content = t(
                "profile-head",
                l10n_args![
                    "name" => name,
                    "battletag" => p.battletag.as_deref().unwrap_or(""),
                    "country" => country_text(p.country.as_deref(), l),
                    "season" => &p.season,
                    "ended" => yes(p.season_ended),
                    "wins" => p.wins,
                    "losses" => p.losses,
                    "draws" => p.draws,
                    "games14" => p.games_last[0],
                    "games30" => p.games_last[1],
                    "games90" => p.games_last[2],
                    "aborts" => p.aborts_left,
                    "banned" => yes(p.banned),
                ],
            );
            out.content.push('\n');
            for r in &p.races {
                let rank = r.rank.map_or(String::new(), |k| {
                    t("profile-rank", l10n_args!["rank" => format!("{k:?}")])
                });
                out.content.push_str(&t(
                    "profile-race",
                    l10n_args![
                        "race" => &r.race,
                        "rating" => r.rating.round(),
                        "low" => r.interval.0.round(),
                        "high" => r.interval.1.round(),
                        "provisional" => yes(r.provisional),
                        "rank" => rank,
                        "wins" => r.wins,
                        "losses" => r.losses,
                        "draws" => r.draws,
                    ],
                ));
                out.content.push('\n');
            }
            if let Some(h) = &p.head_to_head {
                let opponent = if h.opponent_name.is_empty() {
                    not_set_up.clone()
                } else {
                    h.opponent_name.clone()
                };
                out.content.push_str(&t(
                    "profile-head-to-head",
                    l10n_args![
                        "opponent" => opponent,
                        "wins" => h.wins,
                        "losses" => h.losses,
                        "draws" => h.draws,
                    ],
                ));
                if !h.recent.is_empty() {
                    let recent: Vec<String> = h
                        .recent
                        .iter()
                        .map(|(m, o)| format!("#{m} {}", report_text(o, l)))
                        .collect();
                    out.content.push_str(&t(
                        "profile-head-to-head-latest",
                        l10n_args!["recent" => recent.join(", ")],
                    ));
                }
                out.content.push('\n');
            }
            // The rating history as a picture, redrawn only when it changed.
            if !p.rating_history.is_empty() {
                let chart = crate::web::chart::RatingChart {
                    points: p.rating_history.clone(),
                    seasons: p.seasons.clone(),
                    locale: l,
                };
                match crate::web::chart::shared().rating_png(&chart) {
                    Ok(png) => out.files.push(("rating.png".to_owned(), png.to_vec())),
                    Err(e) => tracing::warn!(error = %e, "could not draw the rating chart"),
                }
            }
        }
        Notice::Stats(a) => {
            let total: u32 = a.per_day.iter().map(|d| d.1).sum();
            let week: u32 = a.per_day.iter().rev().take(7).map(|d| d.1).sum();
            let busiest = (0..168).max_by_key(|h| (a.by_hour_of_week[*h], std::cmp::Reverse(*h)));
            let _ = write!(
                out.content,
                "**Activity** — games completed: {week} in the last 7 days, {total} in the last {} days",
                a.per_day.len()
            );
            if let Some(h) = busiest.filter(|h| a.by_hour_of_week[*h] > 0) {
                // The line around it is English still: so is its weekday.
                let day = Locale::ENGLISH.text(crate::web::chart::WEEKDAYS[h / 24], &[]);
                let _ = write!(out.content, "; busiest hour: {day} {:02}:00 UTC", h % 24);
            }
            out.content.push('\n');
            let chart = crate::web::chart::ActivityChart {
                activity: (**a).clone(),
                locale: l,
            };
            match crate::web::chart::shared().activity_png(&chart) {
                Ok(png) => out.files.push(("activity.png".to_owned(), png.to_vec())),
                Err(e) => tracing::warn!(error = %e, "could not draw the activity chart"),
            }
        }
        Notice::SetupForm(_) => {
            // Shown as the /setup modal, never as a message.
            out.content = t("setup-hint", &[]);
            out.ephemeral = true;
        }
        Notice::Leaderboard(page) => {
            out.content = t(
                "leaderboard-head",
                l10n_args![
                    "season" => &page.season,
                    "ended" => yes(page.season_ended),
                    "page" => page.page,
                    "pages" => page.pages.max(1),
                    "total" => page.total,
                    "filters" => filters_text(&page.query, l),
                ],
            );
            out.content.push('\n');
            for r in &page.rows {
                let _ = writeln!(
                    out.content,
                    "{}. {} {} {} {}{} {}-{}-{}",
                    r.position,
                    r.ingame_name,
                    r.country,
                    r.race,
                    format_number(r.rating.round(), l),
                    r.rank.map_or(String::new(), |k| format!(" [{k:?}]")),
                    r.wins,
                    r.losses,
                    r.draws
                );
            }
            let mut buttons = Vec::new();
            for (label, target) in [
                (t("button-previous", &[]), page.page.saturating_sub(1)),
                (t("button-next", &[]), page.page + 1),
            ] {
                if target >= 1 && target <= page.pages {
                    // Kept filters travel by id; others inline. The router
                    // asks the ladder to keep any that would not fit, so a
                    // button is only missing if that promise broke.
                    let id = match page.saved {
                        Some(id) => ComponentId::LeaderboardSaved { id, page: target },
                        None => super::router::leaderboard_button(&page.query, target),
                    };
                    if id.encode().is_some() {
                        buttons.push(button(id, &label, ButtonStyle::Secondary));
                    }
                }
            }
            if !buttons.is_empty() {
                out.components = vec![row(buttons)];
            }
        }
        Notice::History(h) => {
            out.content = t(
                "history-head",
                l10n_args!["page" => h.page, "pages" => h.pages.max(1)],
            );
            out.content.push('\n');
            for e in &h.entries {
                let outcome = match e.outcome {
                    Some(o) => report_text(o, l),
                    None => state_text(e.state.as_str(), l),
                };
                out.content.push_str(&t(
                    "history-row",
                    l10n_args![
                        "match" => e.match_id.to_string(),
                        "race" => &e.race,
                        "outcome" => outcome,
                        "opponent" => &e.opponent_name,
                        "opponent_race" => &e.opponent_race,
                        "map" => &e.map,
                        "state" => state_text(e.state.as_str(), l),
                        "change" => e.rating_change.map_or(String::new(), |c| format!(", {}", signed(c, l))),
                    ],
                ));
                out.content.push('\n');
            }
            out.ephemeral = true;
        }
        // Admin views: for the admins, in English (see the module doc).
        Notice::Snapshot(s) => {
            out.content = format!(
                "**{}** — {} players, {} queueing, {} found, {} in progress; conflicts: {:?}; flagged: {:?}",
                s.season, s.players, s.queueing, s.found, s.in_progress, s.conflicts, s.flagged
            );
            out.ephemeral = true;
        }
        Notice::PlayerDetail(p, ratings) => {
            out.content = format!(
                "Player {} ({}): state {}, banned {}, admin {}, aborts left {}; \
                 lifetime: {} abort(s), {} lapse(s); {} strike(s) in the last day; {} rating row(s)",
                p.discord_id,
                p.ingame_name.as_deref().unwrap_or("-"),
                p.state.as_str(),
                p.banned,
                p.is_admin,
                p.aborts_left,
                p.aborts_total,
                p.lapses_total,
                p.strikes.len(),
                ratings.len()
            );
            out.ephemeral = true;
        }
        Notice::MatchDetail(m) => {
            out.content = format!(
                "Match #{}: {} ({}) vs {} ({}), {} on {}, state {}, reports {:?}/{:?}, result {:?}",
                m.id,
                m.player1_id,
                m.race1,
                m.player2_id,
                m.race2,
                m.map,
                m.server,
                m.state.as_str(),
                m.report1,
                m.report2,
                m.result
            );
            out.ephemeral = true;
        }
    }
    out.content = truncate(&out.content, MAX_CONTENT);
    out.components.truncate(MAX_ROWS);
    out
}

/// An acknowledgement in words, in `l`.
fn ack_text(ack: &Ack, l: Locale) -> String {
    match ack {
        Ack::TermsAccepted => l.text("ack-terms-accepted", &[]),
        Ack::TermsAlreadyAccepted => l.text("ack-terms-already-accepted", &[]),
        Ack::ProfileSaved => l.text("ack-profile-saved", &[]),
        Ack::CountrySaved(None) => l.text("ack-country-none", &[]),
        Ack::CountrySaved(Some(c)) => l.text("ack-country-saved", l10n_args!["country" => c]),
        Ack::Queued { races, next_wave_s } => l.text(
            "ack-queued",
            l10n_args!["races" => races.join(" + "), "seconds" => *next_wave_s],
        ),
        Ack::LeftQueue => l.text("ack-left-queue", &[]),
        Ack::ConfirmedWaiting => l.text("ack-confirmed", &[]),
        Ack::AlreadyConfirmed => l.text("ack-already-confirmed", &[]),
        Ack::BothConfirmed => l.text("ack-both-confirmed", &[]),
        Ack::ReportSaved => l.text("ack-report-saved", &[]),
        Ack::ReportSavedWaiting => l.text("ack-report-saved-waiting", &[]),
        Ack::ReportSavedUploadReplay(m) => l.text(
            "ack-report-saved-upload",
            l10n_args!["match" => m.to_string()],
        ),
        Ack::ReplayAlreadySettled => l.text("ack-replay-settled", &[]),
    }
}

/// A note in words, in `l`.
fn note_text(note: &Note, l: Locale) -> String {
    let m = |id: &MatchId| id.to_string();
    match note {
        Note::Lapsed {
            match_id,
            aborts_left,
            cooldown_ms,
        } => l.text(
            "note-lapsed",
            l10n_args![
                "match" => m(match_id),
                "left" => *aborts_left,
                "wait" => duration_text(*cooldown_ms, l)
            ],
        ),
        Note::LapsedForgiven { match_id } => {
            l.text("note-lapsed-forgiven", l10n_args!["match" => m(match_id)])
        }
        Note::OpponentLapsed { match_id } => {
            l.text("note-opponent-lapsed", l10n_args!["match" => m(match_id)])
        }
        Note::QueueEmptiedByRestart => l.text("note-restart-emptied-queue", &[]),
        Note::StayingInQueue => l.text("note-staying-in-queue", &[]),
        Note::RemovedFromQueue { reason } => {
            l.text("note-removed-from-queue", l10n_args!["reason" => reason])
        }
        Note::QueueCleared { reason } => {
            l.text("note-queue-cleared", l10n_args!["reason" => reason])
        }
        Note::Banned { reason } => l.text("note-banned", l10n_args!["reason" => reason]),
        Note::Unbanned => l.text("note-unbanned", &[]),
        Note::MapPoolChanged { added, removed } => {
            // Up to 25 configured names of 100 characters each: each list
            // is cut so the message stays whole.
            let names = |v: &[String]| {
                if v.is_empty() {
                    l.text("note-no-maps", &[])
                } else {
                    truncate(&v.join(", "), 800)
                }
            };
            l.text(
                "note-map-pool-changed",
                l10n_args!["added" => names(added), "removed" => names(removed)],
            )
        }
        Note::SeasonStarted {
            ended,
            started,
            maps,
        } => l.text(
            "note-season-started",
            l10n_args!["ended" => ended, "started" => started, "maps" => *maps as i64],
        ),
        Note::Notifications { enabled: false, .. } => l.text("note-notifications-off", &[]),
        Note::Notifications {
            enabled: true,
            min_gap_minutes,
            quiet,
            time_zone,
            near_rating,
        } => {
            let mut s = l.text(
                "note-notifications-on",
                l10n_args!["minutes" => *min_gap_minutes],
            );
            if let Some((from, to)) = quiet {
                // Clock times, not quantities: never grouped.
                let hm = |t: &u16| format!("{:02}:{:02}", t / 60, t % 60);
                s.push_str(&l.text(
                    "note-notifications-quiet",
                    l10n_args![
                        "from" => hm(from),
                        "to" => hm(to),
                        "zone" => time_zone.as_deref().unwrap_or("UTC")
                    ],
                ));
            }
            if let Some(near) = near_rating {
                s.push_str(&l.text("note-notifications-near", l10n_args!["points" => *near]));
            }
            s
        }
        Note::ReplayUnattached => l.text("note-replay-unattached", &[]),
        Note::ReplayRejected { detail } => l.text(
            "note-replay-rejected",
            l10n_args!["detail" => truncate(detail, 500)],
        ),
        Note::ReplayAfterAdmin => l.text("note-replay-after-admin", &[]),
        Note::ReplayAgrees => l.text("note-replay-agrees", &[]),
        Note::ReplayKept { match_id } => {
            l.text("note-replay-kept", l10n_args!["match" => m(match_id)])
        }
        Note::ReplayStored { match_id, state } => l.text(
            "note-replay-stored",
            l10n_args!["match" => m(match_id), "state" => state_text(state, l)],
        ),
    }
}

/// Why a match ended, in words (empty: nothing to add).
fn end_reason_text(why: &EndReason, l: Locale) -> String {
    match why {
        EndReason::Agreed => l.text("ended-agreed", &[]),
        EndReason::Replay => l.text("ended-replay", &[]),
        EndReason::Admin => l.text("ended-admin", &[]),
        EndReason::AbortedBy {
            name,
            aborts_left,
            cooldown_ms,
        } => l.text(
            "ended-aborted-by",
            l10n_args![
                "name" => name,
                "left" => *aborts_left,
                "wait" => duration_text(*cooldown_ms, l)
            ],
        ),
        EndReason::AdminReset { reason } => {
            l.text("ended-admin-reset", l10n_args!["reason" => reason])
        }
        EndReason::Legacy { text } => text.clone(),
    }
}

/// A wait in whole minutes, rounded up ("5 min", "1 h 30 min").
fn duration_text(ms: i64, l: Locale) -> String {
    let minutes = (ms.max(0) + 59_999) / 60_000;
    l.text(
        "duration",
        l10n_args!["hours" => minutes / 60, "minutes" => minutes % 60],
    )
}

/// Why an upload gave no evidence, in `l` (without the ❌). A download or
/// parse failure's own detail stays as the library words it (English).
pub fn upload_error_text(e: &super::upload::UploadError, l: Locale) -> String {
    use super::upload::UploadError as U;
    match e {
        // Sizes are byte counts, not quantities to read: never grouped.
        U::Announced { announced, limit } => l.text(
            "upload-too-big-announced",
            l10n_args!["size" => announced.to_string(), "limit" => limit.to_string()],
        ),
        U::TooMany { per_minute, wait_s } => l.text(
            "upload-too-many",
            l10n_args!["count" => *per_minute, "seconds" => *wait_s],
        ),
        U::BadUrl(_) => l.text("upload-bad-url", &[]),
        U::DownloadTimeout => l.text("upload-timeout", &[]),
        U::Download(source) => l.text(
            "upload-failed",
            l10n_args!["detail" => truncate(&source.to_string(), 300)],
        ),
        U::Status(status) => l.text(
            "upload-failed",
            l10n_args!["detail" => format!("HTTP {status}")],
        ),
        U::Body { limit, .. } => l.text("upload-too-big", l10n_args!["limit" => limit.to_string()]),
        U::Unreadable(source) => l.text(
            "upload-unreadable",
            l10n_args!["detail" => truncate(&source.to_string(), 300)],
        ),
        U::Stopped => l.text("restarting", &[]),
    }
}

/// A refusal in words (without the ❌), in `l`.
pub fn error_text(e: &LadderError, l: Locale) -> String {
    use LadderError as E;
    let id = |m: &MatchId| m.to_string();
    let (key, args): (&str, Vec<(&str, Arg)>) = match e {
        E::NoTos => ("error-no-tos", vec![]),
        E::NotSetUp => ("error-not-set-up", vec![]),
        E::Banned(reason) => ("error-banned", vec![("reason", reason.into())]),
        E::InvalidSetup(errors) => {
            let problems: Vec<String> = errors.iter().map(|e| field_error_text(e, l)).collect();
            (
                "error-invalid-setup",
                vec![("problems", problems.join("; ").into())],
            )
        }
        E::UnknownRace(race, choices) => (
            "error-unknown-race",
            vec![("race", race.into()), ("choices", choices.into())],
        ),
        E::SameGroup(a, b) => (
            "error-same-group",
            vec![("first", a.into()), ("second", b.into())],
        ),
        E::NoRace => ("error-no-race", vec![]),
        E::UnknownMap(map) => ("error-unknown-map", vec![("map", map.into())]),
        E::TooManyVetoes(n) => ("error-too-many-vetoes", vec![("count", (*n).into())]),
        E::AlreadyQueueing => ("error-already-queueing", vec![]),
        E::NotQueueing => ("error-not-queueing", vec![]),
        E::InMatch => ("error-in-match", vec![]),
        E::Cooldown(s) => ("error-cooldown", vec![("seconds", (*s).into())]),
        E::UnknownPlayer(p) => (
            "error-unknown-player",
            vec![("player", p.to_string().into())],
        ),
        E::UnknownMatch(m) => ("error-unknown-match", vec![("match", id(m).into())]),
        E::NotYourMatch(m) => ("error-not-your-match", vec![("match", id(m).into())]),
        E::WrongState(m, state) => (
            "error-wrong-state",
            vec![
                ("match", id(m).into()),
                ("state", state_text(state, l).into()),
            ],
        ),
        E::ConfirmWindowClosed(m) => ("error-confirm-window-closed", vec![("match", id(m).into())]),
        E::NotConfirmed(m) => ("error-not-confirmed", vec![("match", id(m).into())]),
        E::NoAbortsLeft => ("error-no-aborts-left", vec![]),
        E::ResolvedByAdmin(m) => ("error-resolved-by-admin", vec![("match", id(m).into())]),
        E::AlreadyCompleted(m) => ("error-already-completed", vec![("match", id(m).into())]),
        E::ReplayPlayersMismatch(m) => (
            "error-replay-players-mismatch",
            vec![("match", id(m).into())],
        ),
        E::NotAdmin => ("error-not-admin", vec![]),
        E::NotOwner => ("error-not-owner", vec![]),
        E::NoReason => ("error-no-reason", vec![]),
        E::Invalid(why) => return invalid_text(why, l),
    };
    l.text(key, &args)
}

/// A refused input in words, in `l`.
fn invalid_text(why: &Invalid, l: Locale) -> String {
    use Invalid as I;
    match why {
        I::ReplayReused => l.text("invalid-replay-reused", &[]),
        I::UnknownSeason { season, known } => l.text(
            "invalid-unknown-season",
            // An id, not a quantity: never grouped.
            l10n_args!["season" => season.to_string(), "known" => known],
        ),
        I::SamePlayer => l.text("invalid-same-player", &[]),
        I::UnknownRegion { region, choices } => l.text(
            "invalid-unknown-region",
            l10n_args!["region" => region, "choices" => choices],
        ),
        I::ExpiredButtons => l.text("invalid-expired-buttons", &[]),
        I::NotificationsOff => l.text("invalid-notifications-off", &[]),
        I::PingGap { min, max } => {
            l.text("invalid-ping-gap", l10n_args!["min" => *min, "max" => *max])
        }
        I::QuietHours { given } => l.text("invalid-quiet-hours", l10n_args!["given" => given]),
        I::QuietHoursEmpty { given } => {
            l.text("invalid-quiet-hours-empty", l10n_args!["given" => given])
        }
        I::TimeZone { given } => l.text("invalid-time-zone", l10n_args!["given" => given]),
        I::NearRating { max } => l.text("invalid-near-rating", l10n_args!["max" => *max]),
        I::NoReplay(m) => l.text("invalid-no-replay", l10n_args!["match" => m.to_string()]),
        I::Rating(v) => l.text("invalid-rating", l10n_args!["value" => v.to_string()]),
        I::NotInQueue(p) => l.text(
            "invalid-not-in-queue",
            l10n_args!["player" => p.to_string()],
        ),
        I::NoSeasonName => l.text("invalid-no-season-name", &[]),
    }
}

/// One invalid setup field, "field: problem", in `l`.
fn field_error_text(e: &FieldError, l: Locale) -> String {
    use FieldProblem as P;
    // The setup form's own labels: the words the player just saw.
    let field = match e.field {
        Field::IngameName => "setup-name",
        Field::BattleTag => "setup-battletag",
        Field::AltNames => "setup-alt-names",
        Field::Country => "setup-country",
        Field::Region => "setup-region",
    };
    let problem = match &e.problem {
        P::NameLength { name, chars } => l.text(
            "problem-name-length",
            l10n_args!["name" => name, "chars" => *chars],
        ),
        P::NameLetters { name, found } => l.text(
            "problem-name-letters",
            l10n_args!["name" => name, "found" => found.to_string()],
        ),
        P::TagNoHash { tag } => l.text("problem-tag-no-hash", l10n_args!["tag" => tag]),
        P::TagNameLength { name, chars } => l.text(
            "problem-tag-name-length",
            l10n_args!["name" => name, "chars" => *chars],
        ),
        P::TagNameChars { name } => l.text("problem-tag-name-chars", l10n_args!["name" => name]),
        P::TagDigits { digits } => l.text("problem-tag-digits", l10n_args!["digits" => digits]),
        P::TooManyAltNames { given, max } => l.text(
            "problem-too-many-alt-names",
            l10n_args!["given" => *given, "max" => *max],
        ),
        P::AltNameTwice { name } => l.text("problem-alt-name-twice", l10n_args!["name" => name]),
        P::Country { given } => l.text("problem-country", l10n_args!["given" => given]),
        P::Region { given, choices } => l.text(
            "problem-region",
            l10n_args!["given" => given, "choices" => choices],
        ),
    };
    l.text(
        "setup-field-problem",
        l10n_args!["field" => l.text(field, &[]), "problem" => problem],
    )
}

/// A match state ("in_progress") in words.
fn state_text(state: &str, l: Locale) -> String {
    l.text(&format!("state-{}", state.replace('_', "-")), &[])
}

/// A report or outcome ("win", "loss", "draw") in words.
fn report_text(report: &str, l: Locale) -> String {
    l.text(&format!("report-{report}"), &[])
}

fn result_text(r: MatchResult, l: Locale) -> String {
    l.text(&format!("result-{}", r.as_str()), &[])
}

/// A rating change with its sign, whole points ("+12", "-3").
fn signed(v: f64, l: Locale) -> String {
    let v = v.round();
    if v >= 0.0 {
        format!("+{}", format_number(v, l))
    } else {
        format_number(v, l)
    }
}

fn confirm_abort(match_id: MatchId, l: Locale) -> Component {
    row(vec![
        button(
            ComponentId::Confirm(match_id),
            &l.text("button-confirm", &[]),
            ButtonStyle::Success,
        ),
        button(
            ComponentId::Abort(match_id),
            &l.text("button-abort", &[]),
            ButtonStyle::Danger,
        ),
    ])
}

/// A profile's country; `XX` is shown as what it means.
fn country_text(country: Option<&str>, l: Locale) -> String {
    match country {
        Some(crate::ladder::validate::NON_REPRESENTING) => l.text("profile-no-country", &[]),
        Some(c) => c.to_owned(),
        None => String::new(),
    }
}

/// The filters a leaderboard page applies, in words (empty: none).
fn filters_text(q: &LeaderboardQuery, l: Locale) -> String {
    let mut parts = Vec::new();
    for (id, values) in [
        ("filter-race", &q.races),
        ("filter-country", &q.countries),
        ("filter-region", &q.regions),
    ] {
        if !values.is_empty() {
            parts.push(l.text(id, l10n_args!["values" => values.join(",")]));
        }
    }
    if !q.ranks.is_empty() {
        let ranks: Vec<&str> = q.ranks.iter().map(|r| r.letter()).collect();
        parts.push(l.text("filter-rank", l10n_args!["values" => ranks.join(",")]));
    }
    if q.best_race_only {
        parts.push(l.text("filter-best", &[]));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" — {}", parts.join("; "))
    }
}

fn card_text(title: &str, card: &MatchCard, l: Locale) -> String {
    let mut s = l.text(
        "card-title",
        l10n_args!["title" => title, "match" => card.match_id.to_string()],
    );
    s.push('\n');
    for side in &card.sides {
        s.push_str(&l.text(
            "card-side",
            l10n_args![
                "name" => &side.ingame_name,
                "battletag" => &side.battletag,
                "country" => &side.country,
                "race" => &side.race,
                "rating" => side.rating.round(),
                "provisional" => if side.provisional { "yes" } else { "no" },
            ],
        ));
        s.push('\n');
    }
    s.push_str(&l.text(
        "card-map",
        l10n_args![
            "map" => &card.map.name,
            "all_vetoed" => if card.all_maps_vetoed { "yes" } else { "no" },
        ],
    ));
    s.push('\n');
    s.push_str(&l.text(
        "card-server",
        l10n_args![
            "server" => &card.server,
            "first" => (card.win_probability * 100.0).round(),
            "second" => ((1.0 - card.win_probability) * 100.0).round(),
        ],
    ));
    // The lobby settings are the config's own words.
    for line in &card.lobby_settings {
        let _ = write!(s, "\n{line}");
    }
    s
}

fn queue_components(ctx: &RenderContext<'_>) -> Vec<Component> {
    let l = ctx.locale;
    let mut rows = vec![row(vec![
        button(
            ComponentId::JoinQueue,
            &l.text("button-join", &[]),
            ButtonStyle::Success,
        ),
        button(
            ComponentId::LeaveQueue,
            &l.text("button-leave", &[]),
            ButtonStyle::Secondary,
        ),
    ])];
    if !ctx.races.is_empty() {
        rows.push(row(vec![select(
            ComponentId::QueueRaces,
            &l.text("select-races", &[]),
            ctx.races
                .iter()
                .map(|(id, name)| (name.as_str(), id.as_str())),
            ctx.races.len(),
        )]));
    }
    if !ctx.maps.is_empty() {
        rows.push(row(vec![select(
            ComponentId::QueueVetoes,
            &l.text("select-vetoes", &[]),
            ctx.maps.iter().map(|m| (m.as_str(), m.as_str())),
            ctx.maps.len(),
        )]));
    }
    rows
}

fn row(components: Vec<Component>) -> Component {
    Component::ActionRow(ActionRow {
        components,
        id: None,
    })
}

pub(super) fn button(id: ComponentId, label: &str, style: ButtonStyle) -> Component {
    Component::Button(Button {
        custom_id: id.encode(),
        disabled: false,
        emoji: None,
        id: None,
        label: Some(label.to_owned()),
        sku_id: None,
        style,
        url: None,
    })
}

fn select<'a>(
    id: ComponentId,
    placeholder: &str,
    options: impl Iterator<Item = (&'a str, &'a str)>,
    max: usize,
) -> Component {
    let options: Vec<SelectMenuOption> = options
        .take(MAX_SELECT_OPTIONS)
        .map(|(label, value)| SelectMenuOption {
            default: false,
            description: None,
            emoji: None,
            label: truncate(label, 100),
            value: truncate(value, 100),
        })
        .collect();
    let max = max.clamp(1, options.len().max(1));
    Component::SelectMenu(SelectMenu {
        channel_types: None,
        custom_id: id.encode().unwrap_or_default(),
        default_values: None,
        disabled: false,
        id: None,
        kind: SelectMenuType::Text,
        max_values: u8::try_from(max).ok(),
        min_values: Some(1),
        options: Some(options),
        placeholder: Some(placeholder.to_owned()),
        required: None,
    })
}

/// The setup form: in-game name, BattleTag, alternative names, country,
/// region — prefilled with `current` (the player's profile) when given, so
/// changing one field does not mean typing the others again.
pub fn setup_modal_components(current: Option<&SetupForm>, l: Locale) -> Vec<Component> {
    let input = |custom_id: &str,
                 label: &str,
                 placeholder: &str,
                 required: bool,
                 max: u16,
                 value: Option<String>| {
        // Discord refuses a value longer than the input's maximum or an
        // empty one; a stored profile fits, but a config change could shorten
        // nothing here, so cut anyway.
        let value = value
            .map(|v| v.chars().take(usize::from(max)).collect::<String>())
            .filter(|v| !v.is_empty());
        #[allow(deprecated)] // `label` lives on the Label component now.
        let text = TextInput {
            custom_id: custom_id.to_owned(),
            id: None,
            label: None,
            max_length: Some(max),
            min_length: None,
            placeholder: Some(placeholder.to_owned()),
            required: Some(required),
            style: TextInputStyle::Short,
            value,
        };
        Component::Label(Label {
            component: Box::new(Component::TextInput(text)),
            description: None,
            id: None,
            label: label.to_owned(),
        })
    };
    let v = |f: fn(&SetupForm) -> String| current.map(f);
    vec![
        input(
            "ingame_name",
            &l.text("setup-name", &[]),
            &l.text("setup-name-hint", &[]),
            true,
            12,
            v(|c| c.ingame_name.clone()),
        ),
        input(
            "battletag",
            &l.text("setup-battletag", &[]),
            &l.text("setup-battletag-hint", &[]),
            true,
            30,
            v(|c| c.battletag.clone()),
        ),
        input(
            "alt_names",
            &l.text("setup-alt-names", &[]),
            &l.text("setup-alt-names-hint", &[]),
            false,
            60,
            v(|c| c.alt_names.join(", ")),
        ),
        input(
            "country",
            &l.text("setup-country", &[]),
            &l.text("setup-country-hint", &[]),
            true,
            2,
            v(|c| c.country.clone()),
        ),
        input(
            "region",
            &l.text("setup-region", &[]),
            &l.text("setup-region-hint", &[]),
            true,
            8,
            v(|c| c.region.clone()),
        ),
    ]
}

/// The question above an /admin command's Confirm button: what pressing it
/// will do, in words, with the reason the caller gave. Players are mentions
/// (Discord shows their names; an ephemeral message pings nobody).
pub fn admin_summary(command: &Command) -> String {
    let Command::Admin { reason, op } = command else {
        return "Run this command?".to_owned();
    };
    let who = |p: &u64| format!("<@{p}>");
    let question = match op {
        AdminOp::Snapshot => "Show a snapshot of the ladder?".to_owned(),
        AdminOp::InspectPlayer(p) => format!("Show the ladder's record of {}?", who(p)),
        AdminOp::InspectMatch(m) => format!("Show match #{m}?"),
        AdminOp::ReplayFile(m) => {
            format!("Post the archived replay of match #{m} in the admin log?")
        }
        AdminOp::Resolve {
            match_id,
            resolution,
        } => match resolution {
            Resolution::Player1 => format!("Resolve match #{match_id} as a win for player 1?"),
            Resolution::Player2 => format!("Resolve match #{match_id} as a win for player 2?"),
            Resolution::Draw => format!("Resolve match #{match_id} as a draw?"),
            Resolution::Invalidate => {
                format!("Invalidate match #{match_id} (no result, no rating change)?")
            }
        },
        AdminOp::AdjustRating {
            player,
            race,
            adjustment,
        } => match adjustment {
            RatingAdjustment::Set(v) => format!("Set {}'s {race} rating to {v}?", who(player)),
            RatingAdjustment::Add(v) => format!("Add {v} to {}'s {race} rating?", who(player)),
            RatingAdjustment::Subtract(v) => {
                format!("Subtract {v} from {}'s {race} rating?", who(player))
            }
        },
        AdminOp::RemoveFromQueue(p) => format!("Remove {} from the queue?", who(p)),
        AdminOp::ResetToIdle(p) => format!(
            "Reset {} to idle (out of the queue and any open match)?",
            who(p)
        ),
        AdminOp::Ban(p) => format!("Ban {} from the ladder?", who(p)),
        AdminOp::Unban(p) => format!("Lift {}'s ladder ban?", who(p)),
        AdminOp::ResetAborts(p) => format!("Give {} this month's aborts back?", who(p)),
        AdminOp::ClearQueue => "Remove everyone from the queue?".to_owned(),
        AdminOp::GrantAdmin(p) => format!("Make {} a ladder admin?", who(p)),
        AdminOp::RevokeAdmin(p) => format!("Take ladder admin away from {}?", who(p)),
        AdminOp::EndSeason {
            next_name,
            map_pool,
        } => {
            let maps = if map_pool.is_empty() {
                "every configured map".to_owned()
            } else {
                format!("the maps {}", map_pool.join(", "))
            };
            format!(
                "End the current season (ratings archived and soft-reset) and start \"{next_name}\" with {maps}?"
            )
        }
    };
    let reason = reason.trim();
    let text = if reason.is_empty() {
        question
    } else {
        format!("{question}\nReason: {reason}")
    };
    truncate(&text, MAX_CONTENT)
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// "EU 3 · NA 1": the non-zero counts of a breakdown.
fn counts(of: &[(String, usize)], l: Locale) -> String {
    of.iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {}", format_number(*n as f64, l)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The lobby's live status message: one message edited after each wave
/// (`discord::delivery`), never a new message per wave.
fn lobby_status(
    matches: usize,
    still_queueing: usize,
    q: &crate::ladder::QueueView,
    l: Locale,
) -> String {
    let mut out = l.text("lobby-title", l10n_args!["searching" => still_queueing]);
    let races = counts(&q.per_race, l);
    if !races.is_empty() {
        let _ = write!(out, " ({races})");
    }
    let regions = counts(&q.per_region, l);
    if !regions.is_empty() {
        out.push_str(" · ");
        out.push_str(&l.text("lobby-by-region", l10n_args!["regions" => regions]));
    }
    out.push('\n');
    out.push_str(&l.text(
        "lobby-next",
        l10n_args![
            "seconds" => q.seconds_to_next_wave,
            "in_progress" => q.matches_in_progress,
            "found" => matches,
        ],
    ));
    truncate(&out, MAX_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ladder::{LeaderboardPage, LeaderboardRow};

    #[test]
    fn truncation_respects_limits_and_characters() {
        let s = "é".repeat(1500); // 3000 bytes
        let t = truncate(&s, MAX_CONTENT);
        assert!(t.len() <= MAX_CONTENT);
        assert!(t.ends_with('…'));
    }

    #[test]
    fn every_admin_command_is_summarised_in_words() {
        let p = 42u64;
        let resolve = |resolution| AdminOp::Resolve {
            match_id: 12,
            resolution,
        };
        let rating = |adjustment| AdminOp::AdjustRating {
            player: p,
            race: "Zerg".into(),
            adjustment,
        };
        let cases: Vec<(AdminOp, &str)> = vec![
            (AdminOp::Snapshot, "Show a snapshot of the ladder?"),
            (
                AdminOp::InspectPlayer(p),
                "Show the ladder's record of <@42>?",
            ),
            (AdminOp::InspectMatch(7), "Show match #7?"),
            (
                AdminOp::ReplayFile(7),
                "Post the archived replay of match #7 in the admin log?",
            ),
            (
                resolve(Resolution::Player1),
                "Resolve match #12 as a win for player 1?",
            ),
            (
                resolve(Resolution::Player2),
                "Resolve match #12 as a win for player 2?",
            ),
            (resolve(Resolution::Draw), "Resolve match #12 as a draw?"),
            (
                resolve(Resolution::Invalidate),
                "Invalidate match #12 (no result, no rating change)?",
            ),
            (
                rating(RatingAdjustment::Set(1500.0)),
                "Set <@42>'s Zerg rating to 1500?",
            ),
            (
                rating(RatingAdjustment::Add(12.5)),
                "Add 12.5 to <@42>'s Zerg rating?",
            ),
            (
                rating(RatingAdjustment::Subtract(30.0)),
                "Subtract 30 from <@42>'s Zerg rating?",
            ),
            (AdminOp::RemoveFromQueue(p), "Remove <@42> from the queue?"),
            (
                AdminOp::ResetToIdle(p),
                "Reset <@42> to idle (out of the queue and any open match)?",
            ),
            (AdminOp::Ban(p), "Ban <@42> from the ladder?"),
            (AdminOp::Unban(p), "Lift <@42>'s ladder ban?"),
            (
                AdminOp::ResetAborts(p),
                "Give <@42> this month's aborts back?",
            ),
            (AdminOp::ClearQueue, "Remove everyone from the queue?"),
            (AdminOp::GrantAdmin(p), "Make <@42> a ladder admin?"),
            (
                AdminOp::RevokeAdmin(p),
                "Take ladder admin away from <@42>?",
            ),
            (
                AdminOp::EndSeason {
                    next_name: "Season 3".into(),
                    map_pool: vec![],
                },
                "End the current season (ratings archived and soft-reset) and start \"Season 3\" with every configured map?",
            ),
            (
                AdminOp::EndSeason {
                    next_name: "Season 3".into(),
                    map_pool: vec!["Alcyone".into(), "Amphion".into()],
                },
                "End the current season (ratings archived and soft-reset) and start \"Season 3\" with the maps Alcyone, Amphion?",
            ),
        ];
        for (op, question) in cases {
            let with_reason = Command::Admin {
                reason: " cheating report #3 ".into(),
                op: op.clone(),
            };
            assert_eq!(
                admin_summary(&with_reason),
                format!("{question}\nReason: cheating report #3"),
                "{op:?}"
            );
            let without = Command::Admin {
                reason: String::new(),
                op: op.clone(),
            };
            let text = admin_summary(&without);
            assert_eq!(text, question, "{op:?}");
            assert!(!text.contains("AdminOp"), "no Debug text: {text}");
        }
        // A huge map pool still fits one message.
        let long = Command::Admin {
            reason: "x".repeat(200),
            op: AdminOp::EndSeason {
                next_name: "n".repeat(200),
                map_pool: vec!["m".repeat(200); 25],
            },
        };
        assert!(admin_summary(&long).len() <= MAX_CONTENT);
    }

    #[test]
    fn errors_are_ephemeral_and_say_what_to_do() {
        let r = render(
            &Notice::Error(crate::ladder::LadderError::NoTos),
            &RenderContext::default(),
        );
        assert!(r.ephemeral);
        assert!(r.content.contains("terms of service"), "{}", r.content);
    }

    #[test]
    fn a_long_leaderboard_stays_within_discords_limit_with_working_page_buttons() {
        let rows = (1..=40)
            .map(|i| LeaderboardRow {
                position: i,
                player_id: i as u64,
                ingame_name: "ЖЖЖЖЖЖЖЖЖЖЖЖ".into(),
                country: "RU".into(),
                race: "Protoss".into(),
                rating: 1500.0,
                rank: None,
                provisional: false,
                wins: 100,
                losses: 100,
                draws: 1,
            })
            .collect();
        let page = LeaderboardPage {
            rows,
            page: 2,
            pages: 3,
            total: 120,
            season: "Season 1".into(),
            season_ended: false,
            query: LeaderboardQuery {
                countries: vec!["RU".into()],
                page: 2,
                ..Default::default()
            },
            saved: None,
        };
        let r = render(
            &Notice::Leaderboard(Box::new(page)),
            &RenderContext::default(),
        );
        assert!(r.content.len() <= MAX_CONTENT);
        let Component::ActionRow(row) = &r.components[0] else {
            panic!("{:?}", r.components)
        };
        let ids: Vec<ComponentId> = row
            .components
            .iter()
            .filter_map(|c| match c {
                Component::Button(b) => b.custom_id.as_deref().and_then(ComponentId::parse),
                _ => None,
            })
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(
            matches!(&ids[0], ComponentId::Leaderboard { page: 1, countries, .. } if countries == &["RU"])
        );
        assert!(matches!(&ids[1], ComponentId::Leaderboard { page: 3, .. }));
    }

    #[test]
    fn kept_filters_page_by_id_whatever_their_length() {
        let countries: Vec<String> = crate::ladder::validate::COUNTRIES
            .split(' ')
            .take(60)
            .map(str::to_owned)
            .collect();
        let query = LeaderboardQuery {
            countries,
            regions: vec!["EU".into()],
            ranks: vec![crate::ladder::Rank::A],
            season: Some(1),
            page: 1,
            ..Default::default()
        };
        assert_eq!(
            super::super::router::leaderboard_button(&query, 2).encode(),
            None,
            "too long to carry inline"
        );
        let page = LeaderboardPage {
            rows: vec![],
            page: 1,
            pages: 2,
            total: 50,
            season: "Season 1".into(),
            season_ended: true,
            query,
            saved: Some(9),
        };
        let r = render(
            &Notice::Leaderboard(Box::new(page)),
            &RenderContext::default(),
        );
        assert!(r.content.contains("(ended)") && r.content.contains("region EU"));
        let Component::ActionRow(row) = &r.components[0] else {
            panic!("{:?}", r.components)
        };
        let Component::Button(b) = &row.components[0] else {
            panic!("{row:?}")
        };
        assert_eq!(
            b.custom_id.as_deref().and_then(ComponentId::parse),
            Some(ComponentId::LeaderboardSaved { id: 9, page: 2 })
        );
    }

    #[test]
    fn the_setup_form_opens_with_the_players_values() {
        let form = SetupForm {
            ingame_name: "Serral".into(),
            battletag: "Serral#2637".into(),
            alt_names: vec!["Joona".into(), "Ser".into()],
            country: "XX".into(),
            region: "EU".into(),
        };
        let values: Vec<Option<String>> = setup_modal_components(Some(&form), Locale::ENGLISH)
            .into_iter()
            .map(|c| match c {
                Component::Label(l) => match *l.component {
                    Component::TextInput(t) => t.value,
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            values,
            [
                Some("Serral".to_owned()),
                Some("Serral#2637".to_owned()),
                Some("Joona, Ser".to_owned()),
                Some("XX".to_owned()),
                Some("EU".to_owned())
            ]
        );
        assert!(
            setup_modal_components(None, Locale::ENGLISH)
                .iter()
                .all(|c| matches!(c, Component::Label(l) if matches!(&*l.component, Component::TextInput(t) if t.value.is_none())))
        );
    }

    #[test]
    fn a_profile_with_history_attaches_its_rating_chart() {
        use crate::ladder::ProfileView;
        use crate::ladder::site::RatingPoint;
        let view = |history: Vec<RatingPoint>| ProfileView {
            player_id: 1,
            ingame_name: Some("Charted".into()),
            battletag: None,
            country: None,
            region: None,
            races: Vec::new(),
            wins: 0,
            losses: 0,
            draws: 0,
            games_last: [0; 3],
            last_played_at: None,
            aborts_left: 3,
            banned: false,
            season: "Season 1".into(),
            season_ended: false,
            head_to_head: None,
            rating_history: history,
            seasons: Vec::new(),
        };
        let points = (0..5)
            .map(|i| RatingPoint {
                at: 1_700_000_000_000 + i * 86_400_000,
                season_id: 1,
                race: "P".into(),
                rating: 1500.0 + i as f64 * 10.0,
            })
            .collect();
        let r = render(
            &Notice::Profile(Box::new(view(points))),
            &RenderContext::default(),
        );
        assert_eq!(r.files.len(), 1);
        assert_eq!(r.files[0].0, "rating.png");
        assert!(r.files[0].1.starts_with(b"\x89PNG"));
        let r = render(
            &Notice::Profile(Box::new(view(Vec::new()))),
            &RenderContext::default(),
        );
        assert!(r.files.is_empty(), "no history, no chart");
    }
}
