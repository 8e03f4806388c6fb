//! The discovery tools: the whole API within reach for a few hundred bytes of tool definitions.
//!
//! * `search_endpoints`: plain words → the best matching operations (the ranking index is built at build
//!   time, see [`crate::endpoints::search`]) and the caller's scripts and flows (see
//!   [`crate::workspace::search`]), each with the exact tool name;
//! * `describe_endpoint`: a name → its full input and output schema (the listing has a compact form,
//!   see [`crate::listing::compact`]);
//! * `call_endpoint`: a name and arguments → the same validation and execution as the direct tool,
//!   for scripts and flows too (jobs, progress, cancellation, the job id at the timeout).
//!
//! They obey the caller's [`Exposure`]: an operation that is not reachable cannot be found, described or
//! called through them.

use std::sync::{Arc, LazyLock};

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde_json::{json, Value};

use std::collections::HashSet;

use crate::config::Exposure;
use crate::endpoints::{Registry, ToolEntry};
use crate::listing::{profiled, Profile};
use crate::upstream::answer::tool_error;
use crate::workspace::{Catalog, ItemInfo, ItemTool, Kind};

pub const SEARCH: &str = "search_endpoints";
pub const DESCRIBE: &str = "describe_endpoint";
pub const CALL: &str = "call_endpoint";

/// One of the discovery tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    Search,
    Describe,
    Call,
}

impl Discovery {
    /// The discovery tool called `name`.
    pub fn named(name: &str) -> Option<Discovery> {
        match name {
            SEARCH => Some(Discovery::Search),
            DESCRIBE => Some(Discovery::Describe),
            CALL => Some(Discovery::Call),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Discovery::Search => SEARCH,
            Discovery::Describe => DESCRIBE,
            Discovery::Call => CALL,
        }
    }

    /// Its definition.
    pub fn tool(self) -> &'static Tool {
        let i = match self {
            Discovery::Search => 0,
            Discovery::Describe => 1,
            Discovery::Call => 2,
        };
        &TOOLS[i]
    }
}

fn object(v: Value) -> Arc<JsonObject> {
    Arc::new(match v {
        Value::Object(o) => o,
        _ => JsonObject::new(),
    })
}

/// The three tool definitions.
pub static TOOLS: LazyLock<Vec<Tool>> = LazyLock::new(|| {
    let read = || {
        ToolAnnotations::new()
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false)
    };
    vec![
        Tool::new(
            SEARCH,
            "Find what to call by describing what you want in plain words (e.g. \"cancel a running job\", \"send the monthly invoice\"): Windmill API operations and this workspace's scripts and flows. Each result gives the exact tool name. Call listed tools directly; describe_endpoint gives arguments, call_endpoint runs anything by name.",
            object(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "What you want to do, in plain words."},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 25, "default": 8, "description": "How many matches to return."},
                    "kind": {"type": "string", "enum": ["any", "endpoint", "script", "flow"], "default": "any", "description": "Only this kind of result."}
                },
                "required": ["query"],
                "additionalProperties": false
            })),
        )
        .with_title("Search the API, scripts and flows")
        .with_annotations(read()),
        Tool::new(
            DESCRIBE,
            "Show one API operation, script or flow in full (tools/list abridges descriptions and output schemas): description, input schema (the arguments of call_endpoint) and output schema.",
            object(json!({
                "type": "object",
                "properties": {"name": {"type": "string", "description": "The name search_endpoints returned (e.g. listJobs, s-f_team_report)."}},
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Describe an operation, script or flow")
        .with_annotations(read()),
        Tool::new(
            CALL,
            "Call any API operation, script or flow by name with its arguments (as describe_endpoint shows them), in this connection's workspace. Scripts and flows run as jobs. Check hints first: some operations delete or overwrite data.",
            object(json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "The name (e.g. listJobs, s-f_team_report)."},
                    "arguments": {"type": "object", "description": "Its arguments, per its input schema.", "default": {}}
                },
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Call an operation, script or flow")
        .with_annotations(ToolAnnotations::new().read_only(false).destructive(true).idempotent(false).open_world(true)),
    ]
});

static PROFILED: LazyLock<[Vec<Tool>; 3]> =
    LazyLock::new(|| Profile::ALL.map(|p| TOOLS.iter().map(|t| profiled(t, p)).collect()));

/// The discovery tools in a profile's dialect (what `tools/list` sends).
pub fn listed(profile: Profile) -> &'static [Tool] {
    let i = match profile {
        Profile::Full => 0,
        Profile::OpenAi => 1,
        Profile::Gemini => 2,
    };
    &PROFILED[i]
}

