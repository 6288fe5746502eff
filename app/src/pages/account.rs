//! 我的账户: profile, password change, personal API tokens.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account::{CreateToken, MAX_TOKEN_DAYS, RevokeToken, list_tokens};
use crate::components::common::ErrorPanel;
use crate::components::layout::{CurrentUser, role_label};
use crate::i18n::use_i18n;
use crate::pages::show_time;
use crate::policy::paths;

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    // Missing only in a render abandoned by its client (see `use_i18n`).
    let Some(CurrentUser(user)) = use_context::<CurrentUser>() else {
        return ().into_any();
    };
    let roles = user.roles.clone();
    view! {
        <Title text=move || i18n.t().nav_account />
        <header class="page-header">
            <div>
                <p class="eyebrow">{user.username.clone()}</p>
                <h1>{user.display_name.clone()}</h1>
                <p class="muted">
                    {move || {
                        let t = i18n.t();
                        roles.iter().map(|r| role_label(*r, t)).collect::<Vec<_>>().join(" · ")
                    }}
                </p>
            </div>
            <div class="page-actions">
                <a class="button" href=paths::CHANGE_PASSWORD>{move || i18n.t().change_password_title}</a>
            </div>
        </header>
        <Tokens />
    }
    .into_any()
}

#[component]
fn Tokens() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_tokens());
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(String::from("90"));

    view! {
        <section class="panel">
            <div class="panel-header">
                <h2>{move || i18n.t().tokens_title}</h2>
            </div>
            <p class="muted">{move || i18n.t().tokens_help}</p>
            <form
                class="inline-form"
                id="token-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let days = days.get_untracked().trim().parse().unwrap_or(0);
                    create.dispatch(CreateToken { name: name.get_untracked(), days });
                }
            >
                <label>
                    <span>{move || i18n.t().token_name}</span>
                    <input name="name" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || (i18n.t().token_days)(MAX_TOKEN_DAYS)}</span>
                    <input name="days" type="number" min="1" max=MAX_TOKEN_DAYS.to_string() required
                        prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="button button-primary">{move || i18n.t().token_create}</button>
            </form>
            {move || match create.value().get() {
                Some(Ok(new)) => view! {
                    <div class="secret-box" role="status">
                        <p>{move || i18n.t().token_shown_once}</p>
                        <code id="new-token">{new.secret.clone()}</code>
                    </div>
                }
                .into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> }.into_any(),
                None => ().into_any(),
            }}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(list) if list.is_empty() => {
                            view! { <p class="muted">{move || i18n.t().tokens_none}</p> }.into_any()
                        }
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="data-table" id="token-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{move || i18n.t().token_name}</th>
                                            <th scope="col">{move || i18n.t().token_prefix}</th>
                                            <th scope="col">{move || i18n.t().token_expires}</th>
                                            <th scope="col">{move || i18n.t().token_last_used}</th>
                                            <th scope="col"></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|t| {
                                                let id = t.id;
                                                view! {
                                                    <tr>
                                                        <th scope="row">{t.name}</th>
                                                        <td><code>{format!("{}…", t.prefix)}</code></td>
                                                        <td>{show_time(t.expires_at)}</td>
                                                        <td>{t.last_used_at.map(show_time)}</td>
                                                        <td>
                                                            {if t.revoked {
                                                                view! { <span class="tag">{move || i18n.t().token_revoked}</span> }.into_any()
                                                            } else {
                                                                view! {
                                                                    <button type="button" class="button button-small"
                                                                        on:click=move |_| { revoke.dispatch(RevokeToken { id }); }>
                                                                        {move || i18n.t().token_revoke}
                                                                    </button>
                                                                }
                                                                .into_any()
                                                            }}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
