//! Officer routes (admin bearer token): record payments and contributions,
//! answer consultations, reject registrations, list submissions, import
//! people registered elsewhere. Each decision
//! becomes an event in the participant's change feed, appended by storage in
//! the same transaction that found what the decision is about.

use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use rantau_core::protocol::wire::{Event, EventKind};
use serde::Deserialize;

use crate::decisions::import::{self, INVALID_ROWS};
use crate::decisions::registration::protection;
use crate::decisions::validation;
use crate::http::body::json_body;
use crate::http::error::ApiError;
use crate::http::extract::Officer;
use crate::http::AppState;
use crate::officer::wire::{
    ContributionRequest, ImportRefusal, ImportRequest, LinkCode, LinkCodeRequest, PaymentRequest,
    RejectRequest, ReplyRequest, SubmissionList,
};
use crate::storage::{KpjRegistration, SubmissionDecision, SubmissionState};

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

/// The registration an officer acts on must exist and still be accepted.
fn accepted_registration(found: Option<KpjRegistration>) -> Result<KpjRegistration, ApiError> {
    let reg =
        found.ok_or_else(|| ApiError::new("kpj.not_found", "no registration has this KPJ"))?;
    if !reg.accepted {
        return Err(ApiError::new(
            "submission.not_accepted",
            "the registration of this KPJ was rejected",
        ));
    }
    Ok(reg)
}

/// The submission an officer acts on must exist, be of `form_id` and be accepted.
fn accepted_submission(found: Option<SubmissionState>, form_id: &str) -> Result<(), ApiError> {
    let s =
        found.ok_or_else(|| ApiError::new("submission.not_found", "no submission has this id"))?;
    if s.form_id != form_id {
        return Err(ApiError::new(
            "submission.wrong_form",
            format!("the submission is not a {form_id}"),
        ));
    }
    if s.status != "accepted" {
        return Err(ApiError::new(
            "submission.not_accepted",
            "the submission is not in the accepted state",
        ));
    }
    Ok(())
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
    let kpj = req.kpj.trim().to_string();
    let event = state
        .storage
        .event_for_kpj(kpj.clone(), now_rfc3339(), move |found| {
            let reg = accepted_registration(found)?;
            Ok::<_, ApiError>(EventKind::PaymentRecorded {
                kpj,
                amount: req.amount,
                paid_on: paid_on.format("%Y-%m-%d").to_string(),
                protection: protection(&reg.terms, reg.registered_on),
            })
        })
        .await??;
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
    let kpj = req.kpj.trim().to_string();
    let event = state
        .storage
        .event_for_kpj(kpj.clone(), now_rfc3339(), move |found| {
            accepted_registration(found)?;
            Ok::<_, ApiError>(EventKind::ContributionRecorded {
                kpj,
                programme: req.programme,
                period: req.period.trim().to_string(),
                amount: req.amount,
            })
        })
        .await??;
    Ok(Json(event))
}

/// The submission id of a path. One with a NUL is refused here, as on every
/// backend: no id holds one, and PostgreSQL cannot even look it up.
fn submission_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    id.ok()
        .map(|Path(id)| id)
        .filter(|id| !id.contains('\0'))
        .ok_or_else(|| ApiError::new("path.invalid", "the submission id in the path is not valid"))
}

