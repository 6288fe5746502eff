//! Contracts: drafting from an awarded project, approval (maker-checker,
//! which commits the money), signing, performance, numbered amendments,
//! milestone acceptances and payments, final acceptance and termination.
//! Rules are in [`crate::domain::contract`].
//!
//! **Money.** Every milestone has its own commitments in the budget ledger
//! (`ref_entity = "contract_milestones"`), drawn from the project's funding
//! lines in order: each line gives up to its amount, the last one whatever
//! is still needed (an amendment that raises the amount draws there). A
//! payment that pays less than the milestone's base (a low score's band)
//! reverses the milestone's commitments and commits the payable amount
//! again from the same sources before paying it, so nothing stays
//! committed for money that will never be paid. Termination and amendments
//! reverse the unpaid milestones' commitments the same way.

use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::budget::{self, BudgetError, Demand, For, Override};
use super::procurement::{self, FundingLine, ProjectRow};
use super::schema::{
    contract_amendments, contract_clauses, contract_indicators, contract_items, contract_milestones,
    contract_payments, contracts, milestone_acceptances, suppliers,
};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError, suppliers as supplier_db};
use crate::domain::access::{Principal, Role};
use crate::domain::approval::{ApprovalKind, ApprovalProblem};
use crate::domain::budget::{BudgetProblem, CostType};
use crate::domain::contract::{
    AmendmentInput, ContractFault, ContractInput, ContractProblem, ContractStatus, ContractTemplate, Counted,
    IndicatorInput, ItemInput, MilestoneInput, MilestoneShare, ScoreBand, Terms, check_amendment,
    check_contract, check_score, contract_number, milestone_bases, milestone_payment,
};
use crate::domain::money::{from_fen, to_fen};
use crate::domain::procurement::{ProcurementProblem, ProjectStatus};
use crate::domain::supplier::{Ineligible, SupplierProblem, check_standing};

/// Why a supplier, procurement or contract write is refused.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("contract: {0:?}")]
    Refused(ContractProblem),
    #[error("procurement: {0:?}")]
    Procurement(ProcurementProblem),
    #[error("supplier: {0:?}")]
    Supplier(SupplierProblem),
    #[error("supplier not eligible: {0:?}")]
    Ineligible(Ineligible),
    #[error("budget: {0:?}")]
    Budget(BudgetProblem),
    #[error("approval: {0:?}")]
    Approval(ApprovalProblem),
    #[error("out of scope")]
    OutOfScope,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ContractError {
    fn from(e: diesel::result::Error) -> Self {
        ContractError::Db(e.into())
    }
}

impl From<BudgetError> for ContractError {
    fn from(e: BudgetError) -> Self {
        match e {
            BudgetError::Refused(p) => ContractError::Budget(p),
            BudgetError::OutOfScope => ContractError::OutOfScope,
            BudgetError::Approval(p) => ContractError::Approval(p),
            BudgetError::Db(d) => ContractError::Db(d),
        }
    }
}

impl ContractError {
    /// The refusal to show a user, if this is one.
    pub fn fault(&self) -> Option<ContractFault> {
        match self {
            ContractError::Refused(p) => Some(ContractFault::Contract(p.clone())),
            ContractError::Procurement(p) => Some(ContractFault::Procurement(p.clone())),
            ContractError::Supplier(p) => Some(ContractFault::Supplier(*p)),
            ContractError::Ineligible(i) => Some(ContractFault::Ineligible(i.clone())),
            _ => None,
        }
    }
}

fn refused(p: ContractProblem) -> ContractError {
    ContractError::Refused(p)
}

fn corrupt(what: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(what.to_string())
}

fn finance(who: &Principal) -> Result<(), ContractError> {
    if who.has(Role::Finance) { Ok(()) } else { Err(ContractError::OutOfScope) }
}

fn fen(a: Decimal) -> Result<i64, ContractError> {
    to_fen(a).map_err(|_| refused(ContractProblem::Amount))
}

/// Hundredths (percent, score, quantity) as stored.
fn centi(d: Decimal) -> Result<i64, ContractError> {
    use rust_decimal::prelude::ToPrimitive;
    (d * Decimal::ONE_HUNDRED).trunc().to_i64().ok_or(refused(ContractProblem::Amount))
}

fn from_centi(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

/// The ledger reference of a milestone's money.
pub const MILESTONE_REF: &str = "contract_milestones";

// --- Reading -------------------------------------------------------------

/// A contract as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = contracts)]
pub struct ContractRow {
    pub id: i64,
    pub district_id: i64,
    pub project_id: i64,
    pub number: String,
    pub template: String,
    pub supplier_id: i64,
    pub town_id: Option<i64>,
    pub title: String,
    pub amount_fen: i64,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub term_justification: String,
    pub current_amount_fen: i64,
    pub current_end_on: NaiveDate,
    pub status: String,
    pub approval_id: Option<i64>,
    pub signed_on: Option<NaiveDate>,
    pub performing_from: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub version: i32,
}

impl ContractRow {
    pub fn status(&self) -> Result<ContractStatus, DbError> {
        ContractStatus::from_code(&self.status).ok_or_else(|| corrupt(format!("contract {} status", self.id)))
    }

    pub fn template(&self) -> Result<ContractTemplate, DbError> {
        ContractTemplate::from_code(&self.template)
            .ok_or_else(|| corrupt(format!("contract {} template", self.id)))
    }

    pub fn terms(&self) -> Terms {
        Terms {
            amount: from_fen(self.current_amount_fen),
            start_on: self.start_on,
            end_on: self.current_end_on,
        }
    }

    /// Bureau staff see every contract; a town its town's; a provider its
    /// organisation's.
    pub fn visible_to(&self, who: &Principal) -> bool {
        who.district_id == self.district_id
            && (who.sees_whole_district()
                || (who.has(Role::Town) && who.town_id.is_some() && who.town_id == self.town_id)
                || (who.has(Role::Provider) && who.supplier_id == Some(self.supplier_id)))
    }
}

/// A milestone as stored, its bands parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneRow {
    pub id: i64,
    pub contract_id: i64,
    pub seq: i32,
    pub name: String,
    pub percent: Decimal,
    pub due_on: NaiveDate,
    pub condition: String,
    pub bands: Vec<ScoreBand>,
}

/// An amendment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = contract_amendments)]
pub struct AmendmentRow {
    pub id: i64,
    pub district_id: i64,
    pub contract_id: i64,
    pub number: i32,
    pub reason: String,
    pub amount_fen: Option<i64>,
    pub end_on: Option<NaiveDate>,
    pub term_justification: String,
    pub other_changes: String,
    pub before_amount_fen: i64,
    pub before_end_on: NaiveDate,
    pub status: String,
    pub approval_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
}

