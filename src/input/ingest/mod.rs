//! Reading input tables as users have them: CSV (any Excel export: UTF-8 with or without BOM,
//! Windows-1258, `,` `;` or tab), XLSX (a named or the first sheet, title rows above the header)
//! and Parquet. Everything becomes a [`Table`] of cells that remember where they came from
//! (file, row as Excel shows it, column letter), so later errors can point at them. Text is NFC;
//! numbers are not interpreted here beyond detecting the file's decimal mark.

pub mod csv;
pub mod layout;
pub mod parquet;
pub mod xlsx;

use std::path::{Path, PathBuf};

use crate::support::error::{Error, Result};
use crate::support::numfmt::{self, Evidence, Locale};
use crate::support::text;

/// A cell's content. Typed sources (XLSX numbers, Parquet numerics) give `Number`, which needs
/// no locale; text needs the table's locale to become a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    /// A number from a cell formatted as a percentage: Excel stores the fraction (0.9898 shown
    /// as 98.98%).
    Percent(f64),
}

/// How data says "not applicable", as keys (`text::key`: lower case, composed, spaces folded).
pub const NOT_APPLICABLE: [&str; 6] = ["n/a", "na", "không áp dụng", "khong ap dung", "kad", "k/a"];

impl Value {
    /// Is this cell the data's way of saying "not applicable" (one of [`NOT_APPLICABLE`])?
    pub fn is_not_applicable(&self) -> bool {
        match self {
            // Only a text whose key could begin like one of the words is normalised: when its
            // first character is plain ASCII and no combining mark follows it, composing leaves
            // it as it is, so the key starts with it in lower case — numbers, "có" and most
            // other cells are answered without building a key.
            Value::Text(s)
                if s.len() <= 40 && {
                    let mut cs = s.trim_start().chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), next)
                            if c.is_ascii()
                                && !next.is_some_and(
                                    unicode_normalization::char::is_combining_mark,
                                ) =>
                        {
                            let c = c.to_ascii_lowercase();
                            NOT_APPLICABLE.iter().any(|w| w.starts_with(c))
                        }
                        (c, _) => c.is_some(),
                    }
                } =>
            {
                NOT_APPLICABLE.contains(&crate::support::text::key(s).as_str())
            }
            _ => false,
        }
    }

    /// The value as read, for traces and reports.
    pub fn as_read(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Number(x) => numfmt::machine(*x),
            Value::Percent(x) => format!("{}%", numfmt::machine(percent_of(*x))),
        }
    }
}

/// The percentage a percent-formatted cell shows, without the binary noise of `× 100`
/// (0.9898 × 100 = 98.98000000000002).
pub fn percent_of(fraction: f64) -> f64 {
    numfmt::round_half_away(fraction * 100.0, 10)
}

/// A merged region of a sheet, 0-based (row, column) of its first and last cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first: (usize, usize),
    pub last: (usize, usize),
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
    /// Per column, other captions it answers to (the lower caption of a two-row header).
    pub alternatives: Vec<Vec<String>>,
    /// The unit-code column.
    pub code_col: usize,
    pub header_line: usize,
    pub rows: Vec<Row>,
    /// Decimal mark for text cells.
    pub locale: Locale,
    /// Notes for the run summary (encoding, detected locale, ambiguous values).
    pub notes: Vec<ReadNote>,
    /// SHA-256 of the file's bytes as read (for the method sheet).
    pub sha256: String,
}

impl Table {
    /// `C (ty_le_dung_han)`.
    pub fn column_label(&self, col: usize) -> String {
        format!("{} ({})", text::column_letter(col), self.headers[col])
    }

    pub fn cell(&self, row: usize, col: usize) -> &Value {
        self.rows[row].cells.get(col).unwrap_or(&Value::Empty)
    }

