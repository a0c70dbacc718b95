//! The `wire_client` harness: every JSON document the app decodes from a server
//! (sync responses, error bodies, the cache bodies built from them, the service
//! directory and tariff table it may replace). Decoding never panics; what
//! decodes re-encodes to JSON that decodes to the same value, byte-stable.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::app::inquiry::{derive_status, Decision, Window};
use crate::domain::directory::Directory;
use crate::domain::tariff::TariffTable;
use crate::protocol::cached::{
    CardBody, ContributionBody, PaymentBody, PaymentInstructionsBody, ProtectionBody,
    RegistrationDecision, ThreadBody,
};
use crate::protocol::wire::{
    AttachmentStatus, BatchResponse, ChangesResponse, EnrollResponse, ErrorBody, EventKind,
};
use crate::store::outbox::OutboxState;

/// Decodes `bytes` as `T`; when it decodes, checks the round trip and returns it.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    bytes: &[u8],
) -> Option<T> {
    let v: T = serde_json::from_slice(bytes).ok()?;
    let text = match serde_json::to_vec(&v) {
        Ok(t) => t,
        Err(e) => panic!("a decoded value does not encode: {e}"),
    };
    let back: T = match serde_json::from_slice(&text) {
        Ok(b) => b,
        Err(e) => panic!("an encoded value does not decode: {e}"),
    };
    assert_eq!(back, v, "decode(encode(x)) != x");
    assert_eq!(
        serde_json::to_vec(&back).ok(),
        Some(text),
        "encoding is not stable"
    );
    Some(v)
}

/// What the app does with a page of the change feed beyond decoding it: the
/// protection windows' dates feed the membership status.
fn use_changes(page: &ChangesResponse) {
    let today = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap_or_default();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    for event in &page.events {
        if let EventKind::PaymentRecorded { protection, .. } = &event.kind {
            let windows: Vec<Window> = protection
                .iter()
                .filter_map(|w| {
                    Some(Window {
                        phase: w.phase,
                        start: day(&w.start)?,
                        end: day(&w.end)?,
                    })
                })
                .collect();
            for local in [None, Some(OutboxState::Accepted), Some(OutboxState::Queued)] {
                for decision in [None, Some(Decision::Decided), Some(Decision::Rejected)] {
                    let _ = derive_status(local, decision, &windows, today);
                }
            }
        }
    }
}

/// First byte picks the type (modulo 14); the rest is the JSON document.
pub fn wire_client(data: &[u8]) {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    match selector % 14 {
        0 => {
            let _ = round_trip::<EnrollResponse>(json);
        }
        1 => {
            let _ = round_trip::<BatchResponse>(json);
        }
        2 => {
            if let Some(page) = round_trip::<ChangesResponse>(json) {
                use_changes(&page);
            }
        }
        3 => {
            let _ = round_trip::<AttachmentStatus>(json);
        }
        4 => {
            let _ = round_trip::<ErrorBody>(json);
        }
        5 => {
            let _ = round_trip::<RegistrationDecision>(json);
        }
        6 => {
            let _ = round_trip::<CardBody>(json);
        }
        7 => {
            let _ = round_trip::<PaymentInstructionsBody>(json);
        }
        8 => {
            let _ = round_trip::<ProtectionBody>(json);
        }
        9 => {
            let _ = round_trip::<PaymentBody>(json);
        }
        10 => {
            let _ = round_trip::<ContributionBody>(json);
        }
        11 => {
            let _ = round_trip::<ThreadBody>(json);
        }
        12 => {
            let Ok(text) = std::str::from_utf8(json) else {
                return;
            };
            if let Ok(d) = Directory::from_json(text) {
                let again = serde_json::to_string(&d)
                    .ok()
                    .map(|t| Directory::from_json(&t));
                assert!(
                    matches!(again, Some(Ok(ref x)) if *x == d),
                    "directory round trip"
                );
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(json) else {
                return;
            };
            if let Ok(t) = TariffTable::from_json(text) {
                let again = serde_json::to_string(&t)
                    .ok()
                    .map(|s| TariffTable::from_json(&s));
                assert!(
                    matches!(again, Some(Ok(ref x)) if *x == t),
                    "tariff round trip"
                );
            }
        }
    }
}
