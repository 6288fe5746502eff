//! Data of the rectification notice (整改通知书).

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::contract::cn_date;

/// A confirmed finding as the notice lists it.
pub struct NoticeFinding {
    pub kind: &'static str,
    pub severity: &'static str,
    pub description: String,
}

/// What a notice says.
pub struct Notice {
    pub notice_no: String,
    pub district: String,
    pub town: String,
    pub plan_title: String,
    pub inspected_on: Option<NaiveDate>,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub findings: Vec<NoticeFinding>,
}

/// The `data.json` of `contract-templates/rectification-notice.typ`.
pub fn document_data(n: &Notice) -> Value {
    let rows: Vec<Value> = n
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| json!([(i + 1).to_string(), f.kind, f.severity, f.description]))
        .collect();
    let when = n.inspected_on.map(cn_date).unwrap_or_default();
    json!({
        "title": "整改通知书",
        "notice_no": n.notice_no,
        "addressee": n.town,
        "opening": format!(
            "根据“{}”，我局{}对你单位专职低保员的配备、使用和工作情况进行了抽查，发现以下问题：",
            n.plan_title,
            if when.is_empty() { String::new() } else { format!("于{when}") },
        ),
        "columns": ["序号", "问题类别", "严重程度", "具体情况"],
        "findings": rows,
        "requirement": format!(
            "请你单位对照上述问题认真整改，于{}前完成，并将整改情况及佐证材料通过“购助”系统报送我局。逾期未完成整改的，将予以通报。",
            cn_date(n.deadline),
        ),
        "basis": "专职低保员由镇街统一管理，非经区民政局批准，不得随意调整其工作岗位，不得随意增加其工作职责，确保专职低保员专职从事社会救助工作。",
        "issuer": format!("{}民政局", n.district),
        "date": cn_date(n.issued_on),
        "cc": "（本通知书由系统生成，编号可在系统中查验。）",
    })
}
