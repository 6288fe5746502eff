//! Deliverables of purchased services (seed 002): the recipients register,
//! service records, what the records measure against a contract's
//! indicators, the red flags a reviewer must see, and the performance
//! evaluation of a periodic report.
//!
//! Service times are the district's wall clock (China Standard Time) as
//! written on the service sheet; a record may run past midnight, and its
//! minutes then count to each day they fall on.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::idcard::IdNumber;
use super::procurement::{ItemCategory, catalogue_item};

/// Minutes in a day: one worker cannot serve longer in one day.
pub const MINUTES_PER_DAY: u32 = 24 * 60;
/// The longest note, name, village or address kept.
pub const MAX_TEXT_CHARS: usize = 500;

/// The assistance a recipient receives (seed 002: 城乡低保, 特困供养).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// 城乡低保
    Dibao,
    /// 特困供养
    Tekun,
}

impl Category {
    pub const ALL: [Category; 2] = [Category::Dibao, Category::Tekun];

    pub fn code(self) -> &'static str {
        match self {
            Category::Dibao => "dibao",
            Category::Tekun => "tekun",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Category::Dibao => "城乡低保",
            Category::Tekun => "特困供养",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Category::Dibao => "Minimum living allowance",
            Category::Tekun => "Destitute support",
        }
    }
}

/// Seed 002's priority groups (重残、重病、高龄、未成年、失能).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    SevereDisability,
    SeriousIllness,
    Elderly,
    Minor,
    Incapacitated,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::SevereDisability,
        Priority::SeriousIllness,
        Priority::Elderly,
        Priority::Minor,
        Priority::Incapacitated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Priority::SevereDisability => "severe_disability",
            Priority::SeriousIllness => "serious_illness",
            Priority::Elderly => "elderly",
            Priority::Minor => "minor",
            Priority::Incapacitated => "incapacitated",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Priority::SevereDisability => "重残",
            Priority::SeriousIllness => "重病",
            Priority::Elderly => "高龄",
            Priority::Minor => "未成年",
            Priority::Incapacitated => "失能",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Priority::SevereDisability => "Severe disability",
            Priority::SeriousIllness => "Serious illness",
            Priority::Elderly => "Elderly",
            Priority::Minor => "Minor",
            Priority::Incapacitated => "Incapacitated",
        }
    }

    /// A stored list (`"elderly,minor"`); unknown codes are dropped.
    pub fn parse_list(text: &str) -> Vec<Priority> {
        let mut out: Vec<Priority> = text
            .split(',')
            .filter_map(|c| Priority::ALL.into_iter().find(|p| p.code() == c.trim()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The stored form of a list.
    pub fn join(list: &[Priority]) -> String {
        let mut list = list.to_vec();
        list.sort();
        list.dedup();
        list.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")
    }
}

// --- Recipients ------------------------------------------------------------

/// A person to register, with a new household or an existing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientInput {
    pub name: String,
    pub id_number: String,
    pub category: Category,
    pub priority: Vec<Priority>,
    pub household: HouseholdChoice,
}

/// Where a registered person lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HouseholdChoice {
    Existing(i64),
    New { town_id: i64, village: String, address: String },
}

/// A field of the recipient form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecipientField {
    Name,
    IdNumber,
    Town,
    Village,
    Address,
}

/// Why a recipient's details are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecipientProblem {
    Required,
    TooLong,
    IdNumber(super::idcard::IdProblem),
    /// Another person of the district has this number.
    Duplicate,
}

/// Checks a recipient's details; the parsed identity number when good.
pub fn check_recipient(r: &RecipientInput) -> Result<IdNumber, Vec<(RecipientField, RecipientProblem)>> {
    let mut problems = Vec::new();
    text_field(&r.name, true, RecipientField::Name, &mut problems);
    if let HouseholdChoice::New { village, address, .. } = &r.household {
        text_field(village, true, RecipientField::Village, &mut problems);
        text_field(address, false, RecipientField::Address, &mut problems);
    }
    let id = match IdNumber::parse(&r.id_number) {
        Ok(id) => Some(id),
        Err(p) => {
            problems.push((RecipientField::IdNumber, RecipientProblem::IdNumber(p)));
            None
        }
    };
    match id {
        Some(id) if problems.is_empty() => Ok(id),
        _ => Err(problems),
    }
}

