//! What the server answers for each submission of a batch, decided before any
//! storage is touched: its idempotency hash, and the answer it gets if its id is
//! new (validation, the registration decision, a reference). The storage layer
//! stores the batch in one transaction and, for an id already answered, asks
//! [`replay`] what to say again: same id and payload → the first answer again;
//! same id with other content, or from another participant → `Conflict`, never
//! an overwrite.

use chrono::{Duration, NaiveDate};
use rantau_core::forms::{builtin_form, RegistrationTerms};
use rantau_core::protocol::wire::{EventKind, ItemOutcome, SubmissionItem};
use rantau_core::{Issue, Lang};

use crate::decisions::persons::Registrant;
use crate::decisions::{ids, persons, registration, validation};
use crate::messages::error_issue;

/// The conflict code for a reused submission id.
pub const CONFLICT: &str = "submission.conflict";

/// The moment a batch is processed, and the user's language.
#[derive(Debug, Clone)]
pub struct Clock {
    /// Unix milliseconds.
    pub now_ms: i64,
    /// RFC 3339 form of `now_ms`.
    pub now_rfc3339: String,
    /// Today's date (UTC).
    pub today: NaiveDate,
    /// Language for issues.
    pub lang: Lang,
}

impl Clock {
    /// Now, with issues in `lang`.
    pub fn now(lang: Lang) -> Clock {
        let now = chrono::Utc::now();
        Clock {
            now_ms: now.timestamp_millis(),
            now_rfc3339: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            today: now.date_naive(),
            lang,
        }
    }
}

/// An item's work done before storage: its hash and what the server would
/// answer if the id is new (validation is pure and the slow part, so it runs
/// outside any transaction and in parallel).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The idempotency hash ([`ids::payload_hash`]).
    pub hash: [u8; 32],
    /// The payload as it is stored: its canonical JSON, written once for the
    /// hash and the row.
    pub payload: String,
    /// The answer for a new id; `None` when the id itself is unusable, which
    /// is answered without looking anything up ([`invalid_id`]).
    pub decision: Option<Decision>,
}

/// What a new submission gets.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The answer, kept forever once stored.
    pub outcome: ItemOutcome,
    /// For an accepted registration: what storage records beside the numbers
    /// it issues.
    pub registration: Option<NewRegistration>,
    /// The document files (SHA-256 ids) the submission names, so the officer
    /// list can tell when it is complete.
    pub files: Vec<String>,
}

impl Decision {
    /// The person an accepted registration is for (see [`NewRegistration::registrant`]).
    pub fn registrant(&self) -> Option<&Registrant> {
        self.registration.as_ref()?.registrant.as_ref()
    }

    /// This decision once storage found the registrant already registered for
    /// an overlapping placement: their refusal instead of the acceptance,
    /// nothing to register. Any other decision is returned as it is.
    pub fn already_registered(self) -> Decision {
        match self.registrant() {
            Some(who) => Decision {
                outcome: who.refusal.clone(),
                registration: None,
                files: self.files,
            },
            None => self,
        }
    }
}

/// An accepted registration's terms as the server decided them.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    /// Terms read from the payload through the form's roles.
    pub terms: RegistrationTerms,
    /// Amount due in rupiah (tariff total).
    pub amount_due: u64,
    /// Day the payment code expires (`YYYY-MM-DD`).
    pub pay_before: String,
    /// Day of the decision (`YYYY-MM-DD`).
    pub registered_on: String,
    /// The person registering, when the form names one (its NIK role): storage
    /// refuses the registration with the registrant's refusal when that person
    /// already holds an overlapping membership, and otherwise records the
    /// membership (under the person's KPJ when they have one).
    pub registrant: Option<Registrant>,
}

/// A stored answer found for a submission id.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The participant who sent it first.
    pub owner: String,
    /// Its idempotency hash.
    pub payload_hash: Vec<u8>,
    /// The answer it got.
    pub answer: ItemOutcome,
}

