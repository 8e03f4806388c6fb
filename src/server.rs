//! The MCP server: `tools/list` and `tools/call` over the generated endpoint tools.
//!
//! Protocol errors (an unknown tool, a bad cursor) are JSON-RPC errors; everything that goes wrong
//! while running a tool (bad arguments, Windmill down, a 4xx/5xx answer) is a tool result with
//! `isError: true`, which the model reads and can act on.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ProtocolVersion, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{json, Value};

use crate::config::Settings;
use crate::discovery;
use crate::registry::{Exposure, ToolEntry, REGISTRY};
use crate::runtime::{describe_value, Args};
use crate::windmill::{Answer, Token, Windmill};
use crate::workspace::{run, Catalog, ItemSelection, ItemTool, Items};

/// A call to an unknown script or flow name refreshes the list at most this often.
const MIN_STALE_REFRESH: Duration = Duration::from_secs(5);

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
#[derive(Debug)]
pub struct Shared {
    pub settings: Settings,
    pub windmill: Windmill,
    /// Catalogs of workspace scripts and flows.
    pub items: Arc<Items>,
}

impl Shared {
    pub fn new(settings: Settings) -> Result<Arc<Self>, String> {
        let windmill = Windmill::new(&settings.base_url, settings.limits)?;
        let items = Arc::new(Items::new(settings.item_options));
        Ok(Arc::new(Shared {
            settings,
            windmill,
            items,
        }))
    }
}

/// Per-session state: the watcher that tells the client when its list of tools changed.
struct Session {
    /// Whether this session lives long enough to be told about changes (not in stateless mode).
    watch: bool,
    watcher: OnceLock<tokio::task::AbortHandle>,
    /// The catalog generation this session last saw.
    seen: Arc<AtomicU64>,
    /// Tool calls in flight (`--max-concurrent-calls`).
    calls: Arc<tokio::sync::Semaphore>,
    max_calls: usize,
}

impl Session {
    fn new(watch: bool, max_calls: usize) -> Self {
        let max_calls = max_calls.max(1);
        Session {
            watch,
            watcher: OnceLock::new(),
            seen: Arc::new(AtomicU64::new(0)),
            calls: Arc::new(tokio::sync::Semaphore::new(max_calls)),
            max_calls,
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(h) = self.watcher.get() {
            h.abort();
        }
    }
}

/// One MCP session's handler.
#[derive(Clone)]
pub struct McpServer {
    shared: Arc<Shared>,
    /// Set for stdio; over HTTP the caller comes with each request.
    fixed: Option<Caller>,
    session: Arc<Session>,
}

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

impl McpServer {
    /// A handler for one HTTP session (`watch`: the session may be told about list changes).
    pub fn http(shared: Arc<Shared>, watch: bool) -> Self {
        McpServer {
            session: Arc::new(Session::new(watch, shared.settings.max_concurrent_calls)),
            shared,
            fixed: None,
        }
    }

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
    fn item_context(&self, caller: &Caller) -> Option<(String, Token)> {
        if !self.items_enabled(caller) {
            return None;
        }
        Some((caller.workspace.clone()?, self.token_for(caller)?))
    }

    /// The caller's scripts and flows (see [`McpServer::item_context`]).
    async fn workspace_catalog(&self, caller: &Caller) -> Option<Arc<Catalog>> {
        let (workspace, token) = self.item_context(caller)?;
        Some(
            self.shared
                .items
                .catalog(&self.shared.windmill, &workspace, &token, &caller.items)
                .await,
        )
    }

    /// Starts (once per session) the task that refreshes the caller's catalog every refresh
    /// interval and sends `notifications/tools/list_changed` when it changed.
    fn start_watcher(&self, caller: &Caller, context: &RequestContext<RoleServer>) {
        if !self.session.watch || self.session.watcher.get().is_some() {
            return;
        }
        let Some((workspace, token)) = self.item_context(caller) else {
            return;
        };
        let shared = self.shared.clone();
        let peer = context.peer.clone();
        let selection = caller.items.clone();
        let seen = self.session.seen.clone();
        let task = tokio::spawn(async move {
            let interval = shared.settings.item_options.refresh_interval;
            loop {
                tokio::time::sleep(interval).await;
                if peer.is_transport_closed() {
                    break;
                }
                let c = shared
                    .items
                    .fresh(&shared.windmill, &workspace, &token, &selection)
                    .await;
                if c.generation != seen.load(Ordering::Relaxed) {
                    if peer.notify_tool_list_changed().await.is_err() {
                        break;
                    }
                    seen.store(c.generation, Ordering::Relaxed);
                }
            }
        });
        if self.session.watcher.set(task.abort_handle()).is_err() {
            task.abort();
        }
    }

