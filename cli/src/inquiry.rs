//! `rantau sync`, `status`, `card`, `consult …`: the online side, and what the
//! worker reads from the local cache (never waiting on the network), with its age.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

use rantau_core::app::help::{self, Help};
use rantau_core::app::profile::Profile;
use rantau_core::domain::date::display_time;

use rantau_core::app::sync::Network;
use rantau_core::app::sync::{ServerLink, SyncObserver, SyncReport, SyncState};
use rantau_core::{Lang, Result};

use crate::home::Env;
use crate::out::{self, t};

/// Prints sync progress on one line of the terminal.
pub struct Progress {
    lang: Lang,
    quiet: bool,
    /// Last quarter of the document upload printed (a line per chunk is too many).
    upload_quarter: std::sync::atomic::AtomicUsize,
}

impl Progress {
    /// A progress printer (silent with `--json`).
    pub fn new(lang: Lang, quiet: bool) -> Progress {
        Progress {
            lang,
            quiet,
            upload_quarter: std::sync::atomic::AtomicUsize::new(usize::MAX),
        }
    }
}

impl SyncObserver for Progress {
    #[allow(clippy::print_stderr)]
    fn on_state(&self, state: SyncState) {
        if self.quiet {
            return;
        }
        let lang = self.lang;
        match state {
            SyncState::Enrolling => eprintln!(
                "  … {}",
                t(lang, "mendaftarkan perangkat", "enrolling this device")
            ),
            SyncState::Pushing { total: 0, .. } => {}
            SyncState::Pushing { sent, total } => {
                let width = 20usize;
                let done = (sent * width)
                    .checked_div(total)
                    .unwrap_or(width)
                    .min(width);
                eprintln!(
                    "  ↑ [{}{}] {sent}/{total} {}",
                    "#".repeat(done),
                    ".".repeat(width - done),
                    t(lang, "formulir dikirim", "forms sent")
                );
            }
            SyncState::Uploading {
                files_done,
                files_total,
                bytes_sent,
                bytes_total,
            } => {
                let width = 20usize;
                let done = (bytes_sent.min(bytes_total) * width as u64)
                    .checked_div(bytes_total)
                    .map_or(width, |d| d as usize);
                let quarter = done * 4 / width + files_done;
                if self
                    .upload_quarter
                    .swap(quarter, std::sync::atomic::Ordering::Relaxed)
                    == quarter
                {
                    return;
                }
                eprintln!(
                    "  ↑ [{}{}] {files_done}/{files_total} {}, {} / {} KB",
                    "#".repeat(done),
                    ".".repeat(width - done),
                    t(lang, "dokumen", "documents"),
                    bytes_sent / 1024,
                    bytes_total / 1024
                );
            }
            SyncState::Pulling { events } => eprintln!(
                "  ↓ {events} {}",
                t(lang, "kabar baru diterima", "updates received")
            ),
            SyncState::Done(_) | SyncState::Failed { .. } => {}
        }
    }
}

/// Runs one sync of `profile` with the server at `url` and returns its report.
/// `ca_file`: PEM roots that replace the system's trust store (a test or staging server).
pub fn run_sync(
    profile: &Profile,
    url: &str,
    ca_file: Option<&Path>,
    lang: Lang,
    quiet: bool,
) -> Result<SyncReport> {
    let link = ServerLink::new("rantau-cli");
    if let Some(path) = ca_file {
        link.trust_only_roots(&String::from_utf8_lossy(&std::fs::read(path)?))?;
    }
    let config = link.config(url, lang)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(rantau_core::Error::Io)?;
    // A computer's network: the worker's Wi-Fi and roaming settings do not hold it back.
    let run = rt.block_on(profile.sync(&config, Network::WIRED, &Progress::new(lang, quiet)))?;
    match run.report {
        Some(report) => Ok(report),
        // Only another run of this profile in this process could hold it back.
        None => Err(rantau_core::Error::Interrupted),
    }
}

