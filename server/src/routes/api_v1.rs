//! `/api/v1`: JSON for other systems, with a personal API token
//! (`Authorization: Bearer gzt_...`) or a browser session. The guard
//! applies the same access policy as everywhere; town users see only their
//! own town.

use app::auth::Authenticated;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::guard::error_json;
use crate::state::AppState;

/// A JSON request body as `T`. JSON does not tell `3` from `3.0`, and
/// neither does JSON Schema ("integer" includes 3.0), so a whole number
/// written with a fraction is taken as the integer. A body that is not
/// JSON gets serde's error with its line and column; JSON that does not
/// fit gets serde's reason.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    fn whole(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Number(n) => {
                if let Some(f) = n.as_f64().filter(|f| !n.is_i64() && !n.is_u64() && f.fract() == 0.0)
                    && f.abs() < 9.0e15
                {
                    *v = serde_json::Value::from(f as i64);
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(whole),
            serde_json::Value::Object(map) => map.values_mut().for_each(whole),
            _ => {}
        }
    }
    serde_json::from_slice(body).or_else(|first| {
        // Only a float where an integer belongs is read again (a second
        // reading through `Value` would also let duplicate keys through).
        if !first.to_string().contains("floating point") {
            return Err(first);
        }
        let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else { return Err(first) };
        whole(&mut value);
        serde_json::from_value(value)
    })
}

/// `GET /api/v1/me`: who the token or session belongs to.
pub async fn me(Extension(auth): Extension<Authenticated>) -> Response {
    let p = auth.principal;
    Json(json!({
        "user_id": p.user_id,
        "username": p.username,
        "display_name": p.display_name,
        "district_id": p.district_id,
        "roles": p.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
        "town_id": p.town_id,
        "supplier_id": p.supplier_id,
    }))
    .into_response()
}

/// `GET /api/v1/towns`: staffing of the towns the caller may see.
pub async fn towns(State(state): State<AppState>, Extension(auth): Extension<Authenticated>) -> Response {
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    match app::api::dashboard::ssr::dashboard(&state.db, &auth.principal, today).await {
        Ok(d) => {
            Json(json!({ "as_of": d.as_of, "district": d.district, "towns": d.towns, "totals": d.totals }))
                .into_response()
        }
        Err(e) => app_error(&e),
    }
}

/// `GET /api/v1/towns/{code}`: one town; 403 outside the caller's scope.
pub async fn town(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Path(code): Path<String>,
) -> Response {
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    let p = auth.principal.clone();
    let district_id = p.district_id;
    let code_for_query = code.clone();
    let found = state
        .db
        .run(move |conn| {
            Ok(app::db::district::staffing_as_of(conn, district_id, today)?
                .into_iter()
                .find(|(_, t)| t.code == code_for_query))
        })
        .await;
    match found {
        Ok(Some((id, town))) if p.may_see_town(id) => {
            Json(json!({ "as_of": today, "town": town })).into_response()
        }
        Ok(Some(_)) => error_json(StatusCode::FORBIDDEN, "forbidden", "outside your scope"),
        Ok(None) => error_json(StatusCode::NOT_FOUND, "not_found", "no such town"),
        Err(e) => {
            tracing::error!(error = %e, "api/v1 town failed");
            error_json(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
        }
    }
}

fn app_error(e: &app::error::AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_json(status, &format!("{e:?}").to_lowercase(), &e.to_string())
}

/// Query of `GET /api/v1/roster`.
#[derive(Debug, serde::Deserialize)]
pub struct RosterQuery {
    /// Only this town (its code).
    pub town: Option<String>,
}

/// `GET /api/v1/roster`: the people the caller may see; identity numbers
/// whole for finance and admin only, masked for everyone else.
pub async fn roster(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Query(q): Query<RosterQuery>,
) -> Response {
    let p = auth.principal;
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    let result = state
        .db
        .run(move |conn| {
            let town_id = match q.town.as_deref().filter(|c| !c.is_empty()) {
                None => None,
                Some(code) => match app::db::district::town_id_by_code(conn, p.district_id, code)? {
                    Some(id) => Some(id),
                    None => return Ok(Err(app::error::AppError::NotFound)),
                },
            };
            if town_id.is_some_and(|t| !p.may_see_town(t)) {
                return Ok(Err(app::error::AppError::Forbidden));
            }
            Ok(app::api::roster::ssr::people(conn, &p, town_id))
        })
        .await;
    match result {
        Ok(Ok(people)) => {
            Json(json!({ "as_of": today, "count": people.len(), "people": people })).into_response()
        }
        Ok(Err(e)) => app_error(&e),
        Err(e) => app_error(&app::api::from_db(e)),
    }
}

/// `POST /api/v1/allocation/preview`: apportions posts among the units
/// sent. Pure: nothing is read or stored. Norms default to seed 003's.
pub async fn allocation_preview(headers: axum::http::HeaderMap, body: axum::body::Bytes) -> Response {
    use app::domain::allocation::{AllocationInput, StaffingNorms, allocate};
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Input {
        method: app::domain::allocation::Method,
        total: u32,
        population_weight: u32,
        recipients_weight: u32,
        norms: Option<StaffingNorms>,
        units: Vec<app::domain::allocation::UnitInput>,
    }
    let locale = super::files::request_locale(&headers);
    let input: Input = match json_body(&body) {
        Ok(i) => i,
        Err(e) => return error_json(StatusCode::BAD_REQUEST, "invalid_json", &e.to_string()),
    };
    let input = AllocationInput {
        method: input.method,
        total: input.total,
        population_weight: input.population_weight,
        recipients_weight: input.recipients_weight,
        norms: input.norms.unwrap_or_else(StaffingNorms::seed_003),
        units: input.units,
    };
    match allocate(&input) {
        Ok(a) => Json(a).into_response(),
        Err(problem) => {
            let message = app::error::AppError::Allocation(problem.clone()).message(locale.messages());
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": "allocation", "problem": problem, "message": message })),
            )
                .into_response()
        }
    }
}

