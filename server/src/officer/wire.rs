//! The officers' API bodies, shared by the route handlers, the client and
//! the storage layer (which fills [`SubmissionSummary`] rows).

use rantau_core::base::lang::Localized;
use serde::{Deserialize, Serialize};

pub use crate::decisions::import::RowError;

/// `POST /v1/admin/payments` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentRequest {
    /// Membership number the payment is for.
    pub kpj: String,
    /// Amount paid, in rupiah.
    pub amount: u64,
    /// Day of payment (`YYYY-MM-DD`).
    pub paid_on: String,
}

/// `POST /v1/admin/consultations/{id}/reply` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyRequest {
    /// The answer text.
    pub body: String,
    /// Desk or role answering (never a personal name); a default is used if absent.
    #[serde(default)]
    pub from: Option<String>,
}

/// `POST /v1/admin/registrations/{id}/reject` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RejectRequest {
    /// Why, in Indonesian and English.
    pub reason: Localized,
}

/// `POST /v1/admin/contributions` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContributionRequest {
    /// Membership number.
    pub kpj: String,
    /// `jkk_jkm` or `jht`.
    pub programme: String,
    /// Month covered (`YYYY-MM`).
    pub period: String,
    /// Amount in rupiah.
    pub amount: u64,
}

/// One row of `GET /v1/admin/submissions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmissionSummary {
    /// Submission id.
    pub id: String,
    /// Who sent it.
    pub participant_id: String,
    /// Form id.
    pub form_id: String,
    /// Form version.
    pub form_version: u32,
    /// `accepted`, `rejected` or `officer_rejected`.
    pub status: String,
    /// Server reference, when accepted.
    pub reference: Option<String>,
    /// KPJ number (registrations).
    pub kpj: Option<String>,
    /// Payment code (registrations).
    pub payment_code: Option<String>,
    /// Amount due (registrations).
    pub amount_due: Option<u64>,
    /// When the server first received it (unix ms).
    pub received_at: i64,
    /// The answers as sent.
    pub payload: serde_json::Value,
    /// Files (document pages) the submission names.
    #[serde(default)]
    pub files_expected: u32,
    /// Of those, the files this participant has uploaded completely (hash verified).
    /// The submission is complete when both numbers are equal.
    #[serde(default)]
    pub files_complete: u32,
}

/// `GET /v1/admin/submissions` body: one page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmissionList {
    /// Oldest first.
    pub submissions: Vec<SubmissionSummary>,
    /// Give it back as `cursor` for the next page (opaque).
    #[serde(default)]
    pub next_cursor: String,
    /// More submissions follow this page.
    #[serde(default)]
    pub has_more: bool,
}

/// `POST /v1/admin/link-codes` body: the person (by NIK or KPJ, exactly one)
/// whose passport the officer checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkCodeRequest {
    /// The NIK, or absent when `kpj` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik: Option<String>,
    /// The KPJ, or absent when `nik` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpj: Option<String>,
}

/// `POST /v1/admin/link-codes` answer: the code to hand over (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCode {
    /// Six digits.
    pub code: String,
    /// Until when it links a device (RFC 3339).
    pub expires_at: String,
}

/// `POST /v1/admin/persons/import` body: a CSV file of people registered
/// elsewhere (format: `docs/import.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportRequest {
    /// The whole file, header row first.
    pub csv: String,
}

/// `POST /v1/admin/persons/import` answer: the file was imported whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows that added a person or a membership.
    pub added: usize,
    /// Rows held already (the same file imported before): nothing written.
    pub unchanged: usize,
}

/// `POST /v1/admin/persons/import` refusal (422 `import.invalid_rows`):
/// nothing of the file was imported; every bad row is listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportRefusal {
    /// `import.invalid_rows`.
    pub code: String,
    /// What to do, in the request's language.
    pub message: String,
    /// Each bad row: line (the header is 1), code and reason.
    pub errors: Vec<RowError>,
}
