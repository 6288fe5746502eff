//! The application root: the HTML shell rendered by the server, the router
//! and the page layout.

use leptos::prelude::*;
use leptos_meta::{Html, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::layout::AppLayout;
use crate::i18n::provide_i18n;
use crate::pages::{dashboard::DashboardPage, not_found::NotFound};

/// The HTML document around [`App`], rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: language, document metadata, layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_i18n();

    view! {
        <Html {..} lang=move || i18n.locale().code() />
        <Stylesheet id="gouzhu" href="/pkg/gouzhu.css" />
        <Meta name="color-scheme" content="light" />
        <Title formatter=move |page: String| {
            let app = i18n.t().app_name;
            if page.is_empty() { app.to_owned() } else { format!("{page} · {app}") }
        } />
        <Router>
            <AppLayout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=DashboardPage />
                </Routes>
            </AppLayout>
        </Router>
    }
}
