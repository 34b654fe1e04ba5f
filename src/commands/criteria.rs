//! `parindex criteria …`: work on criteria files themselves. `diff` loads two sets (each checked as
//! `check` does), compares them (`analyses::revision`) and prints the changes, optionally as CSV;
//! `export` writes a checked set as the official annex table (.xlsx or .docx); `import` reads such
//! an annex (`input::annex`) into a criteria file (`report::criteria_toml`) and checks it as
//! `check` would before writing it.

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

pub fn import(
    annex: &Path,
    out: &Path,
    unit_types: &[String],
    year: Option<i64>,
    name: Option<String>,
) -> Result<()> {
    let a = crate::input::annex::read(annex)?;
    // The set's name and year from the annex's title unless given: the title row that is not
    // "Phụ lục …" or "(Kèm theo …)".
    let title = (a.titles.iter())
        .find(|t| {
            let k = crate::support::text::fold(t);
            !k.starts_with("phụ lục") && !t.trim_start().starts_with('(')
        })
        .cloned();
    let year_in = |t: &str| {
        t.split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse::<i64>().ok())
            .find(|y| (2000..=2100).contains(y))
    };
    let year = match year.or_else(|| a.titles.iter().find_map(|t| year_in(t))) {
        Some(y) => y,
        None => {
            return Err(Error::Usage(crate::tr!(
                "{}: tên bảng không có năm; hãy nêu --year",
                "{}: the annex's title has no year; give --year",
                a.file
            )))
        }
    };
    let name = name
        .or(title)
        .unwrap_or_else(|| crate::tr!("Bộ tiêu chí năm {year}", "Criteria set {year}"));
    let types: Vec<String> = (unit_types.iter())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let text = report::criteria_toml::write(
        &a,
        &report::criteria_toml::Meta {
            name,
            year,
            unit_types: &types,
        },
    );
    // What is written passes `check`: parsed and validated before it is written.
    let shown = out.display().to_string();
    crate::input::criteria::parse(&shown, &text, String::new())?;
    report::guard_outputs(&[out.to_path_buf()], &[annex.to_path_buf()])?;
    report::write_all(&[(out.to_path_buf(), text.into_bytes())])?;
    let recognised = (a.nodes.iter())
        .chain(a.bonus.iter().flat_map(|s| &s.items))
        .chain(a.penalty.iter().flat_map(|s| &s.items))
        .filter_map(|c| c.rule.as_ref())
        .collect::<Vec<_>>();
    let appraised = recognised
        .iter()
        .filter(|r| matches!(r, crate::input::annex::Recognised::Appraised))
        .count();
    use std::io::Write;
    let _ = writeln!(
        std::io::stdout().lock(),
        "{}",
        crate::tr!(
            "Đã ghi {shown}: {} tiêu chí, {} quy tắc chấm nhận dạng được (hãy kiểm tra các dòng đánh dấu), {appraised} chấm theo thẩm định",
            "Written {shown}: {} criteria, {} scoring rules recognised (check the marked lines), {appraised} appraised",
            a.nodes.len(),
            recognised.len() - appraised
        )
    );
    Ok(())
}
