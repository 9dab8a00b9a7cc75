//! The pages in every language: every message a page uses exists in every Fluent file, and
//! each page, asked in Ukrainian or Russian, answers in it — with no English left, no
//! message id in brackets and no raw domain code in its text.

use crate::common::{Running, client, each_backend};
use homeward_core::access::Role;
use homeward_words::Lang;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;

fn lang(code: &str) -> Lang {
    Lang::from_code(code).unwrap()
}

/// The message ids a source names literally: the first argument of `t(…)`, `t1(…)`,
/// `tw(…)`, `t_with(…)`, and the quoted ids of the record's fields and the error page.
fn ids_named_in(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for call in ["t(\"", "t1(\"", "tw(\"", "t_with(\""] {
        for (at, _) in text.match_indices(call) {
            let before = text[..at].chars().next_back();
            // `t(` as a method or a call, not the end of another name (`format(`).
            if call == "t(\"" && before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &text[at + call.len()..];
            if let Some(end) = rest.find('"') {
                ids.push(rest[..end].to_owned());
            }
        }
    }
    for prefix in ["\"field-", "\"error-"] {
        for (at, _) in text.match_indices(prefix) {
            let rest = &text[at + 1..];
            if let Some(end) = rest.find('"') {
                ids.push(rest[..end].to_owned());
            }
        }
    }
    ids
}

fn sources(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_message_a_page_names_exists_in_every_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("templates"), "html", &mut files);
    sources(&root.join("src"), "rs", &mut files);
    let mut named = 0;
    let mut missing = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for id in ids_named_in(&text) {
            named += 1;
            for l in Lang::all() {
                if !l.has(&id) {
                    missing.push(format!("{}: {id} in {}.ftl", file.display(), l.code()));
                }
            }
        }
    }
    assert!(
        named > 300,
        "only {named} message ids found: the scanner is broken"
    );
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_domain_code_a_page_shows_is_a_word_in_every_language() {
    use homeward_core::cases::ChildCaseState;
    use homeward_core::protection::{Purpose, ReadAction, Restriction, Sensitivity};
    use homeward_core::record::{Category, Health, Identification, Relation, Sex, Status};
    use homeward_core::talks::{CommitmentKind, Movement};
    let mut codes: Vec<(&str, &str)> = Vec::new();
    codes.extend(Status::ALL.iter().map(|c| ("status", c.as_str())));
    codes.extend(Category::ALL.iter().map(|c| ("category", c.as_str())));
    codes.extend(Relation::ALL.iter().map(|c| ("relation", c.as_str())));
    codes.extend(Health::ALL.iter().map(|c| ("health", c.as_str())));
    codes.extend(Sex::ALL.iter().map(|c| ("sex", c.as_str())));
    codes.extend(
        Identification::ALL
            .iter()
            .map(|c| ("identification", c.as_str())),
    );
    codes.extend(Role::ALL.iter().map(|c| ("role", c.as_str())));
    codes.extend(Movement::ALL.iter().map(|c| ("movement", c.as_str())));
    codes.extend(
        CommitmentKind::ALL
            .iter()
            .map(|c| ("commitment", c.as_str())),
    );
    codes.extend(ChildCaseState::ALL.iter().map(|c| ("child", c.as_str())));
    codes.extend(Sensitivity::ALL.iter().map(|c| ("sensitivity", c.as_str())));
    codes.extend(Restriction::ALL.iter().map(|c| ("restriction", c.as_str())));
    codes.extend(Purpose::ALL.iter().map(|c| ("purpose", c.as_str())));
    codes.extend(ReadAction::ALL.iter().map(|c| ("read", c.as_str())));
    codes.extend(
        homeward_import::Role::ALL
            .iter()
            .map(|c| ("column", c.as_str())),
    );
    codes.extend(homeward_app::lists::KINDS.iter().map(|c| ("listkind", *c)));
    for l in Lang::all() {
        for (kind, code) in &codes {
            let word = l.code_word(kind, code);
            assert!(
                !word.starts_with('['),
                "{}: {kind}-{code} has no word",
                l.code()
            );
        }
    }
    // A code nobody wrote a word for shows visibly, never as a blank or a panic.
    assert_eq!(
        lang("uk").code_word("status", "teleported"),
        "[status-teleported]"
    );
}

