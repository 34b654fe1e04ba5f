//! `derive`'s own reader: one pass structure for CSV and Parquet, so each record is looked at
//! once per pass and only through its nine used fields.
//!
//! Work is cut into chunks — CSV blocks of about 4 MiB ([`csv`]), Parquet slices along the row
//! groups ([`parquet`]) — that the threads take in turn, each counting into its own tally
//! ([`count`]). Pass 1 hashes the dossier ids; pass 2 classifies and counts, setting aside only
//! records whose id hash was seen twice. Those are checked against their real ids: a hash shared
//! by different ids sends its records through a third, exact pass, so a hash collision never
//! excludes a unique record. Chunks are numbered in file order and the first bad record of each
//! reason is kept as (file, chunk, record in chunk), so the result does not depend on the number
//! of threads. The definitions are those of the reference reader (`super::reference`, polars'
//! lazy engine); a property test runs both on the same files.

mod count;
mod csv;
mod parquet;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Mutex;

use super::vocab::Vocab;
use super::{BadExample, Counts, Derived, Options, REASONS};
use crate::support::error::{Error, Result};
use count::{
    add, coded, contribution, date, sub, trim, At, Candidate, Rec, Sums, Tally, Vocabs, WordCache,
    BAD0, DIGITISED, FEE_KNOWN, FULL, IN_PERIOD, ONLINE, ON_TIME, OVERDUE, PAID, RECEIVED,
    RESOLVED, ROWS, SUMS,
};
use csv::{field, malformed, used, Layout, USED};

type Fixed = foldhash::fast::FixedState;
const SEED: u64 = 0x5041_5249_4e44_4558;

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

/// A reader that gave up (a worker stopped on a damaged file): never a silently missing share.
fn damaged(path: &Path) -> Error {
    Error::data(
        path.display().to_string(),
        crate::tr!("không đọc được: tệp bị hỏng", "cannot read: damaged file"),
    )
}

/// `threads` workers, each with its own state and buffer. Under one lock, `next` fills a worker's
/// buffer with the next piece of work and numbers it (`None`: no more); `work` runs outside the
/// lock. The first stop ends every worker; a worker that dies is an error naming `path`, never a
/// silently missing share.
fn pool<S: Send, B>(
    threads: usize,
    path: &Path,
    init: &(impl Fn() -> S + Sync),
    buffer: impl Fn() -> B + Sync,
    next: impl FnMut(&mut B) -> std::result::Result<Option<u32>, Stop> + Send,
    work: impl Fn(&mut S, u32, &B) -> std::result::Result<(), Stop> + Sync,
) -> std::result::Result<Vec<S>, Stop> {
    let next = Mutex::new(next);
    let failed: Mutex<Option<Stop>> = Mutex::new(None);
    let states = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut st = init();
                    let mut buf = buffer();
                    loop {
                        if failed.lock().map(|f| f.is_some()).unwrap_or(true) {
                            break;
                        }
                        let got = match next.lock() {
                            Ok(mut next) => next(&mut buf),
                            Err(_) => break,
                        };
                        let r = match got {
                            Ok(Some(i)) => work(&mut st, i, &buf),
                            Ok(None) => break,
                            Err(e) => Err(e),
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
        let mut states = Vec::new();
        for h in handles {
            match h.join() {
                Ok(st) => states.push(st),
                Err(_) => {
                    if let Ok(mut f) = failed.lock() {
                        f.get_or_insert(Stop::Fail(damaged(path)));
                    }
                }
            }
        }
        states
    });
    match failed.into_inner().ok().flatten() {
        Some(stop) => Err(stop),
        None => Ok(states),
    }
}

/// How a file is read.
enum Source {
    Csv(Layout),
    Parquet(parquet::Slices),
}

