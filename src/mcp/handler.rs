//! The rmcp `ServerHandler`: one per session (HTTP) or one for the process (stdio).
//!
//! `tools/list` walks the [`Section`]s from the cursor; `tools/call` resolves the name to a
//! [`ToolKind`] once and runs it.

use std::borrow::Cow;
use std::sync::Arc;

use std::collections::HashSet;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation,
    InitializeRequestParams, InitializeResult, JsonObject, ListToolsResult, PaginatedRequestParams,
    ProtocolVersion, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::cursor::{Cursor, Section};
use super::discovery::{self, Discovery};
use super::dispatch::{self, ToolKind, Unknown, MIN_STALE_REFRESH};
use super::session::Session;
use super::validate::{validate, validate_with};
use super::{
    items_note, items_note_pending, listed_endpoint_tools, listed_static_tools, Caller, Shared,
    INSTRUCTIONS,
};
use crate::endpoints::runtime::Args;
use crate::endpoints::{Registry, ToolEntry};
use crate::listing::{profile::unprofile_args, shorten};
use crate::upstream::answer::{endpoint_result, tool_error};
use crate::upstream::{Api, Token};
use crate::workspace::run::{self, Job, Progress, RunEnd};
use crate::workspace::{Catalog, ItemInfo, Scope};

/// One MCP session's handler.
#[derive(Clone)]
pub struct McpServer {
    shared: Arc<Shared>,
    /// Set for stdio; over HTTP the caller comes with each request.
    fixed: Option<Caller>,
    session: Arc<Session>,
}

/// The workspace and token a caller's scripts and flows are read and run with.
struct ItemAccess {
    workspace: String,
    token: Token,
}

/// Per-page bytes of a `tools/list` answer besides its tools (envelope, cursor).
const PAGE_OVERHEAD: usize = 120;
/// Bytes of the sentence the search tool's description gains about scripts and flows.
const COUNTS_NOTE_BYTES: usize = 320;
/// How long `initialize` waits for the caller's scripts and flows to count them in the
/// instructions (they are read anyway for the first `tools/list`).
const INSTRUCTIONS_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

fn cancelled() -> ErrorData {
    ErrorData::internal_error("cancelled by the client", None)
}

impl McpServer {
    /// A handler for one HTTP session (`watch`: the session may be told about list changes).
    pub fn http(shared: Arc<Shared>, watch: bool) -> Self {
        McpServer {
            session: Arc::new(Session::new(watch, shared.settings.max_concurrent_calls)),
            shared,
            fixed: None,
        }
    }

    /// The handler of a stdio server: one caller for the whole process.
    pub fn fixed(shared: Arc<Shared>, caller: Caller) -> Self {
        McpServer {
            session: Arc::new(Session::new(true, shared.settings.max_concurrent_calls)),
            shared,
            fixed: Some(caller),
        }
    }

