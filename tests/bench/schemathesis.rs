//! Schemathesis against `/api/v1/openapi.json` (issue 10, item 4): the real
//! server with the demo district, on SQLite and on PostgreSQL, called with
//! an API token of finance (who reads nearly everything) and of a provider
//! (who posts service records). Every check runs (`--checks all`): no 5xx,
//! every response matching its schema, status codes and content types as
//! documented, schema-valid requests accepted and invalid ones refused.
//! Exits non-zero on any failure.
//!
//! Run with `make stress` (needs schemathesis, which `scripts/setup.sh
//! stress` installs into the tools folder), or after `make build`:
//! `cargo run -p gouzhu-tests --example stress_schemathesis [SECONDS]`
//! (the time budget of each run, 60 by default).

use std::process::Command;

use gouzhu_tests::{Backend, Client, Server};

fn schemathesis() -> String {
    std::env::var("GOUZHU_SCHEMATHESIS").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        let tools =
            std::env::var("GOUZHU_TOOLS_DIR").unwrap_or_else(|_| format!("{home}/.cache/gouzhu/tools"));
        format!("{tools}/schemathesis/bin/schemathesis")
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/schemathesis.toml");
    let mut failed = Vec::new();
    let mut tool_errors = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let server = Server::start(backend);
        for user in ["finance", "provider"] {
            let client = Client::demo(&server, user).await;
            let (status, token) =
                client.call("create_token", &[("name", "schemathesis"), ("days", "1")]).await;
            assert_eq!(status, 200, "{token}");
            let secret = token["secret"].as_str().expect("secret");
            println!("== schemathesis, {} s, as {user} on {}", seconds, backend.name());
            let out = Command::new(schemathesis())
                .args(["--config-file", config, "run"])
                .arg(server.url("/api/v1/openapi.json"))
                .args(["--header", &format!("Authorization: Bearer {secret}")])
                .args(["--checks", "all", "--workers", "2", "--max-time", &seconds.to_string()])
                .output()
                .unwrap_or_else(|e| panic!("running {} (make stress installs it): {e}", schemathesis()));
            let text = String::from_utf8_lossy(&out.stdout);
            print!("{text}");
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
            // "N generated, M passed" when clean; "... found K unique
            // failures" when a check failed. Schemathesis's own crashes
            // (a Python error while it generates a case) are errors, not
            // findings about the API: they are shown, and counted apart.
            let findings = text.contains("unique failure");
            let tool_error = !out.status.success() && !findings;
            if findings {
                failed.push(format!("{user} on {}", backend.name()));
            } else if tool_error {
                tool_errors.push(format!("{user} on {}", backend.name()));
            }
        }
        let log = server.log();
        let panics = log.matches("panicked").count();
        if panics > 0 {
            failed.push(format!("{panics} panics in the server log on {}", backend.name()));
        }
    }
    if !tool_errors.is_empty() {
        println!(
            "schemathesis stopped on an error of its own (not a finding) in: {}",
            tool_errors.join("; ")
        );
    }
    if failed.is_empty() {
        println!("schemathesis: no failures");
    } else {
        eprintln!("schemathesis failed: {}", failed.join("; "));
        std::process::exit(1);
    }
}
