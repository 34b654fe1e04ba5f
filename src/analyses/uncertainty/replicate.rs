//! One replication: the plan of what moves (the noisy cells with their distributions, the
//! binomial tables), the nominal evaluation it starts from (only leaves with a noisy cell are
//! re-scored, their change added to the unit's totals), the weight factors, and the ranking of
//! every group into the per-unit tallies — in buffers each thread reuses.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::counts::Counts;
use crate::scoring::rank;
use crate::scoring::score::bind::{self, Cell};
use crate::scoring::score::{evaluate, plan};

/// How one bound cell moves; distributions are built once, when the cell is planned.
#[derive(Debug, Clone, Copy)]
pub(super) enum Noise {
    /// A share (percent) from n respondents: inverse-CDF sampling from a table of the exact
    /// binomial distribution, built once (in `Plan1::cdf`).
    Binomial(Binomial),
    /// Normal around the value (percentage points), clipped to [0, 100].
    Margin(Normal<f64>),
    /// Uniform within ± range, clipped to [0, max].
    Uniform(f64, f64),
    /// Symmetric triangular within ± range (mode 0), clipped to [0, max].
    Triangular(f64, f64),
    /// Nothing to draw (a zero range or margin).
    Fixed,
}

/// Replications evaluated together: a member's noisy cells are drawn for all of them (a
/// binomial table read once for the block, not once per replication), then the member is
/// re-scored for each while the values are in the nearest cache. The figures do not depend on it.
pub(super) const BLOCK: usize = 64;

/// Where one member's cell of a dirty leaf gets its value in a replication.
#[derive(Debug, Clone, Copy)]
pub(super) enum Source {
    /// Drawn: noisy cell `i` of `Plan1::noisy`.
    Drawn(usize),
    /// A number that does not move.
    Fixed(f64),
    /// Not a number (missing, not applicable…): its nominal points stand.
    Other,
}

