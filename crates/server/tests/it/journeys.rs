//! Each role's day in headless Chromium, in Ukrainian and in Russian: the pages it opens
//! speak that language (words of its own Fluent file), show no `[message-id]` and no raw
//! domain code, and the navigation at 1280 px wraps to at most two rows. One server and
//! one chromedriver for the whole walk. With `HOMEWARD_SHOTS` set to a folder, each role's
//! start page is also saved there as a PNG (uk, ru, en) for a person to look at.

use crate::browser::{body_text, call, click, find, go, open_session, sign_in, start_driver};
use crate::common::{Running, each_backend};
use homeward_core::access::Role;
use homeward_words::Lang;
use serde_json::{Value, json};

/// Codes that must never show as they are (each has its word).
const CODES: &[&str] = &[
    "in_custody",
    "handed_over",
    "pow_exchange",
    "remains_return",
    "child_return",
    "return_agreed",
    "not_confirmed",
    "dna_confirmed",
    "beyond_quantity",
    "no_counterpart",
    "local_truce",
];

/// The page's text holds no message id in brackets, no raw code and no actor code.
fn clean(text: &str, what: &str) {
    let bracketed = text.split('[').skip(1).find_map(|rest| {
        let id = rest.split(']').next()?;
        (id.len() > 3
            && id.contains('-')
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_'))
        .then_some(id)
    });
    assert!(
        bracketed.is_none(),
        "{what}: a message id {bracketed:?} shows: {text}"
    );
    for code in CODES {
        assert!(
            !text.contains(code),
            "{what}: the raw code {code} shows: {text}"
        );
    }
    // Who did something is a name or the system's task in words, never an actor code.
    let actor_code = text.contains("system:")
        || text
            .match_indices("user:")
            .any(|(at, _)| text[at + 5..].starts_with(|c: char| c.is_ascii_digit()));
    assert!(!actor_code, "{what}: an actor code shows: {text}");
}

/// The rows the navigation takes, counted by its items' distinct tops.
async fn nav_rows(c: &reqwest::Client, s: &str) -> (u64, f64, f64) {
    let v = call(
        c,
        reqwest::Method::POST,
        format!("{s}/execute/sync"),
        json!({"script": "const n = document.querySelector('header.top nav:not(.languages)');\
            if (!n) return [0, 0, 0];\
            const items = [...n.children].filter(e => e.getClientRects().length);\
            const tops = new Set(items.map(e => Math.round(e.getBoundingClientRect().top / 4)));\
            const row = Math.max(...items.map(e => e.getBoundingClientRect().height));\
            return [tops.size, n.getBoundingClientRect().height, row];", "args": []}),
    )
    .await;
    (
        v[0].as_u64().unwrap_or(0),
        v[1].as_f64().unwrap_or(0.0),
        v[2].as_f64().unwrap_or(0.0),
    )
}

/// Decodes standard base64 (WebDriver's screenshots).
fn unbase64(text: &str) -> Vec<u8> {
    let value = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut acc, mut bits) = (Vec::new(), 0_u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    out
}

async fn shoot(c: &reqwest::Client, s: &str, name: &str) {
    let Ok(dir) = std::env::var("HOMEWARD_SHOTS") else {
        return;
    };
    let shot = call(
        c,
        reqwest::Method::GET,
        format!("{s}/screenshot"),
        Value::Null,
    )
    .await;
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        format!("{dir}/{name}.png"),
        unbase64(shot.as_str().unwrap_or("")),
    )
    .unwrap();
}

/// One role of a party signed in, in its own browser, 1280 px wide, in `lang`.
async fn signed_in(
    c: &reqwest::Client,
    driver: &crate::browser::Driver,
    r: &Running,
    party: &str,
    role: Role,
    lang: Lang,
) -> (String, tempfile::TempDir) {
    let (s, profile) = open_session(c, driver).await;
    call(
        c,
        reqwest::Method::POST,
        format!("{s}/window/rect"),
        json!({"width": 1280, "height": 1000}),
    )
    .await;
    sign_in(c, &s, r, &r.token(party, role)).await;
    go(c, &s, r.url(&format!("/?lang={}", lang.code()))).await;
    (s, profile)
}

