//! Guards against the silent wrong number: a rate column whose plain numbers all lie in [0, 1]
//! was almost certainly written as fractions (0.9898 for 98.98%, Excel's way under a `%`
//! format lost in an export) and would score near zero without a word. Unless fractions were
//! declared (the criteria file's `policy.rates`, or `--rates-as-fraction` for one table), such a
//! column stops the run with both fixes. Cells formatted or written as percentages are exempt:
//! they say what they are. It reads cells, never scores.

use std::collections::HashSet;

use crate::input::criteria::model::{Rates, Scale};
use crate::input::criteria::Criteria;
use crate::input::dataset::Dataset;
use crate::input::ingest::Value;
use crate::support::error::DataIssue;
use crate::support::numfmt;

/// One issue per suspicious (table, column) read by a rate leaf.
pub fn fraction_rates(criteria: &[Criteria], data: &Dataset) -> Vec<DataIssue> {
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut issues = Vec::new();
    for c in criteria {
        if c.policy.rates == Rates::Fraction {
            continue;
        }
        for (_, node, rule) in c.leaves() {
            if rule.scale != Scale::Percent {
                continue;
            }
            for &(ti, ci) in data.holders(&rule.indicator) {
                if data.fraction[ti] || !seen.insert((ti, ci)) {
                    continue;
                }
                let t = &data.tables[ti];
                let mut plain = 0usize;
                let mut inside = 0usize;
                let mut strictly = 0usize;
                for r in 0..t.rows.len() {
                    let x = match t.cell(r, ci) {
                        Value::Number(x) => *x,
                        Value::Text(s) => match numfmt::parse(s, t.locale) {
                            Some(p) if !p.percent => p.value,
                            _ => continue,
                        },
                        _ => continue,
                    };
                    plain += 1;
                    if (0.0..=1.0).contains(&x) {
                        inside += 1;
                        if x > 0.0 && x < 1.0 {
                            strictly += 1;
                        }
                    }
                }
                if plain >= 2 && inside == plain && strictly >= 1 {
                    let arg = &t.name;
                    issues.push(DataIssue {
                        file: t.name.clone(),
                        row: None,
                        column: Some(t.column_label(ci)),
                        message: crate::tr!(
                            "cả {plain} giá trị của cột tỷ lệ này (tiêu chí {}) đều nằm trong khoảng 0–1, nên có lẽ là phân số (0,9898 = 98,98%) và sẽ bị chấm gần 0 điểm. \
                             Cách sửa: ghi tỷ lệ theo phần trăm (98,98) hoặc định dạng ô là %; hoặc, nếu bảng này ghi phân số, thêm --rates-as-fraction '{arg}'",
                            "all {plain} values of this rate column (criterion {}) lie between 0 and 1, so they are probably fractions (0.9898 = 98.98%) and would score near 0. \
                             Fix: write rates as percentages (98.98) or format the cells as %; or, if this table holds fractions, add --rates-as-fraction '{arg}'",
                            node.id
                        ),
                    });
                }
            }
        }
    }
    issues
}
