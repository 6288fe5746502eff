//! The frame around every page: top bar with the language switch, the
//! module sidebar (a drawer at phone width) and the main area.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::icon::{Icon, IconKind};
use crate::i18n::{Messages, use_i18n};

/// A module in the sidebar. `href` is `None` while the module is still to
/// be built: it is listed, visibly marked as planned, and not a link.
struct NavItem {
    label: fn(&Messages) -> &'static str,
    icon: IconKind,
    href: Option<&'static str>,
}

const NAV: &[NavItem] = &[
    NavItem { label: |t| t.nav_home, icon: IconKind::Home, href: Some("/") },
    NavItem { label: |t| t.nav_posts, icon: IconKind::People, href: None },
    NavItem { label: |t| t.nav_payroll, icon: IconKind::Wallet, href: None },
    NavItem { label: |t| t.nav_budget, icon: IconKind::Budget, href: None },
    NavItem { label: |t| t.nav_contracts, icon: IconKind::Contract, href: None },
    NavItem { label: |t| t.nav_services, icon: IconKind::Results, href: None },
    NavItem { label: |t| t.nav_inspections, icon: IconKind::Inspect, href: None },
];

/// The page frame. Marks itself `data-hydrated` once the browser has taken
/// over, which the browser tests (and curious developers) can observe.
#[component]
pub fn AppLayout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let menu_open = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move || hydrated.set(true));

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
                    <span class="brand-mark" aria-hidden="true">{move || i18n.t().app_name.chars().next().map(String::from)}</span>
                    <span class="brand-name">{move || i18n.t().app_name}</span>
                    <span class="brand-tagline">{move || i18n.t().app_tagline}</span>
                </a>
                <LanguageSwitch />
            </header>
            <nav
                id="sidebar"
                class="sidebar"
                class:sidebar-open=move || menu_open.get()
                aria-label=move || i18n.t().nav_label
            >
                <ul>
                    {NAV
                        .iter()
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
                {children()}
            </main>
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
