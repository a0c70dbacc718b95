//! Storing a batch: each submission id is stored once with its answer, kept
//! forever; an id seen before is answered by [`replay`]. "Once" is the
//! primary key's: `INSERT … ON CONFLICT (id) DO NOTHING` makes a racing batch
//! wait for the row's first writer, then it reads the stored answer (a new
//! statement at READ COMMITTED sees that commit). A registration gets its KPJ
//! number and payment code from [`numbers`] in the statement that stores it,
//! and its event a commit-ordered position, in the same transaction as the
//! submission. A registration of a person already registered for an
//! overlapping placement is refused first, under a lock on the NIK
//! ([`refuse_registered`]); an accepted one records its membership.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use rantau_core::protocol::wire::{ItemOutcome, ItemResult, SubmissionItem};

use crate::decisions::ingest::{
    invalid_id, registration_decided, replay, Clock, Decision, NewRegistration, Prepared, Seen,
};
use crate::decisions::persons::Window;
use crate::decisions::registration;
use crate::error::{Error, Result};
use crate::storage::postgres::positions::{self, Pending};
use crate::storage::postgres::{numbers, persons, PgDb, Tx};

/// Stores a batch (see [`crate::storage::Storage::store_batch`]) in one
/// transaction of at most three statements, whatever the batch's size: the
/// new submissions, their files and their registrations (numbers issued in
/// it) in one; the stored answers of the ids seen before in one (only when
/// there are some); then the positions and events in one. Per batch, round
/// trips and statement executions, not rows, were most of PostgreSQL's and
/// the server's work.
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
    let mut fresh: Vec<Fresh> = Vec::new();
    let mut again: Vec<(usize, [u8; 32])> = Vec::new();
    let mut ids = HashSet::new();
    for i in order {
        let prep = prepared[i]
            .take()
            .ok_or_else(|| Error::Malformed("a batch item was prepared twice".into()))?;
        match prep.decision {
            None => outcomes[i] = Some(invalid_id(clock.lang)),
            Some(decision) if ids.insert(items[i].id.as_str()) => fresh.push(Fresh {
                index: i,
                decision,
                hash: prep.hash,
                payload: prep.payload,
            }),
            Some(_) => again.push((i, prep.hash)),
        }
    }

    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    refuse_registered(&tx, &mut fresh).await?;
    let mut inserted = insert_new(&tx, participant, items, &fresh, clock).await?;
    // New submissions: (index in the batch, id); their events, in id order.
    let mut written: Vec<(usize, String)> = Vec::with_capacity(inserted.len());
    let mut events = Vec::new();
    for Fresh {
        index: i,
        decision,
        hash,
        ..
    } in fresh
    {
        let id = items[i].id.as_str();
        let Some(numbers) = inserted.remove(id) else {
            again.push((i, hash));
            continue;
        };
        written.push((i, id.to_string()));
        if let (Some(reg), ItemOutcome::Accepted { reference }) =
            (&decision.registration, &decision.outcome)
        {
            let (drawn, payment_code) = numbers
                .ok_or_else(|| Error::Malformed("a registration was not numbered".into()))?;
            let kpj = match &reg.registrant {
                Some(who) => {
                    persons::register(&tx, who, participant, id, &drawn, clock.now_ms).await?
                }
                None => drawn,
            };
            let kind = registration_decided(id, reference, kpj, payment_code, reg);
            // The person's other linked devices see their new registration too.
            let others = crate::storage::postgres::link::fan_out(&tx, participant, &kind).await?;
            for p in std::iter::once(participant.to_string()).chain(others) {
                events.push(Pending {
                    participant: p,
                    at: clock.now_rfc3339.clone(),
                    kind: kind.clone(),
                });
            }
        }
        outcomes[i] = Some(decision.outcome);
    }
    for (i, hash, seen) in stored_answers(&tx, items, &again).await? {
        outcomes[i] = Some(replay(seen, participant, &hash));
    }
    written.sort();
    let ids: Vec<String> = written.into_iter().map(|(_, id)| id).collect();
    positions::assign(db, &tx, &ids, events).await?;
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

