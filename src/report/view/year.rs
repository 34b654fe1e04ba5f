//! The view of the comparison with last year: per unit its baseline, change and rank change as
//! published ("tăng 1,36%", "tăng 03 bậc"), per ranking group the counts up and down, the largest
//! moves and the grade counts against last year's.

use serde::Serialize;

use super::{groups, hex, num2, row};
use crate::report::{words, Run};
use crate::scoring::score::UnitScore;
use crate::support::i18n::Lang;
use crate::support::numfmt::round_half_away;

/// One unit's change since last year, worded as results are published.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// `direct`, `merged`, … (for styling).
    pub kind_code: String,
    pub index: f64,
    pub baseline: Option<f64>,
    pub change: Option<f64>,
    /// "tăng 1,36%".
    pub change_words: String,
    pub rank: String,
    pub prev_rank: String,
    /// "tăng 03 bậc", or why there is no rank change.
    pub rank_words: String,
    pub prev_grade: String,
    pub grade: String,
    /// "▲", "▼", "=" or "".
    pub arrow: String,
    /// One sentence: "đạt 90,02%, tăng 1,36% so với năm 2024; xếp thứ 12/63, tăng 01 bậc".
    pub sentence: String,
}

/// Grade counts this year and for last year's baselines (graded on this year's bands).
#[derive(Debug, Clone, Serialize)]
pub struct GradeChange {
    pub label: String,
    pub color: String,
    pub now: usize,
    pub before: usize,
    pub difference: i64,
}

/// A ranking group's changes.
#[derive(Debug, Clone, Serialize)]
pub struct GroupChange {
    pub label: String,
    pub units: usize,
    pub up: usize,
    pub down: usize,
    pub same: usize,
    pub new: usize,
    pub not_compared: usize,
    pub mean: f64,
    /// Mean of the baselines of the units that have one.
    pub prev_mean: Option<f64>,
    pub rises: Vec<ChangeRow>,
    pub falls: Vec<ChangeRow>,
    pub grades: Vec<GradeChange>,
    /// Sorted by change, largest rise first; units without a change last.
    pub rows: Vec<ChangeRow>,
    /// "xã: 61 tăng, 27 giảm, 6 mới; tăng nhiều nhất Xã A (tăng 6,39%)".
    pub summary: String,
    /// How much of the group's criteria set changed definition since last year's, when the run
    /// names last year's criteria: the caveat before reading a change of rank.
    pub caveat: Option<String>,
}

/// Last year's comparison as every document shows it.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    /// "2024" or "năm trước".
    pub year: String,
    pub groups: Vec<GroupChange>,
    pub weighted: bool,
    /// How the comparison was made, for the method statement.
    pub method: Vec<String>,
}

fn year_label(cmp: &crate::analyses::compare::YearComparison, lang: Lang) -> String {
    match cmp.year {
        Some(y) => format!("{} {y}", lang.pick("năm", "")).trim().to_string(),
        None => lang.pick("năm trước", "last year").to_string(),
    }
}

