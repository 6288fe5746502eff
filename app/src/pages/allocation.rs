//! 岗位分配: staffing norms, allocation previews, plans submitted for
//! approval and the numbered history of adopted plans.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::allocation::{
    AllocationInfo, NormsInput, PlanParams, PlanSummary, PlanView, PreviewAllocation, RecordNorms,
    SubmitAllocation, allocation_page, allocation_plan,
};
use crate::components::common::ErrorPanel;
use crate::domain::allocation::{Method, NormStep, StaffingNorms};
use crate::domain::approval::ApprovalStatus;
use crate::format::group_thousands;
use crate::i18n::use_i18n;
use crate::pages::approvals::status_label;
use crate::pages::posts::PostsTabs;
use crate::pages::show_time;
use crate::policy::paths;

/// Parses norms typed one step per line: "population minimum".
pub fn parse_norms(text: &str) -> Option<StaffingNorms> {
    let steps: Option<Vec<NormStep>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts =
                l.split(|c: char| c.is_whitespace() || c == ',' || c == '，').filter(|p| !p.is_empty());
            let from_population = parts.next()?.parse().ok()?;
            let min_posts = parts.next()?.parse().ok()?;
            parts.next().is_none().then_some(NormStep { from_population, min_posts })
        })
        .collect();
    steps.map(|steps| StaffingNorms { steps })
}

/// The allocation page.
#[component]
pub fn AllocationPageView() -> impl IntoView {
    let i18n = use_i18n();
    let submit = ServerAction::<SubmitAllocation>::new();
    let norms = ServerAction::<RecordNorms>::new();
    let data = Resource::new(move || (submit.version().get(), norms.version().get()), |_| allocation_page());
    view! {
        <Title text=move || i18n.t().posts.allocation_title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().posts.allocation_title}</h1>
                <p class="muted">{move || i18n.t().posts.allocation_help}</p>
            </div>
        </header>
        <PostsTabs current=paths::ALLOCATION />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Allocation page submit norms /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Allocation(
    page: AllocationInfo,
    submit: ServerAction<SubmitAllocation>,
    norms: ServerAction<RecordNorms>,
) -> impl IntoView {
    let i18n = use_i18n();
    let AllocationInfo { today, norms: in_force, norms_from, current_total, plans, may_submit } = page;
    let preview = ServerAction::<PreviewAllocation>::new();
    let method = RwSignal::new(Method::LargestRemainder);
    let total = RwSignal::new(current_total.to_string());
    let weight = RwSignal::new("50".to_owned());
    let figures_on = RwSignal::new(today.to_string());
    let effective = RwSignal::new(today.to_string());
    let note = RwSignal::new(String::new());
    let params = move || -> Option<PlanParams> {
        Some(PlanParams {
            method: method.get_untracked(),
            total: total.get_untracked().trim().parse().ok()?,
            population_weight: weight.get_untracked().trim().parse().ok().filter(|w| *w <= 100)?,
            figures_on: figures_on.get_untracked().parse::<NaiveDate>().ok()?,
            effective_from: effective.get_untracked().parse::<NaiveDate>().ok()?,
        })
    };
    let bad_input = RwSignal::new(false);
    let run_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match params() {
            Some(p) => {
                bad_input.set(false);
                preview.dispatch(PreviewAllocation { params: p });
            }
            None => bad_input.set(true),
        }
    };
    let run_submit = move |_| {
        if let Some(p) = params() {
            submit.dispatch(SubmitAllocation { params: p, note: note.get_untracked() });
        }
    };
    view! {
        <NormsPanel in_force norms_from may_submit norms today />
        <section class="panel">
            <h2>{move || i18n.t().posts.preview_title}</h2>
            <form class="form-grid" id="allocation-form" on:submit=run_preview>
                <label>
                    <span>{move || i18n.t().posts.method}</span>
                    <select name="method" on:change=move |ev| {
                        method.set(Method::from_code(&event_target_value(&ev)).unwrap_or(Method::LargestRemainder));
                    }>
                        {Method::ALL.into_iter().map(|m| view! {
                            <option value=m.code() selected=move || method.get() == m>{move || i18n.t().posts.method(m)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || i18n.t().posts.total}</span>
                    <input type="number" name="total" min="0" required prop:value=move || total.get()
                        on:input=move |ev| total.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || i18n.t().posts.population_weight}</span>
                    <input type="number" name="population_weight" min="0" max="100" required prop:value=move || weight.get()
                        on:input=move |ev| weight.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || i18n.t().posts.recipients_weight}</span>
                    <output id="recipients-weight">{move || weight.get().trim().parse::<u32>().ok().filter(|w| *w <= 100).map(|w| (100 - w).to_string()).unwrap_or_default()}</output>
                </label>
                <label>
                    <span>{move || i18n.t().posts.figures_on}</span>
                    <input type="date" name="figures_on" required prop:value=move || figures_on.get()
                        on:input=move |ev| figures_on.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || i18n.t().posts.plan_effective}</span>
                    <input type="date" name="effective_from" required prop:value=move || effective.get()
                        on:input=move |ev| effective.set(event_target_value(&ev)) />
                </label>
                <div class="page-actions wide">
                    <button type="submit" class="button button-primary" id="preview-button">{move || i18n.t().posts.preview}</button>
                    {move || bad_input.get().then(|| view! { <p class="form-error" role="alert">{i18n.t().posts.error_figure_too_large}</p> })}
                </div>
            </form>
        </section>
        {move || preview.value().get().map(|r| match r {
            Ok(view) => view! {
                <PlanTable view />
                {may_submit.then(|| view! {
                    <section class="panel">
                        <p class="muted">{move || i18n.t().posts.submit_plan_help}</p>
                        <form class="form-grid" on:submit=|ev| ev.prevent_default()>
                            <label class="wide">
                                <span>{move || i18n.t().posts.note}</span>
                                <input type="text" name="note" maxlength="500" required prop:value=move || note.get()
                                    on:input=move |ev| note.set(event_target_value(&ev)) />
                            </label>
                            <div class="page-actions wide">
                                <button type="button" class="button button-primary" id="submit-plan" on:click=run_submit>
                                    {move || i18n.t().posts.submit_plan}
                                </button>
                                {move || submit.value().get().map(|r| match r {
                                    Ok(_) => view! { <p class="form-ok" role="status" id="plan-submitted">{i18n.t().posts.submitted}</p> }.into_any(),
                                    Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> }.into_any(),
                                })}
                            </div>
                        </form>
                    </section>
                })}
            }.into_any(),
            Err(e) => view! { <p class="form-error panel" role="alert" id="preview-error">{e.message(i18n.t())}</p> }.into_any(),
        })}
        <PlansList plans />
    }
}

