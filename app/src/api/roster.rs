//! The roster of full-time assistants: listing (identity numbers masked
//! except for finance and admin), hiring, exceptions below 大专, change
//! requests, corrections and leaving.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::domain::idcard::Gender;
use crate::domain::roster::{Certificate, Education, PersonInput, RoleLevel, StaffStatus, Tenure};
use crate::error::AppError;

/// A new hire: who, where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHire {
    pub person: PersonInput,
    pub town_id: i64,
    /// The post taken; `None` hires on standby (待岗).
    pub post_id: Option<i64>,
    pub duties: String,
}

/// The payload of a [`ApprovalKind::HiringException`] item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiringException {
    pub hire: NewHire,
    pub reason: String,
}

/// A requested change of town, post, role level or duties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffChange {
    pub staff_id: i64,
    /// The version of the person the request was made against.
    pub staff_version: i32,
    pub town_id: i64,
    /// `None`: no post (待岗).
    pub post_id: Option<i64>,
    pub role_level: RoleLevel,
    pub duties: String,
    pub effective_on: NaiveDate,
    pub reason: String,
}

/// Details that may be corrected directly (not town, post, role level or
/// duties).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsEdit {
    pub staff_id: i64,
    pub version: i32,
    pub person: PersonInput,
}

/// One row of a person's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    pub town_id: i64,
    pub post_id: Option<i64>,
    pub role_level: String,
    pub duties: String,
    pub status: String,
    pub from_date: NaiveDate,
    pub cause: String,
    pub approval_id: Option<i64>,
    pub note: String,
}

/// A person as the roster shows them to the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    /// Whole for finance and admin, masked (`110***********002X`) for
    /// everyone else.
    pub id_number: String,
    pub id_masked: bool,
    pub gender: Option<Gender>,
    /// Only with the whole identity number.
    pub birth_date: Option<NaiveDate>,
    pub phone: String,
    pub education: Education,
    pub social_work_major: bool,
    pub certificate: Certificate,
    /// Social-work degree or qualification (seed 002's preference).
    pub social_work_background: bool,
    pub hire_date: NaiveDate,
    pub tenure: Tenure,
    pub town_id: i64,
    pub town: String,
    pub town_en: String,
    pub post_id: Option<i64>,
    pub post_code: Option<String>,
    pub role_level: RoleLevel,
    pub duties: String,
    pub status: StaffStatus,
    pub left_on: Option<NaiveDate>,
    /// Hired below 大专 under this approved exception.
    pub education_exception_id: Option<i64>,
    pub version: i32,
}

/// The roster page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterPage {
    pub today: NaiveDate,
    pub people: Vec<PersonView>,
    /// Towns the viewer may see: (id, code, name, name_en).
    pub towns: Vec<(i64, String, String, String)>,
    /// Vacant open posts the viewer may fill: (post id, town id, code).
    pub vacant_posts: Vec<(i64, i64, String)>,
    /// The viewer may hire and propose changes (finance; town users in
    /// their own town).
    pub may_edit: bool,
}

/// What the person page's forms offer: towns and vacant posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormChoices {
    pub today: NaiveDate,
    /// Towns the viewer may see: (id, code, name, name_en).
    pub towns: Vec<(i64, String, String, String)>,
    /// Vacant open posts the viewer may fill: (post id, town id, code).
    pub vacant_posts: Vec<(i64, i64, String)>,
}

/// One person with their history and pending requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetail {
    pub person: PersonView,
    pub history: Vec<AssignmentRow>,
    /// Change requests about this person: (approval id, status code,
    /// summary).
    pub requests: Vec<(i64, String, String)>,
    pub may_edit: bool,
}

/// What hiring did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HireOutcome {
    Hired {
        staff_id: i64,
    },
    /// Submitted for an approver's exception (below 大专).
    ExceptionRequested {
        approval_id: i64,
    },
}

#[server(prefix = "/api", endpoint = "roster")]
pub async fn roster(town_id: Option<i64>) -> Result<RosterPage, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("roster")?;
        super::with_db(move |conn| ssr::page(conn, &p, town_id)).await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/api", endpoint = "roster_choices")]
pub async fn roster_choices() -> Result<FormChoices, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("roster_choices")?;
        super::with_db(move |conn| ssr::choices(conn, &p)).await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/api", endpoint = "person")]
