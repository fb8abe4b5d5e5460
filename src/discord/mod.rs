//! ladderd's Discord layer. What is here so far: the outbound scheduler and
//! its pacing by Discord's rate-limit headers. The gateway, the router and the
//! twilight-http transport come with the issue "ladderd on Discord".

pub mod bot;
pub mod commands;
pub mod connect;
pub mod gateway;
pub mod ids;
pub mod live;
pub mod outbound;
pub mod ratelimit;
pub mod render;
pub mod router;
pub mod transport;
pub mod upload;

#[cfg(test)]
mod bot_tests;
#[cfg(test)]
mod router_tests;
#[cfg(test)]
mod tests;
