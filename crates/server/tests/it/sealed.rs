//! Every export of personal data is sealed, whatever the route: a protected record among
//! the rows of a list, the register and the links is exported by every route (API and
//! pages), in every format, by every role of its party, and each time it is masked, the
//! export refused, or the export encrypted. Synthetic people only.

use crate::common::{Running, client, each_backend};
use homeward_core::access::{Grant, ReadRegister, Role};
use homeward_store::{LinkFilter, PersonFilter};
use reqwest::StatusCode;
use std::collections::HashMap;

/// A confirmed link's register record whose surname and given name, together, belong to
/// nobody else in UA's register nor on any list row UA holds: (record, surname, given, a
/// list that holds it).
async fn unique_linked_person(r: &Running) -> (i64, String, String, i64) {
    let ua = Grant::<ReadRegister>::system("UA".parse().unwrap(), "test");
    let register = r
        .store
        .register(&ua, &PersonFilter::default())
        .await
        .unwrap();
    let mut pairs: HashMap<(String, String), usize> = HashMap::new();
    for p in &register {
        let key = (
            p.record.surname.clone().unwrap_or_default(),
            p.record.given_names.clone().unwrap_or_default(),
        );
        *pairs.entry(key).or_default() += 1;
    }
    let mut cells_seen: Vec<String> = Vec::new();
    for l in r.store.lists(&ua).await.unwrap() {
        for row in r.store.list_rows(&ua, l.id).await.unwrap() {
            let cells: Vec<&str> = row.fields.values().filter_map(|v| v.as_str()).collect();
            cells_seen.push(cells.join("\u{1f}"));
        }
    }
    let review = Grant::system("UA".parse().unwrap(), "test");
    let confirmed = LinkFilter {
        decision: Some("confirmed"),
        person: None,
        duplicates: Some(false),
    };
    for link in r.store.links(&review, confirmed).await.unwrap() {
        let Some(p) = register.iter().find(|p| p.id == link.person_id) else {
            continue;
        };
        let (Some(surname), Some(given), Some(list)) = (
            p.record.surname.clone(),
            p.record.given_names.clone(),
            p.source_list,
        ) else {
            continue;
        };
        let rows_with_both = cells_seen
            .iter()
            .filter(|c| {
                c.split('\u{1f}').any(|x| x == surname) && c.split('\u{1f}').any(|x| x == given)
            })
            .count();
        if pairs[&(surname.clone(), given.clone())] == 1 && rows_with_both == 1 && !p.protected() {
            return (p.id, surname, given, list);
        }
    }
    panic!("the seeded store has no confirmed link with a name of its own");
}

/// The export's records as chunks of text, one per row or record, so that a name shown
/// is a surname and a given name in the same chunk.
fn chunks(format: &str, bytes: &[u8]) -> Vec<String> {
    match format {
        "xlsx" | "csv" => {
            let table =
                homeward_import::open_bytes(&format!("export.{format}"), bytes.to_vec()).unwrap();
            let headers = table.headers.join("\u{1f}");
            std::iter::once(headers)
                .chain(table.map(|row| row.unwrap().cells.join("\u{1f}")))
                .collect()
        }
        "json" => {
            fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
                match v {
                    serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
                    serde_json::Value::Object(map) => {
                        let strings: Vec<&str> = map.values().filter_map(|x| x.as_str()).collect();
                        out.push(strings.join("\u{1f}"));
                        map.values().for_each(|x| walk(x, out));
                    }
                    _ => {}
                }
            }
            let mut out = Vec::new();
            walk(&serde_json::from_slice(bytes).unwrap(), &mut out);
            out
        }
        "pfif" => String::from_utf8_lossy(bytes)
            .split("<pfif:person>")
            .map(str::to_owned)
            .collect(),
        _ => String::from_utf8_lossy(bytes)
            .split("<tr")
            .map(str::to_owned)
            .collect(),
    }
}

/// Whether a chunk shows both names: as cells of their own, or inside one text (a link's
/// "person" column holds the full name).
fn shows(chunk: &str, surname: &str, given: &str) -> bool {
    chunk.contains(surname) && chunk.contains(given)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_protected_record_leaves_in_no_export_unsealed() {
    each_backend("a_protected_record_leaves_in_no_export_unsealed", async |r| {
        let (person, surname, given, list) = unique_linked_person(r).await;
        let c = client();
        let protect = c
            .post(r.url(&format!("/api/v1/persons/{person}/protection")))
            .bearer_auth(r.token("UA", Role::Protection))
            .json(&serde_json::json!({"sensitivity": "relatives_under_pressure"}))
            .send()
            .await
            .unwrap();
        assert_eq!(protect.status(), StatusCode::NO_CONTENT);
        let routes = [
            format!("/api/v1/lists/{list}/export"),
            "/api/v1/register/export".to_owned(),
            "/api/v1/links/export?decision=confirmed".to_owned(),
            format!("/lists/{list}/export"),
            "/register/export".to_owned(),
            "/review/export?decision=confirmed".to_owned(),
        ];
        let (mut written, mut refused, mut masked) = (0, 0, 0);
        for route in &routes {
            for format in ["csv", "xlsx", "json", "pfif", "print"] {
                for role in Role::ALL {
                    let sep = if route.contains('?') { '&' } else { '?' };
                    let url = r.url(&format!("{route}{sep}format={format}"));
                    let resp = c.get(&url).bearer_auth(r.token("UA", role)).send().await.unwrap();
                    let status = resp.status();
                    let bytes = resp.bytes().await.unwrap();
                    if !status.is_success() {
                        assert!(
                            [StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN].contains(&status),
                            "{} {route} as {role} in {format}: {status}",
                            r.backend
                        );
                        refused += 1;
                        continue;
                    }
                    written += 1;
                    let shown = chunks(format, &bytes)
                        .iter()
                        .any(|chunk| shows(chunk, &surname, &given));
                    assert!(
                        !shown,
                        "{} {route} as {role} in {format}: the protected record {person} left unsealed",
                        r.backend
                    );
                    if String::from_utf8_lossy(&bytes).contains("[protected]") {
                        masked += 1;
                    }
                }
            }
        }
        assert!(written > 0 && refused > 0 && masked > 0, "{written} written, {refused} refused, {masked} masked");
        // Sealed for its recipient, the same export is written for those cleared to see it,
        // and holds the name only inside the encryption.
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        for route in &routes[..3] {
            let sep = if route.contains('?') { '&' } else { '?' };
            let url = r.url(&format!("{route}{sep}format=csv&recipient={recipient}"));
            for role in [Role::Admin, Role::Protection] {
                let resp = c.get(&url).bearer_auth(r.token("UA", role)).send().await.unwrap();
                if resp.status() == StatusCode::FORBIDDEN {
                    continue; // the role may not read this source at all
                }
                assert_eq!(resp.status(), StatusCode::OK, "{} {route} as {role}", r.backend);
                let sealed = resp.bytes().await.unwrap();
                let visible = String::from_utf8_lossy(&sealed);
                assert!(!shows(&visible, &surname, &given));
                let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
                let mut reader = decryptor
                    .decrypt(std::iter::once(&identity as &dyn age::Identity))
                    .unwrap();
                let mut plain = Vec::new();
                std::io::Read::read_to_end(&mut reader, &mut plain).unwrap();
                assert!(
                    chunks("csv", &plain).iter().any(|c| shows(c, &surname, &given)),
                    "{} {route} as {role}: the sealed export holds the record",
                    r.backend
                );
            }
        }
    })
    .await;
}