/// `POST /v1/admin/consultations/{submission_id}/reply`.
pub async fn reply(
    State(state): State<AppState>,
    _: Officer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Event>, ApiError> {
    let id = submission_id(id)?;
    let req: ReplyRequest = json_body(&headers, body).await?;
    if req.body.trim().is_empty() || req.body.chars().count() > 10_000 {
        return Err(ApiError::invalid("body must be 1 to 10000 characters"));
    }
    let from = req
        .from
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| "BPJS Ketenagakerjaan".into());
    let event = state
        .storage
        .event_for_submission(id.clone(), now_rfc3339(), move |found| {
            accepted_submission(found, validation::CONSULTATION)?;
            Ok::<_, ApiError>(SubmissionDecision {
                event: EventKind::ConsultationReplied {
                    submission_id: id,
                    reply_id: uuid::Uuid::new_v4().to_string(),
                    body: req.body,
                    from,
                },
                reject: false,
            })
        })
        .await??;
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
    let id = submission_id(id)?;
    let req: RejectRequest = json_body(&headers, body).await?;
    if req.reason.id.trim().is_empty() || req.reason.en.trim().is_empty() {
        return Err(ApiError::invalid("reason needs both id and en texts"));
    }
    let event = state
        .storage
        .event_for_submission(id.clone(), now_rfc3339(), move |found| {
            accepted_submission(found, validation::REGISTRATION)?;
            Ok::<_, ApiError>(SubmissionDecision {
                event: EventKind::RegistrationRejected {
                    submission_id: id,
                    reason: req.reason,
                },
                reject: true,
            })
        })
        .await??;
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
    let Query(q) = query
        .ok()
        // No form id holds a NUL (and PostgreSQL cannot compare one).
        .filter(|Query(q)| !q.form_id.as_deref().is_some_and(|f| f.contains('\0')))
        .ok_or_else(|| ApiError::new("query.invalid", "the query string is not valid"))?;
    let after: i64 = match q.cursor.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(c) => c.parse().ok().filter(|n: &i64| *n >= 0).ok_or_else(|| {
            ApiError::new("cursor.invalid", "the cursor is not one this server gave")
        })?,
    };
    // Absent is the default page; present, even empty (`limit=`), it must be a number.
    let limit = match q.limit.as_deref().map(str::trim) {
        None => DEFAULT_PAGE,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::new("query.invalid", "limit must be a positive integer"))?
            .min(MAX_PAGE),
    };
    let page = state
        .storage
        .list_submissions(q.form_id, after, limit)
        .await?;
    Ok(Json(SubmissionList {
        submissions: page.submissions,
        next_cursor: page.last.to_string(),
        has_more: page.has_more,
    }))
}

/// `POST /v1/admin/persons/import`: people registered elsewhere, from CSV
/// (`docs/import.md`). All or nothing: a file with any bad row (unreadable, or
/// in conflict with the people stored) is refused with every bad row listed
/// (422 `import.invalid_rows`); importing a file twice changes nothing.
pub async fn import_persons(
    State(state): State<AppState>,
    _: Officer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let lang = crate::http::extract::lang_of(&headers);
    let req: ImportRequest = json_body(&headers, body).await?;
    if req.csv.contains('\0') {
        return Err(ApiError::new(
            "request.invalid_text",
            "the file holds a NUL character",
        ));
    }
    let refused = |errors| {
        let message = crate::messages::render(INVALID_ROWS, lang, &[]);
        let body = ImportRefusal {
            code: INVALID_ROWS.to_string(),
            message,
            errors,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
    };
    let rows = match import::parse(&req.csv, lang) {
        Ok(rows) => rows,
        Err(errors) => return refused(errors),
    };
    let now = chrono::Utc::now().timestamp_millis();
    match state.storage.import_persons(rows, lang, now).await? {
        Ok(report) => Ok(Json(report).into_response()),
        Err(errors) => refused(errors),
    }
}

/// `POST /v1/admin/link-codes`: a one-time code an officer hands to a worker at
/// a service point after checking their passport (`docs/link.md`). Good for 15
/// minutes, once, for a device that started an officer-channel link for that
/// person. Unknown person: 404 `person.not_found` (officers may know that).
pub async fn link_code(
    State(state): State<AppState>,
    _: Officer,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<LinkCode>, ApiError> {
    let req: LinkCodeRequest = json_body(&headers, body).await?;
    let claim = crate::http::link::claim(req.nik.as_deref(), req.kpj.as_deref())?;
    let (code, code_id, code_hash) = crate::http::link::officer_code();
    let now = chrono::Utc::now().timestamp_millis();
    let stored = state
        .storage
        .officer_link_code(crate::storage::OfficerLinkCode {
            claim,
            code_id,
            code_hash,
            now,
        })
        .await?;
    if !stored {
        return Err(ApiError::new(
            "person.not_found",
            "no person with that NIK or KPJ",
        ));
    }
    let expires = now + crate::decisions::link::CODE_TTL_MS;
    Ok(Json(LinkCode {
        code,
        expires_at: chrono::DateTime::from_timestamp_millis(expires)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }))
}
