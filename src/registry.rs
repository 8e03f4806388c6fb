//! The compiled-in endpoint tools, and which of them a session sees.

use std::sync::{Arc, LazyLock, OnceLock};

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

use crate::generated;
use crate::runtime::Endpoint;

/// One endpoint tool with its MCP definition, built once.
pub struct ToolEntry {
    pub endpoint: &'static Endpoint,
    pub tool: Tool,
    validator: OnceLock<Option<jsonschema::Validator>>,
}

impl ToolEntry {
    /// The compiled input-schema validator (built on first use).
    pub fn validator(&self) -> Option<&jsonschema::Validator> {
        self.validator
            .get_or_init(|| {
                let schema = Value::Object((*self.tool.input_schema).clone());
                match jsonschema::draft202012::new(&schema) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        tracing::error!(tool = self.endpoint.name, error = %e, "input schema does not compile");
                        None
                    }
                }
            })
            .as_ref()
    }

    pub fn input_schema(&self) -> &JsonObject {
        &self.tool.input_schema
    }
}

fn parse_object(text: &str) -> JsonObject {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o,
        _ => JsonObject::new(),
    }
}

/// Every endpoint tool, sorted by name.
pub struct Registry {
    entries: Vec<ToolEntry>,
}

pub static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::build);

impl Registry {
    fn build() -> Self {
        let entries = generated::ENDPOINTS
            .iter()
            .map(|e| {
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
                    tool,
                    validator: OnceLock::new(),
                }
            })
            .collect();
        Registry { entries }
    }

    pub fn all(&self) -> &[ToolEntry] {
        &self.entries
    }

    pub fn get(&self, name: &str) -> Option<&ToolEntry> {
        self.entries
            .binary_search_by(|e| e.endpoint.name.cmp(name))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The entries a selection admits, in name order.
    pub fn select<'a>(&'a self, sel: &'a Selection) -> impl Iterator<Item = &'a ToolEntry> + 'a {
        self.entries.iter().filter(move |e| sel.admits(e.endpoint))
    }

    /// Names close to `name`, for did-you-mean messages.
    pub fn similar(&self, name: &str, sel: &Selection) -> Vec<&'static str> {
        crate::suggest::closest(name, self.select(sel).map(|e| e.endpoint.name), 3)
    }
}

/// Which endpoint tools are exposed: the tool mode (`--tools`, `?tools=`).
///
/// | mode | listed as tools | reachable through the discovery tools |
/// |---|---|---|
/// | `curated` (default) | Windmill's `x-mcp-tool` operations + the discovery tools | every operation |
/// | `all` | every operation | — (no discovery tools) |
/// | `discover` | only the discovery tools | every operation |
/// | a list (`listJobs,tag:flow,get*`) | the matching operations (+ discovery tools if the list holds `discover`) | the matching operations |
///
/// Read-only mode removes every operation that is not read-only from both columns.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Windmill's curated set (`x-mcp-tool`).
    Curated,
    /// Every operation.
    All,
    /// Only the discovery tools.
    Discover,
    /// Explicit names, `tag:<tag>` and globs, comma-separated.
    List(Vec<Selector>),
}

#[derive(Debug, Clone)]
pub enum Selector {
    Name(String),
    Tag(String),
    Glob(globset::GlobMatcher),
    Curated,
    /// Adds the discovery tools to a list.
    Discover,
}

impl Selection {
    /// Parses `curated`, `all`, `discover`, or a comma-separated list of names, `tag:T` and globs.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match text {
            "" | "curated" => return Ok(Selection::Curated),
            "all" => return Ok(Selection::All),
            "discover" => return Ok(Selection::Discover),
            _ => {}
        }
        let mut out = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "curated" {
                out.push(Selector::Curated);
            } else if item == "discover" {
                out.push(Selector::Discover);
            } else if let Some(tag) = item.strip_prefix("tag:") {
                out.push(Selector::Tag(tag.to_owned()));
            } else if item.contains(['*', '?', '[']) {
                let g = globset::Glob::new(item).map_err(|e| format!("bad glob `{item}`: {e}"))?;
                out.push(Selector::Glob(g.compile_matcher()));
            } else {
                out.push(Selector::Name(item.to_owned()));
            }
        }
        Ok(Selection::List(out))
    }

    /// Whether the endpoint is listed as a tool of its own.
    pub fn admits(&self, e: &Endpoint) -> bool {
        match self {
            Selection::Curated => e.curated,
            Selection::All => true,
            Selection::Discover => false,
            Selection::List(items) => items.iter().any(|s| match s {
                Selector::Name(n) => n == e.name,
                Selector::Tag(t) => e.tags.iter().any(|et| et == t),
                Selector::Glob(g) => g.is_match(e.name),
                Selector::Curated => e.curated,
                Selector::Discover => false,
            }),
        }
    }

    /// Whether the endpoint can be found, described and called through the discovery tools.
    pub fn reaches(&self, e: &Endpoint) -> bool {
        match self {
            Selection::Curated | Selection::Discover => true,
            Selection::All => true,
            Selection::List(_) => self.admits(e),
        }
    }

    /// Whether the discovery tools are listed.
    pub fn has_discovery(&self) -> bool {
        match self {
            Selection::Curated | Selection::Discover => true,
            Selection::All => false,
            Selection::List(items) => items.iter().any(|s| matches!(s, Selector::Discover)),
        }
    }
}

/// What one caller may see: the tool mode and read-only mode together.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub selection: Selection,
    pub read_only: bool,
    /// The schema dialect of `tools/list` (`?client=`, `--client-profile`).
    pub profile: crate::profile::Profile,
    /// Longer tool names are shortened to this many characters (`?max_name_len=`, `--max-name-len`).
    pub max_name_len: Option<usize>,
}

impl Exposure {
    pub fn lists(&self, e: &Endpoint) -> bool {
        self.selection.admits(e) && (!self.read_only || e.hints.read_only)
    }

    pub fn reaches(&self, e: &Endpoint) -> bool {
        self.selection.reaches(e) && (!self.read_only || e.hints.read_only)
    }
}
