//! The OpenAPI 3.1 document, collected from the handlers' `#[utoipa::path]`.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        .split_for_parts();
    api
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
