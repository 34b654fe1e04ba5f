//! A ranking sheet: the title block, the table (rank `3/34` as a formatted number, area points
//! under short headers, index, grade in its colour), the legend, the signature, the print set-up,
//! and the two native charts beside the table, outside the print area.

use rust_xlsxwriter::{
    Chart, ChartFont, ChartFormat, ChartPoint, ChartSolidFill, Color, Format, Table, TableColumn,
    TableStyle, Worksheet, XlsxError,
};

use super::pages::Flow;
use super::{fit_row, page_footer, percent_axes, ranking_widths, Styles, FONT, ROW_HEIGHT};
use crate::report::view::{self, Cell, Group, Header, Kind};
use crate::report::Run;
use crate::support::i18n::Lang;
use crate::support::numfmt::round_half_away;

/// The heights of the title row and of the header row (two lines of headers and the areas'
/// maxima), points.
const TITLE_HEIGHT: f64 = 36.0;
const HEADER_HEIGHT: f64 = 48.0;

pub(super) fn ranking_sheet(
    ws: &mut Worksheet,
    sheet: &str,
    run: &Run,
    g: &Group,
    rows: &[view::Row],
    tb: &view::TitleBlock,
    st: &Styles,
) -> Result<(), XlsxError> {
    let lang = run.lang;
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
    ws.set_row_height(r, TITLE_HEIGHT)?;
    r += 1;
    ws.merge_range(r, 0, r, last_col, &g.subtitle, &st.subtitle)?;
    r += 2;

    // The ranking table, column by column as the view defines it.
    let header_row = r;
    let columns = view::ranking_columns(g, lang);
    let headers: Vec<String> = columns
        .iter()
        .map(|c| match &c.sub {
            Some(sub) => format!("{}\n{sub}", c.header),
            None => c.header.clone(),
        })
        .collect();
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
    ws.set_row_height(header_row, HEADER_HEIGHT)?;
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
    let mut heights = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let r = header_row + 1 + i as u32;
        let mut wrapped: Vec<(u16, &str)> = Vec::new();
        for (k, col) in columns.iter().enumerate() {
            let k = k as u16;
            match (col.kind, row.cell(col.field)) {
                (_, Cell::Rank(rank, _)) => {
                    ws.write_number_with_format(r, k, rank as f64, &rank_format)?;
                }
                (Kind::Percent, Cell::Number(x)) => {
                    ws.write_number_with_format(r, k, x / 100.0, &st.percent)?;
                }
                (_, Cell::Number(x)) => {
                    ws.write_number_with_format(r, k, x, &st.points)?;
                }
                (Kind::Grade, Cell::Text(t)) => {
                    ws.write_string_with_format(r, k, t, &grade_formats[row.grade_band])?;
                }
                (Kind::Code, Cell::Text(t)) => {
                    ws.write_string_with_format(r, k, t, &st.text)?;
                }
                (_, Cell::Text(t)) => {
                    ws.write_string_with_format(r, k, t, &st.wrap)?;
                    wrapped.push((k, t));
                }
            }
        }
        heights.push(fit_row(ws, r, &widths, &wrapped)?);
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
    let legend_height = ROW_HEIGHT * (1.0 + legend.chars().count() as f64 / 170.0).ceil();
    ws.set_row_height(r, legend_height)?;
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
    // The signature never prints alone: where it might, the table's last rows go with it.
    let flow = Flow {
        width: widths.iter().sum(),
        // The title block's rows (the title 36 points high) and the header.
        before: ROW_HEIGHT * header_row as f64 + (TITLE_HEIGHT - ROW_HEIGHT) + HEADER_HEIGHT,
        header: HEADER_HEIGHT,
        rows: &heights,
        // A blank row, the legend, a blank row, the signature.
        after: ROW_HEIGHT * (2 + sign_rows) as f64 + legend_height,
    };
    if let Some(k) = flow.keep_together() {
        ws.set_page_breaks(&[header_row + 1 + k as u32])?;
    }

    // Charts beside the table, outside the print area: for the screen and the projector.
    let chart_col = last_col + 2;
    index_chart(ws, sheet, run, g, rows, header_row, chart_col)?;
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
        .set_name(Header::Index.text(lang))
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
