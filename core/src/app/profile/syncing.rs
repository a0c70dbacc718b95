//! Syncing a profile, the one way every front-end does it: the network and the
//! worker's settings are checked first, a run's progress and end go to the
//! profile's shared sync state (and to the caller's observer), and what is left
//! waiting is explained: the server asked to wait, or a failed link is retried.

use std::sync::Arc;

use super::Profile;
use crate::app::sync::status::{step_of, LastRun};
use crate::app::sync::{
    documents_held, gate, Hub, Network, SyncListener, SyncSettings, SyncStatus, WaitReason,
};
use crate::base::error::Result;
use crate::store::attachments;
use crate::store::meta::{get_meta, set_meta};
use crate::store::outbox::{self, OutboxState};
use crate::sync::{self, SyncConfig, SyncObserver, SyncReport, SyncState};

/// Profile settings: sync only on Wi-Fi; sync while roaming; documents only on Wi-Fi.
const META_WIFI_ONLY: &str = "settings.sync_wifi_only";
const META_ALLOW_ROAMING: &str = "settings.sync_allow_roaming";
const META_DOCUMENTS_WIFI_ONLY: &str = "settings.sync_documents_wifi_only";

/// What [`Profile::sync`] did.
#[derive(Debug, Clone)]
pub struct SyncRun {
    /// The profile's sync state afterwards, worded.
    pub status: SyncStatus,
    /// The engine's report, when a run took place (not when the network or the
    /// settings held it back, or another run of this profile was going on).
    pub report: Option<SyncReport>,
}

/// Feeds the engine's progress to the shared state and to the caller.
struct Relay<'a> {
    hub: &'a Hub,
    caller: &'a dyn SyncObserver,
    clock: &'a (dyn Fn() -> i64 + Send + Sync),
}

impl SyncObserver for Relay<'_> {
    fn on_state(&self, state: SyncState) {
        if let Some(step) = step_of(&state) {
            self.hub.update((self.clock)(), |r| r.step = Some(step));
        }
        self.caller.on_state(state);
    }
}

/// Ends the run in the shared state even when its future is dropped (a cancelled
/// coroutine): the run is then over, nothing was lost, and the next one may start.
struct RunGuard<'a> {
    hub: &'a Hub,
    now: i64,
    finished: bool,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.hub.update(self.now, |r| {
                r.running = false;
                r.error_code = Some("interrupted".into());
            });
        }
    }
}

fn flag(value: Option<String>, default: bool) -> bool {
    value.map_or(default, |v| v == "1")
}

impl Profile {
    /// The worker's data-use settings.
    pub fn sync_settings(&self) -> Result<SyncSettings> {
        let (wifi, roaming, documents) = self.store.read(|c| {
            Ok((
                get_meta(c, META_WIFI_ONLY)?,
                get_meta(c, META_ALLOW_ROAMING)?,
                get_meta(c, META_DOCUMENTS_WIFI_ONLY)?,
            ))
        })?;
        let default = SyncSettings::default();
        Ok(SyncSettings {
            wifi_only: flag(wifi, default.wifi_only),
            allow_roaming: flag(roaming, default.allow_roaming),
            documents_wifi_only: flag(documents, default.documents_wifi_only),
        })
    }

    /// Keeps the worker's data-use settings. A wait they caused is lifted at the
    /// next sync.
    pub fn set_sync_settings(&self, settings: SyncSettings) -> Result<()> {
        self.for_the_user()?;
        let bit = |b: bool| if b { "1" } else { "0" };
        self.store.write(|tx| {
            set_meta(tx, META_WIFI_ONLY, bit(settings.wifi_only))?;
            set_meta(tx, META_ALLOW_ROAMING, bit(settings.allow_roaming))?;
            set_meta(
                tx,
                META_DOCUMENTS_WIFI_ONLY,
                bit(settings.documents_wifi_only),
            )
        })
    }

    /// The profile's sync state now, in its language.
    pub fn sync_status(&self) -> SyncStatus {
        self.hub.raw().render(self.now_ms(), self.lang())
    }

