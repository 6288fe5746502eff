//! Contracts: the supplier register, procurement projects (funding, bids,
//! award), contracts with their milestones, amendments, acceptances and
//! payments. Finance writes; the approver decides on the approvals page;
//! bureau staff read everything, a town its town's projects and contracts,
//! a provider its own organisation and contracts.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::contract::{
    ContractInput, ContractProblem, ContractStatus, ContractTemplate, Counted, IndicatorInput, ItemInput,
    MilestoneInput, ScoreBand,
};
use crate::domain::money::parse_yuan;
use crate::domain::procurement::{Method, ProjectStatus};
use crate::domain::supplier::{Ineligible, OrgType, Qualification, SupplierInput};
use crate::error::AppError;

/// A supplier as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierView {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub org_type: Option<OrgType>,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub bank_name: String,
    pub bank_account: String,
    pub blacklist_reason: Option<String>,
    pub qualifications: Vec<Qualification>,
    /// Why it could not be awarded today, if it could not.
    pub ineligible: Option<Ineligible>,
    pub version: i32,
}

/// The supplier register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppliersData {
    pub suppliers: Vec<SupplierView>,
    pub may_edit: bool,
}

/// A qualification as typed (the expiry as text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct QualificationForm {
    pub name: String,
    pub number: String,
    pub expires_on: String,
}

/// A project as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectView {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub item_code: String,
    pub method: Option<Method>,
    pub justification: String,
    pub budget: Decimal,
    pub status: Option<ProjectStatus>,
    pub town: Option<String>,
    pub budget_request_id: Option<i64>,
    pub planned_on: NaiveDate,
    pub tender_opens: Option<NaiveDate>,
    pub tender_closes: Option<NaiveDate>,
    pub award_supplier: Option<(i64, String)>,
    pub award_amount: Option<Decimal>,
    pub award_on: Option<NaiveDate>,
    pub award_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i32,
}

/// A contract as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub template: Option<ContractTemplate>,
    pub supplier_id: i64,
    pub supplier: String,
    pub status: Option<ContractStatus>,
    pub amount: Decimal,
    pub current_amount: Decimal,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub current_end_on: NaiveDate,
    pub version: i32,
}

/// What the contracts page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractsData {
    pub contracts: Vec<ContractView>,
    pub projects: Vec<ProjectView>,
    /// Sources that may pay contracts: `(id, name, available)`.
    pub sources: Vec<(i64, String, Decimal)>,
    /// Approved town purchase requests without a project: `(id, title, amount)`.
    pub town_requests: Vec<(i64, String, Decimal)>,
    pub may_edit: bool,
}

/// One project with its funding, bids and contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectData {
    pub project: ProjectView,
    /// `(source name, amount)` in drawing order.
    pub funding: Vec<(String, Decimal)>,
    pub bids: Vec<BidView>,
    pub contracts: Vec<ContractView>,
    /// Suppliers that may bid: `(id, name)`.
    pub suppliers: Vec<(i64, String)>,
    /// A contract may be drafted now.
    pub may_draft: bool,
    pub may_edit: bool,
}

/// A bid as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidView {
    pub supplier_id: i64,
    pub supplier: String,
    pub credit_code: String,
    pub amount: Decimal,
    pub received_on: NaiveDate,
    pub note: String,
}

/// A milestone with what it pays and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneView {
    pub id: i64,
    pub seq: i32,
    pub name: String,
    pub percent: Decimal,
    pub due_on: NaiveDate,
    pub condition: String,
    pub bands: Vec<ScoreBand>,
    pub base: Decimal,
    /// The live acceptance: `(accepted on, score, status, basis)`.
    pub acceptance: Option<(NaiveDate, Option<Decimal>, String, String)>,
    /// The live payment: `(amount, factor, pay on, status)`.
    pub payment: Option<(Decimal, Decimal, NaiveDate, String)>,
}

