//! Data of the budget execution report (预算执行情况): the same tables for
//! the PDF (`contract-templates/budget-execution.typ`) and the .xlsx.

use app::api::budget::BudgetOverview;
use app::domain::budget::{Balance, CostType};
use app::format::yuan;
use app::i18n::Locale;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

/// A table as text: columns, rows, and an optional total row. `amounts`
/// keeps each row's money columns exact for the spreadsheet.
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub amounts: Vec<Vec<Decimal>>,
    /// Money columns start here.
    pub money_from: usize,
}

/// Execution rate: paid against allocated, in percent with one decimal.
fn rate(b: &Balance) -> String {
    if b.allocated > Decimal::ZERO {
        format!("{}%", (b.paid * Decimal::ONE_HUNDRED / b.allocated).round_dp(1))
    } else {
        String::new()
    }
}

/// The sources with their sums, and the total.
pub fn sources(o: &BudgetOverview, locale: Locale) -> (Table, Vec<String>) {
    let t = locale.messages().budget;
    let columns = vec![
        t.col_source,
        t.col_kind,
        t.col_allocated,
        t.col_committed,
        t.col_paid,
        t.col_available,
        t.report_rate,
    ];
    let mut rows = Vec::new();
    let mut amounts = Vec::new();
    for s in &o.sources {
        let b = s.balance;
        let name = match &s.town {
            Some((zh, en)) => format!("{}（{}）", s.name, locale.pick(zh, en)),
            None => s.name.clone(),
        };
        rows.push(vec![
            name,
            t.kind(s.kind).to_owned(),
            yuan(b.allocated),
            yuan(b.committed),
            yuan(b.paid),
            yuan(b.available()),
            rate(&b),
        ]);
        amounts.push(vec![b.allocated, b.committed, b.paid, b.available()]);
    }
    let b = o.totals;
    let total = vec![
        t.total.to_owned(),
        String::new(),
        yuan(b.allocated),
        yuan(b.committed),
        yuan(b.paid),
        yuan(b.available()),
        rate(&b),
    ];
    (Table { columns: columns.into_iter().map(str::to_owned).collect(), rows, amounts, money_from: 2 }, total)
}

/// Committed and paid by cost type, over all sources.
pub fn by_type(o: &BudgetOverview, locale: Locale) -> Table {
    let t = locale.messages().budget;
    let mut rows = Vec::new();
    let mut amounts = Vec::new();
    for c in CostType::ALL {
        let sum = o
            .sources
            .iter()
            .flat_map(|s| s.by_type.iter())
            .filter(|(ty, _)| *ty == c)
            .fold(Balance::default(), |acc, (_, b)| acc + *b);
        rows.push(vec![
            t.cost_type(c).to_owned(),
            yuan(sum.committed),
            yuan(sum.paid),
            yuan(sum.committed + sum.paid),
        ]);
        amounts.push(vec![sum.committed, sum.paid, sum.committed + sum.paid]);
    }
    Table {
        columns: [t.col_cost_type, t.col_committed, t.col_paid, t.report_spent]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        rows,
        amounts,
        money_from: 1,
    }
}

/// Plan against payments by month.
pub fn execution(o: &BudgetOverview, locale: Locale) -> Table {
    let t = locale.messages().budget;
    let months = o.checks.as_ref().map(|c| c.execution.clone()).unwrap_or_default();
    let rows = months
        .iter()
        .map(|m| {
            vec![
                m.month.to_string(),
                yuan(m.planned),
                yuan(m.paid),
                yuan(m.planned_to_date),
                yuan(m.paid_to_date),
                m.rate_percent().map(|r| format!("{r}%")).unwrap_or_default(),
            ]
        })
        .collect();
    let amounts = months.iter().map(|m| vec![m.planned, m.paid, m.planned_to_date, m.paid_to_date]).collect();
    Table {
        columns: [t.month, t.planned, t.paid_month, t.report_planned_to_date, t.report_paid_to_date, t.rate]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        rows,
        amounts,
        money_from: 1,
    }
}

