//! The demo's payroll: 2026 pay standards and insurance rules (each
//! submitted by finance and approved by the approver), performance scores
//! for every month so far, and a run for every finished month: approved
//! and paid, the last one approved and not yet paid. The current month
//! has scores for all but a few people, so starting its run shows who is
//! missing. Idempotent: each step is skipped when already done, and a run
//! left computing is finished.

use app::db::payroll::{self, PayrollError, RulesProposal, StandardsProposal};
use app::db::write::{Actor, write};
use app::db::{Db, DbError, approvals};
use app::domain::access::Principal;
use app::domain::approval::Decision;
use app::domain::insurance::InsuranceRules;
use app::domain::pay::PayStandards;
use app::domain::payroll::{Adjustment, AdjustmentKind, RunStatus};
use app::domain::tax::{AdditionalDeduction, AdditionalKind, YearMonth};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// What [`load`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PayrollOutcome {
    pub standards_adopted: bool,
    pub rules_adopted: bool,
    pub scores_added: usize,
    pub runs_approved: usize,
}

fn to_db(e: PayrollError) -> DbError {
    match e {
        PayrollError::Db(d) => d,
        other => DbError::Corrupt(format!("demo payroll: {other}")),
    }
}

fn approve(
    tx: &mut app::db::write::Tx<'_>,
    approver: &Principal,
    approval_id: i64,
    reason: &str,
) -> Result<(), DbError> {
    let version = approvals::version_of(tx.conn(), approval_id)?;
    approvals::decide(tx, approver, approval_id, version, Decision::Approve, reason).map_err(|e| match e {
        approvals::ApprovalError::Db(d) => d,
        other => DbError::Corrupt(format!("demo approval refused: {other}")),
    })
}

/// A deterministic score: mostly 75–98, some 60–74, one in forty below 60
/// (with a reason).
fn score_for(staff_id: i64, month: YearMonth) -> (i32, &'static str) {
    let h = (staff_id as u64)
        .wrapping_mul(2_654_435_761)
        .wrapping_add(u64::from(month.month) * 97 + month.year as u64);
    match h % 40 {
        0 => (55, "当月两次入户调查未按时完成，已约谈"),
        1..=6 => (60 + (h % 15) as i32, ""),
        _ => (75 + (h % 24) as i32, ""),
    }
}

