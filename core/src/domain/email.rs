//! E-mail addresses, checked pragmatically (one `@`, a local part, a dotted domain,
//! no spaces). Whether the mailbox exists is only known by writing to it.

use serde::Serialize;

use crate::base::issue::Problem;

/// An e-mail address with its domain in lower case. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address; surrounding spaces are ignored, the domain is lower-cased
    /// (the local part is kept as typed: it may be case-sensitive). Error: `email.invalid`.
    pub fn parse(input: &str) -> Result<Email, Problem> {
        let invalid = || Problem::error("email.invalid");
        let s = input.trim();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return Err(invalid());
        }
        let domain = domain.to_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels
                .iter()
                .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
        {
            return Err(invalid());
        }
        let out = format!("{local}@{domain}");
        // Lower-casing may lengthen some characters: keep the limit on the stored form.
        if out.len() > 254 {
            return Err(invalid());
        }
        Ok(Email(out))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Email {
    // Hand-written: an address identifies a person.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Email {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

super::deserialize_via_parse!(Email, Email::parse);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_lowercases_the_domain_only() {
        let e = Email::parse("  Siti.Aminah@Gmail.COM ").unwrap();
        assert_eq!(e.as_str(), "Siti.Aminah@gmail.com");
        assert_eq!(
            Email::parse("a+b@mail.example.co.id").unwrap().to_string(),
            "a+b@mail.example.co.id"
        );
    }

    #[test]
    fn email_rejects_malformed_addresses() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        for s in [
            "",
            "siti",
            "@gmail.com",
            "siti@",
            "siti@gmail",
            "siti@@gmail.com",
            "si ti@gmail.com",
            "siti@gmail..com",
            "siti@.gmail.com",
            "siti@gmail.com.",
            "a@b@c.com",
            "siti@-x.com",
            &long_local,
        ] {
            assert_eq!(Email::parse(s).unwrap_err().code, "email.invalid", "{s}");
        }
    }

    #[test]
    fn email_debug_is_redacted() {
        assert!(!format!("{:?}", Email::parse("siti@gmail.com").unwrap()).contains("siti"));
    }

    proptest! {
        #[test]
        fn email_parse_never_panics(s in "\\PC*") {
            let _ = Email::parse(&s);
        }

        #[test]
        fn email_normalization_is_idempotent(s in "[a-zA-Z0-9._+-]{1,20}@[a-zA-Z0-9.-]{1,20}|\\PC{1,10}@\\PC{1,10}\\.\\PC{1,5}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()), Ok(e));
            }
        }
    }
}
