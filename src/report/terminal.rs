//! The short ranking shown on the terminal after `score`: the top of each ranking group and a
//! one-line summary (units scored, grade counts, warnings). Display only.

use super::Run;
use crate::i18n::{grade_label, Lang};
use crate::numfmt::{fixed, Locale};

/// How many units of each group the terminal shows.
const TOP: usize = 10;

pub fn table(run: &Run) -> String {
    let lang = run.lang;
    let loc = if lang == Lang::Vi {
        Locale::Vi
    } else {
        Locale::En
    };
    let mut out = String::new();
    let mut i = 0;
    while i < run.scores.len() {
        let first = &run.scores[i];
        let group: Vec<_> = run.scores[i..]
            .iter()
            .take_while(|u| u.criteria == first.criteria && u.group == first.group)
            .collect();
        let c = &run.criteria[first.criteria];
        out.push_str(&format!(
            "\n{} – {} ({} {})\n",
            lang.pick("Xếp hạng", "Ranking"),
            first.group,
            group.len(),
            lang.pick("đơn vị", "units")
        ));
        out.push_str(&format!(
            "{:>7}  {:<10} {:<34} {:>8} {:>8}  {}\n",
            lang.pick("Hạng", "Rank"),
            lang.pick("Mã", "Code"),
            lang.pick("Tên đơn vị", "Unit"),
            lang.pick("Điểm", "Points"),
            lang.pick("Chỉ số", "Index"),
            lang.pick("Xếp loại", "Grade")
        ));
        for u in group.iter().take(TOP) {
            let unit = &run.registry.units[u.unit];
            let name: String = unit.name.chars().take(34).collect();
            out.push_str(&format!(
                "{:>7}  {:<10} {:<34} {:>8} {:>8}  {}\n",
                format!("{}/{}", u.rank, u.rank_of),
                unit.code,
                name,
                fixed(u.total, 2, loc),
                format!("{}%", fixed(u.index, 2, loc)),
                grade_label(&c.grading.bands[u.grade], lang)
            ));
        }
        if group.len() > TOP {
            out.push_str(&format!(
                "    … {} {}\n",
                group.len() - TOP,
                lang.pick("đơn vị khác trong results.xlsx", "more in results.xlsx")
            ));
        }
        i += group.len();
    }
    out
}

pub fn summary(run: &Run, warnings: usize) -> String {
    let lang = run.lang;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for u in run.scores {
        let label = grade_label(&run.criteria[u.criteria].grading.bands[u.grade], lang).to_string();
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let grades: Vec<String> = counts.iter().map(|(l, n)| format!("{l} {n}")).collect();
    format!(
        "{} {} {} ({} {}): {}; {} {}.",
        lang.pick("Đã chấm", "Scored"),
        run.scores.len(),
        lang.pick("đơn vị", "units"),
        run.criteria.len(),
        lang.pick("bộ tiêu chí", "criteria sets"),
        grades.join(", "),
        warnings,
        lang.pick("cảnh báo", "warnings")
    )
}
