//! Three parties' own servers on loopback, each over its own store: UA, RU and the TR
//! mediator. A request list travels UA → TR → RU and a holding list RU → TR → UA as signed
//! bundles over HTTP; each side reconciles what it received, and the test checks that both
//! sides proposed the same pairs and hold the same signatures and the mediator's
//! counter-signatures. Synthetic people only.

use crate::common::{Running, T0, client, start_signing, upload_as};
use homeward_core::access::Role;
use homeward_ledger::keys::PartyKey;
use homeward_store::testkit::{self, TestStore};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// UA's request list: synthetic people, in Ukrainian spelling.
pub(crate) const UA_REQUEST: &str = "прізвище,ім'я,по батькові,дата народження\n\
Григоренко,Олексій,Іванович,14.03.1991\n\
Ковальчук,Андрій,Петрович,02.11.1985\n\
Шевчук,Дмитро,Олегович,30.07.1979\n\
Бондаренко,Сергій,Миколайович,21.01.1994\n";

/// RU's holding list: three of them in Russian spelling, and one UA did not ask about.
pub(crate) const RU_HOLDING: &str = "фамилия,имя,отчество,дата рождения\n\
Григоренко,Алексей,Иванович,14.03.1991\n\
Ковальчук,Андрей,Петрович,02.11.1985\n\
Шевчук,Дмитрий,Олегович,1979-07-30\n\
Лозинский,Николай,Сергеевич,05.05.1990\n";

pub(crate) struct Party {
    pub(crate) code: &'static str,
    pub(crate) key: PartyKey,
    pub(crate) server: Running,
}

impl Party {
    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        role: Role,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = client()
            .request(method, self.server.url(path))
            .bearer_auth(self.server.token(self.code, role));
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        role: Role,
        body: Option<&Value>,
    ) -> Value {
        let (status, v) = self.call(method, path, role, body).await;
        assert_eq!(status, StatusCode::OK, "{} {path}: {v}", self.code);
        v
    }

    /// A web page or form as a bearer caller (which needs no anti-forgery token); a form
    /// posts `upload` as its bundle file. Returns the body of a successful answer.
    async fn page(
        &self,
        method: reqwest::Method,
        path: &str,
        role: Role,
        upload: Option<&str>,
    ) -> String {
        let mut req = client()
            .request(method, self.server.url(path))
            .bearer_auth(self.server.token(self.code, role));
        if let Some(file) = upload {
            let form = reqwest::multipart::Form::new().text("csrf", "").part(
                "bundle",
                reqwest::multipart::Part::bytes(file.as_bytes().to_vec()).file_name("bundle.json"),
            );
            req = req.multipart(form);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let body = resp.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{} {path}: {body}", self.code);
        body
    }

    /// Uploads, signs and checkpoints a list addressed to the other party and the mediator;
    /// returns its id and its bundle.
    async fn issue(&self, csv: &str, kind: &str, to: &str) -> (i64, Value) {
        let report = upload_as(
            &self.server,
            self.code,
            csv.as_bytes().to_vec(),
            &format!("{kind}.csv"),
            kind,
            &[("to", to)],
        )
        .await;
        let list = report["list"].as_i64().unwrap();
        let post = reqwest::Method::POST;
        // No tree head covers the list yet: the export says what to do.
        self.ok(
            post.clone(),
            &format!("/api/v1/lists/{list}/signature"),
            Role::Admin,
            None,
        )
        .await;
        let (status, refused) = self
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/lists/{list}/bundle"),
                Role::Viewer,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert!(
            refused.to_string().contains("homeward checkpoint"),
            "{refused}"
        );
        self.ok(post, "/api/v1/log/tree-heads", Role::Admin, None)
            .await;
        let bundle = self
            .ok(
                reqwest::Method::GET,
                &format!("/api/v1/lists/{list}/bundle"),
                Role::Viewer,
                None,
            )
            .await;
        (list, bundle)
    }

    /// Pairs (UA line, RU line) the party's reviewers were proposed, from its own list
    /// `own` (whose rows are register records) and the received list `received`.
    pub(crate) async fn proposed_pairs(&self, own: i64, received: i64) -> BTreeSet<(i64, i64)> {
        let rows = self
            .ok(
                reqwest::Method::GET,
                &format!("/api/v1/lists/{own}/rows"),
                Role::Reviewer,
                None,
            )
            .await;
        let line_of = |person: i64| {
            rows.as_array()
                .unwrap()
                .iter()
                .find(|r| r["person_id"] == person)
                .map(|r| r["row_no"].as_i64().unwrap())
        };
        let links = self
            .ok(
                reqwest::Method::GET,
                "/api/v1/links?decision=candidate",
                Role::Reviewer,
                None,
            )
            .await;
        links
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["other_list"] == received)
            .filter_map(|l| {
                let mine = line_of(l["person_id"].as_i64()?)?;
                let theirs = l["other_row"].as_i64()?;
                Some(if self.code == "UA" {
                    (mine, theirs)
                } else {
                    (theirs, mine)
                })
            })
            .collect()
    }
}

