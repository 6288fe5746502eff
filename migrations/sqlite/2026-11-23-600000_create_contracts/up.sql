-- Purchased-service contracts: the supplier register, procurement projects
-- with their funding, bids and award, contracts with items, milestones,
-- indicators and breach clauses, numbered amendments, milestone
-- acceptances and payments. Money is integer fen; percentages and scores
-- are integer hundredths (33.33% = 3333), band factors ten-thousandths.
-- SQLite flavour; keep in step with ../../postgres/.

-- The supplier register grows the fields 102号令 and payment need.
-- `blacklist_reason` set means blacklisted (失信名单).
ALTER TABLE suppliers ADD COLUMN credit_code TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN org_type TEXT NOT NULL DEFAULT 'social_organisation'
    CHECK (org_type IN ('company', 'social_organisation', 'public_welfare_2', 'business_institution',
                        'rural_collective', 'grassroots', 'individual'));
ALTER TABLE suppliers ADD COLUMN legal_representative TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN bank_name TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN bank_account TEXT NOT NULL DEFAULT '';
ALTER TABLE suppliers ADD COLUMN blacklist_reason TEXT;
ALTER TABLE suppliers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX suppliers_credit_code ON suppliers (district_id, credit_code) WHERE credit_code <> '';

CREATE TABLE supplier_qualifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id INTEGER NOT NULL REFERENCES suppliers (id),
    name TEXT NOT NULL CHECK (name <> ''),
    number TEXT NOT NULL DEFAULT '',
    expires_on TEXT CHECK (expires_on IS NULL OR date(expires_on) IS expires_on)
) STRICT;
CREATE INDEX supplier_qualifications_supplier ON supplier_qualifications (supplier_id);

-- A procurement project (采购项目): what is bought, how, with which money.
-- A town's purchase is made from its approved purchase request.
CREATE TABLE procurement_projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    code TEXT NOT NULL,
    title TEXT NOT NULL CHECK (title <> ''),
    item_code TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('open_tender', 'invited_tender', 'competitive_negotiation',
        'competitive_consultation', 'single_source', 'request_for_quotation', 'framework_agreement')),
    justification TEXT NOT NULL DEFAULT '',
    budget_fen INTEGER NOT NULL CHECK (budget_fen > 0),
    town_id INTEGER,
    budget_request_id INTEGER UNIQUE REFERENCES budget_requests (id),
    planned_on TEXT NOT NULL CHECK (date(planned_on) IS planned_on),
    tender_opens TEXT CHECK (tender_opens IS NULL OR date(tender_opens) IS tender_opens),
    tender_closes TEXT CHECK (tender_closes IS NULL OR date(tender_closes) IS tender_closes),
    status TEXT NOT NULL DEFAULT 'planning' CHECK (status IN ('planning', 'awarded', 'cancelled')),
    award_supplier_id INTEGER,
    award_fen INTEGER CHECK (award_fen IS NULL OR award_fen > 0),
    award_on TEXT CHECK (award_on IS NULL OR date(award_on) IS award_on),
    award_reason TEXT,
    cancel_reason TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((status = 'awarded') = (award_supplier_id IS NOT NULL AND award_fen IS NOT NULL AND award_on IS NOT NULL)),
    UNIQUE (district_id, code),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id),
    FOREIGN KEY (district_id, award_supplier_id) REFERENCES suppliers (district_id, id)
) STRICT;

-- Which sources pay for a project, in the order they are drawn on.
CREATE TABLE procurement_funding (
    district_id INTEGER NOT NULL REFERENCES districts (id),
    project_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    source_id INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    PRIMARY KEY (project_id, line_no),
    FOREIGN KEY (district_id, project_id) REFERENCES procurement_projects (district_id, id),
    FOREIGN KEY (district_id, source_id) REFERENCES budget_sources (district_id, id)
) STRICT;

-- Bids or quotes received (投标/报价), one per supplier and project.
CREATE TABLE procurement_bids (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    project_id INTEGER NOT NULL,
    supplier_id INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    received_on TEXT NOT NULL CHECK (date(received_on) IS received_on),
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (project_id, supplier_id),
    FOREIGN KEY (district_id, project_id) REFERENCES procurement_projects (district_id, id),
    FOREIGN KEY (district_id, supplier_id) REFERENCES suppliers (district_id, id)
) STRICT;

-- A contract. `amount_fen` and `end_on` are as approved and never change;
-- `current_*` are those with the approved amendments applied (kept for
-- reading; the amendments hold the history).
CREATE TABLE contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    project_id INTEGER NOT NULL,
    number TEXT NOT NULL,
    template TEXT NOT NULL CHECK (template IN ('social_work_services', 'assistant_posts')),
    supplier_id INTEGER NOT NULL,
    town_id INTEGER,
    title TEXT NOT NULL CHECK (title <> ''),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    start_on TEXT NOT NULL CHECK (date(start_on) IS start_on),
    end_on TEXT NOT NULL CHECK (date(end_on) IS end_on AND end_on >= start_on),
    term_justification TEXT NOT NULL DEFAULT '',
    current_amount_fen INTEGER NOT NULL CHECK (current_amount_fen > 0),
    current_end_on TEXT NOT NULL CHECK (date(current_end_on) IS current_end_on),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'pending', 'approved', 'signed',
        'performing', 'accepted', 'terminated')),
    approval_id INTEGER REFERENCES approvals (id),
    signed_on TEXT CHECK (signed_on IS NULL OR date(signed_on) IS signed_on),
    performing_from TEXT CHECK (performing_from IS NULL OR date(performing_from) IS performing_from),
    ended_on TEXT CHECK (ended_on IS NULL OR date(ended_on) IS ended_on),
    end_reason TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (district_id, number),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, project_id) REFERENCES procurement_projects (district_id, id),
    FOREIGN KEY (district_id, supplier_id) REFERENCES suppliers (district_id, id),
    FOREIGN KEY (district_id, town_id) REFERENCES towns (district_id, id)
) STRICT;
CREATE INDEX contracts_supplier ON contracts (supplier_id);

