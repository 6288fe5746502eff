//! The upgrade path, measured (issue 10, item 7): a database with the
//! demo district and 50,000 more people (imported through the real
//! server), on SQLite and on PostgreSQL, is taken back to the schema
//! before the newest migration (its `down.sql`, and its row of
//! `__diesel_schema_migrations` removed), then `gouzhu migrate` runs it
//! forward as an upgrade would. Prints the time of that `migrate` and
//! checks the data is all there afterwards.
//!
//! Run with `make bench` (or `cargo run -p gouzhu-tests --example
//! bench_upgrade` after `make build`); figures go to BENCHMARKS.md and
//! RELIABILITY.md.

use std::time::{Duration, Instant};

use gouzhu_tests::roster_file::{upload, workbook};
use gouzhu_tests::server::gouzhu;
use gouzhu_tests::{Backend, Client, Server};

const ROWS: u32 = 50_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("| backend | staff | audit entries | newest migration | `gouzhu migrate` |");
    println!("|---|---:|---:|---|---:|");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let mut server = Server::start(backend);
        let towns: Vec<String> =
            server.db.query("SELECT code FROM towns ORDER BY code").lines().map(str::to_owned).collect();
        let finance = Client::demo(&server, "finance").await;
        upload(&finance, workbook(&towns, 0..ROWS, false), "名册.xlsx", "all").await;
        server.terminate(Duration::from_secs(10));
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/");
        let folder = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let mut names: Vec<String> = std::fs::read_dir(format!("{dir}{folder}"))
            .expect("migrations")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        let newest = names.last().expect("a migration").clone();
        let down = std::fs::read_to_string(format!("{dir}{folder}/{newest}/down.sql")).expect("down.sql");
        let version: String = newest.split('_').next().expect("version").replace('-', "");
        server.db.query(&down);
        server.db.query(&format!("DELETE FROM __diesel_schema_migrations WHERE version = '{version}'"));
        let staff = server.db.query("SELECT count(*) FROM staff");
        let audit = server.db.query("SELECT count(*) FROM audit_log");
        let started = Instant::now();
        let out = gouzhu(&server.db, &["migrate"]);
        let took = started.elapsed();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(server.db.query("SELECT count(*) FROM staff"), staff, "no person lost");
        // The migration ran: what it adds is there.
        assert_eq!(server.db.query("SELECT count(*) FROM idempotency_keys"), "0");
        server.db.query("SELECT count(inputs_seq) FROM payroll_runs");
        let verify = gouzhu(&server.db, &["audit", "verify"]);
        assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
        println!("| {} | {staff} | {audit} | `{newest}` | {:.2} s |", backend.name(), took.as_secs_f64());
    }
}
