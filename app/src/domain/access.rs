//! Who may do what: roles, the signed-in principal and its scope.
//!
//! Route-level rules (which roles may open a page or call a function) are
//! in [`crate::policy`]; the rules here decide what a principal may see
//! inside a district once a route lets them in.

use serde::{Deserialize, Serialize};

/// A role. A user holds one or more. On the wire it is its code
/// (`"finance"`), as in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: users and settings.
    Admin,
    /// 财务人员 of the bureau: prepares contracts, payroll and budgets.
    Finance,
    /// 审批人 (bureau leadership): approves what finance prepares.
    Approver,
    /// 镇街工作人员, scoped to one town.
    Town,
    /// 社工机构工作人员, scoped to one service organisation.
    Provider,
    /// 抽查人员: the spot checks assigned to them.
    Inspector,
    /// 审计人员: reads everything, including the audit log; writes nothing.
    Auditor,
}

impl Role {
    /// Every role, in the order screens list them.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Finance,
        Role::Approver,
        Role::Town,
        Role::Provider,
        Role::Inspector,
        Role::Auditor,
    ];

    /// The bureau's own staff, who see the whole district.
    pub const DISTRICT_WIDE: &'static [Role] =
        &[Role::Admin, Role::Finance, Role::Approver, Role::Inspector, Role::Auditor];

    /// The code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Finance => "finance",
            Role::Approver => "approver",
            Role::Town => "town",
            Role::Provider => "provider",
            Role::Inspector => "inspector",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Roles whose grant goes through maker-checker: they carry the power
    /// to approve, to administer or to read everything.
    pub fn is_privileged(self) -> bool {
        matches!(self, Role::Admin | Role::Approver | Role::Auditor)
    }
}

/// The signed-in user as every check sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub district_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// The town of a town user.
    pub town_id: Option<i64>,
    /// The service organisation of a provider user.
    pub supplier_id: Option<i64>,
    /// Set for new and reset accounts: nothing else opens until the
    /// password is changed.
    pub must_change_password: bool,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// Bureau staff see every town of their district.
    pub fn sees_whole_district(&self) -> bool {
        self.has_any(Role::DISTRICT_WIDE)
    }

    /// May this principal see data of town `town_id` (of their district)?
    pub fn may_see_town(&self, town_id: i64) -> bool {
        self.sees_whole_district() || (self.has(Role::Town) && self.town_id == Some(town_id))
    }

    /// May this principal see the towns' staffing figures at all?
    pub fn may_see_staffing(&self) -> bool {
        self.sees_whole_district() || (self.has(Role::Town) && self.town_id.is_some())
    }
}

/// Why a set of roles and scopes cannot be given to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScopeProblem {
    /// No role at all.
    NoRole,
    /// The town role needs a town.
    TownRoleNeedsTown,
    /// The provider role needs a service organisation.
    ProviderRoleNeedsSupplier,
    /// A town without the town role (or an organisation without the
    /// provider role) would be a scope that means nothing.
    ScopeWithoutRole,
}

/// Checks that roles and scopes fit together.
pub fn check_scope(
    roles: &[Role],
    town_id: Option<i64>,
    supplier_id: Option<i64>,
) -> Result<(), ScopeProblem> {
    if roles.is_empty() {
        return Err(ScopeProblem::NoRole);
    }
    let town = roles.contains(&Role::Town);
    let provider = roles.contains(&Role::Provider);
    match (town, town_id.is_some(), provider, supplier_id.is_some()) {
        (true, false, _, _) => Err(ScopeProblem::TownRoleNeedsTown),
        (_, _, true, false) => Err(ScopeProblem::ProviderRoleNeedsSupplier),
        (false, true, _, _) | (_, _, false, true) => Err(ScopeProblem::ScopeWithoutRole),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role], town_id: Option<i64>) -> Principal {
        Principal {
            user_id: 1,
            district_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
            town_id,
            supplier_id: None,
            must_change_password: false,
        }
    }

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
            assert_eq!(serde_json::to_string(&r).ok(), Some(format!("\"{}\"", r.code())));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn bureau_staff_see_every_town_and_town_staff_only_theirs() {
        assert!(principal(&[Role::Finance], None).may_see_town(7));
        assert!(principal(&[Role::Auditor], None).may_see_town(7));
        let town = principal(&[Role::Town], Some(3));
        assert!(town.may_see_town(3));
        assert!(!town.may_see_town(7));
        assert!(town.may_see_staffing());
        let provider = principal(&[Role::Provider], None);
        assert!(!provider.may_see_town(3));
        assert!(!provider.may_see_staffing());
        // Several roles add up.
        assert!(principal(&[Role::Town, Role::Finance], Some(3)).may_see_town(7));
    }

    #[test]
    fn scopes_must_match_roles() {
        assert_eq!(check_scope(&[], None, None), Err(ScopeProblem::NoRole));
        assert_eq!(check_scope(&[Role::Town], None, None), Err(ScopeProblem::TownRoleNeedsTown));
        assert_eq!(check_scope(&[Role::Provider], None, None), Err(ScopeProblem::ProviderRoleNeedsSupplier));
        assert_eq!(check_scope(&[Role::Finance], Some(1), None), Err(ScopeProblem::ScopeWithoutRole));
        assert_eq!(check_scope(&[Role::Finance], None, Some(1)), Err(ScopeProblem::ScopeWithoutRole));
        assert_eq!(check_scope(&[Role::Town], Some(1), None), Ok(()));
        assert_eq!(check_scope(&[Role::Provider, Role::Town], Some(1), Some(2)), Ok(()));
        assert_eq!(check_scope(&[Role::Admin], None, None), Ok(()));
    }

    #[test]
    fn privileged_roles_are_the_ones_that_approve_administer_or_read_all() {
        let privileged: Vec<Role> = Role::ALL.into_iter().filter(|r| r.is_privileged()).collect();
        assert_eq!(privileged, vec![Role::Admin, Role::Approver, Role::Auditor]);
    }
}
