//! Pages, server functions and static files over HTTP.

use gouzhu_tests::server::TestDatabase;
use gouzhu_tests::{Backend, Server};
use serde_json::Value;

use crate::support::{demo_town_names, http, text_of_id};

both_backends! {
    async fn healthz_reports_the_database(backend: Backend) {
        let server = Server::start(backend);
        let res = http().get(server.url("/healthz")).send().await.expect("request");
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], backend.name());
    }

    async fn dashboard_is_rendered_in_chinese_with_every_town(backend: Backend) {
        let server = Server::start(backend);
        let res = http().get(server.url("/")).send().await.expect("request");
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
        let res = http()
            .post(server.url("/api/dashboard"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body("")
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200);
        let d: Value = res.json().await.expect("json");
        assert_eq!(d["district"]["name"], "云溪区");
        assert_eq!(d["towns"].as_array().map(Vec::len), Some(26));
        assert_eq!(d["totals"]["posts"], 198);
        assert_eq!(d["totals"]["communities"], 129);
        assert_eq!(d["totals"]["villages"], 66);
        assert_eq!(d["totals"]["population"], 831_700);
    }
}

#[tokio::test]
async fn english_cookie_renders_english() {
    let server = Server::start(Backend::Sqlite);
    let html = http()
        .get(server.url("/"))
        .header("cookie", "gouzhu_lang=en")
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(html.contains("lang=\"en\""));
    assert!(html.contains("Yunxi District"));
    assert!(html.contains("Assistant posts at a glance"));
    assert!(html.contains("Binjiang Subdistrict"));
    assert!(!html.contains("专职低保员岗位概况"));
}

#[tokio::test]
async fn unknown_path_is_a_404_page() {
    let server = Server::start(Backend::Sqlite);
    let res = http().get(server.url("/no-such-page")).send().await.expect("request");
    assert_eq!(res.status(), 404);
    assert!(res.text().await.expect("body").contains("页面不存在"));
}

#[tokio::test]
async fn browser_bundle_and_stylesheet_are_served() {
    let server = Server::start(Backend::Sqlite);
    for (path, kind) in [
        ("/pkg/gouzhu.wasm", "application/wasm"),
        ("/pkg/gouzhu.js", "javascript"),
        ("/pkg/gouzhu.css", "text/css"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let res = http().get(server.url(path)).send().await.expect("request");
        assert_eq!(res.status(), 200, "{path}");
        let ct = res.headers()["content-type"].to_str().unwrap_or_default().to_owned();
        assert!(ct.contains(kind), "{path} served as {ct}");
    }
    // The bundle is precompressed at build time and served compressed.
    let plain = http().get(server.url("/pkg/gouzhu.wasm")).send().await.expect("request");
    let plain_len = plain.bytes().await.expect("body").len();
    for encoding in ["br", "gzip"] {
        let res = http()
            .get(server.url("/pkg/gouzhu.wasm"))
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
async fn empty_database_explains_how_to_load_the_demo() {
    let server = Server::start_on(TestDatabase::new(Backend::Sqlite), &[]).expect("server starts");
    let html = http().get(server.url("/")).send().await.expect("request").text().await.expect("body");
    assert!(html.contains("gouzhu demo"), "the dashboard does not say how to load data");
    let pdf = http().get(server.url("/files/staffing-summary.pdf")).send().await.expect("request");
    assert_eq!(pdf.status(), 404);
    assert!(pdf.text().await.expect("body").contains("gouzhu demo"));
}
