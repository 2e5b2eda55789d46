use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, Neg, Sub};

/// Points in hundredths, so 0.5 + 0.25 is exact and totals never drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Points(i64);

impl Points {
    pub const ZERO: Points = Points(0);

    pub fn from_hundredths(hundredths: i64) -> Self {
        Points(hundredths)
    }

    /// A value as a policy writes it (4, 0.5, 2.25); more than two decimals or a non-finite number is refused.
    pub fn from_decimal(value: f64) -> Option<Self> {
        let scaled = value * 100.0;
        if !scaled.is_finite() || scaled.abs() > 1e12 || (scaled - scaled.round()).abs() > 1e-6 {
            return None;
        }
        Some(Points(scaled.round() as i64))
    }

    /// `self` × `numerator` / `denominator`, rounded half up to the hundredth.
    pub fn scaled(self, numerator: i64, denominator: i64) -> Self {
        if denominator == 0 {
            return Points::ZERO;
        }
        let product = self.0 as i128 * numerator as i128;
        let rounded = (2 * product + denominator as i128) / (2 * denominator as i128);
        Points(rounded as i64)
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Points {
    /// 4, 0.5, 2.25 — no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, fraction) = (self.0.abs() / 100, self.0.abs() % 100);
        match fraction {
            0 => write!(f, "{sign}{whole}"),
            f10 if f10 % 10 == 0 => write!(f, "{sign}{whole}.{}", f10 / 10),
            _ => write!(f, "{sign}{whole}.{fraction:02}"),
        }
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0 + other.0)
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, other: Points) -> Points {
        Points(self.0 - other.0)
    }
}

impl Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(-self.0)
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}

/// JSON carries points as numbers (4, 0.5), as an evaluation committee writes them.
impl Serialize for Points {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Points::from_decimal(value)
            .ok_or_else(|| serde::de::Error::custom(format!("{value} is not a number of points")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_display() {
        assert_eq!(Points::from_decimal(0.5), Some(Points(50)));
        assert_eq!(Points::from_decimal(4.0).unwrap().to_string(), "4");
        assert_eq!(Points::from_decimal(2.25).unwrap().to_string(), "2.25");
        assert_eq!(Points::from_decimal(0.5).unwrap().to_string(), "0.5");
        assert_eq!((-Points(150)).to_string(), "-1.5");
        assert_eq!(Points::from_decimal(0.125), None);
        assert_eq!(Points::from_decimal(f64::NAN), None);
    }

    #[test]
    fn scaling_rounds_half_up() {
        assert_eq!(Points(300).scaled(7, 8), Points(263)); // 2.625 → 2.63
        assert_eq!(Points(300).scaled(1, 3), Points(100));
        assert_eq!(Points(300).scaled(2, 3), Points(200));
        assert_eq!(Points(300).scaled(1, 0), Points::ZERO);
    }

    #[test]
    fn json_round_trip() {
        let text = serde_json::to_string(&Points(50)).unwrap();
        assert_eq!(text, "0.5");
        assert_eq!(serde_json::from_str::<Points>(&text).unwrap(), Points(50));
    }
}
