//! The HTTP side of the fake: the router, the error answers, and one module of handlers per
//! kind of item. Every route lives under `/api`, like a real Windmill.

mod flows;
pub(crate) mod gate;
mod instance;
mod jobs;
pub(crate) mod params;
mod render;
mod resources;
mod schedules;
mod scripts;
mod variables;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::Value;

use crate::server::Recorded;
use crate::state::{lock, FakeState, SharedState};

#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    content_type: &'static str,
    body: String,
}

impl ApiError {
    pub(crate) fn text(status: StatusCode, body: impl Into<String>) -> Self {
        ApiError {
            status,
            content_type: "text/plain",
            body: body.into(),
        }
    }
    pub(crate) fn not_found(msg: impl std::fmt::Display) -> Self {
        Self::text(StatusCode::NOT_FOUND, format!("Not found: {msg}"))
    }
    pub(crate) fn not_found_at(kind: &str, path: &str) -> Self {
        Self::not_found(format!("{kind} not found at name {path}"))
    }
    pub(crate) fn bad_request(msg: impl std::fmt::Display) -> Self {
        Self::text(StatusCode::BAD_REQUEST, format!("Bad request: {msg}"))
    }
    pub(crate) fn unauthorized() -> Self {
        Self::text(StatusCode::UNAUTHORIZED, "Not authorized: Unauthorized")
    }
    pub(crate) fn missing_scope(scope: &str) -> Self {
        Self::text(
            StatusCode::FORBIDDEN,
            format!("Access denied. Required scope: {scope}"),
        )
    }
    pub(crate) fn internal(msg: impl std::fmt::Display) -> Self {
        Self::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Internal: {msg}"),
        )
    }
    pub(crate) fn query(name: &str, msg: &str) -> Self {
        Self::text(
            StatusCode::BAD_REQUEST,
            format!("Failed to deserialize query string: {name}: {msg}"),
        )
    }
    pub(crate) fn unprocessable(msg: impl std::fmt::Display) -> Self {
        Self::text(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Failed to deserialize the JSON body into the target type: {msg}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, self.body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        resp
    }
}

pub(crate) type ApiResult = Result<Response, ApiError>;

pub(crate) fn created(body: impl Into<String>) -> Response {
    (StatusCode::CREATED, body.into()).into_response()
}

pub(crate) fn ok_text(body: impl Into<String>) -> Response {
    (StatusCode::OK, body.into()).into_response()
}

pub(crate) fn ok_json(v: Value) -> Response {
    (StatusCode::OK, Json(v)).into_response()
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) state: SharedState,
    pub(crate) requests: Arc<Mutex<Vec<Recorded>>>,
}

impl AppState {
    pub(crate) fn lock(&self) -> MutexGuard<'_, FakeState> {
        lock(&self.state)
    }
}

pub(crate) type Q = Query<HashMap<String, String>>;
pub(crate) type WsPath = Path<(String, String)>;

