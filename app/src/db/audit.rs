//! The audit log: appending chained entries, reading them, verifying the
//! chain. There is no function here, or anywhere, that updates or deletes
//! an entry; the database refuses it too (triggers on both backends).

use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::audit_log;
use super::write::{Actor, Change};
use super::{AnyConnection, DbError};
use crate::api::audit::{AuditFilter, AuditRecord, BrokenEntry, ChainProblem, Verification};
use crate::domain::audit::{AuditContent, GENESIS_HASH};

/// Advisory lock key that serialises audit appends on PostgreSQL.
const CHAIN_LOCK: i64 = 0x6775_7a68_7561; // "guzhua"

/// The content an entry's hash covers.
fn content_of(entry: &AuditRecord) -> AuditContent {
    AuditContent {
        seq: entry.seq,
        at: format_at(entry.at),
        district_id: entry.district_id,
        user_id: entry.user_id,
        username: entry.username.clone(),
        ip: entry.ip.clone(),
        request_id: entry.request_id.clone(),
        action: entry.action.clone(),
        entity: entry.entity.clone(),
        entity_id: entry.entity_id.clone(),
        before: entry.before.clone(),
        after: entry.after.clone(),
        prev_hash: entry.prev_hash.clone(),
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewEntry {
    seq: i64,
    at: NaiveDateTime,
    district_id: Option<i64>,
    user_id: Option<i64>,
    username: Option<String>,
    ip: Option<String>,
    request_id: String,
    action: String,
    entity: String,
    entity_id: Option<String>,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

/// The timestamp as hashed: UTC with microseconds, the precision both
/// backends store.
fn format_at(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// SHA-256 of the canonical content, lower-case hex.
pub fn hash_of(content: &AuditContent) -> String {
    let digest = Sha256::digest(content.canonical().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends `changes` by `actor` to the chain. Call only inside a write
/// transaction (see [`super::write::write`]).
pub(super) fn append(conn: &mut AnyConnection, actor: &Actor, changes: Vec<Change>) -> Result<(), DbError> {
    if matches!(conn, AnyConnection::Postgresql(_)) {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK})")).execute(conn)?;
    }
    let head: Option<(i64, String)> = audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    let (mut seq, mut prev_hash) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
    let now = Utc::now().naive_utc();
    let at = now.with_nanosecond(now.nanosecond() / 1000 * 1000).unwrap_or(now);
    for change in changes {
        seq += 1;
        let content = AuditContent {
            seq,
            at: format_at(at),
            district_id: change.district_id.or(actor.district_id),
            user_id: actor.user_id,
            username: actor.username.clone(),
            ip: actor.ip.clone(),
            request_id: actor.request_id.clone(),
            action: change.action.to_owned(),
            entity: change.entity.to_owned(),
            entity_id: change.entity_id,
            before: change.before.map(|v| v.to_string()),
            after: change.after.map(|v| v.to_string()),
            prev_hash: prev_hash.clone(),
        };
        let hash = hash_of(&content);
        diesel::insert_into(audit_log::table)
            .values(NewEntry {
                seq: content.seq,
                at,
                district_id: content.district_id,
                user_id: content.user_id,
                username: content.username,
                ip: content.ip,
                request_id: content.request_id,
                action: content.action,
                entity: content.entity,
                entity_id: content.entity_id,
                before: content.before,
                after: content.after,
                prev_hash: content.prev_hash,
                hash: hash.clone(),
            })
            .execute(conn)?;
        prev_hash = hash;
    }
    Ok(())
}

/// The sequence number of the newest entry (0 for an empty log). Every
/// write appends to the log before it commits, in commit order, so a
/// change committed after this call has a higher number.
pub fn head_seq(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(audit_log::table.select(diesel::dsl::max(audit_log::seq)).first::<Option<i64>>(conn)?.unwrap_or(0))
}

/// Whether an entry after `seq`, of the district (or of no district),
/// changed one of `entities`.
pub fn changed_since(
    conn: &mut AnyConnection,
    district_id: i64,
    seq: i64,
    entities: &[&str],
) -> Result<bool, DbError> {
    let hit: Option<i64> = audit_log::table
        .filter(audit_log::seq.gt(seq))
        .filter(audit_log::entity.eq_any(entities))
        .filter(audit_log::district_id.eq(district_id).or(audit_log::district_id.is_null()))
        .select(audit_log::seq)
        .first(conn)
        .optional()?;
    Ok(hit.is_some())
}

/// Whether an entry after `seq`, of the district, is `action` on an
/// `entity` row other than `except_id`.
pub fn acted_since(
    conn: &mut AnyConnection,
    district_id: i64,
    seq: i64,
    entity: &str,
    action: &str,
    except_id: &str,
) -> Result<bool, DbError> {
    let hit: Option<i64> = audit_log::table
        .filter(audit_log::seq.gt(seq))
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::action.eq(action))
        .filter(audit_log::entity_id.ne(except_id))
        .filter(audit_log::district_id.eq(district_id))
        .select(audit_log::seq)
        .first(conn)
        .optional()?;
    Ok(hit.is_some())
}

/// Checks the whole chain in order, a thousand entries at a time.
pub fn verify(conn: &mut AnyConnection) -> Result<Verification, DbError> {
    const BATCH: i64 = 1000;
    let mut checked = 0u64;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut last_seq = 0;
    loop {
        let batch: Vec<AuditRecord> = audit_log::table
            .filter(audit_log::seq.gt(last_seq))
            .order(audit_log::seq.asc())
            .limit(BATCH)
            .select(AuditRecord::as_select())
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for entry in &batch {
            let problem = if entry.seq != expected_seq {
                Some(ChainProblem::SequenceGap)
            } else if entry.prev_hash != prev_hash {
                Some(ChainProblem::LinkBroken)
            } else if hash_of(&content_of(entry)) != entry.hash {
                Some(ChainProblem::ContentChanged)
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(Verification {
                    checked,
                    head_seq: None,
                    head_hash: None,
                    broken: Some(BrokenEntry { id: entry.id, seq: entry.seq, problem }),
                });
            }
            checked += 1;
            expected_seq += 1;
            prev_hash = entry.hash.clone();
            last_seq = entry.seq;
        }
    }
    Ok(Verification {
        checked,
        head_seq: (checked > 0).then_some(last_seq),
        head_hash: (checked > 0).then_some(prev_hash),
        broken: None,
    })
}

/// The stored hash of entry `seq`, to compare with a hash kept elsewhere.
pub fn hash_at(conn: &mut AnyConnection, seq: i64) -> Result<Option<String>, DbError> {
    Ok(audit_log::table.filter(audit_log::seq.eq(seq)).select(audit_log::hash).first(conn).optional()?)
}

/// Entries of `district_id` (and system-wide ones) matching `filter`,
/// newest first, at most `limit`.
pub fn list(
    conn: &mut AnyConnection,
    district_id: i64,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRecord>, DbError> {
    let mut query = audit_log::table
        .filter(audit_log::district_id.eq(district_id).or(audit_log::district_id.is_null()))
        .into_boxed();
    if let Some(u) = &filter.username {
        query = query.filter(audit_log::username.eq(u.clone()));
    }
    if let Some(e) = &filter.entity {
        query = query.filter(audit_log::entity.eq(e.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::at.lt(until));
    }
    if let Some(seq) = filter.before_seq {
        query = query.filter(audit_log::seq.lt(seq));
    }
    Ok(query.order(audit_log::seq.desc()).limit(limit).select(AuditRecord::as_select()).load(conn)?)
}
