//! The CSV side of the reader: the header and where the used fields are, blocks cut at record
//! boundaries (at line breaks first, along the quotes when a quoted line break is met), and the
//! byte loops that split a block into records and fields.

use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use super::super::Options;
use super::{io_err, Stop};
use crate::support::error::{Error, Result};

/// Bytes read per block when `Options::block_bytes` is 0.
pub(super) const BLOCK: usize = 4 << 20;

/// The fields `derive` uses, in this order.
pub(super) const USED: [&str; 9] = [
    "dossier_id",
    "unit_code",
    "received_at",
    "due_at",
    "finished_at",
    "channel",
    "online_kind",
    "paid_online",
    "digitised",
];

/// Where a file's used fields are and how its records are cut.
pub(super) struct Layout {
    pub(super) sep: u8,
    pub(super) width: usize,
    /// Column index → slot in `USED` (or `NONE`).
    pub(super) slot_of: Vec<u8>,
    /// Byte offset of the first record.
    pub(super) body: u64,
}

pub(super) const NONE: u8 = u8::MAX;

/// A structural problem in a CSV (a stray quote, a ragged row, a byte that is not UTF-8): the
/// first one, located by the strict reader, or a message naming the file.
pub(super) fn malformed(o: &Options, path: &Path) -> Error {
    match super::super::locate_csv_problem(&o.files) {
        Some(issue) => Error::Data(vec![issue]),
        None => Error::data(
            path.display().to_string(),
            crate::tr!("CSV sai cấu trúc", "malformed CSV"),
        ),
    }
}

/// Split one record starting at `pos` into field ranges; returns the position after the record
/// (past its line break) or `None` for an unterminated quote. `fields` receives (start, end,
/// quoted with doubled quotes inside). Plain byte loops: fields are short, and a loop beats a
/// call to a vectorised search that finds its byte a few places on.
pub(super) fn record(
    b: &[u8],
    pos: usize,
    sep: u8,
    fields: &mut Vec<(usize, usize, bool)>,
) -> Option<usize> {
    fields.clear();
    let n = b.len();
    let mut i = pos;
    loop {
        if i < n && b[i] == b'"' {
            // Quoted: up to the quote not followed by another quote.
            let start = i + 1;
            let mut j = start;
            let mut escaped = false;
            loop {
                while j < n && b[j] != b'"' {
                    j += 1;
                }
                if j >= n {
                    return None;
                }
                if j + 1 < n && b[j + 1] == b'"' {
                    escaped = true;
                    j += 2;
                    continue;
                }
                break;
            }
            fields.push((start, j, escaped));
            i = j + 1;
            if i >= n {
                return Some(n);
            }
            let c = b[i];
            if c == sep {
                i += 1;
                continue;
            }
            if c == b'\n' {
                return Some(i + 1);
            }
            if c == b'\r' && (i + 1 == n || b[i + 1] == b'\n') {
                return Some((i + 2).min(n));
            }
            // Text after a closing quote: kept with the field's raw bytes, as a lenient
            // reader does.
            let mut k = i;
            while k < n && b[k] != sep && b[k] != b'\n' {
                k += 1;
            }
            let last = fields.last_mut().expect("pushed above");
            *last = (last.0, k, true);
            if k < n && b[k] == sep {
                i = k + 1;
                continue;
            }
            return Some((k + 1).min(n));
        }
        let start = i;
        while i < n && b[i] != sep && b[i] != b'\n' {
            i += 1;
        }
        if i < n && b[i] == sep {
            fields.push((start, i, false));
            i += 1;
            continue;
        }
        let mut end = i;
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        fields.push((start, end, false));
        return Some((i + 1).min(n));
    }
}

/// A field's bytes, with doubled quotes made single when it has them.
pub(super) fn field<'a>(
    b: &'a [u8],
    f: (usize, usize, bool),
    scratch: &'a mut Vec<u8>,
) -> &'a [u8] {
    let (s, e, escaped) = f;
    if !escaped {
        return &b[s..e];
    }
    scratch.clear();
    let mut i = s;
    while i < e {
        scratch.push(b[i]);
        i += if b[i] == b'"' && b.get(i + 1) == Some(&b'"') && i + 1 < e {
            2
        } else {
            1
        };
    }
    if scratch.last() == Some(&b'"') {
        scratch.pop();
    }
    scratch
}

