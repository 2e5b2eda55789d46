//! The METI supply-chain security level (★) a contract requires: ★4 (Standard) when any of three
//! conditions holds, else ★3 (Basic).

use super::certification::Level;
use serde::{Deserialize, Serialize};

/// The three conditions of METI's evaluation scheme for one contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarConditions {
    /// The buyer's sensitive information is handled on the supplier's systems.
    pub sensitive_data: bool,
    /// An outage at the supplier would cause unacceptable delay to the buyer's work.
    pub outage_critical: bool,
    /// The supplier's environment can reach the buyer's internal systems.
    pub reaches_internal: bool,
}

impl StarConditions {
    pub fn required(self) -> Level {
        if self.sensitive_data || self.outage_critical || self.reaches_internal {
            Level::Star4
        } else {
            Level::Star3
        }
    }
}

/// The METI level a vendor's certificate shows as a number (3, 4, 5); none for the SECURITY ACTION stars.
pub fn meti_rank(level: Level) -> Option<u8> {
    match level {
        Level::Star3 => Some(3),
        Level::Star4 => Some(4),
        Level::Star5 => Some(5),
        Level::OneStar | Level::TwoStars => None,
    }
}

/// Whether a vendor holding `held` (its best valid, verified METI level) falls short of `required`.
pub fn falls_short(required: Level, held: Option<Level>) -> bool {
    let need = meti_rank(required).unwrap_or(0);
    held.and_then(meti_rank).is_none_or(|have| have < need)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_one_of_the_three_conditions_requires_star_4_and_none_star_3() {
        for bits in 0..8u8 {
            let conditions = StarConditions {
                sensitive_data: bits & 1 != 0,
                outage_critical: bits & 2 != 0,
                reaches_internal: bits & 4 != 0,
            };
            let expected = if bits == 0 {
                Level::Star3
            } else {
                Level::Star4
            };
            assert_eq!(conditions.required(), expected, "{conditions:?}");
        }
    }

    #[test]
    fn a_lower_or_missing_level_falls_short() {
        assert!(falls_short(Level::Star4, Some(Level::Star3)));
        assert!(falls_short(Level::Star3, None));
        assert!(falls_short(Level::Star3, Some(Level::TwoStars)));
        assert!(!falls_short(Level::Star4, Some(Level::Star4)));
        assert!(!falls_short(Level::Star4, Some(Level::Star5)));
        assert!(!falls_short(Level::Star3, Some(Level::Star4)));
    }
}
