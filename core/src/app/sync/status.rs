//! The sync state of one profile, and its wording for the screen: what a run is
//! doing, why nothing is sent now and what would help, and how the last run ended.

use serde::Serialize;

use super::gate::WaitReason;
use crate::app::inquiry::age;
use crate::base::lang::Lang;
use crate::base::messages::{render, render_count};
use crate::sync::{SyncReport, SyncState};

/// What a run is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum SyncStep {
    /// No run, or one that has not reached the server yet.
    Idle,
    /// Introducing this phone to the server.
    Enrolling,
    /// Sending forms: `sent` of `total`.
    Sending {
        /// Sent so far in this run.
        sent: u32,
        /// Due at the start of the run.
        total: u32,
    },
    /// Uploading document files.
    Uploading {
        /// Files the server now holds completely, in this run.
        files_done: u32,
        /// Files to upload in this run.
        files_total: u32,
        /// Bytes sent so far.
        bytes_sent: u64,
        /// Bytes to send.
        bytes_total: u64,
    },
    /// Receiving news (decisions, payments, replies).
    Receiving {
        /// News applied so far.
        events: u32,
    },
}

/// What the worker can do about a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum SyncAction {
    /// Open the phone's network settings.
    OpenNetworkSettings,
    /// Allow mobile data (turn "Wi-Fi only" off).
    AllowMobileData,
    /// Allow syncing while roaming.
    AllowRoaming,
    /// Send documents over mobile data too (turn "documents only on Wi-Fi" off).
    SendDocumentsOnMobileData,
    /// Try again now.
    SyncNow,
}

/// What the screens show about syncing, for one profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    /// A run is going on.
    pub running: bool,
    /// Its step.
    pub step: SyncStep,
    /// How far the step is (0 to 1), when it knows.
    pub progress: Option<f32>,
    /// One line: what is happening, or why nothing is sent now.
    pub headline: String,
    /// Why nothing is being sent now.
    pub waiting: Option<WaitReason>,
    /// What would help, with its button's label.
    pub action: Option<SyncAction>,
    /// The label of `action`'s button.
    pub action_label: Option<String>,
    /// How the last finished run ended ("3 diterima, 1 menunggu"), with its age.
    pub last_result: Option<String>,
    /// When the last run finished (unix ms).
    pub last_finished_at: Option<i64>,
    /// Why the last run failed, in words (never a code).
    pub error: Option<String>,
    /// Forms or their documents are still on their way, or news could not be
    /// fetched: a background worker should try again later.
    pub work_left: bool,
}

/// The counts of a finished run that the worker reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct LastRun {
    pub finished_at: i64,
    pub accepted: usize,
    pub rejected: usize,
    pub waiting: usize,
    pub received: usize,
}

/// The sync state of one profile, not yet worded.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Raw {
    pub running: bool,
    pub step: Option<SyncStep>,
    pub waiting: Option<WaitReason>,
    pub last: Option<LastRun>,
    pub error_code: Option<String>,
    pub work_left: bool,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The step of an engine state (`None` for the end states).
pub(crate) fn step_of(state: &SyncState) -> Option<SyncStep> {
    Some(match *state {
        SyncState::Enrolling => SyncStep::Enrolling,
        SyncState::Pushing { sent, total } => SyncStep::Sending {
            sent: count(sent),
            total: count(total),
        },
        SyncState::Uploading {
            files_done,
            files_total,
            bytes_sent,
            bytes_total,
        } => SyncStep::Uploading {
            files_done: count(files_done),
            files_total: count(files_total),
            bytes_sent,
            bytes_total,
        },
        SyncState::Pulling { events } => SyncStep::Receiving {
            events: count(events),
        },
        SyncState::Done(_) | SyncState::Failed { .. } => return None,
    })
}

impl LastRun {
    /// The counts of `report`, finished at `now`.
    pub(crate) fn of(report: &SyncReport, now: i64) -> LastRun {
        LastRun {
            finished_at: now,
            accepted: report.accepted + report.duplicates,
            rejected: report.rejected,
            waiting: report.waiting + report.held,
            received: report.pulled_events,
        }
    }
}

