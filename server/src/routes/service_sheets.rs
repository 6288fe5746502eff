//! Service records as spreadsheets: the import template, the import (all
//! rows stored or none, every problem named by row and column), and the
//! export of the records the caller may see.

use std::collections::HashMap;

use app::auth::{Authenticated, RequestMeta};
use app::db::services::{self, RecordFilter, ServiceError, Source};
use app::domain::procurement::catalogue_item;
use app::domain::service::{RecordInput, RecordProblem};
use app::domain::service_import::{CellProblem, Column, FileProblem, parse};
use app::error::AppError;
use app::i18n::Locale;
use axum::Extension;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::files::{UploadFailure, error_response, read_upload, request_locale, text_response};
use super::sheets::{load, workbook_response};
use crate::state::AppState;
use crate::xlsx::{self, Choices, Sheet, Value};

/// Rows of the template that get the drop-downs.
const TEMPLATE_ROWS: u32 = 1_000;

fn header(c: Column, locale: Locale) -> &'static str {
    if locale.messages().services.is_zh() { c.zh() } else { c.en() }
}

/// `GET /files/service-records/template.xlsx`: the import template with
/// the provider's contract numbers and the services as drop-downs.
pub async fn template(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let numbers = load(&state, locale, move |conn| {
        Ok(services::serving_contracts(conn, &p)
            .map_err(app::api::from_db)?
            .into_iter()
            .filter(|c| matches!(c.status.as_str(), "signed" | "performing"))
            .map(|c| c.number)
            .collect::<Vec<_>>())
    })
    .await;
    let numbers = match numbers {
        Ok(n) => n,
        Err(r) => return r,
    };
    let zh = locale.messages().services.is_zh();
    let services: Vec<String> = app::domain::procurement::CATALOGUE
        .iter()
        .filter(|i| app::domain::service::measure_of(i.code).is_some())
        .map(|i| if zh { i.zh } else { i.en }.to_owned())
        .collect();
    let sheet = Sheet {
        name: if zh { "服务记录" } else { "Service records" }.to_owned(),
        headers: Column::ALL.iter().map(|c| header(*c, locale).to_owned()).collect(),
        widths: vec![14.0, 22.0, 16.0, 12.0, 10.0, 12.0, 10.0, 30.0, 22.0, 14.0],
        text_columns: vec![0, 1, 3, 4, 9],
        choices: vec![Choices { column: 0, values: numbers }, Choices { column: 2, values: services }],
        entry_rows: TEMPLATE_ROWS,
        ..Sheet::default()
    };
    let name = if zh { "服务记录导入模板.xlsx" } else { "service-records-template.xlsx" };
    workbook_response(&[sheet], "service-records-template.xlsx", name, locale)
}

/// The problems of a refused import, one line each, in the user's language.
fn report(problems: &[CellProblem], locale: Locale) -> String {
    let t = locale.messages().services;
    let zh = t.is_zh();
    let mut lines: Vec<String> = problems
        .iter()
        .take(500)
        .map(|p| {
            let what = t.record_problem(p.problem);
            if zh {
                format!("第{}行 {}列（{}）：{what}", p.row, p.column.letter(), p.column.zh())
            } else {
                format!("Row {}, column {} ({}): {what}", p.row, p.column.letter(), p.column.en())
            }
        })
        .collect();
    if problems.len() > 500 {
        lines.push(if zh {
            format!("……另有 {} 处", problems.len() - 500)
        } else {
            format!("... {} more", problems.len() - 500)
        });
    }
    let head = if zh {
        "未导入任何记录，请改正以下问题后重新上传："
    } else {
        "No record was imported. Correct these and upload again:"
    };
    format!("{head}\n{}\n", lines.join("\n"))
}

fn file_problem(p: FileProblem, locale: Locale) -> String {
    let zh = locale.messages().services.is_zh();
    match (p, zh) {
        (FileProblem::Header(c), true) => format!("第1行应为模板的表头：{}列应为“{}”。", c.letter(), c.zh()),
        (FileProblem::Header(c), false) => {
            format!("Row 1 must be the template's header: column {} must be “{}”.", c.letter(), c.en())
        }
        (FileProblem::Empty, true) => "表格中没有服务记录。".to_owned(),
        (FileProblem::Empty, false) => "The sheet holds no records.".to_owned(),
        (FileProblem::TooManyRows, true) => "一次最多导入 20,000 行。".to_owned(),
        (FileProblem::TooManyRows, false) => "At most 20,000 rows per file.".to_owned(),
    }
}

