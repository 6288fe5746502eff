//! Who is asking, on the server: the request facts and the caller that the
//! server's guard (`server/src/routes/guard.rs`) attaches to every request,
//! password hashing, and the secrets behind session cookies and API tokens.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use leptos::prelude::use_context;
use sha2::{Digest, Sha256};

use crate::db::sessions::Timeouts;
use crate::db::write::Actor;
use crate::domain::access::Principal;
use crate::error::AppError;

/// Name of the session cookie over plain http.
pub const SESSION_COOKIE: &str = "gouzhu_session";
/// Name of the session cookie over https: the `__Host-` prefix makes the
/// browser refuse one set by another subdomain or for a narrower path.
pub const SECURE_SESSION_COOKIE: &str = "__Host-gouzhu_session";
/// Prefix of API tokens, so a leaked one is recognisable.
pub const API_TOKEN_PREFIX: &str = "gzt_";

/// Sign-in settings (see the README for the flags that set them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthConfig {
    pub timeouts: Timeouts,
    /// Failed logins of one account within `lockout_window` that lock it.
    pub lockout_attempts: i64,
    pub lockout_window: chrono::Duration,
    /// Failed logins from one address within `lockout_window` after which
    /// that address is refused.
    pub address_attempts: i64,
    /// Demo mode: the login page shows the demo accounts.
    pub demo_mode: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            timeouts: Timeouts { idle: chrono::Duration::minutes(30), absolute: chrono::Duration::hours(12) },
            lockout_attempts: 5,
            lockout_window: chrono::Duration::minutes(15),
            address_attempts: 30,
            demo_mode: false,
        }
    }
}

/// Facts about the current request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMeta {
    pub request_id: String,
    pub ip: String,
    pub user_agent: String,
    /// Served over https (cookies get `Secure`).
    pub secure: bool,
    /// The client's `Idempotency-Key` header, checked by the guard.
    pub idempotency_key: Option<String>,
}

/// The caller of the current request, when it carries a live session or
/// API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub principal: Principal,
    pub session_id: Option<i64>,
    pub token_id: Option<i64>,
}

fn parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The current request's facts.
pub fn request_meta() -> RequestMeta {
    parts().and_then(|p| p.extensions.get::<RequestMeta>().cloned()).unwrap_or_else(|| RequestMeta {
        request_id: "unknown".into(),
        ip: String::new(),
        user_agent: String::new(),
        secure: false,
        idempotency_key: None,
    })
}

/// The current caller, if signed in.
pub fn authenticated() -> Option<Authenticated> {
    parts().and_then(|p| p.extensions.get::<Authenticated>().cloned())
}

/// The current principal, if signed in.
pub fn principal() -> Option<Principal> {
    authenticated().map(|a| a.principal)
}

/// Checks the policy row of server function `endpoint` for the caller.
/// The guard checks it for requests to the function already; this covers
/// calls made in-process while a page renders, whatever path that page was
/// reached by. Returns the caller, if signed in.
pub fn authorize(endpoint: &str) -> Result<Option<Principal>, AppError> {
    let rule = crate::policy::rule_for("POST", &format!("/api/{endpoint}")).ok_or(AppError::Forbidden)?;
    let who = principal();
    match rule.verdict(who.as_ref()) {
        crate::policy::Verdict::Allowed => Ok(who),
        crate::policy::Verdict::SignInRequired => Err(AppError::SignInRequired),
        crate::policy::Verdict::PasswordChangeRequired | crate::policy::Verdict::Forbidden => {
            Err(AppError::Forbidden)
        }
    }
}

/// [`authorize`] for functions that need a signed-in caller.
pub fn authorize_user(endpoint: &str) -> Result<Principal, AppError> {
    authorize(endpoint)?.ok_or(AppError::SignInRequired)
}

/// The sign-in settings.
pub fn config() -> AuthConfig {
    use_context::<AuthConfig>().unwrap_or_default()
}

/// The actor of the current request, for audit entries.
pub fn actor(principal: Option<&Principal>) -> Actor {
    actor_of(principal, request_meta())
}

/// The actor of a request handled outside Leptos (file routes), from the
/// facts the guard recorded.
pub fn actor_of(principal: Option<&Principal>, meta: RequestMeta) -> Actor {
    Actor {
        district_id: principal.map(|p| p.district_id),
        user_id: principal.map(|p| p.user_id),
        username: principal.map(|p| p.username.clone()),
        ip: (!meta.ip.is_empty()).then_some(meta.ip),
        request_id: meta.request_id,
        idempotency_key: meta.idempotency_key,
    }
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, two
/// passes, one lane: OWASP's recommended minimum).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| AppError::Internal)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| AppError::Internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AppError::Internal)
}

