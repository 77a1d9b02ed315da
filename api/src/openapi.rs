//! The OpenAPI 3.1 document, collected from the handlers' `#[utoipa::path]`.

use actix_web::App;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Ref, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::openapi::Required;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quorum API",
        description = "Discussion forum for networks of co-operatives. Errors are RFC 9457 \
                       `application/problem+json` with a machine-readable `code`; lists are keyset-paginated \
                       (`items`, `next_cursor`). Content a viewer may not read does not exist for them: 404.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "site", description = "The forum, and the first-run setup of its first admin"),
        (name = "auth", description = "Accounts and tokens"),
        (name = "me", description = "The signed-in account"),
        (name = "users", description = "Public profiles"),
        (name = "groups", description = "Groups and membership (admins)"),
        (name = "categories", description = "Categories and their audiences"),
        (name = "threads", description = "Threads"),
        (name = "posts", description = "Posts and revisions"),
        (name = "likes", description = "Likes"),
        (name = "uploads", description = "Files put in posts, read by whoever may read the post"),
        (name = "search", description = "Full-text search over what the viewer may read"),
        (name = "tokens", description = "Personal access tokens for scripts"),
        (name = "notifications", description = "Notifications, watching, read tracking, live updates and e-mail"),
        (name = "events", description = "A thread's event, answers to it, upcoming events and calendar feeds"),
        (name = "moderation", description = "Flags, the review queue, hiding and restoring"),
        (name = "admin", description = "Settings, people, invitations and the audit log (admins)"),
        (name = "operations", description = "Health and this document"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        // Set with the refresh cookie when signing in with `refresh_cookie`;
        // sent by browsers to `/api/v1/uploads` only, and reads uploads only.
        components.add_security_scheme(
            "media_cookie",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "quorum_media",
                    "Set beside the `quorum_refresh` cookie; lets a browser's `<img src>` read uploads",
                ),
            )),
        );
    }
}

/// The document for the routes `startup` serves.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
        .service(routes::health::healthz)
        .service(routes::health::readyz)
        .service(routes::health::openapi_json)
        .service(crate::metrics::metrics)
        .split_for_parts();
    let mut api = api;
    add_common_responses(&mut api);
    name_error_codes(&mut api);
    api
}

/// Error answers that any operation of a kind can give, added where its own
/// annotation does not name them, so the document lists every status a
/// client can meet: 503 anywhere (database away, or too busy: see
/// `Retry-After`); 400, 413, 415 and 422 wherever a JSON body is taken; 401
/// wherever a bearer token is read; 400 for a query string that does not parse.
fn add_common_responses(api: &mut utoipa::openapi::OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let in_api = path.starts_with("/api/v1/");
        let operations = [
            (false, &mut item.get),
            (true, &mut item.post),
            (false, &mut item.put),
            (false, &mut item.patch),
            (false, &mut item.delete),
        ];
        for (is_post, operation) in operations.into_iter().filter_map(|(p, o)| o.as_mut().map(|o| (p, o))) {
            let mut add = |status: &str, description: &str, retry: bool| {
                operation.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description, retry));
            };
            if in_api {
                add(
                    "503",
                    "The database is unavailable, or the server is too busy; retry after `Retry-After` seconds",
                    true,
                );
            }
            if operation.request_body.is_some() {
                add("400", "The body is not JSON, or not an object of the expected shape", false);
                add("413", "The body is larger than 1 MiB", false);
                add("415", "The body is not `application/json`", false);
                add("422", "Invalid fields; see `errors`", false);
            }
            let bearer = operation
                .security
                .as_ref()
                .and_then(|s| serde_json::to_string(s).ok())
                .is_some_and(|json| json.contains("bearer"));
            if bearer {
                add("401", "The bearer token is invalid, expired or revoked", false);
                add("403", "The account is suspended, or the access token lacks a scope this needs", false);
            }
            let query = operation
                .parameters
                .as_ref()
                .is_some_and(|params| params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query)));
            if query {
                add("400", "The query string does not parse, or a value is out of range", false);
            }
            if in_api && is_post && bearer {
                add("400", "The `Idempotency-Key` header is not 1-255 visible ASCII characters", false);
                add("409", "A request with this `Idempotency-Key` is still running (`idempotency_key_in_use`)", true);
                add("422", "Invalid fields, or this `Idempotency-Key` was used with another request", false);
                let params = operation.parameters.get_or_insert_with(Vec::new);
                params.push(
                    ParameterBuilder::new()
                        .name("Idempotency-Key")
                        .parameter_in(ParameterIn::Header)
                        .required(Required::False)
                        .description(Some(
                            "Any unique string (1-255 visible characters): sent again within 24 hours by the \
                             same account, the first answer is replayed instead of acting twice",
                        ))
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .min_length(Some(1))
                                .max_length(Some(255))
                                .pattern(Some("^[!-~]+$")),
                        ))
                        .build(),
                );
            }
        }
    }
}

/// Names the machine-readable codes a problem answer of each status may
/// carry, in every problem response's description.
fn name_error_codes(api: &mut utoipa::openapi::OpenApi) {
    for item in api.paths.paths.values_mut() {
        for operation in
            [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else { continue };
                let is_problem = response.content.contains_key("application/problem+json");
                let Ok(status) = status.parse::<u16>() else { continue };
                if !is_problem || response.description.contains("`code`:") {
                    continue;
                }
                let codes: Vec<String> = quorum_types::ErrorCode::ALL
                    .iter()
                    .filter(|c| c.status() == status)
                    .map(|c| format!("`{}`", c.as_str()))
                    .collect();
                if !codes.is_empty() {
                    response.description = format!("{} (`code`: {})", response.description, codes.join(", "));
                }
            }
        }
    }
}

fn problem(description: &str, retry_after: bool) -> RefOr<Response> {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/problem+json",
        ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
    );
    if retry_after {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("Seconds to wait before trying again"))
                .build(),
        );
    }
    RefOr::T(response.build())
}

/// Pretty JSON ending in a newline: what `quorum openapi` prints and
/// `openapi/openapi.json` holds.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

/// The rendered document, shared with the handler that serves it.
pub struct Document(pub String);
