//! The guild slash commands ladderd registers (bulk overwrite at start-up,
//! only when they changed). Option names here are the ones `router.rs`
//! reads; `commands_and_router_agree` keeps the two in step.
//!
//! Names and descriptions are English here; every other shipped locale's
//! `locales/<lang>/commands.ftl` gives each command and option, by its path
//! (`cmd-admin-rating-value`), a localised name (the message) and
//! description (`.desc`). Discord still sends the English names in
//! interactions, so the router reads only those.

use std::collections::HashMap;

use twilight_model::application::command::{
    Command, CommandOption, CommandOptionChoiceValue, CommandType,
};
use twilight_util::builder::command::{
    BooleanBuilder, CommandBuilder, IntegerBuilder, NumberBuilder, StringBuilder,
    SubCommandBuilder, UserBuilder,
};

/// Every command, built for registration. Validated by twilight's builder
/// against Discord's limits (name and description lengths, option counts).
pub fn all() -> Vec<Command> {
    let mut commands = english();
    for c in &mut commands {
        let path = format!("cmd-{}", c.name);
        (c.name_localizations, c.description_localizations) =
            localizations(&path, None, &c.description);
        for o in &mut c.options {
            localize_option(o, &path);
        }
    }
    commands
}

fn localize_option(o: &mut CommandOption, parent: &str) {
    let path = format!("{parent}-{}", o.name);
    (o.name_localizations, o.description_localizations) =
        localizations(&path, Some(&o.name), &o.description);
    for sub in o.options.iter_mut().flatten() {
        localize_option(sub, &path);
    }
    // Choices ("Player 1", "Set", …) by value: `cmd-admin-resolve-outcome-player1`.
    for choice in o.choices.iter_mut().flatten() {
        let CommandOptionChoiceValue::String(value) = &choice.value else {
            continue;
        };
        let id = format!("{path}-{value}");
        let mut names = HashMap::new();
        for locale in crate::l10n::Locale::all() {
            let name = if locale == crate::l10n::Locale::ENGLISH {
                Some(choice.name.clone())
            } else {
                locale.choice_text(&id)
            };
            if let Some(name) = name {
                names.insert(locale.code().to_owned(), name);
            }
        }
        choice.name_localizations = Some(names);
    }
}

type Localizations = Option<HashMap<String, String>>;

/// Every shipped locale's (name, description) of the command or option at
/// `path`; English is the builder's own. An option without its own entry
/// takes the shared one for its name (`opt-reason`, `opt-player`, …).
fn localizations(
    path: &str,
    option: Option<&str>,
    description: &str,
) -> (Localizations, Localizations) {
    let name = option.unwrap_or_else(|| path.trim_start_matches("cmd-"));
    let mut names = HashMap::new();
    let mut descriptions = HashMap::new();
    for locale in crate::l10n::Locale::all() {
        let (n, d) = if locale == crate::l10n::Locale::ENGLISH {
            (name.to_owned(), description.to_owned())
        } else {
            // A locale lacking the path (a test forbids it) falls back to
            // Discord's default, the English.
            let shared = || option.and_then(|o| locale.command_text(&format!("opt-{o}")));
            match locale.command_text(path).or_else(shared) {
                Some(t) => t,
                None => continue,
            }
        };
        names.insert(locale.code().to_owned(), n);
        descriptions.insert(locale.code().to_owned(), d);
    }
    (Some(names), Some(descriptions))
}

