//! The sheets later capabilities add to the workbook: the comparison with last year per ranking
//! group, the rank intervals of the uncertainty, one sheet per award, and the self-assessment
//! against the appraisal.

use rust_xlsxwriter::{Chart, ChartFont, ChartFormat, ChartSolidFill, Color, Worksheet, XlsxError};

use super::{fit_row, page_footer, percent_axes, set_widths, Styles, FONT};
use crate::report::view::{self, Header};
use crate::support::i18n::Lang;
use crate::support::numfmt::round_half_away;

/// Column widths (characters) of each sheet, known before the rows are written so that each
/// row can be given the height of its wrapped text.
const YEAR_WIDTHS: [f64; 10] = [10.0, 26.0, 16.0, 11.0, 11.0, 17.0, 8.0, 9.0, 38.0, 18.0];
const UNCERTAINTY_WIDTHS: [f64; 11] = [7.0, 9.0, 26.0, 9.0, 9.0, 9.0, 9.0, 10.0, 12.0, 11.0, 20.0];
const AWARD_WIDTHS: [f64; 7] = [34.0, 7.0, 9.0, 26.0, 11.0, 14.0, 56.0];
const APPRAISAL_WIDTHS: [f64; 7] = [12.0, 44.0, 26.0, 12.0, 24.0, 14.0, 14.0];

