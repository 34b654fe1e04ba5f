//! The criteria audit in words: each flag as a remark people read, the thresholds stated, and a
//! set's findings in one sentence. The analysis (`analyses::audit`) keeps booleans and node
//! indices; only here do they become Vietnamese or English.

use crate::analyses::audit::{Element, Thresholds};
use crate::input::criteria::Criteria;
use crate::support::i18n::Lang;
use crate::support::numfmt::{num, round_half_away};

fn pct(x: f64, lang: Lang) -> String {
    num(round_half_away(x * 100.0, 1), lang)
}

/// What is remarkable about one node, one remark per flag.
pub fn remarks(e: &Element, c: &Criteria, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if e.units == 0 {
        out.push(
            lang.pick(
                "không áp dụng cho đơn vị nào thuộc loại này",
                "applies to no unit of this type",
            )
            .to_string(),
        );
    }
    if e.no_spread {
        out.push(if e.distinct == 1 {
            lang.pick(
                "không phân loại được: mọi đơn vị cùng một mức điểm",
                "separates nobody: every unit has the same points",
            )
            .to_string()
        } else {
            let share = pct(e.full_share.unwrap_or(0.0), lang);
            crate::tr!(
                "không phân loại được: {share}% đơn vị đạt điểm tối đa",
                "separates nobody: {share}% of the units at full points"
            )
        });
    }
    if !e.duplicates.is_empty() {
        let ids: Vec<&str> = (e.duplicates.iter())
            .map(|&d| c.nodes[d].id.as_str())
            .collect();
        let ids = ids.join(", ");
        out.push(crate::tr!("trùng lặp với {ids}", "duplicates {ids}"));
    }
    if e.low_weight {
        let (eff, nom) = (
            pct(e.effective_weight.unwrap_or(0.0), lang),
            pct(e.nominal_weight, lang),
        );
        out.push(crate::tr!(
            "trọng số thực tế ({eff}%) thấp hơn nhiều so với điểm tối đa ({nom}%)",
            "weighs much less in fact ({eff}%) than its points say ({nom}%)"
        ));
    }
    out
}

/// The thresholds, as the sheet and the report state them.
pub fn thresholds(th: &Thresholds, lang: Lang) -> String {
    let full = pct(th.full_share, lang);
    let r = num(th.duplicate_r, lang);
    let low = pct(th.low_weight, lang);
    crate::tr!(
        "Ngưỡng đánh dấu: \"không phân loại được\" khi từ {full}% đơn vị trở lên đạt điểm tối đa hoặc mọi đơn vị cùng một mức điểm; \"trùng lặp\" khi hệ số tương quan giữa hai tiêu chí thành phần có trị tuyệt đối từ {r} trở lên; \"trọng số thực tế thấp\" khi dưới {low}% trọng số theo điểm tối đa. Các ngưỡng đặt được trong mục [audit] của tệp lần chạy.",
        "Flagged when: \"separates nobody\" — {full}% of the units or more at full points, or every unit at the same points; \"duplicates\" — two sub-criteria correlated at |r| ≥ {r}; \"weighs much less\" — effective weight below {low}% of the nominal one. The thresholds are set in the run file's [audit] section."
    )
}

/// How to read the table, in a few sentences.
pub fn reading(lang: Lang) -> &'static str {
    lang.pick(
        "Mỗi dòng là một lĩnh vực, tiêu chí hoặc tiêu chí thành phần, tính trên các đơn vị mà nó áp dụng (đơn vị \"không áp dụng\" được để riêng, không tính vào các số liệu). Trọng số thực tế là phần chênh lệch tổng điểm giữa các đơn vị do tiêu chí tạo ra (các trọng số cộng lại bằng 100%); tương quan với phần còn lại cho biết tiêu chí có cùng chiều với các tiêu chí khác không; xê dịch hạng là số bậc đơn vị thay đổi trong nhóm xếp hạng khi bỏ tiêu chí và chấm lại; hệ số Cronbach α đo mức các tiêu chí của một lĩnh vực cùng chiều với nhau. Công thức từng cột: docs/audit.md.",
        "Each row is an area, a criterion or a sub-criterion, computed over the units it applies to (units for which it is not applicable are counted apart and left out of the figures). The effective weight is the share of the differences in total points between units that the criterion makes (the weights add up to 100%); the item–rest correlation says whether it moves with the other criteria; the rank shift is how many places units move in their ranking group when the criterion is removed and the units re-scored; Cronbach's α measures how far an area's criteria move together. Each column's formula: docs/audit.md.",
    )
}

/// A set with few units: its correlations and alphas say little.
pub fn few_units(units: usize) -> Option<String> {
    let min = crate::analyses::audit::FLAG_MIN_UNITS;
    (units < min).then(|| {
        crate::tr!(
            "Chỉ có {units} đơn vị: các số liệu ít ý nghĩa (hệ số tương quan cần từ 3 đơn vị) và không tiêu chí nào được đánh dấu (cần từ {min} đơn vị).",
            "Only {units} unit(s): the figures say little (correlations need 3 units) and no criterion is flagged (that needs {min} units)."
        )
    })
}

/// A set's findings in one sentence.
pub fn findings(no_spread: usize, duplicates: usize, low_weight: usize, lang: Lang) -> String {
    if no_spread + duplicates + low_weight == 0 {
        return lang
            .pick(
                "Không có tiêu chí nào bị đánh dấu.",
                "No criterion is flagged.",
            )
            .to_string();
    }
    crate::tr!(
        "{no_spread} tiêu chí không phân loại được, {duplicates} tiêu chí trùng lặp với tiêu chí khác, {low_weight} tiêu chí có trọng số thực tế thấp hơn nhiều so với điểm tối đa.",
        "{no_spread} criteria separate nobody, {duplicates} duplicate another, {low_weight} weigh much less in fact than their points say."
    )
}
