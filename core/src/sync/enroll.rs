//! Enrollment: the first sync of a profile registers a device id (generated once
//! and kept in meta) and stores the bearer token, the participant id and the
//! device secret it gets back. The secret (in the profile's encrypted store) is
//! what lets the device enroll again when its token is revoked or lost.

use super::config::SyncConfig;
use super::http::{Failure, Http};
use super::meta_keys::{META_DEVICE_ID, META_DEVICE_SECRET, META_PARTICIPANT, META_TOKEN};
use crate::protocol::wire::{EnrollRequest, EnrollResponse};
use crate::store::meta::{get_meta, set_meta};
use crate::store::Store;
use crate::{Error, Result};

/// The server's code for a known device id enrolled without its secret.
const SECRET_MISMATCH: &str = "device.secret_mismatch";

/// The stored token, if any (an empty value means it was dropped).
pub(crate) fn stored_token(store: &Store) -> Result<Option<String>> {
    stored(store, META_TOKEN)
}

/// The stored device secret, if the server gave one.
pub(crate) fn stored_secret(store: &Store) -> Result<Option<String>> {
    stored(store, META_DEVICE_SECRET)
}

fn stored(store: &Store, key: &str) -> Result<Option<String>> {
    Ok(store.read(|c| get_meta(c, key))?.filter(|t| !t.is_empty()))
}

/// The device id, created and stored on first use.
pub(crate) fn device_id(store: &Store) -> Result<String> {
    store.write(|tx| {
        if let Some(id) = get_meta(tx, META_DEVICE_ID)?.filter(|v| !v.is_empty()) {
            return Ok(id);
        }
        let id = uuid::Uuid::new_v4().to_string();
        set_meta(tx, META_DEVICE_ID, &id)?;
        Ok(id)
    })
}

/// Enrolls this device (with its secret, when it has one) and stores the token
/// and any new secret in one transaction; returns the token. `http.token`, when
/// set, goes along: a profile enrolled before device secrets claims one with it.
///
/// Two runs may enroll the same profile at once (a retry from the UI). When they
/// end up with different participants (one lost the race for a new device id),
/// the one that stored first wins and the other adopts its token, so the stored
/// device id, secret, token and participant always belong together.
///
/// A device that never finished an enrollment (nothing stored) and is refused
/// must have lost the answer that carried its secret: nothing was sent under that
/// id, so it starts again under a new one. Any other refusal is
/// [`Error::DeviceSecretMismatch`].
pub(crate) async fn enroll(
    store: &Store,
    config: &SyncConfig,
    http: &mut Http<'_>,
) -> Result<String> {
    let held = stored_token(store)?;
    let id = device_id(store)?;
    match enroll_once(store, config, http, id).await {
        Err(Failure::Auth(Error::Unauthorized(code))) if code == SECRET_MISMATCH => {
            // Another run may have enrolled this profile meanwhile.
            if let Some(token) = stored_token(store)?.filter(|t| Some(t) != held.as_ref()) {
                return Ok(token);
            }
            let never_enrolled =
                stored(store, META_PARTICIPANT)?.is_none() && stored_secret(store)?.is_none();
            if !never_enrolled {
                return Err(Error::DeviceSecretMismatch);
            }
            let fresh = uuid::Uuid::new_v4().to_string();
            enroll_once(store, config, http, fresh)
                .await
                .map_err(|f| match f {
                    Failure::Auth(Error::Unauthorized(code)) if code == SECRET_MISMATCH => {
                        Error::DeviceSecretMismatch
                    }
                    other => other.into_error(),
                })
        }
        other => other.map_err(Failure::into_error),
    }
}

/// One enrollment request as `device_id`. The answer is stored (device id
/// included) unless another run meanwhile stored a live token for another
/// participant; then that token is returned instead.
async fn enroll_once(
    store: &Store,
    config: &SyncConfig,
    http: &mut Http<'_>,
    device_id: String,
) -> std::result::Result<String, Failure> {
    let local = |e: Error| Failure::Permanent(e);
    let request = EnrollRequest {
        device_id,
        label: config.device_label.clone(),
        device_secret: stored_secret(store).map_err(local)?,
    };
    let answer: EnrollResponse = http.post("/v1/devices", &request).await?;
    store
        .write(|tx| {
            let theirs = get_meta(tx, META_TOKEN)?.filter(|t| !t.is_empty());
            let their_participant = get_meta(tx, META_PARTICIPANT)?;
            if let Some(theirs) = theirs {
                if their_participant.as_deref() != Some(answer.participant_id.as_str()) {
                    return Ok(theirs);
                }
            }
            set_meta(tx, META_DEVICE_ID, &request.device_id)?;
            set_meta(tx, META_TOKEN, &answer.token)?;
            set_meta(tx, META_PARTICIPANT, &answer.participant_id)?;
            if let Some(secret) = &answer.device_secret {
                set_meta(tx, META_DEVICE_SECRET, secret)?;
            }
            Ok(answer.token.clone())
        })
        .map_err(local)
}
