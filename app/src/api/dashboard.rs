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
    pub as_of: NaiveDate,
    pub towns: Vec<TownStaffing>,
    pub totals: StaffingTotals,
}

/// The dashboard of the current district as of today.
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    let db = super::db()?;
    let today = crate::domain::calendar::china_date(chrono::Utc::now());
    ssr::dashboard(&db, today).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Server side of the dashboard, also used by the staffing summary PDF.

    use super::*;
    use crate::db::Db;
    use crate::db::district::{self, District};
    use crate::domain::staffing;

    /// The first district's dashboard as of `date`.
    pub async fn dashboard(db: &Db, date: NaiveDate) -> Result<Dashboard, AppError> {
        let found = db
            .run(move |conn| {
                let Some(d) = District::first(conn)? else {
                    return Ok(None);
                };
                let towns = district::staffing_as_of(conn, d.id, date)?;
                Ok(Some((d, towns)))
            })
            .await
            .map_err(crate::api::internal)?;
        let (d, towns) = found.ok_or(AppError::NoDistrict)?;
        Ok(Dashboard {
            totals: staffing::totals(&towns),
            district: DistrictInfo { code: d.code, name: d.name, name_en: d.name_en },
            as_of: date,
            towns,
        })
    }
}
