//! The route matrix: every route the server registers (as `gouzhu routes`
//! lists them), requested by nobody, by a user of every role, and by a
//! user outside the data's scope; each answer must match the access table
//! in `app/src/policy.rs`. A route without a rule fails here (and the
//! server refuses to start with one).

use std::process::Command;

use gouzhu_tests::{Backend, Client, DEMO_USERS, Server};
use reqwest::StatusCode;
use serde_json::Value;

/// What the table says a request should get.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    Allowed,
    SignInRequired,
    Forbidden,
}

fn routes() -> Vec<Value> {
    let out = Command::new(gouzhu_tests::gouzhu_bin()).arg("routes").output().expect("gouzhu routes");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("routes JSON")
}

fn expected(route: &Value, role: Option<&str>) -> Expected {
    match (&route["access"], role) {
        (Value::String(a), _) if a == "public" => Expected::Allowed,
        (_, None) => Expected::SignInRequired,
        (Value::String(a), Some(_)) if a == "signed_in" => Expected::Allowed,
        (Value::Array(roles), Some(role)) if roles.iter().any(|r| r == role) => Expected::Allowed,
        (Value::Array(_), Some(_)) => Expected::Forbidden,
        (other, _) => panic!("route {} has no access rule: {other}", route["path"]),
    }
}

/// A concrete request for a route pattern, within `username`'s scope (the
/// out-of-scope answers are checked separately below).
fn concrete(path: &str, username: Option<&str>) -> String {
    let town = if username == Some("town.shuanghe") { "011" } else { "001" };
    path.replace("{code}", town).replace("/*", "/gouzhu.js")
}

/// What the server actually did.
fn observed(status: StatusCode, location: Option<&str>) -> Expected {
    match status.as_u16() {
        401 => Expected::SignInRequired,
        303 if location.is_some_and(|l| l.starts_with("/login")) => Expected::SignInRequired,
        403 => Expected::Forbidden,
        _ => Expected::Allowed,
    }
}

async fn request(client: &Client, username: Option<&str>, route: &Value) -> (StatusCode, Option<String>) {
    let path = concrete(route["path"].as_str().expect("path"), username);
    let res = match route["method"].as_str() {
        Some("GET") => client.get(&path).await,
        Some("POST") => client.post_form(&path, &[]).await,
        other => panic!("unexpected method {other:?}"),
    };
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (res.status(), location)
}

both_backends! {
    async fn every_route_answers_every_role_as_the_table_says(backend: Backend) {
        let server = Server::start(backend);
        let mut routes = routes();
        assert!(routes.len() >= 30, "only {} routes listed", routes.len());
        for r in &routes {
            assert!(!r["kind"].is_null(), "route without an access rule: {} {}", r["method"], r["path"]);
        }
        // Signing out last, so it does not end the session mid-walk.
        routes.sort_by_key(|r| r["path"] == "/api/logout");

        let mut failures = Vec::new();
        let anonymous = Client::anonymous(&server);
        for route in &routes {
            let (status, location) = request(&anonymous, None, route).await;
            let want = expected(route, None);
            if observed(status, location.as_deref()) != want {
                failures.push(format!("anonymous {} {}: {status} {location:?}, want {want:?}", route["method"], route["path"]));
            }
        }
        for (username, role) in DEMO_USERS {
            let client = Client::demo(&server, username).await;
            for route in &routes {
                let (status, location) = request(&client, Some(username), route).await;
                let want = expected(route, Some(role));
                if observed(status, location.as_deref()) != want {
                    failures.push(format!("{username} {} {}: {status} {location:?}, want {want:?}", route["method"], route["path"]));
                }
            }
        }
        assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    }

    async fn users_outside_the_datas_scope_are_refused(backend: Backend) {
        let server = Server::start(backend);
        // town.shuanghe is a town user, allowed on the route, but 001 is
        // 滨江街道, not their town.
        let own = Client::demo(&server, "town.binjiang").await;
        let other = Client::demo(&server, "town.shuanghe").await;
        assert_eq!(own.get("/api/v1/towns/001").await.status(), 200);
        assert_eq!(other.get("/api/v1/towns/001").await.status(), 403);
        let listed: Value = other.get("/api/v1/towns").await.json().await.expect("json");
        let names: Vec<&str> = listed["towns"].as_array().expect("towns").iter().filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(names, ["双河镇"]);
        // A provider holds no town at all.
        let provider = Client::demo(&server, "provider").await;
        assert_eq!(provider.get("/api/v1/towns/001").await.status(), 403);
        assert_eq!(provider.call("dashboard", &[]).await.0, 403);
    }
}