pub async fn person(staff_id: i64) -> Result<PersonDetail, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("person")?;
        super::with_db(move |conn| ssr::detail(conn, &p, staff_id)).await
    }
    .await;
    super::finish(result)
}

/// Hires a person; below 大专 only with `exception_reason`, which submits
/// the hire for an approver's exception instead.
#[server(prefix = "/api", endpoint = "hire_person", input = Json)]
pub async fn hire_person(hire: NewHire, exception_reason: Option<String>) -> Result<HireOutcome, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("hire_person")?;
        let actor = crate::auth::actor(Some(&p));
        let today = super::towns::ssr::today();
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| match exception_reason.as_deref() {
                Some(reason) if !hire.person.education.meets_hiring_minimum() => {
                    crate::db::roster::submit_hiring_exception(tx, &p, &hire, reason, today)
                        .map(|approval_id| HireOutcome::ExceptionRequested { approval_id })
                }
                _ => crate::db::roster::hire(tx, &p, &hire, today, None)
                    .map(|staff_id| HireOutcome::Hired { staff_id }),
            })
            .map_err(ssr::from_roster)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Proposes a change of town, post, role level or duties.
#[server(prefix = "/api", endpoint = "propose_staff_change", input = Json)]
pub async fn propose_staff_change(change: StaffChange) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("propose_staff_change")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::roster::propose_change(tx, &p, &change))
                .map_err(ssr::from_roster)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Corrects a person's details (not town, post, role level or duties).
#[server(prefix = "/api", endpoint = "edit_person", input = Json)]
pub async fn edit_person(edit: DetailsEdit) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("edit_person")?;
        let actor = crate::auth::actor(Some(&p));
        let today = super::towns::ssr::today();
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::roster::edit_details(tx, &p, &edit, today))
                .map_err(ssr::from_roster)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Records that a person left.
