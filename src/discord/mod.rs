//! ladderd's Discord layer: the outbound scheduler and its pacing by
//! Discord's rate-limit headers, the transport (twilight-built requests sent
//! over hyper, one attempt each), the gateway, the router and the bot.

pub mod bot;
pub mod commands;
pub mod connect;
pub mod delivery;
pub mod gateway;
pub mod ids;
pub mod live;
pub mod outbound;
pub mod permissions;
pub mod ratelimit;
pub mod render;
pub mod roles;
pub mod router;
pub mod transport;
pub mod upload;

#[cfg(test)]
mod bot_tests;
#[cfg(test)]
mod l10n_tests;
#[cfg(test)]
mod router_tests;
#[cfg(test)]
mod tests;
