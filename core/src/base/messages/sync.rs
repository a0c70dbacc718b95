//! The sync engine's messages: the issues it sets on submissions, in Indonesian
//! and English.

/// Messages for sync outcomes the user sees (issues set on submissions).
pub static MESSAGES: &[super::Entry] = &[
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
];
