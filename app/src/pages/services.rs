//! 服务成果: service records with their evidence, periodic reports and
//! their review, progress against the contracts' indicators, red flags,
//! and the recipients register. Pages only present; the server checks
//! every rule and scope.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use rust_decimal::Decimal;

use crate::api::services::{
    ContractChoice, FlagNames, ProgressData, RecipientForm, RecipientsData, RecordForm, RecordView,
    RegisterRecipient, ReportData, ReportForm, ReportSummary, ReviewServiceReport, SaveServiceRecord,
    ServicesData, SetContractArea, SubmitServiceReport, UpdateRecipient, VoidServiceRecord, recipient_list,
    service_report_detail, services_overview,
};
use crate::components::common::{ActionError, ErrorPanel};
use crate::domain::procurement::catalogue_item;
use crate::domain::service::{Area, Category, Priority, RedFlag, measure_of, names_recipient};
use crate::i18n::services::ServiceText;
use crate::i18n::use_i18n;
use crate::policy::paths;

fn href(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
}

#[component]
fn ServiceTabs(current: &'static str) -> impl IntoView {
    const TABS: &[crate::components::common::Tab] =
        &[(paths::SERVICES, |t| t.services.tab_records), (paths::RECIPIENTS, |t| t.services.tab_recipients)];
    view! { <crate::components::common::Tabs current label=|t| t.services.title tabs=TABS /> }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t().services.title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().services.title}</h1>
                <p class="muted">{move || i18n.t().services.help}</p>
            </div>
        </header>
    }
}

fn item_label(code: &str) -> impl Fn() -> String + Send + Sync + use<> {
    let i18n = use_i18n();
    let code = code.to_owned();
    move || {
        catalogue_item(&code).map(|i| i18n.t().contracts.item(i).to_owned()).unwrap_or_else(|| code.clone())
    }
}

fn flag_text(t: &ServiceText, f: &RedFlag, names: &FlagNames, zh: bool) -> String {
    let supplier = |id: i64| {
        names.suppliers.iter().find(|(s, _)| *s == id).map(|(_, n)| n.clone()).unwrap_or(format!("#{id}"))
    };
    let town = |id: i64| {
        names
            .towns
            .iter()
            .find(|(t, _, _)| *t == id)
            .map(|(_, zh_name, en)| if zh { zh_name.clone() } else { en.clone() })
            .unwrap_or(format!("#{id}"))
    };
    t.flag(f, &supplier, &town)
}

