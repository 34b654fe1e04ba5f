//! Everything the commands write: the view model every document for people renders (`view`),
//! machine CSVs (`csv`), the print-ready workbook (`xlsx`, with native charts), the printable
//! HTML report and scorecards (`html` over `templates/report.html`, with `svg` charts), the
//! data-entry template (`template`) and the terminal lines (`terminal`); `words` says the
//! analyses' typed facts (flags, decisions, groups, a criteria set, an award's rules) in the run's
//! language. Files are built in
//! memory first and only then written as one unit by [`write_all`] (every command uses it): all
//! temporaries are written and synced before any is renamed into place, a failure renames none
//! and removes them, and no output may land on an input.

pub mod criteria_toml;
pub mod csv;
pub mod docx;
pub mod html;
pub mod svg;
pub mod template;
pub mod terminal;
pub mod view;
pub mod words;
pub mod xlsx;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::error::{Error, Result};

use crate::input::criteria::Criteria;
use crate::input::units::Registry;
use crate::scoring::score::{UnitFlag, UnitScore};
use crate::support::i18n::Lang;

/// What every report reads.
pub struct Run<'a> {
    pub criteria: &'a [Criteria],
    pub registry: &'a Registry,
    pub scores: &'a [UnitScore],
    /// The official ranking of `scores` (which are in its report order).
    pub ranking: &'a crate::scoring::rank::Ranking,
    pub lang: Lang,
    /// Input files with their SHA-256, for the method sheet.
    pub inputs: Vec<(String, String)>,
    /// The title block of printed documents (from the run file).
    pub report: &'a crate::input::runfile::ReportSpec,
    /// Self-assessment against appraisal, when the run has self-assessment data.
    pub appraisal: Option<&'a crate::analyses::appraisal::Appraisal>,
    /// Last year's comparison, when the run names last year's results.
    pub comparison: Option<&'a crate::analyses::compare::YearComparison>,
    /// Award rules and the proposals they gave.
    pub awards: Option<(
        &'a crate::analyses::awards::Rules,
        &'a crate::analyses::awards::Proposals,
    )>,
    /// How sure the ranking is, when the run declares its uncertainty.
    pub uncertainty: Option<&'a crate::analyses::uncertainty::Figures>,
    /// The criteria audit, when the run asks for it.
    pub audit: Option<&'a crate::analyses::audit::Audit>,
    /// This year's criteria sets against last year's (`[previous] criteria`).
    pub revisions: &'a [crate::analyses::revision::Revised],
}

/// Above this many units a run is national in scale (the 3,321 communes of the country, not a
/// province's few hundred): `report.html` leaves out the scorecards (one file holding them all
/// would be 46 MB) and the workbook its look-up sheet of every unit's criterion scores (160,000
/// rows, a third of the run's time); both say where they are instead (`--scorecards DIR`,
/// `criterion-scores.csv`).
pub const LARGE_RUN: usize = 500;

impl Run<'_> {
    /// More units than [`LARGE_RUN`].
    pub fn is_large(&self) -> bool {
        self.scores.len() > LARGE_RUN
    }

    /// A scored unit's place in the official ranking.
    pub fn place(&self, u: &UnitScore) -> crate::scoring::rank::Place {
        self.ranking.place(u.unit)
    }

    /// The stable machine key of a scored unit's ranking group (`rank_group`).
    pub fn group_key(&self, u: &UnitScore) -> String {
        (self.ranking.group_of(u.unit))
            .map(|g| g.key.code())
            .unwrap_or_default()
    }

    /// The label of a scored unit's ranking group, in the run's language.
    pub fn group_label(&self, u: &UnitScore) -> String {
        (self.ranking.group_of(u.unit))
            .map(|g| words::rank_group(g, self.criteria, self.lang))
            .unwrap_or_default()
    }
}

/// Escape text for XML content and attributes (the SVG charts, the .docx parts): the five
/// characters that matter, and the control characters XML 1.0 does not allow (a tab or a line
/// break in a unit name stays) are dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Refuse outputs that would land on an input (compared after resolving links), or on a
/// folder. `inputs` may carry `#sheet` suffixes.
pub fn guard_outputs(outputs: &[PathBuf], inputs: &[PathBuf]) -> Result<()> {
    for target in outputs {
        if target.is_dir() {
            return Err(Error::Usage(crate::tr!(
                "{} là một thư mục, không ghi đè được bằng tệp kết quả; hãy đổi tên hoặc chọn --out khác",
                "{} is a folder and cannot be replaced by an output file; rename it or choose another --out",
                target.display()
            )));
        }
        let Ok(t) = target.canonicalize() else {
            continue;
        };
        for i in inputs {
            let (path, _) = crate::input::ingest::split_sheet(i);
            if path.canonicalize().is_ok_and(|p| p == t) {
                return Err(Error::Usage(crate::tr!(
                    "{} là tệp đầu vào và sẽ bị tệp kết quả {} ghi đè; hãy chọn --out khác",
                    "{} is an input and would be overwritten by the output {}; choose another --out",
                    i.display(),
                    target.display()
                )));
            }
        }
    }
    Ok(())
}

