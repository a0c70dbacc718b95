//! The encrypted local store: one SQLCipher database per profile, holding drafts,
//! the outbox, cached server reads and a little bookkeeping. [`Store`] opens,
//! diagnoses and migrates; the free functions in each module are the queries.

pub mod attachments;
pub mod cache;
pub mod drafts;
pub mod dump;
pub mod interrupt;
pub mod key;
pub mod keycheck;
pub mod later;
pub mod meta;
pub mod open;
pub mod outbox;
pub mod profiles;
pub mod schema;

pub use cache::{get_cache, list_cache, put_cache};
pub use drafts::{delete_draft, get_draft, insert_draft, list_drafts, save_answers, DraftRow};
pub use interrupt::InterruptHandle;
pub use key::Key;
pub use meta::{delete_meta, get_meta, set_meta};
pub use open::{OpenMode, Store};
pub use outbox::{
    due_for_send, get_submission, insert_submission, list_submissions, mark_accepted,
    mark_deferred, mark_rejected, mark_sending, mark_waiting, requeue_sending, retry_submission,
    OutboxState, SubmissionRow, MAX_ATTEMPTS,
};
pub use profiles::{list_profiles, profile_path, set_aside};

/// Helpers shared by the store's tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use serde_json::{json, Map};

    /// The fixed key of the test fixtures (never a real key).
    pub const TEST_KEY_HEX: &str =
        "72616e7461752d746573742d6b65792d6e6f742d7265616c2d30303030303031";

    /// The fixture key as a [`Key`].
    pub fn test_key() -> Key {
        Key::from_hex(TEST_KEY_HEX).unwrap()
    }

    /// A fresh store in a temporary directory (keep the directory alive).
    pub fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::open(&dir.path().join("test.db"), &test_key(), OpenMode::Create).unwrap();
        (dir, store)
    }

    /// A draft with a little data.
    pub fn draft(id: &str, updated_at: i64) -> DraftRow {
        let mut answers = Map::new();
        answers.insert("destination".into(), json!("MY"));
        DraftRow {
            id: id.into(),
            form_id: "pmi-registration".into(),
            form_version: 1,
            created_at: updated_at - 1,
            updated_at,
            answers,
            reopened_from: None,
        }
    }

    /// A queued submission created at `created_at`.
    pub fn submission(id: &str, created_at: i64) -> SubmissionRow {
        SubmissionRow {
            id: id.into(),
            form_id: "consultation".into(),
            form_version: 1,
            created_at,
            payload: json!({"topic": "jht", "text": "Kapan JHT bisa dicairkan?"}),
            state: OutboxState::Queued,
            attempts: 0,
            next_attempt_at: None,
            reference: None,
            issues: Vec::new(),
            last_error: None,
            depends_on: None,
            updated_at: created_at,
            left_at: None,
        }
    }
}
