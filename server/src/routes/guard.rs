//! The guard in front of every route: gives each request an id, finds who
//! is asking (session cookie or `Authorization: Bearer` token), refuses
//! cross-site writes, applies the access policy ([`app::policy`]) before
//! any handler runs, and adds the security headers to every response.

use std::net::{IpAddr, SocketAddr};

use app::auth::{Authenticated, RequestMeta, secret_hash, session_token_from_cookies};
use app::db::sessions::{authenticate_session, authenticate_token};
use app::i18n::{Locale, locale_from_cookie_header};
use app::policy::{self, RouteKind, Verdict};
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tracing::Instrument;

use crate::state::AppState;

/// Security settings of the guard (from the command line).
#[derive(Debug, Clone)]
pub struct GuardConfig {
    /// The site's public origin (`https://gouzhu.example.gov.cn`): the only
    /// origin allowed to send state-changing requests. When unset, the
    /// request's own `Host` is the expected origin.
    pub public_origin: Option<String>,
    /// Behind a reverse proxy: take the client address from
    /// `X-Forwarded-For` and the scheme from `X-Forwarded-Proto`.
    pub trust_proxy: bool,
}

/// The guard middleware.
pub async fn guard(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    matched: Option<MatchedPath>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let meta = RequestMeta {
        request_id: new_request_id(),
        ip: client_ip(req.headers(), peer.ip(), state.guard.trust_proxy).to_string(),
        user_agent: header_str(req.headers(), header::USER_AGENT).chars().take(300).collect(),
        secure: is_secure(req.headers(), &state.guard),
        idempotency_key: None,
    };
    let mut meta = meta;
    match idempotency_key(req.headers()) {
        Ok(key) => meta.idempotency_key = key,
        Err(()) => {
            let message =
                "Idempotency-Key: 8 to 200 visible ASCII characters (幂等键须为 8 至 200 个可见 ASCII 字符)";
            return finish(error_json(StatusCode::BAD_REQUEST, "idempotency_key", message), &meta);
        }
    }
    // A NUL character has no business in a path or a query, and
    // PostgreSQL cannot even compare text holding one.
    let uri = req.uri();
    if uri.path().contains("%00") || uri.query().is_some_and(|q| q.contains("%00")) {
        let message = "a NUL character (%00) in the address (地址中含有 NUL 字符)";
        return finish(error_json(StatusCode::BAD_REQUEST, "bad_request", message), &meta);
    }
    req.extensions_mut().insert(meta.clone());
    let span = tracing::info_span!("request", id = %meta.request_id);
    let answer = Answer::of(req.headers(), req.uri().path());
    let work = decide(state, matched, req, next, meta.clone());
    catching(work, answer, &meta).instrument(span).await
}

/// The `Idempotency-Key` header: absent, or 8 to 200 visible ASCII
/// characters (a UUID fits).
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ()> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().map_err(|_| ())?.trim();
    if (8..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(Some(key.to_owned()))
    } else {
        Err(())
    }
}

/// How a request wants an unexpected failure told: a page for a browser
/// navigating, `"Internal"` for a server function (the client reads it
/// as `AppError::Internal`), the JSON error shape for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Page(Locale),
    ServerFn,
    Json,
}

impl Answer {
    fn of(headers: &HeaderMap, path: &str) -> Answer {
        if path.starts_with("/api/") && !path.starts_with("/api/v1/") {
            Answer::ServerFn
        } else if header_str(headers, header::ACCEPT).contains("text/html") {
            Answer::Page(request_locale(headers))
        } else {
            Answer::Json
        }
    }
}

/// Runs the request; a panic anywhere in it (a bug) is logged with the
/// request id and answered with a 500 that says, in the user's language,
/// that the action may not have completed and which id to report. The
/// panic's text never reaches the user. Database work that was under way
/// rolls back with its transaction.
async fn catching(
    work: impl std::future::Future<Output = Response>,
    answer: Answer,
    meta: &RequestMeta,
) -> Response {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(work).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(request_id = %meta.request_id, panic = %what, "request failed with a panic");
            let response = match answer {
                Answer::Page(locale) => {
                    let t = locale.messages();
                    let detail = format!("{}（{}{}）", t.error_internal, t.request_id_label, meta.request_id);
                    message_page(StatusCode::INTERNAL_SERVER_ERROR, locale, t.error_internal_title, &detail)
                }
                Answer::ServerFn => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, "application/json")],
                    "\"Internal\"",
                )
                    .into_response(),
                Answer::Json => error_json(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"),
            };
            finish(response, meta)
        }
    }
}

