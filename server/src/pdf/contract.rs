//! Data of the contract documents (`contract-templates/contract-*.typ`):
//! a stored contract as the template reads it, and a sample contract for
//! previewing a template without a database. Contracts are legal documents
//! in Chinese whatever the reader's language.

use app::db::contracts::ContractFull;
use app::db::suppliers::SupplierRow;
use app::domain::capitals::in_capitals;
use app::domain::contract::{
    ContractInput, ContractTemplate, IndicatorInput, ItemInput, MilestoneInput, ScoreBand,
};
use app::domain::procurement::{Method, catalogue_item};
use app::domain::supplier::OrgType;
use app::format::yuan;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// Everything a contract document shows.
#[derive(Debug, Clone)]
pub struct ContractDoc {
    pub number: String,
    pub purchaser: String,
    pub purchaser_address: String,
    pub supplier: SupplierRow,
    pub project_code: String,
    pub method: Option<Method>,
    pub input: ContractInput,
    /// The current amount and end (after approved amendments).
    pub amount: Decimal,
    pub end_on: NaiveDate,
    /// Each milestone's base, in order.
    pub bases: Vec<Decimal>,
    /// Approved amendments: `(number, reason, summary)`.
    pub amendments: Vec<(i32, String, String)>,
    pub signed_on: Option<NaiveDate>,
}

impl ContractDoc {
    /// The document of a stored contract.
    pub fn of(
        full: &ContractFull,
        supplier: SupplierRow,
        purchaser: String,
        project_code: String,
        method: Option<Method>,
    ) -> ContractDoc {
        let bases = full.bases().unwrap_or_default();
        let amendments = full
            .amendments
            .iter()
            .filter(|a| a.status == "approved")
            .map(|a| {
                let mut parts = Vec::new();
                if let Some(x) = a.amount_fen {
                    let (from, to) =
                        (app::domain::money::from_fen(a.before_amount_fen), app::domain::money::from_fen(x));
                    parts.push(format!("合同金额由 {} 元变更为 {} 元", yuan(from), yuan(to)));
                }
                if let Some(e) = a.end_on {
                    parts.push(format!("终止日期由 {} 变更为 {}", cn_date(a.before_end_on), cn_date(e)));
                }
                if !a.other_changes.is_empty() {
                    parts.push(a.other_changes.clone());
                }
                (a.number, a.reason.clone(), parts.join("；"))
            })
            .collect();
        ContractDoc {
            number: full.contract.number.clone(),
            purchaser,
            purchaser_address: String::new(),
            supplier,
            project_code,
            method,
            input: full.input.clone(),
            amount: app::domain::money::from_fen(full.contract.current_amount_fen),
            end_on: full.contract.current_end_on,
            bases,
            amendments,
            signed_on: full.contract.signed_on,
        }
    }
}

/// `2026年1月1日`.
pub fn cn_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn capitals(a: Decimal) -> String {
    in_capitals(a).unwrap_or_default()
}

fn bands_text(bands: &[ScoreBand]) -> String {
    if bands.is_empty() {
        return "验收合格全额支付".to_owned();
    }
    let mut parts = Vec::new();
    for (i, b) in bands.iter().enumerate() {
        let pct = format!("{}%", (b.factor * Decimal::ONE_HUNDRED).normalize());
        let range = match bands.get(i + 1) {
            Some(next) if b.min_score.is_zero() => format!("{}分以下", next.min_score.normalize()),
            Some(next) => format!("{}–{}分", b.min_score.normalize(), next.min_score.normalize()),
            None => format!("{}分及以上", b.min_score.normalize()),
        };
        parts.push(format!("{range}支付{pct}"));
    }
    parts.join("；")
}

/// The template's data for `doc`.
pub fn document_data(doc: &ContractDoc) -> Value {
    let c = &doc.input;
    let s = &doc.supplier;
    let items: Vec<Value> = c
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let cat = catalogue_item(&i.item_code);
            json!({
                "no": (n + 1).to_string(),
                "item": cat.map(|x| x.zh).unwrap_or(&i.item_code),
                "unit": cat.map(|x| x.unit_zh).unwrap_or(""),
                "description": i.description,
                "quantity": i.quantity.normalize().to_string(),
                "unit_price": yuan(i.unit_price),
                "amount": yuan(i.amount()),
                "indicator": i.indicator,
            })
        })
        .collect();
    let items_total: Decimal = c.items.iter().map(ItemInput::amount).sum();
    let milestones: Vec<Value> = c
        .milestones
        .iter()
        .enumerate()
        .map(|(n, m)| {
            let base = doc.bases.get(n).copied().unwrap_or_default();
            json!({
                "no": (n + 1).to_string(),
                "name": m.name,
                "percent": format!("{}%", m.percent.normalize()),
                "due": cn_date(m.due_on),
                "amount": yuan(base),
                "capitals": capitals(base),
                "condition": m.condition,
                "bands": bands_text(&m.bands),
            })
        })
        .collect();
    let indicators: Vec<Value> = c
        .indicators
        .iter()
        .enumerate()
        .map(|(n, i)| {
            json!({
                "no": (n + 1).to_string(),
                "name": i.name,
                "target": i.target,
                "weight": format!("{}%", i.weight.normalize()),
            })
        })
        .collect();
    let contact = [s.contact_name.as_str(), s.contact_phone.as_str()]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    json!({
        "title": c.title,
        "number": doc.number,
        "purchaser": { "name": doc.purchaser, "address": doc.purchaser_address },
        "supplier": {
            "name": s.name,
            "credit_code": s.credit_code,
            "org_type": s.org_type().map(OrgType::zh).unwrap_or(""),
            "legal_representative": s.legal_representative,
            "contact": contact,
            "address": s.address,
            "bank_name": s.bank_name,
            "bank_account": s.bank_account,
        },
        "project": {
            "code": doc.project_code,
            "method": doc.method.map(Method::zh).unwrap_or(""),
        },
        "term": {
            "start": cn_date(c.start_on),
            "end": cn_date(doc.end_on),
            "justification": c.term_justification,
        },
        "amount": { "figures": yuan(doc.amount), "capitals": capitals(doc.amount) },
        "items": items,
        "items_total": yuan(items_total),
        "milestones": milestones,
        "indicators": indicators,
        "breach": c.breach_clauses,
        "amendments": doc.amendments.iter().map(|(n, reason, summary)| json!({
            "number": n.to_string(), "reason": reason, "summary": summary,
        })).collect::<Vec<_>>(),
        "signed_on": doc.signed_on.map(cn_date).unwrap_or_else(|| "    年  月  日".to_owned()),
    })
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default()
}

