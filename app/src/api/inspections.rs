//! Spot inspections: plans and their draw (finance), the inspectors' forms
//! (submitted through `/files/inspections/{id}/form`, with photos),
//! findings, rectification notices and their follow-up, and the published
//! results. Bureau staff read everything; a town its town's submitted
//! inspections and notices; providers nothing.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::domain::inspection::{
    Answer, ChecklistItem, FindingKind, FindingStatus, InspectionStatus, Person, RectStatus, Severity,
    TownFacts,
};
use crate::error::AppError;

/// A plan as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: i64,
    pub title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: String,
    pub ratio_bp: i32,
    pub minimum_towns: i32,
    pub inspections: i64,
    pub submitted: i64,
}

/// An inspector of a plan's pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolEntry {
    pub user_id: i64,
    pub name: String,
    pub conflict_towns: Vec<i64>,
    pub conflict_note: String,
}

/// The recorded draw of a plan: everything needed to re-run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    pub algorithm: String,
    pub seed: String,
    /// The canonical JSON of [`DrawInput`].
    pub input: String,
    pub input_sha256: String,
    pub drawn_at: NaiveDateTime,
    pub drawn_by: String,
}

/// A plan with its pool, draw and inspections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDetail {
    pub summary: PlanSummary,
    pub checklist: Vec<ChecklistItem>,
    pub staff_per_town: i32,
    pub inspectors_per_town: i32,
    pub rectification_days: i32,
    pub pool: Vec<PoolEntry>,
    pub draw: Option<DrawRecord>,
    pub inspections: Vec<InspectionSummary>,
}

/// An inspection as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionSummary {
    pub id: i64,
    pub plan_id: i64,
    pub plan_title: String,
    pub town_id: i64,
    pub town_code: String,
    pub draw_order: i32,
    pub status: String,
    pub inspectors: Vec<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub findings: i64,
    pub rectification: Option<String>,
}

/// A photo as the form lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoInfo {
    pub id: i64,
    pub item_key: String,
    pub display_name: String,
}

/// A finding as the inspection page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    pub id: i64,
    pub inspection_id: i64,
    pub town_id: i64,
    pub kind: FindingKind,
    pub severity: Severity,
    pub description: String,
    pub origin: String,
    pub status: FindingStatus,
    pub dismiss_reason: String,
    pub rectification_id: Option<i64>,
}

/// A step of a rectification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectStep {
    pub action: String,
    pub body: String,
    pub by: String,
    pub at: NaiveDateTime,
    pub evidence: Vec<(i64, String)>,
}

/// A rectification with its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectView {
    pub id: i64,
    pub inspection_id: i64,
    pub town_id: i64,
    pub notice_no: String,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status: RectStatus,
    pub overdue: bool,
    pub steps: Vec<RectStep>,
    /// Evidence attached for the next response.
    pub pending_evidence: Vec<(i64, String)>,
}

/// An inspection with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionDetail {
    pub id: i64,
    pub plan_id: i64,
    pub plan_title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub town_id: i64,
    pub town_code: String,
    pub status: InspectionStatus,
    pub checklist: Vec<ChecklistItem>,
    pub inspectors: Vec<String>,
    /// Drawn to be interviewed.
    pub interview: Vec<Person>,
    /// Live before submission, frozen at it.
    pub facts: TownFacts,
    pub arrived_at: Option<NaiveDateTime>,
    pub left_at: Option<NaiveDateTime>,
    pub headcount: Option<i32>,
    pub absent: Vec<i64>,
    pub other_duties: Vec<i64>,
    pub answers: BTreeMap<String, Answer>,
    pub remarks: String,
    pub photos: Vec<PhotoInfo>,
    pub submitted_at: Option<NaiveDateTime>,
    pub findings: Vec<FindingView>,
    pub rectification: Option<RectView>,
    pub version: i32,
    /// The district's wall clock when read (the form's default arrival).
    pub now: NaiveDateTime,
    /// What the viewer may do now.
    pub may_edit: bool,
    pub may_decide: bool,
    pub may_respond: bool,
    pub may_verify: bool,
}

