//! When an issue is shown. The core knows every issue of a draft at every moment;
//! showing them all at once would greet a worker with a wall of red on a form they
//! have just opened. The rules:
//!
//! - a field left empty that must be filled is shown only once the worker tried to
//!   leave its page (next, back, a tab) or to send the form;
//! - any other issue of a field (format, range, a cross-check) is shown once the
//!   worker left that field, or tried to leave its page or send the form;
//! - never a new issue while the worker is typing in that field: an issue already
//!   shown there stays live (so it disappears the moment the text is right), a new
//!   one waits until the field is left;
//! - issues about the whole form are shown after an attempt to send it.

use std::collections::HashSet;

use crate::base::issue::Issue;

/// What the worker has done so far in one form session.
#[derive(Debug, Clone, Default)]
pub struct IssuePolicy {
    /// Paths the worker has left (blur, or a pick that is complete at once).
    left: HashSet<String>,
    /// Pages the worker tried to leave.
    attempted: HashSet<usize>,
    /// The worker tried to send the form.
    finalize_attempted: bool,
    /// The path being typed in now.
    typing: Option<String>,
    /// Paths showing an issue on the last screen.
    showing: HashSet<String>,
}

impl IssuePolicy {
    /// The worker typed in `path` (it stays "being typed" until left).
    pub fn typing(&mut self, path: &str) {
        if self.typing.as_deref() != Some(path) {
            self.typing = Some(path.to_string());
        }
    }

    /// The worker left `path`, or made a complete choice in it (a date, an option).
    pub fn left(&mut self, path: &str) {
        if self.typing.as_deref() == Some(path) {
            self.typing = None;
        }
        self.left.insert(path.to_string());
    }

    /// The worker tried to leave page `page`.
    pub fn attempted_page(&mut self, page: usize) {
        self.typing = None;
        self.attempted.insert(page);
    }

    /// The worker tried to send the form: everything is shown from now on.
    pub fn attempted_finalize(&mut self) {
        self.typing = None;
        self.finalize_attempted = true;
    }

    /// True once the worker tried to send the form.
    pub fn finalize_was_attempted(&self) -> bool {
        self.finalize_attempted
    }

    /// Whether `issue`, about a field on page `page` whose value is `empty` or
    /// not, is shown now.
    pub fn shows(&self, issue: &Issue, page: usize, empty: bool) -> bool {
        if issue.path.is_empty() {
            return self.finalize_attempted;
        }
        let page_tried = self.finalize_attempted || self.attempted.contains(&page);
        if self.typing.as_deref() == Some(issue.path.as_str()) {
            return self.showing.contains(&issue.path);
        }
        if empty {
            return page_tried;
        }
        page_tried || self.left.contains(&issue.path)
    }

    /// Records which paths show an issue on the screen just built, so that typing
    /// in them keeps their issues live.
    pub fn shown(&mut self, paths: impl IntoIterator<Item = String>) {
        self.showing = paths.into_iter().collect();
    }

    /// Records whether `path` shows an issue, after only its field was drawn again.
    pub fn shown_at(&mut self, path: &str, showing: bool) {
        if showing {
            self.showing.insert(path.to_string());
        } else {
            self.showing.remove(path);
        }
    }

    /// True once the worker left `path` (or completed a choice in it).
    pub fn has_left(&self, path: &str) -> bool {
        self.left.contains(path)
    }

    /// The path being typed in now, if any.
    pub fn typing_in(&self) -> Option<&str> {
        self.typing.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::issue::Severity;

    fn issue(path: &str, code: &str) -> Issue {
        Issue {
            code: code.into(),
            path: path.into(),
            severity: Severity::Error,
            message: code.into(),
        }
    }

    #[test]
    fn an_empty_required_field_waits_until_its_page_is_left() {
        let mut p = IssuePolicy::default();
        let required = issue("nik", "field.required");
        assert!(!p.shows(&required, 0, true), "a fresh form shows no red");
        p.left("nik");
        assert!(
            !p.shows(&required, 0, true),
            "leaving the field is not leaving the page"
        );
        p.attempted_page(1);
        assert!(
            !p.shows(&required, 0, true),
            "another page was left, not this one"
        );
        p.attempted_page(0);
        assert!(p.shows(&required, 0, true));
    }

    #[test]
    fn a_format_error_waits_until_the_field_is_left_not_while_typing() {
        let mut p = IssuePolicy::default();
        let short = issue("nik", "nik.length");
        p.typing("nik");
        assert!(!p.shows(&short, 0, false), "not while typing");
        p.left("nik");
        assert!(p.shows(&short, 0, false), "shown once the field is left");
    }

    #[test]
    fn while_typing_a_shown_issue_stays_live_and_a_new_one_waits() {
        let mut p = IssuePolicy::default();
        p.left("nik");
        p.shown(["nik".to_string()]);
        p.typing("nik");
        // The same field still has an issue: it stays (and updates) while typing.
        assert!(p.shows(&issue("nik", "nik.checksum"), 0, false));
        // Once the screen showed no issue there, a new one waits for the blur.
        p.shown([]);
        assert!(!p.shows(&issue("nik", "nik.length"), 0, false));
    }

    #[test]
    fn a_page_tried_shows_its_issues_but_not_a_new_one_in_the_field_being_typed() {
        let mut p = IssuePolicy::default();
        p.attempted_page(0);
        assert!(p.shows(&issue("email", "email.invalid"), 0, false));
        p.shown([]);
        p.typing("email");
        assert!(!p.shows(&issue("email", "email.invalid"), 0, false));
    }

    #[test]
    fn form_issues_and_every_page_show_after_an_attempt_to_send() {
        let mut p = IssuePolicy::default();
        let whole = issue("", "form.rule");
        assert!(!p.shows(&whole, 0, false));
        p.attempted_finalize();
        assert!(p.shows(&whole, 0, false));
        assert!(p.shows(&issue("heirs[0].name", "field.required"), 3, true));
        assert!(p.finalize_was_attempted());
    }
}
