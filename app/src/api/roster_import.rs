//! Roster imports: the list of a user's imports and one import's report.
//! The upload itself is a plain form post to
//! [`crate::policy::paths::ROSTER_IMPORT_UPLOAD`] (a file route on the
//! server), which answers with a redirect to the report.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::roster_import::{ImportMode, ImportStatus, Problem};
use crate::error::AppError;

/// Problems a report page shows; the failed-rows file has them all.
pub const PROBLEMS_SHOWN: usize = 500;

/// One import as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: i64,
    pub created_at: chrono::NaiveDateTime,
    pub file_name: String,
    pub mode: ImportMode,
    pub status: ImportStatus,
    pub total_rows: i32,
    pub imported_rows: i32,
    pub failed_rows: i32,
    pub problem_count: i32,
}

/// The import page: may the viewer import, and their latest imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportsInfo {
    pub may_import: bool,
    pub imports: Vec<ImportSummary>,
}

/// One import's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub summary: ImportSummary,
    /// The first [`PROBLEMS_SHOWN`] problems, by row and column.
    pub problems: Vec<Problem>,
}

#[server(prefix = "/api", endpoint = "roster_imports")]
pub async fn roster_imports() -> Result<ImportsInfo, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("roster_imports")?;
        super::with_db(move |conn| {
            let imports = crate::db::roster_import::recent(conn, &p, 50)?
                .iter()
                .map(ssr::summary)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ImportsInfo { may_import: crate::db::roster_import::may_import(&p), imports })
        })
        .await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/api", endpoint = "roster_import")]
pub async fn roster_import(import_id: i64) -> Result<ImportReport, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("roster_import")?;
        super::with_db(move |conn| {
            let row = crate::db::roster_import::load(conn, &p, import_id)?;
            let mut problems = row.problems()?;
            problems.truncate(PROBLEMS_SHOWN);
            Ok(ImportReport { summary: ssr::summary(&row)?, problems })
        })
        .await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::db::DbError;
    use crate::db::roster_import::ImportRow;

    pub fn summary(row: &ImportRow) -> Result<ImportSummary, AppError> {
        let corrupt = || AppError::from(DbError::Corrupt(format!("import {}", row.id)));
        Ok(ImportSummary {
            id: row.id,
            created_at: row.created_at,
            file_name: row.file_name.clone(),
            mode: ImportMode::from_code(&row.mode).ok_or_else(corrupt)?,
            status: ImportStatus::from_code(&row.status).ok_or_else(corrupt)?,
            total_rows: row.total_rows,
            imported_rows: row.imported_rows,
            failed_rows: row.failed_rows,
            problem_count: row.problem_count,
        })
    }
}
