//! An in-process fake of Windmill's REST API (shapes of v1.743.0), for tests.
//!
//! Start it with [`start`] (seeded data) or [`start_with`] (your own [`FakeState`]). It listens on
//! `127.0.0.1:<random port>`; every route lives under `/api`, like a real Windmill, so point a
//! client at [`FakeWindmill::base_url`] (no `/api`) or [`FakeWindmill::api_url`].
//!
//! What it imitates, as measured on a real Windmill (see `/work/shared/notes/incumbent.md`):
//! - errors are `text/plain` bodies such as `Not found: Script not found at name f/x` (404),
//!   `Not authorized: Unauthorized` (401: no token, unknown token, or a workspace the token's user
//!   is not a member of) and `Access denied. Required scope: scripts:read` (403: scoped token,
//!   e.g. a `mcp:all` token on any REST route);
//! - JSON bodies are parsed like axum's `Json`: wrong content type 415, invalid JSON 400, valid
//!   JSON of the wrong shape (missing required field, bad enum value) 422;
//! - creates answer `201 text/plain` (a hash for scripts, a uuid for runs, a message otherwise);
//! - `POST /api/w/{w}/jobs/run_wait_result/p/{path}` answers 200 with the result as JSON, or 422
//!   with `{"error":{"name":"ExecutionErr","message":...,"exit_code":3}}` when the script fails
//!   (any script whose path contains `fail`);
//! - `GET /api/w/{w}/scripts/list` items carry no `schema` (nor `content`); `GET .../flows/list`
//!   items carry no `value`. (Both are required by Windmill's own spec: the real server does not
//!   follow it there, and neither does this fake.)
//!
//! The fake never panics on bad input; it answers an error instead.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------
// Well-known names of the seeded data
// ---------------------------------------------------------------------------------------------

/// Member of workspace `demo` (admin there), no scopes.
pub const TOKEN_ALICE: &str = "tok-alice";
/// Member of workspace `other`, no scopes.
pub const TOKEN_BOB: &str = "tok-bob";
/// Superadmin: every workspace, no scopes.
pub const TOKEN_ADMIN: &str = "tok-admin";
/// Alice's token made for Windmill's own MCP server: scope `mcp:all` only, so every REST route
/// answers 403 `Access denied. Required scope: <domain>:<action>`.
pub const TOKEN_MCP_ONLY: &str = "tok-mcp-only";
/// Alice, workspace `demo`, scope `scripts:read` only.
pub const TOKEN_SCRIPTS_READ: &str = "tok-scripts-read";

pub const WS_DEMO: &str = "demo";
pub const WS_OTHER: &str = "other";

pub const DEFAULT_VERSION: &str = "CE v1.743.0";
pub const DEFAULT_OPENAPI_JSON: &str = "/work/shared/windmill-openapi/served-v1.740.0/openapi.json";

/// Seeded script hashes (workspace `demo` unless noted).
pub const HASH_MY_SCRIPT: &str = "a1b2c3d4e5f60718";
pub const HASH_HELLO: &str = "b2c3d4e5f6071829";
pub const HASH_HELLO_OLD: &str = "0f0e0d0c0b0a0908";
pub const HASH_ALWAYS_FAIL: &str = "c3d4e5f607182930";
pub const HASH_WITH_RESOURCE: &str = "d4e5f60718293041";
pub const HASH_OTHER_CLEANUP: &str = "e5f6071829304152";
pub const HASH_OTHER_REPORT: &str = "f607182930415263";

/// Seeded job ids.
pub const JOB_DEMO_SUCCESS: &str = "01900000-0000-7000-8000-000000000001";
pub const JOB_DEMO_FAILURE: &str = "01900000-0000-7000-8000-000000000002";
pub const JOB_DEMO_QUEUED: &str = "01900000-0000-7000-8000-000000000003";
pub const JOB_OTHER_SUCCESS: &str = "01900000-0000-7000-8000-000000000004";

const WORKER_NAME: &str = "wk-default-1a2b3-abcde";

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/// A bearer token the fake accepts.
#[derive(Clone, Debug)]
pub struct FakeToken {
    pub username: String,
    pub email: String,
    pub is_admin: bool,
    /// `None`: every workspace (superadmin). Otherwise the workspaces the user is a member of.
    pub workspaces: Option<Vec<String>>,
    /// `None` (or empty): unscoped token. Otherwise Windmill-style scopes such as
    /// `scripts:read`, `jobs:run:scripts`, `variables:write`, `*`, or `mcp:all`.
    pub scopes: Option<Vec<String>>,
}

impl FakeToken {
    pub fn member(username: &str, workspaces: &[&str]) -> Self {
        FakeToken {
            username: username.to_string(),
            email: format!("{username}@example.com"),
            is_admin: false,
            workspaces: Some(workspaces.iter().map(|w| w.to_string()).collect()),
            scopes: None,
        }
    }

    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = Some(scopes.iter().map(|s| s.to_string()).collect());
        self
    }
}

#[derive(Clone, Debug)]
pub struct Script {
    pub path: String,
    pub hash: String,
    pub parent_hashes: Vec<String>,
    pub summary: String,
    pub description: String,
    pub content: String,
    /// A Windmill `ScriptLang`: python3, deno, bun, bash, go, ...
    pub language: String,
    /// script, failure, trigger, command, approval, preprocessor
    pub kind: String,
    pub schema: Value,
    pub created_by: String,
    pub created_at: String,
    pub archived: bool,
    pub deleted: bool,
    pub is_template: bool,
    pub starred: bool,
    pub tag: Option<String>,
    pub lock: Option<String>,
    /// Result of every run. `None`: the run echoes its arguments (an object).
    pub result: Option<Value>,
    /// `None`: everyone in the workspace sees it. Otherwise only these usernames (Windmill's
    /// per-item permissions).
    pub visible_to: Option<Vec<String>>,
}

#[derive(Clone, Debug)]
pub struct Flow {
    pub path: String,
    pub summary: String,
    pub description: String,
    /// The OpenFlow `value` (`{"modules": [...]}`), as given.
    pub value: Value,
    pub schema: Option<Value>,
    pub edited_by: String,
    pub edited_at: String,
    pub archived: bool,
    pub starred: bool,
    pub tag: Option<String>,
    pub version_id: i64,
    /// `None`: everyone in the workspace sees it. Otherwise only these usernames.
    pub visible_to: Option<Vec<String>>,
}

#[derive(Clone, Debug)]
pub struct App {
    pub path: String,
    pub summary: String,
    pub value: Value,
    pub policy: Value,
    pub created_by: String,
    pub edited_at: String,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub path: String,
    pub resource_type: String,
    pub value: Value,
    pub description: String,
    pub created_by: String,
    pub edited_at: String,
}

#[derive(Clone, Debug)]
pub struct ResourceType {
    pub name: String,
    pub schema: Value,
    pub description: String,
    pub created_by: String,
    pub edited_at: String,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub path: String,
    pub value: String,
    pub is_secret: bool,
    pub description: String,
    pub account: Option<i64>,
    pub is_oauth: bool,
    pub expires_at: Option<String>,
    pub edited_by: String,
    pub edited_at: String,
}

#[derive(Clone, Debug)]
pub struct Schedule {
    pub path: String,
    /// Cron with seconds (6 fields), e.g. `0 0 2 * * *`.
    pub schedule: String,
    pub timezone: String,
    pub script_path: String,
    pub is_flow: bool,
    pub args: Value,
    pub enabled: bool,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub edited_by: String,
    pub email: String,
    pub edited_at: String,
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: String,
    /// Windmill job_kind: script, flow, preview, ...
    pub kind: String,
    pub script_path: Option<String>,
    pub script_hash: Option<String>,
    pub args: Value,
    pub created_by: String,
    pub email: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub scheduled_for: String,
    /// `false`: still in the queue (listed by listQueue, rendered as a `QueuedJob`).
    pub completed: bool,
    /// Outcome, meaningful once completed (planned in advance for queued jobs).
    pub success: bool,
    pub result: Value,
    pub logs: String,
    pub language: Option<String>,
    pub raw_code: Option<String>,
    pub tag: String,
    pub duration_ms: i64,
    pub schedule_path: Option<String>,
    /// For queued jobs: how many more `getJob` calls see it queued before it completes.
    /// `u32::MAX` keeps it queued for ever.
    pub pending_polls: u32,
    /// Set when the job was cancelled (the reason).
    pub canceled: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Worker {
    pub worker: String,
    pub worker_instance: String,
    pub worker_group: String,
    pub ip: String,
    pub jobs_executed: i64,
    pub custom_tags: Vec<String>,
    pub started_at: String,
    pub wm_version: String,
}

/// A documentation page served by searchDocs / readDocsPage. `text` is markdown; `## ` headings
/// are the sections readDocsPage can return alone.
#[derive(Clone, Debug)]
pub struct DocPage {
    pub url: String,
    pub title: String,
    pub text: String,
}

#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub id: String,
    /// Every version of every script, oldest first; older versions are `archived`.
    pub scripts: Vec<Script>,
    pub flows: BTreeMap<String, Flow>,
    pub apps: BTreeMap<String, App>,
    pub resources: BTreeMap<String, Resource>,
    /// Workspace-specific resource types (listed together with `FakeState::global_resource_types`).
    pub resource_types: Vec<ResourceType>,
    pub variables: BTreeMap<String, Variable>,
    pub schedules: BTreeMap<String, Schedule>,
    /// Oldest first.
    pub jobs: Vec<Job>,
}

impl Workspace {
    pub fn new(id: &str) -> Self {
        Workspace {
            id: id.to_string(),
            ..Default::default()
        }
    }

    /// The deployed (latest, not archived, not deleted) version of a script.
    pub fn script(&self, path: &str) -> Option<&Script> {
        self.scripts
            .iter()
            .rev()
            .find(|s| s.path == path && !s.archived && !s.deleted)
    }

    pub fn script_by_hash(&self, hash: &str) -> Option<&Script> {
        self.scripts.iter().find(|s| s.hash == hash)
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }
}

/// What an [`Injection`] answers instead of the real handler.
#[derive(Clone, Debug)]
pub struct InjectedResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Failure / latency injection, checked (in order) before authentication on every request.
#[derive(Clone, Debug)]
pub struct Injection {
    /// `None`: any method.
    pub method: Option<String>,
    /// Matches when the raw request path (with `/api`, still percent-encoded) contains this.
    pub path_contains: String,
    /// `Some(n)`: applies to the next n matching requests, then disappears. `None`: for ever.
    pub remaining: Option<usize>,
    /// Sleep before answering (or before handling normally when `response` is `None`).
    pub delay: Option<Duration>,
    /// `None`: after the delay, handle the request normally.
    pub response: Option<InjectedResponse>,
}

impl Injection {
    /// Answer `status` with a text/plain `body` to the next request whose path contains
    /// `path_contains`.
    pub fn fail(path_contains: &str, status: u16, body: &str) -> Self {
        Injection {
            method: None,
            path_contains: path_contains.to_string(),
            remaining: Some(1),
            delay: None,
            response: Some(InjectedResponse {
                status,
                content_type: "text/plain".to_string(),
                body: body.as_bytes().to_vec(),
            }),
        }
    }

    /// Answer `status` with a JSON body to the next matching request.
    pub fn fail_json(path_contains: &str, status: u16, body: &Value) -> Self {
        let mut inj = Injection::fail(path_contains, status, "");
        inj.response = Some(InjectedResponse {
            status,
            content_type: "application/json".to_string(),
            body: body.to_string().into_bytes(),
        });
        inj
    }

    /// Delay the next matching request, then handle it normally.
    pub fn delay(path_contains: &str, delay: Duration) -> Self {
        Injection {
            method: None,
            path_contains: path_contains.to_string(),
            remaining: Some(1),
            delay: Some(delay),
            response: None,
        }
    }

    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    pub fn times(mut self, n: usize) -> Self {
        self.remaining = Some(n);
        self
    }

    pub fn forever(mut self) -> Self {
        self.remaining = None;
        self
    }

    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

/// Everything the fake knows. Public so tests can arrange and inspect it.
#[derive(Clone, Debug)]
pub struct FakeState {
    /// Body of `GET /api/version`.
    pub version: String,
    /// File served as `GET /api/openapi.json` (read on every request).
    pub openapi_json_path: PathBuf,
    pub tokens: BTreeMap<String, FakeToken>,
    pub workspaces: BTreeMap<String, Workspace>,
    /// Resource types every workspace sees (Windmill's `admins` workspace ones).
    pub global_resource_types: Vec<ResourceType>,
    pub workers: Vec<Worker>,
    pub docs: Vec<DocPage>,
    /// Applied to every request (before injections).
    pub delay: Option<Duration>,
    pub injections: Vec<Injection>,
    /// Jobs started by runScriptByPath / runFlowByPath stay queued for this many `getJob` polls.
    pub job_pending_polls: u32,
    /// Page size when `per_page` is absent (Windmill documents 30).
    pub default_per_page: usize,
    /// Upper bound applied to `per_page`.
    pub max_per_page: usize,
}

impl Default for FakeState {
    fn default() -> Self {
        FakeState::seeded()
    }
}

impl FakeState {
    /// No tokens, no workspaces, no data.
    pub fn empty() -> Self {
        FakeState {
            version: DEFAULT_VERSION.to_string(),
            openapi_json_path: PathBuf::from(DEFAULT_OPENAPI_JSON),
            tokens: BTreeMap::new(),
            workspaces: BTreeMap::new(),
            global_resource_types: Vec::new(),
            workers: Vec::new(),
            docs: Vec::new(),
            delay: None,
            injections: Vec::new(),
            job_pending_polls: 0,
            default_per_page: 30,
            max_per_page: 1000,
        }
    }

