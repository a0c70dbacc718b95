//! Contributions recorded by the agency, newest period first.

use serde::Serialize;

use crate::protocol::cached::{ContributionBody, CONTRIBUTION};
use crate::store::cache::list_cache;
use crate::store::Store;
use crate::{Error, Result};

/// One recorded contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Contribution {
    /// Membership number.
    pub kpj: String,
    /// Programme: `jkk_jkm` or `jht`.
    pub programme: String,
    /// Period covered (`YYYY-MM`).
    pub period: String,
    /// Amount in rupiah.
    pub amount: u64,
    /// When the server recorded it (RFC 3339).
    pub recorded_at: String,
    /// When it was fetched (unix ms).
    pub fetched_at: i64,
}

/// Every cached contribution, newest period first (then by programme).
pub fn contributions(store: &Store) -> Result<Vec<Contribution>> {
    let rows = store.read(|c| list_cache(c, CONTRIBUTION))?;
    let mut out = Vec::with_capacity(rows.len());
    for (_, body, fetched_at) in rows {
        let b: ContributionBody = serde_json::from_value(body)
            .map_err(|e| Error::MalformedStoredData(format!("contribution: {e}")))?;
        out.push(Contribution {
            kpj: b.kpj,
            programme: b.programme,
            period: b.period,
            amount: b.amount,
            recorded_at: b.recorded_at,
            fetched_at,
        });
    }
    out.sort_by(|a, b| {
        b.period
            .cmp(&a.period)
            .then_with(|| a.programme.cmp(&b.programme))
    });
    Ok(out)
}
