//! The data-entry workbook generated from the criteria (`parindex template`): per criteria file a
//! sheet with one row per unit (code, name and type filled in and locked) and one column per
//! indicator, headed by the caption `score` finds it by (the criterion's name, or the indicator
//! code when a name would be ambiguous) under its area's header; data validation per rule (a list
//! for yes/no and categories, 0–100 for rates, whole numbers ≥ 0 for counts, 0–max for appraised
//! points, and "KAD"/"N/A" wherever not-applicable is allowed) with an input message naming the
//! criterion, its maximum and its rule in words; an instructions sheet; print setup and frozen
//! panes. `--self` makes the unit's self-assessment form (no survey columns: units do not score
//! the survey; an evidence column); `--appraisal` adds a reason column after each indicator.
//! The workbook names its data sheets in a document property, so `score` reads every one of them
//! when the file is given without `#sheet`.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use super::xlsx::{FONT, FONT_SIZE};
use crate::input::captions::Captions;
use crate::input::criteria::model::{RuleKind, Scale, Test};
use crate::input::criteria::Criteria;
use crate::input::units::Registry;
use crate::report::view::Header;
use crate::report::words::criteria as describe;
use crate::support::i18n::Lang;

pub use crate::input::ingest::TEMPLATE_SHEETS_PROPERTY as SHEETS_PROPERTY;

/// Which form to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Form {
    /// Indicator values as the appraisal team (or the department) enters them.
    #[default]
    Data,
    /// The unit's self-assessment: no survey columns, an evidence column.
    SelfAssessment,
    /// Appraised values with a reason column after each indicator.
    Appraisal,
}

/// The header of the reason column for criterion `id` (what `score` recognises).
pub fn reason_header(id: &str, lang: Lang) -> String {
    format!("{} {id}", lang.pick("Lý do điều chỉnh", "Reason"))
}

/// One input column of a template sheet.
#[derive(Debug, Clone)]
pub struct Column {
    pub indicator: String,
    /// The header `score` resolves to the indicator.
    pub caption: String,
    /// The criterion (or item, or condition) id the column serves, for messages and reasons.
    pub id: String,
    pub name: String,
    /// The area (or "bonus", "penalty", "conditions") it is grouped under.
    pub group: String,
    pub max: Option<f64>,
    pub kind: Kind,
    pub rule_words: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    YesNo,
    Category(Vec<String>),
    Rate { above_100: bool },
    Count,
    Points(f64),
    Number,
}

/// A column the run reads besides the criteria's indicators: a survey's sample size
/// (`sample_size` of `[[uncertainty.survey]]`), which the template then collects too, so that a
/// filled template is all the data the run needs.
#[derive(Debug, Clone)]
pub struct SampleSize {
    pub column: String,
    /// The survey indicators measured with it.
    pub indicators: Vec<String>,
}

/// The sample-size columns a run file's `[uncertainty]` reads, each once.
pub fn sample_sizes(spec: Option<&crate::analyses::uncertainty::Spec>) -> Vec<SampleSize> {
    let mut out: Vec<SampleSize> = Vec::new();
    for s in spec.iter().flat_map(|u| &u.survey) {
        let Some(column) = &s.sample_size else {
            continue;
        };
        match out.iter_mut().find(|x| &x.column == column) {
            Some(x) => x.indicators.push(s.indicator.clone()),
            None => out.push(SampleSize {
                column: column.clone(),
                indicators: vec![s.indicator.clone()],
            }),
        }
    }
    out
}

