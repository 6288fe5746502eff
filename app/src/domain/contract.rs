//! Purchased-service contracts (政府购买服务合同) under 财政部令第102号
//! (REFERENCE.md §3): the term rule, the price breakdown, payment
//! milestones with their performance-score bands, the contract's states,
//! amendments and what a milestone pays.
//!
//! **What a milestone pays.** Its base is its percentage of the contract
//! amount, rounded by [`round_fen`]; the last milestone takes what the
//! others leave, so the bases always sum to the amount exactly. After an
//! amendment changes the amount, milestones already paid keep their base
//! and the unpaid ones share the rest in proportion to their percentages.
//! The payment is the base times the factor of the score band the
//! acceptance's score falls in (1 for a milestone without bands), rounded
//! by [`round_fen`].

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::round_fen;
use super::procurement::{ItemCategory, catalogue_item};

/// Longest clause, condition or note kept, in characters.
pub const MAX_CLAUSE_CHARS: usize = 1000;

/// The most milestones, items, indicators or clauses one contract holds.
pub const MAX_LINES: usize = 50;

/// Which document template a contract is printed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContractTemplate {
    /// 社会救助服务项目: a package of services and casework.
    SocialWorkServices,
    /// 专职低保员岗位服务: assistant posts bought as a service.
    AssistantPosts,
}

impl ContractTemplate {
    pub const ALL: [ContractTemplate; 2] =
        [ContractTemplate::SocialWorkServices, ContractTemplate::AssistantPosts];

    pub fn code(self) -> &'static str {
        match self {
            ContractTemplate::SocialWorkServices => "social_work_services",
            ContractTemplate::AssistantPosts => "assistant_posts",
        }
    }

    pub fn from_code(code: &str) -> Option<ContractTemplate> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The template file in `contract-templates/`.
    pub fn file_name(self) -> &'static str {
        match self {
            ContractTemplate::SocialWorkServices => "contract-social-work.typ",
            ContractTemplate::AssistantPosts => "contract-assistant-posts.typ",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ContractTemplate::SocialWorkServices => "社会救助服务项目合同",
            ContractTemplate::AssistantPosts => "专职低保员岗位服务合同",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ContractTemplate::SocialWorkServices => "Social-assistance services",
            ContractTemplate::AssistantPosts => "Assistant posts as a service",
        }
    }

    /// May an item of `category` appear in a contract of this template?
    /// Posts are bought under their own contract, and only there.
    pub fn admits(self, category: ItemCategory) -> bool {
        match self {
            ContractTemplate::SocialWorkServices => category != ItemCategory::Posts,
            ContractTemplate::AssistantPosts => category == ItemCategory::Posts,
        }
    }
}

/// Where a contract stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContractStatus {
    /// Being prepared; may be edited.
    Draft,
    /// Submitted for approval (maker-checker).
    Pending,
    /// Approved: the budget commitment is made.
    Approved,
    /// Signed by both parties.
    Signed,
    /// Service under way.
    Performing,
    /// Finally accepted (every milestone accepted).
    Accepted,
    /// Ended early, with a reason; what was not paid is released.
    Terminated,
}

impl ContractStatus {
    pub const ALL: [ContractStatus; 7] = [
        ContractStatus::Draft,
        ContractStatus::Pending,
        ContractStatus::Approved,
        ContractStatus::Signed,
        ContractStatus::Performing,
        ContractStatus::Accepted,
        ContractStatus::Terminated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ContractStatus::Draft => "draft",
            ContractStatus::Pending => "pending",
            ContractStatus::Approved => "approved",
            ContractStatus::Signed => "signed",
            ContractStatus::Performing => "performing",
            ContractStatus::Accepted => "accepted",
            ContractStatus::Terminated => "terminated",
        }
    }

    pub fn from_code(code: &str) -> Option<ContractStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// May the contract move from this state to `next`?
    pub fn may_become(self, next: ContractStatus) -> bool {
        use ContractStatus::*;
        matches!(
            (self, next),
            (Draft, Pending)
                | (Pending, Draft)
                | (Pending, Approved)
                | (Approved, Signed)
                | (Signed, Performing)
                | (Performing, Accepted)
                | (Approved | Signed | Performing, Terminated)
        )
    }

    /// Is the contract in force (approved and not ended)? Amendments,
    /// acceptances and payments happen only then.
    pub fn in_force(self) -> bool {
        matches!(self, ContractStatus::Approved | ContractStatus::Signed | ContractStatus::Performing)
    }

    /// The OCDS `contract.status`.
    pub fn ocds(self) -> &'static str {
        match self {
            ContractStatus::Draft | ContractStatus::Pending | ContractStatus::Approved => "pending",
            ContractStatus::Signed | ContractStatus::Performing => "active",
            ContractStatus::Accepted => "terminated",
            ContractStatus::Terminated => "cancelled",
        }
    }
}

