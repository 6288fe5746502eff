//! 工资发放: the monthly payrolls, one payroll with its lines (progress
//! while it computes), the standards in force with the annual adjustment,
//! and the monthly score sheet.

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use rust_decimal::Decimal;

use crate::api::payroll::{
    DiscardPayrollRun, LINES_PER_PAGE, MarkPayrollPaid, PayrollInfo, Projection, ProjectionRow,
    ProposeInsuranceRules, ProposePayStandards, RecordScore, RulesInput, RunLine, RunView, ScoreRow,
    ScoresInfo, StandardsInput, StartPayrollRun, StartSlipsJob, SubmitPayrollRun, TownTotal,
    payroll_overview, payroll_run, score_sheet, slips_job,
};
use crate::components::common::ErrorPanel;
use crate::domain::insurance::{InsuranceRules, Rates};
use crate::domain::pay::{Component, PayStandards};
use crate::domain::payroll::RunStatus;
use crate::error::AppError;
use crate::format::yuan;
use crate::i18n::use_i18n;
use crate::jobs::{JobStatus, JobView};
use crate::policy::paths;

fn run_href(id: i64) -> String {
    paths::PAYROLL_RUN.replace("{id}", &id.to_string())
}

/// An error in words; payroll refusals name the people concerned.
#[component]
pub(crate) fn PayrollError(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="form-error" role="alert">{move || error.describe(i18n.t())}</p>
    }
}

