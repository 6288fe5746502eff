//! Social insurance and the housing fund (五险一金) of one person for one
//! month: the contribution base clamped to the year's floor and ceiling,
//! then each item at its rate.
//!
//! **Rounding.** The clamped base is used as it is, or rounded to whole
//! yuan where the year's rates say so ([`BaseRounding`]); each item is then
//! rounded to the fen on its own by [`round_fen`] (half away from zero), and
//! the totals are sums of rounded items. No authoritative Chongqing rule was
//! found (REFERENCE.md §2), so the base rounding is configurable and the
//! item rounding is the project's one rule.
//!
//! Contributions are monthly: a person on the payroll in a month pays the
//! whole month's contributions, whatever the days worked (only pay is
//! prorated, see `domain::pay`). Employer contributions are a cost to the
//! budget, never a deduction from pay.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::round_fen;

/// How the clamped base is rounded before the rates apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseRounding {
    /// Used to the fen, as declared.
    None,
    /// Rounded half up to whole yuan.
    Yuan,
}

/// A rate pair in percent (`16` is 16%).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    pub employer: Decimal,
    pub employee: Decimal,
}

/// The year's contribution rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuranceRules {
    /// 缴费基数下限 and 上限 (monthly yuan).
    pub base_floor: Decimal,
    pub base_ceiling: Decimal,
    pub base_rounding: BaseRounding,
    /// 养老.
    pub pension: Rates,
    /// 基本医疗 (生育 merged in).
    pub medical: Rates,
    /// 大额医疗互助: employer percent of the base; employee a fixed amount
    /// a month. Zero where not configured.
    pub serious_illness_employer: Decimal,
    pub serious_illness_employee_fixed: Decimal,
    /// 失业.
    pub unemployment: Rates,
    /// 工伤: employer only, at the industry's benchmark rate.
    pub injury_employer: Decimal,
    /// 住房公积金.
    pub housing_fund: Rates,
}

/// Why a set of rules is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RulesProblem {
    /// Floor above ceiling, or not positive.
    Base,
    /// A rate below 0 or above 100%.
    Rate,
    /// Housing fund rates outside 5–12% (national range).
    HousingFundRange,
}

impl InsuranceRules {
    /// Chongqing's rates as REFERENCE.md §2 found them (third-party,
    /// undated) with the unverified 4,500 / 22,500 base: the demo's rules
    /// and a starting point to correct.
    pub fn chongqing_example() -> InsuranceRules {
        let r = |e: i64, w: i64, scale: u32| Rates {
            employer: Decimal::new(e, scale),
            employee: Decimal::new(w, scale),
        };
        InsuranceRules {
            base_floor: Decimal::from(4_500),
            base_ceiling: Decimal::from(22_500),
            base_rounding: BaseRounding::None,
            pension: r(16, 8, 0),
            medical: r(85, 20, 1),
            serious_illness_employer: Decimal::new(15, 1),
            serious_illness_employee_fixed: Decimal::from(5),
            unemployment: r(5, 5, 1),
            injury_employer: Decimal::new(4, 1),
            housing_fund: r(7, 7, 0),
        }
    }

    pub fn check(&self) -> Result<(), RulesProblem> {
        if self.base_floor <= Decimal::ZERO || self.base_floor > self.base_ceiling {
            return Err(RulesProblem::Base);
        }
        let pct = |d: Decimal| (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&d);
        let all = [
            self.pension.employer,
            self.pension.employee,
            self.medical.employer,
            self.medical.employee,
            self.serious_illness_employer,
            self.unemployment.employer,
            self.unemployment.employee,
            self.injury_employer,
        ];
        if !all.into_iter().all(pct) || self.serious_illness_employee_fixed < Decimal::ZERO {
            return Err(RulesProblem::Rate);
        }
        let hf = |d: Decimal| d.is_zero() || (Decimal::from(5)..=Decimal::from(12)).contains(&d);
        if !hf(self.housing_fund.employer) || !hf(self.housing_fund.employee) {
            return Err(RulesProblem::HousingFundRange);
        }
        Ok(())
    }

    /// The base actually used: clamped, then rounded as configured.
    pub fn base_for(&self, declared: Decimal) -> Decimal {
        let clamped = declared.max(self.base_floor).min(self.base_ceiling);
        match self.base_rounding {
            BaseRounding::None => clamped,
            BaseRounding::Yuan => {
                clamped.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            }
        }
    }

