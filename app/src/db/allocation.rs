//! Staffing norms and post allocation plans: the figures an allocation is
//! computed from, plans submitted for adoption, and what adopting one
//! does to the posts (opens new ones, closes vacant ones first).

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::schema::{
    allocation_plan_towns, allocation_plans, approvals, posts, staff, staff_assignments, staffing_norms,
};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError, district};
use crate::domain::access::Principal;
use crate::domain::allocation::{
    Allocation, AllocationInput, AllocationProblem, Method, Reason, StaffingNorms, UnitInput, allocate,
};
use crate::domain::approval::{ApprovalKind, ApprovalStatus};
use crate::domain::roster::StaffStatus;

pub use crate::api::allocation::{PlanLine, PlanParams, PlanSummary};

/// The norms in force on `date`: the latest recorded on or before it, or
/// seed 003's default when none is.
pub fn norms_in_force(
    conn: &mut AnyConnection,
    district_id: i64,
    date: NaiveDate,
) -> Result<(StaffingNorms, Option<NaiveDate>), DbError> {
    let row: Option<(NaiveDate, String)> = staffing_norms::table
        .filter(staffing_norms::district_id.eq(district_id))
        .filter(staffing_norms::effective_from.le(date))
        .order(staffing_norms::effective_from.desc())
        .select((staffing_norms::effective_from, staffing_norms::steps))
        .first(conn)
        .optional()?;
    match row {
        None => Ok((StaffingNorms::seed_003(), None)),
        Some((from, steps)) => {
            let steps = serde_json::from_str(&steps).map_err(|e| DbError::Corrupt(format!("norms: {e}")))?;
            Ok((StaffingNorms { steps }, Some(from)))
        }
    }
}

/// Records norms in force from `effective_from`. One set per date: a
/// second set for the same date is a conflict (record it from another
/// date instead; history is never overwritten).
pub fn record_norms(
    tx: &mut Tx<'_>,
    who: &Principal,
    effective_from: NaiveDate,
    norms: &StaffingNorms,
    note: &str,
) -> Result<i64, DbError> {
    let exists: i64 = staffing_norms::table
        .filter(staffing_norms::district_id.eq(who.district_id))
        .filter(staffing_norms::effective_from.eq(effective_from))
        .count()
        .get_result(tx.conn())?;
    if exists > 0 {
        return Err(DbError::Conflict);
    }
    let steps = serde_json::to_string(&norms.steps).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let id: i64 = diesel::insert_into(staffing_norms::table)
        .values((
            staffing_norms::district_id.eq(who.district_id),
            staffing_norms::effective_from.eq(effective_from),
            staffing_norms::steps.eq(&steps),
            staffing_norms::note.eq(note),
            staffing_norms::created_by.eq(Some(who.user_id)),
        ))
        .returning(staffing_norms::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "staffing_norms", id).district(who.district_id).after(
        serde_json::json!({
            "effective_from": effective_from, "steps": norms.steps, "note": note,
        }),
    ));
    Ok(id)
}

/// A computed allocation with the towns it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub allocation: Allocation,
    /// Town ids in the order of `allocation.units`.
    pub town_ids: Vec<i64>,
    pub units: Vec<UnitInput>,
    pub norms: StaffingNorms,
}

/// Why a plan cannot be previewed or submitted.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("allocation refused: {0:?}")]
    Allocation(AllocationProblem),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for PlanError {
    fn from(e: diesel::result::Error) -> Self {
        PlanError::Db(e.into())
    }
}

