//! 预算与资金: the year's sources and balances, the rule checks, one
//! source's ledger, and spending and town purchase requests. Pages only
//! present; every rule is checked on the server.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use rust_decimal::Decimal;

use crate::api::budget::{
    BudgetOverview, Checks, CorrectBudgetBase, CreateBudgetSource, EntryView, PayBudgetRequest,
    ProposeBudgetEligibility, RecordBudgetPlan, RecordFiscalYear, RequestInput, RequestView, RequestsPage,
    ReverseBudgetEntry, SourceDetail, SourceInput, SourceView, SubmitBudgetRequest, budget_requests,
    budget_source, budget_summary,
};
use crate::components::common::ErrorPanel;
use crate::domain::approval::ApprovalStatus;
use crate::domain::budget::{Balance, CostType, SourceKind};
use crate::format::yuan;
use crate::i18n::{Locale, use_i18n};
use crate::policy::paths;

fn source_href(id: i64) -> String {
    paths::BUDGET_SOURCE.replace("{id}", &id.to_string())
}

// An error in words; money refusals name the source, type and shortfall.
use crate::components::common::ActionError as BudgetError;

#[component]
fn BudgetTabs(current: &'static str) -> impl IntoView {
    const TABS: &[crate::components::common::Tab] =
        &[(paths::BUDGET, |t| t.budget.tab_overview), (paths::BUDGET_REQUESTS, |t| t.budget.tab_requests)];
    view! { <crate::components::common::Tabs current label=|t| t.budget.title tabs=TABS /> }
}

fn year_of(q: &leptos_router::params::ParamsMap) -> Option<i32> {
    q.get("year").and_then(|v| v.parse().ok())
}

fn town_name(locale: Locale, town: &Option<(String, String)>) -> String {
    town.as_ref().map(|(zh, en)| locale.pick(zh, en).to_owned()).unwrap_or_default()
}

/// The budget overview.
#[component]
pub fn BudgetPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let year = move || query.with(year_of);
    let fiscal = ServerAction::<RecordFiscalYear>::new();
    let create = ServerAction::<CreateBudgetSource>::new();
    let plan = ServerAction::<RecordBudgetPlan>::new();
    let data = Resource::new(
        move || (year(), fiscal.version().get(), create.version().get(), plan.version().get()),
        |(year, ..)| budget_summary(year),
    );
    view! {
        <Title text=move || i18n.t().budget.title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().budget.title}</h1>
                <p class="muted">{move || i18n.t().budget.help}</p>
            </div>
        </header>
        <BudgetTabs current=paths::BUDGET />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <Overview o fiscal create plan /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Overview(
    o: BudgetOverview,
    fiscal: ServerAction<RecordFiscalYear>,
    create: ServerAction<CreateBudgetSource>,
    plan: ServerAction<RecordBudgetPlan>,
) -> impl IntoView {
    let i18n = use_i18n();
    let BudgetOverview {
        years,
        year,
        open,
        assistance_funds,
        sources,
        totals,
        checks,
        plan: months,
        towns,
        may_edit,
    } = o;
    let mut all_years = years.clone();
    if !all_years.contains(&year) {
        all_years.insert(0, year);
    }
    view! {
        <nav class="tabs" aria-label=move || i18n.t().budget.year id="budget-years">
            {all_years.into_iter().map(|y| view! {
                <a class="tab" class:tab-current=y == year href=format!("{}?year={y}", paths::BUDGET)>{y}</a>
            }).collect_view()}
        </nav>
        {(!open).then(|| view! { <p class="muted panel" id="year-closed">{move || i18n.t().budget.year_closed}</p> })}
        {may_edit.then(|| view! { <YearForm year assistance_funds fiscal /> })}
        {checks.is_some().then(|| view! {
            <div class="page-actions" id="budget-report">
                <a class="button" download href=paths::BUDGET_EXECUTION_PDF.replace("{year}", &year.to_string())>{move || i18n.t().budget.download_pdf}</a>
                <a class="button" download href=paths::BUDGET_EXECUTION_XLSX.replace("{year}", &year.to_string())>{move || i18n.t().budget.download_xlsx}</a>
            </div>
        })}
        {checks.map(|c| view! { <ChecksView c /> })}
        <section class="panel">
            <h2>{move || i18n.t().budget.sources_title}</h2>
            <SourcesTable sources=sources totals />
        </section>
        {(may_edit && open).then(|| view! {
            <SourceForm year towns create />
            <PlanForm year months plan />
        })}
    }
}

