//! Linking a device to a person on PostgreSQL (the SQLite backend's `link.rs`,
//! same rules). What SQLite's one writer serialised is row locks here: a start
//! locks the person's row (so two starts cannot both pass the hourly limit), a
//! confirmation locks its attempt and the codes it may use (so a code is used
//! once and a wrong count is never lost).

use std::collections::HashSet;

use rantau_core::protocol::wire::EventKind;

use crate::decisions::link::{
    self, Attempt, Candidate, Channel, Claim, Confirmation, PersonRecords, StoredCode,
};
use crate::error::{Error, Result};
use crate::storage::postgres::positions::{self, Pending};
use crate::storage::postgres::{persons, PgDb, Tx};
use crate::storage::{LinkConfirm, LinkStart, OfficerLinkCode};

/// The person a claim names, if any, their row locked.
async fn candidate(tx: &Tx<'_>, claim: &Claim, now: i64) -> Result<Option<Candidate>> {
    let row = match claim {
        Claim::Nik(n) => {
            tx.query_opt(
                "SELECT id, nik, birth_date, email FROM persons WHERE nik = $1 FOR UPDATE",
                &[n],
            )
            .await?
        }
        Claim::Kpj(k) => {
            tx.query_opt(
                "SELECT id, nik, birth_date, email FROM persons
                 WHERE kpj = $1 OR id IN (SELECT person_id FROM memberships WHERE kpj = $1)
                 LIMIT 1 FOR UPDATE",
                &[k],
            )
            .await?
        }
    };
    let Some(row) = row else {
        return Ok(None);
    };
    let person: String = row.try_get(0)?;
    let recent: i64 = tx
        .query_one(
            "SELECT count(*) FROM link_attempts WHERE person_id = $1 AND created_at > $2",
            &[&person, &(now - link::HOUR_MS)],
        )
        .await?
        .try_get(0)?;
    Ok(Some(Candidate {
        person,
        nik: row.try_get(1)?,
        birth_date: row.try_get(2)?,
        email: row.try_get(3)?,
        recent_starts: u32::try_from(recent).unwrap_or(u32::MAX),
    }))
}

