//! The report view model: what every document for people shows, decided once — ranking groups
//! with their titles, abbreviated area headers and full names, summary statistics, the share
//! of each area's maximum, the title block (issuing body, motto, place and date, signature),
//! the method statement, and one scorecard per unit. The workbook and the HTML report render
//! this; neither decides a label, a title or a statistic of its own.

use serde::Serialize;

use super::{area_points, unit_flags_text, Run};
use crate::criteria::describe;
use crate::criteria::model::{MissingPolicy, NaPolicy, NodeKind, SurveyAbsent};
use crate::criteria::validate::fmt_num;
use crate::criteria::Criteria;
use crate::i18n::{grade_label, Lang};
use crate::numfmt::round_half_away;
use crate::score::UnitScore;

/// Everything printed above and below a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct TitleBlock {
    /// Issuing body, one line each ("UBND TỈNH …", "SỞ NỘI VỤ").
    pub issuer: Vec<String>,
    /// National motto, two lines (Vietnamese administrative documents carry it).
    pub motto: [String; 2],
    /// "Sông Hồng, ngày 15 tháng 01 năm 2026".
    pub date_line: Option<String>,
    pub signature_lines: Vec<String>,
    pub signer: Option<String>,
}

/// A top-level area as a column: a short header that fits a printed column, the full name
/// for the legend and the method statement.
#[derive(Debug, Clone, Serialize)]
pub struct AreaColumn {
    pub id: String,
    /// "LV1" / "A1".
    pub short: String,
    pub name: String,
    pub max: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GradeCount {
    pub label: String,
    pub color: String,
    pub count: usize,
    /// Inclusive lower bound of the band, when it has one.
    pub min: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaShare {
    pub short: String,
    pub name: String,
    /// Mean points of the group's units and the area's declared maximum.
    pub mean: f64,
    pub max: f64,
    /// mean / max × 100.
    pub share: f64,
}

/// One ranking group (a sheet of the workbook, a section of the report).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    #[serde(skip)]
    pub criteria: usize,
    /// Positions in `Run::scores` (contiguous, in rank order).
    #[serde(skip)]
    pub range: std::ops::Range<usize>,
    pub label: String,
    /// "KẾT QUẢ XÁC ĐỊNH CHỈ SỐ … NĂM 2025 – XÃ".
    pub title: String,
    /// The criteria set's name.
    pub subtitle: String,
    pub areas: Vec<AreaColumn>,
    pub units: usize,
    pub mean: f64,
    pub median: f64,
    pub grades: Vec<GradeCount>,
    pub area_shares: Vec<AreaShare>,
}

/// One unit's row in a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub rank: usize,
    pub rank_of: usize,
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub bloc: String,
    /// Area points, half-away rounded to 2 decimals, in `Group::areas` order.
    pub areas: Vec<f64>,
    pub bonus: f64,
    pub penalty: f64,
    pub total: f64,
    pub max: f64,
    pub index: f64,
    pub grade: String,
    pub grade_band: usize,
    pub color: String,
    pub notes: String,
}

/// A line of a scorecard: a node of the tree, or a bonus/penalty item.
#[derive(Debug, Clone, Serialize)]
pub struct CardLine {
    pub id: String,
    pub name: String,
    pub depth: usize,
    pub leaf: bool,
    pub max: f64,
    pub points: f64,
    pub lost: f64,
    /// The value as read ("" for inner nodes).
    pub value: String,
    pub note: String,
    /// What the unit claimed for this criterion, when the run has a self-assessment.
    pub self_points: Option<f64>,
    /// Why the appraisal changed it.
    pub reason: String,
    /// The number of its reason in `Card::reasons` (a footnote), when it has one.
    pub reason_no: Option<usize>,
}

/// A reason for an adjustment, printed as a footnote of the scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct Footnote {
    pub no: usize,
    pub id: String,
    pub text: String,
}

/// A unit's scorecard (phiếu kết quả).
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub row: Row,
    /// The change since last year, when the run compares.
    pub change: Option<ChangeRow>,
    /// "2–6 (90%)": the rank interval over the replications, when the run has them.
    pub interval: Option<String>,
    /// The probability of the nominal grade (percent), when the run has replications.
    pub p_grade: Option<f64>,
    /// The unit's self-assessed total, when the run has a self-assessment.
    pub self_total: Option<f64>,
    pub group: String,
    pub criteria_name: String,
    pub lines: Vec<CardLine>,
    pub bonus: Vec<CardLine>,
    pub penalty: Vec<CardLine>,
    /// Reasons for adjustments, numbered in the order of the lines.
    pub reasons: Vec<Footnote>,
}

