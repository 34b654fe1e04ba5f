//! The CSV path of `derive`: a reader of its own for the one shape it needs (a header, then
//! records), so each record is parsed once per pass and only its nine used fields are looked at.
//!
//! One thread at a time takes the next block of the file (about 4 MiB, cut after the last record
//! boundary outside quotes, so a quoted line break never splits a record); every worker parses its
//! block into thread-local per-unit counters. Pass 1 hashes the dossier ids; pass 2 classifies
//! and counts, setting aside only records whose id hash was seen twice. Those are checked against
//! their real ids: a hash shared by different ids sends its records through a third, exact pass,
//! so a hash collision never excludes a unique record. Blocks are numbered in file order and the
//! first bad record of each reason is kept as (file, block, record in block), so the result does
//! not depend on the number of threads. The definitions are those of the polars path
//! ([`super::classify`] and [`super::aggregate`]); a test runs both on the same files.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Mutex;

use super::vocab::{self, Vocab};
use super::{dates, BadExample, Counts, Derived, Options, BAD_DATE, REASONS};
use crate::error::{Error, Result};

type Fixed = foldhash::fast::FixedState;
const SEED: u64 = 0x5041_5249_4e44_4558;
/// Bytes read per block when `Options::block_bytes` is 0.
const BLOCK: usize = 4 << 20;

