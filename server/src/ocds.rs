//! Open data: the district's contracting processes as an OCDS 1.1 release
//! package (Open Contracting Data Standard, schema 1.1.5): one compiled
//! release per procurement project with its planning (budget), tender
//! (method, period, tenderers), award, contracts (items, milestones,
//! numbered amendments) and implementation (the payments made).
//!
//! - `ocid` is `{prefix}-{district code}-{project code}`; the prefix is
//!   configurable (`--ocid-prefix`, `GOUZHU_OCID_PREFIX`) because a real
//!   publisher registers its own with the Open Contracting Partnership.
//! - Amounts are in CNY, as JSON numbers of yuan with two decimals.
//! - Parties are identified by their 统一社会信用代码 under the scheme
//!   `CN-USCC` (the code itself is authoritative; whether org-id.guide
//!   lists this scheme name was not verified).
//! - Drafts and contracts awaiting approval are not published; nothing
//!   personal is (no people's names beyond suppliers' contact points, no
//!   bank accounts, no recipients).

use app::db::contracts::{self, ContractFull};
use app::db::procurement::{self, ProjectRow};
use app::db::suppliers::{self, SupplierRow};
use app::db::{AnyConnection, DbError};
use app::domain::contract::ContractStatus;
use app::domain::money::from_fen;
use app::domain::procurement::{Method, ProjectStatus, catalogue_item};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The identifier scheme of 统一社会信用代码.
pub const SCHEME: &str = "CN-USCC";

/// What the package is published as.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub ocid_prefix: String,
    /// Where the package is served (`https://.../api/v1/ocds/release-package`).
    pub uri: String,
}

fn amount(a: Decimal) -> Value {
    json!({ "amount": a.round_dp(2).to_f64().unwrap_or_default(), "currency": "CNY" })
}

/// A date as an OCDS date-time: midnight in China.
fn date_time(d: NaiveDate) -> String {
    format!("{}T00:00:00+08:00", d.format("%Y-%m-%d"))
}

fn utc(t: NaiveDateTime) -> String {
    format!("{}Z", t.format("%Y-%m-%dT%H:%M:%S"))
}

fn party_id(s: &SupplierRow) -> String {
    if s.credit_code.is_empty() {
        format!("supplier-{}", s.id)
    } else {
        format!("{SCHEME}-{}", s.credit_code)
    }
}

fn reference(s: &SupplierRow) -> Value {
    json!({ "id": party_id(s), "name": s.name })
}

/// One project with everything published about it.
struct Process {
    project: ProjectRow,
    funding: Vec<(String, Decimal)>,
    bids: Vec<(SupplierRow, Decimal)>,
    contracts: Vec<ContractFull>,
}

fn load(
    conn: &mut AnyConnection,
    district_id: i64,
) -> Result<(Vec<Process>, BTreeMap<i64, SupplierRow>), DbError> {
    let mut suppliers_by_id = BTreeMap::new();
    let mut out = Vec::new();
    for project in procurement::all_in(conn, district_id)? {
        let mut funding = Vec::new();
        for line in procurement::funding(conn, project.id)? {
            let source = app::db::budget::SourceRow::load(conn, district_id, line.source_id)?;
            funding.push((source.name, line.amount));
        }
        let mut bids = Vec::new();
        for b in procurement::bids(conn, project.id)? {
            let s = suppliers::load_in(conn, district_id, b.supplier_id)?.ok_or(DbError::NotFound)?;
            suppliers_by_id.insert(s.id, s.clone());
            bids.push((s, from_fen(b.amount_fen)));
        }
        if let Some(id) = project.award_supplier_id
            && let Some(s) = suppliers::load_in(conn, district_id, id)?
        {
            suppliers_by_id.insert(s.id, s);
        }
        let mut cs = Vec::new();
        for c in contracts::for_project(conn, district_id, project.id)? {
            let published =
                c.status().is_ok_and(|s| !matches!(s, ContractStatus::Draft | ContractStatus::Pending));
            if published {
                cs.push(contracts::full_of(conn, c)?);
            }
        }
        out.push(Process { project, funding, bids, contracts: cs });
    }
    Ok((out, suppliers_by_id))
}

