//! The `custom_id`s of ladderd's buttons, selects and modals: one place that
//! writes them and one that reads them back. A custom_id comes back from
//! Discord inside an interaction a user triggered, so parsing is strict and
//! bounded: anything unknown or malformed is `None`, never a panic.

use crate::ladder::{MatchId, Rank};
use crate::store::rows::Report;

/// Discord's limit on a custom_id.
pub const MAX_LEN: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentId {
    AcceptTerms,
    JoinQueue,
    LeaveQueue,
    /// "Keep searching" under "still searching?".
    StayInQueue,
    /// A select of races; the chosen values are the race ids.
    QueueRaces,
    /// A select of maps to veto; the chosen values are map names.
    QueueVetoes,
    Confirm(MatchId),
    Abort(MatchId),
    Report(MatchId, Report),
    /// A leaderboard page button carrying its filters.
    Leaderboard {
        page: usize,
        best_race_only: bool,
        races: Vec<String>,
        countries: Vec<String>,
        regions: Vec<String>,
        ranks: Vec<Rank>,
        season: Option<u32>,
    },
    /// A leaderboard page button whose filters the ladder keeps (they did
    /// not fit in 100 characters): the kept filters' id and the page.
    LeaderboardSaved {
        id: u64,
        page: usize,
    },
    /// The confirm button of an /admin command; only its caller may press it.
    AdminConfirm(u64),
    AdminCancel(u64),
    /// The setup modal.
    SetupModal,
    /// "Show" under a lobby mention: shows the clicker what could not
    /// reach their DMs.
    ShowInbox,
}

impl ComponentId {
    /// The custom_id, or `None` if it would exceed Discord's 100 characters
    /// (a leaderboard filter with too many countries: render no button then).
    pub fn encode(&self) -> Option<String> {
        let s = match self {
            ComponentId::AcceptTerms => "tos:accept".to_owned(),
            ComponentId::JoinQueue => "queue:join".to_owned(),
            ComponentId::LeaveQueue => "queue:leave".to_owned(),
            ComponentId::StayInQueue => "queue:stay".to_owned(),
            ComponentId::QueueRaces => "queue:races".to_owned(),
            ComponentId::QueueVetoes => "queue:vetoes".to_owned(),
            ComponentId::Confirm(id) => format!("match:{id}:confirm"),
            ComponentId::Abort(id) => format!("match:{id}:abort"),
            ComponentId::Report(id, r) => format!("match:{id}:report:{}", r.as_str()),
            ComponentId::Leaderboard {
                page,
                best_race_only,
                races,
                countries,
                regions,
                ranks,
                season,
            } => format!(
                "lb:{page}:{}:{}:{}:{}:{}:{}",
                u8::from(*best_race_only),
                races.join(","),
                countries.join(","),
                regions.join(","),
                ranks
                    .iter()
                    .map(|r| r.letter())
                    .collect::<Vec<_>>()
                    .join(","),
                season.map_or(String::new(), |s| s.to_string()),
            ),
            ComponentId::LeaderboardSaved { id, page } => format!("lbk:{id}:{page}"),
            ComponentId::AdminConfirm(n) => format!("admin:{n}:confirm"),
            ComponentId::AdminCancel(n) => format!("admin:{n}:cancel"),
            ComponentId::SetupModal => "setup".to_owned(),
            ComponentId::ShowInbox => "inbox:show".to_owned(),
        };
        (s.len() <= MAX_LEN).then_some(s)
    }

