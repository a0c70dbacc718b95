//! The core's detailed error. Every variant has a stable [`Error::code`] that the
//! bindings and the CLI show; no variant carries personal data (field paths and
//! ids only), so an `Error` may be logged.

use crate::base::issue::Issue;

/// Result alias for the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- store -------------------------------------------------------------
    /// The key does not open this profile's database.
    #[error("the key does not open this profile")]
    WrongKey,
    /// The key is not 32 bytes (64 hex digits).
    #[error("a profile key must be 32 bytes (64 hex digits)")]
    InvalidKey,
    /// The file exists but is not a (readable) Rantau database. It is left untouched.
    #[error("the profile file is not a readable database: {0}")]
    NotADatabase(String),
    /// The database was written by a newer version of the app. It is left untouched.
    #[error("the profile was written by a newer version (schema {found}, this app knows up to {supported})")]
    SchemaTooNew {
        /// Version found in the file.
        found: u32,
        /// Highest version this code knows.
        supported: u32,
    },
    /// No profile by that name.
    #[error("no profile named {0}")]
    ProfileNotFound(String),
    /// A profile by that name exists already.
    #[error("a profile named {0} exists already")]
    ProfileExists(String),
    /// Only a damaged profile may be set aside; this one opens.
    #[error("the profile {0} opens; only a damaged profile is set aside")]
    ProfileNotDamaged(String),
    /// A profile name with characters we do not put in a file name.
    #[error("profile names use letters, digits, '-' and '_' (1 to 64 characters)")]
    InvalidProfileName,
    /// The disk is full. Nothing was written; retry when space returns.
    #[error("the storage is full")]
    StorageFull,
    /// The storage failed to read or write (SQLite's I/O error, e.g. a write past a
    /// file-size limit or a failing card). The transaction was rolled back; what was
    /// committed before is intact. `extended` is SQLite's extended result code.
    #[error("storage i/o error (sqlite {extended})")]
    StorageIo {
        /// SQLite's extended result code (e.g. 778 = SQLITE_IOERR_WRITE), for diagnosis.
        extended: i32,
    },
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// File system failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Stored data could not be decoded (a bug or a damaged row; never dropped silently).
    #[error("stored data is malformed: {0}")]
    MalformedStoredData(String),

    // --- attachments -------------------------------------------------------
    /// A file (or all files of one submission) over the size cap.
    #[error("the file is too large ({size} bytes, at most {max})")]
    AttachmentTooLarge {
        /// Bytes offered (the file, or the submission's total with it).
        size: u64,
        /// The cap that was exceeded.
        max: u64,
    },
    /// The document field has all the pages it may have; another would make the
    /// draft impossible to finalize, so it is refused until a page is removed.
    #[error("the document has its {max} page(s) already")]
    TooManyPages {
        /// Pages the field takes at most.
        max: u32,
    },
    /// Not a JPEG, PNG or PDF (by its first bytes).
    #[error("unsupported file type (JPEG, PNG or PDF only)")]
    UnsupportedAttachmentType,
    /// No stored file (or no link to it) with that content id.
    #[error("no attachment {0}")]
    AttachmentNotFound(String),

    // --- reference data ----------------------------------------------------
    /// Reference data (countries, tariffs) that does not follow its format.
    #[error("invalid reference data: {0}")]
    InvalidReferenceData(String),

    // --- forms and drafts --------------------------------------------------
    /// No form definition with that id (and version).
    #[error("unknown form {0}")]
    UnknownForm(String),
    /// A form definition that does not follow the format.
    #[error("invalid form definition: {0}")]
    InvalidDefinition(String),
    /// No field at that path in the draft's form.
    #[error("unknown field {0}")]
    UnknownField(String),
    /// The value's type does not fit the field's kind (e.g. a list for a date).
    #[error("field {path} takes {expected}")]
    WrongValueType {
        /// Field path.
        path: String,
        /// What the field takes.
        expected: &'static str,
    },
    /// No draft with that id.
    #[error("no draft {0}")]
    DraftNotFound(String),
    /// No submission with that id.
    #[error("no submission {0}")]
    SubmissionNotFound(String),
    /// The draft was finalized already and is frozen.
    #[error("draft {0} is finalized and can no longer be edited")]
    AlreadyFinalized(String),
    /// The submission may have reached the server (a request carrying it or one of
    /// its files was started), or was answered: it can no longer be taken back.
    #[error("submission {0} has already left the phone")]
    AlreadyLeft(String),
    /// Another submission on its way waits for this one (a consultation for its
    /// registration): that one must be taken back first.
    #[error("submission {0} is needed by another one on its way")]
    NeededByAnother(String),
    /// Finalize refused: the answers have errors. The issues are for the user.
    #[error("the form has {} error(s)", .0.iter().filter(|i| i.is_error()).count())]
    Invalid(Vec<Issue>),

    // --- sync --------------------------------------------------------------
    /// The server address is not a valid http(s) URL.
    #[error("invalid server address: {0}")]
    InvalidUrl(String),
    /// Plain http to a host that is not loopback: personal data travels over HTTPS only.
    #[error("the server address must use https (host {0})")]
    InsecureUrl(String),
    /// The network failed (no connection, timeout, reset). Retry later.
    #[error("network error: {0}")]
    Network(String),
    /// The server answered with an unexpected status (e.g. 5xx).
    #[error("server answered {status} ({code})")]
    Server {
        /// HTTP status.
        status: u16,
        /// Stable code from the error body, or `http.<status>`.
        code: String,
    },
    /// The server refused this device's credentials (401/403).
    #[error("the server refused this device ({0})")]
    Unauthorized(String),
    /// The server knows this device but refused its secret (or it has none): the
    /// device cannot enroll again by itself. Restoring the profile's backup (which
    /// holds the secret) or an officer can help.
    #[error("the server refused this device's secret")]
    DeviceSecretMismatch,
    /// The server's answer could not be decoded.
    #[error("the server's answer could not be read: {0}")]
    Protocol(String),
    /// The secure connection was refused: the server's certificate is not from a
    /// trusted authority, not for this host name, or expired (or the handshake
    /// failed otherwise). Nothing was sent; the detail is rustls's reason.
    #[error("the secure connection to the server was refused: {0}")]
    Tls(String),
    /// The server answered with a redirect. It is never followed: a request body (a
    /// form with a NIK) goes only to the configured server, never elsewhere.
    #[error("the server answered with a redirect ({status}), which is not followed")]
    Redirect {
        /// HTTP status (301, 302, 303, 307, 308 …).
        status: u16,
    },
    /// The trusted root certificates given for a test or staging server cannot be read.
    #[error("the trusted root certificates cannot be read: {0}")]
    InvalidRoots(String),

    // --- backups -----------------------------------------------------------
    /// The passphrase is too short to protect a backup file.
    #[error("a backup passphrase needs at least {min} characters")]
    WeakPassphrase {
        /// Fewest characters accepted.
        min: u32,
    },
    /// The passphrase does not open this backup, or the file was changed after it
    /// was written (the two cannot be told apart: that is the point).
    #[error("the passphrase does not open this backup, or the file was changed")]
    WrongPassphrase,
    /// Not a Rantau backup, or one that was cut short.
    #[error("not a whole Rantau backup: {0}")]
    DamagedBackup(String),
    /// The backup was written by a newer version of the app.
    #[error("the backup was written by a newer version (format {found}, this app reads up to {supported})")]
    BackupTooNew {
        /// Format (or schema) version found in the file.
        found: u32,
        /// Highest version this code reads.
        supported: u32,
    },

    // --- the profile's PIN --------------------------------------------------
    /// A PIN is 4 to 8 digits.
    #[error("a PIN is {min} to {max} digits")]
    PinFormat {
        /// Fewest digits.
        min: u32,
        /// Most digits.
        max: u32,
    },
    /// A PIN anyone would try first (one digit repeated, a run like 1234, two
    /// digits alternating, a keypad column).
    #[error("the PIN is too easy to guess")]
    PinTrivial,
    /// The PIN is wrong; `attempts_left` more before a wait.
    #[error("wrong PIN ({attempts_left} attempt(s) left before a wait)")]
    PinWrong {
        /// Wrong PINs still allowed before the profile waits.
        attempts_left: u32,
    },
    /// Too many wrong PINs: no PIN is checked before `until`.
    #[error("too many wrong PINs; the next try is allowed at {until} (unix ms)")]
    PinLocked {
        /// When the next PIN is checked (unix ms).
        until: i64,
    },
    /// The profile has a PIN and this handle was not unlocked with it.
    #[error("the profile is locked with a PIN")]
    PinRequired,
    /// The profile has a PIN already (change it instead).
    #[error("the profile has a PIN already")]
    PinExists,
    /// The profile has no PIN to check, change or remove.
    #[error("the profile has no PIN")]
    NoPin,
    // --- linking this phone to a person -------------------------------------
    /// The NIK or KPJ, or the birth date, given to link this phone cannot be one.
    #[error("a link needs a NIK or a KPJ and a birth date")]
    LinkInvalid,
    /// No link attempt on this phone (or the server knows none by that id).
    #[error("no link attempt to confirm")]
    LinkNotStarted,
    /// The code is wrong; `left` more tries before the attempt locks.
    #[error("wrong link code ({left} tries left)")]
    LinkCodeWrong {
        /// Tries left.
        left: u32,
    },
    /// The attempt or the code is past its time.
    #[error("the link code has expired")]
    LinkCodeExpired,
    /// The code (or the attempt) was used already.
    #[error("the link code was used already")]
    LinkCodeUsed,
    /// Too many wrong codes locked the attempt: start again.
    #[error("the link attempt is locked")]
    LinkLocked,

    // --- long work ---------------------------------------------------------
    /// The operation was interrupted on request; nothing was lost.
    #[error("interrupted")]
    Interrupted,
}

