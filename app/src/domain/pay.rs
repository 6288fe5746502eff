//! Pay of a full-time assistant (seed 002): 基本补贴 + 职务补贴 +
//! 服务年限补贴 + 职业资格补贴 + 绩效补贴, from the year's standards.
//!
//! Rules:
//! - **tenure** counts full years of service on the last day of the month
//!   (`domain::roster::tenure`), times the amount per year, up to the cap;
//! - **performance**: the month's score (0–100) falls in a grade, whose
//!   coefficient multiplies the performance base;
//! - **partial months** (a joiner or a leaver): every component is
//!   prorated by calendar days on the roster in the month over the days of
//!   the month (按日历天数折算), each component rounded to the fen by
//!   [`round_fen`]; a whole month is not prorated at all;
//! - **annual adjustment**: chosen amounts grow by the social average
//!   wage's growth rate, each rounded to the fen.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::round_fen;
use super::roster::{Certificate, RoleLevel, tenure};
use super::tax::YearMonth;

/// A performance grade: scores from `min_score` up to the next grade's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    /// 优秀, 良好, 合格, 不合格...
    pub name: String,
    pub name_en: String,
    pub min_score: u32,
    /// Share of the performance base paid, e.g. 1.2, 1.0, 0.8, 0.
    pub coefficient: Decimal,
}

/// One year's pay standards (monthly yuan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayStandards {
    pub year: i32,
    /// 基本补贴.
    pub base: Decimal,
    /// 职务补贴 by role level, in [`RoleLevel::ALL`] order.
    pub role: [Decimal; 3],
    /// 服务年限补贴 per full year of service.
    pub tenure_per_year: Decimal,
    /// Years counted at most.
    pub tenure_cap_years: u32,
    /// 职业资格补贴 by certificate, in [`Certificate::ALL`] order.
    pub qualification: [Decimal; 4],
    /// 绩效补贴 at coefficient 1.
    pub performance_base: Decimal,
    /// Highest `min_score` first or in any order; the first must start
    /// at 0.
    pub grades: Vec<Grade>,
    /// Scores below this need a written reason.
    pub reason_below: u32,
}

/// Why a set of standards is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StandardsProblem {
    /// An amount below zero.
    NegativeAmount,
    /// No grade starts at score 0, two start at the same score, or a
    /// score above 100.
    Grades,
    /// A higher grade pays less than a lower one.
    GradesNotAscending,
    /// A coefficient below 0 or above 3.
    Coefficient,
}

/// Which amounts an annual adjustment raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Base,
    Role,
    Tenure,
    Qualification,
    Performance,
}

impl Component {
    pub const ALL: [Component; 5] = [
        Component::Base,
        Component::Role,
        Component::Tenure,
        Component::Qualification,
        Component::Performance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Component::Base => "base",
            Component::Role => "role",
            Component::Tenure => "tenure",
            Component::Qualification => "qualification",
            Component::Performance => "performance",
        }
    }
}

impl PayStandards {
    pub fn role_amount(&self, r: RoleLevel) -> Decimal {
        self.role[RoleLevel::ALL.iter().position(|x| *x == r).unwrap_or(2)]
    }

    pub fn qualification_amount(&self, c: Certificate) -> Decimal {
        self.qualification[Certificate::ALL.iter().position(|x| *x == c).unwrap_or(0)]
    }

    /// The grade a score falls in.
    pub fn grade(&self, score: u32) -> Option<&Grade> {
        self.grades.iter().filter(|g| g.min_score <= score).max_by_key(|g| g.min_score)
    }

    pub fn check(&self) -> Result<(), StandardsProblem> {
        let amounts = [self.base, self.tenure_per_year, self.performance_base]
            .into_iter()
            .chain(self.role)
            .chain(self.qualification);
        if amounts.into_iter().any(|a| a < Decimal::ZERO) {
            return Err(StandardsProblem::NegativeAmount);
        }
        let mut grades: Vec<&Grade> = self.grades.iter().collect();
        grades.sort_by_key(|g| g.min_score);
        if grades.first().is_none_or(|g| g.min_score != 0)
            || grades.windows(2).any(|w| w[0].min_score == w[1].min_score)
            || grades.iter().any(|g| g.min_score > 100)
        {
            return Err(StandardsProblem::Grades);
        }
        if grades.iter().any(|g| g.coefficient < Decimal::ZERO || g.coefficient > Decimal::from(3)) {
            return Err(StandardsProblem::Coefficient);
        }
        if grades.windows(2).any(|w| w[1].coefficient < w[0].coefficient) {
            return Err(StandardsProblem::GradesNotAscending);
        }
        Ok(())
    }