/// The change since last year for one ranking group: units sorted by change (arrows and
/// colours), the group's figures, and a chart of this year against last year.
pub(super) fn year_sheet(
    ws: &mut Worksheet,
    sheet: &str,
    y: &view::YearView,
    g: &view::GroupChange,
    lang: Lang,
    tb: &view::TitleBlock,
    st: &Styles,
) -> Result<(), XlsxError> {
    let last_col = 9u16;
    for (i, line) in tb.issuer.iter().enumerate() {
        ws.merge_range(
            i as u32,
            0,
            i as u32,
            2,
            line,
            if i + 1 == tb.issuer.len() {
                &st.issuer_last
            } else {
                &st.issuer
            },
        )?;
    }
    let mut r = tb.issuer.len().max(1) as u32 + 1;
    ws.merge_range(
        r,
        0,
        r,
        last_col,
        &format!(
            "{} {} – {}",
            lang.pick("SO SÁNH VỚI", "COMPARED WITH"),
            y.year.to_uppercase(),
            g.label.to_uppercase()
        ),
        &st.title,
    )?;
    r += 1;
    let mut line = g.summary.clone();
    line.push_str(&format!(
        ". {}: {}%",
        lang.pick("Chỉ số bình quân", "Mean index"),
        view::num2(g.mean, lang)
    ));
    if let Some(p) = g.prev_mean {
        line.push_str(&format!(" ({}: {}%)", y.year, view::num2(p, lang)));
    }
    ws.merge_range(r, 0, r, last_col, &line, &st.subtitle)?;
    if let Some(c) = &g.caveat {
        r += 1;
        ws.merge_range(r, 0, r, last_col, &format!("{c}."), &st.legend)?;
    }
    r += 2;
    let heads = [
        Header::Code.text(lang),
        Header::Unit.text(lang),
        Header::Comparison.text(lang),
        lang.pick("Chỉ số năm nay (%)", "Index this year (%)"),
        &format!("{} {} (%)", lang.pick("Chỉ số", "Index"), y.year),
        Header::Change.text(lang),
        Header::Rank.text(lang),
        &format!("{} {}", Header::Rank.text(lang), y.year),
        Header::RankChange.text(lang),
        Header::Grade.text(lang),
    ];
    for (k, h) in heads.iter().enumerate() {
        ws.write_string_with_format(r, k as u16, *h, &st.header)?;
    }
    ws.set_row_height(r, 30)?;
    let header_row = r;
    let up = st.text.clone().set_font_color(Color::RGB(0x1A7F37));
    let down = st.text.clone().set_font_color(Color::RGB(0xC00000));
    for row in &g.rows {
        r += 1;
        ws.write_string_with_format(r, 0, &row.code, &st.text)?;
        ws.write_string_with_format(r, 1, &row.name, &st.wrap)?;
        ws.write_string_with_format(r, 2, &row.kind, &st.wrap)?;
        ws.write_number_with_format(r, 3, row.index / 100.0, &st.percent)?;
        match row.baseline {
            Some(b) => ws.write_number_with_format(r, 4, b / 100.0, &st.percent)?,
            None => ws.write_blank(r, 4, &st.text)?,
        };
        let f = match row.arrow.as_str() {
            "▲" => &up,
            "▼" => &down,
            _ => &st.text,
        };
        ws.write_string_with_format(
            r,
            5,
            format!("{} {}", row.arrow, row.change_words).trim(),
            f,
        )?;
        ws.write_string_with_format(r, 6, &row.rank, &st.center)?;
        ws.write_string_with_format(r, 7, &row.prev_rank, &st.center)?;
        ws.write_string_with_format(r, 8, &row.rank_words, &st.wrap)?;
        let grade = if !row.prev_grade.is_empty() && row.prev_grade != row.grade {
            format!("{} → {}", row.prev_grade, row.grade)
        } else {
            row.grade.clone()
        };
        ws.write_string_with_format(r, 9, &grade, &st.wrap)?;
        fit_row(
            ws,
            r,
            &YEAR_WIDTHS,
            &[
                (1, &row.name),
                (2, &row.kind),
                (8, &row.rank_words),
                (9, &grade),
            ],
        )?;
    }
    // Grade counts now and last year (last year's index graded on this year's bands).
    r += 2;
    for (k, h) in [
        Header::Grade.text(lang),
        Header::ThisYear.text(lang),
        y.year.as_str(),
        Header::Change.text(lang),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(r, k as u16, *h, &st.header)?;
    }
    for x in &g.grades {
        r += 1;
        ws.write_string_with_format(r, 0, &x.label, &st.text)?;
        ws.write_string_with_format(r, 1, format!("{}/{}", x.now, g.units), &st.center)?;
        ws.write_number_with_format(r, 2, x.before as f64, &st.center)?;
        let d = match x.difference.cmp(&0) {
            std::cmp::Ordering::Greater => format!("{} {}", lang.pick("tăng", "up"), x.difference),
            std::cmp::Ordering::Less => format!("{} {}", lang.pick("giảm", "down"), -x.difference),
            _ => "–".into(),
        };
        ws.write_string_with_format(r, 3, &d, &st.center)?;
    }
    set_widths(ws, &YEAR_WIDTHS)?;
    // This year against last year, for the units with a baseline, beside the table.
    let compared = g.rows.iter().filter(|x| x.baseline.is_some()).count() as u32;
    if compared > 0 {
        let first = header_row + 1;
        let last = header_row + compared;
        let mut chart = Chart::new_bar();
        chart
            .add_series()
            .set_name(y.year.as_str())
            .set_categories((sheet, first, 1, last, 1))
            .set_values((sheet, first, 4, last, 4))
            .set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color("#A6A6A6")),
            );
        chart
            .add_series()
            .set_name(Header::ThisYear.text(lang))
            .set_categories((sheet, first, 1, last, 1))
            .set_values((sheet, first, 3, last, 3))
            .set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color("#4472C4")),
            );
        chart
            .title()
            .set_name(&format!(
                "{} – {} {}",
                g.label,
                lang.pick("năm nay so với", "this year against"),
                y.year
            ))
            .set_font(ChartFont::new().set_name(FONT).set_size(12).set_bold());
        percent_axes(&mut chart, true);
        chart
            .legend()
            .set_position(rust_xlsxwriter::ChartLegendPosition::Top);
        chart
            .set_width(720)
            .set_height((compared * 26 + 120).max(300));
        ws.insert_chart(header_row, last_col + 2, &chart)?;
    }
    ws.set_freeze_panes(header_row + 1, 2)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, r, last_col)?;
    ws.set_repeat_rows(header_row, header_row)?;
    page_footer(ws, lang);
    Ok(())
}

