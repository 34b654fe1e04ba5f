//! Applying award rules to ranked results: per award and scope, the gates, the count (top N,
//! quota, everyone passing), ties at the cut and precedence, with a decision and a reason in words
//! for every unit considered. Pure: no I/O.

use std::collections::{BTreeMap, HashMap};

use super::{Base, Rounding, Rules, Scope, Ties};
use crate::compare::YearComparison;
use crate::criteria::Criteria;
use crate::dataset::{Dataset, Lookup};
use crate::i18n::Lang;
use crate::numfmt::round_half_away;
use crate::score::{UnitFlag, UnitScore};
use crate::text;
use crate::units::Registry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Proposed,
    NotProposed,
    Vote,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Proposed => "proposed",
            Decision::NotProposed => "not_proposed",
            Decision::Vote => "referred_to_vote",
        }
    }
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Decision::Proposed => lang.pick("đề nghị", "proposed"),
            Decision::NotProposed => lang.pick("không đề nghị", "not proposed"),
            Decision::Vote => lang.pick("hội đồng bỏ phiếu", "committee vote"),
        }
    }
}

/// One unit considered for one award in one scope.
#[derive(Debug, Clone)]
pub struct Considered {
    pub award: usize,
    pub scope: String,
    /// Index into `Run::scores`.
    pub score: usize,
    pub rank: usize,
    pub of: usize,
    pub decision: Decision,
    pub reason: String,
    /// Excluded by a gate (or by precedence), rather than by the count.
    pub gated: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Proposals {
    pub considered: Vec<Considered>,
    pub notes: Vec<String>,
}

/// A unit's reading of a test's indicator: a number, or 1/0 for yes/no.
fn reading(data: &Dataset, code: &str, indicator: &str) -> Option<f64> {
    match data.get(code, indicator) {
        Lookup::Cell { value, locale, .. } => crate::score::rules::number(value, locale)
            .map(|p| p.value)
            .or_else(|| crate::score::rules::yes_no(value).map(|b| f64::from(u8::from(b)))),
        _ => None,
    }
}

/// The keys [`crate::rank::rank`] needs, over every unit of the run (indices into `scores`):
/// totals, indices, each criteria file's tie-break node points, and the position by unit code.
struct ScopeKeys<'a> {
    totals: Vec<f64>,
    index: Vec<f64>,
    /// Per criteria file, per tie-break node: the points of every unit (0 for other files' units).
    tie: Vec<Vec<Vec<f64>>>,
    code_order: &'a [u32],
}