#[component]
fn NormsPanel(
    in_force: StaffingNorms,
    norms_from: Option<NaiveDate>,
    may_submit: bool,
    norms: ServerAction<RecordNorms>,
    today: NaiveDate,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(
        in_force
            .steps
            .iter()
            .map(|s| format!("{} {}", s.from_population, s.min_posts))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let date = RwSignal::new(today.to_string());
    let note = RwSignal::new(String::new());
    let parse_error = RwSignal::new(false);
    let steps = in_force.steps.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match (parse_norms(&text.get_untracked()), date.get_untracked().parse::<NaiveDate>()) {
            (Some(n), Ok(d)) => {
                parse_error.set(false);
                norms.dispatch(RecordNorms {
                    input: NormsInput { effective_from: d, norms: n, note: note.get_untracked() },
                });
            }
            _ => parse_error.set(true),
        }
    };
    view! {
        <section class="panel" id="norms">
            <h2>{move || i18n.t().posts.norms_title}</h2>
            <p class="muted">{move || match norms_from {
                Some(d) => (i18n.t().posts.norms_from)(&d.to_string()),
                None => i18n.t().posts.norms_default.to_owned(),
            }}</p>
            <ul>
                {steps.into_iter().map(|s| view! {
                    <li>{move || (i18n.t().posts.norms_step)(s.from_population, s.min_posts)}</li>
                }).collect_view()}
            </ul>
            {may_submit.then(|| view! {
                <details>
                    <summary>{move || i18n.t().posts.record_norms}</summary>
                    <form class="form-grid" on:submit=save>
                        <label class="wide">
                            <span>{move || i18n.t().posts.norms_steps_help}</span>
                            <textarea name="steps" rows="4" prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        </label>
                        <label>
                            <span>{move || i18n.t().posts.effective_from}</span>
                            <input type="date" name="effective_from" required prop:value=move || date.get()
                                on:input=move |ev| date.set(event_target_value(&ev)) />
                        </label>
                        <label>
                            <span>{move || i18n.t().posts.note}</span>
                            <input type="text" name="note" required maxlength="500" prop:value=move || note.get()
                                on:input=move |ev| note.set(event_target_value(&ev)) />
                        </label>
                        <div class="page-actions wide">
                            <button type="submit" class="button">{move || i18n.t().posts.save}</button>
                            {move || parse_error.get().then(|| view! { <p class="form-error" role="alert">{i18n.t().posts.error_norms}</p> })}
                            {move || norms.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> })}
                        </div>
                    </form>
                </details>
            })}
        </section>
    }
}

