//! The MCP server: `tools/list` and `tools/call` over three kinds of tools.
//!
//! * [`dispatch`]: a tool name → the [`dispatch::ToolKind`] that answers it (a discovery tool,
//!   `get_job_result`, a workspace script or flow, or an endpoint), or why there is none;
//! * [`cursor`]: `tools/list` pages, by section;
//! * [`validate`]: arguments against a tool's input schema, every problem in one message;
//! * [`discovery`]: `search_endpoints`, `describe_endpoint`, `call_endpoint`;
//! * [`handler`]: the rmcp `ServerHandler` that ties them together, one per session;
//! * [`session`]: per-session state (calls in flight, the list-change watchers);
//! * [`follow`]: following the connected Windmill's version with `--spec live`/`auto`;
//! * [`limits`]: error texts within the result cap.
//!
//! Protocol errors (an unknown tool, a bad cursor) are JSON-RPC errors; everything that goes wrong
//! while running a tool (bad arguments, Windmill down, a 4xx/5xx answer) is a tool result with
//! `isError: true`, which the model reads and can act on.

pub mod cursor;
pub mod discovery;
pub mod dispatch;
pub mod follow;
pub mod handler;
pub mod limits;
pub mod session;
pub mod validate;

use std::sync::Arc;

use rmcp::model::Tool;

use crate::config::{Exposure, Settings};
use crate::endpoints::Registry;
use crate::upstream::client::ConfigError;
use crate::upstream::{Token, Windmill};
use crate::workspace::{ItemSelection, Items};

pub use handler::McpServer;

/// Who is calling and in which workspace: from the HTTP request, or fixed for stdio.
#[derive(Debug, Clone)]
pub struct Caller {
    pub workspace: Option<String>,
    pub token: Option<Token>,
    /// Which tools this caller sees (tool mode and read-only mode).
    pub exposure: Exposure,
    /// Which of the workspace's scripts and flows are tools.
    pub items: ItemSelection,
}

