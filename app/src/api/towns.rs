//! Towns (镇街) with their effective-dated figures, and the posts
//! overview: per town allocated posts vs filled vs the norm's minimum.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::domain::staffing::{Recipients, TownKind};
use crate::error::AppError;

/// One town as the towns and posts pages show it, on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownLine {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: TownKind,
    /// The figures in force (None before the first profile).
    pub figures_from: Option<NaiveDate>,
    pub communities: u32,
    pub villages: u32,
    pub population: u64,
    pub recipients: Recipients,
    /// Open posts on the date.
    pub posts: u32,
    /// Posts of the latest adopted plan, if any.
    pub planned: Option<u32>,
    /// The norm's minimum for the population.
    pub minimum: u32,
    /// People on duty in a post.
    pub filled: u32,
    /// People of the town without a post (待岗).
    pub standby: u32,
}

impl TownLine {
    pub fn vacancies(&self) -> u32 {
        self.posts.saturating_sub(self.filled)
    }
}

/// The towns page and the posts overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownsInfo {
    pub as_of: NaiveDate,
    pub towns: Vec<TownLine>,
    /// The latest adopted plan's number.
    pub plan_number: Option<i32>,
    /// The viewer may record new figures (finance).
    pub may_edit: bool,
}

/// One effective-dated profile of a town.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownFigures {
    pub effective_from: NaiveDate,
    pub communities: u32,
    pub villages: u32,
    pub population: u64,
    pub recipients: Recipients,
    pub note: String,
}

/// An open post: (post id, code, holder's staff id and name).
pub type PostHolder = (i64, String, Option<(i64, String)>);

/// A town's page: its current line, history of figures and posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownInfo {
    pub line: TownLine,
    pub history: Vec<TownFigures>,
    /// Open posts with their holders.
    pub posts: Vec<PostHolder>,
    pub may_edit: bool,
}

/// New figures for a town, from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiguresInput {
    pub town_id: i64,
    pub figures: TownFigures,
}

/// Largest figure accepted for a town (a sanity bound, far above any
/// real town).
pub const MAX_TOWN_FIGURE: u64 = 50_000_000;

/// The caller's towns on `as_of` (today when absent).
#[server(prefix = "/api", endpoint = "towns_overview")]
pub async fn towns_overview(as_of: Option<NaiveDate>) -> Result<TownsInfo, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("towns_overview")?;
        let date = as_of.unwrap_or_else(ssr::today);
        super::with_db(move |conn| ssr::overview(conn, &p, date)).await
    }
    .await;
    super::finish(result)
}

/// One town's detail (a town user: only their own).
#[server(prefix = "/api", endpoint = "town_detail")]
pub async fn town_detail(town_id: i64) -> Result<TownInfo, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("town_detail")?;
        if !p.may_see_town(town_id) {
            return Err(AppError::NotFound);
        }
        let date = ssr::today();
        super::with_db(move |conn| ssr::detail(conn, &p, town_id, date)).await
    }
    .await;
    super::finish(result)
}

/// Records a town's figures from a date (finance). Earlier figures stay
/// as history; a second set for the same date is refused.
#[server(prefix = "/api", endpoint = "record_town_figures", input = Json)]
pub async fn record_town_figures(input: FiguresInput) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("record_town_figures")?;
        ssr::check_figures(&input.figures)?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::district::record_figures(tx, p.district_id, input.town_id, &input.figures)
            })
            .map_err(|e| match e {
                crate::db::DbError::Conflict => AppError::AlreadyRecorded,
                other => super::from_db(other),
            })
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
    use crate::db::{AnyConnection, allocation, district, roster};
    use crate::domain::access::Principal;
    use crate::domain::roster::StaffStatus;

    pub fn today() -> NaiveDate {
        crate::domain::calendar::china_date(chrono::Utc::now())
    }

    pub fn check_figures(f: &TownFigures) -> Result<(), AppError> {
        let r = &f.recipients;
        let too_big = [u64::from(f.communities), u64::from(f.villages), f.population, r.total()]
            .into_iter()
            .any(|v| v > MAX_TOWN_FIGURE);
        if too_big {
            return Err(AppError::FigureTooLarge);
        }
        if f.note.trim().is_empty() {
            return Err(AppError::ReasonRequired);
        }
        Ok(())
    }

    /// The towns `p` may see on `date`, with posts, plan and roster counts.
    pub fn overview(conn: &mut AnyConnection, p: &Principal, date: NaiveDate) -> Result<TownsInfo, AppError> {
        if !p.may_see_staffing() {
            return Err(AppError::Forbidden);
        }
        let towns = district::staffing_as_of(conn, p.district_id, date)?;
        let from = district::profile_dates_as_of(conn, p.district_id, date)?;
        let (norms, _) = allocation::norms_in_force(conn, p.district_id, date)?;
        let plan = allocation::adopted_posts(conn, p.district_id)?;
        let people = roster::list(conn, p.district_id, None)?;
        let mut filled: HashMap<i64, u32> = HashMap::new();
        let mut standby: HashMap<i64, u32> = HashMap::new();
        for s in &people {
            match s.status()? {
                StaffStatus::OnDuty => *filled.entry(s.town_id).or_default() += 1,
                StaffStatus::Standby => *standby.entry(s.town_id).or_default() += 1,
                StaffStatus::Left => {}
            }
        }
        let lines = towns
            .into_iter()
            .filter(|(id, _)| p.may_see_town(*id))
            .map(|(id, t)| TownLine {
                id,
                figures_from: from.get(&id).copied(),
                minimum: norms.minimum_for(t.population),
                planned: plan.as_ref().and_then(|(_, lines)| lines.get(&id)).map(|&n| n as u32),
                filled: filled.get(&id).copied().unwrap_or(0),
                standby: standby.get(&id).copied().unwrap_or(0),
                code: t.code,
                name: t.name,
                name_en: t.name_en,
                kind: t.kind,
                communities: t.communities,
                villages: t.villages,
                population: t.population,
                recipients: t.recipients,
                posts: t.posts,
            })
            .collect();
        Ok(TownsInfo {
            as_of: date,
            towns: lines,
            plan_number: plan.map(|(n, _)| n),
            may_edit: p.has(crate::domain::access::Role::Finance),
        })
    }

    pub fn detail(
        conn: &mut AnyConnection,
        p: &Principal,
        town_id: i64,
        date: NaiveDate,
    ) -> Result<TownInfo, AppError> {
        let overview = overview(conn, p, date)?;
        let line = overview.towns.into_iter().find(|t| t.id == town_id).ok_or(AppError::NotFound)?;
        let history = district::figures_history(conn, p.district_id, town_id)?;
        let names: HashMap<i64, String> =
            roster::list(conn, p.district_id, Some(town_id))?.into_iter().map(|s| (s.id, s.name)).collect();
        let posts = roster::open_posts(conn, p.district_id, Some(town_id), date)?
            .into_iter()
            .map(|(id, _, code, holder)| {
                (id, code, holder.map(|h| (h, names.get(&h).cloned().unwrap_or_default())))
            })
            .collect();
        Ok(TownInfo { line, history, posts, may_edit: overview.may_edit })
    }
}
