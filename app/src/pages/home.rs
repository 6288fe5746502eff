//! 首页: the staffing dashboard for those who may see it, a welcome for
//! everyone else (service organisations see their own modules as they come).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::layout::{CurrentUser, role_label};
use crate::i18n::use_i18n;
use crate::pages::dashboard::DashboardPage;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    // Missing only in a render abandoned by its client (see `use_i18n`).
    let Some(CurrentUser(user)) = use_context::<CurrentUser>() else {
        return ().into_any();
    };
    if user.may_see_staffing() {
        return view! { <DashboardPage /> }.into_any();
    }
    let i18n = use_i18n();
    let name = user.display_name.clone();
    let roles = user.roles.clone();
    view! {
        <Title text=move || i18n.t().nav_home />
        <header class="page-header">
            <div>
                <h1>{move || (i18n.t().welcome)(&name)}</h1>
                <p class="muted">
                    {move || {
                        let t = i18n.t();
                        roles.iter().map(|r| role_label(*r, t)).collect::<Vec<_>>().join(" · ")
                    }}
                </p>
            </div>
        </header>
        <section class="panel">
            <p>{move || i18n.t().welcome_no_modules}</p>
        </section>
    }
    .into_any()
}
