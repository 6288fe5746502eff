//! Browser sessions, login attempts and API tokens.
//!
//! Tokens (session cookies and API tokens alike) are stored only as
//! SHA-256 hashes, so a copy of the database does not let anyone sign in.
//! Touching `last_seen_at` / `last_used_at` is bookkeeping and not audited;
//! creating and ending sessions and tokens are audited changes.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::accounts::UserRow;
use super::schema::{api_tokens, login_attempts, sessions};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::api::account::TokenInfo;
use crate::domain::access::Principal;

/// How often `last_seen_at` / `last_used_at` are written at most (half the
/// idle timeout if that is shorter), so busy sessions do not write on every
/// request while an active session never idles out.
const TOUCH_INTERVAL_SECS: i64 = 30;

/// Session lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Ends a session unused for this long (30 minutes by default).
    pub idle: Duration,
    /// Ends a session this long after sign-in whatever happens (12 hours).
    pub absolute: Duration,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    prefix: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
struct SessionRow {
    id: i64,
    user_id: i64,
    last_seen_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
}

/// Starts a session for `user` (after the password was checked); returns
/// its id.
pub fn create_session(
    tx: &mut Tx<'_>,
    user: &UserRow,
    token_hash: &str,
    ip: &str,
    user_agent: &str,
    now: NaiveDateTime,
    timeouts: Timeouts,
) -> Result<i64, DbError> {
    let expires_at = now + timeouts.absolute;
    let user_agent: String = user_agent.chars().take(300).collect();
    let id: i64 = diesel::insert_into(sessions::table)
        .values((
            sessions::district_id.eq(user.district_id),
            sessions::user_id.eq(user.id),
            sessions::token_hash.eq(token_hash),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::expires_at.eq(expires_at),
            sessions::ip.eq(ip),
            sessions::user_agent.eq(&user_agent),
        ))
        .returning(sessions::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("login", "sessions", id).district(user.district_id).after(serde_json::json!({
        "user_id": user.id,
        "username": user.username,
        "ip": ip,
        "user_agent": user_agent,
        "expires_at": expires_at,
    })));
    Ok(id)
}

/// The principal of a live session with this token hash: not revoked,
/// within its absolute lifetime, used within the idle timeout, and its
/// user not disabled. Returns the session id too.
pub fn authenticate_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: NaiveDateTime,
    timeouts: Timeouts,
) -> Result<Option<(Principal, i64)>, DbError> {
    let Some(s) = sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    if s.revoked_at.is_some() || now >= s.expires_at || now - s.last_seen_at >= timeouts.idle {
        return Ok(None);
    }
    let Some(user) = UserRow::find(conn, s.user_id)? else {
        return Ok(None);
    };
    if user.disabled_at.is_some() {
        return Ok(None);
    }
    if now - s.last_seen_at >= std::cmp::min(Duration::seconds(TOUCH_INTERVAL_SECS), timeouts.idle / 2) {
        diesel::update(sessions::table.find(s.id)).set(sessions::last_seen_at.eq(now)).execute(conn)?;
    }
    let roles = UserRow::roles(conn, user.id)?;
    Ok(Some((user.principal(roles), s.id)))
}

/// Ends one session (sign-out).
pub fn revoke_session(tx: &mut Tx<'_>, session_id: i64, reason: &str) -> Result<(), DbError> {
    let now = chrono::Utc::now().naive_utc();
    let district: Option<i64> =
        sessions::table.find(session_id).select(sessions::district_id).first(tx.conn()).optional()?;
    let n = diesel::update(sessions::table.find(session_id).filter(sessions::revoked_at.is_null()))
        .set((sessions::revoked_at.eq(Some(now)), sessions::revoked_reason.eq(Some(reason))))
        .execute(tx.conn())?;
    if n == 0 {
        tx.nothing_changed();
        return Ok(());
    }
    let mut change =
        Change::new("logout", "sessions", session_id).after(serde_json::json!({ "reason": reason }));
    if let Some(d) = district {
        change = change.district(d);
    }
    tx.record(change);
    Ok(())
}

/// Ends every live session of `user_id` except `keep`.
pub fn revoke_all_for_user(
    tx: &mut Tx<'_>,
    user_id: i64,
    keep: Option<i64>,
    reason: &str,
) -> Result<(), DbError> {
    let now = chrono::Utc::now().naive_utc();
    let n = diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep.unwrap_or(-1))),
    )
    .set((sessions::revoked_at.eq(Some(now)), sessions::revoked_reason.eq(Some(reason))))
    .execute(tx.conn())?;
    if n > 0 {
        tx.record(
            Change::new("revoke_sessions", "users", user_id)
                .after(serde_json::json!({ "sessions": n, "reason": reason })),
        );
    }
    Ok(())
}

