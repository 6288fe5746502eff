//! Spot inspections over plain HTTP: the inspector's form (a multipart
//! post from the phone, photos included), photos and rectification
//! evidence, the rectification notice as a PDF, and the published results
//! as a spreadsheet.
//!
//! The form is one post so answers and photos arrive together and nothing
//! typed is lost: a submission missing required items is kept as a draft
//! and the page names what is missing.

use std::collections::BTreeMap;

use app::auth::{Authenticated, RequestMeta};
use app::db::inspections::{FormInput, InspectionError, NewEvidence, NewPhoto, StoredFile};
use app::domain::files::{FileProblem, check_upload, display_name, strip_location};
use app::domain::inspection::InspectionFault;
use app::error::AppError;
use app::policy::paths;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;

use super::files::{UploadFailure, download, error_response, read_upload, request_locale, stored_download};
use crate::pdf::Template;
use crate::pdf::inspection::{Notice, NoticeFinding, document_data};
use crate::state::AppState;

fn refused(p: FileProblem) -> AppError {
    AppError::Inspection(InspectionFault::Upload(p))
}

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// Percent-encodes a query value (UTF-8 bytes outside the unreserved set).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn local_time(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .ok()
}

/// Checks, strips of location metadata and stores an upload (a PDF only
/// where `pdf_allowed`); the content goes to the file store before the
/// database write, by its hash (a refused write leaves an unreferenced
/// content file, never a reference without content).
async fn store_upload(
    state: &AppState,
    bytes: Vec<u8>,
    pdf_allowed: bool,
) -> Result<(String, &'static str, i64), AppError> {
    let media_type = check_upload(&bytes).map_err(refused)?;
    if media_type == "application/pdf" && !pdf_allowed {
        return Err(refused(FileProblem::WrongType));
    }
    let (bytes, _) = strip_location(&bytes, media_type).map_err(refused)?;
    let size = bytes.len() as i64;
    let store = state.files.clone();
    match tokio::task::spawn_blocking(move || store.put(&bytes)).await {
        Ok(Ok(sha)) => Ok((sha, media_type, size)),
        other => {
            tracing::error!(result = ?other.map(|r| r.map(|_| ())), "storing an upload failed");
            Err(AppError::Internal)
        }
    }
}

/// A stored file found by `find` within the caller's scope (404 when it
/// is not there or not theirs).
async fn scoped_download<F>(state: &AppState, headers: &HeaderMap, ascii: String, find: F) -> Response
where
    F: FnOnce(&mut app::db::AnyConnection) -> Result<Option<StoredFile>, InspectionError> + Send + 'static,
{
    let locale = request_locale(headers);
    match state.db.run(move |conn| Ok(find(conn))).await {
        Ok(Ok(Some((sha, media, name)))) => stored_download(state, sha, &media, &ascii, &name, locale).await,
        Ok(Ok(None)) => error_response(&AppError::NotFound, locale),
        Ok(Err(e)) => error_response(&app::api::inspections::ssr::from_inspection(e), locale),
        Err(e) => error_response(&app::api::from_db(e), locale),
    }
}

/// `POST /files/inspections/{id}/form`: the inspector's form. Fields:
/// `version`, `arrived_at`, `left_at` (`YYYY-MM-DDTHH:MM`, the district's
/// time), `headcount`, `absent` and `other_duties` (staff ids, repeated),
/// `answer:<key>`, `remarks`, files `photo:<key>`, and `action` (`draft`
/// or `submit`). Answers 303 to the inspection page.
pub async fn form(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let upload = match read_upload(form).await {
        Ok(u) => u,
        Err(UploadFailure::TooLarge) => return error_response(&refused(FileProblem::TooLarge), locale),
        Err(UploadFailure::Malformed) => return error_response(&refused(FileProblem::Empty), locale),
    };
    let text = |name: &str| upload.text.get(name).cloned().unwrap_or_default();
    let ids = |name: &str| -> Vec<i64> {
        upload.texts.iter().filter(|(n, _)| n == name).filter_map(|(_, v)| v.trim().parse().ok()).collect()
    };
    let answers: BTreeMap<String, String> = upload
        .texts
        .iter()
        .filter_map(|(n, v)| n.strip_prefix("answer:").map(|k| (k.to_owned(), v.clone())))
        .collect();
    let input = FormInput {
        version: text("version").trim().parse().unwrap_or(-1),
        arrived_at: local_time(&text("arrived_at")),
        left_at: local_time(&text("left_at")),
        headcount: text("headcount"),
        absent: ids("absent"),
        other_duties: ids("other_duties"),
        answers,
        remarks: text("remarks"),
    };
    let submit = text("action") == "submit";
    let mut photos = Vec::new();
    for (field, name, bytes) in upload.files {
        let Some(key) = field.strip_prefix("photo:") else { continue };
        match store_upload(&state, bytes, false).await {
            Ok((sha256, media_type, size_bytes)) => photos.push(NewPhoto {
                item_key: key.to_owned(),
                sha256,
                media_type,
                size_bytes,
                display_name: display_name(&name),
            }),
            Err(e) => return error_response(&e, locale),
        }
    }
    let actor = app::auth::actor_of(Some(&p), meta);
    let result = state
        .db
        .run(move |conn| {
            let save = |conn: &mut app::db::AnyConnection, submit: bool| {
                app::db::write::write(conn, &actor, |tx| {
                    app::db::inspections::save_form(tx, &p, id, &input, &photos, submit)
                })
            };
            Ok(match save(conn, submit) {
                // Missing items: keep what was entered as a draft and say
                // what is missing.
                Err(InspectionError::Refused(fault @ InspectionFault::Answers(_))) if submit => {
                    save(conn, false).map(|_| Some(fault))
                }
                other => other.map(|_| None),
            })
        })
        .await;
    let page = paths::INSPECTION.replace("{id}", &id.to_string());
    match result {
        Ok(Ok(None)) => see_other(format!("{page}?saved={}", if submit { "submit" } else { "draft" })),
        Ok(Ok(Some(fault))) => {
            let message = AppError::Inspection(fault).describe(locale.messages());
            see_other(format!("{page}?problem={}", encode(&message)))
        }
        Ok(Err(e)) => error_response(&app::api::inspections::ssr::from_inspection(e), locale),
        Err(e) => error_response(&app::api::from_db(e), locale),
    }
}

