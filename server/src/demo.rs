//! The demo district (示范区), modelled on seed 002: 26 towns and
//! subdistricts with 129 communities and 66 villages, a registered
//! population of 831,700 and 198 full-time assistant posts, plus one
//! service organisation and one user for each role. Names and figures are
//! invented; the data lives in `server/demo/`.
//!
//! Loading is idempotent: what is already there is left as it is, what is
//! missing is added, all through the audited write path. Later modules add
//! their own demo data here.

use anyhow::{Context, bail};
use std::collections::HashMap;

use app::db::accounts::{NewUser, UserRow, create_supplier, create_user, supplier_choices};
use app::db::allocation::{self, PlanParams};
use app::db::district::{District, NewDistrict, NewTown, NewTownProfile, Town, TownProfile};
use app::db::roster::{self, NewHire};
use app::db::write::{Actor, Tx, write};
use app::db::{AnyConnection, Db, DbError, approvals};
use app::domain::access::{Principal, Role};
use app::domain::allocation::Method;
use app::domain::approval::Decision;
use app::domain::idcard::check_character;
use app::domain::roster::{Certificate, Education, PersonInput, RoleLevel};
use app::domain::staffing::TownKind;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

const DISTRICT_JSON: &str = include_str!("../demo/district.json");

/// The password of every demo user (documented in the README).
pub const DEMO_PASSWORD: &str = "Gouzhu-Demo-2026";

/// The demo service organisation.
const DEMO_SUPPLIER: (&str, &str) = ("云溪区示范社会工作服务中心", "Yunxi Demo Social Work Service Centre");

/// One demo user per role, and a second town user for trying scope.
struct DemoUser {
    username: &'static str,
    name: &'static str,
    role: Role,
    /// Town code, for town users.
    town: Option<&'static str>,
}

const DEMO_USERS: &[DemoUser] = &[
    DemoUser { username: "admin", name: "王敏", role: Role::Admin, town: None },
    DemoUser { username: "finance", name: "李华", role: Role::Finance, town: None },
    DemoUser { username: "approver", name: "张强", role: Role::Approver, town: None },
    DemoUser { username: "town.binjiang", name: "陈静", role: Role::Town, town: Some("001") },
    DemoUser { username: "town.shuanghe", name: "周婷", role: Role::Town, town: Some("011") },
    DemoUser { username: "provider", name: "刘洋", role: Role::Provider, town: None },
    DemoUser { username: "inspector", name: "赵磊", role: Role::Inspector, town: None },
    DemoUser { username: "auditor", name: "孙丽", role: Role::Auditor, town: None },
];

#[derive(Debug, Deserialize)]
struct DemoFile {
    district: DemoDistrict,
    effective_from: NaiveDate,
    towns: Vec<DemoTown>,
    allocation: DemoAllocation,
}

/// The demo's allocation plan (adopted as No. 1).
#[derive(Debug, Deserialize)]
struct DemoAllocation {
    method: String,
    total: u32,
    population_weight: u32,
}

#[derive(Debug, Deserialize)]
struct DemoRecipients {
    dibao: i32,
    tekun: i32,
    marginal: i32,
    expense: i32,
}

#[derive(Debug, Clone, Deserialize)]
struct DemoDistrict {
    code: String,
    name: String,
    name_en: String,
}

#[derive(Debug, Deserialize)]
struct DemoTown {
    code: String,
    name: String,
    name_en: String,
    kind: String,
    communities: i32,
    villages: i32,
    population: i64,
    recipients: DemoRecipients,
    /// The posts the demo plan gives the town (checked by a test).
    #[cfg_attr(not(test), allow(dead_code))]
    posts: u32,
}

/// Which district the loader fills: the demo district itself
/// ([`Replica::DEMO`]) or copy `n` of it, for load tests (`gouzhu demo
/// --scale`), under a district code and user names of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replica(pub u32);

impl Replica {
    pub const DEMO: Replica = Replica(0);

