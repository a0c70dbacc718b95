//! Linking a device to a person on SQLite: link attempts, one-time codes (hashed),
//! the link itself with the person's history copied into the device's feed, and
//! the fan-out that gives every linked device the person's later events. The
//! rules are `decisions::link`'s; this file reads and writes rows.

use std::collections::HashSet;

use rantau_core::protocol::wire::EventKind;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::decisions::link::{
    self, Attempt, Candidate, Channel, Claim, Confirmation, PersonRecords, StoredCode,
};
use crate::error::Result;
use crate::storage::sqlite::{events, persons};
use crate::storage::{LinkConfirm, LinkStart, OfficerLinkCode};

/// The person a claim names, if any.
fn candidate(conn: &Connection, claim: &Claim, now: i64) -> Result<Option<Candidate>> {
    let (sql, key) = match claim {
        Claim::Nik(n) => (
            "SELECT id, nik, birth_date, email FROM persons WHERE nik = ?1",
            n,
        ),
        Claim::Kpj(k) => (
            "SELECT id, nik, birth_date, email FROM persons
             WHERE kpj = ?1 OR id IN (SELECT person_id FROM memberships WHERE kpj = ?1)
             LIMIT 1",
            k,
        ),
    };
    let found: Option<(String, String, Option<String>, Option<String>)> = conn
        .prepare_cached(sql)?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((person, nik, birth_date, email)) = found else {
        return Ok(None);
    };
    let recent_starts: u32 = conn
        .prepare_cached(
            "SELECT count(*) FROM link_attempts WHERE person_id = ?1 AND created_at > ?2",
        )?
        .query_row(params![person, now - link::HOUR_MS], |r| r.get(0))?;
    Ok(Some(Candidate {
        person,
        nik,
        birth_date,
        email,
        recent_starts,
    }))
}

/// Stores a link attempt; returns the address to mail the code to when the
/// claim matched a person with one on file and the channel is e-mail (the
/// code's hash is then stored, bound to the attempt).
pub fn start(tx: &Transaction, s: &LinkStart) -> Result<Option<String>> {
    let found = candidate(tx, &s.claim, s.now)?;
    let bound = link::bind(found.as_ref(), s.birth_date);
    let expires = s.now + link::CODE_TTL_MS;
    tx.prepare_cached(
        "INSERT INTO link_attempts (id, participant_id, person_id, channel, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        s.id,
        s.participant,
        bound.map(|c| c.person.as_str()),
        s.channel.name(),
        s.now,
        expires
    ])?;
    let Some((person, email)) = bound
        .filter(|_| s.channel == Channel::Email)
        .and_then(|c| Some((c.person.as_str(), c.email.as_deref()?)))
    else {
        return Ok(None);
    };
    tx.prepare_cached(
        "INSERT INTO link_codes (id, person_id, attempt_id, hash, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        s.code_id,
        person,
        s.id,
        s.code_hash.as_slice(),
        s.now,
        expires
    ])?;
    Ok(Some(email.to_string()))
}

/// Stores an officer's code for the person a claim names; `false` (nothing
/// written) when no one is named.
pub fn officer_code(tx: &Transaction, c: &OfficerLinkCode) -> Result<bool> {
    let Some(found) = candidate(tx, &c.claim, c.now)? else {
        return Ok(false);
    };
    tx.prepare_cached(
        "INSERT INTO link_codes (id, person_id, attempt_id, hash, created_at, expires_at)
         VALUES (?1, ?2, NULL, ?3, ?4, ?5)",
    )?
    .execute(params![
        c.code_id,
        found.person,
        c.code_hash.as_slice(),
        c.now,
        c.now + link::CODE_TTL_MS
    ])?;
    Ok(true)
}

