//! Data of the salary sheet (工资表) and pay slips (工资条) of a payroll
//! run: sections paginated here so every page has an exact subtotal, and
//! the same rows for the .xlsx export.

use std::collections::BTreeMap;

use app::api::payroll::{RunLine, RunView};
use app::domain::capitals::in_capitals;
use app::format::yuan;
use app::i18n::Locale;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// Rows on one landscape page.
pub const ROWS_PER_PAGE: usize = 22;

/// One table of the sheet: the district summary or one town.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub columns: Vec<String>,
    pub widths: Vec<f64>,
    /// Columns from here on are right-aligned.
    pub right_from: usize,
    /// Columns from here on are money, summed in subtotals and totals.
    pub money_from: usize,
    /// Which money column is the net (for the total in capitals).
    pub net_column: usize,
    /// Text cells (before `money_from`) and money cells.
    pub rows: Vec<(Vec<String>, Vec<Decimal>)>,
}

fn labels(locale: Locale) -> &'static app::i18n::payroll::PayrollText {
    locale.messages().payroll
}

/// The person columns' money values of a line, in sheet order.
fn money(l: &RunLine) -> Vec<Decimal> {
    vec![
        l.base,
        l.role,
        l.tenure,
        l.qualification,
        l.performance,
        l.additions - l.deductions,
        l.gross,
        l.employee_insurance,
        l.employee_housing,
        l.tax,
        l.net,
    ]
}

fn money_columns(locale: Locale) -> Vec<String> {
    let t = labels(locale);
    [
        t.col_base,
        t.col_role,
        t.col_tenure,
        t.col_qualification,
        t.col_performance,
        t.col_additions,
        t.col_gross,
        t.col_employee,
        t.housing,
        t.col_tax,
        t.col_net,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// One town's people.
pub fn town_section(town: &str, lines: &[&RunLine], locale: Locale) -> Section {
    let t = labels(locale);
    let mut columns: Vec<String> =
        ["#", t.col_name, t.col_post, t.col_days, t.col_score].map(str::to_owned).to_vec();
    columns.extend(money_columns(locale));
    Section {
        heading: town.to_owned(),
        columns,
        widths: vec![2.5, 4.5, 7.0, 3.0, 3.0, 5.0, 4.5, 4.5, 4.5, 4.5, 4.5, 5.5, 5.0, 4.5, 4.0, 5.5],
        right_from: 3,
        money_from: 5,
        net_column: 10,
        rows: lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                (
                    vec![
                        (i + 1).to_string(),
                        l.name.clone(),
                        l.post_code.clone().unwrap_or_default(),
                        format!("{}/{}", l.days, l.days_in_month),
                        l.score.map(|s| s.to_string()).unwrap_or_default(),
                    ],
                    money(l),
                )
            })
            .collect(),
    }
}

/// Lines by town, in the order of the run (town, post).
pub fn by_town(view: &RunView, locale: Locale) -> Vec<(String, Vec<&RunLine>)> {
    let mut towns: BTreeMap<i64, (String, Vec<&RunLine>)> = BTreeMap::new();
    for l in &view.lines {
        towns
            .entry(l.town_id)
            .or_insert_with(|| (locale.pick(&l.town, &l.town_en).to_owned(), Vec::new()))
            .1
            .push(l);
    }
    towns.into_values().collect()
}

/// The district summary: one row per town.
pub fn summary_section(view: &RunView, heading: &str, locale: Locale) -> Section {
    let t = labels(locale);
    let mut columns: Vec<String> = ["#", t.col_town, t.col_people].map(str::to_owned).to_vec();
    columns.extend(money_columns(locale));
    let rows = by_town(view, locale)
        .into_iter()
        .enumerate()
        .map(|(i, (town, lines))| {
            let mut sums = vec![Decimal::ZERO; 11];
            for l in &lines {
                for (s, v) in sums.iter_mut().zip(money(l)) {
                    *s += v;
                }
            }
            (vec![(i + 1).to_string(), town, lines.len().to_string()], sums)
        })
        .collect();
    Section {
        heading: heading.to_owned(),
        columns,
        widths: vec![2.5, 8.0, 3.0, 5.5, 4.5, 4.5, 4.5, 5.0, 4.5, 6.0, 5.5, 5.0, 4.5, 6.0],
        right_from: 2,
        money_from: 3,
        net_column: 10,
        rows,
    }
}

fn cells(text: &[String], values: &[Decimal]) -> Vec<String> {
    text.iter().cloned().chain(values.iter().map(|v| yuan(*v))).collect()
}

