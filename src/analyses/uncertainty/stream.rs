//! A replication's random numbers: the ChaCha8 stream `rand_chacha::ChaCha8Rng` gives, number for
//! number, with a way to take several uniforms at once. `ChaCha8Rng` is rand_core's `BlockRng`
//! over `ChaCha8Core` (64 words a refill, read one or two at a time), whose buffer is private:
//! each draw paid for a look at the index, and the national run draws 265 million. [`Stream`]
//! keeps the same core, buffer and index rules, so the generator's methods (`random`,
//! `random_range`, the normal) give what they gave, and [`Stream::uniforms`] reads a member's
//! uniforms for one replication with one look at the index.

use rand::RngCore;
use rand_chacha::rand_core::block::BlockRngCore;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Core;

/// The words of one refill.
type Results = <ChaCha8Core as BlockRngCore>::Results;

/// `ChaCha8Rng` with its buffer in reach (see the module).
#[derive(Clone)]
pub(super) struct Stream {
    core: ChaCha8Core,
    results: Results,
    /// The next unread word; the buffer's length when it is all read.
    index: usize,
}

/// A `u64`'s top 53 bits as a float in [0, 1): `Rng::random::<f64>()`'s own formula.
#[inline(always)]
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

impl Stream {
    /// The stream `ChaCha8Rng::seed_from_u64(seed)` gives.
    pub(super) fn seed_from_u64(seed: u64) -> Stream {
        let results = Results::default();
        Stream {
            core: ChaCha8Core::seed_from_u64(seed),
            index: results.as_ref().len(),
            results,
        }
    }

    fn words(&self) -> &[u32] {
        self.results.as_ref()
    }

    /// Refill and continue at `index` (`BlockRng::generate_and_set`).
    fn refill(&mut self, index: usize) {
        self.core.generate(&mut self.results);
        self.index = index;
    }

    /// The next `out.len()` uniforms in [0, 1), written `stride` apart (`out[t * stride]`): what
    /// as many calls of `random::<f64>()` give, one look at the index when the buffer holds
    /// them all.
    #[inline]
    pub(super) fn uniforms(&mut self, out: &mut [f64], count: usize, stride: usize) {
        // An empty buffer refilled first, as the first of the calls would.
        if self.index >= self.words().len() {
            self.refill(0);
        }
        let at = self.index;
        if at + 2 * count <= self.words().len() {
            let words = &self.words()[at..at + 2 * count];
            for t in 0..count {
                out[t * stride] =
                    unit((u64::from(words[2 * t + 1]) << 32) | u64::from(words[2 * t]));
            }
            self.index = at + 2 * count;
        } else {
            for t in 0..count {
                out[t * stride] = unit(self.next_u64());
            }
        }
    }
}

impl RngCore for Stream {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        if self.index >= self.words().len() {
            self.refill(0);
        }
        let value = self.words()[self.index];
        self.index += 1;
        value
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let len = self.words().len();
        let at = self.index;
        if at < len - 1 {
            self.index += 2;
            let w = self.words();
            (u64::from(w[at + 1]) << 32) | u64::from(w[at])
        } else if at >= len {
            self.refill(2);
            let w = self.words();
            (u64::from(w[1]) << 32) | u64::from(w[0])
        } else {
            // One word left: it is the low half, the refill's first word the high half.
            let low = u64::from(self.words()[len - 1]);
            self.refill(1);
            (u64::from(self.words()[0]) << 32) | low
        }
    }

    /// Whole words, little-endian, a last partial word used up (`BlockRng::fill_bytes`).
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let word = self.next_u32().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Stream;
    use rand::{Rng, RngCore, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    /// Number for number `ChaCha8Rng`'s stream, whatever mix of calls reads it — words, pairs,
    /// bytes, floats, ranges, normals and runs of uniforms of every length, across refills and
    /// at every position of the buffer (odd ones included).
    #[test]
    fn the_stream_is_chacha8rng() {
        let mut pick = ChaCha8Rng::seed_from_u64(99);
        for seed in 0..200u64 {
            let mut want = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
            let mut got = Stream::seed_from_u64(seed ^ 0x5eed);
            for _ in 0..300 {
                match pick.random_range(0..7) {
                    0 => assert_eq!(got.next_u32(), want.next_u32()),
                    1 => assert_eq!(got.next_u64(), want.next_u64()),
                    2 => {
                        let len = pick.random_range(0..23);
                        let (mut a, mut b) = (vec![0u8; len], vec![0u8; len]);
                        got.fill_bytes(&mut a);
                        want.fill_bytes(&mut b);
                        assert_eq!(a, b);
                    }
                    3 => assert_eq!(
                        got.random::<f64>().to_bits(),
                        want.random::<f64>().to_bits()
                    ),
                    4 => assert_eq!(
                        got.random_range(-0.3..=0.3f64).to_bits(),
                        want.random_range(-0.3..=0.3f64).to_bits()
                    ),
                    5 => {
                        let d: Normal<f64> = Normal::new(50.0, 3.0).expect("a normal");
                        assert_eq!(d.sample(&mut got).to_bits(), d.sample(&mut want).to_bits());
                    }
                    _ => {
                        let (count, stride) = (pick.random_range(0..40), pick.random_range(1..4));
                        let mut out = vec![f64::NAN; count * stride];
                        got.uniforms(&mut out, count, stride);
                        for t in 0..count {
                            assert_eq!(out[t * stride].to_bits(), want.random::<f64>().to_bits());
                        }
                    }
                }
            }
        }
    }
}
