//! KPJ numbers and payment codes: 11 digits, unique among every number the
//! database ever issued, with no check-and-retry. Each is one value of a
//! sequence (never handed out twice, whatever commits or rolls back), mapped
//! through a fixed permutation of the 11-digit range so that consecutive
//! registrations do not get consecutive, guessable numbers.

/// How many 11-digit numbers there are (first digit 1-9): the sequence's range.
const RANGE: u128 = 90_000_000_000;
/// Multiplier of the permutation: prime, and not 2, 3 or 5, so coprime with
/// `RANGE` (2^10·3^2·5^10) and `n ↦ n·A + B mod RANGE` is a bijection.
const A: u128 = 6_700_417;
/// Offset of the permutation.
const B: u128 = 31_415_926_535;

/// The 11-digit number for sequence value `n` (`n` < `RANGE`); what [`sql`]
/// computes in the database.
#[cfg(test)]
fn permute(n: u64) -> String {
    let x = (u128::from(n) * A + B) % RANGE;
    format!("{}", 10_000_000_000u128 + x)
}

/// The SQL expression (text) of the 11-digit number for the sequence value
/// `n` (a bigint expression): issued inside the statement that stores it, so
/// issuing costs no round trip of its own. In BIGINT: `n·A + B` < 2^63 for
/// every `n` < `RANGE`.
pub(crate) fn sql(n: &str) -> String {
    format!("(({n} * {A} + {B}) % {RANGE} + 10000000000)::text")
}

/// The SQL expression drawing the next sequence value.
pub(crate) const NEXT: &str = "nextval('issued_numbers')";

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

    /// The database computes what `permute` does, up to the end of the range
    /// (where BIGINT would overflow first). Needs `RANTAU_TEST_POSTGRES`.
    #[tokio::test]
    async fn the_sql_expression_is_the_permutation() {
        let Ok(url) = std::env::var("RANTAU_TEST_POSTGRES") else {
            return;
        };
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let query = format!("SELECT {}", sql("$1::bigint"));
        for n in [0, 1, 7, 8, 123_456_789, RANGE as u64 - 1] {
            let row = client.query_one(&query, &[&(n as i64)]).await.unwrap();
            assert_eq!(row.get::<_, String>(0), permute(n), "{n}");
        }
    }
}
