//! 工资发放: the monthly payrolls, one payroll with its lines (progress
//! while it computes), the standards in force with the annual adjustment,
//! and the monthly score sheet.

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use rust_decimal::Decimal;

use crate::api::payroll::{
    DiscardPayrollRun, MarkPayrollPaid, PayrollInfo, Projection, ProjectionRow, ProposePayStandards,
    RecordScore, RunLine, RunView, ScoreRow, ScoresInfo, StandardsInput, StartPayrollRun, SubmitPayrollRun,
    payroll_overview, payroll_run, score_sheet,
};
use crate::components::common::ErrorPanel;
use crate::domain::pay::{Component, PayStandards};
use crate::domain::payroll::RunStatus;
use crate::error::AppError;
use crate::format::yuan;
use crate::i18n::use_i18n;
use crate::policy::paths;

fn run_href(id: i64) -> String {
    paths::PAYROLL_RUN.replace("{id}", &id.to_string())
}

/// An error in words; payroll refusals name the people concerned.
#[component]
fn PayrollError(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="form-error" role="alert">{move || match &error {
            AppError::Payroll(p) => i18n.t().payroll.problem(p),
            other => other.message(i18n.t()).to_owned(),
        }}</p>
    }
}

#[component]
fn PayrollTabs(current: &'static str) -> impl IntoView {
    const TABS: &[crate::components::common::Tab] =
        &[(paths::PAYROLL, |t| t.payroll.tab_runs), (paths::PAYROLL_SCORES, |t| t.payroll.tab_scores)];
    view! { <crate::components::common::Tabs current label=|t| t.payroll.title tabs=TABS /> }
}

