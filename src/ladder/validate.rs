//! Checks on what players type: setup fields, one clear message per invalid
//! field. Pure functions; the config supplies the allowed regions.

use crate::config::LadderConfig;

/// ISO 3166-1 alpha-2, officially assigned codes (249).
pub(crate) const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ \
BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ \
DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT \
GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY \
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX \
MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS \
RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN \
TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

pub const MAX_ALT_NAMES: usize = 3;

/// What a player submits to set up (or change) their profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupForm {
    pub ingame_name: String,
    pub battletag: String,
    pub alt_names: Vec<String>,
    pub country: String,
    pub region: String,
}

/// A setup form's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    IngameName,
    BattleTag,
    AltNames,
    Country,
    Region,
}

impl Field {
    /// Its English name (logs, `Display`); the Discord layer words it
    /// from `field-*` in the reader's language.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::IngameName => "in-game name",
            Field::BattleTag => "BattleTag",
            Field::AltNames => "alternative names",
            Field::Country => "country",
            Field::Region => "region",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with a field, as data (`problem-*` messages word it);
/// `Display` is English, for logs. Echoed input is what the player typed,
/// already bounded by the form (Discord's modal limits).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    #[error("{name:?} has {chars} characters; an in-game name has 3 to 12")]
    NameLength { name: String, chars: usize },
    #[error("{name:?} contains {found:?}; an in-game name has letters only")]
    NameLetters { name: String, found: char },
    #[error("{tag:?} has no '#'; a BattleTag looks like Name#1234")]
    TagNoHash { tag: String },
    #[error("the name part {name:?} has {chars} characters; it has 1 to 12")]
    TagNameLength { name: String, chars: usize },
    #[error("the name part {name:?} must be letters or digits and not start with a digit")]
    TagNameChars { name: String },
    #[error("the number part {digits:?} must be 3 to 12 digits")]
    TagDigits { digits: String },
    #[error("{given} given; at most {max} alternative names")]
    TooManyAltNames { given: usize, max: usize },
    #[error("{name:?} is listed twice (or is your in-game name); names must be distinct")]
    AltNameTwice { name: String },
    #[error(
        "{given:?} is not an ISO 3166 country code (two letters, e.g. DE, KR, US; XX for none)"
    )]
    Country { given: String },
    #[error("{given:?} is not a region of this ladder; choose one of {choices}")]
    Region { given: String, choices: String },
}

/// One invalid field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    pub field: Field,
    pub problem: FieldProblem,
}

/// A setup that passed every check, normalised (trimmed, country upper-case,
/// region as configured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSetup {
    pub ingame_name: String,
    pub battletag: String,
    pub alt_names: Vec<String>,
    pub country: String,
    pub region: String,
}

pub fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code)
}

/// The code a player gives who represents no country (user-assigned in ISO
/// 3166, as the original bot used it).
pub const NON_REPRESENTING: &str = "XX";

/// A country a profile may carry: an ISO code or [`NON_REPRESENTING`].
/// Returns the normalised code, or why not.
pub fn check_country(given: &str) -> Result<String, FieldError> {
    let code = given.trim().to_ascii_uppercase();
    if is_country(&code) || code == NON_REPRESENTING {
        Ok(code)
    } else {
        Err(FieldError {
            field: Field::Country,
            problem: FieldProblem::Country {
                given: given.trim().to_owned(),
            },
        })
    }
}

/// Why `name` is not an in-game name the ladder accepts, if it is not.
pub fn ingame_name_error(name: &str) -> Option<FieldProblem> {
    let n = name.chars().count();
    if !(3..=12).contains(&n) {
        return Some(FieldProblem::NameLength {
            name: name.to_owned(),
            chars: n,
        });
    }
    if let Some(c) = name.chars().find(|c| !c.is_alphabetic()) {
        return Some(FieldProblem::NameLetters {
            name: name.to_owned(),
            found: c,
        });
    }
    None
}

/// `Name#1234`: a name of 1–12 letters or digits in any script, not starting
/// with a digit, then 3–12 digits.
pub fn battletag_error(tag: &str) -> Option<FieldProblem> {
    let Some((name, digits)) = tag.rsplit_once('#') else {
        return Some(FieldProblem::TagNoHash {
            tag: tag.to_owned(),
        });
    };
    let n = name.chars().count();
    if !(1..=12).contains(&n) {
        return Some(FieldProblem::TagNameLength {
            name: name.to_owned(),
            chars: n,
        });
    }
    if name.chars().any(|c| !c.is_alphanumeric()) || name.starts_with(|c: char| c.is_numeric()) {
        return Some(FieldProblem::TagNameChars {
            name: name.to_owned(),
        });
    }
    if !(3..=12).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(FieldProblem::TagDigits {
            digits: digits.to_owned(),
        });
    }
    None
}

