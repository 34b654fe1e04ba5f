//! `parindex score`: criteria + registry + indicator tables → scores, grades, ranks → reports.
//! The order of the steps lives here: everything is read and checked before anything is
//! written, outputs are built in memory and then written atomically, inputs are never
//! overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::ingest::split_sheet;
use crate::rank;
use crate::report::{self, Run};
use crate::score;
use crate::units::Registry;

pub use crate::cli::ScoreArgs as Args;

pub const OUTPUTS: [&str; 3] = ["results.csv", "criterion-scores.csv", "results.xlsx"];

pub fn run(a: &Args) -> Result<()> {
    let lang = a.lang;
    let criteria = super::load_criteria(&a.criteria)?;
    // Each unit type belongs to one criteria file.
    for (i, c) in criteria.iter().enumerate() {
        for d in &criteria[i + 1..] {
            if let Some(t) = c.unit_types.iter().find(|t| d.covers(t)) {
                return Err(Error::Usage(crate::tr!("loại đơn vị `{t}` được chấm bởi cả {} và {}; mỗi loại đơn vị chỉ dùng một tệp tiêu chí", "unit type `{t}` is scored by both {} and {}; give each unit type one criteria file",
                    c.path, d.path
                )));
            }
        }
    }
    let inputs: Vec<PathBuf> = std::iter::once(a.units.clone())
        .chain(a.criteria.clone())
        .chain(a.data.clone())
        .collect();
    guard_outputs(&a.out, &inputs)?;

    let registry = Registry::load(&a.units)?;
    let mut warnings: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut skipped: Vec<(String, usize)> = Vec::new();
    for u in &registry.units {
        if !criteria.iter().any(|c| c.covers(&u.unit_type)) {
            match skipped.iter_mut().find(|(t, _)| *t == u.unit_type) {
                Some((_, n)) => *n += 1,
                None => skipped.push((u.unit_type.clone(), 1)),
            }
        }
    }
    if skipped.iter().map(|(_, n)| n).sum::<usize>() == registry.units.len() {
        let types: Vec<&str> = criteria
            .iter()
            .flat_map(|c| c.unit_types.iter().map(String::as_str))
            .collect();
        return Err(Error::data(
            &registry.file,
            crate::tr!(
                "không đơn vị nào trong danh mục có loại mà bộ tiêu chí chấm ({})",
                "no unit in the registry has a type the criteria score ({})",
                types.join(", ")
            ),
        ));
    }
    for (t, n) in &skipped {
        notes.push(crate::tr!(
            "{n} đơn vị loại `{t}` không được chấm: không có tệp tiêu chí cho loại này",
            "{n} unit(s) of type `{t}` not scored: no criteria file given for that type"
        ));
    }
    let mut needed: Vec<(String, String)> = Vec::new();
    for c in &criteria {
        for (_, n, r) in c.leaves() {
            if !needed.iter().any(|(i, _)| *i == r.indicator) {
                needed.push((
                    r.indicator.clone(),
                    crate::tr!("tiêu chí {} của {}", "criterion {} of {}", n.id, c.path),
                ));
            }
        }
        for ind in c.indicators() {
            if !needed.iter().any(|(i, _)| i == ind) {
                needed.push((ind.to_string(), c.path.clone()));
            }
        }
    }
    let data = Dataset::load(&a.data, a.locale, &registry, &needed)?;
    for t in &data.tables {
        notes.extend(t.notes.iter().cloned());
    }
    if !data.unused.is_empty() {
        notes.push(crate::tr!(
            "các cột đã đọc nhưng không tiêu chí nào dùng: {}",
            "columns read but used by no criterion: {}",
            data.unused.join(", ")
        ));
    }

    let mut scores = score::score_all(&criteria, &registry, &data)?;
    rank::assign(&mut scores, &criteria, &registry, lang);
    for u in &scores {
        let missing = u
            .leaves
            .iter()
            .filter(|(_, s)| s.flags.contains(&score::Flag::Missing))
            .count();
        if missing > 0 {
            warnings.push(crate::tr!(
                "{}: thiếu {missing} giá trị tiêu chí, tính 0 điểm (xem criterion-scores.csv)",
                "{}: {missing} criterion value(s) missing, scored 0 (see criterion-scores.csv)",
                registry.units[u.unit].code
            ));
        }
    }

    let run = Run {
        criteria: &criteria,
        registry: &registry,
        scores: &scores,
        lang,
        inputs: inputs
            .iter()
            .filter_map(|p| {
                let (path, _) = split_sheet(p);
                std::fs::read(&path)
                    .ok()
                    .map(|b| (p.display().to_string(), crate::criteria::sha256_hex(&b)))
            })
            .collect(),
    };
    // The workbook and the CSVs are independent: build them on two threads.
    let (xlsx, results, details) = std::thread::scope(|sc| {
        let xlsx = sc.spawn(|| report::xlsx::workbook(&run));
        let results = report::csv::results(&run);
        let details = report::csv::criterion_scores(&run);
        (
            xlsx.join().expect("the workbook thread does not panic"),
            results,
            details,
        )
    });
    let xlsx = xlsx.map_err(|e| Error::Other(format!("cannot build results.xlsx: {e}")))?;
    let files: Vec<(&str, Vec<u8>)> = vec![
        (OUTPUTS[0], results),
        (OUTPUTS[1], details),
        (OUTPUTS[2], xlsx),
    ];
    std::fs::create_dir_all(&a.out).map_err(|source| Error::Write {
        path: a.out.clone(),
        source,
    })?;
    for (name, bytes) in &files {
        report::write_atomic(&a.out.join(name), bytes)?;
    }

    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let note_word = lang.pick("ghi chú", "note");
    let warn_word = lang.pick("cảnh báo", "warning");
    for n in &notes {
        let _ = writeln!(stderr, "{note_word}: {n}");
    }
    for w in &warnings {
        let _ = writeln!(stderr, "{warn_word}: {w}");
    }
    let pipe = |r: std::io::Result<()>| match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::Other(e.to_string())),
    };
    if !a.quiet {
        pipe(write!(stdout, "{}", report::terminal::table(&run)))?;
    }
    pipe(writeln!(
        stdout,
        "{}",
        report::terminal::summary(&run, warnings.len())
    ))?;
    pipe(writeln!(
        stdout,
        "{} {}",
        lang.pick("Đã ghi:", "Written:"),
        OUTPUTS
            .map(|o| a.out.join(o).display().to_string())
            .join(", ")
    ))?;
    Ok(())
}

/// Refuse to run if an output would land on an input.
fn guard_outputs(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    for name in OUTPUTS {
        let target = out.join(name);
        let Ok(t) = target.canonicalize() else {
            continue;
        };
        for i in inputs {
            let (path, _) = split_sheet(i);
            if path.canonicalize().is_ok_and(|p| p == t) {
                return Err(Error::Usage(crate::tr!("{} là tệp đầu vào và sẽ bị tệp kết quả {} ghi đè; hãy chọn thư mục --out khác", "{} is an input and would be overwritten by the output {}; choose another --out",
                    i.display(),
                    target.display()
                )));
            }
        }
    }
    Ok(())
}
