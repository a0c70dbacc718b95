//! The contribution tariff for migrant workers (Permenaker 4/2023, Pasal 18) as
//! versioned data: the built-in table is `core/data/tariffs.json`, and the server
//! can publish a newer one. Where the regulation is unclear (a contract between two
//! tiers) the rule is data too, and the quote is marked as an estimate.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::base::issue::Problem;
use crate::{Error, Result};

/// How the worker is placed (Permenaker 4/2023, Pasal 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Through a licensed placement company (P3MI).
    P3mi,
    /// Through the government (G-to-G).
    Government,
    /// Individually (perseorangan), with no placement company.
    Individual,
}

impl Scheme {
    /// Accepts the serde names and common Indonesian ones (`pemerintah`, `g2g`,
    /// `perseorangan`, `mandiri`), case-insensitively.
    pub fn parse(s: &str) -> Option<Scheme> {
        match s.trim().to_ascii_lowercase().as_str() {
            "p3mi" | "pptkis" => Some(Scheme::P3mi),
            "government" | "pemerintah" | "g2g" | "g-to-g" => Some(Scheme::Government),
            "individual" | "perseorangan" | "mandiri" => Some(Scheme::Individual),
            _ => None,
        }
    }
}

/// What to charge for a contract that falls between two placement tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BetweenTiers {
    /// The amount of the next tier up (an 18-month contract pays the 24-month tier).
    NextTier,
    /// The tier below plus the per-month amount for each extra month, never more
    /// than the next tier (18 months: 189,000 + 6 × 13,500).
    PreviousTierPlusMonths,
}

/// A placement tier: contracts up to `max_months` pay `amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// Longest contract (months) this tier covers.
    pub max_months: u32,
    /// Amount in rupiah.
    pub amount: u64,
}

/// The pre-placement (JKK + JKM before departure) part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrePlacement {
    /// Amount in rupiah.
    pub amount: u64,
    /// The schemes that pay it.
    pub schemes: Vec<Scheme>,
}

/// One version of the tariff, valid over a date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tariff {
    /// Stable id, shown in quotes (`permenaker-4-2023`).
    pub id: String,
    /// The regulation (and where to read it).
    pub source: String,
    /// First day it applies.
    pub valid_from: NaiveDate,
    /// Last day it applies; `None` while in force.
    pub valid_until: Option<NaiveDate>,
    /// Pre-placement part.
    pub pre_placement: PrePlacement,
    /// Placement + post-placement tiers, by increasing `max_months`.
    pub placement_tiers: Vec<Tier>,
    /// Per month beyond the last tier (paid at once).
    pub per_month_beyond_last_tier: u64,
    /// Rule for contracts between tiers.
    #[serde(default = "default_between")]
    pub between_tiers: BetweenTiers,
    /// Longest contract accepted, in months.
    #[serde(default = "default_max_months")]
    pub max_months: u32,
    /// Optional JHT amounts per month the participant may choose from.
    pub jht_monthly_options: Vec<u64>,
}

fn default_between() -> BetweenTiers {
    BetweenTiers::NextTier
}

fn default_max_months() -> u32 {
    120
}

impl Tariff {
    fn applies_on(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && self.valid_until.is_none_or(|u| on <= u)
    }

    /// The placement amount for `months` (≥ 1) and whether it is an estimate.
    fn placement(&self, months: u32) -> (u64, bool) {
        let tiers = &self.placement_tiers;
        let Some(last) = tiers.last() else {
            return (0, true);
        };
        if months > last.max_months {
            let extra = u64::from(months - last.max_months);
            return (last.amount + extra * self.per_month_beyond_last_tier, false);
        }
        // `from_json` checked the tiers are sorted, so the first that fits is the tier.
        let idx = tiers
            .iter()
            .position(|t| months <= t.max_months)
            .unwrap_or(tiers.len() - 1);
        let tier = &tiers[idx];
        // Up to the first tier, or exactly on a tier, the regulation is explicit.
        if idx == 0 || months == tier.max_months {
            return (tier.amount, false);
        }
        let below = &tiers[idx - 1];
        let amount = match self.between_tiers {
            BetweenTiers::NextTier => tier.amount,
            BetweenTiers::PreviousTierPlusMonths => {
                let extra = u64::from(months - below.max_months);
                (below.amount + extra * self.per_month_beyond_last_tier).min(tier.amount)
            }
        };
        (amount, true)
    }

