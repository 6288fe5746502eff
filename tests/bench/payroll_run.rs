//! A persisted payroll run at scale, on the real server: `N` extra people
//! on duty are added to the demo district with SQL, every one scored for
//! the current month, then finance starts the month's run through the
//! server function and the time until it is a draft (all lines computed,
//! written and totalled) is measured, with the server's peak memory.
//!
//! `cargo run -p gouzhu-tests --example bench_payroll_run -- [sqlite|postgres] [N] [documents]`
//! (default: both backends, 10,000). `make bench` runs 10,000 on both, and
//! the documents of a 500-person (N = 317) and a 5,000-person (N = 4,817)
//! run on SQLite.
//!
//! With `documents`, the new run's documents are timed too: every pay slip
//! in one job (start until the file is ready, then the download), and the
//! district's salary sheet as PDF and .xlsx; then 1,000 salary sheets with
//! changing data (each town of each month in turn) while the server's
//! resident memory is sampled.

use std::time::{Duration, Instant};

use gouzhu_tests::{Backend, Client, Server};

fn sql_people(backend: Backend, n: u32) -> [String; 2] {
    match backend {
        Backend::Sqlite => [
            format!(
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n}) \
                 INSERT INTO posts (district_id, town_id, code, established_on) \
                 SELECT t.district_id, t.id, 'BENCH-' || k.i, '2020-01-01' FROM k \
                 JOIN (SELECT id, district_id, row_number() OVER (ORDER BY id) - 1 AS r FROM towns) t ON t.r = k.i % 26"
            ),
            "INSERT INTO staff (district_id, town_id, post_id, name, id_number, phone, education, certificate, hire_date, role_level, status) \
             SELECT district_id, town_id, id, '测试' || id, printf('9%017d', id), '13900000000', 'bachelor', 'assistant', '2020-01-01', 'assistant', 'on_duty' \
             FROM posts WHERE code LIKE 'BENCH-%'"
                .to_owned(),
        ],
        Backend::Postgres => [
            format!(
                "INSERT INTO posts (district_id, town_id, code, established_on) \
                 SELECT t.district_id, t.id, 'BENCH-' || k, DATE '2020-01-01' FROM generate_series(1, {n}) AS k \
                 JOIN (SELECT id, district_id, row_number() OVER (ORDER BY id) - 1 AS r FROM towns) t ON t.r = k % 26"
            ),
            "INSERT INTO staff (district_id, town_id, post_id, name, id_number, phone, education, certificate, hire_date, role_level, status) \
             SELECT district_id, town_id, id, '测试' || id, '9' || lpad(id::text, 17, '0'), '13900000000', 'bachelor', 'assistant', DATE '2020-01-01', 'assistant', 'on_duty' \
             FROM posts WHERE code LIKE 'BENCH-%'"
                .to_owned(),
        ],
    }
}

fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok()
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:")
}

/// Seconds `f` takes, with its result.
async fn timed<T>(f: impl std::future::Future<Output = T>) -> (f64, T) {
    let started = Instant::now();
    let out = f.await;
    (started.elapsed().as_secs_f64(), out)
}

async fn fetch(client: &Client, path: &str) -> usize {
    let res = client.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.bytes().await.expect("body").len()
}

