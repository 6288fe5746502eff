//! One payroll line: a person's pay for a month from the year's standards,
//! their social insurance and housing fund, the income tax withheld by
//! cumulative withholding, one-off additions and deductions, and the net.
//!
//! Rules beyond the components (`domain::pay`), the contributions
//! (`domain::insurance`) and the tax (`domain::tax`):
//! - **contribution base** (缴费基数): the person's standard pay for a
//!   whole month at performance coefficient 1, clamped to the year's floor
//!   and ceiling;
//! - **gross** (应发) = the five components + additions (补发) −
//!   deductions (扣发); additions and deductions are taxable income of the
//!   month they are paid in;
//! - **net** (实发) = gross − the employee's contributions − tax; a
//!   negative net is refused (the deductions must be spread over months);
//! - **employer cost** = gross + the employer's contributions.
//! - **contributions in partial months**: due for a month when the person
//!   is on the roster on its 15th (a joiner after the 15th starts the next
//!   month; a leaver before the 15th has none that month). This is the
//!   common practice of social-insurance agencies, not a national rule;
//!   it keeps a short month's pay above the contributions.
//! - A line for someone not on the roster that month (a correction after
//!   leaving) has no pay components and no contributions, and does not
//!   count as a month of employment for the tax.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::insurance::{Contributions, InsuranceRules};
use super::pay::{PayComponents, PayFacts, PayStandards, monthly_pay};
use super::tax::{TaxMonth, TaxYearToDate, Withholding, YearMonth, withhold_in};

/// A one-off change to a person's pay, paid in a later run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    /// Positive yuan.
    pub amount: Decimal,
    /// The month it corrects or belongs to.
    pub for_month: YearMonth,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// 补发: paid in addition.
    Addition,
    /// 扣发: withheld.
    Deduction,
}

impl AdjustmentKind {
    pub fn code(self) -> &'static str {
        match self {
            AdjustmentKind::Addition => "addition",
            AdjustmentKind::Deduction => "deduction",
        }
    }

    pub fn from_code(code: &str) -> Option<AdjustmentKind> {
        [AdjustmentKind::Addition, AdjustmentKind::Deduction].into_iter().find(|k| k.code() == code)
    }
}

/// Everything one line depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput<'a> {
    pub month: YearMonth,
    pub standards: &'a PayStandards,
    pub insurance: &'a InsuranceRules,
    /// `None`: not on the roster this month (adjustments only).
    pub facts: Option<PayFacts>,
    /// 专项附加扣除 of the month.
    pub additional: Decimal,
    /// The tax year to date before this month.
    pub before: TaxYearToDate,
    /// Contributions are due this month (see [`insured_in`]).
    pub insured: bool,
    pub adjustments: &'a [Adjustment],
}

/// A computed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub pay: PayComponents,
    pub additions: Decimal,
    pub deductions: Decimal,
    /// 应发.
    pub gross: Decimal,
    pub contributions: Contributions,
    pub tax: Withholding,
    /// 实发.
    pub net: Decimal,
    pub employer_cost: Decimal,
}

/// Why a line cannot be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineProblem {
    /// Deductions and contributions exceed the pay: spread them.
    NegativeNet,
    /// An adjustment amount not above zero.
    AdjustmentAmount,
}

/// The contribution base for a person: their standard whole-month pay at
/// coefficient 1 (clamping is the insurance rules' part).
pub fn declared_base(standards: &PayStandards, facts: &PayFacts, month: YearMonth) -> Decimal {
    let whole = PayFacts { days: super::pay::days_in(month), ..*facts };
    let pay = monthly_pay(standards, &whole, month);
    pay.base + pay.role + pay.tenure + pay.qualification + standards.performance_base
}

/// Are contributions due in `month` for someone hired on `hired` and
/// leaving on `left` (their last day)? When they are on the roster on the
/// 15th.
pub fn insured_in(month: YearMonth, hired: chrono::NaiveDate, left: Option<chrono::NaiveDate>) -> bool {
    chrono::NaiveDate::from_ymd_opt(month.year, month.month, 15)
        .is_some_and(|mid| hired <= mid && left.is_none_or(|l| l >= mid))
}