/// Records a login attempt (part of the login write). `name_key` is the
/// hash of the typed name ([`crate::auth::login_name_key`]).
pub fn record_attempt(
    tx: &mut Tx<'_>,
    name_key: &str,
    ip: &str,
    now: NaiveDateTime,
    succeeded: bool,
) -> Result<(), DbError> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::username.eq(name_key),
            login_attempts::ip.eq(ip),
            login_attempts::at.eq(now),
            login_attempts::succeeded.eq(succeeded),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// Failed attempts for the name whose key is `name_key` since `since`.
pub fn failures_for_username(
    conn: &mut AnyConnection,
    name_key: &str,
    since: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(login_attempts::table
        .filter(login_attempts::username.eq(name_key))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Failed attempts from `ip` since `since`.
pub fn failures_for_ip(conn: &mut AnyConnection, ip: &str, since: NaiveDateTime) -> Result<i64, DbError> {
    Ok(login_attempts::table
        .filter(login_attempts::ip.eq(ip))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Creates an API token for `owner`; returns its id.
pub fn create_token(
    tx: &mut Tx<'_>,
    owner: &Principal,
    name: &str,
    token_hash: &str,
    prefix: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<i64, DbError> {
    let id: i64 = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::district_id.eq(owner.district_id),
            api_tokens::user_id.eq(owner.user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::prefix.eq(prefix),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(expires_at),
        ))
        .returning(api_tokens::id)
        .get_result(tx.conn())?;
    tx.record(
        Change::new("create", "api_tokens", id)
            .district(owner.district_id)
            .after(serde_json::json!({ "user_id": owner.user_id, "name": name, "prefix": prefix, "expires_at": expires_at })),
    );
    Ok(id)
}

/// The tokens of `user_id`, newest first.
pub fn list_tokens(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<TokenInfo>, DbError> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id.desc())
        .select(TokenRow::as_select())
        .load::<TokenRow>(conn)?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked: t.revoked_at.is_some(),
            last_used_at: t.last_used_at,
        })
        .collect())
}

/// Revokes token `token_id` of `user_id`; `NotFound` for anyone else's.
pub fn revoke_token(tx: &mut Tx<'_>, district_id: i64, user_id: i64, token_id: i64) -> Result<(), DbError> {
    let now = chrono::Utc::now().naive_utc();
    let owned = api_tokens::table
        .filter(api_tokens::id.eq(token_id))
        .filter(api_tokens::user_id.eq(user_id))
        .count()
        .get_result::<i64>(tx.conn())?;
    if owned == 0 {
        return Err(DbError::NotFound);
    }
    let n = diesel::update(api_tokens::table.find(token_id).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(Some(now)))
        .execute(tx.conn())?;
    if n == 0 {
        tx.nothing_changed();
        return Ok(());
    }
    tx.record(Change::new("revoke", "api_tokens", token_id).district(district_id));
    Ok(())
}

/// Revokes every token of `user_id` (when the user is disabled).
pub fn revoke_all_tokens_for_user(tx: &mut Tx<'_>, user_id: i64) -> Result<(), DbError> {
    let now = chrono::Utc::now().naive_utc();
    let n = diesel::update(
        api_tokens::table.filter(api_tokens::user_id.eq(user_id)).filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(now)))
    .execute(tx.conn())?;
    if n > 0 {
        tx.record(Change::new("revoke_tokens", "users", user_id).after(serde_json::json!({ "tokens": n })));
    }
    Ok(())
}

/// The principal of a live API token with this hash: not revoked, not
/// expired, its user not disabled. Returns the token id too.
pub fn authenticate_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<(Principal, i64)>, DbError> {
    let Some(t) = api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .select(TokenRow::as_select())
        .first::<TokenRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let (id, user_id) = (t.id, t.user_id);
    if t.revoked_at.is_some() || now >= t.expires_at {
        return Ok(None);
    }
    let Some(user) = UserRow::find(conn, user_id)? else {
        return Ok(None);
    };
    if user.disabled_at.is_some() {
        return Ok(None);
    }
    if t.last_used_at.is_none_or(|last| now - last >= Duration::seconds(TOUCH_INTERVAL_SECS)) {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(Some(now)))
            .execute(conn)?;
    }
    let roles = UserRow::roles(conn, user.id)?;
    Ok(Some((user.principal(roles), id)))
}
