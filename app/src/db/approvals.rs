//! Maker-checker items: submitting, deciding, withdrawing, listing. The
//! rules are in [`crate::domain::approval`]; what approving an item does
//! is decided by its kind in [`apply`].

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{approvals, users};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use super::{accounts, budget, contracts, payroll, roster};
use crate::api::approvals::ApprovalSummary;
use crate::domain::access::{Principal, Role};
use crate::domain::approval::{
    ApprovalKind, ApprovalProblem, ApprovalStatus, Decision, PendingItem, check_decision, check_withdrawal,
};

/// The payload of a [`ApprovalKind::RoleGrant`] item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub user_id: i64,
    pub role: Role,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = approvals)]
struct ApprovalRow {
    id: i64,
    district_id: i64,
    kind: String,
    entity: String,
    entity_id: Option<i64>,
    summary: String,
    payload: String,
    maker_id: i64,
    created_at: NaiveDateTime,
    status: String,
    decided_by: Option<i64>,
    decided_at: Option<NaiveDateTime>,
    decision_reason: Option<String>,
    version: i32,
}

impl ApprovalRow {
    fn item(&self) -> Result<PendingItem, DbError> {
        Ok(PendingItem {
            kind: ApprovalKind::from_code(&self.kind)
                .ok_or_else(|| DbError::Corrupt(format!("approval kind {}", self.kind)))?,
            district_id: self.district_id,
            maker_id: self.maker_id,
            subject_id: if self.entity == "users" { self.entity_id } else { None },
            status: ApprovalStatus::from_code(&self.status)
                .ok_or_else(|| DbError::Corrupt(format!("approval status {}", self.status)))?,
        })
    }

    fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": self.kind,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "summary": self.summary,
            "payload": self.payload,
            "maker_id": self.maker_id,
            "status": self.status,
            "decided_by": self.decided_by,
            "decision_reason": self.decision_reason,
            "version": self.version,
        })
    }
}

/// Why a decision or withdrawal failed.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("refused: {0:?}")]
    Refused(ApprovalProblem),
    /// Approving would commit money the budget refuses (see
    /// [`decide_with_override`]).
    #[error("budget: {0:?}")]
    Budget(crate::domain::budget::BudgetProblem),
    /// The contract, its supplier or its milestone no longer allows it
    /// (the supplier was blacklisted meanwhile, for example).
    #[error("contract: {0:?}")]
    Contract(crate::domain::contract::ContractFault),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ApprovalError {
    fn from(e: diesel::result::Error) -> Self {
        ApprovalError::Db(e.into())
    }
}

/// Submits an item; returns its id.
pub fn submit(
    tx: &mut Tx<'_>,
    maker: &Principal,
    kind: ApprovalKind,
    entity: &str,
    entity_id: Option<i64>,
    summary: &str,
    payload: &impl Serialize,
) -> Result<i64, DbError> {
    let now = chrono::Utc::now().naive_utc();
    let payload = serde_json::to_string(payload).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let id: i64 = diesel::insert_into(approvals::table)
        .values((
            approvals::district_id.eq(maker.district_id),
            approvals::kind.eq(kind.code()),
            approvals::entity.eq(entity),
            approvals::entity_id.eq(entity_id),
            approvals::summary.eq(summary),
            approvals::payload.eq(&payload),
            approvals::maker_id.eq(maker.user_id),
            approvals::created_at.eq(now),
        ))
        .returning(approvals::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("submit", "approvals", id).district(maker.district_id).after(serde_json::json!({
        "kind": kind.code(),
        "entity": entity,
        "entity_id": entity_id,
        "summary": summary,
        "payload": payload,
    })));
    Ok(id)
}

fn load(conn: &mut AnyConnection, id: i64) -> Result<ApprovalRow, DbError> {
    approvals::table
        .find(id)
        .select(ApprovalRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)
}

/// Decides item `id`. The version the decider saw must still be current,
/// so two approvers deciding at once cannot both succeed. On approval the
/// item's effect is applied in the same transaction.
pub fn decide(
    tx: &mut Tx<'_>,
    decider: &Principal,
    id: i64,
    expected_version: i32,
    decision: Decision,
    reason: &str,
) -> Result<(), ApprovalError> {
    decide_with_override(tx, decider, id, expected_version, decision, reason, None)
}

