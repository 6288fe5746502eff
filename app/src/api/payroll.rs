//! Payroll: the overview (runs, standards and rules in force), starting a
//! month's run (computed in the background with progress), a run with its
//! lines, submitting, discarding and marking paid, proposing next year's
//! standards, and the monthly score sheet.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::insurance::InsuranceRules;
use crate::domain::pay::PayStandards;
use crate::domain::payroll::{PayrollProblem, RunStatus};
use crate::domain::roster::RoleLevel;
use crate::error::AppError;

/// A run as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: i64,
    pub month: String,
    pub status: RunStatus,
    pub people: i32,
    pub lines_done: i32,
    pub gross: Decimal,
    pub employee: Decimal,
    pub tax: Decimal,
    pub net: Decimal,
    pub employer: Decimal,
    pub cost: Decimal,
    /// Why the computation stopped, if it did.
    pub problem: Option<PayrollProblem>,
    pub approval_id: Option<i64>,
    pub version: i32,
}

/// One town's projected year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectionRow {
    pub town_id: i64,
    pub town: String,
    pub town_en: String,
    /// Open posts today.
    pub posts: u32,
    /// People on duty.
    pub people: u32,
    pub pay: Decimal,
    pub employer: Decimal,
    /// Seed 002's reference for the posts: 10 million for 198.
    pub reference: Decimal,
}

/// The year's pay and employer costs for the current roster, against the
/// seed's budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    pub year: i32,
    pub rows: Vec<ProjectionRow>,
}

/// The payroll page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayrollInfo {
    pub today: NaiveDate,
    /// The month a new run is for by default (the last finished month).
    pub default_month: String,
    pub runs: Vec<RunSummary>,
    /// The standards and rules in force this month, with their start.
    pub standards: Option<(NaiveDate, PayStandards)>,
    pub insurance: Option<(NaiveDate, InsuranceRules)>,
    /// The viewer may start runs and propose standards (finance).
    pub may_run: bool,
    /// The year projected for the current roster (with standards and
    /// rules in force).
    pub projection: Option<Projection>,
}

/// One line of a run as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunLine {
    pub staff_id: i64,
    pub name: String,
    pub town_id: i64,
    pub town: String,
    pub town_en: String,
    pub post_code: Option<String>,
    pub role_level: RoleLevel,
    pub days: u32,
    pub days_in_month: u32,
    pub score: Option<i32>,
    pub grade: String,
    pub base: Decimal,
    pub role: Decimal,
    pub tenure: Decimal,
    pub qualification: Decimal,
    pub performance: Decimal,
    pub additions: Decimal,
    pub deductions: Decimal,
    pub gross: Decimal,
    pub employee_insurance: Decimal,
    pub employee_housing: Decimal,
    pub tax: Decimal,
    pub net: Decimal,
    pub employer_insurance: Decimal,
    pub employer_housing: Decimal,
    pub cost: Decimal,
}

/// One town's sums in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownTotal {
    pub town_id: i64,
    pub town: String,
    pub town_en: String,
    pub people: u32,
    pub gross: Decimal,
    /// Employee insurance and housing fund.
    pub employee: Decimal,
    pub tax: Decimal,
    pub net: Decimal,
    /// Employer insurance and housing fund.
    pub employer: Decimal,
    pub cost: Decimal,
}

/// Which of a run's lines to show: one town or all the viewer may see,
/// from `offset`, at most `limit` (all when `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinesQuery {
    pub town: Option<i64>,
    pub offset: u32,
    pub limit: Option<u32>,
}

impl LinesQuery {
    /// Every line (of one town).
    pub fn all(town: Option<i64>) -> LinesQuery {
        LinesQuery { town, offset: 0, limit: None }
    }

    /// No line: the run and its town sums only.
    pub fn none() -> LinesQuery {
        LinesQuery { town: None, offset: 0, limit: Some(0) }
    }
}

/// Lines a page of the run page shows.
pub const LINES_PER_PAGE: u32 = 100;

