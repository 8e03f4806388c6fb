//! Each workspace's own scripts and flows as tools, discovered live through Windmill's REST API.
//!
//! **What is listed.** Scripts from `listScripts` (`kinds=script`) and flows from `listFlows`, every
//! page. Left out: archived items and drafts that were never deployed (Windmill leaves both out of
//! these listings by default, and items marked `archived` or `draft_only` are dropped again here),
//! scripts without a `main` function (Windmill's default), and scripts of the kinds `failure`,
//! `trigger`, `command`, `approval` and `preprocessor`: those are steps Windmill calls itself (error
//! handlers, flow triggers and approval steps), not something to call directly. A selection
//! ([`selection`]: `all`, `none`, `favorites` and path globs) narrows the set before any schema is
//! fetched.
//!
//! **Caching** ([`catalog`]). One catalog per (Windmill URL, workspace, token identity,
//! selection); the token identity is a keyed hash, never the token. A refresh lists every page again
//! and fetches the schema only of items whose script hash or flow edit time changed (bounded
//! concurrency); the others are reused as they are. Catalogs older than the refresh interval are
//! refreshed in the background while the old list is served; the MCP layer tells sessions whose
//! list changed.
//!
//! * [`names`]: tool names of paths (Windmill's own where unambiguous, else reversible);
//! * [`schema`]: Windmill argument schemas → tool input schemas;
//! * [`run`]: running an item as a job, polling, cancelling, and `get_job_result`.
//!
//! Every Windmill call goes through [`crate::upstream::api`].

pub mod catalog;
pub mod names;
pub mod run;
pub mod schema;
pub mod search;
pub mod selection;

pub use catalog::{
    token_identity, Catalog, ItemInfo, ItemTool, Items, RefreshStats, Scope, ToolError,
};
pub use names::Kind;
pub use selection::{FilterError, ItemFilter, ItemOptions, ItemSelection, DEFAULT_LISTING_BUDGET};
