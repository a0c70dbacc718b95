//! The server's internal errors: storage, start-up, key files, the officer
//! client. No variant carries payload contents or personal data, so each may be
//! logged; a handler turns one into a 500 through [`crate::http::error::ApiError`].

/// Result alias for the server.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong inside the server (not the client's fault).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database failed (the backend's own error, kept as the source; the
    /// storage layer converts it, so nothing else names a database driver).
    #[error("database error: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The database cannot be reached (down, restarting, or every pooled
    /// connection busy past the wait): the request may succeed later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// File system or socket failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The database was written by a newer server.
    #[error("database schema {found} is newer than this server knows ({supported})")]
    SchemaTooNew {
        /// Version in the file.
        found: u32,
        /// Highest version this code knows.
        supported: u32,
    },
    /// A stored row could not be decoded.
    #[error("stored data is malformed: {0}")]
    Malformed(String),
    /// A text the client sent holds a character the database cannot store or
    /// look up (PostgreSQL text has no NUL): the client's mistake, not the server's.
    #[error("a text holds a character the database cannot store")]
    TextNotStorable,
    /// The core refused something (a bug in the server's use of it).
    #[error("core error: {0}")]
    Core(#[from] rantau_core::Error),
    /// The server's thread or runtime could not start or stopped early.
    #[error("server runtime: {0}")]
    Runtime(String),
    /// The key file is missing (for existing data), unreadable or malformed.
    #[error("key file: {0}")]
    KeyFile(String),
    /// The key file's key does not open the database (another server's key file?).
    #[error("the key file does not open this database (wrong key file?); nothing was changed")]
    WrongKey,
    /// The database file is plain SQLite, written before data was encrypted at rest.
    #[error(
        "the database file is not encrypted (an older server wrote it); it was left unchanged"
    )]
    NotEncrypted,
    /// Sealing or opening a stored document failed (wrong key, or a damaged file).
    #[error("stored document: {0}")]
    Crypto(String),
    /// The documents' object storage refused or failed (unreachable, denied,
    /// misconfigured), or its `--files` URL or endpoint is not usable.
    #[error("object storage: {0}")]
    Objects(String),
    /// The officer client's server address is not an http(s) URL.
    #[error("invalid server address: {0}")]
    InvalidServerUrl(String),
    /// The officer client was given plain http to a host that is not loopback:
    /// the admin token would cross the network in clear.
    #[error("the server address must use https (host {0}); plain http is only for loopback")]
    InsecureServerUrl(String),
    /// The officer client's request failed (network, or an error answer).
    #[error("request failed: {code}: {message}")]
    Remote {
        /// The server's error code, or `network` when no answer came.
        code: String,
        /// Explanation.
        message: String,
    },
}

impl Error {
    /// A stable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Storage(_) => "server.storage",
            Error::Unavailable(_) => "server.unavailable",
            Error::Io(_) => "server.io",
            Error::SchemaTooNew { .. } => "server.schema_too_new",
            Error::Malformed(_) => "server.malformed_data",
            Error::TextNotStorable => "request.invalid_text",
            Error::Core(_) => "server.core",
            Error::Runtime(_) => "server.runtime",
            Error::InvalidServerUrl(_) => "officer.invalid_url",
            Error::InsecureServerUrl(_) => "officer.insecure_url",
            Error::Remote { .. } => "officer.request_failed",
            Error::KeyFile(_) => "server.key_file",
            Error::WrongKey => "server.wrong_key",
            Error::NotEncrypted => "server.not_encrypted",
            Error::Crypto(_) => "server.crypto",
            Error::Objects(_) => "server.objects",
        }
    }
}

impl From<object_store::Error> for Error {
    fn from(e: object_store::Error) -> Self {
        Error::Objects(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    // Only the kind and position: serde's message can quote the value, and stored
    // values are answers (personal data).
    fn from(e: serde_json::Error) -> Self {
        Error::Malformed(format!(
            "json {:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_never_quote_the_value() {
        let e = serde_json::from_str::<u32>("\"3515145708950001\"").unwrap_err();
        let ours = Error::from(e);
        assert!(!ours.to_string().contains("3515145708950001"), "{ours}");
    }
}
