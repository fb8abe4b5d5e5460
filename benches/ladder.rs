//! Ladder core benchmarks (`cargo bench --bench ladder`), no harness:
//!
//! 1. A seeded simulation of a population with hidden true skill arriving,
//!    queueing, confirming, playing and reporting over simulated days, run
//!    once with the optimal matcher and once with the greedy baseline, through
//!    the real `Ladder::handle`/`tick`.
//! 2. A micro-benchmark of single commands (join queue, report) with 10,000
//!    players in memory: p50/p99/max per call.
//!
//! Parameters from the environment: LADDER_SIM_PLAYERS (10000),
//! LADDER_SIM_DAYS (7), LADDER_SIM_SEED (2026), LADDER_BENCH (all | sim | micro),
//! LADDER_REMATCH_PENALTY (the config default, 10000) to study its effect.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use ladderd::config::{LadderConfig, MatcherStrategy};
use ladderd::ladder::{
    Actor, Audience, Command, Effects, Ladder, MatchId, Notice, PlayerId, SetupForm,
};
use ladderd::store::rows::{MatchState, Report, UnixMillis};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

const T0: UnixMillis = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const S: i64 = 1_000;
const MIN: i64 = 60 * S;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
const RACES: [&str; 4] = ["T", "Z", "P", "R"];

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u1, u2) = (unit(rng).max(1e-12), unit(rng));
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn range(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
    lo + (rng.next_u64() % (hi - lo) as u64) as i64
}

/// Letters only, as in-game names must be: 1 → "Paaab".
fn name_of(id: PlayerId) -> String {
    let mut s = String::from("P");
    let mut x = id;
    for _ in 0..5 {
        s.push((b'a' + (x % 26) as u8) as char);
        x /= 26;
    }
    s
}

fn register(l: &mut Ladder, id: PlayerId, region: &str, now: UnixMillis) {
    let a = Actor::player(id);
    l.handle(
        now,
        a,
        Command::AcceptTos {
            discord_name: name_of(id),
        },
    );
    let name = name_of(id);
    let fx = l.handle(
        now,
        a,
        Command::Setup(SetupForm {
            battletag: format!("{name}#{}", 1000 + id),
            ingame_name: name,
            alt_names: vec![],
            country: "DE".into(),
            region: region.into(),
        }),
    );
    assert!(no_error(&fx), "setup refused: {fx:?}");
}

