//! Joining and leaving the queue, and the wave that turns the queue into matches.

use rand_chacha::rand_core::RngCore;

use super::matchmaker::{self, Candidate, PairRules, RaceOption};
use super::{
    Ack, Audience, CardSide, Effects, Ladder, LadderError, MatchCard, Notice, PlayerId, QueueEntry,
    rating,
};
use crate::store::rows::{
    MatchRow, MatchState, PlayerState, QueuePrefsRow, RatingBefore, UnixMillis, Write,
};

impl Ladder {
    pub(super) fn join_queue(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
        races: Vec<String>,
        vetoes: Option<Vec<String>>,
    ) -> Result<Effects, LadderError> {
        let p = self.active_player(id)?;
        if !Ladder::is_set_up(p) {
            return Err(LadderError::NotSetUp);
        }
        match p.state {
            PlayerState::Queueing => return Err(LadderError::AlreadyQueueing),
            PlayerState::InMatch => return Err(LadderError::InMatch),
            PlayerState::Idle => {}
        }
        if let Some(until) = p.queue_cooldown_until
            && until > now
        {
            return Err(LadderError::Cooldown((until - now + 999) / 1000));
        }
        let remembered = self.prefs.get(&id);
        let race_names = if races.is_empty() {
            remembered.map(|r| r.races.clone()).unwrap_or_default()
        } else {
            races
        };
        let race_idx = self.check_races(&race_names)?;
        let vetoes = match vetoes {
            Some(v) => self.check_vetoes(&v)?,
            // Remembered vetoes of maps no longer in the pool are dropped.
            None => remembered
                .map(|r| {
                    r.vetoes
                        .iter()
                        .filter_map(|v| self.pool_map(v))
                        .take(self.config.max_vetoes)
                        .collect()
                })
                .unwrap_or_default(),
        };
        let prefs = QueuePrefsRow {
            player_id: id,
            races: race_idx
                .iter()
                .map(|&i| self.config.races[i].id.clone())
                .collect(),
            vetoes: vetoes.clone(),
            updated_at: now,
        };
        let mut fx = Effects::default();
        // A new month's allowance is written with the state change below.
        self.roll_abort_month(id, now);
        fx.write(Write::QueuePrefs(prefs.clone()));
        self.prefs.insert(id, prefs.clone());
        self.queue.insert(
            id,
            QueueEntry {
                races: race_idx,
                vetoes,
                joined_at: now,
                waves_waited: 0,
                active_at: now,
                asked_at: None,
            },
        );
        self.set_state(id, PlayerState::Queueing, now, &mut fx);
        self.ping_subscribers(now, id, &mut fx);
        let next_wave_s = (self.next_wave_at - now + 999) / 1000;
        let ack = Ack::Queued {
            races: prefs.races.clone(),
            next_wave_s,
        };
        fx.tell(Audience::Actor, Notice::Ack(ack));
        Ok(fx)
    }

    pub(super) fn leave_queue(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
    ) -> Result<Effects, LadderError> {
        self.player_ref(id)?;
        if self.queue.remove(&id).is_none() {
            return Err(LadderError::NotQueueing);
        }
        let mut fx = Effects::default();
        self.set_state(id, PlayerState::Idle, now, &mut fx);
        fx.tell(Audience::Actor, Notice::Ack(Ack::LeftQueue));
        Ok(fx)
    }

    fn check_races(&self, names: &[String]) -> Result<Vec<usize>, LadderError> {
        if names.is_empty() {
            return Err(LadderError::NoRace);
        }
        let mut out: Vec<usize> = Vec::new();
        for name in names {
            let Some(i) =
                self.config.races.iter().position(|r| {
                    r.id.eq_ignore_ascii_case(name) || r.name.eq_ignore_ascii_case(name)
                })
            else {
                let ids: Vec<&str> = self.config.races.iter().map(|r| r.id.as_str()).collect();
                return Err(LadderError::UnknownRace(name.clone(), ids.join(", ")));
            };
            if let Some(&j) = out
                .iter()
                .find(|&&j| self.config.races[j].group == self.config.races[i].group)
            {
                return Err(LadderError::SameGroup(
                    self.config.races[j].id.clone(),
                    self.config.races[i].id.clone(),
                ));
            }
            out.push(i);
        }
        Ok(out)
    }

