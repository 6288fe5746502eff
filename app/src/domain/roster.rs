//! The roster of full-time assistants (专职低保员): who they are, their
//! qualifications and where they stand, and the rules for hiring them
//! (seed 002: new hires need 大专 or above; a social-work background is
//! preferred).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::idcard::{IdNumber, IdProblem};

/// Highest completed education.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Education {
    /// 初中及以下.
    JuniorOrBelow,
    /// 高中/中专.
    Secondary,
    /// 大专.
    College,
    /// 本科.
    Bachelor,
    /// 硕士.
    Master,
    /// 博士.
    Doctorate,
}

impl Education {
    pub const ALL: [Education; 6] = [
        Education::JuniorOrBelow,
        Education::Secondary,
        Education::College,
        Education::Bachelor,
        Education::Master,
        Education::Doctorate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Education::JuniorOrBelow => "junior_or_below",
            Education::Secondary => "secondary",
            Education::College => "college",
            Education::Bachelor => "bachelor",
            Education::Master => "master",
            Education::Doctorate => "doctorate",
        }
    }

    pub fn from_code(code: &str) -> Option<Education> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    /// Seed 002: new hires need 大专 or above.
    pub fn meets_hiring_minimum(self) -> bool {
        self >= Education::College
    }
}

/// Social-work qualification (社会工作者职业资格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certificate {
    /// 无.
    None,
    /// 助理社会工作师.
    Assistant,
    /// 社会工作师.
    Intermediate,
    /// 高级社会工作师.
    Senior,
}

impl Certificate {
    pub const ALL: [Certificate; 4] =
        [Certificate::None, Certificate::Assistant, Certificate::Intermediate, Certificate::Senior];

    pub fn code(self) -> &'static str {
        match self {
            Certificate::None => "none",
            Certificate::Assistant => "assistant",
            Certificate::Intermediate => "intermediate",
            Certificate::Senior => "senior",
        }
    }

    pub fn from_code(code: &str) -> Option<Certificate> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// Position held (the role level pay standards will price).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleLevel {
    /// 站长 (head of the town's assistance station).
    Head,
    /// 副站长.
    Deputy,
    /// 专职低保员.
    Assistant,
}

impl RoleLevel {
    pub const ALL: [RoleLevel; 3] = [RoleLevel::Head, RoleLevel::Deputy, RoleLevel::Assistant];

    pub fn code(self) -> &'static str {
        match self {
            RoleLevel::Head => "head",
            RoleLevel::Deputy => "deputy",
            RoleLevel::Assistant => "assistant",
        }
    }

    pub fn from_code(code: &str) -> Option<RoleLevel> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// Where a person stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffStatus {
    /// 在岗.
    OnDuty,
    /// 待岗: employed but without a post (for example after a post was
    /// abolished).
    Standby,
    /// 离职, on a date.
    Left,
}

impl StaffStatus {
    pub const ALL: [StaffStatus; 3] = [StaffStatus::OnDuty, StaffStatus::Standby, StaffStatus::Left];

    pub fn code(self) -> &'static str {
        match self {
            StaffStatus::OnDuty => "on_duty",
            StaffStatus::Standby => "standby",
            StaffStatus::Left => "left",
        }
    }

    pub fn from_code(code: &str) -> Option<StaffStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Service length in full years and months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tenure {
    pub years: u32,
    pub months: u32,
}

/// Full years and months from `hired` to `on` (0 before the hire date).
/// A month is complete on the same day of a later month; a hire on the
/// 31st completes a month on the last day of a shorter month.
pub fn tenure(hired: NaiveDate, on: NaiveDate) -> Tenure {
    if on <= hired {
        return Tenure::default();
    }
    let mut months = (on.year() - hired.year()) * 12 + on.month() as i32 - hired.month() as i32;
    let last_day_of_on_month = on
        .with_day(1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day());
    let day_reached = on.day() >= hired.day() || on.day() == last_day_of_on_month;
    if !day_reached {
        months -= 1;
    }
    let months = u32::try_from(months.max(0)).unwrap_or(0);
    Tenure { years: months / 12, months: months % 12 }
}

/// A mainland mobile number (11 digits from 13–19) or a landline with
/// area code (`0xx-xxxxxxx`, 10–12 digits in all).
pub fn phone_is_valid(phone: &str) -> bool {
    let p = phone.trim();
    let digits: String = p.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let b = digits.as_bytes();
    let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    let landline = (10..=12).contains(&b.len()) && b[0] == b'0';
    mobile || landline
}