fn error(text: String) -> CallToolResult {
    tool_error(text)
}

/// The reachable entry called `name`, or a tool error with suggestions.
pub fn reachable<'a>(
    registry: &'a Registry,
    name: &str,
    exposure: &Exposure,
) -> Result<&'a ToolEntry, Box<CallToolResult>> {
    match registry.get(name) {
        Some(e) if exposure.reaches(&e.endpoint) => Ok(e),
        Some(e) if exposure.read_only && !e.endpoint.hints.read_only => Err(Box::new(error(format!(
            "`{name}` is not available: this server is in read-only mode and `{name}` ({} {}) changes data.",
            e.endpoint.method.as_str(),
            e.endpoint.path
        )))),
        _ => {
            let near = crate::text::closest(
                name,
                registry.all().iter().filter(|e| exposure.reaches(&e.endpoint)).map(|e| e.name()),
                3,
            );
            let hint = if near.is_empty() {
                "Use search_endpoints to find operations.".to_owned()
            } else {
                format!("Did you mean {}? Or use search_endpoints.", near.join(", "))
            };
            Err(Box::new(error(format!("No operation `{name}` is available here. {hint}"))))
        }
    }
}

fn arg_str<'a>(args: &'a JsonObject, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

/// `search_endpoints`.
/// What `search_endpoints` searches besides the endpoints: the caller's scripts and flows.
pub struct ItemScope<'a> {
    pub catalog: &'a Catalog,
    /// The names of the items listed as tools for this caller.
    pub listed: &'a HashSet<String>,
}

/// Item scores are multiplied by this before they are ranked with endpoint scores: an item that
/// matches as well as an operation is the more specific answer in its workspace.
const ITEM_WEIGHT: f32 = 1.0;

/// Which kinds of results a search returns (`kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KindFilter {
    Any,
    Endpoint,
    Script,
    Flow,
}

impl KindFilter {
    fn parse(v: Option<&Value>) -> Result<Self, String> {
        match v.and_then(Value::as_str) {
            None | Some("any") => Ok(KindFilter::Any),
            Some("endpoint") => Ok(KindFilter::Endpoint),
            Some("script") => Ok(KindFilter::Script),
            Some("flow") => Ok(KindFilter::Flow),
            Some(other) => Err(format!(
                "Invalid arguments for `search_endpoints`: argument `kind`: expected one of any, endpoint, script, flow, got {:?}",
                crate::text::ellipsize(other, 40)
            )),
        }
    }

    fn items(self, kind: Kind) -> bool {
        match self {
            KindFilter::Any => true,
            KindFilter::Endpoint => false,
            KindFilter::Script => kind == Kind::Script,
            KindFilter::Flow => kind == Kind::Flow,
        }
    }
}

/// One result of a search.
enum Found<'a> {
    Endpoint(&'a ToolEntry),
    Item(Arc<ItemInfo>),
}

