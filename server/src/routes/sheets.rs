//! Spreadsheet routes: the roster upload (a form post answered with a
//! redirect to its report), the failed rows of an import, the import
//! template, and the exports of the roster, the towns and an allocation
//! plan. Scope is checked here as in the server functions: a town user
//! gets their own town only, identity numbers are masked except for
//! finance and admin.

use app::api::roster::ssr::people;
use app::auth::{Authenticated, RequestMeta};
use app::db::AnyConnection;
use app::db::roster_import::{self as imports, ImportFile, ImportMode};
use app::domain::access::{Principal, Role};
use app::domain::roster_import::{Column, Parsed, column_letter, parse};
use app::error::AppError;
use app::i18n::Locale;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::files::{download, error_response, request_locale, text_response};
use crate::state::AppState;
use crate::xlsx::{self, Choices, Sheet, Value};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Rows of the template that get drop-downs.
const TEMPLATE_ROWS: u32 = 2_000;

fn today() -> chrono::NaiveDate {
    app::domain::calendar::china_date(chrono::Utc::now())
}

pub(super) fn workbook_response(sheets: &[Sheet], ascii: &str, utf8: &str, locale: Locale) -> Response {
    match xlsx::workbook(sheets) {
        Ok(bytes) => download(bytes, XLSX, ascii, utf8),
        Err(e) => {
            tracing::error!(error = %e, "writing a workbook failed");
            error_response(&AppError::Internal, locale)
        }
    }
}

/// Runs `work` on the database; a refusal or failure becomes the answer
/// the user reads, in their language.
pub(super) async fn load<T: Send + 'static>(
    state: &AppState,
    locale: Locale,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
) -> Result<T, Response> {
    match state.db.run(move |conn| Ok(work(conn))).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(error_response(&e, locale)),
        Err(e) => Err(error_response(&app::api::from_db(e), locale)),
    }
}

/// `POST /files/roster-import`: a multipart form with `file` (.xlsx) and
/// `mode` (`all` or `partial`). Answers 303 to the import's report.
pub async fn roster_import(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let locale = request_locale(&headers);
    let t = locale.messages().import;
    let p = auth.principal;
    if !imports::may_import(&p) {
        return error_response(&AppError::Forbidden, locale);
    }
    let upload = match super::files::read_upload(form).await {
        Ok(u) => u,
        Err(super::files::UploadFailure::TooLarge) => {
            return text_response(StatusCode::PAYLOAD_TOO_LARGE, t.upload_too_large);
        }
        Err(super::files::UploadFailure::Malformed) => {
            return text_response(StatusCode::BAD_REQUEST, t.upload_missing);
        }
    };
    let mode =
        upload.text.get("mode").and_then(|m| ImportMode::from_code(m.trim())).unwrap_or(ImportMode::All);
    let file = upload.file;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return text_response(StatusCode::BAD_REQUEST, t.upload_missing);
    };
    if bytes.len() > xlsx::MAX_UPLOAD_BYTES {
        return text_response(StatusCode::PAYLOAD_TOO_LARGE, t.upload_too_large);
    }
    // The file name is kept for the report only, never used as a path.
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let today = today();
    let sha256 = xlsx::sha256_hex(&bytes);
    let parsed = tokio::task::spawn_blocking(move || match xlsx::read_first_sheet(&bytes) {
        Ok(rows) => parse(&rows, today),
        Err(problem) => Parsed::unreadable(problem),
    })
    .await;
    let Ok(parsed) = parsed else {
        return error_response(&AppError::Internal, locale);
    };
    let actor = app::auth::actor_of(Some(&p), meta);
    let file = ImportFile { name, sha256, mode };
    let result = state
        .db
        .run(move |conn| {
            Ok(app::db::write::write(conn, &actor, |tx| imports::run(tx, &p, &file, &parsed, today)))
        })
        .await;
    match result {
        Ok(Ok(id)) => {
            let to = app::policy::paths::ROSTER_IMPORT.replace("{id}", &id.to_string());
            (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
        }
        Ok(Err(e)) => error_response(&app::api::roster::ssr::from_roster(e), locale),
        Err(e) => {
            tracing::error!(error = %e, "roster import failed");
            error_response(&AppError::Internal, locale)
        }
    }
}

