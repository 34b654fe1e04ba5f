//! How sure is the ranking: Monte Carlo over the uncertain inputs, re-scored by the same pure
//! core (plan → bind once → evaluate and rank per replication, no I/O, no strings, buffers
//! reused). Survey shares are resampled from their sample sizes (binomial) or moved by a declared
//! margin (normal, the margin as a 95% half-width); appraised points move within a declared range
//! (uniform or triangular), clipped to [0, max]; optionally each area's weight is multiplied by a
//! factor uniform in [1 − r, 1 + r] and the total recomputed over the weighted maximum (the
//! sensitivity to the weights). Binomial draws use the exact distribution by inverse CDF from a
//! table built once per cell (BTPE sampling was a third of the time). Each replication has its
//! own generator seeded from (seed, replication), so the same inputs and seed give the same
//! figures whatever the number of threads; per-replication ranks stream into per-unit tallies
//! (`counts`; never a replications × units cube). Reported per unit: median rank and 5–95%
//! interval, the probability of being first in its group and of each grade. `replicate` draws and
//! re-scores a block of replications and ranks each; this module plans the run, drives the
//! threads and turns the tallies into figures.

use rand_distr::Normal;

use crate::input::criteria::model::Scale;
use crate::input::criteria::Criteria;
use crate::input::dataset::{Dataset, Lookup};
use crate::input::units::Registry;
use crate::scoring::score::bind::{self, Cell};
use crate::scoring::score::{plan, UnitScore};
use crate::support::error::DataIssue;
use crate::support::text;

mod counts;
mod draw;
mod replicate;
mod stream;

use counts::Counts;
use draw::Noise;
use replicate::{evaluate_block, rank_replication, Fast, Plan1, Work};
use stream::Stream;

/// Replications evaluated together: a member's noisy cells are drawn for all of them (a
/// binomial table read once for the block, not once per replication), then the member is
/// re-scored for each while the values are in the nearest cache. The figures do not depend on it.
const BLOCK: usize = 64;

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

/// One input the replications move, and how.
#[derive(Debug, Clone, PartialEq)]
pub enum NoiseSource {
    /// A survey share resampled (binomial) from the unit's sample size in `column`.
    SurveySample { indicator: String, column: String },
    /// A survey share moved by a normal error of ± `margin` percentage points (95%).
    SurveyMargin { indicator: String, margin: f64 },
    /// Appraised points moved by ± `range`, clipped to [0, max].
    Appraised { range: f64, shape: Shape },
    /// Each area's weight multiplied by a factor uniform in [1 − range, 1 + range].
    Weights { range: f64 },
}

#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub replications: usize,
    pub seed: u64,
    pub level: f64,
    /// Sorted by unit (a unit is a member of one criteria file): [`Figures::of`] searches it.
    pub units: Vec<UnitFigures>,
    /// What was perturbed, and how (worded by the report).
    pub sources: Vec<NoiseSource>,
    /// The weight noise's range, when the areas' weights were moved.
    pub weights: Option<f64>,
    /// Survey shares left fixed for want of a sample size: per sample-size column, the codes of
    /// the units with a share but no size there (sorted). The run is warned of them.
    pub without_size: Vec<(String, Vec<String>)>,
    /// When award rules were given: per award, per position in the scores, the probability of
    /// being proposed.
    pub award_p: Vec<Vec<f64>>,
}

impl Figures {
    /// A unit's figures, if it was replicated. By binary search: every document asks it of
    /// every unit (a scan per unit was 5 million comparisons for a national run, per document).
    pub fn of(&self, unit: usize) -> Option<&UnitFigures> {
        let at = self.units.binary_search_by_key(&unit, |u| u.unit).ok()?;
        self.units.get(at)
    }
}

