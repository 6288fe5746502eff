//! The database as the server leaves it.

use gouzhu_tests::Backend;
use gouzhu_tests::server::{TestDatabase, gouzhu};

both_backends! {
    async fn demo_loads_once_however_often_it_runs(backend: Backend) {
        let db = TestDatabase::new(backend);
        for _ in 0..2 {
            let out = gouzhu(&db, &["demo"]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        assert_eq!(db.query("SELECT count(*) FROM districts"), "1");
        assert_eq!(db.query("SELECT count(*) FROM towns"), "26");
        assert_eq!(db.query("SELECT count(*) FROM posts"), "198");
        assert_eq!(db.query("SELECT sum(population) FROM town_profiles"), "831700");
        // Every row of a district carries the district.
        for table in ["towns", "town_profiles", "posts"] {
            assert_eq!(
                db.query(&format!("SELECT count(*) FROM {table} WHERE district_id IS NULL")),
                "0"
            );
        }
    }

    async fn migrate_is_idempotent(backend: Backend) {
        let db = TestDatabase::new(backend);
        for _ in 0..2 {
            let out = gouzhu(&db, &["migrate"]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        assert_eq!(db.query("SELECT count(*) FROM towns"), "0");
    }

    async fn constraints_refuse_invalid_rows(backend: Backend) {
        let db = TestDatabase::new(backend);
        assert!(gouzhu(&db, &["demo"]).status.success());
        let bad = [
            "INSERT INTO towns (district_id, code, name, kind) VALUES (1, '999', 'x', 'village')",
            "INSERT INTO towns (district_id, code, name, kind) VALUES (1, '001', 'dup', 'town')",
            "INSERT INTO posts (district_id, town_id, code, established_on) VALUES (1, 999999, 'x', '2026-01-01')",
            "INSERT INTO town_profiles (district_id, town_id, effective_from, communities, villages, population) VALUES (1, 1, '2027-01-01', 1, 1, -5)",
        ];
        for sql in bad {
            assert!(db.try_query(sql).is_err(), "accepted: {sql}");
        }
    }
}

#[test]
fn sqlite_runs_in_wal_mode() {
    let db = TestDatabase::new(Backend::Sqlite);
    assert!(gouzhu(&db, &["migrate"]).status.success());
    assert_eq!(db.query("PRAGMA journal_mode"), "wal");
}
