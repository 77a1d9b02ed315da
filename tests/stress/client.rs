//! The drivers' HTTP client: awc on the current actix system, every request
//! timed and bounded by a deadline, every answer read whole so it can be
//! checked.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use awc::error::SendRequestError;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub struct Client {
    http: awc::Client,
    base: String,
    timeout: Duration,
}

/// What came back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// `Content-Type: application/problem+json`.
    pub problem: bool,
    pub body: Vec<u8>,
}

/// Why nothing came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the deadline.
    Timeout,
    /// Refused, reset or cut off.
    Transport(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout => f.write_str("no answer within the deadline"),
            Failure::Transport(why) => write!(f, "no answer: {why}"),
        }
    }
}

/// One request and how long it took.
#[derive(Debug)]
pub struct Exchange {
    pub started: Instant,
    pub took: Duration,
    pub result: Result<Answer, Failure>,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let text = String::from_utf8_lossy(&self.body);
            let shown: String = text.chars().take(200).collect();
            format!("body is not a {}: {e}: {shown}", std::any::type_name::<T>())
        })
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("")
    }
}

impl Client {
    /// `connections` bounds the open connections; `timeout` each request,
    /// from sending to the last byte of the body.
    pub fn new(base: &str, connections: usize, timeout: Duration) -> Client {
        // The server closes idle connections after 5 s: reusing one it is
        // closing would fail a request for the client's sake, not the server's.
        let connector =
            awc::Connector::new().limit(connections).timeout(timeout).conn_keep_alive(Duration::from_secs(3));
        let http = awc::Client::builder().connector(connector).timeout(timeout).disable_redirects().finish();
        Client { http, base: base.trim_end_matches('/').to_owned(), timeout }
    }

    pub async fn post<B: Serialize>(&self, path: &str, token: Option<&str>, body: &B) -> Exchange {
        self.send(Method::POST, path, token, Some(body)).await
    }

    pub async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Exchange {
        let started = Instant::now();
        let result = tokio::time::timeout(self.timeout, self.exchange(method, path, token, body))
            .await
            .unwrap_or(Err(Failure::Timeout));
        Exchange { started, took: started.elapsed(), result }
    }

    async fn exchange<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<Answer, Failure> {
        let mut request = self.http.request(method, format!("{}/api/v1{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let sent = match body {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        };
        let mut response = sent.map_err(|e| match e {
            SendRequestError::Timeout => Failure::Timeout,
            other => Failure::Transport(other.to_string()),
        })?;
        let status = response.status().as_u16();
        let problem = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/problem+json"));
        let body = response.body().limit(16 << 20).await.map_err(|e| Failure::Transport(e.to_string()))?;
        Ok(Answer { status, problem, body: body.to_vec() })
    }

    /// A set-up call whose answer must have one of `statuses`.
    pub async fn call<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
        statuses: &[u16],
    ) -> Result<Answer, String> {
        let what = format!("{method} {path}");
        let answer = self.send(method, path, token, body).await.result.map_err(|e| format!("{what}: {e}"))?;
        if statuses.contains(&answer.status) {
            return Ok(answer);
        }
        let text: String = answer.text().chars().take(300).collect();
        Err(format!("{what}: {} (expected {statuses:?}): {text}", answer.status))
    }
}

pub use quorum_tests::query_value;
