//! Spreadsheets on both backends: the roster import with its report by
//! row and column (nothing imported while any row fails, or an explicit
//! partial import returning the failed rows as a file), the same file
//! twice, town users kept to their town, and the exports of the roster,
//! the towns and an allocation plan as the viewer may see them.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use gouzhu_tests::roster_file::{HEADERS, id_number, upload};
use gouzhu_tests::{Backend, Client, Server};
use serde_json::Value;

/// A cell of a test file.
enum C {
    T(&'static str),
    S(String),
    N(f64),
}

/// A workbook with the template's headers and `rows`.
fn workbook(rows: &[Vec<C>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                C::T(s) => ws.write_string(r, c, *s).map(|_| ()),
                C::S(s) => ws.write_string(r, c, s).map(|_| ()),
                C::N(n) => ws.write_number(r, c, *n).map(|_| ()),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("workbook")
}

/// A good row for town `town`, post `post` (empty: standby).
fn person(name: &'static str, id: &str, town: &str, post: &str) -> Vec<C> {
    vec![
        C::T(name),
        C::S(id.to_owned()),
        C::T("13900139000"),
        C::T("本科"),
        C::T("是"),
        C::T("助理社会工作师"),
        C::T("2025-03-01"),
        C::S(town.to_owned()),
        C::S(post.to_owned()),
        C::T("专职低保员"),
        C::T("入户调查"),
    ]
}

async fn report(client: &Client, id: i64) -> Value {
    let (status, r) = client.call("roster_import", &[("import_id", &id.to_string())]).await;
    assert_eq!(status, 200, "{r}");
    r
}

/// The problems of a report as (cell, kind).
fn cells(report: &Value) -> Vec<(String, String)> {
    report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            let col = p["col"].as_u64().map(|c| char::from(b'A' + c as u8).to_string()).unwrap_or_default();
            (format!("{col}{}", p["row"]), p["problem"]["kind"].as_str().expect("kind").to_owned())
        })
        .collect()
}

