//! Strings of the deliverables module: recipients, service records,
//! evidence, reports and their review, red flags.

use crate::domain::files::FileProblem;
use crate::domain::service::{
    Category, Grade, Priority, RecipientField, RecipientProblem, RecordField, RecordProblem, RedFlag,
    ReportProblem, ServiceFault,
};

pub struct ServiceText {
    zh: bool,
    pub title: &'static str,
    pub help: &'static str,
    pub tab_records: &'static str,
    pub tab_recipients: &'static str,
    pub contract: &'static str,
    pub all_contracts: &'static str,
    pub no_contracts: &'static str,
    pub records_title: &'static str,
    pub no_records: &'static str,
    pub col_time: &'static str,
    pub col_recipient: &'static str,
    pub col_service: &'static str,
    pub col_minutes: &'static str,
    pub col_worker: &'static str,
    pub col_evidence: &'static str,
    pub col_source: &'static str,
    pub voided: &'static str,
    pub void: &'static str,
    pub void_reason: &'static str,
    pub new_record: &'static str,
    pub recipient_none: &'static str,
    pub started_at: &'static str,
    pub minutes: &'static str,
    pub worker: &'static str,
    pub notes: &'static str,
    pub location: &'static str,
    pub location_help: &'static str,
    pub keep_location: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub upload: &'static str,
    pub upload_help: &'static str,
    pub reports_title: &'static str,
    pub no_reports: &'static str,
    pub col_period: &'static str,
    pub col_milestone: &'static str,
    pub col_status: &'static str,
    pub col_total: &'static str,
    pub col_grade: &'static str,
    pub new_report: &'static str,
    pub period_from: &'static str,
    pub period_to: &'static str,
    pub milestone_none: &'static str,
    pub summary: &'static str,
    pub statement: &'static str,
    pub submit_report: &'static str,
    pub progress_title: &'static str,
    pub progress_help: &'static str,
    pub measured: &'static str,
    pub target_term: &'static str,
    pub by_month: &'static str,
    pub by_recipient: &'static str,
    pub not_counted: &'static str,
    pub flags_title: &'static str,
    pub flags_help: &'static str,
    pub no_flags: &'static str,
    pub report_title: &'static str,
    pub records_in_period: &'static str,
    pub col_indicator: &'static str,
    pub col_weight: &'static str,
    pub col_due: &'static str,
    pub col_suggested: &'static str,
    pub col_score: &'static str,
    pub review_title: &'static str,
    pub comment: &'static str,
    pub accept: &'static str,
    pub return_report: &'static str,
    pub acceptance_made: &'static str,
    pub recipients_title: &'static str,
    pub no_recipients: &'static str,
    pub col_name: &'static str,
    pub col_id_number: &'static str,
    pub col_category: &'static str,
    pub col_priority: &'static str,
    pub col_town: &'static str,
    pub col_village: &'static str,
    pub col_address: &'static str,
    pub inactive: &'static str,
    pub new_recipient: &'static str,
    pub register: &'static str,
    pub area_title: &'static str,
    pub area_whole: &'static str,
    pub area_save: &'static str,
    pub export: &'static str,
    pub import: &'static str,
    pub import_template: &'static str,
    pub import_help: &'static str,
    /// `{n}`.
    pub imported: &'static str,
    pub edit: &'static str,
    pub still_assisted: &'static str,
}