/// An amendment as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentView {
    pub number: i32,
    pub reason: String,
    pub before_amount: Decimal,
    pub amount: Option<Decimal>,
    pub before_end_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
    pub other_changes: String,
    pub status: String,
    pub created_at: chrono::NaiveDateTime,
}

/// One contract with everything about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractData {
    pub contract: ContractView,
    pub input: ContractInput,
    pub project: ProjectView,
    pub supplier: SupplierView,
    pub milestones: Vec<MilestoneView>,
    pub amendments: Vec<AmendmentView>,
    pub paid: Decimal,
    pub signed_on: Option<NaiveDate>,
    pub performing_from: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub may_edit: bool,
    /// Today in China: the default date of the steps finance records.
    pub today: NaiveDate,
}

/// A project as typed on the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProjectForm {
    pub title: String,
    pub item_code: String,
    pub method: String,
    pub justification: String,
    pub budget: String,
    pub planned_on: String,
    pub tender_opens: String,
    pub tender_closes: String,
    /// `(source id, amount)` lines in drawing order.
    pub funding: Vec<(i64, String)>,
    pub budget_request_id: Option<i64>,
}

/// An item row as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ItemForm {
    pub item_code: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub indicator: String,
}

/// A milestone row as typed; `bands` as `0:0, 60:0.8, 80:1` (score:factor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MilestoneForm {
    pub name: String,
    pub percent: String,
    pub due_on: String,
    pub condition: String,
    pub bands: String,
}

/// An indicator row as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IndicatorForm {
    pub name: String,
    pub target: String,
    pub weight: String,
    /// The catalogue item the service records count toward it ("" none).
    #[serde(default)]
    pub counts: String,
    /// Its target over the term, in the item's unit.
    #[serde(default)]
    pub counts_target: String,
}

/// A contract as typed on the draft form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContractForm {
    pub title: String,
    pub template: String,
    pub amount: String,
    pub start_on: String,
    pub end_on: String,
    pub term_justification: String,
    pub items: Vec<ItemForm>,
    pub milestones: Vec<MilestoneForm>,
    pub indicators: Vec<IndicatorForm>,
    pub breach_clauses: Vec<String>,
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn number(text: &str) -> Option<Decimal> {
    let t = text.trim().replace(',', "");
    if t.is_empty() { None } else { t.parse::<Decimal>().ok() }
}

/// Reads score bands typed as `0:0, 60:0.8, 80:1`; empty means none.
pub fn parse_bands(text: &str) -> Option<Vec<ScoreBand>> {
    text.split([',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (score, factor) = pair.split_once([':', '：'])?;
            Some(ScoreBand { min_score: number(score)?, factor: number(factor)? })
        })
        .collect()
}

