//! What a catalog is made of: the endpoint tools of one spec, however they were obtained.
//!
//! A [`Source`] comes from a [`Registry`] (the tools a server serves: compiled in, or a registry
//! built at run time from another spec) or from a lowered spec ([`Api`], for `spec diff --html`),
//! so both sides of a comparison get the same page.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;
use windmill_mcp_codegen::ir::{Api, Hints, Method};
use windmill_mcp_codegen::naming::humanize;
use windmill_mcp_codegen::search::{build, quantize};

use crate::endpoints::{generated, Registry, Selection};
use crate::listing::compact::compact_tool;
use crate::listing::{profiled, Profile};

/// One endpoint tool as the catalog shows it.
#[derive(Debug, Clone)]
pub struct CatalogTool {
    /// The operationId: the tool's name in `--tools all`, search and `call_endpoint`.
    pub name: String,
    /// The name Windmill's own server gives the tool in its curated listing, where it differs from
    /// [`name`](Self::name) (`x-mcp-tool-name`, v1.780.0 on). Read from spec files (`spec diff
    /// --html`); the compiled-in endpoint table does not carry it (v1.743.0 has no such mark).
    pub curated_name: Option<String>,
    pub method: Method,
    pub path: String,
    pub tags: Vec<String>,
    pub hints: Hints,
    pub curated: bool,
    pub deprecated: bool,
    /// Whether the path holds `{workspace}` (the search counts such tools as covering "workspace").
    pub has_workspace: bool,
    /// The full definition (what arguments are validated against, what `describe_endpoint` shows).
    pub full: Tool,
    /// The compact definition `tools/list` sends, per profile ([`Profile::ALL`] order).
    pub listed: [Tool; 3],
    /// The compact definition of Windmill's curated form (its name, description and shape), per
    /// profile, as the curated listing sends it; `None` when it is not curated or not known.
    pub curated_listed: Option<[Tool; 3]>,
}

impl CatalogTool {
    /// The listed form in a profile.
    pub fn listed_in(&self, profile: Profile) -> &Tool {
        let i = Profile::ALL.iter().position(|p| *p == profile).unwrap_or(0);
        &self.listed[i]
    }

    /// The form a mode's listing sends in a profile: the curated form in `curated`.
    pub fn listed_for(&self, selection: &Selection, profile: Profile) -> &Tool {
        let i = Profile::ALL.iter().position(|p| *p == profile).unwrap_or(0);
        match (&self.curated_listed, selection.curated_names()) {
            (Some(c), true) => &c[i],
            _ => &self.listed[i],
        }
    }

    /// Whether a mode lists this tool (as `Exposure::lists` decides).
    pub fn listed_by(&self, selection: &Selection, read_only: bool) -> bool {
        let admitted = match selection {
            Selection::Curated => self.curated,
            Selection::All => true,
            Selection::Discover => false,
            // Lists are a connection's own choice; the catalog only shows the named modes.
            Selection::List(_) => false,
        };
        admitted && (!read_only || self.hints.read_only)
    }
}

/// Everything a catalog page shows of one spec.
#[derive(Debug, Clone)]
pub struct Source {
    /// `info.title` and `info.version`.
    pub title: String,
    pub version: String,
    /// Whether the spec marks operations `x-mcp-tool` (else the curated set is a default list).
    pub has_mcp_marks: bool,
    /// Sorted by name, in the order of the search index's documents.
    pub tools: Vec<CatalogTool>,
    /// The search index: `(term, encoded postings)` sorted by term, and the weight of a quantum.
    pub search_terms: Vec<(String, String)>,
    pub search_scale: f32,
    /// What the generator simplified, when known (`(operation, what)`).
    pub degradations: Option<Vec<(String, String)>>,
}

fn listed_forms(full: &Tool) -> [Tool; 3] {
    let compact = compact_tool(full);
    Profile::ALL.map(|p| profiled(&compact, p))
}

