//! The home screen's status card, ready to show: the membership status as one
//! line in the worker's words, the protection windows, why a registration was
//! refused, and how old the data is. The CLI prints the same lines.

use chrono::NaiveDate;
use serde::Serialize;

use crate::base::lang::Lang;
use crate::base::messages::{render, render_count};
use crate::protocol::wire::Phase;

use super::{Membership, MembershipStatus};

/// Data older than this is shown as possibly out of date.
const STALE_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

/// A protection window as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WindowLine {
    /// The phase ("selama bekerja").
    pub phase: String,
    /// First protected day, `DD-MM-YYYY`.
    pub start: String,
    /// Last protected day, `DD-MM-YYYY`.
    pub end: String,
}

/// What the status card shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StatusCard {
    /// Registered or on its way: false offers "register".
    pub registered: bool,
    /// Protected today.
    pub protected: bool,
    /// The status in one line ("AKTIF (selama bekerja) sampai 31-12-2027").
    pub headline: String,
    /// The membership number, once known.
    pub kpj: Option<String>,
    /// Protection windows, oldest first.
    pub windows: Vec<WindowLine>,
    /// Why the registration was refused.
    pub rejection: Option<String>,
    /// How old the data is ("data diperbarui 3 jam lalu").
    pub updated: String,
    /// Older than a day, or never fetched: the screen says so prominently.
    pub stale: bool,
}

/// A day as the worker writes it.
pub fn day(d: NaiveDate) -> String {
    crate::domain::date::display(d)
}

/// The phase in the worker's words.
pub fn phase_label(phase: Phase, lang: Lang) -> String {
    render(
        match phase {
            Phase::PrePlacement => "status.phase_pre_placement",
            Phase::Placement => "status.phase_placement",
            Phase::PostPlacement => "status.phase_post_placement",
        },
        lang,
        &[],
    )
}

/// How long ago `fetched_at` (unix ms) was at `now_ms`: "baru saja", "5 menit
/// lalu", "3 jam lalu" (under two days), "4 hari lalu". A clock set back counts as now.
pub fn age(fetched_at: Option<i64>, now_ms: i64, lang: Lang) -> String {
    let Some(at) = fetched_at else {
        return render("status.age_never", lang, &[]);
    };
    let mins = (now_ms - at).max(0) / 60_000;
    let (code, n) = match mins {
        0 => return render("status.age_just_now", lang, &[]),
        m if m < 60 => ("status.age_minutes", m),
        m if m < 48 * 60 => ("status.age_hours", m / 60),
        m => ("status.age_days", m / (24 * 60)),
    };
    render_count(code, n.unsigned_abs(), lang, &[("n", n.to_string())])
}

/// The card for `membership` (`None`: nothing known yet) at `now_ms`.
pub fn status_card(membership: Option<&Membership>, now_ms: i64, lang: Lang) -> StatusCard {
    let status = membership.map(|m| &m.status);
    let headline = match status {
        None | Some(MembershipStatus::NotRegistered) => render("status.not_registered", lang, &[]),
        Some(MembershipStatus::PendingSync) => render("status.pending", lang, &[]),
        Some(MembershipStatus::RegisteredUnpaid) => render("status.unpaid", lang, &[]),
        Some(MembershipStatus::RegisteredElsewhere) => {
            render("status.registered_elsewhere", lang, &[])
        }
        Some(MembershipStatus::Active { phase, until }) => render(
            "status.active",
            lang,
            &[("phase", phase_label(*phase, lang)), ("until", day(*until))],
        ),
        Some(MembershipStatus::NotYetActive { starts }) => {
            render("status.not_yet_active", lang, &[("starts", day(*starts))])
        }
        Some(MembershipStatus::Expired { ended }) => {
            render("status.expired", lang, &[("ended", day(*ended))])
        }
    };
    let fetched_at = membership.and_then(|m| m.fetched_at);
    let updated = match fetched_at {
        Some(_) => render(
            "status.updated",
            lang,
            &[("age", age(fetched_at, now_ms, lang))],
        ),
        None => render("status.no_data", lang, &[]),
    };
    StatusCard {
        registered: !matches!(status, None | Some(MembershipStatus::NotRegistered)),
        protected: matches!(status, Some(MembershipStatus::Active { .. })),
        headline,
        kpj: membership.and_then(|m| m.kpj.clone()),
        windows: membership
            .iter()
            .flat_map(|m| m.windows.iter())
            .map(|w| WindowLine {
                phase: phase_label(w.phase, lang),
                start: day(w.start),
                end: day(w.end),
            })
            .collect(),
        rejection: membership
            .and_then(|m| m.rejection.as_ref())
            .map(|r| r.get(lang).to_string()),
        updated,
        stale: fetched_at.is_none_or(|at| now_ms - at > STALE_AFTER_MS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::inquiry::Window;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn nothing_known_offers_registration_and_says_there_is_no_data() {
        let card = status_card(None, 0, Lang::Id);
        assert!(!card.registered && !card.protected && card.stale);
        assert_eq!(card.headline, "Belum terdaftar");
        assert_eq!(card.updated, "Belum ada data dari server");
    }

    #[test]
    fn an_active_membership_reads_as_the_worker_writes_dates() {
        let m = Membership {
            status: MembershipStatus::Active {
                phase: Phase::Placement,
                until: date(2027, 12, 31),
            },
            kpj: Some("12345678901".into()),
            windows: vec![Window {
                phase: Phase::Placement,
                start: date(2025, 1, 1),
                end: date(2027, 12, 31),
            }],
            rejection: None,
            fetched_at: Some(0),
        };
        let hour = 60 * 60 * 1000;
        let id = status_card(Some(&m), 3 * hour, Lang::Id);
        assert!(id.registered && id.protected && !id.stale);
        assert_eq!(id.headline, "AKTIF (selama bekerja) sampai 31-12-2027");
        assert_eq!(id.updated, "Data diperbarui 3 jam lalu");
        assert_eq!(id.windows[0].start, "01-01-2025");
        let en = status_card(Some(&m), 3 * 24 * hour, Lang::En);
        assert_eq!(en.headline, "ACTIVE (placement) until 31-12-2027");
        assert_eq!(en.updated, "Data updated 3 days ago");
        assert!(en.stale);
    }

    #[test]
    fn ages_round_down_and_a_clock_set_back_is_now() {
        let min = 60_000;
        assert_eq!(age(Some(10 * min), 0, Lang::En), "just now");
        assert_eq!(age(Some(0), 5 * min, Lang::Id), "5 menit lalu");
        assert_eq!(age(Some(0), 47 * 60 * min, Lang::En), "47 hours ago");
        assert_eq!(age(Some(0), 49 * 60 * min, Lang::En), "2 days ago");
        // One is singular in English.
        assert_eq!(age(Some(0), min, Lang::En), "1 minute ago");
        assert_eq!(age(Some(0), 61 * min, Lang::En), "1 hour ago");
        assert_eq!(age(Some(0), 61 * min, Lang::Id), "1 jam lalu");
        assert_eq!(age(None, 0, Lang::Id), "belum pernah diperbarui");
    }
}
