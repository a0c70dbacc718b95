//! Roles: what a field means for the system, declared in the definition
//! (`"role": "contract_start"`). Code that decides something from answers (the
//! fee quote, the server's decision, the sync order) finds its fields by role,
//! never by id, so a form may name its fields as it likes.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::kind::Kind;

/// The meaning of a field for the system. A role is declared on at most one
/// top-level field of a form, on a field of a kind that can hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Role {
    /// Registration: the placement scheme (`p3mi`, `government`, `individual`).
    Scheme,
    /// Registration: the first day of the employment contract.
    ContractStart,
    /// Registration: the last day of the employment contract.
    ContractEnd,
    /// Registration: the day of departure, when known (placement protection starts then).
    DepartureDate,
    /// Registration: whether the worker joins JHT (the choice `yes` means yes).
    JhtOptIn,
    /// Registration: the chosen monthly JHT amount, in rupiah.
    JhtAmount,
    /// Registration: the destination country.
    Destination,
    /// The registration this form is about (a local submission id or a server
    /// reference): the sync sends that registration first.
    RefersTo,
    /// Registration: the worker's NIK, the person the server registers (one
    /// membership per placement window and person).
    Nik,
}

/// The value of a [`Role::JhtOptIn`] choice that means "yes, I join JHT".
pub(crate) const OPTED_IN: &str = "yes";

impl Role {
    /// Every role, in the order the docs list them.
    pub const ALL: [Role; 9] = [
        Role::Scheme,
        Role::ContractStart,
        Role::ContractEnd,
        Role::DepartureDate,
        Role::JhtOptIn,
        Role::JhtAmount,
        Role::Destination,
        Role::RefersTo,
        Role::Nik,
    ];

    /// The name written in a definition.
    // The role vocabulary; `core/tests/no_field_ids.rs` allows these literals here only.
    pub fn name(self) -> &'static str {
        match self {
            Role::Scheme => "scheme",
            Role::ContractStart => "contract_start",
            Role::ContractEnd => "contract_end",
            Role::DepartureDate => "departure_date",
            Role::JhtOptIn => "jht_opt_in",
            Role::JhtAmount => "jht_amount",
            Role::Destination => "destination",
            Role::RefersTo => "refers_to",
            Role::Nik => "nik",
        }
    }

    /// The role written `name` in a definition.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The field kinds that can hold this role's value.
    pub fn kinds(self) -> &'static [Kind] {
        match self {
            Role::Scheme | Role::JhtOptIn => &[Kind::SingleChoice],
            Role::ContractStart | Role::ContractEnd | Role::DepartureDate => &[Kind::Date],
            // A choice of fixed amounts (the built-in form) or a typed number.
            Role::JhtAmount => &[Kind::SingleChoice, Kind::Number],
            Role::Destination => &[Kind::Country],
            Role::RefersTo => &[Kind::Text],
            Role::Nik => &[Kind::Nik],
        }
    }

    /// The roles a form must also declare when it declares this one: registration
    /// terms cannot be read without scheme and contract dates, and a JHT amount
    /// means nothing without the opt-in (nor the opt-in without an amount).
    pub(crate) fn needs(self) -> &'static [Role] {
        use Role::*;
        match self {
            RefersTo => &[],
            // The person is who registers: meaningless without the terms.
            Nik => &[Scheme, ContractStart, ContractEnd],
            Scheme => &[ContractStart, ContractEnd],
            ContractStart => &[Scheme, ContractEnd],
            ContractEnd => &[Scheme, ContractStart],
            DepartureDate | Destination => &[Scheme, ContractStart, ContractEnd],
            JhtOptIn => &[Scheme, ContractStart, ContractEnd, JhtAmount],
            JhtAmount => &[Scheme, ContractStart, ContractEnd, JhtOptIn],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Role> for &'static str {
    fn from(role: Role) -> &'static str {
        role.name()
    }
}

impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(name: String) -> Result<Role, String> {
        Role::parse(&name).ok_or_else(|| {
            let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
            format!("unknown role \"{name}\" (known: {})", known.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_parse_and_serde() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
            let json = serde_json::to_string(&role).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", role.name()));
            let back: Result<Role, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(role));
        }
        assert_eq!(Role::parse("Scheme"), None);
    }

    #[test]
    fn unknown_role_names_the_known_ones() {
        let e = serde_json::from_str::<Role>("\"salary\"")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown role \"salary\""), "{e}");
        assert!(e.contains("refers_to"), "{e}");
    }

    #[test]
    fn every_role_fits_some_kind_and_needs_are_declared_roles() {
        for role in Role::ALL {
            assert!(!role.kinds().is_empty(), "{role}");
            assert!(!role.needs().contains(&role), "{role} needs itself");
            // Closed under "needs", so the definition check need not follow chains.
            for needed in role.needs() {
                for further in needed.needs() {
                    assert!(
                        *further == role || role.needs().contains(further),
                        "{role} → {needed} → {further}"
                    );
                }
            }
        }
    }
}