pub(crate) fn router(app: AppState) -> Router {
    let w = "/api/w/{workspace}";
    Router::new()
        .route("/api/version", get(instance::version))
        .route("/api/openapi.json", get(instance::openapi_json))
        .route("/api/docs/search", get(instance::search_docs))
        .route("/api/docs/page", get(instance::read_docs_page))
        .route("/api/workers/list", get(instance::list_workers))
        // variables
        .route(
            &format!("{w}/variables/create"),
            post(variables::create_variable),
        )
        .route(
            &format!("{w}/variables/delete/{{*path}}"),
            delete(variables::delete_variable),
        )
        .route(
            &format!("{w}/variables/update/{{*path}}"),
            post(variables::update_variable),
        )
        .route(
            &format!("{w}/variables/get/{{*path}}"),
            get(variables::get_variable),
        )
        .route(
            &format!("{w}/variables/list"),
            get(variables::list_variables),
        )
        // resources
        .route(
            &format!("{w}/resources/create"),
            post(resources::create_resource),
        )
        .route(
            &format!("{w}/resources/delete/{{*path}}"),
            delete(resources::delete_resource),
        )
        .route(
            &format!("{w}/resources/update/{{*path}}"),
            post(resources::update_resource),
        )
        .route(
            &format!("{w}/resources/get/{{*path}}"),
            get(resources::get_resource),
        )
        .route(
            &format!("{w}/resources/list"),
            get(resources::list_resources),
        )
        .route(
            &format!("{w}/resources/type/list"),
            get(resources::list_resource_types),
        )
        // scripts
        .route(&format!("{w}/scripts/list"), get(scripts::list_scripts))
        .route(&format!("{w}/scripts/create"), post(scripts::create_script))
        .route(
            &format!("{w}/scripts/delete/h/{{hash}}"),
            post(scripts::delete_script_by_hash),
        )
        .route(
            &format!("{w}/scripts/delete/p/{{*path}}"),
            post(scripts::delete_script_by_path),
        )
        .route(
            &format!("{w}/scripts/get/p/{{*path}}"),
            get(scripts::get_script_by_path),
        )
        .route(
            &format!("{w}/scripts/update/{{*path}}"),
            post(scripts::update_script),
        )
        // flows
        .route(&format!("{w}/flows/list"), get(flows::list_flows))
        .route(
            &format!("{w}/flows/get/{{*path}}"),
            get(flows::get_flow_by_path),
        )
        .route(&format!("{w}/flows/create"), post(flows::create_flow))
        .route(
            &format!("{w}/flows/update/{{*path}}"),
            post(flows::update_flow),
        )
        .route(
            &format!("{w}/flows/delete/{{*path}}"),
            delete(flows::delete_flow_by_path),
        )
        // apps
        .route(&format!("{w}/apps/create"), post(flows::create_app))
        .route(
            &format!("{w}/apps/update/{{*path}}"),
            post(flows::update_app),
        )
        .route(
            &format!("{w}/apps/create_raw_source"),
            post(flows::create_app_raw_source),
        )
        .route(
            &format!("{w}/apps/update_raw_source/{{*path}}"),
            post(flows::update_app_raw_source),
        )
        .route(
            &format!("{w}/apps/get/p/{{*path}}"),
            get(flows::get_app_by_path),
        )
        .route(&format!("{w}/apps/list"), get(flows::list_apps))
        .route(
            &format!("{w}/data_metrics/list"),
            get(flows::list_data_metrics),
        )
        // jobs
        .route(
            &format!("{w}/jobs/run/p/{{*path}}"),
            post(jobs::run_script_by_path),
        )
        .route(
            &format!("{w}/jobs/run/f/{{*path}}"),
            post(jobs::run_flow_by_path),
        )
        .route(
            &format!("{w}/jobs/run_wait_result/p/{{*path}}"),
            post(jobs::run_wait_result_by_path),
        )
        .route(
            &format!("{w}/jobs/run_wait_result/preview"),
            post(jobs::run_preview_and_wait),
        )
        .route(&format!("{w}/jobs/queue/list"), get(jobs::list_queue))
        .route(&format!("{w}/jobs/list"), get(jobs::list_jobs))
        .route(&format!("{w}/jobs_u/get/{{id}}"), get(jobs::get_job))
        .route(
            &format!("{w}/jobs_u/get_logs/{{id}}"),
            get(jobs::get_job_logs),
        )
        .route(
            &format!("{w}/jobs_u/completed/get_result_maybe/{{id}}"),
            get(jobs::get_result_maybe),
        )
        .route(
            &format!("{w}/jobs_u/queue/cancel/{{id}}"),
            post(jobs::cancel_job),
        )
        // schedules
        .route(
            &format!("{w}/schedules/create"),
            post(schedules::create_schedule),
        )
        .route(
            &format!("{w}/schedules/update/{{*path}}"),
            post(schedules::update_schedule),
        )
        .route(
            &format!("{w}/schedules/delete/{{*path}}"),
            delete(schedules::delete_schedule),
        )
        .route(
            &format!("{w}/schedules/get/{{*path}}"),
            get(schedules::get_schedule),
        )
        .route(
            &format!("{w}/schedules/list"),
            get(schedules::list_schedules),
        )
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(app.clone(), gate::gate))
        .with_state(app)
}

async fn fallback(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}
