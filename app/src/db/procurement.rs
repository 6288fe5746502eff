//! Procurement projects: planning with funding lines, bids received, the
//! award and cancellation. Rules are in [`crate::domain::procurement`].
//! "No budget, no purchase": every funding line is checked against its
//! source when the project is saved; a town's project is made from its
//! approved purchase request and draws only on that.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::budget::{self, Demand};
use super::contracts::ContractError;
use super::schema::{procurement_bids, procurement_funding, procurement_projects, suppliers};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError, suppliers as supplier_db};
use crate::domain::access::{Principal, Role};
use crate::domain::budget::{CostType, check_amount};
use crate::domain::contract::project_code;
use crate::domain::money::{from_fen, to_fen};
use crate::domain::procurement::{
    Bid, KeyDates, Method, ProcurementProblem, ProjectStatus, catalogue_item, check_award, check_dates,
    check_funding,
};
use crate::domain::supplier::check_standing;

/// A project as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = procurement_projects)]
pub struct ProjectRow {
    pub id: i64,
    pub district_id: i64,
    pub code: String,
    pub title: String,
    pub item_code: String,
    pub method: String,
    pub justification: String,
    pub budget_fen: i64,
    pub town_id: Option<i64>,
    pub budget_request_id: Option<i64>,
    pub planned_on: NaiveDate,
    pub tender_opens: Option<NaiveDate>,
    pub tender_closes: Option<NaiveDate>,
    pub status: String,
    pub award_supplier_id: Option<i64>,
    pub award_fen: Option<i64>,
    pub award_on: Option<NaiveDate>,
    pub award_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub version: i32,
}

impl ProjectRow {
    pub fn method(&self) -> Option<Method> {
        Method::from_code(&self.method)
    }

    pub fn status(&self) -> Option<ProjectStatus> {
        ProjectStatus::from_code(&self.status)
    }

    /// Bureau staff see every project; a town its own; providers none.
    pub fn visible_to(&self, who: &Principal) -> bool {
        who.district_id == self.district_id
            && (who.sees_whole_district()
                || (who.has(Role::Town) && who.town_id.is_some() && who.town_id == self.town_id))
    }
}

/// A funding line: a source and what it gives, in drawing order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingLine {
    pub source_id: i64,
    pub amount: Decimal,
}

/// A bid as stored, with its supplier's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidRow {
    pub id: i64,
    pub supplier_id: i64,
    pub supplier_name: String,
    pub credit_code: String,
    pub amount_fen: i64,
    pub received_on: NaiveDate,
    pub note: String,
}

/// A project as planned by finance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProject {
    pub title: String,
    pub item_code: String,
    pub method: String,
    pub justification: String,
    pub budget: Decimal,
    pub planned_on: NaiveDate,
    pub tender_opens: Option<NaiveDate>,
    pub tender_closes: Option<NaiveDate>,
    /// Ignored for a town's purchase, which draws on its request.
    pub funding: Vec<FundingLine>,
    /// A town's approved purchase request this project carries out.
    pub budget_request_id: Option<i64>,
}

fn refused(p: ProcurementProblem) -> ContractError {
    ContractError::Procurement(p)
}

fn finance(who: &Principal) -> Result<(), ContractError> {
    if who.has(Role::Finance) { Ok(()) } else { Err(ContractError::OutOfScope) }
}

fn fen(a: Decimal) -> Result<i64, ContractError> {
    to_fen(a).map_err(|_| refused(ProcurementProblem::Amount))
}

/// The projects `who` may see, newest first.
pub fn list(conn: &mut AnyConnection, who: &Principal) -> Result<Vec<ProjectRow>, DbError> {
    let mut q = procurement_projects::table
        .filter(procurement_projects::district_id.eq(who.district_id))
        .into_boxed();
    if !who.sees_whole_district() {
        match (who.has(Role::Town), who.town_id) {
            (true, Some(t)) => q = q.filter(procurement_projects::town_id.eq(t)),
            _ => return Ok(Vec::new()),
        }
    }
    Ok(q.order(procurement_projects::id.desc()).select(ProjectRow::as_select()).load(conn)?)
}