/// Computes the allocation `params` describe from the district's figures
/// and norms on `params.figures_on`. Reads only.
pub fn preview(
    conn: &mut AnyConnection,
    district_id: i64,
    params: &PlanParams,
) -> Result<Preview, PlanError> {
    let towns = district::staffing_as_of(conn, district_id, params.figures_on)?;
    let (norms, _) = norms_in_force(conn, district_id, params.figures_on)?;
    let units: Vec<UnitInput> = towns
        .iter()
        .map(|(_, t)| UnitInput {
            code: t.code.clone(),
            population: t.population,
            recipients: t.recipients.total(),
        })
        .collect();
    let input = AllocationInput {
        method: params.method,
        total: params.total,
        population_weight: params.population_weight,
        recipients_weight: 100u32.saturating_sub(params.population_weight),
        norms: norms.clone(),
        units: units.clone(),
    };
    let allocation = allocate(&input).map_err(PlanError::Allocation)?;
    Ok(Preview { allocation, town_ids: towns.iter().map(|(id, _)| *id).collect(), units, norms })
}

/// The payload of an [`ApprovalKind::AllocationPlan`] item: the plan row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub plan_id: i64,
}

/// Computes and submits a plan for adoption; returns the plan id.
pub fn submit_plan(
    tx: &mut Tx<'_>,
    maker: &Principal,
    params: &PlanParams,
    note: &str,
) -> Result<i64, PlanError> {
    let pv = preview(tx.conn(), maker.district_id, params)?;
    let summary = format!(
        "{} · {} · {}/{} · {}",
        params.total,
        params.method.code(),
        params.population_weight,
        100 - params.population_weight,
        params.effective_from
    );
    // The approval item comes first (the plan names it); its payload is
    // the plan id, known right after.
    let approval_id = super::approvals::submit(
        tx,
        maker,
        ApprovalKind::AllocationPlan,
        "allocation_plans",
        None,
        &summary,
        &serde_json::Value::Null,
    )?;
    let norms = serde_json::to_string(&pv.norms.steps).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let plan_id: i64 = diesel::insert_into(allocation_plans::table)
        .values((
            allocation_plans::district_id.eq(maker.district_id),
            allocation_plans::approval_id.eq(approval_id),
            allocation_plans::method.eq(params.method.code()),
            allocation_plans::total
                .eq(i32::try_from(params.total).map_err(|_| DbError::Corrupt("total".into()))?),
            allocation_plans::population_weight.eq(params.population_weight as i32),
            allocation_plans::recipients_weight.eq(100 - params.population_weight as i32),
            allocation_plans::norms.eq(&norms),
            allocation_plans::figures_on.eq(params.figures_on),
            allocation_plans::effective_from.eq(params.effective_from),
            allocation_plans::note.eq(note),
            allocation_plans::created_by.eq(maker.user_id),
        ))
        .returning(allocation_plans::id)
        .get_result(tx.conn())?;
    diesel::update(approvals::table.find(approval_id))
        .set((
            approvals::entity_id.eq(Some(plan_id)),
            approvals::payload.eq(serde_json::to_string(&PlanItem { plan_id }).unwrap_or_default()),
        ))
        .execute(tx.conn())?;
    let lines: Vec<_> = pv
        .allocation
        .units
        .iter()
        .zip(&pv.town_ids)
        .zip(&pv.units)
        .map(|((u, town_id), input)| {
            (
                allocation_plan_towns::plan_id.eq(plan_id),
                allocation_plan_towns::district_id.eq(maker.district_id),
                allocation_plan_towns::town_id.eq(*town_id),
                allocation_plan_towns::population.eq(i64::try_from(input.population).unwrap_or(i64::MAX)),
                allocation_plan_towns::recipients.eq(i32::try_from(input.recipients).unwrap_or(i32::MAX)),
                allocation_plan_towns::minimum.eq(u.minimum as i32),
                allocation_plan_towns::quota_e4.eq(e4(u.quota)),
                allocation_plan_towns::adjusted_quota_e4.eq(u.adjusted_quota.map(e4)),
                allocation_plan_towns::posts.eq(u.posts as i32),
                allocation_plan_towns::reason.eq(reason_code(u.reason)),
            )
        })
        .collect();
    // One row at a time: diesel's multi-backend connection has no batch
    // insert for SQLite.
    for line in lines {
        diesel::insert_into(allocation_plan_towns::table).values(line).execute(tx.conn())?;
    }
    tx.record(Change::new("create", "allocation_plans", plan_id).district(maker.district_id).after(
        serde_json::json!({
            "approval_id": approval_id, "params": params, "note": note,
            "posts": pv.allocation.units.iter().map(|u| (&u.code, u.posts)).collect::<Vec<_>>(),
        }),
    ));
    Ok(plan_id)
}

