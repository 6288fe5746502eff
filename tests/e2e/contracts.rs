//! Contracts on both backends: the demo's register, projects and contracts;
//! suppliers refused with the reason (credit code, organisation type,
//! duplicates, blacklist); term and milestone rules on the draft; the life
//! of a contract through maker-checker with its money in the budget
//! ledger; payment gated by acceptance and paid by score band; numbered
//! amendments; the contract PDF's text; a broken template's error with
//! its line; the OCDS package validated against the official 1.1.5 schema;
//! `/api/v1` scope.

use gouzhu_tests::process::TempDir;
use gouzhu_tests::server::gouzhu;
use gouzhu_tests::{Backend, Client, Server};
use serde_json::{Value, json};

use crate::budget::approve_latest;
use crate::documents::pdf_text;

/// Today in China, the day the server books on.
pub(crate) fn china_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn amount(v: &Value) -> f64 {
    v.as_str().and_then(|s| s.parse::<f64>().ok()).unwrap_or_else(|| panic!("an amount: {v}"))
}

async fn overview(client: &Client) -> Value {
    let (status, o) = client.call("contracts_overview", &[]).await;
    assert_eq!(status, 200, "{o}");
    o
}

pub(crate) async fn detail(client: &Client, id: i64) -> Value {
    let (status, d) = client.call("contract_detail", &[("id", &id.to_string())]).await;
    assert_eq!(status, 200, "{d}");
    d
}

fn contract_id(o: &Value, number_prefix: &str, template: &str) -> i64 {
    o["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .find(|c| {
            c["template"] == template
                && c["status"] != "Draft"
                && !c["title"].as_str().is_some_and(|t| t.contains("镇街购买"))
                && c["number"].as_str().is_some_and(|n| n.starts_with(number_prefix))
        })
        .and_then(|c| c["id"].as_i64())
        .unwrap_or_else(|| panic!("a {template} contract in {o}"))
}

/// A supplier form with a valid credit code.
fn supplier(name: &str, code: &str, org_type: &str) -> Value {
    json!({
        "id": null, "version": 0, "qualifications": [],
        "input": {
            "name": name, "credit_code": code, "org_type": org_type, "legal_representative": "张三",
            "contact_name": "", "contact_phone": "023-12345678", "address": "", "bank_name": "", "bank_account": "",
        },
    })
}

/// A contract form for `template`: items summing to `amount`, milestones
/// as `(percent, bands)`.
pub(crate) fn contract_form(
    template: &str,
    item: &str,
    amount: &str,
    start: &str,
    end: &str,
    milestones: &[(&str, &str)],
) -> Value {
    json!({
        "title": "测试合同", "template": template, "amount": amount, "start_on": start, "end_on": end,
        "term_justification": "",
        "items": [{ "item_code": item, "description": "测试", "quantity": "1", "unit_price": amount, "indicator": "按标准" }],
        "milestones": milestones.iter().enumerate().map(|(i, (p, bands))| json!({
            "name": format!("节点{}", i + 1), "percent": p, "due_on": start, "condition": "验收合格", "bands": bands,
        })).collect::<Vec<_>>(),
        "indicators": [{ "name": "完成率", "target": "≥95%", "weight": "100" }],
        "breach_clauses": ["违约按日扣减千分之一"],
    })
}

