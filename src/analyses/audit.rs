//! The criteria audit: does each criterion do its job? Per criteria file and unit type scored,
//! for every node of the tree (areas, criteria, leaves): how many units it counts for, how its
//! points spread (mean, share of the maximum, at full points, at zero, distinct values, standard
//! deviation), how it moves with the rest of the score (item–rest correlation), its weight on
//! paper against its weight in fact (its share of the variance of the units' leaf sums), how far
//! ranks move when it is removed, and per area Cronbach's alpha of its leaves. The figures come
//! from the run's own evaluation (`UnitScore`: the N/A re-basing included); removing a node is
//! re-scored through the core — the plan evaluated with the node's leaves at maximum 0, which is
//! exactly a leaf not applicable to everyone under re-basing — and re-ranked by `rank::rank` in
//! the official groups. Facts only: the report words the flags (`report::words::audit`).

use crate::input::criteria::model::NodeKind;
use crate::input::criteria::Criteria;
use crate::input::units::Registry;
use crate::scoring::rank::{self, Ranking};
use crate::scoring::score::bind::{self};
use crate::scoring::score::{evaluate, plan, Flag, UnitScore};
use crate::support::stats;

/// Fewer units than this in a set, and nothing is flagged: with 3 units every leaf correlates
/// with another by chance, with 1 every leaf "separates nobody". The figures are still given.
pub const FLAG_MIN_UNITS: usize = 10;

/// When a figure is flagged; settable in the run file (`[audit]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// "Separates nobody": at least this share of the units at full points (or one value only).
    pub full_share: f64,
    /// "Counts the same thing twice": |r| between two leaves at least this.
    pub duplicate_r: f64,
    /// "Weighs much less than its points": effective weight below this times the nominal one.
    pub low_weight: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            full_share: 0.9,
            duplicate_r: 0.9,
            low_weight: 0.5,
        }
    }
}

/// One node's figures for one unit type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    /// Index into `Criteria::nodes`.
    pub node: usize,
    /// Its maximum for this unit type (a group: its leaves that apply to the type).
    pub max: f64,
    /// Units it counts for (applies, not left out of their maximum); a leaf with no value scored
    /// 0 counts, as in the results.
    pub units: usize,
    /// Units of the type it is left out for (not applicable, no survey re-based); a group: every
    /// one of its leaves left out.
    pub not_applicable: usize,
    /// Units with no value, scored 0 (a group: at least one of its leaves).
    pub missing: usize,
    pub mean_points: Option<f64>,
    /// Mean of points / maximum counted for the unit.
    pub mean_share: Option<f64>,
    pub full_share: Option<f64>,
    pub zero_share: Option<f64>,
    /// Distinct point values (to 6 decimals).
    pub distinct: usize,
    /// Sample standard deviation of the points.
    pub sd: Option<f64>,
    /// Pearson's r of its points with the unit's other leaves' points.
    pub item_rest_r: Option<f64>,
    /// Maximum / the type's total maximum.
    pub nominal_weight: f64,
    /// cov(points, leaf sum) / var(leaf sum) over every unit of the type.
    pub effective_weight: Option<f64>,
    /// Mean and largest |rank change| of the type's units when the node is removed.
    pub rank_shift_mean: f64,
    pub rank_shift_max: usize,
    /// An area: Cronbach's alpha of its leaves, and the units it is computed on (those for which
    /// every one of them counts).
    pub alpha: Option<f64>,
    pub alpha_units: usize,
    /// A leaf: its area's alpha without it (on the same units).
    pub alpha_if_dropped: Option<f64>,
    /// Leaves whose points move with this leaf's (|r| ≥ the threshold), as node indices.
    pub duplicates: Vec<usize>,
    /// Separates nobody: at least `full_share` at full points, or a single value.
    pub no_spread: bool,
    /// Effective weight below `low_weight` × nominal.
    pub low_weight: bool,
}

/// The audit of one criteria file for one unit type.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    /// Index into the run's criteria files.
    pub criteria: usize,
    pub unit_type: String,
    /// Units of the type scored.
    pub units: usize,
    /// Every node, in tree order: `elements[n]` is node `n`'s.
    pub elements: Vec<Element>,
    /// Pearson's r between areas' points (in `Criteria::areas` order), over units both count for.
    pub area_r: Vec<Vec<Option<f64>>>,
}

