//! Dossier records → per-unit indicators (the 766 service-index definitions).
//!
//! Two readers give the same answer. The default is parindex's own (`native`): CSV blocks and
//! Parquet slices walked record by record by all threads, 8 bytes a record of memory. The other,
//! kept as the reference the property tests compare with (`--engine streaming`), is polars' lazy
//! scans and streaming engine, in two passes: (1) 64-bit hashes of `dossier_id` to find ids that
//! occur more than once; (2) one streaming query that parses every row (dates and words by
//! hand-written UDFs), classifies it as good or bad (with a reason), and aggregates per unit —
//! sharing its scan with a small side query that returns the duplicate candidates and the first bad
//! record of each reason. In both, hash candidates are checked against the real ids, so a hash
//! collision can never exclude a record. The result does not depend on the wall clock: `as_of`
//! defaults to the period's end.

pub mod dates;
pub mod mapping;
mod native;
pub mod vocab;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::text;
pub use mapping::Mapping;
use vocab::Vocab;

/// Why a record was excluded, in order of precedence (a record is counted once, for its first reason).
pub const REASONS: [(&str, &str); 7] = [
    ("duplicate_id", "dossier id occurs more than once"),
    (
        "bad_date",
        "received, due or finished date missing or unreadable",
    ),
    (
        "finished_before_received",
        "finished before it was received",
    ),
    (
        "unknown_channel",
        "channel missing or not online / in_person / postal",
    ),
    ("unknown_online_kind", "online kind not full / partial"),
    ("bad_flag", "paid_online or digitised not 1 / 0"),
    ("missing_unit", "unit code empty"),
];

/// A reason's description in the run's language.
pub fn reason_text(k: usize) -> String {
    let vi = [
        "mã hồ sơ xuất hiện hơn một lần",
        "thiếu hoặc không đọc được ngày tiếp nhận, hẹn trả hoặc trả kết quả",
        "trả kết quả trước ngày tiếp nhận",
        "thiếu kênh nộp hoặc kênh không phải trực tuyến / trực tiếp / bưu chính",
        "mức độ DVC không phải toàn trình / một phần",
        "paid_online hoặc digitised không phải 1 / 0",
        "mã đơn vị bị trống",
    ];
    match crate::i18n::current() {
        crate::i18n::Lang::Vi => vi[k].to_string(),
        crate::i18n::Lang::En => REASONS[k].1.to_string(),
    }
}

/// Unreadable date (a null means an empty cell).
const BAD_DATE: i32 = i32::MIN;
const HASH_KEYS: (u64, u64, u64, u64) = (0x5041_5249, 0x4e44_4558, 0x7061_7269, 0x6e64_6578);

#[derive(Debug, Clone)]
pub struct Options {
    pub files: Vec<PathBuf>,
    /// Period, inclusive, as days since 1970-01-01.
    pub from: i32,
    pub to: i32,
    pub as_of: i32,
    pub mapping: Mapping,
    pub engine: Engine,
    /// Tests narrow the hash to force collisions; `u64::MAX` in real runs.
    pub hash_mask: u64,
    /// parindex's own reader (the default) rather than polars' streaming engine.
    pub native: bool,
    /// Worker threads of the CSV reader (polars sizes its own pool).
    pub threads: usize,
    /// Bytes per block of the CSV reader; 0 for the default (4 MiB). Tests use a few bytes.
    pub block_bytes: usize,
}

/// The count columns of the output, in order (rates follow).
pub const COUNT_COLUMNS: [&str; 11] = [
    "received",
    "resolved",
    "resolved_on_time",
    "resolved_late",
    "pending",
    "pending_overdue",
    "online",
    "full_online",
    "paid_online",
    "fee_known",
    "digitised",
];

/// The rate columns of the output, in percent.
pub const RATE_COLUMNS: [&str; 5] = [
    "on_time_rate",
    "online_rate",
    "full_online_rate",
    "online_payment_rate",
    "digitised_rate",
];

