//! The officers' queries: a registration by KPJ, a submission by id, the
//! events their decisions append, and the paged submission list. A decision
//! locks the submission row it reads (`FOR UPDATE`), so two officers deciding
//! on one registration take turns and the second sees the first's outcome.

use chrono::NaiveDate;
use rantau_core::domain::tariff::Scheme;
use rantau_core::forms::RegistrationTerms;
use rantau_core::protocol::wire::{Event, EventKind};

use crate::error::{Error, Result};
use crate::officer::SubmissionSummary;
use crate::storage::postgres::positions::{self, Pending};
use crate::storage::postgres::{to_u64, PgDb, Tx};
use crate::storage::{KpjRegistration, SubmissionDecision, SubmissionPage, SubmissionState};

/// Positions one event, then commits.
async fn emit_and_commit(
    db: &PgDb,
    tx: Tx<'_>,
    participant: String,
    at: String,
    kind: EventKind,
) -> Result<Event> {
    // The other devices linked to the person it is about get it too.
    let others = crate::storage::postgres::link::fan_out(&tx, &participant, &kind).await?;
    let mut pending = vec![Pending {
        participant,
        at: at.clone(),
        kind: kind.clone(),
    }];
    pending.extend(others.into_iter().map(|p| Pending {
        participant: p,
        at: at.clone(),
        kind: kind.clone(),
    }));
    let events = positions::assign(db, &tx, &[], pending).await?;
    tx.commit().await?;
    events
        .into_iter()
        .next()
        .ok_or_else(|| Error::Malformed("an event was not positioned".into()))
}

/// The registration of `kpj` (its latest: a person's later placement keeps
/// the KPJ), read back into terms; its submission row locked.
async fn registration_by_kpj(tx: &Tx<'_>, kpj: &str) -> Result<Option<KpjRegistration>> {
    let Some(row) = tx
        .query_opt(
            "SELECT r.participant_id, r.scheme, r.registered_on, r.departure_date, r.contract_start, r.contract_end, s.status
             FROM registrations r JOIN submissions s ON s.id = r.submission_id WHERE r.kpj = $1
             ORDER BY s.received_at DESC, r.submission_id DESC LIMIT 1
             FOR UPDATE OF s",
            &[&kpj],
        )
        .await?
    else {
        return Ok(None);
    };
    let day = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| Error::Malformed(e.to_string()))
    };
    let scheme: String = row.try_get(1)?;
    // The stored scheme is a name `registration::scheme_name` wrote.
    let scheme = Scheme::parse(&scheme)
        .ok_or_else(|| Error::Malformed(format!("unknown scheme {scheme}")))?;
    let departure: Option<String> = row.try_get(3)?;
    let start: Option<String> = row.try_get(4)?;
    let end: Option<String> = row.try_get(5)?;
    let required =
        |s: Option<String>| s.ok_or_else(|| Error::Malformed("missing contract day".into()));
    let terms = RegistrationTerms {
        scheme,
        departure_date: departure.as_deref().map(day).transpose()?,
        contract_start: day(&required(start)?)?,
        contract_end: day(&required(end)?)?,
        // Neither moves a protection window, so they are not stored.
        jht_monthly: None,
        destination: None,
    };
    let registered: String = row.try_get(2)?;
    let status: String = row.try_get(6)?;
    Ok(Some(KpjRegistration {
        participant: row.try_get(0)?,
        terms,
        registered_on: day(&registered)?,
        accepted: status == "accepted",
    }))
}

/// See [`crate::storage::Storage::event_for_kpj`].
pub async fn event_for_kpj<E>(
    db: &PgDb,
    kpj: &str,
    at: String,
    decide: impl FnOnce(Option<KpjRegistration>) -> Result<EventKind, E>,
) -> Result<Result<Event, E>> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let found = registration_by_kpj(&tx, kpj).await?;
    let participant = found.as_ref().map(|r| r.participant.clone());
    match (decide(found), participant) {
        (Ok(kind), Some(participant)) => {
            Ok(Ok(emit_and_commit(db, tx, participant, at, kind).await?))
        }
        (Err(refused), _) => Ok(Err(refused)),
        (Ok(_), None) => Err(Error::Malformed(
            "an event was decided for a registration that does not exist".into(),
        )),
    }
}

