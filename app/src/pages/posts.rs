//! 岗位与人员: the posts overview (heat table), the towns and a town's
//! page with its figures' history.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::towns::{
    FiguresInput, RecordTownFigures, TownFigures, TownInfo, TownLine, TownsInfo, town_detail, towns_overview,
};
use crate::components::common::{ErrorPanel, Figure};
use crate::domain::staffing::{Recipients, TownKind};
use crate::format::group_thousands;
use crate::i18n::use_i18n;
use crate::policy::paths;

/// The tabs over the posts pages.
#[component]
pub fn PostsTabs(current: &'static str) -> impl IntoView {
    const TABS: &[crate::components::common::Tab] = &[
        (paths::POSTS, |t| t.posts.tab_overview),
        (paths::TOWNS, |t| t.posts.tab_towns),
        (paths::ALLOCATION, |t| t.posts.tab_allocation),
        (paths::ROSTER, |t| t.posts.tab_roster),
    ];
    view! { <crate::components::common::Tabs current label=|t| t.posts.overview_title tabs=TABS /> }
}

fn kind_label(kind: TownKind, t: &crate::i18n::posts::PostsText) -> &'static str {
    match kind {
        TownKind::Street => t.kind_street,
        TownKind::Town => t.kind_town,
    }
}

/// Heat class by fill rate: 0 (full) to 4 (a third or less).
fn heat(line: &TownLine) -> &'static str {
    if line.posts == 0 {
        return "heat-0";
    }
    let pct = line.filled * 100 / line.posts;
    match pct {
        100.. => "heat-0",
        90..=99 => "heat-1",
        75..=89 => "heat-2",
        50..=74 => "heat-3",
        _ => "heat-4",
    }
}

