//! `gouzhu backup` and `gouzhu restore`: the database and the uploaded
//! files, together, as one folder.
//!
//! A backup folder holds `manifest.json` (format, backend, time, version,
//! the row count of every table and the number of files), the database
//! (`database.sqlite3`, a consistent copy made online with `VACUUM INTO`;
//! or `database.pgdump`, `pg_dump --format=custom` of one snapshot whose
//! row counts are the manifest's) and `files/`, the file store's content,
//! each file checked against its SHA-256 name. It is written under a
//! temporary name and renamed when complete, so a half-made backup never
//! looks like one.
//!
//! Restore refuses a database that holds data unless `--force`; the
//! server must be stopped. SQLite: the copy is checked (`PRAGMA
//! integrity_check`) and renamed into place, with the old write-ahead log
//! removed. PostgreSQL: the schema is emptied and `pg_restore` loads the
//! dump in one transaction. Files are copied back (checked again), pending
//! migrations run, and every table's row count must equal the manifest's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use app::db::{AnyConnection, BackendKind, Db};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

/// The folder format.
pub const FORMAT: &str = "gouzhu-backup-1";

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    pub backend: String,
    pub created_at: String,
    pub gouzhu_version: String,
    /// Rows per table, from the same snapshot as the database copy.
    pub tables: BTreeMap<String, i64>,
    pub files: usize,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Every table of the schema (migrations' bookkeeping included).
fn tables(conn: &mut AnyConnection) -> anyhow::Result<Vec<String>> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        AnyConnection::Postgresql(_) => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        }
    };
    Ok(diesel::sql_query(sql).load::<Name>(conn)?.into_iter().map(|n| n.name).collect())
}

fn counts(conn: &mut AnyConnection) -> anyhow::Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for t in tables(conn)? {
        // Names come from the catalogue, quoted all the same.
        let q = format!("SELECT count(*) AS n FROM \"{}\"", t.replace('"', "\"\""));
        let n = diesel::sql_query(q).get_result::<Count>(conn)?.n;
        out.insert(t, n);
    }
    Ok(out)
}

/// A PostgreSQL client program (`pg_dump`, `pg_restore`): on PATH, else
/// the newest under /usr/lib/postgresql.
fn pg_program(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()))
        .unwrap_or_default();
    if let Some(p) = on_path {
        return p;
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path().join("bin").join(name))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().unwrap_or_else(|| PathBuf::from(name))
}

