//! Persons (a worker by NIK), the devices linked to them and their memberships
//! (placement windows, registered here or imported): the checks a registration
//! and an import make, the rows they write, and the schema step that turned
//! each registration's sender into a person.

use rusqlite::{params, Connection, OptionalExtension};

use crate::decisions::import::{self, Action, ImportRow, RowError};
use crate::decisions::persons::{stored_nik, stored_window, Registrant, Source, Window};
use crate::error::Result;
use crate::officer::ImportReport;
use crate::storage::ImportRefused;
use rantau_core::Lang;

impl From<rusqlite::Error> for ImportRefused {
    fn from(e: rusqlite::Error) -> Self {
        ImportRefused::Db(e.into())
    }
}

/// True when the person of `nik` holds a membership overlapping `window` that
/// still counts (one whose registration an officer rejected does not).
pub fn overlaps(conn: &Connection, nik: &str, window: &Window) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM memberships m JOIN persons p ON p.id = m.person_id
             LEFT JOIN submissions s ON s.id = m.submission_id
             WHERE p.nik = ?1 AND m.starts <= ?3 AND ?2 <= m.ends
               AND (s.status IS NULL OR s.status <> 'officer_rejected')
             LIMIT 1",
        )?
        .query_row(params![nik, window.start_ymd(), window.end_ymd()], |_| {
            Ok(())
        })
        .optional()?
        .is_some())
}

/// The id and KPJ of the person of `nik`.
fn person(conn: &Connection, nik: &str) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, kpj FROM persons WHERE nik = ?1")?
        .query_row([nik], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn create_person(
    conn: &Connection,
    nik: &str,
    kpj: &str,
    name: Option<&str>,
    birth_date: Option<&str>,
    now: i64,
) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    conn.prepare_cached(
        "INSERT INTO persons (id, nik, kpj, name, birth_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, nik, kpj, name, birth_date, now])?;
    Ok(id)
}

pub(crate) fn link(conn: &Connection, person: &str, participant: &str, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO person_devices (person_id, participant_id, linked_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![person, participant, now])?;
    Ok(())
}

fn add_membership(
    conn: &Connection,
    person: &str,
    kpj: &str,
    window: &Window,
    source: Source,
    submission: Option<&str>,
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO memberships (person_id, kpj, starts, ends, source, submission_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        person,
        kpj,
        window.start_ymd(),
        window.end_ymd(),
        source.name(),
        submission,
        now
    ])?;
    Ok(())
}

/// Records an accepted registration's membership: the person (made, with the
/// KPJ `new_kpj` issues, when the NIK is new), the sending device linked to
/// them, the window. Returns the person's KPJ, which the registration carries.
pub fn register(
    conn: &Connection,
    who: &Registrant,
    participant: &str,
    submission: &str,
    new_kpj: impl FnOnce() -> Result<String>,
    now: i64,
) -> Result<String> {
    let (id, kpj) = match person(conn, &who.nik)? {
        Some(found) => found,
        None => {
            let kpj = new_kpj()?;
            (create_person(conn, &who.nik, &kpj, None, None, now)?, kpj)
        }
    };
    link(conn, &id, participant, now)?;
    // Only a person with no address yet gets this one: a later registration
    // never moves where link codes go (`docs/link.md`).
    conn.prepare_cached("UPDATE persons SET email = ?2 WHERE id = ?1 AND email IS NULL")?
        .execute(params![id, who.email])?;
    add_membership(
        conn,
        &id,
        &kpj,
        &who.window,
        Source::Registration,
        Some(submission),
        now,
    )?;
    Ok(kpj)
}

