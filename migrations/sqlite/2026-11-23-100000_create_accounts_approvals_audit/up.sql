-- Accounts, sessions, API tokens, maker-checker approvals and the
-- tamper-evident audit log. SQLite flavour; keep in step with ../../postgres/.

-- Service organisations (社工机构): the scope of provider users. The
-- contracts issue adds their registration details.
CREATE TABLE suppliers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    name TEXT NOT NULL CHECK (name <> ''),
    name_en TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (district_id, name),
    UNIQUE (district_id, id)
) STRICT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    -- Lower-case login name, unique across the installation.
    username TEXT NOT NULL UNIQUE CHECK (username <> '' AND username = lower(username)),
    display_name TEXT NOT NULL CHECK (display_name <> ''),
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
    -- Scope of the town and provider roles.
    town_id INTEGER,
    supplier_id INTEGER,
    disabled_at TEXT,
    -- Failed logins before this instant no longer count towards a lockout.
    failures_cleared_at TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id),
    FOREIGN KEY (district_id, supplier_id) REFERENCES suppliers (district_id, id)
) STRICT;

CREATE TABLE user_roles (
    district_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (
        role IN ('admin', 'finance', 'approver', 'town', 'provider', 'inspector', 'auditor')
    ),
    PRIMARY KEY (user_id, role),
    FOREIGN KEY (district_id, user_id) REFERENCES users (district_id, id)
) STRICT;

-- A browser session. Only the SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    revoked_at TEXT,
    revoked_reason TEXT,
    FOREIGN KEY (district_id, user_id) REFERENCES users (district_id, id)
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

-- Every login attempt, for lockout and per-address rate limits. Not a
-- district's row: the name tried may belong to nobody. `username` holds the
-- SHA-256 of the lower-cased name typed, never the name itself (people type
-- passwords into the wrong field).
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL,
    succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
) STRICT;
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

-- Personal API tokens for /api/v1. Only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    token_hash TEXT NOT NULL UNIQUE,
    -- The first characters, to recognise a token in lists.
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT,
    FOREIGN KEY (district_id, user_id) REFERENCES users (district_id, id)
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Maker-checker: an item prepared by one user and decided by another.
CREATE TABLE approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    summary TEXT NOT NULL,
    payload TEXT NOT NULL,
    maker_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    decided_by INTEGER,
    decided_at TEXT,
    decision_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    FOREIGN KEY (district_id, maker_id) REFERENCES users (district_id, id),
    FOREIGN KEY (district_id, decided_by) REFERENCES users (district_id, id),
    -- Four eyes, enforced by the database as well.
    CHECK (decided_by IS NULL OR decided_by <> maker_id),
    CHECK ((status = 'pending') = (decided_at IS NULL))
) STRICT;
CREATE INDEX approvals_status ON approvals (district_id, status);

-- The audit log: append-only, each entry chained to the previous one by
-- hash = SHA-256(canonical content including prev_hash).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seq INTEGER NOT NULL UNIQUE,
    at TEXT NOT NULL,
    district_id INTEGER,
    user_id INTEGER,
    username TEXT,
    ip TEXT,
    request_id TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX audit_log_district_at ON audit_log (district_id, at);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_user ON audit_log (user_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- SQLite only (PostgreSQL writers need no such thing). One row. A write
-- transaction updates it first, taking the write
-- lock before it reads anything, so concurrent writers wait (busy_timeout)
-- instead of failing with SQLITE_BUSY when they upgrade from reading.
CREATE TABLE write_serial (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
) STRICT;
INSERT INTO write_serial (id, n) VALUES (1, 0);
