//! The access policy: one table naming every route the server answers and
//! who may use it. The server enforces it for every request before any
//! handler runs (`server/src/routes/guard.rs`), refuses to start when a
//! registered route has no row here, and the end-to-end tests walk every
//! row with every role. Data-level scope (a town user sees only their town)
//! is checked inside the handlers with [`crate::domain::access::Principal`].

use crate::domain::access::{Principal, Role};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Signed-in users holding at least one of these roles.
    AnyOf(&'static [Role]),
}

/// What a route serves; decides how a refusal looks (a redirect to the
/// login page for pages, a status code for everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    Page,
    ServerFn,
    File,
    Api,
    Static,
}

/// One row of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub method: &'static str,
    /// The path as the router declares it (`{name}` for parameters; a
    /// trailing `/*` covers everything below).
    pub path: &'static str,
    pub kind: RouteKind,
    pub access: Access,
    /// Usable while the user must still change their password.
    pub before_password_change: bool,
}

/// The outcome of checking a rule for a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Not signed in (HTTP 401, or the login page).
    SignInRequired,
    /// Signed in, but must change the password first.
    PasswordChangeRequired,
    /// Signed in without the needed role (HTTP 403).
    Forbidden,
}

impl Rule {
    /// Checks this rule for `who` (`None`: not signed in).
    pub fn verdict(&self, who: Option<&Principal>) -> Verdict {
        if self.access == Access::Public {
            return Verdict::Allowed;
        }
        let Some(p) = who else {
            return Verdict::SignInRequired;
        };
        if p.must_change_password && !self.before_password_change {
            return Verdict::PasswordChangeRequired;
        }
        match self.access {
            Access::Public | Access::SignedIn => Verdict::Allowed,
            Access::AnyOf(roles) if p.has_any(roles) => Verdict::Allowed,
            Access::AnyOf(_) => Verdict::Forbidden,
        }
    }

    /// Does this rule cover `path` (a declared route path, or any path
    /// under a `/*` prefix)?
    fn covers(&self, path: &str) -> bool {
        match self.path.strip_suffix("/*") {
            Some(prefix) => path.starts_with(prefix) && path[prefix.len()..].starts_with('/'),
            None => self.path == path,
        }
    }
}

/// The bureau's staff plus town users: who sees staffing figures (town
/// users only their own town's).
pub const STAFFING_READERS: &[Role] =
    &[Role::Admin, Role::Finance, Role::Approver, Role::Inspector, Role::Auditor, Role::Town];
/// The bureau's own staff (district-wide figures such as allocation
/// plans).
pub const BUREAU: &[Role] = Role::DISTRICT_WIDE;
/// Who keeps the roster: finance anywhere, town users in their own town
/// (checked in the handlers).
pub const ROSTER_KEEPERS: &[Role] = &[Role::Finance, Role::Town];
/// Who prepares items for approval, decides them, or reviews them.
pub const APPROVAL_READERS: &[Role] = &[Role::Admin, Role::Finance, Role::Approver, Role::Auditor];
/// Who sees pay: finance, the approver and the auditor district-wide,
/// town users their own town's lines (checked in the handlers). Not the
/// administrator (who runs the system, not the money) nor inspectors.
pub const PAYROLL_READERS: &[Role] = &[Role::Finance, Role::Approver, Role::Auditor, Role::Town];

/// Who sees the budget: finance, the approver and the auditor
/// district-wide, town users their town's own funds and requests (checked
/// in the handlers).
pub const BUDGET_READERS: &[Role] = &[Role::Finance, Role::Approver, Role::Auditor, Role::Town];
/// Who asks for money: finance (the bureau's spending) and towns
/// (purchases from their own funds).
pub const BUDGET_REQUESTERS: &[Role] = &[Role::Finance, Role::Town];
/// The bureau's readers of district-wide budget figures (reports).
pub const BUDGET_BUREAU: &[Role] = &[Role::Finance, Role::Approver, Role::Auditor];

/// Who sees contracts: bureau staff district-wide, a town its town's, a
/// provider its own organisation's (checked in the handlers).
pub const CONTRACT_READERS: &[Role] =
    &[Role::Admin, Role::Finance, Role::Approver, Role::Inspector, Role::Auditor, Role::Town, Role::Provider];