/// The inspector's form as submitted from the phone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FormInput {
    pub version: i32,
    pub arrived_at: Option<NaiveDateTime>,
    pub left_at: Option<NaiveDateTime>,
    /// As typed; checked here.
    pub headcount: String,
    pub absent: Vec<i64>,
    pub other_duties: Vec<i64>,
    /// Checklist key → typed answer.
    pub answers: BTreeMap<String, String>,
    pub remarks: String,
}

/// A rectification as the dashboard and lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectSummary {
    pub id: i64,
    pub inspection_id: i64,
    pub town_id: i64,
    pub town_code: String,
    pub notice_no: String,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status: RectStatus,
    pub overdue: bool,
}

/// One line of the published results (一公开): no personal data — no
/// names, no descriptions, no identity numbers; the kinds of findings and
/// where rectification stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedResult {
    pub plan_title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub town_code: String,
    pub town_name: String,
    pub inspected_on: Option<NaiveDate>,
    pub inspectors: usize,
    pub findings: usize,
    /// (kind, severity) of each confirmed finding.
    pub kinds: Vec<(FindingKind, Severity)>,
    pub rectification: Option<RectStatus>,
    pub deadline: Option<NaiveDate>,
    pub overdue: bool,
}

/// The inspections overview: what the viewer may see and do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Plans (bureau staff; empty for towns).
    pub plans: Vec<PlanSummary>,
    /// Inspections visible (an inspector's own first).
    pub inspections: Vec<InspectionSummary>,
    /// Rectifications visible, the overdue first.
    pub rectifications: Vec<RectSummary>,
    /// The viewer may make and draw plans (finance).
    pub may_plan: bool,
    /// Inspectors who may be put in a pool: (user id, name).
    pub inspectors: Vec<(i64, String)>,
    /// Towns: (id, code, name, English name).
    pub towns: Vec<(i64, String, String, String)>,
}

/// A plan as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanForm {
    pub title: String,
    pub period_from: String,
    pub period_to: String,
    /// Percent of towns, as typed ("5", "10.5").
    pub ratio_percent: String,
    pub minimum_towns: u32,
    pub staff_per_town: u32,
    pub inspectors_per_town: u32,
    pub rectification_days: u32,
    /// The checklist (the default one unless edited).
    pub checklist: Vec<ChecklistItem>,
    /// (inspector, conflicting town ids, note).
    pub pool: Vec<(i64, Vec<i64>, String)>,
}

/// Town names for a page: id → (code, name, English name).
pub type TownNames = Vec<(i64, String, String, String)>;

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::db::AnyConnection;
    use crate::db::inspections::InspectionError;

    pub fn from_inspection(e: InspectionError) -> AppError {
        match e {
            InspectionError::Refused(f) => AppError::Inspection(f),
            InspectionError::OutOfScope => AppError::Forbidden,
            InspectionError::Db(d) => crate::api::from_db(d),
        }
    }

    pub fn towns(conn: &mut AnyConnection, district_id: i64) -> Result<TownNames, AppError> {
        use crate::db::schema::towns;
        use diesel::prelude::*;
        towns::table
            .filter(towns::district_id.eq(district_id))
            .order(towns::code)
            .select((towns::id, towns::code, towns::name, towns::name_en))
            .load(conn)
            .map_err(|e| crate::api::from_db(e.into()))
    }

    /// Parses a date typed as YYYY-MM-DD.
    pub fn date(text: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
    }

    /// Percent as typed → basis points ("5" → 500, "12.5" → 1250).
    pub fn basis_points(text: &str) -> Option<u32> {
        let d: rust_decimal::Decimal = text.trim().parse().ok()?;
        let bp = d.checked_mul(rust_decimal::Decimal::from(100))?;
        if bp.fract() != rust_decimal::Decimal::ZERO || bp < rust_decimal::Decimal::ZERO {
            return None;
        }
        u32::try_from(bp.mantissa() / 10i128.pow(bp.scale())).ok()
    }
}