    /// Every caption a column answers to: its header and its alternatives.
    pub fn captions(&self, col: usize) -> impl Iterator<Item = &str> {
        std::iter::once(self.headers[col].as_str())
            .chain(self.alternatives[col].iter().map(String::as_str))
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

/// A file argument, optionally `path#sheet` for workbooks. The split is made at the `#` that
/// leaves an existing file, so both file names and sheet names may contain `#`; when no split
/// does, at the last `#`.
pub fn split_sheet(arg: &Path) -> (PathBuf, Option<String>) {
    let s = arg.to_string_lossy();
    if arg.exists() {
        return (arg.to_path_buf(), None);
    }
    let splits: Vec<usize> = s.match_indices('#').map(|(i, _)| i).collect();
    for &i in splits.iter().rev() {
        if Path::new(&s[..i]).is_file() {
            return (PathBuf::from(&s[..i]), Some(s[i + 1..].to_string()));
        }
    }
    match splits.last() {
        Some(&i) => (PathBuf::from(&s[..i]), Some(s[i + 1..].to_string())),
        None => (arg.to_path_buf(), None),
    }
}

/// The kinds of table file parindex reads, told by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.xlsx`, `.xlsm`, `.xls`, `.ods`.
    Workbook,
    /// `.parquet`, `.pq`.
    Parquet,
    /// `.csv`, `.txt`, `.tsv`.
    Csv,
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// The kind of a file argument (a `#sheet` suffix is ignored); `None` for anything else.
pub fn file_kind(arg: &Path) -> Option<FileKind> {
    match extension(&split_sheet(arg).0).as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => Some(FileKind::Workbook),
        "parquet" | "pq" => Some(FileKind::Parquet),
        "csv" | "txt" | "tsv" => Some(FileKind::Csv),
        _ => None,
    }
}

/// A table argument opened: its sheet (`FILE#SHEET`), the name messages give it, its extension,
/// its kind and its bytes.
struct Opened {
    sheet: Option<String>,
    name: String,
    ext: String,
    kind: FileKind,
    bytes: Vec<u8>,
}

/// Open a table argument: a kind parindex reads, and its bytes.
fn open(arg: &Path) -> Result<Opened> {
    let (path, sheet) = split_sheet(arg);
    let name = arg.display().to_string();
    let ext = extension(&path);
    let Some(kind) = file_kind(&path) else {
        return Err(Error::Usage(crate::tr!(
            "{name}: không nhận dạng được loại tệp `.{ext}`; parindex đọc .csv, .xlsx và .parquet",
            "{name}: unknown file type `.{ext}`; parindex reads .csv, .xlsx and .parquet"
        )));
    };
    let bytes = std::fs::read(&path).map_err(|source| Error::Read {
        path: path.clone(),
        source,
    })?;
    Ok(Opened {
        sheet,
        name,
        ext,
        kind,
        bytes,
    })
}

/// Read any supported table. `is_header` recognises the header row (title rows above it are
/// skipped); it is given the normalised key of each cell.
pub fn read_table(
    arg: &Path,
    locale: LocaleChoice,
    is_header: &dyn Fn(&str) -> bool,
) -> Result<Table> {
    let (name, grid, sha256) = read_hashed(arg)?;
    let mut t = table_from_grid(grid, name, locale, is_header)?;
    t.sha256 = sha256;
    Ok(t)
}

/// Open a table argument and read its rows; each input is read once: its bytes are hashed (for
/// the method sheet) and parsed. Returns its name, its rows and the hash.
fn read_hashed(arg: &Path) -> Result<(String, Grid, String)> {
    let Opened {
        sheet,
        name,
        ext,
        kind,
        bytes,
    } = open(arg)?;
    let sha256 = crate::input::criteria::sha256_hex(&bytes);
    let grid = match kind {
        FileKind::Workbook => xlsx::read_bytes(bytes, &ext, sheet.as_deref(), &name)?,
        FileKind::Parquet => parquet::read_bytes(bytes, &name)?,
        FileKind::Csv => csv::read_bytes(&bytes, &name)?,
    };
    Ok((name, grid, sha256))
}

/// Read a table argument as rows of cells, with no header or unit-code logic (a criteria
/// annex: `criteria import`). Returns the name messages give it and its rows.
pub fn read_grid(arg: &Path) -> Result<(String, Grid)> {
    read_hashed(arg).map(|(name, grid, _)| (name, grid))
}

/// Open a table argument as `score` will read it, without making a table of it: the file is of a
/// kind parindex reads, a workbook has the sheet named (or, a filled template, its data sheets), a
/// CSV decodes and parses, a Parquet file has its markers (its pages are decoded by `score`, in a
/// supervised process). For `check`, which reads no data.
pub fn probe(arg: &Path) -> Result<()> {
    let Opened {
        sheet,
        name,
        ext,
        kind,
        bytes,
    } = open(arg)?;
    match kind {
        FileKind::Workbook => {
            let template = (sheet.is_none() && matches!(ext.as_str(), "xlsx" | "xlsm"))
                .then(|| xlsx::template_sheets(&bytes))
                .flatten();
            match template {
                Some(sheets) => {
                    for s in sheets {
                        let name = format!("{name}#{s}");
                        xlsx::read_bytes(bytes.clone(), &ext, Some(&s), &name)?;
                    }
                }
                None => {
                    xlsx::read_bytes(bytes, &ext, sheet.as_deref(), &name)?;
                }
            }
        }
        FileKind::Csv => {
            csv::read_bytes(&bytes, &name)?;
        }
        FileKind::Parquet => {
            let marked =
                bytes.len() >= 12 && bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1");
            if !marked {
                return Err(Error::data(
                    name,
                    crate::tr!(
                        "không phải tệp Parquet (thiếu dấu PAR1 ở đầu hoặc cuối tệp): tệp bị cắt hoặc có đuôi sai",
                        "not a Parquet file (no PAR1 marker at its start or end): cut short or misnamed"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The document property in which a workbook made by `parindex template` lists its data
/// sheets, one per line.
pub const TEMPLATE_SHEETS_PROPERTY: &str = "parindex-template-sheets";

/// Read a table argument as one or more tables: a workbook made by `parindex template` and
/// given without `#sheet` yields every one of its data sheets (named `file#sheet`); anything
/// else is [`read_table`].
pub fn read_tables(
    arg: &Path,
    locale: LocaleChoice,
    is_header: &dyn Fn(&str) -> bool,
) -> Result<Vec<Table>> {
    let (path, sheet) = split_sheet(arg);
    if sheet.is_none() && matches!(extension(&path).as_str(), "xlsx" | "xlsm") {
        let bytes = std::fs::read(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        if let Some(sheets) = xlsx::template_sheets(&bytes) {
            let sha256 = crate::input::criteria::sha256_hex(&bytes);
            let ext = extension(&path);
            let mut out = Vec::new();
            let mut issues = Vec::new();
            for s in sheets {
                let name = format!("{}#{s}", arg.display());
                let grid = match xlsx::read_bytes(bytes.clone(), &ext, Some(&s), &name) {
                    Ok(g) => g,
                    Err(Error::Data(mut more)) => {
                        issues.append(&mut more);
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                match table_from_grid(grid, name, locale, is_header) {
                    Ok(mut t) => {
                        t.sha256 = sha256.clone();
                        out.push(t);
                    }
                    Err(Error::Data(mut more)) => issues.append(&mut more),
                    Err(e) => return Err(e),
                }
            }
            return if issues.is_empty() {
                Ok(out)
            } else {
                Err(Error::Data(issues))
            };
        }
    }
    read_table(arg, locale, is_header).map(|t| vec![t])
}

/// The table inside rows already read: the header (title rows above it skipped, a two-row
/// header combined), the body without column-number, totals and signature rows, the locale.
/// Public for the fuzz targets, which feed it rows read from bytes.
pub fn table_from_grid(
    grid: Grid,
    name: String,
    locale: LocaleChoice,
    is_header: &dyn Fn(&str) -> bool,
) -> Result<Table> {
    let header = layout::find_header(&grid.rows, &grid.merges, is_header).ok_or_else(|| {
        Error::data(
            &name,
            crate::tr!("không tìm thấy dòng tiêu đề trong 20 dòng đầu (cần một cột như `unit_code` hoặc `Mã đơn vị`)", "no header row found in the first 20 rows (expected a column such as `unit_code` or `Mã đơn vị`)"),
        )
    })?;
    let header_line = grid.rows[header.first].line;
    let code_col = header.code_col;
    let mut notes = grid.notes;
    let mut skipped = header.skipped.clone();
    let mut rows: Vec<Row> = Vec::new();
    let mut in_footer = false;
    for r in grid.rows.into_iter().skip(header.body) {
        // Drop blank rows (Excel keeps formatted empty rows at the end).
        if r.cells.iter().all(|c| *c == Value::Empty) {
            continue;
        }
        let no_code = match r.cells.get(code_col) {
            None | Some(Value::Empty) => true,
            Some(Value::Text(t)) => layout::opens_footer_text(t),
            Some(_) => false,
        };
        if no_code && (in_footer || layout::opens_footer(&r)) {
            in_footer = true;
            skipped.push(r.line);
            continue;
        }
        rows.push(r);
    }
    if !skipped.is_empty() {
        notes.push(ReadNote::Skipped(skipped));
    }
    let locale = decide_locale(&name, &rows, locale, grid.delimiter, &mut notes)?;
    Ok(Table {
        sha256: String::new(),
        name,
        headers: header.captions,
        alternatives: header.alternatives,
        code_col,
        header_line,
        rows,
        locale,
        notes,
    })
}

/// `3, 25, 27–30`.
pub fn line_list(lines: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j + 1 < lines.len() && lines[j + 1] == lines[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}–{}", lines[i], lines[j])
        } else {
            lines[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// What the reader noticed about a table, said in the run's notes (worded by
/// `report::words::read_note`, with the table's name).
#[derive(Debug, Clone, PartialEq)]
pub enum ReadNote {
    /// Read as UTF-8, with or without a byte-order mark.
    Utf8 { bom: bool },
    /// Not UTF-8: read as Windows-1258.
    Windows1258,
    /// Rows that are not unit data (column numbers, totals, signatures), by line.
    Skipped(Vec<usize>),
    /// The decimal mark found, with a cell that shows it.
    Detected { locale: Locale, example: String },
    /// No number tells; the `;` separator implies the decimal comma.
    CommaFromSemicolon,
    /// Values that read either way, and the reading taken.
    Ambiguous {
        count: usize,
        example: String,
        locale: Locale,
    },
}

/// Rows as read, before the header is known.
pub struct Grid {
    pub rows: Vec<Row>,
    pub notes: Vec<ReadNote>,
    /// The CSV separator, a hint for the locale.
    pub delimiter: Option<u8>,
    /// Merged regions (workbooks only).
    pub merges: Vec<Merge>,
}

fn decide_locale(
    name: &str,
    rows: &[Row],
    choice: LocaleChoice,
    delimiter: Option<u8>,
    notes: &mut Vec<ReadNote>,
) -> Result<Locale> {
    let mut first_vi: Option<String> = None;
    let mut first_en: Option<String> = None;
    let mut ambiguous: Vec<String> = Vec::new();
    let mut n_vi = 0usize;
    let mut n_en = 0usize;
    for r in rows {
        for (c, v) in r.cells.iter().enumerate() {
            let Value::Text(s) = v else { continue };
            let at = || {
                format!(
                    "{}{} \"{}\"",
                    text::column_letter(c),
                    r.line,
                    text::clip(s, 40)
                )
            };
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
            notes.push(ReadNote::Detected {
                locale: Locale::Vi,
                example: v,
            });
            Locale::Vi
        }
        (None, Some(e)) => {
            notes.push(ReadNote::Detected {
                locale: Locale::En,
                example: e,
            });
            Locale::En
        }
        (None, None) if !ambiguous.is_empty() => {
            if delimiter == Some(b';') {
                notes.push(ReadNote::CommaFromSemicolon);
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
        notes.push(ReadNote::Ambiguous {
            count: ambiguous.len(),
            example: ambiguous[0].clone(),
            locale,
        });
    }
    Ok(locale)
}

#[cfg(test)]
mod tests {
    use super::Value;

    /// The ways data says "not applicable" are recognised whatever their case, spacing, marks
    /// written as combining characters or a byte-order mark; numbers and other words are not.
    #[test]
    fn not_applicable_words() {
        let na = |s: &str| Value::Text(s.to_string()).is_not_applicable();
        for s in [
            "N/A",
            " n/a ",
            "NA",
            "Không áp dụng",
            "KHÔNG  ÁP DỤNG",
            "Kho\u{0302}ng a\u{0301}p du\u{0323}ng",
            "khong ap dung",
            "KAD",
            "k/a",
            "\u{feff}KAD",
            "\u{a0}n/a",
        ] {
            assert!(na(s), "{s:?}");
        }
        for s in [
            "có",
            "Không",
            "Đạt",
            "12",
            "-3",
            "0,5",
            "x",
            "nam",
            "",
            "n/a n/a",
            "n\u{0303}a",
        ] {
            assert!(!na(s), "{s:?}");
        }
        assert!(!Value::Empty.is_not_applicable());
    }
}
