//! Applying award rules to ranked results: per award and scope, the gates, the count (top N,
//! quota, everyone passing), ties at the cut and precedence, with a decision and a reason in words
//! for every unit considered. Pure: no I/O.

use std::collections::{BTreeMap, HashMap};

use super::{Base, Rounding, Rules, Scope, Ties};
use crate::analyses::compare::YearComparison;
use crate::input::criteria::Criteria;
use crate::input::dataset::{Dataset, Lookup};
use crate::input::units::Registry;
use crate::scoring::score::{UnitFlag, UnitScore};
use crate::support::numfmt::round_half_away;
use crate::support::text;

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
}

/// The scope an award ranks units in, typed: its label is made by the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScopeKey {
    /// An emulation bloc, or the units with none.
    Bloc(Option<String>),
    UnitType(String),
    /// A criteria file (index into the run's criteria).
    Criteria(usize),
}

/// A gate a unit failed, with what it has against what the gate needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Already proposed for an earlier award (index into the rules' awards).
    AlreadyProposed {
        award: usize,
    },
    /// Graded `band` (index into its criteria file's bands), `required` or better needed.
    Grade {
        band: usize,
        required: String,
    },
    /// Index (unrounded) below the minimum.
    Index {
        index: f64,
        min: f64,
    },
    /// A disqualifying condition met (its id).
    Disqualified {
        id: String,
    },
    MissingData,
    /// The index fell since last year (the rounded change, percentage points).
    Declined {
        change: f64,
    },
    /// The probability of keeping the grade (0–1) below the minimum.
    Probability {
        p: f64,
        min: f64,
    },
    /// A stated test (index into the award's tests) failed on `reading`, or had no data.
    Test {
        test: usize,
        reading: Option<f64>,
    },
}

/// Why a unit was or was not proposed.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// Not eligible: the gates it failed.
    Failed(Vec<Gate>),
    /// Within the number proposed.
    Ranked,
    /// Eligible, ranked beyond the number proposed (`None`: every unit passing is proposed).
    BeyondCount(Option<usize>),
    /// Tied at the cut and decided by the award's tie-break chain: ahead or behind.
    TieBreak { ahead: bool },
    /// Tied at the cut, every tied unit proposed.
    TieIncluded,
    /// Tied at the cut, referred to the committee's vote.
    TieVote,
}

/// One unit considered for one award in one scope.
#[derive(Debug, Clone)]
pub struct Considered {
    pub award: usize,
    pub scope: ScopeKey,
    /// Index into `Run::scores`.
    pub score: usize,
    pub rank: usize,
    pub of: usize,
    pub decision: Decision,
    pub why: Why,
    /// Excluded by a gate (or by precedence), rather than by the count.
    pub gated: bool,
}

/// What the selection should be said to have left out (the report words it).
#[derive(Debug, Clone, PartialEq)]
pub enum AwardNote {
    /// The award's minimum-probability gate was not applied: no uncertainty figures.
    NoUncertainty { award: usize },
    /// The award's not-declined gate was not applied: no previous year.
    NoPrevious { award: usize },
}

#[derive(Debug, Clone, Default)]
pub struct Proposals {
    pub considered: Vec<Considered>,
    pub notes: Vec<AwardNote>,
}

/// A unit's reading of a test's indicator: a number, or 1/0 for yes/no.
fn reading(data: &Dataset, code: &str, indicator: &str) -> Option<f64> {
    match data.get(code, indicator) {
        Lookup::Cell { value, locale, .. } => crate::scoring::score::rules::number(value, locale)
            .map(|p| p.value)
            .or_else(|| {
                crate::scoring::score::rules::yes_no(value).map(|b| f64::from(u8::from(b)))
            }),
        _ => None,
    }
}

/// The keys [`crate::scoring::rank::rank`] needs, over every unit of the run (indices into `scores`):
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