/// The OpenAPI document of `/api/v1`, kept as a file beside this one.
pub const OPENAPI: &str = include_str!("openapi.json");

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// `GET /api/v1/payroll/runs`: the district's payroll runs, newest month
/// first; a town user's figures are their own town's.
pub async fn payroll_runs(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
) -> Response {
    let p = auth.principal;
    let result = state
        .db
        .run(move |conn| {
            let rows = app::db::payroll::list_runs(conn, p.district_id)?;
            let mut out = Vec::new();
            for r in rows {
                // District-wide readers get the stored totals; a town
                // user's figures are their town's sums.
                let run = if p.sees_whole_district() {
                    app::api::payroll::ssr::summary(&r).map(|s| serde_json::to_value(s).unwrap_or_default())
                } else {
                    app::api::payroll::ssr::run_view(conn, &p, r.id, app::api::payroll::LinesQuery::none())
                        .map(|v| serde_json::to_value(v.run).unwrap_or_default())
                };
                match run {
                    Ok(v) => out.push(v),
                    Err(e) => return Ok(Err(e)),
                }
            }
            Ok(Ok(out))
        })
        .await;
    match result {
        Ok(Ok(runs)) => Json(json!({ "runs": runs })).into_response(),
        Ok(Err(e)) => app_error(&e),
        Err(e) => app_error(&app::api::from_db(e)),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct LinesParams {
    /// A town code.
    pub town: Option<String>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

/// Lines a request gets unless it asks for fewer, and at most.
const LINES_DEFAULT: u32 = 500;
const LINES_MAX: u32 = 5_000;

/// `GET /api/v1/payroll/runs/{id}[?town=CODE&offset=N&limit=N]`: one run
/// with its town sums and a page of the lines the caller may see.
pub async fn payroll_run(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Path(id): Path<i64>,
    Query(params): Query<LinesParams>,
) -> Response {
    let p = auth.principal;
    let limit = params.limit.unwrap_or(LINES_DEFAULT);
    if !(1..=LINES_MAX).contains(&limit) {
        return error_json(
            StatusCode::BAD_REQUEST,
            "bad_request",
            &format!("limit must be between 1 and {LINES_MAX}"),
        );
    }
    let result = state
        .db
        .run(move |conn| {
            let town = match params.town.as_deref().filter(|c| !c.is_empty()) {
                None => None,
                Some(code) => match app::db::district::town_id_by_code(conn, p.district_id, code)? {
                    Some(id) => Some(id),
                    None => return Ok(Err(app::error::AppError::NotFound)),
                },
            };
            let q = app::api::payroll::LinesQuery {
                town,
                offset: params.offset.unwrap_or(0),
                limit: Some(limit),
            };
            Ok(app::api::payroll::ssr::run_view(conn, &p, id, q))
        })
        .await;
    match result {
        Ok(Ok(v)) => Json(json!({
            "run": v.run,
            "towns": v.towns,
            "total_lines": v.total_lines,
            "offset": v.offset,
            "limit": limit,
            "lines": v.lines,
        }))
        .into_response(),
        Ok(Err(e)) => app_error(&e),
        Err(e) => app_error(&app::api::from_db(e)),
    }
}

/// `POST /api/v1/payroll/preview`: one person's pay for a month from the
/// standards, rules and facts sent. Pure: nothing is read or stored.
pub async fn payroll_preview(body: axum::body::Bytes) -> Response {
    use app::domain::insurance::InsuranceRules;
    use app::domain::pay::{PayFacts, PayStandards};
    use app::domain::payroll::{Adjustment, LineInput, compute};
    use app::domain::tax::{TaxYearToDate, YearMonth};
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Input {
        month: YearMonth,
        standards: PayStandards,
        insurance: InsuranceRules,
        facts: PayFacts,
        #[serde(default)]
        additional: rust_decimal::Decimal,
        #[serde(default)]
        before: TaxYearToDate,
        #[serde(default = "yes")]
        insured: bool,
        #[serde(default)]
        adjustments: Vec<Adjustment>,
    }
    fn yes() -> bool {
        true
    }
    let input: Input = match json_body(&body) {
        Ok(i) => i,
        Err(e) => return error_json(StatusCode::BAD_REQUEST, "invalid_json", &e.to_string()),
    };
    if YearMonth::new(input.month.year, input.month.month).is_none() {
        return error_json(StatusCode::BAD_REQUEST, "invalid_month", "month must be 1 to 12");
    }
    if let Err(p) = input.standards.check() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "standards", "problem": p, "message": "invalid pay standards" })),
        )
            .into_response();
    }
    if let Err(p) = input.insurance.check() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "insurance", "problem": p, "message": "invalid insurance rules" })),
        )
            .into_response();
    }
    let line = compute(&LineInput {
        month: input.month,
        standards: &input.standards,
        insurance: &input.insurance,
        facts: Some(input.facts),
        additional: input.additional,
        before: input.before,
        insured: input.insured,
        adjustments: &input.adjustments,
    });
    match line {
        Ok(l) => Json(l).into_response(),
        Err(p) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "line", "problem": p, "message": "this pay cannot be paid" })),
        )
            .into_response(),
    }
}

