//! RFC 9457 problem details with a machine-readable `code`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Field name → messages, for validation errors.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Every error the API returns, as a stable machine-readable code.
/// Each code has exactly one HTTP status (see [`ErrorCode::status`]).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body or query string could not be parsed.
    BadRequest,
    /// The pagination cursor is not one this server issued.
    InvalidCursor,
    /// One or more fields are invalid; see `errors`.
    ValidationFailed,
    /// No credentials, or credentials that are invalid or expired.
    Unauthorized,
    /// Login name or password is wrong.
    InvalidCredentials,
    /// The refresh token is unknown, expired, used or revoked.
    InvalidRefreshToken,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// The personal access token lacks the scope this needs.
    InsufficientScope,
    /// The account is suspended; `detail` says why and until when.
    AccountSuspended,
    /// Registration is closed or by invitation on this forum.
    RegistrationClosed,
    /// No such resource, or not one the viewer may read.
    NotFound,
    /// The resource already exists (unique name, slug, e-mail).
    Conflict,
    /// The thread is locked: no new replies.
    ThreadLocked,
    /// A category that still has threads cannot be deleted.
    CategoryNotEmpty,
    /// Members cannot like their own posts.
    CannotLikeOwnPost,
    /// Built-in groups cannot be renamed or deleted.
    BuiltinGroup,
    /// The path exists, but not with this method; see the `Allow` header.
    MethodNotAllowed,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// The request body is not `application/json`.
    UnsupportedMediaType,
    /// Too many attempts; wait as long as the `Retry-After` header says.
    TooManyRequests,
    /// A request with this `Idempotency-Key` is still being handled.
    IdempotencyKeyInUse,
    /// This `Idempotency-Key` was used with a different request.
    IdempotencyKeyReused,
    /// Something failed on the server; the cause is logged.
    Internal,
    /// The database is unreachable, or the server is too busy right now;
    /// retry after the `Retry-After` header's seconds.
    ServiceUnavailable,
}

impl ErrorCode {
    /// Every code, for documentation.
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::BadRequest,
        ErrorCode::InvalidCursor,
        ErrorCode::ValidationFailed,
        ErrorCode::Unauthorized,
        ErrorCode::InvalidCredentials,
        ErrorCode::InvalidRefreshToken,
        ErrorCode::Forbidden,
        ErrorCode::InsufficientScope,
        ErrorCode::AccountSuspended,
        ErrorCode::RegistrationClosed,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::ThreadLocked,
        ErrorCode::CategoryNotEmpty,
        ErrorCode::CannotLikeOwnPost,
        ErrorCode::BuiltinGroup,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::TooManyRequests,
        ErrorCode::IdempotencyKeyInUse,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::Internal,
        ErrorCode::ServiceUnavailable,
    ];

    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest | InvalidCursor => 400,
            Unauthorized | InvalidCredentials | InvalidRefreshToken => 401,
            Forbidden | RegistrationClosed | InsufficientScope | AccountSuspended => 403,
            NotFound => 404,
            MethodNotAllowed => 405,
            Conflict | CategoryNotEmpty | BuiltinGroup | IdempotencyKeyInUse => 409,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            TooManyRequests => 429,
            ValidationFailed | ThreadLocked | CannotLikeOwnPost | IdempotencyKeyReused => 422,
            Internal => 500,
            ServiceUnavailable => 503,
        }
    }

    pub fn title(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "Bad request",
            InvalidCursor => "Invalid cursor",
            ValidationFailed => "Validation failed",
            Unauthorized => "Unauthorized",
            InvalidCredentials => "Invalid credentials",
            InvalidRefreshToken => "Invalid refresh token",
            Forbidden => "Forbidden",
            InsufficientScope => "Insufficient scope",
            AccountSuspended => "Account suspended",
            RegistrationClosed => "Registration closed",
            NotFound => "Not found",
            Conflict => "Conflict",
            ThreadLocked => "Thread locked",
            CategoryNotEmpty => "Category not empty",
            CannotLikeOwnPost => "Cannot like own post",
            BuiltinGroup => "Built-in group",
            MethodNotAllowed => "Method not allowed",
            PayloadTooLarge => "Payload too large",
            UnsupportedMediaType => "Unsupported media type",
            TooManyRequests => "Too many requests",
            IdempotencyKeyInUse => "Idempotency key in use",
            IdempotencyKeyReused => "Idempotency key reused",
            Internal => "Internal server error",
            ServiceUnavailable => "Service unavailable",
        }
    }

    /// The snake_case name, as it appears in `code` and in the `type` URI.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "bad_request",
            InvalidCursor => "invalid_cursor",
            ValidationFailed => "validation_failed",
            Unauthorized => "unauthorized",
            InvalidCredentials => "invalid_credentials",
            InvalidRefreshToken => "invalid_refresh_token",
            Forbidden => "forbidden",
            InsufficientScope => "insufficient_scope",
            AccountSuspended => "account_suspended",
            RegistrationClosed => "registration_closed",
            NotFound => "not_found",
            Conflict => "conflict",
            ThreadLocked => "thread_locked",
            CategoryNotEmpty => "category_not_empty",
            CannotLikeOwnPost => "cannot_like_own_post",
            BuiltinGroup => "builtin_group",
            MethodNotAllowed => "method_not_allowed",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            TooManyRequests => "too_many_requests",
            IdempotencyKeyInUse => "idempotency_key_in_use",
            IdempotencyKeyReused => "idempotency_key_reused",
            Internal => "internal",
            ServiceUnavailable => "service_unavailable",
        }
    }
}

/// An `application/problem+json` body (RFC 9457).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type: `/problems/{code}` relative to the server.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    /// Per-field messages, present for `validation_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<std::collections::HashMap<String, Vec<String>>>))]
    pub errors: Option<FieldErrors>,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Problem {
            type_: format!("/problems/{}", code.as_str()),
            title: code.title().to_owned(),
            status: code.status(),
            detail: detail.into(),
            code,
            errors: None,
        }
    }
}
