//! Pull: read the change feed from the stored cursor, page by page, and apply
//! each page together with its new cursor in one transaction. Cached data never
//! overwrites local work: only an accepted registration can be marked rejected.

use rusqlite::Transaction;

use super::config::SyncConfig;
use super::http::{Failure, Http};
use super::meta_keys::{META_CURSOR, META_LAST_PULL, META_TOKEN};
use super::observer::{SyncObserver, SyncReport, SyncState};
use super::push::now_ms;
use crate::base::issue::{Issue, Severity};
use crate::base::lang::Lang;
use crate::protocol::cached::*;
use crate::protocol::wire::{ChangesResponse, Event, EventKind};
use crate::store::cache::{get_cache, put_cache};
use crate::store::meta::{get_meta, set_meta};
use crate::store::outbox::{self, OutboxState};
use crate::store::{InterruptHandle, Store};
use crate::{Error, Result};

fn to_json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::MalformedStoredData(e.to_string()))
}

/// Applies one event to the cache (and, for a rejection, to the outbox).
pub(crate) fn apply_event(tx: &Transaction<'_>, event: &Event, lang: Lang, now: i64) -> Result<()> {
    match &event.kind {
        EventKind::RegistrationDecided {
            submission_id,
            reference,
            kpj,
            payment_code,
            amount_due,
            pay_before,
        } => {
            let decision = RegistrationDecision::Decided {
                reference: reference.clone(),
                kpj: kpj.clone(),
                payment_code: payment_code.clone(),
                amount_due: *amount_due,
                pay_before: pay_before.clone(),
            };
            put_cache(tx, REGISTRATION, submission_id, &to_json(&decision)?, now)?;
            let card = CardBody {
                kpj: kpj.clone(),
                reference: reference.clone(),
                submission_id: submission_id.clone(),
            };
            put_cache(tx, CARD, CURRENT, &to_json(&card)?, now)?;
            let pay = PaymentInstructionsBody {
                kpj: kpj.clone(),
                payment_code: payment_code.clone(),
                amount_due: *amount_due,
                pay_before: pay_before.clone(),
            };
            put_cache(tx, PAYMENT_INSTRUCTIONS, CURRENT, &to_json(&pay)?, now)?;
        }
        EventKind::RegistrationRejected {
            submission_id,
            reason,
        } => {
            let decision = RegistrationDecision::Rejected {
                reason: reason.clone(),
            };
            put_cache(tx, REGISTRATION, submission_id, &to_json(&decision)?, now)?;
            // Only a registration the server had accepted changes state; anything
            // still pending locally is the user's work and stays as it is.
            if let Some(row) = outbox::get_submission(tx, submission_id)? {
                if row.state == OutboxState::Accepted {
                    let issue = Issue {
                        code: "sync.registration_rejected".into(),
                        path: String::new(),
                        severity: Severity::Error,
                        message: crate::base::messages::render(
                            "sync.registration_rejected",
                            lang,
                            &[("reason", reason.get(lang).to_string())],
                        ),
                    };
                    crate::store::outbox::mark_rejected_after_review(
                        tx,
                        submission_id,
                        &[issue],
                        now,
                    )?;
                }
            }
        }
        EventKind::PaymentRecorded {
            kpj,
            amount,
            paid_on,
            protection,
        } => {
            let payment = PaymentBody {
                kpj: kpj.clone(),
                amount: *amount,
                paid_on: paid_on.clone(),
            };
            put_cache(
                tx,
                PAYMENT,
                &format!("{:020}", event.seq),
                &to_json(&payment)?,
                now,
            )?;
            let windows = ProtectionBody {
                kpj: kpj.clone(),
                paid_on: paid_on.clone(),
                windows: protection.clone(),
            };
            put_cache(tx, PROTECTION, CURRENT, &to_json(&windows)?, now)?;
        }
        EventKind::ContributionRecorded {
            kpj,
            programme,
            period,
            amount,
        } => {
            let c = ContributionBody {
                kpj: kpj.clone(),
                programme: programme.clone(),
                period: period.clone(),
                amount: *amount,
                recorded_at: event.at.clone(),
            };
            put_cache(
                tx,
                CONTRIBUTION,
                &format!("{kpj}/{programme}/{period}"),
                &to_json(&c)?,
                now,
            )?;
        }
        EventKind::ConsultationReplied {
            submission_id,
            reply_id,
            body,
            from,
        } => {
            let mut thread = match get_cache(tx, THREAD, submission_id)? {
                Some((v, _)) => serde_json::from_value::<ThreadBody>(v)
                    .map_err(|e| Error::MalformedStoredData(format!("thread: {e}")))?,
                None => ThreadBody {
                    submission_id: submission_id.clone(),
                    replies: Vec::new(),
                },
            };
            // A page applied twice (never expected, but cheap to guard) adds nothing.
            if !thread.replies.iter().any(|r| &r.reply_id == reply_id) {
                thread.replies.push(ReplyBody {
                    reply_id: reply_id.clone(),
                    body: body.clone(),
                    from: from.clone(),
                    at: event.at.clone(),
                });
            }
            put_cache(tx, THREAD, submission_id, &to_json(&thread)?, now)?;
        }
        EventKind::MembershipOnFile { kpj, starts, ends } => {
            let decision = RegistrationDecision::OnFile {
                kpj: kpj.clone(),
                starts: starts.clone(),
                ends: ends.clone(),
            };
            put_cache(
                tx,
                REGISTRATION,
                &format!("on_file/{kpj}/{starts}"),
                &to_json(&decision)?,
                now,
            )?;
            // The card of a registration decided here (it has a reference) wins.
            let decided_here = get_cache(tx, CARD, CURRENT)?
                .and_then(|(v, _)| serde_json::from_value::<CardBody>(v).ok())
                .is_some_and(|c| !c.submission_id.is_empty());
            if !decided_here {
                let card = CardBody {
                    kpj: kpj.clone(),
                    // No registration here: the KPJ is the only reference.
                    reference: kpj.clone(),
                    submission_id: String::new(),
                };
                put_cache(tx, CARD, CURRENT, &to_json(&card)?, now)?;
            }
        }
    }
    Ok(())
}

