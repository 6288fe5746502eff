//! Budget sources, the eligibility matrix, the ledger and fund control.
//! The rules are in [`crate::domain::budget`]; this module stores them.
//!
//! **Fund control.** Every commitment and payment goes through
//! [`commit`] or [`pay_commitment`], inside the caller's write
//! transaction. The source is locked first (on PostgreSQL a row lock; on
//! SQLite the write transaction already holds the database's write lock),
//! then its balance is summed and checked, then the entry is written, so
//! two commitments racing for the same last yuan are serialised and the
//! second sees the first.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::schema::{
    approvals, budget_attachments, budget_base_corrections, budget_eligibility, budget_entries, budget_plan,
    budget_requests, budget_sources, fiscal_years,
};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::domain::access::{Principal, Role};
use crate::domain::approval::{ApprovalKind, ApprovalProblem, ApprovalStatus};
use crate::domain::budget::{
    Balance, BudgetProblem, CostType, EntryKind, FundProblem, SourceKind, check_amount, check_funds,
    one_percent,
};
use crate::domain::money::{from_fen, to_fen};

/// Why a budget write is refused.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    #[error("refused: {0:?}")]
    Refused(BudgetProblem),
    #[error("out of scope")]
    OutOfScope,
    #[error("approval: {0:?}")]
    Approval(ApprovalProblem),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for BudgetError {
    fn from(e: diesel::result::Error) -> Self {
        BudgetError::Db(e.into())
    }
}

impl From<BudgetProblem> for BudgetError {
    fn from(p: BudgetProblem) -> Self {
        BudgetError::Refused(p)
    }
}

impl From<FundProblem> for BudgetError {
    fn from(p: FundProblem) -> Self {
        BudgetError::Refused(BudgetProblem::Funds(p))
    }
}

fn refused(p: BudgetProblem) -> BudgetError {
    BudgetError::Refused(p)
}

fn corrupt(what: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(what.to_string())
}

fn fen(amount: Decimal) -> Result<i64, BudgetError> {
    to_fen(amount).map_err(|_| refused(BudgetProblem::Amount))
}

fn finance(who: &Principal) -> Result<(), BudgetError> {
    if who.has(Role::Finance) { Ok(()) } else { Err(BudgetError::OutOfScope) }
}

/// Today in China, the date entries are booked on by default.
pub fn today() -> NaiveDate {
    crate::domain::calendar::china_date(chrono::Utc::now())
}

// --- Fiscal years ----------------------------------------------------------

/// A fiscal year as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = fiscal_years)]
pub struct YearRow {
    pub id: i64,
    pub district_id: i64,
    pub year: i32,
    pub assistance_funds_fen: i64,
    pub social_work_min_bp: i32,
    pub created_at: chrono::NaiveDateTime,
    pub version: i32,
}