    /// Next year's standards: the chosen components grown by
    /// `growth_percent` (e.g. 5.2), each amount rounded to the fen.
    pub fn adjusted(&self, growth_percent: Decimal, components: &[Component]) -> PayStandards {
        let factor = Decimal::ONE + growth_percent / Decimal::ONE_HUNDRED;
        let grow = |c: Component, a: Decimal| if components.contains(&c) { round_fen(a * factor) } else { a };
        PayStandards {
            year: self.year + 1,
            base: grow(Component::Base, self.base),
            role: self.role.map(|a| grow(Component::Role, a)),
            tenure_per_year: grow(Component::Tenure, self.tenure_per_year),
            tenure_cap_years: self.tenure_cap_years,
            qualification: self.qualification.map(|a| grow(Component::Qualification, a)),
            performance_base: grow(Component::Performance, self.performance_base),
            grades: self.grades.clone(),
            reason_below: self.reason_below,
        }
    }

    /// The 2026 demo standards: a typical post (专职低保员, 5 years'
    /// service, 助理社会工作师, grade 良好) costs about 50,000 yuan a year
    /// with employer contributions, so 198 posts come to about 10 million
    /// (seed 002).
    pub fn demo_2026() -> PayStandards {
        let y = Decimal::from;
        PayStandards {
            year: 2026,
            base: y(2_000),
            role: [y(500), y(300), y(0)],
            tenure_per_year: y(30),
            tenure_cap_years: 20,
            qualification: [y(0), y(100), y(200), y(300)],
            performance_base: y(400),
            grades: vec![
                Grade {
                    name: "不合格".into(),
                    name_en: "Unsatisfactory".into(),
                    min_score: 0,
                    coefficient: y(0),
                },
                Grade {
                    name: "合格".into(),
                    name_en: "Satisfactory".into(),
                    min_score: 60,
                    coefficient: Decimal::new(8, 1),
                },
                Grade { name: "良好".into(), name_en: "Good".into(), min_score: 80, coefficient: y(1) },
                Grade {
                    name: "优秀".into(),
                    name_en: "Excellent".into(),
                    min_score: 90,
                    coefficient: Decimal::new(12, 1),
                },
            ],
            reason_below: 60,
        }
    }
}

/// What pay depends on, for one person and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayFacts {
    pub role_level: RoleLevel,
    pub certificate: Certificate,
    pub hire_date: NaiveDate,
    /// The month's performance score.
    pub score: u32,
    /// Days on the roster in the month (`days_in_month` for a whole
    /// month).
    pub days: u32,
}

/// The five components of one month's pay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayComponents {
    pub base: Decimal,
    pub role: Decimal,
    pub tenure: Decimal,
    pub qualification: Decimal,
    pub performance: Decimal,
    /// Full years counted for the tenure amount (after the cap).
    pub tenure_years: u32,
    pub grade: String,
    pub coefficient: Decimal,
    /// Days paid over days of the month.
    pub days: u32,
    pub days_in_month: u32,
}

impl PayComponents {
    pub fn total(&self) -> Decimal {
        self.base + self.role + self.tenure + self.qualification + self.performance
    }
}

/// The last day of a month.
pub fn last_day(month: YearMonth) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(month.year, month.month, 1).unwrap_or_default();
    first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first)
}

/// Days of a month.
pub fn days_in(month: YearMonth) -> u32 {
    last_day(month).day()
}

/// Days of `month` on which someone hired on `hired` and (maybe) leaving
/// on `left` (their last day) was on the roster.
pub fn days_on_roster(month: YearMonth, hired: NaiveDate, left: Option<NaiveDate>) -> u32 {
    let first = NaiveDate::from_ymd_opt(month.year, month.month, 1).unwrap_or_default();
    let from = hired.max(first);
    let until = left.map_or(last_day(month), |l| l.min(last_day(month)));
    if until < from { 0 } else { u32::try_from((until - from).num_days() + 1).unwrap_or(0) }
}

