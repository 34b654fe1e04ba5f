//! The workbook for people: a ranking sheet per ranking group (Vietnamese headers, area points,
//! total, index as a percentage, grade in its colour, rank written `3/34`, frozen header, an Excel
//! Table for filters, A4 landscape), a sheet of criterion scores, and the "Phương pháp" sheet that
//! states how the numbers were made. Numbers stay typed cells; display values are the published,
//! half-away-rounded figures.

use rust_xlsxwriter::{
    Color, ConditionalFormat3ColorScale, Format, FormatAlign, FormatBorder, Table, TableColumn,
    TableStyle, Workbook, Worksheet, XlsxError,
};

use super::{area_points, unit_flags_text, Run};
use crate::criteria::describe;
use crate::criteria::model::{MissingPolicy, NaPolicy, SurveyAbsent};
use crate::criteria::validate::fmt_num;
use crate::numfmt::round_half_away;
use crate::score::UnitScore;

struct Styles {
    title: Format,
    header: Format,
    points: Format,
    percent: Format,
    text: Format,
    center: Format,
    bold: Format,
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new().set_border(FormatBorder::Thin);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7)),
            points: base.clone().set_num_format("0.00"),
            percent: base.clone().set_num_format("0.00%"),
            text: base.clone(),
            center: base.set_align(FormatAlign::Center),
            bold: Format::new().set_bold(),
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

