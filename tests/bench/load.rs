//! Load (issue 10, item 3): the demo district scaled up (`gouzhu demo
//! --scale N`: N districts of 198 posts, each with a daily visit to every
//! recipient since its contracts began) served by the real server, and
//! driven with wrk over loopback:
//! 1. the dashboard alone as one finance user, 64 connections
//!    (TARGETS.md: at least 2,000 requests/s, p99 at most 50 ms);
//! 2. the main pages (dashboard, roster, services, contracts, payroll,
//!    budget) and API (roster, service records, contracts, payroll runs,
//!    towns) as finance, town and provider users of ten districts, 200
//!    connections, for the given seconds (60 by default);
//! 3. the same mix again for half the time, to see whether memory grows.
//!
//! Every path is checked to answer 200 before the run, and the run fails
//! on any wrk error (connect, read, write, timeout or a non-2xx/3xx
//! answer), on a panic or error in the server's log, or when the second
//! mixed run leaves the server more than 10% (and 16 MB) larger than the
//! first did. Prints a Markdown table for RELIABILITY.md.
//!
//! Run with `make stress` (needs wrk, which `scripts/setup.sh stress`
//! installs), or after `make build`: `cargo run -p gouzhu-tests --example
//! stress_load [SECONDS]`; `STRESS_DISTRICTS` (100) sets the scale and
//! `STRESS_BACKENDS` (`sqlite,postgres`) the backends.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

use gouzhu_tests::server::{TestDatabase, gouzhu};
use gouzhu_tests::{Backend, Client, DEMO_PASSWORD, Server};

/// One path and the header that signs it in.
#[derive(Clone)]
struct Target {
    path: String,
    header: (&'static str, String),
}

/// What one wrk run measured.
#[derive(Debug, Default)]
struct Run {
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Connect, read, write and timeout errors, and non-2xx/3xx answers.
    errors: u64,
}

/// A latency as wrk prints it (`812.00us`, `3.21ms`, `1.02s`), in ms.
fn millis(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

/// Reads wrk's report (`--latency`).
fn parse_wrk(out: &str) -> Run {
    let mut run = Run::default();
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", v] => run.p50_ms = millis(v).unwrap_or(f64::NAN),
            ["99%", v] => run.p99_ms = millis(v).unwrap_or(f64::NAN),
            ["Latency", _avg, _stdev, max, ..] => run.max_ms = millis(max).unwrap_or(f64::NAN),
            ["Requests/sec:", v] => run.per_second = v.parse().unwrap_or(f64::NAN),
            [n, "requests", "in", ..] => run.requests = n.parse().unwrap_or(0),
            ["Non-2xx", "or", "3xx", "responses:", n] => run.errors += n.parse::<u64>().unwrap_or(1),
            ["Socket", "errors:", rest @ ..] => {
                // "connect 0, read 0, write 0, timeout 0"
                run.errors +=
                    rest.iter().filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok()).sum::<u64>();
            }
            _ => {}
        }
    }
    run
}

/// A wrk script sending `targets` in turn, each thread from its own start.
fn lua(targets: &[Target]) -> String {
    let mut s = String::from("local targets = {\n");
    for t in targets {
        let _ = writeln!(s, "  {{ {:?}, {:?}, {:?} }},", t.path, t.header.0, t.header.1);
    }
    s.push_str(
        "}\nlocal i = 0\nlocal threads = 0\n\
         setup = function(thread) threads = threads + 1; thread:set(\"start\", threads * 7) end\n\
         init = function(args) i = start or 0 end\n\
         request = function()\n  i = i % #targets + 1\n  local t = targets[i]\n  \
         return wrk.format(\"GET\", t[1], { [t[2]] = t[3] })\nend\n",
    );
    s
}

