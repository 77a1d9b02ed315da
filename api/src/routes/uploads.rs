//! Uploads: a file goes up as the raw request body (`?filename=` names
//! it), its type read from its bytes; it is read back at its URL by whoever
//! may read the post that references it, and never served as a page.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use quorum_types::{ErrorCode, FileBytes, Problem, Upload, UploadQuery};

use crate::auth::Session;
use crate::db::policy::actions::{require, Action, Target};
use crate::db::queries::uploads::{self, NewUpload};
use crate::error::ApiError;
use crate::startup::AppState;
use crate::uploads::{self as files, Kind};

/// What an upload's answer says about its content, whatever it is: never a
/// page (a sandboxed, script-less document at most), never sniffed.
pub const UPLOAD_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

fn too_large(max: u64) -> ApiError {
    ApiError::new(ErrorCode::PayloadTooLarge, format!("a file may be at most {} bytes ({})", max, human(max)))
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Upload a file to put in a post. The body is the file's bytes (any
/// `Content-Type`: the type is read from the bytes); `filename` names it.
/// Images (PNG, JPEG, GIF, WebP), PDF and plain UTF-8 text are taken, up
/// to the forum's size limit (`QUORUM_UPLOAD_MAX_BYTES`, 8 MiB by
/// default). Put the answer's `markdown` (or a link to its `url`) in a
/// post: from then on the file has that post's readers. Until then only
/// its uploader can read it, and after a day unused it is removed.
#[utoipa::path(
    tag = "uploads",
    params(UploadQuery),
    request_body(content = FileBytes, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 201, description = "The upload", body = Upload, headers(
            ("location" = String, description = "The upload's URL")
        )),
        (status = 400, description = "No filename, or an unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Suspended, or a token without the write scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the forum's limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not an image (PNG, JPEG, GIF, WebP), a PDF or plain UTF-8 text", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty file", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/uploads")]
pub async fn create_upload(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<UploadQuery>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    // Refused before a byte is stored.
    session.check(|_, viewer| require(viewer, Action::Upload, Target::Site)).await?;
    let max = state.upload_max_bytes;
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|len| len > max) {
        return Err(too_large(max));
    }
    let mut bytes = web::BytesMut::with_capacity(announced.unwrap_or(0).min(max) as usize);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("unreadable body: {e}")))?;
        if (bytes.len() + chunk.len()) as u64 > max {
            return Err(too_large(max));
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return Err(ApiError::field("body", "the file is empty"));
    }
    let kind = files::sniff(&bytes).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "only images (PNG, JPEG, GIF, WebP), PDF files and plain UTF-8 text can be uploaded",
        )
    })?;
    let filename = files::clean_filename(&query.into_inner().filename);
    let id = files::new_id();
    let key = files::storage_key(&id);
    let size = bytes.len() as i64;
    let store = state.files.clone();
    let stored = {
        let (store, key) = (store.clone(), key.clone());
        let bytes = bytes.freeze();
        web::block(move || store.put(&key, &bytes)).await
    };
    match stored {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(ApiError::internal(format!("storing an upload: {e}"))),
        Err(e) => return Err(ApiError::internal(format!("storing an upload: {e}"))),
    }
    let written = {
        let (id, key, filename) = (id.clone(), key.clone(), filename.clone());
        session
            .write(move |conn, viewer| {
                let new = NewUpload { id: &id, size, kind, filename: &filename, storage_key: &key };
                uploads::create(conn, viewer, new)
            })
            .await
    };
    match written {
        Ok(upload) => Ok(HttpResponse::Created().insert_header((header::LOCATION, upload.url.clone())).json(upload)),
        Err(e) => {
            // Nothing of a refused upload stays behind.
            let _ = web::block(move || store.delete(&key)).await;
            Err(e)
        }
    }
}

/// An uploaded file, to whoever may read the post it is in (its uploader
/// only, before it is in one); anyone else gets 404, the same answer as for
/// no such file, and so does everyone once the post is deleted, or hidden
/// (its author and moderators still read it), or its audience no longer
/// admits them. Signed-in browsers are recognised by the `quorum_media`
/// cookie that signing in sets, so `<img src>` works. The file comes with
/// its type as read at upload, `X-Content-Type-Options: nosniff`, a
/// sandboxing CSP, and `Content-Disposition: attachment` unless it is an
/// image. The name in the path is for people; only the id counts.
#[utoipa::path(
    tag = "uploads",
    params(
        ("id" = String, Path, description = "Upload id"),
        ("name" = String, Path, description = "The file name (any: only the id counts)"),
    ),
    responses(
        (status = 200, description = "The file", content(
            (FileBytes = "image/png"), (FileBytes = "image/jpeg"), (FileBytes = "image/gif"),
            (FileBytes = "image/webp"), (FileBytes = "application/pdf"), (String = "text/plain")
        )),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such upload, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("media_cookie" = []))
)]
#[get("/uploads/{id}/{name}")]
pub async fn get_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, _) = path.into_inner();
    let (session, from_cookie) = Session::for_upload(&req)?;
    let lookup = |session: Session, id: String| async move {
        session.read(move |conn, viewer| uploads::readable(conn, viewer, &id)).await
    };
    let row = match lookup(session.clone(), id.clone()).await {
        // A stale or suspended account's cookie reads as nobody signed in.
        Err(e) if from_cookie && matches!(e.code, ErrorCode::Unauthorized | ErrorCode::AccountSuspended) => {
            lookup(session.as_anonymous(), id).await?
        }
        other => other?,
    };
    let etag = format!("\"{}\"", row.id);
    let kind = Kind::from_content_type(&row.content_type);
    let image = kind.is_some_and(Kind::is_image);
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, UPLOAD_CSP))
        .insert_header(("Cross-Origin-Resource-Policy", "same-origin"))
        // Readers change (audiences, groups, deletion): a cache must ask every time.
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CONTENT_DISPOSITION, disposition(image, &row.filename)));
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .finish());
    }
    let store = state.files.clone();
    let key = row.storage_key.clone();
    let bytes = match web::block(move || store.get(&key)).await {
        Ok(Ok(Some(bytes))) => bytes,
        Ok(Ok(None)) => {
            tracing::warn!(upload = %row.id, "an upload's file is missing from the store");
            return Err(ApiError::not_found());
        }
        Ok(Err(e)) => return Err(ApiError::internal(format!("reading an upload: {e}"))),
        Err(e) => return Err(ApiError::internal(format!("reading an upload: {e}"))),
    };
    // Never a type the upload was not sniffed as.
    let content_type = kind.map_or("application/octet-stream", Kind::content_type);
    Ok(response.content_type(content_type).body(bytes))
}

/// `inline` for images, `attachment` for the rest, with the name as ASCII
/// and, when it is not, as RFC 5987 UTF-8.
fn disposition(image: bool, filename: &str) -> String {
    let how = if image { "inline" } else { "attachment" };
    let ascii = files::url_name(filename);
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{how}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
