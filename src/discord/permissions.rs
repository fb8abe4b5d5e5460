//! What ladderd needs to be allowed to do on Discord, in one place: the
//! permissions per channel (from what the code does), the invite URL
//! (`ladderd invite-url`) and Discord's documented permission computation
//! (base permissions from @everyone and the member's roles, then the
//! channel's overwrites: @everyone, roles, member), so a check can name each
//! missing permission and the channel.
//!
//! Not asked for, on purpose: CREATE_PRIVATE_THREADS and the other thread
//! permissions (ladderd creates nothing per match: cards reach players by
//! DM or on their own interactions, see `discord::delivery`; match threads
//! of earlier versions are deleted if the bot may, and left alone if not),
//! EMBED_LINKS (no embeds), READ_MESSAGE_HISTORY (ladderd reads messages as
//! gateway events, never fetches history), MANAGE_MESSAGES, ADMINISTRATOR.

/// Discord's permission bits (developer docs, "Permissions").
pub mod bits {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_ROLES: u64 = 1 << 28;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const MANAGE_THREADS: u64 = 1 << 34;
    pub const CREATE_PRIVATE_THREADS: u64 = 1 << 36;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
}

/// A permission and why ladderd needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub bit: u64,
    pub name: &'static str,
    pub why: &'static str,
}

/// In the lobby channel: the live status, mentions of players ladderd
/// cannot DM, answers to replay uploads posted there.
pub const LOBBY: &[Need] = &[
    Need {
        bit: bits::VIEW_CHANNEL,
        name: "View Channel",
        why: "see the lobby and receive its messages (replay uploads)",
    },
    Need {
        bit: bits::SEND_MESSAGES,
        name: "Send Messages",
        why: "keep the lobby's status message and reach players whose DMs are closed",
    },
];

/// In the admin-log channel.
pub const ADMIN_LOG: &[Need] = &[
    Need {
        bit: bits::VIEW_CHANNEL,
        name: "View Channel",
        why: "see the admin-log channel",
    },
    Need {
        bit: bits::SEND_MESSAGES,
        name: "Send Messages",
        why: "log every admin action",
    },
    Need {
        bit: bits::ATTACH_FILES,
        name: "Attach Files",
        why: "post an archived replay file for /admin replay",
    },
];

/// In the results channel: one line per finished match.
pub const RESULTS: &[Need] = &[
    Need {
        bit: bits::VIEW_CHANNEL,
        name: "View Channel",
        why: "see the results channel",
    },
    Need {
        bit: bits::SEND_MESSAGES,
        name: "Send Messages",
        why: "post one line per finished match",
    },
];

/// Every permission ladderd asks for when invited (the union of the above).
pub fn invite_permissions() -> u64 {
    LOBBY
        .iter()
        .chain(ADMIN_LOG)
        .chain(RESULTS)
        .fold(0, |acc, n| acc | n.bit)
}

/// The OAuth2 URL that adds the bot (scopes `bot` and
/// `applications.commands`) with [`invite_permissions`], plus Manage Roles
/// when the ladder gives rank roles (`[discord] rank_role_ids`): Discord
/// lets a bot move only roles below its own highest role, so the bot's role
/// must also be placed above the rank roles (Server Settings → Roles).
pub fn invite_url(application_id: u64, rank_roles: bool) -> String {
    let roles = if rank_roles { bits::MANAGE_ROLES } else { 0 };
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}\
         &scope=bot+applications.commands&permissions={}",
        invite_permissions() | roles
    )
}

/// A permission overwrite on a channel (Discord's `permission_overwrites`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwrite {
    /// A role id (the guild id for @everyone) or a member's user id.
    pub id: u64,
    pub is_member: bool,
    pub allow: u64,
    pub deny: u64,
}

