//! Self-assessment against appraisal (điểm tự đánh giá – điểm thẩm định). Each unit scores
//! itself; the appraisal team's data is what `score` reads as usual. This module layers the
//! self-assessment tables over the appraised data (the survey is never self-assessed), collects
//! the reasons for adjustments (a reason column per criterion in the appraised tables, or a long
//! table: unit, criterion id, reason), and compares the two scorings per unit and criterion:
//! what was claimed, what was granted, the difference, why. It decides nothing about how either
//! side was scored — both come from the same `score` functions.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::input::captions;
use crate::input::criteria::Criteria;
use crate::input::dataset::Dataset;
use crate::input::ingest::{self, LocaleChoice, Table};
use crate::input::units::{Registry, Source};
use crate::scoring::score::{Scored, UnitScore};
use crate::support::error::{DataIssue, Error, Result};
use crate::support::text;

/// Points closer than this are equal (scores are sums of decimals).
const EPS: f64 = 1e-9;

/// Why a value was adjusted, and where that was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub text: String,
    pub source: Source,
}

/// (unit code, criterion id key) → reason.
pub type Reasons = HashMap<(String, String), Reason>;

/// One (unit, criterion) of the comparison.
#[derive(Debug, Clone)]
pub struct Line {
    /// Index into the registry.
    pub unit: usize,
    pub criteria: usize,
    /// "tree", "bonus" or "penalty".
    pub part: &'static str,
    pub id: String,
    pub name: String,
    pub self_value: String,
    pub self_points: f64,
    pub self_source: Option<Source>,
    pub value: String,
    pub points: f64,
    pub source: Option<Source>,
    /// Appraised − self, in points (a cut is negative).
    pub difference: f64,
    pub reason: Option<Reason>,
}

impl Line {
    pub fn adjusted(&self) -> bool {
        self.difference.abs() > EPS
    }
}

/// One unit: self-assessed and appraised totals.
#[derive(Debug, Clone)]
pub struct UnitGap {
    pub unit: usize,
    pub criteria: usize,
    pub self_total: f64,
    pub total: f64,
    /// Appraised − self.
    pub difference: f64,
    pub adjusted: usize,
}

/// One criterion across units: how often it was adjusted and by how much it was cut.
#[derive(Debug, Clone)]
pub struct CriterionGap {
    pub criteria: usize,
    pub id: String,
    pub name: String,
    pub units: usize,
    pub adjusted: usize,
    pub cut: usize,
    /// Mean points cut over the units cut (positive).
    pub mean_cut: f64,
}

/// The whole comparison of a run.
#[derive(Debug, Clone, Default)]
pub struct Appraisal {
    pub lines: Vec<Line>,
    /// Largest cut first.
    pub units: Vec<UnitGap>,
    /// Most often cut first.
    pub criteria: Vec<CriterionGap>,
    /// Adjustments above the threshold with no reason (indices into `lines`).
    pub unexplained: Vec<usize>,
    pub threshold: f64,
}

/// The self-assessment tables over the appraised data: an indicator a self table holds is read
/// from it (a unit missing from the self tables falls back to the appraised row); the survey
/// indicators, and everything the self tables lack, come from the appraised data.
pub fn layered(own: Dataset, appraised: &Dataset, survey: &HashSet<String>) -> Dataset {
    own.over(appraised, survey)
}

/// The survey indicators of the criteria (units do not self-assess the survey).
pub fn survey_indicators(criteria: &[Criteria]) -> HashSet<String> {
    criteria
        .iter()
        .flat_map(|c| c.leaves())
        .filter(|(_, n, _)| n.survey)
        .map(|(_, _, r)| text::key(&r.indicator))
        .collect()
}

