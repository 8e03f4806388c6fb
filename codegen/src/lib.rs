//! Turns a Windmill OpenAPI document into MCP tool definitions and typed Rust request builders.
//!
//! The stages, one module each:
//!
//! 1. [`load`]: read YAML or JSON and bring cross-file `$ref`s into one self-contained document;
//! 2. [`schema`]: OpenAPI 3.0 schemas → inlined JSON Schema 2020-12;
//! 3. [`lower`]: the typed OpenAPI model → the intermediate form ([`ir`]), one [`ir::Operation`] per
//!    operation with its input/output schema, hints and parameter mapping;
//! 4. [`emit`]: the intermediate form → prettyplease-formatted Rust.
//!
//! [`diff`] compares two lowered specs (`windmill-mcp spec diff`).
//!
//! `build.rs` of the `windmill-mcp` crate calls [`generate`]; nothing here needs Cargo.

pub mod contract;
pub mod contract_emit;
pub mod diff;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod schema;
pub mod search;

use std::path::{Path, PathBuf};

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

/// Whether an operation belongs to the curated set of its API.
pub fn is_curated(api: &ir::Api, op: &ir::Operation) -> bool {
    if api.has_mcp_marks {
        op.mcp.tool
    } else {
        DEFAULT_CURATED.contains(&op.name.as_str())
    }
}

/// The result of a generator run.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The formatted Rust source.
    pub code: String,
    /// The intermediate form it was made from.
    pub api: ir::Api,
    /// Every file read.
    pub files: Vec<PathBuf>,
}

/// Loads and lowers a spec: the intermediate form, without Rust.
pub fn read_api(spec: &Path) -> Result<(ir::Api, load::Loaded), SpecErrors> {
    let loaded = load::load(spec)?;
    let api = lower::lower(&loaded)?;
    Ok((api, loaded))
}

/// Runs every stage on the spec at `spec`.
pub fn generate(spec: &Path) -> Result<Generated, SpecErrors> {
    let (api, loaded) = read_api(spec)?;
    let code = emit::emit(&api, &|op| is_curated(&api, op))
        .map_err(|m| SpecErrors(vec![SpecError::new(spec, "", m)]))?;
    Ok(Generated {
        code,
        api,
        files: loaded.files,
    })
}

/// One line per kind of simplification, with how many operations it touched and a few of their names:
/// what `build.rs` prints as `cargo:warning`s (one per operation would bury real warnings).
pub fn degradation_summary(api: &ir::Api) -> Vec<String> {
    let mut by_kind: std::collections::BTreeMap<String, Vec<&str>> =
        std::collections::BTreeMap::new();
    for d in &api.degradations {
        let kind = d
            .what
            .split('`')
            .enumerate()
            .map(|(i, s)| if i % 2 == 1 { "…" } else { s })
            .collect::<Vec<_>>()
            .join("`");
        let ops = by_kind.entry(kind).or_default();
        if !ops.contains(&d.operation.as_str()) {
            ops.push(&d.operation);
        }
    }
    by_kind
        .into_iter()
        .map(|(kind, ops)| {
            let shown: Vec<&str> = ops.iter().take(4).copied().collect();
            let more = if ops.len() > shown.len() {
                format!(", … {} more", ops.len() - shown.len())
            } else {
                String::new()
            };
            format!(
                "degraded in {} operation(s) ({}{more}): {kind} — see `windmill-mcp tools stats`",
                ops.len(),
                shown.join(", ")
            )
        })
        .collect()
}
