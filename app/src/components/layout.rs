//! The frame around every signed-in page: top bar with the user menu and
//! the language switch, the module sidebar (a drawer at phone width) and
//! the main area.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::api::session::{Logout, SessionInfo, current_user};
use crate::components::icon::{Icon, IconKind};
use crate::domain::access::{Principal, Role};
use crate::i18n::{Messages, use_i18n};
use crate::policy::{self, paths};

/// A module in the sidebar. `href` is `None` while the module is still to
/// be built: it is listed, visibly marked as planned, and not a link.
/// Links the viewer may not open are not shown.
struct NavItem {
    label: fn(&Messages) -> &'static str,
    icon: IconKind,
    href: Option<&'static str>,
}

const NAV: &[NavItem] = &[
    NavItem { label: |t| t.nav_home, icon: IconKind::Home, href: Some(paths::HOME) },
    NavItem { label: |t| t.nav_approvals, icon: IconKind::Check, href: Some(paths::APPROVALS) },
    NavItem { label: |t| t.nav_posts, icon: IconKind::People, href: Some(paths::POSTS) },
    NavItem { label: |t| t.nav_payroll, icon: IconKind::Wallet, href: Some(paths::PAYROLL) },
    NavItem { label: |t| t.nav_budget, icon: IconKind::Budget, href: Some(paths::BUDGET) },
    NavItem { label: |t| t.nav_contracts, icon: IconKind::Contract, href: Some(paths::CONTRACTS) },
    NavItem { label: |t| t.nav_services, icon: IconKind::Results, href: Some(paths::SERVICES) },
    NavItem { label: |t| t.nav_inspections, icon: IconKind::Inspect, href: Some(paths::INSPECTIONS) },
    NavItem { label: |t| t.nav_users, icon: IconKind::Users, href: Some(paths::USERS) },
    NavItem { label: |t| t.nav_audit, icon: IconKind::Log, href: Some(paths::AUDIT) },
    NavItem { label: |t| t.nav_account, icon: IconKind::Account, href: Some(paths::ACCOUNT) },
];

/// The signed-in user of this page, for components below the layout.
#[derive(Clone)]
pub struct CurrentUser(pub Principal);

/// The name of a role in the current language.
pub fn role_label(role: Role, t: &Messages) -> &'static str {
    match role {
        Role::Admin => t.role_admin,
        Role::Finance => t.role_finance,
        Role::Approver => t.role_approver,
        Role::Town => t.role_town,
        Role::Provider => t.role_provider,
        Role::Inspector => t.role_inspector,
        Role::Auditor => t.role_auditor,
    }
}

/// The frame of signed-in pages. Marks itself `data-hydrated` once the
/// browser has taken over, which the browser tests can observe.
#[component]
pub fn AppLayout() -> impl IntoView {
    let session = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(SessionInfo { principal: Some(p), demo_mode, .. }) => {
                        view! { <Frame principal=p demo_mode /> }.into_any()
                    }
                    // The guard sends visitors without a session to the
                    // login page before this renders; a session that ended
                    // meanwhile shows the frame's sign-in hint.
                    _ => view! { <SignedOut /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="content">
            <section class="panel">
                <p>{move || i18n.t().error_sign_in_required}</p>
                <a class="button button-primary" href=paths::LOGIN>{move || i18n.t().login_submit}</a>
            </section>
        </main>
    }
}

#[component]
fn Frame(principal: Principal, demo_mode: bool) -> impl IntoView {
    let i18n = use_i18n();
    let menu_open = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move || hydrated.set(true));
    provide_context(CurrentUser(principal.clone()));
    let logout = ServerAction::<Logout>::new();
    let name = principal.display_name.clone();
    let roles = principal.roles.clone();
    let visible: Vec<&'static NavItem> = NAV
        .iter()
        .filter(|item| item.href.is_none_or(|href| policy::may_open(href, Some(&principal))))
        .collect();

    view! {
        <div class="app" data-hydrated=move || hydrated.get().then_some("true")>
            <header class="topbar">
                <button
                    type="button"
                    class="icon-button menu-toggle"
                    aria-controls="sidebar"
                    aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                    title=move || i18n.t().nav_menu
                    on:click=move |_| menu_open.update(|o| *o = !*o)
                >
                    <Icon kind=IconKind::Menu />
                    <span class="visually-hidden">{move || i18n.t().nav_menu}</span>
                </button>
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">
                        {move || i18n.t().app_name.chars().next().map(String::from)}
                    </span>
                    <span class="brand-name">{move || i18n.t().app_name}</span>
                    <span class="brand-tagline">{move || i18n.t().app_tagline}</span>
                </a>
                {demo_mode.then(|| view! { <span class="demo-badge">{move || i18n.t().demo_badge}</span> })}
                <LanguageSwitch />
                <div class="user-menu">
                    <a class="user-name" href=paths::ACCOUNT id="user-name">
                        <Icon kind=IconKind::Account />
                        <span>{name}</span>
                        <span class="user-roles">
                            {move || {
                                let t = i18n.t();
                                roles.iter().map(|r| role_label(*r, t)).collect::<Vec<_>>().join(" · ")
                            }}
                        </span>
                    </a>
                    <ActionForm action=logout attr:class="logout-form">
                        <button type="submit" class="icon-button" id="logout" title=move || i18n.t().logout>
                            <Icon kind=IconKind::Logout />
                            <span class="visually-hidden">{move || i18n.t().logout}</span>
                        </button>
                    </ActionForm>
                </div>
            </header>
            <nav
                id="sidebar"
                class="sidebar"
                class:sidebar-open=move || menu_open.get()
                aria-label=move || i18n.t().nav_label
            >
                <ul>
                    {visible
                        .into_iter()
                        .map(|item| {
                            let label = move || (item.label)(i18n.t());
                            match item.href {
                                Some(href) => view! {
                                    <li>
                                        <A href=href on:click=move |_| menu_open.set(false)>
                                            <Icon kind=item.icon />
                                            <span>{label}</span>
                                        </A>
                                    </li>
                                }
                                .into_any(),
                                None => view! {
                                    <li class="nav-planned" aria-disabled="true" title=move || i18n.t().nav_planned_hint>
                                        <Icon kind=item.icon />
                                        <span>{label}</span>
                                        <span class="badge">{move || i18n.t().nav_planned}</span>
                                    </li>
                                }
                                .into_any(),
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <main id="main" class="content">
                <Outlet />
            </main>
        </div>
    }
}

/// The frame of the pages before sign-in (login, forced password change):
/// brand and language switch only.
#[component]
pub fn BareLayout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    view! {
        <div class="bare" data-hydrated=move || hydrated.get().then_some("true")>
            <header class="bare-header">
                <span class="brand">
                    <span class="brand-mark" aria-hidden="true">
                        {move || i18n.t().app_name.chars().next().map(String::from)}
                    </span>
                    <span class="brand-name">{move || i18n.t().app_name}</span>
                    <span class="brand-tagline">{move || i18n.t().app_tagline}</span>
                </span>
                <LanguageSwitch />
            </header>
            <main id="main" class="bare-main">{children()}</main>
        </div>
    }
}

/// Switches between Chinese and English in place; the label names the
/// language it switches to.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="lang-switch"
            lang=move || i18n.locale().other().code()
            title=move || i18n.t().lang_switch_title
            on:click=move |_| i18n.set(i18n.locale().other())
        >
            <Icon kind=IconKind::Globe />
            <span>{move || i18n.t().lang_switch}</span>
        </button>
    }
}
