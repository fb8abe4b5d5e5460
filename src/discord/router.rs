//! The router: turns one Discord interaction into what ladderd should do with
//! it — a ladder command, a modal to open, help — or a clear refusal. Pure:
//! it reads the interaction and the configured authority, nothing else, so
//! every input shape is tested without a gateway.
//!
//! Everything here comes from outside: option values, select values and modal
//! fields are bounded and checked; a malformed interaction becomes
//! [`Routed::Refused`] with a sentence for the user, never a panic.

use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};
use twilight_model::application::interaction::message_component::MessageComponentInteractionData;
use twilight_model::application::interaction::modal::{
    ModalInteractionComponent, ModalInteractionData,
};
use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};

use super::ids::ComponentId;
use crate::config::DiscordConfig;
use crate::ladder::{
    Actor, AdminOp, Command, LeaderboardQuery, NotifySettings, Rank, RatingAdjustment, Resolution,
    SetupForm,
};

/// Bounds on what users may type, well above any real value.
const MAX_TEXT: usize = 200;
const MAX_VALUES: usize = 25;
/// The largest page number a command or button may ask for.
pub const MAX_PAGE: usize = 100_000;

/// What to do about an interaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Routed {
    /// Apply a command to the ladder; reply with its messages after commit.
    Ladder(Actor, Command),
    /// An /admin command: ask its caller to press Confirm before it runs.
    ConfirmAdmin(Actor, Command),
    /// The caller pressed Confirm (or Cancel) under an /admin command.
    AdminDecision {
        actor: Actor,
        nonce: u64,
        confirmed: bool,
    },
    /// Show the terms of service with an Accept button.
    ShowTerms,
    /// Open the setup modal, prefilled with the actor's profile.
    OpenSetup(Actor),
    Help,
    /// `/admin health`: the health report, for configured admins and owners.
    Health(Actor),
    /// "Show" under a lobby mention: the messages that wait for the caller
    /// follow this interaction's reply.
    ShowInbox,
    /// Refused before the ladder: say why, change nothing.
    Refused(String),
}

/// The refusals a player meets in normal use (a button or form from before
/// a restart or a change), which the bot words in the player's language;
/// the others answer input Discord's client does not send, in English.
pub const STALE_BUTTON: &str = "this button is out of date; run the command again";
pub const STALE_FORM: &str = "this form is out of date; run /setup again";

fn refused(why: impl Into<String>) -> Routed {
    Routed::Refused(why.into())
}

/// A refusal on its way out of a helper (small, unlike [`Routed`]).
struct Refusal(String);

fn refusal(why: impl Into<String>) -> Refusal {
    Refusal(why.into())
}

impl From<Refusal> for Routed {
    fn from(r: Refusal) -> Routed {
        Routed::Refused(r.0)
    }
}

/// Routes `interaction`. `discord` supplies the owners, admin users and admin
/// roles that make an [`Actor`] an owner or admin.
pub fn route(interaction: &Interaction, discord: &DiscordConfig) -> Routed {
    let Some(user_id) = interaction.author_id() else {
        return refused("this interaction has no user");
    };
    let roles: Vec<u64> = interaction
        .member
        .as_ref()
        .map(|m| m.roles.iter().map(|r| r.get()).collect())
        .unwrap_or_default();
    let id = user_id.get();
    let actor = Actor {
        id,
        is_owner: discord.owner_user_ids.iter().any(|o| o.0 == id),
        is_admin: discord.admin_user_ids.iter().any(|a| a.0 == id)
            || roles
                .iter()
                .any(|r| discord.admin_role_ids.iter().any(|a| a.0 == *r)),
    };
    let display_name = interaction
        .member
        .as_ref()
        .and_then(|m| m.user.as_ref())
        .or(interaction.user.as_ref())
        .map(|u| u.global_name.clone().unwrap_or_else(|| u.name.clone()))
        .unwrap_or_else(|| id.to_string());
    match (&interaction.kind, &interaction.data) {
        (InteractionType::ApplicationCommand, Some(InteractionData::ApplicationCommand(data))) => {
            slash(actor, data)
        }
        (InteractionType::MessageComponent, Some(InteractionData::MessageComponent(data))) => {
            component(actor, &display_name, data)
        }
        (InteractionType::ModalSubmit, Some(InteractionData::ModalSubmit(data))) => {
            modal(actor, data)
        }
        (InteractionType::Ping, _) => refused("ping"),
        _ => refused("this kind of interaction is not used by the ladder"),
    }
}