/// A run with its town sums and a page of the lines the viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    pub run: RunSummary,
    /// Sums by town, of the towns the viewer may see (none while
    /// computing).
    pub towns: Vec<TownTotal>,
    /// The lines asked for.
    pub lines: Vec<RunLine>,
    /// How many lines match the query; `lines` start at `offset`.
    pub total_lines: u32,
    pub offset: u32,
    /// The viewer may submit, discard and mark paid (finance).
    pub may_act: bool,
    /// The sources that pay the run, once chosen: (pay, employer
    /// contributions).
    pub funding: Option<(String, String)>,
    /// The maker's case for a budget override, if they made one.
    pub override_request: Option<String>,
    /// Sources finance may choose from (a draft, for finance only).
    pub funding_choices: Vec<crate::api::budget::SourceChoice>,
}

/// One person on the score sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub staff_id: i64,
    pub name: String,
    pub town: String,
    pub town_en: String,
    pub score: Option<i32>,
    pub reason: String,
}

/// The score sheet of a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoresInfo {
    pub month: String,
    /// The month's run is submitted or approved.
    pub closed: bool,
    /// Scores below this need a reason.
    pub reason_below: u32,
    pub rows: Vec<ScoreRow>,
}

/// A proposal of standards from the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardsInput {
    pub standards: PayStandards,
    pub effective_from: NaiveDate,
    pub note: String,
}

#[server(prefix = "/api", endpoint = "payroll_overview")]
pub async fn payroll_overview() -> Result<PayrollInfo, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("payroll_overview")?;
        super::with_db(move |conn| ssr::overview(conn, &p)).await
    }
    .await;
    super::finish(result)
}

/// Starts the run of `month` (`YYYY-MM`); its lines are computed in the
/// background. Returns the run's id.
#[server(prefix = "/api", endpoint = "start_payroll_run")]
pub async fn start_payroll_run(month: String) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("start_payroll_run")?;
        let actor = crate::auth::actor(Some(&p));
        let month =
            crate::db::payroll::parse_month(&month).ok_or(AppError::Payroll(PayrollProblem::WrongState))?;
        let today = super::towns::ssr::today();
        let district_id = p.district_id;
        let job_actor = actor.clone();
        let run_id = super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::payroll::create_run(tx, &p, month, today))
                .map_err(ssr::from_payroll)
        })
        .await?;
        let db = super::db()?;
        ssr::spawn_compute(db, job_actor, district_id, run_id);
        Ok(run_id)
    }
    .await;
    super::finish(result)
}

/// A run with a page of its lines (`page` from 0; one town or all).
#[server(prefix = "/api", endpoint = "payroll_run", input = Json)]
pub async fn payroll_run(run_id: i64, town: Option<i64>, page: u32) -> Result<RunView, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("payroll_run")?;
        let q = LinesQuery { town, offset: page.saturating_mul(LINES_PER_PAGE), limit: Some(LINES_PER_PAGE) };
        super::with_db(move |conn| ssr::run_view(conn, &p, run_id, q)).await
    }
    .await;
    super::finish(result)
}

