//! Officer routes (admin bearer token): record payments and contributions,
//! answer consultations, reject registrations, list submissions. Each decision
//! becomes an event in the participant's change feed.

use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::NaiveDate;
use rantau_core::base::lang::Localized;
use rantau_core::domain::tariff::Scheme;
use rantau_core::forms::RegistrationTerms;
use rantau_core::protocol::wire::{Event, EventKind};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Error};
use crate::http::{json_body, AppState, Officer};
use crate::registration::protection;
use crate::{events, validation};

/// `POST /v1/admin/payments` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentRequest {
    /// Membership number the payment is for.
    pub kpj: String,
    /// Amount paid, in rupiah.
    pub amount: u64,
    /// Day of payment (`YYYY-MM-DD`).
    pub paid_on: String,
}

/// `POST /v1/admin/consultations/{id}/reply` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyRequest {
    /// The answer text.
    pub body: String,
    /// Desk or role answering (never a personal name); a default is used if absent.
    #[serde(default)]
    pub from: Option<String>,
}

/// `POST /v1/admin/registrations/{id}/reject` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RejectRequest {
    /// Why, in Indonesian and English.
    pub reason: Localized,
}

/// `POST /v1/admin/contributions` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContributionRequest {
    /// Membership number.
    pub kpj: String,
    /// `jkk_jkm` or `jht`.
    pub programme: String,
    /// Month covered (`YYYY-MM`).
    pub period: String,
    /// Amount in rupiah.
    pub amount: u64,
}

/// One row of `GET /v1/admin/submissions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmissionSummary {
    /// Submission id.
    pub id: String,
    /// Who sent it.
    pub participant_id: String,
    /// Form id.
    pub form_id: String,
    /// Form version.
    pub form_version: u32,
    /// `accepted`, `rejected` or `officer_rejected`.
    pub status: String,
    /// Server reference, when accepted.
    pub reference: Option<String>,
    /// KPJ number (registrations).
    pub kpj: Option<String>,
    /// Payment code (registrations).
    pub payment_code: Option<String>,
    /// Amount due (registrations).
    pub amount_due: Option<u64>,
    /// When the server first received it (unix ms).
    pub received_at: i64,
    /// The answers as sent.
    pub payload: serde_json::Value,
    /// Files (document pages) the submission names.
    #[serde(default)]
    pub files_expected: u32,
    /// Of those, the files this participant has uploaded completely (hash verified).
    /// The submission is complete when both numbers are equal.
    #[serde(default)]
    pub files_complete: u32,
}

/// `GET /v1/admin/submissions` body: one page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmissionList {
    /// Oldest first.
    pub submissions: Vec<SubmissionSummary>,
    /// Give it back as `cursor` for the next page (opaque).
    #[serde(default)]
    pub next_cursor: String,
    /// More submissions follow this page.
    #[serde(default)]
    pub has_more: bool,
}

/// Default page of `GET /v1/admin/submissions`.
pub const DEFAULT_PAGE: usize = 100;
/// Largest page of `GET /v1/admin/submissions` (a page holds whole payloads).
pub const MAX_PAGE: usize = 500;

/// Query of `GET /v1/admin/submissions`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// Only this form.
    pub form_id: Option<String>,
    /// The `next_cursor` of the previous page; absent or empty for the first.
    pub cursor: Option<String>,
    /// Page size (1..=500, larger is clamped; default 100).
    pub limit: Option<String>,
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_day(s: &str, field: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(format!("{field} must be YYYY-MM-DD")))
}

/// Appends an event and returns it whole.
fn emit(tx: &Transaction, participant: &str, kind: EventKind) -> Result<Event, ApiError> {
    let at = now_rfc3339();
    let seq = events::append(tx, participant, &at, &kind)?;
    Ok(Event { seq, at, kind })
}