/// The nominal evaluation of one criteria file, and what a replication must recompute.
pub(super) struct Fast {
    /// Dense leaf indices with at least one noisy cell; whether each is a relative rule.
    pub(super) dirty: Vec<(usize, bool)>,
    /// Per member × dirty leaf: where the cell's value comes from.
    pub(super) source: Vec<Source>,
    /// Per member: its first noisy cell in `Plan1::noisy` (which lists them member by member);
    /// one more entry, the count.
    pub(super) noisy_of: Vec<usize>,
    /// Per dirty leaf: its position among the relative ones (whose best value moves), if it is.
    pub(super) rel_of: Vec<usize>,
    pub(super) n_rel: usize,
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
        // `dirty_cells` lists cells member by member, leaf by leaf: sorted.
        let source = (0..bound.members.len())
            .flat_map(|mi| dirty.iter().map(move |&(l, _)| (mi, l)))
            .map(|(mi, l)| {
                let k = mi * n_leaves + l;
                match (dirty_cells.binary_search(&k), bound.cells[k]) {
                    (Ok(i), _) => Source::Drawn(i),
                    (Err(_), Cell::Num(x)) => Source::Fixed(x),
                    (Err(_), _) => Source::Other,
                }
            })
            .collect();
        let mut n_rel = 0;
        let rel_of = dirty
            .iter()
            .map(|&(_, rel)| {
                n_rel += usize::from(rel);
                if rel {
                    n_rel - 1
                } else {
                    usize::MAX
                }
            })
            .collect();
        let mut f = Fast {
            source,
            noisy_of: (0..=bound.members.len())
                .map(|mi| dirty_cells.partition_point(|&k| k < mi * n_leaves))
                .collect(),
            rel_of,
            n_rel,
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

/// The buffers one thread reuses for one criteria file, block after block.
pub(super) struct Work<'c> {
    params: plan::Params,
    /// Members of the criteria file.
    n: usize,
    /// Drawn values, cell-major (`values[i * BLOCK + j]`, replication `j`): one member's cells at
    /// a time, or every cell of the file when the draws must all come first (`Plan1::fused`).
    values: Vec<f64>,
    /// Per relative dirty leaf × replication: the best value.
    best: Vec<Option<f64>>,
    /// One member's figures per replication, while it is re-scored: tree points, each tie
    /// node's points (`t * BLOCK + j`), each area's points (`j * areas + a`).
    tree: Vec<f64>,
    ties: Vec<f64>,
    areas: Vec<f64>,
    /// Per replication × area: the weight factors.
    factors: Vec<f64>,
    /// The block's results, replication-major (`j * members + mi`), as the ranking reads them.
    totals: Vec<f64>,
    /// Grades as `u32`: the block's results are read back replication by replication, and the
    /// smaller they are, the more of them the cache holds.
    grades: Vec<u32>,
    tie_keys: Vec<Vec<f64>>,
    members: Vec<usize>,
    ranks: Vec<usize>,
    /// Every drawn value of the block (cell-major), for the full-evaluation check.
    #[cfg(debug_assertions)]
    drawn: Vec<f64>,
    _plan: std::marker::PhantomData<&'c ()>,
}

impl<'c> Work<'c> {
    pub(super) fn new(pl: &Plan1<'c>) -> Work<'c> {
        let n = pl.bound.members.len();
        let f = &pl.fast;
        let areas = pl.plan.criteria.areas.len();
        let cells = if pl.fused() {
            f.noisy_of
                .windows(2)
                .map(|w| w[1] - w[0])
                .max()
                .unwrap_or(0)
        } else {
            pl.noisy.len()
        };
        Work {
            params: pl.plan.nominal(),
            n,
            values: vec![0.0; cells * BLOCK],
            best: vec![None; f.n_rel * BLOCK],
            tree: vec![0.0; BLOCK],
            ties: vec![0.0; pl.tie.len() * BLOCK],
            areas: vec![0.0; areas * BLOCK],
            factors: vec![1.0; areas * BLOCK],
            totals: vec![0.0; n * BLOCK],
            grades: vec![0; n * BLOCK],
            tie_keys: vec![vec![0.0; n * BLOCK]; pl.tie.len()],
            members: Vec::with_capacity(n),
            ranks: Vec::with_capacity(n),
            #[cfg(debug_assertions)]
            drawn: vec![0.0; pl.noisy.len() * BLOCK],
            _plan: std::marker::PhantomData,
        }
    }

    /// Member `mi`'s total and grade in the block's replication `j`.
    pub(super) fn result(&self, j: usize, mi: usize) -> (f64, usize) {
        (
            self.totals[j * self.n + mi],
            self.grades[j * self.n + mi] as usize,
        )
    }

    /// Member `mi`'s points on tie node `t` in the block's replication `j`.
    pub(super) fn tie_key(&self, t: usize, j: usize, mi: usize) -> f64 {
        self.tie_keys[t][j * self.n + mi]
    }
}

/// The perturbed cells of one criteria file: (cell index, nominal value, noise).
pub(super) struct Plan1<'c> {
    pub(super) plan: plan::Plan<'c>,
    /// The run's bound cells (`score::score_run`).
    pub(super) bound: &'c bind::Bound,
    pub(super) noisy: Vec<(usize, f64, Noise)>,
    /// Cumulative binomial probabilities of the binomial cells, back to back, each table padded
    /// (see [`Binomial`]).
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

impl Plan1<'_> {
    /// Whether a member can be drawn and re-scored before the next is drawn. Not when the
    /// weights move (each replication draws its factors after all its cells) or a relative
    /// leaf moves (its best value is over every member): then the block's cells are all drawn
    /// first.
    pub(super) fn fused(&self) -> bool {
        self.weights.is_none() && self.fast.n_rel == 0
    }
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
fn binomial_cdf(n: u64, p: f64, out: &mut Vec<f64>) {
    // The probability mass by the recurrence P(k+1) = P(k) (n−k)/(k+1) p/(1−p), from the
    // log of P(0) (or the degenerate cases).
    if p <= 0.0 || p >= 1.0 {
        let k0 = if p >= 1.0 { n } else { 0 };
        out.extend((0..=n).map(|k| if k >= k0 { 1.0 } else { 0.0 }));
        return;
    }
    let mut logs = Vec::with_capacity(n as usize + 1);
    let (ln_p, ln_q) = (p.ln(), (1.0 - p).ln());
    let mut l = n as f64 * ln_q;
    logs.push(l);
    // The logs of whole numbers from a table (the same values: a national run builds 10,000
    // tables of a few hundred entries, and these two logs were most of that time).
    let ln = ln_whole(n);
    for k in 0..n {
        l += ln[(n - k) as usize] - ln[(k + 1) as usize] + ln_p - ln_q;
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

/// `ln(i)` for whole i up to at least `n`, computed once for the samples a run has (binomial
/// tables are built up to 10,000 respondents; beyond that a share moves by the normal).
fn ln_whole(n: u64) -> std::borrow::Cow<'static, [f64]> {
    const UP_TO: usize = 10_000;
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| (0..=UP_TO).map(|i| (i as f64).ln()).collect());
    if n as usize <= UP_TO {
        std::borrow::Cow::Borrowed(table)
    } else {
        std::borrow::Cow::Owned((0..=n).map(|i| (i as f64).ln()).collect())
    }
}

/// Entries of a binomial table compared at once: the first guess's neighbourhood.
const WINDOW: usize = 8;

/// One cell's binomial draw: the share k/n of Binomial(n, p), by inverse CDF from its table.
#[derive(Debug, Clone, Copy)]
pub(super) struct Binomial {
    /// Where its table starts in `Plan1::cdf`; the table has `last + 1` values and `WINDOW`
    /// values of 1 after them, so a window starting at any index is inside it.
    start: usize,
    last: usize,
    n: f64,
    /// The normal approximation with a skewness term (Cornish–Fisher): the first guess.
    mean: f64,
    sd: f64,
    skew: f64,
}

impl Binomial {
    /// Append the padded table of Binomial(n, p) to `tables`.
    pub(super) fn new(n: u64, p: f64, tables: &mut Vec<f64>) -> Binomial {
        let start = tables.len();
        binomial_cdf(n, p, tables);
        tables.extend([1.0; WINDOW]);
        let nf = n as f64;
        Binomial {
            start,
            last: n as usize,
            n: nf,
            mean: nf * p,
            sd: (nf * p * (1.0 - p)).max(0.0).sqrt(),
            skew: (1.0 - 2.0 * p) / 6.0,
        }
    }

