//! How sure is the ranking: Monte Carlo over the uncertain inputs, re-scored by the same pure
//! core (plan → bind once → evaluate and rank per replication, no I/O, no strings, buffers
//! reused). Survey shares are resampled from their sample sizes (binomial) or moved by a declared
//! margin (normal, the margin as a 95% half-width); appraised points move within a declared range
//! (uniform or triangular), clipped to [0, max]. Each replication has its own generator seeded from
//! (seed, replication), so the same inputs and seed give the same figures whatever the number of
//! threads; per-replication ranks stream into per-unit histograms (never a replications × units
//! cube). Reported per unit: median rank and 5–95% interval, the probability of being first in
//! its group and of each grade.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Normal, Triangular};

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
}

impl Figures {
    pub fn of(&self, unit: usize) -> Option<&UnitFigures> {
        self.units.iter().find(|u| u.unit == unit)
    }
}

/// How one bound cell moves.
#[derive(Debug, Clone, Copy)]
enum Noise {
    /// A share (percent) from n respondents.
    Binomial(u64),
    /// Normal with this standard deviation (percentage points), clipped to [0, 100].
    Margin(f64),
    /// Within ± range, clipped to [0, max].
    Points(f64, f64, Shape),
}

/// The perturbed cells of one criteria file: (cell index, nominal value, noise).
struct Plan1<'c> {
    plan: plan::Plan<'c>,
    bound: bind::Bound,
    noisy: Vec<(usize, f64, Noise)>,
    /// Groups of member indices, as officially ranked.
    groups: Vec<Vec<usize>>,
    code_order: Vec<u32>,
    tie: Vec<usize>,
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
                    match (n, s.margin) {
                        (Some(n), _) => noisy.push((k, x, Noise::Binomial(n))),
                        (None, Some(m)) => noisy.push((k, x, Noise::Margin(m / 1.96))),
                        (None, None) => {}
                    }
                } else if let (Scale::Points, Some((r, shape))) = (lp.rule.scale, spec.appraised) {
                    noisy.push((k, x, Noise::Points(r, max, shape)));
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
        plans.push(Plan1 {
            tie: c.ranking.tie_break.clone(),
            plan: p,
            bound,
            noisy,
            groups: groups.into_values().collect(),
            code_order,
        });
    }
    if !issues.is_empty() {
        return Err(issues);
    }
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
    let parts: Vec<Vec<Hist>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let plans = &plans;
                let bar = bar.as_ref();
                let done = &done;
                sc.spawn(move || {
                    let mut hist = empty(plans);
                    let mut work: Vec<bind::Bound> =
                        plans.iter().map(|p| p.bound.clone()).collect();
                    for r in (t..reps).step_by(threads) {
                        let mut rng = ChaCha8Rng::seed_from_u64(
                            spec.seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                        );
                        for ((pl, b), h) in plans.iter().zip(work.iter_mut()).zip(hist.iter_mut()) {
                            replicate(pl, b, &mut rng, h);
                        }
                        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        if let Some(b) = bar {
                            if n.is_multiple_of(50) || n == reps {
                                b.set_position(n as u64);
                            }
                        }
                    }
                    hist
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
    for part in parts {
        for (tp, pp) in total.iter_mut().zip(part) {
            for ((tr, tg), (pr, pg)) in tp.iter_mut().zip(pp) {
                tr.iter_mut().zip(pr).for_each(|(a, b)| *a += b);
                tg.iter_mut().zip(pg).for_each(|(a, b)| *a += b);
            }
        }
    }
    let mut out = Figures {
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
                "{}: sai số ±{m} điểm phần trăm (phân phối chuẩn, khoảng 95%)",
                s.indicator
            ),
            (None, Some(m), false) => format!(
                "{}: margin ±{m} percentage points (normal, 95% half-width)",
                s.indicator
            ),
            _ => String::new(),
        });
    }
    if let Some((r, shape)) = spec.appraised {
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
    Ok(out)
}

/// One replication of one criteria file: perturb, evaluate, rank, count.
fn replicate(
    pl: &Plan1,
    b: &mut bind::Bound,
    rng: &mut ChaCha8Rng,
    hist: &mut [(Vec<u32>, Vec<u32>)],
) {
    for &(k, x, noise) in &pl.noisy {
        let v = match noise {
            Noise::Binomial(n) => {
                let p = (x / 100.0).clamp(0.0, 1.0);
                let d = Binomial::new(n, p).expect("p in [0, 1]");
                d.sample(rng) as f64 / n as f64 * 100.0
            }
            Noise::Margin(sd) if sd > 0.0 => {
                let d = Normal::new(x, sd).expect("a positive deviation");
                d.sample(rng).clamp(0.0, 100.0)
            }
            Noise::Margin(_) => x,
            Noise::Points(r, max, Shape::Uniform) if r > 0.0 => {
                (x + rng.random_range(-r..=r)).clamp(0.0, max)
            }
            Noise::Points(r, max, Shape::Triangular) if r > 0.0 => {
                let d = Triangular::new(-r, r, 0.0).expect("a valid range");
                (x + d.sample(rng)).clamp(0.0, max)
            }
            Noise::Points(..) => x,
        };
        b.cells[k] = Cell::Num(v);
    }
    let p = &pl.plan;
    let params = p.nominal();
    let mut best = vec![None; p.leaves.len()];
    evaluate::best_values(p, b, &mut best);
    let mut scratch = evaluate::Scratch::new(p);
    let n = b.members.len();
    let mut totals = vec![0.0; n];
    let mut tie_keys: Vec<Vec<f64>> = vec![vec![0.0; n]; pl.tie.len()];
    for mi in 0..n {
        let t = evaluate::unit(
            p,
            b,
            mi,
            &params,
            &best,
            &mut scratch,
            &mut evaluate::NoSink,
        );
        totals[mi] = t.total;
        hist[mi].1[t.grade] += 1;
        for (j, &node) in pl.tie.iter().enumerate() {
            tie_keys[j][mi] = scratch.node_points[node];
        }
    }
    let mut keys: Vec<&[f64]> = vec![&totals];
    keys.extend(tie_keys.iter().map(Vec::as_slice));
    let c = p.criteria;
    let mut ranks = Vec::new();
    for g in &pl.groups {
        let mut w = g.clone();
        rank::rank(
            &mut w,
            &keys,
            &pl.code_order,
            c.ranking.method,
            c.ranking.tie_tolerance,
            &mut ranks,
        );
        for (pos, &mi) in w.iter().enumerate() {
            let r = ranks[pos].min(hist[mi].0.len() - 1);
            hist[mi].0[r] += 1;
        }
    }
}
