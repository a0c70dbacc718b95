//! The `rantau` binary end to end, as staff and scripts use it: JSON shapes of the
//! quick checks, the worked tariff figures, a whole registration filled and
//! finalized offline through the CLI, typed errors, and the demo.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn rantau(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rantau"))
        .args(args)
        .env("RANTAU_HOME", home)
        .env_remove("RANTAU_KEY")
        .env_remove("RANTAU_LANG")
        .env_remove("RANTAU_PROFILE")
        .output()
        .expect("run rantau")
}

/// A new registration draft in profile `profile`; its id.
fn new_registration(home: &Path, profile: &str) -> String {
    let out = rantau(
        home,
        &[
            "--profile",
            profile,
            "--json",
            "draft",
            "new",
            "pmi-registration",
        ],
    );
    json(&out)["draft"].as_str().unwrap().to_string()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn check_nik_reports_mismatch_with_both_values_and_exit_code() {
    let home = tempfile::tempdir().unwrap();
    let ok = rantau(
        home.path(),
        &[
            "check",
            "nik",
            "3515 1445 0868 0002",
            "--dob",
            "1968-08-05",
            "--sex",
            "F",
            "--json",
        ],
    );
    assert!(ok.status.success());
    let v = json(&ok);
    assert_eq!(v["valid"], true);
    assert_eq!(v["normalized"], "3515144508680002");
    assert_eq!(v["issues"].as_array().unwrap().len(), 0);

    let bad = rantau(
        home.path(),
        &[
            "check",
            "nik",
            "3515144508680002",
            "--dob",
            "1968-08-06",
            "--json",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let v = json(&bad);
    assert_eq!(v["valid"], false);
    let issue = &v["issues"][0];
    assert_eq!(issue["code"], "nik.birth_date_mismatch");
    let msg = issue["message"].as_str().unwrap();
    assert!(
        msg.contains("06-08-1968") && msg.contains("05-08-68"),
        "{msg}"
    );
}

#[test]
fn check_phone_and_passport_normalize() {
    let home = tempfile::tempdir().unwrap();
    let v = json(&rantau(
        home.path(),
        &[
            "check",
            "phone",
            "0812-3456-7890",
            "--country",
            "ID",
            "--json",
        ],
    ));
    assert_eq!(v["normalized"], "+6281234567890");
    let v = json(&rantau(
        home.path(),
        &[
            "check",
            "phone",
            "0912 345 678",
            "--country",
            "tw",
            "--json",
        ],
    ));
    assert_eq!(v["normalized"], "+886912345678");
    let v = json(&rantau(
        home.path(),
        &["check", "passport", " c 1234567 ", "--json"],
    ));
    assert_eq!(
        (v["valid"].as_bool(), v["normalized"].as_str()),
        (Some(true), Some("C1234567"))
    );
    let v = json(&rantau(
        home.path(),
        &["check", "passport", "AB123456", "--json"],
    ));
    assert_eq!(v["issues"][0]["code"], "passport.unusual_format");
    assert_eq!(v["issues"][0]["severity"], "warning");
}

#[test]
fn fee_matches_the_worked_figures() {
    let home = tempfile::tempdir().unwrap();
    let v = json(&rantau(
        home.path(),
        &["fee", "--scheme", "p3mi", "--months", "24", "--json"],
    ));
    assert_eq!(
        (
            v["pre_placement"].as_u64(),
            v["placement"].as_u64(),
            v["total_due"].as_u64()
        ),
        (Some(37_500), Some(332_500), Some(370_000))
    );
    let v = json(&rantau(
        home.path(),
        &["fee", "--scheme", "government", "--months", "36", "--json"],
    ));
    assert_eq!(v["placement"], 494_500);
    let v = json(&rantau(
        home.path(),
        &[
            "fee",
            "--scheme",
            "individual",
            "--months",
            "12",
            "--jht",
            "50000",
            "--json",
        ],
    ));
    assert_eq!(
        (
            v["pre_placement"].as_u64(),
            v["jht_monthly"].as_u64(),
            v["total_due"].as_u64()
        ),
        (Some(0), Some(50_000), Some(239_000))
    );
    let bad = rantau(
        home.path(),
        &[
            "fee", "--scheme", "p3mi", "--months", "24", "--jht", "70000", "--json",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(json(&bad)["issues"][0]["code"], "tariff.jht_invalid");
}

#[test]
fn a_whole_registration_is_filled_and_finalized_offline_through_the_cli() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(rantau(h, &["profile", "create", "siti"]).status.success());
    let draft = new_registration(h, "siti");
    // "Register" again: the unfinished registration, not another one.
    assert_eq!(new_registration(h, "siti"), draft);

    let today = chrono::Utc::now().date_naive();
    let start = today + chrono::Days::new(30);
    let end = start + chrono::Months::new(24) - chrono::Days::new(1);
    let day = |d: chrono::NaiveDate| d.format("%d-%m-%Y").to_string();
    let (start, end, expiry) = (day(start), day(end), day(today + chrono::Days::new(2000)));
    // Every value as the worker writes it in Indonesian: choice labels (not codes),
    // dates day first.
    let answers: Vec<(&str, &str)> = vec![
        ("nik", "3515145708950001"),
        ("full_name", "Sri Wahyuni"),
        ("birth_place", "Sidoarjo"),
        ("birth_date", "17-08-1995"),
        ("sex", "Perempuan"),
        ("mother_maiden_name", "Suminah"),
        ("address", "Jl. Melati No. 5"),
        ("village", "Sidokare"),
        ("district", "Sidoarjo"),
        ("regency", "Kabupaten Sidoarjo"),
        ("province", "Jawa Timur"),
        ("phone_id", "0812 3456 7890"),
        ("destination_country", "Hongkong"),
        ("phone_abroad", "9123 4567"),
        ("passport_number", "c1234567"),
        ("passport_expiry", &expiry),
        ("scheme", "Melalui perusahaan penempatan (P3MI)"),
        ("placement_phase", "Sebelum bekerja (belum berangkat)"),
        ("placement_company", "PT Contoh"),
        ("employer_name", "Chan Tai Man"),
        ("job", "Pekerja rumah tangga"),
        ("contract_start", &start),
        ("contract_end", &end),
        ("jkk_jkm", "ya"),
        ("jht_opt_in", "Tidak"),
        ("heirs[0].name", "Suminah"),
        ("heirs[0].relationship", "Orang tua"),
        ("heirs[0].birth_date", "12-03-1970"),
        ("emergency_name", "Bambang"),
        ("emergency_relationship", "Saudara kandung"),
        ("emergency_phone", "085712345678"),
        ("data_true", "ya"),
        ("data_processing", "ya"),
    ];
    for (path, value) in &answers {
        let out = rantau(
            h,
            &[
                "--profile",
                "siti",
                "--json",
                "draft",
                "set",
                &draft,
                path,
                value,
            ],
        );
        assert!(
            out.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let shown = json(&rantau(
        h,
        &["--profile", "siti", "--json", "draft", "show", &draft],
    ));
    assert_eq!(shown["answers"]["phone_abroad"], "+85291234567");
    // The labels were read as their choices, the dates as days.
    for (field, stored) in [
        ("sex", "F"),
        ("destination_country", "HK"),
        ("scheme", "p3mi"),
        ("placement_phase", "pre_placement"),
        ("job", "domestic_worker"),
        ("jht_opt_in", "no"),
        ("emergency_relationship", "sibling"),
        ("birth_date", "1995-08-17"),
    ] {
        assert_eq!(shown["answers"][field], stored, "{field}");
    }
    assert_eq!(shown["answers"]["heirs"][0]["relationship"], "parent");
    assert_eq!(shown["answers"]["heirs"][0]["birth_date"], "1970-03-12");
    // The review reads as the worker wrote it: labels, names, DD-MM-YYYY; no codes.
    let review = rantau(h, &["--profile", "siti", "draft", "review", &draft]);
    assert!(review.status.success());
    let review = String::from_utf8_lossy(&review.stdout);
    for shown in [
        "Perempuan",
        "Hong Kong",
        "17-08-1995",
        "Sri Wahyuni",
        " 1 · ",
    ] {
        assert!(review.contains(shown), "{shown} missing from:\n{review}");
    }
    for code in [
        "domestic_worker",
        "pre_placement",
        "p3mi",
        "heirs[0]",
        "1995-08-17",
    ] {
        assert!(!review.contains(code), "{code} shown in:\n{review}");
    }
    // Before placement the KTP and the family card are required (Permenaker 4/2023).
    let issue_paths = |v: &Value| -> Vec<String> {
        v["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap().to_string())
            .collect()
    };
    let paths = issue_paths(&shown);
    assert!(
        paths.contains(&"ktp_photo".to_string()) && paths.contains(&"kk_photo".to_string()),
        "{paths:?}"
    );
    for (field, text) in [("ktp_photo", "KTP"), ("kk_photo", "KK")] {
        let file = h.join(format!("{field}.jpg"));
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
        bytes.extend_from_slice(text.as_bytes());
        std::fs::write(&file, bytes).unwrap();
        let out = rantau(
            h,
            &[
                "--profile",
                "siti",
                "draft",
                "attach",
                &draft,
                field,
                file.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(shown["contribution"]["total_due"], 370_000);

    // Without --confirm: the review, and a refusal that says how to send.
    let unconfirmed = rantau(h, &["--profile", "siti", "draft", "finalize", &draft]);
    assert_eq!(unconfirmed.status.code(), Some(1));
    let said = String::from_utf8_lossy(&unconfirmed.stdout);
    assert!(
        said.contains("Sri Wahyuni") && said.contains("--confirm"),
        "{said}"
    );
    let refused = String::from_utf8_lossy(&unconfirmed.stderr);
    assert!(
        refused.contains("--confirm") && refused.contains("draft.confirm_needed"),
        "{refused}"
    );
    let refused_en = rantau(
        h,
        &[
            "--profile",
            "siti",
            "--lang",
            "en",
            "--json",
            "draft",
            "finalize",
            &draft,
        ],
    );
    assert_eq!(refused_en.status.code(), Some(1));
    let v = json(&refused_en);
    assert_eq!(v["error"], "draft.confirm_needed");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("Check the answers"));
    assert!(v["review"]["pages"]
        .as_array()
        .is_some_and(|p| !p.is_empty()));
    assert!(
        json(&rantau(
            h,
            &["--profile", "siti", "--json", "outbox", "list"]
        ))
        .as_array()
        .is_some_and(Vec::is_empty),
        "nothing queued without the confirm"
    );

    let fin = rantau(
        h,
        &[
            "--profile",
            "siti",
            "--json",
            "draft",
            "finalize",
            &draft,
            "--confirm",
        ],
    );
    assert!(
        fin.status.success(),
        "{}",
        String::from_utf8_lossy(&fin.stdout)
    );
    let next = &json(&fin)["next"];
    assert_eq!(next["submission_id"], draft.as_str());
    let outbox = json(&rantau(
        h,
        &["--profile", "siti", "--json", "outbox", "list"],
    ));
    assert_eq!(outbox[0]["id"], draft.as_str());
    assert_eq!(outbox[0]["bucket"], "waiting_to_send");
    // The data budget after the list: small scans and a form, at least 0.1 MB.
    let listed = rantau(h, &["--profile", "siti", "outbox", "list"]);
    let said = String::from_utf8_lossy(&listed.stdout);
    assert!(said.contains("0,1 MB menunggu dikirim"), "{said}");

    let again = rantau(
        h,
        &[
            "--profile",
            "siti",
            "--json",
            "draft",
            "set",
            &draft,
            "full_name",
            "X",
        ],
    );
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(json(&again)["error"], "draft.finalized");

    // Not sent yet: taken back to a draft with the same id, edited, finalized again.
    assert_eq!(outbox[0]["can_take_back"], true);
    let back = rantau(h, &["--profile", "siti", "outbox", "withdraw", &draft]);
    let said = String::from_utf8_lossy(&back.stdout);
    assert!(back.status.success(), "{said}");
    assert!(
        said.contains("Ditarik kembali menjadi draf") && said.contains(&draft),
        "{said}"
    );
    let set = rantau(
        h,
        &[
            "--profile",
            "siti",
            "draft",
            "set",
            &draft,
            "full_name",
            "Siti Aminah",
        ],
    );
    assert!(set.status.success());
    let fin = rantau(
        h,
        &[
            "--profile",
            "siti",
            "draft",
            "finalize",
            &draft,
            "--confirm",
        ],
    );
    assert!(
        fin.status.success(),
        "{}",
        String::from_utf8_lossy(&fin.stdout)
    );
    // What happens next, in the worker's words: KPJ, where to pay in Hong Kong, protection.
    let said = String::from_utf8_lossy(&fin.stdout);
    for shown in [
        "Apa selanjutnya?",
        "KPJ",
        "Di Hong Kong",
        "BNI",
        "setelah iuran dibayar",
    ] {
        assert!(said.contains(shown), "{shown} missing from:\n{said}");
    }
    assert!(!said.contains("Malaysia"), "{said}");
    let gone = rantau(
        h,
        &[
            "--profile",
            "siti",
            "--json",
            "outbox",
            "withdraw",
            "no-such-id",
        ],
    );
    assert_eq!(json(&gone)["error"], "submission.not_found");
}

#[test]
fn values_are_typed_as_people_write_them_and_shown_the_core_s_way() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(rantau(h, &["profile", "create", "a"]).status.success());
    let draft = new_registration(h, "a");
    let set = |args: &[&str]| {
        let mut all = vec!["--profile", "a"];
        all.extend_from_slice(args);
        let out = rantau(h, &all);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    // A date without separators: stored ISO, shown DD-MM-YYYY.
    let (code, out) = set(&["draft", "set", &draft, "birth_date", "17081995"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("birth_date = 17-08-1995"), "{out}");
    let (_, out) = set(&["--json", "draft", "set", &draft, "birth_date", "7.8.1995"]);
    assert_eq!(json_of(&out)["stored"], "1995-08-07");
    // A choice by its label or a short spelling; a country as workers write it.
    let (_, out) = set(&["draft", "set", &draft, "sex", "P"]);
    assert!(out.contains("sex = Perempuan"), "{out}");
    let (_, out) = set(&["--lang", "en", "draft", "set", &draft, "sex", "laki laki"]);
    assert!(out.contains("sex = Male"), "{out}");
    let (_, out) = set(&["draft", "set", &draft, "destination_country", "Hongkong"]);
    assert!(out.contains("destination_country = Hong Kong"), "{out}");
    // A refused choice says what is accepted.
    let (code, out) = set(&["draft", "set", &draft, "sex", "X"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("Laki-laki, Perempuan"), "{out}");
    // A foreign number in the Indonesian field is sent to the field abroad.
    let (code, out) = set(&[
        "--lang",
        "en",
        "draft",
        "set",
        &draft,
        "phone_id",
        "+852 9123 4567",
    ]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("not a number from Indonesia")
            && out.contains("Mobile number in the destination country"),
        "{out}"
    );
    // `draft show` writes dates the same way.
    let (_, out) = set(&["draft", "show", &draft]);
    assert!(out.contains("07-08-1995"), "{out}");
}

fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

#[test]
fn finalize_with_errors_lists_them_in_indonesian() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(rantau(h, &["profile", "create", "a"]).status.success());
    let draft = json(&rantau(
        h,
        &["--profile", "a", "--json", "draft", "new", "consultation"],
    ))["draft"]
        .as_str()
        .unwrap()
        .to_string();
    let out = rantau(
        h,
        &["--profile", "a", "draft", "finalize", &draft, "--confirm"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Formulir belum bisa dikirim") && err.contains("[form.invalid]"),
        "{err}"
    );
}

#[test]
fn wrong_key_is_a_typed_error_and_leaves_the_profile_untouched() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(rantau(h, &["profile", "create", "a"]).status.success());
    let db = h.join("a.db");
    let before = std::fs::read(&db).unwrap();
    let wrong = h.join("wrong.key");
    std::fs::write(&wrong, "00".repeat(32)).unwrap();
    let out = rantau(
        h,
        &[
            "--profile",
            "a",
            "--key-file",
            wrong.to_str().unwrap(),
            "--json",
            "outbox",
            "list",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"], "store.wrong_key");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn demo_tells_the_whole_story_and_counts_exactly_once() {
    let home = tempfile::tempdir().unwrap();
    // On a machine in Hong Kong's time zone (POSIX form: no tz database needed).
    let out = Command::new(env!("CARGO_BIN_EXE_rantau"))
        .arg("demo")
        .env("RANTAU_HOME", home.path())
        .env("TZ", "HKT-8")
        .env_remove("RANTAU_KEY")
        .env_remove("RANTAU_LANG")
        .env_remove("RANTAU_PROFILE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "tidak sama dengan tanggal lahir di dalam NIK",
        "Nomor kartu peserta (KPJ)",
        "AKTIF",
        "Konsultasi dijawab",
        "tepat satu kali",
        "Apa selanjutnya?",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The officer's reply, just now, on the machine's clock (UTC+8), day first.
    let shown = text
        .lines()
        .find_map(|l| l.split_once("↳")?.1.split_once('(')?.1.split_once(')'))
        .map(|(at, _)| at.to_string())
        .unwrap_or_else(|| panic!("no reply in:\n{text}"));
    let at = chrono::NaiveDateTime::parse_from_str(&shown, "%d-%m-%Y %H:%M").unwrap();
    let hk_now = chrono::Utc::now().naive_utc() + chrono::Duration::hours(8);
    assert!(
        (hk_now - at).num_minutes().abs() <= 10,
        "{shown} is not Hong Kong's time now ({hk_now})"
    );
    let en = rantau(home.path(), &["--lang", "en", "demo"]);
    assert!(String::from_utf8_lossy(&en.stdout).contains("exactly once"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_over_https_trusts_the_ca_file_and_refuses_another_authority() {
    use rantau_tests::tls::{TestCa, TlsProxy, Validity};
    let server = rantau_tests::server::start(rantau_server::DbLocation::Memory).await;
    let ca = TestCa::new("Rantau test CA");
    let proxy = TlsProxy::start(
        server.addr,
        ca.server_cert(&["127.0.0.1"], Validity::Current),
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_path_buf();
    let ca_file = h.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let other_ca = h.join("other-ca.pem");
    std::fs::write(&other_ca, TestCa::new("Someone else's CA").pem()).unwrap();
    let url = proxy.url();
    // The CLI blocks; the server and the proxy run on this runtime's workers meanwhile.
    let run = move |args: Vec<String>| {
        let h = h.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            rantau(&h, &args)
        })
    };
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    assert!(run(s(&["profile", "create", "a"]))
        .await
        .unwrap()
        .status
        .success());

    let refused = run(s(&[
        "--profile",
        "a",
        "--json",
        "sync",
        "--server",
        &url,
        "--ca-file",
        other_ca.to_str().unwrap(),
    ]))
    .await
    .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(json(&refused)["error"], "sync.tls");
    assert_eq!(proxy.completed(), 0);

    let ok = run(s(&[
        "--profile",
        "a",
        "--json",
        "sync",
        "--server",
        &url,
        "--ca-file",
        ca_file.to_str().unwrap(),
    ]))
    .await
    .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // Enrollment and the change feed, both over TLS.
    assert!(json(&ok)["requests"].as_u64().unwrap() >= 2);
    assert!(proxy.completed() >= 1);
}

#[test]
fn an_unknown_language_is_a_coded_error_in_both_languages() {
    let home = tempfile::tempdir().unwrap();
    let out = rantau(home.path(), &["--lang", "fr", "form", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing done in a guessed language");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[lang.unknown]")
            && err.contains("tidak dikenal")
            && err.contains("Unknown language"),
        "{err}"
    );
    let out = rantau(home.path(), &["--lang", "xx", "--json", "form", "list"]);
    assert_eq!(json(&out)["error"], "lang.unknown");
    assert!(rantau(home.path(), &["--lang", "EN", "form", "list"])
        .status
        .success());
}

#[test]
fn an_urgent_consultation_shows_the_numbers_to_call_before_it_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    assert!(rantau(home, &["profile", "create", "ani"]).status.success());
    let reg = new_registration(home, "ani");
    let set = |draft: &str, path: &str, value: &str| {
        rantau(
            home,
            &["--profile", "ani", "draft", "set", draft, path, value],
        )
    };
    assert!(set(&reg, "destination_country", "Hongkong")
        .status
        .success());
    let out = rantau(home, &["--profile", "ani", "consult", "new", "--json"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let draft = text
        .split_whitespace()
        .find(|w| w.len() == 36 && w.matches('-').count() == 4)
        .map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .to_string()
        })
        .unwrap_or_else(|| panic!("no draft id in {text}"));
    // A category that is not urgent: no help printed.
    let calm =
        String::from_utf8_lossy(&set(&draft, "category", "Klaim manfaat").stdout).to_string();
    assert!(!calm.contains("999"), "{calm}");
    // Urgent: the numbers of the destination, before anything is queued.
    let urgent = set(&draft, "category", "Kecelakaan kerja");
    assert!(urgent.status.success());
    let urgent = String::from_utf8_lossy(&urgent.stdout).to_string();
    assert!(urgent.contains("Bantuan darurat di Hong Kong"), "{urgent}");
    assert!(
        urgent.contains("999") && urgent.contains("+852 5242 2240") && urgent.contains("175"),
        "{urgent}"
    );
    // Asked for directly, for another country, in English.
    let out = rantau(
        home,
        &[
            "--lang",
            "en",
            "--profile",
            "ani",
            "consult",
            "urgent",
            "--country",
            "tw",
        ],
    );
    let tw = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        tw.contains("Urgent help in Taiwan") && tw.contains("1955"),
        "{tw}"
    );
}

/// `rantau` with `RANTAU_PIN` (and `RANTAU_NEW_PIN`) set as given; nothing from stdin.
fn rantau_pin(home: &Path, pin: Option<&str>, new_pin: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rantau"));
    cmd.args(args)
        .env("RANTAU_HOME", home)
        .env_remove("RANTAU_KEY")
        .env_remove("RANTAU_LANG")
        .env_remove("RANTAU_PROFILE")
        .env_remove("RANTAU_PIN")
        .env_remove("RANTAU_NEW_PIN")
        .stdin(std::process::Stdio::null());
    if let Some(p) = pin {
        cmd.env("RANTAU_PIN", p);
    }
    if let Some(p) = new_pin {
        cmd.env("RANTAU_NEW_PIN", p);
    }
    cmd.output().expect("run rantau")
}

#[test]
fn a_pin_locks_the_profile_for_the_user_and_the_list_can_hide_names() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(rantau(h, &["profile", "create", "siti"]).status.success());
    let draft = new_registration(h, "siti");

    // Trivial and malformed PINs: typed errors, in both languages; no PIN set.
    let easy = rantau_pin(h, None, Some("1234"), &["--profile", "siti", "pin", "set"]);
    assert_eq!(easy.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&easy.stderr).contains("[pin.trivial]"));
    let short = rantau_pin(
        h,
        None,
        Some("12"),
        &["--lang", "en", "--profile", "siti", "--json", "pin", "set"],
    );
    assert_eq!(json(&short)["error"], "pin.format");
    let set = rantau_pin(
        h,
        None,
        Some("482915"),
        &["--profile", "siti", "pin", "set"],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let again = rantau_pin(
        h,
        None,
        Some("5931"),
        &["--profile", "siti", "--json", "pin", "set"],
    );
    assert_eq!(json(&again)["error"], "pin.exists");

    // Without the PIN the drafts stay closed; a wrong one says how many tries are left.
    let none = rantau_pin(
        h,
        Some(""),
        None,
        &["--profile", "siti", "--json", "draft", "list"],
    );
    assert_eq!(json(&none)["error"], "pin.format");
    let wrong = rantau_pin(
        h,
        Some("111222"),
        None,
        &["--lang", "en", "--profile", "siti", "draft", "list"],
    );
    assert_eq!(wrong.status.code(), Some(2));
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        said.contains("Wrong PIN") && said.contains("4 tries left before a wait."),
        "{said}"
    );
    let right = rantau_pin(
        h,
        Some("482915"),
        None,
        &["--profile", "siti", "--json", "draft", "list"],
    );
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    assert!(String::from_utf8_lossy(&right.stdout).contains(&draft));

    // Change, then remove with the new PIN.
    let change = rantau_pin(
        h,
        Some("482915"),
        Some("5931"),
        &["--profile", "siti", "pin", "change"],
    );
    assert!(
        change.status.success(),
        "{}",
        String::from_utf8_lossy(&change.stderr)
    );
    let status = rantau_pin(
        h,
        None,
        None,
        &["--profile", "siti", "--json", "pin", "status"],
    );
    assert_eq!(json(&status)["has_pin"], true);
    assert_eq!(json(&status)["attempts_left"], 5);
    let remove = rantau_pin(
        h,
        Some("5931"),
        None,
        &["--profile", "siti", "pin", "remove"],
    );
    assert!(
        remove.status.success(),
        "{}",
        String::from_utf8_lossy(&remove.stderr)
    );
    assert!(
        rantau_pin(h, None, None, &["--profile", "siti", "draft", "list"])
            .status
            .success()
    );

    // Names hidden on this device: numbered labels in the list.
    assert!(rantau(h, &["profile", "create", "ani"]).status.success());
    assert!(rantau(h, &["profile", "hide-names", "on"]).status.success());
    let listed = json(&rantau(h, &["--json", "profile", "list"]));
    assert_eq!(listed[0]["label"], "Profil 1");
    assert_eq!(listed[1]["label"], "Profil 2");
    let words = rantau(h, &["--lang", "en", "profile", "list"]);
    let words = String::from_utf8_lossy(&words.stdout);
    assert!(
        words.contains("Profile 2") && !words.contains("siti"),
        "{words}"
    );
    assert!(rantau(h, &["profile", "hide-names", "off"])
        .status
        .success());
    assert_eq!(
        json(&rantau(h, &["--json", "profile", "list"]))[1]["label"],
        "siti"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_by_an_officers_code_shows_the_imported_card_and_a_wrong_code_is_worded() {
    let server = rantau_tests::server::start(rantau_server::DbLocation::Memory).await;
    let nik = "3515144508680002";
    let csv = format!(
        "nik,name,birth_date,kpj,start,end\n{nik},Siti Aminah,1968-08-05,12345678907,2026-01-01,2027-12-31\n"
    );
    rantau_tests::server::admin_post(
        server.addr,
        "/v1/admin/persons/import",
        serde_json::json!({ "csv": csv }),
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_path_buf();
    let url = server.base_url();
    let run = move |args: Vec<String>| {
        let h = h.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            rantau(&h, &args)
        })
    };
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    assert!(run(s(&["profile", "create", "a"]))
        .await
        .unwrap()
        .status
        .success());
    let started = run(s(&[
        "--profile",
        "a",
        "link",
        "start",
        "--nik",
        nik,
        "--birth-date",
        "05-08-1968",
        "--officer",
        "--server",
        &url,
    ]))
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&started.stdout);
    assert!(started.status.success(), "{text}");
    assert!(
        text.contains("petugas") && text.contains("rantau link confirm"),
        "{text}"
    );
    let code = rantau_tests::server::admin_post(
        server.addr,
        "/v1/admin/link-codes",
        serde_json::json!({ "nik": nik }),
    )
    .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = run(s(&[
        "--profile",
        "a",
        "link",
        "confirm",
        wrong,
        "--server",
        &url,
    ]))
    .await
    .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("Kode salah") && err.contains('4'), "{err}");
    let linked = run(s(&[
        "--profile",
        "a",
        "--json",
        "link",
        "confirm",
        &code,
        "--server",
        &url,
    ]))
    .await
    .unwrap();
    assert!(
        linked.status.success(),
        "{}",
        String::from_utf8_lossy(&linked.stderr)
    );
    assert_eq!(json(&linked)["kpj"], "12345678907");
    let status = run(s(&["--profile", "a", "status"])).await.unwrap();
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("Terdaftar (di luar") && !text.contains("Belum terdaftar"),
        "{text}"
    );
    let card = run(s(&["--profile", "a", "card"])).await.unwrap();
    let text = String::from_utf8_lossy(&card.stdout);
    assert!(text.contains("12345678907"), "{text}");
}

#[test]
fn help_is_in_indonesian_unless_english_is_asked_for() {
    let home = tempfile::tempdir().unwrap();
    let stdout = |out: &Output| String::from_utf8_lossy(&out.stdout).into_owned();

    for args in [&["--help"][..], &["help"], &["-h"]] {
        let out = rantau(home.path(), args);
        assert!(out.status.success(), "{args:?}");
        let help = stdout(&out);
        for word in [
            "Pemakaian: rantau [OPSI] <PERINTAH>",
            "Perintah:",
            "Opsi:",
            "tetap bisa dipakai tanpa internet",
            "Sinkronkan: kirim formulir",
            "Tampilkan bantuan",
        ] {
            assert!(help.contains(word), "{args:?}: no {word:?} in\n{help}");
        }
        assert!(!help.contains("Usage"), "{help}");
    }

    let out = rantau(home.path(), &["draft", "set", "--help"]);
    let help = stdout(&out);
    assert!(
        help.contains("Argumen:") && help.contains("Kosongkan isian") && help.contains("Id draf"),
        "{help}"
    );
    let out = rantau(home.path(), &["help", "backup", "export"]);
    assert!(
        stdout(&out).contains("Berkas cadangan yang ditulis"),
        "{}",
        stdout(&out)
    );

    // A mistyped command: clap's error, its usage line included, in Indonesian.
    let out = rantau(home.path(), &["drafts"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("perintah tidak dikenal 'drafts'") && err.contains("Pemakaian: rantau"),
        "{err}"
    );
    assert!(!err.contains("Usage") && !err.contains("error:"), "{err}");

    // English on request, wherever --lang is, or from RANTAU_LANG.
    for args in [
        &["--lang", "en", "--help"][..],
        &["draft", "set", "--help", "--lang", "en"],
        &["--lang=en", "help"],
    ] {
        let help = stdout(&rantau(home.path(), args));
        assert!(
            help.contains("Usage:") && !help.contains("Pemakaian"),
            "{args:?}: {help}"
        );
    }
    assert!(stdout(&rantau(home.path(), &["--lang", "en", "--help"])).contains("offline first"));
    let out = Command::new(env!("CARGO_BIN_EXE_rantau"))
        .args(["draft", "--help"])
        .env("RANTAU_HOME", home.path())
        .env("RANTAU_LANG", "en")
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("Drafts: fill a form offline"),
        "{}",
        stdout(&out)
    );
    let err = String::from_utf8_lossy(&rantau(home.path(), &["--lang", "en", "drafts"]).stderr)
        .into_owned();
    assert!(
        err.contains("Usage:") && err.contains("unrecognized subcommand"),
        "{err}"
    );

    // Help in a language nobody asked for is not given: an unknown one is refused.
    let out = rantau(home.path(), &["--lang", "fr", "--help"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[lang.unknown]"));
}
