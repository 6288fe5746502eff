//! The demo's budget for the current year: the fiscal year with its
//! 困难群众救助补助资金, the four kinds of source (the 1% source entered
//! with a wrong base and corrected, so its history shows), what each may
//! pay (proposed by finance, approved by the approver), a monthly plan, a
//! town's own funds for each demo town, one with an approved purchase
//! request, a paid training
//! request, and one overrun let through by the approver with a reason.
//! Runs before the demo payroll, whose runs are funded from it. Skipped
//! when the year is open already.

use app::db::budget::{self, BudgetError, NewRequest, NewSource};
use app::db::write::{Actor, Tx, write};
use app::db::{Db, DbError, approvals};
use app::domain::access::Principal;
use app::domain::approval::{ApprovalKind, Decision};
use app::domain::budget::{CostType, SourceKind};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

fn to_db(e: BudgetError) -> DbError {
    match e {
        BudgetError::Db(d) => d,
        other => DbError::Corrupt(format!("demo budget: {other}")),
    }
}

fn yuan(n: i64) -> Decimal {
    Decimal::from(n)
}

/// Approves every pending item of `kind` (the demo's own submissions).
pub(crate) fn approve_pending(
    tx: &mut Tx<'_>,
    district_id: i64,
    approver: &Principal,
    kind: ApprovalKind,
    reason: &str,
    over: Option<&str>,
) -> Result<(), DbError> {
    let items = approvals::list(tx.conn(), district_id, 0)?;
    for item in
        items.iter().filter(|i| i.kind == kind && i.status == app::domain::approval::ApprovalStatus::Pending)
    {
        approvals::decide_with_override(tx, approver, item.id, item.version, Decision::Approve, reason, over)
            .map_err(|e| DbError::Corrupt(format!("demo approval refused: {e}")))?;
    }
    Ok(())
}