/// A line of the method statement: a label and its text.
#[derive(Debug, Clone, Serialize)]
pub struct MethodLine {
    pub label: String,
    pub text: String,
}

/// "14.5" → "14,5" in Vietnamese: a `.` between two digits becomes a comma.
pub fn decimal_comma(s: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let digit = |j: Option<usize>| {
                j.and_then(|j| chars.get(j))
                    .is_some_and(|d| d.is_ascii_digit())
            };
            if c == '.' && digit(i.checked_sub(1)) && digit(Some(i + 1)) {
                ','
            } else {
                c
            }
        })
        .collect()
}

/// A number as people read it: at most 2 decimals (half away from zero), trailing zeros
/// dropped, decimal comma in Vietnamese.
pub fn num(x: f64, lang: Lang) -> String {
    decimal_comma(&fmt_num(round_half_away(x, 2)), lang)
}

/// A number with exactly 2 decimals, decimal comma in Vietnamese.
pub fn num2(x: f64, lang: Lang) -> String {
    crate::numfmt::fixed(
        x,
        2,
        match lang {
            Lang::Vi => crate::numfmt::Locale::Vi,
            Lang::En => crate::numfmt::Locale::En,
        },
    )
}

pub fn hex(rgb: Option<u32>) -> String {
    format!("#{:06X}", rgb.unwrap_or(0xFFFFFF))
}

pub fn title_block(run: &Run) -> TitleBlock {
    let lang = run.lang;
    let r = run.report;
    TitleBlock {
        issuer: r.issuer.clone(),
        motto: [
            lang.pick(
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "SOCIALIST REPUBLIC OF VIET NAM",
            )
            .to_string(),
            lang.pick(
                "Độc lập - Tự do - Hạnh phúc",
                "Independence - Freedom - Happiness",
            )
            .to_string(),
        ],
        date_line: r
            .date
            .map(|d| d.with_place(r.place.as_deref(), lang))
            .or_else(|| r.place.clone()),
        signature_lines: r.signature_lines.clone(),
        signer: r.signer.clone(),
    }
}

/// The document title without a group: the run file's, else one made from the year.
pub fn base_title(run: &Run, year: i64) -> String {
    let r = run.report;
    match run.lang {
        Lang::Vi => r
            .title
            .clone()
            .unwrap_or_else(|| format!("KẾT QUẢ XÁC ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}")),
        Lang::En => r
            .title_en
            .clone()
            .unwrap_or_else(|| format!("PAR INDEX RESULTS {year}")),
    }
}

pub fn area_columns(c: &Criteria, lang: Lang) -> Vec<AreaColumn> {
    c.areas
        .iter()
        .map(|&a| {
            let n = &c.nodes[a];
            AreaColumn {
                id: n.id.clone(),
                short: format!("{}{}", lang.pick("LV", "A"), n.id),
                name: lang.text(&n.name, n.name_en.as_ref()).to_string(),
                max: n.max,
            }
        })
        .collect()
}

