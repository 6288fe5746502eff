//! Deliverables: the recipients register, service records and their
//! evidence, periodic reports and their review. Rules are in
//! [`crate::domain::service`].
//!
//! **Who sees what.** Bureau staff see everything in their district. A
//! town user sees its town's recipients and the records made for them. A
//! provider sees its own organisation's contracts, records and reports,
//! and the recipients living in the service areas of its contracts that
//! are signed, being performed or finished: which providers serve whom
//! follows from the contracts. Identity numbers are whole for finance and
//! the administrator only.
//!
//! **Writes.** Finance (anywhere) and towns (their own town) keep the
//! register; providers write records, evidence and reports; finance
//! reviews reports. An accepted report naming a milestone becomes that
//! milestone's acceptance ([`super::contracts::accept_milestone`]), which
//! goes to the approver and then releases the payment.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::contracts::{self as contract_db, ContractError, ContractRow, NewAcceptance};
use super::schema::{
    contract_areas, contract_indicators, contract_items, contracts, households, milestone_acceptances,
    recipients, report_lines, service_evidence, service_records, service_reports,
};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::domain::access::{Principal, Role};
use crate::domain::contract::{ContractStatus, Counted};
use crate::domain::service::{
    Area, Grade, HouseholdChoice, Priority, RecipientField, RecipientInput, RecipientProblem, RecordContext,
    RecordFact, RecordField, RecordInput, RecordProblem, RedFlag, ReportProblem, ServiceFault, check_period,
    check_recipient, check_record, ends_at, evaluate, progress, red_flags, suggested_score, target_to_date,
    to_minute,
};

/// Why a deliverables write is refused.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("refused: {0:?}")]
    Refused(ServiceFault),
    /// Import rows refused: (row index from 0, field, problem).
    #[error("{} rows refused", .0.len())]
    Rows(Vec<(usize, RecordField, RecordProblem)>),
    #[error("out of scope")]
    OutOfScope,
    #[error(transparent)]
    Contract(#[from] ContractError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Db(e.into())
    }
}

fn report_refused(p: ReportProblem) -> ServiceError {
    ServiceError::Refused(ServiceFault::Report(p))
}

fn record_refused(field: RecordField, p: RecordProblem) -> ServiceError {
    ServiceError::Refused(ServiceFault::Record(vec![(field, p)]))
}

/// Statuses under which a contract's services are delivered and seen.
const SERVING: [&str; 3] = ["signed", "performing", "accepted"];

/// Now on the district's wall clock, to the minute.
pub fn now_local() -> NaiveDateTime {
    to_minute(crate::domain::calendar::china_time(chrono::Utc::now().naive_utc()))
}

// --- Areas and scope -------------------------------------------------------

/// The service areas of `contract_ids` (a town's contract: its town; a
/// bureau contract: its listed towns, or the whole district).
pub fn areas(conn: &mut AnyConnection, list: &[ContractRow]) -> Result<HashMap<i64, Area>, DbError> {
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let mut listed: HashMap<i64, Vec<i64>> = HashMap::new();
    for (c, t) in contract_areas::table
        .filter(contract_areas::contract_id.eq_any(&ids))
        .select((contract_areas::contract_id, contract_areas::town_id))
        .load::<(i64, i64)>(conn)?
    {
        listed.entry(c).or_default().push(t);
    }
    Ok(list
        .iter()
        .map(|c| {
            let area = match (c.town_id, listed.remove(&c.id)) {
                (Some(t), _) => Area::Towns(vec![t]),
                (None, Some(mut towns)) => {
                    towns.sort_unstable();
                    Area::Towns(towns)
                }
                (None, None) => Area::WholeDistrict,
            };
            (c.id, area)
        })
        .collect())
}

/// Sets a bureau contract's service area (finance; none: the whole
/// district). Not for a town's own contract, which serves its town.
pub fn set_area(
    tx: &mut Tx<'_>,
    who: &Principal,
    contract_id: i64,
    towns: &[i64],
) -> Result<(), ServiceError> {
    if !who.has(Role::Finance) {
        return Err(ServiceError::OutOfScope);
    }
    let c = contract_db::load_in(tx.conn(), who.district_id, contract_id)?;
    if c.town_id.is_some() {
        return Err(ServiceError::OutOfScope);
    }
    let before: Vec<i64> = contract_areas::table
        .filter(contract_areas::contract_id.eq(c.id))
        .select(contract_areas::town_id)
        .load(tx.conn())?;
    diesel::delete(contract_areas::table.filter(contract_areas::contract_id.eq(c.id))).execute(tx.conn())?;
    let mut towns = towns.to_vec();
    towns.sort_unstable();
    towns.dedup();
    for t in &towns {
        diesel::insert_into(contract_areas::table)
            .values((
                contract_areas::district_id.eq(who.district_id),
                contract_areas::contract_id.eq(c.id),
                contract_areas::town_id.eq(*t),
            ))
            .execute(tx.conn())?;
    }
    tx.record(
        Change::new("update", "contract_areas", c.id)
            .district(who.district_id)
            .before(serde_json::json!({ "towns": before }))
            .after(serde_json::json!({ "towns": towns })),
    );
    Ok(())
}

/// The contracts a provider serves under (signed, performing, finished).
pub fn serving_contracts(conn: &mut AnyConnection, who: &Principal) -> Result<Vec<ContractRow>, DbError> {
    let Some(supplier_id) = who.supplier_id.filter(|_| who.has(Role::Provider)) else {
        return Ok(Vec::new());
    };
    Ok(contracts::table
        .filter(contracts::district_id.eq(who.district_id))
        .filter(contracts::supplier_id.eq(supplier_id))
        .filter(contracts::status.eq_any(SERVING))
        .order(contracts::id.asc())
        .select(ContractRow::as_select())
        .load(conn)?)
}

/// The towns whose recipients `who` may see: `None` for the whole
/// district.
pub fn recipient_towns(conn: &mut AnyConnection, who: &Principal) -> Result<Option<HashSet<i64>>, DbError> {
    if who.sees_whole_district() {
        return Ok(None);
    }
    let mut towns = HashSet::new();
    if who.has(Role::Town)
        && let Some(t) = who.town_id
    {
        towns.insert(t);
    }
    if who.has(Role::Provider) {
        let list = serving_contracts(conn, who)?;
        for area in areas(conn, &list)?.into_values() {
            match area {
                Area::WholeDistrict => return Ok(None),
                Area::Towns(t) => towns.extend(t),
            }
        }
    }
    Ok(Some(towns))
}