    /// The user name of the demo's `base` in this replica: `finance` in
    /// the demo, `finance.07` in copy 7.
    pub fn user(self, base: &str) -> String {
        if self.0 == 0 { base.to_owned() } else { format!("{base}.{:02}", self.0) }
    }

    /// The district of this replica: the demo's, or `5101nn` 云溪区nn.
    fn district(self, demo: &DemoDistrict) -> DemoDistrict {
        if self.0 == 0 {
            return DemoDistrict {
                code: demo.code.clone(),
                name: demo.name.clone(),
                name_en: demo.name_en.clone(),
            };
        }
        DemoDistrict {
            code: format!("{}", 510_100 + self.0),
            name: format!("{}{:02}", demo.name, self.0),
            name_en: format!("{} {:02}", demo.name_en, self.0),
        }
    }
}

/// What [`load`] did.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The district, its towns and posts were added (else already there).
    pub district_added: bool,
    pub users_added: usize,
    /// The demo allocation plan was submitted and approved.
    pub plan_adopted: bool,
    pub staff_added: usize,
    /// The year's demo budget was added.
    pub budget_added: bool,
    /// The demo suppliers, projects and contracts were added.
    pub contracts_added: bool,
    /// The demo recipients, service records and reports were added.
    pub services_added: bool,
    /// The demo inspection plan, inspections and rectifications were added.
    pub inspections_added: bool,
    pub payroll: crate::demo_payroll::PayrollOutcome,
}

fn parse() -> anyhow::Result<DemoFile> {
    let file: DemoFile = serde_json::from_str(DISTRICT_JSON).context("demo/district.json")?;
    for t in &file.towns {
        if TownKind::from_code(&t.kind).is_none() {
            bail!("demo town {} has unknown kind {:?}", t.code, t.kind);
        }
    }
    Ok(file)
}

/// Loads what is missing of the demo in one transaction. In `demo_mode`
/// new demo users need not change their password.
pub fn load(db: &Db, files: &crate::file_store::FileStore, demo_mode: bool) -> anyhow::Result<Outcome> {
    let password_hash = app::auth::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    load_replica(db, files, Replica::DEMO, &password_hash, demo_mode)
}

/// What [`scale`] did.
#[derive(Debug, Default)]
pub struct ScaleOutcome {
    pub districts_added: u32,
    pub visits_added: usize,
}

/// The demo scaled up for load tests: the demo district and `districts - 1`
/// copies of it, each with daily visits for every recipient on top of the
/// demo's own records ([`crate::demo_services::daily_visits`]).
/// Idempotent as [`load`] is.
pub fn scale(
    db: &Db,
    files: &crate::file_store::FileStore,
    demo_mode: bool,
    districts: u32,
) -> anyhow::Result<ScaleOutcome> {
    let password_hash = app::auth::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut outcome = ScaleOutcome::default();
    for n in 0..districts {
        let replica = Replica(n);
        let loaded = load_replica(db, files, replica, &password_hash, demo_mode)
            .with_context(|| format!("loading copy {n} of the demo district"))?;
        outcome.districts_added += u32::from(loaded.district_added);
        outcome.visits_added += crate::demo_services::daily_visits(db, replica)
            .with_context(|| format!("adding daily visits to copy {n} of the demo district"))?;
        tracing::info!(copy = n, visits = outcome.visits_added, "demo copy ready");
    }
    Ok(outcome)
}

