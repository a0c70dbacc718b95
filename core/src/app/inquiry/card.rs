//! The membership card (KPJ number) from the last registration decision.

use serde::Serialize;

use crate::base::lang::Lang;
use crate::base::messages::render;
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
    /// The card as text to share or keep (a message to family, a note), worded in
    /// the profile's language.
    pub share_text: String,
}

/// The card, if a registration was decided, worded in `lang`. Reads the store only.
pub fn card(store: &Store, lang: Lang) -> Result<Option<Card>> {
    let Some((body, fetched_at)) = store.read(|c| get_cache(c, CARD, CURRENT))? else {
        return Ok(None);
    };
    let b: CardBody = serde_json::from_value(body)
        .map_err(|e| Error::MalformedStoredData(format!("card: {e}")))?;
    let share_text = render(
        "card.share",
        lang,
        &[("kpj", b.kpj.clone()), ("reference", b.reference.clone())],
    );
    Ok(Some(Card {
        share_text,
        kpj: b.kpj,
        reference: b.reference,
        submission_id: b.submission_id,
        fetched_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cache::put_cache;
    use crate::store::test_support::temp_store;

    #[test]
    fn the_card_shares_as_text_in_the_users_language() {
        let (_dir, store) = temp_store();
        assert_eq!(card(&store, Lang::Id).unwrap(), None);
        let body =
            serde_json::json!({"kpj": "26012345678", "reference": "REG-1", "submission_id": "s1"});
        store
            .write(|tx| put_cache(tx, CARD, CURRENT, &body, 5))
            .unwrap();
        let id = card(&store, Lang::Id).unwrap().unwrap();
        let en = card(&store, Lang::En).unwrap().unwrap();
        assert_eq!(id.kpj, "26012345678");
        for c in [&id, &en] {
            assert!(
                c.share_text.contains("26012345678") && c.share_text.contains("REG-1"),
                "{}",
                c.share_text
            );
        }
        assert_ne!(id.share_text, en.share_text);
    }
}
