//! Spot inspections of how towns staff and use the assistant posts (seed
//! 002: 配备、使用、工作情况进行抽查，发现问题及时督促改正), by the national
//! 双随机、一公开 method. The rules here are pure: plan checks, checklist
//! answers, reconciliation of what the system knows against what the
//! inspector saw, and the rectification state machine with its deadline.
//! The random draw itself is [`super::draw`] (server only).
//!
//! No seed gives a severity scale or a rectification deadline; severity is
//! three levels (一般/较重/严重) and the deadline a plan setting in days.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The kind of a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemKind {
    YesNo,
    Number,
    Text,
    Photo,
}

impl ItemKind {
    pub const ALL: [ItemKind; 4] = [ItemKind::YesNo, ItemKind::Number, ItemKind::Text, ItemKind::Photo];

    pub fn code(self) -> &'static str {
        match self {
            ItemKind::YesNo => "yes_no",
            ItemKind::Number => "number",
            ItemKind::Text => "text",
            ItemKind::Photo => "photo",
        }
    }

    pub fn from_code(code: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One item of a plan's checklist (检查表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable within the plan: answers and photos are filed under it.
    pub key: String,
    pub label: String,
    pub kind: ItemKind,
    pub required: bool,
}

impl ChecklistItem {
    fn new(key: &str, label: &str, kind: ItemKind, required: bool) -> ChecklistItem {
        ChecklistItem { key: key.to_owned(), label: label.to_owned(), kind, required }
    }
}

/// The checklist a new plan starts from, after seed 002 (配备、使用、工作
/// 情况; posts not moved nor given other duties without the bureau's
/// approval) and seed 000 (人员到岗到位).
pub fn default_checklist() -> Vec<ChecklistItem> {
    vec![
        ChecklistItem::new("staffed", "岗位是否按核定数量配备到位", ItemKind::YesNo, true),
        ChecklistItem::new("on_post", "专职低保员是否在岗在位", ItemKind::YesNo, true),
        ChecklistItem::new("no_other_duties", "是否未被调整岗位或增加其他工作职责", ItemKind::YesNo, true),
        ChecklistItem::new("ledger", "入户调查、动态管理台账是否完整", ItemKind::YesNo, true),
        ChecklistItem::new("visits", "抽查当月入户走访户数", ItemKind::Number, false),
        ChecklistItem::new("workplace", "办公场所及公示栏照片", ItemKind::Photo, true),
        ChecklistItem::new("remarks", "其他情况", ItemKind::Text, false),
    ]
}

/// Largest number of checklist items a plan may have.
pub const MAX_ITEMS: usize = 40;

/// A plan as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    pub title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub checklist: Vec<ChecklistItem>,
    /// Share of the towns drawn, in basis points (500 = 5 %).
    pub ratio_bp: u32,
    /// At least this many towns, whatever the ratio gives.
    pub minimum_towns: u32,
    /// Staff drawn per town to interview (0: none).
    pub staff_per_town: u32,
    /// Inspectors drawn per town: at least two.
    pub inspectors_per_town: u32,
    /// Days a town has to rectify, from the notice.
    pub rectification_days: u32,
    /// The inspector pool: (user, towns they may not inspect).
    pub pool: Vec<PoolMember>,
}