fn e4(d: Decimal) -> i64 {
    (d * Decimal::from(10_000)).trunc().try_into().unwrap_or(i64::MAX)
}

fn from_e4(v: i64) -> Decimal {
    Decimal::new(v, 4)
}

pub fn reason_code(r: Reason) -> &'static str {
    match r {
        Reason::MinimumApplied => "minimum_applied",
        Reason::Exact => "exact",
        Reason::RemainderWon => "remainder_won",
        Reason::RoundedDown => "rounded_down",
        Reason::RoundedUp => "rounded_up",
        Reason::PrioritiesRoundedDown => "priorities_rounded_down",
    }
}

fn reason_from_code(code: &str) -> Option<Reason> {
    [
        Reason::MinimumApplied,
        Reason::Exact,
        Reason::RemainderWon,
        Reason::RoundedDown,
        Reason::RoundedUp,
        Reason::PrioritiesRoundedDown,
    ]
    .into_iter()
    .find(|r| reason_code(*r) == code)
}

/// Adopts the plan of an approved item: numbers it and makes each town's
/// open posts match it from the plan's effective date. Posts are added
/// with the next free codes; surplus posts are closed vacant ones first
/// (newest first), and only then occupied ones, whose holders go on
/// standby (待岗) with the plan recorded in their history.
pub fn adopt(tx: &mut Tx<'_>, district_id: i64, approval_id: i64) -> Result<i32, DbError> {
    let (plan_id, effective_from, district_code): (i64, NaiveDate, String) = allocation_plans::table
        .inner_join(super::schema::districts::table)
        .filter(allocation_plans::approval_id.eq(approval_id))
        .filter(allocation_plans::district_id.eq(district_id))
        .select((allocation_plans::id, allocation_plans::effective_from, super::schema::districts::code))
        .first(tx.conn())?;
    let last: Option<i32> = allocation_plans::table
        .filter(allocation_plans::district_id.eq(district_id))
        .select(diesel::dsl::max(allocation_plans::number))
        .first(tx.conn())?;
    let number = last.unwrap_or(0) + 1;
    let now = chrono::Utc::now().naive_utc();
    diesel::update(allocation_plans::table.find(plan_id))
        .set((allocation_plans::number.eq(Some(number)), allocation_plans::adopted_at.eq(Some(now))))
        .execute(tx.conn())?;
    tx.record(
        Change::new("adopt", "allocation_plans", plan_id)
            .district(district_id)
            .after(serde_json::json!({ "number": number, "adopted_at": now })),
    );

    let lines: Vec<(i64, i32)> = allocation_plan_towns::table
        .filter(allocation_plan_towns::plan_id.eq(plan_id))
        .select((allocation_plan_towns::town_id, allocation_plan_towns::posts))
        .load(tx.conn())?;
    let town_codes: HashMap<i64, String> =
        district::town_ids_by_code(tx.conn(), district_id)?.into_iter().map(|(c, id)| (id, c)).collect();
    for (town_id, target) in lines {
        let open: Vec<(i64, String, NaiveDate)> = posts::table
            .filter(posts::town_id.eq(town_id))
            .filter(posts::abolished_on.is_null().or(posts::abolished_on.gt(effective_from)))
            .select((posts::id, posts::code, posts::established_on))
            .load(tx.conn())?;
        let target = usize::try_from(target).unwrap_or(0);
        let town_code = town_codes.get(&town_id).cloned().unwrap_or_default();
        if open.len() < target {
            let all_codes: Vec<String> =
                posts::table.filter(posts::town_id.eq(town_id)).select(posts::code).load(tx.conn())?;
            let prefix = format!("{district_code}-{town_code}-");
            let mut next = all_codes
                .iter()
                .filter_map(|c| c.strip_prefix(&prefix).and_then(|n| n.parse::<u32>().ok()))
                .max()
                .unwrap_or(0);
            for _ in open.len()..target {
                next += 1;
                let code = format!("{prefix}{next:02}");
                district::NewPost { district_id, town_id, code: &code, established_on: effective_from }
                    .insert(tx)?;
            }
        } else if open.len() > target {
            let held: HashMap<i64, (i64, i32)> = staff::table
                .filter(staff::town_id.eq(town_id))
                .filter(staff::post_id.is_not_null())
                .select((staff::post_id.assume_not_null(), (staff::id, staff::version)))
                .load::<(i64, (i64, i32))>(tx.conn())?
                .into_iter()
                .collect();
            let mut order = open.clone();
            // Vacant before occupied; within each, the newest code first.
            order.sort_by(|a, b| held.contains_key(&a.0).cmp(&held.contains_key(&b.0)).then(b.1.cmp(&a.1)));
            for (post_id, code, established_on) in order.into_iter().take(open.len() - target) {
                if let Some(&(staff_id, version)) = held.get(&post_id) {
                    standby_for_plan(
                        tx,
                        district_id,
                        staff_id,
                        version,
                        effective_from,
                        approval_id,
                        number,
                    )?;
                }
                let closed_on = effective_from.max(established_on.succ_opt().unwrap_or(established_on));
                diesel::update(posts::table.find(post_id))
                    .set(posts::abolished_on.eq(Some(closed_on)))
                    .execute(tx.conn())?;
                tx.record(
                    Change::new("abolish", "posts", post_id).district(district_id).after(
                        serde_json::json!({ "code": code, "abolished_on": closed_on, "plan": number }),
                    ),
                );
            }
        }
    }
    Ok(number)
}

