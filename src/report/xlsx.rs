//! The workbook for people, print-ready: a ranking sheet per ranking group with the title block
//! (issuing body, motto, place and date, title, signature), abbreviated area headers with a
//! legend, rank written `3/34` (a number with a format, so it sorts), index as a percentage,
//! grade in its colour; A4 landscape at a print scale computed from the column widths (never
//! below 8 pt for the shipped sets), header repeated, "Trang x/y" footer, Times New Roman.
//! Native charts (index by unit coloured by grade; each area's mean share of its maximum) sit
//! beside the table, outside the print area. The criterion-score sheet is for looking things
//! up (its printable form is the scorecards of `report.html`); the method sheet prints on A4
//! with wrapped text. Labels, titles and statistics come from [`super::view`]. The document
//! timestamp is the run file's date (else `SOURCE_DATE_EPOCH`, else a constant): same inputs,
//! same bytes.

use rust_xlsxwriter::{
    Chart, ChartFont, ChartFormat, ChartPoint, ChartSolidFill, Color, DocProperties, ExcelDateTime,
    Format, FormatAlign, FormatBorder, Table, TableColumn, TableStyle, Workbook, Worksheet,
    XlsxError,
};

use super::view::{self, Group};
use super::Run;
use crate::i18n::Lang;
use crate::numfmt::round_half_away;

/// The font of Vietnamese administrative documents.
pub const FONT: &str = "Times New Roman";
/// Body text size (pt) on screen; ranking sheets print fitted to the page width.
pub const FONT_SIZE: f64 = 11.0;

fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE)
}

struct Styles {
    title: Format,
    subtitle: Format,
    issuer: Format,
    issuer_last: Format,
    motto: Format,
    motto_last: Format,
    date: Format,
    header: Format,
    points: Format,
    percent: Format,
    text: Format,
    wrap: Format,
    center: Format,
    bold: Format,
    plain: Format,
    legend: Format,
    sign: Format,
    label: Format,
}

impl Styles {
    fn new() -> Styles {
        let cell = base()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let centered = base().set_align(FormatAlign::Center);
        Styles {
            title: base()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            subtitle: base().set_italic().set_align(FormatAlign::Center),
            issuer: centered.clone(),
            issuer_last: centered
                .clone()
                .set_bold()
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            motto: centered.clone().set_bold(),
            motto_last: centered
                .clone()
                .set_bold()
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            date: centered.clone().set_italic(),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xDDEBF7)),
            points: cell.clone().set_num_format("0.00"),
            percent: cell.clone().set_num_format("0.00%"),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            center: cell.set_align(FormatAlign::Center),
            bold: base()
                .set_bold()
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            plain: base().set_align(FormatAlign::Top).set_text_wrap(),
            legend: base()
                .set_italic()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            sign: centered.set_bold(),
            label: base().set_bold(),
        }
    }
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(base: &str, used: &mut Vec<String>) -> String {
    let clean: String = base
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let mut name: String = clean.chars().take(31).collect();
    let mut i = 2;
    while used.iter().any(|u| u.to_lowercase() == name.to_lowercase()) {
        let suffix = format!(" ({i})");
        name = clean
            .chars()
            .take(31 - suffix.chars().count())
            .collect::<String>()
            + &suffix;
        i += 1;
    }
    used.push(name.clone());
    name
}

/// The document's creation time: the run file's date, else `SOURCE_DATE_EPOCH` (the
/// reproducible-builds convention), else 1 January 2000 — never the clock.
fn creation_time(run: &Run) -> ExcelDateTime {
    let constant = || ExcelDateTime::from_ymd(2000, 1, 1).expect("a valid date");
    if let Some(d) = run.report.date {
        return ExcelDateTime::from_ymd(d.year, d.month, d.day).unwrap_or_else(|_| constant());
    }
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|t| ExcelDateTime::from_timestamp(t).ok())
        .unwrap_or_else(constant)
}

