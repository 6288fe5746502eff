//! User administration: create, edit roles and scope, disable, reset
//! passwords. Granting a privileged role (admin, approver, auditor) goes
//! through maker-checker; everything else takes effect at once.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::domain::access::Role;
use crate::error::AppError;

/// A user as the administration page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub town: Option<String>,
    pub town_id: Option<i64>,
    pub supplier: Option<String>,
    pub supplier_id: Option<i64>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub version: i32,
}

/// A choice in a form: id and names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
    pub name_en: String,
}

/// Everything the users page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPage {
    pub users: Vec<UserSummary>,
    pub towns: Vec<Choice>,
    pub suppliers: Vec<Choice>,
    /// Role grants awaiting approval, as (user id, role).
    pub pending_grants: Vec<(i64, Role)>,
    /// The viewer may change users (admins; auditors only read).
    pub editable: bool,
    /// The viewer's own id (admins cannot disable or demote themselves).
    pub viewer_id: i64,
}

/// A user as an administrator enters them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub town_id: Option<i64>,
    pub supplier_id: Option<i64>,
}

/// What creating or editing a user did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSaved {
    pub id: i64,
    /// For new users and resets: shown once, to hand over.
    pub temporary_password: Option<String>,
    /// Privileged roles submitted for approval instead of granted.
    pub pending_grants: Vec<Role>,
}

/// The users of the caller's district.
#[server(prefix = "/api", endpoint = "list_users")]
pub async fn list_users() -> Result<UsersPage, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("list_users")?;
        let editable = p.has(Role::Admin);
        super::db()?
            .run(move |conn| {
                use crate::db::accounts;
                let users = accounts::list_users(conn, p.district_id)?;
                let mut pending_grants = Vec::new();
                for u in &users {
                    for role in Role::ALL.into_iter().filter(|r| r.is_privileged()) {
                        if crate::db::approvals::pending_grant_exists(conn, p.district_id, u.id, role)? {
                            pending_grants.push((u.id, role));
                        }
                    }
                }
                Ok(UsersPage {
                    users,
                    towns: accounts::town_choices(conn, p.district_id)?,
                    suppliers: accounts::supplier_choices(conn, p.district_id)?,
                    pending_grants,
                    editable,
                    viewer_id: p.user_id,
                })
            })
            .await
            .map_err(super::from_db)
    }
    .await;
    super::finish(result)
}

/// Creates a user with a temporary password they must change at first
/// sign-in. Privileged roles are submitted for approval.
#[server(prefix = "/api", endpoint = "create_user", input = Json)]
pub async fn create_user(input: UserInput) -> Result<UserSaved, AppError> {
    let result = async {
        let admin = crate::auth::authorize_user("create_user")?;
        let username =
            crate::domain::password::normalize_username(&input.username).map_err(AppError::Username)?;
        let display_name = ssr::clean_display_name(&input.display_name)?;
        let roles = ssr::dedup(&input.roles);
        crate::domain::access::check_scope(&roles, input.town_id, input.supplier_id)
            .map_err(AppError::Scope)?;
        let password = crate::auth::temporary_password()?;
        let hash = crate::auth::hash_password_off_thread(password.clone()).await?;
        let actor = crate::auth::actor(Some(&admin));
        let (id, pending) = super::db()?
            .run(move |conn| {
                crate::db::write::write(conn, &actor, |tx| {
                    let (direct, privileged): (Vec<Role>, Vec<Role>) =
                        roles.iter().partition(|r| !r.is_privileged());
                    let id = crate::db::accounts::create_user(
                        tx,
                        &crate::db::accounts::NewUser {
                            district_id: admin.district_id,
                            username: &username,
                            display_name: &display_name,
                            password_hash: &hash,
                            must_change_password: true,
                            roles: &direct,
                            town_id: input.town_id,
                            supplier_id: input.supplier_id,
                        },
                    )?;
                    for role in &privileged {
                        ssr::submit_grant(tx, &admin, id, &username, *role)?;
                    }
                    Ok((id, privileged))
                })
            })
            .await
            .map_err(super::from_db)?;
        Ok(UserSaved { id, temporary_password: Some(password), pending_grants: pending })
    }
    .await;
    super::finish(result)
}

