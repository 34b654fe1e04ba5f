//! The plan: a criteria file compiled once for scoring. Leaves get dense indices (0..n in tree
//! order) with their node, rule and resolved policies; groups are listed children-first for the
//! roll-up; bonus/penalty items are listed in section order. What may vary between evaluations —
//! leaf maxima, the not-applicable and survey policies, the grading basis — lives in
//! [`Params`], so a Monte-Carlo loop varies it without cloning the criteria. No I/O, no cells.

use super::rules::{Note, Reading};
use crate::criteria::model::*;
use crate::criteria::Criteria;

/// A leaf's rule compiled to plain numbers stored in the plan (no pointer into the criteria
/// tree in the evaluation loop). Band and category points live in [`Plan::table`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kernel {
    Proportional,
    Linear {
        zero_at: f64,
        full_at: f64,
    },
    /// `table[from..from + len]` as (min or −∞, points), best band first.
    Bands {
        from: usize,
        len: usize,
    },
    YesNo,
    /// `table[from + i].1` is category i's points.
    Category {
        from: usize,
        len: usize,
    },
    Relative {
        lower_better: bool,
    },
    Deduction {
        per: f64,
        floor: f64,
    },
    PerOccurrence {
        per: f64,
    },
    Appraised,
}

pub struct LeafPlan<'c> {
    /// Index into `Criteria::nodes`.
    pub node: usize,
    pub rule: &'c Rule,
    pub kernel: Kernel,
    pub survey: bool,
    pub not_applicable: NaPolicy,
    pub missing: MissingPolicy,
}

pub struct ItemPlan<'c> {
    pub is_penalty: bool,
    /// Index within its section.
    pub index: usize,
    pub item: &'c Item,
}

pub struct Plan<'c> {
    pub criteria: &'c Criteria,
    pub leaves: Vec<LeafPlan<'c>>,
    /// Group nodes with their children, in reverse pre-order (children before parents).
    pub groups: Vec<(usize, &'c [usize])>,
    pub items: Vec<ItemPlan<'c>>,
    /// Band (min, points) and category (_, points) entries the kernels index.
    pub table: Vec<(f64, f64)>,
}

fn kernel(rule: &Rule, table: &mut Vec<(f64, f64)>) -> Kernel {
    match &rule.kind {
        RuleKind::Proportional => Kernel::Proportional,
        RuleKind::Linear { zero_at, full_at } => Kernel::Linear {
            zero_at: *zero_at,
            full_at: *full_at,
        },
        RuleKind::Bands(bands) => {
            let from = table.len();
            table.extend(
                bands
                    .iter()
                    .map(|b| (b.min.unwrap_or(f64::NEG_INFINITY), b.points)),
            );
            Kernel::Bands {
                from,
                len: bands.len(),
            }
        }
        RuleKind::YesNo => Kernel::YesNo,
        RuleKind::Category(cats) => {
            let from = table.len();
            table.extend(cats.iter().map(|c| (0.0, c.points)));
            Kernel::Category {
                from,
                len: cats.len(),
            }
        }
        RuleKind::Relative { lower_better } => Kernel::Relative {
            lower_better: *lower_better,
        },
        RuleKind::Deduction { per, floor } => Kernel::Deduction {
            per: *per,
            floor: *floor,
        },
        RuleKind::PerOccurrence { per } => Kernel::PerOccurrence { per: *per },
        RuleKind::Appraised => Kernel::Appraised,
    }
}

/// What an evaluation may vary. [`Params::nominal`] is the criteria file as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Per dense leaf: its maximum.
    pub leaf_max: Vec<f64>,
    /// Per dense leaf: the not-applicable policy.
    pub not_applicable: Vec<NaPolicy>,
    pub survey_absent: SurveyAbsent,
    pub basis: GradeBasis,
}

impl<'c> Plan<'c> {
    pub fn compile(c: &'c Criteria) -> Plan<'c> {
        let mut table = Vec::new();
        let leaves = c
            .leaves()
            .map(|(ni, n, r)| LeafPlan {
                node: ni,
                rule: r,
                kernel: kernel(r, &mut table),
                survey: n.survey,
                not_applicable: n.not_applicable,
                missing: n.missing,
            })
            .collect();
        let groups = (0..c.nodes.len())
            .rev()
            .filter_map(|ni| match &c.nodes[ni].kind {
                NodeKind::Group { children } => Some((ni, children.as_slice())),
                NodeKind::Leaf(_) => None,
            })
            .collect();
        let items = [(false, &c.bonus), (true, &c.penalty)]
            .into_iter()
            .filter_map(|(p, s)| s.as_ref().map(|s| (p, s)))
            .flat_map(|(is_penalty, s)| {
                s.items
                    .iter()
                    .enumerate()
                    .map(move |(index, item)| ItemPlan {
                        is_penalty,
                        index,
                        item,
                    })
            })
            .collect();
        Plan {
            criteria: c,
            leaves,
            groups,
            items,
            table,
        }
    }

    pub fn nominal(&self) -> Params {
        Params {
            leaf_max: self
                .leaves
                .iter()
                .map(|l| self.criteria.nodes[l.node].max)
                .collect(),
            not_applicable: self.leaves.iter().map(|l| l.not_applicable).collect(),
            survey_absent: self.criteria.policy.survey_absent,
            basis: self.criteria.grading.basis,
        }
    }

    pub fn node(&self, l: usize) -> &'c Node {
        &self.criteria.nodes[self.leaves[l].node]
    }

    /// Points of leaf kernel `k` for a cell binding accepted — the same arithmetic as
    /// [`rules::points_of`](super::rules::points_of), on the plan's own numbers (a test holds
    /// the two equal for every rule kind).
    #[inline(always)]
    pub fn kernel_points(
        &self,
        k: Kernel,
        max: f64,
        cell: Reading,
        best: Option<f64>,
    ) -> (f64, Note) {
        let mut note = Note::None;
        let p = match (k, cell) {
            (Kernel::YesNo, Reading::Yes(y)) => {
                if y {
                    max
                } else {
                    0.0
                }
            }
            (Kernel::Category { from, len }, Reading::Category(i)) if i < len => {
                self.table[from + i].1
            }
            (Kernel::Proportional, Reading::Num(x)) => x / 100.0 * max,
            (Kernel::Linear { zero_at, full_at }, Reading::Num(x)) => {
                ((x - zero_at) / (full_at - zero_at)).clamp(0.0, 1.0) * max
            }
            (Kernel::Bands { from, len }, Reading::Num(x)) => {
                match self.table[from..from + len].iter().find(|b| x >= b.0) {
                    Some(b) => b.1,
                    None => {
                        note = Note::BelowBands;
                        0.0
                    }
                }
            }
            (Kernel::Relative { lower_better }, Reading::Num(x)) => {
                let best = best.unwrap_or(x);
                if lower_better {
                    if x <= 0.0 || best >= x {
                        max
                    } else {
                        max * best.max(0.0) / x
                    }
                } else if best <= 0.0 {
                    0.0
                } else {
                    max * x / best
                }
            }
            (Kernel::Deduction { per, floor }, Reading::Num(x)) => (max - per * x).max(floor),
            (Kernel::PerOccurrence { per }, Reading::Num(x)) => {
                if per * x > max {
                    note = Note::Capped;
                }
                (per * x).min(max)
            }
            (Kernel::Appraised, Reading::Num(x)) => x,
            _ => 0.0,
        };
        (p.max(0.0).min(max), note)
    }
}
