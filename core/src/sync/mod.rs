//! Sync with the agency's server: the v1 wire format, and the engine that pushes
//! the outbox in batches and pulls the change feed into the local cache.
//! Entry point: [`sync`]; everything it writes is one atomic transaction per step.

pub mod backoff;
pub mod cached;
pub mod config;
mod engine;
mod enroll;
mod http;
pub mod observer;
mod pull;
mod push;
mod upload;
pub mod wire;

pub use backoff::Backoff;
pub use config::SyncConfig;
pub use engine::sync;
pub use observer::{NoObserver, SyncObserver, SyncReport, SyncState};

/// Messages for sync outcomes the user sees (issues set on submissions).
pub static MESSAGES: &[crate::messages::Entry] = &[
    (
        "sync.registration_rejected",
        "Pendaftaran ditolak petugas: {reason}",
        "The registration was rejected by an officer: {reason}",
    ),
    (
        "sync.conflict",
        "Server sudah menerima kiriman lain dengan nomor yang sama. Buka kembali formulir dan kirim ulang.",
        "The server already holds a different submission with this id. Reopen the form and send it again.",
    ),
    (
        "sync.tls",
        "Sambungan aman ke server ditolak: sertifikatnya tidak tepercaya, bukan untuk alamat ini, atau kedaluwarsa. Tidak ada data yang dikirim; formulir tetap tersimpan di ponsel.",
        "The secure connection to the server was refused: its certificate is not trusted, not for this address, or expired. Nothing was sent; your forms stay on the phone.",
    ),
    (
        "sync.redirect",
        "Server mengalihkan ke alamat lain. Rantau tidak mengikutinya, jadi data Anda tidak dikirim ke tempat lain; formulir tetap tersimpan di ponsel.",
        "The server redirected to another address. Rantau does not follow it, so your data is not sent elsewhere; your forms stay on the phone.",
    ),
    (
        "sync.invalid_roots",
        "Sertifikat akar yang diberikan untuk server tidak dapat dibaca (harus berformat PEM).",
        "The root certificates given for the server cannot be read (PEM expected).",
    ),
];

#[cfg(test)]
mod tests {
    use crate::messages::render;
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
