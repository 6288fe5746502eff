//! Towns, post allocation and the roster through the server functions, on
//! both backends: the demo's adopted plan and roster, previews, adoption
//! through maker-checker, change requests, hiring exceptions, identity
//! numbers masked by role, and town users kept to their own town.

use gouzhu_tests::{Backend, Client, Server};
use serde_json::{Value, json};

/// The pending approval items the client can see, newest last.
async fn pending(client: &Client) -> Vec<Value> {
    let (status, inbox) = client.call("list_approvals", &[]).await;
    assert_eq!(status, 200, "{inbox}");
    inbox["items"].as_array().expect("items").iter().filter(|i| i["status"] == "Pending").cloned().collect()
}

async fn decide(client: &Client, item: &Value, decision: &str) -> (reqwest::StatusCode, Value) {
    let id = item["id"].as_i64().expect("id").to_string();
    let version = item["version"].as_i64().expect("version").to_string();
    client
        .call(
            "decide_approval",
            &[("id", &id), ("version", &version), ("decision", decision), ("reason", "审核意见")],
        )
        .await
}

fn params(total: u32, method: &str) -> Value {
    plan(total, method, "2026-01-01")
}

/// Plan parameters taking effect on `from`.
fn plan(total: u32, method: &str, from: &str) -> Value {
    json!({ "method": method, "total": total, "population_weight": 50,
            "figures_on": "2026-01-01", "effective_from": from })
}

/// The roster as `client` sees it.
async fn people(client: &Client) -> Vec<Value> {
    let (status, page) = client.call("roster", &[]).await;
    assert_eq!(status, 200, "{page}");
    page["people"].as_array().expect("people").clone()
}

fn sum_posts(view: &Value) -> u64 {
    view["lines"].as_array().expect("lines").iter().map(|l| l["posts"].as_u64().expect("posts")).sum()
}

