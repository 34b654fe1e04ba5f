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

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::compare::YearComparison;
use crate::criteria::diagnostic::{Diagnostic, Source};
use crate::criteria::model::CmpOp;
use crate::criteria::Criteria;
use crate::dataset::{Dataset, Lookup};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::numfmt::round_half_away;
use crate::score::{UnitFlag, UnitScore};
use crate::text;
use crate::units::Registry;

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    name: S<String>,
    name_en: Option<String>,
    basis: Option<String>,
    #[serde(default)]
    award: Vec<S<RawAward>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAward {
    id: S<String>,
    name: S<String>,
    name_en: Option<String>,
    scope: S<String>,
    unit_types: Option<Vec<S<String>>>,
    top: Option<S<i64>>,
    quota: Option<S<f64>>,
    quota_rounding: Option<S<String>>,
    quota_of_grade: Option<S<String>>,
    /// "exactly" (units rated that grade) or "at_least" (that grade or better).
    quota_reading: Option<S<String>>,
    #[serde(default)]
    all_passing: bool,
    ties: Option<S<String>>,
    tie_break: Option<Vec<S<String>>>,
    tie_fallback: Option<S<String>>,
    #[serde(default)]
    after: Vec<S<String>>,
    gates: Option<RawGates>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGates {
    min_grade: Option<S<String>>,
    min_index: Option<S<f64>>,
    #[serde(default)]
    no_disqualifying: bool,
    #[serde(default)]
    no_missing: bool,
    #[serde(default)]
    not_declined: bool,
    min_probability: Option<S<f64>>,
    #[serde(default)]
    tests: Vec<S<String>>,
}

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

/// Does this TOML text look like an awards rules file?
pub fn looks_like_rules(text: &str) -> bool {
    text.parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key("award"))
}

pub fn load(path: &Path, criteria: &[Criteria]) -> Result<Rules> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Usage(crate::tr!(
            "không đọc được tệp quy định khen thưởng {}: {e}",
            "cannot read the awards rules file {}: {e}",
            path.display()
        ))
    })?;
    let sha256 = crate::criteria::sha256_hex(&bytes);
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::Usage(crate::tr!(
            "{}: tệp quy định không phải UTF-8",
            "{}: the rules file is not UTF-8",
            path.display()
        ))
    })?;
    let mut r = parse(&path.display().to_string(), &text, criteria)?;
    r.sha256 = sha256;
    Ok(r)
}

fn word<T: Copy>(
    src: &Source,
    v: &S<String>,
    options: &[(&str, T)],
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    if let Some((_, t)) = options.iter().find(|(w, _)| *w == v.get_ref()) {
        return Some(*t);
    }
    let list: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
    let d = src.diag(
        v.span(),
        crate::tr!(
            "`{}` không hợp lệ; dùng một trong: {}",
            "`{}` is not allowed here; use one of {}",
            v.get_ref(),
            list.join(", ")
        ),
    );
    diags.push(match text::closest(v.get_ref(), list.iter().copied()) {
        Some(c) => d.hint(crate::tr!("có phải `{c}`?", "did you mean `{c}`?")),
        None => d,
    });
    None
}

fn parse_test(s: &str) -> Option<(String, CmpOp, f64)> {
    for (sym, op) in [
        (">=", CmpOp::Ge),
        ("<=", CmpOp::Le),
        ("==", CmpOp::Eq),
        ("!=", CmpOp::Ne),
        (">", CmpOp::Gt),
        ("<", CmpOp::Lt),
    ] {
        if let Some((l, r)) = s.split_once(sym) {
            let ind = l.trim();
            let v = r.trim();
            let value = match text::key(v).as_str() {
                "có" | "co" | "yes" => 1.0,
                "không" | "khong" | "no" => 0.0,
                _ => v.replace(',', ".").parse::<f64>().ok()?,
            };
            if ind.is_empty() || ind.contains(' ') {
                return None;
            }
            return Some((ind.to_string(), op, value));
        }
    }
    None
}