/// What every session shares.
pub struct Shared {
    pub settings: Settings,
    pub windmill: Windmill,
    /// Catalogs of workspace scripts and flows.
    pub items: Arc<Items>,
    /// The endpoint tools served: replaced when a followed Windmill is upgraded (see [`follow`]).
    /// A request takes one snapshot ([`Shared::registry`]) and keeps it to its end.
    registry: std::sync::RwLock<Arc<Registry>>,
    /// Bumped when the served endpoint tools change; sessions watch it to send
    /// `notifications/tools/list_changed`.
    registry_changes: tokio::sync::watch::Sender<u64>,
    /// Rounds done by the sessions' list-change watchers.
    pub watch_rounds: Rounds,
    /// Rounds done by the task that follows the connected Windmill's version (see [`follow`]).
    pub spec_rounds: Rounds,
    /// That task, while it runs.
    follower: std::sync::OnceLock<tokio::task::AbortHandle>,
    /// Bytes of the listing without scripts and flows, per caller exposure and registry (see
    /// `McpServer::item_budget`).
    static_bytes: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

/// A counter that can be awaited: how many rounds some background task has finished.
#[derive(Debug, Default)]
pub struct Rounds {
    count: std::sync::atomic::AtomicU64,
    changed: tokio::sync::Notify,
}

impl Rounds {
    /// One more round is done.
    pub fn done(&self) {
        self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    pub fn count(&self) -> u64 {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until at least `n` rounds are done.
    pub async fn reach(&self, n: u64) {
        loop {
            let notified = self.changed.notified();
            if self.count() >= n {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(h) = self.follower.get() {
            h.abort();
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("settings", &self.settings)
            .field("windmill", &self.windmill)
            .finish()
    }
}

impl Shared {
    /// The shared state of a server serving the compiled-in endpoints.
    pub fn new(settings: Settings) -> Result<Arc<Self>, ConfigError> {
        Shared::with_registry(settings, Registry::compiled().clone())
    }

    /// The shared state of a server serving the endpoints of `registry` (e.g. one lowered at run
    /// time from another spec with [`Registry::from_api`]).
    pub fn with_registry(
        settings: Settings,
        registry: Arc<Registry>,
    ) -> Result<Arc<Self>, ConfigError> {
        let windmill = Windmill::new(&settings.base_url, settings.limits)?;
        let items = Arc::new(Items::new(settings.item_options));
        Ok(Arc::new(Shared {
            settings,
            windmill,
            items,
            registry: std::sync::RwLock::new(registry),
            registry_changes: tokio::sync::watch::Sender::new(0),
            watch_rounds: Rounds::default(),
            spec_rounds: Rounds::default(),
            follower: std::sync::OnceLock::new(),
            static_bytes: Default::default(),
        }))
    }

    /// The shared state of a server serving the endpoints `settings.spec` names (see
    /// [`resolve_registry`]); with `live` or `auto` and a `spec_poll_interval`, a background task
    /// then follows the connected Windmill's version (see [`follow`]). Must be called within a
    /// Tokio runtime.
    pub async fn for_spec(settings: Settings) -> Result<Arc<Self>, ConfigError> {
        let start = resolve_start(&settings).await;
        let shared = Shared::with_registry(settings, start.registry)?;
        follow::start(&shared, start.following);
        Ok(shared)
    }

    /// The endpoint tools served now. Take it once per request and use that snapshot to the
    /// request's end: the served tools may be replaced meanwhile.
    pub fn registry(&self) -> Arc<Registry> {
        match self.registry.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serves `registry` from now on; `changed`: the tools differ, so sessions are told
    /// (`notifications/tools/list_changed`). Requests under way keep their snapshot.
    pub fn replace_registry(&self, registry: Arc<Registry>, changed: bool) {
        match self.registry.write() {
            Ok(mut r) => *r = registry,
            Err(poisoned) => *poisoned.into_inner() = registry,
        }
        if let Ok(mut m) = self.static_bytes.lock() {
            m.clear();
        }
        if changed {
            self.registry_changes.send_modify(|n| *n += 1);
        }
    }

    /// Changes of the served endpoint tools, when they may change (a Windmill is followed).
    pub fn registry_changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.follower
            .get()
            .is_some()
            .then(|| self.registry_changes.subscribe())
    }

    /// `compute()`, remembered under `key`.
    fn static_bytes(&self, key: String, compute: impl FnOnce() -> usize) -> usize {
        if let Ok(m) = self.static_bytes.lock() {
            if let Some(n) = m.get(&key) {
                return *n;
            }
        }
        let n = compute();
        if let Ok(mut m) = self.static_bytes.lock() {
            if m.len() > 256 {
                m.clear();
            }
            m.insert(key, n);
        }
        n
    }
}

/// How long start-up waits for the connected Windmill's version or spec.
const SPEC_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The endpoint tools `settings.spec` names, as read at start: the compiled ones, a file's, or
/// the connected Windmill's served `/api/openapi.json` (`live`; `auto` only when its
/// `/api/version` differs from the compiled spec's). A document that cannot be read or lowered
/// leaves the compiled tools in place, with a warning saying why.
pub async fn resolve_registry(settings: &Settings) -> Arc<Registry> {
    resolve_start(settings).await.registry
}

/// What start-up serves, and what the follower starts from.
struct Start {
    registry: Arc<Registry>,
    following: follow::Following,
}

/// [`resolve_registry`], with the connected Windmill's version it read (`live`, `auto`) and why a
/// document could not be read.
async fn resolve_start(settings: &Settings) -> Start {
    use crate::config::SpecSource;
    use crate::upstream::spec;
    let compiled = Registry::compiled().clone();
    let windmill = |base: &str| spec::spec_client(base, SPEC_FETCH_TIMEOUT);
    let mut running = None;
    let result = match &settings.spec {
        SpecSource::Compiled => {
            return Start {
                registry: compiled,
                following: follow::Following::default(),
            }
        }
        SpecSource::File(path) => spec::file_registry(path),
        SpecSource::Url(base) => match windmill(base) {
            Ok(w) => spec::live_registry(&w).await,
            Err(e) => Err(e),
        },
        SpecSource::Live | SpecSource::Auto => match windmill(&settings.base_url) {
            Err(e) => Err(e),
            Ok(w) => {
                running = spec::running_version(&w)
                    .await
                    .ok()
                    .and_then(|t| spec::parse_version(&t));
                let ours = spec::parse_version(&compiled.spec().version);
                if settings.spec == SpecSource::Auto && (running.is_none() || running == ours) {
                    return Start {
                        registry: compiled,
                        following: follow::Following::serving(running),
                    };
                }
                spec::live_registry(&w).await
            }
        },
    };
    match result {
        Ok(r) => {
            tracing::info!(
                "serving the {} endpoint tools of {} {} ({})",
                r.all().len(),
                r.spec().title,
                r.spec().version,
                r.spec().origin
            );
            Start {
                registry: Arc::new(r),
                following: follow::Following::serving(running),
            }
        }
        Err(e) => {
            tracing::warn!(
                "the spec could not be read ({e}); serving the compiled tools of {} {}",
                compiled.spec().title,
                compiled.spec().version
            );
            Start {
                registry: compiled,
                following: follow::Following::failed(running, e),
            }
        }
    }
}

/// The server's instructions to the model.
pub const INSTRUCTIONS: &str = "This server exposes a Windmill instance (an open-source platform that runs scripts, flows and apps) as tools. \
Each tool is one Windmill REST API operation, named by its operationId (e.g. listScripts, getScriptByPath, runScriptByPath, getJob), \
acting in the workspace given by the server URL with the caller's own Windmill permissions. \
Windmill paths look like `f/<folder>/<name>` or `u/<user>/<name>` and keep their slashes. \
Through the API, runScriptByPath takes a script's arguments in `body` and returns a job id that getJob and getJobLogs read. \
The workspace's own scripts and flows are tools too, named `s-<path>` and `f-<path>` (`/` written as `_`): calling one runs it and waits \
for its result; a job still running at the timeout comes back with its id for get_job_result. \
tools/list shortens descriptions and output schemas; describe_endpoint gives an operation's full schemas. \
Tool annotations tell which tools only read (readOnlyHint) and which delete, overwrite or cancel (destructiveHint). \
Failed calls come back as tool errors that say what was wrong; fix the arguments and retry.";

/// What the instructions and the search tool say about a workspace's scripts and flows.
pub fn items_note(workspace: &str, scripts: usize, flows: usize, listed: usize) -> String {
    let total = scripts + flows;
    if listed >= total {
        return format!(
            "Workspace `{workspace}` has {scripts} scripts and {flows} flows, all listed as tools."
        );
    }
    format!(
        "Workspace `{workspace}` has {scripts} scripts and {flows} flows; {listed} are listed as tools (favorites and the most recently edited). \
Find the other {} with search_endpoints (plain words: what the script does, its folder or name), then run one with call_endpoint and the name the search returned.",
        total - listed
    )
}

/// The endpoint tools a caller lists, in their listed form, in listing order: Windmill's curated
/// names and shapes in the `curated` tool mode, operationIds and every parameter in the others.
pub fn listed_endpoints<'a>(
    registry: &'a Registry,
    exposure: &'a Exposure,
) -> impl Iterator<Item = &'a Tool> + 'a {
    registry
        .listing(&exposure.selection, exposure.profile)
        .filter(|(e, _)| !exposure.read_only || e.endpoint.hints.read_only)
        .map(|(_, t)| t)
}

/// [`items_note`] before the workspace's listing is read (a big workspace on a cold start).
pub fn items_note_pending(workspace: &str) -> String {
    format!(
        "Workspace `{workspace}`'s scripts and flows are being read: those not listed as tools are found with search_endpoints \
(plain words: what the script does, its folder or name) and run with call_endpoint and the name the search returned; \
the search tool's description gives their number."
    )
}

/// The discovery and endpoint tools a caller sees, in `tools/list` order (discovery tools first,
/// then endpoint tools by name), in its client profile and with its name length.
pub fn listed_endpoint_tools(registry: &Registry, exposure: &Exposure) -> Vec<Tool> {
    listed_static_tools(registry, exposure, exposure.selection.has_discovery())
}

/// [`listed_endpoint_tools`], with the discovery tools or not.
fn listed_static_tools(
    registry: &Registry,
    exposure: &Exposure,
    with_discovery: bool,
) -> Vec<Tool> {
    let discovery: &[Tool] = if with_discovery {
        discovery::listed(exposure.profile)
    } else {
        &[]
    };
    let endpoints = listed_endpoints(registry, exposure);
    discovery
        .iter()
        .chain(endpoints)
        .map(|t| {
            let mut t = t.clone();
            crate::listing::shorten(&mut t, exposure.max_name_len);
            t
        })
        .collect()
}