/// Who sees procurement projects: bureau staff, and towns their own.
pub const PROJECT_READERS: &[Role] = STAFFING_READERS;
/// Who previews contract templates: finance, who drafts contracts, and
/// the administrator, who looks after the template files.
pub const TEMPLATE_EDITORS: &[Role] = &[Role::Admin, Role::Finance];

/// Who sees deliverables and the recipients register: bureau staff
/// district-wide, a town its town's, a provider its own organisation's
/// (checked in the handlers).
pub const SERVICE_READERS: &[Role] = CONTRACT_READERS;
/// Who reads inspections: bureau staff everything, towns their town's
/// submitted inspections and notices (checked in the handlers).
pub const INSPECTION_READERS: &[Role] = STAFFING_READERS;
/// Who takes rectification steps: the town responds, inspectors verify.
pub const RECTIFIERS: &[Role] = &[Role::Inspector, Role::Town];
/// Who keeps the recipients register: finance, and towns in their town.
pub const REGISTER_KEEPERS: &[Role] = &[Role::Finance, Role::Town];

/// Paths of the pages, shared by the router and the table.
pub mod paths {
    pub const HOME: &str = "/";
    pub const LOGIN: &str = "/login";
    pub const CHANGE_PASSWORD: &str = "/change-password";
    pub const ACCOUNT: &str = "/account";
    pub const USERS: &str = "/admin/users";
    pub const APPROVALS: &str = "/approvals";
    pub const AUDIT: &str = "/audit";
    pub const STAFFING_SUMMARY_PDF: &str = "/files/staffing-summary.pdf";
    pub const POSTS: &str = "/posts";
    pub const TOWNS: &str = "/towns";
    pub const TOWN: &str = "/towns/{id}";
    pub const ALLOCATION: &str = "/allocation";
    pub const PLAN: &str = "/allocation/{id}";
    pub const ROSTER: &str = "/roster";
    pub const PERSON: &str = "/roster/{id}";
    pub const PAYROLL: &str = "/payroll";
    pub const PAYROLL_RUN: &str = "/payroll/runs/{id}";
    pub const PAYROLL_SCORES: &str = "/payroll/scores";
    pub const PAYROLL_PEOPLE: &str = "/payroll/people";
    pub const PAYROLL_SHEET_PDF: &str = "/files/payroll/{id}/sheet.pdf";
    pub const PAYROLL_SHEET_XLSX: &str = "/files/payroll/{id}/sheet.xlsx";
    pub const PAYROLL_SLIPS_PDF: &str = "/files/payroll/{id}/slips.pdf";
    /// A finished document job's file (its owner only).
    pub const JOB_FILE: &str = "/files/jobs/{id}";
    pub const BUDGET: &str = "/budget";
    pub const BUDGET_SOURCE: &str = "/budget/sources/{id}";
    pub const BUDGET_REQUESTS: &str = "/budget/requests";
    pub const CONTRACTS: &str = "/contracts";
    pub const CONTRACT: &str = "/contracts/{id}";
    pub const SUPPLIERS: &str = "/suppliers";
    pub const PROJECT: &str = "/procurement/{id}";
    pub const CONTRACT_PDF: &str = "/files/contracts/{id}/contract.pdf";
    /// A contract template typeset with demo data.
    pub const CONTRACT_TEMPLATE_PREVIEW: &str = "/files/contract-templates/{template}/preview.pdf";
    /// The OCDS release package, as a download.
    pub const OCDS_DOWNLOAD: &str = "/files/ocds/release-package.json";
    pub const BUDGET_EXECUTION_PDF: &str = "/files/budget/{year}/execution.pdf";
    pub const BUDGET_EXECUTION_XLSX: &str = "/files/budget/{year}/execution.xlsx";
    /// A source's attachment: upload (finance) and download (readers of
    /// the source).
    pub const BUDGET_ATTACHMENT_UPLOAD: &str = "/files/budget/sources/{id}/attachments";
    pub const BUDGET_ATTACHMENT: &str = "/files/budget/attachments/{id}";
    pub const ROSTER_IMPORTS: &str = "/roster-imports";
    pub const ROSTER_IMPORT: &str = "/roster-imports/{id}";
    /// Files: the roster upload (a form post) and the spreadsheets.
    pub const ROSTER_IMPORT_UPLOAD: &str = "/files/roster-import";
    pub const ROSTER_IMPORT_FAILED: &str = "/files/roster-imports/{id}/failed.xlsx";
    pub const ROSTER_TEMPLATE: &str = "/files/roster-template.xlsx";
    pub const ROSTER_XLSX: &str = "/files/roster.xlsx";
    pub const TOWNS_XLSX: &str = "/files/towns.xlsx";
    pub const PLAN_XLSX: &str = "/files/allocation-plans/{id}/plan.xlsx";
    /// The API for other systems.
    pub const API_OPENAPI: &str = "/api/v1/openapi.json";
    pub const API_ROSTER: &str = "/api/v1/roster";
    pub const API_ALLOCATION_PREVIEW: &str = "/api/v1/allocation/preview";
    pub const API_PAYROLL_RUNS: &str = "/api/v1/payroll/runs";
    pub const API_PAYROLL_RUN: &str = "/api/v1/payroll/runs/{id}";
    pub const API_PAYROLL_PREVIEW: &str = "/api/v1/payroll/preview";
    pub const API_BUDGET_SOURCES: &str = "/api/v1/budget/sources";
    pub const API_BUDGET_BALANCES: &str = "/api/v1/budget/balances";
    pub const API_BUDGET_ENTRIES: &str = "/api/v1/budget/entries";
    pub const API_SUPPLIERS: &str = "/api/v1/suppliers";
    pub const API_PROJECTS: &str = "/api/v1/procurement/projects";
    pub const API_CONTRACTS: &str = "/api/v1/contracts";
    pub const API_CONTRACT: &str = "/api/v1/contracts/{id}";
    /// Open data: the OCDS release package.
    pub const API_OCDS: &str = "/api/v1/ocds/release-package";
    /// Service records: read (scoped) and, for providers, create.
    pub const API_SERVICE_RECORDS: &str = "/api/v1/service-records";
    pub const SERVICES: &str = "/services";
    pub const SERVICE_REPORT: &str = "/services/reports/{id}";
    pub const RECIPIENTS: &str = "/recipients";
    /// A record's evidence upload (its provider) and an evidence file.
    pub const EVIDENCE_UPLOAD: &str = "/files/service-records/{id}/evidence";
    pub const EVIDENCE: &str = "/files/evidence/{id}";
    /// Service records as spreadsheets: the import template, the import
    /// (providers) and the export (every reader, scoped).
    pub const RECORDS_TEMPLATE: &str = "/files/service-records/template.xlsx";
    pub const RECORDS_IMPORT: &str = "/files/service-records/import";
    pub const RECORDS_XLSX: &str = "/files/service-records.xlsx";
    /// Spot inspections: overview, a plan, an inspection, the results.
    pub const INSPECTIONS: &str = "/inspections";
    pub const INSPECTION_PLAN: &str = "/inspections/plans/{id}";
    pub const INSPECTION: &str = "/inspections/{id}";
    pub const INSPECTION_RESULTS: &str = "/inspection-results";
    /// The inspector's form (multipart, with photos), a photo.
    pub const INSPECTION_FORM: &str = "/files/inspections/{id}/form";
    pub const INSPECTION_PHOTO: &str = "/files/inspection-photos/{id}";
    /// A town's evidence of rectification: upload and download.
    pub const RECTIFICATION_EVIDENCE_UPLOAD: &str = "/files/rectifications/{id}/evidence";
    pub const RECTIFICATION_EVIDENCE: &str = "/files/rectification-evidence/{id}";
    /// The rectification notice (整改通知书).
    pub const RECTIFICATION_NOTICE_PDF: &str = "/files/rectifications/{id}/notice.pdf";
    /// The published results as a spreadsheet (public).
    pub const INSPECTION_RESULTS_XLSX: &str = "/files/inspection-results.xlsx";
    pub const API_INSPECTION_PLANS: &str = "/api/v1/inspection-plans";
    pub const API_INSPECTIONS: &str = "/api/v1/inspections";
    pub const API_FINDINGS: &str = "/api/v1/findings";
    pub const API_INSPECTION_RESULTS: &str = "/api/v1/inspection-results";
    /// Prometheus metrics (administrators and auditors, e.g. with a token).
    pub const METRICS: &str = "/metrics";
}