/// Prints a sync report in words.
pub fn print_report(lang: Lang, r: &SyncReport) {
    out::line(format!(
        "  {}: {} {}, {} {}, {} {}, {} {}",
        t(lang, "Hasil", "Result"),
        r.accepted + r.duplicates,
        t(lang, "diterima", "accepted"),
        r.rejected,
        t(lang, "ditolak", "rejected"),
        r.waiting + r.held,
        t(lang, "menunggu", "waiting"),
        r.pulled_events,
        t(lang, "kabar baru", "updates"),
    ));
    out::line(format!(
        "  {}: {} {}, ↑ {} B, ↓ {} B",
        t(lang, "Jaringan", "Network"),
        r.requests,
        t(lang, "permintaan", "requests"),
        r.bytes_up,
        r.bytes_down,
    ));
    if r.docs_uploaded > 0 || r.doc_bytes_up > 0 {
        out::line(format!(
            "  {}: {} {}, ↑ {} B",
            t(lang, "Dokumen", "Documents"),
            r.docs_uploaded,
            t(
                lang,
                "berkas lengkap di server",
                "files complete on the server"
            ),
            r.doc_bytes_up,
        ));
    }
    if let Some(code) = &r.upload_error {
        out::line(format!(
            "  ! {} [{code}]",
            t(
                lang,
                "Sebagian dokumen belum terkirim; akan dilanjutkan.",
                "Some documents are not uploaded yet; the upload will resume."
            )
        ));
    }
    if r.auth_lost {
        out::line(t(lang, "  ! Perangkat perlu didaftarkan ulang; akan dilakukan otomatis pada sinkronisasi berikutnya.", "  ! This device must enroll again; the next sync does it."));
    }
    if let Some(code) = r.push_error.as_ref().or(r.pull_error.as_ref()) {
        out::line(format!(
            "  ! {} [{code}]",
            t(
                lang,
                "Koneksi terputus; formulir tetap aman dan akan dikirim ulang.",
                "Connection failed; forms are safe and will be sent again."
            )
        ));
    }
}

/// Prints the status card (membership status, windows, the data's age), from the cache.
pub fn print_status(env: &Env, profile: &Profile) -> Result<()> {
    let lang = env.lang;
    let card = profile.status_card()?;
    out::line(format!(
        "{}: {}",
        t(lang, "Status kepesertaan", "Membership status"),
        card.headline
    ));
    out::line(format!("  ({})", card.updated));
    if let Some(rejection) = &card.rejection {
        out::line(format!(
            "  {}: {rejection}",
            t(lang, "Alasan penolakan", "Reason for rejection"),
        ));
    }
    for w in &card.windows {
        out::line(format!("  • {}: {} – {}", w.phase, w.start, w.end));
    }
    Ok(())
}

/// Prints the card and payment instructions, from the cache.
pub fn print_card(env: &Env, profile: &Profile) -> Result<()> {
    let lang = env.lang;
    match profile.card()? {
        None => out::line(t(
            lang,
            "Kartu belum tersedia: pendaftaran belum diproses.",
            "No card yet: the registration has not been processed.",
        )),
        Some(c) => {
            out::line(format!(
                "{}: {}",
                t(
                    lang,
                    "Nomor kartu peserta (KPJ)",
                    "Membership card number (KPJ)"
                ),
                c.kpj
            ));
            out::line(format!(
                "  {}: {}  ({})",
                t(lang, "Referensi", "Reference"),
                c.reference,
                profile.age(Some(c.fetched_at))
            ));
        }
    }
    if let Some(p) = profile.payment_instructions()? {
        if p.paid {
            out::line(format!(
                "{}: {}",
                t(lang, "Iuran", "Contribution"),
                t(lang, "LUNAS", "PAID")
            ));
        } else {
            out::line(format!(
                "{}: {}",
                t(lang, "Kode pembayaran", "Payment code"),
                p.payment_code
            ));
            out::line(format!(
                "  {}: {}, {} {}",
                t(lang, "Jumlah", "Amount"),
                out::rupiah(p.amount_due),
                t(lang, "bayar sebelum", "pay before"),
                p.pay_before
            ));
            for ch in &p.channels {
                out::line(format!("  • {}: {}", ch.name, ch.how));
            }
        }
    }
    let reminders = profile.reminders()?;
    if !reminders.is_empty() {
        out::line(t(lang, "Pengingat berikutnya:", "Next reminders:"));
        for r in reminders.iter().take(3) {
            out::line(format!("  {} — {}", r.on_text, r.text));
        }
        if reminders.len() > 3 {
            out::line(format!(
                "  {} {}",
                reminders.len() - 3,
                t(lang, "lagi sesudahnya", "more after those")
            ));
        }
    }
    Ok(())
}

/// Prints the numbers to call now, section by section, each with how to reach it.
pub fn print_help(env: &Env, h: &Help) {
    if env.json {
        out::json(h);
        return;
    }
    out::line(&h.title);
    out::line(&h.advice);
    for section in &h.sections {
        out::line(format!("\n{}", section.title));
        for l in &section.lines {
            let chat = l
                .chat
                .as_deref()
                .map(|c| format!(" · WhatsApp {c}"))
                .unwrap_or_default();
            out::line(format!("  {}: {}{chat}", l.label, l.number));
        }
    }
}

