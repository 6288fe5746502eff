//! The content of an audit entry as it is hashed into the chain.
//!
//! Each entry's hash is SHA-256 over [`AuditContent::canonical`], which
//! includes the previous entry's hash: changing any stored field of any
//! entry, or removing an entry from the middle, breaks every hash after
//! it. The canonical form is a JSON array in a fixed order, so it is
//! unambiguous whatever the fields contain.

use serde::{Deserialize, Serialize};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit entry that its hash covers (all of them but the
/// hash itself and the database id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditContent {
    /// Position in the chain, from 1 without gaps.
    pub seq: i64,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub at: String,
    pub district_id: Option<i64>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub request_id: String,
    /// What happened, e.g. `create`, `update`, `login`.
    pub action: String,
    /// The table or concept, e.g. `users`.
    pub entity: String,
    pub entity_id: Option<String>,
    /// JSON of the record before and after the change.
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
}

impl AuditContent {
    /// The exact text that is hashed.
    pub fn canonical(&self) -> String {
        serde_json::json!([
            self.seq,
            self.at,
            self.district_id,
            self.user_id,
            self.username,
            self.ip,
            self.request_id,
            self.action,
            self.entity,
            self.entity_id,
            self.before,
            self.after,
            self.prev_hash,
        ])
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> AuditContent {
        AuditContent {
            seq: 1,
            at: "2026-11-23T08:00:00.000000Z".into(),
            district_id: Some(1),
            user_id: None,
            username: None,
            ip: Some("127.0.0.1".into()),
            request_id: "r1".into(),
            action: "create".into(),
            entity: "users".into(),
            entity_id: Some("5".into()),
            before: None,
            after: Some(r#"{"a":"|"}"#.into()),
            prev_hash: GENESIS_HASH.into(),
        }
    }

    #[test]
    fn canonical_form_is_a_fixed_order_json_array() {
        assert_eq!(
            content().canonical(),
            r#"[1,"2026-11-23T08:00:00.000000Z",1,null,null,"127.0.0.1","r1","create","users","5",null,"{\"a\":\"|\"}","0000000000000000000000000000000000000000000000000000000000000000"]"#
        );
    }

    #[test]
    fn every_field_changes_the_canonical_form() {
        let base = content().canonical();
        let mut changed = content();
        changed.entity_id = Some("6".into());
        assert_ne!(changed.canonical(), base);
        let mut changed = content();
        changed.before = Some("null".into());
        assert_ne!(changed.canonical(), base, "None and the string \"null\" differ");
    }
}
