//! Quick checks for staff and scripts: `rantau check nik|phone|passport` and `rantau fee`.
//! Every check answers `{"valid", "normalized", "issues"}`; exit code 0 when valid, 1 when not.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use rantau_core::app::checks::{self, CheckResult};
use rantau_core::domain::tariff::Scheme;
use rantau_core::{Problem, Result};

use crate::home::Env;
use crate::out::{self, t};

/// `rantau check …`
#[derive(Subcommand)]
pub enum CheckCmd {
    /// Check a NIK (16 digits), optionally against a declared birth date and sex.
    Nik {
        /// The NIK.
        nik: String,
        /// Declared birth date (DD-MM-YYYY, e.g. 17-08-1995; also 17081995 or 1995-08-17).
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

/// Runs a check and prints its result.
pub fn run(env: &Env, cmd: CheckCmd) -> Result<ExitCode> {
    let lang = env.lang;
    let result = match cmd {
        CheckCmd::Nik { nik, dob, sex } => {
            checks::check_nik(&nik, dob.as_deref(), sex.as_deref(), lang)
        }
        CheckCmd::Phone { input, country } => checks::check_phone(&input, &country, lang),
        CheckCmd::Passport { input } => checks::check_passport(&input, lang),
    };
    if env.json {
        out::json(&result);
    } else {
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
    let today = checks::today();
    let quote = match Scheme::parse(&args.scheme) {
        Some(scheme) => checks::fee(scheme, args.months, args.jht, today, lang),
        None => Err(vec![
            Problem::error("tariff.scheme_invalid").localize("fee", lang)
        ]),
    };
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
        Err(issues) => {
            if env.json {
                out::json(&CheckResult {
                    valid: false,
                    normalized: String::new(),
                    issues,
                });
            } else {
                for issue in &issues {
                    out::line(out::issue_line(issue));
                }
            }
            Ok(ExitCode::from(1))
        }
    }
}
