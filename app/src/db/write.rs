//! The one path for writes: [`write`] runs a closure in a transaction and
//! appends the audit entries it recorded to the audit log in the same
//! transaction, so a change and its audit entry commit together or not at
//! all. A write that records nothing is refused ([`DbError::Unaudited`])
//! unless it says so with [`Tx::nothing_changed`].
//!
//! On SQLite every write transaction first updates the one-row
//! `write_serial` table: it takes the write lock before reading anything,
//! so concurrent writers queue on the busy timeout instead of failing.
//! On PostgreSQL the audit append takes a transaction-scoped advisory lock,
//! so entries are chained in commit order.

use diesel::prelude::*;
use serde_json::Value;

use super::{AnyConnection, DbError, audit};

/// Who is writing: recorded with every audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub district_id: Option<i64>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub request_id: String,
    /// The client's idempotency key: the request's first write claims it
    /// (see [`write`]).
    pub idempotency_key: Option<String>,
}

impl Actor {
    /// A command run on the server (`gouzhu demo`, `gouzhu user ...`).
    pub fn system(command: &str) -> Actor {
        Actor {
            district_id: None,
            user_id: None,
            username: Some(format!("system:{command}")),
            ip: None,
            request_id: format!("cli-{command}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ")),
            idempotency_key: None,
        }
    }

    /// The same actor, acting in `district_id`.
    pub fn in_district(mut self, district_id: i64) -> Actor {
        self.district_id = Some(district_id);
        self
    }
}

/// One audited change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub district_id: Option<i64>,
    /// What happened: `create`, `update`, `disable`, `login`, ...
    pub action: &'static str,
    /// The table or concept changed.
    pub entity: &'static str,
    pub entity_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    /// A change to row `id` of `entity`.
    pub fn new(action: &'static str, entity: &'static str, id: impl ToString) -> Change {
        Change {
            district_id: None,
            action,
            entity,
            entity_id: Some(id.to_string()),
            before: None,
            after: None,
        }
    }

    pub fn district(mut self, district_id: i64) -> Change {
        self.district_id = Some(district_id);
        self
    }

    pub fn before(mut self, value: impl serde::Serialize) -> Change {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: impl serde::Serialize) -> Change {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// A write transaction in progress.
pub struct Tx<'c> {
    conn: &'c mut AnyConnection,
    actor: &'c Actor,
    changes: Vec<Change>,
    nothing_changed: bool,
}

impl Tx<'_> {
    /// The connection, inside the transaction.
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.conn
    }

    /// Who writes.
    pub fn actor(&self) -> &Actor {
        self.actor
    }

    /// Records a change for the audit log.
    pub fn record(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Declares that this transaction turned out to change nothing.
    pub fn nothing_changed(&mut self) {
        self.nothing_changed = true;
    }
}

/// On PostgreSQL, locks row `id` of `table` until the transaction ends,
/// so concurrent writers to the same record (or to a district's
/// numbering) queue instead of both passing their checks. SQLite's write
/// transactions are serialised already (see [`write`]).
pub fn lock_row(conn: &mut AnyConnection, table: &'static str, id: i64) -> Result<(), DbError> {
    if let AnyConnection::Postgresql(_) = conn {
        diesel::sql_query(format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(conn)?;
    }
    Ok(())
}

/// Claims `key` for the request, inside its write transaction: the
/// claim commits with the effect or not at all. The same request's later
/// writes (a background job continuing it) pass; another request with the
/// key is refused ([`DbError::Replayed`]) before it changes anything. Two
/// at the same instant on PostgreSQL meet at the unique index, and the
/// loser is told to reload ([`DbError::Stale`]).
fn claim(conn: &mut AnyConnection, user_id: i64, key: &str, request_id: &str) -> Result<(), DbError> {
    use super::schema::idempotency_keys as k;
    let holder: Option<String> = k::table
        .filter(k::user_id.eq(user_id))
        .filter(k::key.eq(key))
        .select(k::request_id)
        .first(conn)
        .optional()?;
    match holder {
        Some(r) if r == request_id => Ok(()),
        Some(_) => Err(DbError::Replayed),
        None => {
            diesel::insert_into(k::table)
                .values((k::user_id.eq(user_id), k::key.eq(key), k::request_id.eq(request_id)))
                .execute(conn)?;
            Ok(())
        }
    }
}

/// Runs `work` in a write transaction and appends its audit entries. The
/// error type is the caller's, so domain refusals pass through unchanged
/// (and roll the transaction back like any error).
pub fn write<T, E>(
    conn: &mut AnyConnection,
    actor: &Actor,
    work: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError> + From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if matches!(conn, AnyConnection::Sqlite(_)) {
            diesel::sql_query("UPDATE write_serial SET n = n + 1 WHERE id = 1").execute(conn)?;
        }
        if let (Some(user_id), Some(key)) = (actor.user_id, actor.idempotency_key.as_deref()) {
            claim(conn, user_id, key, &actor.request_id)?;
        }
        let mut tx = Tx { conn, actor, changes: Vec::new(), nothing_changed: false };
        let out = work(&mut tx)?;
        let Tx { conn, changes, nothing_changed, .. } = tx;
        if changes.is_empty() {
            return if nothing_changed { Ok(out) } else { Err(DbError::Unaudited.into()) };
        }
        audit::append(conn, actor, changes)?;
        Ok(out)
    })
}
