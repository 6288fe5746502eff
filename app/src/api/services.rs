//! Deliverables: service records, reports and their review, progress
//! against indicators, red flags, and the recipients register. Providers
//! write records and reports for their own contracts; finance reviews;
//! bureau staff read everything, a town its town's, a provider its own.

use chrono::{NaiveDate, NaiveDateTime};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::contract::ContractStatus;
use crate::domain::service::{
    Area, Category, Grade, Location, Priority, RecordField, RecordInput, RecordProblem, RedFlag, ServiceFault,
};
use crate::error::AppError;

/// A contract as the deliverables pages offer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractChoice {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub supplier: String,
    pub status: Option<ContractStatus>,
    /// Catalogue codes of its items delivered as records.
    pub items: Vec<String>,
    /// Milestones not yet accepted: id and label.
    pub open_milestones: Vec<(i64, String)>,
    /// Indicator names, in order.
    pub indicators: Vec<String>,
    pub area: Area,
    /// A town's own contract (its area is its town).
    pub town_contract: bool,
    /// Records may be entered (signed or performing).
    pub active: bool,
}

/// A service record as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub id: i64,
    pub contract_id: i64,
    pub contract_number: String,
    pub supplier_id: i64,
    pub started_at: NaiveDateTime,
    pub minutes: i32,
    pub recipient: Option<String>,
    pub service_code: String,
    pub worker: String,
    pub notes: String,
    pub location: Option<String>,
    pub source: String,
    pub void_reason: Option<String>,
    pub evidence: Vec<(i64, String)>,
}

/// A report as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummary {
    pub id: i64,
    pub contract_number: String,
    pub supplier: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub milestone: Option<String>,
    pub status: String,
    pub total: Option<Decimal>,
    pub grade: Option<Grade>,
}

/// One counted indicator's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorProgress {
    pub name: String,
    pub weight: Decimal,
    pub service_code: Option<String>,
    pub target: Option<Decimal>,
    pub progress: Option<crate::domain::service::Progress>,
}

/// Progress of one contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressData {
    pub contract_id: i64,
    pub indicators: Vec<IndicatorProgress>,
    /// Recipients named in the per-recipient figures.
    pub recipient_names: Vec<(i64, String)>,
}

/// Names a red flag's text needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FlagNames {
    pub suppliers: Vec<(i64, String)>,
    pub towns: Vec<(i64, String, String)>,
}

/// The deliverables page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicesData {
    pub contracts: Vec<ContractChoice>,
    pub selected: Option<i64>,
    pub records: Vec<RecordView>,
    pub reports: Vec<ReportSummary>,
    /// Recipients a provider may record services for: id and label.
    pub recipients: Vec<(i64, String)>,
    pub progress: Option<ProgressData>,
    /// Red flags of the last 90 days (bureau staff only).
    pub flags: Vec<RedFlag>,
    pub names: FlagNames,
    /// Towns, for the service-area form (finance).
    pub towns: Vec<(i64, String)>,
    pub may_record: bool,
    pub may_review: bool,
}

/// A record as typed on the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecordForm {
    pub contract_id: i64,
    pub recipient_id: Option<i64>,
    pub service_code: String,
    /// `YYYY-MM-DDTHH:MM` (a datetime-local input) or `YYYY-MM-DD HH:MM`.
    pub started_at: String,
    pub minutes: String,
    pub worker: String,
    pub notes: String,
    pub location: String,
    pub keep_location: bool,
}

/// Reads a date and time as typed or sent.
pub fn parse_time(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
}

impl RecordForm {
    /// The record, or what cannot be read.
    pub fn parse(&self) -> Result<RecordInput, AppError> {
        let mut problems = Vec::new();
        let started_at = parse_time(&self.started_at);
        if started_at.is_none() {
            problems.push((RecordField::StartedAt, RecordProblem::Unreadable));
        }
        let minutes = self.minutes.trim().parse::<u32>().ok();
        if minutes.is_none() {
            problems.push((RecordField::Minutes, RecordProblem::Minutes));
        }
        let location = match self.location.trim() {
            "" => None,
            text => {
                let l = Location::parse(text);
                if l.is_none() {
                    problems.push((RecordField::Location, RecordProblem::Location));
                }
                l
            }
        };
        match (started_at, minutes) {
            (Some(started_at), Some(minutes)) if problems.is_empty() => Ok(RecordInput {
                contract_id: self.contract_id,
                recipient_id: self.recipient_id,
                service_code: self.service_code.clone(),
                started_at,
                minutes,
                worker: self.worker.clone(),
                notes: self.notes.clone(),
                location,
                keep_location: self.keep_location,
                external_id: None,
            }),
            _ => Err(AppError::Service(ServiceFault::Record(problems))),
        }
    }
}