    /// The pool's spelling of a map name, if it is in this season's pool.
    fn pool_map(&self, name: &str) -> Option<String> {
        self.season
            .map_pool
            .iter()
            .find(|m| m.eq_ignore_ascii_case(name.trim()))
            .cloned()
    }

    fn check_vetoes(&self, names: &[String]) -> Result<Vec<String>, LadderError> {
        let mut out: Vec<String> = Vec::new();
        for n in names {
            let m = self
                .pool_map(n)
                .ok_or_else(|| LadderError::UnknownMap(n.clone()))?;
            if !out.contains(&m) {
                out.push(m);
            }
        }
        if out.len() > self.config.max_vetoes {
            return Err(LadderError::TooManyVetoes(self.config.max_vetoes));
        }
        Ok(out)
    }

    /// A map neither player vetoed; if every map is vetoed, the least-vetoed
    /// (ties broken by the seeded RNG) and `true`.
    pub(super) fn pick_map(&mut self, v1: &[String], v2: &[String]) -> (String, bool) {
        let pool = &self.season.map_pool;
        let free: Vec<&String> = pool
            .iter()
            .filter(|m| !v1.contains(m) && !v2.contains(m))
            .collect();
        if !free.is_empty() {
            let i = (self.rng.next_u64() % free.len() as u64) as usize;
            return (free[i].clone(), false);
        }
        let count = |m: &String| usize::from(v1.contains(m)) + usize::from(v2.contains(m));
        let least = pool.iter().map(count).min().unwrap_or(0);
        let candidates: Vec<&String> = pool.iter().filter(|m| count(m) == least).collect();
        if candidates.is_empty() {
            return (String::new(), true);
        }
        let i = (self.rng.next_u64() % candidates.len() as u64) as usize;
        (candidates[i].clone(), true)
    }

    fn region_index(&self, region: Option<&str>) -> usize {
        region
            .and_then(|r| self.config.regions.iter().position(|x| x.id == r))
            .unwrap_or(0)
    }

    /// One wave: everyone queueing is a candidate; the configured strategy
    /// chooses the pairs; each pair becomes a match waiting for confirmation.
    pub(super) fn run_wave(&mut self, now: UnixMillis) -> Effects {
        let mut fx = Effects::default();
        let ids: Vec<PlayerId> = self
            .queue
            .keys()
            .copied()
            .filter(|&id| self.in_wave(id))
            .collect();
        let candidates: Vec<Candidate> = ids
            .iter()
            .map(|id| {
                let e = &self.queue[id];
                Candidate {
                    player: *id,
                    options: e
                        .races
                        .iter()
                        .map(|&r| RaceOption {
                            race: r,
                            group: self.config.races[r].group,
                            rating: self.before_of(*id, &self.config.races[r].id).rating,
                        })
                        .collect(),
                    region: self
                        .region_index(self.players.get(id).and_then(|p| p.region.as_deref())),
                    waves_waited: e.waves_waited,
                    waited_ms: now - e.joined_at,
                }
            })
            .collect();
        let regions = &self.config.regions;
        let blocked =
            |a: usize, b: usize| self.config.region_blocked(&regions[a].id, &regions[b].id);
        let rematch = |a: PlayerId, b: PlayerId| self.is_rematch(a, b, now);
        let rules = PairRules {
            cross_play: self.config.cross_play(),
            blocked: &blocked,
            rematch: &rematch,
        };
        let pairs = matchmaker::solve(&candidates, &self.config.matchmaker, &rules);
        let mut made = 0;
        for e in pairs {
            let (a, b) = (&candidates[e.a], &candidates[e.b]);
            let race_a = a.options[e.option_a].race;
            let race_b = b.options[e.option_b].race;
            fx.extend(self.create_match(now, a.player, race_a, b.player, race_b));
            made += 1;
        }
        for entry in self.queue.values_mut() {
            entry.waves_waited += 1;
        }
        if made > 0 || !self.queue.is_empty() {
            fx.tell(
                Audience::Lobby,
                Notice::Wave {
                    matches: made,
                    still_queueing: self.queue.len(),
                    status: Box::new(self.queue_status(now)),
                },
            );
        }
        fx
    }

