//! What a catalog is made of: the endpoint tools of one spec, however they were obtained.
//!
//! A [`Source`] comes from a [`Registry`] (the tools a server serves: compiled in, or a registry
//! built at run time from another spec) or from a lowered spec ([`Api`], for `spec diff --html`),
//! so both sides of a comparison get the same page.

use std::collections::HashMap;

use rmcp::model::Tool;
use windmill_mcp_codegen::ir::{Api, Hints, Method};

use crate::endpoints::{Registry, Selection};
use crate::listing::{profiled, Profile};

/// One endpoint tool as the catalog shows it.
#[derive(Debug, Clone)]
pub struct CatalogTool {
    /// The operationId: the tool's name in `--tools all`, search and `call_endpoint`.
    pub name: String,
    /// The name Windmill's own server gives the tool in its curated listing, where it differs from
    /// [`name`](Self::name) (`x-mcp-tool-name`, v1.780.0 on).
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
    /// What the generator simplified (`(operation, what)`).
    pub degradations: Option<Vec<(String, String)>>,
}

impl Source {
    /// The tools a registry serves (compiled in, read from a file or lowered from a running
    /// Windmill's spec), with its search index and what its generator simplified.
    pub fn of_registry(registry: &Registry) -> Self {
        // Curated entries by operationId, to pair each operation with its curated form.
        let curated: HashMap<&str, usize> = registry
            .curated()
            .iter()
            .enumerate()
            .map(|(j, c)| (c.endpoint.name.as_str(), j))
            .collect();
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
                let j = curated.get(e.endpoint.name.as_str()).copied();
                let curated_listed = j.map(|j| {
                    Profile::ALL.map(|p| {
                        registry
                            .curated_listed(p)
                            .get(j)
                            .cloned()
                            .unwrap_or_else(|| profiled(&e.listed, p))
                    })
                });
                let curated_name = j
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
                    full: (*e.tool).clone(),
                    listed,
                }
            })
            .collect();
        let index = registry.search_index();
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
            degradations: Some(registry.degradations().to_vec()),
        }
    }

    /// The tools a lowered spec would become: the registry a server would build from it.
    pub fn of_api(api: &Api) -> Self {
        Source::of_registry(&Registry::from_api(api, "spec file"))
    }
}
