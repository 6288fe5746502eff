//! The demo's deliverables: a recipients register for four towns, the
//! bureau contract's service area, a second provider user (渝安, serving
//! 双河), three months of service records from both organisations with
//! photo evidence, one accepted and one returned report, and one case of
//! each red flag (a double service in 双河, a worker's 27-hour day, one
//! photo on two records, a visit outside the contract's area). Every
//! write goes through the application's own paths. Skipped when the
//! district has recipients already.

use std::collections::HashSet;

use anyhow::Context;
use app::db::accounts::{NewUser, UserRow, create_user};
use app::db::contracts::{self, ContractRow};
use app::db::services::{self, NewEvidence, NewReport, Review, Source};
use app::db::write::{Actor, Tx, write};
use app::db::{Db, DbError};
use app::domain::access::{Principal, Role};
use app::domain::files::strip_location;
use app::domain::idcard::check_character;
use app::domain::service::{Category, HouseholdChoice, Priority, RecipientInput, RecordInput};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use crate::demo::{Lcg, Replica, demo_principal as principal};
use crate::file_store::FileStore;

/// The second provider's demo user.
pub const SECOND_PROVIDER: (&str, &str) = ("provider.yuan", "吴霞");

fn to_db(e: services::ServiceError) -> DbError {
    match e {
        services::ServiceError::Db(d) => d,
        other => DbError::Corrupt(format!("demo deliverables refused: {other:?}")),
    }
}