#[component]
fn YearForm(year: i32, assistance_funds: Decimal, fiscal: ServerAction<RecordFiscalYear>) -> impl IntoView {
    let i18n = use_i18n();
    let y = RwSignal::new(year.to_string());
    let funds = RwSignal::new(assistance_funds.to_string());
    let error = move || fiscal.value().get().and_then(Result::err);
    view! {
        <section class="panel">
            <h2>{move || i18n.t().budget.open_year}</h2>
            <form class="form-grid" id="year-form" on:submit=move |ev| {
                ev.prevent_default();
                fiscal.dispatch(RecordFiscalYear {
                    year: y.get_untracked().trim().parse().unwrap_or(0),
                    assistance_funds: funds.get_untracked(),
                });
            }>
                <label>
                    <span>{move || i18n.t().budget.year}</span>
                    <input type="number" name="year" min="2000" max="2100" required prop:value=move || y.get()
                        on:input=move |ev| y.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || i18n.t().budget.assistance_funds}</span>
                    <input type="text" inputmode="decimal" name="assistance_funds" required prop:value=move || funds.get()
                        on:input=move |ev| funds.set(event_target_value(&ev)) />
                    <small class="muted">{move || i18n.t().budget.assistance_funds_help}</small>
                </label>
                <div class="page-actions">
                    <button type="submit" class="button" id="year-save">{move || i18n.t().budget.save}</button>
                </div>
            </form>
            {move || error().map(|e| view! { <BudgetError error=e /> })}
        </section>
    }
}

fn eligible_text(t: &crate::i18n::Messages, types: &[CostType]) -> String {
    if types.is_empty() {
        "—".to_owned()
    } else {
        types.iter().map(|c| t.budget.cost_type(*c)).collect::<Vec<_>>().join("、")
    }
}