/// Everything after the request id: who, whether allowed, headers.
async fn decide(
    state: AppState,
    matched: Option<MatchedPath>,
    mut req: Request<Body>,
    next: Next,
    meta: RequestMeta,
) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let route = matched.as_ref().map(|m| m.as_str().to_owned());
    let rule = policy::rule_for(method.as_str(), route.as_deref().unwrap_or(&path));
    let locale = request_locale(req.headers());

    let auth = match authenticate(&state, req.headers()).await {
        Ok(auth) => auth,
        Err(e) => {
            tracing::error!(error = %e, "authentication lookup failed");
            return finish(
                error_json(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"),
                &meta,
            );
        }
    };

    let response = match rule {
        // An unknown path. A trailing slash goes to the path without it
        // (whose rule then applies); the rest is the not-found page for the
        // signed in and the login page for everyone else.
        None if route.is_none() && (method == Method::GET || method == Method::HEAD) => {
            let trimmed = path.trim_end_matches('/');
            if !trimmed.is_empty() && trimmed != path {
                let target = match req.uri().query() {
                    Some(q) => format!("{trimmed}?{q}"),
                    None => trimmed.to_owned(),
                };
                see_other(&target)
            } else {
                match auth.filter(|a| a.token_id.is_none()) {
                    Some(a) => {
                        req.extensions_mut().insert(a);
                        next.run(req).await
                    }
                    None => redirect_to_login(&path, req.uri().query()),
                }
            }
        }
        None if route.is_none() => error_json(StatusCode::NOT_FOUND, "not_found", "not found"),
        // A registered path with another method (every registered route has
        // a rule: start-up checks it).
        None => {
            tracing::debug!(?route, %method, "method not allowed");
            error_json(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed")
        }
        // API tokens open `/api/v1` only: a stolen token cannot mint more
        // tokens or administer anything.
        Some(rule) if rule.kind != RouteKind::Api && auth.as_ref().is_some_and(|a| a.token_id.is_some()) => {
            error_json(
                StatusCode::UNAUTHORIZED,
                "token_not_accepted",
                locale.messages().error_token_not_accepted,
            )
        }
        Some(rule) => {
            let bearer = bearer_token(req.headers()).is_some();
            if is_state_changing(&method) && !bearer && !same_origin(req.headers(), &state.guard) {
                tracing::warn!(ip = %meta.ip, "cross-site request refused");
                error_json(StatusCode::FORBIDDEN, "cross_site", locale.messages().error_cross_site)
            } else {
                match rule.verdict(auth.as_ref().map(|a| &a.principal)) {
                    Verdict::Allowed => {
                        if let Some(a) = auth {
                            req.extensions_mut().insert(a);
                        }
                        next.run(req).await
                    }
                    Verdict::SignInRequired if rule.kind == RouteKind::Page => {
                        redirect_to_login(&path, req.uri().query())
                    }
                    Verdict::SignInRequired => error_json(
                        StatusCode::UNAUTHORIZED,
                        "sign_in_required",
                        locale.messages().error_sign_in_required,
                    ),
                    Verdict::PasswordChangeRequired if rule.kind == RouteKind::Page => {
                        see_other(policy::paths::CHANGE_PASSWORD)
                    }
                    Verdict::PasswordChangeRequired => error_json(
                        StatusCode::FORBIDDEN,
                        "password_change_required",
                        locale.messages().error_password_change_required,
                    ),
                    Verdict::Forbidden if rule.kind == RouteKind::Page => forbidden_page(locale),
                    Verdict::Forbidden => {
                        error_json(StatusCode::FORBIDDEN, "forbidden", locale.messages().error_forbidden)
                    }
                }
            }
        }
    };
    finish(response, &meta)
}

/// Looks up the session cookie or bearer token; `None` when absent or no
/// longer valid.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Authenticated>, app::db::DbError> {
    let now = chrono::Utc::now().naive_utc();
    if let Some(token) = bearer_token(headers) {
        let hash = secret_hash(token);
        let found = state.db.run(move |conn| authenticate_token(conn, &hash, now)).await?;
        return Ok(found.map(|(principal, id)| Authenticated {
            principal,
            session_id: None,
            token_id: Some(id),
        }));
    }
    let token =
        session_token_from_cookies(headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()))
            .map(str::to_owned);
    let Some(token) = token else {
        return Ok(None);
    };
    let hash = secret_hash(&token);
    let timeouts = state.auth.timeouts;
    let found = state.db.run(move |conn| authenticate_session(conn, &hash, now, timeouts)).await?;
    Ok(found.map(|(principal, id)| Authenticated { principal, session_id: Some(id), token_id: None }))
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn header_str(headers: &HeaderMap, name: HeaderName) -> &str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Is the request from our own pages? `Origin` (or, failing that,
/// `Referer`) must name the public origin, or the host the request was
/// sent to. Browsers send `Origin` with every cross-site and every
/// same-site POST, so a page elsewhere cannot forge one.
fn same_origin(headers: &HeaderMap, config: &GuardConfig) -> bool {
    let claimed = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) if origin != "null" => origin.to_owned(),
        _ => match headers.get(header::REFERER).and_then(|v| v.to_str().ok()) {
            Some(referer) => origin_of(referer),
            None => return false,
        },
    };
    match &config.public_origin {
        Some(public) => claimed.eq_ignore_ascii_case(public.trim_end_matches('/')),
        None => {
            let host = header_str(headers, header::HOST);
            !host.is_empty() && authority_of(&claimed).eq_ignore_ascii_case(host)
        }
    }
}

