//! Deliverables on both backends: the demo's two providers, records,
//! reports and red flags; isolation between providers (and towns) on every
//! server function, file route and `/api/v1` route of the module; evidence
//! uploads checked by content with photo locations removed; a report's
//! review releasing a milestone's payment; the API's idempotent creates.

use gouzhu_tests::{Backend, Client, Server};
use serde_json::{Value, json};

use crate::budget::approve_latest;

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

async fn overview(client: &Client, contract: Option<i64>) -> Value {
    let c = contract.map(|c| c.to_string());
    let fields: Vec<(&str, &str)> = c.as_deref().map(|c| vec![("contract", c)]).unwrap_or_default();
    let (status, o) = client.call("services_overview", &fields).await;
    assert_eq!(status, 200, "{o}");
    o
}

/// The id of the contract whose number/title matches `pred`.
fn contract(o: &Value, pred: impl Fn(&Value) -> bool) -> i64 {
    o["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .find(|c| pred(c))
        .and_then(|c| c["id"].as_i64())
        .unwrap_or_else(|| panic!("contract in {o}"))
}

fn services_contract(o: &Value) -> i64 {
    contract(o, |c| c["town_contract"] == false)
}

fn kinds(flags: &Value) -> Vec<String> {
    flags
        .as_array()
        .expect("flags")
        .iter()
        .filter_map(|f| f.as_object().and_then(|o| o.keys().next().cloned()))
        .collect()
}

/// All service records `client` may read through `/api/v1`.
async fn api_records(client: &Client) -> Vec<Value> {
    let res = client.get("/api/v1/service-records?limit=5000").await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.expect("json");
    v["records"].as_array().expect("records").clone()
}

async fn supplier_of(client: &Client) -> i64 {
    let me: Value = client.get("/api/v1/me").await.json().await.expect("json");
    me["supplier_id"].as_i64().expect("a provider")
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

async fn upload(client: &Client, record: i64, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    client.post_multipart(&format!("/files/service-records/{record}/evidence"), form).await
}

both_backends! {
    async fn the_demo_has_two_providers_records_reports_and_every_red_flag(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let o = overview(&finance, None).await;
        let mut found = kinds(&o["flags"]);
        found.sort();
        assert_eq!(found, ["DoubleService", "OutsideArea", "SharedEvidence", "WorkerOverDay"], "{}", o["flags"]);
        let statuses: Vec<&str> = o["reports"].as_array().expect("reports").iter().filter_map(|r| r["status"].as_str()).collect();
        assert!(statuses.contains(&"accepted") && statuses.contains(&"returned"), "{statuses:?}");
        let accepted = o["reports"].as_array().expect("the expected value").iter().find(|r| r["status"] == "accepted").expect("the expected value");
        assert_eq!(accepted["grade"], "Excellent", "weights 40/30/30 of 92/88/90 give 90.2: {accepted}");
        assert_eq!(accepted["total"], "90.2");

        // Two organisations with months of records.
        let a = Client::demo(&server, "provider").await;
        let b = Client::demo(&server, "provider.yuan").await;
        let (sa, sb) = (supplier_of(&a).await, supplier_of(&b).await);
        assert_ne!(sa, sb);
        for (client, supplier) in [(&a, sa), (&b, sb)] {
            let records = api_records(client).await;
            assert!(records.len() > 20, "{} records", records.len());
            assert!(records.iter().all(|r| r["supplier_id"] == supplier));
            let months: std::collections::BTreeSet<&str> = records.iter().filter_map(|r| r["started_at"].as_str().map(|s| &s[..7])).collect();
            assert!(months.len() >= 3, "records in {months:?}");
            // Providers are not shown the flags (they name others).
            assert!(overview(client, None).await["flags"].as_array().expect("the expected value").is_empty());
        }
        // Progress against the counted indicators of the bureau contract.
        let id = services_contract(&o);
        let p = overview(&finance, Some(id)).await["progress"].clone();
        let visits = &p["indicators"][0];
        assert_eq!(visits["service_code"], "visits");
        assert_eq!(visits["target"], "2400");
        assert!(visits["progress"]["total"].as_str().expect("the expected value").parse::<f64>().expect("the expected value") > 10.0, "{p}");
        assert!(visits["progress"]["by_month"].as_array().expect("the expected value").len() >= 3);
        assert!(p["indicators"][2]["progress"].is_null(), "satisfaction is scored, not counted");
        // The pages render for both.
        for client in [&finance, &a] {
            let res = client.get(&format!("/services?contract={id}")).await;
            assert_eq!(res.status(), 200);
            let html = res.text().await.expect("the expected value");
            assert!(html.contains("服务记录") && html.contains("bar-chart"), "the services page");
        }
    }

    async fn providers_and_towns_never_reach_across_their_scope(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let a = Client::demo(&server, "provider").await;
        let b = Client::demo(&server, "provider.yuan").await;
        let sb = supplier_of(&b).await;
        let all = api_records(&finance).await;
        let of_b = all.iter().find(|r| r["supplier_id"] == sb).and_then(|r| r["id"].as_i64()).expect("a record of B");
        let with_evidence = all.iter().find(|r| r["supplier_id"] != sb && !r["evidence"].as_array().expect("the expected value").is_empty()).expect("A's evidence");
        let (a_record, a_evidence) = (with_evidence["id"].as_i64().expect("the expected value"), with_evidence["evidence"][0]["id"].as_i64().expect("the expected value"));
        let o = overview(&finance, None).await;
        let a_report = o["reports"][0]["id"].as_i64().expect("a report of A");
        let a_contract = services_contract(&o);

        // B reads none of A's records, evidence, reports or contract.
        assert_eq!(b.get(&format!("/files/evidence/{a_evidence}")).await.status(), 404);
        assert_eq!(a.get(&format!("/files/evidence/{a_evidence}")).await.status(), 200);
        assert_eq!(b.call("service_report_detail", &[("id", &a_report.to_string())]).await.0, 404);
        let ob = overview(&b, Some(a_contract)).await;
        assert!(ob["selected"].is_null() && ob["progress"].is_null());
        assert!(ob["records"].as_array().expect("the expected value").iter().all(|r| r["supplier_id"] == sb));
        assert!(ob["contracts"].as_array().expect("the expected value").iter().all(|c| c["id"] != a_contract));
        // ... nor changes them.
        assert_eq!(b.call("void_service_record", &[("id", &a_record.to_string()), ("reason", "x")]).await.0, 404);
        assert_eq!(a.call("void_service_record", &[("id", &of_b.to_string()), ("reason", "x")]).await.0, 404);
        assert_eq!(upload(&b, a_record, "a.png", jpeg_with_gps()).await.status(), 404);
        let form = json!({ "form": { "contract_id": a_contract, "recipient_id": null, "service_code": "visits", "started_at": format!("{}T09:00", today() - chrono::Duration::days(1)), "minutes": "30", "worker": "孙强", "notes": "", "location": "", "keep_location": false } });
        let (status, e) = b.call_json("save_service_record", &form).await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("Contract"), "{e}");
        assert_eq!(b.call_json("review_service_report", &json!({ "id": a_report, "version": 1, "accept": false, "scores": [], "comment": "x" })).await.0, 403);
        assert_eq!(a.call_json("review_service_report", &json!({ "id": a_report, "version": 1, "accept": false, "scores": [], "comment": "x" })).await.0, 403);
        assert_eq!(b.call_json("set_contract_area", &json!({ "contract_id": a_contract, "towns": [] })).await.0, 403);

        // Recipients: B sees 双河's only, with masked numbers; A may not
        // record a service for someone outside its contracts' areas.
        let (_, rb) = b.call("recipient_list", &[]).await;
        let towns: std::collections::BTreeSet<&str> = rb["recipients"].as_array().expect("the expected value").iter().filter_map(|r| r["town"].as_str()).collect();
        assert_eq!(towns.into_iter().collect::<Vec<_>>(), ["双河镇"]);
        assert!(rb["recipients"].as_array().expect("the expected value").iter().all(|r| r["id_number"].as_str().expect("the expected value").contains('*')));
        assert_eq!(rb["may_edit"], false);
        let (_, rf) = finance.call("recipient_list", &[]).await;
        let outside_b = rf["recipients"].as_array().expect("the expected value").iter().find(|r| r["town"] != "双河镇").and_then(|r| r["id"].as_i64()).expect("the expected value");
        let b_contract = contract(&overview(&b, None).await, |_| true);
        let form = json!({ "form": { "contract_id": b_contract, "recipient_id": outside_b, "service_code": "visits", "started_at": format!("{}T09:00", today() - chrono::Duration::days(1)), "minutes": "30", "worker": "孙强", "notes": "", "location": "", "keep_location": false } });
        let (status, e) = b.call_json("save_service_record", &form).await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("UnknownRecipient"), "{e}");
        // Finance sees whole numbers.
        assert!(rf["recipients"].as_array().expect("the expected value").iter().all(|r| !r["id_number"].as_str().expect("the expected value").contains('*')));

        // A town sees its own town's recipients and records.
        let town = Client::demo(&server, "town.binjiang").await;
        let (_, rt) = town.call("recipient_list", &[]).await;
        assert!(rt["recipients"].as_array().expect("the expected value").iter().all(|r| r["town"] == "滨江街道"), "{rt}");
        let records = api_records(&town).await;
        assert!(!records.is_empty());
        let binjiang = records[0]["town_id"].clone();
        assert!(records.iter().all(|r| r["town_id"] == binjiang));
        assert_eq!(town.call_json("register_recipient", &json!({ "form": { "name": "测试", "id_number": "11010519491231002X", "category": "dibao", "priority": [], "town_id": 99999, "village": "某村", "address": "" } })).await.0, 422);
        // A town changes its own people only; a provider changes nobody.
        let (_, rt) = town.call("recipient_list", &[]).await;
        let mine = &rt["recipients"][0];
        let change = |r: &Value| json!({ "id": r["id"], "version": r["version"], "priority": ["elderly"], "active": false });
        let (status, e) = town.call_json("update_recipient", &change(mine)).await;
        assert_eq!(status, 200, "{e}");
        assert_eq!(town.call_json("update_recipient", &change(mine)).await.0, 409, "a stale version");
        let theirs = rf["recipients"].as_array().expect("the expected value").iter().find(|r| r["town"] == "双河镇").expect("the expected value");
        assert_eq!(town.call_json("update_recipient", &change(theirs)).await.0, 404);
        assert_eq!(a.call_json("update_recipient", &change(theirs)).await.0, 403);
        // B may not report on A's contract.
        let report = json!({ "form": { "contract_id": a_contract, "period_from": "2026-01-01", "period_to": "2026-01-31", "milestone_id": null, "summary": "x", "statements": [] } });
        assert_eq!(b.call_json("submit_service_report", &report).await.0, 403);
        // Providers and auditors may not write the register.
        assert_eq!(a.call_json("register_recipient", &json!({ "form": { "name": "测试", "id_number": "11010519491231002X", "category": "dibao", "priority": [], "town_id": null, "village": "某村", "address": "" } })).await.0, 403);
    }

    async fn uploads_are_checked_by_content_and_photo_locations_removed(backend: Backend) {
        let server = Server::start(backend);
        let a = Client::demo(&server, "provider").await;
        let records = api_records(&a).await;
        // A recent record (older ones are in reports, which lock them).
        let recent = format!("{}", today() - chrono::Duration::days(20));
        let record = records.iter().filter(|r| r["started_at"].as_str().expect("the expected value") > recent.as_str()).find(|r| r["evidence"].as_array().expect("the expected value").is_empty()).and_then(|r| r["id"].as_i64()).expect("a record without evidence");
        // A photo with a GPS position: stored without it, under its hash,
        // the path in its name dropped.
        let res = upload(&a, record, "../../etc/passwd.jpg", jpeg_with_gps()).await;
        assert_eq!(res.status(), 303);
        let r = api_records(&a).await.into_iter().find(|r| r["id"] == record).expect("the expected value");
        let e = &r["evidence"][0];
        assert_eq!(e["name"], "passwd.jpg");
        assert_eq!(e["media_type"], "image/jpeg");
        assert_eq!(e["location_removed"], true);
        let sha = e["sha256"].as_str().expect("the expected value");
        assert!(server.db.files_dir().join(&sha[..2]).join(sha).is_file(), "stored under its hash");
        let bytes = a.get(&format!("/files/evidence/{}", e["id"])).await.bytes().await.expect("the expected value");
        assert!(!bytes.windows(4).any(|w| w == b"Exif") && !bytes.windows(3).any(|w| w == b"GPS"));
        assert!(bytes.starts_with(&[0xFF, 0xD8]) && bytes.ends_with(&[0xFF, 0xD9]));
        // Refused: an HTML page named .jpg, an empty file, a broken JPEG,
        // more than 10 MB.
        let res = upload(&a, record, "photo.jpg", b"<html><script>alert(1)</script></html>".to_vec()).await;
        assert_eq!(res.status(), 415);
        assert!(res.text().await.expect("the expected value").contains("按文件内容识别"));
        assert_eq!(upload(&a, record, "empty.png", Vec::new()).await.status(), 422);
        assert_eq!(upload(&a, record, "broken.jpg", vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00]).await.status(), 422);
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(10 * 1024 * 1024 + 1, b' ');
        assert_eq!(upload(&a, record, "big.pdf", big).await.status(), 413);
        let r = api_records(&a).await.into_iter().find(|r| r["id"] == record).expect("the expected value");
        assert_eq!(r["evidence"].as_array().expect("the expected value").len(), 1, "nothing refused was kept");
        // A record that keeps its location on purpose keeps the photo's.
        let (status, created) = a.call_json("save_service_record", &json!({ "form": {
            "contract_id": r["contract_id"], "recipient_id": r["recipient_id"], "service_code": r["service_code"],
            "started_at": format!("{}T08:00", today() - chrono::Duration::days(1)), "minutes": "30", "worker": "张敏",
            "notes": "", "location": "29.5630, 106.5516", "keep_location": true,
        }})).await;
        assert_eq!(status, 200, "{created}");
        assert_eq!(upload(&a, created.as_i64().expect("the expected value"), "with-place.jpg", jpeg_with_gps()).await.status(), 303);
        let r = api_records(&a).await.into_iter().find(|r| r["id"] == created).expect("the expected value");
        assert_eq!(r["location"], "29.563, 106.5516");
        let bytes = a.get(&format!("/files/evidence/{}", r["evidence"][0]["id"])).await.bytes().await.expect("the expected value");
        assert!(bytes.windows(4).any(|w| w == b"Exif"), "kept on purpose");
    }

    async fn an_accepted_report_releases_the_milestone_payment(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let a = Client::demo(&server, "provider").await;
        let oa = overview(&a, None).await;
        let care = oa["contracts"].as_array().expect("the expected value").iter().find(|c| c["town_contract"] == true).expect("滨江's contract").clone();
        let (id, milestone) = (care["id"].as_i64().expect("the expected value"), care["open_milestones"][0][0].as_i64().expect("the expected value"));
        let (from, to) = ((today() - chrono::Duration::days(97)).to_string(), (today() - chrono::Duration::days(1)).to_string());
        let form = |m: Value, from: &str| json!({ "form": { "contract_id": id, "period_from": from, "period_to": to, "milestone_id": m, "summary": "三个月照料服务", "statements": ["按计划完成"] } });
        // A period not yet over is refused.
        let (status, e) = a.call_json("submit_service_report", &json!({ "form": { "contract_id": id, "period_from": from, "period_to": today().to_string(), "milestone_id": null, "summary": "x", "statements": [] } })).await;
        assert_eq!(status, 422);
        assert!(e.to_string().contains("NotEnded"), "{e}");
        let (status, report) = a.call_json("submit_service_report", &form(json!(milestone), &from)).await;
        assert_eq!(status, 200, "{report}");
        let report = report.as_i64().expect("the expected value");
        // Overlapping periods are refused.
        assert_eq!(a.call_json("submit_service_report", &form(Value::Null, &to)).await.0, 422);
        // Records inside the report can no longer be voided.
        let inside = api_records(&a).await.into_iter().find(|r| r["contract_id"] == id).and_then(|r| r["id"].as_i64()).expect("the expected value");
        let (status, e) = a.call("void_service_record", &[("id", &inside.to_string()), ("reason", "录错")]).await;
        assert_eq!(status, 422, "{e}");

        let (status, d) = finance.call("service_report_detail", &[("id", &report.to_string())]).await;
        assert_eq!(status, 200, "{d}");
        assert!(d["lines"][0]["measured"].as_str().expect("the expected value").parse::<f64>().expect("the expected value") > 10.0, "hours of care: {d}");
        assert!(kinds(&d["flags"]).contains(&"WorkerOverDay".to_owned()), "the 27-hour day is shown: {}", d["flags"]);
        let version = d["version"].as_i64().expect("the expected value");
        let review = |accept: bool, scores: Value, comment: &str| json!({ "id": report, "version": version, "accept": accept, "scores": scores, "comment": comment });
        assert_eq!(finance.call_json("review_service_report", &review(false, json!([]), " ")).await.0, 422);
        assert_eq!(finance.call_json("review_service_report", &review(true, json!(["101"]), "")).await.0, 422);
        assert_eq!(finance.call_json("review_service_report", &review(true, json!([]), "")).await.0, 422);
        let (status, e) = finance.call_json("review_service_report", &review(true, json!(["85"]), "照料记录完整")).await;
        assert_eq!(status, 200, "{e}");
        let (_, d) = finance.call("service_report_detail", &[("id", &report.to_string())]).await;
        assert_eq!((d["status"].as_str(), d["total"].as_str(), d["grade"].as_str()), (Some("accepted"), Some("85"), Some("Good")));
        assert_eq!(d["acceptance"][1], "submitted");
        // Not twice.
        assert_eq!(finance.call_json("review_service_report", &review(true, json!(["85"]), "")).await.0, 422);
        // The approver confirms the acceptance; then the milestone is paid
        // in full (85 is in the 80–100 band).
        let on = today().to_string();
        assert_eq!(finance.call("request_milestone_payment", &[("milestone_id", &milestone.to_string()), ("pay_on", &on)]).await.0, 422);
        approve_latest(&approver, "MilestoneAcceptance", None).await.expect("accepted");
        let (status, e) = finance.call("request_milestone_payment", &[("milestone_id", &milestone.to_string()), ("pay_on", &on)]).await;
        assert_eq!(status, 200, "{e}");
        approve_latest(&approver, "ContractPayment", None).await.expect("paid");
        let (_, c) = finance.call("contract_detail", &[("id", &id.to_string())]).await;
        let m = c["milestones"].as_array().expect("the expected value").iter().find(|m| m["id"] == milestone).expect("the expected value");
        assert_eq!(m["acceptance"][3], "report");
        assert_eq!(m["payment"][0], "72500.00");
        assert_eq!(m["payment"][3], "approved");
    }

    async fn other_systems_send_records_once_with_a_token(backend: Backend) {
        let server = Server::start(backend);
        let a = Client::demo(&server, "provider").await;
        let (status, created) = a.call("create_token", &[("name", "机构业务系统"), ("days", "30")]).await;
        assert_eq!(status, 200, "{created}");
        let api = Client::with_token(&server, created["secret"].as_str().expect("the expected value"));
        let existing = api_records(&api).await;
        let sample = existing.iter().find(|r| r["service_code"] == "visits").expect("the expected value").clone();
        let (_, people) = a.call("recipient_list", &[]).await;
        let someone = people["recipients"].as_array().expect("the expected value").iter().find(|p| p["id"] == sample["recipient_id"]).expect("the expected value").clone();
        let when = format!("{}T07:15", today() - chrono::Duration::days(1));
        let record = json!({
            "contract_id": sample["contract_id"], "recipient_id": sample["recipient_id"], "service_code": "visits",
            "started_at": when, "minutes": 30, "worker": "张敏", "external_id": "SYS-0001",
        });
        let res = api.post_json("/api/v1/service-records", &record).await;
        assert_eq!(res.status(), 201);
        let first: Value = res.json().await.expect("the expected value");
        // Sent again: the same record, not a second one.
        let res = api.post_json("/api/v1/service-records", &record).await;
        assert_eq!(res.status(), 200);
        let again: Value = res.json().await.expect("the expected value");
        assert_eq!(again["id"], first["id"]);
        assert_eq!(again["created"], false);
        // The same id with other content is refused.
        let mut changed = record.clone();
        changed["minutes"] = json!(45);
        let res = api.post_json("/api/v1/service-records", &changed).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.expect("the expected value").contains("ExternalIdReused"));
        // A batch with one bad row stores nothing and names the row.
        let before = api_records(&api).await.len();
        let ok = json!({ "contract_id": sample["contract_id"], "recipient_id": sample["recipient_id"], "service_code": "visits", "started_at": when, "minutes": 20, "worker": "王磊" });
        let future = json!({ "contract_id": sample["contract_id"], "recipient_id": sample["recipient_id"], "service_code": "visits", "started_at": format!("{}T09:00", today() + chrono::Duration::days(2)), "minutes": 20, "worker": "王磊" });
        let res = api.post_json("/api/v1/service-records", &json!({ "records": [ok, ok, future] })).await;
        assert_eq!(res.status(), 422);
        let body: Value = res.json().await.expect("the expected value");
        assert_eq!(body["rows"], json!([{ "index": 2, "field": "StartedAt", "problem": "InFuture" }]));
        assert_eq!(api_records(&api).await.len(), before);
        // Identified by identity number instead of the register's id: a
        // provider's system knows people by number. The masked number the
        // provider sees is not enough to guess anyone.
        let by_number = json!({ "contract_id": sample["contract_id"], "recipient_id_number": someone["id_number"], "service_code": "visits", "started_at": when, "minutes": 20, "worker": "王磊" });
        let res = api.post_json("/api/v1/service-records", &json!({ "records": [ok, by_number] })).await;
        assert_eq!(res.status(), 422, "a masked number is no recipient");
        let res = api.post_json("/api/v1/service-records", &json!({ "records": [ok] })).await;
        assert_eq!(res.status(), 201);
        assert_eq!(api_records(&api).await.len(), before + 1);
        // Unknown fields and bad JSON are 400; other roles may not create.
        assert_eq!(api.post_json("/api/v1/service-records", &json!({ "contract_id": 1, "bogus": 1 })).await.status(), 400);
        let finance = Client::demo(&server, "finance").await;
        assert_eq!(finance.post_json("/api/v1/service-records", &record).await.status(), 403);
        // The OpenAPI document describes both operations.
        let doc: Value = api.get("/api/v1/openapi.json").await.json().await.expect("the expected value");
        assert!(doc["paths"]["/api/v1/service-records"]["post"].is_object());
        assert!(doc["paths"]["/api/v1/service-records"]["get"].is_object());
    }
}