fn load_replica(
    db: &Db,
    files: &crate::file_store::FileStore,
    replica: Replica,
    password_hash: &str,
    demo_mode: bool,
) -> anyhow::Result<Outcome> {
    let mut demo = parse()?;
    demo.district = replica.district(&demo.district);
    let district_code = demo.district.code.clone();
    let mut conn = db.conn()?;
    let actor = Actor::system("demo");
    let outcome = write(&mut conn, &actor, |tx| {
        let (district_id, district_added) = match District::find_by_code(tx.conn(), &demo.district.code)? {
            Some(d) => (d.id, false),
            None => (insert_district(tx, &demo)?, true),
        };
        let users_added = insert_users(tx, district_id, replica, password_hash, !demo_mode)?;
        let plan_adopted = adopt_plan(tx, district_id, replica, &demo)?;
        let staff_added = insert_roster(tx, district_id, replica, &demo.district.code)?;
        if !district_added && users_added == 0 && !plan_adopted && staff_added == 0 {
            tx.nothing_changed();
        }
        let finance = demo_principal(tx, &replica.user("finance"))?;
        let approver = demo_principal(tx, &replica.user("approver"))?;
        let town = demo_principal(tx, &replica.user("town.binjiang"))?;
        let other_town = demo_principal(tx, &replica.user("town.shuanghe"))?;
        Ok::<_, DbError>((
            Outcome {
                district_added,
                users_added,
                plan_adopted,
                staff_added,
                budget_added: false,
                contracts_added: false,
                services_added: false,
                inspections_added: false,
                payroll: Default::default(),
            },
            district_id,
            finance,
            approver,
            (town, other_town),
        ))
    })
    .context("loading the demo district")?;
    let (outcome, district_id, finance, approver, (town, other_town)) = outcome;
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    let budget_added =
        crate::demo_budget::load(db, district_id, &finance, &approver, &town, &other_town, today)
            .context("loading the demo budget")?;
    let outcome = Outcome { budget_added, ..outcome };
    let payroll = crate::demo_payroll::load(db, district_id, &finance, &approver, today)
        .context("loading the demo payroll")?;
    let contracts_added = crate::demo_contracts::load(
        db,
        district_id,
        DEMO_SUPPLIER.0,
        &finance,
        &approver,
        &other_town,
        today,
    )
    .context("loading the demo contracts")?;
    let login = crate::demo_services::Login { password_hash, must_change: !demo_mode, replica };
    let services_added =
        crate::demo_services::load(db, files, (district_id, &district_code), &finance, &login, today)
            .context("loading the demo deliverables")?;
    let inspections_added = crate::demo_inspections::load(db, files, district_id, &finance, &login, today)
        .context("loading the demo inspections")?;
    Ok(Outcome { payroll, contracts_added, services_added, inspections_added, ..outcome })
}

fn insert_district(tx: &mut Tx<'_>, demo: &DemoFile) -> Result<i64, DbError> {
    let d = &demo.district;
    let district_id =
        District::insert(tx, &NewDistrict { code: &d.code, name: &d.name, name_en: &d.name_en })?;
    for t in &demo.towns {
        let town_id = Town::insert(
            tx,
            &NewTown { district_id, code: &t.code, name: &t.name, name_en: &t.name_en, kind: &t.kind },
        )?;
        TownProfile::insert(
            tx,
            &NewTownProfile {
                district_id,
                town_id,
                effective_from: demo.effective_from,
                communities: t.communities,
                villages: t.villages,
                population: t.population,
                recipients_dibao: t.recipients.dibao,
                recipients_tekun: t.recipients.tekun,
                recipients_marginal: t.recipients.marginal,
                recipients_expense: t.recipients.expense,
                note: "示范数据".to_owned(),
            },
        )?;
    }
    Ok(district_id)
}