fn standby_for_plan(
    tx: &mut Tx<'_>,
    district_id: i64,
    staff_id: i64,
    version: i32,
    on: NaiveDate,
    approval_id: i64,
    plan_number: i32,
) -> Result<(), DbError> {
    let n = diesel::update(staff::table.find(staff_id).filter(staff::version.eq(version)))
        .set((
            staff::post_id.eq(None::<i64>),
            staff::status.eq(StaffStatus::Standby.code()),
            staff::version.eq(version + 1),
            staff::updated_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale);
    }
    let (town_id, role_level, duties): (i64, String, String) = staff::table
        .find(staff_id)
        .select((staff::town_id, staff::role_level, staff::duties))
        .first(tx.conn())?;
    diesel::insert_into(staff_assignments::table)
        .values((
            staff_assignments::district_id.eq(district_id),
            staff_assignments::staff_id.eq(staff_id),
            staff_assignments::town_id.eq(town_id),
            staff_assignments::post_id.eq(None::<i64>),
            staff_assignments::role_level.eq(&role_level),
            staff_assignments::duties.eq(&duties),
            staff_assignments::status.eq(StaffStatus::Standby.code()),
            staff_assignments::from_date.eq(on),
            staff_assignments::cause.eq("plan"),
            staff_assignments::approval_id.eq(Some(approval_id)),
            staff_assignments::note.eq(format!("plan {plan_number}")),
        ))
        .execute(tx.conn())?;
    tx.record(
        Change::new("standby", "staff", staff_id)
            .district(district_id)
            .after(serde_json::json!({ "status": "standby", "from": on, "plan": plan_number })),
    );
    Ok(())
}

type PlanRow = (
    i64,
    Option<i32>,
    String,
    String,
    i32,
    i32,
    NaiveDate,
    NaiveDate,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    i64,
    i32,
);

