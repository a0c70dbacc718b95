//! A SQLCipher crypto provider in Rust on RustCrypto, so the native library
//! carries no OpenSSL: AES-256-CBC, HMAC-SHA1/256/512, PBKDF2-HMAC and OS randomness.
//!
//! SQLCipher is compiled with `-DSQLCIPHER_CRYPTO_CUSTOM=rantau_sqlcipher_setup`
//! (workspace `.cargo/config.toml`) and calls [`ffi::rantau_sqlcipher_setup`] once,
//! at `sqlite3_initialize`, to fill its provider table. Every crate that opens a
//! SQLCipher connection must call [`initialize`] first: it finishes that set-up
//! before the connection opens and keeps the symbol in the link.

pub mod crypto;
pub mod ffi;
mod init;

pub use crypto::CryptoError;
pub use init::{initialize, InitError};

/// The name `PRAGMA cipher_provider` reports for this provider.
pub const PROVIDER_NAME: &str = "rustcrypto";

/// Keeps the provider's setup symbol in every binary that links SQLCipher.
///
/// SQLCipher's C code refers to `rantau_sqlcipher_setup`, but rustc links only the
/// crates Rust code names, and a linker that reads archives in one pass (GNU ld)
/// pulls an object only for a symbol that is already wanted. Calling this from the
/// code that opens connections satisfies both. Costs nothing at run time.
/// [`initialize`] calls it.
#[inline(never)]
pub fn ensure_linked() {
    let setup: unsafe extern "C" fn(*mut ffi::SqlcipherProvider) -> std::ffi::c_int =
        ffi::rantau_sqlcipher_setup;
    std::hint::black_box(setup);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_constant_matches_the_c_string() {
        assert_eq!(ffi::PROVIDER_NAME.to_str().unwrap(), PROVIDER_NAME);
        ensure_linked();
    }
}