-- 服务内容: what is bought, how much, at what price, held to which indicator.
CREATE TABLE contract_items (
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    item_code TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    quantity_centi INTEGER NOT NULL CHECK (quantity_centi > 0),
    unit_price_fen INTEGER NOT NULL CHECK (unit_price_fen > 0),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    indicator TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (contract_id, line_no)
) STRICT;

-- 付款节点. `bands` is a JSON list of {min_score, factor}; empty pays in full.
CREATE TABLE contract_milestones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    contract_id INTEGER NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    name TEXT NOT NULL CHECK (name <> ''),
    percent_centi INTEGER NOT NULL CHECK (percent_centi > 0 AND percent_centi <= 10000),
    due_on TEXT NOT NULL CHECK (date(due_on) IS due_on),
    condition TEXT NOT NULL CHECK (condition <> ''),
    bands TEXT NOT NULL DEFAULT '[]',
    UNIQUE (contract_id, seq),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, contract_id) REFERENCES contracts (district_id, id)
) STRICT;

-- 绩效指标, weighted for the performance evaluation.
CREATE TABLE contract_indicators (
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    name TEXT NOT NULL CHECK (name <> ''),
    target TEXT NOT NULL,
    weight_centi INTEGER NOT NULL CHECK (weight_centi > 0),
    PRIMARY KEY (contract_id, line_no)
) STRICT;

-- 违约责任, one clause per row.
CREATE TABLE contract_clauses (
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    text TEXT NOT NULL CHECK (text <> ''),
    PRIMARY KEY (contract_id, line_no)
) STRICT;

-- 合同变更: numbered in order of submission; approved ones apply.
CREATE TABLE contract_amendments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    contract_id INTEGER NOT NULL,
    number INTEGER NOT NULL CHECK (number >= 1),
    reason TEXT NOT NULL CHECK (reason <> ''),
    amount_fen INTEGER CHECK (amount_fen IS NULL OR amount_fen > 0),
    end_on TEXT CHECK (end_on IS NULL OR date(end_on) IS end_on),
    term_justification TEXT NOT NULL DEFAULT '',
    other_changes TEXT NOT NULL DEFAULT '',
    -- The terms before it, for the history.
    before_amount_fen INTEGER NOT NULL,
    before_end_on TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
    approval_id INTEGER UNIQUE REFERENCES approvals (id),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (contract_id, number),
    FOREIGN KEY (district_id, contract_id) REFERENCES contracts (district_id, id)
) STRICT;
CREATE UNIQUE INDEX contract_amendments_one_open ON contract_amendments (contract_id) WHERE status = 'submitted';

-- 验收: a milestone's acceptance, manual or from an accepted report, with
-- the performance score the bands use.
CREATE TABLE milestone_acceptances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    contract_id INTEGER NOT NULL,
    milestone_id INTEGER NOT NULL,
    accepted_on TEXT NOT NULL CHECK (date(accepted_on) IS accepted_on),
    score_centi INTEGER CHECK (score_centi IS NULL OR score_centi BETWEEN 0 AND 10000),
    note TEXT NOT NULL DEFAULT '',
    basis TEXT NOT NULL DEFAULT 'manual' CHECK (basis IN ('manual', 'report')),
    report_id INTEGER,
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
    approval_id INTEGER UNIQUE REFERENCES approvals (id),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (district_id, contract_id) REFERENCES contracts (district_id, id),
    FOREIGN KEY (district_id, milestone_id) REFERENCES contract_milestones (district_id, id)
) STRICT;
CREATE UNIQUE INDEX milestone_acceptances_live ON milestone_acceptances (milestone_id)
    WHERE status IN ('submitted', 'approved');

-- A milestone's payment: base × band factor, disbursed from the budget
-- when approved. At most one live payment per milestone.
CREATE TABLE contract_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    contract_id INTEGER NOT NULL,
    milestone_id INTEGER NOT NULL,
    acceptance_id INTEGER NOT NULL REFERENCES milestone_acceptances (id),
    base_fen INTEGER NOT NULL CHECK (base_fen >= 0),
    factor_bp INTEGER NOT NULL CHECK (factor_bp BETWEEN 0 AND 10000),
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    pay_on TEXT NOT NULL CHECK (date(pay_on) IS pay_on),
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
    approval_id INTEGER UNIQUE REFERENCES approvals (id),
    created_by INTEGER,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    paid_at TEXT,
    FOREIGN KEY (district_id, contract_id) REFERENCES contracts (district_id, id),
    FOREIGN KEY (district_id, milestone_id) REFERENCES contract_milestones (district_id, id)
) STRICT;
CREATE UNIQUE INDEX contract_payments_live ON contract_payments (milestone_id)
    WHERE status IN ('submitted', 'approved');