/// [`decide`], letting money through a budget refusal: with `over` (the
/// approver's reason) a commitment beyond a source's balance or of a type
/// it may not pay is made anyway, flagged and audited.
pub fn decide_with_override(
    tx: &mut Tx<'_>,
    decider: &Principal,
    id: i64,
    expected_version: i32,
    decision: Decision,
    reason: &str,
    over: Option<&str>,
) -> Result<(), ApprovalError> {
    let before = load(tx.conn(), id)?;
    if before.district_id != decider.district_id {
        return Err(DbError::NotFound.into());
    }
    let reason = check_decision(&before.item()?, decider, reason).map_err(ApprovalError::Refused)?;
    let now = chrono::Utc::now().naive_utc();
    let n = diesel::update(
        approvals::table
            .filter(approvals::id.eq(id))
            .filter(approvals::version.eq(expected_version))
            .filter(approvals::status.eq(ApprovalStatus::Pending.code())),
    )
    .set((
        approvals::status.eq(decision.outcome().code()),
        approvals::decided_by.eq(Some(decider.user_id)),
        approvals::decided_at.eq(Some(now)),
        approvals::decision_reason.eq(Some(&reason)),
        approvals::version.eq(expected_version + 1),
    ))
    .execute(tx.conn())
    .map_err(DbError::from)?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    let after = load(tx.conn(), id)?;
    tx.record(
        Change::new(if decision == Decision::Approve { "approve" } else { "reject" }, "approvals", id)
            .district(decider.district_id)
            .before(before.snapshot())
            .after(after.snapshot()),
    );
    if decision == Decision::Approve {
        apply(tx, &after, decider.user_id, over.map(str::trim).filter(|o| !o.is_empty()))?;
    } else {
        release(tx, &after)?;
    }
    Ok(())
}

/// Carries out an approved item, if its maker still may ask for it.
fn apply(tx: &mut Tx<'_>, item: &ApprovalRow, decider: i64, over: Option<&str>) -> Result<(), ApprovalError> {
    let kind = ApprovalKind::from_code(&item.kind)
        .ok_or_else(|| DbError::Corrupt(format!("approval kind {}", item.kind)))?;
    // The maker as they are now: disabled makers and lost roles stop the
    // item.
    let maker = accounts::UserRow::load_in_district(tx.conn(), item.district_id, item.maker_id)?
        .filter(|(u, _)| u.disabled_at.is_none())
        .map(|(u, roles)| u.principal(roles));
    let Some(maker) = maker else {
        return Err(ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled));
    };
    let payload = |_: ()| DbError::Corrupt(format!("approval {} payload", item.id));
    let today = crate::domain::calendar::china_date(chrono::Utc::now());
    match kind {
        ApprovalKind::RoleGrant => {
            if !maker.has(Role::Admin) {
                return Err(ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled));
            }
            let grant: RoleGrant = serde_json::from_str(&item.payload).map_err(|_| payload(()))?;
            Ok(accounts::grant_role(tx, item.district_id, grant.user_id, grant.role)?)
        }
        ApprovalKind::AllocationPlan => {
            if !maker.has(Role::Finance) {
                return Err(ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled));
            }
            super::allocation::adopt(tx, item.district_id, item.id)?;
            Ok(())
        }
        ApprovalKind::StaffChange => {
            let change: roster::StaffChange = serde_json::from_str(&item.payload).map_err(|_| payload(()))?;
            roster::apply_change(tx, &maker, item.id, &change).map_err(ApprovalError::from_roster)
        }
        ApprovalKind::HiringException => {
            let exception: roster::HiringException =
                serde_json::from_str(&item.payload).map_err(|_| payload(()))?;
            roster::apply_hiring_exception(tx, &maker, item.id, &exception, today)
                .map(|_| ())
                .map_err(ApprovalError::from_roster)
        }
        ApprovalKind::PayStandards
        | ApprovalKind::InsuranceRules
        | ApprovalKind::PayrollRun
        | ApprovalKind::BudgetEligibility
            if !maker.has(Role::Finance) =>
        {
            Err(ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled))
        }
        ApprovalKind::PayStandards => {
            let p: payroll::StandardsProposal =
                serde_json::from_str(&item.payload).map_err(|_| payload(()))?;
            payroll::apply_standards(tx, item.district_id, item.id, &p).map_err(ApprovalError::from_payroll)
        }
        ApprovalKind::InsuranceRules => {
            let p: payroll::RulesProposal = serde_json::from_str(&item.payload).map_err(|_| payload(()))?;
            payroll::apply_insurance(tx, item.district_id, item.id, &p).map_err(ApprovalError::from_payroll)
        }
        ApprovalKind::PayrollRun => {
            let run_id = item.entity_id.ok_or_else(|| payload(()))?;
            payroll::apply_run_approval(tx, item.district_id, run_id, decider, over)
                .map_err(ApprovalError::from_payroll)
        }
        ApprovalKind::BudgetEligibility => {
            let p: budget::EligibilityProposal =
                serde_json::from_str(&item.payload).map_err(|_| payload(()))?;
            budget::apply_eligibility(tx, item.district_id, &p).map_err(ApprovalError::from_budget)
        }
        ApprovalKind::BudgetRequest => {
            if !maker.has_any(&[Role::Finance, Role::Town]) {
                return Err(ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled));
            }
            let request_id = item.entity_id.ok_or_else(|| payload(()))?;
            budget::apply_request(tx, item.district_id, request_id, decider, over)
                .map_err(ApprovalError::from_budget)
        }
        ApprovalKind::Contract
        | ApprovalKind::ContractAmendment
        | ApprovalKind::MilestoneAcceptance
        | ApprovalKind::ContractPayment
            if !maker.has(Role::Finance) =>
        {
            Err(ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled))
        }
        ApprovalKind::Contract => {
            let id = item.entity_id.ok_or_else(|| payload(()))?;
            contracts::apply_approval(tx, item.district_id, id, decider, over)
                .map_err(ApprovalError::from_contract)
        }
        ApprovalKind::ContractAmendment => {
            let id = item.entity_id.ok_or_else(|| payload(()))?;
            contracts::apply_amendment(tx, item.district_id, id, decider, over)
                .map_err(ApprovalError::from_contract)
        }
        ApprovalKind::MilestoneAcceptance => {
            let id = item.entity_id.ok_or_else(|| payload(()))?;
            contracts::apply_acceptance(tx, item.district_id, id).map_err(ApprovalError::from_contract)
        }
        ApprovalKind::ContractPayment => {
            let id = item.entity_id.ok_or_else(|| payload(()))?;
            contracts::apply_payment(tx, item.district_id, id, decider).map_err(ApprovalError::from_contract)
        }
    }
}

