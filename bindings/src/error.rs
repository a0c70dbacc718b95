//! The one error the app sees (Kotlin: sealed `RantauException`), grouped by what
//! the app does about it; each case keeps the core's stable `code`. Also the guard
//! that turns a panic into [`RantauError::Internal`] so no panic crosses the FFI.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use rantau_core::Error;

use rantau_core::Issue;

/// Why a call failed. Every case has `code`, stable across releases
/// (see `rantau_core::Error::code`); `detail` is for logs, never for the user
/// (it carries ids and paths, no personal data).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum RantauError {
    /// The answers have errors (finalize, contribution quote): show `issues`.
    #[error("{code}")]
    Validation {
        /// Stable code (`form.invalid`, or the check's own code).
        code: String,
        /// Every issue, localized.
        issues: Vec<Issue>,
    },
    /// No draft, submission or profile with that id or name.
    #[error("{code}: {detail}")]
    NotFound {
        /// Stable code.
        code: String,
        /// What was not found (an id or profile name).
        detail: String,
    },
    /// The key does not open this profile.
    #[error("{code}")]
    WrongKey {
        /// Stable code (`store.wrong_key`).
        code: String,
    },
    /// The database or the disk failed (full, damaged, written by a newer app).
    #[error("{code}: {detail}")]
    Storage {
        /// Stable code.
        code: String,
        /// Technical detail.
        detail: String,
    },
    /// No connection, a timeout, or a server error: try again later.
    #[error("{code}: {detail}")]
    Network {
        /// Stable code.
        code: String,
        /// Technical detail.
        detail: String,
    },
    /// The server refused this device.
    #[error("{code}: {detail}")]
    Auth {
        /// Stable code.
        code: String,
        /// Technical detail.
        detail: String,
    },
    /// The work was interrupted on request; nothing was lost.
    #[error("{code}")]
    Interrupted {
        /// Stable code (`interrupted`).
        code: String,
    },
    /// The app asked for something impossible: an unknown form or field, a value of
    /// the wrong type, editing a finalized draft, a bad key or server address.
    #[error("{code}: {detail}")]
    InvalidInput {
        /// Stable code.
        code: String,
        /// Technical detail.
        detail: String,
    },
    /// The profile was closed; open it again.
    #[error("{code}")]
    Closed {
        /// Stable code (`profile.closed`).
        code: String,
    },
    /// A bug: the core panicked. The call had no effect beyond its transaction.
    #[error("{code}: {detail}")]
    Internal {
        /// Stable code (`internal.panic`).
        code: String,
        /// The panic message.
        detail: String,
    },
}

impl RantauError {
    /// The error for a call on a closed profile.
    pub(crate) fn closed() -> Self {
        RantauError::Closed {
            code: "profile.closed".into(),
        }
    }

    /// The stable code of any case.
    pub fn code(&self) -> &str {
        match self {
            RantauError::Validation { code, .. }
            | RantauError::NotFound { code, .. }
            | RantauError::WrongKey { code }
            | RantauError::Storage { code, .. }
            | RantauError::Network { code, .. }
            | RantauError::Auth { code, .. }
            | RantauError::Interrupted { code }
            | RantauError::InvalidInput { code, .. }
            | RantauError::Closed { code }
            | RantauError::Internal { code, .. } => code,
        }
    }
}

