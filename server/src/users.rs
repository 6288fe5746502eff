//! `gouzhu user ...`: accounts from the command line, for the first
//! administrator of a new installation and for emergencies. Writes go
//! through the audited write path as the `system:user` actor.

use anyhow::{Context, anyhow, bail};
use app::db::Db;
use app::db::accounts::{NewUser, UserRow, create_user, set_password};
use app::db::district::District;
use app::db::write::{Actor, write};
use app::domain::access::{Role, check_scope};
use app::domain::password::normalize_username;

use crate::config::UserCommand;

pub fn run(db: &Db, command: UserCommand) -> anyhow::Result<()> {
    let mut conn = db.conn()?;
    let actor = Actor::system("user");
    match command {
        UserCommand::Create { district, username, name, roles } => {
            let username = normalize_username(&username).map_err(|e| anyhow!("user name refused: {e:?}"))?;
            let roles = roles
                .iter()
                .map(|r| Role::from_code(r.trim()).ok_or_else(|| anyhow!("unknown role {r:?}")))
                .collect::<anyhow::Result<Vec<Role>>>()?;
            if roles.iter().any(|r| matches!(r, Role::Town | Role::Provider)) {
                bail!("town and provider users need a scope: create them in the administration page");
            }
            check_scope(&roles, None, None).map_err(|e| anyhow!("roles refused: {e:?}"))?;
            let district = District::find_by_code(&mut conn, &district)?
                .ok_or_else(|| anyhow!("no district with code {district}"))?;
            let password = app::auth::temporary_password().map_err(|e| anyhow!("{e}"))?;
            let hash = app::auth::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
            write(&mut conn, &actor.in_district(district.id), |tx| {
                create_user(
                    tx,
                    &NewUser {
                        district_id: district.id,
                        username: &username,
                        display_name: name.trim(),
                        password_hash: &hash,
                        must_change_password: true,
                        roles: &roles,
                        town_id: None,
                        supplier_id: None,
                    },
                )
            })
            .with_context(|| format!("creating {username}"))?;
            println!("created {username}; temporary password (change at first sign-in): {password}");
            Ok(())
        }
        UserCommand::ResetPassword { username } => {
            let username = username.trim().to_lowercase();
            let user = UserRow::find_by_username(&mut conn, &username)?
                .ok_or_else(|| anyhow!("no user {username}"))?;
            let password = app::auth::temporary_password().map_err(|e| anyhow!("{e}"))?;
            let hash = app::auth::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
            write(&mut conn, &actor.in_district(user.district_id), |tx| {
                set_password(tx, user.id, &hash, true, None, "reset_password")
            })?;
            println!("reset {username}; temporary password (change at next sign-in): {password}");
            Ok(())
        }
    }
}
