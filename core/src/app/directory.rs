//! The service-point directory and the country list as screens show them: every
//! text already in the user's language.

use serde::Serialize;

use crate::app::form::ChoiceItem;
use crate::base::lang::Lang;
use crate::domain::country;
use crate::domain::directory::{self, PointKind};

/// A phone line of a service point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhoneLine {
    /// What it is for.
    pub label: String,
    /// As the source printed it.
    pub number: String,
    /// E.164, when unambiguous (the dial button uses it).
    pub e164: Option<String>,
    /// Date of the source.
    pub as_of: String,
    /// Source URL.
    pub source: String,
    /// Takes WhatsApp.
    pub whatsapp: bool,
}

/// A mission or office abroad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ServicePoint {
    /// Stable id.
    pub id: String,
    /// Kind of office.
    pub kind: PointKind,
    /// Official name.
    pub name: String,
    /// City.
    pub city: String,
    /// Address; `None` when the sources disagree (see the notes).
    pub address: Option<String>,
    /// Website.
    pub website: String,
    /// Verified phone lines.
    pub phones: Vec<PhoneLine>,
    /// Verified e-mails.
    pub emails: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// A country the app knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CountryInfo {
    /// ISO 3166 alpha-2 code (`MY`).
    pub code: String,
    /// Name.
    pub name: String,
    /// Dialing code with its plus (`+60`).
    pub dialing_code: String,
    /// A placement destination (false for Indonesia).
    pub destination: bool,
}

fn phone_line(p: &directory::PhoneLine, lang: Lang) -> PhoneLine {
    PhoneLine {
        label: p.label.get(lang).to_string(),
        number: p.number.clone(),
        e164: p.e164.clone(),
        as_of: p.as_of.clone(),
        source: p.source.clone(),
        whatsapp: p.whatsapp,
    }
}

/// The service points in `country` (ISO code, any case) from the built-in directory.
pub fn service_points(country: &str, lang: Lang) -> Vec<ServicePoint> {
    directory::builtin()
        .for_country(country)
        .into_iter()
        .map(|s| ServicePoint {
            id: s.id.clone(),
            kind: s.kind,
            name: s.name.clone(),
            city: s.city.clone(),
            address: s.address.clone(),
            website: s.website.clone(),
            phones: s.phones.iter().map(|p| phone_line(p, lang)).collect(),
            emails: s.emails.clone(),
            notes: s.notes.as_ref().map(|n| n.get(lang).to_string()),
        })
        .collect()
}

/// Indonesia, then the destinations by number of workers.
pub fn countries(lang: Lang) -> Vec<CountryInfo> {
    country::countries()
        .iter()
        .map(|c| CountryInfo {
            code: c.code.clone(),
            name: c.name.get(lang).to_string(),
            dialing_code: c.dialing_code.clone(),
            destination: c.destination,
        })
        .collect()
}

/// The countries a country field offers, as choices named in `lang`: every
/// country, or only placement destinations. A screen loads them once.
pub fn country_choices(destinations_only: bool, lang: Lang) -> Vec<ChoiceItem> {
    country::countries()
        .iter()
        .filter(|c| c.destination || !destinations_only)
        .map(|c| ChoiceItem {
            value: c.code.clone(),
            label: c.name.get(lang).to_string(),
            selected: false,
        })
        .collect()
}

/// True when `number` is one a mission publicly called a scam.
pub fn is_scam_number(number: &str) -> bool {
    directory::builtin().is_scam_number(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hong_kong_has_a_consulate_with_lines_in_the_users_language() {
        let id = service_points("hk", Lang::Id);
        let en = service_points("HK", Lang::En);
        assert!(id.iter().any(|p| p.kind == PointKind::Consulate));
        assert_eq!(id.len(), en.len());
        assert!(
            id.iter()
                .zip(&en)
                .any(|(a, b)| a.phones.first().map(|p| &p.label)
                    != b.phones.first().map(|p| &p.label))
        );
        assert!(service_points("XX", Lang::En).is_empty());
    }

    #[test]
    fn a_destination_field_offers_fewer_countries_named_in_the_users_language() {
        let all = country_choices(false, Lang::Id);
        let destinations = country_choices(true, Lang::En);
        assert!(destinations.len() < all.len());
        assert!(destinations
            .iter()
            .any(|c| c.value == "MY" && c.label == "Malaysia"));
        assert!(all.iter().any(|c| c.value == "ID"));
        assert!(!destinations.iter().any(|c| c.value == "ID" || c.selected));
    }

    #[test]
    fn countries_start_with_indonesia_then_destinations() {
        let all = countries(Lang::Id);
        assert_eq!(
            all.first().map(|c| (c.code.as_str(), c.destination)),
            Some(("ID", false))
        );
        assert!(all.iter().skip(1).all(|c| c.destination));
    }
}
