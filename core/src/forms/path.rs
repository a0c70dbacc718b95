//! Field paths: `nik` names a top-level field, `heirs[1].name` a field of one
//! item of a repeat group, and `heirs.name` (a definition key) that field in every
//! item. The form engine parses and builds them here.

/// A parsed field path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Path<'a> {
    /// A top-level field.
    Top(&'a str),
    /// A field of one item of a repeat group.
    Item {
        /// The repeat group's id.
        group: &'a str,
        /// The item's index.
        index: usize,
        /// The field in the item.
        field: &'a str,
    },
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Parses `id` or `group[n].id`.
pub(crate) fn parse_path(path: &str) -> Option<Path<'_>> {
    if is_id(path) {
        return Some(Path::Top(path));
    }
    let (group, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let field = rest.strip_prefix('.')?;
    if !is_id(group)
        || !is_id(field)
        || index.is_empty()
        || !index.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(Path::Item {
        group,
        index: index.parse().ok()?,
        field,
    })
}

/// The definition key of a path: `heirs[1].name` → `heirs.name`; also accepts
/// `heirs.name` and `name`.
pub(crate) fn field_key(path: &str) -> Option<String> {
    match parse_path(path) {
        Some(Path::Top(id)) => Some(id.to_string()),
        Some(Path::Item { group, field, .. }) => Some(format!("{group}.{field}")),
        None => {
            let (g, f) = path.split_once('.')?;
            (is_id(g) && is_id(f)).then(|| path.to_string())
        }
    }
}

/// Whether `path` names a top-level field (not a field of a repeat item).
pub fn is_top_level(path: &str) -> bool {
    matches!(parse_path(path), Some(Path::Top(_)))
}

/// The path of `field` in item `index` of repeat group `group`: `heirs[0].name`.
pub fn item_path(group: &str, index: usize, field: &str) -> String {
    format!("{group}[{index}].{field}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parses_top_and_item_forms() {
        assert_eq!(parse_path("nik"), Some(Path::Top("nik")));
        assert_eq!(
            parse_path("heirs[12].name"),
            Some(Path::Item {
                group: "heirs",
                index: 12,
                field: "name"
            })
        );
        for bad in [
            "",
            "heirs[].name",
            "heirs[1]",
            "heirs[1]name",
            "heirs[-1].x",
            "a b",
            "h[1].x.y",
            "h[1][2].x",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
        assert_eq!(field_key("heirs[3].name").as_deref(), Some("heirs.name"));
        assert_eq!(field_key("heirs.name").as_deref(), Some("heirs.name"));
        assert_eq!(field_key("heirs..name"), None);
    }
}
