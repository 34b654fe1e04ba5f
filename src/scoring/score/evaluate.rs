//! Evaluation: (plan, bound matrix, parameters) → leaf and node points, the unit's maximum after
//! re-basing, bonus and penalty, total, index and grade. Pure and infallible (binding has already
//! refused every value a rule cannot score), with no strings and no allocation once running: the
//! caller owns a [`Scratch`] and reuses it. The per-point explanation comes from the same code
//! through a [`Sink`]; with [`NoSink`] it compiles away, so the numbers a Monte-Carlo
//! replication computes and the trace `score` prints can never disagree.

use super::bind::{Bound, Cell, CondState};
use super::plan::{LeafPlan, Params, Plan};
use super::rules::{self, Note};
use super::{Flag, FlagSet, UnitFlag};
use crate::input::criteria::model::*;
use crate::input::criteria::Criteria;
use crate::support::numfmt;

/// Receives the explanation of an evaluation.
pub trait Sink {
    fn leaf(&mut self, _l: usize, _points: f64, _max: f64, _flags: FlagSet) {}
    fn item(&mut self, _i: usize, _points: f64, _flags: FlagSet) {}
    fn unit_flag(&mut self, _make: impl FnOnce() -> UnitFlag) {}
}

/// The sink of a replication: nothing is explained.
pub struct NoSink;
impl Sink for NoSink {}

/// Buffers an evaluation reuses.
pub struct Scratch {
    pub node_points: Vec<f64>,
    pub node_max: Vec<f64>,
}

