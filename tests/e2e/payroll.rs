//! Payroll on both backends: the demo's approved runs, a new month's run
//! refused while scores are missing (naming whose), scores kept to the
//! town user's own town, the run computed in the background, maker-checker
//! (the maker cannot approve), immutability of approved runs enforced by
//! the database itself, and a back payment paid in a later run.

use gouzhu_tests::{Backend, Client, Server};
use serde_json::{Value, json};

async fn overview(client: &Client) -> Value {
    let (status, o) = client.call("payroll_overview", &[]).await;
    assert_eq!(status, 200, "{o}");
    o
}

/// The month after `m` (`YYYY-MM`).
pub(crate) fn next_month(m: &str) -> String {
    let (y, mm) = m.split_once('-').expect("month");
    let (y, mm): (i32, u32) = (y.parse().expect("year"), mm.parse().expect("month"));
    if mm == 12 { format!("{}-01", y + 1) } else { format!("{y}-{:02}", mm + 1) }
}

/// The month after the demo's last run, with the five people the demo
/// leaves unscored scored by finance: a month a run can start for.
pub(crate) async fn scored_next_month(finance: &Client) -> String {
    let month = next_month(overview(finance).await["default_month"].as_str().expect("month"));
    let (status, e) = finance.call("start_payroll_run", &[("month", &month)]).await;
    assert_eq!(status, 422, "{e}");
    for m in e["Payroll"]["MissingScores"].as_array().expect("who is missing") {
        let id = m["staff_id"].as_i64().expect("id").to_string();
        let (status, e) = finance
            .call("record_score", &[("staff_id", &id), ("month", &month), ("score", "88"), ("reason", "")])
            .await;
        assert_eq!(status, 200, "{e}");
    }
    month
}

/// Page `page` of a run's lines (the run page's server function).
async fn run_page(
    client: &Client,
    run_id: i64,
    town: Option<i64>,
    page: u32,
) -> (reqwest::StatusCode, Value) {
    client.call_json("payroll_run", &json!({ "run_id": run_id, "town": town, "page": page })).await
}

/// Every line of a run the client may see (through `/api/v1`).
async fn all_lines(client: &Client, run_id: i64) -> Vec<Value> {
    let res = client.get(&format!("/api/v1/payroll/runs/{run_id}?limit=5000")).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["total_lines"].as_u64(), Some(v["lines"].as_array().expect("lines").len() as u64));
    v["lines"].as_array().expect("lines").clone()
}

