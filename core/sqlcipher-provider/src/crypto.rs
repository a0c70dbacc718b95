//! The four primitives SQLCipher asks of a provider, in safe Rust on RustCrypto:
//! AES-256-CBC without padding, HMAC (SHA-1/256/512), PBKDF2-HMAC and OS randomness.
//! `ffi.rs` only converts C pointers to slices and calls these.

use aes::cipher::{Array, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

/// AES-256 key length in bytes.
pub const KEY_LEN: usize = 32;
/// CBC initialisation vector length in bytes.
pub const IV_LEN: usize = 16;
/// AES block length in bytes.
pub const BLOCK_LEN: usize = 16;
/// The longest HMAC output (SHA-512), in bytes.
pub const MAX_MAC_LEN: usize = 64;

/// Why a primitive refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A key, IV, buffer or output had a length the primitive cannot take.
    #[error("invalid length")]
    InvalidLength,
    /// An iteration count below one.
    #[error("invalid iteration count")]
    InvalidRounds,
    /// The operating system's random generator failed.
    #[error("the OS random generator failed")]
    Random,
}

impl CryptoError {
    /// A stable code for logs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            CryptoError::InvalidLength => "crypto.invalid_length",
            CryptoError::InvalidRounds => "crypto.invalid_rounds",
            CryptoError::Random => "crypto.random",
        }
    }
}

/// The hash under HMAC and PBKDF2, numbered as SQLCipher numbers it
/// (`SQLCIPHER_HMAC_SHA1` = `SQLCIPHER_PBKDF2_HMAC_SHA1` = 0, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    /// SHA-1 (SQLCipher 3 and older databases).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512 (SQLCipher 4's default, and what Rantau uses).
    Sha512,
}

impl Digest {
    /// The algorithm for SQLCipher's code, or `None` for a code it does not define.
    pub fn from_code(code: i32) -> Option<Digest> {
        match code {
            0 => Some(Digest::Sha1),
            1 => Some(Digest::Sha256),
            2 => Some(Digest::Sha512),
            _ => None,
        }
    }

    /// The HMAC output length in bytes.
    pub fn mac_len(self) -> usize {
        match self {
            Digest::Sha1 => 20,
            Digest::Sha256 => 32,
            Digest::Sha512 => 64,
        }
    }
}

/// Which way a cipher call goes, numbered as SQLCipher numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `SQLCIPHER_DECRYPT` (0).
    Decrypt,
    /// `SQLCIPHER_ENCRYPT` (1).
    Encrypt,
}

impl Mode {
    /// The mode for SQLCipher's code, or `None` for another value.
    pub fn from_code(code: i32) -> Option<Mode> {
        match code {
            0 => Some(Mode::Decrypt),
            1 => Some(Mode::Encrypt),
            _ => None,
        }
    }
}

/// AES-256-CBC over `buf` in place, without padding (SQLCipher pages are whole
/// blocks). `key` is 32 bytes, `iv` 16, `buf` a multiple of 16 (may be empty).
pub fn aes256_cbc(mode: Mode, key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
    let (blocks, rest) = Array::slice_as_chunks_mut(buf);
    if !rest.is_empty() {
        return Err(CryptoError::InvalidLength);
    }
    // The key schedules are zeroized when these values drop (`zeroize` feature).
    match mode {
        Mode::Encrypt => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(|_| CryptoError::InvalidLength)?
            .encrypt_blocks(blocks),
        Mode::Decrypt => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(|_| CryptoError::InvalidLength)?
            .decrypt_blocks(blocks),
    }
    Ok(())
}

fn mac_into<M: Mac + KeyInit>(
    key: &[u8],
    parts: &[&[u8]],
    out: &mut [u8],
) -> Result<usize, CryptoError> {
    // HMAC takes keys of any length; the error cannot happen but costs nothing to pass on.
    let mut mac = <M as KeyInit>::new_from_slice(key).map_err(|_| CryptoError::InvalidLength)?;
    for part in parts {
        mac.update(part);
    }
    let tag = mac.finalize().into_bytes();
    let dst = out.get_mut(..tag.len()).ok_or(CryptoError::InvalidLength)?;
    dst.copy_from_slice(&tag);
    Ok(tag.len())
}

