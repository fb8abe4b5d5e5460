//! Fault injection: make the simulated Discord answer the next requests with
//! a 429 or a 5xx instead of handling them, to test a client's retries.
//!
//! A [`Fault`] applies to the next `count` requests whose route key starts
//! with its prefix (all routes without one). Faults are checked in the order
//! they were injected, after routing and authorization and before the rate
//! limiter, so a faulted request uses up no bucket or global slot and changes
//! nothing in the simulated guild. The CDN is never faulted.

use std::time::Duration;

/// What a faulted request is answered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// 429 as Discord sends it: `Retry-After` (whole seconds, at least 1),
    /// the body's `retry_after` (seconds, fractional) and, for a route limit,
    /// the route's `X-RateLimit-*` headers with `Remaining: 0` and
    /// `Reset-After` = `retry_after` and `X-RateLimit-Scope: user`; for the
    /// global limit `X-RateLimit-Global: true` and `X-RateLimit-Scope: global`.
    RateLimited { retry_after: Duration, global: bool },
    /// A server error (500–599) with a JSON body, no rate-limit headers.
    ServerError { status: u16 },
}

/// One injected fault: the next `count` matching requests get `kind`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    pub count: u32,
    /// Only requests whose route key (e.g. `"POST /channels/{channel_id}/messages"`)
    /// starts with this; `None`: every route.
    pub route_prefix: Option<String>,
}

/// Why [`crate::sim::Simulator::inject`] refused a fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    #[error("a fault must apply to at least one request")]
    NoRequests,
    #[error("{0} is not a server error status (500-599)")]
    NotServerError(u16),
    #[error("retry_after must be between 1 ms and 1 hour, not {0:?}")]
    RetryAfter(Duration),
    #[error("a route prefix must be a non-empty route key start such as \"POST /channels\"")]
    EmptyPrefix,
}

impl Fault {
    /// The next `count` requests answer 429 (route-scoped) asking to retry after `retry_after`.
    pub fn rate_limited(count: u32, retry_after: Duration) -> Fault {
        Fault {
            kind: FaultKind::RateLimited {
                retry_after,
                global: false,
            },
            count,
            route_prefix: None,
        }
    }

    /// The next `count` requests answer 429 for the global limit.
    pub fn globally_rate_limited(count: u32, retry_after: Duration) -> Fault {
        Fault {
            kind: FaultKind::RateLimited {
                retry_after,
                global: true,
            },
            count,
            route_prefix: None,
        }
    }

    /// The next `count` requests answer `status` (500–599).
    pub fn server_error(count: u32, status: u16) -> Fault {
        Fault {
            kind: FaultKind::ServerError { status },
            count,
            route_prefix: None,
        }
    }

    /// Only on route keys starting with `prefix`.
    pub fn on(mut self, prefix: impl Into<String>) -> Fault {
        self.route_prefix = Some(prefix.into());
        self
    }

    pub(crate) fn check(&self) -> Result<(), FaultError> {
        if self.count == 0 {
            return Err(FaultError::NoRequests);
        }
        if self.route_prefix.as_deref().is_some_and(str::is_empty) {
            return Err(FaultError::EmptyPrefix);
        }
        match self.kind {
            FaultKind::ServerError { status } if !(500..=599).contains(&status) => {
                Err(FaultError::NotServerError(status))
            }
            FaultKind::RateLimited { retry_after, .. }
                if retry_after < Duration::from_millis(1)
                    || retry_after > Duration::from_secs(3600) =>
            {
                Err(FaultError::RetryAfter(retry_after))
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, route_key: &str) -> bool {
        self.route_prefix
            .as_deref()
            .is_none_or(|p| route_key.starts_with(p))
    }
}

/// The injected faults still to be served, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    pending: Vec<Fault>,
}

impl Faults {
    pub(crate) fn push(&mut self, fault: Fault) -> Result<(), FaultError> {
        fault.check()?;
        self.pending.push(fault);
        Ok(())
    }

    /// The fault for a request on `route_key`, if any (one use of it taken).
    pub(crate) fn take(&mut self, route_key: &str) -> Option<FaultKind> {
        let i = self.pending.iter().position(|f| f.matches(route_key))?;
        let f = &mut self.pending[i];
        let kind = f.kind.clone();
        f.count -= 1;
        if f.count == 0 {
            self.pending.remove(i);
        }
        Some(kind)
    }

    /// Requests still to be faulted, over all pending faults.
    pub(crate) fn left(&self) -> u64 {
        self.pending.iter().map(|f| u64::from(f.count)).sum()
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &str = "POST /channels/{channel_id}/messages";
    const DM: &str = "POST /users/@me/channels";

    #[test]
    fn faults_are_served_in_order_per_matching_route_and_then_forgotten() {
        let mut f = Faults::default();
        f.push(Fault::server_error(2, 503).on("POST /channels"))
            .unwrap();
        f.push(Fault::rate_limited(1, Duration::from_secs(1)))
            .unwrap();
        assert_eq!(f.left(), 3);
        // The DM route does not match the first fault; the second (any route) takes it.
        assert!(matches!(f.take(DM), Some(FaultKind::RateLimited { .. })));
        assert_eq!(f.take(DM), None);
        assert_eq!(f.take(MSG), Some(FaultKind::ServerError { status: 503 }));
        assert_eq!(f.take(MSG), Some(FaultKind::ServerError { status: 503 }));
        assert_eq!(f.take(MSG), None);
        assert_eq!(f.left(), 0);
    }

    #[test]
    fn nonsense_faults_are_refused_and_change_nothing() {
        let mut f = Faults::default();
        assert_eq!(
            f.push(Fault::server_error(1, 404)),
            Err(FaultError::NotServerError(404))
        );
        assert_eq!(
            f.push(Fault::server_error(0, 500)),
            Err(FaultError::NoRequests)
        );
        assert_eq!(
            f.push(Fault::rate_limited(1, Duration::ZERO)),
            Err(FaultError::RetryAfter(Duration::ZERO))
        );
        assert_eq!(
            f.push(Fault::server_error(1, 500).on("")),
            Err(FaultError::EmptyPrefix)
        );
        assert_eq!(f.left(), 0);
        assert_eq!(f.take(MSG), None);
    }
}
