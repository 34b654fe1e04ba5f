//! The view of the uncertainty: per ranking group each unit's rank interval, probability of being
//! first and of its grade, in the run's language.

use serde::Serialize;

use super::{groups, hex};
use crate::analyses::uncertainty::{NoiseSource, Shape};
use crate::report::Run;
use crate::support::i18n::Lang;
use crate::support::numfmt::{decimal_comma, fmt_num, round_half_away};

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
                        grade: band.label_in(lang).to_string(),
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
        sources: f
            .sources
            .iter()
            .map(|x| source_words(run, x, false))
            .collect(),
        weights: f
            .weights
            .map(|r| format!("±{}%", super::num(r * 100.0, run.lang))),
        groups,
    })
}

/// An input the replications move, in the run's language. The survey is named by its criterion;
/// `in_method`: the method statement, the one place that names the sample-size column too.
pub fn source_words(run: &Run, s: &NoiseSource, in_method: bool) -> String {
    let lang = run.lang;
    // The declared figures as written (up to 6 decimals), with the reader's decimal mark.
    let exact = |x: f64| decimal_comma(&fmt_num(x), lang);
    let name = |indicator: &str| -> String {
        (run.criteria.iter())
            .find_map(|c| c.indicator_name(indicator, lang))
            .unwrap_or(indicator)
            .to_string()
    };
    match (s, lang) {
        (NoiseSource::SurveySample { indicator, column }, Lang::Vi) => format!(
            "{}: lấy mẫu lại theo số phiếu khảo sát của từng đơn vị{} (phân phối nhị thức)",
            name(indicator),
            if in_method { format!(", cột {column}") } else { String::new() }
        ),
        (NoiseSource::SurveySample { indicator, column }, Lang::En) => format!(
            "{}: resampled from each unit's survey sample size{} (binomial)",
            name(indicator),
            if in_method { format!(", column {column}") } else { String::new() }
        ),
        (NoiseSource::SurveyMargin { indicator, margin }, Lang::Vi) => format!(
            "{}: sai số ±{} điểm phần trăm (phân phối chuẩn, khoảng 95%)",
            name(indicator),
            exact(*margin)
        ),
        (NoiseSource::SurveyMargin { indicator, margin }, Lang::En) => format!(
            "{}: margin ±{} percentage points (normal, 95% half-width)",
            name(indicator),
            exact(*margin)
        ),
        (NoiseSource::Appraised { range, shape }, Lang::Vi) => format!(
            "điểm thẩm định: ±{} điểm (phân phối {}), giới hạn trong [0, tối đa]",
            exact(*range),
            match shape {
                Shape::Uniform => "đều",
                Shape::Triangular => "tam giác",
            }
        ),
        (NoiseSource::Appraised { range, shape }, Lang::En) => format!(
            "appraised points: ±{} ({}), clipped to [0, max]",
            exact(*range),
            match shape {
                Shape::Uniform => "uniform",
                Shape::Triangular => "triangular",
            }
        ),
        (NoiseSource::Weights { range }, Lang::Vi) => format!(
            "trọng số các lĩnh vực: mỗi lĩnh vực nhân với một hệ số ngẫu nhiên đều trong [{}; {}] (±{}%), độc lập; tổng điểm tính lại trên điểm tối đa có trọng số",
            exact(1.0 - range),
            exact(1.0 + range),
            exact(range * 100.0)
        ),
        (NoiseSource::Weights { range }, Lang::En) => format!(
            "area weights: each area multiplied by a random factor, uniform in [{}, {}] (±{}%), independently; the total recomputed over the weighted maximum",
            exact(1.0 - range),
            exact(1.0 + range),
            exact(range * 100.0)
        ),
    }
}

/// The run's warning for survey shares left fixed for want of a sample size in `column`.
pub(super) fn without_size_words(column: &str, codes: &[String], lang: Lang) -> String {
    let list = crate::support::text::clip(&codes.join(", "), 200);
    match lang {
        Lang::Vi => format!(
            "độ bất định: {} đơn vị có kết quả điều tra nhưng không có cỡ mẫu ở cột {column}, tỷ lệ của họ được giữ nguyên (không lấy mẫu lại): {list}",
            codes.len()
        ),
        Lang::En => format!(
            "uncertainty: {} unit(s) have survey results but no sample size in column {column}; their shares were kept fixed (not resampled): {list}",
            codes.len()
        ),
    }
}
