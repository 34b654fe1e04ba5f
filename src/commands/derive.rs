//! `parindex derive`: dossier records → per-unit indicator table that `score` reads. Owns the
//! command's order: resolve the period, run the two passes, report excluded records, check unit
//! codes against an optional registry, then write CSV or Parquet atomically.

use std::io::Write;

use polars::prelude::*;

use crate::derive::{self, Counts, Derived, Mapping, Options, REASONS};
use crate::input::units::Registry;
use crate::report::write_all;
use crate::support::calendar as dates;
use crate::support::error::{Error, Result};
use crate::support::numfmt::machine;

pub use crate::cli::DeriveArgs as Args;

/// Output columns: unit code, counts, rates.
pub fn columns() -> Vec<&'static str> {
    let mut c = vec!["unit_code"];
    c.extend(derive::COUNT_COLUMNS);
    c.extend(derive::RATE_COLUMNS);
    c
}

fn date_arg(flag: &str, v: &str) -> Result<i32> {
    dates::parse(v).ok_or_else(|| {
        Error::Usage(crate::tr!(
            "{flag} {v}: không phải ngày (viết 31/12/2025 hoặc 2025-12-31)",
            "{flag} {v}: not a date (write 2025-12-31 or 31/12/2025)"
        ))
    })
}

fn period(a: &Args) -> Result<(i32, i32, i32)> {
    let (mut from, mut to) = match a.period {
        Some(y) => (
            Some(dates::days_from_civil(y, 1, 1)),
            Some(dates::days_from_civil(y, 12, 31)),
        ),
        None => (None, None),
    };
    if let Some(f) = &a.from {
        from = Some(date_arg("--from", f)?);
    }
    if let Some(t) = &a.to {
        to = Some(date_arg("--to", t)?);
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(Error::Usage(crate::tr!(
            "hãy cho kỳ đánh giá: --period NĂM, hoặc cả --from NGÀY và --to NGÀY",
            "give the period: --period YEAR, or both --from DATE and --to DATE"
        )));
    };
    if from > to {
        return Err(Error::Usage(crate::tr!(
            "kỳ đánh giá rỗng: {} ở sau {}",
            "the period is empty: {} is after {}",
            dates::format_days(from),
            dates::format_days(to)
        )));
    }
    let as_of = match &a.as_of {
        Some(d) => date_arg("--as-of", d)?,
        None => to,
    };
    Ok((from, to, as_of))
}

