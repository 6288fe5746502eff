//! Documents: the staffing summary PDF, checked by extracting its text.

use std::process::Command;

use gouzhu_tests::process::TempDir;
use gouzhu_tests::{Backend, Client, Server};

use crate::support::demo_town_names;

/// Downloads `path` as `client` and returns the PDF's text as
/// `pdftotext -layout` reads it.
pub(crate) async fn pdf_text(server: &Server, client: &Client, path: &str) -> String {
    let res = client.get(path).await;
    assert_eq!(res.status(), 200, "{}", server.log());
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"].to_str().expect("ascii header").to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let bytes = res.bytes().await.expect("body");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");

    let dir = TempDir::new("pdf");
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, &bytes).expect("writing PDF");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext runs (install poppler-utils; `make test` does this)");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// The words of the line that starts with `label`.
fn line_starting(text: &str, label: &str) -> Vec<String> {
    text.lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line starting with {label} in:\n{text}"))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

both_backends! {
    async fn staffing_summary_pdf_lists_towns_and_totals(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let text = pdf_text(&server, &finance, "/files/staffing-summary.pdf").await;
        assert!(text.contains("云溪区专职低保员岗位配置汇总表"), "title missing:\n{text}");
        assert!(text.contains("云溪区民政局"));
        for name in demo_town_names("name") {
            assert!(text.contains(&name), "{name} missing from the PDF:\n{text}");
        }
        // 合计  129  66  831,700  198  4,201
        let total = line_starting(&text, "合计");
        assert_eq!(total[1..5], ["129", "66", "831,700", "198"], "total line: {total:?}");
    }
}

#[tokio::test]
async fn staffing_summary_follows_the_language_cookie() {
    let server = Server::start(Backend::Sqlite);
    let admin = Client::demo(&server, "admin").await;
    let english = admin.with_cookie(&format!("{}; gouzhu_lang=en", admin.cookie().expect("cookie")));
    let text = pdf_text(&server, &english, "/files/staffing-summary.pdf").await;
    assert!(text.contains("Yunxi District"), "{text}");
    assert!(text.contains("Binjiang Subdistrict"));
    let total = line_starting(&text, "Total");
    assert_eq!(total[1..5], ["129", "66", "831,700", "198"], "total line: {total:?}");
    assert!(!text.contains("合计"));
}

#[tokio::test]
async fn a_town_users_summary_holds_only_their_town() {
    let server = Server::start(Backend::Sqlite);
    let town = Client::demo(&server, "town.shuanghe").await;
    let text = pdf_text(&server, &town, "/files/staffing-summary.pdf").await;
    assert!(text.contains("双河镇"), "{text}");
    assert!(!text.contains("滨江街道"), "another town leaked into the PDF:\n{text}");
    let total = line_starting(&text, "合计");
    assert_eq!(total[1..5], ["4", "2", "8,000", "3"], "total line: {total:?}");
    // Service organisations see no staffing figures at all.
    assert_eq!(
        Client::demo(&server, "provider").await.get("/files/staffing-summary.pdf").await.status(),
        403
    );
}
