//! The membership card (KPJ number) from the last registration decision.

use serde::Serialize;

use crate::protocol::cached::{CardBody, CARD, CURRENT};
use crate::store::cache::get_cache;
use crate::store::Store;
use crate::{Error, Result};

/// The membership card as last fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Card {
    /// Membership number (KPJ, 11 digits).
    pub kpj: String,
    /// Server reference of the registration.
    pub reference: String,
    /// The registration's submission id.
    pub submission_id: String,
    /// When it was fetched (unix ms).
    pub fetched_at: i64,
}

/// The card, if a registration was decided. Reads the store only.
pub fn card(store: &Store) -> Result<Option<Card>> {
    let Some((body, fetched_at)) = store.read(|c| get_cache(c, CARD, CURRENT))? else {
        return Ok(None);
    };
    let b: CardBody = serde_json::from_value(body)
        .map_err(|e| Error::MalformedStoredData(format!("card: {e}")))?;
    Ok(Some(Card {
        kpj: b.kpj,
        reference: b.reference,
        submission_id: b.submission_id,
        fetched_at,
    }))
}