    /// One month's contributions on a declared base.
    pub fn contributions(&self, declared_base: Decimal) -> Contributions {
        let base = self.base_for(declared_base);
        let at = |rate: Decimal| round_fen(base * rate / Decimal::ONE_HUNDRED);
        Contributions {
            base,
            employee: Side {
                pension: at(self.pension.employee),
                medical: at(self.medical.employee),
                serious_illness: round_fen(self.serious_illness_employee_fixed),
                unemployment: at(self.unemployment.employee),
                injury: Decimal::ZERO,
                housing_fund: at(self.housing_fund.employee),
            },
            employer: Side {
                pension: at(self.pension.employer),
                medical: at(self.medical.employer),
                serious_illness: at(self.serious_illness_employer),
                unemployment: at(self.unemployment.employer),
                injury: at(self.injury_employer),
                housing_fund: at(self.housing_fund.employer),
            },
        }
    }
}

/// One side's contributions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    pub pension: Decimal,
    pub medical: Decimal,
    pub serious_illness: Decimal,
    pub unemployment: Decimal,
    /// Employer only (zero for the employee).
    pub injury: Decimal,
    pub housing_fund: Decimal,
}

impl Side {
    /// Social insurance only (without the housing fund).
    pub fn insurance(&self) -> Decimal {
        self.pension + self.medical + self.serious_illness + self.unemployment + self.injury
    }

    /// Everything, housing fund included.
    pub fn total(&self) -> Decimal {
        self.insurance() + self.housing_fund
    }
}

/// One person's contributions for one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contributions {
    /// The base used.
    pub base: Decimal,
    /// Withheld from pay; the tax's 专项扣除.
    pub employee: Side,
    /// Paid on top of pay: a cost to the budget.
    pub employer: Side,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn the_base_is_clamped_to_the_floor_and_ceiling() {
        let r = InsuranceRules::chongqing_example();
        assert_eq!(r.base_for(y("3000")), y("4500"));
        assert_eq!(r.base_for(y("30000")), y("22500"));
        assert_eq!(r.base_for(y("5321.45")), y("5321.45"));
        let yuan = InsuranceRules { base_rounding: BaseRounding::Yuan, ..r };
        assert_eq!(yuan.base_for(y("5321.50")), y("5322"));
    }

    #[test]
    fn each_item_at_its_rate_rounded_to_the_fen() {
        let c = InsuranceRules::chongqing_example().contributions(y("5321.45"));
        // 5,321.45 × 8% = 425.716 → 425.72; × 2% = 106.429 → 106.43;
        // × 0.5% = 26.60725 → 26.61; × 7% = 372.5015 → 372.50.
        assert_eq!(c.employee.pension, y("425.72"));
        assert_eq!(c.employee.medical, y("106.43"));
        assert_eq!(c.employee.serious_illness, y("5"));
        assert_eq!(c.employee.unemployment, y("26.61"));
        assert_eq!(c.employee.injury, Decimal::ZERO);
        assert_eq!(c.employee.housing_fund, y("372.50"));
        assert_eq!(c.employee.total(), y("936.26"));
        // Employer: 16% 851.432 → 851.43; 8.5% 452.32325 → 452.32;
        // 1.5% 79.82175 → 79.82; 0.5% 26.61; 0.4% 21.2858 → 21.29; 7% 372.50.
        assert_eq!(c.employer.total(), y("1803.97"));
    }

    #[test]
    fn rules_are_checked() {
        let ok = InsuranceRules::chongqing_example();
        assert_eq!(ok.check(), Ok(()));
        let upside_down = InsuranceRules { base_floor: y("30000"), ..ok.clone() };
        assert_eq!(upside_down.check(), Err(RulesProblem::Base));
        let hf = InsuranceRules { housing_fund: Rates { employer: y("13"), employee: y("7") }, ..ok.clone() };
        assert_eq!(hf.check(), Err(RulesProblem::HousingFundRange));
        let rate = InsuranceRules { injury_employer: y("-1"), ..ok };
        assert_eq!(rate.check(), Err(RulesProblem::Rate));
    }
}