fn slash(actor: Actor, data: &CommandData) -> Routed {
    let opts = Options(&data.options);
    let command = match data.name.as_str() {
        "termsofservice" => return Routed::ShowTerms,
        "setup" => return Routed::OpenSetup(actor),
        "setcountry" => match opts.string("country") {
            Ok(Some(country)) => Command::SetCountry { country },
            Ok(None) => return refused("/setcountry: give a country code (XX for none)"),
            Err(e) => return e.into(),
        },
        "help" => return Routed::Help,
        "queue" => match opts.string("race") {
            Ok(Some(race)) => Command::JoinQueue {
                races: vec![race],
                vetoes: None,
            },
            Ok(None) => Command::QueueView,
            Err(e) => return e.into(),
        },
        "leave" => Command::LeaveQueue,
        "notifications" => {
            let (quiet, zone) = match (opts.string("quiet"), opts.string("timezone")) {
                (Ok(q), Ok(z)) => (q, z),
                (Err(e), _) | (_, Err(e)) => return e.into(),
            };
            let bounded = |name, max: u32| {
                opts.integer(name)
                    .map(|v| u32::try_from(v.clamp(0, i64::from(max))).unwrap_or(max))
            };
            Command::Notifications(NotifySettings {
                enabled: opts.boolean("on"),
                min_gap_minutes: bounded("gap", 100_000),
                quiet_hours: quiet,
                time_zone: zone,
                near_rating: bounded("near", 100_000),
            })
        }
        "stats" => Command::Stats,
        "profile" => Command::Profile {
            player: opts.user("player"),
            season: opts.season(),
            vs: opts.user("vs"),
        },
        "history" => Command::History {
            player: opts.user("player"),
            page: opts.page(),
        },
        "leaderboard" => {
            // Every value the (bounded) option text holds: a filter is
            // never cut short (long ones are kept by the ladder, below).
            let list = |name| match opts.string(name) {
                Ok(Some(v)) => Ok(split_list_upto(&v, MAX_TEXT)),
                Ok(None) => Ok(vec![]),
                Err(e) => Err(e),
            };
            let (races, countries, regions, ranks) =
                match (list("race"), list("country"), list("region"), list("rank")) {
                    (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
                    (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
                        return e.into();
                    }
                };
            let ranks = match ranks
                .iter()
                .map(|r| Rank::parse(r).ok_or(r))
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(r) => r,
                Err(bad) => {
                    return refused(format!(
                        "{bad:?} is not a rank; ranks are S, A, B, C, D, E, F"
                    ));
                }
            };
            let mut query = LeaderboardQuery {
                countries: countries.into_iter().map(|c| c.to_uppercase()).collect(),
                races,
                ranks,
                regions: regions.into_iter().map(|c| c.to_uppercase()).collect(),
                season: opts.season(),
                best_race_only: opts.boolean("best").unwrap_or(false),
                page: opts.page(),
                keep: false,
                saved: None,
            };
            // Filters whose page buttons would pass Discord's 100 characters
            // are kept by the ladder instead (checked at the largest page).
            query.keep = leaderboard_button(&query, MAX_PAGE).encode().is_none();
            Command::Leaderboard(query)
        }
        "admin" => return admin(actor, &data.options),
        other => return refused(format!("/{other} is not a ladder command")),
    };
    Routed::Ladder(actor, command)
}

