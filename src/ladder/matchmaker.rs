//! One wave of matchmaking: which queueing players play whom.
//!
//! Pure functions over a slice of [`Candidate`]s. The allowed pairs form a
//! general (non-bipartite) graph; [`optimal`] picks the most pairs and, among
//! those, the least total cost, as a maximum-weight matching (the
//! `integer-blossom` crate). [`greedy`] is the original bot's strategy, kept as
//! the baseline the benchmark compares against.

use std::collections::HashMap;

use crate::config::{MatcherStrategy, MatchmakerConfig};

/// Queues larger than this are solved in blocks of this many players with
/// neighbouring ratings. Allowed pairs are local in rating, so little is lost,
/// and the blossom's O(n³) time and O(n²) matrix stay bounded (a wave with
/// 10,000 players queueing takes about a second instead of never finishing).
pub const MAX_EXACT: usize = 256;

/// One race a queueing player would play, with that race's rating.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceOption {
    pub race: usize,
    pub group: usize,
    pub rating: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub player: u64,
    pub options: Vec<RaceOption>,
    pub region: usize,
    pub waves_waited: u32,
    pub waited_ms: i64,
}

/// An allowed pair: indices into the candidate slice and into each player's options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub option_a: usize,
    pub option_b: usize,
    pub gap: f64,
    /// gap² − wait bonus + rematch penalty, rounded: what [`optimal`] minimises.
    pub cost: i64,
    /// The original score, gap² − 20 × (waits₁ + waits₂): what [`greedy`] minimises.
    pub greedy_score: f64,
}

/// The facts about pairs the matchmaker cannot see in the candidates.
pub struct PairRules<'a> {
    pub cross_play: bool,
    pub blocked: &'a dyn Fn(usize, usize) -> bool,
    pub rematch: &'a dyn Fn(u64, u64) -> bool,
}

/// One wave's pairs under the configured strategy, as edges over `candidates`.
pub fn solve(candidates: &[Candidate], config: &MatchmakerConfig, rules: &PairRules) -> Vec<Edge> {
    let run = |cs: &[Candidate]| {
        let e = edges(cs, config, rules);
        match config.strategy {
            MatcherStrategy::Optimal => optimal(cs.len(), &e),
            MatcherStrategy::Greedy => greedy(cs, &e),
        }
    };
    if candidates.len() <= MAX_EXACT {
        return run(candidates);
    }
    let key = |c: &Candidate| {
        c.options
            .iter()
            .map(|o| o.rating)
            .fold(f64::INFINITY, f64::min)
    };
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&x, &y| {
        key(&candidates[x])
            .total_cmp(&key(&candidates[y]))
            .then(x.cmp(&y))
    });
    let mut out = Vec::new();
    for block in order.chunks(MAX_EXACT) {
        let sub: Vec<Candidate> = block.iter().map(|&i| candidates[i].clone()).collect();
        for mut e in run(&sub) {
            e.a = block[e.a];
            e.b = block[e.b];
            out.push(e);
        }
    }
    out
}

pub fn window(config: &MatchmakerConfig, waves_waited: u32) -> f64 {
    config.window_base + config.window_growth * f64::from(waves_waited)
}

/// Every allowed pair with its best race assignment (the smallest gap).
pub fn edges(candidates: &[Candidate], config: &MatchmakerConfig, rules: &PairRules) -> Vec<Edge> {
    let mut out = Vec::new();
    for a in 0..candidates.len() {
        for b in a + 1..candidates.len() {
            if let Some(e) = edge(candidates, a, b, config, rules) {
                out.push(e);
            }
        }
    }
    out
}