/// The district's fiscal years, newest first.
pub fn years(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<YearRow>, DbError> {
    Ok(fiscal_years::table
        .filter(fiscal_years::district_id.eq(district_id))
        .order(fiscal_years::year.desc())
        .select(YearRow::as_select())
        .load(conn)?)
}

fn year_row(conn: &mut AnyConnection, district_id: i64, year: i32) -> Result<Option<YearRow>, DbError> {
    Ok(fiscal_years::table
        .filter(fiscal_years::district_id.eq(district_id))
        .filter(fiscal_years::year.eq(year))
        .select(YearRow::as_select())
        .first(conn)
        .optional()?)
}

/// Opens fiscal year `year`, or records its 困难群众救助补助资金 (the base
/// of the social-work share) if it is open already (finance).
pub fn record_year(
    tx: &mut Tx<'_>,
    who: &Principal,
    year: i32,
    assistance_funds: Decimal,
) -> Result<(), BudgetError> {
    finance(who)?;
    if !(2000..=2100).contains(&year) {
        return Err(refused(BudgetProblem::NoFiscalYear));
    }
    if assistance_funds < Decimal::ZERO || assistance_funds > crate::domain::budget::max_amount() {
        return Err(refused(BudgetProblem::Amount));
    }
    let funds = fen(assistance_funds)?;
    match year_row(tx.conn(), who.district_id, year)? {
        None => {
            let id: i64 = diesel::insert_into(fiscal_years::table)
                .values((
                    fiscal_years::district_id.eq(who.district_id),
                    fiscal_years::year.eq(year),
                    fiscal_years::assistance_funds_fen.eq(funds),
                ))
                .returning(fiscal_years::id)
                .get_result(tx.conn())?;
            tx.record(
                Change::new("create", "fiscal_years", id)
                    .district(who.district_id)
                    .after(serde_json::json!({ "year": year, "assistance_funds_fen": funds })),
            );
        }
        Some(row) if row.assistance_funds_fen == funds => tx.nothing_changed(),
        Some(row) => {
            diesel::update(fiscal_years::table.find(row.id))
                .set((
                    fiscal_years::assistance_funds_fen.eq(funds),
                    fiscal_years::version.eq(row.version + 1),
                ))
                .execute(tx.conn())?;
            tx.record(
                Change::new("update", "fiscal_years", row.id)
                    .district(who.district_id)
                    .before(serde_json::json!({ "assistance_funds_fen": row.assistance_funds_fen }))
                    .after(serde_json::json!({ "assistance_funds_fen": funds })),
            );
        }
    }
    Ok(())
}

/// Sets the year's monthly payment plan (twelve amounts, finance).
pub fn record_plan(
    tx: &mut Tx<'_>,
    who: &Principal,
    year: i32,
    months: &[Decimal],
) -> Result<(), BudgetError> {
    finance(who)?;
    if year_row(tx.conn(), who.district_id, year)?.is_none() {
        return Err(refused(BudgetProblem::NoFiscalYear));
    }
    if months.len() != 12
        || months.iter().any(|m| *m < Decimal::ZERO || *m > crate::domain::budget::max_amount())
    {
        return Err(refused(BudgetProblem::Plan));
    }
    let fens = months.iter().map(|m| fen(*m)).collect::<Result<Vec<_>, _>>()?;
    let before = plan(tx.conn(), who.district_id, year)?;
    diesel::delete(
        budget_plan::table
            .filter(budget_plan::district_id.eq(who.district_id))
            .filter(budget_plan::year.eq(year)),
    )
    .execute(tx.conn())?;
    for (i, f) in fens.iter().enumerate() {
        diesel::insert_into(budget_plan::table)
            .values((
                budget_plan::district_id.eq(who.district_id),
                budget_plan::year.eq(year),
                budget_plan::month.eq(i as i32 + 1),
                budget_plan::amount_fen.eq(*f),
            ))
            .execute(tx.conn())?;
    }
    tx.record(
        Change::new("update", "budget_plan", year)
            .district(who.district_id)
            .before(before.iter().map(|d| d.to_string()).collect::<Vec<_>>())
            .after(months.iter().map(|d| d.to_string()).collect::<Vec<_>>()),
    );
    Ok(())
}

/// The year's plan by month (zeros where none is set).
pub fn plan(conn: &mut AnyConnection, district_id: i64, year: i32) -> Result<[Decimal; 12], DbError> {
    let rows: Vec<(i32, i64)> = budget_plan::table
        .filter(budget_plan::district_id.eq(district_id))
        .filter(budget_plan::year.eq(year))
        .select((budget_plan::month, budget_plan::amount_fen))
        .load(conn)?;
    let mut out = [Decimal::ZERO; 12];
    for (m, f) in rows {
        if (1..=12).contains(&m) {
            out[m as usize - 1] = from_fen(f);
        }
    }
    Ok(out)
}

// --- Sources ---------------------------------------------------------------

/// A source as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = budget_sources)]
pub struct SourceRow {
    pub id: i64,
    pub district_id: i64,
    pub year: i32,
    pub kind: String,
    pub name: String,
    pub town_id: Option<i64>,
    pub amount_fen: i64,
    pub base_fen: Option<i64>,
    pub doc_no: String,
    pub doc_date: Option<NaiveDate>,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub version: i32,
}

impl SourceRow {
    pub fn load(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<SourceRow, DbError> {
        budget_sources::table
            .filter(budget_sources::district_id.eq(district_id))
            .filter(budget_sources::id.eq(id))
            .select(SourceRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(DbError::NotFound)
    }

    pub fn kind(&self) -> Result<SourceKind, DbError> {
        SourceKind::from_code(&self.kind).ok_or_else(|| corrupt(format!("source {} kind", self.id)))
    }

    /// May `who` see this source? Bureau staff all; a town user their
    /// town's own.
    pub fn visible_to(&self, who: &Principal) -> bool {
        who.has_any(Role::DISTRICT_WIDE) || (who.town_id.is_some() && self.town_id == who.town_id)
    }
}

/// The sources of a year.
pub fn sources(conn: &mut AnyConnection, district_id: i64, year: i32) -> Result<Vec<SourceRow>, DbError> {
    Ok(budget_sources::table
        .filter(budget_sources::district_id.eq(district_id))
        .filter(budget_sources::year.eq(year))
        .order(budget_sources::id.asc())
        .select(SourceRow::as_select())
        .load(conn)?)
}

/// A new source as typed. For the 1% source `base` is the previous year's
/// city-level total and `amount` is ignored (computed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSource {
    pub year: i32,
    pub kind: SourceKind,
    pub name: String,
    pub town_id: Option<i64>,
    pub amount: Decimal,
    pub base: Option<Decimal>,
    pub doc_no: String,
    pub doc_date: Option<NaiveDate>,
    /// What it may pay: proposed for approval with the source.
    pub eligible: Vec<CostType>,
}

/// Adds a source and books its allocation; what it may pay is proposed
/// for approval at the same time (until approved it pays nothing).
/// Returns the source id.
pub fn create_source(tx: &mut Tx<'_>, who: &Principal, s: &NewSource) -> Result<i64, BudgetError> {
    finance(who)?;
    let name = s.name.trim();
    if name.is_empty() {
        return Err(refused(BudgetProblem::NameRequired));
    }
    if year_row(tx.conn(), who.district_id, s.year)?.is_none() {
        return Err(refused(BudgetProblem::NoFiscalYear));
    }
    let (amount, base) = match (s.kind, s.base) {
        (SourceKind::CityOnePercent, Some(base)) => (one_percent(check_amount(base)?), Some(fen(base)?)),
        (SourceKind::CityOnePercent, None) => return Err(refused(BudgetProblem::BaseRequired)),
        (_, _) => (check_amount(s.amount)?, None),
    };
    if let Some(town) = s.town_id
        && !super::district::town_names(tx.conn(), who.district_id)?.contains_key(&town)
    {
        return Err(BudgetError::Db(DbError::NotFound));
    }
    let amount_fen = fen(amount)?;
    let id: i64 = diesel::insert_into(budget_sources::table)
        .values((
            budget_sources::district_id.eq(who.district_id),
            budget_sources::year.eq(s.year),
            budget_sources::kind.eq(s.kind.code()),
            budget_sources::name.eq(name),
            budget_sources::town_id.eq(s.town_id),
            budget_sources::amount_fen.eq(amount_fen),
            budget_sources::base_fen.eq(base),
            budget_sources::doc_no.eq(s.doc_no.trim()),
            budget_sources::doc_date.eq(s.doc_date),
            budget_sources::created_by.eq(Some(who.user_id)),
        ))
        .returning(budget_sources::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "budget_sources", id).district(who.district_id).after(
        serde_json::json!({
            "year": s.year,
            "kind": s.kind.code(),
            "name": name,
            "town_id": s.town_id,
            "amount_fen": amount_fen,
            "base_fen": base,
            "doc_no": s.doc_no.trim(),
            "doc_date": s.doc_date,
        }),
    ));
    let date = s
        .doc_date
        .filter(|d| chrono::Datelike::year(d) == s.year)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(s.year, 1, 1).unwrap_or_default());
    insert_entry(
        tx,
        who.district_id,
        &NewEntry {
            allocated: amount_fen,
            memo: &s.doc_no,
            ..NewEntry::allocation(id, s.town_id, date, Some(who.user_id))
        },
    )?;
    if !s.eligible.is_empty() {
        propose_eligibility(tx, who, id, &s.eligible)?;
    }
    Ok(id)
}

/// Corrects the base of a 1% source: the amount is recomputed, the
/// difference booked as an allocation entry, and the reason kept.
pub fn correct_base(
    tx: &mut Tx<'_>,
    who: &Principal,
    source_id: i64,
    version: i32,
    new_base: Decimal,
    reason: &str,
) -> Result<(), BudgetError> {
    finance(who)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused(BudgetProblem::ReasonRequired));
    }
    lock_source(tx.conn(), source_id)?;
    let s = SourceRow::load(tx.conn(), who.district_id, source_id)?;
    if s.kind()? != SourceKind::CityOnePercent {
        return Err(refused(BudgetProblem::NotOnePercent));
    }
    if s.version != version {
        return Err(DbError::Stale.into());
    }
    let new_base_fen = fen(check_amount(new_base)?)?;
    let old_base = s.base_fen.ok_or_else(|| corrupt(format!("source {source_id} base")))?;
    if new_base_fen == old_base {
        return Err(refused(BudgetProblem::NoChange));
    }
    let new_amount = fen(one_percent(new_base))?;
    let diff = new_amount - s.amount_fen;
    if diff < 0 {
        let b = balance(tx.conn(), who.district_id, &Filter::source(source_id))?;
        if from_fen(-diff) > b.available() {
            return Err(refused(BudgetProblem::BelowSpent));
        }
    }
    diesel::insert_into(budget_base_corrections::table)
        .values((
            budget_base_corrections::source_id.eq(source_id),
            budget_base_corrections::old_base_fen.eq(old_base),
            budget_base_corrections::new_base_fen.eq(new_base_fen),
            budget_base_corrections::old_amount_fen.eq(s.amount_fen),
            budget_base_corrections::new_amount_fen.eq(new_amount),
            budget_base_corrections::reason.eq(reason),
            budget_base_corrections::created_by.eq(Some(who.user_id)),
        ))
        .execute(tx.conn())?;
    diesel::update(budget_sources::table.find(source_id))
        .set((
            budget_sources::base_fen.eq(Some(new_base_fen)),
            budget_sources::amount_fen.eq(new_amount),
            budget_sources::version.eq(s.version + 1),
        ))
        .execute(tx.conn())?;
    if diff != 0 {
        insert_entry(
            tx,
            who.district_id,
            &NewEntry {
                allocated: diff,
                memo: reason,
                ..NewEntry::allocation(source_id, s.town_id, today(), Some(who.user_id))
            },
        )?;
    }
    tx.record(
        Change::new("correct_base", "budget_sources", source_id)
            .district(who.district_id)
            .before(serde_json::json!({ "base_fen": old_base, "amount_fen": s.amount_fen }))
            .after(
                serde_json::json!({ "base_fen": new_base_fen, "amount_fen": new_amount, "reason": reason }),
            ),
    );
    Ok(())
}

