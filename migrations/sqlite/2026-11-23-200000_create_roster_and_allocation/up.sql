-- Assistance recipients by town, staffing norms, post allocation plans, the
-- assistant roster and its assignment history. SQLite flavour; keep in
-- step with ../../postgres/ (same name, same columns and constraints).

-- Recipients by category in each effective-dated town profile: 城乡低保,
-- 特困供养, 低保边缘, 支出型困难. The reason for a new profile is kept.
ALTER TABLE town_profiles ADD COLUMN recipients_dibao INTEGER NOT NULL DEFAULT 0 CHECK (recipients_dibao >= 0);
ALTER TABLE town_profiles ADD COLUMN recipients_tekun INTEGER NOT NULL DEFAULT 0 CHECK (recipients_tekun >= 0);
ALTER TABLE town_profiles ADD COLUMN recipients_marginal INTEGER NOT NULL DEFAULT 0 CHECK (recipients_marginal >= 0);
ALTER TABLE town_profiles ADD COLUMN recipients_expense INTEGER NOT NULL DEFAULT 0 CHECK (recipients_expense >= 0);
ALTER TABLE town_profiles ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- A staff row names its post through (town_id, post_id), so a person's
-- post is always in their town.
CREATE UNIQUE INDEX posts_town_id ON posts (town_id, id);

-- Minimum posts by registered population (配备标准), effective-dated.
-- `steps` is JSON: [{"from_population": 0, "min_posts": 1}, ...],
-- checked by the application (app/src/domain/allocation.rs).
CREATE TABLE staffing_norms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    effective_from TEXT NOT NULL CHECK (date(effective_from) IS effective_from),
    steps TEXT NOT NULL CHECK (json_valid(steps)),
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (district_id, effective_from),
    FOREIGN KEY (district_id, created_by) REFERENCES users (district_id, id)
) STRICT;

-- A post allocation plan, submitted for approval. Its number is given
-- when it is adopted (approved): adopted plans are numbered 1, 2, ...
-- per district. Pending, rejected and withdrawn plans follow their
-- approval item's status.
CREATE TABLE allocation_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    approval_id INTEGER NOT NULL UNIQUE REFERENCES approvals (id),
    number INTEGER CHECK (number IS NULL OR number > 0),
    method TEXT NOT NULL CHECK (method IN ('largest_remainder', 'huntington_hill')),
    total INTEGER NOT NULL CHECK (total >= 0),
    population_weight INTEGER NOT NULL CHECK (population_weight BETWEEN 0 AND 100),
    recipients_weight INTEGER NOT NULL CHECK (recipients_weight = 100 - population_weight),
    norms TEXT NOT NULL CHECK (json_valid(norms)),
    -- Town figures in force on this date were used.
    figures_on TEXT NOT NULL CHECK (date(figures_on) IS figures_on),
    -- Posts are opened or closed to match the plan from this date.
    effective_from TEXT NOT NULL CHECK (date(effective_from) IS effective_from),
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    adopted_at TEXT,
    CHECK ((number IS NULL) = (adopted_at IS NULL)),
    UNIQUE (district_id, number),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, created_by) REFERENCES users (district_id, id)
) STRICT;

-- Each town's line of a plan: its inputs, quota and result.
CREATE TABLE allocation_plan_towns (
    plan_id INTEGER NOT NULL,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    town_id INTEGER NOT NULL,
    population INTEGER NOT NULL CHECK (population >= 0),
    recipients INTEGER NOT NULL CHECK (recipients >= 0),
    minimum INTEGER NOT NULL CHECK (minimum >= 0),
    -- Quotas times 10,000 (4 decimals, exact).
    quota_e4 INTEGER NOT NULL CHECK (quota_e4 >= 0),
    adjusted_quota_e4 INTEGER CHECK (adjusted_quota_e4 IS NULL OR adjusted_quota_e4 >= 0),
    posts INTEGER NOT NULL CHECK (posts >= minimum),
    reason TEXT NOT NULL CHECK (reason IN (
        'minimum_applied', 'exact', 'remainder_won', 'rounded_down', 'rounded_up', 'priorities_rounded_down'
    )),
    PRIMARY KEY (plan_id, town_id),
    FOREIGN KEY (district_id, plan_id) REFERENCES allocation_plans (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;

-- The roster of full-time assistants. Post, town, role level and duties
-- change only through approved change requests (history below).
CREATE TABLE staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    town_id INTEGER NOT NULL,
    post_id INTEGER,
    name TEXT NOT NULL CHECK (name <> ''),
    -- GB 11643 number, checked by the application; gender and birth date
    -- are derived from it, never stored apart.
    id_number TEXT NOT NULL CHECK (length(id_number) = 18),
    phone TEXT NOT NULL,
    education TEXT NOT NULL CHECK (education IN (
        'junior_or_below', 'secondary', 'college', 'bachelor', 'master', 'doctorate'
    )),
    social_work_major INTEGER NOT NULL DEFAULT 0 CHECK (social_work_major IN (0, 1)),
    certificate TEXT NOT NULL CHECK (certificate IN ('none', 'assistant', 'intermediate', 'senior')),
    hire_date TEXT NOT NULL CHECK (date(hire_date) IS hire_date),
    role_level TEXT NOT NULL CHECK (role_level IN ('head', 'deputy', 'assistant')),
    duties TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('on_duty', 'standby', 'left')),
    left_on TEXT CHECK (left_on IS NULL OR date(left_on) IS left_on),
    -- The approved exception that allowed hiring below 大专, if any.
    education_exception_id INTEGER REFERENCES approvals (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK ((status = 'on_duty') = (post_id IS NOT NULL)),
    CHECK ((status = 'left') = (left_on IS NOT NULL)),
    CHECK (education IN ('college', 'bachelor', 'master', 'doctorate') OR education_exception_id IS NOT NULL),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id),
    FOREIGN KEY (town_id, post_id) REFERENCES posts (town_id, id)
) STRICT;
-- One person per post; one current record per person and district.
CREATE UNIQUE INDEX staff_post ON staff (post_id) WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX staff_person ON staff (district_id, id_number) WHERE status <> 'left';
CREATE INDEX staff_town ON staff (district_id, town_id);

-- Every assignment a person has had: one row per change of town, post,
-- role level, duties or status, with the approval that allowed it.
CREATE TABLE staff_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    staff_id INTEGER NOT NULL,
    town_id INTEGER NOT NULL,
    post_id INTEGER,
    role_level TEXT NOT NULL CHECK (role_level IN ('head', 'deputy', 'assistant')),
    duties TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('on_duty', 'standby', 'left')),
    from_date TEXT NOT NULL CHECK (date(from_date) IS from_date),
    -- hire, transfer, post, role, duties, standby, leave, plan
    cause TEXT NOT NULL CHECK (cause <> ''),
    approval_id INTEGER REFERENCES approvals (id),
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX staff_assignments_staff ON staff_assignments (staff_id, id);