pub fn workbook(run: &Run) -> Result<Vec<u8>, XlsxError> {
    let lang = run.lang;
    let st = Styles::new();
    let mut wb = Workbook::new();
    wb.set_default_format(&base(), 20, 64)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(view::base_title(
                run,
                run.criteria.first().map_or(0, |c| c.year),
            ))
            .set_author("parindex")
            .set_creation_datetime(&creation_time(run)),
    );
    // Deflate at level 6 was a third of a national-scale run; level 1 costs ~20% in file size.
    wb.set_zip_compression_level(1);
    let mut used = Vec::new();
    let title = view::title_block(run);
    for g in view::groups(run) {
        let name = sheet_name(
            &format!("{} - {}", lang.pick("Xếp hạng", "Ranking"), g.label),
            &mut used,
        );
        let ws = wb.add_worksheet().set_name(&name)?;
        ranking_sheet(ws, &name, run, &g, &title, &st)?;
    }
    if let Some(y) = view::year(run) {
        for g in &y.groups {
            let name = sheet_name(
                &format!("{} - {}", lang.pick("So sánh", "Change"), g.label),
                &mut used,
            );
            let ws = wb.add_worksheet().set_name(&name)?;
            year_sheet(ws, &name, &y, g, lang, &title, &st)?;
        }
    }
    if let Some(u) = view::uncertainty(run) {
        for g in &u.groups {
            let name = sheet_name(
                &format!("{} - {}", lang.pick("Độ tin cậy", "Uncertainty"), g.label),
                &mut used,
            );
            uncertainty_sheet(wb.add_worksheet().set_name(&name)?, &name, &u, g, lang, &st)?;
        }
    }
    if let Some(aw) = view::awards(run) {
        for a in &aw.awards {
            let name = sheet_name(
                &format!("{} - {}", lang.pick("Đề nghị KT", "Awards"), a.id),
                &mut used,
            );
            award_sheet(wb.add_worksheet().set_name(&name)?, &aw, a, lang, &st)?;
        }
    }
    if let Some(a) = view::appraisal(run) {
        let name = sheet_name(
            lang.pick("Tự đánh giá – Thẩm định", "Self vs appraisal"),
            &mut used,
        );
        appraisal_sheet(wb.add_worksheet().set_name(&name)?, &a, lang, &st)?;
    }
    let name = sheet_name(lang.pick("Điểm chi tiết", "Criterion scores"), &mut used);
    // Constant-memory mode streams the 160,000 detail rows of a national run instead of
    // keeping a cell table: it halved the time of the whole command.
    detail_sheet(
        wb.add_worksheet_with_constant_memory()?.set_name(&name)?,
        run,
        &st,
    )?;
    let name = sheet_name(lang.pick("Phương pháp", "Method"), &mut used);
    method_sheet(wb.add_worksheet().set_name(&name)?, run, &st)?;
    wb.save_to_buffer()
}

/// "Trang 3/7" centred in the footer, in the document font.
fn page_footer(ws: &mut Worksheet, lang: Lang) {
    ws.set_footer(format!(
        "&C&\"{FONT},Regular\"&10{} &P/&N",
        lang.pick("Trang", "Page")
    ));
}

/// Column widths (characters of the default font) of a ranking sheet.
pub fn ranking_widths(g: &Group, codes: &[&str], names: &[&str], blocs: &[&str]) -> Vec<f64> {
    let longest = |v: &[&str]| v.iter().map(|s| s.chars().count()).max().unwrap_or(0) as f64;
    let mut w = vec![
        6.0,                                      // rank "12/94"
        (longest(codes) + 1.0).clamp(6.0, 12.0),  // code
        (longest(names) + 1.0).clamp(14.0, 26.0), // name, wrapped beyond
        (longest(blocs) + 1.0).clamp(8.0, 24.0),  // bloc, wrapped beyond
    ];
    w.extend(g.areas.iter().map(|_| 6.5));
    w.extend([6.5, 6.5, 7.5, 7.5, 10.0, 26.0]);
    w
}

/// Lines a text takes in a wrapped column of `width` characters (word wrap, a little slack for
/// proportional type).
fn wrapped_lines(text: &str, width: f64) -> usize {
    let room = (width * 1.15).floor().max(1.0) as usize;
    let mut lines = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if used == 0 {
            used = n;
        } else if used + 1 + n <= room {
            used += 1 + n;
        } else {
            lines += 1;
            used = n;
        }
    }
    lines
}

