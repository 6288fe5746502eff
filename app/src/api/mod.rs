//! Server functions: the typed calls pages make to the server. Each one
//! runs on the server only; the browser gets a stub that posts to
//! `/api/<endpoint>`. Handlers take what they need from context (the
//! [`crate::db::Db`] is provided by the server at startup).

pub mod dashboard;

/// The database handle provided to server functions, or an internal error
/// when the server was started without one.
#[cfg(feature = "ssr")]
pub(crate) fn db() -> Result<crate::db::Db, crate::error::AppError> {
    leptos::prelude::use_context::<crate::db::Db>().ok_or_else(|| {
        tracing::error!("server function called without a database in context");
        crate::error::AppError::Internal
    })
}

/// Logs an unexpected failure with its detail and returns the generic
/// error users see.
#[cfg(feature = "ssr")]
pub(crate) fn internal(err: impl std::fmt::Display) -> crate::error::AppError {
    tracing::error!(error = %err, "server function failed");
    crate::error::AppError::Internal
}
