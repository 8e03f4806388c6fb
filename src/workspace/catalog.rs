//! The catalog of one (Windmill, workspace, token, selection): every selected script and flow as
//! Windmill lists it, the ones listed as tools, and a search index over all of them.
//!
//! **Lazy schemas.** Paths, summaries and descriptions come from the listings (`listScripts`,
//! `listFlows`), which carry them. An item's argument schema is fetched only when the item is
//! listed as a tool, described or called, and cached by script hash or flow edit time in the slot,
//! so a refresh fetches again only what changed.
//!
//! **What is listed.** Items of a non-`auto` selection (`all`, `favorites`, globs) are all listed.
//! Items of an `auto` selection are candidates in this order: the caller's favorites (starred),
//! then the most recently edited (a script's current hash's `created_at`, a flow's `edited_at`),
//! then by path; they are listed while the whole `tools/list` stays within the listing budget.
//! The order depends only on Windmill's data, so it is the same across pages, restarts and
//! replicas.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use rmcp::model::{JsonObject, Tool};
use serde_json::Value;

use super::names::{self, Kind};
use super::schema;
use super::search::{Document, ItemIndex};
use super::selection::{ItemFilter, ItemOptions, ItemSelection};
use crate::listing::Profile;
use crate::upstream::api::{Api, Detail, ListedFlow, ListedScript};
use crate::upstream::{Token, UpstreamError, Windmill};

/// Whose catalog: the Windmill, workspace, token and selection it is read with; and how many bytes
/// the listed items of `auto` selections may take for the caller that asks.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub windmill: &'a Windmill,
    pub workspace: &'a str,
    pub token: &'a Token,
    pub selection: &'a ItemSelection,
    /// Bytes left for scripts and flows in the caller's `tools/list` (not part of the catalog's key).
    pub item_budget: usize,
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
            item_budget: self.item_budget,
        }
    }
}

/// A [`Scope`] for a background task.
struct OwnedScope {
    windmill: Windmill,
    workspace: String,
    token: Token,
    selection: ItemSelection,
    item_budget: usize,
}

