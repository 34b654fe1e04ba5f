//! Workbooks through calamine (polars has no XLSX reader in Rust): a named sheet or the first,
//! typed cells kept typed (a number stays a number and needs no locale), row numbers as Excel
//! shows them even when the used range starts below row 1.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::{Grid, Row, Value};
use crate::error::{Error, Result};
use crate::text;

pub fn read(path: &Path, sheet: Option<&str>, name: &str) -> Result<Grid> {
    if !path.exists() {
        return Err(Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let mut wb = open_workbook_auto(path).map_err(|e| {
        Error::data(
            name,
            crate::tr!(
                "không mở được tệp Excel: {e}",
                "cannot open the workbook: {e}"
            ),
        )
    })?;
    let names = wb.sheet_names();
    let sheet_name = match sheet {
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
            })?,
        None => names.first().cloned().ok_or_else(|| {
            Error::data(
                name,
                crate::tr!(
                    "tệp Excel không có trang tính nào",
                    "the workbook has no sheet"
                ),
            )
        })?,
    };
    let range = wb.worksheet_range(&sheet_name).map_err(|e| {
        Error::data(
            name,
            crate::tr!(
                "không đọc được trang tính `{sheet_name}`: {e}",
                "cannot read sheet `{sheet_name}`: {e}"
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
            out.extend(cells.iter().map(value));
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
    })
}

fn value(d: &Data) -> Value {
    match d {
        Data::Empty => Value::Empty,
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) if f.is_nan() => Value::Empty,
        Data::Float(f) => Value::Number(*f),
        Data::Bool(b) => Value::Text(if *b { "true".into() } else { "false".into() }),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let t = text::nfc(s);
            if t.is_empty() {
                Value::Empty
            } else {
                Value::Text(t)
            }
        }
        Data::DateTime(dt) => Value::Number(dt.as_f64()),
        Data::Error(e) => Value::Text(format!("#{e:?}")),
    }
}
