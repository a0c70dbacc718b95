//! One sync run: enroll if needed, push the outbox, upload document files, pull
//! the change feed.
//! Cancel by dropping the future (every store write is a synchronous, atomic
//! transaction between awaits) or through the store's interrupt handle.

use super::config::SyncConfig;
use super::enroll::{enroll, stored_token};
use super::http::Http;
use super::observer::{SyncObserver, SyncReport, SyncState};
use super::pull::pull;
use super::push::{push, PushEnd};
use super::upload::{upload, UploadEnd};
use crate::store::Store;
use crate::Result;

/// Runs one sync: enroll (first time, or after the token was refused), push due
/// submissions in batches, upload the document files they name (only the chunks
/// the server lacks), then pull new events into the cache.
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
    let token = match stored_token(store)? {
        Some(t) => t,
        None => {
            observer.on_state(SyncState::Enrolling);
            enroll(store, config, http).await?
        }
    };
    http.token = Some(token);
    interrupt.check()?;
    match push(store, config, http, observer, &interrupt, report).await? {
        PushEnd::Completed => {}
        // The server is unwell or refused us: the pull would fail the same way.
        PushEnd::Stopped | PushEnd::AuthLost => return Ok(()),
    }
    interrupt.check()?;
    match upload(store, http, observer, &interrupt, report).await? {
        UploadEnd::Completed | UploadEnd::Stopped => {}
        UploadEnd::AuthLost => return Ok(()),
    }
    interrupt.check()?;
    pull(store, config, http, observer, &interrupt, report).await
}