/// Whole identity numbers: finance and the administrator only.
pub fn sees_id_numbers(who: &Principal) -> bool {
    who.has(Role::Finance) || who.has(Role::Admin)
}

// --- Recipients ------------------------------------------------------------

/// A household as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = households)]
pub struct HouseholdRow {
    pub id: i64,
    pub district_id: i64,
    pub town_id: i64,
    pub village: String,
    pub address: String,
    pub version: i32,
}

/// A recipient as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = recipients)]
pub struct RecipientRow {
    pub id: i64,
    pub district_id: i64,
    pub household_id: i64,
    pub name: String,
    pub id_number: String,
    pub category: String,
    pub priority: String,
    pub active: bool,
    pub version: i32,
}

impl RecipientRow {
    pub fn priority(&self) -> Vec<Priority> {
        Priority::parse_list(&self.priority)
    }
}

/// The recipients `who` may see (of `town` only, if given), by town,
/// village and name.
pub fn recipients(
    conn: &mut AnyConnection,
    who: &Principal,
    town: Option<i64>,
) -> Result<Vec<(RecipientRow, HouseholdRow)>, DbError> {
    let scope = recipient_towns(conn, who)?;
    let mut q = recipients::table
        .inner_join(households::table)
        .filter(recipients::district_id.eq(who.district_id))
        .into_boxed();
    if let Some(t) = town {
        q = q.filter(households::town_id.eq(t));
    }
    if let Some(towns) = &scope {
        q = q.filter(households::town_id.eq_any(towns.iter().copied().collect::<Vec<_>>()));
    }
    Ok(q.order((households::town_id.asc(), households::village.asc(), recipients::name.asc()))
        .select((RecipientRow::as_select(), HouseholdRow::as_select()))
        .load(conn)?)
}

/// One recipient, if `who` may see them.
pub fn recipient(
    conn: &mut AnyConnection,
    who: &Principal,
    id: i64,
) -> Result<Option<(RecipientRow, HouseholdRow)>, DbError> {
    let found = recipients::table
        .inner_join(households::table)
        .filter(recipients::district_id.eq(who.district_id))
        .filter(recipients::id.eq(id))
        .select((RecipientRow::as_select(), HouseholdRow::as_select()))
        .first::<(RecipientRow, HouseholdRow)>(conn)
        .optional()?;
    let scope = recipient_towns(conn, who)?;
    Ok(found.filter(|(_, h)| scope.as_ref().is_none_or(|s| s.contains(&h.town_id))))
}

fn keeps_register(who: &Principal, town_id: i64) -> bool {
    who.has(Role::Finance) || (who.has(Role::Town) && who.town_id == Some(town_id))
}

/// Registers a person (finance; a town user in their town); returns the id.
pub fn register(tx: &mut Tx<'_>, who: &Principal, r: &RecipientInput) -> Result<i64, ServiceError> {
    let id_number = check_recipient(r).map_err(|p| ServiceError::Refused(ServiceFault::Recipient(p)))?;
    let household_id = match &r.household {
        HouseholdChoice::Existing(h) => {
            let h: HouseholdRow = households::table
                .filter(households::district_id.eq(who.district_id))
                .filter(households::id.eq(*h))
                .select(HouseholdRow::as_select())
                .first(tx.conn())
                .optional()?
                .ok_or(ServiceError::Refused(ServiceFault::Recipient(vec![(
                    RecipientField::Village,
                    RecipientProblem::Required,
                )])))?;
            if !keeps_register(who, h.town_id) {
                return Err(ServiceError::OutOfScope);
            }
            h.id
        }
        HouseholdChoice::New { town_id, village, address } => {
            let town_ok = super::district::town_names(tx.conn(), who.district_id)?.contains_key(town_id);
            if !town_ok {
                return Err(ServiceError::Refused(ServiceFault::Recipient(vec![(
                    RecipientField::Town,
                    RecipientProblem::Required,
                )])));
            }
            if !keeps_register(who, *town_id) {
                return Err(ServiceError::OutOfScope);
            }
            let id: i64 = diesel::insert_into(households::table)
                .values((
                    households::district_id.eq(who.district_id),
                    households::town_id.eq(*town_id),
                    households::village.eq(village.trim()),
                    households::address.eq(address.trim()),
                    households::created_by.eq(Some(who.user_id)),
                ))
                .returning(households::id)
                .get_result(tx.conn())?;
            tx.record(Change::new("create", "households", id).district(who.district_id).after(
                serde_json::json!({ "town_id": town_id, "village": village.trim(), "address": address.trim() }),
            ));
            id
        }
    };
    let taken: i64 = recipients::table
        .filter(recipients::district_id.eq(who.district_id))
        .filter(recipients::id_number.eq(id_number.as_str()))
        .count()
        .get_result(tx.conn())?;
    if taken > 0 {
        return Err(ServiceError::Refused(ServiceFault::Recipient(vec![(
            RecipientField::IdNumber,
            RecipientProblem::Duplicate,
        )])));
    }
    let id: i64 = diesel::insert_into(recipients::table)
        .values((
            recipients::district_id.eq(who.district_id),
            recipients::household_id.eq(household_id),
            recipients::name.eq(r.name.trim()),
            recipients::id_number.eq(id_number.as_str()),
            recipients::category.eq(r.category.code()),
            recipients::priority.eq(Priority::join(&r.priority)),
            recipients::created_by.eq(Some(who.user_id)),
        ))
        .returning(recipients::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "recipients", id).district(who.district_id).after(serde_json::json!({
        "household_id": household_id,
        "name": r.name.trim(),
        "id_number": id_number.masked(),
        "category": r.category.code(),
        "priority": Priority::join(&r.priority),
    })));
    Ok(id)
}