/// Reasons written in reason columns ("Lý do điều chỉnh 3.2") of the appraised tables.
pub fn reasons_in_tables(tables: &[Table]) -> Reasons {
    let mut out = Reasons::new();
    for t in tables {
        for ci in 0..t.headers.len() {
            // A two-row header gives "group – sub" and the sub caption alone.
            let Some(id) = t.captions(ci).find_map(captions::reason_column_id) else {
                continue;
            };
            for (ri, row) in t.rows.iter().enumerate() {
                let text = t.cell(ri, ci).as_read();
                let code = t.cell(ri, t.code_col).as_read();
                if text.trim().is_empty() || code.is_empty() {
                    continue;
                }
                out.insert(
                    (code, id.clone()),
                    Reason {
                        text: text.trim().to_string(),
                        source: Source {
                            file: t.name.as_str().into(),
                            row: row.line,
                            column: t.column_label(ci).into(),
                        },
                    },
                );
            }
        }
    }
    out
}

/// A long table of reasons: unit code, criterion id, reason (Vietnamese or English headers).
pub fn reasons_from_file(path: &Path, registry: &Registry) -> Result<Reasons> {
    let t = ingest::read_table(
        path,
        LocaleChoice::Auto,
        &crate::input::units::is_code_header,
    )?;
    let find = |names: &[&str]| {
        t.headers
            .iter()
            .position(|h| names.contains(&text::fold(h).as_str()))
    };
    let id_col = find(&[
        "mã tiêu chí",
        "ma tieu chi",
        "tiêu chí",
        "criterion",
        "criterion id",
        "criterion_id",
    ]);
    let reason_col = find(&["lý do", "ly do", "lý do điều chỉnh", "reason"]);
    let (Some(id_col), Some(reason_col)) = (id_col, reason_col) else {
        return Err(Error::data(
            &t.name,
            crate::tr!(
                "bảng lý do cần các cột mã đơn vị, `Mã tiêu chí` và `Lý do`",
                "a reasons table needs the columns unit code, `criterion_id` and `reason`"
            ),
        ));
    };
    let mut out = Reasons::new();
    let mut issues = Vec::new();
    for (ri, row) in t.rows.iter().enumerate() {
        let code = t.cell(ri, t.code_col).as_read();
        let id = text::key(&t.cell(ri, id_col).as_read());
        let reason = t.cell(ri, reason_col).as_read();
        if code.is_empty() && id.is_empty() && reason.trim().is_empty() {
            continue;
        }
        if !registry.by_code.contains_key(&code) {
            issues.push(DataIssue {
                file: t.name.clone(),
                row: Some(row.line),
                column: Some(t.column_label(t.code_col)),
                message: crate::tr!(
                    "mã đơn vị `{code}` không có trong danh mục đơn vị ({}){}",
                    "unit code `{code}` is not in the unit registry ({}){}",
                    registry.file,
                    crate::input::units::lost_zeros_hint(&code, registry.codes())
                ),
            });
            continue;
        }
        out.insert(
            (code, id),
            Reason {
                text: reason.trim().to_string(),
                source: Source {
                    file: t.name.as_str().into(),
                    row: row.line,
                    column: t.column_label(reason_col).into(),
                },
            },
        );
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(Error::Data(issues))
    }
}

fn source_of(s: &Scored) -> Option<Source> {
    s.source.clone()
}

