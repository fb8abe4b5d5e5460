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
    /// gap² − wait bonus + rematch penalty, rounded.
    pub cost: i64,
    /// The original score, gap² − 20 × (waits₁ + waits₂): what [`greedy`] minimises.
    pub greedy_score: f64,
    /// The product of the two players' rating windows (their geometric mean,
    /// squared): a cost below it makes the pair worth making this wave.
    pub value: i64,
    /// One of the two is past the maximum wait.
    pub starving: bool,
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
    let widest = window(config, ca.waves_waited).max(window(config, cb.waves_waited));
    let fits = gap <= widest;
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
        value: (window(config, ca.waves_waited) * window(config, cb.waves_waited))
            .round()
            .min(1e15) as i64,
        starving,
    })
}

/// What each edge is worth to [`optimal`].
///
/// A pair is worth `slack³`, where `slack = value − cost` is how far its cost
/// lies inside the geometric mean of the two windows (squared). Convex on
/// purpose: one close pair outweighs two marginal ones, whose players wait a
/// wave for wider windows and new arrivals instead. A pair with no slack is
/// allowed but not made this wave (weight 0: no edge). A pair with a starving
/// player is worth more than all other pairs together, and the closer the
/// opponent the more, so the long waiter gets the closest available one.
/// (Simulated over a week, this beat both a linear slack and "most pairs
/// first" on mean gap at no worse p95 wait: see BENCHMARKS.md.)
pub fn weights(edges: &[Edge]) -> Vec<i128> {
    // Everything is scaled into small integers first so that the
    // lexicographic products below stay far inside i128 for any config.
    let slack = |e: &Edge| (i128::from(e.value) - i128::from(e.cost)).max(0);
    let max_slack = edges
        .iter()
        .filter(|e| !e.starving)
        .map(slack)
        .max()
        .unwrap_or(0);
    let slack_scale = (max_slack / 10_000).max(1);
    let normal: Vec<i128> = edges
        .iter()
        .map(|e| {
            let s = if e.starving {
                0
            } else {
                slack(e) / slack_scale
            };
            s * s * s
        })
        .collect();
    let starving_cap = edges
        .iter()
        .filter(|e| e.starving)
        .map(|e| i128::from(e.cost))
        .max()
        .unwrap_or(0)
        + 1;
    let closeness_of = |e: &Edge| starving_cap - i128::from(e.cost);
    let max_closeness = edges
        .iter()
        .filter(|e| e.starving)
        .map(closeness_of)
        .max()
        .unwrap_or(0);
    let closeness_scale = (max_closeness / 1_000_000).max(1);
    let closeness: Vec<i128> = edges
        .iter()
        .map(|e| {
            if e.starving {
                1 + closeness_of(e) / closeness_scale
            } else {
                0
            }
        })
        .collect();
    // Starving pairs first, then the closest for the starving, then the rest.
    let rest_total = 1 + normal.iter().sum::<i128>();
    let closeness_total = 1 + closeness.iter().sum::<i128>();
    edges
        .iter()
        .zip(normal.iter().zip(&closeness))
        .map(|(e, (n, c))| {
            if e.starving {
                (closeness_total + c) * rest_total
            } else {
                *n
            }
        })
        .collect()
}

