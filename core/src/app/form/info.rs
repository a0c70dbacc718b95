//! [`FormInfo`]: a form a worker can start, as the "new form" list shows it.

use crate::base::lang::Lang;
use crate::forms::{self, FormDefinition};

/// A form a worker can start, its texts in the profile's language.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FormInfo {
    /// Form id (`pmi-registration`).
    pub id: String,
    /// Version (the newest of this id).
    pub version: u32,
    /// Title.
    pub title: String,
    /// Description, if any.
    pub description: Option<String>,
}

impl FormInfo {
    fn of(def: &FormDefinition, lang: Lang) -> FormInfo {
        FormInfo {
            id: def.id.clone(),
            version: def.version,
            title: def.title.get(lang).to_string(),
            description: def.description.as_ref().map(|d| d.get(lang).to_string()),
        }
    }
}

/// The built-in forms a worker can start, newest version of each, in `lang`.
pub fn available(lang: Lang) -> Vec<FormInfo> {
    let mut newest: Vec<&'static FormDefinition> = Vec::new();
    for def in forms::builtin() {
        match newest.iter_mut().find(|d| d.id == def.id) {
            Some(d) if d.version < def.version => *d = def,
            Some(_) => {}
            None => newest.push(def),
        }
    }
    newest.into_iter().map(|d| FormInfo::of(d, lang)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_is_offered_once_in_its_newest_version_and_the_users_language() {
        let id = available(Lang::Id);
        let en = available(Lang::En);
        assert!(!id.is_empty());
        assert_eq!(id.len(), en.len());
        for info in &id {
            assert_eq!(id.iter().filter(|f| f.id == info.id).count(), 1);
            let newest = forms::builtin()
                .iter()
                .filter(|d| d.id == info.id)
                .map(|d| d.version)
                .max();
            assert_eq!(Some(info.version), newest);
        }
        assert!(id.iter().zip(&en).any(|(a, b)| a.title != b.title));
    }
}
