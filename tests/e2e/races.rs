//! Concurrency on both backends (issue 10, item 2): two people doing the
//! same thing at the same instant get exactly one effect, and the loser a
//! clear refusal — never a 500, never a second row or a second payment.
//! Each race sends both requests at once from two sessions
//! (`tokio::join!`); on PostgreSQL they really overlap (READ COMMITTED,
//! row locks), on SQLite they queue on the write lock. The last yuan of a
//! source is raced in `budget::two_commitments_race_for_the_last_yuan`.

use gouzhu_tests::{Backend, Client, Server};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::budget::{approve_latest, decide};
use crate::contracts::{
    china_today, contract_form, detail, save_contract, step, supplier_ids, tendered_project,
};

/// What a lost race may answer: 409 (someone else changed it meanwhile)
/// or 422 (it is no longer in a state that allows it), with a message
/// body, never 500.
fn lost(status: u16, body: &Value) {
    assert!(status == 409 || status == 422, "the loser got {status}: {body}");
    assert!(!body.to_string().contains("Internal"), "{body}");
    // For RELIABILITY.md: a 409 is a loser that overlapped the winner and
    // was stopped by a version check, a lock or a unique index; a 422 one
    // that came after it and was refused by the state check.
    eprintln!("race lost: {status} {body}");
}

/// How many sessions send the same request at once.
const RACERS: usize = 4;

/// Exactly one answer is 200 and the others lost cleanly: the winner's
/// body and the losers'.
fn one_won(results: Vec<(StatusCode, Value)>) -> (Value, Vec<Value>) {
    let won: Vec<&(StatusCode, Value)> = results.iter().filter(|r| r.0 == 200).collect();
    assert_eq!(won.len(), 1, "exactly one wins: {results:?}");
    let winner = won[0].1.clone();
    let mut losers = Vec::new();
    for (status, body) in results {
        if status != 200 {
            lost(status.as_u16(), &body);
            losers.push(body);
        }
    }
    (winner, losers)
}

/// `RACERS` sessions of `username`.
async fn sessions(server: &Server, username: &str) -> Vec<Client> {
    let mut all = Vec::new();
    for _ in 0..RACERS {
        all.push(Client::demo(server, username).await);
    }
    all
}

/// Every session calls server function `name` with `fields`, all at once.
async fn all_call(clients: &[Client], name: &str, fields: &[(&str, &str)]) -> Vec<(StatusCode, Value)> {
    futures_util::future::join_all(clients.iter().map(|c| c.call(name, fields))).await
}

