//! `parindex criteria export FILE.toml --out annex.xlsx`: the criteria set as the annex table an
//! office keeps in Excel — the same rows, numbering, maxima and guidance as the .docx annex
//! (`report::docx::criteria_annex`), one sheet, A4 landscape fitted to the width, the header row
//! repeated on every printed page, rows as high as their wrapped text.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::{base, fit_row, FONT};
use crate::input::criteria::Criteria;
use crate::report::docx::annex_number;
use crate::report::view::{num, ANNEX};
use crate::report::words::criteria::guidance;
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
    let mut put = |ws: &mut rust_xlsxwriter::Worksheet,
                   cells: [String; 5],
                   strong: bool|
     -> Result<(), XlsxError> {
        let (text, mid) = if strong {
            (&bold, &center_bold)
        } else {
            (&plain, &center)
        };
        ws.write_string_with_format(r, 0, &cells[0], mid)?;
        ws.write_string_with_format(r, 1, &cells[1], text)?;
        ws.write_string_with_format(r, 2, &cells[2], mid)?;
        ws.write_string_with_format(r, 3, &cells[3], &plain)?;
        ws.write_string_with_format(r, 4, &cells[4], &plain)?;
        fit_row(
            ws,
            r,
            &widths,
            &[(1, &cells[1]), (3, &cells[3]), (4, &cells[4])],
        )?;
        r += 1;
        Ok(())
    };
    for (i, n) in c.nodes.iter().enumerate() {
        let level = crate::report::docx::annex_level(c, i);
        let name = lang.text(&n.name, n.name_en.as_ref());
        put(
            ws,
            [
                annex_number(c, i),
                // Areas bold as written: an upper-case line is wider than the row heights
                // estimated for the column (LibreOffice does not grow a row written with one).
                name.to_string(),
                num(n.max, lang),
                n.rule()
                    .map_or(String::new(), |rule| guidance(rule, n.max, lang)),
                n.note.clone().unwrap_or_default(),
            ],
            level <= 1,
        )?;
    }
    let mut next = c.areas.len();
    for (section, default) in [
        (&c.bonus, lang.pick("Điểm thưởng", "Bonus")),
        (&c.penalty, lang.pick("Điểm trừ", "Penalty")),
    ] {
        let Some(s) = section else { continue };
        next += 1;
        let title = lang.text(s.name.as_deref().unwrap_or(default), s.name_en.as_ref());
        put(
            ws,
            [
                crate::report::docx::roman(next),
                title.to_uppercase(),
                format!("{} {}", lang.pick("tối đa", "up to"), num(s.cap, lang)),
                String::new(),
                String::new(),
            ],
            true,
        )?;
        for (k, it) in s.items.iter().enumerate() {
            put(
                ws,
                [
                    (k + 1).to_string(),
                    lang.text(&it.name, it.name_en.as_ref()).to_string(),
                    num(it.max, lang),
                    guidance(&it.rule, it.max, lang),
                    String::new(),
                ],
                false,
            )?;
        }
    }
    put(
        ws,
        [
            String::new(),
            lang.pick("TỔNG ĐIỂM", "TOTAL").to_string(),
            num(c.max_points, lang),
            String::new(),
            String::new(),
        ],
        true,
    )?;
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