/// One ranking group's uncertainty: the rank interval of every unit (sorted by nominal rank),
/// the probability of being first and of the grade, and a chart of the intervals.
pub(super) fn uncertainty_sheet(
    ws: &mut Worksheet,
    sheet: &str,
    u: &view::UncView,
    g: &view::UncGroup,
    lang: Lang,
    st: &Styles,
) -> Result<(), XlsxError> {
    let last_col = 10u16;
    ws.merge_range(
        0,
        0,
        0,
        last_col,
        &format!(
            "{} – {}",
            lang.pick("ĐỘ TIN CẬY CỦA XẾP HẠNG", "HOW SURE IS THE RANKING"),
            g.label.to_uppercase()
        ),
        &st.title,
    )?;
    ws.merge_range(
        1,
        0,
        1,
        last_col,
        &format!(
            "{} {}, {} {}. {}",
            u.replications,
            lang.pick("lần mô phỏng", "replications"),
            lang.pick("hạt giống", "seed"),
            u.seed,
            u.sources.join("; ")
        ),
        &st.legend,
    )?;
    ws.set_row_height(1, 45)?;
    let h = 3u32;
    let heads = [
        Header::Rank.text(lang),
        Header::Code.text(lang),
        Header::Unit.text(lang),
        Header::MedianRank.text(lang),
        lang.pick("Hạng (5%)", "Rank (5%)"),
        lang.pick("Hạng (95%)", "Rank (95%)"),
        lang.pick("Độ rộng khoảng", "Interval width"),
        Header::PFirst.text(lang),
        Header::Grade.text(lang),
        Header::PGrade.text(lang),
        Header::Notes.text(lang),
    ];
    for (k, x) in heads.iter().enumerate() {
        ws.write_string_with_format(h, k as u16, *x, &st.header)?;
    }
    ws.set_row_height(h, 30)?;
    let pct = st.percent.clone().set_num_format(st.num("0.0%"));
    for (i, r) in g.rows.iter().enumerate() {
        let row = h + 1 + i as u32;
        ws.write_string_with_format(row, 0, format!("{}/{}", r.rank, r.of), &st.center)?;
        ws.write_string_with_format(row, 1, &r.code, &st.text)?;
        ws.write_string_with_format(row, 2, &r.name, &st.wrap)?;
        ws.write_number_with_format(row, 3, r.median as f64, &st.center)?;
        ws.write_number_with_format(row, 4, r.p05 as f64, &st.center)?;
        ws.write_number_with_format(row, 5, r.p95 as f64, &st.center)?;
        // The chart's floating bar: from p05 to p95 inclusive.
        ws.write_number_with_format(row, 6, (r.p95 - r.p05 + 1) as f64, &st.center)?;
        ws.write_number_with_format(row, 7, r.p_first / 100.0, &pct)?;
        ws.write_string_with_format(row, 8, &r.grade, &st.text)?;
        ws.write_number_with_format(row, 9, r.p_grade / 100.0, &pct)?;
        ws.write_string_with_format(
            row,
            10,
            if r.uncertain {
                lang.pick("xếp loại chưa chắc chắn", "uncertain grade")
            } else {
                ""
            },
            &st.text,
        )?;
        fit_row(ws, row, &UNCERTAINTY_WIDTHS, &[(2, &r.name)])?;
    }
    set_widths(ws, &UNCERTAINTY_WIDTHS)?;
    if !g.rows.is_empty() {
        let first = h + 1;
        let last = h + g.rows.len() as u32;
        let mut chart = Chart::new(rust_xlsxwriter::ChartType::BarStacked);
        chart
            .add_series()
            .set_name(lang.pick("Hạng (5%)", "Rank (5%)"))
            .set_categories((sheet, first, 2, last, 2))
            .set_values((sheet, first, 4, last, 4))
            .set_format(ChartFormat::new().set_no_fill().set_no_border());
        chart
            .add_series()
            .set_name(Header::Interval.text(lang))
            .set_categories((sheet, first, 2, last, 2))
            .set_values((sheet, first, 6, last, 6))
            .set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color("#5B9BD5")),
            );
        chart
            .title()
            .set_name(&format!(
                "{} – {}",
                lang.pick("Khoảng thứ hạng 90%", "90% rank intervals"),
                g.label
            ))
            .set_font(ChartFont::new().set_name(FONT).set_size(12).set_bold());
        let font = ChartFont::new().set_name(FONT).set_size(9).clone();
        chart.y_axis().set_reverse().set_font(&font);
        chart.x_axis().set_min(0.0).set_font(&font);
        chart.legend().set_hidden();
        chart
            .set_width(700)
            .set_height((g.rows.len() as u32 * 16 + 120).max(300));
        ws.insert_chart(h, last_col + 2, &chart)?;
    }
    ws.set_freeze_panes(h + 1, 3)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, h + g.rows.len() as u32, last_col)?;
    ws.set_repeat_rows(h, h)?;
    page_footer(ws, lang);
    Ok(())
}

