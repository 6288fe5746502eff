//! Times computing a month's payroll lines (pay components, contributions,
//! cumulative tax) for 198, 10,000 and 600,000 posts: `make bench` runs
//! it. Pure computation, as a run does once its inputs are loaded; the
//! median of 5 runs each.
//!
//! `cargo run --release -p app --example bench_payroll`

use std::time::Instant;

use app::domain::insurance::InsuranceRules;
use app::domain::pay::{PayFacts, PayStandards};
use app::domain::payroll::{LineInput, compute};
use app::domain::roster::{Certificate, RoleLevel};
use app::domain::tax::{TaxYearToDate, YearMonth, withhold};
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn main() {
    let standards = PayStandards::demo_2026();
    let insurance = InsuranceRules::chongqing_example();
    let month = YearMonth { year: 2026, month: 10 };
    let mut state: u64 = 7;
    let mut next = |below: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % below
    };
    println!("| posts | compute (median of 5) | per line | net total |");
    println!("|---:|---:|---:|---:|");
    for posts in [198usize, 10_000, 600_000] {
        // Varied people: roles, certificates, hire dates, scores, some
        // partial months, a year to date with tax already withheld.
        let people: Vec<(PayFacts, TaxYearToDate)> = (0..posts)
            .map(|_| {
                let facts = PayFacts {
                    role_level: RoleLevel::ALL[next(3) as usize],
                    certificate: Certificate::ALL[next(4) as usize],
                    hire_date: NaiveDate::from_ymd_opt(
                        2000 + next(26) as i32,
                        1 + next(12) as u32,
                        1 + next(28) as u32,
                    )
                    .unwrap_or_default(),
                    score: 50 + next(51) as u32,
                    days: if next(20) == 0 { 1 + next(30) as u32 } else { 31 },
                };
                let before = withhold(
                    &TaxYearToDate { months: 8, ..TaxYearToDate::default() },
                    &app::domain::tax::TaxMonth {
                        income: Decimal::from(3_000 + next(9_000)),
                        ..Default::default()
                    },
                )
                .to_date;
                (facts, before)
            })
            .collect();
        let mut times = Vec::new();
        let mut net = Decimal::ZERO;
        for _ in 0..5 {
            let t = Instant::now();
            net = Decimal::ZERO;
            for (facts, before) in &people {
                let line = compute(&LineInput {
                    month,
                    standards: &standards,
                    insurance: &insurance,
                    facts: Some(*facts),
                    additional: Decimal::ZERO,
                    before: *before,
                    insured: facts.days >= 15,
                    adjustments: &[],
                })
                .expect("line");
                net += line.net;
            }
            times.push(t.elapsed());
        }
        times.sort();
        let median = times[2];
        println!(
            "| {posts} | {:.1} ms | {:.2} µs | {net} |",
            median.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e6 / posts as f64
        );
    }
}
