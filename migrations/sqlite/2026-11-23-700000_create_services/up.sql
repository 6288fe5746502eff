-- Deliverables of the purchased services: the recipients register
-- (households and persons), each contract's service area and measurable
-- indicators, service records with their evidence files, periodic reports
-- against the indicators and their review (the performance evaluation).
-- Scores and quantities are integer hundredths; service times are the
-- district's wall clock (China Standard Time), as the service sheet says.
-- SQLite flavour; keep in step with ../../postgres/.

-- 低保/特困 households (户) and their members (服务对象).
CREATE TABLE households (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    town_id INTEGER NOT NULL,
    village TEXT NOT NULL CHECK (village <> ''),
    address TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX households_town ON households (town_id);

-- `priority`: comma-separated codes of seed 002's priority groups
-- (severe_disability, serious_illness, elderly, minor, incapacitated).
CREATE TABLE recipients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    household_id INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    id_number TEXT NOT NULL CHECK (length(id_number) = 18),
    category TEXT NOT NULL CHECK (category IN ('dibao', 'tekun')),
    priority TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (district_id, id_number),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, household_id) REFERENCES households (district_id, id)
) STRICT;
CREATE INDEX recipients_household ON recipients (household_id);

-- The towns a bureau contract serves (none: the whole district). A town's
-- own contract serves its town.
CREATE TABLE contract_areas (
    district_id INTEGER NOT NULL REFERENCES districts (id),
    contract_id INTEGER NOT NULL,
    town_id INTEGER NOT NULL,
    PRIMARY KEY (contract_id, town_id),
    FOREIGN KEY (district_id, contract_id) REFERENCES contracts (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;

-- An indicator measured from the service records: the catalogue item it
-- counts and its target over the contract's term, in the item's unit.
ALTER TABLE contract_indicators ADD COLUMN service_code TEXT;
ALTER TABLE contract_indicators ADD COLUMN target_qty INTEGER CHECK (target_qty IS NULL OR target_qty > 0);

-- A service delivered (服务记录). Never deleted: a wrong record is voided
-- with a reason and a correct one entered. `town_id` is the recipient's
-- town when the record was made.
CREATE TABLE service_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    contract_id INTEGER NOT NULL,
    supplier_id INTEGER NOT NULL,
    recipient_id INTEGER,
    town_id INTEGER,
    service_code TEXT NOT NULL,
    started_at TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    worker TEXT NOT NULL CHECK (worker <> ''),
    notes TEXT NOT NULL DEFAULT '',
    latitude_micro INTEGER,
    longitude_micro INTEGER,
    keep_location INTEGER NOT NULL DEFAULT 0 CHECK (keep_location IN (0, 1)),
    source TEXT NOT NULL CHECK (source IN ('web', 'xlsx', 'api', 'demo')),
    external_id TEXT,
    voided_at TEXT,
    void_reason TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK ((latitude_micro IS NULL) = (longitude_micro IS NULL)),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, contract_id) REFERENCES contracts (district_id, id),
    FOREIGN KEY (district_id, supplier_id) REFERENCES suppliers (district_id, id),
    FOREIGN KEY (district_id, recipient_id) REFERENCES recipients (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX service_records_contract ON service_records (contract_id, started_at);
CREATE INDEX service_records_recipient ON service_records (recipient_id, started_at);
CREATE INDEX service_records_worker ON service_records (supplier_id, worker, started_at);
CREATE UNIQUE INDEX service_records_external ON service_records (supplier_id, external_id)
    WHERE external_id IS NOT NULL;

-- Evidence of a record: the file is stored outside the database under its
-- SHA-256 (after location metadata is removed); the name is for display.
CREATE TABLE service_evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    record_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    display_name TEXT NOT NULL,
    location_removed INTEGER NOT NULL DEFAULT 0 CHECK (location_removed IN (0, 1)),
    uploaded_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (district_id, record_id) REFERENCES service_records (district_id, id)
) STRICT;
CREATE INDEX service_evidence_record ON service_evidence (record_id);
CREATE INDEX service_evidence_sha ON service_evidence (district_id, sha256);

-- A periodic report (服务报告) against the contract's indicators. Returned
-- reports stay; the provider submits a new one. An accepted report with a
-- milestone becomes that milestone's acceptance (`acceptance_id`).
CREATE TABLE service_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    contract_id INTEGER NOT NULL,
    supplier_id INTEGER NOT NULL,
    period_from TEXT NOT NULL CHECK (date(period_from) IS period_from),
    period_to TEXT NOT NULL CHECK (date(period_to) IS period_to AND period_to >= period_from),
    milestone_id INTEGER,
    summary TEXT NOT NULL CHECK (summary <> ''),
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'accepted', 'returned')),
    submitted_by INTEGER,
    submitted_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    reviewed_by INTEGER,
    reviewed_at TEXT,
    review_comment TEXT,
    total_centi INTEGER CHECK (total_centi IS NULL OR total_centi BETWEEN 0 AND 10000),
    grade TEXT CHECK (grade IS NULL OR grade IN ('excellent', 'good', 'pass', 'fail')),
    acceptance_id INTEGER REFERENCES milestone_acceptances (id),
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((status = 'accepted') = (total_centi IS NOT NULL AND grade IS NOT NULL)),
    CHECK ((status = 'submitted') = (reviewed_at IS NULL)),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, contract_id) REFERENCES contracts (district_id, id),
    FOREIGN KEY (district_id, supplier_id) REFERENCES suppliers (district_id, id),
    FOREIGN KEY (district_id, milestone_id) REFERENCES contract_milestones (district_id, id)
) STRICT;
CREATE INDEX service_reports_contract ON service_reports (contract_id, period_from);

-- One line per indicator: the figure measured from the records when the
-- report was submitted, the provider's account, and the reviewer's score.
CREATE TABLE report_lines (
    report_id INTEGER NOT NULL REFERENCES service_reports (id),
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    measured_centi INTEGER,
    statement TEXT NOT NULL DEFAULT '',
    score_centi INTEGER CHECK (score_centi IS NULL OR score_centi BETWEEN 0 AND 10000),
    PRIMARY KEY (report_id, line_no)
) STRICT;
