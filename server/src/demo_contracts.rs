//! The demo's contracts: a supplier register (the demo provider's
//! organisation completed, three more), a social-work services project
//! tendered openly, awarded and contracted, with its first milestone
//! accepted and paid and an amendment that raises the amount; an assistant
//! posts project bought as a service, contracted and signed; and a town's
//! purchase (from its approved request) quoted and awarded. Every step goes
//! through the same writes and approvals as in the application; each demo
//! town's purchase (from its own funds) is contracted, signed and being
//! performed: 滨江's personal care with the demo provider, 双河's visits
//! with 渝安. Skipped when the district has projects already.

use app::db::contracts::{self, ContractError, NewAcceptance};
use app::db::procurement::{self, Award, FundingLine, NewProject};
use app::db::write::{Actor, Tx, write};
use app::db::{Db, DbError, budget, suppliers};
use app::domain::access::Principal;
use app::domain::approval::ApprovalKind;
use app::domain::contract::{
    AmendmentInput, ContractInput, ContractTemplate, Counted, IndicatorInput, ItemInput, MilestoneInput,
    ScoreBand,
};
use app::domain::supplier::{Qualification, SupplierInput};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::demo_budget::approve_pending;

fn to_db(e: ContractError) -> DbError {
    match e {
        ContractError::Db(d) => d,
        other => DbError::Corrupt(format!("demo contracts: {other}")),
    }
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

/// A demo supplier from `[name, code, type, representative, contact,
/// phone, address, account]`.
fn supplier(f: [&str; 8]) -> SupplierInput {
    let [name, code, org, rep, contact, phone, address, account] = f;
    SupplierInput {
        name: name.into(),
        credit_code: code.into(),
        org_type: org.into(),
        legal_representative: rep.into(),
        contact_name: contact.into(),
        contact_phone: phone.into(),
        address: address.into(),
        bank_name: "重庆农村商业银行云溪支行".into(),
        bank_account: account.into(),
    }
}

fn bands() -> Vec<ScoreBand> {
    vec![
        ScoreBand { min_score: d("0"), factor: d("0") },
        ScoreBand { min_score: d("60"), factor: d("0.8") },
        ScoreBand { min_score: d("80"), factor: d("1") },
    ]
}

fn approve(
    tx: &mut Tx<'_>,
    district_id: i64,
    approver: &Principal,
    kind: ApprovalKind,
) -> Result<(), DbError> {
    approve_pending(tx, district_id, approver, kind, "经审核，同意。", None)
}

/// Loads the contracts; returns whether it did.
pub fn load(
    db: &Db,
    district_id: i64,
    demo_supplier: &str,
    finance: &Principal,
    approver: &Principal,
    other_town: &Principal,
    today: NaiveDate,
) -> anyhow::Result<bool> {
    let mut conn = db.conn()?;
    if !procurement::all_in(&mut conn, district_id)?.is_empty() {
        return Ok(false);
    }
    // The story runs up to today: tendered about five months ago, signed
    // and started three weeks ago, the first milestone paid this week.
    let year = today.year();
    let ago = |days: i64| today - chrono::Duration::days(days);
    let start = ago(97);
    // The last day of the `n`-th month of a term from `start`.
    let month_end = |n: u32| -> Result<NaiveDate, DbError> {
        start.checked_add_months(chrono::Months::new(n)).and_then(|d| d.pred_opt()).ok_or(DbError::NotFound)
    };
    let end = month_end(12)?;
    let actor = Actor::system("demo").in_district(district_id);
    write(&mut conn, &actor, |tx| -> Result<(), DbError> {
        // The register.
        let existing = suppliers::list(tx.conn(), finance)?;
        let main = existing.iter().find(|s| s.name == demo_supplier).ok_or(DbError::NotFound)?;
        let qual = |name: &str, number: &str, expires: Option<NaiveDate>| Qualification {
            name: name.into(),
            number: number.into(),
            expires_on: expires,
        };
        suppliers::update(
            tx,
            finance,
            main.id,
            main.version,
            &supplier([
                demo_supplier,
                "52500112MJP100014R",
                "social_organisation",
                "周敏",
                "陈晓",
                "023-68810001",
                "云溪区民生路18号",
                "6228480100000000011",
            ]),
            &[
                qual("社会组织评估等级 4A", "云民评〔2025〕12号", Some(month_end(24)?)),
                qual("民办非企业单位登记证书", "渝云民证字第0018号", None),
            ],
        )
        .map_err(to_db)?;
        let yuan_an = suppliers::create(
            tx,
            finance,
            &supplier([
                "云溪区渝安社会工作服务社",
                "52500112MJP100022L",
                "social_organisation",
                "刘洋",
                "刘洋",
                "023-68810002",
                "云溪区滨江路66号",
                "6228480100000000022",
            ]),
            &[qual("社会组织评估等级 3A", "云民评〔2024〕7号", Some(month_end(18)?))],
        )
        .map_err(to_db)?;
        let kangning = suppliers::create(
            tx,
            finance,
            &supplier([
                "重庆康宁养老服务有限公司",
                "91500112MA5U7K3PXG",
                "company",
                "黄强",
                "黄强",
                "023-68810003",
                "云溪区康宁路2号",
                "6228480100000000033",
            ]),
            &[qual("养老机构备案回执", "云民养备〔2023〕5号", None)],
        )
        .map_err(to_db)?;
        let huimin = suppliers::create(
            tx,
            finance,
            &supplier([
                "重庆汇民社会服务有限公司",
                "91500112MA5U9Q2L8A",
                "company",
                "赵磊",
                "孙丽",
                "023-68810004",
                "云溪区汇民大道9号",
                "6228480100000000044",
            ]),
            &[],
        )
        .map_err(to_db)?;
        // Money: the 1% source first, the higher-level special funds after.
        let sources = budget::sources(tx.conn(), district_id, year)?;
        let by_kind = |k: &str| {
            sources.iter().find(|s| s.kind == k && s.town_id.is_none()).map(|s| s.id).ok_or(DbError::NotFound)
        };
        let one_percent = by_kind("city_one_percent")?;
        let higher = by_kind("higher_level")?;

        // 1. Social-work services: open tender, awarded, contracted, one
        //    milestone paid, amended.
        let services = procurement::create(
            tx,
            finance,
            &NewProject {
                title: format!("{year}—{}年度困难群众社会救助服务项目", year + 1),
                item_code: "visits".into(),
                method: "open_tender".into(),
                justification: String::new(),
                budget: d("360000"),
                planned_on: ago(155),
                tender_opens: Some(ago(138)),
                tender_closes: Some(ago(117)),
                funding: vec![
                    FundingLine { source_id: one_percent, amount: d("200000") },
                    FundingLine { source_id: higher, amount: d("160000") },
                ],
                budget_request_id: None,
            },
        )
        .map_err(to_db)?;
        for (s, amount, note) in [
            (main.id, "348000", "综合得分 91.5"),
            (yuan_an, "352000", "综合得分 86.0"),
            (kangning, "359000", "综合得分 78.5"),
        ] {
            procurement::add_bid(tx, finance, services, s, d(amount), ago(117), note).map_err(to_db)?;
        }
        procurement::award(
            tx,
            finance,
            services,
            1,
            &Award {
                supplier_id: main.id,
                amount: d("348000"),
                award_on: ago(109),
                reason: "评标委员会综合评分第一名，报价在预算内。".into(),
            },
        )
        .map_err(to_db)?;
        let contract = contracts::draft(
            tx,
            finance,
            services,
            &ContractInput {
                title: format!("{year}—{}年度困难群众社会救助服务项目", year + 1),
                template: ContractTemplate::SocialWorkServices,
                amount: d("348000"),
                start_on: start,
                end_on: end,
                term_justification: String::new(),
                items: vec![
                    ItemInput {
                        item_code: "visits".into(),
                        description: "重残、重病、高龄、未成年、失能对象定期走访".into(),
                        quantity: d("2400"),
                        unit_price: d("100"),
                        indicator: "每名重点对象每月走访不少于1次，留存走访记录".into(),
                    },
                    ItemInput {
                        item_code: "household_survey".into(),
                        description: "低保、特困申请家庭入户调查".into(),
                        quantity: d("720"),
                        unit_price: d("150"),
                        indicator: "受理后15个工作日内完成调查并录入系统".into(),
                    },
                ],
                milestones: vec![
                    MilestoneInput {
                        name: "合同签订及服务方案".into(),
                        percent: d("30"),
                        due_on: ago(8).max(start),
                        condition: "合同签订，提交年度服务方案并经甲方确认".into(),
                        bands: vec![],
                    },
                    MilestoneInput {
                        name: "中期绩效评估".into(),
                        percent: d("40"),
                        due_on: month_end(6)?,
                        condition: "中期绩效评估，服务记录与佐证材料齐全".into(),
                        bands: bands(),
                    },
                    MilestoneInput {
                        name: "终期验收".into(),
                        percent: d("30"),
                        due_on: end,
                        condition: "终期绩效评估及验收合格".into(),
                        bands: bands(),
                    },
                ],
                indicators: vec![
                    IndicatorInput {
                        name: "走访完成率".into(),
                        target: "≥95%".into(),
                        weight: d("40"),
                        counts: Some(Counted { service_code: "visits".into(), target: 2400 }),
                    },
                    IndicatorInput {
                        name: "入户调查按时完成率".into(),
                        target: "≥95%".into(),
                        weight: d("30"),
                        counts: Some(Counted { service_code: "household_survey".into(), target: 720 }),
                    },
                    IndicatorInput {
                        name: "服务对象满意度".into(),
                        target: "≥90%".into(),
                        weight: d("30"),
                        counts: None,
                    },
                ],
                breach_clauses: vec![
                    "乙方未按约定频次走访的，每缺少一人次扣减服务费100元。".into(),
                    "乙方泄露服务对象个人信息的，甲方有权解除合同并要求赔偿损失。".into(),
                    "甲方无正当理由逾期付款的，按逾期金额每日万分之三支付违约金。".into(),
                ],
            },
        )
        .map_err(to_db)?;
        contracts::submit(tx, finance, contract, 1).map_err(to_db)?;
        approve(tx, district_id, approver, ApprovalKind::Contract)?;
        let version =
            |tx: &mut Tx<'_>| contracts::load_in(tx.conn(), district_id, contract).map(|c| c.version);
        let v = version(tx)?;
        contracts::sign(tx, finance, contract, v, ago(101)).map_err(to_db)?;
        let v = version(tx)?;
        contracts::start(tx, finance, contract, v, start).map_err(to_db)?;
        let first =
            contracts::milestones(tx.conn(), contract)?.first().map(|m| m.id).ok_or(DbError::NotFound)?;
        contracts::accept_milestone(
            tx,
            finance,
            &NewAcceptance {
                milestone_id: first,
                accepted_on: ago(7),
                score: None,
                note: "合同已签订，年度服务方案经民政局社会救助科确认。".into(),
                report_id: None,
            },
        )
        .map_err(to_db)?;
        approve(tx, district_id, approver, ApprovalKind::MilestoneAcceptance)?;
        contracts::request_payment(tx, finance, first, ago(3)).map_err(to_db)?;
        approve(tx, district_id, approver, ApprovalKind::ContractPayment)?;
        contracts::propose_amendment(
            tx,
            finance,
            contract,
            &AmendmentInput {
                reason: "新增低保申请家庭较多，入户调查量增加".into(),
                amount: Some(d("360000")),
                end_on: None,
                term_justification: String::new(),
                other_changes: "入户调查增加80户（单价150元），合同金额相应增加12,000元".into(),
            },
        )
        .map_err(to_db)?;
        approve(tx, district_id, approver, ApprovalKind::ContractAmendment)?;

        // 2. Assistant posts as a service: competitive consultation,
        //    contracted and signed.
        let posts =
            procurement::create(
                tx,
                finance,
                &NewProject {
                    title: "专职低保员岗位服务（社会组织承接试点）".into(),
                    item_code: "assistant_posts".into(),
                    method: "competitive_consultation".into(),
                    justification:
                        "岗位服务需求明确但服务方案需与供应商磋商确定，依财库〔2014〕214号采用竞争性磋商。"
                            .into(),
                    budget: d("220000"),
                    planned_on: ago(150),
                    tender_opens: Some(ago(135)),
                    tender_closes: Some(ago(114)),
                    funding: vec![FundingLine { source_id: one_percent, amount: d("220000") }],
                    budget_request_id: None,
                },
            )
            .map_err(to_db)?;
        for (s, amount) in [(huimin, "216000"), (main.id, "219000"), (yuan_an, "218500")] {
            procurement::add_bid(tx, finance, posts, s, d(amount), ago(114), "").map_err(to_db)?;
        }
        procurement::award(
            tx,
            finance,
            posts,
            1,
            &Award {
                supplier_id: huimin,
                amount: d("216000"),
                award_on: ago(107),
                reason: "磋商小组综合评分第一名。".into(),
            },
        )
        .map_err(to_db)?;
        let quarter = |name: &str, due: NaiveDate, banded: bool| MilestoneInput {
            name: name.into(),
            percent: d("25"),
            due_on: due,
            condition: "岗位到岗率不低于95%，工作记录齐全".into(),
            bands: if banded { bands() } else { vec![] },
        };
        let posts_contract = contracts::draft(
            tx,
            finance,
            posts,
            &ContractInput {
                title: "专职低保员岗位服务（社会组织承接试点）".into(),
                template: ContractTemplate::AssistantPosts,
                amount: d("216000"),
                start_on: start,
                end_on: end,
                term_justification: String::new(),
                items: vec![ItemInput {
                    item_code: "assistant_posts".into(),
                    description: "双河镇4个专职低保员岗位，12个月".into(),
                    quantity: d("48"),
                    unit_price: d("4500"),
                    indicator: "4个岗位全部到岗，在岗率不低于95%".into(),
                }],
                milestones: vec![
                    quarter("第一季度", month_end(3)?, false),
                    quarter("第二季度", month_end(6)?, true),
                    quarter("第三季度", month_end(9)?, true),
                    quarter("第四季度", end, true),
                ],
                indicators: vec![
                    IndicatorInput {
                        name: "岗位在岗率".into(),
                        target: "≥95%".into(),
                        weight: d("50"),
                        counts: None,
                    },
                    IndicatorInput {
                        name: "入户调查按时完成率".into(),
                        target: "≥95%".into(),
                        weight: d("50"),
                        counts: None,
                    },
                ],
                breach_clauses: vec![
                    "乙方岗位空缺超过30日的，按空缺岗位月数扣减服务费。".into(),
                    "乙方擅自调整岗位人员工作职责的，甲方有权要求限期整改。".into(),
                ],
            },
        )
        .map_err(to_db)?;
        contracts::submit(tx, finance, posts_contract, 1).map_err(to_db)?;
        approve(tx, district_id, approver, ApprovalKind::Contract)?;
        let v = contracts::load_in(tx.conn(), district_id, posts_contract)?.version;
        contracts::sign(tx, finance, posts_contract, v, ago(99)).map_err(to_db)?;

        // 3. Each demo town's purchase from its own funds: 滨江's request
        //    approved with the budget, a new one for 双河; quoted (single
        //    source for the small one), awarded, the contract drafted.
        let own = sources
            .iter()
            .find(|s| s.town_id.is_some() && s.town_id == other_town.town_id)
            .map(|s| s.id)
            .ok_or(DbError::NotFound)?;
        budget::submit_request(
            tx,
            other_town,
            &budget::NewRequest {
                source_id: own,
                cost_type: app::domain::budget::CostType::ContractPayment,
                town_id: None,
                title: "双河镇特困供养人员定期探访服务".into(),
                purpose: "独居特困供养人员每周探访，镇自有资金承担".into(),
                amount: d("60000"),
                date: today,
                override_request: None,
            },
        )
        .map_err(|e| DbError::Corrupt(format!("demo town request: {e}")))?;
        approve(tx, district_id, approver, ApprovalKind::BudgetRequest)?;
        let requests = budget::requests(tx.conn(), finance, year)?;
        let town_purchases: Vec<_> = requests
            .iter()
            .filter(|(r, _)| r.kind == "town_purchase" && r.status == "approved")
            .map(|(r, _)| r.clone())
            .collect();
        for r in town_purchases {
            let small = r.amount_fen < 10_000_000;
            let (item, method, justification, bidders, unit) = if small {
                (
                    "visits",
                    "single_source",
                    "该机构长期承担本镇特困人员探访，为保证服务连续，只能从原供应商处采购。",
                    vec![(yuan_an, "58000")],
                    "200",
                )
            } else {
                (
                    "care",
                    "request_for_quotation",
                    "服务标准统一、市场供应充足、价格稳定，采用询价。",
                    vec![(main.id, "145000"), (kangning, "148000"), (yuan_an, "149500")],
                    "50",
                )
            };
            let project = procurement::create(
                tx,
                finance,
                &NewProject {
                    title: format!("{}（镇街购买）", r.title),
                    item_code: item.into(),
                    method: method.into(),
                    justification: justification.into(),
                    budget: Decimal::ZERO,
                    planned_on: ago(121),
                    tender_opens: Some(ago(119)),
                    tender_closes: Some(ago(112)),
                    funding: vec![],
                    budget_request_id: Some(r.id),
                },
            )
            .map_err(to_db)?;
            for (s, amount) in &bidders {
                procurement::add_bid(tx, finance, project, *s, d(amount), ago(112), "").map_err(to_db)?;
            }
            let (winner, price) = bidders[0];
            procurement::award(
                tx,
                finance,
                project,
                1,
                &Award {
                    supplier_id: winner,
                    amount: d(price),
                    award_on: ago(105),
                    reason: if small {
                        "唯一来源，价格经审核合理。"
                    } else {
                        "报价最低且满足服务要求。"
                    }
                    .into(),
                },
            )
            .map_err(to_db)?;
            let unit_price = d(unit);
            let quantity = d(price) / unit_price;
            let id = contracts::draft(
                tx,
                finance,
                project,
                &ContractInput {
                    title: format!("{}（镇街购买）", r.title),
                    template: ContractTemplate::SocialWorkServices,
                    amount: d(price),
                    start_on: start,
                    end_on: end,
                    term_justification: String::new(),
                    items: vec![ItemInput {
                        item_code: item.into(),
                        description: r.purpose.clone(),
                        quantity,
                        unit_price,
                        indicator: "按服务计划完成，服务记录经对象签字确认".into(),
                    }],
                    milestones: vec![
                        MilestoneInput {
                            name: "服务过半".into(),
                            percent: d("50"),
                            due_on: month_end(6)?,
                            condition: "完成计划服务量的50%".into(),
                            bands: vec![],
                        },
                        MilestoneInput {
                            name: "服务完成".into(),
                            percent: d("50"),
                            due_on: end,
                            condition: "终期验收合格".into(),
                            bands: bands(),
                        },
                    ],
                    indicators: vec![IndicatorInput {
                        name: "计划完成率".into(),
                        target: "≥95%".into(),
                        weight: d("100"),
                        counts: Some(Counted {
                            service_code: item.into(),
                            target: quantity.trunc().to_u32().unwrap_or(1).max(1),
                        }),
                    }],
                    breach_clauses: vec!["乙方未按计划提供服务的，按未完成比例扣减服务费。".into()],
                },
            )
            .map_err(to_db)?;
            // Approved (the request's commitment becomes the milestones'),
            // signed and being performed.
            contracts::submit(tx, finance, id, 1).map_err(to_db)?;
            approve(tx, district_id, approver, ApprovalKind::Contract)?;
            let v = contracts::load_in(tx.conn(), district_id, id)?.version;
            contracts::sign(tx, finance, id, v, ago(99)).map_err(to_db)?;
            let v = contracts::load_in(tx.conn(), district_id, id)?.version;
            contracts::start(tx, finance, id, v, start).map_err(to_db)?;
        }
        Ok(())
    })?;
    Ok(true)
}