/// Downloads `path` and reads its first sheet as text rows.
async fn sheet(client: &Client, path: &str) -> Vec<Vec<String>> {
    let res = client.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.expect("body").to_vec();
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("xlsx");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn staff_count(server: &Server) -> u64 {
    server.db.query("SELECT count(*) FROM staff").parse().expect("count")
}

both_backends! {
    async fn a_bad_file_is_reported_cell_by_cell_and_nothing_is_imported(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let held = server.db.query(
            "SELECT p.code FROM posts p JOIN staff s ON s.post_id = p.id JOIN towns t ON t.id = p.town_id \
             WHERE t.code = '001' ORDER BY p.code LIMIT 1",
        );
        let before = staff_count(&server);
        let mut bad_id = person("李四", "110105199001010011", "001", "");
        bad_id[2] = C::T("12345");
        let mut low = person("王五", &id_number(2), "001", "");
        low[3] = C::T("高中");
        let mut numeric = person("赵六", &id_number(3), "001", "");
        numeric[1] = C::N(110105199001030031.0);
        let mut taken = person("钱七", &id_number(4), "001", &held);
        taken[6] = C::T("2025年3月1日");
        let mut bad_date = person("孙八", &id_number(5), "001", "");
        bad_date[6] = C::T("2024-13-01");
        let rows = vec![
            person("张三", &id_number(1), "001", ""),
            bad_id,
            low,
            numeric,
            person("周九", &id_number(1), "滨江街道", ""),
            person("吴十", &id_number(6), "不存在的镇", ""),
            taken,
            bad_date,
        ];
        let id = upload(&finance, workbook(&rows), "名册.xlsx", "all").await;
        let r = report(&finance, id).await;
        assert_eq!(r["summary"]["status"], "rejected", "{r}");
        assert_eq!(r["summary"]["total_rows"], 8);
        assert_eq!(r["summary"]["imported_rows"], 0);
        assert_eq!(r["summary"]["failed_rows"], 7);
        let found = cells(&r);
        for (cell, kind) in [
            ("B3", "person"),
            ("C3", "person"),
            ("D4", "education_needs_exception"),
            ("B5", "id_as_number"),
            ("B6", "duplicate_in_file"),
            ("H7", "unknown_town"),
            ("I8", "post_taken"),
            ("G9", "not_a_date"),
        ] {
            assert!(found.contains(&(cell.to_owned(), kind.to_owned())), "{cell} {kind} in {found:?}");
        }
        assert!(!found.iter().any(|(c, _)| c.ends_with('2') && c.len() == 2), "row 2 is good: {found:?}");
        assert_eq!(staff_count(&server), before, "nothing imported");
        // The report page names the cells and the problems in Chinese.
        let page = finance.get(&format!("/roster-imports/{id}")).await.text().await.expect("page");
        for text in ["未导入", "B3", "与第 2 行的身份证号码重复", "该岗位已有人在岗", "本区没有这个镇街"] {
            assert!(page.contains(text), "{text} on the report page");
        }
        // The failed rows come back with their problems.
        let failed = sheet(&finance, &format!("/files/roster-imports/{id}/failed.xlsx")).await;
        assert_eq!(failed.len(), 8, "header and seven failed rows");
        assert_eq!(failed[0].last().map(String::as_str), Some("错误说明"));
        assert_eq!(failed[1][0], "李四");
        assert!(failed[1].last().expect("problems").contains("C3 手机号码"), "{:?}", failed[1]);
        // The attempt is audited.
        assert_eq!(
            server.db.query(&format!(
                "SELECT count(*) FROM audit_log WHERE entity = 'roster_import' AND entity_id = '{id}'"
            )),
            "1"
        );
    }

    async fn a_partial_import_takes_the_good_rows_once(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let vacant = server.db.query(
            "SELECT t.code || '|' || p.code FROM posts p JOIN towns t ON t.id = p.town_id \
             WHERE p.abolished_on IS NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.post_id = p.id) \
             ORDER BY p.code LIMIT 1",
        );
        let (town, post) = vacant.split_once('|').expect("a vacant post in the demo");
        let before = staff_count(&server);
        let mut bad = person("李四", &id_number(11), "001", "");
        bad[5] = C::T("心理咨询师");
        let rows = vec![person("张三", &id_number(10), town, post), bad, person("王五", &id_number(12), "001", "")];
        let bytes = workbook(&rows);
        let id = upload(&finance, bytes.clone(), "partial.xlsx", "partial").await;
        let r = report(&finance, id).await;
        assert_eq!(r["summary"]["status"], "partial", "{r}");
        assert_eq!(r["summary"]["imported_rows"], 2);
        assert_eq!(cells(&r), vec![("F3".to_owned(), "unknown_certificate".to_owned())]);
        assert_eq!(staff_count(&server), before + 2);
        let on_post = server.db.query(&format!(
            "SELECT s.status FROM staff s JOIN posts p ON p.id = s.post_id WHERE p.code = '{post}'"
        ));
        assert_eq!(on_post, "on_duty");
        assert_eq!(
            server.db.query(&format!("SELECT status FROM staff WHERE id_number = '{}'", id_number(12))),
            "standby"
        );
        assert_eq!(
            server.db.query(&format!("SELECT count(*) FROM staff_assignments WHERE cause = 'import' AND note = 'import #{id}'")),
            "2"
        );
        let failed = sheet(&finance, &format!("/files/roster-imports/{id}/failed.xlsx")).await;
        assert_eq!(failed.len(), 2);
        assert_eq!(failed[1][0], "李四");
        assert!(failed[1].last().expect("problems").contains("F3"));
        // The same file again: the first import, nobody twice.
        assert_eq!(upload(&finance, bytes, "partial.xlsx", "partial").await, id);
        assert_eq!(staff_count(&server), before + 2);
        // Not a spreadsheet: refused from its content, whatever its name.
        let id = upload(&finance, b"%PDF-1.7 not a workbook".to_vec(), "fake.xlsx", "all").await;
        let r = report(&finance, id).await;
        assert_eq!(cells(&r), vec![("0".to_owned(), "not_xlsx".to_owned())]);
        // A few KB naming one cell at XFD1048576 (it made the reader
        // allocate 512 GB and abort the whole server): refused, and the
        // server still answers.
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "姓名").expect("cell");
        ws.write_string(1_048_575, 16_383, "x").expect("cell");
        let far = book.save_to_buffer().expect("workbook");
        let id = upload(&finance, far, "far.xlsx", "all").await;
        assert_eq!(cells(&report(&finance, id).await), vec![("0".to_owned(), "too_many_rows".to_owned())]);
        assert_eq!(finance.get("/healthz").await.status(), 200);
    }

    async fn a_town_user_imports_and_exports_their_own_town_only(backend: Backend) {
        let server = Server::start(backend);
        let town = Client::demo(&server, "town.binjiang").await;
        let finance = Client::demo(&server, "finance").await;
        let other_town = server.db.query("SELECT name FROM towns WHERE code = '002'");
        let rows = vec![person("张三", &id_number(20), "001", ""), person("李四", &id_number(21), &other_town, "")];
        let id = upload(&town, workbook(&rows), "town.xlsx", "all").await;
        let r = report(&town, id).await;
        assert_eq!(cells(&r), vec![("H3".to_owned(), "town_out_of_scope".to_owned())]);
        // Finance reads it; another town's user or an earlier import by
        // finance are not the town user's to read.
        assert_eq!(report(&finance, id).await["summary"]["id"], id);
        let fid = upload(&finance, workbook(&[person("王五", &id_number(22), "002", "")]), "f.xlsx", "all").await;
        let (status, _) = town.call("roster_import", &[("import_id", &fid.to_string())]).await;
        assert_eq!(status, 404);
        assert_eq!(town.get(&format!("/files/roster-imports/{fid}/failed.xlsx")).await.status(), 404);
        // Exports: the town's people only, identity numbers masked.
        let own: u64 = server
            .db
            .query("SELECT count(*) FROM staff s JOIN towns t ON t.id = s.town_id WHERE t.code = '001'")
            .parse()
            .expect("count");
        let rows = sheet(&town, "/files/roster.xlsx").await;
        assert_eq!(rows.len() as u64, own + 1);
        assert!(rows[1..].iter().all(|r| r[1].contains('*') && r[7] == "滨江街道"), "{:?}", rows[1]);
        let towns = sheet(&town, "/files/towns.xlsx").await;
        assert_eq!(towns.iter().filter(|r| r.first().is_some_and(|c| c.starts_with("00"))).count(), 1);
        assert_eq!(town.get("/files/allocation-plans/1/plan.xlsx").await.status(), 403);
        assert_eq!(Client::demo(&server, "provider").await.get("/files/roster.xlsx").await.status(), 403);
    }

    async fn finance_exports_the_roster_towns_and_plan(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let rows = sheet(&finance, "/files/roster.xlsx").await;
        assert_eq!(rows[0][..11], HEADERS.map(str::to_owned));
        assert_eq!(rows.len() as u64, staff_count(&server) + 1);
        assert!(rows[1..].iter().all(|r| r[1].len() == 18 && !r[1].contains('*')), "whole ID numbers for finance");
        let towns = sheet(&finance, "/files/towns.xlsx").await;
        let header = towns.iter().position(|r| r.first().is_some_and(|c| c == "镇街")).expect("header row");
        assert_eq!(towns.len() - header - 1, 26);
        let plan = sheet(&finance, "/files/allocation-plans/1/plan.xlsx").await;
        let header = plan.iter().position(|r| r.first().is_some_and(|c| c == "#")).expect("header row");
        let posts: u64 = plan[header + 1..].iter().map(|r| r[7].parse::<u64>().expect("posts")).sum();
        assert_eq!(posts, 198);
        assert!(plan[0][0].contains('1'), "{:?}", plan[0]);
        // The template has the import's headers and a notes sheet.
        let template = sheet(&finance, "/files/roster-template.xlsx").await;
        assert_eq!(template[0], HEADERS.map(str::to_owned).to_vec());
        // An exported roster imports again: everyone is already there.
        let res = finance.get("/files/roster.xlsx").await;
        let bytes = res.bytes().await.expect("body").to_vec();
        let id = upload(&finance, bytes, "roster.xlsx", "all").await;
        let r = report(&finance, id).await;
        let kinds: std::collections::BTreeSet<String> = cells(&r).into_iter().map(|(_, k)| k).collect();
        assert!(kinds.contains("already_on_roster"), "{kinds:?}");
        assert!(!kinds.iter().any(|k| k == "missing_column" || k == "unknown_education"), "{kinds:?}");
    }

    async fn the_api_previews_allocations_and_masks_the_roster(backend: Backend) {
        let server = Server::start(backend);
        let finance = Client::demo(&server, "finance").await;
        let town = Client::demo(&server, "town.binjiang").await;
        // The document is public and lists the endpoints.
        let doc: Value = Client::anonymous(&server).get("/api/v1/openapi.json").await.json().await.expect("json");
        for path in ["/api/v1/towns", "/api/v1/roster", "/api/v1/allocation/preview"] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        // A hand-checked largest-remainder example: 10 posts, quotas
        // 5.5, 3.3 and 1.2, minimum 1 each: 6, 3, 1.
        let input = serde_json::json!({
            "method": "largest_remainder", "total": 10, "population_weight": 100, "recipients_weight": 0,
            "units": [
                { "code": "a", "population": 5500, "recipients": 0 },
                { "code": "b", "population": 3300, "recipients": 0 },
                { "code": "c", "population": 1200, "recipients": 0 }
            ]
        });
        let res = town.post_json("/api/v1/allocation/preview", &input).await;
        assert_eq!(res.status(), 200);
        let a: Value = res.json().await.expect("json");
        let posts: Vec<u64> = a["units"].as_array().expect("units").iter().map(|u| u["posts"].as_u64().expect("posts")).collect();
        assert_eq!(posts, vec![6, 3, 1]);
        assert_eq!(a["units"][0]["reason"], "remainder_won");
        assert_eq!(a["units"][0]["quota"].as_str().and_then(|q| q.parse::<f64>().ok()), Some(5.5));
        let mut too_few = input.clone();
        too_few["total"] = 2.into();
        let res = town.post_json("/api/v1/allocation/preview", &too_few).await;
        assert_eq!(res.status(), 422);
        let e: Value = res.json().await.expect("json");
        assert_eq!(e["problem"]["MinimumsExceedTotal"]["minimums"], 3);
        assert_eq!(town.post_json("/api/v1/allocation/preview", &serde_json::json!({"total": 1})).await.status(), 400);
        assert_eq!(server.db.query("SELECT count(*) FROM allocation_plans"), "1", "a preview stores nothing");
        // The roster: whole for finance, masked and own town for a town user.
        let all: Value = finance.get("/api/v1/roster").await.json().await.expect("json");
        assert_eq!(all["count"].as_u64(), Some(staff_count(&server)));
        assert!(all["people"].as_array().expect("people").iter().all(|p| p["id_masked"] == false));
        let own: Value = town.get("/api/v1/roster").await.json().await.expect("json");
        let people = own["people"].as_array().expect("people");
        assert!(!people.is_empty());
        assert!(people.iter().all(|p| p["id_masked"] == true && p["town"] == "滨江街道" && p["birth_date"].is_null()));
        assert!(people.iter().all(|p| p["id_number"].as_str().is_some_and(|s| s.contains('*'))));
        assert_eq!(town.get("/api/v1/roster?town=002").await.status(), 403);
        assert_eq!(finance.get("/api/v1/roster?town=999").await.status(), 404);
        let one: Value = finance.get("/api/v1/roster?town=002").await.json().await.expect("json");
        assert!(one["people"].as_array().expect("people").iter().all(|p| p["town"] != "滨江街道"));
        assert_eq!(Client::anonymous(&server).get("/api/v1/roster").await.status(), 401);
    }
}