pub(crate) async fn start(
    code: &'static str,
    t: TestStore,
    backend: &'static str,
    seed: u8,
) -> Party {
    let key = PartyKey::from_seed([seed; 32]);
    let server = start_signing(t, backend, Some(PartyKey::from_seed([seed; 32]))).await;
    Party { code, key, server }
}

/// Each holder registers its own key (`own`) or pins the other parties' keys.
pub(crate) async fn hold_keys(parties: &[&Party], own: bool) {
    for holder in parties {
        for owner in parties.iter().filter(|o| (o.code == holder.code) == own) {
            let v = holder
                .ok(
                    reqwest::Method::POST,
                    "/api/v1/keys",
                    Role::Admin,
                    Some(&json!({"party": owner.code, "public_key": owner.key.public_hex()})),
                )
                .await;
            assert!(v.to_string().contains(&owner.key.public_hex()), "{v}");
        }
    }
}

async fn three_servers(ua: Party, ru: Party, tr: Party) {
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;
    hold_keys(&[&ua, &ru, &tr], true).await;
    // Before any key is pinned, the mediator refuses UA's bundle and changes nothing.
    let (ua_list, ua_bundle) = ua.issue(UA_REQUEST, "request", "RU,TR").await;
    let (status, refused) = tr
        .call(
            post.clone(),
            "/api/v1/bundles/countersign",
            Role::Admin,
            Some(&ua_bundle),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(
        refused.to_string().contains("not a key TR pinned for UA"),
        "{refused}"
    );
    hold_keys(&[&ua, &ru, &tr], false).await;

    // UA → TR → RU, and the counter-signed bundle back to UA.
    let ua_countersigned = tr
        .ok(
            post.clone(),
            "/api/v1/bundles/countersign",
            Role::Admin,
            Some(&ua_bundle),
        )
        .await;
    let imported = ru
        .ok(
            post.clone(),
            "/api/v1/bundles",
            Role::Operator,
            Some(&ua_countersigned),
        )
        .await;
    let ua_list_at_ru = imported["list"].as_i64().unwrap();
    ua.ok(
        post.clone(),
        "/api/v1/bundles",
        Role::Operator,
        Some(&ua_countersigned),
    )
    .await;
    // A replay at RU and at TR changes nothing.
    let (status, replay) = ru
        .call(
            post.clone(),
            "/api/v1/bundles",
            Role::Operator,
            Some(&ua_countersigned),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{replay}");
    let (status, replay) = tr
        .call(
            post.clone(),
            "/api/v1/bundles/countersign",
            Role::Admin,
            Some(&ua_bundle),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{replay}");

    // RU → TR → UA through the web pages: RU downloads its bundle, the mediator uploads it
    // to its counter-signing form and gets the counter-signed file back, UA and RU upload
    // that to their import forms.
    let (ru_list, _) = ru.issue(RU_HOLDING, "holding", "UA,TR").await;
    let ru_bundle = ru
        .page(
            get.clone(),
            &format!("/lists/{ru_list}/bundle"),
            Role::Viewer,
            None,
        )
        .await;
    // The counter-signed file exactly as downloaded goes on to the parties.
    let upload = tr
        .page(
            post.clone(),
            "/bundles/countersign",
            Role::Admin,
            Some(&ru_bundle),
        )
        .await;
    let ru_countersigned: Value = serde_json::from_str(&upload).unwrap();
    assert_eq!(ru_countersigned["countersignatures"][0][0], "TR");
    let page = ua
        .page(post.clone(), "/bundles", Role::Operator, Some(&upload))
        .await;
    assert!(
        page.contains("Verified against the pinned key of RU")
            && page.contains("counter-signed by TR"),
        "{page}"
    );
    ru.page(post.clone(), "/bundles", Role::Operator, Some(&upload))
        .await;
    let ru_list_at_ua = ua
        .ok(get.clone(), "/api/v1/lists", Role::Viewer, None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sha256"] == ru_countersigned["sha256"])
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let page = ua.page(get.clone(), "/bundles", Role::Admin, None).await;
    assert!(
        page.contains(ru_countersigned["row_root"].as_str().unwrap()),
        "the page shows the signed root"
    );

    // One byte changed in transit is refused with the reason, and nothing is stored.
    let mut altered = ru_countersigned.clone();
    altered["rows"][0]["fields"]["фамилия"] = Value::from("Григоренкo");
    let (status, refused) = ua
        .call(
            post.clone(),
            "/api/v1/bundles",
            Role::Operator,
            Some(&altered),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(
        refused
            .to_string()
            .contains("not the rows the issuer signed"),
        "{refused}"
    );

    // Each side reconciles its own list with the one it received.
    for (party, own, received) in [(&ua, ua_list, ru_list_at_ua), (&ru, ru_list, ua_list_at_ru)] {
        let report = party
            .ok(
                post.clone(),
                "/api/v1/reconcile",
                Role::Reviewer,
                Some(&json!({"request": own, "holding": received})),
            )
            .await;
        assert!(
            report["proposed"].as_i64().unwrap() >= 3,
            "{}: {report}",
            party.code
        );
    }
    let ua_pairs = ua.proposed_pairs(ua_list, ru_list_at_ua).await;
    let ru_pairs = ru.proposed_pairs(ru_list, ua_list_at_ru).await;
    assert_eq!(ua_pairs, ru_pairs, "both sides propose the same pairs");
    // Lines 2–4 of each list are the same three people; line 5 of either is nobody's.
    for pair in [(2, 2), (3, 3), (4, 4)] {
        assert!(ua_pairs.contains(&pair), "{ua_pairs:?}");
    }

    // Both sides hold the same record of each list — signature, root and the mediator's
    // counter-signature — and the mediator's own record names the same signature.
    let mediator = tr
        .ok(get.clone(), "/api/v1/bundles", Role::Auditor, None)
        .await;
    for (issuer, at_issuer, at_other, other) in [
        (&ua, ua_list, ua_list_at_ru, &ru),
        (&ru, ru_list, ru_list_at_ua, &ua),
    ] {
        let mine = issuer
            .ok(
                get.clone(),
                &format!("/api/v1/lists/{at_issuer}/signature"),
                Role::Viewer,
                None,
            )
            .await;
        let theirs = other
            .ok(
                get.clone(),
                &format!("/api/v1/lists/{at_other}/signature"),
                Role::Viewer,
                None,
            )
            .await;
        for field in [
            "issuer",
            "sha256",
            "rows",
            "row_root",
            "signature",
            "public_key",
        ] {
            assert_eq!(mine[field], theirs[field], "{field}");
        }
        let signatures = |record: &Value| -> Vec<(Value, Value, Value)> {
            record["countersignatures"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["party"].clone(),
                        c["public_key"].clone(),
                        c["signature"].clone(),
                    )
                })
                .collect()
        };
        assert_eq!(signatures(&mine), signatures(&theirs));
        assert_eq!(signatures(&mine).len(), 1);
        assert_eq!(mine["countersignatures"][0]["party"], "TR");
        let seen = mediator
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["sha256"] == mine["sha256"])
            .unwrap_or_else(|| panic!("TR has no record of {}", mine["sha256"]));
        assert_eq!(seen["signature"], mine["countersignatures"][0]["signature"]);
        assert_eq!(seen["issuer"], issuer.code);
    }
    // The mediator kept no rows of either list: it holds no list with their fingerprint.
    let tr_lists = tr
        .ok(get.clone(), "/api/v1/lists", Role::Viewer, None)
        .await
        .to_string();
    for record in [&ua_countersigned, &ru_countersigned] {
        assert!(!tr_lists.contains(record["sha256"].as_str().unwrap()));
    }
    // Every log still verifies, tree heads, list signatures and counter-signatures included.
    for party in [&ua, &ru, &tr] {
        let heads = party
            .ok(get.clone(), "/api/v1/log/tree-heads", Role::Auditor, None)
            .await;
        assert!(
            heads["check"]["problem"].is_null() && heads["lists"]["problem"].is_null(),
            "{}: {heads}",
            party.code
        );
        // UA and RU each hold two signed lists, each with TR's counter-signature.
        if party.code != "TR" {
            assert_eq!(heads["lists"]["checked"], 4, "{}: {heads}", party.code);
        }
        let log = party
            .ok(get.clone(), "/api/v1/log/verify", Role::Auditor, None)
            .await;
        assert!(log["first_break"].is_null(), "{}: {log}", party.code);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_travel_between_three_servers_as_signed_bundles() {
    let _ = T0;
    three_servers(
        start("UA", testkit::sqlite().await.unwrap(), "sqlite", 1).await,
        start("RU", testkit::sqlite().await.unwrap(), "sqlite", 2).await,
        start("TR", testkit::sqlite().await.unwrap(), "sqlite", 3).await,
    )
    .await;
    // Parties choose their own database: RU and the mediator on PostgreSQL, UA on SQLite.
    let (Some(ru), Some(tr)) = (
        testkit::postgres("three_servers_ru").await.unwrap(),
        testkit::postgres("three_servers_tr").await.unwrap(),
    ) else {
        return;
    };
    three_servers(
        start("UA", testkit::sqlite().await.unwrap(), "sqlite", 4).await,
        start("RU", ru, "postgres", 5).await,
        start("TR", tr, "postgres", 6).await,
    )
    .await;
}
