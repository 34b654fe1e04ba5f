//! Ranking within groups (unit type, bloc, or the whole criteria set) on unrounded totals:
//! ties within the file's tolerance, the tie-break chain applied level by level, competition
//! (1-2-2-4) or dense (1-2-2-3) numbering. Equal units are listed by unit code, so the order is
//! fully determined by the inputs.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::criteria::model::{RankMethod, Scope};
use crate::criteria::Criteria;
use crate::i18n::Lang;
use crate::score::UnitScore;
use crate::units::Registry;

/// A ranking key of a unit: its total, then each tie-break node's points.
type Key = Box<dyn Fn(&UnitScore) -> f64>;

/// Fill `rank`, `rank_of` and `group`, and sort `units` into report order: criteria file, group,
/// rank, unit code.
pub fn assign(units: &mut Vec<UnitScore>, criteria: &[Criteria], registry: &Registry, lang: Lang) {
    let mut groups: BTreeMap<(usize, usize, String), Vec<UnitScore>> = BTreeMap::new();
    for u in units.drain(..) {
        let c = &criteria[u.criteria];
        let unit = &registry.units[u.unit];
        let (order, label) = match c.ranking.scope {
            Scope::UnitType => (
                c.unit_types
                    .iter()
                    .position(|t| *t == unit.unit_type)
                    .unwrap_or(usize::MAX),
                unit.unit_type.clone(),
            ),
            Scope::Bloc => (
                0,
                unit.bloc
                    .clone()
                    .unwrap_or_else(|| lang.pick("(chưa có khối)", "(no bloc)").to_string()),
            ),
            Scope::All => (0, c.unit_types.join(", ")),
        };
        groups
            .entry((u.criteria, order, label))
            .or_default()
            .push(u);
    }
    // The same label from two criteria files (two files ranking by a bloc of the same name)
    // would merge two rankings in reports: such labels name their file's unit types too.
    let mut files_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (ci, _, label) in groups.keys() {
        let v = files_of.entry(label.as_str()).or_default();
        if !v.contains(ci) {
            v.push(*ci);
        }
    }
    let shared: Vec<String> = files_of
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(l, _)| l.to_string())
        .collect();
    for ((ci, _, label), mut members) in groups {
        let c = &criteria[ci];
        let label = if shared.contains(&label) {
            format!("{label} ({})", c.unit_types.join(", "))
        } else {
            label
        };
        let code = |u: &UnitScore| registry.units[u.unit].code.clone();
        members.sort_by(|a, b| {
            b.total
                .total_cmp(&a.total)
                .then_with(|| code(a).cmp(&code(b)))
        });
        let mut keys: Vec<Key> = vec![Box::new(|u: &UnitScore| u.total)];
        for &n in &c.ranking.tie_break {
            keys.push(Box::new(move |u: &UnitScore| u.node_points[n]));
        }
        let mut tie_groups: Vec<Vec<UnitScore>> = Vec::new();
        split(members, &keys, c.ranking.tie_tolerance, &mut tie_groups);
        let n: usize = tie_groups.iter().map(Vec::len).sum();
        let mut before = 0;
        for (gi, mut g) in tie_groups.into_iter().enumerate() {
            g.sort_by_key(|u| code(u));
            let rank = match c.ranking.method {
                RankMethod::Competition => before + 1,
                RankMethod::Dense => gi + 1,
            };
            before += g.len();
            for mut u in g {
                u.rank = rank;
                u.rank_of = n;
                u.group = label.clone();
                units.push(u);
            }
        }
    }
}

/// Split units (already sorted by `keys[0]` descending) into tie groups: clusters within
/// `tol` of their leader on the first key, each cluster re-sorted and split on the next key.
fn split(sorted: Vec<UnitScore>, keys: &[Key], tol: f64, out: &mut Vec<Vec<UnitScore>>) {
    let Some((key, rest)) = keys.split_first() else {
        out.push(sorted);
        return;
    };
    let mut cluster: Vec<UnitScore> = Vec::new();
    let flush = |cluster: &mut Vec<UnitScore>, out: &mut Vec<Vec<UnitScore>>| {
        if cluster.is_empty() {
            return;
        }
        let mut c = std::mem::take(cluster);
        if let Some(next) = rest.first() {
            c.sort_by(|a, b| next(b).partial_cmp(&next(a)).unwrap_or(Ordering::Equal));
        }
        split(c, rest, tol, out);
    };
    for u in sorted {
        if let Some(leader) = cluster.first() {
            if (key(leader) - key(&u)).abs() > tol {
                flush(&mut cluster, out);
            }
        }
        cluster.push(u);
    }
    flush(&mut cluster, out);
}
