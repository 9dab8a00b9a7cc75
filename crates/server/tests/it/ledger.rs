//! The auditors' view of the signed log over HTTP: tree heads with their check, and proofs
//! of a name checked against the issuer's key, by the API and by the page.

use crate::common::{client, each_backend};
use homeward_core::access::{Administer, Grant, ReadRegister, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn auditors_see_the_signed_heads_and_check_a_proof_of_a_name() {
    each_backend(
        "auditors_see_the_signed_heads_and_check_a_proof_of_a_name",
        async |r| {
            let ua: homeward_core::party::PartyCode = "UA".parse().unwrap();
            let admin = Grant::<Administer>::system(ua.clone(), "test");
            let key = homeward_ledger::keys::PartyKey::from_seed([5; 32]);
            r.store
                .add_key(&admin, &ua, &key.public_hex(), 1)
                .await
                .unwrap();
            r.store.sign_tree_head(&admin, &key, 2).await.unwrap();
            let read = Grant::<ReadRegister>::system(ua.clone(), "test");
            let list = r
                .store
                .lists(&read)
                .await
                .unwrap()
                .into_iter()
                .find(|l| l.issuer == "UA" && l.kind == "request")
                .unwrap();
            r.store.sign_list(&admin, list.id, &key, 3).await.unwrap();
            let rows = r.store.list_rows(&read, list.id).await.unwrap();
            let proof = serde_json::to_value(
                r.store
                    .prove_row(&read, list.id, rows[1].row_no, crate::common::T0)
                    .await
                    .unwrap(),
            )
            .unwrap();

            let heads = client()
                .get(r.url("/api/v1/log/tree-heads"))
                .bearer_auth(r.token("UA", Role::Auditor))
                .send()
                .await
                .unwrap();
            let heads: Value = heads.json().await.unwrap();
            assert_eq!(heads["heads"].as_array().unwrap().len(), 1);
            assert!(heads["check"]["problem"].is_null(), "{heads}");
            let refused = client()
                .get(r.url("/api/v1/log/tree-heads"))
                .bearer_auth(r.token("UA", Role::Viewer))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::FORBIDDEN);

            let check = async |proof: Value, key: &str| -> Value {
                client()
                    .post(r.url("/api/v1/proofs/verify"))
                    .bearer_auth(r.token("RU", Role::Viewer))
                    .json(&json!({"proof": proof, "key": key}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap()
            };
            let good = check(proof.clone(), &key.public_hex()).await;
            assert_eq!(good["valid"], true, "{good}");
            let mut forged = proof.clone();
            forged["line"] = json!(rows[2].row_no);
            let bad = check(forged, &key.public_hex()).await;
            assert_eq!(bad["valid"], false);
            assert!(
                bad["detail"]
                    .as_str()
                    .unwrap()
                    .contains("not on the signed list"),
                "{bad}"
            );

            // A whole bundle is checked the same way.
            let bundle =
                serde_json::to_value(r.store.export_bundle(&read, list.id).await.unwrap()).unwrap();
            let good = check(bundle.clone(), &key.public_hex()).await;
            assert_eq!(good["valid"], true, "{good}");
            assert!(
                good["detail"].as_str().unwrap().contains("signed log of"),
                "{good}"
            );
            let mut forged = bundle.clone();
            forged["rows"][0]["line"] = json!(999);
            let bad = check(forged, &key.public_hex()).await;
            assert_eq!(bad["valid"], false, "{bad}");

            // The page: heads and the proof form.
            let page = client()
                .post(r.url("/log/proof"))
                .bearer_auth(r.token("UA", Role::Auditor))
                .form(&[
                    ("csrf", ""),
                    ("proof", &proof.to_string()),
                    ("key", &key.public_hex()),
                ])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                page.contains("id=\"proof-result\"") && page.contains("Valid: line"),
                "{page}"
            );
            assert!(page.contains("1 signed tree heads"));
            // The same proof uploaded as the file `homeward prove` writes: valid as written,
            // refused with one byte changed.
            let file: homeward_ledger::rows::RowProof = serde_json::from_value(proof).unwrap();
            let file = file.to_file().unwrap();
            let upload = async |bytes: Vec<u8>| {
                let form = reqwest::multipart::Form::new()
                    .text("csrf", "")
                    .text("key", key.public_hex())
                    .part(
                        "document",
                        reqwest::multipart::Part::bytes(bytes).file_name("proof.json"),
                    );
                client()
                    .post(r.url("/log/proof-file"))
                    .bearer_auth(r.token("UA", Role::Auditor))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            };
            let page = upload(file.clone()).await;
            assert!(page.contains("Valid: line"), "{page}");
            let mut changed = file;
            let at = changed.len() / 2;
            changed[at] ^= 0x04;
            let page = upload(changed).await;
            assert!(page.contains("Refused:"), "{page}");
        },
    )
    .await;
}
