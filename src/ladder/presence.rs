//! Presence (#15 items 1 and 2): knowing when others want to play, and not
//! matching players who have gone away.
//!
//! **Queue expiry.** A player searching for `queue_expiry_minutes` is asked
//! whether they are still there ([`Notice::StillSearching`], with a button
//! that sends [`Command::StayInQueue`]); while asked they are left out of
//! waves (an opponent should not get a card from someone who walked away),
//! and without an answer within [`ANSWER_WITHIN_MS`] they are removed and
//! told.
//!
//! **Notifications.** A player opts in with `/notifications` to a ping
//! ([`Notice::SomeoneSearching`]) when someone starts searching: at most one
//! per their `min_gap`, never in their quiet hours (in their own IANA time
//! zone, from jiff's bundled tz database, so the core needs no system
//! files), optionally only for searchers near their rating. Who is pinged
//! is only idle, set-up, unbanned players; at most [`MAX_PINGS_PER_JOIN`]
//! per join, those pinged longest ago first, so one join never becomes a
//! flood of DMs (Discord's DM anti-spam counts every new DM channel).

use super::{Audience, Effects, Invalid, Ladder, LadderError, Note, Notice, PlayerId};
use crate::store::rows::{NotifyPrefsRow, PlayerState, UnixMillis, Write};

/// How long a player has to answer "still searching?".
pub const ANSWER_WITHIN_MS: i64 = 60_000;
/// At most this many pings per player who starts searching.
pub const MAX_PINGS_PER_JOIN: usize = 25;
/// The gap between pings a subscriber may choose, in minutes.
pub const MIN_GAP_MINUTES: std::ops::RangeInclusive<u32> = 15..=1_440;
const DEFAULT_GAP_MINUTES: u32 = 60;

/// `/notifications`: each `None` keeps the current value; all `None` shows
/// the current settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotifySettings {
    pub enabled: Option<bool>,
    pub min_gap_minutes: Option<u32>,
    /// `"22-07"`, `"22:30-07:00"`, or `"off"`.
    pub quiet_hours: Option<String>,
    /// An IANA name, `Europe/Berlin`; `"UTC"` for none.
    pub time_zone: Option<String>,
    /// Only searchers within this many rating points; 0: anyone.
    pub near_rating: Option<u32>,
}

impl Ladder {
    // ---- queue expiry ----

    pub(super) fn stay_in_queue(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
    ) -> Result<Effects, LadderError> {
        let entry = self.queue.get_mut(&id).ok_or(LadderError::NotQueueing)?;
        entry.active_at = now;
        entry.asked_at = None;
        let mut fx = Effects::default();
        fx.note(Audience::Actor, Note::StayingInQueue);
        Ok(fx)
    }

    /// Asks who has searched for `queue_expiry_minutes`, removes who did not
    /// answer in time (from `tick`).
    pub(super) fn expire_queue(&mut self, now: UnixMillis) -> Effects {
        let mut fx = Effects::default();
        let after = self.config.queue_expiry_ms;
        if after <= 0 {
            return fx;
        }
        let mut removed = Vec::new();
        for (&id, entry) in &mut self.queue {
            match entry.asked_at {
                None if now - entry.active_at >= after => {
                    entry.asked_at = Some(now);
                    fx.tell(
                        Audience::Player(id),
                        Notice::StillSearching {
                            answer_by: now + ANSWER_WITHIN_MS,
                            searching_minutes: (now - entry.joined_at) / 60_000,
                        },
                    );
                }
                Some(at) if now - at >= ANSWER_WITHIN_MS => removed.push(id),
                _ => {}
            }
        }
        for id in removed {
            self.queue.remove(&id);
            self.set_state(id, PlayerState::Idle, now, &mut fx);
            fx.tell(Audience::Player(id), Notice::QueueExpired);
        }
        fx
    }

    /// Whether a queued player takes part in the next wave: not while they
    /// are asked whether they are still there.
    pub(super) fn in_wave(&self, id: PlayerId) -> bool {
        self.queue.get(&id).is_some_and(|e| e.asked_at.is_none())
    }

    // ---- notifications ----

    pub(super) fn set_notifications(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
        s: NotifySettings,
    ) -> Result<Effects, LadderError> {
        self.active_player(id)?;
        if !self.config.notifications {
            return Err(LadderError::Invalid(Invalid::NotificationsOff));
        }
        let mut row = self.notify.get(&id).cloned().unwrap_or(NotifyPrefsRow {
            player_id: id,
            enabled: false,
            min_gap_ms: i64::from(DEFAULT_GAP_MINUTES) * 60_000,
            quiet: None,
            time_zone: None,
            near_rating: None,
            last_ping_at: None,
            updated_at: now,
        });
        let unchanged = s == NotifySettings::default();
        if let Some(e) = s.enabled {
            row.enabled = e;
        }
        if let Some(gap) = s.min_gap_minutes {
            if !MIN_GAP_MINUTES.contains(&gap) {
                return Err(LadderError::Invalid(Invalid::PingGap {
                    min: *MIN_GAP_MINUTES.start(),
                    max: *MIN_GAP_MINUTES.end(),
                }));
            }
            row.min_gap_ms = i64::from(gap) * 60_000;
        }
        if let Some(q) = &s.quiet_hours {
            row.quiet = parse_quiet_hours(q).map_err(LadderError::Invalid)?;
        }
        if let Some(tz) = &s.time_zone {
            row.time_zone = parse_time_zone(tz).map_err(LadderError::Invalid)?;
        }
        if let Some(n) = s.near_rating {
            if n > 5_000 {
                return Err(LadderError::Invalid(Invalid::NearRating { max: 5_000 }));
            }
            row.near_rating = (n > 0).then_some(n);
        }
        let mut fx = Effects::default();
        if !unchanged {
            row.updated_at = now;
            fx.write(Write::NotifyPrefs(row.clone()));
            self.notify.insert(id, row.clone());
        }
        fx.note(Audience::Actor, describe(&row));
        Ok(fx)
    }

