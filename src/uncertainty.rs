//! How sure is the ranking: Monte Carlo over the uncertain inputs, re-scored by the same pure
//! core (plan → bind once → evaluate and rank per replication, no I/O, no strings, buffers
//! reused). Survey shares are resampled from their sample sizes (binomial) or moved by a declared
//! margin (normal, the margin as a 95% half-width); appraised points move within a declared range
//! (uniform or triangular), clipped to [0, max]; optionally each area's weight is multiplied by a
//! factor uniform in [1 − r, 1 + r] and the total recomputed over the weighted maximum (the
//! sensitivity to the weights). Binomial draws use the exact distribution by inverse CDF from a
//! table built once per cell (BTPE sampling was a third of the time). Each replication has its
//! own generator seeded from (seed, replication), so the same inputs and seed give the same
//! figures whatever the number of threads; per-replication ranks stream into per-unit histograms (never a replications × units
//! cube). Reported per unit: median rank and 5–95% interval, the probability of being first in
//! its group and of each grade.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::criteria::model::Scale;
use crate::criteria::Criteria;
use crate::dataset::{Dataset, Lookup};
use crate::error::DataIssue;
use crate::rank;
use crate::score::bind::{self, Cell};
use crate::score::{evaluate, plan, UnitScore};
use crate::text;
use crate::units::Registry;

/// How points of appraised leaves move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Uniform,
    Triangular,
}

/// One survey indicator's uncertainty: a sample-size column, or a margin in percentage points.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveySpec {
    pub indicator: String,
    pub sample_size: Option<String>,
    pub margin: Option<f64>,
}

/// What the run file declares (`[uncertainty]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub replications: usize,
    pub seed: u64,
    /// A nominal grade whose probability is below this is flagged "xếp loại chưa chắc chắn".
    pub level: f64,
    pub survey: Vec<SurveySpec>,
    /// ± points on appraised leaves, and the shape.
    pub appraised: Option<(f64, Shape)>,
    /// Weight noise: each area's weight is multiplied by a factor uniform in [1 − r, 1 + r],
    /// independently per area and replication (the JRC/OECD sensitivity to the weights).
    pub weights: Option<f64>,
    pub threads: usize,
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            replications: 1000,
            seed: 2025,
            level: 0.8,
            survey: Vec::new(),
            appraised: None,
            weights: None,
            threads: 0,
        }
    }
}

/// One unit's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFigures {
    /// Index into the registry.
    pub unit: usize,
    pub rank: usize,
    pub of: usize,
    pub median: usize,
    pub p05: usize,
    pub p95: usize,
    pub p_first: f64,
    /// Per grade band of the unit's criteria file.
    pub p_grade: Vec<f64>,
    pub grade: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub replications: usize,
    pub seed: u64,
    pub level: f64,
    pub units: Vec<UnitFigures>,
    /// What was perturbed, in words (for the method statement).
    pub sources: Vec<String>,
    /// When award rules were given: per award, per position in the scores, the probability of
    /// being proposed.
    pub award_p: Vec<Vec<f64>>,
}

impl Figures {
    pub fn of(&self, unit: usize) -> Option<&UnitFigures> {
        self.units.iter().find(|u| u.unit == unit)
    }
}