/// A preview or stored plan as a table.
#[component]
pub fn PlanTable(view: PlanView) -> impl IntoView {
    let i18n = use_i18n();
    let PlanView { params, minimums, lines, .. } = view;
    let any_adjusted = lines.iter().any(|l| l.adjusted_quota.is_some());
    let total: u32 = lines.iter().map(|l| l.posts).sum();
    let current: u32 = lines.iter().map(|l| l.current_posts).sum();
    view! {
        <section class="panel">
            <p class="muted" id="plan-minimums">{move || (i18n.t().posts.minimums_total)(minimums, params.total)}</p>
            <p class="muted">{move || i18n.t().posts.method(params.method)}</p>
            <div class="table-wrap">
                <table class="data-table" id="plan-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().posts.col_town}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_population}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_recipients}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_minimum}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_quota}</th>
                            {any_adjusted.then(|| view! { <th scope="col" class="num col-optional">{move || i18n.t().posts.col_adjusted}</th> })}
                            <th scope="col" class="num">{move || i18n.t().posts.col_result}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_current}</th>
                            <th scope="col">{move || i18n.t().posts.col_reason}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {lines.into_iter().map(|l| {
                            let (name, name_en) = (l.name.clone(), l.name_en.clone());
                            let delta = i64::from(l.posts) - i64::from(l.current_posts);
                            let reason = l.reason;
                            view! {
                                <tr data-town=l.code.clone()>
                                    <th scope="row">{move || i18n.locale().pick(&name, &name_en).to_owned()}</th>
                                    <td class="num col-optional">{group_thousands(l.population)}</td>
                                    <td class="num col-optional">{group_thousands(l.recipients)}</td>
                                    <td class="num">{l.minimum}</td>
                                    <td class="num">{l.quota.to_string()}</td>
                                    {any_adjusted.then(|| view! { <td class="num col-optional">{l.adjusted_quota.map(|q| q.to_string())}</td> })}
                                    <td class="num strong plan-posts">{l.posts}</td>
                                    <td class="num col-optional">
                                        {l.current_posts}
                                        {(delta != 0).then(|| view! { <span class="delta">{format!(" ({delta:+})")}</span> })}
                                    </td>
                                    <td class="reason">{move || i18n.t().posts.reason(reason)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{move || i18n.t().total_row}</th>
                            <td class="col-optional"></td>
                            <td class="col-optional"></td>
                            <td class="num">{minimums}</td>
                            <td></td>
                            {any_adjusted.then(|| view! { <td class="col-optional"></td> })}
                            <td class="num strong" id="plan-total">{total}</td>
                            <td class="num col-optional">{current}</td>
                            <td></td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

#[component]
fn PlansList(plans: Vec<PlanSummary>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel">
            <h2>{move || i18n.t().posts.plans_title}</h2>
            {if plans.is_empty() {
                view! { <p class="muted">{move || i18n.t().posts.plans_none}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table" id="plans-table">
                            <thead>
                                <tr>
                                    <th scope="col">{move || i18n.t().posts.col_number}</th>
                                    <th scope="col">{move || i18n.t().posts.col_status}</th>
                                    <th scope="col" class="col-optional">{move || i18n.t().posts.col_method}</th>
                                    <th scope="col" class="num">{move || i18n.t().posts.col_total}</th>
                                    <th scope="col" class="col-optional">{move || i18n.t().posts.col_weights}</th>
                                    <th scope="col">{move || i18n.t().posts.col_effective}</th>
                                    <th scope="col" class="col-optional">{move || i18n.t().posts.col_submitted}</th>
                                    <th scope="col"></th>
                                </tr>
                            </thead>
                            <tbody>
                                {plans.into_iter().map(|p| {
                                    let (status, method) = (p.status, p.method);
                                    view! {
                                        <tr data-plan=p.id.to_string()>
                                            <td class="plan-number">{p.number.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                                            <td><span class="tag" class:tag-pending=status == ApprovalStatus::Pending>{move || status_label(status, i18n.t())}</span></td>
                                            <td class="col-optional">{move || i18n.t().posts.method(method)}</td>
                                            <td class="num">{p.total}</td>
                                            <td class="col-optional">{format!("{}/{}", p.population_weight, 100 - p.population_weight)}</td>
                                            <td>{p.effective_from.to_string()}</td>
                                            <td class="col-optional">{show_time(p.created_at)}</td>
                                            <td><a href=format!("/allocation/{}", p.id)>{move || i18n.t().posts.view}</a></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// One stored plan.
#[component]
pub fn PlanPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(id, allocation_plan);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => {
                        let number = view.plan.as_ref().and_then(|p| p.number);
                        let status = view.plan.as_ref().map(|p| p.status);
                        let plan_id = view.plan.as_ref().map(|p| p.id);
                        let title = move || (i18n.t().posts.plan_title)(number);
                        view! {
                            <Title text=title />
                            <header class="page-header">
                                <div>
                                    <h1 id="plan-title">{title}</h1>
                                    <p class="muted">{move || status.map(|s| status_label(s, i18n.t()))}</p>
                                </div>
                                {plan_id.map(|id| view! {
                                    <div class="page-actions">
                                        <a class="button" download id="plan-export"
                                            href=paths::PLAN_XLSX.replace("{id}", &id.to_string())>{move || i18n.t().import.export}</a>
                                    </div>
                                })}
                            </header>
                            <PostsTabs current=paths::ALLOCATION />
                            <PlanTable view />
                        }.into_any()
                    }
                    Err(e) => view! { <PostsTabs current=paths::ALLOCATION /><ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norms_text_parses() {
        let n = parse_norms("0 1\n20000 2\n\n 50001, 3 ").expect("parses");
        assert_eq!(n, StaffingNorms::seed_003());
        assert_eq!(parse_norms("0 1 2"), None);
        assert_eq!(parse_norms("x 1"), None);
    }
}
