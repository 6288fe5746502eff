//! The demo's spot inspections: two more inspectors (one declaring a
//! conflict with 滨江), a plan for last quarter drawn with a fixed,
//! published seed, every drawn town inspected, and rectification in three
//! states: 滨江's closed after the town's response, 双河's overdue, the
//! third town's (if reconciliation found anything) just issued.
//!
//! Real draws take 32 bytes from the operating system. The demo's seed is
//! SHA-256("gouzhu-demo-inspections-649"): the first of that series whose
//! draw puts 滨江 (001) and 双河 (011), the towns with demo users, first,
//! so the story is the same every time. Re-run it with the Python in
//! `docs/inspections-plan.md`: towns `['001', '011', '005']`.

use std::collections::BTreeMap;

use app::db::accounts::{NewUser, UserRow, create_user};
use app::db::inspections::{self as db, FormInput, NewEvidence, NewPhoto};
use app::db::write::{Actor, write};
use app::db::{Db, DbError};
use app::domain::access::{Principal, Role};
use app::domain::inspection::{FindingStatus, PlanInput, PoolMember, RectAction, default_checklist};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::demo::demo_principal as principal;
use crate::demo_services::{Login, photo};
use crate::file_store::FileStore;

/// The demo's other inspectors: (user name, name, town code they may not
/// inspect).
pub const INSPECTORS: &[(&str, &str, Option<&str>)] =
    &[("inspector.qian", "钱敏", Some("001")), ("inspector.sun", "孙悦", None)];

/// The demo draw's seed (see the module documentation).
pub const DEMO_SEED: &str = "d33b40d450b5b72aa521a5253f3596483a27ebc69a5cbfae8b917bb9994991ce";

fn to_db(e: db::InspectionError) -> DbError {
    match e {
        db::InspectionError::Db(d) => d,
        other => DbError::Corrupt(format!("demo inspections refused: {other:?}")),
    }
}

/// Local wall-clock time on `day` at `h:m`.
fn at(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
}

/// UTC of a local wall-clock time (China Standard Time, UTC+8).
fn utc(local: NaiveDateTime) -> NaiveDateTime {
    local - Duration::hours(8)
}

