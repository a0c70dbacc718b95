//! The officers' queries: a registration by KPJ, a submission by id, the
//! events their decisions append, and the paged submission list.

use chrono::NaiveDate;
use rantau_core::domain::tariff::Scheme;
use rantau_core::forms::RegistrationTerms;
use rantau_core::protocol::wire::{Event, EventKind};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::officer::SubmissionSummary;
use crate::storage::sqlite::link::append_fanned;
use crate::storage::{KpjRegistration, SubmissionDecision, SubmissionPage, SubmissionState};

/// Appends an event and returns it whole.
fn emit(tx: &Transaction, participant: &str, at: String, kind: EventKind) -> Result<Event> {
    // The other devices linked to the person it is about get it too.
    let seq = append_fanned(tx, participant, &at, &kind)?;
    Ok(Event { seq, at, kind })
}

/// The registration of `kpj` (its latest: a person's later placement keeps
/// the KPJ), read back into terms.
fn registration_by_kpj(tx: &Transaction, kpj: &str) -> Result<Option<KpjRegistration>> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
    );
    let row: Option<Row> = tx
        .prepare_cached("SELECT r.participant_id, r.scheme, r.registered_on, r.departure_date, r.contract_start, r.contract_end, s.status
                         FROM registrations r JOIN submissions s ON s.id = r.submission_id WHERE r.kpj = ?1
                         ORDER BY s.received_at DESC, r.submission_id DESC LIMIT 1")?
        .query_row([kpj], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .optional()?;
    let Some((participant, scheme, registered, departure, start, end, status)) = row else {
        return Ok(None);
    };
    let day = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| Error::Malformed(e.to_string()))
    };
    // The stored scheme is a name `registration::scheme_name` wrote.
    let scheme = Scheme::parse(&scheme)
        .ok_or_else(|| Error::Malformed(format!("unknown scheme {scheme}")))?;
    let terms = RegistrationTerms {
        scheme,
        departure_date: departure.as_deref().map(day).transpose()?,
        contract_start: day(&start)?,
        contract_end: day(&end)?,
        // Neither moves a protection window, so they are not stored.
        jht_monthly: None,
        destination: None,
    };
    Ok(Some(KpjRegistration {
        participant,
        terms,
        registered_on: day(&registered)?,
        accepted: status == "accepted",
    }))
}

/// See [`crate::storage::Storage::event_for_kpj`].
pub fn event_for_kpj<E>(
    tx: &Transaction,
    kpj: &str,
    at: String,
    decide: impl FnOnce(Option<KpjRegistration>) -> Result<EventKind, E>,
) -> Result<Result<Event, E>> {
    let found = registration_by_kpj(tx, kpj)?;
    let participant = found.as_ref().map(|r| r.participant.clone());
    match (decide(found), participant) {
        (Ok(kind), Some(participant)) => Ok(Ok(emit(tx, &participant, at, kind)?)),
        (Err(refused), _) => Ok(Err(refused)),
        (Ok(_), None) => Err(Error::Malformed(
            "an event was decided for a registration that does not exist".into(),
        )),
    }
}

/// See [`crate::storage::Storage::event_for_submission`].
pub fn event_for_submission<E>(
    tx: &Transaction,
    id: &str,
    at: String,
    decide: impl FnOnce(Option<SubmissionState>) -> Result<SubmissionDecision, E>,
) -> Result<Result<Event, E>> {
    let found: Option<SubmissionState> = tx
        .prepare_cached("SELECT participant_id, form_id, status FROM submissions WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(SubmissionState {
                participant: r.get(0)?,
                form_id: r.get(1)?,
                status: r.get(2)?,
            })
        })
        .optional()?;
    let participant = found.as_ref().map(|s| s.participant.clone());
    match (decide(found), participant) {
        (Ok(decision), Some(participant)) => {
            if decision.reject {
                tx.execute(
                    "UPDATE submissions SET status = 'officer_rejected' WHERE id = ?1",
                    [id],
                )?;
            }
            Ok(Ok(emit(tx, &participant, at, decision.event)?))
        }
        (Err(refused), _) => Ok(Err(refused)),
        (Ok(_), None) => Err(Error::Malformed(
            "an event was decided for a submission that does not exist".into(),
        )),
    }
}

/// See [`crate::storage::Storage::list_submissions`]. The cursor is the rowid
/// of the last row given.
pub fn list(
    c: &Connection,
    form_id: Option<&str>,
    after: i64,
    limit: usize,
) -> Result<SubmissionPage> {
    let mut stmt = c.prepare_cached(
        "SELECT s.id, s.participant_id, s.form_id, s.form_version, s.status, s.reference, r.kpj, r.payment_code,
                r.amount_due, s.received_at, s.payload,
                (SELECT count(*) FROM submission_files f WHERE f.submission_id = s.id),
                (SELECT count(*) FROM submission_files f JOIN attachments a
                   ON a.sha256 = f.sha256 AND a.participant_id = s.participant_id AND a.complete = 1
                 WHERE f.submission_id = s.id),
                s.rowid
         FROM submissions s LEFT JOIN registrations r ON r.submission_id = s.id
         WHERE (?1 IS NULL OR s.form_id = ?1) AND s.rowid > ?2 ORDER BY s.rowid LIMIT ?3",
    )?;
    // One more than asked: tells whether another page follows.
    let rows = stmt.query_map(params![form_id, after, (limit + 1) as i64], |r| {
        Ok((
            SubmissionSummary {
                id: r.get(0)?,
                participant_id: r.get(1)?,
                form_id: r.get(2)?,
                form_version: r.get(3)?,
                status: r.get(4)?,
                reference: r.get(5)?,
                kpj: r.get(6)?,
                payment_code: r.get(7)?,
                amount_due: r.get::<_, Option<i64>>(8)?.map(|n| n.max(0) as u64),
                received_at: r.get(9)?,
                payload: serde_json::Value::Null,
                files_expected: r.get(11)?,
                files_complete: r.get(12)?,
            },
            r.get::<_, String>(10)?,
            r.get::<_, i64>(13)?,
        ))
    })?;
    let mut submissions = Vec::new();
    let mut last = after;
    let mut has_more = false;
    for row in rows {
        let (mut summary, payload, rowid) = row?;
        if submissions.len() == limit {
            has_more = true;
            break;
        }
        summary.payload = serde_json::from_str(&payload)?;
        submissions.push(summary);
        last = rowid;
    }
    Ok(SubmissionPage {
        submissions,
        last,
        has_more,
    })
}
