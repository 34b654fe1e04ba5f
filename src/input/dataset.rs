//! Indicator tables joined on unit code: one lookup from (unit, indicator) to the cell and its
//! source. Columns are matched to indicators by code or caption (`captions`). It owns the
//! join's problems — unknown unit codes, a unit twice in one table, the same indicator in two
//! tables, an indicator the criteria need that no table has (with the nearest headers), a table
//! with no data rows — and collects them in [`Dataset::issues`] instead of stopping, so a run
//! reports them together with the problems found while scoring.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::input::captions::{self, Captions};
use crate::input::ingest::{self, LocaleChoice, Table, Value};
use crate::input::units::{self, Registry, Source};
use crate::support::error::{DataIssue, Error, Result};
use crate::support::numfmt::Locale;
use crate::support::text;

/// A column the run reads, and who needs it (for the message when no table has it).
#[derive(Debug, Clone)]
pub struct Need {
    pub column: String,
    pub by: Needer,
}

#[derive(Debug, Clone)]
pub enum Needer {
    /// A criterion's leaf (its id and criteria file).
    Criterion { id: String, file: String },
    /// A criteria file (bonus, penalty or a disqualifying condition).
    File(String),
    /// A survey's sample size read by `[uncertainty]` of this run file.
    SampleSize { run_file: String },
}

pub struct Dataset {
    pub tables: Vec<Table>,
    /// Indicator key → every (table, column) holding it; the tables cover disjoint units.
    columns: HashMap<String, Vec<(usize, usize)>>,
    /// Per table: unit code → row index.
    rows: Vec<HashMap<String, usize>>,
    /// Columns read but used by no criteria file (for the summary).
    pub unused: Vec<String>,
    /// Per table: plain numbers in rate columns are fractions (declared by the user).
    pub fraction: Vec<bool>,
    /// Join problems, reported with the scoring problems.
    pub issues: Vec<DataIssue>,
    /// Per table: its name and each column's label ("C (on_time_rate)"), shared by the sources
    /// of its cells (a national run looks up 140,000 cells: one string each was a tenth of it).
    labels: Vec<(Arc<str>, Vec<Arc<str>>)>,
}

/// Each table's name and column labels, as [`Source`]s share them.
fn labels(tables: &[Table]) -> Vec<(Arc<str>, Vec<Arc<str>>)> {
    (tables.iter())
        .map(|t| {
            let cols = (0..t.headers.len())
                .map(|c| Arc::from(t.column_label(c)))
                .collect();
            (Arc::from(t.name.as_str()), cols)
        })
        .collect()
}

/// One `--data` argument and what the user declared about it.
#[derive(Debug, Clone)]
pub struct DataSpec {
    pub path: PathBuf,
    /// Rates written without `%` are fractions (0.9898 = 98.98%).
    pub fraction: bool,
}

/// A unit's value for one indicator.
pub enum Lookup<'a> {
    Cell {
        value: &'a Value,
        locale: Locale,
        /// The table declares plain rates as fractions.
        fraction: bool,
        source: Source,
    },
    /// The table with this indicator has no row for the unit.
    NoRow { file: &'a str },
    /// No table has the indicator (already an issue of the dataset).
    Absent,
}

