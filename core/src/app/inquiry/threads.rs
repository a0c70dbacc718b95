//! Consultation threads: each local consultation with the officers' replies.

use std::collections::HashMap;

use crate::app::next::CONSULTATION;
use crate::app::outbox::{bucketed, Bucket};
use crate::protocol::cached::{ThreadBody, THREAD};
use crate::store::cache::list_cache;
use crate::store::outbox::list_submissions;
use crate::store::Store;
use crate::{Error, Result};

/// One officer reply.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Reply {
    /// Reply id.
    pub reply_id: String,
    /// Text as the officer wrote it.
    pub body: String,
    /// Role or desk.
    pub from: String,
    /// When (RFC 3339, as the server sent it).
    pub at: String,
    /// When, in unix milliseconds, for [`crate::domain::date::display_time`] (the
    /// fetch time if the server's `at` could not be read: a reply is never later).
    pub at_ms: i64,
}

impl std::fmt::Debug for Reply {
    // Hand-written: the text may quote the worker's personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("reply_id", &self.reply_id)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// A consultation and its replies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Thread {
    /// The consultation's submission id.
    pub submission_id: String,
    /// Its outbox bucket, if it is in this profile's outbox.
    pub bucket: Option<Bucket>,
    /// Replies, oldest first.
    pub replies: Vec<Reply>,
    /// When the replies were fetched (unix ms); `None` before any reply.
    pub fetched_at: Option<i64>,
}

/// Every consultation in the outbox (oldest first) with its replies, then any
/// thread the cache holds for a consultation not in the outbox.
pub fn threads(store: &Store) -> Result<Vec<Thread>> {
    let (subs, cached, (documents_left, _)) = store.read(|c| {
        Ok((
            list_submissions(c)?,
            list_cache(c, THREAD)?,
            crate::store::attachments::uploads_left(c)?,
        ))
    })?;
    let mut replies: HashMap<String, (ThreadBody, i64)> = HashMap::new();
    let mut order = Vec::new();
    for (key, body, fetched_at) in cached {
        let t: ThreadBody = serde_json::from_value(body)
            .map_err(|e| Error::MalformedStoredData(format!("thread: {e}")))?;
        order.push(key.clone());
        replies.insert(key, (t, fetched_at));
    }
    let mut out = Vec::new();
    for (s, bucket) in bucketed(subs, &documents_left) {
        if s.form_id != CONSULTATION {
            continue;
        }
        let found = replies.remove(&s.id);
        out.push(thread(s.id, Some(bucket), found));
    }
    for key in order {
        if let Some(found) = replies.remove(&key) {
            out.push(thread(key, None, Some(found)));
        }
    }
    Ok(out)
}

fn thread(
    submission_id: String,
    bucket: Option<Bucket>,
    found: Option<(ThreadBody, i64)>,
) -> Thread {
    let (replies, fetched_at) = match found {
        Some((t, fetched_at)) => (
            t.replies
                .into_iter()
                .map(|r| Reply {
                    at_ms: chrono::DateTime::parse_from_rfc3339(&r.at)
                        .map_or(fetched_at, |t| t.timestamp_millis()),
                    reply_id: r.reply_id,
                    body: r.body,
                    from: r.from,
                    at: r.at,
                })
                .collect(),
            Some(fetched_at),
        ),
        None => (Vec::new(), None),
    };
    Thread {
        submission_id,
        bucket,
        replies,
        fetched_at,
    }
}