/// Every project of a district, oldest first (for open data).
pub fn all_in(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<ProjectRow>, DbError> {
    Ok(procurement_projects::table
        .filter(procurement_projects::district_id.eq(district_id))
        .order(procurement_projects::id.asc())
        .select(ProjectRow::as_select())
        .load(conn)?)
}

pub fn load_in(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<ProjectRow, DbError> {
    procurement_projects::table
        .filter(procurement_projects::district_id.eq(district_id))
        .filter(procurement_projects::id.eq(id))
        .select(ProjectRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)
}

/// Project `id` if `who` may see it; `NotFound` otherwise.
pub fn load(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<ProjectRow, DbError> {
    Some(load_in(conn, who.district_id, id)?).filter(|p| p.visible_to(who)).ok_or(DbError::NotFound)
}

/// A project's funding lines in drawing order.
pub fn funding(conn: &mut AnyConnection, project_id: i64) -> Result<Vec<FundingLine>, DbError> {
    Ok(procurement_funding::table
        .filter(procurement_funding::project_id.eq(project_id))
        .order(procurement_funding::line_no.asc())
        .select((procurement_funding::source_id, procurement_funding::amount_fen))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .map(|(source_id, a)| FundingLine { source_id, amount: from_fen(a) })
        .collect())
}

/// A project's bids, lowest first.
pub fn bids(conn: &mut AnyConnection, project_id: i64) -> Result<Vec<BidRow>, DbError> {
    Ok(procurement_bids::table
        .inner_join(suppliers::table.on(suppliers::id.eq(procurement_bids::supplier_id)))
        .filter(procurement_bids::project_id.eq(project_id))
        .order((procurement_bids::amount_fen.asc(), procurement_bids::id.asc()))
        .select((
            procurement_bids::id,
            procurement_bids::supplier_id,
            suppliers::name,
            suppliers::credit_code,
            procurement_bids::amount_fen,
            procurement_bids::received_on,
            procurement_bids::note,
        ))
        .load::<(i64, i64, String, String, i64, NaiveDate, String)>(conn)?
        .into_iter()
        .map(|(id, supplier_id, supplier_name, credit_code, amount_fen, received_on, note)| BidRow {
            id,
            supplier_id,
            supplier_name,
            credit_code,
            amount_fen,
            received_on,
            note,
        })
        .collect())
}

fn next_code(conn: &mut AnyConnection, district_id: i64, year: i32) -> Result<String, DbError> {
    let prefix = format!("CG-{year}-");
    let n: i64 = procurement_projects::table
        .filter(procurement_projects::district_id.eq(district_id))
        .filter(procurement_projects::code.like(format!("{prefix}%")))
        .count()
        .get_result(conn)?;
    Ok(project_code(year, n + 1))
}

/// Plans a project (finance); returns its id.
pub fn create(tx: &mut Tx<'_>, who: &Principal, p: &NewProject) -> Result<i64, ContractError> {
    finance(who)?;
    let title = p.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(refused(ProcurementProblem::TitleRequired));
    }
    if catalogue_item(&p.item_code).is_none() {
        return Err(refused(ProcurementProblem::UnknownItem));
    }
    let method = Method::from_code(&p.method).ok_or(refused(ProcurementProblem::UnknownMethod))?;
    let justification = p.justification.trim();
    if method.needs_justification() && justification.is_empty() {
        return Err(refused(ProcurementProblem::JustificationRequired));
    }
    check_dates(
        &KeyDates { planned_on: p.planned_on, tender_opens: p.tender_opens, tender_closes: p.tender_closes },
        None,
    )
    .map_err(refused)?;
    let (budget_amount, lines, town_id) = match p.budget_request_id {
        Some(request_id) => {
            let r = budget::approved_town_purchase(tx.conn(), who.district_id, request_id)?;
            let amount = from_fen(r.amount_fen);
            (amount, vec![FundingLine { source_id: r.source_id, amount }], r.town_id)
        }
        None => {
            let amount = check_amount(p.budget).map_err(|_| refused(ProcurementProblem::Amount))?;
            let amounts: Vec<Decimal> = p.funding.iter().map(|l| l.amount).collect();
            check_funding(amount, &amounts).map_err(refused)?;
            // No budget, no purchase: each line must be payable now.
            let demands: Vec<Demand> = p
                .funding
                .iter()
                .map(|l| Demand {
                    source_id: l.source_id,
                    cost_type: CostType::ContractPayment,
                    amount: l.amount,
                    date: budget::today(),
                })
                .collect();
            budget::check_all(tx.conn(), who.district_id, &demands)?;
            (amount, p.funding.clone(), None)
        }
    };
    let code = next_code(tx.conn(), who.district_id, p.planned_on.year())?;
    let id: i64 = diesel::insert_into(procurement_projects::table)
        .values((
            procurement_projects::district_id.eq(who.district_id),
            procurement_projects::code.eq(&code),
            procurement_projects::title.eq(title),
            procurement_projects::item_code.eq(&p.item_code),
            procurement_projects::method.eq(method.code()),
            procurement_projects::justification.eq(justification),
            procurement_projects::budget_fen.eq(fen(budget_amount)?),
            procurement_projects::town_id.eq(town_id),
            procurement_projects::budget_request_id.eq(p.budget_request_id),
            procurement_projects::planned_on.eq(p.planned_on),
            procurement_projects::tender_opens.eq(p.tender_opens),
            procurement_projects::tender_closes.eq(p.tender_closes),
            procurement_projects::created_by.eq(Some(who.user_id)),
        ))
        .returning(procurement_projects::id)
        .get_result(tx.conn())?;
    for (i, l) in lines.iter().enumerate() {
        diesel::insert_into(procurement_funding::table)
            .values((
                procurement_funding::district_id.eq(who.district_id),
                procurement_funding::project_id.eq(id),
                procurement_funding::line_no.eq(i as i32 + 1),
                procurement_funding::source_id.eq(l.source_id),
                procurement_funding::amount_fen.eq(fen(l.amount)?),
            ))
            .execute(tx.conn())?;
    }
    tx.record(Change::new("create", "procurement_projects", id).district(who.district_id).after(
        serde_json::json!({
            "code": code,
            "title": title,
            "item_code": p.item_code,
            "method": method.code(),
            "justification": justification,
            "budget": budget_amount.to_string(),
            "funding": lines,
            "budget_request_id": p.budget_request_id,
            "planned_on": p.planned_on,
            "tender_opens": p.tender_opens,
            "tender_closes": p.tender_closes,
        }),
    ));
    Ok(id)
}

fn planning(p: &ProjectRow) -> Result<(), ContractError> {
    if p.status() == Some(ProjectStatus::Planning) {
        Ok(())
    } else {
        Err(refused(ProcurementProblem::WrongState))
    }
}

/// Records a bid or quote (finance).
pub fn add_bid(
    tx: &mut Tx<'_>,
    who: &Principal,
    project_id: i64,
    supplier_id: i64,
    amount: Decimal,
    received_on: NaiveDate,
    note: &str,
) -> Result<i64, ContractError> {
    finance(who)?;
    let p = load_in(tx.conn(), who.district_id, project_id)?;
    planning(&p)?;
    let amount = check_amount(amount).map_err(|_| refused(ProcurementProblem::Amount))?;
    supplier_db::load_in(tx.conn(), who.district_id, supplier_id)?.ok_or(DbError::NotFound)?;
    if received_on < p.planned_on {
        return Err(refused(ProcurementProblem::DateOrder));
    }
    let exists: i64 = procurement_bids::table
        .filter(procurement_bids::project_id.eq(project_id))
        .filter(procurement_bids::supplier_id.eq(supplier_id))
        .count()
        .get_result(tx.conn())?;
    if exists > 0 {
        return Err(refused(ProcurementProblem::DuplicateBid));
    }
    let note = note.trim();
    let id: i64 = diesel::insert_into(procurement_bids::table)
        .values((
            procurement_bids::district_id.eq(who.district_id),
            procurement_bids::project_id.eq(project_id),
            procurement_bids::supplier_id.eq(supplier_id),
            procurement_bids::amount_fen.eq(fen(amount)?),
            procurement_bids::received_on.eq(received_on),
            procurement_bids::note.eq(note),
            procurement_bids::created_by.eq(Some(who.user_id)),
        ))
        .returning(procurement_bids::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "procurement_bids", id).district(who.district_id).after(
        serde_json::json!({
            "project_id": project_id,
            "supplier_id": supplier_id,
            "amount": amount.to_string(),
            "received_on": received_on,
            "note": note,
        }),
    ));
    Ok(id)
}

/// An award (定标): who wins, at what price, on which day, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub supplier_id: i64,
    pub amount: Decimal,
    pub award_on: NaiveDate,
    pub reason: String,
}

