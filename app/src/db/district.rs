//! Districts, their towns, town profiles and posts: rows, inserts and the
//! staffing query behind the dashboard and the staffing summary.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{districts, posts, town_profiles, towns};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::domain::staffing::{Recipients, TownKind, TownStaffing};

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
    pub recipients_dibao: i32,
    pub recipients_tekun: i32,
    pub recipients_marginal: i32,
    pub recipients_expense: i32,
    pub note: String,
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
    pub recipients_dibao: i32,
    pub recipients_tekun: i32,
    pub recipients_marginal: i32,
    pub recipients_expense: i32,
    pub note: String,
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

    /// The first district set up (the one of a single-district
    /// installation), if any.
    pub fn first(conn: &mut AnyConnection) -> Result<Option<District>, DbError> {
        Ok(districts::table
            .order(districts::id.asc())
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
                "recipients_dibao": new.recipients_dibao, "recipients_tekun": new.recipients_tekun,
                "recipients_marginal": new.recipients_marginal, "recipients_expense": new.recipients_expense,
                "note": new.note,
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

/// The district's town names (Chinese, English) by id.
pub fn town_names(
    conn: &mut AnyConnection,
    district_id: i64,
) -> Result<HashMap<i64, (String, String)>, DbError> {
    Ok(towns::table
        .filter(towns::district_id.eq(district_id))
        .select((towns::id, towns::name, towns::name_en))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, n, e)| (id, (n, e)))
        .collect())
}

/// The id of the town of `district_id` with `code`, if there is one.
pub fn town_id_by_code(
    conn: &mut AnyConnection,
    district_id: i64,
    code: &str,
) -> Result<Option<i64>, DbError> {
    Ok(towns::table
        .filter(towns::district_id.eq(district_id))
        .filter(towns::code.eq(code))
        .select(towns::id)
        .first(conn)
        .optional()?)
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
            let (communities, villages, population, recipients) = match profiles.get(&t.id) {
                Some(p) => {
                    let count = |v: i32, what: &str| u32::try_from(v).map_err(|_| corrupt(what));
                    (
                        count(p.communities, "number of communities")?,
                        count(p.villages, "number of villages")?,
                        u64::try_from(p.population).map_err(|_| corrupt("population"))?,
                        Recipients {
                            dibao: count(p.recipients_dibao, "number of recipients")?,
                            tekun: count(p.recipients_tekun, "number of recipients")?,
                            marginal: count(p.recipients_marginal, "number of recipients")?,
                            expense: count(p.recipients_expense, "number of recipients")?,
                        },
                    )
                }
                None => (0, 0, 0, Recipients::default()),
            };
            let posts = post_counts.get(&t.id).copied().unwrap_or(0);
            Ok((
                t.id,
                TownStaffing {
                    communities,
                    villages,
                    population,
                    recipients,
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

/// The effective date of the profile in force on `date`, per town.
pub fn profile_dates_as_of(
    conn: &mut AnyConnection,
    district_id: i64,
    date: NaiveDate,
) -> Result<HashMap<i64, NaiveDate>, DbError> {
    Ok(town_profiles::table
        .filter(town_profiles::district_id.eq(district_id))
        .filter(town_profiles::effective_from.le(date))
        .group_by(town_profiles::town_id)
        .select((town_profiles::town_id, diesel::dsl::max(town_profiles::effective_from)))
        .load::<(i64, Option<NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(t, d)| d.map(|d| (t, d)))
        .collect())
}

/// Every profile of a town, newest first.
pub fn figures_history(
    conn: &mut AnyConnection,
    district_id: i64,
    town_id: i64,
) -> Result<Vec<crate::api::towns::TownFigures>, DbError> {
    let rows: Vec<TownProfile> = town_profiles::table
        .filter(town_profiles::district_id.eq(district_id))
        .filter(town_profiles::town_id.eq(town_id))
        .order(town_profiles::effective_from.desc())
        .select(TownProfile::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|p| {
            let count =
                |v: i32| u32::try_from(v).map_err(|_| DbError::Corrupt(format!("town {town_id} figures")));
            Ok(crate::api::towns::TownFigures {
                effective_from: p.effective_from,
                communities: count(p.communities)?,
                villages: count(p.villages)?,
                population: u64::try_from(p.population).map_err(|_| DbError::Corrupt("population".into()))?,
                recipients: Recipients {
                    dibao: count(p.recipients_dibao)?,
                    tekun: count(p.recipients_tekun)?,
                    marginal: count(p.recipients_marginal)?,
                    expense: count(p.recipients_expense)?,
                },
                note: p.note,
            })
        })
        .collect()
}

/// Records a town's figures from a date. The town must be in the
/// district; a profile for the same date already there is a conflict.
pub fn record_figures(
    tx: &mut Tx<'_>,
    district_id: i64,
    town_id: i64,
    f: &crate::api::towns::TownFigures,
) -> Result<(), DbError> {
    let town: i64 = towns::table
        .filter(towns::id.eq(town_id))
        .filter(towns::district_id.eq(district_id))
        .count()
        .get_result(tx.conn())?;
    if town == 0 {
        return Err(DbError::NotFound);
    }
    let exists: i64 = town_profiles::table
        .filter(town_profiles::town_id.eq(town_id))
        .filter(town_profiles::effective_from.eq(f.effective_from))
        .count()
        .get_result(tx.conn())?;
    if exists > 0 {
        return Err(DbError::Conflict);
    }
    let n = |v: u32| i32::try_from(v).map_err(|_| DbError::Corrupt("figure out of range".into()));
    TownProfile::insert(
        tx,
        &NewTownProfile {
            district_id,
            town_id,
            effective_from: f.effective_from,
            communities: n(f.communities)?,
            villages: n(f.villages)?,
            population: i64::try_from(f.population).map_err(|_| DbError::Corrupt("population".into()))?,
            recipients_dibao: n(f.recipients.dibao)?,
            recipients_tekun: n(f.recipients.tekun)?,
            recipients_marginal: n(f.recipients.marginal)?,
            recipients_expense: n(f.recipients.expense)?,
            note: f.note.trim().to_owned(),
        },
    )
}