pub fn run(a: &Args) -> Result<()> {
    // polars sizes its thread pool from this variable when the pool is first used, which is
    // below; no other thread exists yet.
    if let Some(n) = a.threads {
        std::env::set_var("POLARS_MAX_THREADS", n.max(1).to_string());
    }
    let (from, to, as_of) = period(a)?;
    // auto: parindex's own reader (CSV and Parquet); streaming / in-memory: polars' engine, the
    // reference the property tests compare with (builds with the `reference-engine` feature).
    let reader = derive::Reader::parse(&a.engine).ok_or_else(|| {
        Error::Usage(crate::tr!(
            "--engine {}: dùng auto, streaming hoặc in-memory",
            "--engine {}: use auto, streaming or in-memory",
            a.engine
        ))
    })?;
    let inputs: Vec<std::path::PathBuf> = a
        .files
        .iter()
        .chain(a.units.iter())
        .chain(a.map.iter())
        .cloned()
        .collect();
    crate::report::guard_outputs(std::slice::from_ref(&a.out), &inputs)?;
    let dir = a
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let files: Vec<&std::path::Path> = a.files.iter().map(|p| p.as_path()).collect();
    if let Some(outcome) = super::supervise::parquet_in_child(&files, dir) {
        return outcome;
    }
    let mapping = match &a.map {
        Some(p) => Mapping::load(p)?,
        None => Mapping::default(),
    };
    let registry = a.units.as_ref().map(|p| Registry::load(p)).transpose()?;
    // Windows-1258 record files (Excel's plain CSV on Vietnamese Windows) are decided on
    // evidence and read through a UTF-8 copy in a temporary folder; every message names the
    // original file.
    let mut notes = Vec::new();
    let transcoded = transcode_legacy(&a.files, &mut notes)?;
    let files: Vec<std::path::PathBuf> = a
        .files
        .iter()
        .zip(&transcoded)
        .map(|(f, t)| t.as_ref().map_or(f.clone(), |t| t.path().to_path_buf()))
        .collect();
    let renames: Vec<(String, String)> = a
        .files
        .iter()
        .zip(&transcoded)
        .filter_map(|(f, t)| {
            t.as_ref()
                .map(|t| (t.path().display().to_string(), f.display().to_string()))
        })
        .collect();
    let rename = |s: &str| {
        renames
            .iter()
            .fold(s.to_string(), |acc, (tmp, orig)| acc.replace(tmp, orig))
    };
    let o = Options {
        files,
        from,
        to,
        as_of,
        mapping,
        reader,
        hash_mask: u64::MAX,
        threads: a.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |n| n.max(1),
        ),
        block_bytes: 0,
    };
    let quiet = a.quiet;
    // The terminal's bar, once pass 2 shows one: stage lines are printed above it.
    let bar: std::sync::Mutex<Option<indicatif::ProgressBar>> = std::sync::Mutex::new(None);
    let mut progress = |s: &str| {
        if !quiet {
            let line = format!("parindex derive: {s}");
            match bar.lock().ok().and_then(|b| b.clone()) {
                Some(b) => b.suspend(|| eprintln!("{line}")),
                None => eprintln!("{line}"),
            }
        }
    };
    for n in &notes {
        progress(n);
    }
    progress(&crate::tr!(
        "{} tệp, kỳ {} – {}, hồ sơ chưa giải quyết tính đến ngày {}",
        "{} file(s), period {} – {}, open dossiers judged as of {}",
        a.files.len(),
        dates::format_days(from),
        dates::format_days(to),
        dates::format_days(as_of)
    ));
    let inputs_named = a
        .files
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    // On a terminal, a bar for pass 1 (megabytes of the CSV files) and one for pass 2 (records
    // per second and the time left; the total comes from pass 1; only text dates are counted,
    // so Parquet keeps the stage lines).
    let finished = std::sync::atomic::AtomicBool::new(false);
    let show_bar = !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let d = std::thread::scope(|sc| {
        if show_bar {
            sc.spawn(|| progress_bar(&finished, &bar));
        }
        let d = crate::support::guard::isolate(|| derive::run(&o, &mut progress));
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        d
    });
    // polars' readers panic on some damaged files: a panic becomes an error naming the inputs.
    let d = d
        .map_err(|why| {
            Error::data(
                &inputs_named,
                crate::tr!(
                    "không đọc được: tệp bị hỏng ({})",
                    "cannot read: damaged file ({})",
                    why
                ),
            )
        })?
        .map_err(|e| match e {
            Error::Data(issues) => Error::Data(
                issues
                    .into_iter()
                    .map(|mut i| {
                        i.file = rename(&i.file);
                        i.message = rename(&i.message);
                        i
                    })
                    .collect(),
            ),
            other => other,
        })?;
    let mut d = d;
    for b in d.first_bad.iter_mut().flatten() {
        b.file = rename(&b.file);
    }
    let report = bad_report(&d);
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{report}");
    let excluded: u64 = d.bad.iter().sum();
    if a.strict && excluded > 0 {
        return Err(Error::data(
            &inputs_named,
            crate::tr!(
                "{excluded} hồ sơ lỗi và đã chọn --strict; chưa ghi tệp nào",
                "{excluded} bad record(s) and --strict was given; nothing was written"
            ),
        ));
    }
    let mut units = d.units.clone();
    if let Some(reg) = &registry {
        let unknown: Vec<&(String, Counts)> = units
            .iter()
            .filter(|(u, _)| !reg.by_code.contains_key(u))
            .collect();
        if !unknown.is_empty() {
            let n: u64 = unknown.iter().map(|(_, c)| c.received).sum();
            let codes: Vec<&str> = unknown.iter().take(5).map(|(u, _)| u.as_str()).collect();
            let line = crate::tr!(
                "cảnh báo: {} mã đơn vị không có trong {} ({} hồ sơ), không đưa vào kết quả: {}{}",
                "warning: {} unit code(s) not in {} ({} dossiers), left out of the output: {}{}",
                unknown.len(),
                reg.file,
                n,
                codes.join(", "),
                if unknown.len() > 5 { ", …" } else { "" }
            );
            eprintln!("{line}");
        }
        units.retain(|(u, _)| reg.by_code.contains_key(u));
        // Registered units with no dossier get a row of zeros (their rates stay empty).
        for u in &reg.units {
            if !units.iter().any(|(c, _)| *c == u.code) {
                units.push((u.code.clone(), Counts::default()));
            }
        }
        units.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let bytes = match a
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .as_deref()
    {
        Some("parquet") | Some("pq") => parquet_bytes(&units)?,
        Some("csv") => csv_bytes(&units),
        _ => {
            return Err(Error::Usage(crate::tr!(
                "--out {}: chỉ ghi được .csv hoặc .parquet",
                "--out {}: write .csv or .parquet",
                a.out.display()
            )))
        }
    };
    write_all(&[(a.out.clone(), bytes)])?;
    let mut out = std::io::stdout().lock();
    let line = crate::tr!(
        "đã ghi {} đơn vị vào {} ({} hồ sơ trong kỳ, loại {})",
        "{} units written to {} ({} records in the period, {} excluded)",
        units.len(),
        a.out.display(),
        d.in_period,
        excluded
    );
    let _ = writeln!(out, "{line}");
    Ok(())
}

