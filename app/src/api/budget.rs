//! Budget: fiscal years, sources and their balances, the eligibility
//! matrix, the ledger, spending and town purchase requests, and the rule
//! checks of the dashboard. Bureau staff see the whole district; a town
//! user sees their town's own sources, the entries for their town and
//! their town's requests.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::approval::ApprovalStatus;
use crate::domain::budget::{Balance, CostType, EntryKind, MonthExecution, ShareCheck, SourceKind};
use crate::error::AppError;

/// Ledger entries shown per page.
pub const ENTRIES_PER_PAGE: i64 = 50;

/// A source with its sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceView {
    pub id: i64,
    pub year: i32,
    pub kind: SourceKind,
    pub name: String,
    pub town_id: Option<i64>,
    pub town: Option<(String, String)>,
    pub amount: Decimal,
    /// The 1% source's base (last year's city-level total).
    pub base: Option<Decimal>,
    pub doc_no: String,
    pub doc_date: Option<NaiveDate>,
    pub balance: Balance,
    /// Committed and paid by cost type.
    pub by_type: Vec<(CostType, Balance)>,
    pub eligible: Vec<CostType>,
    /// An eligibility proposal waits for approval.
    pub eligibility_pending: bool,
    pub version: i32,
}

/// A ledger entry as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub id: i64,
    pub date: NaiveDate,
    pub kind: EntryKind,
    pub source_id: i64,
    pub source: String,
    pub cost_type: Option<CostType>,
    pub town: Option<(String, String)>,
    pub allocated: Decimal,
    pub committed: Decimal,
    pub paid: Decimal,
    pub memo: String,
    /// What the entry is for (`payroll_runs:12`).
    pub reference: String,
    pub commitment_id: Option<i64>,
    pub reverses_id: Option<i64>,
    pub override_reason: Option<String>,
}

/// An unpaid commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unpaid {
    pub entry: EntryView,
    pub outstanding: Decimal,
}

/// The rule checks of the budget dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checks {
    /// Social-work services against the ≥5% share of 困难群众救助补助资金.
    pub share: ShareCheck,
    pub min_bp: u32,
    /// Spending booked on a source that may not pay its type (let through
    /// by an override, or left after the matrix changed).
    pub ineligible: Vec<EntryView>,
    pub execution: Vec<MonthExecution>,
    pub unpaid: Vec<Unpaid>,
    /// Entries an approver let through a refusal.
    pub overrides: Vec<EntryView>,
}

/// The budget page of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetOverview {
    pub years: Vec<i32>,
    pub year: i32,
    /// The year is open (a fiscal year row exists).
    pub open: bool,
    pub assistance_funds: Decimal,
    pub sources: Vec<SourceView>,
    pub totals: Balance,
    /// Bureau staff only.
    pub checks: Option<Checks>,
    pub plan: Vec<Decimal>,
    pub towns: Vec<(i64, String, String)>,
    /// Finance may edit.
    pub may_edit: bool,
}

/// A base correction as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionView {
    pub old_base: Decimal,
    pub new_base: Decimal,
    pub old_amount: Decimal,
    pub new_amount: Decimal,
    pub reason: String,
    pub at: chrono::NaiveDateTime,
}

/// A document kept with a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub at: chrono::NaiveDateTime,
}

/// One source with its ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDetail {
    pub source: SourceView,
    pub corrections: Vec<CorrectionView>,
    pub attachments: Vec<AttachmentView>,
    pub by_town: Vec<((String, String), Balance)>,
    pub entries: Vec<EntryView>,
    pub total_entries: i64,
    pub offset: i64,
    pub may_edit: bool,
}

/// A source offered in a form: its name, what it may pay and what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceChoice {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub town_id: Option<i64>,
    pub eligible: Vec<CostType>,
    pub available: Decimal,
}

