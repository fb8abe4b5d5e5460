//! Rating arithmetic: Glicko-2 (through `skillratings`) or the original Elo,
//! letter ranks by percentile, and the season soft reset. Pure functions.

use skillratings::Outcomes;
use skillratings::glicko2::{Glicko2Config, Glicko2Rating, glicko2};

use crate::config::{RatingConfig, RatingSystem};
use crate::store::rows::{MatchResult, RatingBefore};

/// What a match does to both ratings, from the ratings stored on the match.
pub fn after_match(
    config: &RatingConfig,
    one: RatingBefore,
    two: RatingBefore,
    result: MatchResult,
) -> (RatingBefore, RatingBefore) {
    let outcome = match result {
        MatchResult::Player1 => Outcomes::WIN,
        MatchResult::Player2 => Outcomes::LOSS,
        MatchResult::Draw => Outcomes::DRAW,
    };
    match config.system {
        RatingSystem::Glicko2 => {
            let g = glicko;
            let cfg = Glicko2Config {
                tau: config.tau,
                convergence_tolerance: 0.000_001,
            };
            let (a, b) = glicko2(&g(one), &g(two), &outcome, &cfg);
            let back = |r: Glicko2Rating| RatingBefore {
                rating: r.rating,
                deviation: r.deviation,
                volatility: r.volatility,
            };
            (back(a), back(b))
        }
        RatingSystem::Elo => {
            // skillratings fixes the divisor at 400; the original used 500.
            let expected = expected_elo(one.rating, two.rating, config.elo_divisor);
            let score = match result {
                MatchResult::Player1 => 1.0,
                MatchResult::Player2 => 0.0,
                MatchResult::Draw => 0.5,
            };
            let change = config.elo_k * (score - expected);
            (
                RatingBefore {
                    rating: one.rating + change,
                    ..one
                },
                RatingBefore {
                    rating: two.rating - change,
                    ..two
                },
            )
        }
    }
}

fn glicko(r: RatingBefore) -> Glicko2Rating {
    Glicko2Rating {
        rating: r.rating,
        deviation: r.deviation,
        volatility: r.volatility,
    }
}

fn expected_elo(a: f64, b: f64, divisor: f64) -> f64 {
    1.0 / (1.0 + 10f64.powf((b - a) / divisor))
}

/// The probability that `one` beats `two`, as the configured system predicts it.
pub fn win_probability(config: &RatingConfig, one: RatingBefore, two: RatingBefore) -> f64 {
    match config.system {
        RatingSystem::Glicko2 => {
            skillratings::glicko2::expected_score(&glicko(one), &glicko(two)).0
        }
        RatingSystem::Elo => expected_elo(one.rating, two.rating, config.elo_divisor),
    }
}

/// The 95% interval shown beside a Glicko-2 rating (Elo has none: a point).
pub fn interval(rating: f64, deviation: f64) -> (f64, f64) {
    (rating - 1.96 * deviation, rating + 1.96 * deviation)
}

