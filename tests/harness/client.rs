//! An HTTP client that signs in like a browser: it keeps the session
//! cookie and sends the `Origin` header our pages send, so requests pass
//! the server's cross-site check. Or it carries an API token instead.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::Value;

use crate::Server;

/// A signed-in (or anonymous) client of one server.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
    bearer: Option<String>,
}

impl Client {
    /// Nobody signed in.
    pub fn anonymous(server: &Server) -> Client {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            base: server.base_url.clone(),
            cookie: None,
            bearer: None,
        }
    }

    /// Signs in with a password; `Err` holds the status and body.
    pub async fn login(
        server: &Server,
        username: &str,
        password: &str,
    ) -> Result<Client, (StatusCode, String)> {
        let mut client = Client::anonymous(server);
        let res = client
            .post_form("/api/login", &[("username", username), ("password", password), ("next", "/")])
            .await;
        let status = res.status();
        let cookie = res
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("gouzhu_session=") && !c.contains("Max-Age=0"))
            .and_then(|c| c.split(';').next())
            .map(str::to_owned);
        match (status, cookie) {
            (StatusCode::OK, Some(cookie)) => {
                client.cookie = Some(cookie);
                Ok(client)
            }
            _ => Err((status, res.text().await.unwrap_or_default())),
        }
    }

    /// Signs in as a demo user; panics if that fails.
    pub async fn demo(server: &Server, username: &str) -> Client {
        Client::login(server, username, crate::DEMO_PASSWORD)
            .await
            .unwrap_or_else(|(s, body)| panic!("login as {username}: {s} {body}"))
    }

    /// A client carrying an API token instead of a cookie.
    pub fn with_token(server: &Server, token: &str) -> Client {
        Client { bearer: Some(token.to_owned()), ..Client::anonymous(server) }
    }

    /// The session cookie (`gouzhu_session=...`), if signed in.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// The same client with another cookie value (to replay an old one).
    pub fn with_cookie(&self, cookie: &str) -> Client {
        Client { cookie: Some(cookie.to_owned()), ..self.clone() }
    }

    /// The same session, sent to `server` (restarted on another port).
    pub fn moved_to(&self, server: &Server) -> Client {
        Client { base: server.base_url.clone(), ..self.clone() }
    }

    fn prepare(&self, builder: RequestBuilder) -> RequestBuilder {
        let mut b = builder.header(ORIGIN, self.base.clone());
        if let Some(c) = &self.cookie {
            b = b.header(COOKIE, c.clone());
        }
        if let Some(t) = &self.bearer {
            b = b.header(AUTHORIZATION, format!("Bearer {t}"));
        }
        b
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.prepare(self.http.get(format!("{}{path}", self.base))).send().await.expect("request")
    }

    /// A request builder for `method path` with the cookie/token but
    /// without the `Origin` header (to test the cross-site check).
    pub fn raw(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let mut b = self.http.request(method, format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            b = b.header(COOKIE, c.clone());
        }
        if let Some(t) = &self.bearer {
            b = b.header(AUTHORIZATION, format!("Bearer {t}"));
        }
        b
    }

    /// `POST path` with a form body (how server functions take plain args).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.form_request(path, fields).send().await.expect("request")
    }

    /// The request [`Client::post_form`] sends, to add headers to.
    fn form_request(&self, path: &str, fields: &[(&str, &str)]) -> RequestBuilder {
        let body =
            fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        self.prepare(self.http.post(format!("{}{path}", self.base)))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
    }

    /// `POST path` with a multipart form (file uploads, as a browser form
    /// with `enctype="multipart/form-data"` sends them).
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Response {
        self.prepare(self.http.post(format!("{}{path}", self.base)))
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    /// `POST path` with a JSON body (server functions declared `input = Json`).
    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.prepare(self.http.post(format!("{}{path}", self.base)))
            .header("accept", "application/json")
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Calls server function `name` with form fields and returns the status
    /// and the JSON answer (`Value::Null` when the body is not JSON).
    pub async fn call(&self, name: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
        let res = self.post_form(&format!("/api/{name}"), fields).await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Calls server function `name` with form fields and an
    /// `Idempotency-Key` header.
    pub async fn call_with_key(&self, name: &str, fields: &[(&str, &str)], key: &str) -> (StatusCode, Value) {
        self.try_call(name, fields, Some(key)).await.expect("request")
    }

    /// Calls server function `name` with form fields (and an
    /// `Idempotency-Key` header, if given); `Err` when no answer came (the
    /// server died).
    pub async fn try_call(
        &self,
        name: &str,
        fields: &[(&str, &str)],
        key: Option<&str>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut req = self.form_request(&format!("/api/{name}"), fields);
        if let Some(key) = key {
            req = req.header("idempotency-key", key);
        }
        let res = req.send().await?;
        let status = res.status();
        Ok((status, res.json().await.unwrap_or(Value::Null)))
    }

    /// `POST path` with a multipart form; `Err` when no answer came.
    pub async fn try_post_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> Result<Response, reqwest::Error> {
        self.prepare(self.http.post(format!("{}{path}", self.base))).multipart(form).send().await
    }

    /// Calls server function `name` with a JSON body.
    pub async fn call_json(&self, name: &str, body: &Value) -> (StatusCode, Value) {
        let res = self.post_json(&format!("/api/{name}"), body).await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
