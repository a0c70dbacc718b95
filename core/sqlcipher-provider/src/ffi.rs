//! The C side: SQLCipher's `sqlcipher_provider` table filled with `extern "C"`
//! functions that turn pointers into slices and call `crypto.rs`. The only module
//! with `unsafe`; every callback catches panics so none unwinds into C.
#![allow(unsafe_code)] // C calls us with raw pointers; each block below says why it is sound.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::crypto::{self, Digest, Mode, BLOCK_LEN, IV_LEN, KEY_LEN, MAX_MAC_LEN};

/// `SQLITE_OK`.
const OK: c_int = 0;
/// `SQLITE_ERROR`.
const ERROR: c_int = 1;

/// The name `PRAGMA cipher_provider` reports.
pub const PROVIDER_NAME: &CStr = c"rustcrypto";
/// What `PRAGMA cipher_provider_version` reports.
const PROVIDER_VERSION: &CStr = c"rantau-sqlcipher-provider (RustCrypto aes 0.9, cbc 0.2, hmac 0.13, sha1 0.11, sha2 0.11, pbkdf2 0.13; getrandom 0.3)";
/// The cipher name, as OpenSSL's `OBJ_nid2sn` spells it for the OpenSSL provider.
const CIPHER_NAME: &CStr = c"AES-256-CBC";

/// Mirror of `struct sqlcipher_provider` in SQLCipher 4.x's `sqlcipher.h` (the
/// amalgamation in `sqlcipher-src`): field order and types must match exactly.
#[repr(C)]
pub struct SqlcipherProvider {
    init: Option<unsafe extern "C" fn() -> c_int>,
    shutdown: Option<unsafe extern "C" fn()>,
    get_provider_name: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    add_random: Option<unsafe extern "C" fn(*mut c_void, *const c_void, c_int) -> c_int>,
    random: Option<unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int>,
    hmac: Option<HmacFn>,
    kdf: Option<KdfFn>,
    cipher: Option<CipherFn>,
    get_cipher: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    get_key_sz: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    get_iv_sz: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    get_block_sz: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    get_hmac_sz: Option<unsafe extern "C" fn(*mut c_void, c_int) -> c_int>,
    ctx_init: Option<unsafe extern "C" fn(*mut *mut c_void) -> c_int>,
    ctx_free: Option<unsafe extern "C" fn(*mut *mut c_void) -> c_int>,
    fips_status: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    get_provider_version: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    next: *mut SqlcipherProvider,
}

// 17 function pointers and `next`: a layout slip would show here first.
const _: () =
    assert!(std::mem::size_of::<SqlcipherProvider>() == 18 * std::mem::size_of::<usize>());

type HmacFn = unsafe extern "C" fn(
    *mut c_void,
    c_int,
    *const u8,
    c_int,
    *const u8,
    c_int,
    *const u8,
    c_int,
    *mut u8,
) -> c_int;
type KdfFn = unsafe extern "C" fn(
    *mut c_void,
    c_int,
    *const u8,
    c_int,
    *const u8,
    c_int,
    c_int,
    c_int,
    *mut u8,
) -> c_int;
type CipherFn = unsafe extern "C" fn(
    *mut c_void,
    c_int,
    *const u8,
    c_int,
    *const u8,
    *const u8,
    c_int,
    *mut u8,
) -> c_int;

/// Runs `f`, turning a panic (none is expected) into `SQLITE_ERROR` so that it
/// never unwinds into SQLCipher's C frames.
fn guard(f: impl FnOnce() -> c_int) -> c_int {
    // AssertUnwindSafe: after a panic we only return an error code; no state the
    // closure touched is observed again.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(ERROR)
}

fn status(result: Result<(), crypto::CryptoError>) -> c_int {
    match result {
        Ok(()) => OK,
        Err(_) => ERROR,
    }
}

