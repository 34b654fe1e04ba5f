//! Workbooks through calamine (polars has no XLSX reader in Rust): a named sheet or the first,
//! typed cells kept typed (a number stays a number and needs no locale), a cell formatted as a
//! percentage kept as a percentage, merged regions passed on for two-row headers, and row
//! numbers as Excel shows them. It also owns the size guards that keep a hostile or damaged
//! workbook from exhausting memory: parts are measured in the zip directory before calamine
//! reads them, and cells are collected sparsely, so a lone value in `XFD1048576` costs one cell.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use calamine::{open_workbook_auto_from_rs, Data, Reader, Xlsx};

use super::{Grid, Merge, Row, Value};
use crate::support::error::{Error, Result};
use crate::support::text;

/// No single XML part of an office table comes near this once unpacked.
const MAX_PART_BYTES: u64 = 256 << 20;
/// Shared strings are read whole by calamine before any sheet: keep them small.
const MAX_SHARED_STRINGS_BYTES: u64 = 64 << 20;
/// Cells with a value in one sheet (a national table of 3,321 units × 100 columns is 0.3 M).
const MAX_CELLS: usize = 5_000_000;
/// Excel's own limits.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLS: u32 = 16_384;

/// Rows of a workbook's bytes; `ext` (lower case) chooses the reader.
pub fn read_bytes(bytes: Vec<u8>, ext: &str, sheet: Option<&str>, name: &str) -> Result<Grid> {
    // A reader bug must not take the run down: calamine runs on this thread, so a panic in it
    // becomes an error naming the file (allocation failures are prevented by the guards).
    crate::support::guard::isolate(|| {
        if ext == "xlsx" || ext == "xlsm" {
            read_xlsx(bytes, sheet, name)
        } else {
            read_other(bytes, sheet, name)
        }
    })
    .unwrap_or_else(|why| Err(damaged(name, why)))
}

/// The data sheets of a workbook written by `parindex template` (listed in its document
/// property, one per line), so that a filled template is read whole without `#sheet`.
pub fn template_sheets(bytes: &[u8]) -> Option<Vec<String>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut part = zip.by_name("docProps/custom.xml").ok()?;
    if part.size() > 1 << 20 {
        return None;
    }
    let mut xml = String::new();
    part.read_to_string(&mut xml).ok()?;
    let at = xml.find(&format!("name=\"{}\"", super::TEMPLATE_SHEETS_PROPERTY))?;
    let rest = &xml[at..];
    let start = rest.find("<vt:lpwstr>")? + "<vt:lpwstr>".len();
    let end = rest[start..].find("</vt:lpwstr>")? + start;
    let text = rest[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#10;", "\n")
        .replace("&amp;", "&");
    let sheets: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    (!sheets.is_empty()).then_some(sheets)
}

fn damaged(name: &str, why: impl std::fmt::Display) -> Error {
    Error::data(
        name,
        crate::tr!(
            "tệp Excel bị hỏng hoặc không đúng định dạng ({why})",
            "the workbook is damaged or not in XLSX format ({why})"
        ),
    )
}

fn open_error(name: &str, e: impl std::fmt::Display) -> Error {
    Error::data(
        name,
        crate::tr!(
            "không mở được tệp Excel: {}",
            "cannot open the workbook: {}",
            text::clip(&e.to_string(), 200)
        ),
    )
}

