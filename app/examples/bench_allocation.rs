//! Times the allocation of a large district: `make bench` runs it.
//!
//! `cargo run --release -p app --example bench_allocation -- [units] [posts]`
//! (defaults: 3,000 units, 600,000 posts, the target in TARGETS.md).
//! Prints the median of 11 runs for each method.

use std::time::Instant;

use app::domain::allocation::{AllocationInput, Method, StaffingNorms, UnitInput, allocate};

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let units = args.first().copied().unwrap_or(3_000) as usize;
    let posts = args.get(1).copied().unwrap_or(600_000) as u32;
    // Deterministic, uneven populations (1,000 to 300,000) and recipients.
    let mut state: u64 = 42;
    let mut next = |below: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % below
    };
    let units: Vec<UnitInput> = (0..units)
        .map(|i| UnitInput {
            code: format!("U{i:05}"),
            population: 1_000 + next(299_000),
            recipients: next(12_000),
        })
        .collect();
    for method in Method::ALL {
        let input = AllocationInput {
            method,
            total: posts,
            population_weight: 50,
            recipients_weight: 50,
            norms: StaffingNorms::seed_003(),
            units: units.clone(),
        };
        let mut times = Vec::new();
        let mut check = 0;
        for _ in 0..11 {
            let t = Instant::now();
            let a = allocate(&input).expect("allocates");
            times.push(t.elapsed());
            check = a.units.iter().map(|u| u.posts).sum::<u32>();
        }
        times.sort();
        assert_eq!(check, posts);
        println!(
            "allocation {:?}: {} units, {} posts: median {:.1} ms (min {:.1}, max {:.1})",
            method,
            units.len(),
            posts,
            times[5].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[10].as_secs_f64() * 1e3
        );
    }
}