/// The input columns for one criteria file, in tree order, each indicator once, then the
/// sample sizes of its surveys the run needs (not in the self-assessment, which has no survey).
pub fn columns(
    c: &Criteria,
    captions: &Captions,
    form: Form,
    lang: Lang,
    sample_sizes: &[SampleSize],
) -> Vec<Column> {
    let mut out: Vec<Column> = Vec::new();
    let caption_of = |indicator: &str, name: &str| {
        // The criterion's name when it resolves to this indicator alone, else the code.
        if captions.resolve([name]).as_deref()
            == Some(crate::support::text::key(indicator).as_str())
        {
            name.to_string()
        } else {
            indicator.to_string()
        }
    };
    let area_of = |mut n: usize| {
        while let Some(p) = c.nodes[n].parent {
            n = p;
        }
        let a = &c.nodes[n];
        format!(
            "{}. {} ({})",
            a.id,
            lang.text(&a.name, a.name_en.as_ref()),
            super::view::num(a.max, lang)
        )
    };
    for (ni, n, r) in c.leaves() {
        if out.iter().any(|col| col.indicator == r.indicator) {
            continue;
        }
        if form == Form::SelfAssessment && n.survey {
            continue;
        }
        let kind = match (&r.kind, r.scale) {
            (RuleKind::YesNo, _) => Kind::YesNo,
            (RuleKind::Category(cats), _) => {
                Kind::Category(cats.iter().map(|c| c.written.clone()).collect())
            }
            (RuleKind::Appraised, _) | (_, Scale::Points) => Kind::Points(n.max),
            (_, Scale::Percent) => Kind::Rate {
                above_100: r.allow_above_100,
            },
            (RuleKind::PerOccurrence { .. } | RuleKind::Deduction { .. }, _) => Kind::Count,
            _ => Kind::Number,
        };
        out.push(Column {
            indicator: r.indicator.clone(),
            caption: caption_of(&r.indicator, &n.name),
            id: n.id.clone(),
            name: lang.text(&n.name, n.name_en.as_ref()).to_string(),
            group: area_of(ni),
            max: Some(n.max),
            kind,
            rule_words: describe::rule(r, n.max, lang),
        });
    }
    for (is_penalty, sec) in [(false, &c.bonus), (true, &c.penalty)] {
        let Some(sec) = sec else { continue };
        for it in &sec.items {
            if out.iter().any(|col| col.indicator == it.rule.indicator) {
                continue;
            }
            let kind = match (&it.rule.kind, it.rule.scale) {
                (RuleKind::YesNo, _) => Kind::YesNo,
                (RuleKind::Appraised, _) | (_, Scale::Points) => Kind::Points(it.max),
                (_, Scale::Percent) => Kind::Rate { above_100: false },
                _ => Kind::Count,
            };
            out.push(Column {
                indicator: it.rule.indicator.clone(),
                caption: caption_of(&it.rule.indicator, &it.name),
                id: it.id.clone(),
                name: lang.text(&it.name, it.name_en.as_ref()).to_string(),
                group: if is_penalty {
                    Header::Penalty.text(lang).to_string()
                } else {
                    Header::Bonus.text(lang).to_string()
                },
                max: Some(it.max),
                kind,
                rule_words: describe::rule(&it.rule, it.max, lang),
            });
        }
    }
    for ss in sample_sizes {
        let surveyed: Vec<(&str, &str)> = c
            .leaves()
            .filter(|(_, n, r)| n.survey && ss.indicators.contains(&r.indicator))
            .map(|(_, n, _)| (n.id.as_str(), lang.text(&n.name, n.name_en.as_ref())))
            .collect();
        if form == Form::SelfAssessment
            || surveyed.is_empty()
            || out.iter().any(|col| col.indicator == ss.column)
        {
            continue;
        }
        let names: Vec<&str> = surveyed.iter().map(|x| x.1).collect();
        out.push(Column {
            indicator: ss.column.clone(),
            caption: ss.column.clone(),
            id: surveyed[0].0.to_string(),
            name: format!(
                "{} ({})",
                lang.pick("Số phiếu khảo sát", "Survey sample size"),
                names.join("; ")
            ),
            group: lang
                .pick("Cỡ mẫu điều tra xã hội học", "Survey sample sizes")
                .to_string(),
            max: None,
            kind: Kind::Count,
            rule_words: lang
                .pick(
                    "số phiếu hợp lệ của đơn vị; dùng để tính độ tin cậy của xếp hạng",
                    "the unit's valid questionnaires; used for the ranking's uncertainty",
                )
                .to_string(),
        });
    }
    for d in &c.disqualify {
        if out.iter().any(|col| col.indicator == d.indicator) {
            continue;
        }
        out.push(Column {
            indicator: d.indicator.clone(),
            caption: caption_of(&d.indicator, &d.name),
            id: d.id.clone(),
            name: lang.text(&d.name, d.name_en.as_ref()).to_string(),
            group: lang
                .pick("Điều kiện hạ loại", "Disqualifying conditions")
                .to_string(),
            max: None,
            kind: match d.test {
                Test::Yes => Kind::YesNo,
                Test::Cmp(..) => Kind::Number,
            },
            rule_words: String::new(),
        });
    }
    out
}

