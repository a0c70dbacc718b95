//! Storing a batch: each submission id is stored once with its answer, kept
//! forever; an id seen before is answered by [`replay`]. "Once" is the
//! primary key's: `INSERT … ON CONFLICT (id) DO NOTHING` makes a racing batch
//! wait for the row's first writer, then it reads the stored answer (a new
//! statement at READ COMMITTED sees that commit). A registration gets its KPJ
//! number and payment code from [`numbers`] and its event a commit-ordered
//! position, in the same transaction as the submission.

use rantau_core::protocol::wire::{ItemOutcome, ItemResult, SubmissionItem};

use crate::decisions::ingest::{
    invalid_id, registration_decided, replay, Clock, Decision, NewRegistration, Prepared, Seen,
};
use crate::decisions::registration;
use crate::error::{Error, Result};
use crate::storage::postgres::positions::{self, Pending};
use crate::storage::postgres::{numbers, PgDb, Tx};

/// What one transaction has written so far and still has to position.
#[derive(Default)]
struct Written {
    /// New submissions: (index in the batch, id).
    submissions: Vec<(usize, String)>,
    /// Events decided.
    events: Vec<Pending>,
}

/// Stores a batch (see [`crate::storage::Storage::store_batch`]).
pub async fn store_batch(
    db: &PgDb,
    participant: &str,
    items: &[SubmissionItem],
    prepared: Vec<Prepared>,
    clock: &Clock,
) -> Result<Vec<ItemResult>> {
    let n = items.len().min(prepared.len());
    let mut prepared: Vec<Option<Prepared>> = prepared.into_iter().map(Some).collect();
    // Ids in order (a stable sort: one id's copies keep the batch's order):
    // two batches sharing ids lock their rows in the same order, so the second
    // waits for the first instead of deadlocking with it.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| items[a].id.cmp(&items[b].id));

    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; n];
    let mut written = Written::default();
    for i in order {
        let prep = prepared[i]
            .take()
            .ok_or_else(|| Error::Malformed("a batch item was prepared twice".into()))?;
        outcomes[i] =
            Some(store_item(&tx, participant, i, &items[i], prep, clock, &mut written).await?);
    }
    written.submissions.sort();
    let ids: Vec<String> = written.submissions.into_iter().map(|(_, id)| id).collect();
    positions::assign(db, &tx, &ids, written.events).await?;
    tx.commit().await?;
    items
        .iter()
        .zip(outcomes)
        .map(|(item, outcome)| {
            Ok(ItemResult {
                id: item.id.clone(),
                outcome: outcome
                    .ok_or_else(|| Error::Malformed("a batch item was not answered".into()))?,
            })
        })
        .collect()
}

async fn store_item(
    tx: &Tx<'_>,
    participant: &str,
    index: usize,
    item: &SubmissionItem,
    prep: Prepared,
    clock: &Clock,
    written: &mut Written,
) -> Result<ItemOutcome> {
    let Some(decision) = prep.decision else {
        return Ok(invalid_id(clock.lang));
    };
    if insert(tx, participant, item, &prep.hash, &decision, clock).await? {
        store_new(tx, participant, index, item, decision, clock, written).await
    } else {
        let stored = tx
            .prepare_cached(
                "SELECT participant_id, payload_hash, answer FROM submissions WHERE id = $1",
            )
            .await?;
        let row = tx.query_one(&stored, &[&item.id]).await?;
        let answer: String = row.try_get(2)?;
        Ok(replay(
            Seen {
                owner: row.try_get(0)?,
                payload_hash: row.try_get(1)?,
                answer: serde_json::from_str::<ItemOutcome>(&answer)?,
            },
            participant,
            &prep.hash,
        ))
    }
}

/// Inserts the submission unless its id is stored (by anyone, committed or
/// committing: then this waits for that transaction). True when inserted.
async fn insert(
    tx: &Tx<'_>,
    participant: &str,
    item: &SubmissionItem,
    hash: &[u8; 32],
    decision: &Decision,
    clock: &Clock,
) -> Result<bool> {
    let (status, reference) = outcome_columns(&decision.outcome);
    let payload = serde_json::to_string(&item.payload)?;
    let answer = serde_json::to_string(&decision.outcome)?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO submissions (id, participant_id, form_id, form_version, payload_hash, payload, created_at,
                                      received_at, status, answer, reference)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (id) DO NOTHING",
        )
        .await?;
    let inserted = tx
        .execute(
            &insert,
            &[
                &item.id,
                &participant,
                &item.form_id,
                &i64::from(item.form_version),
                &&hash[..],
                &payload,
                &item.created_at,
                &clock.now_ms,
                &status,
                &answer,
                &reference,
            ],
        )
        .await?;
    Ok(inserted == 1)
}

/// The stored status and reference of an answer.
fn outcome_columns(outcome: &ItemOutcome) -> (&'static str, Option<&str>) {
    match outcome {
        ItemOutcome::Accepted { reference } => ("accepted", Some(reference.as_str())),
        _ => ("rejected", None),
    }
}

async fn store_new(
    tx: &Tx<'_>,
    participant: &str,
    index: usize,
    item: &SubmissionItem,
    decision: Decision,
    clock: &Clock,
    written: &mut Written,
) -> Result<ItemOutcome> {
    written.submissions.push((index, item.id.clone()));
    if !decision.files.is_empty() {
        let file = tx
            .prepare_cached(
                "INSERT INTO submission_files (submission_id, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .await?;
        for sha in &decision.files {
            tx.execute(&file, &[&item.id, sha]).await?;
        }
    }
    let (_, reference) = outcome_columns(&decision.outcome);
    if let (Some(reg), Some(reference)) = (&decision.registration, reference) {
        let event = register(tx, participant, &item.id, reference, reg).await?;
        written.events.push(Pending {
            participant: participant.to_string(),
            at: clock.now_rfc3339.clone(),
            kind: event,
        });
    }
    Ok(decision.outcome)
}

async fn register(
    tx: &Tx<'_>,
    participant: &str,
    submission_id: &str,
    reference: &str,
    reg: &NewRegistration,
) -> Result<rantau_core::protocol::wire::EventKind> {
    let kpj = numbers::issue(tx).await?;
    let payment_code = numbers::issue(tx).await?;
    let ymd = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let terms = &reg.terms;
    let insert = tx
        .prepare_cached(
        "INSERT INTO registrations (submission_id, participant_id, kpj, payment_code, amount_due, pay_before, scheme,
                                    registered_on, departure_date, contract_start, contract_end)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .await?;
    tx.execute(
        &insert,
        &[
            &submission_id,
            &participant,
            &kpj,
            &payment_code,
            &i64::try_from(reg.amount_due).unwrap_or(i64::MAX),
            &reg.pay_before,
            &registration::scheme_name(terms.scheme),
            &reg.registered_on,
            &terms.departure_date.map(ymd),
            &ymd(terms.contract_start),
            &ymd(terms.contract_end),
        ],
    )
    .await?;
    Ok(registration_decided(
        submission_id,
        reference,
        kpj,
        payment_code,
        reg,
    ))
}