/// One award's proposal: the rule in words, the units proposed (by scope), those referred to
/// the committee's vote, and the units ranked above a proposed one that were not proposed, each
/// with the gate that excluded it.
pub(super) fn award_sheet(
    ws: &mut Worksheet,
    aw: &view::AwardsView,
    a: &view::AwardView,
    lang: Lang,
    st: &Styles,
) -> Result<(), XlsxError> {
    let last_col = 6u16;
    ws.merge_range(
        0,
        0,
        0,
        last_col,
        &format!(
            "{} – {}",
            lang.pick("ĐỀ NGHỊ KHEN THƯỞNG", "AWARD PROPOSALS"),
            a.name.to_uppercase()
        ),
        &st.title,
    )?;
    ws.merge_range(
        1,
        0,
        1,
        last_col,
        format!("{} {}", aw.name, aw.basis).trim(),
        &st.subtitle,
    )?;
    ws.merge_range(
        2,
        0,
        2,
        last_col,
        &format!("{}: {}", lang.pick("Quy định", "Rule"), a.rule),
        &st.legend,
    )?;
    ws.set_row_height(2, 30)?;
    // One table, its header repeated on every printed page; the three lists are label rows
    // inside it (a header per list could not be repeated: a sheet repeats one band of rows).
    let header = 4u32;
    let heads = [
        Header::Scope.text(lang),
        Header::Rank.text(lang),
        Header::Code.text(lang),
        Header::Unit.text(lang),
        Header::Index.text(lang),
        lang.pick("Quyết định", "Decision"),
        Header::Reason.text(lang),
    ];
    for (k, h) in heads.iter().enumerate() {
        ws.write_string_with_format(header, k as u16, *h, &st.header)?;
    }
    ws.set_row_height(header, 30)?;
    let mut r = header;
    for (title, rows) in [
        (lang.pick("Đơn vị được đề nghị", "Proposed"), &a.proposed),
        (
            lang.pick(
                "Đồng hạng tại ngưỡng — hội đồng bỏ phiếu",
                "Tied at the cut — committee vote",
            ),
            &a.vote,
        ),
        (
            lang.pick(
                "Đơn vị xếp trên đơn vị được đề nghị nhưng không được đề nghị",
                "Ranked above a proposed unit but not proposed",
            ),
            &a.excluded_above,
        ),
    ] {
        if rows.is_empty() && title != lang.pick("Đơn vị được đề nghị", "Proposed") {
            continue;
        }
        r += 1;
        ws.merge_range(
            r,
            0,
            r,
            last_col,
            &format!("{title} ({})", rows.len()),
            &st.section,
        )?;
        for x in rows {
            r += 1;
            ws.write_string_with_format(r, 0, &x.scope, &st.wrap)?;
            ws.write_string_with_format(r, 1, &x.rank, &st.center)?;
            ws.write_string_with_format(r, 2, &x.code, &st.text)?;
            ws.write_string_with_format(r, 3, &x.name, &st.wrap)?;
            ws.write_number_with_format(r, 4, x.index / 100.0, &st.percent)?;
            ws.write_string_with_format(r, 5, &x.decision, &st.wrap)?;
            ws.write_string_with_format(r, 6, &x.reason, &st.wrap)?;
            fit_row(
                ws,
                r,
                &AWARD_WIDTHS,
                &[
                    (0, &x.scope),
                    (3, &x.name),
                    (5, &x.decision),
                    (6, &x.reason),
                ],
            )?;
        }
    }
    ws.set_repeat_rows(header, header)?;
    set_widths(ws, &AWARD_WIDTHS)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, r, last_col)?;
    page_footer(ws, lang);
    Ok(())
}