impl Source {
    fn of(path: &Path, o: &Options) -> Result<Source> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        Ok(match ext.as_str() {
            "parquet" | "pq" => Source::Parquet(parquet::slices(path, o)?),
            "csv" | "txt" | "tsv" => Source::Csv(csv::layout(path, o)?),
            _ => {
                return Err(Error::Usage(crate::tr!(
                "{}: tệp hồ sơ phải là .csv hoặc .parquet (lưu bảng tính thành \"CSV UTF-8\")",
                "{}: dossier records must be .csv or .parquet (save a workbook as \"CSV UTF-8\")",
                path.display()
            )))
            }
        })
    }

    /// Row number of a chunk's first record as a user finds it: a spreadsheet's row (the header
    /// is row 1) for CSV, the record number for Parquet.
    fn first_row(&self) -> u64 {
        match self {
            Source::Csv(_) => 2,
            Source::Parquet(_) => 1,
        }
    }
}

/// One chunk of input.
enum Chunk<'a> {
    Csv(&'a [u8], &'a Layout),
    Frame(&'a polars::prelude::DataFrame),
}

/// Run `work` on every chunk of every file with `o.threads` workers, each with its own state.
/// `wanted`: the used fields (by slot) a Parquet slice must decode. CSV blocks are first cut at
/// line breaks; when that fails (a block ending inside a quoted field, or any other stop, which
/// may come from a block after a misplaced cut), the file is done again with cuts that follow
/// the quotes, and that answer stands.
fn chunks_of<S: Send>(
    o: &Options,
    sources: &[Source],
    wanted: &[usize],
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, u32, u32, Chunk) -> std::result::Result<(), Stop> + Sync,
) -> Result<Vec<S>> {
    let mut states = Vec::new();
    for (fi, (path, source)) in o.files.iter().zip(sources).enumerate() {
        let done = match source {
            Source::Csv(layout) => {
                let csv_work = |st: &mut S, f: u32, b: u32, bytes: &[u8], l: &Layout| {
                    work(st, f, b, Chunk::Csv(bytes, l))
                };
                let scanned = super::SCAN_DONE.load(Relaxed);
                let mut done = csv::blocks_of_file(o, fi, layout, false, &init, &csv_work);
                if done.is_err() {
                    // Read again, blocks cut along quotes: the bar counts the file once.
                    super::SCAN_DONE.store(scanned, Relaxed);
                    done = csv::blocks_of_file(o, fi, layout, true, &init, &csv_work);
                }
                done
            }
            Source::Parquet(slices) => {
                let frame_work = |st: &mut S, f: u32, b: u32, df: &polars::prelude::DataFrame| {
                    work(st, f, b, Chunk::Frame(df))
                };
                parquet::frames_of_file(o, fi, slices, wanted, &init, &frame_work)
            }
        };
        match done {
            Ok(d) => states.extend(d),
            Err(Stop::Fail(e)) => return Err(e),
            Err(Stop::Unterminated) => return Err(malformed(o, path)),
        }
    }
    Ok(states)
}

fn id_hash(id: &[u8], mask: u64) -> u64 {
    use std::hash::BuildHasher;
    Fixed::with_seed(SEED).hash_one(id) & mask
}