/// A report as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReportForm {
    pub contract_id: i64,
    pub period_from: String,
    pub period_to: String,
    pub milestone_id: Option<i64>,
    pub summary: String,
    pub statements: Vec<String>,
}

/// One indicator's line of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLineView {
    pub name: String,
    pub target: String,
    pub weight: Decimal,
    pub service_code: Option<String>,
    pub measured: Option<Decimal>,
    pub due: Option<Decimal>,
    pub suggested: Option<Decimal>,
    pub statement: String,
    pub score: Option<Decimal>,
}

/// A report with everything its review needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportData {
    pub id: i64,
    pub version: i32,
    pub contract_id: i64,
    pub contract_number: String,
    pub contract_title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub summary: String,
    pub status: String,
    pub review_comment: Option<String>,
    pub total: Option<Decimal>,
    pub grade: Option<Grade>,
    pub lines: Vec<ReportLineView>,
    /// Red flags touching its records (bureau staff only).
    pub flags: Vec<RedFlag>,
    /// Records in the period.
    pub records: usize,
    pub supplier: String,
    pub milestone: Option<String>,
    /// The acceptance it became, and that acceptance's status.
    pub acceptance: Option<(i64, String)>,
    pub names: FlagNames,
    pub may_review: bool,
}

/// A recipient as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientView {
    pub id: i64,
    pub name: String,
    /// Whole for finance and the administrator, masked for everyone else.
    pub id_number: String,
    pub category: Option<Category>,
    pub priority: Vec<Priority>,
    pub town: String,
    pub village: String,
    pub address: String,
    pub active: bool,
    pub version: i32,
}

/// The recipients register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientsData {
    pub recipients: Vec<RecipientView>,
    /// Towns where `who` may register people.
    pub towns: Vec<(i64, String)>,
    pub may_edit: bool,
}

/// The deliverables page's data (`contract`: the one selected).
#[server(prefix = "/api", endpoint = "services_overview")]
pub async fn services_overview(contract: Option<i64>) -> Result<ServicesData, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("services_overview")?;
        super::with_db(move |conn| ssr::overview(conn, &p, contract)).await
    }
    .await;
    super::finish(result)
}

/// Records one service (a provider).
#[server(prefix = "/api", endpoint = "save_service_record", input = Json)]
pub async fn save_service_record(form: RecordForm) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("save_service_record")?;
        let actor = crate::auth::actor(Some(&p));
        let input = form.parse()?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::services::create_record(tx, &p, &input, crate::db::services::Source::Web)
            })
            .map(|(id, _)| id)
            .map_err(ssr::from_service)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Voids a record (its provider).
#[server(prefix = "/api", endpoint = "void_service_record")]
pub async fn void_service_record(id: i64, reason: String) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("void_service_record")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::services::void_record(tx, &p, id, &reason))
                .map_err(ssr::from_service)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Submits a periodic report (a provider).
#[server(prefix = "/api", endpoint = "submit_service_report", input = Json)]
pub async fn submit_service_report(form: ReportForm) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("submit_service_report")?;
        let actor = crate::auth::actor(Some(&p));
        let date = |t: &str| {
            NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                .ok()
                .ok_or(AppError::Service(ServiceFault::Report(crate::domain::service::ReportProblem::Period)))
        };
        let report = crate::db::services::NewReport {
            contract_id: form.contract_id,
            period_from: date(&form.period_from)?,
            period_to: date(&form.period_to)?,
            milestone_id: form.milestone_id,
            summary: form.summary,
            statements: form.statements,
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::services::submit_report(tx, &p, &report))
                .map_err(ssr::from_service)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// One report with its lines and red flags.
#[server(prefix = "/api", endpoint = "service_report_detail")]
pub async fn service_report_detail(id: i64) -> Result<ReportData, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("service_report_detail")?;
        super::with_db(move |conn| ssr::report(conn, &p, id)).await
    }
    .await;
    super::finish(result)
}

