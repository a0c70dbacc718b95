//! The outbox as the screens show it. Each submission is in exactly one [`Bucket`],
//! decided here from its stored state, its last error and what it waits for, so
//! no front-end derives it (and none counts a form twice). [`OutboxSummary`] is the
//! home screen's line: how many are on their way, how many need the worker, and
//! how much data waits to be sent.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::app::data_size::megabytes;
use crate::base::issue::Issue;
use crate::base::lang::Lang;
use crate::base::messages;
use crate::store::outbox::{OutboxState, SubmissionRow};

/// Where a submission is, in the words a screen uses. One per submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Finalized; leaves with the next sync.
    WaitingToSend,
    /// In a sync's batch right now.
    Sending,
    /// The last try found no usable connection; tried again at `retry_at`.
    WaitingForNetwork,
    /// The server was busy, asked to wait or failed; tried again at `retry_at`.
    WaitingForServer,
    /// A consultation about a registration the server has not accepted yet: it
    /// leaves right after that registration.
    WaitingForRegistration,
    /// The server accepted the form, but some of its documents have not reached it
    /// yet (they wait for Wi-Fi, or their upload failed): not complete until they do.
    DocumentsWaiting,
    /// The server rejected some answers: open it, fix them and send it again.
    NeedsFixing,
    /// It cannot go as it is (too many failed tries, or the server holds another
    /// form under its id): the worker retries it or asks for help.
    NeedsHelp,
    /// The server accepted it (final); `reference` is its receipt.
    Accepted,
}

impl Bucket {
    /// Every bucket, in the order a screen lists them.
    pub const ALL: [Bucket; 9] = [
        Bucket::NeedsFixing,
        Bucket::NeedsHelp,
        Bucket::Sending,
        Bucket::WaitingToSend,
        Bucket::WaitingForNetwork,
        Bucket::WaitingForServer,
        Bucket::WaitingForRegistration,
        Bucket::DocumentsWaiting,
        Bucket::Accepted,
    ];

    /// The message code of its label (in the catalog, id and en).
    pub fn code(self) -> &'static str {
        match self {
            Bucket::WaitingToSend => "outbox.waiting_to_send",
            Bucket::Sending => "outbox.sending",
            Bucket::WaitingForNetwork => "outbox.waiting_for_network",
            Bucket::WaitingForServer => "outbox.waiting_for_server",
            Bucket::WaitingForRegistration => "outbox.waiting_for_registration",
            Bucket::DocumentsWaiting => "outbox.documents_waiting",
            Bucket::NeedsFixing => "outbox.needs_fixing",
            Bucket::NeedsHelp => "outbox.needs_help",
            Bucket::Accepted => "outbox.accepted",
        }
    }

    /// Its label in `lang`.
    pub fn label(self, lang: Lang) -> String {
        messages::render(self.code(), lang, &[])
    }

    /// Still the app's to deliver, with no answer yet (not the worker's to act on).
    pub fn is_on_its_way(self) -> bool {
        matches!(
            self,
            Bucket::WaitingToSend
                | Bucket::Sending
                | Bucket::WaitingForNetwork
                | Bucket::WaitingForServer
                | Bucket::WaitingForRegistration
                | Bucket::DocumentsWaiting
        )
    }

    /// The worker has to do something (fix answers, retry, ask for help).
    pub fn needs_action(self) -> bool {
        matches!(self, Bucket::NeedsFixing | Bucket::NeedsHelp)
    }

    /// The bucket of `row`; `state_of` tells the state of another submission of
    /// this outbox (the registration a consultation waits for); `documents_left`:
    /// some file it names is not on the server yet.
    pub fn of(
        row: &SubmissionRow,
        state_of: impl Fn(&str) -> Option<OutboxState>,
        documents_left: bool,
    ) -> Bucket {
        match row.state {
            OutboxState::Queued => {
                let waits = row
                    .depends_on
                    .as_deref()
                    .and_then(&state_of)
                    .is_some_and(|s| s != OutboxState::Accepted);
                if waits {
                    Bucket::WaitingForRegistration
                } else {
                    Bucket::WaitingToSend
                }
            }
            OutboxState::Sending => Bucket::Sending,
            OutboxState::Waiting => match row.last_error.as_deref() {
                Some("sync.network") => Bucket::WaitingForNetwork,
                _ => Bucket::WaitingForServer,
            },
            OutboxState::Accepted if documents_left => Bucket::DocumentsWaiting,
            OutboxState::Accepted => Bucket::Accepted,
            OutboxState::Rejected => Bucket::NeedsFixing,
            OutboxState::NeedsAttention => Bucket::NeedsHelp,
        }
    }
}

