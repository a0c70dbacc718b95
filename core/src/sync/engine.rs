//! One sync run: enroll if needed, push the outbox, upload document files, pull
//! the change feed.
//! Cancel by dropping the future (every store write is a synchronous, atomic
//! transaction between awaits) or through the store's interrupt handle.

use super::config::SyncConfig;
use super::enroll::{enroll, stored_secret, stored_token};
use super::http::Http;
use super::known_status::KnownStatuses;
use super::observer::{SyncObserver, SyncReport, SyncState};
use super::pull::pull;
use super::push::{push, PushEnd};
use super::upload::{upload, UploadEnd};
use crate::store::{attachments, InterruptHandle, Store};
use crate::{Error, Result};

/// Runs one sync: enroll (first time, or after the token was refused, with the
/// device secret; a token refused mid-run is replaced once and the run goes on), push due
/// submissions in batches, upload the document files they name (only the chunks
/// the server lacks; not when [`SyncConfig::upload_documents`] is off), then pull
/// new events into the cache.
///
/// Transient failures are not errors: the affected submissions wait with backoff
/// and the [`SyncReport`] says so. Errors: enrollment failed (network, server),
/// a store failure, or [`crate::Error::Interrupted`].
pub async fn sync(
    store: &Store,
    config: &SyncConfig,
    observer: &dyn SyncObserver,
) -> Result<SyncReport> {
    let mut http = Http::new(config);
    let mut report = SyncReport::default();
    let result = run(store, config, observer, &mut http, &mut report).await;
    report.requests = http.counters.requests;
    report.bytes_up = http.counters.bytes_up;
    report.bytes_down = http.counters.bytes_down;
    match result {
        Ok(()) => {
            observer.on_state(SyncState::Done(report.clone()));
            Ok(report)
        }
        Err(e) => {
            observer.on_state(SyncState::Failed {
                code: e.code().to_string(),
            });
            Err(e)
        }
    }
}

async fn run(
    store: &Store,
    config: &SyncConfig,
    observer: &dyn SyncObserver,
    http: &mut Http<'_>,
    report: &mut SyncReport,
) -> Result<()> {
    let interrupt = store.interrupt_handle();
    // A new piece of long work: an interrupt meant for an earlier one does not apply.
    interrupt.reset();
    let token = match (stored_token(store)?, stored_secret(store)?) {
        (Some(token), Some(_)) => token,
        (Some(token), None) => claim_secret(store, config, http, token).await,
        (None, _) => {
            observer.on_state(SyncState::Enrolling);
            enroll(store, config, http).await?
        }
    };
    http.token = Some(token);
    let mut enrolled_again = false;
    loop {
        interrupt.check()?;
        if exchange(store, config, observer, http, &interrupt, report).await? != End::AuthLost
            || enrolled_again
        {
            // Refused twice in one run: the token was dropped, the next sync tries again.
            return Ok(());
        }
        // The token was revoked (the device enrolled again elsewhere, e.g. a restored
        // backup) or lost by the server: enroll again with the device secret and
        // carry on. The batch in flight went back to the queue with no attempt counted.
        enrolled_again = true;
        observer.on_state(SyncState::Enrolling);
        http.token = Some(enroll(store, config, http).await?);
        report.auth_lost = false;
        let refused = Some(Error::Unauthorized(String::new()).code().to_string());
        for error in [
            &mut report.push_error,
            &mut report.upload_error,
            &mut report.pull_error,
        ] {
            if *error == refused {
                *error = None;
            }
        }
    }
}

/// A profile enrolled before device secrets holds a token but no secret: it
/// claims one with that token, so that a later revocation can be recovered from.
/// Best effort: on any failure the old token is used as before.
async fn claim_secret(
    store: &Store,
    config: &SyncConfig,
    http: &mut Http<'_>,
    token: String,
) -> String {
    http.token = Some(token.clone());
    match enroll(store, config, http).await {
        Ok(new) => new,
        Err(e) => {
            tracing::warn!(code = e.code(), "could not claim a device secret");
            token
        }
    }
}

/// How one pass of push, upload and pull ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// Done, or stopped by a transient failure (the report says which).
    Finished,
    /// The server refused the token; it was dropped.
    AuthLost,
}

async fn exchange(
    store: &Store,
    config: &SyncConfig,
    observer: &dyn SyncObserver,
    http: &mut Http<'_>,
    interrupt: &InterruptHandle,
    report: &mut SyncReport,
) -> Result<End> {
    // The documents this run uploads: their status comes back with the first batch.
    let mut known = if config.upload_documents {
        KnownStatuses::asking(
            store
                .read(attachments::pending_uploads)?
                .into_iter()
                .map(|(_, file)| file),
        )
    } else {
        KnownStatuses::default()
    };
    match push(store, config, http, observer, interrupt, report, &mut known).await? {
        PushEnd::Completed => {}
        // The server is unwell: the pull would fail the same way.
        PushEnd::Stopped => return Ok(End::Finished),
        PushEnd::AuthLost => return Ok(End::AuthLost),
    }
    interrupt.check()?;
    // Files held back (documents on Wi-Fi only) stay pending for a later run.
    if config.upload_documents {
        match upload(store, http, observer, interrupt, report, known).await? {
            UploadEnd::Completed | UploadEnd::Stopped => {}
            UploadEnd::AuthLost => return Ok(End::AuthLost),
        }
    }
    interrupt.check()?;
    pull(store, config, http, observer, interrupt, report).await?;
    Ok(if report.auth_lost {
        End::AuthLost
    } else {
        End::Finished
    })
}