/// Validates and decides every item, on up to 4 threads for larger batches.
/// CPU work: call it off the async threads.
pub fn prepare(items: &[SubmissionItem], clock: &Clock) -> Vec<Prepared> {
    let one = |item: &SubmissionItem| {
        let payload = ids::canonical_json(&item.payload);
        Prepared {
            hash: ids::canonical_payload_hash(&item.form_id, item.form_version, &payload),
            payload,
            decision: valid_id(&item.id).then(|| decide(item, clock)),
        }
    };
    // Asked once: the standard library reads the cgroup's CPU quota each time.
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let threads = *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(4)
    });
    if threads < 2 || items.len() < 8 {
        return items.iter().map(one).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        // The first part on this thread: one thread fewer to start per batch.
        let mut parts = items.chunks(chunk);
        let first = parts.next().unwrap_or_default();
        let handles: Vec<_> = parts
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        out.extend(first.iter().map(one));
        for (handle, part) in handles.into_iter().zip(items.chunks(chunk).skip(1)) {
            // A panicking validator is a bug; redo that part here so the batch
            // still gets an answer (and the panic surfaces in tests).
            match handle.join() {
                Ok(done) => out.extend(done),
                Err(_) => out.extend(part.iter().map(one)),
            }
        }
        out
    })
}

fn valid_id(id: &str) -> bool {
    // Characters, as the document's maxLength and the message count them.
    !id.trim().is_empty() && id.chars().count() <= 100
}

/// Longest `created_at` accepted: an RFC 3339 time with nanoseconds and an
/// offset has 35 characters.
pub const MAX_CREATED_AT: usize = 40;

/// `created_at` is an RFC 3339 date and time (the app sends UTC with
/// milliseconds, `2026-01-31T08:00:00.000Z`).
fn valid_created_at(created_at: &str) -> bool {
    created_at.len() <= MAX_CREATED_AT && chrono::DateTime::parse_from_rfc3339(created_at).is_ok()
}

/// The answer to an item whose id cannot be stored (empty or too long).
pub fn invalid_id(lang: Lang) -> ItemOutcome {
    ItemOutcome::Rejected {
        issues: vec![error_issue("submission.invalid_id", "", lang, &[])],
    }
}

/// The answer for an id already answered: the first answer again (an
/// acceptance becomes a duplicate with the same reference) when the same
/// participant sends the same content, else a conflict.
pub fn replay(seen: Seen, participant: &str, hash: &[u8; 32]) -> ItemOutcome {
    if seen.owner != participant || !ids::constant_time_eq(&seen.payload_hash, hash) {
        return ItemOutcome::Conflict {
            code: CONFLICT.to_string(),
        };
    }
    match seen.answer {
        ItemOutcome::Accepted { reference } => ItemOutcome::Duplicate { reference },
        other => other,
    }
}

