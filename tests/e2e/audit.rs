//! Maker-checker and the audit log: four eyes on privileged role grants,
//! every write audited, the chain verifying and then failing after a
//! direct edit in the database.

use gouzhu_tests::server::gouzhu;
use gouzhu_tests::{Backend, Client, Server};
use serde_json::{Value, json};

/// The pending approval items of the inbox as seen by `client`.
async fn pending(client: &Client) -> Vec<Value> {
    let (status, inbox) = client.call("list_approvals", &[]).await;
    assert_eq!(status, 200, "{inbox}");
    inbox["items"].as_array().expect("items").iter().filter(|i| i["status"] == "Pending").cloned().collect()
}

async fn decide(client: &Client, item: &Value, decision: &str, reason: &str) -> (reqwest::StatusCode, Value) {
    let id = item["id"].as_i64().expect("id").to_string();
    let version = item["version"].as_i64().expect("version").to_string();
    client
        .call(
            "decide_approval",
            &[("id", &id), ("version", &version), ("decision", decision), ("reason", reason)],
        )
        .await
}

async fn roles_of(admin: &Client, username: &str) -> Value {
    let (_, page) = admin.call("list_users", &[]).await;
    page["users"].as_array().and_then(|u| u.iter().find(|u| u["username"] == username)).expect("user")["roles"].clone()
}

