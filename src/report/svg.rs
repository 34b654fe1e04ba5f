//! Inline SVG charts for the HTML report, drawn from the view model: the index by unit as
//! sorted horizontal bars in grade colours with the grade thresholds drawn, and each area's
//! mean points as a share of its maximum. A small module of our own rather than a plotting
//! crate: two bar charts need rectangles, lines and text; plotters and charming would bring a
//! font rasteriser or a JavaScript runtime into a report that must be a single static file,
//! and their SVG text is not selectable Vietnamese that `pdftotext` can find.

use std::fmt::Write;

use super::view::{num, AreaShare, GradeCount, Row};
use crate::support::i18n::Lang;
use crate::support::numfmt::num2;

/// Text for SVG/XML content and attributes: the report's one escaper.
pub use super::xml_escape as esc;

const W: f64 = 1000.0;
const LABEL_W: f64 = 260.0;
const BAR_H: f64 = 13.0;
const GAP: f64 = 3.0;

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

/// The opening of a chart: the `<svg>` element, the title, and a percentage axis from 0 to
/// 100 with a grid line every `step`, drawn between `top` and the bottom margin.
fn frame(h: f64, font: u32, title: &str, top: f64, step: usize, x: impl Fn(f64) -> f64) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-label="{t}" font-family="Times New Roman, Liberation Serif, Tinos, serif" font-size="{font}">"#,
        t = esc(title)
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="16" font-size="14" font-weight="bold" text-anchor="middle">{}</text>"#,
        W / 2.0,
        esc(title)
    );
    for t in (0..=100).step_by(step) {
        let xx = x(t as f64);
        let _ = write!(
            s,
            r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle" fill="#555">{t}%</text>"##,
            h - 26.0,
            h - 12.0
        );
    }
    s
}

/// Index by unit, best first: one bar per row (index 0–100 %), its grade's colour, a dashed
/// line at each grade threshold labelled with the grade.
pub fn index_bars(rows: &[Row], grades: &[GradeCount], lang: Lang, title: &str) -> String {
    let top = 44.0;
    let plot_w = W - LABEL_W - 70.0;
    let h = top + rows.len() as f64 * (BAR_H + GAP) + 30.0;
    let x = |v: f64| LABEL_W + v.clamp(0.0, 100.0) / 100.0 * plot_w;
    let mut s = frame(h, 11, title, top, 10, x);
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * (BAR_H + GAP);
        let label = format!("{}/{} {}", r.rank, r.rank_of, clip(&r.name, 34));
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{LABEL_W}" y="{y:.1}" width="{:.1}" height="{BAR_H}" fill="{}" stroke="#777" stroke-width="0.5"><title>{}</title></rect><text x="{:.1}" y="{:.1}" fill="#222">{}</text>"##,
            LABEL_W - 6.0,
            y + BAR_H - 2.5,
            esc(&label),
            x(r.index) - LABEL_W,
            esc(&r.color),
            esc(&format!(
                "{} – {}% – {}",
                r.name,
                num2(r.index, lang),
                r.grade
            )),
            x(r.index) + 4.0,
            y + BAR_H - 2.5,
            // Two decimals, as the tables print the index ("98,60", not "98,6").
            num2(r.index, lang)
        );
    }
    // Thresholds over the bars.
    for g in grades {
        if let Some(m) = g.min {
            let xx = x(m);
            let _ = write!(
                s,
                r##"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="#c00000" stroke-dasharray="4 3"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle" fill="#c00000" font-size="10">{} ≥ {}%</text>"##,
                top - 12.0,
                h - 26.0,
                top - 15.0,
                esc(&g.label),
                num(m, lang)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Each area's mean points as a share of its maximum (0–100 %).
pub fn area_shares(shares: &[AreaShare], lang: Lang, title: &str) -> String {
    let top = 34.0;
    let row_h = 22.0;
    let label_w = 420.0;
    let plot_w = W - label_w - 80.0;
    let h = top + shares.len() as f64 * row_h + 30.0;
    let x = |v: f64| label_w + v.clamp(0.0, 100.0) / 100.0 * plot_w;
    let mut s = frame(h, 12, title, top, 20, x);
    for (i, a) in shares.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{label_w}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#4472C4"/><text x="{:.1}" y="{:.1}">{}% ({} / {})</text>"##,
            label_w - 6.0,
            y + row_h - 8.0,
            esc(&clip(&format!("{}. {}", a.short, a.name), 60)),
            y + 3.0,
            x(a.share) - label_w,
            row_h - 6.0,
            x(a.share) + 4.0,
            y + row_h - 8.0,
            num(a.share, lang),
            num(a.mean, lang),
            num(a.max, lang)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        let shares = [AreaShare {
            short: "LV1".into(),
            name: "Chỉ đạo <điều hành>".into(),
            mean: 7.5,
            max: 10.0,
            share: 75.0,
        }];
        let svg = area_shares(&shares, Lang::Vi, "T");
        assert!(svg.contains("Chỉ đạo &lt;điều hành&gt;") && svg.contains("75%"));
        assert!(!svg.contains("<điều"));
    }
}
