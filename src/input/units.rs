//! The unit registry: who is scored (code, NFC name, type, emulation bloc). Unit types are data,
//! never an enum; they are matched to criteria files by their normalised key. It also owns the
//! header aliases shared with indicator tables (the unit-code column).

use std::collections::HashMap;
use std::path::Path;

use crate::input::ingest::{self, LocaleChoice};
use crate::support::error::{DataIssue, Error, Result};
use crate::support::text;

pub const CODE_ALIASES: &[&str] = &[
    "unit_code",
    "unit code",
    "code",
    "mã đơn vị",
    "ma_don_vi",
    "mã",
];
const NAME_ALIASES: &[&str] = &[
    "unit_name",
    "unit name",
    "name",
    "tên đơn vị",
    "ten_don_vi",
    "tên",
];
const TYPE_ALIASES: &[&str] = &[
    "unit_type",
    "unit type",
    "type",
    "loại đơn vị",
    "loai_don_vi",
    "loại",
];
const BLOC_ALIASES: &[&str] = &[
    "bloc",
    "khối thi đua",
    "cụm thi đua",
    "khối/cụm thi đua",
    "khoi_thi_dua",
];

pub fn is_code_header(key: &str) -> bool {
    CODE_ALIASES.contains(&key)
}

/// Columns of an indicator table that describe the unit rather than measure it.
pub fn is_descriptive_header(key: &str) -> bool {
    [
        NAME_ALIASES,
        TYPE_ALIASES,
        BLOC_ALIASES,
        &["stt", "tt", "no"],
    ]
    .iter()
    .any(|a| a.contains(&key))
}

/// The most characters a spreadsheet cell holds (Excel's limit; the workbook writer refuses more).
pub const CELL_MAX_CHARS: usize = 32_767;

#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub code: String,
    pub name: String,
    /// Normalised with `text::key`.
    pub unit_type: String,
    pub bloc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Registry {
    pub file: String,
    /// SHA-256 of the registry file as read ("" for a registry built in memory).
    pub sha256: String,
    pub units: Vec<Unit>,
    pub by_code: HashMap<String, usize>,
}

impl Registry {
    pub fn load(path: &Path) -> Result<Registry> {
        let t = ingest::read_table(path, LocaleChoice::Auto, &is_code_header)?;
        let find = |aliases: &[&str]| {
            t.headers
                .iter()
                .position(|h| aliases.contains(&text::key(h).as_str()))
        };
        let code_col = find(CODE_ALIASES).expect("header row has a code column");
        let mut missing = Vec::new();
        let name_col = find(NAME_ALIASES);
        let type_col = find(TYPE_ALIASES);
        if name_col.is_none() {
            missing.push("unit_name (Tên đơn vị)");
        }
        if type_col.is_none() {
            missing.push("unit_type (Loại đơn vị)");
        }
        if !missing.is_empty() {
            return Err(Error::Data(vec![DataIssue {
                file: t.name.clone(),
                row: Some(t.header_line),
                column: None,
                message: crate::tr!(
                    "danh mục đơn vị thiếu cột {}",
                    "the unit registry has no column {}",
                    missing.join(" or ")
                ),
            }]));
        }
        let (name_col, type_col) = (name_col.unwrap(), type_col.unwrap());
        let bloc_col = find(BLOC_ALIASES);
        let mut issues = Vec::new();
        let mut units = Vec::new();
        let mut first_row: HashMap<String, usize> = HashMap::new();
        for (i, r) in t.rows.iter().enumerate() {
            let get = |c: usize| t.cell(i, c).as_read();
            let code = get(code_col);
            let issue = |col: usize, message: String| DataIssue {
                file: t.name.clone(),
                row: Some(r.line),
                column: Some(t.column_label(col)),
                message,
            };
            if code.is_empty() {
                issues.push(issue(
                    code_col,
                    crate::tr!("mã đơn vị bị trống", "the unit code is empty"),
                ));
                continue;
            }
            if let Some(first) = first_row.get(&code) {
                issues.push(issue(
                    code_col,
                    crate::tr!(
                        "mã đơn vị `{code}` được liệt kê hai lần (lần đầu ở dòng {first})",
                        "unit code `{code}` is listed twice (first on row {first})"
                    ),
                ));
                continue;
            }
            let unit_type = text::key(&get(type_col));
            if unit_type.is_empty() {
                issues.push(issue(
                    type_col,
                    crate::tr!(
                        "đơn vị `{code}` chưa có loại đơn vị",
                        "unit `{code}` has no type"
                    ),
                ));
            }
            first_row.insert(code.clone(), r.line);
            let bloc = bloc_col.map(get).filter(|b| !b.is_empty());
            let name = get(name_col);
            // A spreadsheet cell holds at most 32,767 characters: a longer name (a pasted
            // document) could not be written to the workbook, so it is refused here, where its
            // file and row are known.
            for (col, value) in [
                (Some(name_col), &name),
                (bloc_col, bloc.as_ref().unwrap_or(&String::new())),
            ] {
                let chars = value.chars().count();
                if let Some(col) = col.filter(|_| chars > CELL_MAX_CHARS) {
                    issues.push(issue(
                        col,
                        crate::tr!(
                            "ô dài {chars} ký tự, quá {CELL_MAX_CHARS} ký tự một ô bảng tính chứa được",
                            "the cell is {chars} characters long, more than the {CELL_MAX_CHARS} a spreadsheet cell holds"
                        ),
                    ));
                }
            }
            units.push(Unit {
                code,
                name,
                unit_type,
                bloc,
            });
        }
        if units.is_empty() && issues.is_empty() {
            issues.push(DataIssue {
                file: t.name.clone(),
                row: None,
                column: None,
                message: crate::tr!(
                    "danh mục đơn vị không có đơn vị nào",
                    "the unit registry lists no unit"
                ),
            });
        }
        if !issues.is_empty() {
            return Err(Error::Data(issues));
        }
        let mut r = Registry::new(t.name, units);
        r.sha256 = t.sha256;
        Ok(r)
    }

