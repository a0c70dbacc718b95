//! Dates as users type them and the date arithmetic the rules need: age on a day
//! and the length of an employment contract in (started) months.

use chrono::{Datelike, Months, NaiveDate};

use crate::base::issue::Problem;

/// The one way the core writes a date for a person to read: `17-08-1995`
/// (day, month, year: the order Indonesians write and the order typed input
/// is read in). Stored values stay ISO `YYYY-MM-DD`.
pub const DISPLAY_FORMAT: &str = "%d-%m-%Y";

/// `date` as the core shows it: `DD-MM-YYYY`.
pub fn display(date: NaiveDate) -> String {
    date.format(DISPLAY_FORMAT).to_string()
}

/// A moment (`at_ms`, unix milliseconds) as the core shows it to a person, on the
/// clock of where they are: `DD-MM-YYYY HH:MM`, shifted by `utc_offset_minutes`
/// (the phone's offset at that moment, DST included: the platform knows its zone,
/// the core does not carry a time-zone database). An offset beyond ±18 hours is
/// not a real one and counts as zero; a moment out of range shows as `—`.
pub fn display_time(at_ms: i64, utc_offset_minutes: i32) -> String {
    let offset = chrono::FixedOffset::east_opt(utc_offset_minutes.saturating_mul(60))
        .filter(|_| utc_offset_minutes.unsigned_abs() <= 18 * 60)
        .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc));
    chrono::DateTime::from_timestamp_millis(at_ms).map_or_else(
        || "—".to_string(),
        |t| {
            t.with_timezone(&offset)
                .format(&format!("{DISPLAY_FORMAT} %H:%M"))
                .to_string()
        },
    )
}

/// Parses a date as people type it. Day first: `17-08-1995`, `17/08/1995`,
/// `17.08.1995`, `17 08 1995`, with one-digit day and month (`7-8-1995`), or the
/// eight digits with no separator (`17081995`); or year first: ISO `1995-08-17`
/// and `19950817`. Anything else, or a day that does not exist, is `date.invalid`.
///
/// Eight bare digits are read day first (the way the worker writes the date) and
/// year first only when that reading is not a date with a year from 1900 to 2100;
/// both cannot succeed at once, since a year-first reading has a month (01–12)
/// where a day-first reading has the century (19, 20, 21).
pub fn parse_date(input: &str) -> Result<NaiveDate, Problem> {
    let s = input.trim();
    let parsed = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        parse_compact(s)
    } else {
        parse_parts(s)
    };
    parsed.ok_or_else(|| Problem::error("date.invalid"))
}

/// The years a date without separators may have: wider would let `20110512` be
/// read as 20-11-0512.
const COMPACT_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

fn parse_compact(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let ymd = |y: u32, m: u32, d: u32| {
        let y = i32::try_from(y)
            .ok()
            .filter(|y| COMPACT_YEARS.contains(y))?;
        NaiveDate::from_ymd_opt(y, m, d)
    };
    ymd(n(4..8)?, n(2..4)?, n(0..2)?).or_else(|| ymd(n(0..4)?, n(4..6)?, n(6..8)?))
}

