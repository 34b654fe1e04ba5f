//! The draws of the replications: how each uncertain cell moves (`Noise`) and its values for a
//! block of replications, one generator each — binomial shares by inverse CDF from tables of
//! the exact distribution (built once per cell with a guide to where each draw's search starts;
//! a normal guess for the tails), normal margins, uniform and triangular ranges — the common ones
//! without a branch the processor would mispredict.

use rand::Rng;
use rand_distr::{Distribution, Normal};

use super::stream::Stream;
use super::BLOCK;

/// How one bound cell moves; distributions are built once, when the cell is planned.
#[derive(Debug, Clone, Copy)]
pub(super) enum Noise {
    /// Drawn by inverse CDF, one uniform a draw ([`from_uniforms`]).
    Inverse(Inverse),
    /// Normal around the value (percentage points), clipped to [0, 100].
    Margin(Normal<f64>),
    /// Uniform within ± range, clipped to [0, max].
    Uniform(f64, f64),
    /// Nothing to draw (a zero range or margin).
    Fixed,
}

/// The cells drawn by inverse CDF, each draw its generator's next `random::<f64>()` transformed:
/// a replication's uniforms for a member's cells can be taken at once (`Stream::uniforms`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Inverse {
    /// A share (percent) from n respondents: inverse-CDF sampling from a table of the exact
    /// binomial distribution, built once (in `Plan1::cdf`).
    Binomial(Binomial),
    /// Symmetric triangular within ± range (mode 0), clipped to [0, max].
    Triangular(f64, f64),
}

/// The most respondents a share is drawn for from a table of the exact binomial distribution;
/// above, the table would be large and the normal approximation is exact to far below a
/// rounding step.
const TABLE_MAX: u64 = 10_000;

impl Noise {
    /// How a survey share `x` (percent) from `n` respondents moves: binomial by its table (appended
    /// to `tables`) up to [`TABLE_MAX`] respondents, normal above; `None` when no distribution can
    /// be made of it.
    pub(super) fn sampled_share(x: f64, n: u64, tables: &mut Tables) -> Option<Noise> {
        let p = (x / 100.0).clamp(0.0, 1.0);
        if n <= TABLE_MAX {
            return Some(Noise::Inverse(Inverse::Binomial(Binomial::new(
                n, p, tables,
            ))));
        }
        let sd = (p * (1.0 - p) / n as f64).sqrt() * 100.0;
        if sd > 0.0 {
            Normal::new(x, sd).ok().map(Noise::Margin)
        } else {
            Some(Noise::Fixed)
        }
    }
}

/// Append the cumulative distribution of Binomial(n, p) (n + 1 values, the last exactly 1).
fn binomial_cdf(n: u64, p: f64, out: &mut Vec<f64>) {
    // The probability mass by the recurrence P(k+1) = P(k) (n−k)/(k+1) p/(1−p), from the
    // log of P(0) (or the degenerate cases).
    if p <= 0.0 || p >= 1.0 {
        let k0 = if p >= 1.0 { n } else { 0 };
        out.extend((0..=n).map(|k| if k >= k0 { 1.0 } else { 0.0 }));
        return;
    }
    let mut logs = Vec::with_capacity(n as usize + 1);
    let (ln_p, ln_q) = (p.ln(), (1.0 - p).ln());
    let mut l = n as f64 * ln_q;
    logs.push(l);
    // The logs of whole numbers from a table (the same values: a national run builds 10,000
    // tables of a few hundred entries, and these two logs were most of that time).
    let ln = ln_whole();
    for k in 0..n {
        l += ln[(n - k) as usize] - ln[(k + 1) as usize] + ln_p - ln_q;
        logs.push(l);
    }
    let mut acc = 0.0;
    let start = out.len();
    for l in logs {
        acc += l.exp();
        out.push(acc);
    }
    // Normalise away the rounding so the last value is exactly 1.
    let total = out[out.len() - 1];
    for c in &mut out[start..] {
        *c /= total;
    }
}

/// `ln(i)` for whole i up to [`TABLE_MAX`], computed once.
fn ln_whole() -> &'static [f64] {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| (0..=TABLE_MAX).map(|i| (i as f64).ln()).collect())
}

/// Entries of a binomial table compared at once: from the guide's entry, or around the guess.
const WINDOW: usize = 8;

