//! `rantau form …`, `rantau draft …` and `rantau outbox …`: fill a form offline,
//! one field per call (each call is one autosave), finalize, and watch the outbox.

use std::process::ExitCode;

use clap::Subcommand;
use rantau_core::app::form::{display, DraftSession, Review};
use rantau_core::app::next::WhatNext;
use rantau_core::app::outbox::OutboxItem;
use rantau_core::app::profile::{DraftView, Profile};
use rantau_core::base::messages;
use rantau_core::forms::{self, FormDefinition, Input, Kind};
use rantau_core::{Error, Lang, Result};

use crate::home::Env;
use crate::out::{self, t};

/// `rantau form …`
#[derive(Subcommand)]
pub enum FormCmd {
    /// List the forms that can be filled.
    List,
    /// Show a form's pages and fields.
    Show {
        /// Form id, e.g. pmi-registration.
        id: String,
    },
}

/// `rantau draft …`
#[derive(Subcommand)]
pub enum DraftCmd {
    /// Start a draft of a form; prints its id. A registration you have not finished
    /// is continued instead of starting another.
    New {
        /// Form id.
        form: String,
    },
    /// Set one field (saved at once). Lists use commas; ticks are ya/tidak.
    Set {
        /// Draft id.
        draft: String,
        /// Field path, e.g. nik or heirs[0].name.
        path: String,
        /// The value as typed (omit with --clear).
        value: Option<String>,
        /// Empty the field.
        #[arg(long)]
        clear: bool,
    },
    /// Show a draft: answers, issues and the contribution due.
    Show {
        /// Draft id.
        draft: String,
    },
    /// List drafts.
    List,
    /// Every answer by page, as it will be sent: check it before finalize.
    Review {
        /// Draft id.
        draft: String,
    },
    /// Finalize: shows the review; with --confirm, validates, freezes and queues for
    /// sending, then says what happens next.
    Finalize {
        /// Draft id.
        draft: String,
        /// Send it: you have checked the review.
        #[arg(long)]
        confirm: bool,
    },
    /// Delete a draft.
    Delete {
        /// Draft id.
        draft: String,
    },
    /// Attach a photo or scan (JPEG, PNG or PDF, at most 5 MB) as the next page of a
    /// document field; stored encrypted in the profile and uploaded at the next sync.
    Attach {
        /// Draft id.
        draft: String,
        /// Document field, e.g. ktp_photo.
        field: String,
        /// The file.
        file: std::path::PathBuf,
    },
    /// List the files attached to a draft (or a submission).
    Files {
        /// Draft or submission id.
        draft: String,
    },
    /// Remove a file from a document field.
    Detach {
        /// Draft id.
        draft: String,
        /// Document field.
        field: String,
        /// The file's id (see `draft files`).
        file_id: String,
    },
    /// Reopen a rejected submission as a new draft to fix and resubmit.
    Reopen {
        /// Submission id.
        submission: String,
    },
}

/// `rantau outbox …`
#[derive(Subcommand)]
pub enum OutboxCmd {
    /// List finalized forms and their sending state.
    List,
    /// Take a finalized form that has not left the phone back to a draft.
    Withdraw {
        /// Submission id (see `outbox list`).
        submission: String,
    },
    /// Send again a form that needs your action after many failed attempts.
    SendAgain {
        /// Submission id (see `outbox list`).
        submission: String,
    },
}

