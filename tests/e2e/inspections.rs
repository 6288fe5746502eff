//! Spot inspections on both backends: the demo's completed plan with a
//! closed and an overdue rectification; the draw (re-run here from its
//! recorded seed and input by an independent implementation), conflicts,
//! the two-inspector rule and no redraw; the phone form with drafts,
//! photos and submission; reconciliation's proposed findings; the
//! rectification state machine; the notice PDF's text; scope between
//! towns; the published results without personal data; the API; and a
//! browser at phone width filling and submitting the form with a photo.

use gouzhu_tests::{Backend, Client, Server};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::documents::pdf_text;

/// The demo draw's seed (server/src/demo_inspections.rs).
const DEMO_SEED: &str = "d33b40d450b5b72aa521a5253f3596483a27ebc69a5cbfae8b917bb9994991ce";

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn user_id(server: &Server, username: &str) -> i64 {
    server.db.query(&format!("SELECT id FROM users WHERE username = '{username}'")).parse().expect("user id")
}

fn town_id(server: &Server, code: &str) -> i64 {
    server.db.query(&format!("SELECT id FROM towns WHERE code = '{code}'")).parse().expect("town id")
}

// --- An independent re-run of gouzhu-draw-v1 (docs/inspections-plan.md) ---

struct Stream {
    prefix: Vec<u8>,
    counter: u64,
    pending: Vec<u64>,
}

impl Stream {
    fn new(seed: &[u8], purpose: &str) -> Stream {
        let mut prefix = format!("gouzhu-draw-v1/{purpose}").into_bytes();
        prefix.push(0);
        prefix.extend_from_slice(seed);
        Stream { prefix, counter: 0, pending: Vec::new() }
    }

    fn next(&mut self) -> u64 {
        if self.pending.is_empty() {
            let mut data = self.prefix.clone();
            data.extend(self.counter.to_be_bytes());
            self.counter += 1;
            let block = Sha256::digest(&data);
            self.pending =
                block.chunks(8).rev().map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes"))).collect();
        }
        self.pending.pop().expect("a number")
    }
}

fn sample(seed: &[u8], purpose: &str, candidates: &[Value], k: usize) -> Vec<Value> {
    let mut pool = candidates.to_vec();
    let mut s = Stream::new(seed, purpose);
    for i in 0..k.min(pool.len()) {
        let n = (pool.len() - i) as u64;
        let zone = u64::MAX - u64::MAX % n;
        let mut x = s.next();
        while x >= zone {
            x = s.next();
        }
        pool.swap(i, i + (x % n) as usize);
    }
    pool.truncate(k);
    pool
}

/// Re-runs a recorded draw: (town code, inspector ids) in drawn order.
fn rerun(draw: &Value) -> Vec<(String, Vec<i64>)> {
    let seed: Vec<u8> = (0..32)
        .map(|i| {
            u8::from_str_radix(&draw["seed"].as_str().expect("seed")[2 * i..2 * i + 2], 16).expect("hex")
        })
        .collect();
    let input = &draw["input"];
    let towns = input["towns"].as_array().expect("towns");
    let n = towns.len() as u64;
    let ratio = input["ratio_bp"].as_u64().expect("ratio");
    let k =
        ((n * ratio).div_ceil(10_000)).max(input["minimum_towns"].as_u64().expect("minimum")).min(n) as usize;
    let per_town = input["inspectors_per_town"].as_u64().expect("per town") as usize;
    sample(&seed, "towns", towns, k)
        .into_iter()
        .map(|t| {
            let code = t["code"].as_str().expect("code").to_owned();
            let id = t["town_id"].as_i64().expect("town id");
            let mut eligible: Vec<Value> = input["pool"]
                .as_array()
                .expect("pool")
                .iter()
                .filter(|m| !m["conflict_towns"].as_array().expect("conflicts").contains(&json!(id)))
                .map(|m| m["user_id"].clone())
                .collect();
            eligible.sort_by_key(|v| v.as_i64());
            let mut chosen: Vec<i64> = sample(&seed, &format!("inspectors/{code}"), &eligible, per_town)
                .iter()
                .filter_map(Value::as_i64)
                .collect();
            chosen.sort_unstable();
            (code, chosen)
        })
        .collect()
}