/// Buckets of u in a binomial cell's guide (see [`Tables`]).
const GUIDE: usize = 64;

/// The binomial cells' tables, back to back: each cell's cumulative distribution (padded, see
/// [`Binomial`]) and its guide — for each of [`GUIDE`] equal buckets of u, the smallest k whose
/// cumulative probability reaches the bucket's start, where the search for a u in the bucket
/// begins (the answer is at or after it; Chen and Asau's guide table).
#[derive(Debug, Default)]
pub(super) struct Tables {
    cdf: Vec<f64>,
    guides: Vec<u16>,
}

// A guide's entries are indices up to TABLE_MAX.
const _: () = assert!(TABLE_MAX <= u16::MAX as u64);

/// One cell's binomial draw: the share k/n of Binomial(n, p), by inverse CDF from its table.
#[derive(Debug, Clone, Copy)]
pub(super) struct Binomial {
    /// Where its table starts in `Tables::cdf`; the table has `last + 1` values and `WINDOW`
    /// values of 1 after them, so a window starting at any index is inside it.
    start: usize,
    /// Where its guide starts in `Tables::guides` ([`GUIDE`] entries).
    guide: usize,
    last: usize,
    n: f64,
    /// The normal approximation with a skewness term (Cornish–Fisher): the guess for the draws
    /// the guide does not answer (and where the table is prefetched).
    mean: f64,
    sd: f64,
    skew: f64,
}

impl Binomial {
    /// Append the padded table of Binomial(n, p) and its guide to `tables`; n is at most
    /// [`TABLE_MAX`].
    fn new(n: u64, p: f64, tables: &mut Tables) -> Binomial {
        let start = tables.cdf.len();
        binomial_cdf(n, p, &mut tables.cdf);
        let guide = tables.guides.len();
        // Bucket b starts at u = b / GUIDE (exact: a power of two), its entry the smallest k
        // with cdf[k] ≥ that (found walking up the table once; cdf[n] is exactly 1).
        let cdf = &tables.cdf[start..];
        let mut k = 0;
        for b in 0..GUIDE {
            let from = b as f64 / GUIDE as f64;
            while k < n as usize && cdf[k] < from {
                k += 1;
            }
            tables.guides.push(k as u16);
        }
        tables.cdf.extend([1.0; WINDOW]);
        let nf = n as f64;
        Binomial {
            start,
            guide,
            last: n as usize,
            n: nf,
            mean: nf * p,
            sd: (nf * p * (1.0 - p)).max(0.0).sqrt(),
            skew: (1.0 - 2.0 * p) / 6.0,
        }
    }

    /// Ask the processor to bring the part of this cell's table most draws read (the mean ± 3
    /// standard deviations) and its guide into the cache, while it is busy with the cell before.
    pub(super) fn prefetch(&self, tables: &Tables) {
        let guide = self.guide(tables);
        // One address per cache line (32 entries).
        for at in (0..GUIDE).step_by(32) {
            crate::support::prefetch::read(&guide[at]);
        }
        let table = self.table(tables);
        let lo = ((self.mean - 3.0 * self.sd).max(0.0) as usize).min(self.last);
        let hi = ((self.mean + 3.0 * self.sd + 1.0) as usize).min(self.last) + WINDOW;
        // One address per cache line (8 values), at most 8 lines.
        for at in (lo..hi.min(lo + 64)).step_by(8) {
            crate::support::prefetch::read(&table[at]);
        }
    }

