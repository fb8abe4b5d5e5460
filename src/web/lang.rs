//! The language of a page: `?lang=` (the switch every page shows) wins, then
//! the browser's `Accept-Language`, then English. Only HTML pages and charts
//! are localised; the JSON API is data only and refuses `lang` like any
//! unknown parameter.
//!
//! `lang` takes a language tag matching a shipped locale by the same rules as
//! `Accept-Language` (`ko`, `ko-KR`, `zh-Hans`, `es-419`, `EN`); any other
//! value is a 400 naming the parameter, like every other bad parameter — a
//! typo in a link should show, not quietly become English.
//!
//! `Accept-Language` is outside input: only its first [`MAX_HEADER`] bytes
//! and [`MAX_ENTRIES`] entries are read; an entry that does not parse
//! (garbage, a bad `q`) is skipped, not the whole header.

use super::WebError;
use crate::l10n::Locale;

/// Bytes of `Accept-Language` read (browsers send well under 100).
pub const MAX_HEADER: usize = 512;
/// Entries of `Accept-Language` read.
pub const MAX_ENTRIES: usize = 16;

/// The shipped locale `Accept-Language` prefers, or `None` (then English).
/// Highest `q` first (RFC 9110 §12.5.4; ties in header order); `q=0` means
/// "not this one"; `*` means any: English unless refused, else the first
/// shipped locale not refused.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut header = header;
    if header.len() > MAX_HEADER {
        // Cut at the last whole entry before the bound.
        let cut = (0..=MAX_HEADER)
            .rev()
            .find(|i| header.is_char_boundary(*i))
            .unwrap_or(0);
        header = header[..cut]
            .rsplit_once(',')
            .map_or("", |(whole, _)| whole);
    }
    // (tag, q in thousandths), in header order.
    let mut entries: Vec<(&str, u16)> = header
        .split(',')
        .take(MAX_ENTRIES)
        .filter_map(entry)
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.1));
    let refused: Vec<Locale> = entries
        .iter()
        .filter(|(tag, q)| *q == 0 && *tag != "*")
        .filter_map(|(tag, _)| Locale::from_tag(tag))
        .collect();
    for (tag, q) in &entries {
        if *q == 0 {
            break;
        }
        if *tag == "*" {
            return Locale::all().find(|l| !refused.contains(l));
        }
        if let Some(l) = Locale::from_tag(tag).filter(|l| !refused.contains(l)) {
            return Some(l);
        }
    }
    None
}