/// Per-unit counts, in unit-code order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub received: u64,
    pub resolved: u64,
    pub resolved_on_time: u64,
    pub resolved_late: u64,
    pub pending: u64,
    pub pending_overdue: u64,
    pub online: u64,
    pub full_online: u64,
    pub paid_online: u64,
    pub fee_known: u64,
    pub digitised: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.received += o.received;
        self.resolved += o.resolved;
        self.resolved_on_time += o.resolved_on_time;
        self.resolved_late += o.resolved_late;
        self.pending += o.pending;
        self.pending_overdue += o.pending_overdue;
        self.online += o.online;
        self.full_online += o.full_online;
        self.paid_online += o.paid_online;
        self.fee_known += o.fee_known;
        self.digitised += o.digitised;
    }

    fn rate(num: u64, den: u64) -> Option<f64> {
        (den > 0).then(|| num as f64 / den as f64 * 100.0)
    }

    /// on_time_rate, online_rate, full_online_rate, online_payment_rate, digitised_rate (percent).
    pub fn rates(&self) -> [Option<f64>; 5] {
        [
            Counts::rate(self.resolved_on_time, self.resolved + self.pending_overdue),
            Counts::rate(self.online, self.received),
            Counts::rate(self.full_online, self.received),
            Counts::rate(self.paid_online, self.fee_known),
            Counts::rate(self.digitised, self.received),
        ]
    }
}

#[derive(Debug, Clone)]
pub struct BadExample {
    pub file: String,
    /// Row as a spreadsheet shows it (CSV header = row 1) or record number (Parquet).
    pub row: u64,
    pub dossier_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct Derived {
    pub units: Vec<(String, Counts)>,
    pub rows_read: u64,
    pub in_period: u64,
    /// Per reason: count of excluded records in scope.
    pub bad: [u64; 7],
    /// Per reason: the first excluded record (by file, then row).
    pub first_bad: [Option<BadExample>; 7],
}

fn perr(file: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| {
        Error::data(
            file.display().to_string(),
            crate::tr!(
                "không đọc được hồ sơ: {}",
                "cannot read the dossier records: {}",
                crate::text::clip(&e.to_string(), 300)
            ),
        )
    }
}

/// The first row of a CSV input that polars would choke on: bytes that are not UTF-8, an
/// unterminated quote, or a record with another number of fields than the header.
pub fn locate_csv_problem(files: &[PathBuf]) -> Option<crate::error::DataIssue> {
    use crate::error::DataIssue;
    for f in files {
        if crate::ingest::file_kind(f) != Some(crate::ingest::FileKind::Csv) {
            continue;
        }
        let Ok(file) = std::fs::File::open(f) else {
            continue;
        };
        let name = f.display().to_string();
        let mut rdr = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(std::io::BufReader::new(file));
        let mut rec = ::csv::ByteRecord::new();
        let mut width = None;
        let mut row = 0usize;
        loop {
            row += 1;
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    return Some(DataIssue {
                        file: name,
                        row: Some(row),
                        column: None,
                        message: crate::tr!("CSV sai cấu trúc: {e}", "malformed CSV: {e}"),
                    })
                }
            }
            for (ci, field) in rec.iter().enumerate() {
                if let Err(e) = std::str::from_utf8(field) {
                    let bad = field[e.valid_up_to()];
                    return Some(DataIssue {
                        file: name,
                        row: Some(row),
                        column: Some(crate::text::column_letter(ci)),
                        message: crate::tr!(
                            "byte 0x{bad:02X} không phải UTF-8; hãy lưu tệp dạng \"CSV UTF-8\"",
                            "byte 0x{bad:02X} is not UTF-8; save the file as \"CSV UTF-8\""
                        ),
                    });
                }
            }
            let w = *width.get_or_insert(rec.len());
            if rec.len() != w {
                let quoted = rec.iter().any(|f| f.contains(&b'"') || f.contains(&b'\n'));
                return Some(DataIssue {
                    file: name,
                    row: Some(row),
                    column: None,
                    message: crate::tr!(
                        "dòng có {} cột nhưng dòng tiêu đề có {w}{}",
                        "the row has {} fields but the header has {w}{}",
                        rec.len(),
                        if quoted {
                            crate::tr!(" (có dấu ngoặc kép chưa đóng?)", " (an unclosed quote?)")
                        } else {
                            String::new()
                        }
                    ),
                });
            }
        }
    }
    None
}

