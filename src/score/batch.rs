//! Batch evaluation: every unit of a bound matrix at once, for callers that need the numbers and
//! no explanation (a Monte-Carlo replication, the core benchmark). The matrix is turned once into
//! [`Columns`] — one column of values per leaf, the rare cells that are not values (missing, not
//! applicable, out of scope) listed apart — and each evaluation then works through tiles of
//! [`TILE`] units leaf by leaf: a leaf's rule is matched once per tile and applied to a column of
//! values in a loop the compiler vectorises, the exceptions are patched in, and the tree is
//! rolled up node by node across the tile. Every unit's sums are taken in the same order as
//! [`super::evaluate::unit`] takes them and every formula is [`super::rules::formula`], so the
//! results are the same bits (tested against the unit-by-unit evaluation on the sample, on random
//! data with every cell state and under varied parameters).

use super::bind::{Bound, Cell, CondState};
use super::evaluate::{combine, grade_with, Combined, Totals};
use super::plan::{Params, Plan};
use super::rules::formula;
use crate::criteria::model::*;

/// Units per tile: a tile's rows (about 70 nodes × 256 units × 8 bytes) stay in the core's cache.
pub const TILE: usize = 256;
/// Units summed together in the roll-up (fixed-size arrays the compiler keeps in registers).
const LANES: usize = 8;

/// A cell that is not a value of its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Missing,
    /// Missing in a survey leaf of a unit with no survey data.
    Unsurveyed,
    NotApplicable,
    OutOfScope,
    /// A reading of another kind than the rule's (never produced by binding): scores 0.
    Mismatch,
}

/// A bound matrix in columns, built once and evaluated many times.
pub struct Columns {
    n: usize,
    /// `n` rounded up to whole tiles.
    padded: usize,
    /// Per leaf, `padded` values (`NaN` where the cell is not a value).
    values: Vec<f64>,
    /// Per bonus/penalty item, `padded` values.
    item_values: Vec<f64>,
    /// Per tile: (leaf, offset in the tile, state) of every leaf cell that is not a value.
    leaf_exceptions: Vec<Vec<(u32, u16, State)>>,
    /// Per tile: (item, offset) of every item cell that is not a value (each scores 0).
    item_exceptions: Vec<Vec<(u32, u16)>>,
    /// Per member: the grade cap of its disqualifying conditions (0 = none).
    cap: Vec<usize>,
}

/// The value of `cell` under `rule`, or why it has none.
fn value_of(rule: &Rule, cell: Cell, unsurveyed_leaf: bool) -> Result<f64, State> {
    match (&rule.kind, cell) {
        (RuleKind::YesNo, Cell::Yes(b)) => Ok(f64::from(u8::from(b))),
        (RuleKind::Category(_), Cell::Category(i)) => Ok(i as f64),
        (RuleKind::YesNo | RuleKind::Category(_), Cell::Num(_))
        | (_, Cell::Yes(_) | Cell::Category(_)) => Err(State::Mismatch),
        (_, Cell::Num(x)) => Ok(x),
        (_, Cell::Missing) if unsurveyed_leaf => Err(State::Unsurveyed),
        (_, Cell::Missing) => Err(State::Missing),
        (_, Cell::NotApplicable) => Err(State::NotApplicable),
        (_, Cell::OutOfScope) => Err(State::OutOfScope),
    }
}

impl Columns {
    pub fn new(plan: &Plan, bound: &Bound) -> Columns {
        let n = bound.members.len();
        let tiles = n.div_ceil(TILE);
        let padded = tiles * TILE;
        let mut cols = Columns {
            n,
            padded,
            values: vec![0.0; plan.leaves.len() * padded],
            item_values: vec![0.0; plan.items.len() * padded],
            leaf_exceptions: vec![Vec::new(); tiles],
            item_exceptions: vec![Vec::new(); tiles],
            cap: Vec::with_capacity(n),
        };
        let c = plan.criteria;
        for mi in 0..n {
            let (tile, off) = (mi / TILE, (mi % TILE) as u16);
            for (l, lp) in plan.leaves.iter().enumerate() {
                let unsurveyed = bound.unsurveyed[mi] && lp.survey;
                cols.values[l * padded + mi] =
                    match value_of(lp.rule, bound.cell(mi, l), unsurveyed) {
                        Ok(x) => x,
                        Err(state) => {
                            cols.leaf_exceptions[tile].push((l as u32, off, state));
                            f64::NAN
                        }
                    };
            }
            for (i, ip) in plan.items.iter().enumerate() {
                cols.item_values[i * padded + mi] =
                    match value_of(&ip.item.rule, bound.item(mi, i), false) {
                        Ok(x) => x,
                        Err(_) => {
                            cols.item_exceptions[tile].push((i as u32, off));
                            f64::NAN
                        }
                    };
            }
            let cap = (0..c.disqualify.len())
                .filter(|&d| bound.condition(mi, d) == CondState::Met)
                .map(|d| c.disqualify[d].cap_grade)
                .max()
                .unwrap_or(0);
            cols.cap.push(cap);
        }
        cols
    }