/// Submits a draft for approval, paid from the chosen sources; with
/// `override_request` (the maker's case) a run the budget refuses still
/// goes to the approver.
#[server(prefix = "/api", endpoint = "submit_payroll_run")]
pub async fn submit_payroll_run(
    run_id: i64,
    version: i32,
    pay_source_id: i64,
    insurance_source_id: i64,
    override_request: Option<String>,
) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("submit_payroll_run")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                let funding = crate::db::budget::RunFunding { pay_source_id, insurance_source_id };
                crate::db::payroll::submit_run(tx, &p, run_id, version, &funding, override_request.as_deref())
            })
            .map_err(ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/api", endpoint = "discard_payroll_run")]
pub async fn discard_payroll_run(run_id: i64, version: i32) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("discard_payroll_run")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::payroll::discard_run(tx, &p, run_id, version)
            })
            .map_err(ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/api", endpoint = "mark_payroll_paid")]
pub async fn mark_payroll_paid(run_id: i64) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("mark_payroll_paid")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| crate::db::payroll::mark_paid(tx, &p, run_id))
                .map_err(ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Submits standards (typically next year's, from the annual adjustment)
/// for approval.
#[server(prefix = "/api", endpoint = "propose_pay_standards", input = Json)]
pub async fn propose_pay_standards(input: StandardsInput) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("propose_pay_standards")?;
        let actor = crate::auth::actor(Some(&p));
        let proposal = crate::db::payroll::StandardsProposal {
            standards: input.standards,
            effective_from: input.effective_from,
            note: input.note,
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::payroll::propose_standards(tx, &p, &proposal)
            })
            .map_err(ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Starts (or finds) the job making every pay slip of a run the viewer
/// may see; poll [`slips_job`] for its progress.
#[server(prefix = "/api", endpoint = "start_slips_job")]
pub async fn start_slips_job(run_id: i64, english: bool) -> Result<crate::jobs::JobView, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("start_slips_job")?;
        if !p.has_any(crate::policy::PAYROLL_READERS) {
            return Err(AppError::Forbidden);
        }
        let documents = use_context::<crate::jobs::ssr::DocumentJobs>().ok_or(AppError::Internal)?;
        let locale = if english { crate::i18n::Locale::En } else { crate::i18n::Locale::ZhCn };
        documents.slips.start(p, run_id, locale).await
    }
    .await;
    super::finish(result)
}

/// A document job of the viewer's.
#[server(prefix = "/api", endpoint = "slips_job")]
pub async fn slips_job(id: String) -> Result<crate::jobs::JobView, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("slips_job")?;
        let documents = use_context::<crate::jobs::ssr::DocumentJobs>().ok_or(AppError::Internal)?;
        documents.jobs.view(p.user_id, &id).ok_or(AppError::NotFound)
    }
    .await;
    super::finish(result)
}

/// A proposal of insurance rules from the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesInput {
    pub rules: InsuranceRules,
    pub effective_from: NaiveDate,
    pub note: String,
}