/// Accepts (scoring every indicator) or returns a report (finance).
#[server(prefix = "/api", endpoint = "review_service_report", input = Json)]
pub async fn review_service_report(
    id: i64,
    version: i32,
    accept: bool,
    scores: Vec<String>,
    comment: String,
) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("review_service_report")?;
        let actor = crate::auth::actor(Some(&p));
        let review = if accept {
            let scores =
                scores.iter().map(|s| s.trim().parse::<Decimal>()).collect::<Result<Vec<_>, _>>().map_err(
                    |_| {
                        AppError::Service(ServiceFault::Report(crate::domain::service::ReportProblem::Scores))
                    },
                )?;
            crate::db::services::Review::Accept { scores, comment }
        } else {
            crate::db::services::Review::Return { comment }
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::services::review_report(tx, &p, id, version, &review)
            })
            .map(|_| ())
            .map_err(ssr::from_service)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// The recipients register.
#[server(prefix = "/api", endpoint = "recipient_list")]
pub async fn recipient_list() -> Result<RecipientsData, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("recipient_list")?;
        super::with_db(move |conn| ssr::recipients(conn, &p)).await
    }
    .await;
    super::finish(result)
}

/// A person as typed on the register form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecipientForm {
    pub name: String,
    pub id_number: String,
    pub category: String,
    pub priority: Vec<String>,
    pub town_id: Option<i64>,
    pub village: String,
    pub address: String,
}

/// Registers a person with a new household (finance; a town in its town).
#[server(prefix = "/api", endpoint = "register_recipient", input = Json)]
pub async fn register_recipient(form: RecipientForm) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("register_recipient")?;
        let actor = crate::auth::actor(Some(&p));
        use crate::domain::service::{HouseholdChoice, RecipientInput};
        let input = RecipientInput {
            name: form.name,
            id_number: form.id_number,
            category: Category::from_code(&form.category).unwrap_or(Category::Dibao),
            priority: Priority::parse_list(&form.priority.join(",")),
            household: HouseholdChoice::New {
                town_id: form.town_id.unwrap_or(-1),
                village: form.village,
                address: form.address,
            },
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::services::register(tx, &p, &input))
                .map_err(ssr::from_service)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Changes a person's priority groups and whether they still receive
/// assistance (finance; a town in its town).
#[server(prefix = "/api", endpoint = "update_recipient", input = Json)]
pub async fn update_recipient(
    id: i64,
    version: i32,
    priority: Vec<String>,
    active: bool,
) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("update_recipient")?;
        let actor = crate::auth::actor(Some(&p));
        let priority = Priority::parse_list(&priority.join(","));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::services::set_recipient(tx, &p, id, version, &priority, active)
            })
            .map_err(ssr::from_service)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Sets a bureau contract's service area (finance; no towns: the whole
