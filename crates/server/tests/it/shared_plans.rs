//! The exchange plan agreed and executed between three parties' own servers, as
//! `homeward demo` plays it: UA proposes the plan it made, RU accepts its copy, TR co-signs;
//! two stages run, each handover and receipt stated by the side that made it, each stage
//! closed by TR and counted back by both sides; each side hands a batch of remains over,
//! which the other counts. The test checks that the three stores count the exchange and the
//! bodies alike, that what UA states while the mediator is away for a day waits (tried
//! again, never more than five minutes apart) and reaches RU once when TR is back, that a move the rules do not allow its issuer is kept but not
//! followed (and changes nothing), that the mediator cannot close a stage with people in
//! between, that nothing is proposed or accepted twice, and that every store verifies.
//! UA's store is SQLite, RU's and TR's PostgreSQL when the test has one. Synthetic people
//! only.

use crate::common::client;
use homeward_app::App;
use homeward_core::access::Role;
use homeward_demo::Scale;
use homeward_demo::relayed::{OwnServer, RelayedRun, play_relayed};
use homeward_ledger::keys::PartyKey;
use homeward_ledger::relay::{Carried, Delivery};
use homeward_ledger::statement::{Statement, StatementDraft};
use homeward_store::testkit::{self, TestStore};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

struct Three {
    servers: Vec<OwnServer>,
    keys: Vec<PartyKey>,
    run: RelayedRun,
    serving: Vec<tokio::task::JoinHandle<Result<(), homeward_core::Error>>>,
    /// Added to UA's clock: how far UA's server lives ahead of the others.
    ua_ahead_ms: Arc<AtomicI64>,
    _stores: Vec<TestStore>,
}

impl Three {
    /// Stops `party`'s server and its courier, as a stopped process would; its store stays.
    fn stop(&mut self, party: &str) {
        let i = self.at(party);
        self.serving[i].abort();
    }

