//! The roster of full-time assistants: hiring (with an approved exception
//! below 大专), change requests for town, post, role level and duties
//! (decided by an approver), leaving, and the assignment history.
//!
//! Town, post, role level and duties are never updated directly: only
//! [`hire`] sets them, and only an approved [`StaffChange`] (or an
//! adopted allocation plan closing a post) changes them.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{posts, staff, staff_assignments, towns};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
pub use crate::api::roster::{AssignmentRow, DetailsEdit, HiringException, NewHire, StaffChange};
use crate::domain::access::{Principal, Role};
use crate::domain::approval::{ApprovalKind, ApprovalProblem};
use crate::domain::idcard::IdNumber;
use crate::domain::roster::{
    Certificate, Education, PersonField, PersonInput, PersonProblem, RoleLevel, StaffStatus, check_person,
};

/// A roster row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = staff)]
pub struct StaffRow {
    pub id: i64,
    pub district_id: i64,
    pub town_id: i64,
    pub post_id: Option<i64>,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub education: String,
    pub social_work_major: bool,
    pub certificate: String,
    pub hire_date: NaiveDate,
    pub role_level: String,
    pub duties: String,
    pub status: String,
    pub left_on: Option<NaiveDate>,
    pub education_exception_id: Option<i64>,
    pub version: i32,
}

impl StaffRow {
    pub fn load(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<StaffRow, DbError> {
        staff::table
            .filter(staff::district_id.eq(district_id))
            .filter(staff::id.eq(id))
            .select(StaffRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(DbError::NotFound)
    }

    pub fn status(&self) -> Result<StaffStatus, DbError> {
        StaffStatus::from_code(&self.status)
            .ok_or_else(|| DbError::Corrupt(format!("staff status {}", self.status)))
    }

    /// The stored values as the typed person they describe.
    pub fn person(&self) -> Result<PersonInput, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("staff {} {what}", self.id));
        Ok(PersonInput {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            phone: self.phone.clone(),
            education: Education::from_code(&self.education).ok_or_else(|| corrupt("education"))?,
            social_work_major: self.social_work_major,
            certificate: Certificate::from_code(&self.certificate).ok_or_else(|| corrupt("certificate"))?,
            hire_date: self.hire_date,
            role_level: RoleLevel::from_code(&self.role_level).ok_or_else(|| corrupt("role level"))?,
        })
    }

    fn snapshot(&self) -> serde_json::Value {
        // The audit log keeps the identity number masked: it is personal
        // data, and the log is read by auditors and kept for ever.
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["id_number"] = serde_json::Value::String(crate::domain::idcard::mask(&self.id_number));
        v
    }
}

/// Why a roster write is refused.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The details have problems, each with its field.
    #[error("invalid: {0:?}")]
    Invalid(Vec<(PersonField, PersonProblem)>),
    /// Someone with this identity number is already on the roster.
    #[error("already on the roster")]
    Duplicate,
    /// The post is taken, closed, or not in the town.
    #[error("post not available")]
    PostUnavailable,
    /// The user may not act on this town or person.
    #[error("out of scope")]
    OutOfScope,
    /// The person has left: nothing more changes.
    #[error("person has left")]
    HasLeft,
    /// The change changes nothing.
    #[error("no change")]
    NoChange,
    /// A reason is required (exceptions, change requests, leaving).
    #[error("reason required")]
    ReasonRequired,
    #[error("approval refused: {0:?}")]
    Approval(ApprovalProblem),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for RosterError {
    fn from(e: diesel::result::Error) -> Self {
        RosterError::Db(e.into())
    }
}

/// May `who` act on the staff of `town_id`? Finance on any town of the
/// district; town users on their own town only.
pub fn may_manage_town(who: &Principal, town_id: i64) -> bool {
    who.has(Role::Finance) || (who.has(Role::Town) && who.town_id == Some(town_id))
}

fn check_post(
    conn: &mut AnyConnection,
    town_id: i64,
    post_id: i64,
    on: NaiveDate,
    except_staff: Option<i64>,
) -> Result<(), RosterError> {
    let post: Option<(i64, NaiveDate, Option<NaiveDate>)> = posts::table
        .filter(posts::id.eq(post_id))
        .select((posts::town_id, posts::established_on, posts::abolished_on))
        .first(conn)
        .optional()?;
    let open =
        post.is_some_and(|(t, from, until)| t == town_id && from <= on && until.is_none_or(|u| u > on));
    if !open {
        return Err(RosterError::PostUnavailable);
    }
    let holder: Option<i64> =
        staff::table.filter(staff::post_id.eq(post_id)).select(staff::id).first(conn).optional()?;
    match holder {
        Some(h) if Some(h) != except_staff => Err(RosterError::PostUnavailable),
        _ => Ok(()),
    }
}

