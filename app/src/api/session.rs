//! Signing in and out, the current user, changing one's password.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::access::Principal;
use crate::error::AppError;

/// Who the browser is signed in as, and whether the server runs the demo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub principal: Option<Principal>,
    pub demo_mode: bool,
    /// Nobody can sign in yet: the login page says how to set up.
    pub no_users: bool,
}

/// The current user, if any.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<SessionInfo, AppError> {
    let result = async {
        let principal = crate::auth::authorize("current_user")?;
        let no_users = match principal {
            Some(_) => false,
            None => super::db()?.run(crate::db::accounts::no_users).await.map_err(super::from_db)?,
        };
        Ok(SessionInfo { principal, demo_mode: crate::auth::config().demo_mode, no_users })
    }
    .await;
    super::finish(result)
}

/// Signs in. On success sets the session cookie and redirects to `next`
/// (a path on this site) or the home page. Unknown users and wrong
/// passwords get the same answer.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let result = async {
        crate::auth::authorize("login")?;
        let db = super::db()?;
        let config = crate::auth::config();
        let meta = crate::auth::request_meta();
        let replaced = crate::auth::authenticated().and_then(|a| a.session_id);
        let token = ssr::login(&db, &config, &meta, &username, password, replaced).await?;
        let cookie = crate::auth::session_cookie(&token, meta.secure, config.timeouts.absolute.num_seconds());
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(value) = http::HeaderValue::from_str(&cookie)
        {
            response.append_header(http::header::SET_COOKIE, value);
        }
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(())
    }
    .await;
    super::finish(result)
}

/// Signs out: ends the session and removes the cookie.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let result = async {
        let principal = crate::auth::authorize_user("logout")?;
        let meta = crate::auth::request_meta();
        if let Some(session_id) = crate::auth::authenticated().and_then(|a| a.session_id) {
            let db = super::db()?;
            let actor = crate::auth::actor(Some(&principal));
            db.run(move |conn| {
                crate::db::write::write(conn, &actor, |tx| {
                    crate::db::sessions::revoke_session(tx, session_id, "logout")
                })
            })
            .await
            .map_err(super::from_db)?;
        }
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(value) = http::HeaderValue::from_str(&crate::auth::clear_session_cookie(meta.secure))
        {
            response.append_header(http::header::SET_COOKIE, value);
        }
        leptos_axum::redirect(crate::policy::paths::LOGIN);
        Ok(())
    }
    .await;
    super::finish(result)
}

/// Changes the caller's password: checks the current one (a wrong one
/// counts towards the lockout like a failed sign-in) and the policy, ends
/// the caller's other sessions and API tokens, and lifts a forced change.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), AppError> {
    let result = async {
        let principal = crate::auth::authorize_user("change_password")?;
        if new != confirm {
            return Err(AppError::PasswordsDiffer);
        }
        crate::domain::password::check_password(&principal.username, &new).map_err(AppError::Password)?;
        if current == new {
            return Err(AppError::Password(crate::domain::password::PasswordProblem::Unchanged));
        }
        let session_id = crate::auth::authenticated().and_then(|a| a.session_id);
        ssr::change_password(&super::db()?, &crate::auth::config(), &principal, session_id, current, new)
            .await?;
        leptos_axum::redirect(crate::policy::paths::HOME);
        Ok(())
    }
    .await;
    super::finish(result)
}