/// Rank the units of one award scope (indices into `scores`) with [`crate::scoring::rank::rank`], the
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
        crate::scoring::rank::rank(
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
        crate::scoring::rank::rank(
            members,
            &[&keys.index],
            keys.code_order,
            crate::input::criteria::model::RankMethod::Competition,
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
) -> Proposals {
    let mut out = Proposals::default();
    let keys = ScopeKeys::new(scores, criteria, code_order);
    // Which units each earlier award proposed.
    let mut taken: HashMap<String, Vec<usize>> = HashMap::new();
    for (ai, a) in rules.awards.iter().enumerate() {
        if a.gates.min_probability.is_some() && probability.is_none() {
            out.notes.push(AwardNote::NoUncertainty { award: ai });
        }
        if a.gates.not_declined && comparison.is_none() {
            out.notes.push(AwardNote::NoPrevious { award: ai });
        }
        // Scopes in a stated order (by key).
        let mut scopes: BTreeMap<ScopeKey, Vec<usize>> = BTreeMap::new();
        for (si, u) in scores.iter().enumerate() {
            let unit = &registry.units[u.unit];
            if !a.unit_types.is_empty() && !a.unit_types.contains(&unit.unit_type) {
                continue;
            }
            let key = match a.scope {
                Scope::Bloc => ScopeKey::Bloc(unit.bloc.clone()),
                Scope::UnitType => ScopeKey::UnitType(unit.unit_type.clone()),
                Scope::Criteria => ScopeKey::Criteria(u.criteria),
            };
            scopes.entry(key).or_default().push(si);
        }
        let mut proposed_here = Vec::new();
        for (scope, mut members) in scopes {
            // Rank within the scope with the official ranking's own function.
            let ranks = scope_ranks(&mut members, scores, criteria, &keys);
            let n = members.len();
            // Gates.
            let mut failed: Vec<Option<Vec<Gate>>> = vec![None; n];
            for (k, &si) in members.iter().enumerate() {
                let u = &scores[si];
                let c = &criteria[u.criteria];
                let unit = &registry.units[u.unit];
                let mut why: Vec<Gate> = Vec::new();
                if let Some(prev) = a
                    .after
                    .iter()
                    .find(|p| taken.get(*p).is_some_and(|t| t.contains(&si)))
                {
                    if let Some(award) = rules.awards.iter().position(|x| &x.id == prev) {
                        why.push(Gate::AlreadyProposed { award });
                    }
                }
                if let Some(g) = &a.gates.min_grade {
                    let need = c
                        .grading
                        .bands
                        .iter()
                        .position(|b| text::key(&b.label) == text::key(g));
                    if need.is_none_or(|need| u.grade > need) {
                        why.push(Gate::Grade {
                            band: u.grade,
                            required: g.clone(),
                        });
                    }
                }
                if let Some(min) = a.gates.min_index {
                    if round_half_away(u.index, 2) < min {
                        why.push(Gate::Index {
                            index: u.index,
                            min,
                        });
                    }
                }
                if a.gates.no_disqualifying {
                    for f in &u.flags {
                        if let UnitFlag::Disqualified(id) = f {
                            why.push(Gate::Disqualified { id: id.clone() });
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
                    why.push(Gate::MissingData);
                }
                if a.gates.not_declined {
                    if let Some(ch) = comparison.and_then(|c| c.of(u.unit)) {
                        if let Some(change) = ch.index_change.filter(|x| *x < 0.0) {
                            why.push(Gate::Declined { change });
                        }
                    }
                }
                if let (Some(min), Some(p)) = (a.gates.min_probability, probability) {
                    let p = p(si);
                    if p < min {
                        why.push(Gate::Probability { p, min });
                    }
                }
                for (test, t) in a.gates.tests.iter().enumerate() {
                    match reading(data, &unit.code, &t.indicator) {
                        Some(x) if t.op.holds(x, t.value) => {}
                        reading => why.push(Gate::Test { test, reading }),
                    }
                }
                if !why.is_empty() {
                    failed[k] = Some(why);
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
            let mut reason: Vec<Option<Why>> = vec![None; n];
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
                        }
                        reason[k] = Some(Why::TieBreak { ahead: i < seats });
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
                                reason[k] = Some(Why::TieIncluded);
                            }
                            Ties::Vote => {
                                decision[k] = Decision::Vote;
                                reason[k] = Some(Why::TieVote);
                            }
                        }
                    }
                }
            }
            for k in 0..n {
                let gated = failed[k].is_some();
                let why = match failed[k].take() {
                    Some(gates) => Why::Failed(gates),
                    None => reason[k].take().unwrap_or(match decision[k] {
                        Decision::Proposed => Why::Ranked,
                        _ => Why::BeyondCount(count),
                    }),
                };
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
                    why,
                    gated,
                });
            }
        }
        taken.insert(a.id.clone(), proposed_here);
    }
    out
}