fn text_field<F: Copy>(text: &str, required: bool, field: F, out: &mut Vec<(F, RecipientProblem)>) {
    let t = text.trim();
    if required && t.is_empty() {
        out.push((field, RecipientProblem::Required));
    } else if t.chars().count() > MAX_TEXT_CHARS {
        out.push((field, RecipientProblem::TooLong));
    }
}

// --- Service records -------------------------------------------------------

/// How an indicator counting a catalogue item is measured, from the item's
/// unit: 人次/场/条 count records, 小时 sums hours, 户 counts households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    Records,
    Hours,
    Households,
}

/// The measure of a catalogue item; none for items not delivered as
/// service records (the assistant posts).
pub fn measure_of(code: &str) -> Option<Measure> {
    let item = catalogue_item(code)?;
    match (item.category, item.unit_en) {
        (ItemCategory::Posts, _) => None,
        (_, "hours") => Some(Measure::Hours),
        (_, "households") => Some(Measure::Households),
        _ => Some(Measure::Records),
    }
}

/// Items delivered to a group rather than a person (training, publicity):
/// their records name no recipient.
pub fn names_recipient(code: &str) -> bool {
    !matches!(code, "training" | "publicity")
}

/// A place, in millionths of a degree (WGS-84).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub lat_micro: i64,
    pub lon_micro: i64,
}

impl Location {
    /// Parses `"29.5630, 106.5516"` (latitude, longitude).
    pub fn parse(text: &str) -> Option<Location> {
        let (lat, lon) = text.split_once([',', '，'])?;
        let lat: Decimal = lat.trim().parse().ok()?;
        let lon: Decimal = lon.trim().parse().ok()?;
        if lat.abs() > Decimal::from(90) || lon.abs() > Decimal::from(180) {
            return None;
        }
        let micro = |d: Decimal| {
            use rust_decimal::prelude::ToPrimitive;
            (d * Decimal::from(1_000_000)).round().to_i64()
        };
        Some(Location { lat_micro: micro(lat)?, lon_micro: micro(lon)? })
    }

    /// As typed: up to six decimals.
    pub fn text(self) -> String {
        format!(
            "{}, {}",
            Decimal::new(self.lat_micro, 6).normalize(),
            Decimal::new(self.lon_micro, 6).normalize()
        )
    }
}

/// A service record as entered (one form, one spreadsheet row or one API
/// object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordInput {
    pub contract_id: i64,
    /// The recipient's register id (`None` for group items).
    pub recipient_id: Option<i64>,
    pub service_code: String,
    pub started_at: NaiveDateTime,
    pub minutes: u32,
    pub worker: String,
    pub notes: String,
    pub location: Option<Location>,
    /// Keep the photos' own location metadata (otherwise removed).
    pub keep_location: bool,
    /// The sender's own id, making a repeated API call harmless.
    pub external_id: Option<String>,
}

/// A field of a service record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordField {
    Contract,
    Recipient,
    Service,
    StartedAt,
    Minutes,
    Worker,
    Notes,
    Location,
    ExternalId,
}

/// Why a service record is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordProblem {
    Required,
    TooLong,
    /// Not a catalogue item delivered as records.
    UnknownService,
    /// The contract does not buy this item.
    NotInContract,
    /// The contract is not being performed (not signed, or ended).
    ContractNotActive,
    /// Before the contract's start or after its end.
    OutsideTerm,
    /// Later than now.
    InFuture,
    /// 1 to 1,440 minutes.
    Minutes,
    /// Not among the recipients of this organisation's contracts.
    UnknownRecipient,
    /// A group item names no recipient.
    NoRecipientExpected,
    /// Latitude, longitude not readable.
    Location,
    /// The same external id was sent before with other content.
    ExternalIdReused,
    /// Not readable as a date and time (imports).
    Unreadable,
}

/// What a record is checked against: its contract and the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordContext {
    pub term_from: NaiveDate,
    pub term_to: NaiveDate,
    /// Signed or performing.
    pub active: bool,
    /// The catalogue codes of the contract's items.
    pub items: Vec<String>,
    /// Now, on the district's wall clock.
    pub now: NaiveDateTime,
}