/// The posts overview.
#[component]
pub fn PostsOverviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| towns_overview(None));
    view! {
        <Title text=move || i18n.t().posts.overview_title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().posts.overview_title}</h1>
                <p class="muted">{move || i18n.t().posts.overview_help}</p>
            </div>
        </header>
        <PostsTabs current=paths::POSTS />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <Overview overview=o /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Overview(overview: TownsInfo) -> impl IntoView {
    let i18n = use_i18n();
    let posts: u32 = overview.towns.iter().map(|t| t.posts).sum();
    let filled: u32 = overview.towns.iter().map(|t| t.filled).sum();
    let vacancies: u32 = overview.towns.iter().map(TownLine::vacancies).sum();
    let standby: u32 = overview.towns.iter().map(|t| t.standby).sum();
    let plan = overview.plan_number;
    view! {
        <section class="figures">
            <Figure label=Signal::derive(move || i18n.t().posts.fig_posts) value=posts.to_string() accent=true />
            <Figure label=Signal::derive(move || i18n.t().posts.fig_filled) value=filled.to_string() />
            <Figure label=Signal::derive(move || i18n.t().posts.fig_vacancies) value=vacancies.to_string() />
            <Figure label=Signal::derive(move || i18n.t().posts.fig_standby) value=standby.to_string() />
            <Figure
                label=Signal::derive(move || i18n.t().posts.fig_plan)
                value=plan.map(|n| format!("No. {n}")).unwrap_or_else(|| "—".into())
                detail=Signal::derive(move || if plan.is_none() { i18n.t().posts.no_plan.to_owned() } else { String::new() })
            />
        </section>
        <section class="panel">
            <div class="table-wrap">
                <table class="data-table heat-table" id="posts-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().posts.col_town}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_minimum}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_planned}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_posts}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_filled}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_vacancies}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_standby}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_fill}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {overview.towns.into_iter().map(|t| {
                            let pct = (t.filled * 100).checked_div(t.posts).unwrap_or(0);
                            let below = t.posts < t.minimum;
                            let href = format!("/towns/{}", t.id);
                            let (name, name_en) = (t.name.clone(), t.name_en.clone());
                            view! {
                                <tr class=heat(&t) data-town=t.code.clone()>
                                    <th scope="row">
                                        <a href=href>{move || i18n.locale().pick(&name, &name_en).to_owned()}</a>
                                        {below.then(|| view! { <span class="tag tag-warn" title=move || i18n.t().posts.below_minimum>"!"</span> })}
                                    </th>
                                    <td class="num">{t.minimum}</td>
                                    <td class="num col-optional">{t.planned.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td class="num strong">{t.posts}</td>
                                    <td class="num">{t.filled}</td>
                                    <td class="num" class:strong={t.vacancies() > 0}>{t.vacancies()}</td>
                                    <td class="num">{t.standby}</td>
                                    <td class="col-optional">
                                        <span class="bar" role="img" aria-label=format!("{pct}%")>
                                            <span class="bar-fill" style=format!("width: {pct}%")></span>
                                        </span>
                                        <span class="bar-label">{format!("{pct}%")}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{move || i18n.t().total_row}</th>
                            <td class="num"></td>
                            <td class="num col-optional"></td>
                            <td class="num strong" id="posts-total">{posts}</td>
                            <td class="num" id="posts-filled">{filled}</td>
                            <td class="num" id="posts-vacant">{vacancies}</td>
                            <td class="num">{standby}</td>
                            <td class="col-optional"></td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            <p class="muted heat-legend">
                {move || i18n.t().posts.heat_legend}
                <span class="heat-0 swatch">"100%"</span>
                <span class="heat-1 swatch">"90%"</span>
                <span class="heat-2 swatch">"75%"</span>
                <span class="heat-3 swatch">"50%"</span>
                <span class="heat-4 swatch">"<50%"</span>
            </p>
        </section>
    }
}

/// The towns with their current figures.
#[component]
pub fn TownsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| towns_overview(None));
    view! {
        <Title text=move || i18n.t().posts.towns_title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().posts.towns_title}</h1>
                <p class="muted">{move || i18n.t().posts.towns_help}</p>
            </div>
            <div class="page-actions">
                <a class="button" href=paths::TOWNS_XLSX download id="towns-export">{move || i18n.t().import.export}</a>
            </div>
        </header>
        <PostsTabs current=paths::TOWNS />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <TownsTable towns=o.towns /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TownsTable(towns: Vec<TownLine>) -> impl IntoView {
    let i18n = use_i18n();
    let sum = |f: fn(&TownLine) -> u64| towns.iter().map(f).sum::<u64>();
    let totals = [
        sum(|t| u64::from(t.communities)),
        sum(|t| u64::from(t.villages)),
        sum(|t| t.population),
        sum(|t| u64::from(t.recipients.dibao)),
        sum(|t| u64::from(t.recipients.tekun)),
        sum(|t| u64::from(t.recipients.marginal)),
        sum(|t| u64::from(t.recipients.expense)),
        sum(|t| t.recipients.total()),
    ];
    view! {
        <section class="panel">
            <div class="table-wrap">
                <table class="data-table" id="towns-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().posts.col_town}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_kind}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_communities}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_villages}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_population}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_dibao}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_tekun}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_marginal}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().posts.col_expense}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_recipients}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_from}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {towns.iter().map(|t| {
                            let (name, name_en, kind) = (t.name.clone(), t.name_en.clone(), t.kind);
                            let r = t.recipients;
                            view! {
                                <tr data-town=t.code.clone()>
                                    <th scope="row"><a href=format!("/towns/{}", t.id)>{move || i18n.locale().pick(&name, &name_en).to_owned()}</a></th>
                                    <td class="col-optional">{move || kind_label(kind, i18n.t().posts)}</td>
                                    <td class="num col-optional">{t.communities}</td>
                                    <td class="num col-optional">{t.villages}</td>
                                    <td class="num">{group_thousands(t.population)}</td>
                                    <td class="num col-optional">{group_thousands(r.dibao)}</td>
                                    <td class="num col-optional">{group_thousands(r.tekun)}</td>
                                    <td class="num col-optional">{group_thousands(r.marginal)}</td>
                                    <td class="num col-optional">{group_thousands(r.expense)}</td>
                                    <td class="num strong">{group_thousands(r.total())}</td>
                                    <td class="col-optional">{t.figures_from.map(|d| d.to_string())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{move || i18n.t().total_row}</th>
                            <td class="col-optional"></td>
                            <td class="num col-optional">{totals[0]}</td>
                            <td class="num col-optional">{totals[1]}</td>
                            <td class="num" id="towns-population">{group_thousands(totals[2])}</td>
                            <td class="num col-optional">{group_thousands(totals[3])}</td>
                            <td class="num col-optional">{group_thousands(totals[4])}</td>
                            <td class="num col-optional">{group_thousands(totals[5])}</td>
                            <td class="num col-optional">{group_thousands(totals[6])}</td>
                            <td class="num strong" id="towns-recipients">{group_thousands(totals[7])}</td>
                            <td class="col-optional"></td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// One town: figures, their history, its posts; finance records new
/// figures here.
#[component]
pub fn TownPage() -> impl IntoView {
    let params = use_params_map();
    let record = ServerAction::<RecordTownFigures>::new();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(move || (id(), record.version().get()), |(id, _)| town_detail(id));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <TownView detail=d record /> }.into_any(),
                    Err(e) => view! { <PostsTabs current=paths::TOWNS /><ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TownView(detail: TownInfo, record: ServerAction<RecordTownFigures>) -> impl IntoView {
    let i18n = use_i18n();
    let TownInfo { line, history, posts, may_edit } = detail;
    let (name, name_en) = (line.name.clone(), line.name_en.clone());
    let title = {
        let (name, name_en) = (name.clone(), name_en.clone());
        move || i18n.locale().pick(&name, &name_en).to_owned()
    };
    let town_id = line.id;
    view! {
        <Title text=title.clone() />
        <header class="page-header">
            <div>
                <h1 id="town-name">{title}</h1>
                <p class="muted">{move || kind_label(line.kind, i18n.t().posts)}</p>
            </div>
        </header>
        <PostsTabs current=paths::TOWNS />
        <section class="figures">
            <Figure label=Signal::derive(move || i18n.t().posts.col_population) value=group_thousands(line.population) accent=true />
            <Figure label=Signal::derive(move || i18n.t().posts.col_recipients) value=group_thousands(line.recipients.total()) />
            <Figure label=Signal::derive(move || i18n.t().posts.col_posts) value=line.posts.to_string() />
            <Figure label=Signal::derive(move || i18n.t().posts.col_filled) value=line.filled.to_string() />
            <Figure label=Signal::derive(move || i18n.t().posts.col_minimum) value=line.minimum.to_string() />
        </section>
        <section class="panel">
            <h2>{move || i18n.t().posts.figures_history}</h2>
            <div class="table-wrap">
                <table class="data-table" id="figures-history">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().posts.col_from}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_communities}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_villages}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_population}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_dibao}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_tekun}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_marginal}</th>
                            <th scope="col" class="num">{move || i18n.t().posts.col_expense}</th>
                            <th scope="col">{move || i18n.t().posts.col_note}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {history.into_iter().map(|f| view! {
                            <tr>
                                <td>{f.effective_from.to_string()}</td>
                                <td class="num">{f.communities}</td>
                                <td class="num">{f.villages}</td>
                                <td class="num">{group_thousands(f.population)}</td>
                                <td class="num">{f.recipients.dibao}</td>
                                <td class="num">{f.recipients.tekun}</td>
                                <td class="num">{f.recipients.marginal}</td>
                                <td class="num">{f.recipients.expense}</td>
                                <td>{f.note}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        {may_edit.then(|| view! { <FiguresForm town_id line=line.clone() record /> })}
        <section class="panel">
            <h2>{move || i18n.t().posts.town_posts}</h2>
            <ul class="post-list" id="town-posts">
                {posts.into_iter().map(|(_, code, holder)| view! {
                    <li>
                        <span class="code">{code}</span>" "
                        {match holder {
                            Some((id, name)) => view! { <a href=format!("/roster/{id}")>{name}</a> }.into_any(),
                            None => view! { <span class="tag tag-warn">{move || i18n.t().posts.vacant}</span> }.into_any(),
                        }}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Parses a count typed in a form (empty counts as 0).
fn count(s: &str) -> Option<u64> {
    let s = s.trim().replace([',', '，', ' '], "");
    if s.is_empty() { Some(0) } else { s.parse().ok() }
}

#[component]
fn FiguresForm(town_id: i64, line: TownLine, record: ServerAction<RecordTownFigures>) -> impl IntoView {
    let i18n = use_i18n();
    let today = crate::domain::calendar::china_date(chrono::Utc::now());
    let date = RwSignal::new(today.to_string());
    let fields: [RwSignal<String>; 7] = [
        RwSignal::new(line.communities.to_string()),
        RwSignal::new(line.villages.to_string()),
        RwSignal::new(line.population.to_string()),
        RwSignal::new(line.recipients.dibao.to_string()),
        RwSignal::new(line.recipients.tekun.to_string()),
        RwSignal::new(line.recipients.marginal.to_string()),
        RwSignal::new(line.recipients.expense.to_string()),
    ];
    let note = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let values: Option<Vec<u64>> = fields.iter().map(|f| count(&f.get_untracked())).collect();
        let (Some(v), Ok(on)) = (values, date.get_untracked().parse::<NaiveDate>()) else {
            local_error.set(Some(i18n.t().posts.error_figure_too_large));
            return;
        };
        let small = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
        local_error.set(None);
        record.dispatch(RecordTownFigures {
            input: FiguresInput {
                town_id,
                figures: TownFigures {
                    effective_from: on,
                    communities: small(v[0]),
                    villages: small(v[1]),
                    population: v[2],
                    recipients: Recipients {
                        dibao: small(v[3]),
                        tekun: small(v[4]),
                        marginal: small(v[5]),
                        expense: small(v[6]),
                    },
                    note: note.get_untracked(),
                },
            },
        });
    };
    let labels: [fn(&crate::i18n::posts::PostsText) -> &'static str; 7] = [
        |p| p.col_communities,
        |p| p.col_villages,
        |p| p.col_population,
        |p| p.col_dibao,
        |p| p.col_tekun,
        |p| p.col_marginal,
        |p| p.col_expense,
    ];
    let names = ["communities", "villages", "population", "dibao", "tekun", "marginal", "expense"];
    view! {
        <section class="panel">
            <h2>{move || i18n.t().posts.record_figures}</h2>
            <p class="muted">{move || i18n.t().posts.record_figures_help}</p>
            <form class="form-grid" id="figures-form" on:submit=submit>
                <label>
                    <span>{move || i18n.t().posts.effective_from}</span>
                    <input type="date" name="effective_from" required prop:value=move || date.get()
                        on:input=move |ev| date.set(event_target_value(&ev)) />
                </label>
                {fields.into_iter().zip(labels).zip(names).map(|((f, label), name)| view! {
                    <label>
                        <span>{move || label(i18n.t().posts)}</span>
                        <input type="text" inputmode="numeric" name=name required prop:value=move || f.get()
                            on:input=move |ev| f.set(event_target_value(&ev)) />
                    </label>
                }).collect_view()}
                <label class="wide">
                    <span>{move || i18n.t().posts.note}</span>
                    <input type="text" name="note" required maxlength="200" prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev)) />
                </label>
                <div class="page-actions wide">
                    <button type="submit" class="button button-primary">{move || i18n.t().posts.save}</button>
                    {move || local_error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                    {move || record.value().get().map(|r| match r {
                        Ok(()) => view! { <p class="form-ok" role="status">{i18n.t().posts.saved}</p> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert" id="figures-error">{e.message(i18n.t())}</p> }.into_any(),
                    })}
                </div>
            </form>
        </section>
    }
}
