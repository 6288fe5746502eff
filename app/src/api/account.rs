//! The caller's own account: personal API tokens for `/api/v1`.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Longest lifetime of an API token, in days.
pub const MAX_TOKEN_DAYS: u32 = 365;

/// A token in the owner's list (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked: bool,
    pub last_used_at: Option<NaiveDateTime>,
}

/// A token just created: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: i64,
    pub secret: String,
}

/// The caller's tokens, newest first.
#[server(prefix = "/api", endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("list_tokens")?;
        super::db()?
            .run(move |conn| crate::db::sessions::list_tokens(conn, p.user_id))
            .await
            .map_err(super::from_db)
    }
    .await;
    super::finish(result)
}

/// Creates a token named `name` valid for `days` days.
#[server(prefix = "/api", endpoint = "create_token")]
pub async fn create_token(name: String, days: u32) -> Result<NewToken, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("create_token")?;
        let name = name.trim().chars().take(80).collect::<String>();
        if name.is_empty() {
            return Err(AppError::TokenNameRequired);
        }
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            return Err(AppError::TokenLifetime);
        }
        let secret = format!("{}{}", crate::auth::API_TOKEN_PREFIX, crate::auth::new_secret()?);
        let hash = crate::auth::secret_hash(&secret);
        let prefix: String = secret.chars().take(10).collect();
        let actor = crate::auth::actor(Some(&p));
        let now = chrono::Utc::now().naive_utc();
        let expires_at = now + chrono::Duration::days(i64::from(days));
        let id = super::db()?
            .run(move |conn| {
                crate::db::write::write(conn, &actor, |tx| {
                    crate::db::sessions::create_token(tx, &p, &name, &hash, &prefix, now, expires_at)
                })
            })
            .await
            .map_err(super::from_db)?;
        Ok(NewToken { id, secret })
    }
    .await;
    super::finish(result)
}

/// Revokes one of the caller's tokens.
#[server(prefix = "/api", endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("revoke_token")?;
        let actor = crate::auth::actor(Some(&p));
        super::db()?
            .run(move |conn| {
                crate::db::write::write(conn, &actor, |tx| {
                    crate::db::sessions::revoke_token(tx, p.district_id, p.user_id, id)
                })
            })
            .await
            .map_err(super::from_db)
    }
    .await;
    super::finish(result)
}
