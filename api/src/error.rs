//! One error type for every handler, rendered as RFC 9457 problem+json.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use quorum_types::{ErrorCode, FieldErrors, Problem};

use crate::db::DbError;

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Option<FieldErrors>,
    /// Logged for 5xx, never sent.
    pub cause: Option<String>,
    /// Seconds for the `Retry-After` header (429 and 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        ApiError { code, detail: detail.into(), errors: None, cause: None, retry_after: None }
    }

    pub fn not_found() -> ApiError {
        ApiError::new(ErrorCode::NotFound, "no such resource")
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(ErrorCode::Unauthorized, "sign in first: send a valid bearer token")
    }

    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Forbidden, detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, detail)
    }

    pub fn internal(cause: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::Internal,
            detail: "the server failed to handle this request".into(),
            errors: None,
            cause: Some(cause.into()),
            retry_after: None,
        }
    }

    /// 503: the database is unreachable; `cause` is logged.
    pub fn unavailable(cause: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::ServiceUnavailable,
            detail: "the database is unavailable; try again shortly".into(),
            errors: None,
            cause: Some(cause.into()),
            retry_after: Some(1),
        }
    }

    /// 503: too much work queued already; nothing was done.
    pub fn busy(what: &str, retry_after: u64) -> ApiError {
        let mut e =
            ApiError::new(ErrorCode::ServiceUnavailable, format!("the server is busy {what}; try again shortly"));
        e.retry_after = Some(retry_after);
        e
    }

    /// 429 with the seconds to wait.
    pub fn too_many(detail: impl Into<String>, retry_after: u64) -> ApiError {
        let mut e = ApiError::new(ErrorCode::TooManyRequests, detail);
        e.retry_after = Some(retry_after.max(1));
        e
    }

    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        ApiError::invalid(errors)
    }

    /// A reference in the body that names nothing the viewer can read is a
    /// validation error on that field; other failures pass through.
    pub fn missing_as_field(self, field: &str, message: &str) -> ApiError {
        if self.code == ErrorCode::NotFound {
            ApiError::field(field, message)
        } else {
            self
        }
    }

    pub fn invalid(errors: FieldErrors) -> ApiError {
        let detail = errors
            .iter()
            .map(|(field, messages)| format!("{field}: {}", messages.join("; ")))
            .collect::<Vec<_>>()
            .join(", ");
        ApiError { code: ErrorCode::ValidationFailed, detail, errors: Some(errors), cause: None, retry_after: None }
    }

    pub fn problem(&self) -> Problem {
        let mut problem = Problem::new(self.code, self.detail.clone());
        problem.errors = self.errors.clone();
        problem
    }
}

/// Collects per-field validation messages, then fails with all of them.
#[derive(Default)]
pub struct Validator {
    errors: FieldErrors,
}

impl Validator {
    pub fn check(&mut self, ok: bool, field: &str, message: impl Into<String>) -> &mut Self {
        if !ok {
            self.errors.entry(field.to_owned()).or_default().push(message.into());
        }
        self
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.entry(field.to_owned()).or_default().push(message.into());
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(self.errors))
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if self.code.status() >= 500 {
            tracing::error!(code = self.code.as_str(), cause = self.cause.as_deref().unwrap_or(""), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if self.code.status() == 401 {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::not_found(),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::new(ErrorCode::Conflict, "it already exists")
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::new(ErrorCode::Conflict, "something it refers to changed meanwhile; try again")
            }
            // PostgreSQL refuses NUL in text; whatever field carried it, it is
            // the client's input, and the transaction wrote nothing.
            Error::DatabaseError(_, info) if info.message().contains("0x00") => {
                ApiError::bad_request("text must not contain NUL characters")
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => ApiError::unavailable(info.message().to_owned()),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        match e {
            DbError::Query(q) => q.into(),
            other => ApiError::unavailable(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> ApiError {
        DbError::Pool(e).into()
    }
}