    pub fn parse(s: &str) -> Option<ComponentId> {
        if s.len() > MAX_LEN {
            return None;
        }
        let parts: Vec<&str> = s.split(':').collect();
        Some(match parts.as_slice() {
            ["tos", "accept"] => ComponentId::AcceptTerms,
            ["queue", "join"] => ComponentId::JoinQueue,
            ["queue", "leave"] => ComponentId::LeaveQueue,
            ["queue", "stay"] => ComponentId::StayInQueue,
            ["queue", "races"] => ComponentId::QueueRaces,
            ["queue", "vetoes"] => ComponentId::QueueVetoes,
            ["match", id, "confirm"] => ComponentId::Confirm(id.parse().ok()?),
            ["match", id, "abort"] => ComponentId::Abort(id.parse().ok()?),
            ["match", id, "report", r] => ComponentId::Report(id.parse().ok()?, Report::parse(r)?),
            // Buttons posted before regions, ranks and seasons existed.
            ["lb", page, best, races, countries] => ComponentId::Leaderboard {
                page: page_number(page)?,
                best_race_only: flag(best)?,
                races: list(races),
                countries: list(countries),
                regions: vec![],
                ranks: vec![],
                season: None,
            },
            ["lb", page, best, races, countries, regions, ranks, season] => {
                ComponentId::Leaderboard {
                    page: page_number(page)?,
                    best_race_only: flag(best)?,
                    races: list(races),
                    countries: list(countries),
                    regions: list(regions),
                    ranks: list(ranks)
                        .iter()
                        .map(|r| Rank::parse(r))
                        .collect::<Option<Vec<_>>>()?,
                    season: match *season {
                        "" => None,
                        s => Some(s.parse().ok()?),
                    },
                }
            }
            ["lbk", id, page] => ComponentId::LeaderboardSaved {
                id: id.parse().ok()?,
                page: page_number(page)?,
            },
            ["admin", n, "confirm"] => ComponentId::AdminConfirm(n.parse().ok()?),
            ["admin", n, "cancel"] => ComponentId::AdminCancel(n.parse().ok()?),
            ["setup"] => ComponentId::SetupModal,
            ["inbox", "show"] => ComponentId::ShowInbox,
            _ => return None,
        })
    }
}

fn page_number(s: &str) -> Option<usize> {
    s.parse().ok().filter(|p| *p >= 1)
}

fn flag(s: &str) -> Option<bool> {
    match s {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_round_trips() {
        let ids = [
            ComponentId::AcceptTerms,
            ComponentId::JoinQueue,
            ComponentId::LeaveQueue,
            ComponentId::StayInQueue,
            ComponentId::QueueRaces,
            ComponentId::QueueVetoes,
            ComponentId::Confirm(42),
            ComponentId::Abort(u64::MAX),
            ComponentId::Report(7, Report::Draw),
            ComponentId::Leaderboard {
                page: 3,
                best_race_only: true,
                races: vec!["T".into(), "Z".into()],
                countries: vec![],
                regions: vec!["EU".into()],
                ranks: vec![Rank::S, Rank::B],
                season: Some(2),
            },
            ComponentId::LeaderboardSaved { id: 17, page: 4 },
            ComponentId::AdminConfirm(99),
            ComponentId::AdminCancel(99),
            ComponentId::ShowInbox,
            ComponentId::SetupModal,
        ];
        for id in ids {
            let s = id.encode().unwrap();
            assert_eq!(ComponentId::parse(&s), Some(id), "{s}");
        }
    }

    #[test]
    fn malformed_ids_are_none() {
        for bad in [
            "",
            "match:x:confirm",
            "match:1:report:maybe",
            "match:-1:abort",
            "lb:0:0::",
            "lb:1:2::",
            "lb:1:0::::Q:",
            "lb:1:0:::::x",
            "lbk:x:1",
            "lbk:1:0",
            "queue",
            "tos:accept:extra",
            &"a".repeat(101),
        ] {
            assert_eq!(ComponentId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn oversized_encodings_are_refused() {
        let id = ComponentId::Leaderboard {
            page: 1,
            best_race_only: false,
            races: vec![],
            countries: (0..40).map(|i| format!("C{i}")).collect(),
            regions: vec![],
            ranks: vec![],
            season: None,
        };
        assert_eq!(id.encode(), None);
    }

    #[test]
    fn buttons_posted_before_seasons_still_page() {
        assert_eq!(
            ComponentId::parse("lb:2:1:T:DE,KR"),
            Some(ComponentId::Leaderboard {
                page: 2,
                best_race_only: true,
                races: vec!["T".into()],
                countries: vec!["DE".into(), "KR".into()],
                regions: vec![],
                ranks: vec![],
                season: None,
            })
        );
    }
}