fn ranking_sheet(
    ws: &mut Worksheet,
    sheet: &str,
    run: &Run,
    g: &Group,
    tb: &view::TitleBlock,
    st: &Styles,
) -> Result<(), XlsxError> {
    let lang = run.lang;
    let units = &run.scores[g.range.clone()];
    let rows: Vec<view::Row> = units.iter().map(|u| view::row(run, u)).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let blocs: Vec<&str> = rows.iter().map(|r| r.bloc.as_str()).collect();
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let widths = ranking_widths(g, &codes, &names, &blocs);
    let last_col = (widths.len() - 1) as u16;
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }

    // Title block: issuing body on the left, the motto on the right, then place and date.
    let left_end = 3u16;
    let right_start = last_col.saturating_sub(5).max(left_end + 1);
    let top = tb.issuer.len().max(2) as u32;
    for (i, line) in tb.issuer.iter().enumerate() {
        let f = if i + 1 == tb.issuer.len() {
            &st.issuer_last
        } else {
            &st.issuer
        };
        ws.merge_range(i as u32, 0, i as u32, left_end, line, f)?;
    }
    for (i, line) in tb.motto.iter().enumerate() {
        let f = if i == 1 { &st.motto_last } else { &st.motto };
        ws.merge_range(i as u32, right_start, i as u32, last_col, line, f)?;
    }
    let mut r = top;
    if let Some(d) = &tb.date_line {
        ws.merge_range(r, right_start, r, last_col, d, &st.date)?;
    }
    r += 2;
    ws.merge_range(r, 0, r, last_col, &g.title, &st.title)?;
    ws.set_row_height(r, 36)?;
    r += 1;
    ws.merge_range(r, 0, r, last_col, &g.subtitle, &st.subtitle)?;
    r += 2;

    // The ranking table.
    let header_row = r;
    let mut headers: Vec<String> = vec![
        lang.pick("Hạng", "Rank").into(),
        lang.pick("Mã", "Code").into(),
        lang.pick("Tên đơn vị", "Unit").into(),
        lang.pick("Khối thi đua", "Bloc").into(),
    ];
    for a in &g.areas {
        headers.push(format!("{}\n({})", a.short, view::num(a.max, lang)));
    }
    headers.extend(
        [
            lang.pick("Điểm thưởng", "Bonus"),
            lang.pick("Điểm trừ", "Penalty"),
            lang.pick("Tổng điểm", "Total points"),
            lang.pick("Chỉ số CCHC (%)", "PAR Index (%)"),
            lang.pick("Xếp loại", "Grade"),
            lang.pick("Ghi chú", "Notes"),
        ]
        .map(String::from),
    );
    let last_row = header_row + rows.len() as u32;
    let cols: Vec<TableColumn> = headers
        .iter()
        .map(|h| {
            TableColumn::new()
                .set_header(h)
                .set_header_format(&st.header)
        })
        .collect();
    let table = Table::new()
        .set_style(TableStyle::Light1)
        .set_columns(&cols);
    ws.add_table(header_row, 0, last_row, last_col, &table)?;
    ws.set_row_height(header_row, 48)?;
    let c = &run.criteria[g.criteria];
    let grade_formats: Vec<Format> = c
        .grading
        .bands
        .iter()
        .map(|b| match b.color {
            Some(rgb) => st.center.clone().set_background_color(Color::RGB(rgb)),
            None => st.center.clone(),
        })
        .collect();
    // The rank stays a number, shown "3/34" by its format, so the column sorts (as text
    // "10/34" would sort before "2/34").
    let rank_format = st
        .center
        .clone()
        .set_num_format(format!("0\"/{}\"", g.units));
    let first_area = 4u16;
    let b = first_area + g.areas.len() as u16;
    for (i, row) in rows.iter().enumerate() {
        let r = header_row + 1 + i as u32;
        ws.write_number_with_format(r, 0, row.rank as f64, &rank_format)?;
        ws.write_string_with_format(r, 1, &row.code, &st.text)?;
        ws.write_string_with_format(r, 2, &row.name, &st.wrap)?;
        ws.write_string_with_format(r, 3, &row.bloc, &st.wrap)?;
        for (k, p) in row.areas.iter().enumerate() {
            ws.write_number_with_format(r, first_area + k as u16, *p, &st.points)?;
        }
        ws.write_number_with_format(r, b, row.bonus, &st.points)?;
        ws.write_number_with_format(r, b + 1, row.penalty, &st.points)?;
        ws.write_number_with_format(r, b + 2, row.total, &st.points)?;
        ws.write_number_with_format(r, b + 3, row.index / 100.0, &st.percent)?;
        ws.write_string_with_format(r, b + 4, &row.grade, &grade_formats[row.grade_band])?;
        ws.write_string_with_format(r, b + 5, &row.notes, &st.wrap)?;
        // Wrapped cells get the height of their longest text (LibreOffice does not grow rows
        // written with a height, and Excel only on edit).
        let lines = [
            (&row.name, widths[2]),
            (&row.bloc, widths[3]),
            (&row.notes, widths[last_col as usize]),
        ]
        .iter()
        .map(|(t, w)| wrapped_lines(t, *w))
        .max()
        .unwrap_or(1);
        ws.set_row_height(r, 15.0 * lines as f64)?;
    }

    // Legend of the abbreviated headers, then the signature block.
    let mut r = last_row + 2;
    let legend: Vec<String> = g
        .areas
        .iter()
        .map(|a| format!("{}: {} ({})", a.short, a.name, view::num(a.max, lang)))
        .collect();
    let legend = format!(
        "{} {}",
        lang.pick("Ghi chú cột:", "Columns:"),
        legend.join("; ")
    );
    ws.merge_range(r, 0, r, last_col, &legend, &st.legend)?;
    ws.set_row_height(
        r,
        15.0 * (1.0 + legend.chars().count() as f64 / 170.0).ceil(),
    )?;
    r += 2;
    let sign_rows = tb.signature_lines.len() + tb.signer.as_ref().map_or(0, |_| 3);
    for (i, line) in tb.signature_lines.iter().enumerate() {
        ws.merge_range(
            r + i as u32,
            right_start,
            r + i as u32,
            last_col,
            line,
            &st.sign,
        )?;
    }
    if let Some(name) = &tb.signer {
        let at = r + tb.signature_lines.len() as u32 + 2;
        ws.merge_range(at, right_start, at, last_col, name, &st.sign)?;
    }
    let print_end = r + sign_rows as u32;

    // Charts beside the table, outside the print area: for the screen and the projector.
    let chart_col = last_col + 2;
    index_chart(ws, sheet, run, g, &rows, header_row, chart_col)?;
    area_chart(ws, sheet, g, lang, header_row, chart_col, st)?;

    ws.set_freeze_panes(header_row + 1, 3)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    // Fit the width (the widths above keep the scale near 80%: 11 pt prints at about 9 pt);
    // rows flow onto as many pages as needed.
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_print_area(0, 0, print_end, last_col)?;
    ws.set_repeat_rows(header_row, header_row)?;
    page_footer(ws, lang);
    Ok(())
}

