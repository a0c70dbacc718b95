//! The server's status of the documents to upload, learnt along with the first batch
//! of submissions (`BatchRequest.attachment_status`): a sync that sends forms and
//! documents needs no status request of its own before the first chunk.

use std::collections::{HashMap, HashSet};

use crate::protocol::wire::{AttachmentStatus, MAX_STATUS_IDS};
use crate::store::attachments::AttachmentRow;

/// What the phone asks along with its first batch, and what the server answered.
#[derive(Debug, Default)]
pub(crate) struct KnownStatuses {
    /// Ids to ask with the next batch; emptied when asked.
    to_ask: Vec<String>,
    /// Ids the server answered for (an answered id with no status: nothing held).
    answered: HashSet<String>,
    held: HashMap<String, AttachmentStatus>,
}

impl KnownStatuses {
    /// Asks along the status of the files of `pending` (in order, each once, at most
    /// [`MAX_STATUS_IDS`]).
    pub(crate) fn asking(pending: impl IntoIterator<Item = AttachmentRow>) -> KnownStatuses {
        let mut to_ask: Vec<String> = Vec::new();
        for file in pending {
            if to_ask.len() == MAX_STATUS_IDS {
                break;
            }
            if !to_ask.contains(&file.id) {
                to_ask.push(file.id);
            }
        }
        KnownStatuses {
            to_ask,
            ..KnownStatuses::default()
        }
    }

    /// The ids to put in the next batch request; none after the first.
    pub(crate) fn take_ask(&mut self) -> Vec<String> {
        std::mem::take(&mut self.to_ask)
    }

    /// The server's answer to `asked`: `None` from a server that does not answer
    /// statuses along (the upload then asks them itself).
    pub(crate) fn answered(&mut self, asked: Vec<String>, found: Option<Vec<AttachmentStatus>>) {
        let Some(found) = found else {
            return;
        };
        self.answered.extend(asked);
        for status in found {
            if self.answered.contains(&status.sha256) {
                self.held.insert(status.sha256.clone(), status);
            }
        }
    }

    /// The files whose status is not known yet.
    pub(crate) fn unknown<'a>(&self, files: &'a [AttachmentRow]) -> Vec<&'a AttachmentRow> {
        files
            .iter()
            .filter(|f| !self.answered.contains(&f.id))
            .collect()
    }

    /// Hands over the statuses known (files answered with none hold nothing).
    pub(crate) fn into_held(self) -> HashMap<String, AttachmentStatus> {
        self.held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str) -> AttachmentRow {
        AttachmentRow {
            id: id.into(),
            mime: "image/jpeg".into(),
            size: 10,
            chunk_count: 1,
            created_at: 0,
            uploaded_at: None,
        }
    }

    fn status(id: &str) -> AttachmentStatus {
        AttachmentStatus {
            sha256: id.into(),
            size: 10,
            chunk_size: 16384,
            chunks_received: vec![0],
            complete: true,
        }
    }

    #[test]
    fn asked_once_and_an_answered_file_needs_no_status_request() {
        let files = [file("a"), file("b"), file("a"), file("c")];
        let mut known = KnownStatuses::asking(files.iter().cloned());
        let asked = known.take_ask();
        assert_eq!(asked, ["a", "b", "c"]);
        assert!(known.take_ask().is_empty(), "only the first batch asks");
        // The server holds `a` whole, nothing of `b`, and says nothing of `x` (not asked).
        known.answered(asked, Some(vec![status("a"), status("x")]));
        let later = [file("a"), file("b"), file("c"), file("d")];
        let unknown: Vec<&str> = known
            .unknown(&later)
            .iter()
            .map(|f| f.id.as_str())
            .collect();
        assert_eq!(unknown, ["d"], "d came after the batch");
        let held = known.into_held();
        assert!(held["a"].complete);
        assert!(!held.contains_key("b") && !held.contains_key("x"));
    }

    #[test]
    fn a_server_that_does_not_answer_leaves_every_file_unknown() {
        let files = [file("a"), file("b")];
        let mut known = KnownStatuses::asking(files.iter().cloned());
        let asked = known.take_ask();
        known.answered(asked, None);
        assert_eq!(known.unknown(&files).len(), 2);
    }

    #[test]
    fn at_most_the_status_requests_limit_is_asked() {
        let files: Vec<AttachmentRow> = (0..MAX_STATUS_IDS + 5)
            .map(|i| file(&format!("{i:064}")))
            .collect();
        let mut known = KnownStatuses::asking(files.iter().cloned());
        assert_eq!(known.take_ask().len(), MAX_STATUS_IDS);
    }
}
