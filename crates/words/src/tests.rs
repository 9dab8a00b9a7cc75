use super::*;

fn lang(code: &str) -> Lang {
    Lang::from_code(code).unwrap_or_else(|| unreachable!("no file for {code}"))
}

#[test]
fn the_three_languages_are_embedded_and_parse_cleanly() {
    let codes: Vec<&str> = Lang::all().map(Lang::code).collect();
    assert_eq!(codes, ["en", "ru", "uk"]);
    assert_eq!(file_errors(), Vec::<String>::new());
}

#[test]
fn every_file_has_the_same_ids_as_the_english_one() {
    let english = ids_of(DEFAULT);
    assert!(english.len() > 100, "{} ids", english.len());
    let mut sorted = english.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        english.len(),
        "an id is written twice in en.ftl"
    );
    for l in Lang::all() {
        let mut ids = ids_of(l.code());
        ids.sort();
        let missing: Vec<_> = sorted
            .iter()
            .filter(|id| ids.binary_search(id).is_err())
            .collect();
        let extra: Vec<_> = ids
            .iter()
            .filter(|id| sorted.binary_search(id).is_err())
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}.ftl: missing {missing:?}, extra {extra:?}",
            l.code()
        );
        for id in &sorted {
            assert!(l.has(id), "{}.ftl: {id} has no value", l.code());
        }
    }
}

#[test]
fn a_missing_message_shows_its_id_in_brackets() {
    assert_eq!(lang("uk").t("no-such-message"), "[no-such-message]");
    assert_eq!(
        lang("en").code_word("status", "teleported"),
        "[status-teleported]"
    );
    assert_eq!(lang("ru").t("nav-register"), "Реестр");
    assert_eq!(lang("uk").t("nav-register"), "Реєстр");
}

#[test]
fn values_and_plurals_fill_messages() {
    let uk = lang("uk");
    assert_eq!(
        uk.t_with("search-found", &[("count", 1_usize.into())]),
        "Знайдено: 1"
    );
    assert_eq!(
        uk.t_with("search-found", &[("count", 1234_usize.into())]),
        "Знайдено: 1\u{202F}234"
    );
    assert_eq!(
        lang("en").t_with("search-found", &[("count", 1234_usize.into())]),
        "1,234 found"
    );
    // A missing value is shown visibly by Fluent, not a panic.
    assert!(lang("ru").t("search-found").contains("count"));
}

#[test]
fn languages_are_chosen_by_choice_then_browser_then_english() {
    assert_eq!(negotiate(&[Some("ru")], Some("uk")).code(), "ru");
    assert_eq!(
        negotiate(&[Some("xx"), Some("uk")], Some("ru")).code(),
        "uk"
    );
    assert_eq!(
        negotiate(&[None], Some("uk-UA,uk;q=0.9,en;q=0.8")).code(),
        "uk"
    );
    assert_eq!(
        negotiate(&[], Some("de;q=1, en;q=0.3, ru;q=0.7")).code(),
        "ru"
    );
    assert_eq!(negotiate(&[], Some("ru;q=0, de")).code(), "en");
    assert_eq!(negotiate(&[], Some("ru;q=0.5, uk;q=0.5")).code(), "ru");
    assert_eq!(negotiate(&[], Some("garbage;q=x, ;;;")).code(), "en");
    assert_eq!(negotiate(&[], None).code(), "en");
    assert_eq!(Lang::from_code("UK-ua").map(Lang::code), Some("uk"));
}

#[test]
fn dates_and_numbers_follow_the_language() {
    let (uk, ru, en) = (lang("uk"), lang("ru"), lang("en"));
    assert_eq!(uk.date("2026-12-02"), "02.12.2026");
    assert_eq!(ru.date("2026-12"), "12.2026");
    assert_eq!(en.date("2026-12-02"), "2026-12-02");
    assert_eq!(uk.date("1990"), "1990");
    assert_eq!(uk.date("about 1990"), "about 1990");
    assert_eq!(uk.number(1234), "1\u{202F}234");
    assert_eq!(ru.number(-1_234_567), "-1\u{202F}234\u{202F}567");
    assert_eq!(en.number(1234), "1,234");
    assert_eq!(en.number(999), "999");
    assert_eq!(en.number(0), "0");
    // Nothing short of certain reads as 100.
    assert_eq!(uk.percent(0.9996), "99,9\u{a0}%");
    assert_eq!(ru.percent(1.0), "100,0\u{a0}%");
    assert_eq!(en.percent(0.5), "50.0%");
    assert_eq!(en.percent(0.01234), "1.2%");
}
