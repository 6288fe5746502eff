//! Payroll in the database: pay standards and insurance rules adopted
//! through maker-checker, performance scores, 专项附加扣除 declarations,
//! one-off adjustments, and monthly runs.
//!
//! A run is created (`computing`), its lines computed from the pure rules
//! (`domain::payroll`) and written in chunks with progress, then it is a
//! `draft`; submitted for approval its lines freeze (database triggers);
//! approved it is immutable, and later marked paid. A run found
//! `computing` at start-up (the server stopped mid-way) is computed again
//! from scratch: computing is idempotent.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::roster::may_manage_town;
use super::schema::{
    insurance_rules, pay_standards, payroll_adjustments, payroll_lines, payroll_runs, performance_scores,
    staff, tax_declarations, towns,
};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::domain::access::{Principal, Role};
use crate::domain::approval::{ApprovalKind, ApprovalProblem};
use crate::domain::insurance::InsuranceRules;
use crate::domain::money::{from_fen, to_fen};
use crate::domain::pay::{PayFacts, PayStandards, days_in, days_on_roster};
use crate::domain::payroll::{
    Adjustment, AdjustmentKind, Line, LineInput, Missing, PayrollProblem, RunStatus, compute,
};
use crate::domain::roster::{Certificate, RoleLevel, StaffStatus};
use crate::domain::tax::{AdditionalDeduction, TaxYearToDate, YearMonth, additional_for};

/// Lines written per transaction while a run computes.
pub const CHUNK: i64 = 2_000;

/// Why a payroll write is refused.
#[derive(Debug, thiserror::Error)]
pub enum PayrollError {
    #[error("refused: {0:?}")]
    Refused(PayrollProblem),
    #[error("out of scope")]
    OutOfScope,
    #[error("approval: {0:?}")]
    Approval(ApprovalProblem),
    /// The budget refuses the run's money.
    #[error("budget: {0:?}")]
    Budget(crate::domain::budget::BudgetProblem),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<super::budget::BudgetError> for PayrollError {
    fn from(e: super::budget::BudgetError) -> Self {
        use super::budget::BudgetError as B;
        match e {
            B::Refused(p) => PayrollError::Budget(p),
            B::OutOfScope => PayrollError::OutOfScope,
            B::Approval(p) => PayrollError::Approval(p),
            B::Db(d) => PayrollError::Db(d),
        }
    }
}

impl From<diesel::result::Error> for PayrollError {
    fn from(e: diesel::result::Error) -> Self {
        PayrollError::Db(e.into())
    }
}

fn refused(p: PayrollProblem) -> PayrollError {
    PayrollError::Refused(p)
}

fn corrupt(what: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(what.to_string())
}

/// `YYYY-MM` as stored.
pub fn month_code(m: YearMonth) -> String {
    m.to_string()
}

/// Parses a stored or typed `YYYY-MM`.
pub fn parse_month(s: &str) -> Option<YearMonth> {
    YearMonth::parse(s)
}

fn first_day(m: YearMonth) -> NaiveDate {
    NaiveDate::from_ymd_opt(m.year, m.month, 1).unwrap_or_default()
}

// --- Standards and insurance rules -------------------------------------

/// The payload of a [`ApprovalKind::PayStandards`] item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardsProposal {
    pub standards: PayStandards,
    pub effective_from: NaiveDate,
    pub note: String,
}

/// The payload of a [`ApprovalKind::InsuranceRules`] item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesProposal {
    pub year: i32,
    pub rules: InsuranceRules,
    pub effective_from: NaiveDate,
    pub note: String,
}

/// The standards in force in `month`: the latest adopted set of the
/// month's year starting on or before its first day.
pub fn standards_for(
    conn: &mut AnyConnection,
    district_id: i64,
    month: YearMonth,
) -> Result<Option<PayStandards>, DbError> {
    let text: Option<String> = pay_standards::table
        .filter(pay_standards::district_id.eq(district_id))
        .filter(pay_standards::year.eq(month.year))
        .filter(pay_standards::effective_from.le(first_day(month)))
        .order(pay_standards::effective_from.desc())
        .select(pay_standards::standards)
        .first(conn)
        .optional()?;
    text.map(|t| serde_json::from_str(&t).map_err(corrupt)).transpose()
}

/// The insurance rules in force in `month`.
pub fn insurance_for(
    conn: &mut AnyConnection,
    district_id: i64,
    month: YearMonth,
) -> Result<Option<InsuranceRules>, DbError> {
    let text: Option<String> = insurance_rules::table
        .filter(insurance_rules::district_id.eq(district_id))
        .filter(insurance_rules::year.eq(month.year))
        .filter(insurance_rules::effective_from.le(first_day(month)))
        .order(insurance_rules::effective_from.desc())
        .select(insurance_rules::rules)
        .first(conn)
        .optional()?;
    text.map(|t| serde_json::from_str(&t).map_err(corrupt)).transpose()
}

/// Every adopted set of standards: (year, effective from, standards).
pub fn all_standards(
    conn: &mut AnyConnection,
    district_id: i64,
) -> Result<Vec<(NaiveDate, PayStandards)>, DbError> {
    pay_standards::table
        .filter(pay_standards::district_id.eq(district_id))
        .order(pay_standards::effective_from.desc())
        .select((pay_standards::effective_from, pay_standards::standards))
        .load::<(NaiveDate, String)>(conn)?
        .into_iter()
        .map(|(d, t)| Ok((d, serde_json::from_str(&t).map_err(corrupt)?)))
        .collect()
}

/// Every adopted set of insurance rules: (effective from, rules).
pub fn all_insurance(
    conn: &mut AnyConnection,
    district_id: i64,
) -> Result<Vec<(NaiveDate, InsuranceRules)>, DbError> {
    insurance_rules::table
        .filter(insurance_rules::district_id.eq(district_id))
        .order(insurance_rules::effective_from.desc())
        .select((insurance_rules::effective_from, insurance_rules::rules))
        .load::<(NaiveDate, String)>(conn)?
        .into_iter()
        .map(|(d, t)| Ok((d, serde_json::from_str(&t).map_err(corrupt)?)))
        .collect()
}

/// Submits standards for adoption (finance).
pub fn propose_standards(
    tx: &mut Tx<'_>,
    who: &Principal,
    p: &StandardsProposal,
) -> Result<i64, PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    p.standards.check().map_err(|e| refused(PayrollProblem::Standards(e)))?;
    if chrono::Datelike::year(&p.effective_from) != p.standards.year {
        return Err(refused(PayrollProblem::WrongState));
    }
    let summary = format!("{} 年补贴标准 · {}", p.standards.year, p.effective_from);
    Ok(super::approvals::submit(tx, who, ApprovalKind::PayStandards, "pay_standards", None, &summary, p)?)
}

/// Adopts approved standards.
pub fn apply_standards(
    tx: &mut Tx<'_>,
    district_id: i64,
    approval_id: i64,
    p: &StandardsProposal,
) -> Result<(), PayrollError> {
    let exists: i64 = pay_standards::table
        .filter(pay_standards::district_id.eq(district_id))
        .filter(pay_standards::effective_from.eq(p.effective_from))
        .count()
        .get_result(tx.conn())?;
    if exists > 0 {
        return Err(PayrollError::Approval(ApprovalProblem::Outdated));
    }
    let json = serde_json::to_string(&p.standards).map_err(corrupt)?;
    let id: i64 = diesel::insert_into(pay_standards::table)
        .values((
            pay_standards::district_id.eq(district_id),
            pay_standards::year.eq(p.standards.year),
            pay_standards::effective_from.eq(p.effective_from),
            pay_standards::standards.eq(&json),
            pay_standards::approval_id.eq(approval_id),
            pay_standards::note.eq(p.note.trim()),
        ))
        .returning(pay_standards::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "pay_standards", id).district(district_id).after(p));
    Ok(())
}