    /// This cell's table, padding included.
    fn table<'t>(&self, tables: &'t Tables) -> &'t [f64] {
        &tables.cdf[self.start..self.start + self.last + 1 + WINDOW]
    }

    /// This cell's guide.
    fn guide<'t>(&self, tables: &'t Tables) -> &'t [u16; GUIDE] {
        tables.guides[self.guide..]
            .first_chunk()
            .expect("a guide has GUIDE entries")
    }

    /// The share (percent) drawn by `u`, one draw at a time (`draw_cell` does a block in steps).
    #[cfg(test)]
    fn draw(&self, tables: &Tables, u: f64) -> f64 {
        self.share(self.search(self.table(tables), self.guide(tables), u) as i32)
    }

    /// The smallest k ≤ `last` with `cdf[k] ≥ u` (`last` if none), as a binary search over the
    /// table gives it: from the guide's entry for u's bucket, the answer is among the `WINDOW`
    /// values there whenever the last of them reaches u (nearly every draw: a bucket spans
    /// fewer outcomes than that but in the tails or for thousands of respondents), found by
    /// [`window_count`]; otherwise from the normal approximation's guess ([`inverse_cdf`]).
    /// No look-up of the value before the window (u ≥ the bucket's start > the one before
    /// the guide's entry) and no guess to compute: half the work of a draw from the guess.
    #[inline(always)]
    fn search(&self, table: &[f64], guide: &[u16; GUIDE], u: f64) -> usize {
        // `as` saturates and 0 ≤ u < 1: the bucket is in range (the `clamp` only proves it).
        let bucket = ((u * GUIDE as f64) as i64).clamp(0, GUIDE as i64 - 1) as usize;
        let a = usize::from(guide[bucket]);
        if let Some(w) = table
            .get(a..a + WINDOW)
            .and_then(|w| <&[f64; WINDOW]>::try_from(w).ok())
        {
            if w[WINDOW - 1] >= u {
                return (a + window_count(w, u)).min(self.last);
            }
        }
        inverse_cdf(table, self.last, u, self.guess(normal_quantiles(), u))
    }

    /// Where the search for `u` starts: the normal approximation's quantile, with the skewness.
    fn guess(&self, zs: &[f32; QUANTILES], u: f64) -> f64 {
        // `as` saturates and 0 ≤ u < 1: the bucket is in range (the `clamp` only proves it).
        // Through `i64`: a saturating conversion to `usize` is several times the instructions.
        let bucket = ((u * QUANTILES as f64) as i64).clamp(0, QUANTILES as i64 - 1);
        let z = f64::from(zs[bucket as usize]);
        // Only a starting point (the search finds the exact index): `+ 0.5` then truncation
        // rounds it without a call to libm's `round`.
        self.mean + self.sd * z + self.skew * (z * z - 1.0) + 0.5
    }

    /// The share k/n in percent (k ≤ [`TABLE_MAX`] fits an `i32`).
    fn share(&self, k: i32) -> f64 {
        f64::from(k) / self.n * 100.0
    }
}

/// Buckets of u in the table of normal quantiles the binomial draws guess from.
const QUANTILES: usize = 1024;

/// The standard normal quantile at the middle of each of `QUANTILES` equal buckets of u: a
/// guess for [`inverse_cdf`] at the cost of one load (computing it was a third of a draw), from a
/// table small enough (4 KB) to stay in the nearest cache. Off by less than 0.03 of a standard
/// deviation for u between 0.006 and 0.994 and 0.11 at 0.0013 or 0.9987, where nearly every draw
/// falls; further out the search steps to the answer.
fn normal_quantiles() -> &'static [f32; QUANTILES] {
    static TABLE: std::sync::OnceLock<Box<[f32; QUANTILES]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0.0; QUANTILES]);
        for (i, z) in t.iter_mut().enumerate() {
            *z = inverse_normal((i as f64 + 0.5) / QUANTILES as f64) as f32;
        }
        t
    })
}

/// The smallest k ≤ `last` with `cdf[k] ≥ u` (`last` if none), as a binary search over the
/// table gives it, found from a first guess. `cdf` holds `WINDOW` padding values of 1 after
/// `last`. The tables of a national run (three surveys × 3,321 units × a few hundred values) are
/// 20 MB: a binary search's chain of dependent loads missed the cache at each step, and stepping
/// from the guess one comparison at a time mispredicted a branch at nearly every draw. The
/// guess is within a step or two: when the answer is among the `WINDOW` values around it (cdf
/// below u before the window, at or above u at its end), it is the window's start plus the count
/// of values below u, found in three branch-free comparisons. Otherwise it steps from the guess.
/// Same result for every u, so the same draws.
pub(super) fn inverse_cdf(cdf: &[f64], last: usize, u: f64, guess: f64) -> usize {
    // `as` saturates: −∞ and NaN give 0, +∞ the last index (through `i64`, a few instructions;
    // `usize` was a dozen).
    let g = (guess as i64).clamp(0, last as i64) as usize;
    let a = g.saturating_sub(WINDOW / 2 - 1);
    if let Some(w) = cdf
        .get(a..a + WINDOW)
        .and_then(|w| <&[f64; WINDOW]>::try_from(w).ok())
    {
        let below = a == 0 || cdf[a - 1] < u;
        if below && w[WINDOW - 1] >= u {
            return (a + window_count(w, u)).min(last);
        }
    }
    let mut k = g;
    while k > 0 && cdf[k - 1] >= u {
        k -= 1;
    }
    while k < last && cdf[k] < u {
        k += 1;
    }
    k
}

