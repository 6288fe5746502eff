//! Individual income tax on wages by cumulative withholding (累计预扣法,
//! 国家税务总局公告2018年第61号):
//!
//! - 累计预扣预缴应纳税所得额 = 累计收入 − 累计免税收入 − 累计减除费用
//!   − 累计专项扣除 − 累计专项附加扣除 − 累计依法确定的其他扣除;
//! - 累计减除费用 = 5,000 × the months worked for this employer in the
//!   year (a mid-year joiner counts from the month they join);
//! - 本期应预扣预缴税额 = 累计应纳税所得额 × 预扣率 − 速算扣除数
//!   − 累计已预扣预缴税额; a negative result withholds nothing (the
//!   difference is settled in the annual reconciliation, 汇算清缴).
//!
//! Amounts are yuan; the tax of each step is rounded to the fen by
//! [`round_fen`], the one rounding function.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::round_fen;

/// 减除费用 per month of employment with this employer.
pub const MONTHLY_BASIC_DEDUCTION: Decimal = Decimal::from_parts(5_000, 0, 0, false, 0);

/// One bracket of 预扣率表一 (cumulative annual amounts): up to `upto`
/// yuan (inclusive; `None`: no upper bound), `rate` percent, quick
/// deduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bracket {
    pub upto: Option<i64>,
    pub rate: u32,
    pub quick: i64,
}

/// 预扣率表一, the same numbers as the annual 综合所得 table.
pub const BRACKETS: [Bracket; 7] = [
    Bracket { upto: Some(36_000), rate: 3, quick: 0 },
    Bracket { upto: Some(144_000), rate: 10, quick: 2_520 },
    Bracket { upto: Some(300_000), rate: 20, quick: 16_920 },
    Bracket { upto: Some(420_000), rate: 25, quick: 31_920 },
    Bracket { upto: Some(660_000), rate: 30, quick: 52_920 },
    Bracket { upto: Some(960_000), rate: 35, quick: 85_920 },
    Bracket { upto: None, rate: 45, quick: 181_920 },
];

/// The bracket a cumulative taxable income falls in.
pub fn bracket_for(taxable: Decimal) -> Bracket {
    BRACKETS
        .iter()
        .copied()
        .find(|b| b.upto.is_none_or(|u| taxable <= Decimal::from(u)))
        .unwrap_or(BRACKETS[6])
}

/// Tax on a cumulative taxable income (zero when it is not positive).
pub fn tax_on(taxable: Decimal) -> Decimal {
    if taxable <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let b = bracket_for(taxable);
    round_fen(taxable * Decimal::from(b.rate) / Decimal::ONE_HUNDRED - Decimal::from(b.quick))
        .max(Decimal::ZERO)
}

/// One month's amounts for the withholding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxMonth {
    /// 收入: taxable pay of the month.
    pub income: Decimal,
    /// 免税收入.
    pub exempt: Decimal,
    /// 专项扣除: the employee's own social insurance and housing fund.
    pub special: Decimal,
    /// 专项附加扣除 of the month.
    pub additional: Decimal,
    /// 依法确定的其他扣除.
    pub other: Decimal,
}

/// The year to date with this employer, after the last month withheld.
/// What is not given is zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaxYearToDate {
    /// Months of employment with this employer so far this year.
    pub months: u32,
    pub income: Decimal,
    pub exempt: Decimal,
    pub special: Decimal,
    pub additional: Decimal,
    pub other: Decimal,
    /// 累计已预扣预缴税额.
    pub withheld: Decimal,
}

impl TaxYearToDate {
    /// 累计减除费用.
    pub fn basic_deduction(&self) -> Decimal {
        MONTHLY_BASIC_DEDUCTION * Decimal::from(self.months)
    }

    /// 累计预扣预缴应纳税所得额 (may be negative).
    pub fn taxable(&self) -> Decimal {
        self.income - self.exempt - self.basic_deduction() - self.special - self.additional - self.other
    }
}

/// The withholding of one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withholding {
    /// 本期应预扣预缴税额 (never negative).
    pub tax: Decimal,
    /// Cumulative figures including this month.
    pub to_date: TaxYearToDate,
    /// The cumulative rate applied, in percent.
    pub rate: u32,
}

/// Withholds tax for the next month of employment: `before` is the year
/// to date (default for the first month with this employer this year).
pub fn withhold(before: &TaxYearToDate, month: &TaxMonth) -> Withholding {
    withhold_in(before, month, true)
}

