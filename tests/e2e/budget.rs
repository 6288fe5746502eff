//! Budget on both backends: the demo's budget balances and flags its
//! override; the 1% source is computed and its corrections recorded;
//! ineligible and overrunning money is refused with the source, type and
//! shortfall named, checked on saving and again on approval, and let
//! through only by an approver's audited override; two commitments racing
//! for the last yuan; a town's purchase request; the 5% share; the ledger
//! is append-only and corrected by reversals.

use gouzhu_tests::{Backend, Client, Server};
use serde_json::{Value, json};

async fn summary(client: &Client) -> Value {
    let (status, o) = client.call("budget_summary", &[]).await;
    assert_eq!(status, 200, "{o}");
    o
}

fn amount(v: &Value) -> f64 {
    v.as_str().and_then(|s| s.parse::<f64>().ok()).unwrap_or_else(|| panic!("an amount: {v}"))
}

fn source<'a>(o: &'a Value, name: &str) -> &'a Value {
    o["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("source {name}"))
}

/// Every source's sums, from the database, against what the page shows.
fn assert_ledger_balances(server: &Server, o: &Value) {
    for s in o["sources"].as_array().expect("sources") {
        let id = s["id"].as_i64().expect("id");
        let sums = server.db.query(&format!(
            "SELECT COALESCE(SUM(allocated_fen), 0) || ',' || COALESCE(SUM(committed_fen), 0) || ',' || COALESCE(SUM(paid_fen), 0) FROM budget_entries WHERE source_id = {id}"
        ));
        let fen: Vec<f64> = sums.split(',').map(|x| x.parse::<f64>().expect("fen") / 100.0).collect();
        let b = &s["balance"];
        assert_eq!(
            fen,
            vec![amount(&b["allocated"]), amount(&b["committed"]), amount(&b["paid"])],
            "source {id}"
        );
        // The allocation equals the source's amount: corrections are
        // entries too.
        assert!((fen[0] - amount(&s["amount"])).abs() < 0.001, "source {id} allocation");
        // Money is never committed or paid twice: what payments took off
        // commitments is exactly what was paid against them.
        let moved = server.db.query(&format!(
            "SELECT COALESCE(SUM(committed_fen + paid_fen), 0) FROM budget_entries WHERE source_id = {id} AND kind = 'payment' AND commitment_id IS NOT NULL"
        ));
        assert_eq!(moved, "0", "source {id}");
    }
}

/// Finance adds a source of `kind` with `amount` (the base for the 1%
/// source) proposing `eligible`; the approver approves the proposal.
/// Returns the source id.
async fn add_source(
    finance: &Client,
    approver: &Client,
    kind: &str,
    name: &str,
    amount: &str,
    eligible: &[&str],
) -> i64 {
    let (status, id) = finance
        .call_json(
            "create_budget_source",
            &json!({ "input": {
                "year": 2026, "kind": kind, "name": name, "town_id": null, "amount": amount,
                "doc_no": "测试〔2026〕1号", "doc_date": "2026-03-01", "eligible": eligible,
            }}),
        )
        .await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_i64().expect("source id");
    if !eligible.is_empty() {
        approve_latest(approver, "BudgetEligibility", None).await.expect("eligibility approved");
    }
    id
}

/// Approves the newest pending item of `kind`; the error body on refusal.
pub(crate) async fn approve_latest(
    approver: &Client,
    kind: &str,
    override_funds: Option<&str>,
) -> Result<(), (u16, Value)> {
    let (status, inbox) = approver.call("list_approvals", &[]).await;
    assert_eq!(status, 200);
    let item = inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["kind"] == kind && i["status"] == "Pending")
        .max_by_key(|i| i["id"].as_i64())
        .unwrap_or_else(|| panic!("a pending {kind}"))
        .clone();
    decide(approver, &item, override_funds).await
}

