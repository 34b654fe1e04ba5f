//! The view of the criteria audit: per criteria file and unit type, a row per node in tree order
//! with its figures as people read them (shares in percent, remarks in words), the areas'
//! nominal and effective weights for the chart, and the areas' correlations for the heat map.

use serde::Serialize;

use super::columns::Header;
use crate::report::words::audit as words;
use crate::report::Run;
use crate::support::i18n::Lang;
use crate::support::numfmt::round_half_away;

/// One node's figures as printed.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: String,
    pub name: String,
    /// 0 for an area.
    pub depth: usize,
    pub max: f64,
    pub units: usize,
    pub not_applicable: usize,
    pub missing: usize,
    /// Percent, one decimal.
    pub mean_share: Option<f64>,
    pub full_share: Option<f64>,
    pub zero_share: Option<f64>,
    pub distinct: usize,
    /// Two decimals.
    pub sd: Option<f64>,
    pub item_rest_r: Option<f64>,
    /// Percent, one decimal.
    pub nominal: f64,
    pub effective: Option<f64>,
    /// One decimal.
    pub shift_mean: f64,
    pub shift_max: usize,
    /// An area's alpha, a leaf's alpha if dropped (two decimals).
    pub alpha: Option<f64>,
    pub remarks: String,
    pub flagged: bool,
}

/// An area's weight on paper and in fact (percent), for the chart.
#[derive(Debug, Clone, Serialize)]
pub struct AreaWeight {
    pub short: String,
    pub name: String,
    pub nominal: f64,
    pub effective: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditSetView {
    /// "Bộ chỉ số … – xã (94 đơn vị)".
    pub title: String,
    pub units: usize,
    pub few: Option<String>,
    pub findings: String,
    pub rows: Vec<AuditRow>,
    pub areas: Vec<AreaWeight>,
    /// Pearson's r between areas (two decimals), in the order of `areas`.
    pub area_r: Vec<Vec<Option<f64>>>,
    /// Some correlation is defined (a set of fewer than 3 units has none: no heat map then).
    pub correlated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    pub reading: String,
    pub thresholds: String,
    /// The table's headers, in column order.
    pub headers: Vec<&'static str>,
    pub sets: Vec<AuditSetView>,
}

/// The audit table's columns.
pub const COLUMNS: [Header; 16] = [
    Header::Code,
    Header::Criterion,
    Header::Max,
    Header::Units,
    Header::NotApplicable,
    Header::Missing,
    Header::MeanShare,
    Header::FullShare,
    Header::ZeroShare,
    Header::Distinct,
    Header::ItemRest,
    Header::NominalWeight,
    Header::EffectiveWeight,
    Header::RankShift,
    Header::Alpha,
    Header::Remarks,
];

pub fn audit(run: &Run) -> Option<AuditView> {
    let a = run.audit?;
    let lang = run.lang;
    let pct = |x: f64| round_half_away(x * 100.0, 1);
    let sets = (a.sets.iter())
        .map(|s| {
            let c = &run.criteria[s.criteria];
            let (mut no_spread, mut duplicates, mut low) = (0, 0, 0);
            let rows = (s.elements.iter())
                .map(|e| {
                    let n = &c.nodes[e.node];
                    no_spread += usize::from(e.no_spread);
                    duplicates += usize::from(!e.duplicates.is_empty());
                    low += usize::from(e.low_weight);
                    AuditRow {
                        id: n.id.clone(),
                        name: lang.text(&n.name, n.name_en.as_ref()).to_string(),
                        depth: n.depth.saturating_sub(1),
                        max: e.max,
                        units: e.units,
                        not_applicable: e.not_applicable,
                        missing: e.missing,
                        mean_share: e.mean_share.map(pct),
                        full_share: e.full_share.map(pct),
                        zero_share: e.zero_share.map(pct),
                        distinct: e.distinct,
                        sd: e.sd.map(|x| round_half_away(x, 2)),
                        item_rest_r: e.item_rest_r.map(|x| round_half_away(x, 2)),
                        nominal: pct(e.nominal_weight),
                        effective: e.effective_weight.map(pct),
                        shift_mean: round_half_away(e.rank_shift_mean, 1),
                        shift_max: e.rank_shift_max,
                        alpha: (e.alpha.or(e.alpha_if_dropped)).map(|x| round_half_away(x, 2)),
                        remarks: words::remarks(e, c, lang).join("; "),
                        flagged: e.no_spread || e.low_weight || !e.duplicates.is_empty(),
                    }
                })
                .collect();
            let areas = (c.areas.iter())
                .filter_map(|&a| {
                    let e = s.element(a)?;
                    let n = &c.nodes[a];
                    Some(AreaWeight {
                        short: format!("{}{}", lang.pick("LV", "A"), n.id),
                        name: lang.text(&n.name, n.name_en.as_ref()).to_string(),
                        nominal: pct(e.nominal_weight),
                        effective: e.effective_weight.map(pct),
                    })
                })
                .collect();
            AuditSetView {
                title: format!(
                    "{} – {} ({} {})",
                    lang.text(&c.name, c.name_en.as_ref()),
                    s.unit_type,
                    s.units,
                    lang.pick("đơn vị", if s.units == 1 { "unit" } else { "units" })
                ),
                units: s.units,
                few: words::few_units(s.units),
                findings: words::findings(no_spread, duplicates, low, lang),
                rows,
                areas,
                area_r: (s.area_r.iter())
                    .map(|r| r.iter().map(|x| x.map(|x| round_half_away(x, 2))).collect())
                    .collect(),
                correlated: s.area_r.iter().flatten().any(Option::is_some),
            }
        })
        .collect();
    Some(AuditView {
        reading: words::reading(lang).to_string(),
        thresholds: words::thresholds(&a.thresholds, lang),
        headers: COLUMNS.iter().map(|h| h.text(lang)).collect(),
        sets,
    })
}

/// The sheet's and the section's title.
pub fn title(lang: Lang) -> &'static str {
    lang.pick("Phân tích bộ tiêu chí", "Criteria audit")
}