/// A base correction as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Queryable)]
pub struct CorrectionRow {
    pub id: i64,
    pub source_id: i64,
    pub old_base_fen: i64,
    pub new_base_fen: i64,
    pub old_amount_fen: i64,
    pub new_amount_fen: i64,
    pub reason: String,
    pub created_at: chrono::NaiveDateTime,
}

/// The base corrections of the given sources, oldest first.
pub fn corrections(conn: &mut AnyConnection, source_ids: &[i64]) -> Result<Vec<CorrectionRow>, DbError> {
    use budget_base_corrections as c;
    Ok(c::table
        .filter(c::source_id.eq_any(source_ids))
        .order(c::id.asc())
        .select((
            c::id,
            c::source_id,
            c::old_base_fen,
            c::new_base_fen,
            c::old_amount_fen,
            c::new_amount_fen,
            c::reason,
            c::created_at,
        ))
        .load(conn)?)
}

// --- Eligibility -----------------------------------------------------------

/// The payload of an [`ApprovalKind::BudgetEligibility`] item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityProposal {
    pub source_id: i64,
    pub cost_types: Vec<CostType>,
}

/// What `source_id` may pay now.
pub fn eligible(conn: &mut AnyConnection, source_id: i64) -> Result<Vec<CostType>, DbError> {
    let codes: Vec<String> = budget_eligibility::table
        .filter(budget_eligibility::source_id.eq(source_id))
        .select(budget_eligibility::cost_type)
        .load(conn)?;
    let mut out: Vec<CostType> = codes.iter().filter_map(|c| CostType::from_code(c)).collect();
    out.sort();
    Ok(out)
}

/// The whole matrix for some sources: (source, type) pairs.
pub fn matrix(conn: &mut AnyConnection, source_ids: &[i64]) -> Result<Vec<(i64, CostType)>, DbError> {
    let rows: Vec<(i64, String)> = budget_eligibility::table
        .filter(budget_eligibility::source_id.eq_any(source_ids))
        .select((budget_eligibility::source_id, budget_eligibility::cost_type))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(s, c)| CostType::from_code(&c).map(|c| (s, c))).collect())
}

/// Proposes what a source may pay (finance); takes effect on approval.
pub fn propose_eligibility(
    tx: &mut Tx<'_>,
    who: &Principal,
    source_id: i64,
    cost_types: &[CostType],
) -> Result<i64, BudgetError> {
    finance(who)?;
    let s = SourceRow::load(tx.conn(), who.district_id, source_id)?;
    let mut types = cost_types.to_vec();
    types.sort();
    types.dedup();
    if eligible(tx.conn(), source_id)? == types || pending_eligibility(tx.conn(), who.district_id, source_id)?
    {
        return Err(refused(BudgetProblem::EligibilityUnchanged));
    }
    let summary = format!(
        "{}（{}）可支付：{}",
        s.name,
        s.year,
        if types.is_empty() {
            "—".to_owned()
        } else {
            types.iter().map(|c| crate::i18n::zh_cost_type(*c)).collect::<Vec<_>>().join("、")
        }
    );
    let id = super::approvals::submit(
        tx,
        who,
        ApprovalKind::BudgetEligibility,
        "budget_sources",
        Some(source_id),
        &summary,
        &EligibilityProposal { source_id, cost_types: types },
    )?;
    Ok(id)
}

fn pending_eligibility(conn: &mut AnyConnection, district_id: i64, source_id: i64) -> Result<bool, DbError> {
    let n: i64 = approvals::table
        .filter(approvals::district_id.eq(district_id))
        .filter(approvals::kind.eq(ApprovalKind::BudgetEligibility.code()))
        .filter(approvals::status.eq(ApprovalStatus::Pending.code()))
        .filter(approvals::entity_id.eq(Some(source_id)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Sources with an eligibility proposal waiting.
pub fn sources_pending_eligibility(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(approvals::table
        .filter(approvals::district_id.eq(district_id))
        .filter(approvals::kind.eq(ApprovalKind::BudgetEligibility.code()))
        .filter(approvals::status.eq(ApprovalStatus::Pending.code()))
        .select(approvals::entity_id)
        .load::<Option<i64>>(conn)?
        .into_iter()
        .flatten()
        .collect())
}

/// Carries out an approved eligibility proposal.
pub fn apply_eligibility(
    tx: &mut Tx<'_>,
    district_id: i64,
    p: &EligibilityProposal,
) -> Result<(), BudgetError> {
    SourceRow::load(tx.conn(), district_id, p.source_id)?;
    let before = eligible(tx.conn(), p.source_id)?;
    diesel::delete(budget_eligibility::table.filter(budget_eligibility::source_id.eq(p.source_id)))
        .execute(tx.conn())?;
    for c in &p.cost_types {
        diesel::insert_into(budget_eligibility::table)
            .values((
                budget_eligibility::source_id.eq(p.source_id),
                budget_eligibility::cost_type.eq(c.code()),
            ))
            .execute(tx.conn())?;
    }
    tx.record(
        Change::new("update", "budget_eligibility", p.source_id)
            .district(district_id)
            .before(before.iter().map(|c| c.code()).collect::<Vec<_>>())
            .after(p.cost_types.iter().map(|c| c.code()).collect::<Vec<_>>()),
    );
    Ok(())
}

// --- The ledger ------------------------------------------------------------

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = budget_entries)]
pub struct EntryRow {
    pub id: i64,
    pub district_id: i64,
    pub source_id: i64,
    pub kind: String,
    pub cost_type: Option<String>,
    pub town_id: Option<i64>,
    pub allocated_fen: i64,
    pub committed_fen: i64,
    pub paid_fen: i64,
    pub entry_date: NaiveDate,
    pub commitment_id: Option<i64>,
    pub reverses_id: Option<i64>,
    pub ref_entity: String,
    pub ref_id: Option<i64>,
    pub memo: String,
    pub override_reason: Option<String>,
    pub overridden_by: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
}

impl EntryRow {
    pub fn kind(&self) -> Option<EntryKind> {
        EntryKind::from_code(&self.kind)
    }

    pub fn cost_type(&self) -> Option<CostType> {
        self.cost_type.as_deref().and_then(CostType::from_code)
    }
}

/// An entry to write.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub source_id: i64,
    pub kind: EntryKind,
    pub cost_type: Option<CostType>,
    pub town_id: Option<i64>,
    pub allocated: i64,
    pub committed: i64,
    pub paid: i64,
    pub date: NaiveDate,
    pub commitment_id: Option<i64>,
    pub reverses_id: Option<i64>,
    pub ref_entity: &'a str,
    pub ref_id: Option<i64>,
    pub memo: &'a str,
    pub override_reason: Option<&'a str>,
    pub overridden_by: Option<i64>,
    pub created_by: Option<i64>,
}

impl NewEntry<'_> {
    fn allocation(
        source_id: i64,
        town_id: Option<i64>,
        date: NaiveDate,
        by: Option<i64>,
    ) -> NewEntry<'static> {
        NewEntry {
            source_id,
            kind: EntryKind::Allocation,
            cost_type: None,
            town_id,
            allocated: 0,
            committed: 0,
            paid: 0,
            date,
            commitment_id: None,
            reverses_id: None,
            ref_entity: "budget_sources",
            ref_id: Some(source_id),
            memo: "",
            override_reason: None,
            overridden_by: None,
            created_by: by,
        }
    }
}

