//! A match from found to finished: confirmation, aborts, reports, replays,
//! conflicts, and the settlement that turns a result into rating changes.

use std::borrow::Cow;

use super::fairness::Strike;
use super::{
    Ack, Actor, Audience, Effects, EndReason, Invalid, Ladder, LadderError, MatchId, Note, Notice,
    PlayerId, QueueEntry, ReplayEvidence, rating, time,
};
use crate::config::ResultPolicy;
use crate::replay::Sha256;
use crate::store::rows::{
    MatchResult, MatchRow, MatchState, PlayerState, ReplayVerdict, Report, ResultSource,
    UnixMillis, Write,
};

/// The result a report implies, from the reporting slot (1 or 2).
fn implied(slot: u8, report: Report) -> MatchResult {
    match (slot, report) {
        (_, Report::Draw) => MatchResult::Draw,
        (1, Report::Win) | (2, Report::Loss) => MatchResult::Player1,
        _ => MatchResult::Player2,
    }
}

fn state_name(s: MatchState) -> &'static str {
    s.as_str()
}

impl Ladder {
    fn slot_of(&self, m: &MatchRow, id: PlayerId) -> Result<u8, LadderError> {
        if m.player1_id == id {
            Ok(1)
        } else if m.player2_id == id {
            Ok(2)
        } else {
            Err(LadderError::NotYourMatch(m.id))
        }
    }

