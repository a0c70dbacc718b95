//! Link codes by e-mail: SMTP through `lettre` to the relay the operator
//! configures (`smtp-host`, `smtp-port`, `smtp-from`, `smtp-security`;
//! `docs/deploy.md`). STARTTLS (the default) or implicit TLS go over rustls with
//! the platform's roots; plain SMTP is allowed to a relay on loopback only (a
//! local MTA that relays onwards, and the tests' SMTP server).

use std::net::IpAddr;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::{Error, Result};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Security {
    /// Plain SMTP, upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No TLS: only to a relay on loopback.
    Plain,
}

impl std::str::FromStr for Security {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "starttls" => Ok(Security::Starttls),
            "tls" => Ok(Security::Tls),
            "plain" => Ok(Security::Plain),
            other => Err(format!(
                "smtp-security is starttls, tls or plain, not {other}"
            )),
        }
    }
}

/// Where link codes are sent from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The relay's host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The sender (`Rantau <noreply@example.id>`).
    pub from: String,
    /// How the connection is protected.
    pub security: Security,
}

/// True for `localhost` and loopback addresses.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Sends link codes.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `config`; plain SMTP to a host off loopback is refused.
    pub fn new(config: &SmtpConfig) -> Result<Mailer> {
        let bad = |e: String| Error::Runtime(format!("smtp: {e}"));
        let from: Mailbox = config.from.parse().map_err(|e| bad(format!("{e}")))?;
        let builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host).port(config.port);
        let tls = || TlsParameters::new(config.host.clone()).map_err(|e| bad(e.to_string()));
        let builder = match config.security {
            Security::Plain if !is_loopback(&config.host) => {
                return Err(bad(format!(
                    "plain SMTP is only allowed to a relay on loopback, not {}",
                    config.host
                )))
            }
            Security::Plain => builder.tls(Tls::None),
            Security::Starttls => builder.tls(Tls::Required(tls()?)),
            Security::Tls => builder.tls(Tls::Wrapper(tls()?)),
        };
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Mails `code` to `to`, in Indonesian and English (the server does not
    /// know the person's language). Names no one: the code and how long it lasts.
    pub async fn send_code(&self, to: &str, code: &str) -> Result<()> {
        let bad = |e: String| Error::Runtime(format!("smtp: {e}"));
        let to: Mailbox = to.parse().map_err(|e| bad(format!("{e}")))?;
        let minutes = crate::decisions::link::CODE_TTL_MS / 60_000;
        let body = format!(
            "Kode tautan Rantau Anda: {code}\n\
             Ketik kode ini di aplikasi (\"Saya sudah terdaftar\"). Berlaku {minutes} menit, sekali pakai.\n\
             Jangan berikan kode ini kepada siapa pun, termasuk majikan atau agen.\n\
             Jika Anda tidak meminta kode ini, abaikan e-mail ini.\n\n\
             Your Rantau link code: {code}\n\
             Type it in the app (\"I am already registered\"). It is good for {minutes} minutes, once.\n\
             Do not give this code to anyone, including an employer or agent.\n\
             If you did not ask for it, ignore this e-mail.\n"
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject("Kode tautan Rantau / Rantau link code")
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| bad(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| bad(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_smtp_only_to_loopback() {
        let mut c = SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            from: "Rantau <noreply@rantau.test>".into(),
            security: Security::Plain,
        };
        assert!(Mailer::new(&c).is_ok());
        c.host = "localhost".into();
        assert!(Mailer::new(&c).is_ok());
        c.host = "smtp.example.id".into();
        assert!(Mailer::new(&c).is_err());
        c.security = Security::Starttls;
        assert!(Mailer::new(&c).is_ok());
        c.from = "not an address".into();
        assert!(Mailer::new(&c).is_err());
        assert_eq!("tls".parse::<Security>(), Ok(Security::Tls));
        assert!("ssl".parse::<Security>().is_err());
    }
}
