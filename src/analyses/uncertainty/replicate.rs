//! One replication: the plan of what moves (the noisy cells with their distributions, the
//! binomial tables), the nominal evaluation it starts from (only leaves with a noisy cell are
//! re-scored, their change added to the unit's totals), the weight factors, and the ranking of
//! every group into the per-unit histograms — in buffers each thread reuses.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::scoring::rank;
use crate::scoring::score::bind::{self, Cell};
use crate::scoring::score::{evaluate, plan};

/// How one bound cell moves; distributions are built once, when the cell is planned.
#[derive(Debug, Clone, Copy)]
pub(super) enum Noise {
    /// A share (percent) from n respondents: inverse-CDF sampling from a table of the exact
    /// binomial distribution, built once (`start..end` in `Plan1::cdf`).
    Binomial(usize, usize, f64),
    /// Normal around the value (percentage points), clipped to [0, 100].
    Margin(Normal<f64>),
    /// Uniform within ± range, clipped to [0, max].
    Uniform(f64, f64),
    /// Symmetric triangular within ± range (mode 0), clipped to [0, max].
    Triangular(f64, f64),
    /// Nothing to draw (a zero range or margin).
    Fixed,
}

/// The nominal evaluation of one criteria file, and what a replication must recompute.
pub(super) struct Fast {
    /// Dense leaf indices with at least one noisy cell; whether each is a relative rule.
    pub(super) dirty: Vec<(usize, bool)>,
    /// Per member × dirty leaf: the nominal points.
    pub(super) nominal_points: Vec<f64>,
    /// Per member: nominal tree points, tree maximum, bonus − penalty (after caps), the
    /// grade cap of its disqualifying conditions, bonus and penalty after caps, and the nominal
    /// points of each tie node.
    pub(super) tree_points: Vec<f64>,
    pub(super) tree_max: Vec<f64>,
    pub(super) bonus: Vec<f64>,
    pub(super) penalty: Vec<f64>,
    pub(super) cap: Vec<usize>,
    pub(super) tie_points: Vec<Vec<f64>>,
    /// Per dirty leaf: the tie keys whose node is one of its ancestors.
    pub(super) tie_of: Vec<Vec<usize>>,
    /// Per dirty leaf: its maximum.
    pub(super) leaf_max: Vec<f64>,
    /// Per member × area (in `Criteria::areas` order): the nominal raw points and the maximum
    /// after re-basing, for weight noise.
    pub(super) area_points: Vec<f64>,
    pub(super) area_max: Vec<f64>,
    /// Per dirty leaf: the position of its area in `Criteria::areas`.
    pub(super) area_of: Vec<usize>,
}

impl Fast {
    pub(super) fn new(
        p: &plan::Plan,
        bound: &bind::Bound,
        dirty_cells: &[usize],
        tie: &[usize],
    ) -> Fast {
        let c = p.criteria;
        let params = p.nominal();
        let n_leaves = bound.n_leaves;
        let mut is_dirty = vec![false; n_leaves];
        for &k in dirty_cells {
            is_dirty[k % n_leaves] = true;
        }
        let dirty: Vec<(usize, bool)> = (0..n_leaves)
            .filter(|&l| is_dirty[l])
            .map(|l| {
                let rel = matches!(
                    p.leaves[l].rule.kind,
                    crate::input::criteria::model::RuleKind::Relative { .. }
                );
                (l, rel)
            })
            .collect();
        let mut best = vec![None; p.leaves.len()];
        evaluate::best_values(p, bound, &mut best);
        let mut scratch = evaluate::Scratch::new(p);
        let n = bound.members.len();
        let mut f = Fast {
            nominal_points: Vec::with_capacity(n * dirty.len()),
            tree_points: Vec::with_capacity(n),
            tree_max: Vec::with_capacity(n),
            bonus: Vec::with_capacity(n),
            penalty: Vec::with_capacity(n),
            cap: Vec::with_capacity(n),
            tie_points: vec![Vec::with_capacity(n); tie.len()],
            tie_of: dirty
                .iter()
                .map(|&(l, _)| {
                    let mut anc = Vec::new();
                    let mut node = Some(p.leaves[l].node);
                    while let Some(x) = node {
                        if let Some(j) = tie.iter().position(|&t| t == x) {
                            anc.push(j);
                        }
                        node = c.nodes[x].parent;
                    }
                    anc
                })
                .collect(),
            leaf_max: dirty.iter().map(|&(l, _)| params.leaf_max[l]).collect(),
            area_points: Vec::with_capacity(n * c.areas.len()),
            area_max: Vec::with_capacity(n * c.areas.len()),
            area_of: dirty
                .iter()
                .map(|&(l, _)| {
                    let mut node = p.leaves[l].node;
                    while let Some(up) = c.nodes[node].parent {
                        node = up;
                    }
                    c.areas.iter().position(|&a| a == node).unwrap_or(0)
                })
                .collect(),
            dirty,
        };
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
            for &(l, _) in &f.dirty {
                f.nominal_points.push(scratch.node_points[p.leaves[l].node]);
            }
            f.tree_points.push(t.tree_points);
            f.tree_max.push(t.tree_max);
            for &a in &c.areas {
                f.area_points.push(scratch.node_points[a]);
                f.area_max.push(scratch.node_max[a]);
            }
            f.bonus.push(t.bonus);
            f.penalty.push(t.penalty);
            f.cap.push(evaluate::disqualified_cap(c, bound, mi));
            for (j, &node) in tie.iter().enumerate() {
                f.tie_points[j].push(scratch.node_points[node]);
            }
        }
        f
    }
}