/// What the award selection inside the replications needs.
pub struct AwardCtx<'a> {
    pub rules: &'a crate::analyses::awards::Rules,
    pub comparison: Option<&'a crate::analyses::compare::YearComparison>,
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
        } => match crate::scoring::score::rules::number(value, locale) {
            Some(p) if p.value >= 1.0 && p.value.fract() == 0.0 => Some(p.value as u64),
            Some(_) | None if value.as_read().trim().is_empty() => None,
            _ => {
                issues.push(DataIssue {
                    file: source.file.to_string(),
                    row: Some(source.row),
                    column: Some(source.column.to_string()),
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

/// Run the replications. `scores` are the nominal results, `ranking` their official ranking
/// (whose groups the replications rank again).
#[allow(clippy::too_many_arguments)] // the run's inputs, each used; a struct would only rename them
pub fn run(
    spec: &Spec,
    criteria: &[Criteria],
    registry: &Registry,
    data: &Dataset,
    bounds: &[bind::Bound],
    scores: &[UnitScore],
    ranking: &crate::scoring::rank::Ranking,
    awards: Option<&AwardCtx>,
    progress: bool,
) -> Result<Figures, Vec<DataIssue>> {
    let mut issues = Vec::new();
    // Per sample-size column: the units with a survey share but no sample size there.
    let mut unsized_cells: Vec<(String, Vec<String>)> = Vec::new();
    let mut plans: Vec<Plan1> = Vec::new();
    for (ci, c) in criteria.iter().enumerate() {
        // The run's own cells, bound once by `score::score_run`.
        let bound = &bounds[ci];
        if bound.members.is_empty() {
            continue;
        }
        let p = plan::Plan::compile(c);
        let mut noisy = Vec::new();
        let mut tables = draw::Tables::default();
        // Each survey leaf's declaration, matched once (not once per unit).
        let declared: Vec<Option<&SurveySpec>> = p
            .leaves
            .iter()
            .map(|lp| {
                let key = text::key(&lp.rule.indicator);
                lp.survey
                    .then(|| spec.survey.iter().find(|s| text::key(&s.indicator) == key))
                    .flatten()
            })
            .collect();
        // A unit's sample size per column, read once (survey leaves often share the column:
        // read per leaf, a bad cell was reported once per leaf).
        let mut sizes: Vec<(&str, Option<u64>)> = Vec::new();
        for (mi, &u) in bound.members.iter().enumerate() {
            let code = &registry.units[u].code;
            sizes.clear();
            for (l, lp) in p.leaves.iter().enumerate() {
                let k = mi * bound.n_leaves + l;
                let Cell::Num(x) = bound.cells[k] else {
                    continue;
                };
                let max = c.nodes[lp.node].max;
                if lp.survey {
                    let Some(s) = declared[l] else {
                        continue;
                    };
                    let n = s.sample_size.as_deref().and_then(|col| {
                        match sizes.iter().find(|(c, _)| *c == col) {
                            Some(&(_, n)) => n,
                            None => {
                                let n = sample_size(data, code, col, &mut issues);
                                sizes.push((col, n));
                                n
                            }
                        }
                    });
                    let noise = match (n, s.margin) {
                        (Some(n), _) => Noise::sampled_share(x, n, &mut tables),
                        (None, Some(m)) if m > 0.0 => {
                            Normal::new(x, m / 1.96).ok().map(Noise::Margin)
                        }
                        (None, Some(_)) => Some(Noise::Fixed),
                        (None, None) => {
                            // A share with no sample size stays fixed: said, never silent.
                            if let Some(col) = &s.sample_size {
                                let at = unsized_cells.iter().position(|(c, _)| c == col);
                                match at {
                                    Some(i) => unsized_cells[i].1.push(code.clone()),
                                    None => unsized_cells.push((col.clone(), vec![code.clone()])),
                                }
                            }
                            None
                        }
                    };
                    if let Some(noise) = noise {
                        noisy.push((k, x, noise));
                    }
                } else if let (Scale::Points, Some((r, shape))) = (lp.rule.scale, spec.appraised) {
                    let noise = match shape {
                        _ if r <= 0.0 => Noise::Fixed,
                        Shape::Uniform => Noise::Uniform(r, max),
                        Shape::Triangular => Noise::Inverse(draw::Inverse::Triangular(r, max)),
                    };
                    noisy.push((k, x, noise));
                }
            }
        }
        // The official groups of this file, from the nominal ranking.
        let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        let pos: std::collections::HashMap<usize, usize> = bound
            .members
            .iter()
            .enumerate()
            .map(|(mi, &u)| (u, mi))
            .collect();
        for s in scores.iter().filter(|s| s.criteria == ci) {
            groups
                .entry(ranking.place(s.unit).group)
                .or_default()
                .push(pos[&s.unit]);
        }
        let code_order = crate::scoring::rank::code_order_of(&bound.members, registry);
        let cells: Vec<usize> = noisy.iter().map(|&(k, _, _)| k).collect();
        let fast = Fast::new(&p, bound, &cells, &c.ranking.tie_break);
        plans.push(Plan1 {
            fast,
            weights: spec.weights.filter(|&r| r > 0.0),
            tie: c.ranking.tie_break.clone(),
            plan: p,
            bound,
            noisy,
            tables,
            groups: groups.into_values().collect(),
            code_order,
        });
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    // Per registry unit: its position in `scores` (every plan member is scored).
    let mut score_at = vec![usize::MAX; registry.units.len()];
    for (si, s) in scores.iter().enumerate() {
        score_at[s.unit] = si;
    }
    // Where each plan member sits in `scores`, for the award selection per replication (none
    // without award rules).
    let at: Vec<Vec<usize>> = match awards {
        Some(_) => plans
            .iter()
            .map(|pl| pl.bound.members.iter().map(|&u| score_at[u]).collect())
            .collect(),
        None => Vec::new(),
    };
    let n_awards = awards.map_or(0, |a| a.rules.awards.len());
    let threads = if spec.threads > 0 {
        spec.threads
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
    .clamp(1, 64);
    let reps = spec.replications;
    // Tallies: per plan, per member: ranks and grades.
    let empty = |plans: &[Plan1]| -> Vec<Counts> {
        plans
            .iter()
            .map(|pl| Counts::new(pl.bound.members.len(), pl.plan.criteria.grading.bands.len()))
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
            crate::support::i18n::current()
                .pick("Mô phỏng", "Replications")
                .to_string(),
        );
        b
    });
    // The award selection of every replication ranks the same units: their order by code, once.
    let award_code_order = crate::scoring::rank::code_order(scores, registry);
    let award_code_order = &award_code_order;
    let done = std::sync::atomic::AtomicUsize::new(0);
    // The first replication of the next block to evaluate.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parts: Vec<(Vec<Counts>, Vec<Vec<u32>>)> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let plans = &plans;
                let bar = bar.as_ref();
                let done = &done;
                let at = &at;
                let next = &next;
                sc.spawn(move || {
                    let mut counts = empty(plans);
                    let mut work: Vec<Work> = plans.iter().map(Work::new).collect();
                    // Award selection per replication, on a copy of the nominal results.
                    let mut proposed = vec![vec![0u32; scores.len()]; n_awards];
                    let mut copy: Vec<UnitScore> = if awards.is_some() {
                        scores.to_vec()
                    } else {
                        Vec::new()
                    };
                    // Replications in blocks: each member drawn and re-scored in every
                    // replication of the block (`evaluate_block`), then each replication ranked.
                    // A thread takes the next block when it is done with one, so the threads
                    // finish together (a fixed share left one waiting on the other when the
                    // machine served them unevenly); the tallies are sums, so the figures are
                    // the same whoever took which block.
                    loop {
                        let first = next.fetch_add(BLOCK, std::sync::atomic::Ordering::Relaxed);
                        if first >= reps {
                            break;
                        }
                        let chunk = first..(first + BLOCK).min(reps);
                        let mut rngs: Vec<Stream> = chunk
                            .clone()
                            .map(|r| {
                                Stream::seed_from_u64(
                                    spec.seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                                )
                            })
                            .collect();
                        for ((pl, w), c) in plans.iter().zip(work.iter_mut()).zip(counts.iter_mut())
                        {
                            evaluate_block(pl, w, &mut rngs, c);
                        }
                        for j in 0..chunk.len() {
                            for ((pl, w), c) in
                                plans.iter().zip(work.iter_mut()).zip(counts.iter_mut())
                            {
                                rank_replication(pl, w, j, c);
                            }
                            if let Some(ctx) = awards {
                                for ((pl, w), pos) in plans.iter().zip(&work).zip(at) {
                                    let c = pl.plan.criteria;
                                    for (mi, &si) in pos.iter().enumerate() {
                                        let s = &mut copy[si];
                                        let (total, grade) = w.result(j, mi);
                                        s.total = total;
                                        s.index = total / c.max_points * 100.0;
                                        s.grade = grade;
                                        for (t, &node) in pl.tie.iter().enumerate() {
                                            s.node_points[node] = w.tie_key(t, j, mi);
                                        }
                                    }
                                }
                                let sel = crate::analyses::awards::select(
                                    ctx.rules,
                                    criteria,
                                    registry,
                                    &copy,
                                    award_code_order,
                                    data,
                                    ctx.comparison,
                                    None,
                                );
                                for c in &sel.considered {
                                    if c.decision == crate::analyses::awards::Decision::Proposed {
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
                    }
                    (counts, proposed)
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
    // Sum the threads' tallies (integer sums: the same whatever the thread count).
    let mut total = empty(&plans);
    let mut proposed = vec![vec![0u32; scores.len()]; n_awards];
    for (part, props) in parts {
        for (tp, pp) in proposed.iter_mut().zip(props) {
            tp.iter_mut().zip(pp).for_each(|(a, b)| *a += b);
        }
        for (tp, pp) in total.iter_mut().zip(&part) {
            tp.merge(pp);
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
        weights: spec.weights.filter(|&r| r > 0.0),
        ..Figures::default()
    };
    for (col, mut codes) in unsized_cells {
        codes.sort();
        codes.dedup();
        out.without_size.push((col, codes));
    }
    for (pl, counts) in plans.iter().zip(&total) {
        for g in &pl.groups {
            for &mi in g {
                let u = pl.bound.members[mi];
                let place = ranking.place(u);
                let (ranks, grades) = (&counts.ranks[mi], counts.grades_of(mi));
                // Every replication ranks every member, so the counts reach any target.
                let q = |p: f64| -> usize {
                    let target = (p * reps as f64).ceil().max(1.0) as u64;
                    ranks.quantile(target).unwrap_or(place.of)
                };
                out.units.push(UnitFigures {
                    unit: u,
                    rank: place.rank,
                    of: place.of,
                    median: q(0.5),
                    p05: q(0.05),
                    p95: q(0.95),
                    p_first: ranks.at(1) as f64 / reps as f64,
                    p_grade: grades.iter().map(|&c| c as f64 / reps as f64).collect(),
                    grade: scores.get(score_at[u]).map_or(0, |s| s.grade),
                });
            }
        }
    }
    out.units.sort_by_key(|u| u.unit);
    for s in &spec.survey {
        out.sources.push(match (&s.sample_size, s.margin) {
            (Some(column), _) => NoiseSource::SurveySample {
                indicator: s.indicator.clone(),
                column: column.clone(),
            },
            (None, Some(margin)) => NoiseSource::SurveyMargin {
                indicator: s.indicator.clone(),
                margin,
            },
            (None, None) => continue,
        });
    }
    if let Some((range, shape)) = spec.appraised {
        out.sources.push(NoiseSource::Appraised { range, shape });
    }
    if let Some(range) = spec.weights.filter(|&r| r > 0.0) {
        out.sources.push(NoiseSource::Weights { range });
    }
    Ok(out)
}