    /// Runs a workspace script or flow tool; `None` when `name` is not one.
    async fn call_item(
        &self,
        name: &str,
        mut args: JsonObject,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
    ) -> Option<Result<CallToolResponse, ErrorData>> {
        let (workspace, token) = self.item_context(caller)?;
        let mut catalog = self
            .shared
            .items
            .catalog(&self.shared.windmill, &workspace, &token, &caller.items)
            .await;
        let find = |c: &Catalog| -> Option<Arc<ItemTool>> {
            c.get(name).cloned().or_else(|| {
                caller.exposure.max_name_len?;
                c.items
                    .iter()
                    .find(|i| {
                        crate::profile::short_name(i.name(), caller.exposure.max_name_len) == name
                    })
                    .cloned()
            })
        };
        let mut item = find(&catalog);
        if item.is_none()
            && catalog
                .refreshed
                .is_none_or(|t| t.elapsed() >= MIN_STALE_REFRESH)
        {
            // Perhaps new since the last listing.
            catalog = self
                .shared
                .items
                .refresh_now(&self.shared.windmill, &workspace, &token, &caller.items)
                .await;
            item = find(&catalog);
        }
        let Some(item) = item else {
            let near = crate::suggest::closest(name, catalog.items.iter().map(|i| i.name()), 3);
            let mut msg = format!("unknown tool `{name}`: no script or flow of workspace `{workspace}` visible to this token has that name");
            if !near.is_empty() {
                msg.push_str(&format!("; did you mean {}?", near.join(", ")));
            }
            if let Some(e) = &catalog.error {
                msg.push_str(&format!(" (the list could not be refreshed: {e})"));
            }
            return Some(Err(ErrorData::invalid_params(msg, None)));
        };
        let schema = item.input_schema();
        if let Err(e) = crate::profile::unprofile_args(&mut args, &schema) {
            return Some(Ok(tool_error(format!(
                "Invalid arguments for `{name}`, nothing was sent to Windmill: {e}"
            ))
            .into()));
        }
        if let Some(v) = item.validator() {
            if let Some(problems) = validate_with(item.name(), v, &schema, &args) {
                return Some(Ok(tool_error(problems).into()));
            }
        }
        let progress = run::Progress::of(context);
        let end = run::run_item(
            &self.shared.windmill,
            Some(&token),
            &workspace,
            &item,
            args,
            self.shared.settings.item_options.job_timeout,
            self.shared.settings.max_result_bytes,
            &progress,
            &context.ct,
        )
        .await;
        Some(match end {
            run::RunEnd::Done(r) => Ok(r.into()),
            run::RunEnd::Stale(r) => {
                let shared = self.shared.clone();
                let selection = caller.items.clone();
                tokio::spawn(async move {
                    shared
                        .items
                        .refresh_now(&shared.windmill, &workspace, &token, &selection)
                        .await;
                });
                Ok(r.into())
            }
            run::RunEnd::Cancelled => {
                Err(ErrorData::internal_error("cancelled by the client", None))
            }
        })
    }