/// See [`crate::storage::Storage::link_start`].
pub(crate) async fn start(db: &PgDb, s: &LinkStart) -> Result<Option<String>> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let found = candidate(&tx, &s.claim, s.now).await?;
    let bound = link::bind(found.as_ref(), s.birth_date);
    let expires = s.now + link::CODE_TTL_MS;
    tx.execute(
        "INSERT INTO link_attempts (id, participant_id, person_id, channel, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &s.id,
            &s.participant,
            &bound.map(|c| c.person.as_str()),
            &s.channel.name(),
            &s.now,
            &expires,
        ],
    )
    .await?;
    let mail = bound
        .filter(|_| s.channel == Channel::Email)
        .and_then(|c| Some((c.person.clone(), c.email.clone()?)));
    if let Some((person, _)) = &mail {
        tx.execute(
            "INSERT INTO link_codes (id, person_id, attempt_id, hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &s.code_id,
                person,
                &s.id,
                &s.code_hash.as_slice(),
                &s.now,
                &expires,
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(mail.map(|(_, to)| to))
}

/// See [`crate::storage::Storage::officer_link_code`].
pub(crate) async fn officer_code(db: &PgDb, c: &OfficerLinkCode) -> Result<bool> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let Some(found) = candidate(&tx, &c.claim, c.now).await? else {
        return Ok(false);
    };
    tx.execute(
        "INSERT INTO link_codes (id, person_id, attempt_id, hash, created_at, expires_at)
         VALUES ($1, $2, NULL, $3, $4, $5)",
        &[
            &c.code_id,
            &found.person,
            &c.code_hash.as_slice(),
            &c.now,
            &(c.now + link::CODE_TTL_MS),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// See [`crate::storage::Storage::link_confirm`].
pub(crate) async fn confirm(db: &PgDb, c: &LinkConfirm) -> Result<Confirmation> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT person_id, channel, expires_at, wrong, used_at FROM link_attempts
             WHERE id = $1 AND participant_id = $2 FOR UPDATE",
            &[&c.id, &c.participant],
        )
        .await?;
    let attempt = match row {
        Some(r) => {
            let channel: String = r.try_get(1)?;
            let wrong: i64 = r.try_get(3)?;
            let used: Option<i64> = r.try_get(4)?;
            Some(Attempt {
                person: r.try_get(0)?,
                channel: Channel::parse(&channel).unwrap_or(Channel::Email),
                expires_at: r.try_get(2)?,
                wrong: u32::try_from(wrong).unwrap_or(u32::MAX),
                used: used.is_some(),
            })
        }
        None => None,
    };
    let mut codes = Vec::new();
    if let Some(Attempt {
        person: Some(person),
        channel,
        ..
    }) = &attempt
    {
        let officer = *channel == Channel::Officer;
        for r in tx
            .query(
                "SELECT id, hash, expires_at, used_at FROM link_codes
                 WHERE person_id = $1 AND (attempt_id = $2 OR (attempt_id IS NULL AND $3))
                 ORDER BY id FOR UPDATE",
                &[person, &c.id, &officer],
            )
            .await?
        {
            let hash: Vec<u8> = r.try_get(1)?;
            let used: Option<i64> = r.try_get(3)?;
            codes.push(StoredCode {
                id: r.try_get(0)?,
                hash: hash.try_into().unwrap_or([0; 32]),
                expires_at: r.try_get(2)?,
                used: used.is_some(),
            });
        }
    }
    let outcome = link::confirm(attempt.as_ref(), &codes, &c.code, c.now);
    match &outcome {
        Confirmation::Wrong { .. } => {
            tx.execute(
                "UPDATE link_attempts SET wrong = wrong + 1 WHERE id = $1",
                &[&c.id],
            )
            .await?;
        }
        Confirmation::Link { code_id } => {
            let person = attempt
                .and_then(|a| a.person)
                .ok_or_else(|| Error::Malformed("a link without a person".into()))?;
            tx.execute(
                "UPDATE link_codes SET used_at = $2 WHERE id = $1",
                &[code_id, &c.now],
            )
            .await?;
            tx.execute(
                "UPDATE link_attempts SET used_at = $2 WHERE id = $1",
                &[&c.id, &c.now],
            )
            .await?;
            link_device(db, &tx, &person, c).await?;
        }
        _ => {}
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Links the device to `person` and, unless it was linked already, appends
/// the person's history to its feed (last: it takes positions).
async fn link_device(db: &PgDb, tx: &Tx<'_>, person: &str, c: &LinkConfirm) -> Result<()> {
    let linked_before = tx
        .query_opt(
            "SELECT 1 FROM person_devices WHERE person_id = $1 AND participant_id = $2",
            &[&person, &c.participant],
        )
        .await?
        .is_some();
    if linked_before {
        return Ok(());
    }
    let records = records(tx, person).await?;
    let mut seen = HashSet::new();
    let mut pending = Vec::new();
    for r in tx
        .query(
            "SELECT at, body FROM events WHERE participant_id IN
                 (SELECT participant_id FROM person_devices WHERE person_id = $1 AND participant_id <> $2)
             ORDER BY seq",
            &[&person, &c.participant],
        )
        .await?
    {
        let at: String = r.try_get(0)?;
        let body: String = r.try_get(1)?;
        let kind: EventKind = serde_json::from_str(&body)?;
        if records.concerns(&kind) && seen.insert(body) {
            pending.push(Pending {
                participant: c.participant.clone(),
                at,
                kind,
            });
        }
    }
    for r in tx
        .query(
            "SELECT kpj, starts, ends FROM memberships WHERE person_id = $1 AND source = 'import'
             ORDER BY starts",
            &[&person],
        )
        .await?
    {
        pending.push(Pending {
            participant: c.participant.clone(),
            at: c.at.clone(),
            kind: EventKind::MembershipOnFile {
                kpj: r.try_get(0)?,
                starts: r.try_get(1)?,
                ends: r.try_get(2)?,
            },
        });
    }
    persons::link(tx, person, &c.participant, c.now).await?;
    positions::assign(db, tx, &[], pending).await?;
    Ok(())
}

/// The person's KPJs and submissions (as SQLite's `records`).
async fn records(tx: &Tx<'_>, person: &str) -> Result<PersonRecords> {
    let kpjs = tx
        .query(
            "SELECT kpj FROM persons WHERE id = $1 UNION SELECT kpj FROM memberships WHERE person_id = $1",
            &[&person],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    let submissions = tx
        .query(
            "SELECT submission_id FROM memberships WHERE person_id = $1 AND submission_id IS NOT NULL
             UNION
             SELECT s.id FROM submissions s JOIN person_devices d ON d.participant_id = s.participant_id
             WHERE d.person_id = $1
               AND NOT EXISTS (SELECT 1 FROM person_devices o
                               WHERE o.participant_id = s.participant_id AND o.person_id <> $1)",
            &[&person],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    Ok(PersonRecords { kpjs, submissions })
}

/// The other devices that should also receive `kind`, appended to `origin`'s
/// feed: those linked to the person it is about.
pub(crate) async fn fan_out(tx: &Tx<'_>, origin: &str, kind: &EventKind) -> Result<Vec<String>> {
    let rows = match kind {
        EventKind::PaymentRecorded { kpj, .. }
        | EventKind::ContributionRecorded { kpj, .. }
        | EventKind::MembershipOnFile { kpj, .. } => {
            tx.query(
                "SELECT DISTINCT d.participant_id FROM person_devices d
                 WHERE d.participant_id <> $2 AND d.person_id IN
                     (SELECT id FROM persons WHERE kpj = $1 UNION SELECT person_id FROM memberships WHERE kpj = $1)
                 ORDER BY 1",
                &[kpj, &origin],
            )
            .await?
        }
        EventKind::RegistrationDecided { submission_id, .. }
        | EventKind::RegistrationRejected { submission_id, .. }
        | EventKind::ConsultationReplied { submission_id, .. } => {
            tx.query(
                "SELECT DISTINCT d.participant_id FROM person_devices d
                 WHERE d.participant_id <> $2 AND d.person_id IN
                     (SELECT person_id FROM memberships WHERE submission_id = $1
                      UNION
                      SELECT p.person_id FROM person_devices p JOIN submissions s ON s.participant_id = p.participant_id
                      WHERE s.id = $1
                        AND (SELECT count(*) FROM person_devices o WHERE o.participant_id = s.participant_id) = 1)
                 ORDER BY 1",
                &[submission_id, &origin],
            )
            .await?
        }
    };
    Ok(rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?)
}
