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

/// A town that may be drawn, with its on-duty staff (ids, ascending).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CandidateTown {
    pub town_id: i64,
    pub code: String,
    pub staff: Vec<i64>,
}

/// Everything a plan's draw depends on besides the seed. Stored with the
/// draw (as canonical JSON) so anyone can re-run it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DrawInput {
    /// Sorted by code.
    pub towns: Vec<CandidateTown>,
    pub pool: Vec<crate::domain::inspection::PoolMember>,
    pub ratio_bp: u32,
    pub minimum_towns: u32,
    pub staff_per_town: u32,
    pub inspectors_per_town: u32,
}

/// One town drawn, with the staff to interview and its inspectors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DrawnTown {
    pub town_id: i64,
    pub code: String,
    pub staff: Vec<i64>,
    pub inspectors: Vec<i64>,
}

/// Draws a plan: towns from `towns` (purpose `towns`), then for each town
/// in drawn order its staff (`staff/<code>`) and, from the pool without
/// those who declared a conflict with it, its inspectors
/// (`inspectors/<code>`, by user id). Refused, before any number is drawn,
/// when some town has fewer conflict-free inspectors than needed.
pub fn draw_plan(
    seed: &Seed,
    input: &DrawInput,
) -> Result<Vec<DrawnTown>, crate::domain::inspection::DrawProblem> {
    use crate::domain::inspection::{DrawProblem, eligible, towns_short_of_inspectors};
    if input.towns.is_empty() {
        return Err(DrawProblem::NoTowns);
    }
    let per_town = input.inspectors_per_town.max(2);
    let ids: Vec<i64> = input.towns.iter().map(|t| t.town_id).collect();
    let short_ids = towns_short_of_inspectors(&input.pool, &ids, per_town);
    let short: Vec<String> =
        input.towns.iter().filter(|t| short_ids.contains(&t.town_id)).map(|t| t.code.clone()).collect();
    if !short.is_empty() {
        return Err(DrawProblem::TooFewInspectors(short));
    }
    let mut towns = input.towns.clone();
    towns.sort_by(|a, b| a.code.cmp(&b.code));
    let k = sample_size(towns.len(), input.ratio_bp, input.minimum_towns as usize);
    Ok(sample(seed, "towns", &towns, k)
        .into_iter()
        .map(|t| {
            let mut staff = t.staff.clone();
            staff.sort_unstable();
            let staff = sample(seed, &format!("staff/{}", t.code), &staff, input.staff_per_town as usize);
            let pool = eligible(&input.pool, t.town_id);
            let inspectors = sample(seed, &format!("inspectors/{}", t.code), &pool, per_town as usize);
            DrawnTown { town_id: t.town_id, code: t.code, staff, inspectors }
        })
        .collect())
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

    fn input() -> DrawInput {
        use crate::domain::inspection::PoolMember;
        let member = |id: i64, conflicts: Vec<i64>| PoolMember {
            user_id: id,
            conflict_towns: conflicts,
            conflict_note: String::new(),
        };
        DrawInput {
            towns: (1..=26)
                .map(|i| CandidateTown {
                    town_id: 100 + i,
                    code: format!("{i:03}"),
                    staff: (0..8).map(|s| i * 1000 + s).collect(),
                })
                .collect(),
            pool: vec![member(7, vec![121]), member(5, vec![]), member(9, vec![121, 124]), member(6, vec![])],
            ratio_bp: 500,
            minimum_towns: 2,
            staff_per_town: 2,
            inspectors_per_town: 2,
        }
    }

    #[test]
    fn a_plan_draw_is_the_same_for_the_same_seed_and_respects_conflicts() {
        let seed = counting();
        let first = draw_plan(&seed, &input()).expect("drawn");
        assert_eq!(first, draw_plan(&seed, &input()).expect("drawn again"));
        // 5 % of 26 is 1.3, rounded up to 2 (also the minimum).
        assert_eq!(first.iter().map(|t| t.code.as_str()).collect::<Vec<_>>(), vec!["021", "024"]);
        for t in &first {
            assert_eq!(t.inspectors.len(), 2);
            assert_ne!(t.inspectors[0], t.inspectors[1]);
            assert_eq!(t.staff.len(), 2);
            assert!(t.staff.iter().all(|s| s / 1000 == t.town_id - 100));
        }
        // Town 121 ("021"): inspectors 7 and 9 declared a conflict.
        assert!(first[0].inspectors.iter().all(|i| *i == 5 || *i == 6), "{:?}", first[0].inspectors);
        // Town 124: 9 declared a conflict.
        assert!(!first[1].inspectors.contains(&9));
        // Another seed, another draw (of the 325 pairs, this one differs).
        let mut other = seed;
        other[0] = 1;
        assert_ne!(first, draw_plan(&other, &input()).expect("drawn"));
    }

    #[test]
    fn a_draw_needing_more_inspectors_than_conflicts_allow_is_refused_before_drawing() {
        use crate::domain::inspection::DrawProblem;
        let mut i = input();
        i.inspectors_per_town = 3;
        assert_eq!(draw_plan(&counting(), &i), Err(DrawProblem::TooFewInspectors(vec!["021".into()])));
        i.towns.clear();
        assert_eq!(draw_plan(&counting(), &i), Err(DrawProblem::NoTowns));
    }
}
