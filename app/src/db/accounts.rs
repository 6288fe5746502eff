//! Users, their roles and scope, and service organisations (the scope of
//! provider users). Writes go through [`super::write::Tx`] and record
//! before/after snapshots that never contain the password hash.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{suppliers, towns, user_roles, users};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::api::admin::{Choice, UserSummary};
use crate::domain::access::{Principal, Role};

/// A user row (the password hash stays in the database layer).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub district_id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub town_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub disabled_at: Option<NaiveDateTime>,
    pub failures_cleared_at: Option<NaiveDateTime>,
    pub version: i32,
}

/// What the audit log keeps of a user: everything but the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSnapshot {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<&'static str>,
    pub town_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub version: i32,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub district_id: i64,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub roles: &'a [Role],
    pub town_id: Option<i64>,
    pub supplier_id: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct UserInsert<'a> {
    district_id: i64,
    username: &'a str,
    display_name: &'a str,
    password_hash: &'a str,
    must_change_password: bool,
    town_id: Option<i64>,
    supplier_id: Option<i64>,
}

impl UserRow {
    pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<UserRow>, DbError> {
        Ok(users::table.find(id).select(UserRow::as_select()).first(conn).optional()?)
    }

    pub fn find_by_username(conn: &mut AnyConnection, username: &str) -> Result<Option<UserRow>, DbError> {
        Ok(users::table
            .filter(users::username.eq(username))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?)
    }