/// Axes in the document font, values as percentages from 0 to 100 %.
/// In a bar chart (horizontal bars) the x axis is the value axis and the categories run down
/// the y axis, first at the top.
fn percent_axes(chart: &mut Chart, horizontal: bool) {
    let font = ChartFont::new().set_name(FONT).set_size(9).clone();
    let value_axis = if horizontal {
        chart.x_axis()
    } else {
        chart.y_axis()
    };
    value_axis
        .set_num_format("0%")
        .set_min(0.0)
        .set_max(1.0)
        .set_font(&font);
    let category_axis = if horizontal {
        chart.y_axis().set_reverse()
    } else {
        chart.x_axis()
    };
    category_axis.set_font(&font);
}

/// The index by unit as sorted bars (rank 1 on top), each bar in its grade's colour.
fn index_chart(
    ws: &mut Worksheet,
    sheet: &str,
    run: &Run,
    g: &Group,
    rows: &[view::Row],
    header_row: u32,
    col: u16,
) -> Result<(), XlsxError> {
    let lang = run.lang;
    let first = header_row + 1;
    let last = header_row + rows.len() as u32;
    let index_col = 4 + g.areas.len() as u16 + 3;
    let points: Vec<ChartPoint> = rows
        .iter()
        .map(|r| {
            ChartPoint::new().set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(r.color.as_str())),
            )
        })
        .collect();
    let mut chart = Chart::new_bar();
    chart
        .add_series()
        .set_name(lang.pick("Chỉ số CCHC (%)", "PAR Index (%)"))
        .set_categories((sheet, first, 2, last, 2))
        .set_values((sheet, first, index_col, last, index_col))
        .set_points(&points)
        .set_format(
            ChartFormat::new().set_border(rust_xlsxwriter::ChartLine::new().set_color("#808080")),
        )
        .set_gap(40);
    chart
        .title()
        .set_name(&format!(
            "{} – {}",
            lang.pick("Chỉ số CCHC theo đơn vị", "PAR Index by unit"),
            g.label
        ))
        .set_font(ChartFont::new().set_name(FONT).set_size(12).set_bold());
    percent_axes(&mut chart, true);
    chart.legend().set_hidden();
    chart
        .set_width(760)
        .set_height((rows.len() as u32 * 18 + 120).max(300));
    ws.insert_chart(header_row, col, &chart)?;
    Ok(())
}

