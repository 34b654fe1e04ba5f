//! `parindex template`: criteria files + unit registry → the data-entry workbook
//! (`report::template`). Resolves the run file and flags, refuses to overwrite an input, writes
//! atomically.

use std::path::PathBuf;

use crate::input::runfile::{self, RunFile};
use crate::input::units::Registry;
use crate::report::{self, template::Form};
use crate::support::error::{Error, Result};

pub use crate::cli::TemplateArgs as Args;

pub fn run(a: &Args) -> Result<()> {
    let rf = match &a.run {
        Some(p) => runfile::load(p)?,
        None => RunFile::default(),
    };
    let lang = a.lang.or(rf.lang).unwrap_or_default();
    crate::support::i18n::set(lang);
    let criteria_files = if a.criteria.is_empty() {
        rf.criteria.clone()
    } else {
        a.criteria.clone()
    };
    let usage = |vi: &str, en: &str| Error::Usage(lang.pick(vi, en).to_string());
    if criteria_files.is_empty() {
        return Err(usage(
            "thiếu tệp tiêu chí: dùng --criteria FILE hoặc một tệp lần chạy",
            "missing criteria file: give --criteria FILE or a run file",
        ));
    }
    let units = a.units.clone().or(rf.units.clone()).ok_or_else(|| {
        usage(
            "thiếu danh mục đơn vị: dùng --units FILE hoặc một tệp lần chạy",
            "missing unit registry: give --units FILE or a run file",
        )
    })?;
    let out = match (&a.out, &rf.out) {
        (Some(o), _) => o.clone(),
        (None, Some(dir)) => dir.join("mau-nhap-lieu.xlsx"),
        (None, None) => return Err(usage("thiếu --out FILE.xlsx", "missing --out FILE.xlsx")),
    };
    if !out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        return Err(Error::Usage(crate::tr!(
            "--out {}: mẫu nhập liệu là tệp .xlsx",
            "--out {}: the template is an .xlsx file",
            out.display()
        )));
    }
    let criteria = super::load_criteria(&criteria_files)?;
    let inputs: Vec<PathBuf> = criteria_files
        .iter()
        .cloned()
        .chain(std::iter::once(units.clone()))
        .chain(a.run.clone())
        .collect();
    report::guard_outputs(std::slice::from_ref(&out), &inputs)?;
    let registry = Registry::load(&units)?;
    let form = if a.self_assessment {
        Form::SelfAssessment
    } else if a.appraisal {
        Form::Appraisal
    } else {
        Form::Data
    };
    // The template collects what the run file's uncertainty reads too (survey sample sizes).
    let sample_sizes = report::template::sample_sizes(rf.uncertainty.as_ref());
    let bytes = report::template::workbook(&criteria, &registry, form, lang, &sample_sizes)
        .map_err(|e| {
            Error::Other(crate::tr!(
                "không tạo được {}: {e}",
                "cannot build {}: {e}",
                out.display()
            ))
        })?;
    report::write_all(&[(out.clone(), bytes)])?;
    let rows: usize = registry
        .units
        .iter()
        .filter(|u| criteria.iter().any(|c| c.covers(&u.unit_type)))
        .count();
    println!(
        "{}",
        crate::tr!(
            "Đã ghi {}: {} trang số liệu, {} đơn vị.",
            "Written {}: {} data sheet(s), {} unit(s).",
            out.display(),
            criteria.len(),
            rows
        )
    );
    Ok(())
}