/// Registrations of persons: locks their NIKs, then turns each whose person
/// holds an overlapping membership (stored, or accepted earlier in this batch,
/// in batch order as SQLite decides) into its refusal. A refused item whose id
/// turns out to be stored already is not inserted and gets its stored answer,
/// as any other.
async fn refuse_registered(tx: &Tx<'_>, fresh: &mut [Fresh]) -> Result<()> {
    let niks: Vec<&str> = fresh
        .iter()
        .filter_map(|f| f.decision.registrant())
        .map(|who| who.nik.as_str())
        .collect();
    if niks.is_empty() {
        return Ok(());
    }
    persons::lock_niks(tx, &niks).await?;
    let mut order: Vec<usize> = (0..fresh.len()).collect();
    order.sort_by_key(|&k| fresh[k].index);
    let mut taken: Vec<(String, Window)> = Vec::new();
    for k in order {
        let Some(who) = fresh[k].decision.registrant().cloned() else {
            continue;
        };
        let in_batch = taken
            .iter()
            .any(|(nik, w)| *nik == who.nik && w.overlaps(&who.window));
        if in_batch || persons::overlaps(tx, &who.nik, &who.window).await? {
            let decision = std::mem::replace(
                &mut fresh[k].decision,
                Decision {
                    outcome: who.refusal.clone(),
                    registration: None,
                    files: Vec::new(),
                },
            );
            fresh[k].decision = decision.already_registered();
        } else {
            taken.push((who.nik, who.window));
        }
    }
    Ok(())
}

/// An item whose id may be new: its index in the batch, its decision, hash
/// and payload as stored (from its [`Prepared`]).
struct Fresh {
    index: usize,
    decision: Decision,
    hash: [u8; 32],
    payload: String,
}

/// The KPJ number and payment code of a new registration.
type Numbers = (String, String);

/// The statement of [`insert_new`]: the submissions, then (for the ones it
/// inserted, as `JOIN new` keeps them) their files and registrations, with
/// two numbers drawn per registration.
static INSERT_NEW: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH new AS (
             INSERT INTO submissions (id, participant_id, form_id, form_version, payload_hash, payload,
                                      created_at, received_at, status, answer, reference)
             SELECT u.id, $1, u.form_id, u.form_version, u.hash, u.payload, u.created_at, $2, u.status,
                    u.answer, u.reference
             FROM UNNEST($3::text[], $4::text[], $5::bigint[], $6::bytea[], $7::text[], $8::text[],
                         $9::text[], $10::text[], $11::text[])
                  WITH ORDINALITY AS u(id, form_id, form_version, hash, payload, created_at, status,
                                       answer, reference, ord)
             ORDER BY u.ord
             ON CONFLICT (id) DO NOTHING
             RETURNING id),
         files AS (
             INSERT INTO submission_files (submission_id, sha256)
             SELECT f.id, f.sha FROM UNNEST($12::text[], $13::text[]) AS f(id, sha) JOIN new ON new.id = f.id
             ON CONFLICT DO NOTHING),
         registered AS (
             INSERT INTO registrations (submission_id, participant_id, kpj, payment_code, amount_due,
                                        pay_before, scheme, registered_on, departure_date,
                                        contract_start, contract_end)
             SELECT r.id, $1, {kpj}, {code}, r.amount, r.pay_before, r.scheme, r.registered_on,
                    r.departure, r.start, r.end_
             FROM (SELECT r.*, {next} AS kpj_n, {next} AS code_n
                   FROM UNNEST($14::text[], $15::bigint[], $16::text[], $17::text[], $18::text[],
                               $19::text[], $20::text[], $21::text[])
                        AS r(id, amount, pay_before, scheme, registered_on, departure, start, end_)
                   JOIN new ON new.id = r.id) AS r
             RETURNING submission_id, kpj, payment_code)
         SELECT new.id, registered.kpj, registered.payment_code
         FROM new LEFT JOIN registered ON registered.submission_id = new.id",
        kpj = numbers::sql("r.kpj_n"),
        code = numbers::sql("r.code_n"),
        next = numbers::NEXT,
    )
});