#[component]
pub(crate) fn PayrollTabs(current: &'static str) -> impl IntoView {
    const TABS: &[crate::components::common::Tab] = &[
        (paths::PAYROLL, |t| t.payroll.tab_runs),
        (paths::PAYROLL_SCORES, |t| t.payroll.tab_scores),
        (paths::PAYROLL_PEOPLE, |t| t.payroll.tab_people),
    ];
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
    let insurance_now = insurance.clone();
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
        {insurance.clone().map(|(from, r)| view! {
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
        {may_run.then(|| view! {
            <RulesForm current=insurance_now.map(|(_, r)| r).unwrap_or_else(InsuranceRules::chongqing_example) today />
        })}
    }
}

/// Next year's (or a corrected) insurance rules, prefilled with those in
/// force, submitted for approval.
#[component]
fn RulesForm(current: InsuranceRules, today: NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    let propose = ServerAction::<ProposeInsuranceRules>::new();
    let r = &current;
    // floor, ceiling, four schemes (employer, employee), injury, serious
    // illness (employer %, employee yuan).
    let values: Vec<RwSignal<String>> = [
        r.base_floor,
        r.base_ceiling,
        r.pension.employer,
        r.pension.employee,
        r.medical.employer,
        r.medical.employee,
        r.unemployment.employer,
        r.unemployment.employee,
        r.housing_fund.employer,
        r.housing_fund.employee,
        r.injury_employer,
        r.serious_illness_employer,
        r.serious_illness_employee_fixed,
    ]
    .iter()
    .map(|d| RwSignal::new(d.normalize().to_string()))
    .collect();
    let values = StoredValue::new(values);
    let rounding = current.base_rounding;
    let effective = RwSignal::new(
        NaiveDate::from_ymd_opt(today.year() + 1, 1, 1).map(|d| d.to_string()).unwrap_or_default(),
    );
    let note = RwSignal::new(String::new());
    let bad = RwSignal::new(false);
    let field = move |i: usize| values.with_value(|v| v[i]);
    let input = move |i: usize, label: String| {
        let v = field(i);
        view! {
            <label>
                <span>{label}</span>
                <input type="text" inputmode="decimal" name=format!("rule-{i}") required prop:value=move || v.get()
                    on:input=move |ev| v.set(event_target_value(&ev)) />
            </label>
        }
    };
    let build = move || -> Option<RulesInput> {
        let d: Vec<Decimal> = values.with_value(|v| {
            v.iter()
                .map(|s| s.get_untracked().trim().replace(',', "").parse::<Decimal>().ok())
                .collect::<Option<Vec<_>>>()
        })?;
        let pair = |i: usize| Rates { employer: d[i], employee: d[i + 1] };
        Some(RulesInput {
            rules: InsuranceRules {
                base_floor: d[0],
                base_ceiling: d[1],
                base_rounding: rounding,
                pension: pair(2),
                medical: pair(4),
                unemployment: pair(6),
                housing_fund: pair(8),
                injury_employer: d[10],
                serious_illness_employer: d[11],
                serious_illness_employee_fixed: d[12],
            },
            effective_from: effective.get_untracked().parse().ok()?,
            note: note.get_untracked(),
        })
    };
    let labels = t();
    view! {
        <section class="panel" id="rules">
            <h2>{move || t().rules_title}</h2>
            <p class="muted">{move || t().rules_help}</p>
            <form class="form-grid" id="rules-form" on:submit=move |ev| {
                ev.prevent_default();
                match build() {
                    Some(input) => {
                        bad.set(false);
                        propose.dispatch(ProposeInsuranceRules { input });
                    }
                    None => bad.set(true),
                }
            }>
                {input(0, labels.base_floor.to_owned())}
                {input(1, labels.base_ceiling.to_owned())}
                {(0..4).map(|k| view! {
                    {input(2 + 2 * k, format!("{} · {}", labels.schemes[k], labels.rate_employer))}
                    {input(3 + 2 * k, format!("{} · {}", labels.schemes[k], labels.rate_employee))}
                }).collect_view()}
                {input(10, labels.injury_employer.to_owned())}
                {input(11, labels.serious_employer.to_owned())}
                {input(12, labels.serious_employee.to_owned())}
                <label>
                    <span>{move || t().effective_from}</span>
                    <input type="date" name="effective_from" required prop:value=move || effective.get()
                        on:input=move |ev| effective.set(event_target_value(&ev)) />
                </label>
                <label class="wide">
                    <span>{move || t().note}</span>
                    <input type="text" name="note" maxlength="200" prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev)) />
                </label>
                <div class="page-actions wide">
                    <button type="submit" class="button button-primary" id="propose-rules">{move || t().propose}</button>
                </div>
            </form>
            <div id="rules-result">
                {move || bad.get().then(|| view! { <p class="form-error" role="alert">{move || t().bad_input}</p> })}
                {move || propose.value().get().map(|r| match r {
                    Ok(_) => view! { <p class="form-ok" role="status">{move || t().proposed}</p> }.into_any(),
                    Err(e) => view! { <PayrollError error=e /> }.into_any(),
                })}
            </div>
        </section>
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
    // `?town=ID&page=N` (from 0) choose the lines shown; kept in the
    // address so a reload shows the same page.
    let query = use_query_map();
    let town = move || query.with(town_of);
    let page = move || query.with(|q| q.get("page").and_then(|v| v.parse::<u32>().ok()).unwrap_or(0));
    let submit = ServerAction::<SubmitPayrollRun>::new();
    let discard = ServerAction::<DiscardPayrollRun>::new();
    let paid = ServerAction::<MarkPayrollPaid>::new();
    let tick = RwSignal::new(0u32);
    let data = Resource::new(
        move || {
            (
                id(),
                town(),
                page(),
                tick.get(),
                submit.version().get(),
                discard.version().get(),
                paid.version().get(),
            )
        },
        |(id, town, page, ..)| payroll_run(id, town, page),
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
    let RunView {
        run,
        towns,
        lines,
        total_lines,
        offset,
        may_act,
        funding,
        override_request,
        funding_choices,
    } = view;
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
                    </div>
                }
            })}
            {may_act.then(|| view! {
                <div class="page-actions">
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
        {(may_act && status == RunStatus::Draft).then(|| view! { <FundingForm id version choices=funding_choices submit /> })}
        {funding.map(|(pay, ins)| view! {
            <p class="muted" id="run-funding">
                {move || i18n.t().budget.pay_source}": "{pay.clone()}" · "
                {move || i18n.t().budget.insurance_source}": "{ins.clone()}
            </p>
        })}
        {override_request.map(|o| view! { <p class="form-warning" id="run-override-request">{move || i18n.t().budget.req_override}": "{o.clone()}</p> })}
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
        {matches!(status, RunStatus::Draft | RunStatus::Submitted | RunStatus::Approved | RunStatus::Paid).then(|| view! { <SlipsJob run_id=id /> })}
        {(towns.len() > 1).then(|| view! { <TownTotals id towns /> })}
        {(status != RunStatus::Computing).then(|| view! { <Lines id lines total_lines offset /> })}
    }
}

/// Choosing the sources that pay a draft, then submitting it.
#[component]
fn FundingForm(
    id: i64,
    version: i32,
    choices: Vec<crate::api::budget::SourceChoice>,
    submit: ServerAction<SubmitPayrollRun>,
) -> impl IntoView {
    use crate::domain::budget::CostType;
    let i18n = use_i18n();
    let first = |c: CostType| choices.iter().find(|s| s.eligible.contains(&c)).map(|s| s.id).unwrap_or(0);
    let pay = RwSignal::new(first(CostType::AssistantPay));
    let ins = RwSignal::new(first(CostType::EmployerInsurance));
    let over = RwSignal::new(String::new());
    let options = move |selected: RwSignal<i64>| {
        choices
            .iter()
            .map(|s| {
                let sid = s.id;
                let label = format!("{} ({} {})", s.name, i18n.t().budget.available_short, yuan(s.available));
                view! { <option value=sid.to_string() selected=move || selected.get() == sid>{label}</option> }
            })
            .collect_view()
    };
    let pay_options = options(pay);
    let ins_options = options(ins);
    view! {
        <section class="panel" id="run-funding-form">
            <h2>{move || i18n.t().budget.funding_title}</h2>
            <p class="muted">{move || i18n.t().budget.funding_help}</p>
            <form class="form-grid" on:submit=move |ev| {
                ev.prevent_default();
                let o = over.get_untracked();
                submit.dispatch(SubmitPayrollRun {
                    run_id: id,
                    version,
                    pay_source_id: pay.get_untracked(),
                    insurance_source_id: ins.get_untracked(),
                    override_request: (!o.trim().is_empty()).then_some(o),
                });
            }>
                <label>
                    <span>{move || i18n.t().budget.pay_source}</span>
                    <select name="pay_source_id" id="pay-source" on:change=move |ev| pay.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {pay_options}
                    </select>
                </label>
                <label>
                    <span>{move || i18n.t().budget.insurance_source}</span>
                    <select name="insurance_source_id" id="insurance-source" on:change=move |ev| ins.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {ins_options}
                    </select>
                </label>
                <label class="wide">
                    <span>{move || i18n.t().budget.req_override}</span>
                    <textarea name="override_request" rows="2" maxlength="500"
                        prop:value=move || over.get() on:input=move |ev| over.set(event_target_value(&ev))></textarea>
                    <small class="muted">{move || i18n.t().budget.req_override_help}</small>
                </label>
                <div class="page-actions">
                    <button type="submit" class="button button-primary" id="submit-run" disabled=move || submit.pending().get()>
                        {move || i18n.t().payroll.submit}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Every pay slip of the run, made in the background with progress; the
/// same job is found again after a reload.
#[component]
fn SlipsJob(run_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    let start = ServerAction::<StartSlipsJob>::new();
    let job = RwSignal::new(None::<JobView>);
    let failed = RwSignal::new(false);
    Effect::new(move || {
        if let Some(r) = start.value().get() {
            match r {
                Ok(v) => job.set(Some(v)),
                Err(_) => failed.set(true),
            }
        }
    });
    // While running, look again twice a second.
    Effect::new(move || {
        if let Some(v) = job.get()
            && v.status == JobStatus::Running
        {
            let id = v.id.clone();
            set_timeout(
                move || {
                    leptos::task::spawn_local(async move {
                        match slips_job(id).await {
                            Ok(v) => job.set(Some(v)),
                            Err(_) => failed.set(true),
                        }
                    });
                },
                std::time::Duration::from_millis(500),
            );
        }
    });
    view! {
        <section class="panel" id="slips-job">
            <div class="page-actions">
                <button type="button" class="button" id="slips-start" disabled=move || start.pending().get()
                    on:click=move |_| {
                        failed.set(false);
                        start.dispatch(StartSlipsJob { run_id, english: i18n.locale() == crate::i18n::Locale::En });
                    }>
                    {move || t().download_slips}
                </button>
            </div>
            {move || job.get().map(|v| match v.status {
                JobStatus::Running => view! {
                    <p role="status" id="slips-progress">{t().slips_progress.replace("{done}", &v.done.to_string()).replace("{total}", &v.total.to_string())}</p>
                    <progress max=v.total.max(1) value=v.done></progress>
                }.into_any(),
                JobStatus::Done => view! {
                    <p role="status">{t().slips_ready}" "
                        <a class="button button-primary" id="slips-download" download href=crate::jobs::download_path(&v.id)>{format!("{} {}", t().download_file, v.file_name)}</a>
                    </p>
                }.into_any(),
                JobStatus::Failed => view! { <p class="form-error" role="alert">{t().slips_failed}</p> }.into_any(),
            })}
            {move || failed.get().then(|| view! { <p class="form-error" role="alert">{t().slips_failed}</p> })}
        </section>
    }
}

/// The town a run page's `?town=ID` shows, if any.
fn town_of(q: &leptos_router::params::ParamsMap) -> Option<i64> {
    q.get("town").and_then(|v| v.parse().ok())
}

/// `?town=…&page=…` of run `id`.
fn lines_href(id: i64, town: Option<i64>, page: u32) -> String {
    let mut href = format!("{}?page={page}", run_href(id));
    if let Some(t) = town {
        href.push_str(&format!("&town={t}"));
    }
    href
}

/// The run's sums by town; each town opens its lines.
#[component]
fn TownTotals(id: i64, towns: Vec<TownTotal>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    view! {
        <section class="panel" id="town-totals">
            <h2>{move || t().by_town_title}</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_town}</th>
                            <th scope="col" class="num">{move || t().col_people}</th>
                            <th scope="col" class="num">{move || t().col_gross}</th>
                            <th scope="col" class="num col-optional">{move || t().col_employee}</th>
                            <th scope="col" class="num col-optional">{move || t().col_tax}</th>
                            <th scope="col" class="num">{move || t().col_net}</th>
                            <th scope="col" class="num col-optional">{move || t().col_employer}</th>
                            <th scope="col" class="num">{move || t().col_cost}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {towns.into_iter().map(|x| {
                            let (name, name_en) = (x.town.clone(), x.town_en.clone());
                            view! {
                                <tr data-town=x.town_id>
                                    <th scope="row"><a href=lines_href(id, Some(x.town_id), 0)>{move || i18n.locale().pick(&name, &name_en).to_owned()}</a></th>
                                    <td class="num">{x.people}</td>
                                    <td class="num">{yuan(x.gross)}</td>
                                    <td class="num col-optional">{yuan(x.employee)}</td>
                                    <td class="num col-optional">{yuan(x.tax)}</td>
                                    <td class="num">{yuan(x.net)}</td>
                                    <td class="num col-optional">{yuan(x.employer)}</td>
                                    <td class="num">{yuan(x.cost)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// A page of lines with its sums and the pager.
#[component]
fn Lines(id: i64, lines: Vec<RunLine>, total_lines: u32, offset: u32) -> impl IntoView {
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
    let query = use_query_map();
    let town = query.with_untracked(town_of);
    let page = offset / LINES_PER_PAGE;
    let pages = total_lines.div_ceil(LINES_PER_PAGE).max(1);
    let pager = move || {
        t().lines_pager
            .replace("{page}", &(page + 1).to_string())
            .replace("{pages}", &pages.to_string())
            .replace("{total}", &total_lines.to_string())
    };
    view! {
        <section class="panel">
            <nav class="pager" id="lines-pager">
                {town.map(|_| view! { <a class="button" id="all-towns" href=lines_href(id, None, 0)>{move || t().all_towns}</a> })}
                {(page > 0).then(|| view! { <a class="button" id="prev-page" rel="prev" href=lines_href(id, town, page - 1)>{move || t().prev_page}</a> })}
                <span class="muted" id="pager-text">{pager}</span>
                {(page + 1 < pages).then(|| view! { <a class="button" id="next-page" rel="next" href=lines_href(id, town, page + 1)>{move || t().next_page}</a> })}
            </nav>
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
                            <th scope="row">{move || if pages > 1 { t().page_subtotal } else { t().total_row }}</th>
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
