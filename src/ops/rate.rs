//! Events per second over the last minute (e.g. gateway events), for health
//! reports: 60 one-second buckets in a ring, each stamped with the second it
//! counts, so a bucket left over from an earlier minute is never mistaken
//! for a current one. Time is `tokio::time::Instant`, so tests pause it.

use tokio::time::{Duration, Instant};

/// Seconds the rate is averaged over.
pub const WINDOW_S: u64 = 60;

#[derive(Debug, Clone)]
pub struct EventRate {
    origin: Instant,
    /// `(second since origin, events in it)`, at index `second % WINDOW_S`.
    buckets: [(u64, u64); WINDOW_S as usize],
}

impl EventRate {
    /// Counts from `origin` (before it, nothing is counted).
    pub fn new(origin: Instant) -> EventRate {
        EventRate {
            origin,
            // Stamp u64::MAX: no second has that number, so every bucket starts empty.
            buckets: [(u64::MAX, 0); WINDOW_S as usize],
        }
    }

    fn second(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.origin).as_secs()
    }

    /// Counts `n` events at `now`.
    pub fn record(&mut self, now: Instant, n: u64) {
        let s = self.second(now);
        let bucket = &mut self.buckets[(s % WINDOW_S) as usize];
        if bucket.0 != s {
            *bucket = (s, 0);
        }
        bucket.1 += n;
    }

    /// Events per second over the last [`WINDOW_S`] complete seconds before
    /// `now` (the current, partial second is left out, so the figure does not
    /// dip at each second's start); over fewer when less time has passed
    /// since `origin`, and 0 in the first second.
    pub fn per_second(&self, now: Instant) -> f64 {
        let current = self.second(now);
        let first = current.saturating_sub(WINDOW_S);
        let seconds = current - first;
        if seconds == 0 {
            return 0.0;
        }
        let events: u64 = self
            .buckets
            .iter()
            .filter(|(s, _)| *s >= first && *s < current)
            .map(|(_, n)| n)
            .sum();
        events as f64 / seconds as f64
    }

    /// How long the rate is averaged over at `now`.
    pub fn span(&self, now: Instant) -> Duration {
        Duration::from_secs(self.second(now).min(WINDOW_S))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[tokio::test(start_paused = true)]
    async fn steady_rate_over_the_last_minute() {
        let mut r = EventRate::new(Instant::now());
        // 5 events per second for 90 s.
        for _ in 0..90 {
            r.record(Instant::now(), 5);
            tokio::time::advance(secs(1.0)).await;
        }
        assert_eq!(r.per_second(Instant::now()), 5.0);
        assert_eq!(r.span(Instant::now()), secs(60.0));
    }

    #[tokio::test(start_paused = true)]
    async fn early_on_the_rate_is_over_the_time_elapsed() {
        let start = Instant::now();
        let mut r = EventRate::new(start);
        assert_eq!(r.per_second(start), 0.0);
        r.record(start, 10);
        // Still within the first second: nothing complete yet.
        assert_eq!(r.per_second(start + secs(0.9)), 0.0);
        // 10 events in the 1 complete second.
        assert_eq!(r.per_second(start + secs(1.0)), 10.0);
        // 10 events over 4 complete seconds.
        assert_eq!(r.per_second(start + secs(4.5)), 2.5);
        assert_eq!(r.span(start + secs(4.5)), secs(4.0));
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_leaves_the_window_after_a_minute() {
        let start = Instant::now();
        let mut r = EventRate::new(start);
        r.record(start + secs(10.2), 600);
        assert_eq!(r.per_second(start + secs(60.0)), 10.0);
        // Second 10 is still among the last 60 complete seconds at 70.9 s …
        assert_eq!(r.per_second(start + secs(70.9)), 10.0);
        // … and gone at 71 s.
        assert_eq!(r.per_second(start + secs(71.0)), 0.0);
        // A bucket reused a minute later starts from zero, not from 600.
        r.record(start + secs(130.5), 60);
        assert_eq!(r.per_second(start + secs(131.0)), 1.0);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_gap_longer_than_the_window_reads_zero() {
        let start = Instant::now();
        let mut r = EventRate::new(start);
        for s in 0..60 {
            r.record(start + secs(s as f64), 3);
        }
        assert_eq!(r.per_second(start + secs(60.0)), 3.0);
        // An hour later the ring still holds the old stamps; none count.
        assert_eq!(r.per_second(start + secs(3600.0)), 0.0);
        // Time before the origin counts as its first second, never panics.
        let early = EventRate::new(start + secs(5.0));
        assert_eq!(early.per_second(start), 0.0);
    }
}
