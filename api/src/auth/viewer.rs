//! `Viewer` as an actix extractor: no header means anonymous; a bearer
//! token must be valid (else 401) and its account's groups are read now.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};

use crate::db::policy::Viewer;
use crate::db::queries::users;
use crate::error::ApiError;
use crate::startup::AppState;

impl FromRequest for Viewer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Viewer, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req.headers().get(AUTHORIZATION).map(|h| h.to_str().map(str::to_owned));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let builtins = state.builtins;
            let Some(header) = header else {
                return state.db.read(move |conn| users::anonymous(conn, &builtins)).await;
            };
            let header = header.map_err(|_| ApiError::unauthorized())?;
            let token = header
                .split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token)
                .ok_or_else(ApiError::unauthorized)?;
            let (user_id, generation) = state.jwt.verify(token.trim())?;
            state.db.read(move |conn| users::viewer(conn, &builtins, user_id, generation)).await?.ok_or_else(|| {
                ApiError::new(quorum_types::ErrorCode::Unauthorized, "the access token has been revoked")
            })
        })
    }
}
