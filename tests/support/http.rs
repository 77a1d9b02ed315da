//! Requests to the test server and what comes back.

use std::fmt;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use actix_web::http::Method;
use quorum_types::{ErrorCode, Problem};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::TestApp;

/// Base path of the versioned API.
pub const API: &str = "/api/v1";

const TIMEOUT: Duration = Duration::from_secs(60);

/// A response read to the end, with the request that produced it (for messages).
#[derive(Debug, Clone)]
pub struct Response {
    pub request: String,
    pub status: u16,
    pub content_type: String,
    /// Every response header, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn contains(&self, needle: &str) -> bool {
        self.text().contains(needle)
    }

    pub fn json<T: DeserializeOwned>(&self) -> T {
        match serde_json::from_slice(&self.body) {
            Ok(value) => value,
            Err(e) => panic!("{self}\ncould not be read as {}: {e}", std::any::type_name::<T>()),
        }
    }

    pub fn value(&self) -> serde_json::Value {
        self.json()
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected status for {self}");
        self
    }

    /// Asserts the status, then reads the body as `T`.
    #[track_caller]
    pub fn expect<T: DeserializeOwned>(&self, status: u16) -> T {
        self.assert_status(status);
        self.json()
    }

    pub fn problem(&self) -> Problem {
        self.json()
    }

    /// The first value of a header (the name is case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The `Location` header, asserting there is one.
    #[track_caller]
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_else(|| panic!("no Location header: {self}"))
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text();
        let shown: String = text.chars().take(2000).collect();
        let more = if shown.len() < text.len() { " …" } else { "" };
        write!(f, "{} -> {} [{}] {shown}{more}", self.request, self.status, self.content_type)
    }
}

/// Asserts an `application/problem+json` error with this status and code.
#[track_caller]
pub fn assert_problem(resp: &Response, status: u16, code: ErrorCode) -> Problem {
    assert_eq!(resp.status, status, "unexpected status for {resp}");
    assert!(resp.content_type.starts_with("application/problem+json"), "expected application/problem+json for {resp}");
    let problem = resp.problem();
    assert_eq!(problem.code, code, "unexpected code for {resp}");
    assert_eq!(problem.status, status, "status field disagrees with HTTP status: {resp}");
    assert_eq!(code.status(), status, "test bug: {code:?} does not have status {status}");
    if status == 401 {
        // RFC 9110 §11.6.1: every 401 names the scheme to answer with.
        let challenge = resp.header("www-authenticate").unwrap_or_default();
        let scheme = challenge.split_whitespace().next().unwrap_or_default();
        assert!(
            scheme.eq_ignore_ascii_case("bearer"),
            "a 401 without WWW-Authenticate: Bearer: {resp} {:?}",
            resp.headers
        );
    }
    problem
}

/// Asserts a 422 `validation_failed` naming `field` in `errors`.
#[track_caller]
pub fn assert_field_error(resp: &Response, field: &str) -> Problem {
    let problem = assert_problem(resp, 422, ErrorCode::ValidationFailed);
    let errors = problem.errors.clone().unwrap_or_default();
    assert!(
        errors.get(field).is_some_and(|messages| !messages.is_empty()),
        "expected a message for {field:?} in errors: {resp}"
    );
    problem
}

/// `/threads` becomes `/api/v1/threads`; `/api/…`, `/healthz`, `/readyz` stay.
fn full_path(path: &str) -> String {
    if path.starts_with("/api/") || path.starts_with("/healthz") || path.starts_with("/readyz") {
        path.to_owned()
    } else {
        format!("{API}{path}")
    }
}

