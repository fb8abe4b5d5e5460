//! The transactional outbox, core side: which messages are owed, and what a
//! restart does with the ones still owed.
//!
//! Every message to a person or place (not the interaction reply, which
//! answers the actor and is sent after the commit anyway) that reports a state
//! change is *durable*: [`Ladder::seal`] gives it an outbox id and adds an
//! [`OutboxRow`] to the same [`Effects`], so the row commits in the same
//! transaction as the change it reports. Reminders and wave summaries are
//! not durable: they are about a moment, and a restart has its own answer
//! (the card is re-sent with its new deadline).
//!
//! Delivery is the Discord layer's (see `discord::bot`): it sends each sealed
//! message once committed and reports it with `LadderHandle::delivered`,
//! which writes [`Write::OutboxSettled`] (sent, with the Discord message id).
//! Discord's `nonce` with `enforce_nonce`, derived from the outbox id, makes a
//! resend of a message whose settle mark was lost in a crash a no-op on
//! Discord's side (within Discord's dedupe window). A row that failed to send
//! stays pending; a later retry with backoff (issue #14) reads the same
//! rows and settles them the same way.
//!
//! On restart [`Ladder::resume`] (called once Discord is ready) first extends
//! every confirm deadline by the downtime — from the last heartbeat
//! ([`Write::AliveAt`], written at most every [`ALIVE_EVERY_MS`]) to now —
//! then handles each pending row by kind:
//!
//! | kind | policy |
//! |---|---|
//! | match card | re-sent, rebuilt with the extended deadline, while the match still waits for confirms; else superseded |
//! | match started | re-sent while the match is in progress; else superseded (its end has its own row) |
//! | result, conflict, flag, information | always delivered |
//!
//! Superseded rows are settled as such in the resume's own commit.

use serde::{Deserialize, Serialize};

use super::{Audience, Effects, EndReason, Ladder, MatchId, Message, Note, Notice};
use crate::store::rows::{
    Delivery, MatchResult, MatchState, OutboxAudience, OutboxRow, Report, UnixMillis, Write,
};

/// How often the ladder writes its heartbeat: a restart credits players with
/// at most this much more than the real downtime.
pub const ALIVE_EVERY_MS: i64 = 5_000;

/// What an outbox row says, as stored (JSON). Cards carry only their match:
/// a resend rebuilds the card from the match as it is then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Body {
    MatchFound {
        match_id: MatchId,
    },
    MatchStarted {
        match_id: MatchId,
    },
    MatchEnded {
        match_id: MatchId,
        state: String,
        result: Option<String>,
        rating_changes: Option<(f64, f64)>,
        /// Older rows: why it ended, in English words. Newer ones: `why`.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<EndReason>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        names: Option<(String, String)>,
    },
    Conflict {
        match_id: MatchId,
        reports: (Option<String>, Option<String>),
        replay_result: Option<String>,
    },
    Flagged {
        match_id: MatchId,
    },
    /// Free English text; players' notices were these before `Note`.
    Info {
        text: String,
    },
    QueueExpired,
    Note {
        note: Note,
    },
}

impl Body {
    /// The durable form of `notice`; `None`: not durable.
    fn of(notice: &Notice) -> Option<Body> {
        Some(match notice {
            Notice::MatchFound(card) => Body::MatchFound {
                match_id: card.match_id,
            },
            Notice::MatchStarted(card) => Body::MatchStarted {
                match_id: card.match_id,
            },
            Notice::MatchEnded {
                match_id,
                state,
                result,
                rating_changes,
                names,
                why,
            } => Body::MatchEnded {
                match_id: *match_id,
                state: state.as_str().to_owned(),
                result: result.map(|r| r.as_str().to_owned()),
                rating_changes: *rating_changes,
                detail: String::new(),
                why: Some(why.clone()),
                names: names.clone(),
            },
            Notice::Conflict {
                match_id,
                reports,
                replay_result,
            } => Body::Conflict {
                match_id: *match_id,
                reports: (
                    reports.0.map(|r| r.as_str().to_owned()),
                    reports.1.map(|r| r.as_str().to_owned()),
                ),
                replay_result: replay_result.map(|r| r.as_str().to_owned()),
            },
            Notice::Flagged { match_id } => Body::Flagged {
                match_id: *match_id,
            },
            Notice::Info(text) => Body::Info { text: text.clone() },
            Notice::QueueExpired => Body::QueueExpired,
            Notice::Note(note) => Body::Note { note: note.clone() },
            _ => return None,
        })
    }
}

fn audience_of(to: Audience) -> Option<OutboxAudience> {
    match to {
        Audience::Actor => None,
        Audience::Player(p) => Some(OutboxAudience::Player(p)),
        Audience::Lobby => Some(OutboxAudience::Lobby),
        Audience::Match(m) => Some(OutboxAudience::Match(m)),
        Audience::AdminLog => Some(OutboxAudience::AdminLog),
    }
}

fn audience_from(to: OutboxAudience) -> Audience {
    match to {
        OutboxAudience::Player(p) => Audience::Player(p),
        OutboxAudience::Lobby => Audience::Lobby,
        OutboxAudience::Match(m) => Audience::Match(m),
        OutboxAudience::AdminLog => Audience::AdminLog,
    }
}

