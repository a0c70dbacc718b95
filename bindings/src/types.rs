//! Records and enums that cross the FFI, and their conversions from the core's
//! types. Text meant for the user arrives already in the profile's language;
//! dates are `YYYY-MM-DD` strings, times unix milliseconds. Types that may hold
//! personal data have no `Debug`, or a hand-written one without the values.

use rantau_core::app::{inquiry, profile};
use rantau_core::forms::Input;
use rantau_core::{protocol, sync, Lang, Localized};

pub(crate) fn text(l: &Localized, lang: Lang) -> String {
    l.get(lang).to_string()
}

/// A value as the form sends it (one user action).
#[derive(Clone, PartialEq, uniffi::Enum)]
pub enum FieldInput {
    /// Typed or picked text; every single-value kind parses it.
    Text {
        /// The text as typed.
        value: String,
    },
    /// A number (number fields).
    Number {
        /// The number.
        value: f64,
    },
    /// A tick (consent fields).
    Bool {
        /// Ticked or not.
        value: bool,
    },
    /// Picked values (multi-choice fields). (Not `List`: it would shadow Kotlin's `List`.)
    Picked {
        /// The values.
        values: Vec<String>,
    },
    /// Empties the field (a repeat group: removes every item).
    Clear,
}

impl From<FieldInput> for Input {
    fn from(i: FieldInput) -> Input {
        match i {
            FieldInput::Text { value } => Input::Text(value),
            FieldInput::Number { value } => Input::Number(value),
            FieldInput::Bool { value } => Input::Bool(value),
            FieldInput::Picked { values } => Input::List(values),
            FieldInput::Clear => Input::Clear,
        }
    }
}

/// A form a user can start.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormInfo {
    /// Form id (`pmi-registration`).
    pub id: String,
    /// Version.
    pub version: u32,
    /// Title in the profile's language.
    pub title: String,
    /// Description, if any.
    pub description: Option<String>,
}

/// One line of the drafts list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DraftSummary {
    /// Draft id.
    pub id: String,
    /// Form id.
    pub form_id: String,
    /// Form title in the profile's language.
    pub title: String,
    /// Answered fields.
    pub answered: u32,
    /// Last change (unix ms).
    pub updated_at: i64,
}

impl From<profile::DraftSummary> for DraftSummary {
    fn from(d: profile::DraftSummary) -> Self {
        DraftSummary {
            id: d.id,
            form_id: d.form_id,
            title: d.title,
            answered: u32::try_from(d.answered).unwrap_or(u32::MAX),
            updated_at: d.updated_at,
        }
    }
}

/// What one sync run did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Submissions put in a request.
    pub sent: u32,
    /// Accepted for the first time.
    pub accepted: u32,
    /// The server had them already (no second record).
    pub duplicates: u32,
    /// Rejected: the user can reopen them.
    pub rejected: u32,
    /// Same id, different content on the server.
    pub conflicts: u32,
    /// Held until the registration they refer to is accepted.
    pub held: u32,
    /// Put back to wait after a transient failure.
    pub waiting: u32,
    /// Change-feed events applied.
    pub pulled_events: u32,
    /// Request body bytes.
    pub bytes_up: u64,
    /// Response body bytes.
    pub bytes_down: u64,
    /// HTTP requests.
    pub requests: u32,
    /// The server refused the token; the next sync enrolls again.
    pub auth_lost: bool,
    /// Code of the failure that ended the push early.
    pub push_error: Option<String>,
    /// Code of the failure that ended the pull early.
    pub pull_error: Option<String>,
    /// Document files the server confirmed complete in this run.
    pub docs_uploaded: u32,
    /// Document chunk bytes sent.
    pub doc_bytes_up: u64,
    /// Code of the failure that stopped the document upload, if any.
    pub upload_error: Option<String>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<sync::SyncReport> for SyncReport {
    fn from(r: sync::SyncReport) -> Self {
        SyncReport {
            sent: count(r.sent),
            accepted: count(r.accepted),
            duplicates: count(r.duplicates),
            rejected: count(r.rejected),
            conflicts: count(r.conflicts),
            held: count(r.held),
            waiting: count(r.waiting),
            pulled_events: count(r.pulled_events),
            bytes_up: r.bytes_up,
            bytes_down: r.bytes_down,
            requests: count(r.requests),
            auth_lost: r.auth_lost,
            push_error: r.push_error,
            pull_error: r.pull_error,
            docs_uploaded: count(r.docs_uploaded),
            doc_bytes_up: r.doc_bytes_up,
            upload_error: r.upload_error,
        }
    }
}