/// Runs a `form` command.
pub fn run_form(env: &Env, cmd: FormCmd) -> Result<ExitCode> {
    let lang = env.lang;
    match cmd {
        FormCmd::List => {
            let defs = forms::builtin();
            if env.json {
                let list: Vec<_> = defs
                    .iter()
                    .map(|d| serde_json::json!({"id": d.id, "version": d.version, "title": d.title.get(lang)}))
                    .collect();
                out::json(&list);
            } else {
                for d in defs {
                    out::line(format!(
                        "  {:<18} v{}  {}",
                        d.id,
                        d.version,
                        d.title.get(lang)
                    ));
                }
            }
        }
        FormCmd::Show { id } => {
            let def = forms::builtin_form(&id, None).ok_or(Error::UnknownForm(id))?;
            if env.json {
                out::json(def);
            } else {
                show_form(def, lang);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show_form(def: &FormDefinition, lang: Lang) {
    out::line(format!("{} (v{})", def.title.get(lang), def.version));
    for page in &def.pages {
        out::line(format!("\n[{}]", page.title.get(lang)));
        for f in &page.fields {
            show_field(def, f, lang, "  ");
        }
    }
}

fn show_field(def: &FormDefinition, f: &forms::Field, lang: Lang, indent: &str) {
    if f.kind == Kind::Note {
        out::line(format!("{indent}{}", f.label.get(lang)));
        return;
    }
    let req = if f.required { " *" } else { "" };
    out::line(format!(
        "{indent}{:<24} {}{req}  ({})",
        f.id,
        f.label.get(lang),
        kind_name(f.kind, lang)
    ));
    let choices = def.choices_of(f);
    if !choices.is_empty() && choices.len() <= 12 {
        let list: Vec<String> = choices
            .iter()
            .map(|c| format!("{}={}", c.value, c.label.get(lang)))
            .collect();
        out::line(format!("{indent}    {}", list.join(", ")));
    }
    for sub in &f.fields {
        show_field(def, sub, lang, &format!("{indent}    {}[n].", f.id));
    }
}

fn kind_name(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Text => t(lang, "teks", "text"),
        Kind::Number => t(lang, "angka", "number"),
        Kind::Date => t(lang, "tanggal HH-BB-TTTT", "date DD-MM-YYYY"),
        Kind::SingleChoice => t(lang, "pilih satu", "pick one"),
        Kind::MultiChoice => t(
            lang,
            "pilih beberapa, pisahkan dengan koma",
            "pick several, comma-separated",
        ),
        Kind::Phone => t(lang, "nomor HP", "phone"),
        Kind::Email => "e-mail",
        Kind::Nik => "NIK",
        Kind::Passport => t(lang, "paspor", "passport"),
        Kind::Kpj => "KPJ",
        Kind::Country => t(lang, "negara", "country"),
        Kind::Consent => t(lang, "ya/tidak", "yes/no"),
        Kind::Repeat => t(lang, "daftar", "list"),
        Kind::Note => t(lang, "catatan", "note"),
        Kind::Document => t(
            lang,
            "dokumen: rantau draft attach",
            "document: rantau draft attach",
        ),
    }
}

/// Turns what was typed on the command line into the input the field takes.
pub fn input_for(def: &FormDefinition, path: &str, value: &str) -> Input {
    // The field's kind decides; an unknown path falls through to Text and the
    // core answers with a typed error.
    let leaf = path.rsplit('.').next().unwrap_or(path);
    let field = def.field(path).or_else(|| def.field(leaf));
    match field.map(|f| f.kind) {
        Some(Kind::Consent) => match value.trim().to_lowercase().as_str() {
            "ya" | "y" | "yes" | "true" | "1" | "setuju" => Input::Bool(true),
            "tidak" | "t" | "n" | "no" | "false" | "0" => Input::Bool(false),
            _ => Input::Text(value.to_string()),
        },
        Some(Kind::MultiChoice) => Input::List(
            value
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        Some(Kind::Number) => value
            .trim()
            .parse::<f64>()
            .map(Input::Number)
            .unwrap_or_else(|_| Input::Text(value.to_string())),
        _ => Input::Text(value.to_string()),
    }
}

/// Runs a `draft` command.
pub fn run_draft(env: &Env, cmd: DraftCmd) -> Result<ExitCode> {
    let profile = env.open()?;
    let lang = env.lang;
    match cmd {
        DraftCmd::New { form } => {
            let (d, resumed) = profile.start_or_resume(&form)?;
            if env.json {
                out::json(
                    &serde_json::json!({"draft": d.id, "form_id": d.form_id, "form_version": d.form_version, "resumed": resumed}),
                );
            } else if resumed {
                out::line(format!(
                    "{}: {}",
                    messages::render("draft.resumed", lang, &[]),
                    d.id
                ));
            } else {
                out::line(format!("{}: {}", t(lang, "Draf baru", "New draft"), d.id));
            }
        }
        DraftCmd::Set {
            draft,
            path,
            value,
            clear,
        } => {
            let d = profile.draft(&draft)?;
            let def = forms::builtin_form(&d.form_id, Some(d.form_version))
                .ok_or(Error::UnknownForm(d.form_id))?;
            let input = match (clear, value) {
                (true, _) | (false, None) => Input::Clear,
                (false, Some(v)) => input_for(def, &path, &v),
            };
            let outcome = profile.set_field(&draft, &path, input)?;
            let has_error = outcome.issues.iter().any(|i| i.is_error());
            if env.json {
                out::json(&serde_json::json!({
                    "path": outcome.path, "stored": outcome.stored,
                    "issues": outcome.issues, "visibility": outcome.visibility,
                }));
            } else {
                out::line(format!(
                    "{} {} = {}",
                    t(lang, "Tersimpan:", "Saved:"),
                    outcome.path,
                    shown(def, &outcome.path, &outcome.stored, lang)
                ));
                for i in &outcome.issues {
                    out::line(out::issue_line(i));
                }
                for v in &outcome.visibility {
                    let what = if v.visible {
                        t(lang, "muncul", "shown")
                    } else {
                        t(lang, "disembunyikan", "hidden")
                    };
                    out::line(format!("  → {} {what}", v.path));
                }
                // An urgent answer (a work accident): the numbers to call now,
                // before the form waits for a connection.
                let urgent = def.field(&outcome.path).is_some_and(|f| {
                    def.choices_of(f)
                        .iter()
                        .any(|c| c.urgent && outcome.stored.as_str() == Some(c.value.as_str()))
                });
                if urgent {
                    out::line("");
                    crate::inquiry::print_help(env, &profile.help()?);
                }
            }
            return Ok(if has_error {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
        DraftCmd::Show { draft } => show_draft(env, &profile.draft(&draft)?),
        DraftCmd::List => {
            let list = profile.drafts()?;
            if env.json {
                out::json(&list);
            } else if list.is_empty() {
                out::line(t(lang, "Tidak ada draf.", "No drafts."));
            } else {
                for d in list {
                    let answers = match d.answered {
                        1 => t(lang, "jawaban", "answer"),
                        _ => t(lang, "jawaban", "answers"),
                    };
                    out::line(format!(
                        "  {}  {}  ({} {answers})",
                        d.id, d.title, d.answered
                    ));
                }
            }
        }
        DraftCmd::Review { draft } => {
            let review = DraftSession::resume(&profile, &draft)?.review(&profile);
            if env.json {
                out::json(&review);
            } else {
                print_review(lang, &review);
            }
        }
        DraftCmd::Finalize {
            draft,
            confirm: false,
        } => {
            // The confirm is explicit: without it, the review and a refusal.
            let review = DraftSession::resume(&profile, &draft)?.review(&profile);
            let code = "draft.confirm_needed";
            let message = messages::render(code, lang, &[]);
            if env.json {
                out::json(
                    &serde_json::json!({"review": review, "error": code, "message": message}),
                );
            } else {
                print_review(lang, &review);
                out::refusal(&message, code);
            }
            return Ok(ExitCode::from(1));
        }
        DraftCmd::Finalize {
            draft,
            confirm: true,
        } => {
            let item = profile.finalize(&draft)?;
            let next = profile.what_next(&item.id)?;
            if env.json {
                // The outbox entry as before, with what happens next beside its fields.
                #[derive(serde::Serialize)]
                struct Sent<'a> {
                    #[serde(flatten)]
                    item: &'a OutboxItem,
                    next: &'a WhatNext,
                }
                out::json(&Sent {
                    item: &item,
                    next: &next,
                });
            } else {
                out::line(format!(
                    "{} {} — {}",
                    t(lang, "Sudah siap dikirim:", "Ready to send:"),
                    item.id,
                    item.status
                ));
                print_what_next(&next);
            }
        }
        DraftCmd::Delete { draft } => {
            profile.delete_draft(&draft)?;
            if !env.json {
                out::line(t(lang, "Draf dihapus.", "Draft deleted."));
            }
        }
        DraftCmd::Attach { draft, field, file } => {
            let bytes = std::fs::read(&file).map_err(Error::Io)?;
            let info = profile.attach(&draft, &field, &bytes, None)?;
            if env.json {
                out::json(&info);
            } else {
                out::line(format!(
                    "{} {} {} {} ({}, {} B) — {}",
                    t(lang, "Dilampirkan sebagai halaman", "Attached as page"),
                    info.page + 1,
                    t(lang, "dari", "of"),
                    info.field_path,
                    info.mime,
                    info.size,
                    &info.id[..12.min(info.id.len())],
                ));
            }
        }
        DraftCmd::Files { draft } => {
            let files = profile.attachments(&draft, None)?;
            if env.json {
                out::json(&files);
            } else if files.is_empty() {
                out::line(t(lang, "Tidak ada berkas.", "No files."));
            } else {
                for f in files {
                    let state = if f.uploaded {
                        t(lang, "terkirim", "uploaded")
                    } else {
                        t(lang, "belum terkirim", "not uploaded")
                    };
                    out::line(format!(
                        "  {} #{} {} {} {} B — {state}",
                        f.field_path,
                        f.page + 1,
                        f.id,
                        f.mime,
                        f.size
                    ));
                }
            }
        }
        DraftCmd::Detach {
            draft,
            field,
            file_id,
        } => {
            profile.remove_attachment(&draft, &field, &file_id)?;
            if !env.json {
                out::line(t(lang, "Berkas dilepas.", "File removed."));
            }
        }
        DraftCmd::Reopen { submission } => {
            let d = profile.reopen_rejected(&submission)?;
            if env.json {
                out::json(&d);
            } else {
                out::line(format!(
                    "{}: {}",
                    t(lang, "Draf perbaikan", "Correction draft"),
                    d.id
                ));
                out::issues(lang, &d.issues);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A stored value as the core writes it for people (dates DD-MM-YYYY, choices by
/// label); what the core cannot place (an unknown path) as stored.
fn shown(def: &FormDefinition, path: &str, v: &serde_json::Value, lang: Lang) -> String {
    let field = def.field(path);
    match field.and_then(|f| display::display(def, f, Some(v), lang)) {
        Some(s) => s,
        None => match v {
            serde_json::Value::String(s) if field.is_none() => s.clone(),
            serde_json::Value::Null | serde_json::Value::String(_) => "—".into(),
            other => other.to_string(),
        },
    }
}

/// Prints a draft: its answers, every issue and the contribution due.
pub fn show_draft(env: &Env, d: &DraftView) {
    let lang = env.lang;
    if env.json {
        out::json(d);
        return;
    }
    let def = forms::builtin_form(&d.form_id, Some(d.form_version));
    let title = def.map(|f| f.title.get(lang)).unwrap_or(&d.form_id);
    out::line(format!("{title} — {} {}", t(lang, "draf", "draft"), d.id));
    for (k, v) in &d.answers {
        let label = def
            .and_then(|f| f.field(k))
            .map(|f| f.label.get(lang))
            .unwrap_or(k);
        let value = match def {
            Some(def) => shown(def, k, v, lang),
            None => v.to_string(),
        };
        out::line(format!("  {label}: {value}"));
    }
    let errors = d.issues.iter().filter(|i| i.is_error()).count();
    let noun = match errors {
        1 => t(lang, "kesalahan", "error"),
        _ => t(lang, "kesalahan", "errors"),
    };
    out::line(format!(
        "{} ({errors} {noun})",
        t(lang, "Pemeriksaan", "Checks"),
    ));
    out::issues(lang, &d.issues);
    if let Some(q) = &d.contribution {
        out::line(format!(
            "{}: {} ({} {}, {} {}{})",
            t(lang, "Iuran yang harus dibayar", "Contribution due"),
            out::rupiah(q.total_due),
            t(lang, "pra-penempatan", "pre-placement"),
            out::rupiah(q.pre_placement),
            t(lang, "penempatan", "placement"),
            out::rupiah(q.placement),
            if q.jht_monthly > 0 {
                format!(", JHT {}", out::rupiah(q.jht_monthly))
            } else {
                String::new()
            },
        ));
        if q.estimate {
            out::line(t(
                lang,
                "  (perkiraan; jumlah pasti ada pada kode pembayaran)",
                "  (estimate; the exact amount comes with the payment code)",
            ));
        }
    }
}

/// Prints the outbox.
pub fn print_outbox(env: &Env, items: &[OutboxItem]) {
    let lang = env.lang;
    if env.json {
        out::json(&items);
        return;
    }
    if items.is_empty() {
        out::line(t(
            lang,
            "Belum ada formulir yang siap dikirim.",
            "No form is ready to send yet.",
        ));
    }
    for i in items {
        let reference = i
            .reference
            .as_deref()
            .map(|r| format!("  [{r}]"))
            .unwrap_or_default();
        out::line(format!(
            "  {}  {:<28} {}{reference}",
            i.id, i.title, i.status
        ));
        for issue in &i.issues {
            out::line(format!("    {}", out::issue_line(issue)));
        }
    }
}

/// Runs an `outbox` command.
pub fn run_outbox(env: &Env, cmd: OutboxCmd) -> Result<ExitCode> {
    let profile: Profile = env.open()?;
    match cmd {
        OutboxCmd::List => {
            print_outbox(env, &profile.outbox()?);
            if !env.json {
                // What is still to go, in MB: the worker's data budget.
                if let Some(to_send) = profile.outbox_summary()?.to_send {
                    out::line(to_send);
                }
            }
        }
        OutboxCmd::Withdraw { submission } => {
            let d = profile.withdraw(&submission)?;
            if env.json {
                out::json(&d);
            } else {
                out::line(format!(
                    "{}: {}",
                    messages::render("outbox.taken_back", env.lang, &[]),
                    d.id
                ));
            }
        }
        OutboxCmd::SendAgain { submission } => {
            let item = profile.send_again(&submission)?;
            print_outbox(env, std::slice::from_ref(&item));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The review: each page's title (with the page number to go back to), then its
/// answers, label and value; the contribution due; how to send.
fn print_review(lang: Lang, review: &Review) {
    out::line(format!(
        "{} — {}",
        review.title,
        t(lang, "periksa sebelum dikirim", "check before sending")
    ));
    for page in &review.pages {
        out::line(format!(
            "\n{} ({} {})",
            page.title,
            t(lang, "halaman", "page"),
            page.page + 1
        ));
        for line in &page.lines {
            out::line(format!("  {}: {}", line.label, line.value));
        }
    }
    if let Some(q) = &review.contribution {
        out::line(format!("\n{}", q.title));
        for l in q.lines.iter().chain([&q.total]) {
            out::line(format!("  {}: {}", l.label, l.amount));
        }
    }
    out::line(format!(
        "\n{}",
        t(
            lang,
            "Ubah jawaban dengan `rantau draft set`; kirim dengan `rantau draft finalize ID --confirm`.",
            "Change an answer with `rantau draft set`; send with `rantau draft finalize ID --confirm`."
        )
    ));
}

/// What happens next: each step's heading and text, the payment step's channels
/// right under it.
pub fn print_what_next(next: &WhatNext) {
    out::line(format!("\n{}", next.title));
    for step in &next.steps {
        out::line(format!("  {}: {}", step.title, step.text));
        for c in &step.channels {
            out::line(format!("    - {}: {}", c.name, c.how));
        }
    }
}
