//! Year over year across the 2025 mergers. Last year's results (a parindex `results.csv` or a
//! published table: code, name, type, index, rank, grade) are joined to this year's units
//! through a lineage file (new code, old code, relation, optional weight), never on the unit
//! code alone: a new unit may reuse one predecessor's code. Each new unit gets a baseline — the
//! weighted mean of its predecessors' indexes (equal weights unless the file names a weight
//! column) — and a kind of comparison: direct (unchanged or renamed), merged (whole
//! predecessors), approximate (a predecessor only partly in it), new (no predecessor with a
//! result) or not compared (approximate ones when the run file says so). Rank changes are given
//! only within the same ranking group. Every problem of the two files is reported at once with
//! file and row. Pure: it reads the two files and this year's scores, and decides nothing about
//! scoring. `read` reads and checks the two files; this module computes the comparison and words
//! it.

use std::collections::HashMap;

use crate::input::criteria::Criteria;
use crate::input::units::Registry;
use crate::scoring::score::UnitScore;
use crate::support::error::{DataIssue, Error, Result};
use crate::support::numfmt::round_half_away;
use crate::support::text;

mod read;

use read::validate;
pub use read::{load_lineage, load_previous};

/// One unit of last year's results.
#[derive(Debug, Clone)]
pub struct PrevUnit {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub index: f64,
    pub rank: Option<u32>,
    pub rank_of: Option<u32>,
    pub grade: String,
    /// The ranking group as the file names it: parindex writes its stable key in `rank_group`
    /// and the label in `rank_group_label`; older files and published tables, a label only.
    pub group: Option<String>,
    /// The group's label, when the file has `rank_group_label` (then `group` is a key).
    pub group_label: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Previous {
    pub file: String,
    pub sha256: String,
    pub units: Vec<PrevUnit>,
    pub by_code: HashMap<String, usize>,
}

/// How a new unit relates to an old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Unchanged,
    Renamed,
    WholeMerge,
    PartialMerge,
    Split,
}

impl Relation {
    /// The words a lineage file may use, Vietnamese or English (case and accents' composition
    /// do not matter; the statistics office writes them inside a longer note).
    pub fn read(s: &str) -> Option<Relation> {
        let k = text::fold(s);
        let has = |w: &[&str]| w.iter().any(|x| k.contains(x));
        if has(&["một phần", "mot phan", "partial", "part of"]) {
            Some(Relation::PartialMerge)
        } else if has(&["chia tách", "chia tach", "tách", "split"]) {
            Some(Relation::Split)
        } else if has(&["toàn bộ", "toan bo", "sáp nhập", "nhập", "whole", "merge"]) {
            Some(Relation::WholeMerge)
        } else if has(&["đổi tên", "doi ten", "rename"]) {
            Some(Relation::Renamed)
        } else if has(&[
            "giữ nguyên",
            "giu nguyen",
            "unchanged",
            "same",
            "không thay đổi",
        ]) {
            Some(Relation::Unchanged)
        } else {
            None
        }
    }

    /// The code written to `comparison.csv`.
    pub fn code(self) -> &'static str {
        match self {
            Relation::Unchanged => "unchanged",
            Relation::Renamed => "renamed",
            Relation::WholeMerge => "whole_merge",
            Relation::PartialMerge => "partial_merge",
            Relation::Split => "split",
        }
    }

    fn partial(self) -> bool {
        matches!(self, Relation::PartialMerge | Relation::Split)
    }
}

/// One (new unit, old unit) link.
#[derive(Debug, Clone)]
pub struct Link {
    pub new: String,
    pub old: String,
    pub relation: Relation,
    /// As written; `None` when the file has no weight column.
    pub weight: Option<f64>,
    pub note: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Lineage {
    pub file: String,
    pub sha256: String,
    pub links: Vec<Link>,
    pub weighted: bool,
    /// Rows read with a problem (a relation word not understood, a negative or missing weight):
    /// their links are kept, so that [`read::validate`] reports these with every other problem
    /// of the file at once.
    pub problems: Vec<DataIssue>,
}

/// Which lineage columns hold what (headers as written; sensible defaults).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineageColumns {
    pub new_code: Option<String>,
    pub old_code: Option<String>,
    pub relation: Option<String>,
    pub weight: Option<String>,
    pub note: Option<String>,
}

/// The kind of comparison a unit gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Direct,
    Merged,
    Approximate,
    New,
    NotCompared,
}

