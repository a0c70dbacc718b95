//! [`QuoteView`]: the contribution quote as the form screen's summary shows it,
//! every line worded and every amount written the Indonesian way (`Rp 1.234.500`),
//! so that no screen formats money itself.

use serde::Serialize;

use crate::base::lang::Lang;
use crate::base::messages;
use crate::domain::tariff::{rupiah, FeeQuote};

/// One line of an amount: what it is, and how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AmountLine {
    /// What the amount is for ("Masa penempatan").
    pub label: String,
    /// The amount as written ("Rp 370.000").
    pub amount: String,
}

/// The contribution due, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuoteView {
    /// The summary's heading.
    pub title: String,
    /// The parts, in order (JHT only when chosen).
    pub lines: Vec<AmountLine>,
    /// What is paid now.
    pub total: AmountLine,
    /// Said when the tariff is unclear for this contract (an estimate).
    pub note: Option<String>,
    /// The figures behind it.
    pub quote: FeeQuote,
}

impl QuoteView {
    /// `quote` worded in `lang`.
    pub fn of(quote: FeeQuote, lang: Lang) -> QuoteView {
        let line = |code: &str, amount: u64| AmountLine {
            label: messages::render(code, lang, &[]),
            amount: rupiah(amount),
        };
        let mut lines = vec![
            line("quote.pre_placement", quote.pre_placement),
            line("quote.placement", quote.placement),
        ];
        if quote.jht_monthly > 0 {
            lines.push(line("quote.jht_monthly", quote.jht_monthly));
        }
        QuoteView {
            title: messages::render("quote.title", lang, &[]),
            lines,
            total: line("quote.total", quote.total_due),
            note: quote
                .estimate
                .then(|| messages::render("quote.estimate", lang, &[])),
            quote,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(jht: u64, estimate: bool) -> FeeQuote {
        FeeQuote {
            pre_placement: 37_500,
            placement: 1_234_500,
            jht_monthly: jht,
            total_due: 1_272_000 + jht,
            tariff: "t".into(),
            estimate,
        }
    }

    #[test]
    fn amounts_are_written_the_indonesian_way_in_the_users_words() {
        let id = QuoteView::of(quote(0, false), Lang::Id);
        assert_eq!(id.lines.len(), 2, "no JHT line without JHT");
        assert_eq!(id.lines[1].amount, "Rp 1.234.500");
        assert_eq!(id.total.amount, "Rp 1.272.000");
        assert!(id.note.is_none());
        let en = QuoteView::of(quote(100_000, true), Lang::En);
        assert_eq!(en.lines.len(), 3);
        assert_ne!(en.total.label, id.total.label);
        assert!(en.note.is_some());
        // Every label comes from the catalog, never as a raw code.
        for l in en.lines.iter().chain([&en.total]) {
            assert!(!l.label.starts_with("quote."), "{}", l.label);
        }
    }
}
