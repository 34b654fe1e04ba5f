//! The workbook's sheet "Phân tích bộ tiêu chí" (the criteria audit): how to read it and the
//! thresholds stated on top; per criteria file and unit type, the table of every area,
//! criterion and sub-criterion (flagged remarks shaded), the areas' correlations as a table
//! coloured by a native colour scale (the heat map), and a native chart of each area's nominal
//! against its effective weight beside the table, outside the print area, as on the other
//! sheets. The header row repeats on every printed page; every set has the same columns.

use rust_xlsxwriter::{
    Chart, ChartFont, ChartFormat, ChartSolidFill, ChartType, Color, ConditionalFormat3ColorScale,
    ConditionalFormatType, Worksheet, XlsxError,
};

use super::{fit_row, page_footer, set_widths, Styles, FONT};
use crate::report::view::{self, AuditView};
use crate::support::i18n::Lang;
use crate::support::numfmt::num;

/// Column widths (characters), in the order of `view::audit`'s columns.
const WIDTHS: [f64; 16] = [
    7.0, 40.0, 6.5, 6.5, 9.0, 7.5, 10.0, 8.0, 7.0, 7.0, 10.0, 10.0, 9.0, 12.0, 11.0, 38.0,
];

pub(super) fn audit_sheet(
    ws: &mut Worksheet,
    sheet: &str,
    a: &AuditView,
    lang: Lang,
    st: &Styles,
) -> Result<(), XlsxError> {
    let last = (WIDTHS.len() - 1) as u16;
    set_widths(ws, &WIDTHS)?;
    let title = view::audit_title(lang).to_uppercase();
    ws.merge_range(0, 0, 0, last, &title, &st.title)?;
    let total_width: f64 = WIDTHS.iter().sum();
    for (r, text) in [(1u32, &a.reading), (2, &a.thresholds)] {
        ws.merge_range(r, 0, r, last, text, &st.legend)?;
        fit_row(ws, r, &[total_width], &[(0, text)])?;
    }
    let pct = st.percent.clone().set_num_format(st.num("0.0%"));
    let two = st.points.clone();
    let flagged = st.wrap.clone().set_background_color(Color::RGB(0xFDE2E1));
    let area_text = st.section.clone();
    let area_num = st.section.clone().set_num_format(st.num("0.00"));
    let area_pct = st.section.clone().set_num_format(st.num("0.0%"));
    let mut r = 4u32;
    let mut header_row = None;
    for s in &a.sets {
        ws.merge_range(r, 0, r, last, &s.title, &st.label)?;
        r += 1;
        for text in s.few.iter().chain(std::iter::once(&s.findings)) {
            ws.merge_range(r, 0, r, last, text, &st.legend)?;
            fit_row(ws, r, &[total_width], &[(0, text)])?;
            r += 1;
        }
        for (k, h) in a.headers.iter().enumerate() {
            ws.write_string_with_format(r, k as u16, *h, &st.header)?;
        }
        // Bold headers wrap sooner than body text: measured in a narrower column.
        let lines = (a.headers.iter().zip(WIDTHS))
            .map(|(h, w)| super::wrapped_lines(h, w * 0.85))
            .max()
            .unwrap_or(1);
        ws.set_row_height(r, 15.0 * lines as f64)?;
        header_row.get_or_insert(r);
        r += 1;
        let first_row = r;
        for row in &s.rows {
            let area = row.depth == 0;
            let (text, numf, pctf) = if area {
                (&area_text, &area_num, &area_pct)
            } else {
                (&st.text, &two, &pct)
            };
            let indent = "  ".repeat(row.depth);
            let name = format!("{indent}{}", row.name);
            ws.write_string_with_format(r, 0, &row.id, text)?;
            ws.write_string_with_format(r, 1, &name, &text.clone().set_text_wrap())?;
            ws.write_number_with_format(r, 2, row.max, numf)?;
            for (c, n) in [(3u16, row.units), (4, row.not_applicable), (5, row.missing)] {
                ws.write_number_with_format(r, c, n as f64, text)?;
            }
            let share = |x: Option<f64>| x.map(|x| x / 100.0);
            for (c, x) in [
                (6u16, share(row.mean_share)),
                (7, share(row.full_share)),
                (8, share(row.zero_share)),
            ] {
                write_opt(ws, r, c, x, pctf, text)?;
            }
            ws.write_number_with_format(r, 9, row.distinct as f64, text)?;
            write_opt(ws, r, 10, row.item_rest_r, numf, text)?;
            ws.write_number_with_format(r, 11, row.nominal / 100.0, pctf)?;
            write_opt(ws, r, 12, share(row.effective), pctf, text)?;
            let shift = format!("{} / {}", num(row.shift_mean, lang), row.shift_max);
            let centred = text.clone().set_align(rust_xlsxwriter::FormatAlign::Center);
            ws.write_string_with_format(r, 13, &shift, &centred)?;
            write_opt(ws, r, 14, row.alpha, numf, text)?;
            let remarks = if row.flagged || !row.remarks.is_empty() {
                &flagged
            } else {
                &st.wrap
            };
            ws.write_string_with_format(r, 15, &row.remarks, remarks)?;
            fit_row(ws, r, &WIDTHS, &[(1, &name), (15, &row.remarks)])?;
            r += 1;
        }
        if !s.areas.is_empty() {
            weights_chart(ws, sheet, s, first_row, lang)?;
        }
        // The areas' correlations, coloured from −1 (blue) through 0 (white) to 1 (red); none
        // for a set too small to have any.
        if s.correlated {
            r = correlation_table(ws, r + 1, s, st)?;
        }
        r += 2;
    }
    let header_row = header_row.unwrap_or(4);
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, r.saturating_sub(2), last)?;
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_freeze_panes(header_row + 1, 2)?;
    page_footer(ws, lang);
    Ok(())
}

