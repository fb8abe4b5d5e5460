use serde_json::{Value, json};
use twilight_model::application::interaction::Interaction;

use super::router::{Routed, route};
use crate::config::Config;
use crate::ladder::{Actor, AdminOp, Command, Resolution};
use crate::store::rows::Report;

fn discord() -> crate::config::DiscordConfig {
    Config::from_toml(
        std::path::Path::new("t.toml"),
        "[discord]\nowner_user_ids = [1]\nadmin_user_ids = [2]\nadmin_role_ids = [77]\n",
    )
    .unwrap()
    .discord
}

/// An interaction as Discord sends it (API v10 shape), from user `user` with `roles`.
pub(super) fn interaction(kind: u8, user: u64, roles: &[u64], data: Value) -> Interaction {
    let v = json!({
        "id": "900", "application_id": "901", "type": kind, "token": "secret-token", "version": 1,
        "guild_id": "902", "channel_id": "903",
        "member": {
            "user": {"id": user.to_string(), "username": "alpha", "discriminator": "0",
                     "global_name": "Alpha", "avatar": null},
            "roles": roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0
        },
        "data": data,
        "entitlements": [], "authorizing_integration_owners": {}, "attachment_size_limit": 8388608,
        "locale": "en-US"
    });
    serde_json::from_value(v).expect("a valid interaction payload")
}

fn slash(user: u64, roles: &[u64], name: &str, options: Value) -> Routed {
    let data = json!({"id": "5", "name": name, "type": 1, "options": options});
    route(&interaction(2, user, roles, data), &discord())
}

fn button(user: u64, custom_id: &str, values: &[&str]) -> Routed {
    let data = json!({"custom_id": custom_id, "component_type": if values.is_empty() { 2 } else { 3 }, "values": values});
    route(&interaction(3, user, &[], data), &discord())
}