fn insert_users(
    tx: &mut Tx<'_>,
    district_id: i64,
    replica: Replica,
    password_hash: &str,
    must_change: bool,
) -> Result<usize, DbError> {
    let supplier_id =
        match supplier_choices(tx.conn(), district_id)?.into_iter().find(|c| c.name == DEMO_SUPPLIER.0) {
            Some(s) => s.id,
            None => create_supplier(tx, district_id, DEMO_SUPPLIER.0, DEMO_SUPPLIER.1)?,
        };
    let town_codes = app::db::district::town_ids_by_code(tx.conn(), district_id)?;
    let mut added = 0;
    for u in DEMO_USERS {
        let username = replica.user(u.username);
        if UserRow::find_by_username(tx.conn(), &username)?.is_some() {
            continue;
        }
        let town_id = u.town.and_then(|code| town_codes.iter().find(|(c, _)| c == code).map(|(_, id)| *id));
        create_user(
            tx,
            &NewUser {
                district_id,
                username: &username,
                display_name: u.name,
                password_hash,
                must_change_password: must_change,
                roles: &[u.role],
                town_id,
                supplier_id: (u.role == Role::Provider).then_some(supplier_id),
            },
        )?;
        added += 1;
    }
    Ok(added)
}

/// Submits the demo's allocation plan as the finance user and approves
/// it as the approver, through the same path as the pages; adopting it
/// opens the posts. Skipped when a plan is already adopted.
fn adopt_plan(tx: &mut Tx<'_>, district_id: i64, replica: Replica, demo: &DemoFile) -> Result<bool, DbError> {
    if allocation::adopted_posts(tx.conn(), district_id)?.is_some() {
        return Ok(false);
    }
    let finance = demo_principal(tx, &replica.user("finance"))?;
    let approver = demo_principal(tx, &replica.user("approver"))?;
    let a = &demo.allocation;
    let params = PlanParams {
        method: Method::from_code(&a.method)
            .ok_or_else(|| DbError::Corrupt("demo allocation method".into()))?,
        total: a.total,
        population_weight: a.population_weight,
        figures_on: demo.effective_from,
        effective_from: demo.effective_from,
    };
    let plan_id = allocation::submit_plan(tx, &finance, &params, "2026 年专职低保员岗位分配方案").map_err(
        |e| match e {
            allocation::PlanError::Db(d) => d,
            allocation::PlanError::Allocation(p) => DbError::Corrupt(format!("demo allocation: {p:?}")),
        },
    )?;
    let summary = allocation::list_plans(tx.conn(), district_id)?
        .into_iter()
        .find(|p| p.id == plan_id)
        .ok_or(DbError::NotFound)?;
    approvals::decide(
        tx,
        &approver,
        summary.approval_id,
        summary.approval_version,
        Decision::Approve,
        "同意，按方案执行。",
    )
    .map_err(approval_to_db)?;
    Ok(true)
}

fn approval_to_db(e: approvals::ApprovalError) -> DbError {
    match e {
        approvals::ApprovalError::Db(d) => d,
        other => DbError::Corrupt(format!("demo approval refused: {other}")),
    }
}

pub(crate) fn demo_principal(tx: &mut Tx<'_>, username: &str) -> Result<Principal, DbError> {
    principal_of(tx.conn(), username)
}

/// The signed-in view of the demo user `username`.
pub(crate) fn principal_of(conn: &mut AnyConnection, username: &str) -> Result<Principal, DbError> {
    let user = UserRow::find_by_username(conn, username)?.ok_or(DbError::NotFound)?;
    let roles = UserRow::roles(conn, user.id)?;
    Ok(user.principal(roles))
}

const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何',
    '罗', '高', '林', '郑', '梁', '谢', '唐', '许', '冯', '宋', '韩', '邓', '彭', '曹', '曾', '田', '萧',
    '潘', '袁', '蒋', '蔡', '余', '杜',
];
const GIVEN: &[char] = &[
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超',
    '秀', '霞', '平', '刚', '桂', '英', '华', '玉', '萍', '红', '鹏', '辉', '丹', '婷', '宇', '浩', '欣',
    '悦', '晨', '琳', '雪', '建', '文',
];

