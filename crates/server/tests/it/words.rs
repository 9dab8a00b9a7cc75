//! The pages in every language: every message a page uses exists in every Fluent file, and
//! each page, asked in Ukrainian or Russian, answers in it — with no English left, no
//! message id in brackets and no raw domain code in its text.

use crate::common::{Running, client, each_backend};
use homeward_core::access::Role;
use homeward_words::Lang;
use reqwest::StatusCode;
use serde_json::{Value, json};
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
    // The navigation's places and the commands a denial names.
    codes.extend(
        homeward_app::desk::Place::ALL
            .iter()
            .map(|p| ("nav", p.code())),
    );
    codes.extend(
        homeward_store::PersonOrder::ALL
            .iter()
            .map(|(name, _)| ("register-sort", *name)),
    );
    codes.extend(
        homeward_app::sheet::PRIORITIES
            .iter()
            .map(|c| ("priority", *c)),
    );
    codes.extend(
        homeward_core::access::COMMAND_CODES
            .iter()
            .map(|c| ("command", *c)),
    );
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
        ("/".into(), Some(Role::Auditor), "desk-audit"),
        ("/".into(), Some(Role::Protection), "desk-children"),
        ("/persons".into(), Some(Role::Auditor), "error-denied-title"),
        // Not "Register": the list filter shows the lists' titles as their issuers typed
        // them, and the demo's English titles say "Register: …".
        (
            "/persons".into(),
            Some(Role::Operator),
            "register-born-year",
        ),
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
            format!("/commitments/{}/plan", of_kind("pow_exchange")),
            Some(Role::Operator),
            "plan-people",
        ),
        (
            format!("/commitments/{}/children", of_kind("child_return")),
            Some(Role::Protection),
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
        ("/relay".into(), Some(Role::Admin), "relay-title"),
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

/// Asserts that `html`, asked for as `asked`, is the page in `code`: its `lang`, the word of
/// `heading`, no English words of the page's frame, no message id, no raw code.
fn assert_in_language(html: &str, asked: &str, code: &str, heading: &str, signed_in: bool) {
    let (l, en) = (lang(code), lang("en"));
    assert!(
        html.contains(&format!("<html lang=\"{code}\">")),
        "{asked} in {code}: the lang attribute"
    );
    let text = visible_text(html);
    let word = l.t(heading);
    assert!(text.contains(&word), "{asked} in {code} lacks {word:?}");
    if code != "en" {
        let mut english = vec![en.t(heading), en.t("footer-synthetic")];
        if signed_in {
            english.push(en.t("nav-sign-out"));
        }
        for english in english {
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

#[tokio::test(flavor = "multi_thread")]
async fn every_page_answers_in_the_language_asked_for() {
    each_backend("every_page_answers_in_the_language_asked_for", async |r| {
        let pages = pages(r).await;
        // Nothing asked: English. The browser's languages: Ukrainian. (Before any switch, so
        // that no user has a saved choice yet.)
        for (path, role, heading) in &pages {
            for (code, accept) in [("en", None), ("uk", Some("uk-UA,uk;q=0.9,en;q=0.5"))] {
                let (status, html) = page(r, path, *role, accept).await;
                assert!(
                    status == StatusCode::OK || heading.starts_with("error-"),
                    "{}: {path} in {code}: {status}",
                    r.backend
                );
                assert_in_language(&html, path, code, heading, role.is_some());
            }
        }
        // The switch: Russian, whatever the browser says.
        for (path, role, heading) in &pages {
            let switched = format!(
                "{path}{}lang=ru",
                if path.contains('?') { '&' } else { '?' }
            );
            let (_, html) = page(r, &switched, *role, Some("uk")).await;
            assert_in_language(&html, &switched, "ru", heading, role.is_some());
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
            assert!(
                !cookie.contains("Secure"),
                "asked over plain HTTP, the cookie is not Secure (or a browser would not keep it): {cookie}"
            );
            assert!(resp.text().await.unwrap().contains("Реєстр: UA"));
            // Behind a proxy that took the request over HTTPS, it is (another user's switch:
            // the operator's choice stays theirs).
            for proto in ["https", "https, http"] {
                let resp = client()
                    .get(r.url("/persons?lang=ru"))
                    .bearer_auth(r.token("UA", Role::Reviewer))
                    .header("x-forwarded-proto", proto)
                    .send()
                    .await
                    .unwrap();
                let cookie = resp
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .map(|v| v.to_str().unwrap().to_owned())
                    .find(|c| c.starts_with("homeward_lang="))
                    .unwrap();
                assert!(cookie.starts_with("homeward_lang=ru;") && cookie.contains("; Secure"), "{proto}: {cookie}");
            }
            // The remembered choice outranks the browser's languages.
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
            // The choice was kept as the user's: it follows them to another browser, ahead
            // of that browser's languages.
            let (_, elsewhere) = page(r, "/persons", Some(Role::Operator), Some("ru")).await;
            assert!(elsewhere.contains("<html lang=\"uk\">"), "the saved choice");
            // A user who never chose (the demo has one user per party): a code with no file
            // is ignored, the browser's best language there is a file for decides, and
            // refusing all of them gets English.
            let as_ru = async |path: &str, accept: &str| {
                client()
                    .get(r.url(path))
                    .bearer_auth(r.token("RU", Role::Viewer))
                    .header("accept-language", accept)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            };
            let unknown = as_ru("/persons?lang=xx", "de, ru;q=0.8, uk;q=0.3").await;
            assert!(
                unknown.contains("<html lang=\"ru\">") && unknown.contains("Реестр: RU"),
                "{unknown}"
            );
            let refused = as_ru("/persons", "uk;q=0, de").await;
            assert!(refused.contains("<html lang=\"en\">"));
            // Numbers and dates in the language's way: the round's date on the start page.
            let uk = as_ru("/?lang=uk", "ru").await;
            assert!(
                uk.contains("02.06.2025") && uk.contains("1\u{202F}000"),
                "the start page in uk"
            );
            let en = as_ru("/?lang=en", "ru").await;
            assert!(en.contains("2025-06-02") && en.contains("1,000"));
        },
    )
    .await;
}

/// The text a browser shows in `s`'s window once it holds `expected` (or after five
/// seconds, for the assertion to show what it holds).
async fn shown(c: &reqwest::Client, s: &str, expected: &str) -> String {
    let mut text = String::new();
    for _ in 0..50 {
        let body = crate::browser::find(c, s, "body").await;
        text = crate::browser::call(
            c,
            reqwest::Method::GET,
            format!("{s}/element/{body}/text"),
            Value::Null,
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_owned();
        if text.contains(expected) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn in_the_browser_the_switch_changes_every_page_and_stays() {
    let Some(driver) = crate::browser::start_driver().await else {
        return;
    };
    each_backend(
        "in_the_browser_the_switch_changes_every_page_and_stays",
        async |r| {
            use crate::browser::{call, find, open_session, sign_in};
            let c = reqwest::Client::new();
            let (s, _profile) = open_session(&c, &driver).await;
            sign_in(&c, &s, r, &r.token("UA", Role::Operator)).await;
            let text = shown(&c, &s, "Talks rounds").await;
            assert!(
                text.contains("Talks rounds") && text.contains("Sign out"),
                "{text}"
            );
            let click = async |css: &str| {
                let link = find(&c, &s, css).await;
                call(
                    &c,
                    reqwest::Method::POST,
                    format!("{s}/element/{link}/click"),
                    json!({}),
                )
                .await;
            };
            click("a[hreflang=uk]").await;
            let text = shown(&c, &s, "Раунди переговорів").await;
            assert!(
                text.contains("Раунди переговорів") && text.contains("Вийти"),
                "{text}"
            );
            assert!(!text.contains("Sign out"), "{text}");
            // The choice stays as the operator goes on to the register.
            click("nav a[href='/persons']").await;
            let text = shown(&c, &s, "Реєстр: UA").await;
            assert!(
                text.contains("Реєстр: UA") && text.contains("Категорія"),
                "{text}"
            );
            click("a[hreflang=ru]").await;
            let text = shown(&c, &s, "Реестр: UA").await;
            assert!(
                text.contains("Реестр: UA") && text.contains("Категория"),
                "{text}"
            );
            c.delete(s).send().await.unwrap();
        },
    )
    .await;
}
