//! Scoring units against validated criteria, in four steps with one job each: `plan` compiles a
//! criteria file once; `bind` is the only step that reads cells (a units × leaves matrix and,
//! separately, the trace; every data problem collected); `evaluate` turns the matrix into points,
//! totals, index and grade as a pure function of (plan, matrix, parameters), unit by unit with
//! an optional explanation (a Monte-Carlo replication re-scores only the leaves that moved, and
//! totals and grades them through the same `evaluate::combine` and `evaluate::capped_grade`);
//! ranking lives in `rank`. [`score_all`]
//! runs them for `score` and builds each unit's per-point explanation from the very evaluation
//! that produced its numbers.

pub mod bind;
pub mod evaluate;
pub mod plan;
pub mod rules;

use crate::input::criteria::model::*;
use crate::input::criteria::Criteria;
use crate::input::dataset::Dataset;
use crate::input::units::{Registry, Source};
use crate::support::error::{DataIssue, Error, Result};

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
    /// Every flag, in the order a row lists them.
    pub const ALL: [Flag; 7] = [
        Flag::Missing,
        Flag::NotApplicable,
        Flag::NoSurvey,
        Flag::Rebased,
        Flag::NotInScope,
        Flag::BelowBands,
        Flag::Capped,
    ];

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
    /// Bonus or penalty items written not applicable (scored 0).
    NotApplicableItems(usize),
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
            UnitFlag::NotApplicableItems(n) => format!("not_applicable_items:{n}"),
            UnitFlag::BonusCapped => "bonus_capped".into(),
            UnitFlag::PenaltyCapped => "penalty_capped".into(),
            UnitFlag::TotalClamped => "total_clamped".into(),
            UnitFlag::MissingCondition(id) => format!("missing_condition:{id}"),
            UnitFlag::Disqualified(id) => format!("disqualified:{id}"),
        }
    }
}

/// A set of leaf flags, as bits; iterated in the order of [`Flag::ALL`] (the order reports print).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlagSet(u8);

impl FlagSet {
    pub fn set(&mut self, f: Flag) {
        self.0 |= 1 << f as u8;
    }
    pub fn contains(self, f: Flag) -> bool {
        self.0 & (1 << f as u8) != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.contains(*f))
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
    pub flags: Vec<UnitFlag>,
}

/// What scoring a run gives: each unit's scores, in registry order (`rank::ranking` ranks
/// them), and each criteria file's bound cells, kept for the analyses that re-score through the
/// core (the uncertainty, the audit), so a run binds its cells once.
pub struct Scoring {
    pub scores: Vec<UnitScore>,
    /// Per criteria file (by index): the cells of the units it covers.
    pub bounds: Vec<bind::Bound>,
}

/// Score every unit of the registry whose type a criteria file covers, keeping the bound cells.
pub fn score_run(criteria: &[Criteria], registry: &Registry, data: &Dataset) -> Result<Scoring> {
    score_with(criteria, registry, data, None).map(|(scores, bounds)| Scoring { scores, bounds })
}

/// Score every unit of the registry whose type a criteria file covers. Units are returned in
/// registry order; `rank::ranking` ranks them.
pub fn score_all(
    criteria: &[Criteria],
    registry: &Registry,
    data: &Dataset,
) -> Result<Vec<UnitScore>> {
    score_with(criteria, registry, data, None).map(|(s, _)| s)
}

/// [`score_all`], with relative rules measuring each unit against the best value of
/// `benchmark` instead of the best of `data`: a unit's self-assessment is compared with the
/// province's appraised best, not with the other units' claims.
pub fn score_against(
    criteria: &[Criteria],
    registry: &Registry,
    data: &Dataset,
    benchmark: Option<&Dataset>,
) -> Result<Vec<UnitScore>> {
    score_with(criteria, registry, data, benchmark).map(|(s, _)| s)
}

/// The members of criteria file `c`: the registry's units of the types it covers, in registry
/// order (the rows of its bound cells).
pub fn members(c: &Criteria, registry: &Registry) -> Vec<usize> {
    (0..registry.units.len())
        .filter(|&u| c.covers(&registry.units[u].unit_type))
        .collect()
}