/// Progress of a run, for the terminal's bar: records whose received date pass 2 has read, the
/// records pass 1 found (the total), and whether pass 2 counts at all (text dates only).
pub static RECORDS_DONE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
pub static RECORDS_TOTAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
pub static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Pass 1 of derive's own reader on CSV files: bytes of the files' blocks read, and the files'
/// total (0 outside pass 1, and for Parquet, whose pass 1 reads only the id column).
pub static SCAN_DONE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
pub static SCAN_TOTAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// [`parse_dates`] that also counts the records it has seen.
fn parse_dates_counted(c: Column) -> PolarsResult<Column> {
    RECORDS_DONE.fetch_add(c.len() as u64, std::sync::atomic::Ordering::Relaxed);
    parse_dates(c)
}

/// A column of strings → Int32 days (null for empty, `BAD_DATE` for unreadable).
fn parse_dates(c: Column) -> PolarsResult<Column> {
    let ca = c.str()?;
    let out: Int32Chunked = ca
        .iter()
        .map(|v| match v.map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(dates::parse(s).unwrap_or(BAD_DATE)),
        })
        .collect();
    Ok(out.with_name(c.name().clone()).into_column())
}

/// A column of words → UInt32 codes (UInt8 would need another polars feature) of `vocab`, with a cache of raw words seen.
fn words(vocab: Vocab) -> impl Fn(Column) -> PolarsResult<Column> + Send + Sync + 'static {
    move |c: Column| {
        let ca = c.str()?;
        let mut seen: HashMap<&str, u8> = HashMap::new();
        let out: UInt32Chunked = ca
            .iter()
            .map(|v| {
                Some(u32::from(match v {
                    None => vocab::EMPTY,
                    Some(s) => *seen.entry(s).or_insert_with(|| vocab.code(Some(s))),
                }))
            })
            .collect();
        Ok(out.with_name(c.name().clone()).into_column())
    }
}

fn typed(out: DataType) -> impl Fn(&Schema, &Field) -> PolarsResult<Field> + Send + Sync + 'static {
    move |_, f| Ok(Field::new(f.name().clone(), out.clone()))
}

/// Fields of one CSV line (separators outside quotes, plus one).
fn fields(line: &[u8], sep: u8) -> usize {
    let mut quoted = false;
    1 + line
        .iter()
        .filter(|&&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == sep && !quoted
        })
        .count()
}

/// Refuse a CSV cut off in transfer: no final line break and a last row shorter than the header
/// (its last field may be cut too, a wrong value no one would see). Reads only both ends.
fn check_not_cut(path: &Path, sep: u8) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    let mut head = vec![0u8; 64 * 1024];
    let n = f.read(&mut head).map_err(io)?;
    head.truncate(n);
    let Some(header_end) = head.iter().position(|&b| b == b'\n') else {
        return Ok(());
    };
    let expected = fields(&head[..header_end], sep);
    let from = len.saturating_sub(64 * 1024);
    f.seek(SeekFrom::Start(from)).map_err(io)?;
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).map_err(io)?;
    if tail.last().is_none_or(|b| matches!(b, b'\n' | b'\r')) {
        return Ok(());
    }
    let start = tail.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let got = fields(&tail[start..], sep);
    if got < expected {
        return Err(Error::data(
            path.display().to_string(),
            crate::tr!(
                "tệp kết thúc giữa dòng cuối ({got} trên {expected} cột, không có dấu xuống dòng): tệp có thể bị cắt cụt; hãy lấy lại tệp đầy đủ",
                "the file ends in the middle of its last row ({got} of {expected} fields, no final line break): it may be cut off; get the complete file again"
            ),
        ));
    }
    Ok(())
}

fn detect_separator(path: &Path) -> Result<u8> {
    use std::io::Read;
    let mut buf = vec![0u8; 64 * 1024];
    let mut f = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let n = f.read(&mut buf).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    buf.truncate(n);
    // Only whole lines count.
    if let Some(end) = buf.iter().rposition(|&b| b == b'\n') {
        buf.truncate(end);
    }
    Ok(crate::ingest::csv::detect_delimiter(
        &String::from_utf8_lossy(&buf),
    ))
}