    pub fn workspace(&self, id: &str) -> Option<&Workspace> {
        self.workspaces.get(id)
    }

    pub fn workspace_mut(&mut self, id: &str) -> Option<&mut Workspace> {
        self.workspaces.get_mut(id)
    }

    /// The default data set: see the module's seed functions for every path.
    pub fn seeded() -> Self {
        let mut st = FakeState::empty();
        st.tokens.insert(
            TOKEN_ALICE.into(),
            FakeToken {
                is_admin: true,
                ..FakeToken::member("alice", &[WS_DEMO])
            },
        );
        st.tokens
            .insert(TOKEN_BOB.into(), FakeToken::member("bob", &[WS_OTHER]));
        st.tokens.insert(
            TOKEN_ADMIN.into(),
            FakeToken {
                username: "admin".into(),
                email: "admin@windmill.dev".into(),
                is_admin: true,
                workspaces: None,
                scopes: None,
            },
        );
        st.tokens.insert(
            TOKEN_MCP_ONLY.into(),
            FakeToken::member("alice", &[WS_DEMO]).with_scopes(&["mcp:all"]),
        );
        st.tokens.insert(
            TOKEN_SCRIPTS_READ.into(),
            FakeToken::member("alice", &[WS_DEMO]).with_scopes(&["scripts:read"]),
        );
        st.global_resource_types = seed_global_resource_types();
        st.workspaces.insert(WS_DEMO.into(), seed_demo());
        st.workspaces.insert(WS_OTHER.into(), seed_other());
        st.workers = seed_workers();
        st.docs = seed_docs();
        st
    }
}

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Raw path as sent, with `/api`, still percent-encoded.
    pub path: String,
    /// Raw query string (without `?`).
    pub query: Option<String>,
    /// Bearer token (or `token` cookie, or `?token=`), as Windmill would read it.
    pub token: Option<String>,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
}

impl Recorded {
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Query parameters, percent-decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        parse_query(self.query.as_deref().unwrap_or(""))
    }
}

// ---------------------------------------------------------------------------------------------
// The server handle
// ---------------------------------------------------------------------------------------------

pub type SharedState = Arc<Mutex<FakeState>>;

/// A running fake. Dropping it stops the server.
pub struct FakeWindmill {
    /// `http://127.0.0.1:PORT` (no `/api`).
    pub base_url: String,
    pub addr: SocketAddr,
    state: SharedState,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeWindmill {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Start a fake with [`FakeState::seeded`].
pub async fn start() -> FakeWindmill {
    start_with(FakeState::seeded()).await
}

/// Start a fake with the given state.
pub async fn start_with(state: FakeState) -> FakeWindmill {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("fake windmill: cannot bind 127.0.0.1:0");
    let addr = listener
        .local_addr()
        .expect("fake windmill: no local address");
    let app = AppState {
        state: Arc::new(Mutex::new(state)),
        requests: Arc::new(Mutex::new(Vec::new())),
    };
    let router = router(app.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    FakeWindmill {
        base_url: format!("http://{addr}"),
        addr,
        state: app.state,
        requests: app.requests,
        task,
    }
}

impl FakeWindmill {
    /// `http://127.0.0.1:PORT/api`
    pub fn api_url(&self) -> String {
        format!("{}/api", self.base_url)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.requests).clone()
    }

    /// Requests whose method matches (case-insensitive) and whose raw path contains `path_contains`.
    pub fn requests_matching(&self, method: &str, path_contains: &str) -> Vec<Recorded> {
        lock(&self.requests)
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.contains(path_contains))
            .cloned()
            .collect()
    }

    pub fn last_request(&self) -> Option<Recorded> {
        lock(&self.requests).last().cloned()
    }

    pub fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    /// Lock the state. Do not hold the guard across an `.await`: the server needs it.
    pub fn state(&self) -> MutexGuard<'_, FakeState> {
        lock(&self.state)
    }

    pub fn shared_state(&self) -> SharedState {
        self.state.clone()
    }

    /// The next request whose raw path contains `path_contains` gets `status` with a
    /// text/plain `body` (before authentication, so any route can be made to fail).
    pub fn fail_next(&self, path_contains: &str, status: u16, body: &str) {
        self.inject(Injection::fail(path_contains, status, body));
    }

    pub fn fail_next_json(&self, path_contains: &str, status: u16, body: &Value) {
        self.inject(Injection::fail_json(path_contains, status, body));
    }

    pub fn inject(&self, injection: Injection) {
        self.state().injections.push(injection);
    }

    pub fn clear_injections(&self) {
        self.state().injections.clear();
    }

    /// Delay every request by `delay` (`None` to stop).
    pub fn set_delay(&self, delay: Option<Duration>) {
        self.state().delay = delay;
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    content_type: &'static str,
    body: String,
}

impl ApiError {
    fn text(status: StatusCode, body: impl Into<String>) -> Self {
        ApiError {
            status,
            content_type: "text/plain",
            body: body.into(),
        }
    }
    fn not_found(msg: impl std::fmt::Display) -> Self {
        Self::text(StatusCode::NOT_FOUND, format!("Not found: {msg}"))
    }
    fn not_found_at(kind: &str, path: &str) -> Self {
        Self::not_found(format!("{kind} not found at name {path}"))
    }
    fn bad_request(msg: impl std::fmt::Display) -> Self {
        Self::text(StatusCode::BAD_REQUEST, format!("Bad request: {msg}"))
    }
    fn unauthorized() -> Self {
        Self::text(StatusCode::UNAUTHORIZED, "Not authorized: Unauthorized")
    }
    fn missing_scope(scope: &str) -> Self {
        Self::text(
            StatusCode::FORBIDDEN,
            format!("Access denied. Required scope: {scope}"),
        )
    }
    fn internal(msg: impl std::fmt::Display) -> Self {
        Self::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Internal: {msg}"),
        )
    }
    fn query(name: &str, msg: &str) -> Self {
        Self::text(
            StatusCode::BAD_REQUEST,
            format!("Failed to deserialize query string: {name}: {msg}"),
        )
    }
    fn unprocessable(msg: impl std::fmt::Display) -> Self {
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

type ApiResult = Result<Response, ApiError>;

fn created(body: impl Into<String>) -> Response {
    (StatusCode::CREATED, body.into()).into_response()
}

fn ok_text(body: impl Into<String>) -> Response {
    (StatusCode::OK, body.into()).into_response()
}

fn ok_json(v: Value) -> Response {
    (StatusCode::OK, Json(v)).into_response()
}

// ---------------------------------------------------------------------------------------------
// Router, recording, injections, authentication
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct AppState {
    state: SharedState,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl AppState {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        lock(&self.state)
    }
}

/// Who made the request (inserted by the gate for authenticated routes).
#[derive(Clone, Debug)]
struct Authed {
    username: String,
    email: String,
}

type Q = Query<HashMap<String, String>>;
type WsPath = Path<(String, String)>;

fn router(app: AppState) -> Router {
    let w = "/api/w/{workspace}";
    Router::new()
        .route("/api/version", get(version))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs/search", get(search_docs))
        .route("/api/docs/page", get(read_docs_page))
        .route("/api/workers/list", get(list_workers))
        // variables
        .route(&format!("{w}/variables/create"), post(create_variable))
        .route(
            &format!("{w}/variables/delete/{{*path}}"),
            delete(delete_variable),
        )
        .route(
            &format!("{w}/variables/update/{{*path}}"),
            post(update_variable),
        )
        .route(&format!("{w}/variables/get/{{*path}}"), get(get_variable))
        .route(&format!("{w}/variables/list"), get(list_variables))
        // resources
        .route(&format!("{w}/resources/create"), post(create_resource))
        .route(
            &format!("{w}/resources/delete/{{*path}}"),
            delete(delete_resource),
        )
        .route(
            &format!("{w}/resources/update/{{*path}}"),
            post(update_resource),
        )
        .route(&format!("{w}/resources/get/{{*path}}"), get(get_resource))
        .route(&format!("{w}/resources/list"), get(list_resources))
        .route(
            &format!("{w}/resources/type/list"),
            get(list_resource_types),
        )
        // scripts
        .route(&format!("{w}/scripts/list"), get(list_scripts))
        .route(&format!("{w}/scripts/create"), post(create_script))
        .route(
            &format!("{w}/scripts/delete/h/{{hash}}"),
            post(delete_script_by_hash),
        )
        .route(
            &format!("{w}/scripts/delete/p/{{*path}}"),
            post(delete_script_by_path),
        )
        .route(
            &format!("{w}/scripts/get/p/{{*path}}"),
            get(get_script_by_path),
        )
        // flows
        .route(&format!("{w}/flows/list"), get(list_flows))
        .route(&format!("{w}/flows/get/{{*path}}"), get(get_flow_by_path))
        .route(&format!("{w}/flows/create"), post(create_flow))
        .route(&format!("{w}/flows/update/{{*path}}"), post(update_flow))
        .route(
            &format!("{w}/flows/delete/{{*path}}"),
            delete(delete_flow_by_path),
        )
        // apps
        .route(&format!("{w}/apps/create"), post(create_app))
        .route(&format!("{w}/apps/update/{{*path}}"), post(update_app))
        // jobs
        .route(
            &format!("{w}/jobs/run/p/{{*path}}"),
            post(run_script_by_path),
        )
        .route(&format!("{w}/jobs/run/f/{{*path}}"), post(run_flow_by_path))
        .route(
            &format!("{w}/jobs/run_wait_result/p/{{*path}}"),
            post(run_wait_result_by_path),
        )
        .route(
            &format!("{w}/jobs/run_wait_result/preview"),
            post(run_preview_and_wait),
        )
        .route(&format!("{w}/jobs/queue/list"), get(list_queue))
        .route(&format!("{w}/jobs/list"), get(list_jobs))
        .route(&format!("{w}/jobs_u/get/{{id}}"), get(get_job))
        .route(&format!("{w}/jobs_u/get_logs/{{id}}"), get(get_job_logs))
        .route(
            &format!("{w}/jobs_u/completed/get_result_maybe/{{id}}"),
            get(get_result_maybe),
        )
        .route(&format!("{w}/jobs_u/queue/cancel/{{id}}"), post(cancel_job))
        // schedules
        .route(&format!("{w}/schedules/create"), post(create_schedule))
        .route(
            &format!("{w}/schedules/update/{{*path}}"),
            post(update_schedule),
        )
        .route(
            &format!("{w}/schedules/delete/{{*path}}"),
            delete(delete_schedule),
        )
        .route(&format!("{w}/schedules/get/{{*path}}"), get(get_schedule))
        .route(&format!("{w}/schedules/list"), get(list_schedules))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

async fn fallback(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}

/// Records the request, applies delays and injections, then authenticates.
async fn gate(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => return ApiError::bad_request(format!("cannot read body: {e}")).into_response(),
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let token = extract_token(&parts.headers, query.as_deref());
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    lock(&app.requests).push(Recorded {
        method: parts.method.as_str().to_string(),
        path: path.clone(),
        query: query.clone(),
        token: token.clone(),
        content_type,
        headers,
        body: bytes.to_vec(),
        json: if bytes.is_empty() {
            None
        } else {
            serde_json::from_slice(&bytes).ok()
        },
    });

    let (delays, injected, auth) = {
        let mut st = app.lock();
        let mut delays = Vec::new();
        if let Some(d) = st.delay {
            delays.push(d);
        }
        let mut injected = None;
        let method = parts.method.as_str();
        let pos = st.injections.iter().position(|inj| {
            path.contains(&inj.path_contains)
                && inj
                    .method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        });
        if let Some(pos) = pos {
            let inj = st.injections[pos].clone();
            match inj.remaining {
                Some(n) if n <= 1 => {
                    st.injections.remove(pos);
                }
                Some(n) => st.injections[pos].remaining = Some(n - 1),
                None => {}
            }
            if let Some(d) = inj.delay {
                delays.push(d);
            }
            injected = inj.response;
        }
        let auth = if is_public(&path) {
            Ok(None)
        } else {
            authorize(&st, &parts.method, &path, token.as_deref()).map(Some)
        };
        (delays, injected, auth)
    };
    for d in delays {
        tokio::time::sleep(d).await;
    }
    if let Some(inj) = injected {
        let status = StatusCode::from_u16(inj.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, inj.body).into_response();
        if let Ok(ct) = HeaderValue::from_str(&inj.content_type) {
            resp.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        return resp;
    }
    match auth {
        Ok(authed) => {
            if let Some(authed) = authed {
                parts.extensions.insert(authed);
            }
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) => e.into_response(),
    }
}

fn is_public(path: &str) -> bool {
    path == "/api/version" || path == "/api/openapi.json" || !path.starts_with("/api/")
}

fn extract_token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.strip_prefix("Bearer "))
    {
        return Some(t.to_string());
    }
    for cookie in headers.get_all(header::COOKIE) {
        if let Ok(s) = cookie.to_str() {
            for kv in s.split(';') {
                if let Some(t) = kv.trim().strip_prefix("token=") {
                    return Some(t.to_string());
                }
            }
        }
    }
    parse_query(query.unwrap_or(""))
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
}

fn authorize(
    st: &FakeState,
    method: &Method,
    path: &str,
    token: Option<&str>,
) -> Result<Authed, ApiError> {
    let token = token.ok_or_else(ApiError::unauthorized)?;
    let info = st.tokens.get(token).ok_or_else(ApiError::unauthorized)?;
    let segs: Vec<&str> = path.split('/').collect();
    if segs.len() >= 4 && segs[1] == "api" && segs[2] == "w" {
        let w = segs[3];
        match &info.workspaces {
            Some(list) if !list.iter().any(|x| x == w) => return Err(ApiError::unauthorized()),
            _ => {}
        }
        if !st.workspaces.contains_key(w) {
            return Err(if info.workspaces.is_some() {
                ApiError::unauthorized()
            } else {
                ApiError::not_found(format!("workspace {w} does not exist"))
            });
        }
    }
    if let Some(scopes) = info.scopes.as_ref().filter(|s| !s.is_empty()) {
        let required = required_scope(method, path);
        if !scopes.iter().any(|s| scope_grants(s, &required, path)) {
            return Err(ApiError::missing_scope(&required));
        }
    }
    Ok(Authed {
        username: info.username.clone(),
        email: info.email.clone(),
    })
}

/// Windmill's REST scope for a route: `<domain>:<action>` where the domain is the path segment
/// after the workspace (`jobs_u` counts as `jobs`) and the action comes from the method
/// (GET read, POST/PUT/PATCH write, DELETE delete); running a script or flow needs
/// `jobs:run:scripts` / `jobs:run:flows`.
pub fn required_scope(method: &Method, path: &str) -> String {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (domain, rest): (&str, &[&str]) = if segs.get(1) == Some(&"w") {
        (
            segs.get(3).copied().unwrap_or(""),
            segs.get(4..).unwrap_or(&[]),
        )
    } else {
        (
            segs.get(1).copied().unwrap_or(""),
            segs.get(2..).unwrap_or(&[]),
        )
    };
    let domain = if domain == "jobs_u" { "jobs" } else { domain };
    if domain == "jobs" && rest.first().is_some_and(|s| s.starts_with("run")) {
        let kind = rest.get(1).copied().unwrap_or("");
        return if kind == "f" || kind.starts_with("preview_flow") {
            "jobs:run:flows".to_string()
        } else {
            "jobs:run:scripts".to_string()
        };
    }
    let action = match *method {
        Method::GET | Method::HEAD | Method::OPTIONS => "read",
        Method::DELETE => "delete",
        _ => "write",
    };
    format!("{domain}:{action}")
}

fn scope_grants(token_scope: &str, required: &str, path: &str) -> bool {
    if token_scope == "*" {
        return true;
    }
    let tp: Vec<&str> = token_scope.split(':').collect();
    let rp: Vec<&str> = required.split(':').collect();
    if tp.len() < 2 || rp.len() < 2 || tp[0] != rp[0] {
        return false;
    }
    if tp[1] == "admin" {
        return true;
    }
    if !(tp[1] == rp[1] || (tp[1] == "write" && rp[1] == "read")) {
        return false;
    }
    let mut i = 2;
    while i < rp.len() {
        match tp.get(i) {
            None => return true,
            Some(x) if *x == rp[i] || *x == "*" => i += 1,
            Some(_) => return false,
        }
    }
    if i >= tp.len() {
        return true;
    }
    // what is left is a resource pattern: `*`, `f/folder/*`, `u/alice/script`
    let pattern = tp[i..].join(":");
    match pattern.strip_suffix('*') {
        Some(prefix) => path.contains(prefix),
        None => path.contains(pattern.as_str()),
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

static NEXT_ID: AtomicU64 = AtomicU64::new(0x1000);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

fn new_job_id() -> String {
    format!("01900000-0000-7000-8000-{:012x}", next_id())
}

fn new_hash(path: &str, content: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut h);
    content.hash(&mut h);
    next_id().hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Current time as RFC 3339 (UTC, milliseconds).
pub fn now_rfc3339() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    fmt_rfc3339(d.as_secs() as i64, d.subsec_millis())
}

fn fmt_rfc3339(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // civil-from-days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(kv), String::new()),
        })
        .collect()
}

fn q_usize(q: &HashMap<String, String>, name: &str) -> Result<Option<usize>, ApiError> {
    match q.get(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<usize>()
            .map(Some)
            .map_err(|_| ApiError::query(name, "invalid digit found in string")),
    }
}

fn q_bool(q: &HashMap<String, String>, name: &str) -> Result<Option<bool>, ApiError> {
    match q.get(name).map(String::as_str) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(ApiError::query(
            name,
            "provided string was not `true` or `false`",
        )),
    }
}