/// The overrides.
pub fn overrides(o: &BudgetOverview, locale: Locale) -> Table {
    let t = locale.messages().budget;
    let list = o.checks.as_ref().map(|c| c.overrides.clone()).unwrap_or_default();
    Table {
        columns: [t.col_date, t.col_source, t.col_cost_type, t.override_reason, t.col_amount]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        rows: list
            .iter()
            .map(|e| {
                vec![
                    e.date.to_string(),
                    e.source.clone(),
                    e.cost_type.map(|c| t.cost_type(c)).unwrap_or_default().to_owned(),
                    e.override_reason.clone().unwrap_or_default(),
                    yuan(e.committed + e.paid),
                ]
            })
            .collect(),
        amounts: list.iter().map(|e| vec![e.committed + e.paid]).collect(),
        money_from: 4,
    }
}

/// The rule checks as sentences.
pub fn checks(o: &BudgetOverview, locale: Locale) -> Vec<String> {
    let t = locale.messages().budget;
    let Some(c) = &o.checks else { return Vec::new() };
    let share = match c.share.share_percent {
        None => t.share_no_base.to_owned(),
        Some(p) => format!(
            "{}：{}（{}）",
            t.share_title,
            t.share_line
                .replace("{spent}", &yuan(c.share.social_work))
                .replace("{share}", &format!("{p}%"))
                .replace("{min}", &format!("{}%", Decimal::new(i64::from(c.min_bp), 2).normalize()))
                .replace("{required}", &yuan(c.share.required)),
            if c.share.met { t.met } else { t.not_met }
        ),
    };
    let unpaid: Decimal = c.unpaid.iter().map(|u| u.outstanding).sum();
    vec![
        share,
        t.report_ineligible.replace("{n}", &c.ineligible.len().to_string()),
        t.report_unpaid.replace("{n}", &c.unpaid.len().to_string()).replace("{amount}", &yuan(unpaid)),
        t.report_overrides.replace("{n}", &c.overrides.len().to_string()),
    ]
}

fn table_json(table: &Table) -> Value {
    json!({ "columns": table.columns, "rows": table.rows })
}

/// The `data.json` of the report.
pub fn document_data(o: &BudgetOverview, district: &str, today: chrono::NaiveDate, locale: Locale) -> Value {
    let t = locale.messages().budget;
    let (sources_table, total) = sources(o, locale);
    let months = o.checks.as_ref().map(|c| c.execution.clone()).unwrap_or_default();
    let value = |d: Decimal| d.to_f64().unwrap_or(0.0);
    let chart_max = months.iter().flat_map(|m| [value(m.planned), value(m.paid)]).fold(0.0_f64, f64::max);
    let paid_words = app::domain::capitals::in_capitals(o.totals.paid).unwrap_or_default();
    json!({
        "lang": match locale { Locale::ZhCn => "zh", Locale::En => "en" },
        "title": t.report_title.replace("{district}", district).replace("{year}", &o.year.to_string()),
        "subtitle": t.report_subtitle.replace("{date}", &today.to_string()),
        "issuer": district,
        "unit": t.report_unit,
        "page": t.page_of,
        "labels": {
            "sources": t.sources_title,
            "types": t.by_type_title,
            "execution": t.execution_title,
            "planned": t.planned,
            "paid": t.paid_month,
            "checks": t.checks_title,
            "overrides": t.overrides_title,
        },
        "sources": { "columns": sources_table.columns, "rows": sources_table.rows, "total": total },
        "capitals": format!("{}{}", t.report_paid_capitals, paid_words),
        "types": table_json(&by_type(o, locale)),
        "execution": table_json(&execution(o, locale)),
        "months": months.iter().map(|m| json!({
            "label": m.month.to_string(),
            "planned_value": value(m.planned),
            "paid_value": value(m.paid),
        })).collect::<Vec<_>>(),
        "chart_max": chart_max,
        "checks": checks(o, locale),
        "overrides": table_json(&overrides(o, locale)),
    })
}