    /// The user's roles.
    pub fn roles(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<Role>, DbError> {
        let codes: Vec<String> =
            user_roles::table.filter(user_roles::user_id.eq(user_id)).select(user_roles::role).load(conn)?;
        let mut roles: Vec<Role> = codes.iter().filter_map(|c| Role::from_code(c)).collect();
        roles.sort();
        Ok(roles)
    }

    /// The principal this user signs in as.
    pub fn principal(self, roles: Vec<Role>) -> Principal {
        Principal {
            user_id: self.id,
            district_id: self.district_id,
            username: self.username,
            display_name: self.display_name,
            roles,
            town_id: self.town_id,
            supplier_id: self.supplier_id,
            must_change_password: self.must_change_password,
        }
    }

    pub fn snapshot(&self, roles: &[Role]) -> UserSnapshot {
        UserSnapshot {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            roles: roles.iter().map(|r| r.code()).collect(),
            town_id: self.town_id,
            supplier_id: self.supplier_id,
            must_change_password: self.must_change_password,
            disabled: self.disabled_at.is_some(),
            version: self.version,
        }
    }

    /// Loads a user of `district_id` with roles, or `None`.
    pub fn load_in_district(
        conn: &mut AnyConnection,
        district_id: i64,
        id: i64,
    ) -> Result<Option<(UserRow, Vec<Role>)>, DbError> {
        match UserRow::find(conn, id)? {
            Some(u) if u.district_id == district_id => {
                let roles = UserRow::roles(conn, u.id)?;
                Ok(Some((u, roles)))
            }
            _ => Ok(None),
        }
    }
}

/// True when no user exists at all (a new installation).
pub fn no_users(conn: &mut AnyConnection) -> Result<bool, DbError> {
    Ok(users::table.select(users::id).first::<i64>(conn).optional()?.is_none())
}

/// Creates a user with roles; returns the id. `Err(DbError::Conflict)`
/// when the user name is taken.
pub fn create_user(tx: &mut Tx<'_>, new: &NewUser<'_>) -> Result<i64, DbError> {
    let taken =
        users::table.filter(users::username.eq(new.username)).count().get_result::<i64>(tx.conn())? > 0;
    if taken {
        return Err(DbError::Conflict);
    }
    let id: i64 = diesel::insert_into(users::table)
        .values(UserInsert {
            district_id: new.district_id,
            username: new.username,
            display_name: new.display_name,
            password_hash: new.password_hash,
            must_change_password: new.must_change_password,
            town_id: new.town_id,
            supplier_id: new.supplier_id,
        })
        .returning(users::id)
        .get_result(tx.conn())?;
    set_roles(tx.conn(), new.district_id, id, new.roles)?;
    let row = UserRow::find(tx.conn(), id)?.ok_or(DbError::NotFound)?;
    tx.record(Change::new("create", "users", id).district(new.district_id).after(row.snapshot(new.roles)));
    Ok(id)
}

fn set_roles(
    conn: &mut AnyConnection,
    district_id: i64,
    user_id: i64,
    roles: &[Role],
) -> Result<(), DbError> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    for role in roles {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::district_id.eq(district_id),
                user_roles::user_id.eq(user_id),
                user_roles::role.eq(role.code()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Bumps the version of `user` if it is still `expected_version`;
/// `Err(DbError::Stale)` when someone changed the user meanwhile.
fn bump_version(conn: &mut AnyConnection, user: &UserRow, expected_version: i32) -> Result<(), DbError> {
    let n = diesel::update(
        users::table.filter(users::id.eq(user.id)).filter(users::version.eq(expected_version)),
    )
    .set(users::version.eq(expected_version + 1))
    .execute(conn)?;
    if n == 1 { Ok(()) } else { Err(DbError::Stale) }
}

/// An edit of a user's profile, roles and scope by an administrator.
#[derive(Debug, Clone)]
pub struct UserEdit<'a> {
    pub display_name: &'a str,
    pub roles: &'a [Role],
    pub town_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub expected_version: i32,
}

/// Applies an edit to `user_id`; the caller has checked roles and scope.
pub fn update_user(
    tx: &mut Tx<'_>,
    district_id: i64,
    user_id: i64,
    edit: &UserEdit<'_>,
) -> Result<(), DbError> {
    let (before, before_roles) =
        UserRow::load_in_district(tx.conn(), district_id, user_id)?.ok_or(DbError::NotFound)?;
    bump_version(tx.conn(), &before, edit.expected_version)?;
    diesel::update(users::table.find(user_id))
        .set((
            users::display_name.eq(edit.display_name),
            users::town_id.eq(edit.town_id),
            users::supplier_id.eq(edit.supplier_id),
        ))
        .execute(tx.conn())?;
    set_roles(tx.conn(), district_id, user_id, edit.roles)?;
    let after = UserRow::find(tx.conn(), user_id)?.ok_or(DbError::NotFound)?;
    tx.record(
        Change::new("update", "users", user_id)
            .district(district_id)
            .before(before.snapshot(&before_roles))
            .after(after.snapshot(edit.roles)),
    );
    Ok(())
}

/// Adds one role to a user (an approved grant).
pub fn grant_role(tx: &mut Tx<'_>, district_id: i64, user_id: i64, role: Role) -> Result<(), DbError> {
    let (row, roles) =
        UserRow::load_in_district(tx.conn(), district_id, user_id)?.ok_or(DbError::NotFound)?;
    if roles.contains(&role) {
        tx.nothing_changed();
        return Ok(());
    }
    let mut new_roles = roles.clone();
    new_roles.push(role);
    new_roles.sort();
    bump_version(tx.conn(), &row, row.version)?;
    set_roles(tx.conn(), district_id, user_id, &new_roles)?;
    let after = UserRow::find(tx.conn(), user_id)?.ok_or(DbError::NotFound)?;
    tx.record(
        Change::new("grant_role", "users", user_id)
            .district(district_id)
            .before(row.snapshot(&roles))
            .after(after.snapshot(&new_roles)),
    );
    Ok(())
}

/// Disables or re-enables a user. Disabling takes effect at once: every
/// request checks the flag (see [`super::sessions`]).
pub fn set_disabled(tx: &mut Tx<'_>, district_id: i64, user_id: i64, disabled: bool) -> Result<(), DbError> {
    let (before, roles) =
        UserRow::load_in_district(tx.conn(), district_id, user_id)?.ok_or(DbError::NotFound)?;
    if before.disabled_at.is_some() == disabled {
        tx.nothing_changed();
        return Ok(());
    }
    let now = chrono::Utc::now().naive_utc();
    bump_version(tx.conn(), &before, before.version)?;
    diesel::update(users::table.find(user_id))
        .set(users::disabled_at.eq(disabled.then_some(now)))
        .execute(tx.conn())?;
    if disabled {
        super::sessions::revoke_all_for_user(tx, user_id, None, "user disabled")?;
        super::sessions::revoke_all_tokens_for_user(tx, user_id)?;
    }
    let after = UserRow::find(tx.conn(), user_id)?.ok_or(DbError::NotFound)?;
    tx.record(
        Change::new(if disabled { "disable" } else { "enable" }, "users", user_id)
            .district(district_id)
            .before(before.snapshot(&roles))
            .after(after.snapshot(&roles)),
    );
    Ok(())
}

/// Stores a new password hash. `must_change` is set for resets by an
/// administrator and cleared when users change their own. Ends every
/// session of the user but `keep_session` and every API token (a password
/// change is what follows a suspected break-in), and clears failed logins.
pub fn set_password(
    tx: &mut Tx<'_>,
    user_id: i64,
    password_hash: &str,
    must_change: bool,
    keep_session: Option<i64>,
    action: &'static str,
) -> Result<(), DbError> {
    let before = UserRow::find(tx.conn(), user_id)?.ok_or(DbError::NotFound)?;
    let roles = UserRow::roles(tx.conn(), user_id)?;
    let now = chrono::Utc::now().naive_utc();
    bump_version(tx.conn(), &before, before.version)?;
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(must_change),
            users::failures_cleared_at.eq(Some(now)),
        ))
        .execute(tx.conn())?;
    super::sessions::revoke_all_for_user(tx, user_id, keep_session, "password changed")?;
    super::sessions::revoke_all_tokens_for_user(tx, user_id)?;
    let after = UserRow::find(tx.conn(), user_id)?.ok_or(DbError::NotFound)?;
    tx.record(
        Change::new(action, "users", user_id)
            .district(before.district_id)
            .before(before.snapshot(&roles))
            .after(after.snapshot(&roles)),
    );
    Ok(())
}