#[component]
fn SourcesTable(sources: Vec<SourceView>, totals: Balance) -> impl IntoView {
    let i18n = use_i18n();
    if sources.is_empty() {
        return view! { <p class="muted">{move || i18n.t().budget.no_sources}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data-table" id="sources-table">
                <thead>
                    <tr>
                        <th>{move || i18n.t().budget.col_source}</th>
                        <th>{move || i18n.t().budget.col_kind}</th>
                        <th>{move || i18n.t().budget.col_town}</th>
                        <th>{move || i18n.t().budget.col_doc}</th>
                        <th class="num">{move || i18n.t().budget.col_allocated}</th>
                        <th class="num">{move || i18n.t().budget.col_committed}</th>
                        <th class="num">{move || i18n.t().budget.col_paid}</th>
                        <th class="num">{move || i18n.t().budget.col_available}</th>
                        <th>{move || i18n.t().budget.col_eligible}</th>
                    </tr>
                </thead>
                <tbody>
                    {sources.into_iter().map(|s| {
                        let SourceView { id, kind, name, town, base, doc_no, doc_date, balance, eligible, eligibility_pending, .. } = s;
                        view! {
                            <tr data-source=id.to_string()>
                                <td><a href=source_href(id)>{name}</a></td>
                                <td>
                                    {move || i18n.t().budget.kind(kind)}
                                    {base.map(|b| view! { <br /><small class="muted">{move || i18n.t().budget.base_of}" "{yuan(b)}</small> })}
                                </td>
                                <td>{move || match &town { Some(_) => town_name(i18n.locale(), &town), None => i18n.t().budget.district_wide.to_owned() }}</td>
                                <td>{doc_no}{doc_date.map(|d| format!(" {d}"))}</td>
                                <td class="num">{yuan(balance.allocated)}</td>
                                <td class="num">{yuan(balance.committed)}</td>
                                <td class="num">{yuan(balance.paid)}</td>
                                <td class="num source-available" class:negative=balance.available() < Decimal::ZERO>{yuan(balance.available())}</td>
                                <td>
                                    {move || eligible_text(i18n.t(), &eligible)}
                                    {eligibility_pending.then(|| view! { " "<span class="tag tag-pending">{move || i18n.t().budget.pending_eligibility}</span> })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr>
                        <th colspan="4">{move || i18n.t().budget.total}</th>
                        <td class="num" id="total-allocated">{yuan(totals.allocated)}</td>
                        <td class="num" id="total-committed">{yuan(totals.committed)}</td>
                        <td class="num" id="total-paid">{yuan(totals.paid)}</td>
                        <td class="num" id="total-available">{yuan(totals.available())}</td>
                        <td></td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
    .into_any()
}

/// Cost-type checkboxes bound to a list.
#[component]
fn CostTypeChoice(chosen: RwSignal<Vec<CostType>>, name: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="checks">
            {CostType::ALL.into_iter().map(|c| view! {
                <label class="check">
                    <input type="checkbox" name=name value=c.code()
                        prop:checked=move || chosen.with(|v| v.contains(&c))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|v| {
                                v.retain(|x| *x != c);
                                if on { v.push(c); }
                            });
                        } />
                    <span>{move || i18n.t().budget.cost_type(c)}</span>
                </label>
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn SourceForm(
    year: i32,
    towns: Vec<(i64, String, String)>,
    create: ServerAction<CreateBudgetSource>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new(SourceKind::HigherLevel);
    let name = RwSignal::new(String::new());
    let town = RwSignal::new(None::<i64>);
    let amount = RwSignal::new(String::new());
    let doc_no = RwSignal::new(String::new());
    let doc_date = RwSignal::new(String::new());
    let eligible = RwSignal::new(Vec::<CostType>::new());
    let error = move || create.value().get().and_then(Result::err);
    view! {
        <section class="panel">
            <h2>{move || i18n.t().budget.add_source}</h2>
            <form class="form-grid" id="source-form" on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateBudgetSource { input: SourceInput {
                    year,
                    kind: kind.get_untracked(),
                    name: name.get_untracked(),
                    town_id: town.get_untracked(),
                    amount: amount.get_untracked(),
                    doc_no: doc_no.get_untracked(),
                    doc_date: doc_date.get_untracked(),
                    eligible: eligible.get_untracked(),
                }});
            }>
                <label>
                    <span>{move || i18n.t().budget.col_kind}</span>
                    <select name="kind" id="source-kind" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        kind.set(SourceKind::from_code(&v).unwrap_or(SourceKind::HigherLevel));
                    }>
                        {SourceKind::ALL.into_iter().map(|k| view! {
                            <option value=k.code() selected=move || kind.get() == k>{move || i18n.t().budget.kind(k)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || i18n.t().budget.source_name}</span>
                    <input type="text" name="name" required maxlength="100" prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || if kind.get() == SourceKind::CityOnePercent { i18n.t().budget.base } else { i18n.t().budget.amount }}</span>
                    <input type="text" inputmode="decimal" name="amount" required prop:value=move || amount.get()
                        on:input=move |ev| amount.set(event_target_value(&ev)) />
                    {move || (kind.get() == SourceKind::CityOnePercent).then(|| view! {
                        <small class="muted" id="one-percent-preview">
                            {i18n.t().budget.base_help}" = "
                            {crate::domain::money::parse_yuan(&amount.get()).ok().map(|b| yuan(crate::domain::budget::one_percent(b)))}
                        </small>
                    })}
                </label>
                <label>
                    <span>{move || i18n.t().budget.town_own}</span>
                    <select name="town_id" on:change=move |ev| town.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || i18n.t().budget.district_wide}</option>
                        {towns.into_iter().map(|(id, zh, en)| view! {
                            <option value=id.to_string()>{move || i18n.locale().pick(&zh, &en).to_owned()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || i18n.t().budget.doc_no}</span>
                    <input type="text" name="doc_no" maxlength="100" prop:value=move || doc_no.get()
                        on:input=move |ev| doc_no.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || i18n.t().budget.doc_date}</span>
                    <input type="date" name="doc_date" prop:value=move || doc_date.get()
                        on:input=move |ev| doc_date.set(event_target_value(&ev)) />
                </label>
                <div class="wide">
                    <span>{move || i18n.t().budget.col_eligible}</span>
                    <CostTypeChoice chosen=eligible name="eligible" />
                    <small class="muted">{move || i18n.t().budget.eligible_help}</small>
                </div>
                <div class="page-actions">
                    <button type="submit" class="button button-primary" id="source-create">{move || i18n.t().budget.create}</button>
                </div>
            </form>
            {move || error().map(|e| view! { <BudgetError error=e /> })}
            {move || matches!(create.value().get(), Some(Ok(_))).then(|| view! { <p class="form-ok" role="status">{i18n.t().budget.created}</p> })}
        </section>
    }
}

#[component]
fn PlanForm(year: i32, months: Vec<Decimal>, plan: ServerAction<RecordBudgetPlan>) -> impl IntoView {
    let i18n = use_i18n();
    let values: Vec<RwSignal<String>> = months.iter().map(|m| RwSignal::new(m.to_string())).collect();
    let values = StoredValue::new(values);
    let error = move || plan.value().get().and_then(Result::err);
    view! {
        <section class="panel">
            <h2>{move || i18n.t().budget.plan_title}</h2>
            <p class="muted">{move || i18n.t().budget.plan_help}</p>
            <form class="form-grid" id="plan-form" on:submit=move |ev| {
                ev.prevent_default();
                let months = values.with_value(|v| v.iter().map(|s| s.get_untracked()).collect());
                plan.dispatch(RecordBudgetPlan { year, months });
            }>
                {(0..12).map(|i| {
                    let v = values.with_value(|v| v[i]);
                    view! {
                        <label>
                            <span>{i + 1}" "{move || i18n.t().budget.month}</span>
                            <input type="text" inputmode="decimal" name=format!("month-{}", i + 1) prop:value=move || v.get()
                                on:input=move |ev| v.set(event_target_value(&ev)) />
                        </label>
                    }
                }).collect_view()}
                <div class="page-actions">
                    <button type="submit" class="button" id="plan-save">{move || i18n.t().budget.save}</button>
                </div>
            </form>
            {move || error().map(|e| view! { <BudgetError error=e /> })}
        </section>
    }
}

/// Planned against paid by month, drawn as an SVG bar chart (no external
/// service).
#[component]
fn ExecutionChart(execution: Vec<crate::domain::budget::MonthExecution>) -> impl IntoView {
    let max = execution.iter().flat_map(|m| [m.planned, m.paid]).max().unwrap_or_default().max(Decimal::ONE);
    let height = 120.0;
    let scale = move |d: Decimal| -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        (d / max).to_f64().unwrap_or(0.0) * height
    };
    view! {
        <svg class="chart" viewBox="0 0 480 150" role="img" id="execution-chart">
            {execution.into_iter().enumerate().map(|(i, m)| {
                let x = 10.0 + i as f64 * 39.0;
                let hp = scale(m.planned);
                let hq = scale(m.paid);
                view! {
                    <rect x=x y=130.0 - hp width="15" height=hp class="chart-planned" />
                    <rect x=x + 16.0 y=130.0 - hq width="15" height=hq class="chart-paid" />
                    <text x=x + 8.0 y="145" class="chart-label">{m.month}</text>
                }
            }).collect_view()}
        </svg>
    }
}

fn entry_row(e: EntryView, locale: Locale, t: &'static crate::i18n::Messages) -> impl IntoView {
    view! {
        <tr data-entry=e.id.to_string()>
            <td>{e.date.to_string()}</td>
            <td>{e.source.clone()}</td>
            <td>{e.cost_type.map(|c| t.budget.cost_type(c))}</td>
            <td>{town_name(locale, &e.town)}</td>
            <td class="num">{yuan(e.committed + e.paid)}</td>
            <td>{e.memo.clone()}</td>
            <td>{e.override_reason.clone()}</td>
        </tr>
    }
}

#[component]
fn ChecksView(c: Checks) -> impl IntoView {
    let i18n = use_i18n();
    let Checks { share, min_bp, ineligible, execution, unpaid, overrides } = c;
    let share_text = move || {
        let t = i18n.t();
        match share.share_percent {
            None => t.budget.share_no_base.to_owned(),
            Some(p) => t
                .budget
                .share_line
                .replace("{spent}", &yuan(share.social_work))
                .replace("{share}", &format!("{p}%"))
                .replace("{min}", &format!("{}%", Decimal::new(i64::from(min_bp), 2).normalize()))
                .replace("{required}", &yuan(share.required)),
        }
    };
    let entries_table = move |rows: Vec<EntryView>, id: &'static str| {
        view! {
            <div class="table-wrap">
                <table class="data-table" id=id>
                    <thead><tr>
                        <th>{move || i18n.t().budget.col_date}</th>
                        <th>{move || i18n.t().budget.col_source}</th>
                        <th>{move || i18n.t().budget.col_cost_type}</th>
                        <th>{move || i18n.t().budget.col_town}</th>
                        <th class="num">{move || i18n.t().budget.col_amount}</th>
                        <th>{move || i18n.t().budget.col_memo}</th>
                        <th>{move || i18n.t().budget.override_reason}</th>
                    </tr></thead>
                    <tbody>
                        {move || rows.clone().into_iter().map(|e| entry_row(e, i18n.locale(), i18n.t())).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    };
    let (no_ineligible, no_overrides, no_unpaid) =
        (ineligible.is_empty(), overrides.is_empty(), unpaid.is_empty());
    view! {
        <section class="panel" id="budget-checks">
            <h2>{move || i18n.t().budget.checks_title}</h2>
            <h3>{move || i18n.t().budget.share_title}" "
                <span class="tag" class:tag-pending=!share.met id="share-status" data-met=share.met.to_string()>
                    {move || if share.met { i18n.t().budget.met } else { i18n.t().budget.not_met }}
                </span>
            </h3>
            <p id="share-line">{share_text}</p>
            <h3>{move || i18n.t().budget.overrides_title}</h3>
            {if no_overrides {
                view! { <p class="muted">{move || i18n.t().budget.overrides_none}</p> }.into_any()
            } else {
                entries_table(overrides, "overrides-table").into_any()
            }}
            <h3>{move || i18n.t().budget.ineligible_title}</h3>
            {if no_ineligible {
                view! { <p class="muted">{move || i18n.t().budget.ineligible_none}</p> }.into_any()
            } else {
                entries_table(ineligible, "ineligible-table").into_any()
            }}
            <h3>{move || i18n.t().budget.execution_title}</h3>
            <ExecutionChart execution=execution.clone() />
            <div class="table-wrap">
                <table class="data-table" id="execution-table">
                    <thead><tr>
                        <th>{move || i18n.t().budget.month}</th>
                        <th class="num">{move || i18n.t().budget.planned}</th>
                        <th class="num">{move || i18n.t().budget.paid_month}</th>
                        <th class="num">{move || i18n.t().budget.rate}</th>
                    </tr></thead>
                    <tbody>
                        {execution.into_iter().map(|m| view! {
                            <tr>
                                <td>{m.month}</td>
                                <td class="num">{yuan(m.planned)}</td>
                                <td class="num">{yuan(m.paid)}</td>
                                <td class="num">{m.rate_percent().map(|r| format!("{r}%")).unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>{move || i18n.t().budget.unpaid_title}</h3>
            {if no_unpaid {
                view! { <p class="muted">{move || i18n.t().budget.unpaid_none}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table" id="unpaid-table">
                            <thead><tr>
                                <th>{move || i18n.t().budget.col_date}</th>
                                <th>{move || i18n.t().budget.col_source}</th>
                                <th>{move || i18n.t().budget.col_cost_type}</th>
                                <th>{move || i18n.t().budget.col_memo}</th>
                                <th class="num">{move || i18n.t().budget.col_outstanding}</th>
                            </tr></thead>
                            <tbody>
                                {unpaid.into_iter().map(|u| view! {
                                    <tr>
                                        <td>{u.entry.date.to_string()}</td>
                                        <td>{u.entry.source}</td>
                                        <td>{move || u.entry.cost_type.map(|c| i18n.t().budget.cost_type(c))}</td>
                                        <td>{u.entry.memo}</td>
                                        <td class="num">{yuan(u.outstanding)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// One source and its ledger.
#[component]
pub fn BudgetSourcePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let page = move || query.with(|q| q.get("page").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let correct = ServerAction::<CorrectBudgetBase>::new();
    let propose = ServerAction::<ProposeBudgetEligibility>::new();
    let reverse = ServerAction::<ReverseBudgetEntry>::new();
    let data = Resource::new(
        move || (id(), page(), correct.version().get(), propose.version().get(), reverse.version().get()),
        |(id, page, ..)| budget_source(id, page),
    );
    view! {
        <Title text=move || i18n.t().budget.title />
        <BudgetTabs current=paths::BUDGET />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Source d correct propose reverse /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Source(
    d: SourceDetail,
    correct: ServerAction<CorrectBudgetBase>,
    propose: ServerAction<ProposeBudgetEligibility>,
    reverse: ServerAction<ReverseBudgetEntry>,
) -> impl IntoView {
    let i18n = use_i18n();
    let SourceDetail { source, corrections, attachments, by_town, entries, total_entries, offset, may_edit } =
        d;
    let no_attachments = attachments.is_empty();
    let SourceView {
        id,
        year,
        kind,
        name,
        town,
        amount,
        base,
        doc_no,
        doc_date,
        balance,
        by_type,
        eligible,
        eligibility_pending,
        version,
        ..
    } = source;
    let chosen = RwSignal::new(eligible.clone());
    let new_base = RwSignal::new(base.map(|b| b.to_string()).unwrap_or_default());
    let reason = RwSignal::new(String::new());
    let reverse_reason = RwSignal::new(String::new());
    let errors = move || {
        correct
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| propose.value().get().and_then(Result::err))
            .or_else(|| reverse.value().get().and_then(Result::err))
    };
    let pages =
        (total_entries + crate::api::budget::ENTRIES_PER_PAGE - 1) / crate::api::budget::ENTRIES_PER_PAGE;
    let page = offset / crate::api::budget::ENTRIES_PER_PAGE;
    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow"><a href=format!("{}?year={year}", paths::BUDGET)>{year}" "{move || i18n.t().budget.sources_title}</a></p>
                <h1 id="source-name">{name}</h1>
                <p class="muted">
                    {move || i18n.t().budget.kind(kind)}
                    {move || town.as_ref().map(|_| format!(" · {}", town_name(i18n.locale(), &town)))}
                    {(!doc_no.is_empty()).then(|| format!(" · {doc_no}"))}
                    {doc_date.map(|d| format!(" · {d}"))}
                </p>
            </div>
        </header>
        {move || errors().map(|e| view! { <BudgetError error=e /> })}
        <section class="figures" id="source-figures">
            <div class="figure"><span class="figure-label">{move || i18n.t().budget.col_allocated}</span><strong class="figure-value" id="source-amount">{yuan(amount)}</strong></div>
            {base.map(|b| view! { <div class="figure"><span class="figure-label">{move || i18n.t().budget.base_of}</span><strong class="figure-value" id="source-base">{yuan(b)}</strong></div> })}
            <div class="figure"><span class="figure-label">{move || i18n.t().budget.col_committed}</span><strong class="figure-value">{yuan(balance.committed)}</strong></div>
            <div class="figure"><span class="figure-label">{move || i18n.t().budget.col_paid}</span><strong class="figure-value">{yuan(balance.paid)}</strong></div>
            <div class="figure"><span class="figure-label">{move || i18n.t().budget.col_available}</span><strong class="figure-value" id="source-available">{yuan(balance.available())}</strong></div>
        </section>
        <section class="panel">
            <h2>{move || i18n.t().budget.eligibility_title}</h2>
            <p id="source-eligible">{move || eligible_text(i18n.t(), &eligible)}
                {eligibility_pending.then(|| view! { " "<span class="tag tag-pending">{move || i18n.t().budget.pending_eligibility}</span> })}
            </p>
            {(may_edit && !eligibility_pending).then(|| view! {
                <form id="eligibility-form" on:submit=move |ev| {
                    ev.prevent_default();
                    propose.dispatch(ProposeBudgetEligibility { source_id: id, cost_types: chosen.get_untracked() });
                }>
                    <CostTypeChoice chosen name="cost_types" />
                    <button type="submit" class="button" id="eligibility-propose">{move || i18n.t().budget.propose}</button>
                </form>
            })}
            {move || matches!(propose.value().get(), Some(Ok(_))).then(|| view! { <p class="form-ok" role="status">{i18n.t().budget.proposed}</p> })}
        </section>
        <section class="panel" id="attachments">
            <h2>{move || i18n.t().budget.attachments_title}</h2>
            {no_attachments.then(|| view! { <p class="muted">{move || i18n.t().budget.attachments_none}</p> })}
            <ul>
                {attachments.into_iter().map(|a| view! {
                    <li><a href=paths::BUDGET_ATTACHMENT.replace("{id}", &a.id.to_string())>{a.file_name}</a>
                        " "<small class="muted">{format!("{} KB · {}", (a.size_bytes + 1023) / 1024, crate::pages::show_time(a.at))}</small></li>
                }).collect_view()}
            </ul>
            {may_edit.then(|| view! {
                <form method="post" enctype="multipart/form-data" id="attach-form"
                    action=paths::BUDGET_ATTACHMENT_UPLOAD.replace("{id}", &id.to_string())>
                    <input type="file" name="file" required accept="application/pdf,image/png,image/jpeg" />
                    <button type="submit" class="button button-small">{move || i18n.t().budget.attach}</button>
                    <small class="muted">{move || i18n.t().budget.attach_help}</small>
                </form>
            })}
        </section>
        {(kind == SourceKind::CityOnePercent).then(|| view! {
            <section class="panel">
                <h2>{move || i18n.t().budget.corrections_title}</h2>
                <ul id="corrections">
                    {corrections.into_iter().map(|c| view! {
                        <li>
                            {move || i18n.t().budget.correction_line
                                .replace("{old}", &yuan(c.old_base)).replace("{new}", &yuan(c.new_base))
                                .replace("{old_amount}", &yuan(c.old_amount)).replace("{new_amount}", &yuan(c.new_amount))}
                            " — "{c.reason.clone()}" ("{crate::pages::show_time(c.at)}")"
                        </li>
                    }).collect_view()}
                </ul>
                {may_edit.then(|| view! {
                    <form class="form-grid" id="correct-form" on:submit=move |ev| {
                        ev.prevent_default();
                        correct.dispatch(CorrectBudgetBase { source_id: id, version, base: new_base.get_untracked(), reason: reason.get_untracked() });
                    }>
                        <label>
                            <span>{move || i18n.t().budget.base}</span>
                            <input type="text" inputmode="decimal" name="base" required prop:value=move || new_base.get()
                                on:input=move |ev| new_base.set(event_target_value(&ev)) />
                        </label>
                        <label>
                            <span>{move || i18n.t().budget.reason}</span>
                            <input type="text" name="reason" required maxlength="500" prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev)) />
                        </label>
                        <div class="page-actions">
                            <button type="submit" class="button" id="correct-base">{move || i18n.t().budget.correct_base}</button>
                        </div>
                    </form>
                })}
            </section>
        })}
        <section class="panel">
            <h2>{move || i18n.t().budget.by_type_title}</h2>
            <table class="data-table" id="by-type">
                <thead><tr>
                    <th>{move || i18n.t().budget.col_cost_type}</th>
                    <th class="num">{move || i18n.t().budget.col_committed}</th>
                    <th class="num">{move || i18n.t().budget.col_paid}</th>
                </tr></thead>
                <tbody>
                    {by_type.into_iter().map(|(c, b)| view! {
                        <tr><td>{move || i18n.t().budget.cost_type(c)}</td><td class="num">{yuan(b.committed)}</td><td class="num">{yuan(b.paid)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(!by_town.is_empty()).then(|| view! {
                <h2>{move || i18n.t().budget.by_town_title}</h2>
                <table class="data-table" id="by-town">
                    <tbody>
                        {by_town.into_iter().map(|((zh, en), b)| view! {
                            <tr><td>{move || i18n.locale().pick(&zh, &en).to_owned()}</td><td class="num">{yuan(b.committed)}</td><td class="num">{yuan(b.paid)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
        <section class="panel">
            <h2>{move || i18n.t().budget.ledger_title}</h2>
            <p class="muted">{move || i18n.t().budget.reversed_note}</p>
            {may_edit.then(|| view! {
                <label>
                    <span>{move || i18n.t().budget.reason}</span>
                    <input type="text" id="reverse-reason" maxlength="500" prop:value=move || reverse_reason.get()
                        on:input=move |ev| reverse_reason.set(event_target_value(&ev)) />
                </label>
            })}
            {if entries.is_empty() {
                view! { <p class="muted">{move || i18n.t().budget.no_entries}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table" id="ledger">
                            <thead><tr>
                                <th>"#"</th>
                                <th>{move || i18n.t().budget.col_date}</th>
                                <th>{move || i18n.t().budget.col_entry}</th>
                                <th>{move || i18n.t().budget.col_cost_type}</th>
                                <th>{move || i18n.t().budget.col_town}</th>
                                <th class="num">{move || i18n.t().budget.col_allocated}</th>
                                <th class="num">{move || i18n.t().budget.col_committed}</th>
                                <th class="num">{move || i18n.t().budget.col_paid}</th>
                                <th>{move || i18n.t().budget.col_memo}</th>
                                <th></th>
                            </tr></thead>
                            <tbody>
                                {entries.into_iter().map(|e| {
                                    let eid = e.id;
                                    let reversible = may_edit && matches!(e.kind, crate::domain::budget::EntryKind::Commitment | crate::domain::budget::EntryKind::Payment);
                                    view! {
                                        <tr data-entry=eid.to_string() class:flagged=e.override_reason.is_some()>
                                            <td>{eid}</td>
                                            <td>{e.date.to_string()}</td>
                                            <td>{move || i18n.t().budget.entry_kind(e.kind)}{e.reverses_id.map(|r| format!(" #{r}"))}</td>
                                            <td>{move || e.cost_type.map(|c| i18n.t().budget.cost_type(c))}</td>
                                            <td>{let town = e.town.clone(); move || town_name(i18n.locale(), &town)}</td>
                                            <td class="num">{yuan(e.allocated)}</td>
                                            <td class="num">{yuan(e.committed)}</td>
                                            <td class="num">{yuan(e.paid)}</td>
                                            <td>{e.memo.clone()}{e.override_reason.clone().map(|r| view! { <br /><small class="tag tag-pending">{r}</small> })}<br /><small class="muted">{e.reference.clone()}</small></td>
                                            <td>{reversible.then(|| view! {
                                                <button type="button" class="button button-small action-reverse"
                                                    on:click=move |_| { reverse.dispatch(ReverseBudgetEntry { entry_id: eid, reason: reverse_reason.get_untracked() }); }>
                                                    {move || i18n.t().budget.reverse}
                                                </button>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(pages > 1).then(|| view! {
                        <nav class="pager">
                            {(page > 0).then(|| view! { <a class="button button-small" href=format!("{}?page={}", source_href(id), page - 1)>{move || i18n.t().budget.prev}</a> })}
                            <span>{move || i18n.t().budget.page.replace("{page}", &(page + 1).to_string())}" / "{pages}</span>
                            {(page + 1 < pages).then(|| view! { <a class="button button-small" href=format!("{}?page={}", source_href(id), page + 1)>{move || i18n.t().budget.next}</a> })}
                        </nav>
                    })}
                }.into_any()
            }}
        </section>
    }
}

/// Spending and town purchase requests.
#[component]
pub fn BudgetRequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let year = move || query.with(year_of);
    let submit = ServerAction::<SubmitBudgetRequest>::new();
    let pay = ServerAction::<PayBudgetRequest>::new();
    let data = Resource::new(
        move || (year(), submit.version().get(), pay.version().get()),
        |(year, ..)| budget_requests(year),
    );
    view! {
        <Title text=move || i18n.t().budget.requests_title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().budget.requests_title}</h1>
                <p class="muted">{move || i18n.t().budget.requests_help}</p>
            </div>
        </header>
        <BudgetTabs current=paths::BUDGET_REQUESTS />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => view! { <Requests r submit pay /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Requests(
    r: RequestsPage,
    submit: ServerAction<SubmitBudgetRequest>,
    pay: ServerAction<PayBudgetRequest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let RequestsPage { year, requests, choices, towns, may_spend, may_purchase } = r;
    let pay_error = move || pay.value().get().and_then(Result::err);
    let empty = requests.is_empty();
    view! {
        {(may_spend || may_purchase).then(|| view! { <RequestForm year choices towns town_purchase=may_purchase && !may_spend submit /> })}
        <section class="panel">
            <h2>{move || i18n.t().budget.requests_title}" "{year}</h2>
            {move || pay_error().map(|e| view! { <BudgetError error=e /> })}
            {empty.then(|| view! { <p class="muted">{move || i18n.t().budget.no_requests}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="requests-table">
                        <thead><tr>
                            <th>{move || i18n.t().budget.req_title}</th>
                            <th>{move || i18n.t().budget.col_source}</th>
                            <th>{move || i18n.t().budget.col_cost_type}</th>
                            <th>{move || i18n.t().budget.col_town}</th>
                            <th class="num">{move || i18n.t().budget.col_amount}</th>
                            <th>{move || i18n.t().budget.col_status}</th>
                            <th class="num">{move || i18n.t().budget.col_outstanding}</th>
                            <th></th>
                        </tr></thead>
                        <tbody>
                            {requests.into_iter().map(|q| {
                                let RequestView { id, town_purchase, source, cost_type, town, title, purpose, amount, date, override_request, status, outstanding } = q;
                                let payable = may_spend && status == ApprovalStatus::Approved && outstanding > Decimal::ZERO;
                                view! {
                                    <tr data-request=id.to_string()>
                                        <td>
                                            <span class="tag">{move || if town_purchase { i18n.t().budget.town_purchase_tag } else { i18n.t().budget.spending_tag }}</span>" "
                                            <strong>{title}</strong>
                                            <br /><small class="muted">{date.to_string()}" "{purpose}</small>
                                            {override_request.map(|o| view! { <br /><small class="tag tag-pending">{o}</small> })}
                                        </td>
                                        <td>{source}</td>
                                        <td>{move || i18n.t().budget.cost_type(cost_type)}</td>
                                        <td>{move || town_name(i18n.locale(), &town)}</td>
                                        <td class="num">{yuan(amount)}</td>
                                        <td class="request-status" data-status=status.code()>{move || crate::pages::approvals::status_label(status, i18n.t())}</td>
                                        <td class="num">{yuan(outstanding)}</td>
                                        <td>{payable.then(|| view! {
                                            <button type="button" class="button button-small action-pay"
                                                on:click=move |_| { pay.dispatch(PayBudgetRequest { request_id: id, amount: String::new() }); }>
                                                {move || i18n.t().budget.pay}
                                            </button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

#[component]
fn RequestForm(
    year: i32,
    choices: Vec<crate::api::budget::SourceChoice>,
    towns: Vec<(i64, String, String)>,
    town_purchase: bool,
    submit: ServerAction<SubmitBudgetRequest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let source = RwSignal::new(choices.first().map(|c| c.id).unwrap_or(0));
    let cost_type = RwSignal::new(if town_purchase { CostType::ContractPayment } else { CostType::Training });
    let town = RwSignal::new(None::<i64>);
    let title = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let over = RwSignal::new(String::new());
    let error = move || submit.value().get().and_then(Result::err);
    let no_source = choices.is_empty();
    view! {
        <section class="panel">
            <h2>{move || if town_purchase { i18n.t().budget.new_purchase } else { i18n.t().budget.new_spending }}" "{year}</h2>
            {town_purchase.then(|| view! { <p class="muted">{move || i18n.t().budget.purchase_help}</p> })}
            {(no_source && town_purchase).then(|| view! { <p class="muted" id="no-own-source">{move || i18n.t().budget.no_own_source}</p> })}
            {(!no_source).then(|| view! {
                <form class="form-grid" id="request-form" on:submit=move |ev| {
                    ev.prevent_default();
                    submit.dispatch(SubmitBudgetRequest { input: RequestInput {
                        source_id: source.get_untracked(),
                        cost_type: cost_type.get_untracked(),
                        town_id: town.get_untracked(),
                        title: title.get_untracked(),
                        purpose: purpose.get_untracked(),
                        amount: amount.get_untracked(),
                        date: date.get_untracked(),
                        override_request: over.get_untracked(),
                    }});
                }>
                    <label>
                        <span>{move || i18n.t().budget.col_source}</span>
                        <select name="source_id" id="request-source" on:change=move |ev| source.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {choices.into_iter().map(|c| {
                                let (name, available) = (c.name, yuan(c.available));
                                view! { <option value=c.id.to_string()>{move || format!("{name} ({} {available})", i18n.t().budget.available_short)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {(!town_purchase).then(|| view! {
                        <label>
                            <span>{move || i18n.t().budget.col_cost_type}</span>
                            <select name="cost_type" id="request-type" on:change=move |ev| {
                                cost_type.set(CostType::from_code(&event_target_value(&ev)).unwrap_or(CostType::Other));
                            }>
                                {CostType::ALL.into_iter().map(|c| view! {
                                    <option value=c.code() selected=move || cost_type.get() == c>{move || i18n.t().budget.cost_type(c)}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>{move || i18n.t().budget.col_town}</span>
                            <select name="town_id" on:change=move |ev| town.set(event_target_value(&ev).parse().ok())>
                                <option value="">{move || i18n.t().budget.district_wide}</option>
                                {towns.clone().into_iter().map(|(id, zh, en)| view! {
                                    <option value=id.to_string()>{move || i18n.locale().pick(&zh, &en).to_owned()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    })}
                    <label>
                        <span>{move || i18n.t().budget.req_title}</span>
                        <input type="text" name="title" required maxlength="200" prop:value=move || title.get()
                            on:input=move |ev| title.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{move || i18n.t().budget.amount}</span>
                        <input type="text" inputmode="decimal" name="amount" required prop:value=move || amount.get()
                            on:input=move |ev| amount.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{move || i18n.t().budget.req_date}</span>
                        <input type="date" name="date" prop:value=move || date.get()
                            on:input=move |ev| date.set(event_target_value(&ev)) />
                    </label>
                    <label class="wide">
                        <span>{move || i18n.t().budget.req_purpose}</span>
                        <textarea name="purpose" rows="2" maxlength="1000" required=town_purchase prop:value=move || purpose.get()
                            on:input=move |ev| purpose.set(event_target_value(&ev))></textarea>
                    </label>
                    <label class="wide">
                        <span>{move || i18n.t().budget.req_override}</span>
                        <textarea name="override_request" rows="2" maxlength="500" prop:value=move || over.get()
                            on:input=move |ev| over.set(event_target_value(&ev))></textarea>
                        <small class="muted">{move || i18n.t().budget.req_override_help}</small>
                    </label>
                    <div class="page-actions">
                        <button type="submit" class="button button-primary" id="request-submit">{move || i18n.t().budget.submit}</button>
                    </div>
                </form>
            })}
            {move || error().map(|e| view! { <BudgetError error=e /> })}
            {move || matches!(submit.value().get(), Some(Ok(_))).then(|| view! { <p class="form-ok" role="status" id="request-ok">{i18n.t().budget.submitted}</p> })}
        </section>
    }
}