impl Ladder {
    /// Gives every durable message of `fx` an outbox id and its row, in the
    /// same effects (so in the same commit). Messages that already have an
    /// id (a resend) keep it.
    pub(super) fn seal(&mut self, now: UnixMillis, fx: &mut Effects) {
        for m in &mut fx.messages {
            if m.outbox.is_some() {
                continue;
            }
            let (Some(to), Some(body)) = (audience_of(m.to), Body::of(&m.body)) else {
                continue;
            };
            let Ok(body_json) = serde_json::to_string(&body) else {
                continue;
            };
            let id = self.next_outbox_id;
            self.next_outbox_id += 1;
            m.outbox = Some(id);
            fx.writes.push(Write::Outbox(OutboxRow {
                id,
                created_at: now,
                to,
                body_json,
            }));
        }
        self.track_cards(&fx.messages);
    }

    /// Records that outbox row `id` was delivered (Discord's message id when
    /// known). The core forgets a row once sealed, except a match card's:
    /// when it reached its player decides what a lapse costs (`fairness`).
    pub fn delivered(&mut self, id: u64, now: UnixMillis, message_id: Option<u64>) -> Effects {
        let mut fx = Effects {
            writes: vec![Write::OutboxSettled {
                id,
                at: now,
                delivery: Delivery::Sent,
                message_id,
            }],
            messages: Vec::new(),
        };
        self.card_reached(id, now, &mut fx);
        fx
    }

    /// The rows a restart found still owed, until [`resume`](Self::resume)
    /// handles them.
    pub fn pending_outbox(&self) -> &[OutboxRow] {
        &self.pending_outbox
    }

    /// Whether [`resume`](Self::resume) has run: until then the ladder loop
    /// runs no tick (no deadline expires, no wave runs).
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// The first thing after a start, once Discord can deliver: credits the
    /// downtime to every confirm deadline still running, starts the wave
    /// clock from now, and re-issues what the outbox still owes (policy in
    /// the module docs). Runs once; later calls return nothing.
    pub fn resume(&mut self, now: UnixMillis) -> Effects {
        let mut fx = Effects::default();
        if std::mem::replace(&mut self.resumed, true) {
            return fx;
        }
        let downtime = self.down_since.map_or(0, |at| (now - at).max(0));
        let waiting: Vec<MatchId> = self
            .open
            .iter()
            .copied()
            .filter(|id| {
                self.matches
                    .get(id)
                    .is_some_and(|m| m.state == MatchState::Found)
            })
            .collect();
        for id in waiting {
            let Some(deadline) = self.matches.get(&id).map(|m| self.confirm_deadline(&m)) else {
                continue;
            };
            // Everyone gets the time they had left when ladderd went down.
            let extended = deadline + downtime;
            if let Some(m) = self.matches.get_mut(&id)
                && m.confirm_by != Some(extended)
            {
                m.confirm_by = Some(extended);
                fx.write(Write::Match(m.clone()));
            }
            self.reminded.remove(&id);
        }
        self.next_wave_at = super::next_wave_after(now, self.config.matchmaker.wave_interval_ms);
        for row in std::mem::take(&mut self.pending_outbox) {
            match self.reissue(&row) {
                Some(body) => fx.messages.push(Message {
                    to: audience_from(row.to),
                    body,
                    outbox: Some(row.id),
                }),
                None => fx.write(Write::OutboxSettled {
                    id: row.id,
                    at: now,
                    delivery: Delivery::Superseded,
                    message_id: None,
                }),
            }
        }
        fx.write(Write::AliveAt(now));
        self.alive_written = now;
        fx
    }

    /// What a pending row still says; `None`: nothing worth sending.
    fn reissue(&self, row: &OutboxRow) -> Option<Notice> {
        let body: Body = serde_json::from_str(&row.body_json).ok()?;
        let state = |id: MatchId| self.matches.get(&id).map(|m| m.state);
        Some(match body {
            Body::MatchFound { match_id } if state(match_id) == Some(MatchState::Found) => {
                Notice::MatchFound(Box::new(self.card(&*self.matches.get(&match_id)?, false)))
            }
            Body::MatchStarted { match_id } if state(match_id) == Some(MatchState::InProgress) => {
                Notice::MatchStarted(Box::new(self.card(&*self.matches.get(&match_id)?, false)))
            }
            Body::MatchFound { .. } | Body::MatchStarted { .. } => return None,
            Body::MatchEnded {
                match_id,
                state,
                result,
                rating_changes,
                detail,
                why,
                names,
            } => Notice::MatchEnded {
                match_id,
                state: MatchState::parse(&state)?,
                result: result.as_deref().and_then(MatchResult::parse),
                rating_changes,
                names,
                why: why.unwrap_or(EndReason::Legacy { text: detail }),
            },
            Body::Conflict {
                match_id,
                reports,
                replay_result,
            } => Notice::Conflict {
                match_id,
                reports: (
                    reports.0.as_deref().and_then(Report::parse),
                    reports.1.as_deref().and_then(Report::parse),
                ),
                replay_result: replay_result.as_deref().and_then(MatchResult::parse),
            },
            Body::Flagged { match_id } => Notice::Flagged { match_id },
            Body::Info { text } => Notice::Info(text),
            Body::QueueExpired => Notice::QueueExpired,
            Body::Note { note } => Notice::Note(note),
        })
    }

