//! Instants: when a session expires, a link was used, a message may be retried. Stored as UTC text to
//! the second (`2026-12-05T18:41:43Z`), a fixed width, so that text order is time order on both
//! databases and a comparison in SQL agrees with one in Rust.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, Sub};
use std::str::FromStr;

const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// Text that is not a stored timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("日時として読めません: {0}")]
pub struct NotATimestamp(pub String);

impl Timestamp {
    pub fn now() -> Self {
        Self::at(Utc::now())
    }

    /// The instant, to the second (what the column keeps).
    pub fn at(instant: DateTime<Utc>) -> Self {
        Timestamp(instant.trunc_subsecs(0))
    }

    pub fn instant(self) -> DateTime<Utc> {
        self.0
    }
}

/// The day in Japan of a stored RFC 3339 time (a timestamp or the audit log's millisecond time).
pub fn japan_day_of(text: &str) -> Option<chrono::NaiveDate> {
    let japan = chrono::FixedOffset::east_opt(9 * 3600).expect("UTC+9 is an offset");
    let instant = DateTime::parse_from_rfc3339(text).ok()?;
    Some(instant.with_timezone(&japan).date_naive())
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, span: Duration) -> Timestamp {
        Timestamp(self.0 + span)
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Timestamp;
    fn sub(self, span: Duration) -> Timestamp {
        Timestamp(self.0 - span)
    }
}

impl Sub for Timestamp {
    type Output = Duration;
    fn sub(self, earlier: Timestamp) -> Duration {
        self.0 - earlier.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(FORMAT))
    }
}

impl FromStr for Timestamp {
    type Err = NotATimestamp;

    /// Reads the stored form and any RFC 3339 time (an offset is turned into UTC).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| Self::at(t.with_timezone(&Utc)))
            .map_err(|_| NotATimestamp(text.to_string()))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_order_is_time_order_and_round_trips() {
        let early: Timestamp = "2026-03-31T23:59:59Z".parse().unwrap();
        let late = early + Duration::seconds(1);
        assert_eq!(late.to_string(), "2026-04-01T00:00:00Z");
        assert!(early.to_string() < late.to_string() && early < late);
        assert_eq!(late.to_string().parse::<Timestamp>().unwrap(), late);
        assert_eq!(late - early, Duration::seconds(1));
    }

    #[test]
    fn offsets_become_utc_and_fractions_are_dropped() {
        let t: Timestamp = "2026-04-01T09:00:00.750+09:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-04-01T00:00:00Z");
        assert!("2026-04-01".parse::<Timestamp>().is_err());
        assert!("昨日".parse::<Timestamp>().is_err());
    }
}
