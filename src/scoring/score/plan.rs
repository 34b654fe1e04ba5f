//! The plan: a criteria file compiled once for scoring. Leaves get dense indices (0..n in tree
//! order) with their node, rule and resolved policies; groups are listed children-first for the
//! roll-up; bonus/penalty items are listed in section order. What may vary between evaluations —
//! leaf maxima, the not-applicable and survey policies, the grading basis — lives in
//! [`Params`], so a Monte-Carlo loop varies it without cloning the criteria. No I/O, no cells.

use crate::input::criteria::model::*;
use crate::input::criteria::Criteria;

pub struct LeafPlan<'c> {
    /// Index into `Criteria::nodes`.
    pub node: usize,
    pub rule: &'c Rule,
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
}

/// What an evaluation may vary. [`Plan::nominal`] is the criteria file as written.
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
        let leaves = c
            .leaves()
            .map(|(ni, n, r)| LeafPlan {
                node: ni,
                rule: r,
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
}
