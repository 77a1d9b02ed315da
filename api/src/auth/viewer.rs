//! `Session`: the actix extractor for who is asking. It only checks the
//! bearer token (no header: anonymous; a bad token: 401). The `Viewer`
//! (current groups, readable audiences) is resolved on the connection that
//! serves the request, in the same blocking task as the handler's queries,
//! so each request costs one pool checkout and one thread hop.

use std::future::{ready, Ready};

use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use quorum_types::ErrorCode;

use crate::db::policy::Viewer;
use crate::db::queries::users;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::startup::AppState;

#[derive(Clone)]
pub struct Session {
    state: web::Data<AppState>,
    /// Account id and token generation from a valid token.
    token: Option<(i64, i64)>,
}

impl Session {
    /// 401 early for anonymous requests to endpoints that need an account.
    pub fn require_signed_in(&self) -> Result<(), ApiError> {
        self.token.map(|_| ()).ok_or_else(ApiError::unauthorized)
    }

    fn viewer(&self, conn: &mut AnyConnection) -> Result<Viewer, ApiError> {
        let builtins = self.state.builtins;
        match self.token {
            None => users::anonymous(conn, &builtins),
            Some((user_id, generation)) => users::viewer(conn, &builtins, user_id, generation)?
                .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "the access token has been revoked")),
        }
    }

    /// `f`, preceded by resolving the viewer on the same connection.
    fn with_viewer<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &Viewer) -> Result<T, ApiError> + Send + 'static,
    ) -> impl FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static {
        let session = self.clone();
        move |conn| {
            let viewer = session.viewer(conn)?;
            f(conn, &viewer)
        }
    }

    /// Resolves the viewer, then runs `f`, on one pooled connection.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &Viewer) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.state.db.read(self.with_viewer(f)).await
    }

    /// Resolves the viewer and runs `f` in one write transaction.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &Viewer) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.state.db.write(self.with_viewer(f)).await
    }
}

impl FromRequest for Session {
    type Error = ApiError;
    type Future = Ready<Result<Session, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(extract(req))
    }
}

fn extract(req: &HttpRequest) -> Result<Session, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(Session { state, token: None });
    };
    let header = header.to_str().map_err(|_| ApiError::unauthorized())?;
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token)
        .ok_or_else(ApiError::unauthorized)?;
    let token = state.jwt.verify(token.trim())?;
    Ok(Session { state, token: Some(token) })
}
