//! A throwaway PostgreSQL server for the test run: initialised in a
//! temporary folder on a free port, one fresh database per test, stopped
//! and deleted when the test process exits.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::process::{free_port, reap_when_test_exits, running_as_root};

/// The running test cluster.
#[derive(Debug)]
pub struct PgCluster {
    bindir: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

/// The cluster shared by every test of this process, started on first use.
pub fn cluster() -> &'static PgCluster {
    static CLUSTER: OnceLock<Result<PgCluster, String>> = OnceLock::new();
    match CLUSTER.get_or_init(PgCluster::start) {
        Ok(c) => c,
        Err(e) => panic!("PostgreSQL test server could not start: {e}"),
    }
}

impl PgCluster {
    fn start() -> Result<PgCluster, String> {
        let bindir = find_bindir()?;
        let as_postgres_user = running_as_root();
        // The folder outlives this function: the watchdog deletes it.
        let dir = std::env::temp_dir().join(format!("gouzhu-test-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        if as_postgres_user {
            // PostgreSQL refuses to run as root.
            run(Command::new("chown").arg("postgres:").arg(&dir))?;
        }
        let data = dir.join("data");
        let cluster = |port| PgCluster { bindir: bindir.clone(), port, as_postgres_user };
        let probe = cluster(0);
        run(probe.command("initdb").arg("-D").arg(&data).args([
            "-U",
            "app",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]))?;

        let mut last_error = String::new();
        for _ in 0..3 {
            let pg = cluster(free_port());
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                pg.port,
                dir.display()
            );
            let started = pg
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-o", &options, "-w", "-t", "30", "start"])
                .output();
            match started {
                Ok(o) if o.status.success() => {
                    pg.stop_at_exit(&data, &dir);
                    return Ok(pg);
                }
                Ok(o) => {
                    last_error = format!(
                        "{}{}",
                        String::from_utf8_lossy(&o.stderr),
                        std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
                    )
                }
                Err(e) => last_error = e.to_string(),
            }
        }
        Err(format!("pg_ctl start failed: {last_error}"))
    }

    fn stop_at_exit(&self, data: &Path, dir: &Path) {
        let pg_ctl = self.bindir.join("pg_ctl");
        let prefix = if self.as_postgres_user { "runuser -u postgres -- " } else { "" };
        let script = format!(
            "{prefix}{} -D {} -m immediate stop >/dev/null 2>&1; rm -rf {}",
            pg_ctl.display(),
            data.display(),
            dir.display()
        );
        reap_when_test_exits(None, &script);
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bindir.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("gouzhu_t{}", N.fetch_add(1, Ordering::Relaxed));
        let sql = format!("CREATE DATABASE {name}");
        let out = Command::new(self.bindir.join("psql"))
            .args(["-X", "-q", "-h", "127.0.0.1", "-U", "app", "-d", "postgres", "-v", "ON_ERROR_STOP=1"])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-c")
            .arg(&sql)
            .output()
            .expect("running psql");
        assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
        format!("postgres://app@127.0.0.1:{}/{name}", self.port)
    }

    /// Runs one SQL statement in `url`'s database and returns the output
    /// (unaligned, tuples only), or the error psql printed.
    pub fn query(&self, url: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bindir.join("psql"))
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
            .output()
            .expect("running psql");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

fn find_bindir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("GOUZHU_PG_BINDIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL server binaries not found under /usr/lib/postgresql: install them \
         (sudo apt-get install postgresql; `make test` does this) or set GOUZHU_PG_BINDIR"
            .to_owned()
    })
}

fn run(cmd: &mut Command) -> Result<Output, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)))
    }
}