impl Scratch {
    pub fn new(plan: &Plan) -> Scratch {
        let n = plan.criteria.nodes.len();
        Scratch {
            node_points: vec![0.0; n],
            node_max: vec![0.0; n],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Totals {
    pub tree_points: f64,
    pub tree_max: f64,
    pub bonus: f64,
    pub penalty: f64,
    pub total: f64,
    pub index: f64,
    /// Index into the grade bands.
    pub grade: usize,
}

/// Best values for relative rules, among the units scored together (written into `best`).
pub fn best_values(plan: &Plan, bound: &Bound, best: &mut [Option<f64>]) {
    for (l, lp) in plan.leaves.iter().enumerate() {
        best[l] = match lp.rule.kind {
            RuleKind::Relative { lower_better } => (0..bound.members.len())
                .filter_map(|mi| match bound.cell(mi, l) {
                    Cell::Num(x) => Some(x),
                    _ => None,
                })
                .reduce(|a, b| better(lower_better, a, b)),
            _ => None,
        };
    }
}

/// The better of two values of a relative rule, `a` the best so far (the units taken in
/// order): the one place "best" is decided, for a run and for a Monte-Carlo replication.
#[inline]
pub fn better(lower_better: bool, a: f64, b: f64) -> f64 {
    if lower_better {
        a.min(b)
    } else {
        a.max(b)
    }
}

/// The grade cap of member `mi`'s disqualifying conditions that are met (0: none).
pub fn disqualified_cap(c: &Criteria, bound: &Bound, mi: usize) -> usize {
    (c.disqualify.iter().enumerate())
        .filter(|&(di, _)| bound.condition(mi, di) == CondState::Met)
        .map(|(_, d)| d.cap_grade)
        .max()
        .unwrap_or(0)
}

/// The grade of an index, no better than `cap` (a disqualifying condition's grade; 0 = none):
/// the one place a unit's grade is decided.
#[inline]
pub fn capped_grade(c: &Criteria, basis: GradeBasis, index: f64, cap: usize) -> usize {
    grade_with(&c.grading, basis, index).max(cap)
}

/// How close to a band's minimum an index must be for its rounding to 2 decimals to matter: the
/// rounding moves it by at most 0.005 (plus binary noise).
const NEAR_A_BOUNDARY: f64 = 0.01;

/// The band an index falls in, on the given basis.
pub fn grade_with(g: &Grading, basis: GradeBasis, index: f64) -> usize {
    // Rounding can change the band only near a band's minimum, so only there is it computed.
    let near_a_boundary = || {
        g.bands
            .iter()
            .any(|b| b.min.is_some_and(|m| (index - m).abs() < NEAR_A_BOUNDARY))
    };
    let x = match basis {
        GradeBasis::RoundedIndex if near_a_boundary() => numfmt::round_half_away(index, 2),
        GradeBasis::RoundedIndex | GradeBasis::UnroundedIndex => index,
    };
    // The first band whose `min` the index reaches; mins strictly decrease (validated), so its
    // position is the number of mins above the index, counted without a data-dependent branch.
    let above: usize = g
        .bands
        .iter()
        .map(|b| usize::from(b.min.is_some_and(|m| x < m)))
        .sum();
    above.min(g.bands.len().saturating_sub(1))
}

/// Whether every index from `lo` to `hi` (numbers, `lo ≤ hi`) gets the same band from
/// [`grade_with`] on either basis: no band's minimum is between them or near either (the
/// replications grade a unit's block of indices once when they all lie between two bands).
pub fn one_grade_within(g: &Grading, lo: f64, hi: f64) -> bool {
    g.bands.iter().all(|b| {
        b.min
            .is_none_or(|m| m < lo - NEAR_A_BOUNDARY || m > hi + NEAR_A_BOUNDARY)
    })
}

/// The unit's figures after the tree: bonus and penalty after their caps, the total before and
/// after clamping to [0, max_points], and the index.
#[derive(Debug, Clone, Copy)]
pub struct Combined {
    pub bonus: f64,
    pub penalty: f64,
    pub raw_total: f64,
    pub total: f64,
    pub index: f64,
}

/// Tree points rescaled to `max_points` (0 when nothing counts), plus the capped bonus, minus the
/// capped penalty (`sums`: the items' points summed per section), clamped; the index. The one
/// place this arithmetic is written: the evaluation of a unit and a Monte-Carlo replication (which
/// passes the nominal bonus and penalty, already capped, and its own tree points) both call it.
#[inline(always)]
pub fn combine(c: &Criteria, tree_points: f64, tree_max: f64, sums: [f64; 2]) -> Combined {
    let scaled = if tree_max > 0.0 {
        tree_points * c.max_points / tree_max
    } else {
        0.0
    };
    let bonus = c.bonus.as_ref().map_or(0.0, |s| sums[0].min(s.cap));
    let penalty = c.penalty.as_ref().map_or(0.0, |s| sums[1].min(s.cap));
    let raw_total = scaled + bonus - penalty;
    let total = raw_total.clamp(0.0, c.max_points);
    Combined {
        bonus,
        penalty,
        raw_total,
        total,
        index: total / c.max_points * 100.0,
    }
}

/// Evaluate member `mi` of `bound`.
pub fn unit(
    plan: &Plan,
    bound: &Bound,
    mi: usize,
    params: &Params,
    best: &[Option<f64>],
    scratch: &mut Scratch,
    sink: &mut impl Sink,
) -> Totals {
    let no_survey = bound.unsurveyed[mi];
    if no_survey {
        sink.unit_flag(|| match params.survey_absent {
            SurveyAbsent::Rescale => UnitFlag::NoSurveyRescaled,
            SurveyAbsent::Zero => UnitFlag::NoSurveyZero,
        });
    }
    let (mut n_missing, mut n_na) = (0usize, 0usize);
    // One unit's row, zipped with the per-leaf plan and parameters: no bounds checks inside.
    let n = plan.leaves.len();
    let row = &bound.cells[mi * n..(mi + 1) * n];
    let leaves = plan
        .leaves
        .iter()
        .zip(row)
        .zip(&params.leaf_max)
        .zip(&params.not_applicable)
        .zip(best)
        .enumerate();
    for (l, ((((lp, &cell), &leaf_max), &na), &best)) in leaves {
        let (points, max, flags) = leaf(
            lp,
            cell,
            leaf_max,
            na,
            best,
            no_survey,
            params.survey_absent,
        );
        n_missing += usize::from(flags.contains(Flag::Missing));
        n_na += usize::from(flags.contains(Flag::NotApplicable));
        scratch.node_points[lp.node] = points;
        scratch.node_max[lp.node] = max;
        sink.leaf(l, points, max, flags);
    }
    finish(
        plan,
        bound,
        mi,
        params,
        &mut scratch.node_points,
        &mut scratch.node_max,
        (n_missing, n_na),
        sink,
    )
}

/// One leaf of one unit: its points, the maximum it counts against, and its flags.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn leaf(
    lp: &LeafPlan,
    cell: Cell,
    leaf_max: f64,
    na: NaPolicy,
    best: Option<f64>,
    no_survey: bool,
    survey_absent: SurveyAbsent,
) -> (f64, f64, FlagSet) {
    let mut points = 0.0;
    let mut max = leaf_max;
    let mut flags = FlagSet::default();
    match cell {
        Cell::OutOfScope => {
            max = 0.0;
            flags.set(Flag::NotInScope);
        }
        Cell::Missing if no_survey && lp.survey => {
            flags.set(Flag::NoSurvey);
            if survey_absent == SurveyAbsent::Rescale {
                max = 0.0;
                flags.set(Flag::Rebased);
            }
        }
        Cell::Missing => flags.set(Flag::Missing),
        Cell::NotApplicable => {
            flags.set(Flag::NotApplicable);
            match na {
                NaPolicy::FullPoints => points = leaf_max,
                NaPolicy::Rebase => {
                    max = 0.0;
                    flags.set(Flag::Rebased);
                }
            }
        }
        cell => {
            // Binding refused what a rule cannot score (rules::check).
            let (p, note) = rules::points_of(lp.rule, leaf_max, cell.reading(), best);
            points = p;
            match note {
                Note::BelowBands => flags.set(Flag::BelowBands),
                Note::Capped => flags.set(Flag::Capped),
                Note::None => {}
            }
        }
    }
    (points, max, flags)
}

/// After the leaves: roll-up, bonus and penalty, total, index, grade and conditions.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn finish(
    plan: &Plan,
    bound: &Bound,
    mi: usize,
    params: &Params,
    node_points: &mut [f64],
    node_max: &mut [f64],
    (n_missing, n_na): (usize, usize),
    sink: &mut impl Sink,
) -> Totals {
    let c = plan.criteria;
    // Roll up, children before parents.
    for &(ni, children) in &plan.groups {
        let (mut p, mut m) = (0.0, 0.0);
        for &k in children {
            p += node_points[k];
            m += node_max[k];
        }
        node_points[ni] = p;
        node_max[ni] = m;
    }
    let mut tree_points = 0.0;
    let mut tree_max = 0.0;
    for &a in &c.areas {
        tree_points += node_points[a];
        tree_max += node_max[a];
    }
    if n_missing > 0 {
        sink.unit_flag(|| UnitFlag::Missing(n_missing));
    }
    if n_na > 0 {
        sink.unit_flag(|| UnitFlag::NotApplicable(n_na));
    }

    // Bonus and penalty.
    let mut sums = [0.0f64; 2];
    let (mut missing_items, mut na_items) = (0usize, 0usize);
    for (i, ip) in plan.items.iter().enumerate() {
        let it = ip.item;
        let mut flags = FlagSet::default();
        let mut points = 0.0;
        match bound.item(mi, i) {
            Cell::Missing => {
                flags.set(Flag::Missing);
                missing_items += 1;
            }
            Cell::NotApplicable | Cell::OutOfScope => {
                flags.set(Flag::NotApplicable);
                na_items += 1;
            }
            cell => {
                let (p, note) = rules::points_of(&it.rule, it.max, cell.reading(), None);
                points = p;
                if note == Note::Capped {
                    flags.set(Flag::Capped);
                }
            }
        }
        sums[usize::from(ip.is_penalty)] += points;
        sink.item(i, points, flags);
    }
    // An empty bonus or penalty cell scores 0: visible like a missing leaf, never silent.
    if missing_items > 0 {
        sink.unit_flag(|| UnitFlag::MissingItems(missing_items));
    }
    if na_items > 0 {
        sink.unit_flag(|| UnitFlag::NotApplicableItems(na_items));
    }
    let t = combine(c, tree_points, tree_max, sums);
    if c.bonus.as_ref().is_some_and(|s| sums[0] > s.cap) {
        sink.unit_flag(|| UnitFlag::BonusCapped);
    }
    if c.penalty.as_ref().is_some_and(|s| sums[1] > s.cap) {
        sink.unit_flag(|| UnitFlag::PenaltyCapped);
    }
    if t.total != t.raw_total {
        sink.unit_flag(|| UnitFlag::TotalClamped);
    }
    let (bonus, penalty, total, index) = (t.bonus, t.penalty, t.total, t.index);
    for (di, d) in c.disqualify.iter().enumerate() {
        match bound.condition(mi, di) {
            CondState::Missing => sink.unit_flag(|| UnitFlag::MissingCondition(d.id.clone())),
            CondState::Met => sink.unit_flag(|| UnitFlag::Disqualified(d.id.clone())),
            CondState::NotMet => {}
        }
    }
    let grade = capped_grade(c, params.basis, index, disqualified_cap(c, bound, mi));
    Totals {
        tree_points,
        tree_max,
        bonus,
        penalty,
        total,
        index,
        grade,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path gives the band of the rounded index, as the definition says, on a grid
    /// around every boundary (including indexes that round up onto it: 89.995 → 90.00).
    #[test]
    fn grading_on_the_rounded_index_rounds_only_near_a_boundary() {
        let band = |min: Option<f64>| GradeBand {
            label: String::new(),
            label_en: None,
            min,
            color: None,
        };
        let g = Grading {
            basis: GradeBasis::RoundedIndex,
            bands: vec![
                band(Some(90.0)),
                band(Some(80.0)),
                band(Some(50.005)),
                band(None),
            ],
        };
        let definition = |x: f64| {
            let r = numfmt::round_half_away(x, 2);
            g.bands
                .iter()
                .position(|b| b.min.is_none_or(|m| r >= m))
                .unwrap()
        };
        let mut checked = 0;
        for m in [90.0, 80.0, 50.005] {
            for k in -3000..=3000 {
                let x = m + f64::from(k) * 0.000_01;
                assert_eq!(grade_with(&g, g.basis, x), definition(x), "{x}");
                checked += 1;
            }
        }
        for x in [89.995, 89.994_999_999, 79.995, 0.0, 100.0, 55.5] {
            assert_eq!(grade_with(&g, g.basis, x), definition(x), "{x}");
        }
        assert_eq!(grade_with(&g, g.basis, 89.995), 0);
        assert!(checked > 18_000);
        // Where one_grade_within says a range has one band, every index in it has that band,
        // on either basis; and it says so of ranges well inside a band.
        let mut said = 0;
        for lo in (0..10_000).map(|i| f64::from(i) * 0.01) {
            for width in [0.0, 0.001, 0.004, 0.02, 0.3, 2.0] {
                let hi = lo + width;
                if !one_grade_within(&g, lo, hi) {
                    continue;
                }
                said += 1;
                for basis in [GradeBasis::RoundedIndex, GradeBasis::UnroundedIndex] {
                    let want = grade_with(&g, basis, lo);
                    for k in 0..=20 {
                        let x = lo + width * f64::from(k) / 20.0;
                        assert_eq!(grade_with(&g, basis, x), want, "{lo}..{hi} at {x}");
                    }
                }
            }
        }
        assert!(said > 50_000, "{said}");
        assert!(one_grade_within(&g, 85.0, 85.5) && !one_grade_within(&g, 89.5, 90.5));
        assert!(!one_grade_within(&g, 89.0, 89.995) && !one_grade_within(&g, 90.005, 91.0));
    }
}
