//! Sync with the agency's server: the engine that pushes the outbox in batches and
//! pulls the change feed into the local cache, speaking `protocol`'s v1 wire format.
//! Entry point: [`sync`]; everything it writes is one atomic transaction per step.

pub mod backoff;
pub mod config;
mod engine;
mod enroll;
mod http;
mod known_status;
pub(crate) mod link;
pub mod meta_keys;
pub mod observer;
mod pull;
mod push;
mod run_size;
mod upload;

pub use backoff::Backoff;
pub use config::SyncConfig;
pub use engine::sync;
pub use observer::{NoObserver, SyncObserver, SyncReport, SyncState};

/// The pull's cache writer, for the app's tests that read events back through the inquiries.
#[cfg(test)]
pub(crate) use pull::apply_event;

#[cfg(test)]
mod tests {
    use crate::base::messages::render;
    use crate::{Error, Lang};

    /// A refused connection is shown to the worker, so it must read as words in
    /// both languages, not as a bare code.
    #[test]
    fn tls_and_redirect_errors_have_messages_in_both_languages() {
        for e in [
            Error::Tls("invalid peer certificate: UnknownIssuer".into()),
            Error::Redirect { status: 307 },
            Error::InvalidRoots("no certificate".into()),
        ] {
            for lang in [Lang::Id, Lang::En] {
                let text = render(e.code(), lang, &[]);
                assert_ne!(text, e.code(), "{} has no {lang:?} message", e.code());
            }
        }
        assert_eq!(Error::Tls(String::new()).code(), "sync.tls");
        assert_eq!(Error::Redirect { status: 302 }.code(), "sync.redirect");
    }
}
