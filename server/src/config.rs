//! `serve`'s settings from three sources: command-line flags, `RANTAU_*`
//! environment variables (clap reads both, flags first) and a TOML file
//! (`--config FILE` or `RANTAU_CONFIG`) whose keys are the flags' names;
//! then the defaults. Flags > environment > file > defaults: a deployment
//! keeps its settings in a file and overrides one with a variable or a flag.
//!
//! Secrets stay out of argv (any local user reads it with `ps`): the admin
//! token comes from `admin-token-file` or `RANTAU_ADMIN_TOKEN`; a database URL
//! with a password belongs in `RANTAU_DATABASE` or a private (0600) file.
//!
//! ```toml
//! addr = "0.0.0.0:8080"
//! database = "postgres://rantau@db.internal:5432/rantau"
//! files = "/srv/rantau/documents"
//! admin-token-file = "/etc/rantau/admin.token"
//! trusted-proxy = ["10.0.0.5", "10.0.1.0/24"]
//! documents-quota = 53687091200
//! shutdown-grace = 30
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rantau_core::Lang;
use serde::Deserialize;

use crate::http::proxy::Cidr;
use crate::messages;

/// Where `serve` listens when nothing says otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Seconds `serve` lets requests in flight finish after SIGTERM or SIGINT
/// when nothing says otherwise: within the usual 30 s an orchestrator waits
/// before it kills.
pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 25;

/// `serve`'s settings as one source gives them; `None` (or empty) is "not
/// given here". The file's keys are these fields' names in kebab case, the
/// same as the flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServeSettings {
    /// A SQLite file (`--db`).
    pub db: Option<PathBuf>,
    /// A SQLite path or URL, or a PostgreSQL URL (`--database`).
    pub database: Option<String>,
    /// Where documents go (`--files`): a folder (PostgreSQL) or `s3://BUCKET/PREFIX`.
    pub files: Option<String>,
    /// Listen address (`--addr`).
    pub addr: Option<SocketAddr>,
    /// The admin token's file (`--admin-token-file`).
    pub admin_token_file: Option<PathBuf>,
    /// The data key's file (`--key-file`).
    pub key_file: Option<PathBuf>,
    /// Reverse proxies whose X-Forwarded-For is believed (`--trusted-proxy`).
    #[serde(default, deserialize_with = "cidrs")]
    pub trusted_proxy: Vec<Cidr>,
    /// Most bytes of documents the server holds (`--documents-quota`).
    pub documents_quota: Option<u64>,
    /// Seconds requests in flight get to finish on shutdown (`--shutdown-grace`).
    pub shutdown_grace: Option<u64>,
    /// The SMTP relay link codes are mailed through (`--smtp-host`).
    pub smtp_host: Option<String>,
    /// Its port (`--smtp-port`; default 587, or 465 with `tls`).
    pub smtp_port: Option<u16>,
    /// The sender (`--smtp-from`, e.g. `Rantau <noreply@bpjs.example>`).
    pub smtp_from: Option<String>,
    /// `starttls` (default), `tls` or `plain` (loopback only) (`--smtp-security`).
    pub smtp_security: Option<crate::mail::Security>,
}

fn cidrs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Cidr>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| s.parse().map_err(serde::de::Error::custom))
        .collect()
}

/// A configuration file that cannot be used: a stable code and its
/// parameters, worded in the operator's language by [`ConfigError::render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// `config.unreadable` or `config.invalid`.
    pub code: &'static str,
    /// The message's parameters (`file`, `detail`).
    pub params: Vec<(&'static str, String)>,
}

impl ConfigError {
    fn new(code: &'static str, file: &Path, detail: impl Into<String>) -> ConfigError {
        ConfigError {
            code,
            params: vec![
                ("file", file.display().to_string()),
                ("detail", detail.into()),
            ],
        }
    }

    /// `code: message` in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        format!(
            "{}: {}",
            self.code,
            messages::render(self.code, lang, &self.params)
        )
    }
}

