//! The officers' admin token as the binary takes it: from a file or the
//! environment, never from the command line (any local user can read argv in
//! `ps` or `/proc`), and long enough not to be guessed.

use std::path::{Path, PathBuf};

/// The environment variable that may hold the token.
pub const ENV: &str = "RANTAU_ADMIN_TOKEN";

/// Fewest characters a token may have (32 random hex digits are 128 bits).
pub const MIN_LEN: usize = 32;

/// Why no usable admin token was found.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Neither a token file nor the environment variable was given.
    #[error(
        "no admin token: set {ENV} or pass --admin-token-file (a file holding only the token)"
    )]
    Missing,
    /// The token was given on the command line.
    #[error("the admin token is not taken on the command line (other users can read it with ps): set {ENV} or pass --admin-token-file")]
    OnCommandLine,
    /// Shorter than [`MIN_LEN`] characters (its value is never shown).
    #[error("the admin token has {len} characters; it needs at least {MIN_LEN} (e.g. `openssl rand -hex 32`)")]
    TooShort {
        /// Its length.
        len: usize,
    },
    /// The token file could not be read.
    #[error("cannot read the admin token file {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The token file can be read by other users.
    #[error("the admin token file {} can be read by other users; make it private (chmod 600)", path.display())]
    FileTooOpen {
        /// The file.
        path: PathBuf,
    },
}

impl TokenError {
    /// A stable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Missing => "admin_token.missing",
            TokenError::OnCommandLine => "admin_token.on_command_line",
            TokenError::TooShort { .. } => "admin_token.too_short",
            TokenError::Unreadable { .. } => "admin_token.unreadable",
            TokenError::FileTooOpen { .. } => "admin_token.file_too_open",
        }
    }
}

/// Checks a token's length; returns it trimmed (a file usually ends in a newline).
pub fn check(token: &str) -> Result<String, TokenError> {
    let token = token.trim();
    let len = token.chars().count();
    if len < MIN_LEN {
        return Err(TokenError::TooShort { len });
    }
    Ok(token.to_string())
}

/// The token from `file` when given, else from `env` (the value of [`ENV`]).
pub fn load(file: Option<&Path>, env: Option<String>) -> Result<String, TokenError> {
    match file {
        Some(path) => {
            refuse_open_file(path)?;
            let text = std::fs::read_to_string(path).map_err(|source| TokenError::Unreadable {
                path: path.to_path_buf(),
                source,
            })?;
            check(&text)
        }
        None => match env.filter(|v| !v.trim().is_empty()) {
            Some(value) => check(&value),
            None => Err(TokenError::Missing),
        },
    }
}

#[cfg(unix)]
fn refuse_open_file(path: &Path) -> Result<(), TokenError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|source| TokenError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(TokenError::FileTooOpen {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_open_file(_: &Path) -> Result<(), TokenError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn short_or_missing_tokens_are_refused_without_showing_them() {
        let err = load(None, Some("rahasia".into())).unwrap_err();
        assert_eq!(err.code(), "admin_token.too_short");
        assert!(!err.to_string().contains("rahasia"), "{err}");
        assert_eq!(load(None, None).unwrap_err().code(), "admin_token.missing");
        assert_eq!(
            load(None, Some("  ".into())).unwrap_err().code(),
            "admin_token.missing"
        );
        assert_eq!(
            load(None, Some(GOOD[1..].into())).unwrap_err().code(),
            "admin_token.too_short"
        );
        assert_eq!(load(None, Some(format!(" {GOOD}\n"))).unwrap(), GOOD);
    }

    #[cfg(unix)]
    #[test]
    fn a_token_file_is_read_trimmed_and_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, format!("{GOOD}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            load(Some(&path), None).unwrap_err().code(),
            "admin_token.file_too_open"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        // The file wins over the environment.
        assert_eq!(load(Some(&path), Some("x".into())).unwrap(), GOOD);
        let missing = dir.path().join("nope");
        assert_eq!(
            load(Some(&missing), None).unwrap_err().code(),
            "admin_token.unreadable"
        );
    }
}