/// A C buffer as a slice; `None` for a negative length or a null pointer with a
/// non-zero length. A zero length gives an empty slice whatever the pointer.
///
/// # Safety
/// If `p` is non-null and `len > 0`, `p` must point to `len` readable bytes that
/// nothing writes while the returned slice lives.
unsafe fn input<'a>(p: *const u8, len: c_int) -> Option<&'a [u8]> {
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some(&[]);
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, `len` readable bytes, not written meanwhile (caller's contract).
    Some(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Copies `src` to the C buffer `dst`.
///
/// # Safety
/// `dst` must be valid for `src.len()` writes and must not overlap `src`.
unsafe fn write_out(dst: *mut u8, src: &[u8]) {
    // SAFETY: caller's contract; `src` is our own buffer, so no overlap.
    unsafe { ptr::copy_nonoverlapping(src.as_ptr(), dst, src.len()) }
}

unsafe extern "C" fn get_provider_name(_ctx: *mut c_void) -> *const c_char {
    PROVIDER_NAME.as_ptr()
}

unsafe extern "C" fn get_provider_version(_ctx: *mut c_void) -> *const c_char {
    PROVIDER_VERSION.as_ptr()
}

unsafe extern "C" fn get_cipher(_ctx: *mut c_void) -> *const c_char {
    CIPHER_NAME.as_ptr()
}

/// `PRAGMA cipher_add_random`: the OS generator needs no seeding, so the bytes
/// are accepted and ignored (OpenSSL mixes them into its pool).
unsafe extern "C" fn add_random(
    _ctx: *mut c_void,
    _buffer: *const c_void,
    _length: c_int,
) -> c_int {
    OK
}

/// Fills `buffer[..length]` from the OS generator (IVs, salts, SQLCipher's seeds).
unsafe extern "C" fn random(_ctx: *mut c_void, buffer: *mut c_void, length: c_int) -> c_int {
    guard(|| {
        let Ok(len) = usize::try_from(length) else {
            return ERROR;
        };
        if len == 0 {
            return OK;
        }
        if buffer.is_null() {
            return ERROR;
        }
        // SAFETY: SQLCipher passes a buffer of `length` writable bytes that it does
        // not touch during the call.
        let buf = unsafe { std::slice::from_raw_parts_mut(buffer.cast::<u8>(), len) };
        status(crypto::random(buf))
    })
}

/// HMAC of `in || in2` (`in2` may be null) under `hmac_key`, written to `out`,
/// which holds `get_hmac_sz(algorithm)` bytes.
#[allow(clippy::too_many_arguments)] // SQLCipher's signature.
unsafe extern "C" fn hmac(
    _ctx: *mut c_void,
    algorithm: c_int,
    hmac_key: *const u8,
    key_sz: c_int,
    input1: *const u8,
    in_sz: c_int,
    input2: *const u8,
    in2_sz: c_int,
    out: *mut u8,
) -> c_int {
    guard(|| {
        let Some(digest) = Digest::from_code(algorithm) else {
            return ERROR;
        };
        // Like the OpenSSL provider: a missing first input is an error, a missing second is none.
        if input1.is_null() || out.is_null() {
            return ERROR;
        }
        // SAFETY: SQLCipher passes `key_sz` bytes of key and `in_sz` bytes of page,
        // unchanged during the call.
        let (Some(key), Some(first)) = (unsafe { input(hmac_key, key_sz) }, unsafe {
            input(input1, in_sz)
        }) else {
            return ERROR;
        };
        let second = if input2.is_null() {
            &[][..]
        } else {
            // SAFETY: as above, `in2_sz` bytes (the page number).
            match unsafe { input(input2, in2_sz) } {
                Some(s) => s,
                None => return ERROR,
            }
        };
        // Computed into our own buffer, then copied: `out` may not be assumed
        // disjoint from the inputs.
        let mut tag = [0u8; MAX_MAC_LEN];
        match crypto::hmac(digest, key, &[first, second], &mut tag) {
            Ok(n) => {
                // SAFETY: `out` holds get_hmac_sz(algorithm) == n bytes; `tag` is ours.
                unsafe { write_out(out, &tag[..n]) };
                OK
            }
            Err(_) => ERROR,
        }
    })
}

/// PBKDF2-HMAC of `pass` and `salt` with `workfactor` rounds into `key[..key_sz]`.
#[allow(clippy::too_many_arguments)] // SQLCipher's signature.
unsafe extern "C" fn kdf(
    _ctx: *mut c_void,
    algorithm: c_int,
    pass: *const u8,
    pass_sz: c_int,
    salt: *const u8,
    salt_sz: c_int,
    workfactor: c_int,
    key_sz: c_int,
    key: *mut u8,
) -> c_int {
    guard(|| {
        let (Some(digest), Ok(rounds), Ok(len)) = (
            Digest::from_code(algorithm),
            u32::try_from(workfactor),
            usize::try_from(key_sz),
        ) else {
            return ERROR;
        };
        if key.is_null() && len > 0 {
            return ERROR;
        }
        // SAFETY: SQLCipher passes `pass_sz` bytes of passphrase (or key) and
        // `salt_sz` bytes of salt, unchanged during the call.
        let (Some(pass), Some(salt)) = (unsafe { input(pass, pass_sz) }, unsafe {
            input(salt, salt_sz)
        }) else {
            return ERROR;
        };
        // Derived into a buffer that is wiped on drop, then copied: the output
        // must not alias the inputs while they are borrowed.
        match crypto::pbkdf2_hmac_owned(digest, pass, salt, rounds, len) {
            Ok(derived) => {
                // SAFETY: `key` holds `key_sz` writable bytes; `derived` is ours.
                unsafe { write_out(key, &derived) };
                OK
            }
            Err(_) => ERROR,
        }
    })
}

/// AES-256-CBC of `in[..in_sz]` into `out[..in_sz]`, no padding.
#[allow(clippy::too_many_arguments)] // SQLCipher's signature.
unsafe extern "C" fn cipher(
    _ctx: *mut c_void,
    mode: c_int,
    key: *const u8,
    key_sz: c_int,
    iv: *const u8,
    input_ptr: *const u8,
    in_sz: c_int,
    out: *mut u8,
) -> c_int {
    guard(|| {
        let (Some(mode), Ok(len)) = (Mode::from_code(mode), usize::try_from(in_sz)) else {
            return ERROR;
        };
        if key.is_null() || iv.is_null() || (len > 0 && (input_ptr.is_null() || out.is_null())) {
            return ERROR;
        }
        if len % BLOCK_LEN != 0 {
            return ERROR;
        }
        // SAFETY: SQLCipher passes `key_sz` key bytes and an IV of get_iv_sz() bytes,
        // neither inside the page buffers written below.
        let (Some(key), Some(iv)) = (unsafe { input(key, key_sz) }, unsafe {
            input(iv, IV_LEN as c_int)
        }) else {
            return ERROR;
        };
        if len == 0 {
            return status(crypto::aes256_cbc(mode, key, iv, &mut []));
        }
        // Copy the input to the output (memmove: correct even if they overlap),
        // then work in place, so no shared and mutable slice ever alias.
        // SAFETY: `in` has `in_sz` readable bytes and `out` `in_sz` writable ones.
        unsafe { ptr::copy(input_ptr, out, len) };
        // SAFETY: `out` holds `len` writable bytes that only this call uses meanwhile.
        let buf = unsafe { std::slice::from_raw_parts_mut(out, len) };
        status(crypto::aes256_cbc(mode, key, iv, buf))
    })
}

unsafe extern "C" fn get_key_sz(_ctx: *mut c_void) -> c_int {
    KEY_LEN as c_int
}

unsafe extern "C" fn get_iv_sz(_ctx: *mut c_void) -> c_int {
    IV_LEN as c_int
}

unsafe extern "C" fn get_block_sz(_ctx: *mut c_void) -> c_int {
    BLOCK_LEN as c_int
}

unsafe extern "C" fn get_hmac_sz(_ctx: *mut c_void, algorithm: c_int) -> c_int {
    Digest::from_code(algorithm).map_or(0, |d| d.mac_len() as c_int)
}

/// No per-connection state: the context pointer stays as SQLCipher set it (null).
unsafe extern "C" fn ctx_init(_ctx: *mut *mut c_void) -> c_int {
    OK
}

unsafe extern "C" fn ctx_free(_ctx: *mut *mut c_void) -> c_int {
    OK
}

/// Not a FIPS-validated module.
unsafe extern "C" fn fips_status(_ctx: *mut c_void) -> c_int {
    0
}

/// Fills SQLCipher's provider table with this provider. SQLCipher calls it once,
/// at `sqlite3_initialize`, because the build defines
/// `SQLCIPHER_CRYPTO_CUSTOM=rantau_sqlcipher_setup` (see `.cargo/config.toml`).
///
/// # Safety
/// `p` must be null or point to writable memory for one `sqlcipher_provider`.
#[no_mangle]
pub unsafe extern "C" fn rantau_sqlcipher_setup(p: *mut SqlcipherProvider) -> c_int {
    if p.is_null() {
        return ERROR;
    }
    let table = SqlcipherProvider {
        init: None,
        shutdown: None,
        get_provider_name: Some(get_provider_name),
        add_random: Some(add_random),
        random: Some(random),
        hmac: Some(hmac),
        kdf: Some(kdf),
        cipher: Some(cipher),
        get_cipher: Some(get_cipher),
        get_key_sz: Some(get_key_sz),
        get_iv_sz: Some(get_iv_sz),
        get_block_sz: Some(get_block_sz),
        get_hmac_sz: Some(get_hmac_sz),
        ctx_init: Some(ctx_init),
        ctx_free: Some(ctx_free),
        fips_status: Some(fips_status),
        get_provider_version: Some(get_provider_version),
        next: ptr::null_mut(),
    };
    // SAFETY: `p` is non-null and writable (contract); `write` does not read or
    // drop the possibly uninitialised memory it replaces.
    unsafe { p.write(table) };
    OK
}

#[cfg(test)]
mod tests {
    //! The table as C sees it: every entry called through its pointer.
    use super::*;
    use proptest::prelude::*;

    fn table() -> SqlcipherProvider {
        let mut slot = std::mem::MaybeUninit::<SqlcipherProvider>::uninit();
        assert_eq!(unsafe { rantau_sqlcipher_setup(slot.as_mut_ptr()) }, OK);
        unsafe { slot.assume_init() }
    }

    #[test]
    fn setup_fills_every_entry_sqlcipher_calls() {
        let t = table();
        assert!(t.init.is_none() && t.shutdown.is_none() && t.next.is_null());
        let ctx = ptr::null_mut();
        unsafe {
            assert_eq!(
                CStr::from_ptr(t.get_provider_name.unwrap()(ctx)),
                PROVIDER_NAME
            );
            assert_eq!(
                CStr::from_ptr(t.get_cipher.unwrap()(ctx)).to_str().unwrap(),
                "AES-256-CBC"
            );
            assert!(!CStr::from_ptr(t.get_provider_version.unwrap()(ctx)).is_empty());
            assert_eq!(t.get_key_sz.unwrap()(ctx), 32);
            assert_eq!(t.get_iv_sz.unwrap()(ctx), 16);
            assert_eq!(t.get_block_sz.unwrap()(ctx), 16);
            assert_eq!(t.get_hmac_sz.unwrap()(ctx, 0), 20);
            assert_eq!(t.get_hmac_sz.unwrap()(ctx, 1), 32);
            assert_eq!(t.get_hmac_sz.unwrap()(ctx, 2), 64);
            assert_eq!(t.get_hmac_sz.unwrap()(ctx, 9), 0);
            assert_eq!(t.fips_status.unwrap()(ctx), 0);
            let mut c = ptr::null_mut();
            assert_eq!(t.ctx_init.unwrap()(&mut c), OK);
            assert_eq!(t.ctx_free.unwrap()(&mut c), OK);
            assert_eq!(t.add_random.unwrap()(ctx, b"xx".as_ptr().cast(), 2), OK);
        }
        assert_eq!(unsafe { rantau_sqlcipher_setup(ptr::null_mut()) }, ERROR);
    }

    #[test]
    fn random_through_the_table() {
        let t = table();
        let mut buf = [0u8; 80];
        let f = t.random.unwrap();
        unsafe {
            assert_eq!(f(ptr::null_mut(), buf.as_mut_ptr().cast(), 80), OK);
            assert_eq!(f(ptr::null_mut(), ptr::null_mut(), 0), OK);
            assert_eq!(f(ptr::null_mut(), ptr::null_mut(), 4), ERROR);
            assert_eq!(f(ptr::null_mut(), buf.as_mut_ptr().cast(), -1), ERROR);
        }
        assert_ne!(buf, [0u8; 80]);
    }

    #[test]
    fn hmac_and_kdf_through_the_table_match_the_safe_functions() {
        let t = table();
        let (key, page, pgno) = ([7u8; 32], [1u8; 4016], 1u32.to_le_bytes());
        let mut out = [0u8; 64];
        let rc = unsafe {
            t.hmac.unwrap()(
                ptr::null_mut(),
                2,
                key.as_ptr(),
                32,
                page.as_ptr(),
                page.len() as c_int,
                pgno.as_ptr(),
                4,
                out.as_mut_ptr(),
            )
        };
        assert_eq!(rc, OK);
        let mut expected = [0u8; 64];
        crypto::hmac(Digest::Sha512, &key, &[&page, &pgno], &mut expected).unwrap();
        assert_eq!(out, expected);
        // Null first input, unknown algorithm: errors, not crashes.
        let call = |alg, input1: *const u8| unsafe {
            t.hmac.unwrap()(
                ptr::null_mut(),
                alg,
                key.as_ptr(),
                32,
                input1,
                4,
                ptr::null(),
                0,
                out.as_ptr().cast_mut(),
            )
        };
        assert_eq!(call(2, ptr::null()), ERROR);
        assert_eq!(call(7, page.as_ptr()), ERROR);
        assert_eq!(call(0, page.as_ptr()), OK);

        let mut derived = [0u8; 32];
        let kdf = t.kdf.unwrap();
        let rc = unsafe {
            kdf(
                ptr::null_mut(),
                2,
                key.as_ptr(),
                32,
                page.as_ptr(),
                16,
                2,
                32,
                derived.as_mut_ptr(),
            )
        };
        assert_eq!(rc, OK);
        let mut expected = [0u8; 32];
        crypto::pbkdf2_hmac(Digest::Sha512, &key, &page[..16], 2, &mut expected).unwrap();
        assert_eq!(derived, expected);
        for (alg, rounds, len) in [(5, 2, 32), (2, 0, 32), (2, -1, 32), (2, 2, -1)] {
            let rc = unsafe {
                kdf(
                    ptr::null_mut(),
                    alg,
                    key.as_ptr(),
                    32,
                    page.as_ptr(),
                    16,
                    rounds,
                    len,
                    derived.as_mut_ptr(),
                )
            };
            assert_eq!(rc, ERROR, "alg {alg} rounds {rounds} len {len}");
        }
    }

    #[test]
    fn cipher_refuses_partial_blocks_and_bad_modes() {
        let t = table();
        let (key, iv) = ([1u8; 32], [2u8; 16]);
        let (input, mut out) = ([3u8; 48], [0u8; 48]);
        let f = t.cipher.unwrap();
        for (mode, len, key_sz) in [(1, 40, 32), (3, 48, 32), (1, 48, 16), (0, -16, 32)] {
            let rc = unsafe {
                f(
                    ptr::null_mut(),
                    mode,
                    key.as_ptr(),
                    key_sz,
                    iv.as_ptr(),
                    input.as_ptr(),
                    len,
                    out.as_mut_ptr(),
                )
            };
            assert_eq!(rc, ERROR, "mode {mode} len {len} key {key_sz}");
        }
    }

    proptest! {
        /// Encrypt then decrypt through the C entry points, buffer to buffer and
        /// in place (same pointer in and out), gives the page back.
        #[test]
        fn cipher_through_the_table_round_trips(
            key in proptest::array::uniform32(any::<u8>()),
            iv in proptest::array::uniform16(any::<u8>()),
            page in proptest::collection::vec(any::<u8>(), 0..=64usize)
                .prop_map(|v| v.repeat(BLOCK_LEN)),
            in_place in any::<bool>(),
        ) {
            let t = table();
            let f = t.cipher.unwrap();
            let len = page.len() as c_int;
            let mut enc = page.clone();
            let rc = unsafe {
                if in_place {
                    f(ptr::null_mut(), 1, key.as_ptr(), 32, iv.as_ptr(), enc.as_ptr(), len, enc.as_mut_ptr())
                } else {
                    f(ptr::null_mut(), 1, key.as_ptr(), 32, iv.as_ptr(), page.as_ptr(), len, enc.as_mut_ptr())
                }
            };
            prop_assert_eq!(rc, OK);
            let mut expected = page.clone();
            crypto::aes256_cbc(Mode::Encrypt, &key, &iv, &mut expected).unwrap();
            prop_assert_eq!(&enc, &expected);
            let mut dec = vec![0u8; page.len()];
            let rc = unsafe {
                f(ptr::null_mut(), 0, key.as_ptr(), 32, iv.as_ptr(), enc.as_ptr(), len, dec.as_mut_ptr())
            };
            prop_assert_eq!(rc, OK);
            prop_assert_eq!(dec, page);
        }
    }
}
