//! The catalog of one (Windmill, workspace, token, selection): its scripts and flows as tools,
//! refreshed from Windmill's listings, with the schemas of changed items fetched again.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use rmcp::model::{JsonObject, Tool};
use serde_json::Value;

use super::names::{self, Kind};
use super::schema;
use super::selection::{ItemFilter, ItemOptions, ItemSelection};
use crate::listing::Profile;
use crate::upstream::api::{Api, Detail, ListedFlow, ListedScript};
use crate::upstream::{Token, UpstreamError, Windmill};

/// Whose catalog: the Windmill, workspace, token and selection it is read with.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub windmill: &'a Windmill,
    pub workspace: &'a str,
    pub token: &'a Token,
    pub selection: &'a ItemSelection,
}

impl Scope<'_> {
    fn api(&self) -> Api<'_> {
        Api::new(self.windmill, Some(self.token), self.workspace)
    }

    fn owned(self) -> OwnedScope {
        OwnedScope {
            windmill: self.windmill.clone(),
            workspace: self.workspace.to_owned(),
            token: self.token.clone(),
            selection: self.selection.clone(),
        }
    }
}

/// A [`Scope`] for a background task.
struct OwnedScope {
    windmill: Windmill,
    workspace: String,
    token: Token,
    selection: ItemSelection,
}

impl OwnedScope {
    fn scope(&self) -> Scope<'_> {
        Scope {
            windmill: &self.windmill,
            workspace: &self.workspace,
            token: &self.token,
            selection: &self.selection,
        }
    }
}

fn parse_schema(text: &str) -> Option<JsonObject> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => Some(o),
        _ => None,
    }
}