    /// Runs one endpoint tool: validate, build, send, shape the answer.
    pub async fn call_endpoint(
        &self,
        entry: &ToolEntry,
        mut args: JsonObject,
        caller: &Caller,
    ) -> CallToolResult {
        let ep = entry.endpoint;
        // Arguments from a profiled client (nulls, JSON text) back towards the full schema.
        if let Err(e) = crate::profile::unprofile_args(&mut args, entry.input_schema()) {
            return tool_error(format!(
                "Invalid arguments for `{}`, nothing was sent to Windmill: {e}",
                ep.name
            ));
        }
        if let Some(problems) = validate(entry, &args) {
            return tool_error(problems);
        }
        let workspace = match (&caller.workspace, ep.has_workspace) {
            (Some(w), _) => w.clone(),
            (None, false) => String::new(),
            (None, true) => {
                return tool_error(format!(
                    "`{}` works inside a workspace, and this connection has none. Connect to /api/mcp/w/<workspace>/mcp, or start the server with --workspace.",
                    ep.name
                ))
            }
        };
        let request = match (ep.build)(&Args::new(args), &workspace) {
            Ok(r) => r,
            Err(e) => {
                return tool_error(format!(
                    "Invalid arguments for `{}`: {e}. Nothing was sent to Windmill.",
                    ep.name
                ))
            }
        };
        let token = self.token_for(caller);
        let answer = match self.shared.windmill.send(&request, token.as_ref()).await {
            Ok(a) => a,
            Err(e) => return tool_error(format!("`{}` failed: {e}.", ep.name)),
        };
        shape_answer(
            entry,
            request.method.as_str(),
            &request.path_and_query,
            answer,
            self.shared.settings.max_result_bytes,
        )
    }
}

fn tool_error(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// Checks arguments against the input schema; `Some(message)` lists every problem.
pub fn validate(entry: &ToolEntry, args: &JsonObject) -> Option<String> {
    validate_with(
        entry.endpoint.name,
        entry.validator()?,
        entry.input_schema(),
        args,
    )
}

/// [`validate`] for any tool: its name, compiled validator and input schema.
pub fn validate_with(
    name: &str,
    validator: &jsonschema::Validator,
    schema: &JsonObject,
    args: &JsonObject,
) -> Option<String> {
    let instance = Value::Object(args.clone());
    let props = schema.get("properties").and_then(Value::as_object);
    let mut lines: Vec<String> = Vec::new();
    for err in validator.iter_errors(&instance) {
        let path = err.instance_path().to_string();
        let arg = path.trim_start_matches('/').replace('/', ".");
        let top = arg.split('.').next().unwrap_or("");
        let prop_schema = props.and_then(|p| p.get(top));
        use jsonschema::error::ValidationErrorKind as K;
        let line = match err.kind() {
            K::AdditionalProperties { unexpected } if arg.is_empty() => unexpected
                .iter()
                .map(|u| {
                    let known: Vec<&str> = props
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let near = crate::suggest::closest(u, known.iter().copied(), 2);
                    if near.is_empty() {
                        format!(
                            "unknown argument `{u}`; the arguments are: {}",
                            known.join(", ")
                        )
                    } else {
                        format!(
                            "unknown argument `{u}`; did you mean `{}`?",
                            near.join("` or `")
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join("\n- "),
            K::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let what = if arg.is_empty() {
                    format!("argument `{name}`")
                } else {
                    format!("`{name}` in `{arg}`")
                };
                let expected = props
                    .filter(|_| arg.is_empty())
                    .and_then(|p| p.get(name))
                    .map(expected_of)
                    .unwrap_or_default();
                format!(
                    "missing required {what}{}",
                    if expected.is_empty() {
                        String::new()
                    } else {
                        format!(" ({expected})")
                    }
                )
            }
            K::Type { .. } => {
                let expected = if arg.contains('.') {
                    format!("{}", err)
                } else {
                    prop_schema
                        .map(expected_of)
                        .unwrap_or_else(|| err.to_string())
                };
                format!(
                    "argument `{arg}`: expected {expected}, got {}",
                    describe_value(err.instance())
                )
            }
            K::Enum { options } => format!(
                "argument `{arg}`: expected one of {options}, got {}",
                describe_value(err.instance())
            ),
            _ => format!("argument `{arg}`: {err}"),
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
        if lines.len() >= 10 {
            break;
        }
    }
    if lines.is_empty() {
        return None;
    }
    Some(format!(
        "Invalid arguments for `{name}`, nothing was sent to Windmill:\n- {}",
        lines.join("\n- ")
    ))
}

/// "an integer", "a string (format date-time)", ... from a property schema.
fn expected_of(schema: &Value) -> String {
    let t = match schema.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "a value".into(),
    };
    let mut s = t;
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        let _ = write!(s, " (format {f})");
    }
    if let Some(e) = schema.get("enum") {
        let _ = write!(s, " one of {e}");
    }
    s
}

/// Cuts a text to `max` bytes with a marker saying how much was left out.
pub fn cap_text(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let left = text.len() - cut;
    format!(
        "{}\n[… cut: {left} of {} bytes left out (result limit {max} bytes); narrow the request, e.g. with per_page or filters]",
        &text[..cut],
        text.len()
    )
}

/// Windmill's message from an error body: JSON `{"error": {"message"}}`, else the text.
pub(crate) fn windmill_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(m) = v.pointer("/error/message").and_then(Value::as_str) {
            let name = v.pointer("/error/name").and_then(Value::as_str);
            return match name {
                Some(n) => format!("{n}: {m}"),
                None => m.to_owned(),
            };
        }
        if let Some(m) = v.get("message").and_then(Value::as_str) {
            return m.to_owned();
        }
    }
    let t = text.trim();
    if t.is_empty() {
        "(empty body)".into()
    } else {
        t.to_owned()
    }
}

/// A hint for 401/403 answers: which token to make.
pub(crate) fn auth_hint(status: u16, message: &str) -> Option<String> {
    if status == 401 {
        return Some("The Windmill token was refused (unknown or expired). Create a token in Windmill (User settings → Tokens) and send it as `Authorization: Bearer <token>`.".into());
    }
    if status != 403 {
        return None;
    }
    let idx = message.find("Required scope:")?;
    let scope = message[idx + "Required scope:".len()..]
        .trim()
        .trim_end_matches('.')
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    Some(format!(
        "The token lacks the scope `{scope}`. Tokens made for Windmill's built-in MCP server (scopes `mcp:*`, as in its `?token=` URLs) are refused by the REST API this server calls. Create a token without scopes, or with REST scopes such as `{scope}` (Windmill lists them at /api/tokens/list/scopes), in User settings → Tokens, and use that one."
    ))
}

fn shape_answer(
    entry: &ToolEntry,
    method: &str,
    path: &str,
    answer: Answer,
    max: usize,
) -> CallToolResult {
    let ep = entry.endpoint;
    let Answer {
        status,
        content_type,
        body,
    } = answer;
    let ct = content_type.unwrap_or_default();
    if !(200..300).contains(&status) {
        let message = windmill_message(&body);
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let mut text = format!(
            "Windmill answered HTTP {status} {reason} to {method} /api{}: {message}",
            path.split('?').next().unwrap_or(path)
        );
        if let Some(h) = auth_hint(status, &message) {
            text.push_str("\n\n");
            text.push_str(&h);
        }
        return tool_error(cap_text(text, max));
    }
    let is_json = ct.starts_with("application/json") || ct.contains("+json");
    if is_json || (ep.output_schema.is_some() && ct.is_empty()) {
        if let Ok(value) = serde_json::from_slice::<Value>(&body) {
            return json_result(entry, value, max);
        }
        if is_json {
            return tool_error(format!(
                "Windmill answered {status} with content that is not valid JSON ({} bytes).",
                body.len()
            ));
        }
    }
    if ct.starts_with("text/")
        || ct.is_empty()
        || std::str::from_utf8(&body).is_ok() && !ct.starts_with("application/octet-stream")
    {
        let text = String::from_utf8_lossy(&body).into_owned();
        if ep.output_schema.is_some() {
            // The spec promised JSON; keep the promise of structured content where we can.
            let value = Value::String(text.clone());
            return json_result(entry, value, max);
        }
        return CallToolResult::success(vec![ContentBlock::text(cap_text(text, max))]);
    }
    let described = format!(
        "Windmill answered {} bytes of {}.",
        body.len(),
        if ct.is_empty() { "binary data" } else { &ct }
    );
    if body.len() <= max {
        use base64::Engine;
        let blob = base64::engine::general_purpose::STANDARD.encode(&body);
        let resource = rmcp::model::ResourceContents::BlobResourceContents {
            uri: format!("windmill:/{}", path),
            mime_type: Some(ct.clone()),
            blob,
            meta: None,
        };
        return CallToolResult::success(vec![
            ContentBlock::text(described),
            ContentBlock::resource(resource),
        ]);
    }
    CallToolResult::success(vec![ContentBlock::text(format!(
        "{described} Too large to return here (limit {max} bytes)."
    ))])
}

fn json_result(entry: &ToolEntry, value: Value, max: usize) -> CallToolResult {
    let ep = entry.endpoint;
    let mut value = value;
    let mut note = String::new();
    let text = serde_json::to_string(&value).unwrap_or_default();
    if text.len() > max {
        if let Value::Array(items) = &mut value {
            let total = items.len();
            let mut size = 2;
            let mut keep = 0;
            for it in items.iter() {
                size += serde_json::to_string(it).map(|s| s.len()).unwrap_or(0) + 1;
                if size > max {
                    break;
                }
                keep += 1;
            }
            items.truncate(keep);
            note = format!("\n[… cut: the first {keep} of {total} items are shown (result limit {max} bytes); ask for fewer, e.g. with per_page, or page on]");
        }
    }
    let text = serde_json::to_string(&value).unwrap_or_default();
    let mut result = CallToolResult::success(vec![ContentBlock::text(
        cap_text(text.clone(), max) + &note,
    )]);
    if ep.output_schema.is_some() && text.len() <= max {
        result.structured_content = Some(if ep.wraps_output || !value.is_object() {
            json!({ "result": value })
        } else {
            value
        });
    }
    result
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

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&ProtocolVersion::V_2026_07_28))
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let caller = self.caller(&context);
        let catalog = self.workspace_catalog(&caller).await;
        let n_items = catalog.as_ref().map_or(0, |c| c.items.len() + 1);
        let page = self.shared.settings.page_size.max(1);
        let cursor = request.and_then(|r| r.cursor);
        let offset = cursor
            .as_deref()
            .map(|c| c.strip_prefix("o:").and_then(|n| n.parse::<usize>().ok()));
        let from = offset.flatten().unwrap_or(0);
        let (statics, n_statics) = listed_static(&caller.exposure, from, from.saturating_add(page));
        let total = n_statics + n_items;
        let start = match (cursor, offset) {
            (None, _) => 0,
            (Some(c), offset) => offset.flatten().filter(|n| *n <= total).ok_or_else(|| {
                ErrorData::invalid_params(
                    format!("invalid cursor {c:?}: pass back the nextCursor of the previous page"),
                    None,
                )
            })?,
        };
        let end = (start + page).min(total);
        let exposure = &caller.exposure;
        // The page's discovery and endpoint tools, then its scripts and flows.
        let mut tools = statics;
        tools.truncate(end - start);
        for i in start.max(n_statics)..end {
            let j = i - n_statics;
            let Some(c) = &catalog else { break };
            let mut t = if j == 0 {
                let mut t = run::JOB_RESULT_TOOL.clone();
                t.input_schema =
                    Arc::new(crate::profile::transform(&t.input_schema, exposure.profile));
                t
            } else {
                match c.items.get(j - 1) {
                    Some(item) => item.listed(exposure.profile),
                    None => break,
                }
            };
            shorten_name(&mut t, exposure.max_name_len);
            tools.push(t);
        }
        let mut result = ListToolsResult::with_all_items(tools);
        if end < total {
            result.next_cursor = Some(format!("o:{end}"));
        }
        if let Some(c) = &catalog {
            self.session.seen.store(c.generation, Ordering::Relaxed);
            self.start_watcher(&caller, &context);
        }
        Ok(result)
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        if let Some(t) = discovery::TOOLS.iter().find(|t| t.name == name) {
            return Some(t.clone());
        }
        REGISTRY.get(name).map(|e| e.tool.clone())
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
        let caller = self.caller(&context);
        let name = request.name.as_ref();
        let mut args = request.arguments.clone().unwrap_or_default();
        let exposure = &caller.exposure;
        if discovery::is_discovery(name) && exposure.selection.has_discovery() {
            if let Some(t) = discovery::TOOLS.iter().find(|t| t.name == name) {
                if let Err(e) = crate::profile::unprofile_args(&mut args, &t.input_schema) {
                    return Ok(tool_error(format!("Invalid arguments for `{name}`: {e}")).into());
                }
            }
            let result = match name {
                discovery::SEARCH => discovery::search(&args, exposure),
                discovery::DESCRIBE => discovery::describe(&args, exposure),
                _ => match discovery::call_target(&args, exposure) {
                    Err(r) => *r,
                    Ok((entry, inner)) => {
                        let ct = context.ct.clone();
                        tokio::select! {
                            r = self.call_endpoint(entry, inner, &caller) => r,
                            _ = ct.cancelled() => return Err(ErrorData::internal_error("cancelled by the client", None)),
                        }
                    }
                },
            };
            return Ok(result.into());
        }
        if name == run::GET_JOB_RESULT && self.items_enabled(&caller) {
            let Some(workspace) = caller.workspace.clone() else {
                return Ok(tool_error(format!(
                    "`{name}` works inside a workspace, and this connection has none."
                ))
                .into());
            };
            let token = self.token_for(&caller);
            let progress = run::Progress::of(&context);
            let r = run::job_result(
                &self.shared.windmill,
                token.as_ref(),
                &workspace,
                &args,
                self.shared.settings.item_options.job_timeout,
                self.shared.settings.max_result_bytes,
                &progress,
                &context.ct,
            )
            .await;
            return Ok(r.into());
        }
        if (name.starts_with("s-") || name.starts_with("f-")) && REGISTRY.get(name).is_none() {
            if let Some(r) = self.call_item(name, args.clone(), &caller, &context).await {
                return r;
            }
        }
        let entry = endpoint_named(name, exposure).filter(|e| exposure.lists(e.endpoint));
        let Some(entry) = entry else {
            let listed = listed_tools(exposure);
            let near = crate::suggest::closest(name, listed.iter().map(|t| t.name.as_ref()), 3);
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", near.join(", "))
            };
            let why = match REGISTRY.get(name) {
                Some(e) if exposure.read_only && !e.endpoint.hints.read_only => {
                    " (read-only mode: it changes data)"
                }
                Some(_) => " (not in this connection's tool selection)",
                None => "",
            };
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{name}`{why}{hint}"),
                None,
            ));
        };
        let ct = context.ct.clone();
        tokio::select! {
            r = self.call_endpoint(entry, args, &caller) => Ok(r.into()),
            _ = ct.cancelled() => Err(ErrorData::internal_error("cancelled by the client", None)),
        }
    }
}

/// The tools a caller sees, in `tools/list` order: discovery tools first, then endpoint tools by name.
///
/// Schemas are in the caller's client profile (cached per profile); names longer than its
/// `max_name_len` are shortened.
pub fn listed_tools(exposure: &Exposure) -> Vec<rmcp::model::Tool> {
    listed_static(exposure, 0, usize::MAX).0
}

/// The discovery and endpoint tools of `listed_tools` from `start` to before `end`, and how many
/// there are in all; only the tools in the range are cloned.
fn listed_static(exposure: &Exposure, start: usize, end: usize) -> (Vec<rmcp::model::Tool>, usize) {
    let profiled = crate::profile::tools(exposure.profile);
    let discovery: &[rmcp::model::Tool] = if exposure.selection.has_discovery() {
        &profiled.discovery
    } else {
        &[]
    };
    let endpoints = REGISTRY
        .all()
        .iter()
        .zip(&profiled.endpoints)
        .filter(|(e, _)| exposure.lists(e.endpoint))
        .map(|(_, t)| t);
    let mut total = 0;
    let mut out: Vec<rmcp::model::Tool> = Vec::new();
    for t in discovery.iter().chain(endpoints) {
        if total >= start && total < end {
            let mut t = t.clone();
            shorten_name(&mut t, exposure.max_name_len);
            out.push(t);
        }
        total += 1;
    }
    (out, total)
}

/// Shortens a listed tool's name to `max` characters (`--max-name-len`), if it is longer.
fn shorten_name(t: &mut rmcp::model::Tool, max: Option<usize>) {
    if max.is_some() {
        let short = crate::profile::short_name(&t.name, max).into_owned();
        if short != t.name {
            t.name = short.into();
        }
    }
}

/// The endpoint a (possibly shortened) tool name stands for.
fn endpoint_named<'a>(name: &str, exposure: &Exposure) -> Option<&'a ToolEntry> {
    if let Some(e) = REGISTRY.get(name) {
        return Some(e);
    }
    exposure.max_name_len?;
    REGISTRY
        .all()
        .iter()
        .find(|e| crate::profile::short_name(e.endpoint.name, exposure.max_name_len) == name)
}
