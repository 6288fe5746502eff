//! The supplier register: service organisations with their credit codes,
//! bank details, qualifications and blacklist flag. Rules are in
//! [`crate::domain::supplier`]; finance writes, bureau staff and towns
//! read, a provider reads only its own organisation.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::contracts::ContractError;
use super::schema::{supplier_qualifications, suppliers};
use super::write::{Change, Tx};
use super::{AnyConnection, DbError};
use crate::domain::access::{Principal, Role};
use crate::domain::supplier::{
    OrgType, Qualification, Standing, Supplier, SupplierInput, SupplierProblem, check_qualification,
    check_supplier,
};

/// A supplier as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = suppliers)]
pub struct SupplierRow {
    pub id: i64,
    pub district_id: i64,
    pub name: String,
    pub name_en: String,
    pub credit_code: String,
    pub org_type: String,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub bank_name: String,
    pub bank_account: String,
    pub blacklist_reason: Option<String>,
    pub version: i32,
}

impl SupplierRow {
    pub fn org_type(&self) -> Option<OrgType> {
        OrgType::from_code(&self.org_type)
    }

    /// May `who` see this supplier at all?
    pub fn visible_to(&self, who: &Principal) -> bool {
        who.district_id == self.district_id
            && (who.sees_whole_district() || who.has(Role::Town) || who.supplier_id == Some(self.id))
    }
}

fn finance(who: &Principal) -> Result<(), ContractError> {
    if who.has(Role::Finance) { Ok(()) } else { Err(ContractError::OutOfScope) }
}

/// The suppliers `who` may see, by name.
pub fn list(conn: &mut AnyConnection, who: &Principal) -> Result<Vec<SupplierRow>, DbError> {
    let mut q = suppliers::table.filter(suppliers::district_id.eq(who.district_id)).into_boxed();
    if !who.sees_whole_district() && !who.has(Role::Town) {
        q = q.filter(suppliers::id.eq(who.supplier_id.unwrap_or(-1)));
    }
    Ok(q.order(suppliers::name.asc()).select(SupplierRow::as_select()).load(conn)?)
}

/// Supplier `id` if `who` may see it; `NotFound` otherwise.
pub fn load(conn: &mut AnyConnection, who: &Principal, id: i64) -> Result<SupplierRow, DbError> {
    load_in(conn, who.district_id, id)?.filter(|s| s.visible_to(who)).ok_or(DbError::NotFound)
}

pub fn load_in(conn: &mut AnyConnection, district_id: i64, id: i64) -> Result<Option<SupplierRow>, DbError> {
    Ok(suppliers::table
        .filter(suppliers::district_id.eq(district_id))
        .filter(suppliers::id.eq(id))
        .select(SupplierRow::as_select())
        .first(conn)
        .optional()?)
}

/// The qualifications of a supplier, by expiry.
pub fn qualifications(conn: &mut AnyConnection, supplier_id: i64) -> Result<Vec<Qualification>, DbError> {
    Ok(supplier_qualifications::table
        .filter(supplier_qualifications::supplier_id.eq(supplier_id))
        .order((supplier_qualifications::expires_on.asc(), supplier_qualifications::id.asc()))
        .select((
            supplier_qualifications::name,
            supplier_qualifications::number,
            supplier_qualifications::expires_on,
        ))
        .load::<(String, String, Option<NaiveDate>)>(conn)?
        .into_iter()
        .map(|(name, number, expires_on)| Qualification { name, number, expires_on })
        .collect())
}

/// What decides whether the supplier may be awarded.
pub fn standing(conn: &mut AnyConnection, district_id: i64, supplier_id: i64) -> Result<Standing, DbError> {
    let s = load_in(conn, district_id, supplier_id)?.ok_or(DbError::NotFound)?;
    let quals = qualifications(conn, supplier_id)?;
    Ok(standing_of(&s, quals))
}

/// The standing of a supplier already loaded with its qualifications.
pub fn standing_of(s: &SupplierRow, qualifications: Vec<Qualification>) -> Standing {
    Standing {
        registered: !s.credit_code.is_empty() && s.org_type().is_some_and(OrgType::may_supply),
        blacklist_reason: s.blacklist_reason.clone(),
        qualifications,
    }
}

fn checked(
    input: &SupplierInput,
    quals: &[Qualification],
) -> Result<(Supplier, Vec<Qualification>), ContractError> {
    let s = check_supplier(input).map_err(ContractError::Supplier)?;
    let q = quals
        .iter()
        .map(check_qualification)
        .collect::<Result<Vec<_>, _>>()
        .map_err(ContractError::Supplier)?;
    Ok((s, q))
}