/// Loads the inspections; returns whether it did.
pub fn load(
    db_handle: &Db,
    files: &FileStore,
    district_id: i64,
    finance: &Principal,
    login: &Login<'_>,
    today: NaiveDate,
) -> anyhow::Result<bool> {
    let mut conn = db_handle.conn()?;
    if !db::plans(&mut conn, finance).map_err(to_db)?.is_empty() {
        return Ok(false);
    }
    let towns = app::db::district::town_ids_by_code(&mut conn, district_id)?;
    let town = |code: &str| towns.iter().find(|(c, _)| c == code).map(|(_, id)| *id);
    let Some(binjiang) = town("001") else { return Ok(false) };
    let seed = app::domain::draw::parse_seed(DEMO_SEED).ok_or_else(|| anyhow::anyhow!("demo seed"))?;
    let shots: Vec<(String, &'static str, i64)> = (20..24)
        .map(|i| {
            let bytes = photo(i);
            let size = bytes.len() as i64;
            files.put(&bytes).map(|sha| (sha, "image/png", size))
        })
        .collect::<Result<_, _>>()?;
    let actor = Actor::system("demo").in_district(district_id);
    let Login { password_hash, must_change, replica } = *login;
    write(&mut conn, &actor, |tx| -> Result<(), DbError> {
        for (username, name, _) in INSPECTORS {
            let username = &replica.user(username);
            if UserRow::find_by_username(tx.conn(), username)?.is_none() {
                create_user(
                    tx,
                    &NewUser {
                        district_id,
                        username,
                        display_name: name,
                        password_hash,
                        must_change_password: must_change,
                        roles: &[Role::Inspector],
                        town_id: None,
                        supplier_id: None,
                    },
                )?;
            }
        }
        let mut people: Vec<Principal> = vec![principal(tx, &replica.user("inspector"))?];
        for (username, ..) in INSPECTORS {
            people.push(principal(tx, &replica.user(username))?);
        }
        let pool = people
            .iter()
            .map(|p| {
                let conflict =
                    INSPECTORS.iter().find(|(u, ..)| replica.user(u) == p.username).and_then(|(.., t)| *t);
                PoolMember {
                    user_id: p.user_id,
                    conflict_towns: conflict.and_then(town).into_iter().collect(),
                    conflict_note: if conflict.is_some() {
                        "曾在该街道工作，申请回避".to_owned()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        let plan = PlanInput {
            title: "专职低保员配备使用情况季度抽查".to_owned(),
            period_from: today - Duration::days(75),
            period_to: today - Duration::days(15),
            checklist: default_checklist(),
            ratio_bp: 1_000,
            minimum_towns: 3,
            staff_per_town: 2,
            inspectors_per_town: 2,
            rectification_days: 30,
            pool,
        };
        let plan_id = db::create_plan(tx, finance, &plan).map_err(to_db)?;
        db::draw_plan(tx, finance, plan_id, &seed).map_err(to_db)?;
        let detail = db::plan(tx.conn(), finance, plan_id).map_err(to_db)?;
        for (n, s) in detail.inspections.iter().enumerate() {
            let inspection = db::inspection(tx.conn(), finance, s.id).map_err(to_db)?;
            let first_inspector = inspection.inspectors.first().cloned().unwrap_or_default();
            let Some(inspector) = people.iter().find(|p| p.display_name == first_inspector) else {
                continue;
            };
            let roster: Vec<i64> = inspection.facts.roster.iter().map(|p| p.staff_id).collect();
            let day = today - Duration::days(55 - 5 * n as i64);
            let mut answers: BTreeMap<String, String> = ["staffed", "on_post", "no_other_duties", "ledger"]
                .iter()
                .map(|k| (k.to_string(), "yes".into()))
                .collect();
            answers.insert("visits".into(), (18 + 3 * n).to_string());
            let (absent, other_duties, remarks) = match n {
                // 滨江: one absent, one found doing other work.
                0 => {
                    answers.insert("no_other_duties".into(), "no".into());
                    (
                        roster.iter().take(1).copied().collect(),
                        roster.iter().skip(1).take(1).copied().collect(),
                        "一名专职低保员被抽调从事征兵宣传工作。",
                    )
                }
                // 双河: two absent, nobody at the window.
                1 => {
                    answers.insert("on_post".into(), "no".into());
                    (roster.iter().take(2).copied().collect(), Vec::new(), "社会救助窗口无人值守。")
                }
                _ => (Vec::new(), Vec::new(), "在岗情况良好。"),
            };
            let form = FormInput {
                version: inspection.version,
                arrived_at: Some(at(day, 9, 30)),
                left_at: Some(at(day, 11, 10)),
                headcount: (roster.len() - absent.len()).to_string(),
                absent: absent.clone(),
                other_duties,
                answers,
                remarks: remarks.to_owned(),
            };
            let (sha256, media_type, size_bytes) = shots[n % shots.len()].clone();
            let photos = [NewPhoto {
                item_key: "workplace".into(),
                sha256,
                media_type,
                size_bytes,
                display_name: format!("现场照片{}.png", n + 1),
            }];
            db::save_form(tx, inspector, s.id, &form, &photos, true).map_err(to_db)?;
            let findings = db::inspection(tx.conn(), finance, s.id).map_err(to_db)?.findings;
            for f in findings.iter().filter(|f| f.status == FindingStatus::Proposed) {
                db::decide_finding(tx, inspector, f.id, true, f.severity, "").map_err(to_db)?;
            }
            if findings.is_empty() {
                continue;
            }
            let (issued, deadline) = match n {
                0 => (day + Duration::days(2), day + Duration::days(32)),
                1 => (day + Duration::days(3), today - Duration::days(10)),
                _ => (today - Duration::days(2), today + Duration::days(28)),
            };
            let rect = db::issue_notice(tx, inspector, s.id, issued, Some(deadline), utc(at(issued, 10, 0)))
                .map_err(to_db)?;
            if s.town_id == binjiang {
                let town_user = principal(tx, &replica.user("town.binjiang"))?;
                let (sha256, media_type, size_bytes) = shots[3].clone();
                db::add_rect_evidence(
                    tx,
                    &town_user,
                    rect,
                    &NewEvidence {
                        sha256,
                        media_type,
                        size_bytes,
                        display_name: "整改情况说明及照片.png".into(),
                    },
                )
                .map_err(to_db)?;
                db::rectify(
                    tx,
                    &town_user,
                    rect,
                    RectAction::Respond,
                    "被抽调人员已于次日回到社会救助岗位，街道党工委已明确今后不再安排其他工作；缺勤人员为事假，已补办请假手续。",
                    utc(at(issued + Duration::days(12), 16, 20)),
                )
                .map_err(to_db)?;
                db::rectify(
                    tx,
                    inspector,
                    rect,
                    RectAction::Close,
                    "经电话回访和现场复核，整改到位。",
                    utc(at(issued + Duration::days(15), 10, 5)),
                )
                .map_err(to_db)?;
            }
        }
        Ok(())
    })?;
    Ok(true)
}
