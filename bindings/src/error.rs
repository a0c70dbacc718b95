//! The one error the app sees (Kotlin: sealed `RantauException`), grouped by what
//! the app does about it; each case keeps the core's stable `code`. Also the guard
//! that turns a panic into [`RantauError::Internal`] so no panic crosses the FFI.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use rantau_core::{Error, ErrorKind, Issue};

/// What every export returns.
pub(crate) type Res<T> = Result<T, RantauError>;

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
    /// The key does not open this profile (`store.wrong_key`), a backup's passphrase
    /// does not open it (`backup.wrong_passphrase`), or the profile's PIN is wrong
    /// (`pin.wrong`), waits (`pin.locked`) or was not given yet (`pin.required`).
    #[error("{code}")]
    WrongKey {
        /// Stable code (`store.wrong_key`, `backup.wrong_passphrase`, `pin.…`).
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
}

impl From<Error> for RantauError {
    fn from(e: Error) -> Self {
        let code = e.code().to_string();
        let detail = e.to_string();
        match (e.kind(), e) {
            (_, Error::Invalid(issues)) => RantauError::Validation { code, issues },
            (ErrorKind::NotFound, _) => RantauError::NotFound { code, detail },
            (ErrorKind::WrongKey, _) => RantauError::WrongKey { code },
            (ErrorKind::Storage, _) => RantauError::Storage { code, detail },
            (ErrorKind::Network, _) => RantauError::Network { code, detail },
            (ErrorKind::Auth, _) => RantauError::Auth { code, detail },
            (ErrorKind::Interrupted, _) => RantauError::Interrupted { code },
            // `Validation` comes only with `Error::Invalid`, above.
            (ErrorKind::InvalidInput | ErrorKind::Validation, _) => {
                RantauError::InvalidInput { code, detail }
            }
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
pub(crate) fn guard<T>(body: impl FnOnce() -> Res<T>) -> Res<T> {
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
            // Every case's text starts with its code.
            let code = e.code();
            assert!(RantauError::from(e).to_string().starts_with(code), "{code}");
        }
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
