//! Strings of the contracts module: suppliers, procurement, contracts.

use crate::domain::contract::{ContractFault, ContractProblem, ContractStatus, ContractTemplate};
use crate::domain::procurement::{Method, ProcurementProblem, ProjectStatus, ServiceItem};
use crate::domain::supplier::{CreditCodeProblem, Ineligible, OrgType, SupplierField, SupplierProblem};
use crate::format::yuan;

pub struct ContractText {
    zh: bool,
    pub title: &'static str,
    pub help: &'static str,
    pub tab_contracts: &'static str,
    pub tab_suppliers: &'static str,
    pub contracts_title: &'static str,
    pub no_contracts: &'static str,
    pub projects_title: &'static str,
    pub no_projects: &'static str,
    pub col_number: &'static str,
    pub col_title: &'static str,
    pub col_supplier: &'static str,
    pub col_amount: &'static str,
    pub col_term: &'static str,
    pub col_status: &'static str,
    pub col_code: &'static str,
    pub col_item: &'static str,
    pub col_method: &'static str,
    pub col_budget: &'static str,
    pub col_award: &'static str,
    pub col_town: &'static str,
    pub new_project: &'static str,
    pub project_title: &'static str,
    pub item: &'static str,
    pub method: &'static str,
    pub justification: &'static str,
    pub justification_help: &'static str,
    pub budget: &'static str,
    pub planned_on: &'static str,
    pub tender_opens: &'static str,
    pub tender_closes: &'static str,
    pub funding: &'static str,
    pub funding_help: &'static str,
    pub source: &'static str,
    pub available: &'static str,
    pub town_request: &'static str,
    pub town_request_none: &'static str,
    pub create: &'static str,
    pub saved: &'static str,
    pub bids_title: &'static str,
    pub no_bids: &'static str,
    pub add_bid: &'static str,
    pub received_on: &'static str,
    pub note: &'static str,
    pub award: &'static str,
    pub award_on: &'static str,
    pub award_reason: &'static str,
    pub cancel: &'static str,
    pub cancel_reason: &'static str,
    pub key_dates: &'static str,
    pub draft_contract: &'static str,
    pub edit_draft: &'static str,
    pub template: &'static str,
    pub amount: &'static str,
    pub start_on: &'static str,
    pub end_on: &'static str,
    pub term_justification: &'static str,
    pub term_help: &'static str,
    pub items_title: &'static str,
    pub quantity: &'static str,
    pub unit: &'static str,
    pub unit_price: &'static str,
    pub line_amount: &'static str,
    pub description: &'static str,
    pub indicator: &'static str,
    pub milestones_title: &'static str,
    pub milestone: &'static str,
    pub percent: &'static str,
    pub due_on: &'static str,
    pub condition: &'static str,
    pub bands: &'static str,
    pub bands_help: &'static str,
    pub base: &'static str,
    pub indicators_title: &'static str,
    pub target: &'static str,
    pub weight: &'static str,
    /// The indicator's counted item and its target.
    pub counts: &'static str,
    pub counts_target: &'static str,
    pub counts_none: &'static str,
    pub clauses_title: &'static str,
    pub add_row: &'static str,
    pub remove_row: &'static str,
    /// `{items}`, `{amount}`.
    pub items_sum: &'static str,
    /// `{sum}`.
    pub milestones_sum: &'static str,
    pub save_draft: &'static str,
    pub save: &'static str,
    pub parties: &'static str,
    pub purchaser: &'static str,
    pub supplier: &'static str,
    pub credit_code: &'static str,
    pub legal_rep: &'static str,
    pub contact: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub bank: &'static str,
    pub bank_account: &'static str,
    pub org_type: &'static str,
    pub qualifications: &'static str,
    pub qual_name: &'static str,
    pub qual_number: &'static str,
    pub expires_on: &'static str,
    pub blacklist: &'static str,
    pub unblacklist: &'static str,
    pub blacklisted: &'static str,
    pub eligible: &'static str,
    pub new_supplier: &'static str,
    pub edit: &'static str,
    pub suppliers_title: &'static str,
    pub no_suppliers: &'static str,
    pub current_terms: &'static str,
    pub original_terms: &'static str,
    pub paid: &'static str,
    pub submit: &'static str,
    pub sign: &'static str,
    pub start: &'static str,
    pub finish: &'static str,
    pub terminate: &'static str,
    pub reason: &'static str,
    pub date: &'static str,
    pub accept: &'static str,
    pub score: &'static str,
    pub request_payment: &'static str,
    pub acceptance: &'static str,
    pub payment: &'static str,
    pub amendments_title: &'static str,
    pub no_amendments: &'static str,
    pub propose_amendment: &'static str,
    pub new_amount: &'static str,
    pub new_end: &'static str,
    pub other_changes: &'static str,
    pub amendment_no: &'static str,
    pub download_contract: &'static str,
    pub preview_template: &'static str,
    pub ocds_download: &'static str,
    pub signed_on: &'static str,
    pub performing_from: &'static str,
    pub ended_on: &'static str,
    pub statuses: [&'static str; 7],
    pub item_statuses: [&'static str; 4],
    pub project_statuses: [&'static str; 3],
    pub none: &'static str,
    pub manual: &'static str,
    pub from_report: &'static str,
}

/// The item statuses of amendments, acceptances and payments.
const ITEM_STATUS_CODES: [&str; 4] = ["submitted", "approved", "rejected", "withdrawn"];

impl ContractText {
    pub fn status(&self, s: ContractStatus) -> &'static str {
        self.statuses[ContractStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)]
    }

    pub fn item_status(&self, code: &str) -> &'static str {
        self.item_statuses[ITEM_STATUS_CODES.iter().position(|x| *x == code).unwrap_or(0)]
    }