impl Set {
    /// The element of node `n`.
    pub fn element(&self, n: usize) -> Option<&Element> {
        self.elements.get(n)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub thresholds: Thresholds,
    pub sets: Vec<Set>,
}

impl Audit {
    /// Flagged elements, over every set.
    pub fn flagged(&self) -> usize {
        (self.sets.iter().flat_map(|s| &s.elements))
            .filter(|e| e.no_spread || e.low_weight || !e.duplicates.is_empty())
            .count()
    }
}

/// Audit every criteria file of the run, per unit type scored. `scores` are the run's
/// evaluation, `bounds` its cells (per criteria file, from `score::score_run`), `ranking` its
/// official ranking.
pub fn run(
    th: &Thresholds,
    criteria: &[Criteria],
    registry: &Registry,
    bounds: &[bind::Bound],
    scores: &[UnitScore],
    ranking: &Ranking,
) -> Audit {
    let mut sets = Vec::new();
    for (ci, c) in criteria.iter().enumerate() {
        let p = plan::Plan::compile(c);
        let shifts = rank_shifts(&p, registry, &bounds[ci], ranking);
        for t in &c.unit_types {
            let units: Vec<&UnitScore> = scores
                .iter()
                .filter(|s| s.criteria == ci && registry.units[s.unit].unit_type == *t)
                .collect();
            if units.is_empty() {
                continue;
            }
            let shift_of = |n: usize| {
                let d: Vec<usize> = units.iter().map(|s| shifts[n][s.unit]).collect();
                let mean = d.iter().sum::<usize>() as f64 / d.len() as f64;
                (mean, d.into_iter().max().unwrap_or(0))
            };
            sets.push(audit_set(th, &p, ci, t, &units, shift_of));
        }
    }
    Audit {
        thresholds: *th,
        sets,
    }
}

/// What one node is for one unit: its points and the maximum counted, or why it is left out.
#[derive(Clone, Copy, PartialEq)]
enum Counted {
    /// Does not apply to the unit's type.
    OutOfScope,
    /// Left out of the unit's maximum (not applicable, or a survey leaf re-based for a unit
    /// without survey data).
    LeftOut,
    /// Points, maximum, whether a value was missing.
    Points(f64, f64, bool),
}

/// Per node, per unit (in `units` order): how the node counted, from the unit's evaluation.
fn counted(p: &plan::Plan, units: &[&UnitScore]) -> Vec<Vec<Counted>> {
    let c = p.criteria;
    let mut out = vec![Vec::with_capacity(units.len()); c.nodes.len()];
    for s in units {
        // Leaves first (tree order: their flags), then groups from their leaves.
        let mut scope = vec![false; c.nodes.len()];
        let mut any_missing = vec![false; c.nodes.len()];
        let mut per_node = vec![Counted::OutOfScope; c.nodes.len()];
        for (n, sc) in &s.leaves {
            let f = |x: Flag| sc.flags.contains(&x);
            let missing = f(Flag::Missing) || (f(Flag::NoSurvey) && !f(Flag::Rebased));
            per_node[*n] = if f(Flag::NotInScope) {
                Counted::OutOfScope
            } else if f(Flag::NotApplicable) || f(Flag::Rebased) {
                Counted::LeftOut
            } else {
                Counted::Points(sc.points, sc.max, missing)
            };
            let mut up = Some(*n);
            while let Some(x) = up {
                scope[x] |= !f(Flag::NotInScope);
                any_missing[x] |= missing;
                up = c.nodes[x].parent;
            }
        }
        for (n, node) in c.nodes.iter().enumerate() {
            if let NodeKind::Group { .. } = node.kind {
                per_node[n] = if !scope[n] {
                    Counted::OutOfScope
                } else if s.node_max[n] <= 0.0 {
                    Counted::LeftOut
                } else {
                    Counted::Points(s.node_points[n], s.node_max[n], any_missing[n])
                };
            }
        }
        for (n, x) in per_node.into_iter().enumerate() {
            out[n].push(x);
        }
    }
    out
}

fn audit_set(
    th: &Thresholds,
    p: &plan::Plan,
    ci: usize,
    unit_type: &str,
    units: &[&UnitScore],
    shift_of: impl Fn(usize) -> (f64, usize),
) -> Set {
    let c = p.criteria;
    let per = counted(p, units);
    // The unit's leaf sum, the total the weights are shares of.
    let sums: Vec<f64> = units.iter().map(|s| s.tree_points).collect();
    let var_sum = stats::variance(&sums).filter(|v| *v > 1e-12);
    // Each node's maximum for the type: its leaves that apply to it.
    let mut type_max = vec![0.0; c.nodes.len()];
    for (ni, n, _) in c.leaves() {
        if n.applies(unit_type) {
            let mut up = Some(ni);
            while let Some(x) = up {
                type_max[x] += n.max;
                up = c.nodes[x].parent;
            }
        }
    }
    let total_max: f64 = c.areas.iter().map(|&a| type_max[a]).sum();
    let mut elements: Vec<Element> = (0..c.nodes.len())
        .map(|n| {
            let cells = &per[n];
            let mut e = Element {
                node: n,
                max: type_max[n],
                nominal_weight: if total_max > 0.0 {
                    type_max[n] / total_max
                } else {
                    0.0
                },
                ..Element::default()
            };
            let (mut x, mut rest, mut share) = (Vec::new(), Vec::new(), Vec::new());
            let mut all_points = Vec::with_capacity(units.len());
            for (u, cell) in cells.iter().enumerate() {
                match *cell {
                    Counted::OutOfScope => all_points.push(0.0),
                    Counted::LeftOut => {
                        e.not_applicable += 1;
                        all_points.push(units[u].node_points[n]);
                    }
                    Counted::Points(pts, max, missing) => {
                        e.missing += usize::from(missing);
                        x.push(pts);
                        rest.push(sums[u] - pts);
                        share.push(pts / max);
                        all_points.push(pts);
                    }
                }
            }
            e.units = x.len();
            if !x.is_empty() {
                let nf = x.len() as f64;
                e.mean_points = stats::mean(&x);
                e.mean_share = stats::mean(&share);
                e.full_share = Some(share.iter().filter(|&&s| s >= 1.0 - 1e-9).count() as f64 / nf);
                e.zero_share = Some(x.iter().filter(|&&v| v <= 1e-9).count() as f64 / nf);
                let mut d: Vec<i64> = x.iter().map(|v| (v * 1e6).round() as i64).collect();
                d.sort_unstable();
                d.dedup();
                e.distinct = d.len();
                e.sd = stats::sd(&x);
                e.item_rest_r = stats::pearson(&x, &rest);
                e.no_spread = units.len() >= FLAG_MIN_UNITS
                    && (e.distinct == 1 || e.full_share.is_some_and(|f| f >= th.full_share));
            }
            e.effective_weight =
                var_sum.and_then(|v| Some(stats::covariance(&all_points, &sums)? / v));
            e.low_weight = units.len() >= FLAG_MIN_UNITS
                && e.nominal_weight > 0.0
                && e.effective_weight
                    .is_some_and(|w| w < th.low_weight * e.nominal_weight);
            (e.rank_shift_mean, e.rank_shift_max) = shift_of(n);
            e
        })
        .collect();

    // Leaves that count the same thing twice: |r| over the units both count for.
    let leaves: Vec<usize> = c.leaves().map(|(n, _, _)| n).collect();
    let flag = units.len() >= FLAG_MIN_UNITS;
    for (i, &a) in leaves.iter().enumerate().filter(|_| flag) {
        for &b in &leaves[i + 1..] {
            if let Some(r) = pair_r(&per[a], &per[b]) {
                if r.abs() >= th.duplicate_r {
                    elements[a].duplicates.push(b);
                    elements[b].duplicates.push(a);
                }
            }
        }
    }
    let area_r = (c.areas.iter())
        .map(|&a| c.areas.iter().map(|&b| pair_r(&per[a], &per[b])).collect())
        .collect();

    // Cronbach's alpha per area, on the units every one of its leaves counts for.
    for &area in &c.areas {
        let mine: Vec<usize> = leaves
            .iter()
            .copied()
            .filter(|&l| under(c, l, area) && c.nodes[l].applies(unit_type))
            .collect();
        let complete: Vec<usize> = (0..units.len())
            .filter(|&u| {
                mine.iter()
                    .all(|&l| matches!(per[l][u], Counted::Points(..)))
            })
            .collect();
        let column = |l: usize| -> Vec<f64> {
            complete
                .iter()
                .map(|&u| match per[l][u] {
                    Counted::Points(x, _, _) => x,
                    _ => 0.0,
                })
                .collect()
        };
        let cols: Vec<Vec<f64>> = mine.iter().map(|&l| column(l)).collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        elements[area].alpha = stats::cronbach_alpha(&refs);
        elements[area].alpha_units = complete.len();
        if mine.len() > 2 {
            for (k, &l) in mine.iter().enumerate() {
                let others: Vec<&[f64]> = (refs.iter().enumerate())
                    .filter(|&(j, _)| j != k)
                    .map(|(_, r)| *r)
                    .collect();
                elements[l].alpha_if_dropped = stats::cronbach_alpha(&others);
            }
        }
    }
    Set {
        criteria: ci,
        unit_type: unit_type.to_string(),
        units: units.len(),
        elements,
        area_r,
    }
}

/// Pearson's r of two nodes' points over the units both count for.
fn pair_r(a: &[Counted], b: &[Counted]) -> Option<f64> {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (p, q) in a.iter().zip(b) {
        if let (Counted::Points(p, _, _), Counted::Points(q, _, _)) = (p, q) {
            x.push(*p);
            y.push(*q);
        }
    }
    stats::pearson(&x, &y)
}

/// Whether node `n` is `ancestor` or lies under it.
fn under(c: &Criteria, n: usize, ancestor: usize) -> bool {
    let mut up = Some(n);
    while let Some(x) = up {
        if x == ancestor {
            return true;
        }
        up = c.nodes[x].parent;
    }
    false
}

/// Per node of criteria file `ci`, per registry unit: |rank change| in its official group when
/// the node's leaves are removed (maximum 0: out of every unit's maximum, as a leaf not
/// applicable to everyone under re-basing), evaluated by the core and ranked by `rank::rank`.
fn rank_shifts(
    p: &plan::Plan,
    registry: &Registry,
    bound: &bind::Bound,
    ranking: &Ranking,
) -> Vec<Vec<usize>> {
    let c = p.criteria;
    let mut out = vec![vec![0usize; registry.units.len()]; c.nodes.len()];
    if bound.members.is_empty() {
        return out;
    }
    let mut best = vec![None; p.leaves.len()];
    evaluate::best_values(p, bound, &mut best);
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (mi, &u) in bound.members.iter().enumerate() {
        groups.entry(ranking.place(u).group).or_default().push(mi);
    }
    let code_order = crate::scoring::rank::code_order_of(&bound.members, registry);
    let tie = &c.ranking.tie_break;
    let nominal = p.nominal();
    let mut scratch = evaluate::Scratch::new(p);
    let n = bound.members.len();
    let mut totals = vec![0.0; n];
    let mut tie_keys = vec![vec![0.0; n]; tie.len()];
    let mut ranks = Vec::with_capacity(n);
    for (node, shifts) in out.iter_mut().enumerate() {
        let mut params = nominal.clone();
        for (l, lp) in p.leaves.iter().enumerate() {
            if under(c, lp.node, node) {
                params.leaf_max[l] = 0.0;
            }
        }
        for mi in 0..n {
            let t = evaluate::unit(
                p,
                bound,
                mi,
                &params,
                &best,
                &mut scratch,
                &mut evaluate::NoSink,
            );
            totals[mi] = t.total;
            for (k, &tn) in tie.iter().enumerate() {
                tie_keys[k][mi] = scratch.node_points[tn];
            }
        }
        let mut keys: Vec<&[f64]> = vec![&totals];
        keys.extend(tie_keys.iter().map(Vec::as_slice));
        for members in groups.values() {
            let mut order = members.clone();
            rank::rank(
                &mut order,
                &keys,
                &code_order,
                c.ranking.method,
                c.ranking.tie_tolerance,
                &mut ranks,
            );
            for (&mi, &r) in order.iter().zip(&ranks) {
                let u = bound.members[mi];
                shifts[u] = r.abs_diff(ranking.place(u).rank);
            }
        }
    }
    out
}