/// Query of the budget endpoints.
#[derive(Debug, serde::Deserialize)]
pub struct BudgetQuery {
    /// The fiscal year (the newest open one when absent).
    pub year: Option<i32>,
    /// Sums of entries booked on or before this date (`YYYY-MM-DD`).
    pub as_of: Option<chrono::NaiveDate>,
    /// Only entries for this town (its code).
    pub town: Option<String>,
    /// Only this source's entries.
    pub source: Option<i64>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

/// Runs a scoped budget read with the town code resolved; 404 for an
/// unknown town, 403 for a town outside the caller's scope.
async fn budget_read<F>(
    state: &AppState,
    p: app::domain::access::Principal,
    q: BudgetQuery,
    work: F,
) -> Response
where
    F: FnOnce(
            &mut app::db::AnyConnection,
            &app::domain::access::Principal,
            i32,
            Option<i64>,
            &BudgetQuery,
        ) -> Result<serde_json::Value, app::error::AppError>
        + Send
        + 'static,
{
    let result = state
        .db
        .run(move |conn| {
            let town_id = match q.town.as_deref().filter(|c| !c.is_empty()) {
                None => None,
                Some(code) => match app::db::district::town_id_by_code(conn, p.district_id, code)? {
                    Some(id) => Some(id),
                    None => return Ok(Err(app::error::AppError::NotFound)),
                },
            };
            if town_id.is_some_and(|t| !p.may_see_town(t)) {
                return Ok(Err(app::error::AppError::Forbidden));
            }
            let year = match app::api::budget::ssr::choose_year(conn, &p, q.year) {
                Ok((_, y)) => y,
                Err(e) => return Ok(Err(e)),
            };
            Ok(work(conn, &p, year, town_id, &q))
        })
        .await;
    match result {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => app_error(&e),
        Err(e) => app_error(&app::api::from_db(e)),
    }
}

/// `GET /api/v1/budget/sources`: the year's sources the caller may see
/// (bureau staff all, a town user their town's own), with what each may
/// pay and its sums.
pub async fn budget_sources(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Query(q): Query<BudgetQuery>,
) -> Response {
    budget_read(&state, auth.principal, q, |conn, p, year, _, q| {
        let towns = app::db::district::town_names(conn, p.district_id)?;
        let sources = app::api::budget::ssr::source_views(conn, p, year, &towns, q.as_of)?;
        Ok(json!({ "year": year, "as_of": q.as_of, "sources": sources }))
    })
    .await
}

/// `GET /api/v1/budget/balances`: allocated, committed, paid and
/// available per source and per cost type, at a date (`as_of`), for one
/// town (`town`) or all the caller may see.
pub async fn budget_balances(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Query(q): Query<BudgetQuery>,
) -> Response {
    use app::db::budget::{Filter, SourceRow, balance, sources};
    use app::domain::budget::{Balance, CostType};
    budget_read(&state, auth.principal, q, |conn, p, year, town_id, q| {
        let mut rows = Vec::new();
        let mut totals = Balance::default();
        let visible: Vec<SourceRow> = sources(conn, p.district_id, year)?.into_iter().filter(|s| s.visible_to(p)).collect();
        // A town user's view is their town's: their own sources and the
        // district's spending in their town.
        let town_id = town_id.or(if p.sees_whole_district() { None } else { p.town_id });
        for s in visible {
            let filter = Filter { source_id: Some(s.id), town_id, as_of: q.as_of, ..Filter::default() };
            let b = balance(conn, p.district_id, &filter)?;
            let mut by_type = Vec::new();
            for c in CostType::ALL {
                let t = balance(conn, p.district_id, &Filter { cost_type: Some(c), ..filter })?;
                if t.committed != rust_decimal::Decimal::ZERO || t.paid != rust_decimal::Decimal::ZERO {
                    by_type.push(json!({ "cost_type": c, "committed": t.committed, "paid": t.paid }));
                }
            }
            totals = totals + b;
            rows.push(json!({
                "source_id": s.id,
                "name": s.name,
                "allocated": b.allocated,
                "committed": b.committed,
                "paid": b.paid,
                "available": b.available(),
                "by_type": by_type,
            }));
        }
        Ok(json!({
            "year": year,
            "as_of": q.as_of,
            "town_id": town_id,
            "balances": rows,
            "totals": { "allocated": totals.allocated, "committed": totals.committed, "paid": totals.paid, "available": totals.available() },
        }))
    })
    .await
}

/// `GET /api/v1/budget/entries`: ledger entries the caller may see, newest
/// first (`offset`, `limit` ≤ 5,000, default 500).
pub async fn budget_entries(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Query(q): Query<BudgetQuery>,
) -> Response {
    use app::db::budget::{Filter, entries, sources};
    let limit = q.limit.unwrap_or(500);
    if !(1..=5_000).contains(&limit) || q.offset.is_some_and(|o| o < 0) {
        return error_json(StatusCode::BAD_REQUEST, "bad_request", "limit is 1 to 5000, offset 0 or more");
    }
    budget_read(&state, auth.principal, q, move |conn, p, year, town_id, q| {
        let offset = q.offset.unwrap_or(0);
        let filter =
            Filter { source_id: q.source, town_id, as_of: q.as_of, year: Some(year), ..Filter::default() };
        let (rows, total) = entries(conn, p, &filter, offset, limit)?;
        let names = sources(conn, p.district_id, year)?.into_iter().map(|s| (s.id, s.name)).collect();
        let towns = app::db::district::town_names(conn, p.district_id)?;
        let entries = rows
            .iter()
            .map(|r| app::api::budget::ssr::entry_view(r, &names, &towns))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(json!({ "year": year, "total": total, "offset": offset, "limit": limit, "entries": entries }))
    })
    .await
}

/// Runs a read for `/api/v1` and answers with its JSON or its error.
async fn read_json<F>(state: &AppState, p: app::domain::access::Principal, work: F) -> Response
where
    F: FnOnce(
            &mut app::db::AnyConnection,
            &app::domain::access::Principal,
        ) -> Result<serde_json::Value, app::error::AppError>
        + Send
        + 'static,
{
    match state.db.run(move |conn| Ok(work(conn, &p))).await {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => app_error(&e),
        Err(e) => app_error(&app::api::from_db(e)),
    }
}

/// `GET /api/v1/suppliers`: the supplier register (a provider sees its own
/// organisation; bank details only for the bureau and the organisation).
pub async fn suppliers(State(state): State<AppState>, Extension(auth): Extension<Authenticated>) -> Response {
    read_json(&state, auth.principal, |conn, p| {
        let list = app::api::contracts::ssr::supplier_list(conn, p)?;
        Ok(json!({ "suppliers": list.suppliers }))
    })
    .await
}

/// `GET /api/v1/procurement/projects`: projects with funding and bids
/// (bureau staff all, a town its own).
pub async fn projects(State(state): State<AppState>, Extension(auth): Extension<Authenticated>) -> Response {
    read_json(&state, auth.principal, |conn, p| {
        let mut out = Vec::new();
        for row in app::db::procurement::list(conn, p)? {
            out.push(app::api::contracts::ssr::project_detail(conn, p, row.id)?);
        }
        Ok(json!({ "projects": out.into_iter().map(|d| json!({
            "project": d.project, "funding": d.funding, "bids": d.bids, "contracts": d.contracts,
        })).collect::<Vec<_>>() }))
    })
    .await
}

/// `GET /api/v1/contracts`: the contracts the caller may see.
pub async fn contracts(State(state): State<AppState>, Extension(auth): Extension<Authenticated>) -> Response {
    read_json(&state, auth.principal, |conn, p| {
        let list: Vec<_> = app::db::contracts::list(conn, p)?
            .into_iter()
            .map(|(c, s)| app::api::contracts::ssr::contract_view(&c, s))
            .collect();
        Ok(json!({ "contracts": list }))
    })
    .await
}

/// `GET /api/v1/contracts/{id}`: one contract with its items, milestones
/// (base, acceptance, payment), amendments and payments; 404 outside the
/// caller's scope.
pub async fn contract(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Path(id): Path<i64>,
) -> Response {
    read_json(&state, auth.principal, move |conn, p| {
        let d = app::api::contracts::ssr::contract_detail(conn, p, id)?;
        serde_json::to_value(&d).map_err(|_| app::error::AppError::Internal)
    })
    .await
}

/// `GET /api/v1/ocds/release-package`: open data, no sign-in needed.
pub async fn ocds(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    headers: axum::http::HeaderMap,
    Query(q): Query<super::contract_files::OcdsQuery>,
) -> Response {
    let uri = super::contract_files::package_uri(&state, &headers, app::policy::paths::API_OCDS);
    match super::contract_files::ocds_package(&state, auth.map(|a| a.0), q, uri).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => app_error(&e),
    }
}