/// `GET /files/roster-imports/{id}/failed.xlsx`: the rows an import did
/// not take, as written, with their problems.
pub async fn import_failed(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let row = match load(&state, locale, move |conn| Ok(imports::load(conn, &p, id)?)).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let (problems, failed) = match (row.problems(), row.failed()) {
        (Ok(p), Ok(f)) => (p, f),
        _ => return error_response(&AppError::Internal, locale),
    };
    let t = locale.messages().import;
    let posts = locale.messages().posts;
    let mut by_row: std::collections::HashMap<u32, Vec<String>> = std::collections::HashMap::new();
    for pr in &problems {
        let place = match (pr.col, pr.column) {
            (Some(c), Some(column)) => format!("{}{} {}：", column_letter(c), pr.row, t.column(column)),
            _ => String::new(),
        };
        by_row.entry(pr.row).or_default().push(format!("{place}{}", t.problem(&pr.problem, posts)));
    }
    let mut headers_out = failed.headers.clone();
    let width = failed.rows.iter().map(|(_, c)| c.len()).max().unwrap_or(0).max(headers_out.len());
    headers_out.resize(width, String::new());
    headers_out.push(t.col_source_row.to_owned());
    headers_out.push(t.failed_column.to_owned());
    let rows = failed
        .rows
        .iter()
        .map(|(r, cells)| {
            let mut out: Vec<Value> = cells.iter().map(|c| Value::Text(c.clone())).collect();
            out.resize(width, Value::Empty);
            out.push(Value::Int(i64::from(*r)));
            out.push(Value::Text(by_row.get(r).map(|v| v.join("；")).unwrap_or_default()));
            out
        })
        .collect();
    let mut widths = vec![14.0; width];
    widths.extend([8.0, 60.0]);
    let sheet = Sheet {
        name: t.failed_sheet.to_owned(),
        headers: headers_out,
        rows,
        widths,
        text_columns: (0..u16::try_from(width).unwrap_or(0)).collect(),
        ..Sheet::default()
    };
    workbook_response(
        &[sheet],
        &format!("roster-import-{id}-failed.xlsx"),
        &format!("{}-{id}-{}.xlsx", t.title, t.failed_sheet),
        locale,
    )
}

/// `GET /files/roster-template.xlsx`: the headers, drop-downs for the
/// fixed choices and the caller's towns, and a sheet of notes.
pub async fn roster_template(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let today = today();
    let towns = load(&state, locale, move |conn| {
        Ok(app::db::district::staffing_as_of(conn, p.district_id, today)?
            .into_iter()
            .filter(|(id, _)| app::db::roster::may_manage_town(&p, *id))
            .map(|(_, t)| t.name)
            .collect::<Vec<String>>())
    })
    .await;
    let towns = match towns {
        Ok(t) => t,
        Err(response) => return response,
    };
    let t = locale.messages().import;
    let posts = locale.messages().posts;
    let index = |c: Column| u16::try_from(Column::ALL.iter().position(|x| *x == c).unwrap_or(0)).unwrap_or(0);
    let mut choices = vec![
        Choices {
            column: index(Column::Education),
            values: posts.educations.iter().map(|s| (*s).to_owned()).collect(),
        },
        Choices { column: index(Column::SocialWorkMajor), values: vec![t.yes.to_owned(), t.no.to_owned()] },
        Choices {
            column: index(Column::Certificate),
            values: posts.certificates.iter().map(|s| (*s).to_owned()).collect(),
        },
        Choices {
            column: index(Column::RoleLevel),
            values: posts.roles.iter().map(|s| (*s).to_owned()).collect(),
        },
    ];
    // Excel keeps a list validation under 255 characters.
    if towns.iter().map(|n| n.chars().count() + 1).sum::<usize>() < 250 {
        choices.push(Choices { column: index(Column::Town), values: towns });
    }
    let roster = Sheet {
        name: t.template_sheet.to_owned(),
        headers: Column::ALL.iter().map(|c| t.column(*c).to_owned()).collect(),
        widths: vec![10.0, 22.0, 15.0, 14.0, 12.0, 16.0, 12.0, 12.0, 16.0, 12.0, 24.0],
        text_columns: vec![index(Column::IdNumber), index(Column::Phone), index(Column::Post)],
        choices,
        entry_rows: TEMPLATE_ROWS,
        ..Sheet::default()
    };
    let notes = Sheet {
        name: t.notes_sheet.to_owned(),
        headers: vec![posts.col_name.to_owned(), t.col_required.to_owned(), t.col_notes.to_owned()],
        rows: Column::ALL
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    Value::from(t.column(*c)),
                    Value::from(if c.required() { t.yes } else { t.no }),
                    Value::from(t.column_notes[i]),
                ]
            })
            .chain(t.rules.iter().map(|r| vec![Value::Empty, Value::Empty, Value::from(*r)]))
            .collect(),
        widths: vec![16.0, 8.0, 90.0],
        ..Sheet::default()
    };
    workbook_response(&[roster, notes], "roster-template.xlsx", &format!("{}.xlsx", t.template), locale)
}