/// A person's details as entered (new hire or import row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonInput {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub education: Education,
    /// Studied social work (社会工作专业).
    pub social_work_major: bool,
    pub certificate: Certificate,
    pub hire_date: NaiveDate,
    pub role_level: RoleLevel,
}

/// Which field of a [`PersonInput`] a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonField {
    Name,
    IdNumber,
    Phone,
    Education,
    Certificate,
    HireDate,
    RoleLevel,
    Town,
    Post,
}

/// A problem with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonProblem {
    NameMissing,
    NameTooLong,
    Id(IdProblem),
    PhoneInvalid,
    /// Hired after the day it is entered.
    HireDateInFuture,
    /// Younger than 16 on the hire date.
    TooYoungWhenHired,
    /// Below 大专 needs an approved exception.
    EducationBelowMinimum,
}

/// Longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 50;

/// Checks a person's details, returning every problem found with its
/// field. `today` bounds the hire date. The education rule is reported
/// like the others; the caller decides whether an approved exception
/// covers it.
pub fn check_person(p: &PersonInput, today: NaiveDate) -> Vec<(PersonField, PersonProblem)> {
    let mut out = Vec::new();
    let name = p.name.trim();
    if name.is_empty() {
        out.push((PersonField::Name, PersonProblem::NameMissing));
    } else if name.chars().count() > MAX_NAME_CHARS {
        out.push((PersonField::Name, PersonProblem::NameTooLong));
    }
    match IdNumber::parse(&p.id_number) {
        Err(e) => out.push((PersonField::IdNumber, PersonProblem::Id(e))),
        Ok(id) => {
            if id.age_on(p.hire_date) < 16 {
                out.push((PersonField::HireDate, PersonProblem::TooYoungWhenHired));
            }
        }
    }
    if !phone_is_valid(&p.phone) {
        out.push((PersonField::Phone, PersonProblem::PhoneInvalid));
    }
    if p.hire_date > today {
        out.push((PersonField::HireDate, PersonProblem::HireDateInFuture));
    }
    if !p.education.meets_hiring_minimum() {
        out.push((PersonField::Education, PersonProblem::EducationBelowMinimum));
    }
    out
}

/// Seed 002 prefers a social-work background: a social-work degree or
/// any social-work qualification.
pub fn has_social_work_background(major: bool, certificate: Certificate) -> bool {
    major || certificate != Certificate::None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn tenure_counts_full_months() {
        assert_eq!(tenure(d(2020, 3, 15), d(2026, 3, 14)), Tenure { years: 5, months: 11 });
        assert_eq!(tenure(d(2020, 3, 15), d(2026, 3, 15)), Tenure { years: 6, months: 0 });
        assert_eq!(tenure(d(2020, 3, 15), d(2020, 4, 14)), Tenure { years: 0, months: 0 });
        assert_eq!(tenure(d(2020, 1, 31), d(2020, 2, 29)), Tenure { years: 0, months: 1 });
        assert_eq!(tenure(d(2020, 1, 31), d(2020, 2, 28)), Tenure { years: 0, months: 0 });
        assert_eq!(tenure(d(2026, 5, 1), d(2026, 4, 1)), Tenure::default());
    }

    #[test]
    fn phones() {
        assert!(phone_is_valid("13800138000"));
        assert!(phone_is_valid("023-68881234"));
        assert!(!phone_is_valid("12800138000"));
        assert!(!phone_is_valid("1380013800"));
        assert!(!phone_is_valid("abc"));
    }

    #[test]
    fn hiring_rules() {
        let p = PersonInput {
            name: "张三".into(),
            id_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            education: Education::Secondary,
            social_work_major: false,
            certificate: Certificate::None,
            hire_date: d(2026, 1, 1),
            role_level: RoleLevel::Assistant,
        };
        assert_eq!(
            check_person(&p, d(2026, 11, 23)),
            vec![(PersonField::Education, PersonProblem::EducationBelowMinimum)]
        );
        let ok = PersonInput { education: Education::College, ..p.clone() };
        assert!(check_person(&ok, d(2026, 11, 23)).is_empty());
        let bad = PersonInput { name: " ".into(), phone: "1".into(), hire_date: d(2027, 1, 1), ..ok };
        let fields: Vec<PersonField> =
            check_person(&bad, d(2026, 11, 23)).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec![PersonField::Name, PersonField::Phone, PersonField::HireDate]);
        assert!(has_social_work_background(false, Certificate::Assistant));
        assert!(!has_social_work_background(false, Certificate::None));
    }
}