impl OwnedScope {
    fn scope(&self) -> Scope<'_> {
        Scope {
            windmill: &self.windmill,
            workspace: &self.workspace,
            token: &self.token,
            selection: &self.selection,
            item_budget: self.item_budget,
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

/// One script or flow as Windmill lists it: enough to name, order, search and describe it.
#[derive(Debug, Clone)]
pub struct ItemInfo {
    pub kind: Kind,
    pub path: String,
    /// Its tool name.
    pub name: String,
    /// Script hash or flow edit time: what a refresh compares.
    pub version: String,
    pub summary: String,
    pub description: String,
    pub language: String,
    /// Starred by the caller.
    pub starred: bool,
    /// When it was last edited (RFC 3339).
    pub edited: String,
}

impl ItemInfo {
    /// An item as a listing would give it (for tools that work without a Windmill, e.g. the
    /// search evaluation).
    pub fn new(kind: Kind, path: &str, summary: &str, description: &str) -> Self {
        ItemInfo {
            kind,
            path: path.to_owned(),
            name: names::tool_name(kind, path),
            version: String::new(),
            summary: summary.to_owned(),
            description: description.to_owned(),
            language: String::new(),
            starred: false,
            edited: String::new(),
        }
    }
}

/// One script or flow as a tool.
///
/// The input schema is kept as JSON text and parsed when a page of `tools/list` or a call needs
/// it: a parsed schema takes about ten times its text in memory.
pub struct ItemTool {
    pub kind: Kind,
    pub path: String,
    /// Script hash or flow edit time of the schema.
    pub version: String,
    name: String,
    title: Option<String>,
    description: String,
    schema_json: Box<str>,
    /// Argument names, titles and descriptions, for the search index.
    args_text: Box<str>,
    /// `(schema name, Windmill argument name)` of renamed arguments.
    pub renames: Vec<(String, String)>,
    /// Built on the first call of this tool.
    validator: OnceLock<Result<Box<jsonschema::Validator>, String>>,
    /// Bytes of its listed definition, per profile.
    bytes: [OnceLock<usize>; 3],
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

fn profile_slot(profile: Profile) -> usize {
    match profile {
        Profile::Full => 0,
        Profile::OpenAi => 1,
        Profile::Gemini => 2,
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
        crate::listing::profiled(&self.tool(), profile)
    }

    /// Bytes of its listed definition in a profile (with the comma that separates it from the next).
    pub fn listed_bytes(&self, profile: Profile) -> usize {
        *self.bytes[profile_slot(profile)].get_or_init(|| {
            serde_json::to_vec(&self.listed(profile))
                .map(|v| v.len() + 1)
                .unwrap_or(usize::MAX / 4)
        })
    }

    /// Its description (the summary, description and what calling it does).
    pub fn description(&self) -> &str {
        &self.description
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
    /// Listed items whose tools were kept from before, without a fetch.
    pub reused: usize,
    pub took_ms: u64,
}

/// The scripts and flows of one (workspace, token, selection).
#[derive(Debug, Default)]
pub struct Catalog {
    /// Every selected script and flow, sorted by tool name.
    pub infos: Vec<Arc<ItemInfo>>,
    /// The tools listed whatever the budget (non-`auto` selections), sorted by name.
    always: Vec<Arc<ItemTool>>,
    /// The budget candidates whose tools were built, in listing priority (`auto` selections).
    budgeted: Vec<Arc<ItemTool>>,
    /// Over [`Catalog::infos`].
    search: ItemIndex,
    pub refreshed: Option<Instant>,
    /// Goes up by one whenever the listed tools change.
    pub generation: u64,
    /// Why the last refresh failed (the previous items are kept).
    pub error: Option<String>,
    pub last: RefreshStats,
    memo: Memo,
}

/// How many (profile, budget) listings a catalog remembers (callers of one catalog differ in
/// budget only by their tool mode and profile).
const MEMO_LISTINGS: usize = 8;

/// Listed definitions up to this many bytes (of JSON) are kept parsed: a warm `tools/list` of the
/// default listing then parses nothing. Bigger listings (`all` over thousands of items) parse the
/// page they send, as a parsed schema takes about ten times its text.
const MEMO_DEFINITION_BYTES: usize = 256 * 1024;

/// What `tools/list` asks a catalog on every request, worked out once.
#[derive(Debug, Default)]
struct Memo {
    counts: OnceLock<(usize, usize)>,
    listed: Mutex<Vec<(Profile, usize, Arc<Listed>)>>,
}

/// The scripts and flows listed for a caller (see [`Catalog::listed`]).
#[derive(Debug)]
pub struct Listed {
    /// Sorted by name.
    pub items: Vec<Arc<ItemTool>>,
    profile: Profile,
    /// Bytes of their listed definitions.
    bytes: usize,
    defs: OnceLock<Vec<Tool>>,
}

impl Listed {
    /// The listed definitions of `items[offset..offset + max]`.
    pub fn page(&self, offset: usize, max: usize) -> Vec<Tool> {
        if self.bytes <= MEMO_DEFINITION_BYTES {
            let defs = self
                .defs
                .get_or_init(|| self.items.iter().map(|i| i.listed(self.profile)).collect());
            return defs.iter().skip(offset).take(max).cloned().collect();
        }
        self.items
            .iter()
            .skip(offset)
            .take(max)
            .map(|i| i.listed(self.profile))
            .collect()
    }
}

impl Catalog {
    /// A catalog of these items, none listed, as if Windmill had listed them (for tools that work
    /// without a Windmill: the search evaluation and benchmark). `args` gives an item's argument
    /// text for the search index.
    pub fn offline(mut infos: Vec<ItemInfo>, args: &dyn Fn(&ItemInfo) -> String) -> Catalog {
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        infos.dedup_by(|b, a| a.name == b.name);
        let texts: Vec<String> = infos.iter().map(args).collect();
        let search = ItemIndex::build(infos.iter().zip(&texts).map(|(i, a)| Document {
            path: &i.path,
            summary: &i.summary,
            description: &i.description,
            args: a,
        }));
        let infos: Vec<Arc<ItemInfo>> = infos.into_iter().map(Arc::new).collect();
        Catalog {
            infos,
            search,
            refreshed: Some(Instant::now()),
            ..Catalog::default()
        }
    }

    /// The selected item of that tool name.
    pub fn info(&self, name: &str) -> Option<&Arc<ItemInfo>> {
        self.infos
            .binary_search_by(|i| i.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.infos.get(i))
    }

    /// The item for a script or flow path: names depend only on the kind and the path.
    pub fn by_path(&self, kind: Kind, path: &str) -> Option<&Arc<ItemInfo>> {
        self.info(&names::tool_name(kind, path))
            .filter(|i| i.kind == kind && i.path == path)
    }

    /// How many scripts and flows are selected.
    pub fn counts(&self) -> (usize, usize) {
        *self.memo.counts.get_or_init(|| {
            let scripts = self.infos.iter().filter(|i| i.kind == Kind::Script).count();
            (scripts, self.infos.len() - scripts)
        })
    }

    /// The tools listed for a caller whose scripts and flows may take `budget` bytes, sorted by
    /// name: every item of a non-`auto` selection, then the budget candidates in priority order
    /// while they fit. Remembered per (profile, budget), so a warm `tools/list` does no work over
    /// the items.
    pub fn listed(&self, profile: Profile, budget: usize) -> Arc<Listed> {
        let mut memo = self.memo.listed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, l)) = memo.iter().find(|(p, b, _)| *p == profile && *b == budget) {
            return l.clone();
        }
        let mut out: Vec<Arc<ItemTool>> = self.always.clone();
        let mut left =
            budget.saturating_sub(out.iter().map(|t| t.listed_bytes(profile)).sum::<usize>());
        for t in &self.budgeted {
            let n = t.listed_bytes(profile);
            if n > left {
                break;
            }
            left -= n;
            out.push(t.clone());
        }
        out.sort_by(|a, b| a.name().cmp(b.name()));
        let bytes = out.iter().map(|t| t.listed_bytes(profile)).sum();
        let listed = Arc::new(Listed {
            items: out,
            profile,
            bytes,
            defs: OnceLock::new(),
        });
        if memo.len() >= MEMO_LISTINGS {
            memo.remove(0);
        }
        memo.push((profile, budget, listed.clone()));
        listed
    }

    /// Whether every selected item is listed for a caller with this budget.
    pub fn lists_everything(&self, profile: Profile, budget: usize) -> bool {
        self.listed(profile, budget).items.len() == self.infos.len()
    }

    /// The items best matching `query`, best first.
    pub fn search(
        &self,
        query: &str,
        admit: &dyn Fn(&ItemInfo) -> bool,
        limit: usize,
    ) -> Vec<(Arc<ItemInfo>, f32)> {
        let hits = self.search.search(
            query,
            &|d| self.infos.get(d).is_some_and(|i| admit(i)),
            &|d| {
                self.infos
                    .get(d)
                    .map(|i| i.name.clone())
                    .unwrap_or_default()
            },
            limit,
        );
        hits.into_iter()
            .filter_map(|h| self.infos.get(h.doc).map(|i| (i.clone(), h.score)))
            .collect()
    }
}

/// Resource paths per resource type, with when they were fetched.
type ResourceLists = HashMap<String, (Instant, Vec<String>)>;
/// The last complete listing of each kind, with when it was read.
type Listings = HashMap<Kind, (Instant, Arc<Vec<Arc<ItemInfo>>>)>;

#[derive(Default, Debug)]
struct Slot {
    catalog: RwLock<Arc<Catalog>>,
    refreshing: tokio::sync::Mutex<()>,
    /// Built tools by name, kept across refreshes while their version holds; shared by the
    /// selections of one (Windmill, workspace, token), see [`Group`].
    tools: Arc<Mutex<HashMap<String, Arc<ItemTool>>>>,
    /// Resource paths per resource type, with when they were fetched (shared like `tools`).
    resources: Arc<Mutex<ResourceLists>>,
    /// Held while the catalog is built or a schema fetched (shared like `tools`).
    building: Arc<tokio::sync::Mutex<()>>,
    /// Keeps the group alive while this slot is.
    group: Option<Arc<Group>>,
    last_used: Mutex<Option<Instant>>,
}

/// What the selections of one (Windmill, workspace, token) share: the tools built from fetched
/// schemas, the resource lists, and one build at a time. However many selections a token
/// asks for, each script's schema is fetched once (a flood of 48 selections over 2,000 scripts
/// made 97,485 requests to Windmill when each selection fetched every schema again).
#[derive(Default, Debug)]
struct Group {
    tools: Arc<Mutex<HashMap<String, Arc<ItemTool>>>>,
    resources: Arc<Mutex<ResourceLists>>,
    building: Arc<tokio::sync::Mutex<()>>,
    /// The last complete listing of each kind (every item, before any selection), with when it
    /// was read: a build that waited for another reuses what that one read meanwhile.
    listings: Mutex<Listings>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct GroupKey {
    base: String,
    workspace: String,
    token: u128,
}

impl SlotKey {
    fn group(&self) -> GroupKey {
        GroupKey {
            base: self.base.clone(),
            workspace: self.workspace.clone(),
            token: self.token,
        }
    }
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

    /// The cached tool of an item, if its version still holds.
    fn cached(&self, info: &ItemInfo) -> Option<Arc<ItemTool>> {
        let tools = self.tools.lock().unwrap_or_else(|p| p.into_inner());
        tools
            .get(&info.name)
            .filter(|t| t.version == info.version && t.path == info.path)
            .cloned()
    }

    fn cache(&self, tool: Arc<ItemTool>) {
        let mut tools = self.tools.lock().unwrap_or_else(|p| p.into_inner());
        tools.insert(tool.name.clone(), tool);
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
    /// The groups of the live slots (a group goes when its last slot does).
    groups: Mutex<HashMap<GroupKey, std::sync::Weak<Group>>>,
    pub options: ItemOptions,
}

/// Catalogs unused this long are dropped.
const SLOT_IDLE: Duration = Duration::from_secs(3600);

/// Removes the least recently used slots that `which` picks until fewer than `cap` remain.
fn evict_lru(
    slots: &mut HashMap<SlotKey, Arc<Slot>>,
    cap: usize,
    which: impl Fn(&SlotKey) -> bool,
) {
    let used = |s: &Slot| *s.last_used.lock().unwrap_or_else(|p| p.into_inner());
    let mut picked: Vec<(Option<Instant>, SlotKey)> = slots
        .iter()
        .filter(|(k, _)| which(k))
        .map(|(k, s)| (used(s), k.clone()))
        .collect();
    if picked.len() < cap {
        return;
    }
    picked.sort_by_key(|(t, _)| *t);
    for (_, k) in picked.iter().take(picked.len() + 1 - cap) {
        slots.remove(k);
        tracing::debug!(workspace = %k.workspace, "catalog evicted (--max-catalogs, --max-selections-per-token)");
    }
}

impl Items {
    pub fn new(options: ItemOptions) -> Self {
        Items {
            slots: Mutex::new(HashMap::new()),
            groups: Mutex::new(HashMap::new()),
            options,
        }
    }

    /// Live catalogs (for tests and figures).
    pub fn live(&self) -> usize {
        self.slots.lock().map(|s| s.len()).unwrap_or(0)
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
        // LRU caps: distinct selections of this token, then catalogs in all. An evicted catalog
        // finishes a refresh in progress and is dropped with its last user.
        let per_token = self.options.max_selections_per_token.max(1);
        evict_lru(&mut slots, per_token, |k| k.token == key.token);
        evict_lru(&mut slots, self.options.max_catalogs.max(1), |_| true);
        let group = self.group(&key.group());
        let s = Arc::new(Slot {
            tools: group.tools.clone(),
            resources: group.resources.clone(),
            building: group.building.clone(),
            group: Some(group),
            ..Slot::default()
        });
        *s.last_used.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
        slots.insert(key.clone(), s.clone());
        s
    }

    /// The live group of `key`, or a new one.
    fn group(&self, key: &GroupKey) -> Arc<Group> {
        let mut groups = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(g) = groups.get(key).and_then(std::sync::Weak::upgrade) {
            return g;
        }
        groups.retain(|_, g| g.strong_count() > 0);
        let g = Arc::new(Group::default());
        groups.insert(key.clone(), Arc::downgrade(&g));
        g
    }

    /// The caller's catalog: fetched now if there is none yet; refreshed in the background if
    /// older than the refresh interval (the current one is returned meanwhile).
    pub async fn catalog(&self, scope: &Scope<'_>) -> Arc<Catalog> {
        self.get(scope, false).await
    }

    /// [`Items::catalog`] in a task of its own: dropping the handle (a timeout) never cancels a
    /// listing half-way.
    pub fn catalog_task(
        self: &Arc<Self>,
        scope: &Scope<'_>,
    ) -> tokio::task::JoinHandle<Arc<Catalog>> {
        let items = self.clone();
        let owned = scope.owned();
        tokio::spawn(async move { items.catalog(&owned.scope()).await })
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

    /// The tool of a selected item: built already, or its schema fetched now (and kept).
    pub async fn tool(
        &self,
        scope: &Scope<'_>,
        info: &ItemInfo,
    ) -> Result<Arc<ItemTool>, ToolError> {
        let slot = self.slot(&Self::key(scope));
        if let Some(t) = slot.cached(info) {
            return Ok(t);
        }
        let _building = slot.building.lock().await;
        let mut stats = RefreshStats::default();
        let built = build_tools(&slot, scope, vec![info.clone()], self.options, &mut stats).await;
        built.into_iter().next().ok_or_else(|| {
            ToolError(format!(
                "the {} `{}` could not be read from Windmill (see the server log)",
                info.kind.as_str(),
                info.path
            ))
        })
    }
}

/// Why an item's tool could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ToolError(pub String);

/// A listed script, if it is one to list: not archived, not a draft, of kind `script`, admitted
/// by the filter.
fn script_info(s: ListedScript, filter: &ItemFilter) -> Option<ItemInfo> {
    let runnable = !s.archived && !s.draft_only;
    let plain = s.kind.is_empty() || s.kind == "script";
    (runnable && plain && filter.admits(&s.path, s.starred)).then(|| ItemInfo {
        kind: Kind::Script,
        name: names::tool_name(Kind::Script, &s.path),
        path: s.path,
        version: s.hash,
        summary: s.summary,
        description: s.description,
        language: s.language,
        starred: s.starred,
        edited: s.created_at,
    })
}

/// A listed flow, if it is one to list.
fn flow_info(f: ListedFlow, filter: &ItemFilter) -> Option<ItemInfo> {
    (!f.archived && !f.draft_only && filter.admits(&f.path, f.starred)).then(|| ItemInfo {
        kind: Kind::Flow,
        name: names::tool_name(Kind::Flow, &f.path),
        path: f.path,
        version: f.edited_at.clone(),
        summary: f.summary,
        description: f.description,
        language: String::new(),
        starred: f.starred,
        edited: f.edited_at,
    })
}

/// The most pages read from one listing.
const MAX_PAGES: i64 = 10_000;

/// Every page of a listing. Stops at an empty page or one shorter than the longest seen (so a
/// server that caps `per_page` lower than asked is still read to the end), at a page that brings no
/// path not seen before (a Windmill that answers every `page` with the same items), and after
/// `--max-items` distinct items (with a warning naming the workspace).
async fn list_all(
    api: Api<'_>,
    kind: Kind,
    filter: &ItemFilter,
    options: ItemOptions,
    calls: &mut usize,
) -> Result<Vec<ItemInfo>, UpstreamError> {
    let per_page = i64::try_from(options.per_page).unwrap_or(100);
    let max_items = options.max_items.max(1);
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut longest = 0usize;
    for page in 1..=MAX_PAGES {
        *calls += 1;
        let before = seen.len();
        let mut full = false;
        let mut admit = |path: &str| -> bool {
            if seen.contains(path) {
                return false;
            }
            if seen.len() >= max_items {
                full = true;
                return false;
            }
            seen.insert(path.to_owned());
            true
        };
        let n = match kind {
            Kind::Script => {
                let (items, n) = api.list_scripts(page, per_page).await?;
                for s in items {
                    if admit(&s.path) {
                        out.extend(script_info(s, filter));
                    }
                }
                n
            }
            Kind::Flow => {
                let (items, n) = api.list_flows(page, per_page).await?;
                for f in items {
                    if admit(&f.path) {
                        out.extend(flow_info(f, filter));
                    }
                }
                n
            }
        };
        if full {
            tracing::warn!(
                workspace = api.workspace,
                kind = kind.as_str(),
                max_items,
                "listing stopped at --max-items: the other {}s of this workspace are not tools",
                kind.as_str()
            );
            break;
        }
        longest = longest.max(n);
        if n == 0 || n < longest {
            break;
        }
        if seen.len() == before {
            tracing::warn!(
                workspace = api.workspace,
                kind = kind.as_str(),
                page,
                "Windmill answered a page of its listing with nothing new; stopping there"
            );
            break;
        }
    }
    Ok(out)
}

/// An item with what `getScriptByPath` / `getFlowByPath` answered.
struct Fetched {
    info: ItemInfo,
    detail: Detail,
}

async fn fetch(api: Api<'_>, info: ItemInfo) -> Result<Fetched, (ItemInfo, UpstreamError)> {
    match api.get(info.kind, &info.path).await {
        Ok(detail) => Ok(Fetched { info, detail }),
        Err(e) => Err((info, e)),
    }
}

/// The names, titles and descriptions of a schema's properties, as one text.
fn args_text(schema: &JsonObject) -> String {
    let mut out = String::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            out.push_str(k);
            out.push(' ');
            for key in ["title", "description"] {
                if let Some(t) = v.get(key).and_then(Value::as_str) {
                    out.push_str(&crate::text::ellipsize(t, 200));
                    out.push(' ');
                }
            }
        }
    }
    out
}

/// An item as a tool; `None` (with a warning) when its schema cannot be checked.
fn build_tool(f: &Fetched, resources: &BTreeMap<String, Vec<String>>) -> Option<ItemTool> {
    let (l, d) = (&f.info, &f.detail);
    let conv = schema::convert(d.schema.as_ref(), resources);
    // The listing's texts, unless the item's own are newer (they describe the same version).
    let pick = |own: &str, listed: &str| -> String {
        let own = own.trim();
        if own.is_empty() { listed.trim() } else { own }.to_owned()
    };
    let summary = pick(&d.summary, &l.summary);
    let description = pick(&d.description, &l.description);
    let mut text = String::new();
    if !summary.is_empty() {
        text.push_str(&crate::text::ellipsize(&summary, 200));
        text.push_str("\n\n");
    }
    if !description.is_empty() && description != summary {
        text.push_str(&crate::text::ellipsize(&description, 800));
        text.push_str("\n\n");
    }
    let lang = pick(&d.language, &l.language);
    // Short: many of these may be listed. How long jobs behave is in the server's instructions
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
    let title = (!summary.is_empty()).then(|| crate::text::ellipsize(&summary, 120));
    let schema_json = match serde_json::to_string(&conv.schema) {
        Ok(t) => t.into_boxed_str(),
        Err(e) => {
            tracing::warn!(tool = %l.name, error = %e, "leaving out a script or flow whose schema cannot be written");
            return None;
        }
    };
    if let Err(e) = compile(&schema_json) {
        tracing::warn!(tool = %l.name, error = %e, "leaving out a script or flow whose schema does not compile");
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
        name: l.name.clone(),
        title,
        description: text,
        args_text: args_text(&conv.schema).into_boxed_str(),
        schema_json,
        renames: conv.renames,
        validator: OnceLock::new(),
        bytes: Default::default(),
    })
}

/// How long fetched resource lists are reused.
fn resource_ttl(options: ItemOptions) -> Duration {
    options.refresh_interval.saturating_mul(10)
}

/// Lists every page of the selected kinds; on failure, why (the previous catalog is kept).
async fn list_selected(
    slot: &Slot,
    scope: &Scope<'_>,
    options: ItemOptions,
    since: Instant,
    stats: &mut RefreshStats,
) -> Result<Vec<Arc<ItemInfo>>, String> {
    let mut listed = Vec::new();
    let mut errors = Vec::new();
    for kind in [Kind::Script, Kind::Flow] {
        let filter = scope.selection.of(kind);
        if filter.is_none() {
            continue;
        }
        // Read since this refresh was asked for by another selection of the token: as fresh.
        let reused = slot.group.as_ref().and_then(|g| {
            let l = g.listings.lock().unwrap_or_else(|p| p.into_inner());
            l.get(&kind)
                .filter(|(at, _)| *at >= since)
                .map(|(_, all)| all.clone())
        });
        let all = match reused {
            Some(all) => all,
            None => {
                let everything = ItemFilter::all();
                match list_all(
                    scope.api(),
                    kind,
                    &everything,
                    options,
                    &mut stats.list_calls,
                )
                .await
                {
                    Ok(items) => {
                        let all: Arc<Vec<Arc<ItemInfo>>> =
                            Arc::new(items.into_iter().map(Arc::new).collect());
                        if let Some(g) = &slot.group {
                            g.listings
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .insert(kind, (Instant::now(), all.clone()));
                        }
                        all
                    }
                    Err(e) => {
                        errors.push(format!("listing {}s: {e}", kind.as_str()));
                        continue;
                    }
                }
            }
        };
        // The catalogs of the token's selections share the items of one listing.
        listed.extend(
            all.iter()
                .filter(|i| filter.admits(&i.path, i.starred))
                .cloned(),
        );
    }
    if errors.is_empty() {
        Ok(listed)
    } else {
        Err(errors.join("; "))
    }
}

/// Resource lists fetched before that are still fresh.
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

/// Fetches the schemas of `todo` (bounded concurrency), builds their tools and keeps them in the
/// slot. Each fetched item becomes a tool as soon as it arrives, so thousands of fetched scripts
/// are never held at once; only items waiting for a resource listing are kept. The tools come back
/// in the order of `todo` (items that could not be read or checked are left out).
async fn build_tools(
    slot: &Slot,
    scope: &Scope<'_>,
    todo: Vec<ItemInfo>,
    options: ItemOptions,
    stats: &mut RefreshStats,
) -> Vec<Arc<ItemTool>> {
    let order: Vec<String> = todo.iter().map(|i| i.name.clone()).collect();
    // What another selection of the token fetched while this one waited is reused.
    let mut built: HashMap<String, Arc<ItemTool>> = HashMap::new();
    let (done, todo): (Vec<ItemInfo>, Vec<ItemInfo>) =
        todo.into_iter().partition(|i| slot.cached(i).is_some());
    for t in done.iter().filter_map(|i| slot.cached(i)) {
        built.insert(t.name.clone(), t);
    }
    stats.detail_calls += todo.len();
    let mut resources = fresh_resources(slot, options);
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
                    if let Some(t) = build_tool(&f, &resources) {
                        built.insert(t.name.clone(), Arc::new(t));
                    }
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
    for f in &pending {
        if let Some(t) = build_tool(f, &resources) {
            built.insert(t.name.clone(), Arc::new(t));
        }
    }
    order
        .iter()
        .filter_map(|n| built.remove(n))
        .inspect(|t| slot.cache(t.clone()))
        .collect()
}

/// The listing priority of budget candidates: favorites first, then the most recently edited,
/// then by path.
fn priority(a: &ItemInfo, b: &ItemInfo) -> std::cmp::Ordering {
    b.starred
        .cmp(&a.starred)
        .then_with(|| b.edited.cmp(&a.edited))
        .then_with(|| a.path.cmp(&b.path))
        .then_with(|| a.kind.cmp(&b.kind))
}

/// A first guess of a listed item's size, before any is known.
const TYPICAL_ITEM_BYTES: usize = 700;

/// The budget candidates that fit in `budget` bytes (full profile), in priority order: their
/// schemas are fetched a few at a time, in that order, until one does not fit.
async fn fill_budget(
    slot: &Slot,
    scope: &Scope<'_>,
    mut candidates: Vec<Arc<ItemInfo>>,
    budget: usize,
    options: ItemOptions,
    stats: &mut RefreshStats,
) -> Vec<Arc<ItemTool>> {
    candidates.sort_by(|a, b| priority(a, b));
    let mut out = Vec::new();
    let mut left = budget;
    let mut largest = TYPICAL_ITEM_BYTES;
    let mut next = 0;
    while next < candidates.len() {
        // As many as surely fit with room to spare (half the space left, counted in the largest
        // size seen), at least one, at most the fetch concurrency: near the end one at a time,
        // so at most one schema is fetched that does not fit.
        let k = (left / (2 * largest)).clamp(1, options.concurrency.max(1));
        let batch = &candidates[next..(next + k).min(candidates.len())];
        next += batch.len();
        let (cached, todo): (Vec<&Arc<ItemInfo>>, Vec<&Arc<ItemInfo>>) =
            batch.iter().partition(|i| slot.cached(i).is_some());
        stats.reused += cached.len();
        if !todo.is_empty() {
            let todo = todo.into_iter().map(|i| (**i).clone()).collect();
            build_tools(slot, scope, todo, options, stats).await;
        }
        for info in batch {
            let Some(tool) = slot.cached(info) else {
                continue;
            };
            let n = tool.listed_bytes(Profile::Full);
            largest = largest.max(n);
            if n > left {
                return out;
            }
            left -= n;
            out.push(tool);
        }
    }
    out
}

/// Drops cached tools of items that changed. The cache is shared by the token's selections, so an
/// item this selection leaves out stays (another may list it); `cached` checks the version anyway.
fn prune_cache(slot: &Slot, infos: &[Arc<ItemInfo>]) {
    let live: HashMap<&str, &str> = infos
        .iter()
        .map(|i| (i.name.as_str(), i.version.as_str()))
        .collect();
    let mut tools = slot.tools.lock().unwrap_or_else(|p| p.into_inner());
    tools.retain(|name, t| {
        live.get(name.as_str())
            .is_none_or(|v| *v == t.version.as_str())
    });
}

/// The names and versions of what a catalog lists: what `list_changed` compares.
fn listed_set(always: &[Arc<ItemTool>], budgeted: &[Arc<ItemTool>]) -> BTreeSet<(String, String)> {
    always
        .iter()
        .chain(budgeted)
        .map(|t| (t.name.clone(), t.version.clone()))
        .collect()
}

async fn refresh(slot: &Slot, scope: &Scope<'_>, options: ItemOptions, seen: Option<Instant>) {
    let asked = Instant::now();
    let _guard = slot.refreshing.lock().await;
    // One build at a time per (Windmill, workspace, token), see [`Group`].
    let _building = slot.building.lock().await;
    let old = slot.current();
    if old.refreshed.is_some() && old.refreshed != seen {
        // Someone refreshed while we waited.
        return;
    }
    let started = Instant::now();
    let mut stats = RefreshStats::default();
    let mut infos = match list_selected(slot, scope, options, asked, &mut stats).await {
        Ok(l) => l,
        Err(error) => {
            tracing::warn!(workspace = scope.workspace, error = %error, "workspace scripts and flows: refresh failed, keeping the previous list");
            slot.store(Catalog {
                infos: old.infos.clone(),
                always: old.always.clone(),
                budgeted: old.budgeted.clone(),
                search: index_of(slot, &old.infos),
                refreshed: Some(Instant::now()),
                generation: old.generation,
                error: Some(error),
                last: stats,
                memo: Memo::default(),
            });
            return;
        }
    };
    infos.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.path.cmp(&b.path)));
    infos.dedup_by(|b, a| {
        let same = a.name == b.name;
        if same {
            tracing::warn!(name = %b.name, path = %b.path, "two workspace items share a tool name; the second is left out");
        }
        same
    });
    prune_cache(slot, &infos);
    // Items of an `auto` selection are listed within the budget; the others whatever the budget,
    // every one built.
    let is_auto = |i: &ItemInfo| scope.selection.of(i.kind).is_auto();
    let (auto, fixed): (Vec<Arc<ItemInfo>>, Vec<Arc<ItemInfo>>) =
        infos.iter().cloned().partition(|i| is_auto(i));
    let (kept, todo): (Vec<Arc<ItemInfo>>, Vec<Arc<ItemInfo>>) =
        fixed.into_iter().partition(|i| slot.cached(i).is_some());
    stats.reused += kept.len();
    let todo = todo.iter().map(|i| (**i).clone()).collect();
    build_tools(slot, scope, todo, options, &mut stats).await;
    let always: Vec<Arc<ItemTool>> = infos
        .iter()
        .filter(|i| !is_auto(i))
        .filter_map(|i| slot.cached(i))
        .collect();
    let always_bytes: usize = always.iter().map(|t| t.listed_bytes(Profile::Full)).sum();
    let budget = scope.item_budget.saturating_sub(always_bytes);
    let budgeted = fill_budget(slot, scope, auto, budget, options, &mut stats).await;
    let changed = listed_set(&always, &budgeted) != listed_set(&old.always, &old.budgeted);
    let search = index_of(slot, &infos);
    stats.took_ms = started.elapsed().as_millis() as u64;
    tracing::debug!(
        workspace = scope.workspace,
        items = infos.len(),
        listed = always.len() + budgeted.len(),
        ?stats,
        changed,
        "workspace scripts and flows refreshed"
    );
    slot.store(Catalog {
        infos,
        always,
        budgeted,
        search,
        refreshed: Some(Instant::now()),
        generation: old.generation + u64::from(changed || old.refreshed.is_none()),
        error: None,
        last: stats,
        memo: Memo::default(),
    });
    drop(old);
    release_free_memory();
}

