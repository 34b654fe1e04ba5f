//! The view of the uncertainty: per ranking group each unit's rank interval, probability of being
//! first and of its grade, in the run's language.

use serde::Serialize;

use super::{groups, hex};
use crate::i18n::grade_label;
use crate::numfmt::round_half_away;
use crate::report::Run;

/// One unit's uncertainty, as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct UncRow {
    pub rank: usize,
    pub of: usize,
    pub code: String,
    pub name: String,
    pub median: usize,
    pub p05: usize,
    pub p95: usize,
    /// Percent.
    pub p_first: f64,
    pub grade: String,
    pub color: String,
    /// Percent.
    pub p_grade: f64,
    pub uncertain: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UncGroup {
    pub label: String,
    pub rows: Vec<UncRow>,
    /// The nominal first unit and how often it is first (percent).
    pub top_name: String,
    pub top_first: f64,
    pub uncertain: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct UncView {
    pub replications: usize,
    pub seed: u64,
    /// Percent.
    pub level: f64,
    pub sources: Vec<String>,
    /// "±20%" when the areas' weights were moved too.
    pub weights: Option<String>,
    pub groups: Vec<UncGroup>,
}

pub fn uncertainty(run: &Run) -> Option<UncView> {
    let f = run.uncertainty?;
    let lang = run.lang;
    let groups = groups(run)
        .into_iter()
        .map(|g| {
            let c = &run.criteria[g.criteria];
            let rows: Vec<UncRow> = run.scores[g.range.clone()]
                .iter()
                .filter_map(|u| {
                    let x = f.of(u.unit)?;
                    let unit = &run.registry.units[u.unit];
                    let band = &c.grading.bands[x.grade];
                    Some(UncRow {
                        rank: x.rank,
                        of: x.of,
                        code: unit.code.clone(),
                        name: unit.name.clone(),
                        median: x.median,
                        p05: x.p05,
                        p95: x.p95,
                        p_first: round_half_away(x.p_first * 100.0, 1),
                        grade: grade_label(band, lang).to_string(),
                        color: hex(band.color),
                        p_grade: round_half_away(x.p_grade[x.grade] * 100.0, 1),
                        uncertain: x.p_grade[x.grade] < f.level,
                    })
                })
                .collect();
            UncGroup {
                label: g.label.clone(),
                top_name: rows.first().map(|r| r.name.clone()).unwrap_or_default(),
                top_first: rows.first().map_or(0.0, |r| r.p_first),
                uncertain: rows.iter().filter(|r| r.uncertain).count(),
                rows,
            }
        })
        .collect();
    Some(UncView {
        replications: f.replications,
        seed: f.seed,
        level: round_half_away(f.level * 100.0, 1),
        sources: f.sources.clone(),
        weights: f
            .weights
            .map(|r| format!("±{}%", super::num(r * 100.0, run.lang))),
        groups,
    })
}
