//! 人员名册: the roster, a person's page with history, hiring (with an
//! exception request below 大专), change requests, corrections, leaving.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::roster::{
    DetailsEdit, EditPerson, FormChoices, HireOutcome, HirePerson, NewHire, PersonDetail, PersonView,
    ProposeStaffChange, RecordLeaving, RosterPage, StaffChange, person, roster, roster_choices,
};
use crate::components::common::ErrorPanel;
use crate::domain::roster::{Certificate, Education, PersonInput, PersonProblem, RoleLevel, StaffStatus};
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::pages::posts::PostsTabs;
use crate::policy::paths;

/// The roster page.
#[component]
pub fn RosterPageView() -> impl IntoView {
    let i18n = use_i18n();
    let hire = ServerAction::<HirePerson>::new();
    let data = Resource::new(move || hire.version().get(), |_| roster(None));
    let may_import = use_context::<crate::components::layout::CurrentUser>()
        .is_some_and(|u| crate::policy::may_open(paths::ROSTER_IMPORTS, Some(&u.0)));
    view! {
        <Title text=move || i18n.t().posts.roster_title />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().posts.roster_title}</h1>
                <p class="muted">{move || i18n.t().posts.roster_help}</p>
            </div>
            <div class="page-actions">
                <a class="button" href=paths::ROSTER_XLSX download id="roster-export">{move || i18n.t().import.export}</a>
                {may_import.then(|| view! {
                    <a class="button" href=paths::ROSTER_IMPORTS id="roster-import-link">{move || i18n.t().import.import_link}</a>
                })}
            </div>
        </header>
        <PostsTabs current=paths::ROSTER />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Roster page hire /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Roster(page: RosterPage, hire: ServerAction<HirePerson>) -> impl IntoView {
    let i18n = use_i18n();
    let RosterPage { today, people, towns, vacant_posts, may_edit } = page;
    let town_filter = RwSignal::new(None::<i64>);
    let status_filter = RwSignal::new(None::<StaffStatus>);
    let people = StoredValue::new(people);
    let masked = people.with_value(|p| p.first().is_some_and(|p| p.id_masked));
    let shown = move || {
        people.with_value(|ps| {
            ps.iter()
                .filter(|p| town_filter.get().is_none_or(|t| p.town_id == t))
                .filter(|p| status_filter.get().is_none_or(|s| p.status == s))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let town_choices = towns.clone();
    view! {
        {may_edit.then(|| view! { <HireForm towns=towns.clone() vacant_posts=vacant_posts.clone() hire today /> })}
        <section class="panel">
            <div class="panel-header">
                <div class="filter">
                    <select id="roster-town" on:change=move |ev| town_filter.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || i18n.t().posts.all_towns}</option>
                        {town_choices.into_iter().map(|(id, _, name, name_en)| view! {
                            <option value=id.to_string()>{move || i18n.locale().pick(&name, &name_en).to_owned()}</option>
                        }).collect_view()}
                    </select>
                    <select id="roster-status" on:change=move |ev| status_filter.set(StaffStatus::from_code(&event_target_value(&ev)))>
                        <option value="">{move || i18n.t().posts.all_statuses}</option>
                        {StaffStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.code()>{move || i18n.t().posts.status(s)}</option>
                        }).collect_view()}
                    </select>
                    <span class="filter-count" aria-live="polite">{move || (i18n.t().posts.people_count)(shown().len())}</span>
                </div>
            </div>
            {masked.then(|| view! { <p class="muted">{move || i18n.t().posts.id_masked_hint}</p> })}
            <div class="table-wrap">
                <table class="data-table" id="roster-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().posts.col_name}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_gender}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_id_number}</th>
                            <th scope="col">{move || i18n.t().posts.col_town}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_post}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_role}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_education}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_background}</th>
                            <th scope="col" class="col-optional">{move || i18n.t().posts.col_tenure}</th>
                            <th scope="col">{move || i18n.t().posts.col_status}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || shown().into_iter().map(|p| view! { <PersonRow p /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn PersonRow(p: PersonView) -> impl IntoView {
    let i18n = use_i18n();
    let (town, town_en) = (p.town.clone(), p.town_en.clone());
    let (gender, role, education, status, tenure) = (p.gender, p.role_level, p.education, p.status, p.tenure);
    view! {
        <tr data-staff=p.id.to_string()>
            <th scope="row"><a href=format!("/roster/{}", p.id)>{p.name.clone()}</a></th>
            <td class="col-optional">{move || gender.map(|g| i18n.t().posts.gender(g))}</td>
            <td class="col-optional code id-number">{p.id_number.clone()}</td>
            <td>{move || i18n.locale().pick(&town, &town_en).to_owned()}</td>
            <td class="col-optional code">{p.post_code.clone().unwrap_or_default()}</td>
            <td class="col-optional">{move || i18n.t().posts.role(role)}</td>
            <td class="col-optional">{move || i18n.t().posts.education(education)}</td>
            <td class="col-optional">{p.social_work_background.then(|| view! { <span class="tag tag-ok">{move || i18n.t().posts.social_work}</span> })}</td>
            <td class="col-optional">{move || (i18n.t().posts.tenure)(tenure.years, tenure.months)}</td>
            <td><span class="tag" class:tag-warn=status != StaffStatus::OnDuty>{move || i18n.t().posts.status(status)}</span></td>
        </tr>
    }
}

/// The fields of a person, shared by hiring and correcting.
#[derive(Clone, Copy)]
struct PersonFields {
    name: RwSignal<String>,
    id_number: RwSignal<String>,
    phone: RwSignal<String>,
    education: RwSignal<Education>,
    major: RwSignal<bool>,
    certificate: RwSignal<Certificate>,
    hire_date: RwSignal<String>,
    role_level: RwSignal<RoleLevel>,
}

impl PersonFields {
    fn new(p: Option<&PersonInput>, today: NaiveDate) -> PersonFields {
        PersonFields {
            name: RwSignal::new(p.map(|p| p.name.clone()).unwrap_or_default()),
            id_number: RwSignal::new(p.map(|p| p.id_number.clone()).unwrap_or_default()),
            phone: RwSignal::new(p.map(|p| p.phone.clone()).unwrap_or_default()),
            education: RwSignal::new(p.map_or(Education::College, |p| p.education)),
            major: RwSignal::new(p.is_some_and(|p| p.social_work_major)),
            certificate: RwSignal::new(p.map_or(Certificate::None, |p| p.certificate)),
            hire_date: RwSignal::new(p.map_or(today, |p| p.hire_date).to_string()),
            role_level: RwSignal::new(p.map_or(RoleLevel::Assistant, |p| p.role_level)),
        }
    }

    fn value(&self) -> Option<PersonInput> {
        Some(PersonInput {
            name: self.name.get_untracked(),
            id_number: self.id_number.get_untracked(),
            phone: self.phone.get_untracked(),
            education: self.education.get_untracked(),
            social_work_major: self.major.get_untracked(),
            certificate: self.certificate.get_untracked(),
            hire_date: self.hire_date.get_untracked().parse().ok()?,
            role_level: self.role_level.get_untracked(),
        })
    }
}

/// The inputs of [`PersonFields`]; `with_role` also offers the role level
/// (only when hiring: later it changes by request).
#[component]
fn PersonInputs(f: PersonFields, with_role: bool, #[prop(optional)] with_id: Option<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let with_id = with_id.unwrap_or(true);
    view! {
        <label>
            <span>{move || i18n.t().posts.col_name}</span>
            <input type="text" name="name" required maxlength="50" prop:value=move || f.name.get()
                on:input=move |ev| f.name.set(event_target_value(&ev)) />
        </label>
        {with_id.then(|| view! {
            <label>
                <span>{move || i18n.t().posts.col_id_number}</span>
                <input type="text" name="id_number" required maxlength="18" autocomplete="off" prop:value=move || f.id_number.get()
                    on:input=move |ev| f.id_number.set(event_target_value(&ev)) />
            </label>
        })}
        <label>
            <span>{move || i18n.t().posts.col_phone}</span>
            <input type="tel" name="phone" required prop:value=move || f.phone.get()
                on:input=move |ev| f.phone.set(event_target_value(&ev)) />
        </label>
        <label>
            <span>{move || i18n.t().posts.col_education}</span>
            <select name="education" on:change=move |ev| {
                if let Some(e) = Education::from_code(&event_target_value(&ev)) { f.education.set(e) }
            }>
                {Education::ALL.into_iter().map(|e| view! {
                    <option value=e.code() selected=move || f.education.get() == e>{move || i18n.t().posts.education(e)}</option>
                }).collect_view()}
            </select>
        </label>
        <label class="check">
            <input type="checkbox" name="social_work_major" prop:checked=move || f.major.get()
                on:change=move |ev| f.major.set(event_target_checked(&ev)) />
            <span>{move || i18n.t().posts.social_work_major}</span>
        </label>
        <label>
            <span>{move || i18n.t().posts.col_certificate}</span>
            <select name="certificate" on:change=move |ev| {
                if let Some(c) = Certificate::from_code(&event_target_value(&ev)) { f.certificate.set(c) }
            }>
                {Certificate::ALL.into_iter().map(|c| view! {
                    <option value=c.code() selected=move || f.certificate.get() == c>{move || i18n.t().posts.certificate(c)}</option>
                }).collect_view()}
            </select>
        </label>
        <label>
            <span>{move || i18n.t().posts.col_hired}</span>
            <input type="date" name="hire_date" required prop:value=move || f.hire_date.get()
                on:input=move |ev| f.hire_date.set(event_target_value(&ev)) />
        </label>
        {with_role.then(|| view! { <RoleSelect value=f.role_level /> })}
    }
}

#[component]
fn RoleSelect(value: RwSignal<RoleLevel>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            <span>{move || i18n.t().posts.col_role}</span>
            <select name="role_level" on:change=move |ev| {
                if let Some(r) = RoleLevel::from_code(&event_target_value(&ev)) { value.set(r) }
            }>
                {RoleLevel::ALL.into_iter().map(|r| view! {
                    <option value=r.code() selected=move || value.get() == r>{move || i18n.t().posts.role(r)}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// Field-by-field problems of a refused person.
#[component]
fn ProblemList(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        AppError::Person(problems) => view! {
            <ul class="form-error problem-list" role="alert" id="person-problems">
                {problems.into_iter().map(|(field, problem)| view! {
                    <li data-field=format!("{field:?}")>
                        <strong>{move || i18n.t().posts.field(field)}</strong>": "{move || i18n.t().posts.person_problem(problem)}
                    </li>
                }).collect_view()}
            </ul>
        }.into_any(),
        other => view! { <p class="form-error" role="alert" id="person-error">{move || other.message(i18n.t())}</p> }.into_any(),
    }
}

#[component]
fn HireForm(
    towns: Vec<(i64, String, String, String)>,
    vacant_posts: Vec<(i64, i64, String)>,
    hire: ServerAction<HirePerson>,
    today: NaiveDate,
) -> impl IntoView {
    let i18n = use_i18n();
    let f = PersonFields::new(None, today);
    let town = RwSignal::new(towns.first().map_or(0, |t| t.0));
    let post = RwSignal::new(None::<i64>);
    let duties = RwSignal::new(String::new());
    let exception = RwSignal::new(String::new());
    let posts = StoredValue::new(vacant_posts);
    let send = move |with_exception: bool| {
        let Some(person) = f.value() else { return };
        hire.dispatch(HirePerson {
            hire: NewHire {
                person,
                town_id: town.get_untracked(),
                post_id: post.get_untracked(),
                duties: duties.get_untracked(),
            },
            exception_reason: with_exception.then(|| exception.get_untracked()),
        });
    };
    let needs_exception = move || matches!(hire.value().get(), Some(Err(AppError::Person(ref v))) if v.iter().any(|(_, p)| *p == PersonProblem::EducationBelowMinimum));
    view! {
        <section class="panel">
            <details id="hire">
                <summary>{move || i18n.t().posts.add_person}</summary>
                <form class="form-grid" id="hire-form" on:submit=move |ev| { ev.prevent_default(); send(false); }>
                    <PersonInputs f with_role=true />
                    <label>
                        <span>{move || i18n.t().posts.col_town}</span>
                        <select name="town" on:change=move |ev| {
                            town.set(event_target_value(&ev).parse().unwrap_or(0));
                            post.set(None);
                        }>
                            {towns.into_iter().map(|(id, _, name, name_en)| view! {
                                <option value=id.to_string()>{move || i18n.locale().pick(&name, &name_en).to_owned()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <span>{move || i18n.t().posts.col_post}</span>
                        <select name="post" on:change=move |ev| post.set(event_target_value(&ev).parse().ok())>
                            <option value="">{move || i18n.t().posts.no_post}</option>
                            {move || posts.with_value(|ps| ps.iter().filter(|(_, t, _)| *t == town.get()).map(|(id, _, code)| view! {
                                <option value=id.to_string()>{code.clone()}</option>
                            }).collect_view())}
                        </select>
                    </label>
                    <label class="wide">
                        <span>{move || i18n.t().posts.col_duties}</span>
                        <input type="text" name="duties" maxlength="200" prop:value=move || duties.get()
                            on:input=move |ev| duties.set(event_target_value(&ev)) />
                    </label>
                    <div class="page-actions wide">
                        <button type="submit" class="button button-primary" id="hire-button">{move || i18n.t().posts.hire}</button>
                    </div>
                    {move || hire.value().get().map(|r| match r {
                        Ok(HireOutcome::Hired { .. }) => view! { <p class="form-ok wide" role="status" id="hire-ok">{i18n.t().posts.hired}</p> }.into_any(),
                        Ok(HireOutcome::ExceptionRequested { .. }) => view! { <p class="form-ok wide" role="status" id="exception-ok">{i18n.t().posts.exception_requested}</p> }.into_any(),
                        Err(e) => view! { <div class="wide"><ProblemList error=e /></div> }.into_any(),
                    })}
                    {move || needs_exception().then(|| view! {
                        <div class="wide exception">
                            <p>{move || i18n.t().posts.exception_needed}</p>
                            <label>
                                <span>{move || i18n.t().posts.exception_reason}</span>
                                <textarea name="exception_reason" rows="2" maxlength="500" prop:value=move || exception.get()
                                    on:input=move |ev| exception.set(event_target_value(&ev))></textarea>
                            </label>
                            <button type="button" class="button" id="exception-button" on:click=move |_| send(true)>
                                {move || i18n.t().posts.request_exception}
                            </button>
                        </div>
                    })}
                </form>
            </details>
        </section>
    }
}

/// One person's page.
#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let edit = ServerAction::<EditPerson>::new();
    let change = ServerAction::<ProposeStaffChange>::new();
    let leave = ServerAction::<RecordLeaving>::new();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(
        move || (id(), edit.version().get(), change.version().get(), leave.version().get()),
        |(id, ..)| async move { (person(id).await, roster_choices().await) },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    (Ok(d), Ok(page)) => view! { <PersonView detail=d page edit change leave /> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <PostsTabs current=paths::ROSTER /><ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PersonView(
    detail: PersonDetail,
    page: FormChoices,
    edit: ServerAction<EditPerson>,
    change: ServerAction<ProposeStaffChange>,
    leave: ServerAction<RecordLeaving>,
) -> impl IntoView {
    let i18n = use_i18n();
    let PersonDetail { person: p, history, requests, may_edit } = detail;
    let name = p.name.clone();
    let active = p.status != StaffStatus::Left;
    let (town, town_en) = (p.town.clone(), p.town_en.clone());
    let (gender, role, education, certificate, status, tenure) =
        (p.gender, p.role_level, p.education, p.certificate, p.status, p.tenure);
    let towns = page.towns.clone();
    let town_names = StoredValue::new(page.towns.clone());
    let town_name = move |id: i64| {
        town_names.with_value(|ts| {
            ts.iter()
                .find(|t| t.0 == id)
                .map(|t| i18n.locale().pick(&t.2, &t.3).to_owned())
                .unwrap_or_default()
        })
    };
    view! {
        <Title text=name.clone() />
        <header class="page-header">
            <div>
                <h1 id="person-name">{name}</h1>
                <p class="muted">
                    <span class="tag" class:tag-warn=status != StaffStatus::OnDuty id="person-status">{move || i18n.t().posts.status(status)}</span>
                    " "{move || i18n.locale().pick(&town, &town_en).to_owned()}" "{p.post_code.clone().unwrap_or_default()}
                </p>
            </div>
        </header>
        <PostsTabs current=paths::ROSTER />
        <section class="panel">
            <dl class="facts" id="person-facts">
                <dt>{move || i18n.t().posts.col_id_number}</dt><dd class="code" id="person-id-number">{p.id_number.clone()}</dd>
                <dt>{move || i18n.t().posts.col_gender}</dt><dd>{move || gender.map(|g| i18n.t().posts.gender(g))}</dd>
                {p.birth_date.map(|b| view! { <dt>{move || i18n.t().posts.col_birth}</dt><dd>{b.to_string()}</dd> })}
                <dt>{move || i18n.t().posts.col_phone}</dt><dd>{p.phone.clone()}</dd>
                <dt>{move || i18n.t().posts.col_education}</dt><dd>{move || i18n.t().posts.education(education)}
                    {p.education_exception_id.map(|_| view! { " " <span class="tag tag-warn">{move || i18n.t().posts.hired_under_exception}</span> })}</dd>
                <dt>{move || i18n.t().posts.col_certificate}</dt><dd>{move || i18n.t().posts.certificate(certificate)}</dd>
                <dt>{move || i18n.t().posts.col_background}</dt><dd id="person-background">{p.social_work_background.then(|| view! { <span class="tag tag-ok">{move || i18n.t().posts.social_work}</span> })}</dd>
                <dt>{move || i18n.t().posts.col_role}</dt><dd>{move || i18n.t().posts.role(role)}</dd>
                <dt>{move || i18n.t().posts.col_duties}</dt><dd>{p.duties.clone()}</dd>
                <dt>{move || i18n.t().posts.col_hired}</dt><dd>{p.hire_date.to_string()}</dd>
                <dt>{move || i18n.t().posts.col_tenure}</dt><dd id="person-tenure">{move || (i18n.t().posts.tenure)(tenure.years, tenure.months)}</dd>
                {p.left_on.map(|d| view! { <dt>{move || i18n.t().posts.left_on}</dt><dd>{d.to_string()}</dd> })}
            </dl>
        </section>
        <section class="panel">
            <h2>{move || i18n.t().posts.person_history}</h2>
            <div class="table-wrap">
                <table class="data-table" id="person-history">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().posts.effective_on}</th>
                            <th scope="col">{move || i18n.t().posts.col_cause}</th>
                            <th scope="col">{move || i18n.t().posts.col_town}</th>
                            <th scope="col">{move || i18n.t().posts.col_role}</th>
                            <th scope="col">{move || i18n.t().posts.col_status}</th>
                            <th scope="col">{move || i18n.t().posts.col_note}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {history.into_iter().map(|h| {
                            let role = RoleLevel::from_code(&h.role_level);
                            let status = StaffStatus::from_code(&h.status);
                            let cause = h.cause.clone();
                            view! {
                                <tr>
                                    <td>{h.from_date.to_string()}</td>
                                    <td>{move || i18n.t().posts.cause(&cause)}</td>
                                    <td>{move || town_name(h.town_id)}</td>
                                    <td>{move || role.map(|r| i18n.t().posts.role(r))}</td>
                                    <td>{move || status.map(|s| i18n.t().posts.status(s))}</td>
                                    <td>{h.note.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        {(!requests.is_empty()).then(|| view! {
            <section class="panel">
                <h2>{move || i18n.t().posts.requests_title}</h2>
                <ul id="person-requests">
                    {requests.into_iter().map(|(id, status, summary)| view! {
                        <li data-approval=id.to_string()><span class="tag">{move || crate::domain::approval::ApprovalStatus::from_code(&status).map(|s| crate::pages::approvals::status_label(s, i18n.t()))}</span>" "{summary}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(may_edit && active).then(|| view! {
            <ChangeForm p=p.clone() towns vacant_posts=page.vacant_posts.clone() change today=page.today />
            <EditForm p=p.clone() edit today=page.today />
            <LeaveForm p=p.clone() leave today=page.today />
        })}
    }
}

#[component]
fn ChangeForm(
    p: PersonView,
    towns: Vec<(i64, String, String, String)>,
    vacant_posts: Vec<(i64, i64, String)>,
    change: ServerAction<ProposeStaffChange>,
    today: NaiveDate,
) -> impl IntoView {
    let i18n = use_i18n();
    let town = RwSignal::new(p.town_id);
    let post = RwSignal::new(p.post_id);
    let role = RwSignal::new(p.role_level);
    let duties = RwSignal::new(p.duties.clone());
    let on = RwSignal::new(today.to_string());
    let reason = RwSignal::new(String::new());
    let current = (p.post_id, p.post_code.clone(), p.town_id);
    let posts = StoredValue::new(vacant_posts);
    let (staff_id, version) = (p.id, p.version);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(effective_on) = on.get_untracked().parse() else { return };
        change.dispatch(ProposeStaffChange {
            change: StaffChange {
                staff_id,
                staff_version: version,
                town_id: town.get_untracked(),
                post_id: post.get_untracked(),
                role_level: role.get_untracked(),
                duties: duties.get_untracked(),
                effective_on,
                reason: reason.get_untracked(),
            },
        });
    };
    view! {
        <section class="panel">
            <details id="change">
                <summary>{move || i18n.t().posts.propose_change}</summary>
                <p class="muted">{move || i18n.t().posts.propose_change_help}</p>
                <form class="form-grid" id="change-form" on:submit=submit>
                    <label>
                        <span>{move || i18n.t().posts.col_town}</span>
                        <select name="town" on:change=move |ev| { town.set(event_target_value(&ev).parse().unwrap_or(0)); post.set(None); }>
                            {towns.into_iter().map(|(id, _, name, name_en)| view! {
                                <option value=id.to_string() selected=move || town.get() == id>{move || i18n.locale().pick(&name, &name_en).to_owned()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <span>{move || i18n.t().posts.col_post}</span>
                        <select name="post" on:change=move |ev| post.set(event_target_value(&ev).parse().ok())>
                            <option value="" selected=move || post.get().is_none()>{move || i18n.t().posts.no_post}</option>
                            {move || {
                                let (cur_id, cur_code, cur_town) = current.clone();
                                let mine = cur_id.filter(|_| town.get() == cur_town).zip(cur_code).map(|(id, code)| view! {
                                    <option value=id.to_string() selected=move || post.get() == Some(id)>{code}</option>
                                });
                                let others = posts.with_value(|ps| ps.iter().filter(|(_, t, _)| *t == town.get()).map(|(id, _, code)| {
                                    let id = *id;
                                    view! { <option value=id.to_string() selected=move || post.get() == Some(id)>{code.clone()}</option> }
                                }).collect_view());
                                (mine, others)
                            }}
                        </select>
                    </label>
                    <RoleSelect value=role />
                    <label class="wide">
                        <span>{move || i18n.t().posts.col_duties}</span>
                        <input type="text" name="duties" maxlength="200" prop:value=move || duties.get()
                            on:input=move |ev| duties.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{move || i18n.t().posts.effective_on}</span>
                        <input type="date" name="effective_on" required prop:value=move || on.get()
                            on:input=move |ev| on.set(event_target_value(&ev)) />
                    </label>
                    <label class="wide">
                        <span>{move || i18n.t().posts.change_reason}</span>
                        <input type="text" name="reason" required maxlength="500" prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev)) />
                    </label>
                    <div class="page-actions wide">
                        <button type="submit" class="button button-primary" id="change-button">{move || i18n.t().posts.propose_change}</button>
                        {move || change.value().get().map(|r| match r {
                            Ok(_) => view! { <p class="form-ok" role="status" id="change-ok">{i18n.t().posts.proposed}</p> }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert" id="change-error">{e.message(i18n.t())}</p> }.into_any(),
                        })}
                    </div>
                </form>
            </details>
        </section>
    }
}

#[component]
fn EditForm(p: PersonView, edit: ServerAction<EditPerson>, today: NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    let masked = p.id_masked;
    let input = PersonInput {
        name: p.name.clone(),
        id_number: p.id_number.clone(),
        phone: p.phone.clone(),
        education: p.education,
        social_work_major: p.social_work_major,
        certificate: p.certificate,
        hire_date: p.hire_date,
        role_level: p.role_level,
    };
    let f = PersonFields::new(Some(&input), today);
    let (staff_id, version) = (p.id, p.version);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(mut person) = f.value() else { return };
        if masked {
            // The masked number is not the real one: the server keeps the
            // stored number when it sees the mask.
            person.id_number = String::new();
        }
        edit.dispatch(EditPerson { edit: DetailsEdit { staff_id, version, person } });
    };
    view! {
        <section class="panel">
            <details id="edit">
                <summary>{move || i18n.t().posts.edit_details}</summary>
                <form class="form-grid" id="edit-form" on:submit=submit>
                    <PersonInputs f with_role=false with_id=!masked />
                    <div class="page-actions wide">
                        <button type="submit" class="button button-primary">{move || i18n.t().posts.save}</button>
                    </div>
                    {move || edit.value().get().map(|r| match r {
                        Ok(()) => view! { <p class="form-ok wide" role="status">{i18n.t().posts.saved}</p> }.into_any(),
                        Err(e) => view! { <div class="wide"><ProblemList error=e /></div> }.into_any(),
                    })}
                </form>
            </details>
        </section>
    }
}

#[component]
fn LeaveForm(p: PersonView, leave: ServerAction<RecordLeaving>, today: NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    let on = RwSignal::new(today.to_string());
    let note = RwSignal::new(String::new());
    let (staff_id, version) = (p.id, p.version);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(d) = on.get_untracked().parse() else { return };
        leave.dispatch(RecordLeaving { staff_id, version, on: d, note: note.get_untracked() });
    };
    view! {
        <section class="panel">
            <details id="leave">
                <summary>{move || i18n.t().posts.record_leaving}</summary>
                <form class="form-grid" id="leave-form" on:submit=submit>
                    <label>
                        <span>{move || i18n.t().posts.left_on}</span>
                        <input type="date" name="left_on" required prop:value=move || on.get()
                            on:input=move |ev| on.set(event_target_value(&ev)) />
                    </label>
                    <label class="wide">
                        <span>{move || i18n.t().posts.leaving_note}</span>
                        <input type="text" name="note" required maxlength="500" prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev)) />
                    </label>
                    <div class="page-actions wide">
                        <button type="submit" class="button">{move || i18n.t().posts.record_leaving}</button>
                        {move || leave.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> })}
                    </div>
                </form>
            </details>
        </section>
    }
}