/// The parts of the self-assessment against the appraisal, a sheet each so that each table's
/// header repeats on its printed pages (a sheet repeats one band of rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AppraisalPart {
    /// The means per criteria set, then the units, largest cut first.
    Units,
    /// The criteria, cut most often first.
    Criteria,
    /// The adjustments that have no reason.
    Unexplained,
}

impl AppraisalPart {
    pub(super) const ALL: [AppraisalPart; 3] = [
        AppraisalPart::Units,
        AppraisalPart::Criteria,
        AppraisalPart::Unexplained,
    ];

    /// The sheet's tab.
    pub(super) fn tab(self, lang: Lang) -> &'static str {
        match self {
            AppraisalPart::Units => lang.pick("Thẩm định - đơn vị", "Appraisal - units"),
            AppraisalPart::Criteria => lang.pick("Thẩm định - tiêu chí", "Appraisal - criteria"),
            AppraisalPart::Unexplained => {
                lang.pick("Thẩm định - chưa có lý do", "Appraisal - no reason")
            }
        }
    }

    /// Whether the part has anything to show.
    pub(super) fn shown(self, a: &view::AppraisalView) -> bool {
        match self {
            AppraisalPart::Units => true,
            AppraisalPart::Criteria => !a.criteria.is_empty(),
            AppraisalPart::Unexplained => !a.unexplained.is_empty(),
        }
    }
}

