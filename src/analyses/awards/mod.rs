//! Award proposals by stated rules (`docs/awards-format.md`). A rules file (TOML, versioned like
//! criteria) names award kinds; each has a scope (emulation bloc, unit type, or all units of a
//! criteria file), how many (top N, a quota of the units in scope or of a grade's count with a
//! stated reading and rounding, or everyone passing), gates (minimum grade or index, no
//! disqualifying condition, no missing data, not declined since last year, a minimum probability
//! when uncertainty figures exist, indicator tests), what happens on a tie at the cut (include all,
//! refer to the committee's vote, or break by stated criteria then a stated fallback — never by
//! row order) and precedence (units proposed for an earlier award are not considered again).
//! Parsing keeps spans for located diagnostics; selection is pure and gives every unit considered a
//! decision and a reason in words.
//!
//! `rules` reads and checks a rules file; `select` applies it to the ranked results; this module
//! holds the model they share and says an award's rules in words.

mod rules;
mod select;

pub use rules::{load, looks_like_rules, parse};
pub use select::{select, AwardNote, Considered, Decision, Gate, Proposals, ScopeKey, Why};

use crate::input::criteria::model::CmpOp;
use crate::input::criteria::Criteria;
use crate::support::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Bloc,
    UnitType,
    Criteria,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Down,
    Nearest,
    Up,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Base {
    Units,
    /// Units rated `label` (`at_least`: that grade or better).
    Grade {
        label: String,
        at_least: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    Include,
    Vote,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub indicator: String,
    pub op: CmpOp,
    /// A number, or 1/0 for có/không.
    pub value: f64,
    pub written: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gates {
    pub min_grade: Option<String>,
    pub min_index: Option<f64>,
    pub no_disqualifying: bool,
    pub no_missing: bool,
    pub not_declined: bool,
    pub min_probability: Option<f64>,
    pub tests: Vec<Test>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub scope: Scope,
    /// Keys; empty: every scored unit.
    pub unit_types: Vec<String>,
    pub top: Option<usize>,
    pub quota: Option<(f64, Rounding, Base)>,
    pub all_passing: bool,
    pub ties: Ties,
    /// Node ids compared (higher points first) to break a tie at the cut, then `ties`.
    pub tie_break: Vec<String>,
    pub after: Vec<String>,
    pub gates: Gates,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub path: String,
    pub sha256: String,
    pub name: String,
    pub name_en: Option<String>,
    pub basis: Option<String>,
    pub awards: Vec<Award>,
}

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