pub fn workbook(run: &Run) -> Result<Vec<u8>, XlsxError> {
    let lang = run.lang;
    let st = Styles::new();
    let mut wb = Workbook::new();
    // Deflate at level 6 was a third of a national-scale run; level 1 costs ~20% in file size.
    wb.set_zip_compression_level(1);
    let mut used = Vec::new();
    // Ranking sheets, one per (criteria file, group), in report order.
    let mut start = 0;
    while start < run.scores.len() {
        let first = &run.scores[start];
        let end = run.scores[start..]
            .iter()
            .position(|u| u.criteria != first.criteria || u.group != first.group)
            .map_or(run.scores.len(), |k| start + k);
        let name = sheet_name(
            &format!("{} - {}", lang.pick("Xếp hạng", "Ranking"), first.group),
            &mut used,
        );
        let ws = wb.add_worksheet().set_name(&name)?;
        ranking_sheet(ws, run, &run.scores[start..end], &st)?;
        start = end;
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

fn ranking_sheet(
    ws: &mut Worksheet,
    run: &Run,
    units: &[UnitScore],
    st: &Styles,
) -> Result<(), XlsxError> {
    let lang = run.lang;
    let c = &run.criteria[units[0].criteria];
    let title = format!(
        "{} {} – {}",
        lang.pick(
            "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM",
            "PAR INDEX RESULTS"
        ),
        c.year,
        units[0].group
    );
    ws.write_string_with_format(0, 0, &title, &st.title)?;
    ws.write_string(1, 0, lang.text(&c.name, c.name_en.as_ref()))?;
    let mut headers: Vec<String> = vec![
        lang.pick("Hạng", "Rank").into(),
        lang.pick("Mã đơn vị", "Unit code").into(),
        lang.pick("Tên đơn vị", "Unit name").into(),
        lang.pick("Khối thi đua", "Bloc").into(),
    ];
    for &a in &c.areas {
        let n = &c.nodes[a];
        headers.push(format!(
            "{}. {} ({})",
            n.id,
            lang.text(&n.name, n.name_en.as_ref()),
            fmt_num(n.max)
        ));
    }
    let bonus_col = headers.len();
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
    let header_row = 3u32;
    let last_row = header_row + units.len() as u32;
    let last_col = (headers.len() - 1) as u16;
    let mut table = Table::new().set_style(TableStyle::Light9);
    let cols: Vec<TableColumn> = headers
        .iter()
        .map(|h| {
            TableColumn::new()
                .set_header(h)
                .set_header_format(&st.header)
        })
        .collect();
    table = table.set_columns(&cols);
    ws.add_table(header_row, 0, last_row, last_col, &table)?;
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
    let rank_format = units.first().map(|u| {
        st.center
            .clone()
            .set_num_format(format!("0\"/{}\"", u.rank_of))
    });
    for (i, u) in units.iter().enumerate() {
        let r = header_row + 1 + i as u32;
        let unit = &run.registry.units[u.unit];
        if let Some(f) = &rank_format {
            ws.write_number_with_format(r, 0, u.rank as f64, f)?;
        }
        ws.write_string_with_format(r, 1, &unit.code, &st.text)?;
        ws.write_string_with_format(r, 2, &unit.name, &st.text)?;
        ws.write_string_with_format(r, 3, unit.bloc.as_deref().unwrap_or(""), &st.text)?;
        for (k, &a) in c.areas.iter().enumerate() {
            let p = area_points(c, u, &c.nodes[a].id).unwrap_or(0.0);
            ws.write_number_with_format(r, 4 + k as u16, round_half_away(p, 2), &st.points)?;
        }
        let b = bonus_col as u16;
        ws.write_number_with_format(r, b, round_half_away(u.bonus, 2), &st.points)?;
        ws.write_number_with_format(r, b + 1, round_half_away(u.penalty, 2), &st.points)?;
        ws.write_number_with_format(r, b + 2, round_half_away(u.total, 2), &st.points)?;
        ws.write_number_with_format(r, b + 3, round_half_away(u.index, 2) / 100.0, &st.percent)?;
        let band = &c.grading.bands[u.grade];
        ws.write_string_with_format(
            r,
            b + 4,
            crate::i18n::grade_label(band, lang),
            &grade_formats[u.grade],
        )?;
        ws.write_string_with_format(r, b + 5, unit_flags_text(u, c, lang), &st.text)?;
    }
    let cf = ConditionalFormat3ColorScale::new();
    ws.add_conditional_format(
        header_row + 1,
        bonus_col as u16 + 3,
        last_row,
        bonus_col as u16 + 3,
        &cf,
    )?;
    ws.set_freeze_panes(header_row + 1, 3)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(header_row, header_row)?;
    ws.autofit();
    ws.set_column_width(2, 34)?;
    for k in 0..c.areas.len() as u16 {
        ws.set_column_width(4 + k, 14)?;
    }
    ws.set_row_height(header_row, 60)?;
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
            ws.write_string(r, 0, &unit.code)?;
            ws.write_string(r, 1, &unit.name)?;
            ws.write_string(r, 2, id)?;
            ws.write_string(r, 3, name)?;
            match s.value {
                Some(v) => ws.write_number(r, 4, v)?,
                None => ws.write_string(r, 4, &s.raw)?,
            };
            ws.write_number_with_format(r, 5, round_half_away(s.points, 2), &st.points)?;
            ws.write_number(r, 6, s.max)?;
            let flags: Vec<&str> = s.flags.iter().map(|f| f.label(lang)).collect();
            ws.write_string(r, 7, flags.join("; "))?;
            ws.write_string(
                r,
                8,
                s.source.as_ref().map(|x| x.to_string()).unwrap_or_default(),
            )?;
        }
    }
    // A row per unit and leaf (160,000 at national scale): an autofilter and fixed widths,
    // because a Table and autofit here cost more than all the rest of the run.
    ws.autofilter(0, 0, r, (headers.len() - 1) as u16)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn method_sheet(ws: &mut Worksheet, run: &Run, st: &Styles) -> Result<(), XlsxError> {
    let lang = run.lang;
    let mut r = 0u32;
    let mut line = |ws: &mut Worksheet, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, k, &st.bold)?;
        ws.write_string(r, 1, v)?;
        r += 1;
        Ok(())
    };
    ws.write_string_with_format(
        0,
        0,
        lang.pick("PHƯƠNG PHÁP TÍNH ĐIỂM", "SCORING METHOD"),
        &st.title,
    )?;
    line(ws, "", "")?;
    for c in run.criteria {
        line(
            ws,
            lang.pick("Bộ tiêu chí", "Criteria set"),
            lang.text(&c.name, c.name_en.as_ref()),
        )?;
        line(ws, lang.pick("Tệp tiêu chí", "Criteria file"), &c.path)?;
        line(ws, "SHA-256", &c.sha256)?;
        line(ws, lang.pick("Năm", "Year"), &c.year.to_string())?;
        if let Some(v) = &c.version {
            line(ws, lang.pick("Phiên bản", "Version"), v)?;
        }
        if let Some(b) = &c.basis {
            line(ws, lang.pick("Căn cứ", "Legal basis"), b)?;
        }
        line(
            ws,
            lang.pick("Loại đơn vị", "Unit types"),
            &c.unit_types.join(", "),
        )?;
        line(
            ws,
            lang.pick("Điểm tối đa", "Maximum"),
            &fmt_num(c.max_points),
        )?;
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
        line(ws, lang.pick("Thiếu dữ liệu", "Missing values"), missing)?;
        line(ws, lang.pick("Không áp dụng", "Not applicable"), na)?;
        line(
            ws,
            lang.pick("Không có điều tra XHH", "No survey data"),
            survey,
        )?;
        for g in describe::grades(c, lang).lines().skip(1) {
            line(ws, lang.pick("Xếp loại", "Grades"), g.trim())?;
        }
        for m in describe::method(c, lang) {
            line(
                ws,
                lang.pick("Xếp hạng và làm tròn", "Ranking and rounding"),
                &m,
            )?;
        }
        line(ws, "", "")?;
    }
    for (f, sha) in &run.inputs {
        line(
            ws,
            lang.pick("Dữ liệu đầu vào", "Input file"),
            &format!("{f} (SHA-256 {sha})"),
        )?;
    }
    line(
        ws,
        lang.pick("Công cụ", "Tool"),
        &format!("parindex {}", env!("CARGO_PKG_VERSION")),
    )?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 120)?;
    Ok(())
}
