//! Following one request: its id (`X-Request-Id`, taken from a trusted
//! proxy or made here), the tracing span every log line of the request
//! carries, one line per request, and a warning for slow ones.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error};
use tracing::Instrument;

use crate::metrics::Metrics;

/// `X-Request-Id`.
pub fn request_id_header() -> HeaderName {
    HeaderName::from_static("x-request-id")
}

/// Longest request id accepted from a proxy.
const MAX_ID_LEN: usize = 128;

/// What the middleware needs, registered as app data.
#[derive(Clone)]
pub struct Observe {
    /// Proxies whose `X-Request-Id` is kept (`QUORUM_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<IpAddr>,
    /// Requests slower than this are logged as a warning.
    pub slow_request: Option<Duration>,
    /// Counts requests when metrics are on.
    pub metrics: Option<Arc<Metrics>>,
}

/// The request's id: the trusted proxy's when it sent a sensible one, else new.
fn request_id(req: &ServiceRequest, trusted_proxies: &[IpAddr]) -> String {
    let from_proxy = req.peer_addr().is_some_and(|peer| trusted_proxies.contains(&peer.ip()));
    if from_proxy {
        let given = req.headers().get(request_id_header()).and_then(|v| v.to_str().ok()).map(str::trim);
        if let Some(id) = given.filter(|id| acceptable(id)) {
            return id.to_owned();
        }
    }
    format!("{:016x}", rand::random::<u64>())
}

/// Short, and only characters that cannot forge a log line or a header.
fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Outermost middleware: gives the request its id and span, returns the
/// id, logs the request (path without its query, which may carry tokens).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let observe = req.app_data::<web::Data<Observe>>().cloned();
    let trusted: &[IpAddr] = observe.as_ref().map_or(&[], |o| &o.trusted_proxies);
    let id = request_id(&req, trusted);
    let span = tracing::info_span!("request", id = %id);
    let method = req.method().clone();
    let path = shown_path(req.path());
    let started = Instant::now();
    let outcome = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let _entered = span.enter();
    let ms = elapsed.as_secs_f64() * 1000.0;
    match outcome {
        Ok(mut res) => {
            let status = res.status().as_u16();
            let route = res.request().match_pattern().unwrap_or_else(|| "(none)".to_owned());
            if let Some(metrics) = observe.as_ref().and_then(|o| o.metrics.as_ref()) {
                metrics.observe(method.as_str(), &route, status, elapsed.as_secs_f64());
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut().insert(request_id_header(), value);
            }
            let slow = observe.as_ref().and_then(|o| o.slow_request).is_some_and(|limit| elapsed > limit);
            if slow {
                tracing::warn!(target: "quorum::http", %method, %path, %route, status, ms, "slow request");
            } else {
                tracing::info!(target: "quorum::http", %method, %path, status, ms, "request");
            }
            Ok(res)
        }
        Err(e) => {
            tracing::warn!(target: "quorum::http", %method, %path, ms, error = %e, "request failed");
            Err(e)
        }
    }
}

/// A path as logged: a calendar feed's secret (the only secret a path
/// carries) never reaches the log.
pub fn shown_path(path: &str) -> String {
    if path.starts_with("/api/v1/calendar/") {
        "/api/v1/calendar/<secret>.ics".to_owned()
    } else {
        path.to_owned()
    }
}

/// Runs `f` on the calling thread inside the span that was current when
/// the work was handed over (a blocking task, a worker pool).
pub fn carry_span<T>(f: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let span = tracing::Span::current();
    move || span.in_scope(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn a_calendar_feed_secret_is_never_logged() {
        assert_eq!(shown_path("/api/v1/calendar/qrm_cal_abc.ics"), "/api/v1/calendar/<secret>.ics");
        assert_eq!(shown_path("/api/v1/threads/4/event.ics"), "/api/v1/threads/4/event.ics");
    }

    #[test]
    fn ids_are_kept_only_from_trusted_proxies_and_only_when_sensible() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("an address");
        let from = |peer: &str, id: &str| {
            TestRequest::default()
                .peer_addr(format!("{peer}:4000").parse().expect("a socket address"))
                .insert_header(("x-request-id", id))
                .to_srv_request()
        };
        assert_eq!(request_id(&from("10.0.0.1", "abc-123"), &[proxy]), "abc-123");
        assert_ne!(request_id(&from("10.0.0.2", "abc-123"), &[proxy]), "abc-123");
        let forged = request_id(&from("10.0.0.1", "x\" level=error"), &[proxy]);
        assert!(acceptable(&forged) && forged.len() == 16, "{forged}");
        assert!(!acceptable(&"a".repeat(MAX_ID_LEN + 1)));
    }
}
