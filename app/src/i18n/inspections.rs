//! Strings of the inspections module. Labels are picked in place
//! ([`InspectionText::pick`]) with both languages side by side; refusals
//! and the names of kinds, severities and states are here.

use crate::domain::files::FileProblem;
use crate::domain::inspection::{
    AnswerProblem, DrawProblem, FindingKind, FindingProblem, InspectionFault, InspectionStatus, PlanField,
    PlanProblem, RectProblem, RectStatus, Severity,
};

pub struct InspectionText {
    zh: bool,
}

pub const ZH_CN: InspectionText = InspectionText { zh: true };
pub const EN: InspectionText = InspectionText { zh: false };

impl InspectionText {
    pub fn is_zh(&self) -> bool {
        self.zh
    }

    /// The label in the reader's language.
    pub fn pick(&self, zh: &'static str, en: &'static str) -> &'static str {
        if self.zh { zh } else { en }
    }

    pub fn severity(&self, s: Severity) -> &'static str {
        if self.zh { s.zh() } else { s.en() }
    }

    pub fn kind(&self, k: FindingKind) -> &'static str {
        if self.zh { k.zh() } else { k.en() }
    }

    pub fn inspection_status(&self, s: InspectionStatus) -> &'static str {
        match s {
            InspectionStatus::Assigned => self.pick("待检查", "To inspect"),
            InspectionStatus::Draft => self.pick("草稿", "Draft"),
            InspectionStatus::Submitted => self.pick("已提交", "Submitted"),
        }
    }

    /// A status code (inspections, rectifications, `overdue`; plans: `draft`,
    /// `drawn`, `completed`).
    pub fn status_code(&self, code: &str) -> &'static str {
        match code {
            "draft" => self.pick("草稿", "Draft"),
            "drawn" => self.pick("已抽取", "Drawn"),
            "completed" => self.pick("已完成", "Completed"),
            "assigned" => self.pick("待检查", "To inspect"),
            "submitted" => self.pick("已提交", "Submitted"),
            "overdue" => self.pick("已逾期", "Overdue"),
            other => RectStatus::from_code(other).map(|s| self.rect_status(s)).unwrap_or(""),
        }
    }

    pub fn rect_status(&self, s: RectStatus) -> &'static str {
        match s {
            RectStatus::Issued => self.pick("整改中", "Being rectified"),
            RectStatus::Responded => self.pick("待核查", "Awaiting verification"),
            RectStatus::Returned => self.pick("退回重改", "Returned"),
            RectStatus::Closed => self.pick("已整改", "Rectified"),
        }
    }

    pub fn finding_status(&self, code: &str) -> &'static str {
        match code {
            "proposed" => self.pick("待确认", "Proposed"),
            "confirmed" => self.pick("已确认", "Confirmed"),
            _ => self.pick("已排除", "Dismissed"),
        }
    }

    pub fn action(&self, code: &str) -> &'static str {
        match code {
            "issue" => self.pick("下发整改通知", "Notice issued"),
            "respond" => self.pick("镇街反馈整改情况", "Town responded"),
            "return" => self.pick("核查未通过，退回", "Returned by the inspector"),
            _ => self.pick("核查通过，办结", "Verified and closed"),
        }
    }

    pub fn short(&self, f: &InspectionFault) -> &'static str {
        match f {
            InspectionFault::Plan(_) => self.pick("抽查计划有误。", "The plan is not valid."),
            InspectionFault::Draw(_) => self.pick("未能抽取。", "The draw was refused."),
            InspectionFault::Answers(_) => {
                self.pick("检查表未填写完整或有误。", "The form is incomplete or wrong.")
            }
            InspectionFault::Submitted => {
                self.pick("检查已提交，不能再修改。", "The inspection is submitted and cannot change.")
            }
            InspectionFault::Finding(_) => self.pick("问题处理有误。", "The finding could not be recorded."),
            InspectionFault::Rectification(_) => {
                self.pick("整改操作有误。", "The rectification step was refused.")
            }
            InspectionFault::Upload(_) => self.pick("文件未能上传。", "The file was not uploaded."),
        }
    }

    fn plan_field(&self, f: PlanField) -> &'static str {
        match f {
            PlanField::Title => self.pick("计划名称", "title"),
            PlanField::Period => self.pick("抽查期间", "period"),
            PlanField::Checklist => self.pick("检查表", "checklist"),
            PlanField::Ratio => self.pick("抽查比例", "sampling ratio"),
            PlanField::StaffPerTown => self.pick("每镇抽取访谈人数", "staff per town"),
            PlanField::InspectorsPerTown => self.pick("每镇检查人员数", "inspectors per town"),
            PlanField::RectificationDays => self.pick("整改期限（天）", "days to rectify"),
            PlanField::Pool => self.pick("检查人员库", "inspector pool"),
        }
    }

    fn plan_problem(&self, p: &PlanProblem) -> String {
        match p {
            PlanProblem::Required => self.pick("必须填写", "is required").to_owned(),
            PlanProblem::PeriodOrder => self.pick("结束日期早于开始日期", "ends before it starts").to_owned(),
            PlanProblem::OutOfRange => self.pick("超出允许范围", "is out of range").to_owned(),
            PlanProblem::DuplicateKey(k) => {
                if self.zh {
                    format!("项目编号「{k}」重复")
                } else {
                    format!("has the item key '{k}' twice")
                }
            }
            PlanProblem::ItemIncomplete(n) => {
                if self.zh {
                    format!("第 {n} 项缺少编号或名称")
                } else {
                    format!("item {n} lacks a key or label")
                }
            }
            PlanProblem::TooManyItems => {
                self.pick("项目过多（最多 40 项）", "has too many items (40 at most)").to_owned()
            }
            PlanProblem::NothingDrawn => {
                self.pick("比例和最少镇街数不能同时为 0", "and minimum cannot both be zero").to_owned()
            }
            PlanProblem::NotInspector(id) => {
                if self.zh {
                    format!("用户 {id} 不是本区的检查人员")
                } else {
                    format!("has user {id}, who is not an inspector of the district")
                }
            }
            PlanProblem::OrganiserInPool => self
                .pick(
                    "不能包含计划组织者本人（组织者不参与本计划的检查）",
                    "includes the organiser, who may not inspect their own plan",
                )
                .to_owned(),
            PlanProblem::PoolTooSmall => self
                .pick(
                    "人数少于每镇检查人员数（至少 2 人）",
                    "is smaller than the inspectors needed per town (at least 2)",
                )
                .to_owned(),
        }
    }

    fn answer_problem(&self, p: AnswerProblem) -> &'static str {
        match p {
            AnswerProblem::Missing => self.pick("未填写", "is not answered"),
            AnswerProblem::NotANumber => {
                self.pick("应为不小于 0 的整数", "must be a whole number, 0 or more")
            }
            AnswerProblem::PhotoMissing => self.pick("需要照片", "needs a photo"),
            AnswerProblem::TooLong => self.pick("内容过长", "is too long"),
            AnswerProblem::Headcount => {
                self.pick("请填写实到人数（整数）", "needs the headcount (a whole number)")
            }
            AnswerProblem::Times => self.pick(
                "请填写到达和离开时间，离开不能早于到达",
                "needs arrival and departure times, departure not before arrival",
            ),
        }
    }

    /// The refusal with its particulars.
    pub fn problem(&self, f: &InspectionFault) -> String {
        match f {
            InspectionFault::Plan(list) => list
                .iter()
                .map(|(field, p)| {
                    if self.zh {
                        format!("「{}」{}。", self.plan_field(*field), self.plan_problem(p))
                    } else {
                        format!("The {} {}.", self.plan_field(*field), self.plan_problem(p))
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
            InspectionFault::Draw(DrawProblem::AlreadyDrawn) => self
                .pick(
                    "该计划已抽取，抽取结果不能重新生成。",
                    "This plan has been drawn; a draw is never repeated.",
                )
                .to_owned(),
            InspectionFault::Draw(DrawProblem::NoTowns) => {
                self.pick("没有可抽取的镇街。", "There is no town to draw from.").to_owned()
            }
            InspectionFault::Draw(DrawProblem::TooFewInspectors(codes)) => {
                if self.zh {
                    format!("以下镇街回避后可用的检查人员不足：{}。请扩充人员库后再抽取。", codes.join("、"))
                } else {
                    format!(
                        "Too few inspectors without a conflict for towns {}. Add inspectors to the pool first.",
                        codes.join(", ")
                    )
                }
            }
            InspectionFault::Answers(list) => list
                .iter()
                .map(|(key, p)| {
                    if self.zh {
                        format!("「{key}」{}。", self.answer_problem(*p))
                    } else {
                        format!("'{key}' {}.", self.answer_problem(*p))
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
            InspectionFault::Finding(p) => match p {
                FindingProblem::DescriptionRequired => {
                    self.pick("请描述发现的问题。", "Describe the finding.").to_owned()
                }
                FindingProblem::NotNow => self
                    .pick(
                        "检查尚未提交或已下发整改通知。",
                        "The inspection is not submitted, or its notice is issued.",
                    )
                    .to_owned(),
                FindingProblem::ReasonRequired => {
                    self.pick("排除问题须说明理由。", "A dismissal needs a reason.").to_owned()
                }
                FindingProblem::Undecided => self
                    .pick(
                        "还有待确认的问题，请先确认或排除。",
                        "Confirm or dismiss every proposed finding first.",
                    )
                    .to_owned(),
                FindingProblem::NoFindings => self
                    .pick(
                        "没有已确认的问题，无需下发整改通知。",
                        "No confirmed finding: no notice is needed.",
                    )
                    .to_owned(),
            },
            InspectionFault::Rectification(p) => match p {
                RectProblem::NotNow => {
                    self.pick("当前状态下不能进行此操作。", "This step is not possible now.").to_owned()
                }
                RectProblem::TextRequired => self
                    .pick(
                        "请填写说明（不超过 4000 字）。",
                        "Write an explanation (4,000 characters at most).",
                    )
                    .to_owned(),
                RectProblem::EvidenceRequired => self
                    .pick("反馈整改情况须先上传佐证材料。", "Upload evidence before responding.")
                    .to_owned(),
                RectProblem::Deadline => self
                    .pick("整改期限须晚于下发日期。", "The deadline must be after the notice day.")
                    .to_owned(),
            },
            InspectionFault::Upload(p) => match p {
                FileProblem::TooLarge => self.pick("文件超过 10 MB。", "The file is over 10 MB.").to_owned(),
                FileProblem::WrongType => self
                    .pick(
                        "只接受 JPEG、PNG 图片或 PDF（按内容识别）。",
                        "Only JPEG, PNG or PDF (judged by content).",
                    )
                    .to_owned(),
                FileProblem::Empty => self.pick("没有收到文件。", "No file arrived.").to_owned(),
                FileProblem::Damaged => self.pick("文件已损坏。", "The file is damaged.").to_owned(),
            },
            InspectionFault::Submitted => self.short(f).to_owned(),
        }
    }
}