    /// Best values for relative rules (as [`super::evaluate::best_values`], in the same order).
    pub fn best_values(&self, plan: &Plan, best: &mut [Option<f64>]) {
        for (l, lp) in plan.leaves.iter().enumerate() {
            let column = &self.values[l * self.padded..][..self.n];
            best[l] = match lp.rule.kind {
                RuleKind::Relative { lower_better } => column
                    .iter()
                    .copied()
                    .filter(|x| !x.is_nan())
                    .reduce(|a, b| if lower_better { a.min(b) } else { a.max(b) }),
                _ => None,
            };
        }
    }
}

/// Buffers a batch evaluation reuses.
pub struct Scratch {
    /// Per row × tile unit: node points (one row per node), the tree, each item, bonus, penalty.
    rows: Vec<f64>,
    /// Per node row and the tree: the maximum, for tiles where some unit's maximum is re-based.
    max_rows: Vec<f64>,
    /// Item rows of the bonus and of the penalty section, in item order.
    bonus_rows: Vec<usize>,
    penalty_rows: Vec<usize>,
    /// Per node: its maximum when every leaf counts in full.
    node_max: Vec<f64>,
}

impl Scratch {
    pub fn new(plan: &Plan) -> Scratch {
        let nodes = plan.criteria.nodes.len();
        let first_item = nodes + 1;
        let rows_of = |penalty: bool| {
            (plan.items.iter().enumerate())
                .filter(|(_, ip)| ip.is_penalty == penalty)
                .map(|(i, _)| first_item + i)
                .collect()
        };
        Scratch {
            rows: vec![0.0; (nodes + 1 + plan.items.len() + 2) * TILE],
            max_rows: vec![0.0; (nodes + 1) * TILE],
            bonus_rows: rows_of(false),
            penalty_rows: rows_of(true),
            node_max: vec![0.0; nodes],
        }
    }
}

/// `dst` row = the sum of the `srcs` rows, each unit's sum taken from 0.0 in `srcs` order (the
/// order of the unit-by-unit roll-up), `LANES` units at a time.
#[inline]
fn sum_rows(rows: &mut [f64], dst: usize, srcs: &[usize]) {
    for at in (0..TILE).step_by(LANES) {
        let mut acc = [0.0f64; LANES];
        for &k in srcs {
            let src = &rows[k * TILE + at..][..LANES];
            for (a, s) in acc.iter_mut().zip(src) {
                *a += s;
            }
        }
        rows[dst * TILE + at..][..LANES].copy_from_slice(&acc);
    }
}

/// Roll the node rows of `rows` up into groups and the tree row, children before parents.
fn roll_up(plan: &Plan, rows: &mut [f64]) {
    for &(g, children) in &plan.groups {
        sum_rows(rows, g, children);
    }
    sum_rows(rows, plan.criteria.nodes.len(), &plan.criteria.areas);
}

/// One rule over a column of values: `out[t]` = the points of `values[t]`.
#[inline(always)]
fn apply(kind: &RuleKind, max: f64, best: Option<f64>, values: &[f64], out: &mut [f64]) {
    let cells = out.iter_mut().zip(values);
    match kind {
        RuleKind::YesNo => {
            cells.for_each(|(o, &x)| *o = formula::within(formula::yes_no(x, max), max))
        }
        RuleKind::Category(cats) => cells.for_each(|(o, &x)| {
            *o = formula::within(formula::category(cats, x as usize), max);
        }),
        RuleKind::Proportional => {
            cells.for_each(|(o, &x)| *o = formula::within(formula::proportional(x, max), max));
        }
        &RuleKind::Linear { zero_at, full_at } => cells.for_each(|(o, &x)| {
            *o = formula::within(formula::linear(x, max, zero_at, full_at), max);
        }),
        RuleKind::Bands(bands) => cells.for_each(|(o, &x)| {
            *o = formula::within(formula::band(bands, x).unwrap_or(0.0), max);
        }),
        &RuleKind::Relative { lower_better } => match best {
            Some(b) => cells.for_each(|(o, &x)| {
                *o = formula::within(formula::relative(x, max, b, lower_better), max);
            }),
            None => cells.for_each(|(o, &x)| {
                *o = formula::within(formula::relative(x, max, x, lower_better), max);
            }),
        },
        &RuleKind::Deduction { per, floor } => cells.for_each(|(o, &x)| {
            *o = formula::within(formula::deduction(x, max, per, floor), max);
        }),
        &RuleKind::PerOccurrence { per } => cells.for_each(|(o, &x)| {
            *o = formula::within(formula::per_occurrence(x, max, per).0, max);
        }),
        RuleKind::Appraised => cells.for_each(|(o, &x)| *o = formula::within(x, max)),
    }
}