/// Confirms an attempt (see [`crate::storage::Storage::link_confirm`]).
pub fn confirm(tx: &Transaction, c: &LinkConfirm) -> Result<Confirmation> {
    type Row = (Option<String>, String, i64, u32, Option<i64>);
    let row: Option<Row> = tx
        .prepare_cached(
            "SELECT person_id, channel, expires_at, wrong, used_at FROM link_attempts
             WHERE id = ?1 AND participant_id = ?2",
        )?
        .query_row(params![c.id, c.participant], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let attempt = row.map(|(person, channel, expires_at, wrong, used)| Attempt {
        person,
        channel: Channel::parse(&channel).unwrap_or(Channel::Email),
        expires_at,
        wrong,
        used: used.is_some(),
    });
    let codes = match &attempt {
        Some(Attempt {
            person: Some(person),
            channel,
            ..
        }) => tx
            .prepare_cached(
                "SELECT id, hash, expires_at, used_at FROM link_codes
                 WHERE person_id = ?1 AND (attempt_id = ?2 OR (attempt_id IS NULL AND ?3))",
            )?
            .query_map(params![person, c.id, *channel == Channel::Officer], |r| {
                let hash: Vec<u8> = r.get(1)?;
                Ok(StoredCode {
                    id: r.get(0)?,
                    hash: hash.try_into().unwrap_or([0; 32]),
                    expires_at: r.get(2)?,
                    used: r.get::<_, Option<i64>>(3)?.is_some(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        _ => Vec::new(),
    };
    let outcome = link::confirm(attempt.as_ref(), &codes, &c.code, c.now);
    match &outcome {
        Confirmation::Wrong { .. } => {
            tx.prepare_cached("UPDATE link_attempts SET wrong = wrong + 1 WHERE id = ?1")?
                .execute([&c.id])?;
        }
        Confirmation::Link { code_id } => {
            let person = attempt
                .and_then(|a| a.person)
                .ok_or_else(|| crate::error::Error::Malformed("a link without a person".into()))?;
            tx.prepare_cached("UPDATE link_codes SET used_at = ?2 WHERE id = ?1")?
                .execute(params![code_id, c.now])?;
            tx.prepare_cached("UPDATE link_attempts SET used_at = ?2 WHERE id = ?1")?
                .execute(params![c.id, c.now])?;
            link_device(tx, &person, &c.participant, c.now, &c.at)?;
        }
        _ => {}
    }
    Ok(outcome)
}

/// Links `participant` to `person` and, unless it was linked already, copies
/// the person's history into its feed: what the person's other devices
/// received about them, then each membership registered elsewhere.
fn link_device(
    tx: &Transaction,
    person: &str,
    participant: &str,
    now: i64,
    at: &str,
) -> Result<()> {
    let linked_before = tx
        .prepare_cached(
            "SELECT 1 FROM person_devices WHERE person_id = ?1 AND participant_id = ?2",
        )?
        .query_row(params![person, participant], |_| Ok(()))
        .optional()?
        .is_some();
    if linked_before {
        return Ok(());
    }
    let records = records(tx, person)?;
    let mut seen = HashSet::new();
    let history: Vec<(String, String)> = tx
        .prepare_cached(
            "SELECT at, body FROM events WHERE participant_id IN
                 (SELECT participant_id FROM person_devices WHERE person_id = ?1 AND participant_id <> ?2)
             ORDER BY seq",
        )?
        .query_map(params![person, participant], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (when, body) in history {
        let kind: EventKind = serde_json::from_str(&body)?;
        if records.concerns(&kind) && seen.insert(body) {
            events::append(tx, participant, &when, &kind)?;
        }
    }
    let on_file: Vec<(String, String, String)> = tx
        .prepare_cached(
            "SELECT kpj, starts, ends FROM memberships WHERE person_id = ?1 AND source = 'import'
             ORDER BY starts",
        )?
        .query_map([person], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kpj, starts, ends) in on_file {
        events::append(
            tx,
            participant,
            at,
            &EventKind::MembershipOnFile { kpj, starts, ends },
        )?;
    }
    persons::link(tx, person, participant, now)
}

/// The person's KPJs and submissions (registrations, and whatever was sent
/// from a device linked to them alone).
fn records(conn: &Connection, person: &str) -> Result<PersonRecords> {
    let kpjs = conn
        .prepare_cached(
            "SELECT kpj FROM persons WHERE id = ?1 UNION SELECT kpj FROM memberships WHERE person_id = ?1",
        )?
        .query_map([person], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let submissions = conn
        .prepare_cached(
            "SELECT submission_id FROM memberships WHERE person_id = ?1 AND submission_id IS NOT NULL
             UNION
             SELECT s.id FROM submissions s JOIN person_devices d ON d.participant_id = s.participant_id
             WHERE d.person_id = ?1
               AND NOT EXISTS (SELECT 1 FROM person_devices o
                               WHERE o.participant_id = s.participant_id AND o.person_id <> ?1)",
        )?
        .query_map([person], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(PersonRecords { kpjs, submissions })
}

/// The other devices (participants) that should also receive `kind`, appended
/// to `origin`'s feed: those linked to the person it is about.
pub fn fan_out(tx: &Transaction, origin: &str, kind: &EventKind) -> Result<Vec<String>> {
    let persons: Vec<String> = match kind {
        EventKind::PaymentRecorded { kpj, .. }
        | EventKind::ContributionRecorded { kpj, .. }
        | EventKind::MembershipOnFile { kpj, .. } => tx
            .prepare_cached(
                "SELECT id FROM persons WHERE kpj = ?1 UNION SELECT person_id FROM memberships WHERE kpj = ?1",
            )?
            .query_map([kpj], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
        EventKind::RegistrationDecided { submission_id, .. }
        | EventKind::RegistrationRejected { submission_id, .. }
        | EventKind::ConsultationReplied { submission_id, .. } => tx
            .prepare_cached(
                "SELECT person_id FROM memberships WHERE submission_id = ?1
                 UNION
                 SELECT d.person_id FROM person_devices d JOIN submissions s ON s.participant_id = d.participant_id
                 WHERE s.id = ?1
                   AND (SELECT count(*) FROM person_devices o WHERE o.participant_id = s.participant_id) = 1",
            )?
            .query_map([submission_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
    };
    let mut out: Vec<String> = Vec::new();
    for person in persons {
        let devices: Vec<String> = tx
            .prepare_cached(
                "SELECT participant_id FROM person_devices WHERE person_id = ?1 AND participant_id <> ?2
                 ORDER BY participant_id",
            )?
            .query_map(params![person, origin], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for d in devices {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    Ok(out)
}

/// Appends `kind` to `origin`'s feed and to every other device of the person
/// it is about ([`fan_out`]); returns `origin`'s seq.
pub fn append_fanned(tx: &Transaction, origin: &str, at: &str, kind: &EventKind) -> Result<i64> {
    let seq = events::append(tx, origin, at, kind)?;
    for other in fan_out(tx, origin, kind)? {
        events::append(tx, &other, at, kind)?;
    }
    Ok(seq)
}