    pub fn project_status(&self, s: ProjectStatus) -> &'static str {
        match s {
            ProjectStatus::Planning => self.project_statuses[0],
            ProjectStatus::Awarded => self.project_statuses[1],
            ProjectStatus::Cancelled => self.project_statuses[2],
        }
    }

    pub fn method(&self, m: Method) -> &'static str {
        if self.zh { m.zh() } else { m.en() }
    }

    pub fn org_type(&self, t: OrgType) -> &'static str {
        if self.zh { t.zh() } else { t.en() }
    }

    pub fn template(&self, t: ContractTemplate) -> &'static str {
        if self.zh { t.zh() } else { t.en() }
    }

    pub fn item(&self, i: &ServiceItem) -> &'static str {
        if self.zh { i.zh } else { i.en }
    }

    pub fn unit_of(&self, i: &ServiceItem) -> &'static str {
        if self.zh { i.unit_zh } else { i.unit_en }
    }

    /// A refusal in one short sentence.
    pub fn short(&self, f: &ContractFault) -> &'static str {
        match (f, self.zh) {
            (ContractFault::Supplier(_), true) => "供应商信息有误。",
            (ContractFault::Supplier(_), false) => "The supplier's details are not valid.",
            (ContractFault::Ineligible(_), true) => "该供应商当前不能中标或签约。",
            (ContractFault::Ineligible(_), false) => "This supplier cannot be awarded or contracted now.",
            (ContractFault::Procurement(_), true) => "采购项目信息有误。",
            (ContractFault::Procurement(_), false) => "The procurement project is not valid.",
            (ContractFault::Contract(_), true) => "合同信息有误。",
            (ContractFault::Contract(_), false) => "The contract is not valid.",
        }
    }

    /// A refusal with its particulars (the field, the row, the figures).
    pub fn problem(&self, f: &ContractFault) -> String {
        let zh = self.zh;
        let pick = |a: &str, b: &str| if zh { a.to_owned() } else { b.to_owned() };
        match f {
            ContractFault::Supplier(p) => match p {
                SupplierProblem::NameRequired => pick("请填写供应商名称。", "Enter the supplier's name."),
                SupplierProblem::TooLong(field) => {
                    let name = match (field, zh) {
                        (SupplierField::Name, true) => "名称",
                        (SupplierField::LegalRepresentative, true) => "法定代表人",
                        (SupplierField::Contact, true) => "联系人",
                        (SupplierField::Address, true) => "地址",
                        (SupplierField::Bank, true) => "开户行",
                        (SupplierField::Name, false) => "name",
                        (SupplierField::LegalRepresentative, false) => "legal representative",
                        (SupplierField::Contact, false) => "contact",
                        (SupplierField::Address, false) => "address",
                        (SupplierField::Bank, false) => "bank",
                    };
                    if zh {
                        format!("「{name}」过长（最多200字）。")
                    } else {
                        format!("The {name} is too long (200 characters at most).")
                    }
                }
                SupplierProblem::CreditCode(c) => match c {
                    CreditCodeProblem::Length => {
                        pick("统一社会信用代码应为18位。", "A unified social credit code has 18 characters.")
                    }
                    CreditCodeProblem::Character(n) => {
                        if zh {
                            format!(
                                "统一社会信用代码第{n}位字符无效（不使用 I、O、S、V、Z；第3–8位为数字）。"
                            )
                        } else {
                            format!(
                                "Character {n} of the credit code is not allowed (no I, O, S, V, Z; positions 3–8 are digits)."
                            )
                        }
                    }
                    CreditCodeProblem::Checksum => pick(
                        "统一社会信用代码校验位不正确，请核对（GB 32100-2015）。",
                        "The credit code's check character is wrong; please check it (GB 32100-2015).",
                    ),
                    CreditCodeProblem::OrgChecksum => pick(
                        "统一社会信用代码中的组织机构代码校验不正确，请核对。",
                        "The organisation code inside the credit code fails its check; please check it.",
                    ),
                },
                SupplierProblem::OrgTypeNotAllowed => pick(
                    "该组织类型不能作为政府购买服务的承接主体（财政部令第102号第六、八条：公益一类事业单位、由财政拨款保障的群团组织除外）。",
                    "This kind of organisation may not supply purchased services (MOF Order 102, arts. 6 and 8).",
                ),
                SupplierProblem::LegalRepresentativeRequired => {
                    pick("请填写法定代表人（负责人）。", "Enter the legal representative.")
                }
                SupplierProblem::Phone => pick("联系电话格式不正确。", "The phone number is not valid."),
                SupplierProblem::BankAccount => {
                    pick("银行账号应为8–32位数字。", "The bank account must be 8–32 digits.")
                }
                SupplierProblem::DuplicateCreditCode => {
                    pick("已有供应商使用该统一社会信用代码。", "Another supplier has this credit code.")
                }
                SupplierProblem::Qualification => pick(
                    "资质需填写名称，有效期须为有效日期（YYYY-MM-DD）。",
                    "A qualification needs a name, and its expiry a valid date (YYYY-MM-DD).",
                ),
                SupplierProblem::ReasonRequired => pick(
                    "列入失信名单须填写原因（200字以内）。",
                    "Blacklisting needs a reason (200 characters at most).",
                ),
            },
            ContractFault::Ineligible(i) => self.ineligible(i),
            ContractFault::Procurement(p) => match p {
                ProcurementProblem::TitleRequired => {
                    pick("请填写项目名称（200字以内）。", "Enter the project title (200 characters at most).")
                }
                ProcurementProblem::UnknownItem => {
                    pick("请从目录中选择购买事项。", "Choose an item from the catalogue.")
                }
                ProcurementProblem::UnknownMethod => pick("请选择采购方式。", "Choose a procurement method."),
                ProcurementProblem::JustificationRequired => pick(
                    "公开招标以外的采购方式须说明理由。",
                    "Every method other than open tender needs a justification.",
                ),
                ProcurementProblem::Amount => pick(
                    "金额须为正数，最多两位小数。",
                    "Amounts must be positive, with two decimals at most.",
                ),
                ProcurementProblem::FundingMismatch { budget, funded } => {
                    if zh {
                        format!("资金来源合计 {} 元，与项目预算 {} 元不一致。", yuan(*funded), yuan(*budget))
                    } else {
                        format!(
                            "The funding lines sum to {} yuan, not the budget of {} yuan.",
                            yuan(*funded),
                            yuan(*budget)
                        )
                    }
                }
                ProcurementProblem::FundingRequired => pick(
                    "没有预算不得采购：请至少指定一项资金来源。",
                    "No budget, no purchase: name at least one funding source.",
                ),
                ProcurementProblem::DateOrder => pick(
                    "日期顺序应为：立项 ≤ 开标/报价开始 ≤ 截止 ≤ 定标。",
                    "Dates must run: planned ≤ tender opens ≤ closes ≤ award.",
                ),
                ProcurementProblem::WrongState => pick(
                    "项目当前状态不允许此操作（已定标、已取消，或已有有效合同）。",
                    "The project's state does not allow this (awarded, cancelled, or a contract exists).",
                ),
                ProcurementProblem::TooFewBids { method, needed, have } => {
                    if zh {
                        format!("{}须有{}家供应商响应，目前为{}家。", method.zh(), needed, have)
                    } else {
                        format!("{} needs {} bids; there are {}.", method.en(), needed, have)
                    }
                }
                ProcurementProblem::NotABidder => {
                    pick("中标供应商须为已投标（报价）的供应商。", "The winner must be one of the bidders.")
                }
                ProcurementProblem::OverBudget => {
                    pick("中标金额超过项目预算。", "The award is above the project's budget.")
                }
                ProcurementProblem::ReasonRequired => pick("请填写理由。", "Give a reason."),
                ProcurementProblem::Ineligible(i) => self.ineligible(i),
                ProcurementProblem::DuplicateBid => {
                    pick("该供应商已有报价。", "This supplier has already bid.")
                }
            },
            ContractFault::Contract(p) => self.contract_problem(p),
        }
    }

    fn ineligible(&self, i: &Ineligible) -> String {
        match (i, self.zh) {
            (Ineligible::Blacklisted(r), true) => format!("该供应商已列入失信名单：{r}"),
            (Ineligible::Blacklisted(r), false) => format!("The supplier is blacklisted: {r}"),
            (Ineligible::QualificationExpired(q), true) => format!("该供应商的资质「{q}」已过期。"),
            (Ineligible::QualificationExpired(q), false) => {
                format!("The supplier's qualification “{q}” has expired.")
            }
            (Ineligible::NotRegistered, true) => {
                "该供应商缺少统一社会信用代码或组织类型，请先完善登记。".to_owned()
            }
            (Ineligible::NotRegistered, false) => {
                "The supplier has no credit code or organisation type yet; complete its registration first."
                    .to_owned()
            }
        }
    }

    fn contract_problem(&self, p: &ContractProblem) -> String {
        let zh = self.zh;
        let pick = |a: &str, b: &str| if zh { a.to_owned() } else { b.to_owned() };
        match p {
            ContractProblem::TitleRequired => pick("请填写合同名称。", "Enter the contract's title."),
            ContractProblem::TooLong => {
                pick("有内容过长（条款最多1000字）。", "Some text is too long (1000 characters per clause).")
            }
            ContractProblem::TooManyLines => {
                pick("行数过多（每部分最多50行）。", "Too many lines (50 per section at most).")
            }
            ContractProblem::TermOrder => pick("终止日期早于开始日期。", "The end is before the start."),
            ContractProblem::JustificationRequired => pick(
                "合同期限超过一年，须书面说明理由（预算已落实、服务内容固定、持续稳定、价格变化小）。",
                "A term over one year needs a written justification (budget secured, content fixed, continuous, stable price).",
            ),
            ContractProblem::TermOverThreeYears => pick(
                "政府购买服务合同期限最长不超过三年。",
                "A purchased-service contract runs three years at most.",
            ),
            ContractProblem::Amount => {
                pick("金额须为正数，最多两位小数。", "Amounts must be positive, with two decimals at most.")
            }
            ContractProblem::Quantity => pick(
                "数量须为正数，最多两位小数。",
                "Quantities must be positive, with two decimals at most.",
            ),
            ContractProblem::ItemsRequired => pick(
                "请选择合同模板并至少填写一项服务内容。",
                "Choose a template and enter at least one service item.",
            ),
            ContractProblem::UnknownItem(c) => {
                if zh {
                    format!("服务事项「{c}」不在购买目录中。")
                } else {
                    format!("Item “{c}” is not in the catalogue.")
                }
            }
            ContractProblem::ItemNotInTemplate(c) => {
                if zh {
                    format!("服务事项「{c}」与合同模板不符：专职低保员岗位服务须单独签订岗位服务合同。")
                } else {
                    format!(
                        "Item “{c}” does not fit the template: assistant posts are bought under their own contract."
                    )
                }
            }
            ContractProblem::ItemsMismatch { amount, items } => {
                if zh {
                    format!("服务内容金额合计 {} 元，与合同金额 {} 元不一致。", yuan(*items), yuan(*amount))
                } else {
                    format!(
                        "The items sum to {} yuan, not the contract amount of {} yuan.",
                        yuan(*items),
                        yuan(*amount)
                    )
                }
            }
            ContractProblem::OverAward { award } => {
                if zh {
                    format!("合同金额超过中标金额 {} 元。", yuan(*award))
                } else {
                    format!("The amount exceeds the award of {} yuan.", yuan(*award))
                }
            }
            ContractProblem::MilestonesRequired => {
                pick("请至少设置一个付款节点。", "Set at least one payment milestone.")
            }
            ContractProblem::MilestoneSum(sum) => {
                if zh {
                    format!("付款节点比例合计为 {}%，应为 100%。", sum.normalize())
                } else {
                    format!("The milestones' percentages sum to {}%, not 100%.", sum.normalize())
                }
            }
            ContractProblem::Milestone(n) => {
                if zh {
                    format!(
                        "第{n}个付款节点：须有名称、比例（大于0，最多两位小数）、验收条件，且日期在合同期限内。"
                    )
                } else {
                    format!(
                        "Milestone {n}: needs a name, a percentage (above 0, two decimals at most), an acceptance condition and a date within the term."
                    )
                }
            }
            ContractProblem::Bands(n) => {
                if zh {
                    format!(
                        "第{n}个付款节点的绩效档次有误：写作「0:0, 60:0.8, 80:1」（分数:系数），从0分起，分数递增，系数在0–1之间且不递减。"
                    )
                } else {
                    format!(
                        "Milestone {n}'s score bands are malformed: write “0:0, 60:0.8, 80:1” (score:factor), from 0, rising scores, factors 0–1 never falling."
                    )
                }
            }
            ContractProblem::IndicatorWeights(sum) => {
                if zh {
                    format!("绩效指标权重合计为 {}%，应为 100%。", sum.normalize())
                } else {
                    format!("The indicators' weights sum to {}%, not 100%.", sum.normalize())
                }
            }
            ContractProblem::Indicator(n) => {
                if zh {
                    format!("第{n}个绩效指标须有名称、目标值和权重。")
                } else {
                    format!("Indicator {n} needs a name, a target and a weight.")
                }
            }
            ContractProblem::Clause(n) => {
                if zh {
                    format!("第{n}条违约条款为空。")
                } else {
                    format!("Breach clause {n} is empty.")
                }
            }
            ContractProblem::WrongState(s) => {
                if zh {
                    format!("合同当前为「{}」，不能进行此操作（或有待审批的事项）。", self.status(*s))
                } else {
                    format!(
                        "The contract is “{}”: this cannot be done now (or an item awaits approval).",
                        self.status(*s)
                    )
                }
            }
            ContractProblem::AmendmentEmpty => pick(
                "变更须说明理由并至少改变一项内容。",
                "An amendment needs a reason and must change something.",
            ),
            ContractProblem::BelowPaid { paid } => {
                if zh {
                    format!("合同金额不能低于已支付节点的基数 {} 元。", yuan(*paid))
                } else {
                    format!("The amount cannot fall below the {} yuan already paid on.", yuan(*paid))
                }
            }
            ContractProblem::NotAccepted => pick(
                "该节点尚未通过验收（验收须经审批）。",
                "The milestone is not accepted yet (acceptance needs approval).",
            ),
            ContractProblem::ScoreRequired => pick(
                "该节点按绩效档次付款，验收须填写绩效得分。",
                "This milestone pays by score band: the acceptance needs a score.",
            ),
            ContractProblem::Score => {
                pick("绩效得分应在0–100之间，最多两位小数。", "Scores run 0–100, two decimals at most.")
            }
            ContractProblem::AlreadyPaid => {
                pick("该节点已付款或付款正在审批。", "The milestone is paid or its payment awaits approval.")
            }
            ContractProblem::AlreadyAccepted => pick(
                "该节点已验收或验收正在审批。",
                "The milestone is accepted or its acceptance awaits approval.",
            ),
            ContractProblem::ReasonRequired => pick("请填写理由。", "Give a reason."),
            ContractProblem::Date => pick(
                "日期无效或超出允许范围（格式 YYYY-MM-DD；不晚于今天，不早于合同开始）。",
                "The date is invalid or out of range (YYYY-MM-DD; not after today, not before the contract starts).",
            ),
        }
    }
}

