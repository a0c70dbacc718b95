//! HTTPS end to end: the core syncs through a TLS-terminating proxy whose test
//! authority it was told to trust; a certificate from another authority, for
//! another host name, or expired is refused with `sync.tls` before a byte of a form
//! leaves the phone, and the outbox stays exactly as it was. A redirect is never
//! followed (`sync.redirect`), so a body with a NIK is never resent elsewhere.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rantau_core::base::messages::render;
use rantau_core::store::outbox::{list_submissions, OutboxState, SubmissionRow};
use rantau_core::store::Store;
use rantau_core::sync::{self, NoObserver, SyncConfig};
use rantau_core::Lang;
use rantau_server::DbLocation;
use rantau_tests::data::{client_store, finalize_registrations};
use rantau_tests::server::{counts, start};
use rantau_tests::tls::{TestCa, TlsProxy, Validity};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn https_config(url: &str, ca: &TestCa) -> SyncConfig {
    let mut c = SyncConfig::new(url).unwrap();
    c.lang = Lang::En;
    c.trust_only_roots_pem(ca.pem().as_bytes()).unwrap();
    c
}

fn outbox(store: &Store) -> Vec<SubmissionRow> {
    store.read(list_submissions).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_over_https_with_the_trusted_test_authority() {
    let server = start(DbLocation::Memory).await;
    let ca = TestCa::new("Rantau test CA");
    let proxy = TlsProxy::start(
        server.addr,
        ca.server_cert(&["127.0.0.1"], Validity::Current),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 3);

    let report = sync::sync(&store, &https_config(&proxy.url(), &ca), &NoObserver)
        .await
        .unwrap();
    assert_eq!((report.accepted, report.push_error), (3, None));
    assert!(
        proxy.completed() >= 1,
        "the sync went through the TLS proxy"
    );
    assert_eq!(proxy.refused(), 0);
    let on_server = counts(server.addr).await;
    for id in &ids {
        assert_eq!(on_server.get(id), Some(&1));
    }
    assert!(outbox(&store)
        .iter()
        .all(|r| r.state == OutboxState::Accepted));
}

/// One way a certificate is wrong, and a word rustls uses for it.
struct Case {
    name: &'static str,
    cert: fn(&TestCa) -> rantau_tests::tls::ServerCert,
    reason: &'static str,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_certificate_is_refused_and_the_outbox_is_untouched() {
    let cases = [
        Case {
            name: "unknown authority",
            cert: |_| {
                TestCa::new("Someone else's CA").server_cert(&["127.0.0.1"], Validity::Current)
            },
            reason: "UnknownIssuer",
        },
        Case {
            name: "wrong host name",
            cert: |ca| ca.server_cert(&["sync.rantau.test"], Validity::Current),
            reason: "not valid for name",
        },
        Case {
            name: "expired",
            cert: |ca| ca.server_cert(&["127.0.0.1"], Validity::Expired),
            reason: "expired",
        },
    ];
    let server = start(DbLocation::Memory).await;
    let ca = TestCa::new("Rantau test CA");
    let good = TlsProxy::start(
        server.addr,
        ca.server_cert(&["127.0.0.1"], Validity::Current),
    )
    .await;
    for case in cases {
        let dir = tempfile::tempdir().unwrap();
        let store = client_store(dir.path());
        // Enrolled through the good proxy with a first form, so the refused run is a
        // push of forms (the path that marks rows `sending`), not only an enrollment.
        finalize_registrations(&store, 1);
        let first = sync::sync(&store, &https_config(&good.url(), &ca), &NoObserver)
            .await
            .unwrap();
        assert_eq!(first.accepted, 1, "{}", case.name);
        let ids = finalize_registrations(&store, 2);
        let before = outbox(&store);

        let bad = TlsProxy::start(server.addr, (case.cert)(&ca)).await;
        let err = sync::sync(&store, &https_config(&bad.url(), &ca), &NoObserver)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "sync.tls", "{}: {err}", case.name);
        assert!(
            err.to_string()
                .to_lowercase()
                .contains(&case.reason.to_lowercase()),
            "{}: {err}",
            case.name
        );
        assert_eq!(
            outbox(&store),
            before,
            "{}: the outbox is untouched",
            case.name
        );
        assert_eq!(
            bad.completed(),
            0,
            "{}: no byte of a form crossed",
            case.name
        );
        // The proxy learns of the refused handshake a moment after the client gave up
        // (its task reads the client's alert): wait for it, bounded, so the verdict
        // does not depend on scheduling.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while bad.refused() == 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(bad.refused() >= 1, "{}", case.name);
        let on_server = counts(server.addr).await;
        for id in &ids {
            assert_eq!(on_server.get(id), None, "{}", case.name);
        }
        // A fresh profile fails the same way at enrollment, and has nothing marked.
        let dir2 = tempfile::tempdir().unwrap();
        let fresh = client_store(dir2.path());
        finalize_registrations(&fresh, 1);
        let before = outbox(&fresh);
        let err = sync::sync(&fresh, &https_config(&bad.url(), &ca), &NoObserver)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "sync.tls", "{}", case.name);
        assert_eq!(outbox(&fresh), before, "{}", case.name);
    }
    for lang in [Lang::Id, Lang::En] {
        assert_ne!(render("sync.tls", lang, &[]), "sync.tls");
    }
}

/// Answers every request with `307` to `location` (after reading its head and body).
async fn redirector(location: String) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let location = location.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 8192];
                // The head, then as many body bytes as it announces.
                let body_len = loop {
                    let Ok(n) = conn.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&seen[..end]).to_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break end + 4 + len;
                    }
                };
                while seen.len() < body_len {
                    let Ok(n) = conn.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                }
                let answer = format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = conn.write_all(answer.as_bytes()).await;
            });
        }
    });
    addr
}

/// A loopback listener that counts the connections anyone makes to it.
async fn catcher() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_not_followed_so_a_form_is_never_resent_elsewhere() {
    let server = start(DbLocation::Memory).await;
    let (elsewhere, reached) = catcher().await;
    let hop = redirector(format!("http://{elsewhere}/v1/submissions/batch")).await;
    let mut cfg = SyncConfig::new(&format!("http://{}", server.addr)).unwrap();
    cfg.lang = Lang::En;

    // Enrolled with the real server, then the server's address answers 307 to the
    // batch (a body full of NIKs, passport numbers and phone numbers).
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    finalize_registrations(&store, 1);
    assert_eq!(
        sync::sync(&store, &cfg, &NoObserver)
            .await
            .unwrap()
            .accepted,
        1
    );
    let ids = finalize_registrations(&store, 2);
    let before = outbox(&store);
    let mut moved = SyncConfig::new(&format!("http://{hop}")).unwrap();
    moved.lang = Lang::En;
    let err = sync::sync(&store, &moved, &NoObserver).await.unwrap_err();
    assert_eq!(err.code(), "sync.redirect", "{err}");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "nothing went to the redirect's target"
    );
    assert_eq!(outbox(&store), before, "the outbox is untouched");
    let on_server = counts(server.addr).await;
    assert!(ids.iter().all(|id| !on_server.contains_key(id)));

    // Enrollment too: a fresh profile is not sent elsewhere either.
    let dir2 = tempfile::tempdir().unwrap();
    let fresh = client_store(dir2.path());
    let err = sync::sync(&fresh, &moved, &NoObserver).await.unwrap_err();
    assert_eq!(err.code(), "sync.redirect");
    assert_eq!(reached.load(Ordering::SeqCst), 0);
    for lang in [Lang::Id, Lang::En] {
        assert_ne!(render("sync.redirect", lang, &[]), "sync.redirect");
    }
}