/// Loads the budget; returns whether it did.
pub fn load(
    db: &Db,
    district_id: i64,
    finance: &Principal,
    approver: &Principal,
    town: &Principal,
    other_town: &Principal,
    today: NaiveDate,
) -> anyhow::Result<bool> {
    let year = today.year();
    let mut conn = db.conn()?;
    if budget::years(&mut conn, district_id)?.iter().any(|y| y.year == year) {
        return Ok(false);
    }
    let actor = Actor::system("demo").in_district(district_id);
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).ok_or(DbError::NotFound);
    write(&mut conn, &actor, |tx| -> Result<(), DbError> {
        budget::record_year(tx, finance, year, yuan(60_000_000)).map_err(to_db)?;
        let source =
            |kind, name: &str, amount: i64, doc: &str, doc_date, eligible: &[CostType], town_id| NewSource {
                year,
                kind,
                name: name.to_owned(),
                town_id,
                amount: yuan(amount),
                base: None,
                doc_no: doc.to_owned(),
                doc_date: Some(doc_date),
                eligible: eligible.to_vec(),
            };
        use CostType::*;
        budget::create_source(
            tx,
            finance,
            &source(
                SourceKind::HigherLevel,
                "上级下拨社会救助专项资金",
                6_000_000,
                "渝财社〔2026〕18号",
                date(1, 20)?,
                &[AssistantPay, EmployerInsurance, ContractPayment],
                None,
            ),
        )
        .map_err(to_db)?;
        let one_percent = budget::create_source(
            tx,
            finance,
            &NewSource {
                base: Some(yuan(418_500_000)),
                ..source(
                    SourceKind::CityOnePercent,
                    "上年市级社会救助专项资金总数的1%",
                    0,
                    "区民政局〔2026〕3号",
                    date(2, 10)?,
                    &[AssistantPay, ContractPayment, Training],
                    None,
                )
            },
        )
        .map_err(to_db)?;
        budget::correct_base(
            tx,
            finance,
            one_percent,
            1,
            yuan(420_000_000),
            "市财政局通报上年市级社会救助专项资金决算数为4.2亿元，原按预算数录入",
        )
        .map_err(to_db)?;
        budget::create_source(
            tx,
            finance,
            &source(
                SourceKind::DistrictFinance,
                "区财政安排资金",
                3_500_000,
                "区财预〔2026〕5号",
                date(1, 15)?,
                &[AssistantPay, EmployerInsurance, Training, Other],
                None,
            ),
        )
        .map_err(to_db)?;
        let other = budget::create_source(
            tx,
            finance,
            &source(
                SourceKind::Other,
                "福利彩票公益金（社会救助类）",
                300_000,
                "区民政局〔2026〕9号",
                date(3, 2)?,
                &[Training, Other],
                None,
            ),
        )
        .map_err(to_db)?;
        let town_source = budget::create_source(
            tx,
            finance,
            &source(
                SourceKind::Other,
                "镇街自有资金（社会救助服务）",
                200_000,
                "镇财〔2026〕2号",
                date(3, 1)?,
                &[ContractPayment],
                town.town_id,
            ),
        )
        .map_err(to_db)?;
        budget::create_source(
            tx,
            finance,
            &source(
                SourceKind::Other,
                "镇街自有资金（社会救助服务）",
                100_000,
                "镇财〔2026〕7号",
                date(3, 5)?,
                &[ContractPayment],
                other_town.town_id,
            ),
        )
        .map_err(to_db)?;
        approve_pending(
            tx,
            district_id,
            approver,
            ApprovalKind::BudgetEligibility,
            "符合专款专用要求，同意。",
            None,
        )?;
        // The plan: about what payroll and services pay each month.
        let months: Vec<Decimal> =
            (1..=12).map(|m| if m == 12 { yuan(1_400_000) } else { yuan(1_100_000) }).collect();
        budget::record_plan(tx, finance, year, &months).map_err(to_db)?;
        // A paid training request.
        let training = budget::submit_request(
            tx,
            finance,
            &NewRequest {
                source_id: other,
                cost_type: Training,
                town_id: None,
                title: "专职低保员年度业务培训".into(),
                purpose: "政策解读、入户调查与信息系统录入培训，两期".into(),
                amount: yuan(80_000),
                date: date(4, 8)?,
                override_request: None,
            },
        )
        .map_err(to_db)?;
        approve_pending(tx, district_id, approver, ApprovalKind::BudgetRequest, "同意。", None)?;
        budget::pay_request(tx, finance, training, None, date(5, 20)?).map_err(to_db)?;
        // An overrun the approver lets through with a reason.
        budget::submit_request(
            tx,
            finance,
            &NewRequest {
                source_id: other,
                cost_type: Other,
                title: "社会救助政策宣传月资料印制与发放".into(),
                purpose: "全区26个镇街宣传折页、海报".into(),
                amount: yuan(350_000),
                date: date(9, 1)?,
                override_request: Some("宣传月为市级统一部署任务，资金缺口拟在下年度预算中调剂".into()),
                town_id: None,
            },
        )
        .map_err(to_db)?;
        approve_pending(
            tx,
            district_id,
            approver,
            ApprovalKind::BudgetRequest,
            "同意。",
            Some("市级统一部署的宣传任务，经局务会研究同意先行承诺，缺口13万元下年度调剂"),
        )?;
        // A town's purchase from its own funds, approved by the district.
        budget::submit_request(
            tx,
            town,
            &NewRequest {
                source_id: town_source,
                cost_type: ContractPayment,
                town_id: None,
                title: "高龄独居困难老人探访关爱服务".into(),
                purpose: "辖区80岁以上独居低保、特困老人每月探访两次，为期一年".into(),
                amount: yuan(150_000),
                date: date(6, 1)?,
                override_request: None,
            },
        )
        .map_err(to_db)?;
        approve_pending(
            tx,
            district_id,
            approver,
            ApprovalKind::BudgetRequest,
            "镇街自有资金购买，符合规定，同意。",
            None,
        )?;
        Ok(())
    })?;
    Ok(true)
}
