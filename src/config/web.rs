//! `[web]`: the read-only web site and JSON API (`crate::web`), off by default.

use std::fmt::Write as _;
use std::net::SocketAddr;

use serde::Deserialize;

use super::{ConfigError, Validator, span_of};

/// A base URL longer than this is refused (it is written into every page).
const MAX_BASE_URL: usize = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeb {
    pub listen: Option<toml::Spanned<SocketAddr>>,
    pub base_url: Option<toml::Spanned<String>>,
    pub max_connections: Option<toml::Spanned<usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebConfig {
    /// Off when `None`.
    pub listen: Option<SocketAddr>,
    /// The public address of the site (behind its reverse proxy), without a
    /// trailing slash; links in pages and the API use it. Empty: relative links.
    pub base_url: String,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
}

pub(super) fn validate(raw: RawWeb, v: &Validator<'_>) -> Result<WebConfig, ConfigError> {
    let base_url = match raw.base_url {
        None => String::new(),
        Some(s) => {
            let url = s.get_ref().trim_end_matches('/');
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= MAX_BASE_URL
                && url
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'\\'));
            if !ok {
                return Err(v.invalid(
                    "web.base_url",
                    span_of(&s),
                    format!(
                        "{:?} is not an http(s) URL of at most {MAX_BASE_URL} printable characters",
                        s.get_ref()
                    ),
                ));
            }
            url.to_owned()
        }
    };
    let max_connections = match raw.max_connections {
        None => 64,
        Some(n) if (1..=4096).contains(n.get_ref()) => *n.get_ref(),
        Some(n) => {
            return Err(v.invalid(
                "web.max_connections",
                span_of(&n),
                format!("{} is out of range 1..=4096", n.get_ref()),
            ));
        }
    };
    Ok(WebConfig {
        listen: raw.listen.map(|a| *a.get_ref()),
        base_url,
        max_connections,
    })
}

impl WebConfig {
    pub(super) fn describe(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "[web] listen = {}, base_url = {}, max_connections = {}",
            self.listen.map_or("(off)".to_owned(), |a| a.to_string()),
            if self.base_url.is_empty() {
                "(relative links)"
            } else {
                &self.base_url
            },
            self.max_connections
        );
    }
}
