//! The v1 JSON wire format shared by the core's sync engine and the reference
//! server. A change here is an API change: both sides and the OpenAPI document
//! (`server/openapi.json`) change together, and the snapshot tests show it.

use serde::{Deserialize, Serialize};

use crate::issue::Issue;

/// `POST /v1/devices`: enroll this device (one profile) and receive a bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// Client-generated device id (UUID), stable for the profile.
    pub device_id: String,
    /// Free label shown to officers (e.g. "Android 12"); no personal data.
    #[serde(default)]
    pub label: String,
}

/// Answer to [`EnrollRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The participant this device acts for; every read is scoped to it.
    pub participant_id: String,
    /// Bearer token for all further calls.
    pub token: String,
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
}

/// Every error response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code, e.g. `auth.invalid_token`.
    pub code: String,
    /// Human-readable explanation (English; for logs and developers).
    pub message: String,
}