/// The text a reader sees: the page without its tags (attributes and URLs go with them),
/// without what is shown as code (`<code>` and form contents typed as JSON).
fn visible_text(html: &str) -> String {
    let mut html = html.to_owned();
    for (open, close) in [("<code>", "</code>"), ("<textarea", "</textarea>")] {
        while let Some(start) = html.find(open) {
            let Some(len) = html[start..].find(close) else {
                break;
            };
            html.replace_range(start..start + len + close.len(), " ");
        }
    }
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    // askama escapes what it writes; the reader sees the characters.
    for (entity, c) in [
        ("&#39;", "'"),
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ] {
        text = text.replace(entity, c);
    }
    text
}

/// A message id shown in brackets, as a missing message shows: `[plan-title]`.
fn bracketed_ids(text: &str) -> Vec<String> {
    text.split('[')
        .skip(1)
        .filter_map(|s| s.split_once(']').map(|(id, _)| id))
        .filter(|id| {
            id.contains('-')
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .collect()
}

/// Codes that must never reach a reader as they are stored.
const RAW_CODES: &[&str] = &[
    "in_custody",
    "pow_exchange",
    "remains_return",
    "child_return",
    "local_truce",
    "ceasefire_proposal",
    "medical_commission",
    "handed_over",
    "wounded_or_sick",
    "dna_confirmed",
    "return_agreed",
    "share_mediator",
    "share_other_party",
    "search_hit",
    "refused_repatriation",
    "harmful_information",
    "relatives_under_pressure",
    "full_name",
    "given_name",
    "birth_date",
    "service_number",
];

async fn json(r: &Running, path: &str, role: Role) -> Value {
    client()
        .get(r.url(path))
        .bearer_auth(r.token("UA", role))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every page of the face with the role that works on it and the message its heading
/// or title shows.
async fn pages(r: &Running) -> Vec<(String, Option<Role>, &'static str)> {
    let commitments = json(r, "/api/v1/commitments", Role::Viewer).await;
    let of_kind = |kind: &str| {
        commitments
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["terms"]["kind"] == kind)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let persons = json(r, "/api/v1/persons", Role::Operator).await;
    let person = persons["items"][0]["id"].as_i64().unwrap();
    vec![
        ("/".into(), Some(Role::Negotiator), "talks-title"),
        ("/persons".into(), Some(Role::Operator), "nav-register"),
        (
            format!("/persons/{person}"),
            Some(Role::Operator),
            "person-protection",
        ),
        (
            "/search?q=Ivan".into(),
            Some(Role::Operator),
            "search-button",
        ),
        ("/lists".into(), Some(Role::Operator), "lists-import-title"),
        ("/review".into(), Some(Role::Reviewer), "review-probability"),
        (
            format!("/commitments/{}/plan", of_kind("pow_exchange")),
            Some(Role::Negotiator),
            "plan-make",
        ),
        (
            format!("/commitments/{}/children", of_kind("child_return")),
            Some(Role::Viewer),
            "children-next",
        ),
        (
            format!("/commitments/{}/remains", of_kind("remains_return")),
            Some(Role::Viewer),
            "remains-batches",
        ),
        ("/truces".into(), Some(Role::Viewer), "truces-recovered"),
        ("/log".into(), Some(Role::Auditor), "log-heads"),
        ("/bundles".into(), Some(Role::Admin), "bundles-title"),
        ("/audit".into(), Some(Role::Auditor), "audit-retention"),
        ("/login".into(), None, "login-with-password"),
        (
            "/persons/987654321".into(),
            Some(Role::Operator),
            "error-not-found-title",
        ),
    ]
}

async fn page(
    r: &Running,
    path: &str,
    role: Option<Role>,
    accept: Option<&str>,
) -> (StatusCode, String) {
    let mut request = client().get(r.url(path));
    if let Some(role) = role {
        request = request.bearer_auth(r.token("UA", role));
    }
    if let Some(accept) = accept {
        request = request.header("accept-language", accept);
    }
    let resp = request.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_answers_in_the_language_asked_for() {
    each_backend("every_page_answers_in_the_language_asked_for", async |r| {
        let en = lang("en");
        for (path, role, heading) in pages(r).await {
            let switched = format!(
                "{path}{}lang=ru",
                if path.contains('?') { '&' } else { '?' }
            );
            for (code, asked, accept) in [
                ("uk", path.clone(), Some("uk-UA,uk;q=0.9,en;q=0.5")),
                ("ru", switched, None),
                ("en", path.clone(), None),
            ] {
                let l = lang(code);
                let (status, html) = page(r, &asked, role, accept).await;
                assert!(
                    status == StatusCode::OK || heading.starts_with("error-"),
                    "{}: {asked} in {code}: {status}",
                    r.backend
                );
                assert!(
                    html.contains(&format!("<html lang=\"{code}\">")),
                    "{asked} in {code}: the lang attribute"
                );
                let text = visible_text(&html);
                let word = l.t(heading);
                assert!(text.contains(&word), "{asked} in {code} lacks {word:?}");
                if code != "en" {
                    for english in [
                        en.t(heading),
                        en.t("nav-sign-out"),
                        en.t("footer-synthetic"),
                    ] {
                        if role.is_none() && english == en.t("nav-sign-out") {
                            continue;
                        }
                        assert!(
                            !text.contains(&english),
                            "{asked} in {code} still says {english:?}"
                        );
                    }
                }
                let ids = bracketed_ids(&text);
                assert!(
                    ids.is_empty(),
                    "{asked} in {code} shows message ids {ids:?}"
                );
                for raw in RAW_CODES {
                    assert!(
                        !text.contains(raw),
                        "{asked} in {code} shows the code {raw}"
                    );
                }
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_switch_is_remembered_and_english_is_the_default() {
    each_backend(
        "the_switch_is_remembered_and_english_is_the_default",
        async |r| {
            let (_, plain) = page(r, "/persons", Some(Role::Operator), None).await;
            assert!(plain.contains("<html lang=\"en\">") && plain.contains("Register of UA"));
            // The switch is on the page, naming each language in its own words.
            for (code, name) in [("uk", "Українська"), ("ru", "Русский"), ("en", "English")]
            {
                assert!(plain.contains(&format!("href=\"?lang={code}\"")) && plain.contains(name));
            }
            let resp = client()
                .get(r.url("/persons?lang=uk"))
                .bearer_auth(r.token("UA", Role::Operator))
                .header("accept-language", "ru")
                .send()
                .await
                .unwrap();
            let cookie = resp
                .headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .find(|c| c.starts_with("homeward_lang="))
                .expect("the choice is remembered");
            assert!(cookie.starts_with("homeward_lang=uk;") && cookie.contains("SameSite=Strict"));
            assert!(resp.text().await.unwrap().contains("Реєстр: UA"));
            // The remembered choice outranks the browser's languages; a code with no file is
            // ignored; a browser refusing everything it could get gets English.
            let remembered = client()
                .get(r.url("/persons"))
                .bearer_auth(r.token("UA", Role::Operator))
                .header("cookie", "homeward_lang=uk")
                .header("accept-language", "ru")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(remembered.contains("<html lang=\"uk\">"));
            let (_, unknown) = page(
                r,
                "/persons?lang=xx",
                Some(Role::Operator),
                Some("ru;q=0.8, uk;q=0.3"),
            )
            .await;
            assert!(unknown.contains("<html lang=\"ru\">") && unknown.contains("Реестр: UA"));
            let (_, refused) = page(r, "/persons", Some(Role::Operator), Some("uk;q=0, de")).await;
            assert!(refused.contains("<html lang=\"en\">"));
            // Numbers and dates in the language's way: the round's date on the start page.
            let (_, uk) = page(r, "/", Some(Role::Viewer), Some("uk")).await;
            assert!(
                uk.contains("02.06.2025") && uk.contains("1\u{202F}000"),
                "the start page in uk"
            );
            let (_, en) = page(r, "/", Some(Role::Viewer), None).await;
            assert!(en.contains("2025-06-02") && en.contains("1,000"));
        },
    )
    .await;
}