    fn check(&self) -> std::result::Result<(), String> {
        let id = &self.id;
        if id.trim().is_empty() {
            return Err("a tariff has no id".into());
        }
        if self.valid_until.is_some_and(|u| u < self.valid_from) {
            return Err(format!("{id}: valid_until is before valid_from"));
        }
        if self.placement_tiers.is_empty() {
            return Err(format!("{id}: no placement tiers"));
        }
        let sorted = self
            .placement_tiers
            .windows(2)
            .all(|w| w[0].max_months < w[1].max_months);
        if !sorted || self.placement_tiers[0].max_months == 0 {
            return Err(format!(
                "{id}: placement tiers must have increasing max_months from 1"
            ));
        }
        if self.jht_monthly_options.is_empty() || self.jht_monthly_options.contains(&0) {
            return Err(format!("{id}: JHT options must be non-empty and positive"));
        }
        if self.max_months == 0 {
            return Err(format!("{id}: max_months must be positive"));
        }
        Ok(())
    }
}

/// The tariff versions the app knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffTable {
    tariffs: Vec<Tariff>,
}

/// What a worker pays at registration, in rupiah.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FeeQuote {
    /// Pre-placement JKK+JKM (0 for the individual scheme).
    pub pre_placement: u64,
    /// Placement and post-placement JKK+JKM for the whole contract.
    pub placement: u64,
    /// The chosen JHT amount per month (0 if none).
    pub jht_monthly: u64,
    /// `pre_placement + placement + jht_monthly`: the first JHT month is paid with
    /// the registration; later months are paid monthly and are not included.
    pub total_due: u64,
    /// The id of the tariff used.
    pub tariff: String,
    /// True when the rule is unclear for this contract length (between tiers):
    /// the amount on the payment code the server issues is the one to pay.
    pub estimate: bool,
}

const BUILTIN: &str = include_str!("../../data/tariffs.json");

impl TariffTable {
    /// The table shipped with the app (parsed once).
    pub fn builtin() -> &'static TariffTable {
        static TABLE: OnceLock<TariffTable> = OnceLock::new();
        // The file is compiled in and checked by `builtin_tariff_table_is_valid`;
        // the empty fallback only means "no tariff available", never a crash.
        TABLE.get_or_init(|| {
            TariffTable::from_json(BUILTIN).unwrap_or(TariffTable {
                tariffs: Vec::new(),
            })
        })
    }

    /// Parses and checks a table (e.g. one the server published).
    /// Error: [`Error::InvalidReferenceData`].
    pub fn from_json(s: &str) -> Result<TariffTable> {
        let table: TariffTable = serde_json::from_str(s)
            .map_err(|e| Error::InvalidReferenceData(format!("tariffs: {e}")))?;
        for t in &table.tariffs {
            t.check().map_err(Error::InvalidReferenceData)?;
        }
        Ok(table)
    }

    /// The tariff in force on `on`: of those whose range holds `on`, the latest start.
    pub fn tariff_on(&self, on: NaiveDate) -> Option<&Tariff> {
        self.tariffs
            .iter()
            .filter(|t| t.applies_on(on))
            .max_by_key(|t| t.valid_from)
    }

    /// What a registration on `on` costs for a contract of `months`.
    ///
    /// Problems: `tariff.months_invalid` (0 or above the tariff's maximum, 120),
    /// `tariff.jht_invalid` (not one of [`TariffTable::jht_options`]),
    /// `tariff.not_available` (no tariff in force on `on`).
    pub fn quote(
        &self,
        scheme: Scheme,
        months: u32,
        jht_monthly: Option<u64>,
        on: NaiveDate,
    ) -> std::result::Result<FeeQuote, Problem> {
        let tariff = self.tariff_on(on).ok_or_else(|| {
            Problem::error("tariff.not_available").with("date", super::date::display(on))
        })?;
        if months == 0 || months > tariff.max_months {
            return Err(
                Problem::error("tariff.months_invalid").with("max", tariff.max_months.to_string())
            );
        }
        let jht = jht_monthly.unwrap_or(0);
        if jht_monthly.is_some() && !tariff.jht_monthly_options.contains(&jht) {
            let options: Vec<String> = tariff
                .jht_monthly_options
                .iter()
                .map(|o| rupiah(*o))
                .collect();
            return Err(Problem::error("tariff.jht_invalid").with("options", options.join(", ")));
        }
        let pre = if tariff.pre_placement.schemes.contains(&scheme) {
            tariff.pre_placement.amount
        } else {
            0
        };
        let (placement, estimate) = tariff.placement(months);
        Ok(FeeQuote {
            pre_placement: pre,
            placement,
            jht_monthly: jht,
            total_due: pre + placement + jht,
            tariff: tariff.id.clone(),
            estimate,
        })
    }

    /// The JHT amounts per month one may choose on `on` (empty if no tariff applies).
    pub fn jht_options(&self, on: NaiveDate) -> Vec<u64> {
        self.tariff_on(on)
            .map(|t| t.jht_monthly_options.clone())
            .unwrap_or_default()
    }
}

