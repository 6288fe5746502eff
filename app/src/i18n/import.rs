//! Strings of spreadsheet import and export (the roster first).

use super::posts::PostsText;
use crate::domain::roster_import::{Column, ImportMode, ImportProblem, ImportStatus};

/// The import module's catalogue of one language. Texts with `{n}`,
/// `{row}` or `{column}` get those filled in.
pub struct ImportText {
    pub title: &'static str,
    pub help: &'static str,
    pub upload_title: &'static str,
    pub file_label: &'static str,
    pub mode_all: &'static str,
    pub mode_partial: &'static str,
    pub submit: &'static str,
    pub template: &'static str,
    pub rules: [&'static str; 5],
    pub history: &'static str,
    pub none_yet: &'static str,
    pub col_time: &'static str,
    pub col_file: &'static str,
    pub col_mode: &'static str,
    pub col_result: &'static str,
    pub col_rows: &'static str,
    pub col_imported: &'static str,
    pub col_failed: &'static str,
    pub col_problems: &'static str,
    pub col_row: &'static str,
    pub col_column: &'static str,
    pub col_cell: &'static str,
    pub col_problem: &'static str,
    pub whole_file: &'static str,
    pub report_title: &'static str,
    pub summary: &'static str,
    pub nothing_imported: &'static str,
    pub all_imported: &'static str,
    pub partly_imported: &'static str,
    pub download_failed: &'static str,
    pub shown_first: &'static str,
    pub back: &'static str,
    pub import_link: &'static str,
    pub export: &'static str,
    pub failed_sheet: &'static str,
    pub failed_column: &'static str,
    pub col_source_row: &'static str,
    pub col_left_on: &'static str,
    pub col_required: &'static str,
    pub col_notes: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub template_sheet: &'static str,
    pub notes_sheet: &'static str,
    pub roster_sheet: &'static str,
    pub towns_sheet: &'static str,
    pub plan_sheet: &'static str,
    pub exported_on: &'static str,
    pub upload_missing: &'static str,
    pub upload_too_large: &'static str,
    /// What to write in each column (template notes), in [`Column::ALL`]
    /// order.
    pub column_notes: [&'static str; 11],
    pub statuses: [&'static str; 3],
    pub modes: [&'static str; 2],
    /// Column headers in this language (the file's own headers are
    /// Chinese, whatever the language).
    pub columns: [&'static str; 11],
    /// One per [`ImportProblem`] kind, in declaration order.
    pub problems: [&'static str; 27],
}

impl ImportText {
    pub fn status(&self, s: ImportStatus) -> &'static str {
        self.statuses[match s {
            ImportStatus::Imported => 0,
            ImportStatus::Partial => 1,
            ImportStatus::Rejected => 2,
        }]
    }

    pub fn mode(&self, m: ImportMode) -> &'static str {
        self.modes[usize::from(m == ImportMode::Partial)]
    }

    pub fn column(&self, c: Column) -> &'static str {
        self.columns[Column::ALL.iter().position(|x| *x == c).unwrap_or(0)]
    }

    /// A problem in words, filled in.
    pub fn problem(&self, p: &ImportProblem, posts: &PostsText) -> String {
        use ImportProblem as P;
        let (i, n) = match p {
            P::NotXlsx => (0, None),
            P::Unreadable => (1, None),
            P::NoSheet => (2, None),
            P::MissingColumn { column } => {
                return self.problems[3].replace("{column}", self.column(*column));
            }
            P::DuplicateColumn { column } => {
                return self.problems[4].replace("{column}", self.column(*column));
            }
            P::NoRows => (5, None),
            P::TooManyRows { max } => (6, Some(*max)),
            P::Required => (7, None),
            P::IdAsNumber => (8, None),
            P::Person { problem } => return posts.person_problem(*problem).to_owned(),
            P::EducationNeedsException => (10, None),
            P::UnknownEducation => (11, None),
            P::UnknownCertificate => (12, None),
            P::UnknownRoleLevel => (13, None),
            P::NotYesNo => (14, None),
            P::NotADate => (15, None),
            P::TooLong { max } => (16, Some(*max)),
            P::ErrorValue => (17, None),
            P::DuplicateInFile { first_row } => {
                return self.problems[18].replace("{row}", &first_row.to_string());
            }
            P::UnknownTown => (19, None),
            P::TownOutOfScope => (20, None),
            P::UnknownPost => (21, None),
            P::PostClosed => (22, None),
            P::PostInOtherTown => (23, None),
            P::PostTaken => (24, None),
            P::PostTwiceInFile { first_row } => {
                return self.problems[25].replace("{row}", &first_row.to_string());
            }
            P::AlreadyOnRoster => (9, None),
            P::TooLargeUnpacked { max } => (26, Some(*max)),
        };
        match n {
            Some(n) => self.problems[i].replace("{n}", &n.to_string()),
            None => self.problems[i].to_owned(),
        }
    }
}

pub const ZH_CN: ImportText = ImportText {
    title: "名册导入",
    help: "从 Excel（.xlsx）批量录入专职低保员。系统逐格检查，列出每个问题所在的行和列；默认只要有一行不合格就不导入任何一行。",
    upload_title: "上传文件",
    file_label: "Excel 文件（.xlsx，不超过 20 MB）",
    mode_all: "全部合格才导入（推荐）",
    mode_partial: "部分导入：导入合格的行，不合格的行退回为文件",
    submit: "检查并导入",
    template: "下载导入模板",
    rules: [
        "第一行为表头，列的顺序不限；必填列：姓名、身份证号码、手机号码、学历、入职日期、镇街。",
        "身份证号码列须设为“文本”格式，否则 Excel 会丢失末尾几位。",
        "岗位编号留空则以“待岗”登记；填写的岗位须在所填镇街、已设立且空缺。",
        "学历须为大专及以上；低于大专的须在名册页逐人申请例外审批。",
        "同一文件再次导入不会重复登记，系统返回上次的结果。",
    ],
    history: "导入记录",
    none_yet: "还没有导入记录。",
    col_time: "时间",
    col_file: "文件",
    col_mode: "方式",
    col_result: "结果",
    col_rows: "数据行",
    col_imported: "已导入",
    col_failed: "未通过",
    col_problems: "问题数",
    col_row: "行",
    col_column: "列",
    col_cell: "单元格",
    col_problem: "问题",
    whole_file: "整个文件",
    report_title: "导入结果",
    summary: "共 {n} 行数据",
    nothing_imported: "没有导入任何人员：请按下列问题修改文件后重新上传。",
    all_imported: "全部导入成功。",
    partly_imported: "合格的行已导入；未通过的行可下载，修改后再导入。",
    download_failed: "下载未通过的行（含错误说明）",
    shown_first: "此处显示前 {n} 条问题；完整清单见下载文件。",
    back: "返回名册导入",
    import_link: "从 Excel 导入",
    export: "导出 Excel",
    failed_sheet: "未通过的行",
    failed_column: "错误说明",
    col_source_row: "原行号",
    col_left_on: "离职日期",
    col_required: "必填",
    col_notes: "填写说明",
    yes: "是",
    no: "否",
    template_sheet: "名册",
    notes_sheet: "填写说明",
    roster_sheet: "人员名册",
    towns_sheet: "镇街与岗位",
    plan_sheet: "岗位分配方案",
    exported_on: "导出日期",
    upload_missing: "请选择要上传的 .xlsx 文件。",
    upload_too_large: "文件超过 20 MB，请分批导入。",
    column_notes: [
        "姓名，最多 50 个字",
        "18 位公民身份号码，末位可为 X；本列须为文本格式",
        "11 位手机号码，或带区号的固定电话（如 023-68881234）",
        "初中及以下、高中/中专、大专、本科、硕士研究生、博士研究生；须为大专及以上",
        "是 或 否；留空为否",
        "无、助理社会工作师、社会工作师、高级社会工作师；留空为无",
        "如 2024-03-01；不能晚于今天",
        "镇街名称或代码",
        "岗位编号（如 500199-001-01）；留空则以待岗登记",
        "站长、副站长、专职低保员；留空为专职低保员",
        "可留空，最多 200 个字",
    ],
    statuses: ["已全部导入", "部分导入", "未导入"],
    modes: ["全部合格才导入", "部分导入"],
    columns: [
        "姓名",
        "身份证号码",
        "手机号码",
        "学历",
        "社会工作专业",
        "职业资格",
        "入职日期",
        "镇街",
        "岗位编号",
        "职务",
        "工作职责",
    ],
    problems: [
        "不是 .xlsx 格式的 Excel 工作簿（请在 Excel 中“另存为”.xlsx）",
        "文件无法读取：可能已损坏，或设置了打开密码",
        "工作簿中没有数据：第一张工作表是空的",
        "缺少必填列“{column}”",
        "列“{column}”出现了两次",
        "只有表头，没有数据行",
        "数据行超过 {n} 行，请分批导入",
        "必填，不能为空",
        "身份证号码被存成了数字，末尾几位已丢失：请把该列设为文本格式后重新填写",
        "此人已在名册中",
        "学历低于大专：须在名册页逐人申请例外并经审批，不能批量导入",
        "无法识别的学历，可填：初中及以下、高中/中专、大专、本科、硕士研究生、博士研究生",
        "无法识别的职业资格，可填：无、助理社会工作师、社会工作师、高级社会工作师",
        "无法识别的职务，可填：站长、副站长、专职低保员",
        "应填“是”或“否”",
        "不是有效日期，请填写如 2024-03-01",
        "超过 {n} 个字",
        "单元格是 Excel 错误值（如 #N/A）",
        "与第 {row} 行的身份证号码重复",
        "本区没有这个镇街（可填镇街名称或代码）",
        "您只能导入本镇街的人员",
        "没有这个岗位编号",
        "该岗位已撤销或尚未设立",
        "该岗位不属于所填镇街",
        "该岗位已有人在岗",
        "与第 {row} 行填了同一岗位",
        "文件解压后超过 {n} MB，超出导入所能容纳的数据量：请拆分后分批导入",
    ],
};

pub const EN: ImportText = ImportText {
    title: "Roster import",
    help: "Add full-time assistants in bulk from Excel (.xlsx). Every cell is checked and each problem listed with its row and column; by default nothing is imported while any row fails.",
    upload_title: "Upload a file",
    file_label: "Excel file (.xlsx, at most 20 MB)",
    mode_all: "Import only if every row is good (recommended)",
    mode_partial: "Partial: import the good rows, return the failed ones as a file",
    submit: "Check and import",
    template: "Download the template",
    rules: [
        "The first row holds the headers, in any order; required: 姓名, 身份证号码, 手机号码, 学历, 入职日期, 镇街.",
        "Format the 身份证号码 column as Text, or Excel drops the last digits.",
        "Leave 岗位编号 empty to register the person on standby; a post given must be in the row's town, open and vacant.",
        "Education must be 大专 or above; below that, request an exception per person on the roster page.",
        "Importing the same file again registers nobody twice: the earlier result comes back.",
    ],
    history: "Imports",
    none_yet: "No imports yet.",
    col_time: "Time",
    col_file: "File",
    col_mode: "Mode",
    col_result: "Result",
    col_rows: "Data rows",
    col_imported: "Imported",
    col_failed: "Failed",
    col_problems: "Problems",
    col_row: "Row",
    col_column: "Column",
    col_cell: "Cell",
    col_problem: "Problem",
    whole_file: "Whole file",
    report_title: "Import result",
    summary: "{n} data rows",
    nothing_imported: "Nobody was imported: correct the file as listed below and upload it again.",
    all_imported: "Every row was imported.",
    partly_imported: "The good rows were imported; download the failed rows, correct them and import them again.",
    download_failed: "Download the failed rows (with the problems)",
    shown_first: "The first {n} problems are shown; the download has them all.",
    back: "Back to roster import",
    import_link: "Import from Excel",
    export: "Export to Excel",
    failed_sheet: "Failed rows",
    failed_column: "Problems",
    col_source_row: "Source row",
    col_left_on: "Left on",
    col_required: "Required",
    col_notes: "How to fill in",
    yes: "Yes",
    no: "No",
    template_sheet: "Roster",
    notes_sheet: "Notes",
    roster_sheet: "Roster",
    towns_sheet: "Towns and posts",
    plan_sheet: "Allocation plan",
    exported_on: "Exported on",
    upload_missing: "Choose an .xlsx file to upload.",
    upload_too_large: "The file is larger than 20 MB: import it in parts.",
    column_notes: [
        "Name, at most 50 characters",
        "18-character ID number, X allowed last; format the column as Text",
        "11-digit mobile number, or a landline with area code (023-68881234)",
        "初中及以下, 高中/中专, 大专, 本科, 硕士研究生 or 博士研究生 (or the English labels); 大专 or above",
        "Yes or No; empty means No",
        "None, Assistant social worker, Social worker or Senior social worker; empty means None",
        "Like 2024-03-01; not after today",
        "Town name or code",
        "Post code (such as 500199-001-01); empty registers the person on standby",
        "Station head, Deputy head or Assistant; empty means Assistant",
        "May be empty; at most 200 characters",
    ],
    statuses: ["Imported", "Partly imported", "Not imported"],
    modes: ["All or nothing", "Partial"],
    columns: [
        "Name",
        "ID number",
        "Phone",
        "Education",
        "Social-work major",
        "Qualification",
        "Hire date",
        "Town",
        "Post code",
        "Role",
        "Duties",
    ],
    problems: [
        "Not an .xlsx Excel workbook (use Save As .xlsx in Excel)",
        "The file cannot be read: it may be damaged or protected by a password",
        "The workbook holds no data: its first sheet is empty",
        "The required column \u{201c}{column}\u{201d} is missing",
        "The column \u{201c}{column}\u{201d} appears twice",
        "Headers but no data rows",
        "More than {n} data rows: import in parts",
        "Required",
        "The ID number was stored as a number and has lost its last digits: format the column as Text and type it again",
        "This person is already on the roster",
        "Below 大专: request an exception per person on the roster page; an import cannot carry one",
        "Unknown education; use 初中及以下, 高中/中专, 大专, 本科, 硕士研究生 or 博士研究生",
        "Unknown qualification; use 无, 助理社会工作师, 社会工作师 or 高级社会工作师",
        "Unknown role; use 站长, 副站长 or 专职低保员",
        "Use 是 (yes) or 否 (no)",
        "Not a date; write it like 2024-03-01",
        "Longer than {n} characters",
        "The cell holds an Excel error value (such as #N/A)",
        "Same ID number as row {row}",
        "No such town in the district (use its name or code)",
        "You may import people of your own town only",
        "No such post code",
        "The post is abolished or not yet established",
        "The post belongs to another town than the row's",
        "Someone holds this post",
        "Same post as row {row}",
        "The file unpacks to more than {n} MB, more than an import can hold: split it and import the parts",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roster::{Certificate, Education, RoleLevel};
    use crate::domain::roster_import::{parse_certificate, parse_education, parse_role_level, parse_yes_no};

    /// An exported roster is written in the viewer's language and must
    /// import again: every label of either language reads back.
    #[test]
    fn exported_labels_import_again() {
        for (posts, text) in [(&crate::i18n::posts::ZH_CN, &ZH_CN), (&crate::i18n::posts::EN, &EN)] {
            for e in Education::ALL {
                assert_eq!(parse_education(posts.education(e)), Some(e), "{}", posts.education(e));
            }
            for c in Certificate::ALL {
                assert_eq!(parse_certificate(posts.certificate(c)), Some(c), "{}", posts.certificate(c));
            }
            for r in RoleLevel::ALL {
                assert_eq!(parse_role_level(posts.role(r)), Some(r), "{}", posts.role(r));
            }
            assert_eq!(parse_yes_no(text.yes), Some(true));
            assert_eq!(parse_yes_no(text.no), Some(false));
            for c in Column::ALL {
                assert_eq!(Column::from_header(text.column(c)), Some(c), "{}", text.column(c));
            }
        }
    }

    #[test]
    fn every_problem_has_words_in_both_languages() {
        let samples = [
            ImportProblem::NotXlsx,
            ImportProblem::MissingColumn { column: Column::IdNumber },
            ImportProblem::TooManyRows { max: 5 },
            ImportProblem::DuplicateInFile { first_row: 7 },
            ImportProblem::PostTwiceInFile { first_row: 9 },
            ImportProblem::AlreadyOnRoster,
        ];
        for text in [&ZH_CN, &EN] {
            for p in &samples {
                let s = text.problem(p, &crate::i18n::posts::ZH_CN);
                assert!(!s.is_empty() && !s.contains('{'), "{s}");
            }
        }
        assert_eq!(
            ZH_CN.problem(&ImportProblem::DuplicateInFile { first_row: 7 }, &crate::i18n::posts::ZH_CN),
            "与第 7 行的身份证号码重复"
        );
        assert!(
            ZH_CN
                .problem(
                    &ImportProblem::MissingColumn { column: Column::IdNumber },
                    &crate::i18n::posts::ZH_CN
                )
                .contains("身份证号码")
        );
    }
}