/// One outbox entry as the user sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OutboxItem {
    /// Submission id.
    pub id: String,
    /// Form id.
    pub form_id: String,
    /// Form title in the profile's language.
    pub title: String,
    /// Where it is.
    pub bucket: Bucket,
    /// The bucket's label in the profile's language.
    pub status: String,
    /// What happened last, in the profile's language: the last error's message
    /// while it waits or needs help; `None` otherwise.
    pub detail: Option<String>,
    /// Server reference once accepted.
    pub reference: Option<String>,
    /// Why it needs fixing (the server's issues), in the profile's language.
    pub issues: Vec<Issue>,
    /// Stable code of the last error, if any (for support; `detail` is its message).
    pub last_error: Option<String>,
    /// Send attempts so far.
    pub attempts: u32,
    /// Next try (unix ms) while waiting for the network or the server.
    pub retry_at: Option<i64>,
    /// Finalized at (unix ms).
    pub created_at: i64,
    /// It never left the phone: the worker may take it back to a draft
    /// ([`crate::app::profile::Profile::withdraw`]).
    pub can_take_back: bool,
}

impl OutboxItem {
    /// The item of `row`, in `bucket`, with texts in `lang`.
    pub(crate) fn new(row: SubmissionRow, bucket: Bucket, title: String, lang: Lang) -> OutboxItem {
        let detail = match bucket {
            Bucket::WaitingForNetwork | Bucket::WaitingForServer | Bucket::NeedsHelp => row
                .last_error
                .as_deref()
                .map(|code| messages::render(code, lang, &[])),
            _ => None,
        };
        OutboxItem {
            can_take_back: row.state == OutboxState::Queued && row.left_at.is_none(),
            status: bucket.label(lang),
            detail,
            title,
            bucket,
            id: row.id,
            form_id: row.form_id,
            reference: row.reference,
            issues: row.issues,
            last_error: row.last_error,
            attempts: row.attempts,
            retry_at: row.next_attempt_at,
            created_at: row.created_at,
        }
    }
}

/// The buckets of a whole outbox: `rows` in any order, each with the bucket it is
/// in; `documents_left` holds the submissions with a file not on the server yet.
pub(crate) fn bucketed(
    rows: Vec<SubmissionRow>,
    documents_left: &HashSet<String>,
) -> Vec<(SubmissionRow, Bucket)> {
    let states: HashMap<String, OutboxState> =
        rows.iter().map(|r| (r.id.clone(), r.state)).collect();
    rows.into_iter()
        .map(|r| {
            let b = Bucket::of(
                &r,
                |id| states.get(id).copied(),
                documents_left.contains(&r.id),
            );
            (r, b)
        })
        .collect()
}

/// How many submissions are in each bucket, and the two numbers a home screen shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OutboxSummary {
    /// On their way, no answer yet ([`Bucket::is_on_its_way`]).
    pub on_its_way: u32,
    /// Waiting for the worker ([`Bucket::needs_action`]).
    pub needs_action: u32,
    /// Accepted by the server.
    pub accepted: u32,
    /// Every non-empty bucket with its count, in [`Bucket::ALL`] order.
    pub buckets: Vec<BucketCount>,
    /// The home screen's line in the profile's language ("Dalam pengiriman: 2 · Perlu
    /// tindakan Anda: 1"); `None` when nothing is on its way or needs action.
    pub headline: Option<String>,
    /// Bytes still to send: the forms not yet accepted (their answers as JSON; the
    /// wire compresses them) and the document files not yet on the server (each
    /// file once, in full, even if part of it arrived): about what the next syncs
    /// send, never much less.
    pub to_send_bytes: u64,
    /// Of those, the document files' bytes (what "documents only on Wi-Fi" holds back).
    pub documents_bytes: u64,
    /// `to_send_bytes` worded ("2,4 MB menunggu dikirim"); `None` when nothing waits.
    pub to_send: Option<String>,
}

