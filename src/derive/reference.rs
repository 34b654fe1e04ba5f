//! derive's reference reader: polars' lazy scans and engine (streaming or in memory), in two
//! passes: (1) 64-bit hashes of `dossier_id` to find ids that occur more than once; (2) one query
//! that parses every row (dates and words by hand-written UDFs), classifies it as good or bad
//! (with a reason), and aggregates per unit — sharing its scan with a small side query that
//! returns the duplicate candidates and the first bad record of each reason. Hash candidates are
//! checked against the real ids, so a collision never excludes a record. Built only with the
//! `reference-engine` feature: it is what the property tests compare parindex's own reader with,
//! and it pulls polars' lazy engine (and with it an HTTP stack) into the build.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use super::vocab::{self, Vocab};
use super::{
    check_not_cut, detect_separator, find_columns, locate_csv_problem, perr, vocab_for, BadExample,
    Counts, Derived, Options, Reader, BAD_DATE, COUNTING, COUNT_COLUMNS, REASONS, RECORDS_DONE,
    RECORDS_TOTAL,
};
use crate::support::calendar as dates;
use crate::support::error::{Error, Result};

/// The seeds of the id hash of pass 1.
const HASH_KEYS: (u64, u64, u64, u64) = (0x5041_5249, 0x4e44_4558, 0x7061_7269, 0x6e64_6578);

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
}

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
pub(super) fn run(o: &Options, progress: &mut dyn FnMut(&str)) -> Result<Derived> {
    let engine = match o.reader {
        Reader::InMemory => Engine::InMemory,
        _ => Engine::Streaming,
    };
    let t0 = std::time::Instant::now();
    // polars names no file or row for a malformed CSV; on failure, find the first problem
    // ourselves (only on this error path, so it costs nothing in a good run).
    let plan_err = |e: PolarsError| match locate_csv_problem(&o.files) {
        Some(issue) => Error::Data(vec![issue]),
        None => Error::Other(crate::tr!(
            "không đọc được hồ sơ: {}",
            "the dossier query failed: {}",
            crate::support::text::clip(&e.to_string(), 300)
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
        .collect_with_engine(engine)
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
        crate::support::numfmt::seconds(t0.elapsed().as_secs_f64()),
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
        engine,
        OptFlags::default(),
    )
    .map_err(plan_err)?;
    let (agg_df, first_df, cand_df) = (res.remove(0), res.remove(0), res.remove(0));
    progress(&crate::tr!(
        "xong lượt 2/2 trong {}",
        "pass 2/2 done in {}",
        crate::support::numfmt::seconds(t1.elapsed().as_secs_f64())
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