/// `search_endpoints`: operations and (when `items` is given) scripts and flows, best first.
pub fn search(
    registry: &Registry,
    items: Option<ItemScope<'_>>,
    args: &JsonObject,
    exposure: &Exposure,
) -> CallToolResult {
    let Some(query) = arg_str(args, "query").filter(|q| !q.trim().is_empty()) else {
        return error("Invalid arguments for `search_endpoints`: missing required argument `query` (string: what you want to do, in plain words).".into());
    };
    let limit = args
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(8)
        .clamp(1, 25) as usize;
    let kind = match KindFilter::parse(args.get("kind")) {
        Ok(k) => k,
        Err(e) => return error(e),
    };
    let mut found: Vec<(f32, Found)> = Vec::new();
    if matches!(kind, KindFilter::Any | KindFilter::Endpoint) {
        let hits =
            registry
                .search_index()
                .search(registry.all(), query, &|e| exposure.reaches(e), limit);
        found.extend(
            hits.into_iter()
                .map(|h| (h.score, Found::Endpoint(h.entry))),
        );
    }
    if let Some(scope) = &items {
        let hits = scope.catalog.search(query, &|i| kind.items(i.kind), limit);
        found.extend(
            hits.into_iter()
                .map(|(i, score)| (score * ITEM_WEIGHT, Found::Item(i))),
        );
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.truncate(limit);
    let mut results = Vec::new();
    let mut text = String::new();
    for (_, f) in &found {
        match f {
            Found::Endpoint(entry) => {
                let e = &entry.endpoint;
                let mut r = json!({
                    "kind": "endpoint",
                    "name": e.name,
                    "method": e.method.as_str(),
                    "path": e.path,
                    "summary": e.title,
                    "readOnly": e.hints.read_only,
                    "listed": exposure.lists(e),
                });
                curated_fields(registry, &e.name, e.curated_name.as_deref(), &mut r);
                results.push(r);
                text.push_str(&format!(
                    "{}{} — endpoint {} {} — {}\n",
                    e.name,
                    curated_note(e.curated_name.as_deref(), &e.name),
                    e.method.as_str(),
                    e.path,
                    e.title
                ));
            }
            Found::Item(info) => {
                let listed = items
                    .as_ref()
                    .is_some_and(|s| s.listed.contains(&info.name));
                let summary = if info.summary.is_empty() {
                    crate::text::ellipsize(&info.description, 160)
                } else {
                    info.summary.clone()
                };
                results.push(json!({
                    "kind": info.kind.as_str(),
                    "name": info.name,
                    "path": info.path,
                    "summary": summary,
                    "listed": listed,
                }));
                text.push_str(&format!(
                    "{} — {} {}{} — {}\n",
                    info.name,
                    info.kind.as_str(),
                    info.path,
                    if listed {
                        ""
                    } else {
                        " (call it with call_endpoint)"
                    },
                    summary
                ));
            }
        }
    }
    if results.is_empty() {
        text.push_str("Nothing matches. Try other words.");
    }
    let mut r = CallToolResult::success(vec![ContentBlock::text(text.trim_end().to_owned())]);
    r.structured_content = Some(json!({ "results": results }));
    r
}

/// `describe_endpoint`.
pub fn describe(registry: &Registry, args: &JsonObject, exposure: &Exposure) -> CallToolResult {
    let Some(name) = arg_str(args, "name") else {
        return error("Invalid arguments for `describe_endpoint`: missing required argument `name` (string, e.g. listJobs).".into());
    };
    let entry = match reachable(registry, name, exposure) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let e = &entry.endpoint;
    let mut v = json!({
        "name": e.name,
        "title": e.title,
        "description": e.description,
        "method": e.method.as_str(),
        "path": e.path,
        "annotations": entry.tool.annotations,
        "inputSchema": entry.input_schema_in(exposure.profile),
    });
    if let (Some(out), Some(o)) = (&entry.tool.output_schema, v.as_object_mut()) {
        o.insert("outputSchema".into(), Value::Object((**out).clone()));
    }
    curated_fields(registry, &e.name, e.curated_name.as_deref(), &mut v);
    let text = serde_json::to_string(&v).unwrap_or_default();
    let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
    r.structured_content = Some(v);
    r
}

/// ` (curated tool `createApp`)` when an operation is listed under another name in the curated
/// listing.
fn curated_note(curated_name: Option<&str>, name: &str) -> String {
    match curated_name {
        Some(c) if c != name => format!(" (Windmill's curated tool `{c}`)"),
        _ => String::new(),
    }
}

/// Adds to a search result or a description which curated name the operation carries
/// (`curatedName`), and, when the operationId is itself the curated name of another operation,
/// which one (`curatedNameOf`): names given to the discovery tools are operationIds.
fn curated_fields(registry: &Registry, name: &str, curated_name: Option<&str>, v: &mut Value) {
    let Some(o) = v.as_object_mut() else {
        return;
    };
    if let Some(c) = curated_name {
        o.insert("curatedName".into(), json!(c));
    }
    if let Some(other) = registry.curated_alias(name) {
        o.insert("curatedNameOf".into(), json!(other.endpoint.name));
    }
}

/// A note for a `call_endpoint` result whose operationId the curated listing shows as another
/// operation's name (`createApp` is the low-code operation here, createAppRawSource there).
pub fn alias_note(registry: &Registry, name: &str, exposure: &Exposure) -> Option<String> {
    let other = registry.curated_alias(name)?;
    exposure.selection.curated_names().then(|| {
        format!(
            "Note: called by name through call_endpoint, `{name}` is the operation {name}; the listed tool `{name}` is {} (Windmill's curated name).",
            other.endpoint.name
        )
    })
}

/// `describe_endpoint` of a script or flow.
pub fn describe_item(
    info: &ItemInfo,
    tool: &ItemTool,
    listed: bool,
    exposure: &Exposure,
) -> CallToolResult {
    let schema = crate::listing::profiled(&tool.tool(), exposure.profile).input_schema;
    let v = json!({
        "name": info.name,
        "kind": info.kind.as_str(),
        "path": info.path,
        "title": info.summary,
        "description": tool.description(),
        "listed": listed,
        "inputSchema": schema,
    });
    let text = serde_json::to_string(&v).unwrap_or_default();
    let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
    r.structured_content = Some(v);
    r
}

/// The `name` argument of `describe_endpoint` or `call_endpoint`.
pub fn target_name(tool: Discovery, args: &JsonObject) -> Result<&str, Box<CallToolResult>> {
    let name = arg_str(args, "name").ok_or_else(|| {
        Box::new(error(format!(
            "Invalid arguments for `{}`: missing required argument `name` (string, e.g. listJobs or s-f_team_report).",
            tool.name()
        )))
    })?;
    // Checked before any lookup or suggestion: no work in proportion to a huge name.
    if let Some(u) = super::dispatch::too_long(name) {
        return Err(Box::new(error(format!(
            "{u}. Use search_endpoints to find operations."
        ))));
    }
    Ok(name)
}

/// The `arguments` argument of `call_endpoint`.
pub fn call_arguments(args: &JsonObject) -> Result<JsonObject, Box<CallToolResult>> {
    match args.get("arguments") {
        None | Some(Value::Null) => Ok(JsonObject::new()),
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(other) => Err(Box::new(error(format!(
            "Invalid arguments for `call_endpoint`: argument `arguments`: expected an object, got {}",
            crate::text::describe_value(other)
        )))),
    }
}

/// The name and arguments of a `call_endpoint` call.
pub fn call_target<'a>(
    registry: &'a Registry,
    args: &JsonObject,
    exposure: &Exposure,
) -> Result<(&'a ToolEntry, JsonObject), Box<CallToolResult>> {
    let Some(name) = arg_str(args, "name") else {
        return Err(Box::new(error("Invalid arguments for `call_endpoint`: missing required argument `name` (string, e.g. listJobs).".into())));
    };
    let entry = reachable(registry, name, exposure)?;
    let inner = match args.get("arguments") {
        None | Some(Value::Null) => JsonObject::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(other) => {
            return Err(Box::new(error(format!(
                "Invalid arguments for `call_endpoint`: argument `arguments`: expected an object, got {}",
                crate::text::describe_value(other)
            ))))
        }
    };
    Ok((entry, inner))
}