fn insert_entry(tx: &mut Tx<'_>, district_id: i64, e: &NewEntry<'_>) -> Result<i64, DbError> {
    let id: i64 = diesel::insert_into(budget_entries::table)
        .values((
            budget_entries::district_id.eq(district_id),
            budget_entries::source_id.eq(e.source_id),
            budget_entries::kind.eq(e.kind.code()),
            budget_entries::cost_type.eq(e.cost_type.map(CostType::code)),
            budget_entries::town_id.eq(e.town_id),
            budget_entries::allocated_fen.eq(e.allocated),
            budget_entries::committed_fen.eq(e.committed),
            budget_entries::paid_fen.eq(e.paid),
            budget_entries::entry_date.eq(e.date),
            budget_entries::commitment_id.eq(e.commitment_id),
            budget_entries::reverses_id.eq(e.reverses_id),
            budget_entries::ref_entity.eq(e.ref_entity),
            budget_entries::ref_id.eq(e.ref_id),
            budget_entries::memo.eq(e.memo),
            budget_entries::override_reason.eq(e.override_reason),
            budget_entries::overridden_by.eq(e.overridden_by),
            budget_entries::created_by.eq(e.created_by),
        ))
        .returning(budget_entries::id)
        .get_result(tx.conn())?;
    tx.record(Change::new(e.kind.code(), "budget_entries", id).district(district_id).after(
        serde_json::json!({
            "source_id": e.source_id,
            "cost_type": e.cost_type.map(CostType::code),
            "town_id": e.town_id,
            "allocated_fen": e.allocated,
            "committed_fen": e.committed,
            "paid_fen": e.paid,
            "date": e.date,
            "commitment_id": e.commitment_id,
            "reverses_id": e.reverses_id,
            "ref": format!("{}:{}", e.ref_entity, e.ref_id.map(|i| i.to_string()).unwrap_or_default()),
            "memo": e.memo,
            "override_reason": e.override_reason,
        }),
    ));
    Ok(id)
}

/// What to sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub source_id: Option<i64>,
    pub cost_type: Option<CostType>,
    pub town_id: Option<i64>,
    /// Entries booked on or before this date (all when none).
    pub as_of: Option<NaiveDate>,
    pub year: Option<i32>,
}

impl Filter {
    pub fn source(source_id: i64) -> Filter {
        Filter { source_id: Some(source_id), ..Filter::default() }
    }
}

type Sums3 = (i64, i64, i64);

fn sums_select() -> (
    diesel::expression::SqlLiteral<BigInt>,
    diesel::expression::SqlLiteral<BigInt>,
    diesel::expression::SqlLiteral<BigInt>,
) {
    (
        sql::<BigInt>("CAST(COALESCE(SUM(budget_entries.allocated_fen), 0) AS BIGINT)"),
        sql::<BigInt>("CAST(COALESCE(SUM(budget_entries.committed_fen), 0) AS BIGINT)"),
        sql::<BigInt>("CAST(COALESCE(SUM(budget_entries.paid_fen), 0) AS BIGINT)"),
    )
}

fn to_balance((a, c, p): Sums3) -> Balance {
    Balance { allocated: from_fen(a), committed: from_fen(c), paid: from_fen(p) }
}

/// The query of [`year_sources`].
type YearSources = diesel::dsl::Select<
    diesel::dsl::Filter<
        diesel::dsl::Filter<budget_sources::table, diesel::dsl::Eq<budget_sources::district_id, i64>>,
        diesel::dsl::Eq<budget_sources::year, i32>,
    >,
    budget_sources::id,
>;

/// The ids of the district's sources of `year`, as a subquery. Limited to
/// the district, so the ledger is read through its source index for a
/// handful of sources rather than for every district's (at 100 districts
/// the budget page took 80 ms instead of a few).
fn year_sources(district_id: i64, year: i32) -> YearSources {
    budget_sources::table
        .filter(budget_sources::district_id.eq(district_id))
        .filter(budget_sources::year.eq(year))
        .select(budget_sources::id)
}

/// Sums the ledger of `district_id` under `f`. With a cost type, the
/// allocation is still the source's whole allocation (allocations have no
/// type); with a town, entries for that town.
pub fn balance(conn: &mut AnyConnection, district_id: i64, f: &Filter) -> Result<Balance, DbError> {
    let mut q = budget_entries::table.filter(budget_entries::district_id.eq(district_id)).into_boxed();
    if let Some(s) = f.source_id {
        q = q.filter(budget_entries::source_id.eq(s));
    }
    if let Some(c) = f.cost_type {
        q = q.filter(
            budget_entries::cost_type.eq(c.code()).or(budget_entries::kind.eq(EntryKind::Allocation.code())),
        );
    }
    if let Some(t) = f.town_id {
        q = q.filter(budget_entries::town_id.eq(t));
    }
    if let Some(d) = f.as_of {
        q = q.filter(budget_entries::entry_date.le(d));
    }
    if let Some(y) = f.year {
        q = q.filter(budget_entries::source_id.eq_any(year_sources(district_id, y)));
    }
    let sums: Sums3 = q.select(sums_select()).first(conn)?;
    Ok(to_balance(sums))
}

/// Per-source sums of a year, with one row per (source, cost type) of
/// spending: `(source, None)` is the source's total.
pub fn balances_by_type(
    conn: &mut AnyConnection,
    district_id: i64,
    year: i32,
    as_of: Option<NaiveDate>,
) -> Result<Vec<(i64, Option<CostType>, Balance)>, DbError> {
    let ids = budget_sources::table
        .filter(budget_sources::district_id.eq(district_id))
        .filter(budget_sources::year.eq(year))
        .select(budget_sources::id);
    let until = as_of.or(NaiveDate::from_ymd_opt(9999, 12, 31)).unwrap_or_default();
    let (a, c, p) = sums_select();
    let rows: Vec<(i64, Option<String>, i64, i64, i64)> = budget_entries::table
        .filter(budget_entries::district_id.eq(district_id))
        .filter(budget_entries::source_id.eq_any(ids))
        .filter(budget_entries::entry_date.le(until))
        .group_by((budget_entries::source_id, budget_entries::cost_type))
        .select((budget_entries::source_id, budget_entries::cost_type, a, c, p))
        .load(conn)?;
    let mut out: Vec<(i64, Option<CostType>, Balance)> = Vec::new();
    for (s, t, a, c, p) in rows {
        let b = to_balance((a, c, p));
        match out.iter_mut().find(|(id, ty, _)| *id == s && ty.is_none()) {
            Some((_, _, total)) => *total = *total + b,
            None => out.push((s, None, b)),
        }
        if let Some(t) = t.as_deref().and_then(CostType::from_code) {
            out.push((s, Some(t), b));
        }
    }
    Ok(out)
}

/// Locks a source for the rest of the transaction: on PostgreSQL, every
/// source of its district, in id order. One approval may move money on
/// several sources (a contract's funding lines, a run's pay and insurance)
/// in any order; taking them all at once in one order means two such
/// approvals queue instead of deadlocking. Money moves a few times a day
/// per district, so serialising them costs nothing. On SQLite the write
/// transaction already holds the database's write lock.
fn lock_source(conn: &mut AnyConnection, source_id: i64) -> Result<(), DbError> {
    if let AnyConnection::Postgresql(_) = conn {
        diesel::sql_query(
            "SELECT id FROM budget_sources WHERE district_id = \
             (SELECT district_id FROM budget_sources WHERE id = $1) ORDER BY id FOR UPDATE",
        )
        .bind::<diesel::sql_types::BigInt, _>(source_id)
        .execute(conn)?;
    }
    Ok(())
}