/// Measure every part in the zip directory before anything is unpacked.
fn check_parts(bytes: &[u8], name: &str) -> Result<()> {
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| damaged(name, e))?;
    for i in 0..zip.len() {
        let (part, size) = {
            let f = zip.by_index_raw(i).map_err(|e| damaged(name, e))?;
            (
                f.name().map(|n| n.to_string()).unwrap_or_default(),
                f.size(),
            )
        };
        let lower = part.to_lowercase();
        let limit = if lower.ends_with("sharedstrings.xml") {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_PART_BYTES
        };
        if size > limit && (lower.ends_with(".xml") || lower.ends_with(".rels")) {
            return Err(Error::data(
                name,
                crate::tr!(
                    "phần `{}` của tệp Excel lớn {} MB khi giải nén, vượt giới hạn {} MB; tệp có thể bị hỏng — hãy mở bằng Excel và lưu lại",
                    "the workbook part `{}` unpacks to {} MB, over the limit of {} MB; the file may be damaged — open it in Excel and save it again",
                    text::clip(&part, 80),
                    size >> 20,
                    limit >> 20
                ),
            ));
        }
        if lower.ends_with("sharedstrings.xml") {
            check_string_count(&mut zip, i, size, name)?;
        }
    }
    Ok(())
}

/// calamine reserves room for the count the part declares; a count the part cannot hold is a lie.
fn check_string_count<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    i: usize,
    size: u64,
    name: &str,
) -> Result<()> {
    let f = zip.by_index(i).map_err(|e| damaged(name, e))?;
    let mut head = Vec::with_capacity(4096);
    f.take(4096)
        .read_to_end(&mut head)
        .map_err(|e| damaged(name, e))?;
    let head = String::from_utf8_lossy(&head);
    for attr in ["uniqueCount=\"", "count=\""] {
        if let Some(at) = head.find(attr) {
            let digits: String = head[at + attr.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            // `<si/>` is five bytes: a part of `size` bytes holds at most size / 5 strings.
            let n: u64 = digits.parse().unwrap_or(u64::MAX);
            if n > size / 5 + 1 {
                return Err(damaged(
                    name,
                    crate::tr!(
                        "bảng chuỗi khai báo {n} chuỗi nhưng chỉ có {size} byte",
                        "the string table declares {n} strings in {size} bytes"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Is an Excel number format a percentage? `%` outside quoted text, `[...]` and `\` escapes.
pub fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut bracket = false;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            '%' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

fn pick_sheet(names: &[String], sheet: Option<&str>, name: &str) -> Result<String> {
    match sheet {
        Some(s) => names
            .iter()
            .find(|n| text::key(n) == text::key(s))
            .cloned()
            .ok_or_else(|| {
                Error::data(
                    name,
                    crate::tr!(
                        "không có trang tính `{s}`; tệp có: {}",
                        "no sheet named `{s}`; the workbook has: {}",
                        names.join(", ")
                    ),
                )
            }),
        None => names.first().cloned().ok_or_else(|| {
            Error::data(
                name,
                crate::tr!(
                    "tệp Excel không có trang tính nào",
                    "the workbook has no sheet"
                ),
            )
        }),
    }
}

fn read_xlsx(bytes: Vec<u8>, sheet: Option<&str>, name: &str) -> Result<Grid> {
    check_parts(&bytes, name)?;
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| open_error(name, e))?;
    let sheet_name = pick_sheet(&wb.sheet_names(), sheet, name)?;
    let merges = wb
        .merge_cells_by_sheet_name(&sheet_name)
        .unwrap_or_default()
        .into_iter()
        .map(|d| Merge {
            first: (d.start.0 as usize, d.start.1 as usize),
            last: (d.end.0 as usize, d.end.1 as usize),
        })
        .collect();
    let cant_read = |e: calamine::XlsxError| {
        Error::data(
            name,
            crate::tr!(
                "không đọc được trang tính `{sheet_name}`: {}",
                "cannot read sheet `{sheet_name}`: {}",
                text::clip(&e.to_string(), 200)
            ),
        )
    };
    let mut reader = wb.worksheet_cells_reader(&sheet_name).map_err(cant_read)?;
    let percent: Vec<bool> = reader
        .styles()
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .is_some_and(|f| is_percent_format(&f.format_code))
        })
        .collect();
    let mut sparse: BTreeMap<u32, Vec<(u32, Value)>> = BTreeMap::new();
    let mut count = 0usize;
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(cant_read)? {
        let (r, c) = cell.get_position();
        if r >= MAX_ROWS || c >= MAX_COLS {
            return Err(damaged(
                name,
                crate::tr!(
                    "ô ở dòng {} cột {} nằm ngoài giới hạn của Excel",
                    "a cell at row {} column {} lies outside Excel's limits",
                    u64::from(r) + 1,
                    u64::from(c) + 1
                ),
            ));
        }
        let v = value(
            Data::from(cell.get_value().clone()),
            percent.get(style).copied().unwrap_or(false),
        );
        if v == Value::Empty {
            continue;
        }
        count += 1;
        if count > MAX_CELLS {
            return Err(Error::data(
                name,
                crate::tr!(
                    "trang tính `{sheet_name}` có hơn {MAX_CELLS} ô có dữ liệu; parindex đọc bảng chỉ số, không đọc bảng lớn như vậy",
                    "sheet `{sheet_name}` has more than {MAX_CELLS} cells with data; parindex reads indicator tables, not tables this large"
                ),
            ));
        }
        sparse.entry(r).or_default().push((c, v));
    }
    let rows = sparse
        .into_iter()
        .map(|(r, cells)| {
            let width = cells
                .iter()
                .map(|(c, _)| *c as usize + 1)
                .max()
                .unwrap_or(0);
            let mut out = vec![Value::Empty; width];
            for (c, v) in cells {
                out[c as usize] = v;
            }
            Row {
                line: r as usize + 1,
                cells: out,
            }
        })
        .collect();
    Ok(Grid {
        rows,
        notes: vec![],
        delimiter: None,
        merges,
    })
}

/// `.xls` and `.ods` through calamine's generic reader (no number formats there).
fn read_other(bytes: Vec<u8>, sheet: Option<&str>, name: &str) -> Result<Grid> {
    let mut wb =
        open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| open_error(name, e))?;
    let sheet_name = pick_sheet(&wb.sheet_names(), sheet, name)?;
    let range = wb.worksheet_range(&sheet_name).map_err(|e| {
        Error::data(
            name,
            crate::tr!(
                "không đọc được trang tính `{sheet_name}`: {}",
                "cannot read sheet `{sheet_name}`: {}",
                text::clip(&e.to_string(), 200)
            ),
        )
    })?;
    let (row0, col0) = range
        .start()
        .map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut out: Vec<Value> = vec![Value::Empty; col0];
            out.extend(cells.iter().map(|d| value(d.clone(), false)));
            Row {
                line: row0 + i + 1,
                cells: out,
            }
        })
        .collect();
    Ok(Grid {
        rows,
        notes: vec![],
        delimiter: None,
        merges: vec![],
    })
}

fn text_value(s: &str) -> Value {
    let t = text::nfc(s);
    if t.is_empty() {
        Value::Empty
    } else {
        Value::Text(t)
    }
}

fn number(x: f64, percent: bool) -> Value {
    if x.is_nan() {
        Value::Empty
    } else if percent {
        Value::Percent(x)
    } else {
        Value::Number(x)
    }
}

/// A cell as the rest of the program sees it; `percent`: its number format is a percentage.
fn value(d: Data, percent: bool) -> Value {
    match d {
        Data::Empty => Value::Empty,
        Data::Int(i) => number(i as f64, percent),
        Data::Float(f) => number(f, percent),
        Data::Bool(b) => Value::Text(if b { "true".into() } else { "false".into() }),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text_value(&s),
        Data::DateTime(dt) => Value::Number(dt.as_f64()),
        Data::Error(e) => Value::Text(format!("#{e:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        for f in [
            "0%",
            "0.00%",
            "0,00%",
            "#,##0.0%;[Red]-#,##0.0%",
            "0.0\" \"%",
        ] {
            assert!(is_percent_format(f), "{f}");
        }
        for f in [
            "General",
            "0.00",
            "0.00\"%\"",
            "0\\%",
            "[$%-409]0.00",
            "dd/mm/yyyy",
        ] {
            assert!(!is_percent_format(f), "{f}");
        }
    }
}
