//! Everything the fake knows, as plain data that tests arrange and inspect: tokens, workspaces and
//! their items, injected failures.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

/// Body of `GET /api/version` unless a test sets [`FakeState::version`].
pub const DEFAULT_VERSION: &str = "CE v1.743.0";

/// The shared folder beside the repository (`../shared`), which holds the Windmill OpenAPI
/// documents.
pub const SHARED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

/// The OpenAPI document a running Windmill serves as `GET /api/openapi.json` (v1.740.0's, as
/// fetched from a live instance): what the fake serves, and what its answers are checked against.
pub const DEFAULT_OPENAPI_JSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/windmill-openapi/served-v1.740.0/openapi.json"
);

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
    pub id: i64,
    pub path: String,
    pub summary: String,
    pub value: Value,
    pub policy: Value,
    pub created_by: String,
    pub edited_at: String,
    /// A full-code app (`createAppRawSource`), rather than a low-code one (`createApp`).
    pub raw_app: bool,
    /// Its versions, oldest first (one per deploy).
    pub versions: Vec<i64>,
}

/// One declared measure or dimension of a DuckLake table (`listDataMetrics`).
#[derive(Clone, Debug)]
pub struct DataMetric {
    pub table_path: String,
    pub kind: String,
    pub name: String,
    pub script_path: String,
    pub expr: String,
    pub filter: Option<String>,
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
    pub data_metrics: Vec<DataMetric>,
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
}

/// The state a running fake serves, shared between its handle and its handlers.
pub type SharedState = Arc<Mutex<FakeState>>;

/// Locks a mutex, also after a panic while it was held (a failed test must not fail the next ones).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Who made the request (inserted by the gate for authenticated routes).
#[derive(Clone, Debug)]
pub(crate) struct Authed {
    pub(crate) username: String,
    pub(crate) email: String,
}

/// Whether `who` may see an item with these per-item permissions.
pub(crate) fn visible(to: &Option<Vec<String>>, who: &Authed) -> bool {
    to.as_ref()
        .is_none_or(|users| users.contains(&who.username))
}
