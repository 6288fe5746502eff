//! Contract documents (Typst, from `contract-templates/`), template
//! previews with demo data, and the OCDS release package as a download.

use app::auth::Authenticated;
use app::error::AppError;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::files::{download, error_response, request_locale, text_response};
use crate::pdf::contract::{ContractDoc, document_data};
use crate::pdf::{PdfError, Template};
use crate::state::AppState;

/// `GET /files/contracts/{id}/contract.pdf`: the contract as its template
/// prints it, with the approved amendments; readers of the contract only.
pub async fn contract_pdf(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let loaded = state
        .db
        .run(move |conn| {
            let full = app::db::contracts::full(conn, &p, id)?;
            let supplier = app::db::suppliers::load_in(conn, p.district_id, full.contract.supplier_id)?
                .ok_or(app::db::DbError::NotFound)?;
            let project = app::db::procurement::load_in(conn, p.district_id, full.contract.project_id)?;
            let district =
                app::db::district::District::find(conn, p.district_id)?.ok_or(app::db::DbError::NotFound)?;
            let template = full.contract.template()?;
            let method = project.method();
            let doc =
                ContractDoc::of(&full, supplier, format!("{}民政局", district.name), project.code, method);
            Ok((template, doc))
        })
        .await;
    let (template, doc) = match loaded {
        Ok(v) => v,
        Err(e) => return error_response(&app::api::from_db(e), locale),
    };
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    let number = doc.number.clone();
    match state.pdf.render(Template::for_contract(template), document_data(&doc), today).await {
        Ok(pdf) => download(pdf, "application/pdf", &format!("{number}.pdf"), &format!("{number}.pdf")),
        Err(e) => template_error(e, locale),
    }
}

/// A template that does not compile is the template author's to fix:
/// they get Typst's message with its line (422), the log gets it too.
fn template_error(e: PdfError, locale: app::i18n::Locale) -> Response {
    match e {
        PdfError::Compile { .. } | PdfError::Read { .. } => {
            tracing::error!(error = %e, "template failed");
            text_response(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
        }
        other => {
            tracing::error!(error = %other, "document failed");
            error_response(&AppError::Internal, locale)
        }
    }
}

/// `GET /files/contract-templates/{template}/preview.pdf`: a contract
/// template typeset with demo data (finance and administrators).
pub async fn template_preview(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    let locale = request_locale(&headers);
    let Some((template, data)) =
        Template::from_file_name(&name).and_then(|t| crate::pdf::preview_data(t).map(|d| (t, d)))
    else {
        return error_response(&AppError::NotFound, locale);
    };
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    match state.pdf.render(template, data, today).await {
        Ok(pdf) => {
            let file = format!("{}-preview.pdf", template.name().trim_end_matches(".typ"));
            download(pdf, "application/pdf", &file, &file)
        }
        Err(e) => template_error(e, locale),
    }
}

/// Query of the OCDS package: which district (its code); by default the
/// caller's, or the first one set up.
#[derive(Debug, serde::Deserialize)]
pub struct OcdsQuery {
    pub district: Option<String>,
}

/// The package's own address: the public origin when configured, else
/// the host the request came to.
pub fn package_uri(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    let origin = state.guard.public_origin.clone().unwrap_or_else(|| {
        let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        format!("http://{host}")
    });
    format!("{}{path}", origin.trim_end_matches('/'))
}

/// The OCDS release package of a district, as JSON.
pub async fn ocds_package(
    state: &AppState,
    auth: Option<Authenticated>,
    q: OcdsQuery,
    uri: String,
) -> Result<serde_json::Value, AppError> {
    let prefix = state.ocid_prefix.to_string();
    let result = state
        .db
        .run(move |conn| {
            use app::db::district::District;
            let district = match (&q.district, auth) {
                (Some(code), _) => District::find_by_code(conn, code)?,
                (None, Some(a)) => District::find(conn, a.principal.district_id)?,
                (None, None) => District::first(conn)?,
            };
            let Some(district) = district else {
                return Ok(Err(AppError::NotFound));
            };
            let publisher = crate::ocds::Publisher { ocid_prefix: prefix, uri };
            Ok(Ok(crate::ocds::package(conn, district.id, &publisher)?))
        })
        .await;
    match result {
        Ok(v) => v,
        Err(e) => Err(app::api::from_db(e)),
    }
}

/// `GET /files/ocds/release-package.json`: the package as a download.
pub async fn ocds_download(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    headers: HeaderMap,
    Query(q): Query<OcdsQuery>,
) -> Response {
    let locale = request_locale(&headers);
    let uri = package_uri(&state, &headers, app::policy::paths::API_OCDS);
    match ocds_package(&state, auth.map(|a| a.0), q, uri).await {
        Ok(v) => download(
            serde_json::to_vec_pretty(&v).unwrap_or_default(),
            "application/json",
            "ocds-release-package.json",
            "ocds-release-package.json",
        ),
        Err(e) => error_response(&e, locale),
    }
}