/// Changes a person's priority groups and whether they still receive
/// assistance (finance; a town user in their town).
pub fn set_recipient(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    priority: &[Priority],
    active: bool,
) -> Result<(), ServiceError> {
    let (r, h) = recipient(tx.conn(), who, id)?.ok_or(DbError::NotFound)?;
    if !keeps_register(who, h.town_id) {
        return Err(ServiceError::OutOfScope);
    }
    let n = diesel::update(
        recipients::table.filter(recipients::id.eq(id)).filter(recipients::version.eq(version)),
    )
    .set((
        recipients::priority.eq(Priority::join(priority)),
        recipients::active.eq(active),
        recipients::version.eq(version + 1),
    ))
    .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    tx.record(
        Change::new("update", "recipients", id)
            .district(who.district_id)
            .before(serde_json::json!({ "priority": r.priority, "active": r.active }))
            .after(serde_json::json!({ "priority": Priority::join(priority), "active": active })),
    );
    Ok(())
}

// --- Service records -------------------------------------------------------

/// A service record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = service_records)]
pub struct RecordRow {
    pub id: i64,
    pub district_id: i64,
    pub contract_id: i64,
    pub supplier_id: i64,
    pub recipient_id: Option<i64>,
    pub town_id: Option<i64>,
    pub service_code: String,
    pub started_at: NaiveDateTime,
    pub minutes: i32,
    pub worker: String,
    pub notes: String,
    pub latitude_micro: Option<i64>,
    pub longitude_micro: Option<i64>,
    pub keep_location: bool,
    pub source: String,
    pub external_id: Option<String>,
    pub voided_at: Option<NaiveDateTime>,
    pub void_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

impl RecordRow {
    pub fn visible_to(&self, who: &Principal) -> bool {
        who.district_id == self.district_id
            && (who.sees_whole_district()
                || (who.has(Role::Provider) && who.supplier_id == Some(self.supplier_id))
                || (who.has(Role::Town) && who.town_id.is_some() && who.town_id == self.town_id))
    }
}

/// Everything a provider's records are checked against, loaded once (a
/// bulk import checks thousands of rows against it).
pub struct Checker {
    supplier_id: i64,
    contracts: HashMap<i64, RecordContext>,
    /// Visible recipients: their town and household.
    recipients: HashMap<i64, (i64, i64)>,
}

impl Checker {
    /// For provider `who`, as of now, with every recipient it may serve
    /// (an import checks thousands of rows against them).
    pub fn load(conn: &mut AnyConnection, who: &Principal) -> Result<Checker, ServiceError> {
        Checker::read(conn, who, None)
    }

    /// For one record: only its recipient is read.
    fn for_record(
        conn: &mut AnyConnection,
        who: &Principal,
        r: &RecordInput,
    ) -> Result<Checker, ServiceError> {
        Checker::read(conn, who, Some(r.recipient_id))
    }

    fn read(
        conn: &mut AnyConnection,
        who: &Principal,
        only: Option<Option<i64>>,
    ) -> Result<Checker, ServiceError> {
        let supplier_id =
            who.supplier_id.filter(|_| who.has(Role::Provider)).ok_or(ServiceError::OutOfScope)?;
        let list = serving_contracts(conn, who)?;
        let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
        let mut items: HashMap<i64, Vec<String>> = HashMap::new();
        for (c, code) in contract_items::table
            .filter(contract_items::contract_id.eq_any(&ids))
            .select((contract_items::contract_id, contract_items::item_code))
            .load::<(i64, String)>(conn)?
        {
            items.entry(c).or_default().push(code);
        }
        let now = now_local();
        let contracts = list
            .iter()
            .map(|c| {
                let active = matches!(c.status(), Ok(ContractStatus::Signed | ContractStatus::Performing));
                let ctx = RecordContext {
                    term_from: c.start_on,
                    term_to: c.ended_on.unwrap_or(c.current_end_on).min(c.current_end_on),
                    active,
                    items: items.remove(&c.id).unwrap_or_default(),
                    now,
                };
                (c.id, ctx)
            })
            .collect();
        let people = match only {
            None => recipients(conn, who, None)?,
            Some(id) => id.map(|id| recipient(conn, who, id)).transpose()?.flatten().into_iter().collect(),
        };
        let recipients =
            people.into_iter().filter(|(r, _)| r.active).map(|(r, h)| (r.id, (h.town_id, h.id))).collect();
        Ok(Checker { supplier_id, contracts, recipients })
    }

    /// Checks one record; the recipient's town when good.
    pub fn check(&self, r: &RecordInput) -> Result<Option<i64>, Vec<(RecordField, RecordProblem)>> {
        let Some(ctx) = self.contracts.get(&r.contract_id) else {
            return Err(vec![(RecordField::Contract, RecordProblem::Required)]);
        };
        let mut problems = check_record(r, ctx).err().unwrap_or_default();
        let town = match r.recipient_id {
            None => None,
            Some(id) => match self.recipients.get(&id) {
                Some((town, _)) => Some(*town),
                None => {
                    if !problems.iter().any(|(f, _)| *f == RecordField::Recipient) {
                        problems.push((RecordField::Recipient, RecordProblem::UnknownRecipient));
                    }
                    None
                }
            },
        };
        if problems.is_empty() { Ok(town) } else { Err(problems) }
    }
}

/// How a record arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    Web,
    Xlsx,
    Api,
    Demo,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Web => "web",
            Source::Xlsx => "xlsx",
            Source::Api => "api",
            Source::Demo => "demo",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = service_records)]
struct NewRecordRow<'a> {
    district_id: i64,
    contract_id: i64,
    supplier_id: i64,
    recipient_id: Option<i64>,
    town_id: Option<i64>,
    service_code: &'a str,
    started_at: NaiveDateTime,
    minutes: i32,
    worker: &'a str,
    notes: &'a str,
    latitude_micro: Option<i64>,
    longitude_micro: Option<i64>,
    keep_location: bool,
    source: &'a str,
    external_id: Option<&'a str>,
    created_by: Option<i64>,
}

fn new_row<'a>(
    who: &Principal,
    supplier_id: i64,
    r: &'a RecordInput,
    town_id: Option<i64>,
    source: Source,
) -> NewRecordRow<'a> {
    NewRecordRow {
        district_id: who.district_id,
        contract_id: r.contract_id,
        supplier_id,
        recipient_id: r.recipient_id,
        town_id,
        service_code: &r.service_code,
        started_at: to_minute(r.started_at),
        minutes: r.minutes as i32,
        worker: r.worker.trim(),
        notes: r.notes.trim(),
        latitude_micro: r.location.map(|l| l.lat_micro),
        longitude_micro: r.location.map(|l| l.lon_micro),
        keep_location: r.keep_location && r.location.is_some(),
        source: source.code(),
        external_id: r.external_id.as_deref().map(str::trim),
        created_by: Some(who.user_id),
    }
}

