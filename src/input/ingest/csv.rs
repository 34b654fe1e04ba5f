//! CSV as Excel and office software write it: UTF-8 (BOM or not) or Windows-1258, separated by
//! `,`, `;` or tab (detected), with the line number of every record kept for error messages.

use super::{Grid, Row, Value};
use crate::support::error::{Error, Result};
use crate::support::text;

/// Rows of a CSV file's bytes (public for the fuzz targets).
pub fn read_bytes(bytes: &[u8], name: &str) -> Result<Grid> {
    let mut notes = Vec::new();
    let text = decode(bytes, name, &mut notes)?;
    let delimiter = detect_delimiter(&text);
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut widths: Vec<usize> = Vec::new();
    let mut rec = ::csv::StringRecord::new();
    loop {
        // The row as Excel shows it: one per record, even when a quoted cell holds a newline.
        let line = rows.len() + 1;
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let cells = rec
                    .iter()
                    .map(|s| {
                        let t = text::nfc(s);
                        if t.is_empty() {
                            Value::Empty
                        } else {
                            Value::Text(t)
                        }
                    })
                    .collect();
                widths.push(rec.len());
                rows.push(Row { line, cells });
            }
            Err(e) => {
                return Err(Error::Data(vec![crate::support::error::DataIssue {
                    file: name.to_string(),
                    row: Some(line),
                    column: None,
                    message: crate::tr!(
                        "CSV sai cấu trúc: {}",
                        "malformed CSV: {}",
                        text::clip(&e.to_string(), 200)
                    ),
                }]));
            }
        }
    }
    // A file cut off in transfer ends in the middle of a row: no final line break and fewer
    // cells than the row before. Its last cell may itself be cut ("95,0" of "95,08"): a wrong
    // number nobody would see, so it is an error.
    if let [.., before, last] = widths[..] {
        if last < before && !text.ends_with(['\n', '\r']) {
            return Err(Error::Data(vec![crate::support::error::DataIssue {
                file: name.to_string(),
                row: Some(widths.len()),
                column: None,
                message: crate::tr!(
                    "tệp kết thúc giữa dòng cuối ({last} trên {before} ô, không có dấu xuống dòng): tệp có thể bị cắt cụt; hãy lấy lại tệp đầy đủ",
                    "the file ends in the middle of its last row ({last} of {before} cells, no final line break): it may be cut off; get the complete file again"
                ),
            }]));
        }
    }
    Ok(Grid {
        rows,
        notes,
        delimiter: Some(delimiter),
        merges: vec![],
    })
}

