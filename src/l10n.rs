//! Localisation: every player-facing string comes from Fluent message files,
//! one folder per locale — `locales/<lang>/ladderd.ftl` (Discord messages),
//! `commands.ftl` (slash command names) and `web.ftl` (the web site, ids
//! `web-*`) — compiled into the binary (`include_str!`), so the .deb and the
//! systemd unit need no extra files. One bundle per locale holds all three.
//!
//! In Discord the language is the `locale` Discord reports on an interaction,
//! with English as the fallback for any locale not shipped (and for any
//! message a locale lacks, which `discord::l10n_tests` make impossible for
//! the shipped files). For messages that answer no interaction (DMs, cards)
//! `bot` remembers each player's last seen locale, and the guild's for the
//! lobby and logs. On the web site it is `?lang=` or `Accept-Language`
//! ([`Locale::from_tag`]; `web::lang`).
//!
//! Numbers: fluent-bundle chooses plural categories by CLDR rules
//! (`intl_pluralrules`) but prints numbers as Rust does; [`format_number`]
//! adds each locale's decimal and grouping separators. Grouping starts at five
//! digits in every locale (CLDR's `minimumGroupingDigits` = 2, as Spanish and
//! Polish use it), so ratings such as 1500 read as players write them.
//!
//! fluent-bundle (Project Fluent's own crate) rather than fluent-templates:
//! the latter is a loader and macro layer over the same bundle whose
//! `static_loader!` pulls in a directory walker and arc-swap; ladderd has
//! one file per locale and needs only the bundle.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// One shipped locale: Discord's code and the message file.
struct Shipped {
    /// Discord's locale code (its "Locales" table).
    discord: &'static str,
    ftl: &'static str,
    /// Slash command names and descriptions (`commands.rs`); English has
    /// none: the builder's own text is the English.
    commands: &'static str,
    /// The web site's text.
    web: &'static str,
    /// The language's own name, for the site's language switch.
    name: &'static str,
    /// (decimal separator, group separator).
    separators: (char, char),
}

/// A shipped locale's files under `locales/<dir>/`, built into the binary.
macro_rules! shipped {
    ($dir:literal, $name:literal, $separators:expr, commands: $commands:expr) => {
        Shipped {
            discord: $dir,
            ftl: include_str!(concat!("../locales/", $dir, "/ladderd.ftl")),
            web: include_str!(concat!("../locales/", $dir, "/web.ftl")),
            name: $name,
            commands: $commands,
            separators: $separators,
        }
    };
    ($dir:literal, $name:literal, $separators:expr) => {
        shipped!($dir, $name, $separators,
            commands: include_str!(concat!("../locales/", $dir, "/commands.ftl")))
    };
}

const SHIPPED: &[Shipped] = &[
    shipped!("en-US", "English", ('.', ','), commands: ""),
    shipped!("ko", "한국어", ('.', ',')),
    shipped!("zh-CN", "简体中文", ('.', ',')),
    shipped!("es-ES", "Español", (',', '.')),
    // CLDR: a no-break space groups Russian digits.
    shipped!("ru", "Русский", (',', '\u{a0}')),
    shipped!("de", "Deutsch", (',', '.')),
    // CLDR: a narrow no-break space groups French digits.
    shipped!("fr", "Français", (',', '\u{202f}')),
];

/// A shipped locale (an index into the shipped list); `Default` is English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Locale(usize);

impl Locale {
    pub const ENGLISH: Locale = Locale(0);

    /// The locale to use for Discord's locale code `code`: the shipped one,
    /// a close relative (`en-GB` → English, `es-419` → Spanish), else English.
    /// Traditional Chinese (`zh-TW`) is not Simplified Chinese: English.
    pub fn from_discord(code: &str) -> Locale {
        let code = code.trim();
        if let Some(i) = SHIPPED.iter().position(|s| s.discord == code) {
            return Locale(i);
        }
        let family = code.split('-').next().unwrap_or("");
        let related = match family {
            "es" => "es-ES",
            _ => "en-US",
        };
        Locale(
            SHIPPED
                .iter()
                .position(|s| s.discord == related)
                .unwrap_or(0),
        )
    }

