//! One pass over the upload routes that take files from towns, providers
//! and finance (issue 10, item 4): each gets a file too large for it, a
//! web page with a script named as the type it expects, and a crafted
//! workbook (one cell at XFD1048576, which made the reader allocate
//! 512 GB and abort the server) or an SVG with a script named .png. Each
//! must be refused with a 4xx (or sent back to its form with the problem,
//! or recorded as a failed import), keep nothing — no stored file, no
//! row — and the server must still answer. The per-route tests (services,
//! budget, sheets, inspections) check the routes' own cases further.

use gouzhu_tests::{Backend, Client, Server};
use reqwest::multipart::{Form, Part};

fn far_cell_workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "姓名").expect("cell");
    ws.write_string(1_048_575, 16_383, "x").expect("cell");
    book.save_to_buffer().expect("workbook")
}

/// Files stored under the files folder.
fn stored(server: &Server) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum()
        })
    }
    walk(&server.db.files_dir())
}

/// The rows an upload could add.
fn rows(server: &Server) -> Vec<String> {
    ["staff", "service_records", "service_evidence", "budget_attachments", "rectification_evidence"]
        .iter()
        .map(|t| server.db.query(&format!("SELECT count(*) FROM {t}")))
        .collect()
}

/// Who uploads, to which route, with which other form fields, a file
/// name of the type it expects, and a crafted file for it.
type Route<'a> = (&'a Client, String, Vec<(&'a str, &'a str)>, &'a str, Vec<u8>);

both_backends! {
    async fn every_upload_route_refuses_oversized_mislabelled_and_crafted_files(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let provider = Client::demo(&server, "provider").await;
        let town = Client::demo(&server, "town.shuanghe").await;
        let supplier = server.db.query("SELECT supplier_id FROM users WHERE username = 'provider'");
        let record = server.db.query(&format!("SELECT max(id) FROM service_records WHERE supplier_id = {supplier}"));
        let rect = server.db.query(
            "SELECT r.id FROM rectifications r JOIN inspections i ON i.id = r.inspection_id \
             JOIN towns t ON t.id = i.town_id WHERE t.code = '011'",
        );
        let script = b"<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>".to_vec();
        let huge = vec![0u8; 41 * 1024 * 1024];
        let routes: Vec<Route> = vec![
            (&finance, "/files/roster-import".into(), vec![("mode", "all")], "名册.xlsx", far_cell_workbook()),
            (&provider, "/files/service-records/import".into(), vec![], "服务记录.xlsx", far_cell_workbook()),
            (&provider, format!("/files/service-records/{record}/evidence"), vec![], "照片.png", svg.clone()),
            (&finance, "/files/budget/sources/1/attachments".into(), vec![], "文件.pdf", svg.clone()),
            (&town, format!("/files/rectifications/{rect}/evidence"), vec![], "整改.png", svg.clone()),
        ];
        let (files_before, rows_before) = (stored(&server), rows(&server));
        let mut failures = Vec::new();
        let mut sent = 0;
        for (client, path, fields, name, crafted) in &routes {
            for (what, bytes) in [("oversized", huge.clone()), ("a script named as the type", script.clone()), ("crafted", crafted.clone())] {
                let mut form = Form::new();
                for (k, v) in fields {
                    form = form.text((*k).to_owned(), (*v).to_owned());
                }
                let form = form.part("file", Part::bytes(bytes).file_name((*name).to_owned()));
                let res = client.try_post_multipart(path, form).await;
                sent += 1;
                let (status, location) = match res {
                    Ok(res) => (
                        res.status().as_u16(),
                        res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(),
                    ),
                    // The server may close the connection on a body over
                    // its limit before reading it all.
                    Err(e) if what == "oversized" => (413, format!("connection closed: {e}")),
                    Err(e) => panic!("{path}: {e}"),
                };
                let refused = (400..500).contains(&status)
                    || (status == 303 && (location.contains("problem") || location.starts_with("/roster-imports/")));
                if !refused {
                    failures.push(format!("{path} took {what}: {status} {location}"));
                }
                assert_eq!(finance.get("/healthz").await.status(), 200, "the server after {what} to {path}");
            }
        }
        assert_eq!(stored(&server), files_before, "a refused upload left a file");
        assert_eq!(rows(&server), rows_before, "a refused upload left a row");
        assert!(failures.is_empty(), "{} uploads taken:\n{}", failures.len(), failures.join("\n"));
        assert_eq!(sent, 15);
    }
}
