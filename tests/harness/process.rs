//! Child processes that never outlive the test run, temporary folders and
//! free ports.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Quotes `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The start time of process `pid` (field 22 of `/proc/<pid>/stat`), which
/// tells a process apart from a later one that reuses its id.
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(19).map(str::to_owned)
}

/// Starts a watchdog that, once this test process has exited however it
/// exits, kills the process group led by `pgid` (if given, and only if its
/// leader is still the process we started) and then runs `cleanup`, a shell
/// snippet. Tests that end normally stop their children themselves; this
/// covers panics and kills.
pub fn reap_when_test_exits(pgid: Option<u32>, cleanup: &str) {
    let kill = match pgid.and_then(|p| Some((p, start_time(p)?))) {
        Some((p, started)) => format!(
            "if [ \"$(sed 's/^.*) //' /proc/{p}/stat 2>/dev/null | cut -d' ' -f20)\" = {started} ]; then kill -KILL -{p} 2>/dev/null; fi;"
        ),
        None => String::new(),
    };
    let script = format!(
        "while kill -0 {parent} 2>/dev/null; do sleep 1; done; {kill} {cleanup}",
        parent = std::process::id(),
    );
    // Best effort: if sh is missing there is nothing better to do.
    let _ = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

/// A new folder, removed when dropped. Fails rather than reuse a folder
/// that already exists.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "gouzhu-test-{label}-{}-{}-{nanos:08x}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Keeps the folder on disk (its new owner removes it).
    pub fn into_path(self) -> PathBuf {
        let path = self.0.clone();
        std::mem::forget(self);
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A TCP port on loopback that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on loopback")
}

/// True when this process runs as root (PostgreSQL then runs as the
/// `postgres` user, since it refuses to run as root).
pub fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