/// What a front-end does about an [`Error`]: the groups a screen acts on. The
/// bindings turn each into one case of the app's exception; the CLI picks its
/// wording and exit status by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The answers have errors: show the issues.
    Validation,
    /// No draft, submission, profile or file with that id or name.
    NotFound,
    /// The key does not open this profile, or its PIN does not open it for the
    /// user (wrong, a wait running, not given yet: ask again).
    WrongKey,
    /// The database or the disk failed (full, damaged, written by a newer app).
    Storage,
    /// No connection, a timeout, a refused certificate or a server error: nothing
    /// was lost, and a later run (another network, a fixed server) may succeed.
    Network,
    /// The server refused this device.
    Auth,
    /// The work was interrupted on request; nothing was lost.
    Interrupted,
    /// The caller asked for something impossible (an unknown form or field, a value
    /// of the wrong type, a finalized draft, a bad key, name or server address).
    InvalidInput,
}

impl Error {
    /// The group a front-end acts on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid(_) => ErrorKind::Validation,
            Error::DraftNotFound(_)
            | Error::SubmissionNotFound(_)
            | Error::ProfileNotFound(_)
            | Error::AttachmentNotFound(_) => ErrorKind::NotFound,
            // A PIN is the profile's second key: asked again, never a bug.
            Error::WrongKey
            | Error::WrongPassphrase
            | Error::PinWrong { .. }
            | Error::PinLocked { .. }
            | Error::PinRequired => ErrorKind::WrongKey,
            Error::NotADatabase(_)
            | Error::SchemaTooNew { .. }
            | Error::StorageFull
            | Error::StorageIo { .. }
            | Error::Sqlite(_)
            | Error::Io(_)
            | Error::MalformedStoredData(_)
            | Error::InvalidReferenceData(_) => ErrorKind::Storage,
            Error::Network(_)
            | Error::Server { .. }
            | Error::Protocol(_)
            | Error::Tls(_)
            | Error::Redirect { .. } => ErrorKind::Network,
            Error::Unauthorized(_) | Error::DeviceSecretMismatch => ErrorKind::Auth,
            Error::Interrupted => ErrorKind::Interrupted,
            Error::InvalidKey
            | Error::ProfileExists(_)
            | Error::ProfileNotDamaged(_)
            | Error::InvalidProfileName
            | Error::UnknownForm(_)
            | Error::InvalidDefinition(_)
            | Error::UnknownField(_)
            | Error::WrongValueType { .. }
            | Error::AlreadyFinalized(_)
            | Error::AlreadyLeft(_)
            | Error::NeededByAnother(_)
            | Error::InvalidUrl(_)
            | Error::InsecureUrl(_)
            | Error::InvalidRoots(_)
            | Error::AttachmentTooLarge { .. }
            | Error::TooManyPages { .. }
            | Error::UnsupportedAttachmentType
            | Error::WeakPassphrase { .. }
            | Error::DamagedBackup(_)
            | Error::BackupTooNew { .. }
            | Error::PinFormat { .. }
            | Error::PinTrivial
            | Error::PinExists
            | Error::NoPin
            | Error::LinkInvalid
            | Error::LinkNotStarted
            | Error::LinkCodeWrong { .. }
            | Error::LinkCodeExpired
            | Error::LinkCodeUsed
            | Error::LinkLocked => ErrorKind::InvalidInput,
        }
    }

    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::WrongKey => "store.wrong_key",
            Error::InvalidKey => "store.invalid_key",
            Error::NotADatabase(_) => "store.not_a_database",
            Error::SchemaTooNew { .. } => "store.schema_too_new",
            Error::ProfileNotFound(_) => "profile.not_found",
            Error::ProfileExists(_) => "profile.exists",
            Error::ProfileNotDamaged(_) => "profile.not_damaged",
            Error::InvalidProfileName => "profile.invalid_name",
            Error::StorageFull => "store.full",
            Error::StorageIo { .. } => "store.io_error",
            Error::Sqlite(_) => "store.sqlite",
            Error::Io(_) => "store.io",
            Error::MalformedStoredData(_) => "store.malformed",
            Error::AttachmentTooLarge { .. } => "attachment.too_large",
            Error::TooManyPages { .. } => "attachment.too_many_pages",
            Error::UnsupportedAttachmentType => "attachment.unsupported_type",
            Error::AttachmentNotFound(_) => "attachment.not_found",
            Error::InvalidReferenceData(_) => "reference.invalid",
            Error::UnknownForm(_) => "form.unknown",
            Error::InvalidDefinition(_) => "form.invalid_definition",
            Error::UnknownField(_) => "field.unknown",
            Error::WrongValueType { .. } => "field.wrong_type",
            Error::DraftNotFound(_) => "draft.not_found",
            Error::SubmissionNotFound(_) => "submission.not_found",
            Error::AlreadyFinalized(_) => "draft.finalized",
            Error::AlreadyLeft(_) => "submission.already_left",
            Error::NeededByAnother(_) => "submission.needed_by_another",
            Error::Invalid(_) => "form.invalid",
            Error::InvalidUrl(_) => "sync.invalid_url",
            Error::InsecureUrl(_) => "sync.insecure_url",
            Error::Network(_) => "sync.network",
            Error::Server { .. } => "sync.server",
            Error::Unauthorized(_) => "sync.unauthorized",
            Error::DeviceSecretMismatch => "sync.device_secret_mismatch",
            Error::Protocol(_) => "sync.protocol",
            Error::Tls(_) => "sync.tls",
            Error::Redirect { .. } => "sync.redirect",
            Error::InvalidRoots(_) => "sync.invalid_roots",
            Error::WeakPassphrase { .. } => "backup.weak_passphrase",
            Error::WrongPassphrase => "backup.wrong_passphrase",
            Error::DamagedBackup(_) => "backup.damaged",
            Error::BackupTooNew { .. } => "backup.too_new",
            Error::PinFormat { .. } => "pin.format",
            Error::PinTrivial => "pin.trivial",
            Error::PinWrong { .. } => "pin.wrong",
            Error::PinLocked { .. } => "pin.locked",
            Error::PinRequired => "pin.required",
            Error::PinExists => "pin.exists",
            Error::NoPin => "pin.none",
            Error::LinkInvalid => "link.invalid",
            Error::LinkNotStarted => "link.not_found",
            Error::LinkCodeWrong { .. } => "link.code_wrong",
            Error::LinkCodeExpired => "link.code_expired",
            Error::LinkCodeUsed => "link.code_used",
            Error::LinkLocked => "link.locked",
            Error::Interrupted => "interrupted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_fall_in_the_group_a_screen_acts_on() {
        let cases = [
            (Error::Invalid(Vec::new()), ErrorKind::Validation),
            (Error::SubmissionNotFound("s".into()), ErrorKind::NotFound),
            (Error::WrongKey, ErrorKind::WrongKey),
            (Error::StorageIo { extended: 778 }, ErrorKind::Storage),
            (Error::StorageFull, ErrorKind::Storage),
            (
                Error::Server {
                    status: 503,
                    code: "x".into(),
                },
                ErrorKind::Network,
            ),
            (Error::Tls("x".into()), ErrorKind::Network),
            (Error::Unauthorized("x".into()), ErrorKind::Auth),
            (Error::Interrupted, ErrorKind::Interrupted),
            (Error::AlreadyFinalized("d".into()), ErrorKind::InvalidInput),
            (Error::InsecureUrl("x".into()), ErrorKind::InvalidInput),
        ];
        for (error, kind) in cases {
            assert_eq!(error.kind(), kind, "{}", error.code());
        }
    }
}