/// Registration row found by KPJ: participant and terms.
fn registration_by_kpj(
    tx: &Transaction,
    kpj: &str,
) -> Result<(String, RegistrationTerms, NaiveDate), ApiError> {
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
                         FROM registrations r JOIN submissions s ON s.id = r.submission_id WHERE r.kpj = ?1")
        .map_err(Error::from)?
        .query_row([kpj], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .optional()
        .map_err(Error::from)?;
    let (participant, scheme, registered, departure, start, end, status) =
        row.ok_or_else(|| ApiError::new("kpj.not_found", "no registration has this KPJ"))?;
    if status != "accepted" {
        return Err(ApiError::new(
            "submission.not_accepted",
            "the registration of this KPJ was rejected",
        ));
    }
    let day = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|e| ApiError::from(Error::Malformed(e.to_string())))
    };
    // The stored scheme is a name `registration::scheme_name` wrote.
    let scheme = Scheme::parse(&scheme)
        .ok_or_else(|| ApiError::from(Error::Malformed(format!("unknown scheme {scheme}"))))?;
    let terms = RegistrationTerms {
        scheme,
        departure_date: departure.as_deref().map(day).transpose()?,
        contract_start: day(&start)?,
        contract_end: day(&end)?,
        // Neither moves a protection window, so they are not stored.
        jht_monthly: None,
        destination: None,
    };
    Ok((participant, terms, day(&registered)?))
}