fn same_record(row: &RecordRow, r: &RecordInput) -> bool {
    row.contract_id == r.contract_id
        && row.recipient_id == r.recipient_id
        && row.service_code == r.service_code
        && row.started_at == to_minute(r.started_at)
        && row.minutes == r.minutes as i32
        && row.worker == r.worker.trim()
}

/// Records one service (a provider); returns its id and whether it is new.
/// A record sent again with the same `external_id` and the same content
/// is the one already stored; with other content it is refused.
pub fn create_record(
    tx: &mut Tx<'_>,
    who: &Principal,
    r: &RecordInput,
    source: Source,
) -> Result<(i64, bool), ServiceError> {
    let checker = Checker::for_record(tx.conn(), who, r)?;
    if let Some(x) = r.external_id.as_deref().map(str::trim) {
        let before = service_records::table
            .filter(service_records::supplier_id.eq(checker.supplier_id))
            .filter(service_records::external_id.eq(x))
            .select(RecordRow::as_select())
            .first::<RecordRow>(tx.conn())
            .optional()?;
        if let Some(row) = before {
            return if same_record(&row, r) {
                tx.nothing_changed();
                Ok((row.id, false))
            } else {
                Err(record_refused(RecordField::ExternalId, RecordProblem::ExternalIdReused))
            };
        }
    }
    let town = checker.check(r).map_err(|p| ServiceError::Refused(ServiceFault::Record(p)))?;
    let id: i64 = diesel::insert_into(service_records::table)
        .values(new_row(who, checker.supplier_id, r, town, source))
        .returning(service_records::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "service_records", id).district(who.district_id).after(
        serde_json::json!({
            "contract_id": r.contract_id,
            "recipient_id": r.recipient_id,
            "service_code": r.service_code,
            "started_at": to_minute(r.started_at),
            "minutes": r.minutes,
            "worker": r.worker.trim(),
            "source": source.code(),
            "external_id": r.external_id,
        }),
    ));
    Ok((id, true))
}

/// Records many services at once (an import): every row is checked first
/// and nothing is stored unless all pass. `note` names the batch in the
/// audit log (the file's SHA-256, say).
pub fn create_records(
    tx: &mut Tx<'_>,
    who: &Principal,
    rows: &[RecordInput],
    source: Source,
    note: &str,
) -> Result<usize, ServiceError> {
    let checker = Checker::load(tx.conn(), who)?;
    let mut problems = Vec::new();
    let mut towns = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        match checker.check(r) {
            Ok(t) => towns.push(t),
            Err(p) => problems.extend(p.into_iter().map(|(f, p)| (i, f, p))),
        }
    }
    let ids: Vec<&str> = rows.iter().filter_map(|r| r.external_id.as_deref().map(str::trim)).collect();
    if !ids.is_empty() {
        let mut seen = HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            if let Some(x) = r.external_id.as_deref().map(str::trim)
                && !seen.insert(x)
            {
                problems.push((i, RecordField::ExternalId, RecordProblem::ExternalIdReused));
            }
        }
        // The supplier's external ids in one read, checked in memory: a
        // long `= ANY(...)` list is planned as a scan over the whole table
        // when PostgreSQL's statistics still think it small (right after a
        // big import), which made the tenth 10,000-row import take 19 s.
        let taken: HashSet<String> = service_records::table
            .filter(service_records::supplier_id.eq(checker.supplier_id))
            .filter(service_records::external_id.is_not_null())
            .select(service_records::external_id.assume_not_null())
            .load::<String>(tx.conn())?
            .into_iter()
            .collect();
        for (i, r) in rows.iter().enumerate() {
            if r.external_id.as_deref().is_some_and(|x| taken.contains(x.trim())) {
                problems.push((i, RecordField::ExternalId, RecordProblem::ExternalIdReused));
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|(i, f, _)| (*i, *f as u8));
        return Err(ServiceError::Rows(problems));
    }
    let new: Vec<NewRecordRow<'_>> =
        rows.iter().zip(&towns).map(|(r, t)| new_row(who, checker.supplier_id, r, *t, source)).collect();
    match tx.conn() {
        // SQLite has no multi-row insert through diesel; prepared single
        // rows in one transaction are fast there.
        AnyConnection::Sqlite(conn) => {
            for row in &new {
                diesel::insert_into(service_records::table).values(row).execute(conn)?;
            }
        }
        // 16 parameters a row: 1,000 rows stay far below 65,535.
        AnyConnection::Postgresql(conn) => {
            for chunk in new.chunks(1_000) {
                diesel::insert_into(service_records::table).values(chunk).execute(conn)?;
            }
        }
    }
    tx.record(Change::new("import", "service_records", note).district(who.district_id).after(
        serde_json::json!({ "rows": rows.len(), "source": source.code(), "supplier_id": checker.supplier_id }),
    ));
    Ok(rows.len())
}

