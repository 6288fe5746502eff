//! The error type that crosses the wire from server functions to pages.
//!
//! Users see [`AppError::message`] in their own language; the detail of an
//! unexpected failure stays in the server log and never reaches the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::access::ScopeProblem;
use crate::domain::allocation::{AllocationProblem, NormsProblem};
use crate::domain::approval::ApprovalProblem;
use crate::domain::password::{PasswordProblem, UsernameProblem};
use crate::domain::roster::{PersonField, PersonProblem};
use crate::i18n::Messages;

/// What went wrong, in terms a page can explain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The database holds no district yet (run `gouzhu demo` or import one).
    #[error("no district has been set up")]
    NoDistrict,
    /// Something failed on the server; the log has the detail.
    #[error("internal server error")]
    Internal,
    /// The request never reached the function or its answer was unreadable.
    #[error("request failed: {0}")]
    Transport(String),
    /// Not signed in, or the session ended.
    #[error("sign-in required")]
    SignInRequired,
    /// Signed in without the right to this.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Someone else changed the record meanwhile; reload and retry.
    #[error("changed by someone else")]
    Stale,
    /// A request repeated with an idempotency key an earlier request used:
    /// done once already, not done again.
    #[error("already done under this idempotency key")]
    Replayed,
    /// Text with a character that cannot be stored (NUL).
    #[error("text with a character that cannot be stored")]
    BadText,
    /// Unknown user or wrong password: one message for both.
    #[error("login failed")]
    LoginFailed,
    /// Too many failed logins for this account; wait or ask an administrator.
    #[error("account locked")]
    LockedOut,
    /// Too many failed logins from this address.
    #[error("too many attempts")]
    TooManyAttempts,
    #[error("current password is wrong")]
    WrongCurrentPassword,
    #[error("the two new passwords differ")]
    PasswordsDiffer,
    #[error("password refused: {0:?}")]
    Password(PasswordProblem),
    #[error("user name refused: {0:?}")]
    Username(UsernameProblem),
    #[error("user name taken")]
    UsernameTaken,
    #[error("display name required")]
    DisplayNameRequired,
    #[error("roles and scope do not fit: {0:?}")]
    Scope(ScopeProblem),
    #[error("approval refused: {0:?}")]
    Approval(ApprovalProblem),
    #[error("token name required")]
    TokenNameRequired,
    #[error("token lifetime out of range")]
    TokenLifetime,
    #[error("the acting administrator cannot do this to their own account")]
    OwnAccount,
    /// Privileged accounts' passwords are reset on the server only.
    #[error("privileged account")]
    PrivilegedTarget,
    /// A person's details have problems, each with its field.
    #[error("person details refused: {0:?}")]
    Person(Vec<(PersonField, PersonProblem)>),
    #[error("allocation refused: {0:?}")]
    Allocation(AllocationProblem),
    #[error("staffing norms refused: {0:?}")]
    Norms(NormsProblem),
    /// The post is taken, closed, or in another town.
    #[error("post not available")]
    PostUnavailable,
    /// Someone with this identity number is already on the roster.
    #[error("person already on the roster")]
    DuplicatePerson,
    #[error("person has left")]
    PersonHasLeft,
    /// The request would change nothing.
    #[error("nothing to change")]
    NoChange,
    /// A reason or note is required.
    #[error("reason required")]
    ReasonRequired,
    /// Figures or norms for that date are already recorded.
    #[error("already recorded for that date")]
    AlreadyRecorded,
    #[error("figure too large")]
    FigureTooLarge,
    #[error("payroll refused: {0:?}")]
    Payroll(crate::domain::payroll::PayrollProblem),
    #[error("budget refused: {0:?}")]
    Budget(crate::domain::budget::BudgetProblem),
    #[error("contracts refused: {0:?}")]
    Contract(crate::domain::contract::ContractFault),
    #[error("deliverables refused: {0:?}")]
    Service(crate::domain::service::ServiceFault),
    #[error("inspections refused: {0:?}")]
    Inspection(crate::domain::inspection::InspectionFault),
}

