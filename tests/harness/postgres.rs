//! A throwaway PostgreSQL server for the test run: initialised in a new
//! temporary folder, reachable only through a Unix socket in that folder
//! (no TCP, so no other user of the machine can reach its trust
//! authentication), one fresh database per test, stopped and deleted when
//! the test process exits.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::process::{TempDir, reap_when_test_exits, running_as_root, shell_quote};

/// The running test cluster.
#[derive(Debug)]
pub struct PgCluster {
    bindir: PathBuf,
    /// The folder holding the data and the socket.
    dir: PathBuf,
    /// Names the socket file (`.s.PGSQL.<port>`); nothing listens on TCP.
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
        // From here on the watchdog owns the folder and deletes it, whether
        // the server starts or not.
        let dir = TempDir::new("pg").into_path();
        let data = dir.join("data");
        let cluster = PgCluster { bindir, dir: dir.clone(), port: 0, as_postgres_user };
        cluster.stop_at_exit(&data);
        if as_postgres_user {
            // PostgreSQL refuses to run as root.
            run(Command::new("chown").arg("postgres:").arg(&dir))?;
        }
        run(Command::new("chmod").arg("700").arg(&dir))?;
        run(cluster.command("initdb").arg("-D").arg(&data).args([
            "-U",
            "app",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]))?;

        // No TCP: the port only names the socket file in our own folder, so
        // the default cannot clash with anything.
        let port = 5432;
        let options = format!(
            "-p {port} -k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            shell_quote(&dir.to_string_lossy())
        );
        let started = cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-o", &options, "-w", "-t", "30", "start"])
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if !started.status.success() {
            return Err(format!(
                "pg_ctl start failed: {}{}",
                String::from_utf8_lossy(&started.stderr),
                std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
            ));
        }
        Ok(PgCluster { port, ..cluster })
    }

    fn stop_at_exit(&self, data: &Path) {
        let pg_ctl = shell_quote(&self.bindir.join("pg_ctl").to_string_lossy());
        let prefix = if self.as_postgres_user { "runuser -u postgres -- " } else { "" };
        let script = format!(
            "{prefix}{pg_ctl} -D {} -m immediate stop >/dev/null 2>&1; rm -rf {}",
            shell_quote(&data.to_string_lossy()),
            shell_quote(&self.dir.to_string_lossy()),
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
        let admin = self.url("postgres");
        let sql = format!("CREATE DATABASE {name}");
        if let Err(e) = self.query(&admin, &sql) {
            panic!("{sql}: {e}");
        }
        self.url(&name)
    }

    /// The URL of database `name` through the cluster's socket.
    fn url(&self, name: &str) -> String {
        format!("postgres://app@/{name}?host={}&port={}", self.dir.display(), self.port)
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