/// Money to commit from a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    pub source_id: i64,
    pub cost_type: CostType,
    pub amount: Decimal,
    pub date: NaiveDate,
}

/// An approver letting an entry through a refusal.
#[derive(Debug, Clone, Copy)]
pub struct Override<'a> {
    pub reason: &'a str,
    pub by: i64,
}

/// Checks a demand without writing (the check when something is saved).
pub fn check(conn: &mut AnyConnection, district_id: i64, d: &Demand) -> Result<(), BudgetError> {
    check_all(conn, district_id, std::slice::from_ref(d))
}

/// [`check_all`], except that a money refusal (over the balance, or outside
/// the source's purpose) passes when someone gives a reason: the maker's
/// case when saving, the approver's override when approving. Other
/// refusals (a wrong year, a missing source) never pass.
pub fn check_unless_reason(
    conn: &mut AnyConnection,
    district_id: i64,
    demands: &[Demand],
    reason: Option<&str>,
) -> Result<(), BudgetError> {
    match check_all(conn, district_id, demands) {
        Err(BudgetError::Refused(BudgetProblem::Funds(_)))
            if reason.is_some_and(|r| !r.trim().is_empty()) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// Checks several demands on possibly the same sources together (a payroll
/// run's pay and employer insurance from one source).
pub fn check_all(conn: &mut AnyConnection, district_id: i64, demands: &[Demand]) -> Result<(), BudgetError> {
    for (i, d) in demands.iter().enumerate() {
        let earlier: Decimal =
            demands[..i].iter().filter(|e| e.source_id == d.source_id).map(|e| e.amount).sum();
        let s = SourceRow::load(conn, district_id, d.source_id)?;
        if chrono::Datelike::year(&d.date) != s.year {
            return Err(refused(BudgetProblem::WrongYear));
        }
        let eligible = eligible(conn, s.id)?;
        let available = balance(conn, district_id, &Filter::source(s.id))?.available() - earlier;
        check_funds(&s.name, &eligible, available, d.cost_type, d.amount)?;
    }
    Ok(())
}

/// What a commitment is for and where the money goes.
#[derive(Debug, Clone, Copy)]
pub struct For<'a> {
    pub ref_entity: &'a str,
    pub ref_id: Option<i64>,
    pub memo: &'a str,
    pub by: Option<i64>,
}

/// Commits money: locks the source, checks the demand again and books one
/// commitment entry per `(town, amount)` part (the parts sum to the
/// demand's amount). A refused demand goes through only with an override,
/// which is recorded on the entries and in the audit log.
pub fn commit(
    tx: &mut Tx<'_>,
    district_id: i64,
    d: &Demand,
    parts: &[(Option<i64>, Decimal)],
    what: For<'_>,
    over: Option<Override<'_>>,
) -> Result<Vec<i64>, BudgetError> {
    lock_source(tx.conn(), d.source_id)?;
    let mut override_used = None;
    if let Err(e) = check(tx.conn(), district_id, d) {
        match (e, over) {
            (BudgetError::Refused(BudgetProblem::Funds(problem)), Some(o)) if !o.reason.trim().is_empty() => {
                tx.record(
                    Change::new("override", "budget_sources", d.source_id).district(district_id).after(
                        serde_json::json!({
                            "problem": problem,
                            "demand": d,
                            "ref": format!("{}:{}", what.ref_entity, what.ref_id.unwrap_or_default()),
                            "reason": o.reason.trim(),
                            "by": o.by,
                        }),
                    ),
                );
                override_used = Some(o);
            }
            (e, _) => return Err(e),
        }
    }
    let mut ids = Vec::with_capacity(parts.len());
    for (town, amount) in parts {
        ids.push(insert_entry(
            tx,
            district_id,
            &NewEntry {
                source_id: d.source_id,
                kind: EntryKind::Commitment,
                cost_type: Some(d.cost_type),
                town_id: *town,
                allocated: 0,
                committed: fen(*amount)?,
                paid: 0,
                date: d.date,
                commitment_id: None,
                reverses_id: None,
                ref_entity: what.ref_entity,
                ref_id: what.ref_id,
                memo: what.memo,
                override_reason: override_used.map(|o| o.reason.trim()),
                overridden_by: override_used.map(|o| o.by),
                created_by: what.by,
            },
        )?);
    }
    Ok(ids)
}

fn load_entry(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<EntryRow, DbError> {
    budget_entries::table
        .filter(budget_entries::district_id.eq(district_id))
        .filter(budget_entries::id.eq(id))
        .select(EntryRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)
}

/// What is still committed and unpaid on commitment `id`.
pub fn outstanding(conn: &mut AnyConnection, id: i64) -> Result<i64, DbError> {
    let (_, c, _): Sums3 = budget_entries::table
        .filter(budget_entries::id.eq(id).or(budget_entries::commitment_id.eq(id)))
        .select(sums_select())
        .first(conn)?;
    Ok(c)
}

/// Pays `amount` of commitment `commitment_id` (all that is outstanding
/// when none). A payment never exceeds what is still committed.
pub fn pay_commitment(
    tx: &mut Tx<'_>,
    district_id: i64,
    commitment_id: i64,
    amount: Option<Decimal>,
    date: NaiveDate,
    what: For<'_>,
) -> Result<Option<i64>, BudgetError> {
    let c = load_entry(tx.conn(), district_id, commitment_id)?;
    if c.kind() != Some(EntryKind::Commitment) {
        return Err(refused(BudgetProblem::WrongState));
    }
    lock_source(tx.conn(), c.source_id)?;
    let left = outstanding(tx.conn(), commitment_id)?;
    let amount = match amount {
        Some(a) => fen(check_amount(a)?)?,
        None => left,
    };
    if amount == 0 {
        return Ok(None);
    }
    if amount > left {
        return Err(refused(BudgetProblem::MoreThanCommitted));
    }
    let id = insert_entry(
        tx,
        district_id,
        &NewEntry {
            source_id: c.source_id,
            kind: EntryKind::Payment,
            cost_type: c.cost_type(),
            town_id: c.town_id,
            allocated: 0,
            committed: -amount,
            paid: amount,
            date,
            commitment_id: Some(commitment_id),
            reverses_id: None,
            ref_entity: what.ref_entity,
            ref_id: what.ref_id,
            memo: what.memo,
            override_reason: None,
            overridden_by: None,
            created_by: what.by,
        },
    )?;
    Ok(Some(id))
}

/// Reverses entry `id` with a reason (finance): a new entry with the
/// opposite effect. A commitment with payments is reversed only after its
/// payments are.
pub fn reverse(tx: &mut Tx<'_>, who: &Principal, id: i64, reason: &str) -> Result<i64, BudgetError> {
    finance(who)?;
    reverse_entry(tx, who.district_id, id, reason, Some(who.user_id))
}

/// Reverses entry `id` of `district_id` for `reason`, as the system does
/// when a commitment is released (a contract terminated or re-planned).
pub fn reverse_entry(
    tx: &mut Tx<'_>,
    district_id: i64,
    id: i64,
    reason: &str,
    by: Option<i64>,
) -> Result<i64, BudgetError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused(BudgetProblem::ReasonRequired));
    }
    let e = load_entry(tx.conn(), district_id, id)?;
    lock_source(tx.conn(), e.source_id)?;
    let reversed: i64 =
        budget_entries::table.filter(budget_entries::reverses_id.eq(id)).count().get_result(tx.conn())?;
    let kind = e.kind().ok_or_else(|| corrupt(format!("entry {id} kind")))?;
    if reversed > 0 || kind == EntryKind::Reversal || kind == EntryKind::Allocation {
        return Err(refused(BudgetProblem::NotReversible));
    }
    if kind == EntryKind::Commitment && outstanding(tx.conn(), id)? != e.committed_fen {
        return Err(refused(BudgetProblem::NotReversible));
    }
    let commitment_id = match kind {
        EntryKind::Commitment => Some(id),
        _ => e.commitment_id,
    };
    let rid = insert_entry(
        tx,
        district_id,
        &NewEntry {
            source_id: e.source_id,
            kind: EntryKind::Reversal,
            cost_type: e.cost_type(),
            town_id: e.town_id,
            allocated: -e.allocated_fen,
            committed: -e.committed_fen,
            paid: -e.paid_fen,
            date: today(),
            commitment_id,
            reverses_id: Some(id),
            ref_entity: &e.ref_entity,
            ref_id: e.ref_id,
            memo: reason,
            override_reason: None,
            overridden_by: None,
            created_by: by,
        },
    )?;
    Ok(rid)
}