/// [`withhold`] for a payment in a month that is not a month of
/// employment (a back payment after leaving): the 5,000 is not counted
/// again.
pub fn withhold_in(before: &TaxYearToDate, month: &TaxMonth, employed: bool) -> Withholding {
    let mut to_date = TaxYearToDate {
        months: before.months + u32::from(employed),
        income: before.income + month.income,
        exempt: before.exempt + month.exempt,
        special: before.special + month.special,
        additional: before.additional + month.additional,
        other: before.other + month.other,
        withheld: before.withheld,
    };
    let taxable = to_date.taxable();
    let due = tax_on(taxable) - before.withheld;
    let tax = due.max(Decimal::ZERO);
    to_date.withheld += tax;
    Withholding { tax, to_date, rate: if taxable > Decimal::ZERO { bracket_for(taxable).rate } else { 0 } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn y(n: i64) -> Decimal {
        Decimal::from(n)
    }

    /// The 税务总局 example of 公告2018年第61号 (REFERENCE.md §1), all
    /// twelve months: 30,000 a month, 4,500 三险一金, 2,000 专项附加扣除.
    #[test]
    fn the_official_example_month_by_month() {
        let month =
            TaxMonth { income: y(30_000), special: y(4_500), additional: y(2_000), ..TaxMonth::default() };
        let expected = [555, 625, 1_850, 1_850, 1_850, 1_850, 1_850, 2_250, 3_700, 3_700, 3_700, 3_700];
        let mut ytd = TaxYearToDate::default();
        for (i, want) in expected.iter().enumerate() {
            let w = withhold(&ytd, &month);
            assert_eq!(w.tax, y(*want), "month {}", i + 1);
            ytd = w.to_date;
        }
        assert_eq!(ytd.withheld, y(27_480));
        assert_eq!(ytd.taxable(), y(222_000));
        assert_eq!(tax_on(y(222_000)), y(27_480));
    }

    #[test]
    fn bracket_bounds_are_inclusive() {
        assert_eq!(bracket_for(y(36_000)).rate, 3);
        assert_eq!(bracket_for(y(36_000) + Decimal::new(1, 2)).rate, 10);
        assert_eq!(bracket_for(y(960_000)).rate, 35);
        assert_eq!(bracket_for(y(960_001)).rate, 45);
        assert_eq!(tax_on(y(-100)), Decimal::ZERO);
        // Continuity: both sides of a bound give the same tax.
        for b in &BRACKETS[..6] {
            let at = Decimal::from(b.upto.expect("bound"));
            let next = BRACKETS.iter().find(|n| n.rate > b.rate).expect("next");
            let low = at * Decimal::from(b.rate) / y(100) - Decimal::from(b.quick);
            let high = at * Decimal::from(next.rate) / y(100) - Decimal::from(next.quick);
            assert_eq!(low, high, "bound {at}");
        }
    }

    /// A mid-year joiner: employed from July, the 5,000 a month counts
    /// from July only, so the first months withhold as for a new year.
    #[test]
    fn a_mid_year_joiner_counts_months_from_joining() {
        let month = TaxMonth { income: y(8_000), special: y(900), ..TaxMonth::default() };
        let mut ytd = TaxYearToDate::default();
        let mut taxes = Vec::new();
        for _ in 7..=12 {
            let w = withhold(&ytd, &month);
            taxes.push(w.tax);
            ytd = w.to_date;
        }
        // (8,000 − 5,000 − 900) × 3% = 63 each month; 6 months, 12,600
        // taxable in all.
        assert_eq!(taxes, vec![y(63); 6]);
        assert_eq!(ytd.months, 6);
        assert_eq!(ytd.taxable(), y(12_600));
    }

    /// A lower month never refunds: the withholding stops at zero until
    /// the cumulative tax passes what was withheld.
    #[test]
    fn withholding_is_never_negative() {
        let high = TaxMonth { income: y(20_000), ..TaxMonth::default() };
        let none = TaxMonth { income: y(0), ..TaxMonth::default() };
        let w1 = withhold(&TaxYearToDate::default(), &high);
        assert_eq!(w1.tax, y(450));
        let w2 = withhold(&w1.to_date, &none);
        assert_eq!(w2.tax, Decimal::ZERO);
        assert_eq!(w2.to_date.withheld, y(450));
        // Below the threshold all year: nothing at all.
        let low = TaxMonth { income: y(4_000), ..TaxMonth::default() };
        let w = withhold(&TaxYearToDate::default(), &low);
        assert_eq!((w.tax, w.rate), (Decimal::ZERO, 0));
    }

    #[test]
    fn fractions_round_to_the_fen() {
        let month = TaxMonth { income: yuan("5333.33"), ..TaxMonth::default() };
        // 333.33 × 3% = 9.9999 → 10.00.
        assert_eq!(withhold(&TaxYearToDate::default(), &month).tax, yuan("10.00"));
    }
}

/// A year and month, ordered (2026-03 < 2026-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    /// `YYYY-MM`, as typed in an `<input type="month">` or stored.
    pub fn parse(s: &str) -> Option<YearMonth> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        YearMonth::new(y.parse().ok()?, m.parse().ok()?)
    }

    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        (1..=12).contains(&month).then_some(YearMonth { year, month })
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

