//! A number of bytes in the words a worker reads: megabytes with one decimal, the
//! decimal mark of the language ("2,4 MB" in Indonesian, "2.4 MB" in English).
//! A megabyte is 1,000,000 bytes, as phones count data use. Anything above zero
//! shows as at least 0.1 MB, so a screen never says "0 MB" while something waits.

use crate::base::lang::Lang;

/// `bytes` as megabytes with one decimal in `lang` ("2,4 MB", "2.4 MB").
pub fn megabytes(bytes: u64, lang: Lang) -> String {
    // Tenths of a megabyte, rounded to nearest, at least one when anything is there.
    let tenths = (bytes.saturating_add(50_000) / 100_000).max(u64::from(bytes > 0));
    let mark = match lang {
        Lang::Id => ',',
        Lang::En => '.',
    };
    format!("{}{mark}{} MB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megabytes_have_one_decimal_in_each_languages_mark() {
        assert_eq!(megabytes(2_400_000, Lang::Id), "2,4 MB");
        assert_eq!(megabytes(2_400_000, Lang::En), "2.4 MB");
        assert_eq!(megabytes(2_449_999, Lang::En), "2.4 MB");
        assert_eq!(megabytes(2_450_000, Lang::En), "2.5 MB");
        assert_eq!(megabytes(12_000_000, Lang::Id), "12,0 MB");
        assert_eq!(megabytes(0, Lang::En), "0.0 MB");
    }

    #[test]
    fn a_few_bytes_never_read_as_nothing() {
        assert_eq!(megabytes(1, Lang::Id), "0,1 MB");
        assert_eq!(megabytes(2_000, Lang::En), "0.1 MB");
    }
}
