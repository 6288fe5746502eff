-- Pay standards, social-insurance rules, performance scores, income-tax
-- declarations, payroll runs and their lines, and one-off adjustments.
-- SQLite flavour; keep in step with ../../postgres/. Money is integer fen.

-- One year's pay standards (JSON of app::domain::pay::PayStandards,
-- amounts as decimal strings), adopted through maker-checker: a row exists
-- only once its approval item is approved. A later row of the same year
-- (a correction) applies from its own effective date.
CREATE TABLE pay_standards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    effective_from TEXT NOT NULL CHECK (date(effective_from) IS effective_from),
    standards TEXT NOT NULL CHECK (json_valid(standards)),
    approval_id INTEGER NOT NULL UNIQUE REFERENCES approvals (id),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (CAST(substr(effective_from, 1, 4) AS INTEGER) = year),
    UNIQUE (district_id, effective_from)
) STRICT;

-- One year's social-insurance and housing-fund rules (JSON of
-- app::domain::insurance::InsuranceRules), adopted the same way.
CREATE TABLE insurance_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    effective_from TEXT NOT NULL CHECK (date(effective_from) IS effective_from),
    rules TEXT NOT NULL CHECK (json_valid(rules)),
    approval_id INTEGER NOT NULL UNIQUE REFERENCES approvals (id),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (CAST(substr(effective_from, 1, 4) AS INTEGER) = year),
    UNIQUE (district_id, effective_from)
) STRICT;

-- A person's performance score for a month (YYYY-MM), entered by their
-- town; low scores carry a reason (checked by the application against the
-- year's standards).
CREATE TABLE performance_scores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    staff_id INTEGER NOT NULL,
    month TEXT NOT NULL CHECK (month GLOB '[12][0-9][0-9][0-9]-[01][0-9]' AND substr(month, 6, 2) BETWEEN '01' AND '12'),
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    reason TEXT NOT NULL DEFAULT '',
    entered_by INTEGER NOT NULL,
    entered_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (staff_id, month),
    FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id),
    FOREIGN KEY (district_id, entered_by) REFERENCES users (district_id, id)
) STRICT;

-- 专项附加扣除 a person declared (JSON of
-- app::domain::tax::AdditionalDeduction). Withdrawn, not deleted.
CREATE TABLE tax_declarations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    staff_id INTEGER NOT NULL,
    declaration TEXT NOT NULL CHECK (json_valid(declaration)),
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    withdrawn_at TEXT,
    FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id)
) STRICT;
CREATE INDEX tax_declarations_staff ON tax_declarations (staff_id);

-- A payroll run for a month. computing → draft → submitted → approved →
-- paid; a draft may be discarded. Approved and paid runs never change
-- (triggers below); corrections are adjustments paid in a later run.
CREATE TABLE payroll_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    month TEXT NOT NULL CHECK (month GLOB '[12][0-9][0-9][0-9]-[01][0-9]' AND substr(month, 6, 2) BETWEEN '01' AND '12'),
    status TEXT NOT NULL CHECK (status IN ('computing', 'draft', 'submitted', 'approved', 'paid', 'discarded')),
    approval_id INTEGER UNIQUE REFERENCES approvals (id),
    people INTEGER NOT NULL DEFAULT 0 CHECK (people >= 0),
    lines_done INTEGER NOT NULL DEFAULT 0 CHECK (lines_done >= 0),
    gross_fen INTEGER NOT NULL DEFAULT 0,
    employee_fen INTEGER NOT NULL DEFAULT 0,
    tax_fen INTEGER NOT NULL DEFAULT 0,
    net_fen INTEGER NOT NULL DEFAULT 0,
    employer_fen INTEGER NOT NULL DEFAULT 0,
    cost_fen INTEGER NOT NULL DEFAULT 0,
    -- Why a computation stopped (a line that cannot be paid), if it did.
    problem TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    computed_at TEXT,
    paid_at TEXT,
    paid_by INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, created_by) REFERENCES users (district_id, id)
) STRICT;
-- One live run a month: a new one only after the last was discarded.
CREATE UNIQUE INDEX payroll_runs_month ON payroll_runs (district_id, month)
    WHERE status IN ('computing', 'draft', 'submitted');
CREATE INDEX payroll_runs_district ON payroll_runs (district_id, month);

