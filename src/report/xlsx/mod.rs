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
    Chart, ChartFont, Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet, XlsxError,
};

use super::view::{Group, ReportView};
use super::Run;
use crate::support::i18n::Lang;

pub mod annex;
mod audit;
mod pages;
mod ranking;
mod reference;
mod sections;

use ranking::ranking_sheet;
use reference::{detail_sheet, method_sheet};
use sections::{appraisal_sheet, award_sheet, uncertainty_sheet, year_sheet, AppraisalPart};

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
    /// A label row inside a table (bold, shaded lighter than the header, bordered).
    section: Format,
    lang: Lang,
}

impl Styles {
    /// A number format in the document's language: Vietnamese documents carry the Vietnamese
    /// locale tag, so LibreOffice shows "95,70%" whatever the reader's own locale (Excel takes the
    /// separators from Windows' regional settings and ignores the tag). Cells stay numbers.
    fn num(&self, code: &str) -> String {
        number_format(self.lang, code)
    }

    fn new(lang: Lang) -> Styles {
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
            points: cell.clone().set_num_format(number_format(lang, "0.00")),
            percent: cell.clone().set_num_format(number_format(lang, "0.00%")),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            center: cell.clone().set_align(FormatAlign::Center),
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
            section: cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xF2F2F2)),
            lang,
        }
    }
}

/// `code` with the locale tag of `lang` (LCID 0x42A, Vietnamese: decimal comma, point for
/// thousands).
fn number_format(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Vi => format!("[$-42A]{code}"),
        Lang::En => code.to_string(),
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

pub fn workbook(run: &Run, rv: &ReportView) -> Result<Vec<u8>, XlsxError> {
    let lang = run.lang;
    let st = Styles::new(lang);
    let mut wb = Workbook::new();
    wb.set_default_format(&base(), 20, 64)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&rv.title)
            .set_author("parindex")
            .set_creation_datetime(&creation_time(run)),
    );
    // Deflate at level 6 was a third of a national-scale run; level 1 costs ~20% in file size.
    wb.set_zip_compression_level(1);
    let mut used = Vec::new();
    let title = &rv.title_block;
    for g in &rv.groups {
        let name = sheet_name(
            &format!("{} - {}", lang.pick("Xếp hạng", "Ranking"), g.label),
            &mut used,
        );
        let ws = wb.add_worksheet().set_name(&name)?;
        ranking_sheet(ws, &name, run, g, rv.rows_of(g), title, &st)?;
    }
    if let Some(y) = &rv.year {
        for g in &y.groups {
            let name = sheet_name(
                &format!("{} - {}", lang.pick("So sánh", "Change"), g.label),
                &mut used,
            );
            let ws = wb.add_worksheet().set_name(&name)?;
            year_sheet(ws, &name, y, g, lang, title, &st)?;
        }
    }
    if let Some(u) = &rv.uncertainty {
        for g in &u.groups {
            let name = sheet_name(
                &format!("{} - {}", lang.pick("Độ tin cậy", "Uncertainty"), g.label),
                &mut used,
            );
            uncertainty_sheet(wb.add_worksheet().set_name(&name)?, &name, u, g, lang, &st)?;
        }
    }
    if let Some(aw) = &rv.awards {
        for a in &aw.awards {
            let name = sheet_name(
                // The award's name, as people call it (cut to a tab's 31 characters).
                &format!("{} - {}", lang.pick("KT", "Award"), a.name),
                &mut used,
            );
            award_sheet(wb.add_worksheet().set_name(&name)?, aw, a, lang, &st)?;
        }
    }
    if let Some(a) = &rv.appraisal {
        for part in AppraisalPart::ALL.into_iter().filter(|p| p.shown(a)) {
            let name = sheet_name(part.tab(lang), &mut used);
            appraisal_sheet(wb.add_worksheet().set_name(&name)?, a, part, lang, &st)?;
        }
    }
    if let Some(a) = &rv.audit {
        let name = sheet_name(super::view::audit_title(lang), &mut used);
        audit::audit_sheet(wb.add_worksheet().set_name(&name)?, &name, a, lang, &st)?;
    }
    // The look-up sheet of every unit's criterion scores; a national run's 160,000 rows are in
    // criterion-scores.csv instead, as the method sheet says.
    if !run.is_large() {
        let name = sheet_name(lang.pick("Điểm chi tiết", "Criterion scores"), &mut used);
        detail_sheet(
            wb.add_worksheet_with_constant_memory()?.set_name(&name)?,
            run,
            &st,
        )?;
    }
    let name = sheet_name(lang.pick("Phương pháp", "Method"), &mut used);
    method_sheet(wb.add_worksheet().set_name(&name)?, run, &rv.method, &st)?;
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

