//! The router: every route is added through [`Routes::add`], which also records
//! it, so a test can compare the live route table with `openapi.json`.

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

use crate::http::{
    attachments, catalog, changes, devices, health, link, metrics, middleware, submissions,
    unread_body, AppState,
};
use crate::officer::routes as admin;

/// A router that remembers its `(method, path)` pairs.
pub struct Routes {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, handler);
        self.list.push((method, path));
        self
    }
}

/// Every route of the v1 API, and the operators' probes and metrics.
pub fn routes() -> Routes {
    Routes {
        router: Router::new(),
        list: Vec::new(),
    }
    .add(
        "post",
        "/v1/devices",
        on(MethodFilter::POST, devices::enroll),
    )
    .add(
        "post",
        "/v1/submissions/batch",
        on(MethodFilter::POST, submissions::submit_batch),
    )
    .add(
        "get",
        "/v1/changes",
        on(MethodFilter::GET, changes::changes),
    )
    .add("get", "/v1/forms", on(MethodFilter::GET, catalog::forms))
    .add(
        "get",
        "/v1/reference",
        on(MethodFilter::GET, catalog::reference),
    )
    .add(
        "get",
        "/v1/openapi.json",
        on(MethodFilter::GET, catalog::openapi),
    )
    .add(
        "put",
        "/v1/attachments/{sha256}/chunks/{idx}",
        on(MethodFilter::PUT, attachments::put_chunk),
    )
    .add(
        "post",
        "/v1/attachments/status",
        on(MethodFilter::POST, attachments::batch_status),
    )
    .add(
        "get",
        "/v1/attachments/{sha256}",
        on(MethodFilter::GET, attachments::get_status),
    )
    .add(
        "post",
        "/v1/attachments/{sha256}/complete",
        on(MethodFilter::POST, attachments::complete),
    )
    .add(
        "post",
        "/v1/admin/payments",
        on(MethodFilter::POST, admin::record_payment),
    )
    .add(
        "post",
        "/v1/admin/contributions",
        on(MethodFilter::POST, admin::record_contribution),
    )
    .add(
        "post",
        "/v1/admin/consultations/{submission_id}/reply",
        on(MethodFilter::POST, admin::reply),
    )
    .add(
        "post",
        "/v1/admin/registrations/{submission_id}/reject",
        on(MethodFilter::POST, admin::reject),
    )
    .add(
        "get",
        "/v1/admin/submissions",
        on(MethodFilter::GET, admin::list),
    )
    .add(
        "post",
        "/v1/link/start",
        on(MethodFilter::POST, link::start),
    )
    .add(
        "post",
        "/v1/link/confirm",
        on(MethodFilter::POST, link::confirm),
    )
    .add(
        "post",
        "/v1/admin/link-codes",
        on(MethodFilter::POST, admin::link_code),
    )
    .add(
        "post",
        "/v1/admin/persons/import",
        on(MethodFilter::POST, admin::import_persons),
    )
    .add("get", "/healthz", on(MethodFilter::GET, health::healthz))
    .add("get", "/readyz", on(MethodFilter::GET, health::readyz))
    .add("get", "/metrics", on(MethodFilter::GET, metrics::metrics))
}

/// The `(method, path)` pairs the router serves (lowercase method, OpenAPI path syntax).
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    routes().list
}

/// The full application: routes, JSON fallbacks, panic guard, gzip responses, the
/// request deadline (`request_timeout`), the declared body length's check, request log, counters and metrics (outermost).
pub fn app(state: AppState, request_timeout: Duration) -> Router {
    let observers = middleware::Observers {
        stats: Arc::clone(&state.stats),
        metrics: Arc::clone(&state.metrics),
    };
    let panics = observers.clone();
    routes()
        .router
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .with_state(state)
        .layer(CatchPanicLayer::custom(
            move |_: Box<dyn std::any::Any + Send + 'static>| middleware::panic_response(&panics),
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            request_timeout,
            middleware::deadline,
        ))
        // Outside the deadline: a body cut by it was not read to its end either.
        .layer(axum::middleware::from_fn(unread_body::close_when_unread))
        // Outside the deadline (an over-long declared body is refused at once) and
        // inside the request log (the refusal is logged and counted).
        .layer(axum::middleware::from_fn(middleware::declared_length))
        .layer(axum::middleware::from_fn_with_state(
            observers,
            middleware::log_requests,
        ))
}