/// Moves a rating `fraction` of the way back to the initial rating and its
/// deviation the same fraction of the way back up to the initial deviation.
pub fn soft_reset(config: &RatingConfig, r: RatingBefore) -> RatingBefore {
    let f = config.season_soft_reset;
    let deviation = if config.system == RatingSystem::Elo {
        0.0
    } else {
        r.deviation + (config.initial_deviation - r.deviation) * f
    };
    RatingBefore {
        rating: r.rating + (config.initial_rating - r.rating) * f,
        deviation,
        volatility: r.volatility,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rank {
    S,
    A,
    B,
    C,
    D,
    E,
    F,
}

impl Rank {
    pub const ALL: [Rank; 7] = [
        Rank::S,
        Rank::A,
        Rank::B,
        Rank::C,
        Rank::D,
        Rank::E,
        Rank::F,
    ];

    pub fn letter(self) -> &'static str {
        ["S", "A", "B", "C", "D", "E", "F"][self as usize]
    }

    pub fn parse(s: &str) -> Option<Rank> {
        Rank::ALL
            .into_iter()
            .find(|r| r.letter().eq_ignore_ascii_case(s))
    }
}

/// The rank of the entry at `position` (0 = best) among `count` ranked
/// entries: cumulative shares, rounded, mark the boundaries.
pub fn rank_at(shares: &[f64; 7], position: usize, count: usize) -> Rank {
    rank_below(&boundaries(shares, count), position)
}

/// Where each rank ends among `count` ranked entries: the entry at
/// `position` is `Rank::ALL[k]` for the first `k` with `position <
/// bounds[k]` (cumulative shares, rounded), else `F`.
pub fn boundaries(shares: &[f64; 7], count: usize) -> [usize; 7] {
    let mut cumulative = 0.0;
    shares.map(|share| {
        cumulative += share;
        (cumulative / 100.0 * count as f64).round() as usize
    })
}

/// The rank at `position` given [`boundaries`].
pub fn rank_below(bounds: &[usize; 7], position: usize) -> Rank {
    bounds
        .iter()
        .position(|&b| position < b)
        .map_or(Rank::F, |k| Rank::ALL[k])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LadderConfig;

    fn fresh(c: &RatingConfig) -> RatingBefore {
        RatingBefore {
            rating: c.initial_rating,
            deviation: c.initial_deviation,
            volatility: c.initial_volatility,
        }
    }

    #[test]
    fn glicko2_winner_gains_and_deviation_shrinks() {
        let c = LadderConfig::default().rating;
        let (a, b) = after_match(&c, fresh(&c), fresh(&c), MatchResult::Player1);
        assert!(a.rating > 1500.0 && b.rating < 1500.0);
        assert!(a.deviation < 350.0);
        assert!(((a.rating - 1500.0) + (b.rating - 1500.0)).abs() < 1e-6);
    }

    #[test]
    fn elo_uses_k_40_and_divisor_500() {
        let mut c = LadderConfig::default().rating;
        c.system = RatingSystem::Elo;
        let one = RatingBefore {
            rating: 1500.0,
            deviation: 0.0,
            volatility: 0.0,
        };
        let two = RatingBefore {
            rating: 1600.0,
            ..one
        };
        let (a, b) = after_match(&c, one, two, MatchResult::Player1);
        let expected = 1.0 / (1.0 + 10f64.powf(100.0 / 500.0));
        assert!((a.rating - (1500.0 + 40.0 * (1.0 - expected))).abs() < 1e-9);
        assert!((b.rating - (1600.0 - 40.0 * (1.0 - expected))).abs() < 1e-9);
    }

    #[test]
    fn ranks_follow_default_shares() {
        let shares = LadderConfig::default().rating.rank_shares;
        let ranks: Vec<Rank> = (0..100).map(|i| rank_at(&shares, i, 100)).collect();
        let count = |r| ranks.iter().filter(|x| **x == r).count();
        assert_eq!(
            [Rank::S, Rank::A, Rank::B, Rank::F].map(count),
            [1, 7, 21, 8]
        );
        assert_eq!(ranks[0], Rank::S);
        assert_eq!(ranks[99], Rank::F);
    }

    #[test]
    fn soft_reset_moves_toward_the_mean() {
        let c = LadderConfig::default().rating;
        let r = soft_reset(
            &c,
            RatingBefore {
                rating: 1900.0,
                deviation: 50.0,
                volatility: 0.06,
            },
        );
        assert_eq!(r.rating, 1700.0);
        assert_eq!(r.deviation, 200.0);
    }
}

/// Spearman's rank correlation of `x` and `y` (ties get their average
/// rank): how well ratings order players by a known strength. `None` for
/// fewer than two pairs, unequal lengths, or a constant side.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    (vx > 0.0 && vy > 0.0).then(|| cov / (vx * vy).sqrt())
}

fn ranks(values: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut r = vec![0.0; values.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && values[idx[j + 1]] == values[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

#[cfg(test)]
mod spearman_tests {
    use super::spearman;

    #[test]
    fn order_not_scale_and_ties_averaged() {
        assert_eq!(
            spearman(&[1.0, 2.0, 3.0], &[10.0, 200.0, 3000.0]),
            Some(1.0)
        );
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), None, "a constant side");
        assert_eq!(spearman(&[1.0], &[1.0]), None);
        let rho = spearman(&[1.0, 2.0, 2.0, 4.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(rho > 0.9 && rho < 1.0, "{rho}");
    }
}