/// Copies the file store's content from `from` to `to`, checking each
/// file against its name; returns how many.
fn copy_files(from: &Path, to: &Path) -> anyhow::Result<usize> {
    let mut n = 0;
    let Ok(dirs) = std::fs::read_dir(from) else { return Ok(0) };
    for dir in dirs {
        let dir = dir?.path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir)? {
            let path = file?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            if name.len() != 64 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue; // temporary files of an upload in progress
            }
            let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            if crate::xlsx::sha256_hex(&bytes) != name {
                bail!("stored file {} does not match its SHA-256 name", path.display());
            }
            let target = to.join(&name[..2]);
            std::fs::create_dir_all(&target)?;
            std::fs::write(target.join(&name), &bytes)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Makes a backup folder `out` (which must not exist).
pub fn backup(db: &Db, url: &str, files_dir: &Path, out: &Path) -> anyhow::Result<Manifest> {
    if out.exists() {
        bail!("{} exists already: choose a new folder", out.display());
    }
    let partial = out.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    std::fs::create_dir_all(&partial)?;
    let mut pooled = db.conn()?;
    let conn: &mut AnyConnection = &mut pooled;
    let (backend, tables) = match db.kind() {
        BackendKind::Sqlite => {
            let file = partial.join("database.sqlite3");
            let target = file.to_string_lossy().replace('\'', "''");
            diesel::sql_query(format!("VACUUM INTO '{target}'")).execute(conn)?;
            // Count in the copy: exactly what the backup holds.
            let copy = Db::connect(&file.to_string_lossy(), 1)?;
            let counted = counts(&mut *copy.conn()?)?;
            ("sqlite", counted)
        }
        BackendKind::Postgres => {
            // One snapshot for the dump and the counts.
            diesel::sql_query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(conn)?;
            let snapshot =
                diesel::sql_query("SELECT pg_export_snapshot() AS name").get_result::<Name>(conn)?.name;
            let counted = counts(conn)?;
            let status = Command::new(pg_program("pg_dump"))
                .arg("--format=custom")
                .arg("--no-owner")
                .arg(format!("--snapshot={snapshot}"))
                .arg("--file")
                .arg(partial.join("database.pgdump"))
                .arg("--dbname")
                .arg(url)
                .status()
                .context("running pg_dump (install postgresql-client of the server's version)")?;
            diesel::sql_query("COMMIT").execute(conn)?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
            ("postgres", counted)
        }
    };
    let files = copy_files(files_dir, &partial.join("files"))?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        backend: backend.to_owned(),
        created_at: chrono::Utc::now().to_rfc3339(),
        gouzhu_version: env!("CARGO_PKG_VERSION").to_owned(),
        tables,
        files,
    };
    std::fs::write(partial.join("manifest.json"), serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::rename(&partial, out)?;
    Ok(manifest)
}

/// Does the database at `url` hold anything (a user or a district)?
fn holds_data(url: &str) -> bool {
    let Ok(db) = Db::connect(url, 1) else { return false };
    let Ok(mut conn) = db.conn() else { return false };
    diesel::sql_query("SELECT count(*) AS n FROM districts")
        .get_result::<Count>(&mut conn)
        .is_ok_and(|c| c.n > 0)
}

/// Restores backup folder `from` into the database at `url` and the file
/// store at `files_dir`. The server must be stopped.
pub fn restore(url: &str, files_dir: &Path, from: &Path, force: bool) -> anyhow::Result<Manifest> {
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(from.join("manifest.json"))
            .with_context(|| format!("{} is not a backup", from.display()))?,
    )
    .context("reading manifest.json")?;
    if manifest.format != FORMAT {
        bail!("unknown backup format {:?}", manifest.format);
    }
    let backend = BackendKind::of_url(url);
    if backend.name() != manifest.backend {
        bail!("the backup is of a {} database; the target is {}", manifest.backend, backend.name());
    }
    if holds_data(url) && !force {
        bail!("the target database holds data: stop the server and pass --force to replace it");
    }
    match backend {
        BackendKind::Sqlite => {
            let source = from.join("database.sqlite3");
            {
                let check = Db::connect(&source.to_string_lossy(), 1)?;
                let ok = diesel::sql_query("PRAGMA integrity_check")
                    .get_result::<Integrity>(&mut *check.conn()?)?;
                if ok.integrity_check != "ok" {
                    bail!("the backup's database is damaged: {}", ok.integrity_check);
                }
            }
            let target = PathBuf::from(url);
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let temporary = target.with_extension("restoring");
            std::fs::copy(&source, &temporary)?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{url}{suffix}"));
                if side.exists() {
                    std::fs::remove_file(side)?;
                }
            }
            std::fs::rename(&temporary, &target)?;
        }
        BackendKind::Postgres => {
            {
                let db = Db::connect(url, 1)?;
                let mut conn = db.conn()?;
                diesel::sql_query("DROP SCHEMA public CASCADE").execute(&mut conn)?;
                diesel::sql_query("CREATE SCHEMA public").execute(&mut conn)?;
            }
            let status = Command::new(pg_program("pg_restore"))
                .arg("--no-owner")
                .arg("--single-transaction")
                .arg("--exit-on-error")
                .arg("--dbname")
                .arg(url)
                .arg(from.join("database.pgdump"))
                .status()
                .context("running pg_restore (install postgresql-client of the server's version)")?;
            if !status.success() {
                bail!("pg_restore failed ({status}); the database was left empty");
            }
        }
    }
    let files = copy_files(&from.join("files"), files_dir)?;
    let db = Db::connect(url, 1)?;
    let restored = counts(&mut *db.conn()?)?;
    if restored != manifest.tables {
        bail!("the restored tables' row counts differ from the backup's manifest");
    }
    if files != manifest.files {
        bail!("{files} files restored, the backup lists {}", manifest.files);
    }
    crate::db::migrate(&db)?;
    Ok(manifest)
}

#[derive(QueryableByName)]
struct Integrity {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}
