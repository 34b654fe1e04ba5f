//! Ranking. [`rank`] is pure: given any group of units, their keys (the total, then each tie-break
//! node's points), their order by unit code, the method and the tolerance, it returns the units in
//! report order with their ranks — callable with any grouping (unit type, bloc, an award's scope)
//! without touching anyone's official rank, and with no allocation per comparison. [`ranking`]
//! applies it to the official groups of each criteria file (unit type, bloc or all), on unrounded
//! totals: ties within the file's tolerance, the tie-break chain applied level by level,
//! competition (1-2-2-4) or dense (1-2-2-3) numbering; equal units are listed by unit code, so
//! the order is fully determined by the inputs.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::input::criteria::model::{RankMethod, Scope};
use crate::input::criteria::Criteria;
use crate::input::units::Registry;
use crate::scoring::score::UnitScore;

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
    sort_by_total(members, first, code_order);
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

/// Sort `members` on their total, descending in `f64::total_cmp`'s order, then by unit code — the
/// comparison sort's order exactly (`code_order` is a permutation, so the order is total). A
/// Monte-Carlo replication sorts every group (3,321 communes, 10,000 times): with look-ups in
/// each comparison that was a tenth of its time, and a radix sort (`radsort`) was no faster on
/// 64-bit keys. Totals are spread over a bounded range, so a large group is first distributed
/// into as many buckets as units by value — the bucket falls as the total rises, so buckets
/// are in order — with its key beside it, then put in order by one insertion pass.
fn sort_by_total(members: &mut [usize], first: &[f64], code_order: &[u32]) {
    let cmp = |a: &usize, b: &usize| {
        first[*b]
            .total_cmp(&first[*a])
            .then_with(|| code_order[*a].cmp(&code_order[*b]))
    };
    let n = members.len();
    let (mut lo, mut hi, mut finite) = (f64::INFINITY, f64::NEG_INFINITY, true);
    for &u in members.iter() {
        let t = first[u];
        finite &= t.is_finite();
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if n < 64 || !finite || hi <= lo {
        members.sort_unstable_by(cmp);
        return;
    }
    // Monotone: a higher total never lands in a later bucket (each step rounds monotonically).
    // Converted through `i64`, not `usize`: the value is in [0, n], and a saturating conversion
    // to an unsigned 64-bit integer is a dozen instructions on x86-64, to a signed one a few.
    let scale = n as f64 / (hi - lo);
    let top = n as i64 - 1;
    let buckets: Vec<u32> = members
        .iter()
        .map(|&u| (((hi - first[u]) * scale) as i64).min(top) as u32)
        .collect();
    // Counting sort on the buckets: `ends[b]` first counts bucket b − 1, then (prefix sums) is
    // where bucket b starts, and after the scatter where it ends.
    let mut ends = vec![0u32; n + 1];
    for &b in &buckets {
        ends[b as usize + 1] += 1;
    }
    for b in 0..n {
        ends[b + 1] += ends[b];
    }
    // Each unit with its sort key, side by side (no look-up per comparison): the total as an
    // integer in `total_cmp`'s order, inverted (descending), then the position by code.
    let mut sorted = vec![(0i64, 0u32, 0u32); n];
    for (&u, &b) in members.iter().zip(&buckets) {
        let bits = first[u].to_bits() as i64;
        let total = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
        let at = &mut ends[b as usize];
        sorted[*at as usize] = (!total, code_order[u], u as u32);
        *at += 1;
    }
    // A bucket's units are all ahead of the next bucket's (a higher bucket means a lower
    // total), so the whole array is in order once each bucket is: the rare large bucket (equal
    // totals) sorted on its own, then one insertion pass over everything — units move only
    // within their bucket, one or two places mostly, with no dispatch per bucket.
    let mut start = 0;
    for &end in &ends[..n] {
        if end as usize - start > 16 {
            sorted[start..end as usize].sort_unstable();
        }
        start = end as usize;
    }
    for i in 1..n {
        let x = sorted[i];
        let mut k = i;
        while k > 0 && x < sorted[k - 1] {
            sorted[k] = sorted[k - 1];
            k -= 1;
        }
        sorted[k] = x;
    }
    for (m, &(_, _, u)) in members.iter_mut().zip(&sorted) {
        *m = u as usize;
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

/// A unit's official ranking group, typed: its unit type, its emulation bloc (or none), or all
/// units of the criteria file (named by the file's unit types). [`GroupKey::code`] is the stable
/// machine key written to `results.csv` as `rank_group` and compared across years: the same in
/// every language and whatever other criteria files are in the run. Labels are made from it, never
/// the other way round.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupKey {
    UnitType(String),
    Bloc(Option<String>),
    All(Vec<String>),
}

impl GroupKey {
    /// `unit_type:xã`, `bloc:Cụm 1`, `no_bloc`, `all:xã+phường+đặc khu`.
    pub fn code(&self) -> String {
        match self {
            GroupKey::UnitType(t) => format!("unit_type:{t}"),
            GroupKey::Bloc(Some(b)) => format!("bloc:{b}"),
            GroupKey::Bloc(None) => "no_bloc".to_string(),
            GroupKey::All(types) => format!("all:{}", types.join("+")),
        }
    }

    /// The name the key gives its group — the unit type, the bloc, the file's unit types — or
    /// `None` for the units with no bloc, which the report words (`report::words::group_key`).
    pub fn name(&self) -> Option<String> {
        match self {
            GroupKey::UnitType(t) => Some(t.clone()),
            GroupKey::Bloc(Some(b)) => Some(b.clone()),
            GroupKey::Bloc(None) => None,
            GroupKey::All(types) => Some(types.join(", ")),
        }
    }

    /// Whether `written`, a group as an older `results.csv` wrote it (a label in either
    /// language, perhaps with the file's unit types added) or as a key, names this group.
    pub fn is_written(&self, written: &str, types: &[String]) -> bool {
        let w = crate::support::text::key(written);
        let suffix = format!(" ({})", types.join(", "));
        let names = match self.name() {
            Some(name) => vec![name],
            None => NO_BLOC.map(String::from).to_vec(),
        };
        names
            .into_iter()
            .chain(std::iter::once(self.code()))
            .any(|l| {
                crate::support::text::key(&l) == w || crate::support::text::key(&(l + &suffix)) == w
            })
    }
}

/// How the group of units with no emulation bloc is written, Vietnamese then English: printed by
/// the report (rankings, award scopes: `report::words::no_bloc`) and recognised in older results
/// files, which wrote labels.
pub const NO_BLOC: [&str; 2] = ["(chưa có khối)", "(no bloc)"];

/// The official ranking group of a unit under a criteria file.
pub fn group_of(c: &Criteria, unit: &crate::input::units::Unit) -> GroupKey {
    match c.ranking.scope {
        Scope::UnitType => GroupKey::UnitType(unit.unit_type.clone()),
        Scope::Bloc => GroupKey::Bloc(unit.bloc.clone()),
        Scope::All => GroupKey::All(c.unit_types.clone()),
    }
}

/// Each unit's position by unit code (`code_order` of [`rank`]): what orders the listing of equal
/// units, in every ranking (official groups, award scopes).
pub fn code_order(units: &[UnitScore], registry: &Registry) -> Vec<u32> {
    let units: Vec<usize> = units.iter().map(|s| s.unit).collect();
    code_order_of(&units, registry)
}

/// [`code_order`] of registry units given by index (a criteria file's members, as the
/// replications and the audit rank them).
pub fn code_order_of(units: &[usize], registry: &Registry) -> Vec<u32> {
    let mut by_code: Vec<usize> = (0..units.len()).collect();
    by_code.sort_by(|&a, &b| {
        registry.units[units[a]]
            .code
            .cmp(&registry.units[units[b]].code)
    });
    let mut order = vec![0u32; units.len()];
    for (pos, &i) in by_code.iter().enumerate() {
        order[i] = pos as u32;
    }
    order
}

/// Where a scored unit stands in its official ranking group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub rank: usize,
    /// The size of its group.
    pub of: usize,
    /// Its group, an index into [`Ranking::groups`].
    pub group: usize,
}

/// An official ranking group: the criteria file it belongs to and its typed key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankGroup {
    pub criteria: usize,
    pub key: GroupKey,
    /// Another criteria file has a group of the same name (two files ranking by a bloc of the
    /// same name, or both with units of no bloc): its label then names the file's unit types too.
    pub shared_label: bool,
}