/// An inspector of the pool with their declared conflicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMember {
    pub user_id: i64,
    /// Towns the inspector may not inspect (their own town, a relative
    /// working there...).
    pub conflict_towns: Vec<i64>,
    pub conflict_note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlanField {
    Title,
    Period,
    Checklist,
    Ratio,
    StaffPerTown,
    InspectorsPerTown,
    RectificationDays,
    Pool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlanProblem {
    Required,
    /// The period ends before it starts.
    PeriodOrder,
    OutOfRange,
    /// Two checklist items share a key.
    DuplicateKey(String),
    /// An item without a label or key.
    ItemIncomplete(usize),
    TooManyItems,
    /// Neither a ratio nor a minimum: nothing would be drawn.
    NothingDrawn,
    /// A pool member is not an inspector of the district.
    NotInspector(i64),
    /// Fewer inspectors in the pool than one town needs.
    PoolTooSmall,
    /// The organiser put themselves in the pool.
    OrganiserInPool,
}

/// Checks a plan; every problem with its field.
pub fn check_plan(p: &PlanInput) -> Result<(), Vec<(PlanField, PlanProblem)>> {
    let mut out = Vec::new();
    if p.title.trim().is_empty() || p.title.chars().count() > 100 {
        out.push((PlanField::Title, PlanProblem::Required));
    }
    if p.period_to < p.period_from {
        out.push((PlanField::Period, PlanProblem::PeriodOrder));
    }
    if p.checklist.is_empty() {
        out.push((PlanField::Checklist, PlanProblem::Required));
    }
    if p.checklist.len() > MAX_ITEMS {
        out.push((PlanField::Checklist, PlanProblem::TooManyItems));
    }
    let mut keys = std::collections::HashSet::new();
    for (i, item) in p.checklist.iter().enumerate() {
        if item.key.trim().is_empty() || item.label.trim().is_empty() || item.label.chars().count() > 200 {
            out.push((PlanField::Checklist, PlanProblem::ItemIncomplete(i + 1)));
        } else if !keys.insert(item.key.as_str()) {
            out.push((PlanField::Checklist, PlanProblem::DuplicateKey(item.key.clone())));
        }
    }
    if p.ratio_bp > 10_000 {
        out.push((PlanField::Ratio, PlanProblem::OutOfRange));
    } else if p.ratio_bp == 0 && p.minimum_towns == 0 {
        out.push((PlanField::Ratio, PlanProblem::NothingDrawn));
    }
    if p.minimum_towns > 1_000 {
        out.push((PlanField::Ratio, PlanProblem::OutOfRange));
    }
    if p.staff_per_town > 50 {
        out.push((PlanField::StaffPerTown, PlanProblem::OutOfRange));
    }
    if !(2..=10).contains(&p.inspectors_per_town) {
        out.push((PlanField::InspectorsPerTown, PlanProblem::OutOfRange));
    }
    if !(1..=365).contains(&p.rectification_days) {
        out.push((PlanField::RectificationDays, PlanProblem::OutOfRange));
    }
    if (p.pool.len() as u32) < p.inspectors_per_town.max(2) {
        out.push((PlanField::Pool, PlanProblem::PoolTooSmall));
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// The towns each inspector of the pool may inspect: `towns` minus their
/// conflicts, in the order given.
pub fn eligible(pool: &[PoolMember], town_id: i64) -> Vec<i64> {
    let mut ids: Vec<i64> =
        pool.iter().filter(|m| !m.conflict_towns.contains(&town_id)).map(|m| m.user_id).collect();
    ids.sort_unstable();
    ids
}

/// Towns (of `towns`) for which fewer than `per_town` inspectors of the
/// pool are free of conflict. Checked before a seed exists, so a draw
/// never fails half-way and nobody can draw again until a result suits.
pub fn towns_short_of_inspectors(pool: &[PoolMember], towns: &[i64], per_town: u32) -> Vec<i64> {
    towns.iter().copied().filter(|t| (eligible(pool, *t).len() as u32) < per_town).collect()
}

// --- Answers ---------------------------------------------------------------

/// A checklist answer as stored: yes/no, a whole number, or text. Photo
/// items are answered by their photos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Yes,
    No,
    Number(i64),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AnswerProblem {
    Missing,
    NotANumber,
    PhotoMissing,
    TooLong,
    /// Headcount or times missing or wrong.
    Headcount,
    Times,
}

/// Reads the answer to `item` from form text (`""`: none).
pub fn parse_answer(item: &ChecklistItem, raw: &str) -> Result<Option<Answer>, AnswerProblem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match item.kind {
        ItemKind::YesNo => match raw {
            "yes" | "是" => Ok(Some(Answer::Yes)),
            "no" | "否" => Ok(Some(Answer::No)),
            _ => Err(AnswerProblem::Missing),
        },
        ItemKind::Number => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=1_000_000).contains(n))
            .map(|n| Some(Answer::Number(n)))
            .ok_or(AnswerProblem::NotANumber),
        ItemKind::Text if raw.chars().count() > 2_000 => Err(AnswerProblem::TooLong),
        ItemKind::Text => Ok(Some(Answer::Text(raw.to_owned()))),
        ItemKind::Photo => Ok(None),
    }
}

