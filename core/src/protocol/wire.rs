//! The v1 JSON wire format shared by the core's sync engine and the reference
//! server. A change here is an API change: both sides and the OpenAPI document
//! (`server/openapi.json`) change together, and the snapshot tests show it.

use serde::{Deserialize, Serialize};

use crate::base::issue::Issue;

/// `POST /v1/devices`: enroll this device (one profile) and receive a bearer token.
/// The first enrollment of a device id returns a device secret; enrolling that id
/// again (a lost answer, a revoked token) needs it, so a device id alone is not a
/// credential.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// Client-generated device id (UUID), stable for the profile.
    pub device_id: String,
    /// Free label shown to officers (e.g. "Android 12"); no personal data.
    #[serde(default)]
    pub label: String,
    /// The secret the server gave this device at its first enrollment; absent
    /// the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_secret: Option<String>,
}

impl std::fmt::Debug for EnrollRequest {
    // Hand-written: the device secret is a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollRequest")
            .field("device_id", &self.device_id)
            .field("label", &self.label)
            .field(
                "device_secret",
                &self.device_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Answer to [`EnrollRequest`].
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The participant this device acts for; every read is scoped to it.
    pub participant_id: String,
    /// Bearer token for all further calls; the device's earlier tokens are revoked.
    pub token: String,
    /// The device secret (256 bits, hex), given once: at the device's first
    /// enrollment, or when a device enrolled before secrets existed claims one.
    /// The client keeps it in its encrypted store; the server keeps only a hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_secret: Option<String>,
}

impl std::fmt::Debug for EnrollResponse {
    // Hand-written: the token and the device secret are credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollResponse")
            .field("participant_id", &self.participant_id)
            .field("token", &"<redacted>")
            .field(
                "device_secret",
                &self.device_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// One finalized submission in a batch. The id is the idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionItem {
    /// Client-generated submission id (UUID).
    pub id: String,
    /// Form id, e.g. `pmi-registration`.
    pub form_id: String,
    /// Version of the form the draft was filled on.
    pub form_version: u32,
    /// When the user finalized it (RFC 3339).
    pub created_at: String,
    /// The frozen answers.
    pub payload: serde_json::Value,
}

/// `POST /v1/submissions/batch` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRequest {
    /// Submissions, in outbox order.
    pub items: Vec<SubmissionItem>,
    /// Attachments whose status the phone asks along with the batch (at most
    /// [`MAX_STATUS_IDS`]): the documents it will upload next, so the upload needs no
    /// status request of its own. Empty: none asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachment_status: Vec<String>,
}

/// The server's answer for one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemOutcome {
    /// Stored for the first time.
    Accepted {
        /// Server reference for the record.
        reference: String,
    },
    /// This id was seen before with the same payload: the first answer again.
    Duplicate {
        /// The reference given the first time.
        reference: String,
    },
    /// The answers do not pass the server's validation; the user must fix them.
    Rejected {
        /// Field issues, in the core's shape.
        issues: Vec<Issue>,
    },
    /// The id was seen before with a different payload: never an overwrite.
    Conflict {
        /// Stable error code.
        code: String,
    },
}

/// One item's result, matched to the request by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    /// The submission id.
    pub id: String,
    /// What happened to it.
    #[serde(flatten)]
    pub outcome: ItemOutcome,
}

/// `POST /v1/submissions/batch` response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchResponse {
    /// One result per request item, in request order.
    pub results: Vec<ItemResult>,
    /// When the request asked `attachment_status`: what the server holds of each of
    /// those attachments, as `POST /v1/attachments/status` answers (one it holds
    /// nothing of is absent). Absent when none was asked, or from a server before
    /// this field: the phone then asks the status itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentStatus>>,
}

/// Every error response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code, e.g. `auth.invalid_token`.
    pub code: String,
    /// Human-readable explanation (English; for logs and developers).
    pub message: String,
}

/// `GET /v1/changes?cursor=…&limit=…` response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesResponse {
    /// Events after the request's cursor, oldest first, for this participant only.
    pub events: Vec<Event>,
    /// Cursor to send next time (opaque to the client).
    pub next_cursor: String,
    /// True when more events are waiting: ask again at once.
    pub has_more: bool,
}

/// One event of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the feed (strictly increasing per server).
    pub seq: i64,
    /// When it happened on the server (RFC 3339).
    pub at: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// A protection phase: pre-placement, placement, post-placement (Permenaker 4/2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before departure: at most 5 months from registration.
    PrePlacement,
    /// From departure until contract end + at most 1 month.
    Placement,
    /// After return home: 30 days.
    PostPlacement,
}

