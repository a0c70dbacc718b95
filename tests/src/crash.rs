//! The crash client's line protocol and what the harness needs to judge it: one
//! line per returned call (`saved`, `attached`, `finalized`, `synced`), a `begin`
//! line before each call so a kill can be placed in its phase, and a seeded RNG.

use serde_json::Value;

/// The fixed profile key of crash tests (never a real key).
pub const KEY_HEX: &str = "63726173682d746573742d6b65792d6e6f742d7265616c2d3030303030303031";

/// The passphrase of the crash tests' backups (never a real one).
pub const BACKUP_PASSPHRASE: &str = "kopi susu di Hong Kong";

/// The profile name the crash client uses.
pub const PROFILE: &str = "crash";

pub use crate::rng::Rng;

/// A number from the environment (a seed, a count of kills), or `default`: the
/// gate runs the defaults, the exploration script sets fresh ones.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the client's `type` mode types into the name, before the key's number.
pub const TYPED_PREFIX: &str = "Ketik ";

/// The number of the key whose text `stored` is (`Ketik 12` → 12), whatever case
/// the form stored it in.
pub fn typed_number(stored: &str) -> Option<u64> {
    stored.rsplit(' ').next()?.parse().ok()
}

/// The synthetic person of a draft, from its id: a resumed draft gets the same data.
pub fn person_of(draft_id: &str) -> usize {
    let hex: String = draft_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    u64::from_str_radix(&hex, 16).unwrap_or(0) as usize
}

/// Free-text fields where the client sometimes saves a half-typed value first.
pub const TYPO_FIELDS: &[&str] = &[
    "full_name",
    "address",
    "village",
    "birth_place",
    "mother_maiden_name",
    "employer_name",
    "placement_company",
];

/// The value at a field path (`heirs[0].name` or `nik`) of answers or a payload.
pub fn value_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = root;
    for part in path.split('.') {
        match part.split_once('[') {
            Some((name, rest)) => {
                let index: usize = rest.trim_end_matches(']').parse().ok()?;
                cur = cur.get(name)?.get(index)?;
            }
            None => cur = cur.get(part)?,
        }
    }
    Some(cur)
}

/// One line of the client's output, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// The profile is open.
    Opened,
    /// A call is about to start: its name and its arguments (draft, path).
    Begin(String, Vec<String>),
    /// A draft was created.
    New(String),
    /// `set_field` returned: draft, path, stored value.
    Saved(String, String, Value),
    /// `attach` returned: draft, field, file id.
    Attached(String, String, String),
    /// `finalize` returned: submission id.
    Finalized(String),
    /// A sync state the observer saw (`enrolling`, `pushing`, `uploading`, `pulling`).
    State(String),
    /// `sync` returned (its report, as text).
    Synced(String),
    /// Anything else (e.g. storage-fault lines), split on spaces.
    Other(Vec<String>),
}

impl Line {
    /// Parses one output line.
    pub fn parse(text: &str) -> Line {
        let mut parts = text.splitn(4, ' ');
        let kind = parts.next().unwrap_or_default();
        let a = parts.next().unwrap_or_default().to_string();
        let b = parts.next().unwrap_or_default().to_string();
        let c = parts.next().unwrap_or_default().to_string();
        match kind {
            "opened" => Line::Opened,
            "begin" => Line::Begin(a, [b, c].into_iter().filter(|s| !s.is_empty()).collect()),
            "new" => Line::New(a),
            "saved" => Line::Saved(a, b, serde_json::from_str(&c).unwrap_or(Value::Null)),
            "attached" => Line::Attached(a, b, c),
            "finalized" => Line::Finalized(a),
            "state" => Line::State(a),
            "synced" => Line::Synced(text.trim_start_matches("synced ").to_string()),
            _ => Line::Other(text.split(' ').map(str::to_string).collect()),
        }
    }

    /// The phase a kill landed in when this was the last line written: the call
    /// that had begun and not returned, or "between calls".
    pub fn phase(&self) -> &'static str {
        match self {
            Line::Begin(call, _) => match call.as_str() {
                "set" => "autosave",
                "attach" => "attach",
                "finalize" => "finalize",
                "new" => "new-draft",
                "sync" => "sync-start",
                _ => "other-call",
            },
            Line::State(s) => match s.as_str() {
                "enrolling" => "sync-enroll",
                "pushing" => "sync-push",
                "uploading" => "sync-upload",
                "pulling" => "sync-pull",
                _ => "sync-other",
            },
            Line::Opened => "after-open",
            _ => "between-calls",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_paths_resolve() {
        let l = Line::parse(r#"saved d1 heirs[0].name "Sri Rahayu""#);
        assert_eq!(
            l,
            Line::Saved(
                "d1".into(),
                "heirs[0].name".into(),
                Value::from("Sri Rahayu")
            )
        );
        assert_eq!(Line::parse("begin set d1 nik").phase(), "autosave");
        assert_eq!(Line::parse("state uploading").phase(), "sync-upload");
        let v = serde_json::json!({"heirs": [{"name": "A"}], "nik": "1"});
        assert_eq!(value_at(&v, "heirs[0].name"), Some(&Value::from("A")));
        assert_eq!(value_at(&v, "nik"), Some(&Value::from("1")));
        assert_eq!(value_at(&v, "heirs[1].name"), None);
    }
}
