//! The home dashboard: the district's towns and posts.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::staffing::{StaffingTotals, TownStaffing};
use crate::error::AppError;

/// The district a page is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictInfo {
    pub code: String,
    pub name: String,
    pub name_en: String,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub district: DistrictInfo,
    /// The viewer sees the whole district (else only their own town).
    pub whole_district: bool,
    pub as_of: NaiveDate,
    pub towns: Vec<TownStaffing>,
    pub totals: StaffingTotals,
}

/// The caller's district as of today, limited to their own town for town
/// users.
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    let result = async {
        let principal = crate::auth::authorize_user("dashboard")?;
        let db = super::db()?;
        let today = crate::domain::calendar::china_date(chrono::Utc::now());
        ssr::dashboard(&db, &principal, today).await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Server side of the dashboard, also used by the staffing summary PDF.

    use super::*;
    use crate::db::Db;
    use crate::db::district::{self, District};
    use crate::domain::access::Principal;
    use crate::domain::staffing;

    /// What `principal` may see of their district's staffing on `date`.
    pub async fn dashboard(db: &Db, principal: &Principal, date: NaiveDate) -> Result<Dashboard, AppError> {
        if !principal.may_see_staffing() {
            return Err(AppError::Forbidden);
        }
        let whole_district = principal.sees_whole_district();
        let p = principal.clone();
        let found = db
            .run(move |conn| {
                let Some(d) = District::find(conn, p.district_id)? else {
                    return Ok(None);
                };
                let towns = district::staffing_as_of(conn, d.id, date)?;
                Ok(Some((d, towns)))
            })
            .await
            .map_err(crate::api::internal)?;
        let (d, towns) = found.ok_or(AppError::NoDistrict)?;
        let towns: Vec<_> =
            towns.into_iter().filter(|(id, _)| principal.may_see_town(*id)).map(|(_, town)| town).collect();
        Ok(Dashboard {
            totals: staffing::totals(&towns),
            district: DistrictInfo { code: d.code, name: d.name, name_en: d.name_en },
            whole_district,
            as_of: date,
            towns,
        })
    }
}