/// See [`crate::storage::Storage::event_for_submission`].
pub async fn event_for_submission<E>(
    db: &PgDb,
    id: &str,
    at: String,
    decide: impl FnOnce(Option<SubmissionState>) -> Result<SubmissionDecision, E>,
) -> Result<Result<Event, E>> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let found = tx
        .query_opt(
            "SELECT participant_id, form_id, status FROM submissions WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .map(|r| {
            Ok::<_, tokio_postgres::Error>(SubmissionState {
                participant: r.try_get(0)?,
                form_id: r.try_get(1)?,
                status: r.try_get(2)?,
            })
        })
        .transpose()?;
    let participant = found.as_ref().map(|s| s.participant.clone());
    match (decide(found), participant) {
        (Ok(decision), Some(participant)) => {
            if decision.reject {
                tx.execute(
                    "UPDATE submissions SET status = 'officer_rejected' WHERE id = $1",
                    &[&id],
                )
                .await?;
            }
            Ok(Ok(
                emit_and_commit(db, tx, participant, at, decision.event).await?
            ))
        }
        (Err(refused), _) => Ok(Err(refused)),
        (Ok(_), None) => Err(Error::Malformed(
            "an event was decided for a submission that does not exist".into(),
        )),
    }
}

/// See [`crate::storage::Storage::list_submissions`]. The cursor is the
/// commit-ordered position of the last row given.
pub async fn list(
    db: &PgDb,
    form_id: Option<&str>,
    after: i64,
    limit: usize,
) -> Result<SubmissionPage> {
    let client = db.client().await?;
    // One more than asked: tells whether another page follows.
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    let rows = client
        .query(
            "SELECT s.id, s.participant_id, s.form_id, s.form_version, s.status, s.reference, r.kpj, r.payment_code,
                    r.amount_due, s.received_at, s.payload,
                    (SELECT count(*) FROM submission_files f WHERE f.submission_id = s.id),
                    (SELECT count(*) FROM submission_files f JOIN attachments a
                       ON a.sha256 = f.sha256 AND a.participant_id = s.participant_id AND a.complete
                     WHERE f.submission_id = s.id),
                    s.pos
             FROM submissions s LEFT JOIN registrations r ON r.submission_id = s.id
             WHERE ($1::TEXT IS NULL OR s.form_id = $1) AND s.pos > $2 ORDER BY s.pos LIMIT $3",
            &[&form_id, &after, &fetch],
        )
        .await?;
    let mut submissions = Vec::new();
    let mut last = after;
    let mut has_more = false;
    for r in rows {
        if submissions.len() == limit {
            has_more = true;
            break;
        }
        let payload: String = r.try_get(10)?;
        let count = |i: usize| -> Result<u32> {
            let n: i64 = r.try_get(i)?;
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        };
        let form_version: i64 = r.try_get(3)?;
        submissions.push(SubmissionSummary {
            id: r.try_get(0)?,
            participant_id: r.try_get(1)?,
            form_id: r.try_get(2)?,
            form_version: u32::try_from(form_version)
                .map_err(|_| Error::Malformed("form version out of range".into()))?,
            status: r.try_get(4)?,
            reference: r.try_get(5)?,
            kpj: r.try_get(6)?,
            payment_code: r.try_get(7)?,
            amount_due: r.try_get::<_, Option<i64>>(8)?.map(to_u64),
            received_at: r.try_get(9)?,
            payload: serde_json::from_str(&payload)?,
            files_expected: count(11)?,
            files_complete: count(12)?,
        });
        last = r.try_get(13)?;
    }
    Ok(SubmissionPage {
        submissions,
        last,
        has_more,
    })
}
