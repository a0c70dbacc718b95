//! HTTPS on loopback for the tests: a throwaway certificate authority ([`TestCa`],
//! made with rcgen) and a TLS-terminating proxy ([`TlsProxy`]) in front of the
//! reference server, as a deployment puts one (nginx, a cloud load balancer) in
//! front of it. Certificates can be made wrong on purpose: another authority, another
//! host name, expired.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

/// A certificate authority that exists only for one test run.
pub struct TestCa {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A server certificate (with its authority's certificate after it) and its key.
pub struct ServerCert {
    chain: Vec<CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
}

/// How long a server certificate is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// From yesterday to a year from now.
    Current,
    /// From 2020-01-01 to 2021-01-01: expired.
    Expired,
}

fn fail<T>(what: &str, e: impl std::fmt::Display) -> T {
    panic!("test pki: {what}: {e}")
}

impl TestCa {
    /// A new authority named `name`.
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().unwrap_or_else(|e| fail("ca key", e));
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params
            .self_signed(&key)
            .unwrap_or_else(|e| fail("ca certificate", e));
        TestCa { cert, key }
    }

    /// The authority's certificate in PEM: what a client is told to trust.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A server certificate for `names` (DNS names or IP addresses), signed by this
    /// authority.
    pub fn server_cert(&self, names: &[&str], validity: Validity) -> ServerCert {
        let key = KeyPair::generate().unwrap_or_else(|e| fail("server key", e));
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.subject_alt_names = names
            .iter()
            .map(|n| match n.parse::<IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName((*n).try_into().unwrap_or_else(|e| fail("dns name", e))),
            })
            .collect();
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let now = time::OffsetDateTime::now_utc();
        match validity {
            Validity::Current => {
                params.not_before = now - time::Duration::days(1);
                params.not_after = now + time::Duration::days(365);
            }
            Validity::Expired => {
                params.not_before = rcgen::date_time_ymd(2020, 1, 1);
                params.not_after = rcgen::date_time_ymd(2021, 1, 1);
            }
        }
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .unwrap_or_else(|e| fail("server certificate", e));
        ServerCert {
            chain: vec![cert.der().clone(), self.cert.der().clone()],
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// A TLS-terminating proxy on a free loopback port: TLS from the client, plain
/// HTTP/1.1 bytes to `upstream`. It counts handshakes that completed and those the
/// client broke off (a client that refuses the certificate never sends a byte).
pub struct TlsProxy {
    addr: SocketAddr,
    completed: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TlsProxy {
    /// Starts the proxy with `cert` in front of `upstream`.
    pub async fn start(upstream: SocketAddr, cert: ServerCert) -> TlsProxy {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| fail("tls versions", e))
            .with_no_client_auth()
            .with_single_cert(cert.chain, PrivateKeyDer::Pkcs8(cert.key))
            .unwrap_or_else(|e| fail("tls config", e));
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .unwrap_or_else(|e| fail("bind", e));
        let addr = listener.local_addr().unwrap_or_else(|e| fail("addr", e));
        let completed = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let (done, broken) = (completed.clone(), refused.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let (done, broken) = (done.clone(), broken.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(client).await else {
                        broken.fetch_add(1, Ordering::SeqCst);
                        return;
                    };
                    done.fetch_add(1, Ordering::SeqCst);
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                });
            }
        });
        TlsProxy {
            addr,
            completed,
            refused,
            task,
        }
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Handshakes that completed (the client trusted the certificate).
    pub fn completed(&self) -> usize {
        self.completed.load(Ordering::SeqCst)
    }

    /// Handshakes that failed (e.g. the client refused the certificate).
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
