//! The real `gouzhu` server, started for one test on a free port.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::postgres;
use crate::process::{TempDir, reap_when_test_exits};

/// Which database a server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name the server reports in `/healthz`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A fresh, empty database of `backend` for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    _dir: TempDir,
}

impl TestDatabase {
    pub fn new(backend: Backend) -> TestDatabase {
        let dir = TempDir::new("db");
        let url = match backend {
            Backend::Sqlite => dir.path().join("gouzhu.sqlite3").to_string_lossy().into_owned(),
            Backend::Postgres => postgres::cluster().create_database(),
        };
        TestDatabase { backend, url, _dir: dir }
    }

    /// The folder of uploaded files that goes with this database (the
    /// demo's evidence is stored there, and the server serves from it).
    pub fn files_dir(&self) -> PathBuf {
        self._dir.path().join("files")
    }

    /// Runs one SQL query and returns its output as text (one row per
    /// line, columns separated by `|`); panics when it fails.
    pub fn query(&self, sql: &str) -> String {
        self.try_query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs one SQL statement; `Err` holds the database's complaint.
    /// SQLite connections get foreign keys enforced, as the server's do.
    pub fn try_query(&self, sql: &str) -> Result<String, String> {
        let out = match self.backend {
            Backend::Postgres => return postgres::cluster().query(&self.url, sql),
            Backend::Sqlite => Command::new("sqlite3")
                .arg(&self.url)
                .arg(format!("PRAGMA foreign_keys = ON; {sql}"))
                .output()
                .expect("running sqlite3 (install the sqlite3 package)"),
        };
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

/// Runs `gouzhu` with `args` against `db` to completion.
pub fn gouzhu(db: &TestDatabase, args: &[&str]) -> std::process::Output {
    Command::new(crate::gouzhu_bin())
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("GOUZHU_FILES_DIR", db.files_dir())
        .env("RUST_LOG", "warn")
        .output()
        .expect("running gouzhu")
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    pub base_url: String,
    pub db: TestDatabase,
    child: Option<Child>,
    log: PathBuf,
    /// The `serve` flags it was started with (for [`Server::restart`]).
    args: Vec<String>,
    _dir: TempDir,
}

impl Server {
    /// A server with the demo district and users loaded (`gouzhu demo
    /// --demo-mode`: the demo users need no password change).
    pub fn start(backend: Backend) -> Server {
        Server::start_with(backend, &[])
    }

    /// The same with extra `serve` flags (short timeouts, for example).
    pub fn start_with(backend: Backend, serve_args: &[&str]) -> Server {
        let db = TestDatabase::new(backend);
        let out = gouzhu(&db, &["demo", "--demo-mode"]);
        assert!(out.status.success(), "gouzhu demo failed: {}", String::from_utf8_lossy(&out.stderr));
        Server::start_on(db, serve_args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A server on an existing database with extra flags; `Err` carries the
    /// log when it did not come up.
    pub fn start_on(db: TestDatabase, extra_args: &[&str]) -> Result<Server, String> {
        let dir = TempDir::new("server");
        let log = dir.path().join("server.log");
        let args: Vec<String> = extra_args.iter().map(|a| (*a).to_owned()).collect();
        let (child, base_url) = Server::spawn(&db, &args, &log)?;
        Ok(Server { base_url, db, child: Some(child), log, args, _dir: dir })
    }

    /// Starts `gouzhu serve` on `db`, its log appended to `log`; the child
    /// and its URL once it listens.
    fn spawn(db: &TestDatabase, extra_args: &[String], log: &Path) -> Result<(Child, String), String> {
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("server log");
        let mut child = Command::new(crate::gouzhu_bin())
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .arg("--site-root")
            .arg(crate::site_root())
            .arg("--database-url")
            .arg(&db.url)
            .args(["--shutdown-grace-secs", "5"])
            .arg("--files-dir")
            .arg(db.files_dir())
            .args(extra_args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .expect("starting gouzhu");
        reap_when_test_exits(Some(child.id()), "");

        // The server prints one line when it listens: read it off a thread
        // so a server that never prints cannot hang the test.
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let read_log = || std::fs::read_to_string(log).unwrap_or_default();
        match line.trim().rsplit_once(' ') {
            Some((_, url)) if url.starts_with("http://") => Ok((child, url.to_owned())),
            _ => {
                let _ = child.kill();
                let status = child.wait().ok();
                Err(format!("gouzhu serve did not come up (exit {status:?}); its log:\n{}", read_log()))
            }
        }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The server's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the server with SIGKILL — no shutdown, no flushing, as a
    /// power cut or the OOM killer would — and waits until it is gone.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same database, files and flags
    /// (after [`Server::kill9`] or [`Server::terminate`]); the address
    /// changes.
    pub fn restart(&mut self) -> Result<(), String> {
        self.kill9();
        let (child, url) = Server::spawn(&self.db, &self.args, &self.log)?;
        self.child = Some(child);
        self.base_url = url;
        Ok(())
    }

    /// The server log so far (of every start).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits up to `timeout` for the exit.
    pub fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