/// Query of `GET /api/v1/service-records`.
#[derive(Debug, serde::Deserialize)]
pub struct RecordsQuery {
    pub contract: Option<i64>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    /// Paging: records with an id above this, in id order.
    pub after_id: Option<i64>,
    pub limit: Option<i64>,
    #[serde(default)]
    pub include_voided: bool,
}

/// `GET /api/v1/service-records`: the records the caller may see (a
/// provider its own, a town its town's), in id order from `after_id`
/// (`limit` ≤ 5,000, default 1,000).
pub async fn service_records(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Query(q): Query<RecordsQuery>,
) -> Response {
    let limit = q.limit.unwrap_or(1_000);
    if !(1..=5_000).contains(&limit) {
        return error_json(StatusCode::BAD_REQUEST, "bad_request", "limit is 1 to 5000");
    }
    read_json(&state, auth.principal, move |conn, p| {
        use app::db::services::{RecordFilter, evidence_of, records};
        let filter = RecordFilter {
            contract_id: q.contract,
            from: q.from,
            to: q.to,
            include_voided: q.include_voided,
            limit,
            after_id: Some(q.after_id.unwrap_or(0)),
        };
        let rows = records(conn, p, &filter).map_err(app::api::from_db)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut evidence: std::collections::HashMap<i64, Vec<serde_json::Value>> = Default::default();
        for e in evidence_of(conn, &ids).map_err(app::api::from_db)? {
            evidence.entry(e.record_id).or_default().push(json!({
                "id": e.id, "sha256": e.sha256, "media_type": e.media_type, "size_bytes": e.size_bytes,
                "name": e.display_name, "location_removed": e.location_removed,
            }));
        }
        let next = if rows.len() as i64 == limit { rows.last().map(|r| r.id) } else { None };
        let records: Vec<serde_json::Value> = rows
            .into_iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "contract_id": r.contract_id,
                    "supplier_id": r.supplier_id,
                    "recipient_id": r.recipient_id,
                    "town_id": r.town_id,
                    "service_code": r.service_code,
                    "started_at": r.started_at.format("%Y-%m-%dT%H:%M").to_string(),
                    "minutes": r.minutes,
                    "worker": r.worker,
                    "notes": r.notes,
                    "location": r.latitude_micro.zip(r.longitude_micro).map(|(a, b)| {
                        app::domain::service::Location { lat_micro: a, lon_micro: b }.text()
                    }),
                    "source": r.source,
                    "external_id": r.external_id,
                    "voided": r.void_reason.is_some(),
                    "void_reason": r.void_reason,
                    "evidence": evidence.remove(&r.id).unwrap_or_default(),
                })
            })
            .collect();
        Ok(json!({ "count": records.len(), "next_after_id": next, "records": records }))
    })
    .await
}

