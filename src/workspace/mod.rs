//! Each workspace's own scripts and flows as tools, discovered live through Windmill's REST API.
//!
//! **What is listed.** Scripts from `GET /w/{w}/scripts/list?kinds=script` and flows from
//! `GET /w/{w}/flows/list`, every page. Left out: archived items and drafts that were never deployed
//! (Windmill leaves both out of these listings by default, and items marked `archived` or
//! `draft_only` are dropped again here), scripts without a `main` function (Windmill's default), and
//! scripts of the kinds `failure`, `trigger`, `command`, `approval` and `preprocessor`: those are
//! steps Windmill calls itself (error handlers, flow triggers and approval steps), not something to
//! call directly. A selection (`--scripts`, `--flows`, `?scripts=`, `?flows=`: `all`, `none`,
//! `favorites` and path globs) narrows the set before any schema is fetched.
//!
//! **Caching.** One catalog per (Windmill URL, workspace, token identity, selection); the token
//! identity is a keyed hash, never the token. A refresh lists every page again and fetches the
//! schema only of items whose script hash or flow edit time changed (bounded concurrency); the
//! others are reused as they are. Catalogs older than the refresh interval are refreshed in the
//! background while the old list is served; sessions with a changed list get
//! `notifications/tools/list_changed` (see [`crate::server`]).

pub mod names;
pub mod run;
pub mod schema;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use rmcp::model::Tool;
use serde_json::Value;

use crate::profile::Profile;
use crate::runtime::{Method, RequestBuilder};
use crate::windmill::{Token, Windmill};
pub use names::Kind;

/// Which scripts or flows are exposed.
#[derive(Debug, Clone)]
pub struct ItemFilter {
    text: String,
    all: bool,
    favorites: bool,
    globs: Option<globset::GlobSet>,
}

impl PartialEq for ItemFilter {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl ItemFilter {
    /// `all`, `none` (or empty), or a comma-separated list of `favorites` and path globs
    /// (`f/team/*` one folder level, `f/team/**` any depth).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let mut f = ItemFilter {
            text: text.to_owned(),
            all: false,
            favorites: false,
            globs: None,
        };
        match text {
            "all" | "*" => {
                f.all = true;
                return Ok(f);
            }
            "" | "none" => return Ok(f),
            _ => {}
        }
        let mut set = globset::GlobSetBuilder::new();
        let mut any = false;
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "favorites" || item == "starred" {
                f.favorites = true;
                continue;
            }
            let g = globset::GlobBuilder::new(item)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad path glob `{item}`: {e}"))?;
            set.add(g);
            any = true;
        }
        if any {
            f.globs = Some(set.build().map_err(|e| format!("bad path globs: {e}"))?);
        }
        Ok(f)
    }

    pub fn all() -> Self {
        ItemFilter {
            text: "all".into(),
            all: true,
            favorites: false,
            globs: None,
        }
    }

    pub fn none() -> Self {
        ItemFilter {
            text: "none".into(),
            all: false,
            favorites: false,
            globs: None,
        }
    }

    pub fn is_none(&self) -> bool {
        !self.all && !self.favorites && self.globs.is_none()
    }

    pub fn admits(&self, path: &str, starred: bool) -> bool {
        self.all
            || (self.favorites && starred)
            || self.globs.as_ref().is_some_and(|g| g.is_match(path))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The scripts and flows a caller sees.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSelection {
    pub scripts: ItemFilter,
    pub flows: ItemFilter,
}

impl Default for ItemSelection {
    fn default() -> Self {
        ItemSelection {
            scripts: ItemFilter::all(),
            flows: ItemFilter::all(),
        }
    }
}

impl ItemSelection {
    pub fn is_none(&self) -> bool {
        self.scripts.is_none() && self.flows.is_none()
    }

    fn key(&self) -> String {
        format!("{}\u{0}{}", self.scripts.as_str(), self.flows.as_str())
    }
}

/// Tunables of discovery and execution.
#[derive(Debug, Clone, Copy)]
pub struct ItemOptions {
    /// A catalog older than this is refreshed (in the background) on the next use, and sessions
    /// check for changes this often.
    pub refresh_interval: Duration,
    /// How long a call waits for its job before returning the job id.
    pub job_timeout: Duration,
    /// Schema fetches in flight at once, per refresh.
    pub concurrency: usize,
    /// `per_page` of listings (Windmill documents at most 100).
    pub per_page: usize,
}

impl Default for ItemOptions {
    fn default() -> Self {
        ItemOptions {
            refresh_interval: Duration::from_secs(60),
            job_timeout: Duration::from_secs(120),
            concurrency: 8,
            per_page: 100,
        }
    }
}

/// One script or flow as a tool.
///
/// The input schema is kept as JSON text and parsed when a page of `tools/list` or a call needs
/// it: a parsed schema takes about ten times its text in memory, and a workspace may have ten
/// thousand scripts.
pub struct ItemTool {
    pub kind: Kind,
    pub path: String,
    /// Script hash or flow edit time: what a refresh compares.
    pub version: String,
    name: String,
    title: Option<String>,
    description: String,
    schema_json: Box<str>,
    /// `(schema name, Windmill argument name)` of renamed arguments.
    pub renames: Vec<(String, String)>,
    /// Built on the first call of this tool.
    validator: OnceLock<Option<Box<jsonschema::Validator>>>,
}

impl std::fmt::Debug for ItemTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemTool")
            .field("kind", &self.kind)
            .field("path", &self.path)
            .field("name", &self.name)
            .finish()
    }
}