#[test]
fn slash_commands_become_ladder_commands() {
    assert_eq!(
        slash(
            10,
            &[],
            "queue",
            json!([{"name": "race", "type": 3, "value": "T"}])
        ),
        Routed::Ladder(
            Actor::player(10),
            Command::JoinQueue {
                races: vec!["T".into()],
                vetoes: None
            }
        )
    );
    assert_eq!(
        slash(10, &[], "queue", json!([])),
        Routed::Ladder(Actor::player(10), Command::QueueView)
    );
    assert_eq!(
        slash(10, &[], "leave", json!([])),
        Routed::Ladder(Actor::player(10), Command::LeaveQueue)
    );
    assert_eq!(
        slash(10, &[], "setup", json!([])),
        Routed::OpenSetup(Actor::player(10))
    );
    assert_eq!(
        slash(10, &[], "termsofservice", json!([])),
        Routed::ShowTerms
    );
    match slash(
        10,
        &[],
        "leaderboard",
        json!([
            {"name": "country", "type": 3, "value": "de, fi"},
            {"name": "best", "type": 5, "value": true},
            {"name": "page", "type": 4, "value": 2}
        ]),
    ) {
        Routed::Ladder(_, Command::Leaderboard(q)) => {
            assert_eq!(q.countries, vec!["DE", "FI"]);
            assert!(q.best_race_only);
            assert_eq!(q.page, 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn authority_comes_from_config_users_and_roles() {
    let actor = |r: Routed| match r {
        Routed::Ladder(a, _) => a,
        other => panic!("{other:?}"),
    };
    assert!(actor(slash(1, &[], "leave", json!([]))).is_owner);
    assert!(actor(slash(2, &[], "leave", json!([]))).is_admin);
    assert!(actor(slash(3, &[77], "leave", json!([]))).is_admin);
    let plain = actor(slash(3, &[78], "leave", json!([])));
    assert!(!plain.is_admin && !plain.is_owner);
}

#[test]
fn admin_commands_wait_for_a_confirm() {
    let r = slash(
        2,
        &[],
        "admin",
        json!([{
            "name": "resolve", "type": 1, "options": [
                {"name": "match", "type": 4, "value": 12},
                {"name": "outcome", "type": 3, "value": "player2"},
                {"name": "reason", "type": 3, "value": "replay shows it"}
            ]
        }]),
    );
    match r {
        Routed::ConfirmAdmin(a, Command::Admin { reason, op }) => {
            assert!(a.is_admin);
            assert_eq!(reason, "replay shows it");
            assert_eq!(
                op,
                AdminOp::Resolve {
                    match_id: 12,
                    resolution: Resolution::Player2
                }
            );
        }
        other => panic!("{other:?}"),
    }
    // A caller who is not a configured admin still gets the confirm step: the
    // ladder may have granted them admin, and decides on Confirm.
    assert!(matches!(
        slash(
            3,
            &[],
            "admin",
            json!([{"name": "clearqueue", "type": 1, "options": [
                {"name": "reason", "type": 3, "value": "stuck"}
            ]}])
        ),
        Routed::ConfirmAdmin(a, _) if !a.is_admin && !a.is_owner
    ));
    assert!(matches!(
        slash(
            2,
            &[],
            "admin",
            json!([{"name": "resolve", "type": 1, "options": [{"name": "match", "type": 4, "value": 12}]}])
        ),
        Routed::Refused(_)
    ));
    assert!(matches!(
        slash(
            2,
            &[],
            "admin",
            json!([{"name": "rating", "type": 1, "options": [
                {"name": "player", "type": 6, "value": "5"}, {"name": "race", "type": 3, "value": "T"},
                {"name": "mode", "type": 3, "value": "set"}, {"name": "value", "type": 10, "value": 1e308}
            ]}])
        ),
        Routed::Refused(_)
    ));
}

/// `/admin grant` or `revoke` for `player`, by `user`.
fn grant(user: u64, sub: &str) -> Routed {
    slash(
        user,
        &[],
        "admin",
        json!([{"name": sub, "type": 1, "options": [
            {"name": "player", "type": 6, "value": "5"},
            {"name": "reason", "type": 3, "value": "helps run the ladder"}
        ]}]),
    )
}

#[test]
fn what_the_ladder_would_refuse_for_sure_is_refused_before_the_prompt() {
    // Only configured owners (user 1) grant or revoke admin; an admin by
    // config (2), by role, or anyone else is refused without a prompt.
    for sub in ["grant", "revoke"] {
        assert!(
            matches!(grant(1, sub), Routed::ConfirmAdmin(a, Command::Admin { op, .. })
                if a.is_owner && matches!(op, AdminOp::GrantAdmin(5) | AdminOp::RevokeAdmin(5))),
            "{sub}"
        );
        for user in [2, 3] {
            match grant(user, sub) {
                Routed::Refused(why) => assert!(why.contains("only an owner"), "{why}"),
                other => panic!("{sub} by {user}: {other:?}"),
            }
        }
        let by_role = slash(
            4,
            &[77],
            "admin",
            json!([{"name": sub, "type": 1, "options": [
                {"name": "player", "type": 6, "value": "5"},
                {"name": "reason", "type": 3, "value": "r"}
            ]}]),
        );
        assert!(matches!(by_role, Routed::Refused(_)), "{by_role:?}");
    }
    // A change without a reason (blank counts) is refused before the prompt;
    // reads need none.
    for reason in [None, Some("   ")] {
        let mut options = vec![json!({"name": "player", "type": 6, "value": "5"})];
        if let Some(r) = reason {
            options.push(json!({"name": "reason", "type": 3, "value": r}));
        }
        match slash(
            2,
            &[],
            "admin",
            json!([{"name": "ban", "type": 1, "options": options}]),
        ) {
            Routed::Refused(why) => assert!(why.contains("reason"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        slash(
            2,
            &[],
            "admin",
            json!([{"name": "player", "type": 1, "options": [{"name": "player", "type": 6, "value": "5"}]}])
        ),
        Routed::ConfirmAdmin(
            _,
            Command::Admin {
                op: AdminOp::InspectPlayer(5),
                ..
            }
        )
    ));
}

#[test]
fn buttons_and_selects() {
    assert_eq!(
        button(10, "match:7:report:win", &[]),
        Routed::Ladder(
            Actor::player(10),
            Command::Report {
                match_id: 7,
                report: Report::Win
            }
        )
    );
    assert_eq!(
        button(10, "queue:races", &["Z"]),
        Routed::Ladder(
            Actor::player(10),
            Command::JoinQueue {
                races: vec!["Z".into()],
                vetoes: None
            }
        )
    );
    assert_eq!(
        button(10, "admin:55:confirm", &[]),
        Routed::AdminDecision {
            actor: Actor::player(10),
            nonce: 55,
            confirmed: true
        }
    );
    match button(10, "tos:accept", &[]) {
        Routed::Ladder(_, Command::AcceptTos { discord_name }) => assert_eq!(discord_name, "Alpha"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        button(10, "match:notanumber:confirm", &[]),
        Routed::Refused(_)
    ));
    let many: Vec<String> = (0..30).map(|i| i.to_string()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(matches!(
        button(10, "queue:vetoes", &many),
        Routed::Refused(_)
    ));
}

#[test]
fn setup_modal_fields_become_a_setup_form() {
    let data = json!({
        "custom_id": "setup",
        "components": [
            {"type": 1, "id": 1, "components": [{"type": 4, "id": 2, "custom_id": "ingame_name", "value": " Serral "}]},
            {"type": 1, "id": 3, "components": [{"type": 4, "id": 4, "custom_id": "battletag", "value": "Serral#1234"}]},
            {"type": 1, "id": 5, "components": [{"type": 4, "id": 6, "custom_id": "alt_names", "value": "Ser, Ral"}]},
            {"type": 1, "id": 7, "components": [{"type": 4, "id": 8, "custom_id": "country", "value": "fi"}]},
            {"type": 1, "id": 9, "components": [{"type": 4, "id": 10, "custom_id": "region", "value": "eu"}]}
        ]
    });
    match route(&interaction(5, 10, &[], data), &discord()) {
        Routed::Ladder(_, Command::Setup(form)) => {
            assert_eq!(form.ingame_name, "Serral");
            assert_eq!(form.alt_names, vec!["Ser", "Ral"]);
            assert_eq!((form.country.as_str(), form.region.as_str()), ("FI", "EU"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_and_malformed_interactions_are_refused() {
    assert!(matches!(
        slash(10, &[], "rm-rf", json!([])),
        Routed::Refused(_)
    ));
    assert!(matches!(
        slash(
            10,
            &[],
            "queue",
            json!([{"name": "race", "type": 3, "value": "x".repeat(500)}])
        ),
        Routed::Refused(_)
    ));
    assert!(matches!(
        button(10, "something:else", &[]),
        Routed::Refused(_)
    ));
}

/// A plausible value for a required option of `kind`.
fn sample(option: &twilight_model::application::command::CommandOption) -> Value {
    use twilight_model::application::command::CommandOptionType as T;
    let value = match option.kind {
        T::String => option
            .choices
            .as_ref()
            .and_then(|c| c.first())
            .map(|c| match c {
                twilight_model::application::command::CommandOptionChoice {
                    value: twilight_model::application::command::CommandOptionChoiceValue::String(s),
                    ..
                } => json!(s),
                _ => json!("x"),
            })
            .unwrap_or(json!("T")),
        T::Integer => json!(3),
        T::Number => json!(1500.0),
        T::Boolean => json!(true),
        T::User => json!("12345"),
        _ => json!("x"),
    };
    json!({"name": option.name, "type": option.kind as u8, "value": value})
}

#[test]
fn commands_and_router_agree() {
    for command in super::commands::all() {
        let routed = if command.name == "admin" {
            for sub in &command.options {
                let inner: Vec<Value> = sub
                    .options
                    .iter()
                    .flatten()
                    .filter(|o| o.required == Some(true))
                    .map(sample)
                    .collect();
                // The owner (user 1): grant and revoke are theirs alone.
                let r = slash(
                    1,
                    &[],
                    "admin",
                    json!([{"name": sub.name, "type": 1, "options": inner}]),
                );
                // Everything that changes or reveals ladder state waits for a
                // confirm; the read-only machine report answers at once.
                let expected = match sub.name.as_str() {
                    "health" => matches!(r, Routed::Health(_)),
                    _ => matches!(r, Routed::ConfirmAdmin(..)),
                };
                assert!(expected, "/admin {}: {r:?}", sub.name);
            }
            continue;
        } else {
            let options: Vec<Value> = command
                .options
                .iter()
                .filter(|o| o.required == Some(true))
                .map(sample)
                .collect();
            slash(10, &[], &command.name, json!(options))
        };
        assert!(
            !matches!(routed, Routed::Refused(_)),
            "/{}: {routed:?}",
            command.name
        );
    }
}

#[test]
fn buttons_on_a_rendered_match_card_route_back_to_the_match() {
    use super::render::{RenderContext, render};
    use crate::config::MapInfo;
    use crate::ladder::{CardSide, MatchCard, Notice};
    use twilight_model::channel::message::component::Component;

    let side = |id: u64| CardSide {
        player_id: id,
        ingame_name: format!("P{id}"),
        battletag: format!("P{id}#1234"),
        alt_names: vec![],
        country: "DE".into(),
        race: "Terran".into(),
        rating: 1500.0,
        deviation: 350.0,
        provisional: true,
    };
    let card = MatchCard {
        match_id: 31,
        sides: [side(10), side(11)],
        map: MapInfo {
            name: "Pylon LE".into(),
            replay_name: "Pylon LE".into(),
            link: None,
            author: None,
        },
        all_maps_vetoed: false,
        server: "Europe".into(),
        win_probability: 0.5,
        lobby_settings: vec!["Speed: Faster".into()],
        created_at: 1_800_000_000_000,
        confirm_by: 1_800_000_060_000,
    };
    let rendered = render(
        &Notice::MatchFound(Box::new(card)),
        &RenderContext::default(),
    );
    assert!(rendered.content.contains("Pylon LE"));
    let Component::ActionRow(row) = &rendered.components[0] else {
        panic!()
    };
    let routed: Vec<Routed> = row
        .components
        .iter()
        .map(|c| match c {
            Component::Button(b) => button(10, b.custom_id.as_deref().unwrap(), &[]),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        routed,
        vec![
            Routed::Ladder(Actor::player(10), Command::Confirm { match_id: 31 }),
            Routed::Ladder(Actor::player(10), Command::Abort { match_id: 31 }),
        ]
    );
}

/// #15: `/leaderboard` passes every filter; filters whose page buttons would
/// pass 100 characters are asked to be kept, and a kept page button routes
/// back to them by id.
#[test]
fn leaderboard_filters_route_and_long_ones_are_kept() {
    let many: Vec<&str> = crate::ladder::validate::COUNTRIES
        .split(' ')
        .take(40)
        .collect();
    let routed = |countries: &str| {
        slash(
            10,
            &[],
            "leaderboard",
            json!([
                {"name": "country", "type": 3, "value": countries},
                {"name": "region", "type": 3, "value": "eu"},
                {"name": "rank", "type": 3, "value": "s, a"},
                {"name": "season", "type": 4, "value": 2},
            ]),
        )
    };
    let Routed::Ladder(_, Command::Leaderboard(short)) = routed("de,kr") else {
        panic!("{:?}", routed("de,kr"))
    };
    assert_eq!(short.countries, ["DE", "KR"]);
    assert_eq!(short.regions, ["EU"]);
    assert_eq!(
        short.ranks,
        [crate::ladder::Rank::S, crate::ladder::Rank::A]
    );
    assert_eq!(short.season, Some(2));
    assert!(!short.keep, "short filters travel in the button");
    let Routed::Ladder(_, Command::Leaderboard(long)) = routed(&many.join(",")) else {
        panic!("long filters are routed")
    };
    assert_eq!(long.countries.len(), 40, "every country given");
    assert!(long.keep, "too long for a button: kept by the ladder");
    assert!(matches!(
        slash(10, &[], "leaderboard", json!([{"name": "rank", "type": 3, "value": "Q"}])),
        Routed::Refused(why) if why.contains("not a rank")
    ));
    assert_eq!(
        button(10, "lbk:7:3", &[]),
        Routed::Ladder(
            Actor::player(10),
            Command::Leaderboard(crate::ladder::LeaderboardQuery {
                saved: Some(7),
                page: 3,
                ..Default::default()
            })
        )
    );
}

#[test]
fn setcountry_and_profile_options_route() {
    assert_eq!(
        slash(
            10,
            &[],
            "setcountry",
            json!([{"name": "country", "type": 3, "value": "xx"}])
        ),
        Routed::Ladder(
            Actor::player(10),
            Command::SetCountry {
                country: "xx".into()
            }
        )
    );
    assert_eq!(
        slash(
            10,
            &[],
            "profile",
            json!([
                {"name": "season", "type": 4, "value": 1},
                {"name": "vs", "type": 6, "value": "77"},
            ])
        ),
        Routed::Ladder(
            Actor::player(10),
            Command::Profile {
                player: None,
                season: Some(1),
                vs: Some(77)
            }
        )
    );
}

#[test]
fn notifications_options_and_the_stay_button_route() {
    assert_eq!(
        slash(
            10,
            &[],
            "notifications",
            json!([
                {"name": "on", "type": 5, "value": true},
                {"name": "gap", "type": 4, "value": 20},
                {"name": "quiet", "type": 3, "value": " 22-08 "},
                {"name": "timezone", "type": 3, "value": "Asia/Seoul"},
                // Out of Discord's declared range: passed on bounded, for
                // the ladder to refuse with its own message.
                {"name": "near", "type": 4, "value": i64::MAX},
            ])
        ),
        Routed::Ladder(
            Actor::player(10),
            Command::Notifications(crate::ladder::NotifySettings {
                enabled: Some(true),
                min_gap_minutes: Some(20),
                quiet_hours: Some("22-08".into()),
                time_zone: Some("Asia/Seoul".into()),
                near_rating: Some(100_000),
            })
        )
    );
    assert_eq!(
        slash(10, &[], "notifications", json!([])),
        Routed::Ladder(
            Actor::player(10),
            Command::Notifications(crate::ladder::NotifySettings::default())
        )
    );
    assert_eq!(
        button(10, "queue:stay", &[]),
        Routed::Ladder(Actor::player(10), Command::StayInQueue)
    );
}