/// The ranking groups of a run, in report order.
pub fn groups(run: &Run) -> Vec<Group> {
    let lang = run.lang;
    let mut out = Vec::new();
    let mut start = 0;
    while start < run.scores.len() {
        let first = &run.scores[start];
        let end = run.scores[start..]
            .iter()
            .position(|u| u.criteria != first.criteria || u.group != first.group)
            .map_or(run.scores.len(), |k| start + k);
        let c = &run.criteria[first.criteria];
        let units = &run.scores[start..end];
        let mut idx: Vec<f64> = units.iter().map(|u| u.index).collect();
        idx.sort_by(f64::total_cmp);
        let n = idx.len();
        let median = if n % 2 == 1 {
            idx[n / 2]
        } else {
            (idx[n / 2 - 1] + idx[n / 2]) / 2.0
        };
        let mean = idx.iter().sum::<f64>() / n as f64;
        let grades = c
            .grading
            .bands
            .iter()
            .enumerate()
            .map(|(g, b)| GradeCount {
                label: grade_label(b, lang).to_string(),
                color: hex(b.color),
                count: units.iter().filter(|u| u.grade == g).count(),
                min: b.min,
            })
            .collect();
        let areas = area_columns(c, lang);
        let area_shares = areas
            .iter()
            .map(|a| {
                let mean = units
                    .iter()
                    .map(|u| area_points(c, u, &a.id).unwrap_or(0.0))
                    .sum::<f64>()
                    / n as f64;
                AreaShare {
                    short: a.short.clone(),
                    name: a.name.clone(),
                    mean,
                    max: a.max,
                    share: if a.max > 0.0 {
                        mean / a.max * 100.0
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        out.push(Group {
            criteria: first.criteria,
            range: start..end,
            label: first.group.clone(),
            title: format!(
                "{} – {}",
                base_title(run, c.year),
                first.group.to_uppercase()
            ),
            subtitle: lang.text(&c.name, c.name_en.as_ref()).to_string(),
            areas,
            units: n,
            mean,
            median,
            grades,
            area_shares,
        });
        start = end;
    }
    out
}

pub fn row(run: &Run, u: &UnitScore) -> Row {
    let lang = run.lang;
    let c = &run.criteria[u.criteria];
    let unit = &run.registry.units[u.unit];
    let band = &c.grading.bands[u.grade];
    Row {
        rank: u.rank,
        rank_of: u.rank_of,
        code: unit.code.clone(),
        name: unit.name.clone(),
        unit_type: unit.unit_type.clone(),
        bloc: unit.bloc.clone().unwrap_or_default(),
        areas: c
            .areas
            .iter()
            .map(|&a| round_half_away(u.node_points[a], 2))
            .collect(),
        bonus: round_half_away(u.bonus, 2),
        penalty: round_half_away(u.penalty, 2),
        total: round_half_away(u.total, 2),
        max: c.max_points,
        index: round_half_away(u.index, 2),
        grade: grade_label(band, lang).to_string(),
        grade_band: u.grade,
        color: hex(band.color),
        notes: unit_flags_text(u, c, lang),
    }
}

pub fn card(run: &Run, u: &UnitScore) -> Card {
    let lang = run.lang;
    let c = &run.criteria[u.criteria];
    let flags = |s: &crate::score::Scored| {
        s.flags
            .iter()
            .map(|f| f.label(lang))
            .collect::<Vec<_>>()
            .join("; ")
    };
    // What the unit claimed and why the appraisal changed it, by (part, id).
    let claimed: std::collections::HashMap<(&str, &str), &crate::appraisal::Line> = run
        .appraisal
        .map(|a| {
            a.lines
                .iter()
                .filter(|l| l.unit == u.unit)
                .map(|l| ((l.part, l.id.as_str()), l))
                .collect()
        })
        .unwrap_or_default();
    let self_of = |part: &str, id: &str| {
        claimed.get(&(part, id)).map(|l| {
            (
                round_half_away(l.self_points, 2),
                l.reason
                    .as_ref()
                    .map(|r| r.text.clone())
                    .unwrap_or_default(),
            )
        })
    };
    let mut lines = Vec::new();
    for (ni, n) in c.nodes.iter().enumerate() {
        if !n.applies(&run.registry.units[u.unit].unit_type) {
            continue;
        }
        let leaf = matches!(n.kind, NodeKind::Leaf(_));
        let scored = u.leaves.iter().find(|(i, _)| *i == ni).map(|(_, s)| s);
        let (max, points) = match scored {
            Some(s) => (s.max, s.points),
            None => (u.node_max[ni], u.node_points[ni]),
        };
        lines.push(CardLine {
            id: n.id.clone(),
            name: lang.text(&n.name, n.name_en.as_ref()).to_string(),
            depth: n.id.matches('.').count(),
            leaf,
            max: round_half_away(max, 2),
            points: round_half_away(points, 2),
            lost: round_half_away((max - points).max(0.0), 2),
            value: scored.map(|s| s.raw.clone()).unwrap_or_default(),
            note: scored.map(flags).unwrap_or_default(),
            self_points: self_of("tree", &n.id).map(|x| x.0),
            reason: self_of("tree", &n.id).map(|x| x.1).unwrap_or_default(),
            reason_no: None,
        });
    }
    let mut bonus = Vec::new();
    let mut penalty = Vec::new();
    for (is_pen, ii, s) in &u.items {
        let sec = if *is_pen { &c.penalty } else { &c.bonus };
        let Some(sec) = sec else { continue };
        let it = &sec.items[*ii];
        let line = CardLine {
            id: it.id.clone(),
            name: lang.text(&it.name, it.name_en.as_ref()).to_string(),
            depth: 0,
            leaf: true,
            max: round_half_away(s.max, 2),
            points: round_half_away(s.points, 2),
            lost: 0.0,
            value: s.raw.clone(),
            note: flags(s),
            self_points: self_of(if *is_pen { "penalty" } else { "bonus" }, &it.id).map(|x| x.0),
            reason: self_of(if *is_pen { "penalty" } else { "bonus" }, &it.id)
                .map(|x| x.1)
                .unwrap_or_default(),
            reason_no: None,
        };
        if *is_pen {
            penalty.push(line);
        } else {
            bonus.push(line);
        }
    }
    let mut reasons = Vec::new();
    for l in lines
        .iter_mut()
        .chain(bonus.iter_mut())
        .chain(penalty.iter_mut())
    {
        if !l.reason.is_empty() {
            reasons.push(Footnote {
                no: reasons.len() + 1,
                id: l.id.clone(),
                text: l.reason.clone(),
            });
            l.reason_no = Some(reasons.len());
        }
    }
    Card {
        reasons,
        change: change_row(run, u),
        interval: run.uncertainty.and_then(|f| f.of(u.unit)).map(|x| {
            if x.p05 == x.p95 {
                format!("{}", x.p05)
            } else {
                format!("{}–{}", x.p05, x.p95)
            }
        }),
        p_grade: run
            .uncertainty
            .and_then(|f| f.of(u.unit))
            .map(|x| round_half_away(x.p_grade[x.grade] * 100.0, 1)),
        row: row(run, u),
        self_total: run.appraisal.and_then(|a| {
            a.units
                .iter()
                .find(|g| g.unit == u.unit)
                .map(|g| round_half_away(g.self_total, 2))
        }),
        group: u.group.clone(),
        criteria_name: lang.text(&c.name, c.name_en.as_ref()).to_string(),
        lines,
        bonus,
        penalty,
    }
}

/// How the numbers were made, line by line: per criteria set its file and SHA-256, policies,
/// grade bands, ranking and rounding; the area abbreviations; then every input with its
/// SHA-256 and the tool's version.
pub fn method(run: &Run) -> Vec<MethodLine> {
    let lang = run.lang;
    let mut out = Vec::new();
    let mut line = |label: &str, text: String| {
        out.push(MethodLine {
            label: label.to_string(),
            text,
        })
    };
    for c in run.criteria {
        line(
            lang.pick("Bộ tiêu chí", "Criteria set"),
            lang.text(&c.name, c.name_en.as_ref()).to_string(),
        );
        line(lang.pick("Tệp tiêu chí", "Criteria file"), c.path.clone());
        line("SHA-256", c.sha256.clone());
        line(lang.pick("Năm", "Year"), c.year.to_string());
        if let Some(v) = &c.version {
            line(lang.pick("Phiên bản", "Version"), v.clone());
        }
        if let Some(b) = &c.basis {
            line(lang.pick("Căn cứ", "Legal basis"), b.clone());
        }
        line(
            lang.pick("Loại đơn vị", "Unit types"),
            c.unit_types.join(", "),
        );
        line(lang.pick("Điểm tối đa", "Maximum"), num(c.max_points, lang));
        for a in area_columns(c, lang) {
            line(
                lang.pick("Lĩnh vực", "Area"),
                format!("{} = {}. {} ({})", a.short, a.id, a.name, num(a.max, lang)),
            );
        }
        let missing = match c.policy.missing {
            MissingPolicy::ZeroAndFlag => {
                lang.pick("tính 0 điểm và ghi chú", "scored 0 and flagged")
            }
            MissingPolicy::Error => lang.pick("báo lỗi, không chấm", "an error: nothing is scored"),
        };
        let na = match c.policy.not_applicable {
            NaPolicy::FullPoints => lang.pick("được điểm tối đa", "full points"),
            NaPolicy::Rebase => lang.pick(
                "không tính vào điểm tối đa; điểm quy đổi về thang tối đa",
                "left out of the unit's maximum; points rescaled to the full scale",
            ),
        };
        let survey = match c.policy.survey_absent {
            SurveyAbsent::Rescale => lang.pick(
                "điểm thẩm định quy đổi về thang tối đa",
                "appraisal points rescaled to the full scale",
            ),
            SurveyAbsent::Zero => {
                lang.pick("phần điều tra tính 0 điểm", "the survey part scores 0")
            }
        };
        line(lang.pick("Thiếu dữ liệu", "Missing values"), missing.into());
        line(lang.pick("Không áp dụng", "Not applicable"), na.into());
        line(
            lang.pick("Không có điều tra XHH", "No survey data"),
            survey.into(),
        );
        for g in describe::grades(c, lang).lines().skip(1) {
            line(lang.pick("Xếp loại", "Grades"), g.trim().to_string());
        }
        for m in describe::method(c, lang) {
            line(lang.pick("Xếp hạng và làm tròn", "Ranking and rounding"), m);
        }
    }
    if let Some(y) = year(run) {
        for m in y.method {
            line(
                lang.pick("So sánh với năm trước", "Comparison with last year"),
                m,
            );
        }
    }
    if let Some(f) = run.uncertainty {
        let label = lang.pick("Độ bất định", "Uncertainty");
        line(
            label,
            crate::tr!(
                "{} lần mô phỏng Monte Carlo, hạt giống {} (cùng dữ liệu và hạt giống cho cùng kết quả, với mọi số luồng); mỗi lần chấm lại toàn bộ bằng cùng bộ tiêu chí",
                "{} Monte-Carlo replications, seed {} (the same inputs and seed give the same figures, whatever the threads); each re-scores everything with the same criteria",
                f.replications,
                f.seed
            ),
        );
        for s in &f.sources {
            line(label, s.clone());
        }
        line(
            label,
            crate::tr!(
                "Khoảng thứ hạng: phân vị 5% và 95% của thứ hạng qua các lần mô phỏng; xếp loại chưa chắc chắn khi xác suất giữ xếp loại dưới {}%",
                "Rank interval: the 5th and 95th percentiles of the rank over the replications; a grade is uncertain when its probability is below {}%",
                num(f.level * 100.0, lang)
            ),
        );
    }
    for (f, sha) in &run.inputs {
        line(
            lang.pick("Dữ liệu đầu vào", "Input file"),
            format!("{f} (SHA-256 {sha})"),
        );
    }
    line(
        lang.pick("Công cụ", "Tool"),
        format!("parindex {}", env!("CARGO_PKG_VERSION")),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_comma_only_between_digits() {
        assert_eq!(decimal_comma("(14.5)", Lang::Vi), "(14,5)");
        assert_eq!(
            decimal_comma("so-2025.toml 1.5.", Lang::Vi),
            "so-2025.toml 1,5."
        );
        assert_eq!(decimal_comma("(14.5)", Lang::En), "(14.5)");
        assert_eq!(num(14.5, Lang::Vi), "14,5");
        assert_eq!(num2(98.685, Lang::Vi), "98,69");
    }
}

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
                    cell: l.source.as_ref().map(|s| s.to_string()).unwrap_or_default(),
                }
            })
            .collect(),
        threshold: a.threshold,
    })
}