    /// The shipped locale a BCP 47 language tag (`ko-KR`, `zh-Hans`, `es-419`,
    /// `EN`) asks for, or `None`: the language must match (case-insensitive,
    /// `_` taken as `-`); `en-*` is English, `es-*` Spanish; Chinese is ours
    /// unless it says Traditional (`zh-Hant`, or `zh-TW`/`-HK`/`-MO` without
    /// `Hans`). Tags are at most 35 characters (RFC 5646's longest useful
    /// one); anything longer or not letters/digits is `None`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        if tag.is_empty() || tag.len() > 35 {
            return None;
        }
        let tag = tag.to_ascii_lowercase().replace('_', "-");
        let mut parts = tag.split('-');
        let language = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        let valid =
            |p: &str| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric());
        if !(2..=8).contains(&language.len())
            || !language.bytes().all(|b| b.is_ascii_alphabetic())
            || !rest.iter().all(|p| valid(p))
        {
            return None;
        }
        let code = match language {
            "en" => "en-US",
            "es" => "es-ES",
            "zh" => {
                let has = |x: &str| rest.contains(&x);
                let traditional =
                    has("hant") || (!has("hans") && (has("tw") || has("hk") || has("mo")));
                if traditional {
                    return None;
                }
                "zh-CN"
            }
            other => other,
        };
        SHIPPED.iter().position(|s| s.discord == code).map(Locale)
    }

    /// Discord's code for this locale (also its BCP 47 tag, for `lang=`
    /// and `Content-Language`).
    pub fn code(self) -> &'static str {
        SHIPPED[self.0].discord
    }

    /// The language's own name ("한국어"), the same in every locale.
    pub fn name(self) -> &'static str {
        SHIPPED[self.0].name
    }

    /// Every shipped locale, English first.
    pub fn all() -> impl Iterator<Item = Locale> {
        (0..SHIPPED.len()).map(Locale)
    }

    /// `id`'s text in this locale (English when this locale lacks it; the
    /// id itself if English lacks it too, so a mistake shows, never panics).
    pub fn text(self, id: &str, args: &[(&str, Arg)]) -> String {
        // Unit tests render every notice in every locale: there, a missing
        // message or argument is a failure, not a quiet fallback.
        #[cfg(test)]
        if let Err(e) = self.try_text(id, args) {
            panic!("{e}");
        }
        self.try_text(id, args)
            .or_else(|_| Locale::ENGLISH.try_text(id, args))
            .unwrap_or_else(|_| id.to_owned())
    }

    /// A slash command's (or option's) localised name and description:
    /// message `id`'s value and its `.desc` attribute, from this locale's
    /// own file only (`None`: not localised; Discord then shows the default).
    pub fn command_text(self, id: &str) -> Option<(String, String)> {
        let bundle = &BUNDLES[self.0];
        let message = bundle.get_message(id)?;
        let mut errors = Vec::new();
        let name = bundle.format_pattern(message.value()?, None, &mut errors);
        let desc = bundle.format_pattern(message.get_attribute("desc")?.value(), None, &mut errors);
        errors
            .is_empty()
            .then(|| (name.into_owned(), desc.into_owned()))
    }

    /// A slash command choice's localised name (message `id`'s value, from
    /// this locale's own file only).
    pub fn choice_text(self, id: &str) -> Option<String> {
        let bundle = &BUNDLES[self.0];
        let mut errors = Vec::new();
        let name = bundle.format_pattern(bundle.get_message(id)?.value()?, None, &mut errors);
        errors.is_empty().then(|| name.into_owned())
    }

    /// `id`'s text in this locale, or what went wrong (tests use this to
    /// find a missing message or variable).
    pub fn try_text(self, id: &str, args: &[(&str, Arg)]) -> Result<String, String> {
        let bundle = &BUNDLES[self.0];
        let message = bundle
            .get_message(id)
            .ok_or_else(|| format!("{}: no message {id}", self.code()))?;
        let pattern = message
            .value()
            .ok_or_else(|| format!("{}: {id} has no value", self.code()))?;
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (k, v) in args {
            fluent_args.set(*k, v.value());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if errors.is_empty() {
            Ok(text.into_owned())
        } else {
            Err(format!("{}: {id}: {errors:?}", self.code()))
        }
    }
}