/// How one bound cell moves; distributions are built once, when the cell is planned.
#[derive(Debug, Clone, Copy)]
enum Noise {
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
struct Fast {
    /// Dense leaf indices with at least one noisy cell; whether each is a relative rule.
    dirty: Vec<(usize, bool)>,
    /// Per member × dirty leaf: the nominal points.
    nominal_points: Vec<f64>,
    /// Per member: nominal tree points, tree maximum, bonus − penalty (after caps), the
    /// grade cap of its disqualifying conditions, bonus and penalty after caps, and the nominal
    /// points of each tie node.
    tree_points: Vec<f64>,
    tree_max: Vec<f64>,
    bonus: Vec<f64>,
    penalty: Vec<f64>,
    cap: Vec<usize>,
    tie_points: Vec<Vec<f64>>,
    /// Per dirty leaf: the tie keys whose node is one of its ancestors.
    tie_of: Vec<Vec<usize>>,
    /// Per dirty leaf: its maximum.
    leaf_max: Vec<f64>,
    /// Per member × area (in `Criteria::areas` order): the nominal raw points and the maximum
    /// after re-basing, for weight noise.
    area_points: Vec<f64>,
    area_max: Vec<f64>,
    /// Per dirty leaf: the position of its area in `Criteria::areas`.
    area_of: Vec<usize>,
}

impl Fast {
    fn new(p: &plan::Plan, bound: &bind::Bound, dirty_cells: &[usize], tie: &[usize]) -> Fast {
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
                    crate::criteria::model::RuleKind::Relative { .. }
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
            let cap = (0..c.disqualify.len())
                .filter(|&d| bound.condition(mi, d) == bind::CondState::Met)
                .map(|d| c.disqualify[d].cap_grade)
                .max()
                .unwrap_or(0);
            f.cap.push(cap);
            for (j, &node) in tie.iter().enumerate() {
                f.tie_points[j].push(scratch.node_points[node]);
            }
        }
        f
    }
}

/// The buffers one thread reuses for one criteria file, replication after replication.
struct Work<'c> {
    bound: bind::Bound,
    params: plan::Params,
    best: Vec<Option<f64>>,
    totals: Vec<f64>,
    grades: Vec<usize>,
    tie_keys: Vec<Vec<f64>>,
    members: Vec<usize>,
    ranks: Vec<usize>,
    /// This replication's weight factor per area, and one unit's area points.
    factors: Vec<f64>,
    areas: Vec<f64>,
    _plan: std::marker::PhantomData<&'c ()>,
}