/// A small deterministic generator, so the demo is the same every time.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// An invented person: a name, a fictitious identity number with a
/// valid check character (address code of the demo district, 500199),
/// and plausible qualifications.
fn invent_person(rng: &mut Lcg, district_code: &str, today: NaiveDate, role: RoleLevel) -> PersonInput {
    let surname = SURNAMES[rng.next(SURNAMES.len() as u64) as usize];
    let given: String = (0..1 + rng.next(2)).map(|_| GIVEN[rng.next(GIVEN.len() as u64) as usize]).collect();
    let birth =
        NaiveDate::from_ymd_opt(1970 + rng.next(30) as i32, 1 + rng.next(12) as u32, 1 + rng.next(28) as u32)
            .unwrap_or(NaiveDate::MIN);
    let seq = 100 + rng.next(899);
    let first17 = format!("{district_code}{}{seq:03}", birth.format("%Y%m%d"));
    let id_number = format!("{first17}{}", check_character(&first17));
    let earliest_hire = birth
        .with_year(birth.year() + 22)
        .unwrap_or(birth)
        .max(NaiveDate::from_ymd_opt(2012, 3, 1).unwrap_or(today));
    let span = (today - earliest_hire).num_days().max(1) as u64;
    let hire_date = earliest_hire + chrono::Duration::days(rng.next(span) as i64);
    let education = match rng.next(10) {
        0..=3 => Education::College,
        4..=8 => Education::Bachelor,
        _ => Education::Master,
    };
    let certificate = match rng.next(10) {
        0..=3 => Certificate::None,
        4..=7 => Certificate::Assistant,
        8 => Certificate::Intermediate,
        _ => {
            if role == RoleLevel::Head {
                Certificate::Senior
            } else {
                Certificate::Intermediate
            }
        }
    };
    PersonInput {
        name: format!("{surname}{given}"),
        id_number,
        phone: format!("1{}{:09}", [3, 5, 7, 8, 9][rng.next(5) as usize], rng.next(1_000_000_000)),
        education,
        social_work_major: rng.next(3) == 0,
        certificate,
        hire_date,
        role_level: role,
    }
}