fn edge(
    candidates: &[Candidate],
    a: usize,
    b: usize,
    config: &MatchmakerConfig,
    rules: &PairRules,
) -> Option<Edge> {
    let (ca, cb) = (&candidates[a], &candidates[b]);
    if ca.player == cb.player || (rules.blocked)(ca.region, cb.region) {
        return None;
    }
    let mut best: Option<(usize, usize, f64)> = None;
    for (i, oa) in ca.options.iter().enumerate() {
        for (j, ob) in cb.options.iter().enumerate() {
            if rules.cross_play && oa.group == ob.group {
                continue;
            }
            let gap = (oa.rating - ob.rating).abs();
            if best.is_none_or(|(_, _, g)| gap < g) {
                best = Some((i, j, gap));
            }
        }
    }
    let (option_a, option_b, gap) = best?;
    let starving = ca.waited_ms >= config.max_wait_ms || cb.waited_ms >= config.max_wait_ms;
    let fits = gap <= window(config, ca.waves_waited).max(window(config, cb.waves_waited));
    if !fits && !starving {
        return None;
    }
    let waits = f64::from(ca.waves_waited) + f64::from(cb.waves_waited);
    let rematch = if (rules.rematch)(ca.player, cb.player) {
        config.rematch_penalty
    } else {
        0.0
    };
    let cost = (gap * gap - config.wait_bonus * waits + rematch).round();
    Some(Edge {
        a,
        b,
        option_a,
        option_b,
        gap,
        cost: cost.clamp(-1e15, 1e15) as i64,
        greedy_score: gap * gap - 20.0 * waits,
    })
}

/// The most pairs, then the least total cost: a maximum-weight matching where
/// each edge weighs `base − (cost − min_cost)`, with `base` large enough that
/// one more pair always outweighs any saving in cost.
pub fn optimal(n: usize, edges: &[Edge]) -> Vec<Edge> {
    if edges.is_empty() {
        return Vec::new();
    }
    let min = edges.iter().map(|e| e.cost).min().unwrap_or(0);
    let max = edges.iter().map(|e| e.cost).max().unwrap_or(0);
    let range = i128::from(max) - i128::from(min) + 1;
    let base = (n as i128 / 2 + 1) * range;
    let mut weight = vec![0i128; n * n];
    let mut by_pair = HashMap::with_capacity(edges.len());
    for (k, e) in edges.iter().enumerate() {
        let (lo, hi) = (e.a.min(e.b), e.a.max(e.b));
        weight[lo * n + hi] = base - (i128::from(e.cost) - i128::from(min));
        by_pair.insert((lo, hi), k);
    }
    let mate = integer_blossom::max_weight_matching(&weight, n);
    let mut out = Vec::new();
    for (i, m) in mate.iter().enumerate() {
        if let Some(j) = *m
            && i < j
            && let Some(&k) = by_pair.get(&(i, j))
        {
            out.push(edges[k]);
        }
    }
    out
}

