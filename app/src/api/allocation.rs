//! Post allocation: staffing norms, previews, plans submitted for
//! adoption and their numbered history.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::allocation::{Method, Reason, StaffingNorms};
use crate::domain::approval::ApprovalStatus;
use crate::error::AppError;

/// What finance chooses when previewing or submitting a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanParams {
    pub method: Method,
    pub total: u32,
    pub population_weight: u32,
    /// Town figures in force on this date are used.
    pub figures_on: NaiveDate,
    /// Posts follow the plan from this date once it is adopted.
    pub effective_from: NaiveDate,
}

/// A plan as the history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: i64,
    /// Set once adopted.
    pub number: Option<i32>,
    pub status: ApprovalStatus,
    pub method: Method,
    pub total: i32,
    pub population_weight: i32,
    pub figures_on: NaiveDate,
    pub effective_from: NaiveDate,
    pub note: String,
    pub created_at: chrono::NaiveDateTime,
    pub adopted_at: Option<chrono::NaiveDateTime>,
    pub approval_id: i64,
    pub approval_version: i32,
}

/// One town's line of a stored plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    pub town_id: i64,
    pub population: i64,
    pub recipients: i32,
    pub minimum: i32,
    pub quota: Decimal,
    pub adjusted_quota: Option<Decimal>,
    pub posts: i32,
    pub reason: Reason,
}

/// A town's line of a preview or stored plan, with its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTownLine {
    pub town_id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub population: u64,
    pub recipients: u64,
    pub minimum: u32,
    pub quota: Decimal,
    pub adjusted_quota: Option<Decimal>,
    pub posts: u32,
    /// Open posts today, to compare with.
    pub current_posts: u32,
    pub reason: Reason,
}

/// A preview or a stored plan with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    /// `None` for a preview.
    pub plan: Option<PlanSummary>,
    pub params: PlanParams,
    pub minimums: u32,
    pub norms: StaffingNorms,
    pub lines: Vec<PlanTownLine>,
}

/// The allocation page: norms in force, defaults for a new plan, history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationInfo {
    pub today: NaiveDate,
    pub norms: StaffingNorms,
    /// When the norms in force were recorded (`None`: the seed 003 default).
    pub norms_from: Option<NaiveDate>,
    /// Open posts in the district today (the default total).
    pub current_total: u32,
    pub plans: Vec<PlanSummary>,
    /// The viewer may submit plans and record norms (finance).
    pub may_submit: bool,
}

/// New staffing norms from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormsInput {
    pub effective_from: NaiveDate,
    pub norms: StaffingNorms,
    pub note: String,
}

#[server(prefix = "/api", endpoint = "allocation_page")]
pub async fn allocation_page() -> Result<AllocationInfo, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("allocation_page")?;
        let today = super::towns::ssr::today();
        super::with_db(move |conn| {
            let (norms, norms_from) = crate::db::allocation::norms_in_force(conn, p.district_id, today)?;
            let current_total = crate::db::district::staffing_as_of(conn, p.district_id, today)?
                .iter()
                .map(|(_, t)| t.posts)
                .sum();
            Ok(AllocationInfo {
                today,
                norms,
                norms_from,
                current_total,
                plans: crate::db::allocation::list_plans(conn, p.district_id)?,
                may_submit: p.has(crate::domain::access::Role::Finance),
            })
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Computes an allocation without storing anything.
#[server(prefix = "/api", endpoint = "preview_allocation", input = Json)]
pub async fn preview_allocation(params: PlanParams) -> Result<PlanView, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("preview_allocation")?;
        super::with_db(move |conn| ssr::preview_view(conn, p.district_id, &params)).await
    }
    .await;
    super::finish(result)
}

/// Submits a plan for adoption (maker-checker); returns the plan id.
#[server(prefix = "/api", endpoint = "submit_allocation", input = Json)]
pub async fn submit_allocation(params: PlanParams, note: String) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("submit_allocation")?;
        let note: String = note.trim().chars().take(500).collect();
        if note.is_empty() {
            return Err(AppError::ReasonRequired);
        }
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::allocation::submit_plan(tx, &p, &params, &note)
            })
            .map_err(ssr::from_plan)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// A stored plan with its lines.
#[server(prefix = "/api", endpoint = "allocation_plan")]
pub async fn allocation_plan(plan_id: i64) -> Result<PlanView, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("allocation_plan")?;
        super::with_db(move |conn| ssr::stored_view(conn, p.district_id, plan_id)).await
    }
    .await;
    super::finish(result)
}

