//! Procurement (政府采购) of purchased services: the catalogue of what the
//! bureau buys (seed 002: 服务性工作 and 事务性工作, and the assistant posts
//! bought as a service), the procurement methods of 政府采购法 art. 26 and
//! the later 竞争性磋商 and 框架协议 rules (REFERENCE.md §3), and the checks
//! on a project's dates, bids and award.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which part of seed 002 an item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemCategory {
    /// 服务性工作: services to recipients.
    Service,
    /// 事务性工作: casework the bureau would otherwise do itself.
    Affairs,
    /// 专职低保员岗位: posts bought as a service (never as labour dispatch,
    /// 102号令 art. 10 item 5).
    Posts,
}

impl ItemCategory {
    pub fn zh(self) -> &'static str {
        match self {
            ItemCategory::Service => "服务性工作",
            ItemCategory::Affairs => "事务性工作",
            ItemCategory::Posts => "专职低保员岗位服务",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ItemCategory::Service => "Services to recipients",
            ItemCategory::Affairs => "Casework",
            ItemCategory::Posts => "Assistant posts as a service",
        }
    }
}

/// One item of the purchasing catalogue (购买服务指导性目录).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    pub code: &'static str,
    pub category: ItemCategory,
    pub zh: &'static str,
    pub en: &'static str,
    pub unit_zh: &'static str,
    pub unit_en: &'static str,
}

const fn item(
    code: &'static str,
    category: ItemCategory,
    zh: &'static str,
    en: &'static str,
    unit_zh: &'static str,
    unit_en: &'static str,
) -> ServiceItem {
    ServiceItem { code, category, zh, en, unit_zh, unit_en }
}

/// The catalogue, in seed 002's order.
pub const CATALOGUE: [ServiceItem; 14] = [
    item("visits", ItemCategory::Service, "定期走访", "Regular visits", "人次", "visits"),
    item("care", ItemCategory::Service, "照料护理", "Personal care", "小时", "hours"),
    item("rehabilitation", ItemCategory::Service, "康复训练", "Rehabilitation", "人次", "sessions"),
    item("medical_escort", ItemCategory::Service, "送医陪护", "Medical escort", "人次", "escorts"),
    item("social_integration", ItemCategory::Service, "社会融入", "Social integration", "人次", "sessions"),
    item("capacity_building", ItemCategory::Service, "能力提升", "Capacity building", "人次", "sessions"),
    item("counselling", ItemCategory::Service, "心理疏导", "Counselling", "人次", "sessions"),
    item("screening", ItemCategory::Affairs, "对象排查", "Screening of recipients", "户", "households"),
    item("household_survey", ItemCategory::Affairs, "入户调查", "Household surveys", "户", "households"),
    item(
        "data_verification",
        ItemCategory::Affairs,
        "家庭信息核查比对",
        "Household data checks",
        "户",
        "households",
    ),
    item("training", ItemCategory::Affairs, "业务培训", "Training", "场", "sessions"),
    item("publicity", ItemCategory::Affairs, "政策宣传", "Policy publicity", "场", "events"),
    item("data_entry", ItemCategory::Affairs, "信息系统录入", "Data entry", "条", "records"),
    item(
        "assistant_posts",
        ItemCategory::Posts,
        "专职低保员岗位服务",
        "Assistant posts",
        "岗·月",
        "post-months",
    ),
];

/// The catalogue item with `code`.
pub fn catalogue_item(code: &str) -> Option<&'static ServiceItem> {
    CATALOGUE.iter().find(|i| i.code == code)
}

/// A procurement method (采购方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// 公开招标.
    OpenTender,
    /// 邀请招标.
    InvitedTender,
    /// 竞争性谈判.
    CompetitiveNegotiation,
    /// 竞争性磋商 (财库〔2014〕214号).
    CompetitiveConsultation,
    /// 单一来源.
    SingleSource,
    /// 询价.
    RequestForQuotation,
    /// 框架协议采购.
    FrameworkAgreement,
}

