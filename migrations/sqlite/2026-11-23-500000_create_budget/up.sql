-- Budget: fiscal years, the sources that fund the work, which cost types
-- each source may pay, the monthly plan, the ledger, and spending requests
-- (the bureau's own and towns' purchase requests).
-- SQLite flavour; keep in step with ../../postgres/. Money is integer fen.

-- A fiscal year. `assistance_funds_fen` is the year's 困难群众救助补助资金,
-- the base of the rule that social-work services take at least
-- `social_work_min_bp` basis points (500 = 5%) of it.
CREATE TABLE fiscal_years (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    assistance_funds_fen INTEGER NOT NULL DEFAULT 0 CHECK (assistance_funds_fen >= 0),
    social_work_min_bp INTEGER NOT NULL DEFAULT 500 CHECK (social_work_min_bp BETWEEN 0 AND 10000),
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (district_id, year)
) STRICT;

-- A budget source of a year: one of the four kinds of seed 002. A town's
-- own funds name the town. The 1% source keeps its base (last year's
-- city-level total); its amount is computed from it, never typed.
-- `amount_fen` is the current allocation; the ledger holds its history.
CREATE TABLE budget_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('higher_level', 'city_one_percent', 'district_finance', 'other')),
    name TEXT NOT NULL CHECK (name <> ''),
    town_id INTEGER,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    base_fen INTEGER CHECK (base_fen >= 0),
    doc_no TEXT NOT NULL DEFAULT '',
    doc_date TEXT CHECK (doc_date IS NULL OR date(doc_date) IS doc_date),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((kind = 'city_one_percent') = (base_fen IS NOT NULL)),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, year) REFERENCES fiscal_years (district_id, year),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;

-- Corrections of a 1% source's base, with why.
CREATE TABLE budget_base_corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id INTEGER NOT NULL REFERENCES budget_sources (id),
    old_base_fen INTEGER NOT NULL,
    new_base_fen INTEGER NOT NULL,
    old_amount_fen INTEGER NOT NULL,
    new_amount_fen INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (reason <> ''),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;

-- The eligibility matrix: a row means the source may pay that cost type.
-- Changed only through maker-checker.
CREATE TABLE budget_eligibility (
    source_id INTEGER NOT NULL REFERENCES budget_sources (id),
    cost_type TEXT NOT NULL CHECK (cost_type IN ('assistant_pay', 'employer_insurance', 'contract_payment', 'training', 'other')),
    PRIMARY KEY (source_id, cost_type)
) STRICT;

-- The year's payment plan by month (what execution is measured against).
CREATE TABLE budget_plan (
    district_id INTEGER NOT NULL REFERENCES districts (id),
    year INTEGER NOT NULL,
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (district_id, year, month),
    FOREIGN KEY (district_id, year) REFERENCES fiscal_years (district_id, year)
) STRICT;

-- The ledger. Append-only: no row is ever updated or deleted (triggers
-- below); a correction is a new row. Each row says how it moves the
-- source's three sums, so
--   available = Σ allocated − Σ committed − Σ paid
-- for any filter (source, cost type, town, up to a date).
--   allocation:  allocated +x (or −x when a base correction lowers it)
--   commitment:  committed +x
--   payment:     paid +x, and committed −x when it pays a commitment
--   reversal:    the opposite of the row it reverses (once)
CREATE TABLE budget_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    source_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('allocation', 'commitment', 'payment', 'reversal')),
    cost_type TEXT CHECK (cost_type IN ('assistant_pay', 'employer_insurance', 'contract_payment', 'training', 'other')),
    town_id INTEGER,
    allocated_fen INTEGER NOT NULL DEFAULT 0,
    committed_fen INTEGER NOT NULL DEFAULT 0,
    paid_fen INTEGER NOT NULL DEFAULT 0,
    entry_date TEXT NOT NULL CHECK (date(entry_date) IS entry_date),
    commitment_id INTEGER REFERENCES budget_entries (id),
    reverses_id INTEGER UNIQUE REFERENCES budget_entries (id),
    ref_entity TEXT NOT NULL DEFAULT '',
    ref_id INTEGER,
    memo TEXT NOT NULL DEFAULT '',
    -- Set when an approver let this entry through a refusal, with why.
    override_reason TEXT,
    overridden_by INTEGER,
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK ((kind = 'allocation') = (cost_type IS NULL)),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
    FOREIGN KEY (district_id, source_id) REFERENCES budget_sources (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX budget_entries_source ON budget_entries (source_id, entry_date);
CREATE INDEX budget_entries_ref ON budget_entries (ref_entity, ref_id);
CREATE INDEX budget_entries_commitment ON budget_entries (commitment_id);
CREATE TRIGGER budget_entries_no_update BEFORE UPDATE ON budget_entries
BEGIN SELECT RAISE(ABORT, 'budget entries are append-only'); END;
CREATE TRIGGER budget_entries_no_delete BEFORE DELETE ON budget_entries
BEGIN SELECT RAISE(ABORT, 'budget entries are append-only'); END;

-- Requests to commit money: the bureau's spending requests (training,
-- other costs) and towns' requests to buy a service from their own funds
-- (kind town_purchase, cost type contract_payment). Approval makes the
-- commitment (`entry_id`); an approved town purchase is what a contract
-- may be made from.
CREATE TABLE budget_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    kind TEXT NOT NULL CHECK (kind IN ('spending', 'town_purchase')),
    source_id INTEGER NOT NULL,
    cost_type TEXT NOT NULL CHECK (cost_type IN ('assistant_pay', 'employer_insurance', 'contract_payment', 'training', 'other')),
    town_id INTEGER,
    title TEXT NOT NULL CHECK (title <> ''),
    purpose TEXT NOT NULL DEFAULT '',
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    entry_date TEXT NOT NULL CHECK (date(entry_date) IS entry_date),
    -- The maker's case for letting it through a refusal, if they made one.
    override_request TEXT,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
    approval_id INTEGER UNIQUE REFERENCES approvals (id),
    entry_id INTEGER REFERENCES budget_entries (id),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (kind <> 'town_purchase' OR town_id IS NOT NULL),
    FOREIGN KEY (district_id, source_id) REFERENCES budget_sources (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;

-- Documents kept with a source (the 文号's scan): stored outside the
-- database under their content hash.
CREATE TABLE budget_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    source_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (district_id, source_id) REFERENCES budget_sources (district_id, id)
) STRICT;

-- How a payroll run is funded: chosen when it is submitted.
ALTER TABLE payroll_runs ADD COLUMN pay_source_id INTEGER REFERENCES budget_sources (id);
ALTER TABLE payroll_runs ADD COLUMN insurance_source_id INTEGER REFERENCES budget_sources (id);
ALTER TABLE payroll_runs ADD COLUMN override_request TEXT;