    /// The caller of the request in `ctx`.
    fn caller(&self, ctx: &RequestContext<RoleServer>) -> Caller {
        if let Some(c) = &self.fixed {
            return c.clone();
        }
        let from_http = ctx
            .extensions
            .get::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<Caller>())
            .cloned();
        from_http.unwrap_or_else(|| Caller {
            workspace: self.shared.settings.workspace.clone(),
            token: None,
            exposure: self.shared.settings.exposure(),
            items: self.shared.settings.items.clone(),
        })
    }

    fn token_for(&self, caller: &Caller) -> Option<Token> {
        caller.token.clone().or_else(|| {
            if self.fixed.is_some() {
                self.shared.settings.token.clone()
            } else {
                None
            }
        })
    }

    fn items_enabled(&self, caller: &Caller) -> bool {
        !caller.items.is_none() && !caller.exposure.read_only
    }

    /// The workspace and token the caller's scripts and flows are read with, when they are
    /// enabled and the caller has both.
    fn item_access(&self, caller: &Caller) -> Option<ItemAccess> {
        if !self.items_enabled(caller) {
            return None;
        }
        Some(ItemAccess {
            workspace: caller.workspace.clone()?,
            token: self.token_for(caller)?,
        })
    }

    fn scope<'a>(&'a self, access: &'a ItemAccess, caller: &'a Caller) -> Scope<'a> {
        Scope {
            windmill: &self.shared.windmill,
            workspace: &access.workspace,
            token: &access.token,
            selection: &caller.items,
            item_budget: self.item_budget(caller),
        }
    }

    /// Whether the caller gets the discovery tools: its tool mode has them, or some of its scripts
    /// and flows may be left unlisted (they must stay one search away).
    fn has_discovery(&self, caller: &Caller) -> bool {
        caller.exposure.selection.has_discovery()
            || (self.items_enabled(caller) && caller.items.is_auto())
    }

    /// Bytes the caller's listed scripts and flows may take: the listing budget less everything
    /// else `tools/list` sends it (discovery, endpoint and `get_job_result` tools, page overhead).
    fn item_budget(&self, caller: &Caller) -> usize {
        let registry = self.shared.registry();
        let discovery = self.has_discovery(caller);
        let e = &caller.exposure;
        let key = format!(
            "{:?}|{}|{:?}|{:?}|{discovery}|{}",
            e.selection,
            e.read_only,
            e.profile,
            e.max_name_len,
            registry.id()
        );
        let page = self.shared.settings.page_size.max(1);
        let fixed = self.shared.static_bytes(key, || {
            let mut tools = listed_static_tools(&registry, e, discovery);
            tools.push(crate::listing::profiled(&run::JOB_RESULT_TOOL, e.profile));
            let bytes = serde_json::to_vec(&serde_json::json!({ "tools": tools }))
                .map(|v| v.len())
                .unwrap_or(usize::MAX / 4);
            // Every page has its envelope and cursor; the search tool's description gains a
            // sentence with the workspace's counts.
            let pages = (tools.len() + 100) / page + 1;
            bytes + pages * PAGE_OVERHEAD + COUNTS_NOTE_BYTES
        });
        self.shared
            .settings
            .item_options
            .listing_budget
            .saturating_sub(fixed)
    }

    /// The caller's scripts and flows (see [`McpServer::item_access`]).
    async fn workspace_catalog(&self, caller: &Caller) -> Option<Arc<Catalog>> {
        let access = self.item_access(caller)?;
        Some(
            self.shared
                .items
                .catalog(&self.scope(&access, caller))
                .await,
        )
    }

    /// The script or flow `name` of the caller's catalog, refreshing the catalog once when it does
    /// not know the name (perhaps new since the last listing).
    async fn find_item(
        &self,
        access: &ItemAccess,
        caller: &Caller,
        name: &str,
    ) -> Result<Arc<ItemInfo>, Unknown> {
        let scope = self.scope(access, caller);
        let mut catalog = self.shared.items.catalog(&scope).await;
        let mut item = dispatch::item_named(&catalog, &caller.exposure, name);
        let stale = catalog
            .refreshed
            .is_none_or(|t| t.elapsed() >= MIN_STALE_REFRESH);
        if item.is_none() && stale {
            catalog = self.shared.items.refresh_now(&scope).await;
            item = dispatch::item_named(&catalog, &caller.exposure, name);
        }
        item.ok_or_else(|| dispatch::unknown_item(&catalog, &access.workspace, name))
    }

    /// What answers `name` for this caller.
    async fn resolve<'r>(
        &self,
        registry: &'r Registry,
        caller: &Caller,
        name: &str,
    ) -> Result<ToolKind<'r>, Unknown> {
        let items_enabled = self.items_enabled(caller);
        let discovery = self.has_discovery(caller);
        if let Some(kind) =
            dispatch::resolve_static(registry, &caller.exposure, discovery, items_enabled, name)
        {
            return Ok(kind);
        }
        if dispatch::is_item_name(name) {
            if let Some(access) = self.item_access(caller) {
                return self
                    .find_item(&access, caller, name)
                    .await
                    .map(ToolKind::Item);
            }
        }
        let listed = listed_endpoint_tools(registry, &caller.exposure);
        Err(dispatch::unknown_static(
            registry,
            &caller.exposure,
            &listed,
            name,
        ))
    }

    /// Runs a workspace script or flow tool.
    async fn call_item(
        &self,
        info: Arc<ItemInfo>,
        mut args: JsonObject,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(access) = self.item_access(caller) else {
            return Ok(tool_error("scripts and flows are not available on this connection").into());
        };
        let item = match self
            .shared
            .items
            .tool(&self.scope(&access, caller), &info)
            .await
        {
            Ok(t) => t,
            Err(e) => return Ok(tool_error(format!("`{}` cannot be run: {e}.", info.name)).into()),
        };
        let name = item.name();
        let schema = item.input_schema();
        if let Err(e) = unprofile_args(&mut args, &schema) {
            return Ok(tool_error(format!(
                "Invalid arguments for `{name}`, nothing was sent to Windmill: {e}"
            ))
            .into());
        }
        let problems = match item.validator() {
            Ok(v) => validate_with(name, v, &schema, &args),
            Err(e) => Some(format!(
                "The input schema of `{name}` does not compile ({e}); its arguments cannot be checked, so it was not run."
            )),
        };
        if let Some(problems) = problems {
            return Ok(tool_error(problems).into());
        }
        let progress = Progress::of(context);
        let job = Job {
            api: Api::new(
                &self.shared.windmill,
                Some(&access.token),
                &access.workspace,
            ),
            timeout: self.shared.settings.item_options.job_timeout,
            max_result: self.shared.settings.max_result_bytes,
            progress: &progress,
            cancel: &context.ct,
        };
        match run::run_item(&job, &item, args).await {
            RunEnd::Done(r) => Ok(r.into()),
            RunEnd::Stale(r) => {
                // Windmill no longer knows the item: list again in the background.
                let shared = self.shared.clone();
                let selection = caller.items.clone();
                let item_budget = self.item_budget(caller);
                tokio::spawn(async move {
                    let scope = Scope {
                        windmill: &shared.windmill,
                        workspace: &access.workspace,
                        token: &access.token,
                        selection: &selection,
                        item_budget,
                    };
                    shared.items.refresh_now(&scope).await;
                });
                Ok(r.into())
            }
            RunEnd::Cancelled => Err(cancelled()),
        }
    }

    /// `get_job_result`.
    async fn call_job_result(
        &self,
        args: &JsonObject,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
    ) -> CallToolResult {
        let Some(workspace) = caller.workspace.as_deref() else {
            return tool_error(format!(
                "`{}` works inside a workspace, and this connection has none.",
                run::GET_JOB_RESULT
            ));
        };
        let token = self.token_for(caller);
        let progress = Progress::of(context);
        let job = Job {
            api: Api::new(&self.shared.windmill, token.as_ref(), workspace),
            timeout: self.shared.settings.item_options.job_timeout,
            max_result: self.shared.settings.max_result_bytes,
            progress: &progress,
            cancel: &context.ct,
        };
        run::job_result(&job, args).await
    }

    /// The names of the items listed for the caller.
    fn listed_names(&self, catalog: &Catalog, caller: &Caller) -> HashSet<String> {
        catalog
            .listed(caller.exposure.profile, self.item_budget(caller))
            .items
            .iter()
            .map(|t| t.name().to_owned())
            .collect()
    }

    /// One of the discovery tools.
    async fn call_discovery(
        &self,
        registry: &Registry,
        which: Discovery,
        mut args: JsonObject,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if let Err(e) = unprofile_args(&mut args, &which.tool().input_schema) {
            return Ok(tool_error(format!("Invalid arguments for `{}`: {e}", which.name())).into());
        }
        let exposure = &caller.exposure;
        if which == Discovery::Search {
            let catalog = self.workspace_catalog(caller).await;
            let listed = catalog
                .as_ref()
                .map(|c| self.listed_names(c, caller))
                .unwrap_or_default();
            let items = catalog.as_deref().map(|c| discovery::ItemScope {
                catalog: c,
                listed: &listed,
            });
            return Ok(discovery::search(registry, items, &args, exposure).into());
        }
        let name = match discovery::target_name(which, &args) {
            Ok(n) => n.to_owned(),
            Err(r) => return Ok((*r).into()),
        };
        if dispatch::is_item_name(&name) && registry.get(&name).is_none() {
            return self
                .discovery_item(which, &name, &args, caller, context)
                .await;
        }
        Ok(match which {
            Discovery::Describe => discovery::describe(registry, &args, exposure),
            _ => match discovery::call_target(registry, &args, exposure) {
                Err(r) => *r,
                Ok((entry, inner)) => {
                    let mut r = tokio::select! {
                        r = self.call_endpoint(entry, inner, caller) => r,
                        _ = context.ct.cancelled() => return Err(cancelled()),
                    };
                    if let Some(note) = discovery::alias_note(registry, entry.name(), exposure) {
                        r.content.push(rmcp::model::ContentBlock::text(note));
                    }
                    r
                }
            },
        }
        .into())
    }

    /// `describe_endpoint` or `call_endpoint` of a script or flow.
    async fn discovery_item(
        &self,
        which: Discovery,
        name: &str,
        args: &JsonObject,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(access) = self.item_access(caller) else {
            return Ok(tool_error(format!(
                "`{name}` names a script or flow, and this connection has none (read-only mode, `?scripts=none`, or no workspace)."
            ))
            .into());
        };
        let info = match self.find_item(&access, caller, name).await {
            Ok(i) => i,
            Err(u) => {
                return Ok(tool_error(format!(
                    "{u}. Use search_endpoints to find scripts and flows."
                ))
                .into())
            }
        };
        match which {
            Discovery::Call => {
                let inner = match discovery::call_arguments(args) {
                    Ok(a) => a,
                    Err(r) => return Ok((*r).into()),
                };
                self.call_item(info, inner, caller, context).await
            }
            _ => {
                let scope = self.scope(&access, caller);
                let tool = match self.shared.items.tool(&scope, &info).await {
                    Ok(t) => t,
                    Err(e) => {
                        return Ok(tool_error(format!("`{name}` cannot be described: {e}.")).into())
                    }
                };
                let catalog = self.shared.items.catalog(&scope).await;
                let listed = self.listed_names(&catalog, caller).contains(&info.name);
                Ok(discovery::describe_item(&info, &tool, listed, &caller.exposure).into())
            }
        }
    }

    /// Runs one endpoint tool: validate, build, send, shape the answer.
    pub async fn call_endpoint(
        &self,
        entry: &ToolEntry,
        mut args: JsonObject,
        caller: &Caller,
    ) -> CallToolResult {
        let ep = &entry.endpoint;
        let name = entry.name();
        // Arguments from a profiled client (nulls, JSON text) back towards the full schema.
        if let Err(e) = unprofile_args(&mut args, entry.input_schema()) {
            return tool_error(format!(
                "Invalid arguments for `{}`, nothing was sent to Windmill: {e}",
                name
            ));
        }
        if let Err(problems) = validate(entry, &args) {
            return tool_error(problems);
        }
        let workspace = match (&caller.workspace, ep.has_workspace) {
            (Some(w), _) => w.clone(),
            (None, false) => String::new(),
            (None, true) => {
                return tool_error(format!(
                    "`{}` works inside a workspace, and this connection has none. Connect to /api/mcp/w/<workspace>/mcp, or start the server with --workspace.",
                    name
                ))
            }
        };
        let request = match ep.build(&Args::new(args), &workspace) {
            Ok(r) => r,
            Err(e) => {
                return tool_error(format!(
                    "Invalid arguments for `{}`: {e}. Nothing was sent to Windmill.",
                    name
                ))
            }
        };
        let token = self.token_for(caller);
        let answer = match self.shared.windmill.send(&request, token.as_ref()).await {
            Ok(a) => a,
            Err(e) => return tool_error(format!("`{name}` failed: {e}.")),
        };
        endpoint_result(
            entry,
            request.method.as_str(),
            &request.path_and_query,
            answer,
            self.shared.settings.max_result_bytes,
        )
    }

    /// The tools of one section from `offset`, at most `max`, and how many the section has.
    fn section_tools(
        &self,
        registry: &Registry,
        caller: &Caller,
        catalog: Option<&Catalog>,
        section: Section,
        offset: usize,
        max: usize,
    ) -> (Vec<Tool>, usize) {
        let exposure = &caller.exposure;
        let profile = exposure.profile;
        match section {
            Section::Discovery => {
                let all: &[Tool] = if self.has_discovery(caller) {
                    discovery::listed(profile)
                } else {
                    &[]
                };
                let mut page: Vec<Tool> = all.iter().skip(offset).take(max).cloned().collect();
                // The search tool says how many scripts and flows there are and how many are listed.
                if let (Some(c), Some(access)) = (catalog, self.item_access(caller)) {
                    for t in page.iter_mut().filter(|t| t.name == discovery::SEARCH) {
                        let (scripts, flows) = c.counts();
                        let listed = c.listed(profile, self.item_budget(caller)).items.len();
                        let note = items_note(&access.workspace, scripts, flows, listed);
                        let d = t.description.as_deref().unwrap_or_default();
                        t.description = Some(format!("{d} {note}").into());
                    }
                }
                (page, all.len())
            }
            Section::Endpoints => {
                let listed = super::listed_endpoints(registry, exposure);
                let mut total = 0;
                let mut page = Vec::new();
                for t in listed {
                    if total >= offset && page.len() < max {
                        page.push(t.clone());
                    }
                    total += 1;
                }
                (page, total)
            }
            Section::JobResult => match catalog {
                Some(_) if offset == 0 && max > 0 => (
                    vec![crate::listing::profiled(&run::JOB_RESULT_TOOL, profile)],
                    1,
                ),
                Some(_) => (Vec::new(), 1),
                None => (Vec::new(), 0),
            },
            Section::Items => match catalog {
                Some(c) => {
                    let listed = c.listed(profile, self.item_budget(caller));
                    (listed.page(offset, max), listed.items.len())
                }
                None => (Vec::new(), 0),
            },
        }
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
        .with_server_info(
            Implementation::new("windmill-mcp", env!("CARGO_PKG_VERSION"))
                .with_title("Windmill MCP (all of Windmill's API, typed)"),
        )
        .with_instructions(INSTRUCTIONS)
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        context.peer.set_peer_info(request.clone());
        let mut result = self.negotiate_initialize(&request)?;
        if let Some(changes) = self.shared.registry_changes() {
            self.session
                .start_spec_watcher(changes, context.peer.clone());
        }
        // Tell the model about the workspace's scripts and flows, if they can be read quickly.
        let caller = self.caller(&context);
        if let Some(access) = self.item_access(&caller) {
            let scope = self.scope(&access, &caller);
            let read =
                tokio::time::timeout(INSTRUCTIONS_WAIT, self.shared.items.catalog_task(&scope));
            let note = match read.await {
                Ok(Ok(c)) => {
                    let (scripts, flows) = c.counts();
                    let listed = c
                        .listed(caller.exposure.profile, scope.item_budget)
                        .items
                        .len();
                    items_note(&access.workspace, scripts, flows, listed)
                }
                // Still listing a big workspace: say how to find them; the search tool's
                // description gives the counts once the listing is read.
                _ => items_note_pending(&access.workspace),
            };
            result.instructions = Some(format!("{INSTRUCTIONS} {note}"));
        }
        Ok(result)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&ProtocolVersion::V_2026_07_28))
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let start = match request.and_then(|r| r.cursor) {
            None => Cursor::START,
            Some(c) => {
                Cursor::parse(&c).map_err(|e| ErrorData::invalid_params(e.to_string(), None))?
            }
        };
        let caller = self.caller(&context);
        let registry = self.shared.registry();
        let catalog = self.workspace_catalog(&caller).await;
        let page = self.shared.settings.page_size.max(1);
        let mut tools: Vec<Tool> = Vec::with_capacity(page);
        let mut next = None;
        for section in Section::ALL.into_iter().filter(|s| *s >= start.section) {
            let offset = if section == start.section {
                start.offset
            } else {
                0
            };
            let room = page - tools.len();
            let (found, total) = self.section_tools(
                &registry,
                &caller,
                catalog.as_deref(),
                section,
                offset,
                room,
            );
            if offset > total && section != Section::Items {
                // Only the items may shrink between two pages (a refresh); the others are fixed.
                return Err(ErrorData::invalid_params(
                    format!(
                        "invalid cursor {start}: pass back the nextCursor of the previous page"
                    ),
                    None,
                ));
            }
            tools.extend(found);
            if tools.len() >= page {
                let end = offset + room;
                next = if end < total {
                    Some(Cursor {
                        section,
                        offset: end,
                    })
                } else {
                    Section::ALL
                        .into_iter()
                        .find(|s| *s > section)
                        .map(|s| Cursor {
                            section: s,
                            offset: 0,
                        })
                };
                break;
            }
        }
        for t in &mut tools {
            shorten(t, caller.exposure.max_name_len);
        }
        let mut result = ListToolsResult::with_all_items(tools);
        result.next_cursor = next.map(|c| c.to_string());
        if let (Some(c), Some(access)) = (&catalog, self.item_access(&caller)) {
            self.session.saw(c.generation);
            let item_budget = self.item_budget(&caller);
            self.session.start_watcher(
                &self.shared,
                context.peer.clone(),
                access.workspace,
                access.token,
                caller.items.clone(),
                item_budget,
            );
        }
        Ok(result)
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        if let Some(d) = Discovery::named(name) {
            return Some(d.tool().clone());
        }
        self.shared.registry().get(name).map(|e| (*e.tool).clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Ok(_permit) = self.session.calls.clone().try_acquire_owned() else {
            return Ok(tool_error(format!(
                "Too many tool calls in flight on this connection (limit {}, --max-concurrent-calls). Nothing was sent to Windmill; wait for a call to finish, then retry.",
                self.session.max_calls
            ))
            .into());
        };
        let name = request.name.as_ref();
        if let Some(u) = dispatch::too_long(name) {
            return Err(ErrorData::invalid_params(u.to_string(), None));
        }
        let caller = self.caller(&context);
        let registry = self.shared.registry();
        let args = request.arguments.clone().unwrap_or_default();
        let kind = self
            .resolve(&registry, &caller, name)
            .await
            .map_err(|u| ErrorData::invalid_params(u.to_string(), None))?;
        let max = self.shared.settings.max_result_bytes;
        let response = match kind {
            ToolKind::Discovery(d) => {
                self.call_discovery(&registry, d, args, &caller, &context)
                    .await
            }
            ToolKind::JobResult => Ok(self.call_job_result(&args, &caller, &context).await.into()),
            ToolKind::Item(item) => self.call_item(item, args, &caller, &context).await,
            ToolKind::Endpoint(entry) => {
                tokio::select! {
                    r = self.call_endpoint(entry, args, &caller) => Ok(r.into()),
                    _ = context.ct.cancelled() => Err(cancelled()),
                }
            }
        };
        response.map(|r| super::limits::cap_error(r, max))
    }
}
