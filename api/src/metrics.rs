//! `/metrics` in the OpenMetrics text format (which Prometheus reads),
//! through the `prometheus-client` crate: requests by route template and
//! status, their latency, the database pool, the blocking work queues,
//! open live streams, the mail queue and refused (throttled) attempts.
//!
//! Off unless the operator turns it on: `QUORUM_METRICS_BIND` serves it on
//! an address of its own (without a token), `QUORUM_METRICS_TOKEN` on the
//! main port to requests bearing that token.

use std::sync::atomic::{AtomicI64, Ordering};

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use subtle::ConstantTimeEq;

use crate::config::Secret;
use crate::error::ApiError;
use crate::startup::AppState;

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Blocking database tasks handed to the runtime and not yet finished
/// (`db::blocking`): waiting for a thread, a connection, or running.
pub static BLOCKING_TASKS: AtomicI64 = AtomicI64::new(0);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route template (`/api/v1/threads/{id}`), never the raw path.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RuleLabels {
    pub rule: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub pool: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 2.5 ms to about 10 s.
    Histogram::new(exponential_buckets(0.0025, 2.0, 13))
}

/// Every metric; gauges are read from the state when scraped.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    db_connections: Gauge,
    db_idle: Gauge,
    db_waiting: Gauge,
    blocking_tasks: Gauge,
    cpu_pending: Family<PoolLabels, Gauge>,
    live_streams: Gauge,
    mail_queued: Gauge,
}

impl Metrics {
    /// `throttled` is the counter the throttle keeps (`Throttle::refused`).
    pub fn new(throttled: Family<RuleLabels, Counter>) -> Metrics {
        let mut registry = Registry::with_prefix("quorum");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by route template and status", requests.clone());
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to the response's head, by route template",
            latency.clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let g = Gauge::default();
            registry.register(name, help, g.clone());
            g
        };
        let db_connections = gauge(&mut registry, "db_pool_connections", "Open database connections");
        let db_idle = gauge(&mut registry, "db_pool_idle", "Open database connections not in use");
        let db_waiting = gauge(&mut registry, "db_pool_waiting", "Requests waiting for a database connection");
        let blocking_tasks = gauge(
            &mut registry,
            "blocking_tasks",
            "Database tasks handed to blocking threads and not finished (queued or running)",
        );
        let cpu_pending = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "cpu_pool_pending",
            "Jobs accepted by a bounded CPU pool (rendering, hashing) and not finished",
            cpu_pending.clone(),
        );
        let live_streams = gauge(&mut registry, "live_streams", "Open live-update streams (GET /stream)");
        let mail_queued = gauge(&mut registry, "mail_queued", "Mails waiting in the outbox (neither sent nor dropped)");
        registry.register("throttled", "Attempts refused by a limit (429), by rule", throttled);
        registry.register(
            "event_dispatcher_passes",
            "Passes of the event dispatcher over new events: one per poll interval when the forum is idle",
            crate::events::DISPATCHER_PASSES.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            db_connections,
            db_idle,
            db_waiting,
            blocking_tasks,
            cpu_pending,
            live_streams,
            mail_queued,
        }
    }

    /// Counts one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = RequestLabels { method: method.to_owned(), route: route.to_owned(), status };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&RouteLabels { route: route.to_owned() }).observe(seconds);
    }

    /// The exposition, with the gauges read now.
    pub fn render(&self, state: &AppState, mail_queued: Option<i64>) -> Result<String, std::fmt::Error> {
        let pool = state.db.pool_state();
        self.db_connections.set(i64::from(pool.connections));
        self.db_idle.set(i64::from(pool.idle));
        self.db_waiting.set(pool.waiting);
        self.blocking_tasks.set(BLOCKING_TASKS.load(Ordering::Relaxed));
        for (name, pool) in [("rendering", &state.rendering), ("hashing", &state.hashing)] {
            let pending = i64::try_from(pool.pending()).unwrap_or(i64::MAX);
            self.cpu_pending.get_or_create(&PoolLabels { pool: name.to_owned() }).set(pending);
        }
        self.live_streams.set(i64::try_from(state.hub.open()).unwrap_or(i64::MAX));
        if let Some(queued) = mail_queued {
            self.mail_queued.set(queued);
        }
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Where `/metrics` may be read.
#[derive(Clone)]
pub enum Access {
    /// The main port: only with this bearer token; without one, 404.
    Token(Option<Secret>),
    /// The metrics address of its own: anyone who reaches it.
    Open,
}

/// Metrics in the OpenMetrics text format. Off (404) unless
/// `QUORUM_METRICS_TOKEN` is set and sent as a bearer token, or read from
/// the separate `QUORUM_METRICS_BIND` address.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The metrics", body = String, content_type = "application/openmetrics-text"),
        (status = 401, description = "Metrics are on, the token is missing or wrong", body = quorum_types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Metrics are off on this port", body = quorum_types::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: Option<web::Data<Access>>,
) -> Result<HttpResponse, ApiError> {
    match access.as_ref().map(|a| a.as_ref()) {
        Some(Access::Open) => {}
        Some(Access::Token(Some(token))) => {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if !bool::from(given.as_bytes().ct_eq(token.expose().as_bytes())) {
                return Err(ApiError::unauthorized());
            }
        }
        Some(Access::Token(None)) | None => return Err(ApiError::not_found()),
    }
    let Some(metrics) = state.metrics.clone() else {
        return Err(ApiError::not_found());
    };
    let queued = state.db.read(crate::events::mail::queue_size).await.ok();
    let body = metrics.render(&state, queued).map_err(|e| ApiError::internal(format!("encoding metrics: {e}")))?;
    Ok(HttpResponse::Ok().insert_header((header::CONTENT_TYPE, CONTENT_TYPE)).body(body))
}

/// Keeps the blocking-task gauge right even when a task panics.
pub struct BlockingTask;

impl BlockingTask {
    pub fn start() -> BlockingTask {
        BLOCKING_TASKS.fetch_add(1, Ordering::Relaxed);
        BlockingTask
    }
}

impl Drop for BlockingTask {
    fn drop(&mut self) {
        BLOCKING_TASKS.fetch_sub(1, Ordering::Relaxed);
    }
}
