//! Apportioning a district's full-time assistant posts (专职低保员岗位)
//! among its towns (镇街).
//!
//! Each town's claim is a weighted mix of its share of the registered
//! population and its share of assistance recipients (seed 002: posts are
//! set by residents and recipients). Its *quota* is the total times that
//! claim; the apportionment method turns quotas into whole posts, after
//! every town has been given the minimum the staffing norms require (seed
//! 003: under 20,000 residents at least 1, 20,000–50,000 at least 2, over
//! 50,000 at least 3).
//!
//! Two named methods:
//! - **Largest remainder (Hamilton).** Towns whose quota falls below their
//!   minimum are fixed at the minimum and the rest of the posts are
//!   re-apportioned among the others by their claims, repeatedly, until
//!   every remaining quota is at least its minimum. Each remaining town
//!   gets its quota rounded down; the posts left over go one each to the
//!   largest fractional remainders (ties: larger claim first, then input
//!   order).
//! - **Huntington–Hill (equal proportions, used for the US House).** Every
//!   town starts at its minimum; each further post goes to the town with
//!   the highest priority `claim / sqrt(n (n + 1))`, `n` being the posts it
//!   holds (a town with none and a positive claim comes first). Computed
//!   from a divisor-rounded start and adjusted post by post, which gives
//!   the same result as handing out posts one at a time.
//!
//! All arithmetic is exact integer arithmetic (claims are integers over a
//! common denominator; comparisons of square roots are done by squaring in
//! 256 bits), so the result never depends on floating-point rounding.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most towns (or other units) one allocation takes.
pub const MAX_UNITS: usize = 100_000;
/// Most posts one allocation hands out.
pub const MAX_TOTAL: u32 = 10_000_000;
/// Registered population or recipients of one unit, at most.
pub const MAX_FIGURE: u64 = 1_000_000_000;

/// The apportionment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 最大余额法 (Hamilton).
    LargestRemainder,
    /// 亨廷顿–希尔法 (equal proportions).
    HuntingtonHill,
}

impl Method {
    pub const ALL: [Method; 2] = [Method::LargestRemainder, Method::HuntingtonHill];

    /// The code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Method::LargestRemainder => "largest_remainder",
            Method::HuntingtonHill => "huntington_hill",
        }
    }

    pub fn from_code(code: &str) -> Option<Method> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// One step of the staffing norms: towns of at least `from_population`
/// registered residents need at least `min_posts` posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormStep {
    pub from_population: u64,
    pub min_posts: u32,
}

/// Minimum posts by registered population (配备标准).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffingNorms {
    /// Ascending by `from_population`, the first from 0.
    pub steps: Vec<NormStep>,
}

/// Why a set of norms is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NormsProblem {
    /// No steps, or the first does not start at population 0.
    MustStartAtZero,
    /// Populations must strictly increase from step to step.
    PopulationsNotAscending { step: usize },
    /// A larger town may not need fewer posts than a smaller one.
    MinimumsDecrease { step: usize },
    /// More steps than any real norm has.
    TooManySteps,
}

impl StaffingNorms {
    /// Seed 003 (三明市 2021): under 20,000 residents at least 1 post,
    /// 20,000 to 50,000 at least 2, over 50,000 at least 3.
    pub fn seed_003() -> StaffingNorms {
        StaffingNorms {
            steps: vec![
                NormStep { from_population: 0, min_posts: 1 },
                NormStep { from_population: 20_000, min_posts: 2 },
                NormStep { from_population: 50_001, min_posts: 3 },
            ],
        }
    }

    /// Checks the steps are usable.
    pub fn validate(&self) -> Result<(), NormsProblem> {
        if self.steps.len() > 50 {
            return Err(NormsProblem::TooManySteps);
        }
        if self.steps.first().is_none_or(|s| s.from_population != 0) {
            return Err(NormsProblem::MustStartAtZero);
        }
        for (i, pair) in self.steps.windows(2).enumerate() {
            if pair[1].from_population <= pair[0].from_population {
                return Err(NormsProblem::PopulationsNotAscending { step: i + 1 });
            }
            if pair[1].min_posts < pair[0].min_posts {
                return Err(NormsProblem::MinimumsDecrease { step: i + 1 });
            }
        }
        Ok(())
    }