/// Refuse a folder of generated files (scorecards) that is a file, or that holds an input
/// (each unit's file could replace it).
pub fn guard_folder(dir: &Path, inputs: &[PathBuf]) -> Result<()> {
    if dir.is_file() {
        return Err(Error::Usage(crate::tr!(
            "{} là một tệp, không phải thư mục; hãy chọn thư mục khác cho --scorecards",
            "{} is a file, not a folder; choose another folder for --scorecards",
            dir.display()
        )));
    }
    let Ok(d) = dir.canonicalize() else {
        return Ok(());
    };
    for i in inputs {
        let (path, _) = crate::input::ingest::split_sheet(i);
        if path
            .canonicalize()
            .is_ok_and(|p| p.parent() == Some(d.as_path()))
        {
            return Err(Error::Usage(crate::tr!(
                "thư mục {} chứa tệp đầu vào {}; hãy chọn thư mục riêng cho phiếu kết quả",
                "the folder {} holds the input {}; choose a folder of its own for the scorecards",
                dir.display(),
                i.display()
            )));
        }
    }
    Ok(())
}

/// Write every output of a run as one unit: each to a temporary file beside its target,
/// written and synced; only when all are complete are they renamed into place. On any failure
/// nothing is renamed and the temporaries are removed (tempfile deletes them on drop).
/// Temporaries left by a killed run (`.parindex-*.tmp`, older than ten minutes) are removed.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        remove_stale_temporaries(dir);
        staged.push((path, stage(path, dir, bytes)?));
    }
    for (path, tmp) in staged {
        tmp.persist(path).map_err(|e| Error::Write {
            path: path.to_path_buf(),
            source: e.error,
        })?;
    }
    Ok(())
}

fn remove_stale_temporaries(dir: &Path) {
    remove_temporaries(dir, |modified| {
        modified.elapsed().is_ok_and(|age| age.as_secs() > 600)
    });
}

/// Remove this tool's temporaries (`.parindex-*.tmp`) in `dir` whose modification time `pick`
/// selects.
pub fn remove_temporaries(dir: &Path, pick: impl Fn(std::time::SystemTime) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let picked = e.metadata().and_then(|m| m.modified()).is_ok_and(&pick);
        if name.starts_with(".parindex-") && name.ends_with(".tmp") && picked {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn stage(path: &Path, dir: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".parindex-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    // tempfile creates 0600; results are shared documents, so give them the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    Ok(tmp)
}

/// Area ids across all criteria files, in numeric order (`1`, `2`, … `10`).
pub fn area_ids(criteria: &[Criteria]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for c in criteria {
        for &a in &c.areas {
            if !ids.contains(&c.nodes[a].id) {
                ids.push(c.nodes[a].id.clone());
            }
        }
    }
    ids.sort_by_key(|id| id.parse::<u32>().unwrap_or(u32::MAX));
    ids
}

/// An area's points for a unit, if its criteria file has that area.
pub fn area_points(c: &Criteria, u: &UnitScore, id: &str) -> Option<f64> {
    c.areas
        .iter()
        .find(|&&a| c.nodes[a].id == id)
        .map(|&a| u.node_points[a])
}

pub fn unit_flags_text(u: &UnitScore, c: &Criteria, lang: Lang) -> String {
    let condition = |id: &str| {
        c.disqualify
            .iter()
            .find(|d| d.id == id)
            .map_or(id.to_string(), |d| {
                lang.text(&d.name, d.name_en.as_ref()).to_string()
            })
    };
    let parts: Vec<String> = u
        .flags
        .iter()
        .map(|f| match f {
            UnitFlag::Missing(n) => format!(
                "{} {n} {}",
                lang.pick("thiếu dữ liệu", "missing data in"),
                lang.pick("tiêu chí", "criteria")
            ),
            UnitFlag::NotApplicable(n) => format!(
                "{} {n} {}",
                lang.pick("không áp dụng", "not applicable:"),
                lang.pick("tiêu chí", "criteria")
            ),
            UnitFlag::MissingItems(n) => format!(
                "{} {n} {}",
                lang.pick("thiếu dữ liệu", "missing data in"),
                lang.pick("mục điểm thưởng/điểm trừ", "bonus/penalty items")
            ),
            UnitFlag::NotApplicableItems(n) => format!(
                "{} {n} {}",
                lang.pick("không áp dụng", "not applicable:"),
                lang.pick("mục điểm thưởng/điểm trừ", "bonus/penalty items")
            ),
            UnitFlag::MissingCondition(id) => format!(
                "{}: {}",
                lang.pick(
                    "thiếu dữ liệu điều kiện hạ loại",
                    "missing data for the condition"
                ),
                condition(id)
            ),
            UnitFlag::Disqualified(id) => {
                format!(
                    "{}: {}",
                    lang.pick("hạ loại", "grade capped"),
                    condition(id)
                )
            }
            UnitFlag::NoSurveyRescaled => lang
                .pick(
                    "không có điều tra XHH, quy đổi theo điểm thẩm định",
                    "no survey: appraisal points rescaled",
                )
                .to_string(),
            UnitFlag::NoSurveyZero => lang
                .pick("không có điều tra XHH, tính 0 điểm", "no survey: scored 0")
                .to_string(),
            UnitFlag::BonusCapped => lang
                .pick("điểm thưởng chạm mức tối đa", "bonus capped")
                .to_string(),
            UnitFlag::PenaltyCapped => lang
                .pick("điểm trừ chạm mức tối đa", "penalty capped")
                .to_string(),
            UnitFlag::TotalClamped => lang
                .pick(
                    "tổng điểm giới hạn trong 0–tối đa",
                    "total clamped to 0–max",
                )
                .to_string(),
        })
        .collect();
    parts.join("; ")
}
