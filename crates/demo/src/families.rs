//! The demo's families and medical commission, in UA's register: five synthetic families
//! who called UA's hotline (one about a man the register did not hold, who agreed to no
//! sharing with the other party; one told already),
//! and one sitting of the mixed medical commission on three prisoners UA holds — one found
//! eligible for direct repatriation, one not, one to be examined again. Synthetic people
//! only.

use homeward_core::Error;
use homeward_core::access::{AnswerFamilies, Grant, ReadRegister, WriteRegister, WriteTalks};
use homeward_core::commission::{
    CommissionMember, NewExamination, NewFinding, ProposedBy, Verdict,
};
use homeward_core::correction::{Provenance, SourceKind};
use homeward_core::enquiry::{Answer, Kinship, NewEnquiry};
use homeward_core::party::PartyCode;
use homeward_core::protection::Purpose;
use homeward_core::record::{Category, Health, PartialDate, PersonRecord, Relation, Status};
use homeward_core::talks::Terms;
use homeward_store::{EnquiryAbout, PersonFilter, Store};

/// The members of the demo's commission (synthetic).
fn members() -> Vec<CommissionMember> {
    [
        ("Dr Elif Aydın (synthetic, neutral)", true),
        ("Dr Jonas Berg (synthetic, neutral)", true),
        ("Dr Oksana Hnatiuk (synthetic, detaining power)", false),
    ]
    .into_iter()
    .map(|(name, neutral)| CommissionMember {
        name: name.to_owned(),
        neutral,
    })
    .collect()
}

fn day(text: &str) -> Result<PartialDate, Error> {
    text.parse()
}

/// Seeds UA's enquiries and the commission's sitting under `round_id`.
pub(crate) async fn seed(
    store: &Store,
    ua: &PartyCode,
    round_id: i64,
    sides: &[PartyCode; 2],
    now_ms: i64,
) -> Result<(), Error> {
    let read = Grant::<ReadRegister>::system(ua.clone(), "demo");
    let pows = store
        .register(
            &read,
            &PersonFilter {
                category: Some(Category::Pow),
                ..Default::default()
            },
        )
        .await?;
    let hotline = Grant::<AnswerFamilies>::system(ua.clone(), "user:ua-hotline");
    let sought: Vec<i64> = pows
        .iter()
        .filter(|p| p.record.relation == Some(Relation::Sought))
        .map(|p| p.id)
        .take(4)
        .collect();
    // They are on UA's request list, which goes to RU: a family that did not agree to
    // sharing with the other party would keep the whole list from leaving (the rule of
    // `Store::check_may_leave`), so these four agreed to every use.
    let every = Purpose::ALL.to_vec();
    let families = [
        ("Olena (synthetic mother)", Kinship::Parent, every.clone()),
        ("Iryna (synthetic wife)", Kinship::Spouse, every.clone()),
        ("Taras (synthetic brother)", Kinship::Sibling, every.clone()),
        ("Mariia (synthetic daughter)", Kinship::Child, every),
    ];
    for (i, (person, (asked_by, kinship, consent))) in sought.iter().zip(families).enumerate() {
        let enquiry = NewEnquiry {
            asked_by: asked_by.to_owned(),
            contact: format!("+380 00 000 00{:02} (synthetic)", i + 10),
            kinship,
            consent: Some(consent),
            note: None,
        };
        let (id, _) = store
            .record_enquiry(&hotline, &EnquiryAbout::Person(*person), &enquiry, now_ms)
            .await?;
        if i == 0 {
            let told = Answer {
                told: "We have his record and are looking for him on the other side's lists (synthetic)."
                    .to_owned(),
                closes: false,
            };
            store.answer_enquiry(&hotline, id, &told, now_ms).await?;
        }
    }
    let unknown = PersonRecord {
        category: Some(Category::Pow),
        relation: Some(Relation::Sought),
        status: Some(Status::Missing),
        surname: Some("Гайдамаха".to_owned()),
        given_names: Some("Остап".to_owned()),
        patronymic: Some("Ярославович".to_owned()),
        birth_date: Some(day("1998-02-11")?),
        unit: Some("24 ОМБр".to_owned()),
        synthetic: true,
        ..Default::default()
    };
    store
        .record_enquiry(
            &hotline,
            &EnquiryAbout::New {
                record: Box::new(unknown),
                provenance: Provenance {
                    reason: "his father called the hotline; no list names him yet (synthetic)"
                        .to_owned(),
                    source: SourceKind::Call,
                    reference: Some("call 2025-06-01 18:40 (synthetic)".to_owned()),
                },
                today: day("2025-06-02")?,
            },
            &NewEnquiry {
                asked_by: "Yaroslav (synthetic father)".to_owned(),
                contact: "+380 00 000 0020 (synthetic)".to_owned(),
                kinship: Kinship::Parent,
                consent: Some(vec![Purpose::Search, Purpose::ShareMediator]),
                note: Some("last heard from him near Pokrovsk in March (synthetic)".to_owned()),
            },
            now_ms,
        )
        .await?;

    // The commission: named by a commitment of the round, sitting on 10 June 2025.
    let talks = Grant::<WriteTalks>::system(ua.clone(), "demo");
    let commission = store
        .add_commitment(
            &talks,
            round_id,
            "Mixed medical commission for the seriously wounded and sick",
            sides,
            &Terms::MedicalCommission {
                mandate:
                    "examine the wounded and sick prisoners of both sides (GC III art. 112–113)"
                        .to_owned(),
                members: members(),
            },
            now_ms,
        )
        .await?;
    let write = Grant::<WriteRegister>::system(ua.clone(), "user:ua-operator");
    let examined: Vec<i64> = pows
        .iter()
        .filter(|p| p.record.relation == Some(Relation::Held))
        .filter(|p| p.record.health != Some(Health::Serious))
        .map(|p| p.id)
        .take(3)
        .collect();
    let names: Vec<String> = members().into_iter().map(|m| m.name).collect();
    let today = day("2025-06-13")?;
    let decisions = [
        (
            [Verdict::Repatriate, Verdict::Repatriate, Verdict::Reject],
            Some(
                "loss of a foot; chronic wound with no recovery expected within a year (Annex I, synthetic)",
            ),
        ),
        ([Verdict::Reject, Verdict::Reject, Verdict::Reject], None),
        (
            [Verdict::ReExamine, Verdict::ReExamine, Verdict::Reject],
            None,
        ),
    ];
    for (person, (votes, grounds)) in examined.iter().zip(decisions) {
        let examination = store
            .record_examination(
                &write,
                commission,
                &NewExamination {
                    person: *person,
                    examined_on: day("2025-06-10")?,
                    place: "camp hospital (synthetic)".to_owned(),
                    present: names.clone(),
                    proposed_by: ProposedBy::CampDoctor,
                },
                today,
                now_ms,
            )
            .await?;
        let finding = NewFinding {
            votes: names.iter().cloned().zip(votes).collect(),
            grounds: grounds.map(str::to_owned),
            decided_on: day("2025-06-12")?,
        };
        store
            .record_finding(&write, examination, &finding, None, today, now_ms)
            .await?;
    }
    Ok(())
}

