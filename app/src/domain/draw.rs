//! The random draw of spot inspections (双随机: random targets, random
//! inspectors), made reproducible: anyone holding the recorded seed and
//! the candidate lists can re-run it, with this code or ten lines of
//! Python (`docs/inspections-plan.md`), and get the same result.
//!
//! **Algorithm `gouzhu-draw-v1`.** A stream of 64-bit numbers is
//! `SHA-256(tag ‖ 0x00 ‖ seed ‖ counter)` for counter 0, 1, 2, … (the
//! counter as 8 big-endian bytes), each 32-byte block read as four
//! big-endian u64. The tag is `gouzhu-draw-v1/<purpose>` (`towns`,
//! `inspectors/<town code>` …), so each purpose has its own stream. A
//! number below `n` is drawn by rejection (values at or above the largest
//! multiple of `n` are skipped) so every outcome is equally likely. A
//! sample of `k` is a partial Fisher–Yates shuffle of the candidates in the
//! order given (callers sort them: towns by code, people by id): for each
//! position `i < k`, swap it with `i + below(n − i)`.
//!
//! SHA-256 rather than a `rand` generator: `rand` does not promise that a
//! seeded generator gives the same numbers in its next version; SHA-256
//! does not change. Only the server draws (the seed comes from the OS).

use sha2::{Digest, Sha256};

/// The algorithm's name, recorded with every draw.
pub const ALGORITHM: &str = "gouzhu-draw-v1";

/// A seed: 32 bytes.
pub type Seed = [u8; 32];

/// The stream of numbers for one purpose.
#[derive(Debug, Clone)]
pub struct Stream {
    prefix: Vec<u8>,
    counter: u64,
    buffer: Vec<u64>,
}

impl Stream {
    pub fn new(seed: &Seed, purpose: &str) -> Stream {
        let mut prefix = format!("{ALGORITHM}/{purpose}").into_bytes();
        prefix.push(0);
        prefix.extend_from_slice(seed);
        Stream { prefix, counter: 0, buffer: Vec::new() }
    }

    /// The next 64-bit number.
    pub fn next_u64(&mut self) -> u64 {
        if self.buffer.is_empty() {
            let mut h = Sha256::new();
            h.update(&self.prefix);
            h.update(self.counter.to_be_bytes());
            self.counter += 1;
            let block = h.finalize();
            // Kept in reverse so `pop` yields them in order.
            self.buffer = block
                .chunks_exact(8)
                .rev()
                .map(|c| u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect();
        }
        self.buffer.pop().unwrap_or_default()
    }

    /// A number in `0..n` (n ≥ 1), every value equally likely.
    pub fn below(&mut self, n: u64) -> u64 {
        let n = n.max(1);
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// `k` of `candidates` (in the order given), drawn for `purpose`.
pub fn sample<T: Clone>(seed: &Seed, purpose: &str, candidates: &[T], k: usize) -> Vec<T> {
    let mut pool = candidates.to_vec();
    let k = k.min(pool.len());
    let mut stream = Stream::new(seed, purpose);
    for i in 0..k {
        let j = i + stream.below((pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

/// How many of `n` to draw: the ratio (in basis points, 500 = 5%) rounded
/// up, at least `minimum`, at most `n`.
pub fn sample_size(n: usize, ratio_bp: u32, minimum: usize) -> usize {
    let by_ratio = (n as u64 * u64::from(ratio_bp)).div_ceil(10_000) as usize;
    by_ratio.max(minimum).min(n)
}

/// A seed as stored and published: 64 lower-case hex digits.
pub fn seed_hex(seed: &Seed) -> String {
    seed.iter().map(|b| format!("{b:02x}")).collect()
}

/// A seed from its hex form.
pub fn parse_seed(hex: &str) -> Option<Seed> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting() -> Seed {
        let mut s = [0u8; 32];
        for (i, b) in s.iter_mut().enumerate() {
            *b = i as u8;
        }
        s
    }

    /// Vectors computed independently with Python's hashlib (the re-run
    /// in `docs/inspections-plan.md`).
    #[test]
    fn the_stream_and_samples_match_the_published_re_run() {
        let seed = counting();
        assert_eq!(Stream::new(&seed, "towns").next_u64(), 12_719_853_421_875_091_798);
        let towns: Vec<String> = (1..=26).map(|i| format!("{i:03}")).collect();
        assert_eq!(sample(&seed, "towns", &towns, 2), ["021", "024"]);
        assert_eq!(sample(&seed, "towns", &towns, 5), ["021", "024", "016", "014", "001"]);
        assert_eq!(sample(&[0u8; 32], "inspectors/001", &[3, 5, 8, 13], 2), [5, 13]);
    }

    #[test]
    fn the_same_seed_gives_the_same_draw_and_another_seed_another() {
        let towns: Vec<u32> = (1..=26).collect();
        let a = sample(&counting(), "towns", &towns, 4);
        assert_eq!(a, sample(&counting(), "towns", &towns, 4));
        let mut other = counting();
        other[31] ^= 1;
        assert_ne!(a, sample(&other, "towns", &towns, 4));
        assert_ne!(a, sample(&counting(), "staff/001", &towns, 4), "each purpose has its own stream");
    }

    #[test]
    fn samples_are_distinct_members_and_all_of_them_when_k_is_n() {
        let people: Vec<u32> = (100..130).collect();
        let s = sample(&counting(), "staff/011", &people, 7);
        let mut unique = s.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 7);
        assert!(s.iter().all(|p| people.contains(p)));
        let mut all = sample(&counting(), "staff/011", &people, 99);
        all.sort_unstable();
        assert_eq!(all, people);
        assert!(sample::<u32>(&counting(), "towns", &[], 3).is_empty());
    }

    #[test]
    fn every_outcome_is_about_equally_likely() {
        // 60,000 draws below 6: each face within 3% of 10,000.
        let mut stream = Stream::new(&counting(), "fairness");
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[stream.below(6) as usize] += 1;
        }
        assert!(counts.iter().all(|c| (9_700..=10_300).contains(c)), "{counts:?}");
    }

    #[test]
    fn sizes_round_up_and_respect_the_minimum() {
        assert_eq!(sample_size(26, 500, 0), 2, "5% of 26 is 1.3");
        assert_eq!(sample_size(26, 500, 3), 3);
        assert_eq!(sample_size(26, 10_000, 0), 26);
        assert_eq!(sample_size(2, 500, 5), 2, "never more than there are");
        assert_eq!(sample_size(0, 500, 2), 0);
    }

    #[test]
    fn seeds_round_trip_as_hex() {
        let seed = counting();
        let hex = seed_hex(&seed);
        assert_eq!(&hex[..8], "00010203");
        assert_eq!(parse_seed(&hex), Some(seed));
        assert_eq!(parse_seed("xyz"), None);
        assert_eq!(parse_seed(&"g".repeat(64)), None);
    }
}