/// A phase window with its dates (`YYYY-MM-DD`, inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseWindow {
    /// Which phase.
    pub phase: Phase,
    /// First protected day.
    pub start: String,
    /// Last protected day.
    pub end: String,
}

/// What an event says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A registration was accepted: membership number and how to pay.
    RegistrationDecided {
        /// The client's submission id.
        submission_id: String,
        /// Server reference.
        reference: String,
        /// Membership card number (11 digits).
        kpj: String,
        /// Payment code / virtual account (11 digits, not the KPJ).
        payment_code: String,
        /// Amount due in rupiah, from the server's tariff (it wins over the app's estimate).
        amount_due: u64,
        /// Pay before this date (`YYYY-MM-DD`).
        pay_before: String,
    },
    /// An officer rejected a registration after review.
    RegistrationRejected {
        /// The client's submission id.
        submission_id: String,
        /// Reason, in Indonesian and English.
        reason: crate::base::lang::Localized,
    },
    /// A payment was recorded: membership is active for these windows.
    PaymentRecorded {
        /// Membership card number.
        kpj: String,
        /// Amount paid in rupiah.
        amount: u64,
        /// Day of payment (`YYYY-MM-DD`).
        paid_on: String,
        /// Protection windows now in force.
        protection: Vec<PhaseWindow>,
    },
    /// A contribution (e.g. monthly JHT) was recorded.
    ContributionRecorded {
        /// Membership card number.
        kpj: String,
        /// Programme: `jkk_jkm` or `jht`.
        programme: String,
        /// Period it covers (`YYYY-MM`).
        period: String,
        /// Amount in rupiah.
        amount: u64,
    },
    /// An officer answered a consultation.
    ConsultationReplied {
        /// The consultation's submission id.
        submission_id: String,
        /// Reply id (unique).
        reply_id: String,
        /// Reply text (as the officer wrote it).
        body: String,
        /// Who answered (role or desk, never a personal name).
        from: String,
    },
    /// A membership the agency holds for the person this device was linked to,
    /// registered elsewhere (an officer's import): the card and the placement
    /// window, no payment details (those are not known here).
    MembershipOnFile {
        /// Membership card number.
        kpj: String,
        /// First day of the placement window (`YYYY-MM-DD`).
        starts: String,
        /// Last day of the placement window (`YYYY-MM-DD`).
        ends: String,
    },
}

/// `POST /v1/link/start`: "I am already registered". The device names a person by
/// NIK or KPJ (exactly one) and their birth date, and how the one-time code should
/// reach them. The answer is the same whether or not such a person exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkStartRequest {
    /// The NIK (16 digits), or absent when `kpj` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik: Option<String>,
    /// The KPJ, or absent when `nik` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpj: Option<String>,
    /// Birth date (`YYYY-MM-DD`).
    pub birth_date: String,
    /// `email` (the code goes to the address the agency holds for the person) or
    /// `officer` (an officer hands it over at a service point).
    pub channel: String,
}

/// Answer to [`LinkStartRequest`] (202, always).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkStarted {
    /// The attempt to confirm.
    pub link_id: String,
    /// Until when the attempt can be confirmed (RFC 3339).
    pub expires_at: String,
}

/// `POST /v1/link/confirm`: the one-time code for an attempt this device started.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfirmRequest {
    /// From [`LinkStarted`].
    pub link_id: String,
    /// The code (6 digits).
    pub code: String,
}

impl std::fmt::Debug for LinkConfirmRequest {
    // Hand-written: the code is a credential while it is good.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkConfirmRequest")
            .field("link_id", &self.link_id)
            .field("code", &"<redacted>")
            .finish()
    }
}

/// Answer to [`LinkConfirmRequest`]: the device is linked; its change feed now
/// carries the person's card, status, payments and replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfirmed {
    /// Always true.
    pub linked: bool,
}

/// Size of one attachment chunk on the wire (the last chunk may be shorter).
/// Small enough that a connection cut mid-chunk wastes little (a 2 MB file over a
/// link cut every 256 KB stays under 1.1× the file size), large enough that the
/// per-request headers cost about 2%.
pub const ATTACHMENT_CHUNK_SIZE: usize = 16 * 1024;