/// One argument of a message.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Shown as it is (names, ids, pre-formatted values).
    Str(String),
    /// A number: chooses plural forms and is printed the locale's way.
    Num(f64),
}

impl Arg {
    fn value(&self) -> FluentValue<'_> {
        match self {
            Arg::Str(s) => FluentValue::from(s.as_str()),
            Arg::Num(n) => FluentValue::from(*n),
        }
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_owned())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Str(s.clone())
    }
}
macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Num(n as f64)
            }
        }
    )*};
}
num_arg!(u32, u64, i64, usize, f64);

/// `[("name", value.into()), …]` without the noise.
#[macro_export]
macro_rules! l10n_args {
    ($($k:literal => $v:expr),* $(,)?) => {
        &[$(($k, $crate::l10n::Arg::from($v))),*]
    };
}

static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| {
    SHIPPED
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // The files are ours and tested; a syntax error in one loses only
            // the broken entries (the rest still parses), never the process.
            let resource = FluentResource::try_new(s.ftl.to_owned()).unwrap_or_else(|(r, _)| r);
            let lang = s.discord.parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![lang]);
            // Discord shows Unicode isolation marks as-is in some clients.
            bundle.set_use_isolating(false);
            bundle.set_formatter(Some(FORMATTERS[i]));
            let _ = bundle.add_resource(resource);
            // Ids are unique across the three files (tested): a clash would
            // lose the later file's message.
            for extra in [s.commands, s.web] {
                let extra = FluentResource::try_new(extra.to_owned()).unwrap_or_else(|(r, _)| r);
                let _ = bundle.add_resource(extra);
            }
            bundle
        })
        .collect()
});

type Formatter = fn(&FluentValue, &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String>;

/// One formatter per shipped locale (fluent-bundle takes a plain `fn`,
/// which cannot capture the locale).
const FORMATTERS: [Formatter; 7] = [
    |v, _| formatted(v, 0),
    |v, _| formatted(v, 1),
    |v, _| formatted(v, 2),
    |v, _| formatted(v, 3),
    |v, _| formatted(v, 4),
    |v, _| formatted(v, 5),
    |v, _| formatted(v, 6),
];
const _: () = assert!(FORMATTERS.len() == SHIPPED.len());

fn formatted(v: &FluentValue, locale: usize) -> Option<String> {
    match v {
        FluentValue::Number(n) => Some(format_number(n.value, Locale(locale))),
        _ => None,
    }
}

/// `n` the way `locale` writes it: its decimal separator, digits grouped by
/// threes from five digits on, at most two decimals (trailing zeros cut).
pub fn format_number(n: f64, locale: Locale) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    let (decimal, group) = SHIPPED[locale.0].separators;
    let rounded = (n * 100.0).round() / 100.0;
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    if rounded < 0.0 {
        out.push('-');
    }
    if int.len() >= 5 {
        for (i, d) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(group);
            }
            out.push(d);
        }
    } else {
        out.push_str(int);
    }
    if !frac.is_empty() {
        out.push(decimal);
        out.push_str(frac);
    }
    out
}

/// One locale's message files, for tests that parse them.
#[cfg(test)]
pub(crate) struct Sources {
    pub locale: Locale,
    pub ladderd: &'static str,
    pub commands: &'static str,
    pub web: &'static str,
}

/// The message files, for tests that parse them.
#[cfg(test)]
pub(crate) fn sources() -> impl Iterator<Item = Sources> {
    SHIPPED.iter().enumerate().map(|(i, s)| Sources {
        locale: Locale(i),
        ladderd: s.ftl,
        commands: s.commands,
        web: s.web,
    })
}