    /// Ask the processor to bring the part of this cell's table most draws read (the mean ± 3
    /// standard deviations) into the cache, while it is busy with the cell before.
    fn prefetch(&self, tables: &[f64]) {
        let table = self.table(tables);
        let lo = ((self.mean - 3.0 * self.sd).max(0.0) as usize).min(self.last);
        let hi = ((self.mean + 3.0 * self.sd + 1.0) as usize).min(self.last) + WINDOW;
        // One address per cache line (8 values), at most 8 lines.
        for at in (lo..hi.min(lo + 64)).step_by(8) {
            crate::support::prefetch::read(&table[at]);
        }
    }

    /// This cell's table, padding included.
    fn table<'t>(&self, tables: &'t [f64]) -> &'t [f64] {
        &tables[self.start..self.start + self.last + 1 + WINDOW]
    }

    /// The share (percent) drawn by `u`; `zs` is [`normal_quantiles`].
    #[cfg(test)]
    fn draw(&self, table: &[f64], zs: &[f32; QUANTILES], u: f64) -> f64 {
        self.share(self.index(table, zs, u))
    }

    /// The count k drawn by `u` (at most 10,000: larger samples are drawn from the normal).
    #[cfg(test)]
    fn index(&self, table: &[f64], zs: &[f32; QUANTILES], u: f64) -> i32 {
        inverse_cdf(table, self.last, u, self.guess(zs, u)) as i32
    }