/// `GET /files/roster.xlsx`: the roster as the caller may see it, with
/// the import's columns first so it can be imported again.
pub async fn roster_xlsx(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let list = match load(&state, locale, move |conn| people(conn, &p, None)).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let t = locale.messages().import;
    let posts = locale.messages().posts;
    let mut headers_out: Vec<String> = Column::ALL.iter().map(|c| t.column(*c).to_owned()).collect();
    headers_out.extend(
        [
            posts.col_gender,
            posts.col_birth,
            posts.col_tenure,
            posts.col_background,
            posts.col_status,
            t.col_left_on,
        ]
        .map(str::to_owned),
    );
    let rows = list
        .iter()
        .map(|v| {
            let town = locale.pick(&v.town, &v.town_en).to_owned();
            vec![
                Value::from(v.name.as_str()),
                Value::from(v.id_number.as_str()),
                Value::from(v.phone.as_str()),
                Value::from(posts.education(v.education)),
                Value::from(if v.social_work_major { t.yes } else { t.no }),
                Value::from(posts.certificate(v.certificate)),
                Value::Date(v.hire_date),
                Value::from(town),
                Value::from(v.post_code.clone().unwrap_or_default()),
                Value::from(posts.role(v.role_level)),
                Value::from(v.duties.as_str()),
                v.gender.map_or(Value::Empty, |g| Value::from(posts.gender(g))),
                Value::from(v.birth_date),
                Value::from((posts.tenure)(v.tenure.years, v.tenure.months)),
                Value::from(if v.social_work_background { t.yes } else { t.no }),
                Value::from(posts.status(v.status)),
                Value::from(v.left_on),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: t.roster_sheet.to_owned(),
        headers: headers_out,
        rows,
        widths: vec![
            10.0, 22.0, 15.0, 14.0, 10.0, 16.0, 12.0, 12.0, 16.0, 12.0, 24.0, 6.0, 12.0, 12.0, 10.0, 8.0,
            12.0,
        ],
        text_columns: vec![1, 2, 8],
        ..Sheet::default()
    };
    let date = today().format("%Y-%m-%d");
    workbook_response(
        &[sheet],
        &format!("roster-{date}.xlsx"),
        &format!("{}-{date}.xlsx", t.roster_sheet),
        locale,
    )
}

/// `GET /files/towns.xlsx`: the towns the caller may see with their
/// figures and posts today.
pub async fn towns_xlsx(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let today = today();
    let info = match load(&state, locale, move |conn| app::api::towns::ssr::overview(conn, &p, today)).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let t = locale.messages().import;
    let posts = locale.messages().posts;
    let headers_out = [
        posts.col_town,
        posts.col_kind,
        posts.col_communities,
        posts.col_villages,
        posts.col_population,
        posts.col_dibao,
        posts.col_tekun,
        posts.col_marginal,
        posts.col_expense,
        posts.col_recipients,
        posts.col_from,
        posts.col_minimum,
        posts.col_planned,
        posts.col_posts,
        posts.col_filled,
        posts.col_vacancies,
        posts.col_standby,
    ];
    let int = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let rows = info
        .towns
        .iter()
        .map(|l| {
            let kind = match l.kind {
                app::domain::staffing::TownKind::Street => posts.kind_street,
                app::domain::staffing::TownKind::Town => posts.kind_town,
            };
            vec![
                Value::from(format!("{} {}", l.code, locale.pick(&l.name, &l.name_en))),
                Value::from(kind),
                int(u64::from(l.communities)),
                int(u64::from(l.villages)),
                int(l.population),
                int(u64::from(l.recipients.dibao)),
                int(u64::from(l.recipients.tekun)),
                int(u64::from(l.recipients.marginal)),
                int(u64::from(l.recipients.expense)),
                int(l.recipients.total()),
                Value::from(l.figures_from),
                int(u64::from(l.minimum)),
                l.planned.map_or(Value::Empty, |n| int(u64::from(n))),
                int(u64::from(l.posts)),
                int(u64::from(l.filled)),
                int(u64::from(l.vacancies())),
                int(u64::from(l.standby)),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: t.towns_sheet.to_owned(),
        preamble: vec![t.towns_sheet.to_owned(), format!("{}：{}", t.exported_on, info.as_of)],
        headers: headers_out.map(str::to_owned).to_vec(),
        rows,
        widths: vec![18.0],
        ..Sheet::default()
    };
    let date = info.as_of.format("%Y-%m-%d");
    workbook_response(
        &[sheet],
        &format!("towns-{date}.xlsx"),
        &format!("{}-{date}.xlsx", t.towns_sheet),
        locale,
    )
}

/// `GET /files/allocation-plans/{id}/plan.xlsx`: a stored plan, town by
/// town, with quotas and reasons.
pub async fn plan_xlsx(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let locale = request_locale(&headers);
    let p: Principal = auth.principal;
    if !p.has_any(Role::DISTRICT_WIDE) {
        return error_response(&AppError::Forbidden, locale);
    }
    let view = match load(&state, locale, move |conn| {
        app::api::allocation::ssr::stored_view(conn, p.district_id, id)
    })
    .await
    {
        Ok(v) => v,
        Err(response) => return response,
    };
    let t = locale.messages().import;
    let posts = locale.messages().posts;
    let number = view.plan.as_ref().and_then(|s| s.number);
    let prm = &view.params;
    let preamble = vec![
        (posts.plan_title)(number),
        format!("{}：{}", posts.col_method, posts.method(prm.method)),
        format!("{}：{}", posts.col_total, prm.total),
        format!(
            "{}：{} / {}",
            posts.col_weights,
            prm.population_weight,
            100 - prm.population_weight.min(100)
        ),
        format!("{}：{}", posts.col_effective, prm.effective_from),
        format!("{}：{}", t.exported_on, today()),
    ];
    let dec = |d: rust_decimal::Decimal| Value::decimal(d, 4);
    let int = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let rows = view
        .lines
        .iter()
        .map(|l| {
            vec![
                Value::from(l.code.as_str()),
                Value::from(locale.pick(&l.name, &l.name_en).to_owned()),
                int(l.population),
                int(l.recipients),
                int(u64::from(l.minimum)),
                dec(l.quota),
                l.adjusted_quota.map_or(Value::Empty, dec),
                int(u64::from(l.posts)),
                int(u64::from(l.current_posts)),
                Value::from(posts.reason(l.reason)),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: t.plan_sheet.to_owned(),
        preamble,
        headers: [
            "#",
            posts.col_town,
            posts.col_population,
            posts.col_recipients,
            posts.col_minimum,
            posts.col_quota,
            posts.col_adjusted,
            posts.col_result,
            posts.col_current,
            posts.col_reason,
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        widths: vec![8.0, 14.0, 12.0, 12.0, 10.0, 12.0, 12.0, 10.0, 10.0, 24.0],
        ..Sheet::default()
    };
    let n = number.map_or_else(|| format!("id{id}"), |n| n.to_string());
    workbook_response(
        &[sheet],
        &format!("allocation-plan-{n}.xlsx"),
        &format!("{}-{n}.xlsx", t.plan_sheet),
        locale,
    )
}
