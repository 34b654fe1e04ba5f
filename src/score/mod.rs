//! Scoring units against validated criteria: each leaf's rule (via `rules`), the tree roll-up
//! with not-applicable re-basing and survey rescaling, bonus and penalty sections, the index,
//! the grade and disqualifying caps. Plain typed Rust over a small units × leaves matrix, so every
//! point keeps its trace (value as read, source cell, flags). Ranking lives in `rank`.

pub mod rules;

use crate::criteria::model::*;
use crate::criteria::Criteria;
use crate::dataset::{Dataset, Lookup};
use crate::error::{DataIssue, Error, Result};
use crate::i18n::Lang;
use crate::ingest::Value;
use crate::numfmt::{self, Locale};
use crate::units::{Registry, Source};
use rules::{Note, Reading};

/// What happened to one leaf or item, beyond its plain rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Missing,
    NotApplicable,
    /// Left out of the unit's maximum (not applicable with `rebase`, or no survey with `rescale`).
    Rebased,
    NoSurvey,
    /// The criterion does not apply to this unit type (`applies_to`).
    NotInScope,
    BelowBands,
    Capped,
}

impl Flag {
    pub fn code(self) -> &'static str {
        match self {
            Flag::Missing => "missing",
            Flag::NotApplicable => "not_applicable",
            Flag::Rebased => "rebased",
            Flag::NoSurvey => "no_survey",
            Flag::NotInScope => "not_in_scope",
            Flag::BelowBands => "below_bands",
            Flag::Capped => "capped",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Flag::Missing => lang.pick("thiếu dữ liệu", "missing"),
            Flag::NotApplicable => lang.pick("không áp dụng", "not applicable"),
            Flag::Rebased => lang.pick("không tính vào điểm tối đa", "left out of the maximum"),
            Flag::NoSurvey => lang.pick("không có điều tra XHH", "no survey data"),
            Flag::NotInScope => lang.pick("không thuộc loại đơn vị", "not for this unit type"),
            Flag::BelowBands => lang.pick("dưới mức thấp nhất", "below every band"),
            Flag::Capped => lang.pick("chạm mức tối đa", "capped"),
        }
    }
}

/// What happened to a unit as a whole, beyond its points. Reports render these; nothing parses
/// them back. `code` is the stable machine form written to `results.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitFlag {
    /// No survey data; survey leaves left the maximum (appraisal points rescaled).
    NoSurveyRescaled,
    /// No survey data; survey leaves scored 0.
    NoSurveyZero,
    /// Tree leaves with no value (scored 0).
    Missing(usize),
    /// Tree leaves not applicable.
    NotApplicable(usize),
    /// Bonus or penalty items with no value (scored 0).
    MissingItems(usize),
    BonusCapped,
    PenaltyCapped,
    TotalClamped,
    /// A disqualifying condition whose indicator is empty: treated as not met.
    MissingCondition(String),
    /// A disqualifying condition met: the grade is capped.
    Disqualified(String),
}

