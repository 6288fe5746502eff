//! `/api/v1`: JSON for other systems, with a personal API token
//! (`Authorization: Bearer gzt_...`) or a browser session. The guard
//! applies the same access policy as everywhere; town users see only their
//! own town.

use app::auth::Authenticated;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::guard::error_json;
use crate::state::AppState;

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