/// For each record file: a UTF-8 copy when it is a Windows-1258 CSV (decided on the evidence of
/// its first megabyte, by the rule `score`'s reader uses), NFC-normalised as `score` reads names;
/// `None` for every other file. A note says what was decided.
fn transcode_legacy(
    files: &[std::path::PathBuf],
    notes: &mut Vec<String>,
) -> Result<Vec<Option<tempfile::NamedTempFile>>> {
    use std::io::{BufRead, Read};
    use unicode_normalization::UnicodeNormalization;
    let mut out = Vec::new();
    for f in files {
        if crate::input::ingest::file_kind(f) != Some(crate::input::ingest::FileKind::Csv) {
            out.push(None);
            continue;
        }
        let io = |source| Error::Read {
            path: f.clone(),
            source,
        };
        let mut head = Vec::new();
        std::fs::File::open(f)
            .map_err(io)?
            .take(1 << 20)
            .read_to_end(&mut head)
            .map_err(io)?;
        let bad_utf8 = match std::str::from_utf8(&head) {
            Ok(_) => false,
            // A character cut by the 1 MB window is not evidence.
            Err(e) => e.error_len().is_some() || head.len() - e.valid_up_to() > 3,
        };
        if !bad_utf8 {
            out.push(None);
            continue;
        }
        // The same evidence rule as `score`'s reader: more valid multi-byte UTF-8 sequences than
        // invalid bytes is UTF-8 with damage (reported with its row by the reader); otherwise
        // Windows-1258.
        let (valid_multibyte, invalid) = crate::input::ingest::csv::utf8_evidence(&head);
        if valid_multibyte > invalid.len() {
            out.push(None);
            continue;
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".parindex-records-")
            .suffix(".csv")
            .tempfile()
            .map_err(io)?;
        let reader = std::io::BufReader::new(std::fs::File::open(f).map_err(io)?);
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        // Line by line, keeping the line breaks exactly (a file cut off stays cut off).
        let mut first = true;
        for line in reader.split(b'\n') {
            let line = line.map_err(io)?;
            if !first {
                std::io::Write::write_all(&mut w, b"\n").map_err(io)?;
            }
            first = false;
            let (text, _, _) = encoding_rs::WINDOWS_1258.decode(&line);
            let nfc: String = text.nfc().collect();
            std::io::Write::write_all(&mut w, nfc.as_bytes()).map_err(io)?;
        }
        std::io::Write::flush(&mut w).map_err(io)?;
        drop(w);
        notes.push(crate::tr!(
            "{}: không phải UTF-8, đọc theo bảng mã Windows-1258",
            "{}: not UTF-8, read as Windows-1258",
            f.display()
        ));
        out.push(Some(tmp));
    }
    Ok(out)
}

