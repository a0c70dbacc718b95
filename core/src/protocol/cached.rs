//! The shape of server data kept in the local cache (`store::cache`): written by
//! the sync engine's pull, read by the app's inquiries. Kinds and keys are fixed strings here so
//! both sides agree; bodies are JSON so a newer app can add fields.

use serde::{Deserialize, Serialize};

use super::wire::PhaseWindow;
use crate::base::lang::Localized;

/// Cache kind: one row per registration decision, keyed by submission id.
pub const REGISTRATION: &str = "registration";
/// Cache kind: the membership card, key [`CURRENT`].
pub const CARD: &str = "card";
/// Cache kind: how to pay, key [`CURRENT`].
pub const PAYMENT_INSTRUCTIONS: &str = "payment_instructions";
/// Cache kind: the protection windows in force, key [`CURRENT`].
pub const PROTECTION: &str = "protection";
/// Cache kind: one row per payment, keyed by the feed position.
pub const PAYMENT: &str = "payment";
/// Cache kind: one row per contribution, keyed `kpj/programme/period`.
pub const CONTRIBUTION: &str = "contribution";
/// Cache kind: one consultation thread, keyed by the consultation's submission id.
pub const THREAD: &str = "thread";
/// The key of single-row kinds.
pub const CURRENT: &str = "current";

/// What the server decided about one registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RegistrationDecision {
    /// Accepted: membership number and payment details.
    Decided {
        /// Server reference.
        reference: String,
        /// Membership card number.
        kpj: String,
        /// Payment code / virtual account.
        payment_code: String,
        /// Amount due in rupiah.
        amount_due: u64,
        /// Pay before (`YYYY-MM-DD`).
        pay_before: String,
    },
    /// Rejected by an officer.
    Rejected {
        /// Why.
        reason: Localized,
    },
    /// A membership registered elsewhere that the agency holds for the person
    /// this device was linked to (no payment details known here). Keyed
    /// `on_file/{kpj}/{starts}`.
    OnFile {
        /// Membership number.
        kpj: String,
        /// First day of the placement window (`YYYY-MM-DD`).
        starts: String,
        /// Last day (`YYYY-MM-DD`).
        ends: String,
    },
}

/// The membership card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardBody {
    /// Membership number (KPJ).
    pub kpj: String,
    /// Server reference of the registration.
    pub reference: String,
    /// The registration's submission id.
    pub submission_id: String,
}

/// How to pay the contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInstructionsBody {
    /// Membership number.
    pub kpj: String,
    /// Payment code / virtual account.
    pub payment_code: String,
    /// Amount due in rupiah.
    pub amount_due: u64,
    /// Pay before (`YYYY-MM-DD`).
    pub pay_before: String,
}

/// The protection windows in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectionBody {
    /// Membership number.
    pub kpj: String,
    /// Day of the payment that set them.
    pub paid_on: String,
    /// The windows.
    pub windows: Vec<PhaseWindow>,
}

/// One payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentBody {
    /// Membership number.
    pub kpj: String,
    /// Amount in rupiah.
    pub amount: u64,
    /// Day of payment.
    pub paid_on: String,
}

/// One contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionBody {
    /// Membership number.
    pub kpj: String,
    /// `jkk_jkm` or `jht`.
    pub programme: String,
    /// `YYYY-MM`.
    pub period: String,
    /// Amount in rupiah.
    pub amount: u64,
    /// When the server recorded it (RFC 3339).
    pub recorded_at: String,
}

/// One officer reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyBody {
    /// Reply id (unique).
    pub reply_id: String,
    /// Text.
    pub body: String,
    /// Role or desk.
    pub from: String,
    /// When (RFC 3339).
    pub at: String,
}

/// A consultation's replies, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ThreadBody {
    /// The consultation's submission id.
    pub submission_id: String,
    /// Replies, oldest first, each once.
    pub replies: Vec<ReplyBody>,
}