fn no_error(fx: &Effects) -> bool {
    !fx.messages
        .iter()
        .any(|m| matches!(m.body, Notice::Error(_)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Tick,
    SessionStart(PlayerId),
    Join(PlayerId),
    GiveUp(PlayerId, UnixMillis),
    Confirm(PlayerId, MatchId),
    /// 0 loss, 1 win.
    Report(PlayerId, MatchId, u8),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Offline,
    Queueing(UnixMillis),
    Busy,
}

struct SimPlayer {
    skill: f64,
    race: &'static str,
    status: Status,
    games_left: u32,
    joined_before: bool,
}

#[derive(Default)]
struct Metrics {
    found: usize,
    completed: usize,
    no_show: usize,
    gave_up: usize,
    gaps: Vec<f64>,
    balanced: usize,
    waits_ms: Vec<i64>,
    rematches: usize,
    max_tick: Duration,
}

fn pct<T: Copy + PartialOrd>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    Some(sorted[i])
}

struct Sim {
    ladder: Ladder,
    rng: ChaCha8Rng,
    players: Vec<SimPlayer>,
    events: BinaryHeap<Reverse<(UnixMillis, u64, Ev)>>,
    seq: u64,
    m: Metrics,
    last_met: HashMap<(PlayerId, PlayerId), UnixMillis>,
    end: UnixMillis,
}

impl Sim {
    fn push(&mut self, at: UnixMillis, ev: Ev) {
        if at <= self.end {
            self.seq += 1;
            self.events.push(Reverse((at, self.seq, ev)));
        }
    }

    fn p(&mut self, id: PlayerId) -> &mut SimPlayer {
        &mut self.players[(id - 1) as usize]
    }

    fn join(&mut self, now: UnixMillis, id: PlayerId) {
        let first = !self.p(id).joined_before;
        let vetoes = if first {
            let pool = self.ladder.season().map_pool.clone();
            let k = (self.rng.next_u64() % 3) as usize;
            Some(
                (0..k)
                    .map(|_| pool[(self.rng.next_u64() % pool.len() as u64) as usize].clone())
                    .collect(),
            )
        } else {
            None
        };
        let race = self.p(id).race;
        let fx = self.ladder.handle(
            now,
            Actor::player(id),
            Command::JoinQueue {
                races: vec![race.into()],
                vetoes,
            },
        );
        if no_error(&fx) {
            let p = self.p(id);
            p.joined_before = true;
            p.status = Status::Queueing(now);
            self.push(now + 15 * MIN, Ev::GiveUp(id, now));
        } else {
            // In cooldown: this session is over.
            self.p(id).status = Status::Offline;
        }
        self.process(now, fx);
    }

    fn process(&mut self, now: UnixMillis, fx: Effects) {
        for msg in fx.messages {
            let Audience::Player(to) = msg.to else {
                continue;
            };
            match msg.body {
                Notice::MatchFound(card) => {
                    if let Status::Queueing(since) = self.p(to).status {
                        self.m.waits_ms.push(now - since);
                    }
                    self.p(to).status = Status::Busy;
                    let (a, b) = (card.sides[0].player_id, card.sides[1].player_id);
                    if to == a {
                        self.m.found += 1;
                        self.m
                            .gaps
                            .push((card.sides[0].rating - card.sides[1].rating).abs());
                        if (0.4..=0.6).contains(&card.win_probability) {
                            self.m.balanced += 1;
                        }
                        let key = (a.min(b), a.max(b));
                        if self.last_met.get(&key).is_some_and(|t| now - t <= HOUR) {
                            self.m.rematches += 1;
                        }
                        self.last_met.insert(key, now);
                    }
                    if unit(&mut self.rng) < 0.97 {
                        let at = now + range(&mut self.rng, 2 * S, 20 * S);
                        self.push(at, Ev::Confirm(to, card.match_id));
                    }
                }
                Notice::MatchStarted(card) if to == card.sides[0].player_id => {
                    let (a, b) = (card.sides[0].player_id, card.sides[1].player_id);
                    let (sa, sb) = (self.p(a).skill, self.p(b).skill);
                    let p_a = 1.0 / (1.0 + 10f64.powf((sb - sa) / 400.0));
                    let a_wins = unit(&mut self.rng) < p_a;
                    let end = now + range(&mut self.rng, 8 * MIN, 20 * MIN);
                    let (ta, tb) = (
                        end + range(&mut self.rng, 0, 60 * S),
                        end + range(&mut self.rng, 0, 60 * S),
                    );
                    self.push(ta, Ev::Report(a, card.match_id, u8::from(a_wins)));
                    self.push(tb, Ev::Report(b, card.match_id, u8::from(!a_wins)));
                }
                Notice::MatchEnded {
                    state, match_id, ..
                } => {
                    if state == MatchState::Completed
                        && self
                            .ladder
                            .match_row(match_id)
                            .is_some_and(|m| m.player1_id == to)
                    {
                        self.m.completed += 1;
                    }
                    let p = self.p(to);
                    p.games_left = p.games_left.saturating_sub(1);
                    p.status = Status::Offline;
                    if p.games_left > 0 {
                        self.push(now + 30 * S, Ev::Join(to));
                    }
                }
                Notice::Info(text) if text.contains("back in the queue") => {
                    self.p(to).status = Status::Queueing(now);
                    self.push(now + 15 * MIN, Ev::GiveUp(to, now));
                }
                Notice::Info(text) if text.contains("did not confirm") => {
                    self.m.no_show += 1;
                    self.p(to).status = Status::Offline;
                }
                _ => {}
            }
        }
    }

    fn run(&mut self) {
        while let Some(Reverse((now, _, ev))) = self.events.pop() {
            match ev {
                Ev::Tick => {
                    let t = Instant::now();
                    let fx = self.ladder.tick(now);
                    self.m.max_tick = self.m.max_tick.max(t.elapsed());
                    self.process(now, fx);
                    self.push(now + 5 * S, Ev::Tick);
                }
                Ev::SessionStart(id) => {
                    if self.p(id).status == Status::Offline {
                        let k = 1 + (self.rng.next_u64() % 5) as u32;
                        self.p(id).games_left = k;
                        self.join(now, id);
                    }
                }
                Ev::Join(id) => {
                    if self.p(id).status == Status::Offline {
                        self.join(now, id);
                    }
                }
                Ev::GiveUp(id, since) => {
                    if self.p(id).status == Status::Queueing(since) {
                        let fx = self
                            .ladder
                            .handle(now, Actor::player(id), Command::LeaveQueue);
                        if no_error(&fx) {
                            self.m.gave_up += 1;
                            self.p(id).status = Status::Offline;
                        }
                    }
                }
                Ev::Confirm(id, match_id) => {
                    let fx =
                        self.ladder
                            .handle(now, Actor::player(id), Command::Confirm { match_id });
                    self.process(now, fx);
                }
                Ev::Report(id, match_id, won) => {
                    let report = if won == 1 { Report::Win } else { Report::Loss };
                    let fx = self.ladder.handle(
                        now,
                        Actor::player(id),
                        Command::Report { match_id, report },
                    );
                    self.process(now, fx);
                }
            }
        }
    }
}

struct SimResult {
    m: Metrics,
    spearman: f64,
    rated: usize,
    wall: Duration,
}

fn simulate(strategy: MatcherStrategy, players: usize, days: f64, seed: u64) -> SimResult {
    let mut config = LadderConfig::default();
    config.matchmaker.strategy = strategy;
    config.matchmaker.rematch_penalty =
        env("LADDER_REMATCH_PENALTY", config.matchmaker.rematch_penalty);
    let (ladder, _) = Ladder::new(config, seed, T0);
    let end = T0 + (days * DAY as f64) as i64;
    let mut sim = Sim {
        ladder,
        rng: ChaCha8Rng::seed_from_u64(seed),
        players: Vec::new(),
        events: BinaryHeap::new(),
        seq: 0,
        m: Metrics::default(),
        last_met: HashMap::new(),
        end,
    };
    let regions = ["EU", "EU", "EU", "NA", "NA", "KR"];
    let mut sessions = Vec::new();
    for id in 1..=players as PlayerId {
        let region = regions[(sim.rng.next_u64() % regions.len() as u64) as usize];
        register(&mut sim.ladder, id, region, T0);
        let skill = 1500.0 + 300.0 * normal(&mut sim.rng);
        let race = RACES[(sim.rng.next_u64() % 4) as usize];
        // Evening players, by region time zone; each plays on some days only.
        let hour = match region {
            "EU" => 18.0,
            "NA" => 1.0,
            _ => 11.0,
        } + 4.0 * unit(&mut sim.rng);
        let p_day = 0.2 + 0.6 * unit(&mut sim.rng);
        sim.players.push(SimPlayer {
            skill,
            race,
            status: Status::Offline,
            games_left: 0,
            joined_before: false,
        });
        let mut day = 0;
        while (day as f64) < days {
            if unit(&mut sim.rng) < p_day {
                let at =
                    T0 + day * DAY + (hour * HOUR as f64) as i64 + range(&mut sim.rng, -HOUR, HOUR);
                sessions.push((at.max(T0 + S), id));
            }
            day += 1;
        }
    }
    for (at, id) in sessions {
        sim.push(at, Ev::SessionStart(id));
    }
    sim.push(T0 + 5 * S, Ev::Tick);
    let started = Instant::now();
    sim.run();
    let wall = started.elapsed();
    let (mut ratings, mut skills) = (Vec::new(), Vec::new());
    for (i, p) in sim.players.iter().enumerate() {
        if let Some(r) = sim.ladder.rating(i as PlayerId + 1, p.race)
            && r.games >= 5
        {
            ratings.push(r.rating);
            skills.push(p.skill);
        }
    }
    SimResult {
        spearman: if ratings.len() > 2 {
            ladderd::ladder::rating::spearman(&ratings, &skills).unwrap_or(f64::NAN)
        } else {
            f64::NAN
        },
        rated: ratings.len(),
        m: sim.m,
        wall,
    }
}

fn print_sim(players: usize, days: f64, seed: u64) {
    println!("## simulation: {players} players, {days} simulated days, seed {seed}\n");
    println!(
        "| matcher | matches found | completed | no-shows | gave up | mean gap | p95 gap | win prob 40–60% | wait p50 | wait p95 | wait max | rematch (≤60 min) | Spearman (≥5 games, n) | max tick | wall |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for strategy in [MatcherStrategy::Optimal, MatcherStrategy::Greedy] {
        let r = simulate(strategy, players, days, seed);
        let mut m = r.m;
        m.gaps.sort_by(f64::total_cmp);
        m.waits_ms.sort_unstable();
        let mean_gap = m.gaps.iter().sum::<f64>() / m.gaps.len().max(1) as f64;
        let secs = |v: Option<i64>| v.map_or("-".into(), |x| format!("{:.0} s", x as f64 / 1000.0));
        println!(
            "| {strategy:?} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1}% | {} | {} | {} | {:.2}% | {:.3} ({}) | {:.1} ms | {:.1} s |",
            m.found,
            m.completed,
            m.no_show,
            m.gave_up,
            mean_gap,
            pct(&m.gaps, 0.95).unwrap_or(f64::NAN),
            100.0 * m.balanced as f64 / m.found.max(1) as f64,
            secs(pct(&m.waits_ms, 0.5)),
            secs(pct(&m.waits_ms, 0.95)),
            secs(m.waits_ms.last().copied()),
            100.0 * m.rematches as f64 / m.found.max(1) as f64,
            r.spearman,
            r.rated,
            m.max_tick.as_secs_f64() * 1e3,
            r.wall.as_secs_f64(),
        );
    }
    println!();
}

fn summary(name: &str, mut v: Vec<Duration>) {
    v.sort_unstable();
    let us = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1e6);
    println!(
        "| {name} | {} | {:.1} µs | {:.1} µs | {:.1} µs |",
        v.len(),
        us(pct(&v, 0.5)),
        us(pct(&v, 0.99)),
        us(v.last().copied())
    );
}

