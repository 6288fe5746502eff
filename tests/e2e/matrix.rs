//! The route matrix: every route the server registers (as `gouzhu routes`
//! lists them), requested by nobody, by a user of every role, and by a
//! user outside the data's scope; each answer must match the access table
//! in `app/src/policy.rs`. A route without a rule fails here (and the
//! server refuses to start with one).

use std::process::Command;

use gouzhu_tests::server::gouzhu;
use gouzhu_tests::{Backend, Client, DEMO_USERS, Server};
use reqwest::StatusCode;
use serde_json::Value;

/// What the table says a request should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Allowed,
    SignInRequired,
    Forbidden,
}

fn routes() -> Vec<Value> {
    let out = Command::new(gouzhu_tests::gouzhu_bin()).arg("routes").output().expect("gouzhu routes");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("routes JSON")
}

fn expected(route: &Value, role: Option<&str>) -> Expected {
    match (&route["access"], role) {
        (Value::String(a), _) if a == "public" => Expected::Allowed,
        (_, None) => Expected::SignInRequired,
        (Value::String(a), Some(_)) if a == "signed_in" => Expected::Allowed,
        (Value::Array(roles), Some(role)) if roles.iter().any(|r| r == role) => Expected::Allowed,
        (Value::Array(_), Some(_)) => Expected::Forbidden,
        (other, _) => panic!("route {} has no access rule: {other}", route["path"]),
    }
}

/// Row ids the concrete requests name: per town code, the town's id and
/// one of its staff; per roster keeper, an import of their own.
struct Ids {
    towns: Vec<(String, String, String)>,
    imports: Vec<(String, String)>,
    /// Per payroll reader, a finished pay-slips job of their own.
    jobs: Vec<(String, String)>,
    /// Budget source attachments: one of a district source, one of each
    /// demo town's own funds.
    attachments: Vec<(Option<String>, String)>,
    /// The demo's fiscal year.
    year: String,
    /// Per town code, its project and contract; `None`: the bureau's.
    contracts: Vec<(Option<String>, String, String)>,
    /// Per user, a service report and an evidence file within their scope
    /// (`None`: the bureau's staff).
    services: Vec<(Option<String>, String, String)>,
    /// Per demo town code: its inspection, a photo of it, its
    /// rectification and an evidence file of that.
    inspections: Vec<(String, [String; 4])>,
}

