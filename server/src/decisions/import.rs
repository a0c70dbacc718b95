//! Reading an officer's import of people registered elsewhere (the format is in
//! `docs/import.md`): a CSV file with a header row and one membership per row
//! (NIK, name, birth date, KPJ, placement window). Every row is checked with
//! the core's own validators (NIK format and its birth date, KPJ, dates); a
//! file with any bad row is refused whole, each bad row reported by its line.
//! What needs the stored people (a NIK holding another KPJ, an overlapping
//! window) storage checks in the transaction that writes the file, with
//! [`conflict`].

use chrono::NaiveDate;
use rantau_core::domain::date::parse_date;
use rantau_core::domain::kpj::Kpj;
use rantau_core::domain::nik::Nik;
use rantau_core::{Lang, Problem};
use serde::{Deserialize, Serialize};

use crate::decisions::persons::Window;
use crate::messages;

/// The header's columns, in order (matched without regard to case).
pub const COLUMNS: [&str; 6] = ["NIK", "NAME", "BIRTH_DATE", "KPJ", "START", "END"];

/// Most characters of a name.
pub const MAX_NAME: usize = 200;

/// Most rows of one file: the officer splits a larger one (the request body is
/// at most 1 MiB anyway).
pub const MAX_ROWS: usize = 10_000;

/// The code of a refused file (every bad row is in the answer).
pub const INVALID_ROWS: &str = "import.invalid_rows";

/// One valid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    /// The NIK's 16 digits.
    pub nik: String,
    /// The person's name as on the KTP.
    pub name: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// The KPJ the person holds.
    pub kpj: String,
    /// The membership's placement window.
    pub window: Window,
}

/// A bad row: its line, a stable code and the reason in the request's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Line in the file (1 is the header).
    pub line: usize,
    /// Stable code (`nik.length`, `import.overlaps`…).
    pub code: String,
    /// Why, in words.
    pub reason: String,
}

impl RowError {
    fn of(line: usize, problem: &Problem, column: &'static str, lang: Lang) -> RowError {
        let mut params = problem.params.clone();
        params.push(("column", column.to_string()));
        RowError {
            line,
            code: problem.code.to_string(),
            reason: render(problem.code, lang, &params),
        }
    }
}

/// A code's message: the server's table, else the core's catalog (the
/// identifier and date codes).
fn render(code: &str, lang: Lang, params: &[(&'static str, String)]) -> String {
    if messages::MESSAGES.iter().any(|e| e.0 == code) {
        messages::render(code, lang, params)
    } else {
        rantau_core::base::messages::render(code, lang, params)
    }
}

/// The problem of a stored-data conflict (see [`conflict`]).
fn problem(code: &'static str) -> Problem {
    Problem::error(code)
}

/// Why a row cannot be stored next to what is stored already, or `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The NIK's person holds another KPJ.
    NikHasOtherKpj,
    /// The KPJ belongs to a person with another NIK.
    KpjHasOtherNik,
    /// The person holds a membership overlapping this window (other than this
    /// very one).
    Overlaps,
}

impl Conflict {
    /// The row's error for this conflict.
    pub fn error(self, line: usize, lang: Lang) -> RowError {
        let code = match self {
            Conflict::NikHasOtherKpj => "import.nik_other_kpj",
            Conflict::KpjHasOtherNik => "import.kpj_other_nik",
            Conflict::Overlaps => "import.overlaps",
        };
        RowError::of(line, &problem(code), "", lang)
    }
}

/// What storage does with a row, given what it holds: the KPJ of the NIK's
/// person (if any), the NIK of the KPJ's person (if any), whether the person
/// holds exactly this membership already, and whether it holds one overlapping.
pub fn conflict(
    row: &ImportRow,
    person_kpj: Option<&str>,
    kpj_owner_nik: Option<&str>,
    same_membership: bool,
    overlapping: bool,
) -> Result<Action, Conflict> {
    if person_kpj.is_some_and(|k| k != row.kpj) {
        return Err(Conflict::NikHasOtherKpj);
    }
    if kpj_owner_nik.is_some_and(|n| n != row.nik) {
        return Err(Conflict::KpjHasOtherNik);
    }
    if same_membership {
        return Ok(Action::Unchanged);
    }
    if overlapping {
        return Err(Conflict::Overlaps);
    }
    Ok(if person_kpj.is_some() {
        Action::AddMembership
    } else {
        Action::AddPerson
    })
}

/// What storing a row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new person with this membership.
    AddPerson,
    /// The person is known: a new membership window.
    AddMembership,
    /// Held already (the file imported before): nothing.
    Unchanged,
}

