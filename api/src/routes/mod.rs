//! The one place that maps paths to handlers. Handlers are thin: parse,
//! call `db::queries` with the `Viewer`, shape the response.

pub mod admin;
pub mod auth;
pub mod calendar;
pub mod categories;
pub mod groups;
pub mod health;
pub mod invites;
pub mod me;
pub mod meetings;
pub mod member_data;
pub mod moderation;
pub mod notifications;
pub mod polls;
pub mod posts;
pub mod preview;
pub mod search;
pub mod site;
pub mod stream;
pub mod threads;
pub mod tokens;
pub mod uploads;
pub mod users;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest, HttpResponse};
use quorum_types::ErrorCode;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::startup::AppState;

/// Everything under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(site::get_site)
        .service(site::setup)
        .service(auth::register)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::request_password_reset)
        .service(auth::confirm_password_reset)
        .service(me::get_me)
        .service(me::update_me)
        .service(member_data::export_me)
        .service(member_data::delete_me)
        .service(users::get_user)
        .service(users::user_posts)
        .service(groups::list_groups)
        .service(groups::create_group)
        .service(groups::get_group)
        .service(groups::update_group)
        .service(groups::delete_group)
        .service(groups::list_members)
        .service(groups::add_member)
        .service(groups::remove_member)
        .service(categories::list_categories)
        .service(categories::create_category)
        .service(categories::get_category)
        .service(categories::update_category)
        .service(categories::delete_category)
        .service(threads::list_threads)
        .service(threads::create_thread)
        .service(threads::get_thread)
        .service(threads::list_participants)
        .service(threads::update_thread)
        .service(threads::delete_thread)
        .service(posts::list_posts)
        .service(posts::create_post)
        .service(posts::get_post)
        .service(posts::update_post)
        .service(posts::delete_post)
        .service(posts::list_revisions)
        .service(posts::like_post)
        .service(posts::unlike_post)
        .service(posts::list_likes)
        .service(preview::preview)
        .service(search::search_posts)
        .service(groups::set_members)
        .service(tokens::list_my_tokens)
        .service(tokens::create_token)
        .service(tokens::revoke_my_token)
        .service(tokens::list_all_tokens)
        .service(tokens::revoke_any_token)
        .service(admin::get_settings)
        .service(admin::update_settings)
        .service(admin::list_users)
        .service(admin::suspend_user)
        .service(admin::unsuspend_user)
        .service(admin::audit_log)
        .service(invites::create_invite)
        .service(invites::list_invites)
        .service(invites::revoke_invite)
        .service(moderation::flag_post)
        .service(moderation::list_flags)
        .service(moderation::resolve_flag)
        .service(moderation::hide_post)
        .service(moderation::unhide_post)
        .service(moderation::restore_post)
        .service(moderation::restore_thread)
        .service(moderation::list_deleted)
        .service(notifications::list_notifications)
        .service(notifications::unread_count)
        .service(notifications::mark_read)
        .service(notifications::watch_thread)
        .service(notifications::watch_category)
        .service(notifications::read_thread)
        .service(notifications::read_category)
        .service(notifications::unsubscribe_page)
        .service(notifications::unsubscribe_one_click)
        .service(stream::live)
        .service(meetings::get_event)
        .service(meetings::put_event)
        .service(meetings::cancel_event)
        .service(meetings::rsvp)
        .service(meetings::list_attendees)
        .service(meetings::event_ics)
        .service(meetings::list_events)
        .service(calendar::create_calendar_token)
        .service(calendar::revoke_calendar_token)
        .service(calendar::calendar_feed)
        .service(polls::get_poll)
        .service(polls::put_poll)
        .service(polls::answer_poll)
        .service(polls::list_poll_answers)
        .service(polls::choose_slot)
        .service(uploads::create_upload)
        .service(uploads::get_upload);
}

/// JSON bodies: at most 1 MiB; every parse failure is problem+json.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(1 << 20).error_handler(|err, _req| json_error(err).into())
}

