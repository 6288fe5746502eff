//! Evidence of service records: the upload (the record's provider) and
//! the download (whoever may see the record). An upload is recognised
//! from its content, limited in size, stripped of photo location
//! metadata unless the record keeps its location on purpose, and stored
//! under its SHA-256; the browser's file name is kept for display only.

use app::auth::{Authenticated, RequestMeta};
use app::domain::files::{check_upload, display_name, strip_location};
use app::domain::service::ServiceFault;
use app::error::AppError;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::files::{UploadFailure, error_response, read_upload, request_locale};
use crate::state::AppState;

fn refused(p: app::domain::files::FileProblem) -> AppError {
    AppError::Service(ServiceFault::Upload(p))
}

/// `POST /files/service-records/{id}/evidence`: a multipart form with
/// `file` (JPEG, PNG or PDF, at most 10 MB). Answers 303 to the services
/// page (the record's contract selected).
pub async fn upload_evidence(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    use app::domain::files::FileProblem;
    let locale = request_locale(&headers);
    let p = auth.principal;
    let file = match read_upload(form).await {
        Ok(u) => u.file,
        Err(UploadFailure::TooLarge) => return error_response(&refused(FileProblem::TooLarge), locale),
        Err(UploadFailure::Malformed) => return error_response(&refused(FileProblem::Empty), locale),
    };
    let Some((name, bytes)) = file else {
        return error_response(&refused(FileProblem::Empty), locale);
    };
    let media_type = match check_upload(&bytes) {
        Ok(m) => m,
        Err(problem) => return error_response(&refused(problem), locale),
    };
    // Whether the record keeps its location decides what is stored, so it
    // is read (and the caller's right to the record checked) first.
    let who = p.clone();
    let keep = match state.db.run(move |conn| Ok(app::db::services::keeps_location(conn, &who, id))).await {
        Ok(Ok(k)) => k,
        Ok(Err(e)) => return error_response(&app::api::services::ssr::from_service(e), locale),
        Err(e) => return error_response(&app::api::from_db(e), locale),
    };
    let (bytes, removed) = if keep {
        (bytes, false)
    } else {
        match strip_location(&bytes, media_type) {
            Ok(x) => x,
            Err(problem) => return error_response(&refused(problem), locale),
        }
    };
    let size = bytes.len() as i64;
    let store = state.files.clone();
    let sha256 = match tokio::task::spawn_blocking(move || store.put(&bytes)).await {
        Ok(Ok(sha)) => sha,
        other => {
            tracing::error!(result = ?other.map(|r| r.map(|_| ())), "storing evidence failed");
            return error_response(&AppError::Internal, locale);
        }
    };
    let actor = app::auth::actor_of(Some(&p), meta);
    let e = app::db::services::NewEvidence {
        sha256,
        media_type,
        size_bytes: size,
        display_name: display_name(&name),
        location_removed: removed,
    };
    let result = state
        .db
        .run(move |conn| {
            let written =
                app::db::write::write(conn, &actor, |tx| app::db::services::add_evidence(tx, &p, id, &e));
            let contract = app::db::services::record(conn, &p, id)?.map(|r| r.contract_id);
            Ok(written.map(|_| contract))
        })
        .await;
    match result {
        Ok(Ok(contract)) => {
            let to = match contract {
                Some(c) => format!("{}?contract={c}#records", app::policy::paths::SERVICES),
                None => app::policy::paths::SERVICES.to_owned(),
            };
            (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
        }
        Ok(Err(e)) => error_response(&app::api::services::ssr::from_service(e), locale),
        Err(e) => error_response(&app::api::from_db(e), locale),
    }
}

/// `GET /files/evidence/{id}`: an evidence file, to those who may see its
/// record (404 otherwise).
pub async fn evidence(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let locale = request_locale(&headers);
    let p = auth.principal;
    let found = state.db.run(move |conn| app::db::services::evidence(conn, &p, id)).await;
    let e = match found {
        Ok(Some(e)) => e,
        Ok(None) => return error_response(&AppError::NotFound, locale),
        Err(e) => return error_response(&app::api::from_db(e), locale),
    };
    super::files::stored_download(
        &state,
        e.sha256,
        &e.media_type,
        &format!("evidence-{id}"),
        &e.display_name,
        locale,
    )
    .await
}