/// The commitments made for `(ref_entity, ref_id)` that are not reversed,
/// oldest first.
pub fn live_commitments(
    conn: &mut AnyConnection,
    district_id: i64,
    ref_entity: &str,
    ref_id: i64,
) -> Result<Vec<EntryRow>, DbError> {
    let all: Vec<EntryRow> = budget_entries::table
        .filter(budget_entries::district_id.eq(district_id))
        .filter(budget_entries::ref_entity.eq(ref_entity))
        .filter(budget_entries::ref_id.eq(ref_id))
        .filter(budget_entries::kind.eq(EntryKind::Commitment.code()))
        .order(budget_entries::id.asc())
        .select(EntryRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = all.iter().map(|e| e.id).collect();
    let reversed: Vec<Option<i64>> = budget_entries::table
        .filter(budget_entries::reverses_id.eq_any(&ids))
        .select(budget_entries::reverses_id)
        .load(conn)?;
    Ok(all.into_iter().filter(|e| !reversed.contains(&Some(e.id))).collect())
}

/// What entries for `(ref_entity, any of ref_ids)` hold of each source:
/// committed plus paid (a reversal nets its entry out), by source.
pub fn held_by_source(
    conn: &mut AnyConnection,
    district_id: i64,
    ref_entity: &str,
    ref_ids: &[i64],
) -> Result<Vec<(i64, i64)>, DbError> {
    let mut out = Vec::new();
    // Grouping is not available on boxed queries: one sum per source.
    let sources: Vec<i64> = budget_entries::table
        .filter(budget_entries::district_id.eq(district_id))
        .filter(budget_entries::ref_entity.eq(ref_entity))
        .filter(budget_entries::ref_id.eq_any(ref_ids))
        .select(budget_entries::source_id)
        .distinct()
        .load(conn)?;
    for source in sources {
        let (_, c, p): Sums3 = budget_entries::table
            .filter(budget_entries::district_id.eq(district_id))
            .filter(budget_entries::ref_entity.eq(ref_entity))
            .filter(budget_entries::ref_id.eq_any(ref_ids))
            .filter(budget_entries::source_id.eq(source))
            .select(sums_select())
            .first(conn)?;
        out.push((source, c + p));
    }
    Ok(out)
}

/// Entries visible to `who`, newest first, a page at a time. A town user
/// sees entries of their town's own sources and entries for their town.
pub fn entries(
    conn: &mut AnyConnection,
    who: &Principal,
    f: &Filter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<EntryRow>, i64), DbError> {
    let query = || {
        let mut q =
            budget_entries::table.filter(budget_entries::district_id.eq(who.district_id)).into_boxed();
        if !who.has_any(Role::DISTRICT_WIDE) {
            let town = who.town_id.unwrap_or(-1);
            let own =
                budget_sources::table.filter(budget_sources::town_id.eq(town)).select(budget_sources::id);
            q = q.filter(budget_entries::town_id.eq(town).or(budget_entries::source_id.eq_any(own)));
        }
        if let Some(s) = f.source_id {
            q = q.filter(budget_entries::source_id.eq(s));
        }
        if let Some(c) = f.cost_type {
            q = q.filter(budget_entries::cost_type.eq(c.code()));
        }
        if let Some(t) = f.town_id {
            q = q.filter(budget_entries::town_id.eq(t));
        }
        if let Some(d) = f.as_of {
            q = q.filter(budget_entries::entry_date.le(d));
        }
        if let Some(y) = f.year {
            q = q.filter(budget_entries::source_id.eq_any(year_sources(who.district_id, y)));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows = query()
        .order(budget_entries::id.desc())
        .offset(offset.max(0))
        .limit(limit.clamp(1, 5_000))
        .select(EntryRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Entries an approver let through a refusal, in a year.
pub fn overrides(conn: &mut AnyConnection, district_id: i64, year: i32) -> Result<Vec<EntryRow>, DbError> {
    let ids = year_sources(district_id, year);
    Ok(budget_entries::table
        .filter(budget_entries::district_id.eq(district_id))
        .filter(budget_entries::source_id.eq_any(ids))
        .filter(budget_entries::override_reason.is_not_null())
        .order(budget_entries::id.asc())
        .select(EntryRow::as_select())
        .load(conn)?)
}

/// Commitments of a year with money still unpaid: (entry, outstanding fen).
pub fn unpaid_commitments(
    conn: &mut AnyConnection,
    district_id: i64,
    year: i32,
) -> Result<Vec<(EntryRow, i64)>, DbError> {
    let ids = year_sources(district_id, year);
    let rows: Vec<EntryRow> = budget_entries::table
        .filter(budget_entries::district_id.eq(district_id))
        .filter(budget_entries::source_id.eq_any(ids))
        .filter(budget_entries::kind.eq(EntryKind::Commitment.code()))
        .order(budget_entries::id.asc())
        .select(EntryRow::as_select())
        .load(conn)?;
    let commitment_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let moved: Vec<(Option<i64>, i64)> = budget_entries::table
        .filter(budget_entries::commitment_id.eq_any(&commitment_ids))
        .select((budget_entries::commitment_id, budget_entries::committed_fen))
        .load(conn)?;
    let mut out = Vec::new();
    for r in rows {
        let left =
            r.committed_fen + moved.iter().filter(|(c, _)| *c == Some(r.id)).map(|(_, f)| *f).sum::<i64>();
        if left > 0 {
            out.push((r, left));
        }
    }
    Ok(out)
}

/// Payments of a year by month (net of reversals), in fen.
pub fn paid_by_month(
    conn: &mut AnyConnection,
    district_id: i64,
    year: i32,
) -> Result<[Decimal; 12], DbError> {
    let ids = year_sources(district_id, year);
    let rows: Vec<(NaiveDate, i64)> = budget_entries::table
        .filter(budget_entries::district_id.eq(district_id))
        .filter(budget_entries::source_id.eq_any(ids))
        .filter(budget_entries::paid_fen.ne(0))
        .select((budget_entries::entry_date, budget_entries::paid_fen))
        .load(conn)?;
    let mut out = [Decimal::ZERO; 12];
    for (d, f) in rows {
        if chrono::Datelike::year(&d) == year {
            out[chrono::Datelike::month0(&d) as usize] += from_fen(f);
        }
    }
    Ok(out)
}

// --- Requests --------------------------------------------------------------

/// A request kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestKind {
    /// The bureau's own spending (training, other costs).
    Spending,
    /// A town's request to buy a service from its own funds.
    TownPurchase,
}

impl RequestKind {
    pub fn code(self) -> &'static str {
        match self {
            RequestKind::Spending => "spending",
            RequestKind::TownPurchase => "town_purchase",
        }
    }

    pub fn from_code(code: &str) -> Option<RequestKind> {
        [RequestKind::Spending, RequestKind::TownPurchase].into_iter().find(|k| k.code() == code)
    }
}

/// A request as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    pub source_id: i64,
    pub cost_type: CostType,
    pub town_id: Option<i64>,
    pub title: String,
    pub purpose: String,
    pub amount: Decimal,
    pub date: NaiveDate,
    /// The maker's case for an override when the checks refuse it.
    pub override_request: Option<String>,
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = budget_requests)]
pub struct RequestRow {
    pub id: i64,
    pub district_id: i64,
    pub kind: String,
    pub source_id: i64,
    pub cost_type: String,
    pub town_id: Option<i64>,
    pub title: String,
    pub purpose: String,
    pub amount_fen: i64,
    pub entry_date: NaiveDate,
    pub override_request: Option<String>,
    pub status: String,
    pub approval_id: Option<i64>,
    pub entry_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub version: i32,
}

/// Submits a request for approval. Finance submits the bureau's spending;
/// a town user submits a purchase for their town, from a source of the
/// town's own, as a contract payment. The money is checked now and again
/// on approval; a refused request is submitted only with the maker's case
/// for an override.
pub fn submit_request(tx: &mut Tx<'_>, who: &Principal, r: &NewRequest) -> Result<i64, BudgetError> {
    let (kind, town_id, cost_type) = if who.has(Role::Finance) {
        (RequestKind::Spending, r.town_id, r.cost_type)
    } else if who.has(Role::Town) {
        (RequestKind::TownPurchase, who.town_id, CostType::ContractPayment)
    } else {
        return Err(BudgetError::OutOfScope);
    };
    let title = r.title.trim();
    if title.is_empty() {
        return Err(refused(BudgetProblem::NameRequired));
    }
    let amount = check_amount(r.amount)?;
    let source = SourceRow::load(tx.conn(), who.district_id, r.source_id)?;
    if kind == RequestKind::TownPurchase {
        if source.town_id.is_none() || source.town_id != town_id {
            return Err(refused(BudgetProblem::NotTownSource));
        }
        if r.purpose.trim().is_empty() {
            return Err(refused(BudgetProblem::ReasonRequired));
        }
    }
    let override_request = r.override_request.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let demand = Demand { source_id: source.id, cost_type, amount, date: r.date };
    check_unless_reason(tx.conn(), who.district_id, &[demand], override_request)?;
    let id: i64 = diesel::insert_into(budget_requests::table)
        .values((
            budget_requests::district_id.eq(who.district_id),
            budget_requests::kind.eq(kind.code()),
            budget_requests::source_id.eq(source.id),
            budget_requests::cost_type.eq(cost_type.code()),
            budget_requests::town_id.eq(town_id),
            budget_requests::title.eq(title),
            budget_requests::purpose.eq(r.purpose.trim()),
            budget_requests::amount_fen.eq(fen(amount)?),
            budget_requests::entry_date.eq(r.date),
            budget_requests::override_request.eq(override_request),
            budget_requests::status.eq("submitted"),
            budget_requests::created_by.eq(Some(who.user_id)),
        ))
        .returning(budget_requests::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "budget_requests", id).district(who.district_id).after(
        serde_json::json!({
            "kind": kind.code(),
            "source_id": source.id,
            "cost_type": cost_type.code(),
            "town_id": town_id,
            "title": title,
            "amount": amount.to_string(),
            "override_request": override_request,
        }),
    ));
    let mut summary = format!(
        "{}：{} · {} 元 · {}（{}）",
        if kind == RequestKind::TownPurchase { "镇街购买服务申请" } else { "支出申请" },
        title,
        amount,
        source.name,
        crate::i18n::zh_cost_type(cost_type)
    );
    if let Some(o) = override_request {
        summary.push_str(&format!(" · 超支/范围外，申请特批：{o}"));
    }
    let approval_id = super::approvals::submit(
        tx,
        who,
        ApprovalKind::BudgetRequest,
        "budget_requests",
        Some(id),
        &summary,
        &serde_json::json!({ "request_id": id }),
    )?;
    diesel::update(budget_requests::table.find(id))
        .set(budget_requests::approval_id.eq(Some(approval_id)))
        .execute(tx.conn())?;
    Ok(id)
}

