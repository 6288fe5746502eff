//! Test harness: runs the real `gouzhu` binary against a fresh SQLite file
//! or a fresh database on a real PostgreSQL server started for the test
//! run, and drives Debian's headless Chromium through chromedriver.
//!
//! Nothing here is skipped silently: when PostgreSQL, Chromium or the built
//! binary is missing, the test fails with a message that says what to do.

pub mod browser;
pub mod client;
pub mod postgres;
pub mod process;
pub mod roster_file;
pub mod server;

pub use browser::Browser;
pub use client::Client;
pub use server::{Backend, Server};

use std::path::PathBuf;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "Gouzhu-Demo-2026";

/// The demo users, one per role (and a second town user).
pub const DEMO_USERS: &[(&str, &str)] = &[
    ("admin", "admin"),
    ("finance", "finance"),
    ("approver", "approver"),
    ("town.binjiang", "town"),
    ("town.shuanghe", "town"),
    ("provider", "provider"),
    ("provider.yuan", "provider"),
    ("inspector", "inspector"),
    ("auditor", "auditor"),
];

/// The workspace root (the clone).
pub fn workspace_root() -> PathBuf {
    // The folder `cargo test` runs from first: the compiled-in one can be
    // another checkout's when several share one target folder (cargo
    // reuses a build of the same workspace made elsewhere).
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Where cargo puts build output: `CARGO_TARGET_DIR` or `<root>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}

/// The `gouzhu` binary under test: `GOUZHU_BIN`, or the release build.
pub fn gouzhu_bin() -> PathBuf {
    let bin = std::env::var_os("GOUZHU_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("release").join("gouzhu"));
    assert!(
        bin.is_file(),
        "the gouzhu binary is not built at {}: run `make test` (or `make build` first)",
        bin.display()
    );
    bin
}

/// The built site (browser bundle): `GOUZHU_SITE_ROOT`, or `<root>/target/site`.
pub fn site_root() -> PathBuf {
    std::env::var_os("GOUZHU_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target").join("site"))
}