    /// The minimum for a town of `population` residents.
    pub fn minimum_for(&self, population: u64) -> u32 {
        self.steps.iter().take_while(|s| s.from_population <= population).last().map_or(0, |s| s.min_posts)
    }
}

/// One town's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInput {
    pub code: String,
    /// 户籍人口.
    pub population: u64,
    /// Assistance recipients (城乡低保 + 特困供养 + 低保边缘 + 支出型困难).
    pub recipients: u64,
}

/// What to apportion, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationInput {
    pub method: Method,
    /// Posts to hand out.
    pub total: u32,
    /// Weight of the population share, in percent (0–100).
    pub population_weight: u32,
    /// Weight of the recipients share, in percent; the two weights sum
    /// to 100.
    pub recipients_weight: u32,
    pub norms: StaffingNorms,
    pub units: Vec<UnitInput>,
}

/// Why a town got the posts it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Its quota was below the norm's minimum; it gets the minimum.
    MinimumApplied,
    /// Its quota was a whole number.
    Exact,
    /// Largest remainder: it won one of the posts left after rounding down.
    RemainderWon,
    /// Largest remainder: its quota rounded down; its remainder was too
    /// small for a leftover post.
    RoundedDown,
    /// Huntington–Hill: its quota was rounded up (above the geometric
    /// mean of the two whole numbers around it, or by the post-by-post
    /// priorities).
    RoundedUp,
    /// Huntington–Hill: its quota was rounded down.
    PrioritiesRoundedDown,
}

/// One town's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitResult {
    pub code: String,
    /// The town's claim: its weighted share of the district, to 6 decimals.
    pub share: Decimal,
    /// Total × share, to 4 decimals (rounded half up).
    pub quota: Decimal,
    /// Largest remainder only: the quota after the towns held at their
    /// minimum were taken out, when any were.
    pub adjusted_quota: Option<Decimal>,
    /// The norm's minimum for this town.
    pub minimum: u32,
    pub posts: u32,
    pub reason: Reason,
}

/// The outcome of an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub method: Method,
    pub total: u32,
    /// Sum of the towns' minimums.
    pub minimums: u32,
    pub units: Vec<UnitResult>,
}

/// Why an allocation cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllocationProblem {
    NoUnits,
    TooManyUnits {
        max: usize,
    },
    TooManyPosts {
        max: u32,
    },
    /// A figure above [`MAX_FIGURE`].
    FigureTooLarge {
        code: String,
    },
    /// Two units share a code.
    DuplicateCode {
        code: String,
    },
    /// The weights must be 0–100 and sum to 100.
    WeightsMustSumTo100,
    Norms(NormsProblem),
    /// The minimums alone need more posts than there are.
    MinimumsExceedTotal {
        minimums: u32,
        total: u32,
    },
    /// Posts remain after the minimums but no town has any population or
    /// recipients to claim them by.
    NothingToApportionBy,
}