/// Checks a record against its contract.
pub fn check_record(r: &RecordInput, ctx: &RecordContext) -> Result<(), Vec<(RecordField, RecordProblem)>> {
    let mut out = Vec::new();
    if !ctx.active {
        out.push((RecordField::Contract, RecordProblem::ContractNotActive));
    }
    match measure_of(&r.service_code) {
        None => out.push((RecordField::Service, RecordProblem::UnknownService)),
        Some(_) if !ctx.items.iter().any(|i| i == &r.service_code) => {
            out.push((RecordField::Service, RecordProblem::NotInContract))
        }
        Some(_) => match (names_recipient(&r.service_code), r.recipient_id) {
            (true, None) => out.push((RecordField::Recipient, RecordProblem::Required)),
            (false, Some(_)) => out.push((RecordField::Recipient, RecordProblem::NoRecipientExpected)),
            _ => {}
        },
    }
    let day = r.started_at.date();
    if r.started_at > ctx.now {
        out.push((RecordField::StartedAt, RecordProblem::InFuture));
    } else if day < ctx.term_from || day > ctx.term_to {
        out.push((RecordField::StartedAt, RecordProblem::OutsideTerm));
    }
    if !(1..=MINUTES_PER_DAY).contains(&r.minutes) {
        out.push((RecordField::Minutes, RecordProblem::Minutes));
    }
    let worker = r.worker.trim();
    if worker.is_empty() {
        out.push((RecordField::Worker, RecordProblem::Required));
    } else if worker.chars().count() > 50 {
        out.push((RecordField::Worker, RecordProblem::TooLong));
    }
    if r.notes.chars().count() > MAX_TEXT_CHARS {
        out.push((RecordField::Notes, RecordProblem::TooLong));
    }
    if let Some(x) = &r.external_id
        && (x.trim().is_empty() || x.chars().count() > 100)
    {
        out.push((RecordField::ExternalId, RecordProblem::TooLong));
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// The end of a record's service.
pub fn ends_at(start: NaiveDateTime, minutes: u32) -> NaiveDateTime {
    start + Duration::minutes(i64::from(minutes))
}

/// A record's minutes per calendar day (a record past midnight counts to
/// both days).
pub fn minutes_by_day(start: NaiveDateTime, minutes: u32) -> Vec<(NaiveDate, u32)> {
    let mut out = Vec::new();
    let mut at = start;
    let end = ends_at(start, minutes);
    while at < end {
        let next_midnight = (at.date() + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or(end);
        let until = end.min(next_midnight);
        out.push((at.date(), (until - at).num_minutes() as u32));
        at = until;
    }
    out
}

// --- Red flags -------------------------------------------------------------

/// A stored record as the red-flag checks see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFact {
    pub id: i64,
    pub supplier_id: i64,
    pub contract_id: i64,
    pub recipient_id: Option<i64>,
    pub household_id: Option<i64>,
    /// The recipient's town when the record was made.
    pub town_id: Option<i64>,
    pub service_code: String,
    pub worker: String,
    pub started_at: NaiveDateTime,
    pub minutes: u32,
}

/// The towns a contract serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Area {
    WholeDistrict,
    Towns(Vec<i64>),
}

impl Area {
    pub fn contains(&self, town_id: i64) -> bool {
        match self {
            Area::WholeDistrict => true,
            Area::Towns(t) => t.contains(&town_id),
        }
    }
}

/// Something a reviewer must look at before accepting work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RedFlag {
    /// One recipient, one service, two organisations, overlapping times.
    DoubleService { recipient_id: i64, service_code: String, records: [i64; 2], suppliers: [i64; 2] },
    /// One worker's records add up to more than a day on one day.
    WorkerOverDay { supplier_id: i64, worker: String, day: NaiveDate, minutes: u32, records: Vec<i64> },
    /// The same evidence file (by content) on different records.
    SharedEvidence { sha256: String, records: Vec<i64> },
    /// A recipient outside the contract's service area.
    OutsideArea { record: i64, contract_id: i64, town_id: i64 },
}

impl RedFlag {
    /// The records the flag names.
    pub fn records(&self) -> Vec<i64> {
        match self {
            RedFlag::DoubleService { records, .. } => records.to_vec(),
            RedFlag::WorkerOverDay { records, .. } | RedFlag::SharedEvidence { records, .. } => {
                records.clone()
            }
            RedFlag::OutsideArea { record, .. } => vec![*record],
        }
    }
}