/// Finance plans an open-tender project of `budget` paid from source 2 (the
/// 1%), records three bids, awards it to `winner` and drafts a contract;
/// returns (project id, contract id or the refusal).
pub(crate) async fn tendered_project(finance: &Client, budget: &str, winner: i64, others: [i64; 2]) -> i64 {
    let today = china_today();
    let planned = (today - chrono::Duration::days(30)).to_string();
    let (status, project) = finance
        .call_json(
            "create_project",
            &json!({ "form": {
                "title": "测试采购项目", "item_code": "visits", "method": "open_tender", "justification": "",
                "budget": budget, "planned_on": planned, "tender_opens": "", "tender_closes": "",
                "funding": [[2, budget]], "budget_request_id": null,
            }}),
        )
        .await;
    assert_eq!(status, 200, "{project}");
    let project = project.as_i64().expect("project id");
    let day = (today - chrono::Duration::days(10)).to_string();
    for s in [winner, others[0], others[1]] {
        let (status, e) = finance
            .call(
                "add_bid",
                &[
                    ("project_id", &project.to_string()),
                    ("supplier_id", &s.to_string()),
                    ("amount", budget),
                    ("received_on", &day),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(status, 200, "{e}");
    }
    let (status, e) = finance
        .call(
            "award_project",
            &[
                ("project_id", &project.to_string()),
                ("version", "1"),
                ("supplier_id", &winner.to_string()),
                ("amount", budget),
                ("award_on", &day),
                ("reason", "综合评分第一"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{e}");
    project
}

pub(crate) async fn save_contract(finance: &Client, project: i64, form: &Value) -> (u16, Value) {
    let (status, v) = finance
        .call_json(
            "save_contract",
            &json!({ "project_id": project, "contract_id": null, "version": 0, "form": form }),
        )
        .await;
    (status.as_u16(), v)
}

pub(crate) async fn step(finance: &Client, id: i64, version: i64, step: Value) -> (u16, Value) {
    let (status, v) =
        finance.call_json("advance_contract", &json!({ "id": id, "version": version, "step": step })).await;
    (status.as_u16(), v)
}

/// The suppliers' ids by name.
pub(crate) async fn supplier_ids(finance: &Client) -> Vec<(String, i64)> {
    let (status, list) = finance.call("supplier_list", &[]).await;
    assert_eq!(status, 200, "{list}");
    list["suppliers"]
        .as_array()
        .expect("suppliers")
        .iter()
        .map(|s| (s["name"].as_str().unwrap_or_default().to_owned(), s["id"].as_i64().unwrap_or_default()))
        .collect()
}

fn fen_sum(server: &Server, sql: &str) -> i64 {
    server.db.query(sql).parse().unwrap_or_else(|_| panic!("a number from {sql}"))
}

both_backends! {
    async fn the_demo_contracts_are_paid_and_amended_through_the_ledger(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let o = overview(&finance).await;
        assert_eq!(o["projects"].as_array().map(Vec::len), Some(4), "{o}");
        let services = contract_id(&o, "HT-", "SocialWorkServices");
        let posts = contract_id(&o, "HT-", "AssistantPosts");
        let d = detail(&finance, services).await;
        assert_eq!(d["contract"]["status"], "Performing");
        assert_eq!(amount(&d["contract"]["amount"]), 348_000.0);
        // Amendment No. 1 raised it; nothing was overwritten.
        assert_eq!(amount(&d["contract"]["current_amount"]), 360_000.0);
        assert_eq!(d["amendments"][0]["number"], 1);
        assert_eq!(amount(&d["amendments"][0]["before_amount"]), 348_000.0);
        assert_eq!(d["amendments"][0]["status"], "approved");
        // Milestone 1 (30% of 348,000) was paid before the amendment; the
        // other two share the rest 40:30.
        let m = d["milestones"].as_array().expect("milestones");
        let bases: Vec<f64> = m.iter().map(|x| amount(&x["base"])).collect();
        assert_eq!(bases, [104_400.0, 146_057.14, 109_542.86]);
        assert_eq!(m[0]["payment"][3], "approved");
        assert_eq!(amount(&d["paid"]), 104_400.0);
        // The ledger: what is paid and what stays committed for this contract.
        let ids = format!("SELECT id FROM contract_milestones WHERE contract_id = {services}");
        let paid = fen_sum(&server, &format!("SELECT COALESCE(SUM(paid_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ids})"));
        let committed = fen_sum(&server, &format!("SELECT COALESCE(SUM(committed_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ids})"));
        assert_eq!(paid, 10_440_000);
        assert_eq!(committed, 36_000_000 - 10_440_000);
        // The posts contract is signed; its four quarters are committed.
        let p = detail(&finance, posts).await;
        assert_eq!(p["contract"]["status"], "Signed");
        let ids = format!("SELECT id FROM contract_milestones WHERE contract_id = {posts}");
        assert_eq!(fen_sum(&server, &format!("SELECT COALESCE(SUM(committed_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ids})")), 21_600_000);
        // The towns' contracts took over their purchase requests'
        // commitments on approval: their milestones hold the contracts'
        // amounts (145,000 and 58,000), nothing more.
        let o2 = overview(&finance).await;
        let towns: Vec<&Value> = o2["contracts"].as_array().expect("contracts").iter().filter(|c| c["title"].as_str().is_some_and(|t| t.contains("镇街购买"))).collect();
        assert_eq!(towns.len(), 2);
        assert!(towns.iter().all(|c| c["status"] == "Performing"));
        let ids = "SELECT id FROM contract_milestones WHERE contract_id IN (SELECT id FROM contracts WHERE town_id IS NOT NULL)";
        assert_eq!(fen_sum(&server, &format!("SELECT COALESCE(SUM(committed_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ids})")), 20_300_000);
    }

    async fn suppliers_are_checked_and_the_blacklist_bars_an_award(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        // A wrong check character, named as such.
        let (status, e) = finance.call_json("save_supplier", &supplier("坏代码社工站", "91350100M000100Y44", "social_organisation")).await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("Checksum"), "{e}");
        // 公益一类事业单位 may not supply (102号令 art. 8).
        let (status, e) = finance.call_json("save_supplier", &supplier("某公益一类单位", "91350100M000100Y43", "public_welfare_1")).await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("OrgTypeNotAllowed"), "{e}");
        // A valid one, then the same code again.
        let (status, id) = finance.call_json("save_supplier", &supplier("新登记社工站", "91350100M000100Y43", "social_organisation")).await;
        assert_eq!(status, 200, "{id}");
        let (status, e) = finance.call_json("save_supplier", &supplier("另一家", "91350100M000100Y43", "company")).await;
        assert_eq!(status, 409, "{e}");
        // Only finance registers suppliers.
        let approver = Client::demo(&server, "approver").await;
        assert_eq!(approver.call_json("save_supplier", &supplier("x", "52500112MJP100030F", "company")).await.0, 403);
        // Blacklisted: its bid may be recorded, the award is refused with the reason.
        let ids = supplier_ids(&finance).await;
        let new = id.as_i64().expect("id");
        let others: Vec<i64> = ids.iter().map(|(_, i)| *i).filter(|i| *i != new).take(2).collect();
        let (status, e) = finance.call("blacklist_supplier", &[("id", &new.to_string()), ("version", "1"), ("reason", "虚报服务记录")]).await;
        assert_eq!(status, 200, "{e}");
        let today = china_today();
        let (status, project) = finance
            .call_json("create_project", &json!({ "form": {
                "title": "黑名单测试", "item_code": "visits", "method": "open_tender", "justification": "",
                "budget": "10000", "planned_on": (today - chrono::Duration::days(5)).to_string(), "tender_opens": "", "tender_closes": "",
                "funding": [[2, "10000"]], "budget_request_id": null,
            }}))
            .await;
        assert_eq!(status, 200, "{project}");
        let project = project.as_i64().expect("project").to_string();
        let day = (today - chrono::Duration::days(1)).to_string();
        for s in [new, others[0], others[1]] {
            assert_eq!(finance.call("add_bid", &[("project_id", &project), ("supplier_id", &s.to_string()), ("amount", "9000"), ("received_on", &day), ("note", "")]).await.0, 200);
        }
        let (status, e) = finance
            .call("award_project", &[("project_id", &project), ("version", "1"), ("supplier_id", &new.to_string()), ("amount", "9000"), ("award_on", &day), ("reason", "最低价")])
            .await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("虚报服务记录"), "{e}");
        // Fewer than three bids for an open tender is refused too.
        let (status, p2) = finance
            .call_json("create_project", &json!({ "form": {
                "title": "投标不足", "item_code": "visits", "method": "open_tender", "justification": "",
                "budget": "10000", "planned_on": (today - chrono::Duration::days(5)).to_string(), "tender_opens": "", "tender_closes": "",
                "funding": [[2, "10000"]], "budget_request_id": null,
            }}))
            .await;
        assert_eq!(status, 200);
        let p2 = p2.as_i64().expect("id").to_string();
        finance.call("add_bid", &[("project_id", &p2), ("supplier_id", &others[0].to_string()), ("amount", "9000"), ("received_on", &day), ("note", "")]).await;
        let (status, e) = finance
            .call("award_project", &[("project_id", &p2), ("version", "1"), ("supplier_id", &others[0].to_string()), ("amount", "9000"), ("award_on", &day), ("reason", "x")])
            .await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("TooFewBids"), "{e}");
    }

    async fn terms_milestones_acceptance_and_bands_decide_what_is_paid(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let ids: Vec<i64> = supplier_ids(&finance).await.into_iter().map(|(_, i)| i).collect();
        let project = tendered_project(&finance, "100000", ids[0], [ids[1], ids[2]]).await;
        let today = china_today();
        let start = (today - chrono::Duration::days(10)).to_string();
        let one_year = (today - chrono::Duration::days(10) + chrono::Months::new(12) - chrono::Duration::days(1)).to_string();
        let over_one = (today + chrono::Months::new(12)).to_string();
        let over_three = (today + chrono::Months::new(40)).to_string();
        let bands = "0:0, 60:0.8, 80:1";
        // Over three years: refused. Over one: needs a justification.
        let (status, e) = save_contract(&finance, project, &contract_form("social_work_services", "visits", "100000", &start, &over_three, &[("100", "")])).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("TermOverThreeYears"), "{e}");
        let (status, e) = save_contract(&finance, project, &contract_form("social_work_services", "visits", "100000", &start, &over_one, &[("100", "")])).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("JustificationRequired"), "{e}");
        // Milestones must sum to exactly 100.
        let (status, e) = save_contract(&finance, project, &contract_form("social_work_services", "visits", "100000", &start, &one_year, &[("30", ""), ("69.99", bands)])).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("99.99"), "{e}");
        // Posts may not be bought under a services contract.
        let (status, e) = save_contract(&finance, project, &contract_form("social_work_services", "assistant_posts", "100000", &start, &one_year, &[("100", "")])).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("ItemNotInTemplate"), "{e}");
        // A good draft: 30% on acceptance, 70% by score band.
        let (status, id) = save_contract(&finance, project, &contract_form("social_work_services", "visits", "100000", &start, &one_year, &[("30", ""), ("70", bands)])).await;
        assert_eq!(status, 200, "{id}");
        let id = id.as_i64().expect("contract id");
        // A draft cannot be signed: it must be approved first, by someone else.
        assert_eq!(step(&finance, id, 1, json!({ "Sign": { "on": start } })).await.0, 422);
        assert_eq!(step(&finance, id, 1, json!("Submit")).await.0, 200);
        let (status, inbox) = finance.call("decide_approval", &[("id", "0"), ("version", "1"), ("decision", "Approve"), ("reason", "x")]).await;
        assert_eq!(status, 403, "{inbox}");
        approve_latest(&approver, "Contract", None).await.expect("approved");
        let ms = format!("SELECT id FROM contract_milestones WHERE contract_id = {id}");
        let committed = |server: &Server| fen_sum(server, &format!("SELECT COALESCE(SUM(committed_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ms})"));
        assert_eq!(committed(&server), 10_000_000);
        let d = detail(&finance, id).await;
        let v = d["contract"]["version"].as_i64().expect("version");
        assert_eq!(step(&finance, id, v, json!({ "Sign": { "on": start } })).await.0, 200);
        assert_eq!(step(&finance, id, v + 1, json!({ "Start": { "on": start } })).await.0, 200);
        let d = detail(&finance, id).await;
        let m1 = d["milestones"][0]["id"].as_i64().expect("m1").to_string();
        let m2 = d["milestones"][1]["id"].as_i64().expect("m2").to_string();
        let on = today.to_string();
        // No payment before acceptance; a banded milestone needs a score.
        let (status, e) = finance.call("request_milestone_payment", &[("milestone_id", &m1), ("pay_on", &on)]).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("NotAccepted"), "{e}");
        let (status, e) = finance.call("accept_milestone", &[("milestone_id", &m2), ("accepted_on", &on), ("score", ""), ("note", "")]).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("ScoreRequired"), "{e}");
        // Accepted but not yet approved: still not payable.
        assert_eq!(finance.call("accept_milestone", &[("milestone_id", &m1), ("accepted_on", &on), ("score", ""), ("note", "方案确认")]).await.0, 200);
        assert_eq!(finance.call("request_milestone_payment", &[("milestone_id", &m1), ("pay_on", &on)]).await.0, 422);
        approve_latest(&approver, "MilestoneAcceptance", None).await.expect("accepted");
        assert_eq!(finance.call("request_milestone_payment", &[("milestone_id", &m1), ("pay_on", &on)]).await.0, 200);
        // Not twice.
        let (status, e) = finance.call("request_milestone_payment", &[("milestone_id", &m1), ("pay_on", &on)]).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("AlreadyPaid"), "{e}");
        approve_latest(&approver, "ContractPayment", None).await.expect("paid");
        // Milestone 2 scored 72: band 60–80 pays 80% of 70,000.
        assert_eq!(finance.call("accept_milestone", &[("milestone_id", &m2), ("accepted_on", &on), ("score", "72"), ("note", "中期评估")]).await.0, 200);
        approve_latest(&approver, "MilestoneAcceptance", None).await.expect("accepted");
        assert_eq!(finance.call("request_milestone_payment", &[("milestone_id", &m2), ("pay_on", &on)]).await.0, 200);
        approve_latest(&approver, "ContractPayment", None).await.expect("paid");
        let d = detail(&finance, id).await;
        assert_eq!(amount(&d["milestones"][1]["payment"][0]), 56_000.0);
        assert_eq!(d["milestones"][1]["payment"][1], "0.8");
        assert_eq!(amount(&d["paid"]), 86_000.0);
        // What the low score did not earn is no longer committed.
        assert_eq!(committed(&server), 0);
        let paid = fen_sum(&server, &format!("SELECT COALESCE(SUM(paid_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ms})"));
        assert_eq!(paid, 8_600_000);
        // Every milestone paid: final acceptance.
        let v = d["contract"]["version"].as_i64().expect("version");
        assert_eq!(step(&finance, id, v, json!({ "Finish": { "on": on } })).await.0, 200);
        assert_eq!(detail(&finance, id).await["contract"]["status"], "Accepted");
    }

    async fn amendments_are_numbered_and_termination_releases_the_money(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let o = overview(&finance).await;
        let posts = contract_id(&o, "HT-", "AssistantPosts");
        let d = detail(&finance, posts).await;
        let end = d["contract"]["current_end_on"].as_str().expect("end").to_owned();
        // An amendment needs a reason and a change.
        let (status, e) = finance.call("propose_amendment", &[("contract_id", &posts.to_string()), ("reason", ""), ("amount", "230000"), ("end_on", ""), ("term_justification", ""), ("other_changes", "")]).await;
        assert_eq!(status, 422, "{e}");
        let (status, e) = finance.call("propose_amendment", &[("contract_id", &posts.to_string()), ("reason", "增加1个岗位"), ("amount", "270000"), ("end_on", ""), ("term_justification", ""), ("other_changes", "")]).await;
        assert_eq!(status, 200, "{e}");
        // One open amendment at a time.
        let (status, _) = finance.call("propose_amendment", &[("contract_id", &posts.to_string()), ("reason", "再改"), ("amount", "280000"), ("end_on", ""), ("term_justification", ""), ("other_changes", "")]).await;
        assert_eq!(status, 422);
        approve_latest(&approver, "ContractAmendment", None).await.expect("approved");
        let (status, e) = finance.call("propose_amendment", &[("contract_id", &posts.to_string()), ("reason", "服务地点调整"), ("amount", ""), ("end_on", &end), ("term_justification", ""), ("other_changes", "服务地点调整为双河镇便民服务中心")]).await;
        assert_eq!(status, 200, "{e}");
        approve_latest(&approver, "ContractAmendment", None).await.expect("approved");
        let d = detail(&finance, posts).await;
        let numbers: Vec<i64> = d["amendments"].as_array().expect("amendments").iter().filter_map(|a| a["number"].as_i64()).collect();
        assert_eq!(numbers, [1, 2]);
        assert_eq!(amount(&d["contract"]["amount"]), 216_000.0, "the original stays");
        assert_eq!(amount(&d["contract"]["current_amount"]), 270_000.0);
        let ms = format!("SELECT id FROM contract_milestones WHERE contract_id = {posts}");
        let committed = || fen_sum(&server, &format!("SELECT COALESCE(SUM(committed_fen), 0) FROM budget_entries WHERE ref_entity = 'contract_milestones' AND ref_id IN ({ms})"));
        assert_eq!(committed(), 27_000_000);
        // Terminated with a reason: nothing stays committed.
        let v = d["contract"]["version"].as_i64().expect("version");
        let today = china_today().to_string();
        assert_eq!(step(&finance, posts, v, json!({ "Terminate": { "on": today, "reason": "" } })).await.0, 422);
        assert_eq!(step(&finance, posts, v, json!({ "Terminate": { "on": today, "reason": "承接方无法按期派驻人员" } })).await.0, 200);
        assert_eq!(committed(), 0);
        assert_eq!(detail(&finance, posts).await["contract"]["status"], "Terminated");
    }

    async fn api_v1_shows_each_role_its_own_contracts(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let all: Value = finance.get("/api/v1/contracts").await.json().await.expect("json");
        let n = all["contracts"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(n, 4, "{all}");
        // The provider sees its own organisation's contracts only.
        let provider = Client::demo(&server, "provider").await;
        let mine: Value = provider.get("/api/v1/contracts").await.json().await.expect("json");
        let mine = mine["contracts"].as_array().expect("contracts").clone();
        assert!(!mine.is_empty());
        let me: Value = provider.get("/api/v1/me").await.json().await.expect("json");
        assert!(mine.iter().all(|c| c["supplier_id"] == me["supplier_id"]), "{mine:?}");
        let others: Vec<i64> = all["contracts"].as_array().expect("c").iter().filter(|c| c["supplier_id"] != me["supplier_id"]).filter_map(|c| c["id"].as_i64()).collect();
        for id in &others {
            assert_eq!(provider.get(&format!("/api/v1/contracts/{id}")).await.status(), 404);
            assert_eq!(provider.get(&format!("/files/contracts/{id}/contract.pdf")).await.status(), 404);
            assert_eq!(provider.call("contract_detail", &[("id", &id.to_string())]).await.0, 404);
        }
        let suppliers: Value = provider.get("/api/v1/suppliers").await.json().await.expect("json");
        assert_eq!(suppliers["suppliers"].as_array().map(Vec::len), Some(1));
        // A town sees its own town's projects and contracts.
        let town: Value = Client::demo(&server, "town.binjiang").await.get("/api/v1/procurement/projects").await.json().await.expect("json");
        let titles: Vec<&str> = town["projects"].as_array().expect("p").iter().filter_map(|p| p["project"]["title"].as_str()).collect();
        assert_eq!(titles.len(), 1, "{titles:?}");
        assert!(titles[0].contains("镇街购买"));
        let other: Value = Client::demo(&server, "town.shuanghe").await.get("/api/v1/contracts").await.json().await.expect("json");
        assert!(other["contracts"].as_array().expect("c").iter().all(|c| c["title"] != town["projects"][0]["project"]["title"]));
        // Writes are finance's.
        let approver = Client::demo(&server, "approver").await;
        assert_eq!(approver.call("add_bid", &[("project_id", "1"), ("supplier_id", "1"), ("amount", "1"), ("received_on", "2026-01-01"), ("note", "")]).await.0, 403);
        // And the OpenAPI document describes the new endpoints.
        let doc: Value = finance.get("/api/v1/openapi.json").await.json().await.expect("json");
        for path in ["/api/v1/suppliers", "/api/v1/procurement/projects", "/api/v1/contracts", "/api/v1/contracts/{id}", "/api/v1/ocds/release-package"] {
            assert!(doc["paths"][path].is_object(), "{path} missing from openapi.json");
        }
    }
}