/// "in 5 minutes" from `now` to `at`.
fn within(at: i64, now: i64, lang: Lang) -> String {
    let mins = ((at - now).max(0) + 59_999) / 60_000;
    if mins <= 1 {
        render("sync.within_a_minute", lang, &[])
    } else if mins < 120 {
        render("sync.within_minutes", lang, &[("n", mins.to_string())])
    } else {
        render("sync.within_hours", lang, &[("n", (mins / 60).to_string())])
    }
}

fn fraction(done: u64, total: u64) -> Option<f32> {
    (total > 0).then(|| (done.min(total) as f64 / total as f64) as f32)
}

impl Raw {
    /// Words the state for a screen at `now`.
    pub(crate) fn render(&self, now: i64, lang: Lang) -> SyncStatus {
        let step = if self.running {
            self.step.unwrap_or(SyncStep::Idle)
        } else {
            SyncStep::Idle
        };
        let progress = match step {
            SyncStep::Sending { sent, total } => fraction(sent.into(), total.into()),
            SyncStep::Uploading {
                bytes_sent,
                bytes_total,
                ..
            } => fraction(bytes_sent, bytes_total),
            _ => None,
        };
        let waiting = if self.running { None } else { self.waiting };
        let headline = match (self.running, step, waiting) {
            (true, SyncStep::Idle, _) => render("sync.running", lang, &[]),
            (true, SyncStep::Enrolling, _) => render("sync.step_enrolling", lang, &[]),
            (true, SyncStep::Sending { sent, total }, _) => render_count(
                "sync.step_sending",
                total.into(),
                lang,
                &[("sent", sent.to_string()), ("total", total.to_string())],
            ),
            (
                true,
                SyncStep::Uploading {
                    files_done,
                    files_total,
                    ..
                },
                _,
            ) => render_count(
                "sync.step_uploading",
                files_total.into(),
                lang,
                &[
                    ("done", files_done.to_string()),
                    ("total", files_total.to_string()),
                ],
            ),
            (true, SyncStep::Receiving { .. }, _) => render("sync.step_receiving", lang, &[]),
            (false, _, Some(WaitReason::NoNetwork)) => render("sync.wait_no_network", lang, &[]),
            (false, _, Some(WaitReason::WifiOnly)) => render("sync.wait_wifi_only", lang, &[]),
            (false, _, Some(WaitReason::Roaming)) => render("sync.wait_roaming", lang, &[]),
            (false, _, Some(WaitReason::DocumentsWifiOnly)) => {
                render("sync.wait_documents_wifi_only", lang, &[])
            }
            (false, _, Some(WaitReason::ServerAskedToWait { until })) => render(
                "sync.wait_server",
                lang,
                &[("when", within(until, now, lang))],
            ),
            (false, _, Some(WaitReason::Retrying { at })) => render(
                "sync.wait_retrying",
                lang,
                &[("when", within(at, now, lang))],
            ),
            (false, _, None) => match self.last {
                Some(last) => render(
                    "sync.last_synced",
                    lang,
                    &[("age", age(Some(last.finished_at), now, lang))],
                ),
                None => render("sync.never", lang, &[]),
            },
        };
        let action = match waiting {
            Some(WaitReason::NoNetwork) => Some(SyncAction::OpenNetworkSettings),
            Some(WaitReason::WifiOnly) => Some(SyncAction::AllowMobileData),
            Some(WaitReason::Roaming) => Some(SyncAction::AllowRoaming),
            Some(WaitReason::DocumentsWifiOnly) => Some(SyncAction::SendDocumentsOnMobileData),
            Some(WaitReason::Retrying { .. }) => Some(SyncAction::SyncNow),
            Some(WaitReason::ServerAskedToWait { .. }) | None => None,
        };
        let action_label = action.map(|a| {
            render(
                match a {
                    SyncAction::OpenNetworkSettings => "sync.action_network_settings",
                    SyncAction::AllowMobileData => "sync.action_allow_mobile_data",
                    SyncAction::AllowRoaming => "sync.action_allow_roaming",
                    SyncAction::SendDocumentsOnMobileData => "sync.action_send_documents",
                    SyncAction::SyncNow => "sync.action_sync_now",
                },
                lang,
                &[],
            )
        });
        let last_result = self.last.map(|l| {
            render(
                "sync.last_result",
                lang,
                &[
                    ("accepted", l.accepted.to_string()),
                    ("rejected", l.rejected.to_string()),
                    ("waiting", l.waiting.to_string()),
                    ("received", l.received.to_string()),
                ],
            )
        });
        SyncStatus {
            running: self.running,
            step,
            progress,
            headline,
            waiting,
            action,
            action_label,
            last_result,
            last_finished_at: self.last.map(|l| l.finished_at),
            error: self.error_code.as_deref().map(|c| render(c, lang, &[])),
            work_left: self.work_left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::messages::lookup;

    const MIN: i64 = 60_000;

    fn waiting(reason: WaitReason) -> Raw {
        Raw {
            waiting: Some(reason),
            work_left: true,
            ..Raw::default()
        }
    }

    #[test]
    fn each_wait_says_why_and_offers_what_helps() {
        let cases = [
            (WaitReason::NoNetwork, Some(SyncAction::OpenNetworkSettings)),
            (WaitReason::WifiOnly, Some(SyncAction::AllowMobileData)),
            (WaitReason::Roaming, Some(SyncAction::AllowRoaming)),
            (
                WaitReason::DocumentsWifiOnly,
                Some(SyncAction::SendDocumentsOnMobileData),
            ),
            (WaitReason::ServerAskedToWait { until: 30 * MIN }, None),
            (
                WaitReason::Retrying { at: 2 * MIN },
                Some(SyncAction::SyncNow),
            ),
        ];
        for (reason, action) in cases {
            for lang in [Lang::Id, Lang::En] {
                let s = waiting(reason).render(0, lang);
                assert_eq!(s.waiting, Some(reason));
                assert_eq!(s.action, action, "{reason:?}");
                assert_eq!(s.action_label.is_some(), action.is_some());
                assert!(
                    !s.headline.contains('{') && !s.headline.contains("sync."),
                    "{}",
                    s.headline
                );
            }
        }
        assert_eq!(
            waiting(WaitReason::Roaming).render(0, Lang::Id).headline,
            "Tidak dikirim saat roaming"
        );
        assert_eq!(
            waiting(WaitReason::DocumentsWifiOnly)
                .render(0, Lang::En)
                .headline,
            "Forms sent; documents wait for Wi-Fi (you chose documents on Wi-Fi only)"
        );
        let id = waiting(WaitReason::DocumentsWifiOnly).render(0, Lang::Id);
        assert_eq!(
            id.headline,
            "Formulir terkirim; dokumen menunggu Wi-Fi (Anda memilih dokumen hanya lewat Wi-Fi)"
        );
        assert_eq!(
            id.action_label.as_deref(),
            Some("Kirim dokumen lewat data seluler")
        );
        assert_eq!(
            waiting(WaitReason::ServerAskedToWait { until: 30 * MIN })
                .render(0, Lang::En)
                .headline,
            "The server is busy; sending again in 30 minutes"
        );
    }

    #[test]
    fn a_running_sync_shows_its_step_and_progress_not_the_old_wait() {
        let raw = Raw {
            running: true,
            step: Some(SyncStep::Sending {
                sent: 25,
                total: 100,
            }),
            waiting: Some(WaitReason::NoNetwork),
            ..Raw::default()
        };
        let s = raw.render(0, Lang::Id);
        assert_eq!(s.headline, "Mengirim 25 dari 100 formulir");
        assert_eq!(s.progress, Some(0.25));
        assert_eq!((s.waiting, s.action), (None, None));
    }

    #[test]
    fn a_finished_sync_tells_its_result_and_age_and_errors_in_words() {
        let raw = Raw {
            last: Some(LastRun {
                finished_at: 0,
                accepted: 3,
                rejected: 1,
                waiting: 2,
                received: 4,
            }),
            error_code: Some("sync.network".into()),
            ..Raw::default()
        };
        let s = raw.render(5 * MIN, Lang::En);
        assert_eq!(s.headline, "Synced 5 minutes ago");
        assert_eq!(
            s.last_result.as_deref(),
            Some("3 accepted, 1 refused, 2 waiting, 4 news received")
        );
        let error = s.error.unwrap_or_default();
        assert!(lookup("sync.network").is_some(), "sync.network needs words");
        assert_ne!(error, "sync.network");
        assert_eq!(
            Raw::default().render(0, Lang::Id).headline,
            "Belum pernah disinkronkan"
        );
    }
}