fn score_with(
    criteria: &[Criteria],
    registry: &Registry,
    data: &Dataset,
    benchmark: Option<&Dataset>,
) -> Result<(Vec<UnitScore>, Vec<bind::Bound>)> {
    let mut out = Vec::new();
    let mut bounds = Vec::with_capacity(criteria.len());
    let mut issues = Vec::new();
    for (ci, c) in criteria.iter().enumerate() {
        let members = members(c, registry);
        let plan = plan::Plan::compile(c);
        let (bound, mut trace) = bind::bind(&plan, &members, registry, data, &mut issues);
        let mut best = vec![None; plan.leaves.len()];
        match benchmark {
            Some(b) => {
                // The benchmark's own problems are reported by its own scoring.
                let (reference, _) = bind::bind(&plan, &members, registry, b, &mut Vec::new());
                evaluate::best_values(&plan, &reference, &mut best);
            }
            None => evaluate::best_values(&plan, &bound, &mut best),
        }
        out.extend(explain(
            ci,
            &plan,
            &bound,
            &mut trace,
            &best,
            registry,
            &mut issues,
        ));
        bounds.push(bound);
    }
    if issues.is_empty() {
        Ok((out, bounds))
    } else {
        Err(Error::Data(issues))
    }
}

/// The sink that turns one evaluation into the per-point explanation reports print.
struct Explain<'a> {
    plan: &'a plan::Plan<'a>,
    /// Moved from, cell by cell: each value's text and source go to its unit's explanation.
    trace: &'a mut bind::Trace,
    bound: &'a bind::Bound,
    mi: usize,
    leaves: Vec<(usize, Scored)>,
    items: Vec<(bool, usize, Scored)>,
    flags: Vec<UnitFlag>,
}

impl evaluate::Sink for Explain<'_> {
    fn leaf(&mut self, l: usize, points: f64, max: f64, flags: FlagSet) {
        let k = self.mi * self.bound.n_leaves + l;
        let value = match self.bound.cells[k] {
            bind::Cell::Num(x) => Some(x),
            _ => None,
        };
        self.leaves.push((
            self.plan.leaves[l].node,
            Scored {
                raw: std::mem::take(&mut self.trace.leaf_raw[k]),
                value,
                points,
                max,
                flags: flags.iter().collect(),
                source: self.trace.leaf_source[k].take(),
            },
        ));
    }

    fn item(&mut self, i: usize, points: f64, flags: FlagSet) {
        let k = self.mi * self.bound.n_items + i;
        let ip = &self.plan.items[i];
        let value = match self.bound.items[k] {
            bind::Cell::Num(x) => Some(x),
            _ => None,
        };
        self.items.push((
            ip.is_penalty,
            ip.index,
            Scored {
                raw: std::mem::take(&mut self.trace.item_raw[k]),
                value,
                points,
                max: ip.item.max,
                flags: flags.iter().collect(),
                source: self.trace.item_source[k].take(),
            },
        ));
    }

    fn unit_flag(&mut self, make: impl FnOnce() -> UnitFlag) {
        self.flags.push(make());
    }
}

fn explain(
    ci: usize,
    plan: &plan::Plan,
    bound: &bind::Bound,
    trace: &mut bind::Trace,
    best: &[Option<f64>],
    registry: &Registry,
    issues: &mut Vec<DataIssue>,
) -> Vec<UnitScore> {
    let c = plan.criteria;
    let params = plan.nominal();
    let mut scratch = evaluate::Scratch::new(plan);
    let mut units = Vec::with_capacity(bound.members.len());
    for (mi, &u) in bound.members.iter().enumerate() {
        let mut sink = Explain {
            plan,
            trace,
            bound,
            mi,
            leaves: Vec::with_capacity(plan.leaves.len()),
            items: Vec::with_capacity(plan.items.len()),
            flags: Vec::new(),
        };
        let t = evaluate::unit(plan, bound, mi, &params, best, &mut scratch, &mut sink);
        if t.tree_max <= 0.0 {
            issues.push(DataIssue {
                file: registry.file.clone(),
                row: None,
                column: None,
                message: crate::tr!(
                    "đơn vị `{}` không còn tiêu chí nào áp dụng để chấm",
                    "unit `{}` has no applicable criterion left to score",
                    registry.units[u].code
                ),
            });
        }
        let disqualified = (0..c.disqualify.len())
            .filter(|&d| bound.condition(mi, d) == bind::CondState::Met)
            .collect();
        units.push(UnitScore {
            unit: u,
            criteria: ci,
            leaves: sink.leaves,
            node_points: scratch.node_points.clone(),
            node_max: scratch.node_max.clone(),
            tree_points: t.tree_points,
            tree_max: t.tree_max,
            items: sink.items,
            bonus: t.bonus,
            penalty: t.penalty,
            total: t.total,
            index: t.index,
            grade: t.grade,
            disqualified,
            flags: sink.flags,
        });
    }
    units
}

/// The band an index falls in, on the basis the file states.
pub fn grade_of(g: &Grading, index: f64) -> usize {
    evaluate::grade_with(g, g.basis, index)
}