fn parse_parts(s: &str) -> Option<NaiveDate> {
    // One separator throughout: `17-08/1995` is a typo, not a date.
    let sep = ['-', '/', '.', ' '].into_iter().find(|c| s.contains(*c))?;
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let small = |p: &str| p.len() <= 2;
    // Year first only as ISO writes it (with `-`): `1995/08/17` is no one's habit here.
    let (y, m, d) = if sep == '-' && a.len() == 4 && small(b) && small(c) {
        (*a, *b, *c)
    } else if c.len() == 4 && small(a) && small(b) {
        (*c, *b, *a)
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Completed years from `birth` to `on` (0 if `on` is before `birth`).
/// Someone born on 29 February turns a year older on 1 March in common years.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on <= birth {
        return 0;
    }
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Length of a contract in months, where a started month counts as a whole one.
///
/// The contract runs over `[start, end)`: the result is the smallest `m` such that
/// `start` plus `m` calendar months is on or after `end` (adding months keeps the
/// day, clamped to the month's last day). So 2025-01-01 → 2026-12-31 and
/// 2025-01-01 → 2027-01-01 are both 24 months (whether the end date written is the
/// last working day or the day after, the answer is the same), and 2027-01-02 is 25.
/// `None` if `end <= start`.
pub fn contract_months(start: NaiveDate, end: NaiveDate) -> Option<u32> {
    if end <= start {
        return None;
    }
    let add = |m: u32| start.checked_add_months(Months::new(m));
    let diff = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    // `diff` months lands in end's month; the answer is diff or diff + 1 (at least 1).
    let mut m = u32::try_from(diff).ok()?.max(1);
    if m > 1 && add(m - 1)? >= end {
        m -= 1;
    }
    while add(m)? < end {
        m += 1;
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_moment_shows_on_the_local_clock_day_first() {
        // 2026-12-04T23:30:00Z.
        let at = 1_796_427_000_000;
        assert_eq!(display_time(at, 0), "04-12-2026 23:30");
        // Hong Kong (+8): already the next day.
        assert_eq!(display_time(at, 8 * 60), "05-12-2026 07:30");
        // Saudi Arabia (+3), and a half-hour zone (India, +5:30).
        assert_eq!(display_time(at, 3 * 60), "05-12-2026 02:30");
        assert_eq!(display_time(at, 5 * 60 + 30), "05-12-2026 05:00");
        // West of UTC.
        assert_eq!(display_time(at, -5 * 60), "04-12-2026 18:30");
        // Not an offset: the UTC clock, never a panic.
        assert_eq!(display_time(at, 24 * 60), "04-12-2026 23:30");
        assert_eq!(display_time(at, i32::MIN), "04-12-2026 23:30");
        assert_eq!(display_time(i64::MAX, 0), "—");
    }

    #[test]
    fn parse_date_accepts_the_three_formats() {
        assert_eq!(parse_date("1990-12-31"), Ok(d(1990, 12, 31)));
        assert_eq!(parse_date("31-12-1990"), Ok(d(1990, 12, 31)));
        assert_eq!(parse_date(" 31/12/1990 "), Ok(d(1990, 12, 31)));
        assert_eq!(parse_date("5/8/1968"), Ok(d(1968, 8, 5)));
    }

    #[test]
    fn parse_date_accepts_what_people_type() {
        let want = d(1995, 8, 17);
        for typed in [
            "17081995",
            "19950817",
            "17-08-1995",
            "17/08/1995",
            "17.08.1995",
            "17 08 1995",
            "1995-08-17",
            " 17.8.1995 ",
        ] {
            assert_eq!(parse_date(typed), Ok(want), "{typed}");
        }
        assert_eq!(parse_date("7-8-1995"), Ok(d(1995, 8, 7)));
        assert_eq!(parse_date("7.8.1995"), Ok(d(1995, 8, 7)));
        // Day first wins; year first only when day first is no date.
        assert_eq!(parse_date("01022003"), Ok(d(2003, 2, 1)));
        assert_eq!(parse_date("20110512"), Ok(d(2011, 5, 12)));
    }

    #[test]
    fn display_is_day_month_year() {
        assert_eq!(display(d(1995, 8, 7)), "07-08-1995");
        assert_eq!(parse_date(&display(d(2026, 12, 31))), Ok(d(2026, 12, 31)));
    }

    #[test]
    fn parse_date_rejects_impossible_or_ambiguous_input() {
        for bad in [
            "",
            "1990-02-30",
            "31-02-1990",
            "1990/12/31",
            "90-12-31",
            "31-12-90",
            "31.12-1990",
            "1781995",
            "170895",
            "171995",
            "00000000",
            "31129999",
            "1990-12-31-1",
            "abc",
            "１９９０-12-31",
            "1990-+1-01",
        ] {
            let p = parse_date(bad).unwrap_err();
            assert_eq!(p.code, "date.invalid", "{bad}");
        }
    }

    #[test]
    fn age_counts_completed_years() {
        assert_eq!(age_on(d(2000, 6, 15), d(2018, 6, 14)), 17);
        assert_eq!(age_on(d(2000, 6, 15), d(2018, 6, 15)), 18);
        assert_eq!(age_on(d(2000, 2, 29), d(2019, 2, 28)), 18);
        assert_eq!(age_on(d(2000, 6, 15), d(1999, 1, 1)), 0);
    }

    #[test]
    fn contract_months_edges() {
        assert_eq!(contract_months(d(2025, 1, 1), d(2026, 12, 31)), Some(24));
        assert_eq!(contract_months(d(2025, 1, 1), d(2027, 1, 1)), Some(24));
        assert_eq!(contract_months(d(2025, 1, 1), d(2027, 1, 2)), Some(25));
        assert_eq!(contract_months(d(2025, 1, 1), d(2025, 1, 2)), Some(1));
        assert_eq!(contract_months(d(2025, 1, 15), d(2025, 2, 15)), Some(1));
        assert_eq!(contract_months(d(2025, 1, 15), d(2025, 2, 16)), Some(2));
        assert_eq!(contract_months(d(2025, 1, 31), d(2025, 2, 28)), Some(1));
        assert_eq!(contract_months(d(2025, 1, 31), d(2025, 3, 1)), Some(2));
        assert_eq!(contract_months(d(2025, 3, 31), d(2025, 3, 1)), None);
        assert_eq!(contract_months(d(2025, 3, 1), d(2025, 3, 1)), None);
    }

    proptest! {
        #[test]
        fn parse_date_never_panics(s in "\\PC*") {
            let _ = parse_date(&s);
        }

        #[test]
        fn parse_date_round_trips_iso_and_dmy(days in 0i64..60_000) {
            let date = d(1900, 1, 1) + chrono::Duration::days(days);
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%d-%m-%Y").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%d/%m/%Y").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%d.%m.%Y").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%-d-%-m-%Y").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&display(date)), Ok(date));
        }

        #[test]
        fn parse_date_reads_eight_digits_either_way(days in 0i64..73_000) {
            // 1900-01-01 .. 2099: every date of the compact range, both orders.
            let date = d(1900, 1, 1) + chrono::Duration::days(days);
            prop_assert_eq!(parse_date(&date.format("%d%m%Y").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%Y%m%d").to_string()), Ok(date));
        }

        #[test]
        fn contract_months_is_the_smallest_covering_count(start in 0i64..20_000, len in 1i64..4_000) {
            let s = d(2000, 1, 1) + chrono::Duration::days(start);
            let e = s + chrono::Duration::days(len);
            let m = contract_months(s, e).unwrap();
            prop_assert!(m >= 1);
            prop_assert!(s.checked_add_months(Months::new(m)).unwrap() >= e);
            prop_assert!(s.checked_add_months(Months::new(m - 1)).unwrap() < e);
        }
    }
}