fn duplicate_code(
    conn: &mut AnyConnection,
    district_id: i64,
    code: &str,
    except: i64,
) -> Result<bool, DbError> {
    let n: i64 = suppliers::table
        .filter(suppliers::district_id.eq(district_id))
        .filter(suppliers::credit_code.eq(code))
        .filter(suppliers::id.ne(except))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

fn snapshot(s: &Supplier, quals: &[Qualification]) -> serde_json::Value {
    serde_json::json!({
        "name": s.name,
        "credit_code": s.credit_code.as_str(),
        "org_type": s.org_type.code(),
        "legal_representative": s.legal_representative,
        "contact_name": s.contact_name,
        "contact_phone": s.contact_phone,
        "address": s.address,
        "bank_name": s.bank_name,
        "bank_account": s.bank_account,
        "qualifications": quals,
    })
}

fn replace_qualifications(tx: &mut Tx<'_>, supplier_id: i64, quals: &[Qualification]) -> Result<(), DbError> {
    diesel::delete(
        supplier_qualifications::table.filter(supplier_qualifications::supplier_id.eq(supplier_id)),
    )
    .execute(tx.conn())?;
    for q in quals {
        diesel::insert_into(supplier_qualifications::table)
            .values((
                supplier_qualifications::supplier_id.eq(supplier_id),
                supplier_qualifications::name.eq(&q.name),
                supplier_qualifications::number.eq(&q.number),
                supplier_qualifications::expires_on.eq(q.expires_on),
            ))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// Registers a supplier (finance); returns its id.
pub fn create(
    tx: &mut Tx<'_>,
    who: &Principal,
    input: &SupplierInput,
    quals: &[Qualification],
) -> Result<i64, ContractError> {
    finance(who)?;
    let (s, quals) = checked(input, quals)?;
    if duplicate_code(tx.conn(), who.district_id, s.credit_code.as_str(), -1)? {
        return Err(ContractError::Supplier(SupplierProblem::DuplicateCreditCode));
    }
    let id: i64 = diesel::insert_into(suppliers::table)
        .values((
            suppliers::district_id.eq(who.district_id),
            suppliers::name.eq(&s.name),
            suppliers::credit_code.eq(s.credit_code.as_str()),
            suppliers::org_type.eq(s.org_type.code()),
            suppliers::legal_representative.eq(&s.legal_representative),
            suppliers::contact_name.eq(&s.contact_name),
            suppliers::contact_phone.eq(&s.contact_phone),
            suppliers::address.eq(&s.address),
            suppliers::bank_name.eq(&s.bank_name),
            suppliers::bank_account.eq(&s.bank_account),
        ))
        .returning(suppliers::id)
        .get_result(tx.conn())?;
    replace_qualifications(tx, id, &quals)?;
    tx.record(Change::new("create", "suppliers", id).district(who.district_id).after(snapshot(&s, &quals)));
    Ok(id)
}

/// Changes a supplier's details (finance); `version` must be current.
pub fn update(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    input: &SupplierInput,
    quals: &[Qualification],
) -> Result<(), ContractError> {
    finance(who)?;
    let before = load(tx.conn(), who, id)?;
    let before_quals = qualifications(tx.conn(), id)?;
    let (s, quals) = checked(input, quals)?;
    if duplicate_code(tx.conn(), who.district_id, s.credit_code.as_str(), id)? {
        return Err(ContractError::Supplier(SupplierProblem::DuplicateCreditCode));
    }
    let n =
        diesel::update(suppliers::table.filter(suppliers::id.eq(id)).filter(suppliers::version.eq(version)))
            .set((
                suppliers::name.eq(&s.name),
                suppliers::credit_code.eq(s.credit_code.as_str()),
                suppliers::org_type.eq(s.org_type.code()),
                suppliers::legal_representative.eq(&s.legal_representative),
                suppliers::contact_name.eq(&s.contact_name),
                suppliers::contact_phone.eq(&s.contact_phone),
                suppliers::address.eq(&s.address),
                suppliers::bank_name.eq(&s.bank_name),
                suppliers::bank_account.eq(&s.bank_account),
                suppliers::version.eq(version + 1),
            ))
            .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    replace_qualifications(tx, id, &quals)?;
    tx.record(
        Change::new("update", "suppliers", id)
            .district(who.district_id)
            .before(serde_json::json!({ "row": before, "qualifications": before_quals }))
            .after(snapshot(&s, &quals)),
    );
    Ok(())
}

/// Puts a supplier on the blacklist with a reason, or (`None`) takes it
/// off (finance). A blacklisted supplier gets no award or contract.
pub fn set_blacklist(
    tx: &mut Tx<'_>,
    who: &Principal,
    id: i64,
    version: i32,
    reason: Option<&str>,
) -> Result<(), ContractError> {
    finance(who)?;
    let before = load(tx.conn(), who, id)?;
    let reason = reason.map(str::trim);
    if reason.is_some_and(str::is_empty) {
        return Err(ContractError::Supplier(SupplierProblem::ReasonRequired));
    }
    if reason.is_some_and(|r| r.chars().count() > crate::domain::supplier::MAX_TEXT_CHARS) {
        return Err(ContractError::Supplier(SupplierProblem::ReasonRequired));
    }
    let n =
        diesel::update(suppliers::table.filter(suppliers::id.eq(id)).filter(suppliers::version.eq(version)))
            .set((suppliers::blacklist_reason.eq(reason), suppliers::version.eq(version + 1)))
            .execute(tx.conn())?;
    if n != 1 {
        return Err(DbError::Stale.into());
    }
    tx.record(
        Change::new(if reason.is_some() { "blacklist" } else { "unblacklist" }, "suppliers", id)
            .district(who.district_id)
            .before(serde_json::json!({ "blacklist_reason": before.blacklist_reason }))
            .after(serde_json::json!({ "blacklist_reason": reason })),
    );
    Ok(())
}