impl Method {
    pub const ALL: [Method; 7] = [
        Method::OpenTender,
        Method::InvitedTender,
        Method::CompetitiveNegotiation,
        Method::CompetitiveConsultation,
        Method::SingleSource,
        Method::RequestForQuotation,
        Method::FrameworkAgreement,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Method::OpenTender => "open_tender",
            Method::InvitedTender => "invited_tender",
            Method::CompetitiveNegotiation => "competitive_negotiation",
            Method::CompetitiveConsultation => "competitive_consultation",
            Method::SingleSource => "single_source",
            Method::RequestForQuotation => "request_for_quotation",
            Method::FrameworkAgreement => "framework_agreement",
        }
    }

    pub fn from_code(code: &str) -> Option<Method> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Method::OpenTender => "公开招标",
            Method::InvitedTender => "邀请招标",
            Method::CompetitiveNegotiation => "竞争性谈判",
            Method::CompetitiveConsultation => "竞争性磋商",
            Method::SingleSource => "单一来源",
            Method::RequestForQuotation => "询价",
            Method::FrameworkAgreement => "框架协议",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Method::OpenTender => "Open tender",
            Method::InvitedTender => "Invited tender",
            Method::CompetitiveNegotiation => "Competitive negotiation",
            Method::CompetitiveConsultation => "Competitive consultation",
            Method::SingleSource => "Single source",
            Method::RequestForQuotation => "Request for quotation",
            Method::FrameworkAgreement => "Framework agreement",
        }
    }

    /// The fewest bids or quotes an award needs: three for every
    /// competitive method (a tender with fewer fails, 政府采购法 art. 36),
    /// exactly one for a single source, one for a framework agreement's
    /// call-off.
    pub fn min_bids(self) -> usize {
        match self {
            Method::SingleSource | Method::FrameworkAgreement => 1,
            _ => 3,
        }
    }

    /// Does choosing this method need a written justification? Everything
    /// but an open tender does: the law makes open tender the main method.
    pub fn needs_justification(self) -> bool {
        self != Method::OpenTender
    }

    /// The OCDS `procurementMethod` (open, selective, limited, direct).
    pub fn ocds_method(self) -> &'static str {
        match self {
            Method::OpenTender => "open",
            Method::InvitedTender
            | Method::CompetitiveNegotiation
            | Method::CompetitiveConsultation
            | Method::RequestForQuotation
            | Method::FrameworkAgreement => "selective",
            Method::SingleSource => "direct",
        }
    }
}

/// Where a procurement project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProjectStatus {
    /// Being planned: method, funding and dates set; bids may be recorded.
    Planning,
    /// Awarded to a supplier; a contract may be drafted.
    Awarded,
    /// Given up (with a reason); nothing more happens.
    Cancelled,
}

impl ProjectStatus {
    pub fn code(self) -> &'static str {
        match self {
            ProjectStatus::Planning => "planning",
            ProjectStatus::Awarded => "awarded",
            ProjectStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<ProjectStatus> {
        [ProjectStatus::Planning, ProjectStatus::Awarded, ProjectStatus::Cancelled]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// Why a project, a bid or an award is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProcurementProblem {
    TitleRequired,
    UnknownItem,
    UnknownMethod,
    /// The method needs a justification (every method but open tender).
    JustificationRequired,
    /// Amounts must be positive and at most the system's maximum.
    Amount,
    /// The funding lines must sum to the project's budget.
    FundingMismatch {
        budget: Decimal,
        funded: Decimal,
    },
    /// No funding line.
    FundingRequired,
    /// Dates out of order: planned ≤ tender opens ≤ tender closes ≤ award.
    DateOrder,
    /// Only planning projects take bids, awards or cancellation.
    WrongState,
    /// Too few bids for the method.
    TooFewBids {
        method: Method,
        needed: usize,
        have: usize,
    },
    /// The awarded supplier did not bid.
    NotABidder,
    /// An award above the project's budget.
    OverBudget,
    /// The award needs a reason (评审结果, 成交理由).
    ReasonRequired,
    /// The supplier cannot be awarded (see [`super::supplier::Ineligible`]).
    Ineligible(super::supplier::Ineligible),
    /// A supplier bids once per project.
    DuplicateBid,
}

/// The key dates of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyDates {
    pub planned_on: NaiveDate,
    pub tender_opens: Option<NaiveDate>,
    pub tender_closes: Option<NaiveDate>,
}

/// Checks the dates are in order (the award date, when known, last).
pub fn check_dates(d: &KeyDates, award_on: Option<NaiveDate>) -> Result<(), ProcurementProblem> {
    let chain = [Some(d.planned_on), d.tender_opens, d.tender_closes, award_on];
    let known: Vec<NaiveDate> = chain.into_iter().flatten().collect();
    if known.windows(2).all(|w| w[0] <= w[1]) { Ok(()) } else { Err(ProcurementProblem::DateOrder) }
}

/// Checks a project's funding lines against its budget.
pub fn check_funding(budget: Decimal, lines: &[Decimal]) -> Result<(), ProcurementProblem> {
    if lines.is_empty() {
        return Err(ProcurementProblem::FundingRequired);
    }
    if lines.iter().any(|a| *a <= Decimal::ZERO) {
        return Err(ProcurementProblem::Amount);
    }
    let funded: Decimal = lines.iter().sum();
    if funded != budget {
        return Err(ProcurementProblem::FundingMismatch { budget, funded });
    }
    Ok(())
}

/// A bid or quote as the award check sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bid {
    pub supplier_id: i64,
    pub amount: Decimal,
}