/// The overview for the inspections page.
#[server(prefix = "/api", endpoint = "inspections_overview")]
pub async fn inspections_overview() -> Result<Overview, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("inspections_overview")?;
        super::with_db(move |conn| {
            use crate::db::inspections as db;
            let bureau = p.sees_whole_district();
            let plans = if bureau { db::plans(conn, &p).map_err(ssr::from_inspection)? } else { Vec::new() };
            let may_plan = p.has(crate::domain::access::Role::Finance);
            Ok(Overview {
                plans,
                inspections: db::inspection_list(conn, &p, None).map_err(ssr::from_inspection)?,
                rectifications: db::rectification_list(conn, &p).map_err(ssr::from_inspection)?,
                may_plan,
                inspectors: if may_plan {
                    db::inspectors(conn, &p).map_err(ssr::from_inspection)?
                } else {
                    Vec::new()
                },
                towns: ssr::towns(conn, p.district_id)?,
            })
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Creates a plan (finance).
#[server(prefix = "/api", endpoint = "create_inspection_plan", input = Json)]
pub async fn create_inspection_plan(form: PlanForm) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("create_inspection_plan")?;
        let actor = crate::auth::actor(Some(&p));
        use crate::domain::inspection::{InspectionFault, PlanField, PlanInput, PlanProblem, PoolMember};
        let field =
            |f: PlanField, pr: PlanProblem| AppError::Inspection(InspectionFault::Plan(vec![(f, pr)]));
        let (Some(period_from), Some(period_to)) = (ssr::date(&form.period_from), ssr::date(&form.period_to))
        else {
            return Err(field(PlanField::Period, PlanProblem::Required));
        };
        let ratio_bp =
            ssr::basis_points(&form.ratio_percent).ok_or(field(PlanField::Ratio, PlanProblem::OutOfRange))?;
        let input = PlanInput {
            title: form.title,
            period_from,
            period_to,
            checklist: form.checklist,
            ratio_bp,
            minimum_towns: form.minimum_towns,
            staff_per_town: form.staff_per_town,
            inspectors_per_town: form.inspectors_per_town,
            rectification_days: form.rectification_days,
            pool: form
                .pool
                .into_iter()
                .map(|(user_id, conflict_towns, conflict_note)| PoolMember {
                    user_id,
                    conflict_towns,
                    conflict_note,
                })
                .collect(),
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::inspections::create_plan(tx, &p, &input))
                .map_err(ssr::from_inspection)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// One plan with its pool, draw and inspections (bureau staff).
#[server(prefix = "/api", endpoint = "inspection_plan")]
pub async fn inspection_plan(id: i64) -> Result<(PlanDetail, TownNames), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("inspection_plan")?;
        super::with_db(move |conn| {
            let plan = crate::db::inspections::plan(conn, &p, id).map_err(ssr::from_inspection)?;
            Ok((plan, ssr::towns(conn, p.district_id)?))
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Draws a plan (finance), once, with a seed from the operating system.
#[server(prefix = "/api", endpoint = "draw_inspection_plan")]
pub async fn draw_inspection_plan(id: i64) -> Result<usize, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("draw_inspection_plan")?;
        let actor = crate::auth::actor(Some(&p));
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(super::internal)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::inspections::draw_plan(tx, &p, id, &seed))
                .map(|drawn| drawn.len())
                .map_err(ssr::from_inspection)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// One inspection with its form, findings and rectification.
#[server(prefix = "/api", endpoint = "inspection_page")]
pub async fn inspection_page(id: i64) -> Result<(InspectionDetail, TownNames), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("inspection_page")?;
        super::with_db(move |conn| {
            let detail = crate::db::inspections::inspection(conn, &p, id).map_err(ssr::from_inspection)?;
            Ok((detail, ssr::towns(conn, p.district_id)?))
        })
        .await
    }
    .await;
    super::finish(result)
}

/// An inspector's own finding on a submitted inspection.
#[server(prefix = "/api", endpoint = "add_inspection_finding")]
pub async fn add_inspection_finding(
    inspection_id: i64,
    kind: String,
    severity: String,
    description: String,
) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("add_inspection_finding")?;
        let actor = crate::auth::actor(Some(&p));
        let kind = FindingKind::from_code(&kind).ok_or(AppError::NotFound)?;
        let severity = Severity::from_code(&severity).ok_or(AppError::NotFound)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::inspections::add_finding(tx, &p, inspection_id, kind, severity, &description)
            })
            .map_err(ssr::from_inspection)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Confirms or dismisses a proposed finding.