fn admin(actor: Actor, options: &[CommandDataOption]) -> Routed {
    let Some(sub) = options.first() else {
        return refused("choose an /admin subcommand");
    };
    if sub.name == "health" {
        // Reads only; nothing to confirm.
        return Routed::Health(actor);
    }
    let CommandOptionValue::SubCommand(inner) = &sub.value else {
        return refused("choose an /admin subcommand");
    };
    let o = Options(inner);
    let reason = match o.string("reason") {
        Ok(r) => r.unwrap_or_default(),
        Err(e) => return e.into(),
    };
    let player = |name| {
        o.user(name)
            .ok_or_else(|| refusal(format!("/admin {}: name a player", sub.name)))
    };
    let match_id = || {
        o.integer("match")
            .filter(|m| *m > 0)
            .map(|m| m as u64)
            .ok_or_else(|| refusal(format!("/admin {}: give a match number", sub.name)))
    };
    let op = (|| {
        Ok(match sub.name.as_str() {
            "snapshot" => AdminOp::Snapshot,
            "player" => AdminOp::InspectPlayer(player("player")?),
            "match" => AdminOp::InspectMatch(match_id()?),
            "replay" => AdminOp::ReplayFile(match_id()?),
            "resolve" => AdminOp::Resolve {
                match_id: match_id()?,
                resolution: match o.string("outcome").ok().flatten().as_deref() {
                    Some("player1") => Resolution::Player1,
                    Some("player2") => Resolution::Player2,
                    Some("draw") => Resolution::Draw,
                    Some("invalidate") => Resolution::Invalidate,
                    _ => {
                        return Err(refusal(
                            "/admin resolve: outcome is player1, player2, draw or invalidate",
                        ));
                    }
                },
            },
            "rating" => {
                let value = o
                    .number("value")
                    .ok_or_else(|| refusal("/admin rating: give a value"))?;
                if !value.is_finite() || value.abs() > 10_000.0 {
                    return Err(refusal(
                        "/admin rating: the value must be between -10000 and 10000",
                    ));
                }
                AdminOp::AdjustRating {
                    player: player("player")?,
                    race: o
                        .string("race")
                        .ok()
                        .flatten()
                        .ok_or_else(|| refusal("/admin rating: name the race"))?,
                    adjustment: match o.string("mode").ok().flatten().as_deref() {
                        Some("set") => RatingAdjustment::Set(value),
                        Some("add") => RatingAdjustment::Add(value),
                        Some("subtract") => RatingAdjustment::Subtract(value),
                        _ => return Err(refusal("/admin rating: mode is set, add or subtract")),
                    },
                }
            }
            "unqueue" => AdminOp::RemoveFromQueue(player("player")?),
            "reset" => AdminOp::ResetToIdle(player("player")?),
            "ban" => AdminOp::Ban(player("player")?),
            "unban" => AdminOp::Unban(player("player")?),
            "resetaborts" => AdminOp::ResetAborts(player("player")?),
            "clearqueue" => AdminOp::ClearQueue,
            "grant" => AdminOp::GrantAdmin(player("player")?),
            "revoke" => AdminOp::RevokeAdmin(player("player")?),
            "endseason" => AdminOp::EndSeason {
                next_name: o
                    .string("name")
                    .ok()
                    .flatten()
                    .ok_or_else(|| refusal("/admin endseason: name the next season"))?,
                map_pool: o
                    .string("maps")
                    .ok()
                    .flatten()
                    .map(|m| split_list(&m))
                    .unwrap_or_default(),
            },
            other => return Err(refusal(format!("/admin {other} is not an admin command"))),
        })
    })();
    let op = match op {
        Ok(op) => op,
        Err(refusal) => return refusal.into(),
    };
    // Refuse here what the ladder would refuse after Confirm, where the router
    // knows for sure. Owners come only from the config, so a non-owner can
    // never grant or revoke admin. Whether a caller is an admin it cannot
    // know: the ladder grants admin to players (`/admin grant`), kept on the
    // player row, so a caller who is not a configured admin still gets the
    // prompt and the ladder decides on Confirm.
    if matches!(op, AdminOp::GrantAdmin(_) | AdminOp::RevokeAdmin(_)) && !actor.is_owner {
        return refused(format!(
            "/admin {}: only an owner can grant or revoke admin",
            sub.name
        ));
    }
    if op.changes_state() && reason.trim().is_empty() {
        return refused(format!(
            "/admin {}: give a reason (it is kept in the audit log)",
            sub.name
        ));
    }
    Routed::ConfirmAdmin(actor, Command::Admin { reason, op })
}

fn component(actor: Actor, display_name: &str, data: &MessageComponentInteractionData) -> Routed {
    let Some(id) = ComponentId::parse(&data.custom_id) else {
        return refused(STALE_BUTTON);
    };
    if data.values.len() > MAX_VALUES || data.values.iter().any(|v| v.len() > MAX_TEXT) {
        return refused("too many or too long choices");
    }
    let command = match id {
        ComponentId::ShowInbox => return Routed::ShowInbox,
        ComponentId::AcceptTerms => Command::AcceptTos {
            discord_name: display_name.chars().take(64).collect(),
        },
        ComponentId::JoinQueue => Command::JoinQueue {
            races: vec![],
            vetoes: None,
        },
        ComponentId::LeaveQueue => Command::LeaveQueue,
        ComponentId::StayInQueue => Command::StayInQueue,
        ComponentId::QueueRaces => Command::JoinQueue {
            races: data.values.clone(),
            vetoes: None,
        },
        ComponentId::QueueVetoes => Command::JoinQueue {
            races: vec![],
            vetoes: Some(data.values.clone()),
        },
        ComponentId::Confirm(match_id) => Command::Confirm { match_id },
        ComponentId::Abort(match_id) => Command::Abort { match_id },
        ComponentId::Report(match_id, report) => Command::Report { match_id, report },
        ComponentId::Leaderboard {
            page,
            best_race_only,
            races,
            countries,
            regions,
            ranks,
            season,
        } => Command::Leaderboard(LeaderboardQuery {
            countries,
            races,
            ranks,
            regions,
            season,
            best_race_only,
            page,
            keep: false,
            saved: None,
        }),
        ComponentId::LeaderboardSaved { id, page } => Command::Leaderboard(LeaderboardQuery {
            saved: Some(id),
            page,
            ..LeaderboardQuery::default()
        }),
        ComponentId::AdminConfirm(nonce) => {
            return Routed::AdminDecision {
                actor,
                nonce,
                confirmed: true,
            };
        }
        ComponentId::AdminCancel(nonce) => {
            return Routed::AdminDecision {
                actor,
                nonce,
                confirmed: false,
            };
        }
        ComponentId::SetupModal => return refused(STALE_FORM),
    };
    Routed::Ladder(actor, command)
}

