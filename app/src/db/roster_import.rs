//! Importing the roster from a spreadsheet already read and checked on its
//! own ([`crate::domain::roster_import::parse`]): the rows are checked
//! against the database (towns in the user's scope, open and free posts,
//! nobody twice on the roster), and then either every row is imported or,
//! in `all` mode, none is. Every attempt is kept with its report.
//!
//! One transaction holds the checks and the writes, so a row checked good
//! is still good when it is written; a crash leaves no partial import.
//! The same file imported again in the same mode returns the earlier
//! import.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::roster::{RosterError, may_manage_town};
use super::schema::{posts, roster_imports, staff, staff_assignments, towns};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::domain::access::{Principal, Role};
use crate::domain::roster::StaffStatus;
use crate::domain::roster_import::{Column, ImportProblem, MAX_PROBLEMS_KEPT, Parsed, Problem, RowValues};
pub use crate::domain::roster_import::{ImportMode, ImportStatus};

/// The file as uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    pub name: String,
    pub sha256: String,
    pub mode: ImportMode,
}

/// The failed rows as written, kept for the failed-rows file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedRows {
    pub headers: Vec<String>,
    /// (spreadsheet row, cells).
    pub rows: Vec<(u32, Vec<String>)>,
}

/// A stored import.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = roster_imports)]
pub struct ImportRow {
    pub id: i64,
    pub district_id: i64,
    pub created_by: i64,
    pub created_at: chrono::NaiveDateTime,
    pub file_name: String,
    pub file_sha256: String,
    pub mode: String,
    pub status: String,
    pub total_rows: i32,
    pub imported_rows: i32,
    pub failed_rows: i32,
    pub problem_count: i32,
    pub problems: String,
    pub failed: String,
}

impl ImportRow {
    pub fn problems(&self) -> Result<Vec<Problem>, DbError> {
        serde_json::from_str(&self.problems).map_err(|e| DbError::Corrupt(format!("import {}: {e}", self.id)))
    }

    pub fn failed(&self) -> Result<FailedRows, DbError> {
        serde_json::from_str(&self.failed).map_err(|e| DbError::Corrupt(format!("import {}: {e}", self.id)))
    }
}

/// May `who` import at all? Finance for the district, town users for
/// their own town (row by row).
pub fn may_import(who: &Principal) -> bool {
    who.has(Role::Finance) || (who.has(Role::Town) && who.town_id.is_some())
}

/// May `who` read import `row`? Finance reads the district's imports;
/// a town user only their own.
pub fn may_read(who: &Principal, row: &ImportRow) -> bool {
    row.district_id == who.district_id && (who.has(Role::Finance) || row.created_by == who.user_id)
}

/// Loads an import `who` may read.
pub fn load(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<ImportRow, DbError> {
    let row = roster_imports::table
        .filter(roster_imports::district_id.eq(who.district_id))
        .filter(roster_imports::id.eq(id))
        .select(ImportRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)?;
    if may_read(who, &row) { Ok(row) } else { Err(DbError::NotFound) }
}

/// The latest imports `who` may read, newest first.
pub fn recent(conn: &mut AnyConnection, who: &Principal, limit: i64) -> Result<Vec<ImportRow>, DbError> {
    let mut q = roster_imports::table.filter(roster_imports::district_id.eq(who.district_id)).into_boxed();
    if !who.has(Role::Finance) {
        q = q.filter(roster_imports::created_by.eq(who.user_id));
    }
    Ok(q.order(roster_imports::id.desc()).limit(limit).select(ImportRow::as_select()).load(conn)?)
}

/// What the database knows that the rows are checked against.
struct Known {
    /// Town code, name and English name (lower case) → id.
    towns: HashMap<String, i64>,
    /// Post code → (id, town, open today).
    posts: HashMap<String, (i64, i64, bool)>,
    /// Posts someone holds.
    held: HashSet<i64>,
    /// Identity numbers of people on the roster who have not left.
    people: HashSet<String>,
}

impl Known {
    fn load(conn: &mut AnyConnection, district_id: i64, today: NaiveDate) -> Result<Known, DbError> {
        let mut towns = HashMap::new();
        for (id, code, name, name_en) in towns::table
            .filter(towns::district_id.eq(district_id))
            .select((towns::id, towns::code, towns::name, towns::name_en))
            .load::<(i64, String, String, String)>(conn)?
        {
            for key in [code, name, name_en] {
                if !key.trim().is_empty() {
                    towns.insert(key.trim().to_lowercase(), id);
                }
            }
        }
        let posts = posts::table
            .filter(posts::district_id.eq(district_id))
            .select((posts::id, posts::town_id, posts::code, posts::established_on, posts::abolished_on))
            .load::<(i64, i64, String, NaiveDate, Option<NaiveDate>)>(conn)?
            .into_iter()
            .map(|(id, town, code, from, until)| {
                (code.to_uppercase(), (id, town, from <= today && until.is_none_or(|u| u > today)))
            })
            .collect();
        let held = staff::table
            .filter(staff::district_id.eq(district_id))
            .filter(staff::post_id.is_not_null())
            .select(staff::post_id.assume_not_null())
            .load::<i64>(conn)?
            .into_iter()
            .collect();
        let people = staff::table
            .filter(staff::district_id.eq(district_id))
            .filter(staff::status.ne(StaffStatus::Left.code()))
            .select(staff::id_number)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        Ok(Known { towns, posts, held, people })
    }
}

/// A row ready to insert.
struct Hire<'a> {
    row: u32,
    values: &'a RowValues,
    town_id: i64,
    post_id: Option<i64>,
}

