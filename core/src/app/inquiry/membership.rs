//! Membership status, derived offline from cached protection windows (pre-placement,
//! placement, post-placement; Permenaker 4/2023) and the local outbox. Pure date
//! arithmetic in [`derive_status`]; [`membership`] gathers its inputs.

use chrono::NaiveDate;

use crate::base::lang::Localized;
use crate::protocol::cached::{
    ProtectionBody, RegistrationDecision, CURRENT, PROTECTION, REGISTRATION,
};
use crate::protocol::wire::Phase;
use crate::store::cache::{get_cache, list_cache};
use crate::store::meta::get_meta;
use crate::store::outbox::{list_submissions, OutboxState};
use crate::store::Store;
use crate::sync::meta_keys::META_LAST_PULL;
use crate::{Error, Result};

/// The registration form's id.
const REGISTRATION_FORM: &str = "pmi-registration";

/// A protection window with parsed dates (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Which phase.
    pub phase: Phase,
    /// First protected day.
    pub start: NaiveDate,
    /// Last protected day.
    pub end: NaiveDate,
}

/// Where the worker stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipStatus {
    /// No registration (or the last one was rejected).
    NotRegistered,
    /// A registration is finalized on this phone but the server has not decided yet.
    PendingSync,
    /// Registered (card issued), contribution not paid yet.
    RegisteredUnpaid,
    /// Protected today.
    Active {
        /// The phase in force.
        phase: Phase,
        /// Last protected day of that phase.
        until: NaiveDate,
    },
    /// Paid, but the next window starts later (not protected today).
    NotYetActive {
        /// First protected day.
        starts: NaiveDate,
    },
    /// Registered elsewhere (a placement company, an old phone) and linked to this
    /// phone: the card is known, payments made elsewhere are not.
    RegisteredElsewhere,
    /// Every window has ended: register and pay again.
    Expired {
        /// Last protected day.
        ended: NaiveDate,
    },
}

/// The server's word on the relevant registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Accepted: card and payment code issued.
    Decided,
    /// Rejected by an officer.
    Rejected,
    /// Registered elsewhere; the agency holds the membership for the person this
    /// phone was linked to (payments are not known here).
    OnFile,
}

/// Membership as known on this phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Derived status.
    pub status: MembershipStatus,
    /// Membership number, once known.
    pub kpj: Option<String>,
    /// Protection windows in force, oldest first.
    pub windows: Vec<Window>,
    /// Why the registration was rejected, if it was.
    pub rejection: Option<Localized>,
    /// When the newest cached fact used was fetched (unix ms); `None` if nothing was.
    pub fetched_at: Option<i64>,
}

fn pending(state: OutboxState) -> bool {
    matches!(
        state,
        OutboxState::Queued
            | OutboxState::Sending
            | OutboxState::Waiting
            | OutboxState::NeedsAttention
    )
}

/// Derives the status on `today` from the latest local registration's outbox state,
/// the server's decision and the protection windows.
pub fn derive_status(
    local: Option<OutboxState>,
    decision: Option<Decision>,
    windows: &[Window],
    today: NaiveDate,
) -> MembershipStatus {
    // Protected today wins: a new registration in flight does not end cover in force.
    if let Some(w) = windows
        .iter()
        .filter(|w| w.start <= today && today <= w.end)
        .max_by_key(|w| w.start)
    {
        return MembershipStatus::Active {
            phase: w.phase,
            until: w.end,
        };
    }
    match (local, decision) {
        (Some(s), _) if pending(s) => return MembershipStatus::PendingSync,
        (Some(OutboxState::Accepted), None) => return MembershipStatus::PendingSync,
        (_, Some(Decision::Rejected)) | (Some(OutboxState::Rejected), None) => {
            return MembershipStatus::NotRegistered
        }
        _ => {}
    }
    if let Some(next) = windows
        .iter()
        .filter(|w| w.start > today)
        .map(|w| w.start)
        .min()
    {
        return MembershipStatus::NotYetActive { starts: next };
    }
    if let Some(ended) = windows.iter().map(|w| w.end).max() {
        return MembershipStatus::Expired { ended };
    }
    match decision {
        Some(Decision::Decided) => MembershipStatus::RegisteredUnpaid,
        Some(Decision::OnFile) => MembershipStatus::RegisteredElsewhere,
        _ => MembershipStatus::NotRegistered,
    }
}

