//! Everything `score` writes: machine CSVs (`csv`), the workbook for people (`xlsx`) and the
//! terminal table (`terminal`). Files are built in memory first and only then written, each to a
//! temporary file in the target folder renamed into place, so a failure never leaves a
//! half-written output.

pub mod csv;
pub mod terminal;
pub mod xlsx;

use std::io::Write;
use std::path::Path;

use crate::criteria::Criteria;
use crate::i18n::Lang;
use crate::score::UnitScore;
use crate::units::Registry;

/// What every report reads.
pub struct Run<'a> {
    pub criteria: &'a [Criteria],
    pub registry: &'a Registry,
    pub scores: &'a [UnitScore],
    pub lang: Lang,
    /// Input files with their SHA-256, for the method sheet.
    pub inputs: Vec<(String, String)>,
}

/// Write `bytes` to `path` via a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> crate::error::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let err = |source| crate::error::Error::Write {
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
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
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
    let mut parts: Vec<String> = Vec::new();
    for f in &u.flags {
        let (code, arg) = f.split_once(':').unwrap_or((f.as_str(), ""));
        let text = match code {
            "missing" if arg.parse::<usize>().is_ok() => format!(
                "{} {arg} {}",
                lang.pick("thiếu dữ liệu", "missing data in"),
                lang.pick("tiêu chí", "criteria")
            ),
            "missing" => format!(
                "{} {arg}",
                lang.pick("thiếu dữ liệu điều kiện", "missing data for condition")
            ),
            "not_applicable" => format!(
                "{} {arg} {}",
                lang.pick("không áp dụng", "not applicable:"),
                lang.pick("tiêu chí", "criteria")
            ),
            "disqualified" => {
                let name = c
                    .disqualify
                    .iter()
                    .find(|d| d.id == arg)
                    .map_or(arg, |d| lang.text(&d.name, d.name_en.as_ref()));
                format!("{}: {name}", lang.pick("hạ loại", "grade capped"))
            }
            "no_survey_rescaled" => lang
                .pick(
                    "không có điều tra XHH, quy đổi theo điểm thẩm định",
                    "no survey: appraisal points rescaled",
                )
                .to_string(),
            "no_survey_zero" => lang
                .pick("không có điều tra XHH, tính 0 điểm", "no survey: scored 0")
                .to_string(),
            "bonus_capped" => lang
                .pick("điểm thưởng chạm mức tối đa", "bonus capped")
                .to_string(),
            "penalty_capped" => lang
                .pick("điểm trừ chạm mức tối đa", "penalty capped")
                .to_string(),
            "total_clamped" => lang
                .pick(
                    "tổng điểm giới hạn trong 0–tối đa",
                    "total clamped to 0–max",
                )
                .to_string(),
            _ => f.clone(),
        };
        parts.push(text);
    }
    parts.join("; ")
}