/// Submits insurance rules for adoption (finance).
pub fn propose_insurance(tx: &mut Tx<'_>, who: &Principal, p: &RulesProposal) -> Result<i64, PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    p.rules.check().map_err(|e| refused(PayrollProblem::Insurance(e)))?;
    if chrono::Datelike::year(&p.effective_from) != p.year {
        return Err(refused(PayrollProblem::WrongState));
    }
    let summary = format!("{} 年社保公积金规则 · {}", p.year, p.effective_from);
    Ok(super::approvals::submit(tx, who, ApprovalKind::InsuranceRules, "insurance_rules", None, &summary, p)?)
}

/// Adopts approved insurance rules.
pub fn apply_insurance(
    tx: &mut Tx<'_>,
    district_id: i64,
    approval_id: i64,
    p: &RulesProposal,
) -> Result<(), PayrollError> {
    let exists: i64 = insurance_rules::table
        .filter(insurance_rules::district_id.eq(district_id))
        .filter(insurance_rules::effective_from.eq(p.effective_from))
        .count()
        .get_result(tx.conn())?;
    if exists > 0 {
        return Err(PayrollError::Approval(ApprovalProblem::Outdated));
    }
    let json = serde_json::to_string(&p.rules).map_err(corrupt)?;
    let id: i64 = diesel::insert_into(insurance_rules::table)
        .values((
            insurance_rules::district_id.eq(district_id),
            insurance_rules::year.eq(p.year),
            insurance_rules::effective_from.eq(p.effective_from),
            insurance_rules::rules.eq(&json),
            insurance_rules::approval_id.eq(approval_id),
            insurance_rules::note.eq(p.note.trim()),
        ))
        .returning(insurance_rules::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "insurance_rules", id).district(district_id).after(p));
    Ok(())
}

// --- Who is paid in a month ---------------------------------------------

/// A person paid in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payee {
    pub staff_id: i64,
    pub name: String,
    pub town_id: i64,
    pub post_id: Option<i64>,
    pub role_level: RoleLevel,
    pub certificate: Certificate,
    pub hire_date: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub days: u32,
}

/// The people paid in `month`: on duty now, or left during or after the
/// month, with days on the roster in it. People on standby (待岗) hold no
/// post and are not paid.
pub fn payees(conn: &mut AnyConnection, district_id: i64, month: YearMonth) -> Result<Vec<Payee>, DbError> {
    let mut out = Vec::new();
    let mut after = 0;
    while let Some((page, last)) = payees_after(conn, district_id, month, after, PAGE)? {
        out.extend(page);
        after = last;
    }
    Ok(out)
}

/// Staff read per query when paging through a district.
const PAGE: i64 = 5_000;

/// The payees among the next `limit` staff (in id order) after staff id
/// `after`, with the last staff id read; `None` past the end. A page may
/// hold fewer payees than staff read (days off the roster): page on by the
/// id returned.
pub fn payees_after(
    conn: &mut AnyConnection,
    district_id: i64,
    month: YearMonth,
    after: i64,
    limit: i64,
) -> Result<Option<(Vec<Payee>, i64)>, DbError> {
    type Row = (i64, String, i64, Option<i64>, String, String, NaiveDate, Option<NaiveDate>);
    let rows: Vec<Row> = staff::table
        .filter(staff::district_id.eq(district_id))
        .filter(staff::status.ne(StaffStatus::Standby.code()))
        .filter(staff::id.gt(after))
        .order(staff::id.asc())
        .limit(limit)
        .select((
            staff::id,
            staff::name,
            staff::town_id,
            staff::post_id,
            staff::role_level,
            staff::certificate,
            staff::hire_date,
            staff::left_on,
        ))
        .load(conn)?;
    let Some(last) = rows.last().map(|r| r.0) else { return Ok(None) };
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, town_id, post_id, role, cert, hire_date, left_on) in rows {
        let days = days_on_roster(month, hire_date, left_on);
        if days == 0 {
            continue;
        }
        out.push(Payee {
            staff_id: id,
            name,
            town_id,
            post_id,
            role_level: RoleLevel::from_code(&role).ok_or_else(|| corrupt(format!("staff {id} role")))?,
            certificate: Certificate::from_code(&cert)
                .ok_or_else(|| corrupt(format!("staff {id} certificate")))?,
            hire_date,
            left_on,
            days,
        });
    }
    Ok(Some((out, last)))
}

/// How many people are paid in `month`, counted a page at a time.
fn count_payees(conn: &mut AnyConnection, district_id: i64, month: YearMonth) -> Result<usize, DbError> {
    let (mut n, mut after) = (0, 0);
    while let Some((page, last)) = payees_after(conn, district_id, month, after, PAGE)? {
        n += page.len();
        after = last;
    }
    Ok(n)
}

/// Scores of a month by person: (score, reason, version), of the whole
/// district or of `ids` only.
pub fn scores(
    conn: &mut AnyConnection,
    district_id: i64,
    month: YearMonth,
    ids: Option<&[i64]>,
) -> Result<HashMap<i64, (i32, String, i32)>, DbError> {
    let mut q = performance_scores::table
        .filter(performance_scores::district_id.eq(district_id))
        .filter(performance_scores::month.eq(month_code(month)))
        .into_boxed();
    if let Some(ids) = ids {
        q = q.filter(performance_scores::staff_id.eq_any(ids));
    }
    Ok(q.select((
        performance_scores::staff_id,
        performance_scores::score,
        performance_scores::reason,
        performance_scores::version,
    ))
    .load::<(i64, i32, String, i32)>(conn)?
    .into_iter()
    .map(|(s, score, reason, v)| (s, (score, reason, v)))
    .collect())
}

/// People paid in `month` without a score, with their towns: one query
/// that returns only the staff without a score, however large the
/// district.
pub fn missing_scores(
    conn: &mut AnyConnection,
    district_id: i64,
    month: YearMonth,
) -> Result<Vec<Missing>, DbError> {
    type Row = (i64, String, String, NaiveDate, Option<NaiveDate>);
    let rows: Vec<Row> = staff::table
        .inner_join(towns::table.on(towns::id.eq(staff::town_id)))
        .left_join(performance_scores::table.on(
            performance_scores::staff_id.eq(staff::id).and(performance_scores::month.eq(month_code(month))),
        ))
        .filter(staff::district_id.eq(district_id))
        .filter(staff::status.ne(StaffStatus::Standby.code()))
        .filter(performance_scores::id.nullable().is_null())
        .order(staff::id.asc())
        .select((staff::id, staff::name, towns::name, staff::hire_date, staff::left_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, hire, left)| days_on_roster(month, *hire, *left) > 0)
        .map(|(staff_id, name, town, _, _)| Missing { staff_id, name, town })
        .collect())
}