fn clip(s: &str, max: usize) -> String {
    // Excel counts UTF-16 units; Vietnamese letters are one unit each.
    if s.encode_utf16().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

/// The validation of a column (cells in `cell` such as "D6", for custom formulas).
fn validation(col: &Column, cell: &str, lang: Lang) -> Result<DataValidation, XlsxError> {
    let na = format!("OR({cell}=\"KAD\",{cell}=\"N/A\",{cell}=\"không áp dụng\")");
    let v = DataValidation::new();
    let v = match &col.kind {
        Kind::YesNo => v.allow_list_strings(&["có", "không", "KAD"])?,
        Kind::Category(words) => {
            let mut w = words.clone();
            w.push("KAD".into());
            v.allow_list_strings(&w)?
        }
        Kind::Rate { above_100 } => {
            let upper = if *above_100 {
                String::new()
            } else {
                format!(",{cell}<=100")
            };
            v.allow_custom(Formula::new(format!(
                "=OR(AND(ISNUMBER({cell}),{cell}>=0{upper}),{na})"
            )))
        }
        Kind::Count => v.allow_custom(Formula::new(format!(
            "=OR(AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell})),{na})"
        ))),
        Kind::Points(max) => v.allow_custom(Formula::new(format!(
            "=OR(AND(ISNUMBER({cell}),{cell}>=0,{cell}<={max}),{na})"
        ))),
        Kind::Number => v.allow_custom(Formula::new(format!("=OR(ISNUMBER({cell}),{na})"))),
    };
    let range = match &col.kind {
        Kind::YesNo => lang
            .pick("có / không / KAD", "có / không / KAD")
            .to_string(),
        Kind::Category(w) => format!("{} / KAD", w.join(" / ")),
        Kind::Rate { above_100: false } => lang
            .pick("tỷ lệ 0–100 (%) hoặc KAD", "a rate 0–100 (%) or KAD")
            .to_string(),
        Kind::Rate { above_100: true } => lang
            .pick("tỷ lệ từ 0 (%) hoặc KAD", "a rate from 0 (%) or KAD")
            .to_string(),
        Kind::Count => lang
            .pick("số nguyên ≥ 0 hoặc KAD", "a whole number ≥ 0 or KAD")
            .to_string(),
        Kind::Points(m) => format!(
            "{} 0–{} {}",
            lang.pick("điểm", "points"),
            super::view::num(*m, lang),
            lang.pick("hoặc KAD", "or KAD")
        ),
        Kind::Number => lang.pick("một số hoặc KAD", "a number or KAD").to_string(),
    };
    let title = match col.max {
        Some(m) => format!(
            "{} ({} {})",
            col.id,
            super::view::num(m, lang),
            lang.pick("điểm", "pts")
        ),
        None => col.id.clone(),
    };
    let message = if col.rule_words.is_empty() {
        format!("{}\n{}: {range}", col.name, lang.pick("Nhập", "Enter"))
    } else {
        format!(
            "{}\n{}: {}\n{}: {range}",
            col.name,
            lang.pick("Cách tính", "Rule"),
            col.rule_words,
            lang.pick("Nhập", "Enter")
        )
    };
    v.set_input_title(clip(&title, 32))?
        .set_input_message(clip(&message, 255))?
        .set_error_title(clip(
            lang.pick("Giá trị không hợp lệ", "Value not allowed"),
            32,
        ))?
        .set_error_message(clip(&format!("{}: {range}", col.id), 255))
        .map(|v| v.set_error_style(DataValidationErrorStyle::Stop))
}

fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE)
}