/// Apportions `input.total` posts. Pure: the same input gives the same
/// output.
pub fn allocate(input: &AllocationInput) -> Result<Allocation, AllocationProblem> {
    let units = &input.units;
    if units.is_empty() {
        return Err(AllocationProblem::NoUnits);
    }
    if units.len() > MAX_UNITS {
        return Err(AllocationProblem::TooManyUnits { max: MAX_UNITS });
    }
    if input.total > MAX_TOTAL {
        return Err(AllocationProblem::TooManyPosts { max: MAX_TOTAL });
    }
    if input.population_weight > 100 || input.population_weight + input.recipients_weight != 100 {
        return Err(AllocationProblem::WeightsMustSumTo100);
    }
    input.norms.validate().map_err(AllocationProblem::Norms)?;
    let mut codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    codes.sort_unstable();
    if let Some(pair) = codes.windows(2).find(|p| p[0] == p[1]) {
        return Err(AllocationProblem::DuplicateCode { code: pair[0].to_string() });
    }
    if let Some(u) = units.iter().find(|u| u.population > MAX_FIGURE || u.recipients > MAX_FIGURE) {
        return Err(AllocationProblem::FigureTooLarge { code: u.code.clone() });
    }

    let minimums: Vec<u32> = units.iter().map(|u| input.norms.minimum_for(u.population)).collect();
    let minimums_sum: u64 = minimums.iter().map(|&m| u64::from(m)).sum();
    if minimums_sum > u64::from(input.total) {
        return Err(AllocationProblem::MinimumsExceedTotal {
            minimums: u32::try_from(minimums_sum).unwrap_or(u32::MAX),
            total: input.total,
        });
    }
    let claims = Claims::new(input);
    if minimums_sum < u64::from(input.total) && claims.sum == 0 {
        return Err(AllocationProblem::NothingToApportionBy);
    }

    let (posts, shares, any_held) = match input.method {
        Method::LargestRemainder => largest_remainder(input.total, &claims.scores, &minimums),
        Method::HuntingtonHill => {
            (huntington_hill(input.total, &claims.scores, &minimums), vec![Share::Held; units.len()], false)
        }
    };

    let total = u128::from(input.total);
    let results = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let score = claims.scores[i];
            let (quota_num, den) = (total * score, claims.sum.max(1));
            let reason = match input.method {
                Method::LargestRemainder => match shares[i] {
                    Share::Held => Reason::MinimumApplied,
                    Share::Open { num, den, floor } => hamilton_reason(posts[i], num, den, floor),
                },
                Method::HuntingtonHill => hh_reason(posts[i], minimums[i], quota_num, den),
            };
            let adjusted_quota = match shares[i] {
                Share::Open { num, den, .. } if any_held => Some(fraction(num, den, 4)),
                _ => None,
            };
            UnitResult {
                code: u.code.clone(),
                share: fraction(score, den, 6),
                quota: fraction(quota_num, den, 4),
                adjusted_quota,
                minimum: minimums[i],
                posts: posts[i],
                reason,
            }
        })
        .collect();
    Ok(Allocation {
        method: input.method,
        total: input.total,
        minimums: u32::try_from(minimums_sum).unwrap_or(u32::MAX),
        units: results,
    })
}

/// The towns' claims as integers over one denominator: town i claims
/// `scores[i] / sum` of the posts.
struct Claims {
    scores: Vec<u128>,
    sum: u128,
}