impl TestApp {
    /// Sends one request; `body` is `(content type, bytes)`.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> Response {
        let authorization = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = authorization.iter().map(|a| ("Authorization", a.as_str())).collect();
        self.request_with_headers(method, path, &headers, body).await
    }

    /// Sends one request with exactly these extra headers (an
    /// `Authorization` of any scheme, for instance).
    pub async fn request_with_headers(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Response {
        self.send_as_is(method, &full_path(path), headers, body).await
    }

    /// Like [`TestApp::request_with_headers`], with the path used as it is
    /// (`/`, `/t/42`, `/assets/app.js`: the web app's paths).
    pub async fn request_root(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Response {
        self.send_as_is(method, path, headers, body).await
    }

    async fn send_as_is(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Response {
        let url = format!("{}{}", self.address, path);
        let client = awc::Client::builder().timeout(TIMEOUT).disable_redirects().finish();
        // No `Accept-Encoding` unless a test sends one; bodies come back as sent.
        let mut req = client.request(method.clone(), url.as_str()).no_decompress();
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut request = format!("{method} {path}");
        if let Some((content_type, bytes)) = &body {
            let text = String::from_utf8_lossy(bytes);
            let shown: String = text.chars().take(300).collect();
            let more = if shown.len() < text.len() { " …" } else { "" };
            request.push_str(&format!(" [{content_type}] {shown}{more}"));
        }
        let sent = match body {
            Some((content_type, bytes)) => req.insert_header(("Content-Type", content_type)).send_body(bytes),
            None => req.send(),
        };
        let mut resp = match sent.await {
            Ok(resp) => resp,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let headers = resp
            .headers()
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_ascii_lowercase(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect();
        let body = match resp.body().limit(64 << 20).await {
            Ok(bytes) => bytes.to_vec(),
            Err(e) => panic!("{method} {path}: reading the body: {e}"),
        };
        Response { request, status: resp.status().as_u16(), content_type, headers, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None).await
    }

    /// Any path as it is, with no token: `/healthz`, `/api/openapi.json`, `/t/42`.
    pub async fn get_root(&self, path: &str) -> Response {
        self.request_root(Method::GET, path, &[], None).await
    }

    pub async fn post<T: Serialize + ?Sized>(&self, path: &str, token: Option<&str>, body: &T) -> Response {
        self.request(Method::POST, path, token, Some(json_body(body))).await
    }

    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::POST, path, token, None).await
    }

    pub async fn patch<T: Serialize + ?Sized>(&self, path: &str, token: Option<&str>, body: &T) -> Response {
        self.request(Method::PATCH, path, token, Some(json_body(body))).await
    }

    pub async fn put<T: Serialize + ?Sized>(&self, path: &str, token: Option<&str>, body: &T) -> Response {
        self.request(Method::PUT, path, token, Some(json_body(body))).await
    }

    /// `PUT` without a body: likes and group memberships.
    pub async fn put_empty(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::PUT, path, token, None).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token, None).await
    }

    /// Sends exactly these bytes with this content type.
    pub async fn send_bytes(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> Response {
        self.request(method, path, token, Some((content_type, bytes.into()))).await
    }

    /// Sends a request over a plain socket, writing the body on another
    /// thread while the response is read: a server may answer (413) before it
    /// has read a large body, which some clients report as a broken pipe.
    pub async fn send_over_socket(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Response {
        let path = full_path(path);
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.port,
            body.len()
        );
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        head.push_str("\r\n");
        let port = self.port;
        let request = format!("{method} {path}");
        let exchanged = actix_web::rt::task::spawn_blocking(move || socket_exchange(port, head, body)).await;
        let (status, headers, body) = match exchanged {
            Ok(Ok(parts)) => parts,
            Ok(Err(e)) => panic!("{request}: {e}"),
            Err(e) => panic!("{request}: {e}"),
        };
        let content_type =
            headers.iter().find(|(name, _)| name == "content-type").map(|(_, v)| v.clone()).unwrap_or_default();
        Response { request, status, content_type, headers, body }
    }
}

fn json_body<T: Serialize + ?Sized>(body: &T) -> (&'static str, Vec<u8>) {
    match serde_json::to_vec(body) {
        Ok(bytes) => ("application/json", bytes),
        Err(e) => panic!("cannot serialise a request body: {e}"),
    }
}

/// Status, headers (names in lower case) and body of a response.
type Parsed = (u16, Vec<(String, String)>, Vec<u8>);

fn socket_exchange(port: u16, head: String, body: Vec<u8>) -> Result<Parsed, String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let sender = std::thread::spawn(move || {
        // Errors are expected when the server refuses the body early.
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(&body);
        let _ = writer.flush();
    });
    let mut reader = stream;
    let mut received = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let parsed = loop {
        if let Some(parsed) = parse_response(&received, false)? {
            break Some(parsed);
        }
        match reader.read(&mut chunk) {
            Ok(0) => break None,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e) => {
                if received.is_empty() {
                    return Err(format!("reading the response: {e}"));
                }
                break None;
            }
        }
    };
    let _ = reader.shutdown(Shutdown::Both);
    let _ = sender.join();
    match parsed {
        Some(parsed) => Ok(parsed),
        None => parse_response(&received, true)?
            .ok_or_else(|| format!("incomplete response: {}", String::from_utf8_lossy(&received))),
    }
}

/// A complete HTTP/1.1 response in `raw`, or `None` when more bytes are
/// needed; `eof` says the connection has closed.
fn parse_response(raw: &[u8], eof: bool) -> Result<Option<Parsed>, String> {
    let Some(head_end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let rest = &raw[head_end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    let mut content_length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        match name.as_str() {
            "content-length" => content_length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            _ => {}
        }
        headers.push((name, value.to_owned()));
    }
    if chunked {
        let mut body = Vec::new();
        let mut at = 0;
        loop {
            let Some(line_end) = rest[at..].windows(2).position(|w| w == b"\r\n") else {
                return Ok(None);
            };
            let size_text = String::from_utf8_lossy(&rest[at..at + line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| format!("bad chunk size {size_text:?}"))?;
            let data_start = at + line_end + 2;
            if size == 0 {
                return Ok(Some((status, headers, body)));
            }
            if rest.len() < data_start + size + 2 {
                return Ok(None);
            }
            body.extend_from_slice(&rest[data_start..data_start + size]);
            at = data_start + size + 2;
        }
    }
    match content_length {
        Some(len) if rest.len() >= len => Ok(Some((status, headers, rest[..len].to_vec()))),
        Some(_) => Ok(None),
        None if status == 204 || status == 304 => Ok(Some((status, headers, Vec::new()))),
        // Without a length the body ends when the connection closes.
        None if eof => Ok(Some((status, headers, rest.to_vec()))),
        None => Ok(None),
    }
}