pub const ZH_CN: ServiceText = ServiceText {
    zh: true,
    title: "服务成果",
    help: "社工机构记录所提供的服务并上传佐证，按期提交服务报告；财务人员审核报告、评价绩效，通过的报告作为合同节点验收的依据。",
    tab_records: "服务记录与报告",
    tab_recipients: "服务对象",
    contract: "合同",
    all_contracts: "全部合同",
    no_contracts: "暂无正在履行的合同。",
    records_title: "服务记录",
    no_records: "暂无服务记录。",
    col_time: "服务时间",
    col_recipient: "服务对象",
    col_service: "服务内容",
    col_minutes: "时长（分钟）",
    col_worker: "服务人员",
    col_evidence: "佐证材料",
    col_source: "来源",
    voided: "已作废",
    void: "作废",
    void_reason: "作废原因",
    new_record: "登记服务记录",
    recipient_none: "（群体性服务，无具体对象）",
    started_at: "开始时间",
    minutes: "时长（分钟）",
    worker: "服务人员",
    notes: "服务情况",
    location: "服务地点（纬度, 经度）",
    location_help: "可不填。填写并勾选下方选项时，照片自带的位置信息将保留；否则上传时一律去除。",
    keep_location: "保留照片中的位置信息",
    save: "保存",
    saved: "已保存。",
    upload: "上传佐证",
    upload_help: "图片（JPEG、PNG）或 PDF，不超过 10 MB；按内容识别文件类型。",
    reports_title: "服务报告",
    no_reports: "暂无服务报告。",
    col_period: "报告期",
    col_milestone: "申请验收节点",
    col_status: "状态",
    col_total: "绩效得分",
    col_grade: "等级",
    new_report: "提交服务报告",
    period_from: "报告期起",
    period_to: "报告期止",
    milestone_none: "（不申请节点验收）",
    summary: "报告摘要",
    statement: "完成情况说明",
    submit_report: "提交报告",
    progress_title: "指标进度",
    progress_help: "按服务记录计量的绩效指标：合同期累计完成量、逐月完成量及按服务对象的分布。",
    measured: "已完成",
    target_term: "合同期目标",
    by_month: "逐月",
    by_recipient: "按服务对象",
    not_counted: "该指标不按服务记录计量，在绩效评价中打分。",
    flags_title: "风险提示",
    flags_help: "审核前请逐条核实：同一对象同一服务被两家机构同时服务、服务人员单日服务时长超过24小时、同一佐证文件用于不同记录、服务对象不在合同服务区域内。",
    no_flags: "未发现风险提示。",
    report_title: "服务报告",
    records_in_period: "报告期内服务记录",
    col_indicator: "绩效指标",
    col_weight: "权重（%）",
    col_due: "应完成",
    col_suggested: "参考得分",
    col_score: "评分",
    review_title: "审核与绩效评价",
    comment: "审核意见",
    accept: "审核通过",
    return_report: "退回修改",
    acceptance_made: "已生成节点验收，待审批人审批后可申请付款。",
    recipients_title: "服务对象名册",
    no_recipients: "暂无可查看的服务对象。",
    col_name: "姓名",
    col_id_number: "身份证号",
    col_category: "类别",
    col_priority: "重点对象",
    col_town: "镇街",
    col_village: "村（社区）",
    col_address: "住址",
    inactive: "已退出",
    new_recipient: "登记服务对象",
    register: "登记",
    area_title: "服务区域",
    area_whole: "全区",
    area_save: "保存服务区域",
    export: "导出表格",
    import: "导入表格",
    import_template: "下载导入模板",
    import_help: "按模板填写后上传（.xlsx）。任何一行有误时不导入任何记录，并逐条列出行号和列号。",
    imported: "已导入 {n} 条服务记录。",
    edit: "修改",
    still_assisted: "仍在保障范围内",
};