/// The most records one call may send.
pub const MAX_RECORDS_PER_CALL: usize = 10_000;

/// One record as another system sends it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiRecord {
    pub contract_id: i64,
    /// The register's id, or the person's identity number.
    pub recipient_id: Option<i64>,
    pub recipient_id_number: Option<String>,
    pub service_code: String,
    /// China Standard Time, `YYYY-MM-DDTHH:MM`.
    pub started_at: String,
    pub minutes: u32,
    pub worker: String,
    #[serde(default)]
    pub notes: String,
    pub location: Option<String>,
    #[serde(default)]
    pub keep_location: bool,
    /// The sender's own id: sending it again is harmless.
    pub external_id: Option<String>,
}

type FieldProblems = Vec<(app::domain::service::RecordField, app::domain::service::RecordProblem)>;

impl ApiRecord {
    fn input(
        &self,
        id_numbers: &std::collections::HashMap<String, i64>,
    ) -> Result<app::domain::service::RecordInput, FieldProblems> {
        use app::domain::service::{Location, RecordField, RecordProblem};
        let mut problems = Vec::new();
        let started_at = app::api::services::parse_time(&self.started_at);
        if started_at.is_none() {
            problems.push((RecordField::StartedAt, RecordProblem::Unreadable));
        }
        let recipient_id = match (&self.recipient_id, self.recipient_id_number.as_deref().map(str::trim)) {
            (Some(id), _) => Some(*id),
            (None, Some(n)) if !n.is_empty() => match id_numbers.get(&n.to_ascii_uppercase()) {
                Some(id) => Some(*id),
                None => {
                    problems.push((RecordField::Recipient, RecordProblem::UnknownRecipient));
                    None
                }
            },
            _ => None,
        };
        let location = match self.location.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(text) => {
                let l = Location::parse(text);
                if l.is_none() {
                    problems.push((RecordField::Location, RecordProblem::Location));
                }
                l
            }
        };
        match started_at {
            Some(started_at) if problems.is_empty() => Ok(app::domain::service::RecordInput {
                contract_id: self.contract_id,
                recipient_id,
                service_code: self.service_code.clone(),
                started_at,
                minutes: self.minutes,
                worker: self.worker.clone(),
                notes: self.notes.clone(),
                location,
                keep_location: self.keep_location,
                external_id: self.external_id.clone(),
            }),
            _ => Err(problems),
        }
    }
}

