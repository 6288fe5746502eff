//! Maker-checker (双人复核): an item prepared by one person takes effect
//! only when another, entitled person approves it. Later modules (payroll
//! runs, allocation plans, post changes, budget overrides, contracts,
//! payments) submit their items through the same mechanism.

use serde::{Deserialize, Serialize};

use super::access::{Principal, Role};

/// Longest decision reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    /// Taken back by its maker before a decision.
    Withdrawn,
}

impl ApprovalStatus {
    pub fn code(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<ApprovalStatus> {
        [Self::Pending, Self::Approved, Self::Rejected, Self::Withdrawn]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// What kind of item awaits a decision. Each kind knows what approving it
/// does; the mechanism (who may decide, reasons, history) is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApprovalKind {
    /// Granting a privileged role (admin, approver, auditor) to a user.
    RoleGrant,
    /// Adopting a post allocation plan (岗位分配方案).
    AllocationPlan,
    /// Changing a person's town, post, role level or duties.
    StaffChange,
    /// Hiring a person below the 大专 education minimum.
    HiringException,
    /// Adopting a year's pay standards (补贴标准).
    PayStandards,
    /// Adopting a year's social-insurance and housing-fund rules.
    InsuranceRules,
    /// Approving a month's payroll run.
    PayrollRun,
    /// Changing which cost types a budget source may pay.
    BudgetEligibility,
    /// Committing money: the bureau's spending or a town's purchase.
    BudgetRequest,
    /// Approving a purchased-service contract (commits its money).
    Contract,
    /// A numbered amendment of a contract in force.
    ContractAmendment,
    /// Accepting a contract milestone (验收), which makes it payable.
    MilestoneAcceptance,
    /// Paying a contract milestone (a budget disbursement).
    ContractPayment,
}

impl ApprovalKind {
    pub fn code(self) -> &'static str {
        match self {
            ApprovalKind::RoleGrant => "role_grant",
            ApprovalKind::AllocationPlan => "allocation_plan",
            ApprovalKind::StaffChange => "staff_change",
            ApprovalKind::HiringException => "hiring_exception",
            ApprovalKind::PayStandards => "pay_standards",
            ApprovalKind::InsuranceRules => "insurance_rules",
            ApprovalKind::PayrollRun => "payroll_run",
            ApprovalKind::BudgetEligibility => "budget_eligibility",
            ApprovalKind::BudgetRequest => "budget_request",
            ApprovalKind::Contract => "contract",
            ApprovalKind::ContractAmendment => "contract_amendment",
            ApprovalKind::MilestoneAcceptance => "milestone_acceptance",
            ApprovalKind::ContractPayment => "contract_payment",
        }
    }

    pub const ALL: [ApprovalKind; 13] = [
        ApprovalKind::RoleGrant,
        ApprovalKind::AllocationPlan,
        ApprovalKind::StaffChange,
        ApprovalKind::HiringException,
        ApprovalKind::PayStandards,
        ApprovalKind::InsuranceRules,
        ApprovalKind::PayrollRun,
        ApprovalKind::BudgetEligibility,
        ApprovalKind::BudgetRequest,
        ApprovalKind::Contract,
        ApprovalKind::ContractAmendment,
        ApprovalKind::MilestoneAcceptance,
        ApprovalKind::ContractPayment,
    ];

    pub fn from_code(code: &str) -> Option<ApprovalKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Who may decide items of this kind: bureau leadership, for all of
    /// them so far.
    pub fn deciders(self) -> &'static [Role] {
        match self {
            ApprovalKind::RoleGrant
            | ApprovalKind::AllocationPlan
            | ApprovalKind::StaffChange
            | ApprovalKind::HiringException
            | ApprovalKind::PayStandards
            | ApprovalKind::InsuranceRules
            | ApprovalKind::PayrollRun
            | ApprovalKind::BudgetEligibility
            | ApprovalKind::BudgetRequest
            | ApprovalKind::Contract
            | ApprovalKind::ContractAmendment
            | ApprovalKind::MilestoneAcceptance
            | ApprovalKind::ContractPayment => &[Role::Approver],
        }
    }
}

/// A decision on a pending item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    /// The status an item takes after this decision.
    pub fn outcome(self) -> ApprovalStatus {
        match self {
            Decision::Approve => ApprovalStatus::Approved,
            Decision::Reject => ApprovalStatus::Rejected,
        }
    }
}

/// Why a decision is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalProblem {
    /// The item was decided or withdrawn already.
    NotPending,
    /// Nobody decides their own item.
    OwnItem,
    /// The decider lacks the role this kind needs.
    NotEntitled,
    /// Approval and rejection both carry a reason.
    ReasonRequired,
    ReasonTooLong,
    /// The item belongs to another district.
    OtherDistrict,
    /// The maker no longer holds the right to what they asked for.
    MakerNoLongerEntitled,
    /// What the item was prepared against has changed since (the person
    /// was changed, the post filled meanwhile): reject it and prepare it
    /// again.
    Outdated,
}