/// Each area's mean points as a share of its maximum, from a small table written beside it.
fn area_chart(
    ws: &mut Worksheet,
    sheet: &str,
    g: &Group,
    lang: Lang,
    header_row: u32,
    col: u16,
    st: &Styles,
) -> Result<(), XlsxError> {
    // Below the index chart's anchor column, 12 columns to the right.
    let c0 = col + 13;
    let r0 = header_row;
    let heads = [
        lang.pick("Lĩnh vực", "Area"),
        lang.pick("Tên lĩnh vực", "Area name"),
        lang.pick("Điểm bình quân", "Mean points"),
        lang.pick("Điểm tối đa", "Maximum"),
        lang.pick("Tỷ lệ so với tối đa", "Share of maximum"),
    ];
    for (k, h) in heads.iter().enumerate() {
        ws.write_string_with_format(r0, c0 + k as u16, *h, &st.header)?;
    }
    for (i, a) in g.area_shares.iter().enumerate() {
        let r = r0 + 1 + i as u32;
        ws.write_string_with_format(r, c0, &a.short, &st.text)?;
        ws.write_string_with_format(r, c0 + 1, &a.name, &st.text)?;
        ws.write_number_with_format(r, c0 + 2, round_half_away(a.mean, 2), &st.points)?;
        ws.write_number_with_format(r, c0 + 3, a.max, &st.points)?;
        ws.write_number_with_format(r, c0 + 4, round_half_away(a.share, 2) / 100.0, &st.percent)?;
    }
    let last = r0 + g.area_shares.len() as u32;
    let mut chart = Chart::new_column();
    chart
        .add_series()
        .set_name(heads[4])
        .set_categories((sheet, r0 + 1, c0, last, c0))
        .set_values((sheet, r0 + 1, c0 + 4, last, c0 + 4))
        .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color("#4472C4")));
    chart
        .title()
        .set_name(&format!(
            "{} – {}",
            lang.pick(
                "Điểm bình quân theo lĩnh vực so với điểm tối đa",
                "Mean points per area as a share of its maximum"
            ),
            g.label
        ))
        .set_font(ChartFont::new().set_name(FONT).set_size(12).set_bold());
    percent_axes(&mut chart, false);
    chart.legend().set_hidden();
    chart.set_width(640).set_height(340);
    ws.insert_chart(last + 2, c0, &chart)?;
    ws.set_column_width(c0 + 1, 30)?;
    Ok(())
}

