//! Inline SVG charts for the HTML report, drawn from the view model: the index by unit as
//! sorted horizontal bars in grade colours with the grade thresholds drawn, each area's
//! mean points as a share of its maximum, and the criteria audit's weights (nominal against
//! effective per area) and correlation heat map of the areas. A small module of our own rather than a plotting
//! crate: two bar charts need rectangles, lines and text; plotters and charming would bring a
//! font rasteriser or a JavaScript runtime into a report that must be a single static file,
//! and their SVG text is not selectable Vietnamese that `pdftotext` can find.

use std::fmt::Write;

use super::view::{num, AreaShare, AreaWeight, GradeCount, Row};
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

/// The `<svg>` element of a `w` × `h` chart in the document font, with its title centred on top.
fn open(w: f64, h: f64, font: u32, title: &str) -> String {
    let t = esc(title);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}" font-family="Times New Roman, Liberation Serif, Tinos, serif" font-size="{font}"><text x="{}" y="16" font-size="14" font-weight="bold" text-anchor="middle">{t}</text>"#,
        w / 2.0
    )
}

/// The opening of a chart: the `<svg>` element, the title, and a percentage axis from 0 to
/// 100 with a grid line every `step`, drawn between `top` and the bottom margin.
fn frame(h: f64, font: u32, title: &str, top: f64, step: usize, x: impl Fn(f64) -> f64) -> String {
    let mut s = open(W, h, font, title);
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

/// Each area's weight on paper (grey) and in fact (blue), two bars per area, on a percentage
/// axis up to the largest weight rounded up to 10 %.
pub fn weights(areas: &[AreaWeight], lang: Lang, title: &str) -> String {
    let top = 44.0;
    let row_h = 30.0;
    let label_w = 380.0;
    let plot_w = W - label_w - 80.0;
    let h = top + areas.len() as f64 * row_h + 44.0;
    let largest = (areas.iter())
        .flat_map(|a| [a.nominal, a.effective.unwrap_or(0.0)])
        .fold(0.0f64, f64::max);
    let scale = ((largest / 10.0).ceil() * 10.0).max(10.0);
    let x = |v: f64| label_w + v.clamp(0.0, scale) / scale * plot_w;
    let mut s = open(W, h, 12, title);
    let mut t = 0.0;
    while t <= scale + 1e-9 {
        let xx = x(t);
        let _ = write!(
            s,
            r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle" fill="#555">{}%</text>"##,
            h - 40.0,
            h - 26.0,
            num(t, lang)
        );
        t += scale / 5.0;
    }
    for (i, a) in areas.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            label_w - 6.0,
            y + row_h / 2.0 + 2.0,
            esc(&clip(&format!("{}. {}", a.short, a.name), 56))
        );
        for (k, (v, fill)) in [(Some(a.nominal), "#A5A5A5"), (a.effective, "#4472C4")]
            .into_iter()
            .enumerate()
        {
            let Some(v) = v else { continue };
            let yy = y + 3.0 + k as f64 * 12.0;
            let _ = write!(
                s,
                r##"<rect x="{label_w}" y="{yy:.1}" width="{:.1}" height="11" fill="{fill}"/><text x="{:.1}" y="{:.1}" font-size="10">{}%</text>"##,
                x(v.max(0.0)) - label_w,
                x(v.max(0.0)) + 4.0,
                yy + 9.0,
                num(v, lang)
            );
        }
    }
    let _ = write!(
        s,
        r##"<rect x="{label_w}" y="{:.1}" width="12" height="10" fill="#A5A5A5"/><text x="{:.1}" y="{:.1}">{}</text><rect x="{:.1}" y="{:.1}" width="12" height="10" fill="#4472C4"/><text x="{:.1}" y="{:.1}">{}</text></svg>"##,
        h - 16.0,
        label_w + 16.0,
        h - 7.0,
        esc(lang.pick("Trọng số theo điểm tối đa", "Nominal weight")),
        label_w + 220.0,
        h - 16.0,
        label_w + 236.0,
        h - 7.0,
        esc(lang.pick("Trọng số thực tế", "Effective weight")),
    );
    s
}

/// The areas' correlations as a heat map: blue at −1, white at 0, red at 1, the value written in
/// each cell (blank where undefined).
pub fn heat_map(areas: &[AreaWeight], r: &[Vec<Option<f64>>], lang: Lang, title: &str) -> String {
    let n = areas.len();
    let cell = 52.0;
    let label_w = 360.0;
    let top = 56.0;
    let w = label_w + n as f64 * cell + 20.0;
    let h = top + n as f64 * cell + 12.0;
    let mut s = open(w, h, 12, title);
    let colour = |v: f64| {
        // White to red above 0, white to blue below.
        let (r0, g0, b0) = if v >= 0.0 {
            (0xF8, 0x69, 0x6B)
        } else {
            (0x5B, 0x9B, 0xD5)
        };
        let t = v.abs().min(1.0);
        let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * t).round() as u8;
        format!("#{:02X}{:02X}{:02X}", mix(r0), mix(g0), mix(b0))
    };
    for (j, a) in areas.iter().enumerate() {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text>"##,
            label_w + j as f64 * cell + cell / 2.0,
            top - 8.0,
            esc(&a.short)
        );
    }
    for (i, a) in areas.iter().enumerate() {
        let y = top + i as f64 * cell;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            label_w - 6.0,
            y + cell / 2.0 + 4.0,
            esc(&clip(&format!("{}. {}", a.short, a.name), 52))
        );
        for j in 0..n {
            let v = r.get(i).and_then(|row| row.get(j)).copied().flatten();
            let x = label_w + j as f64 * cell;
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{cell}" height="{cell}" fill="{}" stroke="#fff"/>"##,
                v.map_or_else(|| "#f4f4f4".to_string(), colour)
            );
            if let Some(v) = v {
                let _ = write!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                    x + cell / 2.0,
                    y + cell / 2.0 + 4.0,
                    num2(v, lang)
                );
            }
        }
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