/// Plans through the API, with the names of their inspectors resolved.
async fn api_plans(client: &Client) -> Vec<Value> {
    let res = client.get("/api/v1/inspection-plans").await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.expect("json");
    v["plans"].as_array().expect("plans").clone()
}

fn plan_form(title: &str, minimum: u32, pool: Value) -> Value {
    let checklist = json!([
        { "key": "on_post", "label": "专职低保员是否在岗在位", "kind": "YesNo", "required": true },
        { "key": "visits", "label": "入户走访户数", "kind": "Number", "required": false },
        { "key": "workplace", "label": "办公场所照片", "kind": "Photo", "required": true },
    ]);
    json!({ "form": {
        "title": title,
        "period_from": (today() - chrono::Duration::days(10)).to_string(),
        "period_to": (today() + chrono::Duration::days(20)).to_string(),
        "ratio_percent": "0",
        "minimum_towns": minimum,
        "staff_per_town": 2,
        "inspectors_per_town": 2,
        "rectification_days": 30,
        "checklist": checklist,
        "pool": pool,
    }})
}

/// Creates and draws a plan of every town, inspected by 赵磊 and 孙悦 (钱敏
/// declares 滨江); returns the plan id.
async fn drawn_plan(server: &Server, finance: &Client) -> i64 {
    let pool = json!([
        [user_id(server, "inspector"), [], ""],
        [user_id(server, "inspector.qian"), [town_id(server, "001")], "曾在滨江工作"],
        [user_id(server, "inspector.sun"), [], ""],
    ]);
    let (status, id) = finance.call_json("create_inspection_plan", &plan_form("全覆盖抽查", 26, pool)).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_i64().expect("plan id");
    let (status, drawn) = finance.call("draw_inspection_plan", &[("id", &id.to_string())]).await;
    assert_eq!(status, 200, "{drawn}");
    assert_eq!(drawn, 26);
    id
}

/// The inspection of `code` in plan `plan` and the user names of its
/// inspectors.
fn inspection_of(server: &Server, plan: i64, code: &str) -> (i64, Vec<String>) {
    let id: i64 = server
        .db
        .query(&format!(
            "SELECT id FROM inspections WHERE plan_id = {plan} AND town_id = {}",
            town_id(server, code)
        ))
        .parse()
        .expect("inspection");
    let names = server.db.query(&format!(
        "SELECT u.username FROM inspection_inspectors i JOIN users u ON u.id = i.user_id WHERE i.inspection_id = {id} ORDER BY u.username"
    ));
    (id, names.lines().map(str::to_owned).collect())
}

async fn detail(client: &Client, id: i64) -> Value {
    let (status, v) = client.call("inspection_page", &[("id", &id.to_string())]).await;
    assert_eq!(status, 200, "{v}");
    v[0].clone()
}