/// Is the month closed for scores (a run submitted, approved or paid)?
pub fn month_closed(conn: &mut AnyConnection, district_id: i64, month: YearMonth) -> Result<bool, DbError> {
    let n: i64 = payroll_runs::table
        .filter(payroll_runs::district_id.eq(district_id))
        .filter(payroll_runs::month.eq(month_code(month)))
        .filter(payroll_runs::status.eq_any([
            RunStatus::Submitted.code(),
            RunStatus::Approved.code(),
            RunStatus::Paid.code(),
        ]))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Records (or corrects) a person's score for a month. Town users score
/// their own town's people, finance anyone; a score below the standards'
/// threshold needs a reason; closed months refuse.
pub fn record_score(
    tx: &mut Tx<'_>,
    who: &Principal,
    staff_id: i64,
    month: YearMonth,
    score: i32,
    reason: &str,
    today: NaiveDate,
) -> Result<(), PayrollError> {
    let town_id: i64 = staff::table
        .filter(staff::district_id.eq(who.district_id))
        .filter(staff::id.eq(staff_id))
        .select(staff::town_id)
        .first(tx.conn())
        .optional()?
        .ok_or(DbError::NotFound)?;
    if !may_manage_town(who, town_id) {
        return Err(PayrollError::OutOfScope);
    }
    if !(0..=100).contains(&score) {
        return Err(refused(PayrollProblem::ScoreRange));
    }
    if first_day(month) > today {
        return Err(refused(PayrollProblem::FutureMonth));
    }
    let threshold = standards_for(tx.conn(), who.district_id, month)?.map_or(60, |s| s.reason_below);
    let reason = reason.trim();
    if u32::try_from(score).unwrap_or(0) < threshold && reason.is_empty() {
        return Err(refused(PayrollProblem::ReasonRequired));
    }
    if month_closed(tx.conn(), who.district_id, month)? {
        return Err(refused(PayrollProblem::MonthClosed));
    }
    let code = month_code(month);
    let existing: Option<(i64, i32, String, i32)> = performance_scores::table
        .filter(performance_scores::staff_id.eq(staff_id))
        .filter(performance_scores::month.eq(&code))
        .select((
            performance_scores::id,
            performance_scores::score,
            performance_scores::reason,
            performance_scores::version,
        ))
        .first(tx.conn())
        .optional()?;
    let after = serde_json::json!({ "staff_id": staff_id, "month": code, "score": score, "reason": reason });
    match existing {
        Some((_, s, r, _)) if s == score && r == reason => tx.nothing_changed(),
        Some((id, s, r, v)) => {
            diesel::update(performance_scores::table.find(id))
                .set((
                    performance_scores::score.eq(score),
                    performance_scores::reason.eq(reason),
                    performance_scores::entered_by.eq(who.user_id),
                    performance_scores::entered_at.eq(chrono::Utc::now().naive_utc()),
                    performance_scores::version.eq(v + 1),
                ))
                .execute(tx.conn())?;
            tx.record(
                Change::new("update", "performance_scores", id)
                    .district(who.district_id)
                    .before(serde_json::json!({ "score": s, "reason": r }))
                    .after(after),
            );
        }
        None => {
            let id: i64 = diesel::insert_into(performance_scores::table)
                .values((
                    performance_scores::district_id.eq(who.district_id),
                    performance_scores::staff_id.eq(staff_id),
                    performance_scores::month.eq(&code),
                    performance_scores::score.eq(score),
                    performance_scores::reason.eq(reason),
                    performance_scores::entered_by.eq(who.user_id),
                ))
                .returning(performance_scores::id)
                .get_result(tx.conn())?;
            tx.record(Change::new("create", "performance_scores", id).district(who.district_id).after(after));
        }
    }
    Ok(())
}

/// Records a 专项附加扣除 declaration (finance).
pub fn declare(
    tx: &mut Tx<'_>,
    who: &Principal,
    staff_id: i64,
    declaration: &AdditionalDeduction,
) -> Result<i64, PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    super::roster::StaffRow::load(tx.conn(), who.district_id, staff_id)?;
    let mut all =
        declarations(tx.conn(), who.district_id, Some(staff_id))?.remove(&staff_id).unwrap_or_default();
    all.push(*declaration);
    crate::domain::tax::check_deductions(&all).map_err(|e| refused(PayrollProblem::Deduction(e)))?;
    let id: i64 = diesel::insert_into(tax_declarations::table)
        .values((
            tax_declarations::district_id.eq(who.district_id),
            tax_declarations::staff_id.eq(staff_id),
            tax_declarations::declaration.eq(serde_json::to_string(declaration).map_err(corrupt)?),
            tax_declarations::created_by.eq(who.user_id),
        ))
        .returning(tax_declarations::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "tax_declarations", id).district(who.district_id).after(declaration));
    Ok(id)
}

/// Declarations in force (not withdrawn), by person.
pub fn declarations(
    conn: &mut AnyConnection,
    district_id: i64,
    staff_id: Option<i64>,
) -> Result<HashMap<i64, Vec<AdditionalDeduction>>, DbError> {
    let mut q = tax_declarations::table
        .filter(tax_declarations::district_id.eq(district_id))
        .filter(tax_declarations::withdrawn_at.is_null())
        .into_boxed();
    if let Some(s) = staff_id {
        q = q.filter(tax_declarations::staff_id.eq(s));
    }
    let mut out: HashMap<i64, Vec<AdditionalDeduction>> = HashMap::new();
    for (s, text) in
        q.select((tax_declarations::staff_id, tax_declarations::declaration)).load::<(i64, String)>(conn)?
    {
        out.entry(s).or_default().push(serde_json::from_str(&text).map_err(corrupt)?);
    }
    Ok(out)
}

/// A declaration as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationRow {
    pub id: i64,
    pub staff_id: i64,
    pub name: String,
    pub town_id: i64,
    pub declaration: AdditionalDeduction,
    pub withdrawn: bool,
}

/// The district's declarations, newest first, withdrawn ones included
/// (optionally of one town).
pub fn declaration_rows(
    conn: &mut AnyConnection,
    district_id: i64,
    town: Option<i64>,
) -> Result<Vec<DeclarationRow>, DbError> {
    let mut q = tax_declarations::table
        .inner_join(staff::table.on(staff::id.eq(tax_declarations::staff_id)))
        .filter(tax_declarations::district_id.eq(district_id))
        .order(tax_declarations::id.desc())
        .select((
            tax_declarations::id,
            tax_declarations::staff_id,
            staff::name,
            staff::town_id,
            tax_declarations::declaration,
            tax_declarations::withdrawn_at.is_not_null(),
        ))
        .into_boxed();
    if let Some(t) = town {
        q = q.filter(staff::town_id.eq(t));
    }
    q.load::<(i64, i64, String, i64, String, bool)>(conn)?
        .into_iter()
        .map(|(id, staff_id, name, town_id, text, withdrawn)| {
            Ok(DeclarationRow {
                id,
                staff_id,
                name,
                town_id,
                declaration: serde_json::from_str(&text).map_err(corrupt)?,
                withdrawn,
            })
        })
        .collect()
}

/// Withdraws a declaration entered in error (finance): later runs no
/// longer deduct it; runs already approved keep what they withheld.
pub fn withdraw_declaration(tx: &mut Tx<'_>, who: &Principal, id: i64) -> Result<(), PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    let withdrawn: Option<NaiveDateTime> = tax_declarations::table
        .filter(tax_declarations::district_id.eq(who.district_id))
        .filter(tax_declarations::id.eq(id))
        .select(tax_declarations::withdrawn_at)
        .first(tx.conn())
        .optional()?
        .ok_or(DbError::NotFound)?;
    if withdrawn.is_some() {
        tx.nothing_changed();
        return Ok(());
    }
    diesel::update(tax_declarations::table.find(id))
        .set(tax_declarations::withdrawn_at.eq(Some(chrono::Utc::now().naive_utc())))
        .execute(tx.conn())?;
    tx.record(
        Change::new("withdraw", "tax_declarations", id)
            .district(who.district_id)
            .after(serde_json::json!({ "withdrawn": true })),
    );
    Ok(())
}

/// An adjustment as listed, with the month of the run that paid it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentRow {
    pub id: i64,
    pub staff_id: i64,
    pub name: String,
    pub town_id: i64,
    pub adjustment: Adjustment,
    pub paid_in: Option<String>,
}

/// The district's adjustments, newest first (optionally of one town).
pub fn adjustment_rows(
    conn: &mut AnyConnection,
    district_id: i64,
    town: Option<i64>,
) -> Result<Vec<AdjustmentRow>, DbError> {
    type Row = (i64, i64, String, i64, String, i64, String, String, Option<String>);
    let mut q = payroll_adjustments::table
        .inner_join(staff::table.on(staff::id.eq(payroll_adjustments::staff_id)))
        .left_join(payroll_runs::table.on(payroll_runs::id.nullable().eq(payroll_adjustments::run_id)))
        .filter(payroll_adjustments::district_id.eq(district_id))
        .order(payroll_adjustments::id.desc())
        .select((
            payroll_adjustments::id,
            payroll_adjustments::staff_id,
            staff::name,
            staff::town_id,
            payroll_adjustments::kind,
            payroll_adjustments::amount_fen,
            payroll_adjustments::for_month,
            payroll_adjustments::reason,
            payroll_runs::month.nullable(),
        ))
        .into_boxed();
    if let Some(t) = town {
        q = q.filter(staff::town_id.eq(t));
    }
    q.load::<Row>(conn)?
        .into_iter()
        .map(|(id, staff_id, name, town_id, kind, fen, for_month, reason, paid_in)| {
            Ok(AdjustmentRow {
                id,
                staff_id,
                name,
                town_id,
                adjustment: Adjustment {
                    kind: AdjustmentKind::from_code(&kind)
                        .ok_or_else(|| corrupt(format!("adjustment {id} kind")))?,
                    amount: from_fen(fen),
                    for_month: parse_month(&for_month)
                        .ok_or_else(|| corrupt(format!("adjustment {id} month")))?,
                    reason,
                },
                paid_in,
            })
        })
        .collect()
}