impl From<Error> for RantauError {
    fn from(e: Error) -> Self {
        let code = e.code().to_string();
        let detail = e.to_string();
        match e {
            Error::Invalid(issues) => RantauError::Validation { code, issues },
            Error::DraftNotFound(_)
            | Error::SubmissionNotFound(_)
            | Error::ProfileNotFound(_)
            | Error::AttachmentNotFound(_) => RantauError::NotFound { code, detail },
            Error::WrongKey => RantauError::WrongKey { code },
            Error::NotADatabase(_)
            | Error::SchemaTooNew { .. }
            | Error::StorageFull
            | Error::StorageIo { .. }
            | Error::Sqlite(_)
            | Error::Io(_)
            | Error::MalformedStoredData(_)
            | Error::InvalidReferenceData(_) => RantauError::Storage { code, detail },
            // A refused certificate or a redirect: nothing was sent, the outbox is as it
            // was, and a later run (another network, a fixed server) may succeed.
            Error::Network(_)
            | Error::Server { .. }
            | Error::Protocol(_)
            | Error::Tls(_)
            | Error::Redirect { .. } => RantauError::Network { code, detail },
            Error::Unauthorized(_) | Error::DeviceSecretMismatch => {
                RantauError::Auth { code, detail }
            }
            Error::Interrupted => RantauError::Interrupted { code },
            Error::InvalidKey
            | Error::ProfileExists(_)
            | Error::ProfileNotDamaged(_)
            | Error::InvalidProfileName
            | Error::UnknownForm(_)
            | Error::InvalidDefinition(_)
            | Error::UnknownField(_)
            | Error::WrongValueType { .. }
            | Error::AlreadyFinalized(_)
            | Error::InvalidUrl(_)
            | Error::InsecureUrl(_)
            | Error::InvalidRoots(_)
            | Error::AttachmentTooLarge { .. }
            | Error::TooManyPages { .. }
            | Error::UnsupportedAttachmentType => RantauError::InvalidInput { code, detail },
        }
    }
}

fn panic_error(payload: Box<dyn std::any::Any + Send>) -> RantauError {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into());
    RantauError::Internal {
        code: "internal.panic".into(),
        detail,
    }
}

/// Runs one export's body; a panic becomes [`RantauError::Internal`].
pub(crate) fn guard<T>(body: impl FnOnce() -> Result<T, RantauError>) -> Result<T, RantauError> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|p| Err(panic_error(p)))
}

/// A future whose panics (in any poll) become [`RantauError::Internal`]. Dropping
/// it drops the inner future: that is how a cancelled coroutine cancels the work.
pub(crate) struct Guarded<F>(Pin<Box<F>>);

/// Wraps an async export's body, see [`Guarded`].
pub(crate) fn guard_async<T, F>(fut: F) -> Guarded<F>
where
    F: Future<Output = Result<T, RantauError>>,
{
    Guarded(Box::pin(fut))
}

impl<T, F: Future<Output = Result<T, RantauError>>> Future for Guarded<F> {
    type Output = Result<T, RantauError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(poll) => poll,
            Err(p) => Poll::Ready(Err(panic_error(p))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_keeps_its_code() {
        let cases = [
            Error::WrongKey,
            Error::DraftNotFound("d".into()),
            Error::Network("x".into()),
            Error::Unauthorized("x".into()),
            Error::Interrupted,
            Error::UnknownField("f".into()),
            Error::StorageFull,
            Error::StorageIo { extended: 778 },
            Error::Invalid(Vec::new()),
        ];
        for e in cases {
            let code = e.code();
            assert_eq!(RantauError::from(e).code(), code);
        }
    }

    #[test]
    fn core_errors_land_in_the_case_the_app_acts_on() {
        assert!(matches!(
            RantauError::from(Error::WrongKey),
            RantauError::WrongKey { .. }
        ));
        assert!(matches!(
            RantauError::from(Error::SubmissionNotFound("s".into())),
            RantauError::NotFound { .. }
        ));
        assert!(matches!(
            RantauError::from(Error::Server {
                status: 503,
                code: "x".into()
            }),
            RantauError::Network { .. }
        ));
        assert!(matches!(
            RantauError::from(Error::StorageIo { extended: 778 }),
            RantauError::Storage { .. }
        ));
        assert!(matches!(
            RantauError::from(Error::AlreadyFinalized("d".into())),
            RantauError::InvalidInput { .. }
        ));
    }

    #[test]
    fn guard_turns_a_panic_into_internal() {
        let r: Result<(), RantauError> = guard(|| panic!("boom"));
        match r {
            Err(RantauError::Internal { code, detail }) => {
                assert_eq!(code, "internal.panic");
                assert_eq!(detail, "boom");
            }
            other => panic!("expected Internal, got {other:?}"),
        }
    }

    #[test]
    fn guarded_future_turns_a_panic_into_internal() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let r: Result<(), RantauError> = rt.block_on(guard_async(async { panic!("async boom") }));
        assert!(matches!(r, Err(RantauError::Internal { .. })));
        let ok = rt.block_on(guard_async(async { Ok::<_, RantauError>(7) }));
        assert_eq!(ok.unwrap(), 7);
    }
}