    /// Serves `party`'s store again on the same address, as a restarted process would.
    async fn resume(&mut self, party: &str) {
        let i = self.at(party);
        let addr = self.servers[i]
            .base_url
            .trim_start_matches("http://")
            .to_owned();
        for _ in 0..100 {
            if let Ok(listener) = tokio::net::TcpListener::bind(&addr).await {
                let app = self.servers[i].app.clone();
                self.serving[i] = tokio::spawn(homeward_server::serve_on(app, listener));
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{addr} still taken after 2 s");
    }

    fn at(&self, party: &str) -> usize {
        self.servers
            .iter()
            .position(|s| s.party.as_str() == party)
            .unwrap()
    }

    async fn call(
        &self,
        party: &str,
        method: Method,
        path: &str,
        role: Role,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let i = self.at(party);
        let token = self.run.seeded[i].1.token(party, role).unwrap().to_owned();
        let mut req = client()
            .request(method, format!("{}{path}", self.servers[i].base_url))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn ok(&self, party: &str, path: &str, role: Role) -> Value {
        let (status, body) = self.call(party, Method::GET, path, role, None).await;
        assert_eq!(status, StatusCode::OK, "{party} {path}: {body}");
        body
    }

    /// The plan as `party`'s statements say.
    async fn shared(&self, party: &str) -> Value {
        let plans = self.ok(party, "/api/v1/shared-plans", Role::Viewer).await;
        assert_eq!(plans.as_array().map(Vec::len), Some(1), "{party}: {plans}");
        plans[0].clone()
    }

    /// `party`'s count of the exchange, direction by direction.
    async fn fulfilment(&self, party: &str) -> Vec<Value> {
        self.counted(party, "pow_exchange").await
    }

    /// `party`'s count of its commitment of `kind`, direction by direction.
    async fn counted(&self, party: &str, kind: &str) -> Vec<Value> {
        let commitments = self.ok(party, "/api/v1/commitments", Role::Viewer).await;
        let exchange = commitments
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["terms"]["kind"] == kind)
            .unwrap()
            .clone();
        exchange["fulfilment"]["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| json!([f["from"], f["planned"], f["handed_over"], f["received"]]))
            .collect()
    }

    /// `party`'s commitment of `kind`.
    async fn plan_commitment(&self, party: &str, kind: &str) -> i64 {
        let commitments = self.ok(party, "/api/v1/commitments", Role::Viewer).await;
        commitments
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["terms"]["kind"] == kind)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    /// `party`'s copy of the current plan.
    async fn plan(&self, party: &str) -> Value {
        let commitments = self.ok(party, "/api/v1/commitments", Role::Viewer).await;
        let id = commitments
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["terms"]["kind"] == "pow_exchange")
            .unwrap()["id"]
            .clone();
        self.ok(
            party,
            &format!("/api/v1/commitments/{id}/plan"),
            Role::Viewer,
        )
        .await
    }
}

async fn three_own_servers() -> Three {
    let mut servers = Vec::new();
    let mut keys = Vec::new();
    let mut stores = Vec::new();
    let mut serving = Vec::new();
    let ua_ahead_ms = Arc::new(AtomicI64::new(0));
    for (i, party) in ["UA", "RU", "TR"].into_iter().enumerate() {
        // UA keeps its store in SQLite; RU and TR in PostgreSQL where the test has one, so
        // that following the statements is tried on both databases.
        let t = match party {
            "UA" => testkit::sqlite().await.unwrap(),
            _ => match testkit::postgres(&format!("shared plans at {party}"))
                .await
                .unwrap()
            {
                Some(t) => t,
                None => testkit::sqlite().await.unwrap(),
            },
        };
        let key = PartyKey::from_seed([40 + i as u8; 32]);
        let public_key = key.public_hex();
        let mut app = App::new(t.store.clone())
            .with_hash_cost(homeward_app::HashCost::Test)
            .with_key(PartyKey::from_seed([40 + i as u8; 32]));
        if party == "UA" {
            let ahead = ua_ahead_ms.clone();
            app = app.with_clock(Arc::new(move || {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64);
                now + ahead.load(Ordering::SeqCst)
            }));
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        serving.push(tokio::spawn(homeward_server::serve_on(
            app.clone(),
            listener,
        )));
        servers.push(OwnServer {
            party: party.parse().unwrap(),
            app,
            base_url,
            public_key,
        });
        keys.push(key);
        stores.push(t);
    }
    let run = play_relayed(&servers, Scale(0.01), Duration::from_secs(180))
        .await
        .unwrap();
    Three {
        servers,
        keys,
        run,
        serving,
        ua_ahead_ms,
        _stores: stores,
    }
}

/// Waits for `done`, a bounded number of times (30 s in all), or fails saying what.
async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_agreed_between_own_servers_is_counted_alike_and_moves_the_rules_forbid_are_not_followed()
 {
    let mut three = three_own_servers().await;
    // All three hold the plan signed by both sides and co-signed, two stages closed and
    // counted alike by both sides.
    for party in ["UA", "RU", "TR"] {
        let p = three.shared(party).await;
        assert_eq!(p["proposed_by"], "UA", "{party}: {p}");
        assert_eq!(p["cosigned"], true, "{party}: {p}");
        assert_eq!(p["unfollowed"], json!([]), "{party}: {p}");
        for stage in &p["stages"].as_array().unwrap()[..2] {
            assert!(stage["closed"].is_object(), "{party}: {stage}");
            for side in ["UA", "RU"] {
                assert_eq!(stage["counted"][side], stage["closed"], "{party}: {stage}");
            }
        }
    }
    for party in ["UA", "RU"] {
        // Each side's count of a closed stage is in its own log like any statement it made.
        let events = three.ok(party, "/api/v1/log/events", Role::Auditor).await;
        let counted = events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "statement.issued" && e["payload"]["kind"] == "stage.counted")
            .count();
        assert_eq!(counted, 2, "{party}");
        let plan = three.plan(party).await;
        assert_eq!(plan["state"], "signed", "{party}");
        assert_eq!(plan["created_by"], "UA", "{party}");
        assert_eq!(
            plan["proposal"],
            three.shared("TR").await["plan"],
            "{party}"
        );
    }
    let counted = three.fulfilment("UA").await;
    assert!(
        counted.iter().all(|f| f[3].as_u64() > Some(0)),
        "{counted:?}"
    );
    assert_eq!(
        three.fulfilment("RU").await,
        counted,
        "RU counts as UA does"
    );
    assert_eq!(
        three.fulfilment("TR").await,
        counted,
        "TR counts as UA does"
    );

    let ua_plan = three.plan("UA").await["id"].as_i64().unwrap();
    let ru_plan = three.plan("RU").await["id"].as_i64().unwrap();
    // Nothing is proposed or accepted twice; RU cannot propose UA's plan, nor UA accept
    // its own.
    for (party, plan, step, status) in [
        ("UA", ua_plan, "proposal", StatusCode::CONFLICT),
        ("RU", ru_plan, "acceptance", StatusCode::CONFLICT),
        ("RU", ru_plan, "proposal", StatusCode::BAD_REQUEST),
        ("UA", ua_plan, "acceptance", StatusCode::BAD_REQUEST),
    ] {
        let path = format!("/api/v1/plans/{plan}/{step}");
        let (answer, body) = three
            .call(party, Method::POST, &path, Role::Negotiator, None)
            .await;
        assert_eq!(answer, status, "{party} {path}: {body}");
    }

    // The mediator cannot close stage 3: everyone in it is still planned.
    let proposal = three.shared("TR").await["plan"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = three
        .call(
            "TR",
            Method::POST,
            &format!("/api/v1/shared-plans/{proposal}/stages/3/close"),
            Role::Negotiator,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.to_string().contains("still planned or handed over"),
        "{body}"
    );
    // Nor can a side close one: the mediator does.
    let (status, body) = three
        .call(
            "UA",
            Method::POST,
            &format!("/api/v1/shared-plans/{proposal}/stages/3/close"),
            Role::Negotiator,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // TR is offline for a day: UA's next batch of remains waits, tried again and again and
    // never more than five minutes apart however long TR stays away; once TR is back, the
    // batch reaches RU, once.
    three.stop("TR");
    let remains = three
        .ok("UA", "/api/v1/commitments", Role::Viewer)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["terms"]["kind"] == "remains_return")
        .unwrap()["id"]
        .clone();
    let batch = json!({"handed_over_on": "2025-06-13", "bodies": 1, "tags": ["UA-DAY-1"]});
    let (status, body) = three
        .call(
            "UA",
            Method::POST,
            &format!("/api/v1/commitments/{remains}/batches"),
            Role::Operator,
            Some(&batch),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let handover = three
        .ok(
            "UA",
            "/api/v1/statements?kind=remains.handed_over",
            Role::Viewer,
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["issuer"] == "UA")
        .max_by_key(|s| s["seq"].as_i64())
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let to_tr = async |three: &Three| -> Value {
        three.ok("UA", "/api/v1/relay", Role::Viewer).await["sent"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["to"] == "TR" && d["list_sha256"] == handover.as_str())
            .unwrap()
            .clone()
    };
    const HOUR: i64 = 3_600_000;
    let mut tried = 0;
    for step in 1..=6 {
        three.ua_ahead_ms.store(step * 4 * HOUR, Ordering::SeqCst);
        let before = tried;
        eventually("UA's courier tries TR again", async || {
            let d = to_tr(&three).await;
            tried = d["attempts"].as_i64().unwrap_or(0);
            tried > before
        })
        .await;
    }
    let waiting = to_tr(&three).await;
    assert_eq!(waiting["state"], "waiting", "{waiting}");
    assert!(
        waiting["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("no connection")),
        "{waiting}"
    );
    let ua_now = three.servers[three.at("UA")].app.now();
    let next = waiting["next_try_at"].as_i64().unwrap();
    assert!(
        next - ua_now <= 5 * 60_000,
        "tried next in {} ms: {waiting}",
        next - ua_now
    );
    three.resume("TR").await;
    three
        .ua_ahead_ms
        .store(24 * HOUR + 6 * 60_000, Ordering::SeqCst);
    let day_batch = |b: &Value| b["tags"] == json!(["UA-DAY-1"]);
    eventually("UA's batch at RU after TR's day away", async || {
        let batches = three
            .ok(
                "RU",
                &format!(
                    "/api/v1/commitments/{}/batches",
                    three.plan_commitment("RU", "remains_return").await
                ),
                Role::Viewer,
            )
            .await;
        batches
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| day_batch(b))
            .count()
            == 1
    })
    .await;
    assert_eq!(to_tr(&three).await["state"], "delivered");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for party in ["RU", "TR"] {
        let batches = three
            .ok(
                party,
                &format!(
                    "/api/v1/commitments/{}/batches",
                    three.plan_commitment(party, "remains_return").await
                ),
                Role::Viewer,
            )
            .await;
        assert_eq!(
            batches
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| day_batch(b))
                .count(),
            1,
            "{party}: {batches}"
        );
    }

    // RU states, signed with its own key and in its own chain, that it received a man of
    // stage 3 whom it was to hand over and never did. TR keeps the statement (it is RU's,
    // in order) but does not follow it; UA neither; nothing moves.
    let tr_plan = three.shared("TR").await;
    let stage3 = &tr_plan["stages"][2];
    let from_ru = stage3["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["from"] == "RU")
        .unwrap()["n"]
        .as_u64()
        .unwrap();
    let ru_own = three.ok("RU", "/api/v1/statements", Role::Viewer).await;
    let last = ru_own
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["issuer"] == "RU")
        .max_by_key(|s| s["seq"].as_i64())
        .unwrap()
        .clone();
    let ru_key = &three.keys[three.at("RU")];
    let wrong = Statement::new(
        StatementDraft {
            issuer: "RU".into(),
            seq: last["seq"].as_i64().unwrap() + 1,
            prev_sha256: Some(last["sha256"].as_str().unwrap().to_owned()),
            addressees: vec!["UA".into(), "TR".into()],
            at_ms: 1_748_822_400_000,
            kind: "stage.moved".into(),
            body: json!({"plan": proposal, "stage": 3, "moves": [{"person": from_ru, "movement": "received", "reason": null}], "by": "ru-operator"}),
        },
        ru_key.public_hex(),
        |m| ru_key.sign_hex(m),
    )
    .unwrap();
    let d = Delivery::new(
        "RU",
        "TR",
        9_999,
        Carried::Statement,
        wrong.to_file().unwrap(),
        ru_key.public_hex(),
        |m| ru_key.sign_hex(m),
    );
    let tr_base = &three.servers[three.at("TR")].base_url;
    let resp = client()
        .post(format!("{tr_base}/api/v1/relay"))
        .json(&d)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let at_tr = three.shared("TR").await;
    let unfollowed = at_tr["unfollowed"].to_string();
    assert!(
        unfollowed.contains("received only after being handed over"),
        "{at_tr}"
    );
    eventually("UA takes RU's statement through TR", async || {
        let events = three.ok("UA", "/api/v1/log/events", Role::Auditor).await;
        events.as_array().unwrap().iter().any(|e| {
            e["kind"] == "statement.received"
                && e["payload"]["issuer"] == "RU"
                && e["payload"]["followed"]
                    .as_str()
                    .is_some_and(|f| f.starts_with("not followed") && f.contains("handed over"))
        })
    })
    .await;
    for party in ["UA", "RU"] {
        let plan = three.plan(party).await;
        let stage = plan["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["seq"] == 3)
            .unwrap()
            .clone();
        assert!(
            stage["persons"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["movement"] == "planned"),
            "{party}: {stage}"
        );
    }
    assert_eq!(three.fulfilment("TR").await, counted, "nothing moved at TR");
    assert_eq!(three.fulfilment("UA").await, counted, "nothing moved at UA");
    for s in &three.servers {
        let log = s.app.store().verify_log().await.unwrap();
        assert!(log.first_break.is_none(), "{}: {log:?}", s.party);
        let signed = s.app.store().verify_signed_lists().await.unwrap();
        assert!(signed.problem.is_none(), "{}: {signed:?}", s.party);
    }
}