/// The buffers one thread reuses for one criteria file, replication after replication.
pub(super) struct Work<'c> {
    pub(super) bound: bind::Bound,
    pub(super) params: plan::Params,
    pub(super) best: Vec<Option<f64>>,
    pub(super) totals: Vec<f64>,
    pub(super) grades: Vec<usize>,
    pub(super) tie_keys: Vec<Vec<f64>>,
    pub(super) members: Vec<usize>,
    pub(super) ranks: Vec<usize>,
    /// This replication's weight factor per area, and one unit's area points.
    pub(super) factors: Vec<f64>,
    pub(super) areas: Vec<f64>,
    pub(super) _plan: std::marker::PhantomData<&'c ()>,
}

impl<'c> Work<'c> {
    pub(super) fn new(pl: &Plan1<'c>) -> Work<'c> {
        let n = pl.bound.members.len();
        Work {
            bound: pl.bound.clone(),
            params: pl.plan.nominal(),
            best: vec![None; pl.plan.leaves.len()],
            totals: vec![0.0; n],
            grades: vec![0; n],
            tie_keys: vec![vec![0.0; n]; pl.tie.len()],
            members: Vec::with_capacity(n),
            ranks: Vec::with_capacity(n),
            factors: vec![1.0; pl.plan.criteria.areas.len()],
            areas: vec![0.0; pl.plan.criteria.areas.len()],
            _plan: std::marker::PhantomData,
        }
    }
}

/// The perturbed cells of one criteria file: (cell index, nominal value, noise).
pub(super) struct Plan1<'c> {
    pub(super) plan: plan::Plan<'c>,
    /// The run's bound cells (`score::score_run`); each thread moves its own copy.
    pub(super) bound: &'c bind::Bound,
    pub(super) noisy: Vec<(usize, f64, Noise)>,
    /// Cumulative binomial probabilities of the binomial cells, back to back.
    pub(super) cdf: Vec<f64>,
    /// Incremental evaluation: only leaves with a noisy cell ("dirty") change between
    /// replications; everything else is the nominal evaluation, computed once.
    pub(super) fast: Fast,
    /// Groups of member indices, as officially ranked.
    pub(super) groups: Vec<Vec<usize>>,
    pub(super) code_order: Vec<u32>,
    pub(super) tie: Vec<usize>,
    /// Weight noise (`Spec::weights`).
    pub(super) weights: Option<f64>,
}