/// What is still missing before an inspection can be submitted: required
/// items unanswered, required photo items without a photo.
pub fn missing_for_submit(
    checklist: &[ChecklistItem],
    answers: &std::collections::BTreeMap<String, Answer>,
    photo_keys: &[String],
) -> Vec<(String, AnswerProblem)> {
    checklist
        .iter()
        .filter(|i| i.required)
        .filter_map(|i| match i.kind {
            ItemKind::Photo if !photo_keys.contains(&i.key) => {
                Some((i.key.clone(), AnswerProblem::PhotoMissing))
            }
            ItemKind::Photo => None,
            _ if !answers.contains_key(&i.key) => Some((i.key.clone(), AnswerProblem::Missing)),
            _ => None,
        })
        .collect()
}

// --- Findings --------------------------------------------------------------

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// 一般
    Minor,
    /// 较重
    Major,
    /// 严重
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Minor, Severity::Major, Severity::Serious];

    pub fn code(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Serious => "serious",
        }
    }

    pub fn from_code(code: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Severity::Minor => "一般",
            Severity::Major => "较重",
            Severity::Serious => "严重",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Severity::Minor => "Minor",
            Severity::Major => "Major",
            Severity::Serious => "Serious",
        }
    }
}

/// What a finding is about. The published results name the kind, never
/// the free-text description (which may name people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FindingKind {
    /// Paid in the last payroll but not present (left, or absent at the
    /// inspection).
    PaidNotPresent,
    /// A post allocated but empty for over three months.
    PostEmpty,
    /// Fewer people found at work than the roster has on duty.
    HeadcountShort,
    /// More people on duty than posts allocated.
    OverAllocation,
    /// The last payroll paid a different number of people than the roster
    /// has on duty.
    PayrollMismatch,
    /// Staff found doing other work (seed 002: 不得随意增加其工作职责).
    OtherDuties,
    /// A checklist item answered "no".
    Checklist,
    Other,
}

impl FindingKind {
    pub const ALL: [FindingKind; 8] = [
        FindingKind::PaidNotPresent,
        FindingKind::PostEmpty,
        FindingKind::HeadcountShort,
        FindingKind::OverAllocation,
        FindingKind::PayrollMismatch,
        FindingKind::OtherDuties,
        FindingKind::Checklist,
        FindingKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FindingKind::PaidNotPresent => "paid_not_present",
            FindingKind::PostEmpty => "post_empty",
            FindingKind::HeadcountShort => "headcount_short",
            FindingKind::OverAllocation => "over_allocation",
            FindingKind::PayrollMismatch => "payroll_mismatch",
            FindingKind::OtherDuties => "other_duties",
            FindingKind::Checklist => "checklist",
            FindingKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            FindingKind::PaidNotPresent => "发放工资但人员不在岗",
            FindingKind::PostEmpty => "岗位空缺超过三个月",
            FindingKind::HeadcountShort => "实到人数少于在岗人数",
            FindingKind::OverAllocation => "在岗人数超过核定岗位",
            FindingKind::PayrollMismatch => "工资发放人数与在岗人数不符",
            FindingKind::OtherDuties => "专职低保员从事其他工作",
            FindingKind::Checklist => "检查项目不符合要求",
            FindingKind::Other => "其他问题",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            FindingKind::PaidNotPresent => "Paid but not present",
            FindingKind::PostEmpty => "Post empty over three months",
            FindingKind::HeadcountShort => "Fewer at work than on duty",
            FindingKind::OverAllocation => "More on duty than posts allocated",
            FindingKind::PayrollMismatch => "Payroll headcount differs from roster",
            FindingKind::OtherDuties => "Staff doing other work",
            FindingKind::Checklist => "Checklist item not met",
            FindingKind::Other => "Other",
        }
    }
}