/// The header: separator, width and where the used fields are (the mapping's names first).
pub(super) fn layout(path: &Path, o: &Options) -> Result<Layout> {
    let sep = super::super::detect_separator(path)?;
    super::super::check_not_cut(path, sep)?;
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut head = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut fields = Vec::new();
    loop {
        let n = f.read(&mut chunk).map_err(io_err(path))?;
        head.extend_from_slice(&chunk[..n]);
        let start = if head.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let done = n == 0;
        if done && head[start..].trim_ascii().is_empty() {
            return Err(Error::data(
                path.display().to_string(),
                crate::tr!(
                    "tệp trống: không có dòng tiêu đề, không có hồ sơ",
                    "the file is empty: no header row, no records"
                ),
            ));
        }
        if let Some(next) = record(&head, start, sep, &mut fields) {
            if next < head.len() || done {
                let mut scratch = Vec::new();
                let names: Vec<String> = fields
                    .iter()
                    .map(|&fl| String::from_utf8_lossy(field(&head, fl, &mut scratch)).into_owned())
                    .collect();
                let mut slot_of = vec![NONE; names.len()];
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                let found = super::super::find_columns(path, &refs, o)?;
                for (slot, canon) in USED.iter().enumerate() {
                    if let Some(&i) = found.get(canon) {
                        slot_of[i] = slot as u8;
                    }
                }
                return Ok(Layout {
                    sep,
                    width: names.len(),
                    slot_of,
                    body: next as u64,
                });
            }
        }
        if done {
            return Err(malformed(o, path));
        }
    }
}

/// The shared reader: hands out blocks that end at a record boundary, in file order.
pub(super) struct Blocks {
    pub(super) file: std::fs::File,
    pub(super) carry: Vec<u8>,
    pub(super) next: u32,
    pub(super) eof: bool,
    pub(super) size: usize,
    pub(super) sep: u8,
    /// Cut after the last record by following quotes; otherwise at the last line break, which
    /// is right unless a quoted field holds a line break (found by the block's parse).
    pub(super) careful: bool,
}

impl Blocks {
    fn open(path: &Path, layout: &Layout, size: usize, careful: bool) -> Result<Blocks> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(path).map_err(io_err(path))?;
        file.seek(SeekFrom::Start(layout.body))
            .map_err(io_err(path))?;
        Ok(Blocks {
            file,
            carry: Vec::new(),
            next: 0,
            eof: false,
            size,
            sep: layout.sep,
            careful,
        })
    }

    /// The next block into `buf` and its number; `None` at the end.
    fn take(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Option<u32>> {
        buf.clear();
        if self.eof && self.carry.is_empty() {
            return Ok(None);
        }
        buf.append(&mut self.carry);
        loop {
            if !self.eof {
                let old = buf.len();
                buf.resize(old + self.size, 0);
                let mut got = 0;
                while got < self.size {
                    let n = self.file.read(&mut buf[old + got..])?;
                    if n == 0 {
                        self.eof = true;
                        break;
                    }
                    got += n;
                }
                buf.truncate(old + got);
            }
            if self.eof {
                break;
            }
            let cut = if self.careful {
                last_boundary(buf, self.sep)
            } else {
                memchr::memrchr(b'\n', buf).map(|p| p + 1)
            };
            if let Some(cut) = cut {
                self.carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                break;
            }
            // One record longer than a block: read on.
        }
        if buf.is_empty() {
            return Ok(None);
        }
        let n = self.next;
        self.next += 1;
        Ok(Some(n))
    }
}

/// The position after the last record that ends in `b` (a block always starts at a record).
/// Without a quote, the last line break; otherwise the fields are followed as [`record`] reads
/// them (a quote opens a quoted field only at a field's start), so neither a quoted line break
/// nor a stray quote inside a field can misplace the cut.
pub(super) fn last_boundary(b: &[u8], sep: u8) -> Option<usize> {
    if memchr::memchr(b'"', b).is_none() {
        return memchr::memrchr(b'\n', b).map(|p| p + 1);
    }
    let (mut i, mut at_start, mut last) = (0usize, true, None);
    while i < b.len() {
        if at_start && b[i] == b'"' {
            let mut j = i + 1;
            loop {
                let Some(q) = memchr::memchr(b'"', &b[j..]) else {
                    return last;
                };
                if b.get(j + q + 1) == Some(&b'"') {
                    j += q + 2;
                    continue;
                }
                i = j + q + 1;
                break;
            }
            at_start = false;
            continue;
        }
        match memchr::memchr2(sep, b'\n', &b[i..]) {
            Some(p) => {
                if b[i + p] == b'\n' {
                    last = Some(i + p + 1);
                }
                i += p + 1;
                at_start = true;
            }
            None => break,
        }
    }
    last
}