    /// The heartbeat, when one is due (from `tick`).
    pub(super) fn heartbeat(&mut self, now: UnixMillis, fx: &mut Effects) {
        if now - self.alive_written >= ALIVE_EVERY_MS {
            self.alive_written = now;
            fx.write(Write::AliveAt(now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(body_json: &str) -> OutboxRow {
        OutboxRow {
            id: 1,
            created_at: 0,
            to: OutboxAudience::Player(1),
            body_json: body_json.to_owned(),
        }
    }

    /// What a restart makes of `notice` once sealed: stored and read back.
    fn stored_and_read(notice: &Notice) -> Option<Notice> {
        let body = Body::of(notice).expect("durable");
        let json = serde_json::to_string(&body).expect("serialisable");
        super::super::tests::ladder().reissue(&row(&json))
    }

    #[test]
    fn notes_and_results_survive_the_outbox() {
        let notes = vec![
            Note::Lapsed {
                match_id: 7,
                aborts_left: 2,
                cooldown_ms: 300_000,
            },
            Note::LapsedForgiven { match_id: 7 },
            Note::OpponentLapsed { match_id: 7 },
            Note::QueueEmptiedByRestart,
            Note::StayingInQueue,
            Note::RemovedFromQueue {
                reason: "afk \"quoted\"".into(),
            },
            Note::QueueCleared {
                reason: "maintenance".into(),
            },
            Note::Banned {
                reason: "smurfing".into(),
            },
            Note::Unbanned,
            Note::MapPoolChanged {
                added: vec!["Alcyone LE".into()],
                removed: vec![],
            },
            Note::SeasonStarted {
                ended: "S1".into(),
                started: "S2".into(),
                maps: 7,
            },
            Note::Notifications {
                enabled: true,
                min_gap_minutes: 30,
                quiet: Some((1320, 420)),
                time_zone: Some("Europe/Berlin".into()),
                near_rating: Some(200),
            },
            Note::ReplayUnattached,
            Note::ReplayRejected {
                detail: "wrong map".into(),
            },
            Note::ReplayAfterAdmin,
            Note::ReplayAgrees,
            Note::ReplayKept { match_id: 7 },
            Note::ReplayStored {
                match_id: 7,
                state: "aborted".into(),
            },
        ];
        for note in notes {
            let notice = Notice::Note(note);
            assert_eq!(stored_and_read(&notice).as_ref(), Some(&notice));
        }
        for why in [
            EndReason::Agreed,
            EndReason::Replay,
            EndReason::Admin,
            EndReason::AbortedBy {
                name: "Alpha".into(),
                aborts_left: 3,
                cooldown_ms: 600_000,
            },
            EndReason::AdminReset {
                reason: "stuck".into(),
            },
        ] {
            let notice = Notice::MatchEnded {
                match_id: 7,
                state: MatchState::Completed,
                result: Some(MatchResult::Player2),
                rating_changes: Some((-12.5, 12.5)),
                names: Some(("Alpha".into(), "Bravo".into())),
                why,
            };
            assert_eq!(stored_and_read(&notice).as_ref(), Some(&notice));
        }
    }

    /// Rows the version before `Note` wrote, verbatim: an upgrade must still
    /// deliver them, in their (English) words.
    #[test]
    fn rows_of_the_previous_version_still_decode() {
        let l = super::super::tests::ladder();
        let info = r#"{"kind":"info","text":"your opponent did not confirm match #7; you are back in the queue"}"#;
        assert_eq!(
            l.reissue(&row(info)),
            Some(Notice::Info(
                "your opponent did not confirm match #7; you are back in the queue".into()
            ))
        );
        let ended = r#"{"kind":"match_ended","match_id":7,"state":"completed","result":"player1","rating_changes":[12.0,-12.0],"detail":"both players agreed"}"#;
        assert_eq!(
            l.reissue(&row(ended)),
            Some(Notice::MatchEnded {
                match_id: 7,
                state: MatchState::Completed,
                result: Some(MatchResult::Player1),
                rating_changes: Some((12.0, -12.0)),
                names: None,
                why: EndReason::Legacy {
                    text: "both players agreed".into()
                },
            })
        );
        // And the new form is what this version writes: no English in it.
        let new = Body::of(&Notice::MatchEnded {
            match_id: 7,
            state: MatchState::Aborted,
            result: None,
            rating_changes: None,
            names: Some(("Alpha".into(), "Bravo".into())),
            why: EndReason::Agreed,
        })
        .map(|b| serde_json::to_string(&b).expect("serialisable"));
        assert_eq!(
            new.as_deref(),
            Some(
                r#"{"kind":"match_ended","match_id":7,"state":"aborted","result":null,"rating_changes":null,"why":{"why":"agreed"},"names":["Alpha","Bravo"]}"#
            )
        );
    }
}
