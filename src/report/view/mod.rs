//! The report view model: what every document for people shows, decided once — ranking groups
//! with their titles, abbreviated area headers and full names, summary statistics, the share
//! of each area's maximum, the title block (issuing body, motto, place and date, signature),
//! the method statement, and one scorecard per unit. The workbook and the HTML report render
//! this; neither decides a label, a title or a statistic of its own. The sections later
//! capabilities add have a module each: `appraisal`, `year`, `awards`, `uncertainty`, `audit`.

use serde::Serialize;

use super::{area_points, unit_flags_text, Run};
use crate::input::criteria::model::{MissingPolicy, NaPolicy, NodeKind, SurveyAbsent};
use crate::input::criteria::Criteria;
use crate::report::words::criteria as describe;
use crate::scoring::score::UnitScore;
use crate::support::i18n::Lang;
use crate::support::numfmt::round_half_away;
pub use crate::support::numfmt::{decimal_comma, num, num2};

mod annex;
mod appraisal;
mod audit;
mod awards;
mod columns;
mod uncertainty;
mod warnings;
mod year;

pub use annex::{annex, annex_number, roman, AnnexRow};
pub use appraisal::{appraisal, AppraisalView, CriterionRow, GapRow, SetMeans, Unexplained};
pub use audit::{audit, title as audit_title, AreaWeight, AuditRow, AuditSetView, AuditView};
pub use awards::{awards, note_words, scope_label, why_words, AwardRow, AwardView, AwardsView};
pub use columns::{ranking_columns, Cell, Column, Field, Header, Kind, ANNEX};
pub use uncertainty::{uncertainty, UncGroup, UncRow, UncView};
pub use warnings::warnings;
pub use year::{
    change_row, comparison_notes, comparison_warnings, year, ChangeRow, GradeChange, GroupChange,
    YearView,
};

/// Everything the documents for people show of a run, built once from its outcome
/// ([`build`]); the workbook, the HTML report, the scorecards and the terminal render it and
/// decide nothing of their own.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub title_block: TitleBlock,
    /// The document title without a group (the run file's, or made from the year).
    pub title: String,
    /// The ranking groups, in report order.
    pub groups: Vec<Group>,
    /// One row per scored unit, in report order: `Group::range` indexes it.
    pub rows: Vec<Row>,
    pub method: Vec<MethodLine>,
    pub year: Option<YearView>,
    pub awards: Option<AwardsView>,
    pub uncertainty: Option<UncView>,
    pub appraisal: Option<AppraisalView>,
    pub audit: Option<AuditView>,
    /// One scorecard per unit in report order, when [`build`] was asked for them (empty
    /// otherwise).
    pub cards: Vec<Card>,
}

/// Build the view of a run; with `cards`, every unit's scorecard too (a national run's 3,321
/// cards are built only when they are written).
pub fn build(run: &Run, cards: bool) -> ReportView {
    let first_year = run.criteria.first().map_or(0, |c| c.year);
    // The comparison is built once: the method statement says how it was made.
    let compared = year::year(run);
    ReportView {
        title_block: title_block(run),
        title: base_title(run, first_year),
        groups: groups(run),
        rows: run.scores.iter().map(|u| row(run, u)).collect(),
        method: method(run, compared.as_ref()),
        year: compared,
        awards: awards::awards(run),
        uncertainty: uncertainty::uncertainty(run),
        appraisal: appraisal::appraisal(run),
        audit: audit::audit(run),
        cards: if cards {
            run.scores.iter().map(|u| card(run, u)).collect()
        } else {
            Vec::new()
        },
    }
}

