//! The demo district (示范区), modelled on seed 002: 26 towns and
//! subdistricts with 129 communities and 66 villages, a registered
//! population of 831,700 and 198 full-time assistant posts. Names and
//! per-town figures are invented; the data lives in `server/demo/`.
//!
//! Loading is idempotent: a database that already has the demo district is
//! left as it is. Later modules add their own demo data here.

use anyhow::{Context, bail};
use app::db::district::{District, NewDistrict, NewPost, NewTown, NewTownProfile, Town, TownProfile};
use app::db::{AnyConnection, Db, DbError};
use app::domain::staffing::TownKind;
use chrono::NaiveDate;
use diesel::Connection;
use serde::Deserialize;

const DISTRICT_JSON: &str = include_str!("../demo/district.json");

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
pub enum Outcome {
    Loaded { towns: usize, posts: u32 },
    AlreadyPresent,
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

/// Loads the demo district in one transaction unless it is there already.
pub fn load(db: &Db) -> anyhow::Result<Outcome> {
    let demo = parse()?;
    let mut conn = db.conn()?;
    conn.transaction::<_, DbError, _>(|conn| insert(conn, &demo)).context("loading the demo district")
}

fn insert(conn: &mut AnyConnection, demo: &DemoFile) -> Result<Outcome, DbError> {
    if District::find_by_code(conn, &demo.district.code)?.is_some() {
        return Ok(Outcome::AlreadyPresent);
    }
    let district_id = District::insert(
        conn,
        &NewDistrict {
            code: &demo.district.code,
            name: &demo.district.name,
            name_en: &demo.district.name_en,
        },
    )?;
    let mut posts = 0;
    for t in &demo.towns {
        let town_id = Town::insert(
            conn,
            &NewTown { district_id, code: &t.code, name: &t.name, name_en: &t.name_en, kind: &t.kind },
        )?;
        TownProfile::insert(
            conn,
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
            let code = format!("{}-{}-{n:02}", demo.district.code, t.code);
            NewPost { district_id, town_id, code: &code, established_on: demo.effective_from }
                .insert(conn)?;
        }
        posts += t.posts;
    }
    Ok(Outcome::Loaded { towns: demo.towns.len(), posts })
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
}
