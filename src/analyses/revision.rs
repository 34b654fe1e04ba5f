//! What changed between two criteria sets (`parindex criteria diff OLD NEW`, and the caveat of a
//! run comparing with last year): criteria paired across the sets — by their text where it is
//! nearly the same (a renumbered criterion is the same criterion), then by id where the text
//! changed — and for each pair what moved, what was renamed, which maxima and rules changed; the
//! criteria only one set has; the areas' weights; and how many points of the new maximum changed
//! definition. Facts only: the report words them.

use crate::input::criteria::model::{NodeKind, Rule};
use crate::input::criteria::Criteria;
use crate::support::text;

/// Texts at least this similar (normalised Levenshtein on the folded names) are one criterion
/// whatever their ids.
pub const SAME_TEXT: f64 = 0.85;

/// How a pair was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// The same text (nearly): the ids may differ.
    Text,
    /// The same id, the text changed.
    Id,
}

/// One change of a paired criterion.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Its id changed (renumbered, or moved to another area).
    Moved,
    /// Its text changed.
    Renamed,
    /// Its maximum changed.
    Max,
    /// A leaf's rule changed: its kind, bands, categories, scale or indicator.
    Rule,
    /// It was a leaf and is a group of sub-criteria now, or the reverse.
    Split,
}

/// A criterion in both sets.
#[derive(Debug, Clone)]
pub struct Pair {
    pub old: usize,
    pub new: usize,
    pub pairing: Pairing,
    /// Similarity of the two texts, 0–1.
    pub similarity: f64,
    pub changes: Vec<Change>,
}

/// An area's weight in each set: its maximum over the set's maximum.
#[derive(Debug, Clone)]
pub struct AreaWeight {
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub old_share: f64,
    pub new_share: f64,
}

#[derive(Debug, Clone)]
pub struct Revision {
    pub pairs: Vec<Pair>,
    /// Criteria of the old set only (node indices).
    pub removed: Vec<usize>,
    /// Criteria of the new set only.
    pub added: Vec<usize>,
    pub areas: Vec<AreaWeight>,
    /// Points of the new set's maximum whose leaves are new or changed maximum, rule or
    /// indicator: what "the same index" no longer measures the same way.
    pub changed_points: f64,
    pub new_max: f64,
}

fn similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(&text::fold(a), &text::fold(b))
}

/// Whether two leaves score the same way (the captions a file declares do not count).
fn same_rule(a: &Rule, b: &Rule) -> bool {
    a.indicator == b.indicator
        && a.kind == b.kind
        && a.scale == b.scale
        && a.allow_above_100 == b.allow_above_100
        && a.allow_negative == b.allow_negative
}

