//! Help when it is urgent: the numbers to call now in the worker's destination
//! (local emergency and labour lines, the mission's citizen-protection hotline),
//! the WhatsApp lines, and the national channels that answer from anywhere —
//! each with the link a tap opens, so a screen only lays them out. Offline: all of
//! it ships with the core.

use serde::Serialize;

use crate::base::lang::Lang;
use crate::base::messages::render;
use crate::domain::country;
use crate::domain::directory::{self, PhoneLine};

/// One number, ready for a tap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HelpLine {
    /// Who answers, and for what (`KJRI Hong Kong — Hotline Pelindungan WNI`).
    pub label: String,
    /// The number as its source printed it.
    pub number: String,
    /// `tel:` link for the dialer; `None` when the number cannot be dialled as printed.
    pub call: Option<String>,
    /// `https://wa.me/…` link when the line takes WhatsApp (a chat costs less than
    /// an international call, and works on Wi-Fi without a local SIM).
    pub chat: Option<String>,
    /// Date of the source, so an old number is seen as such.
    pub as_of: String,
}

/// A group of lines with its heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HelpSection {
    /// Heading in the user's language.
    pub title: String,
    /// Lines, most urgent first.
    pub lines: Vec<HelpLine>,
}

/// What to call now, for one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Help {
    /// ISO code of the destination shown (`HK`); `None` when the worker's
    /// destination is not known yet (only the national channels are shown).
    pub country: Option<String>,
    /// Heading (`Bantuan darurat di Hong Kong`).
    pub title: String,
    /// One sentence on when to call whom.
    pub advice: String,
    /// Local emergency and labour lines, then the missions' lines, then the
    /// national channels; empty sections are left out.
    pub sections: Vec<HelpSection>,
}

/// The dialer link of `line`: its E.164 form, else the number as printed (a local
/// or toll-free number, dialled as it is inside the country), digits only.
fn call_link(line: &PhoneLine) -> Option<String> {
    if let Some(e164) = &line.e164 {
        return Some(format!("tel:{e164}"));
    }
    let printed = line.number.trim();
    let dialable = printed
        .chars()
        .all(|c| c.is_ascii_digit() || " -().+".contains(c));
    let digits: String = printed.chars().filter(char::is_ascii_digit).collect();
    let plus = if printed.starts_with('+') { "+" } else { "" };
    (dialable && !digits.is_empty()).then(|| format!("tel:{plus}{digits}"))
}

/// The WhatsApp link of a line that takes WhatsApp and has an international number.
fn chat_link(line: &PhoneLine) -> Option<String> {
    let e164 = line.e164.as_deref().filter(|_| line.whatsapp)?;
    Some(format!("https://wa.me/{}", e164.trim_start_matches('+')))
}

fn help_line(who: Option<&str>, line: &PhoneLine, lang: Lang) -> HelpLine {
    let what = line.label.get(lang);
    HelpLine {
        label: match who {
            Some(who) => format!("{who} — {what}"),
            None => what.to_string(),
        },
        number: line.number.clone(),
        call: call_link(line),
        chat: chat_link(line),
        as_of: line.as_of.clone(),
    }
}

