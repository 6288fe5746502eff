//! Table definitions shared by both backends. Written by hand to match
//! `migrations/sqlite` and `migrations/postgres`; the integration tests run
//! every query against both, so a drift fails there.

diesel::table! {
    /// A district (区县), the unit that runs the system. `code` is the
    /// six-digit administrative division code.
    districts (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        name_en -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A town or subdistrict (镇街) of a district.
    towns (id) {
        id -> BigInt,
        district_id -> BigInt,
        code -> Text,
        name -> Text,
        name_en -> Text,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A town's figures from `effective_from` until the next profile.
    town_profiles (id) {
        id -> BigInt,
        district_id -> BigInt,
        town_id -> BigInt,
        effective_from -> Date,
        communities -> Integer,
        villages -> Integer,
        population -> BigInt,
        created_at -> Timestamp,
        /// 城乡低保 recipients.
        recipients_dibao -> Integer,
        /// 特困供养 recipients.
        recipients_tekun -> Integer,
        /// 低保边缘 recipients.
        recipients_marginal -> Integer,
        /// 支出型困难 recipients.
        recipients_expense -> Integer,
        note -> Text,
    }
}

diesel::table! {
    /// Minimum posts by registered population, from `effective_from`.
    staffing_norms (id) {
        id -> BigInt,
        district_id -> BigInt,
        effective_from -> Date,
        /// JSON list of `{from_population, min_posts}`.
        steps -> Text,
        note -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A post allocation plan; numbered when adopted.
    allocation_plans (id) {
        id -> BigInt,
        district_id -> BigInt,
        approval_id -> BigInt,
        number -> Nullable<Integer>,
        method -> Text,
        total -> Integer,
        population_weight -> Integer,
        recipients_weight -> Integer,
        norms -> Text,
        figures_on -> Date,
        effective_from -> Date,
        note -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        adopted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// One town's line of an allocation plan.
    allocation_plan_towns (plan_id, town_id) {
        plan_id -> BigInt,
        district_id -> BigInt,
        town_id -> BigInt,
        population -> BigInt,
        recipients -> Integer,
        minimum -> Integer,
        quota_e4 -> BigInt,
        adjusted_quota_e4 -> Nullable<BigInt>,
        posts -> Integer,
        reason -> Text,
    }
}

diesel::table! {
    /// The roster of full-time assistants (专职低保员).
    staff (id) {
        id -> BigInt,
        district_id -> BigInt,
        town_id -> BigInt,
        post_id -> Nullable<BigInt>,
        name -> Text,
        id_number -> Text,
        phone -> Text,
        education -> Text,
        social_work_major -> Bool,
        certificate -> Text,
        hire_date -> Date,
        role_level -> Text,
        duties -> Text,
        status -> Text,
        left_on -> Nullable<Date>,
        education_exception_id -> Nullable<BigInt>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Every assignment a person has had.
    staff_assignments (id) {
        id -> BigInt,
        district_id -> BigInt,
        staff_id -> BigInt,
        town_id -> BigInt,
        post_id -> Nullable<BigInt>,
        role_level -> Text,
        duties -> Text,
        status -> Text,
        from_date -> Date,
        cause -> Text,
        approval_id -> Nullable<BigInt>,
        note -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A full-time assistant post (专职低保员岗位) established in a town.
    posts (id) {
        id -> BigInt,
        district_id -> BigInt,
        town_id -> BigInt,
        code -> Text,
        established_on -> Date,
        abolished_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Roster imports from .xlsx with their reports.
    roster_imports (id) {
        id -> BigInt,
        district_id -> BigInt,
        created_by -> BigInt,
        created_at -> Timestamp,
        file_name -> Text,
        file_sha256 -> Text,
        mode -> Text,
        status -> Text,
        total_rows -> Integer,
        imported_rows -> Integer,
        failed_rows -> Integer,
        problem_count -> Integer,
        problems -> Text,
        failed -> Text,
    }
}

diesel::table! {
    /// A year's pay standards (JSON), adopted through maker-checker.
    pay_standards (id) {
        id -> BigInt,
        district_id -> BigInt,
        year -> Integer,
        effective_from -> Date,
        standards -> Text,
        approval_id -> BigInt,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A year's social-insurance and housing-fund rules (JSON).
    insurance_rules (id) {
        id -> BigInt,
        district_id -> BigInt,
        year -> Integer,
        effective_from -> Date,
        rules -> Text,
        approval_id -> BigInt,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Monthly performance scores.
    performance_scores (id) {
        id -> BigInt,
        district_id -> BigInt,
        staff_id -> BigInt,
        month -> Text,
        score -> Integer,
        reason -> Text,
        entered_by -> BigInt,
        entered_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// 专项附加扣除 declarations (JSON).
    tax_declarations (id) {
        id -> BigInt,
        district_id -> BigInt,
        staff_id -> BigInt,
        declaration -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Payroll runs.
    payroll_runs (id) {
        id -> BigInt,
        district_id -> BigInt,
        month -> Text,
        status -> Text,
        approval_id -> Nullable<BigInt>,
        people -> Integer,
        lines_done -> Integer,
        gross_fen -> BigInt,
        employee_fen -> BigInt,
        tax_fen -> BigInt,
        net_fen -> BigInt,
        employer_fen -> BigInt,
        cost_fen -> BigInt,
        problem -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        computed_at -> Nullable<Timestamp>,
        paid_at -> Nullable<Timestamp>,
        paid_by -> Nullable<BigInt>,
        version -> Integer,
        pay_source_id -> Nullable<BigInt>,
        insurance_source_id -> Nullable<BigInt>,
        override_request -> Nullable<Text>,
        inputs_seq -> BigInt,
    }
}

diesel::table! {
    /// A client's idempotency key, claimed by the first write of a request.
    idempotency_keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        key -> Text,
        request_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// One person's line of a payroll run.
    payroll_lines (id) {
        id -> BigInt,
        run_id -> BigInt,
        district_id -> BigInt,
        staff_id -> BigInt,
        town_id -> BigInt,
        post_id -> Nullable<BigInt>,
        days -> Integer,
        score -> Nullable<Integer>,
        base_fen -> BigInt,
        role_fen -> BigInt,
        tenure_fen -> BigInt,
        qualification_fen -> BigInt,
        performance_fen -> BigInt,
        additions_fen -> BigInt,
        deductions_fen -> BigInt,
        gross_fen -> BigInt,
        si_base_fen -> BigInt,
        employee_insurance_fen -> BigInt,
        employee_housing_fen -> BigInt,
        tax_fen -> BigInt,
        net_fen -> BigInt,
        employer_insurance_fen -> BigInt,
        employer_housing_fen -> BigInt,
        cost_fen -> BigInt,
        detail -> Text,
    }
}

diesel::table! {
    /// 补发 and 扣发.
    payroll_adjustments (id) {
        id -> BigInt,
        district_id -> BigInt,
        staff_id -> BigInt,
        kind -> Text,
        amount_fen -> BigInt,
        for_month -> Text,
        reason -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        run_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(towns -> districts (district_id));
diesel::joinable!(town_profiles -> towns (town_id));
diesel::joinable!(posts -> towns (town_id));

diesel::table! {
    /// A service organisation (社工机构), the scope of provider users.
    suppliers (id) {
        id -> BigInt,
        district_id -> BigInt,
        name -> Text,
        name_en -> Text,
        created_at -> Timestamp,
        credit_code -> Text,
        org_type -> Text,
        legal_representative -> Text,
        contact_name -> Text,
        contact_phone -> Text,
        address -> Text,
        bank_name -> Text,
        bank_account -> Text,
        blacklist_reason -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    /// A person who signs in.
    users (id) {
        id -> BigInt,
        district_id -> BigInt,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        must_change_password -> Bool,
        town_id -> Nullable<BigInt>,
        supplier_id -> Nullable<BigInt>,
        disabled_at -> Nullable<Timestamp>,
        failures_cleared_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// The roles a user holds.
    user_roles (user_id, role) {
        district_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    /// A browser session; the cookie's token is stored hashed.
    sessions (id) {
        id -> BigInt,
        district_id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        ip -> Text,
        user_agent -> Text,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    /// Every login attempt, for lockout and rate limiting.
    login_attempts (id) {
        id -> BigInt,
        username -> Text,
        ip -> Text,
        at -> Timestamp,
        succeeded -> Bool,
    }
}

diesel::table! {
    /// Personal API tokens; stored hashed.
    api_tokens (id) {
        id -> BigInt,
        district_id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Maker-checker items.
    approvals (id) {
        id -> BigInt,
        district_id -> BigInt,
        kind -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        summary -> Text,
        payload -> Text,
        maker_id -> BigInt,
        created_at -> Timestamp,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    /// The append-only, hash-chained audit log.
    audit_log (id) {
        id -> BigInt,
        seq -> BigInt,
        at -> Timestamp,
        district_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        username -> Nullable<Text>,
        ip -> Nullable<Text>,
        request_id -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<Text>,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    /// A fiscal year and the base of the social-work share rule.
    fiscal_years (id) {
        id -> BigInt,
        district_id -> BigInt,
        year -> Integer,
        assistance_funds_fen -> BigInt,
        social_work_min_bp -> Integer,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// A budget source of a year.
    budget_sources (id) {
        id -> BigInt,
        district_id -> BigInt,
        year -> Integer,
        kind -> Text,
        name -> Text,
        town_id -> Nullable<BigInt>,
        amount_fen -> BigInt,
        base_fen -> Nullable<BigInt>,
        doc_no -> Text,
        doc_date -> Nullable<Date>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// Corrections of a 1% source's base.
    budget_base_corrections (id) {
        id -> BigInt,
        source_id -> BigInt,
        old_base_fen -> BigInt,
        new_base_fen -> BigInt,
        old_amount_fen -> BigInt,
        new_amount_fen -> BigInt,
        reason -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The eligibility matrix.
    budget_eligibility (source_id, cost_type) {
        source_id -> BigInt,
        cost_type -> Text,
    }
}

diesel::table! {
    /// The monthly payment plan.
    budget_plan (district_id, year, month) {
        district_id -> BigInt,
        year -> Integer,
        month -> Integer,
        amount_fen -> BigInt,
    }
}

diesel::table! {
    /// The append-only budget ledger.
    budget_entries (id) {
        id -> BigInt,
        district_id -> BigInt,
        source_id -> BigInt,
        kind -> Text,
        cost_type -> Nullable<Text>,
        town_id -> Nullable<BigInt>,
        allocated_fen -> BigInt,
        committed_fen -> BigInt,
        paid_fen -> BigInt,
        entry_date -> Date,
        commitment_id -> Nullable<BigInt>,
        reverses_id -> Nullable<BigInt>,
        ref_entity -> Text,
        ref_id -> Nullable<BigInt>,
        memo -> Text,
        override_reason -> Nullable<Text>,
        overridden_by -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Spending requests and towns' purchase requests.
    budget_requests (id) {
        id -> BigInt,
        district_id -> BigInt,
        kind -> Text,
        source_id -> BigInt,
        cost_type -> Text,
        town_id -> Nullable<BigInt>,
        title -> Text,
        purpose -> Text,
        amount_fen -> BigInt,
        entry_date -> Date,
        override_request -> Nullable<Text>,
        status -> Text,
        approval_id -> Nullable<BigInt>,
        entry_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// Documents kept with a budget source.
    budget_attachments (id) {
        id -> BigInt,
        district_id -> BigInt,
        source_id -> BigInt,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A supplier's qualifications (资质), possibly expiring.
    supplier_qualifications (id) {
        id -> BigInt,
        supplier_id -> BigInt,
        name -> Text,
        number -> Text,
        expires_on -> Nullable<Date>,
    }
}

diesel::table! {
    /// A procurement project (采购项目).
    procurement_projects (id) {
        id -> BigInt,
        district_id -> BigInt,
        code -> Text,
        title -> Text,
        item_code -> Text,
        method -> Text,
        justification -> Text,
        budget_fen -> BigInt,
        town_id -> Nullable<BigInt>,
        budget_request_id -> Nullable<BigInt>,
        planned_on -> Date,
        tender_opens -> Nullable<Date>,
        tender_closes -> Nullable<Date>,
        status -> Text,
        award_supplier_id -> Nullable<BigInt>,
        award_fen -> Nullable<BigInt>,
        award_on -> Nullable<Date>,
        award_reason -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// The sources paying for a project, in drawing order.
    procurement_funding (project_id, line_no) {
        district_id -> BigInt,
        project_id -> BigInt,
        line_no -> Integer,
        source_id -> BigInt,
        amount_fen -> BigInt,
    }
}

diesel::table! {
    /// Bids or quotes received for a project.
    procurement_bids (id) {
        id -> BigInt,
        district_id -> BigInt,
        project_id -> BigInt,
        supplier_id -> BigInt,
        amount_fen -> BigInt,
        received_on -> Date,
        note -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A purchased-service contract.
    contracts (id) {
        id -> BigInt,
        district_id -> BigInt,
        project_id -> BigInt,
        number -> Text,
        template -> Text,
        supplier_id -> BigInt,
        town_id -> Nullable<BigInt>,
        title -> Text,
        amount_fen -> BigInt,
        start_on -> Date,
        end_on -> Date,
        term_justification -> Text,
        current_amount_fen -> BigInt,
        current_end_on -> Date,
        status -> Text,
        approval_id -> Nullable<BigInt>,
        signed_on -> Nullable<Date>,
        performing_from -> Nullable<Date>,
        ended_on -> Nullable<Date>,
        end_reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// A contract's service items.
    contract_items (contract_id, line_no) {
        contract_id -> BigInt,
        line_no -> Integer,
        item_code -> Text,
        description -> Text,
        quantity_centi -> BigInt,
        unit_price_fen -> BigInt,
        amount_fen -> BigInt,
        indicator -> Text,
    }
}

diesel::table! {
    /// A contract's payment milestones.
    contract_milestones (id) {
        id -> BigInt,
        district_id -> BigInt,
        contract_id -> BigInt,
        seq -> Integer,
        name -> Text,
        percent_centi -> Integer,
        due_on -> Date,
        condition -> Text,
        bands -> Text,
    }
}

diesel::table! {
    /// A contract's performance indicators.
    contract_indicators (contract_id, line_no) {
        contract_id -> BigInt,
        line_no -> Integer,
        name -> Text,
        target -> Text,
        weight_centi -> Integer,
        /// The catalogue item the indicator counts (none: judged, not counted).
        service_code -> Nullable<Text>,
        /// Target over the contract's term, in the item's unit.
        target_qty -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// A contract's breach clauses.
    contract_clauses (contract_id, line_no) {
        contract_id -> BigInt,
        line_no -> Integer,
        text -> Text,
    }
}

diesel::table! {
    /// Numbered amendments of a contract.
    contract_amendments (id) {
        id -> BigInt,
        district_id -> BigInt,
        contract_id -> BigInt,
        number -> Integer,
        reason -> Text,
        amount_fen -> Nullable<BigInt>,
        end_on -> Nullable<Date>,
        term_justification -> Text,
        other_changes -> Text,
        before_amount_fen -> BigInt,
        before_end_on -> Date,
        status -> Text,
        approval_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Acceptances of milestones.
    milestone_acceptances (id) {
        id -> BigInt,
        district_id -> BigInt,
        contract_id -> BigInt,
        milestone_id -> BigInt,
        accepted_on -> Date,
        score_centi -> Nullable<Integer>,
        note -> Text,
        basis -> Text,
        report_id -> Nullable<BigInt>,
        status -> Text,
        approval_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Payments of milestones.
    contract_payments (id) {
        id -> BigInt,
        district_id -> BigInt,
        contract_id -> BigInt,
        milestone_id -> BigInt,
        acceptance_id -> BigInt,
        base_fen -> BigInt,
        factor_bp -> Integer,
        amount_fen -> BigInt,
        pay_on -> Date,
        status -> Text,
        approval_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        paid_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// A household of the recipients register.
    households (id) {
        id -> BigInt,
        district_id -> BigInt,
        town_id -> BigInt,
        village -> Text,
        address -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// A person receiving assistance (服务对象).
    recipients (id) {
        id -> BigInt,
        district_id -> BigInt,
        household_id -> BigInt,
        name -> Text,
        id_number -> Text,
        category -> Text,
        priority -> Text,
        active -> Bool,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// The towns a bureau contract serves.
    contract_areas (contract_id, town_id) {
        district_id -> BigInt,
        contract_id -> BigInt,
        town_id -> BigInt,
    }
}

diesel::table! {
    /// A service delivered under a contract.
    service_records (id) {
        id -> BigInt,
        district_id -> BigInt,
        contract_id -> BigInt,
        supplier_id -> BigInt,
        recipient_id -> Nullable<BigInt>,
        town_id -> Nullable<BigInt>,
        service_code -> Text,
        started_at -> Timestamp,
        minutes -> Integer,
        worker -> Text,
        notes -> Text,
        latitude_micro -> Nullable<BigInt>,
        longitude_micro -> Nullable<BigInt>,
        keep_location -> Bool,
        source -> Text,
        external_id -> Nullable<Text>,
        voided_at -> Nullable<Timestamp>,
        void_reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// An evidence file of a service record.
    service_evidence (id) {
        id -> BigInt,
        district_id -> BigInt,
        record_id -> BigInt,
        sha256 -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        display_name -> Text,
        location_removed -> Bool,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A provider's periodic report against its contract's indicators.
    service_reports (id) {
        id -> BigInt,
        district_id -> BigInt,
        contract_id -> BigInt,
        supplier_id -> BigInt,
        period_from -> Date,
        period_to -> Date,
        milestone_id -> Nullable<BigInt>,
        summary -> Text,
        status -> Text,
        submitted_by -> Nullable<BigInt>,
        submitted_at -> Timestamp,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
        review_comment -> Nullable<Text>,
        total_centi -> Nullable<Integer>,
        grade -> Nullable<Text>,
        acceptance_id -> Nullable<BigInt>,
        version -> Integer,
    }
}

diesel::table! {
    /// One indicator's line of a report.
    report_lines (report_id, line_no) {
        report_id -> BigInt,
        line_no -> Integer,
        measured_centi -> Nullable<BigInt>,
        statement -> Text,
        score_centi -> Nullable<Integer>,
    }
}

diesel::table! {
    /// A spot-inspection plan (抽查计划) and, once drawn, its draw.
    inspection_plans (id) {
        id -> BigInt,
        district_id -> BigInt,
        title -> Text,
        period_from -> Date,
        period_to -> Date,
        checklist -> Text,
        ratio_bp -> Integer,
        minimum_towns -> Integer,
        staff_per_town -> Integer,
        inspectors_per_town -> Integer,
        rectification_days -> Integer,
        status -> Text,
        algorithm -> Nullable<Text>,
        seed -> Nullable<Text>,
        draw_input -> Nullable<Text>,
        draw_sha256 -> Nullable<Text>,
        drawn_at -> Nullable<Timestamp>,
        drawn_by -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// A plan's inspector pool with declared conflicts.
    plan_inspectors (plan_id, user_id) {
        plan_id -> BigInt,
        user_id -> BigInt,
        conflict_towns -> Text,
        conflict_note -> Text,
    }
}

diesel::table! {
    /// One drawn town of a plan and what its inspectors recorded.
    inspections (id) {
        id -> BigInt,
        district_id -> BigInt,
        plan_id -> BigInt,
        town_id -> BigInt,
        draw_order -> Integer,
        status -> Text,
        arrived_at -> Nullable<Timestamp>,
        left_at -> Nullable<Timestamp>,
        headcount -> Nullable<Integer>,
        absent -> Text,
        other_duties -> Text,
        answers -> Text,
        remarks -> Text,
        facts -> Nullable<Text>,
        saved_at -> Nullable<Timestamp>,
        saved_by -> Nullable<BigInt>,
        submitted_at -> Nullable<Timestamp>,
        submitted_by -> Nullable<BigInt>,
        version -> Integer,
    }
}

diesel::table! {
    inspection_inspectors (inspection_id, user_id) {
        inspection_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    inspection_staff (inspection_id, staff_id) {
        inspection_id -> BigInt,
        staff_id -> BigInt,
    }
}

diesel::table! {
    inspection_photos (id) {
        id -> BigInt,
        district_id -> BigInt,
        inspection_id -> BigInt,
        item_key -> Text,
        sha256 -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        display_name -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A rectification notice (整改通知书) and where it stands.
    rectifications (id) {
        id -> BigInt,
        district_id -> BigInt,
        inspection_id -> BigInt,
        town_id -> BigInt,
        notice_no -> Text,
        issued_on -> Date,
        deadline -> Date,
        status -> Text,
        issued_by -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    findings (id) {
        id -> BigInt,
        district_id -> BigInt,
        inspection_id -> BigInt,
        town_id -> BigInt,
        kind -> Text,
        severity -> Text,
        description -> Text,
        origin -> Text,
        status -> Text,
        dismiss_reason -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        rectification_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    rectification_events (id) {
        id -> BigInt,
        rectification_id -> BigInt,
        action -> Text,
        body -> Text,
        user_id -> Nullable<BigInt>,
        at -> Timestamp,
    }
}

diesel::table! {
    rectification_evidence (id) {
        id -> BigInt,
        district_id -> BigInt,
        rectification_id -> BigInt,
        event_id -> Nullable<BigInt>,
        sha256 -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        display_name -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(allocation_plans -> districts (district_id));
diesel::joinable!(allocation_plan_towns -> allocation_plans (plan_id));
diesel::joinable!(allocation_plan_towns -> towns (town_id));
diesel::joinable!(staff -> towns (town_id));
diesel::joinable!(staff_assignments -> staff (staff_id));
diesel::joinable!(payroll_lines -> payroll_runs (run_id));
diesel::joinable!(payroll_lines -> staff (staff_id));
diesel::joinable!(performance_scores -> staff (staff_id));
diesel::joinable!(supplier_qualifications -> suppliers (supplier_id));
diesel::joinable!(contracts -> suppliers (supplier_id));
diesel::joinable!(contracts -> procurement_projects (project_id));
diesel::joinable!(contract_milestones -> contracts (contract_id));
diesel::joinable!(recipients -> households (household_id));
diesel::joinable!(service_records -> recipients (recipient_id));
diesel::joinable!(service_evidence -> service_records (record_id));
diesel::joinable!(inspections -> inspection_plans (plan_id));
diesel::joinable!(inspection_staff -> staff (staff_id));

diesel::allow_tables_to_appear_in_same_query!(
    districts,
    towns,
    town_profiles,
    posts,
    suppliers,
    users,
    user_roles,
    sessions,
    login_attempts,
    api_tokens,
    approvals,
    audit_log,
    staffing_norms,
    allocation_plans,
    allocation_plan_towns,
    staff,
    staff_assignments,
    roster_imports,
    pay_standards,
    insurance_rules,
    performance_scores,
    tax_declarations,
    payroll_runs,
    payroll_lines,
    payroll_adjustments,
    fiscal_years,
    budget_sources,
    budget_base_corrections,
    budget_eligibility,
    budget_plan,
    budget_entries,
    budget_requests,
    budget_attachments,
    supplier_qualifications,
    procurement_projects,
    procurement_funding,
    procurement_bids,
    contracts,
    contract_items,
    contract_milestones,
    contract_indicators,
    contract_clauses,
    contract_amendments,
    milestone_acceptances,
    contract_payments,
    households,
    recipients,
    contract_areas,
    service_records,
    service_evidence,
    service_reports,
    report_lines,
    inspection_plans,
    plan_inspectors,
    inspections,
    inspection_inspectors,
    inspection_staff,
    inspection_photos,
    rectifications,
    findings,
    rectification_events,
    rectification_evidence,
);