/// A second approver, 马军: created by the admin, his role granted by the
/// demo approver, his temporary password changed.
async fn second_approver(server: &Server) -> Client {
    let admin = Client::demo(server, "admin").await;
    let approver = Client::demo(server, "approver").await;
    let (status, saved) = admin
        .call_json(
            "create_user",
            &json!({ "input": {
                "username": "ma.jun", "display_name": "马军", "roles": ["approver"],
                "town_id": null, "supplier_id": null,
            }}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    approve_latest(&approver, "RoleGrant", None).await.expect("the grant approved");
    let temporary = saved["temporary_password"].as_str().expect("password").to_owned();
    let ma = Client::login(server, "ma.jun", &temporary).await.expect("login");
    let change =
        [("current", temporary.as_str()), ("new", "Ma-Jun-Strong-2026"), ("confirm", "Ma-Jun-Strong-2026")];
    assert_eq!(ma.call("change_password", &change).await.0, 200);
    Client::login(server, "ma.jun", "Ma-Jun-Strong-2026").await.expect("login again")
}

/// The newest pending approval item of `kind`, as the approver's inbox
/// shows it.
async fn pending(approver: &Client, kind: &str) -> Value {
    let (status, inbox) = approver.call("list_approvals", &[]).await;
    assert_eq!(status, 200, "{inbox}");
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["kind"] == kind && i["status"] == "Pending")
        .max_by_key(|i| i["id"].as_i64())
        .cloned()
        .unwrap_or_else(|| panic!("a pending {kind}"))
}

/// Every approver decides `item` at once: exactly one decision counts.
async fn decide_at_once(approvers: &[Client], item: &Value) {
    let results = futures_util::future::join_all(approvers.iter().map(|a| decide(a, item, None))).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for (status, body) in results.iter().filter_map(|r| r.as_ref().err()) {
        lost(*status, body);
    }
}

/// A request of 3,000 yuan for training, submitted by finance and
/// approved: its id.
pub(crate) async fn approved_request(server: &Server, finance: &Client) -> String {
    let approver = Client::demo(server, "approver").await;
    let (status, page) = finance.call("budget_requests", &[]).await;
    assert_eq!(status, 200, "{page}");
    let source = page["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .find(|c| c["eligible"].as_array().is_some_and(|e| e.iter().any(|t| t == "Training")))
        .unwrap_or_else(|| panic!("a source for training in {page}"))["id"]
        .as_i64()
        .expect("id");
    let (status, e) = finance
        .call_json("submit_budget_request", &json!({ "input": {
            "source_id": source, "cost_type": "Training", "town_id": null, "title": "业务培训",
            "purpose": "低保员业务培训", "amount": "3000", "date": china_today().to_string(), "override_request": "",
        }}))
        .await;
    assert_eq!(status, 200, "{e}");
    approve_latest(&approver, "BudgetRequest", None).await.expect("approved");
    server.db.query("SELECT max(id) FROM budget_requests")
}

/// What has been paid on request `id`, in fen.
pub(crate) fn paid_on(server: &Server, id: &str) -> i64 {
    count(
        server,
        &format!(
            "SELECT COALESCE(SUM(paid_fen), 0) FROM budget_entries WHERE ref_entity = 'budget_requests' AND ref_id = {id}"
        ),
    )
}

fn count(server: &Server, sql: &str) -> i64 {
    server.db.query(sql).parse().unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The person's details as `edit_person` takes them, with `certificate`.
fn person(server: &Server, staff_id: i64, certificate: &str) -> Value {
    let row = server.db.query(&format!(
        "SELECT name || '|' || id_number || '|' || phone || '|' || education || '|' || \
         CASE WHEN social_work_major THEN 1 ELSE 0 END || '|' || hire_date || '|' || role_level || '|' || version \
         FROM staff WHERE id = {staff_id}"
    ));
    let f: Vec<&str> = row.split('|').collect();
    assert_eq!(f.len(), 8, "{row}");
    json!({ "edit": {
        "staff_id": staff_id,
        "version": f[7].parse::<i64>().expect("version"),
        "person": {
            "name": f[0], "id_number": f[1], "phone": f[2], "education": f[3],
            "social_work_major": f[4] == "1", "certificate": certificate, "hire_date": f[5], "role_level": f[6],
        },
    }})
}

both_backends! {
    async fn a_contract_is_drafted_approved_and_each_milestone_paid_once(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let finances = sessions(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let ma = second_approver(&server).await;
        // Two people, each in two sessions (two tabs, or a double click).
        let approvers = [approver.clone(), Client::demo(&server, "approver").await, ma.clone(), ma.clone()];
        let ids: Vec<i64> = supplier_ids(&finance).await.into_iter().map(|(_, i)| i).collect();
        let project = tendered_project(&finance, "100000", ids[0], [ids[1], ids[2]]).await;
        let today = china_today();
        let start = (today - chrono::Duration::days(10)).to_string();
        let end = (today - chrono::Duration::days(10) + chrono::Months::new(12) - chrono::Duration::days(1)).to_string();
        let form = contract_form("social_work_services", "visits", "100000", &start, &end, &[("100", "")]);

        // Drafts of one award at once: one contract.
        let drafts = futures_util::future::join_all(finances.iter().map(|f| save_contract(f, project, &form))).await;
        let (id, _) = one_won(drafts.into_iter().map(|(s, v)| (StatusCode::from_u16(s).expect("status"), v)).collect());
        let id = id.as_i64().expect("contract id");
        assert_eq!(count(&server, &format!("SELECT count(*) FROM contracts WHERE project_id = {project}")), 1);

        // Two approvers approve it at the same instant: approved once, its
        // money committed once.
        assert_eq!(step(&finance, id, 1, json!("Submit")).await.0, 200);
        let item = pending(&approver, "Contract").await;
        decide_at_once(&approvers, &item).await;
        let ms = format!("SELECT id FROM contract_milestones WHERE contract_id = {id}");
        let committed = |server: &Server| count(server, &format!("SELECT COALESCE(SUM(committed_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ms})"));
        let paid = |server: &Server| count(server, &format!("SELECT COALESCE(SUM(paid_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ms})"));
        assert_eq!(committed(&server), 10_000_000);
        assert_eq!(count(&server, &format!("SELECT count(*) FROM audit_log WHERE entity = 'approvals' AND entity_id = '{}' AND action = 'approve'", item["id"])), 1);

        let d = detail(&finance, id).await;
        let v = d["contract"]["version"].as_i64().expect("version");
        assert_eq!(step(&finance, id, v, json!({ "Sign": { "on": start } })).await.0, 200);
        assert_eq!(step(&finance, id, v + 1, json!({ "Start": { "on": start } })).await.0, 200);
        let m = detail(&finance, id).await["milestones"][0]["id"].as_i64().expect("milestone").to_string();
        let on = today.to_string();

        // Accepted once, though asked for at once.
        let accept = [("milestone_id", m.as_str()), ("accepted_on", on.as_str()), ("score", ""), ("note", "验收")];
        one_won(all_call(&finances, "accept_milestone", &accept).await);
        approve_latest(&approver, "MilestoneAcceptance", None).await.expect("accepted");

        // Payment asked for at once: one request.
        let pay = [("milestone_id", m.as_str()), ("pay_on", on.as_str())];
        one_won(all_call(&finances, "request_milestone_payment", &pay).await);
        assert_eq!(count(&server, &format!("SELECT count(*) FROM contract_payments WHERE milestone_id = {m}")), 1);

        // ...approved by both approvers at once: paid once.
        let item = pending(&approver, "ContractPayment").await;
        decide_at_once(&approvers, &item).await;
        assert_eq!(paid(&server), 10_000_000);
        assert_eq!(committed(&server), 0);
        // And a repeated request afterwards changes nothing.
        let (status, e) = finance.call("request_milestone_payment", &pay).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("AlreadyPaid"), "{e}");
        assert_eq!(paid(&server), 10_000_000);
        let verify = gouzhu_tests::server::gouzhu(&server.db, &["audit", "verify"]);
        assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    }

    async fn a_request_paid_in_full_twice_at_once_is_paid_once(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let finances = sessions(&server, "finance").await;
        let id = approved_request(&server, &finance).await;
        let fields = [("request_id", id.as_str()), ("amount", "")];
        let (_, losers) = one_won(all_call(&finances, "pay_budget_request", &fields).await);
        for loser in losers {
            assert!(loser["Budget"] == "FullyPaid" || loser == "Stale", "{loser}");
        }
        assert_eq!(paid_on(&server, &id), 300_000);
    }

    async fn a_part_payment_repeated_with_its_idempotency_key_is_made_once(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let finances = sessions(&server, "finance").await;
        let id = approved_request(&server, &finance).await;
        let call = |client: &Client, amount: &'static str, key: &'static str| {
            let (client, id) = (client.clone(), id.clone());
            async move {
                client.call_with_key("pay_budget_request", &[("request_id", id.as_str()), ("amount", amount)], key).await
            }
        };
        // Paid, then the same request again (a retry after a lost answer).
        assert_eq!(call(&finance, "1000", "pay-7f3a-0001").await.0, 200);
        let (status, e) = call(&finance, "1000", "pay-7f3a-0001").await;
        assert_eq!((status.as_u16(), &e), (409, &json!("Replayed")), "{e}");
        assert_eq!(paid_on(&server, &id), 100_000);
        // The same request from four sessions at once: paid once.
        let all = futures_util::future::join_all(finances.iter().map(|f| call(f, "500", "pay-7f3a-0002"))).await;
        let (_, losers) = one_won(all);
        assert!(losers.iter().all(|l| l == "Replayed" || l == "Stale"), "{losers:?}");
        assert_eq!(paid_on(&server, &id), 150_000);
        // A refused request does not use up its key.
        assert_eq!(call(&finance, "99999", "pay-7f3a-0003").await.0, 422);
        assert_eq!(call(&finance, "100", "pay-7f3a-0003").await.0, 200);
        assert_eq!(paid_on(&server, &id), 160_000);
        // A key that is not one: refused before anything runs.
        assert_eq!(call(&finance, "100", "short").await.0, 400);
        assert_eq!(paid_on(&server, &id), 160_000);
        // Without a key a repeated part payment is two payments: clients
        // that retry send a key.
        assert_eq!(finance.call("pay_budget_request", &[("request_id", &id), ("amount", "100")]).await.0, 200);
        assert_eq!(finance.call("pay_budget_request", &[("request_id", &id), ("amount", "100")]).await.0, 200);
        assert_eq!(paid_on(&server, &id), 180_000);
    }

    async fn two_edits_of_one_person_at_once_keep_one_and_refuse_the_other(backend: Backend) {
        let server = Server::start(backend);
        let finances = sessions(&server, "finance").await;
        let staff_id = count(&server, "SELECT min(id) FROM staff WHERE status = 'on_duty' AND certificate = 'none'");
        let versions = count(&server, &format!("SELECT version FROM staff WHERE id = {staff_id}"));
        let edits: Vec<Value> =
            ["assistant", "intermediate", "senior"].iter().map(|c| person(&server, staff_id, c)).collect();
        let results =
            futures_util::future::join_all(finances.iter().zip(&edits).map(|(f, e)| f.call_json("edit_person", e))).await;
        let (_, losers) = one_won(results);
        assert!(losers.iter().all(|l| l == "Stale"), "the losers are told to reload: {losers:?}");
        assert_eq!(count(&server, &format!("SELECT version FROM staff WHERE id = {staff_id}")), versions + 1);
        assert_eq!(count(&server, &format!("SELECT count(*) FROM audit_log WHERE entity = 'staff' AND entity_id = '{staff_id}' AND action = 'update'")), 1);

        // Leaving recorded twice at once: one leave in the history.
        let v = count(&server, &format!("SELECT version FROM staff WHERE id = {staff_id}"));
        let leave = json!({ "staff_id": staff_id, "version": v, "on": china_today().to_string(), "note": "辞职" });
        one_won(futures_util::future::join_all(finances.iter().map(|f| f.call_json("record_leaving", &leave))).await);
        assert_eq!(count(&server, &format!("SELECT count(*) FROM staff_assignments WHERE staff_id = {staff_id} AND cause = 'leave'")), 1);
    }

    async fn a_roster_edit_racing_a_payroll_run_is_in_it_or_stops_its_submission(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let finance2 = Client::demo(&server, "finance").await;
        let month = crate::payroll::scored_next_month(&finance).await;
        let staff_id = count(&server, "SELECT min(id) FROM staff WHERE status = 'on_duty' AND certificate = 'none'");
        let edit = |certificate: &str| person(&server, staff_id, certificate);
        let qualification = |run: i64| {
            count(&server, &format!("SELECT qualification_fen FROM payroll_lines WHERE run_id = {run} AND staff_id = {staff_id}"))
        };
        let start = || async {
            let (status, id) = finance.call("start_payroll_run", &[("month", &month)]).await;
            assert_eq!(status, 200, "{id}");
            id.as_i64().expect("run id")
        };
        let draft = |run: i64| {
            let finance = &finance;
            async move {
                let v = crate::payroll::computed(finance, run).await;
                assert_eq!(v["run"]["status"], "draft", "{}", v["run"]);
                v
            }
        };
        let discard = |run: i64, version: i64| {
            let finance = &finance;
            async move {
                let (status, e) = finance.call("discard_payroll_run", &[("run_id", &run.to_string()), ("version", &version.to_string())]).await;
                assert_eq!(status, 200, "{e}");
            }
        };
        let submit = |run: i64, v: Value| {
            let finance = &finance;
            async move {
                let choices = v["funding_choices"].as_array().expect("funding choices").clone();
                let can = |c: &Value, t: &str| c["eligible"].as_array().expect("eligible").iter().any(|e| e == t);
                let pay = choices.iter().find(|c| can(c, "AssistantPay")).expect("a source for pay")["id"].to_string();
                let ins = choices.iter().find(|c| can(c, "EmployerInsurance")).expect("for insurance")["id"].to_string();
                let version = v["run"]["version"].to_string();
                finance.call("submit_payroll_run", &[("run_id", &run.to_string()), ("version", &version), ("pay_source_id", &pay), ("insurance_source_id", &ins), ("override_request", "")]).await
            }
        };

        // What each certificate pays this person (a run each, discarded).
        let mut pays = Vec::new();
        for certificate in ["intermediate", "assistant"] {
            assert_eq!(finance.call_json("edit_person", &edit(certificate)).await.0, 200);
            let run = start().await;
            let v = draft(run).await;
            pays.push(qualification(run));
            discard(run, v["run"]["version"].as_i64().expect("version")).await;
        }
        let (intermediate, assistant) = (pays[0], pays[1]);
        assert_ne!(intermediate, assistant, "the certificates pay differently");

        // An edit after the computation: the draft may not be submitted.
        let run = start().await;
        let v = draft(run).await;
        assert_eq!(qualification(run), assistant);
        assert_eq!(finance.call_json("edit_person", &edit("intermediate")).await.0, 200);
        let (status, e) = submit(run, v.clone()).await;
        assert_eq!((status.as_u16(), &e["Payroll"]), (422, &json!("InputsChanged")), "{e}");
        discard(run, v["run"]["version"].as_i64().expect("version")).await;

        // The race: the run starts while the person's certificate changes
        // back. Whatever the order, what is submitted pays the new one.
        let started = async {
            let (status, id) = finance.call("start_payroll_run", &[("month", &month)]).await;
            assert_eq!(status, 200, "{id}");
            id.as_i64().expect("run id")
        };
        let edited = async { finance2.call_json("edit_person", &edit("assistant")).await };
        let (run, (status, e)) = tokio::join!(started, edited);
        assert_eq!(status, 200, "{e}");
        let v = draft(run).await;
        let (status, e) = submit(run, v.clone()).await;
        eprintln!("payroll race on {}: the first submission answered {status}", backend.name());
        let submitted = if status == 200 {
            run
        } else {
            assert_eq!((status.as_u16(), &e["Payroll"]), (422, &json!("InputsChanged")), "{e}");
            discard(run, v["run"]["version"].as_i64().expect("version")).await;
            let again = start().await;
            let v = draft(again).await;
            let (status, e) = submit(again, v).await;
            assert_eq!(status, 200, "{e}");
            again
        };
        assert_eq!(qualification(submitted), assistant, "the submitted run pays the certificate as it now is");
        assert_eq!(server.db.query(&format!("SELECT status FROM payroll_runs WHERE id = {submitted}")), "submitted");
    }
}
