//! The page for unknown paths, answered with HTTP 404.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_i18n;

/// Shown for any path no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t().not_found_title />
        <section class="panel not-found">
            <h1>{move || i18n.t().not_found_title}</h1>
            <p>{move || i18n.t().not_found_body}</p>
            <a class="button" href="/">{move || i18n.t().back_home}</a>
        </section>
    }
}
