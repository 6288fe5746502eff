//! Every route of the server, registered in one place: the Leptos pages and
//! server functions, the health check, file downloads and `/api/v1`. The
//! guard ([`guard`]) runs in front of all of them; [`registered`] lists
//! them so start-up can refuse a route that has no access rule.

mod api_v1;
mod budget_files;
mod contract_files;
mod files;
pub mod guard;
mod health;
mod inspection_files;
pub(crate) mod payroll_files;
mod render_tasks;
mod service_files;
mod service_sheets;
mod sheets;

use app::policy::{self, RouteKind};
use app::{App, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde::Serialize;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// The routes registered outside Leptos, and the static files served by
/// the fallback, as (method, path).
const AXUM_ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", policy::paths::METRICS),
    ("GET", policy::paths::STAFFING_SUMMARY_PDF),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/towns"),
    ("GET", "/api/v1/towns/{code}"),
    ("GET", policy::paths::API_ROSTER),
    ("POST", policy::paths::API_ALLOCATION_PREVIEW),
    ("GET", policy::paths::API_OPENAPI),
    ("GET", policy::paths::API_PAYROLL_RUNS),
    ("GET", policy::paths::API_PAYROLL_RUN),
    ("POST", policy::paths::API_PAYROLL_PREVIEW),
    ("GET", policy::paths::BUDGET_EXECUTION_PDF),
    ("GET", policy::paths::BUDGET_EXECUTION_XLSX),
    ("POST", policy::paths::BUDGET_ATTACHMENT_UPLOAD),
    ("GET", policy::paths::BUDGET_ATTACHMENT),
    ("GET", policy::paths::API_BUDGET_SOURCES),
    ("GET", policy::paths::API_BUDGET_BALANCES),
    ("GET", policy::paths::API_BUDGET_ENTRIES),
    ("GET", policy::paths::API_SUPPLIERS),
    ("GET", policy::paths::API_PROJECTS),
    ("GET", policy::paths::API_CONTRACTS),
    ("GET", policy::paths::API_CONTRACT),
    ("GET", policy::paths::API_OCDS),
    ("GET", policy::paths::CONTRACT_PDF),
    ("GET", policy::paths::CONTRACT_TEMPLATE_PREVIEW),
    ("GET", policy::paths::OCDS_DOWNLOAD),
    ("GET", policy::paths::API_SERVICE_RECORDS),
    ("POST", policy::paths::API_SERVICE_RECORDS),
    ("POST", policy::paths::EVIDENCE_UPLOAD),
    ("GET", policy::paths::EVIDENCE),
    ("GET", policy::paths::RECORDS_TEMPLATE),
    ("POST", policy::paths::RECORDS_IMPORT),
    ("GET", policy::paths::RECORDS_XLSX),
    ("POST", policy::paths::INSPECTION_FORM),
    ("GET", policy::paths::INSPECTION_PHOTO),
    ("POST", policy::paths::RECTIFICATION_EVIDENCE_UPLOAD),
    ("GET", policy::paths::RECTIFICATION_EVIDENCE),
    ("GET", policy::paths::RECTIFICATION_NOTICE_PDF),
    ("GET", policy::paths::INSPECTION_RESULTS_XLSX),
    ("GET", policy::paths::API_INSPECTION_PLANS),
    ("GET", policy::paths::API_INSPECTIONS),
    ("GET", policy::paths::API_FINDINGS),
    ("GET", policy::paths::API_INSPECTION_RESULTS),
    ("POST", policy::paths::ROSTER_IMPORT_UPLOAD),
    ("GET", policy::paths::ROSTER_IMPORT_FAILED),
    ("GET", policy::paths::ROSTER_TEMPLATE),
    ("GET", policy::paths::ROSTER_XLSX),
    ("GET", policy::paths::TOWNS_XLSX),
    ("GET", policy::paths::PLAN_XLSX),
    ("GET", policy::paths::PAYROLL_SHEET_PDF),
    ("GET", policy::paths::PAYROLL_SHEET_XLSX),
    ("GET", policy::paths::PAYROLL_SLIPS_PDF),
    ("GET", policy::paths::JOB_FILE),
    ("GET", "/pkg/*"),
    ("GET", "/favicon.svg"),
];