pub(crate) async fn decide(
    approver: &Client,
    item: &Value,
    override_funds: Option<&str>,
) -> Result<(), (u16, Value)> {
    let id = item["id"].as_i64().expect("id").to_string();
    let version = item["version"].as_i64().expect("version").to_string();
    let mut fields =
        vec![("id", id.as_str()), ("version", version.as_str()), ("decision", "Approve"), ("reason", "同意")];
    if let Some(o) = override_funds {
        fields.push(("override_funds", o));
    }
    let (status, e) = approver.call("decide_approval", &fields).await;
    if status == 200 { Ok(()) } else { Err((status.as_u16(), e)) }
}

async fn request(
    client: &Client,
    source_id: i64,
    cost_type: &str,
    amount: &str,
    override_request: &str,
) -> (u16, Value) {
    let (status, v) = client
        .call_json("submit_budget_request", &json!({ "input": {
            "source_id": source_id, "cost_type": cost_type, "town_id": null, "title": "测试支出",
            "purpose": "测试", "amount": amount, "date": "2026-06-01", "override_request": override_request,
        }}))
        .await;
    (status.as_u16(), v)
}

both_backends! {
    async fn the_demo_budget_balances_and_flags_its_override(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let o = summary(&finance).await;
        assert_eq!(o["year"], 2026);
        assert_eq!(o["sources"].as_array().expect("sources").len(), 6);
        // The 1% source: entered with a wrong base, corrected.
        let one = source(&o, "上年市级社会救助专项资金总数的1%");
        assert_eq!(one["kind"], "CityOnePercent");
        assert_eq!((amount(&one["base"]), amount(&one["amount"])), (420_000_000.0, 4_200_000.0));
        let (status, d) = finance.call("budget_source", &[("id", &one["id"].to_string()), ("page", "0")]).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(d["corrections"].as_array().expect("corrections").len(), 1);
        assert_eq!(amount(&d["corrections"][0]["old_amount"]), 4_185_000.0);
        assert_ledger_balances(&server, &o);
        // The payroll runs are committed from the budget: every approved
        // run's gross pay and employer contributions.
        let committed_pay: f64 = server
            .db
            .query("SELECT COALESCE(SUM(committed_fen), 0) FROM budget_entries WHERE kind = 'commitment' AND cost_type = 'assistant_pay'")
            .parse::<f64>()
            .expect("fen");
        let gross: f64 = server
            .db
            .query("SELECT COALESCE(SUM(gross_fen), 0) FROM payroll_runs WHERE status IN ('approved', 'paid')")
            .parse::<f64>()
            .expect("fen");
        assert!(gross > 0.0);
        assert_eq!(committed_pay, gross);
        // Paid runs are paid: only the last (approved) run stays committed.
        let checks = &o["checks"];
        let unpaid: Vec<&Value> = checks["unpaid"].as_array().expect("unpaid").iter().collect();
        assert!(unpaid.iter().any(|u| u["entry"]["reference"].as_str().is_some_and(|r| r.starts_with("payroll_runs:"))));
        // One overridden overrun, flagged with its reason and audited.
        let overrides = checks["overrides"].as_array().expect("overrides");
        assert_eq!(overrides.len(), 1, "{overrides:?}");
        assert!(overrides[0]["override_reason"].as_str().expect("reason").contains("局务会"));
        assert_eq!(server.db.query("SELECT count(*) FROM audit_log WHERE action = 'override'"), "1");
        let other = source(&o, "福利彩票公益金（社会救助类）");
        assert_eq!(amount(&other["balance"]["allocated"]) - amount(&other["balance"]["committed"]) - amount(&other["balance"]["paid"]), -130_000.0);
        // Contracts and town purchases are social-work spending: the
        // bureau's two contracts (360,000 as amended and 216,000) and the
        // towns' contracts for their purchases (145,000 and 58,000, which
        // replaced the requests' 150,000 and 60,000), 779,000 against 5%
        // of 60 million, is not met.
        assert_eq!(checks["share"]["met"], false);
        assert_eq!(amount(&checks["share"]["social_work"]), 779_000.0);
        assert_eq!(amount(&checks["share"]["required"]), 3_000_000.0);
        assert_eq!(checks["execution"].as_array().expect("execution").len(), 12);
        // Town users see their town's own funds only, without the checks.
        let town = Client::demo(&server, "town.binjiang").await;
        let t = summary(&town).await;
        assert_eq!(t["sources"].as_array().expect("sources").len(), 1);
        assert!(t["checks"].is_null());
        let other_town = Client::demo(&server, "town.shuanghe").await;
        let theirs = summary(&other_town).await;
        assert_eq!(theirs["sources"].as_array().expect("sources").len(), 1);
        assert_ne!(theirs["sources"][0]["id"], t["sources"][0]["id"]);
        let (status, _) = other_town.call("budget_source", &[("id", &t["sources"][0]["id"].to_string()), ("page", "0")]).await;
        assert_eq!(status, 404, "another town's source");
        // Inspectors and the administrator do not see money.
        let inspector = Client::demo(&server, "inspector").await;
        assert_eq!(inspector.call("budget_summary", &[]).await.0, 403);
    }

    async fn one_percent_is_computed_and_corrections_are_recorded(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let id = add_source(&finance, &approver, "CityOnePercent", "测试1%", "123,456,789.50", &[]).await;
        let (status, d) = finance.call("budget_source", &[("id", &id.to_string()), ("page", "0")]).await;
        assert_eq!(status, 200);
        assert_eq!(d["source"]["amount"], "1234567.90", "1% rounded half up to the fen");
        let version = d["source"]["version"].to_string();
        let (status, e) = finance.call("correct_budget_base", &[("source_id", &id.to_string()), ("version", &version), ("base", "100000000"), ("reason", " ")]).await;
        assert_eq!((status.as_u16(), e["Budget"].as_str()), (422, Some("ReasonRequired")));
        let (status, e) = finance.call("correct_budget_base", &[("source_id", &id.to_string()), ("version", &version), ("base", "100000000"), ("reason", "市级决算数更正")]).await;
        assert_eq!(status, 200, "{e}");
        let (_, d) = finance.call("budget_source", &[("id", &id.to_string()), ("page", "0")]).await;
        assert_eq!(d["source"]["amount"], "1000000.00");
        assert_eq!(d["corrections"][0]["reason"], "市级决算数更正");
        assert_eq!(server.db.query(&format!("SELECT SUM(allocated_fen) FROM budget_entries WHERE source_id = {id}")), "100000000");
        // The stale version is refused; a typed amount for the 1% source
        // is ignored in favour of its base.
        let (status, _) = finance.call("correct_budget_base", &[("source_id", &id.to_string()), ("version", &version), ("base", "200000000"), ("reason", "x")]).await;
        assert_eq!(status, 409);
        assert_eq!(server.db.query(&format!("SELECT count(*) FROM audit_log WHERE entity = 'budget_sources' AND entity_id = '{id}' AND action = 'correct_base'")), "1");
    }

    async fn refusals_name_the_source_and_only_an_approver_overrides(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let id = add_source(&finance, &approver, "Other", "测试培训经费", "1000", &["Training"]).await;
        // Of a type the source may not pay.
        let (status, e) = request(&finance, id, "Other", "10", "").await;
        assert_eq!(status, 422);
        assert_eq!(e["Budget"]["Funds"]["NotEligible"]["source"], "测试培训经费", "{e}");
        assert_eq!(e["Budget"]["Funds"]["NotEligible"]["cost_type"], "Other");
        // Beyond what is available: the shortfall is named.
        let (status, e) = request(&finance, id, "Training", "1000.01", "").await;
        assert_eq!(status, 422);
        let s = &e["Budget"]["Funds"]["Shortfall"];
        assert_eq!((s["available"].as_str(), s["requested"].as_str()), (Some("1000.00"), Some("1000.01")), "{e}");
        // Within: saved, then committed on approval.
        assert_eq!(request(&finance, id, "Training", "600", "").await.0, 200);
        approve_latest(&approver, "BudgetRequest", None).await.expect("approved");
        // A second 600 goes only with the maker's case, and is refused
        // again on approval unless the approver overrides with a reason.
        assert_eq!(request(&finance, id, "Training", "600", "").await.0, 422);
        assert_eq!(request(&finance, id, "Training", "600", "紧急培训任务").await.0, 200);
        let (status, e) = approve_latest(&approver, "BudgetRequest", None).await.expect_err("refused on approval");
        assert_eq!(status, 422);
        assert_eq!(e["Budget"]["Funds"]["Shortfall"]["available"], "400.00", "{e}");
        approve_latest(&approver, "BudgetRequest", Some("市级紧急部署，下年度调剂")).await.expect("overridden");
        assert_eq!(
            server.db.query(&format!("SELECT override_reason FROM budget_entries WHERE source_id = {id} AND override_reason IS NOT NULL")),
            "市级紧急部署，下年度调剂"
        );
        assert_eq!(server.db.query("SELECT count(*) FROM audit_log WHERE action = 'override'"), "2", "the demo's and this one");
        // Finance cannot decide; town users cannot spend district money.
        let town = Client::demo(&server, "town.binjiang").await;
        let (status, e) = request(&town, id, "Training", "1", "").await;
        assert_eq!((status, e["Budget"].as_str()), (422, Some("NotTownSource")));
        let o = summary(&finance).await;
        assert_ledger_balances(&server, &o);
    }

    async fn two_commitments_race_for_the_last_yuan(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let id = add_source(&finance, &approver, "Other", "测试竞争", "1000", &["Training"]).await;
        for _ in 0..2 {
            assert_eq!(request(&finance, id, "Training", "600", "").await.0, 200);
        }
        let (_, inbox) = approver.call("list_approvals", &[]).await;
        let items: Vec<Value> = inbox["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["kind"] == "BudgetRequest" && i["status"] == "Pending")
            .cloned()
            .collect();
        assert_eq!(items.len(), 2);
        let (a, b) = tokio::join!(decide(&approver, &items[0], None), decide(&approver, &items[1], None));
        let results = [a, b];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).expect("one refused");
        assert_eq!(loser.0, 422);
        assert_eq!(loser.1["Budget"]["Funds"]["Shortfall"]["available"], "400.00", "{:?}", loser.1);
        assert_eq!(server.db.query(&format!("SELECT SUM(committed_fen) FROM budget_entries WHERE source_id = {id}")), "60000");
    }

    async fn a_town_buys_from_its_own_funds_with_the_districts_approval(backend: Backend) {
        let server = Server::start(backend);
        let town = Client::demo(&server, "town.binjiang").await;
        let approver = Client::demo(&server, "approver").await;
        let (status, page) = town.call("budget_requests", &[]).await;
        assert_eq!(status, 200, "{page}");
        let own = page["choices"][0]["id"].as_i64().expect("the town's own source");
        assert_eq!(page["choices"].as_array().expect("choices").len(), 1);
        let (status, e) = town
            .call_json("submit_budget_request", &json!({ "input": {
                "source_id": own, "cost_type": "Training", "town_id": null, "title": "困境儿童关爱服务",
                "purpose": "", "amount": "20000", "date": "2026-07-01", "override_request": "",
            }}))
            .await;
        assert_eq!((status.as_u16(), e["Budget"].as_str()), (422, Some("ReasonRequired")), "a purchase says why");
        let (status, rid) = town
            .call_json("submit_budget_request", &json!({ "input": {
                "source_id": own, "cost_type": "Training", "town_id": 1, "title": "困境儿童关爱服务",
                "purpose": "辖区困境儿童每月走访", "amount": "20000", "date": "2026-07-01", "override_request": "",
            }}))
            .await;
        assert_eq!(status, 200, "{rid}");
        let rid = rid.as_i64().expect("request id");
        // Bought as a service contract, for the town's own town.
        assert_eq!(server.db.query(&format!("SELECT kind || ',' || cost_type FROM budget_requests WHERE id = {rid}")), "town_purchase,contract_payment");
        // Not approved yet: no commitment; another town does not see it.
        assert_eq!(server.db.query(&format!("SELECT status FROM budget_requests WHERE id = {rid}")), "submitted");
        let other = Client::demo(&server, "town.shuanghe").await;
        let (_, p) = other.call("budget_requests", &[]).await;
        assert!(p["requests"].as_array().expect("requests").iter().all(|r| r["id"] != rid));
        approve_latest(&approver, "BudgetRequest", None).await.expect("approved");
        assert_eq!(server.db.query(&format!("SELECT status FROM budget_requests WHERE id = {rid}")), "approved");
        let (_, p) = town.call("budget_requests", &[]).await;
        let r = p["requests"].as_array().expect("requests").iter().find(|r| r["id"] == rid).expect("the request").clone();
        assert_eq!((r["status"].as_str(), r["outstanding"].as_str()), (Some("Approved"), Some("20000.00")));
        // The town cannot pay; finance pays.
        assert_eq!(town.call("pay_budget_request", &[("request_id", &rid.to_string()), ("amount", "")]).await.0, 403);
        let finance = Client::demo(&server, "finance").await;
        let (status, e) = finance.call("pay_budget_request", &[("request_id", &rid.to_string()), ("amount", "20000.01")]).await;
        assert_eq!((status.as_u16(), e["Budget"].as_str()), (422, Some("MoreThanCommitted")));
        assert_eq!(finance.call("pay_budget_request", &[("request_id", &rid.to_string()), ("amount", "")]).await.0, 200);
        assert_ledger_balances(&server, &summary(&finance).await);
    }

    async fn the_social_work_share_and_reversals(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        // The demo's 779,000 of contracts is exactly 5% of 15.58
        // million...
        assert_eq!(finance.call("record_fiscal_year", &[("year", "2026"), ("assistance_funds", "15580000")]).await.0, 200);
        let o = summary(&finance).await;
        assert_eq!(o["checks"]["share"]["met"], true);
        assert_eq!(amount(&o["checks"]["share"]["share_percent"]), 5.0);
        // ...and short of 5% of a yuan more.
        assert_eq!(finance.call("record_fiscal_year", &[("year", "2026"), ("assistance_funds", "15580000.20")]).await.0, 200);
        assert_eq!(summary(&finance).await["checks"]["share"]["met"], false);
        // The ledger cannot be edited, even by hand.
        assert!(server.db.try_query("UPDATE budget_entries SET paid_fen = 0").is_err());
        assert!(server.db.try_query("DELETE FROM budget_entries").is_err());
        // A payment is corrected by a reversal, once.
        let payment = server.db.query("SELECT MIN(id) FROM budget_entries WHERE kind = 'payment'");
        let before = server.db.query("SELECT SUM(paid_fen) FROM budget_entries");
        let (status, e) = finance.call("reverse_budget_entry", &[("entry_id", &payment), ("reason", "")]).await;
        assert_eq!((status.as_u16(), e["Budget"].as_str()), (422, Some("ReasonRequired")));
        let (status, e) = finance.call("reverse_budget_entry", &[("entry_id", &payment), ("reason", "重复支付，冲回")]).await;
        assert_eq!(status, 200, "{e}");
        let (status, e) = finance.call("reverse_budget_entry", &[("entry_id", &payment), ("reason", "again")]).await;
        assert_eq!((status.as_u16(), e["Budget"].as_str()), (422, Some("NotReversible")));
        let paid: i64 = server.db.query(&format!("SELECT paid_fen FROM budget_entries WHERE id = {payment}")).parse().expect("fen");
        let after: i64 = server.db.query("SELECT SUM(paid_fen) FROM budget_entries").parse().expect("fen");
        assert_eq!(after, before.parse::<i64>().expect("fen") - paid);
        assert_ledger_balances(&server, &summary(&finance).await);
        let approver = Client::demo(&server, "approver").await;
        assert_eq!(approver.call("reverse_budget_entry", &[("entry_id", &payment), ("reason", "x")]).await.0, 403);
    }
}

