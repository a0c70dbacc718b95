//! Output helpers: text in the user's language, or JSON for scripts.

use rantau_core::{Issue, Lang, Severity};
use serde::Serialize;

use crate::home::Env;

/// Picks the Indonesian or English text.
pub fn t(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// Writes a line to standard output. The CLI is the one place that prints.
#[allow(clippy::print_stdout)]
pub fn line(s: impl AsRef<str>) {
    println!("{}", s.as_ref());
}

/// Prints a value as pretty JSON.
pub fn json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => line(s),
        Err(e) => line(format!("{{\"error\":\"{e}\"}}")),
    }
}

/// One issue as a text line: `  ✗ nik: message`.
pub fn issue_line(issue: &Issue) -> String {
    let mark = match issue.severity {
        Severity::Error => "✗",
        Severity::Warning => "!",
    };
    if issue.path.is_empty() {
        format!("  {mark} {}", issue.message)
    } else {
        format!("  {mark} {}: {}", issue.path, issue.message)
    }
}

/// Prints a list of issues (or a check mark when there are none).
pub fn issues(lang: Lang, issues: &[Issue]) {
    if issues.is_empty() {
        line(format!(
            "  ✓ {}",
            t(lang, "tidak ada masalah", "no problems")
        ));
    }
    for i in issues {
        line(issue_line(i));
    }
}

/// An error for the user: text to stderr with its code, or JSON.
#[allow(clippy::print_stderr)]
pub fn error(env: &Env, e: &rantau_core::Error) {
    let lang = env.lang;
    if env.json {
        let issues = match e {
            rantau_core::Error::Invalid(issues) => issues.clone(),
            _ => Vec::new(),
        };
        json(&serde_json::json!({ "error": e.code(), "message": e.to_string(), "issues": issues }));
        return;
    }
    let msg = crate::home::error_text(lang, e);
    eprintln!("{}: {msg} [{}]", t(lang, "Gagal", "Error"), e.code());
    if let rantau_core::Error::Invalid(list) = e {
        for i in list {
            eprintln!("{}", issue_line(i));
        }
    }
}

/// A refusal that is not an error of the core (a confirm not given): the
/// message in the user's language with its code, to stderr.
#[allow(clippy::print_stderr)]
pub fn refusal(message: &str, code: &str) {
    eprintln!("{message} [{code}]");
}

/// `--lang` (or `$RANTAU_LANG`) names no language the app speaks: said in both,
/// since which one the user reads is what is unknown.
#[allow(clippy::print_stderr)]
pub fn unknown_language(typed: &str, json: bool) {
    let code = "lang.unknown";
    let say =
        |lang| rantau_core::base::messages::render(code, lang, &[("lang", typed.to_string())]);
    let (id, en) = (say(Lang::Id), say(Lang::En));
    if json {
        self::json(
            &serde_json::json!({ "error": code, "message": format!("{id} / {en}"), "issues": [] }),
        );
    } else {
        eprintln!("{id} [{code}]\n{en}");
    }
}

/// Formats rupiah with dot thousands separators: `Rp 370.000` (the core's formatter).
pub use rantau_core::domain::tariff::rupiah;