    /// Where the search for `u` starts: the normal approximation's quantile, with the skewness.
    fn guess(&self, zs: &[f32; QUANTILES], u: f64) -> f64 {
        // `as` saturates and u < 1: the bucket is in range (the `min` only proves it).
        let z = f64::from(zs[((u * QUANTILES as f64) as usize).min(QUANTILES - 1)]);
        // Only a starting point (the search finds the exact index): `+ 0.5` then truncation
        // rounds it without a call to libm's `round`.
        self.mean + self.sd * z + self.skew * (z * z - 1.0) + 0.5
    }

    /// The share k/n in percent.
    fn share(&self, k: i32) -> f64 {
        f64::from(k) / self.n * 100.0
    }
}

/// Buckets of u in the table of normal quantiles the binomial draws guess from.
const QUANTILES: usize = 1024;

/// The standard normal quantile at the middle of each of `QUANTILES` equal buckets of u: a
/// guess for [`inverse_cdf`] at the cost of one load (computing it was a third of a draw), from a
/// table small enough (4 KB) to stay in the nearest cache. Off by less than 0.03 of a standard
/// deviation for u between 0.006 and 0.994 and 0.11 at 0.0013 or 0.9987, where nearly every draw
/// falls; further out the search steps to the answer.
fn normal_quantiles() -> &'static [f32; QUANTILES] {
    static TABLE: std::sync::OnceLock<Box<[f32; QUANTILES]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0.0; QUANTILES]);
        for (i, z) in t.iter_mut().enumerate() {
            *z = inverse_normal((i as f64 + 0.5) / QUANTILES as f64) as f32;
        }
        t
    })
}

/// The smallest k ≤ `last` with `cdf[k] ≥ u` (`last` if none), as a binary search over the
/// table gives it, found from a first guess. `cdf` holds `WINDOW` padding values of 1 after
/// `last`. The tables of a national run (three surveys × 3,321 units × a few hundred values) are
/// 20 MB: a binary search's chain of dependent loads missed the cache at each step, and stepping
/// from the guess one comparison at a time mispredicted a branch at nearly every draw. The
/// guess is within a step or two: the `WINDOW` values around it are compared at once, without a
/// branch, and when the answer is inside them (cdf below u before the window, at or above u at
/// its end) it is the window's start plus the count of values below u. Otherwise it steps from
/// the guess. Same result for every u, so the same draws.
pub(super) fn inverse_cdf(cdf: &[f64], last: usize, u: f64, guess: f64) -> usize {
    // `as` saturates: −∞ and NaN give 0, +∞ the last index.
    let g = (guess.max(0.0) as usize).min(last);
    let a = g.saturating_sub(WINDOW / 2 - 1);
    if let Some(w) = cdf
        .get(a..a + WINDOW)
        .and_then(|w| <&[f64; WINDOW]>::try_from(w).ok())
    {
        let below = a == 0 || cdf[a - 1] < u;
        if below && w[WINDOW - 1] >= u {
            // The answer is one of the window's 8 places: found bit by bit (three comparisons,
            // no branch) — the count of values below u.
            let mut c = 4 * usize::from(w[3] < u);
            c += 2 * usize::from(w[c + 1] < u);
            c += usize::from(w[c] < u);
            return (a + c).min(last);
        }
    }
    let mut k = g;
    while k > 0 && cdf[k - 1] >= u {
        k -= 1;
    }
    while k < last && cdf[k] < u {
        k += 1;
    }
    k
}

/// The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9),
/// for [`normal_quantiles`].
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

/// A symmetric triangular draw on [−r, r] around `x` by inverse CDF, clipped to [0, max], to the
/// same bits as `−r + r√(2u)` below u = ½ and `r − r√(2(1 − u))` above. Without a branch (u is
/// below ½ half the time: a branch was mispredicted at every other draw), so a cell's draws
/// are computed two at a time: `min(u, 1 − u)` is `u` exactly below ½ and `1 − u` above, and
/// the difference's operands are chosen by a bit mask.
fn triangular(x: f64, r: f64, max: f64, u: f64) -> f64 {
    let s = r * (2.0 * u.min(1.0 - u)).sqrt();
    let lower = u < 0.5;
    let d = pick(lower, s, r) - pick(lower, r, s);
    (x + d).clamp(0.0, max)
}

