//! 购买服务合同: the contracts and procurement projects, the supplier
//! register, one project (bids, award, the contract draft) and one
//! contract (milestones, acceptance, payment, amendments). Pages only
//! present; every rule is checked on the server, and the draft form shows
//! the same sums the server checks as the user types.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use rust_decimal::Decimal;

use crate::api::contracts::ContractStep as Step;
use crate::api::contracts::{
    AcceptMilestone, AddBid, AdvanceContract, AwardProject, BlacklistSupplier, CancelProject, ContractData,
    ContractForm, ContractView, ContractsData, CreateProject, IndicatorForm, ItemForm, MilestoneForm,
    ProjectData, ProjectForm, ProjectView, ProposeAmendment, QualificationForm, RequestMilestonePayment,
    SaveContract, SaveSupplier, SupplierView, SuppliersData, bands_text, contract_detail, contracts_overview,
    project_detail, supplier_list,
};
use crate::components::common::{ActionError, ErrorPanel};
use crate::domain::contract::{ContractStatus, ContractTemplate, ItemInput};
use crate::domain::procurement::{CATALOGUE, Method, ProjectStatus, catalogue_item};
use crate::domain::supplier::{OrgType, SupplierInput};
use crate::format::yuan;
use crate::i18n::use_i18n;
use crate::policy::paths;

fn href(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
}

#[component]
fn ContractTabs(current: &'static str) -> impl IntoView {
    const TABS: &[crate::components::common::Tab] = &[
        (paths::CONTRACTS, |t| t.contracts.tab_contracts),
        (paths::SUPPLIERS, |t| t.contracts.tab_suppliers),
    ];
    view! { <crate::components::common::Tabs current label=|t| t.contracts.title tabs=TABS /> }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t().contracts.title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().contracts.title}</h1>
                <p class="muted">{move || i18n.t().contracts.help}</p>
            </div>
            <div class="page-actions">
                <a class="button" href=paths::OCDS_DOWNLOAD download="ocds-release-package.json">{move || i18n.t().contracts.ocds_download}</a>
            </div>
        </header>
    }
}

fn status_tag(s: Option<ContractStatus>) -> impl IntoView {
    let i18n = use_i18n();
    let code = s.map(ContractStatus::code).unwrap_or("unknown");
    view! { <span class="tag" data-status=code>{move || s.map(|s| i18n.t().contracts.status(s)).unwrap_or("?")}</span> }
}

fn item_name(code: &str) -> impl Fn() -> String + Send + Sync + use<> {
    let i18n = use_i18n();
    let code = code.to_owned();
    move || {
        catalogue_item(&code).map(|i| i18n.t().contracts.item(i).to_owned()).unwrap_or_else(|| code.clone())
    }
}

