//! 首页: the district's towns and posts at a glance, with the staffing
//! summary as a PDF.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dashboard::{Dashboard, get_dashboard};
use crate::components::common::{ErrorPanel, Figure, Loading};
use crate::components::icon::{Icon, IconKind};
use crate::domain::staffing::{TownKind, TownStaffing, filter_towns};
use crate::format::group_thousands;
use crate::i18n::use_i18n;

/// Where the server serves the staffing summary PDF.
pub const STAFFING_SUMMARY_PDF: &str = crate::policy::paths::STAFFING_SUMMARY_PDF;

/// The home page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| get_dashboard());
    view! {
        <Title text=move || i18n.t().nav_home />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <DashboardView data=d /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <crate::pages::inspections::RectificationAlerts />
    }
}

#[component]
fn DashboardView(data: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let Dashboard { district, as_of, towns, totals, whole_district } = data;
    let as_of = as_of.format("%Y-%m-%d").to_string();
    let district_name = move || i18n.locale().pick(&district.name, &district.name_en).to_owned();
    let per_post = totals.population_per_post().map(group_thousands);

    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow">{district_name}</p>
                <h1>{move || i18n.t().dashboard_title}</h1>
                <p class="muted">{move || (i18n.t().dashboard_as_of)(&as_of)}</p>
                {(!whole_district).then(|| view! { <p class="scope-note">{move || i18n.t().dashboard_own_town_only}</p> })}
            </div>
            <div class="page-actions">
                <a class="button button-primary" href=STAFFING_SUMMARY_PDF download>
                    <Icon kind=IconKind::Download />
                    <span>{move || i18n.t().download_pdf}</span>
                </a>
                <button type="button" class="button" on:click=move |_| print_page()>
                    <Icon kind=IconKind::Print />
                    <span>{move || i18n.t().print_page}</span>
                </button>
            </div>
        </header>

        <section class="figures" aria-label=move || i18n.t().dashboard_title>
            <Figure
                label=Signal::derive(move || i18n.t().kpi_posts)
                value=totals.posts.to_string()
                detail=Signal::derive(move || {
                    per_post.as_deref().map(i18n.t().kpi_per_post).unwrap_or_default()
                })
                accent=true
            />
            <Figure
                label=Signal::derive(move || i18n.t().kpi_towns)
                value=totals.towns.to_string()
                detail=Signal::derive(move || (i18n.t().kpi_towns_detail)(totals.streets, totals.townships))
            />
            <Figure label=Signal::derive(move || i18n.t().kpi_communities) value=totals.communities.to_string() />
            <Figure label=Signal::derive(move || i18n.t().kpi_villages) value=totals.villages.to_string() />
            <Figure
                label=Signal::derive(move || i18n.t().kpi_population)
                value=group_thousands(totals.population)
            />
        </section>

        <TownTable towns=towns totals=totals />
    }
}

/// The towns with a filter that works in the browser as you type.
#[component]
fn TownTable(towns: Vec<TownStaffing>, totals: crate::domain::staffing::StaffingTotals) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let towns = StoredValue::new(towns);
    let total = towns.with_value(Vec::len);
    let shown = Memo::new(move |_| towns.with_value(|ts| filter_towns(ts, &query.get()).len()));

    view! {
        <section class="panel">
            <div class="panel-header">
                <h2>{move || i18n.t().table_title}</h2>
                <div class="filter">
                    <label for="town-filter" class="visually-hidden">{move || i18n.t().filter_label}</label>
                    <input
                        id="town-filter"
                        type="search"
                        autocomplete="off"
                        placeholder=move || i18n.t().filter_placeholder
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                    <span class="filter-count" aria-live="polite">
                        {move || (i18n.t().filter_count)(shown.get(), total)}
                    </span>
                </div>
            </div>
            <div class="table-wrap">
                <table class="data-table" id="town-table">
                    <thead>
                        <tr>
                            <th scope="col" class="col-optional">{move || i18n.t().col_code}</th>
                            <th scope="col">{move || i18n.t().col_name}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().col_kind}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().col_communities}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().col_villages}</th>
                            <th scope="col" class="num">{move || i18n.t().col_population}</th>
                            <th scope="col" class="num">{move || i18n.t().col_posts}</th>
                            <th scope="col" class="num col-optional">{move || i18n.t().col_per_post}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let locale = i18n.locale();
                            let t = i18n.t();
                            let q = query.get();
                            towns.with_value(|ts| {
                                let rows = filter_towns(ts, &q);
                                if rows.is_empty() {
                                    return view! {
                                        <tr><td colspan="8" class="empty">{t.filter_none}</td></tr>
                                    }
                                    .into_any();
                                }
                                rows.into_iter()
                                    .map(|town| {
                                        let kind = match town.kind {
                                            TownKind::Street => t.kind_street,
                                            TownKind::Town => t.kind_town,
                                        };
                                        view! {
                                            <tr data-town=town.code.clone()>
                                                <td class="col-optional code">{town.code.clone()}</td>
                                                <th scope="row">{locale.pick(&town.name, &town.name_en).to_owned()}</th>
                                                <td class="col-optional">{kind}</td>
                                                <td class="num col-optional">{town.communities}</td>
                                                <td class="num col-optional">{town.villages}</td>
                                                <td class="num">{group_thousands(town.population)}</td>
                                                <td class="num strong">{town.posts}</td>
                                                <td class="num col-optional">
                                                    {town.population_per_post().map(group_thousands)}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            })
                        }}
                    </tbody>
                    <tfoot>
                        <tr>
                            <td class="col-optional"></td>
                            <th scope="row">{move || i18n.t().total_row}</th>
                            <td class="col-optional"></td>
                            <td class="num col-optional">{totals.communities}</td>
                            <td class="num col-optional">{totals.villages}</td>
                            <td class="num">{group_thousands(totals.population)}</td>
                            <td class="num strong" id="total-posts">{totals.posts}</td>
                            <td class="num col-optional">
                                {totals.population_per_post().map(group_thousands)}
                            </td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// Opens the browser's print dialog; the print stylesheet leaves only the
/// page content.
fn print_page() {
    // Printing is best effort: a browser that refuses simply does nothing.
    let _ = window().print();
}