/// Carries out an approved request: commits the money (checked again,
/// overridable by the approver) and marks the request approved.
pub fn apply_request(
    tx: &mut Tx<'_>,
    district_id: i64,
    request_id: i64,
    decider: i64,
    over: Option<&str>,
) -> Result<(), BudgetError> {
    let r = load_request(tx.conn(), district_id, request_id)?;
    if r.status != "submitted" {
        return Err(BudgetError::Approval(ApprovalProblem::Outdated));
    }
    let cost_type =
        CostType::from_code(&r.cost_type).ok_or_else(|| corrupt(format!("request {request_id}")))?;
    let demand =
        Demand { source_id: r.source_id, cost_type, amount: from_fen(r.amount_fen), date: r.entry_date };
    let ids = commit(
        tx,
        district_id,
        &demand,
        &[(r.town_id, demand.amount)],
        For { ref_entity: "budget_requests", ref_id: Some(r.id), memo: &r.title, by: r.created_by },
        over.map(|reason| Override { reason, by: decider }),
    )?;
    diesel::update(budget_requests::table.find(r.id).filter(budget_requests::version.eq(r.version)))
        .set((
            budget_requests::status.eq("approved"),
            budget_requests::entry_id.eq(ids.first().copied()),
            budget_requests::version.eq(r.version + 1),
        ))
        .execute(tx.conn())?;
    tx.record(
        Change::new("approve", "budget_requests", r.id)
            .district(district_id)
            .after(serde_json::json!({ "status": "approved", "entry_id": ids.first() })),
    );
    Ok(())
}

fn load_request(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<RequestRow, DbError> {
    budget_requests::table
        .filter(budget_requests::district_id.eq(district_id))
        .filter(budget_requests::id.eq(id))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)
}

/// Requests visible to `who` of a year's sources, newest first, with the
/// status of their approval item.
pub fn requests(
    conn: &mut AnyConnection,
    who: &Principal,
    year: i32,
) -> Result<Vec<(RequestRow, ApprovalStatus)>, DbError> {
    let ids = budget_sources::table
        .filter(budget_sources::district_id.eq(who.district_id))
        .filter(budget_sources::year.eq(year))
        .select(budget_sources::id);
    let mut q = budget_requests::table
        .left_join(approvals::table.on(approvals::id.nullable().eq(budget_requests::approval_id)))
        .filter(budget_requests::district_id.eq(who.district_id))
        .filter(budget_requests::source_id.eq_any(ids))
        .into_boxed();
    if !who.has_any(Role::DISTRICT_WIDE) {
        q = q.filter(budget_requests::town_id.eq(who.town_id.unwrap_or(-1)));
    }
    let rows: Vec<(RequestRow, Option<String>)> = q
        .order(budget_requests::id.desc())
        .select((RequestRow::as_select(), approvals::status.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(r, s)| {
            let s = s.as_deref().and_then(ApprovalStatus::from_code).unwrap_or(ApprovalStatus::Pending);
            (r, s)
        })
        .collect())
}

