//! Signing in and out: sessions, expiry, lockout, rate limits, CSRF,
//! disabling users, API tokens, forced password changes, security headers.

use std::time::Duration;

use gouzhu_tests::server::gouzhu;
use gouzhu_tests::{Backend, Client, DEMO_PASSWORD, Server};
use serde_json::{Value, json};

/// Creates a user as the demo admin; returns its id and temporary password.
async fn create_user(admin: &Client, username: &str, roles: &[&str]) -> (i64, String) {
    let (status, saved) = admin
        .call_json(
            "create_user",
            &json!({ "input": {
                "username": username,
                "display_name": "测试用户",
                "roles": roles,
                "town_id": null,
                "supplier_id": null,
            }}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    (saved["id"].as_i64().expect("id"), saved["temporary_password"].as_str().expect("password").to_owned())
}

both_backends! {
    async fn unknown_user_and_wrong_password_get_the_same_answer(backend: Backend) {
        let server = Server::start(backend);
        let wrong = Client::login(&server, "finance", "wrong-password-1").await.expect_err("refused");
        let unknown = Client::login(&server, "nobody.here", "wrong-password-1").await.expect_err("refused");
        assert_eq!(wrong.0, 401);
        assert_eq!(wrong, unknown, "the answers tell a wrong password from an unknown user");
        assert!(wrong.1.contains("LoginFailed"), "{}", wrong.1);
    }

    async fn five_failures_lock_an_account_until_an_admin_resets_it(backend: Backend) {
        let server = Server::start(backend);
        for _ in 0..5 {
            let (status, _) = Client::login(&server, "finance", "wrong-password-1").await.expect_err("refused");
            assert_eq!(status, 401);
        }
        // Locked: even the right password is refused now.
        let (status, body) = Client::login(&server, "finance", DEMO_PASSWORD).await.expect_err("locked");
        assert_eq!(status, 429);
        assert!(body.contains("LockedOut"), "{body}");
        // Unknown names lock the same way, so a lockout reveals nothing.
        for _ in 0..5 {
            let _ = Client::login(&server, "nobody.here", "x-wrong-password").await;
        }
        let (status, _) = Client::login(&server, "nobody.here", "x-wrong-password").await.expect_err("locked");
        assert_eq!(status, 429);

        // An administrator's reset clears the lock (and forces a change).
        let admin = Client::demo(&server, "admin").await;
        let (_, users) = admin.call("list_users", &[]).await;
        let finance_id = users["users"]
            .as_array()
            .and_then(|u| u.iter().find(|u| u["username"] == "finance"))
            .and_then(|u| u["id"].as_i64())
            .expect("finance user");
        let (status, reset) = admin.call("reset_password", &[("id", &finance_id.to_string())]).await;
        assert_eq!(status, 200, "{reset}");
        let temporary = reset["temporary_password"].as_str().expect("temporary password");
        let finance = Client::login(&server, "finance", temporary).await.expect("reset unlocks");
        let (status, body) = finance.call("dashboard", &[]).await;
        assert_eq!(status, 403, "a forced password change comes first: {body}");
        assert_eq!(body["error"], "password_change_required");
    }

    async fn logout_revokes_the_session(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        assert_eq!(finance.call("dashboard", &[]).await.0, 200);
        let res = finance.post_form("/api/logout", &[]).await;
        assert_eq!(res.status(), 200);
        let cleared = res.headers()["set-cookie"].to_str().expect("cookie").to_owned();
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        // The old cookie no longer opens anything.
        assert_eq!(finance.call("dashboard", &[]).await.0, 401);
        assert_eq!(finance.get("/").await.status(), 303);
    }

    async fn disabling_a_user_stops_their_sessions_and_tokens_at_once(backend: Backend) {
        let server = Server::start(backend);
        let admin = Client::demo(&server, "admin").await;
        let (id, temporary) = create_user(&admin, "li.na", &["finance"]).await;
        let li = Client::login(&server, "li.na", &temporary).await.expect("first login");
        let (status, _) = li
            .call("change_password", &[("current", &temporary), ("new", "Qing-Xi-River-2026"), ("confirm", "Qing-Xi-River-2026")])
            .await;
        assert_eq!(status, 200);
        let (status, token) = li.call("create_token", &[("name", "报表系统"), ("days", "30")]).await;
        assert_eq!(status, 200, "{token}");
        let api = Client::with_token(&server, token["secret"].as_str().expect("secret"));
        assert_eq!(api.get("/api/v1/me").await.status(), 200);
        assert_eq!(li.call("dashboard", &[]).await.0, 200);

        let (status, body) = admin.call("set_user_disabled", &[("id", &id.to_string()), ("disabled", "true")]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(li.call("dashboard", &[]).await.0, 401);
        assert_eq!(api.get("/api/v1/me").await.status(), 401);
        let (status, _) = Client::login(&server, "li.na", "Qing-Xi-River-2026").await.expect_err("disabled");
        assert_eq!(status, 401);
        // Re-enabling does not bring old sessions or tokens back.
        admin.call("set_user_disabled", &[("id", &id.to_string()), ("disabled", "false")]).await;
        assert_eq!(li.call("dashboard", &[]).await.0, 401);
        assert_eq!(api.get("/api/v1/me").await.status(), 401);
    }

    async fn state_changing_requests_from_other_sites_are_refused(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let post = |origin: Option<&str>| {
            let mut req = finance
                .raw(reqwest::Method::POST, "/api/create_token")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("name=x&days=1");
            if let Some(o) = origin {
                req = req.header("origin", o);
            }
            req.send()
        };
        let evil = post(Some("http://evil.example")).await.expect("request");
        assert_eq!(evil.status(), 403);
        let body: Value = evil.json().await.expect("json");
        assert_eq!(body["error"], "cross_site");
        assert_eq!(post(None).await.expect("request").status(), 403, "no Origin and no Referer");
        assert_eq!(post(Some(&server.base_url)).await.expect("request").status(), 200);
        // Login forms are protected too (login CSRF).
        let res = Client::anonymous(&server)
            .raw(reqwest::Method::POST, "/api/login")
            .header("origin", "http://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("username=finance&password={DEMO_PASSWORD}"))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 403);
        assert!(res.headers().get("set-cookie").is_none());
    }

    async fn api_tokens_are_shown_once_stored_hashed_and_revocable(backend: Backend) {
        let server = Server::start(backend);
        let town = Client::demo(&server, "town.binjiang").await;
        let (status, created) = town.call("create_token", &[("name", "镇街报表"), ("days", "7")]).await;
        assert_eq!(status, 200, "{created}");
        let secret = created["secret"].as_str().expect("secret").to_owned();
        assert!(secret.starts_with("gzt_"));
        let (_, list) = town.call("list_tokens", &[]).await;
        assert!(!list.to_string().contains(&secret), "the secret is listed again");
        assert_eq!(list[0]["name"], "镇街报表");
        assert!(server.db.query("SELECT token_hash FROM api_tokens").len() == 64);
        assert!(!server.db.query("SELECT token_hash || prefix FROM api_tokens").contains(&secret));

        let api = Client::with_token(&server, &secret);
        let me: Value = api.get("/api/v1/me").await.json().await.expect("json");
        assert_eq!(me["username"], "town.binjiang");
        // The same policy: a token carries its user's scope.
        assert_eq!(api.get("/api/v1/towns/001").await.status(), 200);
        assert_eq!(api.get("/api/v1/towns/011").await.status(), 403);
        assert_eq!(api.get("/api/v1/towns/999").await.status(), 404);
        let towns: Value = api.get("/api/v1/towns").await.json().await.expect("json");
        assert_eq!(towns["towns"].as_array().map(Vec::len), Some(1));
        // A token opens /api/v1 only: not the pages, not the server
        // functions (a stolen token cannot mint more tokens).
        let res = api.raw(reqwest::Method::POST, "/api/create_token").body("name=x&days=1").send().await.expect("request");
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().await.expect("json")["error"], "token_not_accepted");
        assert_eq!(api.get("/").await.status(), 401);
        assert_eq!(api.get("/files/staffing-summary.pdf").await.status(), 401);

        let id = created["id"].as_i64().expect("id").to_string();
        assert_eq!(town.call("revoke_token", &[("id", &id)]).await.0, 200);
        assert_eq!(api.get("/api/v1/me").await.status(), 401);
        // Nobody revokes someone else's token.
        let (status, _) = Client::demo(&server, "town.shuanghe").await.call("revoke_token", &[("id", &id)]).await;
        assert_eq!(status, 404);
        // A password change ends every token.
        let (_, second) = town.call("create_token", &[("name", "第二个"), ("days", "7")]).await;
        let api = Client::with_token(&server, second["secret"].as_str().expect("secret"));
        assert_eq!(api.get("/api/v1/me").await.status(), 200);
        let change = [("current", DEMO_PASSWORD), ("new", "Bin-Jiang-Street-2026"), ("confirm", "Bin-Jiang-Street-2026")];
        assert_eq!(town.call("change_password", &change).await.0, 200);
        assert_eq!(api.get("/api/v1/me").await.status(), 401);
    }

    async fn privileged_passwords_are_not_reset_on_the_web(backend: Backend) {
        let server = Server::start(backend);
        let admin = Client::demo(&server, "admin").await;
        let (_, users) = admin.call("list_users", &[]).await;
        let id_of = |name: &str| {
            users["users"].as_array().and_then(|u| u.iter().find(|u| u["username"] == name)).expect("user")["id"]
                .to_string()
        };
        for privileged in ["approver", "auditor"] {
            let (status, body) = admin.call("reset_password", &[("id", &id_of(privileged))]).await;
            assert_eq!((status.as_u16(), body), (403, json!("PrivilegedTarget")), "{privileged}");
        }
        assert_eq!(admin.call("reset_password", &[("id", &id_of("inspector"))]).await.0, 200);
        // The server's command line can.
        let out = gouzhu(&server.db, &["user", "reset-password", "--username", "approver"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(Client::login(&server, "approver", DEMO_PASSWORD).await.is_err());
    }

    async fn wrong_current_passwords_count_towards_the_lockout(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        for _ in 0..5 {
            let guess = [("current", "a-wrong-guess-1"), ("new", "Qing-Xi-River-2026"), ("confirm", "Qing-Xi-River-2026")];
            assert_eq!(finance.call("change_password", &guess).await.1, json!("WrongCurrentPassword"));
        }
        let right = [("current", DEMO_PASSWORD), ("new", "Qing-Xi-River-2026"), ("confirm", "Qing-Xi-River-2026")];
        assert_eq!(finance.call("change_password", &right).await.0, 429);
        assert_eq!(Client::login(&server, "finance", DEMO_PASSWORD).await.expect_err("locked").0, 429);
    }

    async fn a_new_sign_in_ends_the_session_it_came_with(backend: Backend) {
        let server = Server::start(backend);
        let approver = Client::demo(&server, "approver").await;
        let res = approver
            .post_form("/api/login", &[("username", "finance"), ("password", DEMO_PASSWORD), ("next", "/")])
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(approver.call("list_approvals", &[]).await.0, 401, "the old session was ended");
        // Two session cookies at once: neither is trusted.
        let finance = Client::demo(&server, "finance").await;
        let other = Client::demo(&server, "auditor").await;
        let both = finance.with_cookie(&format!(
            "{}; {}",
            finance.cookie().expect("cookie"),
            other.cookie().expect("cookie")
        ));
        assert_eq!(both.call("dashboard", &[]).await.0, 401);
    }

    async fn new_users_must_change_their_password_before_anything_else(backend: Backend) {
        let server = Server::start(backend);
        let admin = Client::demo(&server, "admin").await;
        let (_, temporary) = create_user(&admin, "wang.fang", &["inspector"]).await;
        let wang = Client::login(&server, "wang.fang", &temporary).await.expect("first login");
        let res = wang.get("/").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/change-password");
        assert_eq!(wang.get("/change-password").await.status(), 200);
        // The policy is checked before anything is stored.
        let weak = [("current", temporary.as_str()), ("new", "wang.fang"), ("confirm", "wang.fang")];
        let (status, body) = wang.call("change_password", &weak).await;
        assert_eq!(status, 422, "{body}");
        let common = [("current", temporary.as_str()), ("new", "Password123"), ("confirm", "Password123")];
        assert_eq!(wang.call("change_password", &common).await.1, json!({ "Password": "TooCommon" }));
        let wrong = [("current", "not-it-at-all"), ("new", "Qing-Xi-River-2026"), ("confirm", "Qing-Xi-River-2026")];
        assert_eq!(wang.call("change_password", &wrong).await.1, json!("WrongCurrentPassword"));
        // A second session of the same user ends when the password changes.
        let other = Client::login(&server, "wang.fang", &temporary).await.expect("second session");
        let good = [("current", temporary.as_str()), ("new", "Qing-Xi-River-2026"), ("confirm", "Qing-Xi-River-2026")];
        assert_eq!(wang.call("change_password", &good).await.0, 200);
        assert_eq!(wang.get("/").await.status(), 200, "the changing session goes on");
        assert_eq!(other.get("/").await.status(), 303, "other sessions end");
        assert!(Client::login(&server, "wang.fang", &temporary).await.is_err());
        assert!(Client::login(&server, "wang.fang", "Qing-Xi-River-2026").await.is_ok());
    }

    async fn scope_and_role_rules_apply_to_user_administration(backend: Backend) {
        let server = Server::start(backend);
        let admin = Client::demo(&server, "admin").await;
        let bad = |roles: Value, town: Value| json!({ "input": {
            "username": "zhao.yi", "display_name": "赵一", "roles": roles, "town_id": town, "supplier_id": null,
        }});
        let (status, body) = admin.call_json("create_user", &bad(json!(["town"]), Value::Null)).await;
        assert_eq!((status.as_u16(), body), (422, json!({ "Scope": "TownRoleNeedsTown" })));
        let (status, body) = admin.call_json("create_user", &bad(json!([]), Value::Null)).await;
        assert_eq!((status.as_u16(), body), (422, json!({ "Scope": "NoRole" })));
        let (status, body) = admin.call_json("create_user", &bad(json!(["finance"]), json!(1))).await;
        assert_eq!((status.as_u16(), body), (422, json!({ "Scope": "ScopeWithoutRole" })));
        create_user(&admin, "zhao.yi", &["finance"]).await;
        let (status, body) = admin.call_json("create_user", &bad(json!(["finance"]), Value::Null)).await;
        assert_eq!((status.as_u16(), body), (409, json!("UsernameTaken")));
        // Auditors read the user list but change nothing.
        let auditor = Client::demo(&server, "auditor").await;
        assert_eq!(auditor.call("list_users", &[]).await.0, 200);
        assert_eq!(auditor.call_json("create_user", &bad(json!(["finance"]), Value::Null)).await.0, 403);
    }
}

#[tokio::test]
async fn an_unused_session_ends_after_the_idle_timeout_and_a_used_one_does_not() {
    let server = Server::start_with(Backend::Sqlite, &["--session-idle", "3s"]);
    let idle = Client::demo(&server, "finance").await;
    let busy = Client::demo(&server, "approver").await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(busy.call("dashboard", &[]).await.0, 200, "an active session stays");
    }
    assert_eq!(idle.call("dashboard", &[]).await.0, 401, "an idle session ends");
}

#[tokio::test]
async fn every_session_ends_at_its_absolute_lifetime() {
    let server = Server::start_with(Backend::Sqlite, &["--session-lifetime", "3s"]);
    let res = Client::anonymous(&server)
        .post_form("/api/login", &[("username", "finance"), ("password", DEMO_PASSWORD)])
        .await;
    let cookie = res.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(cookie.contains("Max-Age=3") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http: no Secure flag");
    let finance = Client::demo(&server, "finance").await;
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert_eq!(finance.call("dashboard", &[]).await.0, 200);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(finance.call("dashboard", &[]).await.0, 401, "used, but past its lifetime");
}

#[tokio::test]
async fn a_lockout_ends_when_its_window_passes_however_often_it_is_tried() {
    let server = Server::start_with(Backend::Sqlite, &["--lockout-window", "3s"]);
    for _ in 0..5 {
        let _ = Client::login(&server, "finance", "wrong-password-1").await;
    }
    // Attempts while locked are refused without counting, so hammering the
    // account does not keep it locked.
    for _ in 0..3 {
        assert_eq!(Client::login(&server, "finance", "wrong-password-1").await.expect_err("locked").0, 429);
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(Client::login(&server, "finance", DEMO_PASSWORD).await.is_ok());
}

#[tokio::test]
async fn paths_with_a_trailing_slash_or_another_method_get_no_way_round_the_table() {
    let server = Server::start(Backend::Sqlite);
    let finance = Client::demo(&server, "finance").await;
    for path in ["/admin/users/", "/audit/", "/audit//"] {
        let res = finance.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        let location = res.headers()["location"].to_str().expect("location").to_owned();
        assert_eq!(finance.get(&location).await.status(), 403, "{path} -> {location}");
    }
    let res = finance.get("/api/login").await;
    assert_eq!(res.status(), 405);
    assert!(!server.log().contains("ERROR"), "{}", server.log());
}

#[tokio::test]
async fn login_redirects_stay_on_this_site() {
    let server = Server::start(Backend::Sqlite);
    for next in ["/\t/evil.example", "//evil.example", "https://evil.example", "/a\nb"] {
        let res = Client::anonymous(&server)
            .post_form("/api/login", &[("username", "finance"), ("password", DEMO_PASSWORD), ("next", next)])
            .await;
        assert_eq!(res.status(), 200, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
    }
}

#[tokio::test]
async fn one_address_trying_many_names_is_slowed_down() {
    let server = Server::start_with(Backend::Sqlite, &["--address-attempts", "3"]);
    for name in ["a.one", "a.two", "a.three"] {
        assert_eq!(Client::login(&server, name, "wrong-password-1").await.expect_err("refused").0, 401);
    }
    let (status, body) = Client::login(&server, "finance", DEMO_PASSWORD).await.expect_err("rate limited");
    assert_eq!(status, 429);
    assert!(body.contains("TooManyAttempts"), "{body}");
}

#[tokio::test]
async fn responses_carry_the_security_headers() {
    let server = Server::start(Backend::Sqlite);
    let finance = Client::demo(&server, "finance").await;
    let page = finance.get("/").await;
    let h = page.headers();
    let csp = h["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-request-id"].len(), 16);
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce").to_owned();
    assert!(
        page.text().await.expect("body").contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );
    let api = Client::anonymous(&server).get("/healthz").await;
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
    assert_eq!(api.headers()["x-frame-options"], "DENY");
}

#[test]
fn the_first_administrator_comes_from_the_command_line() {
    let db = gouzhu_tests::server::TestDatabase::new(Backend::Sqlite);
    assert!(gouzhu(&db, &["demo"]).status.success());
    let out = gouzhu(
        &db,
        &[
            "user",
            "create",
            "--district",
            "500199",
            "--username",
            "Chen.Admin",
            "--name",
            "陈管理",
            "--roles",
            "admin",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("created chen.admin"), "{stdout}");
    assert_eq!(db.query("SELECT must_change_password FROM users WHERE username = 'chen.admin'"), "1");
    assert_eq!(db.query("SELECT role FROM user_roles JOIN users ON users.id = user_roles.user_id WHERE username = 'chen.admin'"), "admin");
    let refused = gouzhu(
        &db,
        &["user", "create", "--district", "500199", "--username", "x.y", "--name", "X", "--roles", "root"],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown role"));
}