/// Why a contract, amendment, acceptance or payment is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractProblem {
    TitleRequired,
    TooLong,
    TooManyLines,
    /// The end is before the start.
    TermOrder,
    /// A term over one year needs a written justification.
    JustificationRequired,
    /// A term over three years is refused.
    TermOverThreeYears,
    /// An amount that is not positive, not whole fen, or too large.
    Amount,
    /// A quantity that is not positive or has more than two decimals.
    Quantity,
    /// No service items.
    ItemsRequired,
    /// A catalogue code that does not exist.
    UnknownItem(String),
    /// An item that does not belong under the contract's template.
    ItemNotInTemplate(String),
    /// The items' amounts do not sum to the contract amount.
    ItemsMismatch {
        amount: Decimal,
        items: Decimal,
    },
    /// More than the award.
    OverAward {
        award: Decimal,
    },
    /// No milestones.
    MilestonesRequired,
    /// The milestones' percentages do not sum to 100.
    MilestoneSum(Decimal),
    /// A milestone needs a name, a positive percentage (two decimals at
    /// most), an acceptance condition and a due date within the term
    /// (1-based index).
    Milestone(usize),
    /// A milestone's score bands are malformed (1-based index).
    Bands(usize),
    /// Indicator weights must be positive and sum to 100.
    IndicatorWeights(Decimal),
    /// An indicator needs a name and a target (1-based index).
    Indicator(usize),
    /// A breach clause is empty (1-based index).
    Clause(usize),
    /// The action does not fit the contract's state.
    WrongState(ContractStatus),
    /// An amendment needs a reason and must change something.
    AmendmentEmpty,
    /// The amount cannot fall below what milestones already paid.
    BelowPaid {
        paid: Decimal,
    },
    /// The milestone is not accepted (or its acceptance not approved).
    NotAccepted,
    /// The milestone has bands and the acceptance no score.
    ScoreRequired,
    /// A score outside 0–100 or with more than two decimals.
    Score,
    /// The milestone is paid or its payment is awaiting approval.
    AlreadyPaid,
    /// The milestone was accepted already.
    AlreadyAccepted,
    /// A reason (termination, acceptance note) is required.
    ReasonRequired,
    /// A date outside what the rule allows (signing before approval,
    /// acceptance in the future).
    Date,
}

/// Any refusal of the contracts module, as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractFault {
    Contract(ContractProblem),
    Procurement(super::procurement::ProcurementProblem),
    Supplier(super::supplier::SupplierProblem),
    Ineligible(super::supplier::Ineligible),
}

/// The length of a contract's term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TermLength {
    /// One year or less: the normal case.
    UpToOneYear,
    /// Over one year, up to three: allowed with a written justification.
    UpToThreeYears,
}

/// The last day of a term of `months` months starting on `start`: the day
/// before the same day `months` later. Where a month lacks that day
/// (29 February), the later of the two readings wins, so 2028-02-29 runs a
/// year to 2029-02-28 and 2027-03-01 to 2028-02-29.
fn term_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    let m = Months::new(months);
    let a = start.checked_add_months(m)?.pred_opt()?;
    let b = start.pred_opt()?.checked_add_months(m)?;
    Some(a.max(b))
}

/// The term rule (REFERENCE.md §3): generally one year at most; up to three
/// years with a justification (budget secured, content fixed, continuous,
/// stable price); never more. The term runs from `start` to `end`, both
/// included, so 2026-01-01 to 2026-12-31 is exactly one year.
pub fn check_term(
    start: NaiveDate,
    end: NaiveDate,
    justification: &str,
) -> Result<TermLength, ContractProblem> {
    if end < start {
        return Err(ContractProblem::TermOrder);
    }
    let one = term_end(start, 12).ok_or(ContractProblem::TermOrder)?;
    let three = term_end(start, 36).ok_or(ContractProblem::TermOrder)?;
    if end <= one {
        Ok(TermLength::UpToOneYear)
    } else if end > three {
        Err(ContractProblem::TermOverThreeYears)
    } else if justification.trim().is_empty() {
        Err(ContractProblem::JustificationRequired)
    } else {
        Ok(TermLength::UpToThreeYears)
    }
}