/// Fills most demo posts with invented people (every fifteenth stays
/// vacant), puts two more on standby, and hires one person below 大专
/// under an approved exception. Skipped when anyone is on the roster.
fn insert_roster(
    tx: &mut Tx<'_>,
    district_id: i64,
    replica: Replica,
    district_code: &str,
) -> Result<usize, DbError> {
    if !roster::list(tx.conn(), district_id, None)?.is_empty() {
        return Ok(0);
    }
    let finance = demo_principal(tx, &replica.user("finance"))?;
    let approver = demo_principal(tx, &replica.user("approver"))?;
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    let posts = roster::open_posts(tx.conn(), district_id, None, today)?;
    let mut rng = Lcg(500_199 + u64::from(replica.0));
    let mut added = 0;
    let mut seen_in_town: HashMap<i64, u32> = HashMap::new();
    let to_db = |e: roster::RosterError| DbError::Corrupt(format!("demo roster: {e}"));
    for (i, (post_id, town_id, _, _)) in posts.iter().enumerate() {
        let n = seen_in_town.entry(*town_id).or_default();
        *n += 1;
        if i % 15 == 7 {
            continue;
        }
        let role = match *n {
            1 => RoleLevel::Head,
            2 => RoleLevel::Deputy,
            _ => RoleLevel::Assistant,
        };
        let person = invent_person(&mut rng, district_code, today, role);
        let hire = NewHire { person, town_id: *town_id, post_id: Some(*post_id), duties: String::new() };
        roster::hire(tx, &finance, &hire, today, None).map_err(to_db)?;
        added += 1;
    }
    // Two people without a post, and one hire below 大专 by exception.
    let towns: Vec<i64> = posts.iter().map(|p| p.1).collect();
    for k in 0..3 {
        let town_id = towns[(k * 11) % towns.len()];
        let mut person = invent_person(&mut rng, district_code, today, RoleLevel::Assistant);
        let hire = if k < 2 {
            NewHire { person, town_id, post_id: None, duties: String::new() }
        } else {
            person.education = Education::Secondary;
            NewHire { person, town_id, post_id: None, duties: "协助入户调查".into() }
        };
        if k < 2 {
            roster::hire(tx, &finance, &hire, today, None).map_err(to_db)?;
        } else {
            let approval_id = roster::submit_hiring_exception(
                tx,
                &finance,
                &hire,
                "熟悉本村情况，已报名参加社会工作者职业资格考试",
                today,
            )
            .map_err(to_db)?;
            let version = approvals::version_of(tx.conn(), approval_id)?;
            approvals::decide(
                tx,
                &approver,
                approval_id,
                version,
                Decision::Approve,
                "同意例外聘用，限期取得学历。",
            )
            .map_err(approval_to_db)?;
        }
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_matches_seed_002() {
        let demo = parse().expect("demo file parses");
        assert_eq!(demo.district.name, "云溪区");
        assert_eq!(demo.towns.len(), 26);
        assert_eq!(demo.towns.iter().map(|t| t.communities).sum::<i32>(), 129);
        assert_eq!(demo.towns.iter().map(|t| t.villages).sum::<i32>(), 66);
        assert_eq!(demo.towns.iter().map(|t| t.population).sum::<i64>(), 831_700);
        assert_eq!(demo.towns.iter().map(|t| t.posts).sum::<u32>(), 198);
    }

    #[test]
    fn demo_towns_meet_the_seed_003_minimums() {
        // Registered population under 20,000: at least 1 post; 20,000 to
        // 50,000: at least 2; over 50,000: at least 3.
        for t in parse().expect("demo file parses").towns {
            let minimum = match t.population {
                p if p < 20_000 => 1,
                p if p <= 50_000 => 2,
                _ => 3,
            };
            assert!(t.posts >= minimum, "{} has {} posts", t.name, t.posts);
        }
    }

    /// The posts written in the demo file are what its plan computes.
    #[test]
    fn demo_plan_gives_the_posts_in_the_file() {
        use app::domain::allocation::{AllocationInput, StaffingNorms, UnitInput, allocate};
        let demo = parse().expect("demo file parses");
        let a = &demo.allocation;
        let input = AllocationInput {
            method: Method::from_code(&a.method).expect("method"),
            total: a.total,
            population_weight: a.population_weight,
            recipients_weight: 100 - a.population_weight,
            norms: StaffingNorms::seed_003(),
            units: demo
                .towns
                .iter()
                .map(|t| UnitInput {
                    code: t.code.clone(),
                    population: t.population as u64,
                    recipients: (t.recipients.dibao
                        + t.recipients.tekun
                        + t.recipients.marginal
                        + t.recipients.expense) as u64,
                })
                .collect(),
        };
        let result = allocate(&input).expect("allocates");
        for (t, u) in demo.towns.iter().zip(&result.units) {
            assert_eq!(t.posts, u.posts, "{}", t.name);
        }
    }

    #[test]
    fn invented_people_are_valid() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let mut rng = Lcg(1);
        for _ in 0..500 {
            let p = invent_person(&mut rng, "500199", today, RoleLevel::Assistant);
            assert_eq!(app::domain::roster::check_person(&p, today), vec![], "{p:?}");
        }
    }

    #[test]
    fn demo_codes_are_unique() {
        let demo = parse().expect("demo file parses");
        let mut codes: Vec<&str> = demo.towns.iter().map(|t| t.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), demo.towns.len());
    }

    #[test]
    fn there_is_a_demo_user_for_every_role_with_a_valid_password() {
        for role in Role::ALL {
            assert!(DEMO_USERS.iter().any(|u| u.role == role), "no demo user for {role:?}");
        }
        for u in DEMO_USERS {
            assert_eq!(app::domain::password::normalize_username(u.username).as_deref(), Ok(u.username));
            assert_eq!(app::domain::password::check_password(u.username, DEMO_PASSWORD), Ok(()));
            assert_eq!(u.town.is_some(), u.role == Role::Town);
        }
    }
}