/// Computes one line.
pub fn compute(input: &LineInput<'_>) -> Result<Line, LineProblem> {
    let sum = |k: AdjustmentKind| -> Decimal {
        input.adjustments.iter().filter(|a| a.kind == k).map(|a| a.amount).sum()
    };
    if input.adjustments.iter().any(|a| a.amount <= Decimal::ZERO) {
        return Err(LineProblem::AdjustmentAmount);
    }
    let additions = sum(AdjustmentKind::Addition);
    let deductions = sum(AdjustmentKind::Deduction);
    let (pay, contributions) = match &input.facts {
        Some(f) if f.days > 0 => (
            monthly_pay(input.standards, f, input.month),
            if input.insured {
                input.insurance.contributions(declared_base(input.standards, f, input.month))
            } else {
                Contributions::default()
            },
        ),
        _ => (PayComponents::default(), Contributions::default()),
    };
    let employed = input.facts.is_some_and(|f| f.days > 0);
    let gross = pay.total() + additions - deductions;
    let tax = withhold_in(
        &input.before,
        &TaxMonth {
            income: gross,
            special: contributions.employee.total(),
            additional: if employed { input.additional } else { Decimal::ZERO },
            ..TaxMonth::default()
        },
        employed,
    );
    let net = gross - contributions.employee.total() - tax.tax;
    if net < Decimal::ZERO {
        return Err(LineProblem::NegativeNet);
    }
    Ok(Line {
        employer_cost: gross + contributions.employer.total(),
        pay,
        additions,
        deductions,
        gross,
        contributions,
        tax,
        net,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn yuan(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }
    use crate::domain::roster::{Certificate, RoleLevel};

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).expect("month")
    }

    fn facts(days: u32) -> PayFacts {
        PayFacts {
            role_level: RoleLevel::Assistant,
            certificate: Certificate::Assistant,
            hire_date: NaiveDate::from_ymd_opt(2021, 3, 15).expect("date"),
            score: 85,
            days,
        }
    }

    #[test]
    fn a_typical_month() {
        let (s, r) = (PayStandards::demo_2026(), InsuranceRules::chongqing_example());
        let line = compute(&LineInput {
            month: ym(2026, 4),
            standards: &s,
            insurance: &r,
            facts: Some(facts(30)),
            additional: Decimal::ZERO,
            before: TaxYearToDate::default(),
            insured: true,
            adjustments: &[],
        })
        .expect("line");
        assert_eq!(line.gross, Decimal::from(2_650));
        // Base 2,650 is below the floor: contributions on 4,500.
        assert_eq!(line.contributions.base, Decimal::from(4_500));
        assert_eq!(line.contributions.employee.total(), yuan("792.50"));
        assert_eq!(line.tax.tax, Decimal::ZERO);
        assert_eq!(line.net, yuan("1857.50"));
        assert_eq!(line.employer_cost, yuan("4175.50"));
        // About 50,000 a year with employer costs, as seed 002 budgets.
        let year = line.employer_cost * Decimal::from(12);
        assert!((Decimal::from(48_000)..=Decimal::from(52_000)).contains(&year), "{year}");
    }

    #[test]
    fn contributions_are_due_when_on_the_roster_on_the_15th() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        assert!(insured_in(ym(2026, 4), d(4, 15), None));
        assert!(!insured_in(ym(2026, 4), d(4, 16), None));
        assert!(insured_in(ym(2026, 4), d(1, 1), Some(d(4, 15))));
        assert!(!insured_in(ym(2026, 4), d(1, 1), Some(d(4, 14))));
        // A late joiner's short month: pay without contributions.
        let (s, r) = (PayStandards::demo_2026(), InsuranceRules::chongqing_example());
        let line = compute(&LineInput {
            month: ym(2026, 4),
            standards: &s,
            insurance: &r,
            facts: Some(facts(2)),
            additional: Decimal::ZERO,
            before: TaxYearToDate::default(),
            insured: false,
            adjustments: &[],
        })
        .expect("line");
        assert_eq!(line.contributions.employee.total(), Decimal::ZERO);
        assert_eq!(line.net, line.gross);
    }

    #[test]
    fn adjustments_are_taxable_and_never_make_net_negative() {
        let (s, r) = (PayStandards::demo_2026(), InsuranceRules::chongqing_example());
        let back_pay = [Adjustment {
            kind: AdjustmentKind::Addition,
            amount: Decimal::from(10_000),
            for_month: ym(2026, 3),
            reason: "补发三月绩效".into(),
        }];
        let input = LineInput {
            month: ym(2026, 4),
            standards: &s,
            insurance: &r,
            facts: Some(facts(30)),
            additional: Decimal::ZERO,
            before: TaxYearToDate::default(),
            insured: true,
            adjustments: &back_pay,
        };
        let line = compute(&input).expect("line");
        assert_eq!(line.gross, Decimal::from(12_650));
        // (12,650 − 5,000 − 792.50) × 3% = 205.725 → 205.73.
        assert_eq!(line.tax.tax, yuan("205.73"));
        let too_much = [Adjustment { kind: AdjustmentKind::Deduction, ..back_pay[0].clone() }];
        assert_eq!(
            compute(&LineInput { adjustments: &too_much, ..input.clone() }),
            Err(LineProblem::NegativeNet)
        );
        // After leaving: the addition alone, no contributions, no month.
        let line = compute(&LineInput { facts: None, ..input }).expect("line");
        assert_eq!((line.gross, line.contributions.employee.total()), (Decimal::from(10_000), Decimal::ZERO));
        assert_eq!(line.tax.to_date.months, 0);
        assert_eq!(line.tax.tax, Decimal::from(300));
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Lines are being computed (progress in `lines_done`).
    Computing,
    Draft,
    /// Waiting for an approver; the lines are frozen.
    Submitted,
    /// Immutable from here on.
    Approved,
    Paid,
    Discarded,
}