#[server(prefix = "/api", endpoint = "record_leaving", input = Json)]
pub async fn record_leaving(
    staff_id: i64,
    version: i32,
    on: NaiveDate,
    note: String,
) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("record_leaving")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::roster::record_leaving(tx, &p, staff_id, version, on, &note)
            })
            .map_err(ssr::from_roster)
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
    use crate::db::roster::{RosterError, StaffRow};
    use crate::db::{AnyConnection, DbError, district, roster as db};
    use crate::domain::access::{Principal, Role};
    use crate::domain::idcard::{IdNumber, mask};
    use crate::domain::roster::{has_social_work_background, tenure};

    pub fn from_roster(e: RosterError) -> AppError {
        match e {
            RosterError::Invalid(v) => AppError::Person(v),
            RosterError::Duplicate => AppError::DuplicatePerson,
            RosterError::PostUnavailable => AppError::PostUnavailable,
            RosterError::OutOfScope => AppError::Forbidden,
            RosterError::HasLeft => AppError::PersonHasLeft,
            RosterError::NoChange => AppError::NoChange,
            RosterError::ReasonRequired => AppError::ReasonRequired,
            RosterError::Approval(p) => AppError::Approval(p),
            RosterError::Db(d) => super::super::from_db(d),
        }
    }

    /// May `p` see identity numbers whole?
    pub fn sees_full_ids(p: &Principal) -> bool {
        p.has_any(&[Role::Finance, Role::Admin])
    }

    pub struct Lookup {
        towns: HashMap<i64, (String, String)>,
        posts: HashMap<i64, String>,
    }

    impl Lookup {
        pub fn load(conn: &mut AnyConnection, district_id: i64) -> Result<Lookup, DbError> {
            use crate::db::schema::{posts, towns};
            use diesel::prelude::*;
            let towns = towns::table
                .filter(towns::district_id.eq(district_id))
                .select((towns::id, towns::name, towns::name_en))
                .load::<(i64, String, String)>(conn)?
                .into_iter()
                .map(|(id, n, e)| (id, (n, e)))
                .collect();
            let posts = posts::table
                .filter(posts::district_id.eq(district_id))
                .select((posts::id, posts::code))
                .load::<(i64, String)>(conn)?
                .into_iter()
                .collect();
            Ok(Lookup { towns, posts })
        }
    }

    pub fn view(
        row: &StaffRow,
        full: bool,
        today: NaiveDate,
        lookup: &Lookup,
    ) -> Result<PersonView, DbError> {
        let person = row.person()?;
        let id = IdNumber::parse(&row.id_number).ok();
        let (town, town_en) = lookup.towns.get(&row.town_id).cloned().unwrap_or_default();
        let until = row.left_on.unwrap_or(today);
        Ok(PersonView {
            id: row.id,
            name: row.name.clone(),
            id_number: if full { row.id_number.clone() } else { mask(&row.id_number) },
            id_masked: !full,
            gender: id.as_ref().map(IdNumber::gender),
            birth_date: if full { id.as_ref().map(IdNumber::birth_date) } else { None },
            phone: row.phone.clone(),
            education: person.education,
            social_work_major: row.social_work_major,
            certificate: person.certificate,
            social_work_background: has_social_work_background(row.social_work_major, person.certificate),
            hire_date: row.hire_date,
            tenure: tenure(row.hire_date, until),
            town_id: row.town_id,
            town,
            town_en,
            post_id: row.post_id,
            post_code: row.post_id.and_then(|p| lookup.posts.get(&p).cloned()),
            role_level: person.role_level,
            duties: row.duties.clone(),
            status: row.status()?,
            left_on: row.left_on,
            education_exception_id: row.education_exception_id,
            version: row.version,
        })
    }

    /// The roster as `p` may see it: a town user only their own town.
    pub fn people(
        conn: &mut AnyConnection,
        p: &Principal,
        town_id: Option<i64>,
    ) -> Result<Vec<PersonView>, AppError> {
        if !p.may_see_staffing() {
            return Err(AppError::Forbidden);
        }
        let town_id = if p.sees_whole_district() { town_id } else { p.town_id };
        let today = super::super::towns::ssr::today();
        let lookup = Lookup::load(conn, p.district_id)?;
        let full = sees_full_ids(p);
        db::list(conn, p.district_id, town_id)?
            .iter()
            .filter(|r| p.may_see_town(r.town_id))
            .map(|r| view(r, full, today, &lookup).map_err(AppError::from))
            .collect()
    }

    pub fn page(
        conn: &mut AnyConnection,
        p: &Principal,
        town_id: Option<i64>,
    ) -> Result<RosterPage, AppError> {
        let people = people(conn, p, town_id)?;
        let FormChoices { today, towns, vacant_posts } = choices(conn, p)?;
        let may_edit = p.has(Role::Finance) || (p.has(Role::Town) && p.town_id.is_some());
        Ok(RosterPage { today, people, towns, vacant_posts, may_edit })
    }

    pub fn choices(conn: &mut AnyConnection, p: &Principal) -> Result<FormChoices, AppError> {
        if !p.may_see_staffing() {
            return Err(AppError::Forbidden);
        }
        let today = super::super::towns::ssr::today();
        let towns = district::staffing_as_of(conn, p.district_id, today)?
            .into_iter()
            .filter(|(id, _)| p.may_see_town(*id))
            .map(|(id, t)| (id, t.code, t.name, t.name_en))
            .collect();
        let vacant_posts = db::open_posts(conn, p.district_id, None, today)?
            .into_iter()
            .filter(|(_, town, _, holder)| holder.is_none() && db::may_manage_town(p, *town))
            .map(|(id, town, code, _)| (id, town, code))
            .collect();
        Ok(FormChoices { today, towns, vacant_posts })
    }

    pub fn detail(conn: &mut AnyConnection, p: &Principal, staff_id: i64) -> Result<PersonDetail, AppError> {
        let row = StaffRow::load(conn, p.district_id, staff_id)?;
        if !p.may_see_town(row.town_id) {
            return Err(AppError::NotFound);
        }
        let today = super::super::towns::ssr::today();
        let lookup = Lookup::load(conn, p.district_id)?;
        let person = view(&row, sees_full_ids(p), today, &lookup)?;
        let history = db::assignments(conn, p.district_id, staff_id)?;
        let requests = {
            use crate::db::schema::approvals;
            use diesel::prelude::*;
            approvals::table
                .filter(approvals::district_id.eq(p.district_id))
                .filter(approvals::entity.eq("staff"))
                .filter(approvals::entity_id.eq(Some(staff_id)))
                .order(approvals::id.desc())
                .select((approvals::id, approvals::status, approvals::summary))
                .load::<(i64, String, String)>(conn)
                .map_err(DbError::from)?
        };
        Ok(PersonDetail { person, history, requests, may_edit: db::may_manage_town(p, row.town_id) })
    }
}