/// district).
#[server(prefix = "/api", endpoint = "set_contract_area", input = Json)]
pub async fn set_contract_area(contract_id: i64, towns: Vec<i64>) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("set_contract_area")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::services::set_area(tx, &p, contract_id, &towns)
            })
            .map_err(ssr::from_service)
        })
        .await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::{HashMap, HashSet};

    use chrono::Duration;

    use super::*;
    use crate::db::AnyConnection;
    use crate::db::contracts::ContractRow;
    use crate::db::services::{self, RecordFilter, ServiceError};
    use crate::domain::access::{Principal, Role};
    use crate::domain::idcard::mask;

    pub fn from_service(e: ServiceError) -> AppError {
        match e {
            ServiceError::Refused(f) => AppError::Service(f),
            ServiceError::Rows(rows) => AppError::Service(ServiceFault::Rows(rows)),
            ServiceError::OutOfScope => AppError::Forbidden,
            ServiceError::Contract(c) => super::super::contracts::ssr::from_contract(c),
            ServiceError::Db(d) => super::super::from_db(d),
        }
    }

    fn db(e: crate::db::DbError) -> AppError {
        super::super::from_db(e)
    }

    /// Names of the district's suppliers and towns, for flags.
    pub fn names(conn: &mut AnyConnection, district_id: i64) -> Result<FlagNames, AppError> {
        use crate::db::schema::suppliers;
        use diesel::prelude::*;
        let suppliers = suppliers::table
            .filter(suppliers::district_id.eq(district_id))
            .select((suppliers::id, suppliers::name))
            .load::<(i64, String)>(conn)
            .map_err(|e| db(e.into()))?;
        let mut towns: Vec<(i64, String, String)> = crate::db::district::town_names(conn, district_id)
            .map_err(db)?
            .into_iter()
            .map(|(id, (zh, en))| (id, zh, en))
            .collect();
        towns.sort();
        Ok(FlagNames { suppliers, towns })
    }

    /// What the page's lists name, read once per request: the contracts
    /// `who` may see, supplier and town names, and the recipients `who`
    /// may see (name, and a label with the masked number).
    struct Lookups {
        contracts: Vec<ContractRow>,
        names: FlagNames,
        people: HashMap<i64, (String, String)>,
    }

    fn lookups(conn: &mut AnyConnection, who: &Principal) -> Result<Lookups, AppError> {
        let contracts =
            crate::db::contracts::list(conn, who).map_err(db)?.into_iter().map(|(c, _)| c).collect();
        let names = names(conn, who.district_id)?;
        let towns: HashMap<i64, &str> = names.towns.iter().map(|(id, zh, _)| (*id, zh.as_str())).collect();
        let people = services::recipients(conn, who, None)
            .map_err(db)?
            .into_iter()
            .map(|(r, h)| {
                let town = towns.get(&h.town_id).copied().unwrap_or_default();
                let label = format!("{} · {} · {town}{}", r.name, mask(&r.id_number), h.village);
                (r.id, (r.name, label))
            })
            .collect();
        Ok(Lookups { contracts, names, people })
    }

    /// The contracts records are kept under, as choices.
    fn choices(conn: &mut AnyConnection, l: &Lookups) -> Result<Vec<ContractChoice>, AppError> {
        let list: Vec<ContractRow> = l
            .contracts
            .iter()
            .filter(|c| matches!(c.status.as_str(), "signed" | "performing" | "accepted"))
            .filter(|c| c.template == "social_work_services")
            .cloned()
            .collect();
        let areas = services::areas(conn, &list).map_err(db)?;
        let names: HashMap<i64, &str> = l.names.suppliers.iter().map(|(id, n)| (*id, n.as_str())).collect();
        let mut out = Vec::new();
        for c in list {
            let full = crate::db::contracts::full_of(conn, c.clone()).map_err(db)?;
            let items = full
                .input
                .items
                .iter()
                .map(|i| i.item_code.clone())
                .filter(|code| crate::domain::service::measure_of(code).is_some())
                .collect();
            let open_milestones = full
                .milestones
                .iter()
                .filter(|m| full.acceptance(m.id).is_none())
                .map(|m| (m.id, format!("{} {}", m.seq, m.name)))
                .collect();
            let status = c.status().ok();
            out.push(ContractChoice {
                id: c.id,
                number: c.number.clone(),
                title: c.title.clone(),
                supplier: names.get(&c.supplier_id).copied().unwrap_or_default().to_owned(),
                status,
                items,
                open_milestones,
                indicators: full.input.indicators.iter().map(|i| i.name.clone()).collect(),
                area: areas.get(&c.id).cloned().unwrap_or(Area::WholeDistrict),
                town_contract: c.town_id.is_some(),
                active: matches!(status, Some(ContractStatus::Signed | ContractStatus::Performing)),
            });
        }
        Ok(out)
    }

    fn record_views(
        conn: &mut AnyConnection,
        l: &Lookups,
        rows: Vec<services::RecordRow>,
    ) -> Result<Vec<RecordView>, AppError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut evidence: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for e in services::evidence_of(conn, &ids).map_err(db)? {
            evidence.entry(e.record_id).or_default().push((e.id, e.display_name));
        }
        let numbers: HashMap<i64, &str> = l.contracts.iter().map(|c| (c.id, c.number.as_str())).collect();
        let people = &l.people;
        Ok(rows
            .into_iter()
            .map(|r| RecordView {
                id: r.id,
                contract_id: r.contract_id,
                contract_number: numbers.get(&r.contract_id).copied().unwrap_or_default().to_owned(),
                supplier_id: r.supplier_id,
                started_at: r.started_at,
                minutes: r.minutes,
                recipient: r
                    .recipient_id
                    .map(|id| people.get(&id).map(|p| p.0.clone()).unwrap_or(format!("#{id}"))),
                service_code: r.service_code,
                worker: r.worker,
                notes: r.notes,
                location: r
                    .latitude_micro
                    .zip(r.longitude_micro)
                    .map(|(a, b)| Location { lat_micro: a, lon_micro: b }.text()),
                source: r.source,
                void_reason: r.void_reason,
                evidence: evidence.remove(&r.id).unwrap_or_default(),
            })
            .collect())
    }

    fn summaries(
        conn: &mut AnyConnection,
        who: &Principal,
        l: &Lookups,
        contract: Option<i64>,
    ) -> Result<Vec<ReportSummary>, AppError> {
        let rows = services::reports(conn, who, contract).map_err(db)?;
        let names: HashMap<i64, &str> = l.names.suppliers.iter().map(|(id, n)| (*id, n.as_str())).collect();
        let numbers: HashMap<i64, &str> = l.contracts.iter().map(|c| (c.id, c.number.as_str())).collect();
        let mut milestones: HashMap<i64, String> = HashMap::new();
        let mut read: HashSet<i64> = HashSet::new();
        let mut out = Vec::new();
        for r in rows {
            if read.insert(r.contract_id) {
                for m in crate::db::contracts::milestones(conn, r.contract_id).map_err(db)? {
                    milestones.insert(m.id, format!("{} {}", m.seq, m.name));
                }
            }
            out.push(ReportSummary {
                id: r.id,
                contract_number: numbers.get(&r.contract_id).copied().unwrap_or_default().to_owned(),
                supplier: names.get(&r.supplier_id).copied().unwrap_or_default().to_owned(),
                period_from: r.period_from,
                period_to: r.period_to,
                milestone: r.milestone_id.and_then(|m| milestones.get(&m).cloned()),
                total: r.total().map(|t| t.normalize()),
                grade: r.grade(),
                status: r.status,
            });
        }
        Ok(out)
    }

    fn progress(
        conn: &mut AnyConnection,
        who: &Principal,
        l: &Lookups,
        contract_id: i64,
    ) -> Result<Option<ProgressData>, AppError> {
        let Some(c) = l.contracts.iter().find(|c| c.id == contract_id) else {
            return Ok(None);
        };
        let mut facts =
            services::facts(conn, who.district_id, Some(c.id), c.start_on, c.current_end_on).map_err(db)?;
        // A town user sees its town's recipients' records only.
        if !who.sees_whole_district() && !who.has(Role::Provider) {
            facts.retain(|f| f.town_id == who.town_id);
        }
        let lines = services::indicators(conn, c.id).map_err(db)?;
        let indicators = lines
            .into_iter()
            .map(|l| IndicatorProgress {
                name: l.name,
                weight: l.weight,
                service_code: l.counts.as_ref().map(|k| k.service_code.clone()),
                target: l.counts.as_ref().map(|k| Decimal::from(k.target)),
                progress: l
                    .counts
                    .as_ref()
                    .and_then(|k| crate::domain::service::progress(&facts, &k.service_code)),
            })
            .collect::<Vec<_>>();
        let wanted: HashSet<i64> = indicators
            .iter()
            .filter_map(|i| i.progress.as_ref())
            .flat_map(|p| p.by_recipient.iter().map(|(id, _)| *id))
            .collect();
        let mut recipient_names: Vec<(i64, String)> =
            wanted.into_iter().filter_map(|id| l.people.get(&id).map(|p| (id, p.0.clone()))).collect();
        recipient_names.sort();
        Ok(Some(ProgressData { contract_id: c.id, indicators, recipient_names }))
    }

    pub fn overview(
        conn: &mut AnyConnection,
        who: &Principal,
        contract: Option<i64>,
    ) -> Result<ServicesData, AppError> {
        let l = lookups(conn, who)?;
        let contracts = choices(conn, &l)?;
        let selected = contract.filter(|c| contracts.iter().any(|x| x.id == *c));
        let rows = services::records(
            conn,
            who,
            &RecordFilter {
                contract_id: selected,
                include_voided: true,
                limit: 200,
                ..RecordFilter::default()
            },
        )
        .map_err(db)?;
        let records = record_views(conn, &l, rows)?;
        let reports = summaries(conn, who, &l, selected)?;
        let may_record = who.has(Role::Provider) && contracts.iter().any(|c| c.active);
        let recipients = if may_record {
            let mut list: Vec<(i64, String)> =
                l.people.iter().map(|(id, (_, label))| (*id, label.clone())).collect();
            list.sort_by(|a, b| a.1.cmp(&b.1));
            list
        } else {
            Vec::new()
        };
        let progress = match selected {
            Some(c) => progress(conn, who, &l, c)?,
            None => None,
        };
        let today = crate::db::budget::today();
        let flags = if who.sees_whole_district() {
            services::flags(conn, who.district_id, selected, today - Duration::days(90), today).map_err(db)?
        } else {
            Vec::new()
        };
        let names = l.names;
        let towns = if who.has(Role::Finance) {
            names.towns.iter().map(|(id, zh, _)| (*id, zh.clone())).collect()
        } else {
            Vec::new()
        };
        Ok(ServicesData {
            contracts,
            selected,
            records,
            reports,
            recipients,
            progress,
            flags,
            names,
            towns,
            may_record,
            may_review: who.has(Role::Finance),
        })
    }

    pub fn report(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<ReportData, AppError> {
        let full = services::report(conn, who, id).map_err(db)?.ok_or(AppError::NotFound)?;
        let names = names(conn, who.district_id)?;
        let supplier = names
            .suppliers
            .iter()
            .find(|(s, _)| *s == full.report.supplier_id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        let milestone = match full.report.milestone_id {
            Some(m) => crate::db::contracts::milestones(conn, full.contract.id)
                .map_err(db)?
                .into_iter()
                .find(|x| x.id == m)
                .map(|x| format!("{} {}", x.seq, x.name)),
            None => None,
        };
        let acceptance = match full.report.acceptance_id {
            Some(a) => services::acceptance_status(conn, a).map_err(db)?.map(|s| (a, s)),
            None => None,
        };
        let r = full.report;
        Ok(ReportData {
            id: r.id,
            version: r.version,
            contract_id: full.contract.id,
            contract_number: full.contract.number,
            contract_title: full.contract.title,
            period_from: r.period_from,
            period_to: r.period_to,
            total: r.total_centi.map(|t| Decimal::new(i64::from(t), 2).normalize()),
            grade: r.grade.as_deref().and_then(Grade::from_code),
            summary: r.summary,
            status: r.status,
            review_comment: r.review_comment,
            lines: full
                .lines
                .into_iter()
                .map(|l| ReportLineView {
                    name: l.indicator.name,
                    target: l.indicator.target,
                    weight: l.indicator.weight,
                    service_code: l.indicator.counts.map(|k| k.service_code),
                    measured: l.measured,
                    due: l.due,
                    suggested: l.suggested,
                    statement: l.statement,
                    score: l.score,
                })
                .collect(),
            // Providers and towns see their report, not flags naming others.
            flags: if who.sees_whole_district() { full.flags } else { Vec::new() },
            records: full.records,
            supplier,
            milestone,
            acceptance,
            names,
            may_review: who.has(Role::Finance),
        })
    }

    pub fn recipients(conn: &mut AnyConnection, who: &Principal) -> Result<RecipientsData, AppError> {
        let towns: HashMap<i64, (String, String)> =
            crate::db::district::town_names(conn, who.district_id).map_err(db)?;
        let whole = services::sees_id_numbers(who);
        let recipients = services::recipients(conn, who, None)
            .map_err(db)?
            .into_iter()
            .map(|(r, h)| RecipientView {
                id: r.id,
                id_number: if whole { r.id_number.clone() } else { mask(&r.id_number) },
                category: Category::from_code(&r.category),
                priority: r.priority(),
                town: towns.get(&h.town_id).map(|t| t.0.clone()).unwrap_or_default(),
                village: h.village,
                address: if whole || who.has(Role::Town) { h.address } else { String::new() },
                active: r.active,
                version: r.version,
                name: r.name,
            })
            .collect();
        let mut editable: Vec<(i64, String)> = towns
            .into_iter()
            .filter(|(id, _)| who.has(Role::Finance) || (who.has(Role::Town) && who.town_id == Some(*id)))
            .map(|(id, (zh, _))| (id, zh))
            .collect();
        editable.sort();
        let may_edit = !editable.is_empty();
        Ok(RecipientsData { recipients, towns: editable, may_edit })
    }
}
