//! The bot token: from `$DISCORD_TOKEN`, or from the file `discord-token` in
//! `$CREDENTIALS_DIRECTORY` (systemd's `LoadCredential=`). Never from the
//! config file, never printed: its `Debug` is redacted and it has no `Display`.

use std::fmt;
use std::path::PathBuf;

/// A token is ~70 bytes; anything this long is not one.
const MAX_TOKEN_BYTES: usize = 512;

#[derive(Clone)]
pub struct DiscordToken {
    secret: String,
    source: TokenSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Env,
    Credential(PathBuf),
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Env => f.write_str("$DISCORD_TOKEN"),
            TokenSource::Credential(path) => write!(f, "{}", path.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "no bot token: set $DISCORD_TOKEN, or use systemd's LoadCredential=discord-token:PATH \
         (read from $CREDENTIALS_DIRECTORY/discord-token)"
    )]
    Missing,
    #[error("cannot read the bot token from {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the bot token from {0} is malformed: {1}")]
    Malformed(TokenSource, &'static str),
}

impl fmt::Debug for DiscordToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordToken")
            .field("secret", &"[redacted]")
            .field("source", &self.source)
            .finish()
    }
}

impl DiscordToken {
    /// Reads the token from the process environment.
    pub fn from_env() -> Result<DiscordToken, TokenError> {
        Self::from_sources(
            std::env::var("DISCORD_TOKEN").ok(),
            std::env::var_os("CREDENTIALS_DIRECTORY").map(PathBuf::from),
        )
    }

    /// The rule, apart from the process environment so tests need not touch it.
    pub fn from_sources(
        env_token: Option<String>,
        credentials_dir: Option<PathBuf>,
    ) -> Result<DiscordToken, TokenError> {
        if let Some(secret) = env_token.filter(|t| !t.is_empty()) {
            return Self::checked(secret, TokenSource::Env);
        }
        let Some(dir) = credentials_dir else {
            return Err(TokenError::Missing);
        };
        let path = dir.join("discord-token");
        match std::fs::read(&path) {
            Ok(bytes) => {
                let source = TokenSource::Credential(path);
                if bytes.len() > MAX_TOKEN_BYTES {
                    return Err(TokenError::Malformed(source, "longer than 512 bytes"));
                }
                let text = String::from_utf8(bytes)
                    .map_err(|_| TokenError::Malformed(source.clone(), "not UTF-8"))?;
                Self::checked(text.trim_end_matches(['\n', '\r']).to_owned(), source)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(TokenError::Missing),
            Err(source) => Err(TokenError::Read { path, source }),
        }
    }

    fn checked(secret: String, source: TokenSource) -> Result<DiscordToken, TokenError> {
        if secret.is_empty() {
            return Err(TokenError::Malformed(source, "empty"));
        }
        if secret.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed(source, "longer than 512 bytes"));
        }
        if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TokenError::Malformed(
                source,
                "contains whitespace or control characters",
            ));
        }
        Ok(DiscordToken { secret, source })
    }

    /// The secret itself, for the one place that hands it to twilight.
    pub fn expose(&self) -> &str {
        &self.secret
    }

    pub fn source(&self) -> &TokenSource {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_wins_and_debug_is_redacted() {
        let t = DiscordToken::from_sources(Some("abc.def".into()), None).unwrap();
        assert_eq!(t.expose(), "abc.def");
        assert_eq!(*t.source(), TokenSource::Env);
        assert!(!format!("{t:?}").contains("abc.def"));
    }

    #[test]
    fn credential_file_is_read_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("discord-token"), "tok123\n").unwrap();
        let t = DiscordToken::from_sources(None, Some(dir.path().into())).unwrap();
        assert_eq!(t.expose(), "tok123");
    }

    #[test]
    fn missing_and_malformed_are_errors() {
        assert!(matches!(
            DiscordToken::from_sources(None, None),
            Err(TokenError::Missing)
        ));
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            DiscordToken::from_sources(None, Some(dir.path().into())),
            Err(TokenError::Missing)
        ));
        let err = DiscordToken::from_sources(Some("a b".into()), None).unwrap_err();
        assert!(err.to_string().contains("whitespace"), "{err}");
        assert!(!err.to_string().contains("a b"));
    }
}