/// `next` if it is a path on this site, else the home page: a login link
/// must not be able to send people elsewhere. Only printable ASCII passes
/// (browsers drop tabs and newlines from URLs, so `/\t/evil` would become
/// `//evil`).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/api/")
                && n.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b'\\') =>
        {
            n.to_owned()
        }
        _ => crate::policy::paths::HOME.to_owned(),
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The steps of signing in and changing passwords. Password hashing
    //! runs on the blocking pool without holding a database connection, so
    //! a flood of sign-in attempts cannot starve the pool.

    use chrono::{NaiveDateTime, Utc};
    use diesel::RunQueryDsl;

    use crate::auth::{AuthConfig, RequestMeta, login_name_key, normalize_login_name};
    use crate::db::accounts::{self, UserRow};
    use crate::db::write::{Actor, Change, Tx, write};
    use crate::db::{AnyConnection, Db, DbError, sessions};
    use crate::domain::access::Principal;
    use crate::error::AppError;

    /// What the first look at a sign-in found.
    struct Precheck {
        user: Option<UserRow>,
        refusal: Option<AppError>,
    }

    /// Serialises sign-in writes for one name on PostgreSQL (SQLite writes
    /// are serialised anyway), so concurrent guesses cannot all pass the
    /// failure count before any of them is recorded.
    fn lock_name(conn: &mut AnyConnection, key: &str) -> Result<(), DbError> {
        if matches!(conn, AnyConnection::Postgresql(_)) {
            let lock = i64::from_str_radix(&key[..15], 16).unwrap_or(0);
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({lock})")).execute(conn)?;
        }
        Ok(())
    }

    /// Why a sign-in is refused before the password is looked at, if it is.
    fn refusal(
        conn: &mut AnyConnection,
        config: &AuthConfig,
        key: &str,
        ip: &str,
        user: Option<&UserRow>,
        now: NaiveDateTime,
    ) -> Result<Option<AppError>, DbError> {
        let window_start = now - config.lockout_window;
        if sessions::failures_for_ip(conn, ip, window_start)? >= config.address_attempts {
            return Ok(Some(AppError::TooManyAttempts));
        }
        let since =
            user.and_then(|u| u.failures_cleared_at).filter(|t| *t > window_start).unwrap_or(window_start);
        if sessions::failures_for_username(conn, key, since)? >= config.lockout_attempts {
            return Ok(Some(AppError::LockedOut));
        }
        Ok(None)
    }

    /// The audit record of a refused or failed attempt: the typed name only
    /// when it belongs to a user, else a short hash to correlate attempts.
    fn attempt_change(
        action: &'static str,
        user: Option<&UserRow>,
        key: &str,
        ip: &str,
        reason: &str,
    ) -> Change {
        match user {
            Some(u) => Change::new(action, "users", u.id)
                .district(u.district_id)
                .after(serde_json::json!({ "username": u.username, "ip": ip, "reason": reason })),
            None => Change {
                district_id: None,
                action,
                entity: "users",
                entity_id: None,
                before: None,
                after: Some(
                    serde_json::json!({ "unknown_username_sha256": &key[..16], "ip": ip, "reason": reason }),
                ),
            },
        }
    }

    /// Checks the credentials and starts a session (ending `replaced`, the
    /// session the request came with, if any); returns the cookie's token.
    /// Every attempt is audited; failed ones count towards the lockout.
    pub async fn login(
        db: &Db,
        config: &AuthConfig,
        meta: &RequestMeta,
        typed_username: &str,
        password: String,
        replaced: Option<i64>,
    ) -> Result<String, AppError> {
        let name = normalize_login_name(typed_username);
        let key = login_name_key(typed_username);
        let actor = Actor {
            district_id: None,
            user_id: None,
            username: None,
            ip: Some(meta.ip.clone()),
            request_id: meta.request_id.clone(),
            idempotency_key: None,
        };

        // 1. A quick look: is the name or the address refused already?
        let pre = {
            let (config, key, ip, name) = (*config, key.clone(), meta.ip.clone(), name.clone());
            db.run(move |conn| {
                let user = UserRow::find_by_username(conn, &name)?;
                let refusal = refusal(conn, &config, &key, &ip, user.as_ref(), Utc::now().naive_utc())?;
                Ok(Precheck { user, refusal })
            })
            .await
            .map_err(super::super::from_db)?
        };
        if let Some(error) = pre.refusal {
            let (actor, change) = (
                actor.clone(),
                attempt_change("login_refused", pre.user.as_ref(), &key, &meta.ip, &format!("{error:?}")),
            );
            db.run(move |conn| {
                write(conn, &actor, |tx| {
                    tx.record(change);
                    Ok::<_, DbError>(())
                })
            })
            .await
            .map_err(super::super::from_db)?;
            return Err(error);
        }

        // 2. The password, off the pool.
        let user = pre.user;
        let hash = user.as_ref().filter(|u| u.disabled_at.is_none()).map(|u| u.password_hash.clone());
        let matches = crate::auth::verify_password_off_thread(hash, password).await?;

        // 3. Record the outcome; the count is checked again under the lock.
        let token = crate::auth::new_secret()?;
        let token_hash = crate::auth::secret_hash(&token);
        let (config, meta) = (*config, meta.clone());
        let outcome = db
            .run(move |conn| {
                let now = Utc::now().naive_utc();
                let actor = match (&user, matches) {
                    (Some(u), true) => Actor {
                        district_id: Some(u.district_id),
                        user_id: Some(u.id),
                        username: Some(u.username.clone()),
                        ..actor
                    },
                    _ => actor,
                };
                Ok(write(conn, &actor, |tx: &mut Tx<'_>| {
                    lock_name(tx.conn(), &key)?;
                    if let Some(error) = refusal(tx.conn(), &config, &key, &meta.ip, user.as_ref(), now)? {
                        tx.record(attempt_change(
                            "login_refused",
                            user.as_ref(),
                            &key,
                            &meta.ip,
                            &format!("{error:?}"),
                        ));
                        return Ok(Err(error));
                    }
                    sessions::record_attempt(tx, &key, &meta.ip, now, matches)?;
                    match (&user, matches) {
                        (Some(u), true) => {
                            if let Some(old) = replaced {
                                sessions::revoke_session(tx, old, "replaced by a new sign-in")?;
                            }
                            sessions::create_session(
                                tx,
                                u,
                                &token_hash,
                                &meta.ip,
                                &meta.user_agent,
                                now,
                                config.timeouts,
                            )?;
                            Ok(Ok(()))
                        }
                        _ => {
                            tx.record(attempt_change(
                                "login_failed",
                                user.as_ref(),
                                &key,
                                &meta.ip,
                                "LoginFailed",
                            ));
                            Ok(Err(AppError::LoginFailed))
                        }
                    }
                }))
            })
            .await
            .map_err(super::super::from_db)?
            .map_err(super::super::from_db)?;
        outcome.map(|()| token)
    }

    /// Changes the password of `principal` after checking the current one.
    pub async fn change_password(
        db: &Db,
        config: &AuthConfig,
        principal: &Principal,
        keep_session: Option<i64>,
        current: String,
        new: String,
    ) -> Result<(), AppError> {
        let meta = crate::auth::request_meta();
        let key = login_name_key(&principal.username);
        let user_id = principal.user_id;
        let (config_copy, key_copy, ip) = (*config, key.clone(), meta.ip.clone());
        let (user, refused) = db
            .run(move |conn| {
                let user = UserRow::find(conn, user_id)?.ok_or(DbError::NotFound)?;
                let refused =
                    refusal(conn, &config_copy, &key_copy, &ip, Some(&user), Utc::now().naive_utc())?;
                Ok((user, refused))
            })
            .await
            .map_err(super::super::from_db)?;
        if let Some(error) = refused {
            return Err(error);
        }
        let matches =
            crate::auth::verify_password_off_thread(Some(user.password_hash.clone()), current).await?;
        let actor = crate::auth::actor(Some(principal));
        if !matches {
            let change =
                attempt_change("password_check_failed", Some(&user), &key, &meta.ip, "WrongCurrentPassword");
            db.run(move |conn| {
                write(conn, &actor, |tx| {
                    sessions::record_attempt(tx, &key, &meta.ip, Utc::now().naive_utc(), false)?;
                    tx.record(change);
                    Ok::<_, DbError>(())
                })
            })
            .await
            .map_err(super::super::from_db)?;
            return Err(AppError::WrongCurrentPassword);
        }
        let hash = crate::auth::hash_password_off_thread(new).await?;
        db.run(move |conn| {
            write(conn, &actor, |tx| {
                accounts::set_password(tx, user.id, &hash, false, keep_session, "change_password")
            })
        })
        .await
        .map_err(super::super::from_db)
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(safe_next(Some("/account?tab=tokens")), "/account?tab=tokens");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/a\nb")), "/");
        assert_eq!(safe_next(Some("/a b")), "/");
        assert_eq!(safe_next(Some("/api/logout")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