fn q_str<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    q.get(name).map(String::as_str).filter(|s| !s.is_empty())
}

fn q_list(q: &HashMap<String, String>, name: &str) -> Option<Vec<String>> {
    q_str(q, name).map(|s| s.split(',').map(|x| x.trim().to_string()).collect())
}

/// `page` starts at 1; `per_page` defaults to `default_per_page`, capped at `max_per_page`.
fn paginate<T>(
    items: Vec<T>,
    q: &HashMap<String, String>,
    st: &FakeState,
) -> Result<Vec<T>, ApiError> {
    let page = q_usize(q, "page")?.unwrap_or(1).max(1);
    let per_page = q_usize(q, "per_page")?
        .unwrap_or(st.default_per_page)
        .clamp(1, st.max_per_page.max(1));
    Ok(items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect())
}

fn parse_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !(mime == "application/json" || mime.ends_with("+json")) {
        return Err(ApiError::text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Expected request with `Content-Type: application/json`",
        ));
    }
    serde_json::from_slice::<T>(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::unprocessable(e),
        _ => ApiError::text(
            StatusCode::BAD_REQUEST,
            format!("Failed to parse the request body as JSON: {e}"),
        ),
    })
}

/// Arguments of a run: empty body = `{}`, otherwise a JSON object.
fn parse_args(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::bad_request("script args must be a JSON object")),
        Err(e) => Err(ApiError::text(
            StatusCode::BAD_REQUEST,
            format!("Failed to parse the request body as JSON: {e}"),
        )),
    }
}

const SCRIPT_LANGS: &[&str] = &[
    "python3",
    "deno",
    "go",
    "bash",
    "powershell",
    "postgresql",
    "mysql",
    "bigquery",
    "snowflake",
    "mssql",
    "oracledb",
    "graphql",
    "nativets",
    "bun",
    "php",
    "rust",
    "ansible",
    "csharp",
    "nu",
    "java",
    "ruby",
    "rlang",
    "duckdb",
    "bunnative",
];
const SCRIPT_KINDS: &[&str] = &[
    "script",
    "failure",
    "trigger",
    "command",
    "approval",
    "preprocessor",
];

fn check_enum(field: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!(
            "{field}: unknown variant `{value}`, expected one of {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// Windmill paths: `u/<user>/<name...>` or `f/<folder>/<name...>`.
fn check_item_path(path: &str) -> Result<(), ApiError> {
    let segs: Vec<&str> = path.split('/').collect();
    let ok = segs.len() >= 3
        && (segs[0] == "u" || segs[0] == "f")
        && segs
            .iter()
            .all(|s| !s.is_empty() && *s != ".." && *s != ".");
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid path `{path}`: it must look like u/<user>/<name> or f/<folder>/<name>"
        )))
    }
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        m.insert(k.to_string(), v.into());
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Run `f` on workspace `w` (the gate already checked it exists).
fn with_ws<R>(
    app: &AppState,
    w: &str,
    f: impl FnOnce(&mut Workspace, &FakeState) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    let mut st = app.lock();
    let mut ws = st
        .workspaces
        .remove(w)
        .ok_or_else(|| ApiError::not_found(format!("workspace {w} does not exist")))?;
    let r = f(&mut ws, &st);
    st.workspaces.insert(w.to_string(), ws);
    r
}

// ---------------------------------------------------------------------------------------------
// JSON renderings
// ---------------------------------------------------------------------------------------------

fn script_json(w: &str, s: &Script) -> Value {
    let mut m = obj(json!({
        "workspace_id": w,
        "hash": s.hash,
        "path": s.path,
        "parent_hashes": s.parent_hashes,
        "summary": s.summary,
        "description": s.description,
        "content": s.content,
        "created_by": s.created_by,
        "created_at": s.created_at,
        "archived": s.archived,
        "schema": s.schema,
        "deleted": s.deleted,
        "is_template": s.is_template,
        "extra_perms": {},
        "language": s.language,
        "kind": s.kind,
        "starred": s.starred,
        "draft_only": false,
        "envs": [],
        "dedicated_worker": false,
        "ws_error_handler_muted": false,
        "has_preprocessor": false,
        "visible_to_runner_only": false,
        "labels": [],
    }));
    put(&mut m, "tag", s.tag.clone());
    put(&mut m, "lock", s.lock.clone());
    Value::Object(m)
}

/// The keys a real Windmill puts in `scripts/list` items (no `schema`, no `content`).
fn script_list_json(s: &Script) -> Value {
    let mut m = obj(json!({
        "hash": s.hash,
        "path": s.path,
        "summary": s.summary,
        "description": s.description,
        "created_at": s.created_at,
        "archived": s.archived,
        "extra_perms": {},
        "language": s.language,
        "starred": s.starred,
        "has_deploy_errors": false,
        "ws_error_handler_muted": false,
        "kind": s.kind,
    }));
    put(&mut m, "tag", s.tag.clone());
    Value::Object(m)
}

fn flow_json(w: &str, f: &Flow) -> Value {
    let mut m = obj(json!({
        "workspace_id": w,
        "path": f.path,
        "summary": f.summary,
        "description": f.description,
        "value": f.value,
        "edited_by": f.edited_by,
        "edited_at": f.edited_at,
        "archived": f.archived,
        "extra_perms": {},
        "starred": f.starred,
        "draft_only": false,
        "labels": [],
        "version_id": f.version_id,
    }));
    put(&mut m, "schema", f.schema.clone());
    put(&mut m, "tag", f.tag.clone());
    Value::Object(m)
}

/// Windmill's `ListableFlow` (no `value`, no `schema`).
fn flow_list_json(w: &str, f: &Flow) -> Value {
    json!({
        "workspace_id": w,
        "path": f.path,
        "summary": f.summary,
        "description": f.description,
        "edited_by": f.edited_by,
        "edited_at": f.edited_at,
        "archived": f.archived,
        "extra_perms": {},
        "starred": f.starred,
        "has_draft": false,
        "draft_only": false,
    })
}

fn variable_json(w: &str, v: &Variable, with_value: bool) -> Value {
    let mut m = obj(json!({
        "workspace_id": w,
        "path": v.path,
        "is_secret": v.is_secret,
        "description": v.description,
        "extra_perms": {},
        "is_oauth": v.is_oauth,
        "is_expired": false,
        "is_linked": false,
        "is_refreshed": false,
        "edited_by": v.edited_by,
        "edited_at": v.edited_at,
        "labels": [],
    }));
    if with_value {
        m.insert("value".into(), Value::String(v.value.clone()));
    }
    put(&mut m, "account", v.account);
    put(&mut m, "expires_at", v.expires_at.clone());
    Value::Object(m)
}

fn resource_json(w: &str, r: &Resource) -> Value {
    json!({
        "workspace_id": w,
        "path": r.path,
        "resource_type": r.resource_type,
        "value": r.value,
        "description": r.description,
        "is_oauth": false,
        "extra_perms": {},
        "is_expired": false,
        "is_linked": false,
        "is_refreshed": false,
        "created_by": r.created_by,
        "edited_at": r.edited_at,
        "labels": [],
    })
}

fn resource_type_json(w: &str, rt: &ResourceType) -> Value {
    json!({
        "workspace_id": w,
        "name": rt.name,
        "schema": rt.schema,
        "description": rt.description,
        "created_by": rt.created_by,
        "edited_at": rt.edited_at,
        "is_fileset": false,
    })
}

fn schedule_json(w: &str, s: &Schedule) -> Value {
    let mut m = obj(json!({
        "workspace_id": w,
        "path": s.path,
        "edited_by": s.edited_by,
        "edited_at": s.edited_at,
        "schedule": s.schedule,
        "timezone": s.timezone,
        "enabled": s.enabled,
        "script_path": s.script_path,
        "is_flow": s.is_flow,
        "args": s.args,
        "extra_perms": {},
        "email": s.email,
        "permissioned_as": format!("u/{}", s.edited_by),
        "ws_error_handler_muted": false,
        "no_flow_overlap": false,
        "cron_version": "v2",
        "labels": [],
    }));
    put(&mut m, "summary", s.summary.clone());
    put(&mut m, "description", s.description.clone());
    Value::Object(m)
}

