//! The round as it runs between three parties' own servers, each over its own store: UA and
//! RU sign their lists, and their servers' couriers relay them through the TR mediator's
//! server, which counter-signs and passes them on — nobody carries a file. The test checks
//! that each list arrives once, that all three hold the same signatures, counter-signatures
//! and receipts, that a mediator stopped mid-round loses nothing, and that forged, altered,
//! replayed, rolled-back and misaddressed deliveries are refused with their reason and an event while
//! nothing changes; and that a medical commission's finding travels the same way as a signed
//! statement, whose rewrites are refused. Synthetic people only.

use crate::common::{T0, client, upload_as};
use crate::three_servers::{Party, RU_HOLDING, UA_REQUEST, hold_keys, start};
use homeward_app::App;
use homeward_app::relay::RelayPace;
use homeward_core::access::Role;
use homeward_ledger::keys::PartyKey;
use homeward_ledger::keys::rotation_statement;
use homeward_ledger::relay::{Carried, Delivery, KeyRotation};
use homeward_ledger::statement::{Statement, StatementDraft};
use homeward_server::relay::{HttpCourier, run_courier};
use homeward_store::testkit;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// Fast enough for a test, with the same doubling as in service.
const PACE: RelayPace = RelayPace {
    first_retry_ms: 100,
    longest_wait_ms: 400,
    per_round: 50,
};

