-- Districts, their towns (镇街), effective-dated town figures and the
-- full-time assistant posts (专职低保员岗位). SQLite flavour; keep in step
-- with ../../postgres/ (same name, same columns and constraints).
--
-- STRICT tables refuse values of the wrong type, so SQLite's column types
-- are its own: INTEGER for every integer, TEXT for dates ('YYYY-MM-DD') and
-- UTC timestamps ('YYYY-MM-DD HH:MM:SS[.ffffff]'). AUTOINCREMENT keeps ids
-- from being reused after a delete, as PostgreSQL identities are.

CREATE TABLE districts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE CHECK (length(code) = 6),
    name TEXT NOT NULL CHECK (name <> ''),
    name_en TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;

CREATE TABLE towns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    code TEXT NOT NULL CHECK (code <> ''),
    name TEXT NOT NULL CHECK (name <> ''),
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('street', 'town')),
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (district_id, code),
    -- Target of the (district_id, town_id) keys below: a row can only name
    -- a town of its own district.
    UNIQUE (district_id, id)
) STRICT;

CREATE TABLE town_profiles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    town_id INTEGER NOT NULL,
    effective_from TEXT NOT NULL CHECK (date(effective_from) IS effective_from),
    communities INTEGER NOT NULL CHECK (communities >= 0),
    villages INTEGER NOT NULL CHECK (villages >= 0),
    population INTEGER NOT NULL CHECK (population >= 0),
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (town_id, effective_from),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX town_profiles_district ON town_profiles (district_id, effective_from);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    town_id INTEGER NOT NULL,
    code TEXT NOT NULL CHECK (code <> ''),
    established_on TEXT NOT NULL CHECK (date(established_on) IS established_on),
    abolished_on TEXT CHECK (
        abolished_on IS NULL
        OR (date(abolished_on) IS abolished_on AND abolished_on > established_on)
    ),
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (district_id, code),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX posts_town ON posts (district_id, town_id);
