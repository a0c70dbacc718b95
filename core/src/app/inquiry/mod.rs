//! Cached inquiries: what the worker reads (membership status, card, how to pay,
//! contributions, consultation replies), answered from the local store at once,
//! never from the network, each with the time its data was fetched.

mod card;
mod contributions;
mod membership;
mod payment;
mod threads;

pub use card::{card, Card};
pub use contributions::{contributions, Contribution};
pub use membership::{derive_status, membership, Decision, Membership, MembershipStatus, Window};
pub use payment::{payment_channels, payment_instructions, PaymentChannel, PaymentInstructions};
pub use threads::{threads, Reply, Thread};
