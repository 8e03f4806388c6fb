//! windmill-mcp: Windmill's REST API, and each workspace's scripts and flows, as MCP tools.
//!
//! The rooms, each depending only on those above it in this list (a test in
//! `tests/architecture.rs` fails on a new cycle):
//!
//! * [`text`]: small text helpers (cuts, caps, hashes, did-you-mean);
//! * [`listing`]: how tools are shown to a client (compact form, client profiles, short names);
//! * [`endpoints`]: the endpoint tools generated from the Windmill OpenAPI document, their
//!   request builders, registry, selection and search;
//! * [`upstream`]: the Windmill HTTP client, the operations the server calls on its own behalf, and
//!   what Windmill's answers become for the model;
//! * [`workspace`]: each workspace's scripts and flows as tools, discovered live and run as jobs;
//! * [`config`]: what a server is configured with and what one caller may see;
//! * [`mcp`]: the MCP server: typed dispatch of `tools/list` and `tools/call`, validation, and the
//!   discovery tools;
//! * [`catalog`]: the endpoint tools as a web page a person browses (`GET /`, `tools catalog`,
//!   `spec diff --html`);
//! * [`http`]: the Streamable HTTP front: routes, authentication, `Host`/`Origin` checks;
//! * [`cli`]: the command line (`serve`, `stdio`, `tools`, `spec`).

pub mod catalog;
pub mod cli;
pub mod config;
pub mod endpoints;
#[cfg(test)]
mod fixtures;
pub mod http;
pub mod listing;
pub mod mcp;
pub mod text;
pub mod upstream;
pub mod workspace;

/// The path the generated code names the hand-written runtime by.
pub(crate) use endpoints::runtime;