fn problems_json(list: &FieldProblems) -> Vec<serde_json::Value> {
    list.iter().map(|(f, p)| json!({ "field": f, "problem": p })).collect()
}

/// `POST /api/v1/service-records`: a provider's system sends one record
/// (an object: 201 with its id, or 200 with the stored one when its
/// `external_id` was sent before) or many (`{"records": [...]}`: all are
/// stored, 201, or none, 422 with each row's problems).
pub async fn create_service_records(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<app::auth::RequestMeta>,
    body: axum::body::Bytes,
) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Many {
        records: Vec<ApiRecord>,
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Body {
        Many(Many),
        One(ApiRecord),
    }
    let body: Body = match json_body(&body) {
        Ok(b) => b,
        Err(e) => return error_json(StatusCode::BAD_REQUEST, "invalid_json", &e.to_string()),
    };
    if let Body::Many(Many { records }) = &body
        && records.len() > MAX_RECORDS_PER_CALL
    {
        return error_json(StatusCode::PAYLOAD_TOO_LARGE, "too_many", "at most 10000 records per call");
    }
    let p = auth.principal;
    let actor = app::auth::actor_of(Some(&p), meta);
    let result = state
        .db
        .run(move |conn| {
            use app::db::services::{Source, create_record, create_records, recipients};
            // Identity numbers are looked up only when a record names one.
            let by_number = match &body {
                Body::One(r) => r.recipient_id_number.is_some(),
                Body::Many(Many { records }) => records.iter().any(|r| r.recipient_id_number.is_some()),
            };
            let id_numbers: std::collections::HashMap<String, i64> = if by_number {
                recipients(conn, &p, None)?.into_iter().map(|(r, _)| (r.id_number, r.id)).collect()
            } else {
                Default::default()
            };
            Ok(match body {
                Body::One(r) => match r.input(&id_numbers) {
                    Err(problems) => Err(Err(problems)),
                    Ok(input) => {
                        app::db::write::write(conn, &actor, |tx| create_record(tx, &p, &input, Source::Api))
                            .map(|(id, created)| json!({ "id": id, "created": created }))
                            .map_err(Ok)
                    }
                },
                Body::Many(Many { records }) => {
                    let mut inputs = Vec::with_capacity(records.len());
                    let mut rows = Vec::new();
                    for (i, r) in records.iter().enumerate() {
                        match r.input(&id_numbers) {
                            Ok(x) => inputs.push(x),
                            Err(list) => rows.extend(list.into_iter().map(|(f, p)| (i, f, p))),
                        }
                    }
                    if !rows.is_empty() {
                        Err(Ok(app::db::services::ServiceError::Rows(rows)))
                    } else {
                        let note = format!("api-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f"));
                        app::db::write::write(conn, &actor, |tx| {
                            create_records(tx, &p, &inputs, Source::Api, &note)
                        })
                        .map(|n| json!({ "created": n }))
                        .map_err(Ok)
                    }
                }
            })
        })
        .await;
    use app::db::services::ServiceError;
    match result {
        Ok(Ok(v)) => {
            let status = if v["created"] == json!(false) { StatusCode::OK } else { StatusCode::CREATED };
            (status, Json(v)).into_response()
        }
        Ok(Err(Err(problems))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "refused", "problems": problems_json(&problems) })),
        )
            .into_response(),
        Ok(Err(Ok(ServiceError::Rows(rows)))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": "refused",
                "message": "no record was stored",
                "rows": rows.iter().map(|(i, f, p)| json!({ "index": i, "field": f, "problem": p })).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        Ok(Err(Ok(ServiceError::Refused(app::domain::service::ServiceFault::Record(problems))))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "refused", "problems": problems_json(&problems) })),
        )
            .into_response(),
        Ok(Err(Ok(e))) => app_error(&app::api::services::ssr::from_service(e)),
        Err(e) => app_error(&app::api::from_db(e)),
    }
}