/// The documents of run `id` (`people` lines), then 1,000 sheets with
/// changing data.
async fn documents(server: &Server, finance: &Client, id: &str, people: u64) {
    // Every slip in one job, polled as the page does.
    let (seconds, (job, bytes)) = timed(async {
        let (status, job) = finance.call("start_slips_job", &[("run_id", id), ("english", "false")]).await;
        assert_eq!(status, 200, "{job}");
        let job_id = job["id"].as_str().expect("job").to_owned();
        loop {
            let (_, v) = finance.call("slips_job", &[("id", &job_id)]).await;
            match v["status"].as_str() {
                Some("running") => tokio::time::sleep(Duration::from_millis(100)).await,
                Some("done") => break,
                other => panic!("job ended {other:?}: {v}"),
            }
        }
        let bytes = fetch(finance, &format!("/files/jobs/{job_id}")).await;
        (job_id, bytes)
    })
    .await;
    println!(
        "| pay slips, one job, {people} people (start to download, {} KB) | {seconds:.2} s | job {job} |",
        bytes / 1024
    );
    for (what, path) in [
        ("salary sheet PDF, district", format!("/files/payroll/{id}/sheet.pdf")),
        ("salary sheet .xlsx, district", format!("/files/payroll/{id}/sheet.xlsx")),
    ] {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..3 {
            let (s, n) = timed(fetch(finance, &path)).await;
            times.push(s);
            size = n;
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {what}, {people} people ({} KB) | {:.2} s (median of 3; first {:.2} s) |  |",
            size / 1024,
            times[1],
            times[0].max(times[2])
        );
    }
    for line in server.log().lines().filter(|l| l.contains("document rendered")) {
        println!("    {line}");
    }
    // 1,000 renders, each with other data: every town of every run.
    let runs: Vec<String> = server
        .db
        .query("SELECT id FROM payroll_runs WHERE status <> 'discarded' ORDER BY id")
        .lines()
        .map(str::to_owned)
        .collect();
    let towns: Vec<String> =
        server.db.query("SELECT code FROM towns ORDER BY code").lines().map(str::to_owned).collect();
    let pid = server.pid().expect("server pid");
    let mut samples = Vec::new();
    let started = Instant::now();
    for i in 0..1_000usize {
        let run = &runs[i % runs.len()];
        let town = &towns[(i / runs.len()) % towns.len()];
        fetch(finance, &format!("/files/payroll/{run}/sheet.pdf?town={town}")).await;
        if [1, 100, 250, 500, 750, 1_000].contains(&(i + 1)) {
            samples.push(format!("{}: {} MB", i + 1, status_kib(pid, "VmRSS:").unwrap_or(0) / 1024));
        }
    }
    println!(
        "| 1,000 one-town salary sheets, changing data ({:.1} s) | server RSS after n renders: {} |  |",
        started.elapsed().as_secs_f64(),
        samples.join(", ")
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backends: Vec<Backend> = match args.first().map(String::as_str) {
        Some("sqlite") => vec![Backend::Sqlite],
        Some("postgres") => vec![Backend::Postgres],
        _ => vec![Backend::Sqlite, Backend::Postgres],
    };
    let n: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let with_documents = args.iter().any(|a| a == "documents");
    println!("| backend | people | run computed and stored | server peak RSS |");
    println!("|---|---:|---:|---:|");
    for backend in backends {
        let server = Server::start(backend);
        for sql in sql_people(backend, n) {
            server.db.query(&sql);
        }
        let finance = Client::demo(&server, "finance").await;
        let (_, o) = finance.call("payroll_overview", &[]).await;
        let last = o["default_month"].as_str().expect("month").to_owned();
        let (y, m) = last.split_once('-').expect("month");
        let (y, m): (i32, u32) = (y.parse().expect("y"), m.parse().expect("m"));
        let month = if m == 12 { format!("{}-01", y + 1) } else { format!("{y}-{:02}", m + 1) };
        let user = server.db.query("SELECT id FROM users WHERE username = 'finance'");
        server.db.query(&format!(
            "INSERT INTO performance_scores (district_id, staff_id, month, score, entered_by) \
             SELECT s.district_id, s.id, '{month}', 85, {user} FROM staff s WHERE s.status = 'on_duty' \
             AND NOT EXISTS (SELECT 1 FROM performance_scores p WHERE p.staff_id = s.id AND p.month = '{month}')"
        ));
        let people: u64 =
            server.db.query("SELECT count(*) FROM staff WHERE status = 'on_duty'").parse().expect("count");
        let started = Instant::now();
        let (status, id) = finance.call("start_payroll_run", &[("month", &month)]).await;
        assert_eq!(status, 200, "{id}");
        let id = id.as_i64().expect("run id").to_string();
        // Polled as the overview does (run summaries only), so the timing
        // and the memory are the run's, not a 600,000-line page's.
        loop {
            let (_, o) = finance.call("payroll_overview", &[]).await;
            let run = o["runs"]
                .as_array()
                .and_then(|r| r.iter().find(|r| r["id"].as_i64() == id.parse::<i64>().ok()))
                .cloned()
                .unwrap_or_default();
            match run["status"].as_str() {
                Some("computing") => tokio::time::sleep(Duration::from_millis(200)).await,
                Some("draft") => break,
                other => panic!("run ended {other:?}: {run}"),
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let stored: u64 = server
            .db
            .query(&format!("SELECT count(*) FROM payroll_lines WHERE run_id = {id}"))
            .parse()
            .expect("count");
        assert_eq!(stored, people, "every line stored");
        let rss =
            server.pid().and_then(peak_rss_kib).map_or("–".to_owned(), |k| format!("{} MB", k / 1024));
        println!("| {} | {people} | {seconds:.2} s | {rss} |", backend.name());
        if with_documents {
            documents(&server, &finance, &id, people).await;
        }
    }
}