/// The tree points and maximum when each area's weight is multiplied by its factor: the weighted
/// sums of the areas' points and maxima, which [`evaluate::combine`] then rescales to
/// `max_points` (so the index stays on 0–100 and a unit re-based out of an area is not penalised
/// by its weight). With every factor 1 they are the nominal tree points and maximum, to the bit.
pub(super) fn weighted_tree(factors: &[f64], points: &[f64], max: &[f64]) -> (f64, f64) {
    let (mut p, mut m) = (0.0, 0.0);
    for ((f, x), y) in factors.iter().zip(points).zip(max) {
        p += f * x;
        m += f * y;
    }
    (p, m)
}

/// Append the cumulative distribution of Binomial(n, p) (n + 1 values, the last exactly 1).
pub(super) fn binomial_cdf(n: u64, p: f64, out: &mut Vec<f64>) {
    // The probability mass by the recurrence P(k+1) = P(k) (n−k)/(k+1) p/(1−p), from the
    // log of P(0) (or the degenerate cases).
    if p <= 0.0 || p >= 1.0 {
        let k0 = if p >= 1.0 { n } else { 0 };
        out.extend((0..=n).map(|k| if k >= k0 { 1.0 } else { 0.0 }));
        return;
    }
    let mut logs = Vec::with_capacity(n as usize + 1);
    let mut l = n as f64 * (1.0 - p).ln();
    logs.push(l);
    for k in 0..n {
        l += ((n - k) as f64).ln() - ((k + 1) as f64).ln() + p.ln() - (1.0 - p).ln();
        logs.push(l);
    }
    let mut acc = 0.0;
    let start = out.len();
    for l in logs {
        acc += l.exp();
        out.push(acc);
    }
    // Normalise away the rounding so the last value is exactly 1.
    let total = out[out.len() - 1];
    for c in &mut out[start..] {
        *c /= total;
    }
}

/// The smallest k with `cdf[k] ≥ u` (the last index if none), as a binary search over the whole
/// table gives it, found by stepping from the normal approximation's guess (mean `mean`, n
/// trials). The tables of a national run (three surveys × 3,321 units × a few hundred values)
/// are 20 MB, visited once per replication: a binary search's chain of dependent loads missed the
/// cache at each step (78% of the replication time), the guess is within a step or two and
/// usually on the same cache line. Same result for every u, so the same draws.
pub(super) fn inverse_cdf(cdf: &[f64], u: f64, mean: f64, n: f64) -> usize {
    let last = cdf.len() - 1;
    let sd = (mean * (1.0 - mean / n)).max(0.0).sqrt();
    // Only a starting point (the steps below find the exact index): `+ 0.5` then truncation
    // rounds it without a call to libm's `round`.
    let guess = mean + sd * inverse_normal(u) + 0.5;
    // `as` saturates: −∞ and NaN give 0, +∞ the last index.
    let mut k = (guess.max(0.0) as usize).min(last);
    while k > 0 && cdf[k - 1] >= u {
        k -= 1;
    }
    while k < last && cdf[k] < u {
        k += 1;
    }
    k
}

/// The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9):
/// only a starting guess for [`inverse_cdf`], which then steps to the exact answer.
fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - 0.02425 {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else if p < 1.0 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        f64::INFINITY
    }
}

/// The noise of a block of replications for one criteria file: `values[i * len + j]` is noisy cell
/// `i`'s value in the block's replication `j`; `factors[j * areas + a]` its weight factors.
#[derive(Default)]
pub(super) struct Block {
    /// Replication-major: replication `j`'s value of noisy cell `i` at `j * cells + i`, so a
    /// replication reads its values in one run (cell-major, it read one per cache line).
    pub(super) values: Vec<f64>,
    pub(super) factors: Vec<f64>,
    pub(super) len: usize,
}

/// One noisy cell's value in one replication.
fn draw(pl: &Plan1, x: f64, noise: Noise, rng: &mut ChaCha8Rng) -> f64 {
    match noise {
        Noise::Binomial(start, end, n) => {
            let u: f64 = rng.random();
            let k = inverse_cdf(&pl.cdf[start..end], u, n * x / 100.0, n);
            k as f64 / n * 100.0
        }
        Noise::Margin(d) => d.sample(rng).clamp(0.0, 100.0),
        Noise::Uniform(r, max) => (x + rng.random_range(-r..=r)).clamp(0.0, max),
        Noise::Triangular(r, max) => {
            // Inverse CDF of the symmetric triangular distribution on [−r, r].
            let u: f64 = rng.random();
            let d = if u < 0.5 {
                -r + r * (2.0 * u).sqrt()
            } else {
                r - r * (2.0 * (1.0 - u)).sqrt()
            };
            (x + d).clamp(0.0, max)
        }
        Noise::Fixed => x,
    }
}