    fn match_ref(&self, id: MatchId) -> Result<Cow<'_, MatchRow>, LadderError> {
        self.matches.get(&id).ok_or(LadderError::UnknownMatch(id))
    }

    /// Frees both players of a match that no longer needs them.
    pub(super) fn release_players(&mut self, m: &MatchRow, now: UnixMillis, fx: &mut Effects) {
        self.open.remove(&m.id);
        self.reminded.remove(&m.id);
        self.forget_cards(m.id);
        for p in [m.player1_id, m.player2_id] {
            if self.in_match.get(&p) == Some(&m.id) {
                self.in_match.remove(&p);
                self.set_state(p, PlayerState::Idle, now, fx);
            }
        }
    }

    /// Ends an open match as aborted by `by`, on disk as in memory, and
    /// frees its players. `None`: no such match.
    pub(super) fn abort_match(
        &mut self,
        match_id: MatchId,
        by: PlayerId,
        now: UnixMillis,
        fx: &mut Effects,
    ) -> Option<MatchRow> {
        let m = self.matches.get_mut(&match_id)?;
        m.state = MatchState::Aborted;
        m.ended_by = Some(by);
        m.finished_at = Some(now);
        let m = m.clone();
        fx.write(Write::Match(m.clone()));
        self.release_players(&m, now, fx);
        Some(m)
    }

    /// Tells both players; a match's end also goes on its public record.
    /// The two players' names, slot 1 then slot 2, for the result's words.
    pub(super) fn names_of(&self, m: &MatchRow) -> (String, String) {
        (self.name_of(m.player1_id), self.name_of(m.player2_id))
    }

    pub(super) fn tell_both(&self, m: &MatchRow, fx: &mut Effects, body: Notice) {
        if matches!(body, Notice::MatchEnded { .. }) {
            fx.tell(Audience::Match(m.id), body.clone());
        }
        fx.tell(Audience::Player(m.player1_id), body.clone());
        fx.tell(Audience::Player(m.player2_id), body);
    }

    pub(super) fn confirm(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
        match_id: MatchId,
    ) -> Result<Effects, LadderError> {
        self.active_player(id)?;
        let m = self.match_ref(match_id)?;
        let slot = self.slot_of(&m, id)?;
        let mut fx = Effects::default();
        match m.state {
            MatchState::Found => {}
            MatchState::InProgress => {
                fx.tell(Audience::Actor, Notice::Ack(Ack::BothConfirmed));
                return Ok(fx);
            }
            s => return Err(LadderError::WrongState(match_id, state_name(s))),
        }
        if now >= self.confirm_deadline(&m) {
            // The timeout was due before this confirm: it wins, as the tick would have.
            let mut fx = self.expire(now, match_id);
            fx.tell(
                Audience::Actor,
                Notice::Error(LadderError::ConfirmWindowClosed(match_id)),
            );
            return Ok(fx);
        }
        let m = self
            .matches
            .get_mut(&match_id)
            .expect("match_ref found this match");
        let mine = if slot == 1 {
            &mut m.confirmed1_at
        } else {
            &mut m.confirmed2_at
        };
        if mine.is_some() {
            fx.tell(Audience::Actor, Notice::Ack(Ack::AlreadyConfirmed));
            return Ok(fx);
        }
        *mine = Some(now);
        if m.confirmed1_at.is_some() && m.confirmed2_at.is_some() {
            m.state = MatchState::InProgress;
            m.started_at = Some(now);
            let m = m.clone();
            fx.write(Write::Match(m.clone()));
            self.reminded.remove(&match_id);
            self.forget_cards(match_id);
            let card = Box::new(self.card(&m, false));
            self.tell_both(&m, &mut fx, Notice::MatchStarted(card));
        } else {
            fx.write(Write::Match(m.clone()));
            fx.tell(Audience::Actor, Notice::Ack(Ack::ConfirmedWaiting));
        }
        Ok(fx)
    }

    /// The confirm window closed: who did not confirm abandoned the match and
    /// gets a cooldown; who did goes back into the queue.
    fn expire(&mut self, now: UnixMillis, match_id: MatchId) -> Effects {
        let mut fx = Effects::default();
        let Some(m) = self.matches.get_mut(&match_id) else {
            return fx;
        };
        let absent: Vec<PlayerId> = [
            (m.player1_id, m.confirmed1_at),
            (m.player2_id, m.confirmed2_at),
        ]
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(p, _)| *p)
        .collect();
        m.state = MatchState::Abandoned;
        m.ended_by = absent.first().copied();
        m.finished_at = Some(now);
        let m = m.clone();
        let deadline = self.confirm_deadline(&m);
        // Decided before `release_players` forgets when the cards arrived.
        let counted: Vec<PlayerId> = absent
            .iter()
            .copied()
            .filter(|&p| self.lapse_counts(match_id, p, deadline))
            .collect();
        fx.write(Write::Match(m.clone()));
        self.release_players(&m, now, &mut fx);
        for p in [m.player1_id, m.player2_id] {
            if counted.contains(&p) {
                let cooldown = self.strike(p, Strike::Lapse, now, &mut fx);
                let left = self.players.get(&p).map_or(0, |r| r.aborts_left);
                fx.note(
                    Audience::Player(p),
                    Note::Lapsed {
                        match_id,
                        aborts_left: left,
                        cooldown_ms: cooldown,
                    },
                );
            } else if absent.contains(&p) {
                fx.note(Audience::Player(p), Note::LapsedForgiven { match_id });
            } else {
                self.requeue(now, p, &mut fx);
                fx.note(Audience::Player(p), Note::OpponentLapsed { match_id });
            }
        }
        fx
    }

    /// Puts a player who did nothing wrong back into the queue with their
    /// remembered preferences.
    fn requeue(&mut self, now: UnixMillis, p: PlayerId, fx: &mut Effects) {
        let Some(prefs) = self.prefs.get(&p) else {
            return;
        };
        let races: Vec<usize> = prefs
            .races
            .iter()
            .filter_map(|r| self.config.races.iter().position(|x| &x.id == r))
            .collect();
        if races.is_empty() || self.players.get(&p).is_none_or(|r| r.banned) {
            return;
        }
        self.queue.insert(
            p,
            QueueEntry {
                races,
                vetoes: prefs.vetoes.clone(),
                joined_at: now,
                waves_waited: 0,
                active_at: now,
                asked_at: None,
            },
        );
        self.set_state(p, PlayerState::Queueing, now, fx);
    }

    pub(super) fn expire_and_remind(&mut self, now: UnixMillis) -> Effects {
        let mut fx = Effects::default();
        let window = self.config.confirm_window_ms;
        let ids: Vec<MatchId> = self.open.iter().copied().collect();
        for id in ids {
            let Some(m) = self.matches.get(&id) else {
                continue;
            };
            if m.state != MatchState::Found {
                continue;
            }
            let deadline = self.confirm_deadline(&m);
            if now >= deadline {
                fx.extend(self.expire(now, id));
            } else if now >= deadline - window / 3 && !self.reminded.contains(&id) {
                for (p, c) in [
                    (m.player1_id, m.confirmed1_at),
                    (m.player2_id, m.confirmed2_at),
                ] {
                    if c.is_none() {
                        fx.tell(
                            Audience::Player(p),
                            Notice::ConfirmReminder {
                                match_id: id,
                                seconds_left: (deadline - now + 999) / 1000,
                            },
                        );
                    }
                }
                self.reminded.insert(id);
            }
        }
        fx
    }

    pub(super) fn flag_unreported(&mut self, now: UnixMillis) -> Effects {
        let mut fx = Effects::default();
        let after = self.config.unreported_flag_after_ms;
        for id in &self.open {
            let Some(m) = self.matches.get_mut(id) else {
                continue;
            };
            if m.state == MatchState::InProgress
                && m.flagged_at.is_none()
                && m.started_at.is_some_and(|s| now - s >= after)
            {
                m.flagged_at = Some(now);
                fx.write(Write::Match(m.clone()));
                fx.tell(Audience::AdminLog, Notice::Flagged { match_id: *id });
            }
        }
        fx
    }

    pub(super) fn abort(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
        match_id: MatchId,
    ) -> Result<Effects, LadderError> {
        let p = self.active_player(id)?;
        let month = time::month_of(now);
        let left = if p.aborts_month.as_deref() == Some(month.as_str()) {
            p.aborts_left
        } else {
            self.config.aborts_per_month
        };
        let m = self.match_ref(match_id)?;
        self.slot_of(&m, id)?;
        let abortable = matches!(m.state, MatchState::Found | MatchState::InProgress)
            && m.report1.is_none()
            && m.report2.is_none();
        if !abortable {
            return Err(LadderError::WrongState(match_id, state_name(m.state)));
        }
        if left == 0 {
            return Err(LadderError::NoAbortsLeft);
        }
        let mut fx = Effects::default();
        let p = self
            .players
            .get_mut(&id)
            .expect("active_player found this player");
        p.aborts_left = left - 1;
        p.aborts_month = Some(month);
        p.updated_at = now;
        let Some(m) = self.abort_match(match_id, id, now, &mut fx) else {
            return Err(LadderError::UnknownMatch(match_id));
        };
        let cooldown = self.strike(id, Strike::Abort, now, &mut fx);
        self.tell_both(
            &m,
            &mut fx,
            Notice::MatchEnded {
                match_id,
                state: MatchState::Aborted,
                result: None,
                rating_changes: None,
                names: Some(self.names_of(&m)),
                why: EndReason::AbortedBy {
                    name: self.name_of(id),
                    aborts_left: left - 1,
                    cooldown_ms: cooldown,
                },
            },
        );
        Ok(fx)
    }

    pub(super) fn report(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
        match_id: MatchId,
        report: Report,
    ) -> Result<Effects, LadderError> {
        self.active_player(id)?;
        let m = self.match_ref(match_id)?;
        let slot = self.slot_of(&m, id)?;
        let claim = implied(slot, report);
        let replay = self.replay_results.get(&match_id).copied();
        match (m.state, m.result_source) {
            (MatchState::Found, _) => return Err(LadderError::NotConfirmed(match_id)),
            (MatchState::Completed, Some(ResultSource::Admin)) => {
                return Err(LadderError::ResolvedByAdmin(match_id));
            }
            (MatchState::Completed, Some(ResultSource::Replay)) => {
                if Some(claim) == m.result {
                    let mut fx = Effects::default();
                    self.record_report(now, match_id, slot, report, &mut fx);
                    fx.tell(Audience::Actor, Notice::Ack(Ack::ReplayAlreadySettled));
                    return Ok(fx);
                }
                // Contradicts the verified replay: admins decide; the replay's
                // rating change stays until they do.
                let mut fx = Effects::default();
                self.record_report(now, match_id, slot, report, &mut fx);
                self.enter_conflict(now, match_id, replay, &mut fx);
                return Ok(fx);
            }
            (MatchState::Completed, _) => return Err(LadderError::AlreadyCompleted(match_id)),
            (MatchState::InProgress | MatchState::Conflict, _) => {}
            (s, _) => return Err(LadderError::WrongState(match_id, state_name(s))),
        }
        let mut fx = Effects::default();
        self.record_report(now, match_id, slot, report, &mut fx);
        let Some(m) = self.matches.get(&match_id) else {
            return Ok(fx);
        };
        let claims: Vec<MatchResult> = [(1, m.report1), (2, m.report2)]
            .iter()
            .filter_map(|(s, r)| r.map(|r| implied(*s, r)))
            .collect();
        if let Some(truth) = replay {
            if claims.iter().any(|c| *c != truth) {
                self.enter_conflict(now, match_id, Some(truth), &mut fx);
            } else if m.state == MatchState::Conflict {
                // The report that contradicted the replay was corrected.
                self.settle(now, match_id, Some(truth), ResultSource::Replay, &mut fx);
            } else if claims.len() == 2 {
                // `reports`: the replay waited for them; they agree with it.
                self.settle(now, match_id, Some(truth), ResultSource::Reports, &mut fx);
            } else {
                fx.tell(Audience::Actor, Notice::Ack(Ack::ReportSaved));
            }
            return Ok(fx);
        }
        match claims.as_slice() {
            [_, _] if self.config.result_policy == ResultPolicy::ReplayRequired => {
                if claims[0] == claims[1] {
                    // Reports only propose here: the replay decides.
                    let ack = Ack::ReportSavedUploadReplay(match_id);
                    fx.tell(Audience::Actor, Notice::Ack(ack));
                } else {
                    self.enter_conflict(now, match_id, None, &mut fx);
                }
            }
            [a, b] if a == b => {
                let result = *a;
                self.settle(now, match_id, Some(result), ResultSource::Reports, &mut fx);
            }
            [_, _] => self.enter_conflict(now, match_id, None, &mut fx),
            _ if self.config.result_policy == ResultPolicy::ReplayRequired => fx.tell(
                Audience::Actor,
                Notice::Ack(Ack::ReportSavedUploadReplay(match_id)),
            ),
            _ => fx.tell(Audience::Actor, Notice::Ack(Ack::ReportSavedWaiting)),
        }
        Ok(fx)
    }

    fn record_report(
        &mut self,
        now: UnixMillis,
        match_id: MatchId,
        slot: u8,
        report: Report,
        fx: &mut Effects,
    ) {
        let m = self
            .matches
            .get_mut(&match_id)
            .expect("callers looked this match up");
        if slot == 1 {
            m.report1 = Some(report);
            m.reported1_at = Some(now);
        } else {
            m.report2 = Some(report);
            m.reported2_at = Some(now);
        }
        fx.write(Write::Match(m.clone()));
    }

    /// Reports disagree (with each other or with a verified replay): the
    /// players are freed and admins decide.
    fn enter_conflict(
        &mut self,
        now: UnixMillis,
        match_id: MatchId,
        replay_result: Option<MatchResult>,
        fx: &mut Effects,
    ) {
        let m = self
            .matches
            .get_mut(&match_id)
            .expect("callers looked this match up");
        m.state = MatchState::Conflict;
        let m = m.clone();
        fx.write(Write::Match(m.clone()));
        self.release_players(&m, now, fx);
        let body = Notice::Conflict {
            match_id,
            reports: (m.report1, m.report2),
            replay_result,
        };
        fx.tell(Audience::AdminLog, body.clone());
        self.tell_both(&m, fx, body);
    }

    /// Applies `result` (or, with `None`, invalidates) from the ratings
    /// stored on the match. Whatever this match applied before is taken back
    /// first, so settling twice with the same result changes nothing more.
    pub(super) fn settle(
        &mut self,
        now: UnixMillis,
        match_id: MatchId,
        result: Option<MatchResult>,
        source: ResultSource,
        fx: &mut Effects,
    ) {
        let Some(m) = self.matches.get(&match_id).map(Cow::into_owned) else {
            return;
        };
        let old_result = if m.rating1_change.is_some() {
            m.result
        } else {
            None
        };
        let after =
            result.map(|r| rating::after_match(&self.config.rating, m.before1, m.before2, r));
        let finished = m.finished_at.unwrap_or(now);
        let sides = [
            (
                m.player1_id,
                &m.race1,
                m.before1,
                m.rating1_change,
                after.map(|a| a.0),
                true,
            ),
            (
                m.player2_id,
                &m.race2,
                m.before2,
                m.rating2_change,
                after.map(|a| a.1),
                false,
            ),
        ];
        let mut changes = [None, None];
        for (k, (player, race, before, old_change, new, is_one)) in sides.into_iter().enumerate() {
            let mut row = self.rating_or_new(player, race);
            if let Some(old) = old_result {
                row.games = row.games.saturating_sub(1);
                match (old, is_one) {
                    (MatchResult::Draw, _) => row.draws = row.draws.saturating_sub(1),
                    (MatchResult::Player1, true) | (MatchResult::Player2, false) => {
                        row.wins = row.wins.saturating_sub(1)
                    }
                    _ => row.losses = row.losses.saturating_sub(1),
                }
            }
            let new_change = new.map(|a| a.rating - before.rating);
            row.rating += new_change.unwrap_or(0.0) - old_change.unwrap_or(0.0);
            if let (Some(r), Some(a)) = (result, new) {
                row.games += 1;
                match (r, is_one) {
                    (MatchResult::Draw, _) => row.draws += 1,
                    (MatchResult::Player1, true) | (MatchResult::Player2, false) => row.wins += 1,
                    _ => row.losses += 1,
                }
                if old_result.is_none() {
                    row.deviation = a.deviation;
                    row.volatility = a.volatility;
                }
                row.last_played_at = Some(row.last_played_at.map_or(finished, |t| t.max(finished)));
            }
            changes[k] = new_change;
            if old_result.is_some() || result.is_some() {
                fx.write(Write::Rating(row.clone()));
                self.ratings.insert((player, race.clone()), row);
            }
        }
        let m = self
            .matches
            .get_mut(&match_id)
            .expect("looked up at the top of settle");
        m.result = result;
        m.result_source = Some(source);
        m.rating1_change = changes[0];
        m.rating2_change = changes[1];
        m.state = if result.is_some() {
            MatchState::Completed
        } else {
            MatchState::Invalidated
        };
        m.finished_at = Some(finished);
        let m = m.clone();
        fx.write(Write::Match(m.clone()));
        self.release_players(&m, now, fx);
        let why = match source {
            ResultSource::Reports => EndReason::Agreed,
            ResultSource::Replay => EndReason::Replay,
            ResultSource::Admin => EndReason::Admin,
        };
        self.tell_both(
            &m,
            fx,
            Notice::MatchEnded {
                match_id,
                state: m.state,
                result,
                rating_changes: changes[0].zip(changes[1]),
                names: Some(self.names_of(&m)),
                why,
            },
        );
    }

    pub(super) fn replay(
        &mut self,
        now: UnixMillis,
        uploader: Actor,
        ev: ReplayEvidence,
    ) -> Result<Effects, LadderError> {
        let mut fx = Effects::default();
        let row = ev.row.clone();
        let Some(match_id) = row.match_id else {
            fx.write(Write::Replay(row));
            fx.note(Audience::Actor, Note::ReplayUnattached);
            return Ok(fx);
        };
        let m = self.match_ref(match_id)?.into_owned();
        // Players upload their own games; admins may attach anyone's.
        if self.slot_of(&m, uploader.id).is_err() && !self.is_admin(uploader) {
            return Err(LadderError::NotYourMatch(match_id));
        }
        if row.verdict != ReplayVerdict::Verified {
            fx.write(Write::Replay(row.clone()));
            fx.note(
                Audience::Actor,
                Note::ReplayRejected {
                    detail: row.verdict_detail.clone(),
                },
            );
            return Ok(fx);
        }
        // The worker's hash, as the upload path passed it on: a verified
        // row must name its file (`/admin replay`, the archive), so one that
        // is not a sha256 is stored rejected.
        let sha = match row.sha256.parse::<Sha256>() {
            Ok(sha) => sha,
            Err(e) => {
                let mut rejected = row;
                rejected.verdict = ReplayVerdict::Rejected;
                rejected.verdict_detail = format!("the replay's hash is not usable: {e}");
                let detail = rejected.verdict_detail.clone();
                fx.write(Write::Replay(rejected));
                fx.note(Audience::Actor, Note::ReplayRejected { detail });
                return Ok(fx);
            }
        };
        if self.used_replays.contains(&sha) {
            let mut rejected = row;
            rejected.verdict = ReplayVerdict::Rejected;
            rejected.verdict_detail = "this replay was already used for a match".into();
            fx.write(Write::Replay(rejected));
            fx.tell(
                Audience::Actor,
                Notice::Error(LadderError::Invalid(Invalid::ReplayReused)),
            );
            return Ok(fx);
        }
        let Some(result) = self.replay_result(&m, &ev) else {
            let mut rejected = row;
            rejected.verdict = ReplayVerdict::Rejected;
            rejected.verdict_detail = LadderError::ReplayPlayersMismatch(match_id).to_string();
            fx.write(Write::Replay(rejected));
            fx.tell(
                Audience::Actor,
                Notice::Error(LadderError::ReplayPlayersMismatch(match_id)),
            );
            return Ok(fx);
        };
        let mut stored = row;
        stored.winner_slot = match result {
            MatchResult::Player1 => Some(1),
            MatchResult::Player2 => Some(2),
            MatchResult::Draw => None,
        };
        self.used_replays.insert(sha);
        self.replay_files.insert(match_id, sha);
        fx.write(Write::Replay(stored));
        self.replay_results.insert(match_id, result);
        match (m.state, m.result_source) {
            (MatchState::Completed, Some(ResultSource::Admin)) => {
                fx.note(Audience::Actor, Note::ReplayAfterAdmin);
                fx.tell(
                    Audience::AdminLog,
                    Notice::Info(format!(
                        "verified replay for admin-resolved match #{match_id}: {}",
                        result.as_str()
                    )),
                );
            }
            (MatchState::Completed, _) => {
                if m.result == Some(result) {
                    fx.note(Audience::Actor, Note::ReplayAgrees);
                } else {
                    self.enter_conflict(now, match_id, Some(result), &mut fx);
                }
            }
            (MatchState::Found | MatchState::InProgress | MatchState::Conflict, _) => {
                let contradicted = [(1u8, m.report1), (2, m.report2)]
                    .iter()
                    .any(|(s, r)| r.is_some_and(|r| implied(*s, r) != result));
                if contradicted {
                    self.enter_conflict(now, match_id, Some(result), &mut fx);
                } else if self.config.result_policy == ResultPolicy::Reports {
                    // Evidence only: the reports settle (or admins, if one
                    // contradicts it later).
                    fx.note(Audience::Actor, Note::ReplayKept { match_id });
                } else {
                    self.settle(now, match_id, Some(result), ResultSource::Replay, &mut fx);
                }
            }
            (s, _) => fx.note(
                Audience::Actor,
                Note::ReplayStored {
                    match_id,
                    state: s.as_str().to_owned(),
                },
            ),
        }
        Ok(fx)
    }

    /// Maps the replay's two players to the match's slots by name (in-game
    /// name, alternative names, BattleTag name), never by race, so mirror
    /// matches work. `None` when the players cannot be told apart.
    fn replay_result(&self, m: &MatchRow, ev: &ReplayEvidence) -> Option<MatchResult> {
        if ev.players.len() != 2 {
            return None;
        }
        let names = |p: PlayerId| -> Vec<String> {
            let Some(row) = self.players.get(&p) else {
                return Vec::new();
            };
            let mut v: Vec<String> = row.alt_names.iter().map(|a| a.to_lowercase()).collect();
            v.extend(row.ingame_name.iter().map(|n| n.to_lowercase()));
            v.extend(
                row.battletag
                    .iter()
                    .filter_map(|t| t.rsplit_once('#'))
                    .map(|(n, _)| n.to_lowercase()),
            );
            v
        };
        let (n1, n2) = (names(m.player1_id), names(m.player2_id));
        let mut slots = [0u8; 2];
        for (k, rp) in ev.players.iter().enumerate() {
            let name = rp.name.trim().to_lowercase();
            slots[k] = match (n1.contains(&name), n2.contains(&name)) {
                (true, false) => 1,
                (false, true) => 2,
                _ => return None,
            };
        }
        if slots[0] == slots[1] {
            return None;
        }
        let winner = ev.players.iter().position(|p| p.winner);
        Some(match winner.map(|k| slots[k]) {
            Some(1) => MatchResult::Player1,
            Some(_) => MatchResult::Player2,
            None => MatchResult::Draw,
        })
    }
}