/// The official ranking of a run: its groups in report order, and each scored unit's place,
/// by registry index. Apart from the scores: a ranking is computed from them, never stored in
/// them.
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    pub groups: Vec<RankGroup>,
    places: Vec<Option<Place>>,
}

impl Ranking {
    /// The place of registry unit `unit` (a unit not ranked — none in a run's scores — is 0/0).
    pub fn place(&self, unit: usize) -> Place {
        self.places.get(unit).copied().flatten().unwrap_or(Place {
            rank: 0,
            of: 0,
            group: 0,
        })
    }

    /// The group of registry unit `unit`.
    pub fn group_of(&self, unit: usize) -> Option<&RankGroup> {
        self.places
            .get(unit)
            .copied()
            .flatten()
            .and_then(|p| self.groups.get(p.group))
    }
}

/// Rank every official group of each criteria file (unit type, bloc or all) on unrounded
/// totals, and sort `units` into report order: criteria file, group, rank, unit code. Labels are
/// not made here: a group is its typed key (`report::words::rank_group` words it).
pub fn ranking(units: &mut Vec<UnitScore>, criteria: &[Criteria], registry: &Registry) -> Ranking {
    let code_order = code_order(units, registry);
    let mut groups: BTreeMap<(usize, usize, GroupKey), Vec<usize>> = BTreeMap::new();
    for (i, u) in units.iter().enumerate() {
        let c = &criteria[u.criteria];
        let unit = &registry.units[u.unit];
        let key = group_of(c, unit);
        // Unit-type groups in the file's order of types; blocs and "all" by key.
        let order = match &key {
            GroupKey::UnitType(t) => c
                .unit_types
                .iter()
                .position(|x| x == t)
                .unwrap_or(usize::MAX),
            _ => 0,
        };
        groups.entry((u.criteria, order, key)).or_default().push(i);
    }
    // The same name from two criteria files (two files ranking by a bloc of the same name)
    // would merge two rankings in reports: such groups' labels name their file's unit types too.
    let mut files_of: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (ci, _, key) in groups.keys() {
        let v = files_of.entry(key.name()).or_default();
        if !v.contains(ci) {
            v.push(*ci);
        }
    }
    let totals: Vec<f64> = units.iter().map(|u| u.total).collect();
    let mut out = Ranking {
        groups: Vec::with_capacity(groups.len()),
        places: vec![None; registry.units.len()],
    };
    let mut order: Vec<usize> = Vec::with_capacity(units.len());
    let mut ranks = Vec::new();
    for ((ci, _, key), mut members) in groups {
        let c = &criteria[ci];
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
        let group = out.groups.len();
        out.groups.push(RankGroup {
            criteria: ci,
            shared_label: files_of.get(&key.name()).is_some_and(|v| v.len() > 1),
            key,
        });
        let n = members.len();
        for (&i, &r) in members.iter().zip(&ranks) {
            if let Some(slot) = out.places.get_mut(units[i].unit) {
                *slot = Some(Place {
                    rank: r,
                    of: n,
                    group,
                });
            }
            order.push(i);
        }
    }
    let mut slots: Vec<Option<UnitScore>> = units.drain(..).map(Some).collect();
    units.extend(order.into_iter().filter_map(|i| slots[i].take()));
    out
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

    /// The bucketed sort gives the comparison sort's order on (total descending in
    /// `total_cmp`'s order, unit code), small groups and large: signed zeros, negatives,
    /// infinities, NaN, equal totals, all totals equal, totals a rounding step apart.
    #[test]
    fn bucketed_order_is_the_comparison_order() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let pool = [
            0.0,
            -0.0,
            -1.5,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            72.25,
            72.25,
            72.25 + 1e-14,
            1e300,
            -1e300,
        ];
        for case in 0..300 {
            let n = if case % 3 == 0 {
                rng.random_range(1..60)
            } else {
                rng.random_range(60..3000)
            };
            let kind = rng.random_range(0..5);
            let totals: Vec<f64> = (0..n)
                .map(|_| match (kind, rng.random_range(0..50)) {
                    (0, 0) => pool[rng.random_range(0..pool.len())],
                    (1, _) => 55.5,
                    (2, _) => f64::from(rng.random_range(0..5u8)),
                    (3, _) => 70.0 + rng.random_range(0..4u8) as f64 * 1e-13,
                    _ => rng.random_range(20.0..100.0),
                })
                .collect();
            let mut code: Vec<u32> = (0..n as u32).collect();
            for i in (1..n).rev() {
                code.swap(i, rng.random_range(0..=i));
            }
            let mut want: Vec<usize> = (0..n).collect();
            want.sort_by(|&a, &b| {
                totals[b]
                    .total_cmp(&totals[a])
                    .then_with(|| code[a].cmp(&code[b]))
            });
            let mut got: Vec<usize> = (0..n).rev().collect();
            sort_by_total(&mut got, &totals, &code);
            assert_eq!(got, want, "case {case}");
        }
    }
}