/// The search index over items: what the listings say of each, and the arguments of those whose
/// tools are built.
fn index_of(slot: &Slot, infos: &[Arc<ItemInfo>]) -> ItemIndex {
    let args: Vec<String> = infos
        .iter()
        .map(|i| {
            slot.cached(i)
                .map(|t| t.args_text.to_string())
                .unwrap_or_default()
        })
        .collect();
    ItemIndex::build(infos.iter().zip(&args).map(|(i, a)| Document {
        path: &i.path,
        summary: &i.summary,
        description: &i.description,
        args: a,
    }))
}

/// Hands memory freed by a refresh (listing pages, fetched scripts, a replaced catalog) back to the
/// operating system. glibc keeps freed memory in per-thread arenas otherwise, and a refresh of
/// thousands of items frees tens of megabytes at once.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it takes no pointers from us and is
    // safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(path: &str, args: usize) -> Arc<ItemTool> {
        let properties: serde_json::Map<String, Value> = (0..args)
            .map(|i| {
                (
                    format!("a{i}"),
                    json!({"type": "string", "description": "x".repeat(40)}),
                )
            })
            .collect();
        let fetched = Fetched {
            info: ItemInfo::new(Kind::Script, path, "summary", "description"),
            detail: Detail {
                schema: Some(json!({"type": "object", "properties": properties})),
                ..Detail::default()
            },
        };
        Arc::new(build_tool(&fetched, &BTreeMap::new()).expect("tool"))
    }

    fn catalog(always: Vec<Arc<ItemTool>>, budgeted: Vec<Arc<ItemTool>>) -> Catalog {
        Catalog {
            always,
            budgeted,
            ..Catalog::default()
        }
    }

    #[test]
    fn a_listing_is_worked_out_once_per_profile_and_budget() {
        let budgeted: Vec<_> = (0..6).map(|i| tool(&format!("f/x/s{i}"), 2)).collect();
        let one = budgeted[0].listed_bytes(Profile::Full);
        let c = catalog(vec![tool("f/a/fixed", 1)], budgeted);
        let fixed = c.always[0].listed_bytes(Profile::Full);
        let budget = fixed + 3 * one;
        let first = c.listed(Profile::Full, budget);
        assert!(Arc::ptr_eq(&first, &c.listed(Profile::Full, budget)));
        assert_eq!(first.items.len(), 4, "the fixed item and three that fit");
        // Another budget or profile is another listing.
        let bigger = c.listed(Profile::Full, budget + one);
        assert_eq!(bigger.items.len(), 5);
        assert!(!Arc::ptr_eq(&first, &c.listed(Profile::OpenAi, budget)));
        // Sorted by name, the definitions are the items' listed forms, paged.
        let names: Vec<&str> = first.items.iter().map(|t| t.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        let page = first.page(1, 2);
        let want: Vec<Tool> = first.items[1..3]
            .iter()
            .map(|t| t.listed(Profile::Full))
            .collect();
        assert_eq!(page, want);
        assert!(first.page(4, 10).is_empty());
    }

    #[test]
    fn a_listing_too_big_to_keep_parsed_still_pages_the_same() {
        // Enough arguments that the listed definitions pass the memo's size.
        let always: Vec<_> = (0..40)
            .map(|i| tool(&format!("f/big/s{i:02}"), 80))
            .collect();
        let c = catalog(always, Vec::new());
        let listed = c.listed(Profile::Gemini, usize::MAX);
        assert!(listed.bytes > MEMO_DEFINITION_BYTES, "{}", listed.bytes);
        let page = listed.page(10, 5);
        let want: Vec<Tool> = listed.items[10..15]
            .iter()
            .map(|t| t.listed(Profile::Gemini))
            .collect();
        assert_eq!(page, want);
        assert!(listed.defs.get().is_none(), "not kept parsed");
    }

    #[test]
    fn only_the_last_listings_are_remembered() {
        let c = catalog(vec![tool("f/a/s", 1)], Vec::new());
        let first = c.listed(Profile::Full, 1);
        for budget in 2..=(MEMO_LISTINGS + 1) {
            let _ = c.listed(Profile::Full, budget);
        }
        let memo = c.memo.listed.lock().map(|m| m.len()).unwrap_or(0);
        assert_eq!(memo, MEMO_LISTINGS);
        assert!(!Arc::ptr_eq(&first, &c.listed(Profile::Full, 1)));
    }
}