/// One bucket and how many submissions it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BucketCount {
    /// The bucket.
    pub bucket: Bucket,
    /// Its label in the profile's language.
    pub label: String,
    /// Submissions in it.
    pub count: u32,
}

impl OutboxSummary {
    /// Counts `buckets` (one per submission), with texts in `lang`.
    pub fn of(buckets: impl IntoIterator<Item = Bucket>, lang: Lang) -> OutboxSummary {
        let mut counts: HashMap<Bucket, u32> = HashMap::new();
        for b in buckets {
            *counts.entry(b).or_default() += 1;
        }
        let sum = |pick: fn(Bucket) -> bool| {
            counts
                .iter()
                .filter(|(b, _)| pick(**b))
                .map(|(_, n)| n)
                .sum::<u32>()
        };
        let on_its_way = sum(Bucket::is_on_its_way);
        let needs_action = sum(Bucket::needs_action);
        let mut parts = Vec::new();
        if on_its_way > 0 {
            parts.push(messages::render(
                "outbox.summary_on_its_way",
                lang,
                &[("count", on_its_way.to_string())],
            ));
        }
        if needs_action > 0 {
            parts.push(messages::render(
                "outbox.summary_needs_action",
                lang,
                &[("count", needs_action.to_string())],
            ));
        }
        OutboxSummary {
            on_its_way,
            needs_action,
            accepted: counts.get(&Bucket::Accepted).copied().unwrap_or(0),
            buckets: Bucket::ALL
                .iter()
                .filter_map(|b| {
                    counts.get(b).map(|&count| BucketCount {
                        bucket: *b,
                        label: b.label(lang),
                        count,
                    })
                })
                .collect(),
            headline: (!parts.is_empty()).then(|| parts.join(" · ")),
            to_send_bytes: 0,
            documents_bytes: 0,
            to_send: None,
        }
    }

