//! Dossier records → per-unit indicators (the 766 service-index definitions).
//!
//! Owns the definitions every reader shares (the reasons a record is excluded, the count and rate
//! columns, the column look-up, the CSV checks) and the choice of reader. The default reader is
//! parindex's own (`native`): CSV blocks and Parquet slices walked record by record by all threads,
//! 8 bytes a record of memory. The other (`reference`, only in builds with the `reference-engine`
//! feature) is polars' lazy engine, kept as the reference the property tests compare with. In both,
//! hash candidates are checked against the real ids, so a hash collision can never exclude a
//! record. The result does not depend on the wall clock: `as_of` defaults to the period's end.

pub mod mapping;
mod native;
#[cfg(feature = "reference-engine")]
mod reference;
pub mod vocab;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::PolarsError;

use crate::support::error::{Error, Result};
use crate::support::text;
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
    match crate::support::i18n::current() {
        crate::support::i18n::Lang::Vi => vi[k].to_string(),
        crate::support::i18n::Lang::En => REASONS[k].1.to_string(),
    }
}

/// Unreadable date (a null means an empty cell).
const BAD_DATE: i32 = i32::MIN;

#[derive(Debug, Clone)]
pub struct Options {
    pub files: Vec<PathBuf>,
    /// Period, inclusive, as days since 1970-01-01.
    pub from: i32,
    pub to: i32,
    pub as_of: i32,
    pub mapping: Mapping,
    /// Which reader counts the records.
    pub reader: Reader,
    /// Tests narrow the hash to force collisions; `u64::MAX` in real runs.
    pub hash_mask: u64,
    /// Worker threads of the CSV reader (polars sizes its own pool).
    pub threads: usize,
    /// Bytes per block of the CSV reader; 0 for the default (4 MiB). Tests use a few bytes.
    pub block_bytes: usize,
}

/// Which reader counts the records: parindex's own (the default), or polars' lazy engine, kept
/// as the reference the property tests compare with (only in builds with the `reference-engine`
/// feature), streaming or in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Own,
    Streaming,
    InMemory,
}

impl Reader {
    /// `--engine`'s words: auto, streaming, in-memory.
    pub fn parse(word: &str) -> Option<Reader> {
        match word {
            "auto" => Some(Reader::Own),
            "streaming" => Some(Reader::Streaming),
            "in-memory" => Some(Reader::InMemory),
            _ => None,
        }
    }
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
                crate::support::text::clip(&e.to_string(), 300)
            ),
        )
    }
}

/// The first row of a CSV input that polars would choke on: bytes that are not UTF-8, an
/// unterminated quote, or a record with another number of fields than the header.
pub fn locate_csv_problem(files: &[PathBuf]) -> Option<crate::support::error::DataIssue> {
    use crate::support::error::DataIssue;
    for f in files {
        if crate::input::ingest::file_kind(f) != Some(crate::input::ingest::FileKind::Csv) {
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
                        column: Some(crate::support::text::column_letter(ci)),
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
    Ok(crate::input::ingest::csv::detect_delimiter(
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

/// Count the records with the reader `o.reader` names. `progress` receives one line per stage.
pub fn run(o: &Options, progress: &mut dyn FnMut(&str)) -> Result<Derived> {
    match o.reader {
        Reader::Own => native::run(o, progress),
        #[cfg(feature = "reference-engine")]
        Reader::Streaming | Reader::InMemory => reference::run(o, progress),
        #[cfg(not(feature = "reference-engine"))]
        Reader::Streaming | Reader::InMemory => Err(Error::Usage(crate::tr!(
            "bản parindex này không có bộ đọc tham chiếu (--engine streaming / in-memory); hãy dựng lại với --features reference-engine",
            "this build of parindex has no reference reader (--engine streaming / in-memory); build it with --features reference-engine"
        ))),
    }
}
