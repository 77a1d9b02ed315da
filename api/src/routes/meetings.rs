//! A thread's event: schedule, change, cancel, answer, who answered, the
//! upcoming events a viewer may read, and the event as iCalendar.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use quorum_types::{Attendee, Meeting, MeetingListQuery, MeetingRequest, Page, PageQuery, Problem, RsvpRequest};

use crate::auth::Session;
use crate::calendar::{self, ics};
use crate::db::queries::meetings::{self, Window};
use crate::db::queries::{now, PageRequest};
use crate::error::ApiError;
use crate::startup::AppState;

/// The thread's event.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "The event", body = Meeting),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or it has no event", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads/{id}/event")]
pub async fn get_event(session: Session, id: web::Path<i64>) -> Result<web::Json<Meeting>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(session.read(move |conn, viewer| meetings::get(conn, viewer, id)).await?))
}

/// Schedule the thread's event, or replace it (the thread's author, who
/// organises it, or a moderator). Times are wall times in an IANA zone;
/// a replacement keeps the UID, raises the sequence, schedules a cancelled
/// event again and tells those who answered going or maybe.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = MeetingRequest,
    responses(
        (status = 200, description = "Replaced (or unchanged)", body = Meeting),
        (status = 201, description = "Scheduled", body = Meeting),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the thread's author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a zone that is not an IANA name (with suggestions), a wall time the clocks skip or repeat, an end before the start", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/threads/{id}/event")]
pub async fn put_event(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<MeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let new = calendar::meeting(&body.into_inner())?;
    let (meeting, created) = session.write(move |conn, viewer| meetings::put(conn, viewer, id, &new)).await?;
    Ok(if created {
        HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/threads/{id}/event"))).json(meeting)
    } else {
        HttpResponse::Ok().json(meeting)
    })
}

/// Cancel the event (organiser or moderator). It stays, marked cancelled,
/// so calendars learn of it; those who answered going or maybe are told.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "Cancelled", body = Meeting),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the thread's author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or no event", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/threads/{id}/event/cancel")]
pub async fn cancel_event(session: Session, id: web::Path<i64>) -> Result<web::Json<Meeting>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(session.write(move |conn, viewer| meetings::cancel(conn, viewer, id)).await?))
}

/// Answer going, maybe or not going (anyone who can read the thread);
/// answering again changes the answer.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = RsvpRequest,
    responses(
        (status = 200, description = "The event, with the new counts", body = Meeting),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or no event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event is cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid answer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/threads/{id}/event/rsvp")]
pub async fn rsvp(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<RsvpRequest>,
) -> Result<web::Json<Meeting>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let answer = body.into_inner().answer;
    Ok(web::Json(session.write(move |conn, viewer| meetings::answer(conn, viewer, id, answer)).await?))
}

/// Who answered what (only for those who can read the thread).
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id"), PageQuery),
    responses(
        (status = 200, description = "Answers: going, then maybe, then not going", body = Page<Attendee>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or no event", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads/{id}/event/attendees")]
pub async fn list_attendees(
    session: Session,
    id: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<Attendee>>, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = session.read(move |conn, viewer| meetings::attendees(conn, viewer, id, &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// `2024-07-11T14:00:00Z` (any RFC 3339 offset) or `2024-07-11` (midnight UTC).
fn instant(field: &str, text: Option<&str>) -> Result<Option<NaiveDateTime>, ApiError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let parsed = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)));
    match parsed {
        Some(t) if (1970..=9998).contains(&chrono::Datelike::year(&t)) => Ok(Some(t)),
        _ => Err(ApiError::bad_request(format!("{field} must be an RFC 3339 time or a date YYYY-MM-DD, not {text:?}"))),
    }
}

/// Events of threads the viewer may read, by start time: those ending
/// after `from` (default now) and starting before `to`; cancelled ones
/// too, marked so.
#[utoipa::path(
    tag = "events",
    params(MeetingListQuery),
    responses(
        (status = 200, description = "A page of events", body = Page<Meeting>),
        (status = 400, description = "Invalid time, cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/events")]
pub async fn list_events(
    session: Session,
    query: web::Query<MeetingListQuery>,
) -> Result<web::Json<Page<Meeting>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 2)?;
    let from = instant("from", query.from.as_deref())?.unwrap_or_else(now);
    let to = instant("to", query.to.as_deref())?;
    let category = query.category;
    let (items, next_cursor) = session
        .read(move |conn, viewer| {
            meetings::list(conn, viewer, &Window { from, to, category: category.as_deref() }, &page)
        })
        .await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Where members reach the forum: the configured public URL, else this
/// request's own scheme and host.
pub fn base_url(req: &HttpRequest, state: &AppState) -> String {
    match &state.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// An iCalendar answer.
pub fn ics_response(body: String, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")))
        .body(body)
}

/// The event as iCalendar (RFC 5545), to add to a calendar: its zone as
/// `TZID` with a `VTIMEZONE`, a `UID` that stays through every change, a
/// `SEQUENCE` that rises with each, `STATUS:CANCELLED` once cancelled.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "The event", body = String, content_type = "text/calendar"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or no event", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads/{id}/event.ics")]
pub async fn event_ics(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = session.read(move |conn, viewer| meetings::readable_row(conn, viewer, id)).await?;
    let base = base_url(&req, &state);
    let entry = ics::Entry { page_url: format!("{base}/t/{}", row.thread_id), meeting: &row };
    Ok(ics_response(ics::calendar(&state.site_name, &[entry]), &format!("event-{id}.ics")))
}
