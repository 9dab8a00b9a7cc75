//! Records entered one by one and corrected with provenance: the history, the link put back
//! for review, the proof of a signed list's old row, the bad corrections, the erasure.

use super::{T0, actor, each_backend, everything_stored, with_parties};
use homeward_core::Error;
use homeward_core::access::{
    Administer, Erase, Grant, ReadRegister, ReviewLinks, Role, WriteRegister, authorize,
};
use homeward_core::correction::{FieldChange, Provenance, SourceKind};
use homeward_core::record::{Category, PartialDate, PersonRecord, Relation, Status};
use homeward_store::{Decision, LinkScope, LinkTarget, NewList, NewListRow, ProposedLink};

fn set(field: &str, value: Option<&str>) -> FieldChange {
    FieldChange {
        field: field.into(),
        value: value.map(str::to_owned),
    }
}

fn why(reason: &str, source: SourceKind, reference: &str) -> Provenance {
    Provenance {
        reason: reason.into(),
        source,
        reference: Some(reference.into()),
    }
}

fn today() -> PartialDate {
    PartialDate::ymd(2025, 6, 2).unwrap()
}

#[tokio::test]
async fn a_record_is_corrected_with_its_history_and_its_old_row_stays_provable() {
    each_backend(
        "a_record_is_corrected_with_its_history_and_its_old_row_stays_provable",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let operator = actor(store, "UA", Role::Operator).await;
            let viewer = actor(store, "UA", Role::Viewer).await;
            let write = authorize::<WriteRegister>(&operator).unwrap();
            let read = authorize::<ReadRegister>(&viewer).unwrap();
            let admin = authorize::<Administer>(&actor(store, "UA", Role::Admin).await).unwrap();
            let review =
                authorize::<ReviewLinks>(&actor(store, "UA", Role::Reviewer).await).unwrap();

            // A request list of one row, signed: the row gave the record.
            let mut fields = serde_json::Map::new();
            fields.insert("прізвище".into(), "Шевчеко".into());
            fields.insert("ім'я".into(), "Андрій".into());
            let record = PersonRecord {
                category: Some(Category::Pow),
                relation: Some(Relation::Sought),
                status: Some(Status::Missing),
                surname: Some("Шевчеко".into()),
                given_names: Some("Андрій".into()),
                synthetic: true,
                ..Default::default()
            };
            let request = store
                .add_list(
                    &write,
                    &NewList {
                        kind: "request".into(),
                        category: Some(Category::Pow),
                        title: "request (synthetic)".into(),
                        file_name: "request.csv".into(),
                        original: b"synthetic request list to correct".to_vec(),
                        addressees: vec![],
                        supersedes: None,
                        headers: vec!["прізвище".into(), "ім'я".into()],
                        rows: vec![NewListRow {
                            row_no: 2,
                            fields,
                            record: Some(record),
                            problems: vec![],
                        }],
                    },
                    T0,
                )
                .await
                .unwrap();
            let key = homeward_ledger::keys::PartyKey::from_seed([19; 32]);
            store
                .add_key(&admin, &"UA".parse().unwrap(), &key.public_hex(), T0)
                .await
                .unwrap();
            store
                .sign_list(&admin, request, &key, T0 + 1)
                .await
                .unwrap();
            let id = store
                .persons(&read, &Default::default())
                .await
                .unwrap()
                .items[0]
                .id;

            // The other side's holding list holds him; a reviewer confirmed the pair.
            let mut held = serde_json::Map::new();
            held.insert("ФИО".into(), "Шевченко Андрей".into());
            let holding = store
                .add_list(
                    &Grant::<WriteRegister>::system("UA".parse().unwrap(), "test"),
                    &NewList {
                        kind: "holding".into(),
                        category: Some(Category::Pow),
                        title: "held by RU (synthetic)".into(),
                        file_name: "held.csv".into(),
                        original: b"synthetic holding list to correct against".to_vec(),
                        addressees: vec![],
                        supersedes: None,
                        headers: vec!["ФИО".into()],
                        rows: vec![NewListRow {
                            row_no: 2,
                            fields: held,
                            record: None,
                            problems: vec![],
                        }],
                    },
                    T0,
                )
                .await
                .unwrap();
            let pair = ProposedLink {
                person_id: id,
                other: LinkTarget::Row {
                    list: holding,
                    row: 2,
                },
                probability: 0.97,
                evidence: "{}".into(),
            };
            store
                .propose_links(&review, LinkScope::List(holding), &[pair], T0 + 2)
                .await
                .unwrap();
            let link = store.links(&review, Default::default()).await.unwrap()[0].id;
            store
                .decide_link(&review, link, Decision::Confirmed, T0 + 3)
                .await
                .unwrap();
            let opened = store
                .open_person(&read, id, "story check", T0 + 3)
                .await
                .unwrap();
            assert_eq!(opened.record.status, Some(Status::InCustody));

            // A correction of his health changes no evidence: the link stays confirmed.
            let first = store
                .correct_person(
                    &write,
                    id,
                    &[set("health", Some("wounded_or_sick"))],
                    &why(
                        "wounded on capture, says the ICRC visit",
                        SourceKind::Observation,
                        "visit 2025-05-30",
                    ),
                    today(),
                    T0 + 4,
                )
                .await
                .unwrap();
            assert_eq!((first.change_no, first.links_back_to_review.len()), (1, 0));
            // A correction of his surname does: the link is back for review, his status as
            // it was before the confirmation.
            let second = store
                .correct_person(
                    &write,
                    id,
                    &[
                        set("surname", Some("Шевченко")),
                        set("birth_date", Some("1994-07-15")),
                    ],
                    &why(
                        "misspelt in the list; his mother read it from his passport",
                        SourceKind::Call,
                        "call 2025-06-01 14:05",
                    ),
                    today(),
                    T0 + 5,
                )
                .await
                .unwrap();
            assert_eq!(second.links_back_to_review, vec![link]);
            assert_ne!(second.record_sha256, second.record_sha256_before);
            let links = store.links(&review, Default::default()).await.unwrap();
            assert_eq!(links[0].decision, "candidate");
            let opened = store
                .open_person(&read, id, "story check", T0 + 5)
                .await
                .unwrap();
            assert_eq!(
                opened.record.status,
                Some(Status::Missing),
                "the confirmation's status is withdrawn"
            );
            assert_eq!(opened.record.surname.as_deref(), Some("Шевченко"));
            assert_eq!(opened.record_sha256, second.record_sha256);
            let third = store
                .correct_person(
                    &write,
                    id,
                    &[
                        set("unit", Some("72 ОМБр")),
                        set("birth_date", Some("1994-07-16")),
                    ],
                    &why(
                        "the unit's roll",
                        SourceKind::Document,
                        "roll 17/2025, p. 3",
                    ),
                    today(),
                    T0 + 6,
                )
                .await
                .unwrap();
            assert_eq!(third.change_no, 3);

            let history = store
                .record_history(&read, id, "story check", T0 + 7)
                .await
                .unwrap();
            let rows: Vec<(i64, &str, Option<&str>, Option<&str>)> = history
                .changes
                .iter()
                .map(|c| {
                    (
                        c.change_no,
                        c.field.as_str(),
                        c.before.as_deref(),
                        c.after.as_deref(),
                    )
                })
                .collect();
            assert_eq!(
                rows,
                vec![
                    (1, "health", Some("unknown"), Some("wounded_or_sick")),
                    (2, "surname", Some("Шевчеко"), Some("Шевченко")),
                    (2, "birth_date", None, Some("1994-07-15")),
                    (3, "birth_date", Some("1994-07-15"), Some("1994-07-16")),
                    (3, "unit", None, Some("72 ОМБр")),
                ]
            );
            assert_eq!(history.changes[1].source, SourceKind::Call);
            assert_eq!(history.changes[1].actor, operator_name(&operator));
            assert_eq!(history.changes[4].record_sha256, third.record_sha256);
            assert_eq!(
                (history.source_list, history.source_row),
                (Some(request), Some(2))
            );
            // The value the list row gave stays beside the correction.
            assert!(
                history
                    .list_values()
                    .contains(&("surname", Some("Шевчеко")))
            );

            // The signed list still proves the row as it was signed.
            let proof = store.prove_row(&read, request, 2, T0 + 8).await.unwrap();
            assert_eq!(proof.verify(&key.public_hex()), Ok(()));
            assert!(serde_json::to_string(&proof).unwrap().contains("Шевчеко"));

            // Events: each change one, the link's undoing its own; values never in the log.
            let audit =
                Grant::<homeward_core::access::Audit>::system("UA".parse().unwrap(), "test");
            let events = store.events_of_party(&audit, 1000).await.unwrap();
            let kinds: Vec<&str> = events.iter().map(|e| e.draft.kind.as_str()).collect();
            assert_eq!(
                kinds.iter().filter(|k| **k == "person.corrected").count(),
                3
            );
            assert!(kinds.contains(&"link.undone"));
            assert!(
                events
                    .iter()
                    .all(|e| !e.draft.payload.to_string().contains("Шевченко"))
            );
            assert_eq!(store.verify_log().await.unwrap().first_break, None);
        },
    )
    .await;
}