both_backends! {
    async fn the_ocds_package_is_valid_against_the_official_schema(backend: Backend) {
        let server = Server::start(backend);
        let anonymous = Client::anonymous(&server);
        let res = anonymous.get("/api/v1/ocds/release-package").await;
        assert_eq!(res.status(), 200);
        let package: Value = res.json().await.expect("json");
        let errors = ocds_errors(&package);
        assert!(errors.is_empty(), "{} schema errors:\n{}", errors.len(), errors.join("\n"));
        let releases = package["releases"].as_array().expect("releases");
        assert_eq!(releases.len(), 4);
        // The services contract: its amendment and its payment are there.
        let services = releases.iter().find(|r| r["tag"].as_array().is_some_and(|t| t.contains(&json!("implementation")))).expect("a release with a payment");
        let contract = &services["contracts"][0];
        assert_eq!(contract["value"], json!({ "amount": 360000.0, "currency": "CNY" }));
        assert_eq!(contract["amendments"].as_array().map(Vec::len), Some(1));
        assert_eq!(contract["implementation"]["transactions"][0]["value"]["amount"], 104400.0);
        assert!(services["ocid"].as_str().is_some_and(|o| o.starts_with("ocds-gouzhu-")));
        let supplier = services["parties"].as_array().expect("parties").iter().find(|p| p["roles"].as_array().is_some_and(|r| r.contains(&json!("supplier")))).expect("supplier");
        assert_eq!(supplier["identifier"]["scheme"], "CN-USCC");
        assert_eq!(supplier["identifier"]["id"].as_str().map(str::len), Some(18));
        // Drafts are not published; no bank account is.
        assert!(!package.to_string().contains("6228480100000000011"));
        // The download is the same package.
        let res = anonymous.get("/files/ocds/release-package.json").await;
        assert_eq!(res.status(), 200);
        let download: Value = res.json().await.expect("json");
        assert_eq!(download["releases"].as_array().map(Vec::len), Some(4));
    }
}