/// One `tag;q=0.8` entry: (tag, q × 1000), or `None` if it does not parse.
fn entry(s: &str) -> Option<(&str, u16)> {
    let mut parts = s.split(';');
    let tag = parts.next()?.trim();
    let tag_ok = tag == "*"
        || (!tag.is_empty()
            && tag.len() <= 35
            && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if !tag_ok {
        return None;
    }
    let mut q = 1000;
    for p in parts {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("q") {
            return None;
        }
        q = qvalue(v.trim())?;
    }
    Some((tag, q))
}

/// RFC 9110's qvalue: `0`, `0.` and up to three digits, `1`, `1.000`.
fn qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Takes `lang` out of a query string: (the locale it names, if any; the
/// rest of the query, `&`-joined as given).
pub fn take_lang(query: Option<&str>) -> (Result<Option<Locale>, WebError>, String) {
    let mut found: Result<Option<Locale>, WebError> = Ok(None);
    let mut rest = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k != "lang" {
            rest.push(pair);
            continue;
        }
        if v.is_empty() {
            // As every parameter: an empty value is no value.
            continue;
        }
        found = match found {
            Ok(None) => match Locale::from_tag(v) {
                Some(l) => Ok(Some(l)),
                None => Err(WebError::BadRequest(format!(
                    "lang takes one of {}, not {:?}",
                    Locale::all()
                        .map(Locale::code)
                        .collect::<Vec<_>>()
                        .join(", "),
                    // Shown escaped (maud), and bounded: at most the URI's
                    // length, cut further here.
                    v.chars().take(40).collect::<String>()
                ))),
            },
            Ok(Some(_)) => Err(WebError::BadRequest("lang is given twice".into())),
            e => e,
        };
    }
    (found, rest.join("&"))
}

/// The locale a page at `target` is shown in: a valid `lang` parameter, else
/// `Accept-Language`, else English. (An invalid `lang` is answered 400 by
/// the route, in the header's language.)
pub fn of_request(target: &str, accept_language: Option<&str>) -> Locale {
    let query = target.split_once('?').map(|(_, q)| q);
    match take_lang(query).0 {
        Ok(Some(l)) => l,
        _ => accept_language
            .and_then(from_accept_language)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(header: &str) -> &'static str {
        from_accept_language(header).unwrap_or_default().code()
    }

    #[test]
    fn tags_match_the_shipped_locales() {
        for (tag, code) in [
            ("ko", "ko"),
            ("ko-KR", "ko"),
            ("KO-kr", "ko"),
            ("zh", "zh-CN"),
            ("zh-CN", "zh-CN"),
            ("zh-Hans", "zh-CN"),
            ("zh-Hans-TW", "zh-CN"),
            ("zh_SG", "zh-CN"),
            ("es-MX", "es-ES"),
            ("es-419", "es-ES"),
            ("en-GB", "en-US"),
            ("ru-RU", "ru"),
            ("de-AT", "de"),
            ("fr-CA", "fr"),
        ] {
            assert_eq!(Locale::from_tag(tag).map(Locale::code), Some(code), "{tag}");
        }
        for tag in [
            "zh-TW",
            "zh-Hant",
            "zh-Hant-CN",
            "zh-HK",
            "pt-BR",
            "x",
            "",
            "k o",
            "ko--",
            "*",
            "ko-KR-toolongsubtag",
        ] {
            assert_eq!(Locale::from_tag(tag), None, "{tag}");
        }
        assert_eq!(Locale::from_tag(&"a".repeat(36)), None);
    }

    #[test]
    fn accept_language_follows_q_values() {
        assert_eq!(pick("ko"), "ko");
        assert_eq!(pick("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"), "ko");
        // Highest q wins, whatever the order; ties keep the header's order.
        assert_eq!(pick("en;q=0.5, de;q=0.9, fr;q=0.7"), "de");
        assert_eq!(pick("ru;q=0.8,fr;q=0.8"), "ru");
        assert_eq!(pick("de;q=1.000,fr"), "de");
        // Unshipped languages are passed over for the next acceptable one.
        assert_eq!(pick("pt-BR, zh-TW;q=0.9, zh-CN;q=0.8"), "zh-CN");
        assert_eq!(pick("ja,ko;q=0.1"), "ko");
        // q=0: not acceptable, even when a wildcard or a region would match.
        assert_eq!(pick("ko;q=0"), "en-US");
        assert_eq!(pick("ko;q=0, ko-KR"), "en-US");
        // Whitespace and case as browsers and proxies send them.
        assert_eq!(pick("  FR-ch ;  Q=0.9 , en ; q=0.1"), "fr");
    }

    #[test]
    fn wildcards_mean_any_but_the_refused() {
        assert_eq!(pick("*"), "en-US");
        assert_eq!(pick("ja, *;q=0.5"), "en-US");
        assert_eq!(pick("*;q=0.5, es;q=0.9"), "es-ES");
        assert_eq!(
            pick("en;q=0, *"),
            "ko",
            "the first shipped locale not refused"
        );
        assert_eq!(pick("*;q=0"), "en-US", "nothing acceptable: English");
    }

    #[test]
    fn garbage_entries_are_skipped_not_believed() {
        for (header, code) in [
            ("", "en-US"),
            (",,,", "en-US"),
            ("ko;q=2, de", "de"),
            ("ko;q=1.5, de", "de"),
            ("ko;q=0.1234, de;q=0.1", "de"),
            ("ko;q=abc, de;q=0.1", "de"),
            ("ko;q=, de;q=0.1", "de"),
            ("ko;level=1, de;q=0.1", "de"),
            ("<script>, fr;q=0.2", "fr"),
            ("ko;q=-0.5, fr;q=0.2", "fr"),
            ("한국어, ru;q=0.2", "ru"),
            ("ko q=1, ru;q=0.2", "ru"),
        ] {
            assert_eq!(pick(header), code, "{header:?}");
        }
    }

    #[test]
    fn a_long_header_is_read_only_so_far() {
        // The preferred language first: found within the bound.
        let long = format!("ru,{}", "xx;q=0.5,".repeat(1000));
        assert!(long.len() > 5 * MAX_HEADER);
        assert_eq!(pick(&long), "ru");
        // Beyond the bound: not read, even with the highest q.
        let late = format!("xx;q=0.5{},ko", " ".repeat(MAX_HEADER));
        assert_eq!(pick(&late), "en-US");
        let early = format!("xx;q=0.5{},ko", " ".repeat(MAX_HEADER - 20));
        assert_eq!(pick(&early), "ko", "the same header within the bound");
        // Beyond MAX_ENTRIES entries within the bound: not read either.
        let many = format!("{}ko", "a,".repeat(MAX_ENTRIES));
        assert!(many.len() < MAX_HEADER);
        assert_eq!(pick(&many), "en-US");
        let within = format!("{}ko", "a,".repeat(MAX_ENTRIES - 1));
        assert_eq!(pick(&within), "ko");
        // A cut inside a multi-byte character does not panic.
        let multibyte = format!("de,{}", "é".repeat(MAX_HEADER));
        assert_eq!(pick(&multibyte), "de");
    }

    #[test]
    fn lang_wins_over_the_header_and_is_validated() {
        assert_eq!(of_request("/leaderboard?lang=de", Some("ko")).code(), "de");
        assert_eq!(
            of_request("/leaderboard?page=2&lang=zh-Hans", None).code(),
            "zh-CN"
        );
        assert_eq!(of_request("/leaderboard?page=2", Some("ko")).code(), "ko");
        assert_eq!(of_request("/leaderboard", None).code(), "en-US");
        // A bad lang falls back for the error page, which the route answers.
        assert_eq!(of_request("/?lang=klingon", Some("ru")).code(), "ru");
        let (found, rest) = take_lang(Some("race=Z&lang=fr&page=2"));
        assert_eq!(found.unwrap().map(Locale::code), Some("fr"));
        assert_eq!(rest, "race=Z&page=2");
        let (found, _) = take_lang(Some("lang=klingon"));
        assert!(
            matches!(found, Err(WebError::BadRequest(m)) if m.starts_with("lang takes one of en-US, ko"))
        );
        let (found, _) = take_lang(Some("lang=ko&lang=de"));
        assert!(matches!(found, Err(WebError::BadRequest(m)) if m.contains("twice")));
    }
}
