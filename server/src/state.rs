//! What every request handler shares.

use std::sync::Arc;

use app::auth::AuthConfig;
use app::db::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::pdf::PdfEngine;
use crate::routes::guard::GuardConfig;

/// Shared state of the running server. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub pdf: Arc<PdfEngine>,
    /// Document jobs under way or kept for download.
    pub jobs: app::jobs::ssr::Jobs,
    /// Uploaded files, by content hash.
    pub files: Arc<crate::file_store::FileStore>,
    pub auth: AuthConfig,
    pub guard: Arc<GuardConfig>,
    /// The prefix of OCDS ocids.
    pub ocid_prefix: Arc<str>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