pub fn load(
    db: &Db,
    district_id: i64,
    finance: &Principal,
    approver: &Principal,
    today: NaiveDate,
) -> anyhow::Result<PayrollOutcome> {
    let mut conn = db.conn()?;
    let actor = Actor::system("demo").in_district(district_id);
    let mut outcome = PayrollOutcome::default();
    let year = today.year();
    let first = YearMonth::new(year, 1).ok_or_else(|| anyhow::anyhow!("month"))?;
    // Standards and rules.
    write(&mut conn, &actor, |tx| -> Result<(), DbError> {
        let jan = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(DbError::NotFound)?;
        if payroll::standards_for(tx.conn(), district_id, first)?.is_none() {
            let standards = PayStandards { year, ..PayStandards::demo_2026() };
            let p = StandardsProposal {
                standards,
                effective_from: jan,
                note: "参照村（社区）干部补贴标准".into(),
            };
            let id = payroll::propose_standards(tx, finance, &p).map_err(to_db)?;
            approve(tx, approver, id, "同意执行。")?;
            outcome.standards_adopted = true;
        }
        if payroll::insurance_for(tx.conn(), district_id, first)?.is_none() {
            let p = RulesProposal {
                year,
                rules: InsuranceRules::chongqing_example(),
                effective_from: jan,
                note: "费率按重庆市现行规定；缴费基数上下限待人社部门公布后核对".into(),
            };
            let id = payroll::propose_insurance(tx, finance, &p).map_err(to_db)?;
            approve(tx, approver, id, "同意。")?;
            outcome.rules_adopted = true;
        }
        if !outcome.standards_adopted {
            tx.nothing_changed();
        }
        Ok(())
    })?;
    let current = YearMonth::new(year, today.month()).ok_or_else(|| anyhow::anyhow!("month"))?;
    // Scores: every month so far; this month all but five people.
    for m in 1..=today.month() {
        let month = YearMonth::new(year, m).ok_or_else(|| anyhow::anyhow!("month"))?;
        let missing = payroll::missing_scores(&mut conn, district_id, month)?;
        let skip = if month == current { 5 } else { 0 };
        if missing.len() <= skip {
            continue;
        }
        let added = write(&mut conn, &actor, |tx| -> Result<usize, DbError> {
            let mut n = 0;
            for p in missing.iter().skip(skip) {
                let (score, reason) = score_for(p.staff_id, month);
                payroll::record_score(tx, finance, p.staff_id, month, score, reason, today).map_err(to_db)?;
                n += 1;
            }
            Ok(n)
        })?;
        outcome.scores_added += added;
    }
    // A few declarations and one back payment, once.
    write(&mut conn, &actor, |tx| -> Result<(), DbError> {
        if !payroll::declarations(tx.conn(), district_id, None)?.is_empty() {
            tx.nothing_changed();
            return Ok(());
        }
        let people = payroll::payees(tx.conn(), district_id, first)?;
        let jan = first;
        let kinds = [
            AdditionalKind::ChildEducation { children: 1, half: false },
            AdditionalKind::ElderlySupport { only_child: true, share: Decimal::from(3_000) },
            AdditionalKind::HousingLoan { half: false },
        ];
        for (p, kind) in people.iter().step_by(17).zip(kinds.iter().cycle()) {
            let d = AdditionalDeduction { kind: *kind, from: jan, until: None };
            payroll::declare(tx, finance, p.staff_id, &d).map_err(to_db)?;
        }
        if let Some(p) = people.get(3) {
            let october = YearMonth::new(year, 10).ok_or(DbError::NotFound)?;
            let a = Adjustment {
                kind: AdjustmentKind::Addition,
                amount: Decimal::from(600),
                for_month: october.min(current),
                reason: "补发上年度考核优秀奖励".into(),
            };
            payroll::add_adjustment(tx, finance, p.staff_id, &a).map_err(to_db)?;
        }
        Ok(())
    })?;
    // Runs for the finished months.
    for m in 1..today.month() {
        let month = YearMonth::new(year, m).ok_or_else(|| anyhow::anyhow!("month"))?;
        let runs = payroll::list_runs(&mut conn, district_id)?;
        let existing = runs
            .iter()
            .find(|r| r.month == payroll::month_code(month) && r.status != RunStatus::Discarded.code());
        let run_id = match existing {
            Some(r) => r.id,
            None => write(&mut conn, &actor, |tx| payroll::create_run(tx, finance, month, today))
                .map_err(to_db)?,
        };
        payroll::compute_run(&mut conn, &actor, district_id, run_id).map_err(to_db)?;
        let run = payroll::RunRow::load(&mut conn, district_id, run_id)?;
        if run.status()? == RunStatus::Draft {
            write(&mut conn, &actor, |tx| -> Result<(), DbError> {
                let funding = app::db::budget::suggest_funding(
                    tx.conn(),
                    district_id,
                    year,
                    run.gross_fen,
                    run.employer_fen,
                )?
                .ok_or_else(|| DbError::Corrupt("demo payroll: no source may pay the run".into()))?;
                let approval_id =
                    payroll::submit_run(tx, finance, run_id, run.version, &funding, None).map_err(to_db)?;
                approve(tx, approver, approval_id, "经审核，同意发放。")
            })?;
            outcome.runs_approved += 1;
        }
        let run = payroll::RunRow::load(&mut conn, district_id, run_id)?;
        if run.status()? == RunStatus::Approved && m + 1 < today.month() {
            let paid_on = app::domain::pay::last_day(month);
            write(&mut conn, &actor, |tx| payroll::mark_paid_on(tx, finance, run_id, paid_on))
                .map_err(to_db)?;
        }
    }
    Ok(outcome)
}