/// A finding's state: reconciliation proposes, the inspector confirms or
/// dismisses (with a reason); inspectors' own findings start confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FindingStatus {
    Proposed,
    Confirmed,
    Dismissed,
}

impl FindingStatus {
    pub fn code(self) -> &'static str {
        match self {
            FindingStatus::Proposed => "proposed",
            FindingStatus::Confirmed => "confirmed",
            FindingStatus::Dismissed => "dismissed",
        }
    }

    pub fn from_code(code: &str) -> Option<FindingStatus> {
        [FindingStatus::Proposed, FindingStatus::Confirmed, FindingStatus::Dismissed]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

// --- Reconciliation --------------------------------------------------------

/// A person as reconciliation sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub staff_id: i64,
    pub name: String,
}

/// An established post of the town.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFact {
    pub code: String,
    /// Since when nobody holds it (`None`: held now).
    pub vacant_since: Option<NaiveDate>,
}

/// What the system knows of a town when it is inspected: the pre-filled
/// part of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TownFacts {
    /// Posts allocated by the adopted allocation plan (`None`: none
    /// adopted).
    pub allocated: Option<i64>,
    pub posts: Vec<PostFact>,
    /// On duty now.
    pub roster: Vec<Person>,
    /// The last approved or paid payroll: its month and the people paid
    /// in this town.
    pub payroll_month: Option<String>,
    pub paid: Vec<Person>,
}

/// What the inspector saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Observation {
    pub date: Option<NaiveDate>,
    pub headcount: Option<i64>,
    pub absent: Vec<i64>,
    pub other_duties: Vec<i64>,
}

/// A finding proposed by reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposed {
    pub kind: FindingKind,
    pub severity: Severity,
    pub description: String,
}

/// How long a post may stay empty before it is a finding.
pub const EMPTY_POST_MONTHS: u32 = 3;

fn names(people: &[&Person]) -> String {
    people.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("、")
}

/// Compares allocated posts, the roster, the last payroll and the
/// inspector's count; each mismatch is a proposed finding (described in
/// Chinese, as the notice is written). `date` is the inspection's day.
pub fn reconcile(facts: &TownFacts, seen: &Observation, date: NaiveDate) -> Vec<Proposed> {
    let mut out = Vec::new();
    let on_roster = |id: i64| facts.roster.iter().any(|p| p.staff_id == id);
    let month = facts.payroll_month.clone().unwrap_or_default();
    let not_present: Vec<&Person> =
        facts.paid.iter().filter(|p| !on_roster(p.staff_id) || seen.absent.contains(&p.staff_id)).collect();
    if !not_present.is_empty() {
        let gone = not_present.iter().any(|p| !on_roster(p.staff_id));
        out.push(Proposed {
            kind: FindingKind::PaidNotPresent,
            severity: if gone { Severity::Serious } else { Severity::Major },
            description: format!(
                "{month} 工资已发放，但抽查时不在岗（已离岗或缺勤）：{}，共 {} 人。",
                names(&not_present),
                not_present.len()
            ),
        });
    }
    let limit = date.checked_sub_months(Months::new(EMPTY_POST_MONTHS)).unwrap_or(date);
    let empty: Vec<&PostFact> =
        facts.posts.iter().filter(|p| p.vacant_since.is_some_and(|d| d <= limit)).collect();
    if !empty.is_empty() {
        let list = empty
            .iter()
            .map(|p| {
                format!("{}（{} 起）", p.code, p.vacant_since.map(|d| d.to_string()).unwrap_or_default())
            })
            .collect::<Vec<_>>()
            .join("、");
        out.push(Proposed {
            kind: FindingKind::PostEmpty,
            severity: Severity::Major,
            description: format!("岗位空缺超过三个月：{list}。"),
        });
    }
    let on_duty = facts.roster.len() as i64;
    if let Some(count) = seen.headcount
        && count < on_duty
    {
        out.push(Proposed {
            kind: FindingKind::HeadcountShort,
            severity: Severity::Major,
            description: format!("在岗在册 {on_duty} 人，抽查时实到 {count} 人。"),
        });
    }
    if let Some(allocated) = facts.allocated
        && on_duty > allocated
    {
        out.push(Proposed {
            kind: FindingKind::OverAllocation,
            severity: Severity::Minor,
            description: format!("核定岗位 {allocated} 个，在岗 {on_duty} 人。"),
        });
    }
    if facts.payroll_month.is_some() && facts.paid.len() as i64 != on_duty {
        out.push(Proposed {
            kind: FindingKind::PayrollMismatch,
            severity: Severity::Minor,
            description: format!("{month} 工资发放 {} 人，目前在岗 {on_duty} 人。", facts.paid.len()),
        });
    }
    let busy: Vec<&Person> =
        facts.roster.iter().filter(|p| seen.other_duties.contains(&p.staff_id)).collect();
    if !busy.is_empty() {
        out.push(Proposed {
            kind: FindingKind::OtherDuties,
            severity: Severity::Major,
            description: format!("抽查时从事社会救助以外的其他工作：{}。", names(&busy)),
        });
    }
    out
}