/// A 专项附加扣除 a person declared (国发〔2018〕41号, amounts as raised by
/// 国发〔2023〕13号 from 2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdditionalKind {
    /// 子女教育: 2,000 a child a month; `half` when both parents claim.
    ChildEducation { children: u32, half: bool },
    /// 3岁以下婴幼儿照护: 2,000 a child a month; `half` as above.
    InfantCare { children: u32, half: bool },
    /// 赡养老人: 3,000 for an only child; otherwise the person's share,
    /// at most 1,500.
    ElderlySupport { only_child: bool, share: Decimal },
    /// 住房贷款利息: 1,000 a month (500 when spouses split it).
    HousingLoan { half: bool },
    /// 住房租金: 1,500, 1,100 or 800 by city size.
    HousingRent { amount: Decimal },
    /// 继续教育, degree education: 400 a month.
    DegreeEducation,
    /// 继续教育, a vocational certificate: 3,600 once, in the month
    /// declared (the year it was obtained).
    VocationalCertificate,
}

/// A declared deduction with the months it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionalDeduction {
    pub kind: AdditionalKind,
    pub from: YearMonth,
    /// Last month included; `None`: until further notice.
    pub until: Option<YearMonth>,
}

/// Why a declaration is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeductionProblem {
    NoChildren,
    /// 赡养老人 shared between siblings is at most 1,500 a person.
    ElderlyShareTooLarge,
    /// Rent is 1,500, 1,100 or 800.
    RentAmount,
    /// The last month is before the first.
    EndsBeforeItStarts,
    /// 住房贷款利息 and 住房租金 cannot both be claimed in one year.
    LoanAndRent,
    /// The same item declared twice for the same months (one declaration
    /// per item carries its count of children); a vocational certificate
    /// once a year.
    Duplicate,
}

impl DeductionProblem {
    pub const ALL: [DeductionProblem; 6] = [
        DeductionProblem::NoChildren,
        DeductionProblem::ElderlyShareTooLarge,
        DeductionProblem::RentAmount,
        DeductionProblem::EndsBeforeItStarts,
        DeductionProblem::LoanAndRent,
        DeductionProblem::Duplicate,
    ];
}

impl AdditionalDeduction {
    fn applies(&self, on: YearMonth) -> bool {
        match self.kind {
            AdditionalKind::VocationalCertificate => on == self.from,
            _ => self.from <= on && self.until.is_none_or(|u| on <= u),
        }
    }

    /// The deduction in a month it applies to.
    pub fn monthly(&self) -> Decimal {
        let y = Decimal::from;
        let half = |full: Decimal, half: bool| if half { full / y(2) } else { full };
        match self.kind {
            AdditionalKind::ChildEducation { children, half: h }
            | AdditionalKind::InfantCare { children, half: h } => half(y(2_000) * y(children), h),
            AdditionalKind::ElderlySupport { only_child: true, .. } => y(3_000),
            AdditionalKind::ElderlySupport { only_child: false, share } => share.min(y(1_500)),
            AdditionalKind::HousingLoan { half: h } => half(y(1_000), h),
            AdditionalKind::HousingRent { amount } => amount,
            AdditionalKind::DegreeEducation => y(400),
            AdditionalKind::VocationalCertificate => y(3_600),
        }
    }

    /// Checks one declaration on its own.
    pub fn check(&self) -> Result<(), DeductionProblem> {
        if self.until.is_some_and(|u| u < self.from) {
            return Err(DeductionProblem::EndsBeforeItStarts);
        }
        match self.kind {
            AdditionalKind::ChildEducation { children: 0, .. }
            | AdditionalKind::InfantCare { children: 0, .. } => Err(DeductionProblem::NoChildren),
            AdditionalKind::ElderlySupport { only_child: false, share }
                if share > Decimal::from(1_500) || share <= Decimal::ZERO =>
            {
                Err(DeductionProblem::ElderlyShareTooLarge)
            }
            AdditionalKind::HousingRent { amount }
                if ![1_500, 1_100, 800].iter().any(|a| Decimal::from(*a) == amount) =>
            {
                Err(DeductionProblem::RentAmount)
            }
            _ => Ok(()),
        }
    }
}