/// Pass 1: ids hashed, and the hashes seen more than once. Each thread files its hashes into
/// 256 buckets by their top bits; the buckets are then sorted by all threads at once (8 bytes a
/// record in all, where a hash map would need several times that).
fn duplicate_hashes(o: &Options, sources: &[Source]) -> Result<(HashSet<u64, Fixed>, u64)> {
    const BUCKETS: usize = 256;
    // The bucket comes from bits the mask keeps, so narrowed hashes still spread.
    let shift = (64 - o.hash_mask.leading_zeros()).saturating_sub(8);
    let bucket = move |h: u64| ((h >> shift) as usize) & (BUCKETS - 1);
    let per_thread = chunks_of(
        o,
        sources,
        &[0],
        || vec![Vec::<u64>::new(); BUCKETS],
        |hs, fi, _, chunk| {
            let path = &o.files[fi as usize];
            let mut put = |id: &[u8]| {
                let h = id_hash(id, o.hash_mask);
                hs[bucket(h)].push(h);
            };
            match chunk {
                Chunk::Csv(b, l) => {
                    super::SCAN_DONE.fetch_add(b.len() as u64, Relaxed);
                    csv::each_id(o, path, b, l, put)
                }
                Chunk::Frame(df) => {
                    let name = df.get_column_names()[0].to_string();
                    for id in parquet::text(df, &name, path)?.iter() {
                        put(id.unwrap_or("").as_bytes());
                    }
                    Ok(())
                }
            }
        },
    )?;
    let total: u64 = per_thread.iter().flatten().map(|v| v.len() as u64).sum();
    let per_thread = Mutex::new(per_thread);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found: Vec<Option<Vec<u64>>> = std::thread::scope(|s| {
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
        workers.into_iter().map(|w| w.join().ok()).collect()
    });
    let mut dups: HashSet<u64, Fixed> = HashSet::with_hasher(Fixed::with_seed(SEED));
    for f in found {
        // A sorting thread that died would leave duplicates unfound: stop instead.
        let f = f.ok_or_else(|| Error::Other("derive: a sorting thread stopped".into()))?;
        dups.extend(f);
    }
    Ok((dups, total))
}

/// What pass 2 (or pass 3) does with each record.
struct Pass<'a> {
    o: &'a Options,
    vocabs: &'a Vocabs,
    dups: &'a HashSet<u64, Fixed>,
    /// Pass 3: only records with these hashes, kept whole.
    only: Option<&'a HashSet<u64, Fixed>>,
}

/// A thread's state in pass 2 and 3.
type PassState = (Tally, Vec<Owned>, [WordCache; 4]);

