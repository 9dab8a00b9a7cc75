//! Which language a request is answered in: the user's explicit choice (the page's switch,
//! remembered in a cookie), then the browser's `Accept-Language` by its q-values, then
//! English.

use crate::Lang;

/// The language for a request: `chosen` (a `?lang=` or the remembered choice) when there
/// is a file for it, else the best of `accept_language` there is a file for, else English.
pub fn negotiate(chosen: &[Option<&str>], accept_language: Option<&str>) -> Lang {
    chosen
        .iter()
        .flatten()
        .find_map(|c| Lang::from_code(c))
        .or_else(|| accept_language.and_then(best_accepted))
        .unwrap_or_default()
}

/// The most preferred language of an `Accept-Language` header that there is a file for;
/// ties keep the header's order, `q=0` refuses a language.
fn best_accepted(header: &str) -> Option<Lang> {
    let mut ranked: Vec<(u16, usize, Lang)> = header
        .split(',')
        .enumerate()
        .filter_map(|(order, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .map_or(Some(1000), |q| quality(&q))?;
            (q > 0).then_some(())?;
            Some((q, order, Lang::from_code(tag)?))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.first().map(|r| r.2)
}

/// A q-value in thousandths; none when it is not one (the item is then ignored).
fn quality(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    // A q-value is 0..=1 with at most three decimals, so the cast is exact enough.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}
