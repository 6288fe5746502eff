//! Spot inspections: plans and their recorded draw, the inspection forms,
//! findings (proposed by reconciliation or entered by inspectors) and
//! rectification from notice to closure. Rules are in
//! [`crate::domain::inspection`] and [`crate::domain::draw`].
//!
//! **Who sees what.** Bureau staff (finance, approvers, inspectors,
//! auditors, the administrator) see every plan and inspection of their
//! district. A town user sees its town's inspections once submitted (visits
//! are not announced), the findings put in a notice, and the notice. Service
//! providers see nothing here.
//!
//! **Who writes.** Finance makes plans and draws them: the organiser, who
//! is not in the pool, so nobody picks their own targets. Only the
//! inspectors drawn for an inspection fill its form, decide its findings,
//! issue its notice and verify the response. The town responds.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::{
    findings, inspection_inspectors, inspection_photos, inspection_plans, inspection_staff, inspections,
    payroll_lines, payroll_runs, plan_inspectors, posts, rectification_events, rectification_evidence,
    rectifications, staff, staff_assignments, towns, user_roles, users,
};
use super::write::{Change, Tx, lock_row as lock};
use super::{AnyConnection, DbError};
pub use crate::api::inspections::{
    DrawRecord, FindingView, FormInput, InspectionDetail, InspectionSummary, PhotoInfo, PlanDetail,
    PlanSummary, PoolEntry, PublishedResult, RectStep, RectSummary, RectView,
};
use crate::domain::access::{Principal, Role};
use crate::domain::draw::{self, CandidateTown, DrawInput, DrawnTown, Seed};
use crate::domain::inspection::{
    Answer, AnswerProblem, ChecklistItem, DrawProblem, FindingKind, FindingProblem, FindingStatus,
    InspectionFault, InspectionStatus, ItemKind, Observation, Person, PlanInput, PlanProblem, PostFact,
    RectAction, RectActor, RectProblem, RectStatus, Severity, TownFacts, check_plan, is_overdue,
    missing_for_submit, parse_answer, reconcile, step, vacant_since,
};

/// Why an inspections write is refused.
#[derive(Debug, thiserror::Error)]
pub enum InspectionError {
    #[error("refused: {0:?}")]
    Refused(InspectionFault),
    #[error("out of scope")]
    OutOfScope,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for InspectionError {
    fn from(e: diesel::result::Error) -> Self {
        InspectionError::Db(e.into())
    }
}

fn refused(f: InspectionFault) -> InspectionError {
    InspectionError::Refused(f)
}

fn finding_refused(p: FindingProblem) -> InspectionError {
    refused(InspectionFault::Finding(p))
}

fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(format!("inspections: {what}"))
}

fn ids_text(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn ids_of(text: &str) -> Vec<i64> {
    text.split(',').filter_map(|s| s.trim().parse().ok()).collect()
}

/// Today on the district's calendar.
pub use super::budget::today;

// --- Plans -----------------------------------------------------------------

#[derive(Queryable, Selectable)]
#[diesel(table_name = inspection_plans)]
struct PlanRow {
    id: i64,
    district_id: i64,
    title: String,
    period_from: NaiveDate,
    period_to: NaiveDate,
    checklist: String,
    ratio_bp: i32,
    minimum_towns: i32,
    staff_per_town: i32,
    inspectors_per_town: i32,
    rectification_days: i32,
    status: String,
    algorithm: Option<String>,
    seed: Option<String>,
    draw_input: Option<String>,
    draw_sha256: Option<String>,
    drawn_at: Option<NaiveDateTime>,
    drawn_by: Option<i64>,
}

fn bureau(who: &Principal) -> Result<(), InspectionError> {
    if who.sees_whole_district() { Ok(()) } else { Err(InspectionError::OutOfScope) }
}

fn load_plan(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<PlanRow, InspectionError> {
    inspection_plans::table
        .filter(inspection_plans::district_id.eq(district_id))
        .filter(inspection_plans::id.eq(id))
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(InspectionError::Db(DbError::NotFound))
}

fn checklist_of(row: &PlanRow) -> Result<Vec<ChecklistItem>, DbError> {
    serde_json::from_str(&row.checklist).map_err(|_| corrupt("checklist"))
}

fn user_names(conn: &mut AnyConnection, ids: &[i64]) -> Result<HashMap<i64, String>, DbError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// The inspectors of the district (enabled, holding the inspector role):
/// who may be put in a pool.
pub fn inspectors(conn: &mut AnyConnection, who: &Principal) -> Result<Vec<(i64, String)>, InspectionError> {
    bureau(who)?;
    Ok(users::table
        .inner_join(user_roles::table)
        .filter(users::district_id.eq(who.district_id))
        .filter(users::disabled_at.is_null())
        .filter(user_roles::role.eq(Role::Inspector.code()))
        .order(users::id)
        .select((users::id, users::display_name))
        .load(conn)?)
}

/// Every plan of the district, newest first (bureau staff).
pub fn plans(conn: &mut AnyConnection, who: &Principal) -> Result<Vec<PlanSummary>, InspectionError> {
    bureau(who)?;
    let rows: Vec<PlanRow> = inspection_plans::table
        .filter(inspection_plans::district_id.eq(who.district_id))
        .order(inspection_plans::id.desc())
        .select(PlanRow::as_select())
        .load(conn)?;
    let counts: Vec<(i64, String)> = inspections::table
        .filter(inspections::district_id.eq(who.district_id))
        .select((inspections::plan_id, inspections::status))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| summary(&r, &counts)).collect())
}

fn summary(r: &PlanRow, counts: &[(i64, String)]) -> PlanSummary {
    let mine = counts.iter().filter(|(p, _)| *p == r.id);
    PlanSummary {
        id: r.id,
        title: r.title.clone(),
        period_from: r.period_from,
        period_to: r.period_to,
        status: r.status.clone(),
        ratio_bp: r.ratio_bp,
        minimum_towns: r.minimum_towns,
        inspections: mine.clone().count() as i64,
        submitted: mine.filter(|(_, s)| s == InspectionStatus::Submitted.code()).count() as i64,
    }
}

