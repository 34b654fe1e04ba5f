//! Indicator tables joined on unit code: one lookup from (unit, indicator) to the cell and its
//! source. It owns the join's errors — unknown unit codes, a unit twice in one table, the same
//! indicator in two tables, an indicator the criteria need that no table has — all collected
//! before anything is scored.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{DataIssue, Error, Result};
use crate::ingest::{self, LocaleChoice, Table, Value};
use crate::numfmt::Locale;
use crate::text;
use crate::units::{self, Registry, Source};

pub struct Dataset {
    pub tables: Vec<Table>,
    /// Indicator key → every (table, column) holding it; the tables cover disjoint units.
    columns: HashMap<String, Vec<(usize, usize)>>,
    /// Per table: unit code → row index.
    rows: Vec<HashMap<String, usize>>,
    /// Columns read but used by no criteria file (for the summary).
    pub unused: Vec<String>,
}

/// A unit's value for one indicator.
pub enum Lookup<'a> {
    Cell {
        value: &'a Value,
        locale: Locale,
        source: Source,
    },
    /// The table with this indicator has no row for the unit.
    NoRow { file: &'a str },
}

impl Dataset {
    pub fn load(
        paths: &[PathBuf],
        locale: LocaleChoice,
        registry: &Registry,
        needed: &[(String, String)],
    ) -> Result<Dataset> {
        let mut tables = Vec::new();
        for p in paths {
            tables.push(ingest::read_table(p, locale, &units::is_code_header)?);
        }
        Dataset::new(tables, registry, needed)
    }

    /// Join tables already read. `needed`: (indicator, who needs it) for error messages.
    pub fn new(
        tables: Vec<Table>,
        registry: &Registry,
        needed: &[(String, String)],
    ) -> Result<Dataset> {
        let mut issues = Vec::new();
        let mut columns: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut rows = Vec::new();
        for (ti, t) in tables.iter().enumerate() {
            let code_col = t
                .headers
                .iter()
                .position(|h| units::is_code_header(&text::key(h)))
                .expect("header row has a code column");
            for (ci, h) in t.headers.iter().enumerate() {
                let k = text::key(h);
                if ci == code_col || k.is_empty() || units::is_descriptive_header(&k) {
                    continue;
                }
                let holders = columns.entry(k).or_default();
                if holders.iter().any(|&(tj, _)| tj == ti) {
                    issues.push(DataIssue {
                        file: t.name.clone(),
                        row: Some(t.header_line),
                        column: Some(t.column_label(ci)),
                        message: crate::tr!(
                            "chỉ số `{h}` là hai cột trong cùng bảng này",
                            "indicator `{h}` is a column twice in this table"
                        ),
                    });
                } else {
                    holders.push((ti, ci));
                }
            }
            let mut index: HashMap<String, usize> = HashMap::new();
            let mut first: HashMap<String, usize> = HashMap::new();
            for (ri, r) in t.rows.iter().enumerate() {
                let code = t.cell(ri, code_col).as_read();
                let at = |message: String| DataIssue {
                    file: t.name.clone(),
                    row: Some(r.line),
                    column: Some(t.column_label(code_col)),
                    message,
                };
                if code.is_empty() {
                    issues.push(at(crate::tr!(
                        "mã đơn vị bị trống",
                        "the unit code is empty"
                    )));
                } else if !registry.by_code.contains_key(&code) {
                    issues.push(at(crate::tr!(
                        "mã đơn vị `{code}` không có trong danh mục đơn vị ({})",
                        "unit code `{code}` is not in the unit registry ({})",
                        registry.file
                    )));
                } else if let Some(f) = first.get(&code) {
                    issues.push(at(crate::tr!(
                        "đơn vị `{code}` xuất hiện hai lần trong bảng này (lần đầu ở dòng {f})",
                        "unit `{code}` appears twice in this table (first on row {f})"
                    )));
                } else {
                    first.insert(code.clone(), r.line);
                    index.insert(code, ri);
                }
            }
            rows.push(index);
        }
        // An indicator may sit in several tables only for different units (say, departments
        // in one file and communes in another): a unit with a value in two tables is an error.
        let mut keys: Vec<&String> = columns.keys().collect();
        keys.sort();
        for k in keys {
            let holders = &columns[k];
            for (a, &(ta, ca)) in holders.iter().enumerate() {
                for &(tb, cb) in &holders[a + 1..] {
                    let mut both: Vec<(&String, usize)> = rows[tb]
                        .iter()
                        .filter(|(code, _)| rows[ta].contains_key(*code))
                        .map(|(code, &r)| (code, r))
                        .collect();
                    both.sort_by_key(|&(_, r)| r);
                    if let Some(&(code, r)) = both.first() {
                        let (t1, t2) = (&tables[ta], &tables[tb]);
                        issues.push(DataIssue {
                            file: t2.name.clone(),
                            row: Some(t2.rows[r].line),
                            column: Some(t2.column_label(cb)),
                            message: crate::tr!("chỉ số `{}` của đơn vị `{code}` cũng có trong {} (dòng {}, cột {}){}; mỗi giá trị chỉ được lấy từ một bảng", "indicator `{}` for unit `{code}` is also in {} (row {}, column {}){}; each value must come from one table",
                                t2.headers[cb],
                                t1.name,
                                t1.rows[rows[ta][code]].line,
                                t1.column_label(ca),
                                if both.len() > 1 { crate::tr!(", và {} đơn vị khác cũng có ở cả hai", ", and {} more units are in both", both.len() - 1) } else { String::new() }
                            ),
                        });
                    }
                }
            }
        }
        for (indicator, user) in needed {
            if !columns.contains_key(&text::key(indicator)) {
                let read: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
                issues.push(DataIssue {
                    file: read.join(", "),
                    row: None,
                    column: None,
                    message: crate::tr!(
                        "không bảng dữ liệu nào có chỉ số `{indicator}` mà {user} cần",
                        "no table has the indicator `{indicator}`, which {user} needs"
                    ),
                });
            }
        }
        if !issues.is_empty() {
            return Err(Error::Data(issues));
        }
        let needed_keys: Vec<String> = needed.iter().map(|(i, _)| text::key(i)).collect();
        let mut unused: Vec<String> = columns
            .keys()
            .filter(|k| !needed_keys.contains(k))
            .cloned()
            .collect();
        unused.sort();
        Ok(Dataset {
            tables,
            columns,
            rows,
            unused,
        })
    }

    pub fn get(&self, unit_code: &str, indicator: &str) -> Lookup<'_> {
        // Exact name first: normalising on every lookup costs more than the rest of scoring.
        let holders = match self.columns.get(indicator) {
            Some(h) => h,
            None => self
                .columns
                .get(&text::key(indicator))
                .expect("indicators checked at load"),
        };
        let found = holders
            .iter()
            .find_map(|&(ti, ci)| self.rows[ti].get(unit_code).map(|&ri| (ti, ci, ri)));
        match found {
            None => Lookup::NoRow {
                file: &self.tables[holders[0].0].name,
            },
            Some((ti, ci, ri)) => {
                let t = &self.tables[ti];
                Lookup::Cell {
                    value: t.cell(ri, ci),
                    locale: t.locale,
                    source: Source {
                        file: t.name.clone(),
                        row: t.rows[ri].line,
                        column: t.column_label(ci),
                    },
                }
            }
        }
    }
}