/// The payroll overview.
#[component]
pub fn PayrollPage() -> impl IntoView {
    let i18n = use_i18n();
    let propose = ServerAction::<ProposePayStandards>::new();
    let data = Resource::new(move || propose.version().get(), |_| payroll_overview());
    view! {
        <Title text=move || i18n.t().payroll.title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().payroll.title}</h1>
                <p class="muted">{move || i18n.t().payroll.help}</p>
            </div>
        </header>
        <PayrollTabs current=paths::PAYROLL />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(info) => view! { <Overview info propose /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Overview(info: PayrollInfo, propose: ServerAction<ProposePayStandards>) -> impl IntoView {
    let i18n = use_i18n();
    let PayrollInfo { today, default_month, runs, standards, insurance, may_run, projection } = info;
    let start = ServerAction::<StartPayrollRun>::new();
    let month = RwSignal::new(default_month);
    Effect::new(move || {
        if let Some(Ok(id)) = start.value().get() {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&run_href(id), Default::default());
        }
    });
    let empty = runs.is_empty();
    view! {
        {may_run.then(|| view! {
            <section class="panel">
                <h2>{move || i18n.t().payroll.start_title}</h2>
                <p class="muted">{move || i18n.t().payroll.start_help}</p>
                <form class="form-grid" id="start-run-form" on:submit=move |ev| {
                    ev.prevent_default();
                    start.dispatch(StartPayrollRun { month: month.get_untracked() });
                }>
                    <label>
                        <span>{move || i18n.t().payroll.month}</span>
                        <input type="month" name="month" required prop:value=move || month.get()
                            on:input=move |ev| month.set(event_target_value(&ev)) />
                    </label>
                    <div class="page-actions">
                        <button type="submit" class="button button-primary" id="start-run">{move || i18n.t().payroll.start}</button>
                    </div>
                </form>
                <div id="start-result">
                    {move || start.value().get().and_then(Result::err).map(|e| view! { <PayrollError error=e /> })}
                </div>
            </section>
        })}
        <section class="panel">
            <h2>{move || i18n.t().payroll.runs_title}</h2>
            {empty.then(|| view! { <p class="muted">{move || i18n.t().payroll.no_runs}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="runs-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t().payroll.col_month}</th>
                                <th scope="col">{move || i18n.t().payroll.col_status}</th>
                                <th scope="col" class="num">{move || i18n.t().payroll.col_people}</th>
                                <th scope="col" class="num">{move || i18n.t().payroll.col_gross}</th>
                                <th scope="col" class="num col-optional">{move || i18n.t().payroll.col_tax}</th>
                                <th scope="col" class="num">{move || i18n.t().payroll.col_net}</th>
                                <th scope="col" class="num col-optional">{move || i18n.t().payroll.col_cost}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {runs.into_iter().map(|r| {
                                let status = r.status;
                                view! {
                                    <tr data-month=r.month.clone() data-status=status.code()>
                                        <th scope="row"><a href=run_href(r.id)>{r.month.clone()}</a></th>
                                        <td>{move || i18n.t().payroll.status(status)}</td>
                                        <td class="num">{r.people}</td>
                                        <td class="num">{yuan(r.gross)}</td>
                                        <td class="num col-optional">{yuan(r.tax)}</td>
                                        <td class="num">{yuan(r.net)}</td>
                                        <td class="num col-optional">{yuan(r.cost)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
        {projection.map(|p| view! { <ProjectionPanel projection=p /> })}
        <StandardsPanel standards=standards.clone() />
        {insurance.map(|(from, r)| view! {
            <section class="panel" id="insurance">
                <h2>{move || i18n.t().payroll.insurance_title}" · "{from.to_string()}</h2>
                <p>{move || i18n.t().payroll.base_range}": "{yuan(r.base_floor)}" – "{yuan(r.base_ceiling)}</p>
                <p class="muted">{format!(
                    "养老 {}% + {}% · 医疗 {}% + {}% · 大额 {}% + {} 元 · 失业 {}% + {}% · 工伤 {}% · 公积金 {}% + {}%",
                    r.pension.employer, r.pension.employee, r.medical.employer, r.medical.employee,
                    r.serious_illness_employer, r.serious_illness_employee_fixed, r.unemployment.employer,
                    r.unemployment.employee, r.injury_employer, r.housing_fund.employer, r.housing_fund.employee,
                )}</p>
            </section>
        })}
        {match (may_run, standards) {
            (true, Some((_, s))) => Some(view! { <Adjustment current=s today propose /> }),
            _ => None,
        }}
    }
}

/// The year projected for the current roster, against seed 002's budget.
#[component]
fn ProjectionPanel(projection: Projection) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    let Projection { year, rows } = projection;
    let sum = |f: fn(&ProjectionRow) -> Decimal| rows.iter().map(f).sum::<Decimal>();
    let (pay, employer) = (sum(|r| r.pay), sum(|r| r.employer));
    let (posts, people): (u32, u32) =
        (rows.iter().map(|r| r.posts).sum(), rows.iter().map(|r| r.people).sum());
    // The total's reference from the total posts, not a sum of rounded
    // town figures (198 posts are exactly 10 million).
    let reference = crate::domain::payroll::seed_reference(posts);
    view! {
        <section class="panel" id="projection">
            <h2>{move || t().projection_title.replace("{year}", &year.to_string())}</h2>
            <p class="muted">{move || t().projection_help}</p>
            <div class="table-wrap">
                <table class="data-table" id="projection-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_town}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_posts}</th>
                            <th scope="col" class="num">{move || t().col_people}</th>
                            <th scope="col" class="num">{move || t().col_gross}</th>
                            <th scope="col" class="num">{move || t().col_employer}</th>
                            <th scope="col" class="num">{move || t().col_cost}</th>
                            <th scope="col" class="num">{move || t().col_reference}</th>
                            <th scope="col" class="num">{move || t().col_difference}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.iter().map(|r| {
                            let (town, town_en) = (r.town.clone(), r.town_en.clone());
                            let cost = r.pay + r.employer;
                            view! {
                                <tr>
                                    <th scope="row">{move || i18n.locale().pick(&town, &town_en).to_owned()}</th>
                                    <td class="num">{r.posts}</td>
                                    <td class="num">{r.people}</td>
                                    <td class="num">{yuan(r.pay)}</td>
                                    <td class="num">{yuan(r.employer)}</td>
                                    <td class="num strong">{yuan(cost)}</td>
                                    <td class="num">{yuan(r.reference)}</td>
                                    <td class="num">{yuan(cost - r.reference)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{move || t().total_row}</th>
                            <td class="num">{posts}</td>
                            <td class="num">{people}</td>
                            <td class="num">{yuan(pay)}</td>
                            <td class="num">{yuan(employer)}</td>
                            <td class="num strong" id="projection-cost">{yuan(pay + employer)}</td>
                            <td class="num" id="projection-reference">{yuan(reference)}</td>
                            <td class="num">{yuan(pay + employer - reference)}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

fn standards_rows(s: &PayStandards) -> Vec<(usize, Decimal)> {
    vec![
        (0, s.base),
        (1, s.role[2]),
        (2, s.tenure_per_year),
        (3, s.qualification[1]),
        (4, s.performance_base),
    ]
}

#[component]
fn StandardsPanel(standards: Option<(NaiveDate, PayStandards)>) -> impl IntoView {
    let i18n = use_i18n();
    match standards {
        None => view! {
            <section class="panel"><p class="muted">{move || i18n.t().payroll.standards_none}</p></section>
        }
        .into_any(),
        Some((from, s)) => view! {
            <section class="panel" id="standards">
                <h2>{move || i18n.t().payroll.standards_title}" "{s.year}" · "{from.to_string()}</h2>
                <table class="data-table">
                    <tbody>
                        <tr><th scope="row">{move || i18n.t().payroll.components[0]}</th><td class="num">{yuan(s.base)}</td></tr>
                        <tr><th scope="row">{move || i18n.t().payroll.components[1]}</th><td class="num">{
                            crate::domain::roster::RoleLevel::ALL.iter().zip(s.role).map(|(r, a)| format!("{} {}", i18n.t().posts.role(*r), yuan(a))).collect::<Vec<_>>().join(" · ")
                        }</td></tr>
                        <tr><th scope="row">{move || i18n.t().payroll.components[2]}</th><td class="num">{format!("{} × ≤{}", yuan(s.tenure_per_year), s.tenure_cap_years)}</td></tr>
                        <tr><th scope="row">{move || i18n.t().payroll.components[3]}</th><td class="num">{
                            crate::domain::roster::Certificate::ALL.iter().zip(s.qualification).map(|(c, a)| format!("{} {}", i18n.t().posts.certificate(*c), yuan(a))).collect::<Vec<_>>().join(" · ")
                        }</td></tr>
                        <tr><th scope="row">{move || i18n.t().payroll.components[4]}</th><td class="num">{
                            let base = yuan(s.performance_base);
                            let grades = s.grades.iter().map(|g| format!("{} ≥{} ×{}", g.name, g.min_score, g.coefficient)).collect::<Vec<_>>().join(" · ");
                            format!("{base} ({grades})")
                        }</td></tr>
                    </tbody>
                </table>
            </section>
        }
        .into_any(),
    }
}

/// The annual adjustment: next year's standards, previewed in the page
/// with the same rule the server applies, then submitted for approval.
#[component]
fn Adjustment(
    current: PayStandards,
    today: NaiveDate,
    propose: ServerAction<ProposePayStandards>,
) -> impl IntoView {
    let i18n = use_i18n();
    let growth = RwSignal::new("5.0".to_owned());
    let chosen =
        RwSignal::new(vec![Component::Base, Component::Role, Component::Tenure, Component::Performance]);
    let next_year = current.year.max(today.year()) + 1;
    let effective =
        RwSignal::new(NaiveDate::from_ymd_opt(next_year, 1, 1).map(|d| d.to_string()).unwrap_or_default());
    let note = RwSignal::new(String::new());
    let current = StoredValue::new(current);
    let proposal = move || -> Option<PayStandards> {
        let g: Decimal = growth.get().trim().parse().ok()?;
        if g < Decimal::from(-20) || g > Decimal::from(50) {
            return None;
        }
        Some(current.with_value(|c| c.adjusted(g, &chosen.get())))
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(mut standards), Ok(effective_from)) =
            (proposal(), effective.get_untracked().parse::<NaiveDate>())
        else {
            return;
        };
        standards.year = effective_from.year();
        propose.dispatch(ProposePayStandards {
            input: StandardsInput { standards, effective_from, note: note.get_untracked() },
        });
    };
    view! {
        <section class="panel" id="adjustment">
            <h2>{move || i18n.t().payroll.adjust_title}</h2>
            <p class="muted">{move || i18n.t().payroll.adjust_help}</p>
            <form class="form-grid" id="adjust-form" on:submit=send>
                <label>
                    <span>{move || i18n.t().payroll.growth}</span>
                    <input type="number" step="0.1" name="growth" required prop:value=move || growth.get()
                        on:input=move |ev| growth.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || i18n.t().payroll.effective_from}</span>
                    <input type="date" name="effective_from" required prop:value=move || effective.get()
                        on:input=move |ev| effective.set(event_target_value(&ev)) />
                </label>
                <fieldset class="wide choice">
                    {Component::ALL.into_iter().enumerate().map(|(i, c)| view! {
                        <label>
                            <input type="checkbox" prop:checked=move || chosen.get().contains(&c)
                                on:change=move |ev| chosen.update(|v| {
                                    v.retain(|x| *x != c);
                                    if event_target_checked(&ev) { v.push(c); }
                                }) />
                            <span>{move || i18n.t().payroll.components[i]}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <label class="wide">
                    <span>{move || i18n.t().payroll.note}</span>
                    <input type="text" maxlength="200" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                </label>
                <div class="wide table-wrap">
                    <table class="data-table" id="adjust-preview">
                        <tbody>
                            {move || {
                                let now = current.with_value(standards_rows);
                                let next = proposal().map(|p| standards_rows(&p)).unwrap_or_default();
                                now.into_iter().map(|(i, a)| {
                                    let b = next.iter().find(|(j, _)| *j == i).map(|(_, b)| yuan(*b)).unwrap_or_default();
                                    view! {
                                        <tr>
                                            <th scope="row">{i18n.t().payroll.components[i]}</th>
                                            <td class="num">{yuan(a)}</td>
                                            <td class="num strong">{b}</td>
                                        </tr>
                                    }
                                }).collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
                <div class="page-actions wide">
                    <button type="submit" class="button button-primary" id="propose-standards">{move || i18n.t().payroll.propose}</button>
                </div>
                {move || propose.value().get().map(|r| match r {
                    Ok(_) => view! { <p class="form-ok wide" role="status">{i18n.t().payroll.proposed}</p> }.into_any(),
                    Err(e) => view! { <div class="wide"><PayrollError error=e /></div> }.into_any(),
                })}
            </form>
        </section>
    }
}

/// One payroll with its lines.
#[component]
pub fn RunPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let submit = ServerAction::<SubmitPayrollRun>::new();
    let discard = ServerAction::<DiscardPayrollRun>::new();
    let paid = ServerAction::<MarkPayrollPaid>::new();
    let tick = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id(), tick.get(), submit.version().get(), discard.version().get(), paid.version().get()),
        |(id, ..)| payroll_run(id),
    );
    // While computing, look again every second.
    Effect::new(move || {
        if let Some(Ok(v)) = data.get()
            && v.run.status == RunStatus::Computing
        {
            set_timeout(move || tick.update(|n| *n += 1), std::time::Duration::from_secs(1));
        }
    });
    view! {
        <Title text=move || i18n.t().payroll.run_title />
        <PayrollTabs current=paths::PAYROLL />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Run view=v submit discard paid /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Run(
    view: RunView,
    submit: ServerAction<SubmitPayrollRun>,
    discard: ServerAction<DiscardPayrollRun>,
    paid: ServerAction<MarkPayrollPaid>,
) -> impl IntoView {
    let i18n = use_i18n();
    let RunView { run, lines, may_act } = view;
    let (id, version, status) = (run.id, run.version, run.status);
    let progress = (run.lines_done, run.people);
    let problem = run.problem.clone();
    let errors = move || {
        submit
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| discard.value().get().and_then(Result::err))
            .or_else(|| paid.value().get().and_then(Result::err))
    };
    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow"><a href=paths::PAYROLL>{move || i18n.t().payroll.runs_title}</a></p>
                <h1 id="run-title">{run.month.clone()}" "{move || i18n.t().payroll.run_title}</h1>
                <p class="muted" id="run-status" data-status=status.code()>{move || i18n.t().payroll.status(status)}</p>
            </div>
            {(!matches!(status, RunStatus::Computing | RunStatus::Discarded)).then(|| {
                let file = |path: &str| path.replace("{id}", &id.to_string());
                view! {
                    <div class="page-actions">
                        <a class="button" download id="sheet-pdf" href=file(paths::PAYROLL_SHEET_PDF)>{move || i18n.t().payroll.download_sheet}</a>
                        <a class="button" download id="sheet-xlsx" href=file(paths::PAYROLL_SHEET_XLSX)>{move || i18n.t().payroll.download_xlsx}</a>
                        <a class="button" download id="slips-pdf" href=file(paths::PAYROLL_SLIPS_PDF)>{move || i18n.t().payroll.download_slips}</a>
                    </div>
                }
            })}
            {may_act.then(|| view! {
                <div class="page-actions">
                    {(status == RunStatus::Draft).then(|| view! {
                        <button type="button" class="button button-primary" id="submit-run"
                            on:click=move |_| { submit.dispatch(SubmitPayrollRun { run_id: id, version }); }>
                            {move || i18n.t().payroll.submit}
                        </button>
                    })}
                    {matches!(status, RunStatus::Draft | RunStatus::Submitted).then(|| view! {
                        <button type="button" class="button" id="discard-run"
                            on:click=move |_| { discard.dispatch(DiscardPayrollRun { run_id: id, version }); }>
                            {move || i18n.t().payroll.discard}
                        </button>
                    })}
                    {(status == RunStatus::Approved).then(|| view! {
                        <button type="button" class="button button-primary" id="mark-paid"
                            on:click=move |_| { paid.dispatch(MarkPayrollPaid { run_id: id }); }>
                            {move || i18n.t().payroll.mark_paid}
                        </button>
                    })}
                </div>
            })}
        </header>
        {move || errors().map(|e| view! { <PayrollError error=e /> })}
        {(status == RunStatus::Computing).then(|| view! {
            <section class="panel" id="run-progress">
                <p role="status">{move || i18n.t().payroll.progress.replace("{done}", &progress.0.to_string()).replace("{total}", &progress.1.to_string())}</p>
                <progress max=progress.1.max(1) value=progress.0></progress>
            </section>
        })}
        {problem.map(|p| view! { <PayrollError error=AppError::Payroll(p) /> })}
        {matches!(status, RunStatus::Submitted | RunStatus::Approved | RunStatus::Paid).then(|| view! {
            <p class="muted">{move || i18n.t().payroll.frozen_note}</p>
        })}
        <section class="figures" id="run-totals">
            <div class="figure"><span class="figure-label">{move || i18n.t().payroll.col_people}</span><strong class="figure-value">{run.people}</strong></div>
            <div class="figure"><span class="figure-label">{move || i18n.t().payroll.col_gross}</span><strong class="figure-value" id="total-gross">{yuan(run.gross)}</strong></div>
            <div class="figure"><span class="figure-label">{move || i18n.t().payroll.col_net}</span><strong class="figure-value" id="total-net">{yuan(run.net)}</strong></div>
            <div class="figure"><span class="figure-label">{move || i18n.t().payroll.col_cost}</span><strong class="figure-value" id="total-cost">{yuan(run.cost)}</strong></div>
        </section>
        <Lines lines />
    }
}

#[component]
fn Lines(lines: Vec<RunLine>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    let sum = |f: fn(&RunLine) -> Decimal| lines.iter().map(f).sum::<Decimal>();
    let totals = [
        sum(|l| l.base),
        sum(|l| l.role),
        sum(|l| l.tenure),
        sum(|l| l.qualification),
        sum(|l| l.performance),
        sum(|l| l.additions - l.deductions),
        sum(|l| l.gross),
        sum(|l| l.employee_insurance + l.employee_housing),
        sum(|l| l.tax),
        sum(|l| l.net),
        sum(|l| l.employer_insurance + l.employer_housing),
    ];
    view! {
        <section class="panel">
            <div class="table-wrap">
                <table class="data-table" id="lines-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_name}</th>
                            <th scope="col">{move || t().col_town}</th>
                            <th scope="col" class="col-optional">{move || t().col_post}</th>
                            <th scope="col" class="num col-optional">{move || t().col_days}</th>
                            <th scope="col" class="num col-optional">{move || t().col_score}</th>
                            <th scope="col" class="num">{move || t().col_base}</th>
                            <th scope="col" class="num">{move || t().col_role}</th>
                            <th scope="col" class="num">{move || t().col_tenure}</th>
                            <th scope="col" class="num">{move || t().col_qualification}</th>
                            <th scope="col" class="num">{move || t().col_performance}</th>
                            <th scope="col" class="num col-optional">{move || t().col_additions}</th>
                            <th scope="col" class="num">{move || t().col_gross}</th>
                            <th scope="col" class="num">{move || t().col_employee}</th>
                            <th scope="col" class="num">{move || t().col_tax}</th>
                            <th scope="col" class="num">{move || t().col_net}</th>
                            <th scope="col" class="num col-optional">{move || t().col_employer}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {lines.iter().map(|l| {
                            let (town, town_en) = (l.town.clone(), l.town_en.clone());
                            view! {
                                <tr data-staff=l.staff_id>
                                    <th scope="row">{l.name.clone()}</th>
                                    <td>{move || i18n.locale().pick(&town, &town_en).to_owned()}</td>
                                    <td class="col-optional">{l.post_code.clone()}</td>
                                    <td class="num col-optional">{format!("{}/{}", l.days, l.days_in_month)}</td>
                                    <td class="num col-optional">{l.score}</td>
                                    <td class="num">{yuan(l.base)}</td>
                                    <td class="num">{yuan(l.role)}</td>
                                    <td class="num">{yuan(l.tenure)}</td>
                                    <td class="num">{yuan(l.qualification)}</td>
                                    <td class="num">{yuan(l.performance)}</td>
                                    <td class="num col-optional">{yuan(l.additions - l.deductions)}</td>
                                    <td class="num strong">{yuan(l.gross)}</td>
                                    <td class="num">{yuan(l.employee_insurance + l.employee_housing)}</td>
                                    <td class="num">{yuan(l.tax)}</td>
                                    <td class="num strong">{yuan(l.net)}</td>
                                    <td class="num col-optional">{yuan(l.employer_insurance + l.employer_housing)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{move || t().total_row}</th>
                            <td></td>
                            <td class="col-optional"></td>
                            <td class="col-optional"></td>
                            <td class="col-optional"></td>
                            <td class="num">{yuan(totals[0])}</td>
                            <td class="num">{yuan(totals[1])}</td>
                            <td class="num">{yuan(totals[2])}</td>
                            <td class="num">{yuan(totals[3])}</td>
                            <td class="num">{yuan(totals[4])}</td>
                            <td class="num col-optional">{yuan(totals[5])}</td>
                            <td class="num strong" id="lines-gross">{yuan(totals[6])}</td>
                            <td class="num">{yuan(totals[7])}</td>
                            <td class="num">{yuan(totals[8])}</td>
                            <td class="num strong" id="lines-net">{yuan(totals[9])}</td>
                            <td class="num col-optional">{yuan(totals[10])}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// The monthly score sheet.
#[component]
pub fn ScoresPage() -> impl IntoView {
    let i18n = use_i18n();
    // Empty: the server's current month.
    let month = RwSignal::new(String::new());
    let data = Resource::new(move || month.get(), score_sheet);
    view! {
        <Title text=move || i18n.t().payroll.scores_title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().payroll.scores_title}</h1>
                <p class="muted">{move || i18n.t().payroll.scores_help}</p>
            </div>
        </header>
        <PayrollTabs current=paths::PAYROLL_SCORES />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(sheet) => view! { <Scores sheet choose=month /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Scores(sheet: ScoresInfo, choose: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let ScoresInfo { month, closed, reason_below, rows } = sheet;
    let missing = rows.iter().filter(|r| r.score.is_none()).count();
    view! {
        <section class="panel">
            <label>
                <span>{move || i18n.t().payroll.month}" "</span>
                <input type="month" id="scores-month" value=month.clone()
                    on:change=move |ev| choose.set(event_target_value(&ev)) />
            </label>
            {closed.then(|| view! { <p class="muted" id="scores-closed">{move || i18n.t().payroll.closed}</p> })}
            {(missing > 0).then(|| view! { <p class="form-error" id="scores-missing">{move || i18n.t().payroll.missing_count.replace("{n}", &missing.to_string())}</p> })}
            <div class="table-wrap">
                <table class="data-table" id="scores-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().payroll.col_name}</th>
                            <th scope="col">{move || i18n.t().payroll.col_town}</th>
                            <th scope="col">{move || i18n.t().payroll.col_score}</th>
                            <th scope="col">{move || i18n.t().payroll.col_reason}</th>
                            <th scope="col"></th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! { <ScoreLine row=r month=month.clone() closed reason_below /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn ScoreLine(row: ScoreRow, month: String, closed: bool, reason_below: u32) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<RecordScore>::new();
    let score = RwSignal::new(row.score.map(|s| s.to_string()).unwrap_or_default());
    let reason = RwSignal::new(row.reason.clone());
    let staff_id = row.staff_id;
    let (town, town_en) = (row.town.clone(), row.town_en.clone());
    let low = move || score.get().trim().parse::<u32>().is_ok_and(|s| s < reason_below);
    view! {
        <tr data-staff=staff_id>
            <th scope="row">{row.name.clone()}</th>
            <td>{move || i18n.locale().pick(&town, &town_en).to_owned()}</td>
            <td><input type="number" min="0" max="100" class="score-input" disabled=closed prop:value=move || score.get()
                on:input=move |ev| score.set(event_target_value(&ev)) /></td>
            <td><input type="text" maxlength="200" class="reason-input" disabled=closed class:needs-reason=low prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev)) /></td>
            <td>
                {(!closed).then(|| view! {
                    <button type="button" class="button button-small save-score" on:click=move |_| {
                        if let Ok(s) = score.get_untracked().trim().parse::<i32>() {
                            save.dispatch(RecordScore { staff_id, month: month.clone(), score: s, reason: reason.get_untracked() });
                        }
                    }>{move || i18n.t().payroll.save}</button>
                })}
                {move || save.value().get().map(|r| match r {
                    Ok(()) => view! { <span class="form-ok score-saved">{i18n.t().payroll.saved}</span> }.into_any(),
                    Err(e) => view! { <PayrollError error=e /> }.into_any(),
                })}
            </td>
        </tr>
    }
}
