//! Rank roles: the requests that move a player's rank role when the ladder
//! says their best rank changed (`Notice::RankChanged`). Only what differs:
//! the old rank's role is taken, the new one's given, a rank without a
//! configured role is left alone. The bot sends them through the outbound
//! scheduler at channel priority, paced like any other work.

use twilight_http::Client;
use twilight_http::request::{Request, TryIntoRequest};
use twilight_model::id::Id;

use crate::config::DiscordConfig;
use crate::ladder::{PlayerId, Rank};

/// The role changes for `player` moving from rank `from` to `to`.
pub fn role_requests(
    http: &Client,
    discord: &DiscordConfig,
    player: PlayerId,
    from: Option<Rank>,
    to: Option<Rank>,
) -> Vec<Request> {
    let (Some(guild), Some(user)) = (discord.guild_id, Id::new_checked(player)) else {
        return Vec::new();
    };
    let guild = Id::new(guild.0);
    let role = |r: Option<Rank>| r.and_then(|r| discord.rank_role_ids[r as usize]);
    let (old, new) = (role(from), role(to));
    if old == new {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(old) = old {
        match http
            .remove_guild_member_role(guild, user, Id::new(old.0))
            .try_into_request()
        {
            Ok(r) => out.push(r),
            Err(e) => tracing::error!(error = %e, "could not build a role removal"),
        }
    }
    if let Some(new) = new {
        match http
            .add_guild_member_role(guild, user, Id::new(new.0))
            .try_into_request()
        {
            Ok(r) => out.push(r),
            Err(e) => tracing::error!(error = %e, "could not build a role grant"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    // twilight's client starts its rate limiter on a runtime (unused here:
    // requests are only built).
    #[tokio::test]
    async fn only_configured_roles_that_differ_are_moved() {
        let c = Config::from_toml(
            Path::new("t.toml"),
            "[discord]\nguild_id = 5\nrank_role_ids = { S = 11, A = 12, C = 14 }\n",
        )
        .unwrap()
        .discord;
        let http = Client::new("t".into());
        let paths = |from, to| -> Vec<String> {
            role_requests(&http, &c, 77, from, to)
                .iter()
                .map(|r| format!("{} {}", r.method().name(), r.path()))
                .collect()
        };
        assert_eq!(
            paths(Some(Rank::A), Some(Rank::S)),
            [
                "DELETE guilds/5/members/77/roles/12",
                "PUT guilds/5/members/77/roles/11"
            ]
        );
        assert_eq!(
            paths(None, Some(Rank::C)),
            ["PUT guilds/5/members/77/roles/14"]
        );
        assert_eq!(
            paths(Some(Rank::C), None),
            ["DELETE guilds/5/members/77/roles/14"]
        );
        // B and D have no role: nothing to take or give.
        assert!(paths(Some(Rank::B), Some(Rank::D)).is_empty());
        assert_eq!(
            paths(Some(Rank::B), Some(Rank::A)),
            ["PUT guilds/5/members/77/roles/12"]
        );
        let e = Config::from_toml(
            Path::new("t.toml"),
            "[discord]\nrank_role_ids = { Q = 1 }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("discord.rank_role_ids"), "{e}");
    }
}
