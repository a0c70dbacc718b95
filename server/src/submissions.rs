//! Batch ingest: each submission id is answered once and that answer is kept
//! forever. Same id and payload → the first answer again; same id with other
//! content, or from another participant → `Conflict`, never an overwrite.

use chrono::{Duration, NaiveDate};
use rantau_core::forms::{builtin_form, RegistrationTerms};
use rantau_core::protocol::wire::{EventKind, ItemOutcome, ItemResult, SubmissionItem};
use rantau_core::{Issue, Lang};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::messages::error_issue;
use crate::{events, ids, registration, validation};

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

/// An item's work done before the transaction: its hash and what the server
/// would answer if the id is new (validation is pure and the slow part, so it
/// runs outside the database lock and in parallel).
pub struct Prepared {
    hash: [u8; 32],
    decision: Option<Decision>,
}

/// Validates and decides every item, on up to 4 threads for larger batches.
pub fn prepare(items: &[SubmissionItem], clock: &Clock) -> Vec<Prepared> {
    let one = |item: &SubmissionItem| Prepared {
        hash: ids::payload_hash(&item.form_id, item.form_version, &item.payload),
        decision: valid_id(&item.id).then(|| decide(item, clock)),
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    if threads < 2 || items.len() < 8 {
        return items.iter().map(one).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for (handle, part) in handles.into_iter().zip(items.chunks(chunk)) {
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
    !id.trim().is_empty() && id.len() <= 100
}

/// Answers every item of a batch, in order, inside one transaction.
pub fn process_batch(
    tx: &Transaction,
    participant: &str,
    items: &[SubmissionItem],
    clock: &Clock,
) -> Result<Vec<ItemResult>> {
    apply_batch(tx, participant, items, prepare(items, clock), clock)
}

/// Answers every item from its [`Prepared`] work, in order, inside `tx`.
pub fn apply_batch(
    tx: &Transaction,
    participant: &str,
    items: &[SubmissionItem],
    prepared: Vec<Prepared>,
    clock: &Clock,
) -> Result<Vec<ItemResult>> {
    items
        .iter()
        .zip(prepared)
        .map(|(item, prep)| {
            Ok(ItemResult {
                id: item.id.clone(),
                outcome: process_item(tx, participant, item, prep, clock)?,
            })
        })
        .collect()
}

fn process_item(
    tx: &Transaction,
    participant: &str,
    item: &SubmissionItem,
    prep: Prepared,
    clock: &Clock,
) -> Result<ItemOutcome> {
    let Some(decision) = prep.decision else {
        return Ok(ItemOutcome::Rejected {
            issues: vec![error_issue("submission.invalid_id", "", clock.lang, &[])],
        });
    };
    let hash = prep.hash;
    let seen: Option<(String, Vec<u8>, String)> = tx
        .prepare_cached(
            "SELECT participant_id, payload_hash, answer FROM submissions WHERE id = ?1",
        )?
        .query_row([&item.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((owner, seen_hash, answer)) = seen {
        if owner != participant || !ids::constant_time_eq(&seen_hash, &hash) {
            return Ok(ItemOutcome::Conflict {
                code: CONFLICT.to_string(),
            });
        }
        return Ok(match serde_json::from_str::<ItemOutcome>(&answer)? {
            ItemOutcome::Accepted { reference } => ItemOutcome::Duplicate { reference },
            other => other,
        });
    }
    store_new(tx, participant, item, &hash, decision, clock)
}

/// What a new registration gets: its numbers and the event announcing them.
struct Decision {
    outcome: ItemOutcome,
    registration: Option<(RegistrationTerms, u64)>,
}

fn decide(item: &SubmissionItem, clock: &Clock) -> Decision {
    let rejected = |issues: Vec<Issue>| Decision {
        outcome: ItemOutcome::Rejected { issues },
        registration: None,
    };
    let issues = validation::validate(
        &item.form_id,
        item.form_version,
        &item.payload,
        clock.today,
        clock.lang,
    );
    if issues.iter().any(Issue::is_error) {
        return rejected(issues);
    }
    // A form that declares registration terms (roles) is decided as a registration.
    if let Some(def) = builtin_form(&item.form_id, Some(item.form_version)) {
        if let Some(read) = registration::terms(def, &item.payload, clock.lang) {
            let terms = match read {
                Ok(t) => t,
                Err(issues) => return rejected(issues),
            };
            let due = match registration::amount_due(def, &terms, clock.today, clock.lang) {
                Ok(d) => d,
                Err(issue) => return rejected(vec![issue]),
            };
            return Decision {
                outcome: ItemOutcome::Accepted {
                    reference: ids::reference("REG"),
                },
                registration: Some((terms, due)),
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
    }
}

fn store_new(
    tx: &Transaction,
    participant: &str,
    item: &SubmissionItem,
    hash: &[u8; 32],
    decision: Decision,
    clock: &Clock,
) -> Result<ItemOutcome> {
    let (status, reference) = match &decision.outcome {
        ItemOutcome::Accepted { reference } => ("accepted", Some(reference.as_str())),
        _ => ("rejected", None),
    };
    let payload = serde_json::to_string(&item.payload)?;
    let answer = serde_json::to_string(&decision.outcome)?;
    tx.prepare_cached(
        "INSERT INTO submissions (id, participant_id, form_id, form_version, payload_hash, payload, created_at,
                                  received_at, status, answer, reference)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        item.id, participant, item.form_id, item.form_version, &hash[..], payload, item.created_at,
        clock.now_ms, status, answer, reference
    ])?;
    crate::attachments::record_submission_files(
        tx,
        &item.id,
        &item.form_id,
        item.form_version,
        &item.payload,
    )?;
    if let (Some((terms, due)), Some(reference)) = (&decision.registration, reference) {
        register(tx, participant, &item.id, reference, terms, *due, clock)?;
    }
    Ok(decision.outcome)
}

/// Issues a fresh number not used before as a KPJ or a payment code.
fn issue_number(tx: &Transaction) -> Result<String> {
    for _ in 0..32 {
        let n = ids::eleven_digits();
        if tx
            .prepare_cached("INSERT OR IGNORE INTO issued_numbers (number) VALUES (?1)")?
            .execute([&n])?
            == 1
        {
            return Ok(n);
        }
    }
    Err(Error::Malformed("could not issue a unique number".into()))
}

fn register(
    tx: &Transaction,
    participant: &str,
    submission_id: &str,
    reference: &str,
    terms: &RegistrationTerms,
    amount_due: u64,
    clock: &Clock,
) -> Result<()> {
    let kpj = issue_number(tx)?;
    let payment_code = issue_number(tx)?;
    let pay_before = (clock.today + Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let ymd = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    tx.prepare_cached(
        "INSERT INTO registrations (submission_id, participant_id, kpj, payment_code, amount_due, pay_before, scheme,
                                    registered_on, departure_date, contract_start, contract_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        submission_id, participant, kpj, payment_code, i64::try_from(amount_due).unwrap_or(i64::MAX), pay_before,
        registration::scheme_name(terms.scheme), ymd(clock.today), terms.departure_date.map(ymd), ymd(terms.contract_start), ymd(terms.contract_end)
    ])?;
    let event = EventKind::RegistrationDecided {
        submission_id: submission_id.to_string(),
        reference: reference.to_string(),
        kpj,
        payment_code,
        amount_due,
        pay_before,
    };
    events::append(tx, participant, &clock.now_rfc3339, &event)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, DbLocation};
    use serde_json::json;

    fn item(id: &str, form: &str, payload: serde_json::Value) -> SubmissionItem {
        SubmissionItem {
            id: id.into(),
            form_id: form.into(),
            form_version: 1,
            created_at: "2026-01-01T00:00:00Z".into(),
            payload,
        }
    }

    fn db_with(participants: &[&str]) -> Db {
        let db = Db::open(&DbLocation::Memory, &crate::key::DataKey::generate()).unwrap();
        db.write(|tx| {
            for p in participants {
                tx.execute("INSERT INTO participants VALUES (?1, ?1, '', 0)", [p])?;
            }
            Ok::<_, Error>(())
        })
        .unwrap();
        db
    }

    fn run(db: &Db, p: &str, items: &[SubmissionItem]) -> Vec<ItemOutcome> {
        let clock = Clock::now(Lang::En);
        db.write(|tx| process_batch(tx, p, items, &clock))
            .unwrap()
            .into_iter()
            .map(|r| r.outcome)
            .collect()
    }

    fn registration() -> serde_json::Value {
        serde_json::Value::Object(rantau_core::forms::samples::sample_registration())
    }

    /// A valid consultation whose subject is `subject`.
    fn consultation(subject: &str) -> serde_json::Value {
        let mut c = rantau_core::forms::samples::sample_consultation();
        c.insert("subject".into(), json!(subject));
        serde_json::Value::Object(c)
    }

    #[test]
    fn same_id_same_payload_is_a_duplicate_with_the_first_reference() {
        let db = db_with(&["a"]);
        let first = run(
            &db,
            "a",
            &[item("s1", "consultation", consultation("Iuran"))],
        );
        let ItemOutcome::Accepted { reference } = &first[0] else {
            panic!("{first:?}")
        };
        assert!(reference.starts_with("KONS-"));
        // Key order does not matter: the canonical hash is the same.
        let reordered: serde_json::Value =
            serde_json::from_str(&ids::canonical_json(&consultation("Iuran"))).unwrap();
        let again = run(&db, "a", &[item("s1", "consultation", reordered)]);
        assert_eq!(
            again[0],
            ItemOutcome::Duplicate {
                reference: reference.clone()
            }
        );
    }

    #[test]
    fn other_payload_or_other_participant_is_a_conflict() {
        let db = db_with(&["a", "b"]);
        run(&db, "a", &[item("s1", "consultation", json!({"q": 1}))]);
        let changed = run(&db, "a", &[item("s1", "consultation", json!({"q": 2}))]);
        let changed_valid = run(
            &db,
            "a",
            &[item("s1", "consultation", consultation("Other"))],
        );
        assert_eq!(
            changed_valid[0],
            ItemOutcome::Conflict {
                code: CONFLICT.into()
            }
        );
        assert_eq!(
            changed[0],
            ItemOutcome::Conflict {
                code: CONFLICT.into()
            }
        );
        let stolen = run(&db, "b", &[item("s1", "consultation", json!({"q": 1}))]);
        assert_eq!(
            stolen[0],
            ItemOutcome::Conflict {
                code: CONFLICT.into()
            }
        );
        let stored: String = db
            .read(|c| {
                c.query_row("SELECT payload FROM submissions WHERE id='s1'", [], |r| {
                    r.get(0)
                })
                .map_err(Error::from)
            })
            .unwrap();
        assert_eq!(stored, r#"{"q":1}"#);
    }

    #[test]
    fn a_rejection_is_answered_the_same_way_again() {
        let db = db_with(&["a"]);
        let bad = item("r1", "pmi-registration", json!({"scheme": "p3mi"}));
        let first = run(&db, "a", std::slice::from_ref(&bad));
        assert!(matches!(&first[0], ItemOutcome::Rejected { issues } if !issues.is_empty()));
        assert_eq!(run(&db, "a", &[bad]), first);
    }

    #[test]
    fn accepted_registration_gets_distinct_numbers_and_an_event() {
        let db = db_with(&["a"]);
        let out = run(
            &db,
            "a",
            &[
                item("r1", "pmi-registration", registration()),
                item("r2", "pmi-registration", registration()),
            ],
        );
        assert!(out.iter().all(
            |o| matches!(o, ItemOutcome::Accepted { reference } if reference.starts_with("REG-"))
        ));
        let (events, _) = db.read(|c| events::since(c, "a", 0, 10)).unwrap();
        assert_eq!(events.len(), 2);
        let mut numbers = std::collections::HashSet::new();
        for e in &events {
            let EventKind::RegistrationDecided {
                kpj,
                payment_code,
                amount_due,
                ..
            } = &e.kind
            else {
                panic!()
            };
            assert_eq!(kpj.len(), 11);
            assert_eq!(payment_code.len(), 11);
            assert!(numbers.insert(kpj.clone()) && numbers.insert(payment_code.clone()));
            // 24-month P3MI contract with JHT 100,000 (first month paid with it).
            assert_eq!(*amount_due, 470_000);
        }
    }

    #[test]
    fn duplicates_inside_one_batch_are_answered_once() {
        let db = db_with(&["a"]);
        let it = item(
            "d1",
            "data-update",
            json!({"kpj": "12345678901", "what": ["phone"], "new_phone": "+60123456789"}),
        );
        let out = run(&db, "a", &[it.clone(), it]);
        let ItemOutcome::Accepted { reference } = &out[0] else {
            panic!()
        };
        assert_eq!(
            out[1],
            ItemOutcome::Duplicate {
                reference: reference.clone()
            }
        );
    }
}
