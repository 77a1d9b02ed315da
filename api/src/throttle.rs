//! Limits on guessing: passwords (per account and per client address), the
//! setup token and sign-ups (per client address); and on password-reset
//! mails (per login as typed and per client address). Counters live in the
//! database (`db::queries::throttles`), so every instance on one database
//! agrees; a refusal is a 429 with `Retry-After`, and it reads the same
//! whether or not the account exists.

use std::net::IpAddr;

use actix_web::HttpRequest;
use chrono::Duration;
use sha2::{Digest, Sha256};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;

use crate::db::queries::now;
use crate::db::queries::throttles::{self, Limit};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::metrics::RuleLabels;

/// Counters idle this long start again from zero.
const FORGET_AFTER_HOURS: i64 = 1;

/// What an attempt is, and whose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Signing in to one account (or one unknown name): wrong passwords.
    LoginAccount,
    /// Signing in from one client address: wrong passwords, any account.
    LoginAddress,
    /// Creating accounts from one client address.
    RegisterAddress,
    /// Wrong setup tokens from one client address.
    SetupAddress,
    /// Wrong current passwords when changing the password of one account.
    PasswordAccount,
    /// Password-reset mails asked for one login as typed (never the
    /// account it names, so the limit cannot tell a username from an
    /// e-mail address of the same account).
    ResetLogin,
    /// Password-reset requests, and reset links that do not work, from one
    /// client address.
    ResetAddress,
}

impl Rule {
    fn name(self) -> &'static str {
        match self {
            Rule::LoginAccount => "login-account",
            Rule::LoginAddress => "login-address",
            Rule::RegisterAddress => "register-address",
            Rule::SetupAddress => "setup-address",
            Rule::PasswordAccount => "password-account",
            Rule::ResetLogin => "reset-login",
            Rule::ResetAddress => "reset-address",
        }
    }
}

/// The operator's settings (`QUORUM_THROTTLE_*`); 0 turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Wrong passwords per account before waits start.
    pub account_failures: u32,
    /// Wrong passwords (or setup tokens) per client address before waits start.
    pub address_failures: u32,
    /// Accounts created per client address before waits start.
    pub registrations: u32,
    /// The longest wait, in seconds.
    pub max_block_seconds: i64,
}

impl Default for ThrottleSettings {
    fn default() -> ThrottleSettings {
        ThrottleSettings { account_failures: 5, address_failures: 20, registrations: 10, max_block_seconds: 15 * 60 }
    }
}

impl ThrottleSettings {
    /// No limits at all (benchmarks, and tests that are not about limits).
    pub fn off() -> ThrottleSettings {
        ThrottleSettings { account_failures: 0, address_failures: 0, registrations: 0, max_block_seconds: 0 }
    }
}

#[derive(Debug, Clone)]
pub struct Throttle {
    settings: ThrottleSettings,
    /// Refused attempts by rule, for `/metrics`.
    pub refused: Family<RuleLabels, Counter>,
}

impl Throttle {
    pub fn new(settings: ThrottleSettings) -> Throttle {
        Throttle { settings, refused: Family::default() }
    }

    fn limit(&self, rule: Rule) -> Limit {
        let s = &self.settings;
        let (free, first_block_seconds) = match rule {
            Rule::LoginAccount | Rule::PasswordAccount | Rule::ResetLogin => (s.account_failures, 30),
            Rule::LoginAddress | Rule::SetupAddress | Rule::ResetAddress => (s.address_failures, 60),
            Rule::RegisterAddress => (s.registrations, 60),
        };
        let max_block = Duration::seconds(s.max_block_seconds.max(1));
        Limit {
            free,
            first_block: Duration::seconds(first_block_seconds).min(max_block),
            max_block,
            forget_after: Duration::hours(FORGET_AFTER_HOURS).max(max_block * 2),
        }
    }

    /// Counts one attempt under each (rule, subject). When any of them must
    /// wait, 429 with the longest wait; run it in a write transaction, so
    /// that refusal also takes back the attempts counted before it.
    pub fn attempt(&self, conn: &mut AnyConnection, attempts: &[(Rule, &str)]) -> Result<(), ApiError> {
        let at = now();
        let mut wait = 0;
        for (rule, subject) in attempts {
            if let Err(seconds) = throttles::attempt(conn, &key(*rule, subject), &self.limit(*rule), at)? {
                self.refused.get_or_create(&RuleLabels { rule: rule.name().to_owned() }).inc();
                wait = wait.max(seconds);
            }
        }
        if wait > 0 {
            return Err(ApiError::too_many(format!("too many attempts; try again in {wait} seconds"), wait));
        }
        // Now and then, drop counters long idle, so the table stays small.
        if rand::random::<u8>() == 0 {
            throttles::forget_idle(conn, at - Duration::hours(FORGET_AFTER_HOURS) * 2, at)?;
        }
        Ok(())
    }

    /// The attempt succeeded: the account's counter starts again, and the
    /// address gets its attempt back.
    pub fn succeeded(&self, conn: &mut AnyConnection, attempts: &[(Rule, &str)]) -> Result<(), ApiError> {
        for (rule, subject) in attempts {
            match rule {
                Rule::LoginAccount | Rule::PasswordAccount => throttles::clear(conn, &key(*rule, subject))?,
                Rule::LoginAddress | Rule::SetupAddress | Rule::ResetAddress => {
                    throttles::refund(conn, &key(*rule, subject))?
                }
                // Every account made, and every reset mail asked for, counts, however it went.
                Rule::RegisterAddress | Rule::ResetLogin => {}
            }
        }
        Ok(())
    }
}

/// The stored key: typed logins and addresses are not kept in clear.
fn key(rule: Rule, subject: &str) -> String {
    let digest = Sha256::digest(format!("{}:{subject}", rule.name()).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The subject of an account rule: the account when the name is known,
/// else the name as typed (normalised), so unknown names are limited the
/// same way and the limit says nothing about whether the account exists.
pub fn account_subject(user_id: Option<i64>, login: &str) -> String {
    match user_id {
        Some(id) => format!("user:{id}"),
        None => format!("name:{}", login.trim().to_lowercase()),
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the nearest address in `X-Forwarded-For` that is not a trusted proxy.
/// IPv6 clients are counted per /64, which one household or host gets.
pub fn client_address(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let mut client = peer;
    if peer.is_some_and(|p| trusted_proxies.contains(&p)) {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|part| part.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        if let Some(ip) = forwarded.iter().rev().find(|ip| !trusted_proxies.contains(ip)) {
            client = Some(*ip);
        }
    }
    match client {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let req = TestRequest::default()
            .peer_addr("10.0.0.1:4000".parse().unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0))))
            .insert_header(("x-forwarded-for", "198.51.100.7, 203.0.113.9"))
            .to_http_request();
        assert_eq!(client_address(&req, &[proxy]), "203.0.113.9");
        assert_eq!(client_address(&req, &[]), "10.0.0.1");
        let v6 = TestRequest::default()
            .peer_addr(
                "[2001:db8:1:2:3:4:5:6]:80".parse().unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0))),
            )
            .to_http_request();
        assert_eq!(client_address(&v6, &[]), "2001:db8:1:2::/64");
    }

    #[test]
    fn keys_differ_by_rule_and_hide_the_subject() {
        let a = key(Rule::LoginAccount, "name:ada");
        assert_ne!(a, key(Rule::LoginAddress, "name:ada"));
        assert!(!a.contains("ada"));
        assert_eq!(account_subject(None, "  Ada@Example.org "), "name:ada@example.org");
        assert_eq!(account_subject(Some(4), "ada"), "user:4");
    }
}