/// Checks an award of `amount` to `supplier_id`: the method's number of
/// bids, a bid from the winner at or above the award (an award is the
/// winner's price or a negotiated lower one, never more), within the
/// budget, with a reason.
pub fn check_award(
    method: Method,
    budget: Decimal,
    bids: &[Bid],
    supplier_id: i64,
    amount: Decimal,
    reason: &str,
) -> Result<(), ProcurementProblem> {
    if reason.trim().is_empty() {
        return Err(ProcurementProblem::ReasonRequired);
    }
    let needed = method.min_bids();
    let have = bids.len();
    if have < needed || (method == Method::SingleSource && have != 1) {
        return Err(ProcurementProblem::TooFewBids { method, needed, have });
    }
    let Some(bid) = bids.iter().find(|b| b.supplier_id == supplier_id) else {
        return Err(ProcurementProblem::NotABidder);
    };
    if amount <= Decimal::ZERO || amount > bid.amount {
        return Err(ProcurementProblem::Amount);
    }
    if amount > budget {
        return Err(ProcurementProblem::OverBudget);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn day(m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, dd).expect("date")
    }

    #[test]
    fn the_catalogue_holds_seed_002s_items() {
        let zh: Vec<&str> = CATALOGUE.iter().map(|i| i.zh).collect();
        for name in [
            "定期走访",
            "照料护理",
            "康复训练",
            "送医陪护",
            "社会融入",
            "能力提升",
            "心理疏导",
            "对象排查",
            "入户调查",
            "家庭信息核查比对",
            "业务培训",
            "政策宣传",
            "信息系统录入",
        ] {
            assert!(zh.contains(&name), "{name}");
        }
        assert_eq!(catalogue_item("assistant_posts").map(|i| i.category), Some(ItemCategory::Posts));
        assert_eq!(catalogue_item("labour_dispatch"), None);
        let mut codes: Vec<&str> = CATALOGUE.iter().map(|i| i.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CATALOGUE.len());
    }

    #[test]
    fn methods_round_trip_and_know_their_minimum() {
        for m in Method::ALL {
            assert_eq!(Method::from_code(m.code()), Some(m));
        }
        assert_eq!(Method::OpenTender.min_bids(), 3);
        assert_eq!(Method::SingleSource.min_bids(), 1);
        assert!(!Method::OpenTender.needs_justification());
        assert!(Method::SingleSource.needs_justification());
    }

    #[test]
    fn dates_must_run_forward() {
        let k = KeyDates {
            planned_on: day(1, 10),
            tender_opens: Some(day(2, 1)),
            tender_closes: Some(day(2, 21)),
        };
        assert_eq!(check_dates(&k, Some(day(2, 28))), Ok(()));
        assert_eq!(check_dates(&k, Some(day(2, 21))), Ok(()));
        assert_eq!(check_dates(&k, Some(day(2, 20))), Err(ProcurementProblem::DateOrder));
        let k = KeyDates { planned_on: day(3, 1), tender_opens: Some(day(2, 1)), tender_closes: None };
        assert_eq!(check_dates(&k, None), Err(ProcurementProblem::DateOrder));
        let k = KeyDates { planned_on: day(3, 1), tender_opens: None, tender_closes: None };
        assert_eq!(check_dates(&k, Some(day(3, 1))), Ok(()));
    }

    #[test]
    fn funding_lines_sum_to_the_budget() {
        assert_eq!(check_funding(d("500000"), &[d("300000"), d("200000")]), Ok(()));
        assert_eq!(
            check_funding(d("500000"), &[d("300000"), d("199999.99")]),
            Err(ProcurementProblem::FundingMismatch { budget: d("500000"), funded: d("499999.99") })
        );
        assert_eq!(check_funding(d("1"), &[]), Err(ProcurementProblem::FundingRequired));
        assert_eq!(check_funding(d("0"), &[d("0")]), Err(ProcurementProblem::Amount));
    }

    #[test]
    fn an_award_needs_enough_bids_a_bidder_and_a_reason() {
        let bids = |n: i64| (1..=n).map(|i| Bid { supplier_id: i, amount: d("480000") }).collect::<Vec<_>>();
        let ok = check_award(Method::OpenTender, d("500000"), &bids(3), 2, d("480000"), "综合评分第一");
        assert_eq!(ok, Ok(()));
        assert_eq!(
            check_award(Method::OpenTender, d("500000"), &bids(2), 2, d("480000"), "综合评分第一"),
            Err(ProcurementProblem::TooFewBids { method: Method::OpenTender, needed: 3, have: 2 })
        );
        assert_eq!(
            check_award(Method::SingleSource, d("500000"), &bids(2), 1, d("480000"), "唯一"),
            Err(ProcurementProblem::TooFewBids { method: Method::SingleSource, needed: 1, have: 2 })
        );
        assert_eq!(check_award(Method::SingleSource, d("500000"), &bids(1), 1, d("480000"), "唯一"), Ok(()));
        assert_eq!(
            check_award(Method::OpenTender, d("500000"), &bids(3), 9, d("480000"), "x"),
            Err(ProcurementProblem::NotABidder)
        );
        assert_eq!(
            check_award(Method::OpenTender, d("500000"), &bids(3), 1, d("480000.01"), "x"),
            Err(ProcurementProblem::Amount)
        );
        assert_eq!(
            check_award(Method::OpenTender, d("400000"), &bids(3), 1, d("480000"), "x"),
            Err(ProcurementProblem::OverBudget)
        );
        assert_eq!(
            check_award(Method::OpenTender, d("500000"), &bids(3), 1, d("480000"), " "),
            Err(ProcurementProblem::ReasonRequired)
        );
    }
}