fn sum_row(label: &str, text_cols: usize, sums: &[Decimal]) -> Vec<String> {
    let mut text = vec![String::new(); text_cols];
    if let Some(first) = text.get_mut(1) {
        *first = label.to_owned();
    }
    cells(&text, sums)
}

/// The pages of `sections`, each with its subtotal; a section's last page
/// carries its total and net in capitals.
pub fn pages(sections: &[Section], locale: Locale) -> Vec<Value> {
    let t = labels(locale);
    let mut out = Vec::new();
    for s in sections {
        let n = s.columns.len() - s.money_from;
        let mut total = vec![Decimal::ZERO; n];
        let chunks: Vec<&[(Vec<String>, Vec<Decimal>)]> =
            if s.rows.is_empty() { vec![&[]] } else { s.rows.chunks(ROWS_PER_PAGE).collect() };
        let count = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let mut sub = vec![Decimal::ZERO; n];
            for (_, values) in chunk {
                for ((a, b), v) in sub.iter_mut().zip(total.iter_mut()).zip(values) {
                    *a += *v;
                    *b += *v;
                }
            }
            let last = i + 1 == count;
            out.push(json!({
                "heading": s.heading,
                "columns": s.columns,
                "widths": s.widths,
                "right_from": s.right_from,
                "rows": chunk.iter().map(|(text, values)| cells(text, values)).collect::<Vec<_>>(),
                "subtotal": sum_row(t.page_subtotal, s.money_from, &sub),
                "total": if last { sum_row(t.total_row, s.money_from, &total) } else { Vec::new() },
                "capitals": if last {
                    let net = total.get(s.net_column).copied().unwrap_or_default();
                    Value::String(format!("{}（{}）", in_capitals(net).map(|c| format!("人民币{c}")).unwrap_or_default(), yuan(net)))
                } else {
                    Value::Null
                },
            }));
        }
    }
    out
}

/// The `data.json` of `salary-sheet.typ`.
pub fn sheet_data(title: &str, issuer: &str, status: &str, sections: &[Section], locale: Locale) -> Value {
    let t = labels(locale);
    json!({
        "lang": match locale { Locale::ZhCn => "zh", Locale::En => "en" },
        "title": title,
        "issuer": issuer,
        "status": status,
        "unit": t.unit_yuan,
        "page": locale.messages().pdf_page,
        "capitals_label": t.net_in_capitals,
        "signatures": t.signatures,
        "pages": pages(sections, locale),
    })
}

/// The `data.json` of `pay-slips.typ`: one slip per line.
pub fn slips_data(title: &str, issuer: &str, view: &RunView, locale: Locale) -> Value {
    let t = labels(locale);
    let slips: Vec<Value> = view
        .lines
        .iter()
        .map(|l| {
            json!({
                "name": l.name,
                "town": locale.pick(&l.town, &l.town_en),
                "post": l.post_code.clone().unwrap_or_default(),
                "labels": money_columns(locale),
                "values": money(l).into_iter().map(yuan).collect::<Vec<_>>(),
                "note": t.slip_note
                    .replace("{days}", &format!("{}/{}", l.days, l.days_in_month))
                    .replace("{score}", &l.score.map(|s| s.to_string()).unwrap_or_default())
                    .replace("{grade}", &l.grade)
                    .replace("{employer}", &yuan(l.employer_insurance + l.employer_housing)),
            })
        })
        .collect();
    json!({
        "lang": match locale { Locale::ZhCn => "zh", Locale::En => "en" },
        "title": title,
        "issuer": issuer,
        "page": locale.messages().pdf_page,
        "slips": slips,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(rows: usize) -> Section {
        Section {
            heading: "滨江街道".into(),
            columns: vec!["#".into(), "姓名".into(), "实发".into()],
            widths: vec![1.0, 1.0, 1.0],
            right_from: 2,
            money_from: 2,
            net_column: 0,
            rows: (0..rows)
                .map(|i| (vec![i.to_string(), format!("人{i}")], vec![Decimal::new(10005, 2)]))
                .collect(),
        }
    }

    #[test]
    fn every_page_has_its_subtotal_and_the_last_the_total() {
        let p = pages(&[section(50)], Locale::ZhCn);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0]["rows"].as_array().map(Vec::len), Some(ROWS_PER_PAGE));
        assert_eq!(p[0]["subtotal"][2], "2,201.10");
        assert_eq!(p[2]["subtotal"][2], "600.30");
        assert_eq!(p[0]["total"], json!([]));
        assert_eq!(p[2]["total"][2], "5,002.50");
        assert_eq!(p[2]["capitals"], "人民币伍仟零贰元伍角（5,002.50）");
        assert!(p[1]["capitals"].is_null());
    }
}
