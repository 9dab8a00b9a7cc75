//! The mixed medical commission's page: its members, the examinations the party recorded
//! with the commission's decisions, and — for those who keep the register — the forms that
//! record an examination and a decision by majority.

use super::{Posted, Who, code_word, lang, render, shown_name};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::routing::{MethodRouter, get, post};
use homeward_app::App;
use homeward_core::Error;
use homeward_core::commission::{
    CommissionMember, NewExamination, NewFinding, ProposedBy, Verdict,
};
use homeward_core::talks::Terms;
use std::collections::BTreeMap;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        (
            "/commitments/{commitment}/commission",
            get(page).post(examine),
        ),
        ("/examinations/{examination}/finding", post(decide)),
    ]
}

struct Row {
    id: i64,
    person_id: i64,
    name: String,
    examined_on: String,
    place: String,
    present: Vec<String>,
    proposed_by: String,
    verdict: Option<String>,
    votes: String,
    grounds: String,
    decided_on: String,
}

/// A finding stated between the parties as a signed statement: one of the party's own, or
/// one another party stated to it.
struct StatedLine {
    issuer: String,
    seq: i64,
    prisoner: String,
    examined_on: String,
    verdict: String,
    grounds: String,
    decided_on: String,
    to: String,
    countersigned_by: String,
}

impl StatedLine {
    fn of(s: homeward_store::StatementView) -> StatedLine {
        let l = lang();
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        let b = &s.body;
        StatedLine {
            prisoner: text(&b["prisoner"]["name"]),
            examined_on: l.date(&text(&b["examined_on"])),
            verdict: code_word("verdict", &text(&b["verdict"])),
            grounds: text(&b["grounds"]),
            decided_on: l.date(&text(&b["decided_on"])),
            to: s.addressees.join(", "),
            countersigned_by: s.countersigned_by.join(", "),
            issuer: s.issuer,
            seq: s.seq,
        }
    }
}

#[derive(Template)]
#[template(path = "commission.html")]
struct CommissionPage {
    who: Who,
    commitment: i64,
    title: String,
    mandate: String,
    members: Vec<CommissionMember>,
    rows: Vec<Row>,
    stated: Vec<StatedLine>,
    may_record: bool,
    proposers: Vec<(&'static str, String)>,
    verdicts: Vec<(&'static str, String)>,
}

async fn page(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
) -> Result<Html<String>, PageError> {
    let c = app.commitment(&caller.actor, commitment).await?;
    let Terms::MedicalCommission { mandate, members } = c.terms else {
        return Err(Error::NotFound(format!("medical commission {commitment}")).into());
    };
    let l = lang();
    let rows = app
        .examinations(&caller.actor, commitment)
        .await?
        .into_iter()
        .map(|e| {
            let x = e.examination;
            Row {
                id: x.id,
                person_id: x.person_id,
                name: shown_name(&e.person_name),
                examined_on: l.date(&x.examined_on),
                place: x.place,
                present: x.present,
                proposed_by: code_word("proposed", x.proposed_by.as_str()),
                verdict: x.verdict.map(|v| code_word("verdict", v.as_str())),
                votes: x
                    .votes
                    .iter()
                    .map(|(m, v)| format!("{m}: {}", code_word("verdict", v.as_str())))
                    .collect::<Vec<_>>()
                    .join("; "),
                grounds: x.grounds.unwrap_or_default(),
                decided_on: x.decided_on.map(|d| l.date(&d)).unwrap_or_default(),
            }
        })
        .collect();
    // The findings of this commission stated between the parties, signed.
    let stated = app
        .statements(&caller.actor, Some(homeward_store::FINDING_KIND))
        .await?
        .into_iter()
        .filter(|s| s.body["commission"].as_str() == Some(c.title.as_str()))
        .map(StatedLine::of)
        .collect();
    render(&CommissionPage {
        who: Who::from(&caller),
        commitment,
        stated,
        title: c.title,
        mandate,
        members,
        rows,
        may_record: app.may_change_records(&caller.actor).is_ok(),
        proposers: ProposedBy::ALL
            .iter()
            .map(|p| (p.as_str(), code_word("proposed", p.as_str())))
            .collect(),
        verdicts: Verdict::ALL
            .iter()
            .map(|v| (v.as_str(), code_word("verdict", v.as_str())))
            .collect(),
    })
}

/// The examination form: the prisoner's record, the day, the place, `present.<name>` per
/// member present, who proposed him.
type Form = BTreeMap<String, String>;

fn value(form: &Form, key: &str) -> String {
    form.get(key)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

async fn examine(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Posted(form): Posted<Form>,
) -> Result<Redirect, PageError> {
    let examination = NewExamination {
        person: value(&form, "person")
            .parse()
            .map_err(|_| Error::invalid("person", "write the prisoner's record number"))?,
        examined_on: value(&form, "examined_on")
            .parse()
            .map_err(|e: Error| Error::invalid("examined_on", e.to_string()))?,
        place: value(&form, "place"),
        present: form
            .keys()
            .filter_map(|k| k.strip_prefix("present.").map(str::to_owned))
            .collect(),
        proposed_by: value(&form, "proposed_by")
            .parse()
            .map_err(|_| Error::invalid("proposed_by", "choose who proposed the prisoner"))?,
    };
    app.record_examination(&caller.actor, commitment, &examination)
        .await?;
    Ok(Redirect::to(&format!(
        "/commitments/{commitment}/commission"
    )))
}

async fn decide(
    State(app): State<App>,
    caller: PageCaller,
    Path(examination): Path<i64>,
    Posted(form): Posted<Form>,
) -> Result<Redirect, PageError> {
    let votes = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("vote.")?.to_owned(), v)))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| Ok((k, v.parse::<Verdict>()?)))
        .collect::<Result<BTreeMap<_, _>, Error>>()?;
    let finding = NewFinding {
        votes,
        grounds: Some(value(&form, "grounds")).filter(|g| !g.is_empty()),
        decided_on: value(&form, "decided_on")
            .parse()
            .map_err(|e: Error| Error::invalid("decided_on", e.to_string()))?,
    };
    app.record_finding(&caller.actor, examination, &finding)
        .await?;
    let commitment = value(&form, "commitment");
    Ok(Redirect::to(&format!(
        "/commitments/{commitment}/commission"
    )))
}