impl Source {
    /// The tools a registry serves. Degradations are known for the compiled-in registry only.
    pub fn of_registry(registry: &Arc<Registry>) -> Self {
        let tools = registry
            .all()
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let listed = Profile::ALL.map(|p| {
                    registry
                        .listed(p)
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| profiled(&e.listed, p))
                });
                let curated = registry
                    .curated()
                    .iter()
                    .position(|c| c.endpoint.name == e.endpoint.name);
                let curated_listed = curated.map(|j| {
                    Profile::ALL.map(|p| {
                        registry
                            .curated_listed(p)
                            .get(j)
                            .cloned()
                            .unwrap_or_else(|| profiled(&e.listed, p))
                    })
                });
                let curated_name = curated
                    .and_then(|j| registry.curated().get(j))
                    .map(|c| c.name().to_owned())
                    .filter(|n| *n != e.endpoint.name);
                CatalogTool {
                    name: e.endpoint.name.to_owned(),
                    curated_name,
                    curated_listed,
                    method: e.endpoint.method,
                    path: e.endpoint.path.to_owned(),
                    tags: e.endpoint.tags.iter().map(|t| (*t).to_owned()).collect(),
                    hints: e.endpoint.hints,
                    curated: e.endpoint.curated,
                    deprecated: e.endpoint.deprecated,
                    has_workspace: e.endpoint.has_workspace,
                    full: e.tool.clone(),
                    listed,
                }
            })
            .collect();
        let index = registry.search_index();
        let compiled = Arc::ptr_eq(registry, Registry::compiled());
        Source {
            title: registry.spec().title.clone(),
            version: registry.spec().version.clone(),
            has_mcp_marks: registry.spec().has_mcp_marks,
            tools,
            search_terms: index
                .terms()
                .map(|(t, p)| (t.to_owned(), p.to_owned()))
                .collect(),
            search_scale: index.scale(),
            degradations: compiled.then(|| {
                generated::DEGRADATIONS
                    .iter()
                    .map(|(o, w)| ((*o).to_owned(), (*w).to_owned()))
                    .collect()
            }),
        }
    }

    /// The tools a lowered spec would become, with the search index the build would write.
    pub fn of_api(api: &Api) -> Self {
        let tools = api
            .operations
            .iter()
            .map(|op| {
                let mut full = Tool::new(
                    op.name.clone(),
                    op.description.clone(),
                    Arc::new(object(&op.input_schema)),
                )
                .with_title(op.title.clone().unwrap_or_else(|| humanize(&op.name)))
                .with_annotations(
                    ToolAnnotations::new()
                        .read_only(op.hints.read_only)
                        .destructive(op.hints.destructive)
                        .idempotent(op.hints.idempotent)
                        .open_world(op.hints.open_world),
                );
                if let Some(out) = &op.output_schema {
                    full = full.with_raw_output_schema(Arc::new(object(out)));
                }
                CatalogTool {
                    name: op.name.clone(),
                    curated_name: op.mcp.tool_name.clone().filter(|n| *n != op.name),
                    method: op.method,
                    path: op.path.clone(),
                    tags: op.tags.clone(),
                    hints: op.hints,
                    curated: windmill_mcp_codegen::is_curated(api, op),
                    deprecated: op.deprecated,
                    has_workspace: op.has_workspace,
                    listed: listed_forms(&full),
                    curated_listed: None,
                    full,
                }
            })
            .collect();
        let index = build(api);
        let (scale, rows) = quantize(&index);
        Source {
            title: api.title.clone(),
            version: api.version.clone(),
            has_mcp_marks: api.has_mcp_marks,
            tools,
            search_terms: rows.into_iter().map(|(t, p)| (t.to_owned(), p)).collect(),
            search_scale: scale,
            degradations: Some(
                api.degradations
                    .iter()
                    .map(|d| (d.operation.clone(), d.what.clone()))
                    .collect(),
            ),
        }
    }
}

fn object(v: &Value) -> JsonObject {
    match v {
        Value::Object(o) => o.clone(),
        _ => JsonObject::new(),
    }
}
