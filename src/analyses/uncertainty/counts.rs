//! The replications' tallies for one criteria file: per member, how often it reached each rank and
//! each grade. A unit's ranks spread over a few hundred places at most, so its rank counts are
//! kept in a window of ranks that widens when a rank lands outside it (a dense histogram per
//! unit of a 3,321-unit group was 44 MB per thread, and each replication's increments missed the
//! cache); the grade counts are one flat table. Counts are integers, summed over threads, so the
//! figures are the same whatever the number of threads.

/// One unit's rank counts: `counts[i]` replications at rank `lo + i`.
#[derive(Debug, Clone, Default)]
pub(super) struct RankCounts {
    lo: usize,
    counts: Vec<u32>,
}

impl RankCounts {
    /// Count one replication at rank `r`.
    #[inline]
    pub(super) fn add(&mut self, r: usize) {
        self.add_n(r, 1);
    }

    /// Count `c` replications at rank `r`.
    #[inline]
    fn add_n(&mut self, r: usize, c: u32) {
        match r.checked_sub(self.lo) {
            Some(i) if i < self.counts.len() => self.counts[i] += c,
            _ => self.widen_and_add(r, c),
        }
    }

    /// Count `c` replications at rank `r` outside the window, widening it with room to spare on
    /// the side it grew (so a unit settles after a few widenings).
    #[cold]
    fn widen_and_add(&mut self, r: usize, c: u32) {
        let slack = (self.counts.len() / 2).max(32);
        if self.counts.is_empty() {
            self.lo = r.saturating_sub(slack);
            self.counts = vec![0; r - self.lo + 1 + slack];
        } else if r < self.lo {
            let lo = r.saturating_sub(slack);
            let mut counts = vec![0; self.lo - lo];
            counts.extend_from_slice(&self.counts);
            (self.lo, self.counts) = (lo, counts);
        } else if r >= self.lo + self.counts.len() {
            self.counts.resize(r - self.lo + 1 + slack, 0);
        }
        self.counts[r - self.lo] += c;
    }

    /// Add another thread's counts.
    pub(super) fn merge(&mut self, other: &RankCounts) {
        for (i, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                self.add_n(other.lo + i, c);
            }
        }
    }

    /// Replications at rank `r`.
    pub(super) fn at(&self, r: usize) -> u32 {
        r.checked_sub(self.lo)
            .and_then(|i| self.counts.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// The smallest rank reached by at least `target` replications counted from the top, if
    /// the counts reach it.
    pub(super) fn quantile(&self, target: u64) -> Option<usize> {
        let mut acc = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            acc += u64::from(c);
            if acc >= target {
                return Some(self.lo + i);
            }
        }
        None
    }
}

/// The tallies of one criteria file's members.
#[derive(Debug, Clone)]
pub(super) struct Counts {
    pub(super) ranks: Vec<RankCounts>,
    /// `grades[member * bands + grade]`.
    pub(super) grades: Vec<u32>,
    pub(super) bands: usize,
}

impl Counts {
    pub(super) fn new(members: usize, bands: usize) -> Counts {
        Counts {
            ranks: vec![RankCounts::default(); members],
            grades: vec![0; members * bands],
            bands,
        }
    }

    /// Count `times` replications of `member` at `grade`.
    #[inline]
    pub(super) fn add_grades(&mut self, member: usize, grade: usize, times: u32) {
        self.grades[member * self.bands + grade] += times;
    }

    /// One member's grade counts, band by band.
    pub(super) fn grades_of(&self, member: usize) -> &[u32] {
        &self.grades[member * self.bands..(member + 1) * self.bands]
    }

    /// Add another thread's tallies.
    pub(super) fn merge(&mut self, other: &Counts) {
        for (a, b) in self.ranks.iter_mut().zip(&other.ranks) {
            a.merge(b);
        }
        for (a, b) in self.grades.iter_mut().zip(&other.grades) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RankCounts;
    use rand::{Rng, SeedableRng};

    /// Windowed counts agree with a dense histogram, rank by rank and quantile by quantile,
    /// whatever order ranks arrive in and however the counts are split and merged.
    #[test]
    fn windowed_counts_are_a_histogram() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..100 {
            let size = rng.random_range(1..3000);
            let centre = rng.random_range(1..=size);
            let spread = rng.random_range(0..400);
            let mut dense = vec![0u32; size + 1];
            let (mut a, mut b) = (RankCounts::default(), RankCounts::default());
            let n = rng.random_range(1..2000);
            for i in 0..n {
                let r = (centre as i64 + rng.random_range(-spread..=spread)).clamp(1, size as i64)
                    as usize;
                dense[r] += 1;
                if i % 3 == 0 { &mut a } else { &mut b }.add(r);
            }
            a.merge(&b);
            for (r, &c) in dense.iter().enumerate() {
                assert_eq!(a.at(r), c);
            }
            assert_eq!(a.at(size + 5000), 0);
            for target in [1, n as u64 / 20, n as u64 / 2, n as u64] {
                let mut acc = 0;
                let want = dense.iter().position(|&c| {
                    acc += u64::from(c);
                    acc >= target.max(1)
                });
                assert_eq!(a.quantile(target.max(1)), want);
            }
            assert_eq!(a.quantile(n as u64 + 1), None);
        }
    }
}