fn modal(actor: Actor, data: &ModalInteractionData) -> Routed {
    if ComponentId::parse(&data.custom_id) != Some(ComponentId::SetupModal) {
        return refused(STALE_FORM);
    }
    let mut fields = Vec::new();
    collect_text_inputs(&data.components, &mut fields, 0);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(id, _)| id == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    if fields.iter().any(|(_, v)| v.len() > MAX_TEXT) {
        return refused("a field of the form is too long");
    }
    let form = SetupForm {
        ingame_name: field("ingame_name"),
        battletag: field("battletag"),
        alt_names: split_list(&field("alt_names")),
        country: field("country").to_uppercase(),
        region: field("region").to_uppercase(),
    };
    Routed::Ladder(actor, Command::Setup(form))
}

/// Text inputs may sit in action rows or labels; nesting is bounded.
fn collect_text_inputs(
    components: &[ModalInteractionComponent],
    out: &mut Vec<(String, String)>,
    depth: usize,
) {
    if depth > 3 || out.len() > MAX_VALUES {
        return;
    }
    for c in components {
        match c {
            ModalInteractionComponent::TextInput(t) => {
                out.push((t.custom_id.clone(), t.value.clone()))
            }
            ModalInteractionComponent::ActionRow(row) => {
                collect_text_inputs(&row.components, out, depth + 1)
            }
            ModalInteractionComponent::Label(label) => {
                collect_text_inputs(std::slice::from_ref(&label.component), out, depth + 1)
            }
            _ => {}
        }
    }
}

/// The page button for `query` at `page`, filters inline.
pub fn leaderboard_button(query: &LeaderboardQuery, page: usize) -> ComponentId {
    ComponentId::Leaderboard {
        page,
        best_race_only: query.best_race_only,
        races: query.races.clone(),
        countries: query.countries.clone(),
        regions: query.regions.clone(),
        ranks: query.ranks.clone(),
        season: query.season,
    }
}

fn split_list(s: &str) -> Vec<String> {
    split_list_upto(s, MAX_VALUES)
}

fn split_list_upto(s: &str, max: usize) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .take(max)
        .map(str::to_owned)
        .collect()
}

/// Typed access to a command's options.
struct Options<'a>(&'a [CommandDataOption]);

impl Options<'_> {
    fn get(&self, name: &str) -> Option<&CommandOptionValue> {
        self.0.iter().find(|o| o.name == name).map(|o| &o.value)
    }
    fn string(&self, name: &str) -> Result<Option<String>, Refusal> {
        match self.get(name) {
            Some(CommandOptionValue::String(s)) if s.len() <= MAX_TEXT => {
                Ok(Some(s.trim().to_owned()))
            }
            Some(CommandOptionValue::String(_)) => Err(refusal(format!("{name} is too long"))),
            Some(_) => Err(refusal(format!("{name} has the wrong type"))),
            None => Ok(None),
        }
    }
    fn user(&self, name: &str) -> Option<u64> {
        match self.get(name) {
            Some(CommandOptionValue::User(id)) => Some(id.get()),
            _ => None,
        }
    }
    fn integer(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(CommandOptionValue::Integer(i)) => Some(*i),
            _ => None,
        }
    }
    fn number(&self, name: &str) -> Option<f64> {
        match self.get(name) {
            Some(CommandOptionValue::Number(n)) => Some(*n),
            Some(CommandOptionValue::Integer(i)) => Some(*i as f64),
            _ => None,
        }
    }
    fn boolean(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(CommandOptionValue::Boolean(b)) => Some(*b),
            _ => None,
        }
    }
    fn page(&self) -> usize {
        self.integer("page")
            .filter(|p| (1..=MAX_PAGE as i64).contains(p))
            .unwrap_or(1) as usize
    }
    fn season(&self) -> Option<u32> {
        self.integer("season")
            .and_then(|s| u32::try_from(s).ok())
            .filter(|s| *s >= 1)
    }
}