/// Records a 补发 or 扣发 to be paid in the next run of its month or later
/// (finance).
pub fn add_adjustment(
    tx: &mut Tx<'_>,
    who: &Principal,
    staff_id: i64,
    adjustment: &Adjustment,
) -> Result<i64, PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    super::roster::StaffRow::load(tx.conn(), who.district_id, staff_id)?;
    let fen = to_fen(adjustment.amount).map_err(|_| refused(PayrollProblem::Amount))?;
    if fen <= 0 || from_fen(fen) != adjustment.amount {
        return Err(refused(PayrollProblem::Amount));
    }
    if adjustment.reason.trim().is_empty() {
        return Err(refused(PayrollProblem::ReasonRequired));
    }
    let id: i64 = diesel::insert_into(payroll_adjustments::table)
        .values((
            payroll_adjustments::district_id.eq(who.district_id),
            payroll_adjustments::staff_id.eq(staff_id),
            payroll_adjustments::kind.eq(adjustment.kind.code()),
            payroll_adjustments::amount_fen.eq(fen),
            payroll_adjustments::for_month.eq(month_code(adjustment.for_month)),
            payroll_adjustments::reason.eq(adjustment.reason.trim()),
            payroll_adjustments::created_by.eq(who.user_id),
        ))
        .returning(payroll_adjustments::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "payroll_adjustments", id).district(who.district_id).after(adjustment));
    Ok(id)
}

/// Adjustments not yet paid by an approved run, due by `month`, by person:
/// (adjustment id, adjustment).
fn open_adjustments(
    conn: &mut AnyConnection,
    district_id: i64,
    month: YearMonth,
) -> Result<HashMap<i64, Vec<(i64, Adjustment)>>, DbError> {
    type Row = (i64, i64, String, i64, String, String);
    let rows: Vec<Row> = payroll_adjustments::table
        .filter(payroll_adjustments::district_id.eq(district_id))
        .filter(payroll_adjustments::run_id.is_null())
        .filter(payroll_adjustments::for_month.le(month_code(month)))
        .order(payroll_adjustments::id.asc())
        .select((
            payroll_adjustments::id,
            payroll_adjustments::staff_id,
            payroll_adjustments::kind,
            payroll_adjustments::amount_fen,
            payroll_adjustments::for_month,
            payroll_adjustments::reason,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<(i64, Adjustment)>> = HashMap::new();
    for (id, staff_id, kind, fen, for_month, reason) in rows {
        let a = Adjustment {
            kind: AdjustmentKind::from_code(&kind).ok_or_else(|| corrupt(format!("adjustment {id} kind")))?,
            amount: from_fen(fen),
            for_month: parse_month(&for_month).ok_or_else(|| corrupt(format!("adjustment {id} month")))?,
            reason,
        };
        out.entry(staff_id).or_default().push((id, a));
    }
    Ok(out)
}

/// Approved or paid runs of `month`'s year before it, newest first.
fn earlier_runs(conn: &mut AnyConnection, district_id: i64, month: YearMonth) -> Result<Vec<i64>, DbError> {
    let year_start = format!("{}-01", month.year);
    Ok(payroll_runs::table
        .filter(payroll_runs::district_id.eq(district_id))
        .filter(payroll_runs::status.eq_any([RunStatus::Approved.code(), RunStatus::Paid.code()]))
        .filter(payroll_runs::month.ge(&year_start))
        .filter(payroll_runs::month.lt(month_code(month)))
        .order((payroll_runs::month.desc(), payroll_runs::id.desc()))
        .select(payroll_runs::id)
        .load(conn)?)
}

/// The tax year to date of `ids`: from each one's latest line among
/// `runs` (newest first). Runs are read only until everyone is found, and
/// only the lines of `ids`, so a steady month reads one earlier run's
/// lines for the batch, not the year's.
fn tax_to_date(
    conn: &mut AnyConnection,
    runs: &[i64],
    ids: &[i64],
) -> Result<HashMap<i64, TaxYearToDate>, DbError> {
    let mut out: HashMap<i64, TaxYearToDate> = HashMap::new();
    for run_id in runs {
        let wanted: Vec<i64> = ids.iter().copied().filter(|s| !out.contains_key(s)).collect();
        if wanted.is_empty() {
            break;
        }
        let rows: Vec<(i64, String)> = payroll_lines::table
            .filter(payroll_lines::run_id.eq(run_id))
            .filter(payroll_lines::staff_id.eq_any(&wanted))
            .select((payroll_lines::staff_id, payroll_lines::detail))
            .load(conn)?;
        for (staff_id, detail) in rows {
            let line: StoredDetail = serde_json::from_str(&detail).map_err(corrupt)?;
            out.insert(staff_id, line.line.tax.to_date);
        }
    }
    Ok(out)
}

/// What a line's `detail` column holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDetail {
    pub line: Line,
    /// The month's performance score.
    pub score: u32,
    /// The adjustments paid on this line.
    pub adjustments: Vec<(i64, Adjustment)>,
    /// 专项附加扣除 of the month.
    pub additional: Decimal,
}

// --- Runs ----------------------------------------------------------------

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = payroll_runs)]
pub struct RunRow {
    pub id: i64,
    pub district_id: i64,
    pub month: String,
    pub status: String,
    pub approval_id: Option<i64>,
    pub people: i32,
    pub lines_done: i32,
    pub gross_fen: i64,
    pub employee_fen: i64,
    pub tax_fen: i64,
    pub net_fen: i64,
    pub employer_fen: i64,
    pub cost_fen: i64,
    pub problem: String,
    pub created_by: i64,
    pub created_at: chrono::NaiveDateTime,
    pub computed_at: Option<chrono::NaiveDateTime>,
    pub paid_at: Option<chrono::NaiveDateTime>,
    pub paid_by: Option<i64>,
    pub version: i32,
    /// The sources paying the run (chosen when it is submitted).
    pub pay_source_id: Option<i64>,
    pub insurance_source_id: Option<i64>,
    /// The maker's case for an override, if the budget refused the run.
    pub override_request: Option<String>,
    /// The audit log's head when the computation began (see
    /// [`inputs_changed_since`]).
    pub inputs_seq: i64,
}

