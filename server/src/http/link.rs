//! `POST /v1/link/start` and `POST /v1/link/confirm`: "I am already registered",
//! linking this device to a person (`decisions::link`, `docs/link.md`). A start
//! is answered the same way (202, an attempt id and its expiry) whether or not the
//! NIK or KPJ exists or the birth date matches, and the e-mail goes out after the
//! answer, so neither the answer nor its timing tells who is registered.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{NaiveDate, TimeZone, Utc};
use rantau_core::domain::kpj::Kpj;
use rantau_core::domain::nik::Nik;
use rantau_core::protocol::wire::{
    LinkConfirmRequest, LinkConfirmed, LinkStartRequest, LinkStarted,
};

use crate::decisions::link::{self, Channel, Claim, Confirmation};
use crate::http::body::json_body;
use crate::http::error::ApiError;
use crate::http::extract::{lang_of, Participant};
use crate::http::AppState;
use crate::storage::{LinkConfirm, LinkStart};

/// The person a start or an officer's code names: exactly one of a NIK or a KPJ.
pub fn claim(nik: Option<&str>, kpj: Option<&str>) -> Result<Claim, ApiError> {
    match (nik, kpj) {
        (Some(n), None) => Nik::parse(n)
            .map(|n| Claim::Nik(n.as_str().to_string()))
            .map_err(|_| ApiError::invalid("nik is not a NIK (16 digits)")),
        (None, Some(k)) => Kpj::parse(k)
            .map(|k| Claim::Kpj(k.as_str().to_string()))
            .map_err(|_| ApiError::invalid("kpj is not a KPJ number")),
        _ => Err(ApiError::invalid("give exactly one of nik and kpj")),
    }
}

fn rfc3339(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `POST /v1/link/start`.
pub async fn start(
    State(state): State<AppState>,
    Participant(participant): Participant,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<LinkStarted>), ApiError> {
    let req: LinkStartRequest = json_body(&headers, body).await?;
    let claim = claim(req.nik.as_deref(), req.kpj.as_deref())?;
    let birth_date = NaiveDate::parse_from_str(req.birth_date.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::invalid("birth_date must be YYYY-MM-DD"))?;
    let channel = Channel::parse(&req.channel)
        .ok_or_else(|| ApiError::invalid("channel must be email or officer"))?;
    let now = Utc::now().timestamp_millis();
    // Made whether or not it is needed, so nothing differs with the person.
    let code = link::new_code();
    let code_id = uuid::Uuid::new_v4().to_string();
    let id = uuid::Uuid::new_v4().to_string();
    let mail_to = state
        .storage
        .link_start(LinkStart {
            id: id.clone(),
            participant,
            claim,
            birth_date,
            channel,
            code_hash: link::code_hash(&code_id, &code),
            code_id,
            now,
        })
        .await?;
    if let Some(to) = mail_to {
        match state.mail.clone() {
            // After the answer: a slow relay must not show in its timing.
            Some(mailer) => {
                tokio::spawn(async move {
                    if let Err(e) = mailer.send_code(&to, &code).await {
                        tracing::warn!(error = %e, "a link code could not be mailed");
                    }
                });
            }
            None => tracing::warn!("a link code is due by e-mail but no SMTP relay is configured"),
        }
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(LinkStarted {
            link_id: id,
            expires_at: rfc3339(now + link::CODE_TTL_MS),
        }),
    ))
}

/// `POST /v1/link/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    Participant(participant): Participant,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<LinkConfirmed>, ApiError> {
    let lang = lang_of(&headers);
    let req: LinkConfirmRequest = json_body(&headers, body).await?;
    if req.link_id.chars().count() > 100 || req.code.chars().count() > 100 {
        return Err(ApiError::invalid(
            "link_id and code are at most 100 characters",
        ));
    }
    let now = Utc::now();
    let outcome = state
        .storage
        .link_confirm(LinkConfirm {
            id: req.link_id,
            participant,
            code: req.code,
            now: now.timestamp_millis(),
            at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
        .await?;
    let render = rantau_core::base::messages::render;
    match (outcome.code(), &outcome) {
        (None, _) => Ok(Json(LinkConfirmed { linked: true })),
        (Some(code), Confirmation::Wrong { left }) => Err(ApiError::new(
            code,
            format!(
                "{} {}",
                render(code, lang, &[]),
                render("link.tries_left", lang, &[("left", left.to_string())])
            ),
        )),
        (Some(code), _) => Err(ApiError::new(code, render(code, lang, &[]))),
    }
}

/// A code for an officer to hand over (`POST /v1/admin/link-codes`): made here,
/// only its hash stored.
pub fn officer_code() -> (String, String, [u8; 32]) {
    let code = link::new_code();
    let id = uuid::Uuid::new_v4().to_string();
    let hash = link::code_hash(&id, &code);
    (code, id, hash)
}
