//! `[ladder]`: races, maps, regions, waves and ratings. Owned by the ladder-core issue.
//!
//! Every key is optional; the defaults are a standard StarCraft II ladder.
//! Scalars are read as `Option<Spanned<_>>` so a bad value is reported with
//! its key, line and column, and a missing one takes the default.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::{ConfigError, Validator, span_of};

type Sp<T> = toml::Spanned<T>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLadder {
    pub season_name: Option<Sp<String>>,
    pub race_groups: Option<Vec<RawRaceGroup>>,
    pub maps: Option<Vec<RawMap>>,
    pub max_vetoes: Option<Sp<u64>>,
    pub regions: Option<Vec<RawRegion>>,
    pub servers: Option<Vec<RawServerPair>>,
    pub blocked_region_pairs: Option<Vec<Sp<Vec<String>>>>,
    pub wave_interval_s: Option<Sp<u64>>,
    pub window_base: Option<Sp<f64>>,
    pub window_growth: Option<Sp<f64>>,
    pub wait_bonus: Option<Sp<f64>>,
    pub rematch_penalty: Option<Sp<f64>>,
    pub rematch_last_matches: Option<Sp<u64>>,
    pub rematch_within_minutes: Option<Sp<u64>>,
    pub max_wait_s: Option<Sp<u64>>,
    pub matcher: Option<MatcherStrategy>,
    pub confirm_window_s: Option<Sp<u64>>,
    pub abandon_cooldown_s: Option<Sp<u64>>,
    pub strike_cooldown_minutes: Option<Sp<Vec<u64>>>,
    pub queue_expiry_minutes: Option<Sp<u64>>,
    pub notifications: Option<bool>,
    pub aborts_per_month: Option<Sp<u64>>,
    pub unreported_flag_after_minutes: Option<Sp<u64>>,
    pub result_policy: Option<ResultPolicy>,
    pub rating_system: Option<RatingSystem>,
    pub initial_rating: Option<Sp<f64>>,
    pub initial_deviation: Option<Sp<f64>>,
    pub initial_volatility: Option<Sp<f64>>,
    pub tau: Option<Sp<f64>>,
    pub elo_k: Option<Sp<f64>>,
    pub elo_divisor: Option<Sp<f64>>,
    pub provisional_games: Option<Sp<u64>>,
    pub rank_shares: Option<Sp<Vec<f64>>>,
    pub inactive_after_days: Option<Sp<u64>>,
    pub season_soft_reset: Option<Sp<f64>>,
    pub leaderboard_page_size: Option<Sp<u64>>,
    pub lobby_settings: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRaceGroup {
    pub name: Sp<String>,
    pub races: Vec<RawRace>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRace {
    pub id: Sp<String>,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMap {
    pub name: Sp<String>,
    pub replay_name: Option<String>,
    pub link: Option<String>,
    pub author: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub id: Sp<String>,
    pub server: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServerPair {
    pub regions: Sp<Vec<String>>,
    pub server: String,
}

/// What settles a match's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ResultPolicy {
    /// Two matching reports, or a verified replay, whichever comes first; a
    /// verified replay outranks reports that contradict it (ladderd until #15).
    #[default]
    Either,
    /// Only two matching reports settle; a verified replay is kept as
    /// evidence and, if it contradicts a report, sends the match to admins.
    Reports,
    /// Reports propose, only a verified replay settles; a match without one
    /// after `unreported_flag_after_minutes` is flagged for admins.
    ReplayRequired,
}

impl ResultPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultPolicy::Either => "either",
            ResultPolicy::Reports => "reports",
            ResultPolicy::ReplayRequired => "replay_required",
        }
    }
}