/// Decide the encoding on evidence and say which was used. Valid UTF-8 (BOM stripped) is
/// UTF-8. Otherwise, a file whose multi-byte UTF-8 sequences outnumber its invalid bytes is UTF-8
/// with damage, and the damage is an error with line and column (decoding it as Windows-1258
/// would turn every Vietnamese letter into mojibake and lose the units silently); a file with
/// no UTF-8 sequences is Windows-1258, Excel's plain "CSV" on Vietnamese Windows. NFC is applied
/// per cell by the caller.
pub fn decode(bytes: &[u8], name: &str, notes: &mut Vec<super::ReadNote>) -> Result<String> {
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(b) => (b, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(body) {
        Ok(s) => {
            if bom || !s.is_ascii() {
                notes.push(super::ReadNote::Utf8 { bom });
            }
            Ok(s.to_string())
        }
        Err(_) => {
            let (valid_multibyte, invalid) = utf8_evidence(body);
            if bom || valid_multibyte > invalid.len() {
                let (line, col) = line_col(body, invalid[0]);
                let more = invalid.len() - 1;
                return Err(Error::Data(vec![crate::support::error::DataIssue {
                    file: name.to_string(),
                    row: Some(line),
                    column: None,
                    message: crate::tr!(
                        "tệp là UTF-8 nhưng có byte không hợp lệ 0x{:02X} ở ký tự thứ {col} của dòng{}; hãy lưu lại tệp dạng \"CSV UTF-8\" hoặc sửa dòng đó",
                        "the file is UTF-8 but has an invalid byte 0x{:02X} at character {col} of the line{}; save it again as \"CSV UTF-8\" or mend that line",
                        body[invalid[0]],
                        if more > 0 { crate::tr!(" (và {more} chỗ khác)", " (and {more} more)") } else { String::new() }
                    ),
                }]));
            }
            let (s, _, _) = encoding_rs::WINDOWS_1258.decode(body);
            notes.push(super::ReadNote::Windows1258);
            Ok(s.into_owned())
        }
    }
}

/// Count well-formed multi-byte UTF-8 sequences and list the offsets of invalid bytes.
pub(crate) fn utf8_evidence(mut bytes: &[u8]) -> (usize, Vec<usize>) {
    let mut valid = 0usize;
    let mut invalid = Vec::new();
    let mut offset = 0usize;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                valid += s.bytes().filter(|b| *b >= 0xC0).count();
                return (valid, invalid);
            }
            Err(e) => {
                let ok = e.valid_up_to();
                valid += bytes[..ok].iter().filter(|b| **b >= 0xC0).count();
                invalid.push(offset + ok);
                let skip = ok + e.error_len().unwrap_or(bytes.len() - ok).max(1);
                offset += skip;
                bytes = &bytes[skip.min(bytes.len())..];
            }
        }
    }
}

/// 1-based line and character column of a byte offset.
fn line_col(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, col)
}

/// The separator that occurs on the most of the first lines (quoted text ignored); `;` wins
/// ties because decimal-comma files use it.
pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for d in [b';', b'\t', b','] {
        let mut on_lines = 0;
        let mut total = 0;
        for l in &lines {
            let mut quoted = false;
            let mut n = 0;
            for b in l.bytes() {
                if b == b'"' {
                    quoted = !quoted;
                } else if b == d && !quoted {
                    n += 1;
                }
            }
            if n > 0 {
                on_lines += 1;
                total += n;
            }
        }
        if (on_lines, total) > (best.1, best.2) {
            best = (d, on_lines, total);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(detect_delimiter("a,b,c\n1,2.5,3\n"), b',');
        assert_eq!(detect_delimiter("a\tb\n1\t2,5\n"), b'\t');
        assert_eq!(detect_delimiter("\"x;y\",b,c\n1,2,3\n"), b',');
    }

    #[test]
    fn decodes_windows_1258() {
        // "Phường" in Windows-1258: P h u+ (0xFD) o+ (0xF5) + combining grave (0xCC) n g
        let bytes = b"Ph\xFD\xF5\xCCng";
        let mut notes = vec![];
        let s = decode(bytes, "x.csv", &mut notes).unwrap();
        assert_eq!(text::nfc(&s), "Phường");
        assert_eq!(notes.len(), 1);
        assert_eq!(decode(b"\xEF\xBB\xBFabc", "x", &mut notes).unwrap(), "abc");
    }

    #[test]
    fn a_file_cut_in_the_middle_of_a_row_is_an_error() {
        let e = read_bytes(b"code;a;b\nX1;1;2\nX2;3", "t.csv")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("row 3") || e.contains("dòng 3"), "{e}");
        // A complete file without a final line break is fine.
        assert!(read_bytes(b"code;a;b\nX1;1;2\nX2;3;4", "t.csv").is_ok());
    }

    #[test]
    fn one_bad_byte_in_utf8_is_an_error_with_its_place() {
        let mut bytes = "mã,tên\nXA001,Phường Đông\nXA002,Xã Tây"
            .as_bytes()
            .to_vec();
        let at = bytes.len() - 3;
        bytes[at] = 0xFF;
        let mut notes = vec![];
        let e = decode(&bytes, "x.csv", &mut notes).unwrap_err().to_string();
        assert!(e.contains("0xFF"), "{e}");
        assert!(e.contains('3'), "{e}");
    }
}