/// A request as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    pub town_purchase: bool,
    pub source: String,
    pub cost_type: CostType,
    pub town: Option<(String, String)>,
    pub title: String,
    pub purpose: String,
    pub amount: Decimal,
    pub date: NaiveDate,
    pub override_request: Option<String>,
    pub status: ApprovalStatus,
    /// Still committed and unpaid (approved requests).
    pub outstanding: Decimal,
}

/// The requests page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsPage {
    pub year: i32,
    pub requests: Vec<RequestView>,
    /// Sources the viewer may ask money from.
    pub choices: Vec<SourceChoice>,
    pub towns: Vec<(i64, String, String)>,
    /// Finance: the bureau's spending, and paying approved requests.
    pub may_spend: bool,
    /// A town user: purchases from the town's own funds.
    pub may_purchase: bool,
}

/// A new source as typed in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInput {
    pub year: i32,
    pub kind: SourceKind,
    pub name: String,
    pub town_id: Option<i64>,
    /// The amount, or for the 1% source its base.
    pub amount: String,
    pub doc_no: String,
    pub doc_date: String,
    pub eligible: Vec<CostType>,
}

/// A request as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestInput {
    pub source_id: i64,
    pub cost_type: CostType,
    pub town_id: Option<i64>,
    pub title: String,
    pub purpose: String,
    pub amount: String,
    pub date: String,
    pub override_request: String,
}

/// The budget of `year` (the newest open year when none).
#[server(prefix = "/api", endpoint = "budget_summary")]
pub async fn budget_summary(year: Option<i32>) -> Result<BudgetOverview, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("budget_summary")?;
        super::with_db(move |conn| ssr::overview(conn, &p, year)).await
    }
    .await;
    super::finish(result)
}

/// Opens a fiscal year or records its 困难群众救助补助资金.
#[server(prefix = "/api", endpoint = "record_fiscal_year")]
pub async fn record_fiscal_year(year: i32, assistance_funds: String) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("record_fiscal_year")?;
        let actor = crate::auth::actor(Some(&p));
        let funds = ssr::amount(&assistance_funds)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::budget::record_year(tx, &p, year, funds))
                .map_err(ssr::from_budget)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Sets the year's monthly payment plan (twelve amounts).
#[server(prefix = "/api", endpoint = "record_budget_plan", input = Json)]
pub async fn record_budget_plan(year: i32, months: Vec<String>) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("record_budget_plan")?;
        let actor = crate::auth::actor(Some(&p));
        let months = months
            .iter()
            .map(|m| if m.trim().is_empty() { Ok(Decimal::ZERO) } else { ssr::amount(m) })
            .collect::<Result<Vec<_>, _>>()?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::budget::record_plan(tx, &p, year, &months))
                .map_err(ssr::from_budget)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Adds a source; what it may pay goes for approval.
#[server(prefix = "/api", endpoint = "create_budget_source", input = Json)]
pub async fn create_budget_source(input: SourceInput) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("create_budget_source")?;
        let actor = crate::auth::actor(Some(&p));
        let typed = ssr::amount(&input.amount)?;
        let doc_date = ssr::optional_date(&input.doc_date)?;
        let one_percent = input.kind == SourceKind::CityOnePercent;
        let s = crate::db::budget::NewSource {
            year: input.year,
            kind: input.kind,
            name: input.name,
            town_id: input.town_id,
            amount: typed,
            base: one_percent.then_some(typed),
            doc_no: input.doc_no,
            doc_date,
            eligible: input.eligible,
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::budget::create_source(tx, &p, &s))
                .map_err(ssr::from_budget)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// One source with a page of its ledger.
#[server(prefix = "/api", endpoint = "budget_source")]
pub async fn budget_source(id: i64, page: i64) -> Result<SourceDetail, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("budget_source")?;
        super::with_db(move |conn| ssr::source_detail(conn, &p, id, page)).await
    }
    .await;
    super::finish(result)
}