    /// Pings subscribers that `searcher` started searching (from `join_queue`).
    pub(super) fn ping_subscribers(
        &mut self,
        now: UnixMillis,
        searcher: PlayerId,
        fx: &mut Effects,
    ) {
        if !self.config.notifications || self.notify.is_empty() {
            return;
        }
        let Some(entry) = self.queue.get(&searcher) else {
            return;
        };
        let races: Vec<String> = entry
            .races
            .iter()
            .map(|&r| self.config.races[r].id.clone())
            .collect();
        let rating = self.best_rating(searcher);
        let mut due: Vec<(Option<UnixMillis>, PlayerId)> = self
            .notify
            .values()
            .filter(|n| n.enabled && n.player_id != searcher)
            .filter(|n| n.last_ping_at.is_none_or(|at| now - at >= n.min_gap_ms))
            .filter(|n| {
                self.players.get(&n.player_id).is_some_and(|p| {
                    p.state == PlayerState::Idle && !p.banned && Ladder::is_set_up(p)
                })
            })
            .filter(|n| {
                n.near_rating.is_none_or(|near| {
                    (self.best_rating(n.player_id) - rating).abs() <= f64::from(near)
                })
            })
            .filter(|n| !in_quiet_hours(n, now))
            .map(|n| (n.last_ping_at, n.player_id))
            .collect();
        // Longest without a ping first (never pinged before all).
        due.sort_unstable();
        due.truncate(MAX_PINGS_PER_JOIN);
        let searching = self.queue.len();
        for (_, p) in due {
            if let Some(n) = self.notify.get_mut(&p) {
                n.last_ping_at = Some(now);
                fx.write(Write::NotifyPrefs(n.clone()));
            }
            fx.tell(
                Audience::Player(p),
                Notice::SomeoneSearching {
                    races: races.clone(),
                    rating: rating.round() as i64,
                    searching,
                },
            );
        }
    }

    /// A player's best current-season rating over their races (the initial
    /// rating when unrated).
    fn best_rating(&self, id: PlayerId) -> f64 {
        self.config
            .races
            .iter()
            .filter_map(|r| self.ratings.get(&(id, r.id.clone())))
            .map(|r| r.rating)
            .fold(None, |best: Option<f64>, r| {
                Some(best.map_or(r, |b| b.max(r)))
            })
            .unwrap_or(self.config.rating.initial_rating)
    }
}

fn describe(n: &NotifyPrefsRow) -> Note {
    Note::Notifications {
        enabled: n.enabled,
        min_gap_minutes: n.min_gap_ms / 60_000,
        quiet: n.quiet,
        time_zone: n.time_zone.clone(),
        near_rating: n.near_rating,
    }
}

/// `"22-07"`, `"22:30-07:00"` → minutes of the day; `"off"` → none.
pub fn parse_quiet_hours(text: &str) -> Result<Option<(u16, u16)>, Invalid> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") || text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    // Echoed back: bounded like the rest of the input.
    let bad = || Invalid::QuietHours {
        given: text.chars().take(16).collect(),
    };
    if text.len() > 16 {
        return Err(bad());
    }
    let (from, to) = text.split_once('-').ok_or_else(bad)?;
    let minute = |t: &str| -> Option<u16> {
        let (h, m) = match t.trim().split_once(':') {
            Some((h, m)) => (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?),
            None => (t.trim().parse::<u16>().ok()?, 0),
        };
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let (from, to) = (minute(from).ok_or_else(bad)?, minute(to).ok_or_else(bad)?);
    if from == to {
        return Err(Invalid::QuietHoursEmpty {
            given: text.to_owned(),
        });
    }
    Ok(Some((from, to)))
}

/// An IANA time zone name as the tz database spells it; `"UTC"` → none.
pub fn parse_time_zone(text: &str) -> Result<Option<String>, Invalid> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("utc") {
        return Ok(None);
    }
    if text.is_empty() || text.len() > 64 {
        return Err(Invalid::TimeZone {
            given: text.chars().take(64).collect(),
        });
    }
    match jiff::tz::TimeZone::get(text) {
        Ok(tz) => Ok(Some(tz.iana_name().unwrap_or(text).to_owned())),
        Err(_) => Err(Invalid::TimeZone {
            given: text.to_owned(),
        }),
    }
}

/// Whether `now` falls in the subscriber's quiet hours, in their zone.
fn in_quiet_hours(n: &NotifyPrefsRow, now: UnixMillis) -> bool {
    let Some((from, to)) = n.quiet else {
        return false;
    };
    let Some(minute) = local_minute(n.time_zone.as_deref(), now) else {
        return false;
    };
    if from < to {
        (from..to).contains(&minute)
    } else {
        minute >= from || minute < to
    }
}

/// The minute of the day at `now` in `zone` (UTC when `None`).
pub fn local_minute(zone: Option<&str>, now: UnixMillis) -> Option<u16> {
    let tz = match zone {
        Some(name) => jiff::tz::TimeZone::get(name).ok()?,
        None => jiff::tz::TimeZone::UTC,
    };
    let t = tz.to_datetime(jiff::Timestamp::from_millisecond(now).ok()?);
    Some(t.hour() as u16 * 60 + t.minute() as u16)
}