/// A score band: scores from `min_score` (inclusive) up to the next band's
/// minimum pay `factor` of the milestone (e.g. below 60 pays 0, 60–80 pays
/// 0.8, from 80 pays 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreBand {
    pub min_score: Decimal,
    pub factor: Decimal,
}

/// Checks a milestone's bands: none, or starting at 0, rising minimums
/// within 0–100, factors within 0–1 that never fall as scores rise.
pub fn check_bands(bands: &[ScoreBand]) -> bool {
    if bands.is_empty() {
        return true;
    }
    let hundred = Decimal::ONE_HUNDRED;
    bands[0].min_score == Decimal::ZERO
        && bands.iter().all(|b| {
            (Decimal::ZERO..=hundred).contains(&b.min_score)
                && (Decimal::ZERO..=Decimal::ONE).contains(&b.factor)
                && b.factor.scale() <= 4
        })
        && bands.windows(2).all(|w| w[0].min_score < w[1].min_score && w[0].factor <= w[1].factor)
}

/// The factor a score earns: the band with the highest minimum at or below
/// the score; 1 without bands.
pub fn band_factor(bands: &[ScoreBand], score: Decimal) -> Decimal {
    bands.iter().rev().find(|b| b.min_score <= score).map_or(Decimal::ONE, |b| b.factor)
}

/// Checks a performance score: 0–100, two decimals at most.
pub fn check_score(score: Decimal) -> Result<Decimal, ContractProblem> {
    if (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&score) && score.normalize().scale() <= 2 {
        Ok(score)
    } else {
        Err(ContractProblem::Score)
    }
}

/// One service item of a contract (服务内容及数量).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemInput {
    /// A [`super::procurement::CATALOGUE`] code.
    pub item_code: String,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// The indicator the service is held to (e.g. 每名对象每月走访不少于1次).
    pub indicator: String,
}

impl ItemInput {
    /// Quantity × unit price, rounded by [`round_fen`].
    pub fn amount(&self) -> Decimal {
        round_fen(self.quantity * self.unit_price)
    }
}

/// One payment milestone (付款节点).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneInput {
    pub name: String,
    /// Percent of the contract amount, e.g. 30 or 33.33.
    pub percent: Decimal,
    pub due_on: NaiveDate,
    /// What acceptance requires (验收条件).
    pub condition: String,
    /// Empty: the milestone pays in full on acceptance.
    pub bands: Vec<ScoreBand>,
}

/// One performance indicator (绩效指标) with its weight in the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorInput {
    pub name: String,
    pub target: String,
    /// Percent of the total score.
    pub weight: Decimal,
    /// What the service records count toward it, if they do.
    #[serde(default)]
    pub counts: Option<Counted>,
}

/// An indicator measured from the service records: a catalogue item of
/// the contract and its target over the whole term, in the item's unit
/// (人次, 小时, 户 ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    pub service_code: String,
    pub target: u32,
}

/// A contract as drafted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractInput {
    pub title: String,
    pub template: ContractTemplate,
    pub amount: Decimal,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub term_justification: String,
    pub items: Vec<ItemInput>,
    pub milestones: Vec<MilestoneInput>,
    pub indicators: Vec<IndicatorInput>,
    /// 违约责任: one clause per entry.
    pub breach_clauses: Vec<String>,
}

fn text_ok(t: &str, max: usize) -> bool {
    t.chars().count() <= max
}

fn whole_fen_positive(a: Decimal) -> bool {
    a > Decimal::ZERO && round_fen(a) == a && a <= super::budget::max_amount()
}

fn two_decimals(d: Decimal) -> bool {
    d.normalize().scale() <= 2
}

/// Checks milestones for a contract running `start..=end`.
pub fn check_milestones(
    milestones: &[MilestoneInput],
    start: NaiveDate,
    end: NaiveDate,
) -> Result<(), ContractProblem> {
    if milestones.is_empty() {
        return Err(ContractProblem::MilestonesRequired);
    }
    if milestones.len() > MAX_LINES {
        return Err(ContractProblem::TooManyLines);
    }
    for (i, m) in milestones.iter().enumerate() {
        let ok = !m.name.trim().is_empty()
            && text_ok(&m.name, 100)
            && !m.condition.trim().is_empty()
            && text_ok(&m.condition, MAX_CLAUSE_CHARS)
            && m.percent > Decimal::ZERO
            && m.percent <= Decimal::ONE_HUNDRED
            && two_decimals(m.percent)
            && (start..=end).contains(&m.due_on);
        if !ok {
            return Err(ContractProblem::Milestone(i + 1));
        }
        if !check_bands(&m.bands) {
            return Err(ContractProblem::Bands(i + 1));
        }
    }
    let sum: Decimal = milestones.iter().map(|m| m.percent).sum();
    if sum != Decimal::ONE_HUNDRED {
        return Err(ContractProblem::MilestoneSum(sum));
    }
    Ok(())
}

