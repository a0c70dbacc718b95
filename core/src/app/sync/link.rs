//! [`ServerLink`]: the server a front-end syncs with, kept between runs: its
//! address, the roots it trusts instead of the phone's store (tests and staging
//! only), and the HTTP client inside the engine's settings, reused so that a sync
//! does not pay a new TLS handshake each time.

use std::sync::Mutex;

use crate::app::lock::lock;
use crate::base::error::Result;
use crate::base::lang::Lang;
use crate::sync::SyncConfig;

/// One front-end's link to its server. Thread-safe.
#[derive(Debug)]
pub struct ServerLink {
    device_label: String,
    /// The settings of the last address, with their client.
    config: Mutex<Option<(String, SyncConfig)>>,
    /// PEM roots that replace the platform's verifier.
    roots: Mutex<Option<String>>,
}

impl ServerLink {
    /// A link that introduces its device to the server as `device_label`
    /// (`rantau-android`, `rantau-cli`): for the agency's support, never shown to others.
    pub fn new(device_label: &str) -> ServerLink {
        ServerLink {
            device_label: device_label.to_string(),
            config: Mutex::new(None),
            roots: Mutex::new(None),
        }
    }

    /// Trusts only the root certificates in `pem` from the next sync on, instead of
    /// the phone's trust store: for a test or staging server with its own authority.
    /// Host names and expiry are still checked. Errors: [`crate::Error::InvalidRoots`]
    /// when `pem` holds no certificate (checked now, not at the next sync).
    pub fn trust_only_roots(&self, pem: &str) -> Result<()> {
        SyncConfig::new("https://localhost")?.trust_only_roots_pem(pem.as_bytes())?;
        *lock(&self.roots) = Some(pem.to_string());
        // The kept client trusted other roots.
        self.forget();
        Ok(())
    }

    /// The engine's settings for a run against `url`, messages in `lang`; the
    /// client is reused while the address stays the same. Errors:
    /// [`crate::Error::InvalidUrl`], [`crate::Error::InsecureUrl`].
    pub fn config(&self, url: &str, lang: Lang) -> Result<SyncConfig> {
        let mut slot = lock(&self.config);
        let mut config = match slot.as_ref() {
            Some((kept, config)) if kept == url => config.clone(),
            _ => {
                let mut config = SyncConfig::new(url)?;
                config.device_label = self.device_label.clone();
                if let Some(pem) = lock(&self.roots).as_deref() {
                    config.trust_only_roots_pem(pem.as_bytes())?;
                }
                *slot = Some((url.to_string(), config.clone()));
                config
            }
        };
        config.lang = lang;
        Ok(config)
    }

    /// Drops the kept client (the profile was closed, or the roots changed).
    pub fn forget(&self) {
        *lock(&self.config) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn a_link_refuses_bad_roots_and_plain_http_to_the_internet() {
        let link = ServerLink::new("test");
        assert!(matches!(
            link.trust_only_roots("not a certificate"),
            Err(Error::InvalidRoots(_))
        ));
        assert!(matches!(
            link.config("http://example.org", Lang::En),
            Err(Error::InsecureUrl(_))
        ));
    }

    #[test]
    fn the_settings_carry_the_device_label_and_the_callers_language() {
        let link = ServerLink::new("rantau-test");
        let config = link.config("http://127.0.0.1:9", Lang::Id).unwrap();
        assert_eq!(config.device_label, "rantau-test");
        assert_eq!(config.lang, Lang::Id);
        let again = link.config("http://127.0.0.1:9", Lang::En).unwrap();
        assert_eq!(again.lang, Lang::En);
    }
}
