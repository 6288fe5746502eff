//! 登录 and 修改密码: the two pages before the application opens.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::session::{ChangePassword, Login, current_user};
use crate::components::layout::BareLayout;
use crate::i18n::use_i18n;

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let login = ServerAction::<Login>::new();
    let session = Resource::new(|| (), |_| current_user());
    let error = move || login.value().get().and_then(Result::err);

    view! {
        <Title text=move || i18n.t().login_title />
        <BareLayout>
            <section class="panel auth-panel">
                <h1>{move || i18n.t().login_title}</h1>
                <ActionForm action=login attr:class="stack-form" attr:id="login-form">
                    <label for="username">{move || i18n.t().login_username}</label>
                    <input id="username" name="username" autocomplete="username" autocapitalize="none" required />
                    <label for="password">{move || i18n.t().login_password}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                    <input type="hidden" name="next" prop:value=next />
                    <button type="submit" class="button button-primary" disabled=move || login.pending().get()>
                        {move || i18n.t().login_submit}
                    </button>
                </ActionForm>
                {move || {
                    error().map(|e| view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> })
                }}
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let info = session.await.ok();
                        let demo = info.as_ref().is_some_and(|s| s.demo_mode);
                        let no_users = info.as_ref().is_some_and(|s| s.no_users);
                        view! {
                            {no_users.then(|| view! { <p class="notice" id="setup-needed">{move || i18n.t().setup_needed}</p> })}
                            {demo.then(|| view! { <DemoAccounts /> })}
                        }
                    })}
                </Suspense>
            </section>
        </BareLayout>
    }
}

/// The demo accounts, listed on the login page in demo mode only.
#[component]
fn DemoAccounts() -> impl IntoView {
    let i18n = use_i18n();
    const ACCOUNTS: &[&str] = &[
        "admin",
        "finance",
        "approver",
        "town.binjiang",
        "town.shuanghe",
        "provider",
        "inspector",
        "auditor",
    ];
    view! {
        <aside class="demo-accounts">
            <h2>{move || i18n.t().demo_accounts_title}</h2>
            <p>{move || i18n.t().demo_accounts_body}</p>
            <ul>{ACCOUNTS.iter().map(|a| view! { <li><code>{*a}</code></li> }).collect_view()}</ul>
        </aside>
    }
}

/// Changing one's password; the only page open while a change is due.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    let session = Resource::new(|| (), |_| current_user());
    let error = move || change.value().get().and_then(Result::err);

    view! {
        <Title text=move || i18n.t().change_password_title />
        <BareLayout>
            <section class="panel auth-panel">
                <h1>{move || i18n.t().change_password_title}</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let forced = session
                            .await
                            .ok()
                            .and_then(|s| s.principal)
                            .is_some_and(|p| p.must_change_password);
                        forced.then(|| view! { <p class="notice">{move || i18n.t().change_password_forced}</p> })
                    })}
                </Suspense>
                <p class="muted">{move || i18n.t().password_rules}</p>
                <ActionForm action=change attr:class="stack-form" attr:id="password-form">
                    <label for="current">{move || i18n.t().current_password}</label>
                    <input id="current" name="current" type="password" autocomplete="current-password" required />
                    <label for="new">{move || i18n.t().new_password}</label>
                    <input id="new" name="new" type="password" autocomplete="new-password" minlength="10" required />
                    <label for="confirm">{move || i18n.t().confirm_password}</label>
                    <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
                    <button type="submit" class="button button-primary" disabled=move || change.pending().get()>
                        {move || i18n.t().change_password_submit}
                    </button>
                </ActionForm>
                {move || {
                    error().map(|e| view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> })
                }}
            </section>
        </BareLayout>
    }
}
