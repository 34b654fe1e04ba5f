//! Reading last year's results (a parindex `results.csv` or a published table with Vietnamese
//! headers, percent cells and ranks written "12/63") and the lineage file (the statistics
//! office's shape: relation words found inside a longer note, an optional weight column), and
//! checking the lineage against this year's registry and last year's results — every problem
//! with its file and row, at once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::{Lineage, LineageColumns, Link, PrevUnit, Previous, Relation};
use crate::input::ingest::{self, LocaleChoice, Table};
use crate::input::units::Registry;
use crate::support::error::{DataIssue, Error, Result};
use crate::support::numfmt::round_half_away;
use crate::support::text;

fn header_of(t: &Table, names: &[&str]) -> Option<usize> {
    t.headers.iter().position(|h| {
        let k = text::key(h);
        let f = text::fold(h);
        names.iter().any(|n| *n == k || *n == f)
    })
}

fn number(t: &Table, ri: usize, ci: usize) -> Option<f64> {
    crate::scoring::score::rules::number(t.cell(ri, ci), t.locale).map(|p| p.value)
}

/// Read last year's results: parindex's `results.csv` or a published table.
pub fn load_previous(path: &Path) -> Result<Previous> {
    let t = ingest::read_table(
        path,
        LocaleChoice::Auto,
        &crate::input::units::is_code_header,
    )?;
    let code = t.code_col;
    let name = header_of(
        &t,
        &["unit_name", "tên đơn vị", "ten don vi", "tên", "name"],
    );
    let kind = header_of(
        &t,
        &["unit_type", "loại đơn vị", "loai don vi", "loại", "type"],
    );
    let index = header_of(
        &t,
        &[
            "index_pct",
            "chỉ số",
            "chỉ số cchc",
            "chỉ số cchc (%)",
            "chi so",
            "index",
            "par index",
            "chỉ số (%)",
        ],
    );
    let rank = header_of(&t, &["rank", "hạng", "xếp hạng", "xep hang", "thứ hạng"]);
    let rank_of = header_of(&t, &["rank_of", "số đơn vị xếp hạng"]);
    let grade = header_of(&t, &["grade", "xếp loại", "xep loai"]);
    let group = header_of(&t, &["rank_group", "nhóm xếp hạng"]);
    let group_label = header_of(&t, &["rank_group_label"]);
    let Some(index) = index else {
        return Err(Error::data(
            &t.name,
            crate::tr!(
                "kết quả năm trước cần một cột chỉ số (`index_pct` hoặc `Chỉ số`)",
                "last year's results need an index column (`index_pct` or `Chỉ số`)"
            ),
        ));
    };
    let mut issues = Vec::new();
    let mut units = Vec::new();
    let mut by_code = HashMap::new();
    for (ri, row) in t.rows.iter().enumerate() {
        let c = t.cell(ri, code).as_read();
        if c.is_empty() {
            continue;
        }
        let at = |col: usize, message: String| DataIssue {
            file: t.name.clone(),
            row: Some(row.line),
            column: Some(t.column_label(col)),
            message,
        };
        let Some(x) = number(&t, ri, index) else {
            issues.push(at(
                index,
                crate::tr!(
                    "chỉ số của `{c}` không phải là số: `{}`",
                    "the index of `{c}` is not a number: `{}`",
                    t.cell(ri, index).as_read()
                ),
            ));
            continue;
        };
        // A rank may be written "12/63".
        let (mut rk, mut of) = (None, None);
        if let Some(rc) = rank {
            let s = t.cell(ri, rc).as_read();
            let mut parts = s.split('/');
            rk = parts
                .next()
                .and_then(|p| p.trim().parse::<f64>().ok())
                .map(|v| v as u32);
            of = parts.next().and_then(|p| p.trim().parse::<u32>().ok());
        }
        if let Some(oc) = rank_of {
            of = of.or_else(|| number(&t, ri, oc).map(|v| v as u32));
        }
        if by_code.insert(c.clone(), units.len()).is_some() {
            issues.push(at(
                code,
                crate::tr!(
                    "đơn vị `{c}` xuất hiện hai lần trong kết quả năm trước",
                    "unit `{c}` appears twice in last year's results"
                ),
            ));
        }
        units.push(PrevUnit {
            code: c,
            name: name.map(|n| t.cell(ri, n).as_read()).unwrap_or_default(),
            unit_type: kind
                .map(|k| text::key(&t.cell(ri, k).as_read()))
                .unwrap_or_default(),
            index: x,
            rank: rk,
            rank_of: of,
            grade: grade.map(|g| t.cell(ri, g).as_read()).unwrap_or_default(),
            group: group
                .map(|g| t.cell(ri, g).as_read())
                .filter(|g| !g.is_empty()),
            group_label: group_label
                .map(|g| t.cell(ri, g).as_read())
                .filter(|g| !g.is_empty()),
            line: row.line,
        });
    }
    if !issues.is_empty() {
        return Err(Error::Data(issues));
    }
    Ok(Previous {
        file: t.name.clone(),
        sha256: t.sha256.clone(),
        units,
        by_code,
    })
}

