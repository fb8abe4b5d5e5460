//! Rendering: the core's plain-data messages as Discord messages — text
//! within Discord's limits, and the buttons and selects that carry the flow
//! forward (Confirm/Abort on a match card, report buttons once it started,
//! Join/Leave and race/veto selects under the queue view, page buttons under
//! the leaderboard). Pure; `custom_id`s come from [`super::ids`].

use std::fmt::Write as _;

use twilight_model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Component, Label, SelectMenu, SelectMenuOption, SelectMenuType,
    TextInput, TextInputStyle,
};

use super::ids::ComponentId;
use crate::ladder::{
    AdminOp, Command, LeaderboardQuery, MatchCard, Notice, RatingAdjustment, Resolution, SetupForm,
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
}

pub fn render(notice: &Notice, ctx: &RenderContext<'_>) -> Rendered {
    let mut out = Rendered::default();
    match notice {
        Notice::Error(e) => {
            out.content = format!("❌ {e}");
            out.ephemeral = true;
        }
        Notice::Info(text) => out.content = text.clone(),
        Notice::MatchFound(card) => {
            out.content = card_text("Match found", card);
            let _ = write!(
                out.content,
                "\nConfirm within the window (until <t:{}:R>) or the match is abandoned.",
                card.confirm_by / 1000
            );
            out.components = vec![row(vec![
                button(
                    ComponentId::Confirm(card.match_id),
                    "Confirm",
                    ButtonStyle::Success,
                ),
                button(
                    ComponentId::Abort(card.match_id),
                    "Abort",
                    ButtonStyle::Danger,
                ),
            ])];
        }
        Notice::ConfirmReminder {
            match_id,
            seconds_left,
        } => {
            out.content = format!("⏰ Match #{match_id}: {seconds_left} s left to confirm.");
            out.components = vec![row(vec![
                button(
                    ComponentId::Confirm(*match_id),
                    "Confirm",
                    ButtonStyle::Success,
                ),
                button(ComponentId::Abort(*match_id), "Abort", ButtonStyle::Danger),
            ])];
        }
        Notice::MatchStarted(card) => {
            out.content = card_text("Match confirmed — good luck, have fun", card);
            out.content
                .push_str("\nAfter the game, upload the replay here, or report the result:");
            out.components = vec![row(vec![
                button(
                    ComponentId::Report(card.match_id, Report::Win),
                    "I won",
                    ButtonStyle::Success,
                ),
                button(
                    ComponentId::Report(card.match_id, Report::Loss),
                    "I lost",
                    ButtonStyle::Danger,
                ),
                button(
                    ComponentId::Report(card.match_id, Report::Draw),
                    "Draw",
                    ButtonStyle::Secondary,
                ),
            ])];
        }
        Notice::MatchEnded {
            match_id,
            state,
            result,
            rating_changes,
            detail,
        } => {
            let result = match result {
                Some(MatchResult::Player1) => "player 1 won",
                Some(MatchResult::Player2) => "player 2 won",
                Some(MatchResult::Draw) => "draw",
                None => state.as_str(),
            };
            out.content = format!("🏁 Match #{match_id}: {result}.");
            if let Some((a, b)) = rating_changes {
                let _ = write!(out.content, " Rating change: {a:+.0} / {b:+.0}.");
            }
            if !detail.is_empty() {
                let _ = write!(out.content, " {detail}");
            }
        }
        Notice::Conflict {
            match_id,
            reports,
            replay_result,
        } => {
            let r = |r: &Option<Report>| r.map_or("no report", Report::as_str);
            out.content = format!(
                "⚠️ Match #{match_id}: the reports disagree ({} / {}). An admin will decide; ratings wait until then.",
                r(&reports.0),
                r(&reports.1)
            );
            if let Some(res) = replay_result {
                let _ = write!(out.content, " The verified replay says: {}.", res.as_str());
            }
        }
        Notice::Flagged { match_id } => {
            out.content = format!(
                "🚩 Match #{match_id} has gone unsettled for too long (no agreed result, or no verified replay where one is required)."
            );
        }
        Notice::RankChanged { player, from, to } => {
            // Applied as roles, never posted; in words for logs.
            let letter = |r: &Option<crate::ladder::Rank>| r.map_or("unranked", |r| r.letter());
            out.content = format!("<@{player}>: rank {} → {}", letter(from), letter(to));
        }
        Notice::ReplayFile { match_id, sha256 } => {
            out.content = format!("📎 The verified replay of match #{match_id} (sha256 {sha256}).");
        }
        Notice::Wave {
            matches,
            still_queueing,
            status,
        } => {
            out.content = lobby_status(*matches, *still_queueing, status);
            out.components = queue_components(ctx);
        }
        Notice::Queue(q) => {
            out.content = format!(
                "**Queue** — {} queueing, next wave in {} s, {} matches in progress, {} active in the last 15 min.\n",
                q.queueing, q.seconds_to_next_wave, q.matches_in_progress, q.active_last_15_min
            );
            for (race, n) in &q.per_race {
                let _ = writeln!(out.content, "• {race}: {n}");
            }
            let regions = counts(&q.per_region);
            if !regions.is_empty() {
                let _ = writeln!(out.content, "By region: {regions}");
            }
            out.components = queue_components(ctx);
            out.ephemeral = true;
        }
        Notice::Profile(p) => {
            let name = p.ingame_name.as_deref().unwrap_or("(not set up)");
            out.content = format!(
                "**{name}** {} {} — {}{}: {}-{}-{} (W-L-D), games 14/30/90 days: {}/{}/{}, aborts left: {}{}\n",
                p.battletag.as_deref().unwrap_or(""),
                country_text(p.country.as_deref()),
                p.season,
                if p.season_ended { " (ended)" } else { "" },
                p.wins,
                p.losses,
                p.draws,
                p.games_last[0],
                p.games_last[1],
                p.games_last[2],
                p.aborts_left,
                if p.banned { " — **banned**" } else { "" }
            );
            for r in &p.races {
                let _ = writeln!(
                    out.content,
                    "• {}: {:.0} ({:.0}–{:.0}){}{} — {}-{}-{}",
                    r.race,
                    r.rating,
                    r.interval.0,
                    r.interval.1,
                    if r.provisional { " provisional" } else { "" },
                    r.rank.map_or(String::new(), |k| format!(", rank {k:?}")),
                    r.wins,
                    r.losses,
                    r.draws
                );
            }
            if let Some(h) = &p.head_to_head {
                let _ = write!(
                    out.content,
                    "**Head-to-head vs {}**: {}-{}-{} (W-L-D)",
                    if h.opponent_name.is_empty() {
                        "(not set up)"
                    } else {
                        &h.opponent_name
                    },
                    h.wins,
                    h.losses,
                    h.draws
                );
                if !h.recent.is_empty() {
                    let recent: Vec<String> =
                        h.recent.iter().map(|(m, o)| format!("#{m} {o}")).collect();
                    let _ = write!(out.content, "; latest: {}", recent.join(", "));
                }
                out.content.push('\n');
            }
            // The rating history as a picture, redrawn only when it changed.
            if !p.rating_history.is_empty() {
                let chart = crate::web::chart::RatingChart {
                    points: p.rating_history.clone(),
                    seasons: p.seasons.clone(),
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
                let day = crate::web::text::WEEKDAYS[h / 24];
                let _ = write!(out.content, "; busiest hour: {day} {:02}:00 UTC", h % 24);
            }
            out.content.push('\n');
            match crate::web::chart::shared()
                .activity_png(&crate::web::chart::ActivityChart((**a).clone()))
            {
                Ok(png) => out.files.push(("activity.png".to_owned(), png.to_vec())),
                Err(e) => tracing::warn!(error = %e, "could not draw the activity chart"),
            }
        }
        Notice::SetupForm(_) => {
            // Shown as the /setup modal, never as a message.
            out.content = "Run /setup to edit your profile.".to_owned();
            out.ephemeral = true;
        }
        Notice::Leaderboard(page) => {
            let _ = writeln!(
                out.content,
                "**Leaderboard — {}{}** — page {}/{} ({} entries){}",
                page.season,
                if page.season_ended { " (ended)" } else { "" },
                page.page,
                page.pages.max(1),
                page.total,
                filters_text(&page.query)
            );
            for r in &page.rows {
                let _ = writeln!(
                    out.content,
                    "{}. {} {} {} {:.0}{} {}-{}-{}",
                    r.position,
                    r.ingame_name,
                    r.country,
                    r.race,
                    r.rating,
                    r.rank.map_or(String::new(), |k| format!(" [{k:?}]")),
                    r.wins,
                    r.losses,
                    r.draws
                );
            }
            let mut buttons = Vec::new();
            for (label, target) in [
                ("◀ Previous", page.page.saturating_sub(1)),
                ("Next ▶", page.page + 1),
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
                        buttons.push(button(id, label, ButtonStyle::Secondary));
                    }
                }
            }
            if !buttons.is_empty() {
                out.components = vec![row(buttons)];
            }
        }
        Notice::History(h) => {
            let _ = writeln!(
                out.content,
                "**History** — page {}/{}",
                h.page,
                h.pages.max(1)
            );
            for e in &h.entries {
                let _ = writeln!(
                    out.content,
                    "#{} {} ({}) vs {} ({}) on {}: {}{}",
                    e.match_id,
                    e.race,
                    e.outcome.unwrap_or(e.state.as_str()),
                    e.opponent_name,
                    e.opponent_race,
                    e.map,
                    e.state.as_str(),
                    e.rating_change
                        .map_or(String::new(), |c| format!(", {c:+.0}"))
                );
            }
            out.ephemeral = true;
        }
        Notice::Snapshot(s) => {
            out.content = format!(
                "**{}** — {} players, {} queueing, {} found, {} in progress; conflicts: {:?}; flagged: {:?}",
                s.season, s.players, s.queueing, s.found, s.in_progress, s.conflicts, s.flagged
            );
            out.ephemeral = true;
        }
        Notice::PlayerDetail(p, ratings) => {
            out.content = format!(
                "Player {} ({}): state {}, banned {}, admin {}, aborts left {}; {} rating row(s)",
                p.discord_id,
                p.ingame_name.as_deref().unwrap_or("-"),
                p.state.as_str(),
                p.banned,
                p.is_admin,
                p.aborts_left,
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

/// A profile's country; `XX` is shown as what it means.
fn country_text(country: Option<&str>) -> &str {
    match country {
        Some(crate::ladder::validate::NON_REPRESENTING) => "(no country)",
        Some(c) => c,
        None => "",
    }
}

/// The filters a leaderboard page applies, in words (empty: none).
fn filters_text(q: &LeaderboardQuery) -> String {
    let mut parts = Vec::new();
    for (name, values) in [
        ("race", &q.races),
        ("country", &q.countries),
        ("region", &q.regions),
    ] {
        if !values.is_empty() {
            parts.push(format!("{name} {}", values.join(",")));
        }
    }
    if !q.ranks.is_empty() {
        let ranks: Vec<&str> = q.ranks.iter().map(|r| r.letter()).collect();
        parts.push(format!("rank {}", ranks.join(",")));
    }
    if q.best_race_only {
        parts.push("best race only".to_owned());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" — {}", parts.join("; "))
    }
}

fn card_text(title: &str, card: &MatchCard) -> String {
    let mut s = format!("**{title} — match #{}**\n", card.match_id);
    for side in &card.sides {
        let _ = writeln!(
            s,
            "• {} ({}) {} — {} {:.0}{}",
            side.ingame_name,
            side.battletag,
            side.country,
            side.race,
            side.rating,
            if side.provisional {
                " (provisional)"
            } else {
                ""
            }
        );
    }
    let _ = write!(s, "Map: **{}**", card.map.name);
    if card.all_maps_vetoed {
        s.push_str(" (every map was vetoed; the least-vetoed was picked)");
    }
    let _ = write!(
        s,
        "\nServer: {} — predicted {:.0}% / {:.0}%",
        card.server,
        card.win_probability * 100.0,
        (1.0 - card.win_probability) * 100.0
    );
    for line in &card.lobby_settings {
        let _ = write!(s, "\n{line}");
    }
    s
}

fn queue_components(ctx: &RenderContext<'_>) -> Vec<Component> {
    let mut rows = vec![row(vec![
        button(ComponentId::JoinQueue, "Join", ButtonStyle::Success),
        button(ComponentId::LeaveQueue, "Leave", ButtonStyle::Secondary),
    ])];
    if !ctx.races.is_empty() {
        rows.push(row(vec![select(
            ComponentId::QueueRaces,
            "Queue with race(s)…",
            ctx.races
                .iter()
                .map(|(id, name)| (name.as_str(), id.as_str())),
            ctx.races.len(),
        )]));
    }
    if !ctx.maps.is_empty() {
        rows.push(row(vec![select(
            ComponentId::QueueVetoes,
            "Veto maps…",
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
pub fn setup_modal_components(current: Option<&SetupForm>) -> Vec<Component> {
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
            "In-game name",
            "3–12 letters",
            true,
            12,
            v(|c| c.ingame_name.clone()),
        ),
        input(
            "battletag",
            "BattleTag",
            "Name#1234",
            true,
            30,
            v(|c| c.battletag.clone()),
        ),
        input(
            "alt_names",
            "Other in-game names",
            "up to three, comma-separated",
            false,
            60,
            v(|c| c.alt_names.join(", ")),
        ),
        input(
            "country",
            "Country",
            "ISO code, e.g. DE (XX: none)",
            true,
            2,
            v(|c| c.country.clone()),
        ),
        input(
            "region",
            "Region",
            "e.g. EU, NA, KR",
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
fn counts(of: &[(String, usize)]) -> String {
    of.iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The lobby's live status message: one message edited after each wave
/// (`discord::delivery`), never a new message per wave.
fn lobby_status(matches: usize, still_queueing: usize, q: &crate::ladder::QueueView) -> String {
    let mut out = format!("📡 **Ladder status** — {still_queueing} searching");
    let races = counts(&q.per_race);
    if !races.is_empty() {
        let _ = write!(out, " ({races})");
    }
    let regions = counts(&q.per_region);
    if !regions.is_empty() {
        let _ = write!(out, " · by region: {regions}");
    }
    let _ = write!(
        out,
        "\nNext wave in {} s · {} match(es) in progress · last wave: {matches} match(es) found",
        q.seconds_to_next_wave, q.matches_in_progress
    );
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
        let values: Vec<Option<String>> = setup_modal_components(Some(&form))
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
            setup_modal_components(None)
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
