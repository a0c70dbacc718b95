//! KPJ numbers and payment codes: 11 digits, unique among every number the
//! database ever issued, with no check-and-retry. Each is one value of a
//! sequence (never handed out twice, whatever commits or rolls back), mapped
//! through a fixed permutation of the 11-digit range so that consecutive
//! registrations do not get consecutive, guessable numbers.

use crate::error::{Error, Result};
use crate::storage::postgres::Tx;

/// How many 11-digit numbers there are (first digit 1-9): the sequence's range.
const RANGE: u128 = 90_000_000_000;
/// Multiplier of the permutation: prime, and not 2, 3 or 5, so coprime with
/// `RANGE` (2^10·3^2·5^10) and `n ↦ n·A + B mod RANGE` is a bijection.
const A: u128 = 6_700_417;
/// Offset of the permutation.
const B: u128 = 31_415_926_535;

/// The 11-digit number for sequence value `n` (`n` < `RANGE`).
fn permute(n: u64) -> String {
    let x = (u128::from(n) * A + B) % RANGE;
    format!("{}", 10_000_000_000u128 + x)
}

/// Issues `k` fresh numbers with one statement.
pub(crate) async fn issue_many(tx: &Tx<'_>, k: usize) -> Result<Vec<String>> {
    let next = tx
        .prepare_cached("SELECT nextval('issued_numbers') FROM generate_series(1, $1::bigint)")
        .await?;
    let rows = tx.query(&next, &[&(k as i64)]).await?;
    rows.iter()
        .map(|r| {
            let n: i64 = r.try_get(0)?;
            let n =
                u64::try_from(n).map_err(|_| Error::Malformed("negative issued number".into()))?;
            Ok(permute(n))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_eleven_digits_distinct_and_not_consecutive() {
        let mut seen = std::collections::HashSet::new();
        for n in (0..20_000u64).chain(RANGE as u64 - 100..RANGE as u64) {
            let s = permute(n);
            assert_eq!(s.len(), 11, "{s}");
            assert!(!s.starts_with('0'));
            assert!(seen.insert(s));
        }
        let (a, b): (u64, u64) = (permute(7).parse().unwrap(), permute(8).parse().unwrap());
        assert!(a.abs_diff(b) > 1000);
    }
}
