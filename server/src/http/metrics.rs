//! Prometheus metrics at `GET /metrics` (the OpenMetrics text format, which
//! Prometheus reads): requests by route template, method and status, their
//! latency by route, the submissions per ingested batch, the ingest latency,
//! panics, and PostgreSQL's connection pool. Labels are bounded sets (route
//! templates, known methods, status codes): never a raw path, an id, a token or
//! a KPJ, so the page holds nothing personal and its size cannot be grown by a
//! client.

use std::time::Duration;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::http::error::ApiError;
use crate::http::extract::Anonymous;
use crate::http::AppState;
use crate::storage::PoolStatus;

/// The exposition's content type.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Seconds: from a millisecond to a minute (the request deadline).
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];

/// Submissions per batch, up to the cap of 100 (`MAX_BATCH_ITEMS`).
const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 75.0, 100.0];

/// One request's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

/// A route's label alone (latency).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The server's metrics; one per server, shared by every request.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    batch_items: Histogram,
    ingest: Histogram,
    panics: Counter,
    pool_max: Gauge,
    pool_size: Gauge,
    pool_available: Gauge,
    pool_waiting: Gauge,
}

impl Metrics {
    /// Registers every metric. `pool`: whether the database has a pool to
    /// report (PostgreSQL); SQLite's one connection is not one, so its
    /// gauges are left out rather than faked.
    pub fn new(pool: bool) -> Metrics {
        let mut registry = Registry::with_prefix("rantau");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time from the request's headers to its answer, by route template",
            latency.clone(),
        );
        let batch_items = Histogram::new(BATCH_BUCKETS);
        registry.register(
            "ingest_batch_submissions",
            "Submissions per batch received on POST /v1/submissions/batch",
            batch_items.clone(),
        );
        let ingest = latency_histogram();
        registry.register(
            "ingest_duration_seconds",
            "Time to validate and store one batch (after its body arrived)",
            ingest.clone(),
        );
        let panics = Counter::default();
        registry.register(
            "handler_panics",
            "Handlers that panicked (answered 500)",
            panics.clone(),
        );
        let (pool_max, pool_size, pool_available, pool_waiting) = Default::default();
        if pool {
            let pool_gauges: [(&str, &str, &Gauge); 4] = [
                (
                    "db_pool_max_connections",
                    "Most database connections the pool opens",
                    &pool_max,
                ),
                (
                    "db_pool_connections",
                    "Database connections open",
                    &pool_size,
                ),
                (
                    "db_pool_idle_connections",
                    "Open database connections idle",
                    &pool_available,
                ),
                (
                    "db_pool_waiting_requests",
                    "Requests waiting for a database connection",
                    &pool_waiting,
                ),
            ];
            for (name, help, gauge) in pool_gauges {
                registry.register(name, help, gauge.clone());
            }
        }
        Metrics {
            registry,
            requests,
            latency,
            batch_items,
            ingest,
            panics,
            pool_max,
            pool_size,
            pool_available,
            pool_waiting,
        }
    }

    /// Counts one answered request. `route` is the matched template (or
    /// `unmatched`); methods outside the standard set count as `other`.
    pub fn request(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let route = route.to_string();
        self.requests
            .get_or_create(&RequestLabels {
                method: method_label(method),
                route: route.clone(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route })
            .observe(elapsed.as_secs_f64());
    }

    /// Records one ingested batch: its number of submissions and the time to
    /// validate and store it.
    pub fn batch(&self, submissions: usize, elapsed: Duration) {
        self.batch_items.observe(submissions as f64);
        self.ingest.observe(elapsed.as_secs_f64());
    }

    /// Counts a caught panic.
    pub fn panicked(&self) {
        self.panics.inc();
    }

    /// The exposition text, with the pool's gauges as of now.
    pub fn render(&self, pool: Option<PoolStatus>) -> Result<String, std::fmt::Error> {
        if let Some(p) = pool {
            let gauge = |g: &Gauge, n: usize| g.set(i64::try_from(n).unwrap_or(i64::MAX));
            gauge(&self.pool_max, p.max_size);
            gauge(&self.pool_size, p.size);
            gauge(&self.pool_available, p.available);
            gauge(&self.pool_waiting, p.waiting);
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// The method as a label from a fixed set: a client cannot add label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// `GET /metrics`. Unauthenticated on the API's listener and rate-limited by
/// address like the other anonymous routes: it holds only counts, and the
/// reverse proxy keeps it from the internet (`docs/deploy.md`).
pub async fn metrics(_: Anonymous, State(state): State<AppState>) -> Response {
    match state.metrics.render(state.storage.pool_status()) {
        Ok(text) => (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static(CONTENT_TYPE_OPENMETRICS),
            )],
            text,
        )
            .into_response(),
        Err(_) => {
            ApiError::new("server.internal", "the metrics could not be written").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_template_method_and_status() {
        let m = Metrics::new(false);
        let route = "/v1/attachments/{sha256}";
        m.request(&Method::GET, route, 200, Duration::from_millis(3));
        m.request(&Method::GET, route, 200, Duration::from_millis(4));
        m.request(
            &Method::from_bytes(b"BREW").unwrap(),
            "unmatched",
            404,
            Duration::ZERO,
        );
        let text = m.render(None).unwrap();
        assert!(
            text.contains(
                r#"rantau_http_requests_total{method="GET",route="/v1/attachments/{sha256}",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"rantau_http_requests_total{method="other",route="unmatched",status="404"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"rantau_http_request_duration_seconds_count{route="/v1/attachments/{sha256}"} 2"#
            ),
            "{text}"
        );
        assert!(
            !text.contains("BREW"),
            "a client's method became a label: {text}"
        );
        assert!(!text.contains("db_pool"), "SQLite has no pool: {text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn batches_fill_the_size_and_latency_histograms() {
        let m = Metrics::new(false);
        m.batch(3, Duration::from_millis(20));
        m.batch(100, Duration::from_millis(700));
        let text = m.render(None).unwrap();
        assert!(
            text.contains(r#"rantau_ingest_batch_submissions_bucket{le="5.0"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"rantau_ingest_batch_submissions_bucket{le="100.0"} 2"#),
            "{text}"
        );
        assert!(
            text.contains("rantau_ingest_batch_submissions_sum 103.0"),
            "{text}"
        );
        assert!(
            text.contains(r#"rantau_ingest_duration_seconds_bucket{le="0.025"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("rantau_ingest_duration_seconds_count 2"),
            "{text}"
        );
    }

    #[test]
    fn the_pool_gauges_show_the_status_given() {
        let m = Metrics::new(true);
        let text = m
            .render(Some(PoolStatus {
                max_size: 16,
                size: 3,
                available: 2,
                waiting: 0,
            }))
            .unwrap();
        for line in [
            "rantau_db_pool_max_connections 16",
            "rantau_db_pool_connections 3",
            "rantau_db_pool_idle_connections 2",
            "rantau_db_pool_waiting_requests 0",
        ] {
            assert!(text.contains(line), "{line} missing: {text}");
        }
    }
}
