-- Spot inspections (抽查) of how towns staff and use the assistant posts,
-- by 双随机、一公开: plans with their checklist and inspector pool, the
-- recorded random draw, the inspections with what the inspector saw,
-- findings, and rectification (整改) from notice to closure.
-- Times entered by inspectors are the district's wall clock.
-- SQLite flavour; keep in step with ../../postgres/.

-- `checklist`: JSON list of {key, label, kind, required}. Once drawn, the
-- seed, the draw's input and its hash never change (trigger below).
CREATE TABLE inspection_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    title TEXT NOT NULL CHECK (title <> ''),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    checklist TEXT NOT NULL,
    ratio_bp INTEGER NOT NULL CHECK (ratio_bp BETWEEN 0 AND 10000),
    minimum_towns INTEGER NOT NULL CHECK (minimum_towns >= 0),
    staff_per_town INTEGER NOT NULL CHECK (staff_per_town BETWEEN 0 AND 50),
    inspectors_per_town INTEGER NOT NULL CHECK (inspectors_per_town BETWEEN 2 AND 10),
    rectification_days INTEGER NOT NULL CHECK (rectification_days BETWEEN 1 AND 365),
    status TEXT NOT NULL CHECK (status IN ('draft', 'drawn', 'closed')),
    algorithm TEXT,
    seed TEXT,
    draw_input TEXT,
    draw_sha256 TEXT,
    drawn_at TEXT,
    drawn_by INTEGER,
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (district_id, id),
    CHECK ((status = 'draft') = (seed IS NULL))
) STRICT;

CREATE TRIGGER inspection_plans_draw_fixed BEFORE UPDATE ON inspection_plans
WHEN OLD.seed IS NOT NULL AND (
    NEW.seed IS NOT OLD.seed OR NEW.draw_input IS NOT OLD.draw_input OR NEW.draw_sha256 IS NOT OLD.draw_sha256
    OR NEW.algorithm IS NOT OLD.algorithm OR NEW.checklist IS NOT OLD.checklist
    OR NEW.ratio_bp IS NOT OLD.ratio_bp OR NEW.minimum_towns IS NOT OLD.minimum_towns
    OR NEW.staff_per_town IS NOT OLD.staff_per_town OR NEW.inspectors_per_town IS NOT OLD.inspectors_per_town
    OR NEW.period_from IS NOT OLD.period_from OR NEW.period_to IS NOT OLD.period_to
    OR NEW.drawn_at IS NOT OLD.drawn_at OR NEW.drawn_by IS NOT OLD.drawn_by
)
BEGIN
    SELECT RAISE(ABORT, 'a drawn plan keeps its draw');
END;
CREATE TRIGGER inspection_plans_no_delete BEFORE DELETE ON inspection_plans
WHEN OLD.seed IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a drawn plan is never deleted');
END;

-- The inspector pool and each member's declared conflicts: town ids,
-- comma-separated, and a note.
CREATE TABLE plan_inspectors (
    plan_id INTEGER NOT NULL REFERENCES inspection_plans (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    conflict_towns TEXT NOT NULL DEFAULT '',
    conflict_note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, user_id)
) STRICT;

-- One drawn town. `facts`: JSON of what the system knew when the form was
-- submitted (allocated posts, roster, last payroll); `answers`: JSON map
-- of checklist key to answer; `absent`/`other_duties`: staff ids,
-- comma-separated.
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    plan_id INTEGER NOT NULL REFERENCES inspection_plans (id),
    town_id INTEGER NOT NULL,
    draw_order INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('assigned', 'draft', 'submitted')),
    arrived_at TEXT,
    left_at TEXT,
    headcount INTEGER CHECK (headcount IS NULL OR headcount >= 0),
    absent TEXT NOT NULL DEFAULT '',
    other_duties TEXT NOT NULL DEFAULT '',
    answers TEXT NOT NULL DEFAULT '{}',
    remarks TEXT NOT NULL DEFAULT '',
    facts TEXT,
    saved_at TEXT,
    saved_by INTEGER,
    submitted_at TEXT,
    submitted_by INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, town_id),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX inspections_town ON inspections (town_id);

CREATE TRIGGER inspections_frozen BEFORE UPDATE ON inspections
WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'a submitted inspection is not changed');
END;
CREATE TRIGGER inspections_no_delete BEFORE DELETE ON inspections
BEGIN
    SELECT RAISE(ABORT, 'drawn inspections are never deleted');