fn summary_of(row: PlanRow) -> Result<PlanSummary, DbError> {
    let (
        id,
        number,
        status,
        method,
        total,
        pw,
        figures_on,
        effective_from,
        note,
        created_at,
        adopted_at,
        aid,
        av,
    ) = row;
    Ok(PlanSummary {
        id,
        number,
        status: ApprovalStatus::from_code(&status)
            .ok_or_else(|| DbError::Corrupt(format!("status {status}")))?,
        method: Method::from_code(&method).ok_or_else(|| DbError::Corrupt(format!("method {method}")))?,
        total,
        population_weight: pw,
        figures_on,
        effective_from,
        note,
        created_at,
        adopted_at,
        approval_id: aid,
        approval_version: av,
    })
}

macro_rules! plan_columns {
    () => {
        (
            allocation_plans::id,
            allocation_plans::number,
            approvals::status,
            allocation_plans::method,
            allocation_plans::total,
            allocation_plans::population_weight,
            allocation_plans::figures_on,
            allocation_plans::effective_from,
            allocation_plans::note,
            allocation_plans::created_at,
            allocation_plans::adopted_at,
            approvals::id,
            approvals::version,
        )
    };
}

/// The district's plans, newest first.
pub fn list_plans(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<PlanSummary>, DbError> {
    allocation_plans::table
        .inner_join(approvals::table.on(approvals::id.eq(allocation_plans::approval_id)))
        .filter(allocation_plans::district_id.eq(district_id))
        .order(allocation_plans::id.desc())
        .select(plan_columns!())
        .load::<PlanRow>(conn)?
        .into_iter()
        .map(summary_of)
        .collect()
}

/// One plan with its lines, in town code order.
pub fn plan_detail(
    conn: &mut AnyConnection,
    district_id: i64,
    plan_id: i64,
) -> Result<(PlanSummary, Vec<PlanLine>), DbError> {
    let row: PlanRow = allocation_plans::table
        .inner_join(approvals::table.on(approvals::id.eq(allocation_plans::approval_id)))
        .filter(allocation_plans::district_id.eq(district_id))
        .filter(allocation_plans::id.eq(plan_id))
        .select(plan_columns!())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)?;
    let lines = allocation_plan_towns::table
        .inner_join(super::schema::towns::table)
        .filter(allocation_plan_towns::plan_id.eq(plan_id))
        .order(super::schema::towns::code.asc())
        .select((
            allocation_plan_towns::town_id,
            allocation_plan_towns::population,
            allocation_plan_towns::recipients,
            allocation_plan_towns::minimum,
            allocation_plan_towns::quota_e4,
            allocation_plan_towns::adjusted_quota_e4,
            allocation_plan_towns::posts,
            allocation_plan_towns::reason,
        ))
        .load::<(i64, i64, i32, i32, i64, Option<i64>, i32, String)>(conn)?
        .into_iter()
        .map(|(town_id, population, recipients, minimum, q, aq, posts, reason)| {
            Ok(PlanLine {
                town_id,
                population,
                recipients,
                minimum,
                quota: from_e4(q),
                adjusted_quota: aq.map(from_e4),
                posts,
                reason: reason_from_code(&reason)
                    .ok_or_else(|| DbError::Corrupt(format!("reason {reason}")))?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok((summary_of(row)?, lines))
}

/// A plan's number and each town's posts in it (by town id).
pub type AdoptedPosts = (i32, HashMap<i64, i32>);

/// The latest adopted plan's number and each town's posts in it.
pub fn adopted_posts(conn: &mut AnyConnection, district_id: i64) -> Result<Option<AdoptedPosts>, DbError> {
    let latest: Option<(i64, Option<i32>)> = allocation_plans::table
        .filter(allocation_plans::district_id.eq(district_id))
        .filter(allocation_plans::number.is_not_null())
        .order(allocation_plans::number.desc())
        .select((allocation_plans::id, allocation_plans::number))
        .first(conn)
        .optional()?;
    let Some((plan_id, Some(number))) = latest else { return Ok(None) };
    let lines: HashMap<i64, i32> = allocation_plan_towns::table
        .filter(allocation_plan_towns::plan_id.eq(plan_id))
        .select((allocation_plan_towns::town_id, allocation_plan_towns::posts))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(Some((number, lines)))
}