/// One plan with its pool, draw and inspections (bureau staff).
pub fn plan(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<PlanDetail, InspectionError> {
    bureau(who)?;
    let r = load_plan(conn, who.district_id, id)?;
    let counts: Vec<(i64, String)> = inspections::table
        .filter(inspections::plan_id.eq(id))
        .select((inspections::plan_id, inspections::status))
        .load(conn)?;
    let pool_rows: Vec<(i64, String, String)> = plan_inspectors::table
        .filter(plan_inspectors::plan_id.eq(id))
        .order(plan_inspectors::user_id)
        .select((plan_inspectors::user_id, plan_inspectors::conflict_towns, plan_inspectors::conflict_note))
        .load(conn)?;
    let mut ids: Vec<i64> = pool_rows.iter().map(|p| p.0).collect();
    ids.extend(r.drawn_by);
    let names = user_names(conn, &ids)?;
    let pool = pool_rows
        .into_iter()
        .map(|(user_id, conflicts, note)| PoolEntry {
            user_id,
            name: names.get(&user_id).cloned().unwrap_or_default(),
            conflict_towns: ids_of(&conflicts),
            conflict_note: note,
        })
        .collect();
    let draw = match (&r.algorithm, &r.seed, &r.draw_input, &r.draw_sha256, r.drawn_at) {
        (Some(a), Some(s), Some(i), Some(h), Some(at)) => Some(DrawRecord {
            algorithm: a.clone(),
            seed: s.clone(),
            input: i.clone(),
            input_sha256: h.clone(),
            drawn_at: at,
            drawn_by: r.drawn_by.and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
        }),
        _ => None,
    };
    let list = inspection_list(conn, who, Some(id))?;
    Ok(PlanDetail {
        summary: summary(&r, &counts),
        checklist: checklist_of(&r)?,
        staff_per_town: r.staff_per_town,
        inspectors_per_town: r.inspectors_per_town,
        rectification_days: r.rectification_days,
        pool,
        draw,
        inspections: list,
    })
}

/// Creates a plan (finance). The pool must be inspectors of the district.
pub fn create_plan(tx: &mut Tx<'_>, who: &Principal, p: &PlanInput) -> Result<i64, InspectionError> {
    if !who.has(Role::Finance) {
        return Err(InspectionError::OutOfScope);
    }
    check_plan(p).map_err(|e| refused(InspectionFault::Plan(e)))?;
    let known: HashSet<i64> = inspectors(tx.conn(), who)?.into_iter().map(|(id, _)| id).collect();
    let mut seen = HashSet::new();
    for m in &p.pool {
        // The organiser does not inspect their own plan.
        if m.user_id == who.user_id {
            return Err(refused(InspectionFault::Plan(vec![(
                crate::domain::inspection::PlanField::Pool,
                PlanProblem::OrganiserInPool,
            )])));
        }
        if !known.contains(&m.user_id) || !seen.insert(m.user_id) {
            return Err(refused(InspectionFault::Plan(vec![(
                crate::domain::inspection::PlanField::Pool,
                PlanProblem::NotInspector(m.user_id),
            )])));
        }
    }
    let town_ids: HashSet<i64> = towns::table
        .filter(towns::district_id.eq(who.district_id))
        .select(towns::id)
        .load::<i64>(tx.conn())?
        .into_iter()
        .collect();
    let checklist = serde_json::to_string(&p.checklist).map_err(|_| corrupt("checklist"))?;
    let id: i64 = diesel::insert_into(inspection_plans::table)
        .values((
            inspection_plans::district_id.eq(who.district_id),
            inspection_plans::title.eq(p.title.trim()),
            inspection_plans::period_from.eq(p.period_from),
            inspection_plans::period_to.eq(p.period_to),
            inspection_plans::checklist.eq(&checklist),
            inspection_plans::ratio_bp.eq(p.ratio_bp as i32),
            inspection_plans::minimum_towns.eq(p.minimum_towns as i32),
            inspection_plans::staff_per_town.eq(p.staff_per_town as i32),
            inspection_plans::inspectors_per_town.eq(p.inspectors_per_town as i32),
            inspection_plans::rectification_days.eq(p.rectification_days as i32),
            inspection_plans::status.eq("draft"),
            inspection_plans::created_by.eq(who.user_id),
        ))
        .returning(inspection_plans::id)
        .get_result(tx.conn())?;
    for m in &p.pool {
        let mut conflicts: Vec<i64> =
            m.conflict_towns.iter().copied().filter(|t| town_ids.contains(t)).collect();
        conflicts.sort_unstable();
        conflicts.dedup();
        diesel::insert_into(plan_inspectors::table)
            .values((
                plan_inspectors::plan_id.eq(id),
                plan_inspectors::user_id.eq(m.user_id),
                plan_inspectors::conflict_towns.eq(ids_text(&conflicts)),
                plan_inspectors::conflict_note.eq(m.conflict_note.trim()),
            ))
            .execute(tx.conn())?;
    }
    tx.record(Change::new("create", "inspection_plan", id).district(who.district_id).after(p));
    Ok(id)
}

/// The input of a plan's draw as the database has it now: towns by code
/// with their on-duty staff, the pool with its conflicts.
fn draw_input(conn: &mut AnyConnection, r: &PlanRow) -> Result<DrawInput, DbError> {
    let mut town_rows: Vec<(i64, String)> = towns::table
        .filter(towns::district_id.eq(r.district_id))
        .select((towns::id, towns::code))
        .load(conn)?;
    town_rows.sort_by(|a, b| a.1.cmp(&b.1));
    let mut on_duty: HashMap<i64, Vec<i64>> = HashMap::new();
    for (town, id) in staff::table
        .filter(staff::district_id.eq(r.district_id))
        .filter(staff::status.eq("on_duty"))
        .select((staff::town_id, staff::id))
        .load::<(i64, i64)>(conn)?
    {
        on_duty.entry(town).or_default().push(id);
    }
    // Only those still enabled inspectors of the district are drawn.
    let current: Vec<i64> = users::table
        .inner_join(user_roles::table)
        .filter(users::district_id.eq(r.district_id))
        .filter(users::disabled_at.is_null())
        .filter(user_roles::role.eq(Role::Inspector.code()))
        .select(users::id)
        .load(conn)?;
    let pool = plan_inspectors::table
        .filter(plan_inspectors::plan_id.eq(r.id))
        .filter(plan_inspectors::user_id.eq_any(&current))
        .order(plan_inspectors::user_id)
        .select((plan_inspectors::user_id, plan_inspectors::conflict_towns, plan_inspectors::conflict_note))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(user_id, c, note)| crate::domain::inspection::PoolMember {
            user_id,
            conflict_towns: ids_of(&c),
            conflict_note: note,
        })
        .collect();
    Ok(DrawInput {
        towns: town_rows
            .into_iter()
            .map(|(town_id, code)| {
                let mut staff = on_duty.remove(&town_id).unwrap_or_default();
                staff.sort_unstable();
                CandidateTown { town_id, code, staff }
            })
            .collect(),
        pool,
        ratio_bp: r.ratio_bp as u32,
        minimum_towns: r.minimum_towns as u32,
        staff_per_town: r.staff_per_town as u32,
        inspectors_per_town: r.inspectors_per_town as u32,
    })
}

/// Draws a plan (finance) with `seed` (from the OS; fixed only in the
/// demo). Once: the seed, the input and the result are recorded and
/// audited, and the database refuses to change them.
pub fn draw_plan(
    tx: &mut Tx<'_>,
    who: &Principal,
    plan_id: i64,
    seed: &Seed,
) -> Result<Vec<DrawnTown>, InspectionError> {
    if !who.has(Role::Finance) {
        return Err(InspectionError::OutOfScope);
    }
    let r = load_plan(tx.conn(), who.district_id, plan_id)?;
    if r.seed.is_some() {
        return Err(refused(InspectionFault::Draw(DrawProblem::AlreadyDrawn)));
    }
    let input = draw_input(tx.conn(), &r)?;
    let drawn = draw::draw_plan(seed, &input).map_err(|p| refused(InspectionFault::Draw(p)))?;
    let canonical = serde_json::to_string(&input).map_err(|_| corrupt("draw input"))?;
    let sha = format!("{:x}", Sha256::digest(canonical.as_bytes()));
    let seed_hex = draw::seed_hex(seed);
    let now = chrono::Utc::now().naive_utc();
    let changed = diesel::update(
        inspection_plans::table
            .filter(inspection_plans::id.eq(plan_id))
            .filter(inspection_plans::seed.is_null()),
    )
    .set((
        inspection_plans::status.eq("drawn"),
        inspection_plans::algorithm.eq(draw::ALGORITHM),
        inspection_plans::seed.eq(&seed_hex),
        inspection_plans::draw_input.eq(&canonical),
        inspection_plans::draw_sha256.eq(&sha),
        inspection_plans::drawn_at.eq(now),
        inspection_plans::drawn_by.eq(who.user_id),
        inspection_plans::version.eq(inspection_plans::version + 1),
    ))
    .execute(tx.conn())?;
    if changed != 1 {
        return Err(refused(InspectionFault::Draw(DrawProblem::AlreadyDrawn)));
    }
    for (order, t) in drawn.iter().enumerate() {
        let id: i64 = diesel::insert_into(inspections::table)
            .values((
                inspections::district_id.eq(who.district_id),
                inspections::plan_id.eq(plan_id),
                inspections::town_id.eq(t.town_id),
                inspections::draw_order.eq(order as i32 + 1),
                inspections::status.eq(InspectionStatus::Assigned.code()),
            ))
            .returning(inspections::id)
            .get_result(tx.conn())?;
        for u in &t.inspectors {
            diesel::insert_into(inspection_inspectors::table)
                .values((inspection_inspectors::inspection_id.eq(id), inspection_inspectors::user_id.eq(*u)))
                .execute(tx.conn())?;
        }
        for s in &t.staff {
            diesel::insert_into(inspection_staff::table)
                .values((inspection_staff::inspection_id.eq(id), inspection_staff::staff_id.eq(*s)))
                .execute(tx.conn())?;
        }
    }
    tx.record(Change::new("draw", "inspection_plan", plan_id).district(who.district_id).after(
        serde_json::json!({
            "algorithm": draw::ALGORITHM,
            "seed": seed_hex,
            "input_sha256": sha,
            "drawn": drawn,
        }),
    ));
    Ok(drawn)
}