/// The column index of every field `derive` uses (the mapping's header names, or the canonical
/// ones), matched as `text::key` folds them; one error lists all that are missing.
fn find_columns(path: &Path, names: &[&str], o: &Options) -> Result<HashMap<&'static str, usize>> {
    let find = |canon: &str| -> Option<usize> {
        let wanted = o
            .mapping
            .columns
            .get(canon)
            .map_or(canon.to_string(), |h| h.clone());
        names
            .iter()
            .position(|name| text::key(name) == text::key(&wanted))
    };
    let mut missing = Vec::new();
    let mut cols = HashMap::new();
    for canon in mapping::COLUMNS {
        match find(canon) {
            Some(i) => {
                cols.insert(canon, i);
            }
            None if canon == "procedure_code" => {}
            None => missing.push(match o.mapping.columns.get(canon) {
                Some(h) => {
                    let at = o.mapping.located.get(canon).cloned().unwrap_or_default();
                    crate::tr!(
                        "{canon} (ánh xạ tới `{h}` ở {at})",
                        "{canon} (mapped to `{h}` at {at})"
                    )
                }
                None => canon.to_string(),
            }),
        }
    }
    if !missing.is_empty() {
        let found: Vec<&str> = names.iter().copied().filter(|s| *s != "__row").collect();
        return Err(Error::data(
            path.display().to_string(),
            crate::tr!("thiếu cột {}; tệp có: {}. Đổi tên cột bằng --map (xem docs/derive.md)", "missing column(s) {}; the file has: {}. Rename them with --map (see docs/derive.md)", missing.join(", "), found.join(", ")),
        ));
    }
    Ok(cols)
}

/// A vocabulary with the mapping file's words for `canon` added.
fn vocab_for(o: &Options, canon: &str, base: Vocab) -> Result<Vocab> {
    let mut v = base;
    if let Some(extra) = o.mapping.values.get(canon) {
        v.extend(extra).map_err(|e| {
            Error::Usage(crate::tr!(
                "ánh xạ của {canon}: {e}",
                "mapping for {canon}: {e}"
            ))
        })?;
    }
    Ok(v)
}