fn parse_day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Error::MalformedStoredData("protection window date".into()))
}

/// The membership on `today`, from the store only. `None` when nothing is known yet:
/// no registration on this phone, nothing cached, and never synced.
pub fn membership(store: &Store, today: NaiveDate) -> Result<Option<Membership>> {
    let (subs, decisions, protection, last_pull) = store.read(|c| {
        Ok((
            list_submissions(c)?,
            list_cache(c, REGISTRATION)?,
            get_cache(c, PROTECTION, CURRENT)?,
            get_meta(c, META_LAST_PULL)?,
        ))
    })?;
    let latest = subs
        .into_iter()
        .rev()
        .find(|s| s.form_id == REGISTRATION_FORM);
    // The decision about the latest local registration; without one (a restored
    // phone), the newest decision in the cache.
    // A membership on file (this phone was linked to a person registered
    // elsewhere) stands for a local registration the server never decided (one
    // refused as already registered, which is what sends a worker to link).
    let on_file = decisions
        .iter()
        .filter(|(k, _, _)| k.starts_with("on_file/"))
        .max_by_key(|(_, _, at)| *at);
    let mut use_on_file = false;
    let decision_row = match &latest {
        Some(l) => match decisions.iter().find(|(k, _, _)| k == &l.id) {
            Some(row) => Some(row),
            None if !pending(l.state) && on_file.is_some() => {
                use_on_file = true;
                on_file
            }
            None => None,
        },
        None => decisions.iter().max_by_key(|(_, _, at)| *at),
    };
    let mut fetched_at: Option<i64> = None;
    let mut kpj = None;
    let mut rejection = None;
    let mut decision = None;
    if let Some((_, body, at)) = decision_row {
        fetched_at = Some(*at);
        match serde_json::from_value::<RegistrationDecision>(body.clone())
            .map_err(|e| Error::MalformedStoredData(format!("registration: {e}")))?
        {
            RegistrationDecision::Decided { kpj: k, .. } => {
                kpj = Some(k);
                decision = Some(Decision::Decided);
            }
            RegistrationDecision::Rejected { reason } => {
                rejection = Some(reason);
                decision = Some(Decision::Rejected);
            }
            RegistrationDecision::OnFile { kpj: k, .. } => {
                kpj = Some(k);
                decision = Some(Decision::OnFile);
            }
        }
    }
    let mut windows = Vec::new();
    if let Some((body, at)) = protection {
        fetched_at = Some(fetched_at.map_or(at, |f| f.max(at)));
        let p: ProtectionBody = serde_json::from_value(body)
            .map_err(|e| Error::MalformedStoredData(format!("protection: {e}")))?;
        kpj = kpj.or(Some(p.kpj));
        for w in &p.windows {
            windows.push(Window {
                phase: w.phase,
                start: parse_day(&w.start)?,
                end: parse_day(&w.end)?,
            });
        }
        windows.sort_by_key(|w| w.start);
    }
    let local = latest.map(|l| l.state).filter(|_| !use_on_file);
    if local.is_none() && decision.is_none() && windows.is_empty() && last_pull.is_none() {
        return Ok(None);
    }
    let status = derive_status(local, decision, &windows, today);
    Ok(Some(Membership {
        status,
        kpj,
        windows,
        rejection,
        fetched_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn windows() -> Vec<Window> {
        vec![
            Window {
                phase: Phase::PrePlacement,
                start: d("2026-01-10"),
                end: d("2026-03-31"),
            },
            Window {
                phase: Phase::Placement,
                start: d("2026-04-01"),
                end: d("2028-04-30"),
            },
            Window {
                phase: Phase::PostPlacement,
                start: d("2028-05-01"),
                end: d("2028-05-30"),
            },
        ]
    }

    #[test]
    fn active_on_first_and_last_day_of_each_window() {
        let w = windows();
        let at = |day| {
            derive_status(
                Some(OutboxState::Accepted),
                Some(Decision::Decided),
                &w,
                d(day),
            )
        };
        assert_eq!(
            at("2026-01-10"),
            MembershipStatus::Active {
                phase: Phase::PrePlacement,
                until: d("2026-03-31")
            }
        );
        assert_eq!(
            at("2026-03-31"),
            MembershipStatus::Active {
                phase: Phase::PrePlacement,
                until: d("2026-03-31")
            }
        );
        assert_eq!(
            at("2026-04-01"),
            MembershipStatus::Active {
                phase: Phase::Placement,
                until: d("2028-04-30")
            }
        );
        assert_eq!(
            at("2028-04-30"),
            MembershipStatus::Active {
                phase: Phase::Placement,
                until: d("2028-04-30")
            }
        );
        assert_eq!(
            at("2028-05-01"),
            MembershipStatus::Active {
                phase: Phase::PostPlacement,
                until: d("2028-05-30")
            }
        );
        assert_eq!(
            at("2028-05-30"),
            MembershipStatus::Active {
                phase: Phase::PostPlacement,
                until: d("2028-05-30")
            }
        );
    }

    #[test]
    fn expired_the_day_after_the_last_window() {
        let s = derive_status(
            Some(OutboxState::Accepted),
            Some(Decision::Decided),
            &windows(),
            d("2028-05-31"),
        );
        assert_eq!(
            s,
            MembershipStatus::Expired {
                ended: d("2028-05-30")
            }
        );
    }

    #[test]
    fn not_yet_active_the_day_before_the_first_window_and_in_a_gap() {
        let s = derive_status(
            Some(OutboxState::Accepted),
            Some(Decision::Decided),
            &windows(),
            d("2026-01-09"),
        );
        assert_eq!(
            s,
            MembershipStatus::NotYetActive {
                starts: d("2026-01-10")
            }
        );
        let gap = vec![
            Window {
                phase: Phase::PrePlacement,
                start: d("2026-01-01"),
                end: d("2026-01-31"),
            },
            Window {
                phase: Phase::Placement,
                start: d("2026-03-01"),
                end: d("2026-12-31"),
            },
        ];
        let s = derive_status(None, None, &gap, d("2026-02-01"));
        assert_eq!(
            s,
            MembershipStatus::NotYetActive {
                starts: d("2026-03-01")
            }
        );
    }

    #[test]
    fn statuses_without_windows_follow_the_outbox_and_the_decision() {
        let today = d("2026-06-01");
        assert_eq!(
            derive_status(None, None, &[], today),
            MembershipStatus::NotRegistered
        );
        for s in [
            OutboxState::Queued,
            OutboxState::Sending,
            OutboxState::Waiting,
            OutboxState::NeedsAttention,
        ] {
            assert_eq!(
                derive_status(Some(s), None, &[], today),
                MembershipStatus::PendingSync
            );
        }
        assert_eq!(
            derive_status(Some(OutboxState::Accepted), None, &[], today),
            MembershipStatus::PendingSync
        );
        assert_eq!(
            derive_status(
                Some(OutboxState::Accepted),
                Some(Decision::Decided),
                &[],
                today
            ),
            MembershipStatus::RegisteredUnpaid
        );
        assert_eq!(
            derive_status(
                Some(OutboxState::Rejected),
                Some(Decision::Rejected),
                &[],
                today
            ),
            MembershipStatus::NotRegistered
        );
        assert_eq!(
            derive_status(Some(OutboxState::Rejected), None, &[], today),
            MembershipStatus::NotRegistered
        );
    }

    #[test]
    fn cover_in_force_wins_over_a_new_registration_in_flight() {
        let s = derive_status(Some(OutboxState::Queued), None, &windows(), d("2027-01-01"));
        assert_eq!(
            s,
            MembershipStatus::Active {
                phase: Phase::Placement,
                until: d("2028-04-30")
            }
        );
        let s = derive_status(Some(OutboxState::Queued), None, &windows(), d("2029-01-01"));
        assert_eq!(s, MembershipStatus::PendingSync);
    }
}