/// `GET /files/inspection-photos/{id}`: a photo, to those who may see its
/// inspection (404 otherwise).
pub async fn photo(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let p = auth.principal;
    scoped_download(&state, &headers, format!("photo-{id}"), move |conn| {
        app::db::inspections::photo(conn, &p, id)
    })
    .await
}

/// `POST /files/rectifications/{id}/evidence`: a file (`file`: JPEG, PNG
/// or PDF, ≤ 10 MB) for the town's next response. Answers 303 to the
/// inspection page.
pub async fn upload_evidence(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let file = match read_upload(form).await {
        Ok(u) => u.file,
        Err(UploadFailure::TooLarge) => return error_response(&refused(FileProblem::TooLarge), locale),
        Err(UploadFailure::Malformed) => return error_response(&refused(FileProblem::Empty), locale),
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return error_response(&refused(FileProblem::Empty), locale);
    };
    let (sha256, media_type, size_bytes) = match store_upload(&state, bytes, true).await {
        Ok(stored) => stored,
        Err(e) => return error_response(&e, locale),
    };
    let actor = app::auth::actor_of(Some(&p), meta);
    let e = NewEvidence { sha256, media_type, size_bytes, display_name: display_name(&name) };
    let result = state
        .db
        .run(move |conn| {
            let written = app::db::write::write(conn, &actor, |tx| {
                app::db::inspections::add_rect_evidence(tx, &p, id, &e)?;
                app::db::inspections::inspection_of_rect(tx.conn(), &p, id)
            });
            Ok(written)
        })
        .await;
    match result {
        Ok(Ok(inspection)) => see_other(paths::INSPECTION.replace("{id}", &inspection.to_string())),
        Ok(Err(e)) => error_response(&app::api::inspections::ssr::from_inspection(e), locale),
        Err(e) => error_response(&app::api::from_db(e), locale),
    }
}

/// `GET /files/rectification-evidence/{id}`: to those who may see the
/// rectification (404 otherwise).
pub async fn evidence(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let p = auth.principal;
    scoped_download(&state, &headers, format!("rectification-evidence-{id}"), move |conn| {
        app::db::inspections::rect_evidence(conn, &p, id)
    })
    .await
}