/// The terminal's bars, polled every 200 ms until `finished`: bytes read in pass 1 (CSV files),
/// records counted in pass 2.
fn progress_bar(
    finished: &std::sync::atomic::AtomicBool,
    slot: &std::sync::Mutex<Option<indicatif::ProgressBar>>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    let mut bar: Option<indicatif::ProgressBar> = None;
    // PARINDEX_PROGRESS_MS: how often the counters are read (200 ms; the tests use 1 ms so that a
    // small file shows the bar).
    let every = std::env::var("PARINDEX_PROGRESS_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200u64);
    let mut scan: Option<indicatif::ProgressBar> = None;
    while !finished.load(Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(every));
        // Pass 1 on CSV: the bytes read.
        let (scanned, size) = (
            derive::SCAN_DONE.load(Relaxed),
            derive::SCAN_TOTAL.load(Relaxed),
        );
        if size > 0 && scanned > 0 {
            let b = scan.get_or_insert_with(|| bytes_bar(size, slot));
            b.set_position(scanned.min(size));
            continue;
        }
        if let Some(b) = scan.take() {
            if let Ok(mut s) = slot.lock() {
                *s = None;
            }
            b.finish_and_clear();
        }
        let total = derive::RECORDS_TOTAL.load(Relaxed);
        let done = derive::RECORDS_DONE.load(Relaxed);
        if total == 0 || !derive::COUNTING.load(Relaxed) || done == 0 {
            continue;
        }
        let b = bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new(total);
            let per_second = crate::support::i18n::current().pick("/giây", "/s");
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:30}] {done}/{all} ({rate}, {eta})",
                )
                .expect("a valid template")
                .with_key(
                    "done",
                    |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = w.write_str(&crate::support::numfmt::whole(
                            s.pos(),
                            crate::support::i18n::current(),
                        ));
                    },
                )
                .with_key(
                    "all",
                    |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = w.write_str(&crate::support::numfmt::whole(
                            s.len().unwrap_or(0),
                            crate::support::i18n::current(),
                        ));
                    },
                )
                .with_key(
                    "rate",
                    move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(
                            w,
                            "{}{per_second}",
                            crate::support::numfmt::whole(
                                s.per_sec() as u64,
                                crate::support::i18n::current()
                            )
                        );
                    },
                )
                .progress_chars("=> "),
            );
            b.set_message(
                crate::support::i18n::current()
                    .pick("hồ sơ", "records")
                    .to_string(),
            );
            if let Ok(mut s) = slot.lock() {
                *s = Some(b.clone());
            }
            b
        });
        b.set_position(done.min(total));
    }
    for b in [scan, bar].into_iter().flatten() {
        if let Ok(mut s) = slot.lock() {
            *s = None;
        }
        b.finish_and_clear();
    }
}

/// The bar of pass 1: megabytes of the CSV files read ("đọc tệp […] 2,4/4,9 MB (650 MB/giây,
/// 0s)"), short enough for an 80-column terminal.
fn bytes_bar(
    size: u64,
    slot: &std::sync::Mutex<Option<indicatif::ProgressBar>>,
) -> indicatif::ProgressBar {
    let lang = crate::support::i18n::current();
    let locale = crate::support::numfmt::Locale::of(lang);
    let mb = move |bytes: f64| crate::support::numfmt::fixed(bytes / 1e6, 1, locale);
    let per_second = lang.pick("/giây", "/s");
    let b = indicatif::ProgressBar::new(size);
    b.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:25}] {done}/{all} MB ({rate}, {eta})")
            .expect("a valid template")
            .with_key(
                "done",
                move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&mb(s.pos() as f64));
                },
            )
            .with_key(
                "all",
                move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&mb(s.len().unwrap_or(0) as f64));
                },
            )
            .with_key(
                "rate",
                move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let rate = crate::support::numfmt::fixed(s.per_sec() / 1e6, 0, locale);
                    let _ = write!(w, "{rate} MB{per_second}");
                },
            )
            .progress_chars("=> "),
    );
    b.set_message(lang.pick("đọc tệp", "reading").to_string());
    if let Ok(mut s) = slot.lock() {
        *s = Some(b.clone());
    }
    b
}

