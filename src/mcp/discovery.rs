//! The discovery tools: the whole API within reach for a few hundred bytes of tool definitions.
//!
//! * `search_endpoints`: plain words → the best matching operations (the ranking index is built at build
//!   time, see [`crate::endpoints::search`]);
//! * `describe_endpoint`: a name → its full input and output schema (the listing has a compact form,
//!   see [`crate::listing::compact`]);
//! * `call_endpoint`: a name and arguments → the same validation and execution as the direct tool.
//!
//! They obey the caller's [`Exposure`]: an operation that is not reachable cannot be found, described or
//! called through them.

use std::sync::{Arc, LazyLock};

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde_json::{json, Value};

use crate::config::Exposure;
use crate::endpoints::{Registry, ToolEntry};
use crate::listing::{profiled, Profile};
use crate::upstream::answer::tool_error;

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
    vec![
        Tool::new(
            SEARCH,
            "Find Windmill API operations by describing what you want to do in plain words (e.g. \"cancel a running job\"). Returns the best matches: name, method, path and summary. Then use describe_endpoint for the arguments and call_endpoint to run it.",
            object(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "What you want to do, in plain words."},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 25, "default": 8, "description": "How many matches to return."}
                },
                "required": ["query"],
                "additionalProperties": false
            })),
        )
        .with_title("Search the Windmill API")
        .with_annotations(ToolAnnotations::new().read_only(true).destructive(false).idempotent(true).open_world(false)),
        Tool::new(
            DESCRIBE,
            "Show one Windmill API operation in full (tools/list abridges descriptions and output schemas): description, input schema (the arguments of call_endpoint) and output schema.",
            object(json!({
                "type": "object",
                "properties": {"name": {"type": "string", "description": "The operation name, as search_endpoints returns it (e.g. listJobs)."}},
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Describe a Windmill API operation")
        .with_annotations(ToolAnnotations::new().read_only(true).destructive(false).idempotent(true).open_world(false)),
        Tool::new(
            CALL,
            "Call any Windmill API operation by name with its arguments (as describe_endpoint shows them), in this connection's workspace. Check the operation's hints first: some delete or overwrite data.",
            object(json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "The operation name (e.g. listJobs)."},
                    "arguments": {"type": "object", "description": "The operation's arguments, per its input schema.", "default": {}}
                },
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Call a Windmill API operation")
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
        Some(e) if exposure.reaches(e.endpoint) => Ok(e),
        Some(e) if exposure.read_only && !e.endpoint.hints.read_only => Err(Box::new(error(format!(
            "`{name}` is not available: this server is in read-only mode and `{name}` ({} {}) changes data.",
            e.endpoint.method.as_str(),
            e.endpoint.path
        )))),
        _ => {
            let near = crate::text::closest(
                name,
                registry.all().iter().filter(|e| exposure.reaches(e.endpoint)).map(|e| e.endpoint.name),
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
pub fn search(registry: &Registry, args: &JsonObject, exposure: &Exposure) -> CallToolResult {
    let Some(query) = arg_str(args, "query").filter(|q| !q.trim().is_empty()) else {
        return error("Invalid arguments for `search_endpoints`: missing required argument `query` (string: what you want to do, in plain words).".into());
    };
    let limit = args
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(8)
        .clamp(1, 25) as usize;
    let hits =
        registry
            .search_index()
            .search(registry.all(), query, &|e| exposure.reaches(e), limit);
    let results: Vec<Value> = hits
        .iter()
        .map(|h| {
            let e = h.entry.endpoint;
            json!({
                "name": e.name,
                "method": e.method.as_str(),
                "path": e.path,
                "summary": e.title,
                "readOnly": e.hints.read_only,
            })
        })
        .collect();
    let mut text = String::new();
    if results.is_empty() {
        text.push_str("No matching operation. Try other words.");
    }
    for h in &hits {
        let e = h.entry.endpoint;
        text.push_str(&format!(
            "{} — {} {} — {}\n",
            e.name,
            e.method.as_str(),
            e.path,
            e.title
        ));
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
    let e = entry.endpoint;
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
    let text = serde_json::to_string(&v).unwrap_or_default();
    let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
    r.structured_content = Some(v);
    r
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
