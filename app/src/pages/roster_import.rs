//! 名册导入: upload a roster spreadsheet (a plain form post, so it works
//! before the page hydrates), the list of imports, and one import's report
//! with every problem by row and column.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::roster_import::{ImportReport, ImportSummary, PROBLEMS_SHOWN, roster_import, roster_imports};
use crate::components::common::ErrorPanel;
use crate::domain::roster_import::{ImportStatus, column_letter};
use crate::i18n::use_i18n;
use crate::pages::posts::PostsTabs;
use crate::policy::paths;

fn failed_href(id: i64) -> String {
    paths::ROSTER_IMPORT_FAILED.replace("{id}", &id.to_string())
}

/// The upload form and the list of imports.
#[component]
pub fn RosterImportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| roster_imports());
    view! {
        <Title text=move || i18n.t().import.title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().import.title}</h1>
                <p class="muted">{move || i18n.t().import.help}</p>
            </div>
            <div class="page-actions">
                <a class="button" href=paths::ROSTER_TEMPLATE download id="template-link">{move || i18n.t().import.template}</a>
            </div>
        </header>
        <PostsTabs current=paths::ROSTER />
        <section class="panel">
            <h2>{move || i18n.t().import.upload_title}</h2>
            <form class="form-grid" id="import-form" method="post" action=paths::ROSTER_IMPORT_UPLOAD enctype="multipart/form-data">
                <label class="wide">
                    <span>{move || i18n.t().import.file_label}</span>
                    <input type="file" name="file" id="import-file" required
                        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
                </label>
                <fieldset class="wide choice">
                    <label>
                        <input type="radio" name="mode" value="all" checked />
                        <span>{move || i18n.t().import.mode_all}</span>
                    </label>
                    <label>
                        <input type="radio" name="mode" value="partial" id="mode-partial" />
                        <span>{move || i18n.t().import.mode_partial}</span>
                    </label>
                </fieldset>
                <div class="page-actions wide">
                    <button type="submit" class="button button-primary" id="import-button">{move || i18n.t().import.submit}</button>
                </div>
            </form>
            <ul class="muted rules">
                {(0..5).map(|i| view! { <li>{move || i18n.t().import.rules[i]}</li> }).collect_view()}
            </ul>
        </section>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(info) => view! { <ImportList imports=info.imports /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ImportList(imports: Vec<ImportSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = imports.is_empty();
    view! {
        <section class="panel">
            <h2>{move || i18n.t().import.history}</h2>
            {empty.then(|| view! { <p class="muted">{move || i18n.t().import.none_yet}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="imports-table">
                        <thead>
                            <tr>
                                <th scope="col">"#"</th>
                                <th scope="col">{move || i18n.t().import.col_time}</th>
                                <th scope="col">{move || i18n.t().import.col_file}</th>
                                <th scope="col" class="col-optional">{move || i18n.t().import.col_mode}</th>
                                <th scope="col">{move || i18n.t().import.col_result}</th>
                                <th scope="col" class="num">{move || i18n.t().import.col_rows}</th>
                                <th scope="col" class="num">{move || i18n.t().import.col_imported}</th>
                                <th scope="col" class="num">{move || i18n.t().import.col_failed}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {imports.into_iter().map(|s| view! {
                                <tr>
                                    <td><a href=format!("/roster-imports/{}", s.id)>{s.id}</a></td>
                                    <td>{super::show_time(s.created_at)}</td>
                                    <td>{s.file_name.clone()}</td>
                                    <td class="col-optional">{move || i18n.t().import.mode(s.mode)}</td>
                                    <td>{move || i18n.t().import.status(s.status)}</td>
                                    <td class="num">{s.total_rows}</td>
                                    <td class="num">{s.imported_rows}</td>
                                    <td class="num">{s.failed_rows}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

/// One import's report.
#[component]
pub fn RosterImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(id, roster_import);
    view! {
        <Title text=move || i18n.t().import.report_title />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(report) => view! { <Report report /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Report(report: ImportReport) -> impl IntoView {
    let i18n = use_i18n();
    let ImportReport { summary: s, problems } = report;
    let ImportSummary {
        id,
        created_at,
        file_name,
        mode,
        status,
        total_rows,
        imported_rows,
        failed_rows,
        problem_count,
    } = s;
    let outcome = move || match status {
        ImportStatus::Imported => i18n.t().import.all_imported,
        ImportStatus::Partial => i18n.t().import.partly_imported,
        ImportStatus::Rejected => i18n.t().import.nothing_imported,
    };
    let more = usize::try_from(problem_count).unwrap_or(0) > problems.len();
    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow"><a href=paths::ROSTER_IMPORTS>{move || i18n.t().import.back}</a></p>
                <h1>{move || i18n.t().import.report_title}" #"{id}</h1>
                <p class="muted">{file_name}" · "{super::show_time(created_at)}" · "{move || i18n.t().import.mode(mode)}</p>
            </div>
            {(failed_rows > 0).then(|| view! {
                <div class="page-actions">
                    <a class="button button-primary" id="failed-link" href=failed_href(id) download>{move || i18n.t().import.download_failed}</a>
                </div>
            })}
        </header>
        <section class="figures" id="import-summary" data-status=status.code()>
            <div class="figure"><span class="figure-label">{move || i18n.t().import.col_rows}</span><strong class="figure-value">{total_rows}</strong></div>
            <div class="figure"><span class="figure-label">{move || i18n.t().import.col_imported}</span><strong class="figure-value" id="imported-rows">{imported_rows}</strong></div>
            <div class="figure"><span class="figure-label">{move || i18n.t().import.col_failed}</span><strong class="figure-value" id="failed-rows">{failed_rows}</strong></div>
            <div class="figure"><span class="figure-label">{move || i18n.t().import.col_problems}</span><strong class="figure-value">{problem_count}</strong></div>
        </section>
        <p class=if status == ImportStatus::Rejected { "form-error" } else { "form-ok" } role="status" id="import-outcome">
            {move || i18n.t().import.status(status)}"："{outcome}
        </p>
        {(!problems.is_empty()).then(|| view! {
            <section class="panel">
                {more.then(|| view! { <p class="muted">{move || i18n.t().import.shown_first.replace("{n}", &PROBLEMS_SHOWN.to_string())}</p> })}
                <div class="table-wrap">
                    <table class="data-table" id="problems-table">
                        <thead>
                            <tr>
                                <th scope="col" class="num">{move || i18n.t().import.col_row}</th>
                                <th scope="col">{move || i18n.t().import.col_cell}</th>
                                <th scope="col">{move || i18n.t().import.col_column}</th>
                                <th scope="col">{move || i18n.t().import.col_problem}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {problems.into_iter().map(|p| {
                                let cell = p.col.map(|c| format!("{}{}", column_letter(c), p.row));
                                let cell_attr = cell.clone().unwrap_or_default();
                                let row = (p.row > 0).then_some(p.row);
                                let column = p.column;
                                let problem = p.problem.clone();
                                view! {
                                    <tr data-cell=cell_attr>
                                        <td class="num">{match row {
                                            Some(r) => view! { <span>{r}</span> }.into_any(),
                                            None => view! { <span>{move || i18n.t().import.whole_file}</span> }.into_any(),
                                        }}</td>
                                        <td>{cell}</td>
                                        <td>{move || column.map(|c| i18n.t().import.column(c))}</td>
                                        <td>{move || i18n.t().import.problem(&problem, i18n.t().posts)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
    }
}
