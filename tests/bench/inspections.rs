//! Spot inspections on the real server, SQLite and PostgreSQL:
//! - the draw of a plan over every town of the demo district (26 towns,
//!   two staff and two inspectors each), recorded and audited;
//! - the inspector's form submitted with a photo, for each of the 26
//!   inspections (reconciliation against posts, roster and payroll runs
//!   in the same transaction);
//! - the rectification notice (整改通知书) PDF, warm;
//! - the published results as JSON and as .xlsx.
//!
//! Run with `make bench` (or `cargo run --release -p gouzhu-tests
//! --example bench_inspections` after `make build`); figures go to
//! BENCHMARKS.md.

use std::time::{Duration, Instant};

use gouzhu_tests::{Backend, Client, Server};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A small JPEG (as a phone's photo, shrunk): markers only, with Exif.
fn photo() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let exif: &[u8] = b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x88\x25\0\x04\0\0\0\x01\0\0\0\x1aGPS29.5630N";
    b.extend([0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
    b.extend(exif);
    // About 200 KB of entropy-coded data.
    b.extend([0xFF, 0xDA, 0x00, 0x02]);
    b.extend((0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 & 0x7F));
    b.extend([0xFF, 0xD9]);
    b
}

async fn run(backend: Backend) {
    let server = Server::start(backend);
    let finance = Client::demo(&server, "finance").await;
    let id = |u: &str| server.db.query(&format!("SELECT id FROM users WHERE username = '{u}'"));
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let form = serde_json::json!({ "form": {
        "title": "全覆盖抽查（基准）",
        "period_from": today.to_string(), "period_to": (today + chrono::Duration::days(30)).to_string(),
        "ratio_percent": "0", "minimum_towns": 26, "staff_per_town": 2, "inspectors_per_town": 2,
        "rectification_days": 30,
        "checklist": [
            { "key": "on_post", "label": "专职低保员是否在岗在位", "kind": "YesNo", "required": true },
            { "key": "workplace", "label": "办公场所照片", "kind": "Photo", "required": true }],
        "pool": [[id("inspector").parse::<i64>().expect("id"), [], ""], [id("inspector.sun").parse::<i64>().expect("id"), [], ""]],
    }});
    let (status, plan) = finance.call_json("create_inspection_plan", &form).await;
    assert_eq!(status, 200, "{plan}");
    let started = Instant::now();
    let (status, drawn) = finance.call("draw_inspection_plan", &[("id", &plan.to_string())]).await;
    let draw = started.elapsed();
    assert_eq!((status.as_u16(), drawn.as_i64()), (200, Some(26)));

    let inspector = Client::demo(&server, "inspector").await;
    let ids = server.db.query(&format!("SELECT id FROM inspections WHERE plan_id = {plan} ORDER BY id"));
    let bytes = photo();
    let mut submits = Vec::new();
    for inspection in ids.lines() {
        let version = server.db.query(&format!("SELECT version FROM inspections WHERE id = {inspection}"));
        let form = reqwest::multipart::Form::new()
            .text("version", version)
            .text("arrived_at", format!("{today}T09:00"))
            .text("left_at", format!("{today}T10:00"))
            .text("headcount", "1")
            .text("answer:on_post", "yes")
            .text("action", "submit")
            .part("photo:workplace", reqwest::multipart::Part::bytes(bytes.clone()).file_name("p.jpg"));
        let started = Instant::now();
        let res = inspector.post_multipart(&format!("/files/inspections/{inspection}/form"), form).await;
        submits.push(started.elapsed());
        let to = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(to.ends_with("saved=submit"), "{to}");
    }

    // A notice for every inspection with findings, each a different
    // document (Typst memoizes identical inputs, so a repeated render of
    // one notice would measure the cache).
    for inspection in ids.lines() {
        let (_, page) = inspector.call("inspection_page", &[("id", inspection)]).await;
        let findings = page[0]["findings"].as_array().cloned().unwrap_or_default();
        if findings.is_empty() {
            continue;
        }
        for f in &findings {
            let fid = f["id"].to_string();
            let (status, v) = inspector
                .call(
                    "decide_inspection_finding",
                    &[("id", &fid), ("confirm", "true"), ("severity", "major"), ("reason", "")],
                )
                .await;
            assert_eq!(status, 200, "{v}");
        }
        let (status, v) = inspector
            .call("issue_rectification_notice", &[("inspection_id", inspection), ("deadline", "")])
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let rects = server.db.query(&format!(
        "SELECT r.id FROM rectifications r JOIN inspections i ON i.id = r.inspection_id WHERE i.plan_id = {plan} ORDER BY r.id"
    ));
    let mut notices = Vec::new();
    for rect in rects.lines() {
        let started = Instant::now();
        let res = finance.get(&format!("/files/rectifications/{rect}/notice.pdf")).await;
        let body = res.bytes().await.expect("pdf");
        notices.push(started.elapsed());
        assert!(body.starts_with(b"%PDF"));
    }
    let first_notice = notices.remove(0);
    let anonymous = Client::anonymous(&server);
    let time = |path: &'static str| {
        let anonymous = anonymous.clone();
        async move {
            let mut v = Vec::new();
            for _ in 0..11 {
                let started = Instant::now();
                let res = anonymous.get(path).await;
                assert_eq!(res.status(), 200);
                res.bytes().await.expect("body");
                v.push(started.elapsed());
            }
            median(v)
        }
    };
    let results_json = time("/api/v1/inspection-results").await;
    let results_xlsx = time("/files/inspection-results.xlsx").await;
    println!(
        "{}: draw of 26 towns {}; form submitted with a 200 KB photo: median {} (first {}, last {}); {} different notices as PDF: first {}, then median {}; results JSON (29 rows) {}; results .xlsx {}",
        backend.name(),
        ms(draw),
        ms(median(submits.clone())),
        ms(submits[0]),
        ms(*submits.last().expect("last")),
        notices.len() + 1,
        ms(first_notice),
        ms(median(notices)),
        ms(results_json),
        ms(results_xlsx),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    run(Backend::Sqlite).await;
    run(Backend::Postgres).await;
}
