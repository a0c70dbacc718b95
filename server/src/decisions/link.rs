//! "I am already registered": linking a device to a person (`docs/link.md`, the
//! threat model). A device names a person by NIK or KPJ and their birth date and
//! asks for a one-time code by e-mail (only to the address the agency holds for
//! that person) or from an officer at a service point; it then confirms with the
//! code. The rules live here, without storage or HTTP: the code and its hash,
//! the limits, whether a birth date matches, the outcome of a confirmation and
//! which of a person's events a newly linked device receives.

use chrono::NaiveDate;
use rand::Rng;
use rantau_core::domain::nik::Nik;
use rantau_core::protocol::wire::EventKind;

use crate::decisions::ids;

/// How long a link attempt and its code stay good (15 minutes).
pub const CODE_TTL_MS: i64 = 15 * 60 * 1000;
/// Wrong codes that lock one link attempt.
pub const MAX_WRONG: u32 = 5;
/// Link attempts one person can be the target of per hour: with
/// [`MAX_WRONG`] guesses each, at most 25 guesses of a 6-digit code an hour.
pub const MAX_STARTS_PER_HOUR: u32 = 5;
/// One hour in milliseconds (the window of [`MAX_STARTS_PER_HOUR`]).
pub const HOUR_MS: i64 = 60 * 60 * 1000;
/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// How the code reaches the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// E-mailed to the address on file for the person.
    Email,
    /// Handed over by an officer after checking the passport.
    Officer,
}

impl Channel {
    /// The name on the wire and in the database.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Officer => "officer",
        }
    }

    /// Reads a stored or sent name.
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "officer" => Some(Channel::Officer),
            _ => None,
        }
    }
}

/// Who the device says it is: a NIK (16 digits) or a KPJ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The NIK's 16 digits.
    Nik(String),
    /// The KPJ's digits.
    Kpj(String),
}

/// A person found for a claim, as a start sees them.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Their id.
    pub person: String,
    /// Their NIK.
    pub nik: String,
    /// Their birth date as stored (an import's), `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// The e-mail address on file, if any.
    pub email: Option<String>,
    /// Link attempts naming them in the last hour.
    pub recent_starts: u32,
}

/// What a start binds the attempt to: a person when the claim matches (and
/// the hourly limit allows), else no one; the answer is the same either way.
pub fn bind(candidate: Option<&Candidate>, birth_date: NaiveDate) -> Option<&Candidate> {
    let c = candidate?;
    (birth_matches(&c.nik, c.birth_date.as_deref(), birth_date)
        && c.recent_starts < MAX_STARTS_PER_HOUR)
        .then_some(c)
}

/// True when `given` is the birth date of the person: the one the NIK encodes
/// (day, month, two-digit year) and, when an officer imported one, that one.
pub fn birth_matches(nik: &str, stored: Option<&str>, given: NaiveDate) -> bool {
    let Ok(nik) = Nik::parse(nik) else {
        return false;
    };
    let encoded = nik.check_declared(Some(given), None).is_empty();
    let stored_ok = stored.is_none_or(|s| s == given.format("%Y-%m-%d").to_string());
    encoded && stored_ok
}

/// A new random code of [`CODE_DIGITS`] digits.
pub fn new_code() -> String {
    let n: u32 = rand::rng().random_range(0..1_000_000);
    format!("{n:06}")
}

/// The code's hash as stored: SHA-256 over the code row's random id and the
/// code, so equal codes never hash alike and the table alone reveals none.
pub fn code_hash(code_id: &str, code: &str) -> [u8; 32] {
    ids::sha256(format!("rantau-link/{code_id}/{code}").as_bytes())
}

/// The digits of what the worker typed (spaces and dashes ignored); `None`
/// when it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// A stored link attempt, as a confirmation reads it.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The person it is bound to (none when the claim did not match).
    pub person: Option<String>,
    /// The channel asked for.
    pub channel: Channel,
    /// Until when (unix ms).
    pub expires_at: i64,
    /// Wrong codes so far.
    pub wrong: u32,
    /// Confirmed already.
    pub used: bool,
}

/// A code that may confirm an attempt.
#[derive(Debug, Clone)]
pub struct StoredCode {
    /// Its row id (the hash's salt).
    pub id: String,
    /// Its hash ([`code_hash`]).
    pub hash: [u8; 32],
    /// Until when (unix ms).
    pub expires_at: i64,
    /// Used already.
    pub used: bool,
}

/// What a confirmation comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// Good: link the device (and mark the code `code_id` and the attempt used).
    Link {
        /// The code row used.
        code_id: String,
    },
    /// No such attempt for this device.
    NotFound,
    /// Wrong code: counted; `left` more tries before the attempt locks.
    Wrong {
        /// Tries left.
        left: u32,
    },
    /// The attempt or the code is past its time.
    Expired,
    /// The attempt or the code was used already.
    Used,
    /// Too many wrong codes: start again.
    Locked,
}

impl Confirmation {
    /// The error code answered (`None` for a link).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Confirmation::Link { .. } => None,
            Confirmation::NotFound => Some("link.not_found"),
            Confirmation::Wrong { .. } => Some("link.code_wrong"),
            Confirmation::Expired => Some("link.code_expired"),
            Confirmation::Used => Some("link.code_used"),
            Confirmation::Locked => Some("link.locked"),
        }
    }
}