/// `a` if `cond`, else `b`, by a bit mask: no branch for the processor to mispredict.
fn pick(cond: bool, a: f64, b: f64) -> f64 {
    let mask = 0u64.wrapping_sub(u64::from(cond));
    f64::from_bits((a.to_bits() & mask) | (b.to_bits() & !mask))
}

/// Noisy cell `i`'s value in each replication of the block, one generator each, into `out`.
/// Each generator draws its cells in the order of `Plan1::noisy`, then its weight factors, file
/// after file — whatever the block size, the same draws.
fn draw_cell(pl: &Plan1, i: usize, rngs: &mut [ChaCha8Rng], out: &mut [f64]) {
    let (_, x, noise) = pl.noisy[i];
    let pairs = out.iter_mut().zip(rngs.iter_mut());
    // The kind is decided once per cell, not once per draw.
    match noise {
        Noise::Binomial(b) => {
            // In steps over the whole block, each loop short and its iterations independent, so
            // the processor overlaps many draws' table reads: the uniforms, the guesses, the
            // searches, then the shares (in vector registers: a division each).
            let (table, zs) = (b.table(&pl.cdf), normal_quantiles());
            pairs.for_each(|(o, rng)| *o = rng.random());
            let mut guesses = [0.0; BLOCK];
            for (g, &u) in guesses.iter_mut().zip(out.iter()) {
                *g = b.guess(zs, u);
            }
            let mut ks = [0i32; BLOCK];
            for ((k, &u), &g) in ks.iter_mut().zip(out.iter()).zip(&guesses) {
                *k = inverse_cdf(table, b.last, u, g) as i32;
            }
            for (o, &k) in out.iter_mut().zip(&ks) {
                *o = b.share(k);
            }
        }
        Noise::Margin(d) => pairs.for_each(|(o, rng)| *o = d.sample(rng).clamp(0.0, 100.0)),
        Noise::Uniform(r, max) => {
            pairs.for_each(|(o, rng)| *o = (x + rng.random_range(-r..=r)).clamp(0.0, max));
        }
        Noise::Triangular(r, max) => {
            // The uniforms first, then the arithmetic over them (in vector registers).
            pairs.for_each(|(o, rng)| *o = rng.random());
            out.iter_mut().for_each(|o| *o = triangular(x, r, max, *o));
        }
        Noise::Fixed => pairs.for_each(|(o, _)| *o = x),
    }
}

/// A block of replications of one criteria file (one generator each, `rngs`): every member's
/// noisy cells drawn and the member re-scored in each replication — only its dirty leaves, their
/// change added to its nominal figures — its grades counted, its totals and tie keys kept for
/// [`rank_replication`].
pub(super) fn evaluate_block(
    pl: &Plan1,
    w: &mut Work,
    rngs: &mut [ChaCha8Rng],
    counts: &mut Counts,
) {
    let len = rngs.len();
    let f = &pl.fast;
    if pl.fused() {
        for mi in 0..w.n {
            let first = f.noisy_of[mi];
            // The next member's tables are fetched while this one's cells are drawn.
            for i in f.noisy_of[mi + 1]..f.noisy_of[(mi + 2).min(w.n)] {
                if let Noise::Binomial(b) = pl.noisy[i].2 {
                    b.prefetch(&pl.cdf);
                }
            }
            for i in first..f.noisy_of[mi + 1] {
                let out = &mut w.values[(i - first) * BLOCK..][..len];
                draw_cell(pl, i, rngs, out);
                #[cfg(debug_assertions)]
                w.drawn[i * BLOCK..][..len].copy_from_slice(out);
            }
            evaluate_member(pl, w, mi, len, first, counts);
        }
    } else {
        for i in 0..pl.noisy.len() {
            let out = &mut w.values[i * BLOCK..][..len];
            draw_cell(pl, i, rngs, out);
            #[cfg(debug_assertions)]
            w.drawn[i * BLOCK..][..len].copy_from_slice(out);
        }
        // The areas' weight factors, drawn after the cells (so a run without weight noise draws
        // exactly what it drew before).
        if let Some(r) = pl.weights {
            let areas = pl.plan.criteria.areas.len();
            for (j, rng) in rngs.iter_mut().enumerate() {
                for fa in &mut w.factors[j * areas..(j + 1) * areas] {
                    *fa = 1.0 + rng.random_range(-r..=r);
                }
            }
        }
        // Relative rules measure against the best of each replication, over the members in
        // order (as the full evaluation takes them).
        let d = f.dirty.len();
        for (di, &(l, rel)) in f.dirty.iter().enumerate() {
            if !rel {
                continue;
            }
            let lower = matches!(
                pl.plan.leaves[l].rule.kind,
                crate::input::criteria::model::RuleKind::Relative { lower_better: true }
            );
            let best = &mut w.best[f.rel_of[di] * BLOCK..][..len];
            best.fill(None);
            let mut fold = |j: usize, x: f64| {
                best[j] = Some(match best[j] {
                    None => x,
                    Some(b) if lower => b.min(x),
                    Some(b) => b.max(x),
                });
            };
            for mi in 0..w.n {
                match f.source[mi * d + di] {
                    Source::Drawn(i) => {
                        for (j, &x) in w.values[i * BLOCK..][..len].iter().enumerate() {
                            fold(j, x);
                        }
                    }
                    Source::Fixed(x) => (0..len).for_each(|j| fold(j, x)),
                    Source::Other => {}
                }
            }
        }
        for mi in 0..w.n {
            evaluate_member(pl, w, mi, len, 0, counts);
        }
    }
    // Debug builds (and so every test) check the incremental evaluation against the full one.
    #[cfg(debug_assertions)]
    check_full(pl, w, len);
}