#[component]
fn ContractTable(contracts: Vec<ContractView>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    if contracts.is_empty() {
        return view! { <p class="muted">{move || t().no_contracts}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data-table" id="contracts-table">
                <thead><tr>
                    <th>{move || t().col_number}</th>
                    <th>{move || t().col_title}</th>
                    <th>{move || t().col_supplier}</th>
                    <th class="num">{move || t().col_amount}</th>
                    <th>{move || t().col_term}</th>
                    <th>{move || t().col_status}</th>
                </tr></thead>
                <tbody>
                    {contracts.into_iter().map(|c| view! {
                        <tr data-contract=c.number.clone()>
                            <td><a href=href(paths::CONTRACT, c.id)>{c.number.clone()}</a></td>
                            <td>{c.title.clone()}</td>
                            <td>{c.supplier.clone()}</td>
                            <td class="num">{yuan(c.current_amount)}</td>
                            <td>{format!("{} – {}", c.start_on, c.current_end_on)}</td>
                            <td>{status_tag(c.status)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Contracts and procurement projects.
#[component]
pub fn ContractsPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let data = Resource::new(move || create.version().get(), |_| contracts_overview());
    view! {
        <Header />
        <ContractTabs current=paths::CONTRACTS />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <Overview o create /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Overview(o: ContractsData, create: ServerAction<CreateProject>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    let ContractsData { contracts, projects, sources, town_requests, may_edit } = o;
    let empty = projects.is_empty();
    view! {
        <section class="panel">
            <h2>{move || t().contracts_title}</h2>
            <ContractTable contracts />
        </section>
        <section class="panel">
            <h2>{move || t().projects_title}</h2>
            {empty.then(|| view! { <p class="muted">{move || t().no_projects}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="projects-table">
                        <thead><tr>
                            <th>{move || t().col_code}</th>
                            <th>{move || t().col_title}</th>
                            <th>{move || t().col_item}</th>
                            <th>{move || t().col_method}</th>
                            <th class="num">{move || t().col_budget}</th>
                            <th>{move || t().col_award}</th>
                            <th>{move || t().col_status}</th>
                        </tr></thead>
                        <tbody>
                            {projects.into_iter().map(project_row).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
        {may_edit.then(|| view! { <ProjectFormView sources town_requests create /> })}
    }
}

fn project_row(p: ProjectView) -> impl IntoView {
    let i18n = use_i18n();
    let method = p.method;
    let status = p.status;
    view! {
        <tr data-project=p.code.clone()>
            <td><a href=href(paths::PROJECT, p.id)>{p.code.clone()}</a></td>
            <td>{p.title.clone()}{p.town.clone().map(|t| view! { <br /><small class="muted">{t}</small> })}</td>
            <td>{item_name(&p.item_code)}</td>
            <td>{move || method.map(|m| i18n.t().contracts.method(m)).unwrap_or("?")}</td>
            <td class="num">{yuan(p.budget)}</td>
            <td>{p.award_supplier.clone().map(|(_, n)| n).unwrap_or_default()}" "{p.award_amount.map(yuan).unwrap_or_default()}</td>
            <td><span class="tag" data-status=status.map(ProjectStatus::code).unwrap_or("?")>
                {move || status.map(|s| i18n.t().contracts.project_status(s)).unwrap_or("?")}</span></td>
        </tr>
    }
}

#[component]
fn ProjectFormView(
    sources: Vec<(i64, String, Decimal)>,
    town_requests: Vec<(i64, String, Decimal)>,
    create: ServerAction<CreateProject>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    let form = RwSignal::new(ProjectForm {
        item_code: CATALOGUE[0].code.to_owned(),
        method: Method::OpenTender.code().to_owned(),
        ..ProjectForm::default()
    });
    let amounts: Vec<RwSignal<String>> = sources.iter().map(|_| RwSignal::new(String::new())).collect();
    let ids: Vec<i64> = sources.iter().map(|s| s.0).collect();
    let town = move || form.with(|f| f.budget_request_id.is_some());
    let error = move || create.value().get().and_then(Result::err);
    let set = move |f: fn(&mut ProjectForm, String)| move |ev| form.update(|x| f(x, event_target_value(&ev)));
    let amounts2 = amounts.clone();
    view! {
        <section class="panel">
            <h2>{move || t().new_project}</h2>
            <form class="form-grid" id="project-form" on:submit=move |ev| {
                ev.prevent_default();
                let mut f = form.get_untracked();
                f.funding = ids.iter().zip(&amounts2).map(|(id, a)| (*id, a.get_untracked())).collect();
                create.dispatch(CreateProject { form: f });
            }>
                <label class="wide">
                    <span>{move || t().town_request}</span>
                    <select name="budget_request_id" on:change=move |ev| form.update(|f| f.budget_request_id = event_target_value(&ev).parse().ok())>
                        <option value="">{move || t().town_request_none}</option>
                        {town_requests.into_iter().map(|(id, title, amount)| view! {
                            <option value=id.to_string()>{format!("{title} · {}", yuan(amount))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="wide">
                    <span>{move || t().project_title}</span>
                    <input type="text" name="title" required maxlength="200" on:input=set(|f, v| f.title = v) />
                </label>
                <label>
                    <span>{move || t().item}</span>
                    <select name="item_code" on:change=set(|f, v| f.item_code = v)>
                        {CATALOGUE.iter().map(|i| view! {
                            <option value=i.code>{move || format!("{} · {}", i18n.t().contracts.item(i), if i18n.t().contracts.item(i) == i.zh { i.category.zh() } else { i.category.en() })}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || t().method}</span>
                    <select name="method" on:change=set(|f, v| f.method = v)>
                        {Method::ALL.into_iter().map(|m| view! { <option value=m.code()>{move || i18n.t().contracts.method(m)}</option> }).collect_view()}
                    </select>
                </label>
                <label class="wide">
                    <span>{move || t().justification}</span>
                    <textarea name="justification" rows="2" maxlength="1000" on:input=set(|f, v| f.justification = v)></textarea>
                    <small class="muted">{move || t().justification_help}</small>
                </label>
                <label>
                    <span>{move || t().planned_on}</span>
                    <input type="date" name="planned_on" required on:input=set(|f, v| f.planned_on = v) />
                </label>
                <label>
                    <span>{move || t().tender_opens}</span>
                    <input type="date" name="tender_opens" on:input=set(|f, v| f.tender_opens = v) />
                </label>
                <label>
                    <span>{move || t().tender_closes}</span>
                    <input type="date" name="tender_closes" on:input=set(|f, v| f.tender_closes = v) />
                </label>
                <label class:hidden=town>
                    <span>{move || t().budget}</span>
                    <input type="text" inputmode="decimal" name="budget" on:input=set(|f, v| f.budget = v) />
                </label>
                <fieldset class="wide" class:hidden=town>
                    <legend>{move || t().funding}</legend>
                    <small class="muted">{move || t().funding_help}</small>
                    {sources.into_iter().zip(amounts).map(|((id, name, available), amount)| view! {
                        <label>
                            <span>{format!("{name} ")}<small class="muted">{move || format!("({} {})", i18n.t().contracts.available, yuan(available))}</small></span>
                            <input type="text" inputmode="decimal" name=format!("funding-{id}") prop:value=move || amount.get()
                                on:input=move |ev| amount.set(event_target_value(&ev)) />
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="page-actions">
                    <button type="submit" class="button button-primary" id="project-submit">{move || t().create}</button>
                </div>
            </form>
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {move || matches!(create.value().get(), Some(Ok(_))).then(|| view! { <p class="form-ok" role="status">{i18n.t().contracts.saved}</p> })}
        </section>
    }
}

// --- Suppliers -----------------------------------------------------------

/// The supplier register.
#[component]
pub fn SuppliersPage() -> impl IntoView {
    let save = ServerAction::<SaveSupplier>::new();
    let blacklist = ServerAction::<BlacklistSupplier>::new();
    let data = Resource::new(move || (save.version().get(), blacklist.version().get()), |_| supplier_list());
    view! {
        <Header />
        <ContractTabs current=paths::SUPPLIERS />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => view! { <Suppliers list save blacklist /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Suppliers(
    list: SuppliersData,
    save: ServerAction<SaveSupplier>,
    blacklist: ServerAction<BlacklistSupplier>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    let SuppliersData { suppliers, may_edit } = list;
    let editing = RwSignal::new(None::<SupplierView>);
    let blacklist_error = move || blacklist.value().get().and_then(Result::err);
    let empty = suppliers.is_empty();
    view! {
        <section class="panel">
            <h2>{move || t().suppliers_title}</h2>
            {move || blacklist_error().map(|e| view! { <ActionError error=e /> })}
            {empty.then(|| view! { <p class="muted">{move || t().no_suppliers}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="suppliers-table">
                        <thead><tr>
                            <th>{move || t().col_supplier}</th>
                            <th>{move || t().credit_code}</th>
                            <th>{move || t().org_type}</th>
                            <th>{move || t().legal_rep}</th>
                            <th>{move || t().qualifications}</th>
                            <th>{move || t().col_status}</th>
                            <th></th>
                        </tr></thead>
                        <tbody>
                            {suppliers.into_iter().map(|s| {
                                let reason = RwSignal::new(String::new());
                                let (id, version, listed) = (s.id, s.version, s.blacklist_reason.is_some());
                                let org = s.org_type;
                                let edit = s.clone();
                                let ineligible = s.ineligible.clone();
                                view! {
                                    <tr data-supplier=s.credit_code.clone()>
                                        <td><strong>{s.name.clone()}</strong><br /><small class="muted">{s.address.clone()}</small></td>
                                        <td><code>{s.credit_code.clone()}</code></td>
                                        <td>{move || org.map(|o| i18n.t().contracts.org_type(o)).unwrap_or("—")}</td>
                                        <td>{s.legal_representative.clone()}</td>
                                        <td>{s.qualifications.iter().map(|q| view! {
                                            <div>{q.name.clone()}" "<small class="muted">{q.expires_on.map(|d| d.to_string()).unwrap_or_default()}</small></div>
                                        }).collect_view()}</td>
                                        <td class="supplier-standing">{match ineligible {
                                            None => view! { <span class="tag tag-ok">{move || i18n.t().contracts.eligible}</span> }.into_any(),
                                            Some(i) => {
                                                let text = i18n.t().contracts.problem(&crate::domain::contract::ContractFault::Ineligible(i));
                                                let title = text.clone();
                                                view! { <span class="tag tag-pending" title=title>{text}</span> }.into_any()
                                            }
                                        }}</td>
                                        <td>{may_edit.then(|| view! {
                                            <button type="button" class="button button-small" on:click=move |_| editing.set(Some(edit.clone()))>{move || i18n.t().contracts.edit}</button>
                                            {if listed {
                                                view! {
                                                    <button type="button" class="button button-small action-unblacklist"
                                                        on:click=move |_| { blacklist.dispatch(BlacklistSupplier { id, version, reason: None }); }>
                                                        {move || i18n.t().contracts.unblacklist}
                                                    </button>
                                                }.into_any()
                                            } else {
                                                view! {
                                                    <input type="text" class="input-small" name="blacklist_reason" placeholder=move || i18n.t().contracts.reason
                                                        on:input=move |ev| reason.set(event_target_value(&ev)) />
                                                    <button type="button" class="button button-small action-blacklist"
                                                        on:click=move |_| { blacklist.dispatch(BlacklistSupplier { id, version, reason: Some(reason.get_untracked()) }); }>
                                                        {move || i18n.t().contracts.blacklist}
                                                    </button>
                                                }.into_any()
                                            }}
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
        {may_edit.then(|| view! {
            {move || {
                let current = editing.get();
                view! { <SupplierFormView current save /> }
            }}
        })}
    }
}

#[component]
fn SupplierFormView(current: Option<SupplierView>, save: ServerAction<SaveSupplier>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    let (id, version) = current.as_ref().map(|s| (Some(s.id), s.version)).unwrap_or((None, 0));
    let input = RwSignal::new(current.as_ref().map_or_else(
        || SupplierInput {
            org_type: OrgType::SocialOrganisation.code().to_owned(),
            ..SupplierInput::default()
        },
        |s| SupplierInput {
            name: s.name.clone(),
            credit_code: s.credit_code.clone(),
            org_type: s.org_type.map(OrgType::code).unwrap_or_default().to_owned(),
            legal_representative: s.legal_representative.clone(),
            contact_name: s.contact_name.clone(),
            contact_phone: s.contact_phone.clone(),
            address: s.address.clone(),
            bank_name: s.bank_name.clone(),
            bank_account: s.bank_account.clone(),
        },
    ));
    let mut quals: Vec<QualificationForm> = current
        .as_ref()
        .map(|s| {
            s.qualifications
                .iter()
                .map(|q| QualificationForm {
                    name: q.name.clone(),
                    number: q.number.clone(),
                    expires_on: q.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    quals.push(QualificationForm::default());
    let quals = RwSignal::new(quals);
    let error = move || save.value().get().and_then(Result::err);
    let field = move |label: fn(&crate::i18n::contracts::ContractText) -> &'static str,
                      name: &'static str,
                      get: fn(&SupplierInput) -> String,
                      put: fn(&mut SupplierInput, String)| {
        view! {
            <label>
                <span>{move || label(i18n.t().contracts)}</span>
                <input type="text" name=name maxlength="200" prop:value=move || input.with(get)
                    on:input=move |ev| input.update(|i| put(i, event_target_value(&ev))) />
            </label>
        }
    };
    view! {
        <section class="panel">
            <h2>{move || if id.is_some() { t().edit } else { t().new_supplier }}</h2>
            <form class="form-grid" id="supplier-form" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveSupplier { id, version, input: input.get_untracked(), qualifications: quals.get_untracked() });
            }>
                {field(|t| t.col_supplier, "name", |i| i.name.clone(), |i, v| i.name = v)}
                {field(|t| t.credit_code, "credit_code", |i| i.credit_code.clone(), |i, v| i.credit_code = v)}
                <label>
                    <span>{move || t().org_type}</span>
                    <select name="org_type" on:change=move |ev| input.update(|i| i.org_type = event_target_value(&ev))>
                        {OrgType::allowed().map(|o| view! {
                            <option value=o.code() selected=move || input.with(|i| i.org_type == o.code())>{move || i18n.t().contracts.org_type(o)}</option>
                        }).collect_view()}
                    </select>
                </label>
                {field(|t| t.legal_rep, "legal_representative", |i| i.legal_representative.clone(), |i, v| i.legal_representative = v)}
                {field(|t| t.contact, "contact_name", |i| i.contact_name.clone(), |i, v| i.contact_name = v)}
                {field(|t| t.phone, "contact_phone", |i| i.contact_phone.clone(), |i, v| i.contact_phone = v)}
                {field(|t| t.address, "address", |i| i.address.clone(), |i, v| i.address = v)}
                {field(|t| t.bank, "bank_name", |i| i.bank_name.clone(), |i, v| i.bank_name = v)}
                {field(|t| t.bank_account, "bank_account", |i| i.bank_account.clone(), |i, v| i.bank_account = v)}
                <fieldset class="wide">
                    <legend>{move || t().qualifications}</legend>
                    {move || (0..quals.with(Vec::len)).map(|n| view! {
                        <div class="row-inputs">
                            <input type="text" name="qual_name" placeholder=move || i18n.t().contracts.qual_name
                                prop:value=move || quals.with(|q| q.get(n).map(|x| x.name.clone()).unwrap_or_default())
                                on:input=move |ev| quals.update(|q| if let Some(x) = q.get_mut(n) { x.name = event_target_value(&ev) }) />
                            <input type="text" name="qual_number" placeholder=move || i18n.t().contracts.qual_number
                                prop:value=move || quals.with(|q| q.get(n).map(|x| x.number.clone()).unwrap_or_default())
                                on:input=move |ev| quals.update(|q| if let Some(x) = q.get_mut(n) { x.number = event_target_value(&ev) }) />
                            <input type="date" name="qual_expires" title=move || i18n.t().contracts.expires_on
                                prop:value=move || quals.with(|q| q.get(n).map(|x| x.expires_on.clone()).unwrap_or_default())
                                on:input=move |ev| quals.update(|q| if let Some(x) = q.get_mut(n) { x.expires_on = event_target_value(&ev) }) />
                        </div>
                    }).collect_view()}
                    <button type="button" class="button button-small" on:click=move |_| quals.update(|q| q.push(QualificationForm::default()))>{move || t().add_row}</button>
                </fieldset>
                <div class="page-actions">
                    <button type="submit" class="button button-primary" id="supplier-submit">{move || t().save}</button>
                </div>
            </form>
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <p class="form-ok" role="status" id="supplier-ok">{i18n.t().contracts.saved}</p> })}
        </section>
    }
}

// --- One project ---------------------------------------------------------

/// One procurement project: funding, bids, award, the contract draft.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let bid = ServerAction::<AddBid>::new();
    let award = ServerAction::<AwardProject>::new();
    let cancel = ServerAction::<CancelProject>::new();
    let save = ServerAction::<SaveContract>::new();
    let data = Resource::new(
        move || {
            (id(), bid.version().get(), award.version().get(), cancel.version().get(), save.version().get())
        },
        |(id, ..)| project_detail(id),
    );
    view! {
        <Header />
        <ContractTabs current=paths::CONTRACTS />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Project d bid award cancel save /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Project(
    d: ProjectData,
    bid: ServerAction<AddBid>,
    award: ServerAction<AwardProject>,
    cancel: ServerAction<CancelProject>,
    save: ServerAction<SaveContract>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    let ProjectData { project: p, funding, bids, contracts, suppliers, may_draft, may_edit } = d;
    let planning = p.status == Some(ProjectStatus::Planning);
    let (pid, version) = (p.id, p.version);
    let method = p.method;
    let bid_form = (
        RwSignal::new(suppliers.first().map(|s| s.0).unwrap_or(0)),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let award_form = (
        RwSignal::new(bids.first().map(|b| b.supplier_id).unwrap_or(0)),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let cancel_reason = RwSignal::new(String::new());
    let err = move || {
        bid.value()
            .get()
            .and_then(Result::err)
            .or_else(|| award.value().get().and_then(Result::err))
            .or_else(|| cancel.value().get().and_then(Result::err))
    };
    let bidders: Vec<(i64, String)> = bids.iter().map(|b| (b.supplier_id, b.supplier.clone())).collect();
    let item_code = p.item_code.clone();
    view! {
        <section class="panel" id="project">
            <h2>{p.code.clone()}" "{p.title.clone()}</h2>
            <dl class="facts">
                <dt>{move || t().item}</dt><dd>{item_name(&p.item_code)}</dd>
                <dt>{move || t().method}</dt><dd>{move || method.map(|m| i18n.t().contracts.method(m)).unwrap_or("?")}</dd>
                {(!p.justification.is_empty()).then(|| view! { <dt>{move || t().justification}</dt><dd>{p.justification.clone()}</dd> })}
                <dt>{move || t().col_budget}</dt><dd>{yuan(p.budget)}</dd>
                <dt>{move || t().key_dates}</dt>
                <dd>{format!("{} · {} – {}", p.planned_on, p.tender_opens.map(|d| d.to_string()).unwrap_or_default(), p.tender_closes.map(|d| d.to_string()).unwrap_or_default())}</dd>
                <dt>{move || t().funding}</dt>
                <dd>{funding.into_iter().map(|(name, amount)| view! { <div>{name}" "{yuan(amount)}</div> }).collect_view()}</dd>
                {p.award_supplier.clone().map(|(_, name)| view! {
                    <dt>{move || t().col_award}</dt>
                    <dd id="award">{name}" · "{p.award_amount.map(yuan).unwrap_or_default()}" · "{p.award_on.map(|d| d.to_string()).unwrap_or_default()}<br /><small>{p.award_reason.clone().unwrap_or_default()}</small></dd>
                })}
                {p.cancel_reason.clone().map(|r| view! { <dt>{move || t().cancel_reason}</dt><dd>{r}</dd> })}
            </dl>
        </section>
        <section class="panel">
            <h2>{move || t().bids_title}</h2>
            {move || err().map(|e| view! { <ActionError error=e /> })}
            {bids.is_empty().then(|| view! { <p class="muted">{move || t().no_bids}</p> })}
            {(!bids.is_empty()).then(|| view! {
                <table class="data-table" id="bids-table">
                    <thead><tr><th>{move || t().col_supplier}</th><th>{move || t().credit_code}</th><th class="num">{move || t().col_amount}</th><th>{move || t().received_on}</th><th>{move || t().note}</th></tr></thead>
                    <tbody>{bids.into_iter().map(|b| view! {
                        <tr><td>{b.supplier}</td><td><code>{b.credit_code}</code></td><td class="num">{yuan(b.amount)}</td><td>{b.received_on.to_string()}</td><td>{b.note}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            })}
            {(may_edit && planning).then(|| {
                let (s, a, on, note) = bid_form;
                view! {
                    <form class="form-inline" id="bid-form" on:submit=move |ev| {
                        ev.prevent_default();
                        bid.dispatch(AddBid { project_id: pid, supplier_id: s.get_untracked(), amount: a.get_untracked(), received_on: on.get_untracked(), note: note.get_untracked() });
                    }>
                        <select name="supplier_id" on:change=move |ev| s.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {suppliers.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                        <input type="text" inputmode="decimal" name="amount" placeholder=move || i18n.t().contracts.col_amount on:input=move |ev| a.set(event_target_value(&ev)) />
                        <input type="date" name="received_on" on:input=move |ev| on.set(event_target_value(&ev)) />
                        <input type="text" name="note" placeholder=move || i18n.t().contracts.note on:input=move |ev| note.set(event_target_value(&ev)) />
                        <button type="submit" class="button" id="bid-submit">{move || t().add_bid}</button>
                    </form>
                }
            })}
            {(may_edit && planning && !bidders.is_empty()).then(|| {
                let (s, a, on, reason) = award_form;
                view! {
                    <form class="form-inline" id="award-form" on:submit=move |ev| {
                        ev.prevent_default();
                        award.dispatch(AwardProject { project_id: pid, version, supplier_id: s.get_untracked(), amount: a.get_untracked(), award_on: on.get_untracked(), reason: reason.get_untracked() });
                    }>
                        <select name="supplier_id" on:change=move |ev| s.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {bidders.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                        <input type="text" inputmode="decimal" name="amount" placeholder=move || i18n.t().contracts.col_amount on:input=move |ev| a.set(event_target_value(&ev)) />
                        <input type="date" name="award_on" on:input=move |ev| on.set(event_target_value(&ev)) />
                        <input type="text" name="reason" placeholder=move || i18n.t().contracts.award_reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                        <button type="submit" class="button button-primary" id="award-submit">{move || t().award}</button>
                    </form>
                }
            })}
            {(may_edit && planning).then(|| view! {
                <form class="form-inline" id="cancel-form" on:submit=move |ev| {
                    ev.prevent_default();
                    cancel.dispatch(CancelProject { project_id: pid, version, reason: cancel_reason.get_untracked() });
                }>
                    <input type="text" name="reason" placeholder=move || i18n.t().contracts.cancel_reason on:input=move |ev| cancel_reason.set(event_target_value(&ev)) />
                    <button type="submit" class="button">{move || t().cancel}</button>
                </form>
            })}
        </section>
        <section class="panel">
            <h2>{move || t().contracts_title}</h2>
            <ContractTable contracts />
        </section>
        {(may_edit && may_draft).then(|| {
            let template = if catalogue_item(&item_code).is_some_and(|i| i.category == crate::domain::procurement::ItemCategory::Posts) {
                ContractTemplate::AssistantPosts
            } else {
                ContractTemplate::SocialWorkServices
            };
            let form = ContractForm {
                title: p.title.clone(),
                template: template.code().to_owned(),
                amount: p.award_amount.map(|a| a.to_string()).unwrap_or_default(),
                items: vec![ItemForm { item_code: item_code.clone(), ..ItemForm::default() }],
                milestones: vec![MilestoneForm::default()],
                indicators: vec![IndicatorForm::default()],
                breach_clauses: vec![String::new()],
                ..ContractForm::default()
            };
            view! { <ContractFormView project_id=pid contract_id=None version=0 form save /> }
        })}
    }
}

/// The draft form: rows for items, milestones, indicators and clauses,
/// with the sums the server checks shown as the user types.
#[component]
fn ContractFormView(
    project_id: i64,
    contract_id: Option<i64>,
    version: i32,
    form: ContractForm,
    save: ServerAction<SaveContract>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    let f = RwSignal::new(form);
    let error = move || save.value().get().and_then(Result::err);
    let items_total = move || {
        f.with(|f| {
            f.items
                .iter()
                .filter_map(|i| {
                    let q = i.quantity.trim().parse::<Decimal>().ok()?;
                    let p = crate::domain::money::parse_yuan(&i.unit_price).ok()?;
                    Some(
                        ItemInput {
                            item_code: String::new(),
                            description: String::new(),
                            quantity: q,
                            unit_price: p,
                            indicator: String::new(),
                        }
                        .amount(),
                    )
                })
                .sum::<Decimal>()
        })
    };
    let percent_total = move || {
        f.with(|f| {
            f.milestones.iter().filter_map(|m| m.percent.trim().parse::<Decimal>().ok()).sum::<Decimal>()
        })
    };
    let text = move |get: fn(&ContractForm) -> String, put: fn(&mut ContractForm, String)| {
        (move || f.with(get), move |ev| f.update(|x| put(x, event_target_value(&ev))))
    };
    macro_rules! cell {
        ($list:ident, $n:ident, $field:ident, $kind:literal, $name:literal) => {
            view! {
                <input type=$kind name=$name
                    prop:value=move || f.with(|x| x.$list.get($n).map(|r| r.$field.clone()).unwrap_or_default())
                    on:input=move |ev| f.update(|x| if let Some(r) = x.$list.get_mut($n) { r.$field = event_target_value(&ev) }) />
            }
        };
    }
    let (title_get, title_set) = text(|x| x.title.clone(), |x, v| x.title = v);
    let (amount_get, amount_set) = text(|x| x.amount.clone(), |x, v| x.amount = v);
    let (start_get, start_set) = text(|x| x.start_on.clone(), |x, v| x.start_on = v);
    let (end_get, end_set) = text(|x| x.end_on.clone(), |x, v| x.end_on = v);
    let (just_get, just_set) = text(|x| x.term_justification.clone(), |x, v| x.term_justification = v);
    view! {
        <section class="panel" id="contract-draft">
            <h2>{move || if contract_id.is_some() { t().edit_draft } else { t().draft_contract }}</h2>
            <form class="form-grid" id="contract-form" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveContract { project_id, contract_id, version, form: f.get_untracked() });
            }>
                <label class="wide"><span>{move || t().col_title}</span>
                    <input type="text" name="title" required maxlength="200" prop:value=title_get on:input=title_set /></label>
                <label><span>{move || t().template}</span>
                    <select name="template" on:change=move |ev| f.update(|x| x.template = event_target_value(&ev))>
                        {ContractTemplate::ALL.into_iter().map(|c| view! {
                            <option value=c.code() selected=move || f.with(|x| x.template == c.code())>{move || i18n.t().contracts.template(c)}</option>
                        }).collect_view()}
                    </select></label>
                <label><span>{move || t().amount}</span>
                    <input type="text" inputmode="decimal" name="amount" required prop:value=amount_get on:input=amount_set /></label>
                <label><span>{move || t().start_on}</span>
                    <input type="date" name="start_on" required prop:value=start_get on:input=start_set /></label>
                <label><span>{move || t().end_on}</span>
                    <input type="date" name="end_on" required prop:value=end_get on:input=end_set /></label>
                <label class="wide"><span>{move || t().term_justification}</span>
                    <textarea name="term_justification" rows="2" prop:value=just_get on:input=just_set></textarea>
                    <small class="muted">{move || t().term_help}</small></label>
                <fieldset class="wide" id="items">
                    <legend>{move || t().items_title}</legend>
                    {move || (0..f.with(|x| x.items.len())).map(|n| view! {
                        <div class="row-inputs">
                            <select name="item_code" on:change=move |ev| f.update(|x| if let Some(r) = x.items.get_mut(n) { r.item_code = event_target_value(&ev) })>
                                {CATALOGUE.iter().map(|i| view! {
                                    <option value=i.code selected=move || f.with(|x| x.items.get(n).is_some_and(|r| r.item_code == i.code))>
                                        {move || format!("{} ({})", i18n.t().contracts.item(i), i18n.t().contracts.unit_of(i))}
                                    </option>
                                }).collect_view()}
                            </select>
                            {cell!(items, n, description, "text", "description")}
                            {cell!(items, n, quantity, "text", "quantity")}
                            {cell!(items, n, unit_price, "text", "unit_price")}
                            {cell!(items, n, indicator, "text", "indicator")}
                            <button type="button" class="button button-small" on:click=move |_| f.update(|x| { if x.items.len() > 1 { x.items.remove(n); } })>{move || i18n.t().contracts.remove_row}</button>
                        </div>
                    }).collect_view()}
                    <small class="muted row-labels">{move || format!("{} · {} · {} · {} · {}", t().item, t().description, t().quantity, t().unit_price, t().indicator)}</small>
                    <button type="button" class="button button-small" on:click=move |_| f.update(|x| x.items.push(ItemForm { item_code: CATALOGUE[0].code.to_owned(), ..ItemForm::default() }))>{move || t().add_row}</button>
                    <p class="sum" id="items-sum">{move || t().items_sum.replace("{items}", &yuan(items_total())).replace("{amount}", &f.with(|x| x.amount.clone()))}</p>
                </fieldset>
                <fieldset class="wide" id="milestones">
                    <legend>{move || t().milestones_title}</legend>
                    {move || (0..f.with(|x| x.milestones.len())).map(|n| view! {
                        <div class="row-inputs">
                            {cell!(milestones, n, name, "text", "milestone_name")}
                            {cell!(milestones, n, percent, "text", "percent")}
                            {cell!(milestones, n, due_on, "date", "due_on")}
                            {cell!(milestones, n, condition, "text", "condition")}
                            {cell!(milestones, n, bands, "text", "bands")}
                            <button type="button" class="button button-small" on:click=move |_| f.update(|x| { if x.milestones.len() > 1 { x.milestones.remove(n); } })>{move || i18n.t().contracts.remove_row}</button>
                        </div>
                    }).collect_view()}
                    <small class="muted row-labels">{move || format!("{} · {} · {} · {} · {}", t().milestone, t().percent, t().due_on, t().condition, t().bands)}</small>
                    <small class="muted">{move || t().bands_help}</small>
                    <button type="button" class="button button-small" on:click=move |_| f.update(|x| x.milestones.push(MilestoneForm::default()))>{move || t().add_row}</button>
                    <p class="sum" id="milestones-sum" class:sum-bad=move || percent_total() != Decimal::ONE_HUNDRED>
                        {move || t().milestones_sum.replace("{sum}", &percent_total().normalize().to_string())}</p>
                </fieldset>
                <fieldset class="wide" id="indicators">
                    <legend>{move || t().indicators_title}</legend>
                    {move || (0..f.with(|x| x.indicators.len())).map(|n| view! {
                        <div class="row-inputs">
                            {cell!(indicators, n, name, "text", "indicator_name")}
                            {cell!(indicators, n, target, "text", "target")}
                            {cell!(indicators, n, weight, "text", "weight")}
                            <select name="counts" on:change=move |ev| f.update(|x| if let Some(r) = x.indicators.get_mut(n) { r.counts = event_target_value(&ev) })>
                                <option value="" selected=move || f.with(|x| x.indicators.get(n).is_none_or(|r| r.counts.is_empty()))>{move || t().counts_none}</option>
                                {CATALOGUE.iter().filter(|i| crate::domain::service::measure_of(i.code).is_some()).map(|i| view! {
                                    <option value=i.code selected=move || f.with(|x| x.indicators.get(n).is_some_and(|r| r.counts == i.code))>
                                        {move || format!("{} ({})", i18n.t().contracts.item(i), i18n.t().contracts.unit_of(i))}
                                    </option>
                                }).collect_view()}
                            </select>
                            {cell!(indicators, n, counts_target, "text", "counts_target")}
                        </div>
                    }).collect_view()}
                    <small class="muted row-labels">{move || format!("{} · {} · {} · {} · {}", t().indicator, t().target, t().weight, t().counts, t().counts_target)}</small>
                    <button type="button" class="button button-small" on:click=move |_| f.update(|x| x.indicators.push(IndicatorForm::default()))>{move || t().add_row}</button>
                </fieldset>
                <fieldset class="wide" id="clauses">
                    <legend>{move || t().clauses_title}</legend>
                    {move || (0..f.with(|x| x.breach_clauses.len())).map(|n| view! {
                        <textarea name="clause" rows="2"
                            prop:value=move || f.with(|x| x.breach_clauses.get(n).cloned().unwrap_or_default())
                            on:input=move |ev| f.update(|x| if let Some(c) = x.breach_clauses.get_mut(n) { *c = event_target_value(&ev) })></textarea>
                    }).collect_view()}
                    <button type="button" class="button button-small" on:click=move |_| f.update(|x| x.breach_clauses.push(String::new()))>{move || t().add_row}</button>
                </fieldset>
                <div class="page-actions">
                    <button type="submit" class="button button-primary" id="contract-submit">{move || t().save_draft}</button>
                </div>
            </form>
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {move || save.value().get().and_then(Result::ok).map(|id| view! {
                <p class="form-ok" role="status" id="contract-ok">{i18n.t().contracts.saved}" "<a href=href(paths::CONTRACT, id)>{href(paths::CONTRACT, id)}</a></p>
            })}
        </section>
    }
}

// --- One contract --------------------------------------------------------

/// One contract: parties, terms, milestones with acceptance and payment,
/// amendments, and the steps finance records.
#[component]
pub fn ContractPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let step = ServerAction::<AdvanceContract>::new();
    let amend = ServerAction::<ProposeAmendment>::new();
    let accept = ServerAction::<AcceptMilestone>::new();
    let pay = ServerAction::<RequestMilestonePayment>::new();
    let save = ServerAction::<SaveContract>::new();
    let data = Resource::new(
        move || {
            (
                id(),
                step.version().get(),
                amend.version().get(),
                accept.version().get(),
                pay.version().get(),
                save.version().get(),
            )
        },
        |(id, ..)| contract_detail(id),
    );
    view! {
        <Header />
        <ContractTabs current=paths::CONTRACTS />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Contract d step amend accept pay save /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Contract(
    d: ContractData,
    step: ServerAction<AdvanceContract>,
    amend: ServerAction<ProposeAmendment>,
    accept: ServerAction<AcceptMilestone>,
    pay: ServerAction<RequestMilestonePayment>,
    save: ServerAction<SaveContract>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    let ContractData {
        contract: c,
        input,
        project,
        supplier,
        milestones,
        amendments,
        paid,
        signed_on,
        performing_from,
        ended_on,
        end_reason,
        may_edit,
        today,
    } = d;
    let status = c.status;
    let (id, version) = (c.id, c.version);
    let in_force = status.is_some_and(ContractStatus::in_force);
    let performing = matches!(status, Some(ContractStatus::Signed | ContractStatus::Performing));
    let day = RwSignal::new(today.to_string());
    let reason = RwSignal::new(String::new());
    let err = move || {
        step.value()
            .get()
            .and_then(Result::err)
            .or_else(|| amend.value().get().and_then(Result::err))
            .or_else(|| accept.value().get().and_then(Result::err))
            .or_else(|| pay.value().get().and_then(Result::err))
    };
    let go = move |s: Step| {
        step.dispatch(AdvanceContract { id, version, step: s });
    };
    let pdf = href(paths::CONTRACT_PDF, id);
    let template = c.template;
    view! {
        <section class="panel" id="contract">
            <h2>{c.number.clone()}" "{c.title.clone()}" "{status_tag(status)}</h2>
            <p><a class="button" href=pdf.clone() download=format!("{}.pdf", c.number)>{move || t().download_contract}</a>
               " "<a href=href(paths::PROJECT, project.id)>{project.code.clone()}</a></p>
            <dl class="facts">
                <dt>{move || t().template}</dt><dd>{move || template.map(|x| i18n.t().contracts.template(x)).unwrap_or("?")}</dd>
                <dt>{move || t().supplier}</dt>
                <dd>{supplier.name.clone()}" "<code>{supplier.credit_code.clone()}</code><br /><small>{supplier.legal_representative.clone()}" · "{supplier.contact_phone.clone()}</small></dd>
                <dt>{move || t().original_terms}</dt>
                <dd>{format!("{} · {} – {}", yuan(c.amount), c.start_on, c.end_on)}</dd>
                <dt>{move || t().current_terms}</dt>
                <dd id="current-terms">{format!("{} · {} – {}", yuan(c.current_amount), c.start_on, c.current_end_on)}</dd>
                <dt>{move || t().paid}</dt><dd id="contract-paid">{yuan(paid)}</dd>
                {signed_on.map(|d| view! { <dt>{move || t().signed_on}</dt><dd>{d.to_string()}</dd> })}
                {performing_from.map(|d| view! { <dt>{move || t().performing_from}</dt><dd>{d.to_string()}</dd> })}
                {ended_on.map(|d| view! { <dt>{move || t().ended_on}</dt><dd>{d.to_string()}" "{end_reason.clone().unwrap_or_default()}</dd> })}
            </dl>
            {move || err().map(|e| view! { <ActionError error=e /> })}
            {may_edit.then(|| view! {
                <div class="form-inline" id="contract-steps">
                    <input type="date" name="step_date" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                    {(status == Some(ContractStatus::Draft)).then(|| view! {
                        <button type="button" class="button button-primary" id="step-submit" on:click=move |_| go(Step::Submit)>{move || t().submit}</button>
                    })}
                    {(status == Some(ContractStatus::Approved)).then(|| view! {
                        <button type="button" class="button button-primary" id="step-sign" on:click=move |_| go(Step::Sign { on: day.get_untracked() })>{move || t().sign}</button>
                    })}
                    {(status == Some(ContractStatus::Signed)).then(|| view! {
                        <button type="button" class="button button-primary" id="step-start" on:click=move |_| go(Step::Start { on: day.get_untracked() })>{move || t().start}</button>
                    })}
                    {(status == Some(ContractStatus::Performing)).then(|| view! {
                        <button type="button" class="button" id="step-finish" on:click=move |_| go(Step::Finish { on: day.get_untracked() })>{move || t().finish}</button>
                    })}
                    {in_force.then(|| view! {
                        <input type="text" name="terminate_reason" placeholder=move || i18n.t().contracts.reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                        <button type="button" class="button" id="step-terminate" on:click=move |_| go(Step::Terminate { on: day.get_untracked(), reason: reason.get_untracked() })>{move || t().terminate}</button>
                    })}
                </div>
            })}
        </section>
        <section class="panel">
            <h2>{move || t().items_title}</h2>
            <table class="data-table" id="items-table">
                <thead><tr><th>{move || t().item}</th><th>{move || t().description}</th><th class="num">{move || t().quantity}</th><th class="num">{move || t().unit_price}</th><th class="num">{move || t().line_amount}</th><th>{move || t().indicator}</th></tr></thead>
                <tbody>{input.items.iter().map(|it| view! {
                    <tr><td>{item_name(&it.item_code)}</td><td>{it.description.clone()}</td><td class="num">{it.quantity.normalize().to_string()}</td>
                        <td class="num">{yuan(it.unit_price)}</td><td class="num">{yuan(it.amount())}</td><td>{it.indicator.clone()}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </section>
        <section class="panel">
            <h2>{move || t().milestones_title}</h2>
            <table class="data-table" id="milestones-table">
                <thead><tr><th>{move || t().milestone}</th><th class="num">{move || t().percent}</th><th class="num">{move || t().base}</th><th>{move || t().condition}</th><th>{move || t().acceptance}</th><th>{move || t().payment}</th><th></th></tr></thead>
                <tbody>{milestones.into_iter().map(|m| {
                    let score = RwSignal::new(String::new());
                    let accepted = m.acceptance.as_ref().is_some_and(|a| a.2 == "approved");
                    let accept_live = m.acceptance.as_ref().is_some_and(|a| a.2 == "submitted" || a.2 == "approved");
                    let pay_live = m.payment.as_ref().is_some_and(|p| p.3 == "submitted" || p.3 == "approved");
                    let mid = m.id;
                    let banded = !m.bands.is_empty();
                    view! {
                        <tr data-milestone=m.seq.to_string()>
                            <td>{format!("{}. {}", m.seq, m.name)}<br /><small class="muted">{m.due_on.to_string()}</small></td>
                            <td class="num">{m.percent.normalize().to_string()}</td>
                            <td class="num">{yuan(m.base)}</td>
                            <td>{m.condition.clone()}{banded.then(|| view! { <br /><small class="muted">{move || i18n.t().contracts.bands}": "{bands_text(&m.bands)}</small> })}</td>
                            <td class="milestone-acceptance">{m.acceptance.clone().map(|(on, s, st, _)| view! {
                                {on.to_string()}{s.map(|s| format!(" · {}", s.normalize()))}<br /><small>{move || i18n.t().contracts.item_status(&st)}</small>
                            })}</td>
                            <td class="milestone-payment">{m.payment.clone().map(|(amount, factor, on, st)| view! {
                                {yuan(amount)}" ×"{factor.normalize().to_string()}<br /><small>{on.to_string()}" "{move || i18n.t().contracts.item_status(&st)}</small>
                            })}</td>
                            <td>{(may_edit && performing).then(|| view! {
                                {(!accept_live).then(|| view! {
                                    {banded.then(|| view! { <input type="text" class="input-small" name="score" placeholder=move || i18n.t().contracts.score on:input=move |ev| score.set(event_target_value(&ev)) /> })}
                                    <button type="button" class="button button-small action-accept" on:click=move |_| {
                                        accept.dispatch(AcceptMilestone { milestone_id: mid, accepted_on: day.get_untracked(), score: score.get_untracked(), note: String::new() });
                                    }>{move || i18n.t().contracts.accept}</button>
                                })}
                                {(accepted && !pay_live).then(|| view! {
                                    <button type="button" class="button button-small action-pay" on:click=move |_| {
                                        pay.dispatch(RequestMilestonePayment { milestone_id: mid, pay_on: day.get_untracked() });
                                    }>{move || i18n.t().contracts.request_payment}</button>
                                })}
                            })}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </section>
        <section class="panel">
            <h2>{move || t().indicators_title}</h2>
            <ul>{input.indicators.iter().map(|x| view! { <li>{format!("{} · {} · {}%", x.name, x.target, x.weight.normalize())}</li> }).collect_view()}</ul>
            <h2>{move || t().clauses_title}</h2>
            <ol>{input.breach_clauses.iter().map(|x| view! { <li>{x.clone()}</li> }).collect_view()}</ol>
        </section>
        <section class="panel">
            <h2>{move || t().amendments_title}</h2>
            {amendments.is_empty().then(|| view! { <p class="muted">{move || t().no_amendments}</p> })}
            {(!amendments.is_empty()).then(|| view! {
                <table class="data-table" id="amendments-table">
                    <tbody>{amendments.into_iter().map(|a| {
                        let st = a.status.clone();
                        view! {
                            <tr data-amendment=a.number.to_string()>
                                <td>{move || i18n.t().contracts.amendment_no.replace("{n}", &a.number.to_string())}</td>
                                <td>{a.reason.clone()}<br /><small class="muted">{a.other_changes.clone()}</small></td>
                                <td>{a.amount.map(|x| format!("{} → {}", yuan(a.before_amount), yuan(x)))}</td>
                                <td>{a.end_on.map(|x| format!("{} → {}", a.before_end_on, x))}</td>
                                <td>{move || i18n.t().contracts.item_status(&st)}</td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            })}
            {(may_edit && in_force).then(|| view! { <AmendmentForm contract_id=id amend /> })}
        </section>
        {(may_edit && status == Some(ContractStatus::Draft)).then(|| view! {
            <ContractFormView project_id=project.id contract_id=Some(id) version form=ContractForm::from_input(&input) save />
        })}
    }
}

#[component]
fn AmendmentForm(contract_id: i64, amend: ServerAction<ProposeAmendment>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().contracts;
    let fields = [(); 5].map(|_| RwSignal::new(String::new()));
    let [reason, amount, end_on, justification, other] = fields;
    view! {
        <form class="form-grid" id="amendment-form" on:submit=move |ev| {
            ev.prevent_default();
            amend.dispatch(ProposeAmendment {
                contract_id,
                reason: reason.get_untracked(),
                amount: amount.get_untracked(),
                end_on: end_on.get_untracked(),
                term_justification: justification.get_untracked(),
                other_changes: other.get_untracked(),
            });
        }>
            <label class="wide"><span>{move || t().reason}</span>
                <input type="text" name="reason" required on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
            <label><span>{move || t().new_amount}</span>
                <input type="text" inputmode="decimal" name="amount" on:input=move |ev| amount.set(event_target_value(&ev)) /></label>
            <label><span>{move || t().new_end}</span>
                <input type="date" name="end_on" on:input=move |ev| end_on.set(event_target_value(&ev)) /></label>
            <label class="wide"><span>{move || t().term_justification}</span>
                <input type="text" name="term_justification" on:input=move |ev| justification.set(event_target_value(&ev)) /></label>
            <label class="wide"><span>{move || t().other_changes}</span>
                <textarea name="other_changes" rows="2" on:input=move |ev| other.set(event_target_value(&ev))></textarea></label>
            <div class="page-actions">
                <button type="submit" class="button" id="amendment-submit">{move || t().propose_amendment}</button>
            </div>
        </form>
    }
}