/// Compare the self-assessed scores with the appraised ones (both for the same units, any
/// order), line by line; `threshold` (points): an adjustment larger than it needs a reason.
pub fn compare(
    criteria: &[Criteria],
    registry: &Registry,
    appraised: &[UnitScore],
    own: &[UnitScore],
    reasons: &Reasons,
    threshold: f64,
) -> Appraisal {
    let by_unit: HashMap<usize, &UnitScore> = own.iter().map(|u| (u.unit, u)).collect();
    let mut a = Appraisal {
        threshold,
        ..Appraisal::default()
    };
    // Appraised scores come in report order (ranking groups); keep it.
    for u in appraised {
        let Some(s) = by_unit.get(&u.unit) else {
            continue;
        };
        let c = &criteria[u.criteria];
        let code = &registry.units[u.unit].code;
        let first = a.lines.len();
        let survey: HashSet<usize> = c
            .leaves()
            .filter(|(_, n, _)| n.survey)
            .map(|(i, _, _)| i)
            .collect();
        for ((ni, x), (_, y)) in u.leaves.iter().zip(&s.leaves) {
            if survey.contains(ni) {
                continue;
            }
            let n = &c.nodes[*ni];
            a.lines
                .push(line(u, "tree", &n.id, &n.name, y, x, reasons, code));
        }
        for ((is_pen, ii, x), (_, _, y)) in u.items.iter().zip(&s.items) {
            let sec = if *is_pen { &c.penalty } else { &c.bonus };
            let Some(sec) = sec else { continue };
            let it = &sec.items[*ii];
            let part = if *is_pen { "penalty" } else { "bonus" };
            let mut l = line(u, part, &it.id, &it.name, y, x, reasons, code);
            if *is_pen {
                // A penalty the appraisal raised is a cut.
                l.difference = -(x.points - y.points);
            }
            a.lines.push(l);
        }
        let adjusted = a.lines[first..].iter().filter(|l| l.adjusted()).count();
        a.units.push(UnitGap {
            unit: u.unit,
            criteria: u.criteria,
            self_total: s.total,
            total: u.total,
            difference: u.total - s.total,
            adjusted,
        });
    }
    for (i, l) in a.lines.iter().enumerate() {
        if l.difference.abs() > threshold + EPS
            && l.reason.as_ref().is_none_or(|r| r.text.is_empty())
        {
            a.unexplained.push(i);
        }
    }
    // Per criterion, in tree order of each file.
    let mut gaps: Vec<CriterionGap> = Vec::new();
    let mut index: HashMap<(usize, String), usize> = HashMap::new();
    let mut cuts: Vec<f64> = Vec::new();
    for l in &a.lines {
        let k = (l.criteria, l.id.clone());
        let i = *index.entry(k).or_insert_with(|| {
            gaps.push(CriterionGap {
                criteria: l.criteria,
                id: l.id.clone(),
                name: l.name.clone(),
                units: 0,
                adjusted: 0,
                cut: 0,
                mean_cut: 0.0,
            });
            cuts.push(0.0);
            gaps.len() - 1
        });
        gaps[i].units += 1;
        if l.adjusted() {
            gaps[i].adjusted += 1;
        }
        if l.difference < -EPS {
            gaps[i].cut += 1;
            cuts[i] += -l.difference;
        }
    }
    for (g, total) in gaps.iter_mut().zip(&cuts) {
        g.mean_cut = if g.cut > 0 { total / g.cut as f64 } else { 0.0 };
    }
    // Most often cut first; then the larger mean cut; then file and tree order (stable).
    gaps.sort_by(|x, y| y.cut.cmp(&x.cut).then(y.mean_cut.total_cmp(&x.mean_cut)));
    a.criteria = gaps;
    // Largest cut first; ties by unit code.
    a.units.sort_by(|x, y| {
        x.difference.total_cmp(&y.difference).then_with(|| {
            registry.units[x.unit]
                .code
                .cmp(&registry.units[y.unit].code)
        })
    });
    a
}

#[allow(clippy::too_many_arguments)]
fn line(
    u: &UnitScore,
    part: &'static str,
    id: &str,
    name: &str,
    own: &Scored,
    appraised: &Scored,
    reasons: &Reasons,
    code: &str,
) -> Line {
    Line {
        unit: u.unit,
        criteria: u.criteria,
        part,
        id: id.to_string(),
        name: name.to_string(),
        self_value: own.raw.clone(),
        self_points: own.points,
        self_source: source_of(own),
        value: appraised.raw.clone(),
        points: appraised.points,
        source: source_of(appraised),
        difference: appraised.points - own.points,
        reason: reasons.get(&(code.to_string(), text::key(id))).cloned(),
    }
}