/// Waits for a run to leave `computing`; returns its first page.
pub(crate) async fn computed(client: &Client, run_id: i64) -> Value {
    for _ in 0..200 {
        let (status, v) = run_page(client, run_id, None, 0).await;
        assert_eq!(status, 200, "{v}");
        if v["run"]["status"] != "computing" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("run {run_id} still computing");
}

fn sum_of(rows: &[Value], field: &str) -> f64 {
    rows.iter().map(|l| l[field].as_str().expect(field).parse::<f64>().expect("amount")).sum()
}

both_backends! {
    async fn the_demo_has_approved_runs_that_cannot_change(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let o = overview(&finance).await;
        let runs = o["runs"].as_array().expect("runs");
        assert!(!runs.is_empty());
        let last = &runs[0];
        assert_eq!(last["month"], o["default_month"]);
        assert_eq!(last["status"], "approved");
        assert!(runs[1..].iter().all(|r| r["status"] == "paid"), "earlier months paid");
        assert!(o["standards"].is_array() && o["insurance"].is_array());
        // The year projected for the people on duty, against the seed's
        // 10 million for 198 posts.
        let rows = o["projection"]["rows"].as_array().expect("projection rows");
        assert_eq!(rows.len(), 26);
        let amount = |v: &Value| v.as_str().and_then(|s| s.parse::<f64>().ok()).expect("an amount");
        let reference: f64 = rows.iter().map(|r| amount(&r["reference"])).sum();
        assert!((reference - 10_000_000.0).abs() < 1.0, "{reference}");
        let people: u64 = rows.iter().map(|r| r["people"].as_u64().expect("people")).sum();
        let on_duty: u64 = server.db.query("SELECT count(*) FROM staff WHERE status = 'on_duty'").parse().expect("count");
        assert_eq!(people, on_duty);
        let cost: f64 = rows.iter().map(|r| amount(&r["pay"]) + amount(&r["employer"])).sum();
        let per_person = cost / people as f64;
        assert!((45_000.0..60_000.0).contains(&per_person), "about 50,000 a post: {per_person}");
        // The lines add up to the run's totals, and so do the town sums.
        let id = last["id"].as_i64().expect("id");
        let v = computed(&finance, id).await;
        let net: f64 = v["run"]["net"].as_str().expect("net").parse().expect("net");
        let lines = all_lines(&finance, id).await;
        assert!((sum_of(&lines, "net") - net).abs() < 0.005, "lines add up to the net");
        assert_eq!(lines.len() as i64, v["run"]["people"].as_i64().expect("people"));
        let towns = v["towns"].as_array().expect("towns");
        assert!((sum_of(towns, "net") - net).abs() < 0.005, "town sums add up to the net");
        // Lines come a page of 100 at a time; pages do not overlap.
        assert_eq!(v["lines"].as_array().expect("lines").len(), 100);
        assert_eq!(v["total_lines"].as_u64(), Some(lines.len() as u64));
        let (_, second) = run_page(&finance, id, None, 1).await;
        assert_eq!(second["offset"], 100);
        assert_eq!(second["lines"].as_array().expect("lines").len(), lines.len() - 100);
        assert_eq!(second["lines"][0]["staff_id"], lines[100]["staff_id"]);
        // One town's page: its people, its count.
        let binjiang = towns.iter().find(|t| t["town"] == "滨江街道").expect("滨江街道");
        let bid = binjiang["town_id"].as_i64().expect("town id");
        let (_, one) = run_page(&finance, id, Some(bid), 0).await;
        assert_eq!(one["total_lines"], binjiang["people"]);
        assert!(one["lines"].as_array().expect("lines").iter().all(|l| l["town_id"] == bid));
        // The database refuses to change an approved run or its lines.
        assert!(server.db.try_query(&format!("UPDATE payroll_lines SET net_fen = net_fen + 1, gross_fen = gross_fen + 1, base_fen = base_fen + 1 WHERE run_id = {id}")).is_err());
        assert!(server.db.try_query(&format!("DELETE FROM payroll_lines WHERE run_id = {id}")).is_err());
        assert!(server.db.try_query(&format!("UPDATE payroll_runs SET net_fen = 1 WHERE id = {id}")).is_err());
        assert!(server.db.try_query(&format!("DELETE FROM payroll_runs WHERE id = {id}")).is_err());
        // Marking it paid is allowed once; again changes nothing.
        assert_eq!(finance.call("mark_payroll_paid", &[("run_id", &id.to_string())]).await.0, 200);
        assert_eq!(finance.call("mark_payroll_paid", &[("run_id", &id.to_string())]).await.0, 200);
        assert_eq!(server.db.query(&format!("SELECT status FROM payroll_runs WHERE id = {id}")), "paid");
        // Town users see their own town's lines only; inspectors no pay.
        let town = Client::demo(&server, "town.binjiang").await;
        let (status, tv) = run_page(&town, id, None, 0).await;
        assert_eq!(status, 200);
        assert!(tv["lines"].as_array().expect("lines").iter().all(|l| l["town"] == "滨江街道"));
        // Their figures are their town's, not the district's.
        assert_eq!(tv["run"]["people"], binjiang["people"]);
        assert_eq!(tv["run"]["net"], binjiang["net"]);
        assert_eq!(tv["towns"].as_array().expect("towns").len(), 1);
        let other = towns.iter().find(|t| t["town_id"] != bid).expect("another town")["town_id"].as_i64();
        assert_eq!(run_page(&town, id, other, 0).await.0, 403, "another town's lines");
        assert_eq!(run_page(&Client::demo(&server, "inspector").await, id, None, 0).await.0, 403);
    }

    async fn a_month_runs_once_scores_are_in_and_an_approver_approves(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let town = Client::demo(&server, "town.binjiang").await;
        let month = next_month(overview(&finance).await["default_month"].as_str().expect("month"));
        // The demo leaves five people of this month without a score.
        let (status, e) = finance.call("start_payroll_run", &[("month", &month)]).await;
        assert_eq!(status, 422, "{e}");
        let missing = e["Payroll"]["MissingScores"].as_array().expect("who is missing").clone();
        assert_eq!(missing.len(), 5);
        // A town user scores their own people only, with a reason when low.
        let (_, sheet) = town.call("score_sheet", &[("month", &month)]).await;
        let own: Vec<i64> = sheet["rows"].as_array().expect("rows").iter().map(|r| r["staff_id"].as_i64().expect("id")).collect();
        assert!(!own.is_empty());
        // Someone of another town, always (the missing five may all be
        // the town user's own).
        let other = server.db.query(
            "SELECT min(s.id) FROM staff s JOIN towns t ON t.id = s.town_id WHERE t.code = '002' AND s.status = 'on_duty'",
        );
        let (status, _) = town
            .call("record_score", &[("staff_id", &other), ("month", &month), ("score", "90"), ("reason", "")])
            .await;
        assert_eq!(status, 403, "another town's person");
        let (status, e) = town.call("record_score", &[("staff_id", &own[0].to_string()), ("month", &month), ("score", "40"), ("reason", " ")]).await;
        assert_eq!((status, e["Payroll"].as_str()), (reqwest::StatusCode::UNPROCESSABLE_ENTITY, Some("ReasonRequired")), "{e}");
        assert_eq!(town.call("record_score", &[("staff_id", &own[0].to_string()), ("month", &month), ("score", "101"), ("reason", "x")]).await.0, 422);
        for m in &missing {
            let id = m["staff_id"].as_i64().expect("id").to_string();
            let (status, e) = finance.call("record_score", &[("staff_id", &id), ("month", &month), ("score", "88"), ("reason", "")]).await;
            assert_eq!(status, 200, "{e}");
        }
        // A back payment for someone, paid in this run.
        let staff_id = own[0];
        let (status, e) = finance.call_json("add_payroll_adjustment", &json!({
            "staff_id": staff_id,
            "adjustment": { "kind": "addition", "amount": "1234.56", "for_month": { "year": 2026, "month": 1 }, "reason": "补发一月绩效差额" }
        })).await;
        assert_eq!(status, 200, "{e}");
        // Now the run starts, computes in the background and is a draft.
        let (status, run_id) = finance.call("start_payroll_run", &[("month", &month)]).await;
        assert_eq!(status, 200, "{run_id}");
        let run_id = run_id.as_i64().expect("run id");
        assert_eq!(finance.call("start_payroll_run", &[("month", &month)]).await.0, 409, "one run a month");
        let v = computed(&finance, run_id).await;
        assert_eq!(v["run"]["status"], "draft", "{}", v["run"]);
        let line = all_lines(&finance, run_id).await.into_iter().find(|l| l["staff_id"] == staff_id).expect("the person's line");
        assert_eq!(line["additions"], "1234.56");
        let version = v["run"]["version"].as_i64().expect("version").to_string();
        // Submitted, the lines freeze; the maker cannot approve.
        // Funded from the budget: a source that may not pay pay is refused,
        // naming it; the district's sources are offered with what is left.
        let choices = v["funding_choices"].as_array().expect("funding choices").clone();
        let can = |c: &Value, t: &str| c["eligible"].as_array().expect("eligible").iter().any(|e| e == t);
        let pay = choices.iter().find(|c| can(c, "AssistantPay")).expect("a source for pay")["id"].to_string();
        let ins = choices.iter().find(|c| can(c, "EmployerInsurance")).expect("a source for insurance")["id"].to_string();
        let wrong = choices.iter().find(|c| !can(c, "AssistantPay")).expect("a source that may not pay pay")["id"].to_string();
        let submit = |pay: String| {
            let (run_id, version, ins) = (run_id.to_string(), version.clone(), ins.clone());
            let finance = &finance;
            async move {
                finance.call("submit_payroll_run", &[("run_id", &run_id), ("version", &version), ("pay_source_id", &pay), ("insurance_source_id", &ins)]).await
            }
        };
        let (status, e) = submit(wrong).await;
        assert_eq!(status, 422, "{e}");
        assert!(e["Budget"]["Funds"]["NotEligible"]["source"].is_string(), "{e}");
        let (status, approval) = submit(pay).await;
        assert_eq!(status, 200, "{approval}");
        let approval_id = approval.as_i64().expect("approval").to_string();
        assert!(server.db.try_query(&format!("UPDATE payroll_lines SET detail = detail WHERE run_id = {run_id}")).is_err());
        let aid = approval_id.clone();
        let (status, _) = finance.call("decide_approval", &[("id", &aid), ("version", "1"), ("decision", "Approve"), ("reason", "")]).await;
        assert_eq!(status, 403, "the maker's role cannot decide");
        let (status, e) = approver.call("decide_approval", &[("id", &aid), ("version", "1"), ("decision", "Approve"), ("reason", "同意")]).await;
        assert_eq!(status, 200, "{e}");
        assert_eq!(server.db.query(&format!("SELECT status FROM payroll_runs WHERE id = {run_id}")), "approved");
        // Approval committed the run's money, town by town.
        let committed: i64 = server.db.query(&format!("SELECT SUM(committed_fen) FROM budget_entries WHERE ref_entity = 'payroll_runs' AND ref_id = {run_id}")).parse().expect("fen");
        let cost: i64 = server.db.query(&format!("SELECT gross_fen + employer_fen FROM payroll_runs WHERE id = {run_id}")).parse().expect("fen");
        assert_eq!(committed, cost);
        // The adjustment is paid: the next month's run will not pay it again.
        assert_eq!(server.db.query(&format!("SELECT run_id FROM payroll_adjustments WHERE staff_id = {staff_id}")), run_id.to_string());
        // Scores of an approved month are closed.
        let (status, e) = finance.call("record_score", &[("staff_id", &own[0].to_string()), ("month", &month), ("score", "70"), ("reason", "")]).await;
        assert_eq!((status.as_u16(), e["Payroll"].as_str()), (422, Some("MonthClosed")));
        // Every step is audited.
        assert_eq!(
            server.db.query(&format!("SELECT count(*) FROM audit_log WHERE entity = 'payroll_runs' AND entity_id = '{run_id}' AND action = 'approved'")),
            "1"
        );
    }
}

/// The payroll pages in Chromium: the runs, one run's lines with totals,
/// the score sheet and the annual adjustment's preview, hydrated without
/// console errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payroll_pages_work_in_the_browser() {
    use gouzhu_tests::{Browser, DEMO_PASSWORD};
    let server = Server::start(Backend::Sqlite);
    let browser = Browser::new().await;
    browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;
    browser.open_hydrated(&format!("{}/payroll", server.base_url)).await;
    browser.wait_for("#runs-table tbody tr").await;
    browser.wait_for("#standards").await;
    assert_eq!(browser.text("#projection-reference").await, "10,000,000.00");
    // The adjustment preview follows the growth rate typed, in the page.
    let growth = browser.wait_for("#adjust-form input[name=growth]").await;
    growth.clear().await.expect("clear");
    growth.send_keys("10").await.expect("typing");
    let mut shown = String::new();
    for _ in 0..50 {
        shown = browser.text("#adjust-preview tbody tr:first-child td.strong").await;
        if shown == "2,200.00" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(shown, "2,200.00", "base 2,000 grown by 10%");
    let link = browser.wait_for("#runs-table tbody tr:first-child a").await;
    let href = link.attr("href").await.expect("href").expect("a link");
    browser.open_hydrated(&format!("{}{href}", server.base_url)).await;
    browser.wait_for("#lines-table tbody tr").await;
    // 183 people: two pages of lines, and the sums by town.
    assert!(browser.text("#pager-text").await.contains("共 2 页"));
    let row = browser.wait_for("#town-totals tbody tr:first-child").await;
    let town_net = browser.text("#town-totals tbody tr:first-child td:nth-child(6)").await;
    let town_link = row.find(fantoccini::Locator::Css("a")).await.expect("town link");
    town_link.click().await.expect("click");
    let mut shown = String::new();
    for _ in 0..50 {
        shown = browser.text("#lines-net").await;
        if shown == town_net
            && browser.js("return !!document.querySelector('#all-towns')").await == json!(true)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(shown, town_net, "a town's lines add up to its net");
    // Every pay slip in one job: progress, then the download.
    browser.wait_for("#slips-start").await.click().await.expect("click");
    let link = browser.wait_for("#slips-download").await;
    let href = link.attr("href").await.expect("href").expect("a link");
    assert!(href.starts_with("/files/jobs/"), "{href}");
    // A back payment recorded in the form shows in the list, not yet paid.
    browser.open_hydrated(&format!("{}/payroll/people", server.base_url)).await;
    let form = browser.wait_for("#adjustment-form").await;
    let value = browser.js("return document.querySelector('#adjustment-form select[name=staff_id] option:nth-child(2)').value").await;
    let person = form.find(fantoccini::Locator::Css("select[name=staff_id]")).await.expect("person select");
    person.select_by_value(value.as_str().expect("a staff id")).await.expect("choosing a person");
    form.find(fantoccini::Locator::Css("input[name=amount]"))
        .await
        .expect("amount")
        .send_keys("321.09")
        .await
        .expect("typing");
    form.find(fantoccini::Locator::Css("input[name=reason]"))
        .await
        .expect("reason")
        .send_keys("补发交通补贴")
        .await
        .expect("typing");
    browser.wait_for("#adjustment-submit").await.click().await.expect("submit");
    let mut listed = false;
    for _ in 0..50 {
        let text = browser.js("return document.querySelector('#adjustments-table') ? document.querySelector('#adjustments-table').innerText : ''").await;
        if text.as_str().is_some_and(|t| t.contains("补发交通补贴") && t.contains("321.09")) {
            listed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(listed, "the adjustment is listed");
    browser.wait_for("#declare-form").await;
    browser.open_hydrated(&format!("{}/payroll", server.base_url)).await;
    browser.wait_for("#rules-form input[name=rule-0]").await;
    browser.open_hydrated(&format!("{}/payroll/scores", server.base_url)).await;
    browser.wait_for("#scores-table tbody tr").await;
    assert!(browser.text("#scores-missing").await.contains('5'));
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
    browser.close().await;
}

/// Downloads `path` and returns the PDF's text (`pdftotext -layout`).
async fn pdf_text(client: &Client, path: &str) -> String {
    let res = client.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(res.headers()["content-type"], "application/pdf");
    text_of(&res.bytes().await.expect("body"))
}

both_backends! {
    async fn the_salary_sheet_and_slips_hold_names_totals_and_capitals(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let run = overview(&finance).await["runs"][0].clone();
        let id = run["id"].as_i64().expect("id");
        let v = computed(&finance, id).await;
        let text = pdf_text(&finance, &format!("/files/payroll/{id}/sheet.pdf")).await;
        for needle in ["专职低保员补贴发放表", "全区汇总", "本页小计", "合计", "实发合计（大写）：人民币", "制表：", "审核：", "审批：", "滨江街道"] {
            assert!(text.contains(needle), "{needle} in the sheet");
        }
        let first = v["lines"][0]["name"].as_str().expect("name");
        assert!(text.contains(first), "{first} in the sheet");
        // The grand net total, as on the run, appears in figures.
        let net: f64 = run["net"].as_str().expect("net").parse().expect("net");
        let figures = format!("{:.2}", net);
        let grouped = {
            let (int, frac) = figures.split_once('.').expect("decimals");
            let mut out = String::new();
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 { out.push(','); }
                out.push(c);
            }
            format!("{out}.{frac}")
        };
        assert!(text.contains(&grouped), "net total {grouped} in the sheet");
        // One town only, for a town user: no other town's people.
        let town = Client::demo(&server, "town.binjiang").await;
        let own = pdf_text(&town, &format!("/files/payroll/{id}/sheet.pdf")).await;
        assert!(own.contains("滨江街道") && !own.contains("全区汇总"));
        let lines = all_lines(&finance, id).await;
        let other: Vec<String> = lines.iter()
            .filter(|l| l["town"] != "滨江街道").map(|l| l["name"].as_str().expect("name").to_owned()).take(3).collect();
        let own_names: Vec<String> = lines.iter()
            .filter(|l| l["town"] == "滨江街道").map(|l| l["name"].as_str().expect("name").to_owned()).collect();
        for name in other.iter().filter(|n| !own_names.contains(n)) {
            assert!(!own.contains(name.as_str()), "{name} is not the town user's");
        }
        // Slips: one per person; the workbook reads back.
        let slips = pdf_text(&finance, &format!("/files/payroll/{id}/slips.pdf")).await;
        assert!(slips.contains("工资条") && slips.contains(first));
        let res = finance.get(&format!("/files/payroll/{id}/sheet.xlsx")).await;
        assert_eq!(res.status(), 200);
        assert!(res.bytes().await.expect("body").starts_with(b"PK"));
        assert_eq!(Client::demo(&server, "inspector").await.get(&format!("/files/payroll/{id}/sheet.pdf")).await.status(), 403);
    }
}

both_backends! {
    async fn the_api_reads_runs_scoped_and_previews_pay(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let town = Client::demo(&server, "town.binjiang").await;
        let all: Value = finance.get("/api/v1/payroll/runs").await.json().await.expect("json");
        let own: Value = town.get("/api/v1/payroll/runs").await.json().await.expect("json");
        let (a, o) = (&all["runs"][0], &own["runs"][0]);
        assert_eq!(a["id"], o["id"]);
        assert!(o["people"].as_i64() < a["people"].as_i64(), "a town sees its own people only");
        let id = a["id"].as_i64().expect("id");
        let one: Value = town.get(&format!("/api/v1/payroll/runs/{id}")).await.json().await.expect("json");
        assert!(one["lines"].as_array().expect("lines").iter().all(|l| l["town"] == "滨江街道"));
        assert_eq!(one["run"]["people"], o["people"]);
        // Paging and the town filter, by code.
        let page: Value = finance.get(&format!("/api/v1/payroll/runs/{id}?offset=10&limit=5")).await.json().await.expect("json");
        assert_eq!((page["offset"].as_u64(), page["limit"].as_u64()), (Some(10), Some(5)));
        assert_eq!(page["lines"].as_array().expect("lines").len(), 5);
        assert_eq!(page["total_lines"], a["people"]);
        let code = server.db.query("SELECT code FROM towns WHERE name = '滨江街道'");
        let other = server.db.query("SELECT code FROM towns WHERE name <> '滨江街道' ORDER BY code LIMIT 1");
        let own_town: Value = finance.get(&format!("/api/v1/payroll/runs/{id}?town={code}")).await.json().await.expect("json");
        assert_eq!(own_town["total_lines"], o["people"]);
        assert_eq!(town.get(&format!("/api/v1/payroll/runs/{id}?town={other}")).await.status(), 403);
        assert_eq!(finance.get(&format!("/api/v1/payroll/runs/{id}?town=nope")).await.status(), 404);
        assert_eq!(finance.get(&format!("/api/v1/payroll/runs/{id}?limit=0")).await.status(), 400);
        assert_eq!(finance.get(&format!("/api/v1/payroll/runs/{id}?limit=5001")).await.status(), 400);
        assert_eq!(Client::demo(&server, "provider").await.get("/api/v1/payroll/runs").await.status(), 403);
        // The preview: the demo standards and rules, a typical post.
        let doc: Value = Client::anonymous(&server).get("/api/v1/openapi.json").await.json().await.expect("json");
        assert!(doc["paths"]["/api/v1/payroll/preview"]["post"].is_object());
        let overview: Value = finance.call("payroll_overview", &[]).await.1;
        let input = json!({
            "month": { "year": 2026, "month": 4 },
            "standards": overview["standards"][1],
            "insurance": overview["insurance"][1],
            "facts": { "role_level": "assistant", "certificate": "assistant", "hire_date": "2021-03-15", "score": 85, "days": 30 }
        });
        let res = town.post_json("/api/v1/payroll/preview", &input).await;
        assert_eq!(res.status(), 200);
        let line: Value = res.json().await.expect("json");
        let amount = |v: &Value| v.as_str().and_then(|s| s.parse::<f64>().ok()).expect("an amount");
        assert_eq!(amount(&line["gross"]), 2650.0);
        assert_eq!(amount(&line["net"]), 1857.5);
        assert_eq!(amount(&line["employer_cost"]), 4175.5);
        let mut bad = input.clone();
        bad["facts"]["score"] = json!("high");
        assert_eq!(town.post_json("/api/v1/payroll/preview", &bad).await.status(), 400);
    }
}

/// Polls a pay-slips job until it ends; returns it.
async fn job_done(client: &Client, id: &str) -> Value {
    for _ in 0..400 {
        let (status, v) = client.call("slips_job", &[("id", id)]).await;
        assert_eq!(status, 200, "{v}");
        if v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("job {id} still running");
}

/// `pdftotext` of PDF bytes.
fn text_of(pdf: &[u8]) -> String {
    let dir = gouzhu_tests::process::TempDir::new("pdf");
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).expect("writing PDF");
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8")
}

both_backends! {
    async fn every_pay_slip_is_made_in_one_job_with_progress(backend: Backend) {
        use std::io::Read;
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let id = overview(&finance).await["runs"][0]["id"].as_i64().expect("id").to_string();
        let (status, job) = finance.call("start_slips_job", &[("run_id", &id), ("english", "false")]).await;
        assert_eq!(status, 200, "{job}");
        let job_id = job["id"].as_str().expect("job id").to_owned();
        let people = all_lines(&finance, id.parse().expect("id")).await;
        assert_eq!(job["total"].as_u64(), Some(people.len() as u64));
        // Starting it again (a reload, a second click) finds the same job.
        let (_, again) = finance.call("start_slips_job", &[("run_id", &id), ("english", "false")]).await;
        assert_eq!(again["id"], job["id"]);
        let done = job_done(&finance, &job_id).await;
        assert_eq!(done["status"], "done", "{done}");
        assert_eq!(done["done"], done["total"]);
        // One PDF per town, every person on a slip.
        let res = finance.get(&format!("/files/jobs/{job_id}")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/zip");
        let bytes = res.bytes().await.expect("body");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
        let towns: std::collections::BTreeSet<&str> = people.iter().map(|l| l["town"].as_str().expect("town")).collect();
        assert_eq!(zip.len(), towns.len());
        let mut all = String::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).expect("entry");
            assert!(entry.name().expect("name").ends_with(".pdf"));
            let mut pdf = Vec::new();
            entry.read_to_end(&mut pdf).expect("reading entry");
            all.push_str(&text_of(&pdf));
        }
        for l in &people {
            let name = l["name"].as_str().expect("name");
            assert!(all.contains(name), "{name} has a slip");
        }
        // The job is its owner's: anyone else gets nothing.
        let other = Client::demo(&server, "approver").await;
        assert_eq!(other.get(&format!("/files/jobs/{job_id}")).await.status(), 404);
        assert_eq!(other.call("slips_job", &[("id", &job_id)]).await.0, 404);
        // A town user's job holds their own town only: one PDF.
        let town = Client::demo(&server, "town.binjiang").await;
        let (_, tj) = town.call("start_slips_job", &[("run_id", &id), ("english", "false")]).await;
        let tid = tj["id"].as_str().expect("job id").to_owned();
        assert_eq!(job_done(&town, &tid).await["status"], "done");
        let res = town.get(&format!("/files/jobs/{tid}")).await;
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let own = text_of(&res.bytes().await.expect("body"));
        let outsider = people.iter().find(|l| l["town"] != "滨江街道").expect("someone elsewhere")["name"].as_str().expect("name");
        let insiders: Vec<&str> = people.iter().filter(|l| l["town"] == "滨江街道").map(|l| l["name"].as_str().expect("name")).collect();
        assert!(insiders.iter().all(|n| own.contains(n)));
        if !insiders.contains(&outsider) {
            assert!(!own.contains(outsider), "{outsider} is not the town's");
        }
        assert_eq!(Client::demo(&server, "inspector").await.call("start_slips_job", &[("run_id", &id), ("english", "false")]).await.0, 403);
    }

    async fn finance_records_declarations_adjustments_and_proposes_insurance_rules(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let town = Client::demo(&server, "town.binjiang").await;
        // Someone without a declaration yet (the demo declares for some).
        let staff_id: i64 = server.db.query("SELECT min(s.id) FROM staff s JOIN towns t ON t.id = s.town_id WHERE t.name = '滨江街道' AND s.status = 'on_duty' AND NOT EXISTS (SELECT 1 FROM tax_declarations d WHERE d.staff_id = s.id)").parse().expect("id");
        let (status, page) = finance.call("payroll_people", &[]).await;
        assert_eq!(status, 200, "{page}");
        assert!(page["people"].as_array().expect("people").iter().any(|p| p["staff_id"] == staff_id));
        let before = page["declarations"].as_array().expect("declarations").len();
        // A declaration: two children, from January.
        let declaration = json!({ "kind": { "kind": "child_education", "children": 2, "half": false }, "from": { "year": 2026, "month": 1 }, "until": null });
        let (status, id) = finance.call_json("declare_deduction", &json!({ "staff_id": staff_id, "declaration": declaration })).await;
        assert_eq!(status, 200, "{id}");
        let (_, page) = finance.call("payroll_people", &[]).await;
        let rows = page["declarations"].as_array().expect("declarations");
        assert_eq!(rows.len(), before + 1);
        let row = rows.iter().find(|d| d["id"] == id).expect("the declaration");
        assert_eq!(row["monthly"], "4000");
        // The same kind twice over the same months is refused.
        let (status, e) = finance.call_json("declare_deduction", &json!({ "staff_id": staff_id, "declaration": declaration })).await;
        assert_eq!(status.as_u16(), 422, "{e}");
        // Withdrawn, it stays listed as withdrawn; withdrawing again changes nothing.
        let did = id.as_i64().expect("id").to_string();
        assert_eq!(finance.call("withdraw_deduction", &[("id", &did)]).await.0, 200);
        assert_eq!(finance.call("withdraw_deduction", &[("id", &did)]).await.0, 200);
        let (_, page) = finance.call("payroll_people", &[]).await;
        assert_eq!(page["declarations"].as_array().expect("d").iter().find(|d| d["id"] == id).expect("kept")["withdrawn"], true);
        assert_eq!(server.db.query(&format!("SELECT count(*) FROM audit_log WHERE entity = 'tax_declarations' AND entity_id = '{did}'")), "2");
        // An adjustment, listed as not yet paid; a town user reads their
        // own town's but cannot write.
        let adjustment = json!({ "kind": "deduction", "amount": "88.50", "for_month": { "year": 2026, "month": 10 }, "reason": "多发更正" });
        let (status, aid) = finance.call_json("add_payroll_adjustment", &json!({ "staff_id": staff_id, "adjustment": adjustment })).await;
        assert_eq!(status, 200, "{aid}");
        let (status, tp) = town.call("payroll_people", &[]).await;
        assert_eq!(status, 200);
        let item = tp["adjustments"].as_array().expect("adjustments").iter().find(|a| a["id"] == aid).expect("listed").clone();
        assert_eq!((item["amount"].as_str(), item["paid_in"].is_null()), (Some("88.50"), true));
        assert!(tp["adjustments"].as_array().expect("a").iter().chain(tp["declarations"].as_array().expect("d")).all(|x| x["town"] == "滨江街道"));
        assert!(tp["people"].as_array().expect("people").is_empty(), "no choices for a reader");
        assert_eq!(town.call_json("add_payroll_adjustment", &json!({ "staff_id": staff_id, "adjustment": adjustment })).await.0, 403);
        assert_eq!(town.call_json("declare_deduction", &json!({ "staff_id": staff_id, "declaration": declaration })).await.0, 403);
        let mut bad = adjustment.clone();
        bad["reason"] = json!(" ");
        assert_eq!(finance.call_json("add_payroll_adjustment", &json!({ "staff_id": staff_id, "adjustment": bad })).await.0.as_u16(), 422);
        // Insurance rules for next year: refused when the base is upside
        // down; otherwise submitted and adopted by an approver.
        let (_, o) = finance.call("payroll_overview", &[]).await;
        let mut rules = o["insurance"][1].clone();
        let year = o["today"].as_str().expect("today")[..4].parse::<i32>().expect("year") + 1;
        rules["base_floor"] = json!("30000");
        let (status, e) = finance.call_json("propose_insurance_rules", &json!({ "input": { "rules": rules, "effective_from": format!("{year}-01-01"), "note": "" } })).await;
        assert_eq!((status.as_u16(), e["Payroll"]["Insurance"].as_str()), (422, Some("Base")), "{e}");
        rules["base_floor"] = json!("4800");
        let (status, approval) = finance.call_json("propose_insurance_rules", &json!({ "input": { "rules": rules, "effective_from": format!("{year}-01-01"), "note": "按市人社局通知调整" } })).await;
        assert_eq!(status, 200, "{approval}");
        let approver = Client::demo(&server, "approver").await;
        let (status, e) = approver.call("decide_approval", &[("id", &approval.as_i64().expect("id").to_string()), ("version", "1"), ("decision", "Approve"), ("reason", "同意")]).await;
        assert_eq!(status, 200, "{e}");
        assert_eq!(server.db.query(&format!("SELECT count(*) FROM insurance_rules WHERE year = {year}")), "1");
    }
}
