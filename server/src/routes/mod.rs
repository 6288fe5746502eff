//! Every route of the server, registered in one place: the Leptos pages and
//! server functions, the health check and file downloads.

mod files;
mod health;

use app::{App, shell};
use axum::Router;
use axum::routing::get;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Builds the application router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let db = state.db.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route(files::STAFFING_SUMMARY, get(files::staffing_summary))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(db.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