/// The bot's permissions in a channel, by Discord's documented algorithm:
/// base = @everyone's role | the member's roles (ADMINISTRATOR: all), then
/// the @everyone overwrite, the member's roles' overwrites (denies, then
/// allows, combined), then the member's own overwrite.
pub fn channel_permissions(
    guild_id: u64,
    user_id: u64,
    roles: &[(u64, u64)],
    member_roles: &[u64],
    overwrites: &[Overwrite],
) -> u64 {
    let role_perms = |id: u64| roles.iter().find(|(r, _)| *r == id).map_or(0, |(_, p)| *p);
    let mut base = role_perms(guild_id);
    for r in member_roles {
        base |= role_perms(*r);
    }
    if base & bits::ADMINISTRATOR != 0 {
        return u64::MAX;
    }
    let mut perms = base;
    if let Some(o) = overwrites.iter().find(|o| !o.is_member && o.id == guild_id) {
        perms = (perms & !o.deny) | o.allow;
    }
    let (mut allow, mut deny) = (0, 0);
    for o in overwrites
        .iter()
        .filter(|o| !o.is_member && member_roles.contains(&o.id))
    {
        allow |= o.allow;
        deny |= o.deny;
    }
    perms = (perms & !deny) | allow;
    if let Some(o) = overwrites.iter().find(|o| o.is_member && o.id == user_id) {
        perms = (perms & !o.deny) | o.allow;
    }
    perms
}

/// The needs `granted` lacks, as one line naming each and the channel; `None`
/// when nothing is missing.
pub fn missing(channel: &str, granted: u64, needs: &[Need]) -> Option<String> {
    let lacking: Vec<String> = needs
        .iter()
        .filter(|n| granted & n.bit != n.bit)
        .map(|n| format!("{} (to {})", n.name, n.why))
        .collect();
    (!lacking.is_empty()).then(|| format!("in {channel} the bot lacks: {}", lacking.join(", ")))
}

/// A configured channel to check: a label for messages, its id, its needs.
pub struct ChannelToCheck {
    pub label: &'static str,
    pub id: u64,
    pub needs: &'static [Need],
}

/// The configured channels (`lobby_channel_id`, `admin_log_channel_id`).
pub fn configured(discord: &crate::config::DiscordConfig) -> Vec<ChannelToCheck> {
    let mut out = Vec::new();
    if let Some(id) = discord.lobby_channel_id {
        out.push(ChannelToCheck {
            label: "the lobby channel",
            id: id.0,
            needs: LOBBY,
        });
    }
    if let Some(id) = discord.admin_log_channel_id {
        out.push(ChannelToCheck {
            label: "the admin-log channel",
            id: id.0,
            needs: ADMIN_LOG,
        });
    }
    if let Some(id) = discord.results_channel_id {
        out.push(ChannelToCheck {
            label: "the results channel",
            id: id.0,
            needs: RESULTS,
        });
    }
    out
}