/// `https://a.b:8080/x?y` → `https://a.b:8080`.
fn origin_of(url: &str) -> String {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!("{}{}", &url[..i + 3], &rest[..end])
        }
        None => String::new(),
    }
}

/// `https://a.b:8080` → `a.b:8080`.
fn authority_of(origin: &str) -> &str {
    origin.split_once("://").map_or("", |(_, a)| a)
}

/// The client's address: the peer's, or behind a trusted proxy the last
/// `X-Forwarded-For` entry, the one that proxy added (entries before it
/// are whatever the client claimed).
/// The client's address: the peer's, or behind a trusted proxy the last
/// `X-Forwarded-For` entry, the one that proxy added (entries before it
/// are whatever the client claimed).
fn client_ip(headers: &HeaderMap, peer: IpAddr, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        let forwarded = header_str(headers, HeaderName::from_static("x-forwarded-for"));
        if let Some(ip) = forwarded.rsplit(',').next().and_then(|s| s.trim().parse().ok()) {
            return ip;
        }
    }
    peer
}

fn is_secure(headers: &HeaderMap, config: &GuardConfig) -> bool {
    config.public_origin.as_deref().is_some_and(|o| o.starts_with("https://"))
        || (config.trust_proxy
            && header_str(headers, HeaderName::from_static("x-forwarded-proto")) == "https")
}

fn request_locale(headers: &HeaderMap) -> Locale {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(locale_from_cookie_header)
        .unwrap_or_default()
}

fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    // A request id need not be secret; a failure leaves zeros.
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

fn redirect_to_login(path: &str, query: Option<&str>) -> Response {
    let next = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    if next == policy::paths::HOME {
        return see_other(policy::paths::LOGIN);
    }
    see_other(&format!("{}?next={}", policy::paths::LOGIN, url_encode(&next)))
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The one JSON error shape: `{"error": code, "message": text}`.
pub fn error_json(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "error": code, "message": message }))).into_response()
}

fn forbidden_page(locale: Locale) -> Response {
    let t = locale.messages();
    message_page(StatusCode::FORBIDDEN, locale, t.forbidden_title, t.error_forbidden)
}