fn jpeg_with_gps() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let exif: &[u8] = b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x88\x25\0\x04\0\0\0\x01\0\0\0\x1aGPS29.5630N";
    b.extend([0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
    b.extend(exif);
    b.extend([0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
    b
}

/// Posts the inspection form.
async fn post_form(
    client: &Client,
    id: i64,
    fields: &[(&str, String)],
    photo: Option<Vec<u8>>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    if let Some(bytes) = photo {
        form = form.part("photo:workplace", reqwest::multipart::Part::bytes(bytes).file_name("现场.jpg"));
    }
    client.post_multipart(&format!("/files/inspections/{id}/form"), form).await
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

both_backends! {
    async fn the_demo_has_a_completed_plan_with_a_closed_and_an_overdue_rectification(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let (status, o) = finance.call("inspections_overview", &[]).await;
        assert_eq!(status, 200, "{o}");
        let plans = o["plans"].as_array().expect("plans");
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0]["status"], "closed", "completed with its last inspection");
        assert_eq!((plans[0]["inspections"].as_i64(), plans[0]["submitted"].as_i64()), (Some(3), Some(3)));
        let rects = o["rectifications"].as_array().expect("rectifications");
        let state = |code: &str| {
            rects.iter().find(|r| r["town_code"] == code).map(|r| (r["status"].clone(), r["overdue"].clone()))
        };
        assert_eq!(state("001"), Some((json!("Closed"), json!(false))));
        assert_eq!(state("011"), Some((json!("Issued"), json!(true))));
        // The overdue one is listed first.
        assert_eq!(rects[0]["town_code"], "011");

        // The recorded draw re-runs to the same towns and inspectors.
        let plan = api_plans(&finance).await.remove(0);
        assert_eq!(plan["draw"]["seed"], DEMO_SEED);
        assert_eq!(plan["draw"]["algorithm"], "gouzhu-draw-v1");
        let canonical = serde_json::to_string(&plan["draw"]["input"]).expect("json");
        assert_eq!(plan["draw"]["input_sha256"].as_str().map(str::len), Some(64));
        assert!(!canonical.is_empty());
        let rerun = rerun(&plan["draw"]);
        assert_eq!(rerun.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["001", "011", "005"]);
        for (code, inspectors) in &rerun {
            let (_, stored) = inspection_of(&server, plan["id"].as_i64().expect("id"), code);
            let mut ids: Vec<i64> = stored.iter().map(|u| user_id(&server, u)).collect();
            ids.sort_unstable();
            assert_eq!(&ids, inspectors, "inspectors of {code}");
        }
        // 钱敏 declared 滨江: never drawn for it.
        let (_, binjiang) = inspection_of(&server, plan["id"].as_i64().expect("id"), "001");
        assert!(!binjiang.contains(&"inspector.qian".to_owned()), "{binjiang:?}");

        // The dashboard's alerts: 双河 sees its overdue notice.
        let shuanghe = Client::demo(&server, "town.shuanghe").await;
        let (status, alerts) = shuanghe.call("rectification_alerts", &[]).await;
        assert_eq!(status, 200);
        let list = alerts[0].as_array().expect("alerts");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["overdue"], true);
        let deadline = list[0]["deadline"].as_str().expect("deadline").to_owned();
        assert!(deadline < today().to_string(), "{deadline}");

        // The notice: the town, the findings and the deadline, in its text.
        let rect = list[0]["id"].as_i64().expect("id");
        let text = pdf_text(&server, &shuanghe, &format!("/files/rectifications/{rect}/notice.pdf")).await;
        let flat: String = text.split_whitespace().collect();
        assert!(flat.contains("整改通知书"), "{text}");
        assert!(flat.contains("双河镇"), "{text}");
        assert!(flat.contains("发放工资但人员不在岗"), "{text}");
        assert!(flat.contains("检查项目不符合要求"), "{text}");
        let d = chrono::NaiveDate::parse_from_str(&deadline, "%Y-%m-%d").expect("date");
        use chrono::Datelike;
        assert!(flat.contains(&format!("于{}年{}月{}日前完成", d.year(), d.month(), d.day())), "{text}");
        // Another town may not read it.
        let binjiang_user = Client::demo(&server, "town.binjiang").await;
        assert_eq!(binjiang_user.get(&format!("/files/rectifications/{rect}/notice.pdf")).await.status(), 404);

        // Published results: anyone, no personal data.
        let anonymous = Client::anonymous(&server);
        let res = anonymous.get("/api/v1/inspection-results").await;
        assert_eq!(res.status(), 200);
        let body = res.text().await.expect("body");
        let results: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(results["results"].as_array().map(Vec::len), Some(3));
        let xlsx = anonymous.get("/files/inspection-results.xlsx").await;
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.expect("xlsx");
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
        use calamine::Reader;
        let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        let cells: String = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect::<Vec<_>>().join("|");
        assert!(cells.contains("滨江街道") && cells.contains("已整改") && cells.contains("已逾期"), "{cells}");
        let names = server.db.query(
            "SELECT name FROM staff WHERE town_id IN (SELECT town_id FROM inspections) UNION SELECT display_name FROM users",
        );
        for name in names.lines().filter(|n| !n.is_empty()) {
            assert!(!body.contains(name), "published JSON names {name}");
            assert!(!cells.contains(name), "published sheet names {name}");
        }
        assert!(!body.contains("description") && !body.contains("工资已发放"), "descriptions are not published");
    }

    async fn draws_exclude_conflicts_need_two_inspectors_and_are_never_redone(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let binjiang = town_id(&server, "001");
        // Two of three declare 滨江: one inspector left for it, refused
        // before anything is drawn.
        let pool = json!([
            [user_id(&server, "inspector"), [], ""],
            [user_id(&server, "inspector.qian"), [binjiang], "本街道人员"],
            [user_id(&server, "inspector.sun"), [binjiang], "亲属在该街道"],
        ]);
        let (status, id) = finance.call_json("create_inspection_plan", &plan_form("回避过多", 26, pool)).await;
        assert_eq!(status, 200, "{id}");
        let (status, refused) = finance.call("draw_inspection_plan", &[("id", &id.to_string())]).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["Inspection"]["Draw"]["TooFewInspectors"], json!(["001"]));
        assert_eq!(server.db.query(&format!("SELECT count(*) FROM inspections WHERE plan_id = {id}")), "0");
        assert_eq!(server.db.query(&format!("SELECT status FROM inspection_plans WHERE id = {id}")), "draft");

        // A pool member who is not an inspector, or a pool of one.
        let finance_id = user_id(&server, "finance");
        let bad = json!([[user_id(&server, "inspector"), [], ""], [finance_id, [], ""]]);
        let (status, v) = finance.call_json("create_inspection_plan", &plan_form("非检查人员", 1, bad)).await;
        assert_eq!(status, 422, "{v}");
        let one = json!([[user_id(&server, "inspector"), [], ""]]);
        let (status, v) = finance.call_json("create_inspection_plan", &plan_form("一人", 1, one)).await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["Inspection"]["Plan"][0][0], "Pool");

        // Inspectors do not pick their own targets; towns do not see plans.
        let inspector = Client::demo(&server, "inspector").await;
        assert_eq!(inspector.call_json("create_inspection_plan", &plan_form("x", 1, json!([]))).await.0, 403);
        assert_eq!(inspector.call("draw_inspection_plan", &[("id", &id.to_string())]).await.0, 403);
        let town = Client::demo(&server, "town.binjiang").await;
        assert_eq!(town.call("inspection_plan", &[("id", &id.to_string())]).await.0, 403);
        assert_eq!(town.get("/api/v1/inspection-plans").await.status(), 403);

        // Every town drawn, each with two different inspectors, 钱敏 never
        // for 滨江; the stored draw re-runs to the same result.
        let plan = drawn_plan(&server, &finance).await;
        let listed = api_plans(&finance).await;
        let recorded = listed.iter().find(|p| p["id"] == plan).expect("plan");
        for (code, ids) in rerun(&recorded["draw"]) {
            let (_, names) = inspection_of(&server, plan, &code);
            assert_eq!(names.len(), 2, "{code}: {names:?}");
            let mut stored: Vec<i64> = names.iter().map(|u| user_id(&server, u)).collect();
            stored.sort_unstable();
            assert_eq!(stored, ids, "{code}");
            if code == "001" {
                assert!(!names.contains(&"inspector.qian".to_owned()));
            }
        }
        let staff_drawn = server.db.query(&format!(
            "SELECT count(*) FROM inspection_staff s JOIN inspections i ON i.id = s.inspection_id WHERE i.plan_id = {plan}"
        ));
        assert_eq!(staff_drawn, "52", "two staff per town");
        // No second draw, and the database keeps the first.
        let (status, v) = finance.call("draw_inspection_plan", &[("id", &plan.to_string())]).await;
        assert_eq!(status, 422);
        assert_eq!(v["Inspection"]["Draw"], "AlreadyDrawn");
        assert!(server.db.try_query(&format!("UPDATE inspection_plans SET seed = '{}' WHERE id = {plan}", "0".repeat(64))).is_err());
        assert!(server.db.try_query(&format!("DELETE FROM inspection_inspectors WHERE inspection_id IN (SELECT id FROM inspections WHERE plan_id = {plan})")).is_err());
        assert!(server.db.try_query(&format!("DELETE FROM inspections WHERE plan_id = {plan}")).is_err());
        // An inspector disabled after the plan was made is not drawn.
        let pool = json!([
            [user_id(&server, "inspector"), [], ""],
            [user_id(&server, "inspector.qian"), [], ""],
            [user_id(&server, "inspector.sun"), [], ""],
        ]);
        let (status, later) = finance.call_json("create_inspection_plan", &plan_form("人员变动", 26, pool)).await;
        assert_eq!(status, 200, "{later}");
        server.db.query("UPDATE users SET disabled_at = CURRENT_TIMESTAMP WHERE username = 'inspector.sun'");
        assert_eq!(finance.call("draw_inspection_plan", &[("id", &later.to_string())]).await.0, 200);
        let drawn_sun = server.db.query(&format!(
            "SELECT count(*) FROM inspection_inspectors i JOIN inspections n ON n.id = i.inspection_id WHERE n.plan_id = {later} AND i.user_id = {}",
            user_id(&server, "inspector.sun")
        ));
        assert_eq!(drawn_sun, "0");
        // The draw is audited with its seed.
        let audited = server.db.query(&format!(
            "SELECT after FROM audit_log WHERE action = 'draw' AND entity = 'inspection_plan' AND entity_id = '{plan}'"
        ));
        assert!(audited.contains(&recorded["draw"]["seed"].as_str().expect("seed").to_owned()), "{audited}");
    }

    async fn the_form_findings_and_rectification_follow_their_rules(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let plan = drawn_plan(&server, &finance).await;
        let (id, names) = inspection_of(&server, plan, "011");
        let inspector = Client::demo(&server, &names[0]).await;
        let outsider = ["inspector", "inspector.qian", "inspector.sun"].into_iter().find(|u| !names.iter().any(|n| n == u)).expect("a third");
        let d = detail(&inspector, id).await;
        assert_eq!(d["status"], "Assigned");
        assert!(d["may_edit"].as_bool().expect("flag"));
        // Pre-filled with what the system knows.
        let roster: Vec<i64> = d["facts"]["roster"].as_array().expect("roster").iter().filter_map(|p| p["staff_id"].as_i64()).collect();
        let on_duty: usize = server.db.query(&format!("SELECT count(*) FROM staff WHERE town_id = {} AND status = 'on_duty'", town_id(&server, "011"))).parse().expect("n");
        assert_eq!(roster.len(), on_duty);
        assert!(d["facts"]["allocated"].as_i64().is_some());
        let paid = d["facts"]["paid"].as_array().expect("paid").len();
        assert!(paid > 0, "the last payroll paid 双河's staff");
        // Towns do not see an inspection before it is submitted.
        let shuanghe = Client::demo(&server, "town.shuanghe").await;
        assert_eq!(shuanghe.call("inspection_page", &[("id", &id.to_string())]).await.0, 404);

        let version = d["version"].to_string();
        let base = |version: &str, action: &str| -> Vec<(&'static str, String)> {
            vec![
                ("version", version.to_owned()),
                ("arrived_at", format!("{}T09:30", today())),
                ("left_at", format!("{}T10:45", today())),
                ("headcount", (roster.len() - 1).to_string()),
                ("absent", roster[0].to_string()),
                ("answer:on_post", "yes".into()),
                ("answer:visits", "12".into()),
                ("remarks", "窗口有人值守".into()),
                ("action", action.into()),
            ]
        };
        // Someone else's inspection.
        let other = Client::demo(&server, outsider).await;
        assert_eq!(post_form(&other, id, &base(&version, "draft"), None).await.status(), 403);
        // A draft; a number that is not one is refused and nothing is kept.
        let mut wrong = base(&version, "draft");
        wrong[6].1 = "十二".into();
        let res = post_form(&inspector, id, &wrong, None).await;
        assert_eq!(res.status(), 422);
        assert_eq!(server.db.query(&format!("SELECT status FROM inspections WHERE id = {id}")), "assigned");
        let res = post_form(&inspector, id, &base(&version, "draft"), None).await;
        assert_eq!(res.status(), 303);
        assert!(location(&res).ends_with("?saved=draft"), "{}", location(&res));
        let d = detail(&inspector, id).await;
        assert_eq!(d["status"], "Draft");
        assert_eq!(d["headcount"].as_i64(), Some(roster.len() as i64 - 1));
        assert_eq!(d["answers"]["visits"]["Number"], 12);
        // Submitting without the required photo keeps a draft and says why.
        let version = d["version"].to_string();
        let res = post_form(&inspector, id, &base(&version, "submit"), None).await;
        assert_eq!(res.status(), 303);
        assert!(location(&res).contains("?problem="), "{}", location(&res));
        assert_eq!(server.db.query(&format!("SELECT status FROM inspections WHERE id = {id}")), "draft");
        // A stale form is refused.
        assert_eq!(post_form(&inspector, id, &base(&version, "draft"), None).await.status(), 409);
        // With the photo (its location removed), submitted.
        let version = detail(&inspector, id).await["version"].to_string();
        let res = post_form(&inspector, id, &base(&version, "submit"), Some(jpeg_with_gps())).await;
        assert_eq!(res.status(), 303, "{}", location(&res));
        assert!(location(&res).ends_with("?saved=submit"), "{}", location(&res));
        let d = detail(&inspector, id).await;
        assert_eq!(d["status"], "Submitted");
        let photo = d["photos"][0]["id"].as_i64().expect("photo");
        let bytes = inspector.get(&format!("/files/inspection-photos/{photo}")).await.bytes().await.expect("photo");
        assert!(bytes.starts_with(&[0xFF, 0xD8]) && !bytes.windows(3).any(|w| w == b"GPS"));
        // Frozen.
        let version = d["version"].to_string();
        let res = post_form(&inspector, id, &base(&version, "draft"), None).await;
        assert_eq!(res.status(), 422);

        // Reconciliation proposed: the absent person was paid; fewer found
        // than on duty.
        let kinds: Vec<&str> = d["findings"].as_array().expect("findings").iter().filter_map(|f| f["kind"].as_str()).collect();
        assert!(kinds.contains(&"PaidNotPresent"), "{kinds:?}");
        assert!(kinds.contains(&"HeadcountShort"), "{kinds:?}");
        assert!(d["findings"].as_array().expect("findings").iter().all(|f| f["status"] == "Proposed"));
        // The town sees the inspection now, but no proposed finding.
        let town_view = detail(&shuanghe, id).await;
        assert_eq!(town_view["findings"], json!([]));

        // No notice before every proposal is decided; a dismissal needs a reason.
        let (status, v) = inspector.call("issue_rectification_notice", &[("inspection_id", &id.to_string()), ("deadline", "")]).await;
        assert_eq!((status.as_u16(), v["Inspection"]["Finding"].clone()), (422, json!("Undecided")));
        let findings = d["findings"].as_array().expect("findings").clone();
        let first = findings[0]["id"].to_string();
        let (status, v) = inspector.call("decide_inspection_finding", &[("id", &first), ("confirm", "false"), ("severity", "major"), ("reason", "")]).await;
        assert_eq!((status.as_u16(), v["Inspection"]["Finding"].clone()), (422, json!("ReasonRequired")));
        assert_eq!(other.call("decide_inspection_finding", &[("id", &first), ("confirm", "true"), ("severity", "major"), ("reason", "")]).await.0, 403);
        for f in &findings {
            let confirm = if f["kind"] == "PaidNotPresent" { "true" } else { "false" };
            let (status, v) = inspector.call("decide_inspection_finding", &[("id", &f["id"].to_string()), ("confirm", confirm), ("severity", "serious"), ("reason", "已核实")]).await;
            assert_eq!(status, 200, "{v}");
        }
        let (status, v) = inspector.call("add_inspection_finding", &[("inspection_id", &id.to_string()), ("kind", "other"), ("severity", "minor"), ("description", "公示栏信息未更新")]).await;
        assert_eq!(status, 200, "{v}");
        // Nothing is published before the town has its notice.
        let published = |client: Client| async move {
            let v: Value = client.get("/api/v1/inspection-results").await.json().await.expect("json");
            v["results"].as_array().expect("results").iter()
                .find(|r| r["plan_title"] == "全覆盖抽查" && r["town_code"] == "011")
                .map(|r| r["findings"].as_array().map_or(0, Vec::len))
                .expect("the submitted inspection is listed")
        };
        assert_eq!(published(Client::anonymous(&server)).await, 0);
        // A deadline over a year away is refused.
        let far = (today() + chrono::Duration::days(400)).to_string();
        let (status, v) = inspector.call("issue_rectification_notice", &[("inspection_id", &id.to_string()), ("deadline", &far)]).await;
        assert_eq!((status.as_u16(), v["Inspection"]["Rectification"].clone()), (422, json!("Deadline")));
        let deadline = (today() + chrono::Duration::days(20)).to_string();
        let (status, rect) = inspector.call("issue_rectification_notice", &[("inspection_id", &id.to_string()), ("deadline", &deadline)]).await;
        assert_eq!(status, 200, "{rect}");
        let rect = rect.as_i64().expect("id").to_string();
        let town_view = detail(&shuanghe, id).await;
        assert_eq!(town_view["findings"].as_array().map(Vec::len), Some(2), "the confirmed ones");
        assert_eq!(published(Client::anonymous(&server)).await, 2);
        assert!(town_view["may_respond"].as_bool().expect("flag"));

        // The state machine: respond needs evidence; return needs words.
        let step = |client: &Client, action: &str, body: &str| {
            let (client, action, body, rect) = (client.clone(), action.to_owned(), body.to_owned(), rect.clone());
            async move { client.call("rectification_step", &[("id", &rect), ("action", &action), ("body", &body)]).await }
        };
        let (status, v) = step(&shuanghe, "respond", "已整改").await;
        assert_eq!((status.as_u16(), v["Inspection"]["Rectification"].clone()), (422, json!("EvidenceRequired")));
        assert_eq!(step(&inspector, "close", "").await.0, 422, "nothing to verify yet");
        let binjiang = Client::demo(&server, "town.binjiang").await;
        let upload = |client: &Client| {
            let (client, rect) = (client.clone(), rect.clone());
            async move {
                let part = reqwest::multipart::Part::bytes(b"%PDF-1.4\n%test\n".to_vec()).file_name("整改报告.pdf");
                client.post_multipart(&format!("/files/rectifications/{rect}/evidence"), reqwest::multipart::Form::new().part("file", part)).await.status()
            }
        };
        assert_eq!(upload(&binjiang).await, 404, "another town's notice");
        assert_eq!(step(&binjiang, "respond", "x").await.0, 404);
        assert_eq!(upload(&shuanghe).await, 303);
        let (status, v) = step(&shuanghe, "respond", "缺勤人员已返岗，补办请假手续").await;
        assert_eq!((status.as_u16(), v.clone()), (200, json!("Responded")), "{v}");
        assert_eq!(step(&shuanghe, "respond", "再说一次").await.0, 422);
        assert_eq!(step(&inspector, "return", "").await.0, 422, "a return needs a reason");
        assert_eq!(step(&other, "close", "").await.0, 403, "not drawn for it");
        assert_eq!(step(&inspector, "return", "请补充考勤记录").await.1, json!("Returned"));
        assert_eq!(upload(&shuanghe).await, 303);
        assert_eq!(step(&shuanghe, "respond", "已补充考勤记录").await.1, json!("Responded"));
        assert_eq!(step(&inspector, "close", "复核通过").await.1, json!("Closed"));
        assert_eq!(step(&inspector, "return", "x").await.0, 422, "closed stays closed");
        let steps = detail(&finance, id).await["rectification"]["steps"].as_array().expect("steps").len();
        assert_eq!(steps, 5, "issued, responded, returned, responded, closed");
        let evidence = server.db.query(&format!("SELECT count(*) FROM rectification_evidence WHERE rectification_id = {rect} AND event_id IS NOT NULL"));
        assert_eq!(evidence, "2");

        // Overdue: waiting for the town after the deadline day.
        server.db.query(&format!("UPDATE rectifications SET status = 'issued', issued_on = '{}', deadline = '{}' WHERE id = {rect}", today() - chrono::Duration::days(40), today() - chrono::Duration::days(1)));
        let (_, alerts) = shuanghe.call("rectification_alerts", &[]).await;
        let mine = alerts[0].as_array().expect("alerts").iter().find(|r| r["id"].to_string().as_str() == rect.as_str()).expect("listed").clone();
        assert_eq!(mine["overdue"], true);
        server.db.query(&format!("UPDATE rectifications SET deadline = '{}' WHERE id = {rect}", today()));
        let (_, alerts) = shuanghe.call("rectification_alerts", &[]).await;
        let mine = alerts[0].as_array().expect("alerts").iter().find(|r| r["id"].to_string().as_str() == rect.as_str()).expect("listed").clone();
        assert_eq!(mine["overdue"], false, "the deadline day itself is in time");

        // The API, scoped.
        let v: Value = shuanghe.get("/api/v1/inspections").await.json().await.expect("json");
        let codes: Vec<&str> = v["inspections"].as_array().expect("list").iter().filter_map(|i| i["town_code"].as_str()).collect();
        assert!(!codes.is_empty() && codes.iter().all(|c| *c == "011"), "{codes:?}");
        let v: Value = shuanghe.get("/api/v1/findings").await.json().await.expect("json");
        assert!(v["findings"].as_array().expect("list").iter().all(|f| f["status"] == "confirmed" && f["rectification_id"].is_number()));
        let v: Value = finance.get("/api/v1/findings").await.json().await.expect("json");
        assert!(v["findings"].as_array().expect("list").iter().any(|f| f["status"] == "dismissed"));
        let provider = Client::demo(&server, "provider").await;
        assert_eq!(provider.get("/api/v1/inspections").await.status(), 403);
        assert_eq!(provider.call("inspections_overview", &[]).await.0, 403);
        let doc: Value = finance.get("/api/v1/openapi.json").await.json().await.expect("json");
        for path in ["/api/v1/inspection-plans", "/api/v1/inspections", "/api/v1/findings", "/api/v1/inspection-results"] {
            assert!(doc["paths"][path].is_object(), "{path} missing from openapi.json");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_fills_and_submits_the_form_with_a_photo_at_phone_width() {
    use gouzhu_tests::process::TempDir;
    use gouzhu_tests::{Browser, DEMO_PASSWORD};
    let server = Server::start(Backend::Sqlite);
    let finance = Client::demo(&server, "finance").await;
    let plan = drawn_plan(&server, &finance).await;
    // 赵磊 is drawn for 滨江 (钱敏 declared it, so 赵磊 and 孙悦 go).
    let (id, names) = inspection_of(&server, plan, "001");
    assert!(names.contains(&"inspector".to_owned()), "{names:?}");
    let dir = TempDir::new("photo");
    let photo = dir.path().join("现场.jpg");
    std::fs::write(&photo, jpeg_with_gps()).expect("photo");

    let browser = Browser::with_window(390, 844).await;
    browser.login(&server.base_url, "inspector", DEMO_PASSWORD).await;
    browser.open_hydrated(&format!("{}/inspections/{id}", server.base_url)).await;
    browser.wait_for("#inspection-form").await;
    let overflow = browser.js("return document.documentElement.scrollWidth - window.innerWidth;").await;
    assert!(overflow.as_i64().is_some_and(|px| px <= 0), "the form scrolls sideways by {overflow} px");
    // Pre-filled: the roster, and the arrival time.
    let rows = browser.js("return document.querySelectorAll('#roster-checks li').length;").await;
    assert!(rows.as_i64().is_some_and(|n| n > 0), "{rows}");
    let arrived = browser.js("return document.querySelector('[name=arrived_at]').value;").await;
    assert!(arrived.as_str().is_some_and(|v| v.len() == 16), "{arrived}");
    let set = |name: &str, value: &str| {
        format!(
            "const el = document.querySelector('#inspection-form [name=\"{name}\"]'); el.value = '{value}'; return true;"
        )
    };
    // Both times set, so that the test does not depend on the hour it runs
    // at (a departure before the prefilled arrival "now" is refused).
    browser.js(&set("arrived_at", &format!("{}T09:05", today()))).await;
    browser.js(&set("left_at", &format!("{}T11:20", today()))).await;
    browser.js(&set("headcount", "3")).await;
    browser.wait_for("#roster-checks li input[name=absent]").await.click().await.expect("tick absent");
    browser.wait_for("input[name='answer:on_post'][value=yes]").await.click().await.expect("yes");
    browser.js(&set("answer:visits", "9")).await;
    let file = browser.wait_for("input[type=file][name='photo:workplace']").await;
    assert_eq!(file.attr("capture").await.expect("attr").as_deref(), Some("environment"));
    file.send_keys(photo.to_str().expect("path")).await.expect("attach the photo");
    browser.wait_for("#submit-inspection").await.click().await.expect("submit");
    browser.wait_for("#inspection-record").await;
    assert_eq!(browser.text("#record-headcount").await, "3");
    assert!(browser.text("#inspection-status").await.contains("已提交"));
    browser.wait_for("#inspection-record a.photo-link").await;
    assert_eq!(server.db.query(&format!("SELECT status FROM inspections WHERE id = {id}")), "submitted");
    assert_eq!(
        server.db.query(&format!("SELECT count(*) FROM inspection_photos WHERE inspection_id = {id}")),
        "1"
    );
    assert!(
        server
            .db
            .query(&format!("SELECT count(*) FROM findings WHERE inspection_id = {id}"))
            .parse::<i64>()
            .expect("n")
            > 0
    );
    browser.close().await;
}