impl ItemTool {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The input schema (full profile).
    pub fn input_schema(&self) -> rmcp::model::JsonObject {
        match serde_json::from_str::<Value>(&self.schema_json) {
            Ok(Value::Object(o)) => o,
            _ => rmcp::model::JsonObject::new(),
        }
    }

    pub fn validator(&self) -> Option<&jsonschema::Validator> {
        self.validator
            .get_or_init(|| {
                jsonschema::draft202012::new(&Value::Object(self.input_schema()))
                    .map(Box::new)
                    .map_err(|e| tracing::warn!(tool = %self.name, error = %e, "workspace tool schema does not compile"))
                    .ok()
            })
            .as_deref()
    }

    /// The tool in the full profile.
    pub fn tool(&self) -> Tool {
        let mut t = Tool::new(
            self.name.clone(),
            self.description.clone(),
            Arc::new(self.input_schema()),
        );
        t.title = self.title.clone();
        t
    }

    /// The tool as a client profile sees it.
    pub fn listed(&self, profile: Profile) -> Tool {
        let mut t = self.tool();
        if profile != Profile::Full {
            t.input_schema = Arc::new(crate::profile::transform(&t.input_schema, profile));
        }
        t
    }
}

/// What one refresh did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefreshStats {
    /// Listing pages fetched (scripts and flows).
    pub list_calls: usize,
    /// Script or flow fetches (for schemas).
    pub detail_calls: usize,
    /// Resource listings (for resource argument choices).
    pub resource_calls: usize,
    /// Items kept from the previous catalog without any fetch.
    pub reused: usize,
    pub took_ms: u64,
}

/// The scripts and flows of one (workspace, token, selection), sorted by tool name.
#[derive(Debug, Default)]
pub struct Catalog {
    pub items: Vec<Arc<ItemTool>>,
    index: HashMap<String, usize>,
    pub refreshed: Option<Instant>,
    /// Goes up by one whenever the list of tools changes.
    pub generation: u64,
    /// Why the last refresh failed (the previous items are kept).
    pub error: Option<String>,
    pub last: RefreshStats,
}

impl Catalog {
    pub fn get(&self, name: &str) -> Option<&Arc<ItemTool>> {
        self.index.get(name).map(|i| &self.items[*i])
    }

    /// The item for a script or flow path: names depend only on the kind and the path, so this is
    /// a lookup in the name index.
    pub fn by_path(&self, kind: Kind, path: &str) -> Option<&Arc<ItemTool>> {
        self.get(&names::tool_name(kind, path))
            .filter(|i| i.kind == kind && i.path == path)
    }
}

#[derive(Default, Debug)]
struct Slot {
    catalog: RwLock<Arc<Catalog>>,
    refreshing: tokio::sync::Mutex<()>,
    /// Resource paths per resource type, with when they were fetched.
    resources: Mutex<HashMap<String, (Instant, Vec<String>)>>,
    last_used: Mutex<Option<Instant>>,
}

