//! `parindex check`: validate criteria files and run files and print each criteria tree with
//! maxima and rules. A run file is checked (keys, values, that the files it names exist) and
//! then the criteria files it names.

use std::path::{Path, PathBuf};

use crate::input::runfile;
use crate::report::words::criteria as describe;
use crate::support::error::{Error, Result};
use crate::support::i18n::Lang;

pub fn run(paths: &[PathBuf], lang: Lang) -> Result<String> {
    let mut criteria: Vec<PathBuf> = Vec::new();
    // Award rules are checked against the criteria files of the same check.
    let mut rules: Vec<PathBuf> = Vec::new();
    let mut out = String::new();
    let mut diags = Vec::new();
    // Run files read, checked against their criteria once those are read.
    let mut run_files = Vec::new();
    for p in paths {
        if is_rules_file(p) {
            rules.push(p.clone());
            continue;
        }
        if !is_run_file(p) {
            criteria.push(p.clone());
            continue;
        }
        match runfile::load(p) {
            Ok(rf) => {
                out.push_str(&format!(
                    "{} — {}: {} {}, {} {}{}{}\n",
                    p.display(),
                    lang.pick("tệp lần chạy hợp lệ", "valid run file"),
                    rf.criteria.len(),
                    lang.pick("tệp tiêu chí", "criteria file(s)"),
                    rf.data.len(),
                    lang.pick("bảng dữ liệu", "data table(s)"),
                    if rf.self_data.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ", {} {}",
                            rf.self_data.len(),
                            lang.pick("bảng tự đánh giá", "self-assessment table(s)")
                        )
                    },
                    rf.out
                        .as_ref()
                        .map(|o| format!(
                            ", {} {}",
                            lang.pick("kết quả ghi vào", "output to"),
                            o.display()
                        ))
                        .unwrap_or_default()
                ));
                criteria.extend(
                    rf.criteria
                        .iter()
                        .filter(|c| !criteria_named(paths, c))
                        .cloned(),
                );
                rules.extend(rf.awards.clone());
                run_files.push(rf);
            }
            Err(Error::Config(d)) => diags.extend(d),
            Err(e) => return Err(e),
        }
    }
    let all = match super::load_criteria(&criteria) {
        Ok(all) if diags.is_empty() => {
            for rf in &run_files {
                diags.extend(runfile::check_against(rf, &all));
                // Last year's criteria sets (`[previous] criteria`) are checked too.
                match super::load_criteria(&rf.previous_criteria) {
                    Ok(_) => {}
                    Err(Error::Config(more)) => diags.extend(more),
                    Err(e) => return Err(e),
                }
            }
            if !diags.is_empty() {
                return Err(Error::Config(diags));
            }
            probe_tables(&run_files)?;
            all
        }
        Ok(_) => return Err(Error::Config(diags)),
        Err(Error::Config(more)) => {
            diags.extend(more);
            return Err(Error::Config(diags));
        }
        Err(e) => return Err(e),
    };
    let mut checked_rules = Vec::new();
    for r in &rules {
        if all.is_empty() {
            return Err(Error::Usage(crate::tr!(
                "{}: quy định khen thưởng được kiểm tra cùng các tệp tiêu chí (hoặc tệp lần chạy) mà nó áp dụng",
                "{}: award rules are checked together with the criteria files (or the run file) they apply to",
                r.display()
            )));
        }
        match crate::analyses::awards::load(r, &all) {
            Ok(x) => checked_rules.push(x),
            Err(Error::Config(more)) => diags.extend(more),
            Err(e) => return Err(e),
        }
    }
    if !diags.is_empty() {
        return Err(Error::Config(diags));
    }
    for r in &checked_rules {
        out.push_str(&format!(
            "{} — {}: {}\n",
            r.path,
            lang.pick("quy định khen thưởng hợp lệ", "valid award rules"),
            lang.text(&r.name, r.name_en.as_ref())
        ));
        for a in &r.awards {
            out.push_str(&format!(
                "  {} ({}): {}\n",
                lang.text(&a.name, a.name_en.as_ref()),
                a.id,
                crate::report::words::awards::describe(r, a, &all, lang)
            ));
        }
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    for c in &all {
        out.push_str(&format!("{} — {}\n", c.path, lang.pick("hợp lệ", "valid")));
        out.push_str(&describe::tree(c, lang));
        for m in describe::method(c, lang) {
            out.push_str(&format!("  {m}\n"));
        }
        out.push('\n');
    }
    Ok(out)
}

/// Open every data and self-assessment table the run files name, as `score` will (the sheet
/// named, the file's kind, its encoding): every problem at once.
fn probe_tables(run_files: &[runfile::RunFile]) -> Result<()> {
    let mut issues = Vec::new();
    let tables = run_files
        .iter()
        .flat_map(|rf| rf.data.iter().chain(&rf.self_data));
    for d in tables {
        match crate::input::ingest::probe(&d.path) {
            Ok(()) => {}
            Err(Error::Data(mut more)) => issues.append(&mut more),
            Err(e) => return Err(e),
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(Error::Data(issues))
    }
}

fn criteria_named(paths: &[PathBuf], c: &Path) -> bool {
    paths.iter().any(|p| p == c)
}

fn is_rules_file(p: &Path) -> bool {
    std::fs::read_to_string(p).is_ok_and(|t| crate::analyses::awards::looks_like_rules(&t))
}

/// A readable TOML file that looks like a run file; anything else goes to the criteria
/// loader, which reports it.
fn is_run_file(p: &Path) -> bool {
    std::fs::read_to_string(p).is_ok_and(|t| runfile::looks_like_run_file(&t))
}