/// The numbers to call now in `country` (ISO code, any case; `None`: not known),
/// worded in `lang`.
pub fn help_for(country: Option<&str>, lang: Lang) -> Help {
    let dir = directory::builtin();
    let code = country.map(|c| c.trim().to_ascii_uppercase());
    let entry = code
        .as_deref()
        .and_then(|c| dir.countries.iter().find(|e| e.country == c));
    let name = code
        .as_deref()
        .and_then(country::find)
        .map(|c| c.name.get(lang).to_string());
    let mut sections = Vec::new();
    let local: Vec<HelpLine> = entry
        .map(|e| {
            e.local_lines
                .iter()
                .map(|l| help_line(None, l, lang))
                .collect()
        })
        .unwrap_or_default();
    if !local.is_empty() {
        sections.push(HelpSection {
            title: render("help.local", lang, &[]),
            lines: local,
        });
    }
    let missions: Vec<HelpLine> = entry
        .into_iter()
        .flat_map(|e| &e.points)
        .flat_map(|p| {
            p.phones
                .iter()
                .map(move |l| help_line(Some(&p.name), l, lang))
        })
        .collect();
    if !missions.is_empty() {
        sections.push(HelpSection {
            title: render("help.missions", lang, &[]),
            lines: missions,
        });
    }
    let national: Vec<HelpLine> = dir
        .national
        .iter()
        .flat_map(|n| {
            let who = n.name.get(lang);
            n.phones.iter().map(move |l| help_line(Some(who), l, lang))
        })
        .collect();
    if !national.is_empty() {
        sections.push(HelpSection {
            title: render("help.national", lang, &[]),
            lines: national,
        });
    }
    let title = match &name {
        Some(n) => render("help.title_in", lang, &[("country", n.clone())]),
        None => render("help.title", lang, &[]),
    };
    Help {
        country: name.and(code),
        title,
        advice: render("help.advice", lang, &[]),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines(h: &Help) -> Vec<&HelpLine> {
        h.sections.iter().flat_map(|s| &s.lines).collect()
    }

    #[test]
    fn hong_kong_shows_999_first_then_the_consulates_hotline_then_175() {
        let h = help_for(Some("hk"), Lang::Id);
        assert_eq!(h.country.as_deref(), Some("HK"));
        assert!(h.title.contains("Hong Kong"), "{}", h.title);
        let first = &h.sections[0].lines[0];
        assert_eq!(first.number, "999");
        assert_eq!(first.call.as_deref(), Some("tel:999"));
        let lines = all_lines(&h);
        assert!(lines
            .iter()
            .any(|l| l.label.contains("KJRI") && l.call.as_deref() == Some("tel:+85252422240")));
        assert!(lines.iter().any(|l| l.call.as_deref() == Some("tel:175")));
        assert_eq!(h.sections.len(), 3);
    }

    #[test]
    fn a_whatsapp_line_opens_a_chat_and_every_other_line_does_not() {
        let mut chats = 0;
        for entry in &directory::builtin().countries {
            let h = help_for(Some(&entry.country), Lang::En);
            for l in all_lines(&h) {
                if let Some(chat) = &l.chat {
                    chats += 1;
                    let digits = chat.strip_prefix("https://wa.me/").unwrap_or_default();
                    assert!(
                        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                        "{chat}"
                    );
                }
            }
        }
        let dir = directory::builtin();
        let takes_chat = |l: &&PhoneLine| l.whatsapp && l.e164.is_some();
        let local = dir
            .countries
            .iter()
            .flat_map(|c| {
                c.points
                    .iter()
                    .flat_map(|p| &p.phones)
                    .chain(&c.local_lines)
            })
            .filter(takes_chat)
            .count();
        // The national channels are shown in every country.
        let national = dir
            .national
            .iter()
            .flat_map(|n| &n.phones)
            .filter(takes_chat)
            .count();
        let in_data = local + national * dir.countries.len();
        assert!(in_data > 0, "the data has WhatsApp lines");
        assert_eq!(chats, in_data);
    }

    #[test]
    fn an_unknown_destination_still_gives_the_national_lines_in_both_languages() {
        for lang in [Lang::Id, Lang::En] {
            for country in [None, Some("XX"), Some("")] {
                let h = help_for(country, lang);
                assert_eq!(h.country, None);
                assert_eq!(h.sections.len(), 1, "{country:?}");
                assert!(all_lines(&h).iter().any(|l| l.number == "175"));
                assert!(!h.title.is_empty() && !h.advice.is_empty());
            }
        }
        assert_ne!(
            help_for(None, Lang::Id).title,
            help_for(None, Lang::En).title
        );
    }

    #[test]
    fn every_line_with_a_number_can_be_dialled() {
        for entry in &directory::builtin().countries {
            for l in all_lines(&help_for(Some(&entry.country), Lang::Id)) {
                let call = l
                    .call
                    .as_deref()
                    .unwrap_or_else(|| panic!("{} cannot be dialled", l.number));
                let digits = call
                    .strip_prefix("tel:")
                    .unwrap_or_default()
                    .trim_start_matches('+');
                assert!(
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                    "{call}"
                );
            }
        }
    }
}