/// `POST /v1/admin/payments`.
pub async fn record_payment(
    State(state): State<AppState>,
    _: Officer,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Event>, ApiError> {
    let req: PaymentRequest = json_body(&headers, body).await?;
    let paid_on = parse_day(&req.paid_on, "paid_on")?;
    if req.amount == 0 {
        return Err(ApiError::invalid("amount must be positive"));
    }
    let event = state
        .blocking(move |db| {
            db.write(|tx| {
                let (participant, terms, registered_on) = registration_by_kpj(tx, req.kpj.trim())?;
                let kind = EventKind::PaymentRecorded {
                    kpj: req.kpj.trim().to_string(),
                    amount: req.amount,
                    paid_on: paid_on.format("%Y-%m-%d").to_string(),
                    protection: protection(&terms, registered_on),
                };
                emit(tx, &participant, kind)
            })
        })
        .await?;
    Ok(Json(event))
}

/// `POST /v1/admin/contributions`.
pub async fn record_contribution(
    State(state): State<AppState>,
    _: Officer,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Event>, ApiError> {
    let req: ContributionRequest = json_body(&headers, body).await?;
    if !matches!(req.programme.as_str(), "jkk_jkm" | "jht") {
        return Err(ApiError::invalid("programme must be jkk_jkm or jht"));
    }
    parse_day(&format!("{}-01", req.period.trim()), "period")
        .map_err(|_| ApiError::invalid("period must be YYYY-MM"))?;
    if req.amount == 0 {
        return Err(ApiError::invalid("amount must be positive"));
    }
    let event = state
        .blocking(move |db| {
            db.write(|tx| {
                let (participant, _, _) = registration_by_kpj(tx, req.kpj.trim())?;
                let kind = EventKind::ContributionRecorded {
                    kpj: req.kpj.trim().to_string(),
                    programme: req.programme,
                    period: req.period.trim().to_string(),
                    amount: req.amount,
                };
                emit(tx, &participant, kind)
            })
        })
        .await?;
    Ok(Json(event))
}

/// Finds an accepted submission of `form_id`; returns its participant.
fn accepted_submission(tx: &Transaction, id: &str, form_id: &str) -> Result<String, ApiError> {
    let row: Option<(String, String, String)> = tx
        .prepare_cached("SELECT participant_id, form_id, status FROM submissions WHERE id = ?1")
        .map_err(Error::from)?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .map_err(Error::from)?;
    let (participant, form, status) =
        row.ok_or_else(|| ApiError::new("submission.not_found", "no submission has this id"))?;
    if form != form_id {
        return Err(ApiError::new(
            "submission.wrong_form",
            format!("the submission is not a {form_id}"),
        ));
    }
    if status != "accepted" {
        return Err(ApiError::new(
            "submission.not_accepted",
            "the submission is not in the accepted state",
        ));
    }
    Ok(participant)
}

/// `POST /v1/admin/consultations/{submission_id}/reply`.
pub async fn reply(
    State(state): State<AppState>,
    _: Officer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Event>, ApiError> {
    let Path(id) = id
        .map_err(|_| ApiError::new("path.invalid", "the submission id in the path is not valid"))?;
    let req: ReplyRequest = json_body(&headers, body).await?;
    if req.body.trim().is_empty() || req.body.chars().count() > 10_000 {
        return Err(ApiError::invalid("body must be 1 to 10000 characters"));
    }
    let from = req
        .from
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| "BPJS Ketenagakerjaan".into());
    let event = state
        .blocking(move |db| {
            db.write(|tx| {
                let participant = accepted_submission(tx, &id, validation::CONSULTATION)?;
                let kind = EventKind::ConsultationReplied {
                    submission_id: id,
                    reply_id: uuid::Uuid::new_v4().to_string(),
                    body: req.body,
                    from,
                };
                emit(tx, &participant, kind)
            })
        })
        .await?;
    Ok(Json(event))
}

/// `POST /v1/admin/registrations/{submission_id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    _: Officer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Event>, ApiError> {
    let Path(id) = id
        .map_err(|_| ApiError::new("path.invalid", "the submission id in the path is not valid"))?;
    let req: RejectRequest = json_body(&headers, body).await?;
    if req.reason.id.trim().is_empty() || req.reason.en.trim().is_empty() {
        return Err(ApiError::invalid("reason needs both id and en texts"));
    }
    let event = state
        .blocking(move |db| {
            db.write(|tx| {
                let participant = accepted_submission(tx, &id, validation::REGISTRATION)?;
                tx.execute(
                    "UPDATE submissions SET status = 'officer_rejected' WHERE id = ?1",
                    [&id],
                )
                .map_err(Error::from)?;
                emit(
                    tx,
                    &participant,
                    EventKind::RegistrationRejected {
                        submission_id: id,
                        reason: req.reason,
                    },
                )
            })
        })
        .await?;
    Ok(Json(event))
}

/// `GET /v1/admin/submissions?form_id=&cursor=&limit=`: one page, oldest first.
/// The cursor is the position of the last row given, so rows received while an
/// officer pages through are never given twice nor skipped.
pub async fn list(
    State(state): State<AppState>,
    _: Officer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<SubmissionList>, ApiError> {
    let Query(q) =
        query.map_err(|_| ApiError::new("query.invalid", "the query string is not valid"))?;
    let after: i64 = match q.cursor.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(c) => c.parse().ok().filter(|n: &i64| *n >= 0).ok_or_else(|| {
            ApiError::new("cursor.invalid", "the cursor is not one this server gave")
        })?,
    };
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_PAGE,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::new("query.invalid", "limit must be a positive integer"))?
            .min(MAX_PAGE),
    };
    let (submissions, last, has_more) = state
        .blocking(move |db| {
            db.read(|c| {
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
                let rows = stmt.query_map(params![q.form_id, after, (limit + 1) as i64], |r| {
                    Ok((SubmissionSummary {
                        id: r.get(0)?, participant_id: r.get(1)?, form_id: r.get(2)?, form_version: r.get(3)?,
                        status: r.get(4)?, reference: r.get(5)?, kpj: r.get(6)?, payment_code: r.get(7)?,
                        amount_due: r.get::<_, Option<i64>>(8)?.map(|n| n.max(0) as u64), received_at: r.get(9)?,
                        payload: serde_json::Value::Null, files_expected: r.get(11)?, files_complete: r.get(12)?,
                    }, r.get::<_, String>(10)?, r.get::<_, i64>(13)?))
                })?;
                let mut out = Vec::new();
                let mut last = after;
                let mut has_more = false;
                for row in rows {
                    let (mut summary, payload, rowid) = row?;
                    if out.len() == limit {
                        has_more = true;
                        break;
                    }
                    summary.payload = serde_json::from_str(&payload)?;
                    out.push(summary);
                    last = rowid;
                }
                Ok::<_, Error>((out, last, has_more))
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(Json(SubmissionList {
        submissions,
        next_cursor: last.to_string(),
        has_more,
    }))
}