/// Parse and check a rules file against the criteria it will be applied with.
pub fn parse(name: &str, text: &str, criteria: &[Criteria]) -> Result<Rules> {
    let src = Source { name, text };
    let raw: RawRules = toml::from_str(text).map_err(|e| {
        Error::Criteria(vec![src
            .diag(e.span().unwrap_or(0..0), e.message().trim())
            .hint(crate::tr!(
                "xem định dạng trong docs/awards-format.md",
                "see docs/awards-format.md for the format"
            ))])
    })?;
    let mut diags = Vec::new();
    let grades: Vec<String> = criteria
        .iter()
        .flat_map(|c| c.grading.bands.iter().map(|b| text::key(&b.label)))
        .collect();
    let indicators: Vec<String> = criteria
        .iter()
        .flat_map(|c| {
            c.leaves()
                .map(|(_, _, r)| text::key(&r.indicator))
                .chain(c.indicators().into_iter().map(text::key))
                .collect::<Vec<_>>()
        })
        .collect();
    let nodes: Vec<&str> = criteria
        .iter()
        .flat_map(|c| c.nodes.iter().map(|n| n.id.as_str()))
        .collect();
    let mut awards: Vec<Award> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let grade = |v: &S<String>, diags: &mut Vec<Diagnostic>| -> Option<String> {
        if grades.contains(&text::key(v.get_ref())) {
            Some(v.get_ref().clone())
        } else {
            let known: Vec<String> = criteria
                .iter()
                .flat_map(|c| c.grading.bands.iter().map(|b| b.label.clone()))
                .collect();
            diags.push(
                src.diag(
                    v.span(),
                    crate::tr!(
                        "`{}` không phải một mức xếp loại",
                        "`{}` is not a grade",
                        v.get_ref()
                    ),
                )
                .hint(crate::tr!(
                    "các mức xếp loại: {}",
                    "grades: {}",
                    known.join(", ")
                )),
            );
            None
        }
    };
    for a in &raw.award {
        let span: Range<usize> = a.span();
        let a = a.get_ref();
        let id = a.id.get_ref().clone();
        if ids.contains(&id) {
            diags.push(src.diag(
                a.id.span(),
                crate::tr!(
                    "mã khen thưởng `{id}` bị dùng hai lần",
                    "award id `{id}` is used twice"
                ),
            ));
        }
        let scope = word(
            &src,
            &a.scope,
            &[
                ("bloc", Scope::Bloc),
                ("unit_type", Scope::UnitType),
                ("criteria", Scope::Criteria),
            ],
            &mut diags,
        )
        .unwrap_or(Scope::Bloc);
        let top = match &a.top {
            Some(t) if *t.get_ref() < 1 => {
                diags.push(src.diag(
                    t.span(),
                    crate::tr!("top phải từ 1 trở lên", "top must be at least 1"),
                ));
                None
            }
            Some(t) => Some(*t.get_ref() as usize),
            None => None,
        };
        let rounding = a
            .quota_rounding
            .as_ref()
            .and_then(|r| {
                word(
                    &src,
                    r,
                    &[
                        ("down", Rounding::Down),
                        ("nearest", Rounding::Nearest),
                        ("up", Rounding::Up),
                    ],
                    &mut diags,
                )
            })
            .unwrap_or(Rounding::Down);
        let base = match &a.quota_of_grade {
            None => Base::Units,
            Some(g) => {
                let at_least = a
                    .quota_reading
                    .as_ref()
                    .and_then(|r| {
                        word(
                            &src,
                            r,
                            &[("exactly", false), ("at_least", true)],
                            &mut diags,
                        )
                    })
                    .unwrap_or(false);
                match grade(g, &mut diags) {
                    Some(label) => Base::Grade { label, at_least },
                    None => Base::Units,
                }
            }
        };
        let quota = match &a.quota {
            Some(q) if !(*q.get_ref() > 0.0 && *q.get_ref() <= 1.0) => {
                diags.push(
                    src.diag(
                        q.span(),
                        crate::tr!(
                            "tỷ lệ {} phải lớn hơn 0 và không quá 1 (100%)",
                            "quota {} must be above 0 and at most 1 (100%)",
                            q.get_ref()
                        ),
                    )
                    .hint(crate::tr!("viết 0.1 cho 10%", "write 0.1 for 10%")),
                );
                None
            }
            Some(q) => Some((*q.get_ref(), rounding, base)),
            None => None,
        };
        if a.top.is_none() && a.quota.is_none() && !a.all_passing {
            diags.push(
                src.diag(
                    a.id.span(),
                    crate::tr!(
                        "khen thưởng `{id}` không nói bao nhiêu đơn vị được đề nghị",
                        "award `{id}` does not say how many units are proposed"
                    ),
                )
                .hint(crate::tr!(
                    "dùng top = N, quota = 0.1 hoặc all_passing = true",
                    "give top = N, quota = 0.1 or all_passing = true"
                )),
            );
        }
        let mut ties = a
            .ties
            .as_ref()
            .and_then(|t| {
                word(
                    &src,
                    t,
                    &[
                        ("include", Ties::Include),
                        ("vote", Ties::Vote),
                        ("break", Ties::Vote),
                    ],
                    &mut diags,
                )
            })
            .unwrap_or(Ties::Vote);
        let breaks = a.ties.as_ref().is_some_and(|t| t.get_ref() == "break");
        if breaks {
            ties = a
                .tie_fallback
                .as_ref()
                .and_then(|t| {
                    word(
                        &src,
                        t,
                        &[("include", Ties::Include), ("vote", Ties::Vote)],
                        &mut diags,
                    )
                })
                .unwrap_or(Ties::Vote);
        }
        let tie_break: Vec<String> = a
            .tie_break
            .iter()
            .flatten()
            .filter_map(|n| {
                if nodes.contains(&n.get_ref().as_str()) {
                    Some(n.get_ref().clone())
                } else {
                    diags.push(src.diag(
                        n.span(),
                        crate::tr!(
                            "`{}` không phải mã lĩnh vực hay tiêu chí",
                            "`{}` is not an area or criterion id",
                            n.get_ref()
                        ),
                    ));
                    None
                }
            })
            .collect();
        if breaks && tie_break.is_empty() && a.tie_break.is_none() {
            diags.push(src.diag(
                a.ties.as_ref().map_or(span.clone(), |t| t.span()),
                crate::tr!(
                    "ties = \"break\" cần tie_break = [mã tiêu chí…]",
                    "ties = \"break\" needs tie_break = [criterion ids…]"
                ),
            ));
        }
        let after: Vec<String> = a
            .after
            .iter()
            .filter_map(|x| {
                if ids.contains(x.get_ref()) {
                    Some(x.get_ref().clone())
                } else {
                    diags.push(src.diag(
                        x.span(),
                        crate::tr!(
                            "`{}` không phải mã của một khen thưởng khai báo phía trên",
                            "`{}` is not the id of an award declared above",
                            x.get_ref()
                        ),
                    ));
                    None
                }
            })
            .collect();
        let g = a.gates.as_ref();
        let empty = RawGates::default();
        let g = g.unwrap_or(&empty);
        let mut gates = Gates {
            min_grade: g.min_grade.as_ref().and_then(|m| grade(m, &mut diags)),
            min_index: g.min_index.as_ref().map(|m| *m.get_ref()),
            no_disqualifying: g.no_disqualifying,
            no_missing: g.no_missing,
            not_declined: g.not_declined,
            min_probability: None,
            tests: Vec::new(),
        };
        if let Some(p) = &g.min_probability {
            if !(0.0..=1.0).contains(p.get_ref()) {
                diags.push(src.diag(
                    p.span(),
                    crate::tr!("xác suất từ 0 đến 1", "a probability is between 0 and 1"),
                ));
            } else {
                gates.min_probability = Some(*p.get_ref());
            }
        }
        for t in &g.tests {
            match parse_test(t.get_ref()) {
                None => diags.push(
                    src.diag(
                        t.span(),
                        crate::tr!(
                            "không hiểu điều kiện `{}`",
                            "cannot read the test `{}`",
                            t.get_ref()
                        ),
                    )
                    .hint(crate::tr!(
                        "viết chỉ_số phép_so_sánh giá_trị, ví dụ \"khieu_nai_dong_nguoi == 0\"",
                        "write indicator operator value, e.g. \"khieu_nai_dong_nguoi == 0\""
                    )),
                ),
                Some((ind, _, _)) if !indicators.contains(&text::key(&ind)) => diags.push(
                    src.diag(
                        t.span(),
                        crate::tr!(
                            "chỉ số `{ind}` không có trong bộ tiêu chí",
                            "indicator `{ind}` is not in the criteria"
                        ),
                    )
                    .hint(crate::tr!(
                        "điều kiện dùng các chỉ số mà bộ tiêu chí đọc",
                        "tests use indicators the criteria read"
                    )),
                ),
                Some((indicator, op, value)) => gates.tests.push(Test {
                    indicator,
                    op,
                    value,
                    written: t.get_ref().clone(),
                }),
            }
        }
        ids.push(id.clone());
        awards.push(Award {
            id,
            name: text::nfc(a.name.get_ref()),
            name_en: a.name_en.clone(),
            scope,
            unit_types: a
                .unit_types
                .iter()
                .flatten()
                .map(|t| text::key(t.get_ref()))
                .collect(),
            top,
            quota,
            all_passing: a.all_passing,
            ties,
            tie_break,
            after,
            gates,
        });
    }
    if raw.award.is_empty() {
        diags.push(src.diag(
            raw.name.span(),
            crate::tr!(
                "tệp quy định chưa có khen thưởng nào ([[award]])",
                "the rules file has no award ([[award]])"
            ),
        ));
    }
    if !diags.is_empty() {
        diags.sort_by_key(|d| (d.line, d.column));
        return Err(Error::Criteria(diags));
    }
    Ok(Rules {
        path: name.to_string(),
        sha256: String::new(),
        name: text::nfc(raw.name.get_ref()),
        name_en: raw.name_en,
        basis: raw.basis,
        awards,
    })
}