/// Checks a person's declarations together: each on its own, and no
/// housing loan and rent in the same year.
pub fn check_deductions(all: &[AdditionalDeduction]) -> Result<(), DeductionProblem> {
    for d in all {
        d.check()?;
    }
    let years = |want: fn(&AdditionalKind) -> bool| -> Vec<(i32, i32)> {
        all.iter()
            .filter(|d| want(&d.kind))
            .map(|d| (d.from.year, d.until.map_or(i32::MAX, |u| u.year)))
            .collect()
    };
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            if std::mem::discriminant(&a.kind) != std::mem::discriminant(&b.kind) {
                continue;
            }
            let clash = if a.kind == AdditionalKind::VocationalCertificate {
                a.from.year == b.from.year
            } else {
                let end =
                    |d: &AdditionalDeduction| d.until.unwrap_or(YearMonth { year: i32::MAX, month: 12 });
                a.from <= end(b) && b.from <= end(a)
            };
            if clash {
                return Err(DeductionProblem::Duplicate);
            }
        }
    }
    let loans = years(|k| matches!(k, AdditionalKind::HousingLoan { .. }));
    let rents = years(|k| matches!(k, AdditionalKind::HousingRent { .. }));
    let overlap = loans.iter().any(|(a, b)| rents.iter().any(|(c, d)| a <= d && c <= b));
    if overlap { Err(DeductionProblem::LoanAndRent) } else { Ok(()) }
}

/// The 专项附加扣除 of one month.
pub fn additional_for(all: &[AdditionalDeduction], on: YearMonth) -> Decimal {
    all.iter().filter(|d| d.applies(on)).map(AdditionalDeduction::monthly).sum()
}

#[cfg(test)]
mod deduction_tests {
    use super::*;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).expect("month")
    }

    fn d(kind: AdditionalKind, from: YearMonth, until: Option<YearMonth>) -> AdditionalDeduction {
        AdditionalDeduction { kind, from, until }
    }

    #[test]
    fn the_same_item_twice_over_the_same_months_is_refused() {
        let child = AdditionalKind::ChildEducation { children: 1, half: false };
        let first = d(child, ym(2026, 1), Some(ym(2026, 6)));
        assert_eq!(check_deductions(&[first, d(child, ym(2026, 6), None)]), Err(DeductionProblem::Duplicate));
        assert_eq!(check_deductions(&[first, d(child, ym(2026, 7), None)]), Ok(()), "one after the other");
        let cert = AdditionalKind::VocationalCertificate;
        assert_eq!(
            check_deductions(&[d(cert, ym(2026, 3), None), d(cert, ym(2026, 9), None)]),
            Err(DeductionProblem::Duplicate)
        );
        assert_eq!(check_deductions(&[d(cert, ym(2026, 3), None), d(cert, ym(2027, 3), None)]), Ok(()));
        assert_eq!(check_deductions(&[first, d(AdditionalKind::DegreeEducation, ym(2026, 1), None)]), Ok(()));
    }

    #[test]
    fn monthly_amounts_follow_the_2023_standards() {
        let all = [
            d(AdditionalKind::ChildEducation { children: 2, half: false }, ym(2026, 1), None),
            d(
                AdditionalKind::ElderlySupport { only_child: false, share: Decimal::from(1_000) },
                ym(2026, 3),
                Some(ym(2026, 6)),
            ),
            d(AdditionalKind::VocationalCertificate, ym(2026, 5), None),
            d(AdditionalKind::InfantCare { children: 1, half: true }, ym(2026, 1), None),
        ];
        assert_eq!(check_deductions(&all), Ok(()));
        assert_eq!(additional_for(&all, ym(2026, 1)), Decimal::from(5_000));
        assert_eq!(additional_for(&all, ym(2026, 5)), Decimal::from(9_600));
        assert_eq!(additional_for(&all, ym(2026, 7)), Decimal::from(5_000));
        assert_eq!(additional_for(&all, ym(2025, 12)), Decimal::ZERO);
    }

    #[test]
    fn declarations_are_checked() {
        let rent = d(AdditionalKind::HousingRent { amount: Decimal::from(1_100) }, ym(2026, 1), None);
        let loan = d(AdditionalKind::HousingLoan { half: false }, ym(2026, 6), None);
        assert_eq!(check_deductions(&[rent, loan]), Err(DeductionProblem::LoanAndRent));
        let old_rent = AdditionalDeduction { from: ym(2025, 1), until: Some(ym(2025, 12)), ..rent };
        assert_eq!(check_deductions(&[old_rent, loan]), Ok(()));
        let bad_rent = d(AdditionalKind::HousingRent { amount: Decimal::from(1_000) }, ym(2026, 1), None);
        assert_eq!(bad_rent.check(), Err(DeductionProblem::RentAmount));
        let share = d(
            AdditionalKind::ElderlySupport { only_child: false, share: Decimal::from(2_000) },
            ym(2026, 1),
            None,
        );
        assert_eq!(share.check(), Err(DeductionProblem::ElderlyShareTooLarge));
        let backwards = d(AdditionalKind::DegreeEducation, ym(2026, 5), Some(ym(2026, 4)));
        assert_eq!(backwards.check(), Err(DeductionProblem::EndsBeforeItStarts));
    }
}