impl Dataset {
    pub fn load(
        specs: &[DataSpec],
        locale: LocaleChoice,
        registry: &Registry,
        needed: &[Need],
        captions: &Captions,
    ) -> Result<Dataset> {
        let mut tables = Vec::new();
        let mut fraction = Vec::new();
        let mut issues = Vec::new();
        // The files are independent: read on threads of their own, taken in the order given
        // (so the same tables and the same messages in the same order).
        let read: Vec<Result<Vec<Table>>> = std::thread::scope(|sc| {
            let handles: Vec<_> = specs
                .iter()
                .map(|spec| {
                    sc.spawn(move || {
                        ingest::read_tables(&spec.path, locale, &units::is_code_header)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a reading thread does not panic"))
                .collect()
        });
        for (spec, read) in specs.iter().zip(read) {
            match read {
                Ok(ts) => {
                    fraction.extend(ts.iter().map(|_| spec.fraction));
                    tables.extend(ts);
                }
                // Every file's problems at once; other failures stop here.
                Err(Error::Data(mut more)) => issues.append(&mut more),
                Err(e) => return Err(e),
            }
        }
        if !issues.is_empty() {
            return Err(Error::Data(issues));
        }
        Ok(Dataset::new(tables, fraction, registry, needed, captions))
    }

    /// Join tables already read. `needed`: the columns the run reads and who needs each, for
    /// error messages.
    pub fn new(
        tables: Vec<Table>,
        fraction: Vec<bool>,
        registry: &Registry,
        needed: &[Need],
        captions: &Captions,
    ) -> Dataset {
        let mut issues = Vec::new();
        let mut columns: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut rows = Vec::new();
        let needed_keys: std::collections::HashSet<String> =
            needed.iter().map(|n| text::key(&n.column)).collect();
        for (ti, t) in tables.iter().enumerate() {
            let code_col = t.code_col;
            if t.rows.is_empty() {
                issues.push(DataIssue {
                    file: t.name.clone(),
                    row: Some(t.header_line),
                    column: None,
                    message: crate::tr!(
                        "bảng không có dòng dữ liệu nào dưới dòng tiêu đề",
                        "the table has no data row below its header"
                    ),
                });
            }
            for ci in 0..t.headers.len() {
                let h = &t.headers[ci];
                let own = text::key(h);
                if ci == code_col
                    || own.is_empty()
                    || units::is_descriptive_header(&own)
                    || t.captions(ci)
                        .any(|c| captions::reason_column_id(c).is_some())
                {
                    continue;
                }
                // The indicator this column holds: its code as written (in the whole header or
                // in one of its rows: a template heads a column with its group over its code),
                // else a caption.
                let written = std::iter::once(own.clone())
                    .chain(t.captions(ci).map(text::key))
                    .find(|c| needed_keys.contains(c));
                let k = match written {
                    Some(k) => k,
                    None => captions.resolve(t.captions(ci)).unwrap_or(own),
                };
                let holders = columns.entry(k).or_default();
                if let Some(&(_, first)) = holders.iter().find(|&&(tj, _)| tj == ti) {
                    issues.push(DataIssue {
                        file: t.name.clone(),
                        row: Some(t.header_line),
                        column: Some(t.column_label(ci)),
                        message: crate::tr!(
                            "cột `{h}` và cột {} cùng là một chỉ số trong bảng này",
                            "columns `{h}` and {} hold the same indicator in this table",
                            t.column_label(first)
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
                    let zeros = units::lost_zeros_hint(&code, registry.codes());
                    issues.push(at(crate::tr!(
                        "mã đơn vị `{code}` không có trong danh mục đơn vị ({}){zeros}",
                        "unit code `{code}` is not in the unit registry ({}){zeros}",
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
        let mut reported: std::collections::HashSet<String> = std::collections::HashSet::new();
        for need in needed {
            let indicator = &need.column;
            let k = text::key(indicator);
            if columns.contains_key(&k) || !reported.insert(k) {
                continue;
            }
            let user = match &need.by {
                Needer::Criterion { id, file } => {
                    crate::tr!("tiêu chí {id} của {file}", "criterion {id} of {file}")
                }
                Needer::File(file) => file.clone(),
                // A survey's sample size is no criterion's column: its fix is a table with it.
                Needer::SampleSize { run_file } => {
                    issues.push(DataIssue {
                        file: run_file.clone(),
                        row: None,
                        column: None,
                        message: crate::tr!(
                            "không bảng dữ liệu nào có cột số phiếu khảo sát `{indicator}` mà `sample_size` của [[uncertainty.survey]] cần; thêm vào dữ liệu một bảng có cột này (mã đơn vị, {indicator}) — --data thay cả danh sách [[data]] của tệp lần chạy, nên nêu cả bảng đó — hoặc nhập số phiếu vào mẫu nhập liệu của `parindex template {run_file}`, có sẵn cột này",
                            "no table has the survey sample-size column `{indicator}` that `sample_size` of [[uncertainty.survey]] reads; add a table with it (unit code, {indicator}) to the data — --data replaces the run file's whole [[data]] list, so name that table too — or enter the sample sizes in the template `parindex template {run_file}` writes, which has the column"
                        ),
                    });
                    continue;
                }
            };
            let names = captions.names_of(indicator);
            let mut hints: Vec<String> = Vec::new();
            for t in &tables {
                let near = captions::nearest(&names, t.headers.iter().map(String::as_str));
                if !near.is_empty() {
                    let near: Vec<String> = near
                        .iter()
                        .map(|h| format!("`{}`", text::clip(h, 80)))
                        .collect();
                    hints.push(format!("{} ({})", near.join(", "), t.name));
                }
            }
            let read: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
            let hint = if hints.is_empty() {
                crate::tr!(
                    "; đặt tên cột là `{indicator}` hoặc tên tiêu chí, hoặc khai báo tên cột bằng --map",
                    "; head the column `{indicator}` or with the criterion's name, or declare the caption with --map"
                )
            } else {
                crate::tr!(
                    "; có phải ý bạn là {}? Khai báo tên cột bằng --map hoặc `captions` trong tệp tiêu chí",
                    "; did you mean {}? Declare the caption with --map or `captions` in the criteria file",
                    hints.join("; ")
                )
            };
            issues.push(DataIssue {
                file: read.join(", "),
                row: None,
                column: None,
                message: crate::tr!(
                    "không bảng dữ liệu nào có chỉ số `{indicator}` mà {user} cần{hint}",
                    "no table has the indicator `{indicator}`, which {user} needs{hint}"
                ),
            });
        }
        let mut unused: Vec<String> = columns
            .keys()
            .filter(|k| !needed_keys.contains(*k))
            .cloned()
            .collect();
        unused.sort();
        Dataset {
            labels: labels(&tables),
            tables,
            columns,
            rows,
            unused,
            fraction,
            issues,
        }
    }

    /// This dataset over `base`: an indicator this one holds is read from it first (a unit
    /// with no row here falls back to `base`), except the indicators in `skip` (keys), which
    /// only `base` answers; everything else comes from `base`. The join's issues are this
    /// dataset's own.
    pub fn over(self, base: &Dataset, skip: &std::collections::HashSet<String>) -> Dataset {
        let offset = self.tables.len();
        let mut columns: HashMap<String, Vec<(usize, usize)>> = self
            .columns
            .into_iter()
            .filter(|(k, _)| !skip.contains(k))
            .collect();
        for (k, holders) in &base.columns {
            columns
                .entry(k.clone())
                .or_default()
                .extend(holders.iter().map(|&(t, c)| (t + offset, c)));
        }
        let mut tables = self.tables;
        tables.extend(base.tables.iter().cloned());
        let mut rows = self.rows;
        rows.extend(base.rows.iter().cloned());
        let mut fraction = self.fraction;
        fraction.extend(base.fraction.iter().copied());
        Dataset {
            labels: labels(&tables),
            tables,
            columns,
            rows,
            unused: self.unused,
            fraction,
            issues: self.issues,
        }
    }

    /// The indicators (keys) this dataset holds.
    pub fn indicators(&self) -> impl Iterator<Item = &String> {
        self.columns.keys()
    }

    /// The (table, column) pairs holding an indicator.
    pub fn holders(&self, indicator: &str) -> &[(usize, usize)] {
        self.columns
            .get(indicator)
            .or_else(|| self.columns.get(&text::key(indicator)))
            .map_or(&[], Vec::as_slice)
    }

    pub fn get(&self, unit_code: &str, indicator: &str) -> Lookup<'_> {
        // Exact name first: normalising on every lookup costs more than the rest of scoring.
        let holders = self.holders(indicator);
        if holders.is_empty() {
            return Lookup::Absent;
        }
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
                    fraction: self.fraction[ti],
                    source: Source {
                        file: self.labels[ti].0.clone(),
                        row: t.rows[ri].line,
                        column: self.labels[ti].1[ci].clone(),
                    },
                }
            }
        }
    }
}