/// `Rp 50.000`: rupiah with Indonesian thousands dots (the same in both languages).
pub fn rupiah(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    format!("Rp {out}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn on() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }
    fn quote(
        scheme: Scheme,
        months: u32,
        jht: Option<u64>,
    ) -> std::result::Result<FeeQuote, Problem> {
        TariffTable::builtin().quote(scheme, months, jht, on())
    }

    #[test]
    fn builtin_tariff_table_is_valid() {
        let t = TariffTable::from_json(BUILTIN).unwrap();
        assert_eq!(&t, TariffTable::builtin());
        assert_eq!(t.tariff_on(on()).unwrap().id, "permenaker-4-2023");
        assert!(t
            .tariff_on(NaiveDate::from_ymd_opt(2023, 2, 21).unwrap())
            .is_none());
    }

    #[test]
    fn worked_figure_24_months_through_p3mi_is_370000() {
        let q = quote(Scheme::P3mi, 24, None).unwrap();
        assert_eq!(
            (q.pre_placement, q.placement, q.total_due),
            (37_500, 332_500, 370_000)
        );
        assert!(!q.estimate);
        assert_eq!(q.tariff, "permenaker-4-2023");
    }

    #[test]
    fn worked_figure_36_months_placement_is_494500() {
        let q = quote(Scheme::Government, 36, None).unwrap();
        assert_eq!(q.placement, 494_500);
        assert_eq!(q.pre_placement, 37_500);
        assert!(!q.estimate);
    }

    #[test]
    fn individual_scheme_pays_no_pre_placement() {
        let q = quote(Scheme::Individual, 24, Some(100_000)).unwrap();
        assert_eq!(q.pre_placement, 0);
        assert_eq!(q.jht_monthly, 100_000);
        assert_eq!(q.total_due, 332_500 + 100_000);
    }

    #[test]
    fn exact_tiers_are_not_estimates() {
        assert_eq!(quote(Scheme::P3mi, 6, None).unwrap().placement, 108_000);
        assert_eq!(quote(Scheme::P3mi, 1, None).unwrap().placement, 108_000);
        assert!(!quote(Scheme::P3mi, 3, None).unwrap().estimate);
        assert_eq!(quote(Scheme::P3mi, 12, None).unwrap().placement, 189_000);
        assert_eq!(quote(Scheme::P3mi, 25, None).unwrap().placement, 346_000);
    }

    #[test]
    fn between_tiers_uses_the_data_rule_and_is_an_estimate() {
        let q = quote(Scheme::P3mi, 18, None).unwrap();
        assert_eq!(q.placement, 332_500);
        assert!(q.estimate);
        assert!(quote(Scheme::P3mi, 7, None).unwrap().estimate);
        let alt = BUILTIN.replace("\"next_tier\"", "\"previous_tier_plus_months\"");
        let t = TariffTable::from_json(&alt).unwrap();
        let q = t.quote(Scheme::P3mi, 18, None, on()).unwrap();
        assert_eq!(q.placement, 189_000 + 6 * 13_500);
        assert!(q.estimate);
        // Never more than the next tier.
        assert_eq!(
            t.quote(Scheme::P3mi, 23, None, on()).unwrap().placement,
            332_500
        );
    }

    #[test]
    fn jht_must_be_one_of_the_options() {
        assert_eq!(
            TariffTable::builtin().jht_options(on()),
            vec![50_000, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000]
        );
        let p = quote(Scheme::P3mi, 24, Some(75_000)).unwrap_err();
        assert_eq!(p.code, "tariff.jht_invalid");
        assert!(
            p.params[0].1.starts_with("Rp 50.000, Rp 100.000"),
            "{}",
            p.params[0].1
        );
        assert_eq!(
            quote(Scheme::P3mi, 24, Some(600_000)).unwrap().total_due,
            970_000
        );
    }

    #[test]
    fn months_must_be_between_1_and_120() {
        assert_eq!(
            quote(Scheme::P3mi, 0, None).unwrap_err().code,
            "tariff.months_invalid"
        );
        assert_eq!(
            quote(Scheme::P3mi, 121, None).unwrap_err().code,
            "tariff.months_invalid"
        );
        assert!(quote(Scheme::P3mi, 120, None).is_ok());
    }

    #[test]
    fn quote_picks_the_tariff_valid_on_the_day() {
        let json = r#"{"tariffs": [
          {"id": "old", "source": "s", "valid_from": "2018-01-01", "valid_until": "2023-02-21",
           "pre_placement": {"amount": 1, "schemes": ["p3mi"]}, "placement_tiers": [{"max_months": 24, "amount": 10}],
           "per_month_beyond_last_tier": 1, "jht_monthly_options": [5]},
          {"id": "new", "source": "s", "valid_from": "2023-02-22", "valid_until": null,
           "pre_placement": {"amount": 2, "schemes": ["p3mi"]}, "placement_tiers": [{"max_months": 24, "amount": 20}],
           "per_month_beyond_last_tier": 1, "jht_monthly_options": [7]}]}"#;
        let t = TariffTable::from_json(json).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            t.quote(Scheme::P3mi, 24, None, day(2023, 2, 21))
                .unwrap()
                .tariff,
            "old"
        );
        assert_eq!(
            t.quote(Scheme::P3mi, 24, None, day(2023, 2, 22))
                .unwrap()
                .total_due,
            22
        );
        assert_eq!(t.jht_options(day(2020, 1, 1)), vec![5]);
        assert_eq!(
            t.quote(Scheme::P3mi, 24, None, day(2017, 1, 1))
                .unwrap_err()
                .code,
            "tariff.not_available"
        );
    }

    #[test]
    fn from_json_rejects_malformed_tables() {
        let unsorted = BUILTIN.replace("\"max_months\": 12", "\"max_months\": 2");
        let e = TariffTable::from_json(&unsorted).unwrap_err();
        assert_eq!(e.code(), "reference.invalid");
        assert!(TariffTable::from_json("{}").is_err());
        let no_jht = BUILTIN.replace(
            "[50000, 100000, 200000, 300000, 400000, 500000, 600000]",
            "[]",
        );
        assert!(TariffTable::from_json(&no_jht).is_err());
    }

    #[test]
    fn scheme_parses_and_serializes() {
        assert_eq!(Scheme::parse("P3MI"), Some(Scheme::P3mi));
        assert_eq!(Scheme::parse("perseorangan"), Some(Scheme::Individual));
        assert_eq!(Scheme::parse("g2g"), Some(Scheme::Government));
        assert_eq!(Scheme::parse("x"), None);
        assert_eq!(
            serde_json::to_string(&Scheme::Government).unwrap(),
            "\"government\""
        );
    }

    #[test]
    fn rupiah_uses_thousands_dots() {
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(500), "Rp 500");
        assert_eq!(rupiah(37_500), "Rp 37.500");
        assert_eq!(rupiah(1_234_567), "Rp 1.234.567");
    }

    proptest! {
        #[test]
        fn quote_total_is_the_sum_and_placement_grows_with_months(months in 1u32..=120, s in 0usize..3) {
            let scheme = [Scheme::P3mi, Scheme::Government, Scheme::Individual][s];
            let q = quote(scheme, months, Some(50_000)).unwrap();
            prop_assert_eq!(q.total_due, q.pre_placement + q.placement + q.jht_monthly);
            if months < 120 {
                let next = quote(scheme, months + 1, Some(50_000)).unwrap();
                prop_assert!(next.placement >= q.placement);
            }
        }
    }
}