/// One unit's change since last year, worded as results are published.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// `direct`, `merged`, … (for styling).
    pub kind_code: String,
    pub index: f64,
    pub baseline: Option<f64>,
    pub change: Option<f64>,
    /// "tăng 1,36%".
    pub change_words: String,
    pub rank: String,
    pub prev_rank: String,
    /// "tăng 03 bậc", or why there is no rank change.
    pub rank_words: String,
    pub prev_grade: String,
    pub grade: String,
    /// "▲", "▼", "=" or "".
    pub arrow: String,
    /// One sentence: "đạt 90,02%, tăng 1,36% so với năm 2024; xếp thứ 12/63, tăng 01 bậc".
    pub sentence: String,
}

/// Grade counts this year and for last year's baselines (graded on this year's bands).
#[derive(Debug, Clone, Serialize)]
pub struct GradeChange {
    pub label: String,
    pub color: String,
    pub now: usize,
    pub before: usize,
    pub difference: i64,
}

/// A ranking group's changes.
#[derive(Debug, Clone, Serialize)]
pub struct GroupChange {
    pub label: String,
    pub units: usize,
    pub up: usize,
    pub down: usize,
    pub same: usize,
    pub new: usize,
    pub not_compared: usize,
    pub mean: f64,
    /// Mean of the baselines of the units that have one.
    pub prev_mean: Option<f64>,
    pub rises: Vec<ChangeRow>,
    pub falls: Vec<ChangeRow>,
    pub grades: Vec<GradeChange>,
    /// Sorted by change, largest rise first; units without a change last.
    pub rows: Vec<ChangeRow>,
    /// "xã: 61 tăng, 27 giảm, 6 mới; tăng nhiều nhất Xã A (tăng 6,39%)".
    pub summary: String,
}