impl Kind {
    /// The code written to `results.csv`.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Direct => "direct",
            Kind::Merged => "merged",
            Kind::Approximate => "approximate",
            Kind::New => "new",
            Kind::NotCompared => "not_compared",
        }
    }
}

/// Why a unit has no rank change.
#[derive(Debug, Clone, PartialEq)]
pub enum NoRank {
    /// Its baseline mixes several units: there is no rank to compare.
    Merged,
    /// Last year it was ranked in another group (a commune that became a ward).
    OtherGroup(String),
    /// Last year's file has no rank for it.
    Unranked,
}

/// One new unit's change.
#[derive(Debug, Clone)]
pub struct Change {
    /// Index into the registry.
    pub unit: usize,
    pub kind: Kind,
    /// Last year's index (a weighted mean for merged units), unrounded.
    pub baseline: Option<f64>,
    /// This year's index − baseline, percentage points, half-away rounded to 2 decimals.
    pub index_change: Option<f64>,
    pub prev_rank: Option<u32>,
    pub prev_rank_of: Option<u32>,
    /// Positive: up that many places.
    pub rank_change: Option<i64>,
    pub no_rank: Option<NoRank>,
    pub prev_grade: Option<String>,
    /// Index into this year's bands of the baseline (for grade counts and grade change).
    pub baseline_band: Option<usize>,
}

