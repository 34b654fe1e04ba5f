//! Parquet tables through polars: numeric columns arrive as numbers, everything else as text.
//! Parquet has no visible rows, so row N is the N-th record (header counts as row 1, as in a
//! CSV export of the same table).

use polars::prelude::*;

use super::{Grid, Row, Value};
use crate::support::error::{Error, Result};

pub fn read_bytes(bytes: Vec<u8>, name: &str) -> Result<Grid> {
    let file = std::io::Cursor::new(bytes);
    // polars-parquet 0.55 panics on some damaged footers and pages: isolate the read.
    let damaged = |why: String| {
        Error::data(
            name,
            crate::tr!(
                "không đọc được: tệp Parquet bị hỏng ({})",
                "cannot read: damaged Parquet ({})",
                crate::support::text::clip(&why, 200)
            ),
        )
    };
    let df = crate::support::guard::isolate(|| ParquetReader::new(file).finish())
        .map_err(damaged)?
        .map_err(|e| damaged(e.to_string()))?;
    let height = df.height();
    let mut header = Vec::new();
    let mut rows: Vec<Row> = (0..height)
        .map(|i| Row {
            line: i + 2,
            cells: Vec::with_capacity(df.width()),
        })
        .collect();
    for col in df.columns() {
        header.push(Value::Text(col.name().to_string()));
        let err = |e: PolarsError| {
            Error::data(
                name,
                crate::tr!("cột {}: {e}", "column {}: {e}", col.name()),
            )
        };
        if col.dtype().is_primitive_numeric() {
            let c = col.cast(&DataType::Float64).map_err(err)?;
            for (row, v) in rows.iter_mut().zip(c.f64().map_err(err)?.iter()) {
                row.cells.push(match v {
                    Some(x) if !x.is_nan() => Value::Number(x),
                    _ => Value::Empty,
                });
            }
        } else {
            let c = col.cast(&DataType::String).map_err(err)?;
            for (row, v) in rows.iter_mut().zip(c.str().map_err(err)?.iter()) {
                row.cells.push(match v.map(crate::support::text::nfc) {
                    Some(s) if !s.is_empty() => Value::Text(s),
                    _ => Value::Empty,
                });
            }
        }
    }
    let mut all = vec![Row {
        line: 1,
        cells: header,
    }];
    all.append(&mut rows);
    Ok(Grid {
        rows: all,
        notes: vec![],
        delimiter: None,
        merges: vec![],
    })
}
