//! The demo district (示范区), modelled on seed 002: 26 towns and
//! subdistricts with 129 communities and 66 villages, a registered
//! population of 831,700 and 198 full-time assistant posts, plus one
//! service organisation and one user for each role. Names and figures are
//! invented; the data lives in `server/demo/`.
//!
//! Loading is idempotent: what is already there is left as it is, what is
//! missing is added, all through the audited write path. Later modules add
//! their own demo data here.

use anyhow::{Context, bail};
use app::db::accounts::{NewUser, UserRow, create_supplier, create_user, supplier_choices};
use app::db::district::{District, NewDistrict, NewPost, NewTown, NewTownProfile, Town, TownProfile};
use app::db::write::{Actor, Tx, write};
use app::db::{Db, DbError};
use app::domain::access::Role;
use app::domain::staffing::TownKind;
use chrono::NaiveDate;
use serde::Deserialize;

const DISTRICT_JSON: &str = include_str!("../demo/district.json");

/// The password of every demo user (documented in the README).
pub const DEMO_PASSWORD: &str = "Gouzhu-Demo-2026";

/// The demo service organisation.
const DEMO_SUPPLIER: (&str, &str) = ("云溪区示范社会工作服务中心", "Yunxi Demo Social Work Service Centre");

/// One demo user per role, and a second town user for trying scope.
struct DemoUser {
    username: &'static str,
    name: &'static str,
    role: Role,
    /// Town code, for town users.
    town: Option<&'static str>,
}

const DEMO_USERS: &[DemoUser] = &[
    DemoUser { username: "admin", name: "王敏", role: Role::Admin, town: None },
    DemoUser { username: "finance", name: "李华", role: Role::Finance, town: None },
    DemoUser { username: "approver", name: "张强", role: Role::Approver, town: None },
    DemoUser { username: "town.binjiang", name: "陈静", role: Role::Town, town: Some("001") },
    DemoUser { username: "town.shuanghe", name: "周婷", role: Role::Town, town: Some("011") },
    DemoUser { username: "provider", name: "刘洋", role: Role::Provider, town: None },
    DemoUser { username: "inspector", name: "赵磊", role: Role::Inspector, town: None },
    DemoUser { username: "auditor", name: "孙丽", role: Role::Auditor, town: None },
];

#[derive(Debug, Deserialize)]
struct DemoFile {
    district: DemoDistrict,
    effective_from: NaiveDate,
    towns: Vec<DemoTown>,
}

#[derive(Debug, Deserialize)]
struct DemoDistrict {
    code: String,
    name: String,
    name_en: String,
}

#[derive(Debug, Deserialize)]
struct DemoTown {
    code: String,
    name: String,
    name_en: String,
    kind: String,
    communities: i32,
    villages: i32,
    population: i64,
    posts: u32,
}

/// What [`load`] did.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The district, its towns and posts were added (else already there).
    pub district_added: bool,
    pub users_added: usize,
}

fn parse() -> anyhow::Result<DemoFile> {
    let file: DemoFile = serde_json::from_str(DISTRICT_JSON).context("demo/district.json")?;
    for t in &file.towns {
        if TownKind::from_code(&t.kind).is_none() {
            bail!("demo town {} has unknown kind {:?}", t.code, t.kind);
        }
    }
    Ok(file)
}

/// Loads what is missing of the demo in one transaction. In `demo_mode`
/// new demo users need not change their password.
pub fn load(db: &Db, demo_mode: bool) -> anyhow::Result<Outcome> {
    let demo = parse()?;
    let password_hash = app::auth::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = db.conn()?;
    let actor = Actor::system("demo");
    write(&mut conn, &actor, |tx| {
        let (district_id, district_added) = match District::find_by_code(tx.conn(), &demo.district.code)? {
            Some(d) => (d.id, false),
            None => (insert_district(tx, &demo)?, true),
        };
        let users_added = insert_users(tx, district_id, &password_hash, !demo_mode)?;
        if !district_added && users_added == 0 {
            tx.nothing_changed();
        }
        Ok::<_, DbError>(Outcome { district_added, users_added })
    })
    .context("loading the demo district")
}