/// Since when a post stands empty, from its established day and the
/// periods people held it (`(from, until)`; `until` `None`: still held).
/// `None` when someone holds it now.
pub fn vacant_since(established_on: NaiveDate, held: &[(NaiveDate, Option<NaiveDate>)]) -> Option<NaiveDate> {
    if held.iter().any(|(_, until)| until.is_none()) {
        return None;
    }
    Some(held.iter().filter_map(|(_, until)| *until).max().unwrap_or(established_on).max(established_on))
}

// --- Rectification ---------------------------------------------------------

/// A rectification (整改): a notice to a town with a deadline, its
/// response, and the inspector's verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RectStatus {
    /// Notice issued; the town has to respond.
    Issued,
    /// The town responded; the inspector verifies.
    Responded,
    /// The inspector found the response insufficient; the town again.
    Returned,
    /// Verified as corrected.
    Closed,
}

impl RectStatus {
    pub const ALL: [RectStatus; 4] =
        [RectStatus::Issued, RectStatus::Responded, RectStatus::Returned, RectStatus::Closed];

    pub fn code(self) -> &'static str {
        match self {
            RectStatus::Issued => "issued",
            RectStatus::Responded => "responded",
            RectStatus::Returned => "returned",
            RectStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<RectStatus> {
        RectStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Waiting for the town.
    pub fn awaits_town(self) -> bool {
        matches!(self, RectStatus::Issued | RectStatus::Returned)
    }
}

/// A step of a rectification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RectAction {
    /// The town reports what it corrected (with evidence).
    Respond,
    /// The inspector sends it back.
    Return,
    /// The inspector confirms the correction.
    Close,
}

impl RectAction {
    pub fn code(self) -> &'static str {
        match self {
            RectAction::Respond => "respond",
            RectAction::Return => "return",
            RectAction::Close => "close",
        }
    }
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RectActor {
    /// A user of the town inspected.
    Town,
    /// An inspector assigned to the inspection.
    Inspector,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RectProblem {
    /// Not this party's turn, or the rectification is closed.
    NotNow,
    /// A response or a return needs words.
    TextRequired,
    /// A response needs at least one evidence file.
    EvidenceRequired,
    /// The deadline is not after the notice day.
    Deadline,
}

/// The next status after `action` by `by`, or why not. A response needs
/// text and evidence; a return needs a reason.
pub fn step(
    status: RectStatus,
    action: RectAction,
    by: RectActor,
    text: &str,
    evidence: usize,
) -> Result<RectStatus, RectProblem> {
    let next = match (status, action, by) {
        (RectStatus::Issued | RectStatus::Returned, RectAction::Respond, RectActor::Town) => {
            RectStatus::Responded
        }
        (RectStatus::Responded, RectAction::Return, RectActor::Inspector) => RectStatus::Returned,
        (RectStatus::Responded, RectAction::Close, RectActor::Inspector) => RectStatus::Closed,
        _ => return Err(RectProblem::NotNow),
    };
    if matches!(action, RectAction::Respond | RectAction::Return) && text.trim().is_empty() {
        return Err(RectProblem::TextRequired);
    }
    if action == RectAction::Respond && evidence == 0 {
        return Err(RectProblem::EvidenceRequired);
    }
    Ok(next)
}

/// Overdue: waiting for the town after the deadline day has passed. A
/// response on the deadline day is in time; one waiting for verification
/// is not overdue (the town has acted).
pub fn is_overdue(status: RectStatus, deadline: NaiveDate, today: NaiveDate) -> bool {
    status.awaits_town() && today > deadline
}

/// The deadline of a notice issued on `issued_on` with `days` to rectify.
pub fn deadline(issued_on: NaiveDate, days: u32) -> NaiveDate {
    issued_on + chrono::Duration::days(i64::from(days))
}

/// The state of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InspectionStatus {
    /// Drawn, nothing entered yet.
    Assigned,
    /// A draft saved.
    Draft,
    /// Submitted: the form is frozen.
    Submitted,
}

impl InspectionStatus {
    pub fn code(self) -> &'static str {
        match self {
            InspectionStatus::Assigned => "assigned",
            InspectionStatus::Draft => "draft",
            InspectionStatus::Submitted => "submitted",
        }
    }