/// Runs the pull phase. Returns `Err` only for local failures (store, interrupt);
/// a network failure ends the pull and is recorded in the report.
pub(crate) async fn pull(
    store: &Store,
    config: &SyncConfig,
    http: &mut Http<'_>,
    observer: &dyn SyncObserver,
    interrupt: &InterruptHandle,
    report: &mut SyncReport,
) -> Result<()> {
    observer.on_state(SyncState::Pulling { events: 0 });
    for _ in 0..config.max_pages.max(1) {
        interrupt.check()?;
        let cursor = store
            .read(|c| get_meta(c, META_CURSOR))?
            .unwrap_or_default();
        let mut url = config.endpoint("/v1/changes")?;
        url.query_pairs_mut()
            .append_pair("cursor", &cursor)
            .append_pair("limit", &config.page_limit.to_string());
        let page: ChangesResponse = match http.get(url).await {
            Ok(p) => p,
            Err(Failure::Auth(e)) => {
                store.write(|tx| set_meta(tx, META_TOKEN, ""))?;
                report.auth_lost = true;
                report.pull_error = Some(e.code().to_string());
                return Ok(());
            }
            // Not a trusted server: nothing is read from it, and the run fails.
            Err(Failure::Refused(e)) => {
                report.pull_error = Some(e.code().to_string());
                return Err(e);
            }
            Err(f) => {
                report.pull_error = Some(f.code().to_string());
                return Ok(());
            }
        };
        let now = now_ms();
        store.write(|tx| {
            for event in &page.events {
                apply_event(tx, event, config.lang, now)?;
            }
            set_meta(tx, META_CURSOR, &page.next_cursor)?;
            if !page.has_more {
                set_meta(tx, META_LAST_PULL, &now.to_string())?;
            }
            Ok(())
        })?;
        report.pulled_events += page.events.len();
        observer.on_state(SyncState::Pulling {
            events: report.pulled_events,
        });
        if !page.has_more {
            return Ok(());
        }
    }
    report.pull_error = Some("sync.too_many_pages".into());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::outbox::{get_submission, insert_submission, mark_accepted};
    use crate::store::test_support::{submission, temp_store};
    use crate::store::{list_cache, Store};

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

    #[test]
    fn rejection_marks_only_an_accepted_registration() {
        let (_d, store) = temp_store();
        let mut accepted = submission("reg-a", 10);
        accepted.form_id = "pmi-registration".into();
        let mut queued = submission("reg-q", 20);
        queued.form_id = "pmi-registration".into();
        store
            .write(|tx| {
                insert_submission(tx, &accepted)?;
                insert_submission(tx, &queued)?;
                mark_accepted(tx, "reg-a", "REF-A", 11)
            })
            .unwrap();
        let reason =
            crate::base::lang::Localized::new("Dokumen tidak jelas", "Document unreadable");
        let rejected = |id: &str| EventKind::RegistrationRejected {
            submission_id: id.into(),
            reason: reason.clone(),
        };
        apply(
            &store,
            &[ev(1, rejected("reg-a")), ev(2, rejected("reg-q"))],
        );
        let a = store.read(|c| get_submission(c, "reg-a")).unwrap().unwrap();
        assert_eq!(a.state, OutboxState::Rejected);
        assert_eq!(a.issues[0].code, "sync.registration_rejected");
        assert!(a.issues[0].message.contains("Document unreadable"));
        let q = store.read(|c| get_submission(c, "reg-q")).unwrap().unwrap();
        assert_eq!(
            q.state,
            OutboxState::Queued,
            "pending local work is never overwritten"
        );
        assert_eq!(
            store.read(|c| list_cache(c, REGISTRATION)).unwrap().len(),
            2
        );
    }
}