/// Corrects the base of the 1% source, with why.
#[server(prefix = "/api", endpoint = "correct_budget_base")]
pub async fn correct_budget_base(
    source_id: i64,
    version: i32,
    base: String,
    reason: String,
) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("correct_budget_base")?;
        let actor = crate::auth::actor(Some(&p));
        let base = ssr::amount(&base)?;
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::budget::correct_base(tx, &p, source_id, version, base, &reason)
            })
            .map_err(ssr::from_budget)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Proposes what a source may pay (takes effect on approval).
#[server(prefix = "/api", endpoint = "propose_budget_eligibility", input = Json)]
pub async fn propose_budget_eligibility(source_id: i64, cost_types: Vec<CostType>) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("propose_budget_eligibility")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::budget::propose_eligibility(tx, &p, source_id, &cost_types)
            })
            .map_err(ssr::from_budget)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Reverses a ledger entry with a reason.
#[server(prefix = "/api", endpoint = "reverse_budget_entry")]
pub async fn reverse_budget_entry(entry_id: i64, reason: String) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("reverse_budget_entry")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::budget::reverse(tx, &p, entry_id, &reason))
                .map_err(ssr::from_budget)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// The requests of a year and the sources the viewer may ask from.
#[server(prefix = "/api", endpoint = "budget_requests")]
pub async fn budget_requests(year: Option<i32>) -> Result<RequestsPage, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("budget_requests")?;
        super::with_db(move |conn| ssr::requests_page(conn, &p, year)).await
    }
    .await;
    super::finish(result)
}

/// Submits a spending request (finance) or a purchase request (a town).
#[server(prefix = "/api", endpoint = "submit_budget_request", input = Json)]
pub async fn submit_budget_request(input: RequestInput) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("submit_budget_request")?;
        let actor = crate::auth::actor(Some(&p));
        let r = crate::db::budget::NewRequest {
            source_id: input.source_id,
            cost_type: input.cost_type,
            town_id: input.town_id,
            title: input.title,
            purpose: input.purpose,
            amount: ssr::amount(&input.amount)?,
            date: ssr::optional_date(&input.date)?.unwrap_or_else(crate::db::budget::today),
            override_request: Some(input.override_request),
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::budget::submit_request(tx, &p, &r))
                .map_err(ssr::from_budget)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Pays an approved request's commitment (all that is left, or `amount`).
