//! Limits on what an outsider can make the server do before it knows who they are: how many
//! sign-ins one address and everyone together may try, and how many failures (wrong passwords, made-up
//! API tokens) one address may have in a sliding window before it is refused for a while. Kept in
//! memory per server; the lock per e-mail address is in the database (`db::sessions`).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The settings the throttle is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sign-in attempts one address may make per minute (a burst of that many, then one by one).
    pub sign_ins_per_address_per_minute: u32,
    /// Sign-in attempts from everyone together per minute.
    pub sign_ins_per_minute: u32,
    /// Failures one address may have in `failure_window` before it is refused until they age out.
    pub failures_per_address: u32,
    pub failure_window: Duration,
}

/// Too many requests: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub retry_after: Duration,
}

impl Refusal {
    pub fn seconds(&self) -> u64 {
        self.retry_after.as_secs().max(1)
    }
}

/// Failures per key within a sliding window.
#[derive(Debug, Default)]
struct FailureWindow {
    by_key: HashMap<String, VecDeque<Instant>>,
}

/// More keys than this and the oldest-looking ones are dropped: an attacker rotating addresses
/// must not grow the map without bound.
const MAX_TRACKED_ADDRESSES: usize = 100_000;

impl FailureWindow {
    fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
        while times
            .front()
            .is_some_and(|first| now.duration_since(*first) >= window)
        {
            times.pop_front();
        }
    }

    /// When the key may try again, if it has used up its failures.
    fn refused_until(
        &mut self,
        key: &str,
        now: Instant,
        limit: u32,
        window: Duration,
    ) -> Option<Instant> {
        let times = self.by_key.get_mut(key)?;
        Self::prune(times, now, window);
        if times.len() >= limit as usize {
            // The oldest failure that keeps the count at the limit must age out first.
            let index = times.len() - limit as usize;
            return times.get(index).map(|t| *t + window);
        }
        None
    }

    fn record(&mut self, key: &str, now: Instant, limit: u32, window: Duration) {
        if self.by_key.len() >= MAX_TRACKED_ADDRESSES && !self.by_key.contains_key(key) {
            self.by_key.retain(|_, times| {
                Self::prune(times, now, window);
                !times.is_empty()
            });
            if self.by_key.len() >= MAX_TRACKED_ADDRESSES {
                self.by_key.clear();
            }
        }
        let times = self.by_key.entry(key.to_string()).or_default();
        Self::prune(times, now, window);
        times.push_back(now);
        // Only the last `limit` failures decide anything.
        while times.len() > limit as usize {
            times.pop_front();
        }
    }
}

pub struct Throttle {
    limits: Limits,
    sign_ins_per_address: DefaultKeyedRateLimiter<String>,
    sign_ins: DefaultDirectRateLimiter,
    failures: Mutex<FailureWindow>,
}

fn per_minute(count: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(count.max(1)).expect("at least one"))
}

impl Throttle {
    pub fn new(limits: Limits) -> Self {
        Throttle {
            limits,
            sign_ins_per_address: RateLimiter::keyed(per_minute(
                limits.sign_ins_per_address_per_minute,
            )),
            sign_ins: RateLimiter::direct(per_minute(limits.sign_ins_per_minute)),
            failures: Mutex::new(FailureWindow::default()),
        }
    }

    fn failures(&self) -> std::sync::MutexGuard<'_, FailureWindow> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether an address with too many recent failures is still refused.
    pub fn check_failures(&self, address: &str) -> Result<(), Refusal> {
        let now = Instant::now();
        let until = self.failures().refused_until(
            address,
            now,
            self.limits.failures_per_address,
            self.limits.failure_window,
        );
        match until {
            Some(until) => Err(Refusal {
                retry_after: until.saturating_duration_since(now),
            }),
            None => Ok(()),
        }
    }

    /// A sign-in attempt from `address`: refused while the address has used up its failures, or
    /// beyond the per-address or global rate. Counts against both rates when allowed.
    pub fn sign_in_attempt(&self, address: &str) -> Result<(), Refusal> {
        self.check_failures(address)?;
        let clock = DefaultClock::default();
        if let Err(not_until) = self.sign_ins_per_address.check_key(&address.to_string()) {
            return Err(Refusal {
                retry_after: not_until.wait_time_from(clock.now()),
            });
        }
        if let Err(not_until) = self.sign_ins.check() {
            return Err(Refusal {
                retry_after: not_until.wait_time_from(clock.now()),
            });
        }
        Ok(())
    }

    /// A wrong password or a made-up API token from `address`.
    pub fn failed(&self, address: &str) {
        self.failures().record(
            address,
            Instant::now(),
            self.limits.failures_per_address,
            self.limits.failure_window,
        );
        self.sign_ins_per_address.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(per_address: u32, failures: u32) -> Throttle {
        Throttle::new(Limits {
            sign_ins_per_address_per_minute: per_address,
            sign_ins_per_minute: 1_000,
            failures_per_address: failures,
            failure_window: Duration::from_secs(900),
        })
    }

    #[test]
    fn an_address_is_refused_after_its_failures_and_others_are_not() {
        let throttle = throttle(100, 3);
        for _ in 0..3 {
            assert!(throttle.sign_in_attempt("192.0.2.1").is_ok());
            throttle.failed("192.0.2.1");
        }
        let refused = throttle.sign_in_attempt("192.0.2.1").unwrap_err();
        assert!(refused.retry_after > Duration::from_secs(800));
        assert!(refused.seconds() <= 900);
        assert!(throttle.sign_in_attempt("192.0.2.2").is_ok());
    }

    #[test]
    fn failures_age_out_of_the_window() {
        let mut window = FailureWindow::default();
        let start = Instant::now();
        let span = Duration::from_secs(60);
        window.record("a", start, 2, span);
        window.record("a", start + Duration::from_secs(30), 2, span);
        assert_eq!(
            window.refused_until("a", start + Duration::from_secs(31), 2, span),
            Some(start + span)
        );
        assert_eq!(
            window.refused_until("a", start + Duration::from_secs(61), 2, span),
            None
        );
    }

    #[test]
    fn an_address_sending_faster_than_its_rate_is_refused() {
        let throttle = throttle(5, 100);
        for _ in 0..5 {
            assert!(throttle.sign_in_attempt("198.51.100.7").is_ok());
        }
        assert!(throttle.sign_in_attempt("198.51.100.7").is_err());
        assert!(throttle.sign_in_attempt("198.51.100.8").is_ok());
    }
}