fn job_json(w: &str, j: &Job, with_logs: bool, with_code: bool) -> Value {
    let mut m = Map::new();
    m.insert("workspace_id".into(), json!(w));
    m.insert("id".into(), json!(j.id));
    m.insert("created_by".into(), json!(j.created_by));
    m.insert("created_at".into(), json!(j.created_at));
    put(&mut m, "script_path", j.script_path.clone());
    put(&mut m, "script_hash", j.script_hash.clone());
    m.insert("args".into(), j.args.clone());
    m.insert("canceled".into(), json!(false));
    m.insert("job_kind".into(), json!(j.kind));
    put(&mut m, "schedule_path", j.schedule_path.clone());
    m.insert(
        "permissioned_as".into(),
        json!(format!("u/{}", j.created_by)),
    );
    m.insert("is_flow_step".into(), json!(false));
    put(&mut m, "language", j.language.clone());
    m.insert("email".into(), json!(j.email));
    m.insert("visible_to_owner".into(), json!(true));
    m.insert("tag".into(), json!(j.tag));
    m.insert("priority".into(), json!(0));
    if with_code {
        put(&mut m, "raw_code", j.raw_code.clone());
    }
    if j.completed {
        m.insert(
            "started_at".into(),
            json!(j.started_at.clone().unwrap_or(j.created_at.clone())),
        );
        put(&mut m, "completed_at", j.completed_at.clone());
        m.insert("duration_ms".into(), json!(j.duration_ms));
        m.insert("success".into(), json!(j.success));
        m.insert("result".into(), j.result.clone());
        if with_logs {
            m.insert("logs".into(), json!(j.logs));
        }
        m.insert("deleted".into(), json!(false));
        m.insert("is_skipped".into(), json!(false));
        m.insert("mem_peak".into(), json!(41_000));
        m.insert("worker".into(), json!(WORKER_NAME));
        m.insert("type".into(), json!("CompletedJob"));
    } else {
        let running = j.started_at.is_some();
        put(&mut m, "started_at", j.started_at.clone());
        m.insert("scheduled_for".into(), json!(j.scheduled_for));
        m.insert("running".into(), json!(running));
        if with_logs && running {
            m.insert("logs".into(), json!(""));
        }
        m.insert("type".into(), json!("QueuedJob"));
    }
    Value::Object(m)
}

fn worker_json(wk: &Worker) -> Value {
    json!({
        "worker": wk.worker,
        "worker_instance": wk.worker_instance,
        "ping_at": now_rfc3339(),
        "last_ping": 1,
        "started_at": wk.started_at,
        "ip": wk.ip,
        "jobs_executed": wk.jobs_executed,
        "custom_tags": wk.custom_tags,
        "worker_group": wk.worker_group,
        "wm_version": wk.wm_version,
        "occupancy_rate": 0.05,
        "occupancy_rate_15s": 0.0,
        "occupancy_rate_5m": 0.04,
        "occupancy_rate_30m": 0.05,
        "memory": 2_147_483_648_u64,
        "vcpus": 2,
        "memory_usage": 104_857_600,
        "wm_memory_usage": 52_428_800,
        "native_mode": false,
    })
}

// ---------------------------------------------------------------------------------------------
// Job execution (simulated)
// ---------------------------------------------------------------------------------------------

struct Outcome {
    success: bool,
    result: Value,
    logs: String,
}

/// Scripts and flows whose path contains `fail` fail like a bash script exiting with 3; others
/// return their fixed result or echo their arguments.
fn simulate(
    job_id: &str,
    path: Option<&str>,
    language: &str,
    fixed: Option<&Value>,
    args: &Value,
    force_fail: bool,
) -> Outcome {
    let header =
        format!("job={job_id} tag={language} worker={WORKER_NAME} hostname=fake-windmill\n");
    if force_fail || path.is_some_and(|p| p.contains("fail")) {
        let last = "+ exit 3".to_string();
        let logs = format!(
            "{header}\n--- {} CODE EXECUTION ---\n{last}\n",
            language.to_uppercase()
        );
        let message = format!("exit code for \"{language} run\": 3, last log lines:\n{last}");
        return Outcome {
            success: false,
            result: json!({"error": {"name": "ExecutionErr", "message": message, "exit_code": 3}}),
            logs,
        };
    }
    let result = fixed.cloned().unwrap_or_else(|| args.clone());
    let logs = format!(
        "{header}\n--- {} CODE EXECUTION ---\nargs: {args}\nresult: {result}\n",
        language.to_uppercase()
    );
    Outcome {
        success: true,
        result,
        logs,
    }
}

#[allow(clippy::too_many_arguments)]
fn make_job(
    id: String,
    kind: &str,
    script_path: Option<String>,
    script_hash: Option<String>,
    args: Value,
    who: &Authed,
    language: Option<String>,
    raw_code: Option<String>,
    tag: String,
    outcome: Outcome,
    pending_polls: u32,
) -> Job {
    let now = now_rfc3339();
    let completed = pending_polls == 0;
    Job {
        id,
        kind: kind.to_string(),
        script_path,
        script_hash,
        args,
        created_by: who.username.clone(),
        email: who.email.clone(),
        created_at: now.clone(),
        started_at: if completed { Some(now.clone()) } else { None },
        completed_at: if completed { Some(now.clone()) } else { None },
        scheduled_for: now,
        completed,
        success: outcome.success,
        result: outcome.result,
        logs: outcome.logs,
        language,
        raw_code,
        tag,
        duration_ms: 12,
        schedule_path: None,
        pending_polls,
        canceled: None,
    }
}