    /// Tells `listener` of every change of this profile's sync state, whichever
    /// handle runs the sync; returns the id for [`Profile::unwatch_sync`].
    pub fn watch_sync(&self, listener: Arc<dyn SyncListener>) -> u64 {
        self.hub.watch(listener)
    }

    /// Stops the listener `id`.
    pub fn unwatch_sync(&self, id: u64) {
        self.hub.unwatch(id);
    }

    /// True when some submission is still on its way to the server.
    fn work_on_its_way(&self) -> Result<bool> {
        Ok(self.outbox_summary()?.on_its_way > 0)
    }

    /// True when some document file is not on the server yet.
    fn documents_left(&self) -> Result<bool> {
        let (submissions, _) = self.store.read(attachments::uploads_left)?;
        Ok(!submissions.is_empty())
    }

    /// When the earliest waiting submission is due again (unix ms).
    fn next_retry(&self) -> Result<Option<i64>> {
        let rows = self.store.read(outbox::list_submissions)?;
        Ok(rows
            .iter()
            .filter(|r| r.state == OutboxState::Waiting)
            .filter_map(|r| r.next_attempt_at)
            .min())
    }

    /// One sync with the server of `config`, if `network` and the settings allow:
    /// enroll if needed, send the outbox, upload documents, receive news. Otherwise
    /// nothing is sent and the state says why. On mobile data with "documents only
    /// on Wi-Fi", forms and news go and the files wait, and the state says so. Only
    /// one run per profile goes at a time: a second call while one runs returns its
    /// state without starting.
    /// Dropping the future stops the run between two atomic steps.
    pub async fn sync(
        &self,
        config: &SyncConfig,
        network: Network,
        observer: &dyn SyncObserver,
    ) -> Result<SyncRun> {
        let now = self.now_ms();
        let settings = self.sync_settings()?;
        if let Some(reason) = gate(network, settings) {
            let work_left = self.work_on_its_way()?;
            self.hub.update(now, |r| {
                r.waiting = Some(reason);
                r.work_left = work_left;
            });
            return Ok(SyncRun {
                status: self.sync_status(),
                report: None,
            });
        }
        if !self.hub.begin(now) {
            return Ok(SyncRun {
                status: self.sync_status(),
                report: None,
            });
        }
        let mut guard = RunGuard {
            hub: &self.hub,
            now,
            finished: false,
        };
        let clock = || self.now_ms();
        let relay = Relay {
            hub: &self.hub,
            caller: observer,
            clock: &clock,
        };
        let hold_documents = documents_held(network, settings);
        let held_config;
        let config = if hold_documents {
            let mut held = config.clone();
            held.upload_documents = false;
            held_config = held;
            &held_config
        } else {
            config
        };
        let result = sync::sync(&self.store, config, &relay).await;
        guard.finished = true;
        let end = self.now_ms();
        let work_left = self.work_on_its_way()?;
        let retry = self.next_retry()?;
        match &result {
            Ok(report) => {
                let error = report
                    .push_error
                    .clone()
                    .or_else(|| report.pull_error.clone())
                    .or_else(|| report.upload_error.clone());
                let waiting = match (report.server_wait_until, &error) {
                    (Some(until), _) => Some(WaitReason::ServerAskedToWait { until }),
                    (None, Some(_)) => Some(WaitReason::Retrying {
                        at: retry.unwrap_or(end),
                    }),
                    (None, None) if hold_documents && self.documents_left()? => {
                        Some(WaitReason::DocumentsWifiOnly)
                    }
                    (None, None) => None,
                };
                self.hub.update(end, |r| {
                    r.running = false;
                    r.last = Some(LastRun::of(report, end));
                    r.waiting = waiting;
                    r.error_code = error;
                    r.work_left = work_left || report.pull_error.is_some();
                });
            }
            Err(e) => self.hub.update(end, |r| {
                r.running = false;
                r.waiting = Some(WaitReason::Retrying {
                    at: retry.unwrap_or(end),
                });
                r.error_code = Some(e.code().to_string());
                r.work_left = true;
            }),
        }
        let report = result?;
        Ok(SyncRun {
            status: self.sync_status(),
            report: Some(report),
        })
    }
}