/// An acceptance as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = milestone_acceptances)]
pub struct AcceptanceRow {
    pub id: i64,
    pub district_id: i64,
    pub contract_id: i64,
    pub milestone_id: i64,
    pub accepted_on: NaiveDate,
    pub score_centi: Option<i32>,
    pub note: String,
    pub basis: String,
    pub report_id: Option<i64>,
    pub status: String,
    pub approval_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
}

impl AcceptanceRow {
    pub fn score(&self) -> Option<Decimal> {
        self.score_centi.map(|s| from_centi(i64::from(s)))
    }
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = contract_payments)]
pub struct PaymentRow {
    pub id: i64,
    pub district_id: i64,
    pub contract_id: i64,
    pub milestone_id: i64,
    pub acceptance_id: i64,
    pub base_fen: i64,
    pub factor_bp: i32,
    pub amount_fen: i64,
    pub pay_on: NaiveDate,
    pub status: String,
    pub approval_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub paid_at: Option<chrono::NaiveDateTime>,
}

impl PaymentRow {
    pub fn factor(&self) -> Decimal {
        Decimal::new(i64::from(self.factor_bp), 4)
    }
}

/// Everything about one contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractFull {
    pub contract: ContractRow,
    pub input: ContractInput,
    pub milestones: Vec<MilestoneRow>,
    pub amendments: Vec<AmendmentRow>,
    pub acceptances: Vec<AcceptanceRow>,
    pub payments: Vec<PaymentRow>,
}

/// The contracts `who` may see, newest first, with their supplier's name.
pub fn list(conn: &mut AnyConnection, who: &Principal) -> Result<Vec<(ContractRow, String)>, DbError> {
    let mut q = contracts::table
        .inner_join(suppliers::table.on(suppliers::id.eq(contracts::supplier_id)))
        .filter(contracts::district_id.eq(who.district_id))
        .into_boxed();
    if !who.sees_whole_district() {
        let town = if who.has(Role::Town) { who.town_id.unwrap_or(-1) } else { -1 };
        let supplier = if who.has(Role::Provider) { who.supplier_id.unwrap_or(-1) } else { -1 };
        q = q.filter(contracts::town_id.eq(town).or(contracts::supplier_id.eq(supplier)));
    }
    Ok(q.order(contracts::id.desc()).select((ContractRow::as_select(), suppliers::name)).load(conn)?)
}