/// Scan one file into the normalised row shape: __file, __row, dossier_id, unit_code, recv, due,
/// fin (Int32 days), ch, kind, paid, dig (UInt32 codes).
fn scan(path: &Path, idx: u32, o: &Options) -> Result<LazyFrame> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let err = perr(path);
    let pl_path = PlRefPath::try_from_path(path).map_err(&err)?;
    let row_index = Some(RowIndex {
        name: "__row".into(),
        offset: 0,
    });
    let (mut lf, first_row) = match ext.as_str() {
        "parquet" | "pq" => {
            let args = ScanArgsParquet {
                row_index,
                ..Default::default()
            };
            (LazyFrame::scan_parquet(pl_path, args).map_err(&err)?, 1u64)
        }
        "csv" | "txt" | "tsv" => {
            if !path.exists() {
                return Err(Error::Read {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
                });
            }
            let lf = LazyCsvReader::new(pl_path)
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .with_separator({
                    let sep = detect_separator(path)?;
                    check_not_cut(path, sep)?;
                    sep
                })
                .with_missing_is_null(true)
                .with_row_index(row_index)
                .finish()
                .map_err(&err)?;
            (lf, 2u64)
        }
        _ => {
            return Err(Error::Usage(crate::tr!(
                "{}: tệp hồ sơ phải là .csv hoặc .parquet",
                "{}: dossier records must be .csv or .parquet",
                path.display()
            )))
        }
    };
    let schema = lf.collect_schema().map_err(&err)?;
    let names: Vec<&str> = schema.iter_names().map(|s| s.as_str()).collect();
    let cols: HashMap<&str, (PlSmallStr, DataType)> = find_columns(path, &names, o)?
        .into_iter()
        .map(|(canon, i)| {
            let (n, d) = schema.get_at_index(i).expect("an index of this schema");
            (canon, (n.clone(), d.clone()))
        })
        .collect();
    let string = |canon: &str| col(cols[canon].0.clone()).cast(DataType::String);
    let date = |canon: &str, alias: &str| -> Result<Expr> {
        let (name, dt) = &cols[canon];
        let c = col(name.clone());
        Ok(match dt {
            // The received date is read once per record: it counts the records for the
            // progress bar of pass 2.
            DataType::String if canon == "received_at" => {
                COUNTING.store(true, std::sync::atomic::Ordering::Relaxed);
                c.map(parse_dates_counted, typed(DataType::Int32))
            }
            DataType::String => c.map(parse_dates, typed(DataType::Int32)),
            DataType::Date => c.cast(DataType::Int32),
            DataType::Datetime(_, _) => c.cast(DataType::Date).cast(DataType::Int32),
            other => {
                return Err(Error::data(
                    path.display().to_string(),
                    crate::tr!(
                        "cột {name} chứa {other}, không phải ngày tháng",
                        "column {name} holds {other}, not dates"
                    ),
                ));
            }
        }
        .alias(alias))
    };
    let vocab_of = |canon: &str, base: Vocab| vocab_for(o, canon, base);
    let code = |canon: &str, v: Vocab, alias: &str| {
        string(canon)
            .map(words(v), typed(DataType::UInt32))
            .alias(alias)
    };
    lf = lf.select([
        lit(idx).alias("__file"),
        (col("__row").cast(DataType::UInt64) + lit(first_row)).alias("__row"),
        string("dossier_id").alias("dossier_id"),
        string("unit_code")
            .str()
            .strip_chars(lit(NULL))
            .alias("unit_code"),
        date("received_at", "recv")?,
        date("due_at", "due")?,
        date("finished_at", "fin")?,
        code("channel", vocab_of("channel", Vocab::channel())?, "ch"),
        code(
            "online_kind",
            vocab_of("online_kind", Vocab::online_kind())?,
            "kind",
        ),
        code(
            "paid_online",
            vocab_of("paid_online", Vocab::flag())?,
            "paid",
        ),
        code("digitised", vocab_of("digitised", Vocab::flag())?, "dig"),
    ]);
    Ok(lf)
}

fn all_rows(o: &Options) -> Result<LazyFrame> {
    let scans = o
        .files
        .iter()
        .enumerate()
        .map(|(i, p)| scan(p, i as u32, o))
        .collect::<Result<Vec<_>>>()?;
    concat(scans, UnionArgs::default()).map_err(|e| {
        Error::Other(crate::tr!(
            "không ghép được các tệp: {e}",
            "cannot combine the files: {e}"
        ))
    })
}

fn hashed(o: &Options) -> Expr {
    let (a, b, c, d) = HASH_KEYS;
    let h = col("dossier_id").hash(a, b, c, d);
    if o.hash_mask == u64::MAX {
        h
    } else {
        h.and(lit(o.hash_mask as i64).cast(DataType::UInt64))
    }
}

/// Add `reason` (0 = good), `scope` (counted) and `keep` to normalised rows with a `dup` column.
fn classify(lf: LazyFrame, o: &Options) -> LazyFrame {
    let bad_date = |c: &str| col(c).is_null().or(col(c).eq(lit(BAD_DATE)));
    let dates_bad = bad_date("recv")
        .or(bad_date("due"))
        .or(col("fin").eq(lit(BAD_DATE)).fill_null(lit(false)));
    let reason = when(col("dup"))
        .then(lit(1u32))
        .when(dates_bad.clone())
        .then(lit(2u32))
        .when(col("fin").lt(col("recv")).fill_null(lit(false)))
        .then(lit(3u32))
        .when(
            col("ch")
                .eq(lit(u32::from(vocab::EMPTY)))
                .or(col("ch").eq(lit(u32::from(vocab::UNKNOWN)))),
        )
        .then(lit(4u32))
        .when(col("kind").eq(lit(u32::from(vocab::UNKNOWN))))
        .then(lit(5u32))
        .when(
            col("paid")
                .eq(lit(u32::from(vocab::UNKNOWN)))
                .or(col("dig").eq(lit(u32::from(vocab::UNKNOWN))))
                .or(col("dig").eq(lit(u32::from(vocab::EMPTY)))),
        )
        .then(lit(6u32))
        .when(col("unit_code").is_null().or(col("unit_code").eq(lit(""))))
        .then(lit(7u32))
        .otherwise(lit(0u32));
    let recv_ok = bad_date("recv").not();
    let in_period = recv_ok
        .clone()
        .and(col("recv").gt_eq(lit(o.from)))
        .and(col("recv").lt_eq(lit(o.to)));
    lf.with_columns([reason.alias("reason"), in_period.alias("in_period")])
        .with_columns([
            col("reason")
                .eq(lit(0u32))
                .and(col("in_period"))
                .alias("keep"),
            col("reason")
                .gt(lit(0u32))
                .and(col("in_period").or(recv_ok.not()))
                .alias("scope_bad"),
        ])
}