/// A workbook with the import template's header and `rows` of text cells.
fn records_workbook(rows: &[Vec<String>]) -> Vec<u8> {
    const HEADERS: [&str; 10] = [
        "合同编号",
        "服务对象身份证号",
        "服务内容",
        "服务日期",
        "开始时间",
        "时长（分钟）",
        "服务人员",
        "服务情况",
        "服务地点（纬度, 经度）",
        "外部编号",
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Minutes as a number; everything else as text, as the
            // template's text columns keep identity numbers whole.
            if let (5, Ok(n)) = (c, cell.parse::<f64>()) {
                ws.write_number(r as u32 + 1, c as u16, n).expect("cell");
            } else {
                ws.write_string(r as u32 + 1, c as u16, cell).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

async fn import(client: &Client, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("records.xlsx");
    client
        .post_multipart("/files/service-records/import", reqwest::multipart::Form::new().part("file", part))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spreadsheets_import_all_rows_or_none_and_export_what_the_reader_may_see() {
    let server = Server::start(Backend::Sqlite);
    let finance = Client::demo(&server, "finance").await;
    let a = Client::demo(&server, "provider").await;
    // The template offers the provider's contracts.
    let res = a.get("/files/service-records/template.xlsx").await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.expect("the expected value").starts_with(b"PK"));
    let o = overview(&a, None).await;
    let number = o["contracts"]
        .as_array()
        .expect("the expected value")
        .iter()
        .find(|c| c["town_contract"] == false)
        .and_then(|c| c["number"].as_str())
        .expect("the expected value")
        .to_owned();
    // Whole identity numbers come from the provider's own files; here,
    // from the register as finance sees it.
    let (_, people) = finance.call("recipient_list", &[]).await;
    let shuanghe: Vec<String> = people["recipients"]
        .as_array()
        .expect("the expected value")
        .iter()
        .filter(|p| p["town"] == "双河镇")
        .filter_map(|p| p["id_number"].as_str().map(str::to_owned))
        .collect();
    let day = (today() - chrono::Duration::days(1)).to_string();
    let good = |id: &str, hour: &str| {
        vec![
            number.clone(),
            id.to_owned(),
            "定期走访".into(),
            day.clone(),
            hour.into(),
            "40".into(),
            "李娜".into(),
            "表格导入".into(),
            String::new(),
            String::new(),
        ]
    };
    let before = api_records(&a).await.len();
    // One bad row among good ones: nothing is stored, each problem is
    // named by row and column.
    let mut bad = good(&shuanghe[1], "25:00");
    bad[2] = "打扫卫生".into();
    let unknown = good("11010519491231002X", "10:00");
    let res = import(&a, records_workbook(&[good(&shuanghe[0], "08:00"), bad, unknown])).await;
    assert_eq!(res.status(), 422);
    let text = res.text().await.expect("the expected value");
    for want in ["第3行 C列", "第3行 E列", "第4行 B列"] {
        assert!(text.contains(want), "{want} in:\n{text}");
    }
    assert!(!text.contains("第2行"), "{text}");
    assert_eq!(api_records(&a).await.len(), before);
    // Not a workbook at all.
    let res = import(&a, b"name,id\n".to_vec()).await;
    assert_eq!(res.status(), 422);
    // All good: all stored.
    let rows: Vec<Vec<String>> =
        shuanghe.iter().take(5).enumerate().map(|(i, id)| good(id, &format!("0{}:30", i + 1))).collect();
    let res = import(&a, records_workbook(&rows)).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let after = api_records(&a).await;
    assert_eq!(after.len(), before + 5);
    assert_eq!(after.iter().filter(|r| r["source"] == "xlsx").count(), 5);
    // Others may not import.
    assert_eq!(import(&finance, records_workbook(&rows)).await.status(), 403);

    // The export: the provider's own records, numbers masked.
    let res = a.get("/files/service-records.xlsx").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("the expected value").to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows.len(), after.len() + 1);
    assert!(rows.iter().skip(1).all(|r| r[2] == "云溪区示范社会工作服务中心"));
    assert!(
        rows.iter().skip(1).filter(|r| !r[4].to_string().is_empty()).all(|r| r[4].to_string().contains('*'))
    );
    // Finance exports everything, whole numbers.
    let res = finance.get("/files/service-records.xlsx").await;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(
        res.bytes().await.expect("the expected value").to_vec(),
    ))
    .expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    assert_eq!(sheet.rows().count(), api_records(&finance).await.len() + 1);
    assert!(sheet.rows().skip(1).all(|r| !r[4].to_string().contains('*')));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_records_a_service_in_the_browser_and_finance_reviews_a_report() {
    use gouzhu_tests::{Browser, DEMO_PASSWORD};
    let server = Server::start(Backend::Sqlite);
    let browser = Browser::new().await;
    browser.login(&server.base_url, "provider", DEMO_PASSWORD).await;
    browser.open_hydrated(&format!("{}/services", server.base_url)).await;
    browser.wait_for("#record-form").await;
    let before = browser.js("return document.querySelectorAll('#records-table tbody tr').length;").await;
    let when = format!("{}T06:45", today() - chrono::Duration::days(1));
    let set = |name: &str, value: &str| {
        format!(
            "const el = document.querySelector('#record-form [name={name}]'); el.value = '{value}'; el.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"
        )
    };
    browser.js(&set("started_at", &when)).await;
    browser.js(&set("minutes", "35")).await;
    browser.js(&set("worker", "浏览器测试员")).await;
    browser.wait_for("#record-submit").await.click().await.expect("click");
    let mut saved = false;
    for _ in 0..100 {
        let text = browser.js("const e = document.querySelector('#record-form-panel .form-ok'); return e ? e.textContent : '';").await;
        if text.as_str().is_some_and(|t| !t.is_empty()) {
            saved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(saved, "no confirmation; console: {:?}", browser.console().await);
    // The list reloads with the new record at the top.
    let mut found = false;
    for _ in 0..100 {
        let t = browser
            .js("const r = document.querySelector('#records-table tbody tr'); return r ? r.textContent : '';")
            .await;
        if t.as_str().is_some_and(|t| t.contains("浏览器测试员")) {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found, "the new record is listed first (before: {before})");
    let stored =
        server.db.query("SELECT minutes || '|' || source FROM service_records WHERE worker = '浏览器测试员'");
    assert_eq!(stored, "35|web");
    browser.close().await;

    // Finance opens the accepted report: its evaluation, in Chinese.
    let browser = Browser::new().await;
    browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;
    let report = server.db.query("SELECT min(id) FROM service_reports");
    browser.open_hydrated(&format!("{}/services/reports/{report}", server.base_url)).await;
    browser.wait_for("#report-lines tbody tr").await;
    assert_eq!(browser.text("#report-status").await, "已通过");
    assert_eq!(browser.text("#report-total").await, "90.2 · 优秀");
    browser.close().await;
}
