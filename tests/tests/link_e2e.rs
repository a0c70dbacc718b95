//! End to end: "Saya sudah terdaftar" (I am already registered) through the app
//! API (`Profile::link_start` / `link_confirm`) against the reference server on
//! loopback: a person an officer imported links a fresh phone with an officer's
//! code and sees their card and status; a worker registered on an old phone
//! links a new one with a code mailed through a real SMTP server (Python's
//! aiosmtpd, started by `scripts/test-all.sh`: `RANTAU_TEST_SMTP` is its
//! `host:port`, `RANTAU_TEST_SMTP_MAILDIR` the Maildir it writes); wrong, reused
//! and locked codes are typed refusals that change nothing; and a start is
//! answered alike whether or not the NIK exists.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use rantau_core::app::profile::link::{LinkChannel, LinkRequest};
use rantau_core::app::profile::Profile;
use rantau_core::app::sync::Network;
use rantau_core::store::outbox::list_submissions;
use rantau_core::store::Key;
use rantau_core::sync::{NoObserver, SyncConfig};
use rantau_core::{Error, Lang};
use rantau_server::mail::{Security, SmtpConfig};
use rantau_server::{RunningServer, ServerConfig};
use rantau_tests::data::finalize_registrations;
use rantau_tests::server::{admin_post, file_or_postgres, ADMIN_TOKEN};

/// A NIK whose birth date is 1968-08-05 (a woman: day + 40), and its KPJ.
const NIK: &str = "3515144508680002";
const KPJ: &str = "12345678907";
const BIRTH: &str = "05-08-1968";

async fn server(dir: &Path, smtp: Option<SmtpConfig>) -> (RunningServer, impl Drop) {
    let (db, guard) = file_or_postgres(dir);
    let config = ServerConfig {
        db,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        smtp,
        ..ServerConfig::ephemeral(ADMIN_TOKEN)
    };
    (rantau_server::spawn(config).await.unwrap(), Guard(guard))
}