/// Records staffing norms in force from a date (finance).
#[server(prefix = "/api", endpoint = "record_norms", input = Json)]
pub async fn record_norms(input: NormsInput) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("record_norms")?;
        input.norms.validate().map_err(AppError::Norms)?;
        let note: String = input.note.trim().chars().take(500).collect();
        if note.is_empty() {
            return Err(AppError::ReasonRequired);
        }
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::allocation::record_norms(tx, &p, input.effective_from, &input.norms, &note)
            })
            .map(|_| ())
            .map_err(|e| match e {
                crate::db::DbError::Conflict => AppError::AlreadyRecorded,
                other => super::from_db(other),
            })
        })
        .await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;

    use super::*;
    use crate::db::AnyConnection;
    use crate::db::allocation::{PlanError, plan_detail, preview};
    use crate::db::district;

    pub fn from_plan(e: PlanError) -> AppError {
        match e {
            PlanError::Allocation(p) => AppError::Allocation(p),
            PlanError::Db(d) => super::super::from_db(d),
        }
    }

    type Names = HashMap<i64, (String, String, String, u32)>;

    fn names(conn: &mut AnyConnection, district_id: i64) -> Result<Names, AppError> {
        let today = super::super::towns::ssr::today();
        Ok(district::staffing_as_of(conn, district_id, today)?
            .into_iter()
            .map(|(id, t)| (id, (t.code, t.name, t.name_en, t.posts)))
            .collect())
    }

    pub fn preview_view(
        conn: &mut AnyConnection,
        district_id: i64,
        params: &PlanParams,
    ) -> Result<PlanView, AppError> {
        let pv = preview(conn, district_id, params).map_err(from_plan)?;
        let names = names(conn, district_id)?;
        let lines = pv
            .allocation
            .units
            .iter()
            .zip(&pv.town_ids)
            .zip(&pv.units)
            .map(|((u, id), input)| {
                let (code, name, name_en, current) = names.get(id).cloned().unwrap_or_default();
                PlanTownLine {
                    town_id: *id,
                    code,
                    name,
                    name_en,
                    population: input.population,
                    recipients: input.recipients,
                    minimum: u.minimum,
                    quota: u.quota,
                    adjusted_quota: u.adjusted_quota,
                    posts: u.posts,
                    current_posts: current,
                    reason: u.reason,
                }
            })
            .collect();
        Ok(PlanView {
            plan: None,
            params: params.clone(),
            minimums: pv.allocation.minimums,
            norms: pv.norms,
            lines,
        })
    }

    pub fn stored_view(
        conn: &mut AnyConnection,
        district_id: i64,
        plan_id: i64,
    ) -> Result<PlanView, AppError> {
        let (summary, stored) = plan_detail(conn, district_id, plan_id)?;
        let norms_text: String = {
            use crate::db::schema::allocation_plans;
            use diesel::prelude::*;
            allocation_plans::table
                .find(plan_id)
                .select(allocation_plans::norms)
                .first(conn)
                .map_err(crate::db::DbError::from)?
        };
        let steps = serde_json::from_str(&norms_text).map_err(super::super::internal)?;
        let names = names(conn, district_id)?;
        let lines: Vec<PlanTownLine> = stored
            .into_iter()
            .map(|l| {
                let (code, name, name_en, current) = names.get(&l.town_id).cloned().unwrap_or_default();
                PlanTownLine {
                    town_id: l.town_id,
                    code,
                    name,
                    name_en,
                    population: u64::try_from(l.population).unwrap_or(0),
                    recipients: u64::try_from(l.recipients).unwrap_or(0),
                    minimum: u32::try_from(l.minimum).unwrap_or(0),
                    quota: l.quota,
                    adjusted_quota: l.adjusted_quota,
                    posts: u32::try_from(l.posts).unwrap_or(0),
                    current_posts: current,
                    reason: l.reason,
                }
            })
            .collect();
        Ok(PlanView {
            params: PlanParams {
                method: summary.method,
                total: u32::try_from(summary.total).unwrap_or(0),
                population_weight: u32::try_from(summary.population_weight).unwrap_or(0),
                figures_on: summary.figures_on,
                effective_from: summary.effective_from,
            },
            minimums: lines.iter().map(|l| l.minimum).sum(),
            norms: StaffingNorms { steps },
            plan: Some(summary),
            lines,
        })
    }
}