/// The areas' correlation table from row `r` (its title, header and one row per area, coloured
/// by a 3-colour scale); returns its last row.
fn correlation_table(
    ws: &mut Worksheet,
    mut r: u32,
    s: &view::AuditSetView,
    st: &Styles,
) -> Result<u32, XlsxError> {
    let lang = st.lang;
    let last = (WIDTHS.len() - 1) as u16;
    let corr_title = lang.pick(
        "Tương quan giữa các lĩnh vực (hệ số r của điểm lĩnh vực)",
        "Correlation between areas (r of the areas' points)",
    );
    ws.merge_range(r, 0, r, last, corr_title, &st.label)?;
    r += 1;
    ws.write_string_with_format(r, 0, "", &st.header)?;
    ws.write_string_with_format(r, 1, "", &st.header)?;
    for (k, x) in s.areas.iter().enumerate() {
        ws.write_string_with_format(r, 2 + k as u16, &x.short, &st.header)?;
    }
    let top = r + 1;
    for (i, x) in s.areas.iter().enumerate() {
        r += 1;
        // The short header in the code column, the name wrapped beside it (it was cut at the
        // first value's cell when both shared one column).
        ws.write_string_with_format(r, 0, &x.short, &st.text)?;
        ws.write_string_with_format(r, 1, &x.name, &st.wrap)?;
        fit_row(ws, r, &WIDTHS, &[(1, &x.name)])?;
        for (k, v) in s.area_r[i].iter().enumerate() {
            write_opt(ws, r, 2 + k as u16, *v, &st.points, &st.text)?;
        }
    }
    let scale = ConditionalFormat3ColorScale::new()
        .set_minimum(ConditionalFormatType::Number, -1)
        .set_midpoint(ConditionalFormatType::Number, 0)
        .set_maximum(ConditionalFormatType::Number, 1)
        .set_minimum_color("#5B9BD5")
        .set_midpoint_color("#FFFFFF")
        .set_maximum_color("#F8696B");
    ws.add_conditional_format(top, 2, r, 1 + s.areas.len() as u16, &scale)?;
    Ok(r)
}

fn write_opt(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    x: Option<f64>,
    f: &rust_xlsxwriter::Format,
    blank: &rust_xlsxwriter::Format,
) -> Result<(), XlsxError> {
    match x {
        Some(x) => ws.write_number_with_format(r, c, x, f)?,
        None => ws.write_blank(r, c, blank)?,
    };
    Ok(())
}

/// Each area's weight on paper and in fact, as clustered bars, beside the set's table.
fn weights_chart(
    ws: &mut Worksheet,
    sheet: &str,
    s: &view::AuditSetView,
    first_row: u32,
    lang: Lang,
) -> Result<(), XlsxError> {
    // The area rows are not contiguous in the table: the chart reads a small block of its own,
    // written beyond the print area (column R onwards).
    let col = WIDTHS.len() as u16 + 1;
    ws.write_string(first_row, col, lang.pick("Lĩnh vực", "Area"))?;
    ws.write_string(first_row, col + 1, lang.pick("Theo điểm tối đa", "Nominal"))?;
    ws.write_string(first_row, col + 2, lang.pick("Thực tế", "Effective"))?;
    for (i, a) in s.areas.iter().enumerate() {
        let r = first_row + 1 + i as u32;
        ws.write_string(r, col, &a.short)?;
        ws.write_number(r, col + 1, a.nominal / 100.0)?;
        if let Some(e) = a.effective {
            ws.write_number(r, col + 2, e / 100.0)?;
        }
    }
    let (top, bottom) = (first_row + 1, first_row + s.areas.len() as u32);
    let mut chart = Chart::new(ChartType::Column);
    for (k, color) in [(1u16, "#A5A5A5"), (2, "#4472C4")] {
        chart
            .add_series()
            .set_name((sheet, first_row, col + k))
            .set_categories((sheet, top, col, bottom, col))
            .set_values((sheet, top, col + k, bottom, col + k))
            .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(color)));
    }
    let font = ChartFont::new().set_name(FONT).set_size(9).clone();
    chart
        .title()
        .set_name(lang.pick(
            "Trọng số theo điểm tối đa và trọng số thực tế",
            "Nominal and effective weight",
        ))
        .set_font(ChartFont::new().set_name(FONT).set_size(12).set_bold());
    chart.y_axis().set_num_format("0%").set_font(&font);
    chart.x_axis().set_font(&font);
    chart.legend().set_font(&font);
    chart.set_width(620).set_height(340);
    ws.insert_chart(first_row, col + 4, &chart)?;
    Ok(())
}
