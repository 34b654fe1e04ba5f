//! An award's rules in words, for the report and the method statement (and `check`): criteria
//! and awards by their names, never their codes; a gate's test as a sign and the value as written.

use crate::analyses::awards::{Award, Base, Rounding, Rules, Scope, Test, Ties};
use crate::input::criteria::model::CmpOp;
use crate::input::criteria::Criteria;
use crate::support::i18n::Lang;

/// A gate's test as people read it: the criterion's name for the indicator (its code only when no
/// criterion reads it), the comparison as a sign (=, ≠, ≥, ≤, >, <), the value as written.
pub fn test_words(t: &Test, criteria: &[Criteria], lang: Lang) -> String {
    let name = criteria
        .iter()
        .find_map(|c| c.indicator_name(&t.indicator, lang))
        .unwrap_or(&t.indicator);
    let sign = match t.op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "≠",
        CmpOp::Ge => "≥",
        CmpOp::Le => "≤",
        CmpOp::Gt => ">",
        CmpOp::Lt => "<",
    };
    let value = t
        .written
        .rsplit(t.op.symbol())
        .next()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map_or_else(
            || crate::support::numfmt::num(t.value, lang),
            str::to_string,
        );
    format!("{name} {sign} {value}")
}

/// The rules of one award in words, for the report and the method statement: criteria and
/// awards by their names, never their codes.
pub fn describe(rules: &Rules, a: &Award, criteria: &[Criteria], lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let scope = match (a.scope, vi) {
        (Scope::Bloc, true) => "mỗi khối/cụm thi đua",
        (Scope::UnitType, true) => "mỗi loại đơn vị",
        (Scope::Criteria, true) => "mỗi bộ tiêu chí",
        (Scope::Bloc, false) => "each emulation bloc",
        (Scope::UnitType, false) => "each unit type",
        (Scope::Criteria, false) => "each criteria set",
    };
    let mut parts = Vec::new();
    if let Some(t) = a.top {
        parts.push(crate::tr!(
            "{t} đơn vị dẫn đầu {scope}",
            "the top {t} of {scope}"
        ));
    }
    if let Some((share, rounding, base)) = &a.quota {
        let pct = crate::support::numfmt::num(share * 100.0, lang);
        let base = match base {
            Base::Units => lang.pick("số đơn vị", "the units").to_string(),
            Base::Grade {
                label,
                at_least: false,
            } => crate::tr!("số đơn vị xếp loại {label}", "the units graded {label}"),
            Base::Grade {
                label,
                at_least: true,
            } => crate::tr!(
                "số đơn vị xếp loại {label} trở lên",
                "the units graded {label} or better"
            ),
        };
        let r = match (rounding, vi) {
            (Rounding::Down, true) => "làm tròn xuống",
            (Rounding::Nearest, true) => "làm tròn gần nhất",
            (Rounding::Up, true) => "làm tròn lên",
            (Rounding::Down, false) => "rounded down",
            (Rounding::Nearest, false) => "rounded to nearest",
            (Rounding::Up, false) => "rounded up",
        };
        parts.push(crate::tr!(
            "không quá {pct}% {base} của {scope} ({r})",
            "at most {pct}% of {base} of {scope} ({r})"
        ));
    }
    if a.all_passing && a.top.is_none() && a.quota.is_none() {
        parts.push(
            lang.pick("mọi đơn vị đạt điều kiện", "every unit passing the gates")
                .to_string(),
        );
    }
    let g = &a.gates;
    let mut gates = Vec::new();
    if let Some(x) = &g.min_grade {
        gates.push(crate::tr!(
            "xếp loại từ {x} trở lên",
            "graded {x} or better"
        ));
    }
    if let Some(x) = g.min_index {
        gates.push(crate::tr!(
            "chỉ số từ {}%",
            "index at least {}%",
            crate::support::numfmt::num(x, lang)
        ));
    }
    if g.no_disqualifying {
        gates.push(
            lang.pick("không có điều kiện hạ loại", "no disqualifying condition")
                .into(),
        );
    }
    if g.no_missing {
        gates.push(lang.pick("không thiếu dữ liệu", "no missing data").into());
    }
    if g.not_declined {
        gates.push(
            lang.pick("không giảm so với năm trước", "not declined on last year")
                .into(),
        );
    }
    if let Some(p) = g.min_probability {
        gates.push(crate::tr!(
            "xác suất giữ xếp loại từ {}%",
            "probability of the grade at least {}%",
            crate::support::numfmt::num(p * 100.0, lang)
        ));
    }
    for t in &g.tests {
        gates.push(test_words(t, criteria, lang));
    }
    let ties = match (a.tie_break.is_empty(), a.ties, vi) {
        (true, Ties::Include, true) => "đồng hạng tại ngưỡng: đề nghị tất cả".to_string(),
        (true, Ties::Vote, true) => "đồng hạng tại ngưỡng: hội đồng bỏ phiếu".to_string(),
        (true, Ties::Include, false) => "a tie at the cut: all proposed".to_string(),
        (true, Ties::Vote, false) => "a tie at the cut: the committee votes".to_string(),
        (false, t, _) => crate::tr!(
            "đồng hạng tại ngưỡng: so điểm {}, nếu vẫn bằng thì {}",
            "a tie at the cut: compare {}, then {}",
            a.tie_break.join(", "),
            match (t, vi) {
                (Ties::Include, true) => "đề nghị tất cả",
                (Ties::Vote, true) => "hội đồng bỏ phiếu",
                (Ties::Include, false) => "all proposed",
                (Ties::Vote, false) => "the committee votes",
            }
        ),
    };
    let mut s = parts.join("; ");
    if !gates.is_empty() {
        s.push_str(&format!(
            "; {}: {}",
            lang.pick("điều kiện", "gates"),
            gates.join(", ")
        ));
    }
    s.push_str(&format!("; {ties}"));
    if !a.after.is_empty() {
        s.push_str(&crate::tr!(
            "; không xét đơn vị đã được đề nghị {}",
            "; units proposed for {} are not considered",
            a.after
                .iter()
                .map(|id| rules
                    .awards
                    .iter()
                    .find(|x| &x.id == id)
                    .map_or(id.as_str(), |x| lang.text(&x.name, x.name_en.as_ref())))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    s
}