/// Holds the test's PostgreSQL database (if any) until the end.
struct Guard<T>(#[allow(dead_code)] T);
impl<T> Drop for Guard<T> {
    fn drop(&mut self) {}
}

fn profile(dir: &Path, name: &str) -> Profile {
    let p = Profile::create(dir, name, &Key::generate()).unwrap();
    p.set_lang(Lang::En);
    p
}

fn config(server: &RunningServer) -> SyncConfig {
    let mut c = SyncConfig::new(&server.base_url()).unwrap();
    c.lang = Lang::En;
    c
}

fn request(who: &str, birth: &str, channel: LinkChannel) -> LinkRequest {
    LinkRequest {
        nik_or_kpj: who.into(),
        birth_date: birth.into(),
        channel,
    }
}

async fn import_siti(addr: SocketAddr) {
    let csv = format!("nik,name,birth_date,kpj,start,end\n{NIK},Siti Aminah,1968-08-05,{KPJ},2026-01-01,2027-12-31\n");
    admin_post(
        addr,
        "/v1/admin/persons/import",
        serde_json::json!({ "csv": csv }),
    )
    .await;
}

async fn officer_code(addr: SocketAddr, nik: &str) -> String {
    let code = admin_post(
        addr,
        "/v1/admin/link-codes",
        serde_json::json!({ "nik": nik }),
    )
    .await;
    code["code"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_person_links_a_fresh_phone_with_an_officers_code_and_sees_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _db) = server(dir.path(), None).await;
    import_siti(server.addr).await;
    let config = config(&server);
    let phone = profile(dir.path(), "fresh");
    assert!(!phone.status_card().unwrap().registered);

    // At the consulate: the worker starts, the officer checks the passport and
    // issues a code.
    let pending = phone
        .link_start(&config, &request(NIK, BIRTH, LinkChannel::Officer))
        .await
        .unwrap();
    assert!(pending.message.contains("officer"), "{}", pending.message);
    assert!(phone.link_pending().unwrap());
    let code = officer_code(server.addr, NIK).await;

    // A wrong code: typed, counted, nothing linked.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let e = phone
        .link_confirm(&config, wrong, Network::WIRED)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::LinkCodeWrong { left: 4 }), "{e:?}");
    phone
        .sync(&config, Network::WIRED, &NoObserver)
        .await
        .unwrap();
    assert!(
        !phone.status_card().unwrap().registered,
        "a wrong code links nothing"
    );

    // The right one links the phone, and the sync after it brings the card.
    let linked = phone
        .link_confirm(&config, &code, Network::WIRED)
        .await
        .unwrap();
    assert_eq!(linked.kpj.as_deref(), Some(KPJ));
    assert!(!phone.link_pending().unwrap());
    let card = phone.status_card().unwrap();
    assert!(card.registered, "{card:?}");
    assert_eq!(card.kpj.as_deref(), Some(KPJ));
    assert_eq!(
        card.headline,
        "Registered (outside this app); payments are not shown here"
    );
    assert_eq!(phone.card().unwrap().unwrap().kpj, KPJ);

    // The same code again, on another phone: used.
    let other = profile(dir.path(), "other");
    other
        .link_start(&config, &request(KPJ, "1968-08-05", LinkChannel::Officer))
        .await
        .unwrap();
    let e = other
        .link_confirm(&config, &code, Network::WIRED)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::LinkCodeUsed), "{e:?}");

    // Five wrong codes lock the attempt: a good new code no longer links it.
    let fresh = officer_code(server.addr, NIK).await;
    let wrong = if fresh == "000000" {
        "111111"
    } else {
        "000000"
    };
    for left in (0..5).rev() {
        let e = other
            .link_confirm(&config, wrong, Network::WIRED)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::LinkCodeWrong { left: l } if l == left),
            "{e:?}"
        );
    }
    let e = other
        .link_confirm(&config, &fresh, Network::WIRED)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::LinkLocked), "{e:?}");
    other
        .sync(&config, Network::WIRED, &NoObserver)
        .await
        .unwrap();
    assert!(!other.status_card().unwrap().registered, "nothing changed");
    assert!(other.card().unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_is_answered_alike_for_a_nik_that_exists_and_one_that_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _db) = server(dir.path(), None).await;
    import_siti(server.addr).await;
    let c = reqwest::Client::new();
    let enroll: serde_json::Value = c
        .post(format!("{}/v1/devices", server.base_url()))
        .json(&serde_json::json!({"device_id": "probe", "label": "x"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = enroll["token"].as_str().unwrap();
    let mut answers = Vec::new();
    // Siti; a NIK no one holds; Siti with a wrong birth date.
    for (nik, birth) in [
        (NIK, "1968-08-05"),
        ("3515144508680003", "1968-08-05"),
        (NIK, "1968-08-06"),
    ] {
        for channel in ["email", "officer"] {
            let r = c
                .post(format!("{}/v1/link/start", server.base_url()))
                .bearer_auth(token)
                .json(&serde_json::json!({"nik": nik, "birth_date": birth, "channel": channel}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let mut headers: Vec<String> = r
                .headers()
                .keys()
                .map(|k| k.as_str().to_string())
                .filter(|k| k != "date")
                .collect();
            headers.sort();
            let body: serde_json::Value = r.json().await.unwrap();
            let mut keys: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            answers.push((
                status,
                headers,
                keys,
                body["link_id"].as_str().unwrap().len(),
            ));
        }
    }
    assert_eq!(answers[0].0, 202);
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
}

/// The messages in the Maildir now.
fn messages(maildir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(maildir.join("new"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect()
}

/// The code in a message the SMTP server received for `to` that was not among
/// `before` (the same Maildir serves every run of the gate), and the whole
/// message, waiting up to 10 s.
fn mailed_code(maildir: &Path, to: &str, before: &[std::path::PathBuf]) -> (String, String) {
    for _ in 0..100 {
        for path in messages(maildir)
            .into_iter()
            .filter(|p| !before.contains(p))
        {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if !text.lines().any(|l| l.starts_with("To:") && l.contains(to)) {
                continue;
            }
            let after = text.split("Kode tautan Rantau Anda: ").nth(1).unwrap_or("");
            let code: String = after.chars().take(6).collect();
            assert!(
                code.chars().all(|c| c.is_ascii_digit()) && code.len() == 6,
                "{text}"
            );
            return (code, text);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no mail for {to} in {}", maildir.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_registered_on_an_old_phone_links_a_new_one_with_a_mailed_code() {
    let (Ok(smtp), Ok(maildir)) = (
        std::env::var("RANTAU_TEST_SMTP"),
        std::env::var("RANTAU_TEST_SMTP_MAILDIR"),
    ) else {
        eprintln!("skipped: RANTAU_TEST_SMTP and RANTAU_TEST_SMTP_MAILDIR are not set (scripts/test-all.sh starts aiosmtpd)");
        return;
    };
    let (host, port) = smtp.rsplit_once(':').unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (server, _db) = server(
        dir.path(),
        Some(SmtpConfig {
            host: host.into(),
            port: port.parse().unwrap(),
            from: "Rantau <noreply@rantau.test>".into(),
            security: Security::Plain,
        }),
    )
    .await;
    let config = config(&server);

    // The old phone registered the worker (with an e-mail address) and got a card.
    let old = profile(dir.path(), "old");
    finalize_registrations(old.store(), 1);
    old.sync(&config, Network::WIRED, &NoObserver)
        .await
        .unwrap();
    let kpj = old.card().unwrap().unwrap().kpj;
    let payload = old.store().read(list_submissions).unwrap()[0]
        .payload
        .clone();
    let (nik, birth, email) = (
        payload["nik"].as_str().unwrap().to_string(),
        payload["birth_date"].as_str().unwrap().to_string(),
        payload["email"].as_str().unwrap().to_string(),
    );

    // The new phone asks for a code by e-mail; it goes to the address on file.
    let new = profile(dir.path(), "new");
    let before = messages(Path::new(&maildir));
    let pending = new
        .link_start(&config, &request(&nik, &birth, LinkChannel::Email))
        .await
        .unwrap();
    assert!(pending.message.contains("e-mail"), "{}", pending.message);
    let (code, mail) = mailed_code(Path::new(&maildir), &email, &before);
    assert!(
        !mail.contains(&nik) && !mail.contains(&kpj),
        "the mail names no one"
    );
    let linked = new
        .link_confirm(&config, &code, Network::WIRED)
        .await
        .unwrap();
    assert_eq!(linked.kpj.as_deref(), Some(kpj.as_str()));
    let card = new.status_card().unwrap();
    assert!(card.registered);
    assert_eq!(new.card().unwrap().unwrap().kpj, kpj);

    // Nothing waits any more on the new phone.
    let e = new
        .link_confirm(&config, &code, Network::WIRED)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::LinkNotStarted), "{e:?}");

    // A payment recorded after the link reaches both phones.
    let due = old.payment_instructions().unwrap().unwrap().amount_due;
    admin_post(
        server.addr,
        "/v1/admin/payments",
        serde_json::json!({"kpj": kpj, "amount": due, "paid_on": chrono::Utc::now().format("%Y-%m-%d").to_string()}),
    )
    .await;
    for p in [&old, &new] {
        p.sync(&config, Network::WIRED, &NoObserver).await.unwrap();
        let pay = p.payment_instructions().unwrap().unwrap();
        assert!(pay.paid, "{pay:?}");
    }
}