/// A getJob poll: a queued job with `pending_polls` left counts one down and completes at zero.
fn poll_job(j: &mut Job) {
    if j.completed || j.pending_polls == u32::MAX {
        return;
    }
    j.pending_polls = j.pending_polls.saturating_sub(1);
    if j.started_at.is_none() {
        j.started_at = Some(now_rfc3339());
    }
    if j.pending_polls == 0 {
        j.completed = true;
        j.completed_at = Some(now_rfc3339());
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers: instance-level
// ---------------------------------------------------------------------------------------------

async fn version(State(app): State<AppState>) -> Response {
    ok_text(app.lock().version.clone())
}

async fn openapi_json(State(app): State<AppState>) -> ApiResult {
    let path = app.lock().openapi_json_path.clone();
    let bytes = std::fs::read(&path)
        .map_err(|e| ApiError::internal(format!("cannot read {}: {e}", path.display())))?;
    let mut resp = (StatusCode::OK, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

async fn list_workers(State(app): State<AppState>, Query(q): Q) -> ApiResult {
    let st = app.lock();
    let items: Vec<Value> = st.workers.iter().map(worker_json).collect();
    Ok(ok_json(Value::Array(paginate(items, &q, &st)?)))
}

fn doc_sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            out.push((h.trim().to_string(), format!("{line}\n")));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

async fn search_docs(State(app): State<AppState>, Query(q): Q) -> ApiResult {
    let query = q_str(&q, "query").unwrap_or("").to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    if words.is_empty() {
        return Err(ApiError::bad_request("query must not be empty"));
    }
    let st = app.lock();
    let mut hits: Vec<(i64, &DocPage, Vec<String>)> = st
        .docs
        .iter()
        .filter_map(|p| {
            let hay = format!("{}\n{}", p.title, p.text).to_lowercase();
            let score: i64 = words.iter().map(|w| hay.matches(w).count() as i64).sum();
            if score == 0 {
                return None;
            }
            let snippets: Vec<String> = p
                .text
                .lines()
                .filter(|l| {
                    let l = l.to_lowercase();
                    !l.trim().is_empty() && words.iter().any(|w| l.contains(w))
                })
                .take(3)
                .map(|l| l.trim().to_string())
                .collect();
            Some((score, p, snippets))
        })
        .collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.0));
    let mut text = format!("Search results for \"{query}\":\n");
    if hits.is_empty() {
        text.push_str("No results.\n");
    }
    let mut results = Vec::new();
    for (i, (score, p, snippets)) in hits.iter().enumerate() {
        text.push_str(&format!(
            "\n{}. {}\nSource URL: {}\n",
            i + 1,
            p.title,
            p.url
        ));
        for s in snippets {
            text.push_str(&format!("   > {s}\n"));
        }
        results.push(json!({"url": p.url, "title": p.title, "score": score, "snippets": snippets}));
    }
    Ok(ok_json(json!({"text": text, "results": results})))
}

async fn read_docs_page(State(app): State<AppState>, Query(q): Q) -> ApiResult {
    let url = q_str(&q, "url").ok_or_else(|| ApiError::bad_request("missing url"))?;
    let st = app.lock();
    let page = st
        .docs
        .iter()
        .find(|p| p.url == url || p.url.ends_with(url) || url.ends_with(p.url.as_str()))
        .ok_or_else(|| ApiError::not_found(format!("docs page not found: {url}")))?;
    let text = match q_str(&q, "section") {
        None => page.text.clone(),
        Some(section) => {
            let sections = doc_sections(&page.text);
            match sections
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(section.trim()))
            {
                Some((_, body)) => body.clone(),
                None => {
                    return Err(ApiError::not_found(format!(
                        "section `{section}` not found in {}; sections: {}",
                        page.url,
                        sections
                            .iter()
                            .map(|(h, _)| h.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
        }
    };
    Ok(ok_json(json!({"text": text, "source_url": page.url})))
}

// ---------------------------------------------------------------------------------------------
// Handlers: variables
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct CreateVariableBody {
    path: String,
    value: String,
    is_secret: bool,
    description: String,
    account: Option<i64>,
    is_oauth: Option<bool>,
    expires_at: Option<String>,
}

#[derive(Deserialize)]
struct EditVariableBody {
    path: Option<String>,
    value: Option<String>,
    is_secret: Option<bool>,
    description: Option<String>,
}

async fn create_variable(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: CreateVariableBody = parse_body(&headers, &body)?;
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        if ws.variables.contains_key(&b.path) {
            return Err(ApiError::bad_request(format!(
                "Variable {} already exists",
                b.path
            )));
        }
        ws.variables.insert(
            b.path.clone(),
            Variable {
                path: b.path.clone(),
                value: b.value,
                is_secret: b.is_secret,
                description: b.description,
                account: b.account,
                is_oauth: b.is_oauth.unwrap_or(false),
                expires_at: b.expires_at,
                edited_by: who.username.clone(),
                edited_at: now_rfc3339(),
            },
        );
        Ok(created(format!("variable {} created", b.path)))
    })
}

async fn delete_variable(State(app): State<AppState>, Path((w, path)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        ws.variables
            .remove(&path)
            .ok_or_else(|| ApiError::not_found_at("Variable", &path))?;
        Ok(ok_text(format!("variable {path} deleted")))
    })
}

async fn update_variable(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: EditVariableBody = parse_body(&headers, &body)?;
    with_ws(&app, &w, |ws, _| {
        let mut v = ws
            .variables
            .get(&path)
            .cloned()
            .ok_or_else(|| ApiError::not_found_at("Variable", &path))?;
        if let Some(np) = &b.path {
            if np != &path {
                check_item_path(np)?;
                if ws.variables.contains_key(np) {
                    return Err(ApiError::bad_request(format!(
                        "Variable {np} already exists"
                    )));
                }
            }
        }
        if let Some(x) = b.value {
            v.value = x;
        }
        if let Some(x) = b.is_secret {
            v.is_secret = x;
        }
        if let Some(x) = b.description {
            v.description = x;
        }
        v.edited_by = who.username.clone();
        v.edited_at = now_rfc3339();
        let npath = b.path.unwrap_or_else(|| path.clone());
        ws.variables.remove(&path);
        v.path = npath.clone();
        ws.variables.insert(npath.clone(), v);
        Ok(ok_text(format!(
            "variable {path} updated (npath: {npath:?})"
        )))
    })
}

async fn get_variable(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    Query(q): Q,
) -> ApiResult {
    let decrypt = q_bool(&q, "decrypt_secret")?.unwrap_or(true);
    with_ws(&app, &w, |ws, _| {
        let v = ws
            .variables
            .get(&path)
            .ok_or_else(|| ApiError::not_found_at("Variable", &path))?;
        let mut out = variable_json(&w, v, !v.is_secret || decrypt);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

async fn list_variables(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let exact = q_str(&q, "path").map(str::to_string);
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .variables
            .values()
            .filter(|v| path_start.as_deref().is_none_or(|p| v.path.starts_with(p)))
            .filter(|v| exact.as_deref().is_none_or(|p| v.path == p))
            .map(|v| variable_json(&w, v, !v.is_secret))
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers: resources
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct CreateResourceBody {
    path: String,
    value: Value,
    resource_type: String,
    description: Option<String>,
}

#[derive(Deserialize)]
struct EditResourceBody {
    path: Option<String>,
    value: Option<Value>,
    description: Option<String>,
    resource_type: Option<String>,
}

async fn create_resource(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    Query(q): Q,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: CreateResourceBody = parse_body(&headers, &body)?;
    let update_if_exists = q_bool(&q, "update_if_exists")?.unwrap_or(false);
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        if ws.resources.contains_key(&b.path) && !update_if_exists {
            return Err(ApiError::bad_request(format!(
                "Resource {} already exists",
                b.path
            )));
        }
        ws.resources.insert(
            b.path.clone(),
            Resource {
                path: b.path.clone(),
                resource_type: b.resource_type,
                value: b.value,
                description: b.description.unwrap_or_default(),
                created_by: who.username.clone(),
                edited_at: now_rfc3339(),
            },
        );
        Ok(created(format!("resource {} created", b.path)))
    })
}

async fn delete_resource(State(app): State<AppState>, Path((w, path)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        ws.resources
            .remove(&path)
            .ok_or_else(|| ApiError::not_found_at("Resource", &path))?;
        Ok(ok_text(format!("resource {path} deleted")))
    })
}

async fn update_resource(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: EditResourceBody = parse_body(&headers, &body)?;
    with_ws(&app, &w, |ws, _| {
        let mut r = ws
            .resources
            .get(&path)
            .cloned()
            .ok_or_else(|| ApiError::not_found_at("Resource", &path))?;
        if let Some(np) = &b.path {
            if np != &path {
                check_item_path(np)?;
                if ws.resources.contains_key(np) {
                    return Err(ApiError::bad_request(format!(
                        "Resource {np} already exists"
                    )));
                }
            }
        }
        if let Some(x) = b.value {
            r.value = x;
        }
        if let Some(x) = b.description {
            r.description = x;
        }
        if let Some(x) = b.resource_type {
            r.resource_type = x;
        }
        r.edited_at = now_rfc3339();
        let npath = b.path.unwrap_or_else(|| path.clone());
        ws.resources.remove(&path);
        r.path = npath.clone();
        ws.resources.insert(npath.clone(), r);
        Ok(ok_text(format!(
            "resource {path} updated (npath: {npath:?})"
        )))
    })
}

async fn get_resource(State(app): State<AppState>, Path((w, path)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let r = ws
            .resources
            .get(&path)
            .ok_or_else(|| ApiError::not_found_at("Resource", &path))?;
        let mut out = resource_json(&w, r);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

async fn list_resources(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let types = q_list(&q, "resource_type");
    let exclude = q_list(&q, "resource_type_exclude");
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let exact = q_str(&q, "path").map(str::to_string);
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .resources
            .values()
            .filter(|r| types.as_ref().is_none_or(|t| t.contains(&r.resource_type)))
            .filter(|r| {
                exclude
                    .as_ref()
                    .is_none_or(|t| !t.contains(&r.resource_type))
            })
            .filter(|r| path_start.as_deref().is_none_or(|p| r.path.starts_with(p)))
            .filter(|r| exact.as_deref().is_none_or(|p| r.path == p))
            .map(|r| resource_json(&w, r))
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}

async fn list_resource_types(State(app): State<AppState>, Path(w): Path<String>) -> ApiResult {
    with_ws(&app, &w, |ws, st| {
        let mut all: Vec<Value> = st
            .global_resource_types
            .iter()
            .map(|rt| resource_type_json("admins", rt))
            .chain(
                ws.resource_types
                    .iter()
                    .map(|rt| resource_type_json(&w, rt)),
            )
            .collect();
        all.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        Ok(ok_json(Value::Array(all)))
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers: scripts
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct NewScriptBody {
    path: String,
    parent_hash: Option<String>,
    summary: String,
    description: Option<String>,
    content: String,
    schema: Option<Value>,
    is_template: Option<bool>,
    lock: Option<String>,
    language: String,
    kind: Option<String>,
    tag: Option<String>,
}

fn default_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {},
        "required": []
    })
}

/// Whether `who` may see an item with these per-item permissions.
fn visible(to: &Option<Vec<String>>, who: &Authed) -> bool {
    to.as_ref()
        .is_none_or(|users| users.contains(&who.username))
}

async fn list_scripts(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let path_exact = q_str(&q, "path_exact").map(str::to_string);
    let show_archived = q_bool(&q, "show_archived")?.unwrap_or(false);
    let order_desc = q_bool(&q, "order_desc")?.unwrap_or(true);
    let starred_only = q_bool(&q, "starred_only")?.unwrap_or(false);
    let is_template = q_bool(&q, "is_template")?;
    let languages = q_list(&q, "languages");
    let kinds = q_list(&q, "kinds");
    let created_by = q_list(&q, "created_by");
    with_ws(&app, &w, |ws, st| {
        // The deployed version of each path (what `Workspace::script` answers), in one pass.
        let mut live: HashMap<&str, &str> = HashMap::new();
        for s in ws.scripts.iter().rev() {
            if !s.archived && !s.deleted {
                live.entry(s.path.as_str()).or_insert(s.hash.as_str());
            }
        }
        let mut items: Vec<&Script> = ws
            .scripts
            .iter()
            .filter(|s| !s.deleted)
            .filter(|s| visible(&s.visible_to, &who))
            .filter(|s| {
                if show_archived {
                    // only archived versions, one per path (the latest)
                    s.archived
                } else {
                    live.get(s.path.as_str()) == Some(&s.hash.as_str())
                }
            })
            .filter(|s| path_start.as_deref().is_none_or(|p| s.path.starts_with(p)))
            .filter(|s| path_exact.as_deref().is_none_or(|p| s.path == p))
            .filter(|s| !starred_only || s.starred)
            .filter(|s| is_template.is_none_or(|t| s.is_template == t))
            .filter(|s| languages.as_ref().is_none_or(|l| l.contains(&s.language)))
            .filter(|s| kinds.as_ref().is_none_or(|k| k.contains(&s.kind)))
            .filter(|s| {
                created_by
                    .as_ref()
                    .is_none_or(|c| c.contains(&s.created_by))
            })
            .collect();
        if show_archived {
            let mut seen = std::collections::HashSet::new();
            let mut latest_first: Vec<&Script> = items.into_iter().rev().collect();
            latest_first.retain(|s| seen.insert(s.path.clone()));
            items = latest_first.into_iter().rev().collect();
        }
        // `scripts` is in creation order, so reversing gives newest first.
        if order_desc {
            items.reverse();
        }
        let items: Vec<Value> = paginate(items, &q, st)?
            .into_iter()
            .map(script_list_json)
            .collect();
        Ok(ok_json(Value::Array(items)))
    })
}

async fn create_script(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: NewScriptBody = parse_body(&headers, &body)?;
    check_enum("language", &b.language, SCRIPT_LANGS)?;
    let kind = b.kind.unwrap_or_else(|| "script".to_string());
    check_enum("kind", &kind, SCRIPT_KINDS)?;
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        let live = ws.script(&b.path).map(|s| s.hash.clone());
        let mut parent_hashes = Vec::new();
        match (&live, &b.parent_hash) {
            (Some(h), Some(p)) if h == p => {
                parent_hashes.push(h.clone());
                if let Some(prev) = ws.scripts.iter().find(|s| &s.hash == h) {
                    parent_hashes.extend(prev.parent_hashes.iter().cloned());
                }
            }
            (Some(h), _) => {
                return Err(ApiError::bad_request(format!(
                    "Path conflict for {} with non-archived hash {h}",
                    b.path
                )))
            }
            (None, Some(p)) => {
                return Err(ApiError::not_found(format!(
                    "parent script hash {p} not found at {}",
                    b.path
                )))
            }
            (None, None) => {}
        }
        for s in ws.scripts.iter_mut().filter(|s| s.path == b.path) {
            s.archived = true;
        }
        let hash = new_hash(&b.path, &b.content);
        ws.scripts.push(Script {
            path: b.path.clone(),
            hash: hash.clone(),
            parent_hashes,
            summary: b.summary,
            description: b.description.unwrap_or_default(),
            content: b.content,
            language: b.language,
            kind,
            schema: b.schema.unwrap_or_else(default_schema),
            created_by: who.username.clone(),
            created_at: now_rfc3339(),
            archived: false,
            deleted: false,
            is_template: b.is_template.unwrap_or(false),
            starred: false,
            tag: b.tag,
            lock: b.lock,
            result: None,
            visible_to: None,
        });
        Ok(created(hash))
    })
}

async fn delete_script_by_hash(State(app): State<AppState>, Path((w, hash)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .scripts
            .iter_mut()
            .find(|s| s.hash == hash)
            .ok_or_else(|| ApiError::not_found(format!("script with hash {hash} not found")))?;
        s.deleted = true;
        s.archived = true;
        s.content = String::new();
        let out = script_json(&w, s);
        Ok(ok_json(out))
    })
}

async fn delete_script_by_path(State(app): State<AppState>, Path((w, path)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        if !ws.scripts.iter().any(|s| s.path == path) {
            return Err(ApiError::not_found_at("Script", &path));
        }
        ws.scripts.retain(|s| s.path != path);
        Ok(ok_json(json!(path)))
    })
}

async fn get_script_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .script(&path)
            .filter(|s| visible(&s.visible_to, &who))
            .ok_or_else(|| ApiError::not_found_at("Script", &path))?;
        let mut out = script_json(&w, s);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers: flows and apps
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct NewFlowBody {
    path: String,
    summary: String,
    description: Option<String>,
    value: Value,
    schema: Option<Value>,
    tag: Option<String>,
}

fn check_flow_value(v: &Value) -> Result<(), ApiError> {
    match v.get("modules") {
        Some(Value::Array(_)) => Ok(()),
        _ => Err(ApiError::unprocessable("value: missing field `modules`")),
    }
}

async fn list_flows(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let path_exact = q_str(&q, "path_exact").map(str::to_string);
    let show_archived = q_bool(&q, "show_archived")?.unwrap_or(false);
    let starred_only = q_bool(&q, "starred_only")?.unwrap_or(false);
    let order_desc = q_bool(&q, "order_desc")?.unwrap_or(true);
    with_ws(&app, &w, |ws, st| {
        let mut items: Vec<&Flow> = ws
            .flows
            .values()
            .filter(|f| f.archived == show_archived)
            .filter(|f| visible(&f.visible_to, &who))
            .filter(|f| path_start.as_deref().is_none_or(|p| f.path.starts_with(p)))
            .filter(|f| path_exact.as_deref().is_none_or(|p| f.path == p))
            .filter(|f| !starred_only || f.starred)
            .collect();
        items.sort_by(|a, b| a.edited_at.cmp(&b.edited_at));
        if order_desc {
            items.reverse();
        }
        let items: Vec<Value> = paginate(items, &q, st)?
            .into_iter()
            .map(|f| flow_list_json(&w, f))
            .collect();
        Ok(ok_json(Value::Array(items)))
    })
}

async fn get_flow_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let f = ws
            .flows
            .get(&path)
            .filter(|f| !f.archived && visible(&f.visible_to, &who))
            .ok_or_else(|| ApiError::not_found_at("Flow", &path))?;
        let mut out = flow_json(&w, f);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

async fn create_flow(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: NewFlowBody = parse_body(&headers, &body)?;
    check_flow_value(&b.value)?;
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        if ws.flows.contains_key(&b.path) {
            return Err(ApiError::bad_request(format!(
                "Flow {} already exists",
                b.path
            )));
        }
        ws.flows.insert(
            b.path.clone(),
            Flow {
                path: b.path.clone(),
                summary: b.summary,
                description: b.description.unwrap_or_default(),
                value: b.value,
                schema: b.schema,
                edited_by: who.username.clone(),
                edited_at: now_rfc3339(),
                archived: false,
                starred: false,
                tag: b.tag,
                version_id: next_id() as i64,
                visible_to: None,
            },
        );
        Ok(created(b.path.clone()))
    })
}

async fn update_flow(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: NewFlowBody = parse_body(&headers, &body)?;
    check_flow_value(&b.value)?;
    with_ws(&app, &w, |ws, _| {
        if !ws.flows.contains_key(&path) {
            return Err(ApiError::not_found_at("Flow", &path));
        }
        if b.path != path {
            check_item_path(&b.path)?;
            if ws.flows.contains_key(&b.path) {
                return Err(ApiError::bad_request(format!(
                    "Flow {} already exists",
                    b.path
                )));
            }
        }
        let old = ws.flows.remove(&path);
        ws.flows.insert(
            b.path.clone(),
            Flow {
                path: b.path.clone(),
                summary: b.summary,
                description: b.description.unwrap_or_default(),
                value: b.value,
                schema: b.schema,
                edited_by: who.username.clone(),
                edited_at: now_rfc3339(),
                archived: false,
                starred: old.as_ref().is_some_and(|f| f.starred),
                tag: b.tag,
                version_id: next_id() as i64,
                visible_to: None,
            },
        );
        Ok(ok_text(b.path.clone()))
    })
}

async fn delete_flow_by_path(State(app): State<AppState>, Path((w, path)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        ws.flows
            .remove(&path)
            .ok_or_else(|| ApiError::not_found_at("Flow", &path))?;
        Ok(ok_text(format!("Flow {path} deleted")))
    })
}

#[derive(Deserialize)]
struct CreateAppBody {
    path: String,
    value: Value,
    summary: String,
    policy: Value,
}

#[derive(Deserialize)]
struct EditAppBody {
    path: Option<String>,
    summary: Option<String>,
    value: Option<Value>,
    policy: Option<Value>,
}

async fn create_app(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: CreateAppBody = parse_body(&headers, &body)?;
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        if ws.apps.contains_key(&b.path) {
            return Err(ApiError::bad_request(format!(
                "App {} already exists",
                b.path
            )));
        }
        ws.apps.insert(
            b.path.clone(),
            App {
                path: b.path.clone(),
                summary: b.summary,
                value: b.value,
                policy: b.policy,
                created_by: who.username.clone(),
                edited_at: now_rfc3339(),
            },
        );
        Ok(created(b.path.clone()))
    })
}