/// Is record `id` in a report that is under review or accepted?
fn reported(conn: &mut AnyConnection, row: &RecordRow) -> Result<bool, DbError> {
    let day = row.started_at.date();
    let n: i64 = service_reports::table
        .filter(service_reports::contract_id.eq(row.contract_id))
        .filter(service_reports::status.eq_any(["submitted", "accepted"]))
        .filter(service_reports::period_from.le(day))
        .filter(service_reports::period_to.ge(day))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// One record, if `who` may see it.
pub fn record(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<Option<RecordRow>, DbError> {
    Ok(service_records::table
        .filter(service_records::district_id.eq(who.district_id))
        .filter(service_records::id.eq(id))
        .select(RecordRow::as_select())
        .first::<RecordRow>(conn)
        .optional()?
        .filter(|r| r.visible_to(who)))
}

fn own_record(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<RecordRow, ServiceError> {
    let row = record(conn, who, id)?.ok_or(DbError::NotFound)?;
    if !who.has(Role::Provider) || who.supplier_id != Some(row.supplier_id) {
        return Err(ServiceError::OutOfScope);
    }
    Ok(row)
}

/// Voids a record (its provider), with a reason; not once a report
/// covering it is under review or accepted.
pub fn void_record(tx: &mut Tx<'_>, who: &Principal, id: i64, reason: &str) -> Result<(), ServiceError> {
    let row = own_record(tx.conn(), who, id)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(record_refused(RecordField::Notes, RecordProblem::Required));
    }
    if row.voided_at.is_some() {
        return Err(DbError::Stale.into());
    }
    if reported(tx.conn(), &row)? {
        return Err(report_refused(ReportProblem::Reviewed));
    }
    diesel::update(service_records::table.find(id))
        .set((
            service_records::voided_at.eq(Some(chrono::Utc::now().naive_utc())),
            service_records::void_reason.eq(Some(reason)),
        ))
        .execute(tx.conn())?;
    tx.record(
        Change::new("void", "service_records", id)
            .district(who.district_id)
            .after(serde_json::json!({ "reason": reason })),
    );
    Ok(())
}

/// Which records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFilter {
    pub contract_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub include_voided: bool,
    /// At most this many, newest first (0: all).
    pub limit: i64,
    /// Only records with an id above this (paging through an export).
    pub after_id: Option<i64>,
}

/// Records `who` may see, newest first.
pub fn records(
    conn: &mut AnyConnection,
    who: &Principal,
    f: &RecordFilter,
) -> Result<Vec<RecordRow>, DbError> {
    let mut q = service_records::table.filter(service_records::district_id.eq(who.district_id)).into_boxed();
    if !who.sees_whole_district() {
        if who.has(Role::Provider) {
            q = q.filter(service_records::supplier_id.eq(who.supplier_id.unwrap_or(-1)));
        } else if who.has(Role::Town) {
            q = q.filter(service_records::town_id.eq(who.town_id.unwrap_or(-1)));
        } else {
            return Ok(Vec::new());
        }
    }
    if let Some(c) = f.contract_id {
        q = q.filter(service_records::contract_id.eq(c));
    }
    if let Some(d) = f.from {
        q = q.filter(service_records::started_at.ge(d.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some(d) = f.to {
        q = q
            .filter(service_records::started_at.lt((d + Duration::days(1)).and_time(chrono::NaiveTime::MIN)));
    }
    if !f.include_voided {
        q = q.filter(service_records::voided_at.is_null());
    }
    if let Some(a) = f.after_id {
        q = q.filter(service_records::id.gt(a)).order(service_records::id.asc());
    } else {
        q = q.order((service_records::started_at.desc(), service_records::id.desc()));
    }
    if f.limit > 0 {
        q = q.limit(f.limit);
    }
    Ok(q.select(RecordRow::as_select()).load(conn)?)
}

// --- Evidence --------------------------------------------------------------

/// An evidence file as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = service_evidence)]
pub struct EvidenceRow {
    pub id: i64,
    pub district_id: i64,
    pub record_id: i64,
    pub sha256: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub display_name: String,
    pub location_removed: bool,
}

/// An uploaded file, already checked and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub sha256: String,
    pub media_type: &'static str,
    pub size_bytes: i64,
    pub display_name: String,
    pub location_removed: bool,
}

/// Does record `id` keep its photos' location on purpose? (Its provider
/// only; answered before the upload is stored.)
pub fn keeps_location(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<bool, ServiceError> {
    Ok(own_record(conn, who, id)?.keep_location)
}

/// Attaches a stored file to record `id` (its provider).
pub fn add_evidence(
    tx: &mut Tx<'_>,
    who: &Principal,
    record_id: i64,
    e: &NewEvidence,
) -> Result<i64, ServiceError> {
    let row = own_record(tx.conn(), who, record_id)?;
    if row.voided_at.is_some() || reported(tx.conn(), &row)? {
        return Err(report_refused(ReportProblem::Reviewed));
    }
    let id: i64 = diesel::insert_into(service_evidence::table)
        .values((
            service_evidence::district_id.eq(who.district_id),
            service_evidence::record_id.eq(record_id),
            service_evidence::sha256.eq(&e.sha256),
            service_evidence::media_type.eq(e.media_type),
            service_evidence::size_bytes.eq(e.size_bytes),
            service_evidence::display_name.eq(&e.display_name),
            service_evidence::location_removed.eq(e.location_removed),
            service_evidence::uploaded_by.eq(Some(who.user_id)),
        ))
        .returning(service_evidence::id)
        .get_result(tx.conn())?;
    tx.record(Change::new("create", "service_evidence", id).district(who.district_id).after(
        serde_json::json!({
            "record_id": record_id,
            "sha256": e.sha256,
            "media_type": e.media_type,
            "size_bytes": e.size_bytes,
            "name": e.display_name,
            "location_removed": e.location_removed,
        }),
    ));
    Ok(id)
}

/// One evidence file, if `who` may see its record.
pub fn evidence(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<Option<EvidenceRow>, DbError> {
    let found = service_evidence::table
        .filter(service_evidence::district_id.eq(who.district_id))
        .filter(service_evidence::id.eq(id))
        .select(EvidenceRow::as_select())
        .first::<EvidenceRow>(conn)
        .optional()?;
    match found {
        Some(e) if record(conn, who, e.record_id)?.is_some() => Ok(Some(e)),
        _ => Ok(None),
    }
}

/// The evidence of `records`.
pub fn evidence_of(conn: &mut AnyConnection, record_ids: &[i64]) -> Result<Vec<EvidenceRow>, DbError> {
    let mut out = Vec::new();
    for chunk in record_ids.chunks(1000) {
        out.extend(
            service_evidence::table
                .filter(service_evidence::record_id.eq_any(chunk))
                .order(service_evidence::id.asc())
                .select(EvidenceRow::as_select())
                .load::<EvidenceRow>(conn)?,
        );
    }
    Ok(out)
}

// --- Facts, progress and red flags ----------------------------------------

/// The columns [`facts`] reads.
type FactRow = (i64, i64, i64, Option<i64>, Option<i64>, Option<i64>, String, String, NaiveDateTime, i32);

/// Non-voided records of the district started in `[from, to]` (of
/// `contract_id` only, if given), as the checks see them.
pub fn facts(
    conn: &mut AnyConnection,
    district_id: i64,
    contract_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RecordFact>, DbError> {
    let mut q = service_records::table
        .left_join(recipients::table)
        .filter(service_records::district_id.eq(district_id))
        .filter(service_records::voided_at.is_null())
        .filter(service_records::started_at.ge(from.and_time(chrono::NaiveTime::MIN)))
        .filter(service_records::started_at.lt((to + Duration::days(1)).and_time(chrono::NaiveTime::MIN)))
        .into_boxed();
    if let Some(c) = contract_id {
        q = q.filter(service_records::contract_id.eq(c));
    }
    let rows: Vec<FactRow> = q
        .select((
            service_records::id,
            service_records::supplier_id,
            service_records::contract_id,
            service_records::recipient_id,
            recipients::household_id.nullable(),
            service_records::town_id,
            service_records::service_code,
            service_records::worker,
            service_records::started_at,
            service_records::minutes,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                supplier_id,
                contract_id,
                recipient_id,
                household_id,
                town_id,
                service_code,
                worker,
                started_at,
                m,
            )| {
                RecordFact {
                    id,
                    supplier_id,
                    contract_id,
                    recipient_id,
                    household_id,
                    town_id,
                    service_code,
                    worker,
                    started_at,
                    minutes: m.max(0) as u32,
                }
            },
        )
        .collect())
}

/// The red flags touching the records of contract `contract_id` (every
/// contract, if none) started in `[from, to]`: the checks run over the
/// whole district's records of the period (and a day either side), so a
/// clash with another organisation's record is found.
pub fn flags(
    conn: &mut AnyConnection,
    district_id: i64,
    contract_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RedFlag>, DbError> {
    // A day either side, for what crosses midnight.
    let (first_day, last_day) = (from - Duration::days(1), to + Duration::days(1));
    let all = facts(conn, district_id, None, first_day, last_day)?;
    let first = from.and_time(chrono::NaiveTime::MIN);
    let last = (to + Duration::days(1)).and_time(chrono::NaiveTime::MIN);
    let subject: HashSet<i64> = all
        .iter()
        .filter(|r| contract_id.is_none_or(|c| r.contract_id == c))
        .filter(|r| r.started_at >= first && ends_at(r.started_at, r.minutes) > first && r.started_at < last)
        .map(|r| r.id)
        .collect();
    // The evidence of those records, in one read over the same days
    // (not a list of thousands of record ids).
    let mut files: Vec<(i64, String)> = service_evidence::table
        .inner_join(service_records::table)
        .filter(service_records::district_id.eq(district_id))
        .filter(service_records::voided_at.is_null())
        .filter(service_records::started_at.ge(first_day.and_time(chrono::NaiveTime::MIN)))
        .filter(
            service_records::started_at.lt((last_day + Duration::days(1)).and_time(chrono::NaiveTime::MIN)),
        )
        .select((service_evidence::record_id, service_evidence::sha256))
        .load(conn)?;
    // The same file on a record outside the period counts too.
    let shas: Vec<String> =
        files.iter().map(|(_, s)| s.clone()).collect::<HashSet<_>>().into_iter().collect();
    for chunk in shas.chunks(500) {
        let more: Vec<(i64, String)> = service_evidence::table
            .inner_join(service_records::table)
            .filter(service_evidence::district_id.eq(district_id))
            .filter(service_evidence::sha256.eq_any(chunk))
            .filter(service_records::voided_at.is_null())
            .select((service_evidence::record_id, service_evidence::sha256))
            .load(conn)?;
        files.extend(more);
    }
    files.sort();
    files.dedup();
    let contract_ids: HashSet<i64> = all.iter().map(|r| r.contract_id).collect();
    let list: Vec<ContractRow> = contracts::table
        .filter(contracts::id.eq_any(contract_ids.into_iter().collect::<Vec<_>>()))
        .select(ContractRow::as_select())
        .load(conn)?;
    let areas = areas(conn, &list)?;
    Ok(red_flags(&all, &files, &areas)
        .into_iter()
        .filter(|f| f.records().iter().any(|r| subject.contains(r)))
        .collect())
}

/// One indicator of a contract, as progress and reports see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorLine {
    pub line_no: i32,
    pub name: String,
    pub target: String,
    pub weight: Decimal,
    pub counts: Option<Counted>,
}

/// The indicators of contract `id`.
pub fn indicators(conn: &mut AnyConnection, contract_id: i64) -> Result<Vec<IndicatorLine>, DbError> {
    Ok(contract_indicators::table
        .filter(contract_indicators::contract_id.eq(contract_id))
        .order(contract_indicators::line_no.asc())
        .select((
            contract_indicators::line_no,
            contract_indicators::name,
            contract_indicators::target,
            contract_indicators::weight_centi,
            contract_indicators::service_code,
            contract_indicators::target_qty,
        ))
        .load::<(i32, String, String, i32, Option<String>, Option<i64>)>(conn)?
        .into_iter()
        .map(|(line_no, name, target, w, code, qty)| IndicatorLine {
            line_no,
            name,
            target,
            weight: Decimal::new(i64::from(w), 2),
            counts: code.zip(qty).map(|(service_code, q)| Counted {
                service_code,
                target: u32::try_from(q).unwrap_or(u32::MAX),
            }),
        })
        .collect())
}

// --- Reports ---------------------------------------------------------------

/// A report as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = service_reports)]
pub struct ReportRow {
    pub id: i64,
    pub district_id: i64,
    pub contract_id: i64,
    pub supplier_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub milestone_id: Option<i64>,
    pub summary: String,
    pub status: String,
    pub submitted_at: NaiveDateTime,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_comment: Option<String>,
    pub total_centi: Option<i32>,
    pub grade: Option<String>,
    pub acceptance_id: Option<i64>,
    pub version: i32,
}

impl ReportRow {
    pub fn total(&self) -> Option<Decimal> {
        self.total_centi.map(|t| Decimal::new(i64::from(t), 2))
    }

    pub fn grade(&self) -> Option<Grade> {
        self.grade.as_deref().and_then(Grade::from_code)
    }
}

/// A report's line: the indicator, what the records measured, what was
/// due, the provider's account and the reviewer's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    pub indicator: IndicatorLine,
    pub measured: Option<Decimal>,
    /// The target due by the period's end (pro rata over the term).
    pub due: Option<Decimal>,
    pub suggested: Option<Decimal>,
    pub statement: String,
    pub score: Option<Decimal>,
}

/// A report as submitted by the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReport {
    pub contract_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub milestone_id: Option<i64>,
    pub summary: String,
    /// The provider's account per indicator, in the indicators' order.
    pub statements: Vec<String>,
}

/// The periods of a contract's reports under review or accepted.
fn live_periods(conn: &mut AnyConnection, contract_id: i64) -> Result<Vec<(NaiveDate, NaiveDate)>, DbError> {
    Ok(service_reports::table
        .filter(service_reports::contract_id.eq(contract_id))
        .filter(service_reports::status.eq_any(["submitted", "accepted"]))
        .select((service_reports::period_from, service_reports::period_to))
        .load(conn)?)
}

/// Submits a report (the contract's provider); returns its id. What the
/// records measure for each counted indicator is computed and frozen now.
pub fn submit_report(tx: &mut Tx<'_>, who: &Principal, r: &NewReport) -> Result<i64, ServiceError> {
    let c = contract_db::load_in(tx.conn(), who.district_id, r.contract_id)?;
    if !who.has(Role::Provider) || who.supplier_id != Some(c.supplier_id) {
        return Err(ServiceError::OutOfScope);
    }
    if !matches!(c.status()?, ContractStatus::Signed | ContractStatus::Performing) {
        return Err(report_refused(ReportProblem::ContractNotActive));
    }
    let summary = r.summary.trim();
    if summary.is_empty() {
        return Err(report_refused(ReportProblem::SummaryRequired));
    }
    if summary.chars().count() > 4000 || r.statements.iter().any(|s| s.chars().count() > 2000) {
        return Err(report_refused(ReportProblem::TooLong));
    }
    let periods = live_periods(tx.conn(), c.id)?;
    check_period(
        r.period_from,
        r.period_to,
        (c.start_on, c.current_end_on),
        super::budget::today(),
        &periods,
    )
    .map_err(report_refused)?;
    if let Some(m) = r.milestone_id {
        let full = contract_db::full_of(tx.conn(), c.clone())?;
        let ours = full.milestones.iter().any(|x| x.id == m);
        // Accepted: a live acceptance (an accepted report's, unless the
        // approver rejected it, or a manual one). Claimed: a report under
        // review names it.
        let accepted = full.acceptance(m).is_some();
        let claimed: i64 = service_reports::table
            .filter(service_reports::milestone_id.eq(m))
            .filter(service_reports::status.eq("submitted"))
            .count()
            .get_result(tx.conn())?;
        let claimed = claimed > 0;
        if !ours || accepted || claimed {
            return Err(report_refused(ReportProblem::Milestone));
        }
    }
    let lines = indicators(tx.conn(), c.id)?;
    let facts = facts(tx.conn(), who.district_id, Some(c.id), r.period_from, r.period_to)?;
    let id: i64 = diesel::insert_into(service_reports::table)
        .values((
            service_reports::district_id.eq(who.district_id),
            service_reports::contract_id.eq(c.id),
            service_reports::supplier_id.eq(c.supplier_id),
            service_reports::period_from.eq(r.period_from),
            service_reports::period_to.eq(r.period_to),
            service_reports::milestone_id.eq(r.milestone_id),
            service_reports::summary.eq(summary),
            service_reports::submitted_by.eq(Some(who.user_id)),
        ))
        .returning(service_reports::id)
        .get_result(tx.conn())?;
    let mut measured_json = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let measured = line.counts.as_ref().and_then(|k| progress(&facts, &k.service_code)).map(|p| p.total);
        let statement = r.statements.get(i).map(|s| s.trim()).unwrap_or_default();
        diesel::insert_into(report_lines::table)
            .values((
                report_lines::report_id.eq(id),
                report_lines::line_no.eq(line.line_no),
                report_lines::measured_centi.eq(measured.map(centi)),
                report_lines::statement.eq(statement),
            ))
            .execute(tx.conn())?;
        measured_json
            .push(serde_json::json!({ "line": line.line_no, "measured": measured.map(|m| m.to_string()) }));
    }
    tx.record(Change::new("submit", "service_reports", id).district(who.district_id).after(
        serde_json::json!({
            "contract_id": c.id,
            "period": [r.period_from, r.period_to],
            "milestone_id": r.milestone_id,
            "records": facts.len(),
            "lines": measured_json,
        }),
    ));
    Ok(id)
}

fn centi(d: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    (d * Decimal::ONE_HUNDRED).round().to_i64().unwrap_or(i64::MAX)
}

/// The reviewer's decision on a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Review {
    /// Accept, scoring every indicator (0–100) in the indicators' order.
    Accept { scores: Vec<Decimal>, comment: String },
    /// Return to the provider with what to change.
    Return { comment: String },
}

/// Reviews a submitted report (finance). Acceptance evaluates it (total and
/// grade); a report naming a milestone becomes that milestone's acceptance
/// with the total as its score, for the approver to confirm.
pub fn review_report(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    review: &Review,
) -> Result<Option<i64>, ServiceError> {
    if !who.has(Role::Finance) {
        return Err(ServiceError::OutOfScope);
    }
    let r = load_report(tx.conn(), who.district_id, id)?;
    if r.status != "submitted" {
        return Err(report_refused(ReportProblem::Reviewed));
    }
    if r.version != version {
        return Err(DbError::Stale.into());
    }
    let now = chrono::Utc::now().naive_utc();
    let n = match review {
        Review::Return { comment } => {
            let comment = comment.trim();
            if comment.is_empty() {
                return Err(report_refused(ReportProblem::CommentRequired));
            }
            let n = diesel::update(
                service_reports::table
                    .filter(service_reports::id.eq(id))
                    .filter(service_reports::version.eq(version)),
            )
            .set((
                service_reports::status.eq("returned"),
                service_reports::reviewed_by.eq(Some(who.user_id)),
                service_reports::reviewed_at.eq(Some(now)),
                service_reports::review_comment.eq(Some(comment)),
                service_reports::version.eq(version + 1),
            ))
            .execute(tx.conn())?;
            tx.record(
                Change::new("return", "service_reports", id)
                    .district(who.district_id)
                    .after(serde_json::json!({ "comment": comment })),
            );
            n
        }
        Review::Accept { scores, comment } => {
            let lines = indicators(tx.conn(), r.contract_id)?;
            if scores.len() != lines.len() {
                return Err(report_refused(ReportProblem::Scores));
            }
            let weighted: Vec<(Decimal, Decimal)> =
                lines.iter().zip(scores).map(|(l, s)| (l.weight, *s)).collect();
            let total = if lines.is_empty() { Some(Decimal::ONE_HUNDRED) } else { evaluate(&weighted) };
            let total = total.ok_or(report_refused(ReportProblem::Scores))?;
            let grade = Grade::of(total);
            for (l, s) in lines.iter().zip(scores) {
                diesel::update(
                    report_lines::table
                        .filter(report_lines::report_id.eq(id))
                        .filter(report_lines::line_no.eq(l.line_no)),
                )
                .set(report_lines::score_centi.eq(Some(centi(*s) as i32)))
                .execute(tx.conn())?;
            }
            let acceptance_id = match r.milestone_id {
                Some(m) => Some(contract_db::accept_milestone(
                    tx,
                    who,
                    &NewAcceptance {
                        milestone_id: m,
                        accepted_on: super::budget::today(),
                        score: Some(total),
                        note: format!(
                            "服务报告 #{id}（{} 至 {}）验收，绩效 {total} 分，{}",
                            r.period_from,
                            r.period_to,
                            grade.zh()
                        ),
                        report_id: Some(id),
                    },
                )?),
                None => None,
            };
            let comment = comment.trim();
            let n = diesel::update(
                service_reports::table
                    .filter(service_reports::id.eq(id))
                    .filter(service_reports::version.eq(version)),
            )
            .set((
                service_reports::status.eq("accepted"),
                service_reports::reviewed_by.eq(Some(who.user_id)),
                service_reports::reviewed_at.eq(Some(now)),
                service_reports::review_comment.eq((!comment.is_empty()).then_some(comment)),
                service_reports::total_centi.eq(Some(centi(total) as i32)),
                service_reports::grade.eq(Some(grade.code())),
                service_reports::acceptance_id.eq(acceptance_id),
                service_reports::version.eq(version + 1),
            ))
            .execute(tx.conn())?;
            tx.record(Change::new("accept", "service_reports", id).district(who.district_id).after(
                serde_json::json!({
                    "scores": scores.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                    "total": total.to_string(),
                    "grade": grade.code(),
                    "acceptance_id": acceptance_id,
                }),
            ));
            n
        }
    };
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    Ok(match review {
        Review::Accept { .. } => r.milestone_id,
        Review::Return { .. } => None,
    })
}

fn load_report(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<ReportRow, DbError> {
    service_reports::table
        .filter(service_reports::district_id.eq(district_id))
        .filter(service_reports::id.eq(id))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)
}

fn report_visible(conn: &mut AnyConnection, who: &Principal, r: &ReportRow) -> Result<bool, DbError> {
    if who.sees_whole_district() {
        return Ok(true);
    }
    if who.has(Role::Provider) && who.supplier_id == Some(r.supplier_id) {
        return Ok(true);
    }
    Ok(who.has(Role::Town) && contract_db::load_in(conn, r.district_id, r.contract_id)?.visible_to(who))
}

/// Reports `who` may see (of one contract, if given), newest first.
pub fn reports(
    conn: &mut AnyConnection,
    who: &Principal,
    contract_id: Option<i64>,
) -> Result<Vec<ReportRow>, DbError> {
    let mut q = service_reports::table.filter(service_reports::district_id.eq(who.district_id)).into_boxed();
    if let Some(c) = contract_id {
        q = q.filter(service_reports::contract_id.eq(c));
    }
    if !who.sees_whole_district() && who.has(Role::Provider) && !who.has(Role::Town) {
        q = q.filter(service_reports::supplier_id.eq(who.supplier_id.unwrap_or(-1)));
    }
    let rows: Vec<ReportRow> =
        q.order(service_reports::id.desc()).select(ReportRow::as_select()).load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if report_visible(conn, who, &r)? {
            out.push(r);
        }
    }
    Ok(out)
}