#[server(prefix = "/api", endpoint = "pay_budget_request")]
pub async fn pay_budget_request(request_id: i64, amount: String) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("pay_budget_request")?;
        let actor = crate::auth::actor(Some(&p));
        let amount = if amount.trim().is_empty() { None } else { Some(ssr::amount(&amount)?) };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::budget::pay_request(tx, &p, request_id, amount, crate::db::budget::today())
            })
            .map_err(ssr::from_budget)
        })
        .await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;

    use super::*;
    use crate::db::AnyConnection;
    use crate::db::budget::{self as db, BudgetError, EntryRow, Filter, SourceRow};
    use crate::domain::access::{Principal, Role};
    use crate::domain::budget::{BudgetProblem, execution, social_work_share};
    use crate::domain::money::{from_fen, parse_yuan};

    pub fn from_budget(e: BudgetError) -> AppError {
        match e {
            BudgetError::Refused(p) => AppError::Budget(p),
            BudgetError::OutOfScope => AppError::Forbidden,
            BudgetError::Approval(p) => AppError::Approval(p),
            BudgetError::Db(d) => super::super::from_db(d),
        }
    }

    /// A typed amount of yuan.
    pub fn amount(text: &str) -> Result<Decimal, AppError> {
        parse_yuan(text).map_err(|_| AppError::Budget(BudgetProblem::Amount))
    }

    /// A typed date, or none for an empty field.
    pub fn optional_date(text: &str) -> Result<Option<NaiveDate>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::Budget(BudgetProblem::Date))
    }

    pub type Towns = HashMap<i64, (String, String)>;

    fn bureau(p: &Principal) -> bool {
        p.has_any(Role::DISTRICT_WIDE)
    }

    pub fn entry_view(
        e: &EntryRow,
        names: &HashMap<i64, String>,
        towns: &Towns,
    ) -> Result<EntryView, AppError> {
        Ok(EntryView {
            id: e.id,
            date: e.entry_date,
            kind: e.kind().ok_or_else(|| super::super::internal(format!("entry {} kind", e.id)))?,
            source_id: e.source_id,
            source: names.get(&e.source_id).cloned().unwrap_or_default(),
            cost_type: e.cost_type(),
            town: e.town_id.and_then(|t| towns.get(&t).cloned()),
            allocated: from_fen(e.allocated_fen),
            committed: from_fen(e.committed_fen),
            paid: from_fen(e.paid_fen),
            memo: e.memo.clone(),
            reference: match e.ref_id {
                Some(id) => format!("{}:{id}", e.ref_entity),
                None => e.ref_entity.clone(),
            },
            commitment_id: e.commitment_id,
            reverses_id: e.reverses_id,
            override_reason: e.override_reason.clone(),
        })
    }

    /// The sources of `year` `p` may see, with their sums (as of a date
    /// when given).
    pub fn source_views(
        conn: &mut AnyConnection,
        p: &Principal,
        year: i32,
        towns: &Towns,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<SourceView>, AppError> {
        let rows: Vec<SourceRow> =
            db::sources(conn, p.district_id, year)?.into_iter().filter(|s| s.visible_to(p)).collect();
        let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
        let matrix = db::matrix(conn, &ids)?;
        let pending = db::sources_pending_eligibility(conn, p.district_id)?;
        let sums = db::balances_by_type(conn, p.district_id, year, as_of)?;
        rows.into_iter()
            .map(|s| {
                Ok(SourceView {
                    id: s.id,
                    year: s.year,
                    kind: s.kind()?,
                    name: s.name.clone(),
                    town_id: s.town_id,
                    town: s.town_id.and_then(|t| towns.get(&t).cloned()),
                    amount: from_fen(s.amount_fen),
                    base: s.base_fen.map(from_fen),
                    doc_no: s.doc_no.clone(),
                    doc_date: s.doc_date,
                    balance: sums
                        .iter()
                        .find(|(id, t, _)| *id == s.id && t.is_none())
                        .map(|(_, _, b)| *b)
                        .unwrap_or_default(),
                    by_type: sums
                        .iter()
                        .filter(|(id, t, _)| *id == s.id && t.is_some())
                        .filter_map(|(_, t, b)| t.map(|t| (t, *b)))
                        .collect(),
                    eligible: matrix.iter().filter(|(id, _)| *id == s.id).map(|(_, c)| *c).collect(),
                    eligibility_pending: pending.contains(&s.id),
                    version: s.version,
                })
            })
            .collect()
    }

    fn town_list(towns: &Towns) -> Vec<(i64, String, String)> {
        let mut v: Vec<(i64, String, String)> =
            towns.iter().map(|(id, (zh, en))| (*id, zh.clone(), en.clone())).collect();
        v.sort_by_key(|(id, ..)| *id);
        v
    }

    pub fn choose_year(
        conn: &mut AnyConnection,
        p: &Principal,
        year: Option<i32>,
    ) -> Result<(Vec<i32>, i32), AppError> {
        let years: Vec<i32> = db::years(conn, p.district_id)?.iter().map(|y| y.year).collect();
        let this_year = chrono::Datelike::year(&db::today());
        let year = year.or_else(|| years.first().copied()).unwrap_or(this_year);
        Ok((years, year))
    }

    pub fn overview(
        conn: &mut AnyConnection,
        p: &Principal,
        year: Option<i32>,
    ) -> Result<BudgetOverview, AppError> {
        let (years, year) = choose_year(conn, p, year)?;
        let fiscal = db::years(conn, p.district_id)?.into_iter().find(|y| y.year == year);
        let towns = crate::db::district::town_names(conn, p.district_id)?;
        let sources = source_views(conn, p, year, &towns, None)?;
        let totals = sources.iter().fold(Balance::default(), |acc, s| acc + s.balance);
        let plan = db::plan(conn, p.district_id, year)?;
        let checks = match (&fiscal, bureau(p)) {
            (Some(f), true) => Some(checks(conn, p, year, f, &sources, &towns, &plan)?),
            _ => None,
        };
        Ok(BudgetOverview {
            years,
            year,
            open: fiscal.is_some(),
            assistance_funds: fiscal.as_ref().map(|f| from_fen(f.assistance_funds_fen)).unwrap_or_default(),
            sources,
            totals,
            checks,
            plan: plan.to_vec(),
            towns: town_list(&towns),
            may_edit: p.has(Role::Finance),
        })
    }

    fn checks(
        conn: &mut AnyConnection,
        p: &Principal,
        year: i32,
        fiscal: &db::YearRow,
        sources: &[SourceView],
        towns: &Towns,
        plan: &[Decimal; 12],
    ) -> Result<Checks, AppError> {
        let names: HashMap<i64, String> = sources.iter().map(|s| (s.id, s.name.clone())).collect();
        let social_work: Decimal = sources
            .iter()
            .flat_map(|s| s.by_type.iter())
            .filter(|(t, _)| *t == CostType::ContractPayment)
            .map(|(_, b)| b.committed + b.paid)
            .sum();
        let min_bp = fiscal.social_work_min_bp.max(0) as u32;
        let share = social_work_share(from_fen(fiscal.assistance_funds_fen), social_work, min_bp);
        // Spending by source against eligibility: every commitment or
        // payment of a type its source may not pay now.
        let mut ineligible = Vec::new();
        for s in sources {
            for (t, b) in &s.by_type {
                if !s.eligible.contains(t) && (b.committed + b.paid) != Decimal::ZERO {
                    let (rows, _) = db::entries(
                        conn,
                        p,
                        &Filter { source_id: Some(s.id), cost_type: Some(*t), ..Filter::default() },
                        0,
                        20,
                    )?;
                    for r in rows.iter().filter(|r| r.kind() == Some(EntryKind::Commitment)) {
                        ineligible.push(entry_view(r, &names, towns)?);
                    }
                }
            }
        }
        let paid = db::paid_by_month(conn, p.district_id, year)?;
        let unpaid = db::unpaid_commitments(conn, p.district_id, year)?
            .into_iter()
            .map(|(r, left)| {
                Ok(Unpaid { entry: entry_view(&r, &names, towns)?, outstanding: from_fen(left) })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let overrides = db::overrides(conn, p.district_id, year)?
            .iter()
            .map(|r| entry_view(r, &names, towns))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Checks { share, min_bp, ineligible, execution: execution(plan, &paid), unpaid, overrides })
    }

    pub fn source_detail(
        conn: &mut AnyConnection,
        p: &Principal,
        id: i64,
        page: i64,
    ) -> Result<SourceDetail, AppError> {
        let row = SourceRow::load(conn, p.district_id, id)?;
        if !row.visible_to(p) {
            return Err(AppError::NotFound);
        }
        let towns = crate::db::district::town_names(conn, p.district_id)?;
        let source = source_views(conn, p, row.year, &towns, None)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(AppError::NotFound)?;
        let corrections = db::corrections(conn, &[id])?
            .into_iter()
            .map(|c| CorrectionView {
                old_base: from_fen(c.old_base_fen),
                new_base: from_fen(c.new_base_fen),
                old_amount: from_fen(c.old_amount_fen),
                new_amount: from_fen(c.new_amount_fen),
                reason: c.reason,
                at: c.created_at,
            })
            .collect();
        let mut by_town = Vec::new();
        let mut town_ids: Vec<i64> = towns.keys().copied().collect();
        town_ids.sort();
        for t in town_ids {
            let b = db::balance(
                conn,
                p.district_id,
                &Filter { source_id: Some(id), town_id: Some(t), ..Filter::default() },
            )?;
            if b.committed != Decimal::ZERO || b.paid != Decimal::ZERO {
                by_town.push((towns.get(&t).cloned().unwrap_or_default(), b));
            }
        }
        let offset = page.max(0).saturating_mul(ENTRIES_PER_PAGE);
        let (rows, total_entries) = db::entries(conn, p, &Filter::source(id), offset, ENTRIES_PER_PAGE)?;
        let names = HashMap::from([(id, row.name.clone())]);
        let entries = rows.iter().map(|r| entry_view(r, &names, &towns)).collect::<Result<Vec<_>, _>>()?;
        let attachments = db::attachments(conn, id)?
            .into_iter()
            .map(|a| AttachmentView {
                id: a.id,
                file_name: a.file_name,
                content_type: a.content_type,
                size_bytes: a.size_bytes,
                at: a.created_at,
            })
            .collect();
        Ok(SourceDetail {
            source,
            corrections,
            attachments,
            by_town,
            entries,
            total_entries,
            offset,
            may_edit: p.has(Role::Finance),
        })
    }

    /// Sources `p` may ask money from in `year`.
    pub fn choices(
        conn: &mut AnyConnection,
        p: &Principal,
        year: i32,
    ) -> Result<Vec<SourceChoice>, AppError> {
        let rows = db::sources(conn, p.district_id, year)?;
        let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
        let matrix = db::matrix(conn, &ids)?;
        let mut out = Vec::new();
        for s in rows {
            let mine = if p.has(Role::Finance) {
                s.town_id.is_none()
            } else {
                s.town_id.is_some() && s.town_id == p.town_id
            };
            if !mine {
                continue;
            }
            let available = db::balance(conn, p.district_id, &Filter::source(s.id))?.available();
            out.push(SourceChoice {
                id: s.id,
                name: s.name,
                year: s.year,
                town_id: s.town_id,
                eligible: matrix.iter().filter(|(id, _)| *id == s.id).map(|(_, c)| *c).collect(),
                available,
            });
        }
        Ok(out)
    }

    pub fn requests_page(
        conn: &mut AnyConnection,
        p: &Principal,
        year: Option<i32>,
    ) -> Result<RequestsPage, AppError> {
        let (_, year) = choose_year(conn, p, year)?;
        let towns = crate::db::district::town_names(conn, p.district_id)?;
        let names: HashMap<i64, String> =
            db::sources(conn, p.district_id, year)?.into_iter().map(|s| (s.id, s.name)).collect();
        let mut requests = Vec::new();
        for (r, status) in db::requests(conn, p, year)? {
            let outstanding = match r.entry_id {
                Some(e) => from_fen(db::outstanding(conn, e)?),
                None => Decimal::ZERO,
            };
            requests.push(RequestView {
                id: r.id,
                town_purchase: r.kind == db::RequestKind::TownPurchase.code(),
                source: names.get(&r.source_id).cloned().unwrap_or_default(),
                cost_type: CostType::from_code(&r.cost_type).unwrap_or(CostType::Other),
                town: r.town_id.and_then(|t| towns.get(&t).cloned()),
                title: r.title,
                purpose: r.purpose,
                amount: from_fen(r.amount_fen),
                date: r.entry_date,
                override_request: r.override_request,
                status,
                outstanding,
            });
        }
        Ok(RequestsPage {
            year,
            requests,
            choices: choices(conn, p, year)?,
            towns: town_list(&towns),
            may_spend: p.has(Role::Finance),
            may_purchase: p.has(Role::Town),
        })
    }
}
