//! Where a commitment stands, in the page's language: the sentence core's fulfilment says in
//! English, said again from the terms themselves. The free text of the terms (a truce's
//! purpose, a meeting's subject) is what the parties wrote and is shown as written.

use super::Who;
use homeward_core::talks::Terms;

/// The commitment's terms in one sentence of the page's language.
pub(crate) fn summary(who: &Who, terms: &Terms) -> String {
    let not_agreed = || who.t("terms-not-agreed");
    match terms {
        Terms::PowExchange {
            quantity_each_way,
            extra_tranche,
            ..
        } => match extra_tranche {
            Some(x) => who.tw(
                "terms-pow-extra",
                &[
                    ("each", (*quantity_each_way).into()),
                    ("extra", (*x).into()),
                ],
            ),
            None => who.t1("terms-pow", "each", *quantity_each_way),
        },
        Terms::RemainsReturn { quantity_each_way } => {
            who.t1("terms-remains", "each", *quantity_each_way)
        }
        Terms::ChildReturn {
            requested_by,
            requested_from,
            listed,
            agreed,
            ..
        } => who.tw(
            "terms-children",
            &[
                ("by", requested_by.to_string().into()),
                ("from", requested_from.to_string().into()),
                ("listed", (*listed).into()),
                ("agreed", (*agreed).into()),
            ],
        ),
        Terms::LocalTruce {
            sector,
            min_days,
            max_days,
            purpose,
            start,
        } => who.tw(
            "terms-truce",
            &[
                ("min", i64::from(*min_days).into()),
                ("max", i64::from(*max_days).into()),
                ("purpose", purpose.into()),
                ("sector", sector.clone().unwrap_or_else(not_agreed).into()),
                (
                    "start",
                    start
                        .as_deref()
                        .map_or_else(not_agreed, |s| who.date(s))
                        .into(),
                ),
            ],
        ),
        Terms::CeasefireProposal {
            proposed_by,
            options,
            conditions,
            status,
        } => who.tw(
            "terms-ceasefire",
            &[
                ("by", proposed_by.to_string().into()),
                ("options", options.len().into()),
                ("conditions", conditions.len().into()),
                ("status", status.into()),
            ],
        ),
        Terms::Meeting { purpose, when, .. } => format!("{purpose}, {}", who.date(when)),
        Terms::MedicalCommission { mandate, .. } => mandate.clone(),
    }
}