async fn update_app(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: EditAppBody = parse_body(&headers, &body)?;
    with_ws(&app, &w, |ws, _| {
        let mut a = ws
            .apps
            .get(&path)
            .cloned()
            .ok_or_else(|| ApiError::not_found_at("App", &path))?;
        if let Some(np) = &b.path {
            if np != &path {
                check_item_path(np)?;
                if ws.apps.contains_key(np) {
                    return Err(ApiError::bad_request(format!("App {np} already exists")));
                }
            }
        }
        if let Some(x) = b.summary {
            a.summary = x;
        }
        if let Some(x) = b.value {
            a.value = x;
        }
        if let Some(x) = b.policy {
            a.policy = x;
        }
        a.edited_at = now_rfc3339();
        let npath = b.path.unwrap_or_else(|| path.clone());
        ws.apps.remove(&path);
        a.path = npath.clone();
        ws.apps.insert(npath.clone(), a);
        Ok(ok_text(format!("app {npath} updated")))
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers: jobs
// ---------------------------------------------------------------------------------------------

async fn run_script_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    body: Bytes,
) -> ApiResult {
    let args = parse_args(&body)?;
    with_ws(&app, &w, |ws, st| {
        let s = ws
            .script(&path)
            .filter(|s| visible(&s.visible_to, &who))
            .ok_or_else(|| ApiError::not_found_at("Script", &path))?
            .clone();
        let id = new_job_id();
        let outcome = simulate(
            &id,
            Some(&s.path),
            &s.language,
            s.result.as_ref(),
            &args,
            false,
        );
        let tag = s.tag.clone().unwrap_or_else(|| s.language.clone());
        ws.jobs.push(make_job(
            id.clone(),
            "script",
            Some(s.path.clone()),
            Some(s.hash.clone()),
            args,
            &who,
            Some(s.language.clone()),
            Some(s.content.clone()),
            tag,
            outcome,
            st.job_pending_polls,
        ));
        Ok(created(id))
    })
}

async fn run_flow_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    body: Bytes,
) -> ApiResult {
    let args = parse_args(&body)?;
    with_ws(&app, &w, |ws, st| {
        let f = ws
            .flows
            .get(&path)
            .filter(|f| !f.archived && visible(&f.visible_to, &who))
            .ok_or_else(|| ApiError::not_found_at("Flow", &path))?
            .clone();
        let id = new_job_id();
        let outcome = simulate(&id, Some(&f.path), "flow", None, &args, false);
        ws.jobs.push(make_job(
            id.clone(),
            "flow",
            Some(f.path.clone()),
            None,
            args,
            &who,
            None,
            None,
            "flow".to_string(),
            outcome,
            st.job_pending_polls,
        ));
        Ok(created(id))
    })
}

fn wait_result_response(job: &Job) -> Response {
    if job.success {
        ok_json(job.result.clone())
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, Json(job.result.clone())).into_response()
    }
}

async fn run_wait_result_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    body: Bytes,
) -> ApiResult {
    let args = parse_args(&body)?;
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .script(&path)
            .ok_or_else(|| ApiError::not_found_at("Script", &path))?
            .clone();
        let id = new_job_id();
        let outcome = simulate(
            &id,
            Some(&s.path),
            &s.language,
            s.result.as_ref(),
            &args,
            false,
        );
        let tag = s.tag.clone().unwrap_or_else(|| s.language.clone());
        let job = make_job(
            id,
            "script",
            Some(s.path.clone()),
            Some(s.hash.clone()),
            args,
            &who,
            Some(s.language.clone()),
            Some(s.content.clone()),
            tag,
            outcome,
            0,
        );
        let resp = wait_result_response(&job);
        ws.jobs.push(job);
        Ok(resp)
    })
}

#[derive(Deserialize)]
struct PreviewBody {
    content: Option<String>,
    path: Option<String>,
    args: Map<String, Value>,
    language: Option<String>,
    tag: Option<String>,
}

/// Preview runs fail when the path contains `fail` or the code contains `exit 3`
/// (or `raise`/`throw`).
async fn run_preview_and_wait(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: PreviewBody = parse_body(&headers, &body)?;
    let language = b.language.unwrap_or_else(|| "bun".to_string());
    check_enum("language", &language, SCRIPT_LANGS)?;
    let content = b.content.unwrap_or_default();
    let force_fail =
        content.contains("exit 3") || content.contains("raise ") || content.contains("throw ");
    with_ws(&app, &w, |ws, _| {
        let id = new_job_id();
        let args = Value::Object(b.args);
        let outcome = simulate(&id, b.path.as_deref(), &language, None, &args, force_fail);
        let tag = b.tag.unwrap_or_else(|| language.clone());
        let job = make_job(
            id,
            "preview",
            b.path.clone(),
            None,
            args,
            &who,
            Some(language.clone()),
            Some(content),
            tag,
            outcome,
            0,
        );
        let resp = wait_result_response(&job);
        ws.jobs.push(job);
        Ok(resp)
    })
}

fn job_filter(q: &HashMap<String, String>) -> Result<impl Fn(&Job) -> bool, ApiError> {
    let exact = q_list(q, "script_path_exact");
    let start = q_list(q, "script_path_start");
    let kinds = q_list(q, "job_kinds");
    let created_by = q_list(q, "created_by");
    let schedule_path = q_str(q, "schedule_path").map(str::to_string);
    let script_hash = q_str(q, "script_hash").map(str::to_string);
    let success = q_bool(q, "success")?;
    let running = q_bool(q, "running")?;
    Ok(move |j: &Job| {
        let sp = j.script_path.as_deref().unwrap_or("");
        exact.as_ref().is_none_or(|l| l.iter().any(|p| p == sp))
            && start
                .as_ref()
                .is_none_or(|l| l.iter().any(|p| sp.starts_with(p.as_str())))
            && kinds.as_ref().is_none_or(|l| l.contains(&j.kind))
            && created_by
                .as_ref()
                .is_none_or(|l| l.contains(&j.created_by))
            && schedule_path
                .as_deref()
                .is_none_or(|p| j.schedule_path.as_deref() == Some(p))
            && script_hash
                .as_deref()
                .is_none_or(|h| j.script_hash.as_deref() == Some(h))
            && success.is_none_or(|s| j.completed && j.success == s)
            && running.is_none_or(|r| !j.completed && j.started_at.is_some() == r)
    })
}

async fn list_jobs(State(app): State<AppState>, Path(w): Path<String>, Query(q): Q) -> ApiResult {
    let keep = job_filter(&q)?;
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .jobs
            .iter()
            .rev()
            .filter(|j| keep(j))
            .map(|j| job_json(&w, j, false, false))
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}

async fn list_queue(State(app): State<AppState>, Path(w): Path<String>, Query(q): Q) -> ApiResult {
    let keep = job_filter(&q)?;
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .jobs
            .iter()
            .rev()
            .filter(|j| !j.completed && keep(j))
            .map(|j| {
                let mut v = job_json(&w, j, false, false);
                if let Value::Object(m) = &mut v {
                    m.remove("type");
                }
                v
            })
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}

async fn get_job(State(app): State<AppState>, Path((w, id)): WsPath, Query(q): Q) -> ApiResult {
    let no_logs = q_bool(&q, "no_logs")?.unwrap_or(false);
    let no_code = q_bool(&q, "no_code")?.unwrap_or(false);
    with_ws(&app, &w, |ws, _| {
        let j = ws
            .jobs
            .iter_mut()
            .find(|j| j.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Job {id} not found")))?;
        poll_job(j);
        Ok(ok_json(job_json(&w, j, !no_logs, !no_code)))
    })
}

/// `getCompletedJobResultMaybe`: `{completed, result, success, started}`; a poll like getJob's.
async fn get_result_maybe(
    State(app): State<AppState>,
    Path((w, id)): WsPath,
    Query(q): Q,
) -> ApiResult {
    let get_started = q_bool(&q, "get_started")?.unwrap_or(false);
    with_ws(&app, &w, |ws, _| {
        let j = ws
            .jobs
            .iter_mut()
            .find(|j| j.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Job {id} not found")))?;
        poll_job(j);
        let mut out = if j.completed {
            json!({"completed": true, "result": j.result, "success": j.success})
        } else {
            json!({"completed": false, "result": null, "success": false})
        };
        if get_started {
            out["started"] = json!(j.started_at.is_some());
        }
        Ok(ok_json(out))
    })
}

#[derive(Deserialize)]
struct CancelBody {
    reason: Option<String>,
}

/// `cancelQueuedJob`: a job still running completes as failed, with Windmill's cancel error.
async fn cancel_job(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, id)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: CancelBody = parse_body(&headers, &body)?;
    with_ws(&app, &w, |ws, _| {
        let j = ws
            .jobs
            .iter_mut()
            .find(|j| j.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Job {id} not found")))?;
        if j.completed {
            return Err(ApiError::bad_request(format!(
                "queued job id {id} does not exist"
            )));
        }
        let reason = b.reason.unwrap_or_default();
        j.completed = true;
        j.success = false;
        j.completed_at = Some(now_rfc3339());
        j.result = json!({"error": {"name": "Canceled", "message": format!("Job canceled: {reason} by {}", who.username)}});
        j.canceled = Some(reason);
        Ok(ok_text(id.clone()))
    })
}

async fn get_job_logs(State(app): State<AppState>, Path((w, id)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let j = ws
            .job(&id)
            .ok_or_else(|| ApiError::not_found(format!("Job {id} not found")))?;
        Ok(ok_text(if j.completed {
            j.logs.clone()
        } else {
            String::new()
        }))
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers: schedules
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct NewScheduleBody {
    path: String,
    schedule: String,
    timezone: String,
    script_path: String,
    is_flow: bool,
    args: Option<Value>,
    enabled: Option<bool>,
    summary: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct EditScheduleBody {
    schedule: String,
    timezone: String,
    args: Option<Value>,
    summary: Option<String>,
    description: Option<String>,
}

/// Windmill cron expressions include seconds: 6 fields (7 with a year).
fn check_cron(expr: &str) -> Result<(), ApiError> {
    let n = expr.split_whitespace().count();
    if (6..=7).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid cron expression `{expr}`: expected 6 fields (with seconds), got {n}"
        )))
    }
}

fn check_args_object(args: &Option<Value>) -> Result<Value, ApiError> {
    match args {
        None | Some(Value::Null) => Ok(json!({})),
        Some(v @ Value::Object(_)) => Ok(v.clone()),
        Some(_) => Err(ApiError::unprocessable(
            "args: invalid type, expected a map",
        )),
    }
}

async fn create_schedule(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: NewScheduleBody = parse_body(&headers, &body)?;
    check_item_path(&b.path)?;
    check_cron(&b.schedule)?;
    let args = check_args_object(&b.args)?;
    with_ws(&app, &w, |ws, _| {
        if ws.schedules.contains_key(&b.path) {
            return Err(ApiError::bad_request(format!(
                "Schedule {} already exists",
                b.path
            )));
        }
        let target_exists = if b.is_flow {
            ws.flows.contains_key(&b.script_path)
        } else {
            ws.script(&b.script_path).is_some()
        };
        if !target_exists {
            let kind = if b.is_flow { "Flow" } else { "Script" };
            return Err(ApiError::not_found_at(kind, &b.script_path));
        }
        ws.schedules.insert(
            b.path.clone(),
            Schedule {
                path: b.path.clone(),
                schedule: b.schedule,
                timezone: b.timezone,
                script_path: b.script_path,
                is_flow: b.is_flow,
                args,
                enabled: b.enabled.unwrap_or(true),
                summary: b.summary,
                description: b.description,
                edited_by: who.username.clone(),
                email: who.email.clone(),
                edited_at: now_rfc3339(),
            },
        );
        Ok(created(b.path.clone()))
    })
}

async fn update_schedule(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: EditScheduleBody = parse_body(&headers, &body)?;
    check_cron(&b.schedule)?;
    let args = check_args_object(&b.args)?;
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .schedules
            .get_mut(&path)
            .ok_or_else(|| ApiError::not_found_at("Schedule", &path))?;
        s.schedule = b.schedule;
        s.timezone = b.timezone;
        s.args = args;
        if b.summary.is_some() {
            s.summary = b.summary;
        }
        if b.description.is_some() {
            s.description = b.description;
        }
        s.edited_by = who.username.clone();
        s.email = who.email.clone();
        s.edited_at = now_rfc3339();
        Ok(ok_text(path.clone()))
    })
}

async fn delete_schedule(State(app): State<AppState>, Path((w, path)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        ws.schedules
            .remove(&path)
            .ok_or_else(|| ApiError::not_found_at("Schedule", &path))?;
        Ok(ok_text(format!("schedule {path} deleted")))
    })
}

