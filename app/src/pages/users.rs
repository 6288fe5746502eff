//! 用户管理: accounts, roles and scope. Administrators change them;
//! auditors read.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{
    Choice, CreateUser, ResetPassword, SetUserDisabled, UpdateUser, UserInput, UserSaved, UserSummary,
    UsersPage as Data, list_users,
};
use crate::components::common::ErrorPanel;
use crate::components::layout::role_label;
use crate::domain::access::Role;
use crate::error::AppError;
use crate::i18n::use_i18n;

/// The users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let data = Resource::new(
        move || {
            (create.version().get(), update.version().get(), disable.version().get(), reset.version().get())
        },
        |_| list_users(),
    );
    let actions = Actions { create, update, disable, reset };
    provide_context(actions);

    view! {
        <Title text=move || i18n.t().nav_users />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().nav_users}</h1>
                <p class="muted">{move || i18n.t().users_help}</p>
            </div>
        </header>
        <Outcome />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <UsersView data=d /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateUser>,
    update: ServerAction<UpdateUser>,
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetPassword>,
}

/// The result of the latest action: a temporary password to hand over,
/// grants sent for approval, or what went wrong.
#[component]
fn Outcome() -> impl IntoView {
    let i18n = use_i18n();
    // Missing only in a render abandoned by its client (see `use_i18n`).
    let Some(a) = use_context::<Actions>() else {
        return ().into_any();
    };
    let latest = move || -> Option<Result<Option<UserSaved>, AppError>> {
        // The action dispatched last decides what is shown.
        let mut candidates: Vec<(usize, Result<Option<UserSaved>, AppError>)> = Vec::new();
        if let Some(r) = a.create.value().get() {
            candidates.push((a.create.version().get(), r.map(Some)));
        }
        if let Some(r) = a.update.value().get() {
            candidates.push((a.update.version().get(), r.map(Some)));
        }
        if let Some(r) = a.reset.value().get() {
            candidates.push((a.reset.version().get(), r.map(Some)));
        }
        if let Some(r) = a.disable.value().get() {
            candidates.push((a.disable.version().get(), r.map(|()| None)));
        }
        candidates.into_iter().max_by_key(|(v, _)| *v).map(|(_, r)| r)
    };
    (move || match latest() {
        Some(Err(e)) => {
            view! { <p class="form-error" role="alert" id="users-error">{e.message(i18n.t())}</p> }.into_any()
        }
        Some(Ok(Some(saved))) => {
            let t = i18n.t();
            let pending =
                saved.pending_grants.iter().map(|r| role_label(*r, t)).collect::<Vec<_>>().join("、");
            view! {
                <div class="secret-box" role="status">
                    {saved.temporary_password.map(|p| view! {
                        <p>{move || i18n.t().temporary_password_once}</p>
                        <code id="temporary-password">{p}</code>
                    })}
                    {(!pending.is_empty()).then(|| view! { <p id="pending-grants">{move || (i18n.t().grants_pending)(&pending)}</p> })}
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    })
    .into_any()
}

#[component]
fn UsersView(data: Data) -> impl IntoView {
    let i18n = use_i18n();
    let Data { users, towns, suppliers, pending_grants, editable, viewer_id } = data;
    let towns = StoredValue::new(towns);
    let suppliers = StoredValue::new(suppliers);
    view! {
        {editable.then(|| view! { <NewUserForm towns=towns suppliers=suppliers /> })}
        <section class="panel">
            <div class="table-wrap">
                <table class="data-table" id="user-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().username}</th>
                            <th scope="col">{move || i18n.t().display_name}</th>
                            <th scope="col">{move || i18n.t().roles}</th>
                            <th scope="col">{move || i18n.t().scope}</th>
                            <th scope="col">{move || i18n.t().status}</th>
                            {editable.then(|| view! { <th scope="col"></th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {users
                            .into_iter()
                            .map(|u| {
                                let pending: Vec<Role> =
                                    pending_grants.iter().filter(|(id, _)| *id == u.id).map(|(_, r)| *r).collect();
                                view! { <UserRow user=u pending editable viewer_id towns suppliers /> }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    pending: Vec<Role>,
    editable: bool,
    viewer_id: i64,
    towns: StoredValue<Vec<Choice>>,
    suppliers: StoredValue<Vec<Choice>>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Missing only in a render abandoned by its client (see `use_i18n`).
    let Some(a) = use_context::<Actions>() else {
        return ().into_any();
    };
    let editing = RwSignal::new(false);
    let id = user.id;
    let is_self = id == viewer_id;
    let roles = user.roles.clone();
    let scope = user.town.clone().or(user.supplier.clone()).unwrap_or_default();
    let status = move || {
        let t = i18n.t();
        if user.disabled {
            t.status_disabled
        } else if user.must_change_password {
            t.status_must_change
        } else {
            t.status_active
        }
    };
    let disabled = user.disabled;
    let edit_user = user.clone();
    view! {
        <tr data-user=user.username.clone()>
            <th scope="row"><code>{user.username.clone()}</code></th>
            <td>{user.display_name.clone()}</td>
            <td>
                {move || {
                    let t = i18n.t();
                    roles.iter().map(|r| role_label(*r, t)).collect::<Vec<_>>().join("、")
                }}
                {pending.iter().map(|r| {
                    let r = *r;
                    view! { <span class="tag tag-pending">{move || (i18n.t().grant_pending_tag)(role_label(r, i18n.t()))}</span> }
                }).collect_view()}
            </td>
            <td>{scope}</td>
            <td>{status}</td>
            {editable.then(|| view! {
                <td class="row-actions">
                    <button type="button" class="button button-small" on:click=move |_| editing.update(|e| *e = !*e)>
                        {move || i18n.t().edit}
                    </button>
                    {(!is_self).then(|| view! {
                        <button type="button" class="button button-small action-disable"
                            on:click=move |_| { a.disable.dispatch(SetUserDisabled { id, disabled: !disabled }); }>
                            {move || if disabled { i18n.t().enable } else { i18n.t().disable }}
                        </button>
                        <button type="button" class="button button-small action-reset"
                            on:click=move |_| { a.reset.dispatch(ResetPassword { id }); }>
                            {move || i18n.t().reset_password}
                        </button>
                    })}
                </td>
            })}
        </tr>
        {move || editing.get().then(|| {
            let u = edit_user.clone();
            view! {
                <tr class="edit-row">
                    <td colspan="6">
                        <UserForm
                            initial=Some(u)
                            towns
                            suppliers
                            on_submit=move |input, version| {
                                a.update.dispatch(UpdateUser { id, version, input });
                                editing.set(false);
                            }
                        />
                    </td>
                </tr>
            }
        })}
    }
    .into_any()
}

#[component]
fn NewUserForm(towns: StoredValue<Vec<Choice>>, suppliers: StoredValue<Vec<Choice>>) -> impl IntoView {
    let i18n = use_i18n();
    // Missing only in a render abandoned by its client (see `use_i18n`).
    let Some(a) = use_context::<Actions>() else {
        return ().into_any();
    };
    view! {
        <details class="panel new-user">
            <summary>{move || i18n.t().new_user}</summary>
            <UserForm initial=None towns suppliers on_submit=move |input, _| { a.create.dispatch(CreateUser { input }); } />
        </details>
    }
    .into_any()
}

/// The fields of a user: name, roles, scope.
#[component]
fn UserForm(
    initial: Option<UserSummary>,
    towns: StoredValue<Vec<Choice>>,
    suppliers: StoredValue<Vec<Choice>>,
    on_submit: impl Fn(UserInput, i32) + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = initial.is_none();
    let version = initial.as_ref().map_or(0, |u| u.version);
    let username = RwSignal::new(initial.as_ref().map(|u| u.username.clone()).unwrap_or_default());
    let display_name = RwSignal::new(initial.as_ref().map(|u| u.display_name.clone()).unwrap_or_default());
    let roles = RwSignal::new(initial.as_ref().map(|u| u.roles.clone()).unwrap_or_default());
    let town_id = RwSignal::new(initial.as_ref().and_then(|u| u.town_id));
    let supplier_id = RwSignal::new(initial.as_ref().and_then(|u| u.supplier_id));
    let has = move |r: Role| roles.with(|rs| rs.contains(&r));

    view! {
        <form
            class="user-form"
            on:submit=move |ev| {
                ev.prevent_default();
                let input = UserInput {
                    username: username.get_untracked(),
                    display_name: display_name.get_untracked(),
                    roles: roles.get_untracked(),
                    town_id: town_id.get_untracked().filter(|_| has(Role::Town)),
                    supplier_id: supplier_id.get_untracked().filter(|_| has(Role::Provider)),
                };
                on_submit(input, version);
            }
        >
            <div class="form-grid">
                <label>
                    <span>{move || i18n.t().username}</span>
                    <input name="username" required autocapitalize="none" disabled=!creating
                        prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || i18n.t().display_name}</span>
                    <input name="display_name" required
                        prop:value=move || display_name.get() on:input=move |ev| display_name.set(event_target_value(&ev)) />
                </label>
            </div>
            <fieldset class="role-choices">
                <legend>{move || i18n.t().roles}</legend>
                {Role::ALL.into_iter().map(|r| view! {
                    <label class="check">
                        <input type="checkbox" name="roles" value=r.code()
                            prop:checked=move || has(r)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                roles.update(|rs| {
                                    rs.retain(|x| *x != r);
                                    if on { rs.push(r); }
                                });
                            } />
                        <span>{move || role_label(r, i18n.t())}</span>
                        {r.is_privileged().then(|| view! { <small class="muted">{move || i18n.t().needs_approval}</small> })}
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="form-grid">
                <label class:hidden=move || !has(Role::Town)>
                    <span>{move || i18n.t().town_scope}</span>
                    <select name="town_id" on:change=move |ev| town_id.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || i18n.t().choose}</option>
                        {move || towns.with_value(|ts| ts.iter().map(|c| {
                            let id = c.id;
                            let label = i18n.locale().pick(&c.name, &c.name_en).to_owned();
                            view! { <option value=id.to_string() selected=move || town_id.get() == Some(id)>{label}</option> }
                        }).collect_view())}
                    </select>
                </label>
                <label class:hidden=move || !has(Role::Provider)>
                    <span>{move || i18n.t().supplier_scope}</span>
                    <select name="supplier_id" on:change=move |ev| supplier_id.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || i18n.t().choose}</option>
                        {move || suppliers.with_value(|ss| ss.iter().map(|c| {
                            let id = c.id;
                            let label = i18n.locale().pick(&c.name, &c.name_en).to_owned();
                            view! { <option value=id.to_string() selected=move || supplier_id.get() == Some(id)>{label}</option> }
                        }).collect_view())}
                    </select>
                </label>
            </div>
            <button type="submit" class="button button-primary">
                {move || if creating { i18n.t().create_user } else { i18n.t().save }}
            </button>
        </form>
    }
    .into_any()
}
