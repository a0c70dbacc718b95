//! The profile list as the first screen shows it, and the device's choice to hide
//! the workers' names in it (a shared phone: whoever picks it up sees "Profile 1",
//! "Profile 2", not who else uses it).
//!
//! The choice belongs to the device, not to a profile (it applies before any
//! profile is open), so it is a marker file beside the profiles, `hide-names`:
//! not secret, never listed as a profile, and written or removed in one step.

use std::path::Path;

use serde::Serialize;

use crate::base::error::Result;
use crate::base::lang::Lang;
use crate::base::messages;
use crate::store::profiles::list_profiles;

const HIDE_NAMES: &str = "hide-names";

/// One line of the profile list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProfileEntry {
    /// The profile's name, to open it with (not to show while names are hidden).
    pub name: String,
    /// What the list shows: the name, or "Profil 1", "Profil 2" … by the list's
    /// order while names are hidden.
    pub label: String,
}

/// The profiles in `dir`, sorted by name, each labelled for the list in `lang`.
pub fn profile_entries(dir: &Path, lang: Lang) -> Result<Vec<ProfileEntry>> {
    let hidden = names_hidden(dir);
    Ok(list_profiles(dir)?
        .into_iter()
        .enumerate()
        .map(|(i, name)| ProfileEntry {
            label: if hidden {
                messages::render("profile.label", lang, &[("n", (i + 1).to_string())])
            } else {
                name.clone()
            },
            name,
        })
        .collect())
}

/// True when this device's profile list hides the names.
pub fn names_hidden(dir: &Path) -> bool {
    dir.join(HIDE_NAMES).is_file()
}

/// Hides (or shows again) the names in this device's profile list.
pub fn set_names_hidden(dir: &Path, hidden: bool) -> Result<()> {
    let marker = dir.join(HIDE_NAMES);
    if hidden {
        std::fs::create_dir_all(dir)?;
        std::fs::write(&marker, b"")?;
    } else {
        match std::fs::remove_file(&marker) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::app::profile::Profile;
    use crate::store::Key;

    #[test]
    fn hidden_names_become_numbered_labels_on_this_device_only() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["siti", "ani"] {
            Profile::create(dir.path(), name, &Key::generate()).unwrap();
        }
        let shown = profile_entries(dir.path(), Lang::Id).unwrap();
        assert_eq!(
            shown.iter().map(|e| e.label.as_str()).collect::<Vec<_>>(),
            ["ani", "siti"]
        );
        assert!(!names_hidden(dir.path()));

        set_names_hidden(dir.path(), true).unwrap();
        set_names_hidden(dir.path(), true).unwrap();
        let hidden = profile_entries(dir.path(), Lang::Id).unwrap();
        assert_eq!(
            hidden,
            [
                ProfileEntry {
                    name: "ani".into(),
                    label: "Profil 1".into()
                },
                ProfileEntry {
                    name: "siti".into(),
                    label: "Profil 2".into()
                },
            ]
        );
        assert_eq!(
            profile_entries(dir.path(), Lang::En).unwrap()[1].label,
            "Profile 2"
        );
        // The marker is no profile.
        assert_eq!(list_profiles(dir.path()).unwrap(), ["ani", "siti"]);

        set_names_hidden(dir.path(), false).unwrap();
        set_names_hidden(dir.path(), false).unwrap();
        assert_eq!(
            profile_entries(dir.path(), Lang::En).unwrap()[0].label,
            "ani"
        );
        // A device without a profiles folder yet.
        let empty = tempfile::tempdir().unwrap();
        let fresh = empty.path().join("profiles");
        assert!(profile_entries(&fresh, Lang::Id).unwrap().is_empty());
        set_names_hidden(&fresh, true).unwrap();
        assert!(names_hidden(&fresh));
    }
}