/// Request header of `PUT /v1/attachments/{sha256}/chunks/{idx}`: the chunk's SHA-256 (hex).
pub const CHUNK_SHA256_HEADER: &str = "x-chunk-sha256";

/// Request header of a chunk upload: the whole attachment's size in bytes.
pub const ATTACHMENT_SIZE_HEADER: &str = "x-attachment-size";

/// `GET /v1/attachments/{sha256}` and the answer to `POST …/complete`: what the
/// server holds of one attachment for this participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentStatus {
    /// The attachment's SHA-256 (hex, lowercase): its id.
    pub sha256: String,
    /// Whole size in bytes, as declared by the first chunk.
    pub size: u64,
    /// Chunk size the indices refer to ([`ATTACHMENT_CHUNK_SIZE`]).
    pub chunk_size: u32,
    /// Indices of the chunks received and verified, ascending.
    pub chunks_received: Vec<u32>,
    /// True once the whole file was assembled and its hash verified.
    pub complete: bool,
}

/// Request header of a chunk upload that carries a run of consecutive chunks:
/// how many (1 to [`MAX_CHUNKS_PER_PUT`]), starting at the index in the path. With
/// it, [`CHUNK_SHA256_HEADER`] lists each chunk's SHA-256 in order, comma-separated,
/// the server keeps every chunk that arrived whole even if the body is cut after
/// it, and the answer is 200 with the [`AttachmentStatus`]: the file is assembled
/// and verified in the same request once it holds every chunk (no `…/complete`).
pub const CHUNK_COUNT_HEADER: &str = "x-chunk-count";

/// Most chunks one upload request carries: 1 MiB, the server's largest request body.
pub const MAX_CHUNKS_PER_PUT: u32 = 64;

/// Most attachment ids in one `POST /v1/attachments/status`.
pub const MAX_STATUS_IDS: usize = 200;

/// `POST /v1/attachments/status`: the attachments to ask about, in one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentStatusRequest {
    /// Attachment ids (SHA-256, hex), at most [`MAX_STATUS_IDS`].
    pub ids: Vec<String>,
}

/// The answer to `POST /v1/attachments/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentStatuses {
    /// What the server holds of each asked attachment it holds anything of, for this
    /// participant; an id it holds nothing of (or another device's) is absent.
    pub attachments: Vec<AttachmentStatus>,
}

/// Number of chunks of an attachment of `size` bytes (at least one).
pub fn chunk_count(size: u64) -> u32 {
    let n = size.div_ceil(ATTACHMENT_CHUNK_SIZE as u64).max(1);
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Length of chunk `idx` of an attachment of `size` bytes: a full chunk, or the
/// rest for the last one (0 past the end).
pub fn chunk_len(size: u64, idx: u32) -> u64 {
    let start = u64::from(idx) * ATTACHMENT_CHUNK_SIZE as u64;
    size.saturating_sub(start).min(ATTACHMENT_CHUNK_SIZE as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_lengths_cover_the_file_exactly() {
        let c = ATTACHMENT_CHUNK_SIZE as u64;
        for size in [1, c - 1, c, c + 1, 5 * c + 99, 64 * c] {
            let total: u64 = (0..chunk_count(size)).map(|i| chunk_len(size, i)).sum();
            assert_eq!(total, size, "{size}");
            assert!((0..chunk_count(size)).all(|i| chunk_len(size, i) > 0));
            assert_eq!(chunk_len(size, chunk_count(size)), 0);
        }
        assert_eq!(chunk_len(5 * c + 99, 5), 99);
    }

    #[test]
    fn enrollment_debug_hides_the_token_and_the_secret_and_the_secret_is_optional() {
        let req = EnrollRequest {
            device_id: "d1".into(),
            label: "Android".into(),
            device_secret: Some("s3cr3t-value".into()),
        };
        let resp = EnrollResponse {
            participant_id: "p1".into(),
            token: "t0k3n-value".into(),
            device_secret: Some("s3cr3t-value".into()),
        };
        let shown = format!("{req:?} {resp:?}");
        assert!(shown.contains("d1") && shown.contains("p1"), "{shown}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("t0k3n"),
            "{shown}"
        );
        // The first enrollment sends no secret field at all; an answer without one parses.
        let first = EnrollRequest {
            device_secret: None,
            ..req
        };
        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            r#"{"device_id":"d1","label":"Android"}"#
        );
        let again: EnrollResponse =
            serde_json::from_str(r#"{"participant_id":"p1","token":"t"}"#).unwrap();
        assert_eq!(again.device_secret, None);
    }
}