pub fn change_row(run: &Run, u: &UnitScore) -> Option<ChangeRow> {
    use crate::analyses::compare::{Kind, NoRank};
    let cmp = run.comparison?;
    let ch = cmp.of(u.unit)?;
    let lang = run.lang;
    let r = row(run, u);
    let year = year_label(cmp, lang);
    let rank_words = match (&ch.rank_change, &ch.no_rank, ch.kind) {
        (Some(x), _, _) => rank_words(*x, lang),
        (None, Some(NoRank::Merged), _) => lang
            .pick(
                "không so sánh thứ hạng (đơn vị hợp nhất)",
                "no rank change (merged unit)",
            )
            .to_string(),
        (None, Some(NoRank::OtherGroup(g)), _) => format!(
            "{} ({} {g})",
            lang.pick("không so sánh thứ hạng", "no rank change"),
            lang.pick("năm trước xếp hạng trong nhóm", "last year ranked among")
        ),
        (None, Some(NoRank::Unranked), _) => lang
            .pick("năm trước không có thứ hạng", "no rank last year")
            .to_string(),
        (None, None, Kind::New) => lang.pick("đơn vị mới", "new unit").to_string(),
        (None, None, _) => String::new(),
    };
    let change_words_ = ch
        .index_change
        .map(|x| change_words(x, lang))
        .unwrap_or_default();
    let reached = format!("{} {}%", lang.pick("đạt", "reached"), num2(r.index, lang));
    let sentence = match ch.index_change {
        Some(_) => {
            let mut s = format!(
                "{reached}, {change_words_} {} {year}",
                lang.pick("so với", "on")
            );
            if ch.kind == Kind::Approximate {
                s.push_str(&format!(
                    " ({})",
                    words::change_kind(Kind::Approximate, lang)
                ));
            }
            s.push_str(&format!(
                "; {} {}/{}",
                lang.pick("xếp thứ", "ranked"),
                r.rank,
                r.rank_of
            ));
            if ch.rank_change.is_some() {
                s.push_str(&format!(", {rank_words}"));
            }
            s
        }
        None => format!("{reached}; {}", words::change_kind(ch.kind, lang)),
    };
    Some(ChangeRow {
        code: r.code.clone(),
        name: r.name.clone(),
        kind: words::change_kind(ch.kind, lang).to_string(),
        kind_code: ch.kind.code().to_string(),
        index: r.index,
        baseline: ch.baseline.map(|b| round_half_away(b, 2)),
        change: ch.index_change,
        change_words: change_words_,
        rank: format!("{}/{}", r.rank, r.rank_of),
        prev_rank: match (ch.prev_rank, ch.prev_rank_of) {
            (Some(a), Some(b)) => format!("{a}/{b}"),
            (Some(a), None) => a.to_string(),
            _ => String::new(),
        },
        rank_words,
        prev_grade: ch.prev_grade.clone().unwrap_or_default(),
        grade: r.grade.clone(),
        arrow: match ch.index_change {
            Some(x) if x > 0.0 => "▲".into(),
            Some(x) if x < 0.0 => "▼".into(),
            Some(_) => "=".into(),
            None => String::new(),
        },
        sentence,
    })
}

