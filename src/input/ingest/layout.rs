//! Where the table is inside a sheet as offices lay it out: title rows above the header (skipped),
//! a header spread over two rows under merged group cells (combined), a row of column numbers
//! `(1) (2) (3)` under the header (skipped), blank rows (dropped), and the totals and signature
//! block at the foot ("Tổng cộng", "Người lập biểu", "…, ngày … tháng … năm …", names):
//! recognised and skipped, and every skipped row reported. It knows words and shapes, never
//! indicator codes or numbers' meaning.

use super::{Merge, Row, Value};
use crate::support::text;

/// The header as found: display captions, alternative captions per column (the lower row of a
/// two-row header), and the rows the header occupies.
pub struct Header {
    /// Index into the grid's rows of the (first) header row.
    pub first: usize,
    /// Index of the first row after the header block.
    pub body: usize,
    pub captions: Vec<String>,
    /// Per column, other captions it may be matched by (the lower caption alone).
    pub alternatives: Vec<Vec<String>>,
    /// The code column.
    pub code_col: usize,
    /// Lines of rows skipped inside the header block (column numbers).
    pub skipped: Vec<usize>,
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Number(_) | Value::Percent(_) => v.as_read(),
        Value::Empty => String::new(),
    }
}

/// The first row (of the first 20) with a cell `is_code` accepts.
pub fn find_header(
    rows: &[Row],
    merges: &[Merge],
    is_code: &dyn Fn(&str) -> bool,
) -> Option<Header> {
    let (first, code_col) = rows.iter().take(20).enumerate().find_map(|(i, r)| {
        r.cells
            .iter()
            .position(|c| is_code(&text::key(&cell_text(c))))
            .map(|c| (i, c))
    })?;
    let top: Vec<String> = rows[first]
        .cells
        .iter()
        .map(|c| text::nfc(&cell_text(c)))
        .collect();
    let mut captions = top.clone();
    let mut alternatives = vec![Vec::new(); captions.len()];
    let mut body = first + 1;
    let mut skipped = Vec::new();
    if let Some(next) = rows.get(body) {
        if is_subheader(&rows[first], next, code_col, merges) {
            let width = top.len().max(next.cells.len());
            captions.resize(width, String::new());
            alternatives.resize(width, Vec::new());
            let header_row = rows[first].line - 1;
            let mut carried = String::new();
            for c in 0..width {
                let sub = next
                    .cells
                    .get(c)
                    .map(cell_text)
                    .map(|s| text::nfc(&s))
                    .unwrap_or_default();
                let own = top.get(c).cloned().unwrap_or_default();
                // The group caption over this column: its own cell, the merged region covering
                // it, or (no merge information, as in CSV) the nearest caption to the left.
                let group = if !own.is_empty() {
                    carried = own.clone();
                    own
                } else if let Some(m) = merges.iter().find(|m| {
                    m.first.0 <= header_row
                        && header_row <= m.last.0
                        && m.first.1 <= c
                        && c <= m.last.1
                }) {
                    top.get(m.first.1).cloned().unwrap_or_default()
                } else if merges.is_empty() && !sub.is_empty() {
                    carried.clone()
                } else {
                    String::new()
                };
                captions[c] = match (group.is_empty(), sub.is_empty()) {
                    (_, true) => group,
                    (true, false) => sub,
                    (false, false) => {
                        alternatives[c].push(sub.clone());
                        format!("{group} – {sub}")
                    }
                };
            }
            body += 1;
        }
    }
    if let Some(next) = rows.get(body) {
        if is_numbering(next) {
            skipped.push(next.line);
            body += 1;
        }
    }
    Some(Header {
        first,
        body,
        captions,
        alternatives,
        code_col,
        skipped,
    })
}

/// The lower row of a two-row header: no unit code, only words, and under a group caption
/// (a merged cell spanning columns, or an empty cell of the upper row above a word).
fn is_subheader(top: &Row, next: &Row, code_col: usize, merges: &[Merge]) -> bool {
    let code_empty = next.cells.get(code_col).is_none_or(|c| *c == Value::Empty);
    let words: Vec<(usize, &String)> = next
        .cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Value::Text(s) => Some((i, s)),
            _ => None,
        })
        .collect();
    let only_words = next
        .cells
        .iter()
        .all(|c| matches!(c, Value::Text(_) | Value::Empty));
    if !code_empty || words.is_empty() || !only_words {
        return false;
    }
    if words.iter().any(|(_, s)| {
        crate::support::numfmt::evidence(s) != crate::support::numfmt::Evidence::NotANumber
            || Value::Text((*s).clone()).is_not_applicable()
    }) {
        return false;
    }
    let header_row = top.line - 1;
    let spans_columns = merges
        .iter()
        .any(|m| m.first.0 == header_row && m.last.1 > m.first.1);
    let under_empty = words
        .iter()
        .any(|(i, _)| top.cells.get(*i).is_none_or(|c| *c == Value::Empty));
    spans_columns || under_empty
}