    /// Every unit's code, in registry order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.units.iter().map(|u| u.code.as_str())
    }

    /// A registry from units already known (codes must be unique).
    pub fn new(file: String, units: Vec<Unit>) -> Registry {
        let by_code = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.clone(), i))
            .collect();
        Registry {
            file,
            sha256: String::new(),
            units,
            by_code,
        }
    }
}

/// The hint for a code that is not found but equals one of `known` except for leading zeros
/// (both all digits) — "5" where "00005" was meant is what Excel makes of a numeric code column —
/// or an empty string. Only ever a hint, never a join.
pub fn lost_zeros_hint<'a>(code: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let digits = |c: &str| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit());
    if !digits(code) {
        return String::new();
    }
    let bare = code.trim_start_matches('0');
    let mut near: Vec<&str> = (known.into_iter())
        .filter(|c| digits(c) && *c != code && c.trim_start_matches('0') == bare)
        .collect();
    near.sort_unstable();
    match near.first() {
        Some(near) => crate::tr!(
            "; có mã `{near}`: có lẽ Excel đã bỏ các số 0 ở đầu mã — định dạng cột mã là Văn bản (Text) rồi nhập lại mã",
            "; `{near}` is there: Excel probably dropped the code's leading zeros — format the code column as Text and enter the codes again"
        ),
        None => String::new(),
    }
}

/// Where a value came from, as the user would find it.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Shared with every cell of its table (`Dataset` keeps one per table and column).
    pub file: std::sync::Arc<str>,
    pub row: usize,
    pub column: std::sync::Arc<str>,
}

impl Source {
    /// The cell without the file's folders ("tham-dinh.xlsx#Thẩm định!E86"), as a printed table
    /// names it; the method sheet and the CSV outputs give the whole path.
    pub fn in_file(&self) -> String {
        let name = std::path::Path::new(&*self.file)
            .file_name()
            .map_or(&*self.file, |n| n.to_str().unwrap_or(&self.file));
        self.with_file(name)
    }

    fn with_file(&self, file: &str) -> String {
        let column = self.column.split(' ').next().unwrap_or("");
        format!("{file}!{column}{}", self.row)
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.with_file(&self.file))
    }
}

#[cfg(test)]
mod lost_zeros_tests {
    use super::lost_zeros_hint;

    #[test]
    fn a_code_equal_but_for_leading_zeros_gets_the_hint_either_way() {
        let known = ["00005", "00050", "XA005", "7"];
        assert!(lost_zeros_hint("5", known).contains("`00005`"));
        assert!(lost_zeros_hint("050", known).contains("`00050`"));
        assert!(lost_zeros_hint("0007", known).contains("`7`"));
        for none in ["6", "XA5", "005A", "", "00005"] {
            assert_eq!(lost_zeros_hint(none, ["00005", "XA005"]), "", "{none}");
        }
    }
}