/// [`hash_password`] on the blocking pool: hashing takes tens of
/// milliseconds of CPU, which must not stall the async workers.
pub async fn hash_password_off_thread(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|_| AppError::Internal)?
}

/// Checks a password against a stored hash (or, with `None`, spends the
/// same time on nothing), on the blocking pool.
pub async fn verify_password_off_thread(hash: Option<String>, password: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&h, &password),
        None => {
            verify_nothing(&password);
            false
        }
    })
    .await
    .map_err(|_| AppError::Internal)
}

/// Checks a password against a stored hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Spends the time of a password check against nothing, so an unknown
/// user name answers as slowly as a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("gouzhu-timing-equaliser").unwrap_or_default());
    let _ = verify_password(hash, password);
}

/// A new random secret: 32 bytes, base64url.
pub fn new_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| AppError::Internal)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A temporary password for a new or reset account: 14 characters from an
/// alphabet without look-alikes (no 0/O, 1/l/I), about 80 bits.
pub fn temporary_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 14];
    getrandom::fill(&mut bytes).map_err(|_| AppError::Internal)?;
    // 256 is not a multiple of 55: the slight bias costs well under a bit.
    Ok(bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect())
}

/// The stored form of a secret: SHA-256, lower-case hex.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str, secure: bool, max_age_secs: i64) -> String {
    if secure {
        format!(
            "{SECURE_SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}; Secure"
        )
    } else {
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}")
    }
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", secure, 0)
}

/// The session token in the request's `Cookie` header values: `None`
/// when there is none, or more than one (a planted second cookie must not
/// decide which session a request runs as).
pub fn session_token_from_cookies<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut tokens = headers.into_iter().flat_map(|h| h.split(';')).filter_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let name = name.trim();
        ((name == SESSION_COOKIE || name == SECURE_SESSION_COOKIE) && !value.trim().is_empty())
            .then(|| value.trim())
    });
    let first = tokens.next()?;
    tokens.next().is_none().then_some(first)
}

/// The key under which login attempts for a typed name are counted: its
/// SHA-256, so names typed at the login page (often a password typed into
/// the wrong field) are never stored in clear.
pub fn login_name_key(typed: &str) -> String {
    secret_hash(&normalize_login_name(typed))
}

/// A typed login name as looked up: trimmed, lower case, at most 64 chars.
pub fn normalize_login_name(typed: &str) -> String {
    typed.trim().to_lowercase().chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("Qing-Xi-River-2026").expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password(&hash, "Qing-Xi-River-2026"));
        assert!(!verify_password(&hash, "qing-xi-river-2026"));
        assert!(!verify_password("not a hash", "x"));
        // Two hashes of one password differ (random salt).
        assert_ne!(hash, hash_password("Qing-Xi-River-2026").expect("hash"));
    }

    #[test]
    fn temporary_passwords_pass_the_policy() {
        let p = temporary_password().expect("password");
        assert_eq!(p.chars().count(), 14);
        assert_eq!(crate::domain::password::check_password("someone", &p), Ok(()));
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
    }

    #[test]
    fn secrets_are_random_and_stored_hashed() {
        let a = new_secret().expect("secret");
        let b = new_secret().expect("secret");
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(secret_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn session_cookies_are_http_only_and_secure_over_https() {
        assert_eq!(
            session_cookie("t", false, 60),
            "gouzhu_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        assert!(session_cookie("t", true, 60).ends_with("; Secure"));
        assert!(session_cookie("t", true, 60).starts_with("__Host-gouzhu_session=t;"));
        assert!(clear_session_cookie(false).contains("Max-Age=0"));
        assert_eq!(session_token_from_cookies(["a=1; gouzhu_session=xyz"]), Some("xyz"));
        assert_eq!(session_token_from_cookies(["a=1", "__Host-gouzhu_session=xyz"]), Some("xyz"));
        assert_eq!(session_token_from_cookies(["gouzhu_session="]), None);
        // Two session cookies: neither is trusted.
        assert_eq!(session_token_from_cookies(["gouzhu_session=a; gouzhu_session=b"]), None);
        assert_eq!(session_token_from_cookies(["gouzhu_session=a", "__Host-gouzhu_session=b"]), None);
    }
}
