//! `rantau demo`: the whole story on an embedded reference server on loopback —
//! a worker fills a registration offline (with a mistake and its fix), finalizes,
//! asks a question, syncs, the agency decides and answers, syncs again, and the
//! worker reads card, status and reply from the local cache.

use std::process::ExitCode;

use rantau_core::app::profile::Profile;
use rantau_core::app::Key;
use rantau_core::forms::{samples, Input};
use rantau_core::{Error, Result};
use rantau_server::officer::OfficerClient;
use rantau_server::{spawn_blocking, ServerConfig};
use serde_json::Value;

use crate::home::Env;
use crate::inquiry;
use crate::out::{self, t};

fn step(n: u32, text: &str) {
    out::line(format!("\n[{n}] {text}"));
}

fn server_error(e: rantau_server::Error) -> Error {
    Error::Network(e.to_string())
}

/// A temporary directory removed when dropped (the demo leaves nothing behind).
struct TempHome(std::path::PathBuf);

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Sets a field and prints what was saved and any issue, like the app's form does.
fn set(profile: &Profile, draft: &str, path: &str, input: Input, show: bool) -> Result<bool> {
    let outcome = profile.set_field(draft, path, input)?;
    let ok = !outcome.issues.iter().any(|i| i.is_error());
    if show || !ok {
        let shown = match &outcome.stored {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        out::line(format!(
            "    {path} = {shown} {}",
            if ok { "✓" } else { "" }
        ));
        for i in &outcome.issues {
            out::line(format!("    {}", out::issue_line(i)));
        }
    }
    Ok(ok)
}

/// The sample worker's answers, with dates moved so they are valid today.
fn registration_answers(today: chrono::NaiveDate) -> rantau_core::forms::Answers {
    let mut a = samples::sample_registration();
    let start = today + chrono::Days::new(30);
    let end = start
        .checked_add_months(chrono::Months::new(24))
        .unwrap_or(start)
        - chrono::Days::new(1);
    let day = |d: chrono::NaiveDate| Value::String(d.format("%Y-%m-%d").to_string());
    a.insert("contract_start".into(), day(start));
    a.insert("departure_date".into(), day(start));
    a.insert("contract_end".into(), day(end));
    a.insert(
        "passport_expiry".into(),
        day(today + chrono::Days::new(5 * 365)),
    );
    a
}

/// Runs the demo.
pub fn run(env: &Env) -> Result<ExitCode> {
    let lang = env.lang;
    out::line(t(
        lang,
        "=== Rantau: BPJS Ketenagakerjaan untuk Pekerja Migran Indonesia — demo ===",
        "=== Rantau: BPJS Ketenagakerjaan for Indonesian migrant workers — demo ===",
    ));

    let admin_token = Key::generate().to_hex().as_str().to_string();
    let server =
        spawn_blocking(ServerConfig::ephemeral(admin_token.clone())).map_err(server_error)?;
    let url = server.base_url();
    step(
        1,
        &format!(
            "{} {url}",
            t(
                lang,
                "Server BPJS contoh berjalan di",
                "Reference BPJS server running at"
            )
        ),
    );

    let home = TempHome(std::env::temp_dir().join(format!("rantau-demo-{}", uuid::Uuid::new_v4())));
    let profile = Profile::create(&home.0, "sri", &Key::generate())?;
    profile.set_lang(lang);
    step(
        2,
        t(
            lang,
            "Profil terenkripsi dibuat (SQLCipher, kunci 256-bit):",
            "Encrypted profile created (SQLCipher, 256-bit key):",
        ),
    );
    out::line(format!("    {}", profile.path().display()));

    step(
        3,
        t(
            lang,
            "Mengisi formulir pendaftaran TANPA internet; setiap isian langsung tersimpan:",
            "Filling in the registration OFFLINE; every answer is saved at once:",
        ),
    );
    let draft = profile.new_draft("pmi-registration")?.id;
    let answers = registration_answers(profile.now().date_naive());
    set(
        &profile,
        &draft,
        "nik",
        Input::Text("3515 1457 0895 0001".into()),
        true,
    )?;
    set(
        &profile,
        &draft,
        "full_name",
        Input::Text("Sri Wahyuni".into()),
        true,
    )?;
    set(&profile, &draft, "sex", Input::Text("F".into()), true)?;
    out::line(t(
        lang,
        "    — salah ketik tanggal lahir:",
        "    — a typo in the birth date:",
    ));
    set(
        &profile,
        &draft,
        "birth_date",
        Input::Text("18-08-1995".into()),
        true,
    )?;
    out::line(t(lang, "    — diperbaiki:", "    — fixed:"));
    set(
        &profile,
        &draft,
        "birth_date",
        Input::Text("17-08-1995".into()),
        true,
    )?;
    set(
        &profile,
        &draft,
        "destination_country",
        Input::Text("HK".into()),
        true,
    )?;
    set(
        &profile,
        &draft,
        "phone_abroad",
        Input::Text("9123 4567".into()),
        true,
    )?;
    let mut filled = 6;
    for (path, input) in samples::as_inputs(&answers) {
        if !matches!(
            path.as_str(),
            "nik" | "full_name" | "birth_date" | "sex" | "destination_country" | "phone_abroad"
        ) {
            set(&profile, &draft, &path, input, false)?;
            filled += 1;
        }
    }
    out::line(format!(
        "    … {} {filled} {}",
        t(lang, "total", "in all"),
        t(
            lang,
            "isian tersimpan di perangkat",
            "answers saved on the device"
        )
    ));

    // Phone photos of the KTP and, before placement, the family card (Permenaker
    // 4/2023): stored encrypted inside the profile, sent later in chunks.
    for (field, kib, what) in [
        ("ktp_photo", 180, t(lang, "foto KTP", "KTP photo")),
        (
            "kk_photo",
            120,
            t(lang, "foto Kartu Keluarga", "family card photo"),
        ),
    ] {
        let photo = synthetic_jpeg(kib * 1024);
        let info = profile.attach(&draft, field, &photo, Some("image/jpeg"))?;
        out::line(format!(
            "    {field} = {what} ({} KB, {}) ✓",
            info.size / 1024,
            t(lang, "disimpan terenkripsi", "stored encrypted")
        ));
    }

    let view = profile.draft(&draft)?;
    if let Some(q) = &view.contribution {
        step(
            4,
            t(
                lang,
                "Sebelum final, iuran yang harus dibayar:",
                "Before finalizing, the contribution due:",
            ),
        );
        out::line(format!(
            "    {} {} + {} {} = {}",
            t(lang, "pra-penempatan", "pre-placement"),
            out::rupiah(q.pre_placement),
            t(lang, "penempatan 24 bulan", "24-month placement"),
            out::rupiah(q.placement),
            out::rupiah(q.pre_placement + q.placement)
        ));
        out::line(format!(
            "    + JHT {} {} → {}",
            out::rupiah(q.jht_monthly),
            t(lang, "bulan pertama", "first month"),
            out::rupiah(q.total_due)
        ));
    }

    step(
        5,
        t(
            lang,
            "Dikonfirmasi: diperiksa, dikunci, sudah siap dikirim — masih tanpa internet:",
            "Confirmed: checked, locked, ready to send — still offline:",
        ),
    );
    let reg = profile.finalize(&draft)?;
    crate::draft::print_what_next(&profile.what_next(&reg.id)?);
    let consult = profile.new_draft("consultation")?.id;
    let mut question = samples::sample_consultation();
    question.insert("category".into(), Value::String("registration".into()));
    question.insert(
        "subject".into(),
        Value::String(t(lang, "Kapan kartu saya aktif?", "When is my card active?").into()),
    );
    question.insert(
        "message".into(),
        Value::String(
            t(
                lang,
                "Saya berangkat bulan depan. Kapan perlindungan saya mulai?",
                "I leave next month. When does my protection start?",
            )
            .into(),
        ),
    );
    question.insert("registration_ref".into(), Value::String(reg.id.clone()));
    for (path, input) in samples::as_inputs(&question) {
        set(&profile, &consult, &path, input, false)?;
    }
    let consult_item = profile.finalize(&consult)?;
    crate::draft::print_outbox(env, &profile.outbox()?);

    step(6, t(lang, "Sinyal ada: sinkronisasi (formulir dikirim berkelompok dan dikompresi, tepat satu kali):", "Signal is back: sync (forms sent in compressed batches, exactly once):"));
    let report = inquiry::run_sync(&profile, &url, None, lang, false)?;
    inquiry::print_report(lang, &report);
    crate::draft::print_outbox(env, &profile.outbox()?);
    inquiry::print_card(env, &profile)?;

    step(
        7,
        t(
            lang,
            "Petugas BPJS Ketenagakerjaan mencatat pembayaran dan menjawab konsultasi:",
            "A BPJS Ketenagakerjaan officer records the payment and answers the question:",
        ),
    );
    let officer = OfficerClient::new(&url, &admin_token).map_err(server_error)?;
    let pay = inquiry_payment(&profile)?;
    officer
        .pay(&rantau_server::officer::PaymentRequest {
            kpj: pay.0.clone(),
            amount: pay.1,
            paid_on: profile.now().format("%Y-%m-%d").to_string(),
        })
        .map_err(server_error)?;
    out::line(format!(
        "    {} {} ({})",
        t(
            lang,
            "Pembayaran dicatat untuk KPJ",
            "Payment recorded for KPJ"
        ),
        pay.0,
        out::rupiah(pay.1)
    ));
    let reply = t(lang, "Perlindungan sebelum bekerja berlaku sejak pembayaran; perlindungan selama bekerja mulai saat keberangkatan. Simpan nomor KPJ Anda.", "Pre-placement protection applies from payment; placement protection starts at departure. Keep your KPJ number.");
    officer
        .reply(
            &consult_item.id,
            &rantau_server::officer::ReplyRequest {
                body: reply.into(),
                from: Some("BPJS Ketenagakerjaan 175".into()),
            },
        )
        .map_err(server_error)?;
    out::line(format!(
        "    {}",
        t(lang, "Konsultasi dijawab.", "Consultation answered.")
    ));

    step(
        8,
        t(
            lang,
            "Sinkronisasi lagi: kabar baru ditarik ke penyimpanan lokal:",
            "Sync again: news pulled into the local store:",
        ),
    );
    let report = inquiry::run_sync(&profile, &url, None, lang, false)?;
    inquiry::print_report(lang, &report);

    step(
        9,
        t(
            lang,
            "Yang dibaca pekerja — langsung dari penyimpanan lokal, juga saat offline:",
            "What the worker reads — straight from the local store, offline too:",
        ),
    );
    inquiry::print_status(env, &profile)?;
    inquiry::print_card(env, &profile)?;
    inquiry::print_threads(env, &profile)?;

    let on_server = officer.list(None).map_err(server_error)?.submissions;
    let reg_count = on_server.iter().filter(|s| s.id == reg.id).count();
    out::line(format!(
        "\n{}: {} {}, {} {} ({}).",
        t(lang, "Selesai", "Done"),
        on_server.len(),
        t(lang, "formulir di server", "forms on the server"),
        reg_count,
        t(lang, "pendaftaran", "registration"),
        t(lang, "tepat satu kali", "exactly once")
    ));
    server.stop();
    Ok(if reg_count == 1 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Bytes that look like a JPEG photo (the magic number, then noise that does not compress).
fn synthetic_jpeg(len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x: u32 = 0x2545_F491;
    while bytes.len() < len {
        // xorshift: cheap, deterministic noise.
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// The KPJ and amount due from the cached payment instructions.
fn inquiry_payment(profile: &Profile) -> Result<(String, u64)> {
    profile
        .payment_instructions()?
        .map(|p| (p.kpj, p.amount_due))
        .ok_or_else(|| Error::Network("registration not decided".into()))
}
