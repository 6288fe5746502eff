//! Pages, server functions and static files over HTTP.

use gouzhu_tests::server::TestDatabase;
use gouzhu_tests::{Backend, Client, Server};
use serde_json::Value;

use crate::support::{demo_town_names, text_of_id};

both_backends! {
    async fn healthz_reports_the_database(backend: Backend) {
        let server = Server::start(backend);
        let res = Client::anonymous(&server).get("/healthz").await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], backend.name());
    }

    async fn dashboard_is_rendered_in_chinese_with_every_town(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let res = finance.get("/").await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.expect("body");
        assert!(html.contains("lang=\"zh-CN\""), "html lang is not zh-CN");
        assert!(html.contains("云溪区"));
        assert!(html.contains("专职低保员岗位概况"));
        for name in demo_town_names("name") {
            assert!(html.contains(&name), "{name} missing from the dashboard");
        }
        assert_eq!(text_of_id(&html, "total-posts").as_deref(), Some("198"));
    }

    async fn server_function_returns_the_dashboard(backend: Backend) {
        let server = Server::start(backend);
        let (status, d) = Client::demo(&server, "approver").await.call("dashboard", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(d["district"]["name"], "云溪区");
        assert_eq!(d["towns"].as_array().map(Vec::len), Some(26));
        assert_eq!(d["totals"]["posts"], 198);
        assert_eq!(d["totals"]["communities"], 129);
        assert_eq!(d["totals"]["villages"], 66);
        assert_eq!(d["totals"]["population"], 831_700);
        assert_eq!(d["whole_district"], true);
    }

    /// What schemathesis (`make stress`) found, kept fixed.
    async fn api_inputs_schemathesis_found_are_answered_not_failed(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        // A NUL in the address: 400 before anything runs (PostgreSQL
        // cannot even compare such text: it was a 500).
        let res = finance.get("/api/v1/inspection-results?district=%00x").await;
        assert_eq!(res.status(), 400);
        let e: Value = res.json().await.expect("json");
        assert_eq!(e["error"], "bad_request");
        // A NUL in a form: stored (SQLite) or refused with a message
        // (PostgreSQL), never a 500.
        let (status, e) = finance
            .call_json("save_supplier", &serde_json::json!({
                "id": null, "version": 0, "qualifications": [],
                "input": {
                    "name": "零\u{0}字符社工站", "credit_code": "91350100M000100Y43", "org_type": "social_organisation",
                    "legal_representative": "张三", "contact_name": "", "contact_phone": "023-12345678",
                    "address": "", "bank_name": "", "bank_account": "",
                },
            }))
            .await;
        assert!(status == 200 || status == 422, "{status} {e}");
        // JSON does not tell 10 from 10.0, nor does the schema: both count.
        let input = serde_json::json!({
            "method": "largest_remainder", "total": 10.0, "population_weight": 100, "recipients_weight": 0.0,
            "units": [{ "code": "a", "population": 5500.0, "recipients": 0 }, { "code": "b", "population": 4500, "recipients": 0 }]
        });
        assert_eq!(finance.post_json("/api/v1/allocation/preview", &input).await.status(), 200);
        let mut fractional = input.clone();
        fractional["total"] = serde_json::json!(10.5);
        assert_eq!(finance.post_json("/api/v1/allocation/preview", &fractional).await.status(), 400);
        // A records body with a field the schema does not know: refused.
        let provider = Client::demo(&server, "provider").await;
        let res = provider.post_json("/api/v1/service-records", &serde_json::json!({ "records": [], "extra": 1 })).await;
        assert_eq!(res.status(), 400);
    }

    /// Identity numbers never reach the server log, nor the answers of
    /// those who may not see them whole, whatever the requests carried
    /// (issue 10, item 5): a roster import, a refused import, whole
    /// numbers read by finance, masked ones by a town, the audit page.
    async fn identity_numbers_stay_out_of_the_log_and_masked_answers(backend: Backend) {
        use gouzhu_tests::roster_file::{upload, workbook};
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let towns: Vec<String> = server.db.query("SELECT code FROM towns ORDER BY code").lines().map(str::to_owned).collect();
        upload(&finance, workbook(&towns, 900_000..900_050, false), "名册.xlsx", "all").await;
        upload(&finance, workbook(&towns, 900_100..900_120, true), "有误.xlsx", "all").await;
        assert_eq!(finance.get("/api/v1/roster").await.status(), 200);
        let town = Client::demo(&server, "town.binjiang").await;
        let auditor = Client::demo(&server, "auditor").await;
        let ids: Vec<String> = server.db.query("SELECT id_number FROM staff").lines().map(str::to_owned).collect();
        assert!(ids.len() > 200, "{}", ids.len());
        let mut answers = Vec::new();
        for (who, path) in [(&town, "/api/v1/roster"), (&town, "/api/v1/payroll/runs"), (&auditor, "/audit")] {
            let res = who.get(path).await;
            assert_eq!(res.status(), 200, "{path}");
            answers.push((path, res.text().await.expect("body")));
        }
        let log = server.log();
        for id in &ids {
            assert!(!log.contains(id.as_str()), "an identity number in the server log: {id}");
            for (path, body) in &answers {
                assert!(!body.contains(id.as_str()), "an identity number whole in {path}: {id}");
            }
        }
    }

    async fn town_users_see_only_their_own_town(backend: Backend) {
        let server = Server::start(backend);
        let (status, d) = Client::demo(&server, "town.binjiang").await.call("dashboard", &[]).await;
        assert_eq!(status, 200);
        let towns = d["towns"].as_array().expect("towns");
        assert_eq!(towns.len(), 1);
        assert_eq!(towns[0]["name"], "滨江街道");
        assert_eq!(d["totals"]["posts"], 8);
        assert_eq!(d["whole_district"], false);
    }
}

