//! The worker's inquiries on a profile, answered from its cache in its language:
//! the status card, the membership card, how to pay, contributions, consultations.

use super::Profile;
use crate::app::help::{self, Help};
use crate::app::inquiry::{
    self, Card, Contribution, Membership, PaymentInstructions, StatusCard, Thread,
};
use crate::app::reminders::{self, Reminder};
use crate::base::error::Result;
use crate::forms::{Answers, RegistrationTerms, Role};
use crate::store::{drafts, outbox};

impl Profile {
    /// Membership as derived today from the cache and the outbox; `None` when
    /// nothing is known yet.
    pub fn membership(&self) -> Result<Option<Membership>> {
        self.for_the_user()?;
        inquiry::membership(&self.store, self.now().date_naive())
    }

    /// The home screen's status card.
    pub fn status_card(&self) -> Result<StatusCard> {
        let m = self.membership()?;
        Ok(inquiry::status_card(
            m.as_ref(),
            self.now().timestamp_millis(),
            self.lang(),
        ))
    }

    /// The membership card, once a registration was decided.
    pub fn card(&self) -> Result<Option<Card>> {
        self.for_the_user()?;
        inquiry::card(&self.store, self.lang())
    }

    /// How to pay, once a registration was decided: the channels a worker in the
    /// registration's destination country can use.
    pub fn payment_instructions(&self) -> Result<Option<PaymentInstructions>> {
        self.for_the_user()?;
        self.payment()
    }

    /// [`payment_instructions`](Self::payment_instructions) without the PIN's gate,
    /// for the reminders a background sync schedules.
    fn payment(&self) -> Result<Option<PaymentInstructions>> {
        let destination = self.destination()?;
        inquiry::payment_instructions(&self.store, destination.as_deref(), self.lang())
    }

    /// The destination country of the newest registration in the outbox, read
    /// through its form's destination role; else of the registration being filled.
    pub(crate) fn destination(&self) -> Result<Option<String>> {
        let of = |form_id: &str, version: u32, answers: &Answers| {
            let def = Self::definition(form_id, version).ok()?;
            let field = def.field_with_role(Role::Destination)?;
            answers.get(&field.id)?.as_str().map(str::to_string)
        };
        let rows = self.store.read(outbox::list_submissions)?;
        let sent = rows
            .iter()
            .rev()
            .find_map(|r| of(&r.form_id, r.form_version, r.payload.as_object()?));
        if sent.is_some() {
            return Ok(sent);
        }
        // The store lists drafts most recently changed first.
        let drafts = self.store.read(drafts::list_drafts)?;
        Ok(drafts
            .iter()
            .find_map(|d| of(&d.form_id, d.form_version, &d.answers)))
    }

    /// The reminders to schedule from today (the payment deadline while unpaid; JHT
    /// monthly when the worker's newest registration joined it), in the profile's
    /// language. The app schedules the whole list again after each sync.
    pub fn reminders(&self) -> Result<Vec<Reminder>> {
        // Not behind the PIN: the background sync schedules them (see `pin`).
        let payment = self.payment()?;
        let rows = self.store.read(outbox::list_submissions)?;
        let terms = rows.iter().rev().find_map(|r| {
            let def = Self::definition(&r.form_id, r.form_version).ok()?;
            RegistrationTerms::read(def, r.payload.as_object()?)?.ok()
        });
        Ok(reminders::schedule(
            payment.as_ref(),
            terms.as_ref(),
            self.today(),
            self.lang(),
        ))
    }

    /// The numbers to call now in the worker's destination (from their
    /// registration; only the lines that answer from anywhere while it is not
    /// known), in the profile's language. Not behind the PIN: help in an
    /// emergency must not wait for one.
    pub fn help(&self) -> Result<Help> {
        Ok(help::help_for(self.destination()?.as_deref(), self.lang()))
    }

    /// Contributions recorded by the agency, newest period first.
    pub fn contributions(&self) -> Result<Vec<Contribution>> {
        self.for_the_user()?;
        inquiry::contributions(&self.store)
    }

    /// Consultations with their replies, newest first.
    pub fn threads(&self) -> Result<Vec<Thread>> {
        self.for_the_user()?;
        inquiry::threads(&self.store)
    }

    /// How old data fetched at `fetched_at` (unix ms) is now, in the worker's words.
    pub fn age(&self, fetched_at: Option<i64>) -> String {
        inquiry::age(fetched_at, self.now().timestamp_millis(), self.lang())
    }
}
