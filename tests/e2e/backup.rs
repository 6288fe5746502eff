//! `gouzhu backup` and `gouzhu restore` on both backends: a backup made
//! while the server runs, the database and files wiped, the backup
//! restored, and then every table compared row by row with what it was,
//! every file back, and the audit chain intact.

use gouzhu_tests::server::gouzhu;
use gouzhu_tests::{Backend, Server};

fn tables(server: &Server) -> Vec<String> {
    let sql = match server.db.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    };
    server.db.query(sql).lines().map(str::to_owned).collect()
}

/// Every row of every table, each table's rows sorted.
fn contents(server: &Server) -> Vec<(String, Vec<String>)> {
    tables(server)
        .into_iter()
        .map(|t| {
            let mut rows: Vec<String> =
                server.db.query(&format!("SELECT * FROM \"{t}\"")).lines().map(str::to_owned).collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(sub.path()).into_iter().flatten().flatten() {
            out.push(f.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

fn run_ok(server: &Server, args: &[&str]) -> String {
    let out = gouzhu(&server.db, args);
    assert!(out.status.success(), "gouzhu {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

both_backends! {
    async fn a_backup_restores_every_table_and_file_after_a_wipe(backend: Backend) {
        let mut server = Server::start(backend);
        let before = contents(&server);
        let files_before = files(&server.db.files_dir());
        assert!(before.len() > 50, "{} tables", before.len());
        assert!(before.iter().map(|(_, rows)| rows.len()).sum::<usize>() > 5_000);
        assert!(!files_before.is_empty(), "the demo's evidence and photos");

        // Online: the server keeps running.
        let dir = gouzhu_tests::process::TempDir::new("backup");
        let folder = dir.path().join("nightly");
        let folder = folder.to_str().expect("path");
        let said = run_ok(&server, &["backup", "--out", folder]);
        assert!(said.contains("backup written"), "{said}");
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(format!("{folder}/manifest.json")).expect("manifest")).expect("json");
        assert_eq!(manifest["backend"], backend.name());
        assert_eq!(manifest["files"].as_u64(), Some(files_before.len() as u64));
        // Not over an existing folder, not into a database with data.
        assert!(!gouzhu(&server.db, &["backup", "--out", folder]).status.success());
        server.terminate(std::time::Duration::from_secs(10));
        let refused = gouzhu(&server.db, &["restore", "--from", folder]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));

        // The wipe.
        match backend {
            Backend::Sqlite => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", server.db.url));
                }
            }
            Backend::Postgres => {
                server.db.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
            }
        }
        std::fs::remove_dir_all(server.db.files_dir()).expect("files wiped");

        let said = run_ok(&server, &["restore", "--from", folder]);
        assert!(said.contains("restored from"), "{said}");
        let after = contents(&server);
        assert_eq!(after.len(), before.len());
        for ((t, rows), (t2, rows2)) in before.iter().zip(&after) {
            assert_eq!(t, t2);
            assert!(rows == rows2, "table {t} differs after restore ({} rows before, {} after)", rows.len(), rows2.len());
        }
        assert_eq!(files(&server.db.files_dir()), files_before);
        let verified = run_ok(&server, &["audit", "verify"]);
        assert!(verified.contains("audit chain intact"), "{verified}");

        // --force replaces a database that holds data.
        run_ok(&server, &["restore", "--from", folder, "--force"]);
        assert_eq!(contents(&server).len(), before.len());
    }
}