both_backends! {
    async fn the_demo_has_an_adopted_plan_and_a_roster(backend: Backend) {
        let server = Server::start(backend);
        let db = &server.db;
        assert_eq!(db.query("SELECT count(*) FROM allocation_plans WHERE number = 1 AND adopted_at IS NOT NULL"), "1");
        assert_eq!(db.query("SELECT sum(posts) FROM allocation_plan_towns"), "198");
        assert_eq!(db.query("SELECT count(*) FROM posts WHERE abolished_on IS NULL"), "198");
        let on_duty: u32 = db.query("SELECT count(*) FROM staff WHERE status = 'on_duty'").parse().expect("count");
        assert!((170..198).contains(&on_duty), "{on_duty} on duty: most posts filled, some vacant");
        assert_eq!(db.query("SELECT count(*) FROM staff WHERE status = 'standby'"), "3");
        assert_eq!(db.query("SELECT count(*) FROM staff WHERE education_exception_id IS NOT NULL"), "1");
        // Every person has a history row from their hire.
        assert_eq!(
            db.query("SELECT count(*) FROM staff s WHERE NOT EXISTS (SELECT 1 FROM staff_assignments a WHERE a.staff_id = s.id)"),
            "0"
        );
        // The overview adds up.
        let finance = Client::demo(&server, "finance").await;
        let (status, o) = finance.call("towns_overview", &[]).await;
        assert_eq!(status, 200, "{o}");
        assert_eq!(o["plan_number"], 1);
        let towns = o["towns"].as_array().expect("towns");
        assert_eq!(towns.len(), 26);
        let posts: u64 = towns.iter().map(|t| t["posts"].as_u64().expect("posts")).sum();
        let filled: u64 = towns.iter().map(|t| t["filled"].as_u64().expect("filled")).sum();
        assert_eq!(posts, 198);
        assert_eq!(filled, u64::from(on_duty));
        for t in towns {
            assert!(t["posts"].as_u64() >= t["minimum"].as_u64(), "{t}");
            assert_eq!(t["planned"], t["posts"]);
        }
        // The overview and towns pages render on the server.
        for page in ["/posts", "/towns", "/allocation", "/roster", "/allocation/1", "/towns/1"] {
            let res = finance.get(page).await;
            assert_eq!(res.status(), 200, "{page}");
        }
    }

    async fn previews_explain_each_town_and_refuse_impossible_totals(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        for method in ["largest_remainder", "huntington_hill"] {
            let (status, view) = finance.call_json("preview_allocation", &json!({ "params": params(198, method) })).await;
            assert_eq!(status, 200, "{view}");
            assert_eq!(sum_posts(&view), 198, "{method}");
            for l in view["lines"].as_array().expect("lines") {
                assert!(l["posts"].as_u64() >= l["minimum"].as_u64());
                assert!(l["quota"].is_string(), "exact quota as a decimal string: {l}");
                assert!(!l["reason"].is_null());
            }
        }
        // The demo plan's result is reproduced exactly.
        let (_, view) = finance.call_json("preview_allocation", &json!({ "params": params(198, "largest_remainder") })).await;
        let changed: Vec<&Value> =
            view["lines"].as_array().expect("lines").iter().filter(|l| l["posts"] != l["current_posts"]).collect();
        assert!(changed.is_empty(), "{changed:?}");
        // 26 towns need at least 26 + more posts: 20 cannot be apportioned.
        let (status, err) = finance.call_json("preview_allocation", &json!({ "params": params(20, "huntington_hill") })).await;
        assert_eq!(status, 422);
        assert!(err.to_string().contains("MinimumsExceedTotal"), "{err}");
        // Previews store nothing.
        assert_eq!(server.db.query("SELECT count(*) FROM allocation_plans"), "1");
        // Town users do not see other towns' figures through previews.
        let town = Client::demo(&server, "town.binjiang").await;
        assert_eq!(town.call_json("preview_allocation", &json!({ "params": params(198, "largest_remainder") })).await.0, 403);
    }

    async fn adopting_a_plan_needs_an_approver_and_closes_vacant_posts_first(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let on_duty_before = server.db.query("SELECT count(*) FROM staff WHERE status = 'on_duty'");
        // Fewer posts: 190, so 8 posts close from December, vacant ones
        // first within each town.
        let (status, plan_id) =
            finance.call_json("submit_allocation", &json!({ "params": plan(190, "huntington_hill", "2026-12-01"), "note": "压缩岗位" })).await;
        assert_eq!(status, 200, "{plan_id}");
        assert_eq!(server.db.query("SELECT count(*) FROM posts WHERE abolished_on IS NULL"), "198", "nothing changes before approval");
        let items = pending(&finance).await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["kind"], "AllocationPlan");
        // The maker cannot decide; the approver can.
        assert_eq!(decide(&finance, &items[0], "Approve").await.0, 403);
        let (status, body) = decide(&approver, &items[0], "Approve").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(server.db.query("SELECT number FROM allocation_plans WHERE id = (SELECT max(id) FROM allocation_plans)"), "2");
        assert_eq!(server.db.query("SELECT count(*) FROM posts WHERE abolished_on IS NULL OR abolished_on > '2026-12-01'"), "190");
        // Occupied posts close only in towns with no vacant post left; their
        // holders go on standby with the plan in their history.
        let on_duty_after: i64 = server.db.query("SELECT count(*) FROM staff WHERE status = 'on_duty'").parse().expect("n");
        let moved: i64 = server.db.query("SELECT count(*) FROM staff_assignments WHERE cause = 'plan'").parse().expect("n");
        assert_eq!(on_duty_before.parse::<i64>().expect("n") - on_duty_after, moved);
        assert_eq!(
            server.db.query(
                "SELECT count(*) FROM staff_assignments a WHERE a.cause = 'plan' AND EXISTS (
                   SELECT 1 FROM posts p WHERE p.town_id = a.town_id
                   AND (p.abolished_on IS NULL OR p.abolished_on > '2026-12-01')
                   AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.post_id = p.id))"
            ),
            "0",
            "someone lost their post while their town kept a vacant one"
        );
        // The history lists both, numbered.
        let (_, page) = finance.call("allocation_page", &[]).await;
        let numbers: Vec<Value> = page["plans"].as_array().expect("plans").iter().map(|p| p["number"].clone()).collect();
        assert_eq!(numbers, [json!(2), json!(1)]);
        // A rejected plan gets no number and changes nothing.
        finance.call_json("submit_allocation", &json!({ "params": plan(220, "largest_remainder", "2026-12-01"), "note": "扩编" })).await;
        let items = pending(&approver).await;
        assert_eq!(decide(&approver, &items[0], "Reject").await.0, 200);
        assert_eq!(server.db.query("SELECT count(*) FROM allocation_plans WHERE number IS NULL"), "1");
        assert_eq!(server.db.query("SELECT count(*) FROM posts WHERE abolished_on IS NULL OR abolished_on > '2026-12-01'"), "190");
        // A plan without a note is refused.
        let (status, _) = finance.call_json("submit_allocation", &json!({ "params": params(198, "largest_remainder"), "note": " " })).await;
        assert_eq!(status, 422);
    }

    async fn post_changes_go_through_a_request_and_an_approver(backend: Backend) {
        let server = Server::start(backend);
        let town = Client::demo(&server, "town.binjiang").await;
        let approver = Client::demo(&server, "approver").await;
        let (_, page) = town.call("roster", &[]).await;
        let person = page["people"].as_array().expect("people").iter().find(|p| p["status"] == "on_duty").expect("someone on duty").clone();
        let vacant = page["vacant_posts"].as_array().expect("vacant").iter().find(|p| p[1] == person["town_id"]);
        let target_post = vacant.map_or(Value::Null, |p| p[0].clone());
        let change = json!({ "change": {
            "staff_id": person["id"], "staff_version": person["version"], "town_id": person["town_id"],
            "post_id": target_post, "role_level": "deputy", "duties": "负责特困供养对象走访",
            "effective_on": "2026-11-01", "reason": "工作需要调整分工",
        }});
        let (status, body) = town.call_json("propose_staff_change", &change).await;
        assert_eq!(status, 200, "{body}");
        // Nothing changes until it is approved.
        let id = person["id"].as_i64().expect("id").to_string();
        let (_, before) = town.call("person", &[("staff_id", &id)]).await;
        assert_eq!(before["person"]["role_level"], person["role_level"]);
        assert_eq!(before["requests"].as_array().expect("requests").len(), 1);
        let items = pending(&approver).await;
        let item = items.iter().find(|i| i["kind"] == "StaffChange").expect("the request");
        let (status, body) = decide(&approver, item, "Approve").await;
        assert_eq!(status, 200, "{body}");
        let (_, after) = town.call("person", &[("staff_id", &id)]).await;
        assert_eq!(after["person"]["role_level"], "deputy");
        assert_eq!(after["person"]["duties"], "负责特困供养对象走访");
        assert_eq!(after["person"]["post_id"], target_post);
        let causes: Vec<&str> = after["history"].as_array().expect("history").iter().filter_map(|h| h["cause"].as_str()).collect();
        assert_eq!(causes, ["hire", "change"]);
        // A request prepared against the old version is refused when
        // proposed, and one overtaken by another change cannot be approved.
        let (status, _) = town.call_json("propose_staff_change", &change).await;
        assert_eq!(status, 409, "stale version");
        let v = after["person"]["version"].clone();
        let mk = |duties: &str| json!({ "change": {
            "staff_id": person["id"], "staff_version": v, "town_id": person["town_id"], "post_id": target_post,
            "role_level": "deputy", "duties": duties, "effective_on": "2026-11-02", "reason": "再次调整",
        }});
        assert_eq!(town.call_json("propose_staff_change", &mk("甲")).await.0, 200);
        assert_eq!(town.call_json("propose_staff_change", &mk("乙")).await.0, 200);
        let items = pending(&approver).await;
        assert_eq!(decide(&approver, &items[0], "Approve").await.0, 200);
        let (status, body) = decide(&approver, &items[1], "Approve").await;
        assert_eq!(status, 422, "{body}");
        assert!(body.to_string().contains("Outdated"), "{body}");
        // The first approved request is the one in force.
        let (_, now) = town.call("person", &[("staff_id", &id)]).await;
        assert_eq!(now["person"]["duties"], "甲");
    }

    async fn hiring_below_college_needs_an_approved_exception(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let approver = Client::demo(&server, "approver").await;
        let town_id: i64 = server.db.query("SELECT id FROM towns WHERE code = '005'").parse().expect("id");
        let hire = |education: &str, id_number: &str, reason: Value| json!({
            "hire": { "person": {
                "name": "测试人员", "id_number": id_number, "phone": "13800138000", "education": education,
                "social_work_major": false, "certificate": "none", "hire_date": "2026-06-01", "role_level": "assistant",
            }, "town_id": town_id, "post_id": null, "duties": "" },
            "exception_reason": reason,
        });
        // A bad identity number and phone are reported field by field.
        let (status, err) = finance.call_json("hire_person", &json!({
            "hire": { "person": {
                "name": "", "id_number": "110105194912310021", "phone": "123", "education": "college",
                "social_work_major": false, "certificate": "none", "hire_date": "2026-06-01", "role_level": "assistant",
            }, "town_id": town_id, "post_id": null, "duties": "" },
            "exception_reason": null,
        })).await;
        assert_eq!(status, 422);
        let text = err.to_string();
        for expected in ["NameMissing", "Checksum", "PhoneInvalid"] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
        // Below 大专: refused, then submitted as an exception.
        let (status, err) = finance.call_json("hire_person", &hire("secondary", "11010519491231002X", Value::Null)).await;
        assert_eq!(status, 422);
        assert!(err.to_string().contains("EducationBelowMinimum"), "{err}");
        let (status, out) = finance.call_json("hire_person", &hire("secondary", "11010519491231002X", json!("熟悉社区情况"))).await;
        assert_eq!(status, 200, "{out}");
        assert!(out.get("ExceptionRequested").is_some(), "{out}");
        assert_eq!(server.db.query("SELECT count(*) FROM staff WHERE id_number = '11010519491231002X'"), "0");
        let items = pending(&approver).await;
        let item = items.iter().find(|i| i["kind"] == "HiringException").expect("exception item");
        assert_eq!(decide(&approver, item, "Approve").await.0, 200);
        assert_eq!(
            server.db.query("SELECT education || ' ' || status FROM staff WHERE id_number = '11010519491231002X' AND education_exception_id IS NOT NULL"),
            "secondary standby"
        );
        // The same person twice is refused.
        let (status, _) = finance.call_json("hire_person", &hire("college", "11010519491231002X", Value::Null)).await;
        assert_eq!(status, 409);
    }

    async fn identity_numbers_are_masked_except_for_finance_and_admin(backend: Backend) {
        let server = Server::start(backend);
        let full = |p: &Value| p["id_number"].as_str().expect("id").to_owned();
        let finance = people(&Client::demo(&server, "finance").await).await;
        assert!(finance.iter().all(|p| !full(p).contains('*') && p["id_masked"] == false));
        assert!(finance.iter().all(|p| !p["birth_date"].is_null()));
        for who in ["inspector", "auditor", "approver", "town.binjiang"] {
            let seen = people(&Client::demo(&server, who).await).await;
            assert!(!seen.is_empty(), "{who}");
            for p in &seen {
                let id = full(p);
                assert_eq!(id.len(), 18);
                assert_eq!(&id[3..14], "***********", "{who} sees {id}");
                assert!(p["birth_date"].is_null(), "{who} sees a birth date");
            }
        }
        // Nor does the audit log keep them whole.
        let leaked = server.db.query("SELECT count(*) FROM audit_log WHERE entity = 'staff' AND after LIKE '%500199%'");
        assert_eq!(leaked, "0");
    }

    async fn town_users_see_and_change_only_their_own_town(backend: Backend) {
        let server = Server::start(backend);
        let own = Client::demo(&server, "town.binjiang").await;
        let other = Client::demo(&server, "town.shuanghe").await;
        let binjiang: i64 = server.db.query("SELECT id FROM towns WHERE code = '001'").parse().expect("id");
        let mine = people(&own).await;
        assert!(!mine.is_empty());
        assert!(mine.iter().all(|p| p["town_id"] == binjiang));
        let theirs = people(&other).await;
        assert!(theirs.iter().all(|p| p["town_id"] != binjiang));
        // The other town's person: not found, and no change may be asked.
        let id = mine[0]["id"].as_i64().expect("id").to_string();
        assert_eq!(other.call("person", &[("staff_id", &id)]).await.0, 404);
        let change = json!({ "change": {
            "staff_id": mine[0]["id"], "staff_version": mine[0]["version"], "town_id": binjiang, "post_id": null,
            "role_level": "assistant", "duties": "x", "effective_on": "2026-11-01", "reason": "越权",
        }});
        assert_eq!(other.call_json("propose_staff_change", &change).await.0, 403);
        let (status, _) = other.call("town_detail", &[("town_id", &binjiang.to_string())]).await;
        assert_eq!(status, 404);
        assert_eq!(other.get(&format!("/towns/{binjiang}")).await.status(), 404);
        // Nor hire into it, nor record its figures.
        let hire = json!({ "hire": { "person": {
                "name": "越权", "id_number": "34052419800101001X", "phone": "13800138000", "education": "college",
                "social_work_major": false, "certificate": "none", "hire_date": "2026-06-01", "role_level": "assistant",
            }, "town_id": binjiang, "post_id": null, "duties": "" }, "exception_reason": null });
        assert_eq!(other.call_json("hire_person", &hire).await.0, 403);
        assert_eq!(own.call_json("hire_person", &hire).await.0, 200, "the own town may");
        let figures = json!({ "input": { "town_id": binjiang, "figures": {
            "effective_from": "2026-07-01", "communities": 5, "villages": 0, "population": 40500,
            "recipients": { "dibao": 500, "tekun": 40, "marginal": 200, "expense": 50 }, "note": "年中更新" } } });
        assert_eq!(own.call_json("record_town_figures", &figures).await.0, 403, "figures are kept by finance");
        let finance = Client::demo(&server, "finance").await;
        assert_eq!(finance.call_json("record_town_figures", &figures).await.0, 200);
        assert_eq!(finance.call_json("record_town_figures", &figures).await.0, 409, "history is not overwritten");
        let (_, detail) = own.call("town_detail", &[("town_id", &binjiang.to_string())]).await;
        assert_eq!(detail["history"].as_array().expect("history").len(), 2);
        assert_eq!(detail["line"]["population"], 40500);
    }
}
