//! Which endpoint tools a connection lists: the tool mode (`--tools`, `?tools=`).

use super::registry::Operation;

/// A tool selection that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad glob `{glob}`: {reason}")]
pub struct SelectionError {
    pub glob: String,
    pub reason: String,
}

/// Which endpoint tools are exposed: the tool mode (`--tools`, `?tools=`).
///
/// | mode | listed as tools | reachable through the discovery tools |
/// |---|---|---|
/// | `curated` (default) | Windmill's `x-mcp-tool` operations, named and shaped as Windmill's own server lists them + the discovery tools | every operation |
/// | `all` | every operation | — (no discovery tools) |
/// | `discover` | only the discovery tools | every operation |
/// | a list (`listJobs,tag:flow,get*`) | the matching operations (+ discovery tools if the list holds `discover`) | the matching operations |
///
/// Read-only mode removes every operation that is not read-only from both columns. Every listing
/// but `curated` names tools by operationId with every parameter the operation declares (a list
/// holding `curated` too); the discovery tools always take operationIds.
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
    pub fn parse(text: &str) -> Result<Self, SelectionError> {
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
                let g = globset::Glob::new(item).map_err(|e| SelectionError {
                    glob: item.to_owned(),
                    reason: e.to_string(),
                })?;
                out.push(Selector::Glob(g.compile_matcher()));
            } else {
                out.push(Selector::Name(item.to_owned()));
            }
        }
        Ok(Selection::List(out))
    }

    /// Whether the listing names tools as Windmill's own server does (`curated`: its
    /// `x-mcp-tool-name`s and curated shapes); every other selection names them by operationId and
    /// shows every parameter.
    pub fn curated_names(&self) -> bool {
        matches!(self, Selection::Curated)
    }

    /// Whether the endpoint is listed as a tool of its own.
    pub fn admits(&self, e: &Operation) -> bool {
        match self {
            Selection::Curated => e.curated,
            Selection::All => true,
            Selection::Discover => false,
            Selection::List(items) => items.iter().any(|s| match s {
                Selector::Name(n) => *n == e.name,
                Selector::Tag(t) => e.tags.iter().any(|et| et == t),
                Selector::Glob(g) => g.is_match(&e.name),
                Selector::Curated => e.curated,
                Selector::Discover => false,
            }),
        }
    }

    /// Whether the endpoint can be found, described and called through the discovery tools.
    pub fn reaches(&self, e: &Operation) -> bool {
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
