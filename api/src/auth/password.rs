//! Argon2id password hashing. Each thread that hashes keeps one Argon2
//! working area (19 MiB) and reuses it: allocating it afresh for every
//! hash left the allocator holding hundreds of MiB after a few logins.
//! The server hashes only on its bounded pool, so at most one area per
//! pool thread ever exists.

use std::cell::RefCell;
use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::ApiError;

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 1024;

thread_local! {
    static WORKING_AREA: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs Argon2 in this thread's working area.
fn compute(argon: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), argon2::Error> {
    WORKING_AREA.with(|area| {
        let mut area = area.borrow_mut();
        let needed = argon.params().block_count();
        if area.len() != needed {
            *area = vec![Block::default(); needed];
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut area[..])
    })
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
pub fn hash(password: &str) -> Result<String, ApiError> {
    let failed = |e: String| ApiError::internal(format!("hashing a password: {e}"));
    let salt = SaltString::generate(&mut OsRng);
    let argon = Argon2::default();
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf).map_err(|e| failed(e.to_string()))?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        compute(&argon, password.as_bytes(), salt_bytes, out).map_err(Into::into)
    })
    .map_err(|e| failed(e.to_string()))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| failed(e.to_string()))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches a stored PHC string (compared in constant time).
pub fn verify(password: &str, stored: &str) -> bool {
    let check = || -> Option<bool> {
        let parsed = PasswordHash::new(stored).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = parsed.version.map_or(Some(Version::default()), |v| Version::try_from(v).ok())?;
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        let mut salt_buf = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?;
        let argon = Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        compute(&argon, password.as_bytes(), salt, &mut out).ok()?;
        let actual = Output::new(&out).ok()?;
        Some(actual == expected)
    };
    check().unwrap_or(false)
}

/// Spends the same time as a real check, so a login with an unknown name
/// cannot be told apart by timing.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("not a real password at all").unwrap_or_default());
    let _ = verify(password, stored);
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[test]
    fn hashes_are_standard_phc_strings_and_verify_both_ways() {
        let stored = hash("correct horse battery").unwrap_or_default();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterz", &stored));
        assert!(!verify("x", "not a phc string"));
        // The argon2 crate's own verifier agrees with ours.
        let parsed = PasswordHash::new(&stored).map_err(|e| e.to_string());
        assert_eq!(parsed.map(|p| Argon2::default().verify_password(b"correct horse battery", &p).is_ok()), Ok(true));
    }
}