/// Checks a drafted contract against its award amount.
pub fn check_contract(c: &ContractInput, award: Decimal) -> Result<TermLength, ContractProblem> {
    if c.title.trim().is_empty() {
        return Err(ContractProblem::TitleRequired);
    }
    if !text_ok(&c.title, 200) || !text_ok(&c.term_justification, MAX_CLAUSE_CHARS) {
        return Err(ContractProblem::TooLong);
    }
    if !whole_fen_positive(c.amount) {
        return Err(ContractProblem::Amount);
    }
    if c.amount > award {
        return Err(ContractProblem::OverAward { award });
    }
    let term = check_term(c.start_on, c.end_on, &c.term_justification)?;
    if c.items.is_empty() {
        return Err(ContractProblem::ItemsRequired);
    }
    if [c.items.len(), c.indicators.len(), c.breach_clauses.len()].iter().any(|n| *n > MAX_LINES) {
        return Err(ContractProblem::TooManyLines);
    }
    for it in &c.items {
        let Some(item) = catalogue_item(&it.item_code) else {
            return Err(ContractProblem::UnknownItem(it.item_code.clone()));
        };
        if !c.template.admits(item.category) {
            return Err(ContractProblem::ItemNotInTemplate(it.item_code.clone()));
        }
        if it.quantity <= Decimal::ZERO || !two_decimals(it.quantity) {
            return Err(ContractProblem::Quantity);
        }
        if !whole_fen_positive(it.unit_price) {
            return Err(ContractProblem::Amount);
        }
        if !text_ok(&it.description, MAX_CLAUSE_CHARS) || !text_ok(&it.indicator, MAX_CLAUSE_CHARS) {
            return Err(ContractProblem::TooLong);
        }
    }
    let items: Decimal = c.items.iter().map(ItemInput::amount).sum();
    if items != c.amount {
        return Err(ContractProblem::ItemsMismatch { amount: c.amount, items });
    }
    check_milestones(&c.milestones, c.start_on, c.end_on)?;
    for (i, ind) in c.indicators.iter().enumerate() {
        if ind.name.trim().is_empty()
            || ind.target.trim().is_empty()
            || !text_ok(&ind.name, 200)
            || !text_ok(&ind.target, MAX_CLAUSE_CHARS)
        {
            return Err(ContractProblem::Indicator(i + 1));
        }
        if let Some(counted) = &ind.counts {
            let measured = super::service::measure_of(&counted.service_code).is_some();
            let bought = c.items.iter().any(|it| it.item_code == counted.service_code);
            if !measured || !bought || counted.target == 0 {
                return Err(ContractProblem::Indicator(i + 1));
            }
        }
    }
    if !c.indicators.is_empty() {
        let sum: Decimal = c.indicators.iter().map(|i| i.weight).sum();
        if sum != Decimal::ONE_HUNDRED || c.indicators.iter().any(|i| i.weight <= Decimal::ZERO) {
            return Err(ContractProblem::IndicatorWeights(sum));
        }
    }
    for (i, clause) in c.breach_clauses.iter().enumerate() {
        if clause.trim().is_empty() || !text_ok(clause, MAX_CLAUSE_CHARS) {
            return Err(ContractProblem::Clause(i + 1));
        }
    }
    Ok(term)
}

/// A milestone as the base computation sees it: its percentage and, when
/// it is paid (or its payment awaits approval), the base it was paid on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilestoneShare {
    pub percent: Decimal,
    pub paid_base: Option<Decimal>,
}

