-- add_reliability_guards (sqlite)
-- The audit log's head when a run's computation began: a change to what
-- the run is computed from (roster, posts, scores, standards, ...) after
-- it is in the audit log with a higher sequence number, and the run is
-- then stale (refused on submission until computed again).
ALTER TABLE payroll_runs ADD COLUMN inputs_seq INTEGER NOT NULL DEFAULT 0;

-- Idempotency keys: a client that sends `Idempotency-Key: <key>` with a
-- request may repeat it (after a timeout, a crash, a lost answer) without
-- the effect happening twice. The first write transaction of the request
-- claims the key in the same transaction as its effect; a later request
-- of the same user with the same key is refused before it writes.
CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    key TEXT NOT NULL CHECK (length(key) BETWEEN 8 AND 200),
    request_id TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;
CREATE UNIQUE INDEX idempotency_keys_once ON idempotency_keys (user_id, key);