/// A second sitting of the commission, decided on UA's own server once the relay is set up:
/// one more prisoner UA holds (one of its signed holding list's), found eligible for direct
/// repatriation. UA's server holds UA's key, so the finding goes out as UA's signed
/// statement to RU and the mediator, who counter-signs it. Does nothing where the store has
/// no commission or no such prisoner.
pub(crate) async fn state_a_finding(
    app: &homeward_app::App,
    operator: &homeward_core::access::Actor,
) -> Result<(), Error> {
    let Some(commission) = app
        .commitments(operator, None)
        .await?
        .into_iter()
        .find(|c| matches!(c.terms, Terms::MedicalCommission { .. }))
    else {
        return Ok(());
    };
    let examined: Vec<i64> = app
        .examinations(operator, commission.id)
        .await?
        .iter()
        .map(|e| e.examination.person_id)
        .collect();
    let query = homeward_app::query::PersonQuery {
        category: Some("pow".to_owned()),
        per_page: Some(500),
        ..Default::default()
    };
    let page = app.persons(operator, &query).await?;
    let Some(man) = page.items.iter().find(|p| {
        p.record.relation == Some(Relation::Held)
            && p.record.health != Some(Health::Serious)
            && p.source_list.is_some()
            && !examined.contains(&p.id)
    }) else {
        return Ok(());
    };
    let names: Vec<String> = members().into_iter().map(|m| m.name).collect();
    let examination = app
        .record_examination(
            operator,
            commission.id,
            &NewExamination {
                person: man.id,
                examined_on: day("2025-06-24")?,
                place: "camp hospital (synthetic)".to_owned(),
                present: names.clone(),
                proposed_by: ProposedBy::CompatriotDoctor,
            },
        )
        .await?;
    let votes = [Verdict::Repatriate, Verdict::Repatriate, Verdict::ReExamine];
    app.record_finding(
        operator,
        examination,
        &NewFinding {
            votes: names.into_iter().zip(votes).collect(),
            grounds: Some("paralysis after a spinal wound (Annex I, synthetic)".to_owned()),
            decided_on: day("2025-06-25")?,
        },
    )
    .await?;
    Ok(())
}
