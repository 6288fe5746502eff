//! The application root: the HTML shell rendered by the server, the router
//! and the page layout.

use leptos::prelude::*;
use leptos_meta::{Html, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::layout::AppLayout;
use crate::i18n::provide_i18n;
use crate::pages::{
    account::AccountPage, approvals::ApprovalsPage, audit::AuditPage, home::HomePage,
    login::ChangePasswordPage, login::LoginPage, not_found::NotFound, users::UsersPage,
};

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

/// The application: language, document metadata, routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_i18n();
    #[cfg(feature = "ssr")]
    set_content_security_policy();

    view! {
        <Html {..} lang=move || i18n.locale().code() />
        <Stylesheet id="gouzhu" href="/pkg/gouzhu.css" />
        <Meta name="color-scheme" content="light" />
        <Title formatter=move |page: String| {
            let app = i18n.t().app_name;
            if page.is_empty() { app.to_owned() } else { format!("{page} · {app}") }
        } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/change-password") view=ChangePasswordPage />
                <ParentRoute path=path!("") view=AppLayout>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("account") view=AccountPage />
                    <Route path=path!("admin/users") view=UsersPage />
                    <Route path=path!("approvals") view=ApprovalsPage />
                    <Route path=path!("audit") view=AuditPage />
                    <Route path=path!("posts") view=crate::pages::posts::PostsOverviewPage />
                    <Route path=path!("towns") view=crate::pages::posts::TownsPage />
                    <Route path=path!("towns/:id") view=crate::pages::posts::TownPage />
                    <Route path=path!("allocation") view=crate::pages::allocation::AllocationPageView />
                    <Route path=path!("allocation/:id") view=crate::pages::allocation::PlanPage />
                    <Route path=path!("roster") view=crate::pages::roster::RosterPageView />
                    <Route path=path!("roster/:id") view=crate::pages::roster::PersonPage />
                    <Route path=path!("roster-imports") view=crate::pages::roster_import::RosterImportsPage />
                    <Route path=path!("payroll") view=crate::pages::payroll::PayrollPage />
                    <Route path=path!("payroll/scores") view=crate::pages::payroll::ScoresPage />
                    <Route path=path!("payroll/people") view=crate::pages::payroll_people::PeoplePage />
                    <Route path=path!("payroll/runs/:id") view=crate::pages::payroll::RunPage />
                    <Route path=path!("roster-imports/:id") view=crate::pages::roster_import::RosterImportPage />
                    <Route path=path!("budget") view=crate::pages::budget::BudgetPage />
                    <Route path=path!("budget/requests") view=crate::pages::budget::BudgetRequestsPage />
                    <Route path=path!("budget/sources/:id") view=crate::pages::budget::BudgetSourcePage />
                    <Route path=path!("contracts") view=crate::pages::contracts::ContractsPage />
                    <Route path=path!("contracts/:id") view=crate::pages::contracts::ContractPage />
                    <Route path=path!("suppliers") view=crate::pages::contracts::SuppliersPage />
                    <Route path=path!("procurement/:id") view=crate::pages::contracts::ProjectPage />
                    <Route path=path!("services") view=crate::pages::services::ServicesPage />
                    <Route path=path!("services/reports/:id") view=crate::pages::services::ServiceReportPage />
                    <Route path=path!("recipients") view=crate::pages::services::RecipientsPage />
                    <Route path=path!("inspections") view=crate::pages::inspections::InspectionsPage />
                    <Route path=path!("inspections/plans/:id") view=crate::pages::inspections::InspectionPlanPage />
                    <Route path=path!("inspections/:id") view=crate::pages::inspections::InspectionPage />
                    <Route path=path!("inspection-results") view=crate::pages::inspections::InspectionResultsPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Pages may run only the scripts the server put there (the hydration
/// script carries the per-response nonce Leptos generates), load
/// everything else only from this site, and never be framed.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
