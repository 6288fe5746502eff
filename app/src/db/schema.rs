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

diesel::allow_tables_to_appear_in_same_query!(districts, towns, town_profiles, posts);