/// Runs wrk against `base` for `seconds` with `connections`.
fn wrk(base: &str, targets: &[Target], connections: u32, seconds: u32, script: &std::path::Path) -> Run {
    std::fs::write(script, lua(targets)).expect("wrk script");
    let out = Command::new("wrk")
        .args(["--threads", "2", "--connections", &connections.to_string()])
        .args(["--duration", &format!("{seconds}s"), "--timeout", "10s", "--latency", "--script"])
        .arg(script)
        .arg(base)
        .output()
        .unwrap_or_else(|e| panic!("running wrk (make stress installs it): {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "wrk failed");
    parse_wrk(&text)
}

/// The resident memory of process `pid`, in MB.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn count(db: &TestDatabase, table: &str) -> u64 {
    db.query(&format!("SELECT count(*) FROM {table}")).parse().unwrap_or(0)
}

/// Signs in `username` and makes an API token for it.
async fn sign_in(server: &Server, username: &str) -> (Client, String) {
    let client = Client::login(server, username, DEMO_PASSWORD)
        .await
        .unwrap_or_else(|(s, body)| panic!("login as {username}: {s} {body}"));
    let (status, token) = client.call("create_token", &[("name", "load"), ("days", "1")]).await;
    assert_eq!(status, 200, "{token}");
    let secret = token["secret"].as_str().expect("secret").to_owned();
    (client, secret)
}

/// The pages and API paths of ten districts, as finance, a town and a
/// provider; each answers 200 or the run stops here.
async fn targets(server: &Server, districts: u32) -> Vec<Target> {
    let mut out = Vec::new();
    let step = (districts / 10).max(1);
    for n in (0..districts).step_by(step as usize) {
        let user = |base: &str| if n == 0 { base.to_owned() } else { format!("{base}.{n:02}") };
        let roles: [(&str, &[&str], &[&str]); 3] = [
            (
                "finance",
                &["/", "/roster", "/services", "/contracts", "/payroll", "/budget"],
                &[
                    "/api/v1/roster",
                    "/api/v1/service-records?limit=100",
                    "/api/v1/contracts",
                    "/api/v1/payroll/runs",
                    "/api/v1/towns",
                ],
            ),
            ("town.binjiang", &["/", "/roster"], &["/api/v1/roster", "/api/v1/service-records?limit=100"]),
            ("provider", &["/", "/services"], &["/api/v1/service-records?limit=100", "/api/v1/contracts"]),
        ];
        for (base, pages, api) in roles {
            let (client, token) = sign_in(server, &user(base)).await;
            let cookie = client.cookie().expect("session cookie").to_owned();
            for path in pages.iter() {
                out.push(Target { path: (*path).to_owned(), header: ("Cookie", cookie.clone()) });
            }
            for path in api.iter() {
                out.push(Target {
                    path: (*path).to_owned(),
                    header: ("Authorization", format!("Bearer {token}")),
                });
            }
        }
    }
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    for t in &out {
        let res =
            http.get(server.url(&t.path)).header(t.header.0, &t.header.1).send().await.expect("request");
        assert_eq!(res.status(), 200, "{} answered {}", t.path, res.status());
    }
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let districts: u32 = std::env::var("STRESS_DISTRICTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100);
    let backends = std::env::var("STRESS_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if !backends.split(',').any(|b| b.trim() == backend.name()) {
            continue;
        }
        let db = TestDatabase::new(backend);
        let started = Instant::now();
        let scale = districts.to_string();
        let out = gouzhu(&db, &["demo", "--demo-mode", "--scale", &scale]);
        assert!(out.status.success(), "gouzhu demo --scale failed: {}", String::from_utf8_lossy(&out.stderr));
        let load_secs = started.elapsed().as_secs_f64();
        let sizes = format!(
            "{} districts, {} posts, {} staff, {} service records, {} payroll lines, {} audit entries",
            count(&db, "districts"),
            count(&db, "posts"),
            count(&db, "staff"),
            count(&db, "service_records"),
            count(&db, "payroll_lines"),
            count(&db, "audit_log"),
        );
        println!("== {}: {sizes}; loaded in {load_secs:.0} s", backend.name());
        let server = Server::start_on(db, &[]).unwrap_or_else(|e| panic!("{e}"));
        let pid = server.pid().expect("server pid");
        let all = targets(&server, districts).await;
        let script = std::env::temp_dir().join(format!("gouzhu-wrk-{}.lua", std::process::id()));
        let base = server.url("");
        let idle = rss_mb(pid);

        println!("-- dashboard, finance, 64 connections, {seconds} s");
        let dashboard: Vec<Target> = all.iter().take(1).cloned().collect();
        let d = wrk(&base, &dashboard, 64, seconds, &script);
        println!("-- {} paths of pages and API, 200 connections, {seconds} s", all.len());
        let mixed = wrk(&base, &all, 200, seconds, &script);
        let after_first = rss_mb(pid);
        println!("-- the same again, {} s", seconds / 2);
        let again = wrk(&base, &all, 200, (seconds / 2).max(1), &script);
        let after_second = rss_mb(pid);
        std::thread::sleep(std::time::Duration::from_secs(5));
        let rested = rss_mb(pid);
        let _ = std::fs::remove_file(&script);

        let log = server.log();
        let panics = log.matches("panicked").count();
        let log_errors = log.lines().filter(|l| l.contains("ERROR")).count();
        let name = backend.name();
        for (what, r) in [("dashboard", &d), ("mixed", &mixed), ("mixed again", &again)] {
            if r.errors > 0 || r.requests == 0 {
                failed.push(format!("{name} {what}: {} errors in {} requests", r.errors, r.requests));
            }
        }
        if panics + log_errors > 0 {
            let first = log.lines().filter(|l| l.contains("panicked") || l.contains("ERROR")).take(5);
            eprintln!("{name}, the server log's first problems:\n{}", first.collect::<Vec<_>>().join("\n"));
            failed.push(format!("{name}: {panics} panics and {log_errors} errors in the server log"));
        }
        if after_second > after_first * 1.1 && after_second - after_first > 16.0 {
            failed.push(format!("{name}: memory grew from {after_first:.0} MB to {after_second:.0} MB"));
        }
        for (what, conns, secs, r) in [
            ("dashboard (finance)", 64, seconds, &d),
            ("pages and API mix", 200, seconds, &mixed),
            ("pages and API mix again", 200, (seconds / 2).max(1), &again),
        ] {
            rows.push(format!(
                "| {name} | {what} | {conns} | {secs} s | {} | {:.0} | {:.1} ms | {:.1} ms | {:.0} ms | {} |",
                r.requests, r.per_second, r.p50_ms, r.p99_ms, r.max_ms, r.errors
            ));
        }
        rows.push(format!(
            "| {name} | memory (RSS): idle {idle:.0} MB, after the mix {after_first:.0} MB, after it again {after_second:.0} MB, 5 s later {rested:.0} MB | | | | | | | | |"
        ));
        println!("== {name}: {sizes}; loaded in {load_secs:.0} s");
    }
    println!("| Backend | Run | Connections | Time | Requests | Requests/s | p50 | p99 | max | Errors |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!("{r}");
    }
    if failed.is_empty() {
        println!("load: no errors");
    } else {
        eprintln!("load failed: {}", failed.join("; "));
        std::process::exit(1);
    }
}