/// Reads and checks a whole file: every valid row, or every bad row's error.
pub fn parse(csv: &str, lang: Lang) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let csv = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut lines = csv
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let bad = |line: usize, code: &'static str| vec![RowError::of(line, &problem(code), "", lang)];
    let Some((header_line, header)) = lines.next() else {
        return Err(bad(1, "import.empty"));
    };
    let header_ok = split(header).is_some_and(|cells| {
        cells.len() == COLUMNS.len()
            && cells
                .iter()
                .zip(COLUMNS)
                .all(|(c, want)| c.trim().eq_ignore_ascii_case(want))
    });
    if !header_ok {
        return Err(bad(header_line, "import.header"));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (line, text) in lines {
        if rows.len() + errors.len() >= MAX_ROWS {
            return Err(bad(line, "import.too_many_rows"));
        }
        match row(line, text, lang) {
            Ok(r) => rows.push(r),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return Err(bad(header_line, "import.empty"));
    }
    Ok(rows)
}

/// One data row, every problem of it reported.
fn row(line: usize, text: &str, lang: Lang) -> Result<ImportRow, Vec<RowError>> {
    let Some(cells) = split(text).filter(|c| c.len() == COLUMNS.len()) else {
        return Err(vec![RowError::of(
            line,
            &problem("import.columns"),
            "",
            lang,
        )]);
    };
    let cell = |i: usize| cells[i].trim();
    let mut errors = Vec::new();
    let nik = take(&mut errors, line, lang, Nik::parse(cell(0)), COLUMNS[0]);
    let name = cell(1).to_string();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        errors.push(RowError::of(
            line,
            &problem("import.name"),
            COLUMNS[1],
            lang,
        ));
    }
    let birth_date = take(&mut errors, line, lang, parse_date(cell(2)), COLUMNS[2]);
    let kpj = take(&mut errors, line, lang, Kpj::parse(cell(3)), COLUMNS[3]);
    let start = take(&mut errors, line, lang, parse_date(cell(4)), COLUMNS[4]);
    let end = take(&mut errors, line, lang, parse_date(cell(5)), COLUMNS[5]);
    if let (Some(nik), Some(birth)) = (&nik, birth_date) {
        for p in nik.check_declared(Some(birth), None) {
            errors.push(RowError::of(line, &p, COLUMNS[2], lang));
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            errors.push(RowError::of(
                line,
                &problem("import.window_order"),
                COLUMNS[5],
                lang,
            ));
        }
    }
    match (nik, birth_date, kpj, start, end) {
        (Some(nik), Some(birth_date), Some(kpj), Some(start), Some(end)) if errors.is_empty() => {
            Ok(ImportRow {
                line,
                nik: nik.as_str().to_string(),
                name,
                birth_date,
                kpj: kpj.as_str().to_string(),
                window: Window { start, end },
            })
        }
        _ => Err(errors),
    }
}

/// The value of `r`, or `None` with its problem added to `errors`.
fn take<T>(
    errors: &mut Vec<RowError>,
    line: usize,
    lang: Lang,
    r: Result<T, Problem>,
    column: &'static str,
) -> Option<T> {
    r.map_err(|p| errors.push(RowError::of(line, &p, column, lang)))
        .ok()
}