/// Asks Discord what the bot may do in each channel (the bot's user, the
/// guild's roles, the bot's member roles, each channel's overwrites: four
/// kinds of GET, one attempt each, no retries) and returns one line per
/// channel that lacks something, naming each missing permission. `Err`:
/// Discord could not be asked (the reason, short).
pub async fn check_online(
    token: &str,
    endpoint: &super::transport::ApiEndpoint,
    guild: u64,
    channels: &[ChannelToCheck],
) -> Result<Vec<String>, String> {
    use twilight_http::request::TryIntoRequest;
    use twilight_model::id::Id;

    use super::outbound::Transport as _;

    let transport =
        super::transport::TwilightTransport::new(super::transport::clients(token, endpoint));
    // twilight-http as a request builder only; the transport sends.
    let http = twilight_http::Client::new(String::new());
    let get = |request: Result<twilight_http::request::Request, twilight_http::Error>| {
        let transport = &transport;
        async move {
            let request = request.map_err(|e| format!("building a request: {e}"))?;
            let reply = transport.send(&request).await?;
            let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
            Ok::<_, String>((reply.status, body))
        }
    };
    let field = |v: &serde_json::Value, k: &str| -> u64 {
        v[k].as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
    };
    let (status, me) = get(http.current_user().try_into_request()).await?;
    if status != 200 {
        return Err(format!(
            "GET /users/@me answered {status}: is the token right?"
        ));
    }
    let bot = field(&me, "id");
    let guild_id = Id::new_checked(guild).ok_or("guild_id 0")?;
    let (status, roles) = get(http.roles(guild_id).try_into_request()).await?;
    if status != 200 {
        return Err(format!(
            "cannot read the guild's roles ({status}): is the bot in guild {guild}?"
        ));
    }
    let roles: Vec<(u64, u64)> = roles
        .as_array()
        .map(|a| {
            a.iter()
                .take(1_000)
                .map(|r| (field(r, "id"), field(r, "permissions")))
                .collect()
        })
        .unwrap_or_default();
    let bot_id = Id::new_checked(bot).ok_or("the bot's user id is 0")?;
    let (status, member) = get(http.guild_member(guild_id, bot_id).try_into_request()).await?;
    if status != 200 {
        return Err(format!(
            "the bot is not a member of guild {guild} ({status}): invite it (ladderd invite-url)"
        ));
    }
    let member_roles: Vec<u64> = member["roles"]
        .as_array()
        .map(|a| {
            a.iter()
                .take(250)
                .filter_map(|r| r.as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let mut problems = Vec::new();
    for ch in channels {
        let place = format!("{} ({})", ch.label, ch.id);
        let Some(id) = Id::new_checked(ch.id) else {
            continue;
        };
        let (status, channel) = get(http.channel(id).try_into_request()).await?;
        if status != 200 {
            problems.push(format!(
                "in {place} the bot lacks: View Channel (Discord answered {status} {})",
                channel["code"].as_u64().unwrap_or(0)
            ));
            continue;
        }
        let overwrites: Vec<Overwrite> = channel["permission_overwrites"]
            .as_array()
            .map(|a| {
                a.iter()
                    .take(500)
                    .map(|o| Overwrite {
                        id: field(o, "id"),
                        is_member: o["type"].as_u64() == Some(1),
                        allow: field(o, "allow"),
                        deny: field(o, "deny"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let granted = channel_permissions(guild, bot, &roles, &member_roles, &overwrites);
        if let Some(line) = missing(&place, granted, ch.needs) {
            problems.push(line);
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUILD: u64 = 10;
    const BOT: u64 = 20;
    const ROLE: u64 = 30;

    #[test]
    fn the_invite_asks_for_exactly_what_the_code_uses() {
        // View Channel (1 << 10), Send Messages (1 << 11), Attach Files (1 << 15).
        assert_eq!(invite_permissions(), 1024 + 2048 + 32768);
        assert_eq!(
            invite_url(42, false),
            "https://discord.com/oauth2/authorize?client_id=42\
             &scope=bot+applications.commands&permissions=35840"
        );
        // Rank roles: Manage Roles (1 << 28) too.
        assert!(invite_url(42, true).ends_with(&format!("permissions={}", 35840 + (1 << 28))));
    }

    #[test]
    fn overwrites_apply_in_discords_order() {
        let all = invite_permissions();
        let roles = [(GUILD, bits::VIEW_CHANNEL), (ROLE, all)];
        // The bot's role grants everything; the channel denies threads to
        // the role and gives View back to the member only.
        let overwrites = [
            Overwrite {
                id: GUILD,
                is_member: false,
                allow: 0,
                deny: bits::VIEW_CHANNEL,
            },
            Overwrite {
                id: ROLE,
                is_member: false,
                allow: 0,
                deny: bits::SEND_MESSAGES | bits::VIEW_CHANNEL,
            },
            Overwrite {
                id: BOT,
                is_member: true,
                allow: bits::VIEW_CHANNEL,
                deny: 0,
            },
        ];
        let p = channel_permissions(GUILD, BOT, &roles, &[ROLE], &overwrites);
        assert_eq!(p & bits::VIEW_CHANNEL, bits::VIEW_CHANNEL);
        assert_eq!(p & bits::SEND_MESSAGES, 0);
        let text = missing("#ladder (3)", p, LOBBY).unwrap();
        assert_eq!(
            text,
            "in #ladder (3) the bot lacks: Send Messages (to keep the lobby's status message and \
             reach players whose DMs are closed)"
        );
        assert_eq!(missing("#ladder", all, LOBBY), None);
    }

    #[test]
    fn administrator_overrides_every_overwrite() {
        let roles = [(GUILD, 0), (ROLE, bits::ADMINISTRATOR)];
        let deny_all = [Overwrite {
            id: BOT,
            is_member: true,
            allow: 0,
            deny: u64::MAX,
        }];
        assert_eq!(
            channel_permissions(GUILD, BOT, &roles, &[ROLE], &deny_all),
            u64::MAX
        );
    }
}