/// Draw a block of replications' noise for one criteria file, one generator per replication: cell
/// by cell, one value per replication, then each replication's weight factors. Each generator
/// draws its cells in the order one replication at a time drew them (cells, then factors, file
/// after file), so the draws are the same; but a cell's binomial table is now read once per block
/// instead of once per replication (20 MB of tables at national scale: a cache miss per draw).
pub(super) fn draw_block(pl: &Plan1, rngs: &mut [ChaCha8Rng], block: &mut Block) {
    let len = rngs.len();
    let cells = pl.noisy.len();
    block.len = len;
    block.values.clear();
    block.values.resize(cells * len, 0.0);
    for (i, &(_, x, noise)) in pl.noisy.iter().enumerate() {
        for (j, rng) in rngs.iter_mut().enumerate() {
            block.values[j * cells + i] = draw(pl, x, noise, rng);
        }
    }
    // The areas' weight factors, drawn after the cells (so a run without weight noise draws
    // exactly what it drew before).
    let areas = pl.plan.criteria.areas.len();
    block.factors.clear();
    for rng in rngs.iter_mut() {
        match pl.weights {
            Some(r) => block
                .factors
                .extend((0..areas).map(|_| 1.0 + rng.random_range(-r..=r))),
            None => block.factors.extend(std::iter::repeat_n(1.0, areas)),
        }
    }
}