async fn commitment(r: &Running, kind: &str) -> i64 {
    let all: Value = crate::common::client()
        .get(r.url("/api/v1/commitments"))
        .bearer_auth(r.token("UA", Role::Viewer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|c| c["terms"]["kind"] == kind)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_walks_its_day_in_ukrainian_and_in_russian() {
    let Some(driver) = start_driver().await else {
        return;
    };
    each_backend("each_role_walks_its_day_in_ukrainian_and_in_russian", async |r| {
        if r.backend != "sqlite" {
            return; // the pages are the same on both databases: one walk is enough
        }
        let c = reqwest::Client::new();
        let pow = commitment(r, "pow_exchange").await;
        let kids = commitment(r, "child_return").await;
        let dir = tempfile::tempdir().unwrap();
        let roles = [
            ("UA", Role::Operator),
            ("UA", Role::Reviewer),
            ("UA", Role::Negotiator),
            ("UA", Role::Auditor),
            ("UA", Role::Protection),
            ("TR", Role::Negotiator),
            ("UA", Role::Hotline),
        ];
        for code in ["uk", "ru", "en"] {
            let lang = Lang::from_code(code).unwrap();
            for (party, role) in roles {
                let who = format!("{party} {} ({code})", role.as_str());
                let (s, _profile) = signed_in(&c, &driver, r, party, role, lang).await;
                let start = body_text(&c, &s, &lang.t("nav-sign-out")).await;
                shoot(&c, &s, &format!("{party}-{}-{code}", role.as_str())).await;
                let (rows, height, row) = nav_rows(&c, &s).await;
                assert!(
                    (1..=2).contains(&rows),
                    "{who}: the navigation takes {rows} rows at 1280 px ({height} px, a row {row} px)"
                );
                if code == "en" {
                    c.delete(&s).send().await.unwrap();
                    continue;
                }
                clean(&start, &format!("{who} /"));
                let t = |id: &str| lang.t(id);
                let mut seen = vec![("/", start.clone(), t("nav-sign-out"))];
                match (party, role) {
                    ("UA", Role::Operator) => {
                        go(&c, &s, r.url("/lists")).await;
                        let file = dir.path().join(format!("request-{code}.csv"));
                        // (A file of its own each time: the same bytes twice are refused.)
                        std::fs::write(
                            &file,
                            format!("Прізвище,Ім'я,По батькові,Дата народження,Примітка\nКоваленко,Тарас,Іванович,12.03.1990,{code}\nБондар,Олег,Петрович,01.07.1985,{code}\n"),
                        )
                        .unwrap();
                        let input = find(&c, &s, "form.upload input[type=file]").await;
                        call(
                            &c,
                            reqwest::Method::POST,
                            format!("{s}/element/{input}/value"),
                            json!({"text": file.to_str().unwrap()}),
                        )
                        .await;
                        click(&c, &s, "form.upload button").await;
                        let report = body_text(&c, &s, &t("lists-accepted")).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-report", role.as_str())).await;
                        seen.push(("the upload's report", report, t("lists-accepted")));
                    }
                    ("UA", Role::Reviewer) => {
                        if code == "uk" {
                            let pairs = crate::common::pairs_to_review(r).await;
                            assert!(!pairs.is_empty(), "{who}: no pair to decide");
                        }
                        go(&c, &s, r.url("/review")).await;
                        let before = body_text(&c, &s, &t("review-help")).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-review", role.as_str())).await;
                        seen.push(("/review", before.clone(), t("review-help")));
                        // What the page says after a decision, in the language's own words.
                        let (waits, confirmed, undone, now) = match code {
                            "uk" => ("Чекають рішення:", "підтверджено: це та сама особа", "скасовано", "статус запису тепер «"),
                            _ => ("Ждут решения:", "подтверждена: это одно и то же лицо", "отменено", "статус записи теперь «"),
                        };
                        let waiting = |text: &str| {
                            text.lines()
                                .find_map(|l| {
                                    let rest = l.split(waits).nth(1)?;
                                    rest.trim_start()
                                        .split(' ')
                                        .next()?
                                        .replace(['\u{a0}', '\u{202f}'], "")
                                        .parse::<i64>()
                                        .ok()
                                })
                                .unwrap_or_else(|| panic!("{who}: no count of pairs waiting: {text}"))
                        };
                        let said = |text: &str, what: &str| {
                            let line = text
                                .lines()
                                .find(|l| l.contains(what))
                                .unwrap_or_else(|| panic!("{who}: no {what:?} after the decision: {text}"))
                                .to_owned();
                            assert!(
                                line.contains(now),
                                "{who}: the decision does not say the record's status: {line}"
                            );
                        };
                        let waited = waiting(&before);
                        // The first button of the first pair: "the same person".
                        click(&c, &s, "td form.inline button").await;
                        let after = body_text(&c, &s, confirmed).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-confirmed", role.as_str())).await;
                        said(&after, confirmed);
                        assert_eq!(waiting(&after), waited - 1, "{who}: after a confirmation: {after}");
                        // Withdrawn again from the confirmed pairs: it waits once more.
                        go(&c, &s, r.url("/review?show=confirmed")).await;
                        click(&c, &s, "td form.inline button").await;
                        let undo = body_text(&c, &s, undone).await;
                        said(&undo, undone);
                        assert_eq!(waiting(&undo), waited, "{who}: after an undo: {undo}");
                        seen.push(("/review after an undo", undo, t("review-decision")));
                        seen.push(("/review after a decision", after, t("review-decision")));
                    }
                    ("UA", Role::Negotiator) => {
                        go(&c, &s, r.url(&format!("/commitments/{pow}/plan"))).await;
                        let plan = body_text(&c, &s, &t("plan-why-not")).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-plan", role.as_str())).await;
                        seen.push(("the plan", plan, t("plan-why-not")));
                    }
                    ("UA", Role::Auditor) => {
                        go(&c, &s, r.url("/log")).await;
                        let log = body_text(&c, &s, &t("log-heads")).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-log", role.as_str())).await;
                        seen.push(("/log", log, t("log-heads")));
                        go(&c, &s, r.url("/audit")).await;
                        let reads = body_text(&c, &s, &t("audit-retention")).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-reads", role.as_str())).await;
                        seen.push(("/audit", reads, t("audit-retention")));
                    }
                    ("UA", Role::Protection) => {
                        go(&c, &s, r.url(&format!("/commitments/{kids}/children"))).await;
                        let cases = body_text(&c, &s, &t("children-next")).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-children", role.as_str())).await;
                        seen.push(("the children", cases, t("children-next")));
                        click(&c, &s, "form.step button").await;
                        // The words of the message between the child's name and the step:
                        // words already on the page before the click would not tell that
                        // the next page has come.
                        let gap = "\u{1}";
                        let message = lang.t_with(
                            "children-stepped",
                            &[("child", gap.into()), ("state", gap.into())],
                        );
                        let middle = message.split(gap).nth(1).unwrap_or_default().to_owned();
                        let after = body_text(&c, &s, &middle).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-stepped", role.as_str())).await;
                        seen.push(("a case stepped", after.clone(), t("children-state")));
                        assert!(
                            after.lines().any(|l| l.contains(&middle)),
                            "{who}: the message after the step: {after}"
                        );
                    }
                    ("TR", Role::Negotiator) => {
                        seen.push(("/ (mediation)", start.clone(), t("desk-to-close")));
                        seen.push(("/ (lists)", start.clone(), t("desk-addressed")));
                    }
                    (_, Role::Hotline) => {
                        go(&c, &s, r.url("/search?q=%D0%9A%D0%BE%D0%B2%D0%B0%D0%BB%D0%B5%D0%BD%D0%BA%D0%BE")).await;
                        let found = body_text(&c, &s, &t("search-button")).await;
                        shoot(&c, &s, &format!("{party}-{}-{code}-search", role.as_str())).await;
                        seen.push(("the search", found, t("search-button")));
                    }
                    _ => unreachable!(),
                }
                for (page, text, words) in &seen {
                    assert!(
                        text.contains(words.as_str()),
                        "{who} {page}: {words:?} not on the page: {text}"
                    );
                    clean(text, &format!("{who} {page}"));
                }
                c.delete(&s).send().await.unwrap();
            }
        }
    })
    .await;
}
