//! The API client: the same public HTTP endpoints third-party clients use.
//!
//! Every call attaches the in-memory access token, refreshes it shortly
//! before it expires, and retries once after a `401` when a refresh
//! succeeds. Errors carry the problem+json `detail` and per-field messages.

use std::collections::BTreeMap;
use std::fmt;

use gloo_net::http::{Method, RequestBuilder, Response};
use quorum_types::{Page, Problem};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::session;

/// Where the API lives: the same origin that served the app.
pub const BASE: &str = "/api/v1";

/// A failed call, ready to show: `detail` for the form or page, `fields`
/// for the messages that belong next to one input.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status; 0 when the server could not be reached.
    pub status: u16,
    pub detail: String,
    pub fields: BTreeMap<String, Vec<String>>,
}

impl ApiError {
    pub fn network() -> Self {
        ApiError {
            status: 0,
            detail: "Could not reach the server. Check your connection and try again.".into(),
            fields: BTreeMap::new(),
        }
    }

    pub fn from_problem(status: u16, problem: Option<Problem>) -> Self {
        match problem {
            Some(p) => ApiError { status, detail: p.detail, fields: p.errors.unwrap_or_default() },
            None => ApiError {
                status,
                detail: match status {
                    401 => "Please log in again.".into(),
                    403 => "You are not allowed to do that.".into(),
                    404 => "Not found: it may have been deleted, or you may not have access.".into(),
                    _ => format!("The server answered with an error ({status})."),
                },
                fields: BTreeMap::new(),
            },
        }
    }

    /// The messages for one field, joined, if the server gave any.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).filter(|m| !m.is_empty()).map(|m| m.join(" "))
    }

    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

struct Call<'a> {
    method: Method,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    body: Option<String>,
}

async fn attempt(call: &Call<'_>, token: Option<&str>) -> ApiResult<Response> {
    let mut builder = RequestBuilder::new(&format!("{BASE}{}", call.path)).method(call.method.clone());
    if !call.query.is_empty() {
        builder = builder.query(call.query.iter().copied());
    }
    builder = builder.header("Accept", "application/json");
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let request = match &call.body {
        Some(body) => builder.header("Content-Type", "application/json").body(body.clone()),
        None => builder.build(),
    }
    .map_err(|_| ApiError::network())?;
    request.send().await.map_err(|_| ApiError::network())
}

async fn send(call: Call<'_>) -> ApiResult<Response> {
    let token = session::access_token().await;
    let response = attempt(&call, token.as_deref()).await?;
    if response.status() == 401 && token.is_some() && session::refresh().await {
        let token = session::access_token().await;
        return check(attempt(&call, token.as_deref()).await?).await;
    }
    check(response).await
}

async fn check(response: Response) -> ApiResult<Response> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let problem = response.json::<Problem>().await.ok();
    Err(ApiError::from_problem(status, problem))
}

async fn decode<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    let status = response.status();
    response.json::<T>().await.map_err(|e| ApiError {
        status,
        detail: format!("The server's answer could not be read: {e}"),
        fields: BTreeMap::new(),
    })
}

fn json<B: Serialize + ?Sized>(body: &B) -> Option<String> {
    Some(serde_json::to_string(body).unwrap_or_else(|_| "null".into()))
}

pub async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    decode(send(Call { method: Method::GET, path, query: &[], body: None }).await?).await
}

/// A text answer (iCalendar, say) as it came.
pub async fn get_text(path: &str) -> ApiResult<String> {
    let response = send(Call { method: Method::GET, path, query: &[], body: None }).await?;
    response.text().await.map_err(|_| ApiError::network())
}

/// One page of a list; `cursor` is the previous page's `next_cursor`.
pub async fn page<T: DeserializeOwned>(path: &str, cursor: Option<&str>, extra: &[(&str, &str)]) -> ApiResult<Page<T>> {
    let mut query: Vec<(&str, &str)> = extra.to_vec();
    if let Some(cursor) = cursor {
        query.push(("cursor", cursor));
    }
    decode(send(Call { method: Method::GET, path, query: &query, body: None }).await?).await
}

