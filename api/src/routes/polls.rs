//! A thread's date poll: propose slots, answer them, see who answered what,
//! and turn the chosen slot into the thread's event.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use quorum_types::{
    ChooseSlotRequest, DatePoll, DatePollRequest, Meeting, Page, PageQuery, PollAnswersRequest, PollVoter, Problem,
};

use crate::auth::Session;
use crate::calendar;
use crate::db::queries::{polls, PageRequest};
use crate::error::ApiError;

/// The thread's date poll: each slot in its organiser's zone and in UTC,
/// with counts and the viewer's own answers.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "The poll", body = DatePoll),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or no poll", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads/{id}/poll")]
pub async fn get_poll(session: Session, id: web::Path<i64>) -> Result<web::Json<DatePoll>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(session.read(move |conn, viewer| polls::get(conn, viewer, id)).await?))
}

/// Propose the slots of the thread's date poll (its author or a moderator),
/// each as wall times in an IANA zone. Other slots than before replace them
/// and clear the answers given so far.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = DatePollRequest,
    responses(
        (status = 200, description = "Replaced (or unchanged)", body = DatePoll),
        (status = 201, description = "Proposed", body = DatePoll),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the thread's author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid slots (`slots[i].timezone` and so on), as for events", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/threads/{id}/poll")]
pub async fn put_poll(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<DatePollRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let spans = calendar::slots(&body.into_inner())?;
    let (poll, created) = session.write(move |conn, viewer| polls::put(conn, viewer, id, &spans)).await?;
    Ok(if created {
        HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/threads/{id}/poll"))).json(poll)
    } else {
        HttpResponse::Ok().json(poll)
    })
}

/// Answer yes, if need be or no for some or all slots (anyone who can read
/// the thread); slots not named keep their answer.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = PollAnswersRequest,
    responses(
        (status = 200, description = "The poll, with the new counts", body = DatePoll),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or no poll", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A slot not of this poll, or no answer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/threads/{id}/poll/answers")]
pub async fn answer_poll(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<PollAnswersRequest>,
) -> Result<web::Json<DatePoll>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let answers = body.into_inner().answers;
    Ok(web::Json(session.write(move |conn, viewer| polls::answer(conn, viewer, id, &answers)).await?))
}

/// Who answered what (only for those who can read the thread).
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id"), PageQuery),
    responses(
        (status = 200, description = "Each member's answers", body = Page<PollVoter>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or no poll", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads/{id}/poll/answers")]
pub async fn list_poll_answers(
    session: Session,
    id: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<PollVoter>>, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = session.read(move |conn, viewer| polls::voters(conn, viewer, id, &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Turn a slot into the thread's event in one step (organiser or
/// moderator): scheduled, or the existing event changed (attendees told).
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = ChooseSlotRequest,
    responses(
        (status = 200, description = "The thread's event, changed", body = Meeting),
        (status = 201, description = "The thread's event, scheduled", body = Meeting),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the thread's author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, not readable, or no poll", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a slot of this poll, or invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/threads/{id}/poll/choose")]
pub async fn choose_slot(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<ChooseSlotRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let req = body.into_inner();
    let (meeting, created) = session
        .write(move |conn, viewer| {
            polls::choose(conn, viewer, id, req.slot_id, |span| {
                calendar::with_details(
                    span,
                    &req.title,
                    req.place.as_deref(),
                    req.link.as_deref(),
                    req.description.as_deref(),
                )
            })
        })
        .await?;
    Ok(if created {
        HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/threads/{id}/event"))).json(meeting)
    } else {
        HttpResponse::Ok().json(meeting)
    })
}