    /// The summary with the bytes still to send: `forms_bytes` of forms and
    /// `documents_bytes` of document files, worded in `lang`.
    pub fn with_bytes(mut self, forms_bytes: u64, documents_bytes: u64, lang: Lang) -> Self {
        self.to_send_bytes = forms_bytes.saturating_add(documents_bytes);
        self.documents_bytes = documents_bytes;
        self.to_send = (self.to_send_bytes > 0).then(|| {
            messages::render(
                "outbox.to_send",
                lang,
                &[("size", megabytes(self.to_send_bytes, lang))],
            )
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(id: &str, state: OutboxState) -> SubmissionRow {
        SubmissionRow {
            id: id.into(),
            form_id: "consultation".into(),
            form_version: 1,
            created_at: 1,
            payload: json!({}),
            state,
            attempts: 0,
            next_attempt_at: None,
            reference: None,
            issues: Vec::new(),
            last_error: None,
            depends_on: None,
            updated_at: 1,
            left_at: None,
        }
    }

    #[test]
    fn every_stored_state_lands_in_exactly_one_bucket() {
        let none = |_: &str| None;
        assert_eq!(
            Bucket::of(&row("a", OutboxState::Queued), none, false),
            Bucket::WaitingToSend
        );
        assert_eq!(
            Bucket::of(&row("a", OutboxState::Sending), none, false),
            Bucket::Sending
        );
        assert_eq!(
            Bucket::of(&row("a", OutboxState::Accepted), none, false),
            Bucket::Accepted
        );
        assert_eq!(
            Bucket::of(&row("a", OutboxState::Rejected), none, false),
            Bucket::NeedsFixing
        );
        assert_eq!(
            Bucket::of(&row("a", OutboxState::NeedsAttention), none, false),
            Bucket::NeedsHelp
        );
        let mut w = row("a", OutboxState::Waiting);
        w.last_error = Some("sync.network".into());
        assert_eq!(Bucket::of(&w, none, false), Bucket::WaitingForNetwork);
        w.last_error = Some("sync.server".into());
        assert_eq!(Bucket::of(&w, none, false), Bucket::WaitingForServer);
    }

    #[test]
    fn a_consultation_waits_for_its_registration_until_that_is_accepted() {
        let mut c = row("c", OutboxState::Queued);
        c.depends_on = Some("r".into());
        for (reg, expected) in [
            (Some(OutboxState::Queued), Bucket::WaitingForRegistration),
            (Some(OutboxState::Rejected), Bucket::WaitingForRegistration),
            (Some(OutboxState::Accepted), Bucket::WaitingToSend),
            // A server reference, not a local submission: nothing to wait for.
            (None, Bucket::WaitingToSend),
        ] {
            assert_eq!(Bucket::of(&c, |_| reg, false), expected, "{reg:?}");
        }
    }

    #[test]
    fn an_accepted_form_whose_documents_have_not_arrived_is_still_on_its_way() {
        let none = |_: &str| None;
        let accepted = row("a", OutboxState::Accepted);
        assert_eq!(Bucket::of(&accepted, none, true), Bucket::DocumentsWaiting);
        assert!(Bucket::DocumentsWaiting.is_on_its_way());
        let s = OutboxSummary::of([Bucket::DocumentsWaiting], Lang::En);
        assert_eq!((s.on_its_way, s.accepted), (1, 0));
        // Documents are only for the server: a form not yet sent waits as before.
        let queued = row("q", OutboxState::Queued);
        assert_eq!(Bucket::of(&queued, none, true), Bucket::WaitingToSend);
    }

    #[test]
    fn the_bytes_to_send_are_worded_in_megabytes_in_both_languages() {
        let s = OutboxSummary::of([Bucket::WaitingToSend], Lang::Id).with_bytes(
            2_000,
            2_398_000,
            Lang::Id,
        );
        assert_eq!((s.to_send_bytes, s.documents_bytes), (2_400_000, 2_398_000));
        assert_eq!(s.to_send.as_deref(), Some("2,4 MB menunggu dikirim"));
        let en = OutboxSummary::of([Bucket::WaitingToSend], Lang::En).with_bytes(
            2_000,
            2_398_000,
            Lang::En,
        );
        assert_eq!(en.to_send.as_deref(), Some("2.4 MB waiting to be sent"));
        let nothing = OutboxSummary::of([Bucket::Accepted], Lang::En).with_bytes(0, 0, Lang::En);
        assert_eq!((nothing.to_send_bytes, nothing.to_send), (0, None));
    }

    #[test]
    fn needs_help_is_counted_once_as_needing_action_and_never_as_on_its_way() {
        let buckets = [
            Bucket::NeedsHelp,
            Bucket::WaitingToSend,
            Bucket::WaitingForNetwork,
            Bucket::Accepted,
            Bucket::NeedsFixing,
        ];
        let s = OutboxSummary::of(buckets, Lang::En);
        assert_eq!((s.on_its_way, s.needs_action, s.accepted), (2, 2, 1));
        assert_eq!(s.buckets.iter().map(|b| b.count).sum::<u32>(), 5);
        for b in Bucket::ALL {
            assert!(!(b.is_on_its_way() && b.needs_action()), "{b:?} in both");
        }
        assert_eq!(
            s.headline.as_deref(),
            Some("On its way: 2 · Needs your action: 2")
        );
        let id = OutboxSummary::of(buckets, Lang::Id);
        assert_eq!(
            id.headline.as_deref(),
            Some("Dalam pengiriman: 2 · Perlu tindakan Anda: 2")
        );
        assert_eq!(
            OutboxSummary::of([Bucket::Accepted], Lang::Id).headline,
            None
        );
    }

    #[test]
    fn every_bucket_has_a_label_in_both_languages() {
        for b in Bucket::ALL {
            for lang in [Lang::Id, Lang::En] {
                let label = messages::render(b.code(), lang, &[]);
                assert_ne!(label, b.code(), "{b:?} has no {lang:?} label");
            }
        }
    }
}