pub fn year(run: &Run) -> Option<YearView> {
    use crate::analyses::compare::Kind;
    let cmp = run.comparison?;
    let lang = run.lang;
    let caveat = |ci: usize| {
        (run.revisions.iter().find(|r| r.criteria == ci))
            .map(|r| words::revision_caveat(&r.old, &run.criteria[ci], &r.revision, lang))
    };
    let mut out = Vec::new();
    for g in groups(run) {
        let units = &run.scores[g.range.clone()];
        let c = &run.criteria[g.criteria];
        let mut rows: Vec<ChangeRow> = units.iter().filter_map(|u| change_row(run, u)).collect();
        let count = |k: Kind| {
            units
                .iter()
                .filter(|u| cmp.of(u.unit).is_some_and(|ch| ch.kind == k))
                .count()
        };
        let changes: Vec<f64> = rows.iter().filter_map(|r| r.change).collect();
        let baselines: Vec<f64> = units
            .iter()
            .filter_map(|u| cmp.of(u.unit).and_then(|ch| ch.baseline))
            .collect();
        rows.sort_by(|a, b| match (a.change, b.change) {
            (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.code.cmp(&b.code)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.code.cmp(&b.code),
        });
        let rises: Vec<ChangeRow> = rows
            .iter()
            .filter(|r| r.change.is_some_and(|x| x > 0.0))
            .take(3)
            .cloned()
            .collect();
        let falls: Vec<ChangeRow> = rows
            .iter()
            .rev()
            .filter(|r| r.change.is_some_and(|x| x < 0.0))
            .take(3)
            .cloned()
            .collect();
        let grades = c
            .grading
            .bands
            .iter()
            .enumerate()
            .map(|(b, band)| {
                let now = units.iter().filter(|u| u.grade == b).count();
                let before = units
                    .iter()
                    .filter(|u| cmp.of(u.unit).and_then(|ch| ch.baseline_band) == Some(b))
                    .count();
                GradeChange {
                    label: band.label_in(lang).to_string(),
                    color: hex(band.color),
                    now,
                    before,
                    difference: now as i64 - before as i64,
                }
            })
            .collect();
        let up = changes.iter().filter(|x| **x > 0.0).count();
        let down = changes.iter().filter(|x| **x < 0.0).count();
        let same = changes.len() - up - down;
        let new = count(Kind::New);
        let not_compared = count(Kind::NotCompared);
        let mut summary = format!(
            "{}: {up} {}, {down} {}",
            g.label,
            lang.pick("tăng", "up"),
            lang.pick("giảm", "down")
        );
        if same > 0 {
            summary.push_str(&format!(", {same} {}", lang.pick("không đổi", "unchanged")));
        }
        if new > 0 {
            summary.push_str(&format!(", {new} {}", lang.pick("mới", "new")));
        }
        if not_compared > 0 {
            summary.push_str(&format!(
                ", {not_compared} {}",
                lang.pick("không so sánh", "not compared")
            ));
        }
        if let Some(top) = rises.first() {
            summary.push_str(&format!(
                "; {} {} ({})",
                lang.pick("tăng nhiều nhất", "largest rise"),
                top.name,
                top.change_words
            ));
        }
        out.push(GroupChange {
            label: g.label.clone(),
            units: units.len(),
            up,
            down,
            same,
            new,
            not_compared,
            mean: round_half_away(g.mean, 2),
            prev_mean: (!baselines.is_empty()).then(|| {
                round_half_away(baselines.iter().sum::<f64>() / baselines.len() as f64, 2)
            }),
            rises,
            falls,
            grades,
            rows,
            summary,
            caveat: caveat(g.criteria),
        });
    }
    let year = year_label(cmp, lang);
    let mut method = vec![
        lang.pick(
            "Chỉ số năm trước của đơn vị mới: bình quân gia quyền chỉ số của các đơn vị tiền thân theo tệp kế thừa",
            "Last year's index of a new unit: the weighted mean of its predecessors' indexes, from the lineage file",
        )
        .to_string()
            + if cmp.weighted {
                lang.pick(" (trọng số khai báo trong tệp).", " (weights as declared in the file).")
            } else {
                lang.pick(" (trọng số bằng nhau).", " (equal weights).")
            },
        lang.pick(
            "Mức thay đổi = chỉ số năm nay − chỉ số năm trước, điểm phần trăm, tính trên số chưa làm tròn, làm tròn 2 chữ số (nửa ra xa số 0).",
            "Change = this year's index − last year's, percentage points, on unrounded values, rounded to 2 decimals (half away from zero).",
        )
        .to_string(),
        lang.pick(
            "Thay đổi thứ hạng chỉ tính cho đơn vị giữ nguyên hoặc đổi tên, xếp hạng trong cùng nhóm cả hai năm.",
            "Rank changes only for units unchanged or renamed, ranked in the same group both years.",
        )
        .to_string(),
        lang.pick(
            "Đơn vị có đơn vị tiền thân chỉ nhập một phần: so sánh gần đúng; đơn vị không có tiền thân có kết quả: mới. Số lượng xếp loại năm trước: xếp loại của chỉ số năm trước theo thang năm nay.",
            "A unit with a predecessor only partly in it: approximate; one with no predecessor with a result: new. Last year's grade counts: last year's index graded on this year's bands.",
        )
        .to_string(),
    ];
    method.extend((0..run.criteria.len()).filter_map(caveat));
    if cmp.skip_approximate {
        method.push(
            lang.pick(
                "Theo tệp lần chạy, đơn vị so sánh gần đúng không được so sánh.",
                "As the run file says, approximate units are not compared.",
            )
            .to_string(),
        );
    }
    Some(YearView {
        year,
        groups: out,
        weighted: cmp.weighted,
        method,
    })
}

/// "tăng 1,36%" / "giảm 0,5%" / "không đổi" — the index change as results are published
/// (percentage points written with %).
pub fn change_words(x: f64, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let loc = crate::support::numfmt::Locale::of(lang);
    let n = crate::support::numfmt::fixed(x.abs(), 2, loc);
    match (x.partial_cmp(&0.0), vi) {
        (Some(std::cmp::Ordering::Greater), true) => format!("tăng {n}%"),
        (Some(std::cmp::Ordering::Less), true) => format!("giảm {n}%"),
        (_, true) => "không đổi".into(),
        (Some(std::cmp::Ordering::Greater), false) => format!("up {n} points"),
        (Some(std::cmp::Ordering::Less), false) => format!("down {n} points"),
        (_, false) => "unchanged".into(),
    }
}

/// "tăng 3 bậc" / "giảm 2 bậc" / "giữ nguyên".
pub fn rank_words(r: i64, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    match (r.cmp(&0), vi) {
        (std::cmp::Ordering::Greater, true) => format!("tăng {r:02} bậc"),
        (std::cmp::Ordering::Less, true) => format!("giảm {:02} bậc", -r),
        (_, true) => "giữ nguyên thứ hạng".into(),
        (std::cmp::Ordering::Greater, false) => format!("up {r} place(s)"),
        (std::cmp::Ordering::Less, false) => format!("down {} place(s)", -r),
        (_, false) => "same rank".into(),
    }
}

/// The run's note on a comparison: units joined on their code when no lineage file was given.
pub fn comparison_notes(c: &crate::analyses::compare::YearComparison, lang: Lang) -> Vec<String> {
    let note = lang.pick(
        "không có tệp kế thừa: so sánh theo mã đơn vị (chỉ đúng khi không có sáp nhập)",
        "no lineage file: units compared by unit code (right only when nothing merged)",
    );
    c.by_code.then(|| note.to_string()).into_iter().collect()
}

/// The run's warning on a comparison: last year's units that no lineage row accounts for.
pub fn comparison_warnings(
    c: &crate::analyses::compare::YearComparison,
    lang: Lang,
) -> Vec<String> {
    if c.unlinked.is_empty() {
        return Vec::new();
    }
    let shown: Vec<&str> = c.unlinked.iter().take(20).map(String::as_str).collect();
    let more = if c.unlinked.len() > shown.len() {
        " …"
    } else {
        ""
    };
    vec![match lang {
        Lang::Vi => format!(
            "{} đơn vị trong kết quả năm trước không có trong tệp kế thừa (bỏ có chủ ý hay thiếu sót?): {}{more}",
            c.unlinked.len(),
            shown.join(", ")
        ),
        Lang::En => format!(
            "{} unit(s) of last year's results are in no lineage row (dropped on purpose or a mistake?): {}{more}",
            c.unlinked.len(),
            shown.join(", ")
        ),
    }]
}

#[cfg(test)]
mod words_tests {
    use super::{change_words, rank_words};
    use crate::support::i18n::Lang;

    #[test]
    fn changes_as_results_are_published() {
        assert_eq!(change_words(1.36, Lang::Vi), "tăng 1,36%");
        assert_eq!(change_words(-0.5, Lang::Vi), "giảm 0,50%");
        assert_eq!(rank_words(1, Lang::Vi), "tăng 01 bậc");
        assert_eq!(rank_words(-12, Lang::Vi), "giảm 12 bậc");
        assert_eq!(change_words(0.0, Lang::En), "unchanged");
    }
}
