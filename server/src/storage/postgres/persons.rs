//! Persons, their devices and memberships on PostgreSQL (the SQLite backend's
//! `persons.rs`, same rules). What SQLite's one writer serialised is an
//! advisory lock here: every transaction that checks and then writes a
//! person's memberships first locks that person's NIK ([`lock_niks`], in
//! sorted order so two never wait on each other), so two registrations of one
//! NIK racing from two phones cannot both pass the overlap check.

use rantau_core::Lang;

use crate::decisions::import::{self, Action, ImportRow, RowError};
use crate::decisions::persons::{stored_nik, stored_window, Registrant, Source, Window};
use crate::error::Result;
use crate::officer::ImportReport;
use crate::storage::postgres::{lock, numbers, PgDb, Tx};
use crate::storage::ImportRefused;

impl From<tokio_postgres::Error> for ImportRefused {
    fn from(e: tokio_postgres::Error) -> Self {
        ImportRefused::Db(e.into())
    }
}

/// Locks the persons of `niks` until the transaction ends, in sorted order.
pub(crate) async fn lock_niks(tx: &Tx<'_>, niks: &[&str]) -> Result<()> {
    let mut sorted: Vec<&str> = niks.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let stmt = tx
        .prepare_cached("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .await?;
    for nik in sorted {
        tx.execute(&stmt, &[&lock::PERSON, &nik]).await?;
    }
    Ok(())
}

/// True when the person of `nik` holds a membership overlapping `window` that
/// still counts (one whose registration an officer rejected does not).
pub(crate) async fn overlaps(tx: &Tx<'_>, nik: &str, window: &Window) -> Result<bool> {
    let stmt = tx
        .prepare_cached(
            "SELECT 1 FROM memberships m JOIN persons p ON p.id = m.person_id
             LEFT JOIN submissions s ON s.id = m.submission_id
             WHERE p.nik = $1 AND m.starts <= $3 AND $2 <= m.ends
               AND (s.status IS NULL OR s.status <> 'officer_rejected')
             LIMIT 1",
        )
        .await?;
    Ok(tx
        .query_opt(&stmt, &[&nik, &window.start_ymd(), &window.end_ymd()])
        .await?
        .is_some())
}

/// The id and KPJ of the person of `nik`.
async fn person(tx: &Tx<'_>, nik: &str) -> Result<Option<(String, String)>> {
    let stmt = tx
        .prepare_cached("SELECT id, kpj FROM persons WHERE nik = $1")
        .await?;
    Ok(match tx.query_opt(&stmt, &[&nik]).await? {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

/// Makes the person; `false` (nothing written) when `kpj` is held already.
async fn create_person(
    tx: &Tx<'_>,
    id: &str,
    nik: &str,
    kpj: &str,
    name: Option<&str>,
    birth_date: Option<&str>,
    now: i64,
) -> Result<bool> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO persons (id, nik, kpj, name, birth_date, created_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (kpj) DO NOTHING",
        )
        .await?;
    Ok(tx
        .execute(&stmt, &[&id, &nik, &kpj, &name, &birth_date, &now])
        .await?
        == 1)
}

pub(crate) async fn link(tx: &Tx<'_>, person: &str, participant: &str, now: i64) -> Result<()> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO person_devices (person_id, participant_id, linked_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .await?;
    tx.execute(&stmt, &[&person, &participant, &now]).await?;
    Ok(())
}

async fn add_membership(
    tx: &Tx<'_>,
    person: &str,
    kpj: &str,
    window: &Window,
    source: Source,
    submission: Option<&str>,
    now: i64,
) -> Result<()> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO memberships (person_id, kpj, starts, ends, source, submission_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &person,
            &kpj,
            &window.start_ymd(),
            &window.end_ymd(),
            &source.name(),
            &submission,
            &now,
        ],
    )
    .await?;
    Ok(())
}

/// Records an accepted registration's membership (its NIK locked by the
/// caller): the person (made when the NIK is new, with the KPJ the
/// registration was numbered with, or a fresh one should an imported person
/// hold that), the device linked, the window. Returns the person's KPJ; when it
/// is not `drawn`, the registration row is given it.
pub(crate) async fn register(
    tx: &Tx<'_>,
    who: &Registrant,
    participant: &str,
    submission: &str,
    drawn: &str,
    now: i64,
) -> Result<String> {
    let (id, kpj) = match person(tx, &who.nik).await? {
        Some(found) => found,
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            let mut kpj = drawn.to_string();
            while !create_person(tx, &id, &who.nik, &kpj, None, None, now).await? {
                let next = format!("SELECT {}", numbers::sql(numbers::NEXT));
                kpj = tx.query_one(&next, &[]).await?.try_get(0)?;
            }
            (id, kpj)
        }
    };
    if kpj != drawn {
        let stmt = tx
            .prepare_cached("UPDATE registrations SET kpj = $2 WHERE submission_id = $1")
            .await?;
        tx.execute(&stmt, &[&submission, &kpj]).await?;
    }
    link(tx, &id, participant, now).await?;
    // Only a person with no address yet gets this one (`docs/link.md`).
    let stmt = tx
        .prepare_cached("UPDATE persons SET email = $2 WHERE id = $1 AND email IS NULL")
        .await?;
    tx.execute(&stmt, &[&id, &who.email]).await?;
    add_membership(
        tx,
        &id,
        &kpj,
        &who.window,
        Source::Registration,
        Some(submission),
        now,
    )
    .await?;
    Ok(kpj)
}

