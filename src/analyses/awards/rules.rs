//! Reading an award rules file: TOML with spans, every problem located (scope, quota, grades,
//! indicator tests, tie-break ids, precedence) and reported at once, checked against the criteria
//! the rules apply to.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Award, Base, Gates, Rounding, Rules, Scope, Test, Ties};
use crate::input::criteria::diagnostic::{Diagnostic, Source};
use crate::input::criteria::model::CmpOp;
use crate::input::criteria::Criteria;
use crate::support::error::{Error, Result};
use crate::support::text;

type S<T> = Spanned<T>;

/// The keys of a rules file, per table (checked all at once by `criteria::keys`).
const KEYS: crate::input::criteria::keys::Schema = &[
    ("", &["name", "name_en", "basis", "award"]),
    (
        "award",
        &[
            "id",
            "name",
            "name_en",
            "scope",
            "unit_types",
            "top",
            "quota",
            "quota_rounding",
            "quota_of_grade",
            "quota_reading",
            "all_passing",
            "ties",
            "tie_break",
            "tie_fallback",
            "after",
            "gates",
        ],
    ),
    (
        "award.gates",
        &[
            "min_grade",
            "min_index",
            "no_disqualifying",
            "no_missing",
            "not_declined",
            "min_probability",
            "tests",
        ],
    ),
];

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

/// Does this TOML text look like an awards rules file?
pub fn looks_like_rules(text: &str) -> bool {
    text.parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key("award"))
}

pub fn load(path: &Path, criteria: &[Criteria]) -> Result<Rules> {
    let (bytes, text) = crate::input::criteria::read_config(
        path,
        crate::input::criteria::messages::ConfigKind::AwardRules,
    )?;
    let sha256 = crate::input::criteria::sha256_hex(&bytes);
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
            let value = match text::yes_no(v) {
                Some(yes) => f64::from(u8::from(yes)),
                None => v.replace(',', ".").parse::<f64>().ok()?,
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
    let unknown = crate::input::criteria::keys::unknown(&src, KEYS);
    if !unknown.is_empty() {
        return Err(Error::Config(unknown));
    }
    let raw: RawRules = toml::from_str(text).map_err(|e| {
        Error::Config(vec![src
            .diag(
                e.span().unwrap_or(0..0),
                crate::input::criteria::messages::toml_error(e.message()),
            )
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
        return Err(Error::Config(diags));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the schema lists is one the raw types take.
    #[test]
    fn every_listed_key_is_a_field() {
        crate::input::criteria::keys::assert_every_key_is_a_field::<RawRules>(KEYS, &["award"]);
    }
}