/// A plain page with a title, a sentence and the way home. The texts are
/// the product's own, never a user's or a panic's.
fn message_page(status: StatusCode, locale: Locale, title: &str, text: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" \
         href=\"/pkg/gouzhu.css\"></head><body><main class=\"content\"><section class=\"panel not-found\">\
         <h1>{title}</h1><p>{text}</p><a class=\"button\" href=\"/\">{}</a></section></main></body></html>",
        locale.code(),
        locale.messages().back_home
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// Adds the request id and the security headers.
fn finish(mut response: Response, meta: &RequestMeta) -> Response {
    let h = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.entry(HeaderName::from_static(name)).or_insert(v);
        }
    };
    set("x-request-id", &meta.request_id);
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "same-origin");
    set("cross-origin-opener-policy", "same-origin");
    set("permissions-policy", "geolocation=(self), camera=(self), microphone=()");
    // Pages set a policy with their script nonce; everything else may
    // load nothing at all.
    set("content-security-policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    if meta.secure {
        set("strict-transport-security", "max-age=31536000");
    }
    let is_static = response.headers().get(header::CACHE_CONTROL).is_some()
        || response.headers().get(header::ETAG).is_some()
        || response.headers().get(header::LAST_MODIFIED).is_some();
    if !is_static {
        response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_static(k), HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    const NO_PROXY: GuardConfig = GuardConfig { public_origin: None, trust_proxy: false };

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    fn meta() -> RequestMeta {
        RequestMeta {
            request_id: "r-test-1".into(),
            ip: "127.0.0.1".into(),
            user_agent: String::new(),
            secure: false,
            idempotency_key: None,
        }
    }

    #[tokio::test]
    async fn a_panic_is_a_page_in_chinese_with_the_request_id_and_no_panic_text() {
        let browser = headers(&[("accept", "text/html,application/xhtml+xml")]);
        let answer = Answer::of(&browser, "/contracts/7");
        assert_eq!(answer, Answer::Page(Locale::default()));
        let work = async { panic!("index out of bounds: secret detail") };
        let r = catching(work, answer, &meta()).await;
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(r.headers()["x-request-id"], "r-test-1");
        assert!(r.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("text/html")));
        let html = body(r).await;
        assert!(
            html.contains("系统出错了") && html.contains("请稍后重试") && html.contains("r-test-1"),
            "{html}"
        );
        assert!(!html.contains("secret detail") && !html.contains("panic"), "{html}");
        // In English for a user who chose it.
        let english = headers(&[("accept", "text/html"), ("cookie", "gouzhu_lang=en")]);
        let r = catching(async { panic!("x") }, Answer::of(&english, "/"), &meta()).await;
        assert!(body(r).await.contains("Something went wrong"));
    }

    #[tokio::test]
    async fn a_panic_in_a_server_function_or_the_api_is_an_internal_error() {
        let r =
            catching(async { panic!("boom") }, Answer::of(&HeaderMap::new(), "/api/save_contract"), &meta())
                .await;
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body(r).await, "\"Internal\"");
        let r =
            catching(async { panic!("boom") }, Answer::of(&HeaderMap::new(), "/api/v1/contracts"), &meta())
                .await;
        let json: serde_json::Value = serde_json::from_str(&body(r).await).expect("json");
        assert_eq!(json["error"], "internal");
        // No panic: the response passes through untouched.
        let ok = catching(async { StatusCode::NO_CONTENT.into_response() }, Answer::Json, &meta()).await;
        assert_eq!(ok.status(), StatusCode::NO_CONTENT);
        assert!(ok.headers().get("x-request-id").is_none());
    }

    #[test]
    fn same_origin_requests_pass_and_cross_site_ones_do_not() {
        let ok = headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")]);
        assert!(same_origin(&ok, &NO_PROXY));
        let evil = headers(&[("host", "127.0.0.1:3000"), ("origin", "http://evil.example")]);
        assert!(!same_origin(&evil, &NO_PROXY));
        let referer = headers(&[("host", "127.0.0.1:3000"), ("referer", "http://127.0.0.1:3000/login?x")]);
        assert!(same_origin(&referer, &NO_PROXY));
        let none = headers(&[("host", "127.0.0.1:3000")]);
        assert!(!same_origin(&none, &NO_PROXY));
        let null = headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]);
        assert!(!same_origin(&null, &NO_PROXY));
    }

    #[test]
    fn a_public_origin_is_the_only_one_accepted() {
        let config =
            GuardConfig { public_origin: Some("https://gz.example.gov.cn".into()), trust_proxy: true };
        let ok = headers(&[("host", "internal:3000"), ("origin", "https://gz.example.gov.cn")]);
        assert!(same_origin(&ok, &config));
        let http = headers(&[("host", "gz.example.gov.cn"), ("origin", "http://gz.example.gov.cn")]);
        assert!(!same_origin(&http, &config));
        assert!(is_secure(&HeaderMap::new(), &config));
    }

    #[test]
    fn client_address_comes_from_the_proxy_only_when_trusted() {
        // The client claims 10.1.2.3; the proxy saw it at 172.16.0.1.
        // The client claims 10.1.2.3; the proxy saw it at 172.16.0.1.
        let h = headers(&[("x-forwarded-for", "10.1.2.3, 172.16.0.1")]);
        let peer: IpAddr = "127.0.0.1".parse().expect("ip");
        assert_eq!(client_ip(&h, peer, false), peer);
        assert_eq!(client_ip(&h, peer, true).to_string(), "172.16.0.1");
    }

    #[test]
    fn login_redirect_keeps_the_path_encoded() {
        let res = redirect_to_login("/admin/users", Some("a=1&b=2"));
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()[header::LOCATION], "/login?next=/admin/users%3Fa%3D1%26b%3D2");
        assert_eq!(redirect_to_login("/", None).headers()[header::LOCATION], "/login");
    }
}