/// Read a lineage file with the given (or default) column names. A missing column is an error
/// here; a row's problems are kept in [`Lineage::problems`] and reported by [`validate`] with the
/// rest, so one run names them all.
pub fn load_lineage(path: &Path, cols: &LineageColumns) -> Result<Lineage> {
    let new_names: Vec<String> = match &cols.new_code {
        Some(c) => vec![text::key(c)],
        None => ["new_code", "mã mới", "mã đơn vị mới", "ma moi", "mã xã mới"]
            .map(String::from)
            .to_vec(),
    };
    let is_header = |k: &str| new_names.iter().any(|n| n == k);
    let t = ingest::read_table(path, LocaleChoice::Auto, &is_header)?;
    let pick = |declared: &Option<String>, defaults: &[&str]| -> Option<usize> {
        match declared {
            Some(d) => header_of(&t, &[text::key(d).as_str()]),
            None => header_of(&t, defaults),
        }
    };
    let missing = |what: &str| {
        Error::data(
            &t.name,
            crate::tr!(
                "tệp kế thừa thiếu cột {what}; khai báo tên cột trong [previous.lineage_columns] của tệp lần chạy",
                "the lineage file has no {what} column; name it in [previous.lineage_columns] of the run file"
            ),
        )
    };
    let new_col = t.code_col;
    let old_col = pick(
        &cols.old_code,
        &["old_code", "mã cũ", "mã đơn vị cũ", "ma cu", "mã xã cũ"],
    )
    .ok_or_else(|| missing("old_code"))?;
    let rel_col = pick(
        &cols.relation,
        &[
            "relation",
            "quan hệ",
            "quan he",
            "hình thức",
            "ghi chú",
            "note",
        ],
    );
    let weight_col = match &cols.weight {
        Some(w) => Some(header_of(&t, &[text::key(w).as_str()]).ok_or_else(|| missing(w))?),
        None => None,
    };
    let note_col = pick(&cols.note, &["note", "ghi chú", "ghi chu"]);
    let mut links = Vec::new();
    // Whether each link's relation was written (else it is inferred below).
    let mut written = Vec::new();
    let mut issues = Vec::new();
    for (ri, row) in t.rows.iter().enumerate() {
        let new = t.cell(ri, new_col).as_read();
        let old = t.cell(ri, old_col).as_read();
        if new.is_empty() && old.is_empty() {
            continue;
        }
        let at = |col: usize, message: String| DataIssue {
            file: t.name.clone(),
            row: Some(row.line),
            column: Some(t.column_label(col)),
            message,
        };
        let rel_text = rel_col.map(|c| t.cell(ri, c).as_read()).unwrap_or_default();
        let relation = if rel_text.trim().is_empty() {
            None
        } else {
            match Relation::read(&rel_text) {
                Some(r) => Some(r),
                None => {
                    issues.push(at(
                        rel_col.unwrap_or(new_col),
                        crate::tr!(
                            "không hiểu quan hệ `{rel_text}`; dùng giữ nguyên, đổi tên, nhập toàn bộ, nhập một phần hoặc chia tách",
                            "relation `{rel_text}` not understood; use unchanged, renamed, whole merge, partial merge or split"
                        ),
                    ));
                    // Kept (its relation inferred) so the file's other problems are found too.
                    None
                }
            }
        };
        let weight = match weight_col {
            None => None,
            Some(wc) => match number(&t, ri, wc) {
                Some(w) if w >= 0.0 => Some(w),
                Some(w) => {
                    issues.push(at(
                        wc,
                        crate::tr!("trọng số âm: {w}", "negative weight: {w}"),
                    ));
                    None
                }
                None => {
                    issues.push(at(
                        wc,
                        crate::tr!(
                            "thiếu trọng số của liên kết {new} ← {old}",
                            "the link {new} ← {old} has no weight"
                        ),
                    ));
                    None
                }
            },
        };
        links.push(Link {
            new,
            old,
            // Decided below once all links are read.
            relation: relation.unwrap_or(Relation::WholeMerge),
            weight,
            note: note_col
                .filter(|&c| Some(c) != rel_col)
                .map(|c| t.cell(ri, c).as_read())
                .unwrap_or(rel_text.clone()),
            line: row.line,
        });
        written.push(relation.is_some());
    }
    // An unwritten relation is inferred: one old unit wholly in one new unit that has no other
    // predecessor is unchanged; an old unit linked to several new units is split; otherwise a
    // whole merge.
    let mut olds_of: HashMap<&str, usize> = HashMap::new();
    let mut news_of: HashMap<&str, usize> = HashMap::new();
    for l in &links {
        *olds_of.entry(l.new.as_str()).or_default() += 1;
        *news_of.entry(l.old.as_str()).or_default() += 1;
    }
    let inferred: Vec<Option<Relation>> = links
        .iter()
        .zip(&written)
        .map(|(l, &w)| {
            (!w).then(|| {
                if news_of[l.old.as_str()] > 1 {
                    Relation::Split
                } else if olds_of[l.new.as_str()] == 1 {
                    Relation::Unchanged
                } else {
                    Relation::WholeMerge
                }
            })
        })
        .collect();
    for (l, r) in links.iter_mut().zip(inferred) {
        if let Some(r) = r {
            l.relation = r;
        }
    }
    Ok(Lineage {
        file: t.name.clone(),
        sha256: t.sha256.clone(),
        weighted: weight_col.is_some(),
        links,
        problems: issues,
    })
}

