//! Reading input tables as users have them: CSV (any Excel export: UTF-8 with or without BOM,
//! Windows-1258, `,` `;` or tab), XLSX (a named or the first sheet, title rows above the header)
//! and Parquet. Everything becomes a [`Table`] of cells that remember where they came from
//! (file, row as Excel shows it, column letter), so later errors can point at them. Text is NFC;
//! numbers are not interpreted here beyond detecting the file's decimal mark.

pub mod csv;
pub mod parquet;
pub mod xlsx;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::numfmt::{self, Evidence, Locale};
use crate::text;

/// A cell's content. Typed sources (XLSX numbers, Parquet numerics) give `Number`, which needs
/// no locale; text needs the table's locale to become a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
}

impl Value {
    /// The value as read, for traces and reports.
    pub fn as_read(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Number(x) => numfmt::machine(*x),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based row as Excel or an editor shows it.
    pub line: usize,
    pub cells: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The path as the user gave it (with `#sheet` when one was named).
    pub name: String,
    pub headers: Vec<String>,
    pub header_line: usize,
    pub rows: Vec<Row>,
    /// Decimal mark for text cells.
    pub locale: Locale,
    /// Notes for the run summary (encoding, detected locale, ambiguous values).
    pub notes: Vec<String>,
}

impl Table {
    /// `C (ty_le_dung_han)`.
    pub fn column_label(&self, col: usize) -> String {
        format!("{} ({})", text::column_letter(col), self.headers[col])
    }

    pub fn cell(&self, row: usize, col: usize) -> &Value {
        self.rows[row].cells.get(col).unwrap_or(&Value::Empty)
    }
}

/// How the caller wants numbers read: a declared locale or detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LocaleChoice {
    #[default]
    Auto,
    Vi,
    En,
}

/// A file argument, optionally `path#sheet` for workbooks.
pub fn split_sheet(arg: &Path) -> (PathBuf, Option<String>) {
    let s = arg.to_string_lossy();
    if !arg.exists() {
        if let Some((p, sheet)) = s.rsplit_once('#') {
            return (PathBuf::from(p), Some(sheet.to_string()));
        }
    }
    (arg.to_path_buf(), None)
}

/// Read any supported table. `is_header` recognises the header row (title rows above it are
/// skipped); it is given the normalised key of each cell.
pub fn read_table(
    arg: &Path,
    locale: LocaleChoice,
    is_header: &dyn Fn(&str) -> bool,
) -> Result<Table> {
    let (path, sheet) = split_sheet(arg);
    let name = arg.display().to_string();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let grid = match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => xlsx::read(&path, sheet.as_deref(), &name)?,
        "parquet" | "pq" => parquet::read(&path, &name)?,
        "csv" | "txt" | "tsv" => csv::read(&path, &name)?,
        _ => {
            return Err(Error::Usage(crate::tr!(
            "{name}: không nhận dạng được loại tệp `.{ext}`; parindex đọc .csv, .xlsx và .parquet",
            "{name}: unknown file type `.{ext}`; parindex reads .csv, .xlsx and .parquet"
        )))
        }
    };
    let (header_idx, headers) = find_header(&grid.rows, is_header).ok_or_else(|| {
        Error::data(
            &name,
            crate::tr!("không tìm thấy dòng tiêu đề trong 20 dòng đầu (cần một cột như `unit_code` hoặc `Mã đơn vị`)", "no header row found in the first 20 rows (expected a column such as `unit_code` or `Mã đơn vị`)"),
        )
    })?;
    let header_line = grid.rows[header_idx].line;
    let mut rows: Vec<Row> = grid.rows.into_iter().skip(header_idx + 1).collect();
    // Drop blank rows (Excel keeps formatted empty rows at the end).
    rows.retain(|r| r.cells.iter().any(|c| *c != Value::Empty));
    let mut notes = grid.notes;
    let locale = decide_locale(&name, &rows, locale, grid.delimiter, &mut notes)?;
    Ok(Table {
        name,
        headers,
        header_line,
        rows,
        locale,
        notes,
    })
}

/// Rows as read, before the header is known.
pub struct Grid {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
    /// The CSV separator, a hint for the locale.
    pub delimiter: Option<u8>,
}