pub fn load_in(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<ContractRow, DbError> {
    contracts::table
        .filter(contracts::district_id.eq(district_id))
        .filter(contracts::id.eq(id))
        .select(ContractRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)
}

/// Contract `id` if `who` may see it; `NotFound` otherwise.
pub fn load(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<ContractRow, DbError> {
    Some(load_in(conn, who.district_id, id)?).filter(|c| c.visible_to(who)).ok_or(DbError::NotFound)
}

/// The contracts made under a project.
pub fn for_project(
    conn: &mut AnyConnection,
    district_id: i64,
    project_id: i64,
) -> Result<Vec<ContractRow>, DbError> {
    Ok(contracts::table
        .filter(contracts::district_id.eq(district_id))
        .filter(contracts::project_id.eq(project_id))
        .order(contracts::id.asc())
        .select(ContractRow::as_select())
        .load(conn)?)
}

/// A contract's milestones in order.
pub fn milestones(conn: &mut AnyConnection, contract_id: i64) -> Result<Vec<MilestoneRow>, DbError> {
    contract_milestones::table
        .filter(contract_milestones::contract_id.eq(contract_id))
        .order(contract_milestones::seq.asc())
        .select((
            contract_milestones::id,
            contract_milestones::contract_id,
            contract_milestones::seq,
            contract_milestones::name,
            contract_milestones::percent_centi,
            contract_milestones::due_on,
            contract_milestones::condition,
            contract_milestones::bands,
        ))
        .load::<(i64, i64, i32, String, i32, NaiveDate, String, String)>(conn)?
        .into_iter()
        .map(|(id, contract_id, seq, name, percent, due_on, condition, bands)| {
            Ok(MilestoneRow {
                id,
                contract_id,
                seq,
                name,
                percent: from_centi(i64::from(percent)),
                due_on,
                condition,
                bands: serde_json::from_str(&bands).map_err(|_| corrupt(format!("milestone {id} bands")))?,
            })
        })
        .collect()
}

fn input_of(
    conn: &mut AnyConnection,
    c: &ContractRow,
    milestones: &[MilestoneRow],
) -> Result<ContractInput, DbError> {
    let items = contract_items::table
        .filter(contract_items::contract_id.eq(c.id))
        .order(contract_items::line_no.asc())
        .select((
            contract_items::item_code,
            contract_items::description,
            contract_items::quantity_centi,
            contract_items::unit_price_fen,
            contract_items::indicator,
        ))
        .load::<(String, String, i64, i64, String)>(conn)?
        .into_iter()
        .map(|(item_code, description, q, p, indicator)| ItemInput {
            item_code,
            description,
            quantity: from_centi(q),
            unit_price: from_fen(p),
            indicator,
        })
        .collect();
    let indicators = contract_indicators::table
        .filter(contract_indicators::contract_id.eq(c.id))
        .order(contract_indicators::line_no.asc())
        .select((
            contract_indicators::name,
            contract_indicators::target,
            contract_indicators::weight_centi,
            contract_indicators::service_code,
            contract_indicators::target_qty,
        ))
        .load::<(String, String, i32, Option<String>, Option<i64>)>(conn)?
        .into_iter()
        .map(|(name, target, w, code, qty)| IndicatorInput {
            name,
            target,
            weight: from_centi(i64::from(w)),
            counts: code.zip(qty).map(|(service_code, q)| Counted {
                service_code,
                target: u32::try_from(q).unwrap_or(u32::MAX),
            }),
        })
        .collect();
    let breach_clauses = contract_clauses::table
        .filter(contract_clauses::contract_id.eq(c.id))
        .order(contract_clauses::line_no.asc())
        .select(contract_clauses::text)
        .load(conn)?;
    Ok(ContractInput {
        title: c.title.clone(),
        template: c.template()?,
        amount: from_fen(c.amount_fen),
        start_on: c.start_on,
        end_on: c.end_on,
        term_justification: c.term_justification.clone(),
        items,
        milestones: milestones
            .iter()
            .map(|m| MilestoneInput {
                name: m.name.clone(),
                percent: m.percent,
                due_on: m.due_on,
                condition: m.condition.clone(),
                bands: m.bands.clone(),
            })
            .collect(),
        indicators,
        breach_clauses,
    })
}

/// Everything about contract `id`, if `who` may see it.
pub fn full(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<ContractFull, DbError> {
    let contract = load(conn, who, id)?;
    full_of(conn, contract)
}

pub fn full_of(conn: &mut AnyConnection, contract: ContractRow) -> Result<ContractFull, DbError> {
    let milestones = milestones(conn, contract.id)?;
    let input = input_of(conn, &contract, &milestones)?;
    let amendments = contract_amendments::table
        .filter(contract_amendments::contract_id.eq(contract.id))
        .order(contract_amendments::number.asc())
        .select(AmendmentRow::as_select())
        .load(conn)?;
    let acceptances = milestone_acceptances::table
        .filter(milestone_acceptances::contract_id.eq(contract.id))
        .order(milestone_acceptances::id.asc())
        .select(AcceptanceRow::as_select())
        .load(conn)?;
    let payments = contract_payments::table
        .filter(contract_payments::contract_id.eq(contract.id))
        .order(contract_payments::id.asc())
        .select(PaymentRow::as_select())
        .load(conn)?;
    Ok(ContractFull { contract, input, milestones, amendments, acceptances, payments })
}

/// Is a status code one that holds a milestone (submitted or approved)?
fn live(status: &str) -> bool {
    status == "submitted" || status == "approved"
}

impl ContractFull {
    /// Each milestone's base under the current amount, with what is paid.
    pub fn bases(&self) -> Result<Vec<Decimal>, ContractProblem> {
        let shares: Vec<MilestoneShare> = self
            .milestones
            .iter()
            .map(|m| MilestoneShare {
                percent: m.percent,
                paid_base: self
                    .payments
                    .iter()
                    .find(|p| p.milestone_id == m.id && live(&p.status))
                    .map(|p| from_fen(p.base_fen)),
            })
            .collect();
        milestone_bases(from_fen(self.contract.current_amount_fen), &shares)
    }

    /// The approved acceptance of a milestone, if any.
    pub fn acceptance(&self, milestone_id: i64) -> Option<&AcceptanceRow> {
        self.acceptances.iter().find(|a| a.milestone_id == milestone_id && a.status == "approved")
    }

    /// The live (submitted or approved) payment of a milestone, if any.
    pub fn payment(&self, milestone_id: i64) -> Option<&PaymentRow> {
        self.payments.iter().find(|p| p.milestone_id == milestone_id && live(&p.status))
    }

    /// What approved payments paid, in total.
    pub fn paid(&self) -> Decimal {
        self.payments.iter().filter(|p| p.status == "approved").map(|p| from_fen(p.amount_fen)).sum()
    }

    /// The bases of milestones paid or being paid.
    pub fn paid_bases(&self) -> Decimal {
        self.payments.iter().filter(|p| live(&p.status)).map(|p| from_fen(p.base_fen)).sum()
    }
}

// --- Drafting ------------------------------------------------------------

fn insert_children(
    tx: &mut Tx<'_>,
    district_id: i64,
    id: i64,
    c: &ContractInput,
) -> Result<(), ContractError> {
    for (i, it) in c.items.iter().enumerate() {
        diesel::insert_into(contract_items::table)
            .values((
                contract_items::contract_id.eq(id),
                contract_items::line_no.eq(i as i32 + 1),
                contract_items::item_code.eq(&it.item_code),
                contract_items::description.eq(it.description.trim()),
                contract_items::quantity_centi.eq(centi(it.quantity)?),
                contract_items::unit_price_fen.eq(fen(it.unit_price)?),
                contract_items::amount_fen.eq(fen(it.amount())?),
                contract_items::indicator.eq(it.indicator.trim()),
            ))
            .execute(tx.conn())?;
    }
    for (i, m) in c.milestones.iter().enumerate() {
        diesel::insert_into(contract_milestones::table)
            .values((
                contract_milestones::district_id.eq(district_id),
                contract_milestones::contract_id.eq(id),
                contract_milestones::seq.eq(i as i32 + 1),
                contract_milestones::name.eq(m.name.trim()),
                contract_milestones::percent_centi.eq(centi(m.percent)? as i32),
                contract_milestones::due_on.eq(m.due_on),
                contract_milestones::condition.eq(m.condition.trim()),
                contract_milestones::bands.eq(serde_json::to_string(&m.bands).map_err(corrupt)?),
            ))
            .execute(tx.conn())?;
    }
    for (i, ind) in c.indicators.iter().enumerate() {
        diesel::insert_into(contract_indicators::table)
            .values((
                contract_indicators::contract_id.eq(id),
                contract_indicators::line_no.eq(i as i32 + 1),
                contract_indicators::name.eq(ind.name.trim()),
                contract_indicators::target.eq(ind.target.trim()),
                contract_indicators::weight_centi.eq(centi(ind.weight)? as i32),
                contract_indicators::service_code.eq(ind.counts.as_ref().map(|c| c.service_code.as_str())),
                contract_indicators::target_qty.eq(ind.counts.as_ref().map(|c| i64::from(c.target))),
            ))
            .execute(tx.conn())?;
    }
    for (i, text) in c.breach_clauses.iter().enumerate() {
        diesel::insert_into(contract_clauses::table)
            .values((
                contract_clauses::contract_id.eq(id),
                contract_clauses::line_no.eq(i as i32 + 1),
                contract_clauses::text.eq(text.trim()),
            ))
            .execute(tx.conn())?;
    }
    Ok(())
}

fn delete_children(tx: &mut Tx<'_>, id: i64) -> Result<(), DbError> {
    diesel::delete(contract_items::table.filter(contract_items::contract_id.eq(id))).execute(tx.conn())?;
    diesel::delete(contract_milestones::table.filter(contract_milestones::contract_id.eq(id)))
        .execute(tx.conn())?;
    diesel::delete(contract_indicators::table.filter(contract_indicators::contract_id.eq(id)))
        .execute(tx.conn())?;
    diesel::delete(contract_clauses::table.filter(contract_clauses::contract_id.eq(id)))
        .execute(tx.conn())?;
    Ok(())
}

fn awarded(
    conn: &mut AnyConnection,
    district_id: i64,
    project_id: i64,
) -> Result<(ProjectRow, i64, Decimal), ContractError> {
    let p = procurement::load_in(conn, district_id, project_id)?;
    match (p.status(), p.award_supplier_id, p.award_fen) {
        (Some(ProjectStatus::Awarded), Some(s), Some(a)) => Ok((p, s, from_fen(a))),
        _ => Err(ContractError::Procurement(ProcurementProblem::WrongState)),
    }
}

fn next_number(conn: &mut AnyConnection, district_id: i64, year: i32) -> Result<String, DbError> {
    let n: i64 = contracts::table
        .filter(contracts::district_id.eq(district_id))
        .filter(contracts::number.like(format!("HT-{year}-%")))
        .count()
        .get_result(conn)?;
    Ok(contract_number(year, n + 1))
}

/// Drafts a contract from an awarded project (finance); returns its id.
pub fn draft(
    tx: &mut Tx<'_>,
    who: &Principal,
    project_id: i64,
    c: &ContractInput,
) -> Result<i64, ContractError> {
    finance(who)?;
    // One contract of the district is drafted at a time (PostgreSQL; SQLite
    // serialises writes): the check for a live contract on the project
    // below and the numbering then see every draft committed before.
    super::write::lock_row(tx.conn(), "districts", who.district_id)?;
    let (p, supplier_id, award) = awarded(tx.conn(), who.district_id, project_id)?;
    check_contract(c, award).map_err(refused)?;
    // A contract on top of a live one would spend the award twice.
    let others = for_project(tx.conn(), who.district_id, project_id)?;
    if others.iter().any(|o| !matches!(o.status(), Ok(ContractStatus::Terminated))) {
        return Err(ContractError::Procurement(ProcurementProblem::WrongState));
    }
    let number = next_number(tx.conn(), who.district_id, chrono::Datelike::year(&c.start_on))?;
    let amount = fen(c.amount)?;
    let id: i64 = diesel::insert_into(contracts::table)
        .values((
            contracts::district_id.eq(who.district_id),
            contracts::project_id.eq(project_id),
            contracts::number.eq(&number),
            contracts::template.eq(c.template.code()),
            contracts::supplier_id.eq(supplier_id),
            contracts::town_id.eq(p.town_id),
            contracts::title.eq(c.title.trim()),
            contracts::amount_fen.eq(amount),
            contracts::start_on.eq(c.start_on),
            contracts::end_on.eq(c.end_on),
            contracts::term_justification.eq(c.term_justification.trim()),
            contracts::current_amount_fen.eq(amount),
            contracts::current_end_on.eq(c.end_on),
            contracts::created_by.eq(Some(who.user_id)),
        ))
        .returning(contracts::id)
        .get_result(tx.conn())?;
    insert_children(tx, who.district_id, id, c)?;
    tx.record(
        Change::new("create", "contracts", id)
            .district(who.district_id)
            .after(serde_json::json!({ "number": number, "project_id": project_id, "supplier_id": supplier_id, "contract": c })),
    );
    Ok(id)
}

fn bump(tx: &mut Tx<'_>, c: &ContractRow, status: ContractStatus) -> Result<(), ContractError> {
    let from = c.status()?;
    if !from.may_become(status) {
        return Err(refused(ContractProblem::WrongState(from)));
    }
    let n = diesel::update(
        contracts::table.filter(contracts::id.eq(c.id)).filter(contracts::version.eq(c.version)),
    )
    .set((contracts::status.eq(status.code()), contracts::version.eq(c.version + 1)))
    .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    Ok(())
}

fn current(tx: &mut Tx<'_>, who: &Principal, id: i64, version: i32) -> Result<ContractRow, ContractError> {
    let c = load_in(tx.conn(), who.district_id, id)?;
    if c.version != version {
        return Err(DbError::Stale.into());
    }
    Ok(c)
}

/// Changes a draft (finance): the whole contract is replaced.
pub fn update_draft(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    c: &ContractInput,
) -> Result<(), ContractError> {
    finance(who)?;
    let before = current(tx, who, id, version)?;
    if before.status()? != ContractStatus::Draft {
        return Err(refused(ContractProblem::WrongState(before.status()?)));
    }
    let (_, _, award) = awarded(tx.conn(), who.district_id, before.project_id)?;
    check_contract(c, award).map_err(refused)?;
    let old = full_of(tx.conn(), before.clone())?.input;
    let amount = fen(c.amount)?;
    let n =
        diesel::update(contracts::table.filter(contracts::id.eq(id)).filter(contracts::version.eq(version)))
            .set((
                contracts::template.eq(c.template.code()),
                contracts::title.eq(c.title.trim()),
                contracts::amount_fen.eq(amount),
                contracts::start_on.eq(c.start_on),
                contracts::end_on.eq(c.end_on),
                contracts::term_justification.eq(c.term_justification.trim()),
                contracts::current_amount_fen.eq(amount),
                contracts::current_end_on.eq(c.end_on),
                contracts::version.eq(version + 1),
            ))
            .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    delete_children(tx, id)?;
    insert_children(tx, who.district_id, id, c)?;
    tx.record(Change::new("update", "contracts", id).district(who.district_id).before(old).after(c));
    Ok(())
}

/// The demands approving a contract makes: each milestone's base drawn on
/// the funding lines in order.
fn plan_commitments(
    lines: &[FundingLine],
    held: &[(i64, i64)],
    bases: &[(i64, Decimal)],
) -> Result<Vec<(i64, i64, Decimal)>, ContractError> {
    // What each line still gives, after what the contract already holds.
    let mut left: Vec<Decimal> = lines.iter().map(|l| l.amount).collect();
    for (source, held_fen) in held {
        let mut h = from_fen(*held_fen);
        for (i, l) in lines.iter().enumerate() {
            if l.source_id == *source && h > Decimal::ZERO {
                let take = h.min(left[i]);
                left[i] -= take;
                h -= take;
            }
        }
    }
    let last =
        lines.len().checked_sub(1).ok_or(ContractError::Procurement(ProcurementProblem::FundingRequired))?;
    let mut out = Vec::new();
    for (milestone, base) in bases {
        let mut need = *base;
        for (i, l) in lines.iter().enumerate() {
            if need <= Decimal::ZERO {
                break;
            }
            let take = if i == last { need } else { need.min(left[i]) };
            if take > Decimal::ZERO {
                out.push((*milestone, l.source_id, take));
                left[i] -= take;
                need -= take;
            }
        }
    }
    Ok(out)
}

fn commit_plan(
    tx: &mut Tx<'_>,
    c: &ContractRow,
    plan: &[(i64, i64, Decimal)],
    date: NaiveDate,
    by: Option<i64>,
    over: Option<Override<'_>>,
) -> Result<(), ContractError> {
    let memo = format!("{} {}", c.number, c.title);
    for (milestone, source, amount) in plan {
        let d = Demand { source_id: *source, cost_type: CostType::ContractPayment, amount: *amount, date };
        budget::commit(
            tx,
            c.district_id,
            &d,
            &[(c.town_id, *amount)],
            For { ref_entity: MILESTONE_REF, ref_id: Some(*milestone), memo: &memo, by },
            over,
        )?;
    }
    Ok(())
}

/// The demands of committing `bases` now, for checking before submission.
fn demands_of(plan: &[(i64, i64, Decimal)], date: NaiveDate) -> Vec<Demand> {
    plan.iter()
        .map(|(_, source, amount)| Demand {
            source_id: *source,
            cost_type: CostType::ContractPayment,
            amount: *amount,
            date,
        })
        .collect()
}

/// Submits a draft for approval (finance). The money is checked now and
/// again on approval; the supplier's standing too.
pub fn submit(tx: &mut Tx<'_>, who: &Principal, id: i64, version: i32) -> Result<i64, ContractError> {
    finance(who)?;
    let c = current(tx, who, id, version)?;
    let full = full_of(tx.conn(), c.clone())?;
    let (p, _, award) = awarded(tx.conn(), who.district_id, c.project_id)?;
    check_contract(&full.input, award).map_err(refused)?;
    let today = budget::today();
    check_standing(&supplier_db::standing(tx.conn(), who.district_id, c.supplier_id)?, today)
        .map_err(ContractError::Ineligible)?;
    if p.budget_request_id.is_none() {
        let bases = full.bases().map_err(refused)?;
        let lines = procurement::funding(tx.conn(), p.id)?;
        let plan = plan_commitments(
            &lines,
            &[],
            &full.milestones.iter().map(|m| m.id).zip(bases).collect::<Vec<_>>(),
        )?;
        budget::check_all(tx.conn(), who.district_id, &demands_of(&plan, today))?;
    }
    bump(tx, &c, ContractStatus::Pending)?;
    let summary = format!("合同审批：{} {} · {} 元", c.number, c.title, from_fen(c.amount_fen));
    let approval_id = super::approvals::submit(
        tx,
        who,
        ApprovalKind::Contract,
        "contracts",
        Some(id),
        &summary,
        &serde_json::json!({ "contract_id": id, "version": version + 1 }),
    )?;
    diesel::update(contracts::table.find(id))
        .set(contracts::approval_id.eq(Some(approval_id)))
        .execute(tx.conn())?;
    tx.record(
        Change::new("submit", "contracts", id)
            .district(who.district_id)
            .after(serde_json::json!({ "status": "pending", "approval_id": approval_id })),
    );
    Ok(approval_id)
}

/// Carries out an approved contract: the supplier's standing is checked
/// again, a town's purchase request gives up its commitment to the
/// contract, and each milestone's base is committed.
pub fn apply_approval(
    tx: &mut Tx<'_>,
    district_id: i64,
    id: i64,
    decider: i64,
    over: Option<&str>,
) -> Result<(), ContractError> {
    let c = load_in(tx.conn(), district_id, id)?;
    if c.status()? != ContractStatus::Pending {
        return Err(ContractError::Approval(ApprovalProblem::Outdated));
    }
    let today = budget::today();
    check_standing(&supplier_db::standing(tx.conn(), district_id, c.supplier_id)?, today)
        .map_err(ContractError::Ineligible)?;
    let p = procurement::load_in(tx.conn(), district_id, c.project_id)?;
    if let Some(request_id) = p.budget_request_id {
        let r = budget::approved_town_purchase(tx.conn(), district_id, request_id)?;
        let entry = r.entry_id.ok_or(ContractError::Budget(BudgetProblem::WrongState))?;
        let note = format!("转为合同 {} 的付款节点承诺", c.number);
        budget::reverse_entry(tx, district_id, entry, &note, Some(decider))?;
    }
    let full = full_of(tx.conn(), c.clone())?;
    let bases = full.bases().map_err(refused)?;
    let lines = procurement::funding(tx.conn(), p.id)?;
    let plan =
        plan_commitments(&lines, &[], &full.milestones.iter().map(|m| m.id).zip(bases).collect::<Vec<_>>())?;
    commit_plan(tx, &c, &plan, today, c.created_by, over.map(|reason| Override { reason, by: decider }))?;
    bump(tx, &c, ContractStatus::Approved)?;
    tx.record(
        Change::new("approve", "contracts", id)
            .district(district_id)
            .after(serde_json::json!({ "status": "approved", "commitments": plan.len() })),
    );
    Ok(())
}

/// A contract whose approval was rejected or withdrawn goes back to draft.
pub fn reopen(tx: &mut Tx<'_>, district_id: i64, id: i64) -> Result<(), ContractError> {
    let c = load_in(tx.conn(), district_id, id)?;
    if c.status()? == ContractStatus::Pending {
        bump(tx, &c, ContractStatus::Draft)?;
        tx.record(
            Change::new("reopen", "contracts", id)
                .district(district_id)
                .after(serde_json::json!({ "status": "draft" })),
        );
    }
    Ok(())
}

/// Records the signature of both parties (finance).
pub fn sign(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    on: NaiveDate,
) -> Result<(), ContractError> {
    finance(who)?;
    let c = current(tx, who, id, version)?;
    if on > budget::today() {
        return Err(refused(ContractProblem::Date));
    }
    bump(tx, &c, ContractStatus::Signed)?;
    diesel::update(contracts::table.find(id)).set(contracts::signed_on.eq(Some(on))).execute(tx.conn())?;
    tx.record(
        Change::new("sign", "contracts", id)
            .district(who.district_id)
            .after(serde_json::json!({ "signed_on": on })),
    );
    Ok(())
}

/// Records that service started (finance).
pub fn start(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    on: NaiveDate,
) -> Result<(), ContractError> {
    finance(who)?;
    let c = current(tx, who, id, version)?;
    if c.signed_on.is_some_and(|s| on < s) || on > c.current_end_on {
        return Err(refused(ContractProblem::Date));
    }
    bump(tx, &c, ContractStatus::Performing)?;
    diesel::update(contracts::table.find(id))
        .set(contracts::performing_from.eq(Some(on)))
        .execute(tx.conn())?;
    tx.record(
        Change::new("start", "contracts", id)
            .district(who.district_id)
            .after(serde_json::json!({ "performing_from": on })),
    );
    Ok(())
}

fn nothing_pending(full: &ContractFull) -> Result<(), ContractError> {
    let pending = full.amendments.iter().any(|a| a.status == "submitted")
        || full.acceptances.iter().any(|a| a.status == "submitted")
        || full.payments.iter().any(|p| p.status == "submitted");
    if pending { Err(refused(ContractProblem::WrongState(ContractStatus::Pending))) } else { Ok(()) }
}

/// Final acceptance (finance): every milestone accepted and paid.
pub fn finish(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    on: NaiveDate,
) -> Result<(), ContractError> {
    finance(who)?;
    let c = current(tx, who, id, version)?;
    let full = full_of(tx.conn(), c.clone())?;
    nothing_pending(&full)?;
    if full.milestones.iter().any(|m| full.payment(m.id).is_none_or(|p| p.status != "approved")) {
        return Err(refused(ContractProblem::NotAccepted));
    }
    bump(tx, &c, ContractStatus::Accepted)?;
    diesel::update(contracts::table.find(id)).set(contracts::ended_on.eq(Some(on))).execute(tx.conn())?;
    tx.record(
        Change::new("accept", "contracts", id)
            .district(who.district_id)
            .after(serde_json::json!({ "ended_on": on })),
    );
    Ok(())
}

/// Reverses the commitments of every milestone not yet paid (or being
/// paid); returns their ids.
fn release_unpaid(
    tx: &mut Tx<'_>,
    full: &ContractFull,
    reason: &str,
    by: Option<i64>,
) -> Result<Vec<i64>, ContractError> {
    let mut released = Vec::new();
    for m in &full.milestones {
        if full.payment(m.id).is_some() {
            continue;
        }
        for e in budget::live_commitments(tx.conn(), full.contract.district_id, MILESTONE_REF, m.id)? {
            budget::reverse_entry(tx, full.contract.district_id, e.id, reason, by)?;
        }
        released.push(m.id);
    }
    Ok(released)
}

/// Ends a contract early with a reason (finance): the unpaid milestones'
/// money is released.
pub fn terminate(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    on: NaiveDate,
    reason: &str,
) -> Result<(), ContractError> {
    finance(who)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused(ContractProblem::ReasonRequired));
    }
    let c = current(tx, who, id, version)?;
    let full = full_of(tx.conn(), c.clone())?;
    nothing_pending(&full)?;
    bump(tx, &c, ContractStatus::Terminated)?;
    let note = format!("合同 {} 终止：{reason}", c.number);
    let released = release_unpaid(tx, &full, &note, Some(who.user_id))?;
    diesel::update(contracts::table.find(id))
        .set((contracts::ended_on.eq(Some(on)), contracts::end_reason.eq(Some(reason))))
        .execute(tx.conn())?;
    tx.record(Change::new("terminate", "contracts", id).district(who.district_id).after(serde_json::json!({
        "ended_on": on,
        "reason": reason,
        "released_milestones": released,
    })));
    Ok(())
}

// --- Amendments ----------------------------------------------------------

fn in_force(c: &ContractRow) -> Result<(), ContractError> {
    let s = c.status()?;
    if s.in_force() { Ok(()) } else { Err(refused(ContractProblem::WrongState(s))) }
}

/// Proposes an amendment (finance); returns its id. It takes effect when
/// approved.
pub fn propose_amendment(
    tx: &mut Tx<'_>,
    who: &Principal,
    contract_id: i64,
    a: &AmendmentInput,
) -> Result<i64, ContractError> {
    finance(who)?;
    let c = load_in(tx.conn(), who.district_id, contract_id)?;
    in_force(&c)?;
    let full = full_of(tx.conn(), c.clone())?;
    if full.amendments.iter().any(|x| x.status == "submitted") {
        return Err(refused(ContractProblem::WrongState(ContractStatus::Pending)));
    }
    let next = check_amendment(&c.terms(), a, full.paid_bases()).map_err(refused)?;
    // Unpaid milestones must still fall within the new term.
    for (i, m) in full.milestones.iter().enumerate() {
        if full.payment(m.id).is_none() && m.due_on > next.end_on {
            return Err(refused(ContractProblem::Milestone(i + 1)));
        }
    }
    let number = full.amendments.iter().map(|x| x.number).max().unwrap_or(0) + 1;
    let amount_fen = match a.amount {
        Some(x) if x != c.terms().amount => Some(fen(x)?),
        _ => None,
    };
    let end_on = a.end_on.filter(|e| *e != c.current_end_on);
    let id: i64 = diesel::insert_into(contract_amendments::table)
        .values((
            contract_amendments::district_id.eq(who.district_id),
            contract_amendments::contract_id.eq(contract_id),
            contract_amendments::number.eq(number),
            contract_amendments::reason.eq(a.reason.trim()),
            contract_amendments::amount_fen.eq(amount_fen),
            contract_amendments::end_on.eq(end_on),
            contract_amendments::term_justification.eq(a.term_justification.trim()),
            contract_amendments::other_changes.eq(a.other_changes.trim()),
            contract_amendments::before_amount_fen.eq(c.current_amount_fen),
            contract_amendments::before_end_on.eq(c.current_end_on),
            contract_amendments::created_by.eq(Some(who.user_id)),
        ))
        .returning(contract_amendments::id)
        .get_result(tx.conn())?;
    let summary = format!("合同变更：{} 第{}号变更 · {}", c.number, number, a.reason.trim());
    let approval_id = super::approvals::submit(
        tx,
        who,
        ApprovalKind::ContractAmendment,
        "contract_amendments",
        Some(id),
        &summary,
        &serde_json::json!({ "amendment_id": id }),
    )?;
    diesel::update(contract_amendments::table.find(id))
        .set(contract_amendments::approval_id.eq(Some(approval_id)))
        .execute(tx.conn())?;
    tx.record(Change::new("create", "contract_amendments", id).district(who.district_id).after(
        serde_json::json!({
            "contract_id": contract_id,
            "number": number,
            "amendment": a,
            "before": c.terms(),
        }),
    ));
    Ok(id)
}

fn load_amendment(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<AmendmentRow, DbError> {
    contract_amendments::table
        .filter(contract_amendments::district_id.eq(district_id))
        .filter(contract_amendments::id.eq(id))
        .select(AmendmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)
}

/// Carries out an approved amendment: the contract's current terms change
/// and, when the amount changes, the unpaid milestones are committed again
/// at their new bases.
pub fn apply_amendment(
    tx: &mut Tx<'_>,
    district_id: i64,
    id: i64,
    decider: i64,
    over: Option<&str>,
) -> Result<(), ContractError> {
    let a = load_amendment(tx.conn(), district_id, id)?;
    let c = load_in(tx.conn(), district_id, a.contract_id)?;
    if a.status != "submitted"
        || !c.status()?.in_force()
        || c.current_amount_fen != a.before_amount_fen
        || c.current_end_on != a.before_end_on
    {
        return Err(ContractError::Approval(ApprovalProblem::Outdated));
    }
    let new_amount = a.amount_fen.unwrap_or(c.current_amount_fen);
    let new_end = a.end_on.unwrap_or(c.current_end_on);
    let n = diesel::update(
        contracts::table.filter(contracts::id.eq(c.id)).filter(contracts::version.eq(c.version)),
    )
    .set((
        contracts::current_amount_fen.eq(new_amount),
        contracts::current_end_on.eq(new_end),
        contracts::version.eq(c.version + 1),
    ))
    .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    diesel::update(contract_amendments::table.find(id))
        .set(contract_amendments::status.eq("approved"))
        .execute(tx.conn())?;
    if new_amount != c.current_amount_fen {
        let c = load_in(tx.conn(), district_id, c.id)?;
        let full = full_of(tx.conn(), c.clone())?;
        let note = format!("合同 {} 第{}号变更，按新金额重新承诺", c.number, a.number);
        let released = release_unpaid(tx, &full, &note, Some(decider))?;
        let bases = full.bases().map_err(refused)?;
        let wanted: Vec<(i64, Decimal)> = full
            .milestones
            .iter()
            .zip(bases)
            .filter(|(m, _)| released.contains(&m.id))
            .map(|(m, b)| (m.id, b))
            .collect();
        let ids: Vec<i64> = full.milestones.iter().map(|m| m.id).collect();
        let held = budget::held_by_source(tx.conn(), district_id, MILESTONE_REF, &ids)?;
        let lines = procurement::funding(tx.conn(), c.project_id)?;
        let plan = plan_commitments(&lines, &held, &wanted)?;
        commit_plan(
            tx,
            &c,
            &plan,
            budget::today(),
            a.created_by,
            over.map(|reason| Override { reason, by: decider }),
        )?;
    }
    tx.record(Change::new("approve", "contract_amendments", id).district(district_id).after(
        serde_json::json!({
            "contract_id": c.id,
            "amount_fen": new_amount,
            "end_on": new_end,
        }),
    ));
    Ok(())
}

// --- Acceptance and payment ----------------------------------------------

/// An acceptance as recorded by finance (or made from an accepted report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAcceptance {
    pub milestone_id: i64,
    pub accepted_on: NaiveDate,
    pub score: Option<Decimal>,
    pub note: String,
    /// The deliverables report it rests on, if any.
    pub report_id: Option<i64>,
}

fn performing_or_signed(c: &ContractRow) -> Result<(), ContractError> {
    let s = c.status()?;
    if matches!(s, ContractStatus::Signed | ContractStatus::Performing) {
        Ok(())
    } else {
        Err(refused(ContractProblem::WrongState(s)))
    }
}

fn milestone_of(full: &ContractFull, milestone_id: i64) -> Result<&MilestoneRow, ContractError> {
    full.milestones.iter().find(|m| m.id == milestone_id).ok_or(ContractError::Db(DbError::NotFound))
}

fn contract_of_milestone(
    conn: &mut AnyConnection,
    district_id: i64,
    milestone_id: i64,
) -> Result<ContractRow, DbError> {
    let contract_id: i64 = contract_milestones::table
        .filter(contract_milestones::district_id.eq(district_id))
        .filter(contract_milestones::id.eq(milestone_id))
        .select(contract_milestones::contract_id)
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)?;
    load_in(conn, district_id, contract_id)
}