impl AppError {
    /// The HTTP status a server function answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::SignInRequired | AppError::LoginFailed => 401,
            AppError::Forbidden | AppError::OwnAccount | AppError::PrivilegedTarget => 403,
            AppError::NotFound | AppError::NoDistrict => 404,
            AppError::Stale
            | AppError::Replayed
            | AppError::UsernameTaken
            | AppError::PostUnavailable
            | AppError::DuplicatePerson
            | AppError::AlreadyRecorded
            | AppError::Payroll(crate::domain::payroll::PayrollProblem::RunExists)
            | AppError::Contract(crate::domain::contract::ContractFault::Supplier(
                crate::domain::supplier::SupplierProblem::DuplicateCreditCode,
            )) => 409,
            AppError::Service(crate::domain::service::ServiceFault::Upload(
                crate::domain::files::FileProblem::TooLarge,
            )) => 413,
            AppError::Service(crate::domain::service::ServiceFault::Upload(
                crate::domain::files::FileProblem::WrongType,
            )) => 415,
            AppError::Inspection(crate::domain::inspection::InspectionFault::Upload(
                crate::domain::files::FileProblem::TooLarge,
            )) => 413,
            AppError::Inspection(crate::domain::inspection::InspectionFault::Upload(
                crate::domain::files::FileProblem::WrongType,
            )) => 415,
            AppError::LockedOut | AppError::TooManyAttempts => 429,
            AppError::Internal | AppError::Transport(_) => 500,
            _ => 422,
        }
    }

    /// The message for a user, in the language of `t`.
    pub fn message(&self, t: &Messages) -> &'static str {
        match self {
            AppError::NoDistrict => t.error_no_district,
            AppError::Internal => t.error_internal,
            AppError::Transport(_) => t.error_transport,
            AppError::SignInRequired => t.error_sign_in_required,
            AppError::Forbidden => t.error_forbidden,
            AppError::NotFound => t.error_not_found,
            AppError::Stale => t.error_stale,
            AppError::Replayed => t.error_replayed,
            AppError::BadText => t.error_bad_text,
            AppError::LoginFailed => t.error_login_failed,
            AppError::LockedOut => t.error_locked_out,
            AppError::TooManyAttempts => t.error_too_many_attempts,
            AppError::WrongCurrentPassword => t.error_wrong_current_password,
            AppError::PasswordsDiffer => t.error_passwords_differ,
            AppError::Password(p) => match p {
                PasswordProblem::TooShort => t.error_password_too_short,
                PasswordProblem::TooLong => t.error_password_too_long,
                PasswordProblem::SameAsUsername => t.error_password_is_username,
                PasswordProblem::TooCommon => t.error_password_common,
                PasswordProblem::Unchanged => t.error_password_unchanged,
            },
            AppError::Username(u) => match u {
                UsernameProblem::Length => t.error_username_length,
                UsernameProblem::Characters => t.error_username_characters,
            },
            AppError::UsernameTaken => t.error_username_taken,
            AppError::DisplayNameRequired => t.error_display_name_required,
            AppError::Scope(s) => match s {
                ScopeProblem::NoRole => t.error_scope_no_role,
                ScopeProblem::TownRoleNeedsTown => t.error_scope_town,
                ScopeProblem::ProviderRoleNeedsSupplier => t.error_scope_supplier,
                ScopeProblem::ScopeWithoutRole => t.error_scope_without_role,
            },
            AppError::Approval(a) => match a {
                ApprovalProblem::NotPending => t.error_approval_not_pending,
                ApprovalProblem::OwnItem => t.error_approval_own_item,
                ApprovalProblem::NotEntitled => t.error_forbidden,
                ApprovalProblem::ReasonRequired => t.error_approval_reason,
                ApprovalProblem::ReasonTooLong => t.error_approval_reason_long,
                ApprovalProblem::OtherDistrict => t.error_not_found,
                ApprovalProblem::MakerNoLongerEntitled => t.error_approval_maker_lost,
                ApprovalProblem::Outdated => t.error_approval_outdated,
            },
            AppError::TokenNameRequired => t.error_token_name,
            AppError::TokenLifetime => t.error_token_lifetime,
            AppError::OwnAccount => t.error_own_account,
            AppError::PrivilegedTarget => t.error_privileged_reset,
            AppError::Person(problems) => match problems.as_slice() {
                [(_, p)] => t.posts.person_problem(*p),
                _ => t.posts.error_person_fields,
            },
            AppError::Allocation(p) => t.posts.allocation_problem(p),
            AppError::Norms(_) => t.posts.error_norms,
            AppError::PostUnavailable => t.posts.error_post_unavailable,
            AppError::DuplicatePerson => t.posts.error_duplicate_person,
            AppError::PersonHasLeft => t.posts.error_person_left,
            AppError::NoChange => t.posts.error_no_change,
            AppError::ReasonRequired => t.posts.error_reason_required,
            AppError::AlreadyRecorded => t.posts.error_already_recorded,
            AppError::FigureTooLarge => t.posts.error_figure_too_large,
            AppError::Payroll(p) => t.payroll.short(p),
            AppError::Budget(p) => t.budget.short(p),
            AppError::Contract(f) => t.contracts.short(f),
            AppError::Service(f) => t.services.short(f),
            AppError::Inspection(f) => t.inspections.short(f),
        }
    }

    /// The message with its particulars where the error carries them (the
    /// people without a score, the source, cost type and shortfall of a
    /// budget refusal).
    pub fn describe(&self, t: &Messages) -> String {
        match self {
            AppError::Payroll(p) => t.payroll.problem(p),
            AppError::Budget(p) => t.budget.problem(p),
            AppError::Contract(f) => t.contracts.problem(f),
            AppError::Service(f) => t.services.problem(f),
            AppError::Inspection(f) => t.inspections.problem(f),
            other => other.message(t).to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<crate::db::DbError> for AppError {
    fn from(e: crate::db::DbError) -> Self {
        crate::api::from_db(e)
    }
}

#[cfg(feature = "ssr")]
impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        crate::api::from_db(e.into())
    }
}