END;

-- Drawn with the inspection: its inspectors and the staff to interview.
CREATE TABLE inspection_inspectors (
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (inspection_id, user_id)
) STRICT;
CREATE INDEX inspection_inspectors_user ON inspection_inspectors (user_id);
CREATE TRIGGER inspection_inspectors_fixed BEFORE UPDATE ON inspection_inspectors
BEGIN
    SELECT RAISE(ABORT, 'drawn inspectors are fixed');
END;
CREATE TRIGGER inspection_inspectors_no_delete BEFORE DELETE ON inspection_inspectors
BEGIN
    SELECT RAISE(ABORT, 'drawn inspectors are fixed');
END;

CREATE TABLE inspection_staff (
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    PRIMARY KEY (inspection_id, staff_id)
) STRICT;
CREATE TRIGGER inspection_staff_fixed BEFORE UPDATE ON inspection_staff
BEGIN
    SELECT RAISE(ABORT, 'drawn staff are fixed');
END;
CREATE TRIGGER inspection_staff_no_delete BEFORE DELETE ON inspection_staff
BEGIN
    SELECT RAISE(ABORT, 'drawn staff are fixed');
END;

-- Photos taken during an inspection, under a checklist item; content by
-- SHA-256 in the file store.
CREATE TABLE inspection_photos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    item_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    display_name TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;
CREATE INDEX inspection_photos_inspection ON inspection_photos (inspection_id);
CREATE TRIGGER inspection_photos_frozen BEFORE INSERT ON inspection_photos
WHEN (SELECT status FROM inspections WHERE id = NEW.inspection_id) = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'a submitted inspection takes no more photos');
END;

-- A notice (整改通知书) to the inspected town with its deadline; the
-- response and verification steps are `rectification_events`.
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    inspection_id INTEGER NOT NULL UNIQUE REFERENCES inspections (id),
    town_id INTEGER NOT NULL,
    notice_no TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('issued', 'responded', 'returned', 'closed')),
    issued_by INTEGER,
    closed_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (district_id, notice_no),
    CHECK (deadline > issued_on),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX rectifications_town ON rectifications (town_id);

-- Findings: proposed by reconciliation or entered by an inspector,
-- confirmed or dismissed (with a reason); confirmed ones go into the
-- notice.
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    town_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('paid_not_present', 'post_empty', 'headcount_short', 'over_allocation',
        'payroll_mismatch', 'other_duties', 'checklist', 'other')),
    severity TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'serious')),
    description TEXT NOT NULL CHECK (description <> ''),
    origin TEXT NOT NULL CHECK (origin IN ('reconciliation', 'inspector')),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'dismissed')),
    dismiss_reason TEXT NOT NULL DEFAULT '',
    decided_by INTEGER,
    decided_at TEXT,
    rectification_id INTEGER REFERENCES rectifications (id),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX findings_inspection ON findings (inspection_id);
CREATE TRIGGER findings_no_delete BEFORE DELETE ON findings
BEGIN
    SELECT RAISE(ABORT, 'findings are never deleted');
END;

-- Every step of a rectification, never changed: issued, responded (the
-- town, with evidence), returned or closed (the inspector).
CREATE TABLE rectification_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rectification_id INTEGER NOT NULL REFERENCES rectifications (id),
    action TEXT NOT NULL CHECK (action IN ('issue', 'respond', 'return', 'close')),
    body TEXT NOT NULL DEFAULT '',
    user_id INTEGER,
    at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;
CREATE INDEX rectification_events_rect ON rectification_events (rectification_id);
CREATE TRIGGER rectification_events_fixed BEFORE UPDATE ON rectification_events
BEGIN
    SELECT RAISE(ABORT, 'rectification steps are never changed');
END;
CREATE TRIGGER rectification_events_no_delete BEFORE DELETE ON rectification_events
BEGIN
    SELECT RAISE(ABORT, 'rectification steps are never changed');
END;

-- The town's evidence of rectification; attached before it responds
-- (`event_id` empty) and bound to the response it supports.
CREATE TABLE rectification_evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    rectification_id INTEGER NOT NULL REFERENCES rectifications (id),
    event_id INTEGER REFERENCES rectification_events (id),
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    display_name TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;
CREATE INDEX rectification_evidence_rect ON rectification_evidence (rectification_id);