/// A report with its lines and the red flags touching its records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFull {
    pub report: ReportRow,
    pub contract: ContractRow,
    pub lines: Vec<ReportLine>,
    pub flags: Vec<RedFlag>,
    /// Records in the period (not voided).
    pub records: usize,
}

/// Report `id`, if `who` may see it.
pub fn report(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<Option<ReportFull>, DbError> {
    let Some(r) = load_report(conn, who.district_id, id).map(Some).or_else(|e| match e {
        DbError::NotFound => Ok(None),
        e => Err(e),
    })?
    else {
        return Ok(None);
    };
    if !report_visible(conn, who, &r)? {
        return Ok(None);
    }
    let contract = contract_db::load_in(conn, r.district_id, r.contract_id)?;
    let stored: HashMap<i32, (Option<i64>, String, Option<i32>)> = report_lines::table
        .filter(report_lines::report_id.eq(id))
        .select((
            report_lines::line_no,
            report_lines::measured_centi,
            report_lines::statement,
            report_lines::score_centi,
        ))
        .load::<(i32, Option<i64>, String, Option<i32>)>(conn)?
        .into_iter()
        .map(|(n, m, s, sc)| (n, (m, s, sc)))
        .collect();
    let lines = indicators(conn, r.contract_id)?
        .into_iter()
        .map(|ind| {
            let (measured, statement, score) = stored.get(&ind.line_no).cloned().unwrap_or_default();
            let measured = measured.map(|m| Decimal::new(m, 2));
            let due = ind.counts.as_ref().map(|k| {
                target_to_date(
                    Decimal::from(k.target),
                    contract.start_on,
                    contract.current_end_on,
                    r.period_to,
                )
            });
            let suggested = measured.zip(due).map(|(m, d)| suggested_score(m, d));
            ReportLine {
                indicator: ind,
                measured,
                due,
                suggested,
                statement,
                score: score.map(|s| Decimal::new(i64::from(s), 2)),
            }
        })
        .collect();
    let records = facts(conn, r.district_id, Some(r.contract_id), r.period_from, r.period_to)?.len();
    let flags = flags(conn, r.district_id, Some(r.contract_id), r.period_from, r.period_to)?;
    Ok(Some(ReportFull { report: r, contract, lines, flags, records }))
}

/// The acceptance a report became, and its status.
pub fn acceptance_status(conn: &mut AnyConnection, acceptance_id: i64) -> Result<Option<String>, DbError> {
    Ok(milestone_acceptances::table
        .find(acceptance_id)
        .select(milestone_acceptances::status)
        .first(conn)
        .optional()?)
}
