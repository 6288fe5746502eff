//! The budget execution report (预算执行情况) of a fiscal year as PDF
//! (Typst, with its chart drawn by the template) and as .xlsx, for the
//! bureau's finance staff, approvers and auditors; and the documents kept
//! with a source (its 文号's scan), stored by content hash.

use app::api::budget::BudgetOverview;
use app::auth::{Authenticated, RequestMeta};
use app::domain::access::Principal;
use app::domain::files::{FileProblem, check_upload, display_name};
use app::error::AppError;
use app::i18n::Locale;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::files::{download, error_response, request_locale, text_response};
use crate::pdf::Template;
use crate::pdf::budget::{Table, by_type, checks, document_data, execution, overrides, sources};
use crate::state::AppState;
use crate::xlsx::{self, Sheet, Value};

async fn load(
    state: &AppState,
    p: Principal,
    year: i32,
    locale: Locale,
) -> Result<(BudgetOverview, String), Response> {
    let result = state
        .db
        .run(move |conn| {
            let district = app::db::district::District::find(conn, p.district_id)?
                .map(|d| locale.pick(&d.name, &d.name_en).to_owned())
                .unwrap_or_default();
            Ok(app::api::budget::ssr::overview(conn, &p, Some(year)).map(|o| (o, district)))
        })
        .await;
    match result {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(error_response(&e, locale)),
        Err(e) => Err(error_response(&app::api::from_db(e), locale)),
    }
}

/// `GET /files/budget/{year}/execution.pdf`.
pub async fn execution_pdf(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(year): Path<i32>,
) -> Response {
    let locale = request_locale(&headers);
    let (o, district) = match load(&state, auth.principal, year, locale).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    let data = document_data(&o, &district, today, locale);
    match state.pdf.render(Template::BudgetExecution, data, today).await {
        Ok(pdf) => {
            let t = locale.messages().budget;
            download(
                pdf,
                "application/pdf",
                &format!("budget-execution-{year}.pdf"),
                &format!("{}-{year}.pdf", t.report_file),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "budget report PDF failed");
            error_response(&AppError::Internal, locale)
        }
    }
}

fn sheet(name: &str, preamble: Vec<String>, table: Table, total: Option<Vec<String>>) -> Sheet {
    let mut rows: Vec<Vec<Value>> = table
        .rows
        .iter()
        .zip(&table.amounts)
        .map(|(text, amounts)| {
            let mut row: Vec<Value> =
                text[..table.money_from].iter().map(|c| Value::Text(c.clone())).collect();
            row.extend(amounts.iter().map(|a| Value::decimal(*a, 2)));
            // Text after the money columns (rates).
            row.extend(text[table.money_from + amounts.len()..].iter().map(|c| Value::Text(c.clone())));
            row
        })
        .collect();
    if let Some(total) = total {
        rows.push(total.into_iter().map(Value::Text).collect());
    }
    let widths = (0..table.columns.len()).map(|i| if i < table.money_from { 28.0 } else { 16.0 }).collect();
    Sheet { name: name.to_owned(), preamble, headers: table.columns, rows, widths, ..Sheet::default() }
}

/// `GET /files/budget/{year}/execution.xlsx`: the same tables, amounts as
/// numbers.
pub async fn execution_xlsx(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(year): Path<i32>,
) -> Response {
    let locale = request_locale(&headers);
    let (o, district) = match load(&state, auth.principal, year, locale).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let t = locale.messages().budget;
    let title = t.report_title.replace("{district}", &district).replace("{year}", &year.to_string());
    let preamble = vec![title.clone(), t.report_unit.to_owned()];
    let (source_table, mut total) = sources(&o, locale);
    // The total row's money as numbers too.
    let total_amounts = [o.totals.allocated, o.totals.committed, o.totals.paid, o.totals.available()];
    let mut source_sheet = sheet(t.sources_title, preamble.clone(), source_table, None);
    let rate = total.pop().unwrap_or_default();
    let mut total_row = vec![Value::Text(t.total.to_owned()), Value::Empty];
    total_row.extend(total_amounts.iter().map(|a| Value::decimal(*a, 2)));
    total_row.push(Value::Text(rate));
    source_sheet.rows.push(total_row);
    let mut check_sheet = Sheet {
        name: t.checks_title.to_owned(),
        preamble: preamble.clone(),
        headers: vec![t.checks_title.to_owned()],
        rows: checks(&o, locale).into_iter().map(|c| vec![Value::Text(c)]).collect(),
        widths: vec![120.0],
        ..Sheet::default()
    };
    check_sheet.rows.retain(|r| !r.is_empty());
    let sheets = vec![
        source_sheet,
        sheet(t.by_type_title, preamble.clone(), by_type(&o, locale), None),
        Sheet {
            // Planned against paid by month, as a native chart.
            chart: Some(xlsx::ColumnChart {
                title: t.execution_title.to_owned(),
                categories: 0,
                series: vec![1, 2],
            }),
            ..sheet(t.execution_title, preamble.clone(), execution(&o, locale), None)
        },
        check_sheet,
        sheet(t.overrides_title, preamble, overrides(&o, locale), None),
    ];
    match xlsx::workbook(&sheets) {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("budget-execution-{year}.xlsx"),
            &format!("{}-{year}.xlsx", t.report_file),
        ),
        Err(e) => {
            tracing::error!(error = %e, "budget workbook failed");
            error_response(&AppError::Internal, locale)
        }
    }
}

