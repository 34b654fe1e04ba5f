//! `parindex derive`: dossier records → per-unit indicator table that `score` reads. Owns the
//! command's order: resolve the period, run the two passes, report excluded records, check unit
//! codes against an optional registry, then write CSV or Parquet atomically.

use std::io::Write;

use polars::prelude::*;

use crate::derive::{self, dates, Counts, Derived, Mapping, Options, REASONS};
use crate::error::{Error, Result};
use crate::numfmt::machine;
use crate::report::write_all;
use crate::units::Registry;

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
    let (from, to, as_of) = period(a)?;
    let engine: Engine = a.engine.parse().map_err(|_| {
        Error::Usage(crate::tr!(
            "--engine {}: dùng streaming hoặc in-memory",
            "--engine {}: use streaming or in-memory",
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
    if let Some(outcome) = crate::guard::parquet_in_child(&files, dir) {
        return outcome;
    }
    let mapping = match &a.map {
        Some(p) => Mapping::load(p)?,
        None => Mapping::default(),
    };
    let registry = a.units.as_ref().map(|p| Registry::load(p)).transpose()?;
    let o = Options {
        files: a.files.clone(),
        from,
        to,
        as_of,
        mapping,
        engine,
        hash_mask: u64::MAX,
    };
    let mut err = std::io::stderr().lock();
    let quiet = a.quiet;
    let mut progress = |s: &str| {
        if !quiet {
            let _ = writeln!(err, "parindex derive: {s}");
        }
    };
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
    // polars' readers panic on some damaged files: a panic becomes an error naming the inputs.
    let d = crate::guard::isolate(|| derive::run(&o, &mut progress)).map_err(|why| {
        Error::data(
            &inputs_named,
            crate::tr!(
                "không đọc được: tệp bị hỏng ({})",
                "cannot read: damaged file ({})",
                why
            ),
        )
    })??;
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
            let _ = writeln!(err, "{line}");
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
            .map(|(_, c)| c.rates()[k].map(|x| crate::numfmt::round_half_away(x, 6)))
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
