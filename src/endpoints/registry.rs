//! The endpoint tools as MCP definitions: one [`ToolEntry`] per operation, sorted by name.
//!
//! A [`Registry`] is a value: the server holds the one compiled into this binary
//! ([`Registry::compiled`]), and a registry built at run time from another spec can stand in its
//! place. Each entry carries the full definition (what arguments are validated against and what
//! `describe_endpoint` shows), the compact one `tools/list` sends, and its validator; the registry
//! caches each client profile's listing and owns the search index.

use std::sync::{Arc, LazyLock, OnceLock};

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;
use windmill_mcp_codegen::diff::{ApiView, ToolView};

use super::generated;
use super::runtime::Endpoint;
use super::search::SearchIndex;
use super::selection::Selection;
use crate::listing::compact::compact_tool;
use crate::listing::{profiled, Profile};

/// Why an endpoint tool cannot check its arguments.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the input schema of `{tool}` does not compile ({reason}); its arguments cannot be checked, so it is not called")]
pub struct SchemaError {
    pub tool: String,
    pub reason: String,
}

/// One endpoint tool with its MCP definitions, built once.
pub struct ToolEntry {
    pub endpoint: &'static Endpoint,
    /// The full definition, as generated: what arguments are validated against, what
    /// `describe_endpoint` shows and what `get_tool` returns.
    pub tool: Tool,
    /// The compact definition `tools/list` sends (see [`compact_tool`]): the same input schema less
    /// most of its prose, and a loose output schema.
    pub listed: Tool,
    validator: OnceLock<Result<jsonschema::Validator, SchemaError>>,
}

impl std::fmt::Debug for ToolEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolEntry")
            .field("name", &self.endpoint.name)
            .finish_non_exhaustive()
    }
}

impl ToolEntry {
    fn new(e: &'static Endpoint) -> Self {
        let mut tool = Tool::new(
            e.name,
            e.description,
            Arc::new(parse_object(e.input_schema)),
        )
        .with_title(e.title)
        .with_annotations(
            ToolAnnotations::new()
                .read_only(e.hints.read_only)
                .destructive(e.hints.destructive)
                .idempotent(e.hints.idempotent)
                .open_world(e.hints.open_world),
        );
        if let Some(out) = e.output_schema {
            tool = tool.with_raw_output_schema(Arc::new(parse_object(out)));
        }
        ToolEntry {
            endpoint: e,
            listed: compact_tool(&tool),
            tool,
            validator: OnceLock::new(),
        }
    }

    /// The compiled validator of the full input schema (built on first use). Fails closed: a schema
    /// that does not compile is an error, never a pass (the build refuses such schemas already).
    pub fn validator(&self) -> Result<&jsonschema::Validator, &SchemaError> {
        self.validator
            .get_or_init(|| {
                let schema = Value::Object((*self.tool.input_schema).clone());
                jsonschema::draft202012::new(&schema).map_err(|e| {
                    tracing::error!(tool = self.endpoint.name, error = %e, "input schema does not compile");
                    SchemaError {
                        tool: self.endpoint.name.to_owned(),
                        reason: e.to_string(),
                    }
                })
            })
            .as_ref()
    }

    /// The full input schema.
    pub fn input_schema(&self) -> &JsonObject {
        &self.tool.input_schema
    }

    /// The full input schema in a profile's dialect (what `describe_endpoint` shows).
    pub fn input_schema_in(&self, profile: Profile) -> Arc<JsonObject> {
        match profile {
            Profile::Full => self.tool.input_schema.clone(),
            _ => Arc::new(crate::listing::profile::transform(
                &self.tool.input_schema,
                profile,
            )),
        }
    }
}

/// A JSON object from generated JSON text (always an object; empty if the text is not one).
fn parse_object(text: &str) -> JsonObject {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o,
        _ => JsonObject::new(),
    }
}

/// Where a registry's operations come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecInfo {
    /// The spec's `info.title`.
    pub title: String,
    /// The spec's `info.version`.
    pub version: String,
    /// Whether the spec marks operations `x-mcp-tool` (else the curated set is a default list).
    pub has_mcp_marks: bool,
}

/// Every endpoint tool of one spec, sorted by name.
pub struct Registry {
    entries: Vec<ToolEntry>,
    spec: SpecInfo,
    search: SearchIndex,
    /// The listed form of every entry, per profile, built on first use.
    listed: [OnceLock<Vec<Tool>>; 3],
}

static COMPILED: LazyLock<Arc<Registry>> = LazyLock::new(|| {
    let entries: Vec<ToolEntry> = generated::ENDPOINTS.iter().map(ToolEntry::new).collect();
    Arc::new(Registry {
        search: SearchIndex::compiled(&entries),
        entries,
        spec: SpecInfo {
            title: generated::SPEC_TITLE.to_owned(),
            version: generated::SPEC_VERSION.to_owned(),
            has_mcp_marks: generated::SPEC_HAS_MCP_MARKS,
        },
        listed: Default::default(),
    })
});