/// Inserts the submissions whose ids are not stored (by anyone, committed or
/// committing: then this waits for that transaction), in the given order, with
/// the files they name and, for registrations, their registration rows and
/// numbers. Returns the ids it inserted, each with its numbers when it is a
/// registration.
async fn insert_new<'a>(
    tx: &Tx<'_>,
    participant: &str,
    items: &'a [SubmissionItem],
    fresh: &'a [Fresh],
    clock: &Clock,
) -> Result<HashMap<String, Option<Numbers>>> {
    if fresh.is_empty() {
        return Ok(HashMap::new());
    }
    let mut rows = Submissions::with_capacity(fresh.len());
    let mut files: (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let mut regs = Registrations::default();
    for Fresh {
        index,
        decision,
        hash,
        payload,
    } in fresh
    {
        let item = &items[*index];
        let (status, reference) = outcome_columns(&decision.outcome);
        rows.ids.push(item.id.as_str());
        rows.forms.push(item.form_id.as_str());
        rows.versions.push(i64::from(item.form_version));
        rows.hashes.push(&hash[..]);
        rows.payloads.push(payload.as_str());
        rows.created.push(item.created_at.as_str());
        rows.statuses.push(status);
        rows.answers.push(serde_json::to_string(&decision.outcome)?);
        rows.references.push(reference);
        for sha in &decision.files {
            files.0.push(item.id.as_str());
            files.1.push(sha.as_str());
        }
        if let (Some(reg), Some(_)) = (&decision.registration, reference) {
            regs.push(item.id.as_str(), reg);
        }
    }
    let insert = tx.prepare_cached(&INSERT_NEW).await?;
    let found = tx
        .query(
            &insert,
            &[
                &participant,
                &clock.now_ms,
                &rows.ids,
                &rows.forms,
                &rows.versions,
                &rows.hashes,
                &rows.payloads,
                &rows.created,
                &rows.statuses,
                &rows.answers,
                &rows.references,
                &files.0,
                &files.1,
                &regs.ids,
                &regs.amounts,
                &regs.pay_before,
                &regs.schemes,
                &regs.registered_on,
                &regs.departures,
                &regs.starts,
                &regs.ends,
            ],
        )
        .await?;
    found
        .iter()
        .map(|r| {
            let id: String = r.try_get(0)?;
            let kpj: Option<String> = r.try_get(1)?;
            let code: Option<String> = r.try_get(2)?;
            Ok((id, kpj.zip(code)))
        })
        .collect()
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
    let mut by_id = HashMap::new();
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

/// The columns of new submission rows, one array each.
struct Submissions<'a> {
    ids: Vec<&'a str>,
    forms: Vec<&'a str>,
    versions: Vec<i64>,
    hashes: Vec<&'a [u8]>,
    payloads: Vec<&'a str>,
    created: Vec<&'a str>,
    statuses: Vec<&'static str>,
    answers: Vec<String>,
    references: Vec<Option<&'a str>>,
}

impl Submissions<'_> {
    fn with_capacity(n: usize) -> Self {
        Submissions {
            ids: Vec::with_capacity(n),
            forms: Vec::with_capacity(n),
            versions: Vec::with_capacity(n),
            hashes: Vec::with_capacity(n),
            payloads: Vec::with_capacity(n),
            created: Vec::with_capacity(n),
            statuses: Vec::with_capacity(n),
            answers: Vec::with_capacity(n),
            references: Vec::with_capacity(n),
        }
    }
}

/// The columns of new registration rows (all but their numbers), one array each.
#[derive(Default)]
struct Registrations<'a> {
    ids: Vec<&'a str>,
    amounts: Vec<i64>,
    pay_before: Vec<&'a str>,
    schemes: Vec<&'static str>,
    registered_on: Vec<&'a str>,
    departures: Vec<Option<String>>,
    starts: Vec<String>,
    ends: Vec<String>,
}

impl<'a> Registrations<'a> {
    fn push(&mut self, id: &'a str, reg: &'a NewRegistration) {
        let ymd = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        let terms = &reg.terms;
        self.ids.push(id);
        self.amounts
            .push(i64::try_from(reg.amount_due).unwrap_or(i64::MAX));
        self.pay_before.push(reg.pay_before.as_str());
        self.schemes.push(registration::scheme_name(terms.scheme));
        self.registered_on.push(reg.registered_on.as_str());
        self.departures.push(terms.departure_date.map(ymd));
        self.starts.push(ymd(terms.contract_start));
        self.ends.push(ymd(terms.contract_end));
    }
}
