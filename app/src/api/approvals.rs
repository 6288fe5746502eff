//! The approval inbox: pending items and recent decisions.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::approval::{ApprovalKind, ApprovalStatus, Decision};
use crate::error::AppError;

/// An item as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalSummary {
    pub id: i64,
    pub kind: ApprovalKind,
    pub summary: String,
    pub maker_id: i64,
    pub maker: String,
    pub created_at: NaiveDateTime,
    pub status: ApprovalStatus,
    pub decider: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub version: i32,
}

/// The inbox and who is looking at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub items: Vec<ApprovalSummary>,
    pub viewer_id: i64,
    /// The viewer may decide (approvers, for items not their own).
    pub can_decide: bool,
}

/// Pending items of the caller's district, then the 50 latest decisions.
#[server(prefix = "/api", endpoint = "list_approvals")]
pub async fn list_approvals() -> Result<Inbox, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("list_approvals")?;
        let can_decide = p.has(crate::domain::access::Role::Approver);
        let items = super::db()?
            .run(move |conn| crate::db::approvals::list(conn, p.district_id, 50))
            .await
            .map_err(super::from_db)?;
        Ok(Inbox { items, viewer_id: p.user_id, can_decide })
    }
    .await;
    super::finish(result)
}

/// Approves or rejects item `id` as last seen at `version`, with a reason;
/// `override_funds` lets an approval through a budget refusal (audited).
#[server(prefix = "/api", endpoint = "decide_approval")]
pub async fn decide_approval(
    id: i64,
    version: i32,
    decision: Decision,
    reason: String,
    override_funds: Option<String>,
) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("decide_approval")?;
        let actor = crate::auth::actor(Some(&p));
        super::db()?
            .run(move |conn| {
                Ok(crate::db::write::write(conn, &actor, |tx| {
                    crate::db::approvals::decide_with_override(
                        tx,
                        &p,
                        id,
                        version,
                        decision,
                        &reason,
                        override_funds.as_deref(),
                    )
                }))
            })
            .await
            .map_err(super::from_db)?
            .map_err(ssr::refusal)
    }
    .await;
    super::finish(result)
}

/// The maker takes back their pending item `id`.
#[server(prefix = "/api", endpoint = "withdraw_approval")]
pub async fn withdraw_approval(id: i64, version: i32) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("withdraw_approval")?;
        let actor = crate::auth::actor(Some(&p));
        super::db()?
            .run(move |conn| {
                Ok(crate::db::write::write(conn, &actor, |tx| {
                    crate::db::approvals::withdraw(tx, &p, id, version)
                }))
            })
            .await
            .map_err(super::from_db)?
            .map_err(ssr::refusal)
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::db::approvals::ApprovalError;
    use crate::error::AppError;

    /// What the user is told when a decision or withdrawal fails.
    pub fn refusal(e: ApprovalError) -> AppError {
        match e {
            ApprovalError::Refused(problem) => AppError::Approval(problem),
            ApprovalError::Budget(problem) => AppError::Budget(problem),
            ApprovalError::Contract(fault) => AppError::Contract(fault),
            ApprovalError::Db(e) => super::super::from_db(e),
        }
    }
}