/// Records a milestone's acceptance for approval (finance); returns its id.
pub fn accept_milestone(tx: &mut Tx<'_>, who: &Principal, a: &NewAcceptance) -> Result<i64, ContractError> {
    finance(who)?;
    let c = contract_of_milestone(tx.conn(), who.district_id, a.milestone_id)?;
    performing_or_signed(&c)?;
    let full = full_of(tx.conn(), c.clone())?;
    let m = milestone_of(&full, a.milestone_id)?;
    if full.acceptances.iter().any(|x| x.milestone_id == m.id && live(&x.status)) {
        return Err(refused(ContractProblem::AlreadyAccepted));
    }
    let score = a.score.map(check_score).transpose().map_err(refused)?;
    if !m.bands.is_empty() && score.is_none() {
        return Err(refused(ContractProblem::ScoreRequired));
    }
    if a.accepted_on > budget::today() || a.accepted_on < c.start_on {
        return Err(refused(ContractProblem::Date));
    }
    let note = a.note.trim();
    if note.chars().count() > crate::domain::contract::MAX_CLAUSE_CHARS {
        return Err(refused(ContractProblem::TooLong));
    }
    let score_centi = score.map(centi).transpose()?.map(|s| s as i32);
    let id: i64 = diesel::insert_into(milestone_acceptances::table)
        .values((
            milestone_acceptances::district_id.eq(who.district_id),
            milestone_acceptances::contract_id.eq(c.id),
            milestone_acceptances::milestone_id.eq(m.id),
            milestone_acceptances::accepted_on.eq(a.accepted_on),
            milestone_acceptances::score_centi.eq(score_centi),
            milestone_acceptances::note.eq(note),
            milestone_acceptances::basis.eq(if a.report_id.is_some() { "report" } else { "manual" }),
            milestone_acceptances::report_id.eq(a.report_id),
            milestone_acceptances::created_by.eq(Some(who.user_id)),
        ))
        .returning(milestone_acceptances::id)
        .get_result(tx.conn())?;
    let score_text = score.map(|s| format!(" · 绩效 {s} 分")).unwrap_or_default();
    let summary = format!("节点验收：{} 第{}节点「{}」{score_text}", c.number, m.seq, m.name);
    let approval_id = super::approvals::submit(
        tx,
        who,
        ApprovalKind::MilestoneAcceptance,
        "milestone_acceptances",
        Some(id),
        &summary,
        &serde_json::json!({ "acceptance_id": id }),
    )?;
    diesel::update(milestone_acceptances::table.find(id))
        .set(milestone_acceptances::approval_id.eq(Some(approval_id)))
        .execute(tx.conn())?;
    tx.record(Change::new("create", "milestone_acceptances", id).district(who.district_id).after(
        serde_json::json!({
            "contract_id": c.id,
            "milestone_id": m.id,
            "accepted_on": a.accepted_on,
            "score": score.map(|s| s.to_string()),
            "note": note,
            "report_id": a.report_id,
        }),
    ));
    Ok(id)
}

