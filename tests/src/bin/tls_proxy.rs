//! HTTPS in front of a running reference server, for the Kotlin facade's tests on
//! the JVM (which cannot make certificates without extra libraries): makes a test
//! authority, writes its certificate (PEM) to `--ca-out`, and terminates TLS on a
//! free loopback port, forwarding plain HTTP to `--upstream`. Prints one line,
//! `listening https://127.0.0.1:<port>`, then serves until stdin closes or it is killed.
//!
//!   tls_proxy --upstream 127.0.0.1:8080 --ca-out ca.pem [--cert wrong-ca|wrong-name|expired]

// A test program: it reports on stdout and stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use rantau_tests::tls::{TestCa, TlsProxy, Validity};

struct Args {
    upstream: SocketAddr,
    ca_out: PathBuf,
    cert: String,
}

fn args() -> Result<Args, String> {
    let (mut upstream, mut ca_out, mut cert) = (None, None, "good".to_string());
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--upstream" => upstream = Some(value.parse().map_err(|e| format!("{value}: {e}"))?),
            "--ca-out" => ca_out = Some(PathBuf::from(value)),
            "--cert" => cert = value,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(Args {
        upstream: upstream.ok_or("--upstream is required")?,
        ca_out: ca_out.ok_or("--ca-out is required")?,
        cert,
    })
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tls_proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let trusted = TestCa::new("Rantau test CA");
    // The certificate the proxy shows: signed by the trusted authority, or wrong in one way.
    let cert = match args.cert.as_str() {
        "good" => trusted.server_cert(&["127.0.0.1", "localhost"], Validity::Current),
        "wrong-ca" => {
            TestCa::new("Someone else's CA").server_cert(&["127.0.0.1"], Validity::Current)
        }
        "wrong-name" => trusted.server_cert(&["sync.rantau.test"], Validity::Current),
        "expired" => trusted.server_cert(&["127.0.0.1"], Validity::Expired),
        other => {
            eprintln!("tls_proxy: --cert good | wrong-ca | wrong-name | expired, not {other}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::write(&args.ca_out, trusted.pem()) {
        eprintln!("tls_proxy: {}: {e}", args.ca_out.display());
        return ExitCode::from(1);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tls_proxy: runtime: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async {
        let proxy = TlsProxy::start(args.upstream, cert).await;
        println!("listening {}", proxy.url());
        let _ = std::io::stdout().flush();
        // Until the parent closes our stdin (or kills us).
        let _ = tokio::task::spawn_blocking(|| {
            std::io::copy(&mut std::io::stdin(), &mut std::io::sink())
        })
        .await;
        drop(proxy);
    });
    ExitCode::SUCCESS
}