/// Compiles an item's schema text into a validator.
fn compile(text: &str) -> Result<jsonschema::Validator, String> {
    let schema = parse_schema(text).ok_or_else(|| "the schema is not a JSON object".to_owned())?;
    jsonschema::draft202012::new(&Value::Object(schema)).map_err(|e| e.to_string())
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
    validator: OnceLock<Result<Box<jsonschema::Validator>, String>>,
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

    /// The input schema (full profile). The text was written by [`build_tool`] from an object, so it
    /// always reads back as one.
    pub fn input_schema(&self) -> JsonObject {
        parse_schema(&self.schema_json).unwrap_or_default()
    }

    /// The compiled validator of the input schema, built on first use. Fails closed: an item whose
    /// schema does not compile is never built (see [`build_tool`]), and if one did, its calls would be
    /// refused, not sent unchecked.
    pub fn validator(&self) -> Result<&jsonschema::Validator, &str> {
        self.validator
            .get_or_init(|| compile(&self.schema_json).map(Box::new))
            .as_deref()
            .map_err(String::as_str)
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
            t.input_schema = Arc::new(crate::listing::profile::transform(&t.input_schema, profile));
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
    pub async fn catalog(&self, scope: &Scope<'_>) -> Arc<Catalog> {
        self.get(scope, false).await
    }

    /// Like [`Items::catalog`], but a stale catalog is refreshed before answering.
    pub async fn fresh(&self, scope: &Scope<'_>) -> Arc<Catalog> {
        self.get(scope, true).await
    }

    fn key(scope: &Scope<'_>) -> SlotKey {
        SlotKey {
            base: scope.windmill.base().to_owned(),
            workspace: scope.workspace.to_owned(),
            token: token_identity(scope.token),
            selection: scope.selection.key(),
        }
    }

    async fn get(&self, scope: &Scope<'_>, wait: bool) -> Arc<Catalog> {
        let slot = self.slot(&Self::key(scope));
        let current = slot.current();
        match current.refreshed {
            None => {
                refresh(&slot, scope, self.options, None).await;
                slot.current()
            }
            Some(t) if t.elapsed() >= self.options.refresh_interval => {
                if wait {
                    refresh(&slot, scope, self.options, Some(t)).await;
                    return slot.current();
                }
                let owned = scope.owned();
                let options = self.options;
                let slot2 = slot.clone();
                tokio::spawn(async move {
                    refresh(&slot2, &owned.scope(), options, Some(t)).await;
                });
                current
            }
            Some(_) => current,
        }
    }

    /// Refreshes now (when a call found the list stale) and returns the new catalog.
    pub async fn refresh_now(&self, scope: &Scope<'_>) -> Arc<Catalog> {
        let slot = self.slot(&Self::key(scope));
        let seen = slot.current().refreshed;
        refresh(&slot, scope, self.options, seen).await;
        slot.current()
    }
}

/// One listed script or flow: what a refresh compares and a tool is built from.
#[derive(Debug, Clone)]
struct Listed {
    kind: Kind,
    path: String,
    /// Script hash or flow edit time.
    version: String,
}

impl Listed {
    /// A listed script, if it is one to list: not archived, not a draft, of kind
    /// `script`, admitted by the filter.
    fn script(s: ListedScript, filter: &ItemFilter) -> Option<Listed> {
        let runnable = !s.archived && !s.draft_only;
        let plain = s.kind.is_empty() || s.kind == "script";
        (runnable && plain && filter.admits(&s.path, s.starred)).then_some(Listed {
            kind: Kind::Script,
            path: s.path,
            version: s.hash,
        })
    }

    /// A listed flow, if it is one to list.
    fn flow(f: ListedFlow, filter: &ItemFilter) -> Option<Listed> {
        (!f.archived && !f.draft_only && filter.admits(&f.path, f.starred)).then_some(Listed {
            kind: Kind::Flow,
            path: f.path,
            version: f.edited_at,
        })
    }
}

/// The most pages read from one listing.
const MAX_PAGES: i64 = 10_000;

/// Every page of a listing. Stops at an empty page or one shorter than the longest seen (so a
/// server that caps `per_page` lower than asked is still read to the end).
async fn list_all(
    api: Api<'_>,
    kind: Kind,
    filter: &ItemFilter,
    per_page: usize,
    calls: &mut usize,
) -> Result<Vec<Listed>, UpstreamError> {
    let per_page = i64::try_from(per_page).unwrap_or(100);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut longest = 0usize;
    for page in 1..=MAX_PAGES {
        *calls += 1;
        let (items, n): (Vec<Listed>, usize) = match kind {
            Kind::Script => {
                let (items, n) = api.list_scripts(page, per_page).await?;
                (
                    items
                        .into_iter()
                        .filter_map(|s| Listed::script(s, filter))
                        .collect(),
                    n,
                )
            }
            Kind::Flow => {
                let (items, n) = api.list_flows(page, per_page).await?;
                (
                    items
                        .into_iter()
                        .filter_map(|f| Listed::flow(f, filter))
                        .collect(),
                    n,
                )
            }
        };
        out.extend(items.into_iter().filter(|l| seen.insert(l.path.clone())));
        longest = longest.max(n);
        if n == 0 || n < longest {
            break;
        }
    }
    Ok(out)
}

/// A listed item with what `getScriptByPath` / `getFlowByPath` answered.
struct Fetched {
    listed: Listed,
    detail: Detail,
}

async fn fetch(api: Api<'_>, l: Listed) -> Result<Fetched, (Listed, UpstreamError)> {
    match api.get(l.kind, &l.path).await {
        Ok(detail) => Ok(Fetched { listed: l, detail }),
        Err(e) => Err((l, e)),
    }
}

/// An item as a tool; `None` (with a warning) when its schema cannot be checked.
fn build_tool(f: &Fetched, resources: &BTreeMap<String, Vec<String>>) -> Option<ItemTool> {
    let (l, d) = (&f.listed, &f.detail);
    let conv = schema::convert(d.schema.as_ref(), resources);
    let summary = d.summary.trim();
    let description = d.description.trim();
    let name = names::tool_name(l.kind, &l.path);
    let mut text = String::new();
    if !summary.is_empty() {
        text.push_str(&crate::text::ellipsize(summary, 200));
        text.push_str("\n\n");
    }
    if !description.is_empty() && description != summary {
        text.push_str(&crate::text::ellipsize(description, 800));
        text.push_str("\n\n");
    }
    let lang = d.language.trim();
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
    let title = (!summary.is_empty()).then(|| crate::text::ellipsize(summary, 120));
    let schema_json = match serde_json::to_string(&conv.schema) {
        Ok(t) => t.into_boxed_str(),
        Err(e) => {
            tracing::warn!(tool = %name, error = %e, "leaving out a script or flow whose schema cannot be written");
            return None;
        }
    };
    if let Err(e) = compile(&schema_json) {
        tracing::warn!(tool = %name, error = %e, "leaving out a script or flow whose schema does not compile");
        return None;
    }
    let fetched_version = match l.kind {
        Kind::Script => d.hash.as_str(),
        Kind::Flow => d.edited_at.as_str(),
    };
    // No annotations: MCP's defaults (not read-only, may be destructive, open world) are what a
    // script or flow is.
    Some(ItemTool {
        kind: l.kind,
        path: l.path.clone(),
        version: if l.version.is_empty() {
            fetched_version.to_owned()
        } else {
            l.version.clone()
        },
        name,
        title,
        description: text,
        schema_json,
        renames: conv.renames,
        validator: OnceLock::new(),
    })
}

/// How long fetched resource lists are reused.
fn resource_ttl(options: ItemOptions) -> Duration {
    options.refresh_interval.saturating_mul(10)
}

/// Lists every page of the selected kinds; on failure, why (the previous catalog is kept).
async fn list_selected(
    scope: &Scope<'_>,
    options: ItemOptions,
    stats: &mut RefreshStats,
) -> Result<Vec<Listed>, String> {
    let mut listed = Vec::new();
    let mut errors = Vec::new();
    let kinds = [
        (Kind::Script, &scope.selection.scripts),
        (Kind::Flow, &scope.selection.flows),
    ];
    for (kind, filter) in kinds {
        if filter.is_none() {
            continue;
        }
        match list_all(
            scope.api(),
            kind,
            filter,
            options.per_page,
            &mut stats.list_calls,
        )
        .await
        {
            Ok(items) => listed.extend(items),
            Err(e) => errors.push(format!("listing {}s: {e}", kind.as_str())),
        }
    }
    if errors.is_empty() {
        Ok(listed)
    } else {
        Err(errors.join("; "))
    }
}

/// Resource lists fetched by earlier refreshes that are still fresh.
fn fresh_resources(slot: &Slot, options: ItemOptions) -> BTreeMap<String, Vec<String>> {
    let ttl = resource_ttl(options);
    slot.resources
        .lock()
        .map(|m| {
            m.iter()
                .filter(|(_, (at, _))| at.elapsed() < ttl)
                .map(|(k, (_, v))| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Fetches the resource lists `pending` items need and has not got yet.
async fn fetch_resources(
    slot: &Slot,
    scope: &Scope<'_>,
    pending: &[Fetched],
    resources: &mut BTreeMap<String, Vec<String>>,
    stats: &mut RefreshStats,
) {
    let missing: BTreeSet<String> = pending
        .iter()
        .flat_map(|f| schema::resource_types(f.detail.schema.as_ref()))
        .filter(|t| !resources.contains_key(t))
        .collect();
    let per_page = i64::try_from(schema::MAX_RESOURCE_CHOICES).unwrap_or(20);
    for t in missing {
        stats.resource_calls += 1;
        let mut paths = match scope.api().resources_of_type(&t, per_page).await {
            Ok(p) => p,
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
}

/// Fetches the schemas of `todo` (bounded concurrency) and builds their tools. Each fetched item
/// becomes a tool as soon as it arrives, so thousands of fetched scripts are never held at once;
/// only items waiting for a resource listing are kept.
async fn build_changed(
    slot: &Slot,
    scope: &Scope<'_>,
    todo: Vec<Listed>,
    options: ItemOptions,
    stats: &mut RefreshStats,
) -> Vec<Arc<ItemTool>> {
    let mut resources = fresh_resources(slot, options);
    let mut items = Vec::new();
    let mut pending: Vec<Fetched> = Vec::new();
    let api = scope.api();
    let mut fetched = futures::stream::iter(todo)
        .map(|l| fetch(api, l))
        .buffer_unordered(options.concurrency.max(1));
    while let Some(r) = fetched.next().await {
        match r {
            Ok(f) => {
                let types = schema::resource_types(f.detail.schema.as_ref());
                if types.iter().all(|t| resources.contains_key(t)) {
                    items.extend(build_tool(&f, &resources).map(Arc::new));
                } else {
                    pending.push(f);
                }
            }
            Err((l, e)) => {
                tracing::warn!(workspace = scope.workspace, kind = l.kind.as_str(), path = %l.path, error = %e, "skipping a script or flow whose details could not be read");
            }
        }
    }
    drop(fetched);
    fetch_resources(slot, scope, &pending, &mut resources, stats).await;
    items.extend(
        pending
            .iter()
            .filter_map(|f| build_tool(f, &resources))
            .map(Arc::new),
    );
    items
}

/// Sorts items by name and indexes them; a second item with a name already taken is left out.
fn index_items(mut items: Vec<Arc<ItemTool>>) -> (Vec<Arc<ItemTool>>, HashMap<String, usize>) {
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
    (unique, index)
}

async fn refresh(slot: &Slot, scope: &Scope<'_>, options: ItemOptions, seen: Option<Instant>) {
    let _guard = slot.refreshing.lock().await;
    let old = slot.current();
    if old.refreshed.is_some() && old.refreshed != seen {
        // Someone refreshed while we waited.
        return;
    }
    let started = Instant::now();
    let mut stats = RefreshStats::default();
    let listed = match list_selected(scope, options, &mut stats).await {
        Ok(l) => l,
        Err(error) => {
            tracing::warn!(workspace = scope.workspace, error = %error, "workspace scripts and flows: refresh failed, keeping the previous list");
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
    };
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
    let mut items = kept;
    items.extend(build_changed(slot, scope, todo, options, &mut stats).await);
    let (items, index) = index_items(items);
    let changed = items.len() != old.items.len()
        || items
            .iter()
            .zip(&old.items)
            .any(|(a, b)| a.name() != b.name() || a.version != b.version);
    stats.took_ms = started.elapsed().as_millis() as u64;
    tracing::debug!(
        workspace = scope.workspace,
        items = items.len(),
        ?stats,
        changed,
        "workspace scripts and flows refreshed"
    );
    slot.store(Catalog {
        items,
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