/// Schema step 3's data: each person's e-mail address from their oldest
/// registration that gives one.
pub(crate) async fn adopt_emails(tx: &Tx<'_>) -> Result<()> {
    let rows = tx
        .query(
            "SELECT m.person_id, s.form_id, s.form_version, s.payload
             FROM memberships m JOIN submissions s ON s.id = m.submission_id
             ORDER BY s.received_at, s.id",
            &[],
        )
        .await?;
    for r in rows {
        let person: String = r.try_get(0)?;
        let form: String = r.try_get(1)?;
        let version: i64 = r.try_get(2)?;
        let payload: String = r.try_get(3)?;
        let version = u32::try_from(version).unwrap_or(0);
        if let Some(email) = crate::decisions::persons::stored_email(&form, version, &payload) {
            tx.execute(
                "UPDATE persons SET email = $2 WHERE id = $1 AND email IS NULL",
                &[&person, &email],
            )
            .await?;
        }
    }
    Ok(())
}

/// Imports checked rows (see [`crate::storage::Storage::import_persons`]) in
/// one transaction, rolled back when any row conflicts.
pub(crate) async fn import(
    db: &PgDb,
    rows: &[ImportRow],
    lang: Lang,
    now: i64,
) -> std::result::Result<ImportReport, ImportRefused> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let niks: Vec<&str> = rows.iter().map(|r| r.nik.as_str()).collect();
    lock_niks(&tx, &niks).await?;
    let mut done = ImportReport {
        rows: rows.len(),
        added: 0,
        unchanged: 0,
    };
    let mut errors: Vec<RowError> = Vec::new();
    for row in rows {
        let found = person(&tx, &row.nik).await?;
        let other_nik: Option<String> = tx
            .query_opt(
                "SELECT nik FROM persons WHERE kpj = $1 AND nik <> $2
                 UNION SELECT p.nik FROM memberships m JOIN persons p ON p.id = m.person_id
                       WHERE m.kpj = $1 AND p.nik <> $2
                 LIMIT 1",
                &[&row.kpj, &row.nik],
            )
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let (start, end) = (row.window.start_ymd(), row.window.end_ymd());
        let same = match &found {
            Some((id, _)) => tx
                .query_opt(
                    "SELECT 1 FROM memberships WHERE person_id = $1 AND kpj = $2 AND starts = $3 AND ends = $4",
                    &[id, &row.kpj, &start, &end],
                )
                .await
                ?
                .is_some(),
            None => false,
        };
        let overlapping = found.is_some() && overlaps(&tx, &row.nik, &row.window).await?;
        let birth = row.birth_date.format("%Y-%m-%d").to_string();
        let action = import::conflict(
            row,
            found.as_ref().map(|(_, k)| k.as_str()),
            other_nik.as_deref(),
            same,
            overlapping,
        );
        match (action, &found) {
            (Err(conflict), _) => errors.push(conflict.error(row.line, lang)),
            (Ok(Action::Unchanged), _) => done.unchanged += 1,
            (Ok(Action::AddMembership), Some((id, kpj))) => {
                // A person first known from a registration gets the officer's name.
                tx.execute(
                    "UPDATE persons SET name = COALESCE(name, $2), birth_date = COALESCE(birth_date, $3)
                     WHERE id = $1",
                    &[id, &row.name, &birth],
                )
                .await
                ?;
                add_membership(&tx, id, kpj, &row.window, Source::Import, None, now).await?;
                done.added += 1;
            }
            (Ok(_), _) => {
                let id = uuid::Uuid::new_v4().to_string();
                // The KPJ is free: `conflict` found no other NIK holding it.
                create_person(
                    &tx,
                    &id,
                    &row.nik,
                    &row.kpj,
                    Some(&row.name),
                    Some(&birth),
                    now,
                )
                .await?;
                add_membership(&tx, &id, &row.kpj, &row.window, Source::Import, None, now).await?;
                done.added += 1;
            }
        }
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls it back: nothing of the file is kept.
        return Err(ImportRefused::Rows(errors));
    }
    tx.commit().await?;
    Ok(done)
}

/// Schema step 2's data (as SQLite's step 4): every registration's NIK becomes
/// a person (the first registration's KPJ is theirs), its sender a device
/// linked to them, the registration a membership with its own KPJ.
pub(crate) async fn adopt_registrations(tx: &Tx<'_>) -> Result<()> {
    let rows = tx
        .query(
            "SELECT r.submission_id, r.participant_id, r.kpj, r.departure_date, r.contract_start,
                    r.contract_end, s.form_id, s.form_version, s.payload, s.received_at
             FROM registrations r JOIN submissions s ON s.id = r.submission_id
             ORDER BY s.received_at, r.submission_id",
            &[],
        )
        .await?;
    for r in rows {
        let submission: String = r.try_get(0)?;
        let participant: String = r.try_get(1)?;
        let kpj: String = r.try_get(2)?;
        let departure: Option<String> = r.try_get(3)?;
        let start: Option<String> = r.try_get(4)?;
        let end: Option<String> = r.try_get(5)?;
        let form: String = r.try_get(6)?;
        let version: i64 = r.try_get(7)?;
        let payload: String = r.try_get(8)?;
        let at: i64 = r.try_get(9)?;
        let version = u32::try_from(version).unwrap_or(0);
        let (Some(nik), Some(window)) = (
            stored_nik(&form, version, &payload),
            stored_window(departure.as_deref(), start.as_deref(), end.as_deref()),
        ) else {
            continue;
        };
        let id = match person(tx, &nik).await? {
            Some((id, _)) => id,
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                create_person(tx, &id, &nik, &kpj, None, None, at).await?;
                id
            }
        };
        link(tx, &id, &participant, at).await?;
        add_membership(
            tx,
            &id,
            &kpj,
            &window,
            Source::Registration,
            Some(&submission),
            at,
        )
        .await?;
    }
    Ok(())
}