/// HMAC of the concatenated `parts` under `key`, written to the start of `out`
/// (which must hold [`Digest::mac_len`] bytes). Returns the tag length.
pub fn hmac(
    digest: Digest,
    key: &[u8],
    parts: &[&[u8]],
    out: &mut [u8],
) -> Result<usize, CryptoError> {
    match digest {
        Digest::Sha1 => mac_into::<Hmac<Sha1>>(key, parts, out),
        Digest::Sha256 => mac_into::<Hmac<Sha256>>(key, parts, out),
        Digest::Sha512 => mac_into::<Hmac<Sha512>>(key, parts, out),
    }
}

/// PBKDF2-HMAC (RFC 8018) of `password` and `salt` with `rounds` iterations,
/// filling `out` (any length).
pub fn pbkdf2_hmac(
    digest: Digest,
    password: &[u8],
    salt: &[u8],
    rounds: u32,
    out: &mut [u8],
) -> Result<(), CryptoError> {
    if rounds == 0 {
        return Err(CryptoError::InvalidRounds);
    }
    let derived = match digest {
        Digest::Sha1 => pbkdf2::pbkdf2::<Hmac<Sha1>>(password, salt, rounds, out),
        Digest::Sha256 => pbkdf2::pbkdf2::<Hmac<Sha256>>(password, salt, rounds, out),
        Digest::Sha512 => pbkdf2::pbkdf2::<Hmac<Sha512>>(password, salt, rounds, out),
    };
    derived.map_err(|_| CryptoError::InvalidLength)
}

/// Like [`pbkdf2_hmac`], but into a fresh buffer that is wiped when dropped: for
/// callers whose output may overlap an input.
pub fn pbkdf2_hmac_owned(
    digest: Digest,
    password: &[u8],
    salt: &[u8],
    rounds: u32,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    pbkdf2_hmac(digest, password, salt, rounds, &mut out)?;
    Ok(out)
}

/// Fills `buf` from the operating system's generator (`getrandom(2)` on Linux
/// and Android). Used for IVs, salts and SQLCipher's own seeds.
pub fn random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Random)
}