/// The commands in English, as registered before localisation.
fn english() -> Vec<Command> {
    let cmd = |name: &str, description: &str| {
        CommandBuilder::new(name, description, CommandType::ChatInput)
    };
    let player = |required| UserBuilder::new("player", "The player").required(required);
    let page = || {
        IntegerBuilder::new("page", "Page number")
            .min_value(1)
            .max_value(100_000)
    };
    let season = || {
        IntegerBuilder::new("season", "A season's number (default: the current one)")
            .min_value(1)
            .max_value(i64::from(u32::MAX))
    };
    let reason = || {
        StringBuilder::new("reason", "Why (kept in the audit log)")
            .required(true)
            .max_length(200)
    };
    let admin_player = |name: &str, description: &str| {
        SubCommandBuilder::new(name, description)
            .option(player(true))
            .option(reason())
    };
    vec![
        cmd("termsofservice", "Read and accept the ladder's rules").build(),
        cmd(
            "setup",
            "Set your in-game name, BattleTag, country and region",
        )
        .build(),
        cmd("setcountry", "Change only the country you represent")
            .option(
                StringBuilder::new("country", "ISO code, e.g. DE; XX for none")
                    .required(true)
                    .min_length(2)
                    .max_length(2),
            )
            .build(),
        cmd(
            "notifications",
            "A ping when someone starts searching: on or off, how often, quiet hours",
        )
        .option(BooleanBuilder::new(
            "on",
            "Ping me when someone starts searching",
        ))
        .option(
            IntegerBuilder::new("gap", "At most one ping every this many minutes (15–1440)")
                .min_value(15)
                .max_value(1_440),
        )
        .option(
            StringBuilder::new("quiet", "No pings in these hours, e.g. 22-08, or off")
                .max_length(16),
        )
        .option(
            StringBuilder::new(
                "timezone",
                "Your time zone, e.g. Europe/Berlin (default UTC)",
            )
            .max_length(64),
        )
        .option(
            IntegerBuilder::new(
                "near",
                "Only for opponents within this many rating points (0: anyone)",
            )
            .min_value(0)
            .max_value(5_000),
        )
        .build(),
        cmd("queue", "See the queue, or join it with a race")
            .option(StringBuilder::new("race", "The race to queue with").max_length(32))
            .build(),
        cmd("leave", "Leave the queue").build(),
        cmd("profile", "Ratings, rank and record of a player")
            .option(player(false))
            .option(season())
            .option(UserBuilder::new(
                "vs",
                "Also show the head-to-head record against this player",
            ))
            .build(),
        cmd("leaderboard", "The ladder's standings")
            .option(StringBuilder::new("race", "Race ids, comma-separated").max_length(64))
            .option(StringBuilder::new("country", "Country codes, comma-separated").max_length(200))
            .option(StringBuilder::new("region", "Region ids, comma-separated").max_length(100))
            .option(StringBuilder::new("rank", "Ranks (S, A … F), comma-separated").max_length(20))
            .option(season())
            .option(BooleanBuilder::new("best", "Only each player's best race"))
            .option(page())
            .build(),
        cmd("history", "Match history of a player")
            .option(player(false))
            .option(page())
            .build(),
        cmd("help", "How the ladder works").build(),
        cmd(
            "stats",
            "When the ladder is busy: matches by hour of the week, games per day",
        )
        .build(),
        cmd("admin", "Ladder administration")
            .option(SubCommandBuilder::new("snapshot", "The ladder at a glance").option(reason()))
            .option(SubCommandBuilder::new(
                "health",
                "ladderd's health: memory, store, workers",
            ))
            .option(admin_player("player", "Inspect a player"))
            .option(
                SubCommandBuilder::new("match", "Inspect a match")
                    .option(
                        IntegerBuilder::new("match", "Match number")
                            .required(true)
                            .min_value(1),
                    )
                    .option(reason()),
            )
            .option(
                SubCommandBuilder::new(
                    "replay",
                    "Post a match's archived replay file in the admin log",
                )
                .option(
                    IntegerBuilder::new("match", "Match number")
                        .required(true)
                        .min_value(1),
                )
                .option(reason()),
            )
            .option(
                SubCommandBuilder::new("resolve", "Decide a match")
                    .option(
                        IntegerBuilder::new("match", "Match number")
                            .required(true)
                            .min_value(1),
                    )
                    .option(
                        StringBuilder::new("outcome", "Who won")
                            .required(true)
                            .choices([
                                ("Player 1", "player1"),
                                ("Player 2", "player2"),
                                ("Draw", "draw"),
                                ("Invalidate", "invalidate"),
                            ]),
                    )
                    .option(reason()),
            )
            .option(
                SubCommandBuilder::new("rating", "Set, add to or subtract from a rating")
                    .option(player(true))
                    .option(
                        StringBuilder::new("race", "Race id")
                            .required(true)
                            .max_length(32),
                    )
                    .option(StringBuilder::new("mode", "How").required(true).choices([
                        ("Set", "set"),
                        ("Add", "add"),
                        ("Subtract", "subtract"),
                    ]))
                    .option(NumberBuilder::new("value", "Rating points").required(true))
                    .option(reason()),
            )
            .option(admin_player("unqueue", "Remove a player from the queue"))
            .option(admin_player("reset", "Reset a stuck player to idle"))
            .option(admin_player("ban", "Ban a player"))
            .option(admin_player("unban", "Lift a ban"))
            .option(admin_player(
                "resetaborts",
                "Give a player their monthly aborts back",
            ))
            .option(SubCommandBuilder::new("clearqueue", "Empty the queue").option(reason()))
            .option(admin_player(
                "grant",
                "Make a player a ladder admin (owners only)",
            ))
            .option(admin_player(
                "revoke",
                "Take ladder admin away (owners only)",
            ))
            .option(
                SubCommandBuilder::new("endseason", "End the season and start the next")
                    .option(
                        StringBuilder::new("name", "The next season's name")
                            .required(true)
                            .max_length(64),
                    )
                    .option(
                        StringBuilder::new(
                            "maps",
                            "The next map pool, comma-separated (default: all)",
                        )
                        .max_length(1000),
                    )
                    .option(reason()),
            )
            .build(),
    ]
}

#[cfg(test)]
mod tests {
    use twilight_model::application::command::CommandOptionType;

    use super::*;

    #[test]
    fn commands_are_within_discords_limits() {
        let commands = all();
        assert!(commands.len() <= 100);
        for c in &commands {
            assert!((1..=32).contains(&c.name.len()), "{}", c.name);
            assert!((1..=100).contains(&c.description.len()), "{}", c.name);
            assert!(c.options.len() <= 25, "{}", c.name);
            assert!(
                c.name.chars().all(|ch| ch.is_ascii_lowercase()),
                "{}",
                c.name
            );
        }
        let admin = commands.iter().find(|c| c.name == "admin").unwrap();
        assert!(
            admin
                .options
                .iter()
                .all(|o| o.kind == CommandOptionType::SubCommand)
        );
    }
}