/// The change since last year for one ranking group: units sorted by change (arrows and
/// colours), the group's figures, and a chart of this year against last year.
fn year_sheet(
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
    r += 2;
    let heads = [
        lang.pick("Mã", "Code"),
        lang.pick("Tên đơn vị", "Unit"),
        lang.pick("So sánh", "Comparison"),
        lang.pick("Chỉ số năm nay (%)", "Index this year (%)"),
        &format!("{} {} (%)", lang.pick("Chỉ số", "Index"), y.year),
        lang.pick("Thay đổi", "Change"),
        lang.pick("Hạng", "Rank"),
        &format!("{} {}", lang.pick("Hạng", "Rank"), y.year),
        lang.pick("Thứ hạng", "Rank change"),
        lang.pick("Xếp loại", "Grade"),
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
        ws.write_string_with_format(r, 1, &row.name, &st.text)?;
        ws.write_string_with_format(r, 2, &row.kind, &st.text)?;
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
        ws.write_string_with_format(r, 8, &row.rank_words, &st.text)?;
        let grade = if !row.prev_grade.is_empty() && row.prev_grade != row.grade {
            format!("{} → {}", row.prev_grade, row.grade)
        } else {
            row.grade.clone()
        };
        ws.write_string_with_format(r, 9, &grade, &st.text)?;
    }
    // Grade counts now and last year (last year's index graded on this year's bands).
    r += 2;
    for (k, h) in [
        lang.pick("Xếp loại", "Grade"),
        lang.pick("Năm nay", "This year"),
        y.year.as_str(),
        lang.pick("Thay đổi", "Change"),
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
    for (c, w) in [10.0, 26.0, 16.0, 11.0, 11.0, 17.0, 8.0, 9.0, 30.0, 18.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
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
            .set_name(lang.pick("Năm nay", "This year"))
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
fn uncertainty_sheet(
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
        lang.pick("Hạng", "Rank"),
        lang.pick("Mã", "Code"),
        lang.pick("Tên đơn vị", "Unit"),
        lang.pick("Hạng trung vị", "Median rank"),
        lang.pick("Hạng (5%)", "Rank (5%)"),
        lang.pick("Hạng (95%)", "Rank (95%)"),
        lang.pick("Độ rộng khoảng", "Interval width"),
        lang.pick("Xác suất đứng đầu", "P(first)"),
        lang.pick("Xếp loại", "Grade"),
        lang.pick("Xác suất giữ xếp loại", "P(grade)"),
        lang.pick("Ghi chú", "Note"),
    ];
    for (k, x) in heads.iter().enumerate() {
        ws.write_string_with_format(h, k as u16, *x, &st.header)?;
    }
    ws.set_row_height(h, 30)?;
    let pct = st.percent.clone().set_num_format("0.0%");
    for (i, r) in g.rows.iter().enumerate() {
        let row = h + 1 + i as u32;
        ws.write_string_with_format(row, 0, format!("{}/{}", r.rank, r.of), &st.center)?;
        ws.write_string_with_format(row, 1, &r.code, &st.text)?;
        ws.write_string_with_format(row, 2, &r.name, &st.text)?;
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
    }
    for (c, w) in [7.0, 9.0, 26.0, 9.0, 9.0, 9.0, 9.0, 10.0, 12.0, 11.0, 20.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
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
            .set_name(lang.pick("Khoảng hạng 90%", "90% rank interval"))
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
fn award_sheet(
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
    let mut r = 4u32;
    let heads = [
        lang.pick("Phạm vi", "Scope"),
        lang.pick("Hạng", "Rank"),
        lang.pick("Mã", "Code"),
        lang.pick("Tên đơn vị", "Unit"),
        lang.pick("Chỉ số CCHC (%)", "PAR Index (%)"),
        lang.pick("Quyết định", "Decision"),
        lang.pick("Lý do", "Reason"),
    ];
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
        ws.write_string_with_format(r, 0, format!("{title} ({})", rows.len()), &st.label)?;
        r += 1;
        for (k, h) in heads.iter().enumerate() {
            ws.write_string_with_format(r, k as u16, *h, &st.header)?;
        }
        ws.set_row_height(r, 30)?;
        for x in rows {
            r += 1;
            ws.write_string_with_format(r, 0, &x.scope, &st.text)?;
            ws.write_string_with_format(r, 1, &x.rank, &st.center)?;
            ws.write_string_with_format(r, 2, &x.code, &st.text)?;
            ws.write_string_with_format(r, 3, &x.name, &st.text)?;
            ws.write_number_with_format(r, 4, x.index / 100.0, &st.percent)?;
            ws.write_string_with_format(r, 5, &x.decision, &st.text)?;
            ws.write_string_with_format(r, 6, &x.reason, &st.wrap)?;
        }
        r += 2;
    }
    for (c, w) in [24.0, 7.0, 9.0, 28.0, 11.0, 14.0, 60.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, r, last_col)?;
    page_footer(ws, lang);
    Ok(())
}

/// Self-assessed against appraised: per unit (largest cut first), per criterion (most often
/// cut first), and the adjustments that have no reason.
fn appraisal_sheet(
    ws: &mut Worksheet,
    a: &view::AppraisalView,
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
    // A titled table: its title on row `r`, its headers on the next; returns the header row.
    let section =
        |ws: &mut Worksheet, r: u32, title: &str, heads: &[&str]| -> Result<u32, XlsxError> {
            ws.write_string_with_format(r, 0, title, &st.label)?;
            for (k, h) in heads.iter().enumerate() {
                ws.write_string_with_format(r + 1, k as u16, *h, &st.header)?;
            }
            ws.set_row_height(r + 1, 30)?;
            Ok(r + 1)
        };
    ws.merge_range(
        r,
        0,
        r,
        1,
        lang.pick("Bộ tiêu chí", "Criteria set"),
        &st.header,
    )?;
    for (k, h) in [
        lang.pick("Số đơn vị", "Units"),
        lang.pick("Tự đánh giá bình quân", "Mean self-assessed"),
        lang.pick("Thẩm định bình quân", "Mean appraised"),
        lang.pick("Chênh lệch", "Difference"),
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
        ws.write_number_with_format(r, 5, round_half_away(m.mean - m.self_mean, 2), &st.points)?;
    }
    r += 2;
    r = section(
        ws,
        r,
        lang.pick(
            "Theo đơn vị (chênh lệch lớn nhất trước)",
            "By unit (largest gap first)",
        ),
        &[
            lang.pick("Mã", "Code"),
            lang.pick("Tên đơn vị", "Unit"),
            lang.pick("Loại", "Type"),
            lang.pick("Tự đánh giá", "Self-assessed"),
            lang.pick("Thẩm định", "Appraised"),
            lang.pick("Chênh lệch", "Difference"),
            lang.pick("Số tiêu chí điều chỉnh", "Criteria adjusted"),
        ],
    )?;
    for g in &a.units {
        r += 1;
        ws.write_string_with_format(r, 0, &g.code, &st.text)?;
        ws.write_string_with_format(r, 1, &g.name, &st.text)?;
        ws.write_string_with_format(r, 2, &g.unit_type, &st.text)?;
        ws.write_number_with_format(r, 3, g.self_total, &st.points)?;
        ws.write_number_with_format(r, 4, g.total, &st.points)?;
        ws.write_number_with_format(r, 5, g.difference, &st.points)?;
        ws.write_number_with_format(r, 6, g.adjusted as f64, &st.center)?;
    }
    r += 2;
    r = section(
        ws,
        r,
        lang.pick(
            "Theo tiêu chí (bị trừ điểm nhiều nhất trước)",
            "By criterion (cut most often first)",
        ),
        &[
            lang.pick("Mã tiêu chí", "Criterion"),
            lang.pick("Tên tiêu chí", "Name"),
            lang.pick("Bộ tiêu chí", "Criteria set"),
            lang.pick("Số đơn vị", "Units"),
            lang.pick("Số đơn vị bị điều chỉnh", "Units adjusted"),
            lang.pick("Số đơn vị bị trừ", "Units cut"),
            lang.pick("Điểm trừ bình quân", "Mean cut"),
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
    }
    if !a.unexplained.is_empty() {
        r += 2;
        r = section(
            ws,
            r,
            &format!(
                "{} ({})",
                lang.pick("Điều chỉnh chưa có lý do", "Adjustments without a reason"),
                a.unexplained.len()
            ),
            &[
                lang.pick("Mã", "Code"),
                lang.pick("Tên tiêu chí", "Criterion"),
                lang.pick("Mã tiêu chí", "Criterion id"),
                lang.pick("Chênh lệch", "Difference"),
                lang.pick("Ô dữ liệu thẩm định", "Appraised cell"),
            ],
        )?;
        for x in &a.unexplained {
            r += 1;
            ws.write_string_with_format(r, 0, &x.code, &st.text)?;
            ws.write_string_with_format(r, 1, &x.name, &st.wrap)?;
            ws.write_string_with_format(r, 2, &x.id, &st.text)?;
            ws.write_number_with_format(r, 3, x.difference, &st.points)?;
            ws.write_string_with_format(r, 4, &x.cell, &st.text)?;
        }
    }
    for (c, w) in [12.0, 44.0, 26.0, 12.0, 14.0, 14.0, 14.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, r, last_col)?;
    page_footer(ws, lang);
    Ok(())
}

fn detail_sheet(ws: &mut Worksheet, run: &Run, st: &Styles) -> Result<(), XlsxError> {
    let lang = run.lang;
    let headers = [
        lang.pick("Mã đơn vị", "Unit code"),
        lang.pick("Tên đơn vị", "Unit name"),
        lang.pick("Mã tiêu chí", "Criterion"),
        lang.pick("Tên tiêu chí", "Criterion name"),
        lang.pick("Giá trị", "Value"),
        lang.pick("Điểm", "Points"),
        lang.pick("Điểm tối đa", "Max"),
        lang.pick("Ghi chú", "Notes"),
        lang.pick("Nguồn", "Source"),
    ];
    for (c, w) in [12, 30, 10, 60, 12, 8, 10, 24, 40].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &st.header)?;
    }
    // This sheet is for looking things up (160,000 rows at national scale); its printable
    // form is the scorecards of report.html. Printing it prints this note only.
    let note_col = headers.len() as u16 + 1;
    ws.write_string_with_format(
        0,
        note_col,
        lang.pick(
            "Bảng tra cứu, không dùng để in: bản in theo từng đơn vị là phiếu kết quả trong report.html.",
            "For looking up, not for printing: the printable form per unit is the scorecard in report.html.",
        ),
        &st.legend,
    )?;
    let plain = base();
    let points = base().set_num_format("0.00");
    let mut r = 0u32;
    for u in run.scores {
        let c = &run.criteria[u.criteria];
        let unit = &run.registry.units[u.unit];
        let rows = u.leaves.iter().map(|(ni, s)| {
            let n = &c.nodes[*ni];
            (n.id.as_str(), lang.text(&n.name, n.name_en.as_ref()), s)
        });
        let items = u.items.iter().map(|(is_pen, ii, s)| {
            let sec = if *is_pen {
                c.penalty.as_ref()
            } else {
                c.bonus.as_ref()
            }
            .expect("section");
            let it = &sec.items[*ii];
            (it.id.as_str(), lang.text(&it.name, it.name_en.as_ref()), s)
        });
        for (id, name, s) in rows.chain(items) {
            r += 1;
            ws.write_string_with_format(r, 0, &unit.code, &plain)?;
            ws.write_string_with_format(r, 1, &unit.name, &plain)?;
            ws.write_string_with_format(r, 2, id, &plain)?;
            ws.write_string_with_format(r, 3, name, &plain)?;
            match s.value {
                Some(v) => ws.write_number_with_format(r, 4, v, &plain)?,
                None => ws.write_string_with_format(r, 4, &s.raw, &plain)?,
            };
            ws.write_number_with_format(r, 5, round_half_away(s.points, 2), &points)?;
            ws.write_number_with_format(r, 6, s.max, &plain)?;
            let flags: Vec<&str> = s.flags.iter().map(|f| f.label(lang)).collect();
            ws.write_string_with_format(r, 7, flags.join("; "), &plain)?;
            ws.write_string_with_format(
                r,
                8,
                s.source.as_ref().map(|x| x.to_string()).unwrap_or_default(),
                &plain,
            )?;
        }
    }
    // A row per unit and leaf (160,000 at national scale): an autofilter and fixed widths,
    // because a Table and autofit here cost more than all the rest of the run.
    ws.autofilter(0, 0, r, (headers.len() - 1) as u16)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(note_col, 60)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_area(0, note_col, 0, note_col)?;
    page_footer(ws, lang);
    Ok(())
}

fn method_sheet(ws: &mut Worksheet, run: &Run, st: &Styles) -> Result<(), XlsxError> {
    let lang = run.lang;
    ws.merge_range(
        0,
        0,
        0,
        1,
        lang.pick("PHƯƠNG PHÁP TÍNH ĐIỂM", "SCORING METHOD"),
        &st.title,
    )?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 110)?;
    let mut r = 2u32;
    let mut previous = String::new();
    for l in view::method(run) {
        // A new criteria set starts after a blank row.
        if l.label == lang.pick("Bộ tiêu chí", "Criteria set") && r > 2 {
            r += 1;
        }
        // A label repeated on consecutive lines is written once.
        let label = if l.label == previous {
            ""
        } else {
            l.label.as_str()
        };
        ws.write_string_with_format(r, 0, label, &st.bold)?;
        ws.write_string_with_format(r, 1, &l.text, &st.plain)?;
        // Rows grow with wrapped text: about 120 characters fit a line of column B.
        let lines = (l.text.chars().count() as f64 / 120.0).ceil().max(1.0);
        ws.set_row_height(r, 15.0 * lines)?;
        previous = l.label;
        r += 1;
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, r, 1)?;
    page_footer(ws, lang);
    Ok(())
}
