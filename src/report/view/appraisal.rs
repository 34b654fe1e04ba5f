//! The view of the self-assessment against the appraisal: means per criteria set, units by the
//! largest gap, criteria cut most often, cuts without a reason.

use serde::Serialize;

use crate::report::Run;
use crate::support::numfmt::round_half_away;

/// A unit's self-assessed and appraised totals.
#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub self_total: f64,
    pub total: f64,
    pub difference: f64,
    pub adjusted: usize,
}

/// A criterion across units.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionRow {
    pub set: String,
    pub id: String,
    pub name: String,
    pub units: usize,
    pub adjusted: usize,
    pub cut: usize,
    pub mean_cut: f64,
}

/// An adjustment above the threshold with no reason.
#[derive(Debug, Clone, Serialize)]
pub struct Unexplained {
    pub code: String,
    pub id: String,
    pub name: String,
    pub difference: f64,
    pub cell: String,
}

/// Self-assessed against appraised means, per criteria set.
#[derive(Debug, Clone, Serialize)]
pub struct SetMeans {
    pub set: String,
    pub units: usize,
    pub self_mean: f64,
    pub mean: f64,
}

/// Self-assessment against appraisal, as every document shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AppraisalView {
    pub means: Vec<SetMeans>,
    /// Largest cut first.
    pub units: Vec<GapRow>,
    /// Most often cut first; criteria never adjusted are left out.
    pub criteria: Vec<CriterionRow>,
    pub unexplained: Vec<Unexplained>,
    pub threshold: f64,
}

pub fn appraisal(run: &Run) -> Option<AppraisalView> {
    let a = run.appraisal?;
    let lang = run.lang;
    let set_name = |ci: usize| {
        let c = &run.criteria[ci];
        lang.text(&c.name, c.name_en.as_ref()).to_string()
    };
    let means = (0..run.criteria.len())
        .filter_map(|ci| {
            let us: Vec<_> = a.units.iter().filter(|u| u.criteria == ci).collect();
            (!us.is_empty()).then(|| SetMeans {
                set: set_name(ci),
                units: us.len(),
                self_mean: round_half_away(
                    us.iter().map(|u| u.self_total).sum::<f64>() / us.len() as f64,
                    2,
                ),
                mean: round_half_away(us.iter().map(|u| u.total).sum::<f64>() / us.len() as f64, 2),
            })
        })
        .collect();
    Some(AppraisalView {
        means,
        units: a
            .units
            .iter()
            .map(|g| {
                let u = &run.registry.units[g.unit];
                GapRow {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    unit_type: u.unit_type.clone(),
                    self_total: round_half_away(g.self_total, 2),
                    total: round_half_away(g.total, 2),
                    difference: round_half_away(g.difference, 2),
                    adjusted: g.adjusted,
                }
            })
            .collect(),
        criteria: a
            .criteria
            .iter()
            .filter(|g| g.adjusted > 0)
            .map(|g| CriterionRow {
                set: set_name(g.criteria),
                id: g.id.clone(),
                name: g.name.clone(),
                units: g.units,
                adjusted: g.adjusted,
                cut: g.cut,
                mean_cut: round_half_away(g.mean_cut, 2),
            })
            .collect(),
        unexplained: a
            .unexplained
            .iter()
            .map(|&i| {
                let l = &a.lines[i];
                Unexplained {
                    code: run.registry.units[l.unit].code.clone(),
                    id: l.id.clone(),
                    name: l.name.clone(),
                    difference: round_half_away(l.difference, 2),
                    cell: l.source.as_ref().map(|s| s.in_file()).unwrap_or_default(),
                }
            })
            .collect(),
        threshold: a.threshold,
    })
}
