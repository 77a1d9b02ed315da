//! Short-lived HS256 access tokens. Group membership is deliberately not in
//! the token: it is read per request, so removals apply at once.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub const ISSUER: &str = "quorum";
pub const AUDIENCE: &str = "quorum-api";
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
pub const MIN_SECRET_BYTES: usize = 32;
/// The audience of the tokens in the `quorum_media` cookie: they read
/// uploads (an `<img src>` sends no bearer header) and nothing else.
pub const MEDIA_AUDIENCE: &str = "quorum-media";
/// How long a media cookie's token lives; every refresh sets a new one,
/// and logout or a password change (a new token generation) ends it.
pub const MEDIA_TOKEN_SECONDS: i64 = 12 * 3600;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The account's token generation; bumped by logout and password change.
    pub r#gen: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    media_validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Result<JwtKeys, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!("the JWT secret must be at least {MIN_SECRET_BYTES} bytes"));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.set_issuer(&[ISSUER]);
        let mut media_validation = validation.clone();
        validation.set_audience(&[AUDIENCE]);
        media_validation.set_audience(&[MEDIA_AUDIENCE]);
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            media_validation,
        })
    }

    pub fn issue(&self, user_id: i64, generation: i64) -> Result<String, ApiError> {
        self.sign(user_id, generation, AUDIENCE, ACCESS_TOKEN_SECONDS)
    }

    /// A token for the `quorum_media` cookie, which reads uploads only.
    pub fn issue_media(&self, user_id: i64, generation: i64) -> Result<String, ApiError> {
        self.sign(user_id, generation, MEDIA_AUDIENCE, MEDIA_TOKEN_SECONDS)
    }

    /// The account id and token generation of a valid media token.
    pub fn verify_media(&self, token: &str) -> Option<(i64, i64)> {
        let data = decode::<Claims>(token, &self.decoding, &self.media_validation).ok()?;
        Some((data.claims.sub.parse().ok()?, data.claims.r#gen))
    }

    fn sign(&self, user_id: i64, generation: i64, audience: &str, seconds: i64) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + seconds,
            iss: ISSUER.into(),
            aud: audience.into(),
            r#gen: generation,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("signing a token: {e}")))
    }

    /// The account id and token generation of a valid token; 401 otherwise.
    pub fn verify(&self, token: &str) -> Result<(i64, i64), ApiError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            tracing::debug!(error = %e, "rejected access token");
            ApiError::new(quorum_types::ErrorCode::Unauthorized, "the access token is invalid or expired")
        })?;
        let user_id = data.claims.sub.parse().map_err(|_| ApiError::unauthorized())?;
        Ok((user_id, data.claims.r#gen))
    }
}
