//! Districts, their towns, town profiles and posts: rows, inserts and the
//! staffing query behind the dashboard and the staffing summary.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{districts, posts, town_profiles, towns};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::domain::staffing::{TownKind, TownStaffing};

/// A district row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = districts)]
pub struct District {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
}

/// A district to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = districts)]
pub struct NewDistrict<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub name_en: &'a str,
}

/// A town row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = towns)]
pub struct Town {
    pub id: i64,
    pub district_id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
}

/// A town to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = towns)]
pub struct NewTown<'a> {
    pub district_id: i64,
    pub code: &'a str,
    pub name: &'a str,
    pub name_en: &'a str,
    pub kind: &'a str,
}

/// A town profile row: the figures in force from `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = town_profiles)]
pub struct TownProfile {
    pub town_id: i64,
    pub effective_from: NaiveDate,
    pub communities: i32,
    pub villages: i32,
    pub population: i64,
}

/// A town profile to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = town_profiles)]
pub struct NewTownProfile {
    pub district_id: i64,
    pub town_id: i64,
    pub effective_from: NaiveDate,
    pub communities: i32,
    pub villages: i32,
    pub population: i64,
}

/// A post to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = posts)]
pub struct NewPost<'a> {
    pub district_id: i64,
    pub town_id: i64,
    pub code: &'a str,
    pub established_on: NaiveDate,
}

impl District {
    /// The district with this administrative division code, if any.
    pub fn find_by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<District>, DbError> {
        Ok(districts::table
            .filter(districts::code.eq(code))
            .select(District::as_select())
            .first(conn)
            .optional()?)
    }

    /// The district with this id, if any.
    pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<District>, DbError> {
        Ok(districts::table.find(id).select(District::as_select()).first(conn).optional()?)
    }

    /// Inserts a district and returns its id.
    pub fn insert(tx: &mut Tx<'_>, new: &NewDistrict<'_>) -> Result<i64, DbError> {
        let id: i64 = diesel::insert_into(districts::table)
            .values(new)
            .returning(districts::id)
            .get_result(tx.conn())?;
        tx.record(Change::new("create", "districts", id).district(id).after(serde_json::json!({
            "code": new.code, "name": new.name, "name_en": new.name_en,
        })));
        Ok(id)
    }
}

impl Town {
    /// Inserts a town and returns its id.
    pub fn insert(tx: &mut Tx<'_>, new: &NewTown<'_>) -> Result<i64, DbError> {
        let id: i64 =
            diesel::insert_into(towns::table).values(new).returning(towns::id).get_result(tx.conn())?;
        tx.record(Change::new("create", "towns", id).district(new.district_id).after(serde_json::json!({
            "code": new.code, "name": new.name, "name_en": new.name_en, "kind": new.kind,
        })));
        Ok(id)
    }
}

impl TownProfile {
    /// Inserts a town profile.
    pub fn insert(tx: &mut Tx<'_>, new: &NewTownProfile) -> Result<(), DbError> {
        let id: i64 = diesel::insert_into(town_profiles::table)
            .values(new)
            .returning(town_profiles::id)
            .get_result(tx.conn())?;
        tx.record(Change::new("create", "town_profiles", id).district(new.district_id).after(
            serde_json::json!({
                "town_id": new.town_id, "effective_from": new.effective_from, "communities": new.communities,
                "villages": new.villages, "population": new.population,
            }),
        ));
        Ok(())
    }
}

impl NewPost<'_> {
    /// Inserts the post.
    pub fn insert(&self, tx: &mut Tx<'_>) -> Result<(), DbError> {
        let id: i64 =
            diesel::insert_into(posts::table).values(self).returning(posts::id).get_result(tx.conn())?;
        tx.record(Change::new("create", "posts", id).district(self.district_id).after(serde_json::json!({
            "code": self.code, "town_id": self.town_id, "established_on": self.established_on,
        })));
        Ok(())
    }
}

/// The (code, id) of every town of `district_id`.
pub fn town_ids_by_code(conn: &mut AnyConnection, district_id: i64) -> Result<Vec<(String, i64)>, DbError> {
    Ok(towns::table.filter(towns::district_id.eq(district_id)).select((towns::code, towns::id)).load(conn)?)
}

/// Each town of `district_id` (with its id) with the profile in force on
/// `date` and the number of posts open on `date`, ordered by town code. A
/// town without a profile yet shows zeros rather than disappearing.
pub fn staffing_as_of(
    conn: &mut AnyConnection,
    district_id: i64,
    date: NaiveDate,
) -> Result<Vec<(i64, TownStaffing)>, DbError> {
    let town_rows: Vec<Town> = towns::table
        .filter(towns::district_id.eq(district_id))
        .order(towns::code.asc())
        .select(Town::as_select())
        .load(conn)?;

    // Newest first, so the first profile seen per town is the one in force.
    let profile_rows: Vec<TownProfile> = town_profiles::table
        .filter(town_profiles::district_id.eq(district_id))
        .filter(town_profiles::effective_from.le(date))
        .order((town_profiles::town_id.asc(), town_profiles::effective_from.desc()))
        .select(TownProfile::as_select())
        .load(conn)?;
    let mut profiles: HashMap<i64, TownProfile> = HashMap::new();
    for p in profile_rows {
        profiles.entry(p.town_id).or_insert(p);
    }

    let post_counts: HashMap<i64, i64> = posts::table
        .filter(posts::district_id.eq(district_id))
        .filter(posts::established_on.le(date))
        .filter(posts::abolished_on.is_null().or(posts::abolished_on.gt(date)))
        .group_by(posts::town_id)
        .select((posts::town_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();

    town_rows
        .into_iter()
        .map(|t| {
            let corrupt = |what: &str| DbError::Corrupt(format!("town {} has an invalid {what}", t.id));
            let kind = TownKind::from_code(&t.kind).ok_or_else(|| corrupt("kind"))?;
            let (communities, villages, population) = match profiles.get(&t.id) {
                Some(p) => (
                    u32::try_from(p.communities).map_err(|_| corrupt("number of communities"))?,
                    u32::try_from(p.villages).map_err(|_| corrupt("number of villages"))?,
                    u64::try_from(p.population).map_err(|_| corrupt("population"))?,
                ),
                None => (0, 0, 0),
            };
            let posts = post_counts.get(&t.id).copied().unwrap_or(0);
            Ok((
                t.id,
                TownStaffing {
                    communities,
                    villages,
                    population,
                    posts: u32::try_from(posts).map_err(|_| corrupt("number of posts"))?,
                    code: t.code,
                    name: t.name,
                    name_en: t.name_en,
                    kind,
                },
            ))
        })
        .collect()
}
