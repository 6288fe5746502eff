//! Budget sources and fund control (seed 002 §三, seed 003 §五): the four
//! kinds of source, the 1% rule, which cost types a source may pay
//! (专款专用), the ledger's arithmetic, the checks that refuse an overrun,
//! and the rule that social-work services take at least 5% of
//! 困难群众救助补助资金.
//!
//! The ledger arithmetic: every entry moves three sums of its source, and
//! `available = allocated − committed − paid`. A commitment reserves money
//! (an approved contract, a payroll run, a spending request); paying it
//! moves the amount from committed to paid; a reversal undoes one entry.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::round_fen;

/// The four kinds of source of seed 002.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SourceKind {
    /// (一) 上级下拨的专项资金.
    HigherLevel,
    /// (二) 上年市级下拨社会救助专项资金总数的1%: computed from its base.
    CityOnePercent,
    /// (三) 由区财政安排的资金.
    DistrictFinance,
    /// (四) 按规定可用于政府购买社会救助服务工作其它资金 (a town's own
    /// funds among them).
    Other,
}

impl SourceKind {
    pub const ALL: [SourceKind; 4] =
        [SourceKind::HigherLevel, SourceKind::CityOnePercent, SourceKind::DistrictFinance, SourceKind::Other];

    pub fn code(self) -> &'static str {
        match self {
            SourceKind::HigherLevel => "higher_level",
            SourceKind::CityOnePercent => "city_one_percent",
            SourceKind::DistrictFinance => "district_finance",
            SourceKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<SourceKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// What money is spent on: the columns of the eligibility matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CostType {
    /// 专职低保员 pay (gross, 应发).
    AssistantPay,
    /// The employer's social insurance and housing fund.
    EmployerInsurance,
    /// Payments under purchased-service contracts (social-work services).
    ContractPayment,
    Training,
    Other,
}

impl CostType {
    pub const ALL: [CostType; 5] = [
        CostType::AssistantPay,
        CostType::EmployerInsurance,
        CostType::ContractPayment,
        CostType::Training,
        CostType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CostType::AssistantPay => "assistant_pay",
            CostType::EmployerInsurance => "employer_insurance",
            CostType::ContractPayment => "contract_payment",
            CostType::Training => "training",
            CostType::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<CostType> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The kinds of ledger entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    Allocation,
    Commitment,
    Payment,
    Reversal,
}

impl EntryKind {
    pub const ALL: [EntryKind; 4] =
        [EntryKind::Allocation, EntryKind::Commitment, EntryKind::Payment, EntryKind::Reversal];

    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Allocation => "allocation",
            EntryKind::Commitment => "commitment",
            EntryKind::Payment => "payment",
            EntryKind::Reversal => "reversal",
        }
    }

    pub fn from_code(code: &str) -> Option<EntryKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Source (二): 1% of last year's city-level total, rounded to the fen by
/// the one rounding rule ([`round_fen`], half away from zero).
pub fn one_percent(base: Decimal) -> Decimal {
    round_fen(base / Decimal::ONE_HUNDRED)
}

/// A source's (or a filter's) three sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub allocated: Decimal,
    pub committed: Decimal,
    pub paid: Decimal,
}

impl Balance {
    /// allocated − committed − paid.
    pub fn available(&self) -> Decimal {
        self.allocated - self.committed - self.paid
    }
}

impl std::ops::Add for Balance {
    type Output = Balance;

    fn add(self, other: Balance) -> Balance {
        Balance {
            allocated: self.allocated + other.allocated,
            committed: self.committed + other.committed,
            paid: self.paid + other.paid,
        }
    }
}

/// One entry's effect on its source's sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effect {
    pub allocated: Decimal,
    pub committed: Decimal,
    pub paid: Decimal,
}

impl Effect {
    /// Money reserved.
    pub fn commitment(amount: Decimal) -> Effect {
        Effect { committed: amount, ..Effect::default() }
    }

    /// Money paid: against a commitment it moves from committed to paid.
    pub fn payment(amount: Decimal, against_commitment: bool) -> Effect {
        Effect {
            committed: if against_commitment { -amount } else { Decimal::ZERO },
            paid: amount,
            ..Effect::default()
        }
    }

    /// The opposite effect (a reversal).
    pub fn reversed(self) -> Effect {
        Effect { allocated: -self.allocated, committed: -self.committed, paid: -self.paid }
    }
}