/// The upload form in Chromium: from the roster to the import page, a file
/// chosen and sent, the report listing the bad cells.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_form_works_in_the_browser() {
    use gouzhu_tests::{Browser, DEMO_PASSWORD};
    let server = Server::start(Backend::Sqlite);
    let browser = Browser::new().await;
    browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;
    browser.open_hydrated(&format!("{}/roster", server.base_url)).await;
    browser.wait_for("#roster-export").await;
    browser.wait_for("#roster-import-link").await.click().await.expect("click");
    browser.wait_for("#import-form").await;
    let mut bad = person("李四", &id_number(31), "001", "");
    bad[2] = C::T("12345");
    let path = std::env::temp_dir().join(format!("gouzhu-import-{}.xlsx", std::process::id()));
    std::fs::write(&path, workbook(&[person("张三", &id_number(30), "001", ""), bad])).expect("temp file");
    browser
        .wait_for("#import-file")
        .await
        .send_keys(&path.to_string_lossy())
        .await
        .expect("choosing the file");
    browser.wait_for("#import-button").await.click().await.expect("submitting");
    let cell = browser.wait_for("#problems-table tr[data-cell='C3']").await;
    assert!(cell.text().await.expect("text").contains("手机号码"));
    assert!(browser.text("#import-outcome").await.contains("未导入"));
    let _ = std::fs::remove_file(&path);
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
    browser.close().await;
}