/// Pairs of records of different organisations serving the same recipient
/// the same service at overlapping times (touching ends do not overlap).
pub fn double_service(records: &[RecordFact]) -> Vec<RedFlag> {
    let mut groups: HashMap<(i64, &str), Vec<&RecordFact>> = HashMap::new();
    for r in records {
        if let Some(rid) = r.recipient_id {
            groups.entry((rid, r.service_code.as_str())).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for ((recipient_id, code), mut list) in groups {
        list.sort_by_key(|r| (r.started_at, r.id));
        // A sweep: `open` holds the records still running at each start.
        let mut open: Vec<&RecordFact> = Vec::new();
        for r in list {
            open.retain(|o| ends_at(o.started_at, o.minutes) > r.started_at);
            for o in &open {
                if o.supplier_id != r.supplier_id {
                    out.push(RedFlag::DoubleService {
                        recipient_id,
                        service_code: code.to_owned(),
                        records: [o.id, r.id],
                        suppliers: [o.supplier_id, r.supplier_id],
                    });
                }
            }
            open.push(r);
        }
    }
    out.sort_by_key(|f| f.records());
    out
}

/// Workers whose minutes on one day exceed the day.
pub fn worker_over_day(records: &[RecordFact]) -> Vec<RedFlag> {
    let mut days: BTreeMap<(i64, String, NaiveDate), (u32, Vec<i64>)> = BTreeMap::new();
    for r in records {
        for (day, minutes) in minutes_by_day(r.started_at, r.minutes) {
            let e = days.entry((r.supplier_id, r.worker.trim().to_owned(), day)).or_default();
            e.0 += minutes;
            e.1.push(r.id);
        }
    }
    days.into_iter()
        .filter(|(_, (m, _))| *m > MINUTES_PER_DAY)
        .map(|((supplier_id, worker, day), (minutes, mut records))| {
            records.sort_unstable();
            RedFlag::WorkerOverDay { supplier_id, worker, day, minutes, records }
        })
        .collect()
}

/// Evidence files (by SHA-256) attached to more than one record.
pub fn shared_evidence(files: &[(i64, String)]) -> Vec<RedFlag> {
    let mut by_hash: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (record, sha) in files {
        by_hash.entry(sha.as_str()).or_default().push(*record);
    }
    by_hash
        .into_iter()
        .filter_map(|(sha, mut records)| {
            records.sort_unstable();
            records.dedup();
            (records.len() > 1).then(|| RedFlag::SharedEvidence { sha256: sha.to_owned(), records })
        })
        .collect()
}

/// Records for recipients living outside their contract's area.
pub fn outside_area(records: &[RecordFact], areas: &HashMap<i64, Area>) -> Vec<RedFlag> {
    records
        .iter()
        .filter_map(|r| {
            let town = r.town_id?;
            let area = areas.get(&r.contract_id)?;
            (!area.contains(town)).then_some(RedFlag::OutsideArea {
                record: r.id,
                contract_id: r.contract_id,
                town_id: town,
            })
        })
        .collect()
}

/// Every red flag among `records` and their evidence files.
pub fn red_flags(
    records: &[RecordFact],
    files: &[(i64, String)],
    areas: &HashMap<i64, Area>,
) -> Vec<RedFlag> {
    let mut out = double_service(records);
    out.extend(worker_over_day(records));
    out.extend(shared_evidence(files));
    out.extend(outside_area(records, areas));
    out
}

// --- Measuring and evaluating ----------------------------------------------

/// What `records` amount to under `measure`.
pub fn measured(records: &[&RecordFact], measure: Measure) -> Decimal {
    match measure {
        Measure::Records => Decimal::from(records.len()),
        Measure::Hours => {
            let minutes: u64 = records.iter().map(|r| u64::from(r.minutes)).sum();
            round2(Decimal::from(minutes) / Decimal::from(60))
        }
        Measure::Households => {
            let set: HashSet<i64> =
                records.iter().filter_map(|r| r.household_id.or(r.recipient_id)).collect();
            Decimal::from(set.len())
        }
    }
}

/// A calendar month, `(year, month)`.
pub type Month = (i32, u32);

/// The month a record counts in (the month it started).
pub fn month_of(at: NaiveDateTime) -> Month {
    (at.year(), at.month())
}

/// An indicator measured from records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measured {
    pub service_code: String,
    pub target: Option<Decimal>,
}

/// One indicator's progress: per month and per recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub total: Decimal,
    pub by_month: Vec<(Month, Decimal)>,
    pub by_recipient: Vec<(i64, Decimal)>,
}