/// Why money may not be committed or paid from a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FundProblem {
    /// The source may not pay this type of cost (专款专用).
    NotEligible { source: String, cost_type: CostType },
    /// The source has less available than asked.
    Shortfall { source: String, cost_type: CostType, available: Decimal, requested: Decimal },
}

impl FundProblem {
    /// How much is missing (zero for an eligibility refusal).
    pub fn shortfall(&self) -> Decimal {
        match self {
            FundProblem::NotEligible { .. } => Decimal::ZERO,
            FundProblem::Shortfall { available, requested, .. } => *requested - *available,
        }
    }
}

/// Checks that `source` may pay `amount` of `cost_type`, given what it may
/// pay and what it has available. Eligibility comes first: an ineligible
/// type is refused whatever the balance.
pub fn check_funds(
    source: &str,
    eligible: &[CostType],
    available: Decimal,
    cost_type: CostType,
    amount: Decimal,
) -> Result<(), FundProblem> {
    if !eligible.contains(&cost_type) {
        return Err(FundProblem::NotEligible { source: source.to_owned(), cost_type });
    }
    if amount > available {
        return Err(FundProblem::Shortfall {
            source: source.to_owned(),
            cost_type,
            available,
            requested: amount,
        });
    }
    Ok(())
}

/// Why a budget action is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BudgetProblem {
    /// Money checks refused it; an approver may override with a reason.
    Funds(FundProblem),
    NameRequired,
    /// Amounts are positive and at most 10^12 yuan.
    Amount,
    /// The 1% source needs its base; other kinds take a typed amount.
    BaseRequired,
    /// A correction, override or request needs a reason.
    ReasonRequired,
    /// No fiscal year with that number.
    NoFiscalYear,
    /// The fiscal year exists already.
    YearExists,
    /// A town buys only from a source of its own.
    NotTownSource,
    /// The source belongs to another year than the date.
    WrongYear,
    /// The source is not a 1% source (no base to correct).
    NotOnePercent,
    /// The new base is the old one.
    NoChange,
    /// A payment larger than what is still committed.
    MoreThanCommitted,
    /// A correction would leave less allocated than is already spent.
    BelowSpent,
    /// The entry was reversed already, or is a reversal itself.
    NotReversible,
    /// The request or run is not in the state the action needs.
    WrongState,
    /// An eligibility proposal that changes nothing, or is already pending.
    EligibilityUnchanged,
    /// The plan needs twelve non-negative amounts.
    Plan,
    /// A date is not a date (YYYY-MM-DD).
    Date,
    /// Nothing is left to pay: the commitment was paid in full (perhaps by
    /// a repeated or concurrent request).
    FullyPaid,
}

/// The most that can be entered as one amount: 10^12 yuan.
pub fn max_amount() -> Decimal {
    Decimal::from(1_000_000_000_000_i64)
}

/// Checks a typed amount: positive, at most [`max_amount`], whole fen.
pub fn check_amount(amount: Decimal) -> Result<Decimal, BudgetProblem> {
    if amount <= Decimal::ZERO || amount > max_amount() || round_fen(amount) != amount {
        return Err(BudgetProblem::Amount);
    }
    Ok(amount)
}

/// The social-work share rule: services bought from social-work
/// organisations (contract payments committed or paid in the year) take at
/// least `min_bp` basis points of the year's 困难群众救助补助资金.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareCheck {
    pub assistance_funds: Decimal,
    pub social_work: Decimal,
    /// The minimum, in yuan.
    pub required: Decimal,
    /// The share reached, in percent with two decimals (none when the
    /// assistance funds are not entered).
    pub share_percent: Option<Decimal>,
    pub met: bool,
}

/// Applies the share rule.
pub fn social_work_share(assistance_funds: Decimal, social_work: Decimal, min_bp: u32) -> ShareCheck {
    let required = round_fen(assistance_funds * Decimal::from(min_bp) / Decimal::from(10_000));
    let share_percent = (assistance_funds > Decimal::ZERO)
        .then(|| (social_work * Decimal::ONE_HUNDRED / assistance_funds).round_dp(2));
    ShareCheck {
        assistance_funds,
        social_work,
        required,
        share_percent,
        met: assistance_funds > Decimal::ZERO && social_work >= required,
    }
}

/// One month of execution against the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthExecution {
    pub month: u32,
    pub planned: Decimal,
    pub paid: Decimal,
    pub planned_to_date: Decimal,
    pub paid_to_date: Decimal,
}

impl MonthExecution {
    /// Paid to date as a percentage of planned to date (none before any
    /// plan).
    pub fn rate_percent(&self) -> Option<Decimal> {
        (self.planned_to_date > Decimal::ZERO)
            .then(|| (self.paid_to_date * Decimal::ONE_HUNDRED / self.planned_to_date).round_dp(1))
    }
}