impl Claims {
    fn new(input: &AllocationInput) -> Claims {
        let pop: u128 = input.units.iter().map(|u| u128::from(u.population)).sum();
        let rec: u128 = input.units.iter().map(|u| u128::from(u.recipients)).sum();
        let (wp, wr) = (u128::from(input.population_weight), u128::from(input.recipients_weight));
        // share_i = (wp · pop_i / P + wr · rec_i / R) / 100; multiplying
        // through by 100 · P · R gives integers. A share with an empty
        // total (no recipients anywhere) counts for nothing, and its
        // weight moves to the other share.
        let (wp, wr) = match (pop, rec) {
            (0, 0) => (0, 0),
            (0, _) => (0, 1),
            (_, 0) => (1, 0),
            _ => (wp, wr),
        };
        let (p, r) = (pop.max(1), rec.max(1));
        let mut scores: Vec<u128> = input
            .units
            .iter()
            .map(|u| wp * u128::from(u.population) * r + wr * u128::from(u.recipients) * p)
            .collect();
        // Keep the numbers small: divide out the common factor.
        let g = scores.iter().fold(0u128, |g, &s| gcd(g, s));
        if g > 1 {
            scores.iter_mut().for_each(|s| *s /= g);
        }
        let sum = scores.iter().sum();
        Claims { scores, sum }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `num / den` rounded half up to `scale` decimals.
fn fraction(num: u128, den: u128, scale: u32) -> Decimal {
    if den == 0 {
        return Decimal::ZERO;
    }
    let factor = 10u128.pow(scale);
    let whole = num / den;
    let rest = num % den;
    // rest · factor may overflow for huge denominators; do it in 256 bits.
    let (q, r) = div_wide(mul_wide(rest, factor), den);
    let rounded = q + u128::from(r >= den - r);
    let mantissa = whole * factor + rounded;
    Decimal::from_i128_with_scale(i128::try_from(mantissa).unwrap_or(i128::MAX), scale)
}

/// How largest remainder treated a town.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Share {
    /// Held at its minimum.
    Held,
    /// Apportioned: quota numerator and denominator, and its floor.
    Open { num: u128, den: u128, floor: u128 },
}

/// Hamilton with minimums. Returns the posts, how each town was treated,
/// and whether any town was held at its minimum.
// `sum > 0` is checked once for the whole block of divisions below.
#[allow(clippy::manual_checked_ops)]
fn largest_remainder(total: u32, scores: &[u128], minimums: &[u32]) -> (Vec<u32>, Vec<Share>, bool) {
    let n = scores.len();
    let mut fixed = vec![false; n];
    let mut any_fixed = false;
    let (mut seats, mut sum): (u128, u128) = (u128::from(total), scores.iter().sum());
    loop {
        let mut changed = false;
        for i in 0..n {
            // Held at the minimum when seats · score / sum < minimum.
            if !fixed[i] && (sum == 0 || seats * scores[i] < u128::from(minimums[i]) * sum) {
                fixed[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        any_fixed = true;
        seats =
            u128::from(total) - (0..n).filter(|&i| fixed[i]).map(|i| u128::from(minimums[i])).sum::<u128>();
        sum = (0..n).filter(|&i| !fixed[i]).map(|i| scores[i]).sum();
    }
    let mut posts: Vec<u32> = minimums.to_vec();
    let mut shares = vec![Share::Held; n];
    let mut open: Vec<usize> = (0..n).filter(|&i| !fixed[i]).collect();
    if sum > 0 {
        let mut given: u128 = 0;
        for &i in &open {
            let q = seats * scores[i];
            let floor = q / sum;
            posts[i] = u32::try_from(floor).unwrap_or(u32::MAX);
            given += floor;
            shares[i] = Share::Open { num: q, den: sum, floor };
        }
        let left = usize::try_from(seats - given).unwrap_or(0);
        // Largest remainder first; then larger claim; then input order.
        open.sort_by(|&a, &b| {
            let (ra, rb) = ((seats * scores[a]) % sum, (seats * scores[b]) % sum);
            rb.cmp(&ra).then(scores[b].cmp(&scores[a])).then(a.cmp(&b))
        });
        for &i in open.iter().take(left) {
            posts[i] += 1;
        }
    }
    (posts, shares, any_fixed)
}

/// Huntington–Hill with minimums.
fn huntington_hill(total: u32, scores: &[u128], minimums: &[u32]) -> Vec<u32> {
    let sum: u128 = scores.iter().sum();
    let total128 = u128::from(total);
    // Start: each quota rounded at the geometric mean, at least the
    // minimum. This start is balanced (every held post outranks every
    // post not held), so adjusting one post at a time keeps it so.
    let mut posts: Vec<u32> = scores
        .iter()
        .zip(minimums)
        .map(|(&s, &m)| if sum == 0 { m } else { hh_round(total128 * s, sum).max(m) })
        .collect();
    let mut held: u64 = posts.iter().map(|&p| u64::from(p)).sum();
    let target = u64::from(total);
    if held < target {
        // Add posts by the priority of each town's next post.
        let mut heap: BinaryHeap<Next> =
            (0..scores.len()).filter(|&i| scores[i] > 0).map(|i| Next::new(i, scores[i], posts[i])).collect();
        while held < target {
            let Some(top) = heap.pop() else { break };
            posts[top.index] += 1;
            held += 1;
            heap.push(Next::new(top.index, scores[top.index], posts[top.index]));
        }
    } else if held > target {
        // Remove posts by the priority of each town's last post, lowest
        // first, never below the minimum.
        let mut heap: BinaryHeap<std::cmp::Reverse<Next>> = (0..scores.len())
            .filter(|&i| posts[i] > minimums[i])
            .map(|i| std::cmp::Reverse(Next::new(i, scores[i], posts[i] - 1)))
            .collect();
        while held > target {
            let Some(std::cmp::Reverse(low)) = heap.pop() else { break };
            let i = low.index;
            posts[i] -= 1;
            held -= 1;
            if posts[i] > minimums[i] {
                heap.push(std::cmp::Reverse(Next::new(i, scores[i], posts[i] - 1)));
            }
        }
    }
    posts
}

/// `num / den` rounded at the geometric mean of the whole numbers around
/// it: up when `q > sqrt(floor(q) · (floor(q) + 1))`.
fn hh_round(num: u128, den: u128) -> u32 {
    let floor = num / den;
    if num.is_multiple_of(den) {
        return u32::try_from(floor).unwrap_or(u32::MAX);
    }
    // q² > f (f + 1)  ⇔  num² > f (f + 1) · den².
    let lhs = mul_wide(num, num);
    let f = floor * (floor + 1);
    let rhs = mul3_wide(f, den, den);
    let up = match rhs {
        Some(rhs) => lhs > rhs,
        None => false,
    };
    u32::try_from(floor + u128::from(up)).unwrap_or(u32::MAX)
}

/// The priority of a town's post number `held + 1`:
/// `score / sqrt(held (held + 1))`, infinite when it holds none.
#[derive(Debug, Clone, Copy)]
struct Next {
    index: usize,
    score: u128,
    /// held · (held + 1); 0 means infinite priority.
    weight: u128,
}

impl Next {
    fn new(index: usize, score: u128, held: u32) -> Next {
        let h = u128::from(held);
        Next { index, score, weight: h * (h + 1) }
    }
}

impl Ord for Next {
    fn cmp(&self, other: &Self) -> Ordering {
        // a / sqrt(x) vs b / sqrt(y)  ⇔  a² y vs b² x (x, y > 0).
        let by_priority = match (self.weight, other.weight) {
            (0, 0) => self.score.cmp(&other.score),
            (0, _) => Ordering::Greater,
            (_, 0) => Ordering::Less,
            (x, y) => {
                let lhs = mul3_wide(self.score, self.score, y);
                let rhs = mul3_wide(other.score, other.score, x);
                lhs.cmp(&rhs)
            }
        };
        // Ties: the larger claim, then the earlier town.
        by_priority.then(self.score.cmp(&other.score)).then(other.index.cmp(&self.index))
    }
}

impl PartialOrd for Next {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Next {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Next {}

fn hh_reason(posts: u32, minimum: u32, quota_num: u128, den: u128) -> Reason {
    if posts == minimum && minimum > 0 && quota_num < u128::from(minimum) * den {
        return Reason::MinimumApplied;
    }
    match (u128::from(posts) * den).cmp(&quota_num) {
        Ordering::Equal => Reason::Exact,
        Ordering::Greater => Reason::RoundedUp,
        Ordering::Less => Reason::PrioritiesRoundedDown,
    }
}

fn hamilton_reason(posts: u32, num: u128, den: u128, floor: u128) -> Reason {
    if den != 0 && num.is_multiple_of(den) {
        Reason::Exact
    } else if u128::from(posts) > floor {
        Reason::RemainderWon
    } else {
        Reason::RoundedDown
    }
}

/// A 256-bit unsigned number as (high, low) halves; tuples compare in
/// the right order.
type U256 = (u128, u128);

/// The full product of two u128.
fn mul_wide(a: u128, b: u128) -> U256 {
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & MASK);
    let (b_hi, b_lo) = (b >> 64, b & MASK);
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let mid = (lo_lo >> 64) + (hi_lo & MASK) + (lo_hi & MASK);
    let low = (lo_lo & MASK) | (mid << 64);
    let high = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (mid >> 64);
    (high, low)
}

/// a · b · c in 256 bits, or `None` if it does not fit (far beyond any
/// real district).
fn mul3_wide(a: u128, b: u128, c: u128) -> Option<U256> {
    let ab = a.checked_mul(b)?;
    let (hi, lo) = mul_wide(ab, c);
    Some((hi, lo))
}

/// A 256-bit number divided by a u128 whose quotient fits in u128:
/// (quotient, remainder). Long division, one bit at a time (used only
/// for display values, 128 steps).
fn div_wide((hi, lo): U256, d: u128) -> (u128, u128) {
    let mut rem = hi % d;
    let mut quot: u128 = 0;
    for bit in (0..128).rev() {
        let carry = rem >> 127;
        rem = (rem << 1) | ((lo >> bit) & 1);
        quot <<= 1;
        if carry == 1 || rem >= d {
            rem = rem.wrapping_sub(d);
            quot |= 1;
        }
    }
    (quot, rem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, population: u64, recipients: u64) -> UnitInput {
        UnitInput { code: code.into(), population, recipients }
    }

    fn input(method: Method, total: u32, units: Vec<UnitInput>) -> AllocationInput {
        AllocationInput {
            method,
            total,
            population_weight: 100,
            recipients_weight: 0,
            norms: StaffingNorms { steps: vec![NormStep { from_population: 0, min_posts: 0 }] },
            units,
        }
    }

    fn posts(a: &Allocation) -> Vec<u32> {
        a.units.iter().map(|u| u.posts).collect()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn seed_003_minimums() {
        let n = StaffingNorms::seed_003();
        assert_eq!(n.validate(), Ok(()));
        assert_eq!(n.minimum_for(0), 1);
        assert_eq!(n.minimum_for(19_999), 1);
        assert_eq!(n.minimum_for(20_000), 2);
        assert_eq!(n.minimum_for(50_000), 2);
        assert_eq!(n.minimum_for(50_001), 3);
        assert_eq!(n.minimum_for(2_000_000), 3);
    }

    #[test]
    fn bad_norms_are_refused() {
        let step = |p, m| NormStep { from_population: p, min_posts: m };
        assert_eq!(StaffingNorms { steps: vec![] }.validate(), Err(NormsProblem::MustStartAtZero));
        assert_eq!(StaffingNorms { steps: vec![step(10, 1)] }.validate(), Err(NormsProblem::MustStartAtZero));
        assert_eq!(
            StaffingNorms { steps: vec![step(0, 1), step(5, 2), step(5, 3)] }.validate(),
            Err(NormsProblem::PopulationsNotAscending { step: 2 })
        );
        assert_eq!(
            StaffingNorms { steps: vec![step(0, 2), step(5, 1)] }.validate(),
            Err(NormsProblem::MinimumsDecrease { step: 1 })
        );
    }

    // Hand-checked: populations 5,117 / 4,400 / 3,000 / 2,483 (15,000),
    // 10 seats. Quotas 3.4113, 2.9333, 2.0, 1.6553. Floors 3+2+2+1 = 8;
    // the two largest remainders are 0.9333 (B) and 0.6553 (D).
    #[test]
    fn hamilton_by_hand() {
        let a = allocate(&input(
            Method::LargestRemainder,
            10,
            vec![unit("A", 5_117, 0), unit("B", 4_400, 0), unit("C", 3_000, 0), unit("D", 2_483, 0)],
        ))
        .expect("allocates");
        assert_eq!(posts(&a), vec![3, 3, 2, 2]);
        let q: Vec<Decimal> = a.units.iter().map(|u| u.quota).collect();
        assert_eq!(q, vec![dec("3.4113"), dec("2.9333"), dec("2.0000"), dec("1.6553")]);
        let r: Vec<Reason> = a.units.iter().map(|u| u.reason).collect();
        assert_eq!(r, vec![Reason::RoundedDown, Reason::RemainderWon, Reason::Exact, Reason::RemainderWon]);
    }

    // The Alabama paradox, the classic case where the two methods differ:
    // populations 6, 6, 2 with 10 seats give Hamilton 4, 4, 2 but 11 seats
    // give 5, 5, 1. Huntington–Hill gives 4, 4, 2 and 5, 4, 2.
    #[test]
    fn alabama_paradox_and_huntington_hill() {
        let units = || vec![unit("A", 6, 0), unit("B", 6, 0), unit("C", 2, 0)];
        let lr = |t| posts(&allocate(&input(Method::LargestRemainder, t, units())).expect("ok"));
        let hh = |t| posts(&allocate(&input(Method::HuntingtonHill, t, units())).expect("ok"));
        assert_eq!(lr(10), vec![4, 4, 2]);
        assert_eq!(lr(11), vec![5, 5, 1]);
        assert_eq!(hh(10), vec![4, 4, 2]);
        // 11th seat: priorities A,B 6/sqrt(20) = 1.342, C 2/sqrt(6) = 0.816;
        // tie between A and B goes to the earlier.
        assert_eq!(hh(11), vec![5, 4, 2]);
    }

    // Hand-checked Huntington–Hill: populations 100, 10, 1 and 5 seats.
    // Every town gets one (priority infinite at zero). Then A: 100/√2 =
    // 70.7, B: 10/√2 = 7.07, C: 0.707 → A; A: 100/√6 = 40.8 → A; A:
    // 100/√12 = 28.9 → A. Result 3, 1, 1. Hamilton gives 5, 0, 0 (quotas
    // 4.505, 0.450, 0.045).
    #[test]
    fn huntington_hill_by_hand() {
        let units = || vec![unit("A", 100, 0), unit("B", 10, 0), unit("C", 1, 0)];
        let hh = allocate(&input(Method::HuntingtonHill, 5, units())).expect("ok");
        assert_eq!(posts(&hh), vec![3, 1, 1]);
        assert_eq!(hh.units[0].reason, Reason::PrioritiesRoundedDown);
        assert_eq!(hh.units[1].reason, Reason::RoundedUp);
        let lr = allocate(&input(Method::LargestRemainder, 5, units())).expect("ok");
        assert_eq!(posts(&lr), vec![5, 0, 0]);
    }

    #[test]
    fn minimums_are_honoured_and_explained() {
        // One big town and three small: without minimums the small ones
        // would get nothing.
        let mut inp = input(
            Method::LargestRemainder,
            10,
            vec![unit("BIG", 200_000, 0), unit("S1", 5_000, 0), unit("S2", 30_000, 0), unit("S3", 1_000, 0)],
        );
        inp.norms = StaffingNorms::seed_003();
        for method in Method::ALL {
            inp.method = method;
            let a = allocate(&inp).expect("ok");
            assert_eq!(a.minimums, 3 + 1 + 2 + 1);
            assert_eq!(posts(&a).iter().sum::<u32>(), 10);
            for u in &a.units {
                assert!(u.posts >= u.minimum, "{method:?} {u:?}");
            }
            let s3 = &a.units[3];
            assert_eq!((s3.posts, s3.reason), (1, Reason::MinimumApplied), "{method:?}");
        }
        inp.method = Method::LargestRemainder;
        let a = allocate(&inp).expect("ok");
        // BIG's quota 8.4746; after S1, S2 and S3 are held at 1 + 2 + 1,
        // it is the only open town and takes the remaining 6.
        assert_eq!(posts(&a), vec![6, 1, 2, 1]);
        assert_eq!(a.units[0].quota, dec("8.4746"));
        assert_eq!(a.units[0].adjusted_quota, Some(dec("6.0000")));
        assert_eq!(a.units[0].reason, Reason::Exact);
    }

    #[test]
    fn minimums_beyond_the_total_are_a_clear_error() {
        let mut inp = input(Method::HuntingtonHill, 5, vec![unit("A", 60_000, 0), unit("B", 60_000, 0)]);
        inp.norms = StaffingNorms::seed_003();
        assert_eq!(allocate(&inp), Err(AllocationProblem::MinimumsExceedTotal { minimums: 6, total: 5 }));
    }

    #[test]
    fn inputs_are_checked() {
        let mut inp = input(Method::LargestRemainder, 5, vec![unit("A", 1, 0), unit("A", 2, 0)]);
        assert_eq!(allocate(&inp), Err(AllocationProblem::DuplicateCode { code: "A".into() }));
        inp.units[1].code = "B".into();
        inp.population_weight = 60;
        assert_eq!(allocate(&inp), Err(AllocationProblem::WeightsMustSumTo100));
        inp.recipients_weight = 40;
        assert!(allocate(&inp).is_ok());
        inp.units = vec![];
        assert_eq!(allocate(&inp), Err(AllocationProblem::NoUnits));
        let zero = input(Method::HuntingtonHill, 3, vec![unit("A", 0, 0), unit("B", 0, 0)]);
        assert_eq!(allocate(&zero), Err(AllocationProblem::NothingToApportionBy));
    }

    #[test]
    fn weights_mix_population_and_recipients() {
        // Equal populations; A has three times B's recipients. Half and
        // half: shares (0.5 + 0.75) / 2 = 0.625 and 0.375.
        let mut inp = input(Method::LargestRemainder, 8, vec![unit("A", 1000, 300), unit("B", 1000, 100)]);
        inp.population_weight = 50;
        inp.recipients_weight = 50;
        let a = allocate(&inp).expect("ok");
        assert_eq!(a.units[0].share, dec("0.625000"));
        assert_eq!(posts(&a), vec![5, 3]);
    }

    /// A small deterministic generator for the property tests.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % below
        }
    }

    #[test]
    fn invariants_hold_on_random_districts() {
        let mut rng = Lcg(2026);
        for round in 0..400 {
            let n = 1 + rng.next(40) as usize;
            let units: Vec<UnitInput> =
                (0..n).map(|i| unit(&format!("T{i}"), rng.next(120_000), rng.next(3_000))).collect();
            let pw = rng.next(101) as u32;
            for method in Method::ALL {
                let total = rng.next(400) as u32;
                let inp = AllocationInput {
                    method,
                    total,
                    population_weight: pw,
                    recipients_weight: 100 - pw,
                    norms: StaffingNorms::seed_003(),
                    units: units.clone(),
                };
                match allocate(&inp) {
                    Ok(a) => {
                        assert_eq!(posts(&a).iter().sum::<u32>(), total, "round {round} {method:?}");
                        for u in &a.units {
                            assert!(u.posts >= u.minimum);
                        }
                        // More population (and no fewer recipients) never
                        // means fewer posts.
                        for (i, x) in units.iter().enumerate() {
                            for (j, y) in units.iter().enumerate() {
                                if x.population >= y.population && x.recipients >= y.recipients {
                                    assert!(
                                        a.units[i].posts >= a.units[j].posts,
                                        "round {round} {method:?}: {x:?} got {} < {y:?} got {}",
                                        a.units[i].posts,
                                        a.units[j].posts
                                    );
                                }
                            }
                        }
                        // Hamilton stays within one of the adjusted quota.
                        if method == Method::LargestRemainder {
                            for u in &a.units {
                                if u.reason != Reason::MinimumApplied {
                                    let q = u.adjusted_quota.unwrap_or(u.quota);
                                    let p = Decimal::from(u.posts);
                                    assert!(p >= q.floor() && p <= q.ceil(), "{u:?}");
                                }
                            }
                        }
                    }
                    Err(AllocationProblem::MinimumsExceedTotal { minimums, total: t }) => {
                        assert!(minimums > t);
                    }
                    Err(e) => panic!("round {round}: {e:?}"),
                }
            }
        }
    }

    /// Huntington–Hill from the divisor start equals handing out posts one
    /// at a time from the minimums.
    #[test]
    fn huntington_hill_matches_one_at_a_time() {
        let mut rng = Lcg(7);
        for _ in 0..200 {
            let n = 1 + rng.next(12) as usize;
            let scores: Vec<u128> = (0..n).map(|_| u128::from(rng.next(10_000))).collect();
            let minimums: Vec<u32> = (0..n).map(|_| rng.next(3) as u32).collect();
            let total = minimums.iter().sum::<u32>() + rng.next(60) as u32;
            if scores.iter().all(|&s| s == 0) {
                continue;
            }
            let fast = huntington_hill(total, &scores, &minimums);
            let mut slow = minimums.clone();
            let mut heap: BinaryHeap<Next> =
                (0..n).filter(|&i| scores[i] > 0).map(|i| Next::new(i, scores[i], slow[i])).collect();
            for _ in 0..(total - minimums.iter().sum::<u32>()) {
                let top = heap.pop().expect("a town");
                slow[top.index] += 1;
                heap.push(Next::new(top.index, scores[top.index], slow[top.index]));
            }
            // Equal up to ties, which both resolve by claim then order;
            // compare the multiset of priorities by comparing sums first.
            assert_eq!(fast.iter().sum::<u32>(), total);
            assert_eq!(fast, slow, "scores {scores:?} minimums {minimums:?} total {total}");
        }
    }

    #[test]
    fn wide_arithmetic() {
        assert_eq!(mul_wide(u128::MAX, 2), (1, u128::MAX - 1));
        assert_eq!(mul_wide(1 << 64, 1 << 64), (1, 0));
        assert_eq!(div_wide((1, 0), 2), (1 << 127, 0));
        assert_eq!(fraction(2, 3, 4), dec("0.6667"));
        assert_eq!(fraction(1, 8, 2), dec("0.13"));
        assert_eq!(hh_round(3, 2), 2); // 1.5 > sqrt(2) = 1.414
        assert_eq!(hh_round(14, 10), 1); // 1.4 < 1.414
    }
}
