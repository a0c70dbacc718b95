//! Argon2id, the app layer's one slow hash: a backup's key from its passphrase
//! (app/profile/backup.rs) and a profile PIN's verifier (app/profile/pin.rs).

/// Argon2id's cost: memory, passes and lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub passes: u32,
    /// Lanes (parallelism).
    pub lanes: u32,
}

impl KdfParams {
    /// What backups are written with: 64 MiB, 3 passes, 1 lane (RFC 9106's second
    /// recommendation with one lane, as a cheap phone has few fast cores).
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        passes: 3,
        lanes: 1,
    };
}

/// The 32 bytes Argon2id (version 0x13) derives from `secret` and `salt` at `params`.
/// Fails only for parameters or a salt Argon2 refuses (the caller words it).
pub(crate) fn argon2id(
    secret: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> std::result::Result<[u8; 32], argon2::Error> {
    let cost = argon2::Params::new(params.memory_kib, params.passes, params.lanes, Some(32))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, cost);
    let mut out = [0u8; 32];
    argon.hash_password_into(secret, salt, &mut out)?;
    Ok(out)
}