/// `(1) (2) (3)` or `1 2 3` under the header: column numbers, not data.
fn is_numbering(r: &Row) -> bool {
    let tokens: Vec<String> = r
        .cells
        .iter()
        .filter(|c| **c != Value::Empty)
        .map(cell_text)
        .collect();
    if tokens.len() < 2 {
        return false;
    }
    let bracketed = tokens
        .iter()
        .all(|t| t.len() <= 24 && t.starts_with('(') && t.ends_with(')'));
    let counting = tokens
        .iter()
        .enumerate()
        .all(|(i, t)| t.parse::<usize>().ok() == Some(i + 1));
    bracketed || counting
}

/// Words that open a totals or signature row, compared on folded keys.
const FOOTER_OPENERS: &[&str] = &[
    "tổng cộng",
    "tổng số",
    "tổng",
    "cộng",
    "trung bình",
    "bình quân",
    "người lập biểu",
    "người lập",
    "người lập bảng",
    "thủ trưởng đơn vị",
    "thủ trưởng",
    "kt thủ trưởng",
    "kt giám đốc",
    "giám đốc",
    "phó giám đốc",
    "chủ tịch",
    "tm ủy ban nhân dân",
    "tm ubnd",
    "xác nhận",
    "ký tên",
    "ký ghi rõ họ tên",
    "nơi nhận",
    "ghi chú",
    "total",
    "average",
    "prepared by",
];

/// Is this row the start of the foot of the table ("Tổng cộng", "Người lập biểu", a place and
/// date line)? Only rows without a unit code are asked.
pub fn opens_footer(r: &Row) -> bool {
    r.cells
        .iter()
        .any(|c| matches!(c, Value::Text(s) if opens_footer_text(s)))
}

/// Whether one cell's text opens the foot of the table (see [`opens_footer`]): asked of the
/// code cell of every row, so without a copy per opener.
pub fn opens_footer_text(s: &str) -> bool {
    let k = text::fold(s);
    FOOTER_OPENERS.iter().any(|w| {
        k.strip_prefix(w)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    }) || is_place_date(&k)
}

/// "Hà Nội, ngày 15 tháng 12 năm 2025" or "…, ngày … tháng … năm …".
fn is_place_date(folded: &str) -> bool {
    let ngay = folded.find("ngày");
    let thang = folded.find("tháng");
    let nam = folded.find("năm");
    matches!((ngay, thang, nam), (Some(a), Some(b), Some(c)) if a < b && b < c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Value::Empty
                    } else {
                        Value::Text(s.to_string())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn footers() {
        assert!(opens_footer(&row(1, &["", "Tổng cộng", ""])));
        assert!(opens_footer(&row(1, &["", "TỔNG CỘNG:", ""])));
        assert!(opens_footer(&row(1, &["Người lập biểu"])));
        assert!(opens_footer(&row(
            1,
            &["", "Quảng Trị, ngày 15 tháng 12 năm 2025"]
        )));
        assert!(opens_footer(&row(1, &["…, ngày … tháng … năm …"])));
        assert!(!opens_footer(&row(1, &["", "Xã Cộng Hòa"])));
        assert!(!opens_footer(&row(1, &["", "Phường Tổng Điền"])));
    }

    #[test]
    fn two_row_header_with_merged_group() {
        let rows = vec![
            row(1, &["BẢNG TỔNG HỢP"]),
            row(2, &["STT", "Mã đơn vị", "Chỉ số TTHC", "", "Ghi chú"]),
            row(3, &["", "", "Đúng hạn (%)", "Trực tuyến (%)", ""]),
            row(4, &["(1)", "(2)", "(3)", "(4)", "(5)"]),
            row(5, &["1", "XA001", "98", "50", ""]),
        ];
        let merges = vec![Merge {
            first: (1, 2),
            last: (1, 3),
        }];
        let h = find_header(&rows, &merges, &|k| k == "mã đơn vị").unwrap();
        assert_eq!(h.first, 1);
        assert_eq!(h.body, 4);
        assert_eq!(h.captions[2], "Chỉ số TTHC – Đúng hạn (%)");
        assert_eq!(h.captions[3], "Chỉ số TTHC – Trực tuyến (%)");
        assert_eq!(h.alternatives[3], vec!["Trực tuyến (%)".to_string()]);
        assert_eq!(h.captions[4], "Ghi chú");
        assert_eq!(h.skipped, vec![4]);
    }

    #[test]
    fn a_data_row_is_never_a_subheader() {
        let rows = vec![row(1, &["Mã đơn vị", "ty_le"]), row(2, &["XA001", "98"])];
        let h = find_header(&rows, &[], &|k| k == "mã đơn vị").unwrap();
        assert_eq!(h.body, 1);
        assert_eq!(h.captions, vec!["Mã đơn vị", "ty_le"]);
    }
}
