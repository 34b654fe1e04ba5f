//! The Parquet side of the reader: the file is cut into slices along its row groups (at most
//! [`SLICE`] records each), every worker decodes one slice at a time with polars' Parquet reader
//! (only the nine used columns) and hands it on as a frame, and the columns a record needs are
//! turned into the same values the CSV side gives (text dates parsed, typed dates as days, words
//! as text). Memory: one decoded slice per worker.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use polars::prelude::*;

use super::super::{perr, Options, BAD_DATE};
use super::{Stop, USED};
use crate::support::calendar as dates;
use crate::support::error::{Error, Result};

/// Records decoded at once by one worker.
const SLICE: usize = 1 << 20;

/// Where a Parquet file's used columns are and how it is cut.
pub(super) struct Slices {
    pub(super) columns: [String; 9],
    pub(super) slices: Vec<(usize, usize)>,
    metadata: polars::io::parquet::metadata::FileMetadataRef,
}

fn open(path: &Path) -> Result<ParquetReader<std::fs::File>> {
    let f = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(ParquetReader::new(f))
}

/// The schema's used columns (the mapping's names first) and the slices along the row groups.
pub(super) fn slices(path: &Path, o: &Options) -> Result<Slices> {
    let err = perr(path);
    let mut r = open(path)?;
    let schema = r.schema().map_err(&err)?;
    let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
    let found = super::super::find_columns(path, &names, o)?;
    let columns = USED.map(|canon| names[found[canon]].to_string());
    let metadata = r.get_metadata().map_err(&err)?.clone();
    let mut slices = Vec::new();
    let mut offset = 0usize;
    for rg in &metadata.row_groups {
        let n = rg.num_rows();
        let mut done = 0;
        while done < n {
            let len = SLICE.min(n - done);
            slices.push((offset + done, len));
            done += len;
        }
        offset += n;
    }
    Ok(Slices {
        columns,
        slices,
        metadata,
    })
}

/// Run `work` on every slice of a file with `o.threads` workers; slice `i` is block `i`.
pub(super) fn frames_of_file<S: Send>(
    o: &Options,
    fi: usize,
    s: &Slices,
    wanted: &[usize],
    init: &(impl Fn() -> S + Sync),
    work: &(impl Fn(&mut S, u32, u32, &DataFrame) -> std::result::Result<(), Stop> + Sync),
) -> std::result::Result<Vec<S>, Stop> {
    let path = &o.files[fi];
    let next = AtomicUsize::new(0);
    let columns: Vec<String> = wanted.iter().map(|&k| s.columns[k].clone()).collect();
    super::pool(
        o.threads,
        path,
        init,
        || (),
        |_: &mut ()| {
            let i = next.fetch_add(1, Relaxed);
            Ok((i < s.slices.len()).then_some(i as u32))
        },
        |st, i, _| {
            // Decoded outside the pool's lock: the workers decode in parallel.
            let (offset, len) = s.slices[i as usize];
            let mut r = open(path)?
                .with_columns(Some(columns.clone()))
                .with_slice(Some((offset, len)))
                .read_parallel(ParallelStrategy::None);
            r.set_metadata(s.metadata.clone());
            let df = r.finish().map_err(perr(path))?;
            work(st, fi as u32, i, &df)
        },
    )
}

/// A column as text (numbers and booleans written as polars writes them; null stays null).
pub(super) fn text(df: &DataFrame, name: &str, path: &Path) -> Result<StringChunked> {
    let err = perr(path);
    let c = df.column(name).map_err(&err)?;
    let c = c.cast(&DataType::String).map_err(&err)?;
    Ok(c.str().map_err(&err)?.clone())
}

/// A column of dates as days (`None` empty, `Some(BAD_DATE)` unreadable): text is parsed as the
/// CSV side parses it, dates and datetimes are taken as they are.
pub(super) fn days(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<i32>>> {
    let err = perr(path);
    let c = df.column(name).map_err(&err)?;
    let as_days = |c: Column| -> Result<Vec<Option<i32>>> {
        let c = c.cast(&DataType::Int32).map_err(&err)?;
        Ok(c.i32().map_err(&err)?.iter().collect())
    };
    match c.dtype() {
        DataType::String => Ok(c
            .str()
            .map_err(&err)?
            .iter()
            .map(|v| match v.map(str::trim) {
                None | Some("") => None,
                Some(s) => Some(dates::parse_bytes(s.as_bytes()).unwrap_or(BAD_DATE)),
            })
            .collect()),
        DataType::Date => as_days(c.clone()),
        DataType::Datetime(_, _) => as_days(c.cast(&DataType::Date).map_err(&err)?),
        other => Err(Error::data(
            path.display().to_string(),
            crate::tr!(
                "cột {name} chứa {other}, không phải ngày tháng",
                "column {name} holds {other}, not dates"
            ),
        )),
    }
}