#[tokio::test]
async fn english_cookie_renders_english() {
    let server = Server::start(Backend::Sqlite);
    let admin = Client::demo(&server, "admin").await;
    let english = admin.with_cookie(&format!("{}; gouzhu_lang=en", admin.cookie().expect("cookie")));
    let html = english.get("/").await.text().await.expect("body");
    assert!(html.contains("lang=\"en\""));
    assert!(html.contains("Yunxi District"));
    assert!(html.contains("Assistant posts at a glance"));
    assert!(html.contains("Binjiang Subdistrict"));
    assert!(!html.contains("专职低保员岗位概况"));
}

#[tokio::test]
async fn unknown_path_is_a_404_page_once_signed_in() {
    let server = Server::start(Backend::Sqlite);
    let res = Client::demo(&server, "finance").await.get("/no-such-page").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.expect("body").contains("页面不存在"));
    // Anonymous visitors learn nothing about which paths exist.
    let res = Client::anonymous(&server).get("/no-such-page").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=/no-such-page");
}

#[tokio::test]
async fn browser_bundle_and_stylesheet_are_served() {
    let server = Server::start(Backend::Sqlite);
    let anonymous = Client::anonymous(&server);
    for (path, kind) in [
        ("/pkg/gouzhu.wasm", "application/wasm"),
        ("/pkg/gouzhu.js", "javascript"),
        ("/pkg/gouzhu.css", "text/css"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let res = anonymous.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let ct = res.headers()["content-type"].to_str().unwrap_or_default().to_owned();
        assert!(ct.contains(kind), "{path} served as {ct}");
    }
    // The bundle is precompressed at build time and served compressed.
    let plain_len = anonymous.get("/pkg/gouzhu.wasm").await.bytes().await.expect("body").len();
    for encoding in ["br", "gzip"] {
        let res = anonymous
            .raw(reqwest::Method::GET, "/pkg/gouzhu.wasm")
            .header("accept-encoding", encoding)
            .send()
            .await
            .expect("request");
        assert_eq!(res.headers().get("content-encoding").map(|v| v.as_bytes()), Some(encoding.as_bytes()));
        let len = res.bytes().await.expect("body").len();
        assert!(len * 2 < plain_len, "{encoding}: {len} bytes of {plain_len}");
    }
}

#[tokio::test]
async fn a_new_installation_says_how_to_set_up() {
    let server = Server::start_on(TestDatabase::new(Backend::Sqlite), &[]).expect("server starts");
    let anonymous = Client::anonymous(&server);
    let res = anonymous.get("/").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let html = anonymous.get("/login").await.text().await.expect("body");
    assert!(html.contains("gouzhu demo") && html.contains("gouzhu user create"), "{html}");
    assert_eq!(anonymous.get("/files/staffing-summary.pdf").await.status(), 401);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_for_administrators_only() {
    let server = Server::start(Backend::Sqlite);
    let anonymous = Client::anonymous(&server);
    for _ in 0..3 {
        assert_eq!(anonymous.get("/healthz").await.status(), 200);
    }
    let finance = Client::demo(&server, "finance").await;
    let contract = server.db.query("SELECT min(id) FROM contracts");
    assert_eq!(finance.get(&format!("/api/v1/contracts/{contract}")).await.status(), 200);
    assert_eq!(finance.get("/metrics").await.status(), 403);
    assert_eq!(anonymous.get("/metrics").await.status(), 401);
    let admin = Client::demo(&server, "admin").await;
    let res = admin.get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().expect("header").starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.expect("body");
    assert!(
        text.contains("gouzhu_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 3"),
        "{text}"
    );
    // The pattern, not the path: the series stay bounded.
    assert!(text.contains("route=\"/api/v1/contracts/{id}\",status=\"200\"} 1"), "{text}");
    assert!(!text.contains(&format!("/api/v1/contracts/{contract}\"")));
    assert!(text.contains("route=\"/metrics\",status=\"403\"} 1"), "{text}");
    assert!(text.contains("gouzhu_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 3"));
    assert!(text.contains("# TYPE gouzhu_db_pool_connections gauge"));
    let pool: u32 = text
        .lines()
        .find_map(|l| l.strip_prefix("gouzhu_db_pool_connections "))
        .and_then(|v| v.parse().ok())
        .expect("pool gauge");
    assert!(pool >= 1);
}
