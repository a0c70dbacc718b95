//! Cached inquiries: what the worker reads (membership status, card, how to pay,
//! contributions, consultation replies), answered from the local store at once,
//! never from the network, each with the time its data was fetched.

mod card;
mod contributions;
mod membership;
mod payment;
mod status;
mod threads;

pub use card::{card, Card};
pub use contributions::{contributions, Contribution};
pub use membership::{derive_status, membership, Decision, Membership, MembershipStatus, Window};
pub use payment::{
    channels_for, payment_channels, payment_instructions, Channel, PaymentChannel,
    PaymentInstructions,
};
pub use status::{age, day, phase_label, status_card, StatusCard, WindowLine};
pub use threads::{threads, Reply, Thread};

/// What the sync engine's pull writes into the cache, read back through the inquiries.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::lang::Lang;
    use crate::protocol::wire::{Event, EventKind, Phase, PhaseWindow};
    use crate::store::outbox::{get_submission, insert_submission, OutboxState};
    use crate::store::test_support::{submission, temp_store};
    use crate::store::Store;
    use crate::sync::apply_event;

    fn ev(seq: i64, kind: EventKind) -> Event {
        Event {
            seq,
            at: format!("2026-11-22T04:00:{:02}Z", seq % 60),
            kind,
        }
    }

    fn apply(store: &Store, events: &[Event]) {
        store
            .write(|tx| {
                for e in events {
                    apply_event(tx, e, Lang::En, 1_000)?;
                }
                Ok(())
            })
            .unwrap();
    }

    fn decided(id: &str) -> EventKind {
        EventKind::RegistrationDecided {
            submission_id: id.into(),
            reference: "REG-1".into(),
            kpj: "12345678901".into(),
            payment_code: "98765432109".into(),
            amount_due: 370_000,
            pay_before: "2026-12-01".into(),
        }
    }

    #[test]
    fn decision_fills_card_and_payment_instructions() {
        let (_d, store) = temp_store();
        apply(&store, &[ev(1, decided("reg"))]);
        let card = card(&store, Lang::Id).unwrap().unwrap();
        assert_eq!(
            (card.kpj.as_str(), card.reference.as_str()),
            ("12345678901", "REG-1")
        );
        assert_eq!(card.fetched_at, 1_000);
        let pay = payment_instructions(&store, None, Lang::Id)
            .unwrap()
            .unwrap();
        assert_eq!(pay.payment_code, "98765432109");
        assert_eq!(pay.amount_due, 370_000);
        assert!(!pay.paid);
        apply(
            &store,
            &[ev(
                2,
                EventKind::PaymentRecorded {
                    kpj: "12345678901".into(),
                    amount: 370_000,
                    paid_on: "2026-11-25".into(),
                    protection: vec![PhaseWindow {
                        phase: Phase::PrePlacement,
                        start: "2026-11-25".into(),
                        end: "2027-04-24".into(),
                    }],
                },
            )],
        );
        assert!(
            payment_instructions(&store, None, Lang::Id)
                .unwrap()
                .unwrap()
                .paid
        );
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let m = membership(&store, today).unwrap().unwrap();
        assert!(matches!(
            m.status,
            MembershipStatus::Active {
                phase: Phase::PrePlacement,
                ..
            }
        ));
        assert_eq!(m.kpj.as_deref(), Some("12345678901"));
    }

    #[test]
    fn replies_append_once_and_never_touch_the_submission() {
        let (_d, store) = temp_store();
        let s = submission("c1", 10);
        store.write(|tx| insert_submission(tx, &s)).unwrap();
        let reply = |seq, id: &str| {
            ev(
                seq,
                EventKind::ConsultationReplied {
                    submission_id: "c1".into(),
                    reply_id: id.into(),
                    body: "Jawaban".into(),
                    from: "KBRI Kuala Lumpur".into(),
                },
            )
        };
        apply(&store, &[reply(1, "r1"), reply(2, "r2"), reply(2, "r2")]);
        let threads = threads(&store).unwrap();
        assert_eq!(threads.len(), 1);
        assert_eq!(
            threads[0]
                .replies
                .iter()
                .map(|r| r.reply_id.as_str())
                .collect::<Vec<_>>(),
            vec!["r1", "r2"]
        );
        let after = store.read(|c| get_submission(c, "c1")).unwrap().unwrap();
        assert_eq!(after.payload, s.payload);
        assert_eq!(after.state, OutboxState::Queued);
    }

    #[test]
    fn contributions_are_listed_newest_period_first() {
        let (_d, store) = temp_store();
        let c = |seq, period: &str| {
            ev(
                seq,
                EventKind::ContributionRecorded {
                    kpj: "12345678901".into(),
                    programme: "jht".into(),
                    period: period.into(),
                    amount: 50_000,
                },
            )
        };
        apply(&store, &[c(1, "2026-09"), c(2, "2026-10"), c(3, "2026-10")]);
        let list = contributions(&store).unwrap();
        assert_eq!(
            list.iter().map(|c| c.period.as_str()).collect::<Vec<_>>(),
            vec!["2026-10", "2026-09"]
        );
    }

    #[test]
    fn membership_is_none_before_anything_is_known_and_pending_after_finalize() {
        let (_d, store) = temp_store();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(membership(&store, today).unwrap(), None);
        let mut reg = submission("reg", 10);
        reg.form_id = "pmi-registration".into();
        store.write(|tx| insert_submission(tx, &reg)).unwrap();
        let m = membership(&store, today).unwrap().unwrap();
        assert_eq!(m.status, MembershipStatus::PendingSync);
        assert_eq!(m.fetched_at, None);
    }
}