/// The facts about an item that a decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct PendingItem {
    pub kind: ApprovalKind,
    pub district_id: i64,
    pub maker_id: i64,
    /// The user the item is about (the grantee of a role grant), if any:
    /// they may not decide it either.
    pub subject_id: Option<i64>,
    pub status: ApprovalStatus,
}

/// Checks that `decider` may decide `item` with `reason`; returns the
/// trimmed reason to store.
pub fn check_decision(
    item: &PendingItem,
    decider: &Principal,
    reason: &str,
) -> Result<String, ApprovalProblem> {
    if item.district_id != decider.district_id {
        return Err(ApprovalProblem::OtherDistrict);
    }
    if item.status != ApprovalStatus::Pending {
        return Err(ApprovalProblem::NotPending);
    }
    if item.maker_id == decider.user_id || item.subject_id == Some(decider.user_id) {
        return Err(ApprovalProblem::OwnItem);
    }
    if !decider.has_any(item.kind.deciders()) {
        return Err(ApprovalProblem::NotEntitled);
    }
    check_reason(reason)
}

/// Checks that the maker may withdraw `item`.
pub fn check_withdrawal(item: &PendingItem, who: &Principal) -> Result<(), ApprovalProblem> {
    if item.district_id != who.district_id {
        return Err(ApprovalProblem::OtherDistrict);
    }
    if item.status != ApprovalStatus::Pending {
        return Err(ApprovalProblem::NotPending);
    }
    if item.maker_id != who.user_id {
        return Err(ApprovalProblem::NotEntitled);
    }
    Ok(())
}

fn check_reason(reason: &str) -> Result<String, ApprovalProblem> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApprovalProblem::ReasonRequired);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApprovalProblem::ReasonTooLong);
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, roles: &[Role]) -> Principal {
        Principal {
            user_id: id,
            district_id: 1,
            username: format!("u{id}"),
            display_name: format!("U{id}"),
            roles: roles.to_vec(),
            town_id: None,
            supplier_id: None,
            must_change_password: false,
        }
    }

    fn item(maker_id: i64) -> PendingItem {
        PendingItem {
            kind: ApprovalKind::RoleGrant,
            district_id: 1,
            maker_id,
            subject_id: Some(7),
            status: ApprovalStatus::Pending,
        }
    }

    #[test]
    fn an_approver_decides_someone_elses_item_with_a_reason() {
        assert_eq!(
            check_decision(&item(1), &user(2, &[Role::Approver]), "  核实无误 "),
            Ok("核实无误".into())
        );
    }

    #[test]
    fn the_maker_cannot_approve_their_own_item_even_as_approver() {
        assert_eq!(
            check_decision(&item(2), &user(2, &[Role::Approver, Role::Admin]), "ok"),
            Err(ApprovalProblem::OwnItem)
        );
    }

    #[test]
    fn nobody_approves_an_item_about_themselves() {
        assert_eq!(
            check_decision(&item(1), &user(7, &[Role::Approver]), "ok"),
            Err(ApprovalProblem::OwnItem)
        );
    }

    #[test]
    fn only_entitled_roles_decide() {
        assert_eq!(
            check_decision(&item(1), &user(2, &[Role::Admin, Role::Finance]), "ok"),
            Err(ApprovalProblem::NotEntitled)
        );
    }

    #[test]
    fn decisions_need_a_reason_and_a_pending_item_of_the_district() {
        let approver = user(2, &[Role::Approver]);
        assert_eq!(check_decision(&item(1), &approver, "  "), Err(ApprovalProblem::ReasonRequired));
        assert_eq!(
            check_decision(&item(1), &approver, &"理".repeat(501)),
            Err(ApprovalProblem::ReasonTooLong)
        );
        let decided = PendingItem { status: ApprovalStatus::Approved, ..item(1) };
        assert_eq!(check_decision(&decided, &approver, "ok"), Err(ApprovalProblem::NotPending));
        let elsewhere = PendingItem { district_id: 9, ..item(1) };
        assert_eq!(check_decision(&elsewhere, &approver, "ok"), Err(ApprovalProblem::OtherDistrict));
    }

    #[test]
    fn only_the_maker_withdraws_and_only_while_pending() {
        assert_eq!(check_withdrawal(&item(1), &user(1, &[Role::Admin])), Ok(()));
        assert_eq!(
            check_withdrawal(&item(1), &user(2, &[Role::Approver])),
            Err(ApprovalProblem::NotEntitled)
        );
        let decided = PendingItem { status: ApprovalStatus::Rejected, ..item(1) };
        assert_eq!(check_withdrawal(&decided, &user(1, &[])), Err(ApprovalProblem::NotPending));
    }

    #[test]
    fn codes_round_trip() {
        for s in [
            ApprovalStatus::Pending,
            ApprovalStatus::Approved,
            ApprovalStatus::Rejected,
            ApprovalStatus::Withdrawn,
        ] {
            assert_eq!(ApprovalStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(ApprovalKind::from_code("role_grant"), Some(ApprovalKind::RoleGrant));
        assert_eq!(Decision::Reject.outcome(), ApprovalStatus::Rejected);
    }
}