/// Changes a user's display name, roles and scope. Removing roles takes
/// effect at once; added privileged roles are submitted for approval.
#[server(prefix = "/api", endpoint = "update_user", input = Json)]
pub async fn update_user(id: i64, version: i32, input: UserInput) -> Result<UserSaved, AppError> {
    let result = async {
        let admin = crate::auth::authorize_user("update_user")?;
        let display_name = ssr::clean_display_name(&input.display_name)?;
        let wanted = ssr::dedup(&input.roles);
        crate::domain::access::check_scope(&wanted, input.town_id, input.supplier_id)
            .map_err(AppError::Scope)?;
        if id == admin.user_id && !wanted.contains(&Role::Admin) {
            return Err(AppError::OwnAccount);
        }
        let actor = crate::auth::actor(Some(&admin));
        let pending = super::db()?
            .run(move |conn| {
                crate::db::write::write(conn, &actor, |tx| {
                    use crate::db::accounts::{UserEdit, UserRow, update_user};
                    let (user, current) = UserRow::load_in_district(tx.conn(), admin.district_id, id)?
                        .ok_or(crate::db::DbError::NotFound)?;
                    // Kept: what the user has and still should; granted at
                    // once: new ordinary roles; for approval: new privileged ones.
                    let mut apply: Vec<Role> = wanted
                        .iter()
                        .copied()
                        .filter(|r| current.contains(r) || !r.is_privileged())
                        .collect();
                    apply.sort();
                    let privileged: Vec<Role> = wanted
                        .iter()
                        .copied()
                        .filter(|r| !current.contains(r) && r.is_privileged())
                        .collect();
                    update_user(
                        tx,
                        admin.district_id,
                        id,
                        &UserEdit {
                            display_name: &display_name,
                            roles: &apply,
                            town_id: input.town_id,
                            supplier_id: input.supplier_id,
                            expected_version: version,
                        },
                    )?;
                    for role in &privileged {
                        if !crate::db::approvals::pending_grant_exists(
                            tx.conn(),
                            admin.district_id,
                            id,
                            *role,
                        )? {
                            ssr::submit_grant(tx, &admin, id, &user.username, *role)?;
                        }
                    }
                    Ok(privileged)
                })
            })
            .await
            .map_err(super::from_db)?;
        Ok(UserSaved { id, temporary_password: None, pending_grants: pending })
    }
    .await;
    super::finish(result)
}

/// Disables (or re-enables) a user; disabling ends their sessions and API
/// tokens at once.
#[server(prefix = "/api", endpoint = "set_user_disabled")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    let result = async {
        let admin = crate::auth::authorize_user("set_user_disabled")?;
        if id == admin.user_id {
            return Err(AppError::OwnAccount);
        }
        let actor = crate::auth::actor(Some(&admin));
        super::db()?
            .run(move |conn| {
                crate::db::write::write(conn, &actor, |tx| {
                    crate::db::accounts::set_disabled(tx, admin.district_id, id, disabled)
                })
            })
            .await
            .map_err(super::from_db)
    }
    .await;
    super::finish(result)
}

/// Gives a user a new temporary password (to change at next sign-in),
/// ends their sessions and tokens and clears a lockout. Not for users with
/// a privileged role (see below).
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(id: i64) -> Result<UserSaved, AppError> {
    let result = async {
        let admin = crate::auth::authorize_user("reset_password")?;
        if id == admin.user_id {
            return Err(AppError::OwnAccount);
        }
        let db = super::db()?;
        let district_id = admin.district_id;
        let target = db
            .run(move |conn| crate::db::accounts::UserRow::load_in_district(conn, district_id, id))
            .await
            .map_err(super::from_db)?
            .ok_or(AppError::NotFound)?;
        // A reset hands the new password to the administrator: for those who
        // approve, administer or audit that would let one administrator take
        // over the four-eyes principle. Theirs are reset on the server.
        if target.1.iter().any(|r| r.is_privileged()) {
            return Err(AppError::PrivilegedTarget);
        }
        let password = crate::auth::temporary_password()?;
        let hash = crate::auth::hash_password_off_thread(password.clone()).await?;
        let actor = crate::auth::actor(Some(&admin));
        db.run(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::accounts::set_password(tx, id, &hash, true, None, "reset_password")
            })
        })
        .await
        .map_err(super::from_db)?;
        Ok(UserSaved { id, temporary_password: Some(password), pending_grants: vec![] })
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::db::DbError;
    use crate::db::approvals::{RoleGrant, submit};
    use crate::db::write::Tx;
    use crate::domain::access::{Principal, Role};
    use crate::domain::approval::ApprovalKind;
    use crate::error::AppError;

    /// Submits the grant of `role` to `user_id` for approval.
    pub fn submit_grant(
        tx: &mut Tx<'_>,
        maker: &Principal,
        user_id: i64,
        username: &str,
        role: Role,
    ) -> Result<i64, DbError> {
        submit(
            tx,
            maker,
            ApprovalKind::RoleGrant,
            "users",
            Some(user_id),
            &format!("{username}: +{}", role.code()),
            &RoleGrant { user_id, role },
        )
    }

    pub fn clean_display_name(name: &str) -> Result<String, AppError> {
        let name: String = name.trim().chars().take(60).collect();
        if name.is_empty() { Err(AppError::DisplayNameRequired) } else { Ok(name) }
    }

    pub fn dedup(roles: &[Role]) -> Vec<Role> {
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        roles
    }
}
