//! Pictures drawn on the server as SVG, legible in print and without scripts: a commitment's
//! fulfilment over time against the number agreed, and each stage's progress. Each picture
//! carries its numbers in words (`<title>`, `<desc>`) for those who cannot see it.

use super::Who;
use homeward_app::progress::ProgressLine;
use homeward_app::sheet::StageSheet;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
/// One colour per direction, told apart also by the dash of the line.
const INKS: [(&str, &str); 2] = [("#1f5fa8", ""), ("#b4361f", "6 3")];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Received by the end of each day, per direction, against the agreed number; empty when
/// nobody has been received yet.
pub(crate) fn over_time(id: &str, lines: &[ProgressLine], who: &Who) -> String {
    let mut days: Vec<&str> = lines
        .iter()
        .flat_map(|l| l.days.iter().map(|(d, _)| d.as_str()))
        .collect();
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return String::new();
    }
    let top = lines
        .iter()
        .flat_map(|l| l.days.iter().map(|(_, n)| *n).chain([l.agreed]))
        .max()
        .unwrap_or(1)
        .max(1);
    let (w, h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    // One day alone still spans the picture, from its start to its end.
    let x = |i: usize| LEFT + w * (i as f64 + 1.0) / (days.len() as f64);
    let y = |n: u32| TOP + h * (1.0 - f64::from(n) / f64::from(top));
    let title = who.t("chart-over-time");
    let mut desc = Vec::new();
    let mut body = String::new();
    for (line, (ink, dash)) in lines.iter().zip(INKS) {
        let name = format!("{} → {}", line.from, line.to);
        if line.agreed > 0 {
            body.push_str(&format!(
                r#"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="{ink}" stroke-opacity="0.45" stroke-dasharray="2 3"/>"#,
                LEFT + w,
                y = y(line.agreed)
            ));
        }
        let mut points = vec![format!("{LEFT:.1},{:.1}", y(0))];
        let mut last = 0;
        for (i, day) in days.iter().enumerate() {
            if let Some((_, n)) = line.days.iter().find(|(d, _)| d == day) {
                last = *n;
            }
            points.push(format!("{:.1},{:.1}", x(i), y(last)));
        }
        body.push_str(&format!(
            r#"<polyline fill="none" stroke="{ink}" stroke-width="2.5" stroke-dasharray="{dash}" points="{}"/>"#,
            points.join(" ")
        ));
        desc.push(who.tw(
            "chart-line",
            &[
                ("direction", name.clone().into()),
                ("received", last.into()),
                ("agreed", line.agreed.into()),
            ],
        ));
    }
    let mut axes = format!(
        r#"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{}" stroke="dimgray"/><line x1="{LEFT}" x2="{}" y1="{b}" y2="{b}" stroke="dimgray"/>"#,
        TOP + h,
        LEFT + w,
        b = TOP + h
    );
    axes.push_str(&format!(
        r#"<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text><text x="{}" y="{}" text-anchor="end" font-size="12">0</text>"#,
        LEFT - 6.0,
        TOP + 4.0,
        escape(&who.n(top)),
        LEFT - 6.0,
        TOP + h + 4.0
    ));
    for i in [0, days.len() - 1] {
        axes.push_str(&format!(
            r#"<text x="{:.1}" y="{}" text-anchor="end" font-size="12">{}</text>"#,
            x(i),
            TOP + h + 18.0,
            escape(&who.date(days[i]))
        ));
    }
    let legend: String = lines
        .iter()
        .zip(INKS)
        .enumerate()
        .map(|(i, (l, (ink, dash)))| {
            let lx = LEFT + 8.0 + 170.0 * i as f64;
            format!(
                r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{ink}" stroke-width="2.5" stroke-dasharray="{dash}"/><text x="{}" y="{}" font-size="12">{}</text>"#,
                lx + 24.0,
                lx + 30.0,
                HEIGHT - 6.0,
                escape(&format!("{} → {}", l.from, l.to)),
                ly = HEIGHT - 10.0
            )
        })
        .collect();
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>{axes}{body}{legend}</svg>"#,
        escape(&title),
        escape(&desc.join("; "))
    )
}