/// `POST /files/budget/sources/{id}/attachments`: a multipart form with
/// `file` (PDF, PNG or JPEG, at most 10 MB, recognised from its content),
/// kept with source `id` (finance). Answers 303 to the source's page.
pub async fn upload_attachment(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let locale = request_locale(&headers);
    let t = locale.messages().budget;
    let p = auth.principal;
    let file = match super::files::read_upload(form).await {
        Ok(u) => u.file,
        Err(super::files::UploadFailure::TooLarge) => {
            return text_response(StatusCode::PAYLOAD_TOO_LARGE, t.attach_errors[1]);
        }
        Err(super::files::UploadFailure::Malformed) => {
            return text_response(StatusCode::BAD_REQUEST, t.attach_errors[0]);
        }
    };
    let Some((name, bytes)) = file else {
        return text_response(StatusCode::BAD_REQUEST, t.attach_errors[0]);
    };
    let content_type = match check_upload(&bytes) {
        Ok(ct) => ct,
        Err(FileProblem::Empty) => return text_response(StatusCode::BAD_REQUEST, t.attach_errors[0]),
        Err(FileProblem::TooLarge) => {
            return text_response(StatusCode::PAYLOAD_TOO_LARGE, t.attach_errors[1]);
        }
        Err(FileProblem::WrongType | FileProblem::Damaged) => {
            return text_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, t.attach_errors[2]);
        }
    };
    let size = bytes.len() as i64;
    let store = state.files.clone();
    let sha256 = match tokio::task::spawn_blocking(move || store.put(&bytes)).await {
        Ok(Ok(sha)) => sha,
        other => {
            tracing::error!(result = ?other.map(|r| r.map(|_| ())), "storing an attachment failed");
            return text_response(StatusCode::INTERNAL_SERVER_ERROR, t.attach_errors[3]);
        }
    };
    let actor = app::auth::actor_of(Some(&p), meta);
    let a = app::db::budget::NewAttachment {
        file_name: display_name(&name),
        content_type,
        size_bytes: size,
        sha256,
    };
    let result = state
        .db
        .run(move |conn| {
            Ok(app::db::write::write(conn, &actor, |tx| app::db::budget::add_attachment(tx, &p, id, &a)))
        })
        .await;
    match result {
        Ok(Ok(_)) => {
            let to = app::policy::paths::BUDGET_SOURCE.replace("{id}", &id.to_string());
            (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
        }
        Ok(Err(e)) => error_response(&app::api::budget::ssr::from_budget(e), locale),
        Err(e) => error_response(&app::api::from_db(e), locale),
    }
}

/// `GET /files/budget/attachments/{id}`: an attachment, to those who may
/// see its source (404 otherwise).
pub async fn attachment(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let found = state.db.run(move |conn| app::db::budget::attachment(conn, &p, id)).await;
    let a = match found {
        Ok(Some(a)) => a,
        Ok(None) => return error_response(&AppError::NotFound, locale),
        Err(e) => return error_response(&app::api::from_db(e), locale),
    };
    super::files::stored_download(
        &state,
        a.sha256,
        &a.content_type,
        &format!("attachment-{id}"),
        &a.file_name,
        locale,
    )
    .await
}