/// Carries out an approved acceptance: the milestone becomes payable.
pub fn apply_acceptance(tx: &mut Tx<'_>, district_id: i64, id: i64) -> Result<(), ContractError> {
    let n = diesel::update(
        milestone_acceptances::table
            .filter(milestone_acceptances::district_id.eq(district_id))
            .filter(milestone_acceptances::id.eq(id))
            .filter(milestone_acceptances::status.eq("submitted")),
    )
    .set(milestone_acceptances::status.eq("approved"))
    .execute(tx.conn())?;
    if n != 1 {
        return Err(ContractError::Approval(ApprovalProblem::Outdated));
    }
    tx.record(
        Change::new("approve", "milestone_acceptances", id)
            .district(district_id)
            .after(serde_json::json!({ "status": "approved" })),
    );
    Ok(())
}

/// Requests payment of an accepted milestone (finance); returns its id.
/// The amount is the milestone's base times its band's factor.
pub fn request_payment(
    tx: &mut Tx<'_>,
    who: &Principal,
    milestone_id: i64,
    pay_on: NaiveDate,
) -> Result<i64, ContractError> {
    finance(who)?;
    let c = contract_of_milestone(tx.conn(), who.district_id, milestone_id)?;
    performing_or_signed(&c)?;
    let full = full_of(tx.conn(), c.clone())?;
    let m = milestone_of(&full, milestone_id)?;
    if full.payment(m.id).is_some() {
        return Err(refused(ContractProblem::AlreadyPaid));
    }
    let Some(acc) = full.acceptance(m.id) else {
        return Err(refused(ContractProblem::NotAccepted));
    };
    if pay_on < acc.accepted_on {
        return Err(refused(ContractProblem::Date));
    }
    let bases = full.bases().map_err(refused)?;
    let idx =
        full.milestones.iter().position(|x| x.id == m.id).ok_or(ContractError::Db(DbError::NotFound))?;
    let base = bases[idx];
    let (factor, amount) = milestone_payment(base, &m.bands, acc.score()).map_err(refused)?;
    let factor_bp = {
        use rust_decimal::prelude::ToPrimitive;
        (factor * Decimal::from(10_000)).trunc().to_i32().ok_or(refused(ContractProblem::Amount))?
    };
    let id: i64 = diesel::insert_into(contract_payments::table)
        .values((
            contract_payments::district_id.eq(who.district_id),
            contract_payments::contract_id.eq(c.id),
            contract_payments::milestone_id.eq(m.id),
            contract_payments::acceptance_id.eq(acc.id),
            contract_payments::base_fen.eq(fen(base)?),
            contract_payments::factor_bp.eq(factor_bp),
            contract_payments::amount_fen.eq(fen(amount)?),
            contract_payments::pay_on.eq(pay_on),
            contract_payments::created_by.eq(Some(who.user_id)),
        ))
        .returning(contract_payments::id)
        .get_result(tx.conn())?;
    let summary = format!(
        "合同付款：{} 第{}节点「{}」 · {} 元（基数 {} × 系数 {}）",
        c.number,
        m.seq,
        m.name,
        amount,
        base,
        factor.normalize()
    );
    let approval_id = super::approvals::submit(
        tx,
        who,
        ApprovalKind::ContractPayment,
        "contract_payments",
        Some(id),
        &summary,
        &serde_json::json!({ "payment_id": id }),
    )?;
    diesel::update(contract_payments::table.find(id))
        .set(contract_payments::approval_id.eq(Some(approval_id)))
        .execute(tx.conn())?;
    tx.record(Change::new("create", "contract_payments", id).district(who.district_id).after(
        serde_json::json!({
            "contract_id": c.id,
            "milestone_id": m.id,
            "acceptance_id": acc.id,
            "base": base.to_string(),
            "factor": factor.to_string(),
            "amount": amount.to_string(),
            "pay_on": pay_on,
        }),
    ));
    Ok(id)
}