/// The schema errors of an OCDS release package, validated against the
/// official 1.1.5 schema kept in `tests/fixtures/ocds-1.1.5/` (the
/// package schema with its releases checked by the dereferenced release
/// schema, so nothing is fetched).
pub(crate) fn ocds_errors(package: &Value) -> Vec<String> {
    let dir = gouzhu_tests::workspace_root().join("tests/fixtures/ocds-1.1.5");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("schema file"))
            .expect("schema JSON")
    };
    let mut schema = read("release-package-schema.json");
    let mut release = read("dereferenced-release-schema.json");
    if let Some(o) = release.as_object_mut() {
        o.remove("id");
        o.remove("$schema");
    }
    schema["properties"]["releases"]["items"] = release;
    let validator =
        jsonschema::draft4::options().should_validate_formats(true).build(&schema).expect("schema compiles");
    validator.iter_errors(package).map(|e| format!("{}: {e}", e.instance_path)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_pdf_names_both_parties_and_the_amount_in_figures_and_capitals() {
    let server = Server::start(Backend::Sqlite);
    let finance = Client::demo(&server, "finance").await;
    let o = overview(&finance).await;
    let services = contract_id(&o, "HT-", "SocialWorkServices");
    let text = pdf_text(&server, &finance, &format!("/files/contracts/{services}/contract.pdf")).await;
    let flat: String = text.split_whitespace().collect();
    for want in [
        "政府购买服务合同",
        "云溪区民政局",
        "云溪区示范社会工作服务中心",
        "52500112MJP100014R",
        "360,000.00",
        "叁拾陆万元整",
        "第1页共",
        "第一条",
        "违约责任",
        "第1号变更",
    ] {
        assert!(flat.contains(want), "{want} missing from the contract:\n{text}");
    }
    // The posts template says it is a service, not labour dispatch.
    let posts = contract_id(&o, "HT-", "AssistantPosts");
    let text = pdf_text(&server, &finance, &format!("/files/contracts/{posts}/contract.pdf")).await;
    let flat: String = text.split_whitespace().collect();
    for want in
        ["专职低保员岗位服务", "不构成劳务派遣", "216,000.00", "贰拾壹万陆仟元整", "重庆汇民社会服务有限公司"]
    {
        assert!(flat.contains(want), "{want} missing from the contract:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_template_gives_typsts_error_with_its_line() {
    // The preview of the shipped templates works, for finance only.
    let server = Server::start(Backend::Sqlite);
    let finance = Client::demo(&server, "finance").await;
    let text =
        pdf_text(&server, &finance, "/files/contract-templates/contract-social-work/preview.pdf").await;
    assert!(text.split_whitespace().collect::<String>().contains("贰拾伍万贰仟元整"), "{text}");
    assert_eq!(
        Client::demo(&server, "provider")
            .await
            .get("/files/contract-templates/contract-social-work/preview.pdf")
            .await
            .status(),
        403
    );
    // An edited template with a mistake on line 3.
    let dir = TempDir::new("templates");
    std::fs::write(
        dir.path().join("contract-social-work.typ"),
        "#let data = json(\"data.json\")\n= 合同\n#data.no_such_field\n",
    )
    .expect("template");
    let out = gouzhu(
        &server.db,
        &[
            "template",
            "preview",
            "contract-social-work",
            "--templates-dir",
            &dir.path().to_string_lossy(),
            "--out",
            &dir.path().join("p.pdf").to_string_lossy(),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    // The running server reads the folder too and answers 422 with the line.
    let edited = Server::start_with(Backend::Sqlite, &["--templates-dir", &dir.path().to_string_lossy()]);
    let finance = Client::demo(&edited, "finance").await;
    let res = finance.get("/files/contract-templates/contract-social-work/preview.pdf").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.expect("text");
    assert!(body.contains("line 3"), "{body}");
    // A template reading another file is refused by the document world:
    // absolute paths, paths climbing out of the folder, every way to load.
    for attempt in [
        "#read(\"/etc/passwd\")",
        "#read(\"../../../../../../etc/passwd\")",
        "#image(\"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\")",
        "#include \"/etc/passwd\"",
        "#import \"../contract-posts.typ\": *",
        "#json(\"/proc/self/environ\")",
    ] {
        std::fs::write(dir.path().join("contract-social-work.typ"), format!("{attempt}\n"))
            .expect("template");
        let res = finance.get("/files/contract-templates/contract-social-work/preview.pdf").await;
        assert_eq!(res.status(), 422, "{attempt}");
        let body = res.text().await.expect("text");
        assert!(!body.contains("root:"), "{attempt}: {body}");
    }
    // Fixed again: the same server renders it without a restart.
    std::fs::write(dir.path().join("contract-social-work.typ"), "= 预览 #json(\"data.json\").number\n")
        .expect("template");
    let text =
        pdf_text(&edited, &finance, "/files/contract-templates/contract-social-work/preview.pdf").await;
    assert!(text.contains("HT-2026-000"), "{text}");
}

/// A supplier named with Typst markup (and a file read) is printed as
/// written: user text reaches Typst as JSON strings, never as markup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_named_with_typst_markup_is_printed_literally() {
    let server = Server::start(Backend::Sqlite);
    let finance = Client::demo(&server, "finance").await;
    let name = "#read(\"/etc/passwd\") *粗体* _斜体_ $x^2$ #set text(red) = 标题 <l> @l";
    let (status, id) = finance
        .call_json("save_supplier", &supplier(name, "91350100M000100Y43", "social_organisation"))
        .await;
    assert_eq!(status, 200, "{id}");
    let supplier_id = id.as_i64().expect("supplier id");
    let ids: Vec<i64> =
        supplier_ids(&finance).await.into_iter().map(|(_, i)| i).filter(|i| *i != supplier_id).collect();
    let project = tendered_project(&finance, "100000", supplier_id, [ids[0], ids[1]]).await;
    let today = china_today();
    let start = (today - chrono::Duration::days(10)).to_string();
    let end = (today + chrono::Duration::days(300)).to_string();
    let form = contract_form("social_work_services", "visits", "100000", &start, &end, &[("100", "")]);
    let (status, contract) = save_contract(&finance, project, &form).await;
    assert_eq!(status, 200, "{contract}");
    let text = pdf_text(&server, &finance, &format!("/files/contracts/{contract}/contract.pdf")).await;
    let flat: String = text.split_whitespace().collect();
    let literal: String = name.split_whitespace().collect();
    assert!(flat.contains(&literal), "the name is not printed as written:\n{text}");
    assert!(!text.contains("root:"), "a file was read:\n{text}");
}

/// The contract pages in Chromium: the list, a contract with its
/// milestones, a draft's form whose sums follow the typing, and its
/// submission for approval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contract_pages_work_in_the_browser() {
    use gouzhu_tests::{Browser, DEMO_PASSWORD};
    let server = Server::start(Backend::Sqlite);
    // A draft to edit (the demo's contracts are all past drafting).
    let finance = Client::demo(&server, "finance").await;
    let ids: Vec<i64> = supplier_ids(&finance).await.into_iter().map(|(_, i)| i).collect();
    let project = tendered_project(&finance, "100000", ids[0], [ids[1], ids[2]]).await;
    let start = (china_today() - chrono::Duration::days(10)).to_string();
    let end = (china_today() + chrono::Duration::days(300)).to_string();
    let (status, e) = save_contract(
        &finance,
        project,
        &contract_form("social_work_services", "visits", "100000", &start, &end, &[("50", ""), ("50", "")]),
    )
    .await;
    assert_eq!(status, 200, "{e}");
    let browser = Browser::new().await;
    browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;
    browser.open_hydrated(&format!("{}/contracts", server.base_url)).await;
    browser.wait_for("#contracts-table tbody tr").await;
    browser.wait_for("#projects-table tbody tr").await;
    browser.wait_for("#project-form").await;
    // The bureau's services contract, drafted first by the demo.
    let performing = browser
        .wait_for("#contracts-table tbody tr[data-contract$='-001']:has([data-status='performing']) a")
        .await;
    let href = performing.attr("href").await.expect("href").expect("a link");
    browser.open_hydrated(&format!("{}{href}", server.base_url)).await;
    browser.wait_for("#milestones-table tbody tr[data-milestone='3']").await;
    assert_eq!(browser.text("#contract-paid").await, "104,400.00");
    browser.wait_for("#amendments-table tr[data-amendment='1']").await;
    // A draft: its form shows the milestones' sum as it is typed.
    browser.open_hydrated(&format!("{}/contracts", server.base_url)).await;
    let draft = browser.wait_for("#contracts-table tbody tr:has([data-status='draft']) a").await;
    let href = draft.attr("href").await.expect("href").expect("a link");
    browser.open_hydrated(&format!("{}{href}", server.base_url)).await;
    browser.wait_for("#contract-form").await;
    assert!(browser.text("#milestones-sum").await.contains("100%"));
    browser
        .js("const el = document.querySelector('#milestones input[name=percent]'); el.value = '60'; el.dispatchEvent(new Event('input', { bubbles: true })); return true;")
        .await;
    for _ in 0..50 {
        if browser.text("#milestones-sum").await.contains("110%") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sum = browser.text("#milestones-sum").await;
    assert!(sum.contains("110%"), "{sum}; console: {:?}", browser.console().await);
    // Saving it as typed is refused with the sum named.
    browser.wait_for("#contract-submit").await.click().await.expect("click");
    // Read by script: the message may be re-rendered while it is read.
    let mut error = String::new();
    for _ in 0..100 {
        let v = browser.js("const e = document.querySelector('#contract-draft .form-error'); return e ? e.textContent : '';").await;
        error = v.as_str().unwrap_or_default().to_owned();
        if !error.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(error.contains("110"), "{error}");
    // Submitted for approval as it was.
    browser.open_hydrated(&format!("{}{href}", server.base_url)).await;
    browser.wait_for("#step-submit").await.click().await.expect("click");
    browser.wait_for("#contract [data-status='pending']").await;
    // The refused save's 422 is logged by the browser; nothing else may be.
    let errors: Vec<String> =
        browser.console_errors().await.into_iter().filter(|e| !e.contains("status of 422")).collect();
    assert!(errors.is_empty(), "{errors:?}");
    browser.close().await;
}