// ------------------------------------------------------------------------------- selection

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Proposed,
    NotProposed,
    Vote,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Proposed => "proposed",
            Decision::NotProposed => "not_proposed",
            Decision::Vote => "referred_to_vote",
        }
    }
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Decision::Proposed => lang.pick("đề nghị", "proposed"),
            Decision::NotProposed => lang.pick("không đề nghị", "not proposed"),
            Decision::Vote => lang.pick("hội đồng bỏ phiếu", "committee vote"),
        }
    }
}

/// One unit considered for one award in one scope.
#[derive(Debug, Clone)]
pub struct Considered {
    pub award: usize,
    pub scope: String,
    /// Index into `Run::scores`.
    pub score: usize,
    pub rank: usize,
    pub of: usize,
    pub decision: Decision,
    pub reason: String,
    /// Excluded by a gate (or by precedence), rather than by the count.
    pub gated: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Proposals {
    pub considered: Vec<Considered>,
    pub notes: Vec<String>,
}

/// A unit's reading of a test's indicator: a number, or 1/0 for yes/no.
fn reading(data: &Dataset, code: &str, indicator: &str) -> Option<f64> {
    match data.get(code, indicator) {
        Lookup::Cell { value, locale, .. } => crate::score::rules::number(value, locale)
            .map(|p| p.value)
            .or_else(|| crate::score::rules::yes_no(value).map(|b| f64::from(u8::from(b)))),
        _ => None,
    }
}

/// Apply the rules. `scores` are in report order with their official ranks.
#[allow(clippy::too_many_arguments)]
pub fn select(
    rules: &Rules,
    criteria: &[Criteria],
    registry: &Registry,
    scores: &[UnitScore],
    data: &Dataset,
    comparison: Option<&YearComparison>,
    probability: Option<&dyn Fn(usize) -> f64>,
    lang: Lang,
) -> Proposals {
    let vi = lang == Lang::Vi;
    let mut out = Proposals::default();
    // Which units each earlier award proposed.
    let mut taken: HashMap<String, Vec<usize>> = HashMap::new();
    for (ai, a) in rules.awards.iter().enumerate() {
        let name = lang.text(&a.name, a.name_en.as_ref()).to_string();
        if a.gates.min_probability.is_some() && probability.is_none() {
            out.notes.push(crate::tr!(
                "{name}: chưa có số liệu độ bất định, điều kiện xác suất tối thiểu chưa áp dụng",
                "{name}: no uncertainty figures, the minimum-probability gate is not applied"
            ));
        }
        if a.gates.not_declined && comparison.is_none() {
            out.notes.push(crate::tr!(
                "{name}: không có kết quả năm trước, điều kiện không giảm chưa áp dụng",
                "{name}: no previous year, the not-declined gate is not applied"
            ));
        }
        // Scopes in a stated order (by label).
        let mut scopes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (si, u) in scores.iter().enumerate() {
            let unit = &registry.units[u.unit];
            if !a.unit_types.is_empty() && !a.unit_types.contains(&unit.unit_type) {
                continue;
            }
            let label = match a.scope {
                Scope::Bloc => unit
                    .bloc
                    .clone()
                    .unwrap_or_else(|| lang.pick("(không có khối)", "(no bloc)").into()),
                Scope::UnitType => unit.unit_type.clone(),
                Scope::Criteria => lang
                    .text(
                        &criteria[u.criteria].name,
                        criteria[u.criteria].name_en.as_ref(),
                    )
                    .to_string(),
            };
            scopes.entry(label).or_default().push(si);
        }
        let mut proposed_here = Vec::new();
        for (scope, mut members) in scopes {
            // Rank within the scope as the official ranking does: by index (comparable across
            // criteria files), equal within the files' tolerance and then by the criteria file's own
            // tie-break chain (for units of the same file); unit code only orders the listing.
            let tie_keys = |s: &UnitScore| -> Vec<f64> {
                let c = &criteria[s.criteria];
                c.ranking
                    .tie_break
                    .iter()
                    .map(|&i| round_half_away(s.node_points[i], 9))
                    .collect()
            };
            members.sort_by(|&x, &y| {
                let (p, q) = (&scores[x], &scores[y]);
                q.index
                    .total_cmp(&p.index)
                    .then_with(|| {
                        if p.criteria == q.criteria {
                            tie_keys(q)
                                .partial_cmp(&tie_keys(p))
                                .unwrap_or(std::cmp::Ordering::Equal)
                        } else {
                            std::cmp::Ordering::Equal
                        }
                    })
                    .then_with(|| {
                        registry.units[p.unit]
                            .code
                            .cmp(&registry.units[q.unit].code)
                    })
            });
            let tol = |s: &UnitScore| {
                let c = &criteria[s.criteria];
                c.ranking.tie_tolerance * 100.0 / c.max_points
            };
            let mut ranks = vec![1usize; members.len()];
            for k in 1..members.len() {
                let (p, q) = (&scores[members[k - 1]], &scores[members[k]]);
                let same = (p.index - q.index).abs() <= tol(p).max(tol(q))
                    && (p.criteria != q.criteria || tie_keys(p) == tie_keys(q));
                ranks[k] = if same { ranks[k - 1] } else { k + 1 };
            }
            let n = members.len();
            // Gates.
            let mut failed: Vec<Option<String>> = vec![None; n];
            for (k, &si) in members.iter().enumerate() {
                let u = &scores[si];
                let c = &criteria[u.criteria];
                let unit = &registry.units[u.unit];
                let mut why: Vec<String> = Vec::new();
                if let Some(prev) = a
                    .after
                    .iter()
                    .find(|p| taken.get(*p).is_some_and(|t| t.contains(&si)))
                {
                    let other = rules
                        .awards
                        .iter()
                        .find(|x| &x.id == prev)
                        .expect("validated");
                    why.push(crate::tr!(
                        "đã được đề nghị {}",
                        "already proposed for {}",
                        lang.text(&other.name, other.name_en.as_ref())
                    ));
                }
                if let Some(g) = &a.gates.min_grade {
                    let need = c
                        .grading
                        .bands
                        .iter()
                        .position(|b| text::key(&b.label) == text::key(g));
                    if need.is_none_or(|need| u.grade > need) {
                        why.push(crate::tr!(
                            "xếp loại {}, yêu cầu {g}",
                            "graded {}, {g} required",
                            crate::i18n::grade_label(&c.grading.bands[u.grade], lang)
                        ));
                    }
                }
                if let Some(m) = a.gates.min_index {
                    if round_half_away(u.index, 2) < m {
                        why.push(crate::tr!(
                            "chỉ số {}% < {}%",
                            "index {}% < {}%",
                            crate::report::view::num2(u.index, lang),
                            crate::report::view::num(m, lang)
                        ));
                    }
                }
                if a.gates.no_disqualifying {
                    for f in &u.flags {
                        if let UnitFlag::Disqualified(id) = f {
                            let d = c.disqualify.iter().find(|d| &d.id == id);
                            why.push(crate::tr!(
                                "có điều kiện hạ loại {id} ({})",
                                "disqualifying condition {id} ({})",
                                d.map_or(String::new(), |d| lang
                                    .text(&d.name, d.name_en.as_ref())
                                    .to_string())
                            ));
                        }
                    }
                }
                if a.gates.no_missing
                    && u.flags.iter().any(|f| {
                        matches!(
                            f,
                            UnitFlag::Missing(_)
                                | UnitFlag::MissingItems(_)
                                | UnitFlag::MissingCondition(_)
                        )
                    })
                {
                    why.push(lang.pick("thiếu dữ liệu", "missing data").to_string());
                }
                if a.gates.not_declined {
                    if let Some(ch) = comparison.and_then(|c| c.of(u.unit)) {
                        if let Some(x) = ch.index_change.filter(|x| *x < 0.0) {
                            why.push(
                                crate::compare::change_words(x, vi)
                                    + lang.pick(" so với năm trước", " on last year"),
                            );
                        }
                    }
                }
                if let (Some(min), Some(p)) = (a.gates.min_probability, probability) {
                    let pr = p(si);
                    if pr < min {
                        why.push(crate::tr!(
                            "xác suất giữ xếp loại {}% < {}%",
                            "probability of the grade {}% < {}%",
                            crate::report::view::num(pr * 100.0, lang),
                            crate::report::view::num(min * 100.0, lang)
                        ));
                    }
                }
                for t in &a.gates.tests {
                    match reading(data, &unit.code, &t.indicator) {
                        Some(x) if t.op.holds(x, t.value) => {}
                        Some(x) => why.push(format!(
                            "{} = {} ({} {})",
                            t.indicator,
                            crate::report::view::num(x, lang),
                            lang.pick("yêu cầu", "required"),
                            t.written
                        )),
                        None => why.push(format!(
                            "{}: {}",
                            t.indicator,
                            lang.pick("không có dữ liệu", "no data")
                        )),
                    }
                }
                if !why.is_empty() {
                    failed[k] = Some(why.join("; "));
                }
            }
            // How many.
            let mut count: Option<usize> = a.top;
            if let Some((share, rounding, base)) = &a.quota {
                let base_n = match base {
                    Base::Units => n,
                    Base::Grade { label, at_least } => members
                        .iter()
                        .filter(|&&si| {
                            let u = &scores[si];
                            let c = &criteria[u.criteria];
                            match c
                                .grading
                                .bands
                                .iter()
                                .position(|b| text::key(&b.label) == text::key(label))
                            {
                                Some(g) if *at_least => u.grade <= g,
                                Some(g) => u.grade == g,
                                None => false,
                            }
                        })
                        .count(),
                };
                let x = share * base_n as f64;
                // The product is rounded to 9 decimals first, so 0.1 × 30 is 3, not 2.9999….
                let x = round_half_away(x, 9);
                let k = match rounding {
                    Rounding::Down => x.floor(),
                    Rounding::Nearest => round_half_away(x, 0),
                    Rounding::Up => x.ceil(),
                } as usize;
                count = Some(count.map_or(k, |c| c.min(k)));
            }
            let eligible: Vec<usize> = (0..n).filter(|&k| failed[k].is_none()).collect();
            let want = count.unwrap_or(eligible.len()).min(eligible.len());
            let mut decision = vec![Decision::NotProposed; n];
            let mut reason: Vec<String> = vec![String::new(); n];
            for &k in eligible.iter().take(want) {
                decision[k] = Decision::Proposed;
            }
            // A tie at the cut: the last one in and the first one out have the same rank.
            if want > 0
                && want < eligible.len()
                && ranks[eligible[want - 1]] == ranks[eligible[want]]
            {
                let r = ranks[eligible[want - 1]];
                let tied: Vec<usize> = eligible
                    .iter()
                    .copied()
                    .filter(|&k| ranks[k] == r)
                    .collect();
                let above = eligible.iter().filter(|&&k| ranks[k] < r).count();
                let seats = want - above;
                // Break by the stated chain of criteria, higher points first.
                let mut order = tied.clone();
                let key = |k: usize| -> Vec<f64> {
                    let u = &scores[members[k]];
                    let c = &criteria[u.criteria];
                    a.tie_break
                        .iter()
                        .map(|id| {
                            c.nodes
                                .iter()
                                .position(|nd| &nd.id == id)
                                .map_or(0.0, |i| round_half_away(u.node_points[i], 6))
                        })
                        .collect()
                };
                order.sort_by(|&x, &y| {
                    key(y)
                        .partial_cmp(&key(x))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                let still_tied = !a.tie_break.is_empty()
                    && seats < order.len()
                    && key(order[seats - 1]) == key(order[seats]);
                for &k in &tied {
                    decision[k] = Decision::NotProposed;
                }
                if !a.tie_break.is_empty() && !still_tied {
                    for (i, &k) in order.iter().enumerate() {
                        if i < seats {
                            decision[k] = Decision::Proposed;
                            reason[k] = crate::tr!(
                                "đồng hạng tại ngưỡng, hơn ở tiêu chí phụ {}",
                                "tied at the cut, ahead on the tie-break {}",
                                a.tie_break.join(", ")
                            );
                        } else {
                            reason[k] = crate::tr!(
                                "đồng hạng tại ngưỡng, kém ở tiêu chí phụ {}",
                                "tied at the cut, behind on the tie-break {}",
                                a.tie_break.join(", ")
                            );
                        }
                    }
                } else {
                    // The tie-break chain left the cut tied (or there is none): the fallback.
                    let tied_at_cut: Vec<usize> = if still_tied {
                        let kcut = key(order[seats - 1]);
                        let better = order.iter().filter(|&&k| key(k) > kcut).count();
                        for &k in order.iter().take(better) {
                            decision[k] = Decision::Proposed;
                        }
                        order.iter().copied().filter(|&k| key(k) == kcut).collect()
                    } else {
                        tied.clone()
                    };
                    for &k in &tied_at_cut {
                        match a.ties {
                            Ties::Include => {
                                decision[k] = Decision::Proposed;
                                reason[k] = lang
                                    .pick(
                                        "đồng hạng tại ngưỡng, đề nghị cả các đơn vị đồng hạng",
                                        "tied at the cut, all tied units proposed",
                                    )
                                    .to_string();
                            }
                            Ties::Vote => {
                                decision[k] = Decision::Vote;
                                reason[k] = lang
                                    .pick(
                                        "đồng hạng tại ngưỡng — đề nghị hội đồng bỏ phiếu",
                                        "tied at the cut — referred to the committee's vote",
                                    )
                                    .to_string();
                            }
                        }
                    }
                }
            }
            let how_many = match count {
                Some(c) => c.to_string(),
                None => lang
                    .pick("mọi đơn vị đạt điều kiện", "every unit passing")
                    .to_string(),
            };
            for k in 0..n {
                let gated = failed[k].is_some();
                if let Some(f) = &failed[k] {
                    reason[k] = format!("{}: {f}", lang.pick("không đạt", "not eligible"));
                } else if reason[k].is_empty() {
                    reason[k] = match decision[k] {
                        Decision::Proposed => crate::tr!(
                            "đứng thứ {}/{n} – {scope}",
                            "ranked {}/{n} – {scope}",
                            ranks[k]
                        ),
                        _ => crate::tr!(
                            "đứng thứ {}/{n}, ngoài số được đề nghị ({how_many})",
                            "ranked {}/{n}, beyond the number proposed ({how_many})",
                            ranks[k]
                        ),
                    };
                }
                if decision[k] == Decision::Proposed {
                    proposed_here.push(members[k]);
                }
                out.considered.push(Considered {
                    award: ai,
                    scope: scope.clone(),
                    score: members[k],
                    rank: ranks[k],
                    of: n,
                    decision: decision[k],
                    reason: std::mem::take(&mut reason[k]),
                    gated,
                });
            }
        }
        taken.insert(a.id.clone(), proposed_here);
    }
    out
}

/// The rules of one award in words, for the report and the method statement.
pub fn describe(a: &Award, lang: Lang) -> String {
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
        let pct = crate::report::view::num(share * 100.0, lang);
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
            crate::report::view::num(x, lang)
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
            crate::report::view::num(p * 100.0, lang)
        ));
    }
    for t in &g.tests {
        gates.push(t.written.clone());
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
            a.after.join(", ")
        ));
    }
    s
}
