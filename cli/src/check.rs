//! Quick checks for staff and scripts: `rantau check nik|phone|passport` and `rantau fee`.
//! Every check answers `{"valid", "normalized", "issues"}`; exit code 0 when valid, 1 when not.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use rantau_core::domain::date::parse_date;
use rantau_core::domain::nik::{Nik, Sex};
use rantau_core::domain::passport::Passport;
use rantau_core::domain::phone::Phone;
use rantau_core::domain::tariff::{Scheme, TariffTable};
use rantau_core::{Issue, Problem, Result};
use serde::Serialize;

use crate::home::Env;
use crate::out::{self, t};

/// `rantau check …`
#[derive(Subcommand)]
pub enum CheckCmd {
    /// Check a NIK (16 digits), optionally against a declared birth date and sex.
    Nik {
        /// The NIK.
        nik: String,
        /// Declared birth date (YYYY-MM-DD).
        #[arg(long)]
        dob: Option<String>,
        /// Declared sex: M (laki-laki) or F (perempuan).
        #[arg(long)]
        sex: Option<String>,
    },
    /// Check and normalize a phone number to E.164.
    Phone {
        /// The number as typed.
        input: String,
        /// Country the number is from when it has no +code (ISO code: ID, MY, TW, HK…).
        #[arg(long, default_value = "ID")]
        country: String,
    },
    /// Check and normalize an Indonesian passport number.
    Passport {
        /// The passport number as typed.
        input: String,
    },
}

/// The answer of every check.
#[derive(Serialize)]
struct CheckResult {
    valid: bool,
    normalized: String,
    issues: Vec<Issue>,
}

fn localize(env: &Env, path: &str, problems: &[Problem]) -> Vec<Issue> {
    problems
        .iter()
        .map(|p| p.localize(path, env.lang))
        .collect()
}

/// Runs a check and prints its result.
pub fn run(env: &Env, cmd: CheckCmd) -> Result<ExitCode> {
    let result = match cmd {
        CheckCmd::Nik { nik, dob, sex } => check_nik(env, &nik, dob.as_deref(), sex.as_deref()),
        CheckCmd::Phone { input, country } => {
            match Phone::parse(&input, &country.to_ascii_uppercase()) {
                Ok(c) => CheckResult {
                    valid: true,
                    normalized: c.value.e164().to_string(),
                    issues: localize(env, "phone", &c.warnings),
                },
                Err(p) => CheckResult {
                    valid: false,
                    normalized: String::new(),
                    issues: localize(env, "phone", &[p]),
                },
            }
        }
        CheckCmd::Passport { input } => match Passport::parse(&input) {
            Ok(c) => CheckResult {
                valid: true,
                normalized: c.value.as_str().to_string(),
                issues: localize(env, "passport", &c.warnings),
            },
            Err(p) => CheckResult {
                valid: false,
                normalized: String::new(),
                issues: localize(env, "passport", &[p]),
            },
        },
    };
    if env.json {
        out::json(&result);
    } else {
        let lang = env.lang;
        if result.valid {
            out::line(format!(
                "✓ {}: {}",
                t(lang, "Sah", "Valid"),
                result.normalized
            ));
        } else {
            out::line(format!("✗ {}", t(lang, "Tidak sah", "Not valid")));
        }
        for i in &result.issues {
            out::line(out::issue_line(i));
        }
    }
    Ok(if result.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn check_nik(env: &Env, input: &str, dob: Option<&str>, sex: Option<&str>) -> CheckResult {
    let mut problems = Vec::new();
    let dob = dob.and_then(|d| match parse_date(d) {
        Ok(date) => Some(date),
        Err(p) => {
            problems.push(p);
            None
        }
    });
    let sex = sex.and_then(|s| {
        let parsed = Sex::parse(s);
        if parsed.is_none() {
            problems.push(Problem::error("sex.invalid"));
        }
        parsed
    });
    match Nik::parse(input) {
        Ok(nik) => {
            problems.extend(nik.check_declared(dob, sex));
            let valid = !problems
                .iter()
                .any(|p| p.severity == rantau_core::Severity::Error);
            CheckResult {
                valid,
                normalized: nik.as_str().to_string(),
                issues: localize(env, "nik", &problems),
            }
        }
        Err(p) => {
            problems.insert(0, p);
            CheckResult {
                valid: false,
                normalized: String::new(),
                issues: localize(env, "nik", &problems),
            }
        }
    }
}

/// `rantau fee …`
#[derive(Args)]
pub struct FeeArgs {
    /// Placement scheme: p3mi (placement company), government (G-to-G) or individual.
    #[arg(long)]
    scheme: String,
    /// Contract length in months.
    #[arg(long)]
    months: u32,
    /// Optional JHT (old-age savings) per month, in rupiah: 50000 … 600000.
    #[arg(long)]
    jht: Option<u64>,
}

/// Computes and prints the contribution due.
pub fn fee(env: &Env, args: FeeArgs) -> Result<ExitCode> {
    let lang = env.lang;
    let today = chrono::Utc::now().date_naive();
    let quote = Scheme::parse(&args.scheme)
        .ok_or_else(|| Problem::error("tariff.scheme_invalid"))
        .and_then(|scheme| TariffTable::builtin().quote(scheme, args.months, args.jht, today));
    match quote {
        Ok(q) => {
            if env.json {
                out::json(&q);
            } else {
                out::line(format!(
                    "{}: {}",
                    t(lang, "Pra-penempatan (JKK+JKM)", "Pre-placement (JKK+JKM)"),
                    out::rupiah(q.pre_placement)
                ));
                out::line(format!(
                    "{}: {}",
                    t(
                        lang,
                        "Penempatan + purna (JKK+JKM)",
                        "Placement + post-placement (JKK+JKM)"
                    ),
                    out::rupiah(q.placement)
                ));
                out::line(format!(
                    "{}: {}",
                    t(lang, "JHT per bulan (pilihan)", "JHT per month (optional)"),
                    out::rupiah(q.jht_monthly)
                ));
                out::line(format!(
                    "{}: {}",
                    t(lang, "Total dibayar sekarang", "Total due now"),
                    out::rupiah(q.total_due)
                ));
                out::line(format!("{}: {}", t(lang, "Tarif", "Tariff"), q.tariff));
                if q.estimate {
                    out::line(t(lang, "Perkiraan: jumlah pasti tertera pada kode pembayaran dari BPJS Ketenagakerjaan.", "Estimate: the exact amount is on the payment code issued by BPJS Ketenagakerjaan."));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(p) => {
            let issue = p.localize("fee", lang);
            if env.json {
                out::json(&CheckResult {
                    valid: false,
                    normalized: String::new(),
                    issues: vec![issue],
                });
            } else {
                out::line(out::issue_line(&issue));
            }
            Ok(ExitCode::from(1))
        }
    }
}