/// Every user of `district_id`, by user name.
pub fn list_users(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<UserSummary>, DbError> {
    let rows: Vec<(UserRow, Option<String>, Option<String>)> = users::table
        .left_join(towns::table.on(towns::id.nullable().eq(users::town_id)))
        .left_join(suppliers::table.on(suppliers::id.nullable().eq(users::supplier_id)))
        .filter(users::district_id.eq(district_id))
        .order(users::username.asc())
        .select((UserRow::as_select(), towns::name.nullable(), suppliers::name.nullable()))
        .load(conn)?;
    let role_rows: Vec<(i64, String)> = user_roles::table
        .filter(user_roles::district_id.eq(district_id))
        .select((user_roles::user_id, user_roles::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(u, town, supplier)| {
            let mut roles: Vec<Role> = role_rows
                .iter()
                .filter(|(id, _)| *id == u.id)
                .filter_map(|(_, code)| Role::from_code(code))
                .collect();
            roles.sort();
            UserSummary {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                roles,
                town,
                town_id: u.town_id,
                supplier,
                supplier_id: u.supplier_id,
                must_change_password: u.must_change_password,
                disabled: u.disabled_at.is_some(),
                version: u.version,
            }
        })
        .collect())
}

/// The towns of a district, for scope choices.
pub fn town_choices(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<Choice>, DbError> {
    Ok(towns::table
        .filter(towns::district_id.eq(district_id))
        .order(towns::code.asc())
        .select((towns::id, towns::name, towns::name_en))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, name_en)| Choice { id, name, name_en })
        .collect())
}

/// The service organisations of a district, for scope choices.
pub fn supplier_choices(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<Choice>, DbError> {
    Ok(suppliers::table
        .filter(suppliers::district_id.eq(district_id))
        .order(suppliers::name.asc())
        .select((suppliers::id, suppliers::name, suppliers::name_en))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, name_en)| Choice { id, name, name_en })
        .collect())
}

/// Creates a service organisation; returns its id.
pub fn create_supplier(tx: &mut Tx<'_>, district_id: i64, name: &str, name_en: &str) -> Result<i64, DbError> {
    let id: i64 = diesel::insert_into(suppliers::table)
        .values((
            suppliers::district_id.eq(district_id),
            suppliers::name.eq(name),
            suppliers::name_en.eq(name_en),
        ))
        .returning(suppliers::id)
        .get_result(tx.conn())?;
    tx.record(
        Change::new("create", "suppliers", id)
            .district(district_id)
            .after(serde_json::json!({ "name": name, "name_en": name_en })),
    );
    Ok(id)
}