/// A sample contract for previewing `template` with demo data.
pub fn sample(template: ContractTemplate) -> ContractDoc {
    let bands = vec![
        ScoreBand { min_score: d("0"), factor: d("0") },
        ScoreBand { min_score: d("60"), factor: d("0.8") },
        ScoreBand { min_score: d("80"), factor: d("1") },
    ];
    let (title, items, amount) = match template {
        ContractTemplate::SocialWorkServices => (
            "2026年度困难群众社会救助服务项目",
            vec![
                ItemInput {
                    item_code: "visits".into(),
                    description: "重点救助对象定期走访".into(),
                    quantity: d("2400"),
                    unit_price: d("80"),
                    indicator: "每名对象每月走访不少于1次".into(),
                },
                ItemInput {
                    item_code: "counselling".into(),
                    description: "心理疏导".into(),
                    quantity: d("300"),
                    unit_price: d("200"),
                    indicator: "个案评估后开展，每次不少于45分钟".into(),
                },
            ],
            d("252000"),
        ),
        ContractTemplate::AssistantPosts => (
            "2026年度专职低保员岗位服务",
            vec![ItemInput {
                item_code: "assistant_posts".into(),
                description: "26个镇街专职低保员岗位".into(),
                quantity: d("2376"),
                unit_price: d("4500"),
                indicator: "198个岗位全年在岗率不低于95%".into(),
            }],
            d("10692000"),
        ),
    };
    let input = ContractInput {
        title: title.into(),
        template,
        amount,
        start_on: day(2026, 1, 1),
        end_on: day(2026, 12, 31),
        term_justification: String::new(),
        items,
        milestones: vec![
            MilestoneInput {
                name: "合同签订".into(),
                percent: d("30"),
                due_on: day(2026, 1, 31),
                condition: "合同签订并提交年度服务方案".into(),
                bands: vec![],
            },
            MilestoneInput {
                name: "中期评估".into(),
                percent: d("40"),
                due_on: day(2026, 6, 30),
                condition: "中期绩效评估合格".into(),
                bands: bands.clone(),
            },
            MilestoneInput {
                name: "终期验收".into(),
                percent: d("30"),
                due_on: day(2026, 12, 31),
                condition: "终期验收合格".into(),
                bands,
            },
        ],
        indicators: vec![
            IndicatorInput {
                name: "服务完成率".into(),
                target: "≥95%".into(),
                weight: d("60"),
                counts: None,
            },
            IndicatorInput {
                name: "服务对象满意度".into(),
                target: "≥90%".into(),
                weight: d("40"),
                counts: None,
            },
        ],
        breach_clauses: vec![
            "乙方未按约定提供服务的，每发现一次扣减当期服务费用的1%。".into(),
            "乙方泄露服务对象个人信息的，甲方有权解除合同并追究其法律责任。".into(),
        ],
    };
    let bases = app::domain::contract::milestone_bases(
        amount,
        &input
            .milestones
            .iter()
            .map(|m| app::domain::contract::MilestoneShare { percent: m.percent, paid_base: None })
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    ContractDoc {
        number: "HT-2026-000".into(),
        purchaser: "示例区民政局".into(),
        purchaser_address: "示例区人民路1号".into(),
        supplier: SupplierRow {
            id: 0,
            district_id: 0,
            name: "示例社会工作服务中心".into(),
            name_en: String::new(),
            credit_code: "91350100M000100Y43".into(),
            org_type: OrgType::SocialOrganisation.code().into(),
            legal_representative: "王明".into(),
            contact_name: "李华".into(),
            contact_phone: "023-60000000".into(),
            address: "示例区民生路8号".into(),
            bank_name: "示例银行示例支行".into(),
            bank_account: "6222000012345678".into(),
            blacklist_reason: None,
            version: 1,
        },
        project_code: "CG-2026-000".into(),
        method: Some(Method::OpenTender),
        end_on: input.end_on,
        amount,
        input,
        bases,
        amendments: vec![],
        signed_on: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_read_as_sentences() {
        let b = |m: &str, f: &str| ScoreBand { min_score: d(m), factor: d(f) };
        assert_eq!(
            bands_text(&[b("0", "0"), b("60", "0.8"), b("80", "1")]),
            "60分以下支付0%；60–80分支付80%；80分及以上支付100%"
        );
        assert_eq!(bands_text(&[]), "验收合格全额支付");
    }

    #[test]
    fn the_samples_are_valid_contracts() {
        for t in ContractTemplate::ALL {
            let s = sample(t);
            assert!(app::domain::contract::check_contract(&s.input, s.amount).is_ok(), "{t:?}");
            let data = document_data(&s);
            assert_eq!(data["amount"]["figures"], json!(yuan(s.amount)));
        }
    }
}