/// Bands written back the way they are typed.
pub fn bands_text(bands: &[ScoreBand]) -> String {
    bands
        .iter()
        .map(|b| format!("{}:{}", b.min_score.normalize(), b.factor.normalize()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ContractForm {
    /// The typed contract, or the first thing that cannot be read (its
    /// row where it has one).
    pub fn parse(&self) -> Result<ContractInput, ContractProblem> {
        let template = ContractTemplate::from_code(&self.template).ok_or(ContractProblem::ItemsRequired)?;
        let amount = parse_yuan(&self.amount).map_err(|_| ContractProblem::Amount)?;
        let start_on = date(&self.start_on).ok_or(ContractProblem::Date)?;
        let end_on = date(&self.end_on).ok_or(ContractProblem::Date)?;
        let items = self
            .items
            .iter()
            .filter(|i| {
                !(i.item_code.is_empty() && i.quantity.trim().is_empty() && i.unit_price.trim().is_empty())
            })
            .map(|i| {
                Ok(ItemInput {
                    item_code: i.item_code.trim().to_owned(),
                    description: i.description.clone(),
                    quantity: number(&i.quantity).ok_or(ContractProblem::Quantity)?,
                    unit_price: parse_yuan(&i.unit_price).map_err(|_| ContractProblem::Amount)?,
                    indicator: i.indicator.clone(),
                })
            })
            .collect::<Result<Vec<_>, ContractProblem>>()?;
        let milestones = self
            .milestones
            .iter()
            .enumerate()
            .filter(|(_, m)| !(m.name.trim().is_empty() && m.percent.trim().is_empty()))
            .map(|(i, m)| {
                let bad = ContractProblem::Milestone(i + 1);
                Ok(MilestoneInput {
                    name: m.name.clone(),
                    percent: number(&m.percent).ok_or(bad.clone())?,
                    due_on: date(&m.due_on).ok_or(bad)?,
                    condition: m.condition.clone(),
                    bands: parse_bands(&m.bands).ok_or(ContractProblem::Bands(i + 1))?,
                })
            })
            .collect::<Result<Vec<_>, ContractProblem>>()?;
        let indicators = self
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, x)| !(x.name.trim().is_empty() && x.weight.trim().is_empty()))
            .map(|(i, x)| {
                let bad = ContractProblem::Indicator(i + 1);
                let counts = match x.counts.trim() {
                    "" => None,
                    code => Some(Counted {
                        service_code: code.to_owned(),
                        target: x.counts_target.trim().parse().map_err(|_| bad.clone())?,
                    }),
                };
                Ok(IndicatorInput {
                    name: x.name.clone(),
                    target: x.target.clone(),
                    weight: number(&x.weight).ok_or(bad)?,
                    counts,
                })
            })
            .collect::<Result<Vec<_>, ContractProblem>>()?;
        Ok(ContractInput {
            title: self.title.clone(),
            template,
            amount,
            start_on,
            end_on,
            term_justification: self.term_justification.clone(),
            items,
            milestones,
            indicators,
            breach_clauses: self.breach_clauses.iter().filter(|c| !c.trim().is_empty()).cloned().collect(),
        })
    }

    /// The form filled from a stored contract (to edit a draft).
    pub fn from_input(c: &ContractInput) -> ContractForm {
        ContractForm {
            title: c.title.clone(),
            template: c.template.code().to_owned(),
            amount: c.amount.to_string(),
            start_on: c.start_on.to_string(),
            end_on: c.end_on.to_string(),
            term_justification: c.term_justification.clone(),
            items: c
                .items
                .iter()
                .map(|i| ItemForm {
                    item_code: i.item_code.clone(),
                    description: i.description.clone(),
                    quantity: i.quantity.normalize().to_string(),
                    unit_price: i.unit_price.to_string(),
                    indicator: i.indicator.clone(),
                })
                .collect(),
            milestones: c
                .milestones
                .iter()
                .map(|m| MilestoneForm {
                    name: m.name.clone(),
                    percent: m.percent.normalize().to_string(),
                    due_on: m.due_on.to_string(),
                    condition: m.condition.clone(),
                    bands: bands_text(&m.bands),
                })
                .collect(),
            indicators: c
                .indicators
                .iter()
                .map(|i| IndicatorForm {
                    name: i.name.clone(),
                    target: i.target.clone(),
                    weight: i.weight.normalize().to_string(),
                    counts: i.counts.as_ref().map(|c| c.service_code.clone()).unwrap_or_default(),
                    counts_target: i.counts.as_ref().map(|c| c.target.to_string()).unwrap_or_default(),
                })
                .collect(),
            breach_clauses: c.breach_clauses.clone(),
        }
    }
}

/// A step in a contract's life that finance records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractStep {
    Submit,
    Sign { on: String },
    Start { on: String },
    Finish { on: String },
    Terminate { on: String, reason: String },
}

// --- Server functions ----------------------------------------------------

/// The contracts and projects `who` may see.
#[server(prefix = "/api", endpoint = "contracts_overview")]
pub async fn contracts_overview() -> Result<ContractsData, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("contracts_overview")?;
        super::with_db(move |conn| ssr::overview(conn, &p)).await
    }
    .await;
    super::finish(result)
}