const SURNAMES: &[char] =
    &['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '何'];
const GIVEN: &[char] =
    &['秀', '兰', '英', '华', '明', '国', '福', '贵', '珍', '芬', '德', '顺', '云', '春', '梅', '强'];
const VILLAGES: &[&str] = &["石桥村", "新华社区", "龙井村", "河坝村", "团结社区", "桂花村"];

/// A small solid-colour PNG (8 × 8), different for every `seed`, with a
/// text chunk as cameras write (removed on upload like any metadata).
pub(crate) fn photo(seed: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let (w, h) = (8u32, 8u32);
    let rgb = [(seed * 53 % 256) as u8, (seed * 97 % 256) as u8, (seed * 151 % 256) as u8];
    // Each scanline: filter type 0, then the pixels.
    let line: Vec<u8> = std::iter::once(0u8).chain((0..w).flat_map(|_| rgb)).collect();
    let raw: Vec<u8> = (0..h).flat_map(|_| line.iter().copied()).collect();
    // zlib: one stored deflate block, then Adler-32.
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend((raw.len() as u16).to_le_bytes());
    z.extend((!(raw.len() as u16)).to_le_bytes());
    z.extend(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for x in &raw {
        a = (a + u32::from(*x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"tEXt", format!("Comment\0GPS 29.56{seed:02} 106.55").as_bytes());
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    day.and_hms_opt(hour, minute, 0).unwrap_or_default()
}

fn visit(
    contract_id: i64,
    recipient_id: i64,
    code: &str,
    started_at: NaiveDateTime,
    minutes: u32,
    worker: &str,
    notes: &str,
) -> RecordInput {
    RecordInput {
        contract_id,
        recipient_id: Some(recipient_id),
        service_code: code.into(),
        started_at,
        minutes,
        worker: worker.into(),
        notes: notes.into(),
        location: None,
        keep_location: false,
        external_id: None,
    }
}

/// How the demo's new user signs in: the demo password's hash, and
/// whether it must be changed first.
pub struct Login<'a> {
    pub password_hash: &'a str,
    pub must_change: bool,
    /// Which copy of the demo district the users belong to.
    pub replica: Replica,
}

/// Loads the deliverables; returns whether it did.
pub fn load(
    db: &Db,
    files: &FileStore,
    (district_id, district_code): (i64, &str),
    finance: &Principal,
    login: &Login<'_>,
    today: NaiveDate,
) -> anyhow::Result<bool> {
    let Login { password_hash, must_change, replica } = *login;
    let second_provider = replica.user(SECOND_PROVIDER.0);
    let mut conn = db.conn()?;
    if !services::recipients(&mut conn, finance, None)?.is_empty() {
        return Ok(false);
    }
    let list: Vec<ContractRow> = contracts::list(&mut conn, finance)?.into_iter().map(|(c, _)| c).collect();
    let towns = app::db::district::town_ids_by_code(&mut conn, district_id)?;
    let town = |code: &str| towns.iter().find(|(c, _)| c == code).map(|(_, id)| *id);
    let (Some(binjiang), Some(shuanghe)) = (town("001"), town("011")) else {
        return Ok(false);
    };
    let find = |pred: &dyn Fn(&ContractRow) -> bool| list.iter().find(|c| pred(c)).cloned();
    let (Some(services_contract), Some(binjiang_contract), Some(shuanghe_contract)) = (
        find(&|c| c.town_id.is_none() && c.template == "social_work_services"),
        find(&|c| c.town_id == Some(binjiang) && c.status == "performing"),
        find(&|c| c.town_id == Some(shuanghe) && c.status == "performing"),
    ) else {
        return Ok(false);
    };
    let start = services_contract.start_on;
    let yesterday = today - Duration::days(1);
    let photos: Vec<(Vec<u8>, bool)> = (0..12)
        .map(|i| strip_location(&photo(i), "image/png").map_err(|p| anyhow::anyhow!("demo photo: {p:?}")))
        .collect::<anyhow::Result<_>>()?;
    let mut stored = Vec::new();
    for (bytes, removed) in &photos {
        stored.push((files.put(bytes).context("storing a demo photo")?, bytes.len() as i64, *removed));
    }
    let actor = Actor::system("demo").in_district(district_id);
    write(&mut conn, &actor, |tx| -> Result<(), DbError> {
        // The second provider's user.
        if UserRow::find_by_username(tx.conn(), &second_provider)?.is_none() {
            create_user(
                tx,
                &NewUser {
                    district_id,
                    username: &second_provider,
                    display_name: SECOND_PROVIDER.1,
                    password_hash,
                    must_change_password: must_change,
                    roles: &[Role::Provider],
                    town_id: None,
                    supplier_id: Some(shuanghe_contract.supplier_id),
                },
            )?;
        }
        let provider_a = principal(tx, &replica.user("provider"))?;
        let provider_b = principal(tx, &second_provider)?;
        // The bureau contract serves every town but 滨江, which buys its own.
        let area: Vec<i64> = towns.iter().map(|(_, id)| *id).filter(|id| *id != binjiang).collect();
        services::set_area(tx, finance, services_contract.id, &area).map_err(to_db)?;

        // The register: ten households in each of four towns.
        let mut rng = Lcg(20_261_123);
        let mut seen = HashSet::new();
        let mut people: Vec<(i64, i64, Vec<Priority>)> = Vec::new();
        let register_towns: Vec<i64> =
            [Some(binjiang), Some(shuanghe), town("002"), town("003")].into_iter().flatten().collect();
        for t in &register_towns {
            for h in 0..10u32 {
                let members = 1 + rng.next(2) as u32;
                let village = VILLAGES[rng.next(VILLAGES.len() as u64) as usize];
                let mut household = None;
                for m in 0..members {
                    let year = match (h % 4, m) {
                        (_, 1) => 2011 + rng.next(6) as i32,
                        (0, _) => 1936 + rng.next(10) as i32,
                        _ => 1950 + rng.next(40) as i32,
                    };
                    let birth =
                        NaiveDate::from_ymd_opt(year, 1 + rng.next(12) as u32, 1 + rng.next(28) as u32)
                            .unwrap_or(NaiveDate::MIN);
                    let mut id_number;
                    loop {
                        let first17 =
                            format!("{district_code}{}{:03}", birth.format("%Y%m%d"), 100 + rng.next(899));
                        id_number = format!("{first17}{}", check_character(&first17));
                        if seen.insert(id_number.clone()) {
                            break;
                        }
                    }
                    let mut priority = Vec::new();
                    if year < 1946 {
                        priority.push(Priority::Elderly);
                    }
                    if year > 2008 {
                        priority.push(Priority::Minor);
                    }
                    match rng.next(6) {
                        0 => priority.push(Priority::SevereDisability),
                        1 => priority.push(Priority::SeriousIllness),
                        2 => priority.push(Priority::Incapacitated),
                        _ => {}
                    }
                    let name: String = std::iter::once(SURNAMES[rng.next(SURNAMES.len() as u64) as usize])
                        .chain((0..1 + rng.next(2)).map(|_| GIVEN[rng.next(GIVEN.len() as u64) as usize]))
                        .collect();
                    let input = RecipientInput {
                        name,
                        id_number,
                        category: if members == 1 && year < 1960 { Category::Tekun } else { Category::Dibao },
                        priority: priority.clone(),
                        household: match household {
                            Some(hid) => HouseholdChoice::Existing(hid),
                            None => HouseholdChoice::New {
                                town_id: *t,
                                village: village.into(),
                                address: format!("{village}{}组{}号", 1 + rng.next(8), 1 + rng.next(60)),
                            },
                        },
                    };
                    let id = services::register(tx, finance, &input).map_err(to_db)?;
                    if household.is_none() {
                        household = services::recipient(tx.conn(), finance, id)?.map(|(_, h)| h.id);
                    }
                    people.push((id, *t, priority));
                }
            }
        }
        let in_town = |t: i64| people.iter().filter(move |(_, town, _)| *town == t);

        // Three months of work. The bureau contract: a monthly visit to
        // every priority recipient outside 滨江, household surveys.
        let workers = ["张敏", "王磊", "李娜"];
        let mut a_records = Vec::new();
        let day_of = |month: i64, n: usize| start + Duration::days(month * 30 + 2 + (n as i64 * 3) % 25);
        for (n, (id, t, priority)) in people.iter().enumerate() {
            if *t == binjiang {
                continue;
            }
            for month in 0..3 {
                let day = day_of(month, n);
                if day >= yesterday {
                    continue;
                }
                if !priority.is_empty() {
                    a_records.push(visit(
                        services_contract.id,
                        *id,
                        "visits",
                        at(day, 9 + (n % 5) as u32, 0),
                        45,
                        workers[n % 3],
                        "上门探访，了解生活和就医情况",
                    ));
                }
                if n % 4 == month as usize {
                    a_records.push(visit(
                        services_contract.id,
                        *id,
                        "household_survey",
                        at(day, 14, 30),
                        90,
                        workers[(n + 1) % 3],
                        "入户核查家庭收入和财产情况",
                    ));
                }
            }
        }
        // 滨江's own contract: weekly personal care for its priority people.
        let carers = ["钱红", "赵丽"];
        for (n, (id, _, priority)) in in_town(binjiang).enumerate() {
            if priority.is_empty() {
                continue;
            }
            let mut day = start + Duration::days(1 + n as i64 % 5);
            while day < yesterday - Duration::days(4) {
                a_records.push(visit(
                    binjiang_contract.id,
                    *id,
                    "care",
                    at(day, 8 + (n % 3) as u32 * 3, 0),
                    120,
                    carers[n % 2],
                    "助浴、清洁、协助服药",
                ));
                day += Duration::days(7);
            }
        }
        services::create_records(tx, &provider_a, &a_records, Source::Demo, "demo").map_err(to_db)?;
        // 渝安 in 双河: visits every two weeks.
        let mut b_records = Vec::new();
        for (n, (id, _, _)) in in_town(shuanghe).enumerate() {
            let mut day = start + Duration::days(3 + n as i64 % 7);
            while day < yesterday - Duration::days(3) {
                b_records.push(visit(
                    shuanghe_contract.id,
                    *id,
                    "visits",
                    at(day, 15, 0),
                    30,
                    "孙强",
                    "独居老人定期探访",
                ));
                day += Duration::days(14);
            }
        }
        services::create_records(tx, &provider_b, &b_records, Source::Demo, "demo").map_err(to_db)?;

        // One of each red flag.
        let flag_day = yesterday - Duration::days(2);
        let first_shuanghe = in_town(shuanghe).next().map(|p| p.0).ok_or(DbError::NotFound)?;
        let one = |tx: &mut Tx<'_>, who: &Principal, r: RecordInput| {
            services::create_record(tx, who, &r, Source::Demo).map(|(id, _)| id).map_err(to_db)
        };
        one(
            tx,
            &provider_a,
            visit(
                services_contract.id,
                first_shuanghe,
                "visits",
                at(flag_day, 10, 0),
                60,
                "张敏",
                "上门探访",
            ),
        )?;
        one(
            tx,
            &provider_b,
            visit(
                shuanghe_contract.id,
                first_shuanghe,
                "visits",
                at(flag_day, 10, 30),
                30,
                "孙强",
                "定期探访",
            ),
        )?;
        let binjiang_person =
            in_town(binjiang).find(|p| !p.2.is_empty()).map(|p| p.0).ok_or(DbError::NotFound)?;
        let long_day = yesterday - Duration::days(3);
        for hour in [0, 8, 15] {
            one(
                tx,
                &provider_a,
                visit(
                    binjiang_contract.id,
                    binjiang_person,
                    "care",
                    at(long_day, hour, 0),
                    540,
                    "钱红",
                    "全天照护",
                ),
            )?;
        }
        one(
            tx,
            &provider_a,
            visit(
                services_contract.id,
                binjiang_person,
                "visits",
                at(flag_day, 16, 0),
                40,
                "王磊",
                "临时探访",
            ),
        )?;

        // Photo evidence on some records; one photo on two of them.
        let recent = services::records(
            tx.conn(),
            &provider_a,
            &services::RecordFilter { limit: 11, ..Default::default() },
        )?;
        let photo_of = |i: usize| {
            let (sha256, size_bytes, removed) = stored[i].clone();
            NewEvidence {
                sha256,
                media_type: "image/png",
                size_bytes,
                display_name: format!("服务照片{:02}.png", i + 1),
                location_removed: removed,
            }
        };
        for (i, r) in recent.iter().enumerate() {
            let e = photo_of(if i == recent.len() - 1 { 0 } else { i });
            services::add_evidence(tx, &provider_a, r.id, &e).map_err(to_db)?;
        }

        // Reports: the first month accepted, the second returned.
        let month = |m: i64| (start + Duration::days(m * 30), start + Duration::days(m * 30 + 29));
        let (from, to) = month(0);
        let statements = |what: &str| {
            vec![
                format!("{what}走访按计划完成"),
                format!("{what}入户调查按期完成"),
                "回访满意度调查进行中".to_owned(),
            ]
        };
        let first = services::submit_report(
            tx,
            &provider_a,
            &NewReport {
                contract_id: services_contract.id,
                period_from: from,
                period_to: to,
                milestone_id: None,
                summary: "第一个月：完成重点对象首轮走访和入户调查，建立服务档案。".into(),
                statements: statements("首月"),
            },
        )
        .map_err(to_db)?;
        let version = |tx: &mut Tx<'_>, id: i64| -> Result<i32, DbError> {
            services::reports(tx.conn(), finance, Some(services_contract.id))?
                .into_iter()
                .find(|r| r.id == id)
                .map(|r| r.version)
                .ok_or(DbError::NotFound)
        };
        let v = version(tx, first)?;
        services::review_report(
            tx,
            finance,
            first,
            v,
            &Review::Accept {
                scores: vec![Decimal::from(92), Decimal::from(88), Decimal::from(90)],
                comment: "走访记录完整，入户调查按期完成。".into(),
            },
        )
        .map_err(to_db)?;
        let (from, to) = month(1);
        let second = services::submit_report(
            tx,
            &provider_a,
            &NewReport {
                contract_id: services_contract.id,
                period_from: from,
                period_to: to,
                milestone_id: None,
                summary: "第二个月：持续走访，开展入户调查。".into(),
                statements: statements("次月"),
            },
        )
        .map_err(to_db)?;
        let v = version(tx, second)?;
        services::review_report(
            tx,
            finance,
            second,
            v,
            &Review::Return {
                comment: "部分入户调查记录缺少对象签字确认，请补充佐证后重新提交。".into()
            },
        )
        .map_err(to_db)?;
        Ok(())
    })?;
    Ok(true)
}

/// Daily visits for load tests (`gouzhu demo --scale`): every recipient
/// of `replica`'s district is visited every day from the contracts'
/// start to yesterday: a visit on the bureau contract outside 滨江, an
/// hour of care on 滨江's own contract inside it, by twelve workers. Written in
/// one transaction through the application's own path; returns how many.
/// None when the contracts' first day has records already: the demo's
/// own records begin on the second day, so those are these.
pub fn daily_visits(db: &Db, replica: Replica) -> anyhow::Result<usize> {
    let mut conn = db.conn()?;
    let finance = crate::demo::principal_of(&mut conn, &replica.user("finance"))?;
    let provider = crate::demo::principal_of(&mut conn, &replica.user("provider"))?;
    let list: Vec<ContractRow> = contracts::list(&mut conn, &finance)?.into_iter().map(|(c, _)| c).collect();
    let towns = app::db::district::town_ids_by_code(&mut conn, finance.district_id)?;
    let binjiang = towns.iter().find(|(c, _)| c == "001").map(|(_, id)| *id);
    let (Some(bureau), Some(own)) = (
        list.iter().find(|c| c.town_id.is_none() && c.template == "social_work_services"),
        list.iter().find(|c| c.town_id.is_some() && c.town_id == binjiang && c.status == "performing"),
    ) else {
        return Ok(0);
    };
    let start = bureau.start_on;
    let first_day =
        services::RecordFilter { from: Some(start), to: Some(start), limit: 1, ..Default::default() };
    if !services::records(&mut conn, &finance, &first_day)?.is_empty() {
        return Ok(0);
    }
    let yesterday = app::domain::calendar::china_date(chrono::Utc::now()) - Duration::days(1);
    let people = services::recipients(&mut conn, &finance, None)?;
    let workers =
        ["张敏", "王磊", "李娜", "刘芳", "陈杰", "杨丽", "黄勇", "赵静", "吴涛", "周燕", "徐明", "孙红"];
    let mut rows = Vec::new();
    let mut day = start;
    while day <= yesterday {
        for (n, (r, h)) in people.iter().enumerate() {
            // 滨江's contract buys personal care, the bureau's visits.
            let (contract, service) =
                if Some(h.town_id) == binjiang { (own.id, "care") } else { (bureau.id, "visits") };
            let slot = (n / workers.len()) as u32;
            rows.push(visit(
                contract,
                r.id,
                service,
                at(day, 8 + slot, 0),
                if service == "care" { 60 } else { 25 },
                workers[n % workers.len()],
                if service == "care" { "日常照护" } else { "日常探访" },
            ));
        }
        day += Duration::days(1);
    }
    let actor = Actor::system("demo").in_district(finance.district_id);
    write(&mut conn, &actor, |tx| {
        services::create_records(tx, &provider, &rows, Source::Demo, "demo").map_err(to_db)
    })?;
    Ok(rows.len())
}
