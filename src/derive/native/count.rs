//! The definitions, record by record: a record's fields as the definitions see them ([`Rec`]),
//! its reason and its contribution to its unit's sums (the same rules as the polars path's
//! `classify` and `aggregate`), the per-thread tallies, and the word caches.

use std::collections::HashMap;

use super::super::vocab::{self, Vocab};
use super::super::{Options, BAD_DATE, REASONS};
use super::Fixed;
use crate::support::calendar as dates;

/// The vocabularies of the four coded fields.
pub(super) struct Vocabs(pub(super) [Vocab; 4]);

/// One record's parsed fields (dates as days; `None` empty, `Some(BAD_DATE)` unreadable).
#[derive(Clone, Copy)]
pub(super) struct Rec {
    pub(super) recv: Option<i32>,
    pub(super) due: Option<i32>,
    pub(super) fin: Option<i32>,
    pub(super) ch: u8,
    pub(super) kind: u8,
    pub(super) paid: u8,
    pub(super) dig: u8,
    pub(super) unit_empty: bool,
}

/// Per-unit sums: rows, in_period, the nine aggregated counts, then the seven reasons.
pub(super) const ROWS: usize = 0;
pub(super) const IN_PERIOD: usize = 1;
pub(super) const RECEIVED: usize = 2;
pub(super) const RESOLVED: usize = 3;
pub(super) const ON_TIME: usize = 4;
pub(super) const OVERDUE: usize = 5;
pub(super) const ONLINE: usize = 6;
pub(super) const FULL: usize = 7;
pub(super) const PAID: usize = 8;
pub(super) const FEE_KNOWN: usize = 9;
pub(super) const DIGITISED: usize = 10;
pub(super) const BAD0: usize = 11;
pub(super) const SUMS: usize = BAD0 + REASONS.len();
pub(super) type Sums = [u64; SUMS];

/// Position of a record in file order: (file, block, record within block).
pub(super) type At = (u32, u32, u32);

/// What pass 2 knows of one id hash seen more than once.
pub(super) struct Candidate {
    /// The id, while every record with this hash has had the same one; `None` once two differ.
    pub(super) id: Option<Box<[u8]>>,
    pub(super) first: At,
}

/// Thread-local state of pass 2.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) units: HashMap<Box<[u8]>, usize, Fixed>,
    pub(super) sums: Vec<(Box<[u8]>, Sums)>,
    pub(super) first_bad: [Option<At>; 7],
    pub(super) candidates: HashMap<u64, Candidate, Fixed>,
    /// Records per block, by (file, block).
    pub(super) blocks: Vec<((u32, u32), u32)>,
}

impl Tally {
    pub(super) fn unit(&mut self, code: &[u8]) -> usize {
        if let Some(&i) = self.units.get(code) {
            return i;
        }
        let i = self.sums.len();
        self.sums.push((code.into(), [0; SUMS]));
        self.units.insert(code.into(), i);
        i
    }

    pub(super) fn note_first(&mut self, reason: usize, at: At) {
        let slot = &mut self.first_bad[reason - 1];
        if slot.is_none_or(|old| at < old) {
            *slot = Some(at);
        }
    }
}

pub(super) fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// A cache of the raw words a column has shown (a handful): each with its first eight bytes
/// packed in a number, so most comparisons are one integer comparison.
pub(super) type WordCache = Vec<(u64, usize, Box<[u8]>, u8)>;

pub(super) fn pack(raw: &[u8]) -> u64 {
    let mut k = 0u64;
    for (i, &c) in raw.iter().take(8).enumerate() {
        k |= u64::from(c) << (8 * i);
    }
    k
}

/// A vocabulary word's code, through the column's cache.
pub(super) fn coded(v: &Vocab, cache: &mut WordCache, raw: &[u8]) -> u8 {
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

pub(super) fn date(raw: &[u8]) -> Option<i32> {
    let t = trim(raw);
    if t.is_empty() {
        return None;
    }
    Some(dates::parse_bytes(t).unwrap_or(BAD_DATE))
}

/// Reason (0 = good), in period, counted as bad in scope: the polars path's `classify`.
pub(super) fn classify(r: &Rec, dup: bool, o: &Options) -> (usize, bool, bool) {
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
pub(super) fn contribution(r: &Rec, dup: bool, o: &Options) -> (Sums, usize, bool) {
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

pub(super) fn add(to: &mut Sums, s: &Sums) {
    for (a, b) in to.iter_mut().zip(s) {
        *a += b;
    }
}

pub(super) fn sub(to: &mut Sums, s: &Sums) {
    for (a, b) in to.iter_mut().zip(s) {
        *a -= b;
    }
}