pub const EN: ServiceText = ServiceText {
    zh: false,
    title: "Service results",
    help: "Service organisations record the services they deliver with evidence and submit periodic reports; finance reviews the reports and evaluates performance, and an accepted report is the basis of a milestone's acceptance.",
    tab_records: "Records and reports",
    tab_recipients: "Recipients",
    contract: "Contract",
    all_contracts: "All contracts",
    no_contracts: "No contract is being performed.",
    records_title: "Service records",
    no_records: "No service records yet.",
    col_time: "When",
    col_recipient: "Recipient",
    col_service: "Service",
    col_minutes: "Minutes",
    col_worker: "Worker",
    col_evidence: "Evidence",
    col_source: "Source",
    voided: "Voided",
    void: "Void",
    void_reason: "Reason for voiding",
    new_record: "Record a service",
    recipient_none: "(group service, no one person)",
    started_at: "Start",
    minutes: "Minutes",
    worker: "Worker",
    notes: "What was done",
    location: "Place (latitude, longitude)",
    location_help: "Optional. When given and the box below is ticked, the photos' own location is kept; otherwise it is removed on upload.",
    keep_location: "Keep the location in the photos",
    save: "Save",
    saved: "Saved.",
    upload: "Upload evidence",
    upload_help: "Images (JPEG, PNG) or PDF, at most 10 MB; the type is recognised from the content.",
    reports_title: "Service reports",
    no_reports: "No reports yet.",
    col_period: "Period",
    col_milestone: "Milestone to accept",
    col_status: "Status",
    col_total: "Score",
    col_grade: "Grade",
    new_report: "Submit a report",
    period_from: "Period from",
    period_to: "Period to",
    milestone_none: "(no milestone acceptance)",
    summary: "Summary",
    statement: "Account of the work",
    submit_report: "Submit report",
    progress_title: "Progress against indicators",
    progress_help: "Indicators counted from the service records: the total over the term, month by month, and per recipient.",
    measured: "Done",
    target_term: "Target over the term",
    by_month: "By month",
    by_recipient: "By recipient",
    not_counted: "This indicator is not counted from records; it is scored in the evaluation.",
    flags_title: "Red flags",
    flags_help: "Check each before accepting: one recipient served the same service by two organisations at once, a worker serving more than 24 hours in a day, the same evidence file on different records, a recipient outside the contract's area.",
    no_flags: "No red flags.",
    report_title: "Service report",
    records_in_period: "Records in the period",
    col_indicator: "Indicator",
    col_weight: "Weight (%)",
    col_due: "Due",
    col_suggested: "Suggested score",
    col_score: "Score",
    review_title: "Review and evaluation",
    comment: "Comment",
    accept: "Accept",
    return_report: "Return for changes",
    acceptance_made: "A milestone acceptance was made; once the approver confirms it, payment can be requested.",
    recipients_title: "Recipients register",
    no_recipients: "No recipients you may see.",
    col_name: "Name",
    col_id_number: "ID number",
    col_category: "Category",
    col_priority: "Priority groups",
    col_town: "Town",
    col_village: "Village",
    col_address: "Address",
    inactive: "No longer assisted",
    new_recipient: "Register a recipient",
    register: "Register",
    area_title: "Service area",
    area_whole: "Whole district",
    area_save: "Save the area",
    export: "Export spreadsheet",
    import: "Import spreadsheet",
    import_template: "Download the template",
    import_help: "Fill in the template and upload it (.xlsx). If any row is wrong nothing is imported, and each problem is listed with its row and column.",
    imported: "{n} service records imported.",
    edit: "Change",
    still_assisted: "Still assisted",
};

impl ServiceText {
    /// Chinese (place names and units follow).
    pub fn is_zh(&self) -> bool {
        self.zh
    }

