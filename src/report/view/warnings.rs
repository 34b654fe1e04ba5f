//! What a run should be warned of, worded from its outcome: units with missing values, a
//! disqualifying condition without data (one warning per condition, naming its column and the
//! units: an empty column once gave 140), adjustments without a reason, last year's units no
//! lineage row accounts for, survey shares left fixed for want of a sample size. In this order;
//! the terminal prints them and the summary counts them.

use std::collections::BTreeMap;

use crate::i18n::Lang;
use crate::report::Run;
use crate::scoring::score::UnitFlag;
use crate::support::numfmt::num;
use crate::support::text::clip;

/// Adjustments without a reason listed in the warning; the rest are counted.
const SHOWN: usize = 12;

/// Every warning of the run, in the run's language.
pub fn warnings(run: &Run) -> Vec<String> {
    let lang = run.lang;
    let mut out = Vec::new();
    let mut no_condition: BTreeMap<(usize, &str), Vec<&str>> = BTreeMap::new();
    for u in run.scores {
        let code = &run.registry.units[u.unit].code;
        for f in &u.flags {
            match (f, lang) {
                (UnitFlag::Missing(n), Lang::Vi) => out.push(format!(
                    "{code}: thiếu {n} giá trị tiêu chí, tính 0 điểm (xem criterion-scores.csv)"
                )),
                (UnitFlag::Missing(n), Lang::En) => out.push(format!(
                    "{code}: {n} criterion value(s) missing, scored 0 (see criterion-scores.csv)"
                )),
                (UnitFlag::MissingItems(n), Lang::Vi) => out.push(format!(
                    "{code}: thiếu {n} giá trị điểm thưởng/điểm trừ, tính 0 điểm (xem criterion-scores.csv)"
                )),
                (UnitFlag::MissingItems(n), Lang::En) => out.push(format!(
                    "{code}: {n} bonus/penalty value(s) missing, scored 0 (see criterion-scores.csv)"
                )),
                (UnitFlag::MissingCondition(id), _) => no_condition
                    .entry((u.criteria, id.as_str()))
                    .or_default()
                    .push(code.as_str()),
                _ => {}
            }
        }
    }
    for ((ci, id), codes) in &no_condition {
        let column = (run.criteria[*ci].disqualify.iter())
            .find(|d| d.id == *id)
            .map_or("", |d| d.indicator.as_str());
        let n = codes.len();
        let list = clip(&codes.join(", "), 200);
        out.push(match lang {
            Lang::Vi => format!(
                "điều kiện hạ loại {id} (cột {column}): {n} đơn vị không có dữ liệu, coi như không xảy ra: {list}"
            ),
            Lang::En => format!(
                "disqualifying condition {id} (column {column}): no data for {n} unit(s), taken as not met: {list}"
            ),
        });
    }
    if let Some(a) = run.appraisal.filter(|a| !a.unexplained.is_empty()) {
        let cells: Vec<String> = (a.unexplained.iter().take(SHOWN))
            .map(|&i| {
                let l = &a.lines[i];
                let at = l
                    .source
                    .as_ref()
                    .map(|s| format!(", {s}"))
                    .unwrap_or_default();
                let code = &run.registry.units[l.unit].code;
                format!("{code} {} ({}{at})", l.id, num(l.difference, lang))
            })
            .collect();
        let more = a.unexplained.len().saturating_sub(SHOWN);
        let (n, threshold, cells) = (
            a.unexplained.len(),
            num(a.threshold, lang),
            cells.join("; "),
        );
        out.push(match (lang, more) {
            (Lang::Vi, 0) => {
                format!("{n} điều chỉnh lớn hơn {threshold} điểm chưa có lý do: {cells}")
            }
            (Lang::Vi, _) => format!(
                "{n} điều chỉnh lớn hơn {threshold} điểm chưa có lý do: {cells}; và {more} điều chỉnh khác (xem appraisal.csv)"
            ),
            (Lang::En, 0) => {
                format!("{n} adjustment(s) larger than {threshold} points have no reason: {cells}")
            }
            (Lang::En, _) => format!(
                "{n} adjustment(s) larger than {threshold} points have no reason: {cells}; and {more} more (see appraisal.csv)"
            ),
        });
    }
    if let Some(c) = run.comparison {
        out.extend(super::year::comparison_warnings(c, lang));
    }
    if let Some(f) = run.uncertainty {
        out.extend(
            (f.without_size.iter())
                .map(|(col, codes)| super::uncertainty::without_size_words(col, codes, lang)),
        );
    }
    out
}
