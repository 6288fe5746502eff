//! Payroll documents: the salary sheet (工资表) as PDF and .xlsx, and the
//! pay slips (工资条) as PDF. A town user gets their own town only (the
//! lines are filtered by `run_view`); `?town=CODE` narrows the sheet to one
//! town, otherwise it starts with the district summary by town.

use app::api::payroll::RunView;
use app::auth::Authenticated;
use app::domain::access::Principal;
use app::error::AppError;
use app::i18n::Locale;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::files::{download, error_response, request_locale};
use crate::pdf::payroll::{Section, by_town, sheet_data, slips_data, summary_section, town_section};
use crate::pdf::{PdfError, Template};
use crate::state::AppState;
use crate::xlsx::{self, Sheet, Value};

#[derive(Debug, Deserialize)]
pub struct SheetQuery {
    pub town: Option<String>,
}

/// The run as `p` may see it (every line), the district's name and the
/// town code filter's id.
pub(crate) async fn load_view(
    db: &app::db::Db,
    p: Principal,
    run_id: i64,
    town: Option<String>,
    locale: Locale,
) -> Result<(RunView, String, Option<i64>), AppError> {
    let result = db
        .run(move |conn| {
            let district = app::db::district::District::find(conn, p.district_id)?
                .map(|d| locale.pick(&d.name, &d.name_en).to_owned())
                .unwrap_or_default();
            let town_id = match town.as_deref().filter(|c| !c.is_empty()) {
                None => None,
                Some(code) => match app::db::district::town_id_by_code(conn, p.district_id, code)? {
                    Some(id) => Some(id),
                    None => return Ok(Err(AppError::NotFound)),
                },
            };
            let q = app::api::payroll::LinesQuery::all(town_id);
            let view = match app::api::payroll::ssr::run_view(conn, &p, run_id, q) {
                Ok(v) => v,
                Err(e) => return Ok(Err(e)),
            };
            Ok(Ok((view, district, town_id)))
        })
        .await;
    match result {
        Ok(r) => r,
        Err(e) => Err(app::api::from_db(e)),
    }
}

async fn load(
    state: &AppState,
    p: Principal,
    run_id: i64,
    town: Option<String>,
    locale: Locale,
) -> Result<(RunView, String, Option<i64>), Response> {
    load_view(&state.db, p, run_id, town, locale).await.map_err(|e| error_response(&e, locale))
}

/// The sections of the sheet: the summary (unless one town is asked
/// for), then each town's people.
fn sections(view: &RunView, town_id: Option<i64>, locale: Locale) -> Vec<Section> {
    let t = locale.messages().payroll;
    let mut out = Vec::new();
    let towns = by_town(view, locale);
    if town_id.is_none() && towns.len() > 1 {
        out.push(summary_section(view, t.summary_heading, locale));
    }
    for (name, lines) in &towns {
        if town_id.is_none_or(|id| lines.first().is_some_and(|l| l.town_id == id)) {
            out.push(town_section(name, lines, locale));
        }
    }
    out
}

pub(crate) fn titles(view: &RunView, district: &str, locale: Locale) -> (String, String) {
    let t = locale.messages().payroll;
    (
        t.sheet_title.replace("{district}", district).replace("{month}", &view.run.month),
        t.slips_title.replace("{month}", &view.run.month),
    )
}

fn pdf_failed(e: &PdfError, locale: Locale) -> Response {
    tracing::error!(error = %e, "payroll document failed");
    error_response(&AppError::Internal, locale)
}

/// `GET /files/payroll/{id}/sheet.pdf[?town=CODE]`.
pub async fn sheet_pdf(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<SheetQuery>,
) -> Response {
    let locale = request_locale(&headers);
    let (view, district, town_id) = match load(&state, auth.principal, id, q.town, locale).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (title, _) = titles(&view, &district, locale);
    let status = locale.messages().payroll.status(view.run.status);
    let data = sheet_data(&title, &district, status, &sections(&view, town_id, locale), locale);
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    match state.pdf.render(Template::SalarySheet, data, today).await {
        Ok(pdf) => download(
            pdf,
            "application/pdf",
            &format!("payroll-{}.pdf", view.run.month),
            &format!("{title}.pdf"),
        ),
        Err(e) => pdf_failed(&e, locale),
    }
}

/// `GET /files/payroll/{id}/slips.pdf`.
pub async fn slips_pdf(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let locale = request_locale(&headers);
    let (view, district, _) = match load(&state, auth.principal, id, None, locale).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (_, title) = titles(&view, &district, locale);
    let data = slips_data(&title, &district, &view, locale);
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    match state.pdf.render(Template::PaySlips, data, today).await {
        Ok(pdf) => download(
            pdf,
            "application/pdf",
            &format!("pay-slips-{}.pdf", view.run.month),
            &format!("{title}.pdf"),
        ),
        Err(e) => pdf_failed(&e, locale),
    }
}

/// `GET /files/payroll/{id}/sheet.xlsx[?town=CODE]`: the same sections,
/// one worksheet each, amounts as numbers.
pub async fn sheet_xlsx(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<SheetQuery>,
) -> Response {
    let locale = request_locale(&headers);
    let (view, district, town_id) = match load(&state, auth.principal, id, q.town, locale).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (title, _) = titles(&view, &district, locale);
    let t = locale.messages().payroll;
    let sheets: Vec<Sheet> = sections(&view, town_id, locale)
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let n = s.columns.len() - s.money_from;
            let mut total = vec![rust_decimal::Decimal::ZERO; n];
            let mut rows: Vec<Vec<Value>> = s
                .rows
                .iter()
                .map(|(text, values)| {
                    for (a, v) in total.iter_mut().zip(values) {
                        *a += *v;
                    }
                    text.iter()
                        .map(|c| Value::Text(c.clone()))
                        .chain(values.iter().map(|v| Value::decimal(*v, 2)))
                        .collect()
                })
                .collect();
            let mut last: Vec<Value> = vec![Value::Empty; s.money_from];
            if let Some(c) = last.get_mut(1) {
                *c = Value::from(t.total_row);
            }
            last.extend(total.iter().map(|v| Value::decimal(*v, 2)));
            rows.push(last);
            // Sheet names: at most 31 characters, unique.
            let name: String = format!("{} {}", i + 1, s.heading).chars().take(31).collect();
            Sheet {
                name,
                preamble: vec![title.clone(), s.heading.clone(), t.unit_yuan.to_owned()],
                headers: s.columns.clone(),
                rows,
                widths: s.widths.iter().map(|w| w * 2.6).collect(),
                ..Sheet::default()
            }
        })
        .collect();
    match xlsx::workbook(&sheets) {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("payroll-{}.xlsx", view.run.month),
            &format!("{title}.xlsx"),
        ),
        Err(e) => {
            tracing::error!(error = %e, "payroll workbook failed");
            error_response(&AppError::Internal, locale)
        }
    }
}