async fn get_schedule(State(app): State<AppState>, Path((w, path)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .schedules
            .get(&path)
            .ok_or_else(|| ApiError::not_found_at("Schedule", &path))?;
        let mut out = schedule_json(&w, s);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

async fn list_schedules(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let script_path = q_str(&q, "path").map(str::to_string);
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let schedule_path = q_str(&q, "schedule_path").map(str::to_string);
    let is_flow = q_bool(&q, "is_flow")?;
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .schedules
            .values()
            .filter(|s| script_path.as_deref().is_none_or(|p| s.script_path == p))
            .filter(|s| path_start.as_deref().is_none_or(|p| s.path.starts_with(p)))
            .filter(|s| schedule_path.as_deref().is_none_or(|p| s.path == p))
            .filter(|s| is_flow.is_none_or(|f| s.is_flow == f))
            .map(|s| schedule_json(&w, s))
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}

// ---------------------------------------------------------------------------------------------
// Seed data
// ---------------------------------------------------------------------------------------------

fn ts(day: u32, hour: u32) -> String {
    format!("2026-06-{day:02}T{hour:02}:00:00.000Z")
}

#[allow(clippy::too_many_arguments)]
fn seed_script(
    path: &str,
    hash: &str,
    language: &str,
    summary: &str,
    description: &str,
    content: &str,
    schema: Value,
    created_by: &str,
    created_at: String,
) -> Script {
    Script {
        path: path.into(),
        hash: hash.into(),
        parent_hashes: vec![],
        summary: summary.into(),
        description: description.into(),
        content: content.into(),
        language: language.into(),
        kind: "script".into(),
        schema,
        created_by: created_by.into(),
        created_at,
        archived: false,
        deleted: false,
        is_template: false,
        starred: false,
        tag: None,
        lock: None,
        result: None,
        visible_to: None,
    }
}

fn obj_schema(properties: Value, required: &[&str]) -> Value {
    let order: Vec<String> = properties
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "order": order,
    })
}

fn seed_global_resource_types() -> Vec<ResourceType> {
    vec![
        ResourceType {
            name: "postgresql".into(),
            schema: json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {
                    "host": {"type": "string"},
                    "port": {"type": "integer"},
                    "user": {"type": "string"},
                    "password": {"type": "string"},
                    "dbname": {"type": "string"},
                    "sslmode": {"type": "string", "enum": ["disable", "require", "verify-full"]}
                },
                "required": ["host", "dbname"]
            }),
            description: "Postgres connection".into(),
            created_by: "admin".into(),
            edited_at: ts(1, 8),
        },
        ResourceType {
            name: "s3".into(),
            schema: json!({
                "type": "object",
                "properties": {
                    "bucket": {"type": "string"},
                    "region": {"type": "string"},
                    "endPoint": {"type": "string"}
                },
                "required": ["bucket"]
            }),
            description: "S3 bucket".into(),
            created_by: "admin".into(),
            edited_at: ts(1, 8),
        },
        ResourceType {
            name: "slack".into(),
            schema: json!({
                "type": "object",
                "properties": {"token": {"type": "string"}},
                "required": ["token"]
            }),
            description: "Slack bot token".into(),
            created_by: "admin".into(),
            edited_at: ts(1, 8),
        },
    ]
}

/// Workspace `demo`:
/// - scripts `f/folder/my_script` (python3, args a:int required, b:int=2),
///   `u/admin/hello` (bun, arg name:string="world"; an older archived version exists),
///   `f/folder/always_fail` (bash, always fails with exit code 3),
///   `f/folder/with_resource` (python3, arg db: resource-postgresql);
/// - flows `f/folder/my_flow` (arg x:string) and `f/folder/fail_flow` (fails);
/// - app `f/folder/dashboard`;
/// - resources `f/folder/my_postgres` (postgresql), `u/alice/slack` (slack);
///   workspace resource type `c_weather_api`;
/// - variables `f/folder/api_url` (plain), `f/folder/db_password` and `u/alice/slack_token`
///   (secret);
/// - schedules `f/folder/nightly_my_script` (script, enabled), `f/folder/hourly_flow`
///   (flow, disabled);
/// - jobs `JOB_DEMO_SUCCESS` (my_script ok, result {"a":1,"b":2}), `JOB_DEMO_FAILURE`
///   (always_fail), `JOB_DEMO_QUEUED` (u/admin/hello, queued for ever).
fn seed_demo() -> Workspace {
    let mut ws = Workspace::new(WS_DEMO);
    let mut hello_old = seed_script(
        "u/admin/hello",
        HASH_HELLO_OLD,
        "bun",
        "Say hello",
        "Greets someone",
        "export async function main(name: string) {\n  return `Hi ${name}`;\n}\n",
        obj_schema(
            json!({"name": {"type": "string", "description": ""}}),
            &["name"],
        ),
        "admin",
        ts(2, 9),
    );
    hello_old.archived = true;
    ws.scripts.push(hello_old);
    ws.scripts.push(seed_script(
        "f/folder/my_script",
        HASH_MY_SCRIPT,
        "python3",
        "My script",
        "Adds two numbers",
        "def main(a: int, b: int = 2):\n    return {\"a\": a, \"b\": b}\n",
        obj_schema(
            json!({
                "a": {"type": "integer", "description": "first number"},
                "b": {"type": "integer", "description": "second number", "default": 2}
            }),
            &["a"],
        ),
        "alice",
        ts(3, 10),
    ));
    let mut hello = seed_script(
        "u/admin/hello",
        HASH_HELLO,
        "bun",
        "Say hello",
        "Greets someone by name",
        "export async function main(name: string = \"world\") {\n  return `Hello ${name}`;\n}\n",
        obj_schema(
            json!({"name": {"type": "string", "description": "who to greet", "default": "world"}}),
            &[],
        ),
        "admin",
        ts(4, 11),
    );
    hello.parent_hashes = vec![HASH_HELLO_OLD.into()];
    hello.starred = true;
    ws.scripts.push(hello);
    ws.scripts.push(seed_script(
        "f/folder/always_fail",
        HASH_ALWAYS_FAIL,
        "bash",
        "Always fails",
        "Exits with code 3",
        "echo \"about to fail\"\nexit 3\n",
        obj_schema(json!({}), &[]),
        "alice",
        ts(5, 12),
    ));
    let mut with_res = seed_script(
        "f/folder/with_resource",
        HASH_WITH_RESOURCE,
        "python3",
        "Query the database",
        "Runs a query against a postgres resource",
        "def main(db: dict, query: str = \"select 1\"):\n    return []\n",
        obj_schema(
            json!({
                "db": {"type": "object", "format": "resource-postgresql", "description": ""},
                "query": {"type": "string", "default": "select 1"}
            }),
            &["db"],
        ),
        "alice",
        ts(6, 13),
    );
    with_res.tag = Some("python3".into());
    ws.scripts.push(with_res);

    let rawscript_module = |id: &str, content: &str| {
        json!({
            "id": id,
            "value": {
                "type": "rawscript",
                "content": content,
                "language": "bun",
                "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}}
            }
        })
    };
    ws.flows.insert("f/folder/my_flow".into(), Flow {
        path: "f/folder/my_flow".into(),
        summary: "My flow".into(),
        description: "Echoes its input".into(),
        value: json!({"modules": [rawscript_module("a", "export async function main(x: string) {\n  return x;\n}\n")]}),
        schema: Some(obj_schema(json!({"x": {"type": "string", "description": ""}}), &["x"])),
        edited_by: "alice".into(),
        edited_at: ts(7, 9),
        archived: false,
        starred: false,
        tag: None,
        version_id: 101,
        visible_to: None,
    });
    ws.flows.insert("f/folder/fail_flow".into(), Flow {
        path: "f/folder/fail_flow".into(),
        summary: "Failing flow".into(),
        description: "Its only step throws".into(),
        value: json!({"modules": [rawscript_module("a", "export async function main(x: string) {\n  throw new Error(x);\n}\n")]}),
        schema: Some(obj_schema(json!({"x": {"type": "string"}}), &[])),
        edited_by: "alice".into(),
        edited_at: ts(7, 10),
        archived: false,
        starred: false,
        tag: None,
        version_id: 102,
        visible_to: None,
    });
    ws.apps.insert(
        "f/folder/dashboard".into(),
        App {
            path: "f/folder/dashboard".into(),
            summary: "Dashboard".into(),
            value: json!({"grid": [], "hiddenInlineScripts": [], "css": {}, "norefreshbar": false}),
            policy: json!({"execution_mode": "publisher", "triggerables": {}}),
            created_by: "alice".into(),
            edited_at: ts(7, 11),
        },
    );
    ws.resource_types.push(ResourceType {
        name: "c_weather_api".into(),
        schema: json!({"type": "object", "properties": {"api_key": {"type": "string"}}, "required": ["api_key"]}),
        description: "Custom: weather API credentials".into(),
        created_by: "alice".into(),
        edited_at: ts(2, 8),
    });
    ws.resources.insert("f/folder/my_postgres".into(), Resource {
        path: "f/folder/my_postgres".into(),
        resource_type: "postgresql".into(),
        value: json!({"host": "db.internal", "port": 5432, "user": "app", "password": "$var:f/folder/db_password", "dbname": "app", "sslmode": "disable"}),
        description: "Main application database".into(),
        created_by: "alice".into(),
        edited_at: ts(2, 10),
    });
    ws.resources.insert(
        "u/alice/slack".into(),
        Resource {
            path: "u/alice/slack".into(),
            resource_type: "slack".into(),
            value: json!({"token": "$var:u/alice/slack_token"}),
            description: "Alice's Slack bot".into(),
            created_by: "alice".into(),
            edited_at: ts(2, 11),
        },
    );
    let var = |path: &str, value: &str, secret: bool, description: &str| Variable {
        path: path.into(),
        value: value.into(),
        is_secret: secret,
        description: description.into(),
        account: None,
        is_oauth: false,
        expires_at: None,
        edited_by: "alice".into(),
        edited_at: ts(2, 12),
    };
    for v in [
        var(
            "f/folder/api_url",
            "https://api.example.com",
            false,
            "Base URL of the example API",
        ),
        var(
            "f/folder/db_password",
            "s3cr3t-pa55",
            true,
            "Password of the app database",
        ),
        var(
            "u/alice/slack_token",
            "xoxb-0000-fake",
            true,
            "Slack bot token",
        ),
    ] {
        ws.variables.insert(v.path.clone(), v);
    }
    ws.schedules.insert(
        "f/folder/nightly_my_script".into(),
        Schedule {
            path: "f/folder/nightly_my_script".into(),
            schedule: "0 0 2 * * *".into(),
            timezone: "Europe/Paris".into(),
            script_path: "f/folder/my_script".into(),
            is_flow: false,
            args: json!({"a": 1, "b": 2}),
            enabled: true,
            summary: Some("Nightly run of my_script".into()),
            description: None,
            edited_by: "alice".into(),
            email: "alice@example.com".into(),
            edited_at: ts(8, 9),
        },
    );
    ws.schedules.insert(
        "f/folder/hourly_flow".into(),
        Schedule {
            path: "f/folder/hourly_flow".into(),
            schedule: "0 0 * * * *".into(),
            timezone: "UTC".into(),
            script_path: "f/folder/my_flow".into(),
            is_flow: true,
            args: json!({"x": "tick"}),
            enabled: false,
            summary: None,
            description: Some("Runs my_flow every hour (disabled)".into()),
            edited_by: "alice".into(),
            email: "alice@example.com".into(),
            edited_at: ts(8, 10),
        },
    );
    let alice = Authed {
        username: "alice".into(),
        email: "alice@example.com".into(),
    };
    let mut j1 = make_job(
        JOB_DEMO_SUCCESS.into(),
        "script",
        Some("f/folder/my_script".into()),
        Some(HASH_MY_SCRIPT.into()),
        json!({"a": 1, "b": 2}),
        &alice,
        Some("python3".into()),
        None,
        "python3".into(),
        simulate(
            JOB_DEMO_SUCCESS,
            Some("f/folder/my_script"),
            "python3",
            None,
            &json!({"a": 1, "b": 2}),
            false,
        ),
        0,
    );
    j1.created_at = ts(9, 2);
    j1.started_at = Some(ts(9, 2));
    j1.completed_at = Some("2026-06-09T02:00:01.250Z".into());
    j1.scheduled_for = ts(9, 2);
    j1.duration_ms = 1250;
    j1.schedule_path = Some("f/folder/nightly_my_script".into());
    let mut j2 = make_job(
        JOB_DEMO_FAILURE.into(),
        "script",
        Some("f/folder/always_fail".into()),
        Some(HASH_ALWAYS_FAIL.into()),
        json!({}),
        &alice,
        Some("bash".into()),
        None,
        "bash".into(),
        simulate(
            JOB_DEMO_FAILURE,
            Some("f/folder/always_fail"),
            "bash",
            None,
            &json!({}),
            false,
        ),
        0,
    );
    j2.created_at = ts(9, 3);
    j2.started_at = Some(ts(9, 3));
    j2.completed_at = Some("2026-06-09T03:00:00.300Z".into());
    j2.scheduled_for = ts(9, 3);
    j2.duration_ms = 300;
    let mut j3 = make_job(
        JOB_DEMO_QUEUED.into(),
        "script",
        Some("u/admin/hello".into()),
        Some(HASH_HELLO.into()),
        json!({"name": "later"}),
        &alice,
        Some("bun".into()),
        None,
        "bun".into(),
        simulate(
            JOB_DEMO_QUEUED,
            Some("u/admin/hello"),
            "bun",
            None,
            &json!({"name": "later"}),
            false,
        ),
        u32::MAX,
    );
    j3.created_at = ts(9, 4);
    j3.scheduled_for = "2099-01-01T00:00:00.000Z".into();
    ws.jobs = vec![j1, j2, j3];
    ws
}