#[cfg(test)]
mod tests {
    //! Known answers from NIST SP 800-38A (AES-256-CBC), RFC 4231 / RFC 2202 (HMAC),
    //! RFC 6070 and RFC 7914 §11 (PBKDF2), plus round-trip properties.
    use super::*;
    use proptest::prelude::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace([' ', '\n'], "")).unwrap()
    }

    // NIST SP 800-38A F.2.5 / F.2.6: CBC-AES256.
    const NIST_KEY: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    const NIST_IV: &str = "000102030405060708090a0b0c0d0e0f";
    const NIST_PT: &str = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                           30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
    const NIST_CT: &str = "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
                           39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b";

    #[test]
    fn aes256_cbc_matches_nist_sp800_38a() {
        let mut buf = h(NIST_PT);
        aes256_cbc(Mode::Encrypt, &h(NIST_KEY), &h(NIST_IV), &mut buf).unwrap();
        assert_eq!(buf, h(NIST_CT));
        aes256_cbc(Mode::Decrypt, &h(NIST_KEY), &h(NIST_IV), &mut buf).unwrap();
        assert_eq!(buf, h(NIST_PT));
    }

    #[test]
    fn aes256_cbc_refuses_bad_lengths() {
        let (key, iv) = (h(NIST_KEY), h(NIST_IV));
        let mut partial = vec![0u8; 17];
        assert_eq!(
            aes256_cbc(Mode::Encrypt, &key, &iv, &mut partial),
            Err(CryptoError::InvalidLength)
        );
        let mut block = [0u8; 16];
        for (k, i) in [(&key[..16], &iv[..]), (&key[..], &iv[..8])] {
            assert_eq!(
                aes256_cbc(Mode::Decrypt, k, i, &mut block),
                Err(CryptoError::InvalidLength)
            );
        }
        let mut empty: [u8; 0] = [];
        assert_eq!(aes256_cbc(Mode::Encrypt, &key, &iv, &mut empty), Ok(()));
    }

    fn mac(digest: Digest, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        let mut out = [0u8; MAX_MAC_LEN];
        let n = hmac(digest, key, parts, &mut out).unwrap();
        assert_eq!(n, digest.mac_len());
        out[..n].to_vec()
    }

    #[test]
    fn hmac_matches_rfc4231_and_rfc2202() {
        // RFC 4231 test case 2 ("Jefe"), split in two parts as SQLCipher passes page and pgno.
        let key = b"Jefe";
        let data: &[u8] = b"what do ya want for nothing?";
        let (a, b) = data.split_at(11);
        assert_eq!(
            mac(Digest::Sha256, key, &[a, b]),
            h("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
        assert_eq!(
            mac(Digest::Sha512, key, &[data]),
            h(
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554
               9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
            )
        );
        // RFC 2202 test case 2.
        assert_eq!(
            mac(Digest::Sha1, key, &[a, b]),
            h("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        );
        // RFC 4231 test case 6: a key longer than the block (hashed first).
        let long_key = [0xaa; 131];
        let msg: &[u8] = b"Test Using Larger Than Block-Size Key - Hash Key First";
        assert_eq!(
            mac(Digest::Sha512, &long_key, &[msg]),
            h(
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352
               6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
            )
        );
    }

    #[test]
    fn hmac_needs_room_for_the_tag() {
        let mut short = [0u8; 63];
        assert_eq!(
            hmac(Digest::Sha512, b"k", &[b"m"], &mut short),
            Err(CryptoError::InvalidLength)
        );
    }

    #[test]
    fn pbkdf2_matches_rfc6070_and_rfc7914() {
        let mut out = [0u8; 20];
        pbkdf2_hmac(Digest::Sha1, b"password", b"salt", 2, &mut out).unwrap();
        assert_eq!(out.to_vec(), h("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"));
        pbkdf2_hmac(Digest::Sha1, b"password", b"salt", 4096, &mut out).unwrap();
        assert_eq!(out.to_vec(), h("4b007901b765489abead49d926f721d065a429c1"));
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, 64 bytes (more than one block of output).
        let mut out = [0u8; 64];
        pbkdf2_hmac(Digest::Sha256, b"passwd", b"salt", 1, &mut out).unwrap();
        assert_eq!(
            out.to_vec(),
            h(
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc
               49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
            )
        );
        // PBKDF2-HMAC-SHA512, "password"/"salt", 1 iteration (widely published vector).
        pbkdf2_hmac(Digest::Sha512, b"password", b"salt", 1, &mut out).unwrap();
        assert_eq!(
            out.to_vec(),
            h(
                "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252
               c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce"
            )
        );
        let owned = pbkdf2_hmac_owned(Digest::Sha512, b"password", b"salt", 1, 64).unwrap();
        assert_eq!(owned.as_slice(), &out[..]);
    }

    #[test]
    fn pbkdf2_refuses_zero_rounds() {
        let mut out = [0u8; 32];
        assert_eq!(
            pbkdf2_hmac(Digest::Sha256, b"p", b"s", 0, &mut out),
            Err(CryptoError::InvalidRounds)
        );
    }

    #[test]
    fn codes_map_like_sqlcipher() {
        assert_eq!(Digest::from_code(0), Some(Digest::Sha1));
        assert_eq!(Digest::from_code(2), Some(Digest::Sha512));
        assert_eq!(Digest::from_code(3), None);
        assert_eq!(Digest::from_code(-1), None);
        assert_eq!(Mode::from_code(1), Some(Mode::Encrypt));
        assert_eq!(Mode::from_code(0), Some(Mode::Decrypt));
        assert_eq!(Mode::from_code(2), None);
    }

    #[test]
    fn random_fills_and_differs() {
        let (mut a, mut b) = ([0u8; 80], [0u8; 80]);
        random(&mut a).unwrap();
        random(&mut b).unwrap();
        // 2^-640 chance of a false failure.
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 80]);
    }

    proptest! {
        #[test]
        fn encrypt_then_decrypt_round_trips(
            key in proptest::array::uniform32(any::<u8>()),
            iv in proptest::array::uniform16(any::<u8>()),
            blocks in 0usize..=256,
            seed in any::<u8>(),
        ) {
            let plain: Vec<u8> = (0..blocks * BLOCK_LEN).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect();
            let mut buf = plain.clone();
            aes256_cbc(Mode::Encrypt, &key, &iv, &mut buf).unwrap();
            if blocks > 0 {
                prop_assert_ne!(&buf, &plain);
            }
            aes256_cbc(Mode::Decrypt, &key, &iv, &mut buf).unwrap();
            prop_assert_eq!(buf, plain);
        }
    }
}