/// A JSON request body that must be an object. `web::Json<T>` lets serde
/// read a struct from an array as well (`[null, null]` for two optional
/// fields), which the OpenAPI document says is refused; every handler takes
/// its body through this instead. Limits and errors are those of
/// `json_config`: anything but an object is a 422 on `body`.
pub struct JsonObject<T>(pub T);

impl<T> JsonObject<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonObject<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

type ObjectResult<T> = Result<web::Json<Object<T>>, actix_web::Error>;

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::Map<
        <web::Json<Object<T>> as actix_web::FromRequest>::Future,
        fn(ObjectResult<T>) -> Result<JsonObject<T>, actix_web::Error>,
    >;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        use futures_util::FutureExt;
        let unwrap: fn(ObjectResult<T>) -> Result<JsonObject<T>, actix_web::Error> =
            |parsed| parsed.map(|json| JsonObject(json.into_inner().0));
        web::Json::<Object<T>>::from_request(req, payload).map(unwrap)
    }
}

/// `T` read only from a JSON object: the map is handed to `T`'s own
/// deserializer, so its field errors (missing, unknown, wrong type) stay.
pub struct Object<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData)).map(Object)
    }
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, "the JSON body must be at most 1 MiB")
        }
        JsonPayloadError::ContentType => {
            ApiError::new(ErrorCode::UnsupportedMediaType, "send the body as application/json")
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            let message = e.to_string();
            // serde names the field between backticks for missing and
            // unknown fields; other data errors quote values there.
            let field = if message.starts_with("missing field") || message.starts_with("unknown field") {
                message.split('`').nth(1).unwrap_or("body")
            } else {
                "body"
            };
            ApiError::field(field, message.clone())
        }
        JsonPayloadError::Deserialize(e) => ApiError::bad_request(format!("malformed JSON: {e}")),
        other => ApiError::bad_request(format!("unreadable body: {other}")),
    }
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::bad_request(format!("invalid query string: {err}")).into()
    })
}

/// A path that does not parse (`/threads/abc`) names nothing: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, _req| ApiError::not_found().into())
}

/// Path templates and their methods, read from the OpenAPI document, so an
/// existing path with the wrong method is a 405 with `Allow`, not a 404.
pub struct RouteTable(Vec<(Vec<Option<String>>, Vec<&'static str>)>);

impl RouteTable {
    pub fn from_document(doc: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments =
                    template.split('/').map(|part| (!part.starts_with('{')).then(|| part.to_owned())).collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (segments, methods)
            })
            .collect();
        RouteTable(routes)
    }

    fn allowed(&self, path: &str) -> Option<&[&'static str]> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0.iter().find_map(|(segments, methods)| {
            let matches = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| s.as_deref().is_none_or(|s| s == *p));
            matches.then_some(methods.as_slice())
        })
    }
}

/// What no route took: the web app's files and client routes when it is
/// served, else 405 for a known path with the wrong method, else 404.
pub async fn not_found(req: HttpRequest, state: web::Data<AppState>, routes: web::Data<RouteTable>) -> HttpResponse {
    use actix_web::ResponseError;
    if let Some(response) = state.spa.as_ref().and_then(|spa| spa.serve(&req)) {
        return response;
    }
    match routes.allowed(req.path()) {
        Some(methods) => {
            let mut response = ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!("{} is not allowed here; use {}", req.method(), methods.join(", ")),
            )
            .error_response();
            if let Ok(allow) = actix_web::http::header::HeaderValue::from_str(&methods.join(", ")) {
                response.headers_mut().insert(actix_web::http::header::ALLOW, allow);
            }
            response
        }
        None => ApiError::not_found().error_response(),
    }
}

/// `%00` in a path or query string can only be an attack or a mistake.
pub async fn reject_nul(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let uri = req.uri().to_string();
    if uri.contains("%00") || uri.contains('\0') {
        return Err(ApiError::bad_request("the URL must not contain NUL characters").into());
    }
    next.call(req).await
}