fn find_header(rows: &[Row], is_header: &dyn Fn(&str) -> bool) -> Option<(usize, Vec<String>)> {
    rows.iter().take(20).enumerate().find_map(|(i, r)| {
        let keys: Vec<String> = r
            .cells
            .iter()
            .map(|c| match c {
                Value::Text(s) => text::nfc(s),
                Value::Number(x) => numfmt::machine(*x),
                Value::Empty => String::new(),
            })
            .collect();
        keys.iter()
            .any(|k| is_header(&text::key(k)))
            .then_some((i, keys))
    })
}

fn decide_locale(
    name: &str,
    rows: &[Row],
    choice: LocaleChoice,
    delimiter: Option<u8>,
    notes: &mut Vec<String>,
) -> Result<Locale> {
    let mut first_vi: Option<String> = None;
    let mut first_en: Option<String> = None;
    let mut ambiguous: Vec<String> = Vec::new();
    let mut n_vi = 0usize;
    let mut n_en = 0usize;
    for r in rows {
        for (c, v) in r.cells.iter().enumerate() {
            let Value::Text(s) = v else { continue };
            let at = || format!("{}{} \"{}\"", text::column_letter(c), r.line, s);
            match numfmt::evidence(s) {
                Evidence::Vi => {
                    n_vi += 1;
                    first_vi.get_or_insert_with(at);
                }
                Evidence::En => {
                    n_en += 1;
                    first_en.get_or_insert_with(at);
                }
                Evidence::Ambiguous => ambiguous.push(at()),
                _ => {}
            }
        }
    }
    let declared = match choice {
        LocaleChoice::Vi => Some(Locale::Vi),
        LocaleChoice::En => Some(Locale::En),
        LocaleChoice::Auto => None,
    };
    if let Some(l) = declared {
        return Ok(l);
    }
    let locale = match (first_vi, first_en) {
        (Some(v), Some(e)) => {
            return Err(Error::data(
                name,
                crate::tr!(
                    "số được viết cả với dấu phẩy thập phân ({v}, {n_vi} ô) lẫn dấu chấm thập phân ({e}, {n_en} ô); \
                     hãy sửa tệp hoặc chỉ rõ bằng --locale vi hoặc --locale en",
                    "numbers are written both with a decimal comma ({v}, {n_vi} cells) and a decimal point ({e}, {n_en} cells); \
                     fix the file or state the locale with --locale vi or --locale en"
                ),
            ))
        }
        (Some(v), None) => {
            notes.push(crate::tr!("{name}: phát hiện {} (ví dụ {v})", "{name}: {} detected (e.g. {v})", Locale::Vi.describe()));
            Locale::Vi
        }
        (None, Some(e)) => {
            notes.push(crate::tr!("{name}: phát hiện {} (ví dụ {e})", "{name}: {} detected (e.g. {e})", Locale::En.describe()));
            Locale::En
        }
        (None, None) if !ambiguous.is_empty() => {
            if delimiter == Some(b';') {
                notes.push(crate::tr!("{name}: không có số nào xác định được kiểu viết; coi dấu phẩy là dấu thập phân vì tệp dùng dấu `;`", "{name}: no unambiguous number; decimal comma assumed from the `;` separator"
                ));
                Locale::Vi
            } else {
                return Err(Error::data(
                    name,
                    crate::tr!("không xác định được dấu chấm trong {} là dấu phân cách hàng nghìn hay dấu thập phân; hãy chỉ rõ bằng --locale vi hoặc --locale en", "cannot tell whether {} means a thousands separator or a decimal point; state the locale with --locale vi or --locale en",
                        ambiguous[0]
                    ),
                ));
            }
        }
        (None, None) => Locale::Vi,
    };
    if !ambiguous.is_empty() {
        notes.push(crate::tr!(
            "{name}: {} giá trị như {} có thể hiểu theo hai cách; đã đọc theo kiểu {}",
            "{name}: {} value(s) such as {} could be read either way; read with {}",
            ambiguous.len(),
            ambiguous[0],
            locale.describe()
        ));
    }
    Ok(locale)
}
