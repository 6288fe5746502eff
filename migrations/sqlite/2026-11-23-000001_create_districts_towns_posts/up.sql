-- Districts, their towns (镇街), effective-dated town figures and the
-- full-time assistant posts (专职低保员岗位). SQLite flavour; keep in step
-- with ../../postgres/ (same name, same columns and constraints).

CREATE TABLE districts (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (length(code) = 6),
    name TEXT NOT NULL CHECK (name <> ''),
    name_en TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE towns (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES districts (id),
    code TEXT NOT NULL CHECK (code <> ''),
    name TEXT NOT NULL CHECK (name <> ''),
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('street', 'town')),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (district_id, code)
);

CREATE TABLE town_profiles (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES districts (id),
    town_id BIGINT NOT NULL REFERENCES towns (id),
    effective_from DATE NOT NULL,
    communities INTEGER NOT NULL CHECK (communities >= 0),
    villages INTEGER NOT NULL CHECK (villages >= 0),
    population BIGINT NOT NULL CHECK (population >= 0),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (town_id, effective_from)
);
CREATE INDEX town_profiles_district ON town_profiles (district_id, effective_from);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES districts (id),
    town_id BIGINT NOT NULL REFERENCES towns (id),
    code TEXT NOT NULL CHECK (code <> ''),
    established_on DATE NOT NULL,
    abolished_on DATE CHECK (abolished_on IS NULL OR abolished_on > established_on),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (district_id, code)
);
CREATE INDEX posts_town ON posts (district_id, town_id);