impl RunStatus {
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Computing,
        RunStatus::Draft,
        RunStatus::Submitted,
        RunStatus::Approved,
        RunStatus::Paid,
        RunStatus::Discarded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RunStatus::Computing => "computing",
            RunStatus::Draft => "draft",
            RunStatus::Submitted => "submitted",
            RunStatus::Approved => "approved",
            RunStatus::Paid => "paid",
            RunStatus::Discarded => "discarded",
        }
    }

    pub fn from_code(code: &str) -> Option<RunStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A person the run cannot go ahead without.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    pub staff_id: i64,
    pub name: String,
    pub town: String,
}

/// Why a payroll action is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayrollProblem {
    /// No adopted pay standards cover the month.
    NoStandards,
    /// No adopted insurance rules cover the month.
    NoInsuranceRules,
    /// Performance scores are missing for these people.
    MissingScores(Vec<Missing>),
    /// A run of the month is already under way or done.
    RunExists,
    /// The run is not in the state the action needs.
    WrongState,
    /// A line cannot be paid (the person and why).
    Line {
        staff_id: i64,
        name: String,
        problem: LineProblem,
    },
    /// A score outside 0–100.
    ScoreRange,
    /// A low score needs a reason.
    ReasonRequired,
    /// The month's run is submitted or approved: scores are closed.
    MonthClosed,
    /// A month in the future.
    FutureMonth,
    Standards(super::pay::StandardsProblem),
    Insurance(super::insurance::RulesProblem),
    Deduction(super::tax::DeductionProblem),
    /// A growth rate outside −20% to +50%.
    GrowthRate,
    /// An amount that is not positive or not whole fen.
    Amount,
    /// What the run is computed from (roster, posts, scores, standards,
    /// adjustments, deductions) changed after its computation began: it
    /// must be discarded and computed again before it is submitted.
    InputsChanged,
}

/// Seed 002: pay plus social insurance for 198 posts is about 10 million
/// yuan a year.
pub const SEED_BUDGET_YUAN: i64 = 10_000_000;
pub const SEED_BUDGET_POSTS: i64 = 198;

/// The seed's reference cost of `posts` posts for a year.
pub fn seed_reference(posts: u32) -> Decimal {
    super::money::round_fen(
        Decimal::from(SEED_BUDGET_YUAN) * Decimal::from(posts) / Decimal::from(SEED_BUDGET_POSTS),
    )
}

/// A year's pay and employer contributions for one person, projected: a
/// whole year at `standards` and `insurance`, the tenure they reach by
/// December, performance at coefficient 1 (the grade a score of
/// `typical_score` falls in). Returns (gross pay, employer contributions).
pub fn project_year(
    standards: &PayStandards,
    insurance: &InsuranceRules,
    facts: &PayFacts,
    year: i32,
) -> (Decimal, Decimal) {
    let december = YearMonth { year, month: 12 };
    let whole = PayFacts { days: super::pay::days_in(december), ..*facts };
    let pay = monthly_pay(standards, &whole, december);
    let contributions = insurance.contributions(declared_base(standards, &whole, december));
    let twelve = Decimal::from(12);
    (pay.total() * twelve, contributions.employer.total() * twelve)
}

#[cfg(test)]
mod projection_tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::roster::{Certificate, RoleLevel};

    #[test]
    fn a_typical_post_costs_what_the_seed_budgets() {
        let facts = PayFacts {
            role_level: RoleLevel::Assistant,
            certificate: Certificate::Assistant,
            hire_date: NaiveDate::from_ymd_opt(2021, 3, 15).expect("date"),
            score: 85,
            days: 31,
        };
        let (pay, employer) =
            project_year(&PayStandards::demo_2026(), &InsuranceRules::chongqing_example(), &facts, 2026);
        assert_eq!(pay, Decimal::from(31_800));
        assert_eq!(employer, Decimal::from(18_306));
        assert_eq!(seed_reference(198), Decimal::from(10_000_000));
        assert_eq!(seed_reference(1), "50505.05".parse::<Decimal>().expect("decimal"));
    }
}