/// Workspace `other` (bob): scripts `f/ops/cleanup` (bash), `u/bob/report` (python3);
/// flow `f/ops/deploy_flow`; resource `f/ops/s3_bucket` (s3); variable `f/ops/region`;
/// schedule `f/ops/daily_cleanup`; job `JOB_OTHER_SUCCESS`.
fn seed_other() -> Workspace {
    let mut ws = Workspace::new(WS_OTHER);
    ws.scripts.push(seed_script(
        "f/ops/cleanup",
        HASH_OTHER_CLEANUP,
        "bash",
        "Cleanup",
        "Removes temporary files",
        "dir=\"$1\"\necho \"cleaning $dir\"\n",
        obj_schema(json!({"dir": {"type": "string", "default": "/tmp"}}), &[]),
        "bob",
        ts(3, 9),
    ));
    ws.scripts.push(seed_script(
        "u/bob/report",
        HASH_OTHER_REPORT,
        "python3",
        "Weekly report",
        "Builds the weekly report",
        "def main(week: int):\n    return {\"week\": week}\n",
        obj_schema(json!({"week": {"type": "integer"}}), &["week"]),
        "bob",
        ts(4, 9),
    ));
    ws.flows.insert(
        "f/ops/deploy_flow".into(),
        Flow {
            path: "f/ops/deploy_flow".into(),
            summary: "Deploy".into(),
            description: "Deploys the app".into(),
            value: json!({"modules": [{
                "id": "a",
                "value": {
                    "type": "script",
                    "path": "f/ops/cleanup",
                    "input_transforms": {"dir": {"type": "static", "value": "/srv/tmp"}}
                }
            }]}),
            schema: Some(obj_schema(
                json!({"env": {"type": "string", "enum": ["staging", "prod"]}}),
                &["env"],
            )),
            edited_by: "bob".into(),
            edited_at: ts(5, 9),
            archived: false,
            starred: false,
            tag: None,
            version_id: 201,
            visible_to: None,
        },
    );
    ws.resources.insert(
        "f/ops/s3_bucket".into(),
        Resource {
            path: "f/ops/s3_bucket".into(),
            resource_type: "s3".into(),
            value: json!({"bucket": "ops-artifacts", "region": "eu-west-1"}),
            description: "Artifacts bucket".into(),
            created_by: "bob".into(),
            edited_at: ts(5, 10),
        },
    );
    ws.variables.insert(
        "f/ops/region".into(),
        Variable {
            path: "f/ops/region".into(),
            value: "eu-west-1".into(),
            is_secret: false,
            description: "Default region".into(),
            account: None,
            is_oauth: false,
            expires_at: None,
            edited_by: "bob".into(),
            edited_at: ts(5, 11),
        },
    );
    ws.schedules.insert(
        "f/ops/daily_cleanup".into(),
        Schedule {
            path: "f/ops/daily_cleanup".into(),
            schedule: "0 30 3 * * *".into(),
            timezone: "UTC".into(),
            script_path: "f/ops/cleanup".into(),
            is_flow: false,
            args: json!({"dir": "/tmp"}),
            enabled: true,
            summary: Some("Daily cleanup".into()),
            description: None,
            edited_by: "bob".into(),
            email: "bob@example.com".into(),
            edited_at: ts(5, 12),
        },
    );
    let bob = Authed {
        username: "bob".into(),
        email: "bob@example.com".into(),
    };
    let mut j = make_job(
        JOB_OTHER_SUCCESS.into(),
        "script",
        Some("f/ops/cleanup".into()),
        Some(HASH_OTHER_CLEANUP.into()),
        json!({"dir": "/tmp"}),
        &bob,
        Some("bash".into()),
        None,
        "bash".into(),
        simulate(
            JOB_OTHER_SUCCESS,
            Some("f/ops/cleanup"),
            "bash",
            None,
            &json!({"dir": "/tmp"}),
            false,
        ),
        0,
    );
    j.created_at = ts(9, 3);
    j.started_at = Some(ts(9, 3));
    j.completed_at = Some("2026-06-09T03:30:00.100Z".into());
    j.scheduled_for = ts(9, 3);
    j.schedule_path = Some("f/ops/daily_cleanup".into());
    ws.jobs.push(j);
    ws
}

fn seed_workers() -> Vec<Worker> {
    vec![
        Worker {
            worker: WORKER_NAME.into(),
            worker_instance: "wk-default-1a2b3".into(),
            worker_group: "default".into(),
            ip: "10.0.0.11".into(),
            jobs_executed: 1234,
            custom_tags: vec![],
            started_at: ts(1, 0),
            wm_version: "v1.743.0".into(),
        },
        Worker {
            worker: "wk-native-9z8y7-fghij".into(),
            worker_instance: "wk-native-9z8y7".into(),
            worker_group: "native".into(),
            ip: "10.0.0.12".into(),
            jobs_executed: 56,
            custom_tags: vec!["nativets".into(), "postgresql".into()],
            started_at: ts(1, 0),
            wm_version: "v1.743.0".into(),
        },
    ]
}

/// Docs pages (searchDocs / readDocsPage).
fn seed_docs() -> Vec<DocPage> {
    vec![
        DocPage {
            url: "https://www.windmill.dev/docs/core_concepts/variables_and_secrets".into(),
            title: "Variables and secrets".into(),
            text: "# Variables and secrets\n\nVariables are dynamic values with a key, stored in the workspace.\n\n## Secrets\n\nSecrets are encrypted variables. Their value is only shown to those who can read them, and every read is audited.\n\n## Contextual variables\n\nContextual variables such as WM_WORKSPACE are set by the worker for every job.\n".into(),
        },
        DocPage {
            url: "https://www.windmill.dev/docs/core_concepts/scheduling".into(),
            title: "Schedules".into(),
            text: "# Schedules\n\nSchedules run a script or a flow periodically.\n\n## Cron syntax\n\nWindmill uses 6-field cron expressions: seconds come first, e.g. `0 0 2 * * *` runs every day at 2am.\n\n## Error handlers\n\nA schedule can call an error handler after a number of failed runs.\n".into(),
        },
        DocPage {
            url: "https://www.windmill.dev/docs/getting_started/scripts_quickstart/python".into(),
            title: "Python quickstart".into(),
            text: "# Python quickstart\n\nA Python script exports a `main` function; its parameters become the script's arguments.\n\n## Resources\n\nType a parameter with a resource type to receive a resource such as a postgresql database.\n\n## Retries\n\nFlows can retry a failing step with a constant or exponential backoff.\n".into(),
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// A large workspace: thousands of scripts and flows (workspace tools, benchmarks)
// ---------------------------------------------------------------------------------------------

/// The large workspace's id.
pub const WS_BIG: &str = "big";
/// User `ana`, member of `big`: sees every item.
pub const TOKEN_BIG_ANA: &str = "tok-big-ana";
/// User `ben`, member of `big`: does not see the items only `ana` may see.
pub const TOKEN_BIG_BEN: &str = "tok-big-ben";

/// Scripts of the large workspace with a fixed role (the rest are numbered).
pub const BIG_AMBIGUOUS_A: &str = "f/a/_x";
pub const BIG_AMBIGUOUS_B: &str = "f/a_/x";
pub const BIG_RICH: &str = "f/team_data/rich_args";
pub const BIG_FAILING: &str = "f/team_data/always_fail";
pub const BIG_ANA_ONLY: &str = "u/ana/private_report";
pub const BIG_FLOW: &str = "f/flows/nightly_sync";

/// A path of exactly 100 characters.
pub fn big_long_path() -> String {
    let head = "f/long_folder_name/";
    format!("{head}{}", "n".repeat(100 - head.len()))
}

/// The argument schema of [`BIG_RICH`]: order differs from key order, a resource, an S3 object,
/// nested objects, arrays, enums, a `oneOf`, a property name clients reject, UI-only keys.
pub fn big_rich_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "order": ["target", "db", "file", "options", "tags", "mode", "choice", "bad key"],
        "properties": {
            "bad key": {"type": "string", "description": "a key with a space"},
            "choice": {"type": "object", "oneOf": [
                {"type": "object", "title": "ById", "properties": {"label": {"type": "string", "enum": ["ById"]}, "id": {"type": "integer"}}},
                {"type": "object", "title": "ByName", "properties": {"label": {"type": "string", "enum": ["ByName"]}, "name": {"type": "string"}}}
            ]},
            "db": {"type": "object", "format": "resource-postgresql", "description": "Database to write to"},
            "file": {"type": "object", "format": "resource-s3_object", "description": "Input file"},
            "mode": {"type": "string", "enum": ["fast", "safe"], "enumLabels": {"fast": "Fast"}, "default": "safe", "description": ""},
            "options": {"type": "object", "description": "Nested options", "properties": {
                "retries": {"type": "integer", "default": 3},
                "window": {"type": "object", "properties": {"from": {"type": "string", "format": "date-time"}, "to": {"type": "string", "format": "date-time"}}}
            }, "required": ["retries"]},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "Étiquettes — 日本語"},
            "target": {"type": "string", "description": "Zielsystem für den Export ☕", "placeholder": "erp", "customErrorMessage": "x"}
        },
        "required": ["target", "db", "bad key"]
    })
}

/// Adds workspace `big` with `n_scripts` scripts and `n_flows` flows, tokens for `ana` and `ben`,
/// and two postgresql resources. Every 7th numbered item is visible to `ana` only.
pub fn add_big_workspace(st: &mut FakeState, n_scripts: usize, n_flows: usize) {
    st.tokens
        .insert(TOKEN_BIG_ANA.into(), FakeToken::member("ana", &[WS_BIG]));
    st.tokens
        .insert(TOKEN_BIG_BEN.into(), FakeToken::member("ben", &[WS_BIG]));
    let mut ws = Workspace::new(WS_BIG);
    let simple = |i: usize| {
        obj_schema(
            json!({
                "name": {"type": "string", "description": format!("Name for run {i}")},
                "count": {"type": "integer", "default": 1},
                "dry_run": {"type": "boolean"}
            }),
            &["name"],
        )
    };
    let push =
        |ws: &mut Workspace, path: String, schema: Value, desc: &str, visible: Option<&str>| {
            let n = ws.scripts.len();
            let mut s = seed_script(
                &path,
                &format!("{:016x}", 0xb16_0000_0000u64 + n as u64),
                if n.is_multiple_of(3) {
                    "python3"
                } else {
                    "bun"
                },
                &format!("Script {n}"),
                desc,
                "export async function main() {}",
                schema,
                "ana",
                ts(1 + (n % 28) as u32, (n % 24) as u32),
            );
            s.visible_to = visible.map(|u| vec![u.to_string()]);
            ws.scripts.push(s);
        };
    push(
        &mut ws,
        BIG_AMBIGUOUS_A.into(),
        simple(0),
        "underscore after the slash",
        None,
    );
    push(
        &mut ws,
        BIG_AMBIGUOUS_B.into(),
        simple(1),
        "underscore before the slash",
        None,
    );
    push(
        &mut ws,
        big_long_path(),
        simple(2),
        "a path of 100 characters",
        None,
    );
    push(
        &mut ws,
        BIG_RICH.into(),
        big_rich_schema(),
        "Exportiert Daten — résumé, naïve, 日本語 ✓",
        None,
    );
    push(
        &mut ws,
        BIG_FAILING.into(),
        simple(4),
        "always exits with 3",
        None,
    );
    push(
        &mut ws,
        BIG_ANA_ONLY.into(),
        simple(5),
        "only ana sees this",
        Some("ana"),
    );
    let fixed = ws.scripts.len();
    for i in fixed..n_scripts.max(fixed) {
        let path = match i % 4 {
            0 => format!("f/team_{}/job_{i}", i % 37),
            1 => format!("u/ana/task{i}"),
            2 => format!("f/ops/sub_{}/step_{i}", i % 13),
            _ => format!("f/misc/s{i}"),
        };
        let visible = (i % 7 == 3).then_some("ana");
        push(&mut ws, path, simple(i), "", visible);
    }
    // A draft-only kind and an archived version are left out by the lister.
    let mut trig = seed_script(
        "f/team_data/on_webhook",
        "0000000000b16fff",
        "bun",
        "A trigger script",
        "",
        "export async function main() {}",
        simple(0),
        "ana",
        ts(2, 2),
    );
    trig.kind = "trigger".into();
    ws.scripts.push(trig);
    for i in 0..n_flows {
        let path = if i == 0 {
            BIG_FLOW.to_string()
        } else {
            format!("f/flows_{}/flow_{i}", i % 11)
        };
        ws.flows.insert(
            path.clone(),
            Flow {
                path,
                summary: format!("Flow {i}"),
                description: if i == 0 { "Synchronise la nuit — ☾".into() } else { String::new() },
                value: json!({"modules": []}),
                schema: Some(obj_schema(
                    json!({"since": {"type": "string", "format": "date"}, "limit": {"type": "integer"}}),
                    &["since"],
                )),
                edited_by: "ana".into(),
                edited_at: ts(1 + (i % 28) as u32, (i % 24) as u32),
                archived: false,
                starred: i % 50 == 0,
                tag: None,
                version_id: 1000 + i as i64,
                visible_to: (i % 7 == 3).then(|| vec!["ana".to_string()]),
            },
        );
    }
    for (path, value) in [("f/db/main", "main"), ("u/ana/dev_db", "dev")] {
        ws.resources.insert(
            path.into(),
            Resource {
                path: path.into(),
                resource_type: "postgresql".into(),
                value: json!({"host": value}),
                description: String::new(),
                created_by: "ana".into(),
                edited_at: ts(1, 1),
            },
        );
    }
    st.workspaces.insert(WS_BIG.into(), ws);
}