/// `GET /files/rectifications/{id}/notice.pdf`: the rectification notice
/// (整改通知书), to those who may see the rectification.
pub async fn notice_pdf(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let loaded = state
        .db
        .run(move |conn| {
            let inspection_id = match app::db::inspections::inspection_of_rect(conn, &p, id) {
                Ok(i) => i,
                Err(e) => return Ok(Err(e)),
            };
            let d = match app::db::inspections::inspection(conn, &p, inspection_id) {
                Ok(d) => d,
                Err(e) => return Ok(Err(e)),
            };
            let district =
                app::db::district::District::find(conn, p.district_id)?.ok_or(app::db::DbError::NotFound)?;
            let town = app::db::district::town_names(conn, p.district_id)?
                .remove(&d.town_id)
                .map(|(zh, _)| zh)
                .unwrap_or_default();
            Ok(Ok((d, district.name, town)))
        })
        .await;
    let (d, district, town) = match loaded {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return error_response(&app::api::inspections::ssr::from_inspection(e), locale),
        Err(e) => return error_response(&app::api::from_db(e), locale),
    };
    let Some(r) = d.rectification.as_ref() else {
        return error_response(&AppError::NotFound, locale);
    };
    let notice = Notice {
        notice_no: r.notice_no.clone(),
        district,
        town,
        plan_title: d.plan_title.clone(),
        inspected_on: d.arrived_at.map(|a| a.date()),
        issued_on: r.issued_on,
        deadline: r.deadline,
        findings: d
            .findings
            .iter()
            .filter(|f| f.rectification_id == Some(r.id))
            .map(|f| NoticeFinding {
                kind: f.kind.zh(),
                severity: f.severity.zh(),
                description: f.description.clone(),
            })
            .collect(),
    };
    let file = format!("notice-{id}.pdf");
    let utf8 = format!("整改通知书-{}.pdf", notice.notice_no);
    match state.pdf.render(Template::RectificationNotice, document_data(&notice), r.issued_on).await {
        Ok(pdf) => download(pdf, "application/pdf", &file, &utf8),
        Err(e) => {
            tracing::error!(error = %e, "notice failed");
            error_response(&AppError::Internal, locale)
        }
    }
}

/// `GET /files/inspection-results.xlsx` (public, 一公开): the published
/// results of the district (`?district=CODE`, else the signed-in user's
/// or the first), without personal data.
pub async fn results_xlsx(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<DistrictQuery>,
) -> Response {
    let locale = request_locale(&headers);
    let rows = match published(&state, auth.map(|a| a.0), q).await {
        Ok(r) => r,
        Err(e) => return error_response(&e, locale),
    };
    let zh = locale == app::i18n::Locale::ZhCn;
    let pick = |a: &str, b: &str| if zh { a.to_owned() } else { b.to_owned() };
    let sheet = crate::xlsx::Sheet {
        name: pick("抽查结果", "Results"),
        preamble: vec![pick(
            "抽查结果公开（不含个人信息）",
            "Published inspection results (no personal data)",
        )],
        headers: vec![
            pick("抽查计划", "Plan"),
            pick("期间起", "From"),
            pick("期间止", "To"),
            pick("镇街代码", "Town code"),
            pick("镇街", "Town"),
            pick("检查日期", "Inspected on"),
            pick("检查人员数", "Inspectors"),
            pick("问题数", "Findings"),
            pick("问题类别（严重程度）", "Kinds (severity)"),
            pick("整改状态", "Rectification"),
            pick("整改期限", "Deadline"),
        ],
        rows: rows
            .into_iter()
            .map(|r| {
                let t = locale.messages().inspections;
                let kinds = r
                    .kinds
                    .iter()
                    .map(|(k, s)| format!("{}（{}）", t.kind(*k), t.severity(*s)))
                    .collect::<Vec<_>>()
                    .join("；");
                let status = match (r.overdue, r.rectification) {
                    (true, _) => t.status_code("overdue").to_owned(),
                    (false, Some(s)) => t.rect_status(s).to_owned(),
                    (false, None) => String::new(),
                };
                vec![
                    r.plan_title.into(),
                    Some(r.period_from).into(),
                    Some(r.period_to).into(),
                    r.town_code.into(),
                    r.town_name.into(),
                    r.inspected_on.into(),
                    (r.inspectors as i64).into(),
                    (r.findings as i64).into(),
                    kinds.into(),
                    status.into(),
                    r.deadline.into(),
                ]
            })
            .collect(),
        widths: vec![28.0, 12.0, 12.0, 10.0, 14.0, 12.0, 10.0, 8.0, 48.0, 12.0, 12.0],
        ..Default::default()
    };
    super::sheets::workbook_response(&[sheet], "inspection-results.xlsx", "抽查结果.xlsx", locale)
}

/// `?district=CODE` of the public results.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DistrictQuery {
    pub district: Option<String>,
}

/// The published results of the district asked for, the caller's, or the
/// first.
pub async fn published(
    state: &AppState,
    auth: Option<Authenticated>,
    q: DistrictQuery,
) -> Result<Vec<app::db::inspections::PublishedResult>, AppError> {
    let result = state
        .db
        .run(move |conn| {
            use app::db::district::District;
            let district = match (&q.district, auth) {
                (Some(code), _) => District::find_by_code(conn, code)?,
                (None, Some(a)) => District::find(conn, a.principal.district_id)?,
                (None, None) => District::first(conn)?,
            };
            let Some(district) = district else { return Ok(Err(AppError::NotFound)) };
            Ok(Ok(app::db::inspections::published(conn, district.id)?))
        })
        .await;
    match result {
        Ok(v) => v,
        Err(e) => Err(app::api::from_db(e)),
    }
}
