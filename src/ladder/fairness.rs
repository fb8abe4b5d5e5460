//! Fair confirms: what a lapse or an abort costs.
//!
//! A *strike* is an abort, or a confirm window let lapse although the card
//! demonstrably reached the player in time: the Discord layer reports each
//! card's delivery (`Ladder::delivered` on the card's outbox row), and a
//! lapse counts only when the card was delivered with at least half the
//! window left ([`Ladder::lapse_counts`]). A lapse after a late or failed
//! delivery costs nothing: the player may never have seen the card.
//!
//! Each strike costs the next step of `strike_cooldown_minutes`, counted
//! over the player's strikes of the last 24 hours, and a counted lapse costs
//! one abort of the monthly allowance like an abort does — with none left,
//! it takes the last (longest) step at once, so lapsing is never a free
//! dodge. Lifetime counts of both are kept for `/admin player`.

use super::{Effects, Ladder, MatchId, Message, Notice, PlayerId, time};
use crate::store::rows::{UnixMillis, Write};

/// Strikes older than this no longer escalate the cooldown.
pub const STRIKE_MEMORY_MS: i64 = 24 * 60 * 60 * 1000;

/// What a player did to earn a strike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strike {
    /// The abort already took its allowance (see `abort`).
    Abort,
    Lapse,
}

impl Ladder {
    /// Remembers which outbox rows are match cards to whom, so a delivery
    /// report can be tied to the card (called by `seal`, after ids are given).
    pub(super) fn track_cards(&mut self, messages: &[Message]) {
        for m in messages {
            if let (Some(id), Notice::MatchFound(card), super::Audience::Player(p)) =
                (m.outbox, &m.body, m.to)
            {
                self.card_outbox.insert(id, (card.match_id, p));
            }
        }
    }

    /// A card reached its player (from the outbox's delivery report): when,
    /// kept while the match waits for confirms.
    pub(super) fn card_reached(&mut self, outbox: u64, now: UnixMillis, fx: &mut Effects) {
        let Some((match_id, player)) = self.card_outbox.remove(&outbox) else {
            return;
        };
        let waiting = self.open.contains(&match_id)
            && self
                .matches
                .get(&match_id)
                .is_some_and(|m| m.state == crate::store::rows::MatchState::Found);
        if waiting && !self.card_delivered.contains_key(&(match_id, player)) {
            self.card_delivered.insert((match_id, player), now);
            fx.write(Write::CardDelivered {
                match_id,
                player_id: player,
                at: now,
            });
        }
    }

    /// Forgets the card bookkeeping of a match that no longer waits for
    /// confirms.
    pub(super) fn forget_cards(&mut self, match_id: MatchId) {
        self.card_outbox.retain(|_, (m, _)| *m != match_id);
        self.card_delivered.retain(|(m, _), _| *m != match_id);
    }

    /// Whether `player`'s lapse of `match_id` counts: their card was
    /// delivered with at least half the confirm window left before
    /// `deadline`.
    pub(super) fn lapse_counts(
        &self,
        match_id: MatchId,
        player: PlayerId,
        deadline: UnixMillis,
    ) -> bool {
        self.card_delivered
            .get(&(match_id, player))
            .is_some_and(|&at| at <= deadline - self.config.confirm_window_ms / 2)
    }

    /// Records a strike against `player` and sets their cooldown; returns
    /// the cooldown in ms. A lapse also costs an abort of the allowance.
    pub(super) fn strike(
        &mut self,
        player: PlayerId,
        kind: Strike,
        now: UnixMillis,
        fx: &mut Effects,
    ) -> i64 {
        self.roll_abort_month(player, now);
        let steps = &self.config.strike_cooldowns_ms;
        let Some(p) = self.players.get_mut(&player) else {
            return 0;
        };
        p.strikes.retain(|&at| now - at < STRIKE_MEMORY_MS);
        p.strikes.push(now);
        let step = p.strikes.len().min(steps.len()).max(1) - 1;
        let mut cooldown = steps.get(step).copied().unwrap_or(0);
        match kind {
            Strike::Abort => p.aborts_total += 1,
            Strike::Lapse => {
                p.lapses_total += 1;
                if p.aborts_left == 0 {
                    cooldown = steps.last().copied().unwrap_or(0);
                } else {
                    p.aborts_left -= 1;
                }
                p.aborts_month = Some(time::month_of(now));
            }
        }
        let until = now + cooldown;
        if p.queue_cooldown_until.is_none_or(|u| u < until) {
            p.queue_cooldown_until = Some(until);
        }
        p.updated_at = now;
        fx.write(Write::Player(p.clone()));
        cooldown
    }

    /// The name a notice shows for a player: in-game name, else Discord name.
    pub(super) fn name_of(&self, player: PlayerId) -> String {
        self.players
            .get(&player)
            .map(|p| {
                p.ingame_name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| p.discord_name.clone())
            })
            .unwrap_or_else(|| "a player".to_owned())
    }
}