/// How many of a window's values (ascending, the last at least u) are below u — the answer's
/// place in it: found bit by bit, three comparisons and no branch.
#[inline(always)]
fn window_count(w: &[f64; WINDOW], u: f64) -> usize {
    let mut c = 4 * usize::from(w[3] < u);
    c += 2 * usize::from(w[c + 1] < u);
    c + usize::from(w[c] < u)
}

/// The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9),
/// for [`normal_quantiles`].
fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - 0.02425 {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else if p < 1.0 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        f64::INFINITY
    }
}

/// A symmetric triangular draw on [−r, r] around `x` by inverse CDF, clipped to [0, max], to the
/// same bits as `−r + r√(2u)` below u = ½ and `r − r√(2(1 − u))` above. Without a branch (u is
/// below ½ half the time: a branch was mispredicted at every other draw), so a cell's draws
/// are computed two at a time: `min(u, 1 − u)` is `u` exactly below ½ and `1 − u` above, and
/// the difference's operands are chosen by a bit mask.
fn triangular(x: f64, r: f64, max: f64, u: f64) -> f64 {
    let s = r * (2.0 * u.min(1.0 - u)).sqrt();
    let lower = u < 0.5;
    let d = pick(lower, s, r) - pick(lower, r, s);
    (x + d).clamp(0.0, max)
}

/// `a` if `cond`, else `b`, by a bit mask: no branch for the processor to mispredict.
pub(super) fn pick(cond: bool, a: f64, b: f64) -> f64 {
    let mask = 0u64.wrapping_sub(u64::from(cond));
    f64::from_bits((a.to_bits() & mask) | (b.to_bits() & !mask))
}

/// A noisy cell's value (`Plan1::noisy`: cell, nominal value, noise) in each replication of a
/// block, one generator each, into `out`; `tables` holds the binomial tables (`Plan1::tables`).
/// Each generator draws its cells in the order of `Plan1::noisy`, then its weight factors, file
/// after file — whatever the block size, the same draws.
pub(super) fn draw_cell(
    cell: &(usize, f64, Noise),
    tables: &Tables,
    rngs: &mut [Stream],
    out: &mut [f64],
) {
    let &(_, x, noise) = cell;
    let pairs = out.iter_mut().zip(rngs.iter_mut());
    // The kind is decided once per cell, not once per draw.
    match noise {
        Noise::Inverse(inverse) => {
            pairs.for_each(|(o, rng)| *o = rng.random());
            from_uniforms(x, inverse, tables, out);
        }
        Noise::Margin(d) => pairs.for_each(|(o, rng)| *o = d.sample(rng).clamp(0.0, 100.0)),
        Noise::Uniform(r, max) => {
            pairs.for_each(|(o, rng)| *o = (x + rng.random_range(-r..=r)).clamp(0.0, max));
        }
        Noise::Fixed => pairs.for_each(|(o, _)| *o = x),
    }
}

