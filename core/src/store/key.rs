//! The profile key: 32 random bytes the shell keeps in the Android Keystore.
//! SQLCipher takes it raw (no passphrase derivation at open), so opening is fast
//! on cheap phones; the bytes are zeroed when the key is dropped.

use std::fmt;
use std::sync::atomic::{compiler_fence, Ordering};

use rand::RngCore;

use crate::{Error, Result};

/// Length of a profile key in bytes.
pub const KEY_LEN: usize = 32;

/// A 256-bit profile key. `Debug` never shows it; the bytes are zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; KEY_LEN]);

impl Key {
    /// Parses 64 hexadecimal digits (either case). Anything else → [`Error::InvalidKey`].
    pub fn from_hex(hex_digits: &str) -> Result<Key> {
        let text = hex_digits.trim();
        if text.len() != KEY_LEN * 2 {
            return Err(Error::InvalidKey);
        }
        let mut bytes = [0u8; KEY_LEN];
        if hex::decode_to_slice(text, &mut bytes).is_err() {
            wipe(&mut bytes);
            return Err(Error::InvalidKey);
        }
        Ok(Key(bytes))
    }

    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Key {
        let mut bytes = [0u8; KEY_LEN];
        rand::rng().fill_bytes(&mut bytes);
        Key(bytes)
    }

    /// Builds a key from raw bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Key {
        Key(bytes)
    }

    /// A key from raw bytes of unchecked length (as the Android Keystore unwraps
    /// it). Errors: [`Error::InvalidKey`] unless exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Key> {
        <[u8; KEY_LEN]>::try_from(bytes)
            .map(Key)
            .map_err(|_| Error::InvalidKey)
    }

    /// The key as 64 lowercase hex digits, for the shell to store. The returned
    /// text is wiped when dropped.
    pub fn to_hex(&self) -> SecretText {
        SecretText(hex::encode(self.0))
    }

    /// The raw bytes (for the key-check HMAC).
    pub(crate) fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The SQLCipher statement that sets this key as a raw key: `PRAGMA key = "x'…'"`.
    pub(crate) fn pragma_sql(&self) -> SecretText {
        SecretText(format!("PRAGMA key = \"x'{}'\";", hex::encode(self.0)))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Text that holds key material; zeroed when dropped, redacted in `Debug`.
pub struct SecretText(String);

impl SecretText {
    /// The text itself.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(<redacted>)")
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        wipe(&mut bytes);
    }
}

/// Overwrites `bytes` with zeros in a way the optimizer may not remove: the
/// zeroed buffer is passed through `black_box` and a fence orders the writes
/// before whatever frees the memory. (No `unsafe`, so no volatile writes.)
fn wipe(bytes: &mut [u8]) {
    bytes.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&mut *bytes);
    compiler_fence(Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn from_hex_round_trips_and_accepts_upper_case() {
        let key = Key::from_hex(HEX).unwrap();
        assert_eq!(key.to_hex().as_str(), HEX);
        assert_eq!(Key::from_hex(&HEX.to_uppercase()).unwrap(), key);
        assert_eq!(key.as_bytes()[31], 0x1f);
    }

    #[test]
    fn from_hex_rejects_wrong_length_and_non_hex() {
        for bad in [
            "",
            "00",
            &HEX[..62],
            &format!("{HEX}00"),
            &HEX.replace('a', "g"),
            "x'00'",
        ] {
            assert!(
                matches!(Key::from_hex(bad), Err(Error::InvalidKey)),
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = Key::from_hex(HEX).unwrap();
        let shown = format!("{key:?} {:?} {:?}", key.to_hex(), key.pragma_sql());
        assert!(!shown.contains("0a0b0c"));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(Key::generate(), Key::generate());
    }

    #[test]
    fn pragma_sql_uses_the_raw_key_form() {
        let key = Key::from_hex(HEX).unwrap();
        assert_eq!(
            key.pragma_sql().as_str(),
            format!("PRAGMA key = \"x'{HEX}'\";")
        );
    }

    #[test]
    fn wipe_zeroes_the_buffer() {
        let mut buf = [7u8; 8];
        wipe(&mut buf);
        assert_eq!(buf, [0u8; 8]);
    }

    proptest::proptest! {
        #[test]
        fn from_hex_never_panics(s in ".*") {
            let _ = Key::from_hex(&s);
        }
    }
}