/// Column widths, in characters, from column 0.
fn set_widths(ws: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (c, &w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    Ok(())
}

/// Give row `r` the height of its longest wrapped cell — `cells` are (column, text), `widths`
/// the sheet's column widths — since LibreOffice does not grow rows written with a height and
/// Excel grows them only on edit: a wrapped text in a one-line row prints over its neighbours.
/// Returns the height given (points).
fn fit_row(
    ws: &mut Worksheet,
    r: u32,
    widths: &[f64],
    cells: &[(u16, &str)],
) -> Result<f64, XlsxError> {
    let lines = (cells.iter())
        .map(|&(c, t)| wrapped_lines(t, widths[usize::from(c)]))
        .max()
        .unwrap_or(1);
    let height = ROW_HEIGHT * lines as f64;
    ws.set_row_height(r, height)?;
    Ok(height)
}

/// A row's height when nothing in it wraps (points): the sheets' default.
const ROW_HEIGHT: f64 = 15.0;

/// Lines a text takes in a wrapped column of `width` characters. Lines break between words and
/// after a hyphen inside one, as LibreOffice and Excel break them ("sample-" | "data/2025/…"),
/// with a little slack for proportional type; a piece longer than the column, such as a folder
/// name, is broken across lines as the spreadsheet breaks it. Counting a break only where the
/// spreadsheet may not make one would print a wrapped path over the row below.
pub(in crate::report) fn wrapped_lines(text: &str, width: f64) -> usize {
    let room = (width * 1.15).floor().max(1.0) as usize;
    let mut lines = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        for (k, piece) in word.split_inclusive('-').enumerate() {
            let n = piece.chars().count();
            // A word's first piece needs a space before it on a line already begun.
            let gap = usize::from(k == 0 && used > 0);
            if used + gap + n <= room {
                used += gap + n;
                continue;
            }
            if used > 0 {
                lines += 1;
            }
            lines += (n - 1) / room;
            used = (n - 1) % room + 1;
        }
    }
    lines
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

#[cfg(test)]
mod tests {
    use super::wrapped_lines;

    #[test]
    fn wrapped_lines_count_words_and_break_long_ones() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("Xã Mỹ Thủy", 10.0), 1);
        assert_eq!(
            wrapped_lines("không so sánh thứ hạng (đơn vị hợp nhất)", 20.0),
            2
        );
        // A 45-character path in a 14-character column (room 16): broken after its hyphens,
        // "sample-" | "data/2025/tham-" | "dinh.xlsx#Thẩm-" | "định!G61", four lines where
        // breaking at the 16th character would make three.
        let path = "sample-data/2025/tham-dinh.xlsx#Thẩm-định!G61";
        assert_eq!(path.chars().count(), 45);
        assert_eq!(wrapped_lines(path, 14.0), 4);
        assert_eq!(wrapped_lines(&format!("ô {path}"), 14.0), 4);
        // A piece longer than the column is broken inside: 20 characters in room 16.
        assert_eq!(wrapped_lines("abcdefghijklmnopqrst", 14.0), 2);
        // Printed as LibreOffice broke it in a 24-character column (room 27): after "sample-",
        // then after "so-", not after the 27th character.
        let path = "/check/work/main/sample-data/2025/chi-so-xa.csv!AH46";
        assert_eq!(wrapped_lines(path, 24.0), 3);
        assert_eq!(wrapped_lines("tham-dinh.xlsx#Thẩm định!E86", 24.0), 2);
    }
}