/// Turn the uniforms in `out` (one per replication, each its generator's next `random::<f64>()`)
/// into the values of a cell of nominal value `x`, in place.
pub(super) fn from_uniforms(x: f64, inverse: Inverse, tables: &Tables, out: &mut [f64]) {
    match inverse {
        Inverse::Binomial(b) => {
            // In steps over the whole block, each loop short and its iterations independent, so
            // the processor overlaps many draws' table reads: the searches, then the shares (in
            // vector registers: a division each).
            let (table, guide) = (b.table(tables), b.guide(tables));
            let mut ks = [0i32; BLOCK];
            for (k, &u) in ks.iter_mut().zip(out.iter()) {
                *k = b.search(table, guide, u) as i32;
            }
            for (o, &k) in out.iter_mut().zip(&ks) {
                *o = b.share(k);
            }
        }
        Inverse::Triangular(r, max) => {
            // Arithmetic over the uniforms (in vector registers).
            out.iter_mut().for_each(|o| *o = triangular(x, r, max, *o));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{inverse_cdf, triangular, Binomial, Tables, WINDOW};
    use rand::{Rng, SeedableRng};

    /// The search gives what the binary search over the whole table gives, for every kind of u
    /// (the tails, the exact table values, 0, 1) and shares from 0 to 1: from the cell's own
    /// guess (the window, mostly), and from guesses anywhere (the stepping) — and the guess is
    /// good enough that the window answers nearly every draw.
    #[test]
    fn inverse_cdf_is_the_binary_search() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let (mut draws, mut in_window, mut guided) = (0usize, 0usize, 0usize);
        for n in [1u64, 2, 5, 7, 8, 9, 30, 137, 250, 400, 2000] {
            for p in [0.0, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.9, 0.999, 1.0] {
                // Other cells' tables before this one's.
                let mut tables = Tables {
                    cdf: vec![0.5; 3],
                    guides: vec![7; 5],
                };
                let b = Binomial::new(n, p, &mut tables);
                let table = b.table(&tables);
                assert_eq!(table.len(), n as usize + 1 + WINDOW);
                let cdf = &table[..=n as usize];
                let mut us: Vec<f64> = (0..2000).map(|_| rng.random::<f64>()).collect();
                us.extend([0.0, 1e-300, 1e-12, 1.0 - 1e-12, 0.5, 1.0]);
                us.extend(cdf.iter().copied());
                us.extend(cdf.iter().map(|c| c - 1e-15));
                // The guide's bucket edges, and just below them.
                us.extend((0..=super::GUIDE).map(|b| b as f64 / super::GUIDE as f64));
                us.extend((1..=super::GUIDE).map(|b| b as f64 / super::GUIDE as f64 - 1e-17));
                for (i, u) in us.into_iter().enumerate() {
                    let want = cdf.partition_point(|&c| c < u).min(n as usize);
                    assert_eq!(
                        b.draw(&tables, u),
                        want as f64 / n as f64 * 100.0,
                        "n {n} p {p} u {u}"
                    );
                    let g = b.guess(super::normal_quantiles(), u).max(0.0) as usize;
                    // Uniform draws (the first 2,000), as the replications make them.
                    if i < 2000 && n >= 30 && p > 0.0 && p < 1.0 {
                        draws += 1;
                        in_window += usize::from(want + 3 >= g && want <= g + 4);
                        // Answered from the guide's entry, without the guess.
                        let a = usize::from(b.guide(&tables)[(u * super::GUIDE as f64) as usize]);
                        guided += usize::from(table[a + WINDOW - 1] >= u);
                    }
                    for guess in [
                        -5.0,
                        0.0,
                        f64::NAN,
                        f64::INFINITY,
                        rng.random_range(0.0..2.0 * n as f64),
                    ] {
                        assert_eq!(
                            inverse_cdf(table, n as usize, u, guess),
                            want,
                            "n {n} p {p} u {u} guess {guess}"
                        );
                    }
                }
            }
        }
        assert!(
            in_window as f64 > 0.999 * draws as f64,
            "{in_window} of {draws}"
        );
        assert!(guided as f64 > 0.95 * draws as f64, "{guided} of {draws}");
    }

    /// The branch-free triangular draw is the two-branch formula, to the bit.
    #[test]
    fn triangular_is_the_two_halves() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for _ in 0..100_000 {
            let (x, r, max) = (rng.random_range(0.0..3.0), rng.random_range(0.0..1.0), 3.0);
            let u: f64 = match rng.random_range(0..10) {
                0 => [0.0, 0.5, 0.5 - f64::EPSILON / 4.0, 1.0 - f64::EPSILON / 2.0]
                    [rng.random_range(0..4)],
                _ => rng.random(),
            };
            let d = if u < 0.5 {
                -r + r * (2.0 * u).sqrt()
            } else {
                r - r * (2.0 * (1.0 - u)).sqrt()
            };
            assert_eq!(
                triangular(x, r, max, u).to_bits(),
                (x + d).clamp(0.0, max).to_bits()
            );
        }
    }
}