impl UnitFlag {
    pub fn code(&self) -> String {
        match self {
            UnitFlag::NoSurveyRescaled => "no_survey_rescaled".into(),
            UnitFlag::NoSurveyZero => "no_survey_zero".into(),
            UnitFlag::Missing(n) => format!("missing:{n}"),
            UnitFlag::NotApplicable(n) => format!("not_applicable:{n}"),
            UnitFlag::MissingItems(n) => format!("missing_items:{n}"),
            UnitFlag::BonusCapped => "bonus_capped".into(),
            UnitFlag::PenaltyCapped => "penalty_capped".into(),
            UnitFlag::TotalClamped => "total_clamped".into(),
            UnitFlag::MissingCondition(id) => format!("missing_condition:{id}"),
            UnitFlag::Disqualified(id) => format!("disqualified:{id}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scored {
    /// The value as read ("" when absent).
    pub raw: String,
    /// The number the rule used (rates in percent), when numeric.
    pub value: Option<f64>,
    pub points: f64,
    /// The maximum this unit is measured against (0 when re-based away).
    pub max: f64,
    pub flags: Vec<Flag>,
    pub source: Option<Source>,
}

#[derive(Debug, Clone)]
pub struct UnitScore {
    /// Index into the registry.
    pub unit: usize,
    /// Index into the criteria files.
    pub criteria: usize,
    /// Per leaf of the criteria, in tree order: (node index, score).
    pub leaves: Vec<(usize, Scored)>,
    /// Per node: points and effective maximum.
    pub node_points: Vec<f64>,
    pub node_max: Vec<f64>,
    pub tree_points: f64,
    pub tree_max: f64,
    /// (is_penalty, item index, score).
    pub items: Vec<(bool, usize, Scored)>,
    pub bonus: f64,
    pub penalty: f64,
    pub total: f64,
    pub index: f64,
    /// Index into the grade bands.
    pub grade: usize,
    /// Disqualifying conditions met (indices).
    pub disqualified: Vec<usize>,
    pub rank: usize,
    pub rank_of: usize,
    /// The ranking group's label (unit type, bloc, or the file's types).
    pub group: String,
    pub flags: Vec<UnitFlag>,
}

/// One indicator for a unit: the cell, its table's locale, whether its table declared plain
/// rates as fractions, its source, and the file that lacks the unit's row.
struct Looked {
    value: Value,
    locale: Locale,
    fraction: bool,
    source: Option<Source>,
    norow: Option<String>,
}

fn lookup(data: &Dataset, code: &str, indicator: &str) -> Looked {
    match data.get(code, indicator) {
        Lookup::Cell {
            value,
            locale,
            fraction,
            source,
        } => Looked {
            value: value.clone(),
            locale,
            fraction,
            source: Some(source),
            norow: None,
        },
        Lookup::NoRow { file } => Looked {
            value: Value::Empty,
            locale: Locale::Vi,
            fraction: false,
            source: None,
            norow: Some(file.to_string()),
        },
        Lookup::Absent => Looked {
            value: Value::Empty,
            locale: Locale::Vi,
            fraction: false,
            source: None,
            norow: None,
        },
    }
}

/// The policy for plain rates in a cell: the table's declaration wins over the criteria file.
fn rates_for(l: &Looked, policy: Rates) -> Rates {
    if l.fraction {
        Rates::Fraction
    } else {
        policy
    }
}

/// "(tiêu chí 7.7, đơn vị XA002)" in the run's language.
fn at_leaf(what: &str, id: &str, unit: &str) -> String {
    let vi = crate::i18n::current() == Lang::Vi;
    let word = match (what, vi) {
        ("criterion", true) => "tiêu chí",
        ("item", true) => "mục",
        ("condition", true) => "điều kiện",
        (w, _) => w,
    };
    if vi {
        format!("({word} {id}, đơn vị {unit})")
    } else {
        format!("({word} {id}, unit {unit})")
    }
}

fn issue(src: &Option<Source>, file_without_row: &Option<String>, msg: String) -> DataIssue {
    match src {
        Some(s) => DataIssue {
            file: s.file.clone(),
            row: Some(s.row),
            column: Some(s.column.clone()),
            message: msg,
        },
        None => DataIssue {
            file: file_without_row.clone().unwrap_or_default(),
            row: None,
            column: None,
            message: msg,
        },
    }
}

/// Score every unit of the registry whose type a criteria file covers. Units are returned in
/// registry order; ranks are filled in by `rank::assign`.
pub fn score_all(
    criteria: &[Criteria],
    registry: &Registry,
    data: &Dataset,
) -> Result<Vec<UnitScore>> {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    for (ci, c) in criteria.iter().enumerate() {
        let members: Vec<usize> = (0..registry.units.len())
            .filter(|&u| c.covers(&registry.units[u].unit_type))
            .collect();
        out.extend(score_set(ci, c, &members, registry, data, &mut issues));
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(Error::Data(issues))
    }
}

struct Read {
    reading: Reading,
    raw: String,
    source: Option<Source>,
}

fn score_set(
    ci: usize,
    c: &Criteria,
    members: &[usize],
    registry: &Registry,
    data: &Dataset,
    issues: &mut Vec<DataIssue>,
) -> Vec<UnitScore> {
    let leaves: Vec<(usize, &Node, &Rule)> = c.leaves().collect();
    // Pass 1: read every (leaf, unit) cell.
    let mut reads: Vec<Vec<Read>> = Vec::with_capacity(leaves.len());
    // Missing survey values under `missing = "error"` wait until we know whether the unit was
    // surveyed at all: a unit with no survey data follows `survey_absent`, not `missing`.
    let mut deferred: Vec<(usize, DataIssue)> = Vec::new();
    for &(_, node, rule) in &leaves {
        // A structural gap — no unit of this file has a value — is one message, not one per
        // unit: the table or column is missing, not the units' data.
        let gap = systematic_gap(c, node, rule, members, registry, data);
        if let Some(msg) = &gap {
            if !node.survey {
                issues.push(msg.clone());
            }
        }
        let mut col = Vec::with_capacity(members.len());
        for &u in members {
            let unit = &registry.units[u];
            if !node.applies(&unit.unit_type) {
                col.push(Read {
                    reading: Reading::NotApplicable,
                    raw: String::new(),
                    source: None,
                });
                continue;
            }
            let l = lookup(data, &unit.code, &rule.indicator);
            let rates = rates_for(&l, c.policy.rates);
            let Looked {
                value,
                locale,
                source,
                norow,
                ..
            } = l;
            let reading = match rules::read(rule, node.max, &value, locale, rates) {
                Ok(r) => r,
                Err(msg) => {
                    issues.push(issue(
                        &source,
                        &norow,
                        format!("{msg} {}", at_leaf("criterion", &node.id, &unit.code)),
                    ));
                    Reading::Missing
                }
            };
            if reading == Reading::Missing
                && node.missing == MissingPolicy::Error
                && value == Value::Empty
                && gap.is_none()
                && !data.holders(&rule.indicator).is_empty()
            {
                let why = match &norow {
                    Some(f) => crate::tr!(
                        "đơn vị `{}` không có dòng nào trong {f}, tệp chứa `{}`",
                        "unit `{}` has no row in {f}, which holds `{}`",
                        unit.code,
                        rule.indicator
                    ),
                    None => crate::tr!(
                        "giá trị `{}` bị trống",
                        "the value of `{}` is empty",
                        rule.indicator
                    ),
                };
                let problem = issue(
                    &source,
                    &norow,
                    crate::tr!(
                        "{why}; tiêu chí {} coi thiếu dữ liệu là lỗi",
                        "{why}; criterion {} treats missing values as errors",
                        node.id
                    ),
                );
                if node.survey {
                    deferred.push((col.len(), problem));
                } else {
                    issues.push(problem);
                }
            }
            col.push(Read {
                reading,
                raw: value.as_read(),
                source,
            });
        }
        reads.push(col);
    }
    let unsurveyed: Vec<bool> = members
        .iter()
        .enumerate()
        .map(|(mi, &u)| {
            let t = &registry.units[u].unit_type;
            let mut survey = (0..leaves.len())
                .filter(|&l| leaves[l].1.survey && leaves[l].1.applies(t))
                .peekable();
            survey.peek().is_some() && survey.all(|l| reads[l][mi].reading == Reading::Missing)
        })
        .collect();
    issues.extend(
        deferred
            .into_iter()
            .filter(|(mi, _)| !unsurveyed[*mi])
            .map(|(_, i)| i),
    );
    // Best values for relative rules, among the units scored together.
    let best: Vec<Option<f64>> = leaves
        .iter()
        .zip(&reads)
        .map(|(&(_, _, rule), col)| match rule.kind {
            RuleKind::Relative { lower_better } => col
                .iter()
                .filter_map(|r| match r.reading {
                    Reading::Num(x) => Some(x),
                    _ => None,
                })
                .reduce(|a, b| if lower_better { a.min(b) } else { a.max(b) }),
            _ => None,
        })
        .collect();

    let mut units = Vec::with_capacity(members.len());
    for (mi, &u) in members.iter().enumerate() {
        let unit = &registry.units[u];
        let mut flags: Vec<UnitFlag> = Vec::new();
        // A unit has no survey data when every survey leaf that applies to it is missing.
        let survey: Vec<usize> = (0..leaves.len())
            .filter(|&l| leaves[l].1.survey && leaves[l].1.applies(&unit.unit_type))
            .collect();
        let no_survey = !survey.is_empty()
            && survey
                .iter()
                .all(|&l| reads[l][mi].reading == Reading::Missing);
        if no_survey {
            flags.push(match c.policy.survey_absent {
                SurveyAbsent::Rescale => UnitFlag::NoSurveyRescaled,
                SurveyAbsent::Zero => UnitFlag::NoSurveyZero,
            });
        }
        let mut leaf_scores = Vec::with_capacity(leaves.len());
        let mut node_points = vec![0.0; c.nodes.len()];
        let mut node_max = vec![0.0; c.nodes.len()];
        for (l, &(ni, node, rule)) in leaves.iter().enumerate() {
            let r = &reads[l][mi];
            let mut s = Scored {
                raw: r.raw.clone(),
                value: match r.reading {
                    Reading::Num(x) => Some(x),
                    _ => None,
                },
                points: 0.0,
                max: node.max,
                flags: vec![],
                source: r.source.clone(),
            };
            if !node.applies(&unit.unit_type) {
                s.max = 0.0;
                s.flags.push(Flag::NotInScope);
            } else {
                match r.reading {
                    Reading::Missing if no_survey && node.survey => {
                        s.flags.push(Flag::NoSurvey);
                        if c.policy.survey_absent == SurveyAbsent::Rescale {
                            s.max = 0.0;
                            s.flags.push(Flag::Rebased);
                        }
                    }
                    Reading::Missing => s.flags.push(Flag::Missing),
                    Reading::NotApplicable => {
                        s.flags.push(Flag::NotApplicable);
                        match node.not_applicable {
                            NaPolicy::FullPoints => s.points = node.max,
                            NaPolicy::Rebase => {
                                s.max = 0.0;
                                s.flags.push(Flag::Rebased);
                            }
                        }
                    }
                    reading => match rules::points(rule, node.max, reading, best[l]) {
                        Ok((p, note)) => {
                            s.points = p;
                            match note {
                                Note::BelowBands => s.flags.push(Flag::BelowBands),
                                Note::Capped => s.flags.push(Flag::Capped),
                                Note::None => {}
                            }
                        }
                        Err(msg) => issues.push(issue(
                            &r.source,
                            &None,
                            format!("{msg} {}", at_leaf("criterion", &node.id, &unit.code)),
                        )),
                    },
                }
            }
            node_points[ni] = s.points;
            node_max[ni] = s.max;
            leaf_scores.push((ni, s));
        }
        // Roll up: children come after their parent in pre-order, so go backwards.
        for ni in (0..c.nodes.len()).rev() {
            if let NodeKind::Group { children } = &c.nodes[ni].kind {
                node_points[ni] = children.iter().map(|&k| node_points[k]).sum();
                node_max[ni] = children.iter().map(|&k| node_max[k]).sum();
            }
        }
        let tree_points: f64 = c.areas.iter().map(|&a| node_points[a]).sum();
        let tree_max: f64 = c.areas.iter().map(|&a| node_max[a]).sum();
        let n_missing = leaf_scores
            .iter()
            .filter(|(_, s)| s.flags.contains(&Flag::Missing))
            .count();
        let n_na = leaf_scores
            .iter()
            .filter(|(_, s)| s.flags.contains(&Flag::NotApplicable))
            .count();
        if n_missing > 0 {
            flags.push(UnitFlag::Missing(n_missing));
        }
        if n_na > 0 {
            flags.push(UnitFlag::NotApplicable(n_na));
        }
        if tree_max <= 0.0 {
            issues.push(DataIssue {
                file: registry.file.clone(),
                row: None,
                column: None,
                message: crate::tr!(
                    "đơn vị `{}` không còn tiêu chí nào áp dụng để chấm",
                    "unit `{}` has no applicable criterion left to score",
                    unit.code
                ),
            });
        }
        let scaled = if tree_max > 0.0 {
            tree_points * c.max_points / tree_max
        } else {
            0.0
        };

        // Bonus and penalty.
        let mut items = Vec::new();
        let mut sums = [0.0f64; 2];
        let mut capped: Vec<UnitFlag> = Vec::new();
        for (is_pen, sec) in [(false, &c.bonus), (true, &c.penalty)] {
            let Some(sec) = sec else { continue };
            for (ii, it) in sec.items.iter().enumerate() {
                let l = lookup(data, &unit.code, &it.rule.indicator);
                let rates = rates_for(&l, c.policy.rates);
                let Looked {
                    value,
                    locale,
                    source,
                    norow,
                    ..
                } = l;
                let mut s = Scored {
                    raw: value.as_read(),
                    value: None,
                    points: 0.0,
                    max: it.max,
                    flags: vec![],
                    source: source.clone(),
                };
                match rules::read(&it.rule, it.max, &value, locale, rates) {
                    Err(msg) => issues.push(issue(
                        &source,
                        &norow,
                        format!("{msg} {}", at_leaf("item", &it.id, &unit.code)),
                    )),
                    Ok(Reading::Missing) => {
                        if c.policy.missing == MissingPolicy::Error
                            && !data.holders(&it.rule.indicator).is_empty()
                        {
                            issues.push(issue(
                                &source,
                                &norow,
                                crate::tr!(
                                    "thiếu giá trị `{}` (mục {}, đơn vị {})",
                                    "the value of `{}` is missing (item {}, unit {})",
                                    it.rule.indicator,
                                    it.id,
                                    unit.code
                                ),
                            ));
                        }
                        s.flags.push(Flag::Missing);
                    }
                    Ok(Reading::NotApplicable) => s.flags.push(Flag::NotApplicable),
                    Ok(reading) => {
                        if let Reading::Num(x) = reading {
                            s.value = Some(x);
                        }
                        match rules::points(&it.rule, it.max, reading, None) {
                            Ok((p, note)) => {
                                s.points = p;
                                if note == Note::Capped {
                                    s.flags.push(Flag::Capped);
                                }
                            }
                            Err(msg) => issues.push(issue(
                                &source,
                                &norow,
                                format!("{msg} {}", at_leaf("item", &it.id, &unit.code)),
                            )),
                        }
                    }
                }
                sums[usize::from(is_pen)] += s.points;
                items.push((is_pen, ii, s));
            }
            if sums[usize::from(is_pen)] > sec.cap {
                capped.push(if is_pen {
                    UnitFlag::PenaltyCapped
                } else {
                    UnitFlag::BonusCapped
                });
            }
        }
        // An empty bonus or penalty cell scores 0: visible like a missing leaf, never silent.
        let n_missing_items = items
            .iter()
            .filter(|(_, _, s)| s.flags.contains(&Flag::Missing))
            .count();
        if n_missing_items > 0 {
            flags.push(UnitFlag::MissingItems(n_missing_items));
        }
        flags.extend(capped);
        let bonus = c.bonus.as_ref().map_or(0.0, |s| sums[0].min(s.cap));
        let penalty = c.penalty.as_ref().map_or(0.0, |s| sums[1].min(s.cap));
        let raw_total = scaled + bonus - penalty;
        let total = raw_total.clamp(0.0, c.max_points);
        if total != raw_total {
            flags.push(UnitFlag::TotalClamped);
        }
        let index = total / c.max_points * 100.0;
        let mut grade = grade_of(&c.grading, index);
        let mut disqualified = Vec::new();
        for (di, d) in c.disqualify.iter().enumerate() {
            let Looked {
                value,
                locale,
                source,
                norow,
                ..
            } = lookup(data, &unit.code, &d.indicator);
            let hit = match (&value, d.test) {
                (Value::Empty, _) => {
                    if c.policy.missing == MissingPolicy::Error
                        && !data.holders(&d.indicator).is_empty()
                    {
                        issues.push(issue(
                            &source,
                            &norow,
                            crate::tr!(
                                "thiếu giá trị `{}` (điều kiện {}, đơn vị {})",
                                "the value of `{}` is missing (condition {}, unit {})",
                                d.indicator,
                                d.id,
                                unit.code
                            ),
                        ));
                    } else {
                        flags.push(UnitFlag::MissingCondition(d.id.clone()));
                    }
                    false
                }
                (v, Test::Yes) => {
                    match rules::yes_no(v) {
                        Some(b) => b,
                        None => {
                            issues.push(issue(
                            &source,
                            &norow,
                            crate::tr!("cần giá trị có/không, nhưng gặp `{}` (điều kiện {}, đơn vị {})", "expected yes/no, found `{}` (condition {}, unit {})",
                                v.as_read(),
                                d.id,
                                unit.code
                            ),
                        ));
                            false
                        }
                    }
                }
                (v, Test::Cmp(op, x)) => match rules::number(v, locale) {
                    Some(p) => op.holds(p.value, x),
                    None => {
                        issues.push(issue(
                            &source,
                            &norow,
                            crate::tr!(
                                "cần một số, nhưng gặp `{}` (điều kiện {}, đơn vị {})",
                                "expected a number, found `{}` (condition {}, unit {})",
                                v.as_read(),
                                d.id,
                                unit.code
                            ),
                        ));
                        false
                    }
                },
            };
            if hit {
                disqualified.push(di);
                flags.push(UnitFlag::Disqualified(d.id.clone()));
                grade = grade.max(d.cap_grade);
            }
        }
        units.push(UnitScore {
            unit: u,
            criteria: ci,
            leaves: leaf_scores,
            node_points,
            node_max,
            tree_points,
            tree_max,
            items,
            bonus,
            penalty,
            total,
            index,
            grade,
            disqualified,
            rank: 0,
            rank_of: 0,
            group: String::new(),
            flags,
        });
    }
    units
}

/// One message when no unit of `members` that `node` applies to has a value for its indicator
/// although some table has the column (an absent column is the dataset's own issue).
fn systematic_gap(
    c: &Criteria,
    node: &Node,
    rule: &Rule,
    members: &[usize],
    registry: &Registry,
    data: &Dataset,
) -> Option<DataIssue> {
    let holders = data.holders(&rule.indicator);
    if holders.is_empty() {
        return None;
    }
    let applicable: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&u| node.applies(&registry.units[u].unit_type))
        .collect();
    if applicable.is_empty() {
        return None;
    }
    let any = applicable.iter().any(|&u| {
        matches!(data.get(&registry.units[u].code, &rule.indicator),
            Lookup::Cell { value, .. } if *value != Value::Empty)
    });
    if any {
        return None;
    }
    let mut types: Vec<&str> = applicable
        .iter()
        .map(|&u| registry.units[u].unit_type.as_str())
        .collect();
    types.sort();
    types.dedup();
    let searched: Vec<String> = holders
        .iter()
        .map(|&(ti, ci)| {
            let t = &data.tables[ti];
            format!("{} ({})", t.name, t.column_label(ci))
        })
        .collect();
    Some(DataIssue {
        file: c.path.clone(),
        row: None,
        column: None,
        message: crate::tr!(
            "không đơn vị loại {} nào có giá trị chỉ số `{}` (tiêu chí {}); đã tìm trong: {}. Có thể thiếu bảng dữ liệu của loại đơn vị này, hoặc cột chỉ có trong bảng của loại khác",
            "no unit of type {} has a value for the indicator `{}` (criterion {}); searched: {}. A data table for this unit type may be missing, or the column is only in another type's table",
            types.join(", "),
            rule.indicator,
            node.id,
            searched.join("; ")
        ),
    })
}

/// The band an index falls in, on the basis the file states.
pub fn grade_of(g: &Grading, index: f64) -> usize {
    let x = match g.basis {
        GradeBasis::RoundedIndex => numfmt::round_half_away(index, 2),
        GradeBasis::UnroundedIndex => index,
    };
    g.bands
        .iter()
        .position(|b| b.min.is_none_or(|m| x >= m))
        .unwrap_or(g.bands.len().saturating_sub(1))
}