/// A step of a sync run.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SyncState {
    /// Enrolling this device.
    Enrolling,
    /// Sending: `sent` of `total`.
    Pushing {
        /// Sent so far.
        sent: u32,
        /// Due at the start.
        total: u32,
    },
    /// Uploading document files: chunk bytes sent of the bytes missing on the server.
    Uploading {
        /// Files the server now holds completely, in this run.
        files_done: u32,
        /// Files to upload in this run.
        files_total: u32,
        /// Chunk bytes sent so far.
        bytes_sent: u64,
        /// Size of the files to upload.
        bytes_total: u64,
    },
    /// Reading the change feed.
    Pulling {
        /// Events applied so far.
        events: u32,
    },
    /// Finished (work may still wait; see the report).
    Done {
        /// What the run did.
        report: SyncReport,
    },
    /// Stopped with an error.
    Failed {
        /// Stable error code.
        code: String,
    },
}

impl From<sync::SyncState> for SyncState {
    fn from(s: sync::SyncState) -> Self {
        match s {
            sync::SyncState::Enrolling => SyncState::Enrolling,
            sync::SyncState::Pushing { sent, total } => SyncState::Pushing {
                sent: count(sent),
                total: count(total),
            },
            sync::SyncState::Uploading {
                files_done,
                files_total,
                bytes_sent,
                bytes_total,
            } => SyncState::Uploading {
                files_done: count(files_done),
                files_total: count(files_total),
                bytes_sent,
                bytes_total,
            },
            sync::SyncState::Pulling { events } => SyncState::Pulling {
                events: count(events),
            },
            sync::SyncState::Done(r) => SyncState::Done { report: r.into() },
            sync::SyncState::Failed { code } => SyncState::Failed { code },
        }
    }
}

/// A protection phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Phase {
    /// Before departure.
    PrePlacement,
    /// While working abroad.
    Placement,
    /// After return.
    PostPlacement,
}

impl From<protocol::wire::Phase> for Phase {
    fn from(p: protocol::wire::Phase) -> Self {
        match p {
            protocol::wire::Phase::PrePlacement => Phase::PrePlacement,
            protocol::wire::Phase::Placement => Phase::Placement,
            protocol::wire::Phase::PostPlacement => Phase::PostPlacement,
        }
    }
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Where the worker stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MembershipStatus {
    /// No registration (or the last one was rejected).
    NotRegistered,
    /// Finalized here, not decided by the server yet.
    PendingSync,
    /// Card issued, contribution not paid.
    RegisteredUnpaid,
    /// Protected today.
    Active {
        /// Phase in force.
        phase: Phase,
        /// Last protected day.
        until: String,
    },
    /// Paid; protection starts later.
    NotYetActive {
        /// First protected day.
        starts: String,
    },
    /// Every window ended.
    Expired {
        /// Last protected day.
        ended: String,
    },
}

/// A protection window (dates inclusive).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProtectionWindow {
    /// Phase.
    pub phase: Phase,
    /// First protected day.
    pub start: String,
    /// Last protected day.
    pub end: String,
}