const fn rule(method: &'static str, path: &'static str, kind: RouteKind, access: Access) -> Rule {
    Rule { method, path, kind, access, before_password_change: false }
}

const fn early(method: &'static str, path: &'static str, kind: RouteKind, access: Access) -> Rule {
    Rule { method, path, kind, access, before_password_change: true }
}

use Access::{AnyOf, Public, SignedIn};
use RouteKind::{Api, File, Page, ServerFn, Static};

/// The policy. Server functions are all `POST /api/<endpoint>`.
pub const RULES: &[Rule] = &[
    // Operations and static assets.
    early("GET", "/healthz", Api, Public),
    rule("GET", paths::METRICS, Api, AnyOf(&[Role::Admin, Role::Auditor])),
    early("GET", "/pkg/*", Static, Public),
    early("GET", "/favicon.svg", Static, Public),
    // Pages.
    early("GET", paths::LOGIN, Page, Public),
    early("GET", paths::CHANGE_PASSWORD, Page, SignedIn),
    rule("GET", paths::HOME, Page, SignedIn),
    rule("GET", paths::ACCOUNT, Page, SignedIn),
    rule("GET", paths::USERS, Page, AnyOf(&[Role::Admin, Role::Auditor])),
    rule("GET", paths::APPROVALS, Page, AnyOf(APPROVAL_READERS)),
    rule("GET", paths::AUDIT, Page, AnyOf(&[Role::Auditor])),
    rule("GET", paths::POSTS, Page, AnyOf(STAFFING_READERS)),
    rule("GET", paths::TOWNS, Page, AnyOf(STAFFING_READERS)),
    rule("GET", paths::TOWN, Page, AnyOf(STAFFING_READERS)),
    rule("GET", paths::ALLOCATION, Page, AnyOf(BUREAU)),
    rule("GET", paths::PLAN, Page, AnyOf(BUREAU)),
    rule("GET", paths::ROSTER, Page, AnyOf(STAFFING_READERS)),
    rule("GET", paths::PERSON, Page, AnyOf(STAFFING_READERS)),
    rule("GET", paths::PAYROLL, Page, AnyOf(PAYROLL_READERS)),
    rule("GET", paths::PAYROLL_RUN, Page, AnyOf(PAYROLL_READERS)),
    rule("GET", paths::PAYROLL_SCORES, Page, AnyOf(ROSTER_KEEPERS)),
    rule("GET", paths::PAYROLL_PEOPLE, Page, AnyOf(PAYROLL_READERS)),
    rule("GET", paths::BUDGET, Page, AnyOf(BUDGET_READERS)),
    rule("GET", paths::BUDGET_SOURCE, Page, AnyOf(BUDGET_READERS)),
    rule("GET", paths::BUDGET_REQUESTS, Page, AnyOf(BUDGET_READERS)),
    rule("GET", paths::CONTRACTS, Page, AnyOf(CONTRACT_READERS)),
    rule("GET", paths::CONTRACT, Page, AnyOf(CONTRACT_READERS)),
    rule("GET", paths::SUPPLIERS, Page, AnyOf(CONTRACT_READERS)),
    rule("GET", paths::SERVICES, Page, AnyOf(SERVICE_READERS)),
    rule("GET", paths::SERVICE_REPORT, Page, AnyOf(SERVICE_READERS)),
    rule("GET", paths::RECIPIENTS, Page, AnyOf(SERVICE_READERS)),
    rule("GET", paths::PROJECT, Page, AnyOf(PROJECT_READERS)),
    rule("GET", paths::INSPECTIONS, Page, AnyOf(INSPECTION_READERS)),
    rule("GET", paths::INSPECTION_PLAN, Page, AnyOf(BUREAU)),
    rule("GET", paths::INSPECTION, Page, AnyOf(INSPECTION_READERS)),
    rule("GET", paths::INSPECTION_RESULTS, Page, SignedIn),
    rule("GET", paths::ROSTER_IMPORTS, Page, AnyOf(ROSTER_KEEPERS)),
    rule("GET", paths::ROSTER_IMPORT, Page, AnyOf(ROSTER_KEEPERS)),
    // Files.
    rule("GET", paths::STAFFING_SUMMARY_PDF, File, AnyOf(STAFFING_READERS)),
    rule("POST", paths::ROSTER_IMPORT_UPLOAD, File, AnyOf(ROSTER_KEEPERS)),
    rule("GET", paths::ROSTER_IMPORT_FAILED, File, AnyOf(ROSTER_KEEPERS)),
    rule("GET", paths::ROSTER_TEMPLATE, File, AnyOf(ROSTER_KEEPERS)),
    rule("GET", paths::ROSTER_XLSX, File, AnyOf(STAFFING_READERS)),
    rule("GET", paths::TOWNS_XLSX, File, AnyOf(STAFFING_READERS)),
    rule("GET", paths::PLAN_XLSX, File, AnyOf(BUREAU)),
    rule("GET", paths::PAYROLL_SHEET_PDF, File, AnyOf(PAYROLL_READERS)),
    rule("GET", paths::PAYROLL_SHEET_XLSX, File, AnyOf(PAYROLL_READERS)),
    rule("GET", paths::PAYROLL_SLIPS_PDF, File, AnyOf(PAYROLL_READERS)),
    rule("GET", paths::BUDGET_EXECUTION_PDF, File, AnyOf(BUDGET_BUREAU)),
    rule("GET", paths::BUDGET_EXECUTION_XLSX, File, AnyOf(BUDGET_BUREAU)),
    rule("POST", paths::BUDGET_ATTACHMENT_UPLOAD, File, AnyOf(&[Role::Finance])),
    rule("GET", paths::BUDGET_ATTACHMENT, File, AnyOf(BUDGET_READERS)),
    rule("GET", paths::CONTRACT_PDF, File, AnyOf(CONTRACT_READERS)),
    rule("POST", paths::EVIDENCE_UPLOAD, File, AnyOf(&[Role::Provider])),
    rule("GET", paths::EVIDENCE, File, AnyOf(SERVICE_READERS)),
    rule("GET", paths::RECORDS_TEMPLATE, File, AnyOf(&[Role::Provider])),
    rule("POST", paths::RECORDS_IMPORT, File, AnyOf(&[Role::Provider])),
    rule("GET", paths::RECORDS_XLSX, File, AnyOf(SERVICE_READERS)),
    rule("POST", paths::INSPECTION_FORM, File, AnyOf(&[Role::Inspector])),
    rule("GET", paths::INSPECTION_PHOTO, File, AnyOf(INSPECTION_READERS)),
    rule("POST", paths::RECTIFICATION_EVIDENCE_UPLOAD, File, AnyOf(&[Role::Town])),
    rule("GET", paths::RECTIFICATION_EVIDENCE, File, AnyOf(INSPECTION_READERS)),
    rule("GET", paths::RECTIFICATION_NOTICE_PDF, File, AnyOf(INSPECTION_READERS)),
    early("GET", paths::INSPECTION_RESULTS_XLSX, File, Public),
    rule("GET", paths::CONTRACT_TEMPLATE_PREVIEW, File, AnyOf(TEMPLATE_EDITORS)),
    // Open data (政府购买服务合同应当依法予以公告): no personal data in it.
    early("GET", paths::OCDS_DOWNLOAD, File, Public),
    // Only the job's owner gets the file (others: 404); the only jobs yet
    // are pay slips.
    rule("GET", paths::JOB_FILE, File, AnyOf(PAYROLL_READERS)),
    // Server functions: session.
    early("POST", "/api/login", ServerFn, Public),
    early("POST", "/api/logout", ServerFn, SignedIn),
    early("POST", "/api/current_user", ServerFn, Public),
    early("POST", "/api/change_password", ServerFn, SignedIn),
    // Server functions: data.
    rule("POST", "/api/dashboard", ServerFn, AnyOf(STAFFING_READERS)),
    // Server functions: towns, allocation, roster.
    rule("POST", "/api/towns_overview", ServerFn, AnyOf(STAFFING_READERS)),
    rule("POST", "/api/town_detail", ServerFn, AnyOf(STAFFING_READERS)),
    rule("POST", "/api/record_town_figures", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/allocation_page", ServerFn, AnyOf(BUREAU)),
    rule("POST", "/api/preview_allocation", ServerFn, AnyOf(BUREAU)),
    rule("POST", "/api/allocation_plan", ServerFn, AnyOf(BUREAU)),
    rule("POST", "/api/submit_allocation", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/record_norms", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/roster", ServerFn, AnyOf(STAFFING_READERS)),
    rule("POST", "/api/person", ServerFn, AnyOf(STAFFING_READERS)),
    rule("POST", "/api/roster_choices", ServerFn, AnyOf(STAFFING_READERS)),
    rule("POST", "/api/hire_person", ServerFn, AnyOf(ROSTER_KEEPERS)),
    rule("POST", "/api/propose_staff_change", ServerFn, AnyOf(ROSTER_KEEPERS)),
    rule("POST", "/api/edit_person", ServerFn, AnyOf(ROSTER_KEEPERS)),
    rule("POST", "/api/record_leaving", ServerFn, AnyOf(ROSTER_KEEPERS)),
    rule("POST", "/api/roster_imports", ServerFn, AnyOf(ROSTER_KEEPERS)),
    // Server functions: payroll.
    rule("POST", "/api/payroll_overview", ServerFn, AnyOf(PAYROLL_READERS)),
    rule("POST", "/api/payroll_run", ServerFn, AnyOf(PAYROLL_READERS)),
    rule("POST", "/api/start_payroll_run", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/submit_payroll_run", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/discard_payroll_run", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/mark_payroll_paid", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/propose_pay_standards", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/add_payroll_adjustment", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/propose_insurance_rules", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/start_slips_job", ServerFn, AnyOf(PAYROLL_READERS)),
    rule("POST", "/api/slips_job", ServerFn, AnyOf(PAYROLL_READERS)),
    rule("POST", "/api/payroll_people", ServerFn, AnyOf(PAYROLL_READERS)),
    rule("POST", "/api/declare_deduction", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/withdraw_deduction", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/score_sheet", ServerFn, AnyOf(ROSTER_KEEPERS)),
    rule("POST", "/api/record_score", ServerFn, AnyOf(ROSTER_KEEPERS)),
    rule("POST", "/api/roster_import", ServerFn, AnyOf(ROSTER_KEEPERS)),
    // Server functions: budget.
    rule("POST", "/api/budget_summary", ServerFn, AnyOf(BUDGET_READERS)),
    rule("POST", "/api/record_fiscal_year", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/record_budget_plan", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/create_budget_source", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/budget_source", ServerFn, AnyOf(BUDGET_READERS)),
    rule("POST", "/api/correct_budget_base", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/propose_budget_eligibility", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/reverse_budget_entry", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/budget_requests", ServerFn, AnyOf(BUDGET_READERS)),
    rule("POST", "/api/submit_budget_request", ServerFn, AnyOf(BUDGET_REQUESTERS)),
    rule("POST", "/api/pay_budget_request", ServerFn, AnyOf(&[Role::Finance])),
    // Server functions: deliverables.
    rule("POST", "/api/services_overview", ServerFn, AnyOf(SERVICE_READERS)),
    rule("POST", "/api/save_service_record", ServerFn, AnyOf(&[Role::Provider])),
    rule("POST", "/api/void_service_record", ServerFn, AnyOf(&[Role::Provider])),
    rule("POST", "/api/submit_service_report", ServerFn, AnyOf(&[Role::Provider])),
    rule("POST", "/api/service_report_detail", ServerFn, AnyOf(SERVICE_READERS)),
    rule("POST", "/api/review_service_report", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/recipient_list", ServerFn, AnyOf(SERVICE_READERS)),
    rule("POST", "/api/register_recipient", ServerFn, AnyOf(REGISTER_KEEPERS)),
    rule("POST", "/api/update_recipient", ServerFn, AnyOf(REGISTER_KEEPERS)),
    rule("POST", "/api/set_contract_area", ServerFn, AnyOf(&[Role::Finance])),
    // Server functions: spot inspections.
    rule("POST", "/api/inspections_overview", ServerFn, AnyOf(INSPECTION_READERS)),
    rule("POST", "/api/create_inspection_plan", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/inspection_plan", ServerFn, AnyOf(BUREAU)),
    rule("POST", "/api/draw_inspection_plan", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/inspection_page", ServerFn, AnyOf(INSPECTION_READERS)),
    rule("POST", "/api/add_inspection_finding", ServerFn, AnyOf(&[Role::Inspector])),
    rule("POST", "/api/decide_inspection_finding", ServerFn, AnyOf(&[Role::Inspector])),
    rule("POST", "/api/issue_rectification_notice", ServerFn, AnyOf(&[Role::Inspector])),
    rule("POST", "/api/rectification_step", ServerFn, AnyOf(RECTIFIERS)),
    rule("POST", "/api/inspection_results", ServerFn, SignedIn),
    rule("POST", "/api/rectification_alerts", ServerFn, AnyOf(INSPECTION_READERS)),
    // Server functions: contracts.
    rule("POST", "/api/contracts_overview", ServerFn, AnyOf(CONTRACT_READERS)),
    rule("POST", "/api/supplier_list", ServerFn, AnyOf(CONTRACT_READERS)),
    rule("POST", "/api/save_supplier", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/blacklist_supplier", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/create_project", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/project_detail", ServerFn, AnyOf(PROJECT_READERS)),
    rule("POST", "/api/add_bid", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/award_project", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/cancel_project", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/save_contract", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/contract_detail", ServerFn, AnyOf(CONTRACT_READERS)),
    rule("POST", "/api/advance_contract", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/propose_amendment", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/accept_milestone", ServerFn, AnyOf(&[Role::Finance])),
    rule("POST", "/api/request_milestone_payment", ServerFn, AnyOf(&[Role::Finance])),
    // Server functions: own account and API tokens.
    rule("POST", "/api/list_tokens", ServerFn, SignedIn),
    rule("POST", "/api/create_token", ServerFn, SignedIn),
    rule("POST", "/api/revoke_token", ServerFn, SignedIn),
    // Server functions: user administration (auditors read).
    rule("POST", "/api/list_users", ServerFn, AnyOf(&[Role::Admin, Role::Auditor])),
    rule("POST", "/api/create_user", ServerFn, AnyOf(&[Role::Admin])),
    rule("POST", "/api/update_user", ServerFn, AnyOf(&[Role::Admin])),
    rule("POST", "/api/set_user_disabled", ServerFn, AnyOf(&[Role::Admin])),
    rule("POST", "/api/reset_password", ServerFn, AnyOf(&[Role::Admin])),
    // Server functions: maker-checker.
    rule("POST", "/api/list_approvals", ServerFn, AnyOf(APPROVAL_READERS)),
    rule("POST", "/api/decide_approval", ServerFn, AnyOf(&[Role::Approver])),
    rule("POST", "/api/withdraw_approval", ServerFn, AnyOf(&[Role::Admin, Role::Finance])),
    // Server functions: audit.
    rule("POST", "/api/audit_entries", ServerFn, AnyOf(&[Role::Auditor])),
    rule("POST", "/api/verify_audit", ServerFn, AnyOf(&[Role::Auditor])),
    // The API for other systems (Bearer tokens, or a session).
    rule("GET", "/api/v1/me", Api, SignedIn),
    rule("GET", "/api/v1/towns", Api, AnyOf(STAFFING_READERS)),
    rule("GET", "/api/v1/towns/{code}", Api, AnyOf(STAFFING_READERS)),
    rule("GET", paths::API_ROSTER, Api, AnyOf(STAFFING_READERS)),
    // Pure: computes from the figures sent, reads nothing stored.
    rule("POST", paths::API_ALLOCATION_PREVIEW, Api, SignedIn),
    early("GET", paths::API_OPENAPI, Api, Public),
    rule("GET", paths::API_PAYROLL_RUNS, Api, AnyOf(PAYROLL_READERS)),
    rule("GET", paths::API_PAYROLL_RUN, Api, AnyOf(PAYROLL_READERS)),
    // Pure, like the allocation preview.
    rule("POST", paths::API_PAYROLL_PREVIEW, Api, SignedIn),
    rule("GET", paths::API_BUDGET_SOURCES, Api, AnyOf(BUDGET_READERS)),
    rule("GET", paths::API_BUDGET_BALANCES, Api, AnyOf(BUDGET_READERS)),
    rule("GET", paths::API_BUDGET_ENTRIES, Api, AnyOf(BUDGET_READERS)),
    rule("GET", paths::API_SUPPLIERS, Api, AnyOf(CONTRACT_READERS)),
    rule("GET", paths::API_PROJECTS, Api, AnyOf(PROJECT_READERS)),
    rule("GET", paths::API_CONTRACTS, Api, AnyOf(CONTRACT_READERS)),
    rule("GET", paths::API_CONTRACT, Api, AnyOf(CONTRACT_READERS)),
    early("GET", paths::API_OCDS, Api, Public),
    rule("GET", paths::API_SERVICE_RECORDS, Api, AnyOf(SERVICE_READERS)),
    rule("POST", paths::API_SERVICE_RECORDS, Api, AnyOf(&[Role::Provider])),
    rule("GET", paths::API_INSPECTION_PLANS, Api, AnyOf(BUREAU)),
    rule("GET", paths::API_INSPECTIONS, Api, AnyOf(INSPECTION_READERS)),
    rule("GET", paths::API_FINDINGS, Api, AnyOf(INSPECTION_READERS)),
    // 一公开: published results carry no personal data.
    early("GET", paths::API_INSPECTION_RESULTS, Api, Public),
];

/// The rule for a request: by its matched route path when the router
/// matched one, else by the raw path (static files under the fallback).
pub fn rule_for(method: &str, route_path: &str) -> Option<&'static Rule> {
    let method = if method == "HEAD" { "GET" } else { method };
    RULES.iter().find(|r| r.method == method && r.covers(route_path))
}

/// May `who` open page `path`? For hiding links the user could not follow.
pub fn may_open(path: &str, who: Option<&Principal>) -> bool {
    rule_for("GET", path).is_some_and(|r| r.verdict(who) == Verdict::Allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role]) -> Principal {
        Principal {
            user_id: 1,
            district_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
            town_id: None,
            supplier_id: None,
            must_change_password: false,
        }
    }

    #[test]
    fn every_rule_is_unique() {
        for (i, a) in RULES.iter().enumerate() {
            for b in &RULES[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{} {} twice", a.method, a.path);
            }
        }
    }

    #[test]
    fn verdicts_follow_the_table() {
        let users = rule_for("GET", paths::USERS).expect("rule");
        assert_eq!(users.verdict(None), Verdict::SignInRequired);
        assert_eq!(users.verdict(Some(&user(&[Role::Finance]))), Verdict::Forbidden);
        assert_eq!(users.verdict(Some(&user(&[Role::Admin]))), Verdict::Allowed);
        assert_eq!(rule_for("GET", "/healthz").expect("rule").verdict(None), Verdict::Allowed);
    }

    #[test]
    fn a_password_change_comes_first() {
        let mut p = user(&[Role::Admin]);
        p.must_change_password = true;
        assert_eq!(
            rule_for("GET", paths::USERS).expect("rule").verdict(Some(&p)),
            Verdict::PasswordChangeRequired
        );
        assert_eq!(
            rule_for("POST", "/api/change_password").expect("rule").verdict(Some(&p)),
            Verdict::Allowed
        );
    }

    #[test]
    fn prefixes_cover_only_paths_below_them() {
        assert!(rule_for("GET", "/pkg/gouzhu.wasm").is_some());
        assert!(rule_for("HEAD", "/pkg/gouzhu.js").is_some());
        assert!(rule_for("GET", "/pkgx").is_none());
        assert!(rule_for("POST", "/pkg/gouzhu.wasm").is_none());
        assert!(rule_for("GET", "/unknown").is_none());
    }
}