/// The event announcing a registration's numbers to its participant.
pub fn registration_decided(
    submission_id: &str,
    reference: &str,
    kpj: String,
    payment_code: String,
    registration: &NewRegistration,
) -> EventKind {
    EventKind::RegistrationDecided {
        submission_id: submission_id.to_string(),
        reference: reference.to_string(),
        kpj,
        payment_code,
        amount_due: registration.amount_due,
        pay_before: registration.pay_before.clone(),
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn decide(item: &SubmissionItem, clock: &Clock) -> Decision {
    let def = builtin_form(&item.form_id, Some(item.form_version));
    // Recorded for every stored submission, rejected ones too (as before the split).
    let files = def
        .map(|def| rantau_core::forms::document_files(def, &item.payload))
        .unwrap_or_default();
    let rejected = |issues: Vec<Issue>, files: Vec<String>| Decision {
        outcome: ItemOutcome::Rejected { issues },
        registration: None,
        files,
    };
    // A batch-level 400 would hold the other items of the outbox back forever for
    // one broken item; as an item's rejection it is stored and answered again like
    // any other, and an id already answered keeps its first answer (storage
    // replays before looking at this decision).
    if !valid_created_at(&item.created_at) {
        return rejected(
            vec![error_issue(
                "submission.invalid_created_at",
                "created_at",
                clock.lang,
                &[],
            )],
            files,
        );
    }
    let issues = validation::validate(
        &item.form_id,
        item.form_version,
        &item.payload,
        clock.today,
        clock.lang,
    );
    if issues.iter().any(Issue::is_error) {
        return rejected(issues, files);
    }
    // A form that declares registration terms (roles) is decided as a registration.
    if let Some(def) = def {
        if let Some(read) = registration::terms(def, &item.payload, clock.lang) {
            let terms = match read {
                Ok(t) => t,
                Err(issues) => return rejected(issues, files),
            };
            let due = match registration::amount_due(def, &terms, clock.today, clock.lang) {
                Ok(d) => d,
                Err(issue) => return rejected(vec![issue], files),
            };
            return Decision {
                outcome: ItemOutcome::Accepted {
                    reference: ids::reference("REG"),
                },
                registration: Some(NewRegistration {
                    registrant: persons::registrant(def, &item.payload, &terms, clock.lang),
                    terms,
                    amount_due: due,
                    pay_before: ymd(clock.today + Duration::days(30)),
                    registered_on: ymd(clock.today),
                }),
                files,
            };
        }
    }
    let prefix = match item.form_id.as_str() {
        validation::CONSULTATION => "KONS",
        validation::DATA_UPDATE => "UPD",
        _ => "SUB",
    };
    Decision {
        outcome: ItemOutcome::Accepted {
            reference: ids::reference(prefix),
        },
        registration: None,
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(owner: &str, hash: [u8; 32], answer: ItemOutcome) -> Seen {
        Seen {
            owner: owner.into(),
            payload_hash: hash.to_vec(),
            answer,
        }
    }

    #[test]
    fn an_id_seen_before_gets_its_first_answer_or_a_conflict() {
        let h = ids::sha256(b"payload");
        let accepted = ItemOutcome::Accepted {
            reference: "KONS-1".into(),
        };
        assert_eq!(
            replay(seen("a", h, accepted.clone()), "a", &h),
            ItemOutcome::Duplicate {
                reference: "KONS-1".into()
            }
        );
        let conflict = ItemOutcome::Conflict {
            code: CONFLICT.into(),
        };
        assert_eq!(replay(seen("a", h, accepted.clone()), "b", &h), conflict);
        assert_eq!(
            replay(seen("a", h, accepted), "a", &ids::sha256(b"other")),
            conflict
        );
        let rejected = invalid_id(Lang::En);
        assert_eq!(replay(seen("a", h, rejected.clone()), "a", &h), rejected);
    }

    #[test]
    fn a_registration_is_decided_with_its_terms_and_files_are_listed() {
        let clock = Clock::now(Lang::En);
        let item = SubmissionItem {
            id: "r1".into(),
            form_id: validation::REGISTRATION.into(),
            form_version: 1,
            created_at: "2026-01-01T00:00:00Z".into(),
            payload: serde_json::Value::Object(rantau_core::forms::samples::sample_registration()),
        };
        let prepared = prepare(std::slice::from_ref(&item), &clock);
        let decision = prepared[0].decision.clone().unwrap();
        assert!(
            matches!(&decision.outcome, ItemOutcome::Accepted { reference } if reference.starts_with("REG-"))
        );
        let reg = decision.registration.unwrap();
        assert_eq!(reg.registered_on, ymd(clock.today));
        assert_eq!(reg.pay_before, ymd(clock.today + Duration::days(30)));
        let long_id = SubmissionItem {
            id: "x".repeat(101),
            ..item
        };
        assert!(prepare(std::slice::from_ref(&long_id), &clock)[0]
            .decision
            .is_none());
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-01-01",
            "2026-01-01T00:00:00",
        ] {
            let item = SubmissionItem {
                id: "r2".into(),
                created_at: bad.into(),
                ..long_id.clone()
            };
            let decision = prepare(&[item], &clock)[0].decision.clone().unwrap();
            let ItemOutcome::Rejected { issues } = decision.outcome else {
                panic!("{bad:?} accepted");
            };
            assert_eq!(issues[0].code, "submission.invalid_created_at", "{bad:?}");
            assert_eq!(issues[0].path, "created_at");
        }
        for good in ["2023-11-14T22:13:20.000Z", "2026-01-31T08:00:00+07:00"] {
            assert!(valid_created_at(good), "{good}");
        }
    }
}