/// The budget pages in Chromium: the sources with their balances, the
/// rule checks with the execution chart, a source's ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_pages_work_in_the_browser() {
    use gouzhu_tests::{Browser, DEMO_PASSWORD};
    let server = Server::start(Backend::Sqlite);
    let browser = Browser::new().await;
    browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;
    browser.open_hydrated(&format!("{}/budget", server.base_url)).await;
    browser.wait_for("#sources-table tbody tr").await;
    assert_eq!(browser.text("#share-status").await, "未达标");
    browser.wait_for("#execution-chart rect").await;
    browser.wait_for("#overrides-table tbody tr").await;
    let link = browser.wait_for("#sources-table tbody tr:nth-child(2) a").await;
    let href = link.attr("href").await.expect("href").expect("a link");
    browser.open_hydrated(&format!("{}{href}", server.base_url)).await;
    browser.wait_for("#corrections li").await;
    browser.wait_for("#ledger tbody tr").await;
    assert_eq!(browser.text("#source-base").await, "420,000,000.00");
    browser.open_hydrated(&format!("{}/budget/requests", server.base_url)).await;
    browser.wait_for("#requests-table tbody tr").await;
    browser.wait_for("#request-form").await;
}

both_backends! {
    async fn the_api_reads_the_budget_in_scope(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let get = |client: &Client, path: String| {
            let client = client.clone();
            async move {
                let res = client.get(&path).await;
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (status, v) = get(&finance, "/api/v1/budget/sources".into()).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["sources"].as_array().expect("sources").len(), 6);
        let (status, v) = get(&finance, "/api/v1/budget/balances".into()).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["totals"]["allocated"], "14300000.00");
        let rows = v["balances"].as_array().expect("balances");
        let available: f64 = rows.iter().map(|r| amount(&r["available"])).sum();
        assert!((available - amount(&v["totals"]["available"])).abs() < 0.001);
        // At a date: on 16 January only the district's own funds were
        // allocated (the others' documents are later) and nothing spent.
        let (_, v) = get(&finance, "/api/v1/budget/balances?as_of=2026-01-16".into()).await;
        assert_eq!((v["totals"]["allocated"].as_str(), v["totals"]["committed"].as_str()), (Some("3500000.00"), Some("0.00")), "{v}");
        // For one town: the district's spending there and its own funds.
        let (status, v) = get(&finance, "/api/v1/budget/balances?town=001".into()).await;
        assert_eq!(status, 200, "{v}");
        assert!(amount(&v["totals"]["committed"]) > 0.0);
        // Entries, paged, all of them counted.
        let (status, v) = get(&finance, "/api/v1/budget/entries?limit=5".into()).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["entries"].as_array().expect("entries").len(), 5);
        assert_eq!(v["total"].to_string(), server.db.query("SELECT count(*) FROM budget_entries"));
        assert_eq!(get(&finance, "/api/v1/budget/entries?limit=0".into()).await.0, 400);
        // A town user: their own funds, their town's entries; not another
        // town's; unknown towns are 404.
        let town = Client::demo(&server, "town.binjiang").await;
        let (_, v) = get(&town, "/api/v1/budget/sources".into()).await;
        assert_eq!(v["sources"].as_array().expect("sources").len(), 1);
        let (_, v) = get(&town, "/api/v1/budget/entries?limit=5000".into()).await;
        let town_id = server.db.query("SELECT town_id FROM users WHERE username = 'town.binjiang'");
        let own = server.db.query(&format!("SELECT id FROM budget_sources WHERE town_id = {town_id}"));
        for e in v["entries"].as_array().expect("entries") {
            let for_town = e["town"].is_array();
            assert!(for_town || e["source_id"].as_i64() == own.parse::<i64>().ok(), "{e}");
        }
        assert_eq!(get(&town, "/api/v1/budget/balances?town=011".into()).await.0, 403);
        assert_eq!(get(&town, "/api/v1/budget/balances?town=999".into()).await.0, 404);
        let inspector = Client::demo(&server, "inspector").await;
        assert_eq!(get(&inspector, "/api/v1/budget/sources".into()).await.0, 403);
        // Documented.
        let (_, doc) = get(&finance, "/api/v1/openapi.json".into()).await;
        for p in ["/api/v1/budget/sources", "/api/v1/budget/balances", "/api/v1/budget/entries"] {
            assert!(doc["paths"][p]["get"].is_object(), "{p} documented");
        }
    }

    async fn source_documents_are_kept_by_content(backend: Backend) {
        use reqwest::multipart::{Form, Part};
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let upload = |client: &Client, bytes: Vec<u8>, name: &'static str| {
            let client = client.clone();
            async move {
                let form = Form::new().part("file", Part::bytes(bytes).file_name(name));
                let res = client.post_multipart("/files/budget/sources/1/attachments", form).await;
                (res.status().as_u16(), res.text().await.unwrap_or_default())
            }
        };
        let pdf = b"%PDF-1.4\n% a scanned document\n".to_vec();
        let (status, body) = upload(&finance, pdf.clone(), "../../etc/渝财社〔2026〕18号.pdf").await;
        assert_eq!(status, 303, "{body}");
        // Refused: a text file named .pdf, an empty file.
        let (status, body) = upload(&finance, b"<html>not a pdf</html>".to_vec(), "fake.pdf").await;
        assert_eq!(status, 415, "{body}");
        assert!(body.contains("PDF"), "{body}");
        assert_eq!(upload(&finance, Vec::new(), "empty.pdf").await.0, 400);
        let (status, d) = finance.call("budget_source", &[("id", "1"), ("page", "0")]).await;
        assert_eq!(status, 200);
        let files = d["attachments"].as_array().expect("attachments");
        assert_eq!(files.len(), 1, "{d}");
        assert_eq!(files[0]["file_name"], "渝财社〔2026〕18号.pdf", "the path dropped, the name kept");
        let id = files[0]["id"].to_string();
        let res = finance.get(&format!("/files/budget/attachments/{id}")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.bytes().await.expect("body").to_vec(), pdf);
        // Towns neither upload nor read the district's documents.
        let town = Client::demo(&server, "town.binjiang").await;
        assert_eq!(upload(&town, b"%PDF-1.4".to_vec(), "x.pdf").await.0, 403);
        assert_eq!(town.get(&format!("/files/budget/attachments/{id}")).await.status(), 404);
        assert_eq!(server.db.query("SELECT count(*) FROM audit_log WHERE action = 'attach'"), "1");
    }
}

