//! `parindex criteria export FILE.toml --out annex.xlsx`: the criteria set as the annex table an
//! office keeps in Excel — the same rows, numbering, maxima and guidance as the .docx annex
//! (`report::docx::criteria_annex`), one sheet, A4 landscape fitted to the width, the header row
//! repeated on every printed page, rows as high as their wrapped text.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::{base, fit_row, FONT};
use crate::input::criteria::Criteria;
use crate::report::view::{self, ANNEX};
use crate::support::i18n::Lang;

pub fn criteria_annex(c: &Criteria, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_default_format(&base(), 20, 64)?;
    let ws = wb
        .add_worksheet()
        .set_name(lang.pick("Bộ tiêu chí", "Criteria"))?;
    let cell = || {
        base()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
    };
    let plain = cell();
    let bold = cell().set_bold();
    let center = cell().set_align(FormatAlign::Center);
    let center_bold = center.clone().set_bold();
    let header = center_bold.clone().set_background_color(0xE7E6E6);
    let title = Format::new()
        .set_font_name(FONT)
        .set_font_size(13)
        .set_bold()
        .set_align(FormatAlign::Center);
    let widths = [7.0, 48.0, 9.0, 40.0, 24.0];
    for (k, w) in widths.iter().enumerate() {
        ws.set_column_width(k as u16, *w)?;
    }
    let name = lang.text(&c.name, c.name_en.as_ref());
    ws.merge_range(0, 0, 0, 4, lang.pick("Phụ lục", "Annex"), &title)?;
    ws.merge_range(1, 0, 1, 4, &name.to_uppercase(), &title)?;
    if let Some(b) = &c.basis {
        let note = base().set_italic().set_align(FormatAlign::Center);
        let text = format!("({} {b})", lang.pick("Kèm theo", "Attached to"));
        ws.merge_range(2, 0, 2, 4, &text, &note)?;
    }
    let head = 4u32;
    let headers = ANNEX.map(|h| h.text(lang));
    for (k, h) in headers.iter().enumerate() {
        ws.write_string_with_format(head, k as u16, *h, &header)?;
    }
    let cells: Vec<(u16, &str)> = (0u16..).zip(headers.iter().copied()).collect();
    fit_row(ws, head, &widths, &cells)?;
    let mut r = head + 1;
    for row in view::annex(c, lang) {
        let (text, mid) = if row.strong {
            (&bold, &center_bold)
        } else {
            (&plain, &center)
        };
        // Names as written: an upper-case line is wider than the row heights estimated for the
        // column (LibreOffice does not grow a row written with one).
        let name_format = if row.number.is_empty() { mid } else { text };
        ws.write_string_with_format(r, 0, &row.number, mid)?;
        ws.write_string_with_format(r, 1, &row.name, name_format)?;
        ws.write_string_with_format(r, 2, &row.max, mid)?;
        ws.write_string_with_format(r, 3, &row.guidance, &plain)?;
        ws.write_string_with_format(r, 4, &row.note, &plain)?;
        // Bold text is wider: its lines are counted in a narrower column.
        let room: Vec<f64> = (widths.iter())
            .map(|w| if row.strong { w * 0.88 } else { *w })
            .collect();
        fit_row(
            ws,
            r,
            &room,
            &[(1, &row.name), (3, &row.guidance), (4, &row.note)],
        )?;
        r += 1;
    }
    ws.set_paper_size(9);
    // Landscape: the guidance column needs the width; printed near its own size.
    ws.set_landscape();
    // Decree 30: left 30 mm, right 15 mm, top and bottom 20 mm.
    ws.set_margins(1.18, 0.59, 0.79, 0.79, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(head, head)?;
    ws.set_print_area(0, 0, r - 1, 4)?;
    ws.set_footer(format!(
        "&C&\"{FONT},Regular\"&10{} &P/&N",
        lang.pick("Trang", "Page")
    ));
    wb.save_to_buffer()
}