/// Progress of an indicator counting `code` among `records`.
pub fn progress(records: &[RecordFact], code: &str) -> Option<Progress> {
    let measure = measure_of(code)?;
    let mine: Vec<&RecordFact> = records.iter().filter(|r| r.service_code == code).collect();
    let mut months: BTreeMap<Month, Vec<&RecordFact>> = BTreeMap::new();
    let mut people: BTreeMap<i64, Vec<&RecordFact>> = BTreeMap::new();
    for r in &mine {
        months.entry(month_of(r.started_at)).or_default().push(r);
        if let Some(p) = r.recipient_id {
            people.entry(p).or_default().push(r);
        }
    }
    Some(Progress {
        total: measured(&mine, measure),
        by_month: months.into_iter().map(|(m, rs)| (m, measured(&rs, measure))).collect(),
        by_recipient: people.into_iter().map(|(p, rs)| (p, measured(&rs, measure))).collect(),
    })
}

/// The part of a whole-term target due by `to`: pro rata by days.
pub fn target_to_date(target: Decimal, term_from: NaiveDate, term_to: NaiveDate, to: NaiveDate) -> Decimal {
    let term = (term_to - term_from).num_days() + 1;
    let elapsed = ((to.min(term_to) - term_from).num_days() + 1).clamp(0, term);
    if term <= 0 {
        return target;
    }
    round2(target * Decimal::from(elapsed) / Decimal::from(term))
}

/// The score a measured figure suggests: its share of the target due,
/// capped at 100.
pub fn suggested_score(measured: Decimal, due: Decimal) -> Decimal {
    if due <= Decimal::ZERO {
        return Decimal::ONE_HUNDRED;
    }
    round2((measured / due * Decimal::ONE_HUNDRED).min(Decimal::ONE_HUNDRED))
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The grade of a performance evaluation (绩效评价等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grade {
    /// 优秀: 90 and above.
    Excellent,
    /// 良好: 80 to under 90.
    Good,
    /// 合格: 60 to under 80.
    Pass,
    /// 不合格: under 60.
    Fail,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Excellent, Grade::Good, Grade::Pass, Grade::Fail];

    /// The grade of a total score.
    pub fn of(total: Decimal) -> Grade {
        if total >= Decimal::from(90) {
            Grade::Excellent
        } else if total >= Decimal::from(80) {
            Grade::Good
        } else if total >= Decimal::from(60) {
            Grade::Pass
        } else {
            Grade::Fail
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Good => "good",
            Grade::Pass => "pass",
            Grade::Fail => "fail",
        }
    }

    pub fn from_code(code: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Grade::Excellent => "Excellent",
            Grade::Good => "Good",
            Grade::Pass => "Pass",
            Grade::Fail => "Fail",
        }
    }
}

/// The total of an evaluation: the indicators' scores (0–100, two
/// decimals) weighted by their weights, rounded half away from zero to two
/// decimals. `None` when a score is out of range or the weights are not
/// positive.
pub fn evaluate(lines: &[(Decimal, Decimal)]) -> Option<Decimal> {
    let weight: Decimal = lines.iter().map(|(w, _)| *w).sum();
    let good = |s: &Decimal| (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(s) && s.normalize().scale() <= 2;
    if lines.is_empty()
        || weight <= Decimal::ZERO
        || lines.iter().any(|(w, s)| *w <= Decimal::ZERO || !good(s))
    {
        return None;
    }
    let sum: Decimal = lines.iter().map(|(w, s)| w * s).sum();
    Some(round2(sum / weight))
}

// --- Reports ---------------------------------------------------------------

/// Why a report, or its review, is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportProblem {
    /// The period ends before it starts, or falls outside the term.
    Period,
    /// The period has not ended yet.
    NotEnded,
    /// Another live report of the contract covers part of the period.
    Overlaps,
    SummaryRequired,
    TooLong,
    /// The milestone is not of this contract, or already accepted.
    Milestone,
    /// Every indicator needs a score from 0 to 100.
    Scores,
    /// A returned report needs a comment saying what to change.
    CommentRequired,
    /// Already reviewed.
    Reviewed,
    /// The contract is not being performed.
    ContractNotActive,
}

/// Checks a report's period against its contract's term and the live
/// reports' periods.
pub fn check_period(
    from: NaiveDate,
    to: NaiveDate,
    term: (NaiveDate, NaiveDate),
    today: NaiveDate,
    live: &[(NaiveDate, NaiveDate)],
) -> Result<(), ReportProblem> {
    if to < from || from < term.0 || to > term.1 {
        return Err(ReportProblem::Period);
    }
    if to >= today {
        return Err(ReportProblem::NotEnded);
    }
    if live.iter().any(|(a, b)| from <= *b && *a <= to) {
        return Err(ReportProblem::Overlaps);
    }
    Ok(())
}

