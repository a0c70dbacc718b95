//! `rantau sync`, `status`, `card`, `consult …`: the online side, and what the
//! worker reads from the local cache (never waiting on the network), with its age.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use rantau_core::app::inquiry::{self, MembershipStatus};
use rantau_core::app::profile::Profile;
use rantau_core::protocol::wire::Phase;
use rantau_core::sync::{self, SyncConfig, SyncObserver, SyncReport, SyncState};
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
    let mut config = SyncConfig::new(url)?;
    if let Some(path) = ca_file {
        config.trust_only_roots_pem(&std::fs::read(path)?)?;
    }
    config.lang = lang;
    config.device_label = "rantau-cli".into();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(rantau_core::Error::Io)?;
    rt.block_on(sync::sync(
        profile.store(),
        &config,
        &Progress::new(lang, quiet),
    ))
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

/// How old cached data is, in words: "5 menit lalu".
pub fn age(lang: Lang, fetched_at: Option<i64>, now_ms: i64) -> String {
    let Some(at) = fetched_at else {
        return t(lang, "belum pernah diperbarui", "never updated").to_string();
    };
    let mins = (now_ms - at).max(0) / 60_000;
    match mins {
        0 => t(lang, "baru saja", "just now").to_string(),
        m if m < 60 => format!("{m} {}", t(lang, "menit lalu", "minutes ago")),
        m if m < 48 * 60 => format!("{} {}", m / 60, t(lang, "jam lalu", "hours ago")),
        m => format!("{} {}", m / (24 * 60), t(lang, "hari lalu", "days ago")),
    }
}

fn phase_text(lang: Lang, phase: Phase) -> &'static str {
    match phase {
        Phase::PrePlacement => t(lang, "sebelum bekerja", "pre-placement"),
        Phase::Placement => t(lang, "selama bekerja", "placement"),
        Phase::PostPlacement => t(lang, "setelah bekerja", "post-placement"),
    }
}

/// Prints membership status, card and how to pay, from the cache.
pub fn print_status(env: &Env, profile: &Profile) -> Result<()> {
    let lang = env.lang;
    let now = profile.now();
    let m = inquiry::membership(profile.store(), now.date_naive())?;
    let status = match m.as_ref().map(|m| &m.status) {
        None | Some(MembershipStatus::NotRegistered) => {
            t(lang, "belum terdaftar", "not registered").to_string()
        }
        Some(MembershipStatus::PendingSync) => t(
            lang,
            "pendaftaran menunggu dikirim/diproses",
            "registration waiting to be sent/processed",
        )
        .to_string(),
        Some(MembershipStatus::RegisteredUnpaid) => t(
            lang,
            "terdaftar, iuran belum dibayar",
            "registered, contribution not paid",
        )
        .to_string(),
        Some(MembershipStatus::Active { phase, until }) => format!(
            "{} ({}) {} {}",
            t(lang, "AKTIF", "ACTIVE"),
            phase_text(lang, *phase),
            t(lang, "sampai", "until"),
            until.format("%d-%m-%Y")
        ),
        Some(MembershipStatus::NotYetActive { starts }) => format!(
            "{} {}",
            t(lang, "terlindungi mulai", "protected from"),
            starts.format("%d-%m-%Y")
        ),
        Some(MembershipStatus::Expired { ended }) => format!(
            "{} {}",
            t(lang, "perlindungan berakhir", "protection ended"),
            ended.format("%d-%m-%Y")
        ),
    };
    let fetched = m.as_ref().and_then(|m| m.fetched_at);
    out::line(format!(
        "{}: {status}",
        t(lang, "Status kepesertaan", "Membership status")
    ));
    let updated = match fetched {
        Some(_) => format!(
            "{} {}",
            t(lang, "data diperbarui", "data updated"),
            age(lang, fetched, now.timestamp_millis())
        ),
        None => t(
            lang,
            "belum ada data dari server",
            "no data from the server yet",
        )
        .to_string(),
    };
    out::line(format!("  ({updated})"));
    if let Some(rejection) = m.as_ref().and_then(|m| m.rejection.as_ref()) {
        out::line(format!(
            "  {}: {}",
            t(lang, "Alasan penolakan", "Reason for rejection"),
            rejection.get(lang)
        ));
    }
    for w in m.iter().flat_map(|m| m.windows.iter()) {
        out::line(format!(
            "  • {}: {} – {}",
            phase_text(lang, w.phase),
            w.start.format("%d-%m-%Y"),
            w.end.format("%d-%m-%Y")
        ));
    }
    Ok(())
}

/// Prints the card and payment instructions, from the cache.
pub fn print_card(env: &Env, profile: &Profile) -> Result<()> {
    let lang = env.lang;
    let now = profile.now().timestamp_millis();
    match inquiry::card(profile.store())? {
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
                age(lang, Some(c.fetched_at), now)
            ));
        }
    }
    if let Some(p) = inquiry::payment_instructions(profile.store())? {
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
                out::line(format!("  • {}: {}", ch.name.get(lang), ch.how.get(lang)));
            }
        }
    }
    Ok(())
}

/// Prints consultation threads with their replies, from the cache.
pub fn print_threads(env: &Env, profile: &Profile) -> Result<()> {
    let lang = env.lang;
    let threads = inquiry::threads(profile.store())?;
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
            let at = chrono::DateTime::parse_from_rfc3339(&r.at)
                .map(|d| d.format("%d-%m-%Y %H:%M UTC").to_string())
                .unwrap_or(r.at);
            out::line(format!("  ↳ {} ({at}): {}", r.from, r.body));
        }
    }
    Ok(())
}

/// `rantau consult …`
#[derive(Subcommand)]
pub enum ConsultCmd {
    /// Start a consultation or complaint (a draft of the consultation form); prints its id.
    New,
    /// List consultations and replies.
    List,
}

/// Runs `rantau sync`.
pub fn sync_cmd(env: &Env, server: &str, ca_file: Option<&Path>) -> Result<ExitCode> {
    let profile = env.open()?;
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
    }
    Ok(ExitCode::SUCCESS)
}