    pub fn category(&self, c: Category) -> &'static str {
        if self.zh { c.zh() } else { c.en() }
    }

    pub fn priority(&self, p: Priority) -> &'static str {
        if self.zh { p.zh() } else { p.en() }
    }

    pub fn grade(&self, g: Grade) -> &'static str {
        if self.zh { g.zh() } else { g.en() }
    }

    pub fn report_status(&self, code: &str) -> &'static str {
        match (code, self.zh) {
            ("submitted", true) => "待审核",
            ("accepted", true) => "已通过",
            ("returned", true) => "已退回",
            ("submitted", false) => "Awaiting review",
            ("accepted", false) => "Accepted",
            ("returned", false) => "Returned",
            (_, true) => "未知",
            (_, false) => "Unknown",
        }
    }

    pub fn source(&self, code: &str) -> &'static str {
        match (code, self.zh) {
            ("web", true) => "网页",
            ("xlsx", true) => "表格导入",
            ("api", true) => "接口",
            ("demo", true) => "演示",
            ("web", false) => "Web",
            ("xlsx", false) => "Spreadsheet",
            ("api", false) => "API",
            (_, _) => "Demo",
        }
    }

    /// One red flag, described with its particulars. `name` gives a
    /// record's or supplier's label for the reader.
    pub fn flag(
        &self,
        f: &RedFlag,
        supplier: &dyn Fn(i64) -> String,
        town: &dyn Fn(i64) -> String,
    ) -> String {
        let zh = self.zh;
        match f {
            RedFlag::DoubleService { records, suppliers, .. } => {
                if zh {
                    format!(
                        "重复服务：记录 #{} （{}）与 #{} （{}）为同一对象同一服务，时间重叠。",
                        records[0],
                        supplier(suppliers[0]),
                        records[1],
                        supplier(suppliers[1])
                    )
                } else {
                    format!(
                        "Double service: records #{} ({}) and #{} ({}) serve the same recipient the same service at overlapping times.",
                        records[0],
                        supplier(suppliers[0]),
                        records[1],
                        supplier(suppliers[1])
                    )
                }
            }
            RedFlag::WorkerOverDay { worker, day, minutes, records, .. } => {
                let list = records.iter().map(|r| format!("#{r}")).collect::<Vec<_>>().join(", ");
                let hours = format!("{:.1}", f64::from(*minutes) / 60.0);
                if zh {
                    format!("超时服务：{worker} 在 {day} 累计服务 {hours} 小时（超过24小时），记录 {list}。")
                } else {
                    format!(
                        "Over a day: {worker} served {hours} hours on {day} (more than 24), records {list}."
                    )
                }
            }
            RedFlag::SharedEvidence { sha256, records } => {
                let list = records.iter().map(|r| format!("#{r}")).collect::<Vec<_>>().join(", ");
                let short = &sha256[..sha256.len().min(12)];
                if zh {
                    format!("重复佐证：同一文件（SHA-256 {short}…）用于记录 {list}。")
                } else {
                    format!("Shared evidence: the same file (SHA-256 {short}…) is on records {list}.")
                }
            }
            RedFlag::OutsideArea { record, town_id, .. } => {
                if zh {
                    format!("区域外服务：记录 #{record} 的服务对象在{}，不在合同服务区域内。", town(*town_id))
                } else {
                    format!(
                        "Outside the area: record #{record}'s recipient lives in {}, outside the contract's area.",
                        town(*town_id)
                    )
                }
            }
        }
    }

    /// The kind of a flag, for styling and tests.
    pub fn flag_kind(f: &RedFlag) -> &'static str {
        match f {
            RedFlag::DoubleService { .. } => "double-service",
            RedFlag::WorkerOverDay { .. } => "worker-over-day",
            RedFlag::SharedEvidence { .. } => "shared-evidence",
            RedFlag::OutsideArea { .. } => "outside-area",
        }
    }

    pub fn short(&self, f: &ServiceFault) -> &'static str {
        match (f, self.zh) {
            (ServiceFault::Recipient(_), true) => "服务对象信息有误。",
            (ServiceFault::Recipient(_), false) => "The recipient's details are not valid.",
            (ServiceFault::Record(_), true) => "服务记录有误。",
            (ServiceFault::Record(_), false) => "The service record is not valid.",
            (ServiceFault::Rows(_), true) => "导入的服务记录有误，未保存任何一行。",
            (ServiceFault::Rows(_), false) => "The imported records have errors; no row was stored.",
            (ServiceFault::Report(_), true) => "服务报告有误。",
            (ServiceFault::Report(_), false) => "The report is not valid.",
            (ServiceFault::Upload(_), true) => "文件未能上传。",
            (ServiceFault::Upload(_), false) => "The file was not uploaded.",
        }
    }

    pub fn record_field(&self, f: RecordField) -> &'static str {
        match (f, self.zh) {
            (RecordField::Contract, true) => "合同",
            (RecordField::Recipient, true) => "服务对象",
            (RecordField::Service, true) => "服务内容",
            (RecordField::StartedAt, true) => "开始时间",
            (RecordField::Minutes, true) => "时长",
            (RecordField::Worker, true) => "服务人员",
            (RecordField::Notes, true) => "服务情况",
            (RecordField::Location, true) => "服务地点",
            (RecordField::ExternalId, true) => "外部编号",
            (RecordField::Contract, false) => "contract",
            (RecordField::Recipient, false) => "recipient",
            (RecordField::Service, false) => "service",
            (RecordField::StartedAt, false) => "start",
            (RecordField::Minutes, false) => "minutes",
            (RecordField::Worker, false) => "worker",
            (RecordField::Notes, false) => "notes",
            (RecordField::Location, false) => "place",
            (RecordField::ExternalId, false) => "external id",
        }
    }

    pub fn record_problem(&self, p: RecordProblem) -> &'static str {
        match (p, self.zh) {
            (RecordProblem::Required, true) => "必须填写",
            (RecordProblem::TooLong, true) => "过长",
            (RecordProblem::UnknownService, true) => "不是可登记的服务内容",
            (RecordProblem::NotInContract, true) => "合同未购买该项服务",
            (RecordProblem::ContractNotActive, true) => "合同不在履行中",
            (RecordProblem::OutsideTerm, true) => "不在合同期内",
            (RecordProblem::InFuture, true) => "晚于当前时间",
            (RecordProblem::Minutes, true) => "应为 1 至 1440 分钟",
            (RecordProblem::UnknownRecipient, true) => "不是本机构合同范围内的服务对象",
            (RecordProblem::NoRecipientExpected, true) => "群体性服务不填写具体对象",
            (RecordProblem::Location, true) => "无法识别，应为“纬度, 经度”",
            (RecordProblem::ExternalIdReused, true) => "该编号已用于另一条记录",
            (RecordProblem::Unreadable, true) => "无法识别",
            (RecordProblem::Required, false) => "is required",
            (RecordProblem::TooLong, false) => "is too long",
            (RecordProblem::UnknownService, false) => "is not a service that is recorded",
            (RecordProblem::NotInContract, false) => "is not bought by the contract",
            (RecordProblem::ContractNotActive, false) => "is not being performed",
            (RecordProblem::OutsideTerm, false) => "is outside the contract's term",
            (RecordProblem::InFuture, false) => "is later than now",
            (RecordProblem::Minutes, false) => "must be 1 to 1,440",
            (RecordProblem::UnknownRecipient, false) => "is not among your contracts' recipients",
            (RecordProblem::NoRecipientExpected, false) => "is not given for a group service",
            (RecordProblem::Location, false) => "is not readable; write “latitude, longitude”",
            (RecordProblem::ExternalIdReused, false) => "was already used for another record",
            (RecordProblem::Unreadable, false) => "is not readable",
        }
    }

    fn recipient_problem(&self, field: RecipientField, p: RecipientProblem) -> String {
        let name = match (field, self.zh) {
            (RecipientField::Name, true) => "姓名",
            (RecipientField::IdNumber, true) => "身份证号",
            (RecipientField::Town, true) => "镇街",
            (RecipientField::Village, true) => "村（社区）",
            (RecipientField::Address, true) => "住址",
            (RecipientField::Name, false) => "name",
            (RecipientField::IdNumber, false) => "ID number",
            (RecipientField::Town, false) => "town",
            (RecipientField::Village, false) => "village",
            (RecipientField::Address, false) => "address",
        };
        let what = match (p, self.zh) {
            (RecipientProblem::Required, true) => "必须填写".to_owned(),
            (RecipientProblem::TooLong, true) => "过长".to_owned(),
            (RecipientProblem::Duplicate, true) => "已登记过".to_owned(),
            (RecipientProblem::IdNumber(_), true) => "无效（校验未通过）".to_owned(),
            (RecipientProblem::Required, false) => "is required".to_owned(),
            (RecipientProblem::TooLong, false) => "is too long".to_owned(),
            (RecipientProblem::Duplicate, false) => "is already registered".to_owned(),
            (RecipientProblem::IdNumber(_), false) => "is not valid (check failed)".to_owned(),
        };
        if self.zh { format!("「{name}」{what}。") } else { format!("The {name} {what}.") }
    }

    fn report_problem(&self, p: ReportProblem) -> &'static str {
        match (p, self.zh) {
            (ReportProblem::Period, true) => "报告期应在合同期内，且止日不早于起日。",
            (ReportProblem::NotEnded, true) => "报告期尚未结束。",
            (ReportProblem::Overlaps, true) => "报告期与本合同另一份待审或已通过的报告重叠。",
            (ReportProblem::SummaryRequired, true) => "请填写报告摘要。",
            (ReportProblem::TooLong, true) => "报告内容过长。",
            (ReportProblem::Milestone, true) => "该节点不属于本合同，或已验收、已有报告申请。",
            (ReportProblem::Scores, true) => "请为每项指标评分（0–100，最多两位小数）。",
            (ReportProblem::CommentRequired, true) => "退回时请写明需要修改的内容。",
            (ReportProblem::Reviewed, true) => "已审核或已纳入报告，不能再修改。",
            (ReportProblem::ContractNotActive, true) => "合同不在履行中。",
            (ReportProblem::Period, false) => {
                "The period must lie within the contract's term and end after it starts."
            }
            (ReportProblem::NotEnded, false) => "The period has not ended yet.",
            (ReportProblem::Overlaps, false) => {
                "The period overlaps another report of this contract under review or accepted."
            }
            (ReportProblem::SummaryRequired, false) => "Write a summary.",
            (ReportProblem::TooLong, false) => "The report is too long.",
            (ReportProblem::Milestone, false) => {
                "The milestone is not of this contract, or is accepted or claimed already."
            }
            (ReportProblem::Scores, false) => "Score every indicator (0–100, at most two decimals).",
            (ReportProblem::CommentRequired, false) => "Say what to change when returning a report.",
            (ReportProblem::Reviewed, false) => "Already reviewed or covered by a report; it cannot change.",
            (ReportProblem::ContractNotActive, false) => "The contract is not being performed.",
        }
    }

    fn upload_problem(&self, p: FileProblem) -> &'static str {
        match (p, self.zh) {
            (FileProblem::Empty, true) => "文件为空。",
            (FileProblem::TooLarge, true) => "文件超过 10 MB。",
            (FileProblem::WrongType, true) => "只接受 JPEG、PNG 图片或 PDF（按文件内容识别）。",
            (FileProblem::Damaged, true) => "图片文件已损坏，无法读取。",
            (FileProblem::Empty, false) => "The file is empty.",
            (FileProblem::TooLarge, false) => "The file is larger than 10 MB.",
            (FileProblem::WrongType, false) => "Only JPEG or PNG images and PDFs are accepted (by content).",
            (FileProblem::Damaged, false) => "The image is damaged and cannot be read.",
        }
    }

    /// A refusal with its particulars (fields, rows and columns).
    pub fn problem(&self, f: &ServiceFault) -> String {
        match f {
            ServiceFault::Recipient(list) => {
                list.iter().map(|(field, p)| self.recipient_problem(*field, *p)).collect::<Vec<_>>().join(" ")
            }
            ServiceFault::Record(list) => list
                .iter()
                .map(|(field, p)| {
                    if self.zh {
                        format!("「{}」{}。", self.record_field(*field), self.record_problem(*p))
                    } else {
                        format!("The {} {}.", self.record_field(*field), self.record_problem(*p))
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
            ServiceFault::Rows(rows) => {
                let shown: Vec<String> = rows
                    .iter()
                    .take(20)
                    .map(|(row, field, p)| {
                        if self.zh {
                            format!("第{row}行「{}」{}", self.record_field(*field), self.record_problem(*p))
                        } else {
                            format!("row {row}, {}: {}", self.record_field(*field), self.record_problem(*p))
                        }
                    })
                    .collect();
                let more = rows.len().saturating_sub(20);
                let tail = match (more, self.zh) {
                    (0, _) => String::new(),
                    (n, true) => format!("；另有 {n} 处"),
                    (n, false) => format!("; {n} more"),
                };
                format!("{} {}{tail}", self.short(f), shown.join(if self.zh { "；" } else { "; " }))
            }
            ServiceFault::Report(p) => self.report_problem(*p).to_owned(),
            ServiceFault::Upload(p) => self.upload_problem(*p).to_owned(),
        }
    }
}