both_backends! {
    async fn privileged_roles_take_effect_only_after_another_persons_approval(backend: Backend) {
        let server = Server::start(backend);
        let admin = Client::demo(&server, "admin").await;
        let approver = Client::demo(&server, "approver").await;

        // The admin asks for a user who is admin and approver: both grants wait.
        let (status, saved) = admin
            .call_json("create_user", &json!({ "input": {
                "username": "ma.jun", "display_name": "马军", "roles": ["admin", "approver"],
                "town_id": null, "supplier_id": null,
            }}))
            .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["pending_grants"], json!(["admin", "approver"]));
        assert_eq!(roles_of(&admin, "ma.jun").await, json!([]));
        let items = pending(&approver).await;
        assert_eq!(items.len(), 2);

        // Reasons are required; the approver approves both.
        assert_eq!(decide(&approver, &items[0], "Approve", "  ").await.1, json!({ "Approval": "ReasonRequired" }));
        for item in &items {
            let (status, body) = decide(&approver, item, "Approve", "经局务会研究同意").await;
            assert_eq!(status, 200, "{body}");
        }
        assert_eq!(roles_of(&admin, "ma.jun").await, json!(["admin", "approver"]));
        // A decided item cannot be decided again.
        assert_eq!(decide(&approver, &items[0], "Reject", "再议").await.1, json!({ "Approval": "NotPending" }));

        // ma.jun, now admin and approver, asks for an auditor...
        // (A privileged account's password is not reset on the web: he
        // uses the temporary password he was created with.)
        let temporary = saved["temporary_password"].as_str().expect("password").to_owned();
        let ma = Client::login(&server, "ma.jun", &temporary).await.expect("login");
        let change = [("current", temporary.as_str()), ("new", "Ma-Jun-Strong-2026"), ("confirm", "Ma-Jun-Strong-2026")];
        assert_eq!(ma.call("change_password", &change).await.0, 200);
        let (status, _) = ma
            .call_json("create_user", &json!({ "input": {
                "username": "qian.li", "display_name": "钱力", "roles": ["auditor"], "town_id": null, "supplier_id": null,
            }}))
            .await;
        assert_eq!(status, 200);
        let own = pending(&ma).await;
        assert_eq!(own.len(), 1);
        // ...and cannot approve it himself, approver though he is.
        let (status, body) = decide(&ma, &own[0], "Approve", "自己批准").await;
        assert_eq!((status.as_u16(), body), (422, json!({ "Approval": "OwnItem" })));
        assert_eq!(roles_of(&admin, "qian.li").await, json!([]));
        // A rejection by someone else closes it, with its reason kept.
        assert_eq!(decide(&approver, &own[0], "Reject", "审计岗位已满").await.0, 200);
        let (_, inbox) = approver.call("list_approvals", &[]).await;
        let decided = inbox["items"].as_array().expect("items").iter().find(|i| i["id"] == own[0]["id"]).expect("item").clone();
        assert_eq!(decided["status"], "Rejected");
        assert_eq!(decided["reason"], "审计岗位已满");
        assert_eq!(roles_of(&admin, "qian.li").await, json!([]));
        // The database itself refuses an item decided by its maker.
        let refused = server.db.try_query("UPDATE approvals SET decided_by = maker_id, decided_at = created_at, status = 'approved' WHERE id = (SELECT min(id) FROM approvals)");
        assert!(refused.is_err(), "a self-approval was stored");
    }

    async fn every_write_is_audited_with_who_where_and_before_after(backend: Backend) {
        let server = Server::start(backend);
        let admin = Client::demo(&server, "admin").await;
        let (status, saved) = admin
            .call_json("create_user", &json!({ "input": {
                "username": "he.ping", "display_name": "何平", "roles": ["finance"], "town_id": null, "supplier_id": null,
            }}))
            .await;
        assert_eq!(status, 200);
        let id = saved["id"].to_string();
        admin.call("set_user_disabled", &[("id", &id), ("disabled", "true")]).await;

        let auditor = Client::demo(&server, "auditor").await;
        let (status, page) = auditor.call_json("audit_entries", &json!({ "query": {
            "username": "admin", "entity": "users", "from": null, "to": null, "before_seq": null,
        }})).await;
        assert_eq!(status, 200, "{page}");
        let entries = page["entries"].as_array().expect("entries");
        let disable = entries.iter().find(|e| e["action"] == "disable").expect("disable entry");
        let create = entries.iter().find(|e| e["action"] == "create").expect("create entry");
        assert_eq!(disable["entity_id"], id);
        assert_eq!(disable["ip"], "127.0.0.1");
        assert_eq!(disable["request_id"].as_str().map(str::len), Some(16));
        let before: Value = serde_json::from_str(disable["before"].as_str().expect("before")).expect("json");
        let after: Value = serde_json::from_str(disable["after"].as_str().expect("after")).expect("json");
        assert_eq!((before["disabled"].clone(), after["disabled"].clone()), (json!(false), json!(true)));
        assert!(create["before"].is_null());
        assert!(!create["after"].as_str().expect("after").contains("argon2"), "a password hash in the audit log");
        // Sign-ins, failed ones included, are in the log too.
        let _ = Client::login(&server, "admin", "wrong-password-1").await;
        let (_, page) = auditor.call_json("audit_entries", &json!({ "query": {
            "username": "", "entity": "", "from": null, "to": null, "before_seq": null,
        }})).await;
        let actions: Vec<&str> = page["entries"].as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"login") && actions.contains(&"login_failed"), "{actions:?}");
    }

    async fn the_audit_chain_verifies_and_a_direct_edit_breaks_it(backend: Backend) {
        let server = Server::start(backend);
        let admin = Client::demo(&server, "admin").await;
        admin.call("create_token", &[("name", "t"), ("days", "1")]).await;
        let verify = || gouzhu(&server.db, &["audit", "verify"]);
        let ok = verify();
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        let stdout = String::from_utf8_lossy(&ok.stdout).into_owned();
        assert!(stdout.contains("audit chain intact"), "{stdout}");
        let (status, v) = Client::demo(&server, "auditor").await.call("verify_audit", &[]).await;
        assert_eq!(status, 200);
        assert!(v["broken"].is_null() && v["checked"].as_u64().is_some_and(|n| n > 200), "{v}");

        // The log refuses changes through SQL...
        assert!(server.db.try_query("UPDATE audit_log SET action = 'x' WHERE seq = 5").is_err());
        assert!(server.db.try_query("DELETE FROM audit_log WHERE seq = 5").is_err());
        // ...so an attacker with database access has to switch that off first.
        let tamper = match backend {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET after = '{\"forged\":true}' WHERE seq = 5",
            Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete; UPDATE audit_log SET after = '{\"forged\":true}' WHERE seq = 5",
        };
        server.db.query(tamper);
        let broken = verify();
        assert!(!broken.status.success());
        let report = String::from_utf8_lossy(&broken.stdout);
        assert!(report.contains("BROKEN at entry seq 5") && report.contains("ContentChanged"), "{report}");

        // Removing an entry is caught at the one after it.
        let remove = match backend {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3",
            Backend::Postgres => "DELETE FROM audit_log WHERE seq = 3",
        };
        server.db.query(remove);
        let report = String::from_utf8_lossy(&verify().stdout).into_owned();
        assert!(report.contains("BROKEN at entry seq 4") && report.contains("SequenceGap"), "{report}");
    }

    async fn cutting_off_the_newest_entries_is_caught_by_a_kept_anchor(backend: Backend) {
        let server = Server::start(backend);
        Client::demo(&server, "admin").await;
        let out = gouzhu(&server.db, &["audit", "verify"]);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let anchor = stdout.split("head ").nth(1).and_then(|s| s.split(' ').next()).expect("anchor").to_owned();
        let seq: i64 = anchor.split(':').next().and_then(|s| s.parse().ok()).expect("seq");
        assert!(gouzhu(&server.db, &["audit", "verify", "--anchor", &anchor]).status.success());
        let cut = match backend {
            Backend::Sqlite => format!("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= {seq}"),
            Backend::Postgres => format!(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete; DELETE FROM audit_log WHERE seq >= {seq}"
            ),
        };
        server.db.query(&cut);
        // The chain that is left is intact; only the anchor shows the loss.
        assert!(gouzhu(&server.db, &["audit", "verify"]).status.success());
        let out = gouzhu(&server.db, &["audit", "verify", "--anchor", &anchor]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("does NOT match the anchor"));
    }

    async fn nobody_approves_a_grant_to_themselves_nor_one_whose_maker_lost_the_right(backend: Backend) {
        let server = Server::start(backend);
        let admin = Client::demo(&server, "admin").await;
        let approver = Client::demo(&server, "approver").await;
        let (_, users) = admin.call("list_users", &[]).await;
        let user = |name: &str| {
            users["users"].as_array().and_then(|u| u.iter().find(|u| u["username"] == name)).expect("user").clone()
        };
        // The admin proposes making the approver an admin too.
        let approver_user = user("approver");
        let (status, saved) = admin
            .call_json("update_user", &json!({
                "id": approver_user["id"], "version": approver_user["version"],
                "input": { "username": "approver", "display_name": "张强", "roles": ["approver", "admin"], "town_id": null, "supplier_id": null },
            }))
            .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["pending_grants"], json!(["admin"]));
        let item = pending(&approver).await.into_iter().next().expect("pending grant");
        let (status, body) = decide(&approver, &item, "Approve", "同意").await;
        assert_eq!((status.as_u16(), body), (422, json!({ "Approval": "OwnItem" })));

        // Another approver exists; the proposing admin loses the admin role
        // before the decision: the grant can no longer be approved.
        let (_, other) = admin
            .call_json("create_user", &json!({ "input": {
                "username": "sun.wei", "display_name": "孙伟", "roles": ["inspector"], "town_id": null, "supplier_id": null,
            }}))
            .await;
        let temporary = other["temporary_password"].as_str().expect("password").to_owned();
        let sun = Client::login(&server, "sun.wei", &temporary).await.expect("login");
        let change = [("current", temporary.as_str()), ("new", "Sun-Wei-Strong-2026"), ("confirm", "Sun-Wei-Strong-2026")];
        assert_eq!(sun.call("change_password", &change).await.0, 200);
        let grant = pending(&approver).await;
        let sun_grant = {
            let sun_id = other["id"].clone();
            let (_, users) = admin.call("list_users", &[]).await;
            let sun_user = users["users"].as_array().and_then(|u| u.iter().find(|u| u["id"] == sun_id)).expect("sun").clone();
            admin.call_json("update_user", &json!({
                "id": sun_id, "version": sun_user["version"],
                "input": { "username": "sun.wei", "display_name": "孙伟", "roles": ["inspector", "approver"], "town_id": null, "supplier_id": null },
            })).await;
            pending(&approver).await.into_iter().find(|i| !grant.iter().any(|g| g["id"] == i["id"])).expect("sun's grant")
        };
        assert_eq!(decide(&approver, &sun_grant, "Approve", "同意").await.0, 200);
        let sun = Client::login(&server, "sun.wei", "Sun-Wei-Strong-2026").await.expect("login");
        // The admin is demoted by a database administrator (the web refuses
        // an admin demoting themselves); then sun decides the old grant.
        server.db.query("DELETE FROM user_roles WHERE role = 'admin' AND user_id = (SELECT id FROM users WHERE username = 'admin')");
        let (status, body) = decide(&sun, &item, "Approve", "同意").await;
        assert_eq!((status.as_u16(), body), (422, json!({ "Approval": "MakerNoLongerEntitled" })));
        assert_eq!(decide(&sun, &item, "Reject", "提交人已无权限").await.0, 200);
    }
}