/// The cells of one line: comma-separated, a cell in double quotes may hold
/// commas and doubled quotes (`""`). `None` for an unclosed quote. A cell
/// cannot span lines.
fn split(line: &str) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            (false, ',') => cells.push(std::mem::take(&mut cell)),
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return None;
    }
    cells.push(cell);
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A NIK whose birth date is 1968-08-05 (a woman: day + 40).
    const NIK: &str = "3515144508680002";

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_good_file_is_read_with_quotes_blank_lines_and_a_bom() {
        let csv = format!(
            "\u{feff}nik,name,birth_date,kpj,start,end\n\
             {NIK},\"Siti, binti \"\"Ali\"\"\",1968-08-05,12345678901,2026-01-01,2027-12-31\n\
             \n\
             3515 1445 0868 0002 ,Siti,05-08-1968,123-4567-8901,2028-01-01,2029-12-31\r\n"
        );
        let rows = parse(&csv, Lang::En).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].name, "Siti, binti \"Ali\"");
        assert_eq!(rows[0].nik, NIK);
        assert_eq!(rows[0].kpj, "12345678901");
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].nik, NIK);
        assert_eq!(rows[1].birth_date, d("1968-08-05"));
        assert_eq!(
            rows[1].window,
            Window {
                start: d("2028-01-01"),
                end: d("2029-12-31")
            }
        );
    }

    #[test]
    fn every_bad_row_is_reported_by_line_with_a_reason() {
        let csv = format!(
            "NIK,Name,Birth_Date,KPJ,Start,End\n\
             {NIK},Siti,1968-08-05,12345678901,2026-01-01,2027-12-31\n\
             123,Siti,1968-08-05,12345678901,2026-01-01,2027-12-31\n\
             {NIK},Siti,1970-01-01,12345678901,2026-01-01,2027-12-31\n\
             {NIK},,1968-08-05,12,2026-13-01,2025-01-01\n\
             {NIK},Siti,1968-08-05,12345678901,2027-01-01,2026-01-01\n\
             {NIK},Siti\n\
             {NIK},\"Siti,1968-08-05,12345678901,2026-01-01,2027-12-31\n"
        );
        let errors = parse(&csv, Lang::En).unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.code.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "nik.length"),
                (4, "nik.birth_date_mismatch"),
                (5, "import.name"),
                (5, "kpj.invalid"),
                (5, "date.invalid"),
                (6, "import.window_order"),
                (7, "import.columns"),
                (8, "import.columns"),
            ]
        );
        assert!(errors
            .iter()
            .all(|e| !e.reason.is_empty() && e.reason != e.code));
        assert!(errors[0].reason.contains('3'), "{}", errors[0].reason);
        let id = parse(&csv, Lang::Id).unwrap_err();
        assert_ne!(id[2].reason, errors[2].reason);
    }

    #[test]
    fn a_file_without_its_header_or_rows_is_refused() {
        let e = parse("", Lang::En).unwrap_err();
        assert_eq!((e[0].line, e[0].code.as_str()), (1, "import.empty"));
        let e = parse(
            &format!("{NIK},Siti,1968-08-05,12345678901,2026-01-01,2027-12-31\n"),
            Lang::En,
        )
        .unwrap_err();
        assert_eq!((e[0].line, e[0].code.as_str()), (1, "import.header"));
        let e = parse("nik,name,birth_date,kpj,start,end\n\n", Lang::En).unwrap_err();
        assert_eq!(e[0].code, "import.empty");
    }

    #[test]
    fn stored_people_decide_each_row() {
        let row = ImportRow {
            line: 2,
            nik: NIK.into(),
            name: "Siti".into(),
            birth_date: d("1968-08-05"),
            kpj: "12345678901".into(),
            window: Window {
                start: d("2026-01-01"),
                end: d("2027-12-31"),
            },
        };
        assert_eq!(
            conflict(&row, None, None, false, false),
            Ok(Action::AddPerson)
        );
        assert_eq!(
            conflict(&row, Some("12345678901"), Some(NIK), false, false),
            Ok(Action::AddMembership)
        );
        assert_eq!(
            conflict(&row, Some("12345678901"), Some(NIK), true, true),
            Ok(Action::Unchanged)
        );
        assert_eq!(
            conflict(&row, Some("12345678901"), Some(NIK), false, true),
            Err(Conflict::Overlaps)
        );
        assert_eq!(
            conflict(&row, Some("99999999999"), None, false, false),
            Err(Conflict::NikHasOtherKpj)
        );
        assert_eq!(
            conflict(&row, None, Some("3515144508680003"), false, false),
            Err(Conflict::KpjHasOtherNik)
        );
        let e = Conflict::Overlaps.error(9, Lang::En);
        assert_eq!((e.line, e.code.as_str()), (9, "import.overlaps"));
        assert!(!e.reason.contains("import."));
    }
}