/// The whole template workbook.
pub fn workbook(
    criteria: &[Criteria],
    registry: &Registry,
    form: Form,
    lang: Lang,
    sample_sizes: &[SampleSize],
) -> Result<Vec<u8>, XlsxError> {
    let captions = Captions::from_criteria(criteria);
    let mut wb = Workbook::new();
    wb.set_default_format(&base(), 20, 64)?;
    let mut sheets = Vec::new();
    let mut used = Vec::new();
    for c in criteria {
        let name = sheet_name(c, &mut used, lang);
        sheets.push(name.clone());
        let ws = wb.add_worksheet().set_name(&name)?;
        data_sheet(
            ws,
            c,
            registry,
            &columns(c, &captions, form, lang, sample_sizes),
            form,
            lang,
        )?;
    }
    let name = lang.pick("Hướng dẫn", "Instructions");
    instructions(wb.add_worksheet().set_name(name)?, form, lang)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(title(criteria.first().map_or(0, |c| c.year), form, lang))
            .set_author("parindex")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?)
            .set_custom_property(SHEETS_PROPERTY, sheets.join("\n").as_str()),
    );
    wb.save_to_buffer()
}

fn title(year: i64, form: Form, lang: Lang) -> String {
    match form {
        Form::Data => format!(
            "{} {year}",
            lang.pick(
                "BẢNG NHẬP SỐ LIỆU CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM",
                "PAR INDEX DATA ENTRY"
            )
        ),
        Form::SelfAssessment => format!(
            "{} {year}",
            lang.pick(
                "PHIẾU TỰ ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM",
                "PAR INDEX SELF-ASSESSMENT"
            )
        ),
        Form::Appraisal => format!(
            "{} {year}",
            lang.pick(
                "BẢNG THẨM ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM",
                "PAR INDEX APPRAISAL"
            )
        ),
    }
}

fn sheet_name(c: &Criteria, used: &mut Vec<String>, lang: Lang) -> String {
    let base: String = format!(
        "{} - {}",
        lang.pick("Số liệu", "Data"),
        c.unit_types.join(", ")
    )
    .chars()
    .map(|ch| if "[]:*?/\\".contains(ch) { '-' } else { ch })
    .take(31)
    .collect();
    let mut name = base.clone();
    let mut i = 2;
    while used.contains(&name) {
        name = format!("{base} {i}");
        i += 1;
    }
    used.push(name.clone());
    name
}