/// Last year's comparison as every document shows it.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    /// "2024" or "năm trước".
    pub year: String,
    pub groups: Vec<GroupChange>,
    pub weighted: bool,
    /// How the comparison was made, for the method statement.
    pub method: Vec<String>,
}

fn year_label(cmp: &crate::compare::YearComparison, lang: Lang) -> String {
    match cmp.year {
        Some(y) => format!("{} {y}", lang.pick("năm", "")).trim().to_string(),
        None => lang.pick("năm trước", "last year").to_string(),
    }
}

pub fn change_row(run: &Run, u: &UnitScore) -> Option<ChangeRow> {
    use crate::compare::{change_words, rank_words, Kind, NoRank};
    let cmp = run.comparison?;
    let ch = cmp.of(u.unit)?;
    let lang = run.lang;
    let vi = lang == Lang::Vi;
    let r = row(run, u);
    let year = year_label(cmp, lang);
    let rank_words = match (&ch.rank_change, &ch.no_rank, ch.kind) {
        (Some(x), _, _) => rank_words(*x, vi),
        (None, Some(NoRank::Merged), _) => lang
            .pick(
                "không so sánh thứ hạng (đơn vị hợp nhất)",
                "no rank change (merged unit)",
            )
            .to_string(),
        (None, Some(NoRank::OtherGroup(g)), _) => format!(
            "{} ({} {g})",
            lang.pick("không so sánh thứ hạng", "no rank change"),
            lang.pick("năm trước xếp hạng trong nhóm", "last year ranked among")
        ),
        (None, Some(NoRank::Unranked), _) => lang
            .pick("năm trước không có thứ hạng", "no rank last year")
            .to_string(),
        (None, None, Kind::New) => lang.pick("đơn vị mới", "new unit").to_string(),
        (None, None, _) => String::new(),
    };
    let change_words_ = ch
        .index_change
        .map(|x| change_words(x, vi))
        .unwrap_or_default();
    let reached = format!("{} {}%", lang.pick("đạt", "reached"), num2(r.index, lang));
    let sentence = match ch.index_change {
        Some(_) => {
            let mut s = format!(
                "{reached}, {change_words_} {} {year}",
                lang.pick("so với", "on")
            );
            if ch.kind == Kind::Approximate {
                s.push_str(&format!(" ({})", Kind::Approximate.label(vi)));
            }
            s.push_str(&format!(
                "; {} {}/{}",
                lang.pick("xếp thứ", "ranked"),
                r.rank,
                r.rank_of
            ));
            if ch.rank_change.is_some() {
                s.push_str(&format!(", {rank_words}"));
            }
            s
        }
        None => format!("{reached}; {}", ch.kind.label(vi)),
    };
    Some(ChangeRow {
        code: r.code.clone(),
        name: r.name.clone(),
        kind: ch.kind.label(vi).to_string(),
        kind_code: ch.kind.code().to_string(),
        index: r.index,
        baseline: ch.baseline.map(|b| round_half_away(b, 2)),
        change: ch.index_change,
        change_words: change_words_,
        rank: format!("{}/{}", r.rank, r.rank_of),
        prev_rank: match (ch.prev_rank, ch.prev_rank_of) {
            (Some(a), Some(b)) => format!("{a}/{b}"),
            (Some(a), None) => a.to_string(),
            _ => String::new(),
        },
        rank_words,
        prev_grade: ch.prev_grade.clone().unwrap_or_default(),
        grade: r.grade.clone(),
        arrow: match ch.index_change {
            Some(x) if x > 0.0 => "▲".into(),
            Some(x) if x < 0.0 => "▼".into(),
            Some(_) => "=".into(),
            None => String::new(),
        },
        sentence,
    })
}