/// The base of each milestone for contract amount `amount` (see the module
/// documentation). Fails when the paid bases exceed the amount.
pub fn milestone_bases(amount: Decimal, shares: &[MilestoneShare]) -> Result<Vec<Decimal>, ContractProblem> {
    let paid: Decimal = shares.iter().filter_map(|s| s.paid_base).sum();
    if paid > amount {
        return Err(ContractProblem::BelowPaid { paid });
    }
    let rest = amount - paid;
    let unpaid_percent: Decimal = shares.iter().filter(|s| s.paid_base.is_none()).map(|s| s.percent).sum();
    let last_unpaid = shares.iter().rposition(|s| s.paid_base.is_none());
    let mut given = Decimal::ZERO;
    let mut out = Vec::with_capacity(shares.len());
    for (i, s) in shares.iter().enumerate() {
        let base = match s.paid_base {
            Some(b) => b,
            None if Some(i) == last_unpaid => rest - given,
            None => {
                let b = round_fen(rest * s.percent / unpaid_percent);
                given += b;
                b
            }
        };
        out.push(base);
    }
    Ok(out)
}

/// What an accepted milestone pays: its base times its band's factor.
pub fn milestone_payment(
    base: Decimal,
    bands: &[ScoreBand],
    score: Option<Decimal>,
) -> Result<(Decimal, Decimal), ContractProblem> {
    let factor = match (bands.is_empty(), score) {
        (true, _) => Decimal::ONE,
        (false, None) => return Err(ContractProblem::ScoreRequired),
        (false, Some(s)) => band_factor(bands, check_score(s)?),
    };
    Ok((factor, round_fen(base * factor)))
}

/// A change to a contract in force (合同变更). Nothing is overwritten: the
/// contract's terms are the original ones with the approved amendments
/// applied in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AmendmentInput {
    pub reason: String,
    /// The new total amount, if it changes.
    pub amount: Option<Decimal>,
    /// The new last day, if it changes.
    pub end_on: Option<NaiveDate>,
    /// Needed when the new term is over one year.
    pub term_justification: String,
    /// Other changes agreed, in words (服务内容调整 etc.).
    pub other_changes: String,
}

/// A contract's terms that amendments can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub amount: Decimal,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
}

impl Terms {
    /// These terms with `a` applied.
    pub fn amended(&self, a: &AmendmentInput) -> Terms {
        Terms {
            amount: a.amount.unwrap_or(self.amount),
            start_on: self.start_on,
            end_on: a.end_on.unwrap_or(self.end_on),
        }
    }
}

/// Checks an amendment against the current terms and what milestones paid;
/// returns the new terms.
pub fn check_amendment(current: &Terms, a: &AmendmentInput, paid: Decimal) -> Result<Terms, ContractProblem> {
    if a.reason.trim().is_empty() {
        return Err(ContractProblem::ReasonRequired);
    }
    if !text_ok(&a.reason, MAX_CLAUSE_CHARS)
        || !text_ok(&a.other_changes, MAX_CLAUSE_CHARS)
        || !text_ok(&a.term_justification, MAX_CLAUSE_CHARS)
    {
        return Err(ContractProblem::TooLong);
    }
    let changes_amount = a.amount.is_some_and(|x| x != current.amount);
    let changes_end = a.end_on.is_some_and(|x| x != current.end_on);
    if !changes_amount && !changes_end && a.other_changes.trim().is_empty() {
        return Err(ContractProblem::AmendmentEmpty);
    }
    let next = current.amended(a);
    if !whole_fen_positive(next.amount) {
        return Err(ContractProblem::Amount);
    }
    if next.amount < paid {
        return Err(ContractProblem::BelowPaid { paid });
    }
    check_term(next.start_on, next.end_on, &a.term_justification)?;
    Ok(next)
}

/// The contract number for the `seq`-th contract of `year`.
pub fn contract_number(year: i32, seq: i64) -> String {
    format!("HT-{year}-{seq:03}")
}