impl ServeSettings {
    /// Reads and checks a configuration file: TOML, only known keys, each
    /// with a value of its type.
    pub fn from_file(path: &Path) -> Result<ServeSettings, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new("config.unreadable", path, e.to_string()))?;
        ServeSettings::from_toml(&text)
            .map_err(|detail| ConfigError::new("config.invalid", path, detail))
    }

    /// Parses a configuration's text; the error names the key, line and column.
    pub fn from_toml(text: &str) -> Result<ServeSettings, String> {
        let settings: ServeSettings = toml::from_str(text).map_err(|e| {
            // toml's own message holds the line, the column and what was wrong,
            // on several lines with the offending text: one line is enough here.
            let message = e.message().to_string();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: {message}")
                }
                None => message,
            }
        })?;
        if settings.db.is_some() && settings.database.is_some() {
            return Err("`db` and `database` name the same thing: give one".into());
        }
        Ok(settings)
    }

    /// These settings, with what they leave out taken from `lower` (a source
    /// of lower precedence). `db` and `database` are one setting: the
    /// database comes whole from the first source that names one.
    pub fn over(self, lower: ServeSettings) -> ServeSettings {
        let (db, database) = if self.db.is_some() || self.database.is_some() {
            (self.db, self.database)
        } else {
            (lower.db, lower.database)
        };
        ServeSettings {
            db,
            database,
            files: self.files.or(lower.files),
            addr: self.addr.or(lower.addr),
            admin_token_file: self.admin_token_file.or(lower.admin_token_file),
            key_file: self.key_file.or(lower.key_file),
            trusted_proxy: if self.trusted_proxy.is_empty() {
                lower.trusted_proxy
            } else {
                self.trusted_proxy
            },
            documents_quota: self.documents_quota.or(lower.documents_quota),
            shutdown_grace: self.shutdown_grace.or(lower.shutdown_grace),
            smtp_host: self.smtp_host.or(lower.smtp_host),
            smtp_port: self.smtp_port.or(lower.smtp_port),
            smtp_from: self.smtp_from.or(lower.smtp_from),
            smtp_security: self.smtp_security.or(lower.smtp_security),
        }
    }

    /// The SMTP relay, when a host is given: the sender is then required.
    pub fn smtp(&self) -> Result<Option<crate::mail::SmtpConfig>, String> {
        use crate::mail::Security;
        let Some(host) = &self.smtp_host else {
            return Ok(None);
        };
        let from = self
            .smtp_from
            .clone()
            .ok_or("smtp-host needs smtp-from (the sender of link codes)")?;
        let security = self.smtp_security.unwrap_or(Security::Starttls);
        let port = self.smtp_port.unwrap_or(match security {
            Security::Tls => 465,
            Security::Starttls | Security::Plain => 587,
        });
        Ok(Some(crate::mail::SmtpConfig {
            host: host.clone(),
            port,
            from,
            security,
        }))
    }

    /// The listen address, or [`DEFAULT_ADDR`].
    pub fn addr_or_default(&self) -> SocketAddr {
        self.addr
            .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080)))
    }

    /// The shutdown grace period, or [`DEFAULT_SHUTDOWN_GRACE_SECS`].
    pub fn grace_or_default(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace.unwrap_or(DEFAULT_SHUTDOWN_GRACE_SECS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_every_key_is_read() {
        let s = ServeSettings::from_toml(
            r#"
            addr = "0.0.0.0:9000"
            database = "postgres://rantau@db:5432/rantau"
            files = "/srv/docs"
            admin-token-file = "/etc/rantau/admin.token"
            key-file = "/etc/rantau/docs.key"
            trusted-proxy = ["10.0.0.5", "10.0.1.0/24"]
            documents-quota = 1000
            shutdown-grace = 7
            "#,
        )
        .unwrap();
        assert_eq!(s.addr_or_default(), "0.0.0.0:9000".parse().unwrap());
        assert_eq!(s.trusted_proxy.len(), 2);
        assert_eq!(s.trusted_proxy[1].to_string(), "10.0.1.0/24");
        assert_eq!(s.documents_quota, Some(1000));
        assert_eq!(s.grace_or_default(), Duration::from_secs(7));
        assert_eq!(s.files.as_deref(), Some("/srv/docs"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_the_line() {
        let err = ServeSettings::from_toml("addr = \"127.0.0.1:1\"\nadr = \"x\"\n").unwrap_err();
        assert!(
            err.contains("line 2") && err.contains("unknown field `adr`"),
            "{err}"
        );
        let err = ServeSettings::from_toml("addr = \"localhost\"\n").unwrap_err();
        assert!(
            err.contains("line 1") && err.contains("socket address"),
            "{err}"
        );
        let err = ServeSettings::from_toml("documents-quota = -1\n").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        let err = ServeSettings::from_toml("trusted-proxy = [\"10.0.0.0/99\"]\n").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        let err = ServeSettings::from_toml("db = \"a.db\"\ndatabase = \"b.db\"\n").unwrap_err();
        assert!(err.contains("give one"), "{err}");
    }

    #[test]
    fn higher_sources_win_key_by_key_and_the_database_whole() {
        let file = ServeSettings::from_toml(
            "addr = \"127.0.0.1:1\"\ndb = \"file.db\"\nshutdown-grace = 9\ntrusted-proxy = [\"10.0.0.1\"]\n",
        )
        .unwrap();
        let env = ServeSettings {
            database: Some("postgres://h/db".into()),
            files: Some("/docs".into()),
            ..ServeSettings::default()
        };
        let flags = ServeSettings {
            addr: Some("127.0.0.1:2".parse().unwrap()),
            ..ServeSettings::default()
        };
        let s = flags.over(env).over(file);
        assert_eq!(s.addr, Some("127.0.0.1:2".parse().unwrap()));
        assert_eq!(
            (s.db.as_deref(), s.database.as_deref()),
            (None, Some("postgres://h/db"))
        );
        assert_eq!(s.grace_or_default(), Duration::from_secs(9));
        assert_eq!(s.trusted_proxy.len(), 1);
        let none = ServeSettings::default().over(ServeSettings::default());
        assert_eq!(none.addr_or_default().to_string(), DEFAULT_ADDR);
        assert_eq!(
            none.grace_or_default(),
            Duration::from_secs(DEFAULT_SHUTDOWN_GRACE_SECS)
        );
    }

    #[test]
    fn errors_have_a_code_and_both_languages() {
        let path = Path::new("/nowhere/rantau.toml");
        let err = ServeSettings::from_file(path).unwrap_err();
        assert_eq!(err.code, "config.unreadable");
        assert!(err
            .render(Lang::En)
            .contains("cannot read the configuration file /nowhere/rantau.toml"));
        assert!(err.render(Lang::Id).contains("tidak dapat dibaca"));
        let bad = ConfigError::new("config.invalid", path, "line 2: unknown field `adr`");
        assert!(bad.render(Lang::En).starts_with("config.invalid: "));
        assert!(bad.render(Lang::Id).contains("tidak valid"));
    }
}