/// A town's approved purchase request, which a contract may be made from;
/// anything else is refused.
pub fn approved_town_purchase(
    conn: &mut AnyConnection,
    district_id: i64,
    request_id: i64,
) -> Result<RequestRow, BudgetError> {
    let r = load_request(conn, district_id, request_id)?;
    if r.kind != RequestKind::TownPurchase.code() || r.status != "approved" {
        return Err(refused(BudgetProblem::WrongState));
    }
    Ok(r)
}

/// Pays a request's commitment (finance): all that is outstanding, or
/// `amount` of it.
pub fn pay_request(
    tx: &mut Tx<'_>,
    who: &Principal,
    request_id: i64,
    amount: Option<Decimal>,
    date: NaiveDate,
) -> Result<(), BudgetError> {
    finance(who)?;
    let r = load_request(tx.conn(), who.district_id, request_id)?;
    let Some(entry) = r.entry_id else {
        return Err(refused(BudgetProblem::WrongState));
    };
    let paid = pay_commitment(
        tx,
        who.district_id,
        entry,
        amount,
        date,
        For { ref_entity: "budget_requests", ref_id: Some(r.id), memo: &r.title, by: Some(who.user_id) },
    )?;
    // A repeated (or concurrent, once the source's lock is passed) "pay
    // all" finds nothing outstanding: said so, nothing is paid twice.
    if paid.is_none() {
        return Err(refused(BudgetProblem::FullyPaid));
    }
    Ok(())
}

// --- Payroll runs ------------------------------------------------------------

/// How a run is funded: the source of pay and of employer contributions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFunding {
    pub pay_source_id: i64,
    pub insurance_source_id: i64,
}

/// The demands of a run: its gross pay and its employer contributions,
/// booked on the last day of the run's month.
pub fn run_demands(
    funding: &RunFunding,
    month_end: NaiveDate,
    gross_fen: i64,
    employer_fen: i64,
) -> Vec<Demand> {
    vec![
        Demand {
            source_id: funding.pay_source_id,
            cost_type: CostType::AssistantPay,
            amount: from_fen(gross_fen),
            date: month_end,
        },
        Demand {
            source_id: funding.insurance_source_id,
            cost_type: CostType::EmployerInsurance,
            amount: from_fen(employer_fen),
            date: month_end,
        },
    ]
}

/// Pays every outstanding commitment made for `(ref_entity, ref_id)`.
pub fn pay_all_for(
    tx: &mut Tx<'_>,
    district_id: i64,
    ref_entity: &str,
    ref_id: i64,
    date: NaiveDate,
    by: Option<i64>,
) -> Result<usize, BudgetError> {
    let ids: Vec<i64> = budget_entries::table
        .filter(budget_entries::district_id.eq(district_id))
        .filter(budget_entries::ref_entity.eq(ref_entity))
        .filter(budget_entries::ref_id.eq(ref_id))
        .filter(budget_entries::kind.eq(EntryKind::Commitment.code()))
        .order(budget_entries::id.asc())
        .select(budget_entries::id)
        .load(tx.conn())?;
    let mut n = 0;
    for id in ids {
        if pay_commitment(
            tx,
            district_id,
            id,
            None,
            date,
            For { ref_entity, ref_id: Some(ref_id), memo: "", by },
        )?
        .is_some()
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Suggests how to fund a run: for each demand, the district source (not a
/// town's own) that may pay it and has the most available, counting what
/// the first demand takes. None when no source may pay one of them.
pub fn suggest_funding(
    conn: &mut AnyConnection,
    district_id: i64,
    year: i32,
    gross_fen: i64,
    employer_fen: i64,
) -> Result<Option<RunFunding>, DbError> {
    let rows: Vec<SourceRow> =
        sources(conn, district_id, year)?.into_iter().filter(|s| s.town_id.is_none()).collect();
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let matrix = matrix(conn, &ids)?;
    let mut available: Vec<(i64, i64)> = Vec::new();
    for s in &rows {
        let b = balance(conn, district_id, &Filter::source(s.id))?;
        available.push((s.id, to_fen(b.available()).unwrap_or(0)));
    }
    let mut pick = |cost: CostType, amount: i64| -> Option<i64> {
        let (id, left) = available
            .iter_mut()
            .filter(|(id, _)| matrix.contains(&(*id, cost)))
            .max_by_key(|(_, left)| *left)?;
        *left -= amount;
        Some(*id)
    };
    let pay = pick(CostType::AssistantPay, gross_fen);
    let ins = pick(CostType::EmployerInsurance, employer_fen);
    Ok(pay
        .zip(ins)
        .map(|(pay_source_id, insurance_source_id)| RunFunding { pay_source_id, insurance_source_id }))
}

// --- Attachments -------------------------------------------------------------

/// An attachment to keep (its content already stored under `sha256`).
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub sha256: String,
}

/// An attachment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = budget_attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub district_id: i64,
    pub source_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
}

/// Keeps a document with a source (finance).
pub fn add_attachment(
    tx: &mut Tx<'_>,
    who: &Principal,
    source_id: i64,
    a: &NewAttachment,
) -> Result<i64, BudgetError> {
    finance(who)?;
    SourceRow::load(tx.conn(), who.district_id, source_id)?;
    let id: i64 = diesel::insert_into(budget_attachments::table)
        .values((
            budget_attachments::district_id.eq(who.district_id),
            budget_attachments::source_id.eq(source_id),
            budget_attachments::file_name.eq(&a.file_name),
            budget_attachments::content_type.eq(a.content_type),
            budget_attachments::size_bytes.eq(a.size_bytes),
            budget_attachments::sha256.eq(&a.sha256),
            budget_attachments::created_by.eq(Some(who.user_id)),
        ))
        .returning(budget_attachments::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("attach", "budget_sources", source_id).district(who.district_id).after(
        serde_json::json!({
            "attachment_id": id,
            "file_name": a.file_name,
            "content_type": a.content_type,
            "size_bytes": a.size_bytes,
            "sha256": a.sha256,
        }),
    ));
    Ok(id)
}

/// A source's attachments, oldest first.
pub fn attachments(conn: &mut AnyConnection, source_id: i64) -> Result<Vec<AttachmentRow>, DbError> {
    Ok(budget_attachments::table
        .filter(budget_attachments::source_id.eq(source_id))
        .order(budget_attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)?)
}

/// Attachment `id` if `who` may see its source.
pub fn attachment(
    conn: &mut AnyConnection,
    who: &Principal,
    id: i64,
) -> Result<Option<AttachmentRow>, DbError> {
    let row: Option<AttachmentRow> = budget_attachments::table
        .filter(budget_attachments::district_id.eq(who.district_id))
        .filter(budget_attachments::id.eq(id))
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let source = SourceRow::load(conn, who.district_id, row.source_id)?;
    Ok(source.visible_to(who).then_some(row))
}