/// One replication of one criteria file — the block's replication `j`: its noise into the
/// cells, then evaluate, rank, count, in reused buffers.
pub(super) fn replicate(
    pl: &Plan1,
    w: &mut Work,
    block: &Block,
    j: usize,
    hist: &mut [(Vec<u32>, Vec<u32>)],
) {
    let cells = pl.noisy.len();
    let values = &block.values[j * cells..(j + 1) * cells];
    for (&(k, _, _), &v) in pl.noisy.iter().zip(values) {
        w.bound.cells[k] = Cell::Num(v);
    }
    let areas = w.factors.len();
    w.factors
        .copy_from_slice(&block.factors[j * areas..(j + 1) * areas]);
    let p = &pl.plan;
    let c = p.criteria;
    let f = &pl.fast;
    let n = w.bound.members.len();
    let d = f.dirty.len();
    // Relative rules measure against the best of this replication.
    for &(l, rel) in &f.dirty {
        if rel {
            let lower = matches!(
                p.leaves[l].rule.kind,
                crate::input::criteria::model::RuleKind::Relative { lower_better: true }
            );
            w.best[l] = (0..n)
                .filter_map(|mi| match w.bound.cell(mi, l) {
                    Cell::Num(x) => Some(x),
                    _ => None,
                })
                .reduce(|a, b| if lower { a.min(b) } else { a.max(b) });
        }
    }
    for mi in 0..n {
        // The nominal evaluation plus what the dirty leaves changed (exactly the nominal when
        // nothing moved: the same inputs give the same points).
        let mut tree = f.tree_points[mi];
        for (j, t) in w.tie_keys.iter_mut().enumerate() {
            t[mi] = f.tie_points[j][mi];
        }
        let n_areas = w.areas.len();
        let weighted = pl.weights.is_some();
        if weighted {
            w.areas
                .copy_from_slice(&f.area_points[mi * n_areas..(mi + 1) * n_areas]);
        }
        for (di, &(l, _)) in f.dirty.iter().enumerate() {
            if let Cell::Num(x) = w.bound.cell(mi, l) {
                let (pts, _) = crate::scoring::score::rules::points_of(
                    p.leaves[l].rule,
                    f.leaf_max[di],
                    crate::scoring::score::rules::Reading::Num(x),
                    w.best[l],
                );
                let delta = pts - f.nominal_points[mi * d + di];
                if delta != 0.0 {
                    tree += delta;
                    if weighted {
                        w.areas[f.area_of[di]] += delta;
                    }
                    for &j in &f.tie_of[di] {
                        w.tie_keys[j][mi] += delta;
                    }
                }
            }
        }
        // Totalled and graded by the nominal evaluation's own functions (the bonus and penalty
        // are the nominal ones, already capped), so no noise gives the same bits.
        let (tree, tree_max) = match pl.weights {
            None => (tree, f.tree_max[mi]),
            Some(_) => weighted_tree(
                &w.factors,
                &w.areas,
                &f.area_max[mi * n_areas..(mi + 1) * n_areas],
            ),
        };
        let t = evaluate::combine(c, tree, tree_max, [f.bonus[mi], f.penalty[mi]]);
        let (total, index) = (t.total, t.index);
        let grade = evaluate::capped_grade(c, w.params.basis, index, f.cap[mi]);
        w.totals[mi] = total;
        w.grades[mi] = grade;
        hist[mi].1[grade] += 1;
    }
    // Debug builds (and so every test) check the incremental evaluation against the full one.
    #[cfg(debug_assertions)]
    {
        let mut best = vec![None; p.leaves.len()];
        evaluate::best_values(p, &w.bound, &mut best);
        let mut scratch = evaluate::Scratch::new(p);
        for mi in 0..n {
            let t = evaluate::unit(
                p,
                &w.bound,
                mi,
                &w.params,
                &best,
                &mut scratch,
                &mut evaluate::NoSink,
            );
            let full = match pl.weights {
                None => t.total,
                Some(_) => {
                    let points: Vec<f64> =
                        c.areas.iter().map(|&a| scratch.node_points[a]).collect();
                    let max: Vec<f64> = c.areas.iter().map(|&a| scratch.node_max[a]).collect();
                    let (p, m) = weighted_tree(&w.factors, &points, &max);
                    evaluate::combine(c, p, m, [t.bonus, t.penalty]).total
                }
            };
            assert!(
                (full - w.totals[mi]).abs() < 1e-9,
                "incremental total {} against full {}",
                w.totals[mi],
                full
            );
            for (j, &node) in pl.tie.iter().enumerate() {
                assert!((scratch.node_points[node] - w.tie_keys[j][mi]).abs() < 1e-9);
            }
        }
    }
    // The ranking keys: the total, then each tie-break node's points.
    let keys: Vec<&[f64]> = std::iter::once(w.totals.as_slice())
        .chain(w.tie_keys.iter().map(Vec::as_slice))
        .collect();
    for g in &pl.groups {
        w.members.clear();
        w.members.extend_from_slice(g);
        rank::rank(
            &mut w.members,
            &keys,
            &pl.code_order,
            c.ranking.method,
            c.ranking.tie_tolerance,
            &mut w.ranks,
        );
        for (pos, &mi) in w.members.iter().enumerate() {
            let r = w.ranks[pos].min(hist[mi].0.len() - 1);
            hist[mi].0[r] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{binomial_cdf, inverse_cdf};
    use rand::{Rng, SeedableRng};

    /// The stepped search gives what the binary search over the whole table gives, for every
    /// kind of u (the tails, the exact table values, 0) and shares from 0 to 1.
    #[test]
    fn inverse_cdf_is_the_binary_search() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for n in [1u64, 2, 5, 30, 137, 400, 2000] {
            for p in [0.0, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0] {
                let mut cdf = Vec::new();
                binomial_cdf(n, p, &mut cdf);
                let mean = n as f64 * p;
                let mut us: Vec<f64> = (0..2000).map(|_| rng.random::<f64>()).collect();
                us.extend([0.0, 1e-300, 1e-12, 1.0 - 1e-12, 0.5]);
                us.extend(cdf.iter().copied());
                us.extend(cdf.iter().map(|c| c - 1e-15));
                for u in us {
                    let want = cdf.partition_point(|&c| c < u).min(cdf.len() - 1);
                    assert_eq!(
                        inverse_cdf(&cdf, u, mean, n as f64),
                        want,
                        "n {n} p {p} u {u}"
                    );
                }
            }
        }
    }
}