    fn create_match(
        &mut self,
        now: UnixMillis,
        p1: PlayerId,
        race1: usize,
        p2: PlayerId,
        race2: usize,
    ) -> Effects {
        let mut fx = Effects::default();
        let e1 = self.queue.remove(&p1);
        let e2 = self.queue.remove(&p2);
        let v1 = e1.map(|e| e.vetoes).unwrap_or_default();
        let v2 = e2.map(|e| e.vetoes).unwrap_or_default();
        let (map, all_vetoed) = self.pick_map(&v1, &v2);
        let region = |p: PlayerId| {
            self.players
                .get(&p)
                .and_then(|r| r.region.clone())
                .unwrap_or_default()
        };
        let server = self.config.server_for(&region(p1), &region(p2));
        let r1 = self.config.races[race1].id.clone();
        let r2 = self.config.races[race2].id.clone();
        let id = self.next_match_id;
        self.next_match_id += 1;
        let m = MatchRow {
            id,
            season_id: self.season.id,
            player1_id: p1,
            player2_id: p2,
            before1: self.before_of(p1, &r1),
            before2: self.before_of(p2, &r2),
            race1: r1,
            race2: r2,
            map,
            server,
            state: MatchState::Found,
            created_at: now,
            confirmed1_at: None,
            confirmed2_at: None,
            started_at: None,
            report1: None,
            report2: None,
            reported1_at: None,
            reported2_at: None,
            result: None,
            result_source: None,
            finished_at: None,
            rating1_change: None,
            rating2_change: None,
            ended_by: None,
            flagged_at: None,
            thread_id: None,
            confirm_by: Some(now + self.config.confirm_window_ms),
        };
        self.remember_opponents(m.player1_id, m.player2_id, m.created_at);
        self.open.insert(id);
        self.in_match.insert(p1, id);
        self.in_match.insert(p2, id);
        for p in [p1, p2] {
            self.player_matches.entry(p).or_default().push(id);
        }
        let card = self.card(&m, all_vetoed);
        fx.write(Write::Match(m.clone()));
        self.matches.insert(id, m);
        self.set_state(p1, PlayerState::InMatch, now, &mut fx);
        self.set_state(p2, PlayerState::InMatch, now, &mut fx);
        for p in [p1, p2] {
            fx.tell(
                Audience::Player(p),
                Notice::MatchFound(Box::new(card.clone())),
            );
        }
        fx
    }

    pub(super) fn card(&self, m: &MatchRow, all_maps_vetoed: bool) -> MatchCard {
        let side = |player: PlayerId, race: &str, before: RatingBefore| {
            let p = self.players.get(&player);
            let games = self
                .ratings
                .get(&(player, race.to_owned()))
                .map_or(0, |r| r.games);
            CardSide {
                player_id: player,
                ingame_name: p.and_then(|p| p.ingame_name.clone()).unwrap_or_default(),
                battletag: p.and_then(|p| p.battletag.clone()).unwrap_or_default(),
                alt_names: p.map(|p| p.alt_names.clone()).unwrap_or_default(),
                country: p.and_then(|p| p.country.clone()).unwrap_or_default(),
                race: race.to_owned(),
                rating: before.rating,
                deviation: before.deviation,
                provisional: games < self.config.rating.provisional_games,
            }
        };
        let map = self
            .config
            .map(&m.map)
            .or_else(|| {
                self.retired_maps
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(&m.map))
            })
            .cloned()
            .unwrap_or_else(|| crate::config::MapInfo {
                name: m.map.clone(),
                replay_name: m.map.clone(),
                link: None,
                author: None,
            });
        MatchCard {
            match_id: m.id,
            sides: [
                side(m.player1_id, &m.race1, m.before1),
                side(m.player2_id, &m.race2, m.before2),
            ],
            map,
            all_maps_vetoed,
            server: m.server.clone(),
            win_probability: rating::win_probability(&self.config.rating, m.before1, m.before2),
            lobby_settings: self.config.lobby_settings.clone(),
            created_at: m.created_at,
            confirm_by: self.confirm_deadline(m),
        }
    }
}
