//! Per-person payroll inputs kept by finance: 专项附加扣除 declarations
//! (withdrawn when entered in error) and one-off 补发 / 扣发 adjustments,
//! paid by the next run of their month or later. Town users read their own
//! town's; finance writes.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::payroll::AdjustmentKind;
use crate::domain::tax::{AdditionalDeduction, YearMonth};
use crate::error::AppError;

/// Someone a declaration or adjustment can be for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChoice {
    pub staff_id: i64,
    pub name: String,
    pub town: String,
    pub town_en: String,
}

/// A declaration as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationItem {
    pub id: i64,
    pub staff_id: i64,
    pub name: String,
    pub town: String,
    pub town_en: String,
    pub declaration: AdditionalDeduction,
    /// This month's amount under the declaration (0 outside its months).
    pub monthly: Decimal,
    pub withdrawn: bool,
}

/// An adjustment as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentItem {
    pub id: i64,
    pub staff_id: i64,
    pub name: String,
    pub town: String,
    pub town_en: String,
    pub kind: AdjustmentKind,
    pub amount: Decimal,
    pub for_month: YearMonth,
    pub reason: String,
    /// The month of the approved run that paid it.
    pub paid_in: Option<String>,
}

/// The page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleInfo {
    pub this_month: YearMonth,
    pub declarations: Vec<DeclarationItem>,
    pub adjustments: Vec<AdjustmentItem>,
    /// Finance: the people on the roster this month, for the forms.
    pub people: Vec<PersonChoice>,
    pub may_edit: bool,
}

#[server(prefix = "/api", endpoint = "payroll_people")]
pub async fn payroll_people() -> Result<PeopleInfo, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("payroll_people")?;
        super::with_db(move |conn| ssr::people(conn, &p)).await
    }
    .await;
    super::finish(result)
}

/// Records a 专项附加扣除 declaration for a person (finance).
#[server(prefix = "/api", endpoint = "declare_deduction", input = Json)]
pub async fn declare_deduction(staff_id: i64, declaration: AdditionalDeduction) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("declare_deduction")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::payroll::declare(tx, &p, staff_id, &declaration)
            })
            .map_err(super::payroll::ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Withdraws a declaration entered in error (finance).
#[server(prefix = "/api", endpoint = "withdraw_deduction")]
pub async fn withdraw_deduction(id: i64) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("withdraw_deduction")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::payroll::withdraw_declaration(tx, &p, id))
                .map_err(super::payroll::ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::Datelike;

    use super::*;
    use crate::db::AnyConnection;
    use crate::db::payroll as db;
    use crate::domain::access::{Principal, Role};

    pub fn people(conn: &mut AnyConnection, p: &Principal) -> Result<PeopleInfo, AppError> {
        if !p.has_any(crate::policy::PAYROLL_READERS) {
            return Err(AppError::Forbidden);
        }
        // District-wide readers see all; a town user their own town.
        let town = if p.sees_whole_district() { None } else { Some(p.town_id.ok_or(AppError::Forbidden)?) };
        let today = super::super::towns::ssr::today();
        let this_month = YearMonth::new(today.year(), today.month()).ok_or(AppError::Internal)?;
        let names = crate::db::district::town_names(conn, p.district_id)?;
        let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
        let declarations = db::declaration_rows(conn, p.district_id, town)?
            .into_iter()
            .map(|d| {
                let (town, town_en) = name_of(d.town_id);
                DeclarationItem {
                    id: d.id,
                    staff_id: d.staff_id,
                    name: d.name,
                    town,
                    town_en,
                    monthly: crate::domain::tax::additional_for(&[d.declaration], this_month),
                    declaration: d.declaration,
                    withdrawn: d.withdrawn,
                }
            })
            .collect();
        let adjustments = db::adjustment_rows(conn, p.district_id, town)?
            .into_iter()
            .map(|a| {
                let (town, town_en) = name_of(a.town_id);
                AdjustmentItem {
                    id: a.id,
                    staff_id: a.staff_id,
                    name: a.name,
                    town,
                    town_en,
                    kind: a.adjustment.kind,
                    amount: a.adjustment.amount,
                    for_month: a.adjustment.for_month,
                    reason: a.adjustment.reason,
                    paid_in: a.paid_in,
                }
            })
            .collect();
        let may_edit = p.has(Role::Finance);
        let people = if may_edit {
            db::payees(conn, p.district_id, this_month)?
                .into_iter()
                .map(|x| {
                    let (town, town_en) = name_of(x.town_id);
                    PersonChoice { staff_id: x.staff_id, name: x.name, town, town_en }
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(PeopleInfo { this_month, declarations, adjustments, people, may_edit })
    }
}
