//! The audit log for auditors: filtered listing and chain verification.

use chrono::{NaiveDate, NaiveDateTime};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Entries per page.
pub const PAGE_SIZE: i64 = 50;

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(diesel::Queryable, diesel::Selectable))]
#[cfg_attr(feature = "ssr", diesel(table_name = crate::db::schema::audit_log))]
pub struct AuditRecord {
    pub id: i64,
    pub seq: i64,
    /// UTC.
    pub at: NaiveDateTime,
    pub district_id: Option<i64>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub request_id: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Which entries to list (database form: UTC bounds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub entity: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
    /// Entries before this position (paging back); newest first.
    pub before_seq: Option<i64>,
}

/// What an auditor asks for: dates are days in China Standard Time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub username: String,
    pub entity: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub before_seq: Option<i64>,
}

impl AuditQuery {
    /// The database filter: empty texts mean no filter; `from` starts at
    /// 00:00 and `to` includes the whole day, in China Standard Time.
    pub fn filter(&self) -> AuditFilter {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        AuditFilter {
            username: text(&self.username).map(|u| u.to_lowercase()),
            entity: text(&self.entity),
            from: self.from.map(crate::domain::calendar::china_day_start_utc),
            until: self.to.and_then(|d| d.succ_opt()).map(crate::domain::calendar::china_day_start_utc),
            before_seq: self.before_seq,
        }
    }
}

/// One page of entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    /// Pass as `before_seq` for the next (older) page.
    pub next_before_seq: Option<i64>,
}

/// What verifying the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub checked: u64,
    /// The last entry's position, with its hash below.
    pub head_seq: Option<i64>,
    /// The last entry's hash: keep it elsewhere to detect a later removal
    /// of the newest entries, which a chain alone cannot show.
    pub head_hash: Option<String>,
    pub broken: Option<BrokenEntry>,
}

/// The first entry that does not fit the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenEntry {
    pub id: i64,
    pub seq: i64,
    pub problem: ChainProblem,
}

/// How an entry breaks the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainProblem {
    /// Its content does not hash to its stored hash: it was edited.
    ContentChanged,
    /// Its `prev_hash` is not the previous entry's hash: an entry before
    /// it was removed or replaced.
    LinkBroken,
    /// Its position does not follow the previous entry's.
    SequenceGap,
}

/// Entries of the caller's district matching `query`, newest first.
#[server(prefix = "/api", endpoint = "audit_entries", input = Json)]
pub async fn audit_entries(query: AuditQuery) -> Result<AuditPage, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("audit_entries")?;
        let filter = query.filter();
        let entries = super::db()?
            .run(move |conn| crate::db::audit::list(conn, p.district_id, &filter, PAGE_SIZE))
            .await
            .map_err(super::from_db)?;
        let next_before_seq =
            (entries.len() as i64 == PAGE_SIZE).then(|| entries.last().map(|e| e.seq)).flatten();
        Ok(AuditPage { entries, next_before_seq })
    }
    .await;
    super::finish(result)
}

/// Verifies the whole chain (all districts: it is one chain).
#[server(prefix = "/api", endpoint = "verify_audit")]
pub async fn verify_audit() -> Result<Verification, AppError> {
    let result = async {
        crate::auth::authorize_user("verify_audit")?;
        super::db()?.run(crate::db::audit::verify).await.map_err(super::from_db)
    }
    .await;
    super::finish(result)
}