/// Schema step 5's data: each person's e-mail address from their oldest
/// registration that gives one.
pub fn adopt_emails(conn: &Connection) -> Result<()> {
    let rows: Vec<(String, String, u32, String)> = conn
        .prepare(
            "SELECT m.person_id, s.form_id, s.form_version, s.payload
             FROM memberships m JOIN submissions s ON s.id = m.submission_id
             ORDER BY s.received_at, s.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (person, form, version, payload) in rows {
        if let Some(email) = crate::decisions::persons::stored_email(&form, version, &payload) {
            conn.prepare_cached("UPDATE persons SET email = ?2 WHERE id = ?1 AND email IS NULL")?
                .execute(params![person, email])?;
        }
    }
    Ok(())
}

/// Imports checked rows in order (see [`crate::storage::Storage::import_persons`]);
/// any conflicting row refuses them all: the caller's transaction rolls back
/// on the `Err`.
pub fn import(
    conn: &Connection,
    rows: &[ImportRow],
    lang: Lang,
    now: i64,
) -> std::result::Result<ImportReport, ImportRefused> {
    let mut done = ImportReport {
        rows: rows.len(),
        added: 0,
        unchanged: 0,
    };
    let mut errors: Vec<RowError> = Vec::new();
    for row in rows {
        let found = person(conn, &row.nik)?;
        let other_nik: Option<String> = conn
            .prepare_cached(
                "SELECT nik FROM persons WHERE kpj = ?1 AND nik <> ?2
                 UNION SELECT p.nik FROM memberships m JOIN persons p ON p.id = m.person_id
                       WHERE m.kpj = ?1 AND p.nik <> ?2
                 LIMIT 1",
            )?
            .query_row([&row.kpj, &row.nik], |r| r.get(0))
            .optional()?;
        let same = match &found {
            Some((id, _)) => conn
                .prepare_cached(
                    "SELECT 1 FROM memberships WHERE person_id = ?1 AND kpj = ?2 AND starts = ?3 AND ends = ?4",
                )?
                .query_row(
                    params![id, row.kpj, row.window.start_ymd(), row.window.end_ymd()],
                    |_| Ok(()),
                )
                .optional()?
                .is_some(),
            None => false,
        };
        let overlapping = found.is_some() && overlaps(conn, &row.nik, &row.window)?;
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
                conn.prepare_cached(
                    "UPDATE persons SET name = COALESCE(name, ?2), birth_date = COALESCE(birth_date, ?3) WHERE id = ?1",
                )?
                .execute(params![id, row.name, birth])?;
                add_membership(conn, id, kpj, &row.window, Source::Import, None, now)?;
                done.added += 1;
            }
            (Ok(_), _) => {
                let id =
                    create_person(conn, &row.nik, &row.kpj, Some(&row.name), Some(&birth), now)?;
                // Never issued here as a new KPJ or payment code.
                conn.prepare_cached("INSERT OR IGNORE INTO issued_numbers (number) VALUES (?1)")?
                    .execute([&row.kpj])?;
                add_membership(conn, &id, &row.kpj, &row.window, Source::Import, None, now)?;
                done.added += 1;
            }
        }
    }
    if errors.is_empty() {
        Ok(done)
    } else {
        Err(ImportRefused::Rows(errors))
    }
}

/// Schema step 4's data: every registration's NIK becomes a person (the first
/// registration's KPJ is theirs), its sender a device linked to them, and the
/// registration a membership with its own KPJ. Oldest first, so a NIK that was
/// registered twice keeps the first KPJ.
pub fn adopt_registrations(conn: &Connection) -> Result<()> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        u32,
        String,
        i64,
    );
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT r.submission_id, r.participant_id, r.kpj, r.departure_date, r.contract_start,
                    r.contract_end, s.form_id, s.form_version, s.payload, s.received_at
             FROM registrations r JOIN submissions s ON s.id = r.submission_id
             ORDER BY s.received_at, r.submission_id",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (submission, participant, kpj, departure, start, end, form, version, payload, at) in rows {
        let (Some(nik), Some(window)) = (
            stored_nik(&form, version, &payload),
            stored_window(departure.as_deref(), start.as_deref(), end.as_deref()),
        ) else {
            continue;
        };
        let id = match person(conn, &nik)? {
            Some((id, _)) => id,
            None => create_person(conn, &nik, &kpj, None, None, at)?,
        };
        link(conn, &id, &participant, at)?;
        add_membership(
            conn,
            &id,
            &kpj,
            &window,
            Source::Registration,
            Some(&submission),
            at,
        )?;
    }
    Ok(())
}