/// Check a lineage against this year's registry and last year's results; every problem at once.
pub(super) fn validate(
    lineage: &Lineage,
    registry: &Registry,
    prev: &Previous,
) -> (Vec<DataIssue>, Vec<String>) {
    // The rows the reading could not take, then every check of the links. Returns the problems
    // and the codes of last year's units that no link accounts for (sorted).
    let mut issues = lineage.problems.clone();
    let at = |l: &Link, message: String| DataIssue {
        file: lineage.file.clone(),
        row: Some(l.line),
        column: None,
        message,
    };
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for l in &lineage.links {
        if !registry.by_code.contains_key(&l.new) {
            issues.push(at(
                l,
                crate::tr!(
                    "mã mới `{}` không có trong danh mục đơn vị năm nay ({}){}",
                    "new code `{}` is not in this year's unit registry ({}){}",
                    l.new,
                    registry.file,
                    crate::input::units::lost_zeros_hint(&l.new, registry.codes())
                ),
            ));
        }
        if !prev.by_code.contains_key(&l.old) {
            issues.push(at(
                l,
                crate::tr!(
                    "mã cũ `{}` không có trong kết quả năm trước ({}){}",
                    "old code `{}` is not in last year's results ({}){}",
                    l.old,
                    prev.file,
                    crate::input::units::lost_zeros_hint(
                        &l.old,
                        prev.by_code.keys().map(String::as_str)
                    )
                ),
            ));
        }
        if let Some(first) = seen.insert((l.new.as_str(), l.old.as_str()), l.line) {
            issues.push(at(
                l,
                crate::tr!(
                    "liên kết {} ← {} đã có ở dòng {first}",
                    "the link {} ← {} is already on row {first}",
                    l.new,
                    l.old
                ),
            ));
        }
    }
    // A split old unit's shares (weights all ≤ 1) must add up to 1.
    if lineage.weighted {
        let mut by_old: BTreeMap<&str, Vec<&Link>> = BTreeMap::new();
        for l in &lineage.links {
            by_old.entry(l.old.as_str()).or_default().push(l);
        }
        for (old, ls) in by_old {
            let partial = ls.len() > 1 && ls.iter().any(|l| l.relation.partial());
            let shares = ls.iter().all(|l| l.weight.is_some_and(|w| w <= 1.0));
            let sum: f64 = ls.iter().filter_map(|l| l.weight).sum();
            if partial && shares && (sum - 1.0).abs() > 1e-3 {
                issues.push(at(
                    ls[0],
                    crate::tr!(
                        "phần của đơn vị cũ `{old}` chia cho {} đơn vị mới cộng lại bằng {}, không phải 1",
                        "the shares of old unit `{old}` across {} new units add up to {}, not 1",
                        ls.len(),
                        crate::support::numfmt::fmt_num(round_half_away(sum, 4))
                    ),
                ));
            }
        }
    }
    // A cycle: codes X ← Y and Y ← X (or longer), X ≠ Y; a code kept by its own unit is fine.
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for l in &lineage.links {
        if l.new != l.old {
            next.entry(l.new.as_str()).or_default().push(l.old.as_str());
        }
    }
    let mut reported: HashSet<&str> = HashSet::new();
    for l in &lineage.links {
        if l.new == l.old || reported.contains(l.new.as_str()) {
            continue;
        }
        // Follow links from the old code; coming back to the new code is a cycle.
        let mut stack = vec![l.old.as_str()];
        let mut visited: HashSet<&str> = HashSet::new();
        while let Some(c) = stack.pop() {
            if c == l.new {
                reported.insert(l.new.as_str());
                issues.push(at(
                    l,
                    crate::tr!(
                        "vòng lặp trong tệp kế thừa: `{}` dẫn ngược về chính nó",
                        "a cycle in the lineage: `{}` leads back to itself",
                        l.new
                    ),
                ));
                break;
            }
            if visited.insert(c) {
                stack.extend(next.get(c).into_iter().flatten());
            }
        }
    }
    // Old units that no link accounts for: dropped on purpose, or a mistake.
    let linked: HashSet<&str> = lineage.links.iter().map(|l| l.old.as_str()).collect();
    let mut loose: Vec<&str> = prev
        .units
        .iter()
        .map(|u| u.code.as_str())
        .filter(|c| !linked.contains(c))
        .collect();
    loose.sort();
    (issues, loose.into_iter().map(String::from).collect())
}