fn data_sheet(
    ws: &mut Worksheet,
    c: &Criteria,
    registry: &Registry,
    cols: &[Column],
    form: Form,
    lang: Lang,
) -> Result<(), XlsxError> {
    let border = base().set_border(FormatBorder::Thin);
    let head = border
        .clone()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xDDEBF7));
    let group = head.clone().set_background_color(Color::RGB(0xBDD7EE));
    let locked = border.clone().set_background_color(Color::RGB(0xF2F2F2));
    let input = border.clone().set_unlocked();
    let reason = border.clone().set_unlocked().set_text_wrap();
    let title_f = base().set_bold().set_font_size(13);
    let note_f = base().set_italic();

    // Columns: code, name, type, then each indicator (and its reason), then evidence.
    let mut layout: Vec<(u16, &Column, bool)> = Vec::new();
    let mut col = 3u16;
    for c in cols {
        layout.push((col, c, false));
        col += 1;
        if form == Form::Appraisal {
            layout.push((col, c, true));
            col += 1;
        }
    }
    let evidence_col = (form == Form::SelfAssessment).then_some(col);

    ws.write_string_with_format(0, 0, title(c.year, form, lang), &title_f)?;
    ws.write_string_with_format(1, 0, lang.text(&c.name, c.name_en.as_ref()), &note_f)?;
    ws.write_string_with_format(
        2,
        0,
        lang.pick(
            "Nhập số liệu vào các ô trắng; rê chuột vào ô để xem tiêu chí, điểm tối đa và cách tính. Xem trang Hướng dẫn.",
            "Enter data in the white cells; point at a cell to see the criterion, its maximum and rule. See the Instructions sheet.",
        ),
        &note_f,
    )?;
    let (g, h) = (4u32, 5u32);
    for (k, text) in [
        Header::UnitCode.text(lang),
        Header::Unit.text(lang),
        Header::UnitType.text(lang),
    ]
    .iter()
    .enumerate()
    {
        ws.merge_range(g, k as u16, h, k as u16, text, &head)?;
    }
    // Group headers over runs of columns of the same area.
    let mut i = 0;
    while i < layout.len() {
        let name = &layout[i].1.group;
        let mut j = i;
        while j + 1 < layout.len() && layout[j + 1].1.group == *name {
            j += 1;
        }
        if i == j {
            ws.write_string_with_format(g, layout[i].0, name, &group)?;
        } else {
            ws.merge_range(g, layout[i].0, g, layout[j].0, name, &group)?;
        }
        i = j + 1;
    }
    for &(col, c, is_reason) in &layout {
        let text = if is_reason {
            reason_header(&c.id, lang)
        } else {
            c.caption.clone()
        };
        ws.write_string_with_format(h, col, &text, &head)?;
        ws.set_column_width(col, if is_reason { 22.0 } else { 16.0 })?;
    }
    if let Some(e) = evidence_col {
        ws.merge_range(
            g,
            e,
            h,
            e,
            lang.pick("Tài liệu kiểm chứng (đường dẫn)", "Evidence (links)"),
            &head,
        )?;
        ws.set_column_width(e, 40)?;
    }
    ws.set_row_height(h, 75)?;
    ws.set_column_width(0, 11)?;
    ws.set_column_width(1, 30)?;
    ws.set_column_width(2, 10)?;

    let units: Vec<_> = registry
        .units
        .iter()
        .filter(|u| c.covers(&u.unit_type))
        .collect();
    let first = h + 1;
    for (i, u) in units.iter().enumerate() {
        let r = first + i as u32;
        ws.write_string_with_format(r, 0, &u.code, &locked)?;
        ws.write_string_with_format(r, 1, &u.name, &locked)?;
        ws.write_string_with_format(r, 2, &u.unit_type, &locked)?;
        for &(col, _, is_reason) in &layout {
            ws.write_blank(r, col, if is_reason { &reason } else { &input })?;
        }
        if let Some(e) = evidence_col {
            ws.write_blank(r, e, &reason)?;
        }
    }
    if !units.is_empty() {
        let last = first + units.len() as u32 - 1;
        for &(col, c, is_reason) in &layout {
            if is_reason {
                continue;
            }
            let cell = format!(
                "{}{}",
                crate::support::text::column_letter(col as usize),
                first + 1
            );
            ws.add_data_validation(first, col, last, col, &validation(c, &cell, lang)?)?;
        }
    }
    ws.set_freeze_panes(first, 2)?;
    ws.protect();
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    // Printed as bands of columns, the unit's code and name repeated on each: as many pages wide
    // as it takes to show about ten inputs a page at a readable size (all of them on one page
    // wide would print a national set's 40 columns in 5 pt; at 100% it took 61 pages).
    let wide = layout.len().div_ceil(INPUTS_PER_PAGE).max(1) as u16;
    ws.set_print_fit_to_pages(wide, 0);
    ws.set_repeat_rows(g, h)?;
    ws.set_repeat_columns(0, 1)?;
    ws.set_footer(format!(
        "&C&\"{FONT},Regular\"&10{} &P/&N",
        lang.pick("Trang", "Page")
    ));
    Ok(())
}

/// Input columns a printed page of a data sheet shows beside the repeated code and name.
const INPUTS_PER_PAGE: usize = 10;

