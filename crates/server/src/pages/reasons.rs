//! A refusal said in the page's language: the common refusals carry a code with their
//! values (`homeward_core::Reason`), said through `reason-<code>`; the field at fault under
//! its label. A refusal without a code keeps the English the application gives it.

use super::{code_word, lang};
use homeward_core::{Error, Reason};

/// The code of `e`, where it has one.
fn reason_of(e: &Error) -> Option<Reason> {
    e.reason().cloned()
}

/// The code of `e` as the API names it beside its English (`too_long`).
pub(crate) fn code_of(e: &Error) -> Option<&'static str> {
    reason_of(e).map(|r| r.code())
}

/// The words' kind of a kind of values as core names it (`childcasestate` is `child`).
fn words_kind(kind: &str) -> &str {
    match kind {
        "childcasestate" => "child",
        "sourcekind" => "source",
        "commitmentkind" => "commitment",
        other => other,
    }
}

/// A value of `kind` in words, or quoted as typed when the words have none for it.
fn value_word(kind: &str, value: &str) -> String {
    let kind = words_kind(kind);
    if lang().has(&format!("{kind}-{value}")) {
        code_word(kind, value)
    } else {
        format!("«{value}»")
    }
}

/// What `reason` says, in the page's language.
fn words(reason: &Reason) -> String {
    let lang = lang();
    let id = format!("reason-{}", reason.code().replace('_', "-"));
    match reason {
        Reason::Missing => lang.t(&id),
        Reason::TooLong { length, limit } => lang.t_with(
            &id,
            &[("length", (*length).into()), ("limit", (*limit).into())],
        ),
        Reason::NotADate { value } | Reason::NotANumber { value } => {
            lang.t_with(&id, &[("value", value.as_str().into())])
        }
        Reason::NotOneOf {
            value,
            kind,
            allowed,
        } => lang.t_with(
            &id,
            &[
                ("value", value.as_str().into()),
                (
                    "allowed",
                    allowed
                        .iter()
                        .map(|a| value_word(kind, a))
                        .collect::<Vec<_>>()
                        .join(", ")
                        .into(),
                ),
            ],
        ),
        Reason::SameFile { list } => lang.t_with(&id, &[("list", list.to_string().into())]),
        Reason::AlreadyDecided { link, decision } => lang.t_with(
            &id,
            &[
                ("link", link.to_string().into()),
                ("decision", code_word("link", decision).into()),
            ],
        ),
        Reason::StepNotAllowed { kind, from, to } => lang.t_with(
            &id,
            &[
                ("from", value_word(kind, from).into()),
                ("to", value_word(kind, to).into()),
            ],
        ),
    }
}

/// The refusal `e` in the page's language, the field at fault under its label where the
/// words have one; `None` when it has no code (the caller shows its English).
pub(crate) fn said(e: &Error) -> Option<String> {
    let reason = reason_of(e)?;
    let why = words(&reason);
    let label = match e {
        Error::Invalid { field, .. } => {
            let id = super::records::field_label(field.rsplit(": ").next().unwrap_or(field));
            (id != "record-field-other").then(|| lang().t(id))
        }
        _ => None,
    };
    Some(match label {
        Some(label) => format!("{label}: {why}"),
        None => why,
    })
}
