//! Bid-evaluation rating (総合評価落札方式の情報セキュリティ加点): the scoring policy as a versioned file,
//! the facts a bidder is rated on, and the pure scoring that turns one into points with an explanation
//! per rule. Nothing here reads the database, so a frozen snapshot of facts rates the same forever.

pub mod facts;
mod points;
pub mod policy;
pub mod score;

pub use points::Points;
pub use policy::{Policy, PolicyError};
pub use score::{rate, BidderRating, Line, Rating};
