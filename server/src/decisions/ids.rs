//! Tokens, hashes and issued numbers: bearer tokens (only their SHA-256 is
//! stored), the canonical payload hash behind idempotency, and random
//! 11-digit KPJ numbers and payment codes.

use rand::Rng;
use sha2::{Digest, Sha256};

/// A new random bearer token (256 bits, hex).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A new random device secret (256 bits, hex): given once, at first enrollment;
/// only its SHA-256 is stored.
pub fn new_device_secret() -> String {
    new_token()
}

/// Compares two byte strings in time independent of where they differ (`subtle`,
/// so the optimiser cannot turn it back into an early-exit loop).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    // Lengths are public (both sides are SHA-256 hashes); only the bytes are secret.
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Writes `value` as JSON with object keys sorted at every level, so that two
/// payloads that differ only in key order hash the same. (It is also what
/// `serde_json::to_string` writes for a `Value`, whose maps are sorted: the
/// stored payload is this text.)
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = Vec::with_capacity(1024);
    write_canonical(value, &mut out);
    // Only serde_json's output and ASCII punctuation were written: UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends `value`'s canonical JSON to `out`; strings and scalars are written
/// by serde_json straight into it (no string per key or value: this runs on
/// every field of every submission).
fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(k, out);
                out.push(b':');
                write_canonical(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(v, out);
            }
            out.push(b']');
        }
        scalar => write_json(scalar, out),
    }
}

/// Appends `value` as compact JSON (writing to a Vec cannot fail).
fn write_json<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(out, value);
}

/// The idempotency hash of a submission: SHA-256 of the canonical JSON of
/// `{form_id, form_version, payload}` (the client's `created_at` is not part
/// of what was said, so it is left out).
pub fn payload_hash(form_id: &str, form_version: u32, payload: &serde_json::Value) -> [u8; 32] {
    canonical_payload_hash(form_id, form_version, &canonical_json(payload))
}

/// [`payload_hash`] from the payload's [`canonical_json`], computed once and
/// also stored: the document is hashed as it is written, never built.
pub fn canonical_payload_hash(form_id: &str, form_version: u32, payload_json: &str) -> [u8; 32] {
    let mut id = Vec::with_capacity(form_id.len() + 2);
    write_json(form_id, &mut id);
    let mut h = Sha256::new();
    // The keys in canonical (sorted) order: form_id, form_version, payload.
    h.update(b"{\"form_id\":");
    h.update(&id);
    h.update(b",\"form_version\":");
    h.update(form_version.to_string().as_bytes());
    h.update(b",\"payload\":");
    h.update(payload_json.as_bytes());
    h.update(b"}");
    h.finalize().into()
}

/// A random 11-digit number with a non-zero first digit.
pub fn eleven_digits() -> String {
    let mut rng = rand::rng();
    let mut s = String::with_capacity(11);
    s.push(char::from(b'1' + rng.random_range(0..9u8)));
    for _ in 0..10 {
        s.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    s
}

/// A random reference such as `KONS-7Q2M9XK4`: a prefix and 10 characters of
/// an alphabet without look-alikes (0/O, 1/I).
pub fn reference(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let tail: String = (0..10)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("{prefix}-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_change_the_hash() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":[1,2],"x":"s"}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":{"x":"s","y":[1,2]},"b":1}"#);
        assert_eq!(payload_hash("f", 1, &a), payload_hash("f", 1, &b));
        assert_ne!(payload_hash("f", 1, &a), payload_hash("f", 2, &a));
        assert_ne!(
            payload_hash("f", 1, &a),
            payload_hash("f", 1, &json!({"b": 2}))
        );
        // The streamed hash is the hash of the document built and written whole.
        for (form, v) in [("f", 1), ("pmi-registration", 12), ("q\"\u{e9}\\", 0)] {
            let doc = json!({ "form_id": form, "form_version": v, "payload": a });
            assert_eq!(
                payload_hash(form, v, &a),
                sha256(canonical_json(&doc).as_bytes())
            );
        }
        // And the canonical text is what serde_json writes for a Value.
        let tricky = json!({"z": [1.5, -0.0, null, true, {"\u{1}": "\"\n\u{2028}"}], "a": 1e300});
        assert_eq!(canonical_json(&tricky), tricky.to_string());
    }

    #[test]
    fn tokens_and_numbers_have_their_shape() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        for _ in 0..100 {
            let n = eleven_digits();
            assert_eq!(n.len(), 11);
            assert!(n.bytes().all(|b| b.is_ascii_digit()));
            assert_ne!(n.as_bytes()[0], b'0');
        }
        let r = reference("KONS");
        assert!(r.starts_with("KONS-") && r.len() == 15);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    proptest! {
        #[test]
        fn canonical_json_round_trips_to_the_same_value(s in "[a-z]{0,5}", n in any::<i64>(), k in "[a-z]{1,4}") {
            let v = json!({ k.clone(): s, "n": n, "z": [{"b": 1, "a": 2}] });
            let text = canonical_json(&v);
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back, &v);
            prop_assert_eq!(canonical_json(&back), text);
        }
    }
}
