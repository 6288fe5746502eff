//! Crash consistency on both backends (issue 10, item 1): the server is
//! killed with SIGKILL at a random moment while it starts a payroll run,
//! imports a roster, approves a contract or makes a payment, twenty times
//! each, and started again on the same database. After every restart
//! there is no partial state (a run is absent or complete, an import all
//! or nothing, an approval with its commitments or without both, a
//! payment once), the audit chain verifies, and repeating the request
//! has the effect exactly once: the domain refuses a second run, import,
//! approval; a payment carries an idempotency key.
//!
//! The kill comes after a random delay between 0 and 1.5 times what the
//! operation took on an undisturbed first round, so kills land before,
//! during and after it. `GOUZHU_CRASH_ROUNDS` sets the rounds (20);
//! `GOUZHU_CRASH_SEED` replays a run's delays (each test prints its seed).

use std::future::Future;
use std::time::{Duration, Instant};

use gouzhu_tests::roster_file::workbook;
use gouzhu_tests::server::gouzhu;
use gouzhu_tests::{Backend, Client, Server};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::budget::decide;
use crate::contracts::{china_today, contract_form, save_contract, step, supplier_ids, tendered_project};
use crate::races::{approved_request, paid_on};

fn rounds() -> u32 {
    std::env::var("GOUZHU_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(20)
}

/// Delays drawn from a seeded xorshift, so a failing run can be replayed.
struct Delays {
    state: u64,
    window: Duration,
}

impl Delays {
    fn new(test: &str, window: Duration) -> Delays {
        let seed =
            std::env::var("GOUZHU_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            }) | 1;
        eprintln!("{test}: GOUZHU_CRASH_SEED={seed}, kills within {} ms", window.as_millis());
        Delays { state: seed, window }
    }

    fn next(&mut self) -> Duration {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX).max(1);
        Duration::from_millis(self.state % ms)
    }
}

/// The window to kill in: 1.5 times what an undisturbed `took`.
fn window(took: Duration) -> Duration {
    (took * 3 / 2).max(Duration::from_millis(5))
}

/// Sends `request`, kills the server with SIGKILL after `delay`, starts it
/// again on the same database. Whether the request was answered before
/// the kill.
async fn kill_during<F>(server: &mut Server, request: F, delay: Duration) -> bool
where
    F: Future<Output = bool> + Send + 'static,
{
    let task = tokio::spawn(request);
    tokio::time::sleep(delay).await;
    server.kill9();
    let answered = task.await.unwrap_or(false);
    server.restart().unwrap_or_else(|e| panic!("the server did not come back: {e}"));
    answered
}

/// The audit chain verifies, and every commitment has paid at most what
/// it committed (the ledger balances).
fn assert_consistent(server: &Server) {
    let out = gouzhu(&server.db, &["audit", "verify"]);
    assert!(out.status.success(), "audit verify: {}", String::from_utf8_lossy(&out.stderr));
    let overpaid = server.db.query(
        "SELECT count(*) FROM budget_entries c WHERE c.kind = 'commitment' AND c.committed_fen < \
         (SELECT COALESCE(SUM(p.paid_fen), 0) FROM budget_entries p WHERE p.commitment_id = c.id)",
    );
    assert_eq!(overpaid, "0", "a commitment paid beyond itself");
    let unbalanced = server.db.query(
        "SELECT count(*) FROM budget_entries WHERE kind = 'payment' AND committed_fen + paid_fen <> 0",
    );
    assert_eq!(unbalanced, "0", "a payment that did not move its money off the commitment");
}

fn count(server: &Server, sql: &str) -> i64 {
    server.db.query(sql).parse().unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Where the kills landed, printed for RELIABILITY.md.
#[derive(Default, Debug)]
struct Tally {
    kills: u32,
    /// Before the effect committed: nothing was there after the restart.
    before: u32,
    /// After it committed, before the answer reached the client.
    unanswered: u32,
    /// After the answer.
    after: u32,
    /// Payroll: runs the restarted server found computing and completed.
    resumed: u32,
}

impl Tally {
    fn count(&mut self, answered: bool, committed: bool) {
        self.kills += 1;
        match (answered, committed) {
            (true, _) => self.after += 1,
            (false, true) => self.unanswered += 1,
            (false, false) => self.before += 1,
        }
    }

    fn report(&self, test: &str, backend: Backend) {
        eprintln!(
            "CRASH {test} on {}: {} kills: {} before the commit, {} after the commit but before the answer, {} after the answer; {} resumed at restart",
            backend.name(),
            self.kills,
            self.before,
            self.unanswered,
            self.after,
            self.resumed
        );
    }
}

both_backends! {
    async fn kill9_during_payroll_runs_leaves_each_run_absent_or_complete(backend: Backend) {
        let mut server = Server::start(backend);
        let mut finance = Client::demo(&server, "finance").await;
        let month = crate::payroll::scored_next_month(&finance).await;
        let live = format!("SELECT count(*) FROM payroll_runs WHERE month = '{month}' AND status <> 'discarded'");
        // Waits for the month's run to be computed and discards it; its
        // lines are checked against its totals first.
        let settle = |server: &Server| {
            let deadline = Instant::now() + Duration::from_secs(60);
            while count(server, "SELECT count(*) FROM payroll_runs WHERE status = 'computing'") > 0 {
                assert!(Instant::now() < deadline, "a run still computing after a minute");
                std::thread::sleep(Duration::from_millis(20));
            }
            let runs = server.db.query(&format!(
                "SELECT r.id || '|' || r.version || '|' || r.people || '|' || r.lines_done || '|' || r.net_fen || '|' || \
                 (SELECT count(*) FROM payroll_lines l WHERE l.run_id = r.id) || '|' || \
                 (SELECT COALESCE(SUM(net_fen), 0) FROM payroll_lines l WHERE l.run_id = r.id) \
                 FROM payroll_runs r WHERE r.month = '{month}' AND r.status = 'draft'"
            ));
            runs.lines().map(|line| {
                let f: Vec<i64> = line.split('|').map(|x| x.parse().expect("number")).collect();
                assert!(f[2] > 0 && f[2] == f[3] && f[3] == f[5], "a run's people, progress and lines agree: {line}");
                assert_eq!(f[4], f[6], "a run's net is the sum of its lines: {line}");
                (f[0], f[1])
            }).collect::<Vec<(i64, i64)>>()
        };
        let discard = |finance: &Client, (id, version): (i64, i64)| {
            let finance = finance.clone();
            async move {
                let (status, e) = finance.call("discard_payroll_run", &[("run_id", &id.to_string()), ("version", &version.to_string())]).await;
                assert_eq!(status, 200, "{e}");
            }
        };
        let started = Instant::now();
        assert_eq!(finance.call("start_payroll_run", &[("month", &month)]).await.0, 200);
        let drafts = settle(&server);
        let mut delays = Delays::new("payroll runs", window(started.elapsed()));
        discard(&finance, drafts[0]).await;
        let mut tally = Tally::default();
        for _ in 0..rounds() {
            let (client, m) = (finance.clone(), month.clone());
            let request = async move { client.try_call("start_payroll_run", &[("month", &m)], None).await.is_ok_and(|(s, _)| s == 200) };
            let answered = kill_during(&mut server, request, delays.next()).await;
            finance = finance.moved_to(&server);
            let exists = count(&server, &live);
            assert!(exists <= 1, "one live run a month");
            tally.count(answered, exists == 1);
            // Absent, or completed at restart.
            let drafts = settle(&server);
            assert_eq!(drafts.len() as i64, exists, "the run that was started is complete");
            // The repeated request: a second run is refused, a missing one
            // starts now.
            let (status, e) = finance.call("start_payroll_run", &[("month", &month)]).await;
            assert_eq!(status, if exists == 1 { 409 } else { 200 }, "{e}");
            let drafts = settle(&server);
            assert_eq!(drafts.len(), 1);
            assert_consistent(&server);
            discard(&finance, drafts[0]).await;
        }
        tally.resumed = u32::try_from(server.log().matches("resuming a payroll run left computing").count()).unwrap_or(0);
        tally.report("payroll runs", backend);
    }

    async fn kill9_during_roster_imports_leaves_each_import_all_or_nothing(backend: Backend) {
        const ROWS: u32 = 1_000;
        let mut server = Server::start(backend);
        let mut finance = Client::demo(&server, "finance").await;
        let towns: Vec<String> = server.db.query("SELECT code FROM towns ORDER BY code").lines().map(str::to_owned).collect();
        let staff = |server: &Server| count(server, "SELECT count(*) FROM staff");
        let imported = |server: &Server| count(server, "SELECT count(*) FROM roster_imports WHERE status = 'imported'");
        let base = staff(&server);
        let upload = |client: &Client, round: u32| {
            let bytes = workbook(&towns, 500_000 + round * ROWS..500_000 + (round + 1) * ROWS, false);
            let client = client.clone();
            async move {
                let form = Form::new().text("mode", "all").part("file", Part::bytes(bytes).file_name(format!("名册{round}.xlsx")));
                client.try_post_multipart("/files/roster-import", form).await.is_ok_and(|r| r.status() == 303)
            }
        };
        let started = Instant::now();
        assert!(upload(&finance, 0).await);
        let mut delays = Delays::new("roster imports", window(started.elapsed()));
        assert_eq!(staff(&server), base + i64::from(ROWS));
        let mut tally = Tally::default();
        for round in 1..=rounds() {
            let before = imported(&server);
            let answered = kill_during(&mut server, upload(&finance, round), delays.next()).await;
            finance = finance.moved_to(&server);
            // All of the file or none of it.
            let done = imported(&server) - before;
            assert!(done == 0 || done == 1, "{done}");
            tally.count(answered, done == 1);
            assert_eq!(staff(&server), base + i64::from(ROWS) * (i64::from(round) + done), "all rows or none");
            // The same file again: imported once.
            assert!(upload(&finance, round).await);
            assert_eq!(staff(&server), base + i64::from(ROWS) * (i64::from(round) + 1));
            assert_eq!(imported(&server), before + 1);
            assert_consistent(&server);
        }
        tally.report("roster imports", backend);
    }

    async fn kill9_during_contract_approvals_commits_each_once(backend: Backend) {
        let mut server = Server::start(backend);
        let mut finance = Client::demo(&server, "finance").await;
        let mut approver = Client::demo(&server, "approver").await;
        let ids: Vec<i64> = supplier_ids(&finance).await.into_iter().map(|(_, i)| i).collect();
        let ids = [ids[0], ids[1], ids[2]];
        let today = china_today();
        let start = (today - chrono::Duration::days(10)).to_string();
        let end = (today - chrono::Duration::days(10) + chrono::Months::new(12) - chrono::Duration::days(1)).to_string();
        let form = contract_form("social_work_services", "visits", "1000", &start, &end, &[("100", "")]);
        // A submitted contract of 1,000 yuan: its id and approval item.
        let submitted = |finance: &Client, approver: &Client| {
            let (finance, approver, form) = (finance.clone(), approver.clone(), form.clone());
            async move {
                let project = tendered_project(&finance, "1000", ids[0], [ids[1], ids[2]]).await;
                let (status, id) = save_contract(&finance, project, &form).await;
                assert_eq!(status, 200, "{id}");
                let id = id.as_i64().expect("contract id");
                assert_eq!(step(&finance, id, 1, json!("Submit")).await.0, 200);
                let (_, inbox) = approver.call("list_approvals", &[]).await;
                let item = inbox["items"].as_array().expect("items").iter()
                    .find(|i| i["kind"] == "Contract" && i["status"] == "Pending")
                    .cloned()
                    .expect("the pending contract");
                (id, item)
            }
        };
        let committed = |server: &Server, id: i64| count(server, &format!(
            "SELECT COALESCE(SUM(committed_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' \
             AND ref_id IN (SELECT id FROM contract_milestones WHERE contract_id = {id})"
        ));
        let state = |server: &Server, id: i64, item: &Value| server.db.query(&format!(
            "SELECT c.status || '|' || a.status FROM contracts c, approvals a WHERE c.id = {id} AND a.id = {}", item["id"]
        ));
        let (id, item) = submitted(&finance, &approver).await;
        let started = Instant::now();
        decide(&approver, &item, None).await.expect("approved");
        let mut delays = Delays::new("contract approvals", window(started.elapsed()));
        assert_eq!(committed(&server, id), 100_000);
        let mut tally = Tally::default();
        for _ in 0..rounds() {
            let (id, item) = submitted(&finance, &approver).await;
            let (client, it) = (approver.clone(), item.clone());
            let request = async move {
                let fields = [("id", it["id"].to_string()), ("version", it["version"].to_string())];
                client.try_call("decide_approval", &[("id", &fields[0].1), ("version", &fields[1].1), ("decision", "Approve"), ("reason", "同意")], None)
                    .await.is_ok_and(|(s, _)| s == 200)
            };
            let answered = kill_during(&mut server, request, delays.next()).await;
            finance = finance.moved_to(&server);
            approver = approver.moved_to(&server);
            // Approved with all its money committed, or pending with none.
            let (now, money) = (state(&server, id, &item), committed(&server, id));
            match now.as_str() {
                "approved|approved" => assert_eq!(money, 100_000),
                "pending|pending" => assert_eq!(money, 0),
                other => panic!("a half-approved contract: {other}, {money} fen committed"),
            }
            tally.count(answered, now == "approved|approved");
            // The approver, seeing no answer, approves again: once.
            let again = decide(&approver, &item, None).await;
            assert_eq!(again.is_ok(), now == "pending|pending", "{again:?}");
            assert_eq!(state(&server, id, &item), "approved|approved");
            assert_eq!(committed(&server, id), 100_000);
            assert_consistent(&server);
        }
        tally.report("contract approvals", backend);
    }

    async fn kill9_during_payments_pays_once_with_the_idempotency_key(backend: Backend) {
        let mut server = Server::start(backend);
        let mut finance = Client::demo(&server, "finance").await;
        let id = approved_request(&server, &finance).await;
        let pay = |client: &Client, key: String| {
            let (client, id) = (client.clone(), id.clone());
            async move { client.try_call("pay_budget_request", &[("request_id", &id), ("amount", "100")], Some(&key)).await }
        };
        let started = Instant::now();
        assert_eq!(pay(&finance, "crash-pay-0000".into()).await.expect("answer").0, 200);
        let mut delays = Delays::new("payments", window(started.elapsed()));
        let mut tally = Tally::default();
        for round in 1..=rounds() {
            let key = format!("crash-pay-{round:04}");
            let request = {
                let p = pay(&finance, key.clone());
                async move { p.await.is_ok_and(|(s, _)| s == 200) }
            };
            let answered = kill_during(&mut server, request, delays.next()).await;
            finance = finance.moved_to(&server);
            let paid = paid_on(&server, &id);
            let before = 10_000 * i64::from(round);
            assert!(paid == before || paid == before + 10_000, "paid {paid} after {round} payments of 100");
            tally.count(answered, paid > before);
            // The client retries with the same key: paid exactly once.
            let (status, e) = pay(&finance, key).await.expect("answer");
            if paid == before {
                assert_eq!(status, 200, "{e}");
            } else {
                assert_eq!((status.as_u16(), &e), (409, &json!("Replayed")), "{e}");
            }
            assert_eq!(paid_on(&server, &id), before + 10_000);
            assert_consistent(&server);
        }
        tally.report("payments", backend);
    }
}
