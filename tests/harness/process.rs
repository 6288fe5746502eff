//! Child processes that never outlive the test run, temporary folders and
//! free ports.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Starts a watchdog that, once this test process has exited however it
/// exits, kills `pid` if given and then runs `cleanup` (a shell snippet).
/// Tests that end normally stop their children themselves; this covers
/// panics and kills.
pub fn reap_when_test_exits(pid: Option<u32>, cleanup: &str) {
    let kill = pid.map(|p| format!("kill -KILL {p} 2>/dev/null;")).unwrap_or_default();
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

/// A folder removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gouzhu-test-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
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

/// True when this process runs as root (PostgreSQL and Chromium need
/// special handling then).
pub fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