    pub fn from_code(code: &str) -> Option<InspectionStatus> {
        [InspectionStatus::Assigned, InspectionStatus::Draft, InspectionStatus::Submitted]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DrawProblem {
    /// The plan was drawn already: a draw is never repeated.
    AlreadyDrawn,
    /// No town to draw from.
    NoTowns,
    /// Towns (codes) with fewer conflict-free inspectors than needed.
    TooFewInspectors(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FindingProblem {
    DescriptionRequired,
    /// The inspection is not submitted yet, or already has its notice.
    NotNow,
    /// A dismissal needs a reason.
    ReasonRequired,
    /// Proposed findings must be confirmed or dismissed before a notice.
    Undecided,
    /// A notice needs at least one confirmed finding.
    NoFindings,
}

/// Any refusal of the inspections module, as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InspectionFault {
    Plan(Vec<(PlanField, PlanProblem)>),
    Draw(DrawProblem),
    /// Answers: (item key or `headcount`/`times`, problem).
    Answers(Vec<(String, AnswerProblem)>),
    /// The inspection is submitted; nothing more can be entered.
    Submitted,
    Finding(FindingProblem),
    Rectification(RectProblem),
    Upload(super::files::FileProblem),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn person(id: i64, name: &str) -> Person {
        Person { staff_id: id, name: name.to_owned() }
    }

    fn plan() -> PlanInput {
        PlanInput {
            title: "2026年第四季度抽查".into(),
            period_from: d("2026-10-01"),
            period_to: d("2026-12-31"),
            checklist: default_checklist(),
            ratio_bp: 1_000,
            minimum_towns: 2,
            staff_per_town: 2,
            inspectors_per_town: 2,
            rectification_days: 30,
            pool: vec![
                PoolMember { user_id: 1, conflict_towns: vec![10], conflict_note: "本镇人员".into() },
                PoolMember { user_id: 2, conflict_towns: vec![], conflict_note: String::new() },
                PoolMember { user_id: 3, conflict_towns: vec![10, 11], conflict_note: String::new() },
            ],
        }
    }

    #[test]
    fn plans_are_checked_field_by_field() {
        assert_eq!(check_plan(&plan()), Ok(()));
        let mut p = plan();
        p.title = " ".into();
        p.period_to = d("2026-09-30");
        p.inspectors_per_town = 1;
        p.ratio_bp = 0;
        p.minimum_towns = 0;
        p.checklist.push(ChecklistItem::new("staffed", "重复", ItemKind::Text, false));
        let problems = check_plan(&p).expect_err("refused");
        assert!(problems.contains(&(PlanField::Title, PlanProblem::Required)));
        assert!(problems.contains(&(PlanField::Period, PlanProblem::PeriodOrder)));
        assert!(problems.contains(&(PlanField::InspectorsPerTown, PlanProblem::OutOfRange)));
        assert!(problems.contains(&(PlanField::Ratio, PlanProblem::NothingDrawn)));
        assert!(problems.contains(&(PlanField::Checklist, PlanProblem::DuplicateKey("staffed".into()))));
        let mut small = plan();
        small.pool.truncate(1);
        assert_eq!(check_plan(&small), Err(vec![(PlanField::Pool, PlanProblem::PoolTooSmall)]));
    }

    #[test]
    fn conflicts_leave_towns_short_of_two_inspectors() {
        let p = plan();
        assert_eq!(eligible(&p.pool, 10), vec![2]);
        assert_eq!(eligible(&p.pool, 11), vec![1, 2]);
        assert_eq!(eligible(&p.pool, 12), vec![1, 2, 3]);
        assert_eq!(towns_short_of_inspectors(&p.pool, &[10, 11, 12], 2), vec![10]);
        assert_eq!(towns_short_of_inspectors(&p.pool, &[10, 11, 12], 3), vec![10, 11]);
    }

    #[test]
    fn answers_are_read_by_kind_and_required_items_checked() {
        let items = default_checklist();
        let yes_no = &items[0];
        let number = &items[4];
        assert_eq!(parse_answer(yes_no, "yes"), Ok(Some(Answer::Yes)));
        assert_eq!(parse_answer(yes_no, "否"), Ok(Some(Answer::No)));
        assert_eq!(parse_answer(yes_no, ""), Ok(None));
        assert_eq!(parse_answer(number, "12"), Ok(Some(Answer::Number(12))));
        assert_eq!(parse_answer(number, "十二"), Err(AnswerProblem::NotANumber));
        assert_eq!(parse_answer(number, "-1"), Err(AnswerProblem::NotANumber));
        let mut answers = std::collections::BTreeMap::new();
        answers.insert("staffed".to_owned(), Answer::Yes);
        let missing = missing_for_submit(&items, &answers, &[]);
        assert_eq!(
            missing,
            vec![
                ("on_post".to_owned(), AnswerProblem::Missing),
                ("no_other_duties".to_owned(), AnswerProblem::Missing),
                ("ledger".to_owned(), AnswerProblem::Missing),
                ("workplace".to_owned(), AnswerProblem::PhotoMissing),
            ]
        );
        for key in ["on_post", "no_other_duties", "ledger"] {
            answers.insert(key.to_owned(), Answer::No);
        }
        assert!(missing_for_submit(&items, &answers, &["workplace".to_owned()]).is_empty());
    }

    fn facts() -> TownFacts {
        TownFacts {
            allocated: Some(3),
            posts: vec![
                PostFact { code: "001-01".into(), vacant_since: None },
                PostFact { code: "001-02".into(), vacant_since: None },
                PostFact { code: "001-03".into(), vacant_since: Some(d("2026-07-15")) },
            ],
            roster: vec![person(1, "甲"), person(2, "乙")],
            payroll_month: Some("2026-10".into()),
            paid: vec![person(1, "甲"), person(2, "乙"), person(3, "丙")],
        }
    }

    #[test]
    fn reconciliation_proposes_a_finding_for_each_mismatch() {
        let seen = Observation { date: None, headcount: Some(1), absent: vec![2], other_duties: vec![1] };
        let found = reconcile(&facts(), &seen, d("2026-11-20"));
        let kinds: Vec<FindingKind> = found.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                FindingKind::PaidNotPresent,
                FindingKind::PostEmpty,
                FindingKind::HeadcountShort,
                FindingKind::PayrollMismatch,
                FindingKind::OtherDuties,
            ]
        );
        // 丙 was paid and has left: serious; names listed.
        assert_eq!(found[0].severity, Severity::Serious);
        assert!(found[0].description.contains("乙、丙"), "{}", found[0].description);
        assert!(found[1].description.contains("001-03（2026-07-15 起）"));
        assert!(found[2].description.contains("在岗在册 2 人，抽查时实到 1 人"));
        assert!(found[3].description.contains("2026-10 工资发放 3 人，目前在岗 2 人"));
        assert!(found[4].description.contains("甲"));
    }

    #[test]
    fn a_town_in_order_gives_no_finding_and_three_months_is_the_edge() {
        let mut f = facts();
        f.paid.pop();
        let seen = Observation { date: None, headcount: Some(2), absent: vec![], other_duties: vec![] };
        // Empty since 2026-07-15: on 2026-10-14 not yet three months.
        assert!(reconcile(&f, &seen, d("2026-10-14")).is_empty());
        let on_edge = reconcile(&f, &seen, d("2026-10-15"));
        assert_eq!(on_edge.iter().map(|p| p.kind).collect::<Vec<_>>(), vec![FindingKind::PostEmpty]);
        // Absent only (still on the roster): major, not serious.
        let absent = Observation { absent: vec![2], ..seen.clone() };
        let found = reconcile(&f, &absent, d("2026-10-14"));
        assert_eq!(found[0].kind, FindingKind::PaidNotPresent);
        assert_eq!(found[0].severity, Severity::Major);
        // More on duty than allocated.
        f.allocated = Some(1);
        assert!(reconcile(&f, &seen, d("2026-10-14")).iter().any(|p| p.kind == FindingKind::OverAllocation));
    }

    #[test]
    fn a_post_is_vacant_since_its_last_holder_left() {
        let est = d("2024-01-01");
        assert_eq!(vacant_since(est, &[]), Some(est));
        assert_eq!(vacant_since(est, &[(d("2024-02-01"), None)]), None);
        assert_eq!(
            vacant_since(
                est,
                &[(d("2024-02-01"), Some(d("2025-03-01"))), (d("2025-04-01"), Some(d("2026-01-10")))]
            ),
            Some(d("2026-01-10"))
        );
    }

    #[test]
    fn the_rectification_state_machine() {
        use RectAction::*;
        use RectActor::*;
        use RectStatus::*;
        assert_eq!(step(Issued, Respond, Town, "已补充人员", 1), Ok(Responded));
        assert_eq!(step(Issued, Respond, Town, "", 1), Err(RectProblem::TextRequired));
        assert_eq!(step(Issued, Respond, Town, "已整改", 0), Err(RectProblem::EvidenceRequired));
        assert_eq!(step(Issued, Close, Inspector, "", 0), Err(RectProblem::NotNow));
        assert_eq!(step(Issued, Respond, Inspector, "x", 1), Err(RectProblem::NotNow));
        assert_eq!(step(Responded, Respond, Town, "x", 1), Err(RectProblem::NotNow));
        assert_eq!(step(Responded, Return, Inspector, "", 0), Err(RectProblem::TextRequired));
        assert_eq!(step(Responded, Return, Inspector, "证据不足", 0), Ok(Returned));
        assert_eq!(step(Responded, Close, Town, "", 0), Err(RectProblem::NotNow));
        assert_eq!(step(Returned, Respond, Town, "再次整改", 2), Ok(Responded));
        assert_eq!(step(Responded, Close, Inspector, "", 0), Ok(Closed));
        for action in [Respond, Return, Close] {
            for by in [Town, Inspector] {
                assert_eq!(step(Closed, action, by, "x", 1), Err(RectProblem::NotNow));
            }
        }
    }

    #[test]
    fn overdue_means_waiting_for_the_town_after_the_deadline_day() {
        let deadline_day = deadline(d("2026-10-01"), 30);
        assert_eq!(deadline_day, d("2026-10-31"));
        assert!(!is_overdue(RectStatus::Issued, deadline_day, d("2026-10-31")));
        assert!(is_overdue(RectStatus::Issued, deadline_day, d("2026-11-01")));
        assert!(is_overdue(RectStatus::Returned, deadline_day, d("2026-11-01")));
        assert!(!is_overdue(RectStatus::Responded, deadline_day, d("2026-12-01")));
        assert!(!is_overdue(RectStatus::Closed, deadline_day, d("2026-12-01")));
    }
}
