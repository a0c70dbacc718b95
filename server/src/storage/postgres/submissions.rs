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

/// Stores a batch (see [`crate::storage::Storage::store_batch`]) in one
/// transaction of a few set-based statements, whatever the batch's size: the
/// new submissions in one `INSERT … SELECT FROM UNNEST`, the stored answers of
/// the ids seen before in one `SELECT`, the registrations' numbers, rows and
/// files in one statement each, then the positions. (One statement per row was
/// six round trips and six executions per registration: PostgreSQL's time, not
/// the server's, bounded ingest.)
pub async fn store_batch(
    db: &PgDb,
    participant: &str,
    items: &[SubmissionItem],
    prepared: Vec<Prepared>,
    clock: &Clock,
) -> Result<Vec<ItemResult>> {
    let n = items.len().min(prepared.len());
    let mut prepared: Vec<Option<Prepared>> = prepared.into_iter().map(Some).collect();
    // Ids in order (a stable sort: one id's copies keep the batch's order): the
    // insert takes its rows' locks in this order, so two batches sharing ids
    // lock them in the same order and the second waits for the first instead of
    // deadlocking with it.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| items[a].id.cmp(&items[b].id));

    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; n];
    // The first copy of each usable id may be new; later copies answer as it does.
    let mut fresh: Vec<(usize, Decision, [u8; 32])> = Vec::new();
    let mut again: Vec<(usize, [u8; 32])> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for i in order {
        let prep = prepared[i]
            .take()
            .ok_or_else(|| Error::Malformed("a batch item was prepared twice".into()))?;
        match prep.decision {
            None => outcomes[i] = Some(invalid_id(clock.lang)),
            Some(decision) if ids.insert(items[i].id.as_str()) => {
                fresh.push((i, decision, prep.hash))
            }
            Some(_) => again.push((i, prep.hash)),
        }
    }

    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let inserted = insert_new(&tx, participant, items, &fresh, clock).await?;
    let mut written = Written::default();
    let mut registered = Vec::new();
    let mut files: Vec<(&str, &str)> = Vec::new();
    for (i, decision, hash) in &fresh {
        let id = items[*i].id.as_str();
        if !inserted.contains(id) {
            again.push((*i, *hash));
            continue;
        }
        written.submissions.push((*i, id.to_string()));
        files.extend(decision.files.iter().map(|sha| (id, sha.as_str())));
        let (_, reference) = outcome_columns(&decision.outcome);
        if let (Some(reg), Some(reference)) = (&decision.registration, reference) {
            registered.push((id, reference, reg));
        }
        outcomes[*i] = Some(decision.outcome.clone());
    }
    insert_files(&tx, &files).await?;
    for kind in register(&tx, participant, &registered).await? {
        written.events.push(Pending {
            participant: participant.to_string(),
            at: clock.now_rfc3339.clone(),
            kind,
        });
    }
    for (i, hash, seen) in stored_answers(&tx, items, &again).await? {
        outcomes[i] = Some(replay(seen, participant, &hash));
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

/// Inserts the submissions whose ids are not stored (by anyone, committed or
/// committing: then this waits for that transaction), in the given order.
/// Returns the ids it inserted.
async fn insert_new(
    tx: &Tx<'_>,
    participant: &str,
    items: &[SubmissionItem],
    fresh: &[(usize, Decision, [u8; 32])],
    clock: &Clock,
) -> Result<std::collections::HashSet<String>> {
    if fresh.is_empty() {
        return Ok(Default::default());
    }
    let mut ids = Vec::with_capacity(fresh.len());
    let mut forms = Vec::with_capacity(fresh.len());
    let mut versions = Vec::with_capacity(fresh.len());
    let mut hashes = Vec::with_capacity(fresh.len());
    let mut payloads = Vec::with_capacity(fresh.len());
    let mut created = Vec::with_capacity(fresh.len());
    let mut statuses = Vec::with_capacity(fresh.len());
    let mut answers = Vec::with_capacity(fresh.len());
    let mut references = Vec::with_capacity(fresh.len());
    for (i, decision, hash) in fresh {
        let item = &items[*i];
        let (status, reference) = outcome_columns(&decision.outcome);
        ids.push(item.id.as_str());
        forms.push(item.form_id.as_str());
        versions.push(i64::from(item.form_version));
        hashes.push(&hash[..]);
        payloads.push(serde_json::to_string(&item.payload)?);
        created.push(item.created_at.as_str());
        statuses.push(status);
        answers.push(serde_json::to_string(&decision.outcome)?);
        references.push(reference);
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO submissions (id, participant_id, form_id, form_version, payload_hash, payload, created_at,
                                      received_at, status, answer, reference)
             SELECT u.id, $1, u.form_id, u.form_version, u.hash, u.payload, u.created_at, $2, u.status,
                    u.answer, u.reference
             FROM UNNEST($3::text[], $4::text[], $5::bigint[], $6::bytea[], $7::text[], $8::text[],
                         $9::text[], $10::text[], $11::text[])
                  WITH ORDINALITY AS u(id, form_id, form_version, hash, payload, created_at, status,
                                       answer, reference, ord)
             ORDER BY u.ord
             ON CONFLICT (id) DO NOTHING
             RETURNING id",
        )
        .await?;
    let rows = tx
        .query(
            &insert,
            &[
                &participant,
                &clock.now_ms,
                &ids,
                &forms,
                &versions,
                &hashes,
                &payloads,
                &created,
                &statuses,
                &answers,
                &references,
            ],
        )
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Records the document files new submissions name.
async fn insert_files(tx: &Tx<'_>, files: &[(&str, &str)]) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let (ids, shas): (Vec<&str>, Vec<&str>) = files.iter().copied().unzip();
    let insert = tx
        .prepare_cached(
            "INSERT INTO submission_files (submission_id, sha256)
             SELECT * FROM UNNEST($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
        )
        .await?;
    tx.execute(&insert, &[&ids, &shas]).await?;
    Ok(())
}

/// The hash presented with, and the stored owner, hash and answer of, each id in `again` (items seen
/// before, or copies in this batch of an id it inserted), by batch index.
async fn stored_answers(
    tx: &Tx<'_>,
    items: &[SubmissionItem],
    again: &[(usize, [u8; 32])],
) -> Result<Vec<(usize, [u8; 32], Seen)>> {
    if again.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = again.iter().map(|(i, _)| items[*i].id.as_str()).collect();
    let stored = tx
        .prepare_cached(
            "SELECT id, participant_id, payload_hash, answer FROM submissions WHERE id = ANY($1)",
        )
        .await?;
    let mut by_id = std::collections::HashMap::new();
    for row in tx.query(&stored, &[&ids]).await? {
        let id: String = row.try_get(0)?;
        let owner: String = row.try_get(1)?;
        let hash: Vec<u8> = row.try_get(2)?;
        let answer: String = row.try_get(3)?;
        by_id.insert(id, (owner, hash, answer));
    }
    again
        .iter()
        .map(|(i, presented)| {
            let (owner, hash, answer) = by_id
                .get(&items[*i].id)
                .ok_or_else(|| Error::Malformed("a stored submission was not found".into()))?;
            Ok((
                *i,
                *presented,
                Seen {
                    owner: owner.clone(),
                    payload_hash: hash.clone(),
                    answer: serde_json::from_str::<ItemOutcome>(answer)?,
                },
            ))
        })
        .collect()
}

/// The stored status and reference of an answer.
fn outcome_columns(outcome: &ItemOutcome) -> (&'static str, Option<&str>) {
    match outcome {
        ItemOutcome::Accepted { reference } => ("accepted", Some(reference.as_str())),
        _ => ("rejected", None),
    }
}

/// Issues the KPJ numbers and payment codes of the new registrations and
/// records them, in one statement each; their events, in the same order.
async fn register(
    tx: &Tx<'_>,
    participant: &str,
    registered: &[(&str, &str, &NewRegistration)],
) -> Result<Vec<rantau_core::protocol::wire::EventKind>> {
    if registered.is_empty() {
        return Ok(Vec::new());
    }
    // Two numbers a registration: its KPJ, then its payment code.
    let mut numbers = numbers::issue_many(tx, 2 * registered.len())
        .await?
        .into_iter();
    let ymd = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut rows = Registrations::default();
    let mut events = Vec::with_capacity(registered.len());
    for (submission_id, reference, reg) in registered {
        let (Some(kpj), Some(payment_code)) = (numbers.next(), numbers.next()) else {
            return Err(Error::Malformed("too few numbers issued".into()));
        };
        let terms = &reg.terms;
        rows.ids.push(submission_id);
        rows.kpj.push(kpj.clone());
        rows.payment_codes.push(payment_code.clone());
        rows.amounts
            .push(i64::try_from(reg.amount_due).unwrap_or(i64::MAX));
        rows.pay_before.push(reg.pay_before.as_str());
        rows.schemes.push(registration::scheme_name(terms.scheme));
        rows.registered_on.push(reg.registered_on.as_str());
        rows.departures.push(terms.departure_date.map(ymd));
        rows.starts.push(ymd(terms.contract_start));
        rows.ends.push(ymd(terms.contract_end));
        events.push(registration_decided(
            submission_id,
            reference,
            kpj,
            payment_code,
            reg,
        ));
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO registrations (submission_id, participant_id, kpj, payment_code, amount_due, pay_before,
                                        scheme, registered_on, departure_date, contract_start, contract_end)
             SELECT u.id, $1, u.kpj, u.code, u.amount, u.pay_before, u.scheme, u.registered_on,
                    u.departure, u.start, u.end_
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[],
                         $8::text[], $9::text[], $10::text[], $11::text[])
                  AS u(id, kpj, code, amount, pay_before, scheme, registered_on, departure, start, end_)",
        )
        .await?;
    tx.execute(
        &insert,
        &[
            &participant,
            &rows.ids,
            &rows.kpj,
            &rows.payment_codes,
            &rows.amounts,
            &rows.pay_before,
            &rows.schemes,
            &rows.registered_on,
            &rows.departures,
            &rows.starts,
            &rows.ends,
        ],
    )
    .await?;
    Ok(events)
}

/// The columns of new registration rows, one array each.
#[derive(Default)]
struct Registrations<'a> {
    ids: Vec<&'a str>,
    kpj: Vec<String>,
    payment_codes: Vec<String>,
    amounts: Vec<i64>,
    pay_before: Vec<&'a str>,
    schemes: Vec<&'static str>,
    registered_on: Vec<&'a str>,
    departures: Vec<Option<String>>,
    starts: Vec<String>,
    ends: Vec<String>,
}