/// A route the server answers, with its rule.
#[derive(Debug, Clone, Serialize)]
pub struct RouteInfo {
    pub method: String,
    pub path: String,
    /// `page`, `server_fn`, `file`, `api` or `static`; `null` if no rule.
    pub kind: Option<&'static str>,
    /// `public`, `signed_in`, or the role codes allowed.
    pub access: Option<serde_json::Value>,
    pub before_password_change: bool,
}

/// Every route: pages, server functions and the routes above.
pub fn registered() -> Vec<RouteInfo> {
    // Listing the pages sets Leptos's executor: ours comes first.
    render_tasks::init();
    let mut routes: Vec<(String, String)> = Vec::new();
    for listing in generate_route_list(App) {
        routes.push(("GET".into(), listing.path().to_owned()));
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.push((method.as_str().to_owned(), path.to_owned()));
    }
    routes.extend(AXUM_ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())));
    routes.sort();
    routes.dedup();
    routes
        .into_iter()
        .map(|(method, path)| {
            let rule = policy::rule_for(&method, &path);
            RouteInfo {
                kind: rule.map(|r| match r.kind {
                    RouteKind::Page => "page",
                    RouteKind::ServerFn => "server_fn",
                    RouteKind::File => "file",
                    RouteKind::Api => "api",
                    RouteKind::Static => "static",
                }),
                access: rule.map(|r| match r.access {
                    policy::Access::Public => serde_json::json!("public"),
                    policy::Access::SignedIn => serde_json::json!("signed_in"),
                    policy::Access::AnyOf(roles) => {
                        serde_json::json!(roles.iter().map(|r| r.code()).collect::<Vec<_>>())
                    }
                }),
                before_password_change: rule.is_some_and(|r| r.before_password_change),
                method,
                path,
            }
        })
        .collect()
}