pub const ZH_CN: ContractText = ContractText {
    zh: true,
    title: "购买服务合同",
    help: "依据财政部令第102号：先有预算后购买；按采购方式择优确定承接主体；合同载明服务内容、期限、数量、质量、价格、结算方式和违约责任；按节点验收、按绩效付款。合同审批时锁定预算承诺，付款为预算支付，均经双人复核。",
    tab_contracts: "合同与采购",
    tab_suppliers: "供应商",
    contracts_title: "合同",
    no_contracts: "还没有合同。",
    projects_title: "采购项目",
    no_projects: "还没有采购项目。",
    col_number: "编号",
    col_title: "名称",
    col_supplier: "承接主体",
    col_amount: "金额（元）",
    col_term: "期限",
    col_status: "状态",
    col_code: "项目编号",
    col_item: "购买事项",
    col_method: "采购方式",
    col_budget: "预算（元）",
    col_award: "中标",
    col_town: "镇街",
    new_project: "新建采购项目",
    project_title: "项目名称",
    item: "购买事项",
    method: "采购方式",
    justification: "采用该方式的理由",
    justification_help: "公开招标以外的方式须说明理由（如：单一来源的唯一性）。",
    budget: "项目预算（元）",
    planned_on: "立项日期",
    tender_opens: "开始接收响应",
    tender_closes: "响应截止",
    funding: "资金来源",
    funding_help: "按顺序使用：前面的来源用完再用后面的；合同审批时按节点承诺。",
    source: "来源",
    available: "可用",
    town_request: "镇街购买申请（已批准）",
    town_request_none: "— 区本级项目 —",
    create: "创建",
    saved: "已保存。",
    bids_title: "投标 / 报价",
    no_bids: "尚无投标或报价。",
    add_bid: "登记报价",
    received_on: "收到日期",
    note: "备注",
    award: "定标",
    award_on: "定标日期",
    award_reason: "定标理由（评审结果）",
    cancel: "取消项目",
    cancel_reason: "取消原因",
    key_dates: "关键日期",
    draft_contract: "起草合同",
    edit_draft: "修改草稿",
    template: "合同模板",
    amount: "合同金额（元）",
    start_on: "开始日期",
    end_on: "终止日期",
    term_justification: "期限超过一年的理由",
    term_help: "一般不超过一年；预算已落实且内容固定、持续稳定的，最长三年。",
    items_title: "服务内容",
    quantity: "数量",
    unit: "单位",
    unit_price: "单价（元）",
    line_amount: "金额（元）",
    description: "说明",
    indicator: "服务标准 / 指标",
    milestones_title: "付款节点",
    milestone: "节点",
    percent: "比例（%）",
    due_on: "计划日期",
    condition: "验收条件",
    bands: "绩效档次",
    bands_help: "可选，写作「0:0, 60:0.8, 80:1」：60分以下付0，60–80分付80%，80分以上全额。",
    base: "基数（元）",
    indicators_title: "绩效指标",
    target: "目标值",
    weight: "权重（%）",
    counts: "按服务记录计量",
    counts_target: "合同期目标量",
    counts_none: "不按记录计量（评价打分）",
    clauses_title: "违约责任",
    add_row: "添加一行",
    remove_row: "删除",
    items_sum: "服务内容合计 {items} 元 / 合同金额 {amount} 元",
    milestones_sum: "节点比例合计 {sum}%",
    save_draft: "保存草稿",
    save: "保存",
    parties: "合同双方",
    purchaser: "甲方（购买主体）",
    supplier: "乙方（承接主体）",
    credit_code: "统一社会信用代码",
    legal_rep: "法定代表人",
    contact: "联系人",
    phone: "联系电话",
    address: "地址",
    bank: "开户行",
    bank_account: "账号",
    org_type: "组织类型",
    qualifications: "资质",
    qual_name: "资质名称",
    qual_number: "证书编号",
    expires_on: "有效期至",
    blacklist: "列入失信名单",
    unblacklist: "移出失信名单",
    blacklisted: "失信",
    eligible: "可承接",
    new_supplier: "登记供应商",
    edit: "修改",
    suppliers_title: "供应商名录",
    no_suppliers: "还没有供应商。",
    current_terms: "现行条款",
    original_terms: "原合同",
    paid: "已支付",
    submit: "提交审批",
    sign: "登记签订",
    start: "开始履约",
    finish: "终验（合同完成）",
    terminate: "终止合同",
    reason: "理由",
    date: "日期",
    accept: "验收",
    score: "绩效得分",
    request_payment: "申请付款",
    acceptance: "验收",
    payment: "付款",
    amendments_title: "合同变更",
    no_amendments: "没有变更。",
    propose_amendment: "提出变更",
    new_amount: "变更后金额（元）",
    new_end: "变更后终止日期",
    other_changes: "其他变更内容",
    amendment_no: "第{n}号变更",
    download_contract: "下载合同（PDF）",
    preview_template: "预览模板",
    ocds_download: "开放数据（OCDS）",
    signed_on: "签订日期",
    performing_from: "履约开始",
    ended_on: "结束日期",
    statuses: ["草稿", "审批中", "已批准", "已签订", "履约中", "已验收", "已终止"],
    item_statuses: ["审批中", "已批准", "已驳回", "已撤回"],
    project_statuses: ["采购中", "已定标", "已取消"],
    none: "—",
    manual: "人工验收",
    from_report: "依据服务报告",
};