/// Checks the parsed rows against the database and imports them (see the
/// module documentation). Returns the import's id; the import is
/// recorded whatever its outcome.
pub fn run(
    tx: &mut Tx<'_>,
    who: &Principal,
    file: &ImportFile,
    parsed: &Parsed,
    today: NaiveDate,
) -> Result<i64, RosterError> {
    if !may_import(who) {
        return Err(RosterError::OutOfScope);
    }
    let earlier: Option<i64> = roster_imports::table
        .filter(roster_imports::district_id.eq(who.district_id))
        .filter(roster_imports::file_sha256.eq(&file.sha256))
        .filter(roster_imports::mode.eq(file.mode.code()))
        .filter(roster_imports::status.ne(ImportStatus::Rejected.code()))
        .select(roster_imports::id)
        .first(tx.conn())
        .optional()?;
    if let Some(id) = earlier {
        tx.nothing_changed();
        return Ok(id);
    }

    let mut problems = parsed.problems.clone();
    let mut hires = Vec::new();
    if !parsed.fatal() {
        let known = Known::load(tx.conn(), who.district_id, today)?;
        let mut posts_used: HashMap<i64, u32> = HashMap::new();
        for row in &parsed.rows {
            let Some(values) = &row.values else { continue };
            let mut row_problems = Vec::new();
            let mut problem = |column: Column, p: ImportProblem| {
                row_problems.push(Problem {
                    row: row.row,
                    col: parsed.columns.get(&column).copied(),
                    column: Some(column),
                    problem: p,
                });
            };
            if known.people.contains(&values.person.id_number) {
                problem(Column::IdNumber, ImportProblem::AlreadyOnRoster);
            }
            let town_id = known.towns.get(&values.town.trim().to_lowercase()).copied();
            match town_id {
                None => problem(Column::Town, ImportProblem::UnknownTown),
                Some(t) if !may_manage_town(who, t) => problem(Column::Town, ImportProblem::TownOutOfScope),
                Some(_) => {}
            }
            let mut post_id = None;
            if let Some(code) = &values.post {
                match known.posts.get(&code.trim().to_uppercase()) {
                    None => problem(Column::Post, ImportProblem::UnknownPost),
                    Some((_, _, false)) => problem(Column::Post, ImportProblem::PostClosed),
                    Some((_, t, _)) if town_id.is_some_and(|town| town != *t) => {
                        problem(Column::Post, ImportProblem::PostInOtherTown)
                    }
                    Some((id, _, _)) if known.held.contains(id) => {
                        problem(Column::Post, ImportProblem::PostTaken)
                    }
                    Some((id, _, _)) => match posts_used.get(id) {
                        Some(first_row) => {
                            problem(Column::Post, ImportProblem::PostTwiceInFile { first_row: *first_row })
                        }
                        None => {
                            posts_used.insert(*id, row.row);
                            post_id = Some(*id);
                        }
                    },
                }
            }
            match (row_problems.is_empty(), town_id) {
                (true, Some(town_id)) => hires.push(Hire { row: row.row, values, town_id, post_id }),
                _ => problems.append(&mut row_problems),
            }
        }
    }
    problems.sort_by_key(|p| (p.row, p.col));

    let good: HashSet<u32> = hires.iter().map(|h| h.row).collect();
    let failed = FailedRows {
        headers: parsed.headers.clone(),
        rows: parsed.rows.iter().filter(|r| !good.contains(&r.row)).map(|r| (r.row, r.raw.clone())).collect(),
    };
    let total = parsed.rows.len();
    let status = if hires.is_empty() || (file.mode == ImportMode::All && !failed.rows.is_empty()) {
        ImportStatus::Rejected
    } else if failed.rows.is_empty() {
        ImportStatus::Imported
    } else {
        ImportStatus::Partial
    };
    if status == ImportStatus::Rejected {
        hires.clear();
    }
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let problem_count = problems.len();
    problems.truncate(MAX_PROBLEMS_KEPT);
    let to_json = |v: serde_json::Result<String>| v.map_err(|e| DbError::Corrupt(e.to_string()));
    let import_id: i64 = diesel::insert_into(roster_imports::table)
        .values((
            roster_imports::district_id.eq(who.district_id),
            roster_imports::created_by.eq(who.user_id),
            roster_imports::file_name.eq(file.name.chars().take(200).collect::<String>()),
            roster_imports::file_sha256.eq(&file.sha256),
            roster_imports::mode.eq(file.mode.code()),
            roster_imports::status.eq(status.code()),
            roster_imports::total_rows.eq(count(total)),
            roster_imports::imported_rows.eq(count(hires.len())),
            roster_imports::failed_rows.eq(count(failed.rows.len())),
            roster_imports::problem_count.eq(count(problem_count)),
            roster_imports::problems.eq(to_json(serde_json::to_string(&problems))?),
            roster_imports::failed.eq(to_json(serde_json::to_string(&failed))?),
        ))
        .returning(roster_imports::id)
        .get_result(tx.conn())?;

    let staff_ids = insert_hires(tx, who, import_id, &hires)?;
    tx.record(Change::new("import", "roster_import", import_id).district(who.district_id).after(
        serde_json::json!({
            "file_name": file.name,
            "file_sha256": file.sha256,
            "mode": file.mode.code(),
            "status": status.code(),
            "total_rows": total,
            "imported_rows": hires.len(),
            "problem_count": problem_count,
            "staff_ids": staff_ids,
        }),
    ));
    Ok(import_id)
}

