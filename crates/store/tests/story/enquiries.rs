//! Families' enquiries: taken with their consent, answered when there is news, the consent
//! honoured by search, a death told only once a second person confirmed it.

use super::{T0, actor, each_backend, everything_stored, with_parties};
use homeward_core::Error;
use homeward_core::access::{
    AnswerFamilies, Erase, Grant, ReadRegister, RecordRestricted, ReviewLinks, Role, WriteRegister,
    authorize,
};
use homeward_core::correction::{Provenance, SourceKind};
use homeward_core::enquiry::{Answer, Kinship, NewEnquiry, News};
use homeward_core::protection::{Purpose, Restriction};
use homeward_core::record::{Category, PartialDate, PersonRecord, Relation, Status};
use homeward_store::{
    Decision, EnquiryAbout, LinkScope, LinkTarget, NewList, NewListRow, ProposedLink, SearchQuery,
};

fn mother(consent: Option<Vec<Purpose>>) -> NewEnquiry {
    NewEnquiry {
        asked_by: "Олена Ткачук (synthetic)".into(),
        contact: "+380 00 000 0001".into(),
        kinship: Kinship::Parent,
        consent,
        note: Some("last call from him on 2025-03-14".into()),
    }
}

fn sought(surname: &str, given: &str) -> PersonRecord {
    PersonRecord {
        category: Some(Category::Pow),
        relation: Some(Relation::Sought),
        status: Some(Status::Missing),
        surname: Some(surname.into()),
        given_names: Some(given.into()),
        birth_date: Some("1999".parse().unwrap()),
        synthetic: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn an_enquiry_is_answered_when_there_is_news_and_its_consent_is_honoured() {
    each_backend(
        "an_enquiry_is_answered_when_there_is_news_and_its_consent_is_honoured",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let hotline = actor(store, "UA", Role::Hotline).await;
            let answer = authorize::<AnswerFamilies>(&hotline).unwrap();
            let read = authorize::<ReadRegister>(&hotline).unwrap();
            let reviewer = actor(store, "UA", Role::Reviewer).await;
            let review = authorize::<ReviewLinks>(&reviewer).unwrap();
            let ru = authorize::<AnswerFamilies>(&actor(store, "RU", Role::Hotline).await).unwrap();
            let write = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
            let ids = store
                .add_persons(
                    &write,
                    &[sought("Ткачук", "Богдан"), sought("Гнатюк", "Роман")],
                    T0,
                )
                .await
                .unwrap();
            let held = store
                .add_persons(
                    &write,
                    &[PersonRecord {
                        relation: Some(Relation::Held),
                        status: Some(Status::Held),
                        ..sought("Иванов", "Иван")
                    }],
                    T0,
                )
                .await
                .unwrap()[0];

            // Refused, nothing changed: no consent asked, a held person, another party's.
            let before = everything_stored(store).await;
            let refused = store
                .record_enquiry(
                    &answer,
                    &EnquiryAbout::Person(ids[0]),
                    &mother(None),
                    T0 + 1,
                )
                .await
                .unwrap_err();
            assert!(
                matches!(&refused, Error::Invalid { field, .. } if field == "consent"),
                "{refused:?}"
            );
            let refused = store
                .record_enquiry(
                    &answer,
                    &EnquiryAbout::Person(held),
                    &mother(Some(vec![])),
                    T0 + 1,
                )
                .await
                .unwrap_err();
            assert!(
                matches!(&refused, Error::Invalid { field, .. } if field == "person"),
                "{refused:?}"
            );
            let foreign = store
                .record_enquiry(
                    &ru,
                    &EnquiryAbout::Person(ids[0]),
                    &mother(Some(vec![])),
                    T0 + 1,
                )
                .await
                .unwrap_err();
            assert!(matches!(foreign, Error::NotFound(_)));
            assert_eq!(everything_stored(store).await, before);

            // The mother agrees to sharing with the mediator, not to a search.
            let (enquiry, person) = store
                .record_enquiry(
                    &answer,
                    &EnquiryAbout::Person(ids[0]),
                    &mother(Some(vec![Purpose::ShareMediator])),
                    T0 + 2,
                )
                .await
                .unwrap();
            assert_eq!(person, ids[0]);
            let found = store
                .find(
                    &read,
                    &SearchQuery {
                        text: "Ткачук Богдан".into(),
                        born: None,
                        limit: 20,
                    },
                    "story check",
                    T0 + 2,
                )
                .await
                .unwrap();
            assert!(
                found.iter().all(|h| h.person.id != ids[0]),
                "her consent keeps him out of search"
            );
            let view = store.enquiry(&answer, enquiry).await.unwrap();
            assert!(view.news.is_empty() && !view.to_answer());
            assert_eq!(view.consent, vec![Purpose::ShareMediator]);

            // A reviewer confirms him on the other side's holding list: news to tell.
            let mut cells = serde_json::Map::new();
            cells.insert("ФИО".into(), "Ткачук Богдан".into());
            let list = store
                .add_list(
                    &write,
                    &NewList {
                        kind: "holding".into(),
                        category: Some(Category::Pow),
                        title: "held by RU (synthetic)".into(),
                        file_name: "held.csv".into(),
                        original: b"synthetic holding list for an enquiry".to_vec(),
                        addressees: vec![],
                        supersedes: None,
                        headers: vec!["ФИО".into()],
                        rows: vec![NewListRow {
                            row_no: 2,
                            fields: cells,
                            record: None,
                            problems: vec![],
                        }],
                    },
                    T0 + 3,
                )
                .await
                .unwrap();
            let pair = ProposedLink {
                person_id: ids[0],
                other: LinkTarget::Row { list, row: 2 },
                probability: 0.98,
                evidence: "{}".into(),
            };
            store
                .propose_links(&review, LinkScope::List(list), &[pair], T0 + 3)
                .await
                .unwrap();
            let link = store.links(&review, Default::default()).await.unwrap()[0].id;
            store
                .decide_link(&review, link, Decision::Confirmed, T0 + 4)
                .await
                .unwrap();
            let open = store.enquiries(&answer, true, None).await.unwrap();
            assert_eq!(open.len(), 1);
            assert_eq!(
                open[0].news,
                vec![News::LinkConfirmed {
                    list_kind: "holding".into(),
                    at_ms: T0 + 4
                }]
            );
            assert!(open[0].to_answer());

            // Told: nothing left to tell.
            let empty = store
                .answer_enquiry(
                    &answer,
                    enquiry,
                    &Answer {
                        told: " ".into(),
                        closes: false,
                    },
                    T0 + 5,
                )
                .await
                .unwrap_err();
            assert!(matches!(&empty, Error::Invalid { field, .. } if field == "told"));
            store
                .answer_enquiry(
                    &answer,
                    enquiry,
                    &Answer {
                        told: "He is on Russia's list of prisoners (synthetic).".into(),
                        closes: false,
                    },
                    T0 + 5,
                )
                .await
                .unwrap();
            let view = store.enquiry(&answer, enquiry).await.unwrap();
            assert!(view.news.is_empty(), "{:?}", view.news);
            assert_eq!((view.told_at_ms, view.answers.len()), (Some(T0 + 5), 1));

            // A death proposed by one person is not news; confirmed by a second, it is.
            let officer = actor(store, "UA", Role::Protection).await;
            let protection = authorize::<RecordRestricted>(&officer).unwrap();
            let second = authorize::<RecordRestricted>(&reviewer).unwrap();
            let proposal = store
                .propose_restriction(&protection, ids[0], Restriction::Deceased, T0 + 6)
                .await
                .unwrap();
            assert!(
                store
                    .enquiry(&answer, enquiry)
                    .await
                    .unwrap()
                    .news
                    .is_empty(),
                "proposed only"
            );
            store
                .confirm_restriction(&second, proposal, T0 + 7)
                .await
                .unwrap();
            let view = store.enquiry(&answer, enquiry).await.unwrap();
            assert_eq!(view.news, vec![News::DeathConfirmed { at_ms: T0 + 7 }]);
            store
                .answer_enquiry(
                    &answer,
                    enquiry,
                    &Answer {
                        told: "told in person by the officer (synthetic)".into(),
                        closes: true,
                    },
                    T0 + 8,
                )
                .await
                .unwrap();
            assert!(
                store
                    .enquiries(&answer, true, None)
                    .await
                    .unwrap()
                    .is_empty()
            );
            let closed = store
                .answer_enquiry(
                    &answer,
                    enquiry,
                    &Answer {
                        told: "again".into(),
                        closes: false,
                    },
                    T0 + 9,
                )
                .await
                .unwrap_err();
            assert!(matches!(closed, Error::Conflict(_)));

            // A call about someone the register does not hold makes a sought record.
            let (second_enquiry, new_person) = store
                .record_enquiry(
                    &answer,
                    &EnquiryAbout::New {
                        record: Box::new(sought("Мельничук", "Тарас")),
                        provenance: Provenance {
                            reason: "his wife called".into(),
                            source: SourceKind::Call,
                            reference: None,
                        },
                        today: PartialDate::ymd(2025, 6, 2).unwrap(),
                    },
                    &NewEnquiry {
                        kinship: Kinship::Spouse,
                        ..mother(Some(vec![Purpose::Search]))
                    },
                    T0 + 10,
                )
                .await
                .unwrap();
            let opened = store
                .open_person(&read, new_person, "story check", T0 + 10)
                .await
                .unwrap();
            assert_eq!(opened.consent, Some(vec![Purpose::Search]));
            assert_eq!(
                store
                    .record_history(&read, new_person, "story check", T0 + 10)
                    .await
                    .unwrap()
                    .changes[0]
                    .source,
                SourceKind::Call
            );

            // An erasure empties who asked, how to reach them and what they were told.
            let ua_admin = actor(store, "UA", Role::Admin).await;
            let request = store
                .request_erasure(
                    &authorize::<Erase>(&officer).unwrap(),
                    ids[0],
                    "the family asked, and the law allows it",
                    T0 + 11,
                )
                .await
                .unwrap();
            store
                .confirm_erasure(&authorize::<Erase>(&ua_admin).unwrap(), request, T0 + 12)
                .await
                .unwrap();
            let stored = everything_stored(store).await;
            assert!(
                !stored.contains("told in person by the officer"),
                "{:?}",
                store.backend()
            );
            assert!(
                stored.contains("his wife called"),
                "the other enquiry's record is untouched"
            );
            let erased = store.enquiry(&answer, enquiry).await.unwrap();
            assert_eq!(
                (erased.asked_by, erased.answers[0].told.clone()),
                (None, None)
            );
            assert!(
                store
                    .enquiry(&answer, second_enquiry)
                    .await
                    .unwrap()
                    .asked_by
                    .is_some()
            );
            assert_eq!(store.verify_log().await.unwrap().first_break, None);
        },
    )
    .await;
}