/// Compare two criteria sets.
pub fn revise(old: &Criteria, new: &Criteria) -> Revision {
    let mut old_free: Vec<bool> = vec![true; old.nodes.len()];
    let mut new_free: Vec<bool> = vec![true; new.nodes.len()];
    let mut pairs = Vec::new();
    // Nearly the same text: the most similar pairs first, ties by id (deterministic).
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (i, a) in old.nodes.iter().enumerate() {
        for (j, b) in new.nodes.iter().enumerate() {
            let s = similarity(&a.name, &b.name);
            if s >= SAME_TEXT {
                candidates.push((s, i, j));
            }
        }
    }
    candidates.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            // The same id first among equally similar texts, then file order.
            .then_with(|| {
                (old.nodes[y.1].id == new.nodes[y.2].id)
                    .cmp(&(old.nodes[x.1].id == new.nodes[x.2].id))
            })
            .then_with(|| (x.1, x.2).cmp(&(y.1, y.2)))
    });
    for (s, i, j) in candidates {
        if old_free[i] && new_free[j] {
            old_free[i] = false;
            new_free[j] = false;
            pairs.push((i, j, Pairing::Text, s));
        }
    }
    // The same id, the text rewritten.
    for (i, a) in old.nodes.iter().enumerate() {
        if !old_free[i] {
            continue;
        }
        if let Some(j) =
            (new.nodes.iter().enumerate()).position(|(j, b)| new_free[j] && b.id == a.id)
        {
            old_free[i] = false;
            new_free[j] = false;
            pairs.push((i, j, Pairing::Id, similarity(&a.name, &new.nodes[j].name)));
        }
    }
    pairs.sort_by_key(|&(_, j, _, _)| j);
    let pairs: Vec<Pair> = pairs
        .into_iter()
        .map(|(i, j, pairing, similarity)| {
            let (a, b) = (&old.nodes[i], &new.nodes[j]);
            let mut changes = Vec::new();
            if a.id != b.id {
                changes.push(Change::Moved);
            }
            if text::fold(&a.name) != text::fold(&b.name) {
                changes.push(Change::Renamed);
            }
            if (a.max - b.max).abs() > 1e-9 {
                changes.push(Change::Max);
            }
            match (&a.kind, &b.kind) {
                (NodeKind::Leaf(x), NodeKind::Leaf(y)) if !same_rule(x, y) => {
                    changes.push(Change::Rule)
                }
                (NodeKind::Leaf(_), NodeKind::Group { .. })
                | (NodeKind::Group { .. }, NodeKind::Leaf(_)) => changes.push(Change::Split),
                _ => {}
            }
            Pair {
                old: i,
                new: j,
                pairing,
                similarity,
                changes,
            }
        })
        .collect();
    let removed: Vec<usize> = (0..old.nodes.len()).filter(|&i| old_free[i]).collect();
    let added: Vec<usize> = (0..new.nodes.len()).filter(|&j| new_free[j]).collect();

    // The areas' weights, paired as their nodes are.
    let share = |c: &Criteria, n: usize| {
        if c.max_points > 0.0 {
            c.nodes[n].max / c.max_points
        } else {
            0.0
        }
    };
    let mut areas: Vec<AreaWeight> = new
        .areas
        .iter()
        .map(|&j| {
            let old_area = (pairs.iter().find(|p| p.new == j))
                .map(|p| p.old)
                .filter(|i| old.areas.contains(i));
            AreaWeight {
                old: old_area,
                new: Some(j),
                old_share: old_area.map_or(0.0, |i| share(old, i)),
                new_share: share(new, j),
            }
        })
        .collect();
    for &i in &old.areas {
        if !areas.iter().any(|a| a.old == Some(i)) {
            areas.push(AreaWeight {
                old: Some(i),
                new: None,
                old_share: share(old, i),
                new_share: 0.0,
            });
        }
    }

    // Points of the new maximum that changed definition: new leaves and leaves whose maximum or
    // rule changed (a leaf now a group counts through its new leaves).
    let changed_points = new
        .leaves()
        .filter(|&(j, _, _)| {
            added.contains(&j)
                || pairs.iter().any(|p| {
                    p.new == j
                        && p.changes
                            .iter()
                            .any(|c| matches!(c, Change::Max | Change::Rule | Change::Split))
                })
        })
        .map(|(_, n, _)| n.max)
        .sum();
    Revision {
        pairs,
        removed,
        added,
        areas,
        changed_points,
        new_max: new.max_points,
    }
}

/// A criteria file of a run against last year's set for the same unit types.
#[derive(Debug, Clone)]
pub struct Revised {
    /// The run's criteria file (an index into the run's criteria).
    pub criteria: usize,
    pub old: Criteria,
    pub revision: Revision,
}

/// Pair each of this year's criteria files with last year's that scores one of its unit types,
/// and compare them.
pub fn against(old: &[Criteria], new: &[Criteria]) -> Vec<Revised> {
    new.iter()
        .enumerate()
        .filter_map(|(ci, c)| {
            let o = old
                .iter()
                .find(|o| o.unit_types.iter().any(|t| c.covers(t)))?;
            Some(Revised {
                criteria: ci,
                old: o.clone(),
                revision: revise(o, c),
            })
        })
        .collect()
}