/// Decides a confirmation of `attempt` with `typed` against the codes that may
/// confirm it. Only [`Confirmation::Wrong`] writes anything (the count); every
/// other refusal leaves the server as it was.
pub fn confirm(
    attempt: Option<&Attempt>,
    codes: &[StoredCode],
    typed: &str,
    now: i64,
) -> Confirmation {
    let Some(a) = attempt else {
        return Confirmation::NotFound;
    };
    if a.used {
        return Confirmation::Used;
    }
    if a.wrong >= MAX_WRONG {
        return Confirmation::Locked;
    }
    if now > a.expires_at {
        return Confirmation::Expired;
    }
    let typed = normalize_code(typed);
    let matching = typed.as_deref().and_then(|t| {
        codes
            .iter()
            .find(|c| ids::constant_time_eq(&code_hash(&c.id, t), &c.hash))
    });
    match matching {
        Some(c) if c.used => Confirmation::Used,
        Some(c) if now > c.expires_at => Confirmation::Expired,
        Some(c) => Confirmation::Link {
            code_id: c.id.clone(),
        },
        None => Confirmation::Wrong {
            left: MAX_WRONG.saturating_sub(a.wrong + 1),
        },
    }
}

/// What of a person a newly linked device receives from the feeds of the
/// person's other devices: their registrations' decisions, payments and
/// contributions on their KPJs, replies to their consultations.
#[derive(Debug, Clone, Default)]
pub struct PersonRecords {
    /// The person's KPJs (theirs and their memberships').
    pub kpjs: Vec<String>,
    /// Their registrations and consultations (submission ids).
    pub submissions: Vec<String>,
}

impl PersonRecords {
    /// True when `kind` is about this person.
    pub fn concerns(&self, kind: &EventKind) -> bool {
        let has_kpj = |k: &String| self.kpjs.contains(k);
        let has_sub = |s: &String| self.submissions.contains(s);
        match kind {
            EventKind::RegistrationDecided { submission_id, .. }
            | EventKind::RegistrationRejected { submission_id, .. }
            | EventKind::ConsultationReplied { submission_id, .. } => has_sub(submission_id),
            EventKind::PaymentRecorded { kpj, .. }
            | EventKind::ContributionRecorded { kpj, .. }
            | EventKind::MembershipOnFile { kpj, .. } => has_kpj(kpj),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NIK: &str = "3515144508680002"; // born 05-08-1968

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_birth_date_must_be_the_niks_and_the_imported_one() {
        assert!(birth_matches(NIK, None, d("1968-08-05")));
        assert!(birth_matches(NIK, Some("1968-08-05"), d("1968-08-05")));
        assert!(!birth_matches(NIK, None, d("1968-08-06")));
        assert!(!birth_matches(NIK, Some("1968-08-05"), d("2068-08-05")));
        assert!(!birth_matches("123", None, d("1968-08-05")));
    }

    #[test]
    fn a_start_binds_only_a_matching_person_within_the_hourly_limit() {
        let mut c = Candidate {
            person: "p".into(),
            nik: NIK.into(),
            birth_date: None,
            email: None,
            recent_starts: 0,
        };
        assert!(bind(Some(&c), d("1968-08-05")).is_some());
        assert!(bind(Some(&c), d("1968-08-04")).is_none());
        assert!(bind(None, d("1968-08-05")).is_none());
        c.recent_starts = MAX_STARTS_PER_HOUR;
        assert!(bind(Some(&c), d("1968-08-05")).is_none());
    }

    #[test]
    fn codes_are_six_digits_and_hashed_with_their_row() {
        for _ in 0..50 {
            let c = new_code();
            assert_eq!(normalize_code(&c).as_deref(), Some(c.as_str()));
        }
        assert_eq!(normalize_code("123 456").as_deref(), Some("123456"));
        assert_eq!(normalize_code("12345"), None);
        assert_eq!(normalize_code("12345a"), None);
        assert_ne!(code_hash("a", "123456"), code_hash("b", "123456"));
    }

    #[test]
    fn a_confirmation_is_typed_and_five_wrong_codes_lock() {
        let code = |used, expires_at| StoredCode {
            id: "c1".into(),
            hash: code_hash("c1", "123456"),
            expires_at,
            used,
        };
        let mut a = Attempt {
            person: Some("p".into()),
            channel: Channel::Email,
            expires_at: 100,
            wrong: 0,
            used: false,
        };
        let good = [code(false, 100)];
        assert_eq!(
            confirm(Some(&a), &good, "123 456", 50),
            Confirmation::Link {
                code_id: "c1".into()
            }
        );
        assert_eq!(confirm(None, &good, "123456", 50), Confirmation::NotFound);
        assert_eq!(
            confirm(Some(&a), &good, "654321", 50),
            Confirmation::Wrong { left: 4 }
        );
        assert_eq!(
            confirm(Some(&a), &good, "123456", 101),
            Confirmation::Expired
        );
        assert_eq!(
            confirm(Some(&a), &[code(true, 100)], "123456", 50),
            Confirmation::Used
        );
        assert_eq!(
            confirm(Some(&a), &[code(false, 40)], "123456", 50),
            Confirmation::Expired
        );
        a.wrong = 4;
        assert_eq!(
            confirm(Some(&a), &good, "000000", 50),
            Confirmation::Wrong { left: 0 }
        );
        a.wrong = 5;
        assert_eq!(confirm(Some(&a), &good, "123456", 50), Confirmation::Locked);
        a.used = true;
        assert_eq!(confirm(Some(&a), &good, "123456", 50), Confirmation::Used);
    }
}