/// `POST /files/service-records/import`: a multipart form with `file`
/// (.xlsx from the template). Answers 303 to the services page, or 422
/// with every problem's row and column; nothing is stored then.
pub async fn import(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let locale = request_locale(&headers);
    let import_t = locale.messages().import;
    let file = match read_upload(form).await {
        Ok(u) => u.file,
        Err(UploadFailure::TooLarge) => {
            return text_response(StatusCode::PAYLOAD_TOO_LARGE, import_t.upload_too_large);
        }
        Err(UploadFailure::Malformed) => {
            return text_response(StatusCode::BAD_REQUEST, import_t.upload_missing);
        }
    };
    let Some((_, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return text_response(StatusCode::BAD_REQUEST, import_t.upload_missing);
    };
    let sha256 = xlsx::sha256_hex(&bytes);
    let parsed =
        tokio::task::spawn_blocking(move || xlsx::read_first_sheet(&bytes).map(|rows| parse(&rows))).await;
    let (rows, read_problems) = match parsed {
        Ok(Ok(Ok(read))) => read,
        Ok(Ok(Err(p))) => return text_response(StatusCode::UNPROCESSABLE_ENTITY, &file_problem(p, locale)),
        Ok(Err(problem)) => {
            let text = import_t.problem(&problem, locale.messages().posts);
            return text_response(StatusCode::UNPROCESSABLE_ENTITY, &text);
        }
        Err(_) => return error_response(&AppError::Internal, locale),
    };
    let p = auth.principal;
    let actor = app::auth::actor_of(Some(&p), meta);
    let result = state
        .db
        .run(move |conn| {
            // Contract numbers and identity numbers as the provider knows them.
            let contracts: HashMap<String, i64> =
                services::serving_contracts(conn, &p)?.into_iter().map(|c| (c.number, c.id)).collect();
            let people: HashMap<String, i64> =
                services::recipients(conn, &p, None)?.into_iter().map(|(r, _)| (r.id_number, r.id)).collect();
            let mut problems = read_problems;
            let mut inputs = Vec::with_capacity(rows.len());
            for r in &rows {
                let contract_id = contracts.get(&r.contract_number).copied();
                if contract_id.is_none() {
                    problems.push(CellProblem {
                        row: r.row,
                        column: Column::Contract,
                        problem: RecordProblem::Required,
                    });
                }
                let recipient_id = match &r.id_number {
                    None => None,
                    Some(n) => match people.get(n) {
                        Some(id) => Some(*id),
                        None => {
                            problems.push(CellProblem {
                                row: r.row,
                                column: Column::IdNumber,
                                problem: RecordProblem::UnknownRecipient,
                            });
                            None
                        }
                    },
                };
                inputs.push(RecordInput {
                    contract_id: contract_id.unwrap_or(-1),
                    recipient_id,
                    service_code: r.service_code.clone(),
                    started_at: r.started_at,
                    minutes: r.minutes,
                    worker: r.worker.clone(),
                    notes: r.notes.clone(),
                    location: r.location,
                    keep_location: false,
                    external_id: r.external_id.clone(),
                });
            }
            if !problems.is_empty() {
                return Ok(Err(problems));
            }
            let written = app::db::write::write(conn, &actor, |tx| {
                services::create_records(tx, &p, &inputs, Source::Xlsx, &format!("xlsx:{sha256}"))
            });
            Ok(match written {
                Ok(n) => Ok(Ok(n)),
                Err(ServiceError::Rows(list)) => Err(list
                    .into_iter()
                    .map(|(i, field, problem)| CellProblem {
                        row: rows[i].row,
                        column: Column::of_field(field),
                        problem,
                    })
                    .collect()),
                Err(e) => Ok(Err(e)),
            })
        })
        .await;
    match result {
        Ok(Ok(Ok(n))) => {
            let to = format!("{}?imported={n}#records", app::policy::paths::SERVICES);
            (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
        }
        Ok(Err(mut problems)) => {
            problems.sort_by_key(|p| (p.row, p.column));
            problems.dedup();
            text_response(StatusCode::UNPROCESSABLE_ENTITY, &report(&problems, locale))
        }
        Ok(Ok(Err(e))) => error_response(&app::api::services::ssr::from_service(e), locale),
        Err(e) => error_response(&app::api::from_db(e), locale),
    }
}

/// Query of the export.
#[derive(Debug, serde::Deserialize)]
pub struct ExportQuery {
    pub contract: Option<i64>,
}

/// `GET /files/service-records.xlsx`: every record the caller may see (of
/// one contract, if given), oldest first, voided ones marked; identity
/// numbers whole for finance and the administrator only.
pub async fn export(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let zh = locale.messages().services.is_zh();
    let rows = load(&state, locale, move |conn| {
        let db = app::api::from_db;
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let page = services::records(
                conn,
                &p,
                &RecordFilter {
                    contract_id: q.contract,
                    include_voided: true,
                    limit: 20_000,
                    after_id: Some(after),
                    ..RecordFilter::default()
                },
            )
            .map_err(db)?;
            let Some(last) = page.last().map(|r| r.id) else { break };
            after = last;
            all.extend(page);
        }
        let numbers: HashMap<i64, String> = app::db::contracts::list(conn, &p)
            .map_err(db)?
            .into_iter()
            .map(|(c, _)| (c.id, c.number))
            .collect();
        let names = app::api::services::ssr::names(conn, p.district_id)?;
        let suppliers: HashMap<i64, String> = names.suppliers.into_iter().collect();
        let towns: HashMap<i64, String> =
            names.towns.into_iter().map(|(id, zh_name, en)| (id, if zh { zh_name } else { en })).collect();
        let whole = services::sees_id_numbers(&p);
        let people: HashMap<i64, (String, String)> = services::recipients(conn, &p, None)
            .map_err(db)?
            .into_iter()
            .map(|(r, _)| {
                let id = if whole { r.id_number } else { app::domain::idcard::mask(&r.id_number) };
                (r.id, (r.name, id))
            })
            .collect();
        let mut evidence: HashMap<i64, i64> = HashMap::new();
        let ids: Vec<i64> = all.iter().map(|r| r.id).collect();
        for e in services::evidence_of(conn, &ids).map_err(db)? {
            *evidence.entry(e.record_id).or_default() += 1;
        }
        Ok(all
            .into_iter()
            .map(|r| {
                let (name, id_number) =
                    r.recipient_id.and_then(|id| people.get(&id).cloned()).unwrap_or_default();
                let service = catalogue_item(&r.service_code)
                    .map(|i| if zh { i.zh } else { i.en })
                    .unwrap_or(&r.service_code);
                vec![
                    Value::Int(r.id),
                    Value::from(numbers.get(&r.contract_id).cloned().unwrap_or_default()),
                    Value::from(suppliers.get(&r.supplier_id).cloned().unwrap_or_default()),
                    Value::from(name),
                    Value::from(id_number),
                    Value::from(r.town_id.and_then(|t| towns.get(&t).cloned()).unwrap_or_default()),
                    Value::from(service.to_owned()),
                    Value::from(r.started_at.format("%Y-%m-%d %H:%M").to_string()),
                    Value::Int(i64::from(r.minutes)),
                    Value::from(r.worker),
                    Value::from(r.notes),
                    Value::from(r.source),
                    Value::from(r.external_id.unwrap_or_default()),
                    Value::from(r.void_reason.unwrap_or_default()),
                    Value::Int(evidence.get(&r.id).copied().unwrap_or(0)),
                ]
            })
            .collect::<Vec<_>>())
    })
    .await;
    let rows = match rows {
        Ok(r) => r,
        Err(response) => return response,
    };
    let headers: Vec<String> = if zh {
        [
            "编号",
            "合同编号",
            "服务机构",
            "服务对象",
            "身份证号",
            "镇街",
            "服务内容",
            "开始时间",
            "时长（分钟）",
            "服务人员",
            "服务情况",
            "来源",
            "外部编号",
            "作废原因",
            "佐证数",
        ]
    } else {
        [
            "Id",
            "Contract",
            "Organisation",
            "Recipient",
            "ID number",
            "Town",
            "Service",
            "Start",
            "Minutes",
            "Worker",
            "Notes",
            "Source",
            "External id",
            "Voided because",
            "Evidence files",
        ]
    }
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let sheet = Sheet {
        name: if zh { "服务记录" } else { "Service records" }.to_owned(),
        headers,
        rows,
        widths: vec![8.0, 14.0, 24.0, 10.0, 20.0, 10.0, 12.0, 17.0, 8.0, 10.0, 30.0, 8.0, 12.0, 16.0, 8.0],
        text_columns: vec![4],
        ..Sheet::default()
    };
    let name = if zh { "服务记录.xlsx" } else { "service-records.xlsx" };
    workbook_response(&[sheet], "service-records.xlsx", name, locale)
}