/// `GET /api/v1/inspection-plans`: plans with their recorded draw and
/// drawn inspections (bureau staff).
pub async fn inspection_plans(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
) -> Response {
    read_json(&state, auth.principal, |conn, p| {
        use app::api::inspections::ssr::from_inspection;
        let mut out = Vec::new();
        for s in app::db::inspections::plans(conn, p).map_err(from_inspection)? {
            let d = app::db::inspections::plan(conn, p, s.id).map_err(from_inspection)?;
            out.push(json!({
                "id": s.id,
                "title": s.title,
                "period_from": s.period_from,
                "period_to": s.period_to,
                "status": s.status,
                "ratio_bp": s.ratio_bp,
                "minimum_towns": s.minimum_towns,
                "staff_per_town": d.staff_per_town,
                "inspectors_per_town": d.inspectors_per_town,
                "rectification_days": d.rectification_days,
                "checklist": d.checklist.iter().map(|i| json!({
                    "key": i.key, "label": i.label, "kind": i.kind.code(), "required": i.required,
                })).collect::<Vec<_>>(),
                "pool": d.pool.iter().map(|m| json!({
                    "user_id": m.user_id, "name": m.name, "conflict_town_ids": m.conflict_towns,
                })).collect::<Vec<_>>(),
                "draw": d.draw.map(|r| json!({
                    "algorithm": r.algorithm,
                    "seed": r.seed,
                    "input": serde_json::from_str::<serde_json::Value>(&r.input).unwrap_or_default(),
                    "input_sha256": r.input_sha256,
                    "drawn_at": r.drawn_at,
                })),
                "inspections": d.inspections.iter().map(inspection_json).collect::<Vec<_>>(),
            }));
        }
        Ok(json!({ "plans": out }))
    })
    .await
}