fn operator_name(actor: &homeward_core::access::Actor) -> String {
    authorize::<WriteRegister>(actor)
        .unwrap()
        .actor()
        .to_owned()
}

#[tokio::test]
async fn records_entered_by_hand_and_bad_corrections_change_nothing() {
    each_backend(
        "records_entered_by_hand_and_bad_corrections_change_nothing",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let operator = actor(store, "UA", Role::Operator).await;
            let write = authorize::<WriteRegister>(&operator).unwrap();
            let read = authorize::<ReadRegister>(&operator).unwrap();
            let ru_write =
                authorize::<WriteRegister>(&actor(store, "RU", Role::Operator).await).unwrap();
            let call = why(
                "his mother called the hotline",
                SourceKind::Call,
                "call 2025-06-02 09:10",
            );
            let sought = PersonRecord {
                category: Some(Category::Pow),
                relation: Some(Relation::Sought),
                surname: Some("Ткачук".into()),
                given_names: Some("Богдан".into()),
                birth_date: Some("1999".parse().unwrap()),
                synthetic: true,
                ..Default::default()
            };
            let id = store
                .enter_person(&write, &sought, &call, today(), T0)
                .await
                .unwrap();
            let entered = store
                .open_person(&read, id, "story check", T0)
                .await
                .unwrap();
            assert_eq!(entered.record.status, Some(Status::Missing));
            assert_eq!((entered.source_list, entered.source_row), (None, None));
            let history = store
                .record_history(&read, id, "story check", T0)
                .await
                .unwrap();
            assert!(
                history
                    .changes
                    .iter()
                    .all(|c| c.change_no == 1 && c.before.is_none())
            );
            assert!(
                history
                    .changes
                    .iter()
                    .any(|c| c.field == "surname" && c.after.as_deref() == Some("Ткачук"))
            );
            assert!(
                history.list_values().is_empty(),
                "entered by hand, no list gave it"
            );

            // Remains found: unidentified, named by their tag.
            let remains = PersonRecord {
                category: Some(Category::Remains),
                relation: Some(Relation::Held),
                tag_number: Some("R-0042".into()),
                recovery_date: Some("2025-05-20".parse().unwrap()),
                synthetic: true,
                ..Default::default()
            };
            let found = store
                .enter_person(
                    &write,
                    &remains,
                    &why(
                        "recovered in sector 4",
                        SourceKind::Observation,
                        "recovery report 12",
                    ),
                    today(),
                    T0,
                )
                .await
                .unwrap();
            let found = store
                .open_person(&read, found, "story check", T0)
                .await
                .unwrap();
            assert_eq!(found.record.status, Some(Status::Held));
            assert_eq!(
                found.record.identification,
                Some(homeward_core::record::Identification::Unidentified)
            );

            let before = everything_stored(store).await;
            let bad: Vec<(Vec<FieldChange>, Provenance, &str, &str)> = vec![
                (
                    vec![set("birth_date", Some("2026-01-01"))],
                    call.clone(),
                    "birth_date",
                    "future",
                ),
                (
                    vec![set("surname", Some(&"Ш".repeat(301)))],
                    call.clone(),
                    "surname",
                    "over the limit",
                ),
                (
                    vec![set("status", Some("returned"))],
                    call.clone(),
                    "status",
                    "links",
                ),
                (
                    vec![set("unit", Some("1"))],
                    Provenance {
                        reason: " ".into(),
                        ..call.clone()
                    },
                    "reason",
                    "say why",
                ),
                (
                    vec![set("surname", Some("Ткачук"))],
                    call.clone(),
                    "changes",
                    "nothing would change",
                ),
            ];
            for (changes, provenance, field, words) in bad {
                match store
                    .correct_person(&write, id, &changes, &provenance, today(), T0 + 1)
                    .await
                {
                    Err(Error::Invalid {
                        field: f, reason, ..
                    }) => {
                        assert_eq!(f, field, "{reason}");
                        assert!(reason.contains(words), "{field}: {reason}");
                    }
                    other => panic!("{field}: {other:?}"),
                }
            }
            // Another party's record is not found, as if it did not exist.
            let foreign = store
                .correct_person(
                    &ru_write,
                    id,
                    &[set("unit", Some("1"))],
                    &call,
                    today(),
                    T0 + 1,
                )
                .await
                .unwrap_err();
            assert!(matches!(foreign, Error::NotFound(_)), "{foreign:?}");
            assert_eq!(everything_stored(store).await, before, "nothing changed");

            // An erased record is not corrected, and its history keeps no values.
            let officer = actor(store, "UA", Role::Protection).await;
            let ua_admin = actor(store, "UA", Role::Admin).await;
            let request = store
                .request_erasure(
                    &authorize::<Erase>(&officer).unwrap(),
                    id,
                    "the family asked, and the law allows it",
                    T0 + 2,
                )
                .await
                .unwrap();
            store
                .confirm_erasure(&authorize::<Erase>(&ua_admin).unwrap(), request, T0 + 3)
                .await
                .unwrap();
            let refused = store
                .correct_person(
                    &write,
                    id,
                    &[set("unit", Some("1"))],
                    &call,
                    today(),
                    T0 + 4,
                )
                .await
                .unwrap_err();
            assert!(
                matches!(&refused, Error::Invalid { field, .. } if field == "person"),
                "{refused:?}"
            );
            let stored = everything_stored(store).await;
            assert!(
                !stored.contains("Ткачук") && !stored.contains("his mother called"),
                "{:?}",
                store.backend()
            );
            let history = store
                .record_history(&read, id, "story check", T0 + 5)
                .await
                .unwrap();
            assert!(
                history
                    .changes
                    .iter()
                    .all(|c| c.after.is_none() && c.reason.is_none())
            );
        },
    )
    .await;
}