// --- Inspections -----------------------------------------------------------

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = inspections)]
struct InspectionRow {
    id: i64,
    district_id: i64,
    plan_id: i64,
    town_id: i64,
    status: String,
    arrived_at: Option<NaiveDateTime>,
    left_at: Option<NaiveDateTime>,
    headcount: Option<i32>,
    absent: String,
    other_duties: String,
    answers: String,
    remarks: String,
    facts: Option<String>,
    submitted_at: Option<NaiveDateTime>,
    version: i32,
}

/// May `who` see inspection `row`? Bureau staff: all; a town user: their
/// town's, once submitted.
fn may_see(who: &Principal, row: &InspectionRow) -> bool {
    row.district_id == who.district_id
        && (who.sees_whole_district()
            || (who.has(Role::Town)
                && who.town_id == Some(row.town_id)
                && row.status == InspectionStatus::Submitted.code()))
}

fn load_inspection(
    conn: &mut AnyConnection,
    who: &Principal,
    id: i64,
) -> Result<InspectionRow, InspectionError> {
    let row = inspections::table
        .filter(inspections::id.eq(id))
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(InspectionError::Db(DbError::NotFound))?;
    if may_see(who, &row) { Ok(row) } else { Err(InspectionError::Db(DbError::NotFound)) }
}

