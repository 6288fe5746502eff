-- Roster imports from .xlsx: every attempt is kept with its report, so a
-- user can come back to the problems and download the failed rows. SQLite
-- flavour; keep in step with ../../postgres/.
CREATE TABLE roster_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    file_name TEXT NOT NULL,
    -- SHA-256 of the file, hex: the same file imported again returns the
    -- first import instead of importing twice.
    file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
    -- all: nothing is imported while any row fails; partial: good rows
    -- are imported and the failed rows returned as a file.
    mode TEXT NOT NULL CHECK (mode IN ('all', 'partial')),
    status TEXT NOT NULL CHECK (status IN ('imported', 'partial', 'rejected')),
    total_rows INTEGER NOT NULL CHECK (total_rows >= 0),
    imported_rows INTEGER NOT NULL CHECK (imported_rows >= 0 AND imported_rows <= total_rows),
    failed_rows INTEGER NOT NULL CHECK (failed_rows >= 0 AND failed_rows <= total_rows),
    problem_count INTEGER NOT NULL CHECK (problem_count >= 0),
    -- JSON: the problems found (at most 10,000 kept; problem_count is
    -- complete), each with row, column and kind.
    problems TEXT NOT NULL,
    -- JSON: {"headers": [...], "rows": [[row, [cells...]], ...]}, the
    -- failed rows as written.
    failed TEXT NOT NULL,
    CHECK ((status = 'rejected') = (imported_rows = 0)),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, created_by) REFERENCES users (district_id, id)
) STRICT;
CREATE UNIQUE INDEX roster_imports_once ON roster_imports (district_id, file_sha256, mode)
    WHERE status <> 'rejected';
CREATE INDEX roster_imports_district ON roster_imports (district_id, id);
