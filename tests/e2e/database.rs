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
        // Each town has exactly the posts the fixture gives it.
        assert_eq!(
            db.query("SELECT count(*) FROM posts p JOIN towns t ON t.id = p.town_id WHERE t.code = '003'"),
            "12"
        );
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
        let town = db.query("SELECT id FROM towns WHERE code = '001'");
        // A second district, to try rows that cross districts.
        db.query("INSERT INTO districts (code, name) VALUES ('500198', '对照区')");
        let other = db.query("SELECT id FROM districts WHERE code = '500198'");

        // The control row is valid: the statements below fail for the
        // reason named, not for a typo.
        db.query(&format!(
            "INSERT INTO posts (district_id, town_id, code, established_on) VALUES (1, {town}, 'ok', '2026-02-01')"
        ));
        let refused = [
            (Violation::Check, "INSERT INTO towns (district_id, code, name, kind) VALUES (1, '999', 'x', 'village')".to_owned()),
            (Violation::Unique, "INSERT INTO towns (district_id, code, name, kind) VALUES (1, '001', 'dup', 'town')".to_owned()),
            (Violation::ForeignKey, "INSERT INTO posts (district_id, town_id, code, established_on) VALUES (1, 999999, 'x', '2026-01-01')".to_owned()),
            (Violation::ForeignKey, format!(
                "INSERT INTO posts (district_id, town_id, code, established_on) VALUES ({other}, {town}, 'cross', '2026-01-01')"
            )),
            (Violation::Check, format!(
                "INSERT INTO town_profiles (district_id, town_id, effective_from, communities, villages, population) VALUES (1, {town}, '2027-01-01', 1, 1, -5)"
            )),
            (Violation::Check, format!(
                "INSERT INTO posts (district_id, town_id, code, established_on, abolished_on) VALUES (1, {town}, 'y', '2026-01-01', '2025-01-01')"
            )),
        ];
        for (violation, sql) in refused {
            let err = db.try_query(&sql).expect_err(&format!("accepted: {sql}"));
            assert!(
                violation.matches(backend, &err),
                "{sql}\nfailed, but not with a {violation:?} violation: {err}"
            );
        }
    }
}

/// A constraint violation as each backend words it.
#[derive(Debug, Clone, Copy)]
enum Violation {
    Check,
    Unique,
    ForeignKey,
}

impl Violation {
    fn matches(self, backend: Backend, error: &str) -> bool {
        let phrase = match (self, backend) {
            (Violation::Check, Backend::Sqlite) => "CHECK constraint failed",
            (Violation::Unique, Backend::Sqlite) => "UNIQUE constraint failed",
            (Violation::ForeignKey, Backend::Sqlite) => "FOREIGN KEY constraint failed",
            (Violation::Check, Backend::Postgres) => "violates check constraint",
            (Violation::Unique, Backend::Postgres) => "violates unique constraint",
            (Violation::ForeignKey, Backend::Postgres) => "violates foreign key constraint",
        };
        error.contains(phrase)
    }
}

#[test]
fn sqlite_runs_in_wal_mode() {
    let db = TestDatabase::new(Backend::Sqlite);
    assert!(gouzhu(&db, &["migrate"]).status.success());
    assert_eq!(db.query("PRAGMA journal_mode"), "wal");
}

#[test]
fn sqlite_tables_refuse_values_of_the_wrong_type() {
    let db = TestDatabase::new(Backend::Sqlite);
    assert!(gouzhu(&db, &["demo"]).status.success());
    let err = db
        .try_query("UPDATE town_profiles SET population = 'many' WHERE id = 1")
        .expect_err("STRICT tables refuse text in an integer column");
    assert!(err.contains("cannot store TEXT value in INTEGER column"), "{err}");
    let err = db
        .try_query("UPDATE posts SET established_on = '2026-13-01' WHERE id = 1")
        .expect_err("dates are checked");
    assert!(err.contains("CHECK constraint failed"), "{err}");
}