impl ReportView {
    /// The rows of a group, in rank order.
    pub fn rows_of(&self, g: &Group) -> &[Row] {
        &self.rows[g.range.clone()]
    }
}

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
    /// The first line of a criteria set's block.
    #[serde(skip)]
    pub starts_set: bool,
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
            .position(|u| run.place(u).group != run.place(first).group)
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
                label: b.label_in(lang).to_string(),
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
            label: run.group_label(first),
            title: format!(
                "{} – {}",
                base_title(run, c.year),
                run.group_label(first).to_uppercase()
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
        rank: run.place(u).rank,
        rank_of: run.place(u).of,
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
        grade: band.label_in(lang).to_string(),
        grade_band: u.grade,
        color: hex(band.color),
        notes: unit_flags_text(u, c, lang),
    }
}

pub fn card(run: &Run, u: &UnitScore) -> Card {
    let lang = run.lang;
    let c = &run.criteria[u.criteria];
    let flags = |s: &crate::scoring::score::Scored| {
        s.flags
            .iter()
            .map(|&f| crate::report::words::flag(f, lang))
            .collect::<Vec<_>>()
            .join("; ")
    };
    // What the unit claimed and why the appraisal changed it, by (part, id).
    let claimed: std::collections::HashMap<(&str, &str), &crate::analyses::appraisal::Line> = run
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
            value: scored.map(|s| shown_value(s, lang)).unwrap_or_default(),
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
            value: shown_value(s, lang),
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
        group: run.group_label(u),
        criteria_name: lang.text(&c.name, c.name_en.as_ref()).to_string(),
        lines,
        bonus,
        penalty,
    }
}

/// How the numbers were made, line by line: per criteria set its file and SHA-256, policies,
/// grade bands, ranking and rounding; the area abbreviations; then every input with its
/// SHA-256 and the tool's version.
pub fn method(run: &Run, compared: Option<&YearView>) -> Vec<MethodLine> {
    let lang = run.lang;
    let mut out = Vec::new();
    // Set just before the first line of a criteria set's block.
    let starting = std::cell::Cell::new(false);
    let mut line = |label: &str, text: String| {
        out.push(MethodLine {
            label: label.to_string(),
            text,
            starts_set: starting.replace(false),
        })
    };
    for c in run.criteria {
        starting.set(true);
        line(
            Header::CriteriaSet.text(lang),
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
    if let Some(y) = compared {
        for m in y.method.iter().cloned() {
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
            line(label, uncertainty::source_words(run, s, true));
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
    if run.is_large() {
        let n = crate::support::numfmt::whole(run.scores.len() as u64, lang);
        let max = crate::support::numfmt::whole(crate::report::LARGE_RUN as u64, lang);
        line(
            lang.pick("Điểm chi tiết", "Criterion scores"),
            crate::tr!(
                "điểm từng tiêu chí của {n} đơn vị có trong criterion-scores.csv; với hơn {max} đơn vị, bảng tính này không kèm trang tra cứu (hơn 100.000 dòng)",
                "every criterion score of the {n} units is in criterion-scores.csv; above {max} units this workbook leaves out the look-up sheet (over 100,000 rows)"
            ),
        );
    }
    line(
        lang.pick("Công cụ", "Tool"),
        format!("parindex {}", env!("CARGO_PKG_VERSION")),
    );
    out
}

/// A value as the scorecard shows it: a number in the document's language ("98,72%" where the
/// source wrote "98.72%" or "0.9872" as a fraction), a cell marked not applicable as the short
/// mark offices write (KAD / N/A, whatever words the source used: "Không áp dụng" ran into the
/// notes column, which says it in full), other words (có, không…) as read.
fn shown_value(s: &crate::scoring::score::Scored, lang: Lang) -> String {
    use crate::scoring::score::Flag;
    if s.value.is_none() && s.flags.contains(&Flag::NotApplicable) {
        return lang.pick("KAD", "N/A").to_string();
    }
    match s.value {
        Some(x) if s.raw.bytes().any(|b| b.is_ascii_digit()) => {
            let percent = if s.raw.trim_end().ends_with('%') {
                "%"
            } else {
                ""
            };
            format!("{}{percent}", num(x, lang))
        }
        _ => s.raw.clone(),
    }
}
