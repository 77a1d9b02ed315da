//! Forging access tokens, good and bad, to probe the server's JWT checks.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Map, Value};

/// Claims the server would issue for `user_id` right now (generation 0).
pub fn valid_claims(user_id: i64) -> Map<String, Value> {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "sub": user_id.to_string(),
        "iat": now,
        "exp": now + 15 * 60,
        "iss": "quorum",
        "aud": "quorum-api",
        "gen": 0,
    });
    match claims {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// An HS256 token over `claims`, signed with `secret`.
pub fn sign(claims: &Map<String, Value>, secret: &str) -> String {
    match encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes())) {
        Ok(token) => token,
        Err(e) => panic!("cannot sign a test token: {e}"),
    }
}

/// A token with `"alg": "none"` and an empty signature.
pub fn unsigned(claims: &Map<String, Value>) -> String {
    let header = json!({"alg": "none", "typ": "JWT"});
    format!(
        "{}.{}.",
        base64url(header.to_string().as_bytes()),
        base64url(Value::Object(claims.clone()).to_string().as_bytes())
    )
}

/// Replaces the payload of a signed token, keeping its header and signature.
pub fn with_payload(token: &str, claims: &Map<String, Value>) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {token}");
    let payload = base64url(Value::Object(claims.clone()).to_string().as_bytes());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

/// Flips one character in the middle of the signature (not the last one,
/// whose low bits may be padding that decoders ignore).
pub fn tamper_signature(token: &str) -> String {
    let (head, signature) = token.rsplit_once('.').unwrap_or((token, ""));
    let mut chars: Vec<char> = signature.chars().collect();
    assert!(chars.len() > 4, "token has no signature: {token}");
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    format!("{head}.{}", chars.into_iter().collect::<String>())
}

/// Unpadded base64url (RFC 4648 §5), as JWTs use.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = chunk.len() + 1;
        for k in 0..symbols {
            let index = (n >> (18 - 6 * k)) & 63;
            out.push(ALPHABET[index as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64url;

    #[test]
    fn base64url_matches_rfc4648() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foob"), "Zm9vYg");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