fn load_payment(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<PaymentRow, DbError> {
    contract_payments::table
        .filter(contract_payments::district_id.eq(district_id))
        .filter(contract_payments::id.eq(id))
        .select(PaymentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)
}

/// Carries out an approved payment: the milestone's commitments are paid
/// (re-committed first at the payable amount when it is less than they
/// hold) and the payment is marked paid.
pub fn apply_payment(tx: &mut Tx<'_>, district_id: i64, id: i64, decider: i64) -> Result<(), ContractError> {
    let p = load_payment(tx.conn(), district_id, id)?;
    let c = load_in(tx.conn(), district_id, p.contract_id)?;
    if p.status != "submitted" || performing_or_signed(&c).is_err() {
        return Err(ContractError::Approval(ApprovalProblem::Outdated));
    }
    let amount = from_fen(p.amount_fen);
    let mut live = budget::live_commitments(tx.conn(), district_id, MILESTONE_REF, p.milestone_id)?;
    let held: i64 =
        live.iter().map(|e| budget::outstanding(tx.conn(), e.id)).sum::<Result<i64, DbError>>()?;
    if held != p.amount_fen {
        // Release what is held and commit exactly what is paid, from the
        // same sources in the same order.
        let lines: Vec<FundingLine> = live
            .iter()
            .map(|e| FundingLine { source_id: e.source_id, amount: from_fen(e.committed_fen) })
            .collect();
        if lines.is_empty() {
            return Err(ContractError::Budget(BudgetProblem::MoreThanCommitted));
        }
        let note = format!("合同 {} 节点按绩效系数结算", c.number);
        for e in &live {
            budget::reverse_entry(tx, district_id, e.id, &note, Some(decider))?;
        }
        if amount > Decimal::ZERO {
            let plan = plan_commitments(&lines, &[], &[(p.milestone_id, amount)])?;
            commit_plan(tx, &c, &plan, p.pay_on, p.created_by, None)?;
        }
        live = budget::live_commitments(tx.conn(), district_id, MILESTONE_REF, p.milestone_id)?;
    }
    let memo = format!("{} 节点付款", c.number);
    for e in &live {
        budget::pay_commitment(
            tx,
            district_id,
            e.id,
            None,
            p.pay_on,
            For { ref_entity: MILESTONE_REF, ref_id: Some(p.milestone_id), memo: &memo, by: Some(decider) },
        )?;
    }
    let now = chrono::Utc::now().naive_utc();
    diesel::update(contract_payments::table.find(id))
        .set((contract_payments::status.eq("approved"), contract_payments::paid_at.eq(Some(now))))
        .execute(tx.conn())?;
    tx.record(Change::new("pay", "contract_payments", id).district(district_id).after(serde_json::json!({
        "amount_fen": p.amount_fen,
        "pay_on": p.pay_on,
    })));
    Ok(())
}

/// An amendment, acceptance or payment whose approval was rejected or
/// withdrawn: it no longer holds its milestone.
pub fn close_refused(
    tx: &mut Tx<'_>,
    district_id: i64,
    entity: &str,
    id: i64,
    status: &str,
) -> Result<(), ContractError> {
    // The same update on whichever table holds the item.
    macro_rules! close {
        ($t:ident) => {
            diesel::update(
                $t::table
                    .filter($t::district_id.eq(district_id))
                    .filter($t::id.eq(id))
                    .filter($t::status.eq("submitted")),
            )
            .set($t::status.eq(status))
            .execute(tx.conn())?
        };
    }
    let n = match entity {
        "contract_amendments" => close!(contract_amendments),
        "milestone_acceptances" => close!(milestone_acceptances),
        "contract_payments" => close!(contract_payments),
        "contracts" => return reopen(tx, district_id, id),
        _ => 0,
    };
    if n > 0 {
        tx.record(
            Change::new(status_action(status), entity_static(entity), id)
                .district(district_id)
                .after(serde_json::json!({ "status": status })),
        );
    }
    Ok(())
}

fn status_action(status: &str) -> &'static str {
    if status == "withdrawn" { "withdraw" } else { "reject" }
}

fn entity_static(entity: &str) -> &'static str {
    match entity {
        "contract_amendments" => "contract_amendments",
        "milestone_acceptances" => "milestone_acceptances",
        _ => "contract_payments",
    }
}
