//! `parindex criteria …`: work on criteria files themselves. `diff` loads two sets (each checked as
//! `check` does), compares them (`analyses::revision`) and prints the changes, optionally as CSV;
//! `export` writes a checked set as the official annex table (.xlsx or .docx).

use std::path::Path;

use crate::analyses::revision;
use crate::report;
use crate::support::error::{Error, Result};
use crate::support::i18n::Lang;

pub fn diff(old: &Path, new: &Path, csv: Option<&Path>, lang: Lang) -> Result<()> {
    // Both files are checked before either is compared; every problem of both at once.
    let mut sets = super::load_criteria(&[old.to_path_buf(), new.to_path_buf()])?;
    let (Some(b), Some(a)) = (sets.pop(), sets.pop()) else {
        return Err(Error::Other("two criteria files were loaded".into()));
    };
    let r = revision::revise(&a, &b);
    if let Some(path) = csv {
        let inputs = [old.to_path_buf(), new.to_path_buf()];
        report::guard_outputs(&[path.to_path_buf()], &inputs)?;
        report::write_all(&[(path.to_path_buf(), report::csv::revision(&a, &b, &r))])?;
    }
    use std::io::Write;
    let _ = std::io::stdout()
        .lock()
        .write_all(report::terminal::revision(&a, &b, &r, lang).as_bytes());
    Ok(())
}

pub fn export(file: &Path, out: &Path, lang: Lang) -> Result<()> {
    let ext = (out.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("xlsx" | "docx")) {
        return Err(Error::Usage(crate::tr!(
            "{}: phụ lục ghi ra tệp .xlsx hoặc .docx",
            "{}: the annex is written as .xlsx or .docx",
            out.display()
        )));
    }
    let c = crate::input::criteria::load(file)?;
    report::guard_outputs(&[out.to_path_buf()], &[file.to_path_buf()])?;
    let bytes = if ext.as_deref() == Some("docx") {
        report::docx::criteria_annex(&c, lang).map_err(|e| Error::Other(e.to_string()))?
    } else {
        report::xlsx::annex::criteria_annex(&c, lang).map_err(|e| Error::Other(e.to_string()))?
    };
    report::write_all(&[(out.to_path_buf(), bytes)])?;
    use std::io::Write;
    let _ = writeln!(
        std::io::stdout().lock(),
        "{} {}",
        lang.pick("Đã ghi:", "Written:"),
        out.display()
    );
    Ok(())
}