/// The set of pairs of greatest total [`weights`]: a maximum-weight matching
/// on the general graph of allowed pairs (blossom algorithm, exact).
pub fn optimal(n: usize, edges: &[Edge]) -> Vec<Edge> {
    if edges.is_empty() {
        return Vec::new();
    }
    let mut weight = vec![0i128; n * n];
    let mut by_pair = HashMap::with_capacity(edges.len());
    for (k, (e, w)) in edges.iter().zip(weights(edges)).enumerate() {
        let (lo, hi) = (e.a.min(e.b), e.a.max(e.b));
        weight[lo * n + hi] = w;
        by_pair.insert((lo, hi), k);
    }
    let mate = solve_on_own_thread(&weight, n);
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

/// `integer_blossom::max_weight_matching` on a thread that ends with it.
/// Why: the crate keeps its working buffers (a `(2n+1)²` matrix of 32-byte
/// edges: 8.4 MB at a [`MAX_EXACT`] block) in a thread-local pool, sized by
/// the largest instance that thread has seen and never released — on the
/// supervisor's tokio workers that was ~19 MB held for good after the first
/// big wave (BENCHMARKS.md). A thread's pool is dropped when it exits. The
/// result is the same wherever it runs; if no thread can be started it runs
/// here (and the pool stays, as before).
fn solve_on_own_thread(weight: &[i128], n: usize) -> Vec<Option<usize>> {
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("ladderd-match".into())
            .spawn_scoped(scope, || integer_blossom::max_weight_matching(weight, n))
        {
            Ok(solving) => solving
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => integer_blossom::max_weight_matching(weight, n),
        }
    })
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

    fn total_weight(pairs: &[Edge], edges: &[Edge]) -> i128 {
        let w = weights(edges);
        pairs
            .iter()
            .map(|p| {
                let k = edges.iter().position(|e| (e.a, e.b) == (p.a, p.b));
                w[k.expect("optimal returns edges of the input")]
            })
            .sum()
    }

    /// The greatest total weight over every matching, by enumeration.
    fn brute_force(n: usize, edges: &[Edge]) -> i128 {
        fn go(free: u32, n: usize, edges: &[Edge], w: &[i128]) -> i128 {
            let Some(i) = (0..n).find(|&i| free & (1 << i) != 0) else {
                return 0;
            };
            let rest = free & !(1 << i);
            let mut best = go(rest, n, edges, w); // i stays unmatched
            for (e, we) in edges.iter().zip(w).filter(|(e, _)| e.a == i || e.b == i) {
                let j = if e.a == i { e.b } else { e.a };
                if rest & (1 << j) != 0 {
                    best = best.max(we + go(rest & !(1 << j), n, edges, w));
                }
            }
            best
        }
        go((1u32 << n) - 1, n, edges, &weights(edges))
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
    fn a_close_pair_is_not_broken_up_for_two_marginal_ones() {
        let c = LadderConfig::default().matchmaker;
        // Two pairs at gaps 90 and 95 are worth less than one at gap 5:
        // the outer two wait a wave with wider windows.
        let cs = [
            cand(1, 1410.0, 0),
            cand(2, 1500.0, 0),
            cand(3, 1505.0, 0),
            cand(4, 1595.0, 0),
        ];
        let e = edges(&cs, &c, &open_rules());
        let pairs = optimal(4, &e);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].gap, 5.0);
    }

    #[test]
    fn optimal_finds_pairs_greedy_misses() {
        let c = LadderConfig::default().matchmaker;
        // Greedy takes the cheapest edge B-C (gap 40) and strands A and D;
        // A-B and C-D (gaps 50) are together worth more.
        let cs = [
            cand(1, 1450.0, 0),
            cand(2, 1500.0, 0),
            cand(3, 1540.0, 0),
            cand(4, 1590.0, 0),
        ];
        let e = edges(&cs, &c, &open_rules());
        assert_eq!(optimal(4, &e).len(), 2);
        assert_eq!(greedy(&cs, &e).len(), 1);
    }

    #[test]
    fn starving_player_gets_the_closest_available_opponent() {
        let c = LadderConfig::default().matchmaker;
        let mut starving = cand(1, 1000.0, 7);
        starving.waited_ms = c.max_wait_ms;
        // 2 and 3 would make a perfect pair; the long waiter still goes first.
        let cs = [
            starving,
            cand(2, 1400.0, 0),
            cand(3, 1401.0, 0),
            cand(4, 2000.0, 0),
        ];
        let pairs = optimal(4, &edges(&cs, &c, &open_rules()));
        let p = pairs
            .iter()
            .find(|e| e.a == 0 || e.b == 0)
            .expect("starving player paired");
        assert_eq!(p.gap, 400.0);
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
            players in proptest::collection::vec((1300.0f64..1700.0, 0u32..10, 0usize..3), 0..10),
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
            prop_assert_eq!(total_weight(&got, &e), brute_force(cs.len(), &e));
            let g = greedy(&cs, &e);
            prop_assert!(total_weight(&g, &e) <= total_weight(&got, &e));
        }
    }
}