/// The fields `derive` uses, in this order.
const USED: [&str; 9] = [
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
struct Layout {
    sep: u8,
    width: usize,
    /// Column index → slot in `USED` (or `NONE`).
    slot_of: Vec<u8>,
    /// Byte offset of the first record.
    body: u64,
}

const NONE: u8 = u8::MAX;

/// The vocabularies of the four coded fields.
struct Vocabs([Vocab; 4]);

/// One record's parsed fields (dates as days; `None` empty, `Some(BAD_DATE)` unreadable).
#[derive(Clone, Copy)]
struct Rec {
    recv: Option<i32>,
    due: Option<i32>,
    fin: Option<i32>,
    ch: u8,
    kind: u8,
    paid: u8,
    dig: u8,
    unit_empty: bool,
}

/// Per-unit sums: rows, in_period, the nine aggregated counts, then the seven reasons.
const ROWS: usize = 0;
const IN_PERIOD: usize = 1;
const RECEIVED: usize = 2;
const RESOLVED: usize = 3;
const ON_TIME: usize = 4;
const OVERDUE: usize = 5;
const ONLINE: usize = 6;
const FULL: usize = 7;
const PAID: usize = 8;
const FEE_KNOWN: usize = 9;
const DIGITISED: usize = 10;
const BAD0: usize = 11;
const SUMS: usize = BAD0 + REASONS.len();
type Sums = [u64; SUMS];

/// Position of a record in file order: (file, block, record within block).
type At = (u32, u32, u32);

/// What pass 2 knows of one id hash seen more than once.
struct Candidate {
    /// The id, while every record with this hash has had the same one; `None` once two differ.
    id: Option<Box<[u8]>>,
    first: At,
}

/// Thread-local state of pass 2.
#[derive(Default)]
struct Tally {
    units: HashMap<Box<[u8]>, usize, Fixed>,
    sums: Vec<(Box<[u8]>, Sums)>,
    first_bad: [Option<At>; 7],
    candidates: HashMap<u64, Candidate, Fixed>,
    /// Records per block, by (file, block).
    blocks: Vec<((u32, u32), u32)>,
}

impl Tally {
    fn unit(&mut self, code: &[u8]) -> usize {
        if let Some(&i) = self.units.get(code) {
            return i;
        }
        let i = self.sums.len();
        self.sums.push((code.into(), [0; SUMS]));
        self.units.insert(code.into(), i);
        i
    }

    fn note_first(&mut self, reason: usize, at: At) {
        let slot = &mut self.first_bad[reason - 1];
        if slot.is_none_or(|old| at < old) {
            *slot = Some(at);
        }
    }
}

/// Why a worker stopped: a block that ends inside a quoted field (the cut at its last line break
/// fell in a quoted line break: the file is read again, cutting carefully), or an error.
enum Stop {
    Unterminated,
    Fail(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Fail(e)
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// A structural problem in a CSV (a stray quote, a ragged row, a byte that is not UTF-8): the
/// first one, located by the strict reader, or a message naming the file.
fn malformed(o: &Options, path: &Path) -> Error {
    match super::locate_csv_problem(&o.files) {
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
fn record(b: &[u8], pos: usize, sep: u8, fields: &mut Vec<(usize, usize, bool)>) -> Option<usize> {
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
fn field<'a>(b: &'a [u8], f: (usize, usize, bool), scratch: &'a mut Vec<u8>) -> &'a [u8] {
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

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// The header: separator, width and where the used fields are (the mapping's names first).
fn layout(path: &Path, o: &Options) -> Result<Layout> {
    let sep = super::detect_separator(path)?;
    super::check_not_cut(path, sep)?;
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
        if let Some(next) = record(&head, start, sep, &mut fields) {
            if next < head.len() || done {
                let mut scratch = Vec::new();
                let names: Vec<String> = fields
                    .iter()
                    .map(|&fl| String::from_utf8_lossy(field(&head, fl, &mut scratch)).into_owned())
                    .collect();
                let mut slot_of = vec![NONE; names.len()];
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                let found = super::find_columns(path, &refs, o)?;
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
struct Blocks {
    file: std::fs::File,
    carry: Vec<u8>,
    next: u32,
    eof: bool,
    size: usize,
    sep: u8,
    /// Cut after the last record by following quotes; otherwise at the last line break, which
    /// is right unless a quoted field holds a line break (found by the block's parse).
    careful: bool,
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
fn last_boundary(b: &[u8], sep: u8) -> Option<usize> {
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

/// Run `work` on every block of every file with `threads` workers, each with its own state.
/// Blocks are first cut at line breaks; when a block turns out to end inside a quoted field, the
/// file is done again with cuts that follow the quotes.
fn blocks_of<S: Send>(
    o: &Options,
    layouts: &[Layout],
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, u32, u32, &[u8], &Layout) -> std::result::Result<(), Stop> + Sync,
) -> Result<Vec<S>> {
    let mut states = Vec::new();
    for (fi, (path, layout)) in o.files.iter().zip(layouts).enumerate() {
        // Any stop of the fast cut is checked by the careful one: a block after a misplaced cut
        // may stop first, for a reason of its own that is no reason at all.
        let mut done = blocks_of_file(o, fi, layout, false, &init, &work);
        if done.is_err() {
            done = blocks_of_file(o, fi, layout, true, &init, &work);
        }
        match done {
            Ok(d) => states.extend(d),
            Err(Stop::Fail(e)) => return Err(e),
            Err(Stop::Unterminated) => return Err(malformed(o, path)),
        }
    }
    Ok(states)
}

fn blocks_of_file<S: Send>(
    o: &Options,
    fi: usize,
    layout: &Layout,
    careful: bool,
    init: &(impl Fn() -> S + Sync),
    work: &(impl Fn(&mut S, u32, u32, &[u8], &Layout) -> std::result::Result<(), Stop> + Sync),
) -> std::result::Result<Vec<S>, Stop> {
    let path = &o.files[fi];
    let threads = o.threads.max(1);
    let size = if o.block_bytes == 0 {
        BLOCK
    } else {
        o.block_bytes
    };
    let reader = Mutex::new(Blocks::open(path, layout, size, careful)?);
    let failed: Mutex<Option<Stop>> = Mutex::new(None);
    let done: Vec<S> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut st = init();
                    let mut buf = Vec::with_capacity(size * 2);
                    loop {
                        if failed.lock().map(|f| f.is_some()).unwrap_or(true) {
                            break;
                        }
                        let got = match reader.lock() {
                            Ok(mut r) => r.take(&mut buf),
                            Err(_) => break,
                        };
                        let r = match got {
                            Ok(Some(b)) => work(&mut st, fi as u32, b, &buf, layout),
                            Ok(None) => break,
                            Err(e) => Err(Stop::Fail(io_err(path)(e))),
                        };
                        if let Err(e) = r {
                            if let Ok(mut f) = failed.lock() {
                                f.get_or_insert(e);
                            }
                            break;
                        }
                    }
                    st
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    match failed.into_inner().ok().flatten() {
        Some(stop) => Err(stop),
        None => Ok(done),
    }
}

/// Every record of a block, with its row in the block and its fields; returns the rows the
/// block spans (blank lines included). A structural problem is an error naming the row.
fn each_record(
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

fn id_hash(id: &[u8], mask: u64) -> u64 {
    use std::hash::BuildHasher;
    Fixed::with_seed(SEED).hash_one(id) & mask
}

/// The used fields of a record, by slot.
fn used(l: &Layout, fields: &[(usize, usize, bool)]) -> [(usize, usize, bool); 9] {
    let mut u = [(0, 0, false); 9];
    for (i, &fl) in fields.iter().enumerate() {
        let s = l.slot_of[i];
        if s != NONE {
            u[s as usize] = fl;
        }
    }
    u
}

/// A cache of the raw words a column has shown (a handful): each with its first eight bytes
/// packed in a number, so most comparisons are one integer comparison.
type WordCache = Vec<(u64, usize, Box<[u8]>, u8)>;

fn pack(raw: &[u8]) -> u64 {
    let mut k = 0u64;
    for (i, &c) in raw.iter().take(8).enumerate() {
        k |= u64::from(c) << (8 * i);
    }
    k
}

/// A vocabulary word's code, through the column's cache.
fn coded(v: &Vocab, cache: &mut WordCache, raw: &[u8]) -> u8 {
    let k = pack(raw);
    if let Some((.., c)) = cache
        .iter()
        .find(|(pk, n, w, _)| *pk == k && *n == raw.len() && (*n <= 8 || w[8..] == raw[8..]))
    {
        return *c;
    }
    let c = v.code(Some(std::str::from_utf8(raw).unwrap_or("\u{fffd}")));
    if cache.len() < 64 {
        cache.push((k, raw.len(), raw.into(), c));
    }
    c
}

fn date(raw: &[u8]) -> Option<i32> {
    let t = trim(raw);
    if t.is_empty() {
        return None;
    }
    Some(dates::parse_bytes(t).unwrap_or(BAD_DATE))
}

/// Reason (0 = good), in period, counted as bad in scope: the polars path's `classify`.
fn classify(r: &Rec, dup: bool, o: &Options) -> (usize, bool, bool) {
    let bad_date = |d: Option<i32>| d.is_none_or(|d| d == BAD_DATE);
    let reason = if dup {
        1
    } else if bad_date(r.recv) || bad_date(r.due) || r.fin == Some(BAD_DATE) {
        2
    } else if matches!((r.fin, r.recv), (Some(f), Some(v)) if f < v) {
        3
    } else if r.ch == vocab::EMPTY || r.ch == vocab::UNKNOWN {
        4
    } else if r.kind == vocab::UNKNOWN {
        5
    } else if r.paid == vocab::UNKNOWN || r.dig == vocab::UNKNOWN || r.dig == vocab::EMPTY {
        6
    } else if r.unit_empty {
        7
    } else {
        0
    };
    let recv_ok = !bad_date(r.recv);
    let in_period = recv_ok && r.recv.is_some_and(|d| d >= o.from && d <= o.to);
    (reason, in_period, reason > 0 && (in_period || !recv_ok))
}

/// A record's contribution to its unit's sums: the polars path's `aggregate`.
fn contribution(r: &Rec, dup: bool, o: &Options) -> (Sums, usize, bool) {
    let (reason, in_period, scope_bad) = classify(r, dup, o);
    let mut s = [0u64; SUMS];
    s[ROWS] = 1;
    s[IN_PERIOD] = u64::from(in_period);
    if reason == 0 && in_period {
        let resolved = r.fin.is_some_and(|f| f <= o.as_of);
        let due = r.due.unwrap_or(BAD_DATE);
        s[RECEIVED] = 1;
        s[RESOLVED] = u64::from(resolved);
        s[ON_TIME] = u64::from(resolved && r.fin.is_some_and(|f| f <= due));
        s[OVERDUE] = u64::from(!resolved && due < o.as_of);
        let online = r.ch == vocab::ONLINE;
        s[ONLINE] = u64::from(online);
        s[FULL] = u64::from(online && r.kind == vocab::FULL);
        s[PAID] = u64::from(r.paid == vocab::YES);
        s[FEE_KNOWN] = u64::from(r.paid != vocab::EMPTY);
        s[DIGITISED] = u64::from(r.dig == vocab::YES);
    }
    if scope_bad {
        s[BAD0 + reason - 1] = 1;
    }
    (s, reason, scope_bad)
}

fn add(to: &mut Sums, s: &Sums) {
    for (a, b) in to.iter_mut().zip(s) {
        *a += b;
    }
}

fn sub(to: &mut Sums, s: &Sums) {
    for (a, b) in to.iter_mut().zip(s) {
        *a -= b;
    }
}

/// The dossier id of every record of a block. Without a quote in the block, only the bytes up
/// to the id are looked at (the record's shape is checked by pass 2).
fn each_id(
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

/// Pass 1: ids hashed, and the hashes seen more than once. Each thread files its hashes into
/// 256 buckets by their top bits; the buckets are then sorted by all threads at once (8 bytes a
/// record in all, where a hash map would need several times that).
fn duplicate_hashes(o: &Options, layouts: &[Layout]) -> Result<(HashSet<u64, Fixed>, u64)> {
    const BUCKETS: usize = 256;
    // The bucket comes from bits the mask keeps, so narrowed hashes still spread.
    let shift = (64 - o.hash_mask.leading_zeros()).saturating_sub(8);
    let bucket = move |h: u64| ((h >> shift) as usize) & (BUCKETS - 1);
    let per_thread = blocks_of(
        o,
        layouts,
        || vec![Vec::<u64>::new(); BUCKETS],
        |hs, fi, _, b, l| {
            each_id(o, &o.files[fi as usize], b, l, |id| {
                let h = id_hash(id, o.hash_mask);
                hs[bucket(h)].push(h);
            })
        },
    )?;
    let total: u64 = per_thread.iter().flatten().map(|v| v.len() as u64).sum();
    let per_thread = Mutex::new(per_thread);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found: Vec<Vec<u64>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..o.threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut dups = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Relaxed);
                        if k >= BUCKETS {
                            break;
                        }
                        let mut all: Vec<u64> = Vec::new();
                        if let Ok(mut pt) = per_thread.lock() {
                            for t in pt.iter_mut() {
                                all.append(&mut t[k]);
                                t[k] = Vec::new();
                            }
                        }
                        all.sort_unstable();
                        dups.extend(all.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]));
                    }
                    dups
                })
            })
            .collect();
        workers.into_iter().filter_map(|w| w.join().ok()).collect()
    });
    let dups: HashSet<u64, Fixed> = found.into_iter().flatten().collect();
    Ok((dups, total))
}

/// Pass 2 (and pass 3 with `only`): parse, classify and count. Records whose hash is in `dups`
/// are counted as duplicates and noted as candidates; with `only`, just those records are kept,
/// as owned copies, for the exact check.
fn tally(
    o: &Options,
    layouts: &[Layout],
    vocabs: &Vocabs,
    dups: &HashSet<u64, Fixed>,
    only: Option<&HashSet<u64, Fixed>>,
) -> Result<Vec<(Tally, Vec<Owned>)>> {
    let caches = || -> [WordCache; 4] { Default::default() };
    let states = blocks_of(
        o,
        layouts,
        || (Tally::default(), Vec::new(), caches()),
        |(t, kept, cache), fi, bi, b, l| {
            let path = &o.files[fi as usize];
            let (mut s_id, mut s_unit, mut s) = (Vec::new(), Vec::new(), Vec::new());
            let n = each_record(o, path, b, l, |ri, fields| {
                let u = used(l, fields);
                let id = field(b, u[0], &mut s_id);
                let h = if dups.is_empty() {
                    None
                } else {
                    Some(id_hash(id, o.hash_mask))
                };
                let candidate = h.is_some_and(|h| dups.contains(&h));
                if let Some(only) = only {
                    if !h.is_some_and(|h| only.contains(&h)) {
                        return;
                    }
                }
                let unit = trim(field(b, u[1], &mut s_unit));
                let mut code = |k: usize, slot: usize| {
                    coded(&vocabs.0[k], &mut cache[k], field(b, u[slot], &mut s))
                };
                let (ch, kind, paid, dig) = (code(0, 5), code(1, 6), code(2, 7), code(3, 8));
                let rec = Rec {
                    recv: date(field(b, u[2], &mut s)),
                    due: date(field(b, u[3], &mut s)),
                    fin: date(field(b, u[4], &mut s)),
                    ch,
                    kind,
                    paid,
                    dig,
                    unit_empty: unit.is_empty(),
                };
                let at = (fi, bi, ri);
                if only.is_some() {
                    kept.push(Owned {
                        id: id.into(),
                        unit: unit.to_vec(),
                        rec,
                        at,
                    });
                    return;
                }
                let (sums, reason, scope_bad) = contribution(&rec, candidate, o);
                let ui = t.unit(unit);
                add(&mut t.sums[ui].1, &sums);
                if scope_bad && reason > 1 {
                    t.note_first(reason, at);
                }
                if candidate {
                    let h = h.expect("candidates are hashed");
                    match t.candidates.get_mut(&h) {
                        None => {
                            t.candidates.insert(
                                h,
                                Candidate {
                                    id: Some(id.into()),
                                    first: at,
                                },
                            );
                        }
                        Some(c) => {
                            if c.id.as_deref().is_some_and(|old| old != id) {
                                c.id = None;
                            }
                            c.first = c.first.min(at);
                        }
                    }
                }
            })?;
            t.blocks.push(((fi, bi), n));
            if only.is_none() {
                super::RECORDS_DONE.fetch_add(u64::from(n), Relaxed);
            }
            Ok(())
        },
    )?;
    Ok(states.into_iter().map(|(t, k, _)| (t, k)).collect())
}

/// A record kept whole for the exact duplicate check.
struct Owned {
    id: Box<[u8]>,
    unit: Vec<u8>,
    rec: Rec,
    at: At,
}

/// Both passes (and the exact third when two ids share a hash) over CSV files.
pub fn run(o: &Options, progress: &mut dyn FnMut(&str)) -> Result<Derived> {
    let t0 = std::time::Instant::now();
    let layouts = o
        .files
        .iter()
        .map(|p| layout(p, o))
        .collect::<Result<Vec<_>>>()?;
    let vocabs = Vocabs([
        super::vocab_for(o, "channel", Vocab::channel())?,
        super::vocab_for(o, "online_kind", Vocab::online_kind())?,
        super::vocab_for(o, "paid_online", Vocab::flag())?,
        super::vocab_for(o, "digitised", Vocab::flag())?,
    ]);
    progress(&crate::tr!(
        "lượt 1/2: tìm mã hồ sơ trùng",
        "pass 1/2: looking for duplicate dossier ids"
    ));
    let (dups, total) = duplicate_hashes(o, &layouts)?;
    progress(&crate::tr!(
        "xong lượt 1/2 trong {:.1} giây: {} mã băm hồ sơ xuất hiện hơn một lần",
        "pass 1/2 done in {:.1} s: {} id hash(es) seen more than once",
        t0.elapsed().as_secs_f64(),
        dups.len()
    ));
    let t1 = std::time::Instant::now();
    progress(&crate::tr!(
        "lượt 2/2: phân loại hồ sơ và đếm theo đơn vị",
        "pass 2/2: classifying records and counting per unit"
    ));
    super::RECORDS_TOTAL.store(total, Relaxed);
    super::RECORDS_DONE.store(0, Relaxed);
    super::COUNTING.store(true, Relaxed);
    let states = tally(o, &layouts, &vocabs, &dups, None)?;
    super::COUNTING.store(false, Relaxed);

    // Merge the threads: sums by unit code, the earliest bad record per reason, candidates.
    let mut sums: HashMap<Vec<u8>, Sums> = HashMap::new();
    let mut first_bad: [Option<At>; 7] = [None; 7];
    let mut candidates: HashMap<u64, Candidate> = HashMap::new();
    let mut block_len: HashMap<(u32, u32), u32> = HashMap::new();
    for (t, _) in states {
        for (code, s) in t.sums {
            add(sums.entry(code.into_vec()).or_insert([0; SUMS]), &s);
        }
        for (slot, at) in first_bad.iter_mut().zip(t.first_bad) {
            if let Some(at) = at {
                if slot.is_none_or(|old| at < old) {
                    *slot = Some(at);
                }
            }
        }
        for (h, c) in t.candidates {
            match candidates.get_mut(&h) {
                None => {
                    candidates.insert(h, c);
                }
                Some(old) => {
                    if old.id.is_some() && old.id != c.id {
                        old.id = None;
                    }
                    old.first = old.first.min(c.first);
                }
            }
        }
        block_len.extend(t.blocks);
    }
    // The first real duplicate: the earliest record of a hash whose records all share one id.
    let mut first_dup: Option<(At, Box<[u8]>)> = None;
    let mut mixed: HashSet<u64, Fixed> = HashSet::with_hasher(Fixed::with_seed(SEED));
    for (h, c) in candidates {
        match c.id {
            Some(id) => {
                if first_dup.as_ref().is_none_or(|(at, _)| c.first < *at) {
                    first_dup = Some((c.first, id));
                }
            }
            None => {
                mixed.insert(h);
            }
        }
    }
    // Pass 3, only when different ids share a hash: those records, checked by their real ids.
    if !mixed.is_empty() {
        let kept: Vec<Owned> = tally(o, &layouts, &vocabs, &dups, Some(&mixed))?
            .into_iter()
            .flat_map(|(_, k)| k)
            .collect();
        let mut n_of: HashMap<&[u8], usize> = HashMap::new();
        for k in &kept {
            *n_of.entry(&k.id).or_default() += 1;
        }
        for k in &kept {
            if n_of[&*k.id] > 1 {
                if first_dup.as_ref().is_none_or(|(at, _)| k.at < *at) {
                    first_dup = Some((k.at, k.id.clone()));
                }
                continue;
            }
            // Counted as a duplicate in pass 2: count it as what it really is.
            let s = sums.entry(k.unit.clone()).or_insert([0; SUMS]);
            sub(s, &contribution(&k.rec, true, o).0);
            let (real, reason, scope_bad) = contribution(&k.rec, false, o);
            add(s, &real);
            if scope_bad {
                let slot = &mut first_bad[reason - 1];
                if slot.is_none_or(|old| k.at < old) {
                    *slot = Some(k.at);
                }
            }
        }
    }
    progress(&crate::tr!(
        "xong lượt 2/2 trong {:.1} giây",
        "pass 2/2 done in {:.1} s",
        t1.elapsed().as_secs_f64()
    ));

    // Rows as a spreadsheet shows them: the header is row 1 and blocks follow in file order.
    let mut order: Vec<((u32, u32), u32)> = block_len.into_iter().collect();
    order.sort_unstable();
    let mut start: HashMap<(u32, u32), u64> = HashMap::new();
    let mut file = u32::MAX;
    let mut row = 0u64;
    for ((f, b), n) in order {
        if f != file {
            file = f;
            row = 2;
        }
        start.insert((f, b), row);
        row += u64::from(n);
    }
    let example = |at: At, id: String| BadExample {
        file: o.files[at.0 as usize].display().to_string(),
        row: start.get(&(at.0, at.1)).copied().unwrap_or(2) + u64::from(at.2),
        dossier_id: id,
    };
    let mut d = Derived::default();
    let mut units = Vec::new();
    for (code, s) in sums {
        d.rows_read += s[ROWS];
        d.in_period += s[IN_PERIOD];
        for k in 0..REASONS.len() {
            d.bad[k] += s[BAD0 + k];
        }
        if code.is_empty() || s[RECEIVED] == 0 {
            continue;
        }
        let c = Counts {
            received: s[RECEIVED],
            resolved: s[RESOLVED],
            resolved_on_time: s[ON_TIME],
            resolved_late: s[RESOLVED] - s[ON_TIME],
            pending: s[RECEIVED] - s[RESOLVED],
            pending_overdue: s[OVERDUE],
            online: s[ONLINE],
            full_online: s[FULL],
            paid_online: s[PAID],
            fee_known: s[FEE_KNOWN],
            digitised: s[DIGITISED],
        };
        units.push((String::from_utf8_lossy(&code).into_owned(), c));
    }
    units.sort_by(|a, b| a.0.cmp(&b.0));
    d.units = units;
    for (slot, at) in d.first_bad.iter_mut().zip(first_bad).skip(1) {
        *slot = at.map(|at| example(at, String::new()));
    }
    if let (Some((at, id)), true) = (first_dup, d.bad[0] > 0) {
        d.first_bad[0] = Some(example(at, String::from_utf8_lossy(&id).into_owned()));
    }
    Ok(d)
}