/// Membership as known on this phone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Membership {
    /// Derived status.
    pub status: MembershipStatus,
    /// Membership number (KPJ) once known.
    pub kpj: Option<String>,
    /// Protection windows, oldest first.
    pub windows: Vec<ProtectionWindow>,
    /// Why the registration was rejected, localized.
    pub rejection: Option<String>,
    /// When the newest fact used was fetched (unix ms).
    pub fetched_at: Option<i64>,
}

pub(crate) fn membership(m: inquiry::Membership, lang: Lang) -> Membership {
    use inquiry::MembershipStatus as S;
    Membership {
        status: match m.status {
            S::NotRegistered => MembershipStatus::NotRegistered,
            S::PendingSync => MembershipStatus::PendingSync,
            S::RegisteredUnpaid => MembershipStatus::RegisteredUnpaid,
            S::Active { phase, until } => MembershipStatus::Active {
                phase: phase.into(),
                until: day(until),
            },
            S::NotYetActive { starts } => MembershipStatus::NotYetActive {
                starts: day(starts),
            },
            S::Expired { ended } => MembershipStatus::Expired { ended: day(ended) },
        },
        kpj: m.kpj,
        windows: m
            .windows
            .into_iter()
            .map(|w| ProtectionWindow {
                phase: w.phase.into(),
                start: day(w.start),
                end: day(w.end),
            })
            .collect(),
        rejection: m.rejection.map(|r| text(&r, lang)),
        fetched_at: m.fetched_at,
    }
}

/// The membership card.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Card {
    /// Membership number (KPJ).
    pub kpj: String,
    /// Server reference of the registration.
    pub reference: String,
    /// The registration's submission id.
    pub submission_id: String,
    /// Fetched at (unix ms).
    pub fetched_at: i64,
}

impl From<inquiry::Card> for Card {
    fn from(c: inquiry::Card) -> Self {
        Card {
            kpj: c.kpj,
            reference: c.reference,
            submission_id: c.submission_id,
            fetched_at: c.fetched_at,
        }
    }
}

/// A way to pay with the payment code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaymentChannel {
    /// Short name.
    pub name: String,
    /// How to use it.
    pub how: String,
}

/// How to pay the contribution.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaymentInstructions {
    /// Membership number.
    pub kpj: String,
    /// Payment code / virtual account.
    pub payment_code: String,
    /// Amount due in rupiah.
    pub amount_due: u64,
    /// Pay before (`YYYY-MM-DD`).
    pub pay_before: String,
    /// A payment was recorded.
    pub paid: bool,
    /// Where to pay.
    pub channels: Vec<PaymentChannel>,
    /// Fetched at (unix ms).
    pub fetched_at: i64,
}

pub(crate) fn payment_instructions(
    p: inquiry::PaymentInstructions,
    lang: Lang,
) -> PaymentInstructions {
    PaymentInstructions {
        kpj: p.kpj,
        payment_code: p.payment_code,
        amount_due: p.amount_due,
        pay_before: p.pay_before,
        paid: p.paid,
        channels: p
            .channels
            .iter()
            .map(|c| PaymentChannel {
                name: text(&c.name, lang),
                how: text(&c.how, lang),
            })
            .collect(),
        fetched_at: p.fetched_at,
    }
}

/// A contribution recorded by the agency.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Contribution {
    /// Membership number.
    pub kpj: String,
    /// `jkk_jkm` or `jht`.
    pub programme: String,
    /// Period (`YYYY-MM`).
    pub period: String,
    /// Amount in rupiah.
    pub amount: u64,
    /// Recorded at (RFC 3339).
    pub recorded_at: String,
    /// Fetched at (unix ms).
    pub fetched_at: i64,
}

impl From<inquiry::Contribution> for Contribution {
    fn from(c: inquiry::Contribution) -> Self {
        Contribution {
            kpj: c.kpj,
            programme: c.programme,
            period: c.period,
            amount: c.amount,
            recorded_at: c.recorded_at,
            fetched_at: c.fetched_at,
        }
    }
}
