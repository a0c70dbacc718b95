//! The document-file policy: which files a form may carry (JPEG, PNG or PDF, told
//! by their first bytes), how large, and how a file is named (its content id, the
//! SHA-256 of its bytes). Shared by the forms, the store and the server.

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Largest file accepted (5 MiB): a phone photo of a document, or a short PDF.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// Most bytes of distinct files in one draft or submission (15 MiB).
pub const MAX_SUBMISSION_BYTES: u64 = 15 * 1024 * 1024;
/// The file types accepted, by their first bytes (the name or a hint is never trusted).
const SIGNATURES: &[(&[u8], &str)] = &[
    (&[0xFF, 0xD8, 0xFF], "image/jpeg"),
    (
        &[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        "image/png",
    ),
    (b"%PDF-", "application/pdf"),
];

/// The MIME type of `bytes` by its magic number, if it is one we accept.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, mime)| *mime)
}

/// The content id: lowercase hex SHA-256 of the bytes.
pub fn content_id(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// True for a lowercase 64-digit hex string (a content id).
pub fn is_content_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks size and type; returns the sniffed MIME type.
/// Errors: [`Error::AttachmentTooLarge`], [`Error::UnsupportedAttachmentType`].
pub fn check_file(bytes: &[u8]) -> Result<&'static str> {
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(Error::AttachmentTooLarge {
            size,
            max: MAX_FILE_BYTES,
        });
    }
    sniff(bytes).ok_or(Error::UnsupportedAttachmentType)
}
