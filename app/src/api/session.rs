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
        let principal = crate::auth::principal();
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
        let db = super::db()?;
        let config = crate::auth::config();
        let meta = crate::auth::request_meta();
        let secure = meta.secure;
        let token = db
            .run(move |conn| Ok(ssr::login(conn, &config, &meta, &username, &password)))
            .await
            .map_err(super::from_db)??;
        let cookie = crate::auth::session_cookie(&token, secure, config.timeouts.absolute.num_seconds());
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
        let auth = crate::auth::authenticated().ok_or(AppError::SignInRequired)?;
        let meta = crate::auth::request_meta();
        if let Some(session_id) = auth.session_id {
            let db = super::db()?;
            let actor = crate::auth::actor(Some(&auth.principal));
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

/// Changes the caller's password: checks the current one and the policy,
/// ends the caller's other sessions, and lifts a forced change.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), AppError> {
    let result = async {
        let auth = crate::auth::authenticated().ok_or(AppError::SignInRequired)?;
        if new != confirm {
            return Err(AppError::PasswordsDiffer);
        }
        crate::domain::password::check_password(&auth.principal.username, &new)
            .map_err(AppError::Password)?;
        let db = super::db()?;
        let actor = crate::auth::actor(Some(&auth.principal));
        db.run(move |conn| Ok(ssr::change_password(conn, &actor, &auth, &current, &new)))
            .await
            .map_err(super::from_db)??;
        leptos_axum::redirect(crate::policy::paths::HOME);
        Ok(())
    }
    .await;
    super::finish(result)
}

/// `next` if it is a path on this site, else the home page: a login link
/// must not be able to send people elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.starts_with("/api/") =>
        {
            n.to_owned()
        }
        _ => crate::policy::paths::HOME.to_owned(),
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The blocking parts: password checks and the writes they lead to.

    use chrono::Utc;

    use crate::auth::{AuthConfig, Authenticated, RequestMeta};
    use crate::db::accounts::{self, UserRow};
    use crate::db::sessions;
    use crate::db::write::{Actor, Change, write};
    use crate::db::{AnyConnection, DbError};
    use crate::error::AppError;

    /// Checks the credentials and starts a session; returns the cookie's
    /// token. Every attempt is recorded and audited.
    pub fn login(
        conn: &mut AnyConnection,
        config: &AuthConfig,
        meta: &RequestMeta,
        typed_username: &str,
        password: &str,
    ) -> Result<String, AppError> {
        let name: String = typed_username.trim().to_lowercase().chars().take(64).collect();
        let now = Utc::now().naive_utc();
        let window_start = now - config.lockout_window;
        let actor = Actor {
            district_id: None,
            user_id: None,
            username: None,
            ip: Some(meta.ip.clone()),
            request_id: meta.request_id.clone(),
        };
        let fail = |conn: &mut AnyConnection,
                    error: AppError,
                    district_id: Option<i64>|
         -> Result<String, AppError> {
            let reason = format!("{error:?}");
            write(conn, &actor, |tx| {
                sessions::record_attempt(tx.conn(), &name, &meta.ip, now, false)?;
                let mut change = Change::new("login_failed", "users", &name)
                    .after(serde_json::json!({ "username": name, "ip": meta.ip, "reason": reason }));
                change.district_id = district_id;
                tx.record(change);
                Ok(())
            })
            .map_err(super::super::from_db)?;
            Err(error)
        };

        if sessions::failures_for_ip(conn, &meta.ip, window_start).map_err(super::super::from_db)?
            >= config.address_attempts
        {
            return fail(conn, AppError::TooManyAttempts, None);
        }
        let user = UserRow::find_by_username(conn, &name).map_err(super::super::from_db)?;
        let cleared = user.as_ref().and_then(|u| u.failures_cleared_at).filter(|t| *t > window_start);
        let failures = sessions::failures_for_username(conn, &name, cleared.unwrap_or(window_start))
            .map_err(super::super::from_db)?;
        let district_id = user.as_ref().map(|u| u.district_id);
        if failures >= config.lockout_attempts {
            return fail(conn, AppError::LockedOut, district_id);
        }
        let user = match user {
            Some(u)
                if crate::auth::verify_password(&u.password_hash, password) && u.disabled_at.is_none() =>
            {
                u
            }
            Some(_) => return fail(conn, AppError::LoginFailed, district_id),
            None => {
                crate::auth::verify_nothing(password);
                return fail(conn, AppError::LoginFailed, None);
            }
        };

        let token = crate::auth::new_secret()?;
        let token_hash = crate::auth::secret_hash(&token);
        let actor = Actor {
            district_id: Some(user.district_id),
            user_id: Some(user.id),
            username: Some(user.username.clone()),
            ..actor.clone()
        };
        write(conn, &actor, |tx| {
            sessions::record_attempt(tx.conn(), &name, &meta.ip, now, true)?;
            sessions::create_session(
                tx,
                &user,
                &token_hash,
                &meta.ip,
                &meta.user_agent,
                now,
                config.timeouts,
            )?;
            Ok(())
        })
        .map_err(super::super::from_db)?;
        Ok(token)
    }

    /// Changes the password of the authenticated caller.
    pub fn change_password(
        conn: &mut AnyConnection,
        actor: &Actor,
        auth: &Authenticated,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let user = UserRow::find(conn, auth.principal.user_id)
            .map_err(super::super::from_db)?
            .ok_or(AppError::SignInRequired)?;
        if !crate::auth::verify_password(&user.password_hash, current) {
            return Err(AppError::WrongCurrentPassword);
        }
        if current == new {
            return Err(AppError::Password(crate::domain::password::PasswordProblem::Unchanged));
        }
        let hash = crate::auth::hash_password(new)?;
        write(conn, actor, |tx| {
            accounts::set_password(tx, user.id, &hash, false, auth.session_id, "change_password")
        })
        .map_err(|e| match e {
            DbError::Stale => AppError::Stale,
            other => super::super::from_db(other),
        })
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
        assert_eq!(safe_next(Some("/api/logout")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
