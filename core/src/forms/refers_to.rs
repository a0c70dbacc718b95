//! The registration a form refers to (a consultation about one, say), read
//! through [`Role::RefersTo`]: the sync holds such a submission back until
//! that registration is accepted.

use serde_json::Value;

use super::answers::Answers;
use super::definition::FormDefinition;
use super::role::Role;

/// The registration these answers refer to: the value of the field with role
/// `refers_to`, as stored (a local submission id or a server reference).
/// `None` when the form has no such field or it is empty.
pub fn refers_to<'a>(def: &FormDefinition, answers: &'a Answers) -> Option<&'a str> {
    let field = def.field_with_role(Role::RefersTo)?;
    answers
        .get(&field.id)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::builtin_form;
    use crate::forms::samples::{sample_consultation, sample_registration};
    use serde_json::json;

    #[test]
    fn a_consultation_refers_to_the_registration_in_its_role_field() {
        let cons = builtin_form("consultation", None).unwrap_or_else(|| panic!("missing"));
        let mut a = sample_consultation();
        assert_eq!(refers_to(cons, &a), None);
        a.insert("registration_ref".into(), json!("reg-1"));
        assert_eq!(refers_to(cons, &a), Some("reg-1"));
        a.insert("registration_ref".into(), json!(""));
        assert_eq!(refers_to(cons, &a), None);
        a.insert("registration_ref".into(), json!(7));
        assert_eq!(refers_to(cons, &a), None);
    }

    #[test]
    fn forms_without_the_role_refer_to_nothing() {
        let reg = builtin_form("pmi-registration", None).unwrap_or_else(|| panic!("missing"));
        let mut a = sample_registration();
        // A key that is a consultation's field id means nothing on another form.
        a.insert("registration_ref".into(), json!("reg-1"));
        assert_eq!(refers_to(reg, &a), None);
    }
}