fn assigned(conn: &mut AnyConnection, who: &Principal, inspection_id: i64) -> Result<bool, DbError> {
    if !who.has(Role::Inspector) {
        return Ok(false);
    }
    Ok(inspection_inspectors::table
        .filter(inspection_inspectors::inspection_id.eq(inspection_id))
        .filter(inspection_inspectors::user_id.eq(who.user_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// (id, plan, plan title, town, town code, draw order, status, submitted).
type ListedRow = (i64, i64, String, i64, String, i32, String, Option<NaiveDateTime>);

/// Inspections visible to `who`, of one plan or all; an inspector's own
/// first, then by plan and draw order.
pub fn inspection_list(
    conn: &mut AnyConnection,
    who: &Principal,
    plan_id: Option<i64>,
) -> Result<Vec<InspectionSummary>, InspectionError> {
    let mut q = inspections::table
        .inner_join(inspection_plans::table)
        .inner_join(towns::table.on(towns::id.eq(inspections::town_id)))
        .filter(inspections::district_id.eq(who.district_id))
        .into_boxed();
    if let Some(p) = plan_id {
        q = q.filter(inspections::plan_id.eq(p));
    }
    if !who.sees_whole_district() {
        let Some(town) = who.town_id.filter(|_| who.has(Role::Town)) else {
            return Err(InspectionError::OutOfScope);
        };
        q = q
            .filter(inspections::town_id.eq(town))
            .filter(inspections::status.eq(InspectionStatus::Submitted.code()));
    }
    let rows: Vec<ListedRow> = q
        .order((inspections::plan_id.desc(), inspections::draw_order))
        .select((
            inspections::id,
            inspections::plan_id,
            inspection_plans::title,
            inspections::town_id,
            towns::code,
            inspections::draw_order,
            inspections::status,
            inspections::submitted_at,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut by_inspection: HashMap<i64, Vec<i64>> = HashMap::new();
    for (i, u) in inspection_inspectors::table
        .filter(inspection_inspectors::inspection_id.eq_any(&ids))
        .order(inspection_inspectors::user_id)
        .select((inspection_inspectors::inspection_id, inspection_inspectors::user_id))
        .load::<(i64, i64)>(conn)?
    {
        by_inspection.entry(i).or_default().push(u);
    }
    let all_users: Vec<i64> = by_inspection.values().flatten().copied().collect();
    let names = user_names(conn, &all_users)?;
    let mut finding_counts: HashMap<i64, i64> = HashMap::new();
    let mut counted = findings::table
        .filter(findings::inspection_id.eq_any(&ids))
        .filter(findings::status.ne(FindingStatus::Dismissed.code()))
        .into_boxed();
    if !who.sees_whole_district() {
        // A town counts what its notice holds.
        counted = counted.filter(findings::rectification_id.is_not_null());
    }
    for i in counted.select(findings::inspection_id).load::<i64>(conn)? {
        *finding_counts.entry(i).or_default() += 1;
    }
    let rects: HashMap<i64, (String, NaiveDate)> = rectifications::table
        .filter(rectifications::inspection_id.eq_any(&ids))
        .select((rectifications::inspection_id, rectifications::status, rectifications::deadline))
        .load::<(i64, String, NaiveDate)>(conn)?
        .into_iter()
        .map(|(i, s, d)| (i, (s, d)))
        .collect();
    let day = today();
    let mut out: Vec<InspectionSummary> = rows
        .into_iter()
        .map(|(id, plan_id, plan_title, town_id, town_code, draw_order, status, submitted_at)| {
            let inspectors = by_inspection.get(&id).cloned().unwrap_or_default();
            InspectionSummary {
                id,
                plan_id,
                plan_title,
                town_id,
                town_code,
                draw_order,
                status,
                inspectors: inspectors.iter().map(|u| names.get(u).cloned().unwrap_or_default()).collect(),
                submitted_at,
                findings: finding_counts.get(&id).copied().unwrap_or(0),
                rectification: rects.get(&id).map(|(s, d)| rect_label(s, *d, day)),
            }
        })
        .collect();
    if who.has(Role::Inspector) {
        let mine: HashSet<i64> =
            by_inspection.iter().filter(|(_, us)| us.contains(&who.user_id)).map(|(i, _)| *i).collect();
        out.sort_by_key(|s| !mine.contains(&s.id));
    }
    Ok(out)
}

/// A rectification's status code, `overdue` when it is.
fn rect_label(status: &str, deadline: NaiveDate, day: NaiveDate) -> String {
    match RectStatus::from_code(status) {
        Some(s) if is_overdue(s, deadline, day) => "overdue".to_owned(),
        _ => status.to_owned(),
    }
}

/// What the system knows of `town_id` on `date`: posts allocated by the
/// adopted plan, posts open and since when empty, staff on duty, and who
/// the last approved or paid payroll paid there.
pub fn town_facts(conn: &mut AnyConnection, district_id: i64, town_id: i64) -> Result<TownFacts, DbError> {
    let adopted: Option<i64> = super::allocation::adopted_posts(conn, district_id)?
        .and_then(|(_, posts)| posts.get(&town_id).map(|p| i64::from(*p)));
    let post_rows: Vec<(i64, String, NaiveDate)> = posts::table
        .filter(posts::district_id.eq(district_id))
        .filter(posts::town_id.eq(town_id))
        .filter(posts::abolished_on.is_null())
        .order(posts::code)
        .select((posts::id, posts::code, posts::established_on))
        .load(conn)?;
    // Everyone's history in this town, to find who held each post when.
    let holders: Vec<i64> = staff_assignments::table
        .filter(staff_assignments::town_id.eq(town_id))
        .filter(staff_assignments::post_id.is_not_null())
        .select(staff_assignments::staff_id)
        .distinct()
        .load(conn)?;
    let history: Vec<(i64, Option<i64>, String, NaiveDate)> = staff_assignments::table
        .filter(staff_assignments::district_id.eq(district_id))
        .filter(staff_assignments::staff_id.eq_any(&holders))
        .order((staff_assignments::staff_id, staff_assignments::from_date, staff_assignments::id))
        .select((
            staff_assignments::staff_id,
            staff_assignments::post_id,
            staff_assignments::status,
            staff_assignments::from_date,
        ))
        .load(conn)?;
    let mut held: HashMap<i64, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    for (i, (staff_id, post, status, from)) in history.iter().enumerate() {
        let Some(post) = post.filter(|_| status == "on_duty") else { continue };
        let until = history.get(i + 1).filter(|next| next.0 == *staff_id).map(|next| next.3);
        held.entry(post).or_default().push((*from, until));
    }
    let posts = post_rows
        .iter()
        .map(|(id, code, established)| PostFact {
            code: code.clone(),
            vacant_since: vacant_since(*established, held.get(id).map(Vec::as_slice).unwrap_or(&[])),
        })
        .collect();
    let roster = staff::table
        .filter(staff::district_id.eq(district_id))
        .filter(staff::town_id.eq(town_id))
        .filter(staff::status.eq("on_duty"))
        .order(staff::id)
        .select((staff::id, staff::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(staff_id, name)| Person { staff_id, name })
        .collect();
    let last: Option<(i64, String)> = payroll_runs::table
        .filter(payroll_runs::district_id.eq(district_id))
        .filter(payroll_runs::status.eq_any(["approved", "paid"]))
        .order(payroll_runs::month.desc())
        .select((payroll_runs::id, payroll_runs::month))
        .first(conn)
        .optional()?;
    let paid = match &last {
        Some((run, _)) => payroll_lines::table
            .inner_join(staff::table)
            .filter(payroll_lines::run_id.eq(run))
            .filter(payroll_lines::town_id.eq(town_id))
            .order(staff::id)
            .select((staff::id, staff::name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(staff_id, name)| Person { staff_id, name })
            .collect(),
        None => Vec::new(),
    };
    Ok(TownFacts { allocated: adopted, posts, roster, payroll_month: last.map(|l| l.1), paid })
}

/// One inspection, for those who may see it (404 otherwise).
pub fn inspection(
    conn: &mut AnyConnection,
    who: &Principal,
    id: i64,
) -> Result<InspectionDetail, InspectionError> {
    let row = load_inspection(conn, who, id)?;
    let plan = load_plan(conn, row.district_id, row.plan_id)?;
    let town_code: String = towns::table.find(row.town_id).select(towns::code).first(conn)?;
    let inspector_ids: Vec<i64> = inspection_inspectors::table
        .filter(inspection_inspectors::inspection_id.eq(id))
        .order(inspection_inspectors::user_id)
        .select(inspection_inspectors::user_id)
        .load(conn)?;
    let names = user_names(conn, &inspector_ids)?;
    let interview = inspection_staff::table
        .inner_join(staff::table)
        .filter(inspection_staff::inspection_id.eq(id))
        .order(staff::id)
        .select((staff::id, staff::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(staff_id, name)| Person { staff_id, name })
        .collect();
    let facts = match &row.facts {
        Some(f) => serde_json::from_str(f).map_err(|_| corrupt("facts"))?,
        None => town_facts(conn, row.district_id, row.town_id)?,
    };
    let answers: BTreeMap<String, Answer> =
        serde_json::from_str(&row.answers).map_err(|_| corrupt("answers"))?;
    let photos = inspection_photos::table
        .filter(inspection_photos::inspection_id.eq(id))
        .order(inspection_photos::id)
        .select((inspection_photos::id, inspection_photos::item_key, inspection_photos::display_name))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, item_key, display_name)| PhotoInfo { id, item_key, display_name })
        .collect();
    let town_view = !who.sees_whole_district();
    let findings = findings_of(conn, &[id], town_view)?;
    let rectification = rectification_of(conn, id)?;
    let status = InspectionStatus::from_code(&row.status).ok_or_else(|| corrupt("status"))?;
    let mine = assigned(conn, who, id)?;
    let submitted = status == InspectionStatus::Submitted;
    Ok(InspectionDetail {
        id,
        plan_id: row.plan_id,
        plan_title: plan.title.clone(),
        period_from: plan.period_from,
        period_to: plan.period_to,
        town_id: row.town_id,
        town_code,
        status,
        checklist: checklist_of(&plan)?,
        inspectors: inspector_ids.iter().map(|u| names.get(u).cloned().unwrap_or_default()).collect(),
        interview,
        facts,
        arrived_at: row.arrived_at,
        left_at: row.left_at,
        headcount: row.headcount,
        absent: ids_of(&row.absent),
        other_duties: ids_of(&row.other_duties),
        answers,
        remarks: row.remarks.clone(),
        photos,
        submitted_at: row.submitted_at,
        may_edit: mine && !submitted,
        may_decide: mine && submitted && rectification.is_none(),
        may_respond: who.has(Role::Town)
            && who.town_id == Some(row.town_id)
            && rectification.as_ref().is_some_and(|r| r.status.awaits_town()),
        may_verify: mine && rectification.as_ref().is_some_and(|r| r.status == RectStatus::Responded),
        findings,
        rectification,
        version: row.version,
        now: super::services::now_local(),
    })
}

type FindingTuple = (i64, i64, i64, String, String, String, String, String, String, Option<i64>);

fn findings_of(
    conn: &mut AnyConnection,
    inspection_ids: &[i64],
    town_view: bool,
) -> Result<Vec<FindingView>, DbError> {
    let mut q = findings::table.filter(findings::inspection_id.eq_any(inspection_ids)).into_boxed();
    if town_view {
        q = q.filter(findings::rectification_id.is_not_null());
    }
    q.order(findings::id)
        .select((
            findings::id,
            findings::inspection_id,
            findings::town_id,
            findings::kind,
            findings::severity,
            findings::description,
            findings::origin,
            findings::status,
            findings::dismiss_reason,
            findings::rectification_id,
        ))
        .load::<FindingTuple>(conn)?
        .into_iter()
        .map(
            |(
                id,
                inspection_id,
                town_id,
                kind,
                severity,
                description,
                origin,
                status,
                dismiss_reason,
                rect,
            )| {
                Ok(FindingView {
                    id,
                    inspection_id,
                    town_id,
                    kind: FindingKind::from_code(&kind).ok_or_else(|| corrupt("finding kind"))?,
                    severity: Severity::from_code(&severity).ok_or_else(|| corrupt("severity"))?,
                    description,
                    origin,
                    status: FindingStatus::from_code(&status).ok_or_else(|| corrupt("finding status"))?,
                    dismiss_reason,
                    rectification_id: rect,
                })
            },
        )
        .collect()
}

fn rectification_of(conn: &mut AnyConnection, inspection_id: i64) -> Result<Option<RectView>, DbError> {
    let row: Option<(i64, i64, String, NaiveDate, NaiveDate, String)> = rectifications::table
        .filter(rectifications::inspection_id.eq(inspection_id))
        .select((
            rectifications::id,
            rectifications::town_id,
            rectifications::notice_no,
            rectifications::issued_on,
            rectifications::deadline,
            rectifications::status,
        ))
        .first(conn)
        .optional()?;
    let Some((id, town_id, notice_no, issued_on, deadline, status)) = row else { return Ok(None) };
    let status = RectStatus::from_code(&status).ok_or_else(|| corrupt("rectification status"))?;
    let events: Vec<(i64, String, String, Option<i64>, NaiveDateTime)> = rectification_events::table
        .filter(rectification_events::rectification_id.eq(id))
        .order(rectification_events::id)
        .select((
            rectification_events::id,
            rectification_events::action,
            rectification_events::body,
            rectification_events::user_id,
            rectification_events::at,
        ))
        .load(conn)?;
    let evidence: Vec<(i64, Option<i64>, String)> = rectification_evidence::table
        .filter(rectification_evidence::rectification_id.eq(id))
        .order(rectification_evidence::id)
        .select((
            rectification_evidence::id,
            rectification_evidence::event_id,
            rectification_evidence::display_name,
        ))
        .load(conn)?;
    let users: Vec<i64> = events.iter().filter_map(|e| e.3).collect();
    let names = user_names(conn, &users)?;
    let steps = events
        .into_iter()
        .map(|(eid, action, body, user, at)| RectStep {
            action,
            body,
            by: user.and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
            at,
            evidence: evidence.iter().filter(|e| e.1 == Some(eid)).map(|e| (e.0, e.2.clone())).collect(),
        })
        .collect();
    Ok(Some(RectView {
        id,
        inspection_id,
        town_id,
        notice_no,
        issued_on,
        deadline,
        status,
        overdue: is_overdue(status, deadline, today()),
        steps,
        pending_evidence: evidence.iter().filter(|e| e.1.is_none()).map(|e| (e.0, e.2.clone())).collect(),
    }))
}

/// A photo to file with the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPhoto {
    pub item_key: String,
    pub sha256: String,
    pub media_type: &'static str,
    pub size_bytes: i64,
    pub display_name: String,
}

/// Saves an inspection's form (a draft, or `submit`): only its drawn
/// inspectors, only before submission. Submission needs the times, the
/// headcount and every required item (photos included); it freezes what
/// the system knew, and reconciliation proposes findings from it.
pub fn save_form(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    form: &FormInput,
    photos: &[NewPhoto],
    submit: bool,
) -> Result<InspectionStatus, InspectionError> {
    lock(tx.conn(), "inspections", id)?;
    let row = load_inspection(tx.conn(), who, id)?;
    if !assigned(tx.conn(), who, id)? {
        return Err(InspectionError::OutOfScope);
    }
    if row.status == InspectionStatus::Submitted.code() {
        return Err(refused(InspectionFault::Submitted));
    }
    if row.version != form.version {
        return Err(InspectionError::Db(DbError::Stale));
    }
    let plan = load_plan(tx.conn(), row.district_id, row.plan_id)?;
    let checklist = checklist_of(&plan)?;
    let mut problems = Vec::new();
    let mut answers = BTreeMap::new();
    for item in &checklist {
        let raw = form.answers.get(&item.key).map(String::as_str).unwrap_or("");
        match parse_answer(item, raw) {
            Ok(Some(a)) => {
                answers.insert(item.key.clone(), a);
            }
            Ok(None) => {}
            Err(p) => problems.push((item.key.clone(), p)),
        }
    }
    let headcount = match form.headcount.trim() {
        "" => None,
        t => match t.parse::<i32>().ok().filter(|n| (0..=10_000).contains(n)) {
            Some(n) => Some(n),
            None => {
                problems.push(("headcount".to_owned(), AnswerProblem::Headcount));
                None
            }
        },
    };
    if let (Some(a), Some(l)) = (form.arrived_at, form.left_at)
        && l < a
    {
        problems.push(("times".to_owned(), AnswerProblem::Times));
    }
    if form.remarks.chars().count() > 4_000 {
        problems.push(("remarks".to_owned(), AnswerProblem::TooLong));
    }
    for p in photos {
        if !checklist.iter().any(|i| i.key == p.item_key && i.kind == ItemKind::Photo) {
            problems.push((p.item_key.clone(), AnswerProblem::PhotoMissing));
        }
    }
    let facts = town_facts(tx.conn(), row.district_id, row.town_id)?;
    let on_roster: HashSet<i64> = facts.roster.iter().map(|p| p.staff_id).collect();
    let keep = |ids: &[i64]| -> Vec<i64> {
        let mut v: Vec<i64> = ids.iter().copied().filter(|i| on_roster.contains(i)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let absent = keep(&form.absent);
    let other_duties = keep(&form.other_duties);
    if submit {
        let mut keys: Vec<String> = inspection_photos::table
            .filter(inspection_photos::inspection_id.eq(id))
            .select(inspection_photos::item_key)
            .load(tx.conn())?;
        keys.extend(photos.iter().map(|p| p.item_key.clone()));
        problems.extend(missing_for_submit(&checklist, &answers, &keys));
        if headcount.is_none() && !problems.iter().any(|(k, _)| k == "headcount") {
            problems.push(("headcount".to_owned(), AnswerProblem::Headcount));
        }
        if form.arrived_at.is_none() || form.left_at.is_none() {
            problems.push(("times".to_owned(), AnswerProblem::Times));
        }
    }
    if !problems.is_empty() {
        return Err(refused(InspectionFault::Answers(problems)));
    }
    for p in photos {
        diesel::insert_into(inspection_photos::table)
            .values((
                inspection_photos::district_id.eq(row.district_id),
                inspection_photos::inspection_id.eq(id),
                inspection_photos::item_key.eq(&p.item_key),
                inspection_photos::sha256.eq(&p.sha256),
                inspection_photos::media_type.eq(p.media_type),
                inspection_photos::size_bytes.eq(p.size_bytes),
                inspection_photos::display_name.eq(&p.display_name),
                inspection_photos::created_by.eq(who.user_id),
            ))
            .execute(tx.conn())?;
    }
    let now = chrono::Utc::now().naive_utc();
    let status = if submit { InspectionStatus::Submitted } else { InspectionStatus::Draft };
    let answers_json = serde_json::to_string(&answers).map_err(|_| corrupt("answers"))?;
    let facts_json =
        if submit { Some(serde_json::to_string(&facts).map_err(|_| corrupt("facts"))?) } else { None };
    let updated = diesel::update(
        inspections::table.filter(inspections::id.eq(id)).filter(inspections::version.eq(row.version)),
    )
    .set((
        inspections::status.eq(status.code()),
        inspections::arrived_at.eq(form.arrived_at),
        inspections::left_at.eq(form.left_at),
        inspections::headcount.eq(headcount),
        inspections::absent.eq(ids_text(&absent)),
        inspections::other_duties.eq(ids_text(&other_duties)),
        inspections::answers.eq(&answers_json),
        inspections::remarks.eq(form.remarks.trim()),
        inspections::facts.eq(&facts_json),
        inspections::saved_at.eq(now),
        inspections::saved_by.eq(who.user_id),
        inspections::submitted_at.eq(if submit { Some(now) } else { None }),
        inspections::submitted_by.eq(if submit { Some(who.user_id) } else { None }),
        inspections::version.eq(row.version + 1),
    ))
    .execute(tx.conn())?;
    if updated != 1 {
        return Err(InspectionError::Db(DbError::Stale));
    }
    let audited = serde_json::json!({
        "status": status.code(),
        "arrived_at": form.arrived_at,
        "left_at": form.left_at,
        "headcount": headcount,
        "absent": absent,
        "other_duties": other_duties,
        "answers": answers,
        "photos": photos.iter().map(|p| (&p.item_key, &p.sha256)).collect::<Vec<_>>(),
    });
    tx.record(
        Change::new(if submit { "submit" } else { "save_draft" }, "inspection", id)
            .district(row.district_id)
            .after(audited),
    );
    if submit {
        let date = form.arrived_at.map(|a| a.date()).unwrap_or_else(today);
        let seen =
            Observation { date: Some(date), headcount: headcount.map(i64::from), absent, other_duties };
        let mut proposed = reconcile(&facts, &seen, date);
        for item in &checklist {
            if item.kind == ItemKind::YesNo && answers.get(&item.key) == Some(&Answer::No) {
                proposed.push(crate::domain::inspection::Proposed {
                    kind: FindingKind::Checklist,
                    severity: Severity::Minor,
                    description: format!("检查项目「{}」：否。", item.label),
                });
            }
        }
        for p in &proposed {
            insert_finding(tx, who, &row, p.kind, p.severity, &p.description, FindingStatus::Proposed)?;
        }
        // The plan is complete once its last inspection is submitted.
        lock(tx.conn(), "inspection_plans", row.plan_id)?;
        let open: i64 = inspections::table
            .filter(inspections::plan_id.eq(row.plan_id))
            .filter(inspections::status.ne(InspectionStatus::Submitted.code()))
            .count()
            .get_result(tx.conn())?;
        if open == 0 {
            diesel::update(inspection_plans::table.filter(inspection_plans::id.eq(row.plan_id)))
                .set((
                    inspection_plans::status.eq("closed"),
                    inspection_plans::version.eq(inspection_plans::version + 1),
                ))
                .execute(tx.conn())?;
            tx.record(
                Change::new("complete", "inspection_plan", row.plan_id)
                    .district(row.district_id)
                    .after(serde_json::json!({ "status": "closed" })),
            );
        }
    }
    Ok(status)
}

fn insert_finding(
    tx: &mut Tx<'_>,
    who: &Principal,
    row: &InspectionRow,
    kind: FindingKind,
    severity: Severity,
    description: &str,
    status: FindingStatus,
) -> Result<i64, InspectionError> {
    let origin = if status == FindingStatus::Proposed { "reconciliation" } else { "inspector" };
    let id: i64 = diesel::insert_into(findings::table)
        .values((
            findings::district_id.eq(row.district_id),
            findings::inspection_id.eq(row.id),
            findings::town_id.eq(row.town_id),
            findings::kind.eq(kind.code()),
            findings::severity.eq(severity.code()),
            findings::description.eq(description),
            findings::origin.eq(origin),
            findings::status.eq(status.code()),
            findings::created_by.eq(who.user_id),
        ))
        .returning(findings::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "finding", id).district(row.district_id).after(serde_json::json!({
        "inspection_id": row.id,
        "kind": kind.code(),
        "severity": severity.code(),
        "description": description,
        "status": status.code(),
    })));
    Ok(id)
}

/// Checks that `who` is a drawn inspector of a submitted inspection
/// without a notice yet.
fn deciding(tx: &mut Tx<'_>, who: &Principal, inspection_id: i64) -> Result<InspectionRow, InspectionError> {
    lock(tx.conn(), "inspections", inspection_id)?;
    let row = load_inspection(tx.conn(), who, inspection_id)?;
    if !assigned(tx.conn(), who, inspection_id)? {
        return Err(InspectionError::OutOfScope);
    }
    let has_notice = rectifications::table
        .filter(rectifications::inspection_id.eq(inspection_id))
        .count()
        .get_result::<i64>(tx.conn())?
        > 0;
    if row.status != InspectionStatus::Submitted.code() || has_notice {
        return Err(finding_refused(FindingProblem::NotNow));
    }
    Ok(row)
}

/// An inspector's own finding on a submitted inspection (confirmed).
pub fn add_finding(
    tx: &mut Tx<'_>,
    who: &Principal,
    inspection_id: i64,
    kind: FindingKind,
    severity: Severity,
    description: &str,
) -> Result<i64, InspectionError> {
    let row = deciding(tx, who, inspection_id)?;
    let description = description.trim();
    if description.is_empty() || description.chars().count() > 2_000 {
        return Err(finding_refused(FindingProblem::DescriptionRequired));
    }
    insert_finding(tx, who, &row, kind, severity, description, FindingStatus::Confirmed)
}

/// Confirms (with a severity, possibly changed) or dismisses (with a
/// reason) a proposed finding.
pub fn decide_finding(
    tx: &mut Tx<'_>,
    who: &Principal,
    finding_id: i64,
    confirm: bool,
    severity: Severity,
    reason: &str,
) -> Result<(), InspectionError> {
    let (inspection_id, status, old_severity, version): (i64, String, String, i32) = findings::table
        .filter(findings::id.eq(finding_id))
        .filter(findings::district_id.eq(who.district_id))
        .select((findings::inspection_id, findings::status, findings::severity, findings::version))
        .first(tx.conn())
        .optional()?
        .ok_or(InspectionError::Db(DbError::NotFound))?;
    let row = deciding(tx, who, inspection_id)?;
    if status != FindingStatus::Proposed.code() {
        return Err(finding_refused(FindingProblem::NotNow));
    }
    let reason = reason.trim();
    if !confirm && reason.is_empty() {
        return Err(finding_refused(FindingProblem::ReasonRequired));
    }
    let new_status = if confirm { FindingStatus::Confirmed } else { FindingStatus::Dismissed };
    let updated = diesel::update(
        findings::table.filter(findings::id.eq(finding_id)).filter(findings::version.eq(version)),
    )
    .set((
        findings::status.eq(new_status.code()),
        findings::severity.eq(severity.code()),
        findings::dismiss_reason.eq(reason),
        findings::decided_by.eq(who.user_id),
        findings::decided_at.eq(chrono::Utc::now().naive_utc()),
        findings::version.eq(version + 1),
    ))
    .execute(tx.conn())?;
    if updated != 1 {
        return Err(InspectionError::Db(DbError::Stale));
    }
    tx.record(
        Change::new(if confirm { "confirm" } else { "dismiss" }, "finding", finding_id)
            .district(row.district_id)
            .before(serde_json::json!({ "status": status, "severity": old_severity }))
            .after(serde_json::json!({ "status": new_status.code(), "severity": severity.code(), "reason": reason })),
    );
    Ok(())
}

/// Issues the rectification notice of an inspection: every proposed
/// finding decided, at least one confirmed; the deadline the plan's days
/// after `issued_on` unless given. Numbered `整改〔year〕n号` per district.
pub fn issue_notice(
    tx: &mut Tx<'_>,
    who: &Principal,
    inspection_id: i64,
    issued_on: NaiveDate,
    deadline: Option<NaiveDate>,
    at: NaiveDateTime,
) -> Result<i64, InspectionError> {
    let row = deciding(tx, who, inspection_id)?;
    let statuses: Vec<(i64, String)> = findings::table
        .filter(findings::inspection_id.eq(inspection_id))
        .select((findings::id, findings::status))
        .load(tx.conn())?;
    if statuses.iter().any(|(_, s)| s == FindingStatus::Proposed.code()) {
        return Err(finding_refused(FindingProblem::Undecided));
    }
    let confirmed: Vec<i64> =
        statuses.iter().filter(|(_, s)| s == FindingStatus::Confirmed.code()).map(|(id, _)| *id).collect();
    if confirmed.is_empty() {
        return Err(finding_refused(FindingProblem::NoFindings));
    }
    let plan = load_plan(tx.conn(), row.district_id, row.plan_id)?;
    let deadline =
        deadline.unwrap_or(crate::domain::inspection::deadline(issued_on, plan.rectification_days as u32));
    // At most a year: a far deadline would keep a notice off the overdue list.
    if deadline <= issued_on || deadline > issued_on + chrono::Duration::days(365) {
        return Err(refused(InspectionFault::Rectification(RectProblem::Deadline)));
    }
    // Numbers are the district's: one notice at a time is numbered.
    lock(tx.conn(), "districts", row.district_id)?;
    let year = issued_on.format("%Y").to_string();
    let prefix = format!("整改〔{year}〕");
    let numbers: Vec<String> = rectifications::table
        .filter(rectifications::district_id.eq(row.district_id))
        .filter(rectifications::notice_no.like(format!("{prefix}%")))
        .select(rectifications::notice_no)
        .load(tx.conn())?;
    let next = numbers
        .iter()
        .filter_map(|n| {
            n.strip_prefix(&prefix).and_then(|r| r.strip_suffix('号')).and_then(|d| d.parse::<u32>().ok())
        })
        .max()
        .unwrap_or(0)
        + 1;
    let notice_no = format!("{prefix}{next}号");
    let id: i64 = diesel::insert_into(rectifications::table)
        .values((
            rectifications::district_id.eq(row.district_id),
            rectifications::inspection_id.eq(inspection_id),
            rectifications::town_id.eq(row.town_id),
            rectifications::notice_no.eq(&notice_no),
            rectifications::issued_on.eq(issued_on),
            rectifications::deadline.eq(deadline),
            rectifications::status.eq(RectStatus::Issued.code()),
            rectifications::issued_by.eq(who.user_id),
        ))
        .returning(rectifications::id)
        .get_result(tx.conn())?;
    diesel::update(findings::table.filter(findings::id.eq_any(&confirmed)))
        .set(findings::rectification_id.eq(id))
        .execute(tx.conn())?;
    diesel::insert_into(rectification_events::table)
        .values((
            rectification_events::rectification_id.eq(id),
            rectification_events::action.eq("issue"),
            rectification_events::user_id.eq(who.user_id),
            rectification_events::at.eq(at),
        ))
        .execute(tx.conn())?;
    tx.record(Change::new("issue", "rectification", id).district(row.district_id).after(serde_json::json!({
        "inspection_id": inspection_id,
        "notice_no": notice_no,
        "issued_on": issued_on,
        "deadline": deadline,
        "findings": confirmed,
    })));
    Ok(id)
}

#[derive(Queryable)]
struct RectRow {
    district_id: i64,
    inspection_id: i64,
    town_id: i64,
    status: String,
    version: i32,
}

fn load_rect(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<RectRow, InspectionError> {
    let r: RectRow = rectifications::table
        .filter(rectifications::id.eq(id))
        .filter(rectifications::district_id.eq(who.district_id))
        .select((
            rectifications::district_id,
            rectifications::inspection_id,
            rectifications::town_id,
            rectifications::status,
            rectifications::version,
        ))
        .first(conn)
        .optional()?
        .ok_or(InspectionError::Db(DbError::NotFound))?;
    if who.sees_whole_district() || (who.has(Role::Town) && who.town_id == Some(r.town_id)) {
        Ok(r)
    } else {
        Err(InspectionError::Db(DbError::NotFound))
    }
}

/// A step of a rectification: the town responds (with the evidence it
/// attached), a drawn inspector returns it or closes it.
pub fn rectify(
    tx: &mut Tx<'_>,
    who: &Principal,
    rect_id: i64,
    action: RectAction,
    body: &str,
    at: NaiveDateTime,
) -> Result<RectStatus, InspectionError> {
    let r = load_rect(tx.conn(), who, rect_id)?;
    let by = if who.has(Role::Town) && who.town_id == Some(r.town_id) {
        RectActor::Town
    } else if assigned(tx.conn(), who, r.inspection_id)? {
        RectActor::Inspector
    } else {
        return Err(InspectionError::OutOfScope);
    };
    let status = RectStatus::from_code(&r.status).ok_or_else(|| corrupt("rectification status"))?;
    let pending: Vec<i64> = rectification_evidence::table
        .filter(rectification_evidence::rectification_id.eq(rect_id))
        .filter(rectification_evidence::event_id.is_null())
        .select(rectification_evidence::id)
        .load(tx.conn())?;
    let body = body.trim();
    if body.chars().count() > 4_000 {
        return Err(refused(InspectionFault::Rectification(RectProblem::TextRequired)));
    }
    let next = step(status, action, by, body, pending.len())
        .map_err(|p| refused(InspectionFault::Rectification(p)))?;
    let event: i64 = diesel::insert_into(rectification_events::table)
        .values((
            rectification_events::rectification_id.eq(rect_id),
            rectification_events::action.eq(action.code()),
            rectification_events::body.eq(body),
            rectification_events::user_id.eq(who.user_id),
            rectification_events::at.eq(at),
        ))
        .returning(rectification_events::id)
        .get_result(tx.conn())?;
    if action == RectAction::Respond {
        diesel::update(rectification_evidence::table.filter(rectification_evidence::id.eq_any(&pending)))
            .set(rectification_evidence::event_id.eq(event))
            .execute(tx.conn())?;
    }
    let closed_at = (next == RectStatus::Closed).then_some(at);
    let n = diesel::update(
        rectifications::table
            .filter(rectifications::id.eq(rect_id))
            .filter(rectifications::version.eq(r.version)),
    )
    .set((
        rectifications::status.eq(next.code()),
        rectifications::closed_at.eq(closed_at),
        rectifications::version.eq(r.version + 1),
    ))
    .execute(tx.conn())?;
    if n != 1 {
        return Err(InspectionError::Db(DbError::Stale));
    }
    tx.record(
        Change::new(action.code(), "rectification", rect_id)
            .district(r.district_id)
            .before(serde_json::json!({ "status": status.code() }))
            .after(serde_json::json!({ "status": next.code(), "body": body, "evidence": pending })),
    );
    Ok(next)
}

/// A file of the town's response, attached before it responds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub sha256: String,
    pub media_type: &'static str,
    pub size_bytes: i64,
    pub display_name: String,
}

/// Attaches evidence to a rectification awaiting the town (its town only).
pub fn add_rect_evidence(
    tx: &mut Tx<'_>,
    who: &Principal,
    rect_id: i64,
    e: &NewEvidence,
) -> Result<i64, InspectionError> {
    let r = load_rect(tx.conn(), who, rect_id)?;
    if !(who.has(Role::Town) && who.town_id == Some(r.town_id)) {
        return Err(InspectionError::OutOfScope);
    }
    let status = RectStatus::from_code(&r.status).ok_or_else(|| corrupt("rectification status"))?;
    if !status.awaits_town() {
        return Err(refused(InspectionFault::Rectification(RectProblem::NotNow)));
    }
    let id: i64 = diesel::insert_into(rectification_evidence::table)
        .values((
            rectification_evidence::district_id.eq(r.district_id),
            rectification_evidence::rectification_id.eq(rect_id),
            rectification_evidence::sha256.eq(&e.sha256),
            rectification_evidence::media_type.eq(e.media_type),
            rectification_evidence::size_bytes.eq(e.size_bytes),
            rectification_evidence::display_name.eq(&e.display_name),
            rectification_evidence::created_by.eq(who.user_id),
        ))
        .returning(rectification_evidence::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "rectification_evidence", id).district(r.district_id).after(
        serde_json::json!({
            "rectification_id": rect_id,
            "sha256": e.sha256,
            "media_type": e.media_type,
            "size_bytes": e.size_bytes,
            "display_name": e.display_name,
        }),
    ));
    Ok(id)
}

/// A stored file of an inspection (photo) or a rectification (evidence),
/// for a download: (sha256, media type, display name).
pub type StoredFile = (String, String, String);

/// `file` when its owner is visible (`seen`), `None` when not found.
fn if_visible(
    seen: Result<(), InspectionError>,
    file: StoredFile,
) -> Result<Option<StoredFile>, InspectionError> {
    match seen {
        Ok(()) => Ok(Some(file)),
        Err(InspectionError::Db(DbError::NotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A photo, to those who may see its inspection.
pub fn photo(
    conn: &mut AnyConnection,
    who: &Principal,
    id: i64,
) -> Result<Option<StoredFile>, InspectionError> {
    let row: Option<(i64, String, String, String)> = inspection_photos::table
        .filter(inspection_photos::id.eq(id))
        .filter(inspection_photos::district_id.eq(who.district_id))
        .select((
            inspection_photos::inspection_id,
            inspection_photos::sha256,
            inspection_photos::media_type,
            inspection_photos::display_name,
        ))
        .first(conn)
        .optional()?;
    let Some((inspection_id, sha, media, name)) = row else { return Ok(None) };
    if_visible(load_inspection(conn, who, inspection_id).map(|_| ()), (sha, media, name))
}

/// Rectification evidence, to those who may see the rectification.
pub fn rect_evidence(
    conn: &mut AnyConnection,
    who: &Principal,
    id: i64,
) -> Result<Option<StoredFile>, InspectionError> {
    let row: Option<(i64, String, String, String)> = rectification_evidence::table
        .filter(rectification_evidence::id.eq(id))
        .filter(rectification_evidence::district_id.eq(who.district_id))
        .select((
            rectification_evidence::rectification_id,
            rectification_evidence::sha256,
            rectification_evidence::media_type,
            rectification_evidence::display_name,
        ))
        .first(conn)
        .optional()?;
    let Some((rect, sha, media, name)) = row else { return Ok(None) };
    if_visible(load_rect(conn, who, rect).map(|_| ()), (sha, media, name))
}

/// The inspection a rectification belongs to (for the page to return to).
pub fn inspection_of_rect(
    conn: &mut AnyConnection,
    who: &Principal,
    rect_id: i64,
) -> Result<i64, InspectionError> {
    Ok(load_rect(conn, who, rect_id)?.inspection_id)
}

// --- Overview, findings list and publication -------------------------------

/// Rectifications visible to `who` (bureau: all; a town: its own), the
/// overdue first, then by deadline.
pub fn rectification_list(
    conn: &mut AnyConnection,
    who: &Principal,
) -> Result<Vec<RectSummary>, InspectionError> {
    let mut q = rectifications::table
        .inner_join(towns::table.on(towns::id.eq(rectifications::town_id)))
        .filter(rectifications::district_id.eq(who.district_id))
        .into_boxed();
    if !who.sees_whole_district() {
        let Some(town) = who.town_id.filter(|_| who.has(Role::Town)) else {
            return Err(InspectionError::OutOfScope);
        };
        q = q.filter(rectifications::town_id.eq(town));
    }
    let day = today();
    let mut out: Vec<RectSummary> = q
        .select((
            rectifications::id,
            rectifications::inspection_id,
            rectifications::town_id,
            towns::code,
            rectifications::notice_no,
            rectifications::issued_on,
            rectifications::deadline,
            rectifications::status,
        ))
        .load::<(i64, i64, i64, String, String, NaiveDate, NaiveDate, String)>(conn)?
        .into_iter()
        .filter_map(|(id, inspection_id, town_id, town_code, notice_no, issued_on, deadline, status)| {
            let status = RectStatus::from_code(&status)?;
            Some(RectSummary {
                id,
                inspection_id,
                town_id,
                town_code,
                notice_no,
                issued_on,
                deadline,
                status,
                overdue: is_overdue(status, deadline, day),
            })
        })
        .collect();
    out.sort_by_key(|r| (!r.overdue, r.status == RectStatus::Closed, r.deadline, r.id));
    Ok(out)
}

/// Findings visible to `who`: bureau staff all (proposed included); a
/// town those of its town put in a notice.
pub fn finding_list(conn: &mut AnyConnection, who: &Principal) -> Result<Vec<FindingView>, InspectionError> {
    let ids: Vec<i64> = inspection_list(conn, who, None)?.into_iter().map(|i| i.id).collect();
    Ok(findings_of(conn, &ids, !who.sees_whole_district())?)
}

/// (inspection, plan title, period from, to, town code, town name, arrival).
type PublishedRow = (i64, String, NaiveDate, NaiveDate, String, String, Option<NaiveDateTime>);

/// The published results of a district: submitted inspections of drawn
/// plans with their confirmed findings and rectification status.
pub fn published(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<PublishedResult>, DbError> {
    let rows: Vec<PublishedRow> = inspections::table
        .inner_join(inspection_plans::table)
        .inner_join(towns::table.on(towns::id.eq(inspections::town_id)))
        .filter(inspections::district_id.eq(district_id))
        .filter(inspections::status.eq(InspectionStatus::Submitted.code()))
        .order((inspections::plan_id.desc(), towns::code))
        .select((
            inspections::id,
            inspection_plans::title,
            inspection_plans::period_from,
            inspection_plans::period_to,
            towns::code,
            towns::name,
            inspections::arrived_at,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut inspectors: HashMap<i64, usize> = HashMap::new();
    for i in inspection_inspectors::table
        .filter(inspection_inspectors::inspection_id.eq_any(&ids))
        .select(inspection_inspectors::inspection_id)
        .load::<i64>(conn)?
    {
        *inspectors.entry(i).or_default() += 1;
    }
    let mut kinds: HashMap<i64, Vec<(FindingKind, Severity)>> = HashMap::new();
    for (i, k, s) in findings::table
        .filter(findings::inspection_id.eq_any(&ids))
        .filter(findings::status.eq(FindingStatus::Confirmed.code()))
        // Published once the town has its notice.
        .filter(findings::rectification_id.is_not_null())
        .order(findings::id)
        .select((findings::inspection_id, findings::kind, findings::severity))
        .load::<(i64, String, String)>(conn)?
    {
        if let (Some(k), Some(s)) = (FindingKind::from_code(&k), Severity::from_code(&s)) {
            kinds.entry(i).or_default().push((k, s));
        }
    }
    let rects: HashMap<i64, (String, NaiveDate)> = rectifications::table
        .filter(rectifications::inspection_id.eq_any(&ids))
        .select((rectifications::inspection_id, rectifications::status, rectifications::deadline))
        .load::<(i64, String, NaiveDate)>(conn)?
        .into_iter()
        .map(|(i, s, d)| (i, (s, d)))
        .collect();
    let day = today();
    Ok(rows
        .into_iter()
        .map(|(id, plan_title, period_from, period_to, town_code, town_name, arrived)| {
            let k = kinds.remove(&id).unwrap_or_default();
            let rect = rects.get(&id).and_then(|(s, d)| RectStatus::from_code(s).map(|s| (s, *d)));
            PublishedResult {
                plan_title,
                period_from,
                period_to,
                town_code,
                town_name,
                inspected_on: arrived.map(|a| a.date()),
                inspectors: inspectors.get(&id).copied().unwrap_or(0),
                findings: k.len(),
                kinds: k,
                rectification: rect.map(|r| r.0),
                deadline: rect.map(|r| r.1),
                overdue: rect.is_some_and(|(s, d)| is_overdue(s, d, day)),
            }
        })
        .collect())
}