/// Inserts the hires and their first history rows; returns the new ids.
/// PostgreSQL takes them in batches; SQLite row by row (its statements
/// are prepared once and cached, and there is no network in between).
fn insert_hires(
    tx: &mut Tx<'_>,
    who: &Principal,
    import_id: i64,
    hires: &[Hire<'_>],
) -> Result<Vec<i64>, DbError> {
    let district_id = who.district_id;
    let note = format!("import #{import_id}");
    macro_rules! staff_values {
        ($h:expr) => {{
            let h = $h;
            let p = &h.values.person;
            let status = if h.post_id.is_some() { StaffStatus::OnDuty } else { StaffStatus::Standby };
            (
                staff::district_id.eq(district_id),
                staff::town_id.eq(h.town_id),
                staff::post_id.eq(h.post_id),
                staff::name.eq(p.name.trim()),
                staff::id_number.eq(&p.id_number),
                staff::phone.eq(p.phone.trim()),
                staff::education.eq(p.education.code()),
                staff::social_work_major.eq(p.social_work_major),
                staff::certificate.eq(p.certificate.code()),
                staff::hire_date.eq(p.hire_date),
                staff::role_level.eq(p.role_level.code()),
                staff::duties.eq(h.values.duties.trim()),
                staff::status.eq(status.code()),
            )
        }};
    }
    macro_rules! history_values {
        ($id:expr, $h:expr) => {{
            let h = $h;
            let status = if h.post_id.is_some() { StaffStatus::OnDuty } else { StaffStatus::Standby };
            (
                staff_assignments::district_id.eq(district_id),
                staff_assignments::staff_id.eq($id),
                staff_assignments::town_id.eq(h.town_id),
                staff_assignments::post_id.eq(h.post_id),
                staff_assignments::role_level.eq(h.values.person.role_level.code()),
                staff_assignments::duties.eq(h.values.duties.trim()),
                staff_assignments::status.eq(status.code()),
                staff_assignments::from_date.eq(h.values.person.hire_date),
                staff_assignments::cause.eq("import"),
                staff_assignments::note.eq(&note),
                staff_assignments::created_by.eq(Some(who.user_id)),
            )
        }};
    }
    let mut ids = Vec::with_capacity(hires.len());
    match tx.conn() {
        AnyConnection::Sqlite(conn) => {
            for h in hires {
                let id: i64 = diesel::insert_into(staff::table)
                    .values(staff_values!(h))
                    .returning(staff::id)
                    .get_result(conn)?;
                diesel::insert_into(staff_assignments::table).values(history_values!(id, h)).execute(conn)?;
                ids.push(id);
            }
        }
        AnyConnection::Postgresql(conn) => {
            // 13 and 11 parameters a row: 2,000 rows stay far below
            // PostgreSQL's 65,535 parameters per statement.
            for chunk in hires.chunks(2_000) {
                let rows: Vec<_> = chunk.iter().map(|h| staff_values!(h)).collect();
                let inserted: Vec<(i64, String)> = diesel::insert_into(staff::table)
                    .values(rows)
                    .returning((staff::id, staff::id_number))
                    .get_results(conn)?;
                let by_number: HashMap<&str, i64> =
                    inserted.iter().map(|(id, n)| (n.as_str(), *id)).collect();
                let mut history = Vec::with_capacity(chunk.len());
                for h in chunk {
                    let id = *by_number
                        .get(h.values.person.id_number.as_str())
                        .ok_or_else(|| DbError::Corrupt("import: inserted row not returned".into()))?;
                    ids.push(id);
                    history.push(history_values!(id, h));
                }
                diesel::insert_into(staff_assignments::table).values(history).execute(conn)?;
            }
        }
    }
    Ok(ids)
}