pub fn year(run: &Run) -> Option<YearView> {
    use crate::compare::Kind;
    let cmp = run.comparison?;
    let lang = run.lang;
    let mut out = Vec::new();
    for g in groups(run) {
        let units = &run.scores[g.range.clone()];
        let c = &run.criteria[g.criteria];
        let mut rows: Vec<ChangeRow> = units.iter().filter_map(|u| change_row(run, u)).collect();
        let count = |k: Kind| {
            units
                .iter()
                .filter(|u| cmp.of(u.unit).is_some_and(|ch| ch.kind == k))
                .count()
        };
        let changes: Vec<f64> = rows.iter().filter_map(|r| r.change).collect();
        let baselines: Vec<f64> = units
            .iter()
            .filter_map(|u| cmp.of(u.unit).and_then(|ch| ch.baseline))
            .collect();
        rows.sort_by(|a, b| match (a.change, b.change) {
            (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.code.cmp(&b.code)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.code.cmp(&b.code),
        });
        let rises: Vec<ChangeRow> = rows
            .iter()
            .filter(|r| r.change.is_some_and(|x| x > 0.0))
            .take(3)
            .cloned()
            .collect();
        let falls: Vec<ChangeRow> = rows
            .iter()
            .rev()
            .filter(|r| r.change.is_some_and(|x| x < 0.0))
            .take(3)
            .cloned()
            .collect();
        let grades = c
            .grading
            .bands
            .iter()
            .enumerate()
            .map(|(b, band)| {
                let now = units.iter().filter(|u| u.grade == b).count();
                let before = units
                    .iter()
                    .filter(|u| cmp.of(u.unit).and_then(|ch| ch.baseline_band) == Some(b))
                    .count();
                GradeChange {
                    label: grade_label(band, lang).to_string(),
                    color: hex(band.color),
                    now,
                    before,
                    difference: now as i64 - before as i64,
                }
            })
            .collect();
        let up = changes.iter().filter(|x| **x > 0.0).count();
        let down = changes.iter().filter(|x| **x < 0.0).count();
        let same = changes.len() - up - down;
        let new = count(Kind::New);
        let not_compared = count(Kind::NotCompared);
        let mut summary = format!(
            "{}: {up} {}, {down} {}",
            g.label,
            lang.pick("tăng", "up"),
            lang.pick("giảm", "down")
        );
        if same > 0 {
            summary.push_str(&format!(", {same} {}", lang.pick("không đổi", "unchanged")));
        }
        if new > 0 {
            summary.push_str(&format!(", {new} {}", lang.pick("mới", "new")));
        }
        if not_compared > 0 {
            summary.push_str(&format!(
                ", {not_compared} {}",
                lang.pick("không so sánh", "not compared")
            ));
        }
        if let Some(top) = rises.first() {
            summary.push_str(&format!(
                "; {} {} ({})",
                lang.pick("tăng nhiều nhất", "largest rise"),
                top.name,
                top.change_words
            ));
        }
        out.push(GroupChange {
            label: g.label.clone(),
            units: units.len(),
            up,
            down,
            same,
            new,
            not_compared,
            mean: round_half_away(g.mean, 2),
            prev_mean: (!baselines.is_empty()).then(|| {
                round_half_away(baselines.iter().sum::<f64>() / baselines.len() as f64, 2)
            }),
            rises,
            falls,
            grades,
            rows,
            summary,
        });
    }
    let year = year_label(cmp, lang);
    let mut method = vec![
        lang.pick(
            "Chỉ số năm trước của đơn vị mới: bình quân gia quyền chỉ số của các đơn vị tiền thân theo tệp kế thừa",
            "Last year's index of a new unit: the weighted mean of its predecessors' indexes, from the lineage file",
        )
        .to_string()
            + if cmp.weighted {
                lang.pick(" (trọng số khai báo trong tệp).", " (weights as declared in the file).")
            } else {
                lang.pick(" (trọng số bằng nhau).", " (equal weights).")
            },
        lang.pick(
            "Mức thay đổi = chỉ số năm nay − chỉ số năm trước, điểm phần trăm, tính trên số chưa làm tròn, làm tròn 2 chữ số (nửa ra xa số 0).",
            "Change = this year's index − last year's, percentage points, on unrounded values, rounded to 2 decimals (half away from zero).",
        )
        .to_string(),
        lang.pick(
            "Thay đổi thứ hạng chỉ tính cho đơn vị giữ nguyên hoặc đổi tên, xếp hạng trong cùng nhóm cả hai năm.",
            "Rank changes only for units unchanged or renamed, ranked in the same group both years.",
        )
        .to_string(),
        lang.pick(
            "Đơn vị có đơn vị tiền thân chỉ nhập một phần: so sánh gần đúng; đơn vị không có tiền thân có kết quả: mới. Số lượng xếp loại năm trước: xếp loại của chỉ số năm trước theo thang năm nay.",
            "A unit with a predecessor only partly in it: approximate; one with no predecessor with a result: new. Last year's grade counts: last year's index graded on this year's bands.",
        )
        .to_string(),
    ];
    if cmp.skip_approximate {
        method.push(
            lang.pick(
                "Theo tệp lần chạy, đơn vị so sánh gần đúng không được so sánh.",
                "As the run file says, approximate units are not compared.",
            )
            .to_string(),
        );
    }
    Some(YearView {
        year,
        groups: out,
        weighted: cmp.weighted,
        method,
    })
}

/// One unit's line in an award's list.
#[derive(Debug, Clone, Serialize)]
pub struct AwardRow {
    pub scope: String,
    pub rank: String,
    pub code: String,
    pub name: String,
    pub index: f64,
    pub decision: String,
    pub reason: String,
    /// Percent of the uncertainty replications that proposed the unit, when the run has them.
    pub probability: Option<f64>,
}

/// One award as a committee reads it: the rule in words, who is proposed, who goes to a vote,
/// and the units ranked above a proposed one that were not proposed, with the gate.
#[derive(Debug, Clone, Serialize)]
pub struct AwardView {
    pub id: String,
    pub name: String,
    pub rule: String,
    pub proposed: Vec<AwardRow>,
    pub vote: Vec<AwardRow>,
    pub excluded_above: Vec<AwardRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AwardsView {
    pub name: String,
    pub basis: String,
    pub awards: Vec<AwardView>,
}

pub fn awards(run: &Run) -> Option<AwardsView> {
    use crate::awards::Decision;
    let (rules, p) = run.awards?;
    let lang = run.lang;
    let row = |c: &crate::awards::Considered| {
        let u = &run.scores[c.score];
        let unit = &run.registry.units[u.unit];
        AwardRow {
            scope: c.scope.clone(),
            rank: format!("{}/{}", c.rank, c.of),
            code: unit.code.clone(),
            name: unit.name.clone(),
            index: round_half_away(u.index, 2),
            decision: c.decision.label(lang).to_string(),
            reason: c.reason.clone(),
            probability: run
                .uncertainty
                .and_then(|f| f.award_p.get(c.award))
                .map(|v| round_half_away(v[c.score] * 100.0, 1)),
        }
    };
    let awards = rules
        .awards
        .iter()
        .enumerate()
        .map(|(ai, a)| {
            let mine: Vec<&crate::awards::Considered> =
                p.considered.iter().filter(|c| c.award == ai).collect();
            // Per scope, the rank of the last unit proposed (or sent to a vote).
            let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
            for c in &mine {
                if c.decision != Decision::NotProposed {
                    let e = last.entry(c.scope.as_str()).or_default();
                    *e = (*e).max(c.rank);
                }
            }
            AwardView {
                id: a.id.clone(),
                name: lang.text(&a.name, a.name_en.as_ref()).to_string(),
                rule: crate::awards::describe(a, lang),
                proposed: mine
                    .iter()
                    .filter(|c| c.decision == Decision::Proposed)
                    .map(|c| row(c))
                    .collect(),
                vote: mine
                    .iter()
                    .filter(|c| c.decision == Decision::Vote)
                    .map(|c| row(c))
                    .collect(),
                excluded_above: mine
                    .iter()
                    .filter(|c| {
                        c.decision == Decision::NotProposed
                            && c.gated
                            && last.get(c.scope.as_str()).is_some_and(|&r| c.rank < r)
                    })
                    .map(|c| row(c))
                    .collect(),
            }
        })
        .collect();
    Some(AwardsView {
        name: lang.text(&rules.name, rules.name_en.as_ref()).to_string(),
        basis: rules.basis.clone().unwrap_or_default(),
        awards,
    })
}

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
        groups,
    })
}