/// Re-score member `mi` in each of the block's `len` replications from its nominal figures:
/// each dirty leaf's change added (to the tree, its area, the tie nodes above it), then totalled
/// and graded by the nominal evaluation's own functions (the bonus and penalty are the nominal
/// ones, already capped), so no noise gives the same bits. Its drawn values are in `w.values`
/// from noisy cell `first` on.
fn evaluate_member(
    pl: &Plan1,
    w: &mut Work,
    mi: usize,
    len: usize,
    first: usize,
    counts: &mut Counts,
) {
    let p = &pl.plan;
    let c = p.criteria;
    let f = &pl.fast;
    let d = f.dirty.len();
    let n_areas = c.areas.len();
    let weighted = pl.weights.is_some();
    let Work {
        values,
        best,
        tree,
        ties,
        areas,
        ..
    } = w;
    let tree = &mut tree[..len];
    tree.fill(f.tree_points[mi]);
    for (t, points) in f.tie_points.iter().enumerate() {
        ties[t * BLOCK..][..len].fill(points[mi]);
    }
    let nominal_areas = &f.area_points[mi * n_areas..(mi + 1) * n_areas];
    if weighted {
        for j in 0..len {
            areas[j * n_areas..(j + 1) * n_areas].copy_from_slice(nominal_areas);
        }
    }
    for (di, &(l, rel)) in f.dirty.iter().enumerate() {
        let rule = p.leaves[l].rule;
        let (max, nominal) = (f.leaf_max[di], f.nominal_points[mi * d + di]);
        let best_of = |j: usize| {
            if rel {
                best[f.rel_of[di] * BLOCK + j]
            } else {
                None
            }
        };
        let fixed;
        let xs: &[f64] = match f.source[mi * d + di] {
            Source::Drawn(i) => &values[(i - first) * BLOCK..][..len],
            Source::Fixed(x) => {
                fixed = [x; BLOCK];
                &fixed[..len]
            }
            Source::Other => continue,
        };
        let mut deltas = [0.0; BLOCK];
        crate::scoring::score::rules::points_of_nums(rule, max, xs, best_of, &mut deltas[..len]);
        // A change is added only when there is one (so no noise gives the nominal bits, to the
        // sign of a zero) — by a select: whether a draw moves the points is a coin toss for a
        // unit at a leaf's maximum, and a branch was mispredicted. Loop by loop, so each runs
        // in vector registers.
        let deltas = &mut deltas[..len];
        deltas.iter_mut().for_each(|d| *d -= nominal);
        let add = |sums: &mut [f64]| {
            for (s, &d) in sums.iter_mut().zip(deltas.iter()) {
                *s = pick(d != 0.0, *s + d, *s);
            }
        };
        add(tree);
        for &t in &f.tie_of[di] {
            add(&mut ties[t * BLOCK..][..len]);
        }
        if weighted {
            let a = f.area_of[di];
            for (j, &d) in deltas.iter().enumerate() {
                let s = &mut areas[j * n_areas + a];
                *s = pick(d != 0.0, *s + d, *s);
            }
        }
    }
    // Totalled and graded by the nominal evaluation's own functions, loop by loop: the totals
    // and indices (two divisions each, in vector registers), the grades, then the grades counted
    // band by band (incrementing one counter per replication waited on the previous increment).
    let (mut totals, mut index) = ([0.0; BLOCK], [0.0; BLOCK]);
    let sums = [f.bonus[mi], f.penalty[mi]];
    for j in 0..len {
        let (tree, tree_max) = match pl.weights {
            None => (tree[j], f.tree_max[mi]),
            Some(_) => weighted_tree(
                &w.factors[j * n_areas..(j + 1) * n_areas],
                &areas[j * n_areas..(j + 1) * n_areas],
                &f.area_max[mi * n_areas..(mi + 1) * n_areas],
            ),
        };
        let t = evaluate::combine(c, tree, tree_max, sums);
        (totals[j], index[j]) = (t.total, t.index);
    }
    let mut grades = [0u32; BLOCK];
    for (g, &x) in grades[..len].iter_mut().zip(&index[..len]) {
        // A grade is a band's position: a criteria file has a handful.
        *g = evaluate::capped_grade(c, w.params.basis, x, f.cap[mi]) as u32;
    }
    for band in 0..counts.bands {
        let times = grades[..len]
            .iter()
            .filter(|&&g| g as usize == band)
            .count();
        counts.add_grades(mi, band, times as u32);
    }
    for j in 0..len {
        w.totals[j * w.n + mi] = totals[j];
        w.grades[j * w.n + mi] = grades[j];
        for (t, keys) in w.tie_keys.iter_mut().enumerate() {
            keys[j * w.n + mi] = ties[t * BLOCK + j];
        }
    }
}