/// The points and maximum of a leaf cell that holds no value (as [`super::evaluate`] gives them).
#[inline]
fn exception(state: State, leaf_max: f64, na: NaPolicy, survey_absent: SurveyAbsent) -> (f64, f64) {
    match state {
        State::Missing => (0.0, leaf_max),
        State::Unsurveyed => match survey_absent {
            SurveyAbsent::Rescale => (0.0, 0.0),
            SurveyAbsent::Zero => (0.0, leaf_max),
        },
        State::NotApplicable => match na {
            NaPolicy::FullPoints => (leaf_max, leaf_max),
            NaPolicy::Rebase => (0.0, 0.0),
        },
        State::OutOfScope => (0.0, 0.0),
        State::Mismatch => (formula::within(0.0, leaf_max), leaf_max),
    }
}

/// The tree maximum of a unit whose every leaf counts its full maximum, summed as the
/// unit-by-unit roll-up sums it.
fn full_tree_max(plan: &Plan, params: &Params, node_max: &mut [f64]) -> f64 {
    for (lp, &m) in plan.leaves.iter().zip(&params.leaf_max) {
        node_max[lp.node] = m;
    }
    for &(g, children) in &plan.groups {
        let mut m = 0.0;
        for &k in children {
            m += node_max[k];
        }
        node_max[g] = m;
    }
    let mut tree_max = 0.0;
    for &a in &plan.criteria.areas {
        tree_max += node_max[a];
    }
    tree_max
}

/// Evaluate every unit of `cols`: its totals into `out`, and the points of each node in `keep`
/// into the matching column of `kept` (the tie-break areas, for ranking). `best` comes from
/// [`Columns::best_values`]. Pure and infallible, with no allocation.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    plan: &Plan,
    cols: &Columns,
    params: &Params,
    best: &[Option<f64>],
    keep: &[usize],
    scratch: &mut Scratch,
    out: &mut [Totals],
    kept: &mut [Vec<f64>],
) {
    let c = plan.criteria;
    let nodes = c.nodes.len();
    let (bonus_row, penalty_row) = (nodes + 1 + plan.items.len(), nodes + 2 + plan.items.len());
    let full_max = full_tree_max(plan, params, &mut scratch.node_max);
    let Scratch {
        rows,
        max_rows,
        bonus_rows,
        penalty_rows,
        ..
    } = scratch;
    for tile in 0..cols.padded / TILE {
        let start = tile * TILE;
        let len = TILE.min(cols.n - start);
        // Leaves and items, a rule at a time.
        for (l, lp) in plan.leaves.iter().enumerate() {
            let values = &cols.values[l * cols.padded + start..][..TILE];
            let out = &mut rows[lp.node * TILE..][..TILE];
            apply(&lp.rule.kind, params.leaf_max[l], best[l], values, out);
        }
        for (i, ip) in plan.items.iter().enumerate() {
            let values = &cols.item_values[i * cols.padded + start..][..TILE];
            let out = &mut rows[(nodes + 1 + i) * TILE..][..TILE];
            apply(&ip.item.rule.kind, ip.item.max, None, values, out);
        }
        // The cells that hold no value.
        let mut rebased = false;
        for &(l, off, state) in &cols.leaf_exceptions[tile] {
            let l = l as usize;
            let leaf_max = params.leaf_max[l];
            let (p, m) = exception(
                state,
                leaf_max,
                params.not_applicable[l],
                params.survey_absent,
            );
            rows[plan.leaves[l].node * TILE + usize::from(off)] = p;
            rebased |= m.to_bits() != leaf_max.to_bits();
        }
        for &(i, off) in &cols.item_exceptions[tile] {
            rows[(nodes + 1 + i as usize) * TILE + usize::from(off)] = 0.0;
        }
        roll_up(plan, rows);
        sum_rows(rows, bonus_row, bonus_rows);
        sum_rows(rows, penalty_row, penalty_rows);
        // Maxima: the same for every unit of the tile unless some cell left its leaf's maximum.
        if rebased {
            for (lp, &m) in plan.leaves.iter().zip(&params.leaf_max) {
                max_rows[lp.node * TILE..][..TILE].fill(m);
            }
            for &(l, off, state) in &cols.leaf_exceptions[tile] {
                let l = l as usize;
                let (_, m) = exception(
                    state,
                    params.leaf_max[l],
                    params.not_applicable[l],
                    params.survey_absent,
                );
                max_rows[plan.leaves[l].node * TILE + usize::from(off)] = m;
            }
            roll_up(plan, max_rows);
        }
        // Each unit's totals, by the arithmetic of the unit-by-unit evaluation.
        for t in 0..len {
            let tree_points = rows[nodes * TILE + t];
            let tree_max = if rebased {
                max_rows[nodes * TILE + t]
            } else {
                full_max
            };
            let sums = [rows[bonus_row * TILE + t], rows[penalty_row * TILE + t]];
            let Combined {
                bonus,
                penalty,
                total,
                index,
                ..
            } = combine(c, tree_points, tree_max, sums);
            let grade = grade_with(&c.grading, params.basis, index).max(cols.cap[start + t]);
            out[start + t] = Totals {
                tree_points,
                tree_max,
                bonus,
                penalty,
                total,
                index,
                grade,
            };
        }
        for (column, &node) in kept.iter_mut().zip(keep) {
            column[start..start + len].copy_from_slice(&rows[node * TILE..][..len]);
        }
    }
}
