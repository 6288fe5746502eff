//! File downloads: documents rendered as PDF (spreadsheets are in
//! [`super::sheets`]).

use app::auth::Authenticated;
use app::error::AppError;
use app::i18n::{Locale, locale_from_cookie_header};
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::pdf::{Template, staffing};
use crate::state::AppState;

/// `GET /files/staffing-summary.pdf`: the caller's district (or, for a
/// town user, their town) as of today, in the language of their cookie.
pub async fn staffing_summary(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
) -> Response {
    let locale = request_locale(&headers);
    let today = app::domain::calendar::china_date(chrono::Utc::now());
    let dashboard = match app::api::dashboard::ssr::dashboard(&state.db, &auth.principal, today).await {
        Ok(d) => d,
        Err(e) => return error_response(&e, locale),
    };
    let data = staffing::document_data(&dashboard, locale);
    match state.pdf.render(Template::StaffingSummary, data, today).await {
        Ok(pdf) => {
            let date = today.format("%Y-%m-%d");
            let name = format!("{}-{date}.pdf", locale.messages().download_pdf_file_stem);
            let ascii = format!("staffing-summary-{date}.pdf");
            pdf_response(pdf, &ascii, &name)
        }
        Err(e) => {
            tracing::error!(error = %e, "staffing summary PDF failed");
            error_response(&AppError::Internal, locale)
        }
    }
}

pub(super) fn request_locale(headers: &HeaderMap) -> Locale {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(locale_from_cookie_header)
        .unwrap_or_default()
}

/// A multipart form as uploaded: its `file` field (the browser's name for
/// it, for display only, and the bytes) and its text fields.
#[derive(Debug, Default)]
pub(super) struct UploadForm {
    /// The field named `file`.
    pub file: Option<(String, Vec<u8>)>,
    /// Text fields by name (the last of repeated ones).
    pub text: std::collections::HashMap<String, String>,
    /// Every text field in order, repeated names included (checkboxes).
    pub texts: Vec<(String, String)>,
    /// Other file fields, non-empty: (field name, file name, bytes).
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// Why a multipart form could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UploadFailure {
    /// Over the body limit (HTTP 413).
    TooLarge,
    /// Not a readable multipart form (HTTP 400).
    Malformed,
}

/// Reads a whole multipart form: the one path every upload takes.
pub(super) async fn read_upload(mut form: axum::extract::Multipart) -> Result<UploadForm, UploadFailure> {
    let failure = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            UploadFailure::TooLarge
        } else {
            UploadFailure::Malformed
        }
    };
    let mut out = UploadForm::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(out),
            Err(e) => {
                tracing::info!(error = %e, "bad multipart upload");
                return Err(failure(e.status()));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|e| failure(e.status()))?;
            out.file = Some((file_name, bytes.to_vec()));
        } else if let Some(file_name) = field.file_name().map(str::to_owned) {
            // A file input left empty still sends a part, without content.
            let bytes = field.bytes().await.map_err(|e| failure(e.status()))?;
            if !bytes.is_empty() {
                out.files.push((name, file_name, bytes.to_vec()));
            }
        } else if !name.is_empty() {
            let value = field.text().await.map_err(|e| failure(e.status()))?;
            out.texts.push((name.clone(), value.clone()));
            out.text.insert(name, value);
        }
    }
}

/// A stored upload as a download: its content by SHA-256, one of the
/// accepted media types, under its display name. A missing content file
/// is logged and answered as an internal error.
pub(super) async fn stored_download(
    state: &crate::state::AppState,
    sha256: String,
    media_type: &str,
    ascii_name: &str,
    display_name: &str,
    locale: Locale,
) -> Response {
    let content_type = match media_type {
        "application/pdf" => "application/pdf",
        "image/png" => "image/png",
        _ => "image/jpeg",
    };
    let store = state.files.clone();
    match tokio::task::spawn_blocking(move || store.get(&sha256)).await {
        Ok(Ok(bytes)) => download(bytes, content_type, ascii_name, display_name),
        _ => {
            tracing::error!(file = ascii_name, "stored file content missing");
            error_response(&AppError::Internal, locale)
        }
    }
}

/// A PDF download named `utf8_name` (RFC 6266), with `ascii_name` for
/// clients that cannot read the UTF-8 form.
fn pdf_response(pdf: Vec<u8>, ascii_name: &str, utf8_name: &str) -> Response {
    download(pdf, "application/pdf", ascii_name, utf8_name)
}

/// A file download of `content_type`, named `utf8_name` (RFC 6266), with
/// `ascii_name` for clients that cannot read the UTF-8 form.
pub(super) fn download(
    bytes: Vec<u8>,
    content_type: &'static str,
    ascii_name: &str,
    utf8_name: &str,
) -> Response {
    let disposition =
        format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}", percent_encode(utf8_name));
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A plain-text answer (upload refusals, in the user's language).
pub(super) fn text_response(status: StatusCode, body: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body.to_owned()).into_response()
}

pub(super) fn error_response(error: &AppError, locale: Locale) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = error.describe(locale.messages());
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// Percent-encodes everything but RFC 5987 `attr-char`s.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /files/jobs/{id}`: a finished document job's file, to the user
/// who started the job only (anyone else: 404, as for an unknown job).
pub async fn job_file(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let locale = request_locale(&headers);
    let Some((path, name)) = state.jobs.file(auth.principal.user_id, &id) else {
        return error_response(&AppError::NotFound, locale);
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let (content_type, ascii) = if name.ends_with(".zip") {
                ("application/zip", "pay-slips.zip")
            } else {
                ("application/pdf", "pay-slips.pdf")
            };
            download(bytes, content_type, ascii, &name)
        }
        Err(e) => {
            tracing::error!(error = %e, job = %id, "job file unreadable");
            error_response(&AppError::NotFound, locale)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_attr_chars_only() {
        assert_eq!(percent_encode("a-b_c.pdf"), "a-b_c.pdf");
        assert_eq!(percent_encode("汇总 1"), "%E6%B1%87%E6%80%BB%201");
    }

    #[test]
    fn locale_comes_from_the_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(request_locale(&h), Locale::ZhCn);
        h.insert(header::COOKIE, HeaderValue::from_static("x=1; gouzhu_lang=en"));
        assert_eq!(request_locale(&h), Locale::En);
    }
}