/// Any refusal of the deliverables module, as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceFault {
    Recipient(Vec<(RecipientField, RecipientProblem)>),
    Record(Vec<(RecordField, RecordProblem)>),
    /// An import's rows: (row number as the sender counts it, field,
    /// problem).
    Rows(Vec<(usize, RecordField, RecordProblem)>),
    Report(ReportProblem),
    Upload(super::files::FileProblem),
}

/// The first minute of `at` (seconds dropped): records are kept to the
/// minute.
pub fn to_minute(at: NaiveDateTime) -> NaiveDateTime {
    at.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test value")
    }

    fn fact(id: i64, supplier: i64, recipient: i64, start: &str, minutes: u32) -> RecordFact {
        RecordFact {
            id,
            supplier_id: supplier,
            contract_id: supplier * 10,
            recipient_id: Some(recipient),
            household_id: Some(recipient),
            town_id: Some(1),
            service_code: "visits".into(),
            worker: format!("worker-{supplier}"),
            started_at: at(start),
            minutes,
        }
    }

    fn ctx() -> RecordContext {
        RecordContext {
            term_from: NaiveDate::from_ymd_opt(2026, 1, 1).expect("test value"),
            term_to: NaiveDate::from_ymd_opt(2026, 12, 31).expect("test value"),
            active: true,
            items: vec!["visits".into(), "training".into()],
            now: at("2026-11-23 12:00"),
        }
    }

    fn input() -> RecordInput {
        RecordInput {
            contract_id: 1,
            recipient_id: Some(5),
            service_code: "visits".into(),
            started_at: at("2026-11-20 09:00"),
            minutes: 60,
            worker: "张敏".into(),
            notes: String::new(),
            location: None,
            keep_location: false,
            external_id: None,
        }
    }

    #[test]
    fn a_record_is_checked_against_its_contract() {
        assert_eq!(check_record(&input(), &ctx()), Ok(()));
        let fields = |r: RecordInput, c: RecordContext| check_record(&r, &c).expect_err("refused");
        let mut r = input();
        r.service_code = "care".into();
        assert_eq!(fields(r, ctx()), [(RecordField::Service, RecordProblem::NotInContract)]);
        let mut r = input();
        r.service_code = "assistant_posts".into();
        assert_eq!(fields(r, ctx()), [(RecordField::Service, RecordProblem::UnknownService)]);
        let mut r = input();
        r.started_at = at("2026-11-23 12:01");
        assert_eq!(fields(r, ctx()), [(RecordField::StartedAt, RecordProblem::InFuture)]);
        let mut r = input();
        r.started_at = at("2025-12-31 23:00");
        assert_eq!(fields(r, ctx()), [(RecordField::StartedAt, RecordProblem::OutsideTerm)]);
        let mut r = input();
        r.minutes = 0;
        r.worker = " ".into();
        assert_eq!(
            fields(r, ctx()),
            [(RecordField::Minutes, RecordProblem::Minutes), (RecordField::Worker, RecordProblem::Required)]
        );
        let mut r = input();
        r.minutes = MINUTES_PER_DAY + 1;
        assert_eq!(fields(r, ctx()), [(RecordField::Minutes, RecordProblem::Minutes)]);
        let mut r = input();
        r.recipient_id = None;
        assert_eq!(fields(r, ctx()), [(RecordField::Recipient, RecordProblem::Required)]);
        let mut r = input();
        r.service_code = "training".into();
        assert_eq!(fields(r, ctx()), [(RecordField::Recipient, RecordProblem::NoRecipientExpected)]);
        let mut c = ctx();
        c.active = false;
        assert_eq!(fields(input(), c), [(RecordField::Contract, RecordProblem::ContractNotActive)]);
    }

    #[test]
    fn minutes_past_midnight_count_to_both_days() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test value");
        assert_eq!(
            minutes_by_day(at("2026-11-20 22:30"), 120),
            [(d("2026-11-20"), 90), (d("2026-11-21"), 30)]
        );
        assert_eq!(minutes_by_day(at("2026-11-20 00:00"), 1440), [(d("2026-11-20"), 1440)]);
        assert_eq!(minutes_by_day(at("2026-11-20 23:00"), 60), [(d("2026-11-20"), 60)]);
    }

    #[test]
    fn double_service_needs_two_organisations_and_an_overlap() {
        let a = fact(1, 1, 7, "2026-11-20 09:00", 60);
        let b = fact(2, 2, 7, "2026-11-20 09:30", 60);
        let flags = double_service(&[a.clone(), b.clone()]);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].records(), [1, 2]);
        // Touching ends do not overlap.
        let c = fact(3, 2, 7, "2026-11-20 10:00", 30);
        assert!(double_service(&[a.clone(), c]).is_empty());
        // The same organisation twice is not this flag.
        let d = fact(4, 1, 7, "2026-11-20 09:30", 30);
        assert!(double_service(&[a.clone(), d]).is_empty());
        // Another recipient or another service is not either.
        let mut e = b.clone();
        e.recipient_id = Some(8);
        assert!(double_service(&[a.clone(), e]).is_empty());
        let mut f = b;
        f.service_code = "care".into();
        assert!(double_service(&[a.clone(), f]).is_empty());
        // A long record overlaps several.
        let long = fact(5, 2, 7, "2026-11-20 08:00", 600);
        let later = fact(6, 1, 7, "2026-11-20 15:00", 30);
        assert_eq!(double_service(&[a, long, later]).len(), 2);
    }

    #[test]
    fn a_worker_cannot_serve_more_than_a_day_holds() {
        let mut a = fact(1, 1, 7, "2026-11-20 00:00", 720);
        let mut b = fact(2, 1, 8, "2026-11-20 12:00", 720);
        assert!(worker_over_day(&[a.clone(), b.clone()]).is_empty(), "exactly 24 hours is possible");
        // A minute past midnight counts to the next day ...
        b.minutes = 721;
        assert!(worker_over_day(&[a.clone(), b.clone()]).is_empty());
        // ... a minute earlier in the day does not.
        b.started_at = at("2026-11-20 11:59");
        let flags = worker_over_day(&[a.clone(), b.clone()]);
        assert_eq!(flags.len(), 1);
        assert!(
            matches!(&flags[0], RedFlag::WorkerOverDay { minutes: 1441, records, .. } if records == &[1, 2])
        );
        // Another worker's minutes do not add up.
        a.worker = "someone else".into();
        assert!(worker_over_day(&[a, b]).is_empty());
    }

    #[test]
    fn shared_evidence_is_the_same_file_on_two_records() {
        let files =
            vec![(1, "aa".to_owned()), (1, "aa".to_owned()), (2, "bb".to_owned()), (3, "bb".to_owned())];
        let flags = shared_evidence(&files);
        assert_eq!(flags, [RedFlag::SharedEvidence { sha256: "bb".into(), records: vec![2, 3] }]);
    }

    #[test]
    fn outside_the_area_is_the_town_when_served() {
        let a = fact(1, 1, 7, "2026-11-20 09:00", 60);
        let mut areas = HashMap::new();
        areas.insert(10, Area::Towns(vec![2, 3]));
        assert_eq!(outside_area(std::slice::from_ref(&a), &areas).len(), 1);
        areas.insert(10, Area::Towns(vec![1]));
        assert!(outside_area(std::slice::from_ref(&a), &areas).is_empty());
        areas.insert(10, Area::WholeDistrict);
        assert!(outside_area(&[a], &areas).is_empty());
    }

    #[test]
    fn measures_follow_the_item_unit() {
        assert_eq!(measure_of("visits"), Some(Measure::Records));
        assert_eq!(measure_of("care"), Some(Measure::Hours));
        assert_eq!(measure_of("household_survey"), Some(Measure::Households));
        assert_eq!(measure_of("assistant_posts"), None);
        let mut a = fact(1, 1, 7, "2026-10-20 09:00", 50);
        a.service_code = "care".into();
        let mut b = fact(2, 1, 8, "2026-11-20 09:00", 45);
        b.service_code = "care".into();
        let p = progress(&[a.clone(), b], "care").expect("test value");
        assert_eq!(p.total, Decimal::new(158, 2), "95 minutes = 1.58 hours");
        assert_eq!(p.by_month, [((2026, 10), Decimal::new(83, 2)), ((2026, 11), Decimal::new(75, 2))]);
        assert_eq!(p.by_recipient.len(), 2);
        let mut c = a.clone();
        c.id = 3;
        c.service_code = "household_survey".into();
        let mut d = c.clone();
        d.id = 4;
        assert_eq!(
            progress(&[c, d], "household_survey").expect("test value").total,
            Decimal::ONE,
            "one household twice"
        );
    }

    #[test]
    fn targets_fall_due_by_days_and_scores_cap_at_100() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test value");
        let due = target_to_date(Decimal::from(365), d("2026-01-01"), d("2026-12-31"), d("2026-01-31"));
        assert_eq!(due, Decimal::from(31));
        assert_eq!(
            target_to_date(Decimal::from(100), d("2026-01-01"), d("2026-12-31"), d("2027-03-01")),
            Decimal::from(100)
        );
        assert_eq!(suggested_score(Decimal::from(31), Decimal::from(31)), Decimal::ONE_HUNDRED);
        assert_eq!(suggested_score(Decimal::from(40), Decimal::from(31)), Decimal::ONE_HUNDRED);
        assert_eq!(suggested_score(Decimal::from(20), Decimal::from(30)), Decimal::new(6667, 2));
    }

    #[test]
    fn evaluation_weights_scores_and_grades_the_total() {
        let l = |w: i64, s: i64| (Decimal::from(w), Decimal::new(s, 2));
        assert_eq!(evaluate(&[l(40, 9000), l(60, 8000)]), Some(Decimal::from(84)));
        assert_eq!(evaluate(&[l(1, 10000), l(2, 0)]), Some(Decimal::new(3333, 2)));
        assert_eq!(evaluate(&[l(50, 10001)]), None);
        assert_eq!(evaluate(&[(Decimal::from(50), Decimal::new(1, 3))]), None, "three decimals");
        assert_eq!(evaluate(&[]), None);
        assert_eq!(Grade::of(Decimal::from(90)), Grade::Excellent);
        assert_eq!(Grade::of(Decimal::new(8999, 2)), Grade::Good);
        assert_eq!(Grade::of(Decimal::from(80)), Grade::Good);
        assert_eq!(Grade::of(Decimal::from(60)), Grade::Pass);
        assert_eq!(Grade::of(Decimal::new(5999, 2)), Grade::Fail);
    }

    #[test]
    fn report_periods_are_closed_and_do_not_overlap() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test value");
        let term = (d("2026-01-01"), d("2026-12-31"));
        let today = d("2026-11-23");
        assert_eq!(check_period(d("2026-10-01"), d("2026-10-31"), term, today, &[]), Ok(()));
        assert_eq!(
            check_period(d("2026-11-01"), d("2026-11-30"), term, today, &[]),
            Err(ReportProblem::NotEnded)
        );
        assert_eq!(
            check_period(d("2026-10-31"), d("2026-10-01"), term, today, &[]),
            Err(ReportProblem::Period)
        );
        assert_eq!(
            check_period(d("2025-12-01"), d("2026-01-31"), term, today, &[]),
            Err(ReportProblem::Period)
        );
        let live = [(d("2026-09-01"), d("2026-10-01"))];
        assert_eq!(
            check_period(d("2026-10-01"), d("2026-10-31"), term, today, &live),
            Err(ReportProblem::Overlaps)
        );
        let live = [(d("2026-09-01"), d("2026-09-30"))];
        assert_eq!(check_period(d("2026-10-01"), d("2026-10-31"), term, today, &live), Ok(()));
    }

    #[test]
    fn recipients_need_a_valid_identity_number() {
        let r = RecipientInput {
            name: "王秀英".into(),
            id_number: "11010519491231002X".into(),
            category: Category::Tekun,
            priority: vec![Priority::Elderly],
            household: HouseholdChoice::New {
                town_id: 1, village: "石桥村".into(), address: String::new()
            },
        };
        assert!(check_recipient(&r).is_ok());
        let mut bad = r.clone();
        bad.id_number = "110105194912310021".into();
        bad.household = HouseholdChoice::New { town_id: 1, village: " ".into(), address: String::new() };
        let problems = check_recipient(&bad).expect_err("refused");
        assert_eq!(problems[0], (RecipientField::Village, RecipientProblem::Required));
        assert!(matches!(problems[1], (RecipientField::IdNumber, RecipientProblem::IdNumber(_))));
    }

    #[test]
    fn priority_lists_and_locations_round_trip() {
        let list = Priority::parse_list("minor,elderly,bogus,minor");
        assert_eq!(list, [Priority::Elderly, Priority::Minor]);
        assert_eq!(Priority::join(&list), "elderly,minor");
        let l = Location::parse("29.563012，106.551556").expect("test value");
        assert_eq!(l, Location { lat_micro: 29_563_012, lon_micro: 106_551_556 });
        assert_eq!(l.text(), "29.563012, 106.551556");
        assert_eq!(Location::parse("91, 0"), None);
        assert_eq!(Location::parse("here"), None);
    }
}
