//! The sheets for looking things up: every criterion score with its source cell (streamed, not
//! printed: its printable form is the scorecards), and the method statement.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{base, fit_row, page_footer, Styles};
use crate::report::view::{self, Header};
use crate::report::Run;
use crate::support::numfmt::round_half_away;

pub(super) fn detail_sheet(ws: &mut Worksheet, run: &Run, st: &Styles) -> Result<(), XlsxError> {
    let lang = run.lang;
    let headers = [
        Header::UnitCode.text(lang),
        Header::Unit.text(lang),
        Header::CriterionId.text(lang),
        Header::CriterionName.text(lang),
        lang.pick("Giá trị", "Value"),
        Header::Points.text(lang),
        Header::Max.text(lang),
        Header::Notes.text(lang),
        lang.pick("Nguồn", "Source"),
    ];
    for (c, w) in [12, 30, 10, 60, 12, 8, 10, 24, 40].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &st.header)?;
    }
    // This sheet is for looking things up (160,000 rows at national scale); its printable
    // form is the scorecards of report.html, as this note says on screen.
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
    // The cells take their column's format: a format passed with each of 1.4 million cells was
    // hashed and compared once per cell, a sixth of a national run's time.
    let plain = base();
    let points = base().set_num_format(st.num("0.00"));
    for c in 0..headers.len() as u16 {
        ws.set_column_format(c, if c == 5 { &points } else { &plain })?;
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
            ws.write_number(r, 5, round_half_away(s.points, 2))?;
            ws.write_number(r, 6, s.max)?;
            let flags: Vec<&str> = s
                .flags
                .iter()
                .map(|&f| crate::report::words::flag(f, lang))
                .collect();
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
    ws.set_column_width(note_col, 60)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    // The print area is an empty cell: LibreOffice and Excel print nothing of an empty page, so
    // printing the workbook skips this sheet (a page for the note alone was a page wasted).
    ws.set_print_area(1, note_col, 1, note_col)?;
    Ok(())
}

pub(super) fn method_sheet(
    ws: &mut Worksheet,
    run: &Run,
    method: &[view::MethodLine],
    st: &Styles,
) -> Result<(), XlsxError> {
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
    for l in method {
        // A new criteria set starts after a blank row.
        if l.starts_set && r > 2 {
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
        // Rows grow with wrapped text, measured as every wrapped cell is (`fit_row`). Column B is
        // 110 characters of '0'; the method lists paths and SHA-256 hashes, letters and digits as
        // wide as that '0', so the width is given without the slack `fit_row` allows proportional
        // text (an estimate of 120 characters a line printed two input rows over each other).
        fit_row(ws, r, &[24.0, 110.0 / 1.15], &[(1, &l.text)])?;
        previous = l.label.clone();
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