-- One person's line of a run. `detail` is the computed line as JSON
-- (app::domain::payroll::Line: every component, each contribution and the
-- tax year to date); the columns repeat what sums and sheets need.
CREATE TABLE payroll_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    district_id INTEGER NOT NULL,
    staff_id INTEGER NOT NULL,
    town_id INTEGER NOT NULL,
    post_id INTEGER,
    days INTEGER NOT NULL CHECK (days BETWEEN 0 AND 31),
    score INTEGER CHECK (score IS NULL OR score BETWEEN 0 AND 100),
    base_fen INTEGER NOT NULL,
    role_fen INTEGER NOT NULL,
    tenure_fen INTEGER NOT NULL,
    qualification_fen INTEGER NOT NULL,
    performance_fen INTEGER NOT NULL,
    additions_fen INTEGER NOT NULL CHECK (additions_fen >= 0),
    deductions_fen INTEGER NOT NULL CHECK (deductions_fen >= 0),
    gross_fen INTEGER NOT NULL,
    si_base_fen INTEGER NOT NULL,
    employee_insurance_fen INTEGER NOT NULL,
    employee_housing_fen INTEGER NOT NULL,
    tax_fen INTEGER NOT NULL CHECK (tax_fen >= 0),
    net_fen INTEGER NOT NULL CHECK (net_fen >= 0),
    employer_insurance_fen INTEGER NOT NULL,
    employer_housing_fen INTEGER NOT NULL,
    cost_fen INTEGER NOT NULL,
    detail TEXT NOT NULL CHECK (json_valid(detail)),
    CHECK (gross_fen = base_fen + role_fen + tenure_fen + qualification_fen + performance_fen + additions_fen - deductions_fen),
    CHECK (net_fen = gross_fen - employee_insurance_fen - employee_housing_fen - tax_fen),
    CHECK (cost_fen = gross_fen + employer_insurance_fen + employer_housing_fen),
    UNIQUE (run_id, staff_id),
    FOREIGN KEY (district_id, run_id) REFERENCES payroll_runs (district_id, id),
    FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id)
) STRICT;
CREATE INDEX payroll_lines_staff ON payroll_lines (staff_id, run_id);

-- 补发 and 扣发: one-off changes paid in the next run of their month or
-- later; `run_id` is set when a run paying them is approved.
CREATE TABLE payroll_adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    staff_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('addition', 'deduction')),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    for_month TEXT NOT NULL CHECK (for_month GLOB '[12][0-9][0-9][0-9]-[01][0-9]'),
    reason TEXT NOT NULL CHECK (reason <> ''),
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    run_id INTEGER,
    FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id),
    FOREIGN KEY (district_id, run_id) REFERENCES payroll_runs (district_id, id)
) STRICT;
CREATE INDEX payroll_adjustments_open ON payroll_adjustments (district_id, run_id);

-- Approved and paid runs are immutable: their lines cannot change, and
-- the run itself only moves from approved to paid.
CREATE TRIGGER payroll_lines_frozen_update BEFORE UPDATE ON payroll_lines
WHEN (SELECT status FROM payroll_runs WHERE id = OLD.run_id) IN ('submitted', 'approved', 'paid')
BEGIN
    SELECT RAISE(ABORT, 'payroll lines of a submitted or approved run are immutable');
END;
CREATE TRIGGER payroll_lines_frozen_delete BEFORE DELETE ON payroll_lines
WHEN (SELECT status FROM payroll_runs WHERE id = OLD.run_id) IN ('submitted', 'approved', 'paid')
BEGIN
    SELECT RAISE(ABORT, 'payroll lines of a submitted or approved run are immutable');
END;
-- Inserts are not checked here (see the PostgreSQL migration): the run's
-- status is checked in the transaction that inserts.
CREATE TRIGGER payroll_runs_frozen BEFORE UPDATE ON payroll_runs
WHEN OLD.status IN ('approved', 'paid') AND NOT (
    OLD.status = 'approved' AND NEW.status = 'paid'
    AND NEW.month IS OLD.month AND NEW.people IS OLD.people AND NEW.gross_fen IS OLD.gross_fen
    AND NEW.employee_fen IS OLD.employee_fen AND NEW.tax_fen IS OLD.tax_fen AND NEW.net_fen IS OLD.net_fen
    AND NEW.employer_fen IS OLD.employer_fen AND NEW.cost_fen IS OLD.cost_fen
    AND NEW.approval_id IS OLD.approval_id
)
BEGIN
    SELECT RAISE(ABORT, 'an approved payroll run is immutable');
END;
CREATE TRIGGER payroll_runs_no_delete BEFORE DELETE ON payroll_runs
BEGIN
    SELECT RAISE(ABORT, 'payroll runs are never deleted');
END;