/// The execution report as PDF (text extracted) and .xlsx: the sources,
/// the totals, the total paid in capitals, the checks and the override.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_execution_report_as_pdf_and_xlsx() {
    use calamine::{Data, Reader, Xlsx};
    let server = Server::start(Backend::Sqlite);
    let finance = Client::demo(&server, "finance").await;
    let text = crate::documents::pdf_text(&server, &finance, "/files/budget/2026/execution.pdf").await;
    for needle in [
        "预算执行情况",
        "上级下拨社会救助专项资金",
        "福利彩票公益金（社会救助类）",
        "14,300,000.00",
        "已支付合计（大写）",
        "社会工作服务占比",
        "特批突破",
        "局务会",
    ] {
        assert!(text.contains(needle), "{needle} in:\n{text}");
    }
    assert!(text.replace(' ', "").contains("第1页共2页"), "page numbers in:\n{text}");
    let res = finance.get("/files/budget/2026/execution.xlsx").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("body").to_vec();
    // The monthly execution has a native chart.
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("a zip");
    assert!(
        zip.file_names().any(|n| n.is_ok_and(|n| n.starts_with("xl/charts/chart"))),
        "a chart in the workbook"
    );
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let names = book.sheet_names();
    assert_eq!(names.len(), 5, "{names:?}");
    let sources = book.worksheet_range(&names[0]).expect("sources sheet");
    let total = sources
        .rows()
        .find(|r| r.first().is_some_and(|c| matches!(c, Data::String(s) if s == "合计")))
        .expect("a total row");
    assert_eq!(total[2], Data::Float(14_300_000.0));
    // Bureau only: a town user's request is refused.
    let town = Client::demo(&server, "town.binjiang").await;
    assert_eq!(town.get("/files/budget/2026/execution.pdf").await.status(), 403);
}