pub(super) fn blocks_of_file<S: Send>(
    o: &Options,
    fi: usize,
    layout: &Layout,
    careful: bool,
    init: &(impl Fn() -> S + Sync),
    work: &(impl Fn(&mut S, u32, u32, &[u8], &Layout) -> std::result::Result<(), Stop> + Sync),
) -> std::result::Result<Vec<S>, Stop> {
    let path = &o.files[fi];
    let size = if o.block_bytes == 0 {
        BLOCK
    } else {
        o.block_bytes
    };
    let reader = Mutex::new(Blocks::open(path, layout, size, careful)?);
    super::pool(
        o.threads,
        path,
        init,
        || Vec::with_capacity(size * 2),
        |buf: &mut Vec<u8>| match reader.lock() {
            Ok(mut r) => r.take(buf).map_err(|e| Stop::Fail(io_err(path)(e))),
            Err(_) => Ok(None),
        },
        |st, bi, buf| work(st, fi as u32, bi, buf, layout),
    )
}

/// Every record of a block, with its row in the block and its fields; returns the rows the
/// block spans (blank lines included). A structural problem is an error naming the row.
pub(super) fn each_record(
    o: &Options,
    path: &Path,
    b: &[u8],
    l: &Layout,
    mut f: impl FnMut(u32, &[(usize, usize, bool)]),
) -> std::result::Result<u32, Stop> {
    if std::str::from_utf8(b).is_err() {
        return Err(malformed(o, path).into());
    }
    let mut fields = Vec::with_capacity(l.width);
    let (mut pos, mut n) = (0usize, 0u32);
    if memchr::memchr(b'"', b).is_none() {
        // No quote in the block: a record is a line, its fields are split at every separator.
        while pos < b.len() {
            let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |e| pos + e);
            let line = &b[pos..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if !line.is_empty() {
                fields.clear();
                let mut start = pos;
                for (i, &c) in line.iter().enumerate() {
                    if c == l.sep {
                        fields.push((start, pos + i, false));
                        start = pos + i + 1;
                    }
                }
                fields.push((start, pos + line.len(), false));
                if fields.len() != l.width {
                    return Err(malformed(o, path).into());
                }
                f(n, &fields);
            }
            n += 1;
            pos = end + 1;
        }
        return Ok(n);
    }
    while pos < b.len() {
        // A blank line is no record, but a row of the sheet: it keeps its number.
        if b[pos] == b'\n' {
            pos += 1;
            n += 1;
            continue;
        }
        if b[pos] == b'\r' && b.get(pos + 1) == Some(&b'\n') {
            pos += 2;
            n += 1;
            continue;
        }
        let Some(next) = record(b, pos, l.sep, &mut fields) else {
            return Err(Stop::Unterminated);
        };
        if fields.len() != l.width {
            return Err(malformed(o, path).into());
        }
        f(n, &fields);
        n += 1;
        pos = next;
    }
    Ok(n)
}

/// The used fields of a record, by slot.
pub(super) fn used(l: &Layout, fields: &[(usize, usize, bool)]) -> [(usize, usize, bool); 9] {
    let mut u = [(0, 0, false); 9];
    for (i, &fl) in fields.iter().enumerate() {
        let s = l.slot_of[i];
        if s != NONE {
            u[s as usize] = fl;
        }
    }
    u
}

/// The dossier id of every record of a block. Without a quote in the block, only the bytes up
/// to the id are looked at (the record's shape is checked by pass 2).
pub(super) fn each_id(
    o: &Options,
    path: &Path,
    b: &[u8],
    l: &Layout,
    mut f: impl FnMut(&[u8]),
) -> std::result::Result<(), Stop> {
    let at = l
        .slot_of
        .iter()
        .position(|&s| s == 0)
        .expect("dossier_id was found");
    if memchr::memchr(b'"', b).is_some() {
        let mut scratch = Vec::new();
        each_record(o, path, b, l, |_, fields| {
            f(field(b, fields[at], &mut scratch))
        })?;
        return Ok(());
    }
    let mut pos = 0;
    while pos < b.len() {
        let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |e| pos + e);
        let line = &b[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos = end + 1;
        if line.is_empty() {
            continue;
        }
        let mut rest = line;
        for _ in 0..at {
            match rest.iter().position(|&c| c == l.sep) {
                Some(i) => rest = &rest[i + 1..],
                None => return Err(malformed(o, path).into()),
            }
        }
        let id = rest
            .iter()
            .position(|&c| c == l.sep)
            .map_or(rest, |i| &rest[..i]);
        f(id);
    }
    Ok(())
}
