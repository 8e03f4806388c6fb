//! The intermediate form: what stage 3 ([`crate::lower`]) makes of the parsed spec, and what
//! everything after it reads (stage 4, the emitter in the crate `windmill-mcp-emit`; the search
//! index; [`crate::diff`]; the server's `spec` commands).
//!
//! Everything the emitter and the runtime need about an operation, in plain data: no openapiv3 type
//! appears here. Schemas are JSON Schema 2020-12 values, already normalized (see [`crate::schema`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// Where a parameter goes in the HTTP request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

/// The Rust type a parameter is read into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScalarKind {
    String,
    Integer,
    Number,
    Boolean,
    /// Anything else (arrays, objects): serialized as JSON text or comma-separated.
    Json,
}

/// One path, query, header or cookie parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// The name on the wire, as the spec spells it.
    pub wire_name: String,
    /// The argument name in the tool's input schema (differs from `wire_name` after a clash rename or
    /// sanitizing).
    pub arg_name: String,
    /// The Rust field name in the generated params struct.
    pub rust_name: String,
    pub location: Location,
    pub required: bool,
    pub kind: ScalarKind,
    /// For arrays in the query: repeat the key (`explode`) or join with commas.
    pub explode: bool,
    /// What a path parameter's value may hold of `/` (see [`crate::routes`]).
    pub slashes: Slashes,
    pub description: Option<String>,
    /// The normalized schema of the argument.
    pub schema: Value,
}

/// Whether a path parameter's value may hold `/`: what Windmill's router makes of it (see
/// [`crate::routes`]). Every value is checked before it is sent (no `.`/`..` or empty segments, no
/// `?`, `#`, `\` or control characters), so no value can leave its place in the template.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slashes {
    /// One segment: a `/` is refused.
    #[default]
    Refused,
    /// The router takes the rest of the path (an axum `/*name` capture): `/` is sent as it is,
    /// each segment checked and percent-encoded (Windmill paths such as `f/folder/script`).
    Kept,
    /// One segment, or an npm scoped name `@scope/name` (Windmill's npm proxy parses one `/` after
    /// an `@` as part of the package name).
    ScopedName,
}

/// How the tool's arguments become the request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BodyShape {
    /// A JSON object whose properties are flattened into the tool arguments:
    /// `(argument name, property name on the wire)`.
    Fields(Vec<(String, String)>),
    /// The whole body is one argument (a JSON array, scalar, free-form object, text or bytes).
    Whole { arg_name: String },
}

/// The request body of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub content_type: String,
    pub required: bool,
    pub shape: BodyShape,
    /// What the body is, for the emitter: JSON, text or binary.
    pub encoding: BodyEncoding,
    /// Body properties that default to a parameter's value when not given:
    /// `(property name on the wire, argument name of the parameter)`. Windmill's update operations
    /// repeat the path parameter as a required `path` in the body (to allow renames).
    pub defaults: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BodyEncoding {
    Json,
    Text,
    /// Bytes, passed by the caller as base64.
    Binary,
    /// `multipart/form-data`: fields are sent as form parts.
    Multipart,
}

/// The success response of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    /// The normalized schema of a JSON response, unwrapped.
    pub schema: Option<Value>,
}

/// Windmill's `x-mcp-*` vendor extensions on an operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct McpExtensions {
    /// `x-mcp-tool: true`: Windmill exposes this operation through its own MCP server.
    pub tool: bool,
    pub instructions: Option<String>,
    /// Body properties the tool exposes (all when `None`).
    pub include_fields: Option<Vec<String>>,
    /// Body properties passed as free-form JSON instead of their full schema.
    pub opaque_fields: Vec<String>,
    /// Query parameters the tool exposes (all when `None`).
    pub include_query_params: Option<Vec<String>>,
    /// Properties that are required although the spec marks them optional.
    pub required_fields: Vec<String>,
    /// `x-mcp-tool-name`: the name Windmill's own server lists the tool under (from v1.780.0).
    #[serde(default)]
    pub tool_name: Option<String>,
    /// `x-mcp-tool-description`: the description Windmill's own server gives the tool instead of
    /// the operation's (from v1.795.0).
    #[serde(default)]
    pub tool_description: Option<String>,
}

impl McpExtensions {
    /// Whether Windmill's curated tool differs in shape from the operation: some parameters or
    /// body properties left out, some passed as free-form JSON, some made required.
    pub fn shapes_input(&self) -> bool {
        self.include_fields.is_some()
            || self.include_query_params.is_some()
            || !self.opaque_fields.is_empty()
            || !self.required_fields.is_empty()
    }
}

/// Windmill's curated tool of an operation: how Windmill's own MCP server lists it. The operation
/// itself (its operationId, description and input schema) is what every other listing shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CuratedTool {
    /// The name it is listed under: `x-mcp-tool-name`, else the operationId.
    pub name: String,
    /// `x-mcp-tool-description` and `x-mcp-instructions`, else the operation's description.
    pub description: String,
    /// The input schema of Windmill's curated shape (`x-mcp-tool-include-fields`,
    /// `-include-query-params`, `-opaque-fields`, `x-mcp-required-fields`): the operation's
    /// arguments, under the same names, less those left out. `None` when it is the operation's.
    pub input_schema: Option<Value>,
}

/// MCP tool annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// Something the generator had to simplify or leave out, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Degradation {
    pub operation: String,
    pub what: String,
}

/// One operation, ready to become a tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// The operationId; also the tool name.
    pub name: String,
    /// The Rust module/function stem (snake_case).
    pub rust_name: String,
    /// The spec's summary.
    pub title: Option<String>,
    /// Summary, description and `x-mcp-instructions`, tidied.
    pub description: String,
    pub method: Method,
    /// The path template, e.g. `/w/{workspace}/scripts/get/p/{path}`.
    pub path: String,
    /// Whether the path holds `{workspace}`, filled by the server.
    pub has_workspace: bool,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub response: Option<Response>,
    pub tags: Vec<String>,
    pub mcp: McpExtensions,
    pub hints: Hints,
    /// The tool's input schema (root `type: object`): every parameter and body property the
    /// operation declares.
    pub input_schema: Value,
    /// The tool's output schema, when the response is JSON (root `type: object`).
    pub output_schema: Option<Value>,
    /// Whether a JSON response is wrapped as `{"result": ...}` in structured content.
    pub wraps_output: bool,
    pub deprecated: bool,
    /// Windmill's curated tool of it, when the operation is in the curated set (`x-mcp-tool`, or
    /// [`crate::DEFAULT_CURATED`] for a spec without marks).
    pub curated: Option<CuratedTool>,
}

/// The whole API, in the order tools are listed (sorted by name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub operations: Vec<Operation>,
    pub degradations: Vec<Degradation>,
    /// Whether the spec marks any operation `x-mcp-tool`.
    pub has_mcp_marks: bool,
}
