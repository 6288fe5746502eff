//! Small shared components: loading and error states, figure cards, the
//! tabs of a module.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{Messages, use_i18n};

/// One tab: its path and its label.
pub type Tab = (&'static str, fn(&Messages) -> &'static str);

/// A module's tabs the signed-in user may open; the one at `current` is
/// marked.
#[component]
pub fn Tabs(
    current: &'static str,
    label: fn(&Messages) -> &'static str,
    tabs: &'static [Tab],
) -> impl IntoView {
    let i18n = use_i18n();
    let who = use_context::<crate::components::layout::CurrentUser>().map(|u| u.0);
    view! {
        <nav class="tabs" aria-label=move || label(i18n.t())>
            {tabs.iter().filter(|(href, _)| crate::policy::may_open(href, who.as_ref())).map(|(href, text)| {
                let (href, text) = (*href, *text);
                let here = href == current;
                view! {
                    <a href=href class="tab" class:tab-current=here aria-current=here.then_some("page")>
                        {move || text(i18n.t())}
                    </a>
                }
            }).collect_view()}
        </nav>
    }
}

/// Shown while a page's data loads.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" aria-live="polite">{move || i18n.t().loading}</p> }
}

/// A failed load, explained in the user's language.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel panel-error" role="alert">
            <h2>{move || i18n.t().error_title}</h2>
            <p>{move || error.message(i18n.t())}</p>
        </section>
    }
}

/// A refused action, explained with its particulars (the field, the row,
/// the source and shortfall).
#[component]
pub fn ActionError(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="form-error" role="alert">{move || error.describe(i18n.t())}</p> }
}

/// One headline figure with a label and an optional detail line (an
/// empty detail shows nothing).
#[component]
pub fn Figure(
    #[prop(into)] label: Signal<&'static str>,
    #[prop(into)] value: String,
    #[prop(optional, into)] detail: Option<Signal<String>>,
    #[prop(optional)] accent: bool,
) -> impl IntoView {
    view! {
        <div class="figure" class:figure-accent=accent>
            <div class="figure-label">{label}</div>
            <div class="figure-value">{value}</div>
            {detail.map(|d| {
                move || {
                    let text = d.get();
                    (!text.is_empty()).then(|| view! { <div class="figure-detail">{text}</div> })
                }
            })}
        </div>
    }
}
