//! A tool name → what answers it. Resolved once per call, in this order:
//!
//! 1. a discovery tool, when the caller has them (its tool mode has them, or some of its scripts
//!    and flows are not listed);
//! 2. `get_job_result`, when the caller has scripts and flows;
//! 3. an endpoint tool the caller lists, by name or by its shortened name (in the `curated` tool
//!    mode the names are Windmill's curated names, otherwise operationIds);
//! 4. a script or flow (`s-…`, `f-…`) of the caller's catalog, listed or not (the catalog is
//!    refreshed once if it is unknown, at most every [`MIN_STALE_REFRESH`]).
//!
//! Anything else is [`Unknown`], with the reason and the closest names.

use std::sync::Arc;
use std::time::Duration;

use super::discovery::Discovery;
use crate::config::Exposure;
use crate::endpoints::{Registry, ToolEntry};
use crate::listing::short_name;
use crate::workspace::run::GET_JOB_RESULT;
use crate::workspace::{Catalog, ItemInfo};

/// A call to an unknown script or flow name refreshes the list at most this often.
pub const MIN_STALE_REFRESH: Duration = Duration::from_secs(5);

/// What answers a tool call.
pub enum ToolKind<'r> {
    Discovery(Discovery),
    JobResult,
    /// A script or flow of the caller's catalog, listed or not.
    Item(Arc<ItemInfo>),
    Endpoint(&'r ToolEntry),
}

/// Why a name is no tool of this caller's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// An endpoint the tool mode does not list.
    NotSelected { name: String, near: Vec<String> },
    /// An endpoint that changes data, in read-only mode.
    ReadOnly { name: String, near: Vec<String> },
    /// No script or flow of the workspace visible to the token has that name.
    NoItem {
        name: String,
        workspace: String,
        near: Vec<String>,
        refresh_error: Option<String>,
    },
    /// Nothing by that name.
    NoTool { name: String, near: Vec<String> },
    /// Longer than any name can be ([`crate::text::MAX_NAME_CHARS`]): unknown at once, no
    /// suggestion, only its start shown.
    TooLong { start: String },
}

/// How many characters of an unknown name an error message shows.
const SHOWN_NAME_BYTES: usize = 120;

/// `Some(Unknown::TooLong)` for a name too long to be any tool's: checked before any work.
pub fn too_long(name: &str) -> Option<Unknown> {
    crate::text::too_long_for_a_name(name).then(|| Unknown::TooLong {
        start: crate::text::ellipsize(name, 40),
    })
}

fn did_you_mean(near: &[String]) -> String {
    if near.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", near.join(", "))
    }
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |name: &str| crate::text::ellipsize(name, SHOWN_NAME_BYTES);
        match self {
            Unknown::NotSelected { name, near } => write!(
                f,
                "unknown tool `{}` (not in this connection's tool selection){}",
                shown(name),
                did_you_mean(near)
            ),
            Unknown::ReadOnly { name, near } => write!(
                f,
                "unknown tool `{}` (read-only mode: it changes data){}",
                shown(name),
                did_you_mean(near)
            ),
            Unknown::NoItem {
                name,
                workspace,
                near,
                refresh_error,
            } => {
                write!(f, "unknown tool `{}`: no script or flow of workspace `{workspace}` visible to this token has that name{}", shown(name), did_you_mean(near))?;
                if let Some(e) = refresh_error {
                    write!(f, " (the list could not be refreshed: {e})")?;
                }
                Ok(())
            }
            Unknown::NoTool { name, near } => {
                write!(f, "unknown tool `{}`{}", shown(name), did_you_mean(near))
            }
            Unknown::TooLong { start } => write!(
                f,
                "unknown tool `{start}` (longer than {} characters: no tool has such a name)",
                crate::text::MAX_NAME_CHARS
            ),
        }
    }
}

/// Whether `name` is a script or flow tool name (`s-…`, `f-…`).
pub fn is_item_name(name: &str) -> bool {
    name.starts_with("s-") || name.starts_with("f-")
}

/// The tools that need no catalog: discovery (when `discovery` says the caller has them),
/// `get_job_result`, endpoints. `None`: look further (a script or flow), or unknown.
pub fn resolve_static<'r>(
    registry: &'r Registry,
    exposure: &Exposure,
    discovery: bool,
    items_enabled: bool,
    name: &str,
) -> Option<ToolKind<'r>> {
    if discovery {
        if let Some(d) = Discovery::named(name) {
            return Some(ToolKind::Discovery(d));
        }
    }
    if items_enabled && name == GET_JOB_RESULT {
        return Some(ToolKind::JobResult);
    }
    endpoint_named(registry, exposure, name).map(ToolKind::Endpoint)
}

/// The endpoint a (possibly shortened) name stands for, if the caller lists it.
fn endpoint_named<'r>(
    registry: &'r Registry,
    exposure: &Exposure,
    name: &str,
) -> Option<&'r ToolEntry> {
    let sel = &exposure.selection;
    let entry = registry.named(sel, name).or_else(|| {
        exposure.max_name_len?;
        let entries = if sel.curated_names() {
            registry.curated()
        } else {
            registry.all()
        };
        entries
            .iter()
            .find(|e| short_name(e.name(), exposure.max_name_len) == name)
    })?;
    exposure.lists(&entry.endpoint).then_some(entry)
}

/// The item a (possibly shortened) name stands for in a catalog.
pub fn item_named(catalog: &Catalog, exposure: &Exposure, name: &str) -> Option<Arc<ItemInfo>> {
    catalog.info(name).cloned().or_else(|| {
        exposure.max_name_len?;
        catalog
            .infos
            .iter()
            .find(|i| short_name(&i.name, exposure.max_name_len) == name)
            .cloned()
    })
}

/// Why `name` is not an endpoint or discovery tool of the caller's.
pub fn unknown_static(
    registry: &Registry,
    exposure: &Exposure,
    listed: &[rmcp::model::Tool],
    name: &str,
) -> Unknown {
    let mut near: Vec<String> =
        crate::text::closest(name, listed.iter().map(|t| t.name.as_ref()), 3)
            .into_iter()
            .map(str::to_owned)
            .collect();
    // An operationId the curated listing shows under Windmill's curated name.
    let found = registry
        .named(&exposure.selection, name)
        .or_else(|| registry.get(name));
    if let Some(curated) = found.and_then(|e| e.endpoint.curated_name.as_deref()) {
        if curated != name && listed.iter().any(|t| t.name == curated) {
            near.retain(|n| n != curated);
            near.insert(0, curated.to_owned());
        }
    }
    let name = name.to_owned();
    match found {
        Some(e) if exposure.read_only && !e.endpoint.hints.read_only => {
            Unknown::ReadOnly { name, near }
        }
        Some(_) => Unknown::NotSelected { name, near },
        None => Unknown::NoTool { name, near },
    }
}

/// Why `name` is not a script or flow of the caller's.
pub fn unknown_item(catalog: &Catalog, workspace: &str, name: &str) -> Unknown {
    Unknown::NoItem {
        name: name.to_owned(),
        workspace: workspace.to_owned(),
        near: crate::text::closest(name, catalog.infos.iter().map(|i| i.name.as_str()), 3)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        refresh_error: catalog.error.clone(),
    }
}