pub fn check_setup(config: &LadderConfig, form: &SetupForm) -> Result<ValidSetup, Vec<FieldError>> {
    let mut errors = Vec::new();
    let ingame = form.ingame_name.trim();
    if let Some(m) = ingame_name_error(ingame) {
        errors.push(FieldError {
            field: Field::IngameName,
            problem: m,
        });
    }
    let tag = form.battletag.trim();
    if let Some(m) = battletag_error(tag) {
        errors.push(FieldError {
            field: Field::BattleTag,
            problem: m,
        });
    }
    let alts: Vec<String> = form
        .alt_names
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    if alts.len() > MAX_ALT_NAMES {
        errors.push(FieldError {
            field: Field::AltNames,
            problem: FieldProblem::TooManyAltNames {
                given: alts.len(),
                max: MAX_ALT_NAMES,
            },
        });
    } else {
        let mut seen = vec![ingame.to_lowercase()];
        for alt in &alts {
            if let Some(m) = ingame_name_error(alt) {
                errors.push(FieldError {
                    field: Field::AltNames,
                    problem: m,
                });
            } else if seen.contains(&alt.to_lowercase()) {
                errors.push(FieldError {
                    field: Field::AltNames,
                    problem: FieldProblem::AltNameTwice { name: alt.clone() },
                });
            }
            seen.push(alt.to_lowercase());
        }
    }
    let country = match check_country(&form.country) {
        Ok(c) => c,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    let region = config
        .regions
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(form.region.trim()));
    if region.is_none() {
        let ids: Vec<&str> = config.regions.iter().map(|r| r.id.as_str()).collect();
        errors.push(FieldError {
            field: Field::Region,
            problem: FieldProblem::Region {
                given: form.region.trim().to_owned(),
                choices: ids.join(", "),
            },
        });
    }
    match region {
        Some(r) if errors.is_empty() => Ok(ValidSetup {
            ingame_name: ingame.to_owned(),
            battletag: tag.to_owned(),
            alt_names: alts,
            country,
            region: r.id.clone(),
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SetupForm {
        SetupForm {
            ingame_name: "Serral".into(),
            battletag: "Serral#2637".into(),
            alt_names: vec![],
            country: "fi".into(),
            region: "EU".into(),
        }
    }

    #[test]
    fn country_list_is_complete() {
        assert_eq!(COUNTRIES.split(' ').count(), 249);
        assert!(is_country("KR") && is_country("FI") && !is_country("XX"));
    }

    #[test]
    fn valid_setup_is_normalised() {
        let v = check_setup(&LadderConfig::default(), &form()).expect("valid");
        assert_eq!(v.country, "FI");
    }

    #[test]
    fn non_latin_battletags_and_names_work() {
        let mut f = form();
        f.battletag = "이제동#123".into();
        f.ingame_name = "Jaedong".into();
        f.alt_names = vec!["Тест".into(), "Ёжик".into()];
        assert!(check_setup(&LadderConfig::default(), &f).is_ok());
        f.battletag = "ГлавныйГерой#123456789012".into();
        assert!(check_setup(&LadderConfig::default(), &f).is_ok());
    }

    #[test]
    fn each_invalid_field_gets_its_own_message() {
        let f = SetupForm {
            ingame_name: "ab".into(),
            battletag: "NoHash1234".into(),
            alt_names: vec!["Alpha".into(), "alpha".into()],
            country: "QQ".into(),
            region: "Mars".into(),
        };
        let errors = check_setup(&LadderConfig::default(), &f).unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Field::IngameName,
                Field::BattleTag,
                Field::AltNames,
                Field::Country,
                Field::Region
            ]
        );
        // Logs keep the English words.
        assert_eq!(
            errors[0].to_string(),
            "in-game name: \"ab\" has 2 characters; an in-game name has 3 to 12"
        );
    }

    #[test]
    fn non_representing_players_are_accepted() {
        let mut f = form();
        f.country = "xx".into();
        assert_eq!(
            check_setup(&LadderConfig::default(), &f).unwrap().country,
            NON_REPRESENTING
        );
        assert!(check_country("ZZ").is_err());
        assert_eq!(check_country(" kr ").unwrap(), "KR");
    }

    #[test]
    fn battletag_rules() {
        for bad in [
            "#1234",
            "Name#12",
            "Name#1234567890123",
            "1Name#1234",
            "Na me#1234",
            "ThirteenChars#123",
        ] {
            assert!(battletag_error(bad).is_some(), "{bad}");
        }
        for good in ["A#123", "Name#123456789012", "Name2#1234"] {
            assert_eq!(battletag_error(good), None, "{good}");
        }
    }

    #[test]
    fn at_most_three_alt_names() {
        let mut f = form();
        f.alt_names = vec!["Aaa".into(), "Bbb".into(), "Ccc".into(), "Ddd".into()];
        assert_eq!(
            check_setup(&LadderConfig::default(), &f).unwrap_err()[0].field,
            Field::AltNames
        );
        f.alt_names.pop();
        assert!(check_setup(&LadderConfig::default(), &f).is_ok());
    }
}
