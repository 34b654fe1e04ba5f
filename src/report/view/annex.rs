//! The criteria annex as a table (`criteria export`): a row per area, criterion and sub-criterion,
//! then the bonus and penalty sections and their items, then the total — numbered as documents
//! number them, the guidance in words — that the .docx and the workbook annexes both render.

use crate::input::criteria::Criteria;
use crate::report::words::criteria::guidance;
use crate::support::i18n::Lang;
use crate::support::numfmt::num;

/// One row of the annex.
#[derive(Debug, Clone)]
pub struct AnnexRow {
    /// "I", "2", "a", "-".
    pub number: String,
    pub name: String,
    pub max: String,
    pub guidance: String,
    pub note: String,
    /// An area, a criterion of it, a section title or the total: set in bold.
    pub strong: bool,
    /// An area or a section title (a document writes it upper case).
    pub heading: bool,
}

/// I, II, III, IV…
pub fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, d) in DIGITS {
        while n >= v {
            s.push_str(d);
            n -= v;
        }
    }
    s
}

/// How a criterion is numbered in an annex: areas in Roman numerals (I, II…), their criteria by
/// the last part of the id (1, 2…), sub-criteria by letter (a, b…), anything deeper with a dash.
pub fn annex_number(c: &Criteria, i: usize) -> String {
    let n = &c.nodes[i];
    match n.depth {
        1 => roman(c.areas.iter().position(|&a| a == i).unwrap_or(0) + 1),
        2 => n.id.rsplit('.').next().unwrap_or(&n.id).to_string(),
        3 => {
            let k = (0..c.nodes.len())
                .filter(|&k| c.nodes[k].parent == n.parent)
                .position(|k| k == i)
                .unwrap_or(0);
            char::from(b'a' + (k % 26) as u8).to_string()
        }
        _ => "-".to_string(),
    }
}

/// The rows of a criteria set's annex.
pub fn annex(c: &Criteria, lang: Lang) -> Vec<AnnexRow> {
    let mut rows: Vec<AnnexRow> = (c.nodes.iter().enumerate())
        .map(|(i, n)| AnnexRow {
            number: annex_number(c, i),
            name: lang.text(&n.name, n.name_en.as_ref()).to_string(),
            max: num(n.max, lang),
            guidance: n.rule().map_or(String::new(), |r| guidance(r, n.max, lang)),
            note: n.note.clone().unwrap_or_default(),
            // Areas are depth 1, their criteria depth 2.
            strong: n.depth <= 2,
            heading: n.depth == 1,
        })
        .collect();
    // Bonus and penalty after the areas, numbered on.
    let mut next = c.areas.len();
    for (section, default) in [
        (&c.bonus, lang.pick("Điểm thưởng", "Bonus")),
        (&c.penalty, lang.pick("Điểm trừ", "Penalty")),
    ] {
        let Some(s) = section else { continue };
        next += 1;
        rows.push(AnnexRow {
            number: roman(next),
            name: lang
                .text(s.name.as_deref().unwrap_or(default), s.name_en.as_ref())
                .to_string(),
            max: format!("{} {}", lang.pick("tối đa", "up to"), num(s.cap, lang)),
            guidance: String::new(),
            note: String::new(),
            strong: true,
            heading: true,
        });
        rows.extend(s.items.iter().enumerate().map(|(k, it)| AnnexRow {
            number: (k + 1).to_string(),
            name: lang.text(&it.name, it.name_en.as_ref()).to_string(),
            max: num(it.max, lang),
            guidance: guidance(&it.rule, it.max, lang),
            note: String::new(),
            strong: false,
            heading: false,
        }));
    }
    rows.push(AnnexRow {
        number: String::new(),
        name: lang.pick("TỔNG ĐIỂM", "TOTAL").to_string(),
        max: num(c.max_points, lang),
        guidance: String::new(),
        note: String::new(),
        strong: true,
        heading: false,
    });
    rows
}
