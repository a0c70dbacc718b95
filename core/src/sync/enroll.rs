//! Enrollment: the first sync of a profile registers a device id (generated once
//! and kept in meta) and stores the bearer token and participant id it gets back.

use super::config::SyncConfig;
use super::http::Http;
use super::meta_keys::{META_DEVICE_ID, META_PARTICIPANT, META_TOKEN};
use crate::protocol::wire::{EnrollRequest, EnrollResponse};
use crate::store::meta::{get_meta, set_meta};
use crate::store::Store;
use crate::Result;

/// The stored token, if any (an empty value means it was dropped).
pub(crate) fn stored_token(store: &Store) -> Result<Option<String>> {
    Ok(store
        .read(|c| get_meta(c, META_TOKEN))?
        .filter(|t| !t.is_empty()))
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

/// Enrolls this device and stores the token; returns it.
pub(crate) async fn enroll(
    store: &Store,
    config: &SyncConfig,
    http: &mut Http<'_>,
) -> Result<String> {
    let device_id = device_id(store)?;
    let request = EnrollRequest {
        device_id,
        label: config.device_label.clone(),
    };
    let answer: EnrollResponse = http
        .post("/v1/devices", &request)
        .await
        .map_err(|f| f.into_error())?;
    store.write(|tx| {
        set_meta(tx, META_TOKEN, &answer.token)?;
        set_meta(tx, META_PARTICIPANT, &answer.participant_id)
    })?;
    Ok(answer.token)
}