/// Submits a year's social insurance and housing fund rules for approval
/// (finance); they apply to runs from `effective_from` once approved.
#[server(prefix = "/api", endpoint = "propose_insurance_rules", input = Json)]
pub async fn propose_insurance_rules(input: RulesInput) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("propose_insurance_rules")?;
        let actor = crate::auth::actor(Some(&p));
        let proposal = crate::db::payroll::RulesProposal {
            year: chrono::Datelike::year(&input.effective_from),
            rules: input.rules,
            effective_from: input.effective_from,
            note: input.note,
        };
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::payroll::propose_insurance(tx, &p, &proposal)
            })
            .map_err(ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

/// Records a 补发 or 扣发 for a person, paid in the next run of its month
/// or later (finance).
#[server(prefix = "/api", endpoint = "add_payroll_adjustment", input = Json)]
pub async fn add_payroll_adjustment(
    staff_id: i64,
    adjustment: crate::domain::payroll::Adjustment,
) -> Result<i64, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("add_payroll_adjustment")?;
        let actor = crate::auth::actor(Some(&p));
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::payroll::add_adjustment(tx, &p, staff_id, &adjustment)
            })
            .map_err(ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/api", endpoint = "score_sheet")]
pub async fn score_sheet(month: String) -> Result<ScoresInfo, AppError> {
    let result = async {
        let p = crate::auth::authorize_user("score_sheet")?;
        let month = if month.trim().is_empty() {
            let today = super::towns::ssr::today();
            crate::domain::tax::YearMonth::new(
                chrono::Datelike::year(&today),
                chrono::Datelike::month(&today),
            )
        } else {
            crate::db::payroll::parse_month(&month)
        }
        .ok_or(AppError::Payroll(PayrollProblem::WrongState))?;
        super::with_db(move |conn| ssr::score_sheet(conn, &p, month)).await
    }
    .await;
    super::finish(result)
}

#[server(prefix = "/api", endpoint = "record_score")]
pub async fn record_score(staff_id: i64, month: String, score: i32, reason: String) -> Result<(), AppError> {
    let result = async {
        let p = crate::auth::authorize_user("record_score")?;
        let actor = crate::auth::actor(Some(&p));
        let month =
            crate::db::payroll::parse_month(&month).ok_or(AppError::Payroll(PayrollProblem::WrongState))?;
        let today = super::towns::ssr::today();
        super::with_db(move |conn| {
            crate::db::write::write(conn, &actor, |tx| {
                crate::db::payroll::record_score(tx, &p, staff_id, month, score, &reason, today)
            })
            .map_err(ssr::from_payroll)
        })
        .await
    }
    .await;
    super::finish(result)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::Datelike;

    use super::*;
    use crate::db::payroll::{self as db, PayrollError, RunRow};
    use crate::db::write::Actor;
    use crate::db::{AnyConnection, Db};
    use crate::domain::access::{Principal, Role};
    use crate::domain::money::from_fen;
    use crate::domain::tax::YearMonth;

    pub fn from_payroll(e: PayrollError) -> AppError {
        match e {
            PayrollError::Refused(p) => AppError::Payroll(p),
            PayrollError::OutOfScope => AppError::Forbidden,
            PayrollError::Approval(p) => AppError::Approval(p),
            PayrollError::Budget(p) => AppError::Budget(p),
            PayrollError::Db(d) => super::super::from_db(d),
        }
    }

    /// Computes a run in the background; a failure is logged and left on
    /// the run (discarded with its reason) or, for a crash, picked up again
    /// at the next start.
    pub fn spawn_compute(db: Db, actor: Actor, district_id: i64, run_id: i64) {
        tokio::spawn(async move {
            let result = db.run(move |conn| Ok(db::compute_run(conn, &actor, district_id, run_id))).await;
            match result {
                Ok(Ok(())) => tracing::info!(run_id, "payroll run computed"),
                Ok(Err(PayrollError::Refused(p))) => {
                    tracing::info!(run_id, problem = ?p, "payroll run refused")
                }
                Ok(Err(e)) => tracing::error!(run_id, error = %e, "payroll run failed"),
                Err(e) => tracing::error!(run_id, error = %e, "payroll run failed"),
            }
        });
    }

    pub fn summary(r: &RunRow) -> Result<RunSummary, AppError> {
        Ok(RunSummary {
            id: r.id,
            month: r.month.clone(),
            status: r.status()?,
            people: r.people,
            lines_done: r.lines_done,
            gross: from_fen(r.gross_fen),
            employee: from_fen(r.employee_fen),
            tax: from_fen(r.tax_fen),
            net: from_fen(r.net_fen),
            employer: from_fen(r.employer_fen),
            cost: from_fen(r.cost_fen),
            problem: (!r.problem.is_empty()).then(|| serde_json::from_str(&r.problem).ok()).flatten(),
            approval_id: r.approval_id,
            version: r.version,
        })
    }

    fn may_see_pay(p: &Principal) -> bool {
        p.has_any(&[Role::Finance, Role::Approver, Role::Auditor, Role::Town])
    }

    pub fn overview(conn: &mut AnyConnection, p: &Principal) -> Result<PayrollInfo, AppError> {
        if !may_see_pay(p) {
            return Err(AppError::Forbidden);
        }
        let today = super::super::towns::ssr::today();
        let this = YearMonth::new(today.year(), today.month()).ok_or(AppError::Internal)?;
        let last = if this.month == 1 {
            YearMonth::new(this.year - 1, 12)
        } else {
            YearMonth::new(this.year, this.month - 1)
        }
        .ok_or(AppError::Internal)?;
        let runs = db::list_runs(conn, p.district_id)?.iter().map(summary).collect::<Result<Vec<_>, _>>()?;
        let first = chrono::NaiveDate::from_ymd_opt(this.year, this.month, 1).ok_or(AppError::Internal)?;
        let standards = db::all_standards(conn, p.district_id)?.into_iter().find(|(d, _)| *d <= first);
        let insurance = db::all_insurance(conn, p.district_id)?.into_iter().find(|(d, _)| *d <= first);
        let projection = match (&standards, &insurance) {
            (Some((_, s)), Some((_, r))) => Some(projection(conn, p, s, r, this)?),
            _ => None,
        };
        Ok(PayrollInfo {
            today,
            default_month: db::month_code(last),
            runs,
            standards,
            insurance,
            may_run: p.has(Role::Finance),
            projection,
        })
    }

    /// Each town's projected year for the people on duty now (a town user:
    /// their own town).
    fn projection(
        conn: &mut AnyConnection,
        p: &Principal,
        standards: &PayStandards,
        insurance: &InsuranceRules,
        this: YearMonth,
    ) -> Result<Projection, AppError> {
        use crate::domain::pay::PayFacts;
        use crate::domain::payroll::{project_year, seed_reference};
        let today = super::super::towns::ssr::today();
        let mut rows: Vec<ProjectionRow> = crate::db::district::staffing_as_of(conn, p.district_id, today)?
            .into_iter()
            .filter(|(id, _)| p.may_see_town(*id))
            .map(|(id, t)| ProjectionRow {
                town_id: id,
                town: t.name,
                town_en: t.name_en,
                posts: t.posts,
                people: 0,
                pay: Decimal::ZERO,
                employer: Decimal::ZERO,
                reference: seed_reference(t.posts),
            })
            .collect();
        for x in db::payees(conn, p.district_id, this)? {
            if x.post_id.is_none() || x.left_on.is_some() {
                continue;
            }
            let Some(row) = rows.iter_mut().find(|r| r.town_id == x.town_id) else { continue };
            let facts = PayFacts {
                role_level: x.role_level,
                certificate: x.certificate,
                hire_date: x.hire_date,
                // Coefficient 1: the grade of a typical score.
                score: standards
                    .grades
                    .iter()
                    .find(|g| g.coefficient == Decimal::ONE)
                    .map_or(80, |g| g.min_score),
                days: 31,
            };
            let (pay, employer) = project_year(standards, insurance, &facts, this.year);
            row.people += 1;
            row.pay += pay;
            row.employer += employer;
        }
        Ok(Projection { year: this.year, rows })
    }

    pub fn run_view(
        conn: &mut AnyConnection,
        p: &Principal,
        run_id: i64,
        q: LinesQuery,
    ) -> Result<RunView, AppError> {
        if !may_see_pay(p) {
            return Err(AppError::Forbidden);
        }
        if q.town.is_some_and(|t| !p.may_see_town(t)) {
            return Err(AppError::Forbidden);
        }
        let run = RunRow::load(conn, p.district_id, run_id)?;
        let may_act = p.has(Role::Finance);
        // While computing, the progress is all there is to show: polling
        // stays cheap however large the run.
        if run.status()? == RunStatus::Computing {
            return Ok(RunView {
                run: summary(&run)?,
                towns: Vec::new(),
                lines: Vec::new(),
                total_lines: 0,
                offset: q.offset,
                may_act,
                funding: None,
                override_request: None,
                funding_choices: Vec::new(),
            });
        }
        let names = crate::db::district::town_names(conn, p.district_id)?;
        let name_of = |id: &i64| names.get(id).cloned().unwrap_or_default();
        let towns: Vec<TownTotal> = db::town_sums(conn, run_id)?
            .into_iter()
            .filter(|(id, _)| p.may_see_town(*id))
            .map(|(id, s)| {
                let (town, town_en) = name_of(&id);
                TownTotal {
                    town_id: id,
                    town,
                    town_en,
                    people: u32::try_from(s.people).unwrap_or(u32::MAX),
                    gross: from_fen(s.fen[0]),
                    employee: from_fen(s.fen[1]),
                    tax: from_fen(s.fen[2]),
                    net: from_fen(s.fen[3]),
                    employer: from_fen(s.fen[4]),
                    cost: from_fen(s.fen[5]),
                }
            })
            .collect();
        let (lines, total) = if q.limit == Some(0) {
            (Vec::new(), 0)
        } else {
            db::lines_page(conn, p, run_id, q.town, i64::from(q.offset), q.limit.map(i64::from))?
        };
        let lines = lines
            .into_iter()
            .map(|l| {
                let d = &l.detail.line;
                let (town, town_en) = name_of(&l.town_id);
                RunLine {
                    staff_id: l.staff_id,
                    name: l.name,
                    town_id: l.town_id,
                    town,
                    town_en,
                    post_code: l.post_code,
                    role_level: l.role_level,
                    days: d.pay.days,
                    days_in_month: d.pay.days_in_month,
                    score: l.score,
                    grade: d.pay.grade.clone(),
                    base: d.pay.base,
                    role: d.pay.role,
                    tenure: d.pay.tenure,
                    qualification: d.pay.qualification,
                    performance: d.pay.performance,
                    additions: d.additions,
                    deductions: d.deductions,
                    gross: d.gross,
                    employee_insurance: d.contributions.employee.insurance(),
                    employee_housing: d.contributions.employee.housing_fund,
                    tax: d.tax.tax,
                    net: d.net,
                    employer_insurance: d.contributions.employer.insurance(),
                    employer_housing: d.contributions.employer.housing_fund,
                    cost: d.employer_cost,
                }
            })
            .collect();
        let mut summary = summary(&run)?;
        if !p.sees_whole_district() {
            // A town user's figures are their own town's.
            let sum = |f: fn(&TownTotal) -> Decimal| towns.iter().map(f).sum::<Decimal>();
            let people: u32 = towns.iter().map(|t| t.people).sum();
            summary.people = i32::try_from(people).unwrap_or(i32::MAX);
            summary.lines_done = summary.people;
            summary.gross = sum(|t| t.gross);
            summary.employee = sum(|t| t.employee);
            summary.tax = sum(|t| t.tax);
            summary.net = sum(|t| t.net);
            summary.employer = sum(|t| t.employer);
            summary.cost = sum(|t| t.cost);
        }
        let funding = match (run.pay_source_id, run.insurance_source_id) {
            (Some(a), Some(b)) if p.sees_whole_district() => Some((
                crate::db::budget::SourceRow::load(conn, p.district_id, a)?.name,
                crate::db::budget::SourceRow::load(conn, p.district_id, b)?.name,
            )),
            _ => None,
        };
        let funding_choices = if may_act && run.status()? == RunStatus::Draft {
            let year = run.month()?.year;
            crate::api::budget::ssr::choices(conn, p, year)?
        } else {
            Vec::new()
        };
        Ok(RunView {
            run: summary,
            towns,
            lines,
            funding,
            override_request: run.override_request.clone(),
            funding_choices,
            total_lines: u32::try_from(total).unwrap_or(u32::MAX),
            offset: q.offset,
            may_act,
        })
    }

    pub fn score_sheet(
        conn: &mut AnyConnection,
        p: &Principal,
        month: YearMonth,
    ) -> Result<ScoresInfo, AppError> {
        if !p.has_any(&[Role::Finance, Role::Town]) {
            return Err(AppError::Forbidden);
        }
        let names = crate::db::district::town_names(conn, p.district_id)?;
        let scores = db::scores(conn, p.district_id, month, None)?;
        let reason_below = db::standards_for(conn, p.district_id, month)?.map_or(60, |s| s.reason_below);
        let rows = db::payees(conn, p.district_id, month)?
            .into_iter()
            .filter(|x| crate::db::roster::may_manage_town(p, x.town_id))
            .map(|x| {
                let (town, town_en) = names.get(&x.town_id).cloned().unwrap_or_default();
                let (score, reason) =
                    scores.get(&x.staff_id).map_or((None, String::new()), |(s, r, _)| (Some(*s), r.clone()));
                ScoreRow { staff_id: x.staff_id, name: x.name, town, town_en, score, reason }
            })
            .collect();
        let closed = db::month_closed(conn, p.district_id, month)?;
        Ok(ScoresInfo { month: db::month_code(month), closed, reason_below, rows })
    }
}