impl RunRow {
    pub fn load(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<RunRow, DbError> {
        payroll_runs::table
            .filter(payroll_runs::district_id.eq(district_id))
            .filter(payroll_runs::id.eq(id))
            .select(RunRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(DbError::NotFound)
    }

    pub fn status(&self) -> Result<RunStatus, DbError> {
        RunStatus::from_code(&self.status).ok_or_else(|| corrupt(format!("run {} status", self.id)))
    }

    pub fn month(&self) -> Result<YearMonth, DbError> {
        parse_month(&self.month).ok_or_else(|| corrupt(format!("run {} month", self.id)))
    }
}

/// The district's runs, newest month first.
pub fn list_runs(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<RunRow>, DbError> {
    Ok(payroll_runs::table
        .filter(payroll_runs::district_id.eq(district_id))
        .order((payroll_runs::month.desc(), payroll_runs::id.desc()))
        .select(RunRow::as_select())
        .load(conn)?)
}

/// Starts a run for `month` (finance): checks that standards, rules and
/// every score are there and no run of the month is live, and records the
/// run as `computing`. The lines are computed by [`compute_run`].
pub fn create_run(
    tx: &mut Tx<'_>,
    who: &Principal,
    month: YearMonth,
    today: NaiveDate,
) -> Result<i64, PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    let d = who.district_id;
    if first_day(month) > today {
        return Err(refused(PayrollProblem::FutureMonth));
    }
    if standards_for(tx.conn(), d, month)?.is_none() {
        return Err(refused(PayrollProblem::NoStandards));
    }
    if insurance_for(tx.conn(), d, month)?.is_none() {
        return Err(refused(PayrollProblem::NoInsuranceRules));
    }
    let live: i64 = payroll_runs::table
        .filter(payroll_runs::district_id.eq(d))
        .filter(payroll_runs::month.eq(month_code(month)))
        .filter(payroll_runs::status.ne(RunStatus::Discarded.code()))
        .count()
        .get_result(tx.conn())?;
    if live > 0 {
        return Err(refused(PayrollProblem::RunExists));
    }
    let missing = missing_scores(tx.conn(), d, month)?;
    if !missing.is_empty() {
        return Err(refused(PayrollProblem::MissingScores(missing)));
    }
    let people = i32::try_from(count_payees(tx.conn(), d, month)?).unwrap_or(i32::MAX);
    let id: i64 = diesel::insert_into(payroll_runs::table)
        .values((
            payroll_runs::district_id.eq(d),
            payroll_runs::month.eq(month_code(month)),
            payroll_runs::status.eq(RunStatus::Computing.code()),
            payroll_runs::people.eq(people),
            payroll_runs::created_by.eq(who.user_id),
        ))
        .returning(payroll_runs::id)
        .get_result(tx.conn())?;
    tx.record(
        Change::new("create", "payroll_runs", id)
            .district(d)
            .after(serde_json::json!({ "month": month_code(month), "people": people })),
    );
    Ok(id)
}

/// What every line of a run is computed from, loaded once: standards,
/// rules, declarations and open adjustments (a few rows each), and which
/// earlier runs of the year hold the tax to date. Per-person inputs are
/// loaded a [`Batch`] at a time.
pub struct Prepared {
    pub district_id: i64,
    pub month: YearMonth,
    pub standards: PayStandards,
    pub insurance: InsuranceRules,
    declared: HashMap<i64, Vec<AdditionalDeduction>>,
    adjustments: HashMap<i64, Vec<(i64, Adjustment)>>,
    /// Approved or paid runs earlier in the year, newest first.
    earlier: Vec<i64>,
}

/// A chunk of payees with their scores and tax year to date.
pub struct Batch {
    pub payees: Vec<Payee>,
    scores: HashMap<i64, (i32, String, i32)>,
    before: HashMap<i64, TaxYearToDate>,
}

impl Prepared {
    /// Loads what `month`'s run is computed from; refuses when standards
    /// or rules are missing.
    pub fn load(
        conn: &mut AnyConnection,
        district_id: i64,
        month: YearMonth,
    ) -> Result<Prepared, PayrollError> {
        let standards =
            standards_for(conn, district_id, month)?.ok_or(refused(PayrollProblem::NoStandards))?;
        let insurance =
            insurance_for(conn, district_id, month)?.ok_or(refused(PayrollProblem::NoInsuranceRules))?;
        Ok(Prepared {
            district_id,
            month,
            standards,
            insurance,
            declared: declarations(conn, district_id, None)?,
            adjustments: open_adjustments(conn, district_id, month)?,
            earlier: earlier_runs(conn, district_id, month)?,
        })
    }

    /// Loads the per-person inputs of `payees`.
    pub fn batch(&self, conn: &mut AnyConnection, payees: Vec<Payee>) -> Result<Batch, DbError> {
        let ids: Vec<i64> = payees.iter().map(|p| p.staff_id).collect();
        Ok(Batch {
            scores: scores(conn, self.district_id, self.month, Some(&ids))?,
            before: tax_to_date(conn, &self.earlier, &ids)?,
            payees,
        })
    }

    /// The lines of a batch (pure). A payee without a score refuses.
    pub fn compute(&self, batch: &Batch) -> Result<Vec<(Payee, StoredDetail)>, PayrollError> {
        let month = self.month;
        let mut out = Vec::with_capacity(batch.payees.len());
        for p in &batch.payees {
            let Some((score, _, _)) = batch.scores.get(&p.staff_id) else {
                let missing = Missing { staff_id: p.staff_id, name: p.name.clone(), town: String::new() };
                return Err(refused(PayrollProblem::MissingScores(vec![missing])));
            };
            let adj = self.adjustments.get(&p.staff_id).cloned().unwrap_or_default();
            let plain: Vec<Adjustment> = adj.iter().map(|(_, a)| a.clone()).collect();
            let additional =
                self.declared.get(&p.staff_id).map_or(Decimal::ZERO, |d| additional_for(d, month));
            let facts = PayFacts {
                role_level: p.role_level,
                certificate: p.certificate,
                hire_date: p.hire_date,
                score: u32::try_from(*score).unwrap_or(0),
                days: p.days.min(days_in(month)),
            };
            let input = LineInput {
                month,
                standards: &self.standards,
                insurance: &self.insurance,
                facts: Some(facts),
                additional,
                before: batch.before.get(&p.staff_id).copied().unwrap_or_default(),
                insured: crate::domain::payroll::insured_in(month, p.hire_date, p.left_on),
                adjustments: &plain,
            };
            let line = compute(&input).map_err(|problem| {
                refused(PayrollProblem::Line { staff_id: p.staff_id, name: p.name.clone(), problem })
            })?;
            out.push((p.clone(), StoredDetail { line, score: facts.score, adjustments: adj, additional }));
        }
        Ok(out)
    }
}

fn fen(d: Decimal) -> Result<i64, DbError> {
    to_fen(d).map_err(|_| corrupt(format!("amount {d} out of range")))
}

/// Writes computed lines of run `run_id` (in the caller's transaction):
/// one multi-row statement on PostgreSQL, row by row on SQLite (cached
/// prepared statements, no network between).
pub fn insert_lines(
    tx: &mut Tx<'_>,
    district_id: i64,
    run_id: i64,
    lines: &[(Payee, StoredDetail)],
) -> Result<(), DbError> {
    macro_rules! values {
        ($p:expr, $d:expr) => {{
            let (p, d) = ($p, $d);
            let l = &d.line;
            let (ee, er) = (&l.contributions.employee, &l.contributions.employer);
            (
                payroll_lines::run_id.eq(run_id),
                payroll_lines::district_id.eq(district_id),
                payroll_lines::staff_id.eq(p.staff_id),
                payroll_lines::town_id.eq(p.town_id),
                payroll_lines::post_id.eq(p.post_id),
                payroll_lines::days.eq(i32::try_from(l.pay.days).unwrap_or(0)),
                payroll_lines::score.eq(Some(i32::try_from(d.score).unwrap_or(0))),
                payroll_lines::base_fen.eq(fen(l.pay.base)?),
                payroll_lines::role_fen.eq(fen(l.pay.role)?),
                payroll_lines::tenure_fen.eq(fen(l.pay.tenure)?),
                payroll_lines::qualification_fen.eq(fen(l.pay.qualification)?),
                payroll_lines::performance_fen.eq(fen(l.pay.performance)?),
                payroll_lines::additions_fen.eq(fen(l.additions)?),
                payroll_lines::deductions_fen.eq(fen(l.deductions)?),
                payroll_lines::gross_fen.eq(fen(l.gross)?),
                payroll_lines::si_base_fen.eq(fen(l.contributions.base)?),
                payroll_lines::employee_insurance_fen.eq(fen(ee.insurance())?),
                payroll_lines::employee_housing_fen.eq(fen(ee.housing_fund)?),
                payroll_lines::tax_fen.eq(fen(l.tax.tax)?),
                payroll_lines::net_fen.eq(fen(l.net)?),
                payroll_lines::employer_insurance_fen.eq(fen(er.insurance())?),
                payroll_lines::employer_housing_fen.eq(fen(er.housing_fund)?),
                payroll_lines::cost_fen.eq(fen(l.employer_cost)?),
                payroll_lines::detail.eq(serde_json::to_string(d).map_err(corrupt)?),
            )
        }};
    }
    match tx.conn() {
        AnyConnection::Sqlite(conn) => {
            for (p, d) in lines {
                diesel::insert_into(payroll_lines::table).values(values!(p, d)).execute(conn)?;
            }
        }
        AnyConnection::Postgresql(conn) => {
            // 24 parameters a line: 1,000 lines stay far below 65,535.
            for chunk in lines.chunks(1_000) {
                let rows =
                    chunk.iter().map(|(p, d)| Ok(values!(p, d))).collect::<Result<Vec<_>, DbError>>()?;
                diesel::insert_into(payroll_lines::table).values(rows).execute(conn)?;
            }
        }
    }
    Ok(())
}

/// A town's sums over a run's lines: how many people and, in fen,
/// gross, employee contributions, tax, net, employer contributions and
/// cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub people: i64,
    pub fen: [i64; 6],
}

/// The sums of a run's lines by town, read a page at a time (keyset on
/// the line id): the same code on both backends, memory bounded by the
/// page.
pub fn town_sums(conn: &mut AnyConnection, run_id: i64) -> Result<BTreeMap<i64, Sums>, DbError> {
    /// gross, employee insurance and housing, tax, net, employer
    /// insurance and housing, cost.
    type Amounts = (i64, i64, i64, i64, i64, i64, i64, i64);
    let mut out: BTreeMap<i64, Sums> = BTreeMap::new();
    let mut after = 0;
    loop {
        let rows: Vec<(i64, i64, Amounts)> = payroll_lines::table
            .filter(payroll_lines::run_id.eq(run_id))
            .filter(payroll_lines::id.gt(after))
            .order(payroll_lines::id.asc())
            .limit(PAGE)
            .select((
                payroll_lines::id,
                payroll_lines::town_id,
                (
                    payroll_lines::gross_fen,
                    payroll_lines::employee_insurance_fen,
                    payroll_lines::employee_housing_fen,
                    payroll_lines::tax_fen,
                    payroll_lines::net_fen,
                    payroll_lines::employer_insurance_fen,
                    payroll_lines::employer_housing_fen,
                    payroll_lines::cost_fen,
                ),
            ))
            .load(conn)?;
        let Some((last, ..)) = rows.last() else { return Ok(out) };
        after = *last;
        for (_, town, (gross, eei, eeh, tax, net, eri, erh, cost)) in rows {
            let t = out.entry(town).or_default();
            t.people += 1;
            for (i, v) in [gross, eei + eeh, tax, net, eri + erh, cost].into_iter().enumerate() {
                t.fen[i] += v;
            }
        }
    }
}

/// Run totals from its lines.
fn totals(conn: &mut AnyConnection, run_id: i64) -> Result<[i64; 6], DbError> {
    let mut t = [0i64; 6];
    for s in town_sums(conn, run_id)?.values() {
        for (i, v) in s.fen.iter().enumerate() {
            t[i] += v;
        }
    }
    Ok(t)
}

/// Computes run `run_id` (found `computing`) and writes its lines in
/// chunks of [`CHUNK`], each chunk its own audited transaction that also
/// advances `lines_done`; the last sets the totals and makes it a draft.
/// Lines left by an interrupted computation are removed first. A line that
/// cannot be paid discards the run with the reason.
pub fn compute_run(
    conn: &mut AnyConnection,
    actor: &super::write::Actor,
    district_id: i64,
    run_id: i64,
) -> Result<(), PayrollError> {
    let run = RunRow::load(conn, district_id, run_id)?;
    if run.status()? != RunStatus::Computing {
        return Ok(());
    }
    let month = run.month()?;
    for attempt in 1..=COMPUTE_ATTEMPTS {
        // Before anything is read: every input change committed later has
        // a higher audit sequence number.
        let stamp = super::audit::head_seq(conn)?;
        match compute_attempt(conn, actor, &run, month, stamp, attempt == COMPUTE_ATTEMPTS) {
            Ok(true) => return Ok(()),
            Ok(false) => {
                tracing::info!(run_id, attempt, "payroll inputs changed while computing; computing again")
            }
            // Discarded meanwhile by someone else: the job just stops.
            Err(e @ PayrollError::Refused(PayrollProblem::WrongState)) => return Err(e),
            // The month cannot be paid as it stands: the run is discarded
            // with the reason.
            Err(PayrollError::Refused(problem)) => {
                discard_computing(conn, actor, district_id, run_id, &problem)?;
                return Err(PayrollError::Refused(problem));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One computation of `run` from what the database holds now (`stamp`:
/// the audit head before the first read). Whether it finished: `false`
/// when an input changed meanwhile and this is not the `last` attempt,
/// and the lines must be computed again.
fn compute_attempt(
    conn: &mut AnyConnection,
    actor: &super::write::Actor,
    run: &RunRow,
    month: YearMonth,
    stamp: i64,
    last: bool,
) -> Result<bool, PayrollError> {
    let (district_id, run_id) = (run.district_id, run.id);
    super::write::write(conn, actor, |tx| -> Result<(), PayrollError> {
        let n = diesel::delete(payroll_lines::table.filter(payroll_lines::run_id.eq(run_id)))
            .execute(tx.conn())?;
        diesel::update(payroll_runs::table.find(run_id))
            .set(payroll_runs::lines_done.eq(0))
            .execute(tx.conn())?;
        if n > 0 {
            tx.record(
                Change::new("restart", "payroll_runs", run_id)
                    .district(district_id)
                    .after(serde_json::json!({ "removed_lines": n })),
            );
        } else {
            tx.nothing_changed();
        }
        Ok(())
    })?;
    let prepared = Prepared::load(conn, district_id, month)?;
    // Everyone scored (one query that returns only who is not), so no
    // chunk is written for a run that cannot finish.
    let missing = missing_scores(conn, district_id, month)?;
    if !missing.is_empty() {
        return Err(refused(PayrollProblem::MissingScores(missing)));
    }
    // Read, computed and written a chunk at a time: memory stays bounded
    // by the chunk, not the district.
    let mut done = 0i32;
    let mut after = 0;
    while let Some((payees, next)) = payees_after(conn, district_id, month, after, CHUNK)? {
        after = next;
        if payees.is_empty() {
            continue;
        }
        let batch = prepared.batch(conn, payees)?;
        let chunk = prepared.compute(&batch)?;
        done += i32::try_from(chunk.len()).unwrap_or(0);
        super::write::write(conn, actor, |tx| -> Result<(), PayrollError> {
            // Still computing: a concurrent discard stops the job.
            let status: String =
                payroll_runs::table.find(run_id).select(payroll_runs::status).first(tx.conn())?;
            if status != RunStatus::Computing.code() {
                return Err(refused(PayrollProblem::WrongState));
            }
            insert_lines(tx, district_id, run_id, &chunk)?;
            diesel::update(payroll_runs::table.find(run_id))
                .set(payroll_runs::lines_done.eq(done))
                .execute(tx.conn())?;
            tx.record(
                Change::new("compute", "payroll_runs", run_id)
                    .district(district_id)
                    .after(serde_json::json!({ "lines_done": done })),
            );
            Ok(())
        })?;
    }
    let people = done;
    super::write::write(conn, actor, |tx| -> Result<bool, PayrollError> {
        // A change to the inputs landed while computing: the lines may mix
        // before and after, so they are computed again. The last attempt
        // finishes anyway, and submission refuses the run until it is
        // discarded and computed again.
        if !last && inputs_changed_since(tx.conn(), district_id, run_id, stamp)? {
            tx.nothing_changed();
            return Ok(false);
        }
        let t = totals(tx.conn(), run_id)?;
        diesel::update(
            payroll_runs::table.find(run_id).filter(payroll_runs::status.eq(RunStatus::Computing.code())),
        )
        .set((
            payroll_runs::status.eq(RunStatus::Draft.code()),
            payroll_runs::people.eq(people),
            payroll_runs::lines_done.eq(people),
            payroll_runs::gross_fen.eq(t[0]),
            payroll_runs::employee_fen.eq(t[1]),
            payroll_runs::tax_fen.eq(t[2]),
            payroll_runs::net_fen.eq(t[3]),
            payroll_runs::employer_fen.eq(t[4]),
            payroll_runs::cost_fen.eq(t[5]),
            payroll_runs::computed_at.eq(Some(chrono::Utc::now().naive_utc())),
            payroll_runs::version.eq(run.version + 1),
            payroll_runs::inputs_seq.eq(stamp),
        ))
        .execute(tx.conn())?;
        tx.record(Change::new("computed", "payroll_runs", run_id).district(district_id).after(serde_json::json!({
            "people": people, "gross_fen": t[0], "employee_fen": t[1], "tax_fen": t[2], "net_fen": t[3], "employer_fen": t[4], "cost_fen": t[5], "inputs_seq": stamp,
        })));
        Ok(true)
    })
}

/// Discards a run that was being computed, its lines removed and the
/// reason kept.
fn discard_computing(
    conn: &mut AnyConnection,
    actor: &super::write::Actor,
    district_id: i64,
    run_id: i64,
    problem: &PayrollProblem,
) -> Result<(), PayrollError> {
    let text = serde_json::to_string(problem).map_err(corrupt)?;
    super::write::write(conn, actor, |tx| -> Result<(), PayrollError> {
        diesel::delete(payroll_lines::table.filter(payroll_lines::run_id.eq(run_id))).execute(tx.conn())?;
        diesel::update(payroll_runs::table.find(run_id))
            .set((payroll_runs::status.eq(RunStatus::Discarded.code()), payroll_runs::problem.eq(&text)))
            .execute(tx.conn())?;
        tx.record(
            Change::new("discard", "payroll_runs", run_id)
                .district(district_id)
                .after(serde_json::json!({ "problem": problem })),
        );
        Ok(())
    })
}

/// How many times a run is computed while its inputs keep changing.
const COMPUTE_ATTEMPTS: u32 = 3;

/// The audit log's entities a run is computed from.
const RUN_INPUTS: &[&str] = &[
    "staff",
    "posts",
    "towns",
    "roster_import",
    "performance_scores",
    "payroll_adjustments",
    "pay_standards",
    "insurance_rules",
    "tax_declarations",
];

/// Whether what run `run_id` of the district is computed from changed
/// after audit entry `seq`: one of [`RUN_INPUTS`], or another run
/// approved (its pay and tax count in this run's tax year to date).
pub fn inputs_changed_since(
    conn: &mut AnyConnection,
    district_id: i64,
    run_id: i64,
    seq: i64,
) -> Result<bool, DbError> {
    Ok(super::audit::changed_since(conn, district_id, seq, RUN_INPUTS)?
        || super::audit::acted_since(
            conn,
            district_id,
            seq,
            "payroll_runs",
            RunStatus::Approved.code(),
            &run_id.to_string(),
        )?)
}

/// Runs left `computing` (the server stopped while computing).
pub fn computing_runs(conn: &mut AnyConnection) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(payroll_runs::table
        .filter(payroll_runs::status.eq(RunStatus::Computing.code()))
        .select((payroll_runs::district_id, payroll_runs::id))
        .load(conn)?)
}

fn set_status(
    tx: &mut Tx<'_>,
    run: &RunRow,
    from: &[RunStatus],
    to: RunStatus,
    expected_version: i32,
) -> Result<(), PayrollError> {
    let current = run.status()?;
    if !from.contains(&current) {
        return Err(refused(PayrollProblem::WrongState));
    }
    let n = diesel::update(
        payroll_runs::table
            .filter(payroll_runs::id.eq(run.id))
            .filter(payroll_runs::version.eq(expected_version))
            .filter(payroll_runs::status.eq(current.code())),
    )
    .set((payroll_runs::status.eq(to.code()), payroll_runs::version.eq(expected_version + 1)))
    .execute(tx.conn())?;
    if n != 1 {
        return Err(PayrollError::Db(DbError::Stale));
    }
    tx.record(
        Change::new(to.code(), "payroll_runs", run.id)
            .district(run.district_id)
            .before(serde_json::json!({ "status": current.code(), "version": expected_version }))
            .after(serde_json::json!({ "status": to.code() })),
    );
    Ok(())
}

/// Submits a draft for approval; its lines freeze.
pub fn submit_run(
    tx: &mut Tx<'_>,
    who: &Principal,
    run_id: i64,
    version: i32,
    funding: &super::budget::RunFunding,
    override_request: Option<&str>,
) -> Result<i64, PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    let run = RunRow::load(tx.conn(), who.district_id, run_id)?;
    let month = run.month()?;
    let override_request = override_request.map(str::trim).filter(|s| !s.is_empty());
    // Lines computed from a roster (or scores, standards...) that changed
    // since are not submitted: the run is discarded and computed again.
    if run.status()? == RunStatus::Draft
        && inputs_changed_since(tx.conn(), who.district_id, run_id, run.inputs_seq)?
    {
        return Err(refused(PayrollProblem::InputsChanged));
    }
    // The money is checked when the run is submitted and again when it is
    // approved; a refusal goes to the approver only with the maker's case.
    let demands = super::budget::run_demands(
        funding,
        crate::domain::pay::last_day(month),
        run.gross_fen,
        run.employer_fen,
    );
    super::budget::check_unless_reason(tx.conn(), who.district_id, &demands, override_request)?;
    set_status(tx, &run, &[RunStatus::Draft], RunStatus::Submitted, version)?;
    diesel::update(payroll_runs::table.find(run_id))
        .set((
            payroll_runs::pay_source_id.eq(Some(funding.pay_source_id)),
            payroll_runs::insurance_source_id.eq(Some(funding.insurance_source_id)),
            payroll_runs::override_request.eq(override_request),
        ))
        .execute(tx.conn())?;
    tx.record(Change::new("fund", "payroll_runs", run_id).district(who.district_id).after(
        serde_json::json!({
            "pay_source_id": funding.pay_source_id,
            "insurance_source_id": funding.insurance_source_id,
            "override_request": override_request,
        }),
    ));
    let mut summary = format!(
        "{} 工资 · {} 人 · 实发 {} 元 · 单位成本 {} 元",
        run.month,
        run.people,
        from_fen(run.net_fen),
        from_fen(run.cost_fen)
    );
    if let Some(o) = override_request {
        summary.push_str(&format!(" · 超支/范围外，申请特批：{o}"));
    }
    let approval_id = super::approvals::submit(
        tx,
        who,
        ApprovalKind::PayrollRun,
        "payroll_runs",
        Some(run_id),
        &summary,
        &serde_json::json!({ "run_id": run_id, "version": version + 1 }),
    )?;
    diesel::update(payroll_runs::table.find(run_id))
        .set(payroll_runs::approval_id.eq(Some(approval_id)))
        .execute(tx.conn())?;
    Ok(approval_id)
}

/// Carries out an approved run: approved, and its adjustments paid.
pub fn apply_run_approval(
    tx: &mut Tx<'_>,
    district_id: i64,
    run_id: i64,
    decider: i64,
    over: Option<&str>,
) -> Result<(), PayrollError> {
    let run = RunRow::load(tx.conn(), district_id, run_id)?;
    set_status(tx, &run, &[RunStatus::Submitted], RunStatus::Approved, run.version)
        .map_err(|_| PayrollError::Approval(ApprovalProblem::Outdated))?;
    commit_run(tx, &run, decider, over)?;
    let details: Vec<String> = payroll_lines::table
        .filter(payroll_lines::run_id.eq(run_id))
        .select(payroll_lines::detail)
        .load(tx.conn())?;
    let mut ids = Vec::new();
    for d in details {
        let d: StoredDetail = serde_json::from_str(&d).map_err(corrupt)?;
        ids.extend(d.adjustments.iter().map(|(id, _)| *id));
    }
    if !ids.is_empty() {
        let n = diesel::update(
            payroll_adjustments::table
                .filter(payroll_adjustments::id.eq_any(&ids))
                .filter(payroll_adjustments::run_id.is_null()),
        )
        .set(payroll_adjustments::run_id.eq(Some(run_id)))
        .execute(tx.conn())?;
        if n != ids.len() {
            // Paid meanwhile by another run: this one is out of date.
            return Err(PayrollError::Approval(ApprovalProblem::Outdated));
        }
        tx.record(
            Change::new("pay", "payroll_adjustments", run_id)
                .district(district_id)
                .after(serde_json::json!({ "adjustments": ids })),
        );
    }
    Ok(())
}

/// Commits an approved run's money: its gross pay and its employer
/// contributions, one entry per town, from the sources chosen when it was
/// submitted (checked again now; the approver may override).
fn commit_run(tx: &mut Tx<'_>, run: &RunRow, decider: i64, over: Option<&str>) -> Result<(), PayrollError> {
    let (Some(pay), Some(ins)) = (run.pay_source_id, run.insurance_source_id) else {
        return Err(PayrollError::Budget(crate::domain::budget::BudgetProblem::WrongState));
    };
    let funding = super::budget::RunFunding { pay_source_id: pay, insurance_source_id: ins };
    let demands = super::budget::run_demands(
        &funding,
        crate::domain::pay::last_day(run.month()?),
        run.gross_fen,
        run.employer_fen,
    );
    super::budget::check_unless_reason(tx.conn(), run.district_id, &demands, over)?;
    let sums = town_sums(tx.conn(), run.id)?;
    let memo = format!("{} 工资", run.month);
    for (i, d) in demands.iter().enumerate() {
        // Gross pay is the first sum, employer contributions the fifth.
        let column = if i == 0 { 0 } else { 4 };
        let parts: Vec<(Option<i64>, Decimal)> = sums
            .iter()
            .map(|(town, s)| (Some(*town), from_fen(s.fen[column])))
            .filter(|(_, a)| !a.is_zero())
            .collect();
        super::budget::commit(
            tx,
            run.district_id,
            d,
            &parts,
            super::budget::For {
                ref_entity: "payroll_runs",
                ref_id: Some(run.id),
                memo: &memo,
                by: Some(run.created_by),
            },
            over.map(|reason| super::budget::Override { reason, by: decider }),
        )?;
    }
    Ok(())
}

/// Discards a draft, or a submitted run whose approval was rejected or
/// withdrawn (finance). Its lines stay for the record.
pub fn discard_run(tx: &mut Tx<'_>, who: &Principal, run_id: i64, version: i32) -> Result<(), PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    let run = RunRow::load(tx.conn(), who.district_id, run_id)?;
    if run.status()? == RunStatus::Submitted {
        let pending = match run.approval_id {
            Some(a) => super::approvals::is_pending(tx.conn(), a)?,
            None => false,
        };
        if pending {
            return Err(refused(PayrollProblem::WrongState));
        }
    }
    set_status(
        tx,
        &run,
        &[RunStatus::Draft, RunStatus::Submitted, RunStatus::Computing],
        RunStatus::Discarded,
        version,
    )
}

/// Marks an approved run paid (finance). Paying twice changes nothing.
pub fn mark_paid(tx: &mut Tx<'_>, who: &Principal, run_id: i64) -> Result<(), PayrollError> {
    mark_paid_on(tx, who, run_id, crate::domain::calendar::china_date(chrono::Utc::now()))
}

/// [`mark_paid`], the payment booked in the budget on `paid_on` (the
/// demo's past months are paid at their month's end).
pub fn mark_paid_on(
    tx: &mut Tx<'_>,
    who: &Principal,
    run_id: i64,
    paid_on: NaiveDate,
) -> Result<(), PayrollError> {
    if !who.has(Role::Finance) {
        return Err(PayrollError::OutOfScope);
    }
    let run = RunRow::load(tx.conn(), who.district_id, run_id)?;
    match run.status()? {
        RunStatus::Paid => {
            tx.nothing_changed();
            Ok(())
        }
        RunStatus::Approved => {
            let n = diesel::update(
                payroll_runs::table.find(run_id).filter(payroll_runs::status.eq(RunStatus::Approved.code())),
            )
            .set((
                payroll_runs::status.eq(RunStatus::Paid.code()),
                payroll_runs::paid_at.eq(Some(chrono::Utc::now().naive_utc())),
                payroll_runs::paid_by.eq(Some(who.user_id)),
            ))
            .execute(tx.conn())?;
            // Marked paid by a concurrent request (PostgreSQL): as for a
            // repeated request, nothing more is paid or recorded.
            if n == 0 {
                tx.nothing_changed();
                return Ok(());
            }
            super::budget::pay_all_for(
                tx,
                who.district_id,
                "payroll_runs",
                run_id,
                paid_on,
                Some(who.user_id),
            )?;
            tx.record(
                Change::new("paid", "payroll_runs", run_id)
                    .district(who.district_id)
                    .after(serde_json::json!({ "status": "paid" })),
            );
            Ok(())
        }
        _ => Err(refused(PayrollProblem::WrongState)),
    }
}

/// One stored line with its names, for sheets and pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub staff_id: i64,
    pub name: String,
    pub town_id: i64,
    pub post_code: Option<String>,
    pub role_level: RoleLevel,
    pub score: Option<i32>,
    pub detail: StoredDetail,
}

/// The only town `who` may see lines of, or `None` for district-wide
/// readers (anyone else is given an id no town has).
fn line_scope(who: &Principal) -> Option<i64> {
    if who.sees_whole_district() {
        None
    } else {
        Some(who.town_id.filter(|_| who.has(Role::Town)).unwrap_or(-1))
    }
}

/// All lines of a run `who` may see (town users: their own town), for the
/// sheets.
pub fn lines(conn: &mut AnyConnection, who: &Principal, run_id: i64) -> Result<Vec<LineView>, DbError> {
    Ok(lines_page(conn, who, run_id, None, 0, None)?.0)
}

/// A page of the lines of a run `who` may see, optionally of one town, in
/// sheet order (town, post code, person), with how many lines match.
pub fn lines_page(
    conn: &mut AnyConnection,
    who: &Principal,
    run_id: i64,
    town: Option<i64>,
    offset: i64,
    limit: Option<i64>,
) -> Result<(Vec<LineView>, i64), DbError> {
    use super::schema::posts;
    let run = RunRow::load(conn, who.district_id, run_id)?;
    let scope = line_scope(who);
    let mut count = payroll_lines::table.filter(payroll_lines::run_id.eq(run.id)).into_boxed();
    let mut q = payroll_lines::table
        .inner_join(staff::table.on(staff::id.eq(payroll_lines::staff_id)))
        .left_join(posts::table.on(posts::id.nullable().eq(payroll_lines::post_id)))
        .filter(payroll_lines::run_id.eq(run.id))
        .order((payroll_lines::town_id.asc(), posts::code.asc(), payroll_lines::staff_id.asc()))
        .select((
            payroll_lines::staff_id,
            staff::name,
            payroll_lines::town_id,
            posts::code.nullable(),
            staff::role_level,
            payroll_lines::score,
            payroll_lines::detail,
        ))
        .into_boxed();
    for t in [scope, town].into_iter().flatten() {
        q = q.filter(payroll_lines::town_id.eq(t));
        count = count.filter(payroll_lines::town_id.eq(t));
    }
    let total: i64 = count.count().get_result(conn)?;
    if let Some(limit) = limit {
        q = q.offset(offset).limit(limit);
    }
    type Row = (i64, String, i64, Option<String>, String, Option<i32>, String);
    let rows: Vec<Row> = q.load(conn)?;
    let lines = rows
        .into_iter()
        .map(|(staff_id, name, town_id, post_code, role, score, detail)| {
            Ok(LineView {
                staff_id,
                name,
                town_id,
                post_code,
                role_level: RoleLevel::from_code(&role).ok_or_else(|| corrupt("role"))?,
                score,
                detail: serde_json::from_str(&detail).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok((lines, total))
}