/// How a wave chooses its pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MatcherStrategy {
    /// Maximum-weight matching on the general graph of allowed pairs.
    #[default]
    Optimal,
    /// The original bot's greedy pairing with adjacent-swap refinement.
    Greedy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RatingSystem {
    #[default]
    Glicko2,
    Elo,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Race {
    pub id: String,
    pub name: String,
    /// Index into [`LadderConfig::race_groups`].
    pub group: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapInfo {
    pub name: String,
    /// The map's title as a replay records it, for verification.
    pub replay_name: String,
    pub link: Option<String>,
    pub author: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub id: String,
    /// The server two players of this region play on.
    pub server: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchmakerConfig {
    pub wave_interval_ms: i64,
    pub window_base: f64,
    pub window_growth: f64,
    /// Cost taken off a pair per wave each player has waited.
    pub wait_bonus: f64,
    /// Cost added to a pair who played each other recently.
    pub rematch_penalty: f64,
    pub rematch_last_matches: usize,
    pub rematch_within_ms: i64,
    /// Past this wait a player may be paired outside every rating window.
    pub max_wait_ms: i64,
    pub strategy: MatcherStrategy,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RatingConfig {
    pub system: RatingSystem,
    pub initial_rating: f64,
    pub initial_deviation: f64,
    pub initial_volatility: f64,
    pub tau: f64,
    pub elo_k: f64,
    pub elo_divisor: f64,
    pub provisional_games: u32,
    /// Percent of active rated player-races per letter, S A B C D E F; sums to 100.
    pub rank_shares: [f64; 7],
    pub inactive_after_ms: i64,
    /// 0 keeps ratings across seasons, 1 resets everyone to the initial rating.
    pub season_soft_reset: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LadderConfig {
    pub season_name: String,
    pub race_groups: Vec<String>,
    pub races: Vec<Race>,
    pub maps: Vec<MapInfo>,
    pub max_vetoes: usize,
    pub regions: Vec<Region>,
    /// Unordered region pairs and the server they play on.
    pub servers: Vec<(String, String, String)>,
    /// Unordered region pairs that are never matched.
    pub blocked_region_pairs: Vec<(String, String)>,
    pub matchmaker: MatchmakerConfig,
    pub confirm_window_ms: i64,
    /// The cooldown after a player's first, second, … strike (an abort, or
    /// a confirm window let lapse after the card reached them in time)
    /// within a day; the last step repeats. Never empty.
    pub strike_cooldowns_ms: Vec<i64>,
    /// A searching player is asked to stay after this long (0: never).
    pub queue_expiry_ms: i64,
    /// Whether players may subscribe to "someone is searching" pings.
    pub notifications: bool,
    pub aborts_per_month: u32,
    pub unreported_flag_after_ms: i64,
    pub result_policy: ResultPolicy,
    pub rating: RatingConfig,
    pub leaderboard_page_size: usize,
    /// Custom-game lobby settings shown on every match card.
    pub lobby_settings: Vec<String>,
}

impl Default for LadderConfig {
    fn default() -> Self {
        let v = Validator {
            path: Path::new("<built-in defaults>"),
            source: "",
        };
        validate(RawLadder::default(), &v).expect("the built-in ladder defaults are valid")
    }
}

fn default_race_groups() -> Vec<(String, Vec<(String, String)>)> {
    let races = [
        ("T", "Terran"),
        ("Z", "Zerg"),
        ("P", "Protoss"),
        ("R", "Random"),
    ];
    vec![(
        "StarCraft II".to_owned(),
        races
            .iter()
            .map(|(i, n)| ((*i).to_owned(), (*n).to_owned()))
            .collect(),
    )]
}

const DEFAULT_MAPS: [&str; 7] = [
    "Alcyone LE",
    "Amphion LE",
    "Crimson Court LE",
    "Dynasty LE",
    "Ghost River LE",
    "Goldenaura LE",
    "Oceanborn LE",
];

fn scalar<T: Copy + PartialOrd + std::fmt::Display>(
    v: &Validator<'_>,
    key: &str,
    raw: &Option<Sp<T>>,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError> {
    let Some(s) = raw else { return Ok(default) };
    let x = *s.get_ref();
    if !range.contains(&x) {
        return Err(v.invalid(
            &format!("ladder.{key}"),
            span_of(s),
            format!("{x} is out of range {}..={}", range.start(), range.end()),
        ));
    }
    Ok(x)
}

pub(super) fn validate(raw: RawLadder, v: &Validator<'_>) -> Result<LadderConfig, ConfigError> {
    let season_name = match &raw.season_name {
        Some(s) if s.get_ref().trim().is_empty() => {
            return Err(v.invalid("ladder.season_name", span_of(s), "must not be empty"));
        }
        Some(s) => s.get_ref().trim().to_owned(),
        None => "Season 1".to_owned(),
    };

    let mut race_groups = Vec::new();
    let mut races = Vec::new();
    match &raw.race_groups {
        None => {
            for (g, (name, list)) in default_race_groups().into_iter().enumerate() {
                race_groups.push(name);
                for (id, name) in list {
                    races.push(Race { id, name, group: g });
                }
            }
        }
        Some(groups) => {
            if groups.is_empty() || groups.len() > 2 {
                return Err(v.invalid(
                    "ladder.race_groups",
                    None,
                    format!("{} groups given; a ladder has one or two", groups.len()),
                ));
            }
            let mut seen = HashSet::new();
            for (g, group) in groups.iter().enumerate() {
                if group.races.is_empty() {
                    return Err(v.invalid(
                        "ladder.race_groups.races",
                        span_of(&group.name),
                        format!("group {:?} has no races", group.name.get_ref()),
                    ));
                }
                race_groups.push(group.name.get_ref().clone());
                for race in &group.races {
                    let id = race.id.get_ref();
                    if id.is_empty() || id.len() > 16 || !seen.insert(id.to_lowercase()) {
                        return Err(v.invalid(
                            "ladder.race_groups.races.id",
                            span_of(&race.id),
                            format!("race id {id:?} is empty, longer than 16 or used twice"),
                        ));
                    }
                    races.push(Race {
                        id: id.clone(),
                        name: race.name.clone(),
                        group: g,
                    });
                }
            }
        }
    }

    let maps: Vec<MapInfo> = match &raw.maps {
        None => DEFAULT_MAPS
            .iter()
            .map(|m| MapInfo {
                name: (*m).to_owned(),
                replay_name: (*m).to_owned(),
                link: None,
                author: None,
            })
            .collect(),
        Some(list) => {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for m in list {
                let name = m.name.get_ref().trim();
                if name.is_empty() || !seen.insert(name.to_lowercase()) {
                    return Err(v.invalid(
                        "ladder.maps.name",
                        span_of(&m.name),
                        format!("map name {name:?} is empty or used twice"),
                    ));
                }
                out.push(MapInfo {
                    name: name.to_owned(),
                    replay_name: m.replay_name.clone().unwrap_or_else(|| name.to_owned()),
                    link: m.link.clone(),
                    author: m.author.clone(),
                });
            }
            out
        }
    };
    if maps.is_empty() {
        return Err(v.invalid("ladder.maps", None, "the map pool must not be empty"));
    }
    let max_vetoes = scalar(v, "max_vetoes", &raw.max_vetoes, 4, 0..=64)? as usize;

    let regions: Vec<Region> = match &raw.regions {
        None => [("EU", "Europe"), ("NA", "Americas"), ("KR", "Asia")]
            .iter()
            .map(|(id, server)| Region {
                id: (*id).to_owned(),
                server: (*server).to_owned(),
            })
            .collect(),
        Some(list) => {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for r in list {
                let id = r.id.get_ref();
                if id.is_empty() || !seen.insert(id.clone()) {
                    return Err(v.invalid(
                        "ladder.regions.id",
                        span_of(&r.id),
                        format!("region {id:?} is empty or listed twice"),
                    ));
                }
                out.push(Region {
                    id: id.clone(),
                    server: r.server.clone(),
                });
            }
            out
        }
    };
    if regions.is_empty() {
        return Err(v.invalid("ladder.regions", None, "at least one region is needed"));
    }
    let known = |id: &str| regions.iter().any(|r| r.id == id);
    let pair_of = |key: &str, s: &Sp<Vec<String>>| -> Result<(String, String), ConfigError> {
        let list = s.get_ref();
        if list.len() != 2 || !known(&list[0]) || !known(&list[1]) {
            return Err(v.invalid(
                key,
                span_of(s),
                format!("{list:?} must be two regions listed in ladder.regions"),
            ));
        }
        Ok((list[0].clone(), list[1].clone()))
    };
    let servers = match &raw.servers {
        None => vec![
            ("EU".into(), "NA".into(), "Americas".into()),
            ("NA".into(), "KR".into(), "Americas".into()),
            ("EU".into(), "KR".into(), "Europe".into()),
        ],
        Some(list) => list
            .iter()
            .map(|p| {
                pair_of("ladder.servers.regions", &p.regions).map(|(a, b)| (a, b, p.server.clone()))
            })
            .collect::<Result<_, _>>()?,
    };
    let blocked_region_pairs = match &raw.blocked_region_pairs {
        None => Vec::new(),
        Some(list) => list
            .iter()
            .map(|p| pair_of("ladder.blocked_region_pairs", p))
            .collect::<Result<_, _>>()?,
    };

    let s = 1_000i64;
    let matchmaker = MatchmakerConfig {
        wave_interval_ms: scalar(v, "wave_interval_s", &raw.wave_interval_s, 45, 5..=3_600)? as i64
            * s,
        window_base: scalar(v, "window_base", &raw.window_base, 100.0, 0.0..=10_000.0)?,
        window_growth: scalar(v, "window_growth", &raw.window_growth, 50.0, 0.0..=10_000.0)?,
        wait_bonus: scalar(v, "wait_bonus", &raw.wait_bonus, 20.0, 0.0..=1e9)?,
        rematch_penalty: scalar(
            v,
            "rematch_penalty",
            &raw.rematch_penalty,
            10_000.0,
            0.0..=1e9,
        )?,
        rematch_last_matches: scalar(
            v,
            "rematch_last_matches",
            &raw.rematch_last_matches,
            3,
            0..=100,
        )? as usize,
        rematch_within_ms: scalar(
            v,
            "rematch_within_minutes",
            &raw.rematch_within_minutes,
            60,
            0..=10_080,
        )? as i64
            * 60
            * s,
        max_wait_ms: scalar(v, "max_wait_s", &raw.max_wait_s, 300, 0..=86_400)? as i64 * s,
        strategy: raw.matcher.unwrap_or_default(),
    };

    let rank_shares = match &raw.rank_shares {
        None => [1.0, 7.0, 21.0, 21.0, 21.0, 21.0, 8.0],
        Some(sp) => {
            let list = sp.get_ref();
            let sum: f64 = list.iter().sum();
            if list.len() != 7 || list.iter().any(|x| *x < 0.0) || (sum - 100.0).abs() > 1e-6 {
                return Err(v.invalid(
                    "ladder.rank_shares",
                    span_of(sp),
                    "must be seven non-negative percentages (S A B C D E F) summing to 100",
                ));
            }
            [
                list[0], list[1], list[2], list[3], list[4], list[5], list[6],
            ]
        }
    };
    let rating = RatingConfig {
        system: raw.rating_system.unwrap_or_default(),
        initial_rating: scalar(
            v,
            "initial_rating",
            &raw.initial_rating,
            1500.0,
            0.0..=10_000.0,
        )?,
        initial_deviation: scalar(
            v,
            "initial_deviation",
            &raw.initial_deviation,
            350.0,
            1.0..=1_000.0,
        )?,
        initial_volatility: scalar(
            v,
            "initial_volatility",
            &raw.initial_volatility,
            0.06,
            0.001..=1.0,
        )?,
        tau: scalar(v, "tau", &raw.tau, 0.5, 0.01..=2.0)?,
        elo_k: scalar(v, "elo_k", &raw.elo_k, 40.0, 1.0..=200.0)?,
        elo_divisor: scalar(v, "elo_divisor", &raw.elo_divisor, 500.0, 50.0..=2_000.0)?,
        provisional_games: scalar(v, "provisional_games", &raw.provisional_games, 5, 0..=100)?
            as u32,
        rank_shares,
        inactive_after_ms: scalar(
            v,
            "inactive_after_days",
            &raw.inactive_after_days,
            14,
            1..=3_650,
        )? as i64
            * 86_400
            * s,
        season_soft_reset: scalar(
            v,
            "season_soft_reset",
            &raw.season_soft_reset,
            0.5,
            0.0..=1.0,
        )?,
    };

    Ok(LadderConfig {
        season_name,
        race_groups,
        races,
        maps,
        max_vetoes,
        regions,
        servers,
        blocked_region_pairs,
        matchmaker,
        confirm_window_ms: scalar(v, "confirm_window_s", &raw.confirm_window_s, 60, 10..=3_600)?
            as i64
            * s,
        strike_cooldowns_ms: strike_cooldowns(&raw, v)?,
        queue_expiry_ms: scalar(
            v,
            "queue_expiry_minutes",
            &raw.queue_expiry_minutes,
            30,
            0..=1_440,
        )? as i64
            * 60
            * s,
        notifications: raw.notifications.unwrap_or(true),
        aborts_per_month: scalar(v, "aborts_per_month", &raw.aborts_per_month, 3, 0..=1_000)?
            as u32,
        unreported_flag_after_ms: scalar(
            v,
            "unreported_flag_after_minutes",
            &raw.unreported_flag_after_minutes,
            120,
            5..=10_080,
        )? as i64
            * 60
            * s,
        result_policy: raw.result_policy.unwrap_or_default(),
        rating,
        leaderboard_page_size: scalar(
            v,
            "leaderboard_page_size",
            &raw.leaderboard_page_size,
            40,
            1..=100,
        )? as usize,
        lobby_settings: raw.lobby_settings.unwrap_or_else(|| {
            [
                "Game speed: Faster",
                "Locked alliances: Yes",
                "Observers: None",
            ]
            .map(String::from)
            .to_vec()
        }),
    })
}

/// `strike_cooldown_minutes`, or the older single `abandon_cooldown_s` as
/// a one-step list (a ladder configured before the steps existed keeps its
/// cooldown, now without escalation); not both.
fn strike_cooldowns(raw: &RawLadder, v: &Validator<'_>) -> Result<Vec<i64>, ConfigError> {
    const MINUTE_MS: i64 = 60_000;
    match (&raw.strike_cooldown_minutes, &raw.abandon_cooldown_s) {
        (Some(sp), Some(_)) => Err(v.invalid(
            "ladder.strike_cooldown_minutes",
            span_of(sp),
            "set either strike_cooldown_minutes or the older abandon_cooldown_s, not both",
        )),
        (Some(sp), None) => {
            let list = sp.get_ref();
            if list.is_empty() || list.len() > 10 || list.iter().any(|m| *m > 10_080) {
                return Err(v.invalid(
                    "ladder.strike_cooldown_minutes",
                    span_of(sp),
                    "must be 1 to 10 steps of 0 to 10080 minutes, e.g. [5, 15, 60]",
                ));
            }
            Ok(list.iter().map(|m| *m as i64 * MINUTE_MS).collect())
        }
        (None, Some(_)) => Ok(vec![
            scalar(
                v,
                "abandon_cooldown_s",
                &raw.abandon_cooldown_s,
                300,
                0..=86_400,
            )? as i64
                * 1_000,
        ]),
        (None, None) => Ok(vec![5 * MINUTE_MS, 15 * MINUTE_MS, 60 * MINUTE_MS]),
    }
}

impl LadderConfig {
    pub fn race(&self, id: &str) -> Option<&Race> {
        self.races.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    pub fn map(&self, name: &str) -> Option<&MapInfo> {
        self.maps.iter().find(|m| m.name.eq_ignore_ascii_case(name))
    }

    /// Two or more race groups: every match is played across groups.
    pub fn cross_play(&self) -> bool {
        self.race_groups.len() > 1
    }

    pub fn region_blocked(&self, a: &str, b: &str) -> bool {
        self.blocked_region_pairs
            .iter()
            .any(|(x, y)| (x == a && y == b) || (x == b && y == a))
    }

    /// The server for two residential regions: the cross-table entry, else
    /// (same region, or a pair the table omits) the first player's home server.
    pub fn server_for(&self, a: &str, b: &str) -> String {
        if let Some((_, _, s)) = self
            .servers
            .iter()
            .find(|(x, y, _)| (x == a && y == b) || (x == b && y == a))
        {
            return s.clone();
        }
        self.regions
            .iter()
            .find(|r| r.id == a)
            .or_else(|| self.regions.first())
            .map_or_else(String::new, |r| r.server.clone())
    }

    pub(super) fn describe(&self, out: &mut String) {
        let races: Vec<String> = self
            .races
            .iter()
            .map(|r| format!("{}={}", r.id, r.name))
            .collect();
        let maps: Vec<&str> = self.maps.iter().map(|m| m.name.as_str()).collect();
        let regions: Vec<&str> = self.regions.iter().map(|r| r.id.as_str()).collect();
        let m = &self.matchmaker;
        let _ = writeln!(
            out,
            "[ladder] races = [{}] in {} group(s), maps = [{}], max_vetoes = {}, regions = [{}], \
             blocked pairs = {}, wave = {} s, window = {} + {}/wave, matcher = {:?}, \
             rating = {:?}, confirm = {} s",
            races.join(", "),
            self.race_groups.len(),
            maps.join(", "),
            self.max_vetoes,
            regions.join(", "),
            self.blocked_region_pairs.len(),
            m.wave_interval_ms / 1000,
            m.window_base,
            m.window_growth,
            m.strategy,
            self.rating.system,
            self.confirm_window_ms / 1000,
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{Config, ConfigError};

    fn load(ladder: &str) -> Result<Config, ConfigError> {
        Config::from_toml(Path::new("t.toml"), &format!("[ladder]\n{ladder}"))
    }

    #[test]
    fn defaults_are_the_sc2_profile() {
        let c = load("").expect("empty ladder section is valid").ladder;
        let ids: Vec<&str> = c.races.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["T", "Z", "P", "R"]);
        assert!(!c.cross_play());
        assert_eq!(c.max_vetoes, 4);
        assert_eq!(c.matchmaker.wave_interval_ms, 45_000);
        assert_eq!(c.leaderboard_page_size, 40);
    }

    #[test]
    fn bad_value_names_key_and_line() {
        let e = load("max_vetoes = 4\nwave_interval_s = 1\n").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("ladder.wave_interval_s"), "{text}");
        assert!(text.contains("line 3"), "{text}");
    }

    #[test]
    fn unknown_key_is_refused() {
        assert!(load("wave_intervall_s = 45\n").is_err());
    }

    #[test]
    fn two_group_profile_and_region_tables() {
        let c = load(
            r#"
blocked_region_pairs = [["EU", "KR"]]
[[race_groups]]
name = "Brood War"
races = [{ id = "BT", name = "BW Terran" }, { id = "BZ", name = "BW Zerg" }]
[[race_groups]]
name = "StarCraft II"
races = [{ id = "T", name = "Terran" }, { id = "Z", name = "Zerg" }]
"#
            .replace("[[race_groups]]", "[[ladder.race_groups]]")
            .as_str(),
        )
        .expect("valid two-group profile")
        .ladder;
        assert!(c.cross_play());
        assert_eq!(c.race("bz").map(|r| r.group), Some(0));
        assert!(c.region_blocked("KR", "EU"));
        assert_eq!(c.server_for("NA", "EU"), "Americas");
        assert_eq!(c.server_for("KR", "KR"), "Asia");
    }

    #[test]
    fn example_file_documents_every_default() {
        let example = include_str!("../../ladderd.example.toml");
        let c = Config::from_toml(Path::new("ladderd.example.toml"), example)
            .expect("the example config is valid")
            .ladder;
        assert_eq!(c, super::LadderConfig::default());
    }

    #[test]
    fn changed_keys_name_each_difference_as_in_the_file() {
        let a = load("").unwrap().ladder;
        assert!(a.changed_keys(&a.clone()).is_empty());
        let b = load("wave_interval_s = 60\nelo_k = 32\n[[ladder.maps]]\nname = \"Alcyone LE\"\n")
            .unwrap()
            .ladder;
        assert_eq!(
            a.changed_keys(&b),
            ["ladder.maps", "ladder.wave_interval_s", "ladder.elo_k"]
        );
        // A key written with its default value is no change.
        let c = load("max_vetoes = 4\n").unwrap().ladder;
        assert!(a.changed_keys(&c).is_empty());
    }

    #[test]
    fn rank_shares_must_sum_to_100() {
        let e = load("rank_shares = [1, 7, 21, 21, 21, 21, 9]\n").unwrap_err();
        assert!(e.to_string().contains("ladder.rank_shares"));
    }
}
