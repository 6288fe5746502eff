//! The command line: help, start-up errors, logs and shutdown.

use std::process::Command;
use std::time::Duration;

use gouzhu_tests::process::TempDir;
use gouzhu_tests::server::TestDatabase;
use gouzhu_tests::{Backend, Server};

#[test]
fn help_lists_every_setting_and_command() {
    let out = Command::new(gouzhu_tests::gouzhu_bin()).arg("--help").output().expect("gouzhu runs");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for item in [
        "DATABASE_URL",
        "GOUZHU_DB_POOL_SIZE",
        "GOUZHU_LISTEN",
        "LEPTOS_SITE_ROOT",
        "GOUZHU_FONT_DIRS",
        "GOUZHU_LOG_FORMAT",
        "GOUZHU_SHUTDOWN_GRACE_SECS",
        "serve",
        "migrate",
        "demo",
    ] {
        assert!(help.contains(item), "--help does not mention {item}:\n{help}");
    }
}

#[test]
fn missing_chinese_font_stops_start_up_and_names_the_fix() {
    let empty = TempDir::new("fonts");
    let font_dir = empty.path().to_string_lossy().into_owned();
    let err = Server::start_on(TestDatabase::new(Backend::Sqlite), &["--font-dir", &font_dir])
        .expect_err("the server must not start without a Chinese font");
    assert!(err.contains("fonts-noto-cjk"), "{err}");
    assert!(err.contains(&font_dir), "{err}");
}

#[test]
fn unreachable_postgres_is_a_clear_start_up_error() {
    let out = Command::new(gouzhu_tests::gouzhu_bin())
        .args(["migrate", "--database-url", "postgres://app:secret@127.0.0.1:1/none"])
        .output()
        .expect("gouzhu runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("opening the database"), "{err}");
    assert!(!err.contains("secret"), "the password leaked: {err}");
}

#[test]
fn sigterm_shuts_down_gracefully() {
    let mut server = Server::start(Backend::Sqlite);
    let status = server.terminate(Duration::from_secs(15)).expect("exits within 15 s");
    assert!(status.success(), "exit status {status:?}\n{}", server.log());
    assert!(server.log().contains("stopped"), "{}", server.log());
}

#[test]
fn json_logs_are_one_object_per_line() {
    let server = Server::start_on(TestDatabase::new(Backend::Sqlite), &["--log-format", "json"])
        .expect("server starts");
    let log = server.log();
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string(), "{line}");
    }
}
