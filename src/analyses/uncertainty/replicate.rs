//! The replications themselves, a block at a time: the plan of what moves (the noisy cells with
//! their distributions, the binomial tables), the nominal evaluation they start from (only
//! leaves with a noisy cell are re-scored, their change added to the unit's totals), the draws
//! and the re-scoring of each member for every replication of the block, the weight factors, and
//! the ranking of every group into the per-unit tallies — in buffers each thread reuses.

use rand::Rng;

use super::counts::Counts;
use super::draw::{draw_cell, from_uniforms, pick, Inverse, Noise, Tables};
use super::stream::Stream;
use super::BLOCK;
use crate::scoring::rank;
use crate::scoring::score::bind::{self, Cell};
use crate::scoring::score::{evaluate, plan};

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
    /// Dense leaf indices with at least one noisy cell.
    pub(super) dirty: Vec<usize>,
    /// Per member × dirty leaf: where the cell's value comes from.
    pub(super) source: Vec<Source>,
    /// Per member: its first noisy cell in `Plan1::noisy` (which lists them member by member);
    /// one more entry, the count.
    pub(super) noisy_of: Vec<usize>,
    /// Per dirty leaf with a relative rule (whose best value moves): whether lower is better, and
    /// its position among those leaves.
    pub(super) relative: Vec<Option<(bool, usize)>>,
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
        let dirty: Vec<usize> = (0..n_leaves).filter(|&l| is_dirty[l]).collect();
        let mut n_relative = 0;
        let relative = dirty
            .iter()
            .map(|&l| match p.leaves[l].rule.kind {
                crate::input::criteria::model::RuleKind::Relative { lower_better } => {
                    n_relative += 1;
                    Some((lower_better, n_relative - 1))
                }
                _ => None,
            })
            .collect();
        let mut best = vec![None; p.leaves.len()];
        evaluate::best_values(p, bound, &mut best);
        let mut scratch = evaluate::Scratch::new(p);
        let n = bound.members.len();
        // `dirty_cells` lists cells member by member, leaf by leaf: sorted.
        let source = (0..bound.members.len())
            .flat_map(|mi| dirty.iter().map(move |&l| (mi, l)))
            .map(|(mi, l)| {
                let k = mi * n_leaves + l;
                match (dirty_cells.binary_search(&k), bound.cells[k]) {
                    (Ok(i), _) => Source::Drawn(i),
                    (Err(_), Cell::Num(x)) => Source::Fixed(x),
                    (Err(_), _) => Source::Other,
                }
            })
            .collect();
        let mut f = Fast {
            source,
            noisy_of: (0..=bound.members.len())
                .map(|mi| dirty_cells.partition_point(|&k| k < mi * n_leaves))
                .collect(),
            relative,
            nominal_points: Vec::with_capacity(n * dirty.len()),
            tree_points: Vec::with_capacity(n),
            tree_max: Vec::with_capacity(n),
            bonus: Vec::with_capacity(n),
            penalty: Vec::with_capacity(n),
            cap: Vec::with_capacity(n),
            tie_points: vec![Vec::with_capacity(n); tie.len()],
            tie_of: dirty
                .iter()
                .map(|&l| {
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
            leaf_max: dirty.iter().map(|&l| params.leaf_max[l]).collect(),
            area_points: Vec::with_capacity(n * c.areas.len()),
            area_max: Vec::with_capacity(n * c.areas.len()),
            area_of: dirty
                .iter()
                .map(|&l| {
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
            for &l in &f.dirty {
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

    /// How many dirty leaves have a relative rule.
    pub(super) fn n_relative(&self) -> usize {
        self.relative.iter().flatten().count()
    }
}

/// The buffers one thread reuses for one criteria file, block after block.
pub(super) struct Work {
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
}

impl Work {
    pub(super) fn new(pl: &Plan1) -> Work {
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
            best: vec![None; f.n_relative() * BLOCK],
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
    /// The binomial cells' tables.
    pub(super) tables: Tables,
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
        self.weights.is_none() && self.fast.n_relative() == 0
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

/// A block of replications of one criteria file (one generator each, `rngs`): every member's
/// noisy cells drawn and the member re-scored in each replication — only its dirty leaves, their
/// change added to its nominal figures — its grades counted, its totals and tie keys kept for
/// [`rank_replication`].
pub(super) fn evaluate_block(pl: &Plan1, w: &mut Work, rngs: &mut [Stream], counts: &mut Counts) {
    let len = rngs.len();
    let f = &pl.fast;
    if pl.fused() {
        for mi in 0..w.n {
            let first = f.noisy_of[mi];
            // The next member's tables are fetched while this one's cells are drawn.
            for i in f.noisy_of[mi + 1]..f.noisy_of[(mi + 2).min(w.n)] {
                if let Noise::Inverse(Inverse::Binomial(b)) = pl.noisy[i].2 {
                    b.prefetch(&pl.tables);
                }
            }
            let cells = &pl.noisy[first..f.noisy_of[mi + 1]];
            if !cells.is_empty() && cells.iter().all(|c| matches!(c.2, Noise::Inverse(_))) {
                // Each cell one uniform a replication: a replication's uniforms for all the
                // member's cells taken at once (cell-major, as the cells' values are kept),
                // then each cell's turned into its values.
                for (j, rng) in rngs.iter_mut().enumerate() {
                    rng.uniforms(&mut w.values[j..], cells.len(), BLOCK);
                }
                for (c, &(_, x, noise)) in cells.iter().enumerate() {
                    if let Noise::Inverse(inverse) = noise {
                        from_uniforms(x, inverse, &pl.tables, &mut w.values[c * BLOCK..][..len]);
                    }
                }
            } else {
                for (c, cell) in cells.iter().enumerate() {
                    draw_cell(cell, &pl.tables, rngs, &mut w.values[c * BLOCK..][..len]);
                }
            }
            #[cfg(debug_assertions)]
            for c in 0..cells.len() {
                w.drawn[(first + c) * BLOCK..][..len]
                    .copy_from_slice(&w.values[c * BLOCK..][..len]);
            }
            evaluate_member(pl, w, mi, len, first, counts);
        }
    } else {
        for i in 0..pl.noisy.len() {
            let out = &mut w.values[i * BLOCK..][..len];
            draw_cell(&pl.noisy[i], &pl.tables, rngs, out);
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
        for (di, &rel) in f.relative.iter().enumerate() {
            let Some((lower, r)) = rel else {
                continue;
            };
            let best = &mut w.best[r * BLOCK..][..len];
            best.fill(None);
            let mut fold = |j: usize, x: f64| {
                best[j] = Some(best[j].map_or(x, |b| evaluate::better(lower, b, x)));
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
    // Each leaf's points for the block, written whole by `points_of_nums`: one array for all the
    // leaves, not one zeroed per leaf.
    let mut points = [0.0; BLOCK];
    for (di, &l) in f.dirty.iter().enumerate() {
        let rule = p.leaves[l].rule;
        let (max, nominal) = (f.leaf_max[di], f.nominal_points[mi * d + di]);
        let relative = f.relative[di];
        let best_of = |j: usize| relative.and_then(|(_, r)| best[r * BLOCK + j]);
        let fixed;
        let xs: &[f64] = match f.source[mi * d + di] {
            Source::Drawn(i) => &values[(i - first) * BLOCK..][..len],
            Source::Fixed(x) => {
                fixed = [x; BLOCK];
                &fixed[..len]
            }
            Source::Other => continue,
        };
        let deltas = &mut points[..len];
        crate::scoring::score::rules::points_of_nums(rule, max, xs, best_of, deltas);
        // A change is added only when there is one (so no noise gives the nominal bits, to the
        // sign of a zero) — by a select: whether a draw moves the points is a coin toss for a
        // unit at a leaf's maximum, and a branch was mispredicted. Loop by loop, so each runs
        // in vector registers.
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
    // Most units' indices stay between two bands' minimums in every replication of a block:
    // then they are graded once (the same band for each, `one_grade_within`).
    let index = &index[..len];
    let (lo, hi, nan) = index.iter().fold(
        (f64::INFINITY, f64::NEG_INFINITY, false),
        |(lo, hi, nan), &x| (lo.min(x), hi.max(x), nan | x.is_nan()),
    );
    if len > 0 && !nan && evaluate::one_grade_within(&c.grading, lo, hi) {
        let g = evaluate::capped_grade(c, w.params.basis, lo, f.cap[mi]);
        grades[..len].fill(g as u32);
        counts.add_grades(mi, g, len as u32);
    } else {
        for (g, &x) in grades[..len].iter_mut().zip(index) {
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
