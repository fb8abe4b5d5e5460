//! Percentiles over a recent time window (e.g. "p99 commit latency over the
//! last five minutes"), for health reports. A ring of timestamped samples with
//! a hard cap, sorted on demand: reports are rare, samples are frequent.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LatencyWindow {
    span: Duration,
    cap: usize,
    samples: Mutex<VecDeque<(Instant, u32)>>,
}

/// Percentiles in microseconds over the samples in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    pub count: usize,
    pub p50_us: u32,
    pub p99_us: u32,
    pub max_us: u32,
}

impl LatencyWindow {
    /// Keeps samples younger than `span`, at most `cap` of them (oldest dropped).
    pub fn new(span: Duration, cap: usize) -> LatencyWindow {
        LatencyWindow {
            span,
            cap: cap.max(1),
            samples: Mutex::new(VecDeque::new()),
        }
    }

    pub fn record(&self, now: Instant, value: Duration) {
        let micros = u32::try_from(value.as_micros()).unwrap_or(u32::MAX);
        let mut s = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        if s.len() == self.cap {
            s.pop_front();
        }
        s.push_back((now, micros));
    }

    /// Forgets every sample (a benchmark reads one phase at a time).
    pub fn clear(&self) {
        self.samples
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    pub fn percentiles(&self, now: Instant) -> Percentiles {
        let mut values: Vec<u32> = {
            let mut s = self.samples.lock().unwrap_or_else(|p| p.into_inner());
            while s
                .front()
                .is_some_and(|(t, _)| now.saturating_duration_since(*t) > self.span)
            {
                s.pop_front();
            }
            s.iter().map(|&(_, v)| v).collect()
        };
        if values.is_empty() {
            return Percentiles::default();
        }
        values.sort_unstable();
        let at = |p: f64| values[((values.len() - 1) as f64 * p).round() as usize];
        Percentiles {
            count: values.len(),
            p50_us: at(0.50),
            p99_us: at(0.99),
            max_us: values[values.len() - 1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_over_the_window_only() {
        let w = LatencyWindow::new(Duration::from_secs(60), 1000);
        let t0 = Instant::now();
        // An old burst of slow samples that must age out.
        for _ in 0..100 {
            w.record(t0, Duration::from_millis(500));
        }
        let t1 = t0 + Duration::from_secs(120);
        for i in 1..=100u64 {
            w.record(t1, Duration::from_micros(i));
        }
        let p = w.percentiles(t1);
        assert_eq!(p.count, 100);
        assert_eq!(p.p50_us, 51);
        assert_eq!(p.p99_us, 99);
        assert_eq!(p.max_us, 100);
        assert_eq!(w.percentiles(t1 + Duration::from_secs(61)).count, 0);
        w.record(t1, Duration::from_micros(7));
        w.clear();
        assert_eq!(w.percentiles(t1).count, 0);
    }

    #[test]
    fn the_cap_drops_the_oldest() {
        let w = LatencyWindow::new(Duration::from_secs(60), 10);
        let t = Instant::now();
        for i in 0..20u64 {
            w.record(t, Duration::from_micros(i));
        }
        let p = w.percentiles(t);
        assert_eq!((p.count, p.max_us), (10, 19));
        assert_eq!(p.p50_us, 15);
    }
}
