//! "I am already registered": the two requests that link this device to a person
//! on the server (`POST /v1/link/start`, `POST /v1/link/confirm`), with the
//! device's token (enrolling first when it has none, and once again when the
//! token is refused). The server's refusals become typed errors; what to keep
//! between the two (the attempt id, the wrong tries) is the app's.

use super::config::SyncConfig;
use super::enroll::{enroll, stored_token};
use super::http::{Failure, Http};
use crate::protocol::wire::{LinkConfirmRequest, LinkConfirmed, LinkStartRequest, LinkStarted};
use crate::store::Store;
use crate::{Error, Result};

/// What a refused confirmation was, by the server's code; `None` for anything
/// that is not a link refusal.
pub(crate) fn refusal(code: &str) -> Option<Error> {
    Some(match code {
        "link.code_wrong" => Error::LinkCodeWrong { left: 0 },
        "link.code_expired" => Error::LinkCodeExpired,
        "link.code_used" => Error::LinkCodeUsed,
        "link.locked" => Error::LinkLocked,
        "link.not_found" => Error::LinkNotStarted,
        "body.invalid" => Error::LinkInvalid,
        _ => return None,
    })
}

/// POSTs `body` to `path` with the device's token; a refused token is replaced
/// once (by enrolling with the device secret) and the request sent again.
async fn post<B: serde::Serialize, R: serde::de::DeserializeOwned>(
    store: &Store,
    config: &SyncConfig,
    path: &str,
    body: &B,
) -> Result<R> {
    let mut http = Http::new(config);
    http.token = Some(match stored_token(store)? {
        Some(token) => token,
        None => enroll(store, config, &mut http).await?,
    });
    let mut enrolled_again = false;
    loop {
        match http.post::<B, R>(path, body).await {
            Ok(answer) => return Ok(answer),
            Err(Failure::Auth(_)) if !enrolled_again => {
                enrolled_again = true;
                http.token = Some(enroll(store, config, &mut http).await?);
            }
            Err(Failure::Permanent(Error::Server { code, .. })) if refusal(&code).is_some() => {
                return Err(refusal(&code).unwrap_or(Error::LinkInvalid));
            }
            Err(f) => return Err(f.into_error()),
        }
    }
}

/// Starts a link attempt.
pub(crate) async fn start(
    store: &Store,
    config: &SyncConfig,
    request: &LinkStartRequest,
) -> Result<LinkStarted> {
    post(store, config, "/v1/link/start", request).await
}

/// Confirms the attempt `link_id` with `code`.
pub(crate) async fn confirm(
    store: &Store,
    config: &SyncConfig,
    link_id: &str,
    code: &str,
) -> Result<()> {
    let request = LinkConfirmRequest {
        link_id: link_id.to_string(),
        code: code.to_string(),
    };
    let _: LinkConfirmed = post(store, config, "/v1/link/confirm", &request).await?;
    Ok(())
}
