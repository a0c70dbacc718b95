//! Calls that need no open profile: identifier checks, the contribution quote,
//! the service-point directory, key generation, the profile list; plus a
//! trivial call (call-cost benchmark) and a panicking one (tests the panic guard).

use std::path::Path;

use rantau_core::app::checks::{self, CheckResult};
use rantau_core::app::directory::{self, CountryInfo, ServicePoint};
use rantau_core::app::help::{self, Help};
use rantau_core::app::profile_list::{self, ProfileEntry};
use rantau_core::app::{self, Key};
use rantau_core::domain::photo::{PhotoPlan, PixelSize};
use rantau_core::domain::tariff::{FeeQuote, Scheme};
use rantau_core::Lang;

use crate::error::{guard, RantauError, Res};

/// Checks a NIK, and against it a declared birth date and sex (`M`/`F`/`L`/`P`).
#[uniffi::export]
pub fn check_nik(
    nik: String,
    birth_date: Option<String>,
    sex: Option<String>,
    lang: Lang,
) -> Res<CheckResult> {
    guard(|| {
        Ok(checks::check_nik(
            &nik,
            birth_date.as_deref(),
            sex.as_deref(),
            lang,
        ))
    })
}

/// Checks a phone number and normalizes it to E.164; `default_country` (ISO code)
/// applies when it has no `+` prefix.
#[uniffi::export]
pub fn check_phone(input: String, default_country: String, lang: Lang) -> Res<CheckResult> {
    guard(|| Ok(checks::check_phone(&input, &default_country, lang)))
}

/// Checks and normalizes an Indonesian passport number.
#[uniffi::export]
pub fn check_passport(input: String, lang: Lang) -> Res<CheckResult> {
    guard(|| Ok(checks::check_passport(&input, lang)))
}

/// The contribution due today for a contract of `months` months, with an optional
/// monthly JHT. Out-of-range inputs are [`RantauError::Validation`].
#[uniffi::export]
pub fn fee(scheme: Scheme, months: u32, jht_monthly: Option<u64>, lang: Lang) -> Res<FeeQuote> {
    guard(|| {
        checks::fee(scheme, months, jht_monthly, checks::today(), lang).map_err(|issues| {
            RantauError::Validation {
                code: issues.first().map(|i| i.code.clone()).unwrap_or_default(),
                issues,
            }
        })
    })
}

/// The JHT amounts a worker may choose per month, today.
#[uniffi::export]
pub fn jht_options() -> Vec<u64> {
    guard(|| Ok(checks::jht_options(checks::today()))).unwrap_or_default()
}

/// The service points in a country (ISO code, any case), from the built-in directory.
#[uniffi::export]
pub fn service_points(country: String, lang: Lang) -> Vec<ServicePoint> {
    guard(|| Ok(directory::service_points(&country, lang))).unwrap_or_default()
}

/// The numbers to call now in a country (ISO code, any case; none: only the lines
/// that answer from anywhere), each with its dial and chat link.
#[uniffi::export]
pub fn help_for(country: Option<String>, lang: Lang) -> Res<Help> {
    guard(|| Ok(help::help_for(country.as_deref(), lang)))
}

/// Indonesia, then the destinations by number of workers.
#[uniffi::export]
pub fn countries(lang: Lang) -> Vec<CountryInfo> {
    guard(|| Ok(directory::countries(lang))).unwrap_or_default()
}

/// True when `number` is one a mission publicly called a scam.
#[uniffi::export]
pub fn is_scam_number(number: String) -> bool {
    guard(|| Ok(directory::is_scam_number(&number))).unwrap_or(false)
}

/// A new random 32-byte profile key, in hex (the app wraps it with the Keystore).
#[uniffi::export]
pub fn generate_key_hex() -> String {
    Key::generate().to_hex().as_str().to_string()
}

/// The user's message for the stable `code` of a [`RantauError`] (e.g.
/// `store.not_a_database`) in `lang`, for screens that show a failed call. An unknown
/// code comes back as itself. Meant for codes without parameters: those of opening a
/// profile, storage and sync; validation issues carry their own messages.
#[uniffi::export]
pub fn error_message(code: String, lang: Lang) -> String {
    rantau_core::base::messages::render(&code, lang, &[])
}

/// The profile names in `dir`, sorted.
#[uniffi::export]
pub fn list_profiles(dir: String) -> Res<Vec<String>> {
    guard(|| Ok(app::list_profiles(Path::new(&dir))?))
}

/// The profile list of `dir` as the first screen shows it: each profile's name
/// (to open it) and its label (the name, or "Profil 1" … while this device hides
/// names), in `lang`.
#[uniffi::export]
pub fn profile_entries(dir: String, lang: Lang) -> Res<Vec<ProfileEntry>> {
    guard(|| Ok(profile_list::profile_entries(Path::new(&dir), lang)?))
}

/// True when this device's profile list in `dir` hides the names.
#[uniffi::export]
pub fn names_hidden(dir: String) -> bool {
    guard(|| Ok(profile_list::names_hidden(Path::new(&dir)))).unwrap_or(false)
}

/// Hides (or shows again) the names in this device's profile list in `dir`.
#[uniffi::export]
pub fn set_names_hidden(dir: String, hidden: bool) -> Res<()> {
    guard(|| Ok(profile_list::set_names_hidden(Path::new(&dir), hidden)?))
}

/// The core's version: also the cheapest call, for measuring FFI overhead.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Returns its argument: the bare cost of one FFI call (no allocation, no buffer).
#[uniffi::export]
pub fn echo_u32(value: u32) -> u32 {
    value
}

/// Test hook, not for the app: panics inside the guard, which must come back as
/// [`RantauError::Internal`] rather than crash the process.
#[doc(hidden)]
#[uniffi::export]
pub fn testing_panic(message: String) -> Res<()> {
    guard(|| panic!("{message}"))
}

/// The decoder subsampling for a `width` × `height` camera photo under `plan` (a
/// document field's `FieldSlot.photo`): a power of two.
#[uniffi::export]
pub fn photo_sample_size(plan: PhotoPlan, width: u32, height: u32) -> u32 {
    plan.sample_size(width, height)
}

/// The size a decoded photo is scaled to under `plan` before it is compressed.
#[uniffi::export]
pub fn photo_target_size(plan: PhotoPlan, width: u32, height: u32) -> PixelSize {
    plan.target_size(width, height)
}

/// A moment (`at_ms`, unix ms; e.g. `Reply.at_ms`) as a person reads it on the
/// phone's clock: `DD-MM-YYYY HH:MM`, `utc_offset_minutes` being the phone's offset
/// at that moment (the platform knows its zone, DST included).
#[uniffi::export]
pub fn display_time(at_ms: i64, utc_offset_minutes: i32) -> String {
    rantau_core::domain::date::display_time(at_ms, utc_offset_minutes)
}