/// An item rejected or withdrawn: the kinds whose subject holds a state
/// while it waits (a contract pending, a milestone held) let go of it.
fn release(tx: &mut Tx<'_>, item: &ApprovalRow) -> Result<(), ApprovalError> {
    let held = matches!(
        ApprovalKind::from_code(&item.kind),
        Some(
            ApprovalKind::Contract
                | ApprovalKind::ContractAmendment
                | ApprovalKind::MilestoneAcceptance
                | ApprovalKind::ContractPayment
        )
    );
    match (held, item.entity_id) {
        (true, Some(id)) => contracts::close_refused(tx, item.district_id, &item.entity, id, &item.status)
            .map_err(ApprovalError::from_contract),
        _ => Ok(()),
    }
}

/// Is approval item `id` still waiting for a decision?
pub fn is_pending(conn: &mut AnyConnection, id: i64) -> Result<bool, DbError> {
    Ok(load(conn, id)?.status == ApprovalStatus::Pending.code())
}

impl ApprovalError {
    fn from_payroll(e: payroll::PayrollError) -> ApprovalError {
        match e {
            payroll::PayrollError::Approval(p) => ApprovalError::Refused(p),
            payroll::PayrollError::Db(d) => ApprovalError::Db(d),
            payroll::PayrollError::OutOfScope => {
                ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled)
            }
            payroll::PayrollError::Refused(_) => ApprovalError::Refused(ApprovalProblem::Outdated),
            payroll::PayrollError::Budget(p) => ApprovalError::Budget(p),
        }
    }

    fn from_budget(e: budget::BudgetError) -> ApprovalError {
        match e {
            budget::BudgetError::Refused(p) => ApprovalError::Budget(p),
            budget::BudgetError::Approval(p) => ApprovalError::Refused(p),
            budget::BudgetError::Db(d) => ApprovalError::Db(d),
            budget::BudgetError::OutOfScope => ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled),
        }
    }

    fn from_contract(e: contracts::ContractError) -> ApprovalError {
        match e {
            contracts::ContractError::Budget(p) => ApprovalError::Budget(p),
            contracts::ContractError::Approval(p) => ApprovalError::Refused(p),
            contracts::ContractError::Db(d) => ApprovalError::Db(d),
            contracts::ContractError::OutOfScope => {
                ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled)
            }
            other => match other.fault() {
                Some(f) => ApprovalError::Contract(f),
                None => ApprovalError::Refused(ApprovalProblem::Outdated),
            },
        }
    }

    fn from_roster(e: roster::RosterError) -> ApprovalError {
        match e {
            roster::RosterError::Approval(p) => ApprovalError::Refused(p),
            roster::RosterError::Db(d) => ApprovalError::Db(d),
            roster::RosterError::OutOfScope => ApprovalError::Refused(ApprovalProblem::MakerNoLongerEntitled),
            _ => ApprovalError::Refused(ApprovalProblem::Outdated),
        }
    }
}