fn instructions(ws: &mut Worksheet, form: Form, lang: Lang) -> Result<(), XlsxError> {
    let bold = base().set_bold().set_font_size(13);
    let wrap = base().set_text_wrap().set_align(FormatAlign::Top);
    // Characters: a portrait A4 page's width in the sheet's type.
    const WIDTH: f64 = 90.0;
    ws.set_column_width(0, WIDTH)?;
    ws.write_string_with_format(
        0,
        0,
        lang.pick("HƯỚNG DẪN NHẬP LIỆU", "HOW TO FILL IN"),
        &bold,
    )?;
    let mut lines: Vec<&str> = match lang {
        Lang::Vi => vec![
            "1. Mỗi trang \"Số liệu\" là một bộ tiêu chí; mỗi dòng là một đơn vị. Mã, tên và loại đơn vị đã điền sẵn và bị khóa.",
            "2. Mỗi cột là một chỉ số, nằm dưới lĩnh vực của nó. Rê chuột vào ô để xem mã tiêu chí, điểm tối đa và cách tính điểm.",
            "3. Tỷ lệ nhập theo phần trăm từ 0 đến 100 (ví dụ 98,5); ô định dạng % (98,5%) cũng được đọc đúng. Có/không chọn trong danh sách.",
            "4. Tiêu chí không áp dụng cho đơn vị: nhập KAD (hoặc N/A). Không áp dụng khác với để trống: ô trống là thiếu dữ liệu, bị tính 0 điểm và được ghi chú.",
            "5. Không đổi tên trang, không chèn hay xóa cột: parindex tìm các cột theo tiêu đề. Có thể thêm dòng ghi chú dưới bảng.",
            "6. Nộp tệp này để chấm: parindex score --data TỆP.xlsx (đọc mọi trang số liệu, không cần khai báo thêm).",
        ],
        Lang::En => vec![
            "1. Each \"Data\" sheet is one criteria set; each row is one unit. Code, name and type are filled in and locked.",
            "2. Each column is one indicator, under its area. Point at a cell to see the criterion id, its maximum and its rule.",
            "3. Rates are percentages from 0 to 100 (e.g. 98.5); cells formatted as % (98.5%) are read right too. Yes/no from the list.",
            "4. A criterion that does not apply to the unit: enter KAD (or N/A). Not applicable is not the same as empty: an empty cell is missing data, scored 0 and flagged.",
            "5. Do not rename the sheets or insert or delete columns: parindex finds columns by their headers. Notes may go below the table.",
            "6. To score: parindex score --data FILE.xlsx (every data sheet is read, nothing else to declare).",
        ],
    };
    match (form, lang) {
        (Form::SelfAssessment, Lang::Vi) => lines.push("7. Tự đánh giá: không có cột điều tra xã hội học (đơn vị không tự chấm phần này). Ghi đường dẫn tài liệu kiểm chứng vào cột cuối, mỗi đường dẫn một dòng."),
        (Form::SelfAssessment, Lang::En) => lines.push("7. Self-assessment: there are no survey columns (units do not score the survey). Put links to evidence in the last column, one per line."),
        (Form::Appraisal, Lang::Vi) => lines.push("7. Thẩm định: sau mỗi cột chỉ số là cột \"Lý do điều chỉnh\" của tiêu chí đó; ghi lý do khi số liệu thẩm định khác số liệu tự đánh giá."),
        (Form::Appraisal, Lang::En) => lines.push("7. Appraisal: after each indicator column is its \"Reason\" column; give the reason whenever the appraised value differs from the self-assessment."),
        _ => {}
    }
    for (i, l) in lines.iter().enumerate() {
        ws.write_string_with_format(2 + i as u32, 0, *l, &wrap)?;
        // Each instruction's row as tall as its wrapped lines, and a line's space after it.
        let lines = super::xlsx::wrapped_lines(l, WIDTH);
        ws.set_row_height(2 + i as u32, 15.0 * (lines as f64 + 0.5))?;
    }
    // One page wide: the column is as wide as the portrait page.
    ws.set_paper_size(9);
    ws.set_margins(0.6, 0.6, 0.7, 0.7, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}