/// One month's pay components.
pub fn monthly_pay(std: &PayStandards, facts: &PayFacts, month: YearMonth) -> PayComponents {
    let dim = days_in(month);
    let days = facts.days.min(dim);
    let years = tenure(facts.hire_date, last_day(month)).years.min(std.tenure_cap_years);
    let grade = std.grade(facts.score.min(100));
    let coefficient = grade.map_or(Decimal::ZERO, |g| g.coefficient);
    let prorate = |full: Decimal| {
        if days == dim { full } else { round_fen(full * Decimal::from(days) / Decimal::from(dim)) }
    };
    PayComponents {
        base: prorate(std.base),
        role: prorate(std.role_amount(facts.role_level)),
        tenure: prorate(std.tenure_per_year * Decimal::from(years)),
        qualification: prorate(std.qualification_amount(facts.certificate)),
        performance: prorate(round_fen(std.performance_base * coefficient)),
        tenure_years: years,
        grade: grade.map(|g| g.name.clone()).unwrap_or_default(),
        coefficient,
        days,
        days_in_month: dim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).expect("month")
    }

    fn facts(score: u32, days: u32) -> PayFacts {
        PayFacts {
            role_level: RoleLevel::Assistant,
            certificate: Certificate::Assistant,
            hire_date: d(2021, 3, 15),
            score,
            days,
        }
    }

    #[test]
    fn the_five_components() {
        let s = PayStandards::demo_2026();
        assert_eq!(s.check(), Ok(()));
        let p = monthly_pay(&s, &facts(85, 31), ym(2026, 3));
        // Five full years on 2026-03-31 (hired 2021-03-15).
        assert_eq!(p.tenure_years, 5);
        assert_eq!(
            (p.base, p.role, p.tenure, p.qualification, p.performance),
            (Decimal::from(2_000), Decimal::ZERO, Decimal::from(150), Decimal::from(100), Decimal::from(400))
        );
        assert_eq!(p.total(), Decimal::from(2_650));
        assert_eq!(p.grade, "良好");
        // February: not yet five years on the 28th? Hired the 15th, so yes
        // by 2026-02-28 it is 4 years 11 months.
        assert_eq!(monthly_pay(&s, &facts(85, 28), ym(2026, 2)).tenure_years, 4);
    }

    #[test]
    fn scores_fall_in_grades() {
        let s = PayStandards::demo_2026();
        let perf = |score| monthly_pay(&s, &facts(score, 30), ym(2026, 4)).performance;
        assert_eq!(perf(59), Decimal::ZERO);
        assert_eq!(perf(60), Decimal::from(320));
        assert_eq!(perf(89), Decimal::from(400));
        assert_eq!(perf(90), Decimal::from(480));
        assert_eq!(perf(100), Decimal::from(480));
    }

    #[test]
    fn tenure_is_capped() {
        let s = PayStandards { tenure_cap_years: 3, ..PayStandards::demo_2026() };
        let p = monthly_pay(&s, &facts(80, 30), ym(2026, 4));
        assert_eq!((p.tenure_years, p.tenure), (3, Decimal::from(90)));
    }

    #[test]
    fn partial_months_are_prorated_by_calendar_days() {
        // Joined on 2026-04-20: 11 of 30 days.
        assert_eq!(days_on_roster(ym(2026, 4), d(2026, 4, 20), None), 11);
        // Left on 2026-02-10 (last day): 10 of 28.
        assert_eq!(days_on_roster(ym(2026, 2), d(2020, 1, 1), Some(d(2026, 2, 10))), 10);
        assert_eq!(days_on_roster(ym(2026, 3), d(2020, 1, 1), Some(d(2026, 2, 10))), 0);
        assert_eq!(days_on_roster(ym(2026, 5), d(2026, 6, 1), None), 0);
        let s = PayStandards::demo_2026();
        let p = monthly_pay(&s, &facts(85, 11), ym(2026, 4));
        // 2,000 × 11/30 = 733.333 → 733.33; 150 × 11/30 = 55; 100 × 11/30
        // = 36.666 → 36.67; 400 × 11/30 = 146.666 → 146.67.
        assert_eq!(p.base, yuan("733.33"));
        assert_eq!(p.tenure, Decimal::from(55));
        assert_eq!(p.qualification, yuan("36.67"));
        assert_eq!(p.performance, yuan("146.67"));
        assert_eq!(p.total(), yuan("971.67"));
    }

    #[test]
    fn the_annual_adjustment_grows_chosen_components() {
        let s = PayStandards::demo_2026();
        let next = s.adjusted(Decimal::new(52, 1), &[Component::Base, Component::Performance]);
        assert_eq!(next.year, 2027);
        assert_eq!(next.base, Decimal::from(2_104));
        assert_eq!(next.performance_base, yuan("420.80"));
        assert_eq!(next.role, s.role);
        assert_eq!(next.tenure_per_year, s.tenure_per_year);
    }

    #[test]
    fn standards_are_checked() {
        let mut s = PayStandards::demo_2026();
        s.grades[1].min_score = 0;
        assert_eq!(s.check(), Err(StandardsProblem::Grades));
        let mut s = PayStandards::demo_2026();
        s.grades[3].coefficient = Decimal::new(5, 1);
        assert_eq!(s.check(), Err(StandardsProblem::GradesNotAscending));
        let s = PayStandards { base: Decimal::from(-1), ..PayStandards::demo_2026() };
        assert_eq!(s.check(), Err(StandardsProblem::NegativeAmount));
    }
}