/// Every page of a list, followed to the end (up to `MAX_PAGES` pages of
/// 100), as one page: for lists an admin reads whole, such as tokens and
/// invitations, which can pass a page's 100 entries.
pub async fn all<T: DeserializeOwned>(path: &str, extra: &[(&str, &str)]) -> ApiResult<Page<T>> {
    const MAX_PAGES: usize = 100;
    let mut query: Vec<(&str, &str)> = extra.to_vec();
    query.push(("limit", "100"));
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = self::page::<T>(path, cursor.as_deref(), &query).await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(Page { items, next_cursor: None })
}

pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    decode(send(Call { method: Method::POST, path, query: &[], body: json(body) }).await?).await
}

pub async fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    decode(send(Call { method: Method::PATCH, path, query: &[], body: json(body) }).await?).await
}

pub async fn put<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    decode(send(Call { method: Method::PUT, path, query: &[], body: None }).await?).await
}

pub async fn put_json<B: Serialize + ?Sized, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    decode(send(Call { method: Method::PUT, path, query: &[], body: json(body) }).await?).await
}

/// A `PUT` with a body whose answer has none worth reading (`204`).
pub async fn put_body<B: Serialize + ?Sized>(path: &str, body: &B) -> ApiResult<()> {
    send(Call { method: Method::PUT, path, query: &[], body: json(body) }).await.map(|_| ())
}

pub async fn put_empty(path: &str) -> ApiResult<()> {
    send(Call { method: Method::PUT, path, query: &[], body: None }).await.map(|_| ())
}

/// A request whose success has no body worth reading (`204`, or one we ignore).
pub async fn delete(path: &str) -> ApiResult<()> {
    send(Call { method: Method::DELETE, path, query: &[], body: None }).await.map(|_| ())
}

/// A `DELETE` with a JSON body (a confirmation, say) and no answer worth reading.
pub async fn delete_body<B: Serialize + ?Sized>(path: &str, body: &B) -> ApiResult<()> {
    send(Call { method: Method::DELETE, path, query: &[], body: json(body) }).await.map(|_| ())
}

pub async fn delete_json<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    decode(send(Call { method: Method::DELETE, path, query: &[], body: None }).await?).await
}

pub async fn post_empty<B: Serialize + ?Sized>(path: &str, body: &B) -> ApiResult<()> {
    send(Call { method: Method::POST, path, query: &[], body: json(body) }).await.map(|_| ())
}

/// A call made without the session's token (sign-in, refresh).
pub async fn post_anonymous<B: Serialize + ?Sized, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    let call = Call { method: Method::POST, path, query: &[], body: json(body) };
    decode(check(attempt(&call, None).await?).await?).await
}

/// Percent-encodes a path segment (usernames and slugs are already safe,
/// but a typed username may not be).
pub fn segment(raw: &str) -> String {
    String::from(js_sys::encode_uri_component(raw))
}

/// Uploads a file (`POST /uploads?filename=…`, the file itself the body):
/// the server reads its type from its bytes.
pub async fn upload(file: &web_sys::File) -> ApiResult<quorum_types::Upload> {
    let name = file.name();
    let send_once = |token: Option<String>| {
        let file = file.clone();
        let name = name.clone();
        async move {
            let mut builder = RequestBuilder::new(&format!("{BASE}/uploads"))
                .method(Method::POST)
                .query([("filename", name.as_str())])
                .header("Accept", "application/json")
                .header("Content-Type", "application/octet-stream");
            if let Some(token) = token {
                builder = builder.header("Authorization", &format!("Bearer {token}"));
            }
            let request = builder.body(wasm_bindgen::JsValue::from(file)).map_err(|_| ApiError::network())?;
            request.send().await.map_err(|_| ApiError::network())
        }
    };
    let token = session::access_token().await;
    let mut response = send_once(token.clone()).await?;
    if response.status() == 401 && token.is_some() && session::refresh().await {
        response = send_once(session::access_token().await).await?;
    }
    decode(check(response).await?).await
}
