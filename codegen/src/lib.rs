//! Turns a Windmill OpenAPI document into MCP tool definitions: the part of the generator that the
//! server runs too (`windmill-mcp spec diff`, `spec pull`, the start-up version check).
//!
//! The stages, one module each:
//!
//! 1. [`load`]: read YAML or JSON and bring cross-file `$ref`s into one self-contained document;
//! 2. [`schema`]: OpenAPI 3.0 schemas → inlined JSON Schema 2020-12;
//! 3. [`lower`]: the typed OpenAPI model → the intermediate form ([`ir`]), one [`ir::Operation`] per
//!    operation with its input/output schema, hints and parameter mapping; its last step
//!    ([`check`]) compiles every tool schema as a JSON Schema 2020-12 validator, so a schema the
//!    server could not validate arguments with is an error here, not a silent pass there.
//!
//! Stage 4, the Rust emitter (`quote!` + prettyplease), is the crate `windmill-mcp-emit`: only the
//! build links it. [`search`] builds the search index (build time) and parses queries (run time);
//! [`diff`] compares two lowered specs (`windmill-mcp spec diff`); [`naming`] holds every name rule,
//! [`routes`] what Windmill's router takes as one path segment or as the rest of the path, and
//! [`error`] the one error type (file, JSON pointer, operationId; all problems collected).
//!
//! Nothing here needs Cargo: [`read_api`] is the whole pipeline up to the intermediate form.

pub mod check;
pub mod contract;
pub mod diff;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod routes;
pub mod schema;
pub mod search;

use std::path::Path;

pub use error::{SpecError, SpecErrors};

/// Windmill v1.743.0's curated set (its `x-mcp-tool` operations), used for specs that carry no marks
/// (Windmill before its MCP support, e.g. v1.107.0): the operations of this list the spec has.
pub const DEFAULT_CURATED: &[&str] = &[
    "createApp",
    "createFlow",
    "createResource",
    "createSchedule",
    "createScript",
    "createVariable",
    "deleteFlowByPath",
    "deleteResource",
    "deleteSchedule",
    "deleteScriptByHash",
    "deleteScriptByPath",
    "deleteVariable",
    "getFlowByPath",
    "getJob",
    "getJobLogs",
    "getResource",
    "getSchedule",
    "getScriptByPath",
    "getVariable",
    "listFlows",
    "listJobs",
    "listQueue",
    "listResource",
    "listResourceType",
    "listSchedules",
    "listScripts",
    "listVariable",
    "listWorkers",
    "readDocsPage",
    "runFlowByPath",
    "runScriptByPath",
    "runScriptPreviewAndWaitResult",
    "searchDocs",
    "updateApp",
    "updateFlow",
    "updateResource",
    "updateSchedule",
    "updateVariable",
];

/// Whether an operation belongs to the curated set of its API (lowering settles it: `x-mcp-tool`,
/// or [`DEFAULT_CURATED`] for a spec without marks; see [`ir::Operation::curated`]).
pub fn is_curated(_api: &ir::Api, op: &ir::Operation) -> bool {
    op.curated.is_some()
}

/// Loads and lowers a spec: the intermediate form, without Rust.
pub fn read_api(spec: &Path) -> Result<(ir::Api, load::Loaded), SpecErrors> {
    let loaded = load::load(spec)?;
    let api = lower::lower(&loaded)?;
    Ok((api, loaded))
}