/// Awards a project (finance): the method's bids, the winner's standing on
/// the award day, the amount within bid and budget, a reason.
pub fn award(
    tx: &mut Tx<'_>,
    who: &Principal,
    project_id: i64,
    version: i32,
    a: &Award,
) -> Result<(), ContractError> {
    let Award { supplier_id, amount, award_on, reason } = a;
    let (supplier_id, amount, award_on, reason) = (*supplier_id, *amount, *award_on, reason.as_str());
    finance(who)?;
    let p = load_in(tx.conn(), who.district_id, project_id)?;
    planning(&p)?;
    let method = p.method().ok_or_else(|| DbError::Corrupt(format!("project {project_id} method")))?;
    let bids: Vec<Bid> = bids(tx.conn(), project_id)?
        .into_iter()
        .map(|b| Bid { supplier_id: b.supplier_id, amount: from_fen(b.amount_fen) })
        .collect();
    check_award(method, from_fen(p.budget_fen), &bids, supplier_id, amount, reason).map_err(refused)?;
    check_dates(
        &KeyDates { planned_on: p.planned_on, tender_opens: p.tender_opens, tender_closes: p.tender_closes },
        Some(award_on),
    )
    .map_err(refused)?;
    let standing = supplier_db::standing(tx.conn(), who.district_id, supplier_id)?;
    check_standing(&standing, award_on).map_err(|i| refused(ProcurementProblem::Ineligible(i)))?;
    let n = diesel::update(
        procurement_projects::table
            .filter(procurement_projects::id.eq(project_id))
            .filter(procurement_projects::version.eq(version)),
    )
    .set((
        procurement_projects::status.eq(ProjectStatus::Awarded.code()),
        procurement_projects::award_supplier_id.eq(Some(supplier_id)),
        procurement_projects::award_fen.eq(Some(fen(amount)?)),
        procurement_projects::award_on.eq(Some(award_on)),
        procurement_projects::award_reason.eq(Some(reason.trim())),
        procurement_projects::version.eq(version + 1),
    ))
    .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    tx.record(Change::new("award", "procurement_projects", project_id).district(who.district_id).after(
        serde_json::json!({
            "supplier_id": supplier_id,
            "amount": amount.to_string(),
            "award_on": award_on,
            "reason": reason.trim(),
        }),
    ));
    Ok(())
}

/// Cancels a project still in planning, with a reason (finance).
pub fn cancel(
    tx: &mut Tx<'_>,
    who: &Principal,
    project_id: i64,
    version: i32,
    reason: &str,
) -> Result<(), ContractError> {
    finance(who)?;
    let p = load_in(tx.conn(), who.district_id, project_id)?;
    planning(&p)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused(ProcurementProblem::ReasonRequired));
    }
    let n = diesel::update(
        procurement_projects::table
            .filter(procurement_projects::id.eq(project_id))
            .filter(procurement_projects::version.eq(version)),
    )
    .set((
        procurement_projects::status.eq(ProjectStatus::Cancelled.code()),
        procurement_projects::cancel_reason.eq(Some(reason)),
        procurement_projects::version.eq(version + 1),
    ))
    .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    tx.record(
        Change::new("cancel", "procurement_projects", project_id)
            .district(who.district_id)
            .after(serde_json::json!({ "reason": reason })),
    );
    Ok(())
}