pub const EN: ContractText = ContractText {
    zh: false,
    title: "Purchased-service contracts",
    help: "Under MOF Order 102: budget first, then purchase; suppliers chosen by a procurement method; the contract states content, term, quantity, quality, price, settlement and breach; milestones are accepted and paid by performance. Approving a contract commits its budget; every payment is a budget disbursement; both go through maker-checker.",
    tab_contracts: "Contracts and procurement",
    tab_suppliers: "Suppliers",
    contracts_title: "Contracts",
    no_contracts: "No contracts yet.",
    projects_title: "Procurement projects",
    no_projects: "No procurement projects yet.",
    col_number: "Number",
    col_title: "Title",
    col_supplier: "Supplier",
    col_amount: "Amount (yuan)",
    col_term: "Term",
    col_status: "Status",
    col_code: "Project",
    col_item: "Item",
    col_method: "Method",
    col_budget: "Budget (yuan)",
    col_award: "Award",
    col_town: "Town",
    new_project: "New procurement project",
    project_title: "Project title",
    item: "Item",
    method: "Method",
    justification: "Why this method",
    justification_help: "Every method but open tender needs a reason (e.g. why only one source).",
    budget: "Budget (yuan)",
    planned_on: "Planned on",
    tender_opens: "Bids open",
    tender_closes: "Bids close",
    funding: "Funding",
    funding_help: "Drawn in order: a later source only once the earlier ones are used; committed per milestone on approval.",
    source: "Source",
    available: "available",
    town_request: "Town purchase request (approved)",
    town_request_none: "— a district project —",
    create: "Create",
    saved: "Saved.",
    bids_title: "Bids and quotes",
    no_bids: "No bids or quotes yet.",
    add_bid: "Record a bid",
    received_on: "Received on",
    note: "Note",
    award: "Award",
    award_on: "Award date",
    award_reason: "Reason (evaluation result)",
    cancel: "Cancel project",
    cancel_reason: "Why it is cancelled",
    key_dates: "Key dates",
    draft_contract: "Draft the contract",
    edit_draft: "Edit the draft",
    template: "Template",
    amount: "Contract amount (yuan)",
    start_on: "Starts",
    end_on: "Ends",
    term_justification: "Why the term is over one year",
    term_help: "Normally one year at most; up to three where the budget is secured and the content fixed and stable.",
    items_title: "Service items",
    quantity: "Quantity",
    unit: "Unit",
    unit_price: "Unit price (yuan)",
    line_amount: "Amount (yuan)",
    description: "Description",
    indicator: "Standard / indicator",
    milestones_title: "Payment milestones",
    milestone: "Milestone",
    percent: "Percent",
    due_on: "Due",
    condition: "Acceptance condition",
    bands: "Score bands",
    bands_help: "Optional, as “0:0, 60:0.8, 80:1”: below 60 pays 0, 60–80 pays 80%, from 80 in full.",
    base: "Base (yuan)",
    indicators_title: "Performance indicators",
    target: "Target",
    weight: "Weight (%)",
    counts: "Counted from service records",
    counts_target: "Target over the term",
    counts_none: "Not counted (scored in evaluation)",
    clauses_title: "Liability for breach",
    add_row: "Add a row",
    remove_row: "Remove",
    items_sum: "Items {items} yuan / contract {amount} yuan",
    milestones_sum: "Milestones sum to {sum}%",
    save_draft: "Save draft",
    save: "Save",
    parties: "Parties",
    purchaser: "Purchaser",
    supplier: "Supplier",
    credit_code: "Unified social credit code",
    legal_rep: "Legal representative",
    contact: "Contact",
    phone: "Phone",
    address: "Address",
    bank: "Bank",
    bank_account: "Account",
    org_type: "Organisation type",
    qualifications: "Qualifications",
    qual_name: "Qualification",
    qual_number: "Number",
    expires_on: "Expires on",
    blacklist: "Blacklist",
    unblacklist: "Remove from blacklist",
    blacklisted: "Blacklisted",
    eligible: "Eligible",
    new_supplier: "Register a supplier",
    edit: "Edit",
    suppliers_title: "Supplier register",
    no_suppliers: "No suppliers yet.",
    current_terms: "Current terms",
    original_terms: "As signed",
    paid: "Paid",
    submit: "Submit for approval",
    sign: "Record signature",
    start: "Start service",
    finish: "Final acceptance",
    terminate: "Terminate",
    reason: "Reason",
    date: "Date",
    accept: "Accept",
    score: "Score",
    request_payment: "Request payment",
    acceptance: "Acceptance",
    payment: "Payment",
    amendments_title: "Amendments",
    no_amendments: "No amendments.",
    propose_amendment: "Propose an amendment",
    new_amount: "New amount (yuan)",
    new_end: "New end date",
    other_changes: "Other changes",
    amendment_no: "Amendment {n}",
    download_contract: "Download contract (PDF)",
    preview_template: "Preview template",
    ocds_download: "Open data (OCDS)",
    signed_on: "Signed on",
    performing_from: "Service from",
    ended_on: "Ended on",
    statuses: ["Draft", "Awaiting approval", "Approved", "Signed", "Performing", "Accepted", "Terminated"],
    item_statuses: ["Awaiting approval", "Approved", "Rejected", "Withdrawn"],
    project_statuses: ["Procuring", "Awarded", "Cancelled"],
    none: "—",
    manual: "Manual acceptance",
    from_report: "From a service report",
};