/// Prints consultation threads with their replies, from the cache.
pub fn print_threads(env: &Env, profile: &Profile) -> Result<()> {
    let lang = env.lang;
    let threads = profile.threads()?;
    if threads.is_empty() {
        out::line(t(lang, "Belum ada konsultasi.", "No consultations yet."));
    }
    for th in threads {
        let state = th.bucket.map_or_else(|| "—".to_string(), |b| b.label(lang));
        out::line(format!(
            "{} {}  ({state})",
            t(lang, "Konsultasi", "Consultation"),
            th.submission_id
        ));
        if th.replies.is_empty() {
            out::line(format!(
                "  {}",
                t(lang, "belum ada balasan", "no reply yet")
            ));
        }
        for r in th.replies {
            let at = display_time(r.at_ms, local_offset_minutes(r.at_ms));
            out::line(format!("  ↳ {} ({at}): {}", r.from, r.body));
        }
    }
    Ok(())
}

/// This machine's offset from UTC at `at_ms`, in minutes (its time zone, DST
/// included): the CLI's clock is the machine's, as the app's is the phone's.
fn local_offset_minutes(at_ms: i64) -> i32 {
    use chrono::Offset;
    chrono::DateTime::from_timestamp_millis(at_ms).map_or(0, |t| {
        t.with_timezone(&chrono::Local)
            .offset()
            .fix()
            .local_minus_utc()
            / 60
    })
}

/// `rantau consult …`
#[derive(Subcommand)]
pub enum ConsultCmd {
    /// Start a consultation or complaint (a draft of the consultation form); prints its id.
    New,
    /// List consultations and replies.
    List,
    /// The numbers to call now (emergency, labour lines, the mission's hotline,
    /// WhatsApp) in your destination, or in `--country`.
    Urgent {
        /// Country code (HK, MY, TW…) instead of the destination of your registration.
        #[arg(long)]
        country: Option<String>,
    },
}

/// Runs `rantau sync`.
pub fn sync_cmd(env: &Env, server: &str, ca_file: Option<&Path>) -> Result<ExitCode> {
    // No PIN: syncing reads nothing out, as on the phone (core: app/profile/pin.rs).
    let profile = env.open_locked()?;
    let report = run_sync(&profile, server, ca_file, env.lang, env.json)?;
    if env.json {
        out::json(&serde_json::json!({
            "sent": report.sent, "accepted": report.accepted, "duplicates": report.duplicates,
            "rejected": report.rejected, "conflicts": report.conflicts, "held": report.held,
            "waiting": report.waiting, "pulled_events": report.pulled_events,
            "bytes_up": report.bytes_up, "bytes_down": report.bytes_down, "requests": report.requests,
            "auth_lost": report.auth_lost, "push_error": report.push_error, "pull_error": report.pull_error,
        }));
    } else {
        print_report(env.lang, &report);
    }
    let failed = report.push_error.is_some() || report.pull_error.is_some();
    Ok(if failed {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs `rantau status`.
pub fn status_cmd(env: &Env) -> Result<ExitCode> {
    let profile = env.open()?;
    print_status(env, &profile)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `rantau card`.
pub fn card_cmd(env: &Env) -> Result<ExitCode> {
    let profile = env.open()?;
    print_card(env, &profile)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `rantau consult …`.
pub fn consult_cmd(env: &Env, cmd: ConsultCmd) -> Result<ExitCode> {
    let profile = env.open()?;
    match cmd {
        ConsultCmd::New => {
            let d = profile.new_draft("consultation")?;
            out::line(format!(
                "{}: {}",
                t(env.lang, "Draf konsultasi", "Consultation draft"),
                d.id
            ));
            out::line(t(env.lang, "Isi dengan: rantau draft set ID category|subject|message|contact_channel NILAI, lalu rantau draft finalize ID", "Fill with: rantau draft set ID category|subject|message|contact_channel VALUE, then rantau draft finalize ID"));
        }
        ConsultCmd::List => print_threads(env, &profile)?,
        ConsultCmd::Urgent { country } => {
            let help = match country {
                Some(c) => help::help_for(Some(&c), env.lang),
                None => profile.help()?,
            };
            print_help(env, &help);
        }
    }
    Ok(ExitCode::SUCCESS)
}