fn count(e: Expr) -> Expr {
    e.fill_null(lit(false)).cast(DataType::UInt64).sum()
}

/// Per-unit sums over classified rows.
fn aggregate(lf: LazyFrame, o: &Options) -> LazyFrame {
    let keep = || col("keep");
    let resolved = || {
        keep()
            .and(col("fin").is_not_null())
            .and(col("fin").lt_eq(lit(o.as_of)))
    };
    let mut aggs = vec![
        len().cast(DataType::UInt64).alias("rows"),
        count(col("in_period")).alias("in_period"),
        count(keep()).alias("received"),
        count(resolved()).alias("resolved"),
        count(resolved().and(col("fin").lt_eq(col("due")))).alias("resolved_on_time"),
        count(
            keep()
                .and(resolved().not())
                .and(col("due").lt(lit(o.as_of))),
        )
        .alias("pending_overdue"),
        count(keep().and(col("ch").eq(lit(u32::from(vocab::ONLINE))))).alias("online"),
        count(
            keep()
                .and(col("ch").eq(lit(u32::from(vocab::ONLINE))))
                .and(col("kind").eq(lit(u32::from(vocab::FULL)))),
        )
        .alias("full_online"),
        count(keep().and(col("paid").eq(lit(u32::from(vocab::YES))))).alias("paid_online"),
        count(keep().and(col("paid").neq(lit(u32::from(vocab::EMPTY))))).alias("fee_known"),
        count(keep().and(col("dig").eq(lit(u32::from(vocab::YES))))).alias("digitised"),
    ];
    for k in 1..=REASONS.len() as u8 {
        aggs.push(
            count(col("scope_bad").and(col("reason").eq(lit(u32::from(k)))))
                .alias(format!("bad_{k}")),
        );
    }
    lf.group_by([col("unit_code")]).agg(aggs)
}