/// The original: take pairs by ascending score while both players are free,
/// then swap partners between neighbouring pairs (by mean rating) while that
/// lowers the summed score.
pub fn greedy(candidates: &[Candidate], edges: &[Edge]) -> Vec<Edge> {
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by(|&x, &y| {
        edges[x]
            .greedy_score
            .total_cmp(&edges[y].greedy_score)
            .then((edges[x].a, edges[x].b).cmp(&(edges[y].a, edges[y].b)))
    });
    let mut taken = vec![false; candidates.len()];
    let mut pairs: Vec<Edge> = Vec::new();
    for k in order {
        let e = edges[k];
        if !taken[e.a] && !taken[e.b] {
            taken[e.a] = true;
            taken[e.b] = true;
            pairs.push(e);
        }
    }
    let lookup: HashMap<(usize, usize), usize> = edges
        .iter()
        .enumerate()
        .map(|(k, e)| ((e.a.min(e.b), e.a.max(e.b)), k))
        .collect();
    let find = |x: usize, y: usize| lookup.get(&(x.min(y), x.max(y))).map(|&k| edges[k]);
    let mean = |e: &Edge| {
        (candidates[e.a].options[e.option_a].rating + candidates[e.b].options[e.option_b].rating)
            / 2.0
    };
    pairs.sort_by(|x, y| mean(x).total_cmp(&mean(y)));
    // Bounded: each accepted swap strictly lowers the total score.
    for _ in 0..pairs.len().max(1) {
        let mut improved = false;
        for i in 0..pairs.len().saturating_sub(1) {
            let (p, q) = (pairs[i], pairs[i + 1]);
            let now = p.greedy_score + q.greedy_score;
            let alternatives = [(p.a, q.a, p.b, q.b), (p.a, q.b, p.b, q.a)];
            for (w, x, y, z) in alternatives {
                if let (Some(e1), Some(e2)) = (find(w, x), find(y, z))
                    && e1.greedy_score + e2.greedy_score < now - 1e-9
                {
                    pairs[i] = e1;
                    pairs[i + 1] = e2;
                    improved = true;
                    break;
                }
            }
        }
        if !improved {
            break;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::config::LadderConfig;

    fn cand(player: u64, rating: f64, waves: u32) -> Candidate {
        Candidate {
            player,
            options: vec![RaceOption {
                race: 0,
                group: 0,
                rating,
            }],
            region: 0,
            waves_waited: waves,
            waited_ms: i64::from(waves) * 45_000,
        }
    }

    fn open_rules() -> PairRules<'static> {
        PairRules {
            cross_play: false,
            blocked: &|_, _| false,
            rematch: &|_, _| false,
        }
    }

    fn totals(pairs: &[Edge]) -> (usize, i64) {
        (pairs.len(), pairs.iter().map(|e| e.cost).sum())
    }

    /// Best (most pairs, then least cost) over every matching, by enumeration.
    fn brute_force(n: usize, edges: &[Edge]) -> (usize, i64) {
        fn go(free: u32, n: usize, edges: &[Edge]) -> (usize, i64) {
            let Some(i) = (0..n).find(|&i| free & (1 << i) != 0) else {
                return (0, 0);
            };
            let rest = free & !(1 << i);
            let mut best = go(rest, n, edges); // i stays unmatched
            for e in edges.iter().filter(|e| e.a == i || e.b == i) {
                let j = if e.a == i { e.b } else { e.a };
                if rest & (1 << j) != 0 {
                    let (c, s) = go(rest & !(1 << j), n, edges);
                    let cand = (c + 1, s + e.cost);
                    if cand.0 > best.0 || (cand.0 == best.0 && cand.1 < best.1) {
                        best = cand;
                    }
                }
            }
            best
        }
        go((1u32 << n) - 1, n, edges)
    }

    #[test]
    fn window_grows_with_waiting() {
        let c = LadderConfig::default().matchmaker;
        let close = [cand(1, 1500.0, 0), cand(2, 1590.0, 0)];
        assert_eq!(edges(&close, &c, &open_rules()).len(), 1);
        let far = [cand(1, 1500.0, 0), cand(2, 1640.0, 0)];
        assert!(edges(&far, &c, &open_rules()).is_empty());
        // Either player's window is enough.
        let far_waited = [cand(1, 1500.0, 1), cand(2, 1640.0, 0)];
        assert_eq!(edges(&far_waited, &c, &open_rules()).len(), 1);
    }

    #[test]
    fn starving_player_is_paired_outside_every_window() {
        let c = LadderConfig::default().matchmaker;
        let mut starving = cand(1, 1000.0, 1);
        starving.waited_ms = c.max_wait_ms;
        let cs = [starving, cand(2, 2000.0, 0)];
        let e = edges(&cs, &c, &open_rules());
        assert_eq!(optimal(2, &e).len(), 1);
    }

    #[test]
    fn blocked_regions_never_pair() {
        let c = LadderConfig::default().matchmaker;
        let mut b = cand(2, 1500.0, 0);
        b.region = 1;
        let cs = [cand(1, 1500.0, 0), b];
        let rules = PairRules {
            cross_play: false,
            blocked: &|x, y| x != y,
            rematch: &|_, _| false,
        };
        assert!(edges(&cs, &c, &rules).is_empty());
    }

    #[test]
    fn cross_play_uses_races_of_different_groups() {
        let c = LadderConfig::default().matchmaker;
        let two = |player, bw: f64, sc2: f64| Candidate {
            options: vec![
                RaceOption {
                    race: 0,
                    group: 0,
                    rating: bw,
                },
                RaceOption {
                    race: 1,
                    group: 1,
                    rating: sc2,
                },
            ],
            ..cand(player, 0.0, 0)
        };
        // Same-group gaps are 0 but forbidden; across groups the best is 1500 v 1520.
        let cs = [two(1, 1500.0, 1800.0), two(2, 1500.0, 1520.0)];
        let rules = PairRules {
            cross_play: true,
            blocked: &|_, _| false,
            rematch: &|_, _| false,
        };
        let e = edges(&cs, &c, &rules);
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].option_a, e[0].option_b), (0, 1));
        assert_eq!(e[0].gap, 20.0);
    }

    #[test]
    fn optimal_beats_greedy_where_greedy_is_myopic() {
        let c = LadderConfig::default().matchmaker;
        // Greedy takes the closest pair (B, C) and strands A and D; optimal
        // makes two pairs.
        let cs = [
            cand(1, 1410.0, 0),
            cand(2, 1500.0, 0),
            cand(3, 1505.0, 0),
            cand(4, 1595.0, 0),
        ];
        let e = edges(&cs, &c, &open_rules());
        assert_eq!(optimal(4, &e).len(), 2);
        assert_eq!(greedy(&cs, &e).len(), 1);
    }

    #[test]
    fn rematch_penalty_steers_away_from_recent_opponents() {
        let c = LadderConfig::default().matchmaker;
        let cs = [
            cand(1, 1500.0, 0),
            cand(2, 1501.0, 0),
            cand(3, 1520.0, 0),
            cand(4, 1521.0, 0),
        ];
        let rules = PairRules {
            cross_play: false,
            blocked: &|_, _| false,
            rematch: &|a, b| (a.min(b), a.max(b)) == (1, 2) || (a.min(b), a.max(b)) == (3, 4),
        };
        let pairs = optimal(4, &edges(&cs, &c, &rules));
        assert_eq!(pairs.len(), 2);
        assert!(pairs.iter().all(|e| e.cost < 10_000), "{pairs:?}");
    }

    #[test]
    fn large_queues_are_solved_in_blocks_without_pairing_anyone_twice() {
        let c = LadderConfig::default().matchmaker;
        let cs: Vec<Candidate> = (0..1000)
            .map(|i| cand(i, 1000.0 + (i * 7919 % 1000) as f64, 0))
            .collect();
        let pairs = solve(&cs, &c, &open_rules());
        let mut seen = std::collections::HashSet::new();
        for p in &pairs {
            assert!(seen.insert(p.a) && seen.insert(p.b));
            assert!(p.gap <= 100.0);
        }
        assert!(pairs.len() >= 495, "{} pairs", pairs.len());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn optimal_matches_brute_force(
            players in proptest::collection::vec((1300.0f64..1700.0, 0u32..6, 0usize..3), 0..10),
            rematch_seed in any::<u64>(),
        ) {
            let c = LadderConfig::default().matchmaker;
            let cs: Vec<Candidate> = players
                .iter()
                .enumerate()
                .map(|(i, &(r, w, region))| Candidate { region, ..cand(i as u64, r, w) })
                .collect();
            let rules = PairRules {
                cross_play: false,
                blocked: &|x, y| (x, y) == (0, 2) || (x, y) == (2, 0),
                rematch: &|a, b| (rematch_seed >> ((a * 7 + b) % 64)) & 1 == 1,
            };
            let e = edges(&cs, &c, &rules);
            let got = optimal(cs.len(), &e);
            let mut seen = std::collections::HashSet::new();
            for p in &got {
                prop_assert!(seen.insert(p.a) && seen.insert(p.b), "a player paired twice");
            }
            prop_assert_eq!(totals(&got), brute_force(cs.len(), &e));
            let g = greedy(&cs, &e);
            prop_assert!(g.len() <= got.len());
        }
    }
}