impl Ids {
    async fn load(server: &Server) -> Ids {
        let towns: Vec<(String, String, String)> = ["001", "011"]
            .into_iter()
            .map(|code| {
                let town = server.db.query(&format!("SELECT id FROM towns WHERE code = '{code}'"));
                let staff = server.db.query(&format!("SELECT min(id) FROM staff WHERE town_id = {town}"));
                (code.to_owned(), town, staff)
            })
            .collect();
        let mut imports = Vec::new();
        for (username, role) in DEMO_USERS {
            if *role == "finance" || *role == "town" {
                let client = Client::demo(server, username).await;
                let id =
                    gouzhu_tests::roster_file::upload(&client, b"not a workbook".to_vec(), "x.xlsx", "all")
                        .await
                        .to_string();
                imports.push(((*username).to_owned(), id));
            }
        }
        let run = server.db.query("SELECT max(id) FROM payroll_runs WHERE status IN ('approved', 'paid')");
        let mut jobs = Vec::new();
        for (username, role) in DEMO_USERS {
            if ["finance", "approver", "auditor", "town"].contains(role) {
                let client = Client::demo(server, username).await;
                let (status, job) =
                    client.call("start_slips_job", &[("run_id", &run), ("english", "false")]).await;
                assert_eq!(status, 200, "{job}");
                let id = job["id"].as_str().expect("job id").to_owned();
                while client.call("slips_job", &[("id", &id)]).await.1["status"] == "running" {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                jobs.push(((*username).to_owned(), id));
            }
        }
        let finance = Client::demo(server, "finance").await;
        let mut attachments = Vec::new();
        for (user, source) in [(None, "1"), (Some("town.binjiang"), "5"), (Some("town.shuanghe"), "6")] {
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n".to_vec()).file_name("doc.pdf"));
            let res =
                finance.post_multipart(&format!("/files/budget/sources/{source}/attachments"), form).await;
            assert_eq!(res.status(), 303);
            let id = server
                .db
                .query(&format!("SELECT max(id) FROM budget_attachments WHERE source_id = {source}"));
            attachments.push((user.map(str::to_owned), id));
        }
        let year = server.db.query("SELECT max(year) FROM fiscal_years");
        let mut contracts = vec![(
            None,
            server.db.query("SELECT min(project_id) FROM contracts WHERE town_id IS NULL"),
            server.db.query("SELECT min(id) FROM contracts WHERE town_id IS NULL"),
        )];
        for (code, _, _) in &towns {
            let town = format!("(SELECT id FROM towns WHERE code = '{code}')");
            contracts.push((
                Some(code.clone()),
                server.db.query(&format!("SELECT min(id) FROM procurement_projects WHERE town_id = {town}")),
                server.db.query(&format!("SELECT min(id) FROM contracts WHERE town_id = {town}")),
            ));
        }
        let services = service_ids(server, &contracts).await;
        let inspections = inspection_ids(server).await;
        Ids { towns, imports, jobs, attachments, year, contracts, services, inspections }
    }
}

/// Reports and evidence for each kind of reader: the demo's for the
/// bureau and the demo provider; for each demo town (and 渝安, serving
/// 双河) a report on the town's own contract and a photo on a record of
/// someone living there.
async fn service_ids(
    server: &Server,
    contracts: &[(Option<String>, String, String)],
) -> Vec<(Option<String>, String, String)> {
    let a = Client::demo(server, "provider").await;
    let b = Client::demo(server, "provider.yuan").await;
    let supplier =
        |u: &str| server.db.query(&format!("SELECT supplier_id FROM users WHERE username = '{u}'"));
    let (sa, sb) = (supplier("provider"), supplier("provider.yuan"));
    let town = |code: &str| format!("(SELECT id FROM towns WHERE code = '{code}')");
    let photo = |client: &Client, record: String| {
        let client = client.clone();
        async move {
            let part = reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\n".to_vec()).file_name("p.png");
            let res = client
                .post_multipart(
                    &format!("/files/service-records/{record}/evidence"),
                    reqwest::multipart::Form::new().part("file", part),
                )
                .await;
            assert_eq!(res.status(), 303);
        }
    };
    photo(
        &a,
        server.db.query(&format!(
            "SELECT max(id) FROM service_records WHERE supplier_id = {sa} AND town_id = {}",
            town("001")
        )),
    )
    .await;
    let in_binjiang = server.db.query("SELECT max(id) FROM service_evidence");
    photo(&b, server.db.query(&format!("SELECT max(id) FROM service_records WHERE supplier_id = {sb}")))
        .await;
    let of_yuan = server.db.query("SELECT max(id) FROM service_evidence");
    let yesterday = ((chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
        - chrono::Duration::days(1))
    .to_string();
    let report = |client: &Client, code: &str| {
        let client = client.clone();
        let contract =
            contracts.iter().find(|c| c.0.as_deref() == Some(code)).expect("town contract").2.clone();
        let from = server.db.query(&format!("SELECT start_on FROM contracts WHERE id = {contract}"));
        let yesterday = yesterday.clone();
        async move {
            let form = serde_json::json!({ "form": { "contract_id": contract.parse::<i64>().expect("the expected value"), "period_from": from, "period_to": yesterday, "milestone_id": null, "summary": "测试报告", "statements": [] } });
            let (status, id) = client.call_json("submit_service_report", &form).await;
            assert_eq!(status, 200, "{id}");
            id.to_string()
        }
    };
    let binjiang_report = report(&a, "001").await;
    let shuanghe_report = report(&b, "011").await;
    let bureau = (
        server.db.query("SELECT min(id) FROM service_reports"),
        server.db.query("SELECT min(id) FROM service_evidence"),
    );
    vec![
        (None, bureau.0.clone(), bureau.1.clone()),
        (Some("provider".into()), bureau.0, bureau.1),
        (Some("town.binjiang".into()), binjiang_report, in_binjiang),
        (Some("town.shuanghe".into()), shuanghe_report.clone(), of_yuan.clone()),
        (Some("provider.yuan".into()), shuanghe_report, of_yuan),
    ]
}

/// The demo's inspections of 滨江 and 双河 with a photo, the notice and an
/// evidence file each (双河's overdue notice gets one here).
async fn inspection_ids(server: &Server) -> Vec<(String, [String; 4])> {
    let mut out = Vec::new();
    for (code, user) in [("001", "town.binjiang"), ("011", "town.shuanghe")] {
        let town = format!("(SELECT id FROM towns WHERE code = '{code}')");
        let inspection = server.db.query(&format!("SELECT min(id) FROM inspections WHERE town_id = {town}"));
        let photo = server
            .db
            .query(&format!("SELECT min(id) FROM inspection_photos WHERE inspection_id = {inspection}"));
        let rect =
            server.db.query(&format!("SELECT id FROM rectifications WHERE inspection_id = {inspection}"));
        let mut evidence = server
            .db
            .query(&format!("SELECT min(id) FROM rectification_evidence WHERE rectification_id = {rect}"));
        if evidence.is_empty() {
            let client = Client::demo(server, user).await;
            let part = reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\n".to_vec()).file_name("e.png");
            let res = client
                .post_multipart(
                    &format!("/files/rectifications/{rect}/evidence"),
                    reqwest::multipart::Form::new().part("file", part),
                )
                .await;
            assert_eq!(res.status(), 303);
            evidence = server.db.query(&format!(
                "SELECT min(id) FROM rectification_evidence WHERE rectification_id = {rect}"
            ));
        }
        out.push((code.to_owned(), [inspection, photo, rect, evidence]));
    }
    out
}

/// A concrete request for a route pattern, within `username`'s scope (the
/// out-of-scope answers are checked separately below).
fn concrete(path: &str, username: Option<&str>, ids: &Ids) -> String {
    let code = if username == Some("town.shuanghe") { "011" } else { "001" };
    let (_, town, staff) = ids.towns.iter().find(|t| t.0 == code).expect("town");
    let import =
        ids.imports.iter().find(|(u, _)| Some(u.as_str()) == username).map_or("1", |(_, id)| id.as_str());
    let job =
        ids.jobs.iter().find(|(u, _)| Some(u.as_str()) == username).map_or("none", |(_, id)| id.as_str());
    let attachment = ids
        .attachments
        .iter()
        .find(|(u, _)| u.as_deref() == username)
        .or_else(|| ids.attachments.first())
        .map_or("1", |(_, id)| id.as_str());
    // 渝安's user sees 双河's contract, the one it serves.
    let scope = match username {
        Some(u) if u.starts_with("town.") => Some(code.to_owned()),
        Some("provider.yuan") => Some("011".to_owned()),
        _ => None,
    };
    let (_, project, contract) = ids.contracts.iter().find(|c| c.0 == scope).expect("contract ids");
    let (_, report, evidence) = ids
        .services
        .iter()
        .find(|s| s.0.as_deref() == username)
        .or_else(|| ids.services.first())
        .expect("service ids");
    let [inspection, photo, rect, rect_evidence] =
        &ids.inspections.iter().find(|i| i.0 == code).expect("inspection ids").1;
    let id = if path.starts_with("/towns/") {
        town.as_str()
    } else if path.starts_with("/files/jobs/") {
        job
    } else if path.starts_with("/roster-imports/") || path.starts_with("/files/roster-imports/") {
        import
    } else if path.starts_with("/roster/") {
        staff.as_str()
    } else if path.starts_with("/files/budget/attachments/") {
        attachment
    } else if path.starts_with("/contracts/")
        || path.starts_with("/files/contracts/")
        || path.starts_with("/api/v1/contracts/")
    {
        contract.as_str()
    } else if path.starts_with("/procurement/") {
        project.as_str()
    } else if path.starts_with("/services/reports/") {
        report.as_str()
    } else if path.starts_with("/files/evidence/") {
        evidence.as_str()
    } else if path.starts_with("/inspections/plans/") {
        // The demo's plan.
        "1"
    } else if path.starts_with("/inspections/") || path.starts_with("/files/inspections/") {
        inspection.as_str()
    } else if path.starts_with("/files/inspection-photos/") {
        photo.as_str()
    } else if path.starts_with("/files/rectifications/") {
        rect.as_str()
    } else if path.starts_with("/files/rectification-evidence/") {
        rect_evidence.as_str()
    } else if path.starts_with("/budget/sources/") {
        // The demo's sources: district ones first, then each demo town's
        // own funds (a town user sees only their own).
        match username {
            Some("town.binjiang") => "5",
            Some("town.shuanghe") => "6",
            _ => "1",
        }
    } else {
        // Allocation plan No. 1 of the demo.
        "1"
    };
    path.replace("{code}", code)
        .replace("{id}", id)
        .replace("{year}", &ids.year)
        .replace("{template}", "contract-social-work")
        .replace("/*", "/gouzhu.js")
}

/// What the server actually did. An allowed page, file or API request
/// must succeed; an allowed server function called without arguments must
/// get past the access check (its arguments are then refused).
fn observed(method: &str, status: StatusCode, location: Option<&str>) -> Option<Expected> {
    match status.as_u16() {
        401 => Some(Expected::SignInRequired),
        303 if location.is_some_and(|l| l.starts_with("/login")) => Some(Expected::SignInRequired),
        403 => Some(Expected::Forbidden),
        _ if method == "GET" && !status.is_success() => None,
        _ => Some(Expected::Allowed),
    }
}

async fn request(
    client: &Client,
    username: Option<&str>,
    route: &Value,
    ids: &Ids,
) -> (StatusCode, Option<String>) {
    let path = concrete(route["path"].as_str().expect("path"), username, ids);
    let res = match route["method"].as_str() {
        Some("GET") => client.get(&path).await,
        Some("POST") => client.post_form(&path, &[]).await,
        other => panic!("unexpected method {other:?}"),
    };
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (res.status(), location)
}

both_backends! {
    async fn every_route_answers_every_role_as_the_table_says(backend: Backend) {
        let server = Server::start(backend);
        let mut routes = routes();
        assert!(routes.len() >= 30, "only {} routes listed", routes.len());
        for r in &routes {
            assert!(!r["kind"].is_null(), "route without an access rule: {} {}", r["method"], r["path"]);
        }
        // Signing out last, so it does not end the session mid-walk.
        routes.sort_by_key(|r| r["path"] == "/api/logout");

        let ids = Ids::load(&server).await;
        let mut failures = Vec::new();
        let anonymous = Client::anonymous(&server);
        for route in &routes {
            let (status, location) = request(&anonymous, None, route, &ids).await;
            let want = expected(route, None);
            if observed(route["method"].as_str().unwrap_or(""), status, location.as_deref()) != Some(want) {
                failures.push(format!("anonymous {} {}: {status} {location:?}, want {want:?}", route["method"], route["path"]));
            }
        }
        for (username, role) in DEMO_USERS {
            let client = Client::demo(&server, username).await;
            for route in &routes {
                let (status, location) = request(&client, Some(username), route, &ids).await;
                let want = expected(route, Some(role));
                if observed(route["method"].as_str().unwrap_or(""), status, location.as_deref()) != Some(want) {
                    failures.push(format!("{username} {} {}: {status} {location:?}, want {want:?}", route["method"], route["path"]));
                }
            }
        }
        assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    }

    async fn users_outside_the_datas_scope_are_refused(backend: Backend) {
        let server = Server::start(backend);
        // town.shuanghe is a town user, allowed on the route, but 001 is
        // 滨江街道, not their town.
        let own = Client::demo(&server, "town.binjiang").await;
        let other = Client::demo(&server, "town.shuanghe").await;
        assert_eq!(own.get("/api/v1/towns/001").await.status(), 200);
        assert_eq!(other.get("/api/v1/towns/001").await.status(), 403);
        let listed: Value = other.get("/api/v1/towns").await.json().await.expect("json");
        let names: Vec<&str> = listed["towns"].as_array().expect("towns").iter().filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(names, ["双河镇"]);
        // A provider holds no town at all.
        let provider = Client::demo(&server, "provider").await;
        assert_eq!(provider.get("/api/v1/towns/001").await.status(), 403);
        assert_eq!(provider.call("dashboard", &[]).await.0, 403);
    }
}

both_backends! {
    async fn districts_see_nothing_of_each_other(backend: Backend) {
        let server = Server::start(backend);
        server.db.query("INSERT INTO districts (code, name, name_en) VALUES ('500198', '对照区', 'Control District')");
        let out = gouzhu(&server.db, &["user", "create", "--district", "500198", "--username", "other.admin", "--name", "外区管理员", "--roles", "admin,auditor"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let temporary = stdout.rsplit(": ").next().expect("password").trim().to_owned();
        let other = Client::login(&server, "other.admin", &temporary).await.expect("login");
        let change = [("current", temporary.as_str()), ("new", "Other-District-2026"), ("confirm", "Other-District-2026")];
        assert_eq!(other.call("change_password", &change).await.0, 200);

        // Their users are their own.
        let (_, page) = other.call("list_users", &[]).await;
        let names: Vec<&str> = page["users"].as_array().expect("users").iter().filter_map(|u| u["username"].as_str()).collect();
        assert_eq!(names, ["other.admin"]);
        assert!(page["towns"].as_array().is_some_and(Vec::is_empty));
        // Nothing of the demo district can be read or changed from there.
        let admin = Client::demo(&server, "admin").await;
        let (_, demo_users) = admin.call("list_users", &[]).await;
        let finance = demo_users["users"].as_array().and_then(|u| u.iter().find(|u| u["username"] == "finance")).expect("finance").clone();
        let id = finance["id"].to_string();
        assert_eq!(other.call("set_user_disabled", &[("id", &id), ("disabled", "true")]).await.0, 404);
        assert_eq!(other.call("reset_password", &[("id", &id)]).await.0, 404);
        let (status, _) = other.call_json("update_user", &json_edit(&finance)).await;
        assert_eq!(status, 404);
        assert_eq!(other.get("/api/v1/towns/001").await.status(), 404);
        let (_, dashboard) = other.call("dashboard", &[]).await;
        assert_eq!(dashboard["district"]["code"], "500198");
        assert_eq!(dashboard["totals"]["posts"], 0);
        let (_, inbox) = other.call("list_approvals", &[]).await;
        assert!(inbox["items"].as_array().is_some_and(Vec::is_empty));
        // Their audit log holds their district's entries, not the demo's.
        let (_, log) = other.call_json("audit_entries", &serde_json::json!({ "query": {
            "username": "", "entity": "", "from": null, "to": null, "before_seq": null,
        }})).await;
        let entries = log["entries"].as_array().expect("entries");
        assert!(!entries.is_empty());
        assert!(entries.iter().all(|e| e["district_id"] != 1), "the demo district's entries leaked");
        // And the demo admin sees nothing of theirs.
        let names: Vec<&str> = demo_users["users"].as_array().expect("users").iter().filter_map(|u| u["username"].as_str()).collect();
        assert!(!names.contains(&"other.admin"));
    }
}

fn json_edit(user: &Value) -> Value {
    serde_json::json!({
        "id": user["id"], "version": user["version"],
        "input": { "username": user["username"], "display_name": "改名", "roles": ["finance"], "town_id": null, "supplier_id": null },
    })
}

/// A server function's name and form fields.
type Call = (&'static str, Vec<(&'static str, String)>);

/// The ids of `owner`'s own things that the other town (or provider) of
/// the pair may not see: (what, server function and its fields, or the
/// GET paths) built from [`Ids`].
struct Owned {
    /// Server functions reading one of the owner's things by id.
    reads: Vec<Call>,
    /// Server functions reading a list filtered to the owner's town: the
    /// answer must be the intruder's own (as without the filter).
    /// (the call with the owner's town, its fields without the filter)
    filtered: Vec<(Call, Vec<(&'static str, String)>)>,
}

fn owned(owner: &str, ids: &Ids, run: &str) -> Owned {
    let mut reads = Vec::new();
    let mut filtered = Vec::new();
    let contract_of =
        |scope: Option<&str>| ids.contracts.iter().find(|c| c.0.as_deref() == scope).expect("contract");
    if let Some(code) = match owner {
        "town.binjiang" => Some("001"),
        "town.shuanghe" => Some("011"),
        _ => None,
    } {
        let (_, town, staff) = ids.towns.iter().find(|t| t.0 == code).expect("town");
        let (_, project, contract) = contract_of(Some(code));
        let [inspection, ..] = &ids.inspections.iter().find(|i| i.0 == code).expect("inspection").1;
        let source = if code == "001" { "5" } else { "6" };
        reads.push(("person", vec![("staff_id", staff.clone())]));
        reads.push(("town_detail", vec![("town_id", town.clone())]));
        reads.push(("budget_source", vec![("id", source.to_owned()), ("page", "0".into())]));
        reads.push(("project_detail", vec![("id", project.clone())]));
        reads.push(("contract_detail", vec![("id", contract.clone())]));
        reads.push(("inspection_page", vec![("id", inspection.clone())]));
        if let Some((_, job)) = ids.jobs.iter().find(|(u, _)| u == owner) {
            reads.push(("slips_job", vec![("id", job.clone())]));
        }
        if let Some((_, report, _)) = ids.services.iter().find(|s| s.0.as_deref() == Some(owner)) {
            reads.push(("service_report_detail", vec![("id", report.clone())]));
        }
        filtered.push((("roster", vec![("town_id", town.clone())]), vec![]));
        filtered.push((
            ("payroll_run", vec![("run_id", run.to_owned()), ("town", town.clone()), ("page", "0".into())]),
            vec![("run_id", run.to_owned()), ("page", "0".into())],
        ));
    } else {
        // 示范中心 holds the bureau's contract and 滨江's; 渝安 双河's.
        // (Providers read no procurement project at all: the route
        // matrix checks that.)
        let scopes: &[Option<&str>] = if owner == "provider" { &[None, Some("001")] } else { &[Some("011")] };
        for scope in scopes {
            let (_, _, contract) = contract_of(*scope);
            reads.push(("contract_detail", vec![("id", contract.clone())]));
        }
        let (_, report, _) = ids.services.iter().find(|s| s.0.as_deref() == Some(owner)).expect("report");
        reads.push(("service_report_detail", vec![("id", report.clone())]));
    }
    Owned { reads, filtered }
}

both_backends! {
    /// The out-of-scope pass (issue 10, item 5): for each pair of users of
    /// the same role and different scope (滨江 and 双河, 示范中心 and
    /// 渝安), each in turn asks for the other's things: every GET route of
    /// the table with an id in its path (files and API; pages get their
    /// data from the server functions below) with the owner's id, every
    /// server function reading one thing by id, the lists filtered to the
    /// owner's town, and, for providers, voiding and adding evidence to
    /// the owner's records. Nothing may answer with the owner's data or
    /// change it; the owner gets each of them (so none is refused for a
    /// wrong argument).
    async fn no_town_or_provider_reaches_the_other_ones_data(backend: Backend) {
        let server = Server::start(backend);
        let ids = Ids::load(&server).await;
        let run = server.db.query("SELECT max(id) FROM payroll_runs WHERE status IN ('approved', 'paid')");
        let routes = routes();
        let mut failures = Vec::new();
        let mut checked = 0;
        for (owner, intruder, role) in [
            ("town.binjiang", "town.shuanghe", "town"),
            ("town.shuanghe", "town.binjiang", "town"),
            ("provider", "provider.yuan", "provider"),
            ("provider.yuan", "provider", "provider"),
        ] {
            let mine = Client::demo(&server, owner).await;
            let theirs = Client::demo(&server, intruder).await;
            // GET routes with an id, allowed to the role.
            for route in &routes {
                let pattern = route["path"].as_str().unwrap_or("");
                let data = pattern.starts_with("/files/") || pattern.starts_with("/api/v1/");
                if route["method"] != "GET" || !pattern.contains('{') || !data || expected(route, Some(role)) != Expected::Allowed {
                    continue;
                }
                let (path, own_path) = (concrete(pattern, Some(owner), &ids), concrete(pattern, Some(intruder), &ids));
                if path == own_path {
                    continue;
                }
                let owners = mine.get(&path).await.status();
                let status = theirs.get(&path).await.status();
                checked += 1;
                if owners != 200 {
                    failures.push(format!("{owner} GET {path}: {owners}, so the pass proves nothing"));
                } else if status.is_success() {
                    failures.push(format!("{intruder} GET {path} (of {owner}): {status}"));
                }
            }
            let Owned { reads, filtered } = owned(owner, &ids, &run);
            for (name, fields) in &reads {
                let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let (owners, _) = mine.call(name, &fields).await;
                let (status, body) = theirs.call(name, &fields).await;
                checked += 1;
                if owners != 200 {
                    failures.push(format!("{owner} {name} {fields:?}: {owners}, so the pass proves nothing"));
                } else if status.is_success() {
                    failures.push(format!("{intruder} {name} {fields:?} (of {owner}): {status} {body}"));
                }
            }
            for ((name, fields), unfiltered) in &filtered {
                let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let unfiltered: Vec<(&str, &str)> = unfiltered.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let (status, body) = theirs.call(name, &fields).await;
                let (_, own) = theirs.call(name, &unfiltered).await;
                checked += 1;
                if status.is_success() && body != own {
                    failures.push(format!("{intruder} {name} {fields:?} (of {owner}): {status}, not their own list"));
                }
            }
            if role == "provider" {
                // Writes: void the owner's record, add evidence to it.
                let supplier = server.db.query(&format!("SELECT supplier_id FROM users WHERE username = '{owner}'"));
                let record = server.db.query(&format!(
                    "SELECT max(id) FROM service_records WHERE supplier_id = {supplier} AND voided_at IS NULL"
                ));
                let evidence = || server.db.query(&format!("SELECT count(*) FROM service_evidence WHERE record_id = {record}"));
                let before = evidence();
                let (status, body) = theirs.call("void_service_record", &[("id", &record), ("reason", "越权作废")]).await;
                checked += 1;
                if status.is_success() {
                    failures.push(format!("{intruder} voided {owner}'s record {record}: {status} {body}"));
                }
                let part = reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\n".to_vec()).file_name("p.png");
                let res = theirs
                    .post_multipart(&format!("/files/service-records/{record}/evidence"), reqwest::multipart::Form::new().part("file", part))
                    .await;
                checked += 1;
                let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                if res.status().is_success() || (res.status() == 303 && !location.contains("problem")) {
                    failures.push(format!("{intruder} added evidence to {owner}'s record {record}: {} {location}", res.status()));
                }
                let voided = server.db.query(&format!("SELECT count(*) FROM service_records WHERE id = {record} AND voided_at IS NOT NULL"));
                if voided != "0" || evidence() != before {
                    failures.push(format!("{owner}'s record {record} was changed by {intruder}"));
                }
            }
        }
        println!("out-of-scope requests checked: {checked}");
        assert!(checked >= 40, "only {checked} requests checked");
        assert!(failures.is_empty(), "{} crossings:\n{}", failures.len(), failures.join("\n"));
    }
}