impl<'a> ScopeKeys<'a> {
    fn new(scores: &[UnitScore], criteria: &[Criteria], code_order: &'a [u32]) -> ScopeKeys<'a> {
        let tie = criteria
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                c.ranking
                    .tie_break
                    .iter()
                    .map(|&n| {
                        scores
                            .iter()
                            .map(|u| {
                                if u.criteria == ci {
                                    u.node_points.get(n).copied().unwrap_or(0.0)
                                } else {
                                    0.0
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        ScopeKeys {
            totals: scores.iter().map(|u| u.total).collect(),
            index: scores.iter().map(|u| u.index).collect(),
            tie,
            code_order,
        }
    }
}

/// Rank the units of one award scope (indices into `scores`) with [`crate::rank::rank`], the
/// function of the official ranking, and leave them in rank order. Units of one criteria file are
/// ranked exactly as the official ranking ranks them: totals, the file's tolerance, its tie-break
/// chain and its numbering (competition or dense) — so a scope equal to an official ranking group
/// gives every unit its official rank. A scope mixing criteria files (an award over communes and
/// wards scored by two files) ranks by index, the one figure comparable across files: equal within
/// the largest of the files' tolerances (as index points), no tie-break chain (each file has its
/// own), competition numbering.
fn scope_ranks(
    members: &mut [usize],
    scores: &[UnitScore],
    criteria: &[Criteria],
    keys: &ScopeKeys,
) -> Vec<usize> {
    let mut ranks = Vec::with_capacity(members.len());
    let first = members.first().map(|&si| scores[si].criteria);
    if members.iter().all(|&si| Some(scores[si].criteria) == first) {
        let Some(ci) = first else {
            return ranks;
        };
        let c = &criteria[ci];
        let mut k: Vec<&[f64]> = vec![&keys.totals];
        k.extend(keys.tie[ci].iter().map(Vec::as_slice));
        crate::rank::rank(
            members,
            &k,
            keys.code_order,
            c.ranking.method,
            c.ranking.tie_tolerance,
            &mut ranks,
        );
    } else {
        let tol = members
            .iter()
            .map(|&si| {
                let c = &criteria[scores[si].criteria];
                c.ranking.tie_tolerance * 100.0 / c.max_points
            })
            .fold(0.0, f64::max);
        crate::rank::rank(
            members,
            &[&keys.index],
            keys.code_order,
            crate::criteria::model::RankMethod::Competition,
            tol,
            &mut ranks,
        );
    }
    ranks
}

/// Apply the rules. `scores` are in report order with their official ranks.
#[allow(clippy::too_many_arguments)]
pub fn select(
    rules: &Rules,
    criteria: &[Criteria],
    registry: &Registry,
    scores: &[UnitScore],
    // Each unit's position by unit code (`rank::code_order` of `scores`): computed once by the
    // caller, since the Monte Carlo selects again in every replication over the same units.
    code_order: &[u32],
    data: &Dataset,
    comparison: Option<&YearComparison>,
    probability: Option<&dyn Fn(usize) -> f64>,
    lang: Lang,
) -> Proposals {
    let vi = lang == Lang::Vi;
    let mut out = Proposals::default();
    let keys = ScopeKeys::new(scores, criteria, code_order);
    // Which units each earlier award proposed.
    let mut taken: HashMap<String, Vec<usize>> = HashMap::new();
    for (ai, a) in rules.awards.iter().enumerate() {
        let name = lang.text(&a.name, a.name_en.as_ref()).to_string();
        if a.gates.min_probability.is_some() && probability.is_none() {
            out.notes.push(crate::tr!(
                "{name}: chưa có số liệu độ bất định, điều kiện xác suất tối thiểu chưa áp dụng",
                "{name}: no uncertainty figures, the minimum-probability gate is not applied"
            ));
        }
        if a.gates.not_declined && comparison.is_none() {
            out.notes.push(crate::tr!(
                "{name}: không có kết quả năm trước, điều kiện không giảm chưa áp dụng",
                "{name}: no previous year, the not-declined gate is not applied"
            ));
        }
        // Scopes in a stated order (by label).
        let mut scopes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (si, u) in scores.iter().enumerate() {
            let unit = &registry.units[u.unit];
            if !a.unit_types.is_empty() && !a.unit_types.contains(&unit.unit_type) {
                continue;
            }
            let label = match a.scope {
                Scope::Bloc => unit
                    .bloc
                    .clone()
                    .unwrap_or_else(|| crate::rank::no_bloc(lang).into()),
                Scope::UnitType => unit.unit_type.clone(),
                Scope::Criteria => lang
                    .text(
                        &criteria[u.criteria].name,
                        criteria[u.criteria].name_en.as_ref(),
                    )
                    .to_string(),
            };
            scopes.entry(label).or_default().push(si);
        }
        let mut proposed_here = Vec::new();
        for (scope, mut members) in scopes {
            // Rank within the scope with the official ranking's own function.
            let ranks = scope_ranks(&mut members, scores, criteria, &keys);
            let n = members.len();
            // Gates.
            let mut failed: Vec<Option<String>> = vec![None; n];
            for (k, &si) in members.iter().enumerate() {
                let u = &scores[si];
                let c = &criteria[u.criteria];
                let unit = &registry.units[u.unit];
                let mut why: Vec<String> = Vec::new();
                if let Some(prev) = a
                    .after
                    .iter()
                    .find(|p| taken.get(*p).is_some_and(|t| t.contains(&si)))
                {
                    let other = rules
                        .awards
                        .iter()
                        .find(|x| &x.id == prev)
                        .expect("validated");
                    why.push(crate::tr!(
                        "đã được đề nghị {}",
                        "already proposed for {}",
                        lang.text(&other.name, other.name_en.as_ref())
                    ));
                }
                if let Some(g) = &a.gates.min_grade {
                    let need = c
                        .grading
                        .bands
                        .iter()
                        .position(|b| text::key(&b.label) == text::key(g));
                    if need.is_none_or(|need| u.grade > need) {
                        why.push(crate::tr!(
                            "xếp loại {}, yêu cầu {g}",
                            "graded {}, {g} required",
                            crate::i18n::grade_label(&c.grading.bands[u.grade], lang)
                        ));
                    }
                }
                if let Some(m) = a.gates.min_index {
                    if round_half_away(u.index, 2) < m {
                        why.push(crate::tr!(
                            "chỉ số {}% < {}%",
                            "index {}% < {}%",
                            crate::numfmt::num2(u.index, lang),
                            crate::numfmt::num(m, lang)
                        ));
                    }
                }
                if a.gates.no_disqualifying {
                    for f in &u.flags {
                        if let UnitFlag::Disqualified(id) = f {
                            let d = c.disqualify.iter().find(|d| &d.id == id);
                            why.push(crate::tr!(
                                "có điều kiện hạ loại {id} ({})",
                                "disqualifying condition {id} ({})",
                                d.map_or(String::new(), |d| lang
                                    .text(&d.name, d.name_en.as_ref())
                                    .to_string())
                            ));
                        }
                    }
                }
                if a.gates.no_missing
                    && u.flags.iter().any(|f| {
                        matches!(
                            f,
                            UnitFlag::Missing(_)
                                | UnitFlag::MissingItems(_)
                                | UnitFlag::MissingCondition(_)
                        )
                    })
                {
                    why.push(lang.pick("thiếu dữ liệu", "missing data").to_string());
                }
                if a.gates.not_declined {
                    if let Some(ch) = comparison.and_then(|c| c.of(u.unit)) {
                        if let Some(x) = ch.index_change.filter(|x| *x < 0.0) {
                            why.push(
                                crate::compare::change_words(x, vi)
                                    + lang.pick(" so với năm trước", " on last year"),
                            );
                        }
                    }
                }
                if let (Some(min), Some(p)) = (a.gates.min_probability, probability) {
                    let pr = p(si);
                    if pr < min {
                        why.push(crate::tr!(
                            "xác suất giữ xếp loại {}% < {}%",
                            "probability of the grade {}% < {}%",
                            crate::numfmt::num(pr * 100.0, lang),
                            crate::numfmt::num(min * 100.0, lang)
                        ));
                    }
                }
                for t in &a.gates.tests {
                    match reading(data, &unit.code, &t.indicator) {
                        Some(x) if t.op.holds(x, t.value) => {}
                        Some(x) => why.push(format!(
                            "{} = {} ({} {})",
                            c.indicator_name(&t.indicator, lang).unwrap_or(&t.indicator),
                            crate::numfmt::num(x, lang),
                            lang.pick("yêu cầu", "required"),
                            super::test_words(t, criteria, lang)
                        )),
                        None => why.push(format!(
                            "{}: {}",
                            c.indicator_name(&t.indicator, lang).unwrap_or(&t.indicator),
                            lang.pick("không có dữ liệu", "no data")
                        )),
                    }
                }
                if !why.is_empty() {
                    failed[k] = Some(why.join("; "));
                }
            }
            // How many.
            let mut count: Option<usize> = a.top;
            if let Some((share, rounding, base)) = &a.quota {
                let base_n = match base {
                    Base::Units => n,
                    Base::Grade { label, at_least } => members
                        .iter()
                        .filter(|&&si| {
                            let u = &scores[si];
                            let c = &criteria[u.criteria];
                            match c
                                .grading
                                .bands
                                .iter()
                                .position(|b| text::key(&b.label) == text::key(label))
                            {
                                Some(g) if *at_least => u.grade <= g,
                                Some(g) => u.grade == g,
                                None => false,
                            }
                        })
                        .count(),
                };
                let x = share * base_n as f64;
                // The product is rounded to 9 decimals first, so 0.1 × 30 is 3, not 2.9999….
                let x = round_half_away(x, 9);
                let k = match rounding {
                    Rounding::Down => x.floor(),
                    Rounding::Nearest => round_half_away(x, 0),
                    Rounding::Up => x.ceil(),
                } as usize;
                count = Some(count.map_or(k, |c| c.min(k)));
            }
            let eligible: Vec<usize> = (0..n).filter(|&k| failed[k].is_none()).collect();
            let want = count.unwrap_or(eligible.len()).min(eligible.len());
            let mut decision = vec![Decision::NotProposed; n];
            let mut reason: Vec<String> = vec![String::new(); n];
            for &k in eligible.iter().take(want) {
                decision[k] = Decision::Proposed;
            }
            // A tie at the cut: the last one in and the first one out have the same rank.
            if want > 0
                && want < eligible.len()
                && ranks[eligible[want - 1]] == ranks[eligible[want]]
            {
                let r = ranks[eligible[want - 1]];
                let tied: Vec<usize> = eligible
                    .iter()
                    .copied()
                    .filter(|&k| ranks[k] == r)
                    .collect();
                let above = eligible.iter().filter(|&&k| ranks[k] < r).count();
                let seats = want - above;
                // Break by the stated chain of criteria, higher points first.
                let mut order = tied.clone();
                let key = |k: usize| -> Vec<f64> {
                    let u = &scores[members[k]];
                    let c = &criteria[u.criteria];
                    a.tie_break
                        .iter()
                        .map(|id| {
                            c.nodes
                                .iter()
                                .position(|nd| &nd.id == id)
                                .map_or(0.0, |i| round_half_away(u.node_points[i], 6))
                        })
                        .collect()
                };
                order.sort_by(|&x, &y| {
                    key(y)
                        .partial_cmp(&key(x))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                let still_tied = !a.tie_break.is_empty()
                    && seats < order.len()
                    && key(order[seats - 1]) == key(order[seats]);
                for &k in &tied {
                    decision[k] = Decision::NotProposed;
                }
                if !a.tie_break.is_empty() && !still_tied {
                    for (i, &k) in order.iter().enumerate() {
                        if i < seats {
                            decision[k] = Decision::Proposed;
                            reason[k] = crate::tr!(
                                "đồng hạng tại ngưỡng, hơn ở tiêu chí phụ {}",
                                "tied at the cut, ahead on the tie-break {}",
                                a.tie_break.join(", ")
                            );
                        } else {
                            reason[k] = crate::tr!(
                                "đồng hạng tại ngưỡng, kém ở tiêu chí phụ {}",
                                "tied at the cut, behind on the tie-break {}",
                                a.tie_break.join(", ")
                            );
                        }
                    }
                } else {
                    // The tie-break chain left the cut tied (or there is none): the fallback.
                    let tied_at_cut: Vec<usize> = if still_tied {
                        let kcut = key(order[seats - 1]);
                        let better = order.iter().filter(|&&k| key(k) > kcut).count();
                        for &k in order.iter().take(better) {
                            decision[k] = Decision::Proposed;
                        }
                        order.iter().copied().filter(|&k| key(k) == kcut).collect()
                    } else {
                        tied.clone()
                    };
                    for &k in &tied_at_cut {
                        match a.ties {
                            Ties::Include => {
                                decision[k] = Decision::Proposed;
                                reason[k] = lang
                                    .pick(
                                        "đồng hạng tại ngưỡng, đề nghị cả các đơn vị đồng hạng",
                                        "tied at the cut, all tied units proposed",
                                    )
                                    .to_string();
                            }
                            Ties::Vote => {
                                decision[k] = Decision::Vote;
                                reason[k] = lang
                                    .pick(
                                        "đồng hạng tại ngưỡng — đề nghị hội đồng bỏ phiếu",
                                        "tied at the cut — referred to the committee's vote",
                                    )
                                    .to_string();
                            }
                        }
                    }
                }
            }
            let how_many = match count {
                Some(c) => c.to_string(),
                None => lang
                    .pick("mọi đơn vị đạt điều kiện", "every unit passing")
                    .to_string(),
            };
            for k in 0..n {
                let gated = failed[k].is_some();
                if let Some(f) = &failed[k] {
                    reason[k] = format!("{}: {f}", lang.pick("không đạt", "not eligible"));
                } else if reason[k].is_empty() {
                    reason[k] = match decision[k] {
                        Decision::Proposed => crate::tr!(
                            "đứng thứ {}/{n} – {scope}",
                            "ranked {}/{n} – {scope}",
                            ranks[k]
                        ),
                        _ => crate::tr!(
                            "đứng thứ {}/{n}, ngoài số được đề nghị ({how_many})",
                            "ranked {}/{n}, beyond the number proposed ({how_many})",
                            ranks[k]
                        ),
                    };
                }
                if decision[k] == Decision::Proposed {
                    proposed_here.push(members[k]);
                }
                out.considered.push(Considered {
                    award: ai,
                    scope: scope.clone(),
                    score: members[k],
                    rank: ranks[k],
                    of: n,
                    decision: decision[k],
                    reason: std::mem::take(&mut reason[k]),
                    gated,
                });
            }
        }
        taken.insert(a.id.clone(), proposed_here);
    }
    out
}
