//! Storing a batch: each submission id is stored once with its answer, kept
//! forever; an id seen before is answered by [`replay`]. A registration gets
//! its KPJ number and payment code (unique among every number ever issued)
//! and its event, in the same transaction as the submission; a registration
//! of a person already registered for an overlapping placement is refused
//! there (`persons::overlaps`), and an accepted one records its membership.

use rantau_core::protocol::wire::{ItemOutcome, ItemResult, SubmissionItem};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::decisions::ingest::{
    invalid_id, registration_decided, replay, Clock, Decision, NewRegistration, Prepared, Seen,
};
use crate::decisions::{ids, registration};
use crate::error::{Error, Result};
use crate::storage::sqlite::{link, persons};

/// Answers every item from its [`Prepared`] work, in order, inside `tx`.
pub fn store_batch(
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
                outcome: store_item(tx, participant, item, prep, clock)?,
            })
        })
        .collect()
}

fn store_item(
    tx: &Transaction,
    participant: &str,
    item: &SubmissionItem,
    prep: Prepared,
    clock: &Clock,
) -> Result<ItemOutcome> {
    let Some(decision) = prep.decision else {
        return Ok(invalid_id(clock.lang));
    };
    let seen: Option<(String, Vec<u8>, String)> = tx
        .prepare_cached(
            "SELECT participant_id, payload_hash, answer FROM submissions WHERE id = ?1",
        )?
        .query_row([&item.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((owner, payload_hash, answer)) = seen {
        let answer = serde_json::from_str::<ItemOutcome>(&answer)?;
        return Ok(replay(
            Seen {
                owner,
                payload_hash,
                answer,
            },
            participant,
            &prep.hash,
        ));
    }
    store_new(
        tx,
        participant,
        item,
        &prep.hash,
        &prep.payload,
        decision,
        clock,
    )
}

fn store_new(
    tx: &Transaction,
    participant: &str,
    item: &SubmissionItem,
    hash: &[u8; 32],
    payload: &str,
    mut decision: Decision,
    clock: &Clock,
) -> Result<ItemOutcome> {
    // A person registered for an overlapping placement: refused, stored like
    // any answer (so a resend of this id is answered the same).
    if let Some(who) = decision.registrant() {
        if persons::overlaps(tx, &who.nik, &who.window)? {
            decision = decision.already_registered();
        }
    }
    let (status, reference) = match &decision.outcome {
        ItemOutcome::Accepted { reference } => ("accepted", Some(reference.as_str())),
        _ => ("rejected", None),
    };
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
    let mut files = tx.prepare_cached(
        "INSERT OR IGNORE INTO submission_files (submission_id, sha256) VALUES (?1, ?2)",
    )?;
    for sha in &decision.files {
        files.execute(params![item.id, sha])?;
    }
    if let (Some(reg), Some(reference)) = (&decision.registration, reference) {
        register(tx, participant, &item.id, reference, reg, clock)?;
    }
    Ok(decision.outcome)
}

/// Issues a fresh number not used before as a KPJ or a payment code. The
/// writer lock makes the check and the insert one step; a collision (1 in
/// 9·10¹⁰ per number held) only draws again.
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
    reg: &NewRegistration,
    clock: &Clock,
) -> Result<()> {
    let kpj = match &reg.registrant {
        Some(who) => persons::register(
            tx,
            who,
            participant,
            submission_id,
            || issue_number(tx),
            clock.now_ms,
        )?,
        None => issue_number(tx)?,
    };
    let payment_code = issue_number(tx)?;
    let ymd = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let terms = &reg.terms;
    tx.prepare_cached(
        "INSERT INTO registrations (submission_id, participant_id, kpj, payment_code, amount_due, pay_before, scheme,
                                    registered_on, departure_date, contract_start, contract_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        submission_id, participant, kpj, payment_code, i64::try_from(reg.amount_due).unwrap_or(i64::MAX), reg.pay_before,
        registration::scheme_name(terms.scheme), reg.registered_on, terms.departure_date.map(ymd), ymd(terms.contract_start), ymd(terms.contract_end)
    ])?;
    let event = registration_decided(submission_id, reference, kpj, payment_code, reg);
    // The person's other linked devices see their new registration too.
    link::append_fanned(tx, participant, &clock.now_rfc3339, &event)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decisions::ingest::{prepare, CONFLICT};
    use crate::storage::sqlite::events;
    use crate::storage::sqlite::SqliteDb;
    use crate::storage::DbLocation;
    use rantau_core::protocol::wire::EventKind;
    use rantau_core::Lang;
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

    fn db_with(participants: &[&str]) -> SqliteDb {
        let db = SqliteDb::open(
            &DbLocation::Memory,
            &crate::storage::key::DataKey::generate(),
        )
        .unwrap();
        db.write(|tx| {
            for p in participants {
                tx.execute("INSERT INTO participants VALUES (?1, ?1, '', 0)", [p])?;
            }
            Ok::<_, Error>(())
        })
        .unwrap();
        db
    }

    fn run(db: &SqliteDb, p: &str, items: &[SubmissionItem]) -> Vec<ItemOutcome> {
        let clock = Clock::now(Lang::En);
        db.write(|tx| store_batch(tx, p, items, prepare(items, &clock), &clock))
            .unwrap()
            .into_iter()
            .map(|r| r.outcome)
            .collect()
    }

    /// The sample registration of person `n`.
    fn registration(n: u32) -> serde_json::Value {
        serde_json::Value::Object(rantau_core::forms::samples::sample_registration_of(n))
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
                item("r1", "pmi-registration", registration(1)),
                item("r2", "pmi-registration", registration(2)),
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