fn u64s(df: &DataFrame, name: &str) -> Result<Vec<u64>> {
    let c = df.column(name).map_err(|e| Error::Other(e.to_string()))?;
    let c = c
        .cast(&DataType::UInt64)
        .map_err(|e| Error::Other(e.to_string()))?;
    Ok(c.u64()
        .map_err(|e| Error::Other(e.to_string()))?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

fn strs(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = df.column(name).map_err(|e| Error::Other(e.to_string()))?;
    Ok(c.str()
        .map_err(|e| Error::Other(e.to_string()))?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// Fold an aggregate frame into per-unit counts and totals.
fn fold(df: &DataFrame, out: &mut HashMap<String, Counts>, d: &mut Derived) -> Result<()> {
    let units = strs(df, "unit_code")?;
    let get = |n: &str| u64s(df, n);
    let (rows, in_period) = (get("rows")?, get("in_period")?);
    // The aggregated counts: all but the two derived here (resolved_late, pending).
    let cols: Vec<Vec<u64>> = COUNT_COLUMNS
        .iter()
        .filter(|n| !["resolved_late", "pending"].contains(n))
        .map(|n| get(n))
        .collect::<Result<_>>()?;
    let bad: Vec<Vec<u64>> = (1..=REASONS.len())
        .map(|k| get(&format!("bad_{k}")))
        .collect::<Result<_>>()?;
    for (i, u) in units.iter().enumerate() {
        d.rows_read += rows[i];
        d.in_period += in_period[i];
        for (k, b) in bad.iter().enumerate() {
            d.bad[k] += b[i];
        }
        let c = Counts {
            received: cols[0][i],
            resolved: cols[1][i],
            resolved_on_time: cols[2][i],
            resolved_late: cols[1][i] - cols[2][i],
            pending: cols[0][i] - cols[1][i],
            pending_overdue: cols[3][i],
            online: cols[4][i],
            full_online: cols[5][i],
            paid_online: cols[6][i],
            fee_known: cols[7][i],
            digitised: cols[8][i],
        };
        if let Some(u) = u.as_ref().filter(|u| !u.is_empty()) {
            if c.received > 0 || out.contains_key(u) {
                out.entry(u.clone()).or_default().add(&c);
            }
        }
    }
    Ok(())
}

/// Run the two passes. `progress` receives one line per stage.
pub fn run(o: &Options, progress: &mut dyn FnMut(&str)) -> Result<Derived> {
    if o.native {
        return native::run(o, progress);
    }
    let t0 = std::time::Instant::now();
    // polars names no file or row for a malformed CSV; on failure, find the first problem
    // ourselves (only on this error path, so it costs nothing in a good run).
    let plan_err = |e: PolarsError| match locate_csv_problem(&o.files) {
        Some(issue) => Error::Data(vec![issue]),
        None => Error::Other(crate::tr!(
            "không đọc được hồ sơ: {}",
            "the dossier query failed: {}",
            crate::text::clip(&e.to_string(), 300)
        )),
    };
    // Pass 1: ids that occur more than once, as hashes.
    progress(&crate::tr!(
        "lượt 1/2: tìm mã hồ sơ trùng",
        "pass 1/2: looking for duplicate dossier ids"
    ));
    // Sorting a plain vector of hashes (8 bytes a record) needs far less memory than a
    // group-by hash table over tens of millions of keys.
    let hashes = all_rows(o)?
        .select([hashed(o).alias("h")])
        .collect_with_engine(o.engine)
        .map_err(plan_err)?
        .unwrap_single();
    RECORDS_TOTAL.store(hashes.height() as u64, std::sync::atomic::Ordering::Relaxed);
    RECORDS_DONE.store(0, std::sync::atomic::Ordering::Relaxed);
    let mut h: Vec<u64> = Vec::with_capacity(hashes.height());
    for v in hashes
        .column("h")
        .map_err(plan_err)?
        .u64()
        .map_err(plan_err)?
        .iter()
    {
        h.push(v.unwrap_or(0));
    }
    drop(hashes);
    h.sort_unstable();
    let mut dups: Vec<u64> = h
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    drop(h);
    dups.dedup();
    let dup_series = Series::new("h".into(), dups);
    progress(&crate::tr!(
        "xong lượt 1/2 trong {}: {} mã băm hồ sơ xuất hiện hơn một lần",
        "pass 1/2 done in {}: {} id hash(es) seen more than once",
        crate::i18n::seconds(t0.elapsed().as_secs_f64()),
        dup_series.len()
    ));

    // Pass 2: classify and aggregate, with side outputs sharing the scan.
    let t1 = std::time::Instant::now();
    progress(&crate::tr!(
        "lượt 2/2: phân loại hồ sơ và đếm theo đơn vị",
        "pass 2/2: classifying records and counting per unit"
    ));
    let rows = classify(
        all_rows(o)?.with_column(
            hashed(o)
                .is_in(lit(dup_series).implode(false), false)
                .alias("dup"),
        ),
        o,
    );
    let agg = aggregate(rows.clone(), o);
    let key = (col("__file").cast(DataType::UInt64) * lit(1u64 << 40)) + col("__row");
    let first_bad = rows
        .clone()
        .filter(col("scope_bad"))
        .group_by([col("reason")])
        .agg([key.clone().min().alias("key")]);
    let candidates = rows.filter(col("dup")).select([
        col("__file"),
        col("__row"),
        col("dossier_id"),
        col("unit_code"),
        col("recv"),
        col("due"),
        col("fin"),
        col("ch"),
        col("kind"),
        col("paid"),
        col("dig"),
    ]);
    let mut res = LazyFrame::collect_all_with_engine(
        vec![
            agg.logical_plan,
            first_bad.logical_plan,
            candidates.logical_plan,
        ],
        o.engine,
        OptFlags::default(),
    )
    .map_err(plan_err)?;
    let (agg_df, first_df, cand_df) = (res.remove(0), res.remove(0), res.remove(0));
    progress(&crate::tr!(
        "xong lượt 2/2 trong {}",
        "pass 2/2 done in {}",
        crate::i18n::seconds(t1.elapsed().as_secs_f64())
    ));

    let mut d = Derived::default();
    let mut per_unit: HashMap<String, Counts> = HashMap::new();
    fold(&agg_df, &mut per_unit, &mut d)?;
    // First bad record per reason, as (file << 40 | row).
    let mut first: [Option<u64>; 7] = [None; 7];
    let note_first = |df: &DataFrame, first: &mut [Option<u64>; 7]| -> Result<()> {
        for (r, k) in u64s(df, "reason")?.iter().zip(u64s(df, "key")?) {
            let slot = &mut first[*r as usize - 1];
            if slot.is_none_or(|old| k < old) {
                *slot = Some(k);
            }
        }
        Ok(())
    };
    note_first(&first_df, &mut first)?;

    // Hash candidates whose id is in fact unique (a collision) are put back as they really are.
    let ids = strs(&cand_df, "dossier_id")?;
    let mut n_of: HashMap<&str, usize> = HashMap::new();
    for id in ids.iter().flatten() {
        *n_of.entry(id.as_str()).or_default() += 1;
    }
    let false_pos: Vec<bool> = ids
        .iter()
        .map(|id| id.as_deref().is_some_and(|i| n_of[i] == 1))
        .collect();
    if false_pos.iter().any(|&b| b) {
        let mask = BooleanChunked::from_slice("m".into(), &false_pos);
        let back = cand_df.filter(&mask).map_err(plan_err)?;
        let as_dup = aggregate(
            classify(back.clone().lazy().with_column(lit(true).alias("dup")), o),
            o,
        )
        .collect()
        .map_err(plan_err)?;
        let real_rows = classify(back.lazy().with_column(lit(false).alias("dup")), o);
        let real = aggregate(real_rows.clone(), o)
            .collect()
            .map_err(plan_err)?;
        fold(&real, &mut per_unit, &mut d)?;
        // Pass 2 counted these rows already (as duplicates): take that back.
        d.rows_read -= u64s(&real, "rows")?.iter().sum::<u64>();
        d.in_period -= u64s(&real, "in_period")?.iter().sum::<u64>();
        d.bad[0] -= u64s(&as_dup, "bad_1")?.iter().sum::<u64>();
        let firsts = real_rows
            .filter(col("scope_bad"))
            .group_by([col("reason")])
            .agg([key.clone().min().alias("key")])
            .collect()
            .map_err(plan_err)?;
        note_first(&firsts, &mut first)?;
        first[0] = None;
    }
    // The first real duplicate comes from the candidates, with its id.
    let cand_key: Vec<u64> = {
        let f = u64s(&cand_df, "__file")?;
        let r = u64s(&cand_df, "__row")?;
        f.iter().zip(&r).map(|(f, r)| (f << 40) + r).collect()
    };
    let first_dup = (0..ids.len())
        .filter(|&i| !false_pos[i])
        .min_by_key(|&i| cand_key[i]);
    let example = |k: u64, id: String| BadExample {
        file: o.files[(k >> 40) as usize].display().to_string(),
        row: k & ((1 << 40) - 1),
        dossier_id: id,
    };
    for (slot, k) in d.first_bad.iter_mut().zip(first).skip(1) {
        *slot = k.map(|k| example(k, String::new()));
    }
    if let (Some(i), true) = (first_dup, d.bad[0] > 0) {
        d.first_bad[0] = Some(example(cand_key[i], ids[i].clone().unwrap_or_default()));
    }
    let mut units: Vec<(String, Counts)> = per_unit.into_iter().collect();
    units.sort_by(|a, b| a.0.cmp(&b.0));
    d.units = units;
    Ok(d)
}
