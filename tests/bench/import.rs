//! Roster import at scale: a 50,000-row .xlsx uploaded to the real server
//! on SQLite and on PostgreSQL. Two timings per backend, each the whole
//! request (upload, reading the workbook, checking every cell and row
//! against the database, writing, audit):
//! - validate: the file with one bad last row, in all-or-nothing mode, so
//!   every row is checked and nothing is written;
//! - import: the good file, every row written in one transaction.
//!
//! Run with `make bench` (or `cargo run -p gouzhu-tests --example
//! bench_import` after `make build`); figures go to BENCHMARKS.md.

use std::time::Instant;

use gouzhu_tests::roster_file::workbook;
use gouzhu_tests::{Backend, Client, Server};
use reqwest::multipart::{Form, Part};

const ROWS: u32 = 50_000;

async fn upload(client: &Client, bytes: Vec<u8>, name: &str) -> (f64, String) {
    let form = Form::new().text("mode", "all").part("file", Part::bytes(bytes).file_name(name.to_owned()));
    let started = Instant::now();
    let res = client.post_multipart("/files/roster-import", form).await;
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(res.status(), 303, "{:?}", res.text().await);
    let location = res.headers()["location"].to_str().expect("location").to_owned();
    (seconds, location)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("| backend | rows | file | validate (nothing written) | import (all written) |");
    println!("|---|---:|---:|---:|---:|");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let server = Server::start(backend);
        let towns: Vec<String> =
            server.db.query("SELECT code FROM towns ORDER BY code").lines().map(str::to_owned).collect();
        let bad = workbook(&towns, 0..ROWS, true);
        let good = workbook(&towns, 0..ROWS, false);
        let size = good.len();
        let finance = Client::demo(&server, "finance").await;
        let before: u64 = server.db.query("SELECT count(*) FROM staff").parse().expect("count");
        let (validate, location) = upload(&finance, bad, "bad.xlsx").await;
        let id = location.rsplit('/').next().expect("id");
        let status =
            server.db.query(&format!("SELECT status, problem_count FROM roster_imports WHERE id = {id}"));
        assert_eq!(status, "rejected|1", "only the last row fails");
        let (import, _) = upload(&finance, good, "good.xlsx").await;
        let after: u64 = server.db.query("SELECT count(*) FROM staff").parse().expect("count");
        assert_eq!(after - before, u64::from(ROWS), "every row imported");
        println!(
            "| {} | {ROWS} | {:.1} MB | {validate:.2} s | {import:.2} s |",
            backend.name(),
            size as f64 / 1_048_576.0
        );
    }
}