/// The party's courier, as `homeward serve` runs it beside the server.
fn courier(p: &Party, seed: u8) -> tokio::task::JoinHandle<()> {
    let app = App::new(p.server.store.clone()).with_key(PartyKey::from_seed([seed; 32]));
    tokio::spawn(run_courier(
        app,
        HttpCourier::new(Duration::from_secs(5)).unwrap(),
        PACE,
        Duration::from_millis(50),
    ))
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

async fn peer(holder: &Party, other: &Party) {
    holder
        .ok(
            Method::POST,
            "/api/v1/peers",
            Role::Admin,
            Some(&json!({"party": other.code, "base_url": other.server.base})),
        )
        .await;
}

/// Uploads and signs a list; returns its id and SHA-256. Signing is all it takes to send it.
async fn sign(p: &Party, csv: &str, kind: &str, to: &str) -> (i64, String) {
    let report = upload_as(
        &p.server,
        p.code,
        csv.as_bytes().to_vec(),
        &format!("{kind}.csv"),
        kind,
        &[("to", to)],
    )
    .await;
    let list = report["list"].as_i64().unwrap();
    let signed = p
        .ok(
            Method::POST,
            &format!("/api/v1/lists/{list}/signature"),
            Role::Admin,
            None,
        )
        .await;
    (list, signed["sha256"].as_str().unwrap().to_owned())
}

/// The lists with this SHA-256 the party holds.
async fn held(p: &Party, sha: &str) -> Vec<i64> {
    p.ok(Method::GET, "/api/v1/lists", Role::Viewer, None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["sha256"] == sha)
        .map(|l| l["id"].as_i64().unwrap())
        .collect()
}

async fn signature(p: &Party, list: i64) -> Value {
    p.ok(
        Method::GET,
        &format!("/api/v1/lists/{list}/signature"),
        Role::Viewer,
        None,
    )
    .await
}

async fn receipts(p: &Party) -> Vec<Value> {
    p.ok(Method::GET, "/api/v1/relay/receipts", Role::Viewer, None)
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn events(p: &Party, kind: &str) -> Vec<Value> {
    p.ok(Method::GET, "/api/v1/log/events", Role::Auditor, None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

async fn countersigned(p: &Party) -> usize {
    p.ok(Method::GET, "/api/v1/bundles", Role::Auditor, None)
        .await
        .as_array()
        .unwrap()
        .len()
}

/// A bundle of a new list signed by UA's `key` from a store holding almost nothing: what a
/// UA server restored from an old backup, its log rolled back, would send.
async fn rolled_back_bundle(key: &PartyKey) -> Value {
    use homeward_core::access::{Administer, Grant, ReadRegister, WriteRegister};
    use homeward_core::party::{Party as Side, PartyKind};
    let t = testkit::sqlite().await.unwrap();
    let admin = |code: &str| Grant::<Administer>::system(code.parse().unwrap(), "test");
    for (code, name, kind) in [
        ("UA", "Ukraine", PartyKind::Belligerent),
        ("RU", "Russia", PartyKind::Belligerent),
        ("TR", "Türkiye", PartyKind::Mediator),
    ] {
        let party = Side {
            code: code.parse().unwrap(),
            name: name.into(),
            kind,
        };
        t.store.add_party(&admin(code), &party, T0).await.unwrap();
    }
    let ua: homeward_core::party::PartyCode = "UA".parse().unwrap();
    t.store
        .add_key(&admin("UA"), &ua, &key.public_hex(), T0)
        .await
        .unwrap();
    let mut fields = serde_json::Map::new();
    fields.insert("прізвище".into(), "Довгалюк".into());
    let list = t
        .store
        .add_list(
            &Grant::<WriteRegister>::system(ua.clone(), "test"),
            &homeward_store::NewList {
                kind: "request".into(),
                category: Some(homeward_core::record::Category::Pow),
                title: "request after a restore (synthetic)".into(),
                file_name: "r.csv".into(),
                original: "прізвище\nДовгалюк\n".as_bytes().to_vec(),
                addressees: vec!["RU".parse().unwrap(), "TR".parse().unwrap()],
                supersedes: None,
                headers: vec!["прізвище".into()],
                rows: vec![homeward_store::NewListRow {
                    row_no: 2,
                    fields,
                    record: None,
                    problems: vec![],
                }],
            },
            T0,
        )
        .await
        .unwrap();
    t.store
        .sign_list(&admin("UA"), list, key, T0)
        .await
        .unwrap();
    t.store
        .sign_tree_head(&admin("UA"), key, T0 + 1)
        .await
        .unwrap();
    let bundle = t
        .store
        .export_bundle(&Grant::<ReadRegister>::system(ua, "test"), list)
        .await
        .unwrap();
    serde_json::to_value(&bundle).unwrap()
}

/// Posts a delivery straight to a party's relay route, as a peer's courier would.
async fn deliver(to: &Party, d: &Delivery) -> (StatusCode, Value) {
    let resp = client()
        .post(to.server.url("/api/v1/relay"))
        .json(d)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A delivery of `bundle` from `from` to `to`, signed with `key`.
fn delivery(from: &str, to: &str, id: i64, bundle: &Value, key: &PartyKey) -> Delivery {
    let mut document = homeward_ledger::canonical_json(bundle).unwrap();
    document.push('\n');
    Delivery::new(
        from,
        to,
        id,
        Carried::Bundle,
        document,
        key.public_hex(),
        |m| key.sign_hex(m),
    )
}

/// Whether the issuer's list reached the addressee once, came back counter-signed, and the
/// addressee's receipt reached the issuer.
async fn arrived(issuer: &Party, list: i64, sha: &str, addressee: &Party) -> bool {
    held(addressee, sha).await.len() == 1
        && signature(issuer, list).await["countersignatures"]
            .as_array()
            .is_some_and(|c| c.len() == 1)
        && receipts(issuer)
            .await
            .iter()
            .any(|r| r["by"] == addressee.code && r["list_sha256"] == sha)
}

/// Asserts that a delivery was answered with `status` and an error saying `words`.
fn refused(answer: (StatusCode, Value), status: StatusCode, words: &str) {
    let (got, said) = answer;
    assert_eq!(got, status, "{said}");
    assert!(
        said["error"].as_str().is_some_and(|e| e.contains(words)),
        "{said}"
    );
}

/// The key `holder` pins for `party` now (not retired).
async fn current_key(holder: &Party, party: &str) -> String {
    holder
        .ok(Method::GET, "/api/v1/keys", Role::Auditor, None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["party"] == party && k["retired_at"].is_null())
        .map(|k| k["public_key"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Whether the party's relay shows its delivery of the list with `sha` in `state`.
async fn sent_state(p: &Party, sha: &str) -> Option<Value> {
    let view = p.ok(Method::GET, "/api/v1/relay", Role::Viewer, None).await;
    view["sent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["list_sha256"] == sha && d["carries"] == "bundle")
        .cloned()
}

async fn relayed_round(mut ua: Party, ru: Party, mut tr: Party, seeds: [u8; 3]) {
    hold_keys(&[&ua, &ru, &tr], true).await;
    hold_keys(&[&ua, &ru, &tr], false).await;
    for (holder, other) in [(&ua, &tr), (&ru, &tr), (&tr, &ua), (&tr, &ru)] {
        peer(holder, other).await;
    }
    let mut couriers = vec![
        courier(&ua, seeds[0]),
        courier(&ru, seeds[1]),
        courier(&tr, seeds[2]),
    ];

    // UA signs its request list: it reaches RU through TR, and comes back counter-signed.
    let (ua_list, ua_sha) = sign(&ua, UA_REQUEST, "request", "RU,TR").await;
    eventually(
        "UA's list at RU, counter-signed at UA, RU's receipt at UA",
        async || arrived(&ua, ua_list, &ua_sha, &ru).await,
    )
    .await;
    // RU's holding list the other way.
    let (ru_list, ru_sha) = sign(&ru, RU_HOLDING, "holding", "UA,TR").await;
    eventually(
        "RU's list at UA, counter-signed at RU, UA's receipt at RU",
        async || arrived(&ru, ru_list, &ru_sha, &ua).await,
    )
    .await;

    // The sender sees each step in words: delivered to TR, which passed it on.
    let sent = sent_state(&ua, &ua_sha).await.unwrap();
    assert_eq!(sent["state"], "delivered", "{sent}");
    assert!(
        sent["outcome"]
            .as_str()
            .unwrap()
            .contains("counter-signed by TR; passed on to RU, UA"),
        "{sent}"
    );

    // All three hold the same signatures and counter-signatures of each list.
    let ua_list_at_ru = held(&ru, &ua_sha).await[0];
    let ru_list_at_ua = held(&ua, &ru_sha).await[0];
    for (issuer, at_issuer, other, at_other) in [
        (&ua, ua_list, &ru, ua_list_at_ru),
        (&ru, ru_list, &ua, ru_list_at_ua),
    ] {
        let mine = signature(issuer, at_issuer).await;
        let theirs = signature(other, at_other).await;
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
        let strip = |v: &Value| -> Vec<(Value, Value)> {
            v["countersignatures"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["party"].clone(), c["signature"].clone()))
                .collect()
        };
        assert_eq!(strip(&mine), strip(&theirs));
        let at_tr = tr
            .ok(Method::GET, "/api/v1/bundles", Role::Auditor, None)
            .await;
        let seen = at_tr
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["sha256"] == mine["sha256"])
            .unwrap();
        assert_eq!(seen["signature"], mine["countersignatures"][0]["signature"]);
    }
    // Receipts: each hop's receiver signed one the sender keeps; the addressee's reached the
    // issuer through the mediator. The receipt TR holds from RU is the one UA holds.
    let tr_from_ru = receipts(&tr)
        .await
        .into_iter()
        .find(|r| r["by"] == "RU" && r["list_sha256"] == ua_sha)
        .unwrap();
    let ua_from_ru = receipts(&ua)
        .await
        .into_iter()
        .find(|r| r["by"] == "RU" && r["list_sha256"] == ua_sha)
        .unwrap();
    assert_eq!(tr_from_ru, ua_from_ru);
    assert!(
        receipts(&ua)
            .await
            .iter()
            .any(|r| r["by"] == "TR" && r["list_sha256"] == ua_sha)
    );
    // Each step is an event on each side.
    assert!(!events(&ua, "relay.delivered").await.is_empty());
    assert!(!events(&tr, "bundle.countersigned").await.is_empty());
    assert_eq!(
        events(&ru, "bundle.imported")
            .await
            .iter()
            .filter(|e| e["payload"]["sha256"] == ua_sha)
            .count(),
        1
    );

    // The mediator stops in the middle of the round: UA's next list waits, saying why and
    // when it is tried next; when TR is back, it is delivered, once.
    tr.server.stop();
    couriers[2].abort();
    let second = UA_REQUEST.replace("14.03.1991", "15.03.1991");
    let (_, second_sha) = sign(&ua, &second, "request", "RU,TR").await;
    eventually("UA's delivery waiting on TR", async || {
        sent_state(&ua, &second_sha).await.is_some_and(|d| {
            d["state"] == "waiting"
                && d["attempts"].as_i64().unwrap_or(0) >= 2
                && d["next_try_at"].is_i64()
                && d["last_error"]
                    .as_str()
                    .is_some_and(|e| e.contains("no connection"))
        })
    })
    .await;
    tr.server
        .resume(Some(PartyKey::from_seed([seeds[2]; 32])))
        .await;
    couriers[2] = courier(&tr, seeds[2]);
    eventually("UA's second list at RU after TR's restart", async || {
        held(&ru, &second_sha).await.len() == 1
            && sent_state(&ua, &second_sha)
                .await
                .is_some_and(|d| d["state"] == "delivered")
    })
    .await;
    // Give the couriers a few more rounds: nothing is delivered twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(held(&ru, &second_sha).await.len(), 1);
    assert_eq!(
        events(&tr, "bundle.countersigned")
            .await
            .iter()
            .filter(|e| e["payload"]["sha256"] == second_sha)
            .count(),
        1
    );

    // The mediator's address answers with a server error (a proxy in front of a failing
    // server): the delivery waits with the peer's answer; moved back, it is delivered once.
    let failing = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let failing_url = format!("http://{}", failing.local_addr().unwrap());
    let failing_server = tokio::spawn(async move {
        let answer = axum::Router::new().route(
            "/api/v1/relay",
            axum::routing::post(|| async {
                (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    axum::Json(
                        json!({"status": 503, "error": "the mediator's store is being restored"}),
                    ),
                )
            }),
        );
        axum::serve(failing, answer).await.unwrap();
    });
    let moved = |url: String| json!({"party": "TR", "base_url": url});
    ua.ok(
        Method::POST,
        "/api/v1/peers",
        Role::Admin,
        Some(&moved(failing_url)),
    )
    .await;
    let (_, failed_sha) = sign(
        &ua,
        &UA_REQUEST.replace("14.03.1991", "19.03.1991"),
        "request",
        "RU,TR",
    )
    .await;
    eventually("UA's delivery waiting on TR's error", async || {
        sent_state(&ua, &failed_sha).await.is_some_and(|d| {
            d["state"] == "waiting"
                && d["last_error"]
                    .as_str()
                    .is_some_and(|e| e.contains("answered 503") && e.contains("being restored"))
        })
    })
    .await;
    assert!(held(&ru, &failed_sha).await.is_empty());
    ua.ok(
        Method::POST,
        "/api/v1/peers",
        Role::Admin,
        Some(&moved(tr.server.base.clone())),
    )
    .await;
    eventually("UA's list at RU once TR answers again", async || {
        held(&ru, &failed_sha).await.len() == 1
    })
    .await;
    failing_server.abort();

    // Faults, sent by hand so that each one is exactly what arrives. UA's courier stops so
    // it does not race them.
    couriers[0].abort();
    let ua_key = PartyKey::from_seed([seeds[0]; 32]);
    let tr_key = PartyKey::from_seed([seeds[2]; 32]);
    let third = UA_REQUEST.replace("14.03.1991", "16.03.1991");
    let (third_list, third_sha) = sign(&ua, &third, "request", "RU,TR").await;
    ua.ok(Method::POST, "/api/v1/log/tree-heads", Role::Admin, None)
        .await;
    let bundle = ua
        .ok(
            Method::GET,
            &format!("/api/v1/lists/{third_list}/bundle"),
            Role::Viewer,
            None,
        )
        .await;
    let before = countersigned(&tr).await;
    let refusals = events(&tr, "relay.refused").await.len();

    // A forger signs as UA with a key TR never pinned: no credential, nothing logged.
    let forger = PartyKey::from_seed([99; 32]);
    refused(
        deliver(&tr, &delivery("UA", "TR", 1, &bundle, &forger)).await,
        StatusCode::UNAUTHORIZED,
        "not a key TR pinned for UA",
    );
    // Anything that is not a delivery has no credential either.
    let resp = client()
        .post(tr.server.url("/api/v1/relay"))
        .json(&json!({"proof": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(events(&tr, "relay.refused").await.len(), refusals);

    // UA's own signature over an altered bundle: refused for what was altered, with an event.
    let mut altered = bundle.clone();
    altered["rows"][0]["fields"]["прізвище"] = Value::from("Григоренкo");
    refused(
        deliver(&tr, &delivery("UA", "TR", 2, &altered, &ua_key)).await,
        StatusCode::BAD_REQUEST,
        "not the rows the issuer signed",
    );
    let logged = events(&tr, "relay.refused").await;
    assert_eq!(logged.len(), refusals + 1);
    assert!(
        logged[0]["payload"]["reason"]
            .as_str()
            .unwrap()
            .contains("not the rows the issuer signed")
    );
    assert_eq!(countersigned(&tr).await, before);

    // The same delivery twice is one delivery: the same receipt, one counter-signature.
    let honest = delivery("UA", "TR", 3, &bundle, &ua_key);
    let (status, first) = deliver(&tr, &honest).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again) = deliver(&tr, &honest).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(first, again);
    assert_eq!(countersigned(&tr).await, before + 1);
    // The same list in a bundle made again is a replay: refused, with the reason logged.
    ua.ok(Method::POST, "/api/v1/log/tree-heads", Role::Admin, None)
        .await;
    let remade = ua
        .ok(
            Method::GET,
            &format!("/api/v1/lists/{third_list}/bundle"),
            Role::Viewer,
            None,
        )
        .await;
    assert_ne!(remade, bundle);
    refused(
        deliver(&tr, &delivery("UA", "TR", 4, &remade, &ua_key)).await,
        StatusCode::CONFLICT,
        "already counter-signed",
    );
    assert_eq!(countersigned(&tr).await, before + 1);

    // UA's server restored from an old backup signs a new list with a log shorter than the
    // one TR has seen: a rolled-back log, refused with why and an event, nothing imported.
    let restored = rolled_back_bundle(&ua_key).await;
    let refusals = events(&tr, "relay.refused").await.len();
    refused(
        deliver(&tr, &delivery("UA", "TR", 5, &restored, &ua_key)).await,
        StatusCode::BAD_REQUEST,
        "rollback",
    );
    assert_eq!(events(&tr, "relay.refused").await.len(), refusals + 1);
    assert_eq!(countersigned(&tr).await, before + 1);
    assert!(
        held(&tr, restored["sha256"].as_str().unwrap())
            .await
            .is_empty()
    );

    // A bundle that is not addressed to its receiver is refused there and not imported.
    let (only_tr, only_tr_sha) = sign(
        &ua,
        &UA_REQUEST.replace("14.03.1991", "17.03.1991"),
        "request",
        "TR",
    )
    .await;
    ua.ok(Method::POST, "/api/v1/log/tree-heads", Role::Admin, None)
        .await;
    let not_for_ru = ua
        .ok(
            Method::GET,
            &format!("/api/v1/lists/{only_tr}/bundle"),
            Role::Viewer,
            None,
        )
        .await;
    refused(
        deliver(&ru, &delivery("TR", "RU", 5, &not_for_ru, &tr_key)).await,
        StatusCode::BAD_REQUEST,
        "not addressed to RU",
    );
    assert!(held(&ru, &only_tr_sha).await.is_empty());
    assert!(events(&ru, "relay.refused").await.iter().any(|e| {
        e["payload"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("not addressed to RU")
    }));
    // A delivery meant for another server says whose it is.
    refused(
        deliver(&ru, &delivery("TR", "UA", 6, &not_for_ru, &tr_key)).await,
        StatusCode::BAD_REQUEST,
        "this is RU's server",
    );
    assert!(third_sha.len() == 64);

    // UA rotates its key. A false rotation of UA's key passed on by the mediator, not
    // signed by the key it replaces, is refused at RU with its reason; the real one reaches
    // TR from UA and RU through TR, vouched for by the old key, and UA's next list, signed
    // with the new key, is taken; the old key is no credential any more.
    let new_seed = seeds[0].wrapping_add(100);
    let new_key = PartyKey::from_seed([new_seed; 32]);
    let app = App::new(ua.server.store.clone());
    let admin = app
        .actor_by_token(&ua.server.token("UA", Role::Admin))
        .await
        .unwrap();
    let false_rotation = KeyRotation::new(
        "UA",
        &ua_key.public_hex(),
        &forger.public_hex(),
        T0,
        &forger.sign_hex(&rotation_statement(
            "UA",
            &ua_key.public_hex(),
            &forger.public_hex(),
            T0,
        )),
    );
    let passed_on = Delivery::new(
        "TR",
        "RU",
        7,
        Carried::Rotation,
        false_rotation.to_file().unwrap(),
        tr_key.public_hex(),
        |m| tr_key.sign_hex(m),
    );
    refused(
        deliver(&ru, &passed_on).await,
        StatusCode::BAD_REQUEST,
        "not signed by the key it replaces",
    );
    assert!(events(&ru, "relay.refused").await.iter().any(|e| {
        e["payload"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("not signed by the key it replaces")
    }));
    assert_eq!(current_key(&ru, "UA").await, ua_key.public_hex());
    app.rotate_key(&admin, &ua_key, &new_key.public_hex())
        .await
        .unwrap();
    ua.server.stop();
    ua.server
        .resume(Some(PartyKey::from_seed([new_seed; 32])))
        .await;
    couriers[0] = courier(&ua, new_seed);
    eventually("UA's new key pinned at TR and RU", async || {
        current_key(&tr, "UA").await == new_key.public_hex()
            && current_key(&ru, "UA").await == new_key.public_hex()
    })
    .await;
    assert_eq!(events(&ru, "key.rotation_followed").await.len(), 1);
    let (_, fourth_sha) = sign(
        &ua,
        &UA_REQUEST.replace("14.03.1991", "18.03.1991"),
        "request",
        "RU,TR",
    )
    .await;
    eventually("UA's list signed with its new key at RU", async || {
        held(&ru, &fourth_sha).await.len() == 1
    })
    .await;
    let (status, said) = deliver(&tr, &delivery("UA", "TR", 8, &bundle, &ua_key)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{said}");

    for c in couriers {
        c.abort();
    }
    // Every log verifies, tree heads and the signatures of the lists included.
    for party in [&ua, &ru, &tr] {
        let log = party
            .ok(Method::GET, "/api/v1/log/verify", Role::Auditor, None)
            .await;
        assert!(log["first_break"].is_null(), "{}: {log}", party.code);
        let heads = party
            .ok(Method::GET, "/api/v1/log/tree-heads", Role::Auditor, None)
            .await;
        assert!(
            heads["check"]["problem"].is_null() && heads["lists"]["problem"].is_null(),
            "{}: {heads}",
            party.code
        );
    }
    ua.server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_relayed_through_the_mediator_once_and_faults_change_nothing() {
    let _ = T0;
    relayed_round(
        start("UA", testkit::sqlite().await.unwrap(), "sqlite", 11).await,
        start("RU", testkit::sqlite().await.unwrap(), "sqlite", 12).await,
        start("TR", testkit::sqlite().await.unwrap(), "sqlite", 13).await,
        [11, 12, 13],
    )
    .await;
    // The mediator and RU on PostgreSQL, UA on SQLite.
    let (Some(ru), Some(tr)) = (
        testkit::postgres("relay_ru").await.unwrap(),
        testkit::postgres("relay_tr").await.unwrap(),
    ) else {
        return;
    };
    relayed_round(
        start("UA", testkit::sqlite().await.unwrap(), "sqlite", 14).await,
        start("RU", ru, "postgres", 15).await,
        start("TR", tr, "postgres", 16).await,
        [14, 15, 16],
    )
    .await;
}

/// A statement of UA's, signed with `key`, delivered as UA's server would deliver it.
fn statement_delivery(to: &str, id: i64, statement: &Statement, key: &PartyKey) -> Delivery {
    Delivery::new(
        "UA",
        to,
        id,
        Carried::Statement,
        statement.to_file().unwrap(),
        key.public_hex(),
        |m| key.sign_hex(m),
    )
}

async fn statements(p: &Party) -> Vec<Value> {
    p.ok(
        Method::GET,
        "/api/v1/statements?kind=commission.finding",
        Role::Viewer,
        None,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

/// UA's operator records the medical commission's finding on a prisoner UA holds: it travels
/// as UA's signed statement through TR, which counter-signs it, to RU, and comes back to UA
/// counter-signed with RU's receipt. A statement that rewrites UA's history (another
/// statement 1), one that comes too early and one addressed past the mediator are refused
/// or held back, with nothing changed; every store verifies.
async fn finding_relayed(ua: Party, ru: Party, tr: Party, seeds: [u8; 3]) {
    hold_keys(&[&ua, &ru, &tr], true).await;
    hold_keys(&[&ua, &ru, &tr], false).await;
    for (holder, other) in [(&ua, &tr), (&ru, &tr), (&tr, &ua), (&tr, &ru)] {
        peer(holder, other).await;
    }
    let couriers = vec![
        courier(&ua, seeds[0]),
        courier(&ru, seeds[1]),
        courier(&tr, seeds[2]),
    ];
    let commissions = ua
        .ok(Method::GET, "/api/v1/commitments", Role::Viewer, None)
        .await;
    let commission = commissions
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["terms"]["kind"] == "medical_commission")
        .unwrap_or_else(|| panic!("no commission in {commissions}"))
        .clone();
    let members: Vec<Value> = commission["terms"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    let (status, man) = ua
        .call(
            Method::POST,
            "/api/v1/persons",
            Role::Operator,
            Some(&json!({
                "relation": "held", "synthetic": true,
                "fields": {"category": "pow", "surname": "Лозинский", "given_names": "Николай",
                    "patronymic": "Сергеевич", "birth_date": "1990-05-05"},
                "reason": "registered on capture (synthetic)", "source": "document", "reference": "capture card 17"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{man}");
    let (status, exam) = ua
        .call(
            Method::POST,
            &format!("/api/v1/commitments/{}/examinations", commission["id"]),
            Role::Operator,
            Some(&json!({"person": man["id"], "examined_on": "2025-06-10", "place": "camp hospital (synthetic)",
                "present": members, "proposed_by": "camp_doctor"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{exam}");
    let votes: serde_json::Map<String, Value> = members
        .iter()
        .zip(["repatriate", "repatriate", "reject"])
        .map(|(m, v)| (m.as_str().unwrap().to_owned(), json!(v)))
        .collect();
    ua.ok(
        Method::POST,
        &format!("/api/v1/examinations/{}/finding", exam["id"]),
        Role::Operator,
        Some(&json!({"votes": votes, "grounds": "loss of a foot (Annex I, synthetic)", "decided_on": "2025-06-12"})),
    )
    .await;

    eventually(
        "UA's finding at RU and TR, counter-signed by TR at all three, RU's receipt at UA",
        async || {
            let mut held = Vec::new();
            for p in [&ua, &ru, &tr] {
                held.push(statements(p).await);
            }
            let sha = held[0].first().map(|s| s["sha256"].clone());
            held.iter().all(|h| {
                h.len() == 1
                    && Some(&h[0]["sha256"]) == sha.as_ref()
                    && h[0]["countersigned_by"] == json!(["TR"])
            }) && receipts(&ua)
                .await
                .iter()
                .any(|r| r["by"] == "RU" && Some(&r["list_sha256"]) == sha.as_ref())
        },
    )
    .await;
    let at_ru = statements(&ru).await.remove(0);
    assert_eq!(
        (at_ru["issuer"].as_str(), at_ru["seq"].as_i64()),
        (Some("UA"), Some(1))
    );
    assert_eq!(at_ru["addressees"], json!(["RU", "TR"]), "{at_ru}");
    let body = &at_ru["body"];
    assert_eq!(body["verdict"], "repatriate", "{at_ru}");
    assert_eq!(body["prisoner"]["name"], "Лозинский Николай Сергеевич");
    assert_eq!(body["decided_on"], "2025-06-12");
    assert!(body["grounds"].as_str().unwrap().contains("loss of a foot"));
    assert_eq!(events(&ua, "statement.issued").await.len(), 1);
    // RU's pages show the finding in words, counter-signed by TR.
    let at_ru_commission = ru
        .ok(Method::GET, "/api/v1/commitments", Role::Viewer, None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == commission["title"])
        .map(|c| c["id"].clone())
        .unwrap();
    for (path, words) in [
        (
            format!("/commitments/{at_ru_commission}/commission"),
            [
                "Лозинский Николай Сергеевич",
                "безпосередня репатріація",
                "12.06.2025",
            ],
        ),
        (
            "/bundles".to_owned(),
            ["Підписані заяви", "висновок медичної комісії", "RU, TR"],
        ),
    ] {
        let page = client()
            .get(ru.server.url(&path))
            .bearer_auth(ru.server.token("RU", Role::Viewer))
            .header("accept-language", "uk")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for w in words {
            assert!(page.contains(w), "{path} lacks {w}: {page}");
        }
    }
    assert_eq!(events(&ru, "statement.received").await.len(), 1);

    // The same statement 1 told differently — a server restored from an old copy, or a
    // second history — is refused by the mediator with the statement it rewrites.
    let ua_key = PartyKey::from_seed([seeds[0]; 32]);
    let draft = |seq: i64, prev: Option<String>, to: &[&str], verdict: &str| StatementDraft {
        issuer: "UA".to_owned(),
        seq,
        prev_sha256: prev,
        addressees: to.iter().map(|s| (*s).to_owned()).collect(),
        at_ms: T0,
        kind: "commission.finding".to_owned(),
        body: json!({"verdict": verdict}),
    };
    let sign =
        |d: StatementDraft| Statement::new(d, ua_key.public_hex(), |m| ua_key.sign_hex(m)).unwrap();
    let before: Vec<Vec<Value>> = {
        let mut v = Vec::new();
        for p in [&ua, &ru, &tr] {
            v.push(statements(p).await);
        }
        v
    };
    let forked = sign(draft(1, None, &["RU", "TR"], "reject"));
    refused(
        deliver(&tr, &statement_delivery("TR", 901, &forked, &ua_key)).await,
        StatusCode::BAD_REQUEST,
        "rolled-back or forked",
    );
    let refusals = events(&tr, "relay.refused").await;
    assert!(
        refusals.iter().any(|e| e["payload"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("forked")),
        "{refusals:?}"
    );
    // Statement 3 before statement 2: held back (the sender tries again), not refused.
    let early = sign(draft(3, Some("ab".repeat(32)), &["RU", "TR"], "reject"));
    let (status, said) = deliver(&tr, &statement_delivery("TR", 902, &early, &ua_key)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{said}");
    assert!(said.to_string().contains("statement 2"), "{said}");
    // Addressed to RU alone, delivered to the mediator: not for it.
    let past = sign(draft(
        2,
        Some(at_ru["sha256"].as_str().unwrap().to_owned()),
        &["RU"],
        "reject",
    ));
    refused(
        deliver(&tr, &statement_delivery("TR", 903, &past, &ua_key)).await,
        StatusCode::BAD_REQUEST,
        "not for TR",
    );
    // Signed by another key under UA's name.
    let stranger = PartyKey::from_seed([99; 32]);
    let forged = Statement::new(
        draft(
            2,
            Some(at_ru["sha256"].as_str().unwrap().to_owned()),
            &["RU", "TR"],
            "reject",
        ),
        ua_key.public_hex(),
        |m| stranger.sign_hex(m),
    )
    .unwrap();
    refused(
        deliver(&tr, &statement_delivery("TR", 904, &forged, &ua_key)).await,
        StatusCode::BAD_REQUEST,
        "does not verify",
    );
    for (p, was) in [&ua, &ru, &tr].iter().zip(&before) {
        assert_eq!(&statements(p).await, was, "{}: nothing changed", p.code);
    }

    for c in couriers {
        c.abort();
    }
    for party in [&ua, &ru, &tr] {
        let heads = party
            .ok(Method::GET, "/api/v1/log/tree-heads", Role::Auditor, None)
            .await;
        assert!(
            heads["lists"]["problem"].is_null(),
            "{}: {heads}",
            party.code
        );
        let log = party
            .ok(Method::GET, "/api/v1/log/verify", Role::Auditor, None)
            .await;
        assert!(log["first_break"].is_null(), "{}: {log}", party.code);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commission_finding_travels_as_a_signed_statement_and_rewrites_are_refused() {
    finding_relayed(
        start("UA", testkit::sqlite().await.unwrap(), "sqlite", 21).await,
        start("RU", testkit::sqlite().await.unwrap(), "sqlite", 22).await,
        start("TR", testkit::sqlite().await.unwrap(), "sqlite", 23).await,
        [21, 22, 23],
    )
    .await;
    // The mediator on PostgreSQL.
    let Some(tr) = testkit::postgres("statement_tr").await.unwrap() else {
        return;
    };
    finding_relayed(
        start("UA", testkit::sqlite().await.unwrap(), "sqlite", 24).await,
        start("RU", testkit::sqlite().await.unwrap(), "sqlite", 25).await,
        start("TR", tr, "postgres", 26).await,
        [24, 25, 26],
    )
    .await;
}