impl<'c> Work<'c> {
    fn new(pl: &Plan1<'c>) -> Work<'c> {
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
struct Plan1<'c> {
    plan: plan::Plan<'c>,
    bound: bind::Bound,
    noisy: Vec<(usize, f64, Noise)>,
    /// Cumulative binomial probabilities of the binomial cells, back to back.
    cdf: Vec<f64>,
    /// Incremental evaluation: only leaves with a noisy cell ("dirty") change between
    /// replications; everything else is the nominal evaluation, computed once.
    fast: Fast,
    /// Groups of member indices, as officially ranked.
    groups: Vec<Vec<usize>>,
    code_order: Vec<u32>,
    tie: Vec<usize>,
    /// Weight noise (`Spec::weights`).
    weights: Option<f64>,
}

/// A unit's total when each area's weight is multiplied by its factor: the weighted area points
/// over the weighted maxima, rescaled to `max_points` (so the index stays on 0–100 and a unit
/// re-based out of an area is not penalised by its weight), plus bonus − penalty, clamped.
fn weighted_total(c: &Criteria, factors: &[f64], points: &[f64], max: &[f64], extra: f64) -> f64 {
    let (mut p, mut m) = (0.0, 0.0);
    for ((f, x), y) in factors.iter().zip(points).zip(max) {
        p += f * x;
        m += f * y;
    }
    let scaled = if m > 0.0 { p * c.max_points / m } else { 0.0 };
    (scaled + extra).clamp(0.0, c.max_points)
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

/// What the award selection inside the replications needs.
pub struct AwardCtx<'a> {
    pub rules: &'a crate::awards::Rules,
    pub comparison: Option<&'a crate::compare::YearComparison>,
    pub lang: crate::i18n::Lang,
}

/// Check the declaration against the criteria and the data; every problem at once.
pub fn check(spec: &Spec, criteria: &[Criteria], data: &Dataset, file: &str) -> Vec<DataIssue> {
    let mut issues = Vec::new();
    let survey: Vec<String> = criteria
        .iter()
        .flat_map(|c| {
            c.leaves()
                .filter(|(_, n, _)| n.survey)
                .map(|(_, _, r)| text::key(&r.indicator))
        })
        .collect();
    for s in &spec.survey {
        let at = |message: String| DataIssue {
            file: file.to_string(),
            row: None,
            column: None,
            message,
        };
        if !survey.contains(&text::key(&s.indicator)) {
            issues.push(at(crate::tr!(
                "[uncertainty]: `{}` không phải chỉ số điều tra xã hội học của bộ tiêu chí",
                "[uncertainty]: `{}` is not a survey indicator of the criteria",
                s.indicator
            )));
        }
        if let Some(col) = &s.sample_size {
            if data.holders(col).is_empty() && data.holders(&text::key(col)).is_empty() {
                issues.push(at(crate::tr!(
                    "[uncertainty]: không bảng dữ liệu nào có cột cỡ mẫu `{col}`",
                    "[uncertainty]: no data table has the sample-size column `{col}`"
                )));
            }
        }
    }
    issues
}

/// A unit's sample size from its column: a positive whole number; empty means none (no noise
/// unless a margin is declared); anything else is a data error at its cell.
fn sample_size(
    data: &Dataset,
    code: &str,
    column: &str,
    issues: &mut Vec<DataIssue>,
) -> Option<u64> {
    match data.get(code, column) {
        Lookup::Cell {
            value,
            locale,
            source,
            ..
        } => match crate::score::rules::number(value, locale) {
            Some(p) if p.value >= 1.0 && p.value.fract() == 0.0 => Some(p.value as u64),
            Some(_) | None if value.as_read().trim().is_empty() => None,
            _ => {
                issues.push(DataIssue {
                    file: source.file.clone(),
                    row: Some(source.row),
                    column: Some(source.column.clone()),
                    message: crate::tr!(
                        "cỡ mẫu phải là số nguyên dương, gặp `{}`",
                        "a sample size is a positive whole number, found `{}`",
                        value.as_read()
                    ),
                });
                None
            }
        },
        _ => None,
    }
}

/// Run the replications. `scores` are the nominal results (with their ranks and groups).
pub fn run(
    spec: &Spec,
    criteria: &[Criteria],
    registry: &Registry,
    data: &Dataset,
    scores: &[UnitScore],
    awards: Option<&AwardCtx>,
    progress: bool,
) -> Result<Figures, Vec<DataIssue>> {
    let mut issues = Vec::new();
    let mut plans: Vec<Plan1> = Vec::new();
    for (ci, c) in criteria.iter().enumerate() {
        let members: Vec<usize> = (0..registry.units.len())
            .filter(|&u| c.covers(&registry.units[u].unit_type))
            .collect();
        if members.is_empty() {
            continue;
        }
        let p = plan::Plan::compile(c);
        let (bound, _) = bind::bind(&p, &members, registry, data, &mut Vec::new());
        let mut noisy = Vec::new();
        let mut cdf: Vec<f64> = Vec::new();
        for (mi, &u) in bound.members.iter().enumerate() {
            let code = &registry.units[u].code;
            for (l, lp) in p.leaves.iter().enumerate() {
                let k = mi * bound.n_leaves + l;
                let Cell::Num(x) = bound.cells[k] else {
                    continue;
                };
                let max = c.nodes[lp.node].max;
                if lp.survey {
                    let Some(s) = spec
                        .survey
                        .iter()
                        .find(|s| text::key(&s.indicator) == text::key(&lp.rule.indicator))
                    else {
                        continue;
                    };
                    let n = s
                        .sample_size
                        .as_ref()
                        .and_then(|col| sample_size(data, code, col, &mut issues));
                    let noise = match (n, s.margin) {
                        // Above 10,000 respondents the table would be large and the normal
                        // approximation is exact to far below a rounding step.
                        (Some(n), _) if n > 10_000 => {
                            let p = (x / 100.0).clamp(0.0, 1.0);
                            let sd = (p * (1.0 - p) / n as f64).sqrt() * 100.0;
                            if sd > 0.0 {
                                Normal::new(x, sd).ok().map(Noise::Margin)
                            } else {
                                Some(Noise::Fixed)
                            }
                        }
                        (Some(n), _) => {
                            let start = cdf.len();
                            binomial_cdf(n, (x / 100.0).clamp(0.0, 1.0), &mut cdf);
                            Some(Noise::Binomial(start, cdf.len(), n as f64))
                        }
                        (None, Some(m)) if m > 0.0 => {
                            Normal::new(x, m / 1.96).ok().map(Noise::Margin)
                        }
                        (None, Some(_)) => Some(Noise::Fixed),
                        (None, None) => None,
                    };
                    if let Some(noise) = noise {
                        noisy.push((k, x, noise));
                    }
                } else if let (Scale::Points, Some((r, shape))) = (lp.rule.scale, spec.appraised) {
                    let noise = match shape {
                        _ if r <= 0.0 => Noise::Fixed,
                        Shape::Uniform => Noise::Uniform(r, max),
                        Shape::Triangular => Noise::Triangular(r, max),
                    };
                    noisy.push((k, x, noise));
                }
            }
        }
        // The official groups of this file, from the nominal results.
        let mut groups: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
        let pos: std::collections::HashMap<usize, usize> = bound
            .members
            .iter()
            .enumerate()
            .map(|(mi, &u)| (u, mi))
            .collect();
        for s in scores.iter().filter(|s| s.criteria == ci) {
            groups
                .entry(s.group.as_str())
                .or_default()
                .push(pos[&s.unit]);
        }
        let mut by_code: Vec<usize> = (0..bound.members.len()).collect();
        by_code.sort_by(|&a, &b| {
            registry.units[bound.members[a]]
                .code
                .cmp(&registry.units[bound.members[b]].code)
        });
        let mut code_order = vec![0u32; bound.members.len()];
        for (i, &m) in by_code.iter().enumerate() {
            code_order[m] = i as u32;
        }
        let cells: Vec<usize> = noisy.iter().map(|&(k, _, _)| k).collect();
        let fast = Fast::new(&p, &bound, &cells, &c.ranking.tie_break);
        plans.push(Plan1 {
            fast,
            weights: spec.weights.filter(|&r| r > 0.0),
            tie: c.ranking.tie_break.clone(),
            plan: p,
            bound,
            noisy,
            cdf,
            groups: groups.into_values().collect(),
            code_order,
        });
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    // Where each plan member sits in `scores` (for the award selection per replication).
    let at: Vec<Vec<usize>> = plans
        .iter()
        .map(|pl| {
            pl.bound
                .members
                .iter()
                .map(|u| scores.iter().position(|s| s.unit == *u).expect("scored"))
                .collect()
        })
        .collect();
    let n_awards = awards.map_or(0, |a| a.rules.awards.len());
    let threads = if spec.threads > 0 {
        spec.threads
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
    .clamp(1, 64);
    let reps = spec.replications;
    // Histograms: per plan, per member: ranks (1..=group size) and grades.
    type Hist = Vec<(Vec<u32>, Vec<u32>)>;
    let empty = |plans: &[Plan1]| -> Vec<Hist> {
        plans
            .iter()
            .map(|pl| {
                let bands = pl.plan.criteria.grading.bands.len();
                (0..pl.bound.members.len())
                    .map(|_| (vec![0u32; pl.bound.members.len() + 1], vec![0u32; bands]))
                    .collect()
            })
            .collect()
    };
    let bar = (progress && reps >= 200).then(|| {
        let b = indicatif::ProgressBar::new(reps as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        b.set_message(
            crate::i18n::current()
                .pick("Mô phỏng", "Replications")
                .to_string(),
        );
        b
    });
    let done = std::sync::atomic::AtomicUsize::new(0);
    let parts: Vec<(Vec<Hist>, Vec<Vec<u32>>)> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let plans = &plans;
                let bar = bar.as_ref();
                let done = &done;
                let at = &at;
                sc.spawn(move || {
                    let mut hist = empty(plans);
                    let mut work: Vec<Work> = plans.iter().map(Work::new).collect();
                    // Award selection per replication, on a copy of the nominal results.
                    let mut proposed = vec![vec![0u32; scores.len()]; n_awards];
                    let mut copy: Vec<UnitScore> = if awards.is_some() {
                        scores.to_vec()
                    } else {
                        Vec::new()
                    };
                    for r in (t..reps).step_by(threads) {
                        let mut rng = ChaCha8Rng::seed_from_u64(
                            spec.seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                        );
                        for ((pl, b), h) in plans.iter().zip(work.iter_mut()).zip(hist.iter_mut()) {
                            replicate(pl, b, &mut rng, h);
                        }
                        if let Some(ctx) = awards {
                            for ((pl, w), pos) in plans.iter().zip(&work).zip(at) {
                                let c = pl.plan.criteria;
                                for (mi, &si) in pos.iter().enumerate() {
                                    let s = &mut copy[si];
                                    s.total = w.totals[mi];
                                    s.index = w.totals[mi] / c.max_points * 100.0;
                                    s.grade = w.grades[mi];
                                    for (j, &node) in pl.tie.iter().enumerate() {
                                        s.node_points[node] = w.tie_keys[j][mi];
                                    }
                                }
                            }
                            let sel = crate::awards::select(
                                ctx.rules,
                                criteria,
                                registry,
                                &copy,
                                data,
                                ctx.comparison,
                                None,
                                ctx.lang,
                            );
                            for c in &sel.considered {
                                if c.decision == crate::awards::Decision::Proposed {
                                    proposed[c.award][c.score] += 1;
                                }
                            }
                        }
                        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        if let Some(b) = bar {
                            if n.is_multiple_of(50) || n == reps {
                                b.set_position(n as u64);
                            }
                        }
                    }
                    (hist, proposed)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a replication thread does not panic"))
            .collect()
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    // Sum the threads' histograms (integer sums: the same whatever the thread count).
    let mut total = empty(&plans);
    let mut proposed = vec![vec![0u32; scores.len()]; n_awards];
    for (part, props) in parts {
        for (tp, pp) in proposed.iter_mut().zip(props) {
            tp.iter_mut().zip(pp).for_each(|(a, b)| *a += b);
        }
        for (tp, pp) in total.iter_mut().zip(part) {
            for ((tr, tg), (pr, pg)) in tp.iter_mut().zip(pp) {
                tr.iter_mut().zip(pr).for_each(|(a, b)| *a += b);
                tg.iter_mut().zip(pg).for_each(|(a, b)| *a += b);
            }
        }
    }
    let mut out = Figures {
        award_p: proposed
            .iter()
            .map(|v| v.iter().map(|&c| c as f64 / reps as f64).collect())
            .collect(),
        replications: reps,
        seed: spec.seed,
        level: spec.level,
        ..Figures::default()
    };
    for (pl, hist) in plans.iter().zip(&total) {
        for g in &pl.groups {
            for &mi in g {
                let u = pl.bound.members[mi];
                let s = scores.iter().find(|s| s.unit == u).expect("scored");
                let (ranks, grades) = &hist[mi];
                let q = |p: f64| -> usize {
                    let target = (p * reps as f64).ceil().max(1.0) as u64;
                    let mut acc = 0u64;
                    for (r, &c) in ranks.iter().enumerate() {
                        acc += c as u64;
                        if acc >= target {
                            return r;
                        }
                    }
                    ranks.len() - 1
                };
                out.units.push(UnitFigures {
                    unit: u,
                    rank: s.rank,
                    of: s.rank_of,
                    median: q(0.5),
                    p05: q(0.05),
                    p95: q(0.95),
                    p_first: ranks[1] as f64 / reps as f64,
                    p_grade: grades.iter().map(|&c| c as f64 / reps as f64).collect(),
                    grade: s.grade,
                });
            }
        }
    }
    let vi = crate::i18n::current() == crate::i18n::Lang::Vi;
    for s in &spec.survey {
        out.sources.push(match (&s.sample_size, s.margin, vi) {
            (Some(col), _, true) => format!(
                "{}: lấy mẫu lại theo cỡ mẫu ở cột {col} (phân phối nhị thức)",
                s.indicator
            ),
            (Some(col), _, false) => format!(
                "{}: resampled from the sample size in column {col} (binomial)",
                s.indicator
            ),
            (None, Some(m), true) => format!(
                "{}: sai số ±{} điểm phần trăm (phân phối chuẩn, khoảng 95%)",
                s.indicator,
                shown(m, vi)
            ),
            (None, Some(m), false) => format!(
                "{}: margin ±{m} percentage points (normal, 95% half-width)",
                s.indicator
            ),
            _ => String::new(),
        });
    }
    if let Some((r, shape)) = spec.appraised {
        let r = shown(r, vi);
        out.sources.push(match (shape, vi) {
            (Shape::Uniform, true) => {
                format!("điểm thẩm định: ±{r} điểm (phân phối đều), giới hạn trong [0, tối đa]")
            }
            (Shape::Triangular, true) => format!(
                "điểm thẩm định: ±{r} điểm (phân phối tam giác), giới hạn trong [0, tối đa]"
            ),
            (Shape::Uniform, false) => {
                format!("appraised points: ±{r} (uniform), clipped to [0, max]")
            }
            (Shape::Triangular, false) => {
                format!("appraised points: ±{r} (triangular), clipped to [0, max]")
            }
        });
    }
    if let Some(r) = spec.weights.filter(|&r| r > 0.0) {
        let (lo, hi) = (shown(1.0 - r, vi), shown(1.0 + r, vi));
        let pct = shown(r * 100.0, vi);
        out.sources.push(if vi {
            format!(
                "trọng số các lĩnh vực: mỗi lĩnh vực nhân với một hệ số ngẫu nhiên đều trong [{lo}; {hi}] (±{pct}%), độc lập; tổng điểm tính lại trên điểm tối đa có trọng số"
            )
        } else {
            format!(
                "area weights: each area multiplied by a random factor, uniform in [{lo}, {hi}] (±{pct}%), independently; the total recomputed over the weighted maximum"
            )
        });
    }
    Ok(out)
}

/// A number in the method statement: up to 6 decimals, the decimal comma in Vietnamese.
fn shown(x: f64, vi: bool) -> String {
    let s = crate::criteria::validate::fmt_num(x);
    if vi {
        s.replace('.', ",")
    } else {
        s
    }
}

/// One replication of one criteria file: perturb, evaluate, rank, count, in reused buffers.
fn replicate(pl: &Plan1, w: &mut Work, rng: &mut ChaCha8Rng, hist: &mut [(Vec<u32>, Vec<u32>)]) {
    for &(k, x, noise) in &pl.noisy {
        let v = match noise {
            Noise::Binomial(start, end, n) => {
                // The smallest k with CDF(k) ≥ u.
                let u: f64 = rng.random();
                let k = pl.cdf[start..end]
                    .partition_point(|&c| c < u)
                    .min(end - start - 1);
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
        };
        w.bound.cells[k] = Cell::Num(v);
    }
    // The areas' weight factors, drawn after the cells (so a run without weight noise draws
    // exactly what it drew before).
    if let Some(r) = pl.weights {
        for x in &mut w.factors {
            *x = 1.0 + rng.random_range(-r..=r);
        }
    }
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
                crate::criteria::model::RuleKind::Relative { lower_better: true }
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
                let (pts, _) = crate::score::rules::points_of(
                    p.leaves[l].rule,
                    f.leaf_max[di],
                    crate::score::rules::Reading::Num(x),
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
        let total = match pl.weights {
            // The same expression as the nominal evaluation, so no noise gives the same bits.
            None => {
                let scaled = if f.tree_max[mi] > 0.0 {
                    tree * c.max_points / f.tree_max[mi]
                } else {
                    0.0
                };
                (scaled + f.bonus[mi] - f.penalty[mi]).clamp(0.0, c.max_points)
            }
            Some(_) => weighted_total(
                c,
                &w.factors,
                &w.areas,
                &f.area_max[mi * n_areas..(mi + 1) * n_areas],
                f.bonus[mi] - f.penalty[mi],
            ),
        };
        let index = total / c.max_points * 100.0;
        let grade = evaluate::grade_with(&c.grading, w.params.basis, index).max(f.cap[mi]);
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
                    weighted_total(c, &w.factors, &points, &max, t.bonus - t.penalty)
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