#[server(prefix = "/api", endpoint = "decide_inspection_finding")]
pub async fn decide_inspection_finding(
    id: i64,
    confirm: bool,
    severity: String,
    reason: String,
) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("decide_inspection_finding")?;
        let actor = crate::auth::actor(Some(&p));
        let severity = Severity::from_code(&severity).ok_or(AppError::NotFound)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::inspections::decide_finding(tx, &p, id, confirm, severity, &reason)
            })
            .map_err(ssr::from_inspection)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Issues the rectification notice of an inspection (its inspectors);
/// `deadline` empty: the plan's days from today.
#[server(prefix = "/api", endpoint = "issue_rectification_notice")]
pub async fn issue_rectification_notice(inspection_id: i64, deadline: String) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("issue_rectification_notice")?;
        let actor = crate::auth::actor(Some(&p));
        let deadline = match deadline.trim() {
            "" => None,
            t => Some(ssr::date(t).ok_or(AppError::Inspection(
                crate::domain::inspection::InspectionFault::Rectification(
                    crate::domain::inspection::RectProblem::Deadline,
                ),
            ))?),
        };
        let today = crate::db::inspections::today();
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::inspections::issue_notice(
                    tx,
                    &p,
                    inspection_id,
                    today,
                    deadline,
                    chrono::Utc::now().naive_utc(),
                )
            })
            .map_err(ssr::from_inspection)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// A step of a rectification: `respond` (the town), `return` or `close`
/// (its inspectors).
#[server(prefix = "/api", endpoint = "rectification_step")]
pub async fn rectification_step(id: i64, action: String, body: String) -> Result<RectStatus, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("rectification_step")?;
        let actor = crate::auth::actor(Some(&p));
        use crate::domain::inspection::RectAction;
        let action = match action.as_str() {
            "respond" => RectAction::Respond,
            "return" => RectAction::Return,
            "close" => RectAction::Close,
            _ => return Err(AppError::NotFound),
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::inspections::rectify(tx, &p, id, action, &body, chrono::Utc::now().naive_utc())
            })
            .map_err(ssr::from_inspection)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// The published results (一公开): no personal data.
#[server(prefix = "/api", endpoint = "inspection_results")]
pub async fn inspection_results() -> Result<Vec<PublishedResult>, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("inspection_results")?;
        super::with_db(move |conn| {
            crate::db::inspections::published(conn, p.district_id).map_err(AppError::from)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Rectifications not closed, the overdue first, for the dashboard.
#[server(prefix = "/api", endpoint = "rectification_alerts")]
pub async fn rectification_alerts() -> Result<(Vec<RectSummary>, TownNames), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("rectification_alerts")?;
        super::with_db(move |conn| {
            let list = crate::db::inspections::rectification_list(conn, &p)
                .map_err(ssr::from_inspection)?
                .into_iter()
                .filter(|r| r.status != RectStatus::Closed)
                .collect();
            Ok((list, ssr::towns(conn, p.district_id)?))
        })
        .await
    }
    .await;
    super::finish(result)
}