/// One part of the self-assessment against the appraisal: a title, (for the units, the means
/// per criteria set,) and one table whose header repeats on every printed page.
pub(super) fn appraisal_sheet(
    ws: &mut Worksheet,
    a: &view::AppraisalView,
    part: AppraisalPart,
    lang: Lang,
    st: &Styles,
) -> Result<(), XlsxError> {
    let last_col = 6u16;
    ws.merge_range(
        0,
        0,
        0,
        last_col,
        lang.pick(
            "SO SÁNH ĐIỂM TỰ ĐÁNH GIÁ VÀ ĐIỂM THẨM ĐỊNH",
            "SELF-ASSESSED AGAINST APPRAISED POINTS",
        ),
        &st.title,
    )?;
    let mut r = 2u32;
    // A titled table: its title on row `r`, its headers on the next, repeated on every page;
    // returns the header row.
    let table =
        |ws: &mut Worksheet, r: u32, title: &str, heads: &[&str]| -> Result<u32, XlsxError> {
            ws.merge_range(r, 0, r, last_col, title, &st.label)?;
            for (k, h) in heads.iter().enumerate() {
                ws.write_string_with_format(r + 1, k as u16, *h, &st.header)?;
            }
            ws.set_row_height(r + 1, 30)?;
            ws.set_repeat_rows(r + 1, r + 1)?;
            Ok(r + 1)
        };
    match part {
        AppraisalPart::Units => {
            ws.merge_range(r, 0, r, 1, Header::CriteriaSet.text(lang), &st.header)?;
            for (k, h) in [
                Header::Units.text(lang),
                lang.pick("Tự đánh giá bình quân", "Mean self-assessed"),
                lang.pick("Thẩm định bình quân", "Mean appraised"),
                Header::Difference.text(lang),
            ]
            .iter()
            .enumerate()
            {
                ws.write_string_with_format(r, 2 + k as u16, *h, &st.header)?;
            }
            ws.set_row_height(r, 30)?;
            for m in &a.means {
                r += 1;
                ws.merge_range(r, 0, r, 1, &m.set, &st.text)?;
                ws.write_number_with_format(r, 2, m.units as f64, &st.center)?;
                ws.write_number_with_format(r, 3, m.self_mean, &st.points)?;
                ws.write_number_with_format(r, 4, m.mean, &st.points)?;
                let difference = round_half_away(m.mean - m.self_mean, 2);
                ws.write_number_with_format(r, 5, difference, &st.points)?;
            }
            r += 2;
            r = table(
                ws,
                r,
                lang.pick(
                    "Theo đơn vị (chênh lệch lớn nhất trước)",
                    "By unit (largest gap first)",
                ),
                &[
                    Header::Code.text(lang),
                    Header::Unit.text(lang),
                    lang.pick("Loại", "Type"),
                    Header::SelfAssessed.text(lang),
                    Header::Appraised.text(lang),
                    Header::Difference.text(lang),
                    Header::Adjusted.text(lang),
                ],
            )?;
            for g in &a.units {
                r += 1;
                ws.write_string_with_format(r, 0, &g.code, &st.text)?;
                ws.write_string_with_format(r, 1, &g.name, &st.wrap)?;
                ws.write_string_with_format(r, 2, &g.unit_type, &st.wrap)?;
                ws.write_number_with_format(r, 3, g.self_total, &st.points)?;
                ws.write_number_with_format(r, 4, g.total, &st.points)?;
                ws.write_number_with_format(r, 5, g.difference, &st.points)?;
                ws.write_number_with_format(r, 6, g.adjusted as f64, &st.center)?;
                fit_row(ws, r, &APPRAISAL_WIDTHS, &[(1, &g.name), (2, &g.unit_type)])?;
            }
        }
        AppraisalPart::Criteria => {
            r = table(
                ws,
                r,
                lang.pick(
                    "Theo tiêu chí (bị trừ điểm nhiều nhất trước)",
                    "By criterion (cut most often first)",
                ),
                &[
                    Header::CriterionId.text(lang),
                    Header::CriterionName.text(lang),
                    Header::CriteriaSet.text(lang),
                    Header::Units.text(lang),
                    lang.pick("Số đơn vị bị điều chỉnh", "Units adjusted"),
                    lang.pick("Số đơn vị bị trừ", "Units cut"),
                    Header::MeanCut.text(lang),
                ],
            )?;
            for g in &a.criteria {
                r += 1;
                ws.write_string_with_format(r, 0, &g.id, &st.text)?;
                ws.write_string_with_format(r, 1, &g.name, &st.wrap)?;
                ws.write_string_with_format(r, 2, &g.set, &st.wrap)?;
                ws.write_number_with_format(r, 3, g.units as f64, &st.center)?;
                ws.write_number_with_format(r, 4, g.adjusted as f64, &st.center)?;
                ws.write_number_with_format(r, 5, g.cut as f64, &st.center)?;
                ws.write_number_with_format(r, 6, g.mean_cut, &st.points)?;
                fit_row(ws, r, &APPRAISAL_WIDTHS, &[(1, &g.name), (2, &g.set)])?;
            }
        }
        AppraisalPart::Unexplained => {
            r = table(
                ws,
                r,
                &format!(
                    "{} ({})",
                    lang.pick("Điều chỉnh chưa có lý do", "Adjustments without a reason"),
                    a.unexplained.len()
                ),
                &[
                    Header::Code.text(lang),
                    Header::CriterionName.text(lang),
                    Header::CriterionId.text(lang),
                    Header::Difference.text(lang),
                    lang.pick("Ô dữ liệu thẩm định", "Appraised cell"),
                ],
            )?;
            for x in &a.unexplained {
                r += 1;
                ws.write_string_with_format(r, 0, &x.code, &st.text)?;
                ws.write_string_with_format(r, 1, &x.name, &st.wrap)?;
                ws.write_string_with_format(r, 2, &x.id, &st.text)?;
                ws.write_number_with_format(r, 3, x.difference, &st.points)?;
                ws.write_string_with_format(r, 4, &x.cell, &st.wrap)?;
                fit_row(ws, r, &APPRAISAL_WIDTHS, &[(1, &x.name), (4, &x.cell)])?;
            }
        }
    }
    set_widths(ws, &APPRAISAL_WIDTHS)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, r, last_col)?;
    page_footer(ws, lang);
    Ok(())
}