fn insert_district(tx: &mut Tx<'_>, demo: &DemoFile) -> Result<i64, DbError> {
    let d = &demo.district;
    let district_id =
        District::insert(tx, &NewDistrict { code: &d.code, name: &d.name, name_en: &d.name_en })?;
    for t in &demo.towns {
        let town_id = Town::insert(
            tx,
            &NewTown { district_id, code: &t.code, name: &t.name, name_en: &t.name_en, kind: &t.kind },
        )?;
        TownProfile::insert(
            tx,
            &NewTownProfile {
                district_id,
                town_id,
                effective_from: demo.effective_from,
                communities: t.communities,
                villages: t.villages,
                population: t.population,
            },
        )?;
        for n in 1..=t.posts {
            let code = format!("{}-{}-{n:02}", d.code, t.code);
            NewPost { district_id, town_id, code: &code, established_on: demo.effective_from }.insert(tx)?;
        }
    }
    Ok(district_id)
}

fn insert_users(
    tx: &mut Tx<'_>,
    district_id: i64,
    password_hash: &str,
    must_change: bool,
) -> Result<usize, DbError> {
    let supplier_id =
        match supplier_choices(tx.conn(), district_id)?.into_iter().find(|c| c.name == DEMO_SUPPLIER.0) {
            Some(s) => s.id,
            None => create_supplier(tx, district_id, DEMO_SUPPLIER.0, DEMO_SUPPLIER.1)?,
        };
    let town_codes = app::db::district::town_ids_by_code(tx.conn(), district_id)?;
    let mut added = 0;
    for u in DEMO_USERS {
        if UserRow::find_by_username(tx.conn(), u.username)?.is_some() {
            continue;
        }
        let town_id = u.town.and_then(|code| town_codes.iter().find(|(c, _)| c == code).map(|(_, id)| *id));
        create_user(
            tx,
            &NewUser {
                district_id,
                username: u.username,
                display_name: u.name,
                password_hash,
                must_change_password: must_change,
                roles: &[u.role],
                town_id,
                supplier_id: (u.role == Role::Provider).then_some(supplier_id),
            },
        )?;
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_matches_seed_002() {
        let demo = parse().expect("demo file parses");
        assert_eq!(demo.district.name, "云溪区");
        assert_eq!(demo.towns.len(), 26);
        assert_eq!(demo.towns.iter().map(|t| t.communities).sum::<i32>(), 129);
        assert_eq!(demo.towns.iter().map(|t| t.villages).sum::<i32>(), 66);
        assert_eq!(demo.towns.iter().map(|t| t.population).sum::<i64>(), 831_700);
        assert_eq!(demo.towns.iter().map(|t| t.posts).sum::<u32>(), 198);
    }

    #[test]
    fn demo_towns_meet_the_seed_003_minimums() {
        // Registered population under 20,000: at least 1 post; 20,000 to
        // 50,000: at least 2; over 50,000: at least 3.
        for t in parse().expect("demo file parses").towns {
            let minimum = match t.population {
                p if p < 20_000 => 1,
                p if p <= 50_000 => 2,
                _ => 3,
            };
            assert!(t.posts >= minimum, "{} has {} posts", t.name, t.posts);
        }
    }

    #[test]
    fn demo_codes_are_unique() {
        let demo = parse().expect("demo file parses");
        let mut codes: Vec<&str> = demo.towns.iter().map(|t| t.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), demo.towns.len());
    }

    #[test]
    fn there_is_a_demo_user_for_every_role_with_a_valid_password() {
        for role in Role::ALL {
            assert!(DEMO_USERS.iter().any(|u| u.role == role), "no demo user for {role:?}");
        }
        for u in DEMO_USERS {
            assert_eq!(app::domain::password::normalize_username(u.username).as_deref(), Ok(u.username));
            assert_eq!(app::domain::password::check_password(u.username, DEMO_PASSWORD), Ok(()));
            assert_eq!(u.town.is_some(), u.role == Role::Town);
        }
    }
}