/// Routes without an access rule: start-up refuses to serve when any.
pub fn without_rule() -> Vec<String> {
    registered()
        .into_iter()
        .filter(|r| r.kind.is_none())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Builds the application router.
pub fn router(state: AppState) -> Router {
    render_tasks::init();
    let routes = generate_route_list(App);
    let db = state.db.clone();
    let auth = state.auth;
    let documents = app::jobs::ssr::DocumentJobs {
        jobs: state.jobs.clone(),
        slips: std::sync::Arc::new(crate::jobs::Slips {
            db: state.db.clone(),
            pdf: std::sync::Arc::clone(&state.pdf),
            jobs: state.jobs.clone(),
        }),
    };
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route(policy::paths::METRICS, get(metrics))
        .route(policy::paths::STAFFING_SUMMARY_PDF, get(files::staffing_summary))
        .route("/api/v1/me", get(api_v1::me))
        .route("/api/v1/towns", get(api_v1::towns))
        .route("/api/v1/towns/{code}", get(api_v1::town))
        .route(policy::paths::API_ROSTER, get(api_v1::roster))
        .route(policy::paths::API_ALLOCATION_PREVIEW, post(api_v1::allocation_preview))
        .route(policy::paths::API_OPENAPI, get(api_v1::openapi))
        .route(policy::paths::API_PAYROLL_RUNS, get(api_v1::payroll_runs))
        .route(policy::paths::API_PAYROLL_RUN, get(api_v1::payroll_run))
        .route(policy::paths::API_PAYROLL_PREVIEW, post(api_v1::payroll_preview))
        .route(policy::paths::API_BUDGET_SOURCES, get(api_v1::budget_sources))
        .route(policy::paths::BUDGET_EXECUTION_PDF, get(budget_files::execution_pdf))
        .route(policy::paths::BUDGET_EXECUTION_XLSX, get(budget_files::execution_xlsx))
        .route(
            policy::paths::BUDGET_ATTACHMENT_UPLOAD,
            post(budget_files::upload_attachment)
                .layer(DefaultBodyLimit::max(app::domain::files::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route(policy::paths::BUDGET_ATTACHMENT, get(budget_files::attachment))
        .route(policy::paths::API_BUDGET_BALANCES, get(api_v1::budget_balances))
        .route(policy::paths::API_BUDGET_ENTRIES, get(api_v1::budget_entries))
        .route(policy::paths::API_SUPPLIERS, get(api_v1::suppliers))
        .route(policy::paths::API_PROJECTS, get(api_v1::projects))
        .route(policy::paths::API_CONTRACTS, get(api_v1::contracts))
        .route(policy::paths::API_CONTRACT, get(api_v1::contract))
        .route(policy::paths::API_OCDS, get(api_v1::ocds))
        .route(policy::paths::CONTRACT_PDF, get(contract_files::contract_pdf))
        .route(policy::paths::CONTRACT_TEMPLATE_PREVIEW, get(contract_files::template_preview))
        .route(policy::paths::OCDS_DOWNLOAD, get(contract_files::ocds_download))
        .route(
            policy::paths::API_SERVICE_RECORDS,
            get(api_v1::service_records)
                .post(api_v1::create_service_records)
                .layer(DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route(
            policy::paths::EVIDENCE_UPLOAD,
            post(service_files::upload_evidence)
                .layer(DefaultBodyLimit::max(app::domain::files::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route(policy::paths::EVIDENCE, get(service_files::evidence))
        .route(policy::paths::RECORDS_TEMPLATE, get(service_sheets::template))
        .route(
            policy::paths::RECORDS_IMPORT,
            post(service_sheets::import)
                .layer(DefaultBodyLimit::max(crate::xlsx::MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route(policy::paths::RECORDS_XLSX, get(service_sheets::export))
        .route(
            policy::paths::INSPECTION_FORM,
            // Answers and several phone photos in one post.
            post(inspection_files::form).layer(DefaultBodyLimit::max(4 * app::domain::files::MAX_FILE_BYTES)),
        )
        .route(policy::paths::INSPECTION_PHOTO, get(inspection_files::photo))
        .route(
            policy::paths::RECTIFICATION_EVIDENCE_UPLOAD,
            post(inspection_files::upload_evidence)
                .layer(DefaultBodyLimit::max(app::domain::files::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route(policy::paths::RECTIFICATION_EVIDENCE, get(inspection_files::evidence))
        .route(policy::paths::RECTIFICATION_NOTICE_PDF, get(inspection_files::notice_pdf))
        .route(policy::paths::INSPECTION_RESULTS_XLSX, get(inspection_files::results_xlsx))
        .route(policy::paths::API_INSPECTION_PLANS, get(api_v1::inspection_plans))
        .route(policy::paths::API_INSPECTIONS, get(api_v1::inspections))
        .route(policy::paths::API_FINDINGS, get(api_v1::findings))
        .route(policy::paths::API_INSPECTION_RESULTS, get(api_v1::inspection_results))
        .route(
            policy::paths::ROSTER_IMPORT_UPLOAD,
            post(sheets::roster_import)
                .layer(DefaultBodyLimit::max(crate::xlsx::MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route(policy::paths::ROSTER_IMPORT_FAILED, get(sheets::import_failed))
        .route(policy::paths::ROSTER_TEMPLATE, get(sheets::roster_template))
        .route(policy::paths::ROSTER_XLSX, get(sheets::roster_xlsx))
        .route(policy::paths::TOWNS_XLSX, get(sheets::towns_xlsx))
        .route(policy::paths::PLAN_XLSX, get(sheets::plan_xlsx))
        .route(policy::paths::PAYROLL_SHEET_PDF, get(payroll_files::sheet_pdf))
        .route(policy::paths::PAYROLL_SHEET_XLSX, get(payroll_files::sheet_xlsx))
        .route(policy::paths::PAYROLL_SLIPS_PDF, get(payroll_files::slips_pdf))
        .route(policy::paths::JOB_FILE, get(files::job_file))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(db.clone());
                provide_context(auth);
                provide_context(documents.clone());
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(render_tasks::scope))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::guard))
        .layer(axum::middleware::from_fn(measure))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Counts and times every request by its route pattern (`/metrics`).
async fn measure(
    matched: Option<axum::extract::MatchedPath>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = req.method().as_str().to_owned();
    let route = matched.map_or_else(|| "(fallback)".to_owned(), |m| m.as_str().to_owned());
    let res = next.run(req).await;
    crate::metrics::global().request(&method, &route, res.status().as_u16(), started.elapsed());
    res
}

/// `GET /metrics`: the Prometheus text exposition.
async fn metrics(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = crate::metrics::global().render(state.db.pool_state());
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_registered_route_has_an_access_rule() {
        assert_eq!(super::without_rule(), Vec::<String>::new());
    }

    #[test]
    fn every_rule_names_a_registered_route() {
        let registered: Vec<(String, String)> =
            super::registered().into_iter().map(|r| (r.method, r.path)).collect();
        for rule in app::policy::RULES {
            assert!(
                registered.iter().any(|(m, p)| m == rule.method && p == rule.path),
                "rule {} {} matches no route",
                rule.method,
                rule.path
            );
        }
    }
}