/// The red flags list (shared by the overview and a report).
#[component]
fn Flags(flags: Vec<RedFlag>, names: FlagNames) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let empty = flags.is_empty();
    view! {
        <section class="panel" id="red-flags">
            <h2>{move || t().flags_title}</h2>
            <p class="muted">{move || t().flags_help}</p>
            {empty.then(|| view! { <p class="muted">{move || t().no_flags}</p> })}
            <ul class="flags">
                {flags.into_iter().map(|f| {
                    let names = names.clone();
                    let kind = ServiceText::flag_kind(&f);
                    view! { <li class="flag" data-flag=kind>{move || flag_text(t(), &f, &names, i18n.t().services.is_zh())}</li> }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Records, reports, progress and flags.
#[component]
pub fn ServicesPage() -> impl IntoView {
    let query = use_query_map();
    let contract = move || query.with(|q| q.get("contract").and_then(|c| c.parse::<i64>().ok()));
    let save = ServerAction::<SaveServiceRecord>::new();
    let void = ServerAction::<VoidServiceRecord>::new();
    let report = ServerAction::<SubmitServiceReport>::new();
    let area = ServerAction::<SetContractArea>::new();
    let data = Resource::new(
        move || {
            (
                contract(),
                save.version().get(),
                void.version().get(),
                report.version().get(),
                area.version().get(),
            )
        },
        |(c, ..)| services_overview(c),
    );
    view! {
        <Header />
        <ServiceTabs current=paths::SERVICES />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Overview d save void report area /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Overview(
    d: ServicesData,
    save: ServerAction<SaveServiceRecord>,
    void: ServerAction<VoidServiceRecord>,
    report: ServerAction<SubmitServiceReport>,
    area: ServerAction<SetContractArea>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let ServicesData {
        contracts,
        selected,
        records,
        reports,
        recipients,
        progress,
        flags,
        names,
        towns,
        may_record,
        may_review,
    } = d;
    let chosen = selected.and_then(|id| contracts.iter().find(|c| c.id == id).cloned());
    let show_flags = may_review || !flags.is_empty();
    let active: Vec<ContractChoice> = contracts.iter().filter(|c| c.active).cloned().collect();
    view! {
        <section class="panel">
            <form method="get" class="toolbar" id="contract-filter">
                <label><span>{move || t().contract}</span>
                    <select name="contract" onchange="this.form.submit()">
                        <option value="">{move || t().all_contracts}</option>
                        {contracts.iter().map(|c| view! {
                            <option value=c.id.to_string() selected=selected == Some(c.id)>{format!("{} · {} · {}", c.number, c.supplier, c.title)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <noscript><button type="submit" class="button">{move || t().contract}</button></noscript>
            </form>
            {contracts.is_empty().then(|| view! { <p class="muted">{move || t().no_contracts}</p> })}
        </section>
        {chosen.clone().filter(|c| !c.town_contract && may_review && !towns.is_empty()).map(|c| view! { <AreaForm c towns=towns.clone() area /> })}
        {progress.map(|p| view! { <ProgressView p /> })}
        {show_flags.then(|| view! { <Flags flags names /> })}
        <Records records void may_record />
        {may_record.then(|| view! { <RecordFormView contracts=active.clone() recipients save /> })}
        <Reports reports />
        {(may_record && !active.is_empty()).then(|| view! { <ReportFormView contracts=active selected report /> })}
    }
}

#[component]
fn AreaForm(
    c: ContractChoice,
    towns: Vec<(i64, String)>,
    area: ServerAction<SetContractArea>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let chosen: Vec<i64> = match &c.area {
        Area::WholeDistrict => Vec::new(),
        Area::Towns(list) => list.clone(),
    };
    let picked = RwSignal::new(chosen);
    let id = c.id;
    let error = move || area.value().get().and_then(Result::err);
    view! {
        <section class="panel" id="service-area">
            <h2>{move || t().area_title}</h2>
            <p class="muted">{move || if picked.with(Vec::is_empty) { t().area_whole.to_owned() } else { String::new() }}</p>
            <form on:submit=move |ev| { ev.prevent_default(); area.dispatch(SetContractArea { contract_id: id, towns: picked.get_untracked() }); }>
                <div class="checks">
                    {towns.into_iter().map(|(tid, name)| view! {
                        <label class="check"><input type="checkbox" name="town" value=tid.to_string()
                            prop:checked=move || picked.with(|p| p.contains(&tid))
                            on:change=move |_| picked.update(|p| if let Some(i) = p.iter().position(|x| *x == tid) { p.remove(i); } else { p.push(tid); }) />
                            {name}</label>
                    }).collect_view()}
                </div>
                <button type="submit" class="button">{move || t().area_save}</button>
            </form>
            {move || error().map(|e| view! { <ActionError error=e /> })}
        </section>
    }
}

#[component]
fn ProgressView(p: ProgressData) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let names = p.recipient_names.clone();
    view! {
        <section class="panel" id="progress">
            <h2>{move || t().progress_title}</h2>
            <p class="muted">{move || t().progress_help}</p>
            {p.indicators.into_iter().map(|ind| {
                let names = names.clone();
                let unit = ind.service_code.as_deref().and_then(catalogue_item).map(|i| (i.unit_zh, i.unit_en));
                let unit_text = move || unit.map(|(zh, en)| if i18n.t().services.is_zh() { zh } else { en }).unwrap_or("");
                view! {
                    <div class="indicator" data-indicator=ind.name.clone()>
                        <h3>{ind.name.clone()}" "<small class="muted">{format!("{}%", ind.weight.normalize())}</small></h3>
                        {match ind.progress {
                            None => view! { <p class="muted">{move || t().not_counted}</p> }.into_any(),
                            Some(pr) => {
                                let total = pr.total;
                                let target = ind.target;
                                view! {
                                    <p class="figure-line">
                                        {move || t().measured}": "<strong class="measured">{total.normalize().to_string()}</strong>" "{unit_text}
                                        {target.map(|tg| view! { " / "{move || t().target_term}" "{tg.normalize().to_string()}" "{unit_text} })}
                                    </p>
                                    <h4>{move || t().by_month}</h4>
                                    {bar_chart(&pr.by_month.iter().map(|((y, m), v)| (format!("{y}-{m:02}"), *v)).collect::<Vec<_>>())}
                                    <h4>{move || t().by_recipient}</h4>
                                    {recipient_chart(&pr.by_recipient.iter().take(60).map(|(id, v)| {
                                        let name = names.iter().find(|(n, _)| n == id).map(|(_, s)| s.clone()).unwrap_or(format!("#{id}"));
                                        (name, *v)
                                    }).collect::<Vec<_>>())}
                                }.into_any()
                            }
                        }}
                    </div>
                }
            }).collect_view()}
        </section>
    }
}

/// A bar chart drawn as SVG: one bar per label, labelled with its value.
fn bar_chart(points: &[(String, Decimal)]) -> impl IntoView + use<> {
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(Decimal::ONE).max(Decimal::ONE);
    let width = (points.len().max(1) * 56) as i64;
    let bars: Vec<_> = points
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            use rust_decimal::prelude::ToPrimitive;
            let h = (v / max * Decimal::from(100)).to_i64().unwrap_or(0);
            let x = i as i64 * 56 + 8;
            (x, h, label.clone(), v.normalize().to_string())
        })
        .collect();
    view! {
        <svg class="bar-chart" role="img" viewBox=format!("0 0 {width} 140") width=width.to_string() height="140">
            {bars.into_iter().map(|(x, h, label, value)| view! {
                <g class="bar">
                    <rect x=x.to_string() y=(115 - h).to_string() width="40" height=h.to_string()></rect>
                    <text x=(x + 20).to_string() y=(111 - h).to_string() text-anchor="middle" class="bar-value">{value}</text>
                    <text x=(x + 20).to_string() y="132" text-anchor="middle" class="bar-label">{label}</text>
                </g>
            }).collect_view()}
        </svg>
    }
}

/// A horizontal bar chart drawn as SVG: one row per recipient, the
/// largest figure first, each bar labelled with its value.
fn recipient_chart(points: &[(String, Decimal)]) -> impl IntoView + use<> {
    use rust_decimal::prelude::ToPrimitive;
    let mut points = points.to_vec();
    points.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(Decimal::ONE).max(Decimal::ONE);
    let height = (points.len().max(1) * 20 + 4) as i64;
    let rows: Vec<_> = points
        .into_iter()
        .enumerate()
        .map(|(i, (name, v))| {
            let w = (v / max * Decimal::from(300)).to_i64().unwrap_or(0);
            (i as i64 * 20 + 2, w, name, v.normalize().to_string())
        })
        .collect();
    view! {
        <svg class="bar-chart horizontal" role="img" viewBox=format!("0 0 520 {height}") width="520" height=height.to_string()>
            {rows.into_iter().map(|(y, w, name, value)| view! {
                <g class="bar">
                    <text x="150" y=(y + 13).to_string() text-anchor="end" class="bar-label">{name}</text>
                    <rect x="158" y=y.to_string() width=w.to_string() height="16"></rect>
                    <text x=(162 + w).to_string() y=(y + 13).to_string() class="bar-value">{value}</text>
                </g>
            }).collect_view()}
        </svg>
    }
}

#[component]
fn Records(
    records: Vec<RecordView>,
    void: ServerAction<VoidServiceRecord>,
    may_record: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let query = use_query_map();
    let imported = move || query.with(|q| q.get("imported"));
    let empty = records.is_empty();
    let error = move || void.value().get().and_then(Result::err);
    view! {
        <section class="panel" id="records">
            <h2>{move || t().records_title}</h2>
            <div class="page-actions">
                <a class="button" href=paths::RECORDS_XLSX download>{move || t().export}</a>
                {may_record.then(|| view! {
                    <a class="button" href=paths::RECORDS_TEMPLATE download>{move || t().import_template}</a>
                    <form method="post" enctype="multipart/form-data" action=paths::RECORDS_IMPORT class="upload" id="records-import">
                        <input type="file" name="file" required accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
                        <button type="submit" class="button">{move || t().import}</button>
                    </form>
                })}
            </div>
            {may_record.then(|| view! { <small class="muted">{move || t().import_help}</small> })}
            {move || imported().map(|n: String| view! { <p class="form-ok" role="status">{move || t().imported.replace("{n}", &n)}</p> })}
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {empty.then(|| view! { <p class="muted">{move || t().no_records}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="records-table">
                        <thead><tr>
                            <th>"#"</th>
                            <th>{move || t().col_time}</th>
                            <th>{move || t().contract}</th>
                            <th>{move || t().col_recipient}</th>
                            <th>{move || t().col_service}</th>
                            <th class="num">{move || t().col_minutes}</th>
                            <th>{move || t().col_worker}</th>
                            <th>{move || t().col_evidence}</th>
                            <th>{move || t().col_source}</th>
                        </tr></thead>
                        <tbody>
                            {records.into_iter().map(|r| record_row(r, void, may_record)).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

fn record_row(r: RecordView, void: ServerAction<VoidServiceRecord>, may_record: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let id = r.id;
    let voided = r.void_reason.is_some();
    let reason = RwSignal::new(String::new());
    let source = r.source.clone();
    view! {
        <tr data-record=id.to_string() class:voided=voided>
            <td>{id}</td>
            <td>{r.started_at.format("%Y-%m-%d %H:%M").to_string()}</td>
            <td>{r.contract_number.clone()}</td>
            <td>{r.recipient.clone().unwrap_or_default()}</td>
            <td>{item_label(&r.service_code)}{(!r.notes.is_empty()).then(|| view! { <br /><small class="muted">{r.notes.clone()}</small> })}</td>
            <td class="num">{r.minutes}</td>
            <td>{r.worker.clone()}</td>
            <td>
                <ul class="evidence">
                    {r.evidence.iter().map(|(eid, name)| view! { <li><a href=href(paths::EVIDENCE, *eid)>{name.clone()}</a></li> }).collect_view()}
                </ul>
                {(may_record && !voided).then(|| view! {
                    <form method="post" enctype="multipart/form-data" action=href(paths::EVIDENCE_UPLOAD, id) class="upload">
                        <input type="file" name="file" accept="image/jpeg,image/png,application/pdf" required />
                        <button type="submit" class="button button-small">{move || t().upload}</button>
                    </form>
                })}
            </td>
            <td>
                {move || i18n.t().services.source(&source)}
                {r.void_reason.clone().map(|why| view! { <br /><span class="tag" data-status="voided">{move || t().voided}</span><small class="muted">{why}</small> })}
                {(may_record && !voided).then(|| view! {
                    <form class="inline" on:submit=move |ev| { ev.prevent_default(); void.dispatch(VoidServiceRecord { id, reason: reason.get_untracked() }); }>
                        <input type="text" name="reason" required maxlength="500" placeholder=move || t().void_reason
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                        <button type="submit" class="button button-small">{move || t().void}</button>
                    </form>
                })}
            </td>
        </tr>
    }
}

#[component]
fn RecordFormView(
    contracts: Vec<ContractChoice>,
    recipients: Vec<(i64, String)>,
    save: ServerAction<SaveServiceRecord>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let first = contracts.first().cloned();
    let form = RwSignal::new(RecordForm {
        contract_id: first.as_ref().map(|c| c.id).unwrap_or_default(),
        service_code: first.as_ref().and_then(|c| c.items.first().cloned()).unwrap_or_default(),
        recipient_id: recipients.first().map(|r| r.0),
        minutes: "60".into(),
        ..RecordForm::default()
    });
    let list = StoredValue::new(contracts);
    let items = move || {
        let id = form.with(|f| f.contract_id);
        list.with_value(|l| l.iter().find(|c| c.id == id).map(|c| c.items.clone()).unwrap_or_default())
    };
    let group = move || form.with(|f| !names_recipient(&f.service_code));
    let error = move || save.value().get().and_then(Result::err);
    let set = move |f: fn(&mut RecordForm, String)| move |ev| form.update(|x| f(x, event_target_value(&ev)));
    view! {
        <section class="panel" id="record-form-panel">
            <h2>{move || t().new_record}</h2>
            <form class="form-grid" id="record-form" on:submit=move |ev| {
                ev.prevent_default();
                let mut f = form.get_untracked();
                if !names_recipient(&f.service_code) { f.recipient_id = None; }
                save.dispatch(SaveServiceRecord { form: f });
            }>
                <label><span>{move || t().contract}</span>
                    <select name="contract_id" on:change=move |ev| form.update(|f| {
                        f.contract_id = event_target_value(&ev).parse().unwrap_or_default();
                        f.service_code = list.with_value(|l| l.iter().find(|c| c.id == f.contract_id).and_then(|c| c.items.first().cloned())).unwrap_or_default();
                    })>
                        {list.with_value(|l| l.iter().map(|c| view! { <option value=c.id.to_string()>{format!("{} · {}", c.number, c.title)}</option> }).collect_view())}
                    </select>
                </label>
                <label><span>{move || t().col_service}</span>
                    <select name="service_code" on:change=set(|f, v| f.service_code = v)>
                        {move || items().into_iter().filter(|c| measure_of(c).is_some()).map(|code| {
                            let selected = form.with_untracked(|f| f.service_code == code);
                            view! { <option value=code.clone() selected=selected>{item_label(&code)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="wide" class:hidden=group><span>{move || t().col_recipient}</span>
                    <select name="recipient_id" on:change=move |ev| form.update(|f| f.recipient_id = event_target_value(&ev).parse().ok())>
                        {recipients.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>{move || t().started_at}</span>
                    <input type="datetime-local" name="started_at" required on:input=set(|f, v| f.started_at = v) /></label>
                <label><span>{move || t().minutes}</span>
                    <input type="number" name="minutes" min="1" max="1440" required prop:value=move || form.with(|f| f.minutes.clone()) on:input=set(|f, v| f.minutes = v) /></label>
                <label><span>{move || t().worker}</span>
                    <input type="text" name="worker" required maxlength="50" on:input=set(|f, v| f.worker = v) /></label>
                <label class="wide"><span>{move || t().notes}</span>
                    <textarea name="notes" rows="2" maxlength="500" on:input=set(|f, v| f.notes = v)></textarea></label>
                <label><span>{move || t().location}</span>
                    <input type="text" name="location" inputmode="decimal" on:input=set(|f, v| f.location = v) />
                    <small class="muted">{move || t().location_help}</small></label>
                <label class="check"><input type="checkbox" name="keep_location" on:change=move |ev| form.update(|f| f.keep_location = event_target_checked(&ev)) />
                    {move || t().keep_location}</label>
                <div class="page-actions"><button type="submit" class="button button-primary" id="record-submit">{move || t().save}</button></div>
            </form>
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <p class="form-ok" role="status">{i18n.t().services.saved}</p> })}
        </section>
    }
}

#[component]
fn Reports(reports: Vec<ReportSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let empty = reports.is_empty();
    view! {
        <section class="panel" id="reports">
            <h2>{move || t().reports_title}</h2>
            {empty.then(|| view! { <p class="muted">{move || t().no_reports}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="reports-table">
                        <thead><tr>
                            <th>"#"</th>
                            <th>{move || t().contract}</th>
                            <th>{move || t().col_period}</th>
                            <th>{move || t().col_milestone}</th>
                            <th>{move || t().col_status}</th>
                            <th class="num">{move || t().col_total}</th>
                            <th>{move || t().col_grade}</th>
                        </tr></thead>
                        <tbody>
                            {reports.into_iter().map(|r| {
                                let status = r.status.clone();
                                let status_code = r.status.clone();
                                let grade = r.grade;
                                view! {
                                    <tr data-report=r.id.to_string()>
                                        <td><a href=href(paths::SERVICE_REPORT, r.id)>{r.id}</a></td>
                                        <td>{format!("{} · {}", r.contract_number, r.supplier)}</td>
                                        <td>{format!("{} – {}", r.period_from, r.period_to)}</td>
                                        <td>{r.milestone.clone().unwrap_or_default()}</td>
                                        <td><span class="tag" data-status=status_code>{move || i18n.t().services.report_status(&status)}</span></td>
                                        <td class="num">{r.total.map(|x| x.normalize().to_string()).unwrap_or_default()}</td>
                                        <td>{move || grade.map(|g| i18n.t().services.grade(g)).unwrap_or("")}</td>
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
fn ReportFormView(
    contracts: Vec<ContractChoice>,
    selected: Option<i64>,
    report: ServerAction<SubmitServiceReport>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let start = selected.filter(|s| contracts.iter().any(|c| c.id == *s)).or(contracts.first().map(|c| c.id));
    let form = RwSignal::new(ReportForm { contract_id: start.unwrap_or_default(), ..ReportForm::default() });
    let list = StoredValue::new(contracts);
    let current = move || {
        let id = form.with(|f| f.contract_id);
        list.with_value(|l| l.iter().find(|c| c.id == id).cloned())
    };
    let error = move || report.value().get().and_then(Result::err);
    let set = move |f: fn(&mut ReportForm, String)| move |ev| form.update(|x| f(x, event_target_value(&ev)));
    view! {
        <section class="panel" id="report-form-panel">
            <h2>{move || t().new_report}</h2>
            <form class="form-grid" id="report-form" on:submit=move |ev| { ev.prevent_default(); report.dispatch(SubmitServiceReport { form: form.get_untracked() }); }>
                <label class="wide"><span>{move || t().contract}</span>
                    <select name="contract_id" on:change=move |ev| form.update(|f| { f.contract_id = event_target_value(&ev).parse().unwrap_or_default(); f.milestone_id = None; f.statements.clear(); })>
                        {list.with_value(|l| l.iter().map(|c| view! { <option value=c.id.to_string() selected=Some(c.id) == start>{format!("{} · {}", c.number, c.title)}</option> }).collect_view())}
                    </select>
                </label>
                <label><span>{move || t().period_from}</span><input type="date" name="period_from" required on:input=set(|f, v| f.period_from = v) /></label>
                <label><span>{move || t().period_to}</span><input type="date" name="period_to" required on:input=set(|f, v| f.period_to = v) /></label>
                <label class="wide"><span>{move || t().col_milestone}</span>
                    <select name="milestone_id" on:change=move |ev| form.update(|f| f.milestone_id = event_target_value(&ev).parse().ok())>
                        <option value="">{move || t().milestone_none}</option>
                        {move || current().map(|c| c.open_milestones.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view())}
                    </select>
                </label>
                <label class="wide"><span>{move || t().summary}</span>
                    <textarea name="summary" rows="3" required maxlength="4000" on:input=set(|f, v| f.summary = v)></textarea></label>
                {move || current().map(|c| c.indicators.into_iter().enumerate().map(|(n, name)| view! {
                    <label class="wide"><span>{format!("{} · {name}", i18n.t().services.statement)}</span>
                        <textarea name="statement" rows="2" maxlength="2000" on:input=move |ev| form.update(|f| {
                            if f.statements.len() <= n { f.statements.resize(n + 1, String::new()); }
                            f.statements[n] = event_target_value(&ev);
                        })></textarea></label>
                }).collect_view())}
                <div class="page-actions"><button type="submit" class="button button-primary" id="report-submit">{move || t().submit_report}</button></div>
            </form>
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {move || matches!(report.value().get(), Some(Ok(_))).then(|| view! { <p class="form-ok" role="status">{i18n.t().services.saved}</p> })}
        </section>
    }
}

// --- One report ------------------------------------------------------------

/// A report: its lines, red flags and the review.
#[component]
pub fn ServiceReportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default());
    let review = ServerAction::<ReviewServiceReport>::new();
    let data = Resource::new(move || (id(), review.version().get()), |(id, _)| service_report_detail(id));
    view! {
        <Header />
        <ServiceTabs current=paths::SERVICES />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <ReportView d review /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReportView(d: ReportData, review: ServerAction<ReviewServiceReport>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let scores: Vec<RwSignal<String>> = d
        .lines
        .iter()
        .map(|l| {
            RwSignal::new(l.score.or(l.suggested).map(|s| s.normalize().to_string()).unwrap_or_default())
        })
        .collect();
    let comment = RwSignal::new(String::new());
    let (id, version) = (d.id, d.version);
    let open = d.status == "submitted" && d.may_review;
    let status = d.status.clone();
    let status_code = d.status.clone();
    let grade = d.grade;
    let error = move || review.value().get().and_then(Result::err);
    let scores2 = scores.clone();
    let send = move |accept: bool| {
        review.dispatch(ReviewServiceReport {
            id,
            version,
            accept,
            scores: scores2.iter().map(|s| s.get_untracked()).collect(),
            comment: comment.get_untracked(),
        });
    };
    view! {
        <section class="panel" id="report">
            <h2>{move || t().report_title}" #"{d.id}</h2>
            <dl class="facts">
                <dt>{move || t().contract}</dt><dd><a href=href(paths::CONTRACT, d.contract_id)>{format!("{} · {}", d.contract_number, d.contract_title)}</a></dd>
                <dt>{move || t().col_period}</dt><dd>{format!("{} – {}", d.period_from, d.period_to)}</dd>
                <dt>{move || t().col_milestone}</dt><dd>{d.milestone.clone().unwrap_or_default()}</dd>
                <dt>{move || t().records_in_period}</dt><dd id="report-records">{d.records}</dd>
                <dt>{move || t().col_status}</dt><dd><span class="tag" data-status=status_code id="report-status">{move || i18n.t().services.report_status(&status)}</span></dd>
                {d.total.map(|total| view! {
                    <dt>{move || t().col_total}</dt><dd id="report-total">{total.normalize().to_string()}" · "{move || grade.map(|g| i18n.t().services.grade(g)).unwrap_or("")}</dd>
                })}
                {d.review_comment.clone().map(|c| view! { <dt>{move || t().comment}</dt><dd>{c}</dd> })}
                {d.acceptance.clone().map(|(_, st)| view! { <dt>{move || t().acceptance_made}</dt><dd><span class="tag" data-status=st.clone() id="report-acceptance">{st.clone()}</span></dd> })}
            </dl>
            <p>{d.summary.clone()}</p>
            <div class="table-wrap">
                <table class="data-table" id="report-lines">
                    <thead><tr>
                        <th>{move || t().col_indicator}</th>
                        <th class="num">{move || t().col_weight}</th>
                        <th class="num">{move || t().measured}</th>
                        <th class="num">{move || t().col_due}</th>
                        <th class="num">{move || t().col_suggested}</th>
                        <th>{move || t().statement}</th>
                        <th class="num">{move || t().col_score}</th>
                    </tr></thead>
                    <tbody>
                        {d.lines.into_iter().zip(scores).map(|(l, score)| view! {
                            <tr>
                                <td>{l.name.clone()}<br /><small class="muted">{l.target.clone()}</small></td>
                                <td class="num">{l.weight.normalize().to_string()}</td>
                                <td class="num">{l.measured.map(|m| m.normalize().to_string()).unwrap_or_default()}</td>
                                <td class="num">{l.due.map(|m| m.normalize().to_string()).unwrap_or_default()}</td>
                                <td class="num">{l.suggested.map(|m| m.normalize().to_string()).unwrap_or_default()}</td>
                                <td>{l.statement.clone()}</td>
                                <td class="num">{if open {
                                    view! { <input type="text" inputmode="decimal" name="score" size="6" prop:value=move || score.get() on:input=move |ev| score.set(event_target_value(&ev)) /> }.into_any()
                                } else {
                                    view! { <span>{l.score.map(|s| s.normalize().to_string()).unwrap_or_default()}</span> }.into_any()
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        {d.may_review.then(|| view! { <Flags flags=d.flags.clone() names=d.names.clone() /> })}
        {open.then(|| view! {
            <section class="panel" id="review">
                <h2>{move || t().review_title}</h2>
                <label class="wide"><span>{move || t().comment}</span>
                    <textarea name="comment" rows="2" maxlength="2000" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea></label>
                <div class="page-actions">
                    <button type="button" class="button button-primary" id="review-accept" on:click={let send = send.clone(); move |_| send(true)}>{move || t().accept}</button>
                    <button type="button" class="button" id="review-return" on:click=move |_| send(false)>{move || t().return_report}</button>
                </div>
                {move || error().map(|e| view! { <ActionError error=e /> })}
            </section>
        })}
    }
}

// --- Recipients ------------------------------------------------------------

/// The recipients register.
#[component]
pub fn RecipientsPage() -> impl IntoView {
    let register = ServerAction::<RegisterRecipient>::new();
    let update = ServerAction::<UpdateRecipient>::new();
    let data =
        Resource::new(move || (register.version().get(), update.version().get()), |_| recipient_list());
    view! {
        <Header />
        <ServiceTabs current=paths::RECIPIENTS />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Recipients d register update /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Recipients(
    d: RecipientsData,
    register: ServerAction<RegisterRecipient>,
    update: ServerAction<UpdateRecipient>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let RecipientsData { recipients, towns, may_edit } = d;
    let empty = recipients.is_empty();
    let update_error = move || update.value().get().and_then(Result::err);
    view! {
        <section class="panel">
            <h2>{move || t().recipients_title}</h2>
            {move || update_error().map(|e| view! { <ActionError error=e /> })}
            {empty.then(|| view! { <p class="muted">{move || t().no_recipients}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="recipients-table">
                        <thead><tr>
                            <th>{move || t().col_name}</th>
                            <th>{move || t().col_id_number}</th>
                            <th>{move || t().col_category}</th>
                            <th>{move || t().col_priority}</th>
                            <th>{move || t().col_town}</th>
                            <th>{move || t().col_village}</th>
                            <th>{move || t().col_address}</th>
                            {may_edit.then(|| view! { <th></th> })}
                        </tr></thead>
                        <tbody>
                            {recipients.into_iter().map(|r| {
                                let category = r.category;
                                let priority = r.priority.clone();
                                view! {
                                    <tr data-recipient=r.id.to_string() class:inactive=!r.active>
                                        <td>{r.name.clone()}{(!r.active).then(|| view! { " "<span class="tag">{move || t().inactive}</span> })}</td>
                                        <td class="mono">{r.id_number.clone()}</td>
                                        <td>{move || category.map(|c| i18n.t().services.category(c)).unwrap_or("")}</td>
                                        <td>{move || priority.iter().map(|p| i18n.t().services.priority(*p)).collect::<Vec<_>>().join("、")}</td>
                                        <td>{r.town.clone()}</td>
                                        <td>{r.village.clone()}</td>
                                        <td>{r.address.clone()}</td>
                                        {may_edit.then(|| view! { <td><RecipientEdit r=r.clone() update /></td> })}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
        {may_edit.then(|| view! { <RecipientFormView towns register /> })}
    }
}

/// A person's priority groups and status, changed in place.
#[component]
fn RecipientEdit(
    r: crate::api::services::RecipientView,
    update: ServerAction<UpdateRecipient>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let priority = RwSignal::new(r.priority.clone());
    let active = RwSignal::new(r.active);
    let (id, version) = (r.id, r.version);
    view! {
        <details class="inline-edit">
            <summary>{move || t().edit}</summary>
            <form on:submit=move |ev| {
                ev.prevent_default();
                let list = priority.get_untracked().iter().map(|p| p.code().to_owned()).collect();
                update.dispatch(UpdateRecipient { id, version, priority: list, active: active.get_untracked() });
            }>
                {Priority::ALL.into_iter().map(|p| view! {
                    <label class="check"><input type="checkbox" name="priority" value=p.code()
                        prop:checked=move || priority.with(|l| l.contains(&p))
                        on:change=move |ev| { let on = event_target_checked(&ev); priority.update(|l| { l.retain(|x| *x != p); if on { l.push(p); } }); } />
                        {move || i18n.t().services.priority(p)}</label>
                }).collect_view()}
                <label class="check"><input type="checkbox" name="active" prop:checked=move || active.get()
                    on:change=move |ev| active.set(event_target_checked(&ev)) />{move || t().still_assisted}</label>
                <button type="submit" class="button button-small">{move || t().save}</button>
            </form>
        </details>
    }
}

#[component]
fn RecipientFormView(towns: Vec<(i64, String)>, register: ServerAction<RegisterRecipient>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().services;
    let form = RwSignal::new(RecipientForm {
        category: Category::Dibao.code().into(),
        town_id: towns.first().map(|t| t.0),
        ..RecipientForm::default()
    });
    let error = move || register.value().get().and_then(Result::err);
    let set =
        move |f: fn(&mut RecipientForm, String)| move |ev| form.update(|x| f(x, event_target_value(&ev)));
    view! {
        <section class="panel" id="recipient-form-panel">
            <h2>{move || t().new_recipient}</h2>
            <form class="form-grid" id="recipient-form" on:submit=move |ev| { ev.prevent_default(); register.dispatch(RegisterRecipient { form: form.get_untracked() }); }>
                <label><span>{move || t().col_name}</span><input type="text" name="name" required maxlength="50" on:input=set(|f, v| f.name = v) /></label>
                <label><span>{move || t().col_id_number}</span><input type="text" name="id_number" required maxlength="18" on:input=set(|f, v| f.id_number = v) /></label>
                <label><span>{move || t().col_category}</span>
                    <select name="category" on:change=set(|f, v| f.category = v)>
                        {Category::ALL.into_iter().map(|c| view! { <option value=c.code()>{move || i18n.t().services.category(c)}</option> }).collect_view()}
                    </select></label>
                <fieldset class="wide"><legend>{move || t().col_priority}</legend>
                    {Priority::ALL.into_iter().map(|p| view! {
                        <label class="check"><input type="checkbox" name="priority" value=p.code() on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            form.update(|f| { f.priority.retain(|x| x != p.code()); if on { f.priority.push(p.code().into()); } });
                        } />{move || i18n.t().services.priority(p)}</label>
                    }).collect_view()}
                </fieldset>
                <label><span>{move || t().col_town}</span>
                    <select name="town_id" on:change=move |ev| form.update(|f| f.town_id = event_target_value(&ev).parse().ok())>
                        {towns.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select></label>
                <label><span>{move || t().col_village}</span><input type="text" name="village" required maxlength="100" on:input=set(|f, v| f.village = v) /></label>
                <label class="wide"><span>{move || t().col_address}</span><input type="text" name="address" maxlength="200" on:input=set(|f, v| f.address = v) /></label>
                <div class="page-actions"><button type="submit" class="button button-primary" id="recipient-submit">{move || t().register}</button></div>
            </form>
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {move || matches!(register.value().get(), Some(Ok(_))).then(|| view! { <p class="form-ok" role="status">{i18n.t().services.saved}</p> })}
        </section>
    }
}