fn inspection_json(i: &app::db::inspections::InspectionSummary) -> serde_json::Value {
    json!({
        "id": i.id,
        "plan_id": i.plan_id,
        "town_id": i.town_id,
        "town_code": i.town_code,
        "draw_order": i.draw_order,
        "status": i.status,
        "inspectors": i.inspectors,
        "submitted_at": i.submitted_at,
        "findings": i.findings,
        "rectification": i.rectification,
    })
}

/// `GET /api/v1/inspections`: inspections the caller may see (bureau
/// staff all; a town its town's, once submitted).
pub async fn inspections(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
) -> Response {
    read_json(&state, auth.principal, |conn, p| {
        let list = app::db::inspections::inspection_list(conn, p, None)
            .map_err(app::api::inspections::ssr::from_inspection)?;
        let rects = app::db::inspections::rectification_list(conn, p)
            .map_err(app::api::inspections::ssr::from_inspection)?;
        Ok(json!({
            "inspections": list.iter().map(inspection_json).collect::<Vec<_>>(),
            "rectifications": rects.iter().map(|r| json!({
                "id": r.id,
                "inspection_id": r.inspection_id,
                "town_code": r.town_code,
                "notice_no": r.notice_no,
                "issued_on": r.issued_on,
                "deadline": r.deadline,
                "status": r.status.code(),
                "overdue": r.overdue,
            })).collect::<Vec<_>>(),
        }))
    })
    .await
}

/// `GET /api/v1/findings`: findings the caller may see (bureau staff all,
/// proposed included; a town those of its notices).
pub async fn findings(State(state): State<AppState>, Extension(auth): Extension<Authenticated>) -> Response {
    read_json(&state, auth.principal, |conn, p| {
        let list = app::db::inspections::finding_list(conn, p)
            .map_err(app::api::inspections::ssr::from_inspection)?;
        Ok(json!({ "findings": list.iter().map(|f| json!({
            "id": f.id,
            "inspection_id": f.inspection_id,
            "town_id": f.town_id,
            "kind": f.kind.code(),
            "severity": f.severity.code(),
            "description": f.description,
            "origin": f.origin,
            "status": f.status.code(),
            "dismiss_reason": f.dismiss_reason,
            "rectification_id": f.rectification_id,
        })).collect::<Vec<_>>() }))
    })
    .await
}

/// `GET /api/v1/inspection-results` (public, 一公开): results without
/// personal data (`?district=CODE`).
pub async fn inspection_results(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    Query(q): Query<super::inspection_files::DistrictQuery>,
) -> Response {
    match super::inspection_files::published(&state, auth.map(|a| a.0), q).await {
        Ok(list) => Json(json!({ "results": list.iter().map(|r| json!({
            "plan_title": r.plan_title,
            "period_from": r.period_from,
            "period_to": r.period_to,
            "town_code": r.town_code,
            "town_name": r.town_name,
            "inspected_on": r.inspected_on,
            "inspectors": r.inspectors,
            "findings": r.kinds.iter().map(|(k, s)| json!({ "kind": k.code(), "severity": s.code() })).collect::<Vec<_>>(),
            "rectification": r.rectification.map(|s| s.code()),
            "deadline": r.deadline,
            "overdue": r.overdue,
        })).collect::<Vec<_>>() }))
        .into_response(),
        Err(e) => app_error(&e),
    }
}

#[cfg(test)]
mod tests {
    /// Every `/api/v1` route of the policy is documented, and nothing
    /// else is.
    #[test]
    fn the_openapi_document_lists_every_api_route() {
        let doc: serde_json::Value = serde_json::from_str(super::OPENAPI).expect("valid JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().expect("paths");
        let mut documented: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(p, ops)| {
                ops.as_object()
                    .into_iter()
                    .flat_map(move |o| o.keys().map(move |m| (m.to_uppercase(), p.clone())))
            })
            .collect();
        let mut routes: Vec<(String, String)> = app::policy::RULES
            .iter()
            .filter(|r| r.path.starts_with("/api/v1/"))
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        documented.sort();
        routes.sort();
        assert_eq!(documented, routes);
    }
}
