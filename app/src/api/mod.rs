//! Server functions: the typed calls pages make to the server. Each one
//! runs on the server only; the browser gets a stub that posts to
//! `/api/<endpoint>`. The server's guard has already checked the route
//! policy ([`crate::policy`]) before a function runs; functions check
//! data-level scope themselves and write only through
//! [`crate::db::write::write`].

pub mod account;
pub mod admin;
pub mod allocation;
pub mod approvals;
pub mod audit;
pub mod budget;
pub mod contracts;
pub mod dashboard;
pub mod inspections;
pub mod payroll;
pub mod payroll_people;
pub mod roster;
pub mod roster_import;
pub mod services;
pub mod session;
pub mod towns;

/// The database handle provided to server functions.
#[cfg(feature = "ssr")]
pub(crate) fn db() -> Result<crate::db::Db, crate::error::AppError> {
    leptos::prelude::use_context::<crate::db::Db>().ok_or_else(|| {
        tracing::error!("server function called without a database in context");
        crate::error::AppError::Internal
    })
}

/// Runs database work that answers in the user's terms on the blocking
/// pool.
#[cfg(feature = "ssr")]
pub(crate) async fn with_db<T, F>(work: F) -> Result<T, crate::error::AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::AnyConnection) -> Result<T, crate::error::AppError> + Send + 'static,
{
    db()?.run(move |conn| Ok(work(conn))).await.map_err(from_db)?
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
pub fn from_db(err: crate::db::DbError) -> crate::error::AppError {
    use crate::db::DbError;
    use crate::error::AppError;
    match err {
        DbError::NotFound => AppError::NotFound,
        DbError::Stale => AppError::Stale,
        DbError::Replayed => AppError::Replayed,
        DbError::BadText => AppError::BadText,
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

#[cfg(test)]
mod tests {
    /// The sources of every module with server functions.
    const SOURCES: &[(&str, &str)] = &[
        ("account.rs", include_str!("account.rs")),
        ("admin.rs", include_str!("admin.rs")),
        ("allocation.rs", include_str!("allocation.rs")),
        ("approvals.rs", include_str!("approvals.rs")),
        ("audit.rs", include_str!("audit.rs")),
        ("budget.rs", include_str!("budget.rs")),
        ("contracts.rs", include_str!("contracts.rs")),
        ("dashboard.rs", include_str!("dashboard.rs")),
        ("inspections.rs", include_str!("inspections.rs")),
        ("payroll.rs", include_str!("payroll.rs")),
        ("payroll_people.rs", include_str!("payroll_people.rs")),
        ("roster.rs", include_str!("roster.rs")),
        ("roster_import.rs", include_str!("roster_import.rs")),
        ("services.rs", include_str!("services.rs")),
        ("session.rs", include_str!("session.rs")),
        ("towns.rs", include_str!("towns.rs")),
    ];

    /// Each server function checks its own policy row first thing: the
    /// guard checks requests to it, but a page rendering on the server
    /// calls it in-process, under the page's path.
    #[test]
    fn every_server_function_authorizes_itself() {
        let mut seen = 0;
        for (file, source) in SOURCES {
            let mut rest = *source;
            while let Some(at) = rest.find("#[server(") {
                rest = &rest[at + 1..];
                let attr_end = rest.find(")]").expect("attribute end");
                let attr = &rest[..attr_end];
                let endpoint = attr
                    .split("endpoint = \"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or_else(|| panic!("{file}: a server function without an explicit endpoint"));
                let body_end = rest.find("#[server(").unwrap_or(rest.len());
                let body = &rest[..body_end];
                let call = format!("authorize(\"{endpoint}\")");
                let call_user = format!("authorize_user(\"{endpoint}\")");
                assert!(
                    body.contains(&call) || body.contains(&call_user),
                    "{file}: server function {endpoint} does not call crate::auth::authorize(_user)(\"{endpoint}\")"
                );
                assert!(
                    crate::policy::rule_for("POST", &format!("/api/{endpoint}")).is_some(),
                    "{file}: server function {endpoint} has no policy row"
                );
                seen += 1;
            }
        }
        let rows =
            crate::policy::RULES.iter().filter(|r| r.kind == crate::policy::RouteKind::ServerFn).count();
        assert_eq!(
            seen, rows,
            "server functions found in the sources vs. server-function rows in the policy"
        );
    }
}