fn clean_person(p: &PersonInput) -> PersonInput {
    let id =
        IdNumber::parse(&p.id_number).map(|i| i.as_str().to_owned()).unwrap_or_else(|_| p.id_number.clone());
    PersonInput {
        name: p.name.trim().to_owned(),
        id_number: id,
        phone: p.phone.trim().to_owned(),
        ..p.clone()
    }
}

/// Refuses a town outside `who`'s district.
fn town_in_district(conn: &mut AnyConnection, who: &Principal, town_id: i64) -> Result<(), RosterError> {
    let n: i64 = towns::table
        .filter(towns::id.eq(town_id))
        .filter(towns::district_id.eq(who.district_id))
        .count()
        .get_result(conn)?;
    if n == 0 { Err(RosterError::OutOfScope) } else { Ok(()) }
}

/// Refuses an identity number already held by someone on the roster
/// (other than `except`) who has not left.
fn not_on_roster(
    conn: &mut AnyConnection,
    district_id: i64,
    id_number: &str,
    except: Option<i64>,
) -> Result<(), RosterError> {
    let mut q = staff::table
        .filter(staff::district_id.eq(district_id))
        .filter(staff::id_number.eq(id_number))
        .filter(staff::status.ne(StaffStatus::Left.code()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(staff::id.ne(id));
    }
    let n: i64 = q.count().get_result(conn)?;
    if n > 0 { Err(RosterError::Duplicate) } else { Ok(()) }
}

/// Checks a hire; with `exception` the education minimum is waived (an
/// approver is granting it).
pub fn check_hire(
    conn: &mut AnyConnection,
    who: &Principal,
    hire: &NewHire,
    today: NaiveDate,
    exception: bool,
) -> Result<PersonInput, RosterError> {
    if !may_manage_town(who, hire.town_id) {
        return Err(RosterError::OutOfScope);
    }
    town_in_district(conn, who, hire.town_id)?;
    let person = clean_person(&hire.person);
    let problems: Vec<_> = check_person(&person, today)
        .into_iter()
        .filter(|(_, p)| !(exception && *p == PersonProblem::EducationBelowMinimum))
        .collect();
    if !problems.is_empty() {
        return Err(RosterError::Invalid(problems));
    }
    not_on_roster(conn, who.district_id, &person.id_number, None)?;
    if let Some(post_id) = hire.post_id {
        check_post(conn, hire.town_id, post_id, today, None)?;
    }
    Ok(person)
}

/// Adds a person to the roster. Below 大专 this is refused
/// ([`PersonProblem::EducationBelowMinimum`]) unless `exception` names
/// the approved item that allows it.
pub fn hire(
    tx: &mut Tx<'_>,
    who: &Principal,
    hire: &NewHire,
    today: NaiveDate,
    exception: Option<i64>,
) -> Result<i64, RosterError> {
    let person = check_hire(tx.conn(), who, hire, today, exception.is_some())?;
    insert_staff(tx, who.district_id, Some(who.user_id), &person, hire, exception)
}

/// Inserts a checked hire and its first history row.
pub fn insert_staff(
    tx: &mut Tx<'_>,
    district_id: i64,
    by: Option<i64>,
    person: &PersonInput,
    hire: &NewHire,
    exception: Option<i64>,
) -> Result<i64, RosterError> {
    let status = if hire.post_id.is_some() { StaffStatus::OnDuty } else { StaffStatus::Standby };
    let id: i64 = diesel::insert_into(staff::table)
        .values((
            staff::district_id.eq(district_id),
            staff::town_id.eq(hire.town_id),
            staff::post_id.eq(hire.post_id),
            staff::name.eq(&person.name),
            staff::id_number.eq(&person.id_number),
            staff::phone.eq(&person.phone),
            staff::education.eq(person.education.code()),
            staff::social_work_major.eq(person.social_work_major),
            staff::certificate.eq(person.certificate.code()),
            staff::hire_date.eq(person.hire_date),
            staff::role_level.eq(person.role_level.code()),
            staff::duties.eq(hire.duties.trim()),
            staff::status.eq(status.code()),
            staff::education_exception_id.eq(exception),
        ))
        .returning(staff::id)
        .get_result(tx.conn())?;
    history(tx, district_id, id, "hire", exception, by, "", person.hire_date)?;
    let row = StaffRow::load(tx.conn(), district_id, id)?;
    tx.record(Change::new("create", "staff", id).district(district_id).after(row.snapshot()));
    Ok(id)
}

/// Appends the person's current assignment to their history.
#[allow(clippy::too_many_arguments)]
fn history(
    tx: &mut Tx<'_>,
    district_id: i64,
    staff_id: i64,
    cause: &str,
    approval_id: Option<i64>,
    by: Option<i64>,
    note: &str,
    from_date: NaiveDate,
) -> Result<(), DbError> {
    let row = StaffRow::load(tx.conn(), district_id, staff_id)?;
    diesel::insert_into(staff_assignments::table)
        .values((
            staff_assignments::district_id.eq(district_id),
            staff_assignments::staff_id.eq(staff_id),
            staff_assignments::town_id.eq(row.town_id),
            staff_assignments::post_id.eq(row.post_id),
            staff_assignments::role_level.eq(&row.role_level),
            staff_assignments::duties.eq(&row.duties),
            staff_assignments::status.eq(&row.status),
            staff_assignments::from_date.eq(from_date),
            staff_assignments::cause.eq(cause),
            staff_assignments::approval_id.eq(approval_id),
            staff_assignments::note.eq(note),
            staff_assignments::created_by.eq(by),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// Submits a hire below 大专 for an approver's exception.
pub fn submit_hiring_exception(
    tx: &mut Tx<'_>,
    who: &Principal,
    hire: &NewHire,
    reason: &str,
    today: NaiveDate,
) -> Result<i64, RosterError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RosterError::ReasonRequired);
    }
    let person = check_hire(tx.conn(), who, hire, today, true)?;
    if person.education.meets_hiring_minimum() {
        // Nothing to except: hire directly.
        return Err(RosterError::NoChange);
    }
    let summary = format!("{} · {} · {}", person.name, person.education.code(), reason);
    let payload = HiringException { hire: NewHire { person, ..hire.clone() }, reason: reason.to_owned() };
    Ok(super::approvals::submit(tx, who, ApprovalKind::HiringException, "staff", None, &summary, &payload)?)
}

/// Carries out an approved hiring exception: the hire, checked again now.
pub fn apply_hiring_exception(
    tx: &mut Tx<'_>,
    maker: &Principal,
    approval_id: i64,
    payload: &HiringException,
    today: NaiveDate,
) -> Result<i64, RosterError> {
    let person = check_hire(tx.conn(), maker, &payload.hire, today, true).map_err(|e| match e {
        RosterError::OutOfScope => RosterError::Approval(ApprovalProblem::MakerNoLongerEntitled),
        RosterError::Invalid(_) | RosterError::Duplicate | RosterError::PostUnavailable => {
            RosterError::Approval(ApprovalProblem::Outdated)
        }
        other => other,
    })?;
    insert_staff(tx, maker.district_id, Some(maker.user_id), &person, &payload.hire, Some(approval_id))
}

/// Submits a change request. Town users may propose changes within their
/// own town only; finance anywhere in the district.
pub fn propose_change(tx: &mut Tx<'_>, who: &Principal, change: &StaffChange) -> Result<i64, RosterError> {
    let reason = change.reason.trim();
    if reason.is_empty() {
        return Err(RosterError::ReasonRequired);
    }
    let row = StaffRow::load(tx.conn(), who.district_id, change.staff_id)?;
    if !may_manage_town(who, row.town_id) || !may_manage_town(who, change.town_id) {
        return Err(RosterError::OutOfScope);
    }
    if row.version != change.staff_version {
        return Err(DbError::Stale.into());
    }
    if row.status()? == StaffStatus::Left {
        return Err(RosterError::HasLeft);
    }
    let same = row.town_id == change.town_id
        && row.post_id == change.post_id
        && row.role_level == change.role_level.code()
        && row.duties == change.duties.trim();
    if same {
        return Err(RosterError::NoChange);
    }
    town_in_district(tx.conn(), who, change.town_id)?;
    if let Some(post_id) = change.post_id {
        check_post(tx.conn(), change.town_id, post_id, change.effective_on, Some(row.id))?;
    }
    let summary = format!("{} · {}", row.name, reason);
    let payload =
        StaffChange { duties: change.duties.trim().to_owned(), reason: reason.to_owned(), ..change.clone() };
    Ok(super::approvals::submit(
        tx,
        who,
        ApprovalKind::StaffChange,
        "staff",
        Some(row.id),
        &summary,
        &payload,
    )?)
}

/// Carries out an approved change, if the person is still as they were
/// when it was proposed and the post is still free.
pub fn apply_change(
    tx: &mut Tx<'_>,
    maker: &Principal,
    approval_id: i64,
    change: &StaffChange,
) -> Result<(), RosterError> {
    let before = StaffRow::load(tx.conn(), maker.district_id, change.staff_id)?;
    if !may_manage_town(maker, before.town_id) || !may_manage_town(maker, change.town_id) {
        return Err(RosterError::Approval(ApprovalProblem::MakerNoLongerEntitled));
    }
    if before.version != change.staff_version || before.status()? == StaffStatus::Left {
        return Err(RosterError::Approval(ApprovalProblem::Outdated));
    }
    if let Some(post_id) = change.post_id {
        check_post(tx.conn(), change.town_id, post_id, change.effective_on, Some(before.id))
            .map_err(|_| RosterError::Approval(ApprovalProblem::Outdated))?;
    }
    let status = if change.post_id.is_some() { StaffStatus::OnDuty } else { StaffStatus::Standby };
    let n = diesel::update(staff::table.find(before.id).filter(staff::version.eq(before.version)))
        .set((
            staff::town_id.eq(change.town_id),
            staff::post_id.eq(change.post_id),
            staff::role_level.eq(change.role_level.code()),
            staff::duties.eq(&change.duties),
            staff::status.eq(status.code()),
            staff::version.eq(before.version + 1),
            staff::updated_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    history(
        tx,
        maker.district_id,
        before.id,
        "change",
        Some(approval_id),
        Some(maker.user_id),
        &change.reason,
        change.effective_on,
    )?;
    let after = StaffRow::load(tx.conn(), maker.district_id, before.id)?;
    tx.record(
        Change::new("change", "staff", before.id)
            .district(maker.district_id)
            .before(before.snapshot())
            .after(after.snapshot()),
    );
    Ok(())
}

/// Corrects a person's details. The education minimum applies unless the
/// person was hired under an exception; the role level is not changed
/// here (it goes through a change request).
pub fn edit_details(
    tx: &mut Tx<'_>,
    who: &Principal,
    edit: &DetailsEdit,
    today: NaiveDate,
) -> Result<(), RosterError> {
    let before = StaffRow::load(tx.conn(), who.district_id, edit.staff_id)?;
    if !may_manage_town(who, before.town_id) {
        return Err(RosterError::OutOfScope);
    }
    if before.version != edit.version {
        return Err(DbError::Stale.into());
    }
    let mut person = clean_person(&edit.person);
    person.role_level = before.person()?.role_level;
    if person.id_number.is_empty() {
        // Sent by someone who sees the number masked: keep it.
        person.id_number.clone_from(&before.id_number);
    }
    let waived = before.education_exception_id.is_some();
    let problems: Vec<_> = check_person(&person, today)
        .into_iter()
        .filter(|(_, p)| !(waived && *p == PersonProblem::EducationBelowMinimum))
        .collect();
    if !problems.is_empty() {
        return Err(RosterError::Invalid(problems));
    }
    if person == before.person()? {
        return Err(RosterError::NoChange);
    }
    if person.id_number != before.id_number {
        not_on_roster(tx.conn(), who.district_id, &person.id_number, Some(before.id))?;
    }
    let n = diesel::update(staff::table.find(before.id).filter(staff::version.eq(before.version)))
        .set((
            staff::name.eq(&person.name),
            staff::id_number.eq(&person.id_number),
            staff::phone.eq(&person.phone),
            staff::education.eq(person.education.code()),
            staff::social_work_major.eq(person.social_work_major),
            staff::certificate.eq(person.certificate.code()),
            staff::hire_date.eq(person.hire_date),
            staff::version.eq(before.version + 1),
            staff::updated_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    // A concurrent edit committed first (PostgreSQL): this one is stale.
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    let after = StaffRow::load(tx.conn(), who.district_id, before.id)?;
    tx.record(
        Change::new("update", "staff", before.id)
            .district(who.district_id)
            .before(before.snapshot())
            .after(after.snapshot()),
    );
    Ok(())
}

/// Records that a person left on `on`; their post becomes vacant.
pub fn record_leaving(
    tx: &mut Tx<'_>,
    who: &Principal,
    staff_id: i64,
    version: i32,
    on: NaiveDate,
    note: &str,
) -> Result<(), RosterError> {
    let before = StaffRow::load(tx.conn(), who.district_id, staff_id)?;
    if !may_manage_town(who, before.town_id) {
        return Err(RosterError::OutOfScope);
    }
    if before.version != version {
        return Err(DbError::Stale.into());
    }
    if before.status()? == StaffStatus::Left {
        return Err(RosterError::HasLeft);
    }
    if note.trim().is_empty() {
        return Err(RosterError::ReasonRequired);
    }
    if on < before.hire_date {
        return Err(RosterError::Invalid(vec![(PersonField::HireDate, PersonProblem::HireDateInFuture)]));
    }
    let n = diesel::update(staff::table.find(staff_id).filter(staff::version.eq(version)))
        .set((
            staff::post_id.eq(None::<i64>),
            staff::status.eq(StaffStatus::Left.code()),
            staff::left_on.eq(Some(on)),
            staff::version.eq(version + 1),
            staff::updated_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    // A concurrent change committed first (PostgreSQL): nothing is written.
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    history(tx, who.district_id, staff_id, "leave", None, Some(who.user_id), note.trim(), on)?;
    let after = StaffRow::load(tx.conn(), who.district_id, staff_id)?;
    tx.record(
        Change::new("leave", "staff", staff_id)
            .district(who.district_id)
            .before(before.snapshot())
            .after(after.snapshot()),
    );
    Ok(())
}

/// Roster rows of the district (of one town when `town_id` is given),
/// ordered by town, then post code, then name.
pub fn list(
    conn: &mut AnyConnection,
    district_id: i64,
    town_id: Option<i64>,
) -> Result<Vec<StaffRow>, DbError> {
    let mut q = staff::table.filter(staff::district_id.eq(district_id)).into_boxed();
    if let Some(t) = town_id {
        q = q.filter(staff::town_id.eq(t));
    }
    Ok(q.order((staff::town_id.asc(), staff::post_id.asc(), staff::name.asc()))
        .select(StaffRow::as_select())
        .load(conn)?)
}

/// A person's history, oldest first.
pub fn assignments(
    conn: &mut AnyConnection,
    district_id: i64,
    staff_id: i64,
) -> Result<Vec<AssignmentRow>, DbError> {
    Ok(staff_assignments::table
        .filter(staff_assignments::district_id.eq(district_id))
        .filter(staff_assignments::staff_id.eq(staff_id))
        .order(staff_assignments::id.asc())
        .select((
            staff_assignments::town_id,
            staff_assignments::post_id,
            staff_assignments::role_level,
            staff_assignments::duties,
            staff_assignments::status,
            staff_assignments::from_date,
            staff_assignments::cause,
            staff_assignments::approval_id,
            staff_assignments::note,
        ))
        .load::<(i64, Option<i64>, String, String, String, NaiveDate, String, Option<i64>, String)>(conn)?
        .into_iter()
        .map(|(town_id, post_id, role_level, duties, status, from_date, cause, approval_id, note)| {
            AssignmentRow {
                town_id,
                post_id,
                role_level,
                duties,
                status,
                from_date,
                cause,
                approval_id,
                note,
            }
        })
        .collect())
}

/// An open post: (post id, town id, code, holder's staff id).
pub type OpenPost = (i64, i64, String, Option<i64>);

/// The open posts of `town_id` on `on`, with the id of their holder.
pub fn open_posts(
    conn: &mut AnyConnection,
    district_id: i64,
    town_id: Option<i64>,
    on: NaiveDate,
) -> Result<Vec<OpenPost>, DbError> {
    let mut q = posts::table
        .left_join(staff::table.on(staff::post_id.eq(posts::id.nullable())))
        .filter(posts::district_id.eq(district_id))
        .filter(posts::established_on.le(on))
        .filter(posts::abolished_on.is_null().or(posts::abolished_on.gt(on)))
        .into_boxed();
    if let Some(t) = town_id {
        q = q.filter(posts::town_id.eq(t));
    }
    Ok(q.order(posts::code.asc())
        .select((posts::id, posts::town_id, posts::code, staff::id.nullable()))
        .load(conn)?)
}