/// Cumulates twelve months of plan and payments.
pub fn execution(planned: &[Decimal; 12], paid: &[Decimal; 12]) -> Vec<MonthExecution> {
    let mut planned_to_date = Decimal::ZERO;
    let mut paid_to_date = Decimal::ZERO;
    (0..12)
        .map(|i| {
            planned_to_date += planned[i];
            paid_to_date += paid[i];
            MonthExecution {
                month: i as u32 + 1,
                planned: planned[i],
                paid: paid[i],
                planned_to_date,
                paid_to_date,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn one_percent_rounds_half_up_to_the_fen() {
        assert_eq!(one_percent(d("520000000")), d("5200000"));
        assert_eq!(one_percent(d("123456789.50")), d("1234567.90"));
        // 0.005 yuan rounds away from zero.
        assert_eq!(one_percent(d("0.50")), d("0.01"));
        assert_eq!(one_percent(d("0.49")), d("0.00"));
    }

    #[test]
    fn ineligible_types_are_refused_before_the_balance_is_looked_at() {
        let p = check_funds("区财政", &[CostType::AssistantPay], d("1000"), CostType::Training, d("1"));
        assert_eq!(
            p,
            Err(FundProblem::NotEligible { source: "区财政".into(), cost_type: CostType::Training })
        );
    }

    #[test]
    fn an_overrun_names_the_shortfall() {
        let p = check_funds("上级专项", &CostType::ALL, d("99.99"), CostType::Training, d("100"))
            .expect_err("short");
        assert_eq!(p.shortfall(), d("0.01"));
        assert!(check_funds("上级专项", &CostType::ALL, d("100"), CostType::Training, d("100")).is_ok());
    }

    #[test]
    fn the_ledger_arithmetic_balances() {
        let mut b = Balance { allocated: d("1000"), ..Balance::default() };
        let apply = |b: Balance, e: Effect| Balance {
            allocated: b.allocated + e.allocated,
            committed: b.committed + e.committed,
            paid: b.paid + e.paid,
        };
        let commit = Effect::commitment(d("300"));
        b = apply(b, commit);
        assert_eq!(b.available(), d("700"));
        let pay = Effect::payment(d("200"), true);
        b = apply(b, pay);
        assert_eq!((b.committed, b.paid, b.available()), (d("100"), d("200"), d("700")));
        b = apply(b, pay.reversed());
        assert_eq!((b.committed, b.paid, b.available()), (d("300"), d("0"), d("700")));
        b = apply(b, commit.reversed());
        assert_eq!(b.available(), d("1000"));
    }

    #[test]
    fn the_five_percent_rule() {
        let c = social_work_share(d("60000000"), d("3000000"), 500);
        assert_eq!(c.required, d("3000000"));
        assert!(c.met);
        assert_eq!(c.share_percent, Some(d("5.00")));
        let c = social_work_share(d("60000000"), d("2999999.99"), 500);
        assert!(!c.met);
        let c = social_work_share(Decimal::ZERO, d("10"), 500);
        assert!(!c.met);
        assert_eq!(c.share_percent, None);
    }

    #[test]
    fn amounts_are_positive_whole_fen() {
        assert!(check_amount(d("0")).is_err());
        assert!(check_amount(d("-1")).is_err());
        assert!(check_amount(d("1.005")).is_err());
        assert!(check_amount(d("1000000000001")).is_err());
        assert_eq!(check_amount(d("12.30")), Ok(d("12.30")));
    }

    #[test]
    fn execution_cumulates() {
        let mut planned = [Decimal::ZERO; 12];
        let mut paid = [Decimal::ZERO; 12];
        planned[0] = d("100");
        planned[1] = d("100");
        paid[0] = d("50");
        paid[1] = d("100");
        let e = execution(&planned, &paid);
        assert_eq!(e[1].planned_to_date, d("200"));
        assert_eq!(e[1].rate_percent(), Some(d("75.0")));
        assert_eq!(e.len(), 12);
    }

    #[test]
    fn codes_round_trip() {
        for k in SourceKind::ALL {
            assert_eq!(SourceKind::from_code(k.code()), Some(k));
        }
        for c in CostType::ALL {
            assert_eq!(CostType::from_code(c.code()), Some(c));
        }
        for e in EntryKind::ALL {
            assert_eq!(EntryKind::from_code(e.code()), Some(e));
        }
    }
}
