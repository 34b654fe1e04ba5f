//! Ranking. [`rank`] is pure: given any group of units, their keys (the total, then each tie-break
//! node's points), their order by unit code, the method and the tolerance, it returns the units in
//! report order with their ranks — callable with any grouping (unit type, bloc, an award's scope)
//! without touching anyone's official rank, and with no allocation per comparison. [`assign`]
//! applies it to the official groups of each criteria file (unit type, bloc or all), on unrounded
//! totals: ties within the file's tolerance, the tie-break chain applied level by level,
//! competition (1-2-2-4) or dense (1-2-2-3) numbering; equal units are listed by unit code, so
//! the order is fully determined by the inputs.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::criteria::model::{RankMethod, Scope};
use crate::criteria::Criteria;
use crate::i18n::Lang;
use crate::score::UnitScore;
use crate::units::Registry;

/// Rank `members` (indices into the key vectors) in place: afterwards they are in report order
/// and `ranks[i]` is the rank of `members[i]`. `keys[0][u]` is unit `u`'s total, `keys[k][u]`
/// its k-th tie-break value (higher is better); `code_order[u]` its position by unit code.
pub fn rank(
    members: &mut [usize],
    keys: &[&[f64]],
    code_order: &[u32],
    method: RankMethod,
    tol: f64,
    ranks: &mut Vec<usize>,
) {
    ranks.clear();
    if members.is_empty() {
        return;
    }
    let Some(&first) = keys.first() else {
        members.sort_by_key(|&u| code_order[u]);
        ranks.resize(members.len(), 1);
        return;
    };
    members.sort_by(|&a, &b| {
        first[b]
            .total_cmp(&first[a])
            .then_with(|| code_order[a].cmp(&code_order[b]))
    });
    // Tie groups as ends of ranges of `members`.
    let mut ends: Vec<usize> = Vec::new();
    split(members, 0, keys, 0, code_order, tol, &mut ends);
    let mut start = 0;
    for (gi, &end) in ends.iter().enumerate() {
        let r = match method {
            RankMethod::Competition => start + 1,
            RankMethod::Dense => gi + 1,
        };
        ranks.extend(std::iter::repeat_n(r, end - start));
        start = end;
    }
}

/// Split `slice` (sorted on `keys[depth]`, descending) into clusters within `tol` of their leader,
/// each re-sorted (stably) on the next key and split again; a final group is listed by unit code.
fn split(
    slice: &mut [usize],
    offset: usize,
    keys: &[&[f64]],
    depth: usize,
    code_order: &[u32],
    tol: f64,
    ends: &mut Vec<usize>,
) {
    if depth == keys.len() {
        slice.sort_by_key(|&u| code_order[u]);
        ends.push(offset + slice.len());
        return;
    }
    let key = keys[depth];
    let mut start = 0;
    while start < slice.len() {
        let leader = key[slice[start]];
        let mut end = start + 1;
        while end < slice.len() && (leader - key[slice[end]]).abs() <= tol {
            end += 1;
        }
        if end == start + 1 {
            // A unit alone within the tolerance is a tie group of one at every deeper key.
            ends.push(offset + end);
            start = end;
            continue;
        }
        let cluster = &mut slice[start..end];
        if let Some(next) = keys.get(depth + 1) {
            cluster.sort_by(|&a, &b| next[b].partial_cmp(&next[a]).unwrap_or(Ordering::Equal));
        }
        split(
            cluster,
            offset + start,
            keys,
            depth + 1,
            code_order,
            tol,
            ends,
        );
        start = end;
    }
}

/// Fill `rank`, `rank_of` and `group`, and sort `units` into report order: criteria file, group,
/// rank, unit code.
pub fn assign(units: &mut Vec<UnitScore>, criteria: &[Criteria], registry: &Registry, lang: Lang) {
    // Position of each unit by code, once.
    let mut by_code: Vec<usize> = (0..units.len()).collect();
    by_code.sort_by(|&a, &b| {
        registry.units[units[a].unit]
            .code
            .cmp(&registry.units[units[b].unit].code)
    });
    let mut code_order = vec![0u32; units.len()];
    for (pos, &i) in by_code.iter().enumerate() {
        code_order[i] = pos as u32;
    }
    let mut groups: BTreeMap<(usize, usize, String), Vec<usize>> = BTreeMap::new();
    for (i, u) in units.iter().enumerate() {
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
            .push(i);
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
    let totals: Vec<f64> = units.iter().map(|u| u.total).collect();
    let mut placed: Vec<(usize, usize, usize, String)> = Vec::with_capacity(units.len());
    let mut ranks = Vec::new();
    for ((ci, _, label), mut members) in groups {
        let c = &criteria[ci];
        let label = if shared.contains(&label) {
            format!("{label} ({})", c.unit_types.join(", "))
        } else {
            label
        };
        let tie: Vec<Vec<f64>> = c
            .ranking
            .tie_break
            .iter()
            .map(|&n| {
                units
                    .iter()
                    .map(|u| u.node_points.get(n).copied().unwrap_or(0.0))
                    .collect()
            })
            .collect();
        let mut keys: Vec<&[f64]> = vec![&totals];
        keys.extend(tie.iter().map(Vec::as_slice));
        rank(
            &mut members,
            &keys,
            &code_order,
            c.ranking.method,
            c.ranking.tie_tolerance,
            &mut ranks,
        );
        let n = members.len();
        for (&i, &r) in members.iter().zip(&ranks) {
            placed.push((i, r, n, label.clone()));
        }
    }
    let mut slots: Vec<Option<UnitScore>> = units.drain(..).map(Some).collect();
    for (i, r, n, label) in placed {
        let mut u = slots[i].take().expect("each unit is placed once");
        u.rank = r;
        u.rank_of = n;
        u.group = label;
        units.push(u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competition_dense_tolerance_and_tie_break() {
        let totals = [90.0, 80.0, 80.0000001, 70.0, 80.0];
        let area = [1.0, 2.0, 1.0, 1.0, 3.0];
        let code = [0u32, 1, 2, 3, 4];
        let mut m: Vec<usize> = (0..5).collect();
        let mut r = Vec::new();
        rank(
            &mut m,
            &[&totals],
            &code,
            RankMethod::Competition,
            1e-6,
            &mut r,
        );
        assert_eq!(m, [0, 1, 2, 4, 3]);
        assert_eq!(r, [1, 2, 2, 2, 5]);
        let mut m: Vec<usize> = (0..5).collect();
        rank(&mut m, &[&totals], &code, RankMethod::Dense, 1e-6, &mut r);
        assert_eq!(r, [1, 2, 2, 2, 3]);
        // The tie-break puts 4 (area 3) before 1 (area 2) before 2 (area 1).
        let mut m: Vec<usize> = (0..5).collect();
        rank(
            &mut m,
            &[&totals, &area],
            &code,
            RankMethod::Competition,
            1e-6,
            &mut r,
        );
        assert_eq!(m, [0, 4, 1, 2, 3]);
        assert_eq!(r, [1, 2, 3, 4, 5]);
        // Any grouping: rank a subset without touching anyone else.
        let mut sub = vec![3usize, 1];
        rank(
            &mut sub,
            &[&totals],
            &code,
            RankMethod::Competition,
            1e-6,
            &mut r,
        );
        assert_eq!((sub, r), (vec![1, 3], vec![1, 2]));
    }
}