/// The project code for the `seq`-th procurement project of `year`.
pub fn project_code(year: i32, seq: i64) -> String {
    format!("CG-{year}-{seq:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    #[test]
    fn a_term_of_one_year_needs_nothing_more() {
        assert_eq!(check_term(day(2026, 1, 1), day(2026, 12, 31), ""), Ok(TermLength::UpToOneYear));
        assert_eq!(check_term(day(2026, 3, 1), day(2026, 3, 1), ""), Ok(TermLength::UpToOneYear));
        assert_eq!(check_term(day(2026, 3, 15), day(2027, 3, 14), ""), Ok(TermLength::UpToOneYear));
        assert_eq!(check_term(day(2026, 3, 2), day(2026, 3, 1), ""), Err(ContractProblem::TermOrder));
    }

    #[test]
    fn over_one_year_needs_a_justification_and_over_three_is_refused() {
        assert_eq!(
            check_term(day(2026, 1, 1), day(2027, 1, 1), ""),
            Err(ContractProblem::JustificationRequired)
        );
        assert_eq!(
            check_term(day(2026, 1, 1), day(2027, 1, 1), "  "),
            Err(ContractProblem::JustificationRequired)
        );
        assert_eq!(
            check_term(day(2026, 1, 1), day(2028, 12, 31), "预算已落实、内容固定"),
            Ok(TermLength::UpToThreeYears)
        );
        assert_eq!(
            check_term(day(2026, 1, 1), day(2029, 1, 1), "预算已落实、内容固定"),
            Err(ContractProblem::TermOverThreeYears)
        );
        // A leap day start: one year ends on 2029-02-28.
        assert_eq!(check_term(day(2028, 2, 29), day(2029, 2, 28), ""), Ok(TermLength::UpToOneYear));
        assert_eq!(
            check_term(day(2028, 2, 29), day(2029, 3, 1), ""),
            Err(ContractProblem::JustificationRequired)
        );
        assert_eq!(check_term(day(2027, 3, 1), day(2028, 2, 29), ""), Ok(TermLength::UpToOneYear));
        assert_eq!(
            check_term(day(2027, 3, 1), day(2028, 3, 1), ""),
            Err(ContractProblem::JustificationRequired)
        );
    }

    fn band(min: &str, factor: &str) -> ScoreBand {
        ScoreBand { min_score: d(min), factor: d(factor) }
    }

    fn issue_bands() -> Vec<ScoreBand> {
        vec![band("0", "0"), band("60", "0.8"), band("80", "1")]
    }

    #[test]
    fn bands_pay_by_score() {
        let b = issue_bands();
        assert!(check_bands(&b));
        assert_eq!(band_factor(&b, d("59.99")), d("0"));
        assert_eq!(band_factor(&b, d("60")), d("0.8"));
        assert_eq!(band_factor(&b, d("79.99")), d("0.8"));
        assert_eq!(band_factor(&b, d("80")), d("1"));
        assert_eq!(band_factor(&b, d("100")), d("1"));
        assert_eq!(band_factor(&[], d("10")), d("1"));
        assert!(check_bands(&[]));
        assert!(!check_bands(&[band("10", "1")]), "must start at 0");
        assert!(!check_bands(&[band("0", "1"), band("60", "0.5")]), "factor falls");
        assert!(!check_bands(&[band("0", "0"), band("60", "0.8"), band("60", "1")]), "minimums repeat");
        assert!(!check_bands(&[band("0", "1.2")]), "factor over 1");
        assert!(!check_bands(&[band("0", "0"), band("101", "1")]), "score over 100");
    }

    #[test]
    fn a_milestone_pays_its_base_times_the_band_factor() {
        let b = issue_bands();
        assert_eq!(milestone_payment(d("120000"), &b, Some(d("85"))), Ok((d("1"), d("120000"))));
        assert_eq!(milestone_payment(d("120000"), &b, Some(d("72.5"))), Ok((d("0.8"), d("96000.00"))));
        assert_eq!(milestone_payment(d("120000"), &b, Some(d("59.5"))), Ok((d("0"), d("0"))));
        assert_eq!(milestone_payment(d("120000"), &b, None), Err(ContractProblem::ScoreRequired));
        assert_eq!(milestone_payment(d("120000"), &b, Some(d("100.01"))), Err(ContractProblem::Score));
        assert_eq!(milestone_payment(d("120000"), &b, Some(d("-1"))), Err(ContractProblem::Score));
        assert_eq!(milestone_payment(d("120000"), &b, Some(d("70.001"))), Err(ContractProblem::Score));
        assert_eq!(milestone_payment(d("333.33"), &[], None), Ok((d("1"), d("333.33"))));
        // Rounding of base × factor is the money rule's (half away from zero).
        assert_eq!(
            milestone_payment(d("0.05"), &[band("0", "0"), band("60", "0.9")], Some(d("60"))),
            Ok((d("0.9"), d("0.05")))
        );
    }

    fn share(p: &str) -> MilestoneShare {
        MilestoneShare { percent: d(p), paid_base: None }
    }

    #[test]
    fn bases_sum_to_the_amount_exactly() {
        let bases = milestone_bases(d("100000.01"), &[share("33.33"), share("33.33"), share("33.34")])
            .expect("bases");
        assert_eq!(bases, vec![d("33330.00"), d("33330.00"), d("33340.01")]);
        assert_eq!(bases.iter().sum::<Decimal>(), d("100000.01"));
        let bases = milestone_bases(d("10"), &[share("33.33"), share("33.33"), share("33.34")]).expect("b");
        assert_eq!(bases.iter().sum::<Decimal>(), d("10"));
    }

    #[test]
    fn after_an_amendment_the_unpaid_milestones_share_the_rest() {
        let shares =
            [MilestoneShare { percent: d("30"), paid_base: Some(d("30000")) }, share("40"), share("30")];
        // The amount grows from 100,000 to 120,000: 90,000 left for 70%.
        let bases = milestone_bases(d("120000"), &shares).expect("bases");
        assert_eq!(bases, vec![d("30000"), d("51428.57"), d("38571.43")]);
        assert_eq!(bases.iter().sum::<Decimal>(), d("120000"));
        assert_eq!(
            milestone_bases(d("20000"), &shares),
            Err(ContractProblem::BelowPaid { paid: d("30000") })
        );
    }

    fn contract() -> ContractInput {
        ContractInput {
            title: "2026年度社会救助服务项目".into(),
            template: ContractTemplate::SocialWorkServices,
            amount: d("360000"),
            start_on: day(2026, 1, 1),
            end_on: day(2026, 12, 31),
            term_justification: String::new(),
            items: vec![
                ItemInput {
                    item_code: "visits".into(),
                    description: "重点对象定期走访".into(),
                    quantity: d("2400"),
                    unit_price: d("100"),
                    indicator: "每名对象每月走访不少于1次".into(),
                },
                ItemInput {
                    item_code: "household_survey".into(),
                    description: "入户调查".into(),
                    quantity: d("800"),
                    unit_price: d("150"),
                    indicator: "15个工作日内完成".into(),
                },
            ],
            milestones: vec![
                MilestoneInput {
                    name: "合同签订".into(),
                    percent: d("30"),
                    due_on: day(2026, 1, 31),
                    condition: "合同签订并提交服务方案".into(),
                    bands: vec![],
                },
                MilestoneInput {
                    name: "中期评估".into(),
                    percent: d("40"),
                    due_on: day(2026, 6, 30),
                    condition: "中期绩效评估".into(),
                    bands: issue_bands(),
                },
                MilestoneInput {
                    name: "终期验收".into(),
                    percent: d("30"),
                    due_on: day(2026, 12, 31),
                    condition: "终期验收".into(),
                    bands: issue_bands(),
                },
            ],
            indicators: vec![
                IndicatorInput {
                    name: "走访完成率".into(),
                    target: "≥95%".into(),
                    weight: d("60"),
                    counts: None,
                },
                IndicatorInput {
                    name: "对象满意度".into(),
                    target: "≥90%".into(),
                    weight: d("40"),
                    counts: None,
                },
            ],
            breach_clauses: vec!["未按约定提供服务的,按日扣减合同价款的千分之一。".into()],
        }
    }

    #[test]
    fn a_well_formed_contract_passes() {
        assert_eq!(check_contract(&contract(), d("360000")), Ok(TermLength::UpToOneYear));
        assert_eq!(
            check_contract(&contract(), d("350000")),
            Err(ContractProblem::OverAward { award: d("350000") })
        );
    }

    #[test]
    fn milestone_percentages_must_sum_to_100() {
        let mut c = contract();
        c.milestones[2].percent = d("29.99");
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::MilestoneSum(d("99.99"))));
        c.milestones[2].percent = d("30.01");
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::MilestoneSum(d("100.01"))));
        c.milestones[2].percent = d("30.001");
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::Milestone(3)));
        let mut c = contract();
        c.milestones[0].percent = d("0");
        c.milestones[1].percent = d("70");
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::Milestone(1)));
        let mut c = contract();
        c.milestones[1].due_on = day(2027, 1, 1);
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::Milestone(2)));
        let mut c = contract();
        c.milestones[1].condition = " ".into();
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::Milestone(2)));
        let mut c = contract();
        c.milestones.clear();
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::MilestonesRequired));
        let mut c = contract();
        c.milestones[1].bands = vec![band("0", "1"), band("50", "0.5")];
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::Bands(2)));
    }

    #[test]
    fn items_belong_to_the_template_and_sum_to_the_amount() {
        let mut c = contract();
        c.items[0].unit_price = d("99.99");
        assert_eq!(
            check_contract(&c, d("360000")),
            Err(ContractProblem::ItemsMismatch { amount: d("360000"), items: d("359976.00") })
        );
        let mut c = contract();
        c.items[0].item_code = "assistant_posts".into();
        assert_eq!(
            check_contract(&c, d("360000")),
            Err(ContractProblem::ItemNotInTemplate("assistant_posts".into()))
        );
        let mut c = contract();
        c.items[0].item_code = "labour_dispatch".into();
        assert_eq!(
            check_contract(&c, d("360000")),
            Err(ContractProblem::UnknownItem("labour_dispatch".into()))
        );
        let mut c = contract();
        c.template = ContractTemplate::AssistantPosts;
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::ItemNotInTemplate("visits".into())));
        let mut c = contract();
        c.items[1].quantity = d("-1");
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::Quantity));
    }

    #[test]
    fn indicators_weigh_100_and_clauses_are_not_empty() {
        let mut c = contract();
        c.indicators[1].weight = d("30");
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::IndicatorWeights(d("90"))));
        let mut c = contract();
        c.breach_clauses.push(String::new());
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::Clause(2)));
        let mut c = contract();
        c.end_on = day(2027, 6, 30);
        assert_eq!(check_contract(&c, d("360000")), Err(ContractProblem::JustificationRequired));
    }

    #[test]
    fn the_states_move_only_forward_along_the_lifecycle() {
        use ContractStatus::*;
        assert!(Draft.may_become(Pending));
        assert!(Pending.may_become(Approved));
        assert!(Pending.may_become(Draft));
        assert!(Approved.may_become(Signed));
        assert!(Signed.may_become(Performing));
        assert!(Performing.may_become(Accepted));
        assert!(Performing.may_become(Terminated));
        assert!(Approved.may_become(Terminated));
        assert!(!Draft.may_become(Approved), "approval only through maker-checker");
        assert!(!Accepted.may_become(Terminated));
        assert!(!Terminated.may_become(Performing));
        assert!(!Signed.may_become(Draft));
        for s in ContractStatus::ALL {
            assert_eq!(ContractStatus::from_code(s.code()), Some(s));
            assert!(!s.may_become(s));
        }
    }

    #[test]
    fn amendments_change_something_for_a_reason_and_keep_the_rules() {
        let t = Terms { amount: d("360000"), start_on: day(2026, 1, 1), end_on: day(2026, 12, 31) };
        let a =
            AmendmentInput {
                reason: "服务对象增加".into(), amount: Some(d("400000")), ..Default::default()
            };
        assert_eq!(check_amendment(&t, &a, d("108000")).map(|n| n.amount), Ok(d("400000")));
        let a = AmendmentInput { reason: String::new(), amount: Some(d("400000")), ..Default::default() };
        assert_eq!(check_amendment(&t, &a, d("0")), Err(ContractProblem::ReasonRequired));
        let a =
            AmendmentInput { reason: "无变化".into(), amount: Some(d("360000")), ..Default::default() };
        assert_eq!(check_amendment(&t, &a, d("0")), Err(ContractProblem::AmendmentEmpty));
        let a = AmendmentInput { reason: "减少".into(), amount: Some(d("100000")), ..Default::default() };
        assert_eq!(
            check_amendment(&t, &a, d("108000")),
            Err(ContractProblem::BelowPaid { paid: d("108000") })
        );
        let a =
            AmendmentInput { reason: "延期".into(), end_on: Some(day(2027, 3, 31)), ..Default::default() };
        assert_eq!(check_amendment(&t, &a, d("0")), Err(ContractProblem::JustificationRequired));
        let a = AmendmentInput {
            reason: "延期".into(),
            end_on: Some(day(2027, 3, 31)),
            term_justification: "预算已落实".into(),
            ..Default::default()
        };
        assert_eq!(check_amendment(&t, &a, d("0")).map(|n| n.end_on), Ok(day(2027, 3, 31)));
        let a = AmendmentInput {
            reason: "延期".into(),
            end_on: Some(day(2029, 1, 1)),
            term_justification: "x".into(),
            ..Default::default()
        };
        assert_eq!(check_amendment(&t, &a, d("0")), Err(ContractProblem::TermOverThreeYears));
    }

    #[test]
    fn numbers_are_padded() {
        assert_eq!(contract_number(2026, 7), "HT-2026-007");
        assert_eq!(project_code(2026, 12), "CG-2026-012");
    }
}