impl Pass<'_> {
    /// One record: its id, unit code (trimmed), received, due and finished dates, and the raw
    /// words of channel, online kind, paid online and digitised.
    fn visit(
        &self,
        (t, kept, cache): &mut PassState,
        id: &[u8],
        unit: &[u8],
        [recv, due, fin]: [Option<i32>; 3],
        words: [&[u8]; 4],
        at: At,
    ) {
        let o = self.o;
        let h = (!self.dups.is_empty()).then(|| id_hash(id, o.hash_mask));
        let candidate = h.is_some_and(|h| self.dups.contains(&h));
        if let Some(only) = self.only {
            if !h.is_some_and(|h| only.contains(&h)) {
                return;
            }
        }
        let [ch, kind, paid, dig] =
            [0, 1, 2, 3].map(|k| coded(&self.vocabs.0[k], &mut cache[k], words[k]));
        let rec = Rec {
            recv,
            due,
            fin,
            ch,
            kind,
            paid,
            dig,
            unit_empty: unit.is_empty(),
        };
        if self.only.is_some() {
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
        if let (true, Some(h)) = (candidate, h) {
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
    }

    /// Every record of a CSV block; returns the rows the block spans.
    fn csv(
        &self,
        st: &mut PassState,
        fi: u32,
        bi: u32,
        b: &[u8],
        l: &Layout,
    ) -> std::result::Result<u32, Stop> {
        let path = &self.o.files[fi as usize];
        let (mut s_id, mut s_unit) = (Vec::new(), Vec::new());
        let mut s = [
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ];
        csv::each_record(self.o, path, b, l, |ri, fields| {
            let u = used(l, fields);
            let id = field(b, u[0], &mut s_id);
            let unit = trim(field(b, u[1], &mut s_unit));
            let [s2, s3, s4, s5, s6, s7, s8] = &mut s;
            let dates = [
                date(field(b, u[2], s2)),
                date(field(b, u[3], s3)),
                date(field(b, u[4], s4)),
            ];
            let words = [
                field(b, u[5], s5),
                field(b, u[6], s6),
                field(b, u[7], s7),
                field(b, u[8], s8),
            ];
            self.visit(st, id, unit, dates, words, (fi, bi, ri));
        })
    }

    /// Every record of a Parquet slice; returns its records.
    fn frame(
        &self,
        st: &mut PassState,
        fi: u32,
        bi: u32,
        df: &polars::prelude::DataFrame,
    ) -> Result<u32> {
        let path = &self.o.files[fi as usize];
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let text = |k: usize| parquet::text(df, &names[k], path);
        let (ids, units) = (text(0)?, text(1)?);
        let (recv, due, fin) = (
            parquet::days(df, &names[2], path)?,
            parquet::days(df, &names[3], path)?,
            parquet::days(df, &names[4], path)?,
        );
        let words = [text(5)?, text(6)?, text(7)?, text(8)?];
        let mut iters = words.each_ref().map(|w| w.iter());
        for (ri, (id, unit)) in ids.iter().zip(units.iter()).enumerate() {
            let w = iters
                .each_mut()
                .map(|it| it.next().flatten().unwrap_or("").as_bytes());
            let unit = trim(unit.unwrap_or("").as_bytes());
            self.visit(
                st,
                id.unwrap_or("").as_bytes(),
                unit,
                [recv[ri], due[ri], fin[ri]],
                w,
                (fi, bi, ri as u32),
            );
        }
        Ok(df.height() as u32)
    }
}

/// Pass 2 (and pass 3 with `only`): parse, classify and count. Records whose hash is in `dups`
/// are counted as duplicates and noted as candidates; with `only`, just those records are kept,
/// as owned copies, for the exact check.
fn tally(
    o: &Options,
    sources: &[Source],
    vocabs: &Vocabs,
    dups: &HashSet<u64, Fixed>,
    only: Option<&HashSet<u64, Fixed>>,
) -> Result<Vec<(Tally, Vec<Owned>)>> {
    let pass = Pass {
        o,
        vocabs,
        dups,
        only,
    };
    let states = chunks_of(
        o,
        sources,
        &[0, 1, 2, 3, 4, 5, 6, 7, 8],
        || -> PassState { Default::default() },
        |st, fi, bi, chunk| {
            let n = match chunk {
                Chunk::Csv(b, l) => pass.csv(st, fi, bi, b, l)?,
                Chunk::Frame(df) => pass.frame(st, fi, bi, df)?,
            };
            st.0.blocks.push(((fi, bi), n));
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

/// Both passes (and the exact third when two ids share a hash) over CSV and Parquet files.
pub fn run(o: &Options, progress: &mut dyn FnMut(&str)) -> Result<Derived> {
    let t0 = std::time::Instant::now();
    let sources = o
        .files
        .iter()
        .map(|p| Source::of(p, o))
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
    // The terminal's bar for pass 1 counts the CSV files' bytes.
    let csv_bytes: u64 = (o.files.iter().zip(&sources))
        .filter(|(_, s)| matches!(s, Source::Csv(_)))
        .filter_map(|(p, _)| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    super::SCAN_DONE.store(0, Relaxed);
    super::SCAN_TOTAL.store(csv_bytes, Relaxed);
    let pass1 = duplicate_hashes(o, &sources);
    super::SCAN_TOTAL.store(0, Relaxed);
    let (dups, total) = pass1?;
    progress(&crate::tr!(
        "xong lượt 1/2 trong {}: {} mã băm hồ sơ xuất hiện hơn một lần",
        "pass 1/2 done in {}: {} id hash(es) seen more than once",
        crate::support::numfmt::seconds(t0.elapsed().as_secs_f64()),
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
    let states = tally(o, &sources, &vocabs, &dups, None)?;
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
        let kept: Vec<Owned> = tally(o, &sources, &vocabs, &dups, Some(&mixed))?
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
        "xong lượt 2/2 trong {}",
        "pass 2/2 done in {}",
        crate::support::numfmt::seconds(t1.elapsed().as_secs_f64())
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
            row = sources[f as usize].first_row();
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
