//! Table definitions shared by both backends. Written by hand to match
//! `migrations/sqlite` and `migrations/postgres`; the integration tests run
//! every query against both, so a drift fails there.

diesel::table! {
    /// A district (区县), the unit that runs the system. `code` is the
    /// six-digit administrative division code.
    districts (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        name_en -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A town or subdistrict (镇街) of a district.
    towns (id) {
        id -> BigInt,
        district_id -> BigInt,
        code -> Text,
        name -> Text,
        name_en -> Text,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A town's figures from `effective_from` until the next profile.
    town_profiles (id) {
        id -> BigInt,
        district_id -> BigInt,
        town_id -> BigInt,
        effective_from -> Date,
        communities -> Integer,
        villages -> Integer,
        population -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A full-time assistant post (专职低保员岗位) established in a town.
    posts (id) {
        id -> BigInt,
        district_id -> BigInt,
        town_id -> BigInt,
        code -> Text,
        established_on -> Date,
        abolished_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(towns -> districts (district_id));
diesel::joinable!(town_profiles -> towns (town_id));
diesel::joinable!(posts -> towns (town_id));

diesel::table! {
    /// A service organisation (社工机构), the scope of provider users.
    suppliers (id) {
        id -> BigInt,
        district_id -> BigInt,
        name -> Text,
        name_en -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A person who signs in.
    users (id) {
        id -> BigInt,
        district_id -> BigInt,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        must_change_password -> Bool,
        town_id -> Nullable<BigInt>,
        supplier_id -> Nullable<BigInt>,
        disabled_at -> Nullable<Timestamp>,
        failures_cleared_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// The roles a user holds.
    user_roles (user_id, role) {
        district_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    /// A browser session; the cookie's token is stored hashed.
    sessions (id) {
        id -> BigInt,
        district_id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        ip -> Text,
        user_agent -> Text,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    /// Every login attempt, for lockout and rate limiting.
    login_attempts (id) {
        id -> BigInt,
        username -> Text,
        ip -> Text,
        at -> Timestamp,
        succeeded -> Bool,
    }
}

diesel::table! {
    /// Personal API tokens; stored hashed.
    api_tokens (id) {
        id -> BigInt,
        district_id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Maker-checker items.
    approvals (id) {
        id -> BigInt,
        district_id -> BigInt,
        kind -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        summary -> Text,
        payload -> Text,
        maker_id -> BigInt,
        created_at -> Timestamp,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    /// The append-only, hash-chained audit log.
    audit_log (id) {
        id -> BigInt,
        seq -> BigInt,
        at -> Timestamp,
        district_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        username -> Nullable<Text>,
        ip -> Nullable<Text>,
        request_id -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<Text>,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    districts,
    towns,
    town_profiles,
    posts,
    suppliers,
    users,
    user_roles,
    sessions,
    login_attempts,
    api_tokens,
    approvals,
    audit_log,
);