fn bad_report(d: &Derived) -> String {
    let mut s = crate::tr!(
        "đã đọc {} hồ sơ, {} hồ sơ tiếp nhận trong kỳ",
        "{} record(s) read, {} received in the period",
        d.rows_read,
        d.in_period
    );
    let excluded: u64 = d.bad.iter().sum();
    if excluded == 0 {
        s.push_str(&crate::tr!("; không loại hồ sơ nào\n", "; none excluded\n"));
        return s;
    }
    s.push_str(&crate::tr!(
        "; loại {excluded} hồ sơ:\n",
        "; {excluded} excluded:\n"
    ));
    for (k, (code, _)) in REASONS.iter().enumerate() {
        let what = derive::reason_text(k);
        if d.bad[k] == 0 {
            continue;
        }
        s.push_str(&format!("  {code}: {} ({what})", d.bad[k]));
        if let Some(e) = &d.first_bad[k] {
            s.push_str(&crate::tr!(
                "; đầu tiên: {}, dòng {}",
                "; first: {}, row {}",
                e.file,
                e.row
            ));
            if !e.dossier_id.is_empty() {
                s.push_str(&crate::tr!(", hồ sơ {}", ", dossier {}", e.dossier_id));
            }
        }
        s.push('\n');
    }
    s
}

fn row(u: &str, c: &Counts) -> Vec<String> {
    let mut r = vec![
        u.to_string(),
        c.received.to_string(),
        c.resolved.to_string(),
        c.resolved_on_time.to_string(),
        c.resolved_late.to_string(),
        c.pending.to_string(),
        c.pending_overdue.to_string(),
        c.online.to_string(),
        c.full_online.to_string(),
        c.paid_online.to_string(),
        c.fee_known.to_string(),
        c.digitised.to_string(),
    ];
    r.extend(c.rates().iter().map(|x| x.map(machine).unwrap_or_default()));
    r
}

fn csv_bytes(units: &[(String, Counts)]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(columns()).expect("memory");
    for (u, c) in units {
        // A unit code a spreadsheet would run as a formula is neutralised, as in score's CSVs.
        let code = crate::report::csv::neutralise(u);
        w.write_record(row(&code, c)).expect("memory");
    }
    w.into_inner().expect("memory")
}

fn parquet_bytes(units: &[(String, Counts)]) -> Result<Vec<u8>> {
    let counts: Vec<[u64; 11]> = units
        .iter()
        .map(|(_, c)| {
            [
                c.received,
                c.resolved,
                c.resolved_on_time,
                c.resolved_late,
                c.pending,
                c.pending_overdue,
                c.online,
                c.full_online,
                c.paid_online,
                c.fee_known,
                c.digitised,
            ]
        })
        .collect();
    let mut columns: Vec<Column> = vec![Column::new(
        "unit_code".into(),
        units.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
    )];
    for (k, name) in derive::COUNT_COLUMNS.iter().enumerate() {
        columns.push(Column::new(
            (*name).into(),
            counts.iter().map(|c| c[k]).collect::<Vec<u64>>(),
        ));
    }
    for (k, name) in derive::RATE_COLUMNS.iter().enumerate() {
        let v: Vec<Option<f64>> = units
            .iter()
            .map(|(_, c)| c.rates()[k].map(|x| crate::support::numfmt::round_half_away(x, 6)))
            .collect();
        columns.push(Column::new((*name).into(), v));
    }
    let mut df = DataFrame::new_infer_height(columns).map_err(|e| Error::Other(e.to_string()))?;
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).finish(&mut df).map_err(|e| {
        Error::Other(crate::tr!(
            "không ghi được Parquet: {e}",
            "cannot write Parquet: {e}"
        ))
    })?;
    Ok(buf)
}