impl Registry {
    /// The endpoints compiled into this binary.
    pub fn compiled() -> &'static Arc<Registry> {
        &COMPILED
    }

    pub fn spec(&self) -> &SpecInfo {
        &self.spec
    }

    pub fn all(&self) -> &[ToolEntry] {
        &self.entries
    }

    pub fn get(&self, name: &str) -> Option<&ToolEntry> {
        self.entries
            .binary_search_by(|e| e.endpoint.name.cmp(name))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// The entries a selection admits, in name order.
    pub fn select<'a>(&'a self, sel: &'a Selection) -> impl Iterator<Item = &'a ToolEntry> + 'a {
        self.entries.iter().filter(move |e| sel.admits(e.endpoint))
    }

    /// Names close to `name`, for did-you-mean messages.
    pub fn similar(&self, name: &str, sel: &Selection) -> Vec<&'static str> {
        crate::text::closest(name, self.select(sel).map(|e| e.endpoint.name), 3)
    }

    /// The listed (compact) form of every entry in a profile's dialect, in registry order.
    pub fn listed(&self, profile: Profile) -> &[Tool] {
        let slot = match profile {
            Profile::Full => &self.listed[0],
            Profile::OpenAi => &self.listed[1],
            Profile::Gemini => &self.listed[2],
        };
        slot.get_or_init(|| {
            self.entries
                .iter()
                .map(|e| profiled(&e.listed, profile))
                .collect()
        })
    }

    /// The search index over these entries.
    pub fn search_index(&self) -> &SearchIndex {
        &self.search
    }

    /// These tools as `spec diff` compares them. The registry knows no wire names, so renamed
    /// arguments are matched by name and schema only.
    pub fn view(&self) -> ApiView {
        ApiView {
            version: self.spec.version.clone(),
            tools: self
                .entries
                .iter()
                .map(|e| ToolView {
                    name: e.endpoint.name.to_owned(),
                    method: e.endpoint.method.as_str().to_owned(),
                    path: e.endpoint.path.to_owned(),
                    curated: e.endpoint.curated,
                    deprecated: e.endpoint.deprecated,
                    input_schema: Value::Object((*e.tool.input_schema).clone()),
                    output_schema: e
                        .tool
                        .output_schema
                        .as_ref()
                        .map(|o| Value::Object((**o).clone())),
                    wire: Default::default(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn listed_tools_are_compact_and_validation_uses_the_full_schema() {
        let e = Registry::compiled()
            .get("createSchedule")
            .expect("createSchedule");
        let full: Value = serde_json::from_str(e.endpoint.input_schema).expect("json");
        assert_eq!(Value::Object(e.input_schema().clone()), full);
        let bytes = |t: &Tool| serde_json::to_vec(t).map(|v| v.len()).unwrap_or(0);
        assert!(bytes(&e.listed) < bytes(&e.tool));
        let g = Registry::compiled().get("getJob").expect("getJob");
        assert!(bytes(&g.listed) * 10 < bytes(&g.tool));
        // A hint equal to MCP's default is left out; the others stay.
        let a = e.listed.annotations.as_ref().expect("annotations");
        assert_eq!(a.read_only_hint, None);
        assert_eq!(a.destructive_hint, Some(false));
        assert_eq!(
            g.listed
                .output_schema
                .as_deref()
                .cloned()
                .map(Value::Object),
            Some(json!({"type": "object"}))
        );
        let ga = g.listed.annotations.as_ref().expect("annotations");
        assert_eq!(ga.read_only_hint, Some(true));
        assert_eq!(ga.destructive_hint, None);
    }

    #[test]
    fn every_endpoint_validates_and_short_names_stay_distinct() {
        let r = Registry::compiled();
        for e in r.all() {
            assert!(e.validator().is_ok(), "{}", e.endpoint.name);
        }
        let names: std::collections::HashSet<String> = r
            .all()
            .iter()
            .map(|e| {
                crate::listing::short_name(e.endpoint.name, Some(crate::listing::MIN_NAME_LEN))
                    .into_owned()
            })
            .collect();
        assert_eq!(names.len(), r.all().len());
    }

    #[test]
    fn the_view_has_every_tool() {
        let r = Registry::compiled();
        let v = r.view();
        assert_eq!(v.tools.len(), r.all().len());
        assert!(v.tools.iter().all(|t| t.input_schema.is_object()));
    }

    #[test]
    fn profiled_listings_are_cached_and_follow_the_registry_order() {
        let r = Registry::compiled();
        for p in Profile::ALL {
            let listed = r.listed(p);
            assert_eq!(listed.len(), r.all().len());
            assert!(std::ptr::eq(listed, r.listed(p)));
            for (t, e) in listed.iter().zip(r.all()) {
                assert_eq!(t.name, e.endpoint.name);
            }
        }
    }
}
