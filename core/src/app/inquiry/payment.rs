//! How to pay: the payment code and amount from the registration decision, and
//! the channels that accept it (the payment code is a virtual account, paid at a
//! partner bank's teller, ATM or online banking).

use chrono::NaiveDate;
use serde::Serialize;

use crate::app::form::display;
use crate::base::lang::{Lang, Localized};
use crate::domain::tariff::rupiah;
use crate::protocol::cached::{
    PaymentBody, PaymentInstructionsBody, CURRENT, PAYMENT, PAYMENT_INSTRUCTIONS,
};
use crate::store::cache::{get_cache, list_cache};
use crate::store::Store;
use crate::{Error, Result};

/// A place or way to pay with the payment code, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// Short name.
    pub name: Localized,
    /// How to use it.
    pub how: Localized,
    /// The destination countries (ISO codes) where it can be used in person; empty:
    /// anywhere (online banking, an ATM network, the family paying at home).
    pub only_in: &'static [&'static str],
}

impl Channel {
    /// Whether a worker placed in `destination` (unknown: `None`) can use it.
    pub fn serves(&self, destination: Option<&str>) -> bool {
        self.only_in.is_empty()
            || destination.is_none_or(|d| self.only_in.iter().any(|c| c.eq_ignore_ascii_case(d)))
    }
}

/// A place or way to pay with the payment code, in the worker's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PaymentChannel {
    /// Short name.
    pub name: String,
    /// How to use it.
    pub how: String,
}

/// How to pay the contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PaymentInstructions {
    /// Membership number.
    pub kpj: String,
    /// Payment code / virtual account (not the KPJ).
    pub payment_code: String,
    /// Amount due in rupiah (the server's figure wins over the app's estimate).
    pub amount_due: u64,
    /// The amount as written (`Rp 1.234.500`).
    pub amount_due_text: String,
    /// Pay before (`YYYY-MM-DD`).
    pub pay_before: String,
    /// The same day as the worker writes it (`17 Agt 2026`).
    pub pay_before_text: String,
    /// True once a payment for this card was recorded.
    pub paid: bool,
    /// Where to pay.
    pub channels: Vec<PaymentChannel>,
    /// When it was fetched (unix ms).
    pub fetched_at: i64,
}

/// The payment channels (public information from the agency's "how to pay" page).
/// A channel bound to one country says so in `only_in`, so a worker elsewhere is
/// never sent to it.
pub fn payment_channels() -> Vec<Channel> {
    vec![
        Channel {
            name: Localized::new("Bank, ATM atau internet banking", "Bank, ATM or online banking"),
            how: Localized::new(
                "Bayar dengan kode pembayaran (virtual account) di teller, ATM atau internet banking bank mitra.",
                "Pay with the payment code (virtual account) at a partner bank's teller, ATM or online banking.",
            ),
            only_in: &[],
        },
        Channel {
            name: Localized::new("Bank Mandiri (remitansi) di Malaysia", "Bank Mandiri remittance branches in Malaysia"),
            how: Localized::new(
                "Tunjukkan kode pembayaran di salah satu cabang remitansi Bank Mandiri di Malaysia; tidak perlu kartu identitas.",
                "Show the payment code at a Bank Mandiri remittance branch in Malaysia; no ID is needed.",
            ),
            only_in: &["MY"],
        },
        Channel {
            name: Localized::new("BNI", "BNI"),
            how: Localized::new(
                "Bayar dengan kode pembayaran melalui kantor, ATM atau aplikasi BNI.",
                "Pay with the payment code at a BNI office, ATM or the BNI app.",
            ),
            only_in: &[],
        },
        Channel {
            name: Localized::new("BRI", "BRI"),
            how: Localized::new(
                "Bayar dengan kode pembayaran melalui kantor, ATM atau aplikasi BRI.",
                "Pay with the payment code at a BRI office, ATM or the BRI app.",
            ),
            only_in: &[],
        },
    ]
}

/// The channels a worker placed in `destination` (unknown: `None`) can use, in `lang`.
pub fn channels_for(destination: Option<&str>, lang: Lang) -> Vec<PaymentChannel> {
    payment_channels()
        .iter()
        .filter(|c| c.serves(destination))
        .map(|c| PaymentChannel {
            name: c.name.get(lang).to_string(),
            how: c.how.get(lang).to_string(),
        })
        .collect()
}

/// The payment instructions in `lang`, if a registration was decided, with the
/// channels a worker placed in `destination` can use. Reads the store only.
pub fn payment_instructions(
    store: &Store,
    destination: Option<&str>,
    lang: Lang,
) -> Result<Option<PaymentInstructions>> {
    let (found, payments) = store.read(|c| {
        Ok((
            get_cache(c, PAYMENT_INSTRUCTIONS, CURRENT)?,
            list_cache(c, PAYMENT)?,
        ))
    })?;
    let Some((body, fetched_at)) = found else {
        return Ok(None);
    };
    let b: PaymentInstructionsBody = serde_json::from_value(body)
        .map_err(|e| Error::MalformedStoredData(format!("payment: {e}")))?;
    let paid = payments
        .into_iter()
        .any(|(_, p, _)| serde_json::from_value::<PaymentBody>(p).is_ok_and(|p| p.kpj == b.kpj));
    Ok(Some(PaymentInstructions {
        kpj: b.kpj,
        payment_code: b.payment_code,
        amount_due: b.amount_due,
        amount_due_text: rupiah(b.amount_due),
        pay_before_text: NaiveDate::parse_from_str(&b.pay_before, "%Y-%m-%d")
            .map(display::date)
            .unwrap_or_else(|_| b.pay_before.clone()),
        pay_before: b.pay_before,
        paid,
        channels: channels_for(destination, lang),
        fetched_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_name_banks_abroad_in_both_languages() {
        let channels = payment_channels();
        let all: String = channels
            .iter()
            .map(|c| format!("{} {} {} {}", c.name.id, c.name.en, c.how.id, c.how.en))
            .collect();
        for needle in ["Mandiri", "Malaysia", "BNI", "BRI", "ATM"] {
            assert!(all.contains(needle), "{needle}");
        }
        assert!(channels
            .iter()
            .all(|c| !c.name.id.is_empty() && !c.how.en.is_empty()));
    }

    #[test]
    fn a_worker_is_shown_only_the_channels_of_their_destination() {
        let names = |d: Option<&str>| -> Vec<String> {
            payment_channels()
                .into_iter()
                .filter(|c| c.serves(d))
                .map(|c| c.name.en)
                .collect()
        };
        let malaysia_only = &"Bank Mandiri remittance branches in Malaysia".to_string();
        assert!(!names(Some("HK")).contains(malaysia_only), "Hong Kong");
        assert!(!names(Some("TW")).contains(malaysia_only), "Taiwan");
        assert!(names(Some("MY")).contains(malaysia_only));
        assert!(
            names(Some("my")).contains(malaysia_only),
            "codes in any case"
        );
        assert!(
            names(None).contains(malaysia_only),
            "unknown: every channel"
        );
        for d in ["HK", "TW", "MY", "SA"] {
            assert!(
                names(Some(d)).len() >= 3,
                "online and ATM channels serve {d}"
            );
        }
    }
}