impl Slot {
    fn current(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    fn store(&self, c: Catalog) {
        let mut g = self.catalog.write().unwrap_or_else(|p| p.into_inner());
        *g = Arc::new(c);
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct SlotKey {
    base: String,
    workspace: String,
    token: u128,
    selection: String,
}

/// A keyed, process-local identity of a token: caches never hold the token itself.
pub fn token_identity(t: &Token) -> u128 {
    static KEYS: LazyLock<(std::hash::RandomState, std::hash::RandomState)> =
        LazyLock::new(|| (std::hash::RandomState::new(), std::hash::RandomState::new()));
    let a = KEYS.0.hash_one(t.expose());
    let b = KEYS.1.hash_one(t.expose());
    (u128::from(a) << 64) | u128::from(b)
}

/// Every catalog of this server.
#[derive(Debug)]
pub struct Items {
    slots: Mutex<HashMap<SlotKey, Arc<Slot>>>,
    pub options: ItemOptions,
}

/// Catalogs unused this long are dropped.
const SLOT_IDLE: Duration = Duration::from_secs(3600);

impl Items {
    pub fn new(options: ItemOptions) -> Self {
        Items {
            slots: Mutex::new(HashMap::new()),
            options,
        }
    }

    fn slot(&self, key: &SlotKey) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if let Some(s) = slots.get(key) {
            *s.last_used.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
            return s.clone();
        }
        slots.retain(|_, s| {
            s.last_used
                .lock()
                .map(|t| t.is_some_and(|t| now.duration_since(t) < SLOT_IDLE))
                .unwrap_or(false)
        });
        let s = Arc::new(Slot::default());
        *s.last_used.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
        slots.insert(key.clone(), s.clone());
        s
    }

    /// The caller's catalog: fetched now if there is none yet; refreshed in the background if
    /// older than the refresh interval (the current one is returned meanwhile).
    pub async fn catalog(
        &self,
        windmill: &Windmill,
        workspace: &str,
        token: &Token,
        selection: &ItemSelection,
    ) -> Arc<Catalog> {
        self.get(windmill, workspace, token, selection, false).await
    }

    /// Like [`Items::catalog`], but a stale catalog is refreshed before answering.
    pub async fn fresh(
        &self,
        windmill: &Windmill,
        workspace: &str,
        token: &Token,
        selection: &ItemSelection,
    ) -> Arc<Catalog> {
        self.get(windmill, workspace, token, selection, true).await
    }

    fn key(
        windmill: &Windmill,
        workspace: &str,
        token: &Token,
        selection: &ItemSelection,
    ) -> SlotKey {
        SlotKey {
            base: windmill.base().to_owned(),
            workspace: workspace.to_owned(),
            token: token_identity(token),
            selection: selection.key(),
        }
    }

    async fn get(
        &self,
        windmill: &Windmill,
        workspace: &str,
        token: &Token,
        selection: &ItemSelection,
        wait: bool,
    ) -> Arc<Catalog> {
        let slot = self.slot(&Self::key(windmill, workspace, token, selection));
        let current = slot.current();
        match current.refreshed {
            None => {
                refresh(
                    &slot,
                    windmill,
                    workspace,
                    token,
                    selection,
                    self.options,
                    None,
                )
                .await;
                slot.current()
            }
            Some(t) if t.elapsed() >= self.options.refresh_interval => {
                if wait {
                    refresh(
                        &slot,
                        windmill,
                        workspace,
                        token,
                        selection,
                        self.options,
                        Some(t),
                    )
                    .await;
                    return slot.current();
                }
                let (slot2, w, ws, tok, sel, opts) = (
                    slot.clone(),
                    windmill.clone(),
                    workspace.to_owned(),
                    token.clone(),
                    selection.clone(),
                    self.options,
                );
                tokio::spawn(async move {
                    refresh(&slot2, &w, &ws, &tok, &sel, opts, Some(t)).await;
                });
                current
            }
            Some(_) => current,
        }
    }

    /// Refreshes now (when a call found the list stale) and returns the new catalog.
    pub async fn refresh_now(
        &self,
        windmill: &Windmill,
        workspace: &str,
        token: &Token,
        selection: &ItemSelection,
    ) -> Arc<Catalog> {
        let slot = self.slot(&Self::key(windmill, workspace, token, selection));
        let seen = slot.current().refreshed;
        refresh(
            &slot,
            windmill,
            workspace,
            token,
            selection,
            self.options,
            seen,
        )
        .await;
        slot.current()
    }
}

/// One listed script or flow.
#[derive(Debug, Clone)]
struct Listed {
    kind: Kind,
    path: String,
    version: String,
}

/// `GET /w/{workspace}{route}…` (the rest laid out by `build`), answered with JSON.
async fn get_json(
    windmill: &Windmill,
    token: &Token,
    workspace: &str,
    route: &str,
    build: impl FnOnce(&mut RequestBuilder) -> Result<(), crate::runtime::ArgError>,
) -> Result<Value, String> {
    let mut rb =
        RequestBuilder::in_workspace(Method::Get, workspace, route).map_err(|e| e.to_string())?;
    build(&mut rb).map_err(|e| e.to_string())?;
    let req = rb.finish();
    let answer = windmill
        .send(&req, Some(token))
        .await
        .map_err(|e| e.to_string())?;
    if !(200..300).contains(&answer.status) {
        let path = req.path_and_query.split('?').next().unwrap_or("");
        return Err(format!(
            "Windmill answered HTTP {} to GET /api{path}: {}",
            answer.status,
            crate::server::windmill_message(&answer.body)
        ));
    }
    serde_json::from_slice(&answer.body).map_err(|e| format!("Windmill's answer is not JSON: {e}"))
}

/// Every page of a listing. Stops at an empty page or one shorter than the longest seen (so a
/// server that caps `per_page` lower than asked is still read to the end).
#[allow(clippy::too_many_arguments)]
async fn list_all(
    windmill: &Windmill,
    token: &Token,
    workspace: &str,
    kind: Kind,
    extra: &[(&str, &str)],
    filter: &ItemFilter,
    per_page: usize,
    calls: &mut usize,
) -> Result<Vec<Listed>, String> {
    let what = match kind {
        Kind::Script => "scripts",
        Kind::Flow => "flows",
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut longest = 0usize;
    for page in 1..=10_000usize {
        *calls += 1;
        let v = get_json(windmill, token, workspace, &format!("/{what}/list"), |rb| {
            rb.query("page", &page.to_string(), false);
            rb.query("per_page", &per_page.to_string(), false);
            for (k, v) in extra {
                rb.query(k, &(*v).to_owned(), false);
            }
            Ok(())
        })
        .await?;
        let Value::Array(items) = v else {
            return Err(format!("Windmill's {what} listing is not a JSON array"));
        };
        let n = items.len();
        // Keep only what a refresh compares; the page's JSON is dropped here.
        out.extend(
            listed_items(kind, items, filter)
                .into_iter()
                .filter(|l| seen.insert(l.path.clone())),
        );
        longest = longest.max(n);
        if n == 0 || n < longest {
            break;
        }
    }
    Ok(out)
}

fn listed_items(kind: Kind, raw: Vec<Value>, filter: &ItemFilter) -> Vec<Listed> {
    raw.into_iter()
        .filter_map(|v| {
            let o = v.as_object()?;
            let path = o.get("path")?.as_str()?.to_owned();
            let flag = |k: &str| o.get(k).and_then(Value::as_bool).unwrap_or(false);
            if flag("archived") || flag("draft_only") || flag("no_main_func") {
                return None;
            }
            if kind == Kind::Script {
                let k = o.get("kind").and_then(Value::as_str).unwrap_or("script");
                if k != "script" {
                    return None;
                }
            }
            if !filter.admits(&path, flag("starred")) {
                return None;
            }
            let version = match kind {
                Kind::Script => o.get("hash").and_then(Value::as_str).unwrap_or(""),
                Kind::Flow => o.get("edited_at").and_then(Value::as_str).unwrap_or(""),
            }
            .to_owned();
            Some(Listed {
                kind,
                path,
                version,
            })
        })
        .collect()
}

/// What a tool is built from: the fields of the fetched script or flow that matter (the rest of
/// Windmill's answer, e.g. the code, is dropped as soon as it arrives).
struct Detail {
    listed: Listed,
    schema: Option<Value>,
    summary: String,
    description: String,
    language: String,
    /// The script hash or flow edit time the answer carried.
    version: String,
}

async fn fetch_detail(
    windmill: &Windmill,
    token: &Token,
    workspace: &str,
    l: Listed,
) -> Result<Detail, (Listed, String)> {
    let route = match l.kind {
        Kind::Script => "/scripts/get/p/",
        Kind::Flow => "/flows/get/",
    };
    let r = get_json(windmill, token, workspace, route, |rb| {
        rb.windmill_path("path", &l.path.clone())
    })
    .await;
    match r {
        Ok(mut value) => {
            let schema = value
                .get_mut("schema")
                .map(Value::take)
                .filter(Value::is_object);
            let version = match l.kind {
                Kind::Script => text_of(&value, "hash"),
                Kind::Flow => text_of(&value, "edited_at"),
            }
            .to_owned();
            Ok(Detail {
                schema,
                summary: text_of(&value, "summary").to_owned(),
                description: text_of(&value, "description").to_owned(),
                language: text_of(&value, "language").to_owned(),
                version,
                listed: l,
            })
        }
        Err(e) => Err((l, e)),
    }
}

fn text_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("")
}

fn cap(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &s[..cut])
}

fn build_tool(d: &Detail, resources: &BTreeMap<String, Vec<String>>) -> ItemTool {
    let l = &d.listed;
    let conv = schema::convert(d.schema.as_ref(), resources);
    let summary = d.summary.as_str();
    let description = d.description.as_str();
    let name = names::tool_name(l.kind, &l.path);
    let mut text = String::new();
    if !summary.is_empty() {
        text.push_str(&cap(summary, 200));
        text.push_str("\n\n");
    }
    if !description.is_empty() && description != summary {
        text.push_str(&cap(description, 800));
        text.push_str("\n\n");
    }
    let lang = d.language.as_str();
    // Short: thousands of these may be listed. How long jobs behave is in the server's instructions
    // and in get_job_result's description.
    text.push_str(&format!(
        "Runs the {}{} `{}` and returns its result.",
        l.kind.as_str(),
        if lang.is_empty() {
            String::new()
        } else {
            format!(" ({lang})")
        },
        l.path,
    ));
    let title = if summary.is_empty() {
        None
    } else {
        Some(cap(summary, 120))
    };
    // No annotations: MCP's defaults (not read-only, may be destructive, open world) are what a
    // script or flow is.
    let schema_json = serde_json::to_string(&conv.schema)
        .unwrap_or_else(|_| "{\"type\":\"object\"}".to_owned())
        .into_boxed_str();
    let version = d.version.as_str();
    ItemTool {
        kind: l.kind,
        path: l.path.clone(),
        version: if version.is_empty() {
            l.version.clone()
        } else if l.version.is_empty() {
            version.to_owned()
        } else {
            l.version.clone()
        },
        name,
        title,
        description: text,
        schema_json,
        renames: conv.renames,
        validator: OnceLock::new(),
    }
}

/// How long fetched resource lists are reused.
fn resource_ttl(options: ItemOptions) -> Duration {
    options.refresh_interval.saturating_mul(10)
}

async fn refresh(
    slot: &Slot,
    windmill: &Windmill,
    workspace: &str,
    token: &Token,
    selection: &ItemSelection,
    options: ItemOptions,
    seen: Option<Instant>,
) {
    let _guard = slot.refreshing.lock().await;
    let old = slot.current();
    if old.refreshed.is_some() && old.refreshed != seen {
        // Someone refreshed while we waited.
        return;
    }
    let started = Instant::now();
    let mut stats = RefreshStats::default();
    let mut listed = Vec::new();
    let mut errors = Vec::new();
    type Query<'a> = &'a [(&'a str, &'a str)];
    let kinds: [(Kind, Query, &ItemFilter); 2] = [
        (
            Kind::Script,
            &[("kinds", "script"), ("order_desc", "false")],
            &selection.scripts,
        ),
        (Kind::Flow, &[("order_desc", "false")], &selection.flows),
    ];
    for (kind, query, filter) in kinds {
        if filter.is_none() {
            continue;
        }
        let r = list_all(
            windmill,
            token,
            workspace,
            kind,
            query,
            filter,
            options.per_page,
            &mut stats.list_calls,
        )
        .await;
        match r {
            Ok(items) => listed.extend(items),
            Err(e) => errors.push(format!("listing {}s: {e}", kind.as_str())),
        }
    }
    if !errors.is_empty() {
        let error = errors.join("; ");
        tracing::warn!(workspace, error = %error, "workspace scripts and flows: refresh failed, keeping the previous list");
        slot.store(Catalog {
            items: old.items.clone(),
            index: old.index.clone(),
            refreshed: Some(Instant::now()),
            generation: old.generation,
            error: Some(error),
            last: stats,
        });
        return;
    }
    // Reuse what did not change.
    let mut kept: Vec<Arc<ItemTool>> = Vec::new();
    let mut todo: Vec<Listed> = Vec::new();
    for l in listed {
        match old.by_path(l.kind, &l.path) {
            Some(item) if !l.version.is_empty() && item.version == l.version => {
                kept.push(item.clone())
            }
            _ => todo.push(l),
        }
    }
    stats.reused = kept.len();
    stats.detail_calls = todo.len();
    // Resource lists still fresh from earlier refreshes; the others are fetched below.
    let ttl = resource_ttl(options);
    let mut resources: BTreeMap<String, Vec<String>> = slot
        .resources
        .lock()
        .map(|m| {
            m.iter()
                .filter(|(_, (at, _))| at.elapsed() < ttl)
                .map(|(k, (_, v))| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    // Each fetched item becomes a tool as soon as it arrives, so that thousands of fetched
    // scripts are never held at once; only items waiting for a resource listing are kept.
    let mut items = kept;
    let mut pending: Vec<Detail> = Vec::new();
    let mut fetched = futures::stream::iter(todo)
        .map(|l| fetch_detail(windmill, token, workspace, l))
        .buffer_unordered(options.concurrency.max(1));
    while let Some(r) = fetched.next().await {
        match r {
            Ok(d) => {
                let types = schema::resource_types(d.schema.as_ref());
                if types.iter().all(|t| resources.contains_key(t)) {
                    items.push(Arc::new(build_tool(&d, &resources)));
                } else {
                    pending.push(d);
                }
            }
            Err((l, e)) => {
                tracing::warn!(workspace, kind = l.kind.as_str(), path = %l.path, error = %e, "skipping a script or flow whose details could not be read");
            }
        }
    }
    drop(fetched);
    let missing: BTreeSet<String> = pending
        .iter()
        .flat_map(|d| schema::resource_types(d.schema.as_ref()))
        .filter(|t| !resources.contains_key(t))
        .collect();
    for t in missing {
        stats.resource_calls += 1;
        let r = get_json(windmill, token, workspace, "/resources/list", |rb| {
            rb.query("resource_type", &t.clone(), false);
            rb.query("per_page", &schema::MAX_RESOURCE_CHOICES.to_string(), false);
            Ok(())
        })
        .await;
        let mut paths: Vec<String> = match r {
            Ok(Value::Array(a)) => a
                .iter()
                .filter_map(|r| r.get("path").and_then(Value::as_str))
                .map(str::to_owned)
                .collect(),
            Ok(_) => Vec::new(),
            Err(e) => {
                tracing::debug!(resource_type = %t, error = %e, "resource listing failed; no choices offered");
                Vec::new()
            }
        };
        paths.sort();
        if let Ok(mut m) = slot.resources.lock() {
            m.insert(t.clone(), (Instant::now(), paths.clone()));
        }
        resources.insert(t, paths);
    }
    items.extend(pending.iter().map(|d| Arc::new(build_tool(d, &resources))));
    drop(pending);
    items.sort_by(|a, b| a.name().cmp(b.name()).then_with(|| a.path.cmp(&b.path)));
    let mut index = HashMap::with_capacity(items.len());
    let mut unique = Vec::with_capacity(items.len());
    for it in items {
        if index.contains_key(it.name()) {
            tracing::warn!(name = %it.name(), path = %it.path, "two workspace items share a tool name; the second is left out");
            continue;
        }
        index.insert(it.name().to_owned(), unique.len());
        unique.push(it);
    }
    let changed = unique.len() != old.items.len()
        || unique
            .iter()
            .zip(&old.items)
            .any(|(a, b)| a.name() != b.name() || a.version != b.version);
    stats.took_ms = started.elapsed().as_millis() as u64;
    tracing::debug!(
        workspace,
        items = unique.len(),
        ?stats,
        changed,
        "workspace scripts and flows refreshed"
    );
    slot.store(Catalog {
        items: unique,
        index,
        refreshed: Some(Instant::now()),
        generation: old.generation + u64::from(changed || old.refreshed.is_none()),
        error: None,
        last: stats,
    });
    drop(old);
    release_free_memory();
}

/// Hands memory freed by a refresh (listing pages, fetched scripts, a replaced catalog) back to the
/// operating system. glibc keeps freed memory in per-thread arenas otherwise, and a refresh of
/// thousands of items frees tens of megabytes at once.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it takes no pointers from us and is
    // safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