/// The supplier register.
#[server(prefix = "/api", endpoint = "supplier_list")]
pub async fn supplier_list() -> Result<SuppliersData, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("supplier_list")?;
        super::with_db(move |conn| ssr::supplier_list(conn, &p)).await
    }
    .await;
    super::finish(result)
}

/// Registers a supplier (`id` none) or changes one.
#[server(prefix = "/api", endpoint = "save_supplier", input = Json)]
pub async fn save_supplier(
    id: Option<i64>,
    version: i32,
    input: SupplierInput,
    qualifications: Vec<QualificationForm>,
) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("save_supplier")?;
        let actor = crate::auth::actor(Some(&p));
        let quals = ssr::qualifications(&qualifications)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| match id {
                None => crate::db::suppliers::create(tx, &p, &input, &quals),
                Some(id) => crate::db::suppliers::update(tx, &p, id, version, &input, &quals).map(|()| id),
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Puts a supplier on the blacklist (with a reason) or takes it off.
#[server(prefix = "/api", endpoint = "blacklist_supplier")]
pub async fn blacklist_supplier(id: i64, version: i32, reason: Option<String>) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("blacklist_supplier")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::suppliers::set_blacklist(tx, &p, id, version, reason.as_deref())
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Plans a procurement project.
#[server(prefix = "/api", endpoint = "create_project", input = Json)]
pub async fn create_project(form: ProjectForm) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("create_project")?;
        let actor = crate::auth::actor(Some(&p));
        let project = ssr::project(&form)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::procurement::create(tx, &p, &project))
                .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// One project with its funding, bids and contracts.
#[server(prefix = "/api", endpoint = "project_detail")]
pub async fn project_detail(id: i64) -> Result<ProjectData, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("project_detail")?;
        super::with_db(move |conn| ssr::project_detail(conn, &p, id)).await
    }
    .await;
    super::finish(result)
}

/// Records a bid or quote.
#[server(prefix = "/api", endpoint = "add_bid")]
pub async fn add_bid(
    project_id: i64,
    supplier_id: i64,
    amount: String,
    received_on: String,
    note: String,
) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("add_bid")?;
        let actor = crate::auth::actor(Some(&p));
        let amount = ssr::amount(&amount)?;
        let on = ssr::date(&received_on)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::procurement::add_bid(tx, &p, project_id, supplier_id, amount, on, &note)
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Awards a project to a bidder.
#[server(prefix = "/api", endpoint = "award_project")]
pub async fn award_project(
    project_id: i64,
    version: i32,
    supplier_id: i64,
    amount: String,
    award_on: String,
    reason: String,
) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("award_project")?;
        let actor = crate::auth::actor(Some(&p));
        let amount = ssr::amount(&amount)?;
        let on = ssr::date(&award_on)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::procurement::award(
                    tx,
                    &p,
                    project_id,
                    version,
                    &crate::db::procurement::Award {
                        supplier_id,
                        amount,
                        award_on: on,
                        reason: reason.clone(),
                    },
                )
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Cancels a project still in planning.
#[server(prefix = "/api", endpoint = "cancel_project")]
pub async fn cancel_project(project_id: i64, version: i32, reason: String) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("cancel_project")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::procurement::cancel(tx, &p, project_id, version, &reason)
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Drafts a contract for an awarded project (`contract_id` none) or
/// changes a draft.
#[server(prefix = "/api", endpoint = "save_contract", input = Json)]
pub async fn save_contract(
    project_id: i64,
    contract_id: Option<i64>,
    version: i32,
    form: ContractForm,
) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("save_contract")?;
        let actor = crate::auth::actor(Some(&p));
        let input = form.parse().map_err(ssr::problem)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| match contract_id {
                None => crate::db::contracts::draft(tx, &p, project_id, &input),
                Some(id) => crate::db::contracts::update_draft(tx, &p, id, version, &input).map(|()| id),
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// One contract with everything about it.
#[server(prefix = "/api", endpoint = "contract_detail")]
pub async fn contract_detail(id: i64) -> Result<ContractData, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("contract_detail")?;
        super::with_db(move |conn| ssr::contract_detail(conn, &p, id)).await
    }
    .await;
    super::finish(result)
}

