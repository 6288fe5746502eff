//! Server functions: the typed calls pages make to the server. Each one
//! runs on the server only; the browser gets a stub that posts to
//! `/api/<endpoint>`. The server's guard has already checked the route
//! policy ([`crate::policy`]) before a function runs; functions check
//! data-level scope themselves and write only through
//! [`crate::db::write::write`].

pub mod account;
pub mod admin;
pub mod approvals;
pub mod audit;
pub mod dashboard;
pub mod session;

/// The database handle provided to server functions.
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

/// Maps a database error to what the user is told.
#[cfg(feature = "ssr")]
pub(crate) fn from_db(err: crate::db::DbError) -> crate::error::AppError {
    use crate::db::DbError;
    use crate::error::AppError;
    match err {
        DbError::NotFound => AppError::NotFound,
        DbError::Stale => AppError::Stale,
        DbError::Conflict => AppError::UsernameTaken,
        other => internal(other),
    }
}

/// Gives a failed call its HTTP status (the result passes through).
#[cfg(feature = "ssr")]
pub(crate) fn finish<T>(result: Result<T, crate::error::AppError>) -> Result<T, crate::error::AppError> {
    if let Err(e) = &result
        && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(e.status())
    {
        response.set_status(status);
    }
    result
}