/// The maker takes back a pending item.
pub fn withdraw(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    expected_version: i32,
) -> Result<(), ApprovalError> {
    let before = load(tx.conn(), id)?;
    if before.district_id != who.district_id {
        return Err(DbError::NotFound.into());
    }
    check_withdrawal(&before.item()?, who).map_err(ApprovalError::Refused)?;
    let now = chrono::Utc::now().naive_utc();
    let n = diesel::update(
        approvals::table.filter(approvals::id.eq(id)).filter(approvals::version.eq(expected_version)),
    )
    .set((
        approvals::status.eq(ApprovalStatus::Withdrawn.code()),
        approvals::decided_at.eq(Some(now)),
        approvals::version.eq(expected_version + 1),
    ))
    .execute(tx.conn())
    .map_err(DbError::from)?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    let after = load(tx.conn(), id)?;
    tx.record(
        Change::new("withdraw", "approvals", id)
            .district(who.district_id)
            .before(before.snapshot())
            .after(after.snapshot()),
    );
    release(tx, &after)?;
    Ok(())
}

/// Items of `district_id`: pending ones first (oldest first), then the
/// latest `recent` decided ones.
pub fn list(
    conn: &mut AnyConnection,
    district_id: i64,
    recent: i64,
) -> Result<Vec<ApprovalSummary>, DbError> {
    let pending = ApprovalStatus::Pending.code();
    let mut rows: Vec<ApprovalRow> = approvals::table
        .filter(approvals::district_id.eq(district_id))
        .filter(approvals::status.eq(pending))
        .order(approvals::id.asc())
        .select(ApprovalRow::as_select())
        .load(conn)?;
    rows.extend(
        approvals::table
            .filter(approvals::district_id.eq(district_id))
            .filter(approvals::status.ne(pending))
            .order(approvals::id.desc())
            .limit(recent)
            .select(ApprovalRow::as_select())
            .load::<ApprovalRow>(conn)?,
    );
    let names: Vec<(i64, String)> = users::table
        .filter(users::district_id.eq(district_id))
        .select((users::id, users::display_name))
        .load(conn)?;
    let name_of =
        |id: i64| names.iter().find(|(uid, _)| *uid == id).map(|(_, n)| n.clone()).unwrap_or_default();
    rows.into_iter()
        .map(|r| {
            let item = r.item()?;
            Ok(ApprovalSummary {
                id: r.id,
                kind: item.kind,
                summary: r.summary,
                maker_id: r.maker_id,
                maker: name_of(r.maker_id),
                created_at: r.created_at,
                status: item.status,
                decider: r.decided_by.map(name_of),
                decided_at: r.decided_at,
                reason: r.decision_reason,
                version: r.version,
            })
        })
        .collect()
}

/// The current version of item `id` (what a decision must name).
pub fn version_of(conn: &mut AnyConnection, id: i64) -> Result<i32, DbError> {
    Ok(load(conn, id)?.version)
}

/// Pending grants of `role` to `user_id` (to avoid submitting twice).
pub fn pending_grant_exists(
    conn: &mut AnyConnection,
    district_id: i64,
    user_id: i64,
    role: Role,
) -> Result<bool, DbError> {
    let payloads: Vec<String> = approvals::table
        .filter(approvals::district_id.eq(district_id))
        .filter(approvals::kind.eq(ApprovalKind::RoleGrant.code()))
        .filter(approvals::status.eq(ApprovalStatus::Pending.code()))
        .filter(approvals::entity_id.eq(Some(user_id)))
        .select(approvals::payload)
        .load(conn)?;
    Ok(payloads
        .iter()
        .filter_map(|p| serde_json::from_str::<RoleGrant>(p).ok())
        .any(|g| g.user_id == user_id && g.role == role))
}