/// Moves a contract a step along its life.
#[server(prefix = "/api", endpoint = "advance_contract", input = Json)]
pub async fn advance_contract(id: i64, version: i32, step: ContractStep) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("advance_contract")?;
        let actor = crate::auth::actor(Some(&p));
        let on = match &step {
            ContractStep::Submit => None,
            ContractStep::Sign { on }
            | ContractStep::Start { on }
            | ContractStep::Finish { on }
            | ContractStep::Terminate { on, .. } => Some(ssr::date(on)?),
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                use crate::db::contracts as c;
                let on = on.unwrap_or_else(crate::db::budget::today);
                match &step {
                    ContractStep::Submit => c::submit(tx, &p, id, version).map(|_| ()),
                    ContractStep::Sign { .. } => c::sign(tx, &p, id, version, on),
                    ContractStep::Start { .. } => c::start(tx, &p, id, version, on),
                    ContractStep::Finish { .. } => c::finish(tx, &p, id, version, on),
                    ContractStep::Terminate { reason, .. } => c::terminate(tx, &p, id, version, on, reason),
                }
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Proposes an amendment of a contract in force.
#[server(prefix = "/api", endpoint = "propose_amendment")]
pub async fn propose_amendment(
    contract_id: i64,
    reason: String,
    amount: String,
    end_on: String,
    term_justification: String,
    other_changes: String,
) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("propose_amendment")?;
        let actor = crate::auth::actor(Some(&p));
        let a = crate::domain::contract::AmendmentInput {
            reason,
            amount: if amount.trim().is_empty() { None } else { Some(ssr::amount(&amount)?) },
            end_on: if end_on.trim().is_empty() { None } else { Some(ssr::date(&end_on)?) },
            term_justification,
            other_changes,
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::contracts::propose_amendment(tx, &p, contract_id, &a)
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Records a milestone's acceptance (with its score where it has bands).
#[server(prefix = "/api", endpoint = "accept_milestone")]
pub async fn accept_milestone(
    milestone_id: i64,
    accepted_on: String,
    score: String,
    note: String,
) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("accept_milestone")?;
        let actor = crate::auth::actor(Some(&p));
        let a = crate::db::contracts::NewAcceptance {
            milestone_id,
            accepted_on: ssr::date(&accepted_on)?,
            score: if score.trim().is_empty() {
                None
            } else {
                Some(number(&score).ok_or(ssr::problem(ContractProblem::Score))?)
            },
            note,
            report_id: None,
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::contracts::accept_milestone(tx, &p, &a))
                .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Requests payment of an accepted milestone.
#[server(prefix = "/api", endpoint = "request_milestone_payment")]
pub async fn request_milestone_payment(milestone_id: i64, pay_on: String) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("request_milestone_payment")?;
        let actor = crate::auth::actor(Some(&p));
        let on = ssr::date(&pay_on)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::contracts::request_payment(tx, &p, milestone_id, on)
            })
            .map_err(ssr::from_contract)
        })
        .await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;
    use crate::db::contracts::{ContractError, ContractFull, ContractRow};
    use crate::db::procurement::{FundingLine, NewProject, ProjectRow};
    use crate::db::suppliers::SupplierRow;
    use crate::db::{AnyConnection, budget, contracts, procurement, suppliers};
    use crate::domain::access::{Principal, Role};
    use crate::domain::budget::CostType;
    use crate::domain::contract::ContractFault;
    use crate::domain::money::from_fen;
    use crate::domain::supplier::check_standing;

    pub fn from_contract(e: ContractError) -> AppError {
        if let Some(f) = e.fault() {
            return AppError::Contract(f);
        }
        match e {
            ContractError::Budget(p) => AppError::Budget(p),
            ContractError::Approval(p) => AppError::Approval(p),
            ContractError::OutOfScope => AppError::Forbidden,
            ContractError::Db(d) => super::super::from_db(d),
            _ => AppError::Internal,
        }
    }

    pub fn problem(p: ContractProblem) -> AppError {
        AppError::Contract(ContractFault::Contract(p))
    }

    pub fn amount(text: &str) -> Result<Decimal, AppError> {
        parse_yuan(text).map_err(|_| problem(ContractProblem::Amount))
    }

    pub fn date(text: &str) -> Result<NaiveDate, AppError> {
        super::date(text).ok_or(problem(ContractProblem::Date))
    }

    fn optional_date(text: &str) -> Result<Option<NaiveDate>, AppError> {
        if text.trim().is_empty() { Ok(None) } else { date(text).map(Some) }
    }

    pub fn qualifications(forms: &[QualificationForm]) -> Result<Vec<Qualification>, AppError> {
        forms
            .iter()
            .filter(|q| {
                !(q.name.trim().is_empty() && q.number.trim().is_empty() && q.expires_on.trim().is_empty())
            })
            .map(|q| {
                Ok(Qualification {
                    name: q.name.clone(),
                    number: q.number.clone(),
                    expires_on: optional_date(&q.expires_on).map_err(|_| {
                        AppError::Contract(ContractFault::Supplier(
                            crate::domain::supplier::SupplierProblem::Qualification,
                        ))
                    })?,
                })
            })
            .collect()
    }

    pub fn project(f: &ProjectForm) -> Result<NewProject, AppError> {
        let town = f.budget_request_id.is_some();
        Ok(NewProject {
            title: f.title.clone(),
            item_code: f.item_code.clone(),
            method: f.method.clone(),
            justification: f.justification.clone(),
            budget: if town { Decimal::ZERO } else { amount(&f.budget)? },
            planned_on: date(&f.planned_on)?,
            tender_opens: optional_date(&f.tender_opens)?,
            tender_closes: optional_date(&f.tender_closes)?,
            funding: if town {
                Vec::new()
            } else {
                f.funding
                    .iter()
                    .filter(|(_, a)| !a.trim().is_empty())
                    .map(|(source_id, a)| Ok(FundingLine { source_id: *source_id, amount: amount(a)? }))
                    .collect::<Result<Vec<_>, AppError>>()?
            },
            budget_request_id: f.budget_request_id,
        })
    }

    fn supplier_view(
        conn: &mut AnyConnection,
        s: SupplierRow,
        who: &Principal,
    ) -> Result<SupplierView, AppError> {
        let qualifications = suppliers::qualifications(conn, s.id)?;
        let standing = suppliers::standing_of(&s, qualifications.clone());
        let ineligible = check_standing(&standing, budget::today()).err();
        // Bank details are for the bureau and the organisation itself.
        let bank = who.sees_whole_district() || who.supplier_id == Some(s.id);
        Ok(SupplierView {
            id: s.id,
            org_type: s.org_type(),
            name: s.name,
            credit_code: s.credit_code,
            legal_representative: s.legal_representative,
            contact_name: s.contact_name,
            contact_phone: s.contact_phone,
            address: s.address,
            bank_name: if bank { s.bank_name } else { String::new() },
            bank_account: if bank { s.bank_account } else { String::new() },
            blacklist_reason: s.blacklist_reason,
            qualifications,
            ineligible,
            version: s.version,
        })
    }

    pub fn supplier_list(conn: &mut AnyConnection, who: &Principal) -> Result<SuppliersData, AppError> {
        let rows = suppliers::list(conn, who)?;
        let suppliers =
            rows.into_iter().map(|s| supplier_view(conn, s, who)).collect::<Result<Vec<_>, _>>()?;
        Ok(SuppliersData { suppliers, may_edit: who.has(Role::Finance) })
    }

    fn town_names(conn: &mut AnyConnection, district_id: i64) -> Result<HashMap<i64, String>, AppError> {
        Ok(crate::db::accounts::town_choices(conn, district_id)?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect())
    }

    fn supplier_names(conn: &mut AnyConnection, district_id: i64) -> Result<HashMap<i64, String>, AppError> {
        Ok(crate::db::accounts::supplier_choices(conn, district_id)?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect())
    }

    pub fn project_view(
        p: ProjectRow,
        towns: &HashMap<i64, String>,
        names: &HashMap<i64, String>,
    ) -> ProjectView {
        ProjectView {
            id: p.id,
            method: p.method(),
            status: p.status(),
            town: p.town_id.and_then(|t| towns.get(&t).cloned()),
            award_supplier: p.award_supplier_id.map(|s| (s, names.get(&s).cloned().unwrap_or_default())),
            award_amount: p.award_fen.map(from_fen),
            budget: from_fen(p.budget_fen),
            code: p.code,
            title: p.title,
            item_code: p.item_code,
            justification: p.justification,
            budget_request_id: p.budget_request_id,
            planned_on: p.planned_on,
            tender_opens: p.tender_opens,
            tender_closes: p.tender_closes,
            award_on: p.award_on,
            award_reason: p.award_reason,
            cancel_reason: p.cancel_reason,
            version: p.version,
        }
    }

    pub fn contract_view(c: &ContractRow, supplier: String) -> ContractView {
        ContractView {
            id: c.id,
            number: c.number.clone(),
            title: c.title.clone(),
            template: ContractTemplate::from_code(&c.template),
            supplier_id: c.supplier_id,
            supplier,
            status: ContractStatus::from_code(&c.status),
            amount: from_fen(c.amount_fen),
            current_amount: from_fen(c.current_amount_fen),
            start_on: c.start_on,
            end_on: c.end_on,
            current_end_on: c.current_end_on,
            version: c.version,
        }
    }

    pub fn overview(conn: &mut AnyConnection, who: &Principal) -> Result<ContractsData, AppError> {
        let towns = town_names(conn, who.district_id)?;
        let names = supplier_names(conn, who.district_id)?;
        let contracts =
            contracts::list(conn, who)?.into_iter().map(|(c, s)| contract_view(&c, s)).collect::<Vec<_>>();
        let projects = procurement::list(conn, who)?
            .into_iter()
            .map(|p| project_view(p, &towns, &names))
            .collect::<Vec<_>>();
        let may_edit = who.has(Role::Finance);
        let (mut sources, mut town_requests) = (Vec::new(), Vec::new());
        if may_edit {
            let year = chrono::Datelike::year(&budget::today());
            for s in budget::sources(conn, who.district_id, year)? {
                if s.town_id.is_none() && budget::eligible(conn, s.id)?.contains(&CostType::ContractPayment) {
                    let available =
                        budget::balance(conn, who.district_id, &budget::Filter::source(s.id))?.available();
                    sources.push((s.id, s.name, available));
                }
            }
            let used: Vec<Option<i64>> = projects.iter().map(|p| p.budget_request_id).collect();
            for (r, _) in budget::requests(conn, who, year)? {
                if r.kind == "town_purchase" && r.status == "approved" && !used.contains(&Some(r.id)) {
                    town_requests.push((r.id, r.title, from_fen(r.amount_fen)));
                }
            }
        }
        Ok(ContractsData { contracts, projects, sources, town_requests, may_edit })
    }

    pub fn project_detail(
        conn: &mut AnyConnection,
        who: &Principal,
        id: i64,
    ) -> Result<ProjectData, AppError> {
        let p = procurement::load(conn, who, id)?;
        let towns = town_names(conn, who.district_id)?;
        let names = supplier_names(conn, who.district_id)?;
        let mut funding = Vec::new();
        for l in procurement::funding(conn, id)? {
            let s = budget::SourceRow::load(conn, who.district_id, l.source_id)?;
            funding.push((s.name, l.amount));
        }
        let bids = procurement::bids(conn, id)?
            .into_iter()
            .map(|b| BidView {
                supplier_id: b.supplier_id,
                supplier: b.supplier_name,
                credit_code: b.credit_code,
                amount: from_fen(b.amount_fen),
                received_on: b.received_on,
                note: b.note,
            })
            .collect();
        let cs = contracts::for_project(conn, who.district_id, id)?;
        let may_draft = p.status() == Some(ProjectStatus::Awarded)
            && cs.iter().all(|c| c.status == ContractStatus::Terminated.code());
        let contracts = cs
            .iter()
            .map(|c| contract_view(c, names.get(&c.supplier_id).cloned().unwrap_or_default()))
            .collect();
        let may_edit = who.has(Role::Finance);
        let suppliers = if may_edit {
            suppliers::list(conn, who)?
                .into_iter()
                .filter(|s| s.blacklist_reason.is_none())
                .map(|s| (s.id, s.name))
                .collect()
        } else {
            Vec::new()
        };
        Ok(ProjectData {
            project: project_view(p, &towns, &names),
            funding,
            bids,
            contracts,
            suppliers,
            may_draft,
            may_edit,
        })
    }

    fn milestone_views(full: &ContractFull) -> Vec<MilestoneView> {
        let bases = full.bases().unwrap_or_else(|_| vec![Decimal::ZERO; full.milestones.len()]);
        full.milestones
            .iter()
            .zip(bases)
            .map(|(m, base)| {
                let acceptance = full
                    .acceptances
                    .iter()
                    .rev()
                    .find(|a| a.milestone_id == m.id)
                    .map(|a| (a.accepted_on, a.score(), a.status.clone(), a.basis.clone()));
                let payment =
                    full.payments.iter().rev().find(|p| p.milestone_id == m.id).map(|p| {
                        (from_fen(p.amount_fen), p.factor().normalize(), p.pay_on, p.status.clone())
                    });
                MilestoneView {
                    id: m.id,
                    seq: m.seq,
                    name: m.name.clone(),
                    percent: m.percent,
                    due_on: m.due_on,
                    condition: m.condition.clone(),
                    bands: m.bands.clone(),
                    base,
                    acceptance,
                    payment,
                }
            })
            .collect()
    }

    pub fn contract_detail(
        conn: &mut AnyConnection,
        who: &Principal,
        id: i64,
    ) -> Result<ContractData, AppError> {
        let full = contracts::full(conn, who, id)?;
        let c = &full.contract;
        let s = suppliers::load_in(conn, who.district_id, c.supplier_id)?.ok_or(AppError::NotFound)?;
        let supplier = supplier_view(conn, s, who)?;
        let towns = town_names(conn, who.district_id)?;
        let names = supplier_names(conn, who.district_id)?;
        let project =
            project_view(procurement::load_in(conn, who.district_id, c.project_id)?, &towns, &names);
        Ok(ContractData {
            contract: contract_view(c, supplier.name.clone()),
            input: full.input.clone(),
            project,
            supplier,
            milestones: milestone_views(&full),
            amendments: full
                .amendments
                .iter()
                .map(|a| AmendmentView {
                    number: a.number,
                    reason: a.reason.clone(),
                    before_amount: from_fen(a.before_amount_fen),
                    amount: a.amount_fen.map(from_fen),
                    before_end_on: a.before_end_on,
                    end_on: a.end_on,
                    other_changes: a.other_changes.clone(),
                    status: a.status.clone(),
                    created_at: a.created_at,
                })
                .collect(),
            paid: full.paid(),
            signed_on: c.signed_on,
            performing_from: c.performing_from,
            ended_on: c.ended_on,
            end_reason: c.end_reason.clone(),
            may_edit: who.has(Role::Finance),
            today: budget::today(),
        })
    }
}
