//! Every string a user reads goes through here: Simplified Chinese by
//! default, English on request.
//!
//! Each language is one value of [`Messages`], so the compiler refuses a
//! language that lacks a string. Components read the current catalogue with
//! `use_i18n().t()`, which is reactive: switching language re-renders the
//! text in place without reloading the page. The choice is kept in the
//! [`LOCALE_COOKIE`] cookie so the server renders the next page in it too.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod budget;
pub mod contracts;
pub mod import;
pub mod inspections;
pub mod services;

pub use budget::zh_cost_type;
pub mod payroll;
pub mod posts;

/// Name of the cookie that remembers the chosen language.
pub const LOCALE_COOKIE: &str = "gouzhu_lang";

/// A language the interface is available in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    /// 简体中文, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Locale {
    /// All languages, in the order the switch offers them.
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, used for `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Parses a tag as written by [`Locale::code`]; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The string catalogue of this language.
    pub fn messages(self) -> &'static Messages {
        match self {
            Locale::ZhCn => &ZH_CN,
            Locale::En => &EN,
        }
    }

    /// The other language (the switch toggles between the two).
    pub fn other(self) -> Locale {
        match self {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }

    /// Chooses between a Chinese and an English rendering of one datum,
    /// for data that carries both (such as town names).
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::ZhCn => zh,
            Locale::En if en.is_empty() => zh,
            Locale::En => en,
        }
    }
}

/// Reads the language from a `Cookie` header value.
pub fn locale_from_cookie_header(header: &str) -> Option<Locale> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name.trim() == LOCALE_COOKIE).then(|| Locale::from_code(value)).flatten()
    })
}

/// The catalogue of user-facing strings of one language.
pub struct Messages {
    /// The posts module: towns, allocation, roster.
    pub posts: &'static posts::PostsText,
    /// Spreadsheet import and export.
    pub import: &'static import::ImportText,
    /// The payroll module.
    pub payroll: &'static payroll::PayrollText,
    /// The budget module.
    pub budget: &'static budget::BudgetText,
    /// Suppliers, procurement and contracts.
    pub contracts: &'static contracts::ContractText,
    /// Recipients, service records, reports.
    pub services: &'static services::ServiceText,
    pub inspections: &'static inspections::InspectionText,
    pub app_name: &'static str,
    pub app_tagline: &'static str,
    pub nav_label: &'static str,
    pub nav_menu: &'static str,
    pub nav_home: &'static str,
    pub nav_posts: &'static str,
    pub nav_payroll: &'static str,
    pub nav_budget: &'static str,
    pub nav_contracts: &'static str,
    pub nav_services: &'static str,
    pub nav_inspections: &'static str,
    pub nav_planned: &'static str,
    pub nav_planned_hint: &'static str,
    /// Label of the switch: the name of the language it switches *to*.
    pub lang_switch: &'static str,
    pub lang_switch_title: &'static str,
    pub loading: &'static str,

    pub dashboard_title: &'static str,
    pub dashboard_as_of: fn(&str) -> String,
    pub kpi_towns: &'static str,
    pub kpi_towns_detail: fn(u32, u32) -> String,
    pub kpi_communities: &'static str,
    pub kpi_villages: &'static str,
    pub kpi_population: &'static str,
    pub kpi_posts: &'static str,
    pub kpi_per_post: fn(&str) -> String,
    pub table_title: &'static str,
    pub col_code: &'static str,
    pub col_name: &'static str,
    pub col_kind: &'static str,
    pub col_communities: &'static str,
    pub col_villages: &'static str,
    pub col_population: &'static str,
    pub col_posts: &'static str,
    pub col_per_post: &'static str,
    pub kind_street: &'static str,
    pub kind_town: &'static str,
    pub total_row: &'static str,
    pub filter_label: &'static str,
    pub filter_placeholder: &'static str,
    pub filter_count: fn(usize, usize) -> String,
    pub filter_none: &'static str,
    pub download_pdf: &'static str,
    /// File name of the downloaded summary, without date and extension.
    pub download_pdf_file_stem: &'static str,
    pub print_page: &'static str,

    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_home: &'static str,

    pub error_title: &'static str,
    pub error_no_district: &'static str,
    pub error_internal: &'static str,
    /// The title of the page shown when a request fails unexpectedly.
    pub error_internal_title: &'static str,
    /// Before the request id the user may report.
    pub request_id_label: &'static str,
    pub error_transport: &'static str,
    pub error_token_not_accepted: &'static str,
    pub error_approval_maker_lost: &'static str,
    pub error_approval_outdated: &'static str,
    pub error_privileged_reset: &'static str,
    pub setup_needed: &'static str,
    pub nav_account: &'static str,
    pub nav_approvals: &'static str,
    pub nav_audit: &'static str,
    pub nav_users: &'static str,
    pub logout: &'static str,
    pub demo_badge: &'static str,
    pub dashboard_own_town_only: &'static str,
    pub welcome_no_modules: &'static str,
    pub role_admin: &'static str,
    pub role_finance: &'static str,
    pub role_approver: &'static str,
    pub role_town: &'static str,
    pub role_provider: &'static str,
    pub role_inspector: &'static str,
    pub role_auditor: &'static str,
    pub login_title: &'static str,
    pub login_username: &'static str,
    pub login_password: &'static str,
    pub login_submit: &'static str,
    pub demo_accounts_title: &'static str,
    pub demo_accounts_body: &'static str,
    pub change_password_title: &'static str,
    pub change_password_forced: &'static str,
    pub change_password_submit: &'static str,
    pub password_rules: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub tokens_title: &'static str,
    pub tokens_help: &'static str,
    pub tokens_none: &'static str,
    pub token_name: &'static str,
    pub token_prefix: &'static str,
    pub token_expires: &'static str,
    pub token_last_used: &'static str,
    pub token_create: &'static str,
    pub token_shown_once: &'static str,
    pub token_revoke: &'static str,
    pub token_revoked: &'static str,
    pub users_help: &'static str,
    pub new_user: &'static str,
    pub username: &'static str,
    pub display_name: &'static str,
    pub roles: &'static str,
    pub scope: &'static str,
    pub status: &'static str,
    pub status_active: &'static str,
    pub status_disabled: &'static str,
    pub status_must_change: &'static str,
    pub edit: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub reset_password: &'static str,
    pub create_user: &'static str,
    pub save: &'static str,
    pub choose: &'static str,
    pub town_scope: &'static str,
    pub supplier_scope: &'static str,
    pub needs_approval: &'static str,
    pub temporary_password_once: &'static str,
    pub approvals_help: &'static str,
    pub approvals_none: &'static str,
    pub approval_kind_role_grant: &'static str,
    pub approval_kind_allocation_plan: &'static str,
    pub approval_kind_staff_change: &'static str,
    pub approval_kind_hiring_exception: &'static str,
    pub approval_kind_pay_standards: &'static str,
    pub approval_kind_insurance_rules: &'static str,
    pub approval_kind_payroll_run: &'static str,
    pub approval_kind_budget_eligibility: &'static str,
    pub approval_kind_budget_request: &'static str,
    pub approval_kind_contract: &'static str,
    pub approval_kind_contract_amendment: &'static str,
    pub approval_kind_milestone_acceptance: &'static str,
    pub approval_kind_contract_payment: &'static str,
    pub approval_override: &'static str,
    pub approval_override_help: &'static str,
    pub approval_pending: &'static str,
    pub approval_approved: &'static str,
    pub approval_rejected: &'static str,
    pub approval_withdrawn: &'static str,
    pub approval_reason: &'static str,
    pub approval_waiting_other: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub withdraw: &'static str,
    pub audit_help: &'static str,
    pub audit_verify: &'static str,
    pub audit_content_changed: &'static str,
    pub audit_link_broken: &'static str,
    pub audit_sequence_gap: &'static str,
    pub audit_entity: &'static str,
    pub audit_time: &'static str,
    pub audit_address: &'static str,
    pub audit_action: &'static str,
    pub audit_change: &'static str,
    pub audit_none: &'static str,
    pub audit_older: &'static str,
    pub audit_seq: &'static str,
    pub date_from: &'static str,
    pub date_to: &'static str,
    pub search: &'static str,
    pub welcome: fn(&str) -> String,
    pub token_days: fn(u32) -> String,
    pub grants_pending: fn(&str) -> String,
    pub grant_pending_tag: fn(&str) -> String,
    pub approval_submitted_by: fn(&str, &str) -> String,
    pub approval_decided_by: fn(&str, &str) -> String,
    pub audit_intact: fn(u64, &str) -> String,
    pub audit_broken: fn(i64, &str) -> String,
    pub error_cross_site: &'static str,
    pub error_password_change_required: &'static str,
    pub forbidden_title: &'static str,
    pub error_sign_in_required: &'static str,
    pub error_forbidden: &'static str,
    pub error_not_found: &'static str,
    pub error_stale: &'static str,
    pub error_replayed: &'static str,
    pub error_bad_text: &'static str,
    pub error_login_failed: &'static str,
    pub error_locked_out: &'static str,
    pub error_too_many_attempts: &'static str,
    pub error_wrong_current_password: &'static str,
    pub error_passwords_differ: &'static str,
    pub error_password_too_short: &'static str,
    pub error_password_too_long: &'static str,
    pub error_password_is_username: &'static str,
    pub error_password_common: &'static str,
    pub error_password_unchanged: &'static str,
    pub error_username_length: &'static str,
    pub error_username_characters: &'static str,
    pub error_username_taken: &'static str,
    pub error_display_name_required: &'static str,
    pub error_scope_no_role: &'static str,
    pub error_scope_town: &'static str,
    pub error_scope_supplier: &'static str,
    pub error_scope_without_role: &'static str,
    pub error_approval_not_pending: &'static str,
    pub error_approval_own_item: &'static str,
    pub error_approval_reason: &'static str,
    pub error_approval_reason_long: &'static str,
    pub error_token_name: &'static str,
    pub error_token_lifetime: &'static str,
    pub error_own_account: &'static str,

    pub pdf_title: fn(&str) -> String,
    pub pdf_subtitle: &'static str,
    pub pdf_as_of: &'static str,
    pub pdf_issuer: fn(&str) -> String,
    pub pdf_note: &'static str,
    /// `{page}` and `{pages}` are replaced by the page numbers.
    pub pdf_page: &'static str,
}

/// 简体中文.
pub static ZH_CN: Messages = Messages {
    posts: &posts::ZH_CN,
    import: &import::ZH_CN,
    payroll: &payroll::ZH_CN,
    budget: &budget::ZH_CN,
    contracts: &contracts::ZH_CN,
    services: &services::ZH_CN,
    inspections: &inspections::ZH_CN,
    app_name: "购助",
    app_tagline: "政府购买社会救助服务",
    nav_label: "主导航",
    nav_menu: "菜单",
    nav_home: "首页",
    nav_posts: "岗位与人员",
    nav_payroll: "薪酬",
    nav_budget: "预算",
    nav_contracts: "合同",
    nav_services: "服务成果",
    nav_inspections: "抽查",
    nav_planned: "建设中",
    nav_planned_hint: "该模块尚未上线",
    lang_switch: "English",
    lang_switch_title: "Switch to English",
    loading: "正在加载…",

    dashboard_title: "专职低保员岗位概况",
    dashboard_as_of: |date| format!("数据截至 {date}"),
    kpi_towns: "镇街",
    kpi_towns_detail: |streets, towns| format!("街道 {streets} 个 · 镇 {towns} 个"),
    kpi_communities: "社区",
    kpi_villages: "村委会",
    kpi_population: "户籍人口",
    kpi_posts: "专职低保员岗位",
    kpi_per_post: |n| format!("平均每岗服务 {n} 人"),
    table_title: "各镇街岗位配置",
    col_code: "编号",
    col_name: "镇街",
    col_kind: "类型",
    col_communities: "社区",
    col_villages: "村委会",
    col_population: "户籍人口",
    col_posts: "岗位数",
    col_per_post: "每岗人口",
    kind_street: "街道",
    kind_town: "镇",
    total_row: "合计",
    filter_label: "筛选镇街",
    filter_placeholder: "输入镇街名称",
    filter_count: |shown, total| format!("显示 {shown} / {total} 个镇街"),
    filter_none: "没有符合条件的镇街",
    download_pdf: "下载岗位配置汇总表（PDF）",
    download_pdf_file_stem: "岗位配置汇总表",
    print_page: "打印本页",

    not_found_title: "页面不存在",
    not_found_body: "您访问的页面不存在或已移动。",
    back_home: "返回首页",

    error_title: "无法加载数据",
    error_no_district: "系统中还没有辖区数据。请先运行 gouzhu demo 载入示范区，或导入本区数据。",
    error_internal: "服务器内部错误，请稍后重试；如持续出现，请联系系统管理员。",
    error_internal_title: "系统出错了",
    request_id_label: "请求编号：",
    error_transport: "无法连接服务器，请检查网络后重试。",
    error_token_not_accepted: "API 令牌只能用于 /api/v1 接口。",
    error_approval_maker_lost: "提交人已不再具有该权限，此事项不能批准，请驳回。",
    error_approval_outdated: "该事项提交后相关数据已变化（人员信息已更新或岗位已被占用），不能批准，请驳回后重新提交。",
    error_privileged_reset: "管理员、审批人和审计人员的密码不能在网页上重置，请在服务器上运行 gouzhu user reset-password。",
    setup_needed: "系统中还没有任何用户。请在服务器上运行 gouzhu demo 载入示范区，或运行 gouzhu user create 创建第一个管理员。",
    nav_account: "我的账户",
    nav_approvals: "审批",
    nav_audit: "审计日志",
    nav_users: "用户管理",
    logout: "退出登录",
    demo_badge: "演示模式",
    dashboard_own_town_only: "仅显示您所在镇街的数据。",
    welcome_no_modules: "在「服务成果」中登记服务记录、上传佐证并提交服务报告；在「合同」中查看本机构的合同。",
    role_admin: "系统管理员",
    role_finance: "财务人员",
    role_approver: "审批人",
    role_town: "镇街工作人员",
    role_provider: "社工机构",
    role_inspector: "抽查人员",
    role_auditor: "审计人员",
    login_title: "登录",
    login_username: "用户名",
    login_password: "密码",
    login_submit: "登录",
    demo_accounts_title: "演示账户",
    demo_accounts_body: "每个角色一个账户，密码均为 Gouzhu-Demo-2026。",
    change_password_title: "修改密码",
    change_password_forced: "首次登录或密码被重置后，请先设置您自己的密码。",
    change_password_submit: "保存新密码",
    password_rules: "密码至少 10 个字符，不能与用户名相同，也不能是常见密码。修改后您在其他设备上的登录将失效。",
    current_password: "当前密码",
    new_password: "新密码",
    confirm_password: "再次输入新密码",
    tokens_title: "API 令牌",
    tokens_help: "供其他系统调用 /api/v1 接口使用，请求头写 Authorization: Bearer 加令牌。令牌只在创建时显示一次，权限与您的账户相同。",
    tokens_none: "还没有令牌。",
    token_name: "名称",
    token_prefix: "前缀",
    token_expires: "到期时间",
    token_last_used: "最近使用",
    token_create: "创建令牌",
    token_shown_once: "请立即复制并妥善保存，此令牌不会再次显示：",
    token_revoke: "吊销",
    token_revoked: "已吊销",
    users_help: "新建账户会生成临时密码，用户首次登录须修改。授予管理员、审批人、审计人员角色需经审批人批准。",
    new_user: "新建用户",
    username: "用户名",
    display_name: "姓名",
    roles: "角色",
    scope: "范围",
    status: "状态",
    status_active: "正常",
    status_disabled: "已停用",
    status_must_change: "待改密码",
    edit: "编辑",
    disable: "停用",
    enable: "启用",
    reset_password: "重置密码",
    create_user: "创建用户",
    save: "保存",
    choose: "请选择",
    town_scope: "所属镇街",
    supplier_scope: "所属机构",
    needs_approval: "需审批",
    temporary_password_once: "临时密码（只显示这一次，请告知用户）：",
    approvals_help: "他人提交的事项经审批人批准后生效；不能审批自己提交的事项。",
    approvals_none: "没有待审批或近期处理的事项。",
    approval_kind_role_grant: "授予角色",
    approval_kind_allocation_plan: "岗位分配方案",
    approval_kind_staff_change: "人员岗位变动",
    approval_kind_hiring_exception: "学历例外聘用",
    approval_kind_pay_standards: "补贴标准",
    approval_kind_insurance_rules: "社保公积金规则",
    approval_kind_payroll_run: "月度工资",
    approval_kind_budget_eligibility: "资金支付范围",
    approval_kind_budget_request: "支出与购买申请",
    approval_kind_contract: "合同审批",
    approval_kind_contract_amendment: "合同变更",
    approval_kind_milestone_acceptance: "节点验收",
    approval_kind_contract_payment: "合同付款",
    approval_override: "特批理由（资金不足或超出支付范围时才填写）",
    approval_override_help: "审批时如预算控制拒绝，可填写特批理由后再批准；理由记入审计日志并在预算总览中标出。",
    approval_pending: "待审批",
    approval_approved: "已批准",
    approval_rejected: "已驳回",
    approval_withdrawn: "已撤回",
    approval_reason: "审批意见",
    approval_waiting_other: "等待其他审批人处理",
    approve: "批准",
    reject: "驳回",
    withdraw: "撤回",
    audit_help: "记录每一次数据变更：操作人、时间、来源地址、对象及变更前后内容。日志只能追加，每条记录都含上一条的哈希值。",
    audit_verify: "校验完整性",
    audit_content_changed: "内容被修改",
    audit_link_broken: "与上一条记录的链接断开（有记录被删除或替换）",
    audit_sequence_gap: "序号不连续",
    audit_entity: "对象",
    audit_time: "时间（北京时间）",
    audit_address: "地址",
    audit_action: "操作",
    audit_change: "变更内容",
    audit_none: "没有符合条件的记录。",
    audit_older: "更早的记录",
    audit_seq: "序号",
    date_from: "开始日期",
    date_to: "结束日期",
    search: "查询",
    welcome: |name| format!("{name}，您好"),
    token_days: |max| format!("有效天数（1–{max}）"),
    grants_pending: |roles| format!("以下角色已提交审批，批准后生效：{roles}"),
    grant_pending_tag: |role| format!("{role}（待审批）"),
    approval_submitted_by: |who, when| format!("{who} 于 {when} 提交"),
    approval_decided_by: |who, when| format!("{who} 于 {when} 处理"),
    audit_intact: |n, head| {
        format!("日志完整：共 {n} 条，均校验通过。最新哈希值 {head}（可另行留存，用于日后核对）")
    },
    audit_broken: |seq, problem| format!("日志已被篡改：第 {seq} 条记录{problem}。"),
    error_cross_site: "请求来源不正确，已拒绝。请从本系统页面重新操作。",
    error_password_change_required: "请先修改密码。",
    forbidden_title: "无权访问",
    error_sign_in_required: "请先登录。",
    error_forbidden: "您没有权限执行此操作。",
    error_not_found: "找不到该记录，可能已被删除。",
    error_stale: "该记录刚被他人修改，请刷新后重试。",
    error_replayed: "该请求已经处理过（幂等键相同），未重复执行。请刷新查看结果。",
    error_bad_text: "输入中含有无法保存的控制字符（NUL），请删除后重试。",
    error_login_failed: "用户名或密码错误。",
    error_locked_out: "该账户登录失败次数过多，已暂时锁定。请 15 分钟后再试，或联系管理员重置密码。",
    error_too_many_attempts: "此网络地址登录失败次数过多，请稍后再试。",
    error_wrong_current_password: "当前密码不正确。",
    error_passwords_differ: "两次输入的新密码不一致。",
    error_password_too_short: "密码至少需要 10 个字符。",
    error_password_too_long: "密码不能超过 128 个字符。",
    error_password_is_username: "密码不能与用户名相同。",
    error_password_common: "该密码过于常见，请换一个不易猜到的密码。",
    error_password_unchanged: "新密码不能与当前密码相同。",
    error_username_length: "用户名需为 3 至 32 个字符。",
    error_username_characters: "用户名须以英文字母开头，只能包含小写字母、数字和 . _ -。",
    error_username_taken: "该用户名已被使用。",
    error_display_name_required: "请填写姓名。",
    error_scope_no_role: "请至少选择一个角色。",
    error_scope_town: "镇街工作人员角色需要选择所属镇街。",
    error_scope_supplier: "社工机构角色需要选择所属机构。",
    error_scope_without_role: "只有镇街角色可以选择镇街，只有社工机构角色可以选择机构。",
    error_approval_not_pending: "该事项已处理，无法再操作。",
    error_approval_own_item: "不能审批自己提交的事项。",
    error_approval_reason: "请填写审批意见。",
    error_approval_reason_long: "审批意见不能超过 500 个字符。",
    error_token_name: "请填写令牌名称。",
    error_token_lifetime: "有效期须为 1 至 365 天。",
    error_own_account: "不能对自己的账户执行此操作。",

    pdf_title: |district| format!("{district}专职低保员岗位配置汇总表"),
    pdf_subtitle: "政府购买社会救助服务",
    pdf_as_of: "统计日期：",
    pdf_issuer: |district| format!("{district}民政局"),
    pdf_note: "说明：岗位数为区民政局核定的专职低保员岗位；户籍人口、社区和村委会数按统计日期有效的镇街资料汇总。",
    pdf_page: "第 {page} 页 / 共 {pages} 页",
};

/// English.
pub static EN: Messages = Messages {
    posts: &posts::EN,
    import: &import::EN,
    payroll: &payroll::EN,
    budget: &budget::EN,
    contracts: &contracts::EN,
    services: &services::EN,
    inspections: &inspections::EN,
    app_name: "Gouzhu",
    app_tagline: "Purchased social-assistance services",
    nav_label: "Main navigation",
    nav_menu: "Menu",
    nav_home: "Home",
    nav_posts: "Posts & staff",
    nav_payroll: "Payroll",
    nav_budget: "Budget",
    nav_contracts: "Contracts",
    nav_services: "Service results",
    nav_inspections: "Inspections",
    nav_planned: "Planned",
    nav_planned_hint: "This module is not available yet",
    lang_switch: "中文",
    lang_switch_title: "切换到中文",
    loading: "Loading…",

    dashboard_title: "Assistant posts at a glance",
    dashboard_as_of: |date| format!("Figures as of {date}"),
    kpi_towns: "Towns & subdistricts",
    kpi_towns_detail: |streets, towns| format!("{streets} subdistricts · {towns} towns"),
    kpi_communities: "Communities",
    kpi_villages: "Villages",
    kpi_population: "Registered population",
    kpi_posts: "Full-time assistant posts",
    kpi_per_post: |n| format!("{n} residents per post on average"),
    table_title: "Posts by town",
    col_code: "Code",
    col_name: "Town / subdistrict",
    col_kind: "Type",
    col_communities: "Communities",
    col_villages: "Villages",
    col_population: "Population",
    col_posts: "Posts",
    col_per_post: "Residents per post",
    kind_street: "Subdistrict",
    kind_town: "Town",
    total_row: "Total",
    filter_label: "Filter towns",
    filter_placeholder: "Type a town name",
    filter_count: |shown, total| format!("Showing {shown} of {total} towns"),
    filter_none: "No town matches",
    download_pdf: "Download staffing summary (PDF)",
    download_pdf_file_stem: "staffing-summary",
    print_page: "Print this page",

    not_found_title: "Page not found",
    not_found_body: "The page you asked for does not exist or has moved.",
    back_home: "Back to home",

    error_title: "Could not load the data",
    error_no_district: "No district has been set up yet. Run gouzhu demo to load the demo district, or import your own.",
    error_internal: "Internal server error. Please try again; if it persists, contact your administrator.",
    error_internal_title: "Something went wrong",
    request_id_label: "request id: ",
    error_transport: "Could not reach the server. Check the connection and try again.",
    error_token_not_accepted: "API tokens are accepted by /api/v1 only.",
    error_approval_maker_lost: "Its maker no longer holds the right to ask for this; it cannot be approved. Reject it.",
    error_approval_outdated: "What this item was prepared against has changed since (the person was updated or the post taken); it cannot be approved. Reject it and submit it again.",
    error_privileged_reset: "Passwords of administrators, approvers and auditors cannot be reset on the web; run gouzhu user reset-password on the server.",
    setup_needed: "There are no users yet. On the server, run gouzhu demo to load the demo district, or gouzhu user create to create the first administrator.",
    nav_account: "My account",
    nav_approvals: "Approvals",
    nav_audit: "Audit log",
    nav_users: "Users",
    logout: "Sign out",
    demo_badge: "Demo mode",
    dashboard_own_town_only: "Showing your own town only.",
    welcome_no_modules: "Record services, upload evidence and submit reports under Service results; see your organisation's contracts under Contracts.",
    role_admin: "Administrator",
    role_finance: "Finance",
    role_approver: "Approver",
    role_town: "Town staff",
    role_provider: "Service provider",
    role_inspector: "Inspector",
    role_auditor: "Auditor",
    login_title: "Sign in",
    login_username: "User name",
    login_password: "Password",
    login_submit: "Sign in",
    demo_accounts_title: "Demo accounts",
    demo_accounts_body: "One account per role; every password is Gouzhu-Demo-2026.",
    change_password_title: "Change password",
    change_password_forced: "Set your own password before you continue: it was new or reset.",
    change_password_submit: "Save new password",
    password_rules: "At least 10 characters, not your user name and not a common password. Changing it signs you out everywhere else.",
    current_password: "Current password",
    new_password: "New password",
    confirm_password: "New password again",
    tokens_title: "API tokens",
    tokens_help: "For other systems calling /api/v1 with the header Authorization: Bearer and the token. A token is shown only once and has your account's rights.",
    tokens_none: "No tokens yet.",
    token_name: "Name",
    token_prefix: "Prefix",
    token_expires: "Expires",
    token_last_used: "Last used",
    token_create: "Create token",
    token_shown_once: "Copy it now and keep it safe; it will not be shown again:",
    token_revoke: "Revoke",
    token_revoked: "Revoked",
    users_help: "New accounts get a temporary password to change at first sign-in. Granting the administrator, approver or auditor role needs an approver's approval.",
    new_user: "New user",
    username: "User name",
    display_name: "Name",
    roles: "Roles",
    scope: "Scope",
    status: "Status",
    status_active: "Active",
    status_disabled: "Disabled",
    status_must_change: "Must change password",
    edit: "Edit",
    disable: "Disable",
    enable: "Enable",
    reset_password: "Reset password",
    create_user: "Create user",
    save: "Save",
    choose: "Choose",
    town_scope: "Town",
    supplier_scope: "Organisation",
    needs_approval: "needs approval",
    temporary_password_once: "Temporary password (shown this once; hand it to the user):",
    approvals_help: "Items take effect once an approver other than their maker approves them.",
    approvals_none: "Nothing pending and nothing decided lately.",
    approval_kind_role_grant: "Role grant",
    approval_kind_allocation_plan: "Post allocation plan",
    approval_kind_staff_change: "Staff change",
    approval_kind_hiring_exception: "Hiring exception (education)",
    approval_kind_pay_standards: "Pay standards",
    approval_kind_insurance_rules: "Social insurance rules",
    approval_kind_payroll_run: "Monthly payroll",
    approval_kind_budget_eligibility: "Funding eligibility",
    approval_kind_budget_request: "Spending and purchase requests",
    approval_kind_contract: "Contract approval",
    approval_kind_contract_amendment: "Contract amendment",
    approval_kind_milestone_acceptance: "Milestone acceptance",
    approval_kind_contract_payment: "Contract payment",
    approval_override: "Override reason (only when funds are short or outside the purpose)",
    approval_override_help: "If the budget controls refuse an approval, give a reason here and approve again; it is audited and flagged on the budget overview.",
    approval_pending: "Pending",
    approval_approved: "Approved",
    approval_rejected: "Rejected",
    approval_withdrawn: "Withdrawn",
    approval_reason: "Reason",
    approval_waiting_other: "Waiting for another approver",
    approve: "Approve",
    reject: "Reject",
    withdraw: "Withdraw",
    audit_help: "Every change: who, when, from which address, what, and the record before and after. Entries are append-only and each carries the previous entry's hash.",
    audit_verify: "Verify integrity",
    audit_content_changed: "its content was changed",
    audit_link_broken: "its link to the previous entry is broken (an entry was removed or replaced)",
    audit_sequence_gap: "its position breaks the sequence",
    audit_entity: "Entity",
    audit_time: "Time (China)",
    audit_address: "Address",
    audit_action: "Action",
    audit_change: "Change",
    audit_none: "No matching entries.",
    audit_older: "Older entries",
    audit_seq: "No.",
    date_from: "From",
    date_to: "To",
    search: "Search",
    welcome: |name| format!("Welcome, {name}"),
    token_days: |max| format!("Valid for days (1–{max})"),
    grants_pending: |roles| format!("Sent for approval, effective once approved: {roles}"),
    grant_pending_tag: |role| format!("{role} (pending)"),
    approval_submitted_by: |who, when| format!("Submitted by {who} at {when}"),
    approval_decided_by: |who, when| format!("Decided by {who} at {when}"),
    audit_intact: |n, head| {
        format!(
            "Intact: all {n} entries verify. Latest hash {head} (keep it elsewhere to check against later)"
        )
    },
    audit_broken: |seq, problem| format!("Tampered with: entry {seq}: {problem}."),
    error_cross_site: "The request did not come from this site and was refused. Try again from the site's own pages.",
    error_password_change_required: "Change your password first.",
    forbidden_title: "Not allowed",
    error_sign_in_required: "Please sign in.",
    error_forbidden: "You are not allowed to do this.",
    error_not_found: "Not found; it may have been removed.",
    error_stale: "Someone else changed this meanwhile. Reload and try again.",
    error_replayed: "This request was already carried out (same idempotency key) and was not done again. Reload to see the result.",
    error_bad_text: "The text holds a control character (NUL) that cannot be stored. Remove it and try again.",
    error_login_failed: "Wrong user name or password.",
    error_locked_out: "Too many failed sign-ins for this account: it is locked for now. Try again in 15 minutes, or ask an administrator to reset the password.",
    error_too_many_attempts: "Too many failed sign-ins from this address. Try again later.",
    error_wrong_current_password: "The current password is wrong.",
    error_passwords_differ: "The two new passwords differ.",
    error_password_too_short: "A password needs at least 10 characters.",
    error_password_too_long: "A password may have at most 128 characters.",
    error_password_is_username: "The password cannot be the user name.",
    error_password_common: "This password is too common; choose one that is harder to guess.",
    error_password_unchanged: "The new password must differ from the current one.",
    error_username_length: "A user name has 3 to 32 characters.",
    error_username_characters: "A user name starts with a letter and has only lower-case letters, digits and . _ -.",
    error_username_taken: "This user name is taken.",
    error_display_name_required: "Enter a name.",
    error_scope_no_role: "Choose at least one role.",
    error_scope_town: "The town role needs a town.",
    error_scope_supplier: "The provider role needs an organisation.",
    error_scope_without_role: "A town goes with the town role only, an organisation with the provider role only.",
    error_approval_not_pending: "This item has been decided already.",
    error_approval_own_item: "You cannot decide an item you submitted.",
    error_approval_reason: "Enter a reason for the decision.",
    error_approval_reason_long: "A reason may have at most 500 characters.",
    error_token_name: "Enter a name for the token.",
    error_token_lifetime: "The lifetime is 1 to 365 days.",
    error_own_account: "You cannot do this to your own account.",

    pdf_title: |district| format!("{district}: full-time assistant posts by town"),
    pdf_subtitle: "Government-purchased social-assistance services",
    pdf_as_of: "As of: ",
    pdf_issuer: |district| format!("Civil Affairs Bureau, {district}"),
    pdf_note: "Posts are the full-time assistant posts approved by the district civil-affairs bureau; population, communities and villages are the town figures in force on the date shown.",
    pdf_page: "Page {page} of {pages}",
};

/// The language state of one page, shared through context.
#[derive(Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The current language (reactive).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// The current catalogue (reactive).
    pub fn t(&self) -> &'static Messages {
        self.locale.get().messages()
    }

    /// Switches language in place and remembers the choice for later pages.
    pub fn set(&self, locale: Locale) {
        self.locale.set(locale);
        remember_locale(locale);
    }
}

/// Creates the language state for a page and provides it to its components.
pub fn provide_i18n() -> I18n {
    let i18n = I18n { locale: RwSignal::new(initial_locale()) };
    provide_context(i18n);
    i18n
}

/// The language state provided by [`provide_i18n`]. Missing only on the
/// server, in a page whose client went away while it rendered: Leptos
/// keeps rendering the page's suspended parts for a moment after it has
/// disposed of the page's context (leptos-rs/leptos#4698, seen at the end
/// of every wrk run). The default language then lets that abandoned
/// render end quietly instead of panicking.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n { locale: RwSignal::new(Locale::default()) })
}

/// On the server: the language named by the request's cookie.
#[cfg(feature = "ssr")]
fn initial_locale() -> Locale {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(locale_from_cookie_header)
        })
        .unwrap_or_default()
}

/// In the browser: the language named by the page's cookie, which is what
/// the server rendered with, so hydration sees the same text.
#[cfg(not(feature = "ssr"))]
fn initial_locale() -> Locale {
    browser_cookie().as_deref().and_then(locale_from_cookie_header).unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn browser_cookie() -> Option<String> {
    use wasm_bindgen::JsCast;
    let doc = web_sys::window()?.document()?;
    doc.dyn_into::<web_sys::HtmlDocument>().ok()?.cookie().ok()
}

#[cfg(not(feature = "ssr"))]
fn remember_locale(locale: Locale) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(doc) = doc.dyn_into::<web_sys::HtmlDocument>() {
        let cookie = format!("{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", locale.code());
        // Failing to persist only means the next page opens in the default.
        let _ = doc.set_cookie(&cookie);
    }
}

#[cfg(feature = "ssr")]
fn remember_locale(_locale: Locale) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_simplified_chinese() {
        assert_eq!(Locale::default(), Locale::ZhCn);
        assert_eq!(Locale::default().code(), "zh-CN");
    }

    #[test]
    fn cookie_header_selects_language() {
        assert_eq!(locale_from_cookie_header("gouzhu_lang=en"), Some(Locale::En));
        assert_eq!(locale_from_cookie_header("a=1; gouzhu_lang=zh-CN; b=2"), Some(Locale::ZhCn));
        assert_eq!(locale_from_cookie_header("gouzhu_lang=fr"), None);
        assert_eq!(locale_from_cookie_header("other_lang=en"), None);
        assert_eq!(locale_from_cookie_header(""), None);
    }

    #[test]
    fn codes_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::from_code(l.code()), Some(l));
            assert_eq!(l.other().other(), l);
        }
    }

    #[test]
    fn english_falls_back_to_chinese_names() {
        assert_eq!(Locale::En.pick("滨江街道", "Binjiang Subdistrict"), "Binjiang Subdistrict");
        assert_eq!(Locale::En.pick("滨江街道", ""), "滨江街道");
        assert_eq!(Locale::ZhCn.pick("滨江街道", "Binjiang Subdistrict"), "滨江街道");
    }

    #[test]
    fn formatted_messages_fill_their_arguments() {
        assert_eq!((ZH_CN.filter_count)(3, 26), "显示 3 / 26 个镇街");
        assert_eq!((EN.filter_count)(3, 26), "Showing 3 of 26 towns");
        assert_eq!((ZH_CN.pdf_title)("云溪区"), "云溪区专职低保员岗位配置汇总表");
    }
}
