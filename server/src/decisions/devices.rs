//! Who may enroll as which participant. An unknown device id becomes a new
//! participant with a device secret (given once; only its hash is kept). A
//! known one must present that secret (compared in constant time); a device
//! enrolled before secrets existed may claim one by presenting a live token of
//! its own. Storage runs [`admit`] inside the enrollment's transaction, so the
//! check and what it allows are one step.

use crate::decisions::ids;
use crate::error::Result;

/// A device id already enrolled, as storage found it.
#[derive(Debug, Clone)]
pub struct KnownDevice {
    /// Its participant.
    pub participant: String,
    /// SHA-256 of its device secret; `None` when it enrolled before secrets.
    pub secret_hash: Option<Vec<u8>>,
}

/// What an enrollment attempt is allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A new device: make a participant and give it a secret.
    NewParticipant,
    /// The known device with its secret: a new token, no new secret.
    Known,
    /// A device from before secrets, proving itself with a live token: give it a secret.
    ClaimSecret,
    /// A known device id without its secret (or without a live token of its
    /// own): 403, the same whether the secret is missing or wrong.
    Refused,
}

/// Decides an enrollment. `holds_live_token` is asked only for a device without
/// a secret (it costs a lookup), and only when a token was presented.
pub fn admit(
    found: Option<&KnownDevice>,
    presented_secret: Option<&[u8; 32]>,
    presented_token: bool,
    holds_live_token: impl FnOnce() -> Result<bool>,
) -> Result<Admission> {
    Ok(match found {
        None => Admission::NewParticipant,
        Some(KnownDevice {
            secret_hash: Some(stored),
            ..
        }) => {
            if presented_secret.is_some_and(|p| ids::constant_time_eq(p, stored)) {
                Admission::Known
            } else {
                Admission::Refused
            }
        }
        // The device id alone never suffices.
        Some(KnownDevice {
            secret_hash: None, ..
        }) => {
            if presented_token && holds_live_token()? {
                Admission::ClaimSecret
            } else {
                Admission::Refused
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(secret: Option<&[u8]>) -> KnownDevice {
        KnownDevice {
            participant: "p".into(),
            secret_hash: secret.map(<[u8]>::to_vec),
        }
    }

    #[test]
    fn a_known_device_needs_its_secret_and_an_old_one_a_live_token() {
        let s = ids::sha256(b"secret");
        let never = || -> Result<bool> { panic!("no token lookup expected") };
        assert_eq!(
            admit(None, None, false, never).unwrap(),
            Admission::NewParticipant
        );
        let with = known(Some(&s));
        assert_eq!(
            admit(Some(&with), Some(&s), false, never).unwrap(),
            Admission::Known
        );
        let wrong = ids::sha256(b"other");
        assert_eq!(
            admit(Some(&with), Some(&wrong), false, never).unwrap(),
            Admission::Refused
        );
        assert_eq!(
            admit(Some(&with), None, true, never).unwrap(),
            Admission::Refused
        );
        let old = known(None);
        assert_eq!(
            admit(Some(&old), None, false, never).unwrap(),
            Admission::Refused
        );
        assert_eq!(
            admit(Some(&old), None, true, || Ok(false)).unwrap(),
            Admission::Refused
        );
        assert_eq!(
            admit(Some(&old), None, true, || Ok(true)).unwrap(),
            Admission::ClaimSecret
        );
    }
}