fn micro(players: u64) {
    let (mut l, _) = Ladder::new(LadderConfig::default(), 1, T0);
    for id in 1..=players {
        register(&mut l, id, "EU", T0);
    }
    println!("## single commands with {players} players in memory\n");
    println!("| command | calls | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    let mut joins = Vec::new();
    for id in 1..=players {
        let cmd = Command::JoinQueue {
            races: vec![RACES[(id % 4) as usize].into()],
            vetoes: Some(vec![]),
        };
        let t = Instant::now();
        let fx = l.handle(T0 + S, Actor::player(id), cmd);
        joins.push(t.elapsed());
        assert!(no_error(&fx));
    }
    summary("join queue", joins);
    let t = Instant::now();
    l.tick(T0 + 45 * S);
    let wave = t.elapsed();
    let mut matches = Vec::new();
    for id in 1..=players {
        if let Some(m) = l.current_match(id) {
            l.handle(
                T0 + 50 * S,
                Actor::player(id),
                Command::Confirm { match_id: m },
            );
            if l.match_row(m).is_some_and(|r| r.player1_id == id) {
                matches.push(m);
            }
        }
    }
    let mut reports = Vec::new();
    for m in &matches {
        let row = l.match_row(*m).expect("the match exists");
        for (p, r) in [
            (row.player1_id, Report::Win),
            (row.player2_id, Report::Loss),
        ] {
            let cmd = Command::Report {
                match_id: *m,
                report: r,
            };
            let t = Instant::now();
            let fx = l.handle(T0 + 900 * S, Actor::player(p), cmd);
            reports.push(t.elapsed());
            assert!(no_error(&fx));
        }
    }
    summary(
        "report (first and second, completing with Glicko-2)",
        reports,
    );
    println!(
        "\nwave with {players} queueing (blocks of {}): {:.0} ms, {} matches\n",
        ladderd::ladder::matchmaker::MAX_EXACT,
        wave.as_secs_f64() * 1e3,
        matches.len()
    );
}

fn main() {
    let which: String = env("LADDER_BENCH", "all".to_owned());
    let players: usize = env("LADDER_SIM_PLAYERS", 10_000);
    let days: f64 = env("LADDER_SIM_DAYS", 7.0);
    let seed: u64 = env("LADDER_SIM_SEED", 2026);
    if which == "all" || which == "micro" {
        micro(10_000);
    }
    if which == "all" || which == "sim" {
        print_sim(players, days, seed);
    }
}