fn release(p: &Process, suppliers: &BTreeMap<i64, SupplierRow>, buyer: &Value, ocid: String) -> Value {
    let pr = &p.project;
    let method = pr.method();
    let status = pr.status();
    let item = catalogue_item(&pr.item_code);
    let classification = json!({
        "scheme": "gouzhu-catalogue",
        "id": pr.item_code,
        "description": item.map(|i| i.zh).unwrap_or_default(),
    });
    let mut tags = vec!["tender"];
    let mut dates: Vec<String> = vec![date_time(pr.planned_on)];
    let winner = pr.award_supplier_id.and_then(|id| suppliers.get(&id));
    if status == Some(ProjectStatus::Cancelled) {
        tags = vec!["tenderCancellation"];
    }
    let mut parties: BTreeMap<String, Value> = BTreeMap::new();
    parties.insert(buyer["id"].as_str().unwrap_or_default().to_owned(), buyer.clone());
    for (s, _) in &p.bids {
        let roles = if Some(s.id) == pr.award_supplier_id {
            json!(["tenderer", "supplier", "payee"])
        } else {
            json!(["tenderer"])
        };
        let mut party = json!({
            "id": party_id(s),
            "name": s.name,
            "roles": roles,
            "address": { "streetAddress": s.address, "countryName": "中国" },
        });
        if !s.credit_code.is_empty() {
            party["identifier"] = json!({ "scheme": SCHEME, "id": s.credit_code, "legalName": s.name });
        }
        if !s.contact_name.is_empty() || !s.contact_phone.is_empty() {
            party["contactPoint"] = json!({ "name": s.contact_name, "telephone": s.contact_phone });
        }
        parties.insert(party_id(s), party);
    }
    let tender = json!({
        "id": pr.code,
        "title": pr.title,
        "status": match status {
            Some(ProjectStatus::Awarded) => "complete",
            Some(ProjectStatus::Cancelled) => "cancelled",
            _ => "active",
        },
        "items": [{ "id": "1", "description": item.map(|i| i.zh).unwrap_or_default(), "classification": classification }],
        "value": amount(from_fen(pr.budget_fen)),
        "procurementMethod": method.map(Method::ocds_method).unwrap_or("open"),
        "procurementMethodDetails": method.map(Method::zh).unwrap_or_default(),
        "procurementMethodRationale": pr.justification,
        "mainProcurementCategory": "services",
        "tenderPeriod": {
            "startDate": pr.tender_opens.map(date_time),
            "endDate": pr.tender_closes.map(date_time),
        },
        "numberOfTenderers": p.bids.len(),
        "tenderers": p.bids.iter().map(|(s, _)| reference(s)).collect::<Vec<_>>(),
    });
    let mut release = json!({
        "ocid": ocid,
        "initiationType": "tender",
        "language": "zh",
        "buyer": { "id": buyer["id"], "name": buyer["name"] },
        "planning": {
            "budget": {
                "description": p.funding.iter().map(|(n, a)| format!("{n} {a}")).collect::<Vec<_>>().join("；"),
                "amount": amount(from_fen(pr.budget_fen)),
                "project": pr.title,
                "projectID": pr.code,
            },
            "rationale": pr.justification,
        },
        "tender": tender,
    });
    if let (Some(s), Some(fen), Some(on)) = (winner, pr.award_fen, pr.award_on) {
        tags.push("award");
        dates.push(date_time(on));
        release["awards"] = json!([{
            "id": format!("{}-award", pr.code),
            "title": pr.title,
            "description": pr.award_reason,
            "status": "active",
            "date": date_time(on),
            "value": amount(from_fen(fen)),
            "suppliers": [reference(s)],
        }]);
    }
    let mut contracts = Vec::new();
    for full in &p.contracts {
        let c = &full.contract;
        let cstatus = c.status().ok();
        tags.push("contract");
        if full.amendments.iter().any(|a| a.status == "approved") {
            tags.push("contractAmendment");
        }
        if cstatus == Some(ContractStatus::Terminated) {
            tags.push("contractTermination");
        }
        let bases = full.bases().unwrap_or_default();
        let milestones: Vec<Value> = full
            .milestones
            .iter()
            .zip(&bases)
            .map(|(m, base)| {
                let accepted = full.acceptance(m.id);
                json!({
                    "id": format!("{}-{}", c.number, m.seq),
                    "title": m.name,
                    "type": "delivery",
                    "description": format!("{}%（{} 元）：{}", m.percent.normalize(), base, m.condition),
                    "dueDate": date_time(m.due_on),
                    "dateMet": accepted.map(|a| date_time(a.accepted_on)),
                    "status": if accepted.is_some() { "met" } else { "scheduled" },
                })
            })
            .collect();
        let payee = suppliers.get(&c.supplier_id).map(reference).unwrap_or(Value::Null);
        let transactions: Vec<Value> = full
            .payments
            .iter()
            .filter(|x| x.status == "approved")
            .map(|x| {
                dates.push(date_time(x.pay_on));
                json!({
                    "id": format!("{}-payment-{}", c.number, x.id),
                    "date": date_time(x.pay_on),
                    "value": amount(from_fen(x.amount_fen)),
                    "payer": { "id": buyer["id"], "name": buyer["name"] },
                    "payee": payee,
                })
            })
            .collect();
        if !transactions.is_empty() {
            tags.push("implementation");
        }
        let amendments: Vec<Value> = full
            .amendments
            .iter()
            .filter(|a| a.status == "approved")
            .map(|a| {
                let mut changes = Vec::new();
                if let Some(x) = a.amount_fen {
                    changes.push(format!("金额 {} → {}", from_fen(a.before_amount_fen), from_fen(x)));
                }
                if let Some(e) = a.end_on {
                    changes.push(format!("终止日期 {} → {}", a.before_end_on, e));
                }
                if !a.other_changes.is_empty() {
                    changes.push(a.other_changes.clone());
                }
                json!({
                    "id": format!("{}-amendment-{}", c.number, a.number),
                    "date": utc(a.created_at),
                    "rationale": a.reason,
                    "description": changes.join("；"),
                })
            })
            .collect();
        if let Some(s) = c.signed_on {
            dates.push(date_time(s));
        }
        contracts.push(json!({
            "id": c.number,
            "awardID": format!("{}-award", pr.code),
            "title": c.title,
            "status": cstatus.map(ContractStatus::ocds).unwrap_or("pending"),
            "period": { "startDate": date_time(c.start_on), "endDate": date_time(c.current_end_on) },
            "value": amount(from_fen(c.current_amount_fen)),
            "dateSigned": c.signed_on.map(date_time),
            "items": full.input.items.iter().enumerate().map(|(n, i)| {
                let cat = catalogue_item(&i.item_code);
                json!({
                    "id": (n + 1).to_string(),
                    "description": if i.description.is_empty() { cat.map(|x| x.zh).unwrap_or_default().to_owned() } else { i.description.clone() },
                    "classification": { "scheme": "gouzhu-catalogue", "id": i.item_code, "description": cat.map(|x| x.zh).unwrap_or_default() },
                    "quantity": i.quantity.to_f64().unwrap_or_default(),
                    "unit": { "name": cat.map(|x| x.unit_zh).unwrap_or_default(), "value": amount(i.unit_price) },
                })
            }).collect::<Vec<_>>(),
            "milestones": milestones,
            "amendments": amendments,
            "implementation": { "transactions": transactions },
        }));
    }
    if !contracts.is_empty() {
        release["contracts"] = Value::Array(contracts);
    }
    let mut seen = std::collections::HashSet::new();
    tags.retain(|t| seen.insert(*t));
    let latest = dates.into_iter().max().unwrap_or_default();
    release["tag"] = json!(tags);
    release["date"] = json!(latest);
    release["id"] = json!(format!(
        "{}-{}",
        release["ocid"].as_str().unwrap_or_default(),
        latest.get(..10).unwrap_or_default()
    ));
    release["parties"] = Value::Array(parties.into_values().collect());
    release
}

/// The release package of `district_id`, published now.
pub fn package(conn: &mut AnyConnection, district_id: i64, publisher: &Publisher) -> Result<Value, DbError> {
    let district = app::db::district::District::find(conn, district_id)?.ok_or(DbError::NotFound)?;
    let (processes, suppliers) = load(conn, district_id)?;
    let buyer_name = format!("{}民政局", district.name);
    let buyer = json!({
        "id": format!("CN-GOV-{}-MZJ", district.code),
        "name": buyer_name,
        "roles": ["buyer", "procuringEntity", "payer"],
        "address": { "region": district.name, "countryName": "中国" },
    });
    let releases: Vec<Value> = processes
        .iter()
        .map(|p| {
            let ocid = format!("{}-{}-{}", publisher.ocid_prefix, district.code, p.project.code);
            release(p, &suppliers, &buyer, ocid)
        })
        .collect();
    Ok(json!({
        "uri": publisher.uri,
        "version": "1.1",
        "publishedDate": utc(chrono::Utc::now().naive_utc()),
        "publisher": { "name": buyer_name },
        "releases": releases,
    }))
}