/// Each stage as two bars, one per side: received of placed.
pub(crate) fn stages(id: &str, stages: &[StageSheet], who: &Who) -> String {
    if stages.is_empty() {
        return String::new();
    }
    let row = 22.0;
    let height = TOP + row * stages.len() as f64 + BOTTOM;
    let w = WIDTH - LEFT - RIGHT;
    let most = stages
        .iter()
        .flat_map(|s| s.sides.iter().map(|x| x.placed))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut body = String::new();
    let mut desc = Vec::new();
    for (i, s) in stages.iter().enumerate() {
        let y0 = TOP + row * i as f64;
        body.push_str(&format!(
            r#"<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>"#,
            LEFT - 6.0,
            y0 + 14.0,
            escape(&who.t1("plan-stage", "seq", s.seq.to_string()))
        ));
        for (j, (side, (ink, _))) in s.sides.iter().zip(INKS).enumerate() {
            let y = y0 + 2.0 + 9.0 * j as f64;
            let placed = w * side.placed as f64 / most;
            let received = w * side.received as f64 / most;
            body.push_str(&format!(
                r#"<rect x="{LEFT}" y="{y:.1}" width="{placed:.1}" height="8" fill="none" stroke="{ink}"/><rect x="{LEFT}" y="{y:.1}" width="{received:.1}" height="8" fill="{ink}"/>"#
            ));
            desc.push(who.tw(
                "chart-stage",
                &[
                    ("stage", s.seq.to_string().into()),
                    ("direction", format!("{} → {}", side.from, side.to).into()),
                    ("received", side.received.into()),
                    ("placed", side.placed.into()),
                ],
            ));
        }
    }
    let legend: String = stages[0]
        .sides
        .iter()
        .zip(INKS)
        .enumerate()
        .map(|(i, (side, (ink, _)))| {
            let lx = LEFT + 8.0 + 170.0 * i as f64;
            format!(
                r#"<rect x="{lx}" y="{}" width="14" height="8" fill="{ink}"/><text x="{}" y="{}" font-size="12">{}</text>"#,
                height - 16.0,
                lx + 20.0,
                height - 8.0,
                escape(&format!("{} → {}", side.from, side.to))
            )
        })
        .collect();
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>{body}{legend}</svg>"#,
        escape(&who.t("chart-stages")),
        escape(&desc.join("; "))
    )
}

/// Counts of one thing by step (remains by step of identification): one bar per step, its
/// number beside it.
pub(crate) fn counts(id: &str, title: &str, rows: &[(String, i64)], who: &Who) -> String {
    if rows.iter().all(|(_, n)| *n == 0) {
        return String::new();
    }
    let row = 22.0;
    let label = 200.0;
    let height = TOP + row * rows.len() as f64 + 8.0;
    let w = WIDTH - label - RIGHT - 60.0;
    let most = rows.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let mut body = String::new();
    let mut desc = Vec::new();
    for (i, (name, n)) in rows.iter().enumerate() {
        let y = TOP + row * i as f64;
        let length = w * *n as f64 / most;
        body.push_str(&format!(
            r#"<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text><rect x="{label}" y="{:.1}" width="{length:.1}" height="12" fill="{}"/><text x="{:.1}" y="{}" font-size="12">{}</text>"#,
            label - 6.0,
            y + 11.0,
            escape(name),
            y + 1.0,
            INKS[0].0,
            label + length + 6.0,
            y + 11.0,
            escape(&who.n(*n))
        ));
        desc.push(format!("{name}: {}", who.n(*n)));
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>{body}</svg>"#,
        escape(title),
        escape(&desc.join("; "))
    )
}

/// The weight one field's evidence gave a pair, as a small bar from the middle: to the right
/// in green for the pair, to the left in red against it, longer the heavier (up to ±12). The
/// words beside it carry the number; the bar is for the eye only.
pub(crate) fn weight_bar(weight: Option<f64>) -> String {
    let Some(weight) = weight.filter(|w| w.is_finite()) else {
        return String::new();
    };
    let (w, h, mid) = (120.0, 10.0, 60.0);
    let length = (weight.abs().min(12.0) / 12.0) * mid;
    let (x, ink) = if weight >= 0.0 {
        (mid, "#2e7d32")
    } else {
        (mid - length, "#c62828")
    };
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="weight" width="{w}" height="{h}" viewBox="0 0 {w} {h}" aria-hidden="true"><line x1="{mid}" x2="{mid}" y1="0" y2="{h}" stroke="dimgray"/><rect x="{x:.1}" y="2" width="{length:.1}" height="6" fill="{ink}"/></svg>"#
    )
}

#[cfg(test)]
mod tests {
    use super::weight_bar;

    #[test]
    fn a_weight_for_the_pair_goes_right_and_one_against_goes_left() {
        let for_it = weight_bar(Some(6.0));
        assert!(
            for_it.contains(r#"x="60.0""#) && for_it.contains(r#"width="30.0""#),
            "{for_it}"
        );
        let against = weight_bar(Some(-24.0));
        assert!(
            against.contains(r#"x="0.0""#) && against.contains(r#"width="60.0""#),
            "{against}"
        );
        assert!(weight_bar(None).is_empty());
    }
}
