//! CSV as Excel and office software write it: UTF-8 (BOM or not) or Windows-1258, separated by
//! `,`, `;` or tab (detected), with the line number of every record kept for error messages.

use std::path::Path;

use super::{Grid, Row, Value};
use crate::error::{Error, Result};
use crate::text;

pub fn read(path: &Path, name: &str) -> Result<Grid> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut notes = Vec::new();
    let text = decode(&bytes, name, &mut notes);
    let delimiter = detect_delimiter(&text);
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
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
                rows.push(Row { line, cells });
            }
            Err(e) => {
                return Err(Error::Data(vec![crate::error::DataIssue {
                    file: name.to_string(),
                    row: Some(line),
                    column: None,
                    message: format!("malformed CSV: {e}"),
                }]));
            }
        }
    }
    Ok(Grid {
        rows,
        notes,
        delimiter: Some(delimiter),
    })
}

/// UTF-8 (BOM stripped) when valid, otherwise Windows-1258, Excel's plain "CSV" on Vietnamese
/// Windows. NFC is applied per cell by the caller.
pub fn decode(bytes: &[u8], name: &str, notes: &mut Vec<String>) -> String {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (s, _, _) = encoding_rs::WINDOWS_1258.decode(body);
            notes.push(crate::tr!(
                "{name}: không phải UTF-8, đã đọc theo bảng mã Windows-1258",
                "{name}: not UTF-8, read as Windows-1258"
            ));
            s.into_owned()
        }
    }
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
        let s = decode(bytes, "x.csv", &mut notes);
        assert_eq!(text::nfc(&s), "Phường");
        assert_eq!(notes.len(), 1);
        assert_eq!(decode(b"\xEF\xBB\xBFabc", "x", &mut notes), "abc");
    }
}