/// Rank every group of the file in the block's replication `j` and count each member's rank.
pub(super) fn rank_replication(pl: &Plan1, w: &mut Work, j: usize, counts: &mut Counts) {
    let c = pl.plan.criteria;
    let n = w.n;
    // The next replication's totals, fetched while this one is ranked (the block's results are
    // larger than the cache nearest the core: the ranking's first pass waited on them).
    if let Some(next) = w.totals.get((j + 1) * n..(j + 2) * n) {
        next.iter()
            .step_by(8)
            .for_each(crate::support::prefetch::read);
    }
    // The ranking keys: the total, then each tie-break node's points.
    let keys: Vec<&[f64]> = std::iter::once(&w.totals[j * n..(j + 1) * n])
        .chain(w.tie_keys.iter().map(|k| &k[j * n..(j + 1) * n]))
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
        for (&mi, &r) in w.members.iter().zip(&w.ranks) {
            counts.ranks[mi].add(r);
        }
    }
}

/// The block's incremental results against a full evaluation of each replication's cells.
#[cfg(debug_assertions)]
fn check_full(pl: &Plan1, w: &Work, len: usize) {
    let p = &pl.plan;
    let c = p.criteria;
    let n_areas = c.areas.len();
    for j in 0..len {
        let mut bound = pl.bound.clone();
        for (i, &(k, _, _)) in pl.noisy.iter().enumerate() {
            bound.cells[k] = Cell::Num(w.drawn[i * BLOCK + j]);
        }
        let mut best = vec![None; p.leaves.len()];
        evaluate::best_values(p, &bound, &mut best);
        let mut scratch = evaluate::Scratch::new(p);
        for mi in 0..w.n {
            let t = evaluate::unit(
                p,
                &bound,
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
                    let factors = &w.factors[j * n_areas..(j + 1) * n_areas];
                    let (p, m) = weighted_tree(factors, &points, &max);
                    evaluate::combine(c, p, m, [t.bonus, t.penalty]).total
                }
            };
            let (total, _) = w.result(j, mi);
            assert!(
                (full - total).abs() < 1e-9,
                "incremental total {total} against full {full}"
            );
            for (t, &node) in pl.tie.iter().enumerate() {
                assert!((scratch.node_points[node] - w.tie_key(t, j, mi)).abs() < 1e-9);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{inverse_cdf, triangular, Binomial, WINDOW};
    use rand::{Rng, SeedableRng};

    /// The search gives what the binary search over the whole table gives, for every kind of u
    /// (the tails, the exact table values, 0, 1) and shares from 0 to 1: from the cell's own
    /// guess (the window, mostly), and from guesses anywhere (the stepping) — and the guess is
    /// good enough that the window answers nearly every draw.
    #[test]
    fn inverse_cdf_is_the_binary_search() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let (mut draws, mut in_window) = (0usize, 0usize);
        for n in [1u64, 2, 5, 7, 8, 9, 30, 137, 250, 400, 2000] {
            for p in [0.0, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.9, 0.999, 1.0] {
                let mut tables = vec![0.5; 3];
                let b = Binomial::new(n, p, &mut tables);
                let table = b.table(&tables);
                assert_eq!(table.len(), n as usize + 1 + WINDOW);
                let cdf = &table[..=n as usize];
                let mut us: Vec<f64> = (0..2000).map(|_| rng.random::<f64>()).collect();
                us.extend([0.0, 1e-300, 1e-12, 1.0 - 1e-12, 0.5, 1.0]);
                us.extend(cdf.iter().copied());
                us.extend(cdf.iter().map(|c| c - 1e-15));
                for (i, u) in us.into_iter().enumerate() {
                    let want = cdf.partition_point(|&c| c < u).min(n as usize);
                    assert_eq!(
                        b.draw(table, super::normal_quantiles(), u),
                        want as f64 / n as f64 * 100.0,
                        "n {n} p {p} u {u}"
                    );
                    let zs = super::normal_quantiles();
                    let z = f64::from(
                        zs[((u * super::QUANTILES as f64) as usize).min(super::QUANTILES - 1)],
                    );
                    let guess = b.mean + b.sd * z + b.skew * (z * z - 1.0) + 0.5;
                    let g = guess.max(0.0) as usize;
                    // Uniform draws (the first 2,000), as the replications make them.
                    if i < 2000 && n >= 30 && p > 0.0 && p < 1.0 {
                        draws += 1;
                        in_window += usize::from(want + 3 >= g && want <= g + 4);
                    }
                    for guess in [
                        -5.0,
                        0.0,
                        f64::NAN,
                        f64::INFINITY,
                        rng.random_range(0.0..2.0 * n as f64),
                    ] {
                        assert_eq!(
                            inverse_cdf(table, n as usize, u, guess),
                            want,
                            "n {n} p {p} u {u} guess {guess}"
                        );
                    }
                }
            }
        }
        assert!(
            in_window as f64 > 0.999 * draws as f64,
            "{in_window} of {draws}"
        );
    }

    /// The branch-free triangular draw is the two-branch formula, to the bit.
    #[test]
    fn triangular_is_the_two_halves() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for _ in 0..100_000 {
            let (x, r, max) = (rng.random_range(0.0..3.0), rng.random_range(0.0..1.0), 3.0);
            let u: f64 = match rng.random_range(0..10) {
                0 => [0.0, 0.5, 0.5 - f64::EPSILON / 4.0, 1.0 - f64::EPSILON / 2.0]
                    [rng.random_range(0..4)],
                _ => rng.random(),
            };
            let d = if u < 0.5 {
                -r + r * (2.0 * u).sqrt()
            } else {
                r - r * (2.0 * (1.0 - u)).sqrt()
            };
            assert_eq!(
                triangular(x, r, max, u).to_bits(),
                (x + d).clamp(0.0, max).to_bits()
            );
        }
    }
}