/// One row of `comparison.csv`: a predecessor of a new unit, with its weight.
#[derive(Debug, Clone)]
pub struct BaselineRow {
    pub unit: usize,
    pub old: String,
    pub relation: Relation,
    pub weight: Option<f64>,
    /// The share of the baseline (weights normalised over predecessors with a result).
    pub share: Option<f64>,
    pub prev: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct YearComparison {
    pub year: Option<i64>,
    /// Sorted by unit (one change per scored unit): [`YearComparison::of`] searches it.
    pub changes: Vec<Change>,
    pub rows: Vec<BaselineRow>,
    pub previous: Option<Previous>,
    /// No lineage file was given: units were joined on their code.
    pub by_code: bool,
    /// Last year's units that no lineage row accounts for (dropped on purpose, or a mistake).
    pub unlinked: Vec<String>,
    pub weighted: bool,
    pub skip_approximate: bool,
}

impl YearComparison {
    /// A unit's change since last year, if it was scored. By binary search: every document
    /// asks it of every unit (a scan per unit is 5 million comparisons for a national run).
    pub fn of(&self, unit: usize) -> Option<&Change> {
        let at = self.changes.binary_search_by_key(&unit, |c| c.unit).ok()?;
        self.changes.get(at)
    }
}

/// Compare this year's scores with last year's results.
pub fn compare(
    prev: Previous,
    lineage: Option<Lineage>,
    registry: &Registry,
    criteria: &[Criteria],
    scores: &[UnitScore],
    ranking: &crate::scoring::rank::Ranking,
    skip_approximate: bool,
) -> Result<YearComparison> {
    let mut out = YearComparison {
        skip_approximate,
        ..YearComparison::default()
    };
    // Without a lineage file, units are joined on their code (stated in a note).
    let lineage = match lineage {
        Some(l) => {
            let (issues, unlinked) = validate(&l, registry, &prev);
            if !issues.is_empty() {
                return Err(Error::Data(issues));
            }
            out.unlinked = unlinked;
            l
        }
        None => {
            out.by_code = true;
            Lineage {
                file: String::new(),
                sha256: String::new(),
                weighted: false,
                problems: Vec::new(),
                links: scores
                    .iter()
                    .map(|u| &registry.units[u.unit].code)
                    .filter(|c| prev.by_code.contains_key(*c))
                    .map(|c| Link {
                        new: c.clone(),
                        old: c.clone(),
                        relation: Relation::Unchanged,
                        weight: None,
                        note: String::new(),
                        line: 0,
                    })
                    .collect(),
            }
        }
    };
    out.weighted = lineage.weighted;
    let mut preds: HashMap<&str, Vec<&Link>> = HashMap::new();
    for l in &lineage.links {
        preds.entry(l.new.as_str()).or_default().push(l);
    }
    // An old unit split across several new units counts as partial in each.
    let mut successors: HashMap<&str, usize> = HashMap::new();
    for l in &lineage.links {
        *successors.entry(l.old.as_str()).or_default() += 1;
    }
    for u in scores {
        let unit = &registry.units[u.unit];
        let c = &criteria[u.criteria];
        let links: Vec<&Link> = preds.get(unit.code.as_str()).cloned().unwrap_or_default();
        let with_result: Vec<(&Link, usize)> = links
            .iter()
            .filter_map(|l| prev.by_code.get(&l.old).map(|&p| (*l, p)))
            .collect();
        let partial = links
            .iter()
            .any(|l| l.relation.partial() || successors[l.old.as_str()] > 1);
        let direct = links.len() == 1
            && matches!(links[0].relation, Relation::Unchanged | Relation::Renamed)
            && !partial;
        let mut kind = if with_result.is_empty() {
            Kind::New
        } else if direct {
            Kind::Direct
        } else if partial {
            Kind::Approximate
        } else {
            Kind::Merged
        };
        if kind == Kind::Approximate && skip_approximate {
            kind = Kind::NotCompared;
        }
        // Weights over the predecessors with a result; equal weights when none are declared.
        let weights: Vec<f64> = with_result
            .iter()
            .map(|(l, _)| l.weight.unwrap_or(1.0))
            .collect();
        let total: f64 = weights.iter().sum();
        let baseline = (total > 0.0 && kind != Kind::NotCompared && kind != Kind::New).then(|| {
            with_result
                .iter()
                .zip(&weights)
                .map(|((_, p), w)| prev.units[*p].index * w)
                .sum::<f64>()
                / total
        });
        for l in &links {
            let p = prev.by_code.get(&l.old).copied();
            let share = p.and_then(|p| {
                let i = with_result.iter().position(|(_, q)| *q == p)?;
                (total > 0.0).then(|| weights[i] / total)
            });
            out.rows.push(BaselineRow {
                unit: u.unit,
                old: l.old.clone(),
                relation: l.relation,
                weight: l.weight,
                share,
                prev: p,
            });
        }
        let mut change = Change {
            unit: u.unit,
            kind,
            baseline,
            index_change: baseline.map(|b| round_half_away(u.index - b, 2)),
            prev_rank: None,
            prev_rank_of: None,
            rank_change: None,
            no_rank: None,
            prev_grade: None,
            baseline_band: baseline.map(|b| crate::scoring::score::grade_of(&c.grading, b)),
        };
        match kind {
            Kind::Direct => {
                let p = &prev.units[with_result[0].1];
                change.prev_grade = Some(p.grade.clone()).filter(|g| !g.is_empty());
                change.prev_rank = p.rank;
                change.prev_rank_of = p.rank_of;
                // A key (this shape of results.csv) is compared as a key; a label (older files,
                // published tables) is matched against this group's labels in both languages.
                let key = crate::scoring::rank::group_of(c, unit);
                let same_group = match (&p.group, &p.group_label) {
                    (Some(g), Some(_)) => text::key(g) == text::key(&key.code()),
                    (Some(g), None) => key.is_written(g, &c.unit_types),
                    (None, _) => p.unit_type.is_empty() || p.unit_type == unit.unit_type,
                };
                if !same_group {
                    let was = p
                        .group_label
                        .clone()
                        .or_else(|| p.group.clone())
                        .unwrap_or(p.unit_type.clone());
                    change.no_rank = Some(NoRank::OtherGroup(was));
                } else {
                    match p.rank {
                        Some(r) => {
                            let now = ranking.place(u.unit).rank;
                            change.rank_change = Some(r as i64 - now as i64);
                        }
                        None => change.no_rank = Some(NoRank::Unranked),
                    }
                }
            }
            Kind::Merged | Kind::Approximate => change.no_rank = Some(NoRank::Merged),
            Kind::New | Kind::NotCompared => {}
        }
        out.changes.push(change);
    }
    out.changes.sort_by_key(|c| c.unit);
    out.previous = Some(prev);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_words() {
        assert_eq!(Relation::read("Nhập toàn bộ"), Some(Relation::WholeMerge));
        assert_eq!(
            Relation::read("Sáp nhập một phần diện tích của xã A"),
            Some(Relation::PartialMerge)
        );
        assert_eq!(Relation::read("giữ nguyên"), Some(Relation::Unchanged));
        assert_eq!(Relation::read("Đổi tên"), Some(Relation::Renamed));
        assert_eq!(Relation::read("split"), Some(Relation::Split));
        assert_eq!(Relation::read("???"), None);
    }

    #[test]
    fn published_wording() {}
}
