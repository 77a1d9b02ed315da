//! `Session`: the actix extractor for who is asking. It only reads the
//! bearer credential (none: anonymous; a malformed or badly signed one:
//! 401). The `Viewer` (current groups, readable audiences, suspension, a
//! token's scopes) is resolved on the connection that serves the request,
//! in the same blocking task as the handler's queries, so each request
//! costs one pool checkout and one thread hop.

use std::future::{ready, Ready};

use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use quorum_types::ErrorCode;

use crate::db::policy::{Credential, Scope, Viewer};
use crate::db::queries::{access_tokens, users};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::throttle::client_address;

/// The credential a request carries, checked as far as it can be without
/// the database.
#[derive(Clone, Debug)]
enum Presented {
    /// A JWT from a sign-in: account id and token generation.
    Session { user_id: i64, generation: i64 },
    /// A personal access token's secret.
    AccessToken(String),
}

#[derive(Clone)]
pub struct Session {
    state: web::Data<AppState>,
    presented: Option<Presented>,
    address: String,
}

impl Session {
    /// 401 early for anonymous requests to endpoints that need an account.
    pub fn require_signed_in(&self) -> Result<(), ApiError> {
        self.presented.as_ref().map(|_| ()).ok_or_else(ApiError::unauthorized)
    }

    /// The client's address (behind trusted proxies, the forwarded one).
    pub fn address(&self) -> &str {
        &self.address
    }

    fn viewer(&self, conn: &mut AnyConnection) -> Result<Viewer, ApiError> {
        let builtins = self.state.builtins;
        let address = Some(self.address.clone());
        match &self.presented {
            None => users::anonymous(conn, &builtins, address),
            Some(Presented::Session { user_id, generation }) => {
                users::viewer(conn, &builtins, *user_id, Some(*generation), Credential::Session, address)
            }
            Some(Presented::AccessToken(secret)) => {
                let token = access_tokens::authenticate(conn, secret)?.ok_or_else(|| {
                    ApiError::new(ErrorCode::Unauthorized, "the access token is invalid, expired or revoked")
                })?;
                if token.stale {
                    self.touch_later(token.id);
                }
                let credential = Credential::AccessToken { id: token.id, scopes: token.scopes };
                users::viewer(conn, &builtins, token.user_id, None, credential, address)
            }
        }
    }

    /// Records a token's use in a write of its own, beside the request, so
    /// a script's reads never wait for the write lock. (This runs on a
    /// blocking thread, which may start another.)
    fn touch_later(&self, token_id: i64) {
        let db = self.state.db.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        runtime.spawn_blocking(move || {
            if let Err(e) = db.write_blocking(move |conn| access_tokens::touch(conn, token_id)) {
                tracing::warn!(error = %e, "cannot record the use of an access token");
            }
        });
    }

    /// `f`, preceded by resolving the viewer on the same connection;
    /// `needs` is the scope the credential must carry.
    fn with_viewer<T>(
        &self,
        needs: Option<Scope>,
        f: impl FnOnce(&mut AnyConnection, &Viewer) -> Result<T, ApiError> + Send + 'static,
    ) -> impl FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static {
        let session = self.clone();
        move |conn| {
            let viewer = session.viewer(conn)?;
            match needs {
                Some(scope) => viewer.require_scope(scope)?,
                // Writes: what a token may do is decided action by action
                // (`policy::actions`); a token that can only read writes nothing.
                None => {
                    if ![Scope::Write, Scope::Moderate, Scope::Admin].iter().any(|s| viewer.has_scope(*s)) {
                        viewer.require_scope(Scope::Write)?;
                    }
                }
            }
            f(conn, &viewer)
        }
    }

    /// Resolves the viewer, then runs `f`, on one pooled connection. A
    /// personal access token needs the `read` scope.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &Viewer) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.state.db.read(self.with_viewer(Some(Scope::Read), f)).await
    }

    /// Like [`Session::write`]'s check of the credential, on a read
    /// connection: for refusing a write before slow work (storing a file)
    /// without taking the write lock.
    pub async fn check<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &Viewer) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.state.db.read(self.with_viewer(None, f)).await
    }

    /// Resolves the viewer and runs `f` in one write transaction.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &Viewer) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.state.db.write(self.with_viewer(None, f)).await
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
    let address = client_address(req, &state.trusted_proxies);
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(Session { state, presented: None, address });
    };
    let header = header.to_str().map_err(|_| ApiError::unauthorized())?;
    let bearer = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(ApiError::unauthorized)?;
    let presented = if access_tokens::is_access_token(bearer) {
        Presented::AccessToken(bearer.to_owned())
    } else {
        let (user_id, generation) = state.jwt.verify(bearer)?;
        Presented::Session { user_id, generation }
    };
    Ok(Session { state, presented: Some(presented), address })
}

impl Session {
    /// For reading an upload: the bearer credential as usual; without one,
    /// the `quorum_media` cookie the browser sends to `/api/v1/uploads`
    /// (its token reads uploads only). A cookie that is missing, expired
    /// or badly signed counts as nobody signed in. The second value says
    /// whether the account came from the cookie.
    pub fn for_upload(req: &HttpRequest) -> Result<(Session, bool), ApiError> {
        let session = extract(req)?;
        if session.presented.is_some() || req.headers().contains_key(AUTHORIZATION) {
            return Ok((session, false));
        }
        let presented = req
            .cookie(crate::routes::auth::MEDIA_COOKIE)
            .and_then(|cookie| session.state.jwt.verify_media(cookie.value()))
            .map(|(user_id, generation)| Presented::Session { user_id, generation });
        let from_cookie = presented.is_some();
        Ok((Session { presented, ..session }, from_cookie))
    }

    /// The same request as nobody signed in.
    pub fn as_anonymous(&self) -> Session {
        Session { presented: None, ..self.clone() }
    }
}

/// The account a request's bearer credential names, if it is valid (for
/// keying per account before the handler runs); `None` for anonymous
/// requests and bad credentials, which the handler then refuses.
pub async fn presented_account(req: &HttpRequest, state: &web::Data<AppState>) -> Result<Option<i64>, ApiError> {
    let Ok(session) = extract(req) else { return Ok(None) };
    match session.presented {
        None => Ok(None),
        Some(Presented::Session { user_id, .. }) => Ok(Some(user_id)),
        Some(Presented::AccessToken(secret)) => {
            Ok(state.db.read(move |conn| access_tokens::authenticate(conn, &secret)).await?.map(|t| t.user_id))
        }
    }
}
